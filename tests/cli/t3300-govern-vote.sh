#!/bin/sh
# pm-govern vote, ballot, tally: who counts by head (the developer's units
# as one owner, a buyer of three units once, co-owners one ballot), ballots
# changed and audited, closed votes, who may vote for which unit, the
# tally's exact figures by hand, a vote limited to one building.
. "$PM_TOP/tests/cli/lib.sh"
export PM_NOW=2026-12-01T10:00:00+08:00

run pm init --community 幸福里
# Building 1: 张伟 (P1) bought three units (90 + 60 + 30 m²); 李娜 (P2)
# one of 80 m²; 王芳 and 赵磊 (P3, P4) own 1-1-202 together, rented to
# 孙丽 (T1). Building 2: the developer's 40 units of 10 m², 20 in the
# name of 开发公司 (D), 20 not yet sold to anyone.
{
	printf '{"code":"1-1-101","area":"90.00","delivered":"2020-06-30"}\n'
	printf '{"code":"1-1-102","area":"60.00","delivered":"2020-06-30"}\n'
	printf '{"code":"1-1-103","area":"30.00","delivered":"2020-06-30"}\n'
	printf '{"code":"1-1-201","area":"80.00","delivered":"2020-06-30"}\n'
	printf '{"code":"1-1-202","area":"80.00","delivered":"2020-06-30"}\n'
	i=1; while [ $i -le 40 ]; do printf '{"code":"2-1-%03d","area":"10.00","delivered":"2020-06-30"}\n' $i; i=$((i + 1)); done
} >units.jsonl
run pm unit import units.jsonl
expect_rc 0 "45 units imported"
{
	printf '{"code":"P1","name":"张伟","phone":"13800000001","unit":"1-1-101"}\n'
	printf '{"code":"P1","name":"张伟","phone":"13800000001","unit":"1-1-102"}\n'
	printf '{"code":"P1","name":"张伟","phone":"13800000001","unit":"1-1-103"}\n'
	printf '{"code":"P2","name":"李娜","phone":"13800000002","unit":"1-1-201"}\n'
	printf '{"code":"P3","name":"王芳","phone":"13800000003","unit":"1-1-202"}\n'
	printf '{"code":"P4","name":"赵磊","phone":"13800000004","unit":"1-1-202"}\n'
	printf '{"code":"T1","name":"孙丽","phone":"13800000005","unit":"1-1-202","role":"tenant"}\n'
	i=1; while [ $i -le 20 ]; do printf '{"code":"D","name":"开发公司","unit":"2-1-%03d"}\n' $i; i=$((i + 1)); done
} >people.jsonl
run pm person import people.jsonl
expect_rc 0 "owners imported"

# ---- a vote ----
run pm-govern vote new --title 续聘物业服务企业 --matter manager --closes 2026-12-31
expect_rc 0 "vote new"
expect_out '^\{"type":"vote","id":1,"title":"续聘物业服务企业","matter":"manager","participation":"at least 2/3","pass":"more than 1/2","building":null,"opens":"2026-12-01T10:00:00\+08:00","closes":"2026-12-31T00:00:00\+08:00","status":"open","ballots":0,' \
	"the vote with the law's rule for its matter"
expect_err 'vote 1: manager, more than 1/2 of the participating area and owners to pass' "said on stderr"
# In Chinese the rule is said in Chinese too, in a copy of the store.
sqlite3 "$PM_DB" ".backup '$T/zh.db'"
(unset PM_LOCALEDIR; PM_DB=$T/zh.db LC_ALL=zh_CN.UTF-8 pm-govern vote new --title 维修资金续筹 --matter fund_raise \
	--closes 2026-12-31 >"$T/out" 2>"$T/err")
expect_err '^pm-govern: 表决 2：fund_raise，须经参与表决面积和人数的 不少于 3/4 同意$' "and in Chinese, the rule with it"
run pm-govern vote new --title x --matter elections --closes 2026-12-31
expect_rc 65 "an unknown matter"
expect_err "unknown matter 'elections': expected one of rules, regulations" "is named"
run pm-govern vote new --title x --matter other --opens 2026-12-31 --closes 2026-12-30
expect_rc 65 "a close before the opening"
expect_eq "$(sql 'SELECT count(*) FROM vote')" 1 "stores nothing"

# Before the developer is marked: D's 20 units are one owner (one buyer
# of several), the 20 unsold another, so five owners by head.
run pm-govern tally 1 --format jsonl
expect_rc 0 "tally with no ballots"
expect_out '^\{"type":"tally","section":"tally","measure":"all owners","area_m2":"740.00","area_pct":null,"area_fraction":null,"owners":5,' \
	"740 m², five owners before the developer is marked"
