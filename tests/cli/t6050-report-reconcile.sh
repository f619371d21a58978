#!/bin/sh
# Every figure of pm-report collection reconciles with the ledger: a year
# of readings, bills, payments (in full, in part, ahead, late, never),
# late fees, notes, a void and a refund; then for every period and
# building, billed = collected + outstanding, billed is what the ledger
# charged to the receivable accounts for those bills, collected what the
# payments' and prepaid balances' entries settled of them, and what is
# still receivable is what the bills owe.
. "$PM_TOP/tests/cli/lib.sh"
export PM_NOW=2026-01-01T09:00:00+08:00

run pm init --community 对账小区
feed '{"code":"1-1-101","area":"89.5","status":"occupied"}
{"code":"1-1-102","area":"120","status":"occupied"}
{"code":"1-1-103","area":"60.3","status":"rented"}
{"code":"1-1-104","area":"75","status":"occupied"}
{"code":"2-1-101","area":"100","status":"occupied"}
{"code":"2-1-102","area":"66.6","status":"occupied"}
{"code":"2-1-103","area":"140","status":"occupied"}
{"code":"3-1-101","area":"70","status":"vacant"}\n' pm unit import
units="1-1-101 1-1-102 1-1-103 1-1-104 2-1-101 2-1-102 2-1-103 3-1-101"
i=0
for u in $units; do
	i=$((i + 1))
	printf '{"code":"W%s","kind":"water","serves":"%s","installed":"2025-12-01T00:00:00+08:00"}\n' "$u" "$u"
done >meters.jsonl
run pm-meter import meters.jsonl
cat >pm.yaml <<'Y'
effective: 2025-12-01
community:
  name: 对账小区
billing:
  due_day: 15
  grace_days: 3
  late_fee: {daily_bp: 5, cap_percent: 10, exempt_items: [garbage]}
  allocation_order: [water, property]
fees:
  - {name: property, label: 物业费, type: per_area, prices: {residential: 2.45}, vacant_discount_percent: 50}
  - name: water
    label: 水费
    type: metered
    meter_kind: water
    tiers: {period: year, steps: [{upto: 180, price: 3.45}, {upto: 260, price: 4.83}, {price: 7.96}]}
  - {name: garbage, label: 垃圾费, type: fixed, amounts: {residential: 15}}
Y
run pm config apply pm.yaml
expect_rc 0 "a community of eight units"

owed() { # UNIT [PERIOD]: what the unit's bill of PERIOD (or all its bills) owes, in fen
	pm-bill list --unit "$1" ${2:+--period "$2"} --format jsonl |
		awk -F'"owed_fen":' '{ split($2, a, ","); s += a[1] } END { print s + 0 }'
}
yuan() { awk -v f="$1" 'BEGIN { printf "%d.%02d", f / 100, f % 100 }'; }
pay() { # UNIT FEN REF AT
	[ "$2" -gt 0 ] && pm-bill pay -q --unit "$1" --amount "$(yuan "$2")" --channel "$5" --ref "$3" --at "$4" --format jsonl >/dev/null
	return 0
}

for m in 1 2 3 4 5 6 7 8 9 10 11 12; do
	p=$(printf '2026-%02d' "$m")
	next=$(date -d "$p-01 +1 month" +%Y-%m)
	last=$(date -d "$next-01 -1 day" +%Y-%m-%d)
	i=0
	for u in $units; do
		i=$((i + 1))
		v=$((i * 10 + m * (3 + i * 2)))
		printf '{"meter":"W%s","ts":"%sT20:00:00+08:00","value":"%d.%03d"}\n' "$u" "$last" "$v" $((m * i * 37 % 1000))
	done >r.jsonl
	PM_NOW=${last}T21:00:00+08:00 pm-meter ingest -q r.jsonl
	export PM_NOW=${next}-01T09:00:00+08:00
	pm-bill run -q --period "$p" --format jsonl >/dev/null
	pm-bill issue -q --period "$p" --format jsonl >/dev/null
	[ "$m" = 8 ] && pm-bill void -q "B-$p-2-1-102" --reason 重复开具
	[ "$m" = 3 ] && pm-bill adjust -q "B-$p-1-1-102" --amount -10 --reason 维修补偿 --format jsonl >/dev/null
	[ "$m" = 5 ] && pm-bill adjust -q "B-$p-2-1-102" --amount 5 --reason 补收 --format jsonl >/dev/null
	at=${next}-10T10:00:00+08:00
	export PM_NOW=${next}-10T11:00:00+08:00
	pay 1-1-101 "$(owed 1-1-101 "$p")" "A$m" "$at" wechat
	pay 1-1-102 10000 "B$m" "$at" alipay
	[ "$m" = 6 ] && pay 1-1-103 200000 "C$m" "$at" bank
	pay 1-1-104 $(($(owed 1-1-104 "$p") + 5000)) "D$m" "$at" wechat
	pay 2-1-101 $(($(owed 2-1-101 "$p") / 2)) "E$m" "$at" cash
	[ $((m % 2)) = 0 ] && pay 2-1-103 "$(owed 2-1-103)" "G$m" "$at" wechat
	pay 3-1-101 "$(owed 3-1-101 "$p")" "H$m" "$at" alipay
	export PM_NOW=${next}-25T09:00:00+08:00
	pm-bill late-fees -q --format jsonl >/dev/null
