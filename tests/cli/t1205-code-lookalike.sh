#!/bin/sh
# A person's or a meter's code names its row: "P1" and "P1" with a zero
# width space after it printed alike and were two people (found by the
# red team of stop 33: the same resident imported twice from two
# spreadsheets, one pasted from a chat). A code is 1 to its most bytes of
# characters that show, with no space around them: a control, blank,
# invisible or combining character, or bytes that are no UTF-8, refuse the
# record (FILE:LINE, --reject, exit 65), the good records kept.
. "$PM_TOP/tests/cli/lib.sh"

run pm init
printf '{"code":"3-2-1101","area":"89.50","delivered":"2020-06-30"}\n' >units.jsonl
run pm unit import units.jsonl
printf '%s\n' '{"code":"P1","name":"张伟"}' \
	"$(printf '{"code":"P1\342\200\213","name":"张伟"}')" \
	"$(printf '{"code":"P1\343\200\200","name":"张伟"}')" \
	"$(printf '{"code":"P\314\2011","name":"张伟"}')" \
	'{"code":"P1\u001b","name":"张伟"}' \
	'{"code":" P1","name":"张伟"}' \
	'{"code":"P1 ","name":"张伟"}' \
	'{"code":"王 芳","name":"王芳"}' \
	'{"code":"住户-0002","name":"李娜"}' \
	'{"code":"","name":"空"}' \
	'{"code":"P123456789012345678901234567890123","name":"长"}' >people.jsonl
run pm person import --reject people.rej people.jsonl
expect_rc 65 "people with look-alike codes: exit 65"
expect_err 'people.jsonl:2: field "code": byte 3 is U\+200B, a blank, invisible or combining character' \
	"a zero width space is named with its byte"
expect_err 'people.jsonl:3: field "code": byte 3 is U\+3000, a blank' "an ideographic space"
expect_err 'people.jsonl:4: field "code": byte 2 is U\+0301, a blank, invisible or combining character' \
	"a combining accent"
expect_err 'people.jsonl:5: field "code": byte 3 is U\+001B, a control character' "an escape"
expect_err 'people.jsonl:6: field "code": a space at its start or end' "a space before"
expect_err 'people.jsonl:7: field "code": a space at its start or end' "a space after"
expect_err 'people.jsonl:10: field "code": 1 to 32 bytes' "empty"
expect_err 'people.jsonl:11: field "code": 1 to 32 bytes' "33 bytes"
expect_eq "$(sql "SELECT group_concat(code, ',') FROM (SELECT code FROM person ORDER BY id)")" "P1,王 芳,住户-0002" \
	"the good people kept, a space inside a code and Chinese allowed"
expect_eq "$(wc -l <people.rej | tr -d ' ')" 8 "the eight refused records kept in --reject"
expect_eq "$(sed -n 1p people.rej)" "$(sed -n 2p people.jsonl)" "as they were written"

(LC_ALL=zh_CN.UTF-8 run pm person import people.jsonl)
expect_err 'people.jsonl:2: 字段 "code"：第 3 字节 U\+200B 是空白、不可见或组合字符' "in Chinese too"

# The most is in bytes, which the message says: ten Chinese characters
# are 30 bytes, eleven 33 (each 3 in UTF-8), though short to the eye.
printf '%s\n' '{"code":"住户住户住户住户住户住","name":"长"}' '{"code":"住户住户住户住户住户","name":"长"}' >long.jsonl
run pm person import long.jsonl
expect_rc 65 "a code of 33 bytes in 11 characters: exit 65"
expect_err 'long.jsonl:1: field "code": 1 to 32 bytes$' "named as bytes, not characters"
expect_eq "$(sql "SELECT count(*) FROM person WHERE code = '住户住户住户住户住户'")" 1 "the one of 30 bytes kept"
(LC_ALL=zh_CN.UTF-8 run pm person import long.jsonl)
expect_err 'long.jsonl:1: 字段 "code"：应为 1 到 32 个字节（一个汉字占 3 个）' "in Chinese, with what a character takes"

printf '%s\n' '{"code":"W1","kind":"water","serves":"3-2-1101"}' \
	"$(printf '{"code":"W1\342\200\214","kind":"water","serves":"3-2-1101"}')" \
	"$(printf '{"code":"W1\302\240","kind":"water","serves":"3-2-1101"}')" \
	'{"code":"W\u00ad1","kind":"water","serves":"3-2-1101"}' >meters.jsonl
run pm-meter import --reject meters.rej meters.jsonl
expect_rc 65 "meters with look-alike codes: exit 65"
expect_err 'meters.jsonl:2: field "code": byte 3 is U\+200C, a blank' "a zero width non-joiner"
expect_err 'meters.jsonl:3: field "code": byte 3 is U\+00A0, a blank' "a no-break space"
expect_err 'meters.jsonl:4: field "code": byte 2 is U\+00AD, a blank' "a soft hyphen"
expect_eq "$(sql "SELECT group_concat(code) FROM meter")" "W1" "one meter"
expect_eq "$(wc -l <meters.rej | tr -d ' ')" 3 "three kept in --reject"
done_testing
