#!/bin/sh
# Notifications a user can trust: send --dry-run queues nothing, and
# send --flush delivers only what that send queued.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/notify/sinks.sh"
make_community
export PM_NOW=2026-12-01T10:00:00+08:00
outbox() { sql "SELECT * FROM outbox ORDER BY id"; }
audits() { sql "SELECT count(*) FROM audit"; }

# Another message waits in the outbox: the tenant of 3-2-1102's bill.
b2='{"type":"bill","bill":"B-2026-11-3-2-1102","unit":"3-2-1102","period":"2026-11","status":"issued","total_fen":9500,"late_fen":0,"adjust_fen":0,"paid_fen":0,"owed_fen":9500,"due":"2026-12-15"}'
feed "$b2\n" pm-notify send --template bill_issued --channel stdout
expect_eq "$(sql "SELECT count(*) FROM outbox WHERE status = 'queued'")" 1 "one message is pending"

# The dry run.
before=$(outbox) audits_before=$(audits)
feed "$bill\n" pm-notify send --template bill_issued --channel stdout --dry-run
expect_rc 0 "a dry run succeeds"
expect_eq "$(outbox)" "$before" "the outbox is unchanged, row for row"
expect_eq "$(audits)" "$audits_before" "and no audit record says something was done"
expect_eq "$(grep -c '"type":"message"' "$T/out")" 2 "the two messages it would queue are printed"
expect_out '^\{"type":"message","template":"bill_issued","ref":"B-2026-11-3-2-1101","channel":"stdout","recipient":"P001","name":"张伟","address":"","unit":"3-2-1101","subject":"幸福里 2026-11 物业账单","text":"张伟您好：3-2-1101 2026-11 的账单已出，应缴 ¥456.78，请于 2026-12-15 前缴纳。账单号 B-2026-11-3-2-1101。","next_at":"2026-12-01T10:00:00\+08:00"\}$' \
	"rendered as they would be sent: recipient, subject, text, when"
expect_out '"recipient":"P002","name":"李娜"' "to the tenant too"
expect_err '^pm-notify: messages: to queue 2, duplicate 0, opted out 0, no address 0; nothing queued \(dry run\)$' \
	"the summary says nothing was queued"

# Without --channel, sms by default: the dry run shows quiet hours too.
PM_NOW=2026-12-01T23:00:00+08:00 feed "$bill\n" pm-notify send --template bill_issued --dry-run --format jsonl
expect_out '"channel":"sms","recipient":"P001","name":"张伟","address":"13800000001".*"next_at":"2026-12-02T08:00:00\+08:00"' \
	"an sms at 23:00 would wait for 08:00"
expect_eq "$(outbox)" "$before" "still nothing queued"

# A message already in the outbox is a duplicate in a dry run as in a send.
feed "$b2\n" pm-notify send --template bill_issued --channel stdout --dry-run
expect_rc 0 "a dry run of what is queued"
expect_eq "$(wc -c <"$T/out")" 0 "prints nothing"
expect_err 'to queue 0, duplicate 1' "and counts it a duplicate"

# A bad record is rejected as a send would.
printf '%s\n' "$bill" '{"type":"bill","bill":"X","period":"2026-11","owed_fen":1,"due":"2026-12-15"}' >mixed.jsonl
run pm-notify send --template bill_issued --channel stdout --dry-run --reject bad.jsonl mixed.jsonl
expect_rc 65 "a bad record makes a dry run exit 65"
expect_err 'mixed.jsonl:2: no recipient' "naming it"
expect_eq "$(wc -l <bad.jsonl)" 1 "and copies it to the reject file"
expect_eq "$(grep -c '"type":"message"' "$T/out")" 2 "the good record's messages are still shown"
expect_eq "$(outbox)" "$before" "nothing queued"

run pm-notify send --template bill_issued --dry-run --flush mixed.jsonl
expect_rc 2 "--dry-run with --flush is a usage error"
expect_err "^pm-notify send: --dry-run queues nothing for --flush to deliver$" "saying why"
run pm-notify --as nobody send --template bill_issued --dry-run mixed.jsonl
expect_rc 77 "a dry run needs the right to send"

# send --flush delivers what it queued, never the rest of the outbox.
feed "$bill\n" pm-notify send --template bill_issued --channel stdout --flush
expect_rc 0 "send --flush"
expect_eq "$(grep -c '"type":"message"' "$T/out")" 2 "prints its two messages"
expect_eq "$(grep -c 'B-2026-11-3-2-1102' "$T/out")" 0 "and not the one pending before it"
expect_eq "$(sql "SELECT ref || ':' || status || ':' || attempts FROM outbox ORDER BY id")" \
"B-2026-11-3-2-1102:queued:0
B-2026-11-3-2-1101:sent:1
B-2026-11-3-2-1101:sent:1" "the pending message is left queued, not attempted"
expect_err 'sent 2, to retry 0, failed 0' "the account counts only its own"

# Its duplicates are not its own either: a send that queues nothing
# flushes nothing.
feed "$b2\n" pm-notify send --template bill_issued --channel stdout --flush
expect_rc 0 "a send of a queued record with --flush"
expect_eq "$(wc -c <"$T/out")" 0 "flushes nothing"
expect_eq "$(sql "SELECT status FROM outbox WHERE ref = 'B-2026-11-3-2-1102'")" "queued" "the earlier message is still queued"

# An announcement's --flush is its own too.
echo 停水 >w.txt
run pm-notify announce --title 停水 --body w.txt --to unit:5-1-0301 --channel stdout --flush
expect_rc 0 "announce --flush"
expect_eq "$(grep -c '"type":"message"' "$T/out")" 1 "sends the announcement's one message"
expect_eq "$(sql "SELECT status FROM outbox WHERE ref = 'B-2026-11-3-2-1102'")" "queued" "and not the pending bill"

# A plain flush takes everything due.
run pm-notify flush
expect_rc 0 "flush"
expect_out 'B-2026-11-3-2-1102' "delivers the rest"
done_testing
