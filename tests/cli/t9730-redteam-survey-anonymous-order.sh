#!/bin/sh
# An anonymous survey names no one, and its results must not either. The
# comments were listed in the order the answers came, and the audit log
# (pm audit, for admin and finance) lists who answered in that order: the
# n-th comment was the n-th answerer's. Listed in an order of their own
# content, they tell nothing of when they came.
. "$PM_TOP/tests/cli/lib.sh"
export PM_NOW=2026-12-01T10:00:00+08:00

run pm init --community 幸福里
printf '{"code":"1-1-101","area":"90.00","delivered":"2020-06-30"}\n{"code":"1-1-102","area":"60.00","delivered":"2020-06-30"}\n{"code":"1-1-103","area":"60.00","delivered":"2020-06-30"}\n' >units.jsonl
run pm unit import units.jsonl
printf '{"code":"P1","name":"张伟","unit":"1-1-101"}\n{"code":"P2","name":"李娜","unit":"1-1-102"}\n{"code":"P3","name":"王芳","unit":"1-1-103"}\n' >people.jsonl
run pm person import people.jsonl
for p in 1 2 3; do pm user add "owner.p$p" --role owner --person "P$p" >/dev/null 2>&1; done
cat >survey.yaml <<'Y'
title: 意见征集
anonymous: true
closes: 2026-12-31
questions:
  - {id: comment, text: 其他意见, type: text}
Y
run pm-govern survey new survey.yaml
expect_rc 0 "an anonymous survey"

# 张伟 answers first, 王芳 last.
run pm-govern --as owner.p1 survey answer 1 comment=保安巡逻太少
expect_rc 0 "张伟's answer"
run pm-govern --as owner.p2 survey answer 1 comment=电梯经常坏
expect_rc 0 "李娜's"
run pm-govern --as owner.p3 survey answer 1 comment=垃圾清运不及时
expect_rc 0 "王芳's"
run pm audit --format jsonl
expect_eq "$(jq -r 'select(.action == "govern.survey.answer") | .actor' "$T/out" | tr '\n' ' ')" \
	"owner.p1 owner.p2 owner.p3 " "the audit log says who answered, in order"

run pm-govern survey results 1 --format jsonl
expect_rc 0 "the results"
jq -r 'select(.section == "comments") | .comment' "$T/out" >comments
expect_eq "$(wc -l <comments)" 3 "three comments"
expect_eq "$(cat comments)" "$(LC_ALL=C sort comments)" "in an order of their own, not the answers'"
expect_eq "$(sql 'SELECT count(*) FROM survey_answer WHERE person_id IS NOT NULL')" 0 "and the store names no one"
done_testing
