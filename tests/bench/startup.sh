#!/bin/sh
# Start-up and unit import, each beside the sqlite3 shell doing the same in
# the same run, so the ratios hold on a noisy machine (issue 18):
#   pm unit show         <= 0.8 x sqlite3 STORE 'select count(*) from unit'
#   pm-repair submit     <= 1.2 x sqlite3 STORE 'INSERT INTO ticket ...' (one
#                        row, the same synchronous=FULL commit)
# Usage: startup.sh BINDIR
set -eu
bin=$(cd "${1:?usage: startup.sh BINDIR}" && pwd)
. "$(dirname "$0")/lib.sh"
pm=$bin/pm
work=$(mktemp -d "${TMPDIR:-/tmp}/pm-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
unset PM_USER PM_NOW
PM_DB=$work/demo.db
export PM_DB
N=${PM_BENCH_STARTS:-1000}

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
# A repair section without the dedupe window, so each submit is a ticket.
cat >"$work/pm.yaml" <<'Y'
effective: 2026-01-01
community:
  name: 基准小区
repair:
  dedupe_window: 0s
  categories:
    - {name: noise, label: 噪音投诉, kind: complaint, priority: normal}
Y
"$pm" config apply -q "$work/pm.yaml"

loop() { # CMD...: runs it N times, prints the nanoseconds taken and the CPU milliseconds used
	cpu_now c0
	i=0 t0=$(now)
	while [ $i -lt $N ]; do
		"$@" >/dev/null
		i=$((i + 1))
	done
	t1=$(now)
	cpu_now c1
	echo $((t1 - t0)) $((c1 - c0))
}

min() { [ -z "$1" ] || [ "$2" -lt "$1" ] && echo "$2" || echo "$1"; }
verdict() { # A B MAX: ok when A / B <= MAX
	awk -v a="$1" -v b="$2" -v m="$3" 'BEGIN { print a / b <= m ? "ok" : "MISSED" }'
}
at_least() { # A B MIN: ok when A / B >= MIN
	awk -v a="$1" -v b="$2" -v m="$3" 'BEGIN { print (a / b >= m) ? "ok" : "MISSED" }'
}

# One ticket as the shell writes it: the row pm-repair submit makes.
insert="INSERT INTO ticket (kind, category, priority, status, unit_id, text, submitted_by, business_hours,
	accept_budget, resolve_budget, submitted_at, created_at, updated_at)
	VALUES ('complaint', 'noise', 'normal', 'submitted', 1, '噪音', 'bench', 0, 7200, 259200,
	unixepoch(), unixepoch(), unixepoch())"

# The machine is shared: each loop runs in three rounds, interleaved so a
# busy spell hits all the commands alike, and the fastest round counts.
# The CPU time of each is kept apart, also the fastest of three.
t_sql= t_ver= t_show= t_ins= t_sub= c_sql= c_ver= c_show= c_ins= c_sub=
run() { # NAME CMD...
	name=$1
	shift
	set -- $(loop "$@")
	eval "t_$name=\$(min \"\$t_$name\" $1) c_$name=\$(min \"\$c_$name\" $2)"
}
for round in 1 2 3; do
	run sql sqlite3 "$PM_DB" 'select count(*) from unit'
	run ver "$pm" --version
	run show "$pm" unit show 3-2-1101
	run ins sqlite3 "$PM_DB" "$insert"
	run sub "$bin/pm-repair" -q submit --unit 3-2-1101 --category noise --text 噪音
done
tickets=$(sqlite3 "$PM_DB" "SELECT count(*) FROM ticket WHERE submitted_by <> 'bench'")
[ "$tickets" = $((3 * N)) ] || { echo "startup.sh: pm-repair submit made $tickets tickets, not $((3 * N))" >&2; exit 1; }
ms_sql=$(per_start "$t_sql")
echo "start-up, $N starts each, best of 3 rounds (ms per start):"
printf '  %-44s %6s ms\n' "sqlite3 STORE 'select count(*) from unit'" "$ms_sql"
printf '  %-44s %6s ms  ratio %s\n' "pm --version" "$(per_start "$t_ver")" "$(ratio "$t_ver" "$t_sql")"
printf '  %-44s %6s ms  ratio %s (target <= 0.80: %s)\n' "pm unit show 3-2-1101" "$(per_start "$t_show")" \
	"$(ratio "$t_show" "$t_sql")" "$(verdict "$t_show" "$t_sql" 0.8)"
printf '  %-44s %6s ms\n' "sqlite3 STORE 'INSERT INTO ticket ...'" "$(per_start "$t_ins")"
printf '  %-44s %6s ms  ratio %s (target <= 1.20: %s)\n' "pm-repair submit" "$(per_start "$t_sub")" \
	"$(ratio "$t_sub" "$t_ins")" "$(verdict "$t_sub" "$t_ins" 1.2)"
cpu() { awk -v c="$1" -v n="$N" 'BEGIN { printf "%.2f", c / n }'; }
echo "start-up in CPU time, the same rounds (ms per start):"
printf '  %-44s %6s ms\n' "sqlite3 STORE 'select count(*) from unit'" "$(cpu "$c_sql")"
printf '  %-44s %6s ms  ratio %s\n' "pm --version" "$(cpu "$c_ver")" "$(ratio "$c_ver" "$c_sql")"
printf '  %-44s %6s ms  ratio %s (target <= 0.80: %s)\n' "pm unit show 3-2-1101" "$(cpu "$c_show")" \
	"$(ratio "$c_show" "$c_sql")" "$(verdict "$c_show" "$c_sql" 0.8)"
