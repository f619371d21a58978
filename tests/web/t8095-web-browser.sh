#!/bin/sh
# Headless Chromium (Debian's chromium, driven over the DevTools pipe)
# through the owner's flows (sign in, a bill, the pay page, a repair with
# a photo and its status) and the staff's (dispatch, start, resolve), then
# the owner's rating. Screenshots of each step are kept for inspection in
# $PM_WEB_SHOTS (default: web-shots beside the build's bin).
. "$PM_TOP/tests/web/lib.sh"

need_browser
shots=${PM_WEB_SHOTS:-$PM_BIN/../web-shots}
web_store
web_start
browser_checks browser.py "$shots" "$PM_TOP/tests/web/data/leak.jpg"
expect_eq "$(sql "SELECT status || ' ' || assignee || ' ' || stars FROM ticket")" "resolved tech 5" \
	"the store has the ticket resolved by tech and rated 5"
expect_eq "$(sql 'SELECT amount_fen FROM repair_charge')" 8000 "and its ¥80.00 charge"
expect_eq "$(ls "$shots" | grep -c '\.png$')" 9 "nine screenshots saved in $shots"
done_testing
