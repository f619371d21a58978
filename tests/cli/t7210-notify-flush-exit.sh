#!/bin/sh
# pm-notify flush says in its exit status and one line on stderr whether
# everything was delivered: 0, 75 (some will be retried), 69 (some failed
# for good), 78 (a channel cannot be used: refused before any attempt).
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/notify/sinks.sh"
make_community
start_http_sink "$T/http"
export PM_NOW=2026-12-01T10:00:00+08:00 PM_TEST_HOOK_SECRET=s3cret

queue() { # CHANNEL ID...: an announcement each, to an explicit recipient
	ch=$1; shift
	for id in "$@"; do
		printf '{"id":"%s","to":"ops@example.com","title":"通知 %s","body":"内容"}\n' "$id" "$id"
	done >q.jsonl
	run pm-notify send --template announcement --channel "$ch" q.jsonl
}
hits() { wc -l <"$T/http/log"; }
state() { sql "SELECT group_concat(ref || ':' || status || ':' || attempts, ' ') FROM outbox WHERE ref IN ($1)"; }

hook /ok
queue webhook A1 A2
run pm-notify flush -q
expect_rc 0 "all delivered: exit 0"
expect_eq "$(wc -c <"$T/err")" 0 "and with -q nothing on stderr"
run pm-notify flush
expect_err "^pm-notify: sent 0, to retry 0, failed 0, put off for quiet hours 0$" "without -q, the account"

hook /429
queue webhook R1
run pm-notify flush -q
expect_rc 75 "a message to retry: exit 75"
expect_eq "$(cat "$T/err")" "pm-notify: some messages wait to be retried: sent 0, to retry 1, failed 0, put off for quiet hours 0" \
	"one line on stderr, even with -q"

hook /404
sql "UPDATE outbox SET next_at = 0 WHERE ref = 'R1'"
queue webhook F1
run pm-notify flush -q
expect_rc 69 "a message failed for good: exit 69, before 75"
expect_eq "$(cat "$T/err")" "pm-notify: some messages failed for good: sent 0, to retry 0, failed 2, put off for quiet hours 0" \
	"one line, even with -q"
expect_eq "$(state "'R1','F1'")" "R1:failed:2 F1:failed:1" "both failed"

# A channel whose secret is missing is refused before anything is
# attempted; the others are delivered.
hook /ok
unset PM_TEST_HOOK_SECRET
queue webhook C1 C2
queue stdout D1
n=$(hits)
run pm-notify flush -q
expect_rc 78 "a channel whose secret cannot be read: exit 78"
expect_eq "$(cat "$T/err")" "pm-notify: channel 'webhook': secret: environment variable 'PM_TEST_HOOK_SECRET' is not set: left queued 2; sent 1, to retry 0, failed 0, put off for quiet hours 0" \
	"naming the channel, the secret and what is left"
expect_eq "$(state "'C1','C2'")" "C1:queued:0 C2:queued:0" "its messages stay queued, no attempt counted"
expect_eq "$(sql "SELECT count(*) FROM outbox WHERE ref IN ('C1','C2') AND last_error IS NOT NULL")" 0 "and no error is recorded on them"
expect_eq "$(hits)" "$n" "nothing reached the webhook"
expect_eq "$(state "'D1'")" "D1:sent:1" "the stdout message went"
expect_out '"ref":"D1"' "on stdout"
export PM_TEST_HOOK_SECRET=s3cret
run pm-notify flush
expect_rc 0 "with the secret set"
expect_eq "$(state "'C1','C2'")" "C1:sent:1 C2:sent:1" "they are delivered at the first attempt"

# A channel that is not configured is refused likewise.
queue email M1
run pm-notify flush
expect_rc 78 "a message for a channel not configured: exit 78"
expect_err "^pm-notify: channel 'email' is not configured \(see channels in pm.yaml\(5\)\): left queued 1; " "saying so"
expect_eq "$(state "'M1'")" "M1:queued:0" "the message waits, not attempted"

# A second flush while one runs is told to come back. The first waits on
# the sink until released, however long the second takes to start (under
# valgrind, seconds).
HOOK_TIMEOUT=90s hook /hold
queue webhook S1
pm-notify flush >/dev/null 2>&1 &
pid=$!
wait_for "SELECT status FROM outbox WHERE ref = 'S1'" sending
run pm-notify flush
expect_rc 75 "a second flush at once: exit 75"
expect_err "^pm-notify: another flush is running on this store$" "saying so"
: >"$T/http/release"
wait $pid
expect_eq "$(state "'S1'")" "S1:sent:1" "the first, released, delivers its message once"
done_testing
