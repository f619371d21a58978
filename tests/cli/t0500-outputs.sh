#!/bin/sh
# Outputs never claim what is not in the store: an import prints the
# records it made only once their batch is committed, and never those of a
# batch rolled back (--strict with a bad record), ids included.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

run pm init --community 幸福里
run pm config apply "$PM_TOP/share/pm/examples/pm.yaml"
feed '{"code":"1-1-101","area":"89.50","status":"occupied","delivered":"2020-06-30"}\n' pm unit import
feed '{"code":"P001","name":"张伟","phone":"13800000001","unit":"1-1-101"}\n' pm person import
feed '{"code":"W1","kind":"water","serves":"1-1-101","installed":"2026-01-01T00:00:00+08:00"}\n' pm-meter import

cat >pay.jsonl <<'J'
{"unit":"1-1-101","amount":"100.00","channel":"wechat","ref":"WX-1"}
{"unit":"9-9-999","amount":"50.00","channel":"wechat","ref":"WX-2"}
J
run sh -c 'pm-bill pay --strict - <pay.jsonl | pm-notify send --template payment_received --channel stdout --flush'
expect_eq "$(grep -c '"type":"message"' "$T/out")" "0" "pm-bill pay --strict - with a bad line | pm-notify send sends nothing"
expect_eq "$(sql 'SELECT count(*) FROM payment')|$(sql 'SELECT count(*) FROM outbox')" "0|0" \
	"no payment, no message"
run_in pay.jsonl pm-bill pay --strict -
expect_rc 65 "pm-bill pay --strict - exits 65"
expect_eq "$(wc -c <"$T/out" | tr -d ' ')" "0" "and prints no payment, nor the id it was given"
expect_err '^pm-bill: stdin:2: ' "the bad line is named"

run_in pay.jsonl pm-bill pay -
expect_rc 65 "without --strict the good payment is recorded"
expect_out "^\{\"type\":\"payment\",\"payment\":$(sql "SELECT id FROM payment WHERE ref = 'WX-1'")," \
	"and printed with the id it has in the store"

# A stream: each payment is recorded, printed and read by pm-notify send
# while the next is on its way, neither holding the store while it waits.
run timeout 60 sh -c '{ echo "{\"unit\":\"1-1-101\",\"amount\":\"1.00\",\"channel\":\"cash\",\"ref\":\"S1\"}"; sleep 2
	echo "{\"unit\":\"1-1-101\",\"amount\":\"2.00\",\"channel\":\"cash\",\"ref\":\"S2\"}"; } |
	PM_BUSY_TIMEOUT=20 pm-bill pay - | pm-notify send --template payment_received --channel stdout --flush'
expect_rc 0 "a stream of payments into pm-notify send completes"
expect_eq "$(sql "SELECT count(*) FROM payment WHERE ref IN ('S1', 'S2')")|$(grep -c '"type":"message"' "$T/out")" "2|2" \
	"both are recorded and told"

cat >tickets.jsonl <<'J'
{"unit":"1-1-101","category":"plumbing","text":"厨房漏水"}
{"unit":"1-1-101","category":"plumbin","text":"x"}
J
run pm-repair submit --strict tickets.jsonl
expect_rc 65 "pm-repair submit --strict with a bad record exits 65"
expect_eq "$(wc -c <"$T/out" | tr -d ' ')|$(sql 'SELECT count(*) FROM ticket')" "0|0" \
	"and prints no ticket, as none is filed"
run pm-repair submit tickets.jsonl
expect_out '^\{"type":"ticket","id":1,' "without --strict the filed ticket is printed"

printf '%s\n' '{"meter":"W1","ts":"2026-11-05T08:00:00+08:00","value":20}' \
	'{"meter":"NOPE","ts":"2026-11-05T08:00:00+08:00","value":1}' >r.jsonl
run pm-meter ingest --strict --format jsonl r.jsonl
expect_rc 65 "pm-meter ingest --strict --format jsonl with a bad reading exits 65"
expect_eq "$(grep -c '"outcome":"inserted"' "$T/out")|$(sql 'SELECT count(*) FROM reading')" "0|0" \
	"and reports nothing inserted, as nothing is"
expect_out '"meter":"NOPE",.*"outcome":"rejected"' "the rejection is still reported"

# A batch that fails half way (its reject file cannot be written) is rolled
# back, and what it had made is not reported either.
run pm-meter ingest --format jsonl --reject /dev/full r.jsonl
expect_rc 74 "an ingest whose reject file is full fails"
expect_eq "$(grep -c '"outcome":"inserted"' "$T/out")|$(sql 'SELECT count(*) FROM reading')" "0|0" \
	"and reports nothing inserted, as its batch was rolled back"
done_testing
