#!/bin/sh
# 每户限购: an offer made with --per-unit N takes at most N from one unit,
# counting its paid orders (not refunded) and its web orders holding
# stock for their payment, so no unit can hold the whole stock by
# ordering again and again without paying. A desk order over the limit
# is refused saying what the unit ordered and holds (exit 65, nothing
# written); the cart's own payment is not refused by its own hold; a
# lapsed hold counts no more; other units have their own N. An offer
# without it is limited by its stock alone (per_unit null), as every
# offer made before. --per-unit 0 or above the stock is a usage error (exit 2).
# Amounts to the fen, rows in the store, pm check after each step.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/shop/shop.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

shop_community </dev/null
expect_rc 0 "the community"
pm-shop merchant M1 --name 鲜果坊 --commission 100 -q >/dev/null

run pm-shop offer AP --merchant M1 --title 烟台苹果 --price 39.90 --unit-name 箱 --deadline 2026-12-20 \
	--stock 10 --per-unit 0 --pickup-point 东门 --pickup-at 12月22日
expect_rc 2 "--per-unit 0"
expect_err "pm-shop offer: --per-unit wants a whole number above 0, not '0'" "is a usage error"
run pm-shop offer AP --merchant M1 --title 烟台苹果 --price 39.90 --unit-name 箱 --deadline 2026-12-20 \
	--stock 10 --per-unit 11 --pickup-point 东门 --pickup-at 12月22日
expect_rc 2 "--per-unit above the stock"
expect_err "pm-shop offer: a unit's limit of 11 is more than the stock of 10" "is refused, naming both"
expect_eq "$(sql "SELECT count(*) FROM shop_offer")" 0 "no offer written"

run pm-shop offer AP --merchant M1 --title 烟台苹果 --price 39.90 --unit-name 箱 --deadline 2026-12-20 \
	--stock 10 --per-unit 2 --pickup-point 东门 --pickup-at 12月22日 --format jsonl
expect_rc 0 "an offer of ten boxes, two a unit"
expect_out '"stock":10,"per_unit":2,"ordered":0,"held":0,"left":10' "its record tells the limit"
run pm-shop offer EGG --merchant M1 --title 土鸡蛋 --price 0.25 --unit-name 个 --deadline 2026-12-20 \
	--stock 100 --pickup-point 东门 --pickup-at 12月22日 --format jsonl
expect_out '"stock":100,"per_unit":null,"ordered":0' "without --per-unit: null, no limit"
expect_eq "$(sql "SELECT code || ':' || coalesce(per_unit, 'NULL') FROM shop_offer ORDER BY id" | tr '\n' ' ')" \
	"AP:2 EGG:NULL " "the store keeps 2 and NULL"
run pm-shop offers AP --format table
expect_out 'per_unit' "the table has per_unit"

cart() { # NO OFFER UNIT QTY HOLD_UNTIL [CHANNEL REF]: a cart as pm-web makes it
	sql "INSERT INTO shop_cart (no, offer_id, unit_id, qty, amount_fen, points, login, channel, ref, created_at, hold_until)
		SELECT '$1', f.id, u.id, $4, $4 * f.price_fen, 0, 'owner', nullif('${6:-}', ''), nullif('${7:-}', ''),
		strftime('%s', '2026-12-01T09:00:00+08:00'), strftime('%s', '$5')
		FROM shop_offer f, unit u WHERE f.code = '$2' AND u.code = '$3'"
}
orders() { sql "SELECT count(*) || ' ' || coalesce(sum(amount_fen), 0) FROM shop_order"; }
checked() { # DESC
	run pm check -q
	expect_rc 0 "pm check: $1"
}

run pm-shop order --offer AP --unit 1-1-101 --qty 3 --channel wechat --ref WX-1
expect_rc 65 "three boxes for one unit"
expect_err "pm-shop: unit '1-1-101' may order at most 2 of offer 'AP': 0 ordered and 0 held by its orders waiting for their payment leave 2, not 3" \
	"is refused, saying how many it may have"
expect_eq "$(orders) $(sql "SELECT count(*) FROM journal")" "0 0 0" "nothing written"
run pm-shop order --offer AP --unit 1-1-101 --qty 2 --channel wechat --ref WX-1 --format jsonl
expect_rc 0 "two are taken"
expect_out '"qty":2,"amount_fen":7980,"points":0,"paid_fen":7980' "79.80"
run pm-shop order --offer AP --unit 1-1-101 --qty 1 --channel wechat --ref WX-2
expect_rc 65 "a third box, in another order"
expect_err "pm-shop: unit '1-1-101' may order at most 2 of offer 'AP': 2 ordered and 0 held by its orders waiting for their payment leave 0, not 1" \
	"is refused: two ordered"
