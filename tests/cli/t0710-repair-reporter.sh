#!/bin/sh
# pm-repair list --reporter: the tickets a person reported (issue 12), for
# the front desk asking "what did 王伟 report?", and as any list for an
# owner: only what they may see.
. "$PM_TOP/tests/cli/lib.sh"

PM_NOW=2026-11-26T10:00:00+08:00; export PM_NOW

run pm init
run pm config apply "$PM_TOP/share/pm/examples/pm.yaml"
printf '{"code":"3-2-1101","area":"89.50","delivered":"2020-06-30"}\n{"code":"3-2-1102","area":"120.00","delivered":"2020-06-30"}\n' >units.jsonl
run pm unit import units.jsonl
cat >people.jsonl <<'J'
{"code":"P001","name":"王伟","phone":"13800000001","unit":"3-2-1101"}
{"code":"P002","name":"李娜","phone":"13900001380","unit":"3-2-1102"}
{"code":"P003","name":"赵磊"}
J
run pm person import people.jsonl
run pm user add own2 --role owner --person P002
run pm-repair submit --unit 3-2-1101 --category plumbing --text 厨房漏水 --reporter P001
run pm-repair submit --unit 3-2-1102 --category doorlock --text 门锁坏了 --reporter P002
run pm-repair submit --unit 3-2-1101 --category public --text 楼道灯不亮 --reporter P001
run pm-repair submit --unit 3-2-1101 --category electrical --text 跳闸 --reporter P002
run pm-repair submit --area 二号楼大堂 --category public --text 地面湿滑
expect_rc 0 "five tickets filed"

ids() { sed -n 's/^{"type":"ticket","id":\([0-9]*\),.*/\1/p' "$T/out" | tr '\n' ' '; }
run pm-repair list --reporter P001
expect_rc 0 "list --reporter"
expect_eq "$(ids)" "1 3 " "the tickets P001 reported"
run pm-repair list --reporter P002
expect_eq "$(ids)" "2 4 " "P002's, in two units"
run pm-repair list --reporter P002 --unit 3-2-1101
expect_eq "$(ids)" "4 " "with --unit, those of that unit"
run pm-repair list --reporter P002 --category doorlock
expect_eq "$(ids)" "2 " "with --category, those of that category"
run pm-repair list --reporter P003
expect_rc 0 "a person who reported nothing"
expect_eq "$(ids)" "" "has no tickets"
run pm-repair list --reporter P404
expect_rc 65 "an unknown person"
expect_err "^pm-repair: no person 'P404'$" "is named"
run pm-repair list --reporter P001 --format tsv --columns id,unit,text
expect_eq "$(cat "$T/out")" "id	unit	text
1	3-2-1101	厨房漏水
3	3-2-1101	楼道灯不亮" "as any list, with --columns"
run pm-repair --as own2 list --reporter P002
expect_eq "$(ids)" "2 4 " "an owner lists what they reported"
run pm-repair --as own2 list --reporter P001
expect_eq "$(ids)" "" "but nothing of another's in units not theirs"
done_testing
