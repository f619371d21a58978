#!/bin/sh
# Headless Chromium at a phone's size: owner1 orders two eggs paid wholly
# in its 50 points, clicking the button twice; one order, straight to
# "my orders", checked in the store to the fen. Screenshots in shop/ of
# $PM_WEB_SHOTS (default: web-shots beside the build's bin).
. "$PM_TOP/tests/web/lib.sh"

need_browser
shots=${PM_WEB_SHOTS:-$PM_BIN/../web-shots}/shop-points
rm -rf "$shots"
web_store
pm-shop merchant M1 --name 鲜果坊 --commission 250 -q >/dev/null
pm-shop offer EGG --merchant M1 --title 土鸡蛋 --price 0.25 --unit-name 个 --deadline 2026-12-20 --min-group 2 \
	--stock 10 --pickup-point 物业前台 --pickup-at 12月21日 -q >/dev/null
pm-bill pay --unit 1-1-101 --amount 1 --channel alipay --ref AL-BILL1 -q >/dev/null
pm-bill rewards -q --as-of 2026-12-01 >/dev/null

web_start
browser_checks browser_shop.py "$shots" points "$PM_CALLBACK_WECHAT"
expect_eq "$(sql "SELECT group_concat(o.qty || ':' || o.amount_fen || ':' || o.points || ':' || o.channel || ':' || o.state, ' ') FROM shop_order o")" \
	"2:50:50:points:paid" "the store: one order of 0.50, all in points"
expect_eq "$(sql "SELECT group_concat(kind || ':' || points, ' ') FROM points_use")" "spend:50" "50 points spent once"
expect_eq "$(sql "SELECT count(*) FROM shop_cart")" 0 "no cart"
expect_eq "$(ls "$shots" | grep -c '^shop-points-.*\.png$')" 2 "two screenshots saved in $shots"
run pm check -q
expect_rc 0 "pm check agrees"
done_testing
