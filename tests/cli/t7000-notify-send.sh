#!/bin/sh
# pm-notify send: templates, recipients, dedupe, the stdout channel, the
# outbox listings.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/notify/sinks.sh"
make_community
export PM_NOW=2026-12-01T10:00:00+08:00

feed "$bill\n" pm-notify send --template bill_issued --channel stdout --flush
expect_rc 0 "a bill is sent on stdout"
expect_eq "$(grep -c '"type":"message"' "$T/out")" 2 "to the owner and the tenant, not the family member"
expect_out '"recipient":"P001".*"subject":"幸福里 2026-11 物业账单","text":"张伟您好：3-2-1101 2026-11 的账单已出，应缴 ¥456.78，请于 2026-12-15 前缴纳。账单号 B-2026-11-3-2-1101。"' \
	"the owner's message: fen as yuan, name and community filled in"
expect_out '"recipient":"P002".*"text":"李娜您好' "the tenant's message has her name"
expect_err 'messages: queued 2, duplicate 0' "the summary counts messages"
expect_eq "$(sql "SELECT status, count(*) FROM outbox GROUP BY status")" "sent|2" "both are marked sent"
expect_eq "$(sql "SELECT attempts, sent_at = created_at FROM outbox WHERE recipient = 'P001'")" "1|1" "after one attempt"

feed "$bill\n" pm-notify send --template bill_issued --channel stdout --flush
expect_rc 0 "sending the same bill again succeeds"
expect_eq "$(grep -c '"type":"message"' "$T/out")" 0 "and sends nothing"
expect_err 'read 1, queued 0, duplicate 1' "the record is counted a duplicate"
expect_eq "$(sql "SELECT count(*) FROM outbox")" 2 "the outbox is unchanged"

PM_NOW=2026-12-02T10:00:00+08:00 feed "$bill\n" pm-notify send --template bill_issued --channel stdout
expect_eq "$(sql "SELECT count(*) FROM outbox WHERE status = 'queued'")" 2 "the next day is a new key: queued again"
run pm-notify queue --format jsonl
expect_out '"status":"queued","channel":"stdout","template":"bill_issued","recipient":"P001"' "queue lists the queued"
expect_eq "$(wc -l <"$T/out")" 2 "and only them"
run pm-notify queue --status bogus
expect_rc 2 "an unknown status is a usage error"

# Times in the community's zone, missing fields, bad records.
printf '%s\n' \
 '{"type":"anomaly","id":"A1","unit":"3-2-1102","meter":"W-3-2-1102","rule":"spike","detail":"用量为上月 5 倍","ts":"2026-11-30T16:30:00Z"}' \
 '{"type":"anomaly","id":"A2","unit":"3-2-1102","meter":"W-3-2-1102","rule":"spike"}' \
 '{"type":"anomaly","id":"A3","meter":"W-1","rule":"r","detail":"d","ts":"2026-11-30T16:30:00Z"}' \
 '{"type":"anomaly","id":"A4","unit":"9-9-999","meter":"W","rule":"r","detail":"d","ts":"2026-11-30T16:30:00Z"}' >anomalies.jsonl
run pm-notify send --template meter_anomaly --channel stdout --reject bad.jsonl anomalies.jsonl
expect_rc 65 "records that cannot be sent make exit 65"
expect_err "anomalies.jsonl:2: template 'meter_anomaly': the record has no field \"ts\"" \
	"a missing field names template and field"
expect_err 'anomalies.jsonl:3: no recipient: the record has no "to", "unit"' "a record with no recipient is named"
expect_err "anomalies.jsonl:4: no one to tell: unit '9-9-999' has no current owner or tenant" "an empty unit is named"
expect_eq "$(wc -l <bad.jsonl)" 3 "the bad records go to the reject file"
expect_eq "$(sql "SELECT body FROM outbox WHERE template = 'meter_anomaly'")" \
	"王芳您好：3-2-1102 的表 W-3-2-1102 于 2026-12-01 00:30 出现异常（spike）：用量为上月 5 倍。请留意用水用电安全，如有疑问请联系物业。" \
	"a UTC time is shown in the community's zone"

