#!/bin/sh
# pm-rollup bench: loading the change feeds of 20 communities (PM_BENCH_SCALE
# 1: a year of 100,000 bills each, 2 M in all, and 2.5 M readings each, a
# meter's day rolled up to one reading, 50 M in all; 0.1 a tenth) into
# PostgreSQL, beside psql's \copy of the same rows into a table like
# rollup_row, in the same server and run. Target: pm-rollup load at no
# less than 0.5x \copy's rate (a community's first load is one COPY
# straight into rollup_row, in one transaction with its cursor).
#
# The feeds are pm export's: one community's store, its bills and
# readings written straight into it by sqlite3 (making them is bill.sh's
# and meter.sh's to measure), exported from 0, timed and its peak RSS
# taken; then that export under 20 store ids.
# Needs root (PostgreSQL runs as an unprivileged account, made and removed
# here), Debian's postgresql and GNU time (for the peak RSS, else "-").
# Usage: rollup.sh BINDIR
set -eu
bin=$(cd "${1:?usage: rollup.sh BINDIR}" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
PATH="$bin:$PATH"
LC_ALL=C
export LC_ALL
scale=${PM_BENCH_SCALE:-1}
bills=$(awk -v s="$scale" 'BEGIN { printf "%d", 100000 * s }')
readings=$(awk -v s="$scale" 'BEGIN { printf "%d", 2500000 * s }')
pgbin=/usr/lib/postgresql/15/bin
account=pmbench
dir=$(mktemp -d)
made=
cleanup() {
	setpriv --reuid=$account --regid="$(id -g $account)" --clear-groups \
		"$pgbin/pg_ctl" -D "$dir/pg/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$dir"
	[ -z "$made" ] || userdel $account 2>/dev/null || true
}
trap cleanup EXIT
if [ "$(id -u)" != 0 ] || [ ! -x "$pgbin/initdb" ]; then
	echo "rollup bench: skipped (needs root and $pgbin)"
	exit 0
fi
getent passwd $account >/dev/null || { useradd -r -M -N -d / -s /usr/sbin/nologin $account && made=1; }
pgas() { setpriv --reuid=$account --regid="$(id -g $account)" --clear-groups "$@"; }
now() { date +%s.%N; }
span() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
# timed FILE CMD...: CMD with its wall seconds and peak RSS (KiB) in FILE.
timed() {
	out=$1
	shift
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%e %M' -o "$out" "$@"
	else
		t=$(now)
		"$@"
		echo "$(span "$t" "$(now)") -" >"$out"
	fi
}
mib() { awk -v k="$1" 'BEGIN { if (k == "-") print "-"; else printf "%.1f MiB", k / 1024 }'; }

# One community's year, written straight into its store.
t0=$(now)
PM_DB=$dir/store.db
export PM_DB
PM_NOW=2026-01-01T09:00:00+08:00 pm init -q --community 基准小区
sqlite3 "$PM_DB" <<SQL
BEGIN;
WITH RECURSIVE b(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM b WHERE n < $bills)
INSERT INTO bill (id, code, unit_id, period, status, config_version, total_fen, paid_fen, due, issued_at,
		  created_at, updated_at)
SELECT n, printf('B-2026-%02d-%d', (n - 1) % 12 + 1, n), (n - 1) / 12 + 1, printf('2026-%02d', (n - 1) % 12 + 1),
       'paid', 1, 10000 + n % 5000, 10000 + n % 5000, printf('2026-%02d-15', (n - 1) % 12 + 1), 1796000000,
       1796000000, 1796000000 FROM b;
WITH RECURSIVE r(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM r WHERE n < $readings - 1)
INSERT INTO reading (meter_id, ts, value) SELECT n % 6850 + 1, 1767196800 + n / 6850 * 86400, n * 7 FROM r;
COMMIT;
SQL
store_s=$(span "$t0" "$(now)")
timed "$dir/export.time" pm export --format jsonl >"$dir/feed.jsonl"
read -r export_s export_kib <"$dir/export.time"
store=$(tail -n 1 "$dir/feed.jsonl" | sed 's/.*"store":"\([0-9a-f]*\)".*/\1/')
lines=$(wc -l <"$dir/feed.jsonl")

# The 20 communities' feeds, and their rows as \copy takes them: a
# change's table, key, row and time, its store the community.
t0=$(now)
awk 'index($0, "\"op\":\"upsert\"") {
	match($0, /"store":"[0-9a-f]*"/); store = substr($0, RSTART + 9, RLENGTH - 10)
	match($0, /"table":"[a-z_]*"/); tbl = substr($0, RSTART + 9, RLENGTH - 10)
	match($0, /"key":\[[^]]*\]/); key = substr($0, RSTART + 6, RLENGTH - 6)
	match($0, /"at":[0-9]*/); at = substr($0, RSTART + 5, RLENGTH - 5)
	row = substr($0, index($0, "\"row\":") + 6); row = substr(row, 1, length(row) - 1)
	gsub(/\\/, "&&", row)
	printf "%s\t%s\t%s\t\\N\t%s\t%s\n", store, tbl, key, row, at
}' "$dir/feed.jsonl" >"$dir/template.tsv"
# Two communities (four copies) at a time: on a shared machine the copies
# wait for a core more than for the disk.
for i in $(seq 20); do
	id=$(printf %032x "$i")
	sed "s/$store/$id/" "$dir/feed.jsonl" >"$dir/c$i.jsonl" &
	sed "s/^$store/$id/" "$dir/template.tsv" >"$dir/rows$i.tsv" &
	[ $((i % 2)) = 1 ] || wait
