#!/bin/sh
# A debit note on a bill of a unit holding prepaid money is paid from it,
# as an issue pays a bill; a credit beyond what a bill owes gives what it
# was paid beyond its new total back to the prepaid balance. It was left owed: with 507.25 prepaid, a 5.00
# note on October's paid bill left 5.00 to pay, past due at once, in the
# arrears and chased, on money the company held for the unit (the
# reports red team's finding). A unit with nothing prepaid owes the note.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-11-01T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"100","delivered":"2020-01-01"}
{"code":"1-1-102","area":"100","delivered":"2020-01-01"}\n' pm unit import
. "$PM_TOP/tests/cli/property-2-50.sh"
run pm-bill run --period 2026-10
run pm-bill issue --period 2026-10
run pm-bill pay --unit 1-1-101 --amount 757.25 --channel wechat --ref WX1 --format jsonl
expect_out '"allocated_fen":25000,"prepaid_fen":50725' "October paid, 507.25 held prepaid"
run pm-bill pay --unit 1-1-102 --amount 250 --channel wechat --ref WX2 --format jsonl
expect_out '"allocated_fen":25000,"prepaid_fen":0' "1-1-102's October paid, nothing more"
prepaid() { sql "SELECT -coalesce(sum(amount_fen), 0) FROM posting WHERE account = 'prepaid:$1'"; }

run pm-bill adjust B-2026-10-1-1-101 --amount 5 --reason 补收 --format jsonl
expect_rc 0 "a debit note of 5.00 on 1-1-101's paid bill"
expect_out '^\{"type":"adjustment","bill":"B-2026-10-1-1-101","amount_fen":500,"reason":"补收","to_prepaid_fen":0,"prepaid_fen":500\}$' \
	"paid from the prepaid balance, and the record says so"
expect_eq "$(sql "SELECT status || ' ' || (total_fen + late_fen + adjust_fen - paid_fen) FROM bill
	WHERE code = 'B-2026-10-1-1-101'")" "paid 0" "the bill stays paid"
expect_eq "$(prepaid 1-1-101)" 50225 "502.25 left prepaid"
run pm-bill adjust B-2026-10-1-1-102 --amount 5 --reason 补收 --format jsonl
expect_out '"prepaid_fen":0' "1-1-102 holds nothing prepaid"
expect_eq "$(sql "SELECT status || ' ' || (total_fen + late_fen + adjust_fen - paid_fen) FROM bill
	WHERE code = 'B-2026-10-1-1-102'")" "partial 500" "and owes the note"
run pm-bill adjust B-2026-10-1-1-102 --amount -2 --reason 减免 --format jsonl
expect_out '"amount_fen":-200,"reason":"减免","to_prepaid_fen":0,"prepaid_fen":0' \
	"a credit note within what the bill owes moves no money"
# An overcharge found after the bill was paid: 15.00 too much on
# 1-1-102's October, which owes 3.00 of its notes. The credit was refused
# ("refund instead") and the refund too ("credit the bills first"): the
# money had paid a bill. Now the 12.00 paid beyond the bill's new total
# goes back to the prepaid balance, the payment's, and can be refunded.
run pm-bill adjust B-2026-10-1-1-102 --amount -15 --reason 多收 --format jsonl
expect_rc 0 "a credit of 15.00 on a bill that owes 3.00"
expect_out '"amount_fen":-1500,"reason":"多收","to_prepaid_fen":1200,"prepaid_fen":0' "12.00 back to the prepaid balance"
expect_eq "$(sql "SELECT status || ' ' || paid_fen || ' ' || (total_fen + late_fen + adjust_fen) FROM bill
	WHERE code = 'B-2026-10-1-1-102'")" "paid 23800 23800" "the bill paid: 238.00 of WX2 on it, its new total"
expect_eq "$(prepaid 1-1-102)" 1200 "12.00 prepaid"
run pm-bill refund 2 --amount 12 --reason 多收退款 --format jsonl
expect_rc 0 "WX2's 12.00 refunded"
expect_eq "$(prepaid 1-1-102)" 0 "nothing left prepaid"
# Another credit once November is issued: the money freed pays November.
PM_NOW=2026-12-01T09:00:00+08:00 run pm-bill run --period 2026-11
PM_NOW=2026-12-01T09:00:00+08:00 run pm-bill issue --period 2026-11 --format jsonl
expect_out '"issued":2,"total_fen":50000,"prepaid_fen":25000' "November issued, 1-1-101's paid from its prepaid"
PM_NOW=2026-12-01T09:00:00+08:00 run pm-bill adjust B-2026-10-1-1-102 --amount -8 --reason 多收 --format jsonl
expect_out '"to_prepaid_fen":800,"prepaid_fen":800' "8.00 freed, and it pays November"
expect_eq "$(sql "SELECT status || ' ' || (total_fen + late_fen + adjust_fen - paid_fen) FROM bill
	WHERE code = 'B-2026-11-1-1-102'")" "partial 24200" "November owes 242.00"
expect_eq "$(prepaid 1-1-102)" 0 "nothing held"
PM_NOW=2026-12-10T09:00:00+08:00 run pm-bill list --overdue --format jsonl
expect_eq "$(grep -o '"bill":"[^"]*"' "$T/out" | tr '\n' ' ')" '' \
	"nothing overdue on 10 December: 1-1-101's note paid from its prepaid, 1-1-102's October paid, November not yet due"
# November's money received stays as it came: 250.00 of WX2 to bills,
# though credits gave 20.00 of it back since (12.00 refunded in November).
run pm-report collection --period 2026-11 --section received --format csv
expect_out '^wechat,2,100725,50000,50725,1200' "November: 1,007.25 in, 500.00 to bills, 507.25 prepaid, 12.00 refunded"
# Arrears as they stood on 20 November, asked on 20 December: the 8.00
# given back on 1 December was still paid then (what a credit gives back
# counts when given, not when the payment came).
PM_NOW=2026-12-20T09:00:00+08:00 run pm-report arrears --as-of 2026-11-20 --section unit --format csv
expect_eq "$(tr -d '\r' <"$T/out" | sed 1d)" "" "nobody owed anything past due on 20 November"
run pm check
expect_rc 0 "pm check passes"
done_testing
