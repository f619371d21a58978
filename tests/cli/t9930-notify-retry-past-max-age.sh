#!/bin/sh
# A message retried past its maximum age fails for good: the flush that
# finds it so gives it up without another request, counts it failed and
# exits 69, so cron hears of it; the run after has nothing to say.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/notify/sinks.sh"
make_community
start_http_sink "$T/http"
export PM_TEST_HOOK_SECRET=s3cret
hook /500
row() { sql "SELECT status || '|' || attempts || '|' || last_error FROM outbox WHERE ref = 'G1'"; }
hits() { wc -l <"$T/http/log"; }

echo '{"id":"G1","to":"ops@example.com","title":"停水","body":"明日停水"}' >g.jsonl
export PM_NOW=2026-12-01T10:00:00+08:00
run pm-notify send --template announcement --channel webhook --flush g.jsonl
expect_rc 75 "10:00: HTTP 500, to retry"
PM_NOW=2026-12-01T10:02:00+08:00
run pm-notify flush
expect_rc 75 "10:02: again to retry"
expect_eq "$(row)" "queued|2|HTTP 500: broken" "two attempts on record"
expect_eq "$(hits)" 2 "two requests"

PM_NOW=2026-12-01T11:30:00+08:00
run pm-notify flush
expect_rc 69 "11:30, past its maximum age (11:00): failed for good, exit 69"
expect_eq "$(cat "$T/err")" "pm-notify: some messages failed for good: sent 0, to retry 0, failed 1, put off for quiet hours 0" \
	"counted failed, not to retry"
expect_eq "$(row)" "failed|2|gave up after 2 attempts: HTTP 500: broken" "given up with its last answer"
expect_eq "$(hits)" 2 "without a third request"
expect_eq "$(sql "SELECT json_extract(after, '\$.failed') || ',' || json_extract(after, '\$.retry') FROM audit WHERE action = 'notify.flush' AND json_extract(after, '\$.status') = 'done' ORDER BY id DESC LIMIT 1")" "1,0" \
	"the flush's audit record counts it failed"

run pm-notify flush
expect_rc 0 "the next flush has nothing to do"
expect_eq "$(hits)" 2 "and sends nothing"

done_testing
