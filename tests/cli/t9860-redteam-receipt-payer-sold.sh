#!/bin/sh
# A receipt names who paid: the unit's owners (else its tenants) on the
# day of the payment, not on the day it is printed. A unit sold (pm unit
# transfer) after its old owner paid printed the old owner's receipt,
# 1,000.00 of prepaid money among it, with the new owner as 交款人.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-09-03T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"100","delivered":"2020-01-01"}\n' pm unit import
feed '{"code":"P1","name":"张伟","unit":"1-1-101","role":"owner"}
{"code":"P7","name":"赵强"}\n' pm person import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
fees:
  - {name: property, label: 物业费, type: per_area, prices: {residential: 2.5}}
Y
run pm config apply pm.yaml
run pm-bill run --period 2026-08
run pm-bill issue --period 2026-08
run pm-bill pay --unit 1-1-101 --amount 1250 --channel wechat --ref WX1 --format jsonl
expect_out '"payment":1,.*"allocated_fen":25000,"prepaid_fen":100000' "张伟 pays August and 1,000.00 ahead"

PM_NOW=2026-11-10T09:00:00+08:00 run pm unit transfer 1-1-101 --to P7 --at 2026-11-10 --format jsonl
expect_out '"prepaid":"carried"' "sold to 赵强 on 10 November, the balance carried"
PM_NOW=2026-11-10T10:00:00+08:00 run pm-bill pay --unit 1-1-101 --amount 20 --channel cash --ref C1 --format jsonl
expect_rc 0 "赵强 pays on the day he takes the unit"

PM_NOW=2026-11-20T09:00:00+08:00 run pm-bill receipt 1 --format jsonl
expect_rc 0 "the September payment's receipt, printed after the sale"
expect_out '"payer":"张伟","channel":"wechat","ref":"WX1","amount_fen":125000,' "names 张伟, who paid"
PM_NOW=2026-11-20T09:00:00+08:00 run pm-bill receipt 1 --output -
expect_out '<th>交款人</th><td>张伟</td>' "and so does the printed receipt"
PM_NOW=2026-11-20T09:00:00+08:00 run pm-bill receipt 2 --format jsonl
expect_out '"payer":"赵强","channel":"cash","ref":"C1",' "the new owner's payment names him"
done_testing
