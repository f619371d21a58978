#!/bin/sh
# A deposit movement or a contract payment typed at the desk with no
# --ref, run twice (a retry, a double click), records once, as cash paid
# to a bill does: the same by the same person (a deposit) or for the same
# contract (a payment) within payments.cash_repeat is that one again, a
# "duplicate" (a deposit's reason and evidence are part of it: two cards
# differ in their numbers). --again records a second on purpose; past the window, or
# another amount, person or channel, is a new one. A ref still decides.
. "$PM_TOP/tests/cli/lib.sh"
export PM_NOW=2026-12-15T09:00:00+08:00

run pm init --community 测试小区
feed '{"code":"1-1-101","area":"100","delivered":"2020-01-01"}\n' pm unit import
run pm user add zhao.desk --role frontdesk
run pm user add qian.desk --role frontdesk
run pm user add li.finance --role finance
held() { sql "SELECT count(*) || ':' || sum(amount_fen) FROM deposit WHERE action = 'take'"; }

run pm-bill --as zhao.desk deposit take --unit 1-1-101 --kind key --amount 100 --reason 钥匙 --evidence K-1 --format jsonl
expect_out '"deposit":1,.*"amount_fen":10000,"held_fen":10000,.*"outcome":"recorded"' "a key deposit taken in cash"
run pm-bill --as zhao.desk deposit take --unit 1-1-101 --kind key --amount 100 --reason 钥匙 --evidence K-1 --format jsonl
expect_rc 0 "the same command again"
expect_out '"deposit":1,.*"held_fen":10000,.*"outcome":"duplicate"' "is the first movement again, a duplicate"
expect_eq "$(held)" "1:10000" "one deposit of 100.00 held"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'bill.deposit'")" 1 "audited once"
PM_NOW=2026-12-15T09:09:59+08:00 run pm-bill --as zhao.desk deposit take --unit 1-1-101 --kind key --amount 100 \
	--reason 钥匙 --evidence K-1 --format jsonl
expect_out '"outcome":"duplicate"' "still within the ten minutes of payments.cash_repeat"
run pm-bill --as zhao.desk deposit take --unit 1-1-101 --kind key --amount 100 --reason 钥匙 --evidence K-1 --again \
	--format jsonl
expect_out '"deposit":2,.*"held_fen":20000,.*"outcome":"recorded"' "--again takes a second on purpose"
run pm-bill --as qian.desk deposit take --unit 1-1-101 --kind key --amount 100 --reason 钥匙 --evidence K-1 --format jsonl
expect_out '"deposit":3,.*"outcome":"recorded"' "another cashier's is their own"
run pm-bill --as zhao.desk deposit take --unit 1-1-101 --kind key --amount 100 --channel wechat --reason 钥匙 \
	--evidence K-1 --format jsonl
expect_out '"deposit":4,.*"channel":"wechat",.*"outcome":"recorded"' "another channel is another movement"
run pm-bill --as zhao.desk deposit take --unit 1-1-101 --kind key --amount 100 --reason 钥匙 --evidence K-2 --format jsonl
expect_out '"deposit":5,.*"evidence":"K-2",.*"outcome":"recorded"' "other evidence (another key) is another movement"
PM_NOW=2026-12-15T09:20:01+08:00 run pm-bill --as zhao.desk deposit take --unit 1-1-101 --kind key --amount 100 \
	--reason 钥匙 --evidence K-1 --format jsonl
expect_out '"deposit":6,.*"outcome":"recorded"' "past the window it is a new one"
expect_eq "$(held)" "6:60000" "six deposits of 100.00"
run pm-bill --as li.finance deposit refund --unit 1-1-101 --kind key --amount 30 --reason 退 --evidence K-1 --format jsonl
expect_out '"action":"refund",.*"held_fen":57000,.*"outcome":"recorded"' "30.00 given back"
run pm-bill --as li.finance deposit refund --unit 1-1-101 --kind key --amount 30 --reason 退 --evidence K-1 --format jsonl
expect_out '"action":"refund",.*"held_fen":57000,.*"outcome":"duplicate"' "given back once, though typed twice"
run pm-bill --as zhao.desk deposit take --unit 1-1-101 --kind key --amount 100 --reason 钥匙 --evidence K-1 --ref D9 --again
expect_rc 2 "--again with --ref"
expect_err "--again is for a movement without --ref: a ref tells movements apart" "is a usage error"

run pm-bill contract add --party 广告公司 --kind income --object 电梯广告 --from 2026-01-01 --to 2026-12-31 \
	--amount 1000 --every quarter
run pm-bill contract run
run pm-bill contract pay 1 --amount 500 --channel bank --format jsonl
expect_out '"contract":1,.*"amount_fen":50000,"channel":"bank","ref":null,.*"outcome":"recorded"' "500.00 received for the contract"
run pm-bill contract pay 1 --amount 500 --channel bank --format jsonl
expect_rc 0 "the same command again"
expect_out '"outcome":"duplicate"' "is the payment again"
run pm-bill contract pay 1 --amount 500 --channel bank --again --format jsonl
expect_out '"outcome":"recorded"' "--again records a second"
run pm-bill contract pay 1 --amount 500 --channel cash --format jsonl
expect_out '"outcome":"recorded"' "another channel is another payment"
expect_eq "$(sql "SELECT count(*) || ':' || sum(amount_fen) FROM contract_charge WHERE kind = 'payment'")" "3:150000" \
	"three payments, 1500.00"
run pm-bill contract pay 1 --amount 1 --channel bank --ref B1 --again
expect_rc 2 "--again with --ref"
expect_err "--again is for a payment without --ref: a ref tells payments apart" "is a usage error"
run pm check
expect_rc 0 "the store checks out"
done_testing
