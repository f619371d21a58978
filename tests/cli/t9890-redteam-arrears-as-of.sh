#!/bin/sh
# Red team: pm-report arrears --as-of a past day aged the bills to that
# day but took what they owe today: payments, notes and late fees recorded
# since were taken off or added, a bill voided since was left out and one
# issued since was counted. A year-end snapshot run on 10 January read
# 71374 fen where the units owed 111202 at the end of 31 December. Now
# each bill counts as it stood at the end of the day; as of today it
# reads what the bills owe now, as before.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-11-01T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"100","delivered":"2020-01-01"}
{"code":"1-1-102","area":"80","delivered":"2020-01-01"}
{"code":"2-1-101","area":"60","delivered":"2020-01-01"}\n' pm unit import
. "$PM_TOP/tests/cli/property-2-50.sh"

# Issued in November: October's 250.00, 200.00 and 150.00, due 15
# November. Issued in December: November's, the same, due 15 December.
run pm-bill run --period 2026-10
run pm-bill issue --period 2026-10
PM_NOW=2026-12-01T09:00:00+08:00 run pm-bill run --period 2026-11
PM_NOW=2026-12-01T09:00:00+08:00 run pm-bill issue --period 2026-11
# Late fees to 20 December (0.05% a day, rounded half up): October's 35
# days, 437.5 -> 438, 350, 262.5 -> 263; November's 5 days, 62.5 -> 63,
# 50, 37.5 -> 38.
PM_NOW=2026-12-20T09:00:00+08:00 run pm-bill late-fees --format jsonl
expect_eq "$(sql "SELECT sum(amount_fen) FROM late_fee")" "1202" "December's late fees: 12.02"
# 100.00 paid by 1-1-101 on 20 December: its October bill, oldest.
PM_NOW=2026-12-20T10:00:00+08:00 run pm-bill pay --unit 1-1-101 --amount 100 --channel wechat --ref WX1 --format jsonl
expect_out '"allocated_fen":10000,' "a partial payment on 20 December"

# After 31 December: a credit note of 50.00 on 1-1-102's November on 2
# January; 1-1-102's October paid in full (203.50) on 3 January with
# 100.00 more held prepaid; late fees to 5 January; 2-1-101's November
# voided on 6 January; on 7 January a new unit, 2-1-102, billed for
# November (100.00, due 15 December) and December issued. 1-1-102's
# prepaid 100.00 paid its bills' rest when October was charged its last
# days on 5 January.
PM_NOW=2027-01-02T09:00:00+08:00 run pm-bill adjust B-2026-11-1-1-102 --amount -50 --reason 电梯停运补偿
expect_rc 0 "a credit note on 2 January"
PM_NOW=2027-01-03T09:00:00+08:00 run pm-bill pay --unit 1-1-102 --amount 303.50 --channel alipay --ref AP1 \
	--bill B-2026-10-1-1-102 --format jsonl
expect_out '"allocated_fen":20350,"prepaid_fen":10000,' "a full payment on 3 January, 100.00 held"
# Late fees to 5 January, 16 days each on what the bill owed at the day's
# start: 120 and 200 for 1-1-101; 2-1-101 120 and 120; 1-1-102's October
# 140 for the 14 days up to its payment on 3 January (then paid from its
# prepaid 100.00 with its November's 98.60); its November 13 days on
# 20000 and 3 on 15000 after the note, 152.5 on its 50 -> 203 in all, 153.
PM_NOW=2027-01-05T09:00:00+08:00 run pm-bill late-fees --format jsonl
expect_eq "$(sql "SELECT sum(amount_fen) FROM late_fee WHERE as_of = '2027-01-05'")" "853" "January's late fees: 8.53"
PM_NOW=2027-01-06T09:00:00+08:00 run pm-bill void B-2026-11-2-1-101 --reason 面积错误
expect_rc 0 "a bill owed on 31 December voided on 6 January"
PM_NOW=2027-01-07T09:00:00+08:00
export PM_NOW
feed '{"code":"2-1-102","area":"40","delivered":"2020-01-01"}\n' pm unit import
run pm-bill run --period 2026-11
run pm-bill issue --period 2026-11 --due 2026-12-15 --format jsonl
expect_out '"issued":1,"total_fen":10000,' "a bill issued in January, due 15 December"
run pm-bill run --period 2026-12
run pm-bill issue --period 2026-12 --format jsonl
expect_out '"prepaid_fen":0,' "December's issue finds 1-1-102's 100.00 prepaid applied already"
expect_eq "$(sql "SELECT group_concat(b.code || ' ' || a.amount_fen, ', ') FROM allocation a JOIN bill b ON b.id = a.bill_id
	WHERE a.payment_id IS NULL")" "B-2026-10-1-1-102 140, B-2026-11-1-1-102 9860" "by the late fees of 5 January"

