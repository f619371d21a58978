#!/bin/sh
# make check-fault: the kill harness over every operation cron or a shell
# loop runs (the long ones at the sizes of issue 17), then the I/O-fault
# and busy-store tests.
#   run.sh BUILD [TRIALS] [SEED]
# PM_FAULT_OPS picks operations (default all); PM_FAULT_SCALE divides the
# sizes (10 gives a tenth), for a quicker look.
set -u
B=${1:-build} TRIALS=${2:-50} SEED=${3:-$(date +%s)}
here=$(cd "$(dirname "$0")" && pwd)
scale=${PM_FAULT_SCALE:-1}
failed= t0=$(date +%s)
for spec in ingest:1000000 run:20000 issue:20000 pay:50000 late-fees:20000 flush:5000 dunning:20000 \
	rewards:20000 expire:20000 contracts:2000 units:50000 meters:50000 send:50000 events:200000 \
	overdue:20000 sweep:1000 paysync:100 gatesweep:2000 schedule:500; do
	op=${spec%%:*} size=$((${spec#*:} / scale))
	case " ${PM_FAULT_OPS:-$op} " in *" $op "*) ;; *) continue ;; esac
	s=$(date +%s)
	sh "$here/kill.sh" "$B" "$op" "$TRIALS" "$size" "$SEED" || failed="$failed $op"
	echo "# $op: $(($(date +%s) - s)) s"
done
for t in "$here"/t*.sh; do
	[ -f "$t" ] || continue
	PM_BIN="$B/bin" PM_TOP="$here/../.." sh "$t" || failed="$failed $(basename "$t" .sh)"
done
echo "# check-fault: $(($(date +%s) - t0)) s, seed $SEED${failed:+, failing:$failed}"
[ -z "$failed" ]
