#!/bin/sh
# 每户限购 on the web: an offer made with --per-unit 2 says so on /shop
# and its page ("限购 每户 2 箱"), its order form asks for at most 2, and
# an owner's orders beyond it are refused (400, no cart) saying what the
# unit has ordered and holds, an unpaid order counted: so no owner holds
# the stock by ordering again and again. The order within it is taken;
# another owner has their own two; an offer without a limit shows none.
. "$PM_TOP/tests/web/lib.sh"

web_store
pm-shop merchant M1 --name 鲜果坊 --commission 250 -q >/dev/null
pm-shop offer AP --merchant M1 --title 烟台苹果 --price 39.90 --unit-name 箱 --deadline 2026-12-20 --min-group 1 \
	--stock 10 --per-unit 2 --pickup-point 东门 --pickup-at 12月22日 -q >/dev/null
pm-shop offer EGG --merchant M1 --title 土鸡蛋 --price 0.25 --unit-name 个 --deadline 2026-12-20 --min-group 1 \
	--stock 100 --pickup-point 东门 --pickup-at 12月22日 -q >/dev/null
web_start

carts() { sql "SELECT count(*) || ' ' || coalesce(sum(qty), 0) FROM shop_cart"; }

signin owner1
get /shop
expect_code 200 "the shop"
expect_body '<dd class="left">10 箱</dd><dt>限购</dt><dd class="per-unit">每户 2 箱</dd><dt>自提</dt>' \
	"AP says two a household"
expect_eq "$(grep -c 'class="per-unit"' "$T/body")" 1 "EGG, without a limit, says none"
get /shop/AP
expect_body '<input name="qty" type="number" min="1" max="2" value="1" required>' "the form asks for at most two"
post /shop/AP/order unit=1-1-101 qty=3 points=0
expect_code 400 "three boxes"
expect_body '房屋“1-1-101”在团购“AP”每户限购 2 份：已订 0 份，待付款订单占用 0 份，还可订 2 份，不足 3 份' \
	"are refused, saying two may be had"
expect_eq "$(carts)" "0 0" "no cart"
get /shop/AP
post /shop/AP/order unit=1-1-101 qty=2 points=0
expect_code 303 "two boxes are taken, to pay"
expect_eq "$(carts)" "1 2" "a cart of two, holding them"
get /shop/AP
post /shop/AP/order unit=1-1-101 qty=1 points=0
expect_code 400 "one more while the two are unpaid"
expect_body '房屋“1-1-101”在团购“AP”每户限购 2 份：已订 0 份，待付款订单占用 2 份，还可订 0 份，不足 1 份' \
	"is refused: the unpaid order holds two"
expect_eq "$(carts)" "1 2" "still one cart"

signin owner2
get /shop/AP
post /shop/AP/order unit=1-1-102 qty=2 points=0
expect_code 303 "owner2 has their own two"
expect_eq "$(carts)" "2 4" "two carts, four boxes held"
get /shop/EGG
expect_body '<input name="qty" type="number" min="1" max="100" value="1" required>' "EGG: as many as are left"
run pm check -q
expect_rc 0 "pm check"
done_testing