done
refund=$(sql "SELECT id FROM payment WHERE ref = 'D12'")
PM_NOW=2027-01-26T09:00:00+08:00 run pm-bill refund "$refund" --amount 20 --reason 退预存
expect_rc 0 "a refund from the prepaid balance"
export PM_NOW=2027-01-28T09:00:00+08:00
# Billing run again, rebuilding drafts, drafts of a new month: pm-report's
# sums of the bills (bill_sum) change only with issued bills.
pm-bill run -q --period 2026-12 --recompute --format jsonl >/dev/null
pm-bill run -q --period 2027-01 --format jsonl >/dev/null
pm-bill run -q --period 2027-01 --recompute --format jsonl >/dev/null
run pm check
expect_rc 0 "a year of billing leaves a sound ledger, and sums that are the bills'"
expect_eq "$(sql "SELECT sum(bills) || ' ' || sum(total_fen + late_fen + adjust_fen - paid_fen) FROM bill_sum")" \
	"$(sql "SELECT count(*) || ' ' || sum(total_fen + late_fen + adjust_fen - paid_fen) FROM bill WHERE status IN ('issued','partial','paid')")" \
	"the sums count every issued bill once, drafts and voids not at all"
sql "UPDATE bill_sum SET paid_fen = paid_fen + 1 WHERE rowid IN (SELECT rowid FROM bill_sum LIMIT 1)" 2>/dev/null ||
	sql "UPDATE bill_sum SET paid_fen = paid_fen + 1 WHERE (period, entrance_id, status) IN (SELECT period, entrance_id, status FROM bill_sum LIMIT 1)"
run pm check
expect_rc 1 "pm check finds sums that are not the bills'"
expect_out "bill sums of 2026-01, entrance " "and names them"
sql "UPDATE bill_sum SET paid_fen = paid_fen - 1 WHERE (period, entrance_id, status) IN (SELECT period, entrance_id, status FROM bill_sum LIMIT 1)"
expect_eq "$(sql "SELECT count(*) FROM bill WHERE status IN ('issued','partial','paid')") $(sql "SELECT count(*) FROM late_fee") $(sql "SELECT count(*) FROM adjustment") $(sql "SELECT count(*) FROM bill WHERE status = 'void'")" \
	"95 $(sql "SELECT count(*) FROM late_fee") 2 1" "95 bills, late fees, two notes, a void"
expect_eq "$(sql "SELECT count(*) > 10 FROM late_fee")" "1" "late fees on many of them"

# What each payment's or prepaid balance's entry took off the receivable
# accounts is what was allocated to bills.
expect_eq "$(sql "SELECT count(*) FROM journal j WHERE j.kind IN ('payment','prepaid') AND
	coalesce((SELECT sum(amount_fen) FROM allocation a WHERE a.journal_id = j.id), 0) <>
	coalesce((SELECT -sum(amount_fen) FROM posting p WHERE p.journal_id = j.id AND p.account GLOB 'receivable:*'), 0)")" \
	"0" "every settling entry is its allocations"

