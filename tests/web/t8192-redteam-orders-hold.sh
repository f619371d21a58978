#!/bin/sh
# Red team: "我的订单" (/orders) tells a web order's hold as its pay page
# does. It said "待支付 去支付" alike for an order whose boxes and points
# are kept until 09:30 and for one whose hold lapsed (a payment then may
# be refused and refunded); only /cart/NO told them apart. Found by
# reading pm_page_orders beside pm_page_cart (issue 20's note left it
# open: /orders does not show a hold's state).
. "$PM_TOP/tests/web/lib.sh"

web_store
{ cat "$PM_TOP/share/pm/examples/pm.yaml"; printf 'shop:\n  cart_hold: 30m\n'; } >"$T/pm.yaml"
pm config apply -q "$T/pm.yaml" || echo "not ok - the config with shop.cart_hold"
pm-shop merchant M1 --name 鲜果坊 --commission 250 -q >/dev/null
pm-shop offer AP --merchant M1 --title 烟台苹果 --price 39.90 --unit-name 箱 --deadline 2026-12-20 --min-group 1 \
	--stock 3 --pickup-point 东门 --pickup-at 12月22日 -q >/dev/null
web_start

signin owner1
get /shop/AP
post /shop/AP/order unit=1-1-101 qty=2 points=0
expect_code 303 "owner1 orders two boxes at 09:00"
c1=$(cart_of)
get /orders
expect_code 200 "owner1's orders"
expect_body "<p class=\"state\">待支付，已为您保留至 <span class=\"hold\">2026-12-01 09:30</span> <a href=\"/pm/cart/$c1\">去支付</a></p>" \
	"say the order is kept until 09:30"

web_stop
PM_NOW=2026-12-01T09:30:00+08:00
export PM_NOW
web_start
signin owner1
get /orders
expect_body "<p class=\"state\">待支付，<span class=\"hold lapsed\">保留已过期</span> <a href=\"/pm/cart/$c1\">去支付</a></p>" \
	"at 09:30 they say its hold lapsed"
get "/cart/$c1"
expect_body '保留已过期' "as its pay page does"

# Paid, it is an order: nothing held is said of it.
body="{\"order\":\"$c1\",\"amount\":\"79.80\",\"ref\":\"WX-H1\"}"
wechat_callback "$body"
expect_code 200 "its payment comes at 09:30"
get /orders
expect_body '<p class="state">已支付，等待成团</p>' "it is paid, waiting for the group"
expect_eq "$(grep -c '保留' "$T/body")" 0 "and no hold is told"
done_testing
