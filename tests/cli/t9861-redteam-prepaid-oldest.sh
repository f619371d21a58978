#!/bin/sh
# An issue pays from the unit's prepaid balance what the unit owes, its
# open bills oldest due first, as a payment does. It paid the bill being
# issued alone: a unit holding 250.00 of prepaid money with October's
# 250.00 overdue had December paid and October left open, charged 7.00 of
# late fees to 10 January on the money the company held for it.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-11-01T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"100","delivered":"2020-01-01"}\n' pm unit import
. "$PM_TOP/tests/cli/property-2-50.sh"
run pm-bill run --period 2026-10
run pm-bill issue --period 2026-10
PM_NOW=2026-12-01T09:00:00+08:00 run pm-bill run --period 2026-11
PM_NOW=2026-12-01T09:00:00+08:00 run pm-bill issue --period 2026-11
# A payment for November's bill, more than it owes: the rest is held.
PM_NOW=2026-12-02T09:00:00+08:00 run pm-bill pay --unit 1-1-101 --amount 500 --channel wechat --ref WX1 \
	--bill B-2026-11-1-1-101 --format jsonl
expect_out '"allocated_fen":25000,"prepaid_fen":25000' "November takes 250.00, 250.00 is held prepaid"

PM_NOW=2027-01-01T09:00:00+08:00 run pm-bill run --period 2026-12
PM_NOW=2027-01-01T09:00:00+08:00 run pm-bill issue --period 2026-12 --format jsonl
expect_out '"issued":1,"total_fen":25000,"prepaid_fen":25000' "the issue pays 250.00 from the prepaid balance"
expect_eq "$(sql "SELECT group_concat(period || ' ' || status || ' ' || (total_fen - paid_fen), ', ')
	FROM (SELECT * FROM bill ORDER BY period)")" "2026-10 paid 0, 2026-11 paid 0, 2026-12 issued 25000" \
	"to October, overdue, not to December, due on 15 January"
PM_NOW=2027-01-10T09:00:00+08:00 run pm-bill late-fees --format jsonl
expect_rc 0 "late fees on 10 January"
expect_eq "$(sql "SELECT count(*) || ' ' || coalesce(sum(amount_fen), 0) FROM late_fee")" "0 0" \
	"none: nothing is overdue"
run pm check
expect_rc 0 "the store is sound"
done_testing
