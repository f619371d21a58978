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

# Missing fields and bad records (bills as pm-bill prints them).
b2='"type":"bill","bill":"B-2026-11-3-2-1102","period":"2026-11","status":"issued","total_fen":9500,"late_fen":0,"adjust_fen":0,"paid_fen":0,"due":"2026-12-15"'
printf '%s\n' "{$b2,\"unit\":\"3-2-1102\",\"owed_fen\":9500}" "{$b2,\"unit\":\"3-2-1102\"}" \
	"{$b2,\"owed_fen\":9500}" "{$b2,\"unit\":\"9-9-999\",\"owed_fen\":9500}" >bills.jsonl
run pm-notify send --template bill_issued --channel stdout --reject bad.jsonl bills.jsonl
expect_rc 65 "records that cannot be sent make exit 65"
expect_err "bills.jsonl:2: template 'bill_issued': the record has no field \"owed_fen\"" \
	"a missing field names template and field"
expect_err 'bills.jsonl:3: no recipient: the record has no "to", "unit"' "a record with no recipient is named"
expect_err "bills.jsonl:4: no one to tell: unit '9-9-999' has no current owner or tenant" "an empty unit is named"
expect_eq "$(wc -l <bad.jsonl)" 3 "the bad records go to the reject file"
expect_eq "$(sql "SELECT body FROM outbox WHERE ref = 'B-2026-11-3-2-1102'")" \
	"王芳您好：3-2-1102 2026-11 的账单已出，应缴 ¥95.00，请于 2026-12-15 前缴纳。账单号 B-2026-11-3-2-1102。" \
	"the good record is queued"

run pm-notify send --template no_such_template bills.jsonl
expect_rc 78 "an unknown template is a configuration error"
expect_err "no template 'no_such_template'" "and says which"
run pm-notify send bills.jsonl
expect_rc 2 "--template is required"

# Staff by login and by role, never the unit's residents (breaches as
# pm-repair overdue prints them); explicit addresses.
run pm user add wang --role technician --person P005
run pm user add li --role technician
run pm user add zhou --role frontdesk
run pm user add guard1 --role guard
breach() { # TICKET ASSIGNEE TEXT: an SLA breach of a ticket of 3-2-1101
	printf '{"type":"sla_breach","ticket":%s,"clock":"resolve","over_by":3600,"over":"1h","budget":14400,"status":"assigned","category":"elevator","priority":"urgent","unit":"3-2-1101","area":null,"assignee":%s,"as_of":"2026-12-01T10:00:00+08:00","text":"%s"}\n' "$@"
}
{ breach 9 '"wang"' 电梯困人; breach 10 null 漏水; breach 11 '"nobody"' 门锁; } >breaches.jsonl
run pm-notify send --template sla_breach --channel stdout breaches.jsonl
expect_rc 65 "without --role an unassigned breach has no one to tell"
expect_err 'breaches.jsonl:2: no recipient: the record has no "to", "assignee", "login" or "role", and no --role was given' \
	"and is named: a staff template does not fall back on the unit"
run pm-notify send --template sla_breach --channel stdout --role technician breaches.jsonl
expect_rc 65 "an unknown assignee is rejected"
expect_err "breaches.jsonl:3: no one to tell: user 'nobody' has no current enabled user" "and named"
expect_eq "$(sql "SELECT ref || ':' || recipient || ':' || coalesce(name, '-') FROM outbox WHERE template = 'sla_breach' ORDER BY id")" \
"9:resolve:wang:赵磊
10:resolve:li:-
10:resolve:wang:赵磊" "the assignee, else everyone with --role; keyed by ticket and clock"
expect_eq "$(sql "SELECT count(*) FROM outbox WHERE template = 'sla_breach' AND recipient IN ('P001', 'P002')")" 0 \
	"never the unit's owner or tenant"
expect_eq "$(sql "SELECT body FROM outbox WHERE ref = '9:resolve'")" "赵磊：工单 9「电梯困人」（elevator）已超过完成时限 1小时，请立即处理。" \
	"a staff member linked to a person is called by name"
run pm-notify send --template sla_breach --role janitor breaches.jsonl
expect_rc 2 "an unknown --role is a usage error"
expect_err "unknown role 'janitor'" "and named"

# Times in the community's zone; a record's own role.
feed '{"type":"alarm","gate":"north","gate_name":"北门","event":"door_forced","severity":"critical","ts":"2026-11-30T16:30:00Z","subject":null,"role":"guard"}\n' \
	pm-notify send --template gate_alarm --channel stdout --role frontdesk
expect_eq "$(sql "SELECT recipient || ':' || body FROM outbox WHERE template = 'gate_alarm'")" \
	"guard1:guard1：北门 于 2026-12-01 00:30 发生告警：门被强行打开（紧急）。" \
	"the record's role before --role; a UTC time is shown in the community's zone; no arrival, no word of it"

feed '{"id":"X1","to":["13900000009","ops@example.com"],"title":"停水","body":"明天停水"}\n' \
	pm-notify send --template announcement --channel sms
expect_rc 65 "an e-mail address is not a phone number"
expect_err "field \"to\": 'ops@example.com' is not a phone number" "and is named"
feed '{"id":"X1","to":["13900000009","13900000010"],"title":"停水","body":"明天停水"}\n' \
	pm-notify send --template announcement --channel sms
expect_rc 0 "explicit phone numbers"
expect_eq "$(sql "SELECT group_concat(address) FROM outbox WHERE ref = 'X1'")" "13900000009,13900000010" "one message each"

feed '{"id":"X2","to":"+86 139-0000-0011","title":"停水","body":"明天停水"}\n' \
	pm-notify send --template announcement --channel sms
expect_rc 0 "a number written with spaces and dashes"
expect_eq "$(sql "SELECT address FROM outbox WHERE ref = 'X2'")" "+8613900000011" "is dialled as its digits"

# Without --channel: sms by default, to the phone on record, as the
# gateway dials it whatever way it was written down.
feed '{"code":"P002","name":"李娜","phone":"138-0000-0002"}\n' pm person import -q
expect_eq "$(sql "SELECT phone FROM person WHERE code = 'P002'")" "138-0000-0002" "a resident's phone kept as written"
feed "$bill\n" pm-notify send --template bill_overdue
expect_eq "$(sql "SELECT channel || ':' || address FROM outbox WHERE template = 'bill_overdue' ORDER BY id")" \
"sms:13800000001
sms:13800000002" "the default channel is sms, to each person's phone"

# The log, per unit.
run pm-notify log --unit 3-2-1102 --format jsonl
expect_out '"template":"bill_issued","recipient":"P004"' "log --unit lists the unit's messages"
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
printf 'effective: 2026-01-01\ncommunity:\n  name: x\nnotify:\n  templates:\n    t1:\n      category: meter\n      audience: landlords\n      subject: s\n      text: t\n' >bad.yaml
run pm config apply bad.yaml
expect_rc 78 "a template's audience is residents, owners or staff"
expect_err 'bad.yaml:8:17: notify.templates.t1.audience: expected one of "residents", "owners", "staff", got "landlords"' "and says where"
done_testing
