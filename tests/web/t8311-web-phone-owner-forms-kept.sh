#!/bin/sh
# Headless Chromium on a small phone (360 x 740) asking for zh-CN: an
# owner's renovation application ending before it starts, notification
# preferences with an address of two @, and a question of 240 characters
# to the help desk come back as their forms, filled in as sent, saying
# why in the form's words (完工日期, not the last day of work), 400; fixed,
# each is taken once. Screenshots in owner-forms/ of $PM_WEB_SHOTS.
. "$PM_TOP/tests/web/lib.sh"

need_browser
shots=${PM_WEB_SHOTS:-$PM_BIN/../web-shots}/owner-forms
rm -rf "$shots"
web_owner4_store
pm-ask faq import >/dev/null
web_start
browser_checks browser_phone.py "$shots" owner-forms
expect_eq "$(sql "SELECT count(*) || ':' || group_concat(from_day || ':' || to_day) FROM renovation")" \
	"1:2026-12-20:2027-01-20" "one renovation, of the dates fixed"
expect_eq "$(sql "SELECT p.channels || ':' || p.optout || ':' || p.email FROM notify_pref p JOIN person x ON x.id = p.person_id WHERE x.code = 'P4'")" \
	"email:repair:zhaomin@example.com" "the preferences as fixed"
done_testing