run pm-shop order --offer AP --unit 1-1-101 --qty 2 --channel wechat --ref WX-1 --format jsonl
expect_rc 0 "the first payment again"
expect_out '"outcome":"duplicate"' "is told as the same order, not refused by the limit"
run pm-shop order --offer AP --unit 1-1-102 --qty 2 --channel wechat --ref WX-3
expect_rc 0 "another unit has its own two"
expect_eq "$(orders)" "2 15960" "two orders, 159.60"
checked "orders up to the limit"

# Web orders hold: 2-1-201 holds one box, unpaid, until 09:15.
cart SO0000000000000001 AP 2-1-201 1 2026-12-01T09:15:00+08:00
run pm-shop order --offer AP --unit 2-1-201 --qty 2 --channel wechat --ref WX-4
expect_rc 65 "two more while one is held"
expect_err "pm-shop: unit '2-1-201' may order at most 2 of offer 'AP': 0 ordered and 1 held by its orders waiting for their payment leave 1, not 2" \
	"is refused: one is held"
# The cart's own payment (claimed by wechat:WX-C1 as the callback does)
# is not refused by its own hold.
sql "UPDATE shop_cart SET channel = 'wechat', ref = 'WX-C1' WHERE no = 'SO0000000000000001'"
run pm-shop order --offer AP --unit 2-1-201 --qty 1 --channel wechat --ref WX-C1 --format jsonl
expect_rc 0 "the cart's payment"
expect_out '"qty":1,"amount_fen":3990' "39.90"
run pm-shop order --offer AP --unit 2-1-201 --qty 1 --channel wechat --ref WX-5
expect_rc 0 "one more, its second"
run pm-shop order --offer AP --unit 2-1-201 --qty 1 --channel wechat --ref WX-6
expect_rc 65 "a third"
expect_err "pm-shop: unit '2-1-201' may order at most 2 of offer 'AP': 2 ordered and 0 held by its orders waiting for their payment leave 0, not 1" \
	"is refused"
expect_eq "$(orders)" "4 23940" "four orders, 239.40"
checked "a web order held"

# A lapsed hold counts no more.
sql "DELETE FROM shop_cart"
run pm-shop offer LIM --merchant M1 --title 鲜牛奶 --price 5 --unit-name 瓶 --deadline 2026-12-20 \
	--stock 5 --per-unit 1 --pickup-point 东门 --pickup-at 12月22日 -q
cart SO0000000000000002 LIM 1-1-101 1 2026-12-01T09:15:00+08:00
run pm-shop order --offer LIM --unit 1-1-101 --qty 1 --channel wechat --ref WX-7
expect_rc 65 "09:00: its one bottle is held"
PM_NOW=2026-12-01T09:15:00+08:00
run pm-shop order --offer LIM --unit 1-1-101 --qty 1 --channel wechat --ref WX-7 --format jsonl
expect_rc 0 "09:15: the hold lapsed, the bottle may be ordered"
expect_out '"qty":1,"amount_fen":500' "5.00"
checked "a lapsed hold"

# No limit: the stock alone.
run pm-shop order --offer EGG --unit 1-1-101 --qty 100 --channel wechat --ref WX-8 --format jsonl
expect_rc 0 "one unit may take the whole stock of an offer without --per-unit"
expect_out '"qty":100,"amount_fen":2500' "25.00"
expect_eq "$(orders)" "6 26940" "six orders, 269.40"
checked "no limit"

# A store made before 0037_shop_per_unit: its offer has no limit after.
store_before 0037_shop_per_unit.sql old.db
sqlite3 old.db "INSERT INTO merchant (id, code, name, commission_bp, created_at) VALUES (1, 'M1', '鲜果坊', 100, 0);
	INSERT INTO shop_offer (code, merchant_id, title, price_fen, unit_name, deadline, min_group, stock, pickup_point,
		pickup_at, created_at) VALUES ('OLD', 1, '旧团购', 500, '份', strftime('%s', '2026-12-20T00:00:00+08:00'), 1, 3,
		'东门', '12月22日', 0)"
run pm --db old.db check
expect_rc 0 "pm upgrades the old store"
expect_eq "$(sqlite3 old.db "SELECT (SELECT count(*) FROM pragma_table_info('shop_offer') WHERE name = 'per_unit')
	|| ' ' || coalesce(per_unit, 'NULL') FROM shop_offer")" "1 NULL" "its offer has per_unit, NULL"
run pm-shop --db old.db offers OLD --format jsonl
expect_out '"stock":3,"per_unit":null,"ordered":0' "and is told as no limit"
done_testing