run pm-govern ballot 1 --unit 2-1-021 --choice yes --by D --paper 纸-021
expect_rc 77 "D may not vote for an unsold unit before it is marked the developer"
expect_err "pm-govern: person 'D' does not own unit '2-1-021'" "saying so"
run pm-govern developer D
expect_rc 0 "mark the developer"
expect_eq "$(sql "SELECT developer FROM person WHERE code = 'D'")" 1 "stored"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'govern.developer' AND object = 'person:D'")" 1 "audited"
run pm-govern tally 1 --format jsonl
expect_out '"measure":"all owners","area_m2":"740.00","area_pct":null,"area_fraction":null,"owners":4,' \
	"now all 40 of the developer's units are one owner: four in all"

# Paper ballots entered by staff: the developer for its 40 units, 张伟 for
# his three, 李娜 no.
i=1; while [ $i -le 40 ]; do
	n=$(printf '%03d' $i)
	run pm-govern ballot 1 --unit "2-1-$n" --choice yes --by D --paper "纸-$n"
	[ "$rc" = 0 ] || break
	i=$((i + 1))
done
expect_rc 0 "the developer's 40 ballots"
for u in 1-1-101 1-1-102 1-1-103; do run pm-govern ballot 1 --unit $u --choice yes --by P1 --paper "纸-$u"; done
expect_rc 0 "张伟's three"
expect_out '^\{"type":"ballot","vote":1,"unit":"1-1-103","person":"P1","choice":"yes","paper":"纸-1-1-103","entered_by":"[^"]+","created_at":"2026-12-01T10:00:00\+08:00","updated_at":"2026-12-01T10:00:00\+08:00","options":\[\]\}$' \
	"the ballot printed"
run pm-govern ballot 1 --unit 1-1-201 --choice no --by P2 --paper 纸-201
expect_rc 0 "李娜 votes no"

# By hand: taking part 400 + 180 + 80 = 660 of 740 m² (89.2%, at least
# 2/3: 660 * 3 = 1980 >= 740 * 2 = 1480) and 3 of 4 owners (9 >= 8); yes
# 580 of 660 m² (87.9%) and 2 of 3 owners (66.7%), both more than half.
run pm-govern tally 1 --format jsonl
expect_out '^\{"type":"tally","section":"tally","measure":"taking part","area_m2":"660.00","area_pct":"89.2","area_fraction":"660.00/740.00","owners":3,"owners_pct":"75.0","owners_fraction":"3/4"\}$' \
	"taking part, by area and by head"
expect_out '^\{"type":"tally","section":"tally","measure":"yes","area_m2":"580.00","area_pct":"87.9","area_fraction":"580.00/660.00","owners":2,"owners_pct":"66.7","owners_fraction":"2/3"\}$' \
	"yes: the developer once, 张伟 once with all three areas"
expect_out '"measure":"no","area_m2":"80.00","area_pct":"12.1","area_fraction":"80.00/660.00","owners":1,' "no"
expect_out '^\{"type":"tally","section":"outcome","test":"participation","rule":"at least 2/3","area":"reached","owners":"reached","result":"passed"\}$' \
	"participation reached"
expect_out '^\{"type":"tally","section":"outcome","test":"agreement","rule":"more than 1/2","area":"reached","owners":"reached","result":"passed"\}$' \
	"agreement reached"
run pm-govern tally 1 --format table
expect_out 'passed: participation at least 2/3 and agreement more than 1/2, by area and by owners' "the outcome and the rule that decided it"

# A changed ballot: the row changes in place, the audit keeps both.
run pm-govern ballot 1 --unit 1-1-201 --choice yes --by P2 --paper 纸-201b
expect_rc 0 "李娜 changes her ballot"
expect_eq "$(sql "SELECT choice || '|' || paper FROM ballot b JOIN unit u ON u.id = b.unit_id WHERE u.code = '1-1-201'")" \
	"yes|纸-201b" "one ballot for the unit, changed"
expect_eq "$(sql "SELECT json_extract(before, '\$.choice') || '>' || json_extract(after, '\$.choice') FROM audit WHERE action = 'govern.ballot.change'")" \
	"no>yes" "the change is audited with the ballot before and after"
run pm-govern ballot 1 --unit 1-1-201 --choice yes --by P2 --paper 纸-201b
expect_rc 0 "the same ballot again"
expect_err 'unit 1-1-201 has this ballot already: nothing changed' "changes nothing"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action LIKE 'govern.ballot%' AND object = 'vote:1:unit:1-1-201'")" 2 \
	"and writes no audit record"

