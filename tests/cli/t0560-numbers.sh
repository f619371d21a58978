#!/bin/sh
# A JSON number with more decimals than its field allows is rejected as a
# decimal string is, never rounded through a double.
. "$PM_TOP/tests/cli/lib.sh"

run pm init
feed '{"code":"1-1-101","area":0.1000000000000000055511151231257827}\n' pm unit import
expect_rc 65 "an area of 34 decimals is rejected"
expect_err '^pm: stdin:1: field "area": "0.1000000000000000055511151231257827": more than 2 decimals$' \
	"quoting the number as written"
feed '{"code":"1-1-101","area":89.50}\n' pm unit import
expect_eq "$(sql 'SELECT area_centi FROM unit')" "8950" "89.50 is two decimals, and taken"

feed '{"code":"W1","kind":"water","serves":"1-1-101","installed":"2026-01-01T00:00:00+08:00"}\n' pm-meter import
printf '%s\n' '{"meter":"W1","ts":"2026-11-01T08:00:00+08:00","value":12.3450}' \
	'{"meter":"W1","ts":"2026-11-02T08:00:00+08:00","value":12.3450000000000001}' \
	'{"meter":"W1","ts":"2026-11-03T08:00:00+08:00","value":1.5e2}' >r.jsonl
run pm-meter ingest r.jsonl
expect_err '^pm-meter: r.jsonl:1: field "value": "12.3450": more than 3 decimals$' "a reading of 4 decimals, a zero the last"
expect_err '^pm-meter: r.jsonl:2: field "value": "12.3450000000000001": more than 3 decimals$' \
	"one of 16, which a double reads as 12.345"
expect_eq "$(sql 'SELECT value FROM reading')" "150000" "1.5e2 is 150, exactly"

printf '%s\n' '{"unit":"1-1-101","amount":100.0000000000000001,"channel":"cash","ref":"C1"}' \
	'{"unit":"1-1-101","amount":312.50,"channel":"cash","ref":"C2"}' >pay.jsonl
run_in pay.jsonl pm-bill pay -
expect_err '^pm-bill: stdin:1: field "amount": "100.0000000000000001": more than two decimals$' \
	"an amount of 16 decimals is not taken as ¥100.00"
expect_eq "$(sql 'SELECT ref, amount_fen FROM payment')" "C2|31250" "312.50 is"
done_testing
