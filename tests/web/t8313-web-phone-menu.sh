#!/bin/sh
# Headless Chromium on a small phone (360 x 740) asking for zh-CN: the
# owner's menu of 15 items was one bar scrolling sideways, most items off
# the screen. On every owner page neither the page nor the menu scrolls
# sideways, and every item is reached by a tap on the screen (the less
# used behind 更多, a <details>: no script). Screenshots in menu/ of
# $PM_WEB_SHOTS.
. "$PM_TOP/tests/web/lib.sh"

need_browser
shots=${PM_WEB_SHOTS:-$PM_BIN/../web-shots}/menu
rm -rf "$shots"
web_owner4_pages_store
web_start
browser_checks browser_phone.py "$shots" menu
done_testing
