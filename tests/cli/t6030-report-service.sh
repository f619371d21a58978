#!/bin/sh
# pm-report service and feedback, worked out by hand: times to accept and
# resolve (median and 90th percentile by nearest rank), SLA breaches,
# ratings, repeats, inspections, patrols; the feedback loop and its
# announcement.
. "$PM_TOP/tests/cli/lib.sh"
export PM_NOW=2026-10-01T09:00:00+08:00

run pm init --community 测试小区
feed '{"code":"1-1-101","area":"100","status":"occupied"}
{"code":"1-1-102","area":"80","status":"occupied"}
{"code":"2-1-101","area":"60","status":"occupied"}\n' pm unit import
feed '{"code":"P1","name":"张伟","phone":"13800000001","unit":"1-1-101","since":"2020-01-01"}
{"code":"P2","name":"李娜","phone":"13800000002","unit":"1-1-102","since":"2020-01-01"}
{"code":"P3","name":"赵磊","phone":"13800000003","unit":"2-1-101","since":"2020-01-01"}\n' pm person import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
repair:
  categories:
    - {name: plumbing, label: 水管漏水, priority: high}
    - {name: noise, label: 噪音投诉, kind: complaint}
    - {name: feedback, label: 意见反馈, kind: suggestion}
    - {name: improvement, label: 整改事项, kind: suggestion, resolve: 30d}
  schedules:
    - {name: lobby, label: 大堂巡查, every: month, category: plumbing, area: 大堂, role: technician}
  patrols:
    - name: night
      label: 夜间巡逻
      times: ["22:00"]
      grace: 10m
      points: [{code: A, after: 0m}, {code: B, after: 15m}]
Y
run pm config apply pm.yaml
expect_rc 0 "a repair section with an improvement category"
run pm user add desk --role frontdesk
run pm user add tech --role technician
run pm user add fin --role finance

at() { PM_NOW=$1; export PM_NOW; }
step() { run pm-repair --as "$@"; }
# October: an improvement (T1), assigned in an hour, resolved on 18
# November after 34 days 6 hours (past its 30 days); October's inspection.
at 2026-10-05T09:00:00+08:00; run pm-repair schedule
at 2026-10-15T10:00:00+08:00; run pm-repair submit --area 1号楼 --category improvement --text 电梯异响整改
at 2026-10-15T11:00:00+08:00; step desk assign 2 --to tech
# November: plumbing T3 accepted in 30 min, resolved in 4 h, 5 stars;
# T4 accepted in 2 h (budget 1 h), resolved in 30 h (budget 24 h), 3
# stars; T5 accepted in 20 min, still open (past 24 h); noise T6 reported
# twice, accepted after 13 h (budget 2 h), resolved after 14 h, 4 stars;
# a suggestion T7 nobody accepted (past 2 h); an improvement T8 accepted
# in an hour, open, due in 30 days. November's inspection T9, done.
at 2026-11-02T10:00:00+08:00; run pm-repair submit --unit 1-1-101 --category plumbing --text 厨房漏水
at 2026-11-02T10:30:00+08:00; step desk assign 3 --to tech
at 2026-11-02T14:00:00+08:00; step tech start 3; step tech resolve 3 --note 换阀门; step desk rate 3 --stars 5
at 2026-11-03T09:00:00+08:00; run pm-repair submit --unit 1-1-102 --category plumbing --text 卫生间漏水
at 2026-11-03T11:00:00+08:00; step desk assign 4 --to tech
at 2026-11-04T15:00:00+08:00; step tech start 4; step tech resolve 4 --note 换管; step desk rate 4 --stars 3
at 2026-11-05T08:00:00+08:00; run pm-repair submit --unit 2-1-101 --category plumbing --text 水压低
at 2026-11-05T08:20:00+08:00; step desk assign 5 --to tech
at 2026-11-05T09:00:00+08:00; run pm-repair schedule
at 2026-11-10T20:00:00+08:00; run pm-repair submit --unit 1-1-101 --category noise --text 楼上装修噪音
at 2026-11-10T21:00:00+08:00; run pm-repair submit --unit 1-1-101 --category noise --text 还在吵
at 2026-11-11T09:00:00+08:00; step desk assign 7 --to tech
at 2026-11-11T10:00:00+08:00; step tech start 7; step tech resolve 7 --note 已沟通; step desk rate 7 --stars 4
at 2026-11-12T09:00:00+08:00; run pm-repair submit --area 1号楼 --category improvement --text 楼道照明改造
at 2026-11-12T10:00:00+08:00; step desk assign 8 --to tech
at 2026-11-18T16:00:00+08:00; step tech start 2; step tech resolve 2 --note 更换导轨轴承
at 2026-11-20T10:00:00+08:00; run pm-repair submit --area 中心花园 --category feedback --text 希望增加儿童游乐设施
at 2026-11-21T09:00:00+08:00; step desk assign 6 --to tech; step tech start 6; step tech resolve 6 --note 已检查
expect_eq "$(sql "SELECT group_concat(id || ':' || kind || ':' || status, ' ') FROM ticket")" \
	"1:inspection:accepted 2:suggestion:resolved 3:repair:resolved 4:repair:resolved 5:repair:assigned 6:inspection:resolved 7:complaint:resolved 8:suggestion:assigned 9:suggestion:submitted" \
	"the tickets as planned"
