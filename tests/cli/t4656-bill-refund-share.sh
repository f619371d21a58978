#!/bin/sh
# A refund gives back a payment's share of the unit's prepaid balance:
# bills take the oldest prepaid money first, so what is left is the
# newest payments', each up to what it paid beyond its bills. pm-bill
# refund took "what is left of a payment" as its amount less refunds, so a
# payment whose money had paid bills was refunded out of a later one's
# prepaid money (an old owner's out of a new owner's); a transfer's refund
# was set against the newest payment whatever it had paid.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-15T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"80","delivered":"2020-01-01"}\n' pm unit import
feed '{"code":"P1","name":"王芳","unit":"1-1-101","role":"owner"}
{"code":"P2","name":"赵强"}\n' pm person import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
fees:
  - {name: property, label: 物业费, type: per_area, prices: {residential: 2.5}}
billing:
  transfer: {prepaid: refund, deposits: carry, channel: bank}
Y
run pm config apply pm.yaml
run pm-bill run --period 2026-10
run pm-bill run --period 2026-11
run pm-bill issue --period 2026-10
run pm-bill issue --period 2026-11
refunded() { sql "SELECT ref || ' ' || amount_fen || ' ' || refunded_fen FROM payment ORDER BY id" | tr '\n' ' '; }
prepaid() { sql "SELECT coalesce(sum(amount_fen), 0) FROM posting WHERE account = 'prepaid:1-1-101'"; }

# Two bills of 200.00: WX1 pays October's and 80.00 beyond it, AL2 pays
# November's and nothing beyond: the 80.00 prepaid is WX1's.
feed '{"unit":"1-1-101","amount":"280","channel":"wechat","ref":"WX1","bill":"B-2026-10-1-1-101","at":"2026-12-01T10:00:00+08:00"}
{"unit":"1-1-101","amount":"200","channel":"alipay","ref":"AL2","bill":"B-2026-11-1-1-101","at":"2026-12-02T10:00:00+08:00"}\n' pm-bill pay -
expect_rc 0 "two payments"
expect_eq "$(prepaid)" "-8000" "80.00 prepaid"
run pm-bill refund 2 --amount 0.01 --reason 误退
expect_rc 1 "AL2 paid a bill with all of it: nothing to refund"
expect_err "^pm-bill: payment 2 has only 0.00 left to refund: 200.00 of it paid bills$" "saying so"
run pm-bill refund 1 --amount 80.01 --reason 多缴
expect_rc 1 "WX1 no more than its 80.00"
expect_err "^pm-bill: unit '1-1-101' has only 80.00 prepaid: credit the bills first$" "which is all the unit holds"
expect_eq "$(refunded)" "WX1 28000 0 AL2 20000 0 " "nothing refunded"

# The owner sells: the 80.00 goes back as WX1's, not the newest AL2's.
run pm unit transfer 1-1-101 --to P2 --at 2026-12-16 --format jsonl
expect_rc 0 "the transfer"
expect_out '"prepaid_fen":8000,"prepaid":"refunded","refunds":\[\{"payment":1,"amount_fen":8000\}\],' \
	"80.00 refunded, all of it WX1's"
expect_eq "$(refunded)" "WX1 28000 8000 AL2 20000 0 " "WX1 reads as refunded 80.00, AL2 as nothing"
expect_eq "$(prepaid)" "0" "nothing prepaid is left"

# The new owner prepays 50.00, then 30.00: neither old payment refunds any of it.
PM_NOW=2026-12-20T09:00:00+08:00
feed '{"unit":"1-1-101","amount":"50","channel":"wechat","ref":"WX3","at":"2026-12-17T10:00:00+08:00"}
{"unit":"1-1-101","amount":"30","channel":"cash","ref":"C4","at":"2026-12-18T10:00:00+08:00"}\n' pm-bill pay -
expect_rc 0 "the new owner's payments"
for p in 1 2; do
	run pm-bill refund $p --amount 10 --reason 再退
	expect_rc 1 "payment $p refunds none of the new owner's money"
done
expect_err "^pm-bill: payment 2 has only 0.00 left to refund: 200.00 of it paid bills$" "AL2 says where its money went"
run pm-bill refund 3 --amount 50 --reason 多缴 --format jsonl
expect_rc 0 "WX3 refunds its own 50.00"
expect_out '"type":"refund","payment":3,"unit":"1-1-101","amount_fen":5000,' "to the fen"
run pm-bill refund 4 --amount 30.01 --reason 多缴
expect_rc 1 "C4 no more than the 30.00 left"
expect_eq "$(refunded)" "WX1 28000 8000 AL2 20000 0 WX3 5000 5000 C4 3000 0 " "each payment as refunded"
expect_eq "$(prepaid)" "-3000" "C4's 30.00 is still prepaid"
run pm check
expect_rc 0 "the store is sound"
done_testing
