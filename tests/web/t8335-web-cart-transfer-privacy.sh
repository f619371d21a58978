#!/bin/sh
# After a sale (pm unit transfer) the buyer could read the seller's
# group-buy order page /cart/NO: the cart was checked only against who
# may order for the unit now. A cart is of its owner's time in the unit,
# as /orders lists: the buyer is refused the seller's cart (403, said as
# another owner's is), sees their own, and the seller, moved out, no
# longer sees the unit's.
. "$PM_TOP/tests/web/lib.sh"

web_store
pm-shop merchant M1 --name 鲜果坊 --commission 250 -q >/dev/null
pm-shop offer AP --merchant M1 --title 烟台苹果 --price 39.90 --unit-name 箱 --deadline 2026-12-20 --min-group 1 \
	--stock 10 --pickup-point 东门 --pickup-at 12月22日 -q >/dev/null
PM_NOW=2026-12-02T09:00:00+08:00
web_start

signin owner1
get /shop/AP
post /shop/AP/order unit=1-1-101 qty=3 points=0
expect_code 303 "the seller orders 3 boxes"
seller=$(cart_of)
b="{\"order\":\"$seller\",\"amount\":\"119.70\",\"ref\":\"WX-C1\"}"
wechat_callback "$b"
expect_code 200 "and pays for them"
get "/cart/$seller"
expect_code 200 "the seller's cart, before the sale"
web_stop

PM_NOW=2026-12-05T09:00:00+08:00 run pm unit transfer 1-1-101 --to P3 --at 2026-12-05 --settle
expect_rc 0 "1-1-101 sold to 王芳 (owner3) from 5 December"
PM_NOW=2026-12-06T09:00:00+08:00
web_start

signin owner2
get "/cart/$seller"
expect_code 403 "another owner is refused the seller's cart"
other=$(grep -o '<p class="note[^<]*<' "$T/body" | sed 's/owner2/OWNER/')

signin owner3
get "/cart/$seller"
expect_code 403 "the buyer is refused the seller's cart"
expect_body "没有您的订单“$seller”" "as one not theirs"
expect_eq "$(grep -o '<p class="note[^<]*<' "$T/body" | sed 's/owner3/OWNER/')" "$other" "said as another owner's is"
if grep -q '¥119\.70' "$T/body"; then _report 0 "nothing of it shown"; else _report 1 "nothing of it shown"; fi
get /shop/AP
post /shop/AP/order unit=1-1-101 qty=1 points=0
expect_code 303 "the buyer orders a box"
buyer=$(cart_of)
get "/cart/$buyer"
expect_code 200 "and sees their own cart"
expect_body '¥39\.90' "of one box"
expect_eq "$(sql "SELECT count(*) FROM shop_cart c JOIN unit u ON u.id = c.unit_id WHERE u.code = '1-1-101'")" 2 \
	"both carts are in the store"

signin owner1
get "/cart/$seller"
expect_code 403 "the seller, moved out, no longer sees the unit's cart"
done_testing
