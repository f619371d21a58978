#!/bin/sh
# The short version of make check-fault's kill harness: every operation
# cron or a shell loop runs, killed at random moments (a seed from the
# clock, printed) and run again, at small sizes, must leave what an
# uninterrupted run leaves; and run again after an uninterrupted run, it
# must change nothing and say so.
set -u
: "${PM_BIN:?}" "${PM_TOP:?}"
seed=${PM_FAULT_SEED:-$(date +%s)}
rc=0
for spec in ingest:20000 run:300 issue:300 pay:300 late-fees:300 flush:300 dunning:60 rewards:100 expire:100 \
	contracts:12 units:500 meters:500 send:200 events:2000 overdue:100 sweep:9 paysync:3 gatesweep:20 schedule:50; do
	sh "$PM_TOP/tests/fault/kill.sh" "$PM_BIN/.." "${spec%%:*}" 2 "${spec#*:}" "$seed" || rc=1
done
exit $rc
