#!/bin/sh
# pm-backup without a command runs 'run', as its help and man page say,
# whatever options come first: the shared ones (-q, -v, --db) may stand
# before run's own, as in every pm program, so a cron line
# `pm-backup -q --to DIR` works, and `pm-backup` alone copies the store
# into its own directory.
. "$PM_TOP/tests/cli/lib.sh"

run pm init
mkdir off
PM_NOW=2026-12-07T09:00:00+08:00 run pm-backup
expect_rc 0 "pm-backup alone"
expect_out '^\{"type":"backup","to":"[^"]*","name":"pm-20261207T010000Z.db","encrypted":false\}$' \
	"prints the copy it made"
expect_eq "$(ls pm-2* | tr '\n' ' ')" "pm-20261207T010000Z.db pm-20261207T010000Z.db.manifest " \
	"the copy and its manifest beside the store"

PM_NOW=2026-12-08T09:00:00+08:00 run pm-backup -q --to off
expect_rc 0 "pm-backup -q --to DIR, a cron line"
expect_eq "$(cat "$T/err")" "" "quiet: nothing on stderr"
expect_eq "$(ls off | tr '\n' ' ')" "pm-20261208T010000Z.db pm-20261208T010000Z.db.manifest " \
	"the copy went to DIR"

PM_NOW=2026-12-09T09:00:00+08:00 run pm-backup -v
expect_rc 0 "pm-backup -v"
expect_eq "$(ls pm-2*.db | tr '\n' ' ')" "pm-20261207T010000Z.db pm-20261209T010000Z.db " \
	"a second copy beside the store"

PM_NOW=2026-12-10T09:00:00+08:00 run pm-backup --db "$T/pm.db" -q --to "file://$T/off" --keep-daily 1
expect_rc 0 "--db, -q, then run's options with values"
expect_eq "$(ls off | grep -v manifest | tr '\n' ' ')" "pm-20261210T010000Z.db " "run's retention applied"

PM_NOW=2026-12-11T09:00:00+08:00 run pm-backup -q run --to off
expect_rc 0 "a shared option before 'run' named"
expect_eq "$(ls off | grep -c '^pm-20261211T010000Z.db$')" "1" "its copy made"

run pm-backup -q --no-such-option
expect_rc 2 "an option neither shared nor run's is still a usage error"
expect_err "^pm-backup: bad option '--no-such-option'" "naming it"
run pm-backup -q nothing
expect_rc 2 "a word that is no command is still a usage error"
expect_err "^pm-backup: unknown command 'nothing'" "naming it"
expect_eq "$(ls off | grep -v manifest | wc -l)" "2" "neither made a copy"

done_testing
