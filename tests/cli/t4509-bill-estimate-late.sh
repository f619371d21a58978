#!/bin/sh
# A reading that comes after a month was billed on its estimate, dated in
# that month. The month's estimate stands until the bill is rebilled, so
# the next month's readings count from where the estimated month opened,
# less the estimate, and the year to date counts the month as billed.
# They counted from the late reading, less the whole estimate: a
# November estimated at 100 m3, read late at 80, left December 20 m3 of
# its 120, and the year to date counted November's 80, so owners paid
# 120.00 for 200 m3 unless someone rebilled November. A common meter's
# estimate in a month with issued bills stands whatever comes later: a
# rebill of one share is no rebill of the others, so rebilling both
# units' shares on the late reading left the estimate to come off
# December's again (200 kWh billed 100.00). And a month whose bills are
# all void lets its common meters' estimates go, as a void lets a unit
# meter's go: nobody paid for them. Amounts by hand.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"100","delivered":"2020-01-01"}
{"code":"1-1-102","area":"100","delivered":"2020-01-01"}
{"code":"2-1-101","area":"100","delivered":"2020-01-01"}
{"code":"2-1-102","area":"100","delivered":"2020-01-01"}\n' pm unit import
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
        - {upto: 450, price: 1}
        - {price: 2}
  - {name: common_power, label: 公摊电费, type: shared, meter_kind: electricity, scope: building, price: 1, split: area}
