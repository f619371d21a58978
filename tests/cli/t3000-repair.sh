#!/bin/sh
# pm-repair: tickets, permissions, dedupe, SLA breaches, charges, sweep.
. "$PM_TOP/tests/cli/lib.sh"

PM_NOW=2026-11-23T09:00:00+08:00; export PM_NOW
run pm init
run pm config apply "$PM_TOP/share/pm/examples/pm.yaml"
expect_rc 0 "the example configuration with its repair section applies"
feed '{"code":"1-1-101","area":"80","delivered":"2020-06-30"}\n{"code":"1-1-102","area":"90","delivered":"2020-06-30"}\n' pm unit import
feed '{"code":"P1","name":"业主甲","unit":"1-1-101"}\n{"code":"P2","name":"业主乙","unit":"1-1-102"}\n' pm person import
pm user add fd --role frontdesk
pm user add sun.tech --role technician
pm user add li.tech --role technician
pm user add o1 --role owner --person P1
pm user add o2 --role owner --person P2

run pm-repair --as o1 submit --unit 1-1-101 --category plumbing --text 厨房漏水
expect_rc 0 "an owner files a ticket for their unit"
expect_out '"id":1,"status":"submitted"' "and sees it submitted"
expect_out '"outcome":"created"' "as created"
run pm-repair --as o1 submit --unit 1-1-102 --category plumbing --text 漏水
expect_rc 77 "an owner may not file for another unit"
run pm-repair --as o1 submit --unit 1-1-101 --category plumbing --text 还在漏
expect_rc 0 "a repeat report"
expect_out '"id":1,.*"repeats":1' "finds the open ticket and counts the repeat"
expect_err "ticket 1 is already open" "and says so"
expect_eq "$(sql 'SELECT count(*) FROM ticket')" 1 "no second ticket is made"
run pm-repair submit --unit 1-1-101 --category plumbin --text x
expect_rc 65 "an unknown category is refused"
expect_err "unknown category 'plumbin': expected one of plumbing, electrical" "naming the categories"

run pm-repair --as o2 show 1
expect_rc 77 "an owner cannot see another unit's ticket"
expect_err "user 'o2' may not see ticket 1" "and is told so"
run pm-repair --as o2 show 99
expect_rc 77 "nor probe for tickets that do not exist"
expect_err "user 'o2' may not see ticket 99" "said the same way"
run pm-repair --as o2 comment 1 --text 我也漏
expect_rc 77 "nor comment on it"
run pm-repair --as o2 list --format jsonl
expect_eq "$(wc -l <"$T/out")" 0 "an owner's list holds only their own tickets"
run pm-repair --as o1 list --format jsonl
expect_eq "$(wc -l <"$T/out")" 1 "their own ticket is listed"
run pm-repair --as o1 accept 1
expect_rc 77 "an owner may not dispatch"
expect_err "may not do 'ticket.dispatch'" "the permission is named"

run pm-repair resolve 1 --note 修好
expect_rc 1 "an illegal transition is refused"
expect_err "cannot resolve ticket 1: it is submitted; allowed: accept, assign, cancel" "naming the allowed ones"
run pm-repair --as fd assign 1 --to sun.tech
expect_rc 0 "front desk assigns"
run pm-repair --as li.tech start 1
expect_rc 77 "another technician may not start it"
expect_err "ticket 1 is not assigned to 'li.tech'" "and is told whose it is not"
PM_NOW=2026-11-23T09:30:00+08:00 run pm-repair --as sun.tech start 1
expect_rc 0 "the assigned technician starts"
run pm-repair --as sun.tech resolve 1
expect_rc 2 "resolve needs a note"
PM_NOW=2026-11-23T11:00:00+08:00 run pm-repair --as sun.tech resolve 1 --note 换阀门 --cost 120.00 --parts 阀门
expect_rc 0 "and resolves it with a cost"
expect_out '"status":"resolved"' "the ticket is resolved"
expect_eq "$(sql 'SELECT ticket_id, amount_fen, billed_bill_id IS NULL FROM repair_charge')" "1|12000|1" "the cost is a charge for pm-bill"
run pm-repair --as o2 rate 1 --stars 5
expect_rc 77 "another owner may not rate it"
run pm-repair --as o1 rate 1 --stars 4 --comment 及时
expect_rc 0 "the reporting owner rates it"
run pm-repair --as o1 rate 1 --stars 5
expect_rc 1 "once"
run pm-repair show 1 --format jsonl
expect_out '"type":"ticket_event","ticket":1,"ts":"2026-11-23T09:30:00\+08:00","actor":"sun.tech","action":"start"' "the timeline is timed and attributed"
expect_eq "$(grep -c ticket_event "$T/out")" 6 "submit, repeat, assign, start, resolve, rate"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE object = 'ticket:1'")" 6 "each step is audited"

