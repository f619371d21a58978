#!/bin/sh
# pm-bill contract: an income contract billed quarterly over a year, ended
# mid-year and credited the days not used (to the fen), an expense
# contract paid from the owners' common income, the ledger and pm check;
# pm-report common-income (公共收益公示) over the year.
. "$PM_TOP/tests/cli/lib.sh"
export PM_NOW=2026-01-02T09:00:00+08:00

run pm init --community 幸福里
printf 'effective: 2026-01-01\ncommunity:\n  name: 幸福里\n' >pm.yaml
run pm config apply pm.yaml
run pm user add li.finance --role finance
run pm user add zhao.desk --role frontdesk

run pm-bill contract add --party 分众传媒 --kind income --object "电梯广告，3号楼" --from 2026-01-01 \
	--to 2026-12-31 --amount 1000 --every quarter --format jsonl
expect_rc 0 "an income contract: 1000.00 a quarter"
expect_out '^\{"type":"contract","contract":1,"party":"分众传媒","kind":"income","object":"电梯广告，3号楼","from":"2026-01-01","to":"2026-12-31","every":"quarter","amount_fen":100000,"ended":null,"end_reason":null,"renews":null,"charged_fen":0,"paid_fen":0,"balance_fen":0,"days_left":363,"expiring":false\}$' \
	"is told whole"
run pm-bill --as li.finance contract add --party 洁净保洁 --kind expense --object 公共区域保洁 --from 2026-03-15 \
	--to 2026-06-14 --amount 200 --every month --format jsonl
expect_rc 0 "finance adds an expense contract: 200.00 a month from the 15th"
run pm-bill --as zhao.desk contract add --party x --kind income --object y --from 2026-01-01 --to 2026-02-01 \
	--amount 1 --every month
expect_rc 77 "the desk may not"
run pm-bill contract add --party x --kind gift --object y --from 2026-01-01 --to 2026-02-01 --amount 1 --every month
expect_rc 2 "an unknown kind"
expect_err "pm-bill contract add: --kind: expected income or expense, not 'gift'" "names the kinds"
run pm-bill contract add --party x --kind income --object y --from 2026-03-01 --to 2026-02-01 --amount 1 --every month
expect_rc 2 "an end before the start"
expect_err "pm-bill contract add: --to is before --from" "is refused"
run pm-bill contract add --party x --kind income --object y --from 2026-01-01 --to 2026-02-01 --amount 1 --every week
expect_rc 2 "an unknown period"
run pm-bill contract add --party x --kind income --object y --from 2026-01-01 --to 2026-02-01 --amount 0 --every month
expect_rc 2 "nothing a period"

# The cron run through the year: each period charged once, in the run on
# or after its first day; a second run the same day charges nothing.
for d in 2026-01-05 2026-02-01 2026-03-15 2026-04-01 2026-05-20 2026-07-01; do
	PM_NOW=${d}T09:00:00+08:00 run pm-bill contract run --format jsonl
	expect_rc 0 "the run of $d"
done
expect_out '"period_start":"2026-07-01","period_end":"2026-09-30","days":92,"amount_fen":100000' \
	"the third quarter charged whole on 1 July"
PM_NOW=2026-07-01T18:00:00+08:00 run pm-bill contract run --format jsonl
expect_eq "$(cat "$T/out")" "" "the same day again charges nothing"
expect_err "0 periods charged: income ¥0.00, expenses ¥0.00" "and says so"
expect_eq "$(sql "SELECT contract_id, period_start, period_end, days, amount_fen FROM contract_charge ORDER BY id" | tr '\n' ' ')" \
	"1|2026-01-01|2026-03-31|90|100000 2|2026-03-15|2026-04-14|31|20000 1|2026-04-01|2026-06-30|91|100000 2|2026-04-15|2026-05-14|30|20000 2|2026-05-15|2026-06-14|31|20000 1|2026-07-01|2026-09-30|92|100000 " \
	"three quarters and three months, once each"

# Ended on 10 August: of the third quarter's 92 days 41 were used.
# 100000 × 41/92 = 44565.2, × 51/92 = 55434.8: the largest remainder
# gives 44565 and 55435, so 554.35 is credited and 445.65 stays.
export PM_NOW=2026-08-10T09:00:00+08:00
run pm-bill contract terminate 1 --on 2026-12-31 --reason 退租
expect_rc 65 "an end on its last day is no termination"
expect_err "contract 1 runs from 2026-01-01 to 2026-12-31: it can end on a day from the first to the day before the last" \
	"and says which days"
