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

# A charge is billed once its ticket is done: not while the owner has
# reopened it, never once it is cancelled (found by the red team of stop
# 37: a ticket resolved at 120.00, reopened and cancelled because the
# owner had it fixed elsewhere was billed 120.00).
PM_NOW=2026-12-05T09:00:00+08:00; export PM_NOW
for t in 2:plumbing 3:electrical; do
	run pm-repair submit --unit 1-1-102 --category ${t#*:} --text "报修 $t"
	t=${t%:*}
	run pm-repair assign $t --to sun.tech
	run pm-repair --as sun.tech start $t
done
run pm-repair --as sun.tech resolve 2 --note 换管 --cost 80.00
run pm-repair reopen 2 --reason 没修好
expect_rc 0 "ticket 2 resolved at 80.00, then reopened"
run pm-repair --as sun.tech resolve 3 --note 换阀 --cost 50.00
run pm-repair reopen 3 --reason 没修好
run pm-repair cancel 3 --reason 业主自行找人修
expect_rc 0 "ticket 3 resolved at 50.00, reopened, then cancelled"
expect_eq "$(sql 'SELECT ticket_id, amount_fen FROM repair_charge WHERE ticket_id > 1 ORDER BY 1')" "2|8000
3|5000" "their charges are stored"
PM_NOW=2026-12-31T09:00:00+08:00 run pm-bill run --period 2026-12 --unit 1-1-102
expect_rc 0 "December again for 1-1-102"
expect_eq "$(repair_lines | grep -c 1-1-102)" "0" "neither the reopened nor the cancelled ticket is billed"
expect_eq "$(sql 'SELECT count(*) FROM repair_charge WHERE ticket_id > 1 AND billed_bill_id IS NOT NULL')" "0" \
	"nor marked billed"
run pm-repair assign 2 --to sun.tech
run pm-repair --as sun.tech start 2
run pm-repair --as sun.tech resolve 2 --note 重新换管 --cost 90.00
expect_rc 0 "ticket 2 resolved again at 90.00"
PM_NOW=2026-12-31T09:00:00+08:00 run pm-bill run --period 2026-12 --unit 1-1-102
expect_eq "$(repair_lines | grep 1-1-102)" "B-2026-12-1-1-102|9000|#2" "resolved again, it is billed at its new cost"
expect_eq "$(sql "SELECT c.ticket_id FROM repair_charge c JOIN bill b ON b.id = c.billed_bill_id WHERE b.code = 'B-2026-12-1-1-102'")" \
	"2" "and only it marked billed"
run pm-repair reopen 2 --reason 又漏了
PM_NOW=2026-12-31T09:00:00+08:00 run pm-bill run --period 2026-12 --unit 1-1-102
expect_eq "$(repair_lines | grep -c 1-1-102)" "0" "reopened before the bill is issued, the draft drops it"
expect_eq "$(sql 'SELECT billed_bill_id IS NULL FROM repair_charge WHERE ticket_id = 2')" "1" "and gives it back"

# A cost past billing.max_amount is refused where it is typed: stored, it
# stopped the whole month's run, every unit's bill with it (the red team
# of stop 37: a technician's typo held up the community's billing).
run pm-repair submit --unit 1-1-101 --category electrical --text 跳闸
run pm-repair assign 4 --to sun.tech
run pm-repair --as sun.tech start 4
run pm-repair --as sun.tech resolve 4 --note 换开关 --cost 10000000.01
expect_rc 65 "a charge of 10,000,000.01 is refused"
expect_err '^pm-repair: repair charge 10000000.01 is above the maximum of 10000000.00 \(billing.max_amount\)$' \
	"naming the key"
expect_eq "$(sql 'SELECT status, cost_fen IS NULL FROM ticket WHERE id = 4')" "in_progress|1" "the ticket is not resolved"
expect_eq "$(sql 'SELECT count(*) FROM repair_charge WHERE ticket_id = 4')" "0" "no charge stored"
(LC_ALL=zh_CN.UTF-8 run pm-repair --as sun.tech resolve 4 --note 换开关 --cost 10000000.01)
expect_err '维修费 10000000.01 超过上限 10000000.00（billing.max_amount）' "in Chinese too"
run pm-repair --as sun.tech resolve 4 --note 换开关 --cost 10000000.00
expect_rc 0 "the most a line may be is taken"
PM_NOW=2026-12-31T09:00:00+08:00 run pm-bill run --period 2026-12
expect_rc 0 "and the run bills it"
expect_eq "$(repair_lines | grep '#4')" "B-2026-12-1-1-101|1000000000|#4" "to the fen"

run pm check
expect_rc 0 "the store is sound"
done_testing
