#!/bin/sh
# A technician resolving a ticket on the web with a cost of -100 was
# answered 303 and the ticket resolved with no charge: the web took a
# cost below 0 for "no cost", while pm-repair resolve --cost -100
# refused it. The rule is the library's now: the resolve is refused
# (400), saying so in Chinese, the form kept as typed, the ticket not
# resolved and no charge made; -0.01 (-1 fen) is refused too, and a
# cost of 0 or more is taken as before.
. "$PM_TOP/tests/web/lib.sh"

web_store
run pm-repair submit -q --unit 1-1-101 --category plumbing --text 厨房水管漏水
expect_rc 0 "ticket 1 of 1-1-101"
run pm-repair assign 1 --to tech -q
expect_rc 0 "assigned to tech"
web_start

signin tech
get /ticket/1
post /ticket/1/start
expect_code 303 "tech starts it"
get /ticket/1
for cost in -100 -0.01; do
	post /ticket/1/resolve note=换了角阀 "cost=$cost" parts=角阀
	expect_code 400 "a cost of $cost refused"
	expect_body "收费 $(printf '%.2f' "$cost") 小于 0：收费须为 0 或以上" "saying so in Chinese"
	expect_body "name=\"note\" value=\"换了角阀\"" "the note kept in the form"
	expect_body "name=\"cost\" value=\"$cost\"" "the cost kept, to correct"
	expect_eq "$(sql "SELECT status || ' ' || coalesce(cost_fen, 'none') FROM ticket WHERE id = 1")" "in_progress none" \
		"the ticket not resolved"
	expect_eq "$(sql "SELECT count(*) FROM repair_charge")" 0 "no charge"
done
post /ticket/1/resolve note=换了角阀 cost=12.00
expect_code 303 "a cost of 12.00 is taken"
expect_eq "$(sql "SELECT t.status || ' ' || c.amount_fen FROM ticket t JOIN repair_charge c ON c.ticket_id = t.id")" \
	"resolved 1200" "the ticket resolved, 1-1-101 charged 12.00"
done_testing
