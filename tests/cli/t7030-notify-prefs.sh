#!/bin/sh
# Residents' preferences: channels, opt-outs, legal notices, who may set them.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/notify/sinks.sh"
make_community
export PM_NOW=2026-12-01T10:00:00+08:00

run pm-notify prefs set P001 --channels email,sms --email zw@example.com --optout bill,announcement
expect_rc 0 "prefs set"
run pm-notify prefs show P001 --format jsonl
expect_out '^\{"type":"prefs","person":"P001","channels":"email,sms","optout":"bill,announcement","email":"zw@example.com"\}$' \
	"prefs show"
run pm-notify prefs show P002 --format jsonl
expect_out '"channels":"","optout":"","email":null' "a person who set nothing has empty preferences"
run pm-notify prefs set P001 --channels fax
expect_rc 65 "an unknown channel is refused"
expect_err "unknown channel 'fax'" "and named"
run pm-notify prefs set P001 --optout parking
expect_err "unknown category 'parking'" "an unknown category is named"
run pm-notify prefs set P001 --email not-an-address
expect_err "'not-an-address' is not an e-mail address" "a bad address is named"
run pm-notify prefs set P999 --channels sms
expect_err "no person 'P999'" "an unknown person is named"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'notify.prefs'")" 1 "only the change that worked is audited"

feed "$bill\n" pm-notify send --template bill_issued
expect_err 'messages: queued 1, duplicate 0, opted out 1, no address 0' "the owner opted out of bills"
expect_eq "$(sql "SELECT recipient || ':' || channel FROM outbox")" "P002:sms" "the tenant gets the default, sms"
feed "$bill\n" pm-notify send --template bill_overdue
expect_eq "$(sql "SELECT recipient || ':' || channel || ':' || address FROM outbox WHERE template = 'bill_overdue' ORDER BY id")" \
"P001:email:zw@example.com
P001:sms:13800000001
P002:sms:13800000002" "an overdue bill is a legal notice: sent despite the opt-out, on each chosen channel"
run pm-notify prefs set P001 --email ''
feed "$bill\n" pm-notify send --template bill_overdue --channel email
expect_err 'no address 2' "without an address no e-mail is queued, and that is counted"

run pm user add zw --role owner --person P001
run pm-notify --as zw prefs set P001 --optout ''
expect_rc 0 "an owner sets their own preferences"
expect_eq "$(sql "SELECT optout FROM notify_pref p JOIN person x ON x.id = p.person_id WHERE x.code = 'P001'")" "" "opt-outs cleared"
run pm-notify --as zw prefs show P002
expect_rc 77 "but not another person's"
expect_err "may not see or change the preferences of 'P002'" "says so"
done_testing