# The ledger's figures per period and building: charged (issue, late
# fees, notes) to the receivable account for the bills, and allocated.
sql "SELECT b.period, bd.code,
	(SELECT coalesce(sum(p.amount_fen), 0) FROM journal j JOIN posting p ON p.journal_id = j.id
	 WHERE j.ref = 'bill:' || b.code AND j.kind IN ('issue','late_fee','adjust') AND p.account = 'receivable:' || u.code),
	(SELECT coalesce(sum(a.amount_fen), 0) FROM allocation a WHERE a.bill_id = b.id)
	FROM bill b JOIN unit u ON u.id = b.unit_id JOIN building bd ON bd.id = u.building_id
	WHERE b.status IN ('issued','partial','paid')" |
	awk -F'|' '{ k = $1 "|" $2; c[k] += $3; a[k] += $4 } END { for (k in c) printf "%s|%d|%d|%d\n", k, c[k], a[k], c[k] - a[k] }' |
	sort >ledger.txt
for m in 01 02 03 04 05 06 07 08 09 10 11 12; do
	pm-report collection --period "2026-$m" --section building --format jsonl |
		grep -v '"total":true' | grep -v '"bills":0,' |
		sed 's/.*"building":"\([^"]*\)",.*"billed_fen":\([-0-9]*\),"collected_fen":\([-0-9]*\),"outstanding_fen":\([-0-9]*\),.*/\1|\2|\3|\4/' |
		sed "s/^/2026-$m|/"
done | sort >report.txt
expect_eq "$(wc -l <ledger.txt | tr -d ' ')" "36" "twelve periods of three buildings"
expect_eq "$(cat report.txt)" "$(cat ledger.txt)" "billed, collected and outstanding are the ledger's, for every period and building"
expect_eq "$(awk -F'|' '$3 != $4 + $5' report.txt)" "" "and billed = collected + outstanding on every row"

# The year's totals, and what is receivable now.
run pm-report collection --period 2026-12 --section year --format jsonl
total=$(grep '"total":true' "$T/out")
receivable=$(sql "SELECT sum(amount_fen) FROM posting WHERE account GLOB 'receivable:*'")
expect_eq "$(echo "$total" | sed 's/.*"outstanding_fen":\([-0-9]*\),.*/\1/')" "$receivable" \
	"the year's outstanding is the receivable accounts' balance"
expect_eq "$(echo "$total" | sed 's/.*"billed_fen":\([-0-9]*\),.*/\1/')" "$(awk -F'|' '{ s += $3 } END { print s }' ledger.txt)" \
	"the year's billed is the sum of the periods'"
expect_eq "$(echo "$total" | sed 's/.*"collected_fen":\([-0-9]*\),.*/\1/')" "$(sql 'SELECT sum(amount_fen) FROM allocation')" \
	"the year's collected is every allocation"

# Money received month by month is every payment; what was not allocated
# at once went to prepaid balances, which now hold the rest.
for m in 01 02 03 04 05 06 07 08 09 10 11 12; do
	pm-report collection --period "2026-$m" --section received --format jsonl | grep '"total":true'
done >received.jsonl
PM_NOW=2027-01-28T09:00:00+08:00 pm-report collection --period 2027-01 --section received --format jsonl | grep '"total":true' >>received.jsonl
expect_eq "$(sed 's/.*"received_fen":\([0-9]*\),.*/\1/' received.jsonl | awk '{ s += $1 } END { print s }')" \
	"$(sql 'SELECT sum(amount_fen) FROM payment')" "received over the months is every payment"
expect_eq "$(sed 's/.*"refunded_fen":\([0-9]*\).*/\1/' received.jsonl | awk '{ s += $1 } END { print s }')" "2000" "the refund shows"
prepaid_in=$(sed 's/.*"prepaid_fen":\([0-9]*\),.*/\1/' received.jsonl | awk '{ s += $1 } END { print s }')
prepaid_used=$(sql "SELECT coalesce(sum(amount_fen), 0) FROM allocation WHERE payment_id IS NULL")
expect_eq "$((prepaid_in - prepaid_used - 2000))" "$(sql "SELECT -sum(amount_fen) FROM posting WHERE account GLOB 'prepaid:*'")" \
	"prepaid received, less what paid bills and was refunded, is the prepaid balances"

# Arrears: what bills past due owe, aged, is what collection says is
# outstanding on those bills.
run pm-report arrears --section building --format jsonl
expect_eq "$(grep '"total":true' "$T/out" | sed 's/.*"owed_fen":\([0-9]*\),.*/\1/')" \
	"$(sql "SELECT sum(total_fen + late_fen + adjust_fen - paid_fen) FROM bill WHERE status IN ('issued','partial') AND due < '2027-01-28'")" \
	"arrears are the open bills past due"
done_testing
