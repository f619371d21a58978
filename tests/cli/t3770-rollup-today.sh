#!/bin/sh
# pm-rollup report without --as-of: each community's arrears are aged to
# its own today, in its own time zone (rollup_community.tz), as its own
# pm-report takes it; a zone that is none is named, not guessed, with
# --as-of too.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/rollup-pg.sh"

# Two communities billed alike (report-community.sh: November's bills are
# due 2026-12-15); b keeps its time in Los Angeles.
for s in a b; do
	PM_DB=$T/$s.db
	export PM_DB
	. "$PM_TOP/tests/cli/report-community.sh"
	run pm export --format jsonl
	cp "$T/out" $s.feed
done
sed 's/^  name: 测试小区$/&\n  timezone: America\/Los_Angeles/' pm.yaml >la.yaml
PM_DB=$T/b.db run pm config apply la.yaml
expect_rc 0 "b's zone is Los Angeles"
unset PM_DB
id_a=$(tail -n 1 a.feed | jq -r .store) id_b=$(tail -n 1 b.feed | jq -r .store)
run pm-rollup load --pg "$conn" a.feed b.feed
expect_rc 0 "both loaded"
pg "UPDATE rollup_community SET tz = 'America/Los_Angeles' WHERE community = '$id_b'" >/dev/null

# 07:00 on the 16th in Shanghai is 15:00 on the 15th in Los Angeles:
# November's bills are past due in a, due today in b.
export PM_NOW=2026-12-16T07:00:00+08:00
run pm-rollup report arrears --pg "$conn" --period 2026-11 --format jsonl
expect_rc 0 "the group's arrears, today"
cp "$T/out" group.out
for s in a b; do
	id=$(tail -n 1 $s.feed | jq -r .store)
	expect_eq "$(jq -c "select(.community == \"$id\") | [.bills, .owed_fen]" group.out)" \
		"$(PM_DB=$T/$s.db pm-report arrears --period 2026-11 --section building --format jsonl |
			jq -c 'select(.total) | [.bills, .owed_fen]')" "community $s as its own pm-report today"
done
expect_eq "$(jq -c "select(.community == \"$id_a\") | [.bills, .owed_fen]" group.out)" '[2,25000]' \
	"a: 1-1-102's 170.00 and 3-1-101's 80.00 a day overdue"
expect_eq "$(jq -c "select(.community == \"$id_b\") | [.units, .bills, .owed_fen]" group.out)" "[0,0,0]" \
	"b: nothing overdue on its 15th, its row of zeros"
expect_eq "$(jq -c 'select(.total) | [.bills, .owed_fen]' group.out)" '[2,25000]' "the total is a's"

run pm-rollup report arrears --pg "$conn" --period 2026-11 --as-of 2026-12-16 --format jsonl
expect_eq "$(jq -c 'select(.total) | [.bills, .owed_fen]' "$T/out")" '[4,50000]' "--as-of is every community's day"

pg "UPDATE rollup_community SET tz = 'Mars/Olympus' WHERE community = '$id_b'" >/dev/null
run pm-rollup report arrears --pg "$conn" --period 2026-11
expect_rc 65 "a zone that is none"
expect_err "^pm-rollup: community $id_b: time zone \"Mars/Olympus\": not found in /usr/share/zoneinfo/$" "is named"
# A day given is still a day in each community's zone: whether it is
# past there, and when it ended (t3771).
run pm-rollup report arrears --pg "$conn" --period 2026-11 --as-of 2026-12-16 --format jsonl
expect_rc 65 "a day given needs the zone too"
expect_err "^pm-rollup: community $id_b: time zone \"Mars/Olympus\"" "and names it"

done_testing
