#!/bin/sh
# The help desk's chat box where the office has loaded no FAQ yet says so
# to the owner (503, where to turn meanwhile) and logs what to do, not a
# bare server error; an owner of more than one unit chooses which unit a
# question is about, as pm-ask --unit does, and only among their own.
. "$PM_TOP/tests/web/lib.sh"

web_points_store
web_start
signin owner1
get /ask
expect_code 200 "the chat box, no FAQ loaded yet"
post /ask "q=物业费怎么算？" unit=1-1-101
expect_code 503 "a question then: the service is not there yet"
expect_body '智能客服尚未开通，请直接联系物业服务中心，或在“报修”中留言。' "the owner is told where to turn"
# (cgi.log under mod_cgi, error.log under FastCGI and nginx)
for f in "$T"/log/*; do [ -f "$f" ] && cat "$f"; done >"$T/logs" 2>/dev/null
expect_eq "$(grep -cE "POST /ask: (the store has no FAQ: load it with|数据库中还没有常见问题库：请用) 'pm-ask faq import'" "$T/logs")" 1 \
	"the log tells the office what to do"

pm-ask faq import >/dev/null
get /ask
expect_code 200 "the chat box"
expect_body '<select name="unit" required><option value="1-1-101">1-1-101</option><option value="1-1-B01">1-1-B01</option></select>' \
	"owner1 has two units: the form asks which"
post /ask "q=我家还欠多少物业费" unit=1-1-B01
expect_code 200 "a question about the parking space"
expect_body '1-1-B01' "answered for 1-1-B01"
expect_eq "$(grep -c 'more than one unit' "$T/body")" 0 "not told to name the unit"
post /ask "q=我家还欠多少物业费" unit=1-1-102
expect_code 403 "the neighbour's unit is refused"
signin owner2
get /ask
expect_code 200 "an owner of one unit"
expect_eq "$(grep -c 'name="unit"' "$T/body")" 0 "is not asked which"
done_testing
