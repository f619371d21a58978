#!/bin/sh
# An estimate billed for a month with no reading (meters.missing:
# average_3m) comes off the next real readings in full: when the reading
# shows less than was billed on the estimate, the rest comes off the
# readings after it, and the year to date of annual tiers counts what the
# months billed. The rest was dropped (usage 0, nothing carried), so an
# owner whose estimate ran high paid for water never used, and the months
# after were priced at a tier the readings never reached. Amounts by hand.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2027-01-01T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"80","delivered":"2020-06-30"}\n' pm unit import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
meters:
  missing: average_3m
fees:
  - name: water
    label: 水费
    type: metered
    meter_kind: water
    tiers:
      period: year
      steps:
        - {upto: 50, price: 5}
        - {price: 7}
Y
run pm config apply pm.yaml
feed '{"code":"W1","kind":"water","serves":"1-1-101","installed":"2026-01-01T00:00:00+08:00"}\n' pm-meter import
# 30 m3 a month in October, November and December.
feed '{"meter":"W1","ts":"2026-09-30T23:00:00+08:00","value":"100"}
{"meter":"W1","ts":"2026-10-31T23:00:00+08:00","value":"130"}
{"meter":"W1","ts":"2026-11-30T23:00:00+08:00","value":"160"}
{"meter":"W1","ts":"2026-12-31T23:00:00+08:00","value":"190"}\n' pm-meter ingest
expect_rc 0 "three months read"

month() { # PERIOD NOW [READING]: the reading, then the period run and issued
	PM_NOW=$2
	if [ -n "${3:-}" ]; then
		feed "{\"meter\":\"W1\",\"ts\":\"$3\",\"value\":\"$4\"}\n" pm-meter ingest -q
		expect_rc 0 "$1 read"
	fi
	run pm-bill run -q --period "$1"
	expect_rc 0 "$1 run"
	run pm-bill issue -q --period "$1"
	expect_rc 0 "$1 issued"
}
line() { sql "SELECT l.amount_fen || ' ' || l.quantity || ' ' || l.flags || ' ' || json_extract(l.breakdown, '\$.before')
	|| ' ' || coalesce(json_extract(l.breakdown, '\$.estimate_left'), '-') FROM bill_line l JOIN bill b ON b.id = l.bill_id
	WHERE b.period = '$1'"; }

# January is not read: billed on the average, 30 m3 at 5.00.
month 2027-01 2027-02-01T09:00:00+08:00
expect_eq "$(line 2027-01)" "15000 30.000 estimated,missing 0.000 -" "January: 30 m3 estimated, 150.00"
# February reads 195: 5 m3 since December's 190, of the 30 billed. Nothing
# is billed and 25 m3 is left to come off.
month 2027-02 2027-03-01T09:00:00+08:00 2027-02-28T23:00:00+08:00 195
expect_eq "$(line 2027-02)" "0 0.000  30.000 25.000" "February: nothing, 25 m3 of the estimate left"
expect_eq "$(sql "SELECT period || ' ' || usage FROM meter_estimate ORDER BY period" | tr '\n' ' ')" \
	"2027-01 30000 2027-02 25000 " "the estimate and what is left of it are recorded"
# Voiding February's bill (of nothing) leaves what is left: January's
# estimate is still billed.
run pm-bill void B-2027-02-1-1-101 --reason 重出
expect_rc 0 "February void"
expect_eq "$(sql "SELECT period || ' ' || usage FROM meter_estimate ORDER BY period" | tr '\n' ' ')" \
	"2027-01 30000 2027-02 25000 " "what is left stays"
run pm-meter usage --period 2027-02 --format jsonl
expect_out '"usage":"0.000","multiplier":1,"flags":"adjusted","estimate_left":"25.000"}' "pm-meter usage says so"
# March reads 210: 15 m3, all of it off the 25 left; 10 still left.
PM_NOW=2027-04-01T09:00:00+08:00
feed '{"meter":"W1","ts":"2027-03-31T23:00:00+08:00","value":"210"}\n' pm-meter ingest -q
run pm-bill run -q --period 2027-03
# A draft rebuilt (a reading corrected, then run again) records it once.
feed '{"meter":"W1","ts":"2027-03-31T23:00:00+08:00","value":"211"}\n' pm-meter ingest -q --replace
run pm-bill run -q --period 2027-03
expect_eq "$(line 2027-03)" "0 0.000  30.000 9.000" "March rebuilt on 211: 16 m3 off, 9 left"
feed '{"meter":"W1","ts":"2027-03-31T23:00:00+08:00","value":"210"}\n' pm-meter ingest -q --replace
month 2027-03 2027-04-01T09:00:00+08:00
expect_eq "$(line 2027-03)" "0 0.000  30.000 10.000" "March: nothing, 10 m3 left"
# April reads 260: 50 m3, 10 of it off the estimate: 40 m3 billed, the
# year to date 30 (what the months billed, and what the meter turned:
# 70 m3 from January to April is 30 + 40): 20 m3 at 5.00 and 20 at 7.00.
month 2027-04 2027-05-01T09:00:00+08:00 2027-04-30T23:00:00+08:00 260
expect_eq "$(line 2027-04)" "24000 40.000  30.000 -" "April: 40 m3, 240.00, at the tier 70 m3 reaches"
expect_eq "$(sql "SELECT sum(total_fen) FROM bill WHERE period >= '2027-01' AND status <> 'void'")" "39000" \
	"January to April: 390.00, 50 m3 at 5.00 and 20 at 7.00, what 70 m3 costs"
run pm check
expect_rc 0 "pm check passes"
done_testing
