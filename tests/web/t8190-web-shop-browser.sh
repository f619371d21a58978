#!/bin/sh
# Headless Chromium at a phone's size through group buying as owner1 sees
# it: the offers, an order with points off, its pay page and payment,
# "my orders" before and after one group formed and one failed. The
# store is checked after each phase. Screenshots are kept in shop/ of
# $PM_WEB_SHOTS (default: web-shots beside the build's bin).
. "$PM_TOP/tests/web/lib.sh"

need_browser
shots=${PM_WEB_SHOTS:-$PM_BIN/../web-shots}/shop
rm -rf "$shots"
web_store
pm-shop merchant M1 --name 鲜果坊 --commission 250 -q >/dev/null
pm-shop offer AP --merchant M1 --title 烟台苹果 --price 39.90 --unit-name 箱 --deadline 2026-12-20 --min-group 2 \
	--stock 10 --pickup-point 东门快递柜旁 --pickup-at "12月22日 18:00-20:00" -q >/dev/null
pm-shop offer VEG --merchant M1 --title 有机蔬菜 --price 12.50 --unit-name 份 --deadline 2026-12-20 --min-group 3 \
	--stock 100 --pickup-point 物业前台 --pickup-at 12月21日 -q >/dev/null
pm-bill pay --unit 1-1-101 --amount 1 --channel alipay --ref AL-BILL1 -q >/dev/null
pm-bill rewards -q --as-of 2026-12-01 >/dev/null

browse() { # PHASE
	python3 "$PM_TOP/tests/web/browser_shop.py" "$BASE" "$shots" "$PW" "$1" "$PM_CALLBACK_WECHAT" >"$T/browser" 2>&1
	while read -r verdict what; do
		case $verdict in
		PASS) _report 1 "$what" ;;
		FAIL) _report 0 "$what" ;;
		*) _report 0 "browser_shop.py: $verdict $what" ;;
		esac
	done <"$T/browser"
}

web_start
browse order
expect_eq "$(sql "SELECT group_concat(f.code || ':' || o.qty || ':' || o.amount_fen || ':' || o.points || ':' || o.ref || ':' || o.state, ' ')
	FROM shop_order o JOIN shop_offer f ON f.id = o.offer_id")" "AP:2:7980:50:WX-B1:paid VEG:1:1250:0:WX-B2:paid" \
	"the store has both orders to the fen, 50 points on AP's"
expect_eq "$(sql "SELECT sum(amount_fen) FROM posting WHERE account = 'cash:wechat'")" 9180 "79.30 + 12.50 in cash"
# 1-1-102 orders AP at the desk, so that it forms; VEG stays one short.
pm-shop order --offer AP --unit 1-1-102 --qty 1 --channel wechat --ref WX-DESK -q >/dev/null
web_stop
PM_NOW=2026-12-21T09:00:00+08:00
export PM_NOW
pm-shop close AP -q >/dev/null
pm-shop close VEG -q >/dev/null
web_start
browse closed
expect_eq "$(sql "SELECT group_concat(f.code || ':' || o.state || ':' || o.refunded_fen || ':' || o.points_returned, ' ')
	FROM shop_order o JOIN shop_offer f ON f.id = o.offer_id JOIN unit u ON u.id = o.unit_id WHERE u.code = '1-1-101'")" \
	"AP:confirmed:0:0 VEG:refunded:1250:0" "the store: AP confirmed, VEG refunded 12.50"
expect_eq "$(ls "$shots" | grep -c '^shop-.*\.png$')" 5 "five screenshots saved in $shots"
run pm check -q
expect_rc 0 "pm check agrees"
done_testing
