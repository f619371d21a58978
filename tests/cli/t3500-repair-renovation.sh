#!/bin/sh
# pm-repair renovation: the permit's state machine and its refusals, the
# deposit taken at approval, two forfeits and the refund of the rest
# through the ledger (to the fen), inspections as tickets of a technician,
# noise complaints outside the allowed hours, the guards' export.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-11-30T09:00:00+08:00; export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"100","delivered":"2020-01-01"}
{"code":"1-1-102","area":"80","delivered":"2020-01-01"}\n' pm unit import
feed '{"code":"P1","name":"业主甲","unit":"1-1-101"}\n{"code":"P2","name":"业主乙","unit":"1-1-102"}\n' pm person import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
repair:
  categories:
    - {name: plumbing, label: 水管漏水}
    - {name: noise, label: 噪音投诉, kind: complaint}
    - {name: renovation, label: 装修检查}
  renovation:
    noisy_hours:
      weekday: [{from: "08:00", to: "12:00"}, {from: "14:00", to: "18:00"}]
      weekend: [{from: "10:00", to: "12:00"}]
    deposit: {residential: 2000.00, commercial: 5000.00}
    inspections: 2
Y
run pm config apply pm.yaml
expect_rc 0 "a repair section with renovation rules applies"
pm user add fd --role frontdesk
pm user add sun.tech --role technician
pm user add li.tech --role technician
pm user add guard1 --role guard
pm user add li.finance --role finance
pm user add o1 --role owner --person P1
pm user add o2 --role owner --person P2

# ---- applying ----
run pm-repair --as o2 renovation apply --unit 1-1-101 --from 2026-12-01 --to 2026-12-31 --contractor 张师傅 --scope 厨卫
expect_rc 77 "an owner may not apply for another's unit"
run pm-repair --as o1 renovation apply --unit 1-1-101 --from 2026-12-31 --to 2026-12-01 --contractor 张师傅 --scope 厨卫
expect_rc 2 "the last day before the first"
expect_err "pm-repair renovation apply: the last day of work is before the first" "is refused"
run pm-repair --as o1 renovation apply --unit 1-1-101 --from 2026-12-01 --contractor 张师傅 --scope 厨卫
expect_rc 2 "without --to"
run pm-repair --as o1 renovation apply --unit 1-1-101 --from 2026-12-01 --to 2026-12-31 \
	--contractor "张师傅 13800000000" --scope 厨卫改造 --format jsonl
expect_rc 0 "the owner applies for their unit"
expect_out '^\{"type":"renovation","renovation":1,"unit":"1-1-101","status":"applied","from":"2026-12-01","to":"2026-12-31","contractor":"张师傅 13800000000","scope":"厨卫改造","deposit_fen":0,"forfeit_fen":0,"refund_fen":null,"inspections_required":2,"inspections_passed":0,"applicant":"o1",' \
	"and sees it applied, two inspections required"
expect_err "renovation 1 is waiting for approval" "and is told it waits"
run pm-repair --as o2 renovation show 1
expect_rc 77 "another owner cannot see it"
expect_err "user 'o2' may not see renovation 1" "and is told so"
run pm-repair --as o2 renovation list --format jsonl
expect_eq "$(wc -l <out)" 0 "nor list it"

# ---- refusals that name the state ----
run pm-repair --as fd renovation start 1
expect_rc 1 "work cannot start before approval"
expect_err "pm-repair: cannot start renovation 1: it is applied; allowed: approve, reject" "naming the state and the steps"
run pm-repair --as fd renovation complete 1
expect_rc 1 "nor complete"
expect_err "cannot complete renovation 1: it is applied; allowed: approve, reject" "the same way"
run pm-repair --as fd renovation reject 1
expect_rc 2 "a rejection needs a reason"
run pm-repair --as o1 renovation approve 1
expect_rc 77 "an owner may not approve"
expect_err "may not do 'renovation.manage'" "the permission is named"
run pm-repair --as fd renovation show 7
expect_rc 65 "an unknown renovation"
expect_err "no renovation 7" "is named"

