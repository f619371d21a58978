#!/bin/sh
# GET /receipt/ID/print numbered the payment's receipt, this year's
# next: a page looked at, reloaded or prefetched took a number from the
# gap-free sequence and wrote an audit record. A GET now changes
# nothing: with no receipt standing it offers a button (a POST) that
# numbers it, once, and shows it; the numbers stay gap-free and one per
# payment, as pm-bill receipt's.
. "$PM_TOP/tests/web/lib.sh"

web_store
run pm-bill pay -q --unit 1-1-101 --amount 10.00 --channel wechat --ref WX-R1
expect_rc 0 "payment 1"
run pm-bill pay -q --unit 1-1-102 --amount 20.00 --channel wechat --ref WX-R2
expect_rc 0 "payment 2"
web_start
rows() { sql "SELECT (SELECT group_concat(payment_id || ':' || year || '-' || seq || ':' || coalesce(void_reason, ''), ' ')
	FROM receipt) || ' audit ' || (SELECT count(*) FROM audit)"; }
before=$(rows)

signin desk
get /receipt/1/print
expect_code 200 "the desk's print page of payment 1"
get /receipt/1/print?paper=80mm
expect_code 200 "and of its slip"
get /receipt/1
expect_code 200 "and the receipt page"
expect_eq "$(rows)" "$before" "three GETs numbered nothing and wrote nothing"
expect_body 'method="post" action="/pm/receipt/1/print"' "the receipt page offers to number and print it (a form)"
get /receipt/1/print
expect_body '还没有开具收据' "the print page says none is made yet"
post /receipt/1/print paper=80mm
expect_code 303 "the button numbers it"
expect_head '^Location: /pm/receipt/1/print\?paper=80mm' "and shows it on the paper chosen"
get /receipt/1/print?paper=80mm
expect_body '2026-000001' "receipt 2026-000001"
expect_eq "$(sql "SELECT count(*) FROM receipt WHERE payment_id = 1")" 1 "one receipt row"
get /receipt/1
post /receipt/1/print paper=a5
expect_code 303 "the button again (a second tap, another tab)"
expect_eq "$(sql "SELECT count(*) FROM receipt")" 1 "numbers nothing more"
get /receipt/1/print
expect_body '2026-000001' "the same number on A5"
run pm-bill receipt 2 --format jsonl
expect_out '"receipt":"2026-000002"' "the command line's next is 2026-000002: no gap"
signin owner1
get /receipt/1/print
expect_code 403 "an owner prints no receipt"
done_testing
