#!/bin/sh
# People and who lives where.
. "$PM_TOP/tests/cli/lib.sh"

# Just after midnight in the community's zone, still the day before in UTC:
# "today" is the community's day.
PM_NOW=2026-11-26T00:30:00+08:00; export PM_NOW

run pm init
printf '{"code":"3-2-1101","area":"89.50","status":"occupied","delivered":"2020-06-30"}\n{"code":"3-2-1102","area":"120.00"}\n' >units.jsonl
run pm unit import units.jsonl
cat >people.jsonl <<'J'
{"code":"P001","name":"张伟","phone":"13800000001","id_number":"110101199001011234","unit":"3-2-1101"}
{"code":"P002","name":"李娜","phone":"13800000002","unit":"3-2-1101","role":"family","since":"2021-03-01"}
{"code":"P003","name":"王芳","phone":"phone?"}
{"code":"P004","name":"赵磊","unit":"9-9-999"}
{"code":"P005","name":"孙丽","unit":"3-2-1102"}
J
run pm person import people.jsonl
expect_rc 65 "people import with three bad records exits 65"
expect_err 'people.jsonl:3: field "phone": "phone\?" is not a phone number' "a bad phone is named"
expect_err "people.jsonl:4: no unit '9-9-999'" "an unknown unit is named"
expect_err "people.jsonl:5: field \"since\": missing, and unit '3-2-1102' has no delivery date to move in on" \
	"no move-in date, and no delivery date to take it from: the field is named"
expect_eq "$(sql "SELECT id_masked FROM person WHERE code = 'P001'")" "110101********1234" "the ID number is stored masked"
expect_eq "$(sql "SELECT count(*) FROM person")" "2" "the good people are kept"
expect_eq "$(sql "SELECT count(*) FROM person WHERE code IN ('P004', 'P005')")" "0" "a person whose residence fails is not half-written"
expect_eq "$(sql "SELECT p.code, o.role, o.since FROM occupancy o JOIN person p ON p.id = o.person_id ORDER BY p.code")" \
"P001|owner|2020-06-30
P002|family|2021-03-01" "residences recorded with roles and dates, moved in on delivery when the record has no date"

run pm person import people.jsonl
expect_eq "$(sql "SELECT count(*) FROM occupancy")" "2" "re-import adds no residence twice"

run pm occupancy set --unit 3-2-1102 --person P001 --role owner --since 2022-01-01
expect_rc 0 "occupancy set"
run pm occupancy set --unit 3-2-1102 --person P001 --role owner --since 2022-01-01
expect_rc 0 "occupancy set again is harmless"
expect_eq "$(sql "SELECT count(*) FROM occupancy WHERE until IS NULL")" "3" "and adds nothing"
run pm occupancy end --unit 3-2-1101 --person P002 --until 2026-10-31
expect_rc 0 "occupancy end"
expect_eq "$(sql "SELECT until FROM occupancy o JOIN person p ON p.id = o.person_id WHERE p.code = 'P002'")" "2026-10-31" \
	"move-out date stored"
run pm occupancy end --unit 3-2-1101 --person P002
expect_rc 65 "ending a residence that has ended"
expect_err "'P002' does not live in '3-2-1101' now" "says so"
run pm occupancy set --unit 3-2-1101 --person P001 --role landlord
expect_rc 65 "an unknown role is refused"
run pm occupancy set --unit 3-2-1102 --person P002 --role family
expect_eq "$(sql "SELECT since FROM occupancy o JOIN person p ON p.id = o.person_id WHERE p.code = 'P002' AND o.until IS NULL")" \
	"2026-11-26" "a move-in without --since is on the community's today"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action LIKE 'occupancy.%'")" "3" "each change is audited once"
run pm unit show 3-2-1101 --format jsonl
expect_out '"occupants":\[\{"person":"P001","name":"张伟","phone":"13800000001","role":"owner"' "unit show lists the residents"
run pm person show P001 --format jsonl
expect_out '"units":"(3-2-1101:owner 3-2-1102:owner|3-2-1102:owner 3-2-1101:owner)"' "person show lists the units"
run pm person list --format table
expect_out '^code +name +phone' "a table has a header"
expect_out '^P001  张伟  13800000001' "and aligns Chinese names by display width"
done_testing
