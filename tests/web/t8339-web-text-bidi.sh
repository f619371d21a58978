#!/bin/sh
# Bidi controls (U+202E and the like) typed into a form were stored and
# shown to another person: a visitor's name "<U+202E>客访" reads to the
# guard as another name. Text a person types is refused with a control
# character in it (pm_text_valid, the same characters a payment's
# reference refuses): the form comes back 400 saying which character,
# in Chinese, and nothing is stored; the same text without it is taken.
. "$PM_TOP/tests/web/lib.sh"

web_store
web_start
rlo=$(printf '\342\200\256') lri=$(printf '\342\201\246') rlm=$(printf '\342\200\217') alm=$(printf '\330\234')

signin owner1
get /visitors
post /visitors unit=1-1-101 "name=${rlo}客访" from=2026-12-01T10:00 until=2026-12-01T13:00
expect_code 400 "a visitor's name with U+202E refused"
expect_body '访客姓名：第 0 字节是 U\+202E，属于控制字符，请删去' "saying which character"
expect_body 'value="2026-12-01T13:00"' "the form kept"
expect_eq "$(sql "SELECT count(*) FROM visitor")" 0 "no visitor stored"
post /visitors unit=1-1-101 name=客访 from=2026-12-01T10:00 until=2026-12-01T13:00
expect_code 303 "the name without it is taken"

get /repair
post /repair unit=1-1-101 category=plumbing "text=厨房${lri}水管漏水"
expect_code 400 "a ticket's text with U+2066 refused"
expect_body '描述：第 6 字节是 U\+2066，属于控制字符，请删去' "saying so"
expect_eq "$(sql "SELECT count(*) FROM ticket")" 0 "no ticket stored"
post /repair unit=1-1-101 category=plumbing text=厨房水管漏水
expect_code 303 "without it the ticket is filed"

get /ticket/1
post /ticket/1/comment "note=请${alm}尽快"
expect_code 400 "a comment with U+061C refused"
expect_body '留言：第 3 字节是 U\+061C' "saying so"
expect_eq "$(sql "SELECT count(*) FROM ticket_event WHERE action = 'comment'")" 0 "no comment stored"

get /renovations
post /renovations unit=1-1-101 from=2026-12-10 to=2026-12-31 "contractor=张师傅${rlm}" scope=厨卫改造
expect_code 400 "a renovation's contractor with U+200F refused"
expect_body '施工单位：第 9 字节是 U\+200F' "saying so"
post /renovations unit=1-1-101 from=2026-12-10 to=2026-12-31 contractor=张师傅 "scope=厨卫${rlo}改造"
expect_code 400 "its scope with U+202E too"
expect_body '施工内容：第 6 字节是 U\+202E' "saying so"
expect_eq "$(sql "SELECT count(*) FROM renovation")" 0 "no renovation stored"
done_testing
