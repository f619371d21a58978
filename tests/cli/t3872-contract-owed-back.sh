#!/bin/sh
# pm-bill contract pay on a contract paid ahead and then terminated: the
# party is owed money back (an expense contract's party owes it back),
# and pm records no payment that way. The refusal says so, with the
# amount, instead of "-¥500.00 is owed".
. "$PM_TOP/tests/cli/lib.sh"
export PM_NOW=2026-10-02T09:00:00+08:00

run pm init --community 幸福里
run pm-bill contract add --party 广告公司 --kind income --object 电梯广告 --from 2026-01-01 --to 2026-12-31 \
	--amount 1000 --every quarter
run pm-bill contract add --party 洁净保洁 --kind expense --object 保洁 --from 2026-01-01 --to 2026-12-31 \
	--amount 600 --every quarter
run pm-bill contract run
run pm-bill contract pay 1 --amount 4000 --channel bank --ref A1
expect_rc 0 "the merchant pays the year ahead"
run pm-bill contract pay 2 --amount 2400 --channel bank --ref B1
expect_rc 0 "the cleaner is paid the year ahead"

# Ended on 15 November: 46 of the last quarter's 92 days used, half of
# each contract's quarter credited.
run pm-bill contract terminate 1 --on 2026-11-15 --reason 退租 --format jsonl
expect_out '"charged_fen":350000,"paid_fen":400000,"balance_fen":-50000' "the merchant paid 500.00 more than it owes"
run pm-bill contract terminate 2 --on 2026-11-15 --reason 换供应商 --format jsonl
expect_out '"charged_fen":210000,"paid_fen":240000,"balance_fen":-30000' "the cleaner was paid 300.00 more than owed"

run pm-bill contract pay 1 --amount 1 --channel bank
expect_rc 65 "a payment from the merchant"
expect_err "^pm-bill: contract 1: nothing is owed, '广告公司' is owed ¥500.00 back: pm pays a contract's party nothing back, so settle it outside pm$" \
	"says the merchant is owed 500.00 back and how to settle it"
run pm-bill contract pay 2 --amount 1 --channel bank
expect_rc 65 "a payment to the cleaner"
expect_err "^pm-bill: contract 2: nothing is owed, '洁净保洁' owes ¥300.00 back: pm takes nothing back from a contract's party, so settle it outside pm$" \
	"says the cleaner owes 300.00 back"
LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 run pm-bill contract pay 1 --amount 1 --channel bank
expect_err "应退还 '广告公司' ¥500.00：pm 不向合同方退款" "in Chinese too"
expect_eq "$(sql "SELECT contract_id, sum(amount_fen) FROM contract_charge WHERE kind = 'payment' GROUP BY contract_id" | tr '\n' ' ')" \
	"1|400000 2|240000 " "nothing more recorded"
expect_eq "$(sql "SELECT account, sum(amount_fen) FROM posting WHERE account LIKE 'contract:%' GROUP BY account ORDER BY account" | tr '\n' ' ')" \
	"contract:1|-50000 contract:2|30000 " "the ledger holds what is owed back, each way"

# What is owed the usual way is still told as before.
run pm-bill contract add --party 分众传媒 --kind income --object 道闸广告 --from 2026-01-01 --to 2026-12-31 \
	--amount 100 --every quarter
run pm-bill contract run
run pm-bill contract pay 3 --amount 400.01 --channel bank
expect_rc 65 "more than is owed"
expect_err "^pm-bill: contract 3: ¥400.00 is owed, not more$" "says how much is"

done_testing
