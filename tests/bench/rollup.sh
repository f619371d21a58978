#!/bin/sh
# pm-rollup bench: loading the change feeds of 20 communities (PM_BENCH_SCALE
# 1: a year of 100,000 bills each, 2 M in all, and 2.5 M readings each, a
# meter's day rolled up to one reading; 0.01 a hundredth) into
# PostgreSQL, beside psql's \copy of the same rows into a table like
# rollup_row, in the same server and run. Target: pm-rollup load at no
# less than 0.5x \copy's rate (it stages by COPY, then upserts into
# rollup_row in one transaction a community, keeping the cursor).
# Needs root (PostgreSQL runs as an unprivileged account, made and removed
# here) and Debian's postgresql.
# Usage: rollup.sh BINDIR
set -eu
bin=$(cd "${1:?usage: rollup.sh BINDIR}" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
PATH="$bin:$PATH"
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

# Each community's export from 0, as pm export prints it, and the same
# rows as \copy takes them.
now() { date +%s.%N; }
t0=$(now)
i=0
while [ $i -lt 20 ]; do
	i=$((i + 1))
	awk -v c="$i" -v bills="$bills" -v readings="$readings" -v feed="$dir/c$i.jsonl" -v rows="$dir/rows.tsv" 'BEGIN {
		store = sprintf("%032x", c); at = 1796000000
		for (b = 1; b <= bills; b++) {
			row = sprintf("{\"id\":%d,\"code\":\"B-2026-%02d-%d\",\"unit_id\":%d,\"period\":\"2026-%02d\",\"status\":\"paid\",\"total_fen\":%d,\"late_fen\":0,\"adjust_fen\":0,\"paid_fen\":%d,\"due\":\"2026-%02d-15\",\"issued_at\":%d,\"created_at\":%d}",
				b, b % 12 + 1, b, b % 8334 + 1, b % 12 + 1, 10000 + b % 5000, 10000 + b % 5000, b % 12 + 1, at, at)
			printf "{\"type\":\"change\",\"store\":\"%s\",\"table\":\"bill\",\"key\":[%d],\"op\":\"upsert\",\"at\":%d,\"row\":%s}\n", store, b, at, row > feed
			printf "%s\tbill\t[%d]\t\\N\t%s\t%d\n", store, b, row, at >> rows
		}
		for (r = 1; r <= readings; r++) {
			m = r % 6850 + 1; ts = 1767196800 + int(r / 6850) * 86400
			row = sprintf("{\"meter_id\":%d,\"ts\":%d,\"value\":%d}", m, ts, r * 7)
			printf "{\"type\":\"change\",\"store\":\"%s\",\"table\":\"reading\",\"key\":[%d,%d],\"op\":\"upsert\",\"at\":%d,\"row\":%s}\n", store, m, ts, at, row > feed
			printf "%s\treading\t[%d, %d]\t\\N\t%s\t%d\n", store, m, ts, row, at >> rows
		}
		printf "{\"type\":\"cursor\",\"store\":\"%s\",\"since\":\"0\",\"cursor\":\"%d.%d\"}\n", store, bills + readings, at > feed
	}'
done
printf 'rollup bench: 20 communities, %d bills and %d readings each (made in %.1f s)\n' "$bills" "$readings" \
	"$(echo "$(now) - $t0" | bc)"

t0=$(now)
psql -c "\\copy base (community, tbl, key, parent, row, at) FROM '$dir/rows.tsv'"
base=$(echo "$(now) - $t0" | bc)
t0=$(now)
${PM_BENCH_WRAP:-} pm-rollup load -q --pg "$conn" "$dir"/c*.jsonl
load=$(echo "$(now) - $t0" | bc)
n=$(psql -A -t -c "SELECT count(*) FROM rollup_row")
m=$(psql -A -t -c "SELECT count(*) FROM base")
[ "$n" = "$m" ] || { echo "rollup bench: $n rows loaded, $m copied"; exit 1; }
printf '  baseline: psql \\copy of the %d rows: %.2f s\n' "$n" "$base"
printf '  pm-rollup load: %.2f s, %.2f× the baseline'"'"'s rate (target >= 0.5)\n' "$load" "$(echo "$base / $load" | bc -l)"
