#!/bin/sh
# At 3 a.m. a visitor is at the gate without a pass; the guard rings the
# owner, who asks for one and approves it, and the pass goes to the
# unit's residents by sms. Quiet hours (sms 22:00-08:00) must not hold
# it until 8, when the visit of 3 to 5 is over: a message about a pass
# valid before the quiet hours end goes at once. A pass for tomorrow
# afternoon still waits for the morning, and alarms went at once before.
# On the README's community and its example pm.yaml.
. "$PM_TOP/tests/cli/lib.sh"
export PM_NOW=2026-12-16T03:00:00+08:00
cp "$PM_TOP/share/pm/examples/pm.yaml" .
run pm init --community 幸福里小区 --tz Asia/Shanghai
run pm config apply pm.yaml
expect_rc 0 "the example configuration applies"
printf '%s\n' '{"code":"1-1-0101","area":"89.50","delivered":"2019-06-30"}' >units.jsonl
run pm unit import units.jsonl
printf '%s\n' '{"code":"P0001","name":"张伟","phone":"13800000001","unit":"1-1-0101"}' >people.jsonl
run pm person import people.jsonl
run pm user add owner.p0001 --role owner --person P0001

json_field() { sed -n "1s/.*\"$1\":\\([0-9]*\\).*/\\1/p" "$T/out"; }
ask() { # FROM UNTIL: a request approved by the owner, piped to pm-notify
	run pm-gate --as owner.p0001 visitor request --unit 1-1-0101 --name 刘洋 --from "$1" --until "$2"
	pm-gate --as owner.p0001 visitor approve "$(json_field id)" 2>/dev/null >approved.jsonl
	run_in approved.jsonl pm-notify send --template visitor_approved
}
next_at() { sql "SELECT datetime(next_at, 'unixepoch', '+8 hours') FROM outbox WHERE template = 'visitor_approved' AND ref = '$1'"; }

ask 2026-12-16T03:00:00+08:00 2026-12-16T05:00:00+08:00
expect_rc 0 "tonight's pass is queued"
expect_eq "$(next_at 1)" "2026-12-16 03:00:00" "it is due now, not at 08:00 when the visit is over"
pm-gate visitor show 1 --format jsonl >one.jsonl
run_in one.jsonl pm-notify send --template visitor_approved
expect_eq "$(sql "SELECT count(*) FROM outbox")" "1" "sent again, it is the same message (dedupe)"

ask 2026-12-16T07:30:00+08:00 2026-12-16T12:00:00+08:00
expect_eq "$(next_at 2)" "2026-12-16 03:00:00" "a pass valid from 07:30, before the quiet hours end, goes now too"

ask 2026-12-16T14:00:00+08:00 2026-12-16T18:00:00+08:00
expect_eq "$(next_at 3)" "2026-12-16 08:00:00" "a pass for the afternoon waits for the morning"

echo '{"gate":"south","ts":"2026-12-16T02:58:00+08:00","event":"door_forced"}' >alarm.jsonl
run pm user add qian.guard --role guard --phone 13900000012
pm-gate events ingest --alarms alarm.jsonl 2>/dev/null >alarms.jsonl
run_in alarms.jsonl pm-notify send --template gate_alarm
expect_eq "$(sql "SELECT datetime(next_at, 'unixepoch', '+8 hours') FROM outbox WHERE template = 'gate_alarm'")" \
	"2026-12-16 03:00:00" "an alarm goes at once, as before"

PM_NOW=2026-12-16T03:01:00+08:00 run pm-notify queue --format jsonl
expect_eq "$(grep -c '"template":"visitor_approved"' "$T/out")" "3" "all three are in the outbox"
done_testing
