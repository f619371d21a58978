#!/bin/sh
# A register that goes round inside the period, not only between its
# opening and closing readings: every reading below the one before it
# adds the register's range (pm-meter(1) WRAP-AROUND), in pm-meter
# usage, the bills' metered lines, the year to date of annual tiers and
# pm-report consumption alike. Three-digit registers: range 1000.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-20T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"80","status":"occupied"}
{"code":"1-1-102","area":"80","status":"occupied"}
{"code":"1-1-103","area":"80","status":"occupied"}
{"code":"1-1-104","area":"80","status":"occupied"}\n' pm unit import
feed '{"code":"W1","kind":"water","serves":"1-1-101","digits":3,"installed":"2026-10-01T00:00:00+08:00"}
{"code":"W2","kind":"water","serves":"1-1-102","digits":3,"installed":"2026-10-01T00:00:00+08:00"}
{"code":"W3","kind":"water","serves":"1-1-103","digits":3,"installed":"2026-10-01T00:00:00+08:00"}
{"code":"E1","kind":"electricity","serves":"1-1-101","digits":3,"registers":["peak"],"installed":"2026-10-01T00:00:00+08:00"}
{"code":"G1","kind":"gas","serves":"1-1-104","digits":3,"installed":"2026-01-01T00:00:00+08:00"}\n' pm-meter import
expect_rc 0 "three-digit meters"
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试
fees:
  - name: water
    label: 水费
    type: metered
    meter_kind: water
    price: 1.00
  - name: gas
    label: 燃气费
    type: metered
    meter_kind: gas
    tiers:
      period: year
      steps:
        - {upto: 500, price: 1.00}
        - {price: 2.00}
Y
run pm config apply pm.yaml
expect_rc 0 "a flat water price, annual gas tiers"

# W1: 100, 950, round to 50, 150: 850 + 50 + 100 = 1050 (the closing is
# above the opening: the wrap shows only in the readings between).
# W2: 100, 900, 10, 950, 20, 30: round twice, 30 - 100 + 2000 = 1930.
# W3: 900, 990, and 30 at the period's very end, round once: 130; in
# December from that 30 to 80: 50, no wrap of its own.
# E1's peak register goes as W1 does: 1050.
# G1: 100 by May, in June 950, round to 10, 200 (1100), 300 by October:
# 1300 before November, where old code counted 300.
cat >r.jsonl <<'J'
{"meter":"W1","ts":"2026-10-31T23:00:00+08:00","value":100}
{"meter":"W1","ts":"2026-11-10T00:00:00+08:00","value":950}
{"meter":"W1","ts":"2026-11-20T00:00:00+08:00","value":50}
{"meter":"W1","ts":"2026-11-30T23:00:00+08:00","value":150}
{"meter":"W2","ts":"2026-10-31T23:00:00+08:00","value":100}
{"meter":"W2","ts":"2026-11-05T00:00:00+08:00","value":900}
{"meter":"W2","ts":"2026-11-10T00:00:00+08:00","value":10}
{"meter":"W2","ts":"2026-11-15T00:00:00+08:00","value":950}
{"meter":"W2","ts":"2026-11-20T00:00:00+08:00","value":20}
{"meter":"W2","ts":"2026-11-30T23:00:00+08:00","value":30}
{"meter":"W3","ts":"2026-10-31T23:00:00+08:00","value":900}
{"meter":"W3","ts":"2026-11-15T00:00:00+08:00","value":990}
{"meter":"W3","ts":"2026-12-01T00:00:00+08:00","value":30}
{"meter":"W3","ts":"2026-12-15T00:00:00+08:00","value":80}
{"meter":"E1","ts":"2026-10-31T23:00:00+08:00","value":100,"registers":{"peak":100}}
{"meter":"E1","ts":"2026-11-10T00:00:00+08:00","value":950,"registers":{"peak":950}}
{"meter":"E1","ts":"2026-11-20T00:00:00+08:00","value":50,"registers":{"peak":50}}
{"meter":"E1","ts":"2026-11-30T23:00:00+08:00","value":150,"registers":{"peak":150}}
{"meter":"G1","ts":"2026-05-31T23:00:00+08:00","value":100}
{"meter":"G1","ts":"2026-06-10T00:00:00+08:00","value":950}
{"meter":"G1","ts":"2026-06-20T00:00:00+08:00","value":10}
{"meter":"G1","ts":"2026-06-30T23:00:00+08:00","value":200}
{"meter":"G1","ts":"2026-10-31T23:00:00+08:00","value":300}
{"meter":"G1","ts":"2026-11-30T23:00:00+08:00","value":310}
J
run pm-meter ingest r.jsonl
expect_rc 0 "every decrease is a wrap: all taken"
expect_err 'read 24, inserted 24, .*rejected 0' "24 readings stored"

