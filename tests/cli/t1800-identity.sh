#!/bin/sh
# Who may do what: the caller is the Unix account. An unmapped account
# that may read the store reads as a viewer; mapped accounts are their pm
# users; --as is for admins and service accounts only; the audit names
# both who ran a change and for whom.
. "$PM_TOP/tests/cli/lib.sh"
need_accounts nobody daemon www-data backup

# The store and its staff group (staff: rw through the group).
run pm init --group staff
expect_rc 0 "a store for the staff group"
feed '{"code":"1-1-101","area":"80","delivered":"2020-01-01"}\n{"code":"1-1-102","area":"90","delivered":"2020-01-01"}\n' pm unit import
feed '{"code":"P1","name":"业主甲","phone":"13800000001","unit":"1-1-101"}\n{"code":"P2","name":"业主乙","phone":"13800000002","unit":"1-1-102"}\n' pm person import
run pm user add admin --role admin
run pm user add sun.tech --role technician --unix daemon
expect_rc 0 "a technician mapped to a Unix account"
run pm user add owner1 --role owner --person P1 --unix www-data
run pm user add web --role service --unix backup
expect_rc 0 "a service account for the web front end"
run pm user add ghost --role technician --unix no-such-account-1800
expect_rc 65 "a Unix account that does not exist is refused"
expect_err "no Unix account 'no-such-account-1800'" "and named"
run pm user add sun2 --role guard --unix daemon
expect_rc 65 "one pm user per Unix account"
expect_err "Unix account 'daemon' is user 'sun.tech' already" "saying whose it is"
run pm user list --format tsv
expect_out "^sun.tech	technician		daemon				false$" "user list shows the Unix account"
printf '{"code":"3-3-301","area":"70"}\n' >unit.jsonl
printf '{"code":"P9","name":"新人"}\n' >person.jsonl
printf 'effective: 2026-01-01\ncommunity:\n  name: x\n' >pm.yaml

# An unmapped account in the group: a viewer.
run_as nobody:staff pm unit list --format tsv
expect_rc 0 "a viewer lists units"
expect_out "^1-1-102	" "all of them"
run_as nobody:staff pm unit show 1-1-101 --format jsonl
expect_rc 0 "a viewer shows a unit"
expect_out '"code":"1-1-101"' "the unit"
if grep -q 'occupants\|业主甲\|138' "$T/out"; then expect_eq "$(cat "$T/out")" "no person" "a viewer sees no person"
else expect_eq ok ok "a viewer sees no person, no name, no phone"; fi
run_as nobody:staff pm config show --format jsonl
expect_rc 0 "a viewer reads the configuration"
run_as nobody:staff pm-meter list
expect_rc 0 "and the meters"
for cmd in "pm person list" "pm person show P1" "pm audit" "pm user list" "pm check" "pm-bill list"; do
	# shellcheck disable=SC2086
	run_as nobody:staff $cmd
	expect_rc 77 "a viewer may not run '$cmd'"
done
expect_err "user 'nobody' \(viewer\) may not do 'bill.read'" "naming user, role and action"
for cmd in "pm unit import unit.jsonl" "pm person import person.jsonl" "pm user add x --role admin" \
	   "pm config apply pm.yaml" "pm backup b.db" "pm occupancy end --unit 1-1-101 --person P1" \
	   "pm-meter add W9 --kind water --serves 1-1-101"; do
	# shellcheck disable=SC2086
	run_as nobody:staff $cmd
	expect_rc 77 "a viewer may not write: '$cmd'"
done
run_as nobody:staff pm --as admin unit list
expect_rc 77 "a viewer may not act as admin"
expect_err "user 'nobody' \(viewer\) may not act as 'admin': only an admin or a service account may use --as or PM_USER" \
	"saying why"
PM_USER=admin run_as nobody:staff pm unit list
expect_rc 77 "nor through PM_USER"
run_as nobody pm unit list
expect_rc 77 "an account that may not read the store is refused"
expect_err "cannot read '.*pm.db': permission denied" "saying so"

# A mapped technician.
run_as daemon:staff pm-meter add W1 --kind water --serves 1-1-101 --installed 2026-01-01T00:00:00+08:00
expect_rc 0 "a technician adds a meter"
expect_eq "$(sql "SELECT actor || ' ' || caller FROM audit WHERE action = 'meter.add'")" "sun.tech sun.tech" \
	"the audit names the pm user the account is"
