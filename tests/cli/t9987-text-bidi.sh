#!/bin/sh
# Bidi controls in text a person types (a visitor's name, a ticket's
# text, a renovation's contractor) were stored and shown to others as
# they reorder it. pm_text_valid refuses them, the one rule the web and
# the command line share: an option's value (TEXT, NAME) is a bad value,
# exit 2, naming the option and the character; a JSON line holding one
# is rejected, exit 65, naming the field; the same text without it is
# taken.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

run pm init
run pm config apply "$PM_TOP/share/pm/examples/pm.yaml"
feed '{"code":"1-1-101","area":"89.50","delivered":"2019-06-30"}\n' pm unit import
rlo=$(printf '\342\200\256') lri=$(printf '\342\201\246')

run pm-gate visitor request --unit 1-1-101 --name "${rlo}客访" --from 2026-12-01T10:00:00+08:00 --until 2026-12-01T13:00:00+08:00
expect_rc 2 "a visitor's --name with U+202E: exit 2"
expect_err '^pm-gate visitor request: --name: byte 0 is U\+202E, a control character: take it out$' "naming the option"
LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 run pm-gate visitor request --unit 1-1-101 --name "${rlo}客访" \
	--from 2026-12-01T10:00:00+08:00 --until 2026-12-01T13:00:00+08:00
expect_err '--name：第 0 字节是 U\+202E，属于控制字符，请删去' "in Chinese too"
expect_eq "$(sql "SELECT count(*) FROM visitor")" 0 "no visitor"
run pm-gate visitor request -q --unit 1-1-101 --name 客访 --from 2026-12-01T10:00:00+08:00 --until 2026-12-01T13:00:00+08:00
expect_rc 0 "the name without it is taken"

run pm-repair submit --unit 1-1-101 --category plumbing --text "厨房${lri}漏水"
expect_rc 2 "a ticket's --text with U+2066: exit 2"
expect_err '--text: byte 6 is U\+2066, a control character' "saying so"
printf '{"unit":"1-1-101","category":"plumbing","text":"厨房\\u202e漏水"}\n{"unit":"1-1-101","category":"plumbing","text":"厨房漏水"}\n' >t.jsonl
run pm-repair submit t.jsonl
expect_rc 65 "a JSON line whose text holds U+202E: exit 65"
expect_err '^pm-repair: t\.jsonl:1: the text: byte 6 is U\+202E, a control character: take it out$' "naming the line and field"
expect_eq "$(sql "SELECT group_concat(text) FROM ticket")" 厨房漏水 "the good line is filed, the bad one not"

run pm-repair renovation apply --unit 1-1-101 --from 2026-12-10 --to 2026-12-31 --contractor "张师傅${rlo}" --scope 刷墙
expect_rc 2 "a renovation's --contractor with U+202E: exit 2"
expect_err '--contractor: byte 9 is U\+202E' "saying so"
expect_eq "$(sql "SELECT count(*) FROM renovation")" 0 "no renovation"
done_testing
