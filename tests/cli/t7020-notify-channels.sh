#!/bin/sh
# WeCom, DingTalk, the SMS gateway and SMTP e-mail, each against a local
# server on 127.0.0.1.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/notify/sinks.sh"
make_community
start_http_sink "$T/http"
start_smtp_sink "$T/smtp"
export PM_NOW=2026-12-01T10:00:00+08:00 PM_TEST_DING=SECdingding PM_TEST_SMS="Bearer tok-123"
# A robot's URL carries its token: a secret, read from the environment.
export PM_TEST_DING_URL="http://127.0.0.1:$HTTP_PORT/robot?access_token=abc"

config() { # WECOM-PATH
	export PM_TEST_WECOM_URL="http://127.0.0.1:$HTTP_PORT$1"
	cat >pm.yaml <<Y
effective: 2026-01-01
community:
  name: 幸福里
channels:
  wecom:
    url: env:PM_TEST_WECOM_URL
  dingtalk:
    url: env:PM_TEST_DING_URL
    secret: env:PM_TEST_DING
  sms:
    url: http://127.0.0.1:$HTTP_PORT/ok
    auth: env:PM_TEST_SMS
  email:
    url: smtp://127.0.0.1:$SMTP_PORT
    from: 幸福里物业 <pm@example.com>
    starttls: false
Y
	run pm config apply pm.yaml
}
to() { # BILL ADDRESS...: pm-bill's bill record, to explicit addresses
	id=$1; shift
	list=$(printf '"%s",' "$@")
	printf '{"type":"bill","bill":"%s","to":[%s],"unit":"3-2-1101","period":"2026-11","status":"issued","total_fen":45678,"late_fen":0,"adjust_fen":0,"paid_fen":0,"owed_fen":45678,"due":"2026-12-15","config_version":1}\n' \
		"$id" "${list%,}"
}
status_of() { sql "SELECT group_concat(status || ':' || coalesce(last_error, ''), ' ') FROM outbox WHERE channel = '$1' AND ref = '$2'"; }

config /robot
expect_rc 0 "the channels apply"
to W1 ops >w1.jsonl
for ch in wecom dingtalk; do run pm-notify send --template bill_issued --channel $ch w1.jsonl; done
to S1 13900000009 >s1.jsonl
run pm-notify send --template bill_issued --channel sms s1.jsonl
to M1 owner@example.com bad@example.com later@example.com >m1.jsonl
run pm-notify send --template bill_issued --channel email m1.jsonl
expect_eq "$(sql "SELECT count(*) FROM outbox")" 6 "six messages queued"
run pm-notify flush
expect_rc 69 "flush: one failed for good, so 69"
expect_err 'sent 4, to retry 1, failed 1' "four sent, one to retry, one failed"
expect_eq "$(status_of wecom W1)" "sent:" "wecom: sent on errcode 0"
expect_eq "$(status_of dingtalk W1)" "sent:" "dingtalk: sent on errcode 0"
expect_eq "$(status_of sms S1)" "sent:" "sms: sent on a 2xx"

check=$($PY3 - "$T/http/log" <<'P'
import base64, hashlib, hmac, json, sys, urllib.parse
out = []
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    body = json.loads(r["body"])
    if r["path"] == "/robot" and "timestamp" in r["query"]:
        q = urllib.parse.parse_qs(r["query"])
        secret = b"SECdingding"
        want = base64.b64encode(hmac.new(secret, (q["timestamp"][0] + "\n").encode() + secret,
                                         hashlib.sha256).digest()).decode()
        out.append("ding:%s:%s:%s" % (q["access_token"][0], q["timestamp"][0], q["sign"][0] == want))
        out.append("dingtext:%s" % body["text"]["content"].split("\n")[0])
    elif r["path"] == "/robot":
        out.append("wecom:%s:%s" % (body["msgtype"], body["text"]["content"].split("\n")[0]))
    else:
        out.append("sms:%s:%s:%s" % (r["headers"]["Authorization"], body["to"], body["text"][:5]))
print("\n".join(sorted(out)))
P
)
expect_eq "$check" "ding:abc:1796090400000:True
dingtext:幸福里 2026-11 物业账单
sms:Bearer tok-123:13900000009:13900
wecom:text:幸福里 2026-11 物业账单" \
	"dingtalk signs the URL (checked with Python's hmac), wecom posts text, the gateway gets auth and JSON"

expect_eq "$(status_of email M1)" "sent: failed:SMTP 550: Failed sending data to the peer queued:SMTP 451: Failed sending data to the peer" \
	"e-mail: delivered, refused for good (550), refused for now (451)"
mail=$($PY3 - "$T/smtp" <<'P'
import email, email.header, email.policy, glob, sys
d = sys.argv[1]
for f in sorted(glob.glob(d + "/mail-*.eml")):
    m = email.message_from_bytes(open(f, "rb").read(), policy=email.policy.default)
    env = open(f[:-4] + ".env").read().split()
    parts = [p.get_content_type() for p in m.walk() if not p.is_multipart()]
    html = [p.get_content() for p in m.walk() if p.get_content_type() == "text/html"][0]
    text = [p.get_content() for p in m.walk() if p.get_content_type() == "text/plain"][0]
    print(m["Subject"], m["From"], m["To"], env[0], env[1], m.get_content_type(), ",".join(parts),
          "<b>¥456.78</b>" in html, text.startswith("owner@example.com您好"))
P
)
expect_eq "$mail" "幸福里 2026-11 物业账单 幸福里物业 <pm@example.com> owner@example.com pm@example.com owner@example.com multipart/alternative text/plain,text/html True True" \
	"a MIME message: UTF-8 subject (RFC 2047), encoded sender name, text and HTML parts"

config /robot-bad
to W2 ops >w2.jsonl
run pm-notify send --template bill_issued --channel wecom w2.jsonl
run pm-notify flush
expect_eq "$(status_of wecom W2)" "failed:errcode 93000: invalid webhook url" "a wecom errcode fails the message"
config /robot-busy
to W3 ops >w3.jsonl
run pm-notify send --template bill_issued --channel wecom w3.jsonl
run pm-notify flush
expect_eq "$(status_of wecom W3)" "queued:errcode 45009: api freq out of limit" "a wecom rate limit is retried"

# Quiet hours for sms by default, 22:00 to 08:00.
PM_NOW=2026-12-01T22:30:00+08:00 run pm-notify send --template bill_issued --channel sms w1.jsonl
expect_rc 65 "a name is no phone number"
to S2 13900000008 >s2.jsonl
PM_NOW=2026-12-01T22:30:00+08:00 run pm-notify send --template bill_issued --channel sms s2.jsonl
expect_eq "$(sql "SELECT datetime(next_at, 'unixepoch', '+8 hours') FROM outbox WHERE ref = 'S2'")" "2026-12-02 08:00:00" \
	"an sms queued at 22:30 waits until 08:00 by default"
done_testing
