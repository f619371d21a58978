#!/bin/sh
# Start-up and unit import, each beside the sqlite3 shell doing the same in
# the same run, so the ratios hold on a noisy machine.
# Usage: startup.sh BINDIR
set -eu
bin=$(cd "${1:?usage: startup.sh BINDIR}" && pwd)
pm=$bin/pm
work=$(mktemp -d "${TMPDIR:-/tmp}/pm-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
unset PM_USER PM_NOW
PM_DB=$work/demo.db
export PM_DB
N=1000

now() { date +%s%N; }

# ns / N / 1e6 as milliseconds with two decimals
per_start() { awk -v ns="$1" -v n="$N" 'BEGIN { printf "%.2f", ns / n / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# A store the size of the demo: 3 buildings x 2 entrances x 18 floors x 4.
"$pm" init -q --community 基准小区
awk 'BEGIN { for (b = 1; b <= 3; b++) for (e = 1; e <= 2; e++) for (f = 1; f <= 18; f++) for (r = 1; r <= 4; r++)
	printf "{\"code\":\"%d-%d-%d%02d\",\"area\":\"%d.%02d\",\"status\":\"occupied\"}\n", b, e, f, r, 60 + (b * 37 + f * 11 + r * 23) % 100, (f * r) % 100 }' >"$work/demo.jsonl"
"$pm" unit import -q "$work/demo.jsonl"
"$pm" unit show 3-2-1101 >/dev/null

loop() { # CMD...: runs it N times, prints the nanoseconds taken
	i=0 t0=$(now)
	while [ $i -lt $N ]; do
		"$@" >/dev/null
		i=$((i + 1))
	done
	echo $(($(now) - t0))
}

min() { [ -z "$1" ] || [ "$2" -lt "$1" ] && echo "$2" || echo "$1"; }

# The machine is shared: each loop runs in three rounds, interleaved so a
# busy spell hits all three commands alike, and the fastest round counts.
t_sql= t_ver= t_show=
for round in 1 2 3; do
	t_sql=$(min "$t_sql" "$(loop sqlite3 "$PM_DB" 'select count(*) from unit')")
	t_ver=$(min "$t_ver" "$(loop "$pm" --version)")
	t_show=$(min "$t_show" "$(loop "$pm" unit show 3-2-1101)")
done
ms_sql=$(per_start "$t_sql")
echo "start-up, $N starts each, best of 3 rounds (ms per start):"
printf '  %-44s %6s ms\n' "sqlite3 STORE 'select count(*) from unit'" "$ms_sql"
printf '  %-44s %6s ms  ratio %s\n' "pm --version" "$(per_start "$t_ver")" "$(ratio "$t_ver" "$t_sql")"
printf '  %-44s %6s ms  ratio %s\n' "pm unit show 3-2-1101" "$(per_start "$t_show")" "$(ratio "$t_show" "$t_sql")"
echo "  (target: ratio <= 1.00)"

# 100,000 units: JSON lines for pm, the same rows as CSV for the shell.
ROWS=100000
awk -v j="$work/units.jsonl" -v c="$work/units.csv" 'BEGIN {
	for (b = 1; b <= 100; b++) for (e = 1; e <= 10; e++) for (f = 1; f <= 25; f++) for (r = 1; r <= 4; r++) {
		code = sprintf("%d-%d-%d%02d", b, e, f, r)
		area = sprintf("%d.%02d", 60 + (b * 37 + f * 11 + r * 23) % 100, (f * r) % 100)
		printf "{\"code\":\"%s\",\"area\":\"%s\",\"use\":\"residential\",\"status\":\"occupied\",\"floor\":%d,\"delivered\":\"2020-06-30\"}\n", code, area, f > j
		printf "%s,%s,residential,occupied,%d,2020-06-30\n", code, area, f > c
	}
}'

rss() { # FILE CMD...: runs CMD, peak RSS in kB to FILE
	out=$1; shift
	if [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1; then
		/usr/bin/time -f %M -o "$out" "$@"
	else
		"$@" &
		p=$! hwm=0
		while kill -0 $p 2>/dev/null; do
			h=$(sed -n 's/^VmHWM:[^0-9]*\([0-9]*\).*/\1/p' /proc/$p/status 2>/dev/null || true)
			[ -n "$h" ] && hwm=$h
			sleep 0.05
		done
		wait $p
		echo "$hwm" >"$out"
	fi
}

PM_DB=$work/import.db
"$pm" init -q
t0=$(now)
rss "$work/rss-pm" "$pm" unit import -q "$work/units.jsonl"
t_pm=$(($(now) - t0))
got=$(sqlite3 "$PM_DB" 'select count(*) from unit')
[ "$got" = $ROWS ] || { echo "startup.sh: pm imported $got units, not $ROWS" >&2; exit 1; }

sqlite3 "$work/shell.db" 'CREATE TABLE unit (code TEXT NOT NULL UNIQUE, area TEXT NOT NULL,
	use TEXT NOT NULL, status TEXT NOT NULL, floor INTEGER NOT NULL, delivered TEXT)'
t0=$(now)
rss "$work/rss-sql" sqlite3 "$work/shell.db" ".import --csv $work/units.csv unit"
t_csv=$(($(now) - t0))
got=$(sqlite3 "$work/shell.db" 'select count(*) from unit')
[ "$got" = $ROWS ] || { echo "startup.sh: sqlite3 imported $got rows, not $ROWS" >&2; exit 1; }

rps() { awk -v n=$ROWS -v ns="$1" 'BEGIN { printf "%.0f", n / (ns / 1e9) }'; }
echo "unit import, $ROWS units (rows/s, peak RSS):"
printf '  %-44s %8s rows/s  %6s kB\n' "sqlite3 .import --csv (UNIQUE code)" "$(rps "$t_csv")" "$(cat "$work/rss-sql")"
printf '  %-44s %8s rows/s  %6s kB  ratio %s\n' "pm unit import (JSON lines)" "$(rps "$t_pm")" "$(cat "$work/rss-pm")" \
	"$(ratio "$t_csv" "$t_pm")"
echo "  (ratio: pm rows/s over sqlite3 rows/s)"
