#!/bin/sh
# Red team: a renovation's record named the owner who applied for it
# "applied_by", the key of the login that applied a configuration, and
# tables head a key one way everywhere: in Chinese pm-repair renovation
# list said 应用人 ("who applied the configuration") where it means the
# applicant, 申请人. The renovation's key is "applicant" now (the JSON's
# fields were not documented yet); pm config list still says 应用人.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-11-30T09:00:00+08:00; export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"100","delivered":"2020-01-01"}\n' pm unit import
feed '{"code":"P1","name":"业主甲","unit":"1-1-101"}\n' pm person import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
repair:
  categories:
    - {name: renovation, label: 装修检查}
  renovation:
    deposit: {residential: 2000.00}
Y
run pm config apply pm.yaml
expect_rc 0 "a configuration with renovation rules"
pm user add o1 --role owner --person P1 >/dev/null
run pm-repair --as o1 renovation apply --unit 1-1-101 --from 2026-12-01 --to 2026-12-31 --contractor 张师傅 --scope 厨卫
expect_rc 0 "the owner applies"

zh() { (unset PM_LOCALEDIR; LC_ALL=zh_CN.UTF-8 "$@" >"$T/out" 2>"$T/err"); rc=$?; }
zh pm-repair renovation list --format table --columns renovation,applicant
expect_rc 0 "the renovations as a table, in Chinese"
expect_eq "$(sed -n 1p "$T/out" | tr -s ' ')" "装修 申请人" "the applicant is headed 申请人"
expect_eq "$(sed -n 2p "$T/out" | tr -s ' ')" " 1 o1" "the owner who applied"
zh pm config list --format table --columns version,applied_by
expect_eq "$(sed -n 1p "$T/out" | tr -s ' ')" "版本 应用人" "a configuration's is still 应用人"
run pm-repair renovation show 1 --format jsonl
expect_eq "$(head -n 1 "$T/out" | jq -r '.applicant + " " + (has("applied_by") | tostring)')" "o1 false" \
	"the record's key is applicant"
done_testing
