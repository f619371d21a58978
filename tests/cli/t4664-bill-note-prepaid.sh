#!/bin/sh
# A debit note on a bill of a unit holding prepaid money is paid from it,
# as an issue pays a bill. It was left owed: with 507.25 prepaid, a 5.00
# note on October's paid bill left 5.00 to pay, past due at once, in the
# arrears and chased, on money the company held for the unit (the
# reports red team's finding). A unit with nothing prepaid owes the note.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-11-01T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"100","delivered":"2020-01-01"}
{"code":"1-1-102","area":"100","delivered":"2020-01-01"}\n' pm unit import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
billing:
  late_fee: {daily_bp: 5}
fees:
  - {name: property, label: 物业费, type: per_area, prices: {residential: 2.5}}
Y
run pm config apply pm.yaml
run pm-bill run --period 2026-10
run pm-bill issue --period 2026-10
run pm-bill pay --unit 1-1-101 --amount 757.25 --channel wechat --ref WX1 --format jsonl
expect_out '"allocated_fen":25000,"prepaid_fen":50725' "October paid, 507.25 held prepaid"
run pm-bill pay --unit 1-1-102 --amount 250 --channel wechat --ref WX2 --format jsonl
expect_out '"allocated_fen":25000,"prepaid_fen":0' "1-1-102's October paid, nothing more"
prepaid() { sql "SELECT -coalesce(sum(amount_fen), 0) FROM posting WHERE account = 'prepaid:$1'"; }

run pm-bill adjust B-2026-10-1-1-101 --amount 5 --reason 补收 --format jsonl
expect_rc 0 "a debit note of 5.00 on 1-1-101's paid bill"
expect_out '^\{"type":"adjustment","bill":"B-2026-10-1-1-101","amount_fen":500,"reason":"补收","prepaid_fen":500\}$' \
	"paid from the prepaid balance, and the record says so"
expect_eq "$(sql "SELECT status || ' ' || (total_fen + late_fen + adjust_fen - paid_fen) FROM bill
	WHERE code = 'B-2026-10-1-1-101'")" "paid 0" "the bill stays paid"
expect_eq "$(prepaid 1-1-101)" 50225 "502.25 left prepaid"
run pm-bill adjust B-2026-10-1-1-102 --amount 5 --reason 补收 --format jsonl
expect_out '"prepaid_fen":0' "1-1-102 holds nothing prepaid"
expect_eq "$(sql "SELECT status || ' ' || (total_fen + late_fen + adjust_fen - paid_fen) FROM bill
	WHERE code = 'B-2026-10-1-1-102'")" "partial 500" "and owes the note"
run pm-bill adjust B-2026-10-1-1-102 --amount -2 --reason 减免 --format jsonl
expect_out '"amount_fen":-200,"reason":"减免","prepaid_fen":0' "a credit note takes nothing from anywhere"
PM_NOW=2026-12-10T09:00:00+08:00 run pm-bill list --overdue --format jsonl
expect_eq "$(grep -o '"bill":"[^"]*"' "$T/out" | tr '\n' ' ')" '"bill":"B-2026-10-1-1-102" ' \
	"overdue on 10 December: 1-1-102's note, not 1-1-101's"
run pm check
expect_rc 0 "pm check passes"
done_testing
