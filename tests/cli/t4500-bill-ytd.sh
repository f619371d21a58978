#!/bin/sh
# Annual tiers (年度阶梯) count the year to date from the readings, the way
# pm-meter counts usage (wraps, replacements), not from earlier bills: a
# community that starts billing in November is priced at the tier its
# January to October readings reached. Every amount worked out by hand.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"80","delivered":"2020-06-30"}
{"code":"1-1-102","area":"80","delivered":"2020-06-30"}
{"code":"1-1-103","area":"80","delivered":"2020-06-30"}\n' pm unit import
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
        - {upto: 180, price: 3.45}
        - {upto: 260, price: 4.83}
        - {price: 7.96}
Y
run pm config apply pm.yaml
expect_rc 0 "annual water tiers apply"

# 101: W1 (four digits) stood at 9850 when the year began, wrapped to 10
# by March (160 m3), reached 40 when W2 replaced it in June (30 more); W2
# read 5 at the end of October: 195 m3 from January to October.
# 102: W3 has turned since 2020 but was first read on 1 March, at 5000;
# 170 m3 from then to October, and nothing says where it stood in January.
feed '{"code":"W1","kind":"water","serves":"1-1-101","digits":4,"installed":"2025-06-01T00:00:00+08:00","initial":"9800"}
{"code":"W3","kind":"water","serves":"1-1-102","installed":"2020-01-01T00:00:00+08:00"}
{"code":"W4","kind":"water","serves":"1-1-103","installed":"2025-06-01T00:00:00+08:00"}\n' pm-meter import
cat >r.jsonl <<'J'
{"meter":"W1","ts":"2025-12-31T23:00:00+08:00","value":"9850"}
{"meter":"W1","ts":"2026-03-31T23:00:00+08:00","value":"10"}
{"meter":"W3","ts":"2026-03-01T00:00:00+08:00","value":"5000"}
{"meter":"W3","ts":"2026-10-31T23:00:00+08:00","value":"5170"}
{"meter":"W3","ts":"2026-11-30T23:00:00+08:00","value":"5190"}
J
run pm-meter ingest r.jsonl
expect_rc 0 "readings of the year"
run pm-meter replace W1 --new W2 --at 2026-06-15T12:00:00+08:00 --final 40 --initial 0
expect_rc 0 "W2 replaces W1 in June"
feed '{"meter":"W2","ts":"2026-10-31T23:00:00+08:00","value":"5"}
{"meter":"W2","ts":"2026-11-30T23:00:00+08:00","value":"17"}\n' pm-meter ingest

# The first bill of the community, in November.
run pm-bill run --period 2026-11 --unit 1-1-101 --unit 1-1-102 --format jsonl
expect_rc 0 "November, the first month billed"
# 101: 12 m3 after 195: all in the second tier, 12 × 4.83 = 57.96
expect_out '"bill":"B-2026-11-1-1-101".*"total_fen":5796,"lines":1,"flags":""' \
	"101 is priced at the tier its readings reached, across a wrap and a replacement"
expect_eq "$(sql "SELECT json_extract(breakdown, '\$.before') || ' ' || json_extract(breakdown, '\$.year_from') || ' '
	|| json_extract(breakdown, '\$.tiers[1].quantity') FROM bill_line WHERE fee = 'water' AND bill_id =
	(SELECT id FROM bill WHERE code = 'B-2026-11-1-1-101')")" "195.000 2026-01 12.000" \
	"the breakdown says the year to date and where the year began"
# 102: 20 m3 after 170: 10 × 3.45 + 10 × 4.83 = 34.50 + 48.30 = 82.80
expect_out '"bill":"B-2026-11-1-1-102".*"total_fen":8280,"lines":1,"flags":"ytd_partial"' \
	"102 counts from its first reading of the year and is flagged ytd_partial"
run pm-bill show B-2026-11-1-1-102 --format jsonl
expect_out '"fee":"water","label":"水费","amount_fen":8280,.*"before":"170.000",.*"ytd_partial":true\}?,"flags":"ytd_partial"' \
	"pm-bill show shows the flag on the line and in its breakdown"
