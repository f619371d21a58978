#!/bin/sh
# Staff have addresses of their own (pm user add|set --phone --email
# --wecom); a message for staff none of whom has an address for the
# channel is rejected, saying so.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/notify/sinks.sh"
make_community
start_http_sink "$T/http"
export PM_NOW=2026-12-01T10:00:00+08:00
export PM_TEST_WECOM_URL="http://127.0.0.1:$HTTP_PORT/robot"
cat >pm.yaml <<Y
effective: 2026-01-01
community:
  name: 幸福里
channels:
  wecom:
    url: env:PM_TEST_WECOM_URL
Y
run pm config apply pm.yaml
breach() { # TICKET ASSIGNEE: an SLA breach of a ticket of 3-2-1101
	printf '{"type":"sla_breach","ticket":%s,"clock":"resolve","over_by":3600,"over":"1h","budget":14400,"status":"assigned","category":"elevator","priority":"urgent","unit":"3-2-1101","area":null,"assignee":%s,"as_of":"2026-12-01T10:00:00+08:00","text":"电梯困人"}\n' "$@"
}

run pm user add zhou --role frontdesk
run pm user add qian --role frontdesk
breach 1 null >b1.jsonl
run pm-notify send --template sla_breach --channel sms --role frontdesk b1.jsonl
expect_rc 65 "a role none of whose members has a phone: exit 65"
expect_err "^pm-notify: b1.jsonl:1: no one to tell: no enabled user with role 'frontdesk' has an address for sms \(pm user set LOGIN --phone\)$" \
	"saying so, and how to give one"
expect_eq "$(sql "SELECT count(*) FROM outbox")" 0 "nothing queued"

run pm user set zhou --phone 13900000001 --email zhou@example.com --wecom zhouwei
expect_rc 0 "pm user set --phone --email --wecom"
expect_eq "$(sql "SELECT phone || '|' || email || '|' || wecom FROM user WHERE login = 'zhou'")" \
	"13900000001|zhou@example.com|zhouwei" "stored"
expect_eq "$(sql "SELECT after FROM audit WHERE action = 'user.set'")" \
	'{"email":"zhou@example.com","person":null,"phone":"13900000001","role":"frontdesk","unix":null,"wecom":"zhouwei"}' \
	"and audited"
run pm-notify send --template sla_breach --channel sms --role frontdesk b1.jsonl
expect_rc 0 "with one member reachable the message goes"
expect_eq "$(sql "SELECT recipient || ':' || address FROM outbox")" "zhou:13900000001" "to that member's phone"
expect_err "messages: queued 1, duplicate 0, opted out 0, no address 1" "the other is counted as having no address"

# A user's own address comes before their person's.
run pm user add wang --role technician --person P005 --phone 13911112222
expect_rc 0 "pm user add --phone"
run pm user add li --role technician
breach 2 '"wang"' >b2.jsonl
run pm-notify send --template sla_breach --channel sms b2.jsonl
expect_eq "$(sql "SELECT address FROM outbox WHERE recipient = 'wang'")" "13911112222" "the user's phone, not the person's"
breach 3 '"li"' >b3.jsonl
run pm-notify send --template sla_breach --channel email b3.jsonl
expect_rc 65 "an assignee with no e-mail address: exit 65"
expect_err "b3.jsonl:1: no one to tell: user 'li' has no address for email \(pm user set li --email\)$" "saying so"

# Bad addresses are refused.
run pm user set li --phone 12ab
expect_rc 65 "a phone that is no number"
expect_err "^pm: --phone: '12ab' is not a phone number \(5 to 20 digits, \+ before them, spaces or dashes between\)$" "is refused"
run pm user add sun --role technician --email sun.example.com
expect_rc 65 "an e-mail address without @"
expect_err "^pm: --email: 'sun.example.com' is not an e-mail address$" "is refused"
expect_eq "$(sql "SELECT count(*) FROM user WHERE login = 'sun'")" 0 "and the user not added"
run pm user set li --wecom 'a b'
expect_rc 65 "a WeCom id with a space"
run pm user list --format jsonl
expect_out '"login":"zhou","role":"frontdesk","person":null,"unix":null,"phone":"13900000001","email":"zhou@example.com","wecom":"zhouwei"' \
	"pm user list shows the addresses"

# WeCom: the user is @-mentioned in the group robot's message.
run pm-notify send --template sla_breach --channel wecom --role frontdesk --flush b1.jsonl
expect_rc 0 "wecom to the front desk"
mention=$($PY3 -c 'import json,sys
for l in open(sys.argv[1]):
    b = json.loads(json.loads(l)["body"])
    print(b["text"].get("mentioned_list"))' "$T/http/log" | sort)
expect_eq "$mention" "None
['zhouwei']" "zhou is mentioned; qian, with no WeCom id, gets the group's message"

# "" removes an address.
run pm user set zhou --phone ''
expect_eq "$(sql "SELECT coalesce(phone, '-') FROM user WHERE login = 'zhou'")" "-" "--phone '' removes it"
breach 4 null >b4.jsonl
run pm-notify send --template sla_breach --channel sms --role frontdesk b4.jsonl
expect_rc 65 "and the front desk cannot be texted again"
done_testing
