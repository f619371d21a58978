#!/bin/sh
# The front desk's look-ups (issue 12): people by name and phone, a unit
# by code, resident's name or phone with its occupants, balance and open
# tickets in one view, and phone numbers masked for those who may not see
# them, never searchable by them.
. "$PM_TOP/tests/cli/lib.sh"

PM_NOW=2026-11-26T10:00:00+08:00; export PM_NOW

run pm init
run pm config apply "$PM_TOP/share/pm/examples/pm.yaml"
cat >units.jsonl <<'J'
{"code":"3-2-1101","area":"89.50","delivered":"2020-06-30"}
{"code":"3-2-1102","area":"120.00","delivered":"2020-06-30"}
{"code":"5-1-0101","area":"60.00","delivered":"2020-06-30"}
J
run pm unit import units.jsonl
cat >people.jsonl <<'J'
{"code":"P001","name":"王伟","phone":"13800000001","unit":"3-2-1101"}
{"code":"P002","name":"李娜","phone":"+86 139-0000-1380","unit":"3-2-1102"}
{"code":"P003","name":"王芳","phone":"13700001234","unit":"5-1-0101","role":"tenant"}
{"code":"P004","name":"王强"}
J
run pm person import people.jsonl
expect_rc 0 "people imported"
run pm user add li --role finance
run pm user add tech --role technician
run pm user add desk --role frontdesk
run pm user add own1 --role owner --person P001

# ---- pm person list ----
codes() { sed -n 's/.*"type":"person","code":"\([^"]*\)".*/\1/p' "$T/out" | tr '\n' ' '; }
run pm person list --name 王
expect_rc 0 "person list --name"
expect_eq "$(codes)" "P001 P003 P004 " "--name is a substring of the name"
run pm person list --name 王 --phone 1380
expect_eq "$(codes)" "P001 " "--name and --phone together"
run pm person list --phone 1380
expect_eq "$(codes)" "P001 P002 " "--phone is a substring: the start of one number, the last digits of another"
run pm person list --phone 8613900001380
expect_eq "$(codes)" "P002 " "spaces, dashes and the plus sign do not count"
run pm person list --phone 0001
expect_eq "$(codes)" "P001 P002 P003 " "four digits match anywhere in the number"
run pm person list --name 张
expect_rc 0 "no one found is no error"
expect_eq "$(cat "$T/out")" "" "and prints nothing"
# Tables pad their last column: the lines compared without it.
table() { sed 's/ *$//' "$T/out"; }
run pm person list --name 王 --format table
expect_eq "$(table)" "code  name  phone        id_masked  units
P001  王伟  13800000001             3-2-1101:owner
P003  王芳  13700001234             5-1-0101:tenant
P004  王强" "a table of those found"
run pm person list --phone 138
expect_rc 2 "fewer than four digits is a usage error"
expect_err "^pm person list: --phone wants four digits or more, not '138'$" "saying what it wants"
run pm person list --phone 1380x
expect_rc 2 "so is a phone with letters"
run pm person list 王
expect_rc 2 "an operand is refused"
expect_err "unexpected argument '王'" "and named"

run pm --as desk person list --phone 0001
expect_rc 0 "the front desk searches by phone"
expect_out '"phone":"13800000001"' "and sees the numbers whole"
run pm --as li person list --phone 0001
expect_rc 77 "finance sees numbers masked: a search by them is refused"
expect_err "^pm: user 'li' sees phone numbers masked and may not search by them$" "saying why"
expect_eq "$(cat "$T/out")" "" "and nothing is printed"
run pm --as li person list --name 王伟
expect_rc 0 "finance finds people by name"
expect_out '"phone":"138\*\*\*\*0001"' "with phone numbers masked"
run pm --as tech person list --name 王
expect_rc 77 "a technician may not list people"

# ---- pm unit find ----
run pm-bill run --period 2026-10
run pm-bill issue --period 2026-10
expect_rc 0 "October billed and issued"
run pm-repair submit --unit 3-2-1101 --category plumbing --text 厨房漏水 --reporter P001
run pm-repair submit --unit 3-2-1101 --category doorlock --text 门锁坏了 --reporter P002
run pm-repair submit --unit 5-1-0101 --category public --text 楼道灯不亮 --reporter P001
run pm-repair cancel 2 --reason 已修好
expect_rc 0 "ticket 2 cancelled: it is not open"