# ---- approval takes the deposit ----
run pm-repair --as fd renovation approve 1 --format jsonl
expect_rc 0 "the desk approves"
expect_out '"status":"approved",.*"deposit_fen":200000,"forfeit_fen":0' "taking the 2000.00 of a residential unit"
expect_eq "$(sql "SELECT kind, action, amount_fen, channel, ref, by_user FROM deposit")" \
	"renovation|take|200000|cash|renovation:1:take|fd" "as a deposit movement with the renovation's ref"
expect_eq "$(sql "SELECT account, sum(amount_fen) FROM posting GROUP BY account ORDER BY account" | tr '\n' ' ')" \
	"cash:cash|200000 deposit:renovation:1-1-101|-200000 " "cash in, held on the unit's liability account"
run pm-repair --as fd renovation approve 1
expect_rc 1 "approving twice"
expect_err "cannot approve renovation 1: it is approved; allowed: start, extend, violation" "is refused"

run pm-repair --as fd renovation apply --unit 1-1-101 --from 2026-12-10 --to 2026-12-20 --contractor 李 --scope 刷墙
expect_rc 0 "a second application for the unit"
run pm-repair --as fd renovation approve 2
expect_rc 1 "cannot be approved while the first is under way"
expect_err "unit '1-1-101' has renovation 1 under way: complete it first" "says which"
run pm-repair --as fd renovation reject 2 --reason 与1号重复 --format jsonl
expect_rc 0 "so it is rejected"
expect_out '"renovation":2,.*"status":"rejected"' "and stays rejected"
run pm-repair --as fd renovation start 2
expect_rc 1 "a rejected renovation"
expect_err "cannot start renovation 2: it is rejected; allowed: none" "allows nothing"

# ---- the guards' view ----
run pm-repair --as guard1 renovation gate --date 2026-11-30 --format jsonl
expect_eq "$(wc -l <out)" 0 "no workers the day before"
run pm-repair --as guard1 renovation gate --date 2026-12-01 --format jsonl
expect_rc 0 "the guards ask for the first day"
expect_eq "$(cat out)" \
	'{"type":"allow","gate":null,"credential":null,"kind":"renovation","value":"R1","person":null,"unit":"1-1-101","from":"2026-12-01T00:00:00+08:00","until":"2026-12-02T00:00:00+08:00","renovation":1,"contractor":"张师傅 13800000000"}' \
	"one allow record of pm-gate's form, for the day"
run pm-repair --as o1 renovation gate
expect_rc 77 "owners do not get the guards' list"

PM_NOW=2026-12-01T08:00:00+08:00
run pm-repair --as fd renovation start 1
expect_rc 0 "work starts"

# ---- violations: two forfeits, one without ----
run pm-repair --as fd renovation violation 1 --kind noise --note 午休施工 --forfeit 300
expect_rc 77 "the desk may not forfeit deposit"
expect_err "may not do 'bill.deposit.release'" "that is finance's"
run pm-repair renovation violation 1 --kind piano --note x
expect_rc 2 "an unknown violation"
expect_err "unknown violation 'piano': expected noise, hours, structure or debris" "names the kinds"
run pm-repair renovation violation 1 --kind noise --note 午休施工 --forfeit 300.00 --format jsonl
expect_rc 0 "a noise violation forfeits 300.00"
expect_out '"forfeit_fen":30000' "on the renovation"
run pm-repair --as li.finance renovation violation 1 --kind debris --note 楼道堆放垃圾 --forfeit 150.55 --format jsonl
expect_rc 0 "finance records debris, forfeiting 150.55"
expect_out '"forfeit_fen":45055' "45055 fen kept in all"
run pm-repair --as fd renovation violation 1 --kind hours --note 超时施工 --format jsonl
expect_rc 0 "the desk records a violation without a forfeit"
run pm-repair renovation violation 1 --kind structure --note 拆承重墙 --forfeit 1549.46
expect_rc 65 "a forfeit beyond what is left"
expect_err "renovation 1 holds only 1549.45 of its deposit: cannot forfeit 1549.46" "says what is left"
expect_eq "$(sql "SELECT kind, forfeit_fen, deposit_id FROM renovation_violation ORDER BY id" | tr '\n' ' ')" \
	"noise|30000|2 debris|15055|3 hours|0| " "three violations, two with their deposit movement"

