#!/bin/sh
# pm-backup's retention never removes the copy its run just made, even
# when a clock set back names it older than the copies already there: it
# is kept and counted first among those kept, its day and month taking
# their places before the newest others'.
. "$PM_TOP/tests/cli/lib.sh"

run pm init
mkdir off
PM_NOW=2027-06-10T09:00:00+08:00 run pm-backup --to off
PM_NOW=2027-06-11T09:00:00+08:00 run pm-backup --to off
expect_rc 0 "two copies dated June 2027"

PM_NOW=2026-12-07T09:00:00+08:00 run pm-backup --to off --keep-daily 2
expect_rc 0 "a run whose clock says December 2026, keeping two days"
expect_eq "$(cat "$T/out")" '{"type":"backup","to":"off","name":"pm-20261207T010000Z.db","encrypted":false}
{"type":"backup_removed","name":"pm-20270610T010000Z.db"}' \
	"it makes its copy and removes the oldest 2027 one, not its own"
expect_eq "$(ls off | tr '\n' ' ')" \
	"pm-20261207T010000Z.db pm-20261207T010000Z.db.manifest pm-20270611T010000Z.db pm-20270611T010000Z.db.manifest " \
	"today's copy stays, beside the newest other: two days kept"

PM_NOW=2027-06-11T08:00:00+08:00 run pm-backup --to off --keep-daily 1
expect_rc 0 "a run an hour before a copy of the same day"
expect_eq "$(ls off | grep -v manifest | tr '\n' ' ')" "pm-20270611T000000Z.db " \
	"--keep-daily 1 keeps the copy just made, the day's one place"

PM_NOW=2026-11-05T09:00:00+08:00 run pm-backup --to off --keep-monthly 1
expect_rc 0 "a monthly retention, the clock back again"
expect_out '"type":"backup_removed","name":"pm-20270611T000000Z.db"' "the later month's copy goes"
expect_eq "$(ls off | grep -v manifest | tr '\n' ' ')" "pm-20261105T010000Z.db " \
	"--keep-monthly 1 keeps the copy just made"

done_testing