run pm-meter readings W2 --format jsonl
expect_eq "$(grep -c '"flags":"wrapped"' "$T/out")" "2" "W2's two wraps are flagged on their readings"

run pm-meter usage --period 2026-11 --format jsonl
expect_rc 0 "November's usage"
expect_out '"meter":"W1",.*"opening":"100.000","closing":"150.000","usage":"1050.000","multiplier":1,"flags":"wrapped"\}$' \
	"W1: a wrap between readings above the opening counts 1000 more, and is flagged"
expect_out '"meter":"W2",.*"opening":"100.000","closing":"30.000","usage":"1930.000","multiplier":1,"flags":"wrapped"\}$' \
	"W2: two wraps in the period count 2000 more"
expect_out '"meter":"W3",.*"opening":"900.000","closing":"30.000","usage":"130.000","multiplier":1,"flags":"wrapped"\}$' \
	"W3: a wrap at the reading that closes the period counts in it"
expect_out '"meter":"E1",.*"usage":"1050.000",.*"flags":"wrapped","registers":\{"peak":\{"opening":"100.000","closing":"150.000","usage":"1050.000"\}\}' \
	"E1: the time-of-use register counts its wrap too"
run pm-meter usage --period 2026-12 --meter W3 --format jsonl
expect_out '"opening":"30.000","closing":"80.000","usage":"50.000","multiplier":1,"flags":""\}$' \
	"W3 in December opens at the wrapped reading and has no wrap of its own"

run pm-report consumption --period 2026-11 --format jsonl
expect_rc 0 "pm-report consumption"
expect_out '"section":"water","place":null,"meters":3,"usage":"3110.000",' "the report sums the same usage: 1050 + 1930 + 130"

PM_NOW=2026-12-01T09:00:00+08:00 run pm-bill run --period 2026-11 --format jsonl
expect_rc 0 "November's bills"
expect_out '"bill":"B-2026-11-1-1-101",.*"total_fen":105000,' "101 pays 1050 m3 at ¥1.00: ¥1,050.00"
expect_out '"bill":"B-2026-11-1-1-102",.*"total_fen":193000,' "102 pays 1930 m3: ¥1,930.00"
expect_out '"bill":"B-2026-11-1-1-103",.*"total_fen":13000,' "103 pays 130 m3: ¥130.00"
# 104: 10 m3 after 1300 this year, past the first tier's 500: 10 × 2.00
expect_out '"bill":"B-2026-11-1-1-104",.*"total_fen":2000,' "104's gas is priced at the tier June's wrap took it to"
expect_eq "$(sql "SELECT json_extract(breakdown, '\$.before') FROM bill_line WHERE fee = 'gas'")" "1300.000" \
	"the year to date before November counts June's wrap: 1300"
expect_eq "$(sql "SELECT group_concat(amount_fen, ' ') FROM (SELECT amount_fen FROM bill_line ORDER BY bill_id, fee)")" \
	"105000 193000 13000 2000" "one line a bill, to the fen"

done_testing
