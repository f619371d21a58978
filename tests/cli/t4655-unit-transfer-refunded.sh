#!/bin/sh
# pm unit transfer refunding the prepaid balance refunds it as pm-bill
# refund does: from the unit's payments, newest first, each marked
# refunded by what it gave. The transfer posted the refund to the ledger
# and left every payment reading as not refunded at all, so the same money
# could be refunded again (found by the red team).
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
run pm-bill run --period 2026-11
run pm-bill issue --period 2026-11
# The bill is 200.00: WX1 pays it and 50.00 more, WX2 30.00 more, all prepaid.
feed '{"unit":"1-1-101","amount":"250","channel":"wechat","ref":"WX1","at":"2026-12-01T10:00:00+08:00"}
{"unit":"1-1-101","amount":"30","channel":"alipay","ref":"AL2","at":"2026-12-02T10:00:00+08:00"}\n' pm-bill pay -
expect_rc 0 "two payments"
refunded() { sql "SELECT ref || ' ' || amount_fen || ' ' || refunded_fen FROM payment ORDER BY id" | tr '\n' ' '; }

run pm unit transfer 1-1-101 --to P2 --at 2026-12-16 --format jsonl
expect_rc 0 "the transfer"
expect_out '"prepaid_fen":8000,"prepaid":"refunded","refunds":\[\{"payment":2,"amount_fen":3000\},\{"payment":1,"amount_fen":5000\}\],' \
	"80.00 refunded: AL2's 30.00 whole, the newest first, then 50.00 of WX1"
expect_eq "$(refunded)" "WX1 25000 5000 AL2 3000 3000 " "each payment reads as refunded by what it gave, to the fen"
expect_eq "$(sql "SELECT j.ref || ' ' || j.memo || ' ' || p.account || ' ' || p.amount_fen FROM journal j JOIN posting p ON p.journal_id = j.id WHERE j.kind = 'refund' ORDER BY j.id, p.account" | tr '\n' ' ')" \
	"payment:2 过户 cash:bank -3000 payment:2 过户 prepaid:1-1-101 3000 payment:1 过户 cash:bank -5000 payment:1 过户 prepaid:1-1-101 5000 " \
	"the ledger's refunds are the payments', paid out through billing.transfer's channel"
expect_eq "$(sql "SELECT coalesce(sum(amount_fen), 0) FROM posting WHERE account = 'prepaid:1-1-101'")" "0" "nothing prepaid is left"
expect_eq "$(sql "SELECT json_extract(after, '$.refunds') FROM audit WHERE action = 'unit.transfer'")" \
	'[{"amount_fen":3000,"payment":2},{"amount_fen":5000,"payment":1}]' "the audit record lists them"
run pm-report collection --period 2026-12 --section received --format csv
expect_eq "$(tr -d '\r' <"$T/out")" 'channel,payments,received_fen,to_bills_fen,prepaid_fen,refunded_fen
alipay,1,3000,0,3000,0
bank,0,0,0,0,8000
wechat,1,25000,20000,5000,0
total,2,28000,20000,8000,8000' "the receipts report shows the 80.00 refunded (AL2's 30.00 and 50.00 of WX1)"
expect_out '^bank,0,0,0,0,8000' "out of the bank, billing.transfer's channel, where the money left"
run pm check
expect_rc 0 "pm check passes"

# The new owner prepays; the old owner's money, given back, is not given again.
run pm-bill pay --unit 1-1-101 --amount 100 --channel wechat --ref WX3
run pm-bill refund 2 --amount 30 --reason again
expect_rc 1 "AL2, refunded whole at the transfer, refunds nothing more"
expect_err "^pm-bill: payment 2 has only 0.00 left to refund$" "saying none of it is left"
# WX1's 200.00 paid the bill and its 50.00 beyond was given back: the
# 100.00 prepaid now is WX3's, the new owner's, and none of it goes to the
# old owner through WX1 (it did: WX1 "had 200.00 left", its amount less
# what was refunded, and the balance covered 100.00).
run pm-bill refund 1 --amount 100 --reason again
expect_rc 1 "WX1 refunds nothing of the new owner's money"
expect_err "^pm-bill: payment 1 has only 0.00 left to refund: 200.00 of it paid bills$" "saying where its money went"
run pm-bill refund 1 --amount 0.01 --reason again
expect_rc 1 "not a fen of it"
run pm-bill refund 1 --amount 100.01 --reason again
expect_rc 1 "nor more than the unit holds"
expect_err "^pm-bill: unit '1-1-101' has only 100.00 prepaid: credit the bills first$" "saying what it holds"
expect_eq "$(refunded)" "WX1 25000 5000 AL2 3000 3000 WX3 10000 0 " "nothing changed"
expect_eq "$(sql "SELECT coalesce(sum(amount_fen), 0) FROM posting WHERE account = 'prepaid:1-1-101'")" "-10000" \
	"the new owner's 100.00 is still prepaid"
run pm-bill refund 3 --amount 40 --reason 多缴 --format jsonl
expect_rc 0 "WX3, the new owner's, refunds from it"
expect_out '"type":"refund","payment":3,"unit":"1-1-101","amount_fen":4000,' "40.00"
expect_eq "$(refunded)" "WX1 25000 5000 AL2 3000 3000 WX3 10000 4000 " "marked on WX3"
run pm check
expect_rc 0 "and the store is sound"

# A payment whose refunded_fen disagrees with the ledger (a transfer made
# by an older pm left 0): pm check says so.
sql "UPDATE payment SET refunded_fen = 0 WHERE id = 2"
run pm check --format jsonl
expect_rc 1 "pm check fails"
expect_out '"check":"payment.refunded","problem":"payment 2: 0 fen refunded, the ledger.s refunds of it 3000 fen"' \
	"naming the payment and both amounts"
done_testing