# ---- noise complaints ----
PM_NOW=2026-12-07T12:30:00+08:00
run pm-repair --as o2 submit --unit 1-1-101 --category noise --text 中午电钻声 --format jsonl
expect_rc 77 "an owner files only for their own unit"
run pm-repair --as fd submit --unit 1-1-101 --category noise --text 中午电钻声 --format jsonl
expect_rc 0 "a complaint at 12:30 on a Monday"
expect_eq "$(sql "SELECT action, ticket_id, note FROM renovation_event WHERE action = 'complaint'")" \
	"complaint|1|renovation 1: noise outside the allowed hours" "is linked to the renovation"
expect_eq "$(sql "SELECT action, note FROM ticket_event WHERE ticket_id = 1 AND action = 'renovation'")" \
	"renovation|renovation 1: noise outside the allowed hours" "and the ticket says so"
PM_NOW=2026-12-09T09:00:00+08:00 run pm-repair --as fd submit --unit 1-1-101 --category noise --text 早上 --format jsonl
expect_out '"id":2,' "a complaint at 09:00 on a Wednesday"
PM_NOW=2026-12-09T09:00:00+08:00 run pm-repair --as fd submit --unit 1-1-102 --category noise --text 隔壁 --format jsonl
expect_out '"id":3,' "one for a unit under no renovation"
PM_NOW=2026-12-12T09:00:00+08:00 run pm-repair --as fd submit --unit 1-1-101 --category noise --text 周六 --format jsonl
expect_out '"id":4,' "and one at 09:00 on a Saturday"
expect_eq "$(sql "SELECT group_concat(ticket_id) FROM renovation_event WHERE action = 'complaint'")" "1,4" \
	"inside the weekday hours and for another unit nothing is linked; before 10:00 on a Saturday it is"

# ---- inspections ----
PM_NOW=2026-12-14T09:00:00+08:00
run pm-repair --as sun.tech renovation inspect 1 --result pass --note 合格
expect_rc 1 "a result with no inspection ordered"
expect_err "renovation 1 has no inspection waiting: order one with --to LOGIN" "says what to do"
run pm-repair --as fd renovation inspect 1
expect_rc 2 "inspect wants --to or --result"
run pm-repair --as fd renovation inspect 1 --to guard1
expect_rc 65 "a guard cannot inspect"
expect_err "no technician, front desk or admin user 'guard1'" "the ticket code's rule"
run pm-repair --as fd renovation inspect 1 --to sun.tech
expect_rc 0 "the desk orders an inspection by sun.tech"
expect_eq "$(sql "SELECT id, kind, category, status, assignee FROM ticket WHERE id = 5")" \
	"5|inspection|renovation|assigned|sun.tech" "a ticket of kind inspection assigned to the technician"
expect_eq "$(sql "SELECT ticket_id, renovation_id, result IS NULL FROM renovation_inspection")" "5|1|1" "waiting for its result"
run pm-repair --as fd renovation inspect 1 --to li.tech
expect_rc 1 "a second one while it waits"
expect_err "renovation 1 has inspection ticket 5 open: record its result first" "is refused"
run pm-repair --as li.finance renovation complete 1
expect_rc 1 "completion while it waits"
expect_err "renovation 1 has inspection ticket 5 open: record its result first" "is refused too"
run pm-repair --as li.tech renovation inspect 1 --result pass --note 合格
expect_rc 77 "another technician cannot record it"
expect_err "ticket 5 is not assigned to 'li.tech'" "the ticket's own rule"
run pm-repair --as sun.tech renovation inspect 1 --result maybe --note x
expect_rc 2 "a result is pass or fail"
run pm-repair --as sun.tech renovation inspect 1 --result pass --note 水电合格 --format jsonl
expect_rc 0 "the technician records a pass"
expect_out '"inspections_passed":1' "one passed"
expect_eq "$(sql "SELECT status FROM ticket WHERE id = 5")" "resolved" "its ticket is resolved"
run pm-repair renovation complete 1
expect_rc 1 "one of two"
expect_err "cannot complete renovation 1: 1 of 2 inspections passed" "is not enough"
run pm-repair --as fd renovation inspect 1 --to sun.tech
run pm-repair --as sun.tech renovation inspect 1 --result fail --note 墙面未清理
expect_rc 0 "the second inspection fails"
run pm-repair renovation complete 1
expect_rc 1 "after a failed one"
expect_err "cannot complete renovation 1: its last inspection failed" "completion waits for a pass"
run pm-repair --as fd renovation extend 1 --to 2026-12-20
expect_rc 2 "an extension that is no extension"
expect_err "renovation 1 ends 2026-12-31 already: extend it to a later day" "is refused"
run pm-repair --as fd renovation extend 1 --to 2027-01-10 --format jsonl
expect_rc 0 "the desk extends the work"
expect_out '"to":"2027-01-10"' "to a later day"
run pm-repair --as fd renovation inspect 1 --to sun.tech
run pm-repair --as sun.tech renovation inspect 1 --result pass --note 复查合格
expect_rc 0 "the third inspection passes"

