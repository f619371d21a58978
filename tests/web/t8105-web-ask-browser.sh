#!/bin/sh
# Headless Chromium at a phone's size through the owner's help desk: the
# menu to it, a question answered from the FAQ, 转人工 handed to the desk.
. "$PM_TOP/tests/web/lib.sh"

need_browser
shots=${PM_WEB_SHOTS:-$PM_BIN/../web-shots}/pages
web_store
pm-ask faq import >/dev/null
web_start
browser_checks browser_pages.py "$shots" ask
expect_eq "$(sql "SELECT kind || ' ' || category || ' ' || submitted_by FROM ticket")" "suggestion feedback owner1" \
	"the store has owner1's question as a ticket for the desk"
expect_eq "$(sql "SELECT asker || ' ' || unit || ' ' || reason FROM ask_gap")" "owner1 1-1-101 human" "kept for the review"
expect_eq "$(ls "$shots" | grep -c '^ask-.*\.png$')" 3 "three screenshots saved in $shots"
done_testing
