#!/bin/sh
# Headless Chromium at a phone's size through every page each role opens
# (owner, front desk, technician, finance, admin): each fits the screen,
# and no table breaks its headers or figures over lines. Screenshots are
# kept in sweep/ of $PM_WEB_SHOTS (default: web-shots beside the build's
# bin).
. "$PM_TOP/tests/web/lib.sh"

need_browser
shots=${PM_WEB_SHOTS:-$PM_BIN/../web-shots}/sweep
rm -rf "$shots"
web_store
# A week after November's due day: every unit owes, so the arrears list
# and the dashboard have rows.
PM_NOW=2026-12-22T09:00:00+08:00
export PM_NOW
pm-repair submit -q --unit 1-1-101 --category plumbing --text 厨房水管漏水 >/dev/null ||
	{ echo "not ok - a ticket"; exit 1; }
web_start
browser_checks browser_sweep.py "$shots"
expect_eq "$(ls "$shots" | grep -c '\.png$')" 42 "a screenshot of each of the 42 pages in $shots"
# The patrol's shift reads as a time, as the expected time beside it does.
signin desk
get /today
expect_body '<td>night</td><td>2026-12-22 02:00</td><td>N1 东门</td><td>2026-12-22 02:00</td>' \
	"today's patrol rounds show their shift as 2026-12-22 02:00, not an ISO stamp"
done_testing
