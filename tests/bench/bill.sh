#!/bin/sh
# pm-bill bench: a community of 100,000 units (PM_BENCH_SCALE=0.1 a tenth)
# with a water and an electricity meter each and 20 common meters; times
# `pm-bill run` and `pm-bill issue` for one period and their peak memory,
# beside the sqlite3 shell scanning the same readings.
# Usage: bill.sh BINDIR
set -eu
bin=$(cd "${1:?usage: bill.sh BINDIR}" && pwd)
PATH="$bin:$PATH"
units=$(awk -v s="${PM_BENCH_SCALE:-1}" 'BEGIN { printf "%d", 100000 * s }')
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
PM_DB="$dir/pm.db"
PM_NOW=2026-12-01T09:00:00+08:00
export PATH PM_DB PM_NOW

now() { date +%s.%N; }
peak() { # CMD...: runs it, prints seconds, CPU seconds (what a shared
	# machine does not inflate) and peak RSS in MiB
	/usr/bin/time -f '%e %U %S %M' -o "$dir/time" "$@" >/dev/null
	awk '{ printf "%.2f s (%.2f s CPU), %.1f MiB", $1, $2 + $3, $4 / 1024 }' "$dir/time"
}

pm init -q --community 基准小区
cat >"$dir/pm.yaml" <<'Y'
effective: 2026-01-01
community:
  name: 基准小区
fees:
  - {name: property, label: 物业费, type: per_area, prices: {residential: 2.35}, vacant_discount_percent: 50}
  - name: water
    label: 水费
    type: metered
    meter_kind: water
    tiers: {period: year, steps: [{upto: 180, price: 5}, {upto: 260, price: 7}, {price: 9}]}
  - name: power
    label: 电费
    type: metered
    meter_kind: electricity
    tiers: {period: month, steps: [{upto: 200, price: 0.52}, {upto: 400, price: 0.57}, {price: 0.82}]}
  - {name: common_power, label: 公摊电费, type: shared, meter_kind: electricity, scope: building, price: 0.6, split: area}
  - {name: garbage, label: 垃圾费, type: fixed, amounts: {residential: 15}}
Y
pm config apply -q "$dir/pm.yaml"
t0=$(now)
awk -v n="$units" -v d="$dir" 'BEGIN {
	for (i = 0; i < n; i++) {
		b = i % 20 + 1; u = sprintf("%d-1-%06d", b, i)
		printf "{\"code\":\"%s\",\"area\":\"%d.%02d\",\"status\":\"%s\"}\n", u, 60 + i % 90, i % 100,
			i % 9 ? "occupied" : "vacant" > d "/units.jsonl"
		printf "{\"code\":\"W%s\",\"kind\":\"water\",\"serves\":\"%s\",\"installed\":\"2026-01-01T00:00:00+08:00\"}\n", u, u > d "/meters.jsonl"
		printf "{\"code\":\"E%s\",\"kind\":\"electricity\",\"serves\":\"%s\",\"installed\":\"2026-01-01T00:00:00+08:00\"}\n", u, u > d "/meters.jsonl"
		printf "{\"meter\":\"W%s\",\"ts\":\"2026-10-31T23:00:00+08:00\",\"value\":\"%d\"}\n", u, i % 50 > d "/r.jsonl"
		printf "{\"meter\":\"E%s\",\"ts\":\"2026-10-31T23:00:00+08:00\",\"value\":\"%d\"}\n", u, i % 500 > d "/r.jsonl"
		printf "{\"meter\":\"W%s\",\"ts\":\"2026-11-30T23:00:00+08:00\",\"value\":\"%d.%03d\"}\n", u, i % 50 + 5 + i % 20, i % 1000 > d "/r.jsonl"
		printf "{\"meter\":\"E%s\",\"ts\":\"2026-11-30T23:00:00+08:00\",\"value\":\"%d.%d\"}\n", u, i % 500 + 100 + i % 400, i % 10 > d "/r.jsonl"
	}
	for (b = 1; b <= 20; b++) {
		printf "{\"code\":\"C%02d\",\"kind\":\"electricity\",\"serves\":\"building:%d\",\"installed\":\"2026-01-01T00:00:00+08:00\"}\n", b, b > d "/meters.jsonl"
		printf "{\"meter\":\"C%02d\",\"ts\":\"2026-10-31T23:00:00+08:00\",\"value\":\"1000\"}\n", b > d "/r.jsonl"
		printf "{\"meter\":\"C%02d\",\"ts\":\"2026-11-30T23:00:00+08:00\",\"value\":\"%d.5\"}\n", b, 3000 + b * 37 > d "/r.jsonl"
	}
}'
pm unit import -q "$dir/units.jsonl"
pm-meter import -q "$dir/meters.jsonl"
pm-meter ingest -q "$dir/r.jsonl"
printf 'bill bench: %d units, %d meters, %d readings (made in %.1f s)\n' "$units" $((units * 2 + 20)) \
	$(( (units * 2 + 20) * 2 )) "$(echo "$(now) - $t0" | bc)"