printf '  %-44s %6s ms\n' "sqlite3 STORE 'INSERT INTO ticket ...'" "$(cpu "$c_ins")"
printf '  %-44s %6s ms  ratio %s (target <= 1.20: %s)\n' "pm-repair submit" "$(cpu "$c_sub")" \
	"$(ratio "$c_sub" "$c_ins")" "$(verdict "$c_sub" "$c_ins" 1.2)"

# The same starts in instructions, one each.
i_sql=$(instr sqlite3 "$PM_DB" 'select count(*) from unit')
i_show=$(instr "$pm" unit show 3-2-1101)
i_ins=$(instr sqlite3 "$PM_DB" "$insert")
i_sub=$(instr "$bin/pm-repair" -q submit --unit 3-2-1101 --category noise --text 噪音)
echo "start-up in instructions (millions, callgrind):"
printf '  %-44s %6s M\n' "sqlite3 STORE 'select count(*) from unit'" "$i_sql"
printf '  %-44s %6s M  ratio %s\n' "pm unit show 3-2-1101" "$i_show" "$(iratio "$i_show" "$i_sql")"
printf '  %-44s %6s M\n' "sqlite3 STORE 'INSERT INTO ticket ...'" "$i_ins"
printf '  %-44s %6s M  ratio %s\n' "pm-repair submit" "$i_sub" "$(iratio "$i_sub" "$i_ins")"

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

# The floor of an import: the rows pm stores for it (buildings,
# entrances, units and the audit's note of each unit touched), copied by
# the shell into a new store in one transaction, in the order pm wrote
# them, row by row ("WHERE true" keeps SQLite from copying an empty
# table's b-trees whole, the transfer optimization of INSERT ... SELECT
# *). pm writes these and more (the audit record, the change feed).
floor_copy() {
	sqlite3 "$work/floor.db" "PRAGMA synchronous = FULL; ATTACH '$work/import.db' AS s; BEGIN;
		INSERT INTO building SELECT * FROM s.building WHERE true;
		INSERT INTO entrance SELECT * FROM s.entrance WHERE true;
		INSERT INTO unit SELECT * FROM s.unit WHERE true;
		INSERT INTO audit_touch SELECT * FROM s.audit_touch WHERE true; COMMIT"
}

# Each import a third of a second: three rounds, interleaved, the fastest
# of each counts (as the starts above).
t_pm= t_csv= t_floor=
for round in 1 2 3; do
	rm -f "$work"/import.db* "$work"/shell.db* "$work"/floor.db*
	PM_DB=$work/import.db "$pm" init -q
	t0=$(now)
	PM_DB=$work/import.db rss "$work/rss-pm" "$pm" unit import -q "$work/units.jsonl"
	t_pm=$(min "$t_pm" $(($(now) - t0)))
	got=$(sqlite3 "$work/import.db" 'select count(*) from unit')
	[ "$got" = $ROWS ] || { echo "startup.sh: pm imported $got units, not $ROWS" >&2; exit 1; }

	sqlite3 "$work/shell.db" 'CREATE TABLE unit (code TEXT NOT NULL UNIQUE, area TEXT NOT NULL,
		use TEXT NOT NULL, status TEXT NOT NULL, floor INTEGER NOT NULL, delivered TEXT)'
	t0=$(now)
	rss "$work/rss-sql" sqlite3 "$work/shell.db" ".import --csv $work/units.csv unit"
	t_csv=$(min "$t_csv" $(($(now) - t0)))
	got=$(sqlite3 "$work/shell.db" 'select count(*) from unit')
	[ "$got" = $ROWS ] || { echo "startup.sh: sqlite3 imported $got rows, not $ROWS" >&2; exit 1; }

	PM_DB=$work/floor.db "$pm" init -q
	t0=$(now)
	floor_copy
	t_floor=$(min "$t_floor" $(($(now) - t0)))
	got=$(sqlite3 "$work/floor.db" "SELECT count(*) FROM unit JOIN audit_touch ON object = 'unit:' || code")
	[ "$got" = $ROWS ] || { echo "startup.sh: the floor's copy has $got units touched, not $ROWS" >&2; exit 1; }
done

rps() { awk -v n=$ROWS -v ns="$1" 'BEGIN { printf "%.0f", n / (ns / 1e9) }'; }
echo "unit import, $ROWS units, best of 3 rounds (rows/s, peak RSS):"
printf '  %-44s %8s rows/s  %6s kB\n' "sqlite3 .import --csv (UNIQUE code)" "$(rps "$t_csv")" "$(cat "$work/rss-sql")"
printf '  %-44s %8s rows/s  %6s kB  ratio %s (target >= 0.70: %s)\n' "pm unit import (JSON lines)" "$(rps "$t_pm")" \
	"$(cat "$work/rss-pm")" "$(ratio "$t_csv" "$t_pm")" "$(at_least "$t_csv" "$t_pm" 0.7)"
printf '  %-44s %8s rows/s          ratio %s\n' "floor: sqlite3 copying the rows pm stores" "$(rps "$t_floor")" \
	"$(ratio "$t_csv" "$t_floor")"
echo "  (ratio: rows/s over sqlite3 .import's rows/s; the floor's is the most any import storing those rows can reach)"