done
wait
rm "$dir/feed.jsonl" "$dir/template.tsv"
feeds=$(span "$t0" "$(now)")

chmod 755 "$dir"
mkdir "$dir/pg" && chown $account "$dir/pg"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pgas "$pgbin/initdb" -D "$dir/pg/data" -U pm -A trust >"$dir/pg/initdb.log" 2>&1
pgas "$pgbin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/log" -w \
	-o "-p $port -k $dir/pg -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
conn="host=$dir/pg port=$port user=pm dbname=postgres"
psql() { "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 "$conn" "$@"; }
psql -f "$top/share/pm/rollup/postgres.sql"
psql -c "CREATE TABLE base (LIKE rollup_row INCLUDING ALL)"

# Community by community, \copy of its rows then pm-rollup load of its
# feed, one after the other: on a shared machine each pair meets the same
# load, and a run cut short still has its pairs (the lines below).
echo "rollup bench: 20 communities, $bills bills and $readings readings each"
printf '  machine: %s cores (%s), %s GiB; load average %s\n' "$(nproc)" \
	"$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)" "$(awk '/^MemTotal/ { printf "%d", $2 / 1048576 }' /proc/meminfo)" \
	"$(cut -d ' ' -f 1 /proc/loadavg)"
printf '  one store made by SQL: %s s; pm export of it: %d lines in %.2f s, peak RSS %s\n' \
	"$store_s" "$lines" "$export_s" "$(mib "$export_kib")"
printf '  the 20 feeds and the rows for \\copy made in %s s\n' "$feeds"
base=0 load=0 load_kib=0
for i in $(seq 20); do
	t0=$(now)
	psql -c "\\copy base (community, tbl, key, parent, row, at) FROM '$dir/rows$i.tsv'"
	b=$(span "$t0" "$(now)")
	timed "$dir/load.time" pm-rollup load -q --pg "$conn" "$dir/c$i.jsonl"
	read -r l kib <"$dir/load.time"
	rm "$dir/rows$i.tsv" "$dir/c$i.jsonl"
	base=$(echo "$base + $b" | bc) load=$(echo "$load + $l" | bc)
	[ "$kib" = - ] || [ "$load_kib" = - ] || [ "$kib" -le "$load_kib" ] || load_kib=$kib
	[ "$kib" != - ] || load_kib=-
	printf '  community %2d: \\copy %.1f s, load %.1f s (%.2fx); load average %s\n' "$i" "$b" "$l" \
		"$(echo "$b / $l" | bc -l)" "$(cut -d ' ' -f 1 /proc/loadavg)"
done
m=$(psql -A -t -c "SELECT count(*) FROM base")
n=$(psql -A -t -c "SELECT count(*) FROM rollup_row")
[ "$n" = "$m" ] || { echo "rollup bench: $n rows loaded, $m copied"; exit 1; }
printf '  baseline: psql \\copy of the %d rows: %.2f s, %.0f rows/s\n' "$n" "$base" "$(echo "$n / $base" | bc -l)"
printf '  pm-rollup load: %.2f s, %.0f rows/s, peak RSS %s: %.2fx the baseline'"'"'s rate (target >= 0.5); load average %s\n' \
	"$load" "$(echo "$n / $load" | bc -l)" "$(mib "$load_kib")" "$(echo "$base / $load" | bc -l)" "$(cut -d ' ' -f 1 /proc/loadavg)"
