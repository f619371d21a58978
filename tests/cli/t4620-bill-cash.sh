#!/bin/sh
# pm-bill pay --channel cash with no --ref: the desk's next receipt number
# is the payment's ref; the same payment run again within
# payments.cash_repeat pays nothing twice; --again and --ref still work.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-15T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"100","delivered":"2020-01-01"}
{"code":"1-1-102","area":"80","delivered":"2020-01-01"}\n' pm unit import
feed '{"code":"P1","name":"张伟","unit":"1-1-101","role":"owner"}\n' pm person import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
fees:
  - name: property
    label: 物业费
    type: per_area
    prices: {residential: 2.5}
Y
run pm config apply pm.yaml
run pm-bill run --period 2026-11
run pm-bill issue --period 2026-11
run pm user add zhao.desk --role frontdesk
run pm user add qian.desk --role frontdesk
run pm-bill pay --unit 1-1-102 --amount 1.00 --channel wechat --ref WX1
expect_rc 0 "an online payment first"
run pm-bill receipt 1
expect_rc 0 "and its receipt, 2026-000001"

run pm-bill --as zhao.desk pay --unit 1-1-101 --amount 300.00 --channel cash --format jsonl
expect_rc 0 "cash with no ref"
expect_out '^\{"type":"payment","payment":2,"channel":"cash","ref":"2026-000002","unit":"1-1-101","amount_fen":30000,"allocated_fen":25000,"prepaid_fen":5000,"outcome":"recorded","receipt":"2026-000002"\}$' \
	"takes the next receipt number as its ref, 25000 fen to the bill and 5000 prepaid"
expect_eq "$(sql "SELECT year, seq, payment_id, cashier, printed_by FROM receipt WHERE payment_id = 2")" "2026|2|2|zhao.desk|zhao.desk" \
	"its receipt is numbered with it, the cashier who took it"
run pm-bill --as zhao.desk receipt 2 --format jsonl
expect_out '"ref":"2026-000002",.*"cashier":"zhao.desk",.*"receipt":"2026-000002","status":"issued"' \
	"printing it gives the same number"

run pm-bill --as zhao.desk pay --unit 1-1-101 --amount 300.00 --channel cash --format jsonl
expect_rc 0 "the same command again"
expect_out '^\{"type":"payment","payment":2,"channel":"cash","ref":"2026-000002","unit":"1-1-101","amount_fen":30000,"outcome":"duplicate"\}$' \
	"is the first payment again"
expect_eq "$(sql "SELECT count(*), sum(amount_fen) FROM payment WHERE channel = 'cash'") $(sql "SELECT sum(amount_fen) FROM posting WHERE account = 'cash:cash'")" \
	"1|30000 30000" "nothing paid twice, on the ledger either"

run pm-bill --as qian.desk pay --unit 1-1-101 --amount 300.00 --channel cash --format jsonl
expect_out '"ref":"2026-000003",.*"outcome":"recorded"' "another cashier's is another payment"
run pm-bill --as zhao.desk pay --unit 1-1-101 --amount 300.00 --channel cash --again --format jsonl
expect_out '"ref":"2026-000004",.*"outcome":"recorded"' "--again records a second on purpose"
run pm-bill --as zhao.desk pay --unit 1-1-101 --amount 200.00 --channel cash --format jsonl
expect_out '"ref":"2026-000005",.*"outcome":"recorded"' "another amount is another payment"

PM_NOW=2026-12-15T09:11:00+08:00
run pm-bill --as zhao.desk pay --unit 1-1-101 --amount 200.00 --channel cash --format jsonl
expect_out '"ref":"2026-000006",.*"outcome":"recorded"' "after payments.cash_repeat (10 minutes), the same is a new payment"

run pm-bill pay --unit 1-1-101 --amount 10.00 --channel cash --ref 手写-0017 --format jsonl
expect_out '"ref":"手写-0017",.*"outcome":"recorded"' "a ref is still accepted for cash"
expect_eq "$(sql "SELECT count(*) FROM receipt r JOIN payment p ON p.id = r.payment_id WHERE p.ref = '手写-0017'")" "0" \
	"and numbers no receipt until one is printed"
run pm-bill pay --unit 1-1-101 --amount 10.00 --channel cash --ref 手写-0017 --again
expect_rc 2 "--again with a ref"
expect_err "--again is for cash without --ref" "says a ref tells payments apart"

run pm-bill pay --unit 1-1-101 --amount 10.00 --channel wechat
expect_rc 2 "other channels still need a ref"
expect_err "expected --unit, --amount, --channel and --ref \(cash needs none\)" "saying so"
feed '{"unit":"1-1-102","amount":"5.00","channel":"cash"}\n' pm-bill pay --format jsonl -
expect_rc 0 "a JSON line of cash with no ref"
expect_out '"ref":"2026-000007",.*"receipt":"2026-000007"' "is numbered too"

expect_eq "$(sql 'SELECT group_concat(seq) FROM (SELECT seq FROM receipt WHERE year = 2026 ORDER BY seq)')" "1,2,3,4,5,6,7" \
	"receipt numbers without a gap"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'bill.pay' AND object LIKE 'payment:cash:2026-%'")" "6" \
	"each cash payment audited under its receipt number"
run pm check
expect_rc 0 "the store checks out"

cat >>pm.yaml <<'Y'
payments:
  cash_repeat: 30m
Y
run pm config apply pm.yaml
PM_NOW=2026-12-15T09:30:00+08:00
run pm-bill --as zhao.desk pay --unit 1-1-101 --amount 200.00 --channel cash --format jsonl
expect_out '"ref":"2026-000006",.*"outcome":"duplicate"' "payments.cash_repeat: 30m widens the window"

# A repeat names the same bill as the payment it repeats: the same amount
# for another unit's bill is no repeat but refused, as that bill is not
# this unit's (it was answered with the earlier receipt); for this unit's
# own bill, named, it is a payment of its own.
other=$(sql "SELECT code FROM bill WHERE unit_id = (SELECT id FROM unit WHERE code = '1-1-102')")
run pm-bill --as zhao.desk pay --unit 1-1-101 --amount 200.00 --channel cash --bill "$other" --format jsonl
expect_rc 65 "the same amount naming another unit's bill is refused"
if grep -q '"outcome":"duplicate"' "$T/out"; then _report 0 "not taken for a repeat"; else _report 1 "not taken for a repeat"; fi
own=$(sql "SELECT code FROM bill WHERE unit_id = (SELECT id FROM unit WHERE code = '1-1-101')")
run pm-bill --as zhao.desk pay --unit 1-1-101 --amount 200.00 --channel cash --bill "$own" --format jsonl
expect_out '"ref":"2026-000008",.*"outcome":"recorded"' "naming its own bill, a payment of its own"
run pm-bill --as zhao.desk pay --unit 1-1-101 --amount 200.00 --channel cash --bill "$own" --format jsonl
expect_out '"ref":"2026-000008",.*"outcome":"duplicate"' "and that one again is its repeat"
expect_eq "$(sql 'SELECT group_concat(seq) FROM (SELECT seq FROM receipt WHERE year = 2026 ORDER BY seq)')" "1,2,3,4,5,6,7,8" \
	"receipt numbers still without a gap"

done_testing
