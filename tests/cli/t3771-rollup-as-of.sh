#!/bin/sh
# pm-rollup report arrears --as-of a past day counts each community's
# bills as they stood at the end of that day in its own zone, as its own
# pm-report arrears --as-of does. Before, the group's report aged what
# the bills owe now to that day: payments, late fees, notes and voids
# recorded since were taken back or added.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/rollup-pg.sh"

. "$PM_TOP/tests/cli/report-community.sh"
run pm export --format jsonl
cp "$T/out" a.feed
run pm-rollup load --pg "$conn" a.feed
expect_rc 0 "the community loaded"

export PM_NOW=2026-12-10T09:00:00+08:00
totals() { jq -c 'select(.total) | [.bills, .owed_fen]' "$T/out"; }
same() { # DAY DESC: the group's total as the community's own
	run pm-report arrears --from 2026-10 --to 2026-11 --as-of "$1" --section building --format jsonl
	own=$(totals)
	run pm-rollup report arrears --pg "$conn" --from 2026-10 --to 2026-11 --as-of "$1" --format jsonl
	expect_rc 0 "the group's arrears as of $1"
	expect_eq "$(totals)" "$own" "$2"
}
# October's bills, due 15 November: 101 paid on the 10th, 102 100.00 of
# 170.00 on the 12th; late fees on the 25th, a credit of 20.00 to
# 3-1-101 on the 26th.
same 2026-11-16 "the day after October's due day, as the community's own"
expect_eq "$(totals)" "[3,26000]" "102's 70.00, 1-2-101's 110.00 and 3-1-101's 80.00"
same 2026-11-25 "the day of the late fees"
expect_eq "$(totals)" "[3,26260]" "70.70 + 111.10 + 80.80"
same 2026-11-26 "the day of the credit"
expect_eq "$(totals)" "[3,24260]" "70.70 + 111.10 + 60.80"
run pm-rollup report arrears --pg "$conn" --from 2026-10 --to 2026-11 --format jsonl
expect_eq "$(totals)" \
	"$(pm-report arrears --from 2026-10 --to 2026-11 --section building --format jsonl | jq -c 'select(.total) | [.bills, .owed_fen]')" \
	"today: what the bills owe now"
done_testing
