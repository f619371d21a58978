#!/bin/sh
# An estimate billed on a meter that is then replaced comes off the
# readings that follow, the new meter's among them, and counts in the
# year to date of annual tiers. The new meter's readings looked only for
# estimates of its own: the old meter's was billed again in full
# (December billed the 30 m3 since October, 10 of which November had
# billed). Amounts by hand.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
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
    tiers: {period: year, steps: [{upto: 150, price: 5}, {price: 7}]}
Y
run pm config apply pm.yaml
feed '{"code":"W1","kind":"water","serves":"1-1-101","installed":"2026-01-01T00:00:00+08:00"}\n' pm-meter import
# 130 m3 from January to October, the last three months 10 each.
feed '{"meter":"W1","ts":"2026-07-31T23:00:00+08:00","value":"100"}
{"meter":"W1","ts":"2026-08-31T23:00:00+08:00","value":"110"}
{"meter":"W1","ts":"2026-09-30T23:00:00+08:00","value":"120"}
{"meter":"W1","ts":"2026-10-31T23:00:00+08:00","value":"130"}\n' pm-meter ingest
expect_rc 0 "read to October"
line() { sql "SELECT l.amount_fen || ' ' || l.quantity || ' ' || json_extract(l.breakdown, '\$.before') || ' '
	|| coalesce(json_extract(l.breakdown, '\$.usage_flags'), '') FROM bill_line l JOIN bill b ON b.id = l.bill_id
	WHERE b.period = '$1'"; }

# November is not read: 10 m3 on the average, at 5.00.
run pm-bill run -q --period 2026-11
run pm-bill issue -q --period 2026-11
expect_eq "$(line 2026-11)" "5000 10.000 130.000 missing,estimated" "November: 10 m3 estimated, 50.00"
# W1 is replaced on 10 December at 150, W1b reads 10 at the month's end:
# 30 m3 since October, 10 of them billed in November: 20 m3, the year to
# date 140 (130 and November's 10): 10 at 5.00 and 10 at 7.00.
PM_NOW=2027-01-01T09:00:00+08:00
run pm-meter replace --new W1b --at 2026-12-10T12:00:00+08:00 --final 150 W1
expect_rc 0 "W1 replaced"
feed '{"meter":"W1b","ts":"2026-12-31T23:00:00+08:00","value":"10"}\n' pm-meter ingest
run pm-bill run -q --period 2026-12
expect_rc 0 "December run"
expect_eq "$(line 2026-12)" "12000 20.000 140.000 replaced,adjusted" "December: 20 m3, 120.00"
expect_eq "$(sql "SELECT sum(total_fen) FROM bill")" "17000" \
	"November and December: 170.00, what 30 m3 cost past 130 (20 at 5.00, 10 at 7.00)"
run pm-meter usage --period 2026-12 --format jsonl
expect_out '"meter":"W1b",.*"usage":"20.000",.*"flags":"replaced,adjusted"' "pm-meter usage says the same"
run pm check
expect_rc 0 "pm check passes"
done_testing
