#!/bin/sh
# Group buying on the web: owners see the open offers, order for their
# own unit with points off, pay through the channel's signed callback
# (recorded once, to the fen), follow their orders through a group that
# forms and one that fails (its refund shown); the desk's pickup list by
# building and its pickups. Every amount checked in the store.
. "$PM_TOP/tests/web/lib.sh"

web_store
pm-shop merchant M1 --name 鲜果坊 --commission 250 -q >/dev/null
pm-shop offer AP --merchant M1 --title 烟台苹果 --price 39.90 --unit-name 箱 --deadline 2026-12-20 --min-group 2 \
	--stock 10 --pickup-point 东门快递柜旁 --pickup-at "12月22日 18:00-20:00" -q >/dev/null
pm-shop offer VEG --merchant M1 --title 有机蔬菜 --price 12.50 --unit-name 份 --deadline 2026-12-20 --min-group 3 \
	--stock 100 --pickup-point 物业前台 --pickup-at 12月21日 -q >/dev/null
# 1-1-101's first online payment earns it 50 points.
pm-bill pay --unit 1-1-101 --amount 1 --channel alipay --ref AL-BILL1 -q >/dev/null
pm-bill rewards -q --as-of 2026-12-01 >/dev/null
web_start

orders() { sql "SELECT count(*) FROM shop_order"; }

signin owner1
get /shop
expect_code 200 "owner1 opens the shop"
expect_body '<a href="/pm/shop">团购</a>' "which the menu names"
expect_body '<a href="/pm/orders">我的订单</a>' "beside my orders"
expect_body '<a href="/pm/shop/AP">烟台苹果</a>' "offer AP is listed"
expect_body '¥39.90<span class="muted"> / 箱</span>' "with its price and unit"
expect_body '<dd class="group">0/2 户</dd><dt>剩余</dt><dd class="left">10 箱</dd><dt>自提</dt><dd>东门快递柜旁 · 12月22日 18:00-20:00</dd>' \
	"none of the two households yet, ten boxes left, the pickup point and time"
expect_body '<dt>截止</dt><dd>2026-12-20 00:00</dd>' "and the deadline"
get /shop/AP
expect_code 200 "the offer's page"
expect_body '<option value="1-1-101">1-1-101（积分 50）</option>' "the order form offers owner1's unit with its 50 points"
expect_eq "$(grep -c '<option' "$T/body")" 1 "and no other unit"

# An order: 3 boxes = 119.70, 50 points off, 119.20 to pay. A price or an
# amount in the form is not read.
post /shop/AP/order unit=1-1-101 qty=3 points=50 price=0.01 amount=0.01
expect_code 303 "the order is taken"
cart=$(cart_of)
expect_eq "$(sql "SELECT u.code || ' ' || c.qty || ' ' || c.amount_fen || ' ' || c.points || ' ' || c.login || ' ' || coalesce(c.order_id, '-')
	FROM shop_cart c JOIN unit u ON u.id = c.unit_id WHERE c.no = '$cart'")" "1-1-101 3 11970 50 owner1 -" \
	"a cart of 11970 fen priced from the store, 50 points, not yet an order"
expect_eq "$(orders)" 0 "no order before the payment"
get "/cart/$cart"
expect_code 200 "its pay page"
expect_body '<td class="num amount">¥119.70</td>' "the amount"
expect_body '<td>积分抵扣 50</td><td class="num points">-¥0.50</td>' "the points off"
expect_body '<td class="num pay">¥119.20</td>' "what is left to pay"
expect_body "付款时请备注订单号 <b class=\"cart\">$cart</b>，金额 <b class=\"pay\">¥119.20</b>" "the channel, with the order's number"

