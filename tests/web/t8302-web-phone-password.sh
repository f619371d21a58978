#!/bin/sh
# Headless Chromium on a small phone (360 x 740) asking for zh-CN: an
# owner reads an announcement, changes the password from the menu (a
# wrong current password and new ones that differ come back as the form,
# saying so), and signs out; the change signs out their other phone, the
# old password no longer signs in, the new one does. Screenshots in
# account/ of $PM_WEB_SHOTS (default: web-shots beside the build's bin).
. "$PM_TOP/tests/web/lib.sh"

need_browser
shots=${PM_WEB_SHOTS:-$PM_BIN/../web-shots}/account
rm -rf "$shots"
web_owner4_store
echo '12 月 3 日 9:00 至 12:00 三号楼停水，请提前储水。' >"$T/ann.txt"
pm-notify announce -q --title 停水通知 --body "$T/ann.txt" --to building:3 >/dev/null ||
	echo "not ok - the announcement"
web_start
browser_checks browser_phone.py "$shots" account
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'user.passwd' AND object = 'user:owner4'")" 1 \
	"the change is audited once"
expect_eq "$(sql "SELECT count(*) FROM web_signin WHERE login = 'owner4' AND ok = 0")" 2 \
	"the wrong current password and the old one at sign-in counted as failed sign-ins"
done_testing
