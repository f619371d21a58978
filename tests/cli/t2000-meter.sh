#!/bin/sh
# pm-meter: the registry, retirement and replacement.
. "$PM_TOP/tests/cli/lib.sh"

run pm init
feed '{"code":"3-2-1101","area":"89.50","status":"occupied"}\n{"code":"3-2-1102","area":"60"}\n' pm unit import
cat >meters.csv <<'CSV'
code,kind,serves,address,multiplier,installed,initial
W-3-2-1101,water,3-2-1101,,,2026-01-01T00:00:00+08:00,12.5
E-3-2-1101,electricity,3-2-1101,000000000161,,2026-01-01T00:00:00+08:00,
E-PUB-3,electricity,building:3,,40,2026-01-01T00:00:00+08:00,
G-9-9-999,gas,9-9-999,,,,
H-3-2-1101,heat,3-2-1101,12345,,,
CSV
run pm-meter import --reject bad.csv meters.csv
expect_rc 65 "meter import with bad rows exits 65"
expect_err "meters.csv:5: field \"serves\": no unit or building \"9-9-999\"" "an unknown unit is named"
expect_err "meters.csv:6: field \"address\": \"12345\" is not a device address" "a bad address is named"
expect_eq "$(sql 'SELECT code, kind, scope, multiplier, digits, uom, initial FROM meter ORDER BY code')" \
"E-3-2-1101|electricity|unit|1|6|kWh|0
E-PUB-3|electricity|building|40|6|kWh|0
W-3-2-1101|water|unit|1|5|m3|12500" "meters stored with kind defaults and exact initial readings"
expect_eq "$(cat bad.csv)" "code,kind,serves,address,multiplier,installed,initial
G-9-9-999,gas,9-9-999,,,,
H-3-2-1101,heat,3-2-1101,12345,,," "the reject file has the header and the 2 bad rows"
run pm-meter import meters.csv
expect_err "inserted 0, updated 0, unchanged 3" "importing again changes nothing"

run pm-meter add E-3-2-1102 --kind electricity --serves 3-2-1102 --registers peak,valley --address 000000000162
expect_rc 0 "pm-meter add"
expect_eq "$(sql "SELECT registers FROM meter WHERE code = 'E-3-2-1102'")" "peak,valley" "with time-of-use registers"
run pm-meter add E-X --kind electricity --serves 3-2-1102 --address 000000000162
expect_rc 65 "an address used twice is refused"
expect_err "\"000000000162\" belongs to another meter" "saying so"
run pm-meter add C-1 --kind cooling --serves community
expect_rc 65 "an unknown kind is refused"
expect_err "unknown kind \"cooling\"" "naming it"
cat >cool.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试
meters:
  kinds:
    cooling:
      uom: kWh
      digits: 7
Y
run pm config apply cool.yaml
run pm-meter add C-1 --kind cooling --serves community
expect_rc 0 "a kind the config names is accepted"
expect_eq "$(sql "SELECT uom, digits, scope FROM meter WHERE code = 'C-1'")" "kWh|7|community" "with the config's unit and digits"

run pm-meter show W-3-2-1101 --format jsonl
expect_out '^\{"type":"meter","code":"W-3-2-1101","kind":"water","serves":"3-2-1101","address":null,"multiplier":1,"digits":5,"uom":"m3","registers":"","installed":"2026-01-01T00:00:00\+08:00","initial":"12.500"\}$' \
	"pm-meter show prints the meter"
run pm-meter list --kind electricity --format tsv
expect_eq "$(cut -f1 "$T/out" | tr '\n' ' ')" "code E-3-2-1101 E-3-2-1102 E-PUB-3 " "list --kind filters by kind"

feed '{"meter":"W-3-2-1101","ts":"2026-10-31T23:00:00+08:00","value":"20"}\n' pm-meter ingest
run pm-meter add W-3-2-1101 --kind water --serves 3-2-1102
expect_rc 65 "a meter with readings cannot change what it serves"
expect_err "has readings" "saying why"

run pm-meter replace W-3-2-1101 --new W-3-2-1101b --at 2026-11-15T10:00:00+08:00 --final 25.5 --initial 0.2
expect_rc 0 "pm-meter replace"
expect_eq "$(sql "SELECT m.retired_at IS NOT NULL, m.final, n.initial, n.kind, n.unit_id = m.unit_id FROM meter m, meter n WHERE m.code = 'W-3-2-1101' AND n.replaces = m.id")" \
	"1|25500|200|water|1" "old retired with its final reading, new made like it"
expect_eq "$(sql "SELECT value FROM reading r JOIN meter m ON m.id = r.meter_id WHERE m.code = 'W-3-2-1101' ORDER BY ts DESC LIMIT 1")" \
	"25500" "the final reading is stored as a reading"
run pm-meter replace W-3-2-1101 --new W-again --at 2026-11-16T10:00:00+08:00 --final 26
expect_rc 65 "a retired meter cannot be replaced again"
run pm-meter retire E-PUB-3 --at 2026-11-01T00:00:00+08:00 --final 10
expect_rc 0 "pm-meter retire"
run pm-meter list --format tsv
expect_eq "$(grep -c E-PUB-3 "$T/out")" "0" "a retired meter is not listed"
run pm-meter list --all --format tsv
expect_eq "$(grep -c E-PUB-3 "$T/out")" "1" "unless --all"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action IN ('meter.replace', 'meter.retire', 'meter.add', 'meter.import')")" "6" \
	"changes are audited"
run pm-meter retire E-PUB-3 --at 2026-11-02T00:00:00+08:00
expect_rc 2 "retire without --final is a usage error"
done_testing