wechat_callback "{\"order\":\"$cart\",\"amount\":\"119.20\",\"ref\":\"WX-S1\"}"
expect_code 200 "the channel's callback for the order"
expect_body '"outcome":"recorded"' "records it"
expect_body "\"cart\":\"$cart\"" "naming the cart"
expect_eq "$(sql "SELECT o.id || ' ' || u.code || ' ' || o.qty || ' ' || o.amount_fen || ' ' || o.points || ' ' || o.channel || ' ' || o.ref || ' ' || o.state
	FROM shop_order o JOIN unit u ON u.id = o.unit_id")" "1 1-1-101 3 11970 50 wechat WX-S1 paid" "order 1: 11970 fen, 50 in points, paid"
expect_eq "$(sql "SELECT order_id FROM shop_cart WHERE no = '$cart'")" 1 "the cart is order 1's"
expect_eq "$(sql "SELECT p.account || ':' || p.amount_fen FROM posting p JOIN journal j ON j.id = p.journal_id WHERE j.kind = 'shop_order' ORDER BY p.journal_id, p.account" | tr '\n' ' ')" \
	"cash:wechat:11920 expense:points:50 merchant:M1:-11970 " "the ledger: 11920 in cash, 50 in points, 11970 owed to the merchant"
expect_eq "$(sql "SELECT kind || ' ' || points FROM points_use")" "spend 50" "the points spent"
expect_eq "$(sql "SELECT actor FROM audit WHERE action = 'shop.order'")" "callback:wechat" "audited for the channel"
wechat_callback "{\"order\":\"$cart\",\"amount\":\"119.20\",\"ref\":\"WX-S1\"}"
expect_code 200 "the same callback again"
expect_body '"outcome":"duplicate"' "is a duplicate"
expect_eq "$(orders) $(sql 'SELECT count(*) FROM points_use')" "1 1" "and records nothing"
get "/cart/$cart"
expect_body '本订单已支付' "the pay page says it is paid"
expect_eq "$(grep -c 'class="pay"' "$T/body")" 0 "and offers no channel"

# Owner 2: VEG and AP; owner 1: VEG. AP forms (two households), VEG fails.
pay_new() { # OFFER UNIT QTY REF: an order on the web and its callback
	post "/shop/$1/order" "unit=$2" "qty=$3" points=0
	_c=$(cart_of)
	_fen=$(sql "SELECT amount_fen - points FROM shop_cart WHERE no = '$_c'")
	wechat_callback "{\"order\":\"$_c\",\"amount\":\"$(printf '%d.%02d' $((_fen / 100)) $((_fen % 100)))\",\"ref\":\"$4\"}"
}
get /shop/VEG
pay_new VEG 1-1-101 1 WX-S2
expect_code 200 "owner1 pays one VEG"
signin owner2
get /shop/AP
pay_new AP 1-1-102 1 WX-S3
expect_code 200 "owner2 pays one AP"
get /shop/VEG
pay_new VEG 1-1-102 2 WX-S4
expect_code 200 "owner2 pays two VEG"
expect_eq "$(sql "SELECT group_concat(amount_fen || '/' || points, ' ') FROM shop_order")" "11970/50 1250/0 3990/0 2500/0" \
	"four orders to the fen"
get /shop
expect_body '<dd class="group">2/2 户</dd><dt>剩余</dt><dd class="left">6 箱</dd>' "AP: two households of two, six boxes left"
get /shop/VEG
post /shop/VEG/order unit=1-1-102 qty=1
stale=$(cart_of)
expect_eq "$(sql "SELECT count(*) FROM shop_cart WHERE order_id IS NULL")" 1 "a cart owner2 never pays"

# The deadline passes: the offers, not yet closed, take no more orders.
web_stop
PM_NOW=2026-12-20T09:00:00+08:00
export PM_NOW
web_start
signin owner2
get /shop
expect_eq "$(grep -c 'class="offer"' "$T/body")" 0 "past the deadline no offer is listed to owners"
get /shop/AP
expect_code 200 "the offer's page is still there"
expect_eq "$(grep -c '/shop/AP/order' "$T/body")" 0 "without its order form"
get "/cart/$stale"
expect_body '本团购已截止' "an unpaid order's page offers no payment"
get /orders
expect_body '<p class="state">未支付，已失效</p>' "and my orders say it lapsed"

