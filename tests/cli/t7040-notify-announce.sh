#!/bin/sh
# pm-notify announce, announcements, rsvp, rsvps: targets, the rendered
# message, dedupe on a second push, pin and end-date order, event places,
# who may do what.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/notify/sinks.sh"
make_community
export PM_NOW=2026-12-01T10:00:00+08:00
# 王芳 (P004) also rents 5-1-0301; 5-1-0302 stands empty.
printf '{"code":"5-1-0302","area":"60.00","delivered":"2020-06-30"}\n' >more.jsonl
run pm unit import more.jsonl
printf '{"code":"P004","name":"王芳","phone":"13800000004","unit":"5-1-0301","role":"tenant"}\n' >more.jsonl
run pm person import more.jsonl
printf '12月3日 9:00-17:00 管道检修，3号楼停水。\n请提前储水。\n\n' >water.txt
printf '周六上午在中心花园举办亲子运动会。\n' >games.txt

# To everyone, on stdout: the owners and tenants of every occupied unit,
# each once, not family members.
run pm-notify announce --title 停水通知 --body water.txt --to all --channel stdout --flush
expect_rc 0 "announce to all"
expect_out '^\{"type":"announcement","id":1,"title":"停水通知","body":"12月3日 9:00-17:00 管道检修，3号楼停水。\\n请提前储水。","target":"all","pinned":false,"until":null,"capacity":null,"taken":0,"created_at":"2026-12-01T10:00:00\+08:00","created_by":"[^"]+"\}$' \
	"prints the stored announcement, the body without its trailing blank lines"
expect_out '^\{"type":"message","id":1,"template":"announcement","ref":"1","channel":"stdout","recipient":"P001","address":"","subject":"幸福里 公告：停水通知","text":"停水通知\\n\\n12月3日 9:00-17:00 管道检修，3号楼停水。\\n请提前储水。"\}$' \
	"the stdout channel prints the rendered announcement template"
