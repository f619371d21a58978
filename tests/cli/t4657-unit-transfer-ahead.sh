#!/bin/sh
# A transfer on a day to come (pm unit transfer --at) takes effect that
# day. Before, the new owner counted from the day it was entered: they
# saw the unit, its bills and its visitors, approved the old owner's
# visitors and were sent its bills, while the old owner, whose residence
# ends on the day, was sent nothing (notices went by "until IS NULL").
# Now a resident sees and is told from their since to their until.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-07T10:00:00+08:00
export PM_NOW

run pm init
run pm config apply "$PM_TOP/share/pm/examples/pm.yaml"
feed '{"code":"3-2-1101","area":"89.50","delivered":"2020-06-30"}\n' pm unit import
feed '{"code":"P001","name":"王伟","phone":"13800000001","unit":"3-2-1101"}
{"code":"P002","name":"李娜","phone":"13900001380"}\n' pm person import
run pm user add own1 --role owner --person P001
run pm user add own2 --role owner --person P002
run pm-gate --as own1 visitor request --unit 3-2-1101 --name 访客 --from 2026-12-08T10:00:00+08:00 \
	--until 2026-12-08T18:00:00+08:00
expect_rc 0 "the owner asks a visitor in"
run pm unit transfer 3-2-1101 --to P002 --at 2027-01-01
expect_rc 0 "sold, from 1 January"

# Until then the unit is P001's.
run pm --as own2 unit show 3-2-1101
expect_rc 77 "the new owner does not see the unit before the day"
expect_err "user 'own2' may not see unit '3-2-1101'" "and is told why"
run pm-bill --as own2 list --unit 3-2-1101
expect_rc 77 "nor its bills"
run pm-gate --as own2 visitor list
expect_eq "$(cat "$T/out")" "" "nor its visitors"
run pm-gate --as own2 visitor approve 1
expect_rc 77 "nor lets them in"
run pm --as own1 unit show 3-2-1101
expect_rc 0 "the owner still sees it"
run pm-gate --as own1 visitor approve 1
expect_rc 0 "and lets their visitor in"

run pm-bill run -q --period 2026-11
run pm-bill issue -q --period 2026-11
run sh -c 'pm-bill list --period 2026-11 --status issued | pm-notify send --template bill_issued --channel stdout --flush'
expect_rc 0 "November's bill sent"
expect_eq "$(sed -n 's/.*"recipient":"\([^"]*\)".*/\1/p' "$T/out")" "P001" "to the owner of today, not the one to come"
run pm-bill notice B-2026-11-3-2-1101
expect_eq "$(grep -o '王伟\|李娜' "$T/out" | tr '\n' ' ')" "王伟 " "its payment notice names today's owner"

# From the day, the unit is P002's.
PM_NOW=2027-01-01T09:00:00+08:00
run pm --as own2 unit show 3-2-1101
expect_rc 0 "the new owner sees the unit from the day"
run pm --as own1 unit show 3-2-1101
expect_rc 77 "the old owner no longer"
run pm-gate --as own1 visitor list
expect_eq "$(cat "$T/out")" "" "nor their visitors of before"
run sh -c 'pm-bill list --period 2026-11 --status issued | pm-notify send --template bill_overdue --channel stdout --flush'
expect_eq "$(sed -n 's/.*"recipient":"\([^"]*\)".*/\1/p' "$T/out")" "P002" "the bill still owed is told to the owner of today"
done_testing
