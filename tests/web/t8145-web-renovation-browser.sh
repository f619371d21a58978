#!/bin/sh
# Headless Chromium at a phone's size through an owner's renovation
# application: the form, the application sent and listed, bad days
# refused with nothing stored.
. "$PM_TOP/tests/web/lib.sh"

need_browser
shots=${PM_WEB_SHOTS:-$PM_BIN/../web-shots}/pages
web_store
web_start
browser_checks browser_pages.py "$shots" renovation
expect_eq "$(sql "SELECT u.code || ' ' || r.status || ' ' || r.from_day || ' ' || r.to_day || ' ' || r.applied_by FROM renovation r JOIN unit u ON u.id = r.unit_id")" \
	"1-1-101 applied 2026-12-10 2026-12-31 owner1" "the store has owner1's one application"
expect_eq "$(ls "$shots" | grep -c '^renovation-.*\.png$')" 3 "three screenshots saved in $shots"
done_testing
