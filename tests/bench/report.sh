#!/bin/sh
# pm-report against issue 14's targets, beside the sqlite3 shell running
# each report's main aggregate query on the same store in the same run:
# collection --period and arrears under 1 s, dashboard under 3 s, peak RSS
# under 64 MiB each; and issue 20's: the digital twin of every unit drawn
# in under 3 s, beside the dashboard.
#
# The store: pm-bill's benchmark community after a year. 100,000 units
# (PM_BENCH_SCALE=0.1 a tenth) in 20 buildings of 3 entrances, an owner
# for each unit not vacant, a water and an electricity meter each and a
# common meter per building; 12 readings a meter a month (2.4 M a month,
# written straight into the store: ingestion is meter.sh's to measure);
# then for each month of 2026 the real `pm-bill run`, `issue`, payments
# through `pm-bill pay -` (a year ahead, monthly, quarterly, in part or
# never) and `late-fees`: 1.2 M bills.
#
# Usage: report.sh BINDIR. PM_BENCH_STORE=FILE keeps the store in FILE and
# uses it again when it is there (the year takes a quarter of an hour).
set -eu
bin=$(cd "${1:?usage: report.sh BINDIR}" && pwd)
PATH="$bin:$PATH"
units=$(awk -v s="${PM_BENCH_SCALE:-1}" 'BEGIN { n = int(100000 * s); print n < 60 ? 60 : n }')
dir=$(mktemp -d "${TMPDIR:-/tmp}/pm-bench-report.XXXXXX")
trap 'rm -rf "$dir"' EXIT
PM_DB=${PM_BENCH_STORE:-$dir/pm.db}
export PATH PM_DB
unset PM_USER
# pm-bill issue on a store this size spends four fifths of its time giving
# heap back to the kernel and taking it again (brk, and a TLB shootdown
# each time); a higher trim threshold makes the year five times faster to
# make. The reports are measured without it.
tunables=glibc.malloc.trim_threshold=536870912:glibc.malloc.top_pad=67108864

now() { date +%s.%N; }
span() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

