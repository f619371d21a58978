#!/bin/sh
# pm-notify announce of the same title, body and target twice asks for
# --again instead of posting (and telling everyone) a second time.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/notify/sinks.sh"
make_community
export PM_NOW=2026-12-01T10:00:00+08:00
printf '12月3日停水。\n' >water.txt
printf '12月3日停水。\n\n\n' >water2.txt
printf '12月4日停水。\n' >water3.txt

run pm-notify announce --title 停水通知 --body water.txt --to building:3 --channel stdout
expect_rc 0 "the first announcement"
messages=$(sql "SELECT count(*) FROM outbox")
audits=$(sql "SELECT count(*) FROM audit")

run pm-notify announce --title 停水通知 --body water2.txt --to building:3 --channel stdout
expect_rc 65 "the same title, body (trailing blank lines aside) and target again: exit 65"
expect_eq "$(cat "$T/err")" "pm-notify: announcement 1 has the same title, body and target: give --again to post a second one, or 'pm-notify announce 1' to tell it to whoever lacks it" \
	"naming the one that exists and what to do"
expect_eq "$(sql "SELECT count(*) FROM announcement")" 1 "no second announcement"
expect_eq "$(sql "SELECT count(*) FROM outbox")" "$messages" "no message queued"
expect_eq "$(sql "SELECT count(*) FROM audit")" "$audits" "nothing audited"

# Any difference is a new announcement.
run pm-notify announce --title 停水通知 --body water3.txt --to building:3 --channel stdout
expect_rc 0 "another body"
run pm-notify announce --title 停水通知 --body water.txt --to unit:5-1-0301 --channel stdout
expect_rc 0 "another target"
run pm-notify announce --title 停水通知（更正） --body water.txt --to building:3 --channel stdout
expect_rc 0 "another title"
expect_eq "$(sql "SELECT count(*) FROM announcement")" 4 "each is posted"

# --again posts it a second time, and it is told again: a new id is a
# new message.
run pm-notify announce --title 停水通知 --body water.txt --to building:3 --channel stdout --again
expect_rc 0 "--again"
expect_eq "$(sql "SELECT group_concat(id) FROM announcement WHERE title = '停水通知' AND target = 'building:3' AND body = '12月3日停水。'")" "1,5" \
	"a second announcement"
expect_err "announcement 5: units 2; messages: queued 3," "told to the building's residents again"

run pm-notify announce 1 --again
expect_rc 2 "--again with ANN is a usage error"
expect_err "ANN sends a stored announcement again: it takes only --channel and --flush" "saying why"
done_testing
