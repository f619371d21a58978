#!/bin/sh
# pm-ask: a long question escalated makes a ticket whose text is cut
# between characters, never inside one (a cut one was no UTF-8: the
# ticket could not be shown, and pm export sent it without its row, which
# pm-rollup refuses); a question that is not UTF-8 is bad input (65,
# named by its line on standard input), the lines after it answered.
. "$PM_TOP/tests/cli/lib.sh"

PM_NOW=2026-12-05T09:00:00+08:00; export PM_NOW
run pm init
run pm config apply "$PM_TOP/share/pm/examples/pm.yaml"
feed '{"code":"1-1-101","area":"80","delivered":"2020-06-30"}\n' pm unit import
run pm-ask faq import -q
expect_rc 0 "the FAQ"

long=$(python3 -c 'print("x" + "字" * 600)')
run pm-ask --unit 1-1-101 --format jsonl "$long"
expect_rc 0 "a long question is answered"
expect_out '"escalated":"low_score","ticket":1' "and escalated to a ticket"
want=$(python3 -c 'print("Asked the help desk: x" + "字" * 392)')
expect_eq "$(sql "SELECT text FROM ticket WHERE id = 1")" "$want" \
	"the ticket has the question up to the last whole character that fits"
expect_eq "$(sql "SELECT length(CAST(text AS BLOB)) FROM ticket WHERE id = 1")" \
	"$(printf '%s' "$want" | wc -c)" "no byte of a cut character"
expect_eq "$(sql "SELECT question FROM ask_gap")" "$long" "the review keeps the whole question"
run pm-repair show 1 --format jsonl
expect_rc 0 "the ticket can be shown"
expect_eq "$(jq -r 'select(.type == "ticket") | .text' "$T/out")|$(jq -r 'select(.type == "ticket_event") | .note' "$T/out")" "$want|$want" "its text, and in its timeline"
run pm export --tables ticket --format jsonl
expect_eq "$(head -n 1 "$T/out" | jq -r '.row.text')" "$want" "pm export sends the ticket with its row"

printf 'pm-ask --no-escalate "\377\376 abc"\n' >bad.sh
run sh bad.sh
expect_rc 65 "a question that is not UTF-8 is bad input"
expect_eq "$(cat "$T/err")" "pm-ask: the question is not UTF-8 text" "said so"
expect_eq "$(cat "$T/out")" "" "no answer"
printf '物业费怎么算\n\377\376 abc\n\n停车费多少钱一小时\n' >qs
run_in qs pm-ask ask --format jsonl
expect_rc 65 "a line that is not UTF-8 among questions"
expect_eq "$(cat "$T/err")" "pm-ask: stdin:2: the question is not UTF-8 text" "named by its line"
expect_eq "$(jq -r .id "$T/out" | tr '\n' ' ')" "fee-property-rate parking-temp-fee " "the questions before and after it answered"
expect_eq "$(sql "SELECT count(*) FROM ticket") $(sql "SELECT count(*) FROM ask_gap")" "1 1" "no ticket nor gap of it"
run pm check
expect_rc 0 "the store checks"
done_testing
