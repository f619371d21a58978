#!/bin/sh
# pm-bill contract pay: a payment is one by (channel, ref), as DESIGN.md
# and --help say: the same ref on another channel is another payment;
# the same (channel, ref) again is a duplicate; with another amount or
# contract it is refused, saying what it is already (as pm-bill pay).
. "$PM_TOP/tests/cli/lib.sh"
export PM_NOW=2026-12-01T09:00:00+08:00

run pm init --community 幸福里
run pm-bill contract add --party 广告公司 --kind income --object 电梯广告 --from 2026-01-01 --to 2026-12-31 \
	--amount 1000 --every quarter
run pm-bill contract add --party 分众传媒 --kind income --object 道闸广告 --from 2026-01-01 --to 2026-12-31 \
	--amount 500 --every quarter
run pm-bill contract run

run pm-bill contract pay 1 --amount 1000 --channel bank --ref R1 --format jsonl
expect_rc 0 "1000.00 by bank, ref R1"
expect_out '"amount_fen":100000,"channel":"bank","ref":"R1","balance_fen":300000,"outcome":"recorded"' "is recorded"
run pm-bill contract pay 1 --amount 1000 --channel cash --ref R1 --format jsonl
expect_rc 0 "1000.00 in cash with the same ref"
expect_out '"amount_fen":100000,"channel":"cash","ref":"R1","balance_fen":200000,"outcome":"recorded"' \
	"is another payment, recorded"
expect_eq "$(sql "SELECT channel, ref, amount_fen FROM contract_charge WHERE kind = 'payment' ORDER BY id" | tr '\n' ' ')" \
	"bank|R1|100000 cash|R1|100000 " "two payments stored"
run pm-bill contract list --format jsonl
expect_out '"contract":1,.*"paid_fen":200000,"balance_fen":200000' "contract 1 is paid 2000.00"

run pm-bill contract pay 1 --amount 1000 --channel cash --ref R1 --format jsonl
expect_rc 0 "the cash payment again"
expect_out '"channel":"cash","ref":"R1","balance_fen":200000,"outcome":"duplicate"' "is a duplicate"
run pm-bill contract pay 1 --amount 900 --channel cash --ref R1
expect_rc 65 "the same (channel, ref) with another amount"
expect_err "pm-bill: payment 'cash:R1' is already recorded for contract 1 with amount 1000.00: this one is for contract 1 with amount 900.00" \
	"says what it is already"
run pm-bill contract pay 2 --amount 1000 --channel bank --ref R1
expect_rc 65 "the same (channel, ref) for another contract"
expect_err "pm-bill: payment 'bank:R1' is already recorded for contract 1 with amount 1000.00: this one is for contract 2 with amount 1000.00" \
	"says whose it is"
run pm-bill contract pay 2 --amount 500 --channel wechat --ref R1 --format jsonl
expect_rc 0 "contract 2's own payment by wechat, ref R1"
expect_eq "$(sql "SELECT contract_id, channel, amount_fen FROM contract_charge WHERE kind = 'payment' ORDER BY id" | tr '\n' ' ')" \
	"1|bank|100000 1|cash|100000 2|wechat|50000 " "three payments, none twice"
expect_eq "$(sql "SELECT account, sum(amount_fen) FROM posting WHERE account LIKE 'cash:%' GROUP BY account ORDER BY account" | tr '\n' ' ')" \
	"cash:bank|100000 cash:cash|100000 cash:wechat|50000 " "the cash accounts hold each once"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'bill.contract.pay'")" "3" "each audited once"

# The store's unique key agrees, for writers other than pm-bill too.
expect_eq "$(sql "SELECT name FROM pragma_index_info('contract_payment_ref') ORDER BY seqno" | tr '\n' ' ')" \
	"channel ref " "contract payments are unique on (channel, ref)"
run pm check
expect_rc 0 "pm check holds"

done_testing
