#!/bin/sh
# The webhook channel against a local sink: delivery with a signature,
# retry with backoff, permanent failure, the maximum age, quiet hours, and
# a flush killed half way.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/notify/sinks.sh"
make_community
start_http_sink "$T/http"
export PM_NOW=2026-12-01T10:00:00+08:00 PM_TEST_HOOK_SECRET=s3cret

rec() { # ID: an announcement to an explicit recipient
	printf '{"id":"%s","to":"ops","title":"通知 %s","body":"内容"}\n' "$1" "$1"
}
hits() { wc -l <"$T/http/log"; }
status_of() { sql "SELECT status || ':' || attempts || ':' || coalesce(last_error, '') FROM outbox WHERE ref = '$1'"; }

hook /ok
expect_rc 0 "the webhook configuration applies"
feed "$bill\n" pm-notify send --template bill_issued --channel webhook
run pm-notify flush
expect_rc 0 "flush delivers to the webhook"
expect_err 'sent 2, to retry 0, failed 0' "both messages"
expect_eq "$(hits)" 2 "the sink got two requests"
expect_eq "$(sql "SELECT group_concat(status) FROM outbox")" "sent,sent" "both marked sent"
# The signature checked independently, with Python's hmac.
check=$($PY3 - "$T/http/log" "$PM_DB" <<'P'
import hashlib, hmac, json, sqlite3, sys
db = sqlite3.connect(sys.argv[2])
store = db.execute("SELECT id FROM feed_store").fetchone()[0]
keys = {i: "pm-%s-%s" % (store, hashlib.sha256(d.encode()).hexdigest()[:32])
        for i, d in db.execute("SELECT id, dedupe FROM outbox")}
ok = 0
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    want = "sha256=" + hmac.new(b"s3cret", r["body"].encode(), hashlib.sha256).hexdigest()
    body = json.loads(r["body"])
    ok += r["headers"]["X-PM-Signature"] == want and r["headers"]["Idempotency-Key"] == keys[body["id"]] \
        and body["subject"] == "幸福里 2026-11 物业账单" and "¥456.78" in body["text"]
print(ok)
P
)
expect_eq "$check" 2 "each request carries a valid HMAC-SHA256 signature and an idempotency key"

unset PM_TEST_HOOK_SECRET
rec S1 | run_in /dev/stdin pm-notify send --template announcement --channel webhook
rec S1 >s1.jsonl; run pm-notify send --template announcement --channel webhook s1.jsonl
n=$(hits)
run pm-notify flush
expect_rc 78 "an unset secret refuses the channel"
expect_err "^pm-notify: channel 'webhook': secret: environment variable 'PM_TEST_HOOK_SECRET' is not set: left queued 1; sent 0, to retry 0, failed 0, put off for quiet hours 0$" \
	"saying which variable, and what is left"
expect_eq "$(status_of S1)" "queued:0:" "before any attempt: the message stays queued, no attempt counted"
expect_eq "$(hits)" "$n" "and nothing reached the sink"
export PM_TEST_HOOK_SECRET=s3cret
run pm-notify flush
expect_eq "$(status_of S1)" "sent:1:" "with the secret back, the next flush delivers it"

# 429: kept with backoff; not sent again before it is due.
hook /429
rec R1 >r1.jsonl; run pm-notify send --template announcement --channel webhook r1.jsonl
run pm-notify flush
expect_rc 75 "flush with a message to retry exits 75"
expect_err "^pm-notify: some messages wait to be retried: sent 0, to retry 1, failed 0, put off for quiet hours 0$" "saying so in one line"
expect_eq "$(status_of R1)" "queued:1:HTTP 429: slow down" "a 429 keeps the message queued with the reason"
delay=$(sql "SELECT next_at - strftime('%s', '2026-12-01T02:00:00') FROM outbox WHERE ref = 'R1'")
[ "$delay" -ge 30 ] && [ "$delay" -le 60 ]; r=$?
expect_eq "$r" 0 "the first retry waits 30 to 60 s (1 min less jitter), got $delay"
n=$(hits)
run pm-notify flush
expect_eq "$(hits)" "$n" "nothing is sent before it is due"

# 500 twice, then 200: exponential backoff until delivered.
hook /flaky
PM_NOW=2026-12-01T10:01:00+08:00 run pm-notify flush
expect_eq "$(status_of R1)" "queued:2:HTTP 500: broken" "the second attempt fails too"
delay=$(sql "SELECT next_at - strftime('%s', '2026-12-01T02:01:00') FROM outbox WHERE ref = 'R1'")
[ "$delay" -ge 60 ] && [ "$delay" -le 120 ]; r=$?
expect_eq "$r" 0 "the second retry waits 60 to 120 s, got $delay"
PM_NOW=2026-12-01T10:04:00+08:00 run pm-notify flush
expect_rc 0 "the third attempt"
expect_eq "$(status_of R1)" "sent:3:" "is delivered and recorded"

# Permanent failures and the maximum age.
hook /404
rec F1 >f1.jsonl; run pm-notify send --template announcement --channel webhook f1.jsonl
run pm-notify flush -q
expect_rc 69 "a permanent failure exits 69"
expect_err "^pm-notify: some messages failed for good: sent 0, to retry 0, failed 1, put off for quiet hours 0$" \
	"with its one-line account, even with -q"
