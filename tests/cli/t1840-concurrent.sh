#!/bin/sh
# Many programs on one store at once: each leaves the -wal and -shm files
# to the others. Setting their group and mode must not drop the locks
# SQLite holds on the -shm (closing any descriptor of a file drops all of a
# process's POSIX locks on it), or another process resets the index under
# a reader and it dies of SIGBUS.
. "$PM_TOP/tests/cli/lib.sh"

run pm init --group staff
crashed=0 failed=0
for i in $(seq 1 40); do
	printf '{"code":"1-1-%d","area":"80","floor":1}\n' "$i" >"u$i.jsonl"
	pm unit import -q "u$i.jsonl" & a=$!
	pm unit list >/dev/null & b=$!
	pm check -q >/dev/null & c=$!
	pm audit --verify -q & d=$!
	for p in $a $b $c $d; do
		wait $p
		r=$?
		[ $r -ge 128 ] && crashed=$((crashed + 1))
		[ $r -ne 0 ] && failed=$((failed + 1))
	done
done 2>/dev/null
expect_eq "$crashed" "0" "160 programs four at a time: none killed by a signal"
expect_eq "$failed" "0" "and none failed"
expect_eq "$(sql "SELECT count(*) FROM unit")" "40" "every import is in"
run pm audit --verify
expect_rc 0 "and the audit chain holds"
done_testing
