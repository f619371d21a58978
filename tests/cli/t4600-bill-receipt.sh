#!/bin/sh
# pm-bill receipt: a payment's receipt (收据), numbered without gaps each
# year when first printed, the same number printed again, a voided one
# kept in the sequence; who may print and void.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-15T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"100","delivered":"2020-01-01"}
{"code":"1-1-102","area":"80","delivered":"2020-01-01"}\n' pm unit import
feed '{"code":"P1","name":"张伟","unit":"1-1-101","role":"owner"}
{"code":"P2","name":"王芳","unit":"1-1-102","role":"tenant"}\n' pm person import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
fees:
  - name: property
    label: 物业费
    type: per_area
    prices: {residential: 2.5}
  - name: garbage
    label: 垃圾费
    type: fixed
    amounts: {residential: 15}
Y
run pm config apply pm.yaml
run pm-bill run --period 2026-11
run pm-bill issue --period 2026-11
run pm user add zhao.desk --role frontdesk
run pm user add li.finance --role finance
run pm user add sun.tech --role technician
run pm-bill pay --unit 1-1-101 --amount 300.00 --channel wechat --ref WX1
run pm-bill --as zhao.desk pay --unit 1-1-102 --amount 50.00 --channel cash --ref R1
expect_rc 0 "two payments, one at the desk"

run pm-bill receipt 1 --format jsonl
expect_rc 0 "a receipt for the first payment"
expect_out '^\{"type":"receipt","payment":1,"unit":"1-1-101","payer":"张伟","channel":"wechat","ref":"WX1","amount_fen":30000,"paid_at":"2026-12-15T09:00:00\+08:00","cashier":"root","lines":\[\{"bill":"B-2026-11-1-1-101","label":"物业费","amount_fen":25000\},\{"bill":"B-2026-11-1-1-101","label":"垃圾费","amount_fen":1500\}\],"prepaid_fen":3500,"receipt":"2026-000001","status":"issued",' \
	"numbered 2026-000001: its lines, and the rest kept as prepaid, to the fen"
run pm-bill --as zhao.desk receipt 2 --format jsonl
expect_out '"payer":"王芳",.*"cashier":"zhao.desk",.*"lines":\[\{"bill":"B-2026-11-1-1-102","label":"物业费","amount_fen":5000\}\],"prepaid_fen":0,"receipt":"2026-000002","status":"issued","printed_at":"2026-12-15T09:00:00\+08:00","printed_by":"zhao.desk"' \
	"the desk prints the next number; a tenant pays for a rented unit; the cashier is who recorded it"
run pm-bill receipt 1 --format jsonl
expect_out '"receipt":"2026-000001","status":"issued"' "printed again, the same number"
expect_eq "$(sql 'SELECT count(*) FROM receipt')" "2" "and no new one"

run pm-bill --as zhao.desk receipt 1 --void --reason 打错了
expect_rc 77 "the desk may not void a receipt"
run pm-bill --as sun.tech receipt 1
expect_rc 77 "a technician may not print one"
run pm-bill --as li.finance receipt 1 --void
expect_rc 2 "a void needs a reason"
run pm-bill --as li.finance receipt 1 --void --reason 打印错误 --format jsonl
expect_rc 0 "finance voids it"
expect_out '"receipt":"2026-000001","status":"void",.*"void_reason":"打印错误","voided_at":"2026-12-15T09:00:00\+08:00","voided_by":"li.finance"' \
	"it keeps its number, marked void, with why and by whom"
run pm-bill --as li.finance receipt 1 --void --reason 再来一次
expect_rc 65 "a void receipt is not voided twice"
expect_err "payment 1 has no receipt to void" "saying so"
run pm-bill receipt 1 --format jsonl
expect_out '"receipt":"2026-000003","status":"issued"' "the next print takes the next number"
expect_eq "$(sql 'SELECT year, seq, payment_id, coalesce(void_reason, "-") FROM receipt ORDER BY seq' | tr '\n' ' ')" \
	"2026|1|1|打印错误 2026|2|2|- 2026|3|1|- " "1, 2, 3: no gap, the void one among them"
expect_eq "$(sql "SELECT action, object FROM audit WHERE action LIKE 'bill.receipt%' ORDER BY id" | tr '\n' ' ')" \
	"bill.receipt|payment:1 bill.receipt|payment:2 bill.receipt.void|payment:1 bill.receipt|payment:1 " \
	"each numbering and the void audited"

run pm-bill receipt 9
expect_rc 65 "an unknown payment"
expect_err "unknown payment '9'" "is named"

# Many desks at once: every number once, none skipped.
i=0
while [ $i -lt 12 ]; do
	i=$((i + 1))
	pm-bill pay --unit 1-1-102 --amount 1.00 --channel cash --ref "C$i" >/dev/null 2>&1 || echo "pay $i failed"
done
for id in $(sql "SELECT id FROM payment WHERE ref LIKE 'C%'"); do
	pm-bill receipt "$id" >/dev/null 2>>errs &
done
wait
expect_eq "$(cat errs 2>/dev/null)" "" "twelve receipts printed at once"
expect_eq "$(sql 'SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM receipt WHERE year = 2026')" "15|15|1|15" \
	"numbered 1 to 15, each once"

# A new year starts again at 1.
PM_NOW=2027-01-02T09:00:00+08:00
run pm-bill pay --unit 1-1-101 --amount 10.00 --channel cash --ref N1
run pm-bill receipt "$(sql "SELECT id FROM payment WHERE ref = 'N1'")" --format jsonl
expect_out '"receipt":"2027-000001"' "2027's first receipt"

done_testing