expect_eq "$(status_of F1)" "failed:1:HTTP 404: no such hook" "a 404 fails the message with the reason"
hook /500
rec F2 >f2.jsonl; run pm-notify send --template announcement --channel webhook f2.jsonl
run pm-notify flush
n=$(hits)
PM_NOW=2026-12-01T12:00:00+08:00 run pm-notify flush
expect_rc 69 "past the maximum age it fails for good"
expect_eq "$(status_of F2)" "failed:1:gave up after 1 attempts: HTTP 500: broken" "given up with its last answer"
expect_eq "$(hits)" "$n" "without another attempt"
run pm-notify queue --status failed --format jsonl
expect_eq "$(grep -c '"status":"failed"' "$T/out")" 2 "queue --status failed lists them"
id=$(sql "SELECT id FROM outbox WHERE ref = 'F2'")
hook /ok
run pm-notify retry "$id"
expect_rc 0 "retry"
expect_eq "$(status_of F2)" "queued:1:gave up after 1 attempts: HTTP 500: broken" "puts it back in the queue"
run pm-notify flush
expect_eq "$(status_of F2)" "sent:2:" "and the next flush delivers it"
run pm-notify retry "$id"
expect_rc 65 "a sent message is not retried"
expect_err "no failed or queued message $id" "says so"

# A garbled answer and a timeout are temporary.
hook /garbage
rec G1 >g1.jsonl; run pm-notify send --template announcement --channel webhook g1.jsonl
run pm-notify flush
expect_eq "$(sql "SELECT status FROM outbox WHERE ref = 'G1'")" "queued" "a garbled answer is retried"
hook /slow
rec G2 >g2.jsonl; run pm-notify send --template announcement --channel webhook g2.jsonl
run pm-notify flush
expect_eq "$(sql "SELECT status || ':' || (last_error LIKE '%imeout%') FROM outbox WHERE ref = 'G2'")" "queued:1" \
	"a timeout is retried"

# Quiet hours: put off to their end; alarms go at once.
hook /ok '  quiet:
    webhook: {from: "22:00", to: "08:00"}'
export PM_NOW=2026-12-01T23:30:00+08:00
rec Q1 >q1.jsonl; run pm-notify send --template announcement --channel webhook q1.jsonl
expect_eq "$(sql "SELECT datetime(next_at, 'unixepoch', '+8 hours') FROM outbox WHERE ref = 'Q1'")" "2026-12-02 08:00:00" \
	"a message queued in quiet hours waits for their end"
run pm user add guard1 --role guard
feed '{"type":"alarm","id":"E1","gate":"north","gate_name":"北门","event":"door_forced","severity":"critical","ts":"2026-12-01T15:30:00Z","role":"guard"}\n' \
	pm-notify send --template gate_alarm --channel webhook
sql "UPDATE outbox SET next_at = 0, expires_at = expires_at + 86400 WHERE ref IN ('G1', 'G2')"
run pm-notify flush
expect_err 'sent 1, to retry 0, failed 0, put off for quiet hours 2' "in quiet hours only the alarm is sent"
expect_eq "$(sql "SELECT status FROM outbox WHERE ref = 'E1'")" "sent" "the gate alarm went out"
expect_eq "$(sql "SELECT status || ' ' || datetime(next_at, 'unixepoch', '+8 hours') FROM outbox WHERE ref = 'G1'")" \
	"queued 2026-12-02 08:00:00" "a retry due in quiet hours is put off too"
PM_NOW=2026-12-02T08:00:00+08:00 run pm-notify flush
expect_eq "$(sql "SELECT group_concat(ref) FROM outbox WHERE status <> 'sent'")" "F1" "at 08:00 they go (only the failed one stays)"

# A flush killed half way: the re-run neither loses nor duplicates.
hook /delay
unset PM_NOW
i=0; while [ $i -lt 40 ]; do rec "K$i"; i=$((i + 1)); done >k.jsonl
run pm-notify send --template announcement --channel webhook k.jsonl
: >"$T/http/log"
pm-notify flush --parallel 4 >/dev/null 2>&1 &
pid=$!
# Killed once the first message is through, however busy the machine
# (a fixed second found none sent yet beside other tests).
i=0
while [ "$(sql "SELECT count(*) FROM outbox WHERE ref LIKE 'K%' AND status = 'sent'")" = 0 ] && [ $i -lt 400 ]; do
	sleep 0.05; i=$((i + 1))
done
kill -9 $pid
wait $pid 2>/dev/null
sending=$(sql "SELECT count(*) FROM outbox WHERE ref LIKE 'K%' AND status = 'sending'")
sent=$(sql "SELECT count(*) FROM outbox WHERE ref LIKE 'K%' AND status = 'sent'")
[ "$sent" -gt 0 ] && [ "$sent" -lt 40 ]; r=$?
expect_eq "$r" 0 "the kill came half way ($sent sent, $sending under way)"
hook /ok
run pm-notify flush
expect_rc 0 "the re-run"
expect_err "messages of an interrupted flush queued again" "puts back what was under way"
expect_eq "$(sql "SELECT count(*) FROM outbox WHERE ref LIKE 'K%' AND status = 'sent'")" 40 "every message is sent"
got=$($PY3 - "$T/http/log" <<'P'
import json, sys
keys = [json.loads(l)["headers"]["Idempotency-Key"] for l in open(sys.argv[1])]
print(len(set(keys)), len(keys) - len(set(keys)))
P
)
expect_eq "${got% *}" 40 "the sink saw each of the 40 messages"
dups=${got#* }
twice=$(sql "SELECT count(*) FROM outbox WHERE ref LIKE 'K%' AND attempts = 2")
expect_eq "$twice" "$sending" "only those under way at the kill were attempted twice, and that is on record"
[ "$dups" -le "$sending" ]; r=$?
expect_eq "$r" 0 "no message reached the sink twice unless its second attempt is recorded ($dups)"
done_testing
