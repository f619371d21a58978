#!/bin/sh
# A chargeable repair (pm-repair resolve --cost) goes on the unit's next
# bill once, as a `repair` fee line; a rebuilt or voided bill gives it back.
. "$PM_TOP/tests/cli/lib.sh"

PM_NOW=2026-11-10T09:00:00+08:00; export PM_NOW
run pm init
run pm config apply "$PM_TOP/share/pm/examples/pm.yaml"
feed '{"code":"1-1-101","area":"80","status":"occupied"}\n{"code":"1-1-102","area":"90","status":"occupied"}\n' pm unit import
pm user add sun.tech --role technician
run pm-repair submit --unit 1-1-101 --category plumbing --text 厨房漏水
run pm-repair assign 1 --to sun.tech
run pm-repair --as sun.tech start 1
run pm-repair --as sun.tech resolve 1 --note 换阀门 --cost 120.00
expect_rc 0 "a repair resolved with a cost"
expect_eq "$(sql 'SELECT amount_fen, billed_bill_id IS NULL FROM repair_charge')" "12000|1" "makes an unbilled charge"

repair_lines() { sql "SELECT b.code, l.amount_fen, l.quantity FROM bill_line l JOIN bill b ON b.id = l.bill_id WHERE l.fee = 'repair' ORDER BY b.code"; }
PM_NOW=2026-12-01T09:00:00+08:00 run pm-bill run --period 2026-11
expect_rc 0 "the November run"
expect_eq "$(repair_lines)" "B-2026-11-1-1-101|12000|#1" "puts the charge on 1-1-101's bill as its own line"
expect_eq "$(sql "SELECT b.code FROM repair_charge c JOIN bill b ON b.id = c.billed_bill_id")" "B-2026-11-1-1-101" \
	"and marks it billed there"
PM_NOW=2026-12-01T09:00:00+08:00 run pm-bill run --period 2026-11 --recompute
expect_eq "$(repair_lines)" "B-2026-11-1-1-101|12000|#1" "a rebuilt draft carries it once"
PM_NOW=2026-12-31T09:00:00+08:00 run pm-bill run --period 2026-12
expect_eq "$(repair_lines)" "B-2026-11-1-1-101|12000|#1" "the next month does not bill it again"

run pm-bill void B-2026-11-1-1-101 --reason 重开
expect_rc 0 "voiding the bill"
expect_eq "$(sql 'SELECT billed_bill_id IS NULL FROM repair_charge')" "1" "gives the charge back"
sql "DELETE FROM bill_line WHERE bill_id = (SELECT id FROM bill WHERE code = 'B-2026-12-1-1-101')"
sql "DELETE FROM bill WHERE code = 'B-2026-12-1-1-101'"
PM_NOW=2026-12-31T09:00:00+08:00 run pm-bill run --period 2026-12 --unit 1-1-101
expect_eq "$(repair_lines)" "B-2026-11-1-1-101|12000|#1
B-2026-12-1-1-101|12000|#1" "and the next bill takes it"
run pm check
expect_rc 0 "the store is sound"
done_testing