# Co-owners share one ballot: 王芳 casts it, 赵磊 changes it.
run pm-govern ballot 1 --unit 1-1-202 --choice no --by P3 --paper 纸-202
run pm-govern ballot 1 --unit 1-1-202 --choice abstain --by P4 --paper 纸-202b
expect_eq "$(sql "SELECT p.code || '|' || b.choice FROM ballot b JOIN unit u ON u.id = b.unit_id JOIN person p ON p.id = b.person_id WHERE u.code = '1-1-202'")" \
	"P4|abstain" "one ballot for the co-owned unit, the last co-owner's"
run pm-govern ballot 1 --unit 1-1-202 --choice yes --by T1 --paper 纸-202c
expect_rc 77 "a tenant does not vote"
expect_err "person 'T1' does not own unit '1-1-202'" "saying so"

# Who may vote: an owner for their own unit only, as themselves; staff
# only from a signed paper ballot.
run pm user add lina --role owner --person P2
run pm user add fang --role owner --person P3
run pm user add viewer1 --role viewer
PM_USER=lina run pm-govern ballot 1 --unit 1-1-101 --choice no
expect_rc 77 "an owner's ballot for a unit she does not own"
expect_err "pm-govern: person 'P2' does not own unit '1-1-101'" "is refused"
PM_USER=lina run pm-govern ballot 1 --unit 1-1-201 --choice no --by P1
expect_rc 77 "an owner voting as someone else"
expect_err "user 'lina' votes only as themselves, not as 'P1'" "is refused"
PM_USER=viewer1 run pm-govern ballot 1 --unit 1-1-201 --choice no --by P2 --paper x
expect_rc 77 "a viewer may not vote"
PM_USER=lina run pm-govern ballot 1 --unit 1-1-201 --choice no --paper FAKE
expect_rc 77 "an owner's own ballot with a paper reference"
expect_err "user 'lina' votes online: only staff enter a paper ballot" "is refused: it would pass for a signed one"
expect_eq "$(sql "SELECT paper FROM ballot b JOIN unit u ON u.id = b.unit_id WHERE u.code = '1-1-201'")" "纸-201b" \
	"the ballot is left as it was"
PM_USER=lina run pm-govern ballot 1 --unit 1-1-201 --choice no
expect_rc 0 "an owner votes for her own unit"
expect_out '"unit":"1-1-201","person":"P2","choice":"no","paper":null,"entered_by":"lina"' "online: no paper, entered by herself"
run pm-govern ballot 1 --unit 1-1-201 --choice no --by P2
expect_rc 2 "staff without --paper"
expect_err 'staff enter a signed paper ballot: give --by PERSON and --paper REF' "is told what to give"
run pm-govern ballot 1 --unit 1-1-201 --choice maybe --by P2 --paper x
expect_rc 2 "an unknown choice"
run pm-govern ballot 1 --unit 9-9-999 --choice no --by P2 --paper x
expect_rc 65 "an unknown unit"
run pm-govern ballot 7 --unit 1-1-201 --choice no --by P2 --paper x
expect_rc 65 "an unknown vote"
expect_err 'no vote 7' "is named"

# Closing: no ballot after the close, by the clock or by vote close.
PM_NOW=2026-12-31T00:00:00+08:00 run pm-govern ballot 1 --unit 1-1-201 --choice yes --by P2 --paper late
expect_rc 1 "a ballot at the close is refused"
expect_err 'vote 1 closed at 2026-12-31T00:00:00\+08:00' "saying when it closed"
run pm-govern vote new --title 外墙广告 --matter common_use --opens 2026-12-02 --closes 2026-12-20
expect_out '"id":2,.*"pass":"at least 3/4".*"status":"pending"' "matter (8) needs three quarters; not yet open"
run pm-govern ballot 2 --unit 1-1-201 --choice yes --by P2 --paper early
expect_rc 1 "a ballot before the opening is refused"
expect_err 'vote 2 opens at 2026-12-02T00:00:00\+08:00' "saying when"
PM_NOW=2026-12-05T09:00:00+08:00 run pm-govern vote close 1
expect_rc 0 "close vote 1 early"
expect_out '"status":"closed"' "it is closed"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'govern.vote.close' AND object = 'vote:1'")" 1 "audited"
PM_NOW=2026-12-05T09:00:00+08:00 run pm-govern ballot 1 --unit 1-1-201 --choice yes --by P2 --paper late
expect_rc 1 "a ballot after closing is refused"
expect_err 'vote 1 closed at 2026-12-05T09:00:00\+08:00' "saying when"
PM_NOW=2026-12-05T09:00:00+08:00 run pm-govern vote close 1
expect_rc 1 "closing twice"

