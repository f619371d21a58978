#!/bin/sh
# pm-govern survey: a survey from YAML (bad files refused where they are
# wrong), answers once per person and only from its audience, anonymous
# answers naming no one, results counted by hand, and the satisfaction
# average in pm-report service.
. "$PM_TOP/tests/cli/lib.sh"
export PM_NOW=2026-12-01T10:00:00+08:00

run pm init --community 幸福里
printf '{"code":"1-1-101","area":"90.00","delivered":"2020-06-30"}\n{"code":"1-1-102","area":"60.00","delivered":"2020-06-30"}\n{"code":"2-1-101","area":"80.00","delivered":"2020-06-30"}\n' >units.jsonl
run pm unit import units.jsonl
cat >people.jsonl <<'J'
{"code":"P1","name":"张伟","unit":"1-1-101"}
{"code":"P2","name":"李娜","unit":"1-1-102"}
{"code":"P3","name":"王芳","unit":"2-1-101"}
{"code":"P4","name":"赵磊","unit":"2-1-101","role":"tenant"}
{"code":"P5","name":"孙丽","unit":"2-1-101","role":"family"}
J
run pm person import people.jsonl
expect_rc 0 "a community"

cp "$PM_TOP/share/pm/examples/survey.yaml" survey.yaml
run pm-govern survey new survey.yaml
expect_rc 0 "the example survey"
expect_out '^\{"type":"survey","id":1,"title":"2026年物业服务满意度调查","kind":"satisfaction","anonymous":true,"audience":"all","opens":"2026-12-01T00:00:00\+08:00","closes":"2027-01-01T00:00:00\+08:00","status":"open","answers":0,' \
	"stored, open through its last day"
expect_err 'survey 1: 5 questions' "with its five questions"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'govern.survey.new' AND object = 'survey:1'")" 1 "audited"

# Bad files: where they are wrong, nothing stored.
printf 'title: t\ncloses: 2026-12-31\nquestions:\n  - id: q\n    text: 选哪个\n    type: single\n' >bad1.yaml
run pm-govern survey new bad1.yaml
expect_rc 65 "a choice without options"
expect_err "^pm-govern: bad1.yaml: question 'q': a single question needs options$" "is refused naming it"
printf 'title: t\ncloses: 2026-12-31\nquestions:\n  - id: q\n    text: x\n    type: ranking\n' >bad2.yaml
run pm-govern survey new bad2.yaml
expect_rc 65 "an unknown type"
expect_err '^pm-govern: bad2.yaml:6:11: ' "says where"
printf 'title: t\ncloses: 2026-12-31\nquestions:\n  - {id: a, text: x, type: text}\n  - {id: a, text: y, type: rating}\n' >bad3.yaml
run pm-govern survey new bad3.yaml
expect_err "question 'a' given twice" "a question id twice"
printf 'title: t\nopens: 2026-12-31\ncloses: 2026-12-01\nquestions:\n  - {id: a, text: x, type: text}\n' >bad4.yaml
run pm-govern survey new bad4.yaml
expect_err 'the survey must close on or after the day it opens' "a close before the opening"
printf 'title: t\naudience: building:9\ncloses: 2026-12-31\nquestions:\n  - {id: a, text: x, type: text}\n' >bad5.yaml
run pm-govern survey new bad5.yaml
expect_rc 65 "an unknown building"
run pm-govern survey new missing.yaml
expect_rc 66 "a missing file"
expect_eq "$(sql 'SELECT count(*) FROM survey')" 1 "nothing more stored"

