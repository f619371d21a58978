#!/bin/sh
# A sale that refunds the unit's deposits (billing.transfer.deposits:
# refund) gives back a renovation's deposit as the renovation's, under
# the ref its completion uses, and records it there: completing the
# seller's permit afterwards gives back nothing more (it gave the
# buyer's 2000.00 away before). From the sale day the seller's
# contractor is no longer on the guards' list; the buyer's is. The
# seller's application still waiting at the sale is not approved after
# it: it is rejected, and the buyer applies anew.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-11-30T09:00:00+08:00; export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"100","delivered":"2020-01-01"}\n' pm unit import
feed '{"code":"P1","name":"业主甲","unit":"1-1-101"}\n{"code":"P3","name":"买家丙"}\n' pm person import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
billing:
  transfer: {prepaid: refund, deposits: refund, channel: bank}
repair:
  categories:
    - {name: renovation, label: 装修检查}
  renovation:
    deposit: {residential: 2000.00}
    inspections: 1
Y
run pm config apply pm.yaml
expect_rc 0 "renovation rules, deposits refunded at a sale"
pm user add fd --role frontdesk
pm user add sun.tech --role technician
pm user add li.finance --role finance
pm user add o1 --role owner --person P1
pm user add o3 --role owner --person P3
held() { sql "SELECT coalesce(-sum(amount_fen), 0) FROM posting WHERE account = 'deposit:renovation:1-1-101'"; }
moves() { sql "SELECT action || ':' || amount_fen || ':' || coalesce(ref, '-') || ':' || channel FROM deposit ORDER BY id" | tr '\n' ' '; }
listed() { # DAY: the renovations on the guards' list that day
	pm-repair renovation gate --date "$1" --format jsonl | grep -o '"renovation":[0-9]*' | tr '\n' ' '
}

run pm-repair --as o1 renovation apply --unit 1-1-101 --from 2026-12-01 --to 2026-12-31 --contractor 张师傅 --scope 厨卫
expect_rc 0 "the seller applies"
run pm-repair --as fd renovation approve 1 --channel cash
expect_rc 0 "the desk approves, taking 2000.00 in cash"
run pm-repair --as fd renovation start 1
expect_rc 0 "work starts"
expect_eq "$(listed 2026-12-09)" '"renovation":1 ' "the seller's contractor is let in before the sale"
run pm-repair --as o1 renovation apply --unit 1-1-101 --from 2027-01-05 --to 2027-01-20 --contractor 王师傅 --scope 阳台
expect_rc 0 "the seller applies for more work, not yet approved at the sale"

run pm unit transfer 1-1-101 --to P3 --at 2026-12-10 --format jsonl
expect_rc 0 "sold from 10 December, deposits refunded"
expect_out '"deposits_fen":200000,"deposits":"refunded"' "the 2000.00 held is said refunded"
expect_eq "$(moves)" "take:200000:renovation:1:take:cash refund:200000:renovation:1:refund:bank " \
	"given back as the renovation's, on the sale's channel"
expect_eq "$(sql "SELECT status || ':' || refund_fen FROM renovation WHERE id = 1")" "started:200000" \
	"and recorded on the renovation"
expect_eq "$(held)" 0 "nothing held"
expect_eq "$(listed 2026-12-09)" '"renovation":1 ' "the day before the sale the seller's contractor is listed"
expect_eq "$(listed 2026-12-10)" '' "from the sale day the seller's contractor is not"

PM_NOW=2026-12-10T09:00:00+08:00
run pm-repair --as fd renovation approve 2 --channel cash
expect_rc 1 "the seller's application is not approved after the sale"
expect_err "renovation 2 was applied for before the unit's present owners' time there \\(a sale\\): reject it, and they apply anew" \
	"saying what to do"
expect_eq "$(sql "SELECT status || ':' || deposit_fen FROM renovation WHERE id = 2")" "applied:0" "nothing taken"
run pm-repair --as fd renovation reject 2 --reason 已过户
expect_rc 0 "the desk rejects it"
run pm-repair --as o3 renovation apply --unit 1-1-101 --from 2026-12-12 --to 2026-12-31 --contractor 李师傅 --scope 全屋
expect_rc 0 "the buyer applies"
run pm-repair --as fd renovation approve 3 --channel cash
expect_rc 0 "and is approved, 2000.00 taken"
expect_eq "$(held)" 200000 "the buyer's 2000.00 held"
expect_eq "$(listed 2026-12-12)" '"renovation":3 ' "the buyer's contractor is let in"

run pm-repair --as fd renovation inspect 1 --to sun.tech
run pm-repair --as sun.tech renovation inspect 1 --result pass --note 合格
run pm-repair --as li.finance renovation complete 1 --format jsonl
expect_rc 0 "finance completes the seller's permit"
expect_out '"renovation":1,.*"status":"completed",.*"refund_fen":200000' "its deposit given back once, at the sale"
expect_eq "$(moves)" "take:200000:renovation:1:take:cash refund:200000:renovation:1:refund:bank take:200000:renovation:3:take:cash " \
	"no second refund"
expect_eq "$(held)" 200000 "the buyer's 2000.00 still held"
run pm check
expect_rc 0 "the store is sound"
done_testing