run pm-bill contract terminate 1 --on 2026-08-10 --reason 商户退租 --format jsonl
expect_rc 0 "the income contract ends on 10 August"
expect_out '"ended":"2026-08-10","end_reason":"商户退租",.*"charged_fen":244565,"paid_fen":0,"balance_fen":244565' \
	"1000 + 1000 + 445.65 charged in all"
expect_eq "$(sql "SELECT kind, days, amount_fen FROM contract_charge WHERE contract_id = 1 AND period_start = '2026-07-01' ORDER BY id" | tr '\n' ' ')" \
	"charge|92|100000 credit|41|-55435 " "the quarter charged, then 554.35 credited for 51 days"
run pm-bill contract terminate 1 --on 2026-08-11 --reason again
expect_rc 65 "a second termination"
expect_err "contract 1 was terminated already, after 2026-08-10" "is refused"
for d in 2026-10-01 2026-12-31; do
	PM_NOW=${d}T09:00:00+08:00 run pm-bill contract run --format jsonl
	expect_eq "$(cat "$T/out")" "" "nothing after the end ($d)"
done
run pm-bill contract renew 1 --to 2027-12-31
expect_rc 65 "a terminated contract"
expect_err "contract 1 was terminated: make a new one" "is not renewed"

# The ledger: the owners' accounts hold what the contracts charged.
expect_eq "$(sql "SELECT account, sum(amount_fen) FROM posting GROUP BY account ORDER BY account" | tr '\n' ' ')" \
	"common:expense|60000 common:income|-244565 contract:1|244565 contract:2|-60000 " \
	"common:income 2445.65 credited, common:expense 600.00 debited, the parties' accounts"

# Payments: received from the merchant, paid to the cleaner, never more
# than is owed, idempotent by ref.
run pm-bill contract pay 2 --amount 400 --channel bank --ref X1 --format jsonl
expect_rc 0 "400.00 paid to the cleaner"
expect_out '^\{"type":"contract_payment","contract":2,"kind":"expense","amount_fen":40000,"channel":"bank","ref":"X1","balance_fen":20000,"outcome":"recorded"\}$' \
	"200.00 still owed to it"
run pm-bill contract pay 2 --amount 400 --channel bank --ref X1 --format jsonl
expect_out '"outcome":"duplicate"' "the same ref again is a duplicate"
expect_eq "$(sql "SELECT count(*) FROM contract_charge WHERE kind = 'payment'")" "1" "and records nothing"
run pm-bill contract pay 2 --amount 300 --channel bank --ref X1
expect_rc 65 "the ref of another payment"
run pm-bill contract pay 2 --amount 200.01 --channel bank
expect_rc 65 "more than is owed"
expect_err "pm-bill: contract 2: ¥200.00 is owed, not more" "says how much is"
run pm-bill contract pay 1 --amount 2000 --channel wechat --ref W7
expect_rc 0 "2000.00 received from the merchant"
run pm-bill contract pay 1 --amount 1 --channel barter
expect_rc 65 "an unknown channel"
expect_eq "$(sql "SELECT account, sum(amount_fen) FROM posting WHERE account LIKE 'c%' GROUP BY account ORDER BY account" | tr '\n' ' ')" \
	"cash:bank|-40000 cash:wechat|200000 common:expense|60000 common:income|-244565 contract:1|44565 contract:2|-20000 " \
	"the merchant owes 445.65, the cleaner is owed 200.00"
expect_eq "$(sql "SELECT count(*) FROM posting WHERE account LIKE 'revenue:%' OR account LIKE 'income:%'")" "0" \
	"nothing of it is the company's revenue"
run pm check
expect_rc 0 "pm check holds"

