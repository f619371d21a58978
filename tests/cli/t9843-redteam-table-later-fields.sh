#!/bin/sh
# Red team: a table (--format table) took its columns from its first
# record alone, so a field only a later record has was never shown and
# --columns could not name it: pm-meter usage listing A1 (read) before W1
# (25 m3 of an estimate still to come off) showed no estimate_left at all,
# and --columns meter,estimate_left was refused as "no field". A table's
# columns are every record's fields now, in the order first seen, blank
# where a record has none; JSON lines are as they were.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2027-01-01T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"80","delivered":"2020-06-30"}
{"code":"1-1-102","area":"80","delivered":"2020-06-30"}\n' pm unit import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
meters:
  missing: average_3m
fees:
  - {name: water, label: 水费, type: metered, meter_kind: water, price: 5}
Y
run pm config apply pm.yaml
feed '{"code":"W1","kind":"water","serves":"1-1-101","installed":"2026-01-01T00:00:00+08:00"}
{"code":"A1","kind":"water","serves":"1-1-102","installed":"2026-01-01T00:00:00+08:00"}\n' pm-meter import
for m in A1 W1; do
	printf '{"meter":"%s","ts":"2026-%s-30T23:00:00+08:00","value":"%s"}\n' \
		$m 09 100 $m 10 130 $m 11 160 $m 12 190
done >r.jsonl
run_in r.jsonl pm-meter ingest -q
expect_rc 0 "both meters read to December, 30 m3 a month"
# January: A1 read, W1 not, so W1 is billed 30 m3 on its average.
PM_NOW=2027-02-01T09:00:00+08:00
feed '{"meter":"A1","ts":"2027-01-31T23:00:00+08:00","value":"220"}\n' pm-meter ingest -q
run pm-bill run -q --period 2027-01
run pm-bill issue -q --period 2027-01
expect_rc 0 "January billed and issued, W1 on its estimate"
# February: W1 reads 5 m3 of the 30 billed, and 25 m3 is left to come off.
PM_NOW=2027-03-01T09:00:00+08:00
feed '{"meter":"W1","ts":"2027-02-28T23:00:00+08:00","value":"195"}
{"meter":"A1","ts":"2027-02-28T23:00:00+08:00","value":"250"}\n' pm-meter ingest -q

run pm-meter usage --period 2027-02 --format jsonl
expect_eq "$(jq -r '.meter + " " + (.estimate_left // "-")' "$T/out")" "A1 -
W1 25.000" "the records: A1 has no estimate_left, W1 25 m3"
run pm-meter usage --period 2027-02 --format table
expect_rc 0 "the usage as a table"
expect_out '^period +meter .* flags +estimate_left$' "estimate_left is a column, after the first record's"
expect_eq "$(awk '$2 == "W1" { print $NF }' "$T/out")" "25.000" "W1's row shows its 25 m3"
run pm-meter usage --period 2027-02 --format table --columns meter,estimate_left
expect_rc 0 "--columns may name it"
expect_eq "$(sed 's/ *$//' "$T/out")" "meter  estimate_left
A1
W1     25.000" "A1's cell blank, W1's 25 m3"
run pm-meter usage --period 2027-02 --format table --columns meter,estimat_left
expect_rc 2 "a field no record has is still refused"
expect_err 'no field "estimat_left" here: did you mean "estimate_left"\?' "naming the nearest"
expect_eq "$(cat "$T/out")" "" "and no table is printed"
done_testing
