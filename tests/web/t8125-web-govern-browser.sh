#!/bin/sh
# Headless Chromium at a phone's size through an owner's vote: the list,
# the ballot form clicked, the ballot changed, the count on the page.
# Screenshots are kept in govern/ of $PM_WEB_SHOTS (default: web-shots
# beside the build's bin).
. "$PM_TOP/tests/web/lib.sh"

need_browser
shots=${PM_WEB_SHOTS:-$PM_BIN/../web-shots}/govern
web_store
pm-govern -q vote new --title 续聘物业服务企业 --matter manager --closes 2026-12-31 >/dev/null
web_start
browser_checks browser_govern.py "$shots"
expect_eq "$(sql "SELECT u.code || ' ' || b.choice || ' ' || b.entered_by FROM ballot b JOIN unit u ON u.id = b.unit_id")" \
	"1-1-101 no owner1" "the store has owner1's changed ballot"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action LIKE 'govern.ballot%'")" 2 "cast and changed, both audited"
expect_eq "$(ls "$shots" | grep -c '^govern-owner-.*\.png$')" 4 "four screenshots saved in $shots"
done_testing
