#!/bin/sh
# The names pm.yaml gives things that people type and that become keys
# elsewhere (a fee's name is its revenue account, a channel's its cash
# account, a gate's what pm-gate verify --gate takes) are characters
# that show: "water" with a zero-width space after it would be a second
# fee printed as the first. A file with one is refused (exit 78) naming
# the place and the byte; a version stored before the rule still loads.
. "$PM_TOP/tests/cli/lib.sh"

PM_NOW=2026-11-26T10:00:00+08:00; export PM_NOW

run pm init --community 幸福里小区

refused() { # YAML_AFTER_COMMUNITY WHERE DESC: pm config apply refuses it, naming WHERE
	printf 'effective: 2026-01-01\ncommunity:\n  name: 幸福里小区\n%s\n' "$1" >names.yaml
	run pm config apply names.yaml
	expect_rc 78 "$3"
	expect_err "^pm: names.yaml:$2: .*byte [0-9]* is U\\+[0-9A-F]*, a blank, invisible or combining character" \
		"naming the place and the character"
}

refused 'fees:
  - {name: "water\u200b", label: 水费, type: fixed, amounts: {residential: 15}}' '5:12: fees\[0\]\.name' \
	"a fee named water and a zero-width space"
refused 'payments:
  channels: [cash, "wechat\u200b"]' '5:20: payments\.channels\[1\]' "a payment channel likewise"
refused 'gates:
  "north\u2060":
    name: 北门' '5:3: gates' "a gate's key with a word joiner"
refused 'parking:
  resources:
    "A-01\u0301": {kind: space}' '6:5: parking\.resources' "a parking space with a combining accent"
refused 'repair:
  categories:
    - {name: "plumbing\ufeff", label: 水管}' '6:14: repair\.categories\[0\]\.name' \
	"a repair category with a byte-order mark"
refused 'notify:
  templates:
    "alarm\u200b":
      subject: 报警' '6:5: notify\.templates' "a message template's name"
refused 'meters:
  kinds:
    "water\u200c": {uom: m³}' '6:5: meters\.kinds' "a meter kind with a zero-width non-joiner"
expect_eq "$(sql 'SELECT count(*) FROM config_version')" "1" "none is stored"

# The same names as they show are applied.
cat >good.yaml <<'Y'
effective: 2026-01-01
community:
  name: 幸福里小区
fees:
  - {name: water, label: 水费, type: fixed, amounts: {residential: 15}}
gates:
  north:
    name: 北门
Y
run pm config apply good.yaml
expect_rc 0 "the names without the characters apply"

# A version an older pm stored with such a name still loads: it is the
# configuration in force and reads as stored.
sql "UPDATE config_version SET yaml = replace(yaml, 'name: water,', 'name: \"water\\u200b\",') WHERE version = 2"
expect_eq "$(sql "SELECT count(*) FROM config_version WHERE version = 2 AND yaml LIKE '%water\\u200b%'")" "1" \
	"(the stored text now has the escape)"
feed '{"code":"1-1-101","area":"80","status":"occupied"}\n' pm unit import
run pm-bill run --period 2026-11 --format jsonl
expect_rc 0 "the stored version loads: November is billed by it"
expect_eq "$(sql 'SELECT hex(fee), amount_fen FROM bill_line')" "7761746572E2808B|1500" \
	"its fee named as stored, water and U+200B"
done_testing