# Answers: staff enter paper forms with --by; owners answer as themselves.
run pm-govern survey answer 1 --by P1 overall=5 cleaning=4 focus=绿化 events=义诊,跳蚤市场 comment=楼道灯常坏
expect_rc 0 "P1's answers"
run pm-govern survey answer 1 --by P3 overall=4 cleaning=2 focus=保洁 events=义诊
expect_rc 0 "P3's"
run pm-govern survey answer 1 --by P4 overall=3 focus=保洁 "comment=希望增加 快递柜"
expect_rc 0 "the tenant P4's, a question left out"
run pm-govern survey answer 1 --by P1 overall=1
expect_rc 1 "a second answer"
expect_err 'survey 1: this person has answered already' "is refused"
run pm-govern survey answer 1 --by P5 overall=1
expect_rc 77 "a family member is not asked"
run pm-govern survey answer 1 --by P2 overall=6
expect_rc 65 "a rating out of range"
expect_err "question 'overall': '6' is no rating from 1 to 5" "is named"
run pm-govern survey answer 1 --by P2 focus=停车
expect_rc 65 "an option it has not"
run pm-govern survey answer 1 --by P2 colour=red
expect_err "survey 1 has no question 'colour'" "an unknown question"
run pm-govern survey answer 1 --by P2 overall
expect_rc 2 "an answer without ="
run pm-govern survey answer 1 --by P2 overall=5 cleaning=4 overall=1
expect_rc 65 "a question answered twice"
expect_err "pm-govern: question 'overall' is answered twice: give one answer" "is refused, naming it"
expect_eq "$(sql 'SELECT count(*) FROM survey_answer')" 3 "and nothing is stored"
run pm-govern survey answer 1 overall=3
expect_rc 2 "staff without --by"
run pm user add lina --role owner --person P2
PM_USER=lina run pm-govern survey answer 1 --by P1 overall=2
expect_rc 77 "an owner answering as someone else"
PM_USER=lina run pm-govern survey answer 1 overall=2 cleaning=3 events=跳蚤市场,跳蚤市场
expect_rc 0 "an owner answers as herself"
expect_eq "$(sql 'SELECT count(*) FROM survey_answer WHERE person_id IS NOT NULL')" 0 "anonymous: no answer names anyone"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'govern.survey.answer' AND after LIKE '%5%'")" 0 \
	"nor do the audit records hold the answers"
expect_eq "$(sql "SELECT answers FROM survey_answer ORDER BY id DESC LIMIT 1")" \
	'{"overall":2,"cleaning":3,"events":["跳蚤市场"]}' "a rating stored as a number, an option chosen twice once"
PM_NOW=2027-01-01T00:00:00+08:00 run pm-govern survey answer 1 --by P2 overall=2
expect_rc 1 "after the last day"
expect_err 'survey 1 is closed: it takes no answers' "is refused"

# By hand: overall 5 + 4 + 3 + 2 = 14 of 4 answers, 3.50; cleaning
# 4 + 2 + 3 = 9 of 3, 3.00; focus 保洁 2 of 3 (66.7%), 绿化 1 (33.3%).
run pm-govern survey results 1 --format jsonl
expect_rc 0 "results"
expect_out '^\{"type":"survey","section":"questions","question":"overall","text":"您对物业服务的总体满意度（1–5分）","kind":"rating","answers":4,"average":"3.50"\}$' \
	"the overall average"
expect_out '"question":"cleaning",.*"answers":3,"average":"3.00"' "cleaning"
expect_out '"question":"focus",.*"kind":"single","answers":3,"average":null' "a choice has no average"
expect_out '^\{"type":"survey","section":"options","question":"focus","option":"保洁","count":2,"share_pct":"66.7"\}$' "保洁 2 of 3"
expect_out '^\{"type":"survey","section":"options","question":"events","option":"跳蚤市场","count":2,"share_pct":"66.7"\}$' \
	"a multiple choice: 2 of the 3 who answered it"
expect_out '^\{"type":"survey","section":"options","question":"focus","option":"维修","count":0,"share_pct":"0.0"\}$' "an option no one chose"
expect_out '^\{"type":"survey","section":"comments","question":"comment","comment":"希望增加 快递柜"\}$' "free text listed"
run pm-govern survey results 1 --file-format html --output results.html
expect_rc 0 "results as a page"
expect_eq "$(grep -c '楼道灯常坏' results.html)" 1 "with the comments"

# pm-report service: the satisfaction surveys of its months.
run pm-report service --period 2026-12 --section survey --format jsonl
expect_rc 0 "the service report"
expect_out '^\{"type":"service","section":"survey","surveys":1,"ratings":7,"average":"3.29"\}$' \
	"the ratings of the month's satisfaction survey: (14 + 9) / 7 = 3.29"

done_testing
