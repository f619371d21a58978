#!/bin/sh
# pm-rollup report arrears, service and consumption: three communities'
# feeds in PostgreSQL give each community's own pm-report figures, and
# the group's total is their sum.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/rollup-pg.sh"

# Three communities billed alike (report-community.sh), each with tickets
# and meters of its own: community n has n plumbing tickets (on three
# units: a second on one unit would be a repeat of the first) and reads
# n times the water.
n=0
for s in a b c; do
	n=$((n + 1))
	PM_DB=$T/$s.db
	export PM_DB
	. "$PM_TOP/tests/cli/report-community.sh"
	cat >>pm.yaml <<'Y'
repair:
  categories:
    - {name: plumbing, label: 水管漏水, priority: high}
Y
	PM_NOW=2026-10-01T09:00:00+08:00 run pm config apply pm.yaml
	expect_rc 0 "community $s: a repair section"
	PM_NOW=2026-10-01T09:00:00+08:00 run pm user add tech$s --role technician
	i=0
	while [ $i -lt $n ]; do
		i=$((i + 1))
		unit=$(echo 1-1-101 1-1-102 2-1-101 | cut -d' ' -f$i)
		PM_NOW=2026-11-0${i}T10:00:00+08:00 run pm-repair submit --unit "$unit" --category plumbing --text 漏水$i
		id=$(sql "SELECT max(id) FROM ticket")
		PM_NOW=2026-11-0${i}T1${i}:00:00+08:00 run pm-repair assign "$id" --to tech$s
		PM_NOW=2026-11-0${i}T1${i}:30:00+08:00 run pm-repair --as tech$s start "$id"
		[ $i = 2 ] || PM_NOW=2026-11-0${i}T1${i}:40:00+08:00 run pm-repair --as tech$s resolve "$id" --note 修好
		[ $i = 2 ] || PM_NOW=2026-11-0${i}T1${i}:50:00+08:00 run pm-repair rate "$id" --stars $((6 - i))
	done
	expect_eq "$(sql "SELECT count(*) FROM ticket")" $n "community $s: $n tickets"
	PM_NOW=2025-10-01T09:00:00+08:00 feed '{"code":"W1","kind":"water","serves":"1-1-101","installed":"2025-09-01T00:00:00+08:00"}
{"code":"W2","kind":"water","serves":"2-1-101","installed":"2025-09-01T00:00:00+08:00"}
{"code":"E1","kind":"electricity","serves":"building:1","installed":"2025-09-01T00:00:00+08:00"}\n' pm-meter import
	expect_rc 0 "community $s: meters"
	feed "{\"meter\":\"W1\",\"ts\":\"2025-10-31T23:00:00+08:00\",\"value\":\"$((n * 3))\"}
{\"meter\":\"W1\",\"ts\":\"2025-11-30T23:00:00+08:00\",\"value\":\"$((n * 7))\"}
{\"meter\":\"W1\",\"ts\":\"2026-10-31T23:00:00+08:00\",\"value\":\"$((n * 20))\"}
{\"meter\":\"W1\",\"ts\":\"2026-11-30T23:00:00+08:00\",\"value\":\"$((n * 25)).125\"}
{\"meter\":\"W2\",\"ts\":\"2026-10-31T23:00:00+08:00\",\"value\":\"$((n + 4))\"}
{\"meter\":\"W2\",\"ts\":\"2026-11-30T23:00:00+08:00\",\"value\":\"$((n + 9)).5\"}
{\"meter\":\"E1\",\"ts\":\"2026-10-31T23:00:00+08:00\",\"value\":\"$((n * 100))\"}
{\"meter\":\"E1\",\"ts\":\"2026-11-30T23:00:00+08:00\",\"value\":\"$((n * 160))\"}\n" pm-meter ingest
	expect_rc 0 "community $s: readings"
	PM_NOW=2026-12-05T09:00:00+08:00 run pm export --format jsonl
	cp "$T/out" "$s.feed"
done
unset PM_DB
export PM_NOW=2026-12-05T09:00:00+08:00
run pm-rollup load --pg "$conn" a.feed b.feed c.feed
expect_rc 0 "three communities loaded"
ids=$(for s in a b c; do tail -n 1 $s.feed | jq -r .store; done)

# A group report's rows against each community's own report: the row of
# community ID is the community's total row, and the group's total sums
# the additive fields. $1 the group report, $2 pm-report's section, $3
# the fields compared, $4 those summed, then pm-report's options.
against() {
	grp=$1 sec=$2 fields=$3 sums=$4
	shift 4
	run pm-rollup report "$grp" --pg "$conn" "$@" --format jsonl
	expect_rc 0 "pm-rollup report $grp $*"
	cp "$T/out" group.out
	for s in a b c; do
		id=$(tail -n 1 $s.feed | jq -r .store)
		PM_DB=$T/$s.db pm-report "$grp" "$@" --section "$sec" --format jsonl >$s.own
		expect_eq "$(jq -c "select(.community == \"$id\") | {$fields}" group.out)" \
			"$(jq -c "select(.total) | {$fields}" $s.own)" "$grp $*: community $s as its own pm-report"
	done
	expect_eq "$(jq -c "select(.total) | {$sums}" group.out)" \
		"$(cat a.own b.own c.own | jq -s -c "map(select(.total)) | {$(echo "$sums" | tr ',' '\n' |
			sed 's/ //g; s/.*/&: (map(.&) | add)/' | paste -sd, -)}")" "$grp $*: the group's total is their sum"
}

against arrears building 'units, bills, d0_30_fen, d31_90_fen, d91_180_fen, d181_365_fen, d365_fen, owed_fen' \
	'units, bills, d0_30_fen, d31_90_fen, d91_180_fen, d181_365_fen, d365_fen, owed_fen' \
	--period 2026-11 --as-of 2026-12-20
against arrears building 'units, bills, d0_30_fen, d31_90_fen, d91_180_fen, d181_365_fen, d365_fen, owed_fen' \
	'units, bills, d0_30_fen, d31_90_fen, d91_180_fen, d181_365_fen, d365_fen, owed_fen' \
	--from 2026-10 --to 2026-11 --as-of 2027-02-20
# October: 1-1-102 owes 70.00 + 0.70, 1-2-101 110.00 + 1.10, 3-1-101
# 80.00 + 0.80 - 20.00; November: 1-1-102 170.00, 3-1-101 80.00 (report-
# community.sh), in each of the three.
expect_eq "$(jq -c 'select(.total) | [.units, .bills, .owed_fen]' group.out)" \
	"[9,15,$((3 * (7070 + 11110 + 6080 + 17000 + 8000)))]" "worked out by hand"
against service category 'tickets, accept_p50_s, accept_p90_s, resolve_p50_s, resolve_p90_s, breached, rated, rating,
	satisfied_pct, repeats' 'tickets, breached, rated, repeats' --period 2026-11
expect_eq "$(jq -c 'select(.total) | [.tickets, .rated, .rating]' group.out)" '[6,4,"4.5"]' \
	"six tickets, four rated: 5, 5, 5 and 3 stars"
for kind in water electricity; do
	run pm-rollup report consumption --pg "$conn" --period 2026-11 --format jsonl
	jq -c "select(.section == \"$kind\")" "$T/out" >group.out
	for s in a b c; do
		id=$(tail -n 1 $s.feed | jq -r .store)
		expect_eq "$(jq -c "select(.community == \"$id\") | {meters, usage, common, last_year, change_pct}" group.out)" \
			"$(PM_DB=$T/$s.db pm-report consumption --period 2026-11 --section $kind --format jsonl |
				jq -c 'select(.total) | {meters, usage, common, last_year, change_pct}')" \
			"consumption of $kind: community $s as its own pm-report"
	done
done
expect_eq "$(jq -c 'select(.total) | [.usage, .common]' group.out)" '["0.000","360.000"]' \
	"electricity: the building meters' 60, 120 and 180 kWh, common"

run pm-rollup report service --pg "$conn" --period 2026-13
expect_rc 2 "a month that is none"
run pm-rollup report service --pg "$conn" --period 2026-11 --as-of yesterday
expect_rc 2 "an as-of day that is none"

done_testing
