#!/bin/sh
# Each single-record change owns its write transaction and its audit
# record in libpm (pm_meter_add, pm_asset_add, pm_ticket_submit_one,
# pm_bill_pay_one, a flush's rounds): all of it or nothing, one record per
# change. Status names are checked by the library too.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

run pm init
run pm config apply "$PM_TOP/share/pm/examples/pm.yaml"
feed '{"code":"1-1-101","area":"80","delivered":"2020-06-30"}\n' pm unit import
feed '{"code":"P1","name":"业主甲","unit":"1-1-101"}\n' pm person import
audits() { sql "SELECT action || ' ' || object FROM audit WHERE action LIKE '$1' ORDER BY id" | tr '\n' ' '; }

# pm-meter add: the meter and its audit record together.
run pm-meter add W1 --kind water --serves 1-1-101
expect_rc 0 "a meter added"
run pm-meter add W1 --kind water --serves 1-1-101
expect_rc 0 "the same again"
run pm-meter add W1 --kind water --serves 1-1-101 --address 000000000161
expect_rc 0 "and changed"
expect_eq "$(audits 'meter.%')" "meter.add meter:W1 meter.update meter:W1 " "added and updated audited, the unchanged not"
run pm-meter add W2 --kind water --serves 9-9-999
expect_rc 65 "a meter of an unknown unit is refused"
expect_eq "$(sql "SELECT count(*) FROM meter WHERE code = 'W2'")|$(audits 'meter.%')" \
	"0|meter.add meter:W1 meter.update meter:W1 " "leaving neither meter nor audit record"

# pm-repair asset add and submit.
run pm-repair asset add --code EL-1 --name 电梯 --kind elevator
expect_rc 0 "an asset added"
run pm-repair asset add --code EL-2 --kind elevator
expect_rc 65 "a new asset without a name is refused"
expect_eq "$(sql 'SELECT code FROM asset')|$(audits 'asset.%')" "EL-1|asset.add asset:EL-1 " "one asset, one record"
run pm-repair submit --unit 1-1-101 --category plumbing --text 漏水
expect_rc 0 "a ticket filed"
run pm-repair submit --unit 9-9-999 --category plumbing --text 漏水
expect_rc 65 "one for an unknown unit refused"
expect_eq "$(sql 'SELECT count(*) FROM ticket')|$(audits 'ticket.%')" "1|ticket.submit ticket:1 " "one ticket, one record"

# pm-bill pay: a payment and its record, or neither.
run pm-bill pay --unit 1-1-101 --amount 100 --channel cash --ref C1 --format jsonl
expect_rc 0 "a payment recorded"
expect_out '"prepaid_fen":10000' "all of it prepaid"
run pm-bill pay --unit 1-1-101 --amount 10000000.01 --channel cash --ref C2
expect_rc 65 "one above billing.max_amount refused"
expect_eq "$(sql 'SELECT ref, amount_fen FROM payment')|$(sql "SELECT count(*) FROM audit WHERE action LIKE 'bill.pay%' OR action LIKE 'payment%'")" \
	"C1|10000|1" "one payment of 100.00 yuan, one audit record"

# pm-notify flush: its rounds and one run record.
printf '{"type":"ticket","id":1,"status":"submitted","category":"plumbing","unit":"1-1-101","text":"x"}\n' >t.jsonl
run pm-notify send --channel stdout --template ticket_status t.jsonl
expect_rc 0 "a message queued"
run pm-notify flush
expect_rc 0 "a flush"
expect_eq "$(sql "SELECT count(*) FROM outbox WHERE status = 'sent'")" 1 "sends the message"
expect_eq "$(sql "SELECT json_extract(after, '\$.status'), json_extract(after, '\$.sent'), json_extract(after, '\$.failed') FROM audit WHERE action = 'notify.flush' ORDER BY id DESC LIMIT 1")" \
	"done|1|0" "and records its run: done, 1 sent, none failed"

# Status names.
run pm-bill list --status payed
expect_rc 2 "an unknown bill status is a usage error"
expect_err "^pm-bill list: unknown status 'payed': expected draft, issued, partial, paid or void$" "naming the statuses"
run pm-notify queue --status gone
expect_rc 2 "an unknown outbox status too"
expect_err "^pm-notify queue: unknown status 'gone': expected queued, sending, sent or failed$" "naming them"
done_testing
