#!/bin/sh
# Red team: pm-notify's SMS gateway with an XML body (content_type
# text/xml) filled {{to}}, {{text}} and {{subject}} in as they were,
# unlike JSON (escaped) and a form (percent-encoded, t7260): a visitor's
# name an owner typed, holding "</text><to>…</to>", sent the message to a
# number of the typist's choosing too, and a lone '&' or '<' made a body
# the gateway refuses. The values are escaped for XML now.
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
    content_type: text/xml; charset=utf-8
    body: "<sms><to>{{to}}</to><text>{{text}}</text><sign>pm</sign></sms>"
notify:
  templates:
    visit:
      category: visitor
      subject: 访客
      text: "访客 {{name}} 已到"
Y
run pm config apply pm.yaml
expect_rc 0 "an XML-bodied gateway is configured"

name="x</text><to>13999999999</to><text>a & b < c ]]> \\\"q\\\" it's"
printf '{"type":"visitor","unit":"5-1-0301","id":1,"name":"%s"}\n' "$name" >v.jsonl
run pm-notify send --template visit --channel sms --flush v.jsonl
expect_rc 0 "the message is sent"
xml() { # the last request's body read as XML: each element's text, one a line
	python3 -c '
import json, sys, xml.etree.ElementTree as ET
r = [json.loads(l) for l in open(sys.argv[1])][-1]
for el in ET.fromstring(r["body"].encode()):
    print(el.tag + "=" + (el.text or ""))
' "$T/http/log" 2>&1
}
expect_eq "$(xml)" "to=13800000005
text=访客 x</text><to>13999999999</to><text>a & b < c ]]> \"q\" it's 已到
sign=pm" "the body is XML the gateway reads: one to, the owner's, and the text whole"
expect_eq "$(sql "SELECT status || ':' || address FROM outbox")" "sent:13800000005" "one message, to the owner"

# A media type in capitals is the same type (RFC 9110): it was sent raw.
sed -i 's|content_type: text/xml; charset=utf-8|content_type: Application/XML|; s|^effective: 2026-01-01|effective: 2026-12-01|' pm.yaml
run pm config apply pm.yaml
expect_rc 0 "the gateway's type written Application/XML"
printf '{"type":"visitor","unit":"5-1-0301","id":2,"name":"%s"}\n' "$name" >v2.jsonl
run pm-notify send --template visit --channel sms --flush v2.jsonl
expect_rc 0 "the message is sent"
expect_eq "$(xml)" "to=13800000005
text=访客 x</text><to>13999999999</to><text>a & b < c ]]> \"q\" it's 已到
sign=pm" "escaped all the same"
done_testing
