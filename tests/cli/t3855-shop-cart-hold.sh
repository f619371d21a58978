#!/bin/sh
# What web orders hold, seen from pm-shop: a cart (made here as pm-web
# makes one, with its hold_until; t8188 makes them through the web)
# holds its boxes against the offer's stock and its points against the
# unit's balance until it lapses, is paid or refused, or its offer stops
# taking orders. pm-shop offers tells held and left; a desk order of what
# is held is refused saying so (exit 65), as is one spending held points;
# the payment of the cart itself is not refused by its own hold, and once
# it is an order nothing is held twice. Two desk orders of the last box
# not held, at once: exactly one is recorded, five rounds. Amounts to
# the fen, rows in the store, pm check after each step.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/shop/shop.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

shop_community <<'Y'
rewards:
  first_online_payment: 50
Y
pm-shop merchant M1 --name 鲜果坊 --commission 100 -q >/dev/null
pm-shop offer AP --merchant M1 --title 烟台苹果 --price 39.90 --unit-name 箱 --deadline 2026-12-20 --min-group 1 \
	--stock 5 --pickup-point 东门 --pickup-at 12月22日 -q >/dev/null
pm-shop offer EGG --merchant M1 --title 土鸡蛋 --price 0.25 --unit-name 个 --deadline 2026-12-20 --min-group 1 \
	--stock 100 --pickup-point 东门 --pickup-at 12月22日 -q >/dev/null
shop_first_payments 1-1-101 1-1-102
expect_err "2 grants, 100 points" "50 points each to 1-1-101 and 1-1-102"

cart() { # NO OFFER UNIT QTY POINTS HOLD_UNTIL [CHANNEL REF]: a cart as pm-web makes it
	sql "INSERT INTO shop_cart (no, offer_id, unit_id, qty, amount_fen, points, login, channel, ref, created_at, hold_until)
		SELECT '$1', f.id, u.id, $4, $4 * f.price_fen, $5, 'owner', nullif('${7:-}', ''), nullif('${8:-}', ''),
		strftime('%s', '2026-12-01T09:00:00+08:00'), strftime('%s', '$6')
		FROM shop_offer f, unit u WHERE f.code = '$2' AND u.code = '$3'"
}
offer() { # CODE: stock ordered held left, as pm-shop offers tells them
	pm-shop offers "$1" --format jsonl | python3 -c 'import json, sys
r = json.loads(sys.stdin.readline()); print(r["stock"], r["ordered"], r["held"], r["left"])'
}
checked() { # DESC
	run pm check -q
	expect_rc 0 "pm check: $1"
}

run pm-shop offers AP --format jsonl
expect_out '"stock":5,"per_unit":null,"ordered":0,"held":0,"left":5,"units":0' "pm-shop offers: five left, none held"
cart SO0000000000000001 AP 1-1-101 3 0 2026-12-01T09:15:00+08:00
expect_eq "$(offer AP)" "5 0 3 2" "a cart of three, held until 09:15: two left"
run pm-shop offers AP --format table
expect_out 'held' "the table has held"
run pm-shop order --offer AP --unit 2-1-201 --qty 3 --channel wechat --ref WX-D1
expect_rc 65 "the desk orders three of the five"
expect_err "pm-shop: offer 'AP' has only 2 left, not 3: 3 more are held by orders waiting for their payment" \
	"is refused: three are held"
expect_eq "$(sql "SELECT count(*) FROM shop_order") $(sql "SELECT count(*) FROM journal WHERE kind = 'shop_order'")" "0 0" \
	"nothing written"
run pm-shop order --offer AP --unit 2-1-201 --qty 2 --channel wechat --ref WX-D1 --format jsonl
expect_rc 0 "the two left are the desk's"
expect_out '"amount_fen":7980,"points":0,"paid_fen":7980' "7980 fen"
expect_eq "$(offer AP)" "5 2 3 0" "two ordered, three held, none left"
checked "stock held"

# The hold lapses: its boxes are left again.
PM_NOW=2026-12-01T09:15:00+08:00
expect_eq "$(offer AP)" "5 2 0 3" "09:15: the hold lapsed, three left"
run pm-shop order --offer AP --unit 2-1-201 --qty 3 --channel wechat --ref WX-D2
expect_rc 0 "the desk has them now"
expect_eq "$(sql "SELECT group_concat(qty || '/' || amount_fen, ' ') FROM shop_order")" "2/7980 3/11970" "orders to the fen"
checked "a hold lapsed"
PM_NOW=2026-12-01T09:00:00+08:00

