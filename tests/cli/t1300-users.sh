#!/bin/sh
# Users, roles and the permission table.
. "$PM_TOP/tests/cli/lib.sh"

run pm init
feed '{"code":"1-1-101","area":"80","delivered":"2020-06-30"}\n{"code":"1-1-102","area":"90","delivered":"2020-06-30"}\n' pm unit import
feed '{"code":"P1","name":"业主甲","unit":"1-1-101"}\n{"code":"P2","name":"业主乙","unit":"1-1-102"}\n' pm person import
run pm user add fd1 --role frontdesk
expect_rc 0 "add a front-desk user"
echo 'correct horse battery' >pw
run_in pw pm user add owner1 --role owner --person P1 --password-stdin
expect_rc 0 "add an owner with a password"
expect_eq "$(cat "$T/out")" "" "quietly"
expect_eq "$(sql "SELECT substr(pwhash, 1, 10) FROM user WHERE login = 'owner1'")" '$argon2id$' "the password is an argon2id hash"
run pm user add owner2 --role owner
expect_rc 65 "an owner needs a person"
run pm user add x --role owner --person P9
expect_rc 65 "an unknown person is refused"
expect_err "no person 'P9'" "and named"
expect_eq "$(sql "SELECT count(*) FROM user WHERE login = 'x'")" "0" "and no user is left behind"
run pm user add fd1 --role guard
expect_rc 65 "a login is unique"
run pm user add bad --role janitor
expect_rc 2 "an unknown role is refused as a bad option value (usage)"
# A login is how the audit names who did what: "zhao" and "zhao" with a
# zero-width space after it would be two users printed alike.
run pm user add "$(printf 'fd1\342\200\213')" --role admin
expect_rc 65 "a login ending in a zero-width space is refused"
expect_err 'field "login": byte 4 is U\+200B, a blank, invisible or combining character' "naming the byte"
run pm user add "$(printf 'fd\033[2J')" --role frontdesk
expect_rc 65 "a login with an escape sequence is refused"
expect_err 'field "login": byte 3 is U\+001B, a control character' "as a control character"
expect_eq "$(sql "SELECT count(*) FROM user WHERE login LIKE 'fd%'")" "1" "and neither is stored"

run pm --as owner1 unit show 1-1-101 --format jsonl
expect_rc 0 "an owner sees their own unit"
run pm --as owner1 unit show 1-1-102
expect_rc 77 "an owner may not see another unit"
expect_err "user 'owner1' may not see unit '1-1-102'" "and is told so"
PM_USER=owner1 run pm unit show 1-1-102
expect_rc 77 "PM_USER acts the same as --as"
run pm --as owner1 unit import /dev/null
expect_rc 77 "an owner may not import units"
expect_err "user 'owner1' \(owner\) may not do 'unit.write'" "the message names user, role and action"
run pm --as fd1 user add y --role admin
expect_rc 77 "front desk may not add users"
run pm --as nobody unit list
expect_rc 77 "an unknown user is refused"
run pm user disable fd1
expect_rc 0 "disable a user"
run pm --as fd1 unit list
expect_rc 77 "a disabled user is refused"
expect_err "user 'fd1' is disabled" "saying so"
echo 'short' >pw2
run_in pw2 pm user passwd owner1
expect_rc 65 "a short password is refused"
run pm user list --format tsv
expect_out "^owner1	owner	P1					false$" "user list shows role, person and Unix account"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action LIKE 'user.%'")" "3" "user changes are audited"
done_testing
