#!/bin/sh
# repair.holidays and repair.workdays: business-hours clocks stop on a
# holiday whatever its weekday and run on a weekend day worked in
# exchange (调休); the renovation's noisy hours of a holiday are the
# weekend's, of a workday the weekdays'. National Day 2026 here: Thursday
# 1 to Wednesday 7 October off, Saturday 10 October worked.
. "$PM_TOP/tests/cli/lib.sh"

PM_NOW=2026-09-01T09:00:00+08:00; export PM_NOW
run pm init
feed '{"code":"1-1-101","area":"80","delivered":"2020-01-01"}\n{"code":"1-1-102","area":"90","delivered":"2020-01-01"}\n' pm unit import
expect_rc 0 "two units"
feed '{"code":"P1","name":"业主甲","unit":"1-1-101"}\n' pm person import
expect_rc 0 "their owner"
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 幸福里
repair:
  dedupe_window: 0s
  business_hours:
    days: [mon, tue, wed, thu, fri]
    from: "09:00"
    to: "18:00"
  holidays: [2026-10-01, 2026-10-02, 2026-10-03, 2026-10-04, 2026-10-05, 2026-10-06, 2026-10-07]
  workdays: [2026-10-10]
  priorities:
    normal: {accept: 2h, resolve: 3d, business_hours: true}
  categories:
    - {name: plumbing, label: 水管漏水, priority: normal}
    - {name: noise, label: 噪音投诉, kind: complaint}
    - {name: renovation, label: 装修检查}
  renovation:
    noisy_hours:
      weekday: [{from: "08:00", to: "12:00"}, {from: "14:00", to: "18:00"}]
      weekend: [{from: "10:00", to: "12:00"}]
Y
sed 's/^  workdays: \[2026-10-10\]/  workdays: [2026-10-10, 2026-10-03]/' pm.yaml >both.yaml
run pm config apply both.yaml
expect_rc 78 "a day both off and worked is refused"
expect_err "2026-10-03 is both a holiday and a workday" "and named"
sed 's/2026-10-07\]/2026-10-32]/' pm.yaml >bad.yaml
run pm config apply bad.yaml
expect_rc 78 "a day that is no date is refused"
expect_err "2026-10-32" "and named"
run pm config apply pm.yaml
expect_rc 0 "holidays and a workday apply"
pm user add fd --role frontdesk
pm user add o1 --role owner --person P1

# ---- business hours ----
# Wednesday 30 September 17:00: one hour to accept that day, none from
# Thursday to Wednesday, the second on Thursday 8 October at 10:00.
PM_NOW=2026-09-30T17:00:00+08:00 run pm-repair submit --unit 1-1-101 --category plumbing --text 漏水 --format jsonl
expect_rc 0 "a ticket the day before the holiday"
PM_NOW=2026-10-05T12:00:00+08:00 run pm-repair overdue --format jsonl
expect_eq "$(cat "$T/out")" "" "nothing overdue on the Monday of the holiday"
PM_NOW=2026-10-08T09:59:00+08:00 run pm-repair overdue --format jsonl
expect_eq "$(cat "$T/out")" "" "nor at 09:59 on the first day back"
PM_NOW=2026-10-08T10:01:00+08:00 run pm-repair overdue --format jsonl
expect_out '"ticket":1' "overdue at 10:01 on the first day back"
# Friday 9 October 17:00: one hour that day, the second on the Saturday
# worked, at 10:00.
PM_NOW=2026-10-09T17:00:00+08:00 run pm-repair submit --unit 1-1-102 --category plumbing --text 渗水 --format jsonl
expect_rc 0 "a ticket on the Friday before the Saturday worked"
PM_NOW=2026-10-10T09:59:00+08:00 run pm-repair overdue --format jsonl
expect_eq "$(grep -c '"ticket":2' "$T/out")" 0 "not overdue at 09:59 on the Saturday worked"
PM_NOW=2026-10-10T10:01:00+08:00 run pm-repair overdue --format jsonl
expect_out '"ticket":2' "overdue at 10:01 on the Saturday worked"

# ---- noisy hours ----
PM_NOW=2026-09-20T09:00:00+08:00 run pm-repair --as o1 renovation apply --unit 1-1-101 --from 2026-09-21 --to 2026-10-31 \
	--contractor 张师傅 --scope 厨卫
expect_rc 0 "a renovation over the holiday"
PM_NOW=2026-09-20T09:00:00+08:00 run pm-repair --as fd renovation approve 1
expect_rc 0 "approved"
# 09:00 is noisy-work time on a weekday, not on a weekend or holiday.
for at in 2026-10-01 2026-10-10 2026-10-11 2026-10-12; do
	PM_NOW=${at}T09:00:00+08:00 run pm-repair --as fd submit --unit 1-1-101 --category noise --text "$at 电钻" --format jsonl
	expect_rc 0 "a complaint at 09:00 on $at"
done
expect_eq "$(sql "SELECT group_concat(t.text, ' ') FROM renovation_event e JOIN ticket t ON t.id = e.ticket_id
	WHERE e.action = 'complaint' ORDER BY e.id")" "2026-10-01 电钻 2026-10-11 电钻" \
	"linked on the Thursday holiday and the Sunday, not on the Saturday worked nor the Monday"
done_testing
