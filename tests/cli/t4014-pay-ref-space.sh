#!/bin/sh
# pm-bill pay, reconcile and the web's callbacks trim the white space
# around a ref before comparing it ("WX1 " and "WX1" are one payment);
# the other paths took --ref as given, so " D1" and "D1 " beside "D1"
# were a second and a third deposit of the same money (held 60.00 for
# one key deposit of 20.00), a second and third paid order. A ref with a
# space at its start or end is refused there (exit 65, nothing written);
# pm-bill pay still trims it.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/shop/shop.sh"
. "$PM_TOP/tests/cli/pay/refs.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

ref_community
expect_rc 0 "November billed and issued"
pm-shop merchant M1 --name 鲜果坊 --commission 100 -q >/dev/null
pm-shop offer BB --merchant M1 --title 梨 --price 10 --unit-name 箱 --deadline 2026-12-20 --stock 10 \
	--pickup-point 东门 --pickup-at 12月22日 -q >/dev/null
msg='a space at its start or end: a reference has none around it'

run pm-bill deposit take --unit 1-1-101 --kind key --amount 20 --reason 钥匙 --evidence k1 --ref D1
expect_rc 0 "a key deposit of 20.00, ref D1"
for r in ' D1' 'D1 '; do
	run pm-bill deposit take --unit 1-1-101 --kind key --amount 20 --reason 钥匙 --evidence k1 --ref "$r"
	expect_rc 65 "the same with ref '$r'"
	expect_err "^pm-bill: --ref: $msg\$" "is refused"
done
expect_eq "$(sql "SELECT count(*) || ' ' || sum(amount_fen) FROM deposit")" "1 2000" "one deposit of 20.00"

run pm-shop order --offer BB --unit 1-1-102 --qty 1 --channel wechat --ref S1
expect_rc 0 "an order paid with ref S1"
run pm-shop order --offer BB --unit 1-1-102 --qty 1 --channel wechat --ref ' S1'
expect_rc 65 "the same order with ref ' S1'"
expect_err "^pm-shop: --ref: $msg\$" "is refused"
expect_eq "$(sql "SELECT count(*) || ' ' || sum(amount_fen) FROM shop_order")" "1 1000" "one order of 10.00"

# Each path that takes a ref as given, with a space after it.
ref_refused_everywhere 'X1 ' "$msg\$" 2

# pm-bill pay trims, as it always has: one payment, the next a duplicate.
run pm-bill pay --unit 1-1-101 --amount 1 --channel wechat --ref ' W1 '
expect_rc 0 "pm-bill pay --ref ' W1 '"
expect_out '"ref":"W1",.*"outcome":"recorded"' "is W1"
feed '{"unit":"1-1-101","amount":"1.00","channel":"wechat","ref":"W1 "}\n' pm-bill pay --format jsonl -
expect_rc 0 "a file's 'W1 '"
expect_out '"ref":"W1",.*"outcome":"duplicate"' "is the same payment"
expect_eq "$(sql "SELECT count(*) || ' ' || sum(amount_fen) FROM payment")" "1 100" "one payment of 1.00"
done_testing
