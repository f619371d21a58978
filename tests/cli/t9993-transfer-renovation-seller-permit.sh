#!/bin/sh
# After a sale (pm unit transfer) the seller's renovation permit is not
# the buyer's: the permit under way the seller applied for does not hold
# up the buyer's approval (one under way per unit counts from the present
# owners' time), the buyer neither lists nor sees it, nor its deposit; the
# office still sees both, and completing the seller's gives back the
# seller's 2000.00, leaving the buyer's 2000.00 held. Before the sale the
# one-under-way rule holds as ever.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-11-30T09:00:00+08:00; export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"100","delivered":"2020-01-01"}\n' pm unit import
feed '{"code":"P1","name":"业主甲","unit":"1-1-101"}\n{"code":"P3","name":"买家丙"}\n' pm person import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
repair:
  categories:
    - {name: renovation, label: 装修检查}
  renovation:
    deposit: {residential: 2000.00}
    inspections: 1
Y
run pm config apply pm.yaml
expect_rc 0 "renovation rules apply"
pm user add fd --role frontdesk
pm user add sun.tech --role technician
pm user add li.finance --role finance
pm user add o1 --role owner --person P1
pm user add o3 --role owner --person P3
apply() { # AS FROM TO
	run pm-repair --as "$1" renovation apply --unit 1-1-101 --from "$2" --to "$3" --contractor 张师傅 --scope 厨卫 --format jsonl
}
held() { sql "SELECT -sum(amount_fen) FROM posting WHERE account = 'deposit:renovation:1-1-101'"; }

apply o1 2026-12-01 2026-12-31
expect_rc 0 "the seller applies"
run pm-repair --as fd renovation approve 1
expect_rc 0 "the desk approves, taking 2000.00"
run pm-repair --as fd renovation start 1
expect_rc 0 "work starts"
apply o1 2026-12-05 2026-12-06
run pm-repair --as fd renovation approve 2
expect_rc 1 "before the sale a second permit waits for the first"
expect_err "unit '1-1-101' has renovation 1 under way: complete it first" "as ever"
expect_eq "$(held)" 200000 "2000.00 held, the seller's"

run pm unit transfer 1-1-101 --to P3 --at 2026-12-10
expect_rc 0 "sold from 10 December"
PM_NOW=2026-12-10T09:00:00+08:00

apply o3 2026-12-12 2026-12-31
expect_rc 0 "the buyer applies"
expect_out '"renovation":3,' "renovation 3"
run pm-repair --as fd renovation approve 3
expect_rc 0 "the seller's permit under way does not hold up the buyer's"
expect_eq "$(sql "SELECT id || ':' || status || ':' || deposit_fen FROM renovation ORDER BY id" | tr '\n' ' ')" \
	"1:started:200000 2:applied:0 3:approved:200000 " "the buyer's approved with its own 2000.00 deposit"
expect_eq "$(held)" 400000 "the seller's 2000.00 and the buyer's are both held"
run pm-repair --as fd renovation approve 2
expect_rc 1 "the seller's second application waits for the buyer's under way"

run pm-repair --as o3 renovation list --format jsonl
expect_rc 0 "the buyer lists renovations"
expect_eq "$(grep -o '"renovation":[0-9]*' "$T/out" | tr '\n' ' ')" '"renovation":3 ' "only their own"
run pm-repair --as o3 renovation show 1
expect_rc 77 "the seller's permit is not shown to the buyer"
expect_err "user 'o3' may not see renovation 1" "and is refused as another's"
run pm-repair --as o3 renovation show 3 --format jsonl
expect_rc 0 "the buyer's own is shown"
expect_out '"renovation":3,.*"deposit_fen":200000' "with its own deposit"
run pm-repair --as o1 renovation list --format jsonl
expect_eq "$(wc -l <"$T/out")" 0 "the seller, moved out, lists none"
run pm-repair --as fd renovation list --format jsonl
expect_eq "$(grep -o '"renovation":[0-9]*' "$T/out" | tr '\n' ' ')" '"renovation":1 "renovation":2 "renovation":3 ' \
	"the desk sees all three"

run pm-repair --as fd renovation inspect 1 --to sun.tech
expect_rc 0 "the seller's permit inspected"
run pm-repair --as sun.tech renovation inspect 1 --result pass --note 合格
expect_rc 0 "and passed"
run pm-repair --as li.finance renovation complete 1 --format jsonl
expect_rc 0 "finance completes the seller's permit"
expect_out '"renovation":1,.*"status":"completed",.*"refund_fen":200000' "giving the seller's 2000.00 back"
expect_eq "$(sql "SELECT action || ':' || amount_fen || ':' || ref FROM deposit ORDER BY id" | tr '\n' ' ')" \
	"take:200000:renovation:1:take take:200000:renovation:3:take refund:200000:renovation:1:refund " \
	"each permit's movements under its own ref"
expect_eq "$(held)" 200000 "the buyer's 2000.00 still held"
done_testing
