#!/bin/sh
# Headless Chromium at a phone's size through an owner's ballot in an
# election with options: the boxes of the candidates, two ticked and
# cast, the ballot changed to another candidate, three ticked for two
# seats refused; the store has the changed ballot and its audit.
. "$PM_TOP/tests/web/lib.sh"

need_browser
shots=${PM_WEB_SHOTS:-$PM_BIN/../web-shots}/govern
web_store
pm-govern -q vote new --title 业主委员会选举 --matter committee --options 张三,李四,王五 --seats 2 \
	--closes 2026-12-31 >/dev/null
web_start
browser_checks browser_govern.py "$shots" options
expect_eq "$(sql "SELECT group_concat(o.name, ' ') FROM (SELECT o.name FROM ballot_option bo JOIN vote_option o ON o.id = bo.option_id JOIN ballot b ON b.id = bo.ballot_id JOIN unit u ON u.id = b.unit_id WHERE u.code = '1-1-101' ORDER BY o.position) o")" \
	"张三 李四" "the store has owner1's ballot for 张三 and 李四"
expect_eq "$(sql "SELECT b.choice || ' ' || b.entered_by FROM ballot b")" "yes owner1" "one ballot, owner1's own"
expect_eq "$(sql "SELECT json_extract(before, '\$.options[1]') || '>' || json_extract(after, '\$.options[1]') FROM audit WHERE action = 'govern.ballot.change'")" \
	"王五>李四" "the change audited; the refused ballot wrote nothing"
expect_eq "$(ls "$shots" | grep -c '^govern-options-.*\.png$')" 4 "four screenshots saved in $shots"
done_testing
