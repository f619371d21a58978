#!/bin/sh
# E-mail built with libcurl's MIME API (lib/http.c): what the SMTP fake
# receives is a correct message, read back with Python's email parser.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/notify/sinks.sh"
make_community
start_smtp_sink "$T/smtp"
export PM_NOW=2026-12-01T10:00:00+08:00
cat >pm.yaml <<Y
effective: 2026-01-01
community:
  name: 幸福里
channels:
  email:
    url: smtp://127.0.0.1:$SMTP_PORT
    from: 幸福里物业服务中心 <pm@example.com>
    starttls: false
notify:
  templates:
    plain:
      category: announcement
      subject: "{{title}}"
      text: "{{body}}"
Y
run pm config apply pm.yaml
expect_rc 0 "the e-mail channel applies"

title=二次供水水箱清洗及一号楼二号楼三号楼全天停水的通知（请提前储水）
printf '{"id":"H1","to":"a@example.com","title":"%s","body":"第一行\\n.以点开头的一行\\n¥456.78"}\n' "$title" >h.jsonl
printf '{"id":"P1","to":"b@example.com","title":"Plain ASCII","body":"only text"}\n' >p.jsonl
run pm-notify send --template announcement --channel email --flush h.jsonl
expect_rc 0 "the HTML announcement is sent"
run pm-notify send --template plain --channel email --flush p.jsonl
expect_rc 0 "the text-only message is sent"

read_mail() { # N
	$PY3 - "$T/smtp/mail-$1.eml" <<'P'
import email, email.policy, sys
raw = open(sys.argv[1], "rb").read()
m = email.message_from_bytes(raw, policy=email.policy.default)
heads = [k.lower() for k in m.keys()]
print("once:", all(heads.count(h) == 1 for h in ("from", "to", "subject", "date", "message-id", "mime-version", "content-type")))
print("from:", m["From"])
print("to:", m["To"])
print("subject:", m["Subject"])
print("date:", m["Date"])
print("id:", m["Message-ID"])
print("type:", m.get_content_type(), "defects:", len(m.defects))
for p in m.walk():
    if p.is_multipart():
        continue
    print("part:", p.get_content_type(), p.get_content_charset(), p["Content-Transfer-Encoding"],
          p.get("Content-Disposition"), repr(p.get_content()))
print("ascii:", all(b < 128 for b in raw), "crlf:", raw.count(b"\n") == raw.count(b"\r\n"))
P
}
expect_eq "$(read_mail 1)" "once: True
from: 幸福里物业服务中心 <pm@example.com>
to: a@example.com
subject: 幸福里 公告：$title
date: Tue, 01 Dec 2026 02:00:00 +0000
id: <pm-notify-1@pm>
type: multipart/alternative defects: 0
part: text/plain utf-8 base64 None '$title\\n\\n第一行\\n.以点开头的一行\\n¥456.78'
part: text/html utf-8 base64 None '<h3>$title</h3>\\n<p>第一行\\n.以点开头的一行\\n¥456.78</p>'
ascii: True crlf: True" \
	"text and HTML as alternatives; a long Chinese subject folded into encoded words and read back whole"
expect_eq "$(read_mail 2)" "once: True
from: 幸福里物业服务中心 <pm@example.com>
to: b@example.com
subject: Plain ASCII
date: Tue, 01 Dec 2026 02:00:00 +0000
id: <pm-notify-2@pm>
type: multipart/mixed defects: 0
part: text/plain utf-8 base64 None 'only text'
ascii: True crlf: True" \
	"a text-only message: its one text part"
expect_eq "$(cat "$T/smtp/mail-1.env" | tr '\n' ' ')" "pm@example.com a@example.com " "the envelope: the sender's address and the recipient"
done_testing