generate() {
	GLIBC_TUNABLES=$tunables
	export GLIBC_TUNABLES
	rm -f "$PM_DB" "$PM_DB-wal" "$PM_DB-shm"
	PM_NOW=2026-01-01T09:00:00+08:00 pm init -q --community 基准小区
	cat >"$dir/pm.yaml" <<'Y'
effective: 2025-01-01
community:
  name: 基准小区
billing:
  due_day: 15
  grace_days: 5
  late_fee: {daily_bp: 5, cap_percent: 10, exempt_items: [garbage]}
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
	PM_NOW=2026-01-01T09:00:00+08:00 pm config apply -q "$dir/pm.yaml"
	awk -v n="$units" -v d="$dir" 'BEGIN {
		split("王 李 张 刘 陈 杨 黄 赵 吴 周", sn, " "); split("伟 芳 娜 敏 静 丽 强 磊 军 洋", gn, " ")
		for (i = 0; i < n; i++) {
			b = i % 20 + 1; u = sprintf("%d-%d-%06d", b, int(i / 20) % 3 + 1, i)
			st = i % 9 == 0 ? "vacant" : (i % 7 == 0 ? "rented" : "occupied")
			printf "{\"code\":\"%s\",\"area\":\"%d.%02d\",\"status\":\"%s\",\"delivered\":\"2020-06-30\"}\n",
				u, 60 + i % 90, i % 100, st > d "/units.jsonl"
			if (st != "vacant")
				printf "{\"code\":\"P%06d\",\"name\":\"%s%s\",\"phone\":\"139%08d\",\"unit\":\"%s\",\"since\":\"2020-07-01\"}\n",
					i, sn[1 + i % 10], gn[1 + int(i / 10) % 10], i, u > d "/people.jsonl"
			printf "{\"code\":\"W%s\",\"kind\":\"water\",\"serves\":\"%s\",\"installed\":\"2020-06-30T00:00:00+08:00\"}\n", u, u > d "/meters.jsonl"
			printf "{\"code\":\"E%s\",\"kind\":\"electricity\",\"serves\":\"%s\",\"installed\":\"2020-06-30T00:00:00+08:00\"}\n", u, u > d "/meters.jsonl"
		}
		for (b = 1; b <= 20; b++)
			printf "{\"code\":\"C%02d\",\"kind\":\"electricity\",\"serves\":\"building:%d\",\"installed\":\"2020-06-30T00:00:00+08:00\"}\n", b, b > d "/meters.jsonl"
	}'
	PM_NOW=2026-01-01T09:00:00+08:00 pm unit import -q "$dir/units.jsonl"
	PM_NOW=2026-01-01T09:00:00+08:00 pm person import -q "$dir/people.jsonl"
	PM_NOW=2026-01-01T09:00:00+08:00 pm-meter import -q "$dir/meters.jsonl"
	# 12 readings a month, the last an hour before the month ends, from an
	# opening reading on 31 December 2025; each meter climbs by its step.
	sqlite3 "$PM_DB" "
		CREATE TEMP TABLE mon AS WITH RECURSIVE m(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM m WHERE i < 11)
		SELECT i, CAST(strftime('%s', date('2026-01-01', '+' || i || ' months')) AS INTEGER) - 28800 AS start,
			CAST((julianday(date('2026-01-01', '+' || (i + 1) || ' months')) -
			      julianday(date('2026-01-01', '+' || i || ' months'))) * 86400 AS INTEGER) AS len FROM m;
		CREATE TEMP TABLE k AS SELECT mon.i * 12 + j.value AS n, mon.start + j.value * (mon.len / 12) - 3600 AS ts
			FROM mon, generate_series(1, 12) j;
		INSERT INTO k VALUES (0, CAST(strftime('%s', '2025-12-31 23:00:00') AS INTEGER) - 28800);
		INSERT INTO reading (meter_id, ts, value)
			SELECT m.id, k.ts, CASE WHEN m.scope = 'building' THEN 1000000 + k.n * 2000000
				WHEN m.kind = 'water' THEN 10000 + k.n * (300 + m.id % 700)
				ELSE 500000 + k.n * (10000 + m.id % 40000) END
			FROM meter m, k ORDER BY m.id, k.ts;"
	# Four in ten pay the year ahead in January (预交), from which each
	# bill is paid when it is issued; two in ten pay every month, two every
	# quarter, one half of what it owes every month, one never: the same
	# units every month, by the last digit of their number.
	awk -F'"' '{ for (i = 1; i < NF; i++) if ($i == "code") u = $(i + 2)
		k = substr(u, length(u)) + 0; n = substr(u, length(u) - 5) + 0
		if (k != 0 && k != 1 && k != 2 && k != 4) next
		t = 12 * (int((60 + n % 90) * 235) + 1500 + 40000)
		printf "{\"unit\":\"%s\",\"amount\":\"%d.%02d\",\"channel\":\"bank\",\"ref\":\"Y%s\",\"at\":\"2026-01-05T10:00:00+08:00\"}\n",
			u, t / 100, t % 100, u }' "$dir/units.jsonl" >"$dir/pay.jsonl"
	PM_NOW=2026-01-05T10:00:00+08:00 pm-bill pay -q --format jsonl - <"$dir/pay.jsonl" >/dev/null
	for m in 01 02 03 04 05 06 07 08 09 10 11 12; do
		p=2026-$m
		next=$(date -d "$p-01 +1 month" +%Y-%m)
		PM_NOW=${next}-01T09:00:00+08:00
		export PM_NOW
		pm-bill run -q --period "$p" >/dev/null
		pm-bill issue -q --period "$p" --format jsonl >/dev/null
		PM_NOW=${next}-28T09:00:00+08:00
		{ pm-bill list --status issued --format jsonl; pm-bill list --status partial --format jsonl; } |
		awk -F'"' -v at="${next}-10T10:00:00+08:00" -v p="$p" -v q=$((${m#0} % 3)) '{
			for (i = 1; i < NF; i++) { if ($i == "unit") u = $(i + 2); if ($i == "period") per = $(i + 2) }
			match($0, /"owed_fen":[0-9]+/); t = substr($0, RSTART + 11, RLENGTH - 11) + 0
			k = substr(u, length(u)) + 0
			if (k == 5 || k == 6 || (q == 0 && (k == 8 || k == 9))) owe[u] += t
			else if (k == 7 && per == p) owe[u] += int(t / 2)
		} END {
			for (u in owe) if (owe[u] > 0)
				printf "{\"unit\":\"%s\",\"amount\":\"%d.%02d\",\"channel\":\"%s\",\"ref\":\"%s-%s\",\"at\":\"%s\"}\n",
					u, owe[u] / 100, owe[u] % 100, length(u) % 2 ? "wechat" : "alipay", p, u, at }' |
		sort >"$dir/pay.jsonl"
		pm-bill pay -q --format jsonl - <"$dir/pay.jsonl" >/dev/null
		pm-bill late-fees -q --as-of "${next}-28" --format jsonl >/dev/null
	done
	unset PM_NOW GLIBC_TUNABLES
}

t0=$(now)
if [ -n "${PM_BENCH_STORE:-}" ] && [ -f "$PM_DB" ]; then
	echo "report bench: the store $PM_DB, kept from before"
else
	generate
	echo "report bench: a year made in $(span "$t0" "$(now)") s"
fi
PM_NOW=2027-01-05T09:00:00+08:00
export PM_NOW
printf '  %s units, %s bills, %s payments, %s readings, %s MiB\n' \
	"$(sqlite3 "$PM_DB" 'SELECT count(*) FROM unit')" "$(sqlite3 "$PM_DB" 'SELECT count(*) FROM bill')" \
	"$(sqlite3 "$PM_DB" 'SELECT count(*) FROM payment')" "$(sqlite3 "$PM_DB" 'SELECT count(*) FROM reading')" \
	"$(du -m "$PM_DB" | cut -f1)"
load=$(cut -d' ' -f1-3 /proc/loadavg)

# Each report three times and the sqlite3 shell's main query three times,
# the best of each counting: the machine is shared. Beside the elapsed
# time, the CPU time (user + system), which others' load changes less.
best() { # FILE: the smallest "seconds kB cpu" line
	sort -n "$1" | head -1
}
measure() { # NAME CMD...: seconds, peak kB and CPU seconds of CMD, best of three
	name=$1
	shift
	: >"$dir/$name.t"
	for i in 1 2 3; do
		/usr/bin/time -f '%e %M %U %S' -o "$dir/one" "$@" >/dev/null
		awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' "$dir/one" >>"$dir/$name.t"
	done
}
shell() { # NAME SQL: the shell running SQL on the store
	measure "$1" sqlite3 "$PM_DB" "$2"
}
start=$(( $(date -d '2026-12-01T00:00:00+08:00' +%s) ))
end=$(( $(date -d '2027-01-01T00:00:00+08:00' +%s) ))
measure collection pm-report collection --period 2026-12 --format jsonl
shell collection.sum "SELECT building_id, sum(bills), sum(total_fen), sum(paid_fen) FROM bill_sum
	WHERE period = '2026-12' GROUP BY building_id"
shell collection.bill "SELECT u.building_id, count(*), sum(b.total_fen), sum(b.paid_fen) FROM bill b
	JOIN unit u ON u.id = b.unit_id WHERE b.period = '2026-12' AND b.status IN ('issued','partial','paid')
	GROUP BY u.building_id"
measure arrears pm-report arrears --format jsonl
shell arrears.sql "SELECT unit_id, count(*), sum(total_fen + late_fen + adjust_fen - paid_fen), min(due) FROM bill
	WHERE status IN ('issued','partial') AND due < '2027-01-05' GROUP BY unit_id"
measure dashboard pm-report dashboard --period 2026-12 --format jsonl
shell dashboard.sql "SELECT kind, scope, count(*), sum(e - s) FROM (SELECT m.kind, m.scope,
	(SELECT value FROM reading r WHERE r.meter_id = m.id AND r.ts <= $start ORDER BY ts DESC LIMIT 1) AS s,
	(SELECT value FROM reading r WHERE r.meter_id = m.id AND r.ts <= $end ORDER BY ts DESC LIMIT 1) AS e
	FROM meter m ORDER BY m.id) GROUP BY kind, scope"
