#!/bin/sh
# Headless Chromium at a phone's size through the desk's arrears chasing:
# the list of units past due, a call logged with its promise, the demand
# letter opened from the list.
. "$PM_TOP/tests/web/lib.sh"

need_browser
shots=${PM_WEB_SHOTS:-$PM_BIN/../web-shots}/pages
web_store
# A week after November's due day (15 December): all three units owe.
PM_NOW=2026-12-22T09:00:00+08:00
export PM_NOW
web_start
browser_checks browser_pages.py "$shots" dunning
expect_eq "$(sql "SELECT u.code || ' ' || c.by_means || ' ' || c.result || ' ' || c.promise_date || ' ' || c.by_user FROM collection_contact c JOIN unit u ON u.id = c.unit_id")" \
	"1-1-101 phone promised 2026-12-31 desk" "the store has the desk's call with its promise"
expect_eq "$(ls "$shots" | grep -c '^dunning-.*\.png$')" 3 "three screenshots saved in $shots"
done_testing
