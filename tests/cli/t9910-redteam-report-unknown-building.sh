#!/bin/sh
# Red team: pm-report collection --building 9, where the community has
# no building 9, exited 0 with a row of zeros, as a real building
# without bills does. A report of a building the store has not is
# refused now, naming it, exit 65 as a report refuses an unknown unit;
# a real building without bills still gets its zeros.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/report-community.sh"
export PM_NOW=2026-12-05T09:00:00+08:00

for rep in "collection --period 2026-11" "arrears" "occupancy" "consumption --period 2026-11" \
	"carbon --period 2026-11" "service --period 2026-11" "dashboard --period 2026-11"; do
	# shellcheck disable=SC2086
	run pm-report $rep --building 9 --format csv
	expect_rc 65 "${rep%% *} --building 9: exit 65"
	expect_err "^pm-report: no building '9'$" "${rep%% *}: names it"
	expect_eq "$(wc -c <"$T/out" | tr -d ' ')" 0 "${rep%% *}: prints nothing"
done
run pm-bill list --format jsonl
cp "$T/out" bills
run_in bills pm-report arrears --building 9 --format csv
expect_rc 65 "arrears of records, --building 9: exit 65"
expect_err "^pm-report: no building '9'$" "names it"
feed '{"type":"bill","bill":"B-X","unit":"9-1-101","owed_fen":100,"due":"2026-01-01"}\n' pm-report arrears --format csv
expect_rc 65 "as an unknown unit is"
expect_err "unknown unit '9-1-101'" "which it names"

sql "INSERT INTO building (code, name) VALUES ('8', '8号楼')" >/dev/null
run pm-report collection --period 2026-11 --building 8 --format csv
expect_rc 0 "a building without units or bills"
expect_eq "$(tr -d '\r' <"$T/out" | grep -c '^8,0,0,0,0,0,0,0,0,—,—$')" 1 "has its row of zeros"
run pm-report collection --period 2026-11 --building 1 --format csv
expect_out '^1,2,1,38000,0,0,38000,21000,17000,50\.0,55\.3' "and a building with bills its figures"
done_testing