expect_eq "$(grep '"type":"message"' "$T/out" | sed 's/.*"recipient":"\([^"]*\)".*/\1/' | tr '\n' ' ')" "P001 P002 P004 P005 " \
	"owners and tenants of every occupied unit, no family member"
expect_err 'announcement 1: units 3; messages: queued 4, duplicate 1, opted out 0, no address 0' \
	"P004 lives in two units and is told once"
expect_eq "$(sql "SELECT title || '|' || target || '|' || pinned || '|' || coalesce(until, '-') || '|' || created_by FROM announcement")" \
	"停水通知|all|0|-|$(id -un)" "stored with who made it"
expect_eq "$(sql "SELECT count(*) FROM outbox WHERE ref = '1' AND status = 'sent'")" 4 "and the messages marked sent"

# A second push of the same announcement sends nothing twice, today or later.
run pm-notify announce 1 --channel stdout --flush
expect_rc 0 "announcing id 1 again"
expect_eq "$(grep -c '"type":"message"' "$T/out")" 0 "sends nothing"
expect_err 'announcement 1: units 3; messages: queued 0, duplicate 5' "every message is a duplicate"
PM_NOW=2026-12-09T10:00:00+08:00 run pm-notify announce 1 --channel stdout
expect_eq "$(sql "SELECT count(*) FROM outbox WHERE ref = '1'")" 4 "a week later still nothing new"
printf '{"code":"P006","name":"孙丽","phone":"13800000006","unit":"5-1-0302","role":"tenant"}\n' >new.jsonl
run pm person import new.jsonl
run pm-notify announce 1 --channel stdout --flush
expect_eq "$(grep '"type":"message"' "$T/out" | sed 's/.*"recipient":"\([^"]*\)".*/\1/')" "P006" \
	"only a resident who moved in since is told"

# A building, a unit; by preferences when no --channel.
run pm-notify prefs set P002 --optout announcement
run pm-notify announce --title 电梯维保 --body water.txt --to building:3
expect_rc 0 "announce to a building"
expect_eq "$(sql "SELECT group_concat(recipient || ':' || channel || ':' || unit, ' ') FROM outbox WHERE ref = '2'")" \
	"P001:sms:3-2-1101 P004:sms:3-2-1102" "its residents, by sms, the tenant who opted out left alone"
expect_err 'units 2; messages: queued 2, duplicate 0, opted out 1' "the opt-out is counted"
run pm-notify announce --title 水表更换 --body water.txt --to unit:5-1-0301 --channel email
expect_eq "$(sql "SELECT count(*) FROM outbox WHERE ref = '3'")" 0 "no one there has an e-mail address"
expect_err 'units 1; messages: queued 0, duplicate 0, opted out 0, no address 2' "both are counted without one"
run pm-notify announce --title 空房 --body water.txt --to unit:3-2-1102 --channel sms
expect_eq "$(sql "SELECT recipient FROM outbox WHERE ref = '4'")" "P004" "one unit's owner"

# Bad announcements store nothing.
run pm-notify announce --title x --body water.txt --to building:9
expect_rc 65 "an unknown building"
expect_err "no building '9'" "is named"
run pm-notify announce --title x --body water.txt --to unit:9-9-999
expect_err "no unit '9-9-999'" "an unknown unit is named"
run pm-notify announce --title x --body water.txt --to floor:3
expect_err "unknown target 'floor:3': expected all, building:CODE or unit:CODE" "a bad target is named"
run pm-notify announce --title x --body water.txt --to all --until 2026-11-30
expect_rc 65 "an end date already past"
expect_err "the end date '2026-11-30' is already past" "is refused"
run pm-notify announce --title x --body nowhere.txt --to all
expect_rc 66 "a missing body file"
expect_err "cannot open 'nowhere.txt'" "is named"
: >empty.txt
run pm-notify announce --title x --body empty.txt --to all
expect_err "the body is empty" "an empty body is refused"
run pm-notify announce --title '' --body water.txt --to all
expect_err "the title is empty" "an empty title is refused"
run pm-notify announce --title x --to all
expect_rc 2 "--body is required"
run pm-notify announce 1 --title x
expect_rc 2 "announcing an id again takes no new fields"
run pm-notify announce 99
expect_rc 65 "an unknown id"
expect_err "no announcement 99" "is named"
expect_eq "$(sql "SELECT count(*) FROM announcement")" 4 "none of them stored"

# Order: pinned first, newest first; past their end only with --all.
PM_NOW=2026-12-02T09:00:00+08:00 run pm-notify announce --title 年终大扫除 --body water.txt --to all --channel stdout --pin --until 2026-12-10
PM_NOW=2026-12-03T09:00:00+08:00 run pm-notify announce --title 圣诞活动 --body games.txt --to all --channel stdout --until 2026-12-25
PM_NOW=2026-12-04T09:00:00+08:00 run pm-notify announce --title 停车场施工 --body water.txt --to all --channel stdout --pin
PM_NOW=2026-12-05T09:00:00+08:00 run pm-notify announcements --format tsv
expect_eq "$(cut -f2 "$T/out" | tr '\n' ' ')" "title 停车场施工 年终大扫除 圣诞活动 空房 水表更换 电梯维保 停水通知 " \
	"pinned first, then newest first"
PM_NOW=2026-12-11T09:00:00+08:00 run pm-notify announcements --format tsv
expect_eq "$(cut -f2 "$T/out" | tr '\n' ' ')" "title 停车场施工 圣诞活动 空房 水表更换 电梯维保 停水通知 " \
	"the day after its end an announcement is gone"
PM_NOW=2026-12-11T09:00:00+08:00 run pm-notify announcements --all --format tsv
expect_out '年终大扫除.*2026-12-10' "--all lists it still"
PM_NOW=2026-12-11T09:00:00+08:00 run pm-notify announce 5
expect_rc 1 "an ended announcement is not pushed again"
expect_err "announcement 5 ended on 2026-12-10" "and says when it ended"
run pm-notify announcements --format table
expect_eq "$(wc -l <"$T/out")" 8 "a table keeps each announcement to one line"

# Events: places, idempotent sign-ups, cancelling.
run pm-notify announce --title 亲子运动会 --body games.txt --to building:3 --capacity 5 --channel stdout
expect_rc 0 "an event"
run pm-notify rsvp 8 --person P001 --count 2
expect_rc 0 "a sign-up"
expect_out '^\{"type":"rsvp","announcement":8,"person":"P001","name":"张伟","count":2,' "prints the sign-up"
run pm-notify rsvp 8 --person P001 --count 2
expect_rc 0 "the same sign-up again"
expect_eq "$(sql "SELECT count(*) || ':' || sum(count) FROM rsvp")" "1:2" "changes nothing"
run pm-notify rsvp 8 --person P001 --count 3
expect_eq "$(sql "SELECT count(*) || ':' || sum(count) FROM rsvp")" "1:3" "a second sign-up changes the count"
run pm-notify rsvp 8 --person P004 --count 3
expect_rc 1 "more places than are left"
expect_err "announcement 8 has 2 of 5 places left, 3 asked for" "are refused, saying how many are left"
run pm-notify rsvp 8 --person P004 --count 2
expect_rc 0 "the last two places"
run pm-notify rsvp 8 --person P002
expect_rc 1 "a full event"
expect_err "announcement 8 is full: all 5 places are taken" "says so"
run pm-notify rsvp 8 --person P001 --count 4
expect_err "announcement 8 has 3 of 5 places left, 4 asked for" "a person's own places count as free when they change"
run pm-notify rsvps 8 --format tsv
expect_eq "$(cut -f2,4 "$T/out" | tr '\t\n' ': ')" "person:count P001:3 P004:2 " "rsvps lists the sign-ups in order"
expect_err "announcement 8: 5 of 5 places taken" "with the places taken of the capacity"
run pm-notify rsvp 8 --person P001 --cancel
expect_rc 0 "cancelling"
expect_out '"person":"P001","name":"张伟","count":0' "prints the sign-up with no places"
run pm-notify rsvp 8 --person P001 --cancel
expect_rc 0 "cancelling again"
expect_err "'P001' was not signed up for announcement 8" "says there was nothing to cancel"
run pm-notify rsvp 8 --person P002
expect_rc 0 "a cancelled place is free again"
run pm-notify rsvp 8 --person P999
expect_rc 65 "an unknown person"
expect_err "no person 'P999'" "is named"
run pm-notify rsvp 1 --person P001
expect_rc 1 "an announcement with no capacity"
expect_err "announcement 1 takes no sign-ups: it has no capacity" "takes no sign-ups"
run pm-notify rsvp 8 --person P001 --cancel --count 2
expect_rc 2 "--cancel with --count is a usage error"
run pm-notify rsvp 8
expect_rc 2 "--person is required"
PM_NOW=2026-12-11T09:00:00+08:00 run pm-notify rsvp 5 --person P001
expect_rc 1 "an ended announcement"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'notify.rsvp'")" 5 \
	"every sign-up that changed something is audited, and only those"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'notify.announce'")" 11 "every announce and push again too"
expect_eq "$(sql "SELECT json_extract(after, '$.queued') || ':' || json_extract(after, '$.duplicate') FROM audit WHERE action = 'notify.announce' AND object = 'announcement:1' ORDER BY id LIMIT 1")" \
	"4:1" "with what it queued"

# Who may: staff at the front desk announce; owners read what is for them
# and sign up only themselves.
run pm user add zhou --role frontdesk
run pm user add wang --role technician --person P005
run pm user add zw --role owner --person P001
run pm user add zl --role owner --person P005
run pm-notify --as zhou announce --title 通知 --body games.txt --to unit:5-1-0301 --channel stdout
expect_rc 0 "the front desk announces"
run pm-notify --as wang announce --title 通知 --body games.txt --to all
expect_rc 77 "a technician may not"
run pm-notify --as wang announcements --format tsv
expect_rc 0 "but reads the notice board"
expect_eq "$(($(wc -l <"$T/out") - 1))" 9 "all of it"
run pm-notify --as zl announcements --all --format tsv
expect_eq "$(cut -f2 "$T/out" | tr '\n' ' ')" "title 停车场施工 年终大扫除 圣诞活动 通知 水表更换 停水通知 " \
	"an owner sees what is addressed to everyone or to their own unit, not building 3's"
run pm-notify --as zw rsvp 8 --person P001
expect_rc 0 "an owner signs up themselves"
run pm-notify --as zw rsvp 8 --person P004
expect_rc 77 "but not another person"
expect_err "user 'zw' \(owner\) may not sign up 'P004'" "says so"
run pm-notify --as zl rsvp 8 --person P005
expect_rc 77 "nor for an event not addressed to them"
expect_err "announcement 8 is not addressed to 'P005'" "says so"
run pm-notify --as zw rsvps 8
expect_rc 77 "owners do not see who else signed up"
run pm-notify --as zhou rsvp 8 --person P005
expect_rc 0 "the front desk signs anyone up"

# pm check: no event holds more than its places.
run pm check
expect_rc 0 "the store is sound"
sql "UPDATE rsvp SET count = 9 WHERE person_id = (SELECT id FROM person WHERE code = 'P004')"
run pm check --format jsonl
expect_rc 1 "too many places"
expect_out '"check":"rsvp.capacity","problem":"announcement 8: 12 places signed up for, 5 to have"' "are a problem pm check names"
done_testing
