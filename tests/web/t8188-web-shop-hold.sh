#!/bin/sh
# An order made on the web holds what it asks for until it is paid: its
# boxes against the offer's stock and its points against the unit's
# balance, for shop.cart_hold (30m here). /shop and the order form show
# what is left after the holds ("仅剩"), a second order of what is held
# is refused saying so (400, no cart), a desk order too (exit 65); the
# points a cart holds cannot be held again, by a cart or by an order
# wholly in points. The paid cart's hold becomes its order; a lapsed hold
# frees its boxes, and its late payment is taken while the boxes are
# still there and refused (to be refunded) once they are gone; an offer
# past its deadline holds nothing. Two owners ordering the last box at
# once: exactly one holds it, five rounds. Amounts to the fen, the rows
# in the store, pm check after each step.
. "$PM_TOP/tests/web/lib.sh"

web_store
{ cat "$PM_TOP/share/pm/examples/pm.yaml"; printf 'shop:\n  cart_hold: 30m\n'; } >"$T/pm.yaml"
pm config apply -q "$T/pm.yaml" || echo "not ok - the config with shop.cart_hold"
pm-shop merchant M1 --name 鲜果坊 --commission 250 -q >/dev/null
pm-shop offer LAST --merchant M1 --title 烟台苹果 --price 39.90 --unit-name 箱 --deadline 2026-12-20 --min-group 1 \
	--stock 3 --pickup-point 东门 --pickup-at 12月22日 -q >/dev/null
pm-shop offer EGG --merchant M1 --title 土鸡蛋 --price 0.25 --unit-name 个 --deadline 2026-12-20 --min-group 1 \
	--stock 100 --pickup-point 东门 --pickup-at 12月22日 -q >/dev/null
pm-shop offer SHORT --merchant M1 --title 鲜牛奶 --price 5 --unit-name 瓶 --deadline 2026-12-01T10:00:00+08:00 \
	--min-group 1 --stock 10 --pickup-point 东门 --pickup-at 12月2日 -q >/dev/null
for i in 1 2 3 4 5; do
	pm-shop offer R$i --merchant M1 --title 最后一箱$i --price 10 --unit-name 箱 --deadline 2026-12-20 --min-group 1 \
		--stock 1 --pickup-point 东门 --pickup-at 12月22日 -q >/dev/null
done
# 50 points each to 1-1-101 and 1-1-102 for their first online payment.
pm-bill pay --unit 1-1-101 --amount 1 --channel alipay --ref AL-BILL1 -q >/dev/null
pm-bill pay --unit 1-1-102 --amount 1 --channel wechat --ref WX-BILL2 -q >/dev/null
pm-bill rewards -q --as-of 2026-12-01 >/dev/null
web_start

offer() { # CODE: stock ordered held left, as pm-shop offers tells them
	pm-shop offers "$1" --format jsonl | python3 -c 'import json, sys
r = json.loads(sys.stdin.readline()); print(r["stock"], r["ordered"], r["held"], r["left"])'
}
carts() { sql "SELECT count(*) FROM shop_cart"; }
checked() { # DESC: pm check finds nothing
	run pm check -q
	expect_rc 0 "pm check: $1"
}

# ---- the race: two owners, the last box, at once ----
# Each round holds the store's write lock while both orders start, so
# that both wait for it and race for it when it is let go.
odd=
for i in 1 2 3 4 5; do
	signin owner1 "$T/jar.a"
	get /shop/R$i
	ta=$(csrf)
	signin owner2 "$T/jar.b"
	get /shop/R$i
	tb=$(csrf)
	hold 1
	curl -s -b "$T/jar.a" -o "$T/ra" -w '%{http_code}' --data-urlencode unit=1-1-101 --data-urlencode qty=1 \
		--data-urlencode points=0 --data-urlencode "csrf=$ta" "$BASE/shop/R$i/order" >"$T/ca" &
	a=$!
	curl -s -b "$T/jar.b" -o "$T/rb" -w '%{http_code}' --data-urlencode unit=1-1-102 --data-urlencode qty=1 \
		--data-urlencode points=0 --data-urlencode "csrf=$tb" "$BASE/shop/R$i/order" >"$T/cb" &
	b=$!
	wait $a $b "$holder"
	got="$(printf '%s\n' "$(cat "$T/ca")" "$(cat "$T/cb")" | sort | tr '\n' ' ')"
	[ "$got" = "303 400 " ] || odd="$odd round $i: $got"
	grep -q '团购“R'$i'”只剩 0 份，不足 1 份：另有 1 份被待付款的订单占用' "$T/ra" "$T/rb" ||
		odd="$odd round $i: the one refused is not told the box is held"
	[ "$(sql "SELECT count(*) || ' ' || sum(c.qty) FROM shop_cart c JOIN shop_offer f ON f.id = c.offer_id
		WHERE f.code = 'R$i'")" = "1 1" ] || odd="$odd round $i: not one cart of one box"
