#!/bin/sh
# Red team: pm backup onto a full disk said "cannot copy to 'bk.db':
# database or disk is full" (exit 73, as a file that cannot be made), or,
# when the write that failed was a sync or the copy's WAL index, "cannot
# finish 'bk.db': disk I/O error": SQLite's words, the cause hidden. The
# copy is now written so that only its pages and its one sync can fail,
# and a full disk is said as one, naming the file, exit 74; nothing of the
# copy is left. tests/fault/failio.c fails every write and sync after the
# first N with ENOSPC, for each N over the whole backup.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/fault/failio.sh"
export PM_NOW=2026-12-01T09:00:00+08:00

run pm init
awk 'BEGIN { for (i = 0; i < 200; i++) printf "{\"code\":\"1-1-%d\",\"area\":\"%d.50\"}\n", 1000 + i, 50 + i }' >u.jsonl
run pm unit import u.jsonl
expect_rc 0 "a community of 200 units"

PM_FAILIO_COUNT=$T/count LD_PRELOAD=$SO pm backup bk.db 2>/dev/null
expect_eq "$?:$(sqlite3 bk.db 'SELECT count(*) FROM unit')" "0:200" "an unbroken backup"
total=$(cat count)
rm -f bk.db bk.db.manifest

odd= full=0 first=
n=0
while [ $n -lt "$total" ]; do
	PM_FAILIO_AFTER=$n LD_PRELOAD=$SO pm backup bk.db >out 2>err; rc=$?
	left=$(ls | grep '^bk\.db')
	case "$rc:$(cat err)" in
	"74:pm: cannot write 'bk.db': No space left on device")
		full=$((full + 1)); [ -n "$first" ] || first=$n ;;
	"74:pm: cannot read the store: disk I/O error")
		# The store's own WAL index, written as it is opened, before
		# any of the copy: the store's disk, not the copy's.
		[ -z "$first" ] || odd="$odd
N=$n: the store failed after the copy had begun" ;;
	*) odd="$odd
N=$n: exit $rc: $(head -c 200 err)" ;;
	esac
	[ -z "$left" ] || odd="$odd
N=$n: left $left"
	rm -f bk.db*
	n=$((n + 1))
done
expect_eq "$odd" "" "every write of the copy that fails says the disk is full, naming the file, exit 74, leaving nothing"
expect_eq "$([ -n "$first" ] && [ $((total - first)) -eq "$full" ] && [ "$full" -gt 50 ] && echo yes)" yes \
	"from the copy's first write to its sync ($full of $total writes)"
expect_eq "$(PM_FAILIO_AFTER=$((total - 1)) LD_PRELOAD=$SO pm backup bk.db 2>&1; echo "exit $?")" \
	"pm: cannot write 'bk.db': No space left on device
exit 74" "its last, the sync"
expect_eq "$(ls | grep -c 'bk\.db')" 0 "leaves no part of the copy"
done_testing
