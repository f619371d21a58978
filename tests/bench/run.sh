#!/bin/sh
# make bench: runs every tests/bench/*.sh but this one, lib.sh (what
# the others source) and scale.sh (make bench-scale), in name order, each
# given the bin directory of the build in $1 (default build).
B=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$B/bin" && pwd) || exit 2
rc=0
for t in "$here"/*.sh; do
	case $(basename "$t") in run.sh | lib.sh | scale.sh) continue ;; esac
	echo "== $(basename "$t" .sh)"
	sh "$t" "$bin" || rc=1
done
exit $rc
