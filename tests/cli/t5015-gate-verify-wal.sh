#!/bin/sh
# pm-gate verify at a gate: a process a car or a visitor, each recording
# its use durably and leaving the WAL for a later writer (pm_db_brief).
# The WAL must stay short all the same: a process that opens the store
# alone rebuilds the WAL's index from the whole file, and SQLite's own
# autocheckpoint copied the frames without ever emptying it, so from the
# 16th call on each verify read the whole WAL, copied all of it again and
# synced twice more, and the WAL grew by a verify's frames every call.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
make_gate_community

run pm-gate visitor request --unit 1-1-0101 --name 刘洋 --from 2026-12-01T10:00:00+08:00 \
	--until 2026-12-01T18:00:00+08:00 --uses 0
run pm-gate visitor approve 1 --format jsonl
token=$(json_field token)

# Nothing else opens the store while the gate works: 60 calls, each a
# process of its own that the WAL outlives.
wal_max=0 denied=0 i=0
while [ $i -lt 60 ]; do
	PM_NOW=2026-12-01T10:30:00+08:00 pm-gate verify "$token" --gate north >/dev/null 2>&1 || denied=$((denied + 1))
	size=$(wc -c <"$PM_DB-wal")
	[ "$size" -gt "$wal_max" ] && wal_max=$size
	i=$((i + 1))
done
expect_eq "$denied" 0 "60 calls allowed"
# 64 frames of 4 KiB pages and their 24-byte headers, and the frames of
# the call that reached them (a verify writes four here): 68 at most.
frames=$(((wal_max - 32) / 4120))
expect_eq "$([ "$frames" -le 68 ] && echo short || echo "$frames frames")" short \
	"the WAL never holds more than 64 frames and a call's (at most $frames)"
expect_eq "$(sql 'SELECT used FROM visitor WHERE id = 1')" 60 "every use counted"
expect_eq "$(sql "SELECT count(*), min(result), max(result) FROM pass_use WHERE gate = 'north'")" "60|allow|allow" \
	"and recorded"
run pm check
expect_rc 0 "the store checks clean"
done_testing
