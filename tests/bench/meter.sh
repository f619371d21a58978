#!/bin/sh
# pm-meter against issue 4's targets, beside the sqlite3 shell in the same
# run: 50,000 meters x 100 readings as JSON lines (pm-meter ingest) and as
# CSV (.import --csv into a text table with UNIQUE(meter, ts)).
#   ingest rows/s >= 0.7 x the shell's (issue 18: >= 1.5 x); peak RSS
#   < 32 MiB; usage < 2 s.
# Usage: meter.sh BINDIR. PM_BENCH_SCALE=0.1 takes a tenth of the meters;
# PM_BENCH_PER sets the readings a meter (default 100).
set -eu
bin=$(cd "${1:-build/bin}" && pwd)
PATH="$bin:$PATH"
scale=${PM_BENCH_SCALE:-1}
meters=$(awk -v s="$scale" 'BEGIN { n = int(50000 * s); print n < 1 ? 1 : n }')
per=${PM_BENCH_PER:-100}
work=$(mktemp -d "${TMPDIR:-/tmp}/pm-bench-meter.XXXXXX")
trap 'rm -rf "$work"' EXIT
PM_DB="$work/pm.db"
export PATH PM_DB

now() { date +%s.%N; }
span() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%d", (s > 0 ? n / s : 0) }'; }

# Peak RSS in KiB of a command: GNU time when there is one, else the
# kernel's high-water mark read while the process lives. GNU time also
# writes its CPU seconds to OUTFILE.cpu (what a shared machine does not
# inflate as it does the clock).
peak() { # OUTFILE CMD...: runs CMD, peak KiB in OUTFILE
	_o=$1; shift
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%M %U %S' -o "$_o.all" "$@"
		awk '{ print $1 }' "$_o.all" >"$_o"
		awk '{ printf "%.2f\n", $2 + $3 }' "$_o.all" >"$_o.cpu"
		return
	fi
	"$@" &
	_p=$! _m=0
	while [ -r "/proc/$_p/status" ]; do
		_v=$(awk '/^VmHWM/ { print $2 }' "/proc/$_p/status" 2>/dev/null || true)
		[ -n "$_v" ] && [ "$_v" -gt "$_m" ] && _m=$_v
		sleep 0.05
	done
	wait "$_p"
	echo "$_m" >"$_o"
}

# Readings every 8 hours from 2026-10-01 00:00 (+08:00), in time order as a
# collector sends them; each meter climbs by its own step. More than 100 a
# meter begin that much earlier, so none is later than the 100th (and none
# in the future). civil() is the date of a day counted from 1970-01-01 (H.
# Hinnant's days_from_civil reversed), so any number of readings has dates.
t0=$(now)
awk -v meters="$meters" -v per="$per" -v dir="$work" -v day0=$((20727 - (per > 100 ? (per - 98) / 3 : 0))) '
function civil(z,   era, doe, yoe, y, doy, mp, d, m) {
	z += 719468; era = int(z / 146097); doe = z - era * 146097
	yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
	doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100)); mp = int((5 * doy + 2) / 153)
	d = doy - int((153 * mp + 2) / 5) + 1; m = mp < 10 ? mp + 3 : mp - 9; y = yoe + era * 400 + (m <= 2)
	return sprintf("%04d-%02d-%02d", y, m, d)
}
BEGIN {
	for (k = 1; k <= per; k++)
		ts[k] = sprintf("%sT%02d:00:00+08:00", civil(day0 + int((k - 1) / 3)), (k - 1) % 3 * 8)
	print "code,kind,serves,installed" > dir "/meters.csv"
	for (m = 1; m <= meters; m++)
		printf "M%06d,water,community,2026-01-01T00:00:00+08:00\n", m > dir "/meters.csv"
	for (k = 1; k <= per; k++) {
		t = ts[k]
		for (m = 1; m <= meters; m++) {
			v = m % 997 * 1000 + k * (m % 89 + 1) * 7
			printf "{\"meter\":\"M%06d\",\"ts\":\"%s\",\"value\":%d.%03d}\n", m, t, v / 1000, v % 1000 > dir "/readings.jsonl"
			printf "M%06d,%s,%d.%03d\n", m, t, v / 1000, v % 1000 > dir "/readings.csv"
		}
	}
}'
t1=$(now)
rows=$((meters * per))
echo "meter: generated $rows readings for $meters meters in $(span "$t0" "$t1") s"

pm init --community bench >/dev/null 2>&1
pm-meter import "$work/meters.csv" 2>/dev/null

t0=$(now)
peak "$work/rss" pm-meter ingest "$work/readings.jsonl" 2>"$work/ingest.err"
t1=$(now)
ingest_s=$(span "$t0" "$t1")
grep -q "inserted $rows\b\|$rows inserted" "$work/ingest.err" ||
	{ echo "meter: ingest did not insert $rows readings:" >&2; cat "$work/ingest.err" >&2; exit 1; }

sqlite3 "$work/base.db" 'CREATE TABLE reading (meter TEXT, ts TEXT, value, UNIQUE (meter, ts))'
t0=$(now)
sqlite3 "$work/base.db" ".import --csv $work/readings.csv reading"
t1=$(now)
import_s=$(span "$t0" "$t1")
[ "$(sqlite3 "$work/base.db" 'SELECT count(*) FROM reading')" -eq "$rows" ] ||
	{ echo "meter: the sqlite3 shell did not import $rows rows" >&2; exit 1; }

t0=$(now)
pm-meter usage --period 2026-10 --format jsonl >"$work/usage.jsonl"
t1=$(now)
usage_s=$(span "$t0" "$t1")
[ "$(wc -l <"$work/usage.jsonl")" -eq "$meters" ] ||
	{ echo "meter: usage printed $(wc -l <"$work/usage.jsonl") rows, want $meters" >&2; exit 1; }

ingest_r=$(rate "$rows" "$ingest_s")
import_r=$(rate "$rows" "$import_s")
rss=$(cat "$work/rss")
awk -v r="$rows" -v is="$ingest_s" -v ir="$ingest_r" -v bs="$import_s" -v br="$import_r" \
    -v rss="$rss" -v us="$usage_s" -v m="$meters" -v cpu="$(cat "$work/rss.cpu" 2>/dev/null || true)" 'BEGIN {
	ratio = (br > 0 ? ir / br : 0)
	printf "meter: pm-meter ingest   %d rows in %s s: %d rows/s\n", r, is, ir
	if (cpu != "")
		printf "meter: ingest CPU        %s s\n", cpu
	printf "meter: sqlite3 .import   %d rows in %s s: %d rows/s\n", r, bs, br
	printf "meter: ingest ratio      %.2f (target >= 0.70; issue 18: >= 1.50) %s %s\n", ratio,
		(ratio >= 0.7 ? "ok" : "MISSED"), (ratio >= 1.5 ? "ok" : "MISSED")
	printf "meter: ingest peak RSS   %.1f MiB (target < 32) %s\n", rss / 1024, (rss < 32768 ? "ok" : "MISSED")
	printf "meter: usage, %d meters  %s s (target < 2) %s\n", m, us, (us < 2 ? "ok" : "MISSED")
}'
