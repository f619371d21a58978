#!/bin/sh
# pm-rollup report consumption counts a register's wraps inside the month
# as pm-meter usage and pm-report do: each reading below the one before
# it adds a turn of the register (10^digits), not only a closing below
# the opening. A 3-digit meter (range 1000) read 100, 950, 50 and 150
# used 1050; one read 100, 900, 10, 950, 20 and 30 went round twice: 1930.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/rollup-pg.sh"

PM_NOW=2026-12-05T09:00:00+08:00
export PM_NOW
run pm init
feed '{"code":"1-1-101","area":"80","status":"occupied"}
{"code":"1-1-102","area":"80","status":"occupied"}\n' pm unit import
feed '{"code":"W1","kind":"water","serves":"1-1-101","digits":3,"installed":"2026-10-01T00:00:00+08:00"}
{"code":"W2","kind":"water","serves":"1-1-102","digits":3,"installed":"2026-10-01T00:00:00+08:00"}\n' pm-meter import
feed '{"meter":"W1","ts":"2026-10-31T23:00:00+08:00","value":100}
{"meter":"W1","ts":"2026-11-10T00:00:00+08:00","value":950}
{"meter":"W1","ts":"2026-11-20T00:00:00+08:00","value":50}
{"meter":"W1","ts":"2026-11-30T23:00:00+08:00","value":150}
{"meter":"W2","ts":"2026-10-31T23:00:00+08:00","value":100}
{"meter":"W2","ts":"2026-11-05T00:00:00+08:00","value":900}
{"meter":"W2","ts":"2026-11-10T00:00:00+08:00","value":10}
{"meter":"W2","ts":"2026-11-15T00:00:00+08:00","value":950}
{"meter":"W2","ts":"2026-11-20T00:00:00+08:00","value":20}
{"meter":"W2","ts":"2026-11-30T23:00:00+08:00","value":30}\n' pm-meter ingest
expect_rc 0 "readings that go round inside November"
run pm export --format jsonl
cp "$T/out" a.feed
run pm-rollup load --pg "$conn" a.feed
expect_rc 0 "the community loaded"

run pm-rollup report consumption --pg "$conn" --period 2026-11 --format jsonl
expect_rc 0 "pm-rollup report consumption"
expect_eq "$(jq -c 'select(.section == "water" and .total) | [.meters, .usage]' "$T/out")" '[2,"2980.000"]' \
	"the group counts 1050 + 1930, every wrap"
expect_eq "$(pg "SELECT meter_id || ':' || usage FROM rollup_usage('2026-11-01') ORDER BY meter_id" | tr '\n' ' ')" \
	"1:1050000 2:1930000 " "each meter's usage, in thousandths"
run pm-report consumption --period 2026-11 --section water --format jsonl
expect_out '"usage":"2980.000",.*"total":true' "the same as the community's own report"

done_testing