measure twin pm-report twin --period 2026-12
measure twin.arrears pm-report twin --layer arrears
row() { # LABEL NAME TARGET BASE...: a report's best beside the shell's, or another report's
	label=$1 name=$2 target=$3
	shift 3
	set -- $(best "$dir/$name.t") "$@"
	s=$1 kb=$2 cpu=$3
	shift 3
	printf '  %-28s %5.2f s (cpu %.2f s) %5.1f MiB (target < %s s, < 64 MiB)' "$label" "$s" "$cpu" \
		"$(echo "$kb / 1024" | bc -l)" "$target"
	for b; do
		set -- $(best "$dir/$b.t")
		case $b in
		*.*) printf '; sqlite3 %s %.2f s (cpu %.2f s)' "${b#*.}" "$1" "$3" ;;
		*) printf '; %s %.2f s (cpu %.2f s)' "$b" "$1" "$3" ;;
		esac
	done
	echo
}
row "collection --period 2026-12" collection 1 collection.sum collection.bill
row "arrears" arrears 1 arrears.sql
row "dashboard --period 2026-12" dashboard 3 dashboard.sql
row "twin --period 2026-12 (svg)" twin 3 dashboard
row "twin --layer arrears (svg)" twin.arrears 3 dashboard
echo "  (load average $load before, $(cut -d' ' -f1-3 /proc/loadavg) after, on $(nproc) CPUs;"
echo "   sqlite3 sum: the report's own query on bill_sum; bill: the same figures summed from every bill;"
echo "   arrears: the open bills past due by unit; dashboard: every meter's month from its readings;"
echo "   twin: every unit a cell of the site plan, beside the dashboard's own time)"
