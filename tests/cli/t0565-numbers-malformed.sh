#!/bin/sh
# A JSON number that is not JSON (1.5e, 1e+, 01.50, 1., .5, --1, 1.5.5)
# is refused as malformed JSON, in every input that reads JSON lines,
# whichever way the line is read: it was quoted into the decimal it began
# with (1.5e read as 1.5), and money was recorded from it. The line goes
# to --reject, the good lines are committed, the exit is 65.
. "$PM_TOP/tests/cli/lib.sh"

run pm init
feed '{"code":"1-1-101","area":89.50}\n' pm unit import

forms='1. .5 01 1e 1e+ - 1.5e --1 1.5.5 1.50e 01.50 1.50.50 -1.5E-1e1 1.5e- 0.10e'
n=0
{
	echo '{"unit":"1-1-101","amount":1.50,"channel":"cash","ref":"G1"}'
	for x in $forms; do
		n=$((n + 1))
		# As written, and with an escape, which sends the line down
		# the other reader (numbers_exact, then jansson).
		echo "{\"unit\":\"1-1-101\",\"amount\":$x,\"channel\":\"cash\",\"ref\":\"M$n\"}"
		echo "{\"unit\":\"1-1-101\",\"amount\":$x,\"channel\":\"c\\u0061sh\",\"ref\":\"N$n\"}"
	done
	echo '{"unit":"1-1-101","amount":2.50,"channel":"cash","ref":"G2"}'
} >pay.jsonl
run pm-bill pay --reject rej.jsonl pay.jsonl
expect_rc 65 "payments with malformed amounts are rejected"
expect_eq "$(sql 'SELECT ref, amount_fen FROM payment ORDER BY id')" "G1|150
G2|250" "only the two good payments are recorded, to the fen"
expect_eq "$(cat rej.jsonl)" "$(sed '1d;$d' pay.jsonl)" "every malformed line is in the reject file as written"
expect_eq "$(grep -c 'invalid JSON: ' err)" "$((2 * n))" "each is refused as invalid JSON"
expect_err "^pm-bill: pay.jsonl:14: invalid JSON: invalid token near '1.5e' \\(column 31\\)$" \
	"1.5e with jansson's message, naming file, line and column"
expect_err "^pm-bill: pay.jsonl:15: invalid JSON: invalid token near '1.5e' \\(column 31\\)$" \
	"and so with an escape on the line"
expect_err "^pm-bill: pay.jsonl:22: invalid JSON: invalid token near '0' \\(column 28\\)$" "01.50 is refused at its leading zero"
expect_err '^pm-bill: read 32, recorded 2, duplicate 0, rejected 30$' "the counts"

# Other fields and programs read JSON lines through the same reader.
printf '%s\n' '{"code":"1-1-102","area":89.5e}' '{"code":"1-1-103","area":8.950e1}' \
	'{"code":"1-1-104","area":[1e+],"floor":2}' >u.jsonl
run pm unit import --reject urej.jsonl u.jsonl
expect_rc 65 "an area of 89.5e is rejected"
expect_err '^pm: u.jsonl:1: invalid JSON: invalid token near .89.5e. \(column 30\)$' "as invalid JSON"
expect_eq "$(sql "SELECT code, area_centi FROM unit ORDER BY code")" "1-1-101|8950
1-1-103|8950" "8.950e1 is JSON and taken as 89.50; 89.5e and 1e+ are not"
expect_eq "$(cat urej.jsonl)" '{"code":"1-1-102","area":89.5e}
{"code":"1-1-104","area":[1e+],"floor":2}' "both bad lines are in the reject file"

feed '{"code":"W1","kind":"water","serves":"1-1-101","installed":"2026-01-01T00:00:00+08:00"}\n' pm-meter import
printf '%s\n' '{"meter":"W1","ts":"2026-11-01T08:00:00+08:00","value":12.5e}' \
	'{"meter":"W1","ts":"2026-11-02T08:00:00+08:00","value":1.25e1}' >r.jsonl
run pm-meter ingest --reject rrej.jsonl r.jsonl
expect_rc 65 "a reading of 12.5e is rejected"
expect_err '^pm-meter: r.jsonl:1: invalid JSON: ' "as invalid JSON"
expect_eq "$(sql 'SELECT value FROM reading')" "12500" "1.25e1 is read as 12.5, exactly"
expect_eq "$(cat rrej.jsonl)" '{"meter":"W1","ts":"2026-11-01T08:00:00+08:00","value":12.5e}' "the bad reading is kept"
done_testing
