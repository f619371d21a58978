#!/bin/sh
# pm-notify flush: what a gateway or robot answered when it refused a
# message (a long Chinese text, a page in GBK) is kept as the message's
# error in whole UTF-8 characters, other bytes as \xNN, so that the
# outbox can still be listed; it was cut at a byte count, inside a
# character, and pm-notify queue and log ended "out of memory".
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/notify/sinks.sh"
make_community
start_http_sink "$T/http"
export PM_NOW=2026-12-01T10:00:00+08:00 PM_TEST_HOOK_SECRET=s3cret
printf '%s\n' "$bill" >b.jsonl
errors() { # STATUS: the messages' errors, a line each
	pm-notify queue --status "$1" --format jsonl | jq -r .error
}

hook /500-zh
run pm-notify send --template bill_issued --channel webhook --flush b.jsonl
expect_rc 75 "a gateway's 500 is retried"
want=$(python3 -c 'print("HTTP 500: " + ("网关内部错误，" * 20)[:33])')
run pm-notify queue --format jsonl
expect_rc 0 "the outbox is listed"
expect_eq "$(jq -r .error "$T/out" | sort -u)" "$want" \
	"with the answer's first 100 bytes or less, in whole characters"
run pm-notify log --format jsonl
expect_rc 0 "and logged"
expect_eq "$(grep -c '"status":"queued"' "$T/out")" 2 "both messages"

run sqlite3 "$PM_DB" "DELETE FROM outbox"
hook /500-gbk
run pm-notify send --template bill_issued --channel webhook --flush b.jsonl
expect_rc 75 "a 500 in GBK"
# (\xda\xb2 of 内部 happens to be UTF-8: ڲ)
expect_eq "$(errors queued | sort -u)" 'HTTP 500: \xcd\xf8\xb9\xd8\xc4ڲ\xbf\xb4\xed\xce\xf3' \
	"the bytes that are no UTF-8 kept as \\xNN"

run sqlite3 "$PM_DB" "DELETE FROM outbox"
cat >pm.yaml <<Y
effective: 2026-01-01
community:
  name: 幸福里
channels:
  wecom:
    url: env:PM_TEST_WECOM_URL
Y
export PM_TEST_WECOM_URL="http://127.0.0.1:$HTTP_PORT/robot-zh"
run pm config apply pm.yaml
expect_rc 0 "a WeCom robot"
run pm-notify send --template bill_issued --channel wecom --flush b.jsonl
expect_rc 69 "a robot's refusal fails the message"
expect_eq "$(errors failed | sort -u)" \
	"$(python3 -c 'print("errcode 93000: " + ("机器人地址无效，" * 20)[:33])')" \
	"its errmsg's first 100 bytes or less, in whole characters"
run pm check
expect_rc 0 "the store checks"
done_testing
