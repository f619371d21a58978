#!/bin/sh
# pm-bill issue posts a bill's lines to the ledger a fee at a time (a fee's
# lines merged, first seen first), issues and settles each bill in one
# UPDATE (a bill of nothing is paid at once), and the bill_sum triggers
# fire without building a temporary b-tree for their WHEN clauses.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"80"}
{"code":"1-1-102","area":"90"}\n' pm unit import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
fees:
  - name: water
    label: 水费
    type: metered
    meter_kind: water
    tiers: {period: month, steps: [{price: 3}]}
    components:
      - {label: 污水处理费, price: 0.95}
Y
run pm config apply pm.yaml
feed '{"code":"W101","kind":"water","serves":"1-1-101","installed":"2026-01-01T00:00:00+08:00"}
{"code":"W102","kind":"water","serves":"1-1-102","installed":"2026-01-01T00:00:00+08:00"}\n' pm-meter import
feed '{"meter":"W101","ts":"2026-10-31T23:00:00+08:00","value":"5"}
{"meter":"W101","ts":"2026-11-30T23:00:00+08:00","value":"15"}
{"meter":"W102","ts":"2026-10-31T23:00:00+08:00","value":"7"}
{"meter":"W102","ts":"2026-11-30T23:00:00+08:00","value":"7"}\n' pm-meter ingest
run pm-bill run --period 2026-11
expect_rc 0 "the period is billed"
expect_eq "$(sql "SELECT b.code, group_concat(l.seq || ':' || l.fee || ':' || l.amount_fen, ' ') FROM bill b
	JOIN bill_line l ON l.bill_id = b.id GROUP BY b.id ORDER BY b.code")" \
	"B-2026-11-1-1-101|1:water:3000 2:water:950
B-2026-11-1-1-102|1:water:0 2:water:0" "101 used 10 m3 (30.00 and 9.50 of sewage), 102 nothing"

run pm-bill issue --period 2026-11
expect_rc 0 "the bills are issued"
expect_eq "$(sql "SELECT j.ref, p.account, p.amount_fen FROM journal j JOIN posting p ON p.journal_id = j.id
	WHERE j.kind = 'issue' ORDER BY j.id, p.account")" \
	"bill:B-2026-11-1-1-101|receivable:1-1-101|3950
bill:B-2026-11-1-1-101|revenue:water|-3950" \
	"one revenue posting for the fee's two lines; a bill of nothing posts nothing"
expect_eq "$(sql "SELECT count(*) FROM journal WHERE kind = 'issue'")" 2 "a journal entry per bill all the same"
expect_eq "$(sql "SELECT code, status FROM bill ORDER BY code")" "B-2026-11-1-1-101|issued
B-2026-11-1-1-102|paid" "the bill of nothing is paid as it is issued"
expect_eq "$(sql "SELECT status, bills, total_fen FROM bill_sum ORDER BY status")" "issued|1|3950
paid|1|0" "bill_sum counts each bill once, under its status"

# What a status change costs: the triggers' WHEN clauses build no list
# (they built two before 0018), nor do the CHECKs on bill.status and
# bill_sum.status (two more before 0024).
expect_eq "$(sql "EXPLAIN UPDATE bill SET status = 'issued' WHERE id = 1" | grep -c OpenEphemeral)" 0 \
	"the bill_sum triggers and the CHECKs build no temporary b-tree"
run pm check
expect_rc 0 "pm check passes"
done_testing
