#!/bin/sh
# Headless Chromium at a phone's size through an owner's vote: the list,
# the ballot form clicked, the ballot changed, the count on the page.
# Screenshots are kept in govern/ of $PM_WEB_SHOTS (default: web-shots
# beside the build's bin).
. "$PM_TOP/tests/web/lib.sh"

command -v chromium >/dev/null || command -v chromium-browser >/dev/null ||
	{ echo "# SKIP: no chromium (make deps installs it)"; exit 0; }
shots=${PM_WEB_SHOTS:-$PM_BIN/../web-shots}/govern
web_store
pm-govern -q vote new --title 续聘物业服务企业 --matter manager --closes 2026-12-31 >/dev/null
web_start
python3 "$PM_TOP/tests/web/browser_govern.py" "$BASE" "$shots" "$PW" >"$T/browser" 2>&1
while read -r verdict what; do
	case $verdict in
	PASS) _report 1 "$what" ;;
	FAIL) _report 0 "$what" ;;
	*) _report 0 "browser_govern.py: $verdict $what" ;;
	esac
done <"$T/browser"
expect_eq "$(sql "SELECT u.code || ' ' || b.choice || ' ' || b.entered_by FROM ballot b JOIN unit u ON u.id = b.unit_id")" \
	"1-1-101 no owner1" "the store has owner1's changed ballot"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action LIKE 'govern.ballot%'")" 2 "cast and changed, both audited"
expect_eq "$(ls "$shots" | grep -c '^govern-.*\.png$')" 4 "four screenshots saved in $shots"
done_testing
