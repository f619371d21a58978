#!/bin/sh
# A feed of some tables only (pm export --tables) ends with the store's
# cursor all the same. pm-rollup load took it and moved the group's
# cursor past every other table's changes: the next feed since that
# cursor never sent them, and the group's copy of the bill stayed unpaid
# for good. A partial feed names its tables and the loader refuses it;
# an empty --tables (a variable left unset in a cron job) is no table.
. "$PM_TOP/tests/cli/lib.sh"

. "$PM_TOP/tests/cli/rollup-pg.sh"

. "$PM_TOP/tests/cli/report-community.sh"
run pm export --format jsonl
cp "$T/out" feed1
run pm-rollup load --pg "$conn" feed1
expect_rc 0 "the first feed loaded"
c1=$(tail -n 1 feed1 | jq -r .cursor)
id=$(tail -n 1 feed1 | jq -r .store)

export PM_NOW=2026-12-06T09:00:00+08:00
run pm-bill pay --unit 3-1-101 --amount 80 --channel cash --ref X1
expect_rc 0 "3-1-101 pays its November bill"
run pm export --since "$c1" --tables payment --format jsonl
expect_rc 0 "a feed of the payments alone"
cp "$T/out" part
expect_eq "$(tail -n 1 part | jq -c .tables)" '"payment"' "its cursor names its tables"
run pm-rollup load --pg "$conn" part
expect_rc 65 "is refused by the loader"
expect_err "^pm-rollup: part:$(wc -l <part | tr -d ' '): " "at its cursor's line"
expect_eq "$(pg "SELECT cursor FROM rollup_community WHERE community = '$id'")" "$c1" "the group's cursor stays"

run pm export --since "$c1" --tables '' --format jsonl
expect_rc 2 "an empty --tables"
expect_err "no table '' in the change feed" "is no table"

run pm export --since "$c1" --format jsonl
cp "$T/out" feed2
run pm-rollup load --pg "$conn" feed2
expect_rc 0 "the whole feed since the first"
expect_eq "$(pg "SELECT paid_fen || ' ' || status FROM rollup_bill WHERE community = '$id' AND code = 'B-2026-11-3-1-101'")" \
	"$(sql "SELECT paid_fen || ' ' || status FROM bill WHERE code = 'B-2026-11-3-1-101'")" \
	"the group's copy of the bill is paid as the store's"
done_testing
