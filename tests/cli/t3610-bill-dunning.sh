#!/bin/sh
# pm-bill dunning: the plan's stages entered once per bill across repeated
# cron runs (rows, outbox messages and tickets counted), contacts and
# promises, a promise kept and one broken, the report and the letter.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/report-community.sh"

# From the shared community on 5 December: October's bills due 15
# November unpaid for 1-1-102 (70.70, its owner 李娜), 1-2-101 (111.10,
# its tenant 王芳) and 3-1-101 (60.80, nobody lives there); November's
# due 15 December for 1-1-102 (170.00) and 3-1-101 (80.00).
run pm-bill dunning
expect_rc 78 "no plan yet"
expect_err "pm-bill: no dunning plan: set dunning.stages in pm.yaml and apply it" "says what to do"

cat >>pm.yaml <<'Y'
channels:
  sms:
    url: http://127.0.0.1:9/sms
notify:
  channels: [sms]
repair:
  categories:
    - {name: plumbing, label: 水管}
    - {name: arrears, label: 欠费催缴, kind: collection}
dunning:
  category: arrears
  stages:
    - {name: reminder, days: 7, action: message, template: dunning_reminder}
    - {name: call, days: 30, action: task, template: dunning_call}
    - {name: letter, days: 60, action: task, template: dunning_letter}
    - {name: legal, days: 90, action: task, template: dunning_legal, role: admin}
Y
run pm config apply pm.yaml
expect_rc 0 "the plan applied"

