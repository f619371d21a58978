#!/bin/sh
# An order paid wholly in points on the web: no cart and no payment to
# wait for, recorded at once (channel "points", the form's nonce its
# ref), the same form sent twice one order; refused with nothing written
# without its CSRF token, for another's unit, for more points than the
# unit holds, more than the order, without its nonce, and with points
# whose grant expired. Every amount checked in the store.
. "$PM_TOP/tests/web/lib.sh"

web_store
# rewards.expire_days, so that points can expire (20 days).
sed 's/^rewards:$/rewards:\n  expire_days: 20/' "$PM_TOP/share/pm/examples/pm.yaml" >"$T/pm.yaml"
pm config apply -q "$T/pm.yaml" || echo "not ok - the config with expire_days"
pm-shop merchant M1 --name 鲜果坊 --commission 250 -q >/dev/null
pm-shop offer EGG --merchant M1 --title 土鸡蛋 --price 0.25 --unit-name 个 --deadline 2026-12-20 --min-group 2 \
	--stock 10 --pickup-point 物业前台 --pickup-at 12月21日 -q >/dev/null
# 50 points each to 1-1-101 and 1-1-102 for their first online payment.
pm-bill pay --unit 1-1-101 --amount 1 --channel alipay --ref AL-BILL1 -q >/dev/null
pm-bill pay --unit 1-1-102 --amount 1 --channel wechat --ref WX-BILL2 -q >/dev/null
pm-bill rewards -q --as-of 2026-12-01 >/dev/null
web_start

nonce() { sed -n 's/.*name="nonce" value="\([0-9a-f]*\)".*/\1/p' "$T/body" | head -1; }
orders() { sql "SELECT count(*) FROM shop_order"; }
written() { sql "SELECT (SELECT count(*) FROM shop_order) || ' ' || (SELECT count(*) FROM shop_cart) || ' '
	|| (SELECT count(*) FROM points_use) || ' ' || (SELECT count(*) FROM journal WHERE kind LIKE 'shop%')"; }

signin owner1
get /shop/EGG
n1=$(nonce)
expect_eq "${#n1}" 64 "the order form carries a nonce"
get /shop/EGG
expect_eq "$([ "$(nonce)" != "$n1" ] && echo fresh)" fresh "a new one each time it is shown"

# Refused, nothing written.
post /shop/EGG/order unit=1-1-101 qty=2 points=50 "nonce=$n1" csrf=
expect_code 403 "without its CSRF token"
get /shop/EGG
post /shop/EGG/order unit=1-1-102 qty=2 points=50 "nonce=$n1"
expect_code 403 "owner1 spends 1-1-102's points"
get /shop/EGG
post /shop/EGG/order unit=1-1-101 qty=3 points=75 "nonce=$n1"
expect_code 400 "75 points, 1-1-101 holds 50"
expect_body '房屋“1-1-101”只有 50 积分，不足 75' "is refused, saying so"
get /shop/EGG
post /shop/EGG/order unit=1-1-101 qty=1 points=50 "nonce=$n1"
expect_code 400 "50 points for an order of 0.25"
expect_body '50 积分超过订单金额 0.25' "is more than the order"
get /shop/EGG
post /shop/EGG/order unit=1-1-101 qty=2 points=50
expect_code 400 "without the form's nonce"
expect_body '全额积分支付的订单需要订单表单的 nonce' "is refused"
get /shop/EGG
post /shop/EGG/order unit=1-1-101 qty=2 points=50 nonce=xyz
expect_code 400 "a nonce that is not the form's kind"
expect_eq "$(written)" "0 0 0 0" "none of them wrote an order, a cart, a point or an entry"

# 2 eggs = 0.50, all of it in 50 points: an order at once.
get /shop/EGG
post /shop/EGG/order unit=1-1-101 qty=2 points=50 "nonce=$n1"
expect_code 303 "the order wholly in points is taken"
expect_head '^Location: /pm/orders[?]placed=1' "straight to my orders"
expect_eq "$(sql "SELECT o.id || ' ' || u.code || ' ' || o.qty || ' ' || o.amount_fen || ' ' || o.points || ' ' || o.channel || ' ' || o.state
	FROM shop_order o JOIN unit u ON u.id = o.unit_id")" "1 1-1-101 2 50 50 points paid" "order 1: 50 fen, all 50 in points, paid"
expect_eq "$(sql "SELECT ref FROM shop_order")" "$n1" "its ref is the form's nonce"
expect_eq "$(sql "SELECT count(*) FROM shop_cart")" 0 "no cart waits for a payment"
expect_eq "$(sql "SELECT p.account || ':' || p.amount_fen FROM posting p JOIN journal j ON j.id = p.journal_id WHERE j.kind = 'shop_order' ORDER BY p.journal_id, p.account" | tr '\n' ' ')" \
	"expense:points:50 merchant:M1:-50 " "the ledger: 0.50 in points owed to the merchant, no cash"
expect_eq "$(sql "SELECT kind || ' ' || points || ' ' || detail FROM points_use")" "spend 50 shop_order:1" "the points spent"
expect_eq "$(sql "SELECT actor FROM audit WHERE action = 'shop.order'")" "owner1" "audited for owner1"
get "/orders?placed=1"
expect_body '订单已用积分付清，已提交。' "my orders say it is placed"
expect_body '<li class="order paid"><h2>土鸡蛋</h2><p class="muted">1-1-101 · 2 个</p><p class="money">金额 ¥0.50 · 积分 50 · 实付 ¥0.00</p><p class="state">已支付，等待成团</p></li>' \
	"with the order, paid in points"

# The same form sent again (a double click, a reload): the same order.
get /shop/EGG
post /shop/EGG/order unit=1-1-101 qty=2 points=50 "nonce=$n1"
expect_code 303 "the same form again"
expect_eq "$(written)" "1 0 1 1" "is the same order: nothing more written"
get /shop/EGG
post /shop/EGG/order unit=1-1-101 qty=1 points=25 "nonce=$n1"
expect_code 400 "its nonce for another order"
expect_eq "$(written)" "1 0 1 1" "is refused"

# 1-1-102's 50 points expire (granted 1 December, kept 20 days) before
# owner2 spends them.
web_stop
PM_NOW=2026-12-19T09:00:00+08:00
export PM_NOW
pm-shop expire --as-of 2026-12-22 --force -q >/dev/null
web_start
expect_eq "$(sql "SELECT group_concat(u.code || ':' || x.kind || ':' || x.points, ' ') FROM points_use x JOIN unit u ON u.id = x.unit_id WHERE x.kind = 'expire'")" \
	"1-1-102:expire:50" "1-1-102's 50 points expired"
signin owner2
get /shop/EGG
post /shop/EGG/order unit=1-1-102 qty=2 points=50 "nonce=$(nonce)"
expect_code 400 "owner2 spends the expired points"
expect_body '房屋“1-1-102”只有 0 积分，不足 50' "is refused: none left"
expect_eq "$(written)" "1 0 2 1" "nothing written but the expiry"

run pm check -q
expect_rc 0 "pm check: the orders, the points and the ledger agree"
done_testing
