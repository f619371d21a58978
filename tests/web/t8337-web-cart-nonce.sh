#!/bin/sh
# The group-buy order form sent again with its one-time nonce made a new
# cart, and a new hold on the stock, each time: five sends held all ten
# boxes, and no other household could order. The nonce is kept with the
# cart it made: the same form sent again answers 303 to that cart, one
# cart and one audit record, holding two boxes; a form of its own (a new
# nonce) is a new order; the nonce sent with another quantity, or one
# that is not a form's, is refused (400) and makes nothing.
. "$PM_TOP/tests/web/lib.sh"

web_store
pm-shop merchant M1 --name 鲜果坊 --commission 250 -q >/dev/null
pm-shop offer AP --merchant M1 --title 烟台苹果 --price 39.90 --unit-name 箱 --deadline 2026-12-20 --min-group 2 \
	--stock 10 --pickup-point 东门 --pickup-at 12月22日 -q >/dev/null
web_start

carts() { sql "SELECT count(*) || ' ' || coalesce(sum(qty), 0) FROM shop_cart"; }
nonce() { sed -n 's/.*name="nonce" value="\([0-9a-f]*\)".*/\1/p' "$T/body" | head -1; }

signin owner1
get /shop/AP
t=$(csrf) n=$(nonce)
expect_eq "${#n}" 64 "the form's nonce"
first=
for i in 1 2 3 4 5; do
	post /shop/AP/order "csrf=$t" unit=1-1-101 qty=2 points=0 "nonce=$n"
	expect_code 303 "send $i of the form: 303"
	[ -n "$first" ] || first=$(cart_of)
	expect_eq "$(cart_of)" "$first" "to the same order $first"
done
expect_eq "$(carts)" "1 2" "one cart, holding two boxes"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'shop.cart'")" 1 "audited once"
expect_eq "$(sql "SELECT nonce FROM shop_cart")" "$n" "the cart keeps the form's nonce"
post /shop/AP/order "csrf=$t" unit=1-1-101 qty=3 points=0 "nonce=$n"
expect_code 400 "the nonce with another quantity"
expect_body '这张订单表单已提交过，用于另一笔订单：请重新打开表单' "is refused, saying to load the form again"
post /shop/AP/order "csrf=$t" unit=1-1-101 qty=2 points=0 nonce=zz
expect_code 400 "a nonce that is no form's"
expect_body '订单表单的一次性编号须为 16 至 64 位十六进制数字' "is refused, saying so"
expect_eq "$(carts)" "1 2" "neither made a cart"

signin owner2
get /shop/AP
expect_body '仅剩 8 箱' "another household sees eight boxes left"
post /shop/AP/order unit=1-1-102 qty=1 points=0 "nonce=$(nonce)"
expect_code 303 "and orders one with a form of its own"
second=$(cart_of)
if [ -n "$second" ] && [ "$second" != "$first" ]; then _report 1 "a new order"; else _report 0 "a new order"; fi
expect_eq "$(carts)" "2 3" "two carts, three boxes held"
run pm check -q
expect_rc 0 "pm check"
done_testing
