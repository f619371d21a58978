#!/bin/sh
# pm-repair: the asset register, schedules made once per period, patrols.
. "$PM_TOP/tests/cli/lib.sh"

PM_NOW=2026-11-23T09:00:00+08:00; export PM_NOW
run pm init
run pm config apply "$PM_TOP/share/pm/examples/pm.yaml"
pm user add sun.tech --role technician
pm user add guard1 --role guard

run pm-repair asset add --code EL-1-1 --name 1号楼电梯 --kind elevator --installed 2019-06-30 --interval 30
expect_rc 0 "add an asset"
feed '{"code":"EL-2-1","name":"2号楼电梯","kind":"elevator","location":"2号楼"}\n{"code":"FE-1","name":"灭火器","kind":"extinguisher"}\n{"code":"X","kind":"pump"}\n' pm-repair asset import
expect_rc 65 "import: an incomplete new asset is rejected"
expect_err 'stdin:3: asset .X. is new: "name" and "kind" are required' "naming what is missing"
expect_eq "$(sql 'SELECT count(*) FROM asset')" 3 "the good ones are stored"
feed '{"code":"EL-2-1\\u200b","name":"2号楼电梯","kind":"elevator"}\n{"code":"","name":"x","kind":"pump"}\n' pm-repair asset import
expect_rc 65 "import: a code that would print as another's is rejected"
expect_err 'stdin:1: field "code": byte 7 is U\+200B, a blank, invisible or combining character' "the zero-width space named"
expect_err 'stdin:2: field "code": 1 to 64 bytes' "and an empty code"
expect_eq "$(sql 'SELECT count(*) FROM asset')" 3 "neither is stored"
run pm-repair asset show EL-1-1 --format jsonl
expect_out '"next_due":"2019-07-30"' "next maintenance is an interval after installation"
run pm-repair --as guard1 asset add --code Y --name y --kind gate
expect_rc 77 "a guard may not change the register"

run pm-repair schedule --as-of 2026-11-23
expect_rc 0 "schedule runs"
# daily cleaning (1), weekly greenery (1), elevators (2), extinguisher (1)
expect_eq "$(sql "SELECT count(*) FROM ticket WHERE kind = 'inspection'")" 5 "one ticket per schedule and target"
expect_eq "$(sql "SELECT status, assignee, due FROM ticket WHERE schedule = 'elevator-monthly' AND asset_id = (SELECT id FROM asset WHERE code = 'EL-1-1')")" "assigned|sun.tech|2026-11-01" "assigned to the configured person for the month"
expect_eq "$(sql "SELECT status, team FROM ticket WHERE schedule = 'fire-quarterly'")" "accepted|technician" "or waiting for the configured role"
run pm-repair schedule --as-of 2026-11-23
expect_eq "$(sql "SELECT count(*) FROM ticket WHERE kind = 'inspection'")" 5 "a second run makes nothing new"
expect_out '"outcome":"exists"' "and says the tickets exist"
run pm-repair schedule --as-of 2026-11-24 --force
expect_eq "$(sql "SELECT count(*) FROM ticket WHERE kind = 'inspection'")" 6 "the next day only the daily round is new"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'ticket.schedule'")" 2 "one audit record per run that made tickets"

run pm-repair asset retire EL-2-1 --date 2026-11-30
expect_rc 0 "retire an asset"
run pm-repair asset list --format jsonl
expect_eq "$(grep -c '"type":"asset"' "$T/out")" 2 "retired assets are not listed"
run pm-repair asset show EL-1-1 --format jsonl
expect_out '"type":"ticket".*"kind":"inspection"' "an asset shows its maintenance history"

# Patrols: night route at 22:00 and 02:00, points after 0/15/30/45m, grace 10m.
run pm-repair --as guard1 checkin --route night --point N1 --at 2026-11-23T22:02:00+08:00
expect_rc 0 "a guard checks in"
run pm-repair --as guard1 checkin --route night --point N1 --at 2026-11-23T22:02:00+08:00
expect_rc 0 "the same check-in twice"
expect_eq "$(sql 'SELECT count(*) FROM patrol_visit')" 1 "is kept once"
pm-repair --as guard1 checkin --route night --point N2 --at 2026-11-23T22:40:00+08:00
pm-repair --as guard1 checkin --route night --point N4 --at 2026-11-23T22:50:00+08:00
pm-repair --as guard1 checkin --route night --point N1 --at 2026-11-24T02:01:00+08:00
run pm-repair --as guard1 checkin --route night --point N9
expect_rc 65 "an unknown point is refused"
expect_err "route 'night' has no point 'N9'" "and named"
run pm-repair --as guard1 checkin --route day --point N1
expect_rc 65 "an unknown route is refused"
run pm-repair --as guard1 patrols --date 2026-11-23 --format tsv
expect_rc 0 "the patrol report"
expect_out '^night	2026-11-23T22:00:00\+08:00	N1	东门	2026-11-23T22:00:00\+08:00	2026-11-23T22:02:00\+08:00	guard1	on_time	0$' "N1 on time"
expect_out '^night	2026-11-23T22:00:00\+08:00	N2	.*	late	1500$' "N2 late by 25 minutes"
expect_out '^night	2026-11-23T22:00:00\+08:00	N3	配电房	2026-11-23T22:30:00\+08:00			missed	0$' "N3 missed"
expect_out '^night	2026-11-23T22:00:00\+08:00	N4	.*	on_time	0$' "N4 on time within the grace"
expect_eq "$(grep -c '^night	2026-11-23T02:00:00+08:00	N[1234].*missed' "$T/out")" 4 "the day's 02:00 run, with no visits, is missed"
run pm-repair --as guard1 patrols --date 2026-11-24 --format tsv
expect_out '^night	2026-11-24T02:00:00\+08:00	N1	.*	on_time' "runs are reported on the day they start"
expect_eq "$(grep -c '^night	2026-11-24T02:00:00+08:00	N[234].*missed' "$T/out")" 3 "and the rest of that run is missed"
run pm-repair --as sun.tech patrols
expect_rc 77 "technicians do not read patrol reports"
done_testing
