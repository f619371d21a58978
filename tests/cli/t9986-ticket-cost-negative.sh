#!/bin/sh
# pm-repair resolve refused --cost -100 by a check of its own, while the
# web took the same cost for "no cost". The library refuses a cost below
# 0 now, for both: exit 2, saying so (in Chinese too), the ticket not
# resolved and no charge; -0.01 (-1 fen, once the library's "no cost") is
# refused alike; 0 and above are taken.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

run pm init
run pm config apply "$PM_TOP/share/pm/examples/pm.yaml"
feed '{"code":"1-1-101","area":"89.50","delivered":"2019-06-30"}\n' pm unit import
run pm user add tech --role technician
run pm-repair submit -q --unit 1-1-101 --category plumbing --text 厨房水管漏水
run pm-repair assign 1 --to tech -q
run pm-repair start 1 -q
expect_rc 0 "ticket 1 under way"
state() { sql "SELECT t.status || ' ' || coalesce(t.cost_fen, 'none') || ' ' || (SELECT count(*) FROM repair_charge)
	FROM ticket t WHERE t.id = 1"; }

run pm-repair resolve 1 --note 换了角阀 --cost -100
expect_rc 2 "a cost of -100 refused"
expect_err '^pm-repair resolve: the cost -100\.00 is below 0: a cost is 0 or more$' "saying so"
expect_eq "$(state)" "in_progress none 0" "the ticket not resolved, no charge"
LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 run pm-repair resolve 1 --note 换了角阀 --cost -100
expect_err '收费 -100\.00 小于 0：收费须为 0 或以上' "in Chinese too"
run pm-repair resolve 1 --note 换了角阀 --cost -0.01
expect_rc 2 "a cost of -0.01 refused"
expect_err 'the cost -0\.01 is below 0' "saying so"
expect_eq "$(state)" "in_progress none 0" "still not resolved"
run pm-repair resolve 1 --note 换了角阀 --cost 0
expect_rc 0 "a cost of 0 is taken"
expect_eq "$(state)" "resolved 0 0" "resolved, nothing charged"
run pm-repair submit -q --unit 1-1-101 --category plumbing --text 卫生间水管漏水
run pm-repair assign 2 --to tech -q
run pm-repair start 2 -q
run pm-repair resolve 2 --note 换了阀芯 --cost 12.00
expect_rc 0 "a cost of 12.00 is taken"
expect_eq "$(sql "SELECT t.status || ' ' || c.amount_fen FROM ticket t JOIN repair_charge c ON c.ticket_id = t.id")" \
	"resolved 1200" "ticket 2 resolved, 1-1-101 charged 12.00"
done_testing
