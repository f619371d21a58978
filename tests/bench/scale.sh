#!/bin/sh
# make bench-scale: how cost grows with size (issue 18, "Growth"). Each
# row gives seconds, rows a second and peak RSS; the rate should stay
# within 25% from the smallest size to the largest, and memory flat.
#   pm-bill run       10,000, 100,000 and 400,000 units (bill.sh)
#   pm-meter ingest   1 M, 5 M and 20 M readings of 50,000 meters, 20,
#                     100 and 400 each (meter.sh): a store grows in
#                     readings a meter; then, not judged, 20 M readings
#                     of 200,000 meters, 100 each (the community grown)
#   pm-meter usage    a month of hourly readings of 10,000 meters, on a
#                     store holding 1 and 3 years of them
# PM_BENCH_SCALE multiplies every size (0.1: 1,000 to 40,000 units,
# 100,000 to 2 M readings), so the growth can be seen on a small machine.
# Usage: scale.sh BINDIR
set -eu
bin=$(cd "${1:?usage: scale.sh BINDIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
PATH="$bin:$PATH"
scale=${PM_BENCH_SCALE:-1}
dir=$(mktemp -d "${TMPDIR:-/tmp}/pm-bench-scale.XXXXXX")
trap 'rm -rf "$dir"' EXIT
export PATH

n_of() { awk -v n="$1" -v s="$scale" 'BEGIN { v = int(n * s); print v < 1 ? 1 : v }'; }
now() { date +%s.%N; }

# row WORK SIZE SECONDS CPU MIB: one line of the table, its rate by CPU
# time (what other programs on the cores do not inflate), and the rate
# kept for the spread.
row() {
	printf '| %s | %s | %.2f | %.2f | %.0f | %.1f |\n' "$1" "$2" "$3" "$4" \
		"$(awk -v n="$2" -v c="$4" 'BEGIN { print (c > 0 ? n / c : 0) }')" "$5"
	awk -v n="$2" -v c="$4" 'BEGIN { print (c > 0 ? n / c : 0) }' >>"$dir/rates.$6"
	echo "$5" >>"$dir/mib.$6"
}

# spread KEY WHAT: the smallest and largest rate and memory of KEY's rows.
spread() {
	awk -v what="$2" 'NR == FNR { r[++n] = $1; next } { m[++k] = $1 } END {
		d = (r[1] > 0 ? (r[n] - r[1]) / r[1] * 100 : 0)
		printf "%s: rate %+.0f%% from the smallest to the largest (within 25%%: %s), peak RSS %.1f -> %.1f MiB\n",
			what, d, (d >= -25 && d <= 25 ? "ok" : "MISSED"), m[1], m[k]
	}' "$dir/rates.$1" "$dir/mib.$1"
}

echo "scale: PM_BENCH_SCALE=$scale on $(nproc) cores, $(uname -srm), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| work | rows | s | CPU s | rows / CPU s | peak MiB |"
echo "|---|---|---|---|---|---|"

# pm-bill run: bill.sh makes the community and prints
# "pm-bill run:   E s (C s CPU), M MiB".
for units in 10000 100000 400000; do
	n=$(n_of $units)
	PM_BENCH_SCALE=$(awk -v n="$n" 'BEGIN { print n / 100000 }') sh "$here/bill.sh" "$bin" >"$dir/bill.out"
	set -- $(sed -n 's/^  pm-bill run: *\([0-9.]*\) s (\([0-9.]*\) s CPU), \([0-9.]*\) MiB.*/\1 \2 \3/p' "$dir/bill.out")
	[ $# -eq 3 ] || { echo "scale.sh: bill.sh printed no run figure:" >&2; cat "$dir/bill.out" >&2; exit 1; }
	row "pm-bill run, units" "$n" "$1" "$2" "$3" bill
done

# pm-meter ingest: meter.sh ingests PM_BENCH_PER readings (default 100)
# for each of 50,000 meters at its scale 1. ingest_row PER SCALE KEY.
ingest_row() {
	_m=$(awk -v s="$2" 'BEGIN { n = int(50000 * s); print n < 1 ? 1 : n }')
	PM_BENCH_PER=$1 PM_BENCH_SCALE=$2 TMPDIR=$dir sh "$here/meter.sh" "$bin" >"$dir/meter.out"
	set -- $(sed -n 's/^meter: pm-meter ingest *\([0-9]*\) rows in \([0-9.]*\) s.*/\1 \2/p' "$dir/meter.out") \
		$(sed -n 's/^meter: ingest CPU *\([0-9.]*\) s.*/\1/p' "$dir/meter.out") \
		$(sed -n 's/^meter: ingest peak RSS *\([0-9.]*\) MiB.*/\1/p' "$dir/meter.out") "$3"
	[ $# -eq 5 ] || { echo "scale.sh: meter.sh printed no ingest figure:" >&2; cat "$dir/meter.out" >&2; exit 1; }
	row "pm-meter ingest, readings of $_m meters" "$1" "$2" "$3" "$4" "$5"
}
for per in 20 100 400; do
	ingest_row $per "$scale" ingest
	sed -n 's/^meter: \(ingest ratio.*\)/  (\1)/p' "$dir/meter.out" >>"$dir/notes"
done
ingest_row 100 "$(awk -v s="$scale" 'BEGIN { print 4 * s }')" grown
echo "  (the last ingest row is the community grown fourfold, 100 readings a meter: not judged)" >>"$dir/notes"

# pm-meter usage on a store of hourly readings of 10,000 water meters for
# 1 and 3 years (written straight into the store, as report.sh does:
# ingestion is measured above), a month's usage.
meters=$(n_of 10000)
for years in 1 3; do
	PM_DB=$dir/usage$years.db
	export PM_DB
	pm init -q --community 规模
	awk -v n="$meters" 'BEGIN { for (m = 1; m <= n; m++)
		printf "{\"code\":\"M%06d\",\"kind\":\"water\",\"serves\":\"community\",\"installed\":\"2023-01-01T00:00:00+08:00\"}\n", m }' \
		>"$dir/meters.jsonl"
	pm-meter import -q "$dir/meters.jsonl"
	# An hour is 3,600 s; the readings end on 2026-01-01T00:00+08:00.
	sqlite3 "$PM_DB" "WITH RECURSIVE h(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM h WHERE i < $years * 8760 - 1)
		INSERT INTO reading (meter_id, ts, value)
		SELECT m.id, 1767196800 - ($years * 8760 - h.i) * 3600, h.i * (m.id % 7 + 1)
		FROM meter m, h ORDER BY m.id, h.i"
	rows=$(sqlite3 "$PM_DB" 'SELECT count(*) FROM reading')
	t0=$(now)
	/usr/bin/time -f '%U %S %M' -o "$dir/usage.time" pm-meter usage --period 2025-12 --format jsonl >"$dir/usage.jsonl"
	t=$(echo "$(now) - $t0" | bc)
	[ "$(wc -l <"$dir/usage.jsonl")" -eq "$meters" ] ||
		{ echo "scale.sh: usage printed $(wc -l <"$dir/usage.jsonl") rows, want $meters" >&2; exit 1; }
	set -- $(cat "$dir/usage.time")
	row "pm-meter usage, $years year(s) of $rows readings: meters" "$meters" "$t" \
		"$(echo "$1 + $2" | bc)" "$(echo "scale=1; $3 / 1024" | bc)" usage
	rm -f "$PM_DB"
done

echo
spread bill "pm-bill run"
spread ingest "pm-meter ingest (20 to 400 readings a meter)"
spread usage "pm-meter usage (1 to 3 years)"
cat "$dir/notes"
