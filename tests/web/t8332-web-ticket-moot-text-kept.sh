#!/bin/sh
# An owner's rating or reopening that another phone of theirs made
# first came back 409 as the ticket's page, but the form was gone (the
# ticket no longer takes it) and with it what was typed. The page now
# keeps it in the comment form (留言), saying so, to send as a comment
# instead; a form still shown keeps its own text as before.
. "$PM_TOP/tests/web/lib.sh"

web_owner4_store
run pm-repair submit -q --as owner4 --unit 3-2-1101 --category electrical --text 客厅灯不亮
for step in "accept 1" "assign 1 --to tech" "start 1" "resolve 1 --note 换了灯管"; do
	# shellcheck disable=SC2086
	run pm-repair $step -q
done
expect_eq "$(sql "SELECT status FROM ticket WHERE id = 1")" resolved "ticket 1 resolved"
web_start

signin owner4 "$T/jar.phone1"
get /ticket/1
phone1=$(csrf)
signin owner4 "$T/jar.phone2"
get /ticket/1
post /ticket/1/rate stars=5 comment=修得很快
expect_code 303 "the second phone rates first"
JAR=$T/jar.phone1
post /ticket/1/rate stars=2 'comment=灯还是一闪一闪的' csrf="$phone1"
expect_code 409 "the first phone's rating: already given"
expect_body '已经评价过了（5 星）' "said so"
expect_body '您填写的内容已保留在下面的留言框中' "and that what was typed is kept"
expect_body 'action="/pm/ticket/1/comment"><input type="hidden" name="csrf" value="[0-9a-f]*"><label>留言<input name="note" value="灯还是一闪一闪的"' \
	"in the comment form"
post /ticket/1/comment 'note=灯还是一闪一闪的'
expect_code 303 "sent as a comment"
expect_eq "$(sql "SELECT note FROM ticket_event WHERE action = 'comment'")" 灯还是一闪一闪的 "on the timeline"

get /ticket/1
JAR=$T/jar.phone2
get /ticket/1
post /ticket/1/reopen 'note=晚上又不亮了'
expect_code 303 "the second phone reopens"
JAR=$T/jar.phone1
post /ticket/1/reopen 'note=开关附近有焦味，请尽快来看' csrf="$phone1"
expect_code 409 "the first phone's reopening: reopened already"
expect_body '这张工单现在是“重新打开”' "said so"
expect_body 'name="note" value="开关附近有焦味，请尽快来看"' "what was typed kept in the comment form"
expect_eq "$(sql "SELECT count(*) FROM ticket_event WHERE action = 'reopen'")" 1 "reopened once"

post /ticket/1/reopen 'note=' csrf="$phone1"
expect_code 409 "an empty reopening refused the same"
if grep -q '您填写的内容已保留' "$T/body"; then _report 0 "nothing typed, nothing said kept"; else
	_report 1 "nothing typed, nothing said kept"; fi
done_testing
