#!/bin/sh
# One bad record is one line on stderr: what a message quotes from the
# input or the command line has its control characters escaped, so a
# value cannot forge a "FILE:LINE:" line of its own.
. "$PM_TOP/tests/cli/lib.sh"

run pm init
feed '{"code":"1-1-101","area":"80"}\n' pm unit import
feed '{"code":"W-1","kind":"water","serves":"1-1-101"}\n' pm-meter import
printf '%s\n' '{"meter":"W-1\npm-meter: r.jsonl:9: forged","ts":"2026-11-01T08:00:00+08:00","value":1}' \
	'{"meter":"W-1","ts":"2026-11-01T08:00:00+08:00","value":"1\u001b[2J"}' >r.jsonl
run pm-meter ingest r.jsonl
expect_rc 65 "both readings are rejected"
expect_eq "$(grep -c '' "$T/err")" "4" "two rejections, the summary and the total: four lines"
expect_err '^pm-meter: r.jsonl:1: unknown meter .W-1\\npm-meter: r.jsonl:9: forged.$' \
	"the newline in the meter code is written \\\\n"
expect_eq "$(grep -c '^pm-meter: r.jsonl:9' "$T/err")" "0" "and forges no line"
expect_err '^pm-meter: r.jsonl:2: field "value": "1\\x1b\[2J": ' "an escape character is written \\\\x1b"

run pm unit show "$(printf '1-1\n101')"
expect_eq "$(grep -c '' "$T/err")" "1" "a value from the command line stays on one line too"
expect_err "^pm: no unit '1-1\\\\n101'$" "escaped the same way"

printf 'code,area\n"1-1-\r\n102",abc\n' >u.csv
run pm unit import u.csv
expect_rc 65 "a CSV cell with a line break in it is rejected"
expect_eq "$(grep -c '^pm: u.csv:2:' "$T/err")" "1" "on one line"
expect_err '^pm: u.csv:2: field "code": ' "naming the record where it starts"
done_testing