stages() { sql "SELECT b.code, d.stage, d.reason, d.days, d.queued, coalesce(d.ticket_id, '-') FROM dunning d
	JOIN bill b ON b.id = d.bill_id ORDER BY d.id" | tr '\n' ' '; }
messages() { sql "SELECT count(*) FROM outbox WHERE template = 'dunning_reminder'"; }

# 5 December: October's bills are 20 days late: the reminder.
run pm-bill dunning --format jsonl
expect_rc 0 "the first run"
expect_eq "$(stages)" "B-2026-10-1-1-102|reminder|overdue|20|1|- B-2026-10-1-2-101|reminder|overdue|20|1|- B-2026-10-3-1-101|reminder|overdue|20|0|- " \
	"three bills enter the reminder; one message each to the owner and the tenant"
expect_out '^\{"type":"dunning","bill":"B-2026-10-1-1-102","unit":"1-1-102","period":"2026-10","due":"2026-11-15","owed_fen":7070,"late_fen":70,"days":20,"as_of":"2026-12-05","id":1,"stage":"reminder","action":"message","role":"frontdesk","reason":"overdue","queued":1,"ticket":null\}$' \
	"each stage entered is told"
expect_out "\"unit\":\"3-1-101\",.*\"note\":\"no one to tell: unit '3-1-101' has no current owner or tenant\",\"queued\":0" \
	"a unit with nobody to tell enters the stage with the reason"
expect_err "pm-bill: 3 stages entered: 2 messages queued, 0 tasks filed; promises kept 0, broken 0" "and counted"
expect_eq "$(messages)" "2" "two messages in the outbox"
expect_eq "$(sql "SELECT address, body FROM outbox WHERE unit = '1-1-102'")" \
	"13800000002|李娜您好：1-1-102 2026-10 的账单 B-2026-10-1-1-102 应于 2026-11-15 前缴纳，已逾期 20 天，尚欠 ¥70.70。请尽快缴纳；如已缴纳，请忽略本提醒。" \
	"the reminder's text, by SMS to the owner"
PM_NOW=2026-12-05T18:00:00+08:00 run pm-bill dunning --format jsonl
expect_rc 0 "cron again the same day"
expect_eq "$(cat "$T/out")" "" "enters nothing"
expect_eq "$(sql 'SELECT count(*) FROM dunning') $(messages)" "3 2" "no row and no message more"

# 15 December: October's bills are 30 days late: a call for the desk,
# one collection ticket per unit. November's are due today, not late.
export PM_NOW=2026-12-15T09:00:00+08:00
run pm-bill dunning --format jsonl
expect_err "3 stages entered: 0 messages queued, 3 tasks filed" "three calls"
expect_eq "$(sql "SELECT t.id, t.kind, t.category, t.status, t.team, u.code, t.text FROM ticket t JOIN unit u ON u.id = t.unit_id ORDER BY t.id" | head -1)" \
	"1|collection|arrears|accepted|frontdesk|1-1-102|请致电 1-1-102 业主催缴：账单 B-2026-10-1-1-102（2026-10）已逾期 30 天，尚欠 ¥70.70。通话后用 pm-bill contact 1-1-102 记录结果。" \
	"a collection ticket waiting for the desk, its text the template's"
expect_eq "$(sql "SELECT count(*) FROM ticket WHERE kind = 'collection'")" "3" "three of them"

# The desk calls: 1-1-102 promises to pay by 31 December, 1-2-101 refuses.
export PM_NOW=2026-12-16T10:00:00+08:00
run pm-bill --as zhao.desk dunning
expect_rc 77 "the desk does not run the plan"
run pm user add zhao.desk --role frontdesk
run pm-bill --as zhao.desk dunning
expect_rc 77 "even as a user"
run pm-bill --as zhao.desk contact 1-1-102 --by phone --result promised --promise-date 2026-12-31 \
	--note "业主称月底前缴清" --format jsonl
expect_rc 0 "the desk logs a promise"
expect_out '^\{"type":"contact","id":1,"unit":"1-1-102","by":"phone","result":"promised","note":"业主称月底前缴清","promise_date":"2026-12-31","promise":"pending","by_user":"zhao.desk","at":"2026-12-16T10:00:00\+08:00"\}$' \
	"pending until the day"
run pm-bill --as zhao.desk contact 1-2-101 --by visit --result refused --note 租户拒缴
expect_rc 0 "and a refusal"
run pm-bill contact 1-2-101 --by email --result refused --note x
expect_rc 2 "an unknown means"
expect_err "pm-bill contact: --by: expected phone, visit or letter, not 'email'" "names them"
run pm-bill contact 1-2-101 --by phone --result promised --note x
expect_rc 2 "a promise without its day"
expect_err "pm-bill contact: --promise-date goes with --result promised, and only with it" "is refused"
run pm-bill contact 1-2-101 --by phone --result refused --promise-date 2026-12-31 --note x
expect_rc 2 "a day without a promise"
run pm-bill contact 1-2-101 --by phone --result refused --note ""
expect_rc 2 "no note"
run pm-bill contact 9-9-999 --by phone --result refused --note x
expect_rc 65 "an unknown unit"
expect_eq "$(sql 'SELECT count(*) FROM collection_contact')" "2" "nothing of those recorded"

# 23 December: November's bills are 8 days late. 1-1-102 is left alone
# while its promise stands; 3-1-101 enters the reminder.
export PM_NOW=2026-12-23T09:00:00+08:00
run pm-bill dunning --format jsonl
expect_err "1 stages entered: 0 messages queued, 0 tasks filed" "only 3-1-101's November bill"
expect_out '"bill":"B-2026-11-3-1-101",.*"stage":"reminder"' "enters the reminder"
expect_eq "$(sql "SELECT count(*) FROM dunning d JOIN bill b ON b.id = d.bill_id WHERE b.code = 'B-2026-11-1-1-102'")" "0" \
	"the promising unit's new bill is held"

# 2 January: the promise has passed unpaid: broken. 1-1-102's October
# bill (48 days) moves on to the letter, its November bill (18 days)
# enters the reminder by its days and moves on to the call.
export PM_NOW=2027-01-02T09:00:00+08:00
run pm-bill dunning --format jsonl
expect_rc 0 "the run after the promised day"
expect_err "3 stages entered: 1 messages queued, 2 tasks filed; promises kept 0, broken 1" "one promise broken"
expect_eq "$(sql "SELECT b.code, d.stage, d.reason, d.days FROM dunning d JOIN bill b ON b.id = d.bill_id WHERE d.as_of = '2027-01-02' ORDER BY d.id" | tr '\n' ' ')" \
	"B-2026-10-1-1-102|letter|broken_promise|48 B-2026-11-1-1-102|reminder|overdue|18 B-2026-11-1-1-102|call|broken_promise|18 " \
	"the broken promise moves each of the unit's bills on a stage"
expect_eq "$(sql "SELECT promise FROM collection_contact WHERE id = 1")" "broken" "the promise is marked broken"
expect_eq "$(sql "SELECT count(DISTINCT ticket_id) FROM dunning WHERE as_of = '2027-01-02'") $(sql "SELECT repeats FROM ticket WHERE id = 4")" \
	"1 1" "the unit's two tasks of the day are one ticket, the second a repeat on it"
PM_NOW=2027-01-02T20:00:00+08:00 run pm-bill dunning --format jsonl
expect_eq "$(cat "$T/out")" "" "cron again: nothing"
expect_err "0 stages entered: 0 messages queued, 0 tasks filed; promises kept 0, broken 0" "the promise is not broken twice"
expect_eq "$(sql 'SELECT count(*) FROM dunning') $(messages) $(sql "SELECT count(*) FROM ticket WHERE kind = 'collection'")" \
	"10 3 4" "ten stages entered, three messages, four tickets in all"

run pm-bill dunning --report --format jsonl
expect_rc 0 "the report"
expect_eq "$(cat "$T/out")" '{"type":"dunning_unit","unit":"1-1-102","bills":2,"owed_fen":24070,"days":48,"stage":"letter","entered":"2027-01-02","last_contact":"2026-12-16T10:00:00+08:00","contact_by":"phone","contact_result":"promised","promise_date":"2026-12-31","promise":"broken"}
{"type":"dunning_unit","unit":"1-2-101","bills":1,"owed_fen":11110,"days":48,"stage":"call","entered":"2026-12-15","last_contact":"2026-12-16T10:00:00+08:00","contact_by":"visit","contact_result":"refused","promise_date":null,"promise":null}
{"type":"dunning_unit","unit":"3-1-101","bills":2,"owed_fen":14080,"days":48,"stage":"call","entered":"2026-12-15","last_contact":null,"contact_by":null,"contact_result":null,"promise_date":null,"promise":null}' \
	"each unit's stage, last contact and promise"
run pm-bill dunning --report --unit 1-2-101 --format jsonl
expect_eq "$(grep -c . "$T/out")" "1" "one unit's"
run pm-bill dunning --unit 1-2-101
expect_rc 2 "--unit is for the report"

# The letter: the bills past due with the total in 大写, the statement.
run pm-bill letter 1-1-102
expect_rc 0 "the demand letter"
expect_out '<h1>催缴函</h1>' "titled 催缴函"
expect_out '<tr><td>B-2026-10-1-1-102</td><td>2026-10</td><td>2026-11-15</td><td class="num">48</td><td class="num">¥70.70</td></tr>' \
	"each bill with its days late"
expect_out '合计欠费</td><td class="num">¥240.70</td>' "the total"
expect_out '人民币贰佰肆拾元柒角' "in 大写"
expect_out '<tr><td>2026-11-12</td><td>缴费</td><td>A1</td><td class="num">-¥100.00</td><td class="num">¥70.00</td></tr>' \
	"the statement attached"
run pm-bill letter 1-1-101
expect_rc 65 "a unit that owes nothing past due"
expect_err "pm-bill: unit '1-1-101' owes nothing past due on 2027-01-02: no letter" "has no letter"

# A promise kept: 1-2-101 promises, pays, and the next run says so.
run pm-bill contact 1-2-101 --by phone --result promised --promise-date 2027-01-10 --note 答应周末缴
run pm-bill pay --unit 1-2-101 --amount 111.10 --channel wechat --ref W9
export PM_NOW=2027-01-05T09:00:00+08:00
run pm-bill dunning
expect_err "promises kept 1, broken 0" "is kept"
expect_eq "$(sql "SELECT promise FROM collection_contact WHERE id = 3")" "kept" "and marked so"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'bill.dunning'") $(sql "SELECT count(*) FROM audit WHERE action = 'bill.contact'")" \
	"7 3" "one audit record a run (seven runs), one a contact"
run pm check
expect_rc 0 "pm check holds"

# The plan is checked when applied.
printf 'effective: 2026-01-01\ncommunity:\n  name: x\ndunning:\n  stages:\n    - {name: a, days: 30, action: message, template: t}\n    - {name: b, days: 7, action: task, template: t}\n' >bad.yaml
run pm config apply bad.yaml
expect_rc 78 "stages out of order"
expect_err 'stage "b": 7 days is not after the stage before' "are refused"

done_testing
