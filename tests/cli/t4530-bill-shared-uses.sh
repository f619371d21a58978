#!/bin/sh
# 公摊: a shared cost is split only among the units whose use shares it
# (residential and commercial by default, the fee's "uses" otherwise);
# parking spaces and storerooms are left out. The shares, by largest
# remainder, sum exactly to the cost.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"100"}
{"code":"1-1-102","area":"50"}
{"code":"1-1-C01","area":"50","use":"commercial","floor":1}
{"code":"1-1-B01","area":"12.5","use":"parking","floor":-1}
{"code":"1-1-S01","area":"10","use":"storage","floor":-1}\n' pm unit import
feed '{"code":"E0","kind":"electricity","serves":"building:1","installed":"2026-01-01T00:00:00+08:00"}\n' pm-meter import
feed '{"meter":"E0","ts":"2026-10-31T23:00:00+08:00","value":"1000"}
{"meter":"E0","ts":"2026-11-30T23:00:00+08:00","value":"1100"}\n' pm-meter ingest
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
fees:
  - name: common_power
    label: 公摊电费
    type: shared
    meter_kind: electricity
    scope: building
    price: 1
    split: area
Y
run pm config apply pm.yaml
run pm-bill run --period 2026-11 --format jsonl
expect_rc 0 "the run"
# 100 kWh × 1.00 = 100.00 by area 100 : 50 : 50 = 50.00, 25.00, 25.00
expect_out '"bill":"B-2026-11-1-1-101".*"total_fen":5000,' "101: half"
expect_out '"bill":"B-2026-11-1-1-102".*"total_fen":2500,' "102: a quarter"
expect_out '"bill":"B-2026-11-1-1-C01".*"total_fen":2500,' "the shop shares by default"
expect_eq "$(grep -c -e '1-1-B01' -e '1-1-S01' "$T/out")" "0" "the parking space and the storeroom do not"
expect_eq "$(sql "SELECT json_extract(breakdown, '\$.shares[0].units') || ' ' || json_extract(breakdown, '\$.shares[0].total_weight')
	FROM bill_line WHERE bill_id = (SELECT id FROM bill WHERE code = 'B-2026-11-1-1-101')")" "3 20000" \
	"the breakdown counts the units that share"

# From November parking spaces share too: by 100 : 50 : 50 : 12.5 of
# 212.5, 47.0588… 23.5294… 23.5294… 5.8823…: floored 47.05 + 23.52 +
# 23.52 + 5.88 = 99.97, the 3 fen left to the largest remainders.
sed 's/effective: 2026-01-01/effective: 2026-11-01/; s/split: area/split: area\n    uses: [residential, commercial, parking]/' pm.yaml >pm2.yaml
run pm config apply pm2.yaml
expect_rc 0 "uses: a list of unit uses"
run pm-bill run --period 2026-11 --format jsonl
expect_out '"bill":"B-2026-11-1-1-101".*"total_fen":4706,' "101"
expect_out '"bill":"B-2026-11-1-1-102".*"total_fen":2353,' "102"
expect_out '"bill":"B-2026-11-1-1-C01".*"total_fen":2353,' "the shop"
expect_out '"bill":"B-2026-11-1-1-B01".*"total_fen":588,' "the parking space"
expect_eq "$(grep -c '1-1-S01' "$T/out")" "0" "not the storeroom"
expect_eq "$(sql "SELECT sum(total_fen) FROM bill")" "10000" "the shares sum to the cost exactly"

sed 's/\[residential, commercial, parking\]/[residental]/' pm2.yaml >bad.yaml
run pm config apply bad.yaml
expect_rc 78 "an unknown use"
expect_err 'fees\[0\]\.uses\[0\]: expected one of "residential", "commercial", "parking", "storage", got "residental" \(did you mean "residential"\?\)' \
	"is named, with the use meant"
done_testing