done
expect_eq "$odd" "" "five rounds: one owner holds the last box (303), the other is refused (400), saying so"
expect_eq "$(sql "SELECT count(*) FROM shop_cart")" 5 "five carts in all, one a round"
expect_eq "$(for i in 1 2 3 4 5; do offer R$i; done | sort -u)" "1 0 1 0" "each last box held, none left"
checked "after the race"

# ---- a cart holds its boxes and its points ----
signin owner1
get /shop/LAST
expect_body '<option value="1-1-101">1-1-101（积分 50）</option>' "owner1's 50 points are free"
post /shop/LAST/order unit=1-1-101 qty=2 points=50
expect_code 303 "owner1 orders two boxes with 50 points"
c1=$(cart_of)
expect_eq "$(sql "SELECT qty || ' ' || amount_fen || ' ' || points || ' ' || (hold_until - created_at) FROM shop_cart WHERE no = '$c1'")" \
	"2 7980 50 1800" "a cart of 7980 fen, 50 points, held 30 minutes (shop.cart_hold)"
expect_eq "$(offer LAST)" "3 0 2 1" "pm-shop offers: three in stock, none ordered, two held, one left"
get "/cart/$c1"
expect_body '<p class="note ok hold">已为您保留库存和积分至 2026-12-01 09:30，请在此之前付款。</p>' \
	"its pay page says until when it is held"
expect_body '<td class="num pay">¥79.30</td>' "and what to pay: 79.80 less 0.50"
checked "a cart holding"

signin owner2
get /shop
expect_body '<dd class="left">1 箱<span class="muted held">（另有 2 箱 待付款）</span></dd>' \
	"owner2 sees one box left, two waiting for a payment"
get /shop/LAST
expect_body '<p class="note warn">仅剩 1 箱：另有 2 箱 被待付款的订单占用。</p>' "the order form says only one is left"
expect_body 'name="qty" type="number" min="1" max="1"' "and takes at most one"
post /shop/LAST/order unit=1-1-102 qty=2 points=0
expect_code 400 "owner2 orders the two boxes owner1 holds"
expect_body '团购“LAST”只剩 1 份，不足 2 份：另有 2 份被待付款的订单占用' "is refused, told they are held"
expect_eq "$(carts)" 6 "no cart made"
get /shop/LAST
post /shop/LAST/order unit=1-1-102 qty=1 points=0
expect_code 303 "the one left is owner2's"
c2=$(cart_of)
get /shop/EGG
post /shop/EGG/order unit=1-1-102 qty=4 points=0
expect_code 303 "and four eggs (1.00), not paid for a while"
c3=$(cart_of)
expect_eq "$(offer LAST)" "3 0 3 0" "all three held"
get /shop/LAST
expect_body '<p class="note warn">已全部被待付款的订单占用（3 箱），逾时未付款将释放，请稍后再来。</p>' \
	"the offer's page says all of it is held"
expect_eq "$(grep -c 'name="qty"' "$T/body")" 0 "and shows no order form"
run pm-shop order --offer LAST --unit 2-1-101 --qty 1 --channel wechat --ref WX-DESK1
expect_rc 65 "the desk's order of a held box"
expect_err "pm-shop: offer 'LAST' has only 0 left, not 1: 3 more are held by orders waiting for their payment" \
	"is refused, saying they are held"
expect_eq "$(sql "SELECT count(*) FROM shop_order")" 0 "no order"

# owner1's 50 points are held by the cart: neither another cart nor an
# order wholly in points may have them.
signin owner1
get /shop/EGG
expect_body '<option value="1-1-101">1-1-101（可用积分 0，另有 50 积分被待付款的订单占用）</option>' \
	"the order form says owner1's points are held by another order"
post /shop/EGG/order unit=1-1-101 qty=8 points=50
expect_code 400 "a cart of 2.00 with the same 50 points"
expect_body '房屋“1-1-101”可用积分只有 0，不足 50：另有 50 积分被待付款的订单占用' "is refused, told they are held"
get /shop/EGG
nonce=$(sed -n 's/.*name="nonce" value="\([0-9a-f]*\)".*/\1/p' "$T/body" | head -1)
post /shop/EGG/order unit=1-1-101 qty=2 points=50 "nonce=$nonce"
expect_code 400 "an order of 0.50 wholly in the same points"
expect_body '房屋“1-1-101”可用积分只有 0，不足 50' "is refused too"
expect_eq "$(sql "SELECT (SELECT count(*) FROM shop_cart) || ' ' || (SELECT count(*) FROM shop_order) || ' ' || (SELECT count(*) FROM points_use)")" \
	"8 0 0" "no cart, no order, no points spent"
checked "every box and point held once"

