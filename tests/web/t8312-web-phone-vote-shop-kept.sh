#!/bin/sh
# Headless Chromium on a small phone (360 x 740) asking for zh-CN: a
# ballot of three ticked for two seats and a group-buying order with more
# points than the unit has come back as their forms, filled in as sent
# (the boxes ticked, the unit, the boxes and the points), saying why, 400;
# fixed, each is taken once. Screenshots in vote-shop/ of $PM_WEB_SHOTS.
. "$PM_TOP/tests/web/lib.sh"

need_browser
shots=${PM_WEB_SHOTS:-$PM_BIN/../web-shots}/vote-shop
rm -rf "$shots"
web_owner4_store
pm-govern -q vote new --title 业主委员会选举 --matter committee --options 张三,李四,王五 --seats 2 \
	--closes 2026-12-31 >/dev/null
pm-shop merchant M1 --name 鲜果坊 --commission 250 -q >/dev/null
pm-shop offer AP --merchant M1 --title 烟台苹果 --price 39.90 --unit-name 箱 --deadline 2026-12-20 --min-group 2 \
	--stock 10 --pickup-point 东门快递柜旁 --pickup-at "12月22日 18:00-20:00" -q >/dev/null
web_start
browser_checks browser_phone.py "$shots" vote-shop
expect_eq "$(sql "SELECT count(*) FROM ballot")" 1 "one ballot"
expect_eq "$(sql "SELECT count(*) || ':' || group_concat(qty || ':' || points) FROM shop_cart")" "1:2:0" \
	"one order to pay, of two boxes and no points"
done_testing