# Patrols: on 5 November A on time, B 5 minutes late; on 6 November A on
# time, B 16 minutes early. The other points of the month's 30 runs: missed.
at 2026-11-21T10:00:00+08:00
for p in A:2026-11-05T22:02 B:2026-11-05T22:30 A:2026-11-06T21:58 B:2026-11-06T21:59; do
	run pm-repair checkin --route night --point "${p%%:*}" --at "${p#*:}:00+08:00"
done

at 2026-12-01T09:00:00+08:00
# Plumbing: accepted in 1200, 1800, 7200 s: median (rank 2) 0.5 h, 90%
# (rank 3) 2.0 h; resolved in 14400, 108000 s: 4.0 h, 30.0 h; T4 and T5
# past their SLA: 2/3; stars 5 and 3: 4.0, one in two satisfied.
# All six: accepted 1200, 1800, 3600, 7200, 46800: 1.0 h and 13.0 h;
# resolved 14400, 50400, 108000: 14.0 h and 30.0 h; 4 breached; 12
# stars over 3: 4.0, 2 of 3 satisfied; one repeat.
run pm-report service --period 2026-11 --section category --format csv
expect_rc 0 "service quality"
expect_eq "$(tr -d '\r' <"$T/out")" 'category,tickets,accept_p50_s,accept_p90_s,resolve_p50_s,resolve_p90_s,breached,breach_pct,rated,rating,satisfied_pct,repeats
水管漏水,3,1800,7200,14400,108000,2,66.7,2,4.0,50.0,0
意见反馈,1,—,—,—,—,1,100.0,0,—,—,0
整改事项,1,3600,3600,—,—,0,0.0,0,—,—,0
噪音投诉,1,46800,46800,50400,50400,1,100.0,1,4.0,100.0,1
total,6,3600,46800,50400,108000,4,66.7,3,4.0,66.7,1' "by category, most tickets first, times in seconds as the keys ending _s say"
run pm-report service --period 2026-11 --section category --format jsonl
expect_out '^\{"type":"service","section":"category","category":"水管漏水","tickets":3,"accept_p50_s":1800,"accept_p90_s":7200,"resolve_p50_s":14400,"resolve_p90_s":108000,' \
	"JSON keeps the seconds"
run pm-report service --period 2026-11 --section month --format csv
expect_eq "$(tr -d '\r' <"$T/out" | cut -d, -f1,2,5,7,8)" 'period,tickets,resolve_p50_s,breached,breach_pct
2026-06,0,—,0,—
2026-07,0,—,0,—
2026-08,0,—,0,—
2026-09,0,—,0,—
2026-10,1,2959200,1,100.0
2026-11,6,50400,4,66.7
total,7,50400,5,71.4' "the six months to November: October's improvement took 822 hours"
run pm-report service --period 2026-11 --section inspections --format csv
expect_eq "$(tr -d '\r' <"$T/out")" 'schedule,inspections,done,done_pct
大堂巡查,1,1,100.0
total,1,1,100.0' "November's inspection, done"
run pm-report service --from 2026-10 --to 2026-11 --section inspections --format csv
expect_eq "$(tr -d '\r' <"$T/out" | tail -1)" 'total,2,1,50.0' "October's is not"
run pm-report service --period 2026-11 --section patrols --format csv
expect_eq "$(tr -d '\r' <"$T/out")" 'route,points,on_time,early,late,missed,on_time_pct
夜间巡逻,60,2,1,1,56,3.3
total,60,2,1,1,56,3.3' "30 runs of 2 points: punctuality 2/60"
run pm-report service --period 2026-09 --section category --format csv
expect_eq "$(tr -d '\r' <"$T/out")" 'category,tickets,accept_p50_s,accept_p90_s,resolve_p50_s,resolve_p90_s,breached,breach_pct,rated,rating,satisfied_pct,repeats
total,0,—,—,—,—,0,—,0,—,—,0' "a month without tickets"
run pm-report service --period 2026-11 --building 2 --section category --format csv
expect_eq "$(tr -d '\r' <"$T/out" | cut -d, -f1,2)" 'category,tickets
水管漏水,1
total,1' "one building's units"