# ---- completion refunds the rest ----
run pm-repair --as fd renovation complete 1
expect_rc 77 "the desk may not complete: completion gives deposit back"
expect_err "may not do 'bill.deposit.release'" "that is finance's"
run pm-repair --as li.finance renovation complete 1 --format jsonl
expect_rc 0 "finance completes"
expect_out '"status":"completed",.*"deposit_fen":200000,"forfeit_fen":45055,"refund_fen":154945,"inspections_required":2,"inspections_passed":2' \
	"200000 - 30000 - 15055 = 154945 fen given back"
expect_eq "$(sql "SELECT action, amount_fen, coalesce(channel, '-'), ref FROM deposit ORDER BY id" | tr '\n' ' ')" \
	"take|200000|cash|renovation:1:take forfeit|30000|-|renovation:1:violation:1 forfeit|15055|-|renovation:1:violation:2 refund|154945|cash|renovation:1:refund " \
	"four deposit movements"
expect_eq "$(sql "SELECT account, sum(amount_fen) FROM posting GROUP BY account ORDER BY account" | tr '\n' ' ')" \
	"cash:cash|45055 deposit:renovation:1-1-101|0 income:deposit|-45055 " \
	"the ledger: nothing held, 450.55 kept as income, the rest paid back out of cash"
run pm-repair renovation violation 1 --kind noise --note 又吵
expect_rc 1 "after completion"
expect_err "cannot violation renovation 1: it is completed; allowed: none" "nothing more"
run pm-repair --as guard1 renovation gate --date 2027-01-05 --format jsonl
expect_eq "$(wc -l <out)" 0 "the guards' list no longer has it"

run pm-repair --as o1 renovation show 1 --format jsonl
expect_rc 0 "the owner sees the timeline"
expect_eq "$(grep -o '"action":"[a-z]*"' out | tr '\n' ' ')" \
	'"action":"apply" "action":"approve" "action":"start" "action":"noise" "action":"debris" "action":"hours" "action":"complaint" "action":"complaint" "action":"inspect" "action":"inspect" "action":"inspect" "action":"inspect" "action":"extend" "action":"inspect" "action":"inspect" "action":"complete" ' \
	"every step in order"
run pm-repair renovation list --active --format jsonl
expect_eq "$(wc -l <out)" 0 "none active"
run pm-repair renovation list --building 1 --format jsonl
expect_eq "$(wc -l <out)" 2 "both of building 1"

run pm check
expect_rc 0 "pm check: deposits, renovations and the ledger agree"
sql "UPDATE renovation SET forfeit_fen = 30000 WHERE id = 1"
# A table for people says a permit's status as the web page does.
(unset PM_LOCALEDIR; LC_ALL=zh_CN.UTF-8 pm-repair renovation list --format table >"$T/out" 2>"$T/err")
expect_out "已完工" "a completed permit reads 已完工 in Chinese"
expect_eq "$(grep -c completed "$T/out")" "0" "not completed"
run pm check
expect_rc 1 "a renovation that disagrees with its deposit movements"
expect_out "renovation 1: took 200000, forfeited 30000, refunded 154945 fen; its deposit movements 200000, 45055, 154945 fen" \
	"is found"
done_testing
