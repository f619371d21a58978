#!/bin/sh
# Late fees are charged on what a bill still owes: a credit note (pm-bill
# adjust, rebill's) is on the bill, not on a line, and lowers the
# principal too (found by the red team of stop 37: a bill of 194.00 with
# 190.00 credited owed 4.00 and was charged 19.40 late, 10% of 194.00).
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T10:00:00+08:00
export PM_NOW

run pm init --community 幸福里
feed '{"code":"1-1-0101","area":"89.50","status":"occupied"}
{"code":"1-1-0102","area":"89.50","status":"occupied"}
{"code":"1-1-0103","area":"89.50","status":"occupied"}\n' pm unit import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 幸福里
billing:
  due_day: 15
  grace_days: 5
  late_fee:
    daily_bp: 5
    cap_percent: 10
    exempt_items: [garbage]
fees:
  - {name: property, label: 物业费, type: per_area, prices: {residential: 2.00}}
  - {name: garbage, label: 垃圾费, type: fixed, amounts: {residential: 15}}
Y
run pm config apply pm.yaml
run pm-bill run -q --period 2026-11
run pm-bill issue -q --period 2026-11
expect_eq "$(sql "SELECT group_concat(total_fen) FROM bill")" "19400,19400,19400" "three bills of 194.00, 179.00 of it property"

run pm-bill adjust B-2026-11-1-1-0101 --amount -190 --reason 减免
expect_rc 0 "a credit of 190.00"
run pm-bill adjust B-2026-11-1-1-0102 --amount -100 --reason 减免
run pm-bill adjust B-2026-11-1-1-0103 --amount 20 --reason 补收
expect_rc 0 "a debit note of 20.00"

run pm-bill late-fees --as-of 2027-12-31 --force --format jsonl
expect_rc 0 "late fees a year on"
# 0101 owes 4.00: the principal is 4.00 (not the 179.00 of property),
# 10% of it 40 fen.
expect_out '"bill":"B-2026-11-1-1-0101",.*"principal_fen":400,"amount_fen":40,"prepaid_fen":0}' "on what the credited bill still owes"
# 0102 owes 94.00 of which garbage's 15.00 may be all of the credit's
# rest: the principal is 94.00, no more than property's 179.00.
expect_out '"bill":"B-2026-11-1-1-0102",.*"principal_fen":9400,"amount_fen":940,"prepaid_fen":0}' "a partial credit lowers it by as much"
# 0103: a debit note is no item; property alone, 179.00, as before.
expect_out '"bill":"B-2026-11-1-1-0103",.*"principal_fen":17900,"amount_fen":1790,"prepaid_fen":0}' "a debit note adds nothing to it"
expect_eq "$(sql "SELECT group_concat(late_fen) FROM (SELECT late_fen FROM bill ORDER BY id)")" "40,940,1790" \
	"the bills' late fees"
expect_eq "$(sql "SELECT group_concat(principal_fen) FROM (SELECT principal_fen FROM late_fee ORDER BY bill_id)")" \
	"400,9400,17900" "each principal recorded"

# Paid down to less than the credit leaves: nothing more is owed, no fee.
run pm-bill pay --unit 1-1-0101 --amount 4.40 --channel bank --ref B1
expect_eq "$(sql "SELECT status FROM bill WHERE code = 'B-2026-11-1-1-0101'")" "paid" "the credited bill paid with its fee"
# A payment naming a bill that takes none of it (paid now) is the unit's
# prepaid balance, as the record says: the desk is told so too.
run pm-bill pay --unit 1-1-0101 --amount 10 --channel bank --ref B2 --bill B-2026-11-1-1-0101 --format jsonl
expect_rc 0 "a payment naming the paid bill"
expect_out '"allocated_fen":0,"prepaid_fen":1000' "all of it prepaid"
expect_err "^pm-bill: 10.00 of it held as the unit's prepaid balance: bill 'B-2026-11-1-1-0101' is not open, or owes less$" \
	"and the desk told so"
run pm check
expect_rc 0 "the ledger balances"
