#!/bin/sh
# A pass an owner approved lets their visitor in only while that owner
# lives in the unit: after a move-out or a transfer (过户) the new owners
# did not ask for the stranger at the gate, and a card granted with the
# residence would have stopped opening too. What the front desk approved
# stands, and before the day the owner leaves the pass holds.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
export PM_NOW=2026-12-15T10:00:00+08:00
make_gate_community
run pm user add owner.p002 --role owner --person P002
printf '%s\n' '{"code":"P009","name":"孙丽","phone":"13800000009"}' >new.jsonl
run pm person import new.jsonl

token() { pm-gate visitor show "$1" --format jsonl | sed 's/.*"token":"\([^"]*\)".*/\1/'; }
pass() { # OWNER UNIT: a pass for the 21st, approved by OWNER; its id in $id
	run pm-gate --as "$1" visitor request --unit "$2" --name 陈静 \
		--from 2026-12-21T10:00:00+08:00 --until 2026-12-21T18:00:00+08:00
	id=$(json_field id)
	run pm-gate --as "$1" visitor approve "$id"
}

# 张伟 approves, then moves out of 1-1-0101 on the 18th.
pass owner.p001 1-1-0101
moved=$id
run pm occupancy end --unit 1-1-0101 --person P001 --until 2026-12-18
expect_rc 0 "the owner moves out on the 18th"
run pm-gate --as qian.guard verify "$(token "$moved")" --gate north --at 2026-12-17T12:00:00+08:00
expect_out '"reason":"not_yet_valid"' "on the 17th, while the owner lives there, only the window decides"
PM_NOW=2026-12-21T11:00:00+08:00 run pm-gate --as qian.guard verify "$(token "$moved")" --gate north
expect_rc 1 "on the 21st the pass of an owner who moved out is denied"
expect_out '"result":"deny","reason":"revoked","pass":'"$moved"',' "as revoked"
expect_eq "$(sql "SELECT result FROM pass_use WHERE visitor_id = $moved")" "revoked" "and the refusal is recorded"
expect_eq "$(sql "SELECT used FROM visitor WHERE id = $moved")" "0" "no use counted"

# 李娜 approves, then 1-1-0102 is sold to 孙丽 from the 20th.
pass owner.p002 1-1-0102
sold=$id
run pm unit transfer 1-1-0102 --to P009 --at 2026-12-20 --settle
expect_rc 0 "1-1-0102 is transferred on the 20th"
PM_NOW=2026-12-21T11:00:00+08:00 run pm-gate --as qian.guard verify "$(token "$sold")" --gate north --at 2026-12-21T11:00:00+08:00
expect_rc 1 "after the transfer the old owner's pass is denied (with --at)"
expect_out '"reason":"revoked"' "as revoked"
run pm-gate --as qian.guard verify "$(token "$sold")" --gate north --at 2026-12-19T11:00:00+08:00
expect_out '"reason":"not_yet_valid"' "a time before the transfer is judged by the window alone"

# The front desk's approval is the company's, and stands.
run pm-gate --as zhao.desk visitor request --unit 1-1-0102 --name 刘洋 \
	--from 2026-12-21T10:00:00+08:00 --until 2026-12-21T18:00:00+08:00
desk=$(json_field id)
run pm-gate --as zhao.desk visitor approve "$desk"
PM_NOW=2026-12-21T11:00:00+08:00 run pm-gate --as qian.guard verify "$(token "$desk")" --gate north
expect_rc 0 "a pass the front desk approved still lets the visitor in"

# An owner who still lives there: allowed, and counted.
run pm user add owner.p003 --role owner --person P003
pass owner.p003 2-1-0301
PM_NOW=2026-12-21T11:00:00+08:00 run pm-gate --as qian.guard verify "$(token "$id")" --gate north
expect_rc 0 "the pass of an owner who lives there is allowed"
expect_eq "$(sql "SELECT used FROM visitor WHERE id = $id")" "1" "and its use counted"
done_testing