# A vote of one building counts that building's owners and area only.
run pm-govern vote new --title 1号楼电梯更新 --matter fund_use --building 1 --closes 2026-12-31
expect_rc 0 "a vote of building 1"
run pm-govern ballot 3 --unit 2-1-001 --choice yes --by D --paper x
expect_rc 65 "a unit of another building"
expect_err "unit '2-1-001' is not in building 1, the scope of vote 3" "is refused"
for u in 1-1-101 1-1-102 1-1-103; do run pm-govern ballot 3 --unit $u --choice yes --by P1 --paper "b-$u"; done
# By hand: 180 of 340 m² take part (52.9%, not 2/3), 1 of 3 owners.
run pm-govern tally 3 --format jsonl
expect_out '"measure":"all owners","area_m2":"340.00",.*"owners":3,' "340 m² and three owners in building 1"
expect_out '"measure":"taking part","area_m2":"180.00","area_pct":"52.9","area_fraction":"180.00/340.00","owners":1,"owners_pct":"33.3","owners_fraction":"1/3"' \
	"taking part"
expect_out '"test":"participation","rule":"at least 2/3","area":"not reached","owners":"not reached","result":"failed"' \
	"participation not reached"

# For the notice board, and published.
run pm-govern tally 1 --file-format html --output result.html
expect_rc 0 "html to a file"
# Every unit has a ballot now: 1-1-201 no (李娜 online), 1-1-202 abstain.
expect_eq "$(grep -c '<td>taking part</td><td class="n">740.00</td><td class="n">100.0%</td><td>740.00/740.00</td><td class="n">4</td>' result.html)" 1 \
	"the page has the exact figures"
run pm-govern tally 1 --file-format svg
expect_out '^<svg' "an svg chart on stdout"
run pm-govern tally 1 --format csv --file-format html
expect_rc 2 "--format and --file-format together"
run pm-govern tally 1 --publish --format jsonl
expect_rc 0 "publish"
expect_err 'announcement 1: units 25; messages: queued' "posted to everyone (the 25 units with residents)"
expect_eq "$(sql "SELECT title || '|' || target FROM announcement")" "Result of the owners' vote: 续聘物业服务企业|all" "as an announcement"
PM_USER=lina run pm-govern tally 1 --publish
expect_rc 77 "an owner may read a tally, not publish it"
PM_USER=lina run pm-govern tally 1 --format jsonl
expect_rc 0 "but may read it"

# Reminders: the owners of units without a ballot, not their tenants.
run pm-govern remind 3 --channel stdout
expect_rc 0 "remind"
expect_err 'vote 3: 2 units without a ballot; messages: queued 3, duplicate 0' "two units, three owners"
expect_eq "$(sql "SELECT group_concat(recipient || ':' || unit, ' ') FROM (SELECT * FROM outbox WHERE template = 'vote_reminder' ORDER BY recipient)")" \
	"P2:1-1-201 P3:1-1-202 P4:1-1-202" "each owner once, the tenant T1 not"
expect_eq "$(sql "SELECT count(*) FROM outbox WHERE template = 'vote_reminder' AND body LIKE '%1号楼电梯更新%2026-12-31%'")" 3 \
	"the message names the vote and its close"
run pm-govern remind 3 --channel stdout
expect_err 'queued 0, duplicate 3' "a second run the same day sends nothing twice"
PM_NOW=2026-12-06T09:00:00+08:00 run pm-govern remind 1
expect_rc 1 "no reminders for a closed vote"
expect_err 'vote 1 closed at 2026-12-05T09:00:00\+08:00' "saying so"

# The rule comes from pm.yaml, copied when a vote is made.
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 幸福里
govern:
  participation: at least 3/4
  matters:
    manager: at least 3/5
Y
run pm config apply pm.yaml
expect_rc 0 "a stricter rule"
run pm-govern vote new --title 选聘 --matter manager --closes 2026-12-31
expect_out '"participation":"at least 3/4","pass":"at least 3/5"' "a new vote takes it"
run pm-govern vote show 1
expect_out '"participation":"at least 2/3","pass":"more than 1/2"' "an older vote keeps its own"
printf 'effective: 2026-01-01\ncommunity:\n  name: 幸福里\ngovern:\n  matters:\n    rebuild: 3/4\n' >bad.yaml
run pm config check bad.yaml
expect_rc 78 "a threshold that is not a rule"
expect_err "'3/4': expected \"at least N/D\" or \"more than N/D\"" "is refused"

# A vote closed in the second it opened.
PM_NOW=2027-01-05T10:00:00+08:00 run pm-govern vote new --title 试 --matter manager --closes 2027-01-31 --format jsonl
id=$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$T/out")
PM_NOW=2027-01-05T10:00:00+08:00 run pm-govern vote close "$id"
expect_rc 1 "closing a vote in the second it opened"
expect_err "^pm-govern: vote $id opened this second: close it from the next$" "says so, not SQL's CHECK"
PM_NOW=2027-01-05T10:00:01+08:00 run pm-govern vote close "$id"
expect_rc 0 "a second later it closes"

done_testing
