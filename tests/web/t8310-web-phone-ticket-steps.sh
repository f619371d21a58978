#!/bin/sh
# Headless Chromium on a small phone (360 x 740) asking for zh-CN: a
# ticket's steps refused come back as the ticket's page, not an error
# page, saying why in the page's words: an accept the desk made first
# (409, and the assign form is there to go on), a charge typed as “30元”
# (400, the resolve form filled in as typed, the page's other forms
# not), a rating and a reopening another phone of the owner's made first
# (409). Screenshots in steps/ of $PM_WEB_SHOTS.
. "$PM_TOP/tests/web/lib.sh"

need_browser
shots=${PM_WEB_SHOTS:-$PM_BIN/../web-shots}/steps
rm -rf "$shots"
web_owner4_store
web_start
browser_checks browser_phone.py "$shots" steps
expect_eq "$(sql "SELECT status || ':' || assignee || ':' || coalesce(cost_fen, '') || ':' || stars || ':' || rating_comment FROM ticket")" \
	"reopened:tech:3000:5:修得很快" "one ticket: charged 30.00 once, rated once, reopened"
expect_eq "$(sql "SELECT group_concat(action, ' ') FROM (SELECT action FROM ticket_event ORDER BY id)")" \
	"submit accept assign start resolve rate reopen" "each step once"
done_testing