run pm-notify send --template no_such_template anomalies.jsonl
expect_rc 78 "an unknown template is a configuration error"
expect_err "no template 'no_such_template'" "and says which"
run pm-notify send anomalies.jsonl
expect_rc 2 "--template is required"

# Staff by login and by role; explicit addresses.
run pm user add wang --role technician --person P005
run pm user add li --role technician
run pm user add zhou --role frontdesk
printf '%s\n' '{"type":"ticket","id":"T-9","title":"电梯困人","assignee":"wang","deadline":"2026-12-01T02:00:00Z"}' \
	'{"type":"ticket","id":"T-10","title":"漏水","role":"technician","deadline":"2026-12-01T02:00:00Z"}' \
	'{"type":"ticket","id":"T-11","title":"门锁","assignee":"nobody","deadline":"2026-12-01T02:00:00Z"}' >tickets.jsonl
run pm-notify send --template sla_breach --channel stdout tickets.jsonl
expect_rc 65 "an unknown assignee is rejected"
expect_err "tickets.jsonl:3: no one to tell: user 'nobody' has no current enabled user" "and named"
expect_eq "$(sql "SELECT ref || ':' || recipient || ':' || coalesce(name, '-') FROM outbox WHERE template = 'sla_breach' ORDER BY id")" \
"T-9:wang:赵磊
T-10:li:-
T-10:wang:赵磊" "the assignee, then everyone with the role"
expect_eq "$(sql "SELECT body FROM outbox WHERE ref = 'T-9'")" "赵磊：工单 T-9「电梯困人」已超过处理时限（2026-12-01 10:00），请立即处理。" \
	"a staff member linked to a person is called by name"

feed '{"id":"X1","to":["13900000009","ops@example.com"],"title":"停水","body":"明天停水"}\n' \
	pm-notify send --template announcement --channel sms
expect_rc 65 "an e-mail address is not a phone number"
expect_err "field \"to\": 'ops@example.com' is not a phone number" "and is named"
feed '{"id":"X1","to":["13900000009","13900000010"],"title":"停水","body":"明天停水"}\n' \
	pm-notify send --template announcement --channel sms
expect_rc 0 "explicit phone numbers"
expect_eq "$(sql "SELECT group_concat(address) FROM outbox WHERE ref = 'X1'")" "13900000009,13900000010" "one message each"

# Without --channel: sms by default, to the phone on record.
feed "$bill\n" pm-notify send --template bill_overdue
expect_eq "$(sql "SELECT channel || ':' || address FROM outbox WHERE template = 'bill_overdue' ORDER BY id")" \
"sms:13800000001
sms:13800000002" "the default channel is sms, to each person's phone"

# The log, per unit.
run pm-notify log --unit 3-2-1102 --format jsonl
expect_out '"template":"meter_anomaly","recipient":"P004"' "log --unit lists the unit's messages"
expect_eq "$(wc -l <"$T/out")" 1 "and no other"

# Permissions.
run pm-notify --as wang send --template bill_issued --channel stdout b.jsonl
expect_rc 77 "a technician may not send"
run pm-notify --as zhou queue
expect_rc 0 "front desk may read the queue"
expect_eq "$(sql "SELECT action FROM audit WHERE action LIKE 'notify.%' ORDER BY id LIMIT 2")" "notify.send
notify.flush" "sending and flushing are audited, once a run"
# The channels and notify sections are checked when applied.
printf 'effective: 2026-01-01\ncommunity:\n  name: x\nchannels:\n  email:\n    url: http://mail.example.com\n    from: a@b.c\n' >bad.yaml
run pm config apply bad.yaml
expect_rc 78 "an e-mail channel needs an SMTP URL"
expect_err 'bad.yaml:6:10: channels.email.url: "http://mail.example.com" is not an smtp:// or smtps:// URL' "and says where"
printf 'effective: 2026-01-01\ncommunity:\n  name: x\nnotify:\n  dedupe: "{{template}:{{ref}}"\n' >bad.yaml
run pm config apply bad.yaml
expect_rc 78 "a dedupe key that does not parse"
expect_err "bad.yaml:5:11: notify.dedupe: '\{\{' at offset 0 holds no field name" "is refused where it is"
done_testing