# Feedback: November's suggestions and complaints by category.
run pm-report feedback --period 2026-11 --section category --format csv
expect_rc 0 "feedback"
expect_eq "$(tr -d '\r' <"$T/out")" 'category,kind,count,open,done,examples
意见反馈,suggestion,1,1,0,希望增加儿童游乐设施
整改事项,suggestion,1,1,0,楼道照明改造
噪音投诉,complaint,1,0,1,楼上装修噪音
total,,3,2,1,' "suggestions and complaints with examples"
# The improvement list: T2 (due 14 November, done on the 18th) and T8
# (due 12 December); last month's list: T2, and what was done.
run pm-report feedback --period 2026-11 --section improvements --format csv
expect_eq "$(tr -d '\r' <"$T/out")" 'ticket,category,text,status,due,resolved,done
2,整改事项,电梯异响整改,resolved,2026-11-14,2026-11-18,更换导轨轴承
8,整改事项,楼道照明改造,assigned,2026-12-12,,' "the improvement list with due days"
run pm-report feedback --period 2026-11 --section last --format csv
expect_eq "$(tr -d '\r' <"$T/out")" 'ticket,category,text,status,due,resolved,done
2,整改事项,电梯异响整改,resolved,2026-11-14,2026-11-18,更换导轨轴承' "last month's list, what was done"
run pm-report feedback --period 2026-12 --section last --format csv
expect_eq "$(tr -d '\r' <"$T/out" | cut -d, -f1)" 'ticket
2
8' "December looks back at November's"
# A range: October and November together; the list before it is
# September's, empty.
run pm-report feedback --from 2026-10 --to 2026-11 --section category --format csv
expect_rc 0 "feedback over a range"
expect_eq "$(tr -d '\r' <"$T/out")" 'category,kind,count,open,done,examples
整改事项,suggestion,2,1,1,电梯异响整改 / 楼道照明改造
意见反馈,suggestion,1,1,0,希望增加儿童游乐设施
噪音投诉,complaint,1,0,1,楼上装修噪音
total,,4,2,2,' "October's improvement counts with November's"
run pm-report feedback --from 2026-10 --to 2026-11 --section improvements --format csv
expect_eq "$(tr -d '\r' <"$T/out" | cut -d, -f1 | tr '\n' ' ')" 'ticket 2 8 ' "the range's improvement list"
run pm-report feedback --from 2026-10 --to 2026-11 --section last --format csv
expect_eq "$(tr -d '\r' <"$T/out" | cut -d, -f1 | tr '\n' ' ')" 'ticket ' "the month before the range had none"

# Published as an announcement to everyone, through pm-notify's path.
run pm-report feedback --period 2026-11 --publish --as fin
expect_rc 77 "finance may not publish"
expect_eq "$(sql 'SELECT count(*) FROM announcement')" "0" "and nothing was"
run pm-report feedback --period 2026-11 --publish --as desk --format jsonl
expect_rc 0 "the front desk publishes"
expect_err "announcement 1: units 3; messages: queued 3," "to the three units' residents"
expect_eq "$(sql "SELECT title || '|' || target FROM announcement")" "Feedback and improvements, 2026-11|all" "the announcement"
expect_eq "$(sql "SELECT body FROM announcement")" "Suggestions and complaints in 2026-11:
- 意见反馈: 1, 0 done
- 整改事项: 1, 0 done
- 噪音投诉: 1, 1 done

Improvement list:
- #2 电梯异响整改: resolved, due 2026-11-14
- #8 楼道照明改造: assigned, due 2026-12-12

Last month's list, and what was done:
- #2 电梯异响整改: resolved, resolved 2026-11-18
  更换导轨轴承" "its text"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'notify.announce'")" "1" "audited as pm-notify announce is"
run pm-report service --as fin --format jsonl
expect_rc 0 "finance may read the service report"
done_testing