# The office closes both offers.
web_stop
PM_NOW=2026-12-21T09:00:00+08:00
export PM_NOW
pm-shop close AP -q >/dev/null
pm-shop close VEG -q >/dev/null
web_start
expect_eq "$(sql "SELECT group_concat(o.state || ':' || o.refunded_fen || ':' || o.points_returned, ' ') FROM shop_order o")" \
	"confirmed:0:0 refunded:1250:0 confirmed:0:0 refunded:2500:0" "AP formed, VEG failed with every payment refunded"

signin owner1
get /orders
expect_code 200 "owner1's orders"
expect_body '<li class="order confirmed"><h2>烟台苹果</h2><p class="muted">1-1-101 · 3 箱</p><p class="money">金额 ¥119.70 · 积分 50 · 实付 ¥119.20</p><p class="state">已成团，待提货（已提 0）：东门快递柜旁 · 12月22日 18:00-20:00</p></li>' \
	"AP formed: to pick up at the east gate, 119.70 less 50 points"
expect_body '<li class="order refunded"><h2>有机蔬菜</h2><p class="muted">1-1-101 · 1 份</p><p class="money">金额 ¥12.50 · 积分 0 · 实付 ¥12.50</p><p class="state">未成团，已退款 ¥12.50，退回积分 0</p></li>' \
	"VEG failed: refunded 12.50"
expect_eq "$(grep -c '1-1-102' "$T/body")" 0 "nothing of owner2's"
get /shop
expect_eq "$(grep -c 'class="offer"' "$T/body")" 0 "no open offer left to list"
signin owner2
get /orders
expect_body '<p class="muted">1-1-102 · 2 份</p><p class="money">金额 ¥25.00 · 积分 0 · 实付 ¥25.00</p><p class="state">未成团，已退款 ¥25.00，退回积分 0</p>' "owner2's two VEG refunded: 25.00"
expect_body '<li class="order pending"><h2>有机蔬菜</h2><p class="muted">1-1-102 · 1 份</p><p class="money">金额 ¥12.50 · 积分 0 · 实付 ¥12.50</p><p class="state">未支付，已失效</p></li>' \
	"the cart never paid has lapsed"
get "/cart/$stale"
expect_body '本团购已截止' "its pay page offers no payment"
wechat_callback "{\"order\":\"$stale\",\"amount\":\"12.50\",\"ref\":\"WX-LATE\"}"
expect_code 400 "a payment after the offer closed"
expect_body '团购“VEG”的状态是 failed，不是 open' "is refused, saying why"
expect_eq "$(orders)" 4 "and makes no order"
expect_eq "$(sql "SELECT channel || ' ' || ref || ' ' || refused FROM shop_cart WHERE no = '$stale'")" \
	"wechat WX-LATE 团购“VEG”的状态是 failed，不是 open" "the cart keeps the payment and why, for a refund"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'shop.cart_refused' AND object = 'shop_cart:$stale'")" 1 "audited"
ledger_of() { # KIND: the postings of the journal's entries of that kind
	sql "SELECT p.account || ':' || p.amount_fen FROM posting p JOIN journal j ON j.id = p.journal_id
		WHERE j.kind = '$1' ORDER BY p.journal_id, p.account" | tr '\n' ' '
}
expect_eq "$(ledger_of shop_cart_refused)" "cash:wechat:1250 payable:shop_cart:-1250 " \
	"the ledger holds the 12.50 paid for owner2 until it is refunded"
wechat_callback "{\"order\":\"$stale\",\"amount\":\"12.50\",\"ref\":\"WX-LATE\"}"
expect_code 400 "the same late payment told again"
expect_eq "$(ledger_of shop_cart_refused)" "cash:wechat:1250 payable:shop_cart:-1250 " "is held once"
get /orders
expect_body '<li class="order refused"><h2>有机蔬菜</h2>.*<p class="state">付款未能下单，物业将原路退款</p>' "owner2 sees the payment will be refunded"