# Points held: 1-1-102's 50 points, 30 of them held by a cart.
cart SO0000000000000002 EGG 1-1-102 4 30 2026-12-01T09:15:00+08:00
expect_eq "$(offer EGG)" "100 0 4 96" "four eggs held"
run pm-shop order --offer EGG --unit 1-1-102 --qty 4 --points 40 --channel wechat --ref WX-D3
expect_rc 65 "a desk order spending 40 of the 50 points"
expect_err "pm-shop: unit '1-1-102' has 20 points free, not 40: 30 points are held by another order waiting for its payment" \
	"is refused: 30 are held"
run pm-shop order --offer EGG --unit 1-1-102 --qty 4 --points 20 --channel wechat --ref WX-D3 --format jsonl
expect_rc 0 "20 points, those free, are spent"
expect_out '"amount_fen":100,"points":20,"paid_fen":80' "1.00, 0.20 in points"
expect_eq "$(sql "SELECT group_concat(kind || ' ' || points, ';') FROM points_use")" "spend 20" "20 points spent"
run pm-shop order --offer EGG --unit 1-1-102 --qty 4 --points 1 --channel wechat --ref WX-D4
expect_rc 65 "one point more"
expect_err "pm-shop: unit '1-1-102' has 0 points free, not 1: 30 points are held by another order waiting for its payment" \
	"is refused"
checked "points held"

# The cart's own payment: claimed by wechat:WX-C2 (as the callback does),
# then recorded with that payment, its hold is no bar to it; once it is
# an order the same boxes and points are not held as well.
sql "UPDATE shop_cart SET channel = 'wechat', ref = 'WX-C2' WHERE no = 'SO0000000000000002'"
run pm-shop order --offer EGG --unit 1-1-102 --qty 4 --points 30 --channel wechat --ref WX-C2 --format jsonl
expect_rc 0 "the cart's payment takes the 30 points it holds"
expect_out '"amount_fen":100,"points":30,"paid_fen":70' "1.00, 0.30 in points"
expect_eq "$(offer EGG)" "100 8 0 92" "eight ordered, nothing held twice (the cart not yet marked paid)"
expect_eq "$(sql "SELECT group_concat(kind || ' ' || points, ';') FROM points_use")" "spend 20;spend 30" "the points spent once each"
run pm-shop order --offer EGG --unit 1-1-102 --qty 4 --points 1 --channel wechat --ref WX-D5
expect_rc 65 "no points left"
expect_err "pm-shop: unit '1-1-102' has 0 points, not 1" "told plainly: none is held"
checked "the cart's payment"

# An offer past its deadline holds nothing.
cart SO0000000000000003 AP 1-1-101 1 0 2026-12-30T00:00:00+08:00
PM_NOW=2026-12-20T00:00:00+08:00
expect_eq "$(offer AP)" "5 5 0 0" "past its deadline: the cart (held until 30 December) holds nothing"
PM_NOW=2026-12-21T00:00:00+08:00
run pm-shop close AP -q
expect_rc 0 "closed"
expect_eq "$(offer AP)" "5 5 0 0" "closed, it holds nothing"
checked "a closed offer"

# The race: five offers of two boxes, one held; two desk orders of the
# last box at once. Each round holds the store's write lock while both
# start, so that both wait for it and race for it when it is let go.
PM_NOW=2026-12-01T09:00:00+08:00
for i in 1 2 3 4 5; do
	pm-shop offer R$i --merchant M1 --title 最后一箱$i --price 10 --unit-name 箱 --deadline 2026-12-20 --min-group 1 \
		--stock 2 --pickup-point 东门 --pickup-at 12月22日 -q >/dev/null
	cart SO000000000000010$i R$i 1-1-101 1 0 2026-12-01T09:15:00+08:00
done
odd=
for i in 1 2 3 4 5; do
	hold 1
	pm-shop order --offer R$i --unit 1-1-102 --qty 1 --channel wechat --ref RA$i >a.out 2>a.err &
	a=$!
	pm-shop order --offer R$i --unit 2-1-201 --qty 1 --channel wechat --ref RB$i >b.out 2>b.err &
	b=$!
	wait $a; ra=$?
	wait $b; rb=$?
	wait "$holder"
	[ "$(printf '%s\n' $ra $rb | sort -n | tr '\n' ' ')" = "0 65 " ] || odd="$odd round $i: exit $ra $rb"
	[ "$(cat a.err b.err)" = "pm-shop: offer 'R$i' has only 0 left, not 1: 1 more are held by orders waiting for their payment" ] ||
		odd="$odd round $i: $(cat a.err b.err)"
	[ "$(offer R$i)" = "2 1 1 0" ] || odd="$odd round $i: $(offer R$i)"
done
expect_eq "$odd" "" "five rounds: one order recorded, the other refused as held; one ordered, one held, never more"
expect_eq "$(sql "SELECT count(*) || ' ' || sum(amount_fen) FROM shop_order o JOIN shop_offer f ON f.id = o.offer_id WHERE f.code LIKE 'R%'")" \
	"5 5000" "five orders of 10.00"
checked "after the race"
done_testing
