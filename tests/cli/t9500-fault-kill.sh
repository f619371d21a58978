#!/bin/sh
# The short version of make check-fault's kill harness: every long
# operation killed at random moments (a seed from the clock, printed) and
# run again, at small sizes, must leave what an uninterrupted run leaves.
set -u
: "${PM_BIN:?}" "${PM_TOP:?}"
seed=${PM_FAULT_SEED:-$(date +%s)}
rc=0
for spec in ingest:20000 run:300 issue:300 pay:300 late-fees:300 flush:300; do
	sh "$PM_TOP/tests/fault/kill.sh" "$PM_BIN/.." "${spec%%:*}" 2 "${spec#*:}" "$seed" || rc=1
done
exit $rc