# pm-report common-income: by contract, by month, and the owners' balance.
export PM_NOW=2027-01-05T09:00:00+08:00
run pm-report common-income --year 2026 --section contract --format csv
expect_rc 0 "the year by contract"
expect_eq "$(tr -d '\r' <"$T/out")" "contract,party,kind,object,income_fen,expense_fen,paid_fen
1,分众传媒,income,电梯广告，3号楼,244565,0,200000
2,洁净保洁,expense,公共区域保洁,0,60000,40000
total,,,,244565,60000,240000" "income and expenses per contract to the fen"
run pm-report common-income --year 2026 --section month --format csv
expect_eq "$(tr -d '\r' <"$T/out" | grep -v ',0,0,0$')" "month,income_fen,expense_fen,net_fen
2026-01,100000,0,100000
2026-03,0,20000,-20000
2026-04,100000,20000,80000
2026-05,0,20000,-20000
2026-07,44565,0,44565
total,244565,60000,184565" "per month, the July quarter net of its credit"
expect_eq "$(tr -d '\r' <"$T/out" | wc -l)" "14" "every month of the year listed, and the total"
run pm-report common-income --year 2026 --section balance --format jsonl
expect_eq "$(cat "$T/out")" '{"type":"common_income","section":"balance","income_fen":244565,"expense_fen":60000,"net_fen":184565,"owed_fen":184565,"receivable_fen":44565}' \
	"1845.65 owed to the owners, 445.65 of it not yet received"
run pm-report common-income --year 2027 --section balance --format jsonl
expect_out '"income_fen":0,"expense_fen":0,"net_fen":0,"owed_fen":184565' "the balance carries into the next year"
run pm-report common-income --year 26x
expect_rc 2 "a bad year"
run pm-report common-income --year 2026 --output income.html
expect_rc 0 "as an HTML page"
expect_eq "$(grep -c '分众传媒' income.html)" "1" "with the contracts on it"
run pm-report common-income --year 2026 --publish --format jsonl
expect_rc 0 "published as an announcement"
expect_eq "$(sql "SELECT title FROM announcement")" "Common-area income, 2026-01 — 2026-12" "titled with the year"
expect_eq "$(sql "SELECT body FROM announcement" | grep -c '分众传媒, 电梯广告，3号楼 (income): income ¥2,445.65, expenses ¥0.00')" "1" \
	"each contract in its text"

# Expiring within 60 days, and a renewal that follows on.
export PM_NOW=2026-05-01T09:00:00+08:00
run pm-bill contract list --expiring --format jsonl
expect_eq "$(grep -c . "$T/out")" "1" "one contract ends within 60 days"
expect_out '"contract":2,.*"days_left":44,"expiring":true' "the cleaner's, in 44 days"
run pm-bill contract renew 2 --to 2026-12-14 --amount 220 --format jsonl
expect_rc 0 "renewed at 220.00 a month"
expect_out '"contract":3,"party":"洁净保洁","kind":"expense","object":"公共区域保洁","from":"2026-06-15","to":"2026-12-14","every":"month","amount_fen":22000,.*"renews":2' \
	"from the day after the old one's end"
run pm-bill contract list --expiring --format jsonl
expect_eq "$(cat "$T/out")" "" "a renewed contract is not expiring"
run pm-bill contract renew 2 --to 2026-12-31
expect_rc 65 "renewed twice"
expect_err "contract 2 is renewed already" "is refused"
expect_eq "$(sql "SELECT action FROM audit WHERE action LIKE 'bill.contract%' ORDER BY id" | sort | uniq -c | tr -s ' ' | tr '\n' ';')" \
	" 2 bill.contract.add; 2 bill.contract.pay; 1 bill.contract.renew; 9 bill.contract.run; 1 bill.contract.terminate;" \
	"every change audited, one record a run"

# pm check finds a charge edited by hand, and money of the owners mixed
# with the company's.
sql "UPDATE contract_charge SET amount_fen = 99999 WHERE id = 1"
run pm check --format jsonl
expect_rc 1 "a charge edited by hand"
expect_out '"check":"contract.ledger","problem":"contract 1: charges less payments 44564 fen, the ledger 44565 fen"' \
	"is found on the party's account"
expect_out '"check":"common.ledger","problem":"common:income: contracts charged 244564 fen, the ledger -244565 fen"' \
	"and on the owners'"
sql "UPDATE contract_charge SET amount_fen = 100000 WHERE id = 1"
sql "INSERT INTO journal (ts, kind, ref) VALUES (0, 'contract', 'x');
INSERT INTO posting VALUES (last_insert_rowid(), 'common:income', 100), ((SELECT max(id) FROM journal), 'revenue:property', -100)"
run pm check --format jsonl
expect_rc 1 "the owners' income moved to the company's revenue"
expect_out "the owners' common accounts and the company's revenue in one entry" "is found"

done_testing
