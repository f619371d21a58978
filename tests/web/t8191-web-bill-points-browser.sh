#!/bin/sh
# Headless Chromium at a phone's size: owner1 pays 3.00 of its space's
# parking with 300 of its home's points, clicking the button twice; one
# payment, straight to the receipt, checked in the store to the fen.
# Screenshots in points/ of $PM_WEB_SHOTS (default: web-shots beside the
# build's bin).
. "$PM_TOP/tests/web/lib.sh"

need_browser
shots=${PM_WEB_SHOTS:-$PM_BIN/../web-shots}/points
rm -rf "$shots"
web_points_store
web_start
browser_checks browser_points.py "$shots" B-2026-11-1-1-B01
expect_eq "$(sql "SELECT p.channel || ':' || p.amount_fen || ':' || u.code || ':' || x.points FROM payment p
	JOIN bill_points x ON x.payment_id = p.id JOIN unit u ON u.id = x.unit_id")" "points:300:1-1-101:300" \
	"the store: one payment of 3.00 in 300 of 1-1-101's points"
expect_eq "$(sql "SELECT group_concat(kind || ':' || points, ' ') FROM points_use")" "spend:300" "300 points spent once"
expect_eq "$(sql "SELECT paid_fen FROM bill WHERE code = 'B-2026-11-1-1-B01'")" 300 "the bill has 3.00 paid"
expect_eq "$(ls "$shots" | grep -c '^points-.*\.png$')" 2 "two screenshots saved in $shots"
run pm check -q
expect_rc 0 "pm check agrees"
done_testing