t0=$(now)
sqlite3 "$PM_DB" "SELECT meter_id, max(value) FROM reading GROUP BY meter_id" >/dev/null
base=$(echo "$(now) - $t0" | bc)
printf '  baseline: sqlite3 SELECT meter_id, max(value) ... GROUP BY meter_id: %.2f s\n' "$base"

# The floor of a command: what writing its rows costs before anything is
# computed. floor_keep keeps the store as it is; after the command,
# floor_write SQL CHECK has the shell write the command's rows (r, the
# store) into the kept one (main) in one durable transaction, row by row
# as a program that computes them must ("WHERE true" in SQL keeps SQLite
# from copying an empty table's b-trees whole, the transfer optimization
# of INSERT ... SELECT *), its seconds in $floor and what it added in
# $grown bytes; CHECK must answer the same of both stores.
floor_keep() {
	rm -f "$dir/floor.db" "$dir/floor.db-wal" "$dir/floor.db-shm"
	sqlite3 "$PM_DB" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
	cp "$PM_DB" "$dir/floor.db"
}
floor_write() {
	_size=$(stat -c %s "$dir/floor.db")
	t0=$(now)
	sqlite3 "$dir/floor.db" "PRAGMA synchronous = FULL; ATTACH '$PM_DB' AS r; BEGIN; $1; COMMIT"
	floor=$(echo "$(now) - $t0" | bc)
	grown=$(($(stat -c %s "$dir/floor.db") - _size))
	[ "$(sqlite3 "$dir/floor.db" "$2")" = "$(sqlite3 "$PM_DB" "$2")" ] ||
		{ echo "bill.sh: the floor's rows differ from pm's: $2" >&2; exit 1; }
}

floor_keep
t0=$(now)
r=$(peak pm-bill run -q --period 2026-11)
run=$(echo "$(now) - $t0" | bc)
printf '  pm-bill run:   %s (target < 3 s, < 64 MiB), %.1f× the baseline\n' "$r" "$(echo "$run / $base" | bc -l)"
# The run's bills and lines, in key order (the cheapest order there is).
floor_write "INSERT INTO main.bill SELECT * FROM r.bill WHERE true;
	INSERT INTO main.bill_line SELECT * FROM r.bill_line WHERE true" 'SELECT count(*), sum(amount_fen) FROM bill_line'
printf '  floor: sqlite3 writing the run'"'"'s bills and lines (%d MiB) in one transaction: %.2f s; the run %.1f×, the target (3 s a 100,000 units) %.1f× it\n' \
	$((grown / 1048576)) "$floor" "$(echo "$run / $floor" | bc -l)" "$(echo "3 * $units / 100000 / $floor" | bc -l)"

floor_keep
t0=$(now)
r=$(peak pm-bill issue -q --period 2026-11)
iss=$(echo "$(now) - $t0" | bc)
printf '  pm-bill issue: %s (target < 3 s, < 64 MiB), %.1f× the baseline\n' "$r" "$(echo "$iss / $base" | bc -l)"
# Issue's journal entries and postings, and each bill set as issue left
# it (bill_sum's triggers firing as they do for issue).
floor_write "INSERT INTO main.journal SELECT * FROM r.journal WHERE id > (SELECT coalesce(max(id), 0) FROM main.journal);
	INSERT INTO main.posting SELECT * FROM r.posting WHERE journal_id > (SELECT coalesce(max(journal_id), 0) FROM main.posting);
	UPDATE main.bill SET status = i.status, due = i.due, issued_at = i.issued_at, updated_at = i.updated_at
		FROM r.bill i WHERE i.id = main.bill.id AND i.status IS NOT main.bill.status" \
	'SELECT count(*), sum(amount_fen) FROM posting; SELECT status, count(*) FROM bill GROUP BY 1'
printf '  floor: sqlite3 writing what issue wrote in one transaction: %.2f s; issue %.1f×, the target (3 s a 100,000 units) %.1f× it\n' \
	"$floor" "$(echo "$iss / $floor" | bc -l)" "$(echo "3 * $units / 100000 / $floor" | bc -l)"
rm -f "$dir/floor.db" "$dir/floor.db-wal" "$dir/floor.db-shm"
printf '  bills: %s, lines: %s, total %s fen\n' "$(sqlite3 "$PM_DB" 'SELECT count(*) FROM bill')" \
	"$(sqlite3 "$PM_DB" 'SELECT count(*) FROM bill_line')" "$(sqlite3 "$PM_DB" 'SELECT sum(total_fen) FROM bill')"
r=$(peak pm-bill run -q --period 2026-11)
printf '  pm-bill run again, nothing changed: %s\n' "$r"
pm check -q >/dev/null || { echo "bill.sh: pm check failed after the runs" >&2; exit 1; }
echo "  pm check: ok"
