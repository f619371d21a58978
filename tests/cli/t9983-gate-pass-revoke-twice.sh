#!/bin/sh
# pm-gate pass revoke of a pass revoked already exited 65 ("it has no
# pass to revoke"): a guard told twice to stop a pass, or a script run
# again, saw a failure for what was done. Now it exits 0 saying so, the
# record's outcome "unchanged" (the first time "revoked"), the first
# reason kept and no second audit record; a request that never had a
# pass is still refused.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
make_gate_community

run pm-gate visitor request --unit 1-1-0101 --name 快递 --from 2026-12-01T10:00:00+08:00 --until 2026-12-01T16:00:00+08:00
run pm-gate visitor approve 1
run pm-gate visitor request --unit 1-1-0101 --name 推销 --from 2026-12-01T10:00:00+08:00 --until 2026-12-01T16:00:00+08:00
run pm-gate visitor deny 2 --reason 不认识
expect_rc 0 "one pass approved, one request denied"

run pm-gate --as zhao.desk pass revoke 1 --reason 业主取消 --format jsonl
expect_rc 0 "the desk revokes the pass"
expect_err "revoked pass 1" "says so"
expect_out '"status":"revoked",.*"outcome":"revoked"}$' "outcome revoked"
run pm-gate --as zhao.desk pass revoke 1 --reason 再次取消 --format jsonl
expect_rc 0 "revoked again: not a failure"
expect_err "^pm-gate: pass 1 was revoked already: nothing changed$" "says it was revoked already"
expect_out '"status":"revoked",.*"outcome":"unchanged"}$' "outcome unchanged"
expect_eq "$(sql "SELECT status || ':' || reason FROM visitor WHERE id = 1")" "revoked:业主取消" "the first reason kept"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'visitor.revoke'")" 1 "one audit record"
run pm-gate pass revoke 2
expect_rc 65 "a denied request has no pass to revoke"
expect_err "visitor request 2 is denied: it has no pass to revoke" "says so"
run pm-gate --as qian.guard pass revoke 1
expect_rc 77 "a guard may not, revoked already or not"
done_testing