PM_NOW=2027-01-10T09:00:00+08:00
export PM_NOW
# At the end of 31 December, 46 days past October's due day and 16 past
# November's (0–30: November's, 31–90: October's):
#   1-1-101  October 25000 + 438 - 10000 = 15438   November 25000 + 63 = 25063   40501
#   1-1-102  October 20000 + 350         = 20350   November 20000 + 50 = 20050   40400
#            (the note, the payment, the prepaid money and January's fees came later)
#   2-1-101  October 15000 + 263         = 15263   November 15000 + 38 = 15038   30301
#            (voided on 6 January: owed on 31 December)
#   2-1-102  issued on 7 January: nothing yet
# Building 1: 45113 + 35788 = 80901; building 2: 15038 + 15263 = 30301;
# in all 60151 + 51051 = 111202.
run pm-report arrears --as-of 2026-12-31 --section unit --format csv
expect_rc 0 "arrears as of 31 December"
expect_eq "$(tr -d '\r' <"$T/out" | cut -d, -f3,6-)" 'unit,bills,oldest_due,days,d0_30_fen,d31_90_fen,d91_180_fen,d181_365_fen,d365_fen,owed_fen
1-1-101,2,2026-11-15,46,25063,15438,0,0,0,40501
1-1-102,2,2026-11-15,46,20050,20350,0,0,0,40400
2-1-101,2,2026-11-15,46,15038,15263,0,0,0,30301' "each unit as it stood at the end of 31 December"
run pm-report arrears --as-of 2026-12-31 --section building --format csv
expect_eq "$(tr -d '\r' <"$T/out")" 'building,units,bills,d0_30_fen,d31_90_fen,d91_180_fen,d181_365_fen,d365_fen,owed_fen
1,2,4,45113,35788,0,0,0,80901
2,1,2,15038,15263,0,0,0,30301
total,3,6,60151,51051,0,0,0,111202' "the buildings and the total then"
run pm-report twin --layer arrears --as-of 2026-12-31 --format csv
expect_eq "$(tr -d '\r' <"$T/out" | cut -d, -f1,5,6)" 'unit,owed_fen,days
1-1-101,40501,46
1-1-102,40400,46
2-1-101,30301,46
2-1-102,—,—' "the twin's arrears layer counts them the same"

# As of today, what the bills owe now, as it read before: 1-1-101's
# October 25558 - 10000, November 25263; 1-1-102's November 20203 - 5000
# - 9860; 2-1-101's October 15383; 2-1-102's November 10000.
today='building,units,bills,d0_30_fen,d31_90_fen,d91_180_fen,d181_365_fen,d365_fen,owed_fen
1,2,3,30606,15558,0,0,0,46164
2,2,2,10000,15383,0,0,0,25383
total,4,5,40606,30941,0,0,0,71547'
run pm-report arrears --section building --format csv
expect_eq "$(tr -d '\r' <"$T/out")" "$today" "as of today: what is owed now"
run pm-report arrears --as-of 2027-01-10 --section building --format csv
expect_eq "$(tr -d '\r' <"$T/out")" "$today" "--as-of today is the default"
run pm-report arrears --section unit --format csv
expect_eq "$(tr -d '\r' <"$T/out" | cut -d, -f3,6,7,14)" 'unit,bills,oldest_due,owed_fen
1-1-101,2,2026-11-15,40821
1-1-102,1,2026-12-15,5343
2-1-101,1,2026-11-15,15383
2-1-102,1,2026-12-15,10000' "each unit today"
# A day after which nothing was recorded reads, counted from the rows,
# what the bills' sums say.
PM_NOW=2027-01-11T09:00:00+08:00 run pm-report arrears --as-of 2027-01-10 --section building --format csv
expect_eq "$(tr -d '\r' <"$T/out")" "$today" "yesterday, nothing recorded since: the same figures"

# Bill records carry what each bill owed when it was listed: --as-of ages
# them and says so.
pm-bill list --overdue --format jsonl >overdue.jsonl
run pm-report arrears --as-of 2026-12-31 --section building --format csv overdue.jsonl
expect_eq "$(tr -d '\r' <"$T/out" | tail -1)" 'total,4,5,40606,30941,0,0,0,71547' "records: owed as listed"
expect_err "bill records say what was owed when listed: --as-of 2026-12-31 ages them" "and the note says so"
done_testing