run pm-bill show B-2026-11-1-1-102 --format table
expect_out '^ +1 +water +水费 +¥82\.80 +¥0\.00 +20\.000 +\{"usage":"20\.000","before":"170\.000",.*"ytd_partial":true\} +ytd_partial ' \
	"and in a table, a row a line with its breakdown"

# 103: an estimate billed and corrected later is counted once. W4 read
# 40 m3 a month from January to March (120), missed April (billed on the
# average, 40), read 170 in May: May is billed 50 - 40 = 10.
cat >r.jsonl <<'J'
{"meter":"W4","ts":"2025-12-31T23:00:00+08:00","value":"0"}
{"meter":"W4","ts":"2026-01-31T23:00:00+08:00","value":"40"}
{"meter":"W4","ts":"2026-02-28T23:00:00+08:00","value":"80"}
{"meter":"W4","ts":"2026-03-31T23:00:00+08:00","value":"120"}
{"meter":"W4","ts":"2026-05-31T23:00:00+08:00","value":"170"}
{"meter":"W4","ts":"2026-06-30T23:00:00+08:00","value":"180"}
J
run pm-meter ingest r.jsonl
run pm-bill run --period 2026-04 --unit 1-1-103 --format jsonl
# 40 m3 estimated after 120: 40 × 3.45 = 138.00
expect_out '"total_fen":13800,"lines":1,"flags":"estimated,missing"' "April is billed on an estimate"
run pm-bill run --period 2026-05 --unit 1-1-103 --format jsonl
# 50 read less the 40 billed: 10 after 160, 10 × 3.45 = 34.50
expect_out '"total_fen":3450,' "May takes the estimate off"
run pm-bill run --period 2026-06 --unit 1-1-103 --format jsonl
# 10 m3 after 170 (120 + 40 + 10), not after 210: 10 × 3.45 = 34.50
expect_out '"total_fen":3450,' "June's year to date counts the estimated usage once"
expect_eq "$(sql "SELECT json_extract(breakdown, '\$.before') FROM bill_line WHERE bill_id =
	(SELECT id FROM bill WHERE code = 'B-2026-06-1-1-103')")" "170.000" "170 m3 before June, as the readings say"

# 104: the April draft billed on an estimate is rebuilt when April's
# reading comes after all; the estimate it billed goes with it, so May
# takes nothing off.
feed '{"code":"1-1-104","area":"80","delivered":"2020-06-30"}\n' pm unit import
feed '{"code":"W5","kind":"water","serves":"1-1-104","installed":"2025-06-01T00:00:00+08:00"}\n' pm-meter import
sed 's/W4/W5/' r.jsonl | grep -v -e 05-31 -e 06-30 >r5.jsonl
run pm-meter ingest r5.jsonl
run pm-bill run --period 2026-04 --unit 1-1-104 --format jsonl
expect_out '"total_fen":13800,"lines":1,"flags":"estimated,missing"' "104's April on an estimate, as 103's"
feed '{"meter":"W5","ts":"2026-04-30T23:00:00+08:00","value":"150"}\n{"meter":"W5","ts":"2026-05-31T23:00:00+08:00","value":"170"}\n' pm-meter ingest
run pm-bill run --period 2026-04 --unit 1-1-104 --format jsonl
# 30 m3 read after 120: 30 × 3.45 = 103.50
expect_out '"outcome":"made","total_fen":10350,"lines":1,"flags":""' "the reading rebuilds April's draft"
expect_eq "$(sql "SELECT count(*) FROM meter_estimate WHERE meter_id = (SELECT id FROM meter WHERE code = 'W5')")" "0" \
	"and the estimate goes with it"
run pm-bill run --period 2026-05 --unit 1-1-104 --format jsonl
# 20 m3 after 150: 20 × 3.45 = 69.00, nothing taken off
expect_out '"total_fen":6900,' "May bills what it used"
done_testing
