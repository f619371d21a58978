#!/bin/sh
# Kill harness: runs a long operation on a copy of a prepared store, kills
# it with SIGKILL at a random moment, runs it again to the end, and checks
# that `pm check` passes and that the business tables equal those of an
# uninterrupted run.
#
# Before the trials, the uninterrupted run's store is run again to the end:
# that must change nothing and say so (idempotence).
#
# usage: kill.sh BUILD OP TRIALS SIZE [SEED]   (BUILD: the build directory, build)
#   OP      ingest | run | issue | pay | late-fees | flush | dunning |
#           rewards | expire | contracts | units | meters | send | events |
#           overdue | sweep | paysync | gatesweep | schedule   (lib.sh's op)
#   SIZE    readings (ingest), units (run, issue, late-fees, dunning,
#           rewards, expire, overdue, sweep, paysync, gatesweep; to
#           import: units),
#           payments (pay), messages (flush, send), contracts, meters to
#           import (meters), gate events (events) or schedules (schedule)
#   SEED    seeds the moments of the kills (default: from the clock); it is
#           printed, and the same seed replays the same moments.
# PM_FAULT_BATCH=N gives ingest --batch N: above 500,000 a batch is written
# from runs of a temporary file merged, so kills land in that too.
# Output is TAP-like ("ok N - ..."), as tests/run.sh counts it; the exit
# status is 0 when every trial held.
set -u
[ $# -ge 4 ] || { echo "usage: kill.sh BUILD OP TRIALS SIZE [SEED]" >&2; exit 2; }
BIN=$(cd "$1/bin" && pwd) || exit 2
OP=$2 TRIALS=$3 SIZE=$4
SEED=${5:-$(date +%s)}
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/pm-fault.XXXXXX") || exit 2
. "$HERE/lib.sh"
trap 'fault_cleanup; rm -rf "$W"' EXIT
cd "$W" || exit 2
PATH="$BIN:$PATH"
LC_ALL=C.UTF-8 LANG=C.UTF-8
unset LANGUAGE PM_USER
# The business clock stands still, so that every time a run stores from it
# is the same in every trial; the audit keeps the real clock.
PM_NOW=2026-12-01T09:00:00+08:00
export PATH LC_ALL LANG PM_NOW

case $OP in
ingest | run | issue | pay | late-fees | flush | dunning | rewards | expire | contracts | units | meters | send | events | overdue | sweep | paysync | gatesweep | schedule) ;;
*) echo "kill.sh: unknown operation '$OP'" >&2; exit 2 ;;
esac
echo "# kill.sh $OP: $TRIALS trials, size $SIZE, seed $SEED (replay: sh tests/fault/kill.sh $1 $OP $TRIALS $SIZE $SEED)"

PM_DB="$W/base.db"; export PM_DB
"setup_$(echo "$OP" | tr - _)" "$SIZE" || { echo "not ok 1 - setting up $OP"; exit 1; }
# A store with no -wal beside it, so that a plain copy is the whole store;
# base.db.key, the audit key the store names, stays.
sqlite3 "$W/base.db" ".backup '$W/clean.db'" || exit 1
rm -f "$W/base.db-wal" "$W/base.db-shm"

fresh() { # DB: a copy of the prepared store, and an empty sink log
	rm -f "$1" "$1-wal" "$1-shm"
	[ -z "$_sink" ] || : >"$_sink/log"
	cp "$W/clean.db" "$1"
	chmod 600 "$1"
}

fresh "$W/ref.db"
PM_DB="$W/ref.db"; export PM_DB
t0=$(now_ms)
op >"$W/ref.out" 2>"$W/ref.err"; rc=$?
ref_ms=$(($(now_ms) - t0))
if [ $rc -ne "0" ]; then
	echo "not ok 1 - the uninterrupted $OP exits 0, not $rc: $(head -c 300 "$W/ref.err")"
	exit 1
fi
dump "$W/ref.db" >"$W/ref.dump" || { echo "not ok 1 - dumping the store"; exit 1; }
echo "# uninterrupted $OP: $ref_ms ms, $(wc -l <"$W/ref.dump") rows in the dump"
if nothing_new "$W/ref.out" "$W/ref.err"; then
	echo "not ok 1 - the uninterrupted $OP has work to do: $(head -c 300 "$W/ref.err")"
	exit 1
fi
# Idempotence: the same operation run again to the end changes nothing,
# and says that it did nothing.
cp "$W/ref.db" "$W/again.db" && chmod 600 "$W/again.db"
PM_DB="$W/again.db"
op >"$W/again.out" 2>"$W/again.err"; rc=$?
if [ $rc -ne "0" ]; then
	echo "not ok 1 - $OP run again exits 0, not $rc: $(head -c 300 "$W/again.err")"
	exit 1
fi
if ! dump "$W/again.db" >"$W/again.dump" || ! cmp -s "$W/ref.dump" "$W/again.dump"; then
	echo "not ok 1 - $OP run again changes nothing"
	diff "$W/ref.dump" "$W/again.dump" | head -20 | sed 's/^/#   /'
	exit 1
fi
if ! nothing_new "$W/again.out" "$W/again.err"; then
	echo "not ok 1 - $OP run again says it did nothing new"
	head -c 600 "$W/again.out" "$W/again.err" | sed 's/^/#   /'
	exit 1
fi

n=0 failed=0 killed_mid=0
report() { # OK DESC [DIAG]
	n=$((n + 1))
	if [ "$1" = 1 ]; then echo "ok $n - $2"; else
		failed=$((failed + 1)); echo "not ok $n - $2"
		[ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/#   /'
	fi
}

# The moments: uniform over the uninterrupted run's length, from the seed.
awk -v s="$SEED" -v n="$TRIALS" -v ms="$ref_ms" \
	'BEGIN { srand(s); for (i = 0; i < n; i++) printf "%d\n", int(rand() * ms) }' >"$W/moments"
i=0
while read -r at; do
	i=$((i + 1))
	fresh "$W/t.db"
	PM_DB="$W/t.db"
	op exec >/dev/null 2>"$W/killed.err" &
	pid=$!
	sleep "$(echo "$at" | awk '{ printf "%d.%03d", $1 / 1000, $1 % 1000 }')"
	if kill -9 "$pid" 2>/dev/null; then killed=yes; killed_mid=$((killed_mid + 1)); else killed=no; fi
	wait "$pid" 2>/dev/null
	op >"$W/t.out" 2>"$W/t.err"; rc=$?
	what="trial $i: killed at $at ms ($killed)"
	if [ $rc -ne "0" ]; then
		report 0 "$what: the re-run exits 0" "exit $rc: $(head -c 400 "$W/t.err")"
		continue
	fi
	if ! pm check >"$W/check.out" 2>&1; then
		report 0 "$what: pm check passes" "$(head -c 600 "$W/check.out")"
		continue
	fi
	if ! dump "$W/t.db" >"$W/t.dump"; then
		report 0 "$what: the store can be dumped"
		continue
	fi
	if ! cmp -s "$W/ref.dump" "$W/t.dump"; then
		report 0 "$what: the store equals an uninterrupted run's" "$(diff "$W/ref.dump" "$W/t.dump" | head -20)"
		continue
	fi
	if ! extra_ok; then
		report 0 "$what: $extra_what" "$extra_diag"
		continue
	fi
	report 1 "$what: pm check passes, the store equals an uninterrupted run's"
done <"$W/moments"
echo "# $OP: $n trials, $failed failed, $killed_mid killed while running, seed $SEED"
[ "$failed" -eq 0 ]
