#!/bin/sh
# pm-notify's SMS gateway with a form body (content_type
# application/x-www-form-urlencoded): the fields are percent-encoded, so
# a '&' or '=' in a message's text (a visitor's name an owner typed)
# cannot add fields of its own, such as a second "to".
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/notify/sinks.sh"
make_community
start_http_sink "$T/http"
export PM_NOW=2026-12-01T10:00:00+08:00
cat >pm.yaml <<Y
effective: 2026-01-01
community:
  name: 幸福里
channels:
  sms:
    url: http://127.0.0.1:$HTTP_PORT/ok
    content_type: application/x-www-form-urlencoded
    body: "to={{to}}&text={{text}}&sign=pm"
notify:
  templates:
    visit:
      category: visitor
      subject: 访客
      text: "访客 {{name}} 已到"
Y
run pm config apply pm.yaml
expect_rc 0 "a form-bodied gateway is configured"

printf '{"type":"visitor","unit":"5-1-0301","id":1,"name":"x&to=13999999999&text=100%% + 1"}\n' >v.jsonl
run pm-notify send --template visit --channel sms --flush v.jsonl
expect_rc 0 "the message is sent"
form() { # the form fields of the last request, as a sorted JSON object of lists
	python3 -c '
import json, sys, urllib.parse
r = [json.loads(l) for l in open(sys.argv[1])][-1]
print(json.dumps(urllib.parse.parse_qs(r["body"], keep_blank_values=True), ensure_ascii=False, sort_keys=True))
' "$T/http/log"
}
expect_eq "$(form)" '{"sign": ["pm"], "text": ["访客 x&to=13999999999&text=100% + 1 已到"], "to": ["13800000005"]}' \
	"the gateway reads one to, the owner's, and the text whole"
expect_eq "$(python3 -c 'import json, sys; print(json.loads(open(sys.argv[1]).readlines()[-1])["body"])' "$T/http/log")" \
	"to=13800000005&text=%E8%AE%BF%E5%AE%A2%20x%26to%3D13999999999%26text%3D100%25%20%2B%201%20%E5%B7%B2%E5%88%B0&sign=pm" \
	"each field percent-encoded, the template's own text as it is"
expect_eq "$(sql "SELECT status || ':' || address FROM outbox")" "sent:13800000005" "one message, to the owner"
run pm check
expect_rc 0 "the store checks"
done_testing