run_as daemon:staff pm unit show 1-1-101 --format jsonl
expect_rc 0 "a technician shows a unit"
expect_out '"name":"业主甲","phone":"138\*\*\*\*0001"' "with the owner's phone masked"
for cmd in "pm unit import unit.jsonl" "pm person import person.jsonl" "pm user add x --role admin" \
	   "pm config apply pm.yaml" "pm backup b.db" "pm person list" "pm audit"; do
	# shellcheck disable=SC2086
	run_as daemon:staff $cmd
	expect_rc 77 "a technician may not: '$cmd'"
done
run_as daemon:staff pm --as admin unit import unit.jsonl
expect_rc 77 "a technician may not act as admin"
expect_err "user 'sun.tech' \(technician\) may not act as 'admin'" "saying who and as whom"
expect_eq "$(sql "SELECT count(*) FROM unit WHERE code = '3-3-301'")" "0" "and nothing was written"
run_as daemon:staff pm --as sun.tech unit show 1-1-102
expect_rc 0 "--as oneself is just oneself"

# A mapped owner.
run_as www-data:staff pm unit show 1-1-101 --format jsonl
expect_rc 0 "an owner shows their unit"
expect_out '"phone":"138\*\*\*\*0001"' "their own phone masked too"
run_as www-data:staff pm unit show 1-1-102
expect_rc 77 "an owner may not see another unit"
for cmd in "pm unit list" "pm unit import unit.jsonl" "pm person list" "pm config show" \
	   "pm-meter add W9 --kind water --serves 1-1-101" "pm audit"; do
	# shellcheck disable=SC2086
	run_as www-data:staff $cmd
	expect_rc 77 "an owner may not: '$cmd'"
done
run_as www-data:staff pm --as admin unit list
expect_rc 77 "an owner may not act as admin"

# The service account: nothing of its own, anyone through --as.
run_as backup:staff pm unit list
expect_rc 77 "a service account alone may do nothing"
expect_err "user 'web' \(service\) may not do 'unit.read'" "not even read"
run_as backup:staff pm --as owner1 unit show 1-1-101
expect_rc 0 "it acts for the signed-in owner"
run_as backup:staff pm --as owner1 unit show 1-1-102
expect_rc 77 "with the owner's rights, no more"
PM_USER=sun.tech run_as backup:staff pm-meter add W2 --kind water --serves 1-1-102 --installed 2026-01-01T00:00:00+08:00
expect_rc 0 "and for a technician through PM_USER"
expect_eq "$(sql "SELECT actor || ' ' || caller FROM audit WHERE object = 'meter:W2'")" "sun.tech web" \
	"the audit names both: for whom and who ran it"
run pm audit --object meter:W2 --format tsv
expect_out "	sun.tech	web	meter.add	meter:W2" "pm audit prints both"

# The store's owner (root here) is admin and may act for anyone.
run pm --as sun.tech unit import unit.jsonl
expect_rc 77 "acting as a technician, an admin has the technician's rights"
run pm unit import unit.jsonl
expect_rc 0 "and its own as itself"
expect_eq "$(sql "SELECT actor || ' ' || caller FROM audit WHERE action = 'unit.import' ORDER BY id DESC LIMIT 1")" "root root" \
	"an unmapped admin is named by its Unix account"

# Mapping changes with pm user set.
run pm user set sun.tech --unix ''
expect_rc 0 "unmap an account"
run_as daemon:staff pm-meter add W3 --kind water --serves 1-1-101
expect_rc 77 "the account is a viewer again"
run pm user set sun.tech --role guard --unix daemon
expect_eq "$(sql "SELECT role || ' ' || unix FROM user WHERE login = 'sun.tech'")" "guard daemon" "role and account set"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'user.set'")" "2" "each change audited"
run_as daemon:staff pm user set sun.tech --role admin
expect_rc 77 "no one raises their own role"
run pm user disable sun.tech
run_as daemon:staff pm unit list
expect_rc 77 "a disabled mapping is refused"
expect_err "user 'sun.tech' is disabled" "saying so"

# A store the staff may only read (0640): reads work, writes are refused.
run pm --db "$T/ro.db" init --group staff --mode 640
run pm --db "$T/ro.db" user add li.tech --role technician --unix daemon
run_as daemon:staff pm --db "$T/ro.db" unit list
expect_rc 0 "a read-only store opens for reading"
run_as daemon:staff pm-meter --db "$T/ro.db" add W1 --kind water --serves community
expect_rc 77 "a write the role allows is refused by the file"
expect_err "'.*ro.db' is read-only to you: ask its owner for write access" "saying so"
done_testing
