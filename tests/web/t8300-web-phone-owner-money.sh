#!/bin/sh
# Headless Chromium on a small phone (360 x 740) asking for zh-CN: an
# owner's month of money, tap by tap (the bill with its water tiers, the
# pay page, the channel's payment, the receipt from the bill, the unit,
# the statement), and the front desk finding a unit by its owner's name
# and phone and taking cash. Every page fits and shows no English key:
# channels, uses, roles and statuses in Chinese, a tier's amount as money,
# a payment one row with its receipt; the desk prints the numbered
# receipt (A5 and 80 mm). Screenshots in phone/ of
# $PM_WEB_SHOTS (default: web-shots beside the build's bin).
. "$PM_TOP/tests/web/lib.sh"

need_browser
shots=${PM_WEB_SHOTS:-$PM_BIN/../web-shots}/phone
rm -rf "$shots"
web_owner4_store
# 3-2-1101 with a water meter read at the end of October and November:
# 25.5 m³ in the first of the year's tiers.
pm-meter add W-3-2-1101 --kind water --serves 3-2-1101 --address 00000000321101 \
	--installed 2019-06-30T00:00:00+08:00 >/dev/null
printf '%s\n' '{"meter":"W-3-2-1101","ts":"2026-10-31T20:00:00+08:00","value":"170.000"}' \
	'{"meter":"W-3-2-1101","ts":"2026-11-30T20:00:00+08:00","value":"195.500"}' | pm-meter ingest -q
pm-bill run -q --period 2026-11 >/dev/null && pm-bill issue -q --period 2026-11 >/dev/null
expect_eq "$(sql "SELECT total_fen FROM bill WHERE code = 'B-2026-11-3-2-1101'")" 35751 \
	"3-2-1101 owes 357.51: 230.30 property, 87.98 water, 24.23 sewage, 15.00 garbage"
web_start
browser_checks browser_phone.py "$shots" money
expect_eq "$(sql "SELECT channel || ':' || ref || ':' || amount_fen FROM payment")" "wechat:WX9001:35751" \
	"one payment in the store"
browser_checks browser_phone.py "$shots" desk
expect_eq "$(sql "SELECT count(*) || ':' || sum(amount_fen) FROM payment WHERE channel = 'cash'")" "1:29700" \
	"one cash payment of 297.00"
done_testing
