#!/bin/sh
# Headless Chromium on a small phone (360 x 740) asking for zh-CN: a form
# sent with a mistake comes back as it was typed, saying in Chinese what
# to fix (a repair with a text file for its photo, a visitor leaving
# before coming, cash typed with a full-width digit), instead of an error
# page whose only link is the home page; the fixed form, its button
# tapped twice, makes one ticket, one pass, one payment. Screenshots in
# forms/ of $PM_WEB_SHOTS (default: web-shots beside the build's bin).
. "$PM_TOP/tests/web/lib.sh"

need_browser
shots=${PM_WEB_SHOTS:-$PM_BIN/../web-shots}/forms
rm -rf "$shots"
web_owner4_store
echo '这不是照片' >"$T/photo.jpg"
chmod a+r "$T/photo.jpg"
web_start
browser_checks browser_phone.py "$shots" forms "$PM_TOP/tests/web/data/leak.jpg" "$T/photo.jpg"
expect_eq "$(sql "SELECT count(*) || ':' || group_concat(category || ':' || text) FROM ticket")" \
	"1:electrical:客厅插座冒火花" "one ticket, of what was typed the first time"
expect_eq "$(sql "SELECT count(*) FROM ticket_photo")" 1 "with its photo"
expect_eq "$(sql "SELECT count(*) || ':' || group_concat(name || ':' || status) FROM visitor")" "1:王小明:approved" \
	"one visitor pass"
expect_eq "$(sql "SELECT count(*) || ':' || group_concat(amount_fen) FROM payment")" "1:29700" "one cash payment of 297.00"
done_testing
