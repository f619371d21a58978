#!/bin/sh
# A common meter with no reading is shared out on its estimate
# (meters.missing: average_3m), and the estimate is recorded, so the
# reading that comes takes it off: the building paid for the estimated
# month again (nothing recorded it, the next reading shared out all it
# had turned). While no bill of the month is issued, a reading that comes
# late replaces the estimate; a dry run records nothing. Amounts by hand.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"100","delivered":"2020-01-01"}
{"code":"1-1-102","area":"100","delivered":"2020-01-01"}\n' pm unit import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
meters:
  missing: average_3m
fees:
  - {name: common_power, label: 公摊电费, type: shared, meter_kind: electricity, scope: building, price: 1, split: area}
Y
run pm config apply pm.yaml
feed '{"code":"C1","kind":"electricity","serves":"building:1","installed":"2026-01-01T00:00:00+08:00"}\n' pm-meter import
# 100 kWh a month from August to October.
feed '{"meter":"C1","ts":"2026-07-31T23:00:00+08:00","value":"0"}
{"meter":"C1","ts":"2026-08-31T23:00:00+08:00","value":"100"}
{"meter":"C1","ts":"2026-09-30T23:00:00+08:00","value":"200"}
{"meter":"C1","ts":"2026-10-31T23:00:00+08:00","value":"300"}\n' pm-meter ingest
expect_rc 0 "read to October"
shares() { sql "SELECT group_concat(l.amount_fen, ' ') FROM bill_line l JOIN bill b ON b.id = l.bill_id
	WHERE b.period = '$1' AND b.status <> 'void' ORDER BY b.code"; }
estimates() { sql "SELECT group_concat(period || ':' || usage, ' ') FROM meter_estimate"; }

# November is not read: 100 kWh on the average, 50.00 a unit.
run pm-bill run -q --period 2026-11 --dry-run
expect_eq "$(estimates)" "" "a dry run records no estimate"
run pm-bill run -q --period 2026-11
expect_eq "$(shares 2026-11)" "5000 5000" "November: 100 kWh estimated, 50.00 each"
expect_eq "$(estimates)" "2026-11:100000" "the common meter's estimate recorded, once"
expect_eq "$(sql "SELECT DISTINCT l.flags || ' ' || json_extract(l.breakdown, '\$.shares[0].usage_flags') FROM bill_line l
	JOIN bill b ON b.id = l.bill_id WHERE b.period = '2026-11'")" "estimated,missing missing,estimated" \
	"each unit's line says it rests on an estimate, as a unit meter's does"
# A reading of November comes before the bills are issued: the drafts are
# rebuilt on it, and the estimate goes.
feed '{"meter":"C1","ts":"2026-11-30T22:00:00+08:00","value":"380"}\n' pm-meter ingest
run pm-bill run -q --period 2026-11
expect_eq "$(shares 2026-11)" "4000 4000" "November rebuilt on its reading: 80 kWh, 40.00 each"
expect_eq "$(sql "SELECT DISTINCT flags FROM bill_line l JOIN bill b ON b.id = l.bill_id WHERE b.period = '2026-11'")" "" \
	"and no longer flagged"
expect_eq "$(estimates)" "" "and no estimate is left to take off"
run pm-meter void C1 --ts 2026-11-30T22:00:00+08:00 --reason 抄错表
run pm-bill run -q --period 2026-11
expect_eq "$(shares 2026-11)" "5000 5000" "the reading voided: estimated again"
run pm-bill issue -q --period 2026-11
expect_rc 0 "November issued"
# December reads 500: 200 kWh since October, 100 of them billed in November.
PM_NOW=2027-01-01T09:00:00+08:00
feed '{"meter":"C1","ts":"2026-12-31T23:00:00+08:00","value":"500"}\n' pm-meter ingest
run pm-bill run -q --period 2026-12
expect_eq "$(shares 2026-12)" "5000 5000" "December: the 100 kWh not yet billed, 50.00 each"
expect_eq "$(sql "SELECT sum(total_fen) FROM bill")" "20000" "November and December: 200.00 for 200 kWh"
# November's bills issued, a run of November leaves its estimate alone.
run pm-bill run -q --period 2026-11
expect_eq "$(estimates)" "2026-11:100000" "an issued month's estimate stays"
run pm check
expect_rc 0 "pm check passes"
done_testing
