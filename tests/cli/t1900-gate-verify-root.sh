#!/bin/sh
# pm-gate verify as root, and as any caller pm does not map to a user:
# root is the store's admin (as for every program, lib/auth.c), an
# unmapped account a viewer; the lookup that found no mapped user is no
# error, so a deny says its reason on stdout and exit 1 and nothing on
# stderr (it used to print "pm-gate: no user 'root'").
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
make_gate_community

run pm-gate visitor request --unit 1-1-0101 --name 刘洋 --from 2026-12-01T10:00:00+08:00 --until 2026-12-01T18:00:00+08:00
run pm-gate visitor approve 1 --format jsonl
token=$(json_field token)
me=$(id -un)

PM_NOW=2026-12-01T10:30:00+08:00 run pm-gate verify "$token" --gate north
expect_rc 0 "allowed"
expect_eq "$(cat "$T/err")" "" "nothing on stderr"
PM_NOW=2026-12-01T19:00:00+08:00 run pm-gate verify "$token" --gate north
expect_rc 1 "an expired pass is denied"
expect_out '^\{"type":"verify","result":"deny","reason":"expired",' "saying why on stdout"
expect_eq "$(cat "$T/err")" "" "and nothing on stderr"
run pm-gate verify "${token}A" --gate north
expect_rc 1 "an altered token is denied"
expect_eq "$(cat "$T/err")" "" "with nothing on stderr"
expect_eq "$(sql "SELECT result, by_login FROM pass_use ORDER BY id")" \
	"allow|$me
expired|$me" "each opened pass's use recorded by the caller"

# A caller pm refuses still hears why.
run pm-gate --as nobody.known verify "$token" --gate north
expect_rc 77 "--as an unknown user"
expect_err "^pm-gate: no user 'nobody.known'$" "says there is no such user"

if [ "$(id -u)" = 0 ]; then
	expect_eq "$me" root "(running as root)"
	PM_NOW=2026-12-01T10:40:00+08:00 run pm-gate verify "$token" --gate north --format jsonl
	run pm-gate visitor request --unit 1-1-0102 --name 王磊 --from 2026-12-01T10:00:00+08:00 --until 2026-12-01T18:00:00+08:00
	expect_rc 0 "unmapped root is admin: it may request a visit"
	need_accounts nobody
	chmod 644 "$PM_DB"
	chmod 666 "$PM_DB-wal" "$PM_DB-shm"
	PM_NOW=2026-12-01T18:50:00+08:00 run_as nobody pm-gate verify "$token" --gate garage
	expect_rc 1 "an unmapped account: an expired pass is denied"
	expect_out '"reason":"expired",.*"recorded":false' "as expired, unrecorded on a store it may only read"
	expect_eq "$(cat "$T/err")" "" "with nothing on stderr"
	run_as nobody pm-gate visitor request --unit 1-1-0102 --name 某人 --from 2026-12-01T10:00:00+08:00 --until 2026-12-01T18:00:00+08:00
	expect_rc 77 "an unmapped account is a viewer"
	expect_err "^pm-gate: user 'nobody' \(viewer\) may not do 'visitor.request'$" "and says so"
fi
done_testing
