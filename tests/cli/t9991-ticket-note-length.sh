#!/bin/sh
# A ticket's notes, comments and rating comments had no limit but the web
# form's maxlength: any client could store a megabyte on the timeline.
# The library takes at most PM_TICKET_NOTE_MAX (1000) characters, a
# Chinese character counting one, and refuses longer with exit 65,
# saying so (in Chinese too), writing nothing.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

run pm init
run pm config apply "$PM_TOP/share/pm/examples/pm.yaml"
feed '{"code":"1-1-101","area":"89.50","delivered":"2019-06-30"}\n' pm unit import
run pm-repair submit -q --unit 1-1-101 --category electrical --text 灯不亮
run pm-repair accept 1 -q
# 1000 and 1001 characters, three bytes each.
ok=$(printf '灯%.0s' $(seq 1000))
long=${ok}灯
events() { sql "SELECT count(*) FROM ticket_event"; }
n=$(events)

run pm-repair comment 1 --text "$long"
expect_rc 65 "a comment of 1001 characters refused"
expect_err 'the comment is 1001 characters long: at most 1000, shorten it' "saying so"
LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 run pm-repair comment 1 --text "$long"
expect_err '留言有 1001 个字，最多 1000 个字，请删减' "in Chinese too"
run pm-repair hold 1 --reason "$long"
expect_rc 65 "a hold's reason of 1001 characters refused"
expect_err 'the note is 1001 characters long' "saying so"
expect_eq "$(events)" "$n" "nothing written"
expect_eq "$(sql "SELECT status FROM ticket WHERE id = 1")" accepted "the ticket where it was"
run pm-repair comment 1 --text "$ok"
expect_rc 0 "1000 characters are taken"
expect_eq "$(sql "SELECT length(note) FROM ticket_event WHERE action = 'comment'")" 1000 "all of them"
run pm user add tech --role technician
run pm-repair assign 1 --to tech -q
run pm-repair start 1 -q
run pm-repair resolve 1 --note 换了灯管 -q
expect_rc 0 "resolved"
run pm-repair rate 1 --stars 4 --comment "$long"
expect_rc 65 "a rating's comment of 1001 characters refused"
expect_err "the rating's comment is 1001 characters long" "saying so"
expect_eq "$(sql "SELECT coalesce(stars, 'none') FROM ticket WHERE id = 1")" none "not rated"
run pm-repair reopen 1 --reason "$long"
expect_rc 65 "a reopening's reason of 1001 characters refused"
done_testing