units() { sed -n 's/^{"type":"unit","code":"\([^"]*\)".*/\1/p' "$T/out" | tr '\n' ' '; }
run pm unit find 3-2-1101 --format jsonl
expect_rc 0 "unit find by code"
expect_eq "$(cat "$T/out")" '{"type":"unit","code":"3-2-1101","building":"3","entrance":"2","room":"1101","floor":11,"area":"89.50","use":"residential","status":"vacant","delivered":"2020-06-30","occupants":[{"person":"P001","name":"王伟","phone":"13800000001","role":"owner","since":"2020-06-30"}],"owed_fen":22533,"open_tickets":[{"type":"ticket","id":1,"status":"submitted","category":"plumbing","priority":"high","submitted_at":"2026-11-26T10:00:00+08:00","assignee":null,"text":"厨房漏水"}]}' \
	"one record: the unit, its occupants, what it owes and its open tickets"
expect_eq "$(sql "SELECT sum(total_fen) FROM bill WHERE unit_id = (SELECT id FROM unit WHERE code = '3-2-1101')")" "22533" \
	"owed_fen is what the issued bill asks"
run pm unit find 3-2
expect_eq "$(units)" "3-2-1101 3-2-1102 " "the start of a code finds every unit under it"
run pm unit find 王
expect_eq "$(units)" "3-2-1101 5-1-0101 " "a resident's name finds their units (P004 lives nowhere)"
run pm unit find 1380
expect_eq "$(units)" "3-2-1101 3-2-1102 " "digits of a resident's phone number find the unit"
run pm unit find 138
expect_eq "$(units)" "" "three digits are no phone number"
run pm unit find 3-2 --limit 1
expect_eq "$(units)" "3-2-1101 " "--limit caps the units found"
run pm unit find 9-9
expect_rc 0 "nothing found is no error"
expect_eq "$(cat "$T/out")" "" "and prints nothing"
run pm unit find
expect_rc 2 "unit find wants TEXT"
expect_err "expected one TEXT: a unit code, a resident's name or phone number" "says so"

COLUMNS=200; export COLUMNS
run pm unit find 5-1-0101 --format table
expect_eq "$(table)" "code       5-1-0101
building   5
entrance   1
room       0101
floor      1
area       60.00
use        residential
status     vacant
delivered  2020-06-30
owed       ¥156.00

occupants
person  name  phone        role    since
P003    王芳  13700001234  tenant  2020-06-30

open_tickets
id  status     category  priority  submitted_at               assignee  text
 3  submitted  public    normal    2026-11-26T10:00:00+08:00            楼道灯不亮" "a table is a card: the unit, then its occupants and open tickets as tables below it"
run pm unit find 3-2 --format table
expect_eq "$(grep -c '^code ' "$T/out")" "2" "a card per unit"
unset COLUMNS

run pm --as desk unit find 0001 --format jsonl
expect_eq "$(units)" "3-2-1101 3-2-1102 5-1-0101 " "the front desk finds units by phone digits"
run pm --as li unit find 0001
expect_rc 0 "finance's search by phone digits"
expect_eq "$(units)" "" "finds no unit: finance may not search by phone"
run pm --as li unit find 王伟
expect_out '"phone":"138\*\*\*\*0001"' "finance sees the occupants' numbers masked"
expect_out '"owed_fen":22533' "and the balance"
run pm --as tech unit find 3-2-1101
expect_rc 0 "a technician finds a unit by code"
expect_out '"phone":"138\*\*\*\*0001"' "sees phones masked"
expect_eq "$(grep -c owed_fen "$T/out")" "0" "and no balance: technicians may not read bills"
expect_out '"open_tickets":\[\{"type":"ticket","id":1' "but the open tickets"
run pm --as tech unit find 王伟
expect_eq "$(units)" "" "a technician may not find units by who lives there"
run pm --as own1 unit find 3-2-1101
expect_rc 77 "an owner may not search units"
expect_err "an owner sees only their own units: use 'pm unit show'" "and is sent to unit show"
done_testing
