#!/bin/sh
# pm-report gate, worked out by hand on a small community: entries and
# exits by hour of day and by gate, visitors per day (once a day however
# often let in), alarms by kind with their severities, the car park's
# peak occupancy against parking.spaces, fees charged and received; every
# format; who may see it.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 幸福里
gates:
  north:
    name: 北门
  garage:
    name: 地库道闸
parking:
  free: 15m
  hourly: "5.00"
  daily_cap: "30.00"
  spaces: 4
Y
make_gate_community
PM_NOW=2026-11-30T09:00:00+08:00 run pm-gate vehicle add --plate 京A88888 --unit 1-1-0101
expect_rc 0 "a resident's car"

# 1 December: three people in at the north gate (07:10, 07:50) and out
# (08:05), one card refused, the door forced at 23:10; three cars in at
# the garage 08:00-08:20, the resident's and two visitors'; the visitors
# leave at 09:20 (70 min: two hours, ¥10.00, paid at 09:15) and 10:20
# (two hours, ¥10.00, paid on the 2nd). 2 December: one more in at 07:15,
# a tamper alarm at 02:00, a door held open at 03:00, the resident's car
# out at 08:30.
cat >events.jsonl <<'J'
{"gate":"north","ts":"2026-12-01T07:10:00+08:00","event":"entry","card":"C1"}
{"gate":"north","ts":"2026-12-01T07:50:00+08:00","event":"entry","card":"C2"}
{"gate":"north","ts":"2026-12-01T08:05:00+08:00","event":"exit","card":"C1"}
{"gate":"north","ts":"2026-12-01T08:30:00+08:00","event":"denied","card":"X9"}
{"gate":"north","ts":"2026-12-01T23:10:00+08:00","event":"door_forced"}
{"gate":"garage","ts":"2026-12-01T08:00:00+08:00","event":"entry","plate":"京A88888"}
{"gate":"garage","ts":"2026-12-01T08:10:00+08:00","event":"entry","plate":"沪C12345"}
{"gate":"garage","ts":"2026-12-01T08:20:00+08:00","event":"entry","plate":"苏E55555"}
J
run pm-gate events ingest events.jsonl
expect_rc 0 "the morning's events"
run pm-gate parking pay --plate 沪C12345 --amount 10.00 --ref WX-1 --at 2026-12-01T09:15:00+08:00
expect_rc 0 "a visitor pays before leaving"
cat >events2.jsonl <<'J'
{"gate":"garage","ts":"2026-12-01T09:20:00+08:00","event":"exit","plate":"沪C12345"}
{"gate":"garage","ts":"2026-12-01T10:20:00+08:00","event":"exit","plate":"苏E55555"}
{"gate":"north","ts":"2026-12-02T02:00:00+08:00","event":"tamper"}
{"gate":"north","ts":"2026-12-02T03:00:00+08:00","event":"door_held_open"}
{"gate":"north","ts":"2026-12-02T07:15:00+08:00","event":"entry","card":"C3"}
{"gate":"garage","ts":"2026-12-02T08:30:00+08:00","event":"exit","plate":"京A88888"}
J
run pm-gate events ingest events2.jsonl
expect_rc 0 "the rest"
run pm-gate parking pay --plate 苏E55555 --amount 10.00 --ref WX-2 --at 2026-12-02T10:00:00+08:00
expect_rc 0 "the other pays after leaving"

# Visitors: one asked for on the 1st, let in twice that day and once on
# the 2nd; one asked for on the 2nd, refused at the wrong gate, let in.
run pm-gate --as owner.p001 visitor request --unit 1-1-0101 --name 刘洋 --uses 0 \
	--from 2026-12-01T10:00:00+08:00 --until 2026-12-03T18:00:00+08:00
run pm-gate --as owner.p001 visitor approve 1 --format jsonl
t1=$(json_field token)
PM_NOW=2026-12-02T09:00:00+08:00 run pm-gate --as zhao.desk visitor request --unit 2-1-0301 --name 周杰 \
	--gates north --from 2026-12-02T09:00:00+08:00 --until 2026-12-02T18:00:00+08:00
PM_NOW=2026-12-02T09:00:00+08:00 run pm-gate --as zhao.desk visitor approve 2 --format jsonl
t2=$(json_field token)
for at in 2026-12-01T10:30:00 2026-12-01T15:00:00 2026-12-02T10:00:00; do
	PM_NOW="$at+08:00" run pm-gate --as qian.guard verify "$t1" --gate north
done
expect_rc 0 "the first visitor let in"
PM_NOW=2026-12-02T10:30:00+08:00 run pm-gate --as qian.guard verify "$t2" --gate garage
expect_rc 1 "the second refused at the garage"
PM_NOW=2026-12-02T10:40:00+08:00 run pm-gate --as qian.guard verify "$t2" --gate north
expect_rc 0 "and let in at the north gate"