# ---- the payment: the hold becomes the order ----
wechat_callback "{\"order\":\"$c1\",\"amount\":\"79.30\",\"ref\":\"WX-H1\"}"
expect_code 200 "owner1 pays 79.30"
expect_body '"outcome":"recorded"' "the order is recorded"
expect_eq "$(sql "SELECT o.qty || ' ' || o.amount_fen || ' ' || o.points || ' ' || o.channel || ' ' || o.ref FROM shop_order o
	JOIN shop_cart c ON c.order_id = o.id WHERE c.no = '$c1'")" "2 7980 50 wechat WX-H1" "order: two boxes, 7980 fen, 50 points"
expect_eq "$(sql "SELECT p.account || ':' || p.amount_fen FROM posting p JOIN journal j ON j.id = p.journal_id WHERE j.kind = 'shop_order' ORDER BY p.journal_id, p.account" | tr '\n' ' ')" \
	"cash:wechat:7930 expense:points:50 merchant:M1:-7980 " "the ledger: 79.30 by wechat, 0.50 in points"
expect_eq "$(offer LAST)" "3 2 1 0" "two ordered, one still held, none left"
expect_eq "$(sql "SELECT kind || ' ' || points FROM points_use")" "spend 50" "the held points spent, once"
signin owner1
get /shop/EGG
expect_body '<option value="1-1-101">1-1-101（积分 0）</option>' "owner1's points are spent, no longer held"
checked "the hold became the order"

# ---- the hold lapses ----
web_stop
PM_NOW=2026-12-01T09:31:00+08:00
export PM_NOW
web_start
expect_eq "$(offer LAST)" "3 2 0 1" "09:31: owner2's hold lapsed, its box is left again"
signin owner2
get "/cart/$c2"
expect_body '<p class="note warn hold">保留已过期：现在付款，如库存或积分已不足，将原路退款。</p>' \
	"its pay page says the hold lapsed"
expect_body "付款时请备注订单号 <b class=\"cart\">$c2</b>" "and still takes its payment"
get /shop/SHORT
post /shop/SHORT/order unit=1-1-102 qty=2 points=20
expect_code 303 "owner2 orders milk with 20 points, held until 10:01"
expect_eq "$(offer SHORT)" "10 0 2 8" "two bottles held"
get /shop/EGG
expect_body '<option value="1-1-102">1-1-102（可用积分 30，另有 20 积分被待付款的订单占用）</option>' "20 of owner2's points held"
wechat_callback "{\"order\":\"$c3\",\"amount\":\"1.00\",\"ref\":\"WX-H3\"}"
expect_code 200 "owner2 pays the eggs after their hold lapsed"
expect_body '"outcome":"recorded"' "taken: the eggs are still there"
expect_eq "$(sql "SELECT o.qty || ' ' || o.amount_fen FROM shop_order o JOIN shop_cart c ON c.order_id = o.id WHERE c.no = '$c3'")" \
	"4 100" "order: four eggs, 100 fen"
run pm-shop order --offer LAST --unit 2-1-101 --qty 1 --channel wechat --ref WX-DESK1
expect_rc 0 "the desk sells the box owner2 let lapse"
expect_eq "$(offer LAST)" "3 3 0 0" "all three ordered"
checked "a hold lapsed"
wechat_callback "{\"order\":\"$c2\",\"amount\":\"39.90\",\"ref\":\"WX-H2\"}"
expect_code 400 "owner2's late payment for the box sold meanwhile"
expect_body '团购“LAST”只剩 0 份，不足 1 份' "is refused: none left"
expect_eq "$(sql "SELECT channel || ' ' || ref || ' ' || coalesce(order_id, '-') || ' ' || (refused IS NOT NULL) FROM shop_cart WHERE no = '$c2'")" \
	"wechat WX-H2 - 1" "the cart keeps the payment, refused, to refund"
expect_eq "$(sql "SELECT p.account || ':' || p.amount_fen FROM posting p JOIN journal j ON j.id = p.journal_id WHERE j.kind = 'shop_cart_refused' ORDER BY p.journal_id, p.account" | tr '\n' ' ')" \
	"cash:wechat:3990 payable:shop_cart:-3990 " "39.90 held for owner2"
run pm-shop refund --pending -q
expect_rc 0 "refunded"
checked "a late payment refused and refunded"

# ---- an offer past its deadline holds nothing ----
web_stop
PM_NOW=2026-12-01T10:00:00+08:00
export PM_NOW
web_start
expect_eq "$(sql "SELECT hold_until > strftime('%s', '2026-12-01T10:00:00+08:00') FROM shop_cart c JOIN shop_offer f ON f.id = c.offer_id WHERE f.code = 'SHORT'")" \
	1 "10:00: the milk's cart is within its hold"
expect_eq "$(offer SHORT)" "10 0 0 10" "but the offer took orders until 10:00: nothing held"
signin owner2
get /shop/EGG
expect_body '<option value="1-1-102">1-1-102（积分 50）</option>' "owner2's 20 points are free again"
run pm-shop close SHORT -q
expect_rc 0 "the office closes it (failed: no order)"
expect_eq "$(offer SHORT)" "10 0 0 10" "closed, it holds nothing"
checked "a closed offer holds nothing"
done_testing
