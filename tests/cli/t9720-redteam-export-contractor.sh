#!/bin/sh
# pm export withholds the personal columns the head office has no need
# of. A renovation's contractor is a person's name and phone number
# ("张师傅 13900000000", as README and pm-repair(1) write it) and went out
# whole in every renovation row, snapshot and change alike, while a
# ticket's contact, a visitor's phone and the asker's login stay home.
. "$PM_TOP/tests/cli/lib.sh"
export PM_NOW=2026-12-01T09:00:00+08:00

run pm init --community 测试小区
feed '{"code":"1-1-101","area":"100","status":"occupied"}\n' pm unit import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community: {name: 测试小区}
repair:
  categories: [{name: renovation, label: 装修检查}]
  renovation: {deposit: {residential: 2000.00}}
Y
run pm config apply pm.yaml
expect_rc 0 "a community"
run pm-repair renovation apply --unit 1-1-101 --from 2026-12-15 --to 2027-01-15 \
	--contractor '张师傅 13900000000' --scope 厨卫改造
expect_rc 0 "a renovation by 张师傅, phone 13900000000"

run pm export --format jsonl
expect_rc 0 "the first export"
cp "$T/out" feed1
expect_eq "$(jq -c 'select(.table == "renovation") | .row | [.scope, has("contractor")]' feed1)" '["厨卫改造",false]' \
	"the renovation is in the feed without its contractor"
expect_eq "$(grep -c -e 13900000000 -e 张师傅 feed1)" 0 "the name and phone are nowhere in it"

run pm-repair renovation approve 1
expect_rc 0 "a change to the renovation"
run pm export --since "$(tail -n 1 feed1 | jq -r .cursor)" --tables renovation --format jsonl
expect_eq "$(jq -c 'select(.table == "renovation") | .row | [.status, has("contractor")]' "$T/out")" '["approved",false]' \
	"nor in a change since, asked for by --tables"
expect_eq "$(grep -c 13900000000 "$T/out")" 0 "the phone stays home"
done_testing
