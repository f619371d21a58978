#!/bin/sh
# make bench: runs every tests/bench/*.sh but this one, in name order, each
# given the bin directory of the build in $1 (default build).
B=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$B/bin" && pwd) || exit 2
rc=0
for t in "$here"/*.sh; do
	[ "$(basename "$t")" = run.sh ] && continue
	echo "== $(basename "$t" .sh)"
	sh "$t" "$bin" || rc=1
done
exit $rc
