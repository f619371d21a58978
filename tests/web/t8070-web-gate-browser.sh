#!/bin/sh
# Headless Chromium at a phone's size (390 x 844) through the owner's
# visitor pass and parking pages and the manager's dashboard charts:
# each page fits the screen, the QR code is large enough to scan, the
# charts are drawn with readable labels and no script. Screenshots are
# kept in gate/ of $PM_WEB_SHOTS (default: web-shots beside the build's bin).
. "$PM_TOP/tests/web/lib.sh"

need_browser
shots=${PM_WEB_SHOTS:-$PM_BIN/../web-shots}/gate
web_store
PM_NOW=2026-11-29T09:00:00+08:00 pm-gate vehicle add --plate 京A12345 --unit 1-1-101 >/dev/null
printf '%s\n' '{"gate":"garage","ts":"2026-11-30T08:00:00+08:00","event":"entry","plate":"京A12345"}' \
	'{"gate":"garage","ts":"2026-11-30T18:00:00+08:00","event":"exit","plate":"京A12345"}' |
	pm-gate events ingest -q >/dev/null
web_start
browser_checks browser_gate.py "$shots"
expect_eq "$(sql "SELECT name || ' ' || status || ' ' || decided_by FROM visitor")" "刘洋 approved owner1" \
	"the store has the pass the owner made"
expect_eq "$(ls "$shots" | grep -c '^gate-.*\.png$')" 4 "four screenshots saved in $shots"
done_testing
