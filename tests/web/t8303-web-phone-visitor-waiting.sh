#!/bin/sh
# Headless Chromium on a small phone (360 x 740) asking for zh-CN: a
# visitor the gate asked about (pm-gate visitor request) waits on the
# owner's home page, with when; a tap opens the request, 同意 issues the
# pass with its QR code, and the home page stops asking. Before, the
# owner learned of it only by opening 访客. Screenshots in visitor/ of
# $PM_WEB_SHOTS (default: web-shots beside the build's bin).
. "$PM_TOP/tests/web/lib.sh"

need_browser
shots=${PM_WEB_SHOTS:-$PM_BIN/../web-shots}/visitor
rm -rf "$shots"
web_owner4_store
pm-gate visitor request -q --unit 3-2-1101 --name 快递员 --from 2026-12-01T10:00:00+08:00 \
	--until 2026-12-01T11:00:00+08:00 >/dev/null || echo "not ok - the gate's request"
pm-gate visitor request -q --unit 1-1-101 --name 送水工 --from 2026-12-01T10:00:00+08:00 \
	--until 2026-12-01T11:00:00+08:00 >/dev/null || echo "not ok - a request for another unit"
web_start
browser_checks browser_phone.py "$shots" visitor
expect_eq "$(sql "SELECT group_concat(name || ':' || status || ':' || coalesce(decided_by, ''), ' ') FROM visitor")" \
	"快递员:approved:owner4 送水工:pending:" "owner4 approved theirs; another unit's still waits"
done_testing