export PM_NOW=2026-12-03T12:00:00+08:00
run pm-report gate --period 2026-12 --section hour --format csv
expect_rc 0 "the gate report"
expect_eq "$(sed -n '1p;8,12p;26p' "$T/out" | tr -d '\r')" 'hour,entries,exits
06,0,0
07,3,0
08,3,2
09,0,1
10,0,1
total,6,4' "entries and exits by hour of the community's day"
expect_eq "$(wc -l <"$T/out")" 26 "24 hours, the heading and the total"

run pm-report gate --period 2026-12 --section gate --format csv
expect_eq "$(tr -d '\r' <"$T/out")" 'gate,entries,exits,denied,alarms
地库道闸,3,3,0,0
北门,3,1,1,3
total,6,4,1,3' "by gate: a refused card is no alarm unless configured"

run pm-report gate --period 2026-12 --section day --format csv
expect_eq "$(sed -n '1,4p;33p' "$T/out" | tr -d '\r')" 'day,requests,visitors,denied,cars
2026-12-01,1,1,0,2
2026-12-02,1,2,1,0
2026-12-03,0,0,0,0
total,2,3,1,2' "visitors per day: let in twice on the 1st is one visitor"

run pm-report gate --period 2026-12 --section alarm --format csv
expect_eq "$(tr -d '\r' <"$T/out")" 'kind,severity,count,gates,last
door_forced,critical,1,1,2026-12-01T23:10:00+08:00
fire_alarm,critical,0,0,
tamper,high,1,1,2026-12-02T02:00:00+08:00
door_held_open,warning,1,1,2026-12-02T03:00:00+08:00
total,,3,—,' "alarms by kind, the configured ones, counted or not"

run pm-report gate --period 2026-12 --section parking --format csv
expect_eq "$(sed -n '1,5p;33p' "$T/out" | tr -d '\r')" 'day,entries,exits,peak,occupancy_pct,charged_fen,paid_fen
2026-12-01,3,2,3,75.0,2000,1000
2026-12-02,0,1,1,25.0,0,1000
2026-12-03,0,0,0,0.0,0,0
2026-12-04,0,0,—,—,0,0
total,3,3,3,75.0,2000,2000' "the car park: three at once of four spaces, fees at exit, payments when made"
expect_eq "$(sql "SELECT sum(fee_fen) FROM parking_session") $(sql "SELECT sum(amount_fen) FROM parking_payment")" \
	"2000 2000" "which the ledger of sessions and payments agrees with"

# The dashboard carries the month's gate figures, the same as the report's.
run pm-report dashboard --period 2026-12 --section summary --format jsonl
expect_out '"co2_kg":[^,]*,"visitors":3,"alarms":3,"parking_paid_fen":2000' "the dashboard's key figures: visitors, alarms, parking"
run pm-report dashboard --period 2026-12 --section gate-gate --format csv
expect_eq "$(tr -d '\r' <"$T/out")" 'gate,entries,exits,denied,alarms
地库道闸,3,3,0,0
北门,3,1,1,3
total,6,4,1,3' "and the traffic by gate"

# A range, an empty month, and no spaces configured.
run pm-report gate --from 2026-11 --to 2026-12 --section day --format csv
expect_eq "$(wc -l <"$T/out") $(tail -n 1 "$T/out" | tr -d '\r')" "63 total,2,3,1,2" "--from/--to: 61 days"
run pm-report gate --period 2026-10 --format jsonl
expect_rc 0 "an empty month"
expect_out '^\{"type":"gate","section":"parking","day":null,"entries":0,"exits":0,"peak":0,"occupancy_pct":"0.0","charged_fen":0,"paid_fen":0,"total":true\}$' \
	"is all zeros"

# Every format.
run pm-report gate --period 2026-12 --format table
expect_out '北门 +3 +1 +1 +3' "a table"
run pm-report gate --period 2026-12 --file-format svg
expect_eq "$(grep -c '<svg class="chart"' "$T/out")" 5 "svg: a chart a section"
expect_out 'Alarms by kind' "titled"
run pm-report gate --period 2026-12 --output gate.html
expect_eq "$(grep -c '<section id=' gate.html) $(grep -c '<figure>' gate.html)" "5 5" "html: five sections, five charts"
run pm-report gate --period 2026-12 --output gate.xlsx
expect_rc 0 "xlsx"
expect_eq "$(unzip -l gate.xlsx | grep -c 'xl/worksheets/sheet')" 5 "a sheet a section"
run pm-report gate --period 2026-12 --format tsv --section gate
expect_out "^北门	3	1	1	3$" "tsv"

# Without parking.spaces the rate is "—", never a division by zero.
sed -i '/spaces: 4/d; s/effective: 2026-01-01/effective: 2026-12-03/' pm.yaml
run pm config apply pm.yaml
run pm-report gate --period 2026-12 --section parking --format csv
expect_out '^2026-12-01,3,2,3,—,2000,1000.?$' "no spaces, no rate"

# Who may see it.
run pm-report --as owner.p001 gate
expect_rc 77 "not owners"
run pm-report --as qian.guard gate --format csv
expect_rc 0 "the guard"
run pm-report gate --building 1
expect_rc 2 "gate traffic has no building"
LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 run pm-report gate --period 2026-12 --section alarm --format table
expect_out '门被强行打开|告警' "in Chinese"
done_testing
