#!/bin/sh
# A group report's total is the sum of its communities' pm-report totals.
# In a month without tickets pm-report service counts 0 breached and 0
# repeats; the group's total said null for both (the sum of no rows).
. "$PM_TOP/tests/cli/lib.sh"

. "$PM_TOP/tests/cli/rollup-pg.sh"

. "$PM_TOP/tests/cli/report-community.sh"
run pm export --format jsonl
cp "$T/out" feed1
run pm-rollup load --pg "$conn" feed1
expect_rc 0 "a community without tickets loaded"

run pm-report service --period 2026-11 --format jsonl
expect_eq "$(jq -c 'select(.total == true and .section == "category") | [.tickets, .breached, .repeats]' "$T/out")" \
	"[0,0,0]" "pm-report service: no tickets, none breached, no repeats"
run pm-rollup report service --pg "$conn" --period 2026-11 --format jsonl
expect_rc 0 "the group's service report"
expect_eq "$(jq -c 'select(.total == true) | [.tickets, .breached, .repeats]' "$T/out")" "[0,0,0]" \
	"its total says the same"
done_testing
