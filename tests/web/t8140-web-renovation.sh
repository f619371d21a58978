#!/bin/sh
# The owner's renovation application on the web (装修申请): an owner
# applies for their own unit and sees where it stands and what its
# deposit did; the rules are pm-repair renovation's, so another's unit,
# bad dates and a form without its token are refused with nothing
# stored; staff see every renovation, a guard without the form.
. "$PM_TOP/tests/web/lib.sh"

web_store
web_start

signin owner1
get /renovations
expect_code 200 "owner1 opens the renovation page"
expect_body '<option value="1-1-101">' "and may apply for their unit"
expect_eq "$(grep -c '1-1-102' "$T/body")" 0 "not for owner2's"
expect_body '<a href="/pm/renovations">装修</a>' "the menu offers it"
post /renovations unit=1-1-101 from=2026-12-10 to=2026-12-31 contractor="张师傅 13900000000" scope=厨卫改造
expect_code 303 "the application is sent"
expect_head '^Location: /pm/renovations\?new=1' "renovation 1"
expect_eq "$(sql "SELECT u.code || ' ' || r.status || ' ' || r.from_day || ' ' || r.to_day || ' ' || r.contractor || ' ' || r.scope || ' ' || r.applied_by FROM renovation r JOIN unit u ON u.id = r.unit_id")" \
	"1-1-101 applied 2026-12-10 2026-12-31 张师傅 13900000000 厨卫改造 owner1" "stored as applied by owner1"
get '/renovations?new=1'
expect_body '装修申请 #1 已提交' "the page says it was sent"
expect_body '<td>1-1-101</td><td><span class="status">待审批</span></td><td>2026-12-10 至 2026-12-31</td>' \
	"and lists it waiting for approval"

post /renovations unit=1-1-102 from=2026-12-10 to=2026-12-31 contractor=李 scope=刷墙
expect_code 403 "owner1 may not apply for owner2's unit"
post /renovations unit=1-1-101 from=2026-12-31 to=2026-12-10 contractor=李 scope=刷墙
expect_code 400 "the last day before the first"
post /renovations unit=1-1-101 to=2026-12-10 contractor=李 scope=刷墙
expect_code 400 "no first day"
expect_body '请填写开工和完工日期' "says what is missing"
post /renovations unit=1-1-101 from=2026-12-10 to=2026-12-31 contractor=李 scope=刷墙 csrf=0000
expect_code 403 "a form without its token"
expect_eq "$(sql 'SELECT count(*) FROM renovation')" 1 "none of them stored"

pm-repair --as desk renovation approve 1 >/dev/null
get /renovations
expect_body '<span class="status">已批准</span>.*<td>¥2,000.00</td><td>¥0.00</td><td></td>' \
	"approved, the 2000.00 deposit of a residential unit taken"

signin owner2
get /renovations
expect_code 200 "owner2 opens the page"
expect_eq "$(grep -c '1-1-101' "$T/body")" 0 "and sees nothing of owner1's renovation"

signin guard
get /renovations
expect_code 200 "a guard sees the renovations"
expect_body '<td>1-1-101</td>' "owner1's among them"
expect_eq "$(grep -c 'name="contractor"' "$T/body")" 0 "without the form: a guard does not apply"
post /renovations csrf="$(csrf)" unit=1-1-101 from=2026-12-10 to=2026-12-31 contractor=李 scope=刷墙
expect_code 403 "nor may post it"
done_testing
