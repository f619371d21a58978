#!/bin/sh
# The owners' vote pages: the list, a vote with its count, an owner's
# ballot for the unit they own (cast, changed), refused for another's
# unit, for staff without a paper ballot, after the close; a sold unit's
# ballot the buyer's to cast; the count on the page is pm-govern tally's.
. "$PM_TOP/tests/web/lib.sh"

web_store
pm-govern -q vote new --title 续聘物业服务企业 --matter manager --closes 2026-12-31 >/dev/null
pm-govern -q vote new --title 旧表决 --matter other --opens 2026-01-01 --closes 2026-02-01 >/dev/null
web_start

signin owner1
get /votes
expect_code 200 "the list of votes"
expect_body '<a href="[^"]*/vote/1">续聘物业服务企业</a> <span class="muted">进行中</span>' "an open vote, linked"
expect_body '旧表决</a> <span class="muted">已结束</span>' "a closed one"
expect_body 'href="[^"]*/votes">业主表决</a>' "in the menu"
get /vote/1
expect_code 200 "the vote's page"
expect_body '<legend>1-1-101</legend><p>尚未投票</p>' "owner1's unit, no ballot yet"
expect_body 'name="choice" value="yes"' "with the choices"
expect_body '<td>all owners</td>|<td>全体业主</td>' "and the count"
if grep -q '<legend>1-1-102</legend>' "$T/body"; then _report 0 "no form for another owner's unit"; else _report 1 "no form for another owner's unit"; fi

post /vote/1/ballot unit=1-1-101 choice=yes
expect_code 303 "owner1 votes yes"
expect_head 'Location: [^ ]*/vote/1\?saved=1' "and is sent back to the vote"
expect_eq "$(sql "SELECT p.code || '|' || b.choice || '|' || coalesce(b.paper, '-') || '|' || b.entered_by FROM ballot b JOIN person p ON p.id = b.person_id")" \
	"P1|yes|-|owner1" "the ballot is stored as owner1's own, online"
get /vote/1?saved=1
expect_body '表决票已保存' "the page says so"
expect_body '<legend>1-1-101</legend><p>已投票：<b>同意</b></p>' "and shows the ballot"
expect_body 'value="yes" checked' "checked in the form"
post /vote/1/ballot unit=1-1-101 choice=no
expect_code 303 "owner1 changes it"
expect_eq "$(sql "SELECT choice FROM ballot")" "no" "changed in place"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'govern.ballot.change'")" 1 "and audited"

get /vote/1
post /vote/1/ballot unit=1-1-102 choice=yes
expect_code 403 "a ballot for another owner's unit is refused"
expect_body "does not own unit &#39;1-1-102&#39;|不是房屋 &#39;1-1-102&#39; 的业主" "saying why"
get /vote/1
post /vote/1/ballot unit=1-1-101 choice=maybe
expect_code 400 "an unknown choice"
get /vote/1
post /vote/2/ballot unit=1-1-101 choice=yes
expect_code 409 "a ballot after the close"
post /vote/1/ballot unit=1-1-101 choice=yes csrf=0000
expect_code 403 "a form without the session's token"
expect_eq "$(sql "SELECT count(*) FROM ballot")" 1 "nothing more stored"

# 李娜 sells 1-1-102 to 王芳 (owner3) after her paper ballot: the buyer's
# page shows no ballot, the seller's counting no more, and hers replaces it.
pm-govern -q ballot 1 --unit 1-1-102 --choice yes --by P2 --paper 纸-102 >/dev/null
pm occupancy end --unit 1-1-102 --person P2 --until 2026-12-01 >/dev/null 2>&1
pm occupancy set --unit 1-1-102 --person P3 --since 2026-12-01 >/dev/null 2>&1
signin owner3
get /vote/1
expect_body '<legend>1-1-102</legend><p>尚未投票</p>' "the buyer's unit has no ballot of hers"
post /vote/1/ballot unit=1-1-102 choice=no
expect_code 303 "the buyer votes"
expect_eq "$(sql "SELECT p.code || '|' || b.choice FROM ballot b JOIN person p ON p.id = b.person_id JOIN unit u ON u.id = b.unit_id WHERE u.code = '1-1-102'")" \
	"P3|no" "in place of the seller's"

signin desk
get /vote/1
expect_code 200 "staff read the vote"
if grep -q 'name="choice"' "$T/body"; then _report 0 "staff get no ballot form"; else _report 1 "staff get no ballot form"; fi
post /vote/1/ballot unit=1-1-101 choice=yes
expect_code 403 "staff cast no ballot on the web: paper ballots go through pm-govern ballot --paper"
done_testing