# SLA: electrical is high (accept 1h, resolve 24h).
run pm-repair submit --unit 1-1-102 --category electrical --text 跳闸
run pm-repair overdue --as-of 2026-11-23T10:30:00+08:00 --force
expect_rc 0 "overdue runs"
expect_out '^\{"type":"sla_breach","ticket":2,"clock":"accept","over_by":1800,"over":"30m"' "an accept breach is reported"
expect_eq "$(wc -l <"$T/out")" 1 "only the one"
run pm-repair overdue --as-of 2026-11-23T10:45:00+08:00 --force
expect_eq "$(wc -l <"$T/out")" 0 "a breach is reported once"
run pm-repair list --breached --format jsonl
expect_out '"id":2' "list --breached shows it"
expect_eq "$(wc -l <"$T/out")" 1 "and not the ticket resolved in time"
run pm-repair --as fd overdue
expect_rc 77 "cron jobs are for admins"

# sweep: auto_close_after is 3d.
PM_NOW=2026-11-26T10:59:00+08:00 run pm-repair sweep
expect_eq "$(sql 'SELECT status FROM ticket WHERE id = 1')" resolved "not closed before 3 days"
PM_NOW=2026-11-26T11:00:00+08:00 run pm-repair sweep
expect_rc 0 "sweep runs"
expect_eq "$(sql 'SELECT status FROM ticket WHERE id = 1')" closed "closed 3 days after resolution"
run pm-repair --as o1 reopen 1 --reason 又漏了
expect_rc 0 "the owner reopens their ticket"
expect_eq "$(sql 'SELECT status, resolved_at IS NULL FROM ticket WHERE id = 1')" "reopened|1" "reopened"

feed '{"unit":"1-1-102","category":"noise","text":"楼上装修"}\n{"unit":"1-1-102","text":"x"}\n' pm-repair submit - --reject rej.jsonl
expect_rc 65 "JSON lines: a bad record is rejected"
expect_err 'stdin:2: field "category"' "with its line"
expect_eq "$(cat rej.jsonl)" '{"unit":"1-1-102","text":"x"}' "and copied to the reject file"
expect_eq "$(sql "SELECT kind FROM ticket WHERE category = 'noise'")" complaint "the good one is filed with its category's kind"
run pm-repair list --status assigned --format jsonl
expect_rc 0 "list --status"
run pm-repair list --status bogus
expect_rc 2 "an unknown status is a usage error"
run pm-repair --complete
expect_out '^overdue$' "pm-repair --complete lists subcommands"
run pm-repair --complete resolve
expect_out '^--cost=$' "and options"
run pm check
expect_rc 0 "the store is sound"

sed 's/dedupe_window: 24h/dedupe_window: 0s/' "$PM_TOP/share/pm/examples/pm.yaml" >nodedupe.yaml
run pm config apply nodedupe.yaml
feed '{"unit":"1-1-102","category":"plumbing","text":"漏水"}\n{"unit":"1-1-102","category":"plumbing","text":"还在漏"}\n' \
	pm-repair submit -
expect_eq "$(sql "SELECT count(*) FROM ticket WHERE unit_id = (SELECT id FROM unit WHERE code = '1-1-102') AND category = 'plumbing'")" 2 \
	"repair.dedupe_window: 0s turns dedupe off: the same report twice in one second files two tickets"
done_testing
