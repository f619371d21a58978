#!/bin/sh
# Headless Chromium on a small phone (360 x 740) asking for zh-CN: every
# link and button of the owner's pages (the menu opened) is at least 44 x
# 44 CSS px, or 40 x 40 with nothing else to press beside it, as mobile
# guidance asks of a fingertip's target; they were 13 to 22 px tall.
# Screenshots in taps/ of $PM_WEB_SHOTS.
. "$PM_TOP/tests/web/lib.sh"

need_browser
shots=${PM_WEB_SHOTS:-$PM_BIN/../web-shots}/taps
rm -rf "$shots"
web_owner4_pages_store
web_start
browser_checks browser_phone.py "$shots" taps
done_testing