# The desk: the pickup list by building, two boxes to 1-1-101.
signin desk
get /shop
expect_body '<a href="/pm/shop">团购</a>' "the desk's menu has the shop"
get /shop/AP
expect_body '<a class="button" href="/pm/shop/AP/pickup">提货单</a>' "a formed offer has its pickup list"
get /shop/AP/pickup
expect_code 200 "the pickup list"
expect_body '<h2>1 栋</h2>' "by building"
expect_body '<tr><td>1-1-101</td><td class="num">3</td><td class="num picked">0</td>' "1-1-101: three boxes"
expect_body '<tr><td>1-1-102</td><td class="num">1</td><td class="num picked">0</td>' "1-1-102: one"
post /shop/AP/pickup unit=1-1-101 qty=2
expect_code 303 "two boxes handed out"
expect_eq "$(sql "SELECT picked FROM shop_order WHERE id = 1")" 2 "recorded on order 1"
get /shop/AP/pickup?saved=1
expect_body '<tr><td>1-1-101</td><td class="num">3</td><td class="num picked">2</td>' "the list shows them"
post /shop/AP/pickup unit=1-1-101 qty=2
expect_code 400 "more than is left"
expect_body '房屋“1-1-101”在团购“AP”中待提 1 份，不足 2 份' "is refused"
get /shop/AP/pickup
post /shop/AP/pickup unit=1-1-102 qty=1
expect_code 303 "1-1-102 picks up its box"
signin owner1
get /orders
expect_body '<p class="state">已成团，待提货（已提 2）' "owner1 sees two of three picked up"
signin owner2
get /orders
expect_body '<h2>烟台苹果</h2><p class="muted">1-1-102 · 1 箱</p>.*<p class="state">已提货 1 箱</p>' "owner2's box picked up"

# The refused payment: pm check lists it until the office gives it back.
run pm check --format jsonl
expect_rc 1 "a refused payment not yet refunded"
expect_out "^{\"type\":\"problem\",\"check\":\"shop.cart_refund\",\"problem\":\"cart $stale: its payment of 1250 fen was refused and is not refunded \\(pm-shop refund --pending\\)\"}$" \
	"pm check lists it as pending"
run pm-shop refund --pending --format jsonl
expect_rc 0 "the office refunds what is pending"
expect_out "^{\"type\":\"shop_cart_refund\",\"cart\":\"$stale\",\"unit\":\"1-1-102\",\"offer\":\"VEG\",\"channel\":\"wechat\",\"ref\":\"WX-LATE\",\"refund_fen\":1250,\"outcome\":\"refunded\"}$" \
	"12.50 back to owner2 by wechat"
expect_err "1 refused payments refunded" "one"
expect_eq "$(ledger_of shop_cart_refund)" "cash:wechat:-1250 payable:shop_cart:1250 " "the ledger: 12.50 out by wechat"
signin owner2
get /orders
expect_body '<li class="order refunded"><h2>有机蔬菜</h2><p class="muted">1-1-102 · 1 份</p><p class="money">金额 ¥12.50 · 积分 0 · 实付 ¥12.50</p><p class="state">付款未能下单，已原路退款 ¥12.50</p></li>' \
	"owner2 sees it refunded"
get "/cart/$stale"
expect_body '付款未能下单，已原路退款。' "and so does its pay page"
run pm check -q
expect_rc 0 "pm check: the orders and the ledger agree"
sql "UPDATE shop_cart SET qty = 2 WHERE no = '$cart'"
run pm check --format jsonl
expect_rc 1 "a cart changed behind pm's back"
expect_out "\"check\":\"shop.cart\",\"problem\":\"cart $cart: order 1 is not what it asked for\"" "pm check finds it"
done_testing
