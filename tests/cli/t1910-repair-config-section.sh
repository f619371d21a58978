#!/bin/sh
# pm-repair reads its section of the configuration in force today from the
# tree stored when it was applied, not by parsing pm.yaml again: the
# version in force counts (not the newest applied), business hours come
# through, and a configuration without the section says what to do.
. "$PM_TOP/tests/cli/lib.sh"

PM_NOW=2026-11-23T09:00:00+08:00; export PM_NOW
run pm init
feed '{"code":"1-1-101","area":"80"}\n{"code":"1-1-102","area":"90"}\n' pm unit import
run pm-repair submit --unit 1-1-101 --category plumbing --text 漏水
expect_rc 78 "the configuration pm init makes has no repair section"
expect_err "^pm-repair: no repair section in the configuration: add one to pm.yaml and run 'pm config apply'$" "says what to add"

printf 'effective: 2026-01-01\ncommunity:\n  name: 幸福里\n' >none.yaml
run pm config apply none.yaml
run pm-repair submit --unit 1-1-101 --category plumbing --text 漏水
expect_rc 78 "an applied configuration without a repair section"
expect_err "^pm-repair: no repair section in the configuration: add one to pm.yaml and run 'pm config apply'$" "says the same"

# In force now: plumbing, in business hours (Mon-Fri 09:00-18:00); from
# 2027: electrical only.
cat >v1.yaml <<'Y'
effective: 2026-01-01
community:
  name: 幸福里
repair:
  business_hours:
    days: [mon, tue, wed, thu, fri]
    from: "09:00"
    to: "18:00"
  priorities:
    normal: {accept: 2h, resolve: 3d, business_hours: true}
  categories:
    - {name: plumbing, label: 水管漏水, priority: normal}
Y
sed -e 's/^effective: 2026-01-01/effective: 2027-01-01/' -e 's/name: plumbing, label: 水管漏水/name: electrical, label: 电路故障/' v1.yaml >v2.yaml
run pm config apply v1.yaml
expect_rc 0 "the repair section applies"
run pm config apply v2.yaml
expect_rc 0 "and next year's"
run pm-repair submit --unit 1-1-101 --category electrical --text 跳闸
expect_rc 65 "next year's category is not in force yet"
expect_err "unknown category 'electrical': expected one of plumbing" "today's categories are named"
# Friday 17:00: two business hours to accept, one that day and one on
# Monday, so no breach on Saturday, one at Monday 10:00.
PM_NOW=2026-11-27T17:00:00+08:00 run pm-repair submit --unit 1-1-101 --category plumbing --text 漏水 --format jsonl
expect_rc 0 "today's category"
expect_out '"accept_budget":7200' "with its budget"
expect_eq "$(sql 'SELECT business_hours, accept_budget FROM ticket WHERE id = 1')" "1|7200" \
	"counted in business hours"
PM_NOW=2026-11-28T12:00:00+08:00 run pm-repair overdue --format jsonl
expect_rc 0 "overdue on Saturday"
expect_eq "$(cat "$T/out")" "" "nothing overdue on Saturday: the week's hours are over"
PM_NOW=2026-11-30T10:01:00+08:00 run pm-repair overdue --format jsonl
expect_out '"ticket":1|"id":1' "overdue on Monday at 10:01"

PM_NOW=2027-01-04T10:00:00+08:00 run pm-repair submit --unit 1-1-102 --category electrical --text 跳闸
expect_rc 0 "in 2027 the new version is in force"
PM_NOW=2027-01-04T10:00:00+08:00 run pm-repair submit --unit 1-1-102 --category plumbing --text 漏水
expect_rc 65 "and the old category is gone"
done_testing