Y
run pm config apply pm.yaml
feed '{"code":"W1","kind":"water","serves":"1-1-101","installed":"2026-01-01T00:00:00+08:00"}
{"code":"W2","kind":"water","serves":"1-1-102","installed":"2026-01-01T00:00:00+08:00"}
{"code":"C1","kind":"electricity","serves":"building:1","installed":"2026-01-01T00:00:00+08:00"}
{"code":"C2","kind":"electricity","serves":"building:2","installed":"2026-01-01T00:00:00+08:00"}\n' pm-meter import
# 100 a month on every meter from August to October; November not read.
for m in W1 W2 C1 C2; do
	feed "{\"meter\":\"$m\",\"ts\":\"2026-07-31T23:00:00+08:00\",\"value\":\"0\"}
{\"meter\":\"$m\",\"ts\":\"2026-08-31T23:00:00+08:00\",\"value\":\"100\"}
{\"meter\":\"$m\",\"ts\":\"2026-09-30T23:00:00+08:00\",\"value\":\"200\"}
{\"meter\":\"$m\",\"ts\":\"2026-10-31T23:00:00+08:00\",\"value\":\"300\"}\n" pm-meter ingest
done
line() { # UNIT PERIOD FEE: the line's amount on the unit's bill that stands
	sql "SELECT l.amount_fen FROM bill_line l JOIN bill b ON b.id = l.bill_id JOIN unit u ON u.id = b.unit_id
		WHERE u.code = '$1' AND b.period = '$2' AND l.fee = '$3' AND b.status <> 'void'"; }
owed() { sql "SELECT sum(b.total_fen + b.adjust_fen) FROM bill b JOIN unit u ON u.id = b.unit_id
	WHERE u.code = '$1' AND b.status <> 'void'"; }
estimates() { sql "SELECT group_concat(m.code || ':' || e.period || ':' || e.usage, ' ') FROM
	(SELECT * FROM meter_estimate ORDER BY meter_id, period) e JOIN meter m ON m.id = e.meter_id"; }

run pm-bill run -q --period 2026-11
expect_eq "$(line 1-1-101 2026-11 water) $(line 1-1-102 2026-11 water)" "10000 10000" \
	"November: 100 m3 estimated on each water meter, 100.00 (the year to date 300, the first tier)"
expect_eq "$(line 1-1-101 2026-11 common_power) $(line 2-1-101 2026-11 common_power)" "5000 5000" \
	"and 100 kWh on each common meter, 50.00 a unit"
run pm-bill issue -q --period 2026-11
expect_rc 0 "November issued"

# November's readings come after the bills: 80 on every meter.
for m in W1 W2 C1 C2; do
	feed "{\"meter\":\"$m\",\"ts\":\"2026-11-30T22:00:00+08:00\",\"value\":\"380\"}\n" pm-meter ingest
done
run pm-bill run --period 2026-11
expect_rc 0 "a run of November after the late readings"
expect_err "issued bills changed" "it tells of the water bills, which a rebill can bring to the reading"
expect_eq "$(grep -c 'B-2026-11-1-1-10[12]. was issued on inputs that have changed since (a difference of -¥20.00)' "$T/err")" 2 \
	"each water bill's difference, 20.00 less"
expect_eq "$(grep -c 'B-2026-11-2-1' "$T/err")" 0 "not of the common meters' shares: an estimate a month's bills were issued on stands"
run pm-bill rebill B-2026-11-1-1-102 --confirm
expect_rc 0 "1-1-102's November rebilled on its reading"
expect_out '"fee":"water","label":"水费","quantity":"80.000","was_fen":10000,"now_fen":8000,"difference_fen":-2000' \
	"its water at 80 m3, 20.00 less"
expect_out '"fee":"common_power",.*"was_fen":5000,"now_fen":5000,"difference_fen":0' "its share of the common meter unchanged"
run pm-bill rebill B-2026-11-2-1-101 --confirm
expect_out '"bill":"B-2026-11-2-1-101","was_fen":5000,"now_fen":5000,"difference_fen":0,"outcome":"unchanged"' \
	"nor a share of the other building's"
expect_eq "$(estimates)" "W1:2026-11:100000 C1:2026-11:100000 C2:2026-11:100000" \
	"the estimates standing: W1's (not rebilled) and the common meters'; W2's went with its rebill"

# All of building 2's bills of November voided (nothing was paid on them).
run pm-bill void B-2026-11-2-1-101 --reason 重开 --format jsonl
expect_out '^\{"type":"void","bill":"B-2026-11-2-1-101","unit":"2-1-101","status":"void","total_fen":5000,"reason":"重开"\}$' \
	"a void says what it voided (it printed nothing)"
expect_eq "$(estimates)" "W1:2026-11:100000 C1:2026-11:100000 C2:2026-11:100000" \
	"one of building 2's bills void: the other billed C2's estimate, it stands"
run pm-bill void B-2026-11-2-1-102 --reason 重开
expect_eq "$(estimates)" "W1:2026-11:100000 C1:2026-11:100000" \
	"both void: nobody paid C2's estimate, it goes; building 1's stands"

# December reads 500 everywhere: 200 since October, 120 since November's
# late reading.
PM_NOW=2027-01-01T09:00:00+08:00
for m in W1 W2 C1 C2; do
	feed "{\"meter\":\"$m\",\"ts\":\"2026-12-31T23:00:00+08:00\",\"value\":\"500\"}\n" pm-meter ingest
done
run pm-bill run -q --period 2026-12
expect_eq "$(line 1-1-101 2026-12 water)" 15000 \
	"W1, November not rebilled: 200 m3 since October less the 100 billed, the year to date 400 (300 and November's estimate): 50 at 1, 50 at 2, 150.00"
expect_eq "$(line 1-1-102 2026-12 water)" 17000 \
	"W2, November rebilled at 80: 120 m3, the year to date 380: 70 at 1, 50 at 2, 170.00"
expect_eq "$(owed 1-1-101) $(owed 1-1-102)" "35000 35000" \
	"either way November and December come to the same: 250.00 of water and 100.00 of common power"
expect_eq "$(line 1-1-101 2026-12 common_power) $(line 1-1-102 2026-12 common_power)" "5000 5000" \
	"C1: 200 kWh since October less the 100 billed, 50.00 a unit (200 kWh, 200.00, for the two months)"
expect_eq "$(line 2-1-101 2026-12 common_power) $(line 2-1-102 2026-12 common_power)" "6000 6000" \
	"C2, November void: December's 120 kWh since November's reading, 60.00 a unit, no estimate taken off"
run pm-meter usage --period 2026-12 --meter W1 --format jsonl
expect_out '"meter":"W1",.*"usage":"100.000"' "pm-meter usage counts December as the bill does"
run pm check
expect_rc 0 "pm check passes"
done_testing
