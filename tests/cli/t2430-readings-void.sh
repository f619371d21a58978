#!/bin/sh
# pm-meter readings lists a meter's readings with what the store knows of
# each; pm-meter void removes a wrong one, audited with the whole reading,
# unless an issued bill was computed from it or it ends a meter's chain.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00; export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"90","status":"occupied"}
{"code":"1-1-102","area":"60","status":"occupied"}\n' pm unit import
feed '{"code":"W1","kind":"water","serves":"1-1-101","installed":"2026-01-01T00:00:00+08:00"}
{"code":"W2","kind":"water","serves":"1-1-102","installed":"2026-01-01T00:00:00+08:00"}
{"code":"E0","kind":"electricity","serves":"building:1","installed":"2026-01-01T00:00:00+08:00","registers":["peak","valley"]}
{"code":"W5","kind":"water","serves":"community","digits":5,"installed":"2026-01-01T00:00:00+08:00","initial":"99990"}
{"code":"W9","kind":"water","serves":"community","installed":"2026-01-01T00:00:00+08:00"}
{"code":"WR","kind":"water","serves":"community","installed":"2026-01-01T00:00:00+08:00"}\n' pm-meter import
cat >r.jsonl <<'J'
{"meter":"W1","ts":"2026-09-30T23:00:00+08:00","value":"0"}
{"meter":"W1","ts":"2026-10-15T08:00:00+08:00","value":"100","source":"handheld","note":"抄错了"}
{"meter":"W1","ts":"2026-10-31T23:00:00+08:00","value":"175"}
{"meter":"W1","ts":"2026-11-20T08:00:00+08:00","value":"180"}
{"meter":"W1","ts":"2026-11-30T23:00:00+08:00","value":"187.5"}
{"meter":"W2","ts":"2026-09-30T23:00:00+08:00","value":"10"}
{"meter":"W2","ts":"2026-10-31T23:00:00+08:00","value":"20"}
{"meter":"E0","ts":"2026-10-31T23:00:00+08:00","value":"1000","registers":{"peak":"400","valley":"600"},"note":"季度校表"}
{"meter":"E0","ts":"2026-11-30T23:00:00+08:00","value":"1100","registers":{"peak":"440","valley":"650"}}
{"meter":"W5","ts":"2026-11-01T08:00:00+08:00","value":"99995"}
{"meter":"W5","ts":"2026-11-02T08:00:00+08:00","value":"3.5"}
{"meter":"W9","ts":"2026-11-01T08:00:00+08:00","value":"5"}
{"meter":"WR","ts":"2026-11-01T08:00:00+08:00","value":"7"}
J
run pm-meter ingest r.jsonl
expect_rc 0 "readings in"
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
fees:
  - name: water
    label: 水费
    type: metered
    meter_kind: water
    price: 3
  - name: common_power
    label: 公摊电费
    type: shared
    meter_kind: electricity
    scope: building
    price: 0.5
    split: area
Y
run pm config apply pm.yaml
run pm-bill run --period 2026-10
run pm-bill issue --period 2026-10
expect_rc 0 "October billed and issued"
run pm-bill run --period 2026-11
expect_rc 0 "November drafted, not issued"

run pm-meter readings W1 --format jsonl
expect_rc 0 "pm-meter readings"
expect_eq "$(cat "$T/out")" '{"type":"reading","meter":"W1","ts":"2026-09-30T23:00:00+08:00","value":"0.000","source":null,"note":null,"flags":"billed","bills":"B-2026-10-1-1-101"}
{"type":"reading","meter":"W1","ts":"2026-10-15T08:00:00+08:00","value":"100.000","source":"handheld","note":"抄错了","flags":"","bills":""}
{"type":"reading","meter":"W1","ts":"2026-10-31T23:00:00+08:00","value":"175.000","source":null,"note":null,"flags":"billed","bills":"B-2026-10-1-1-101"}
{"type":"reading","meter":"W1","ts":"2026-11-20T08:00:00+08:00","value":"180.000","source":null,"note":null,"flags":"","bills":""}
{"type":"reading","meter":"W1","ts":"2026-11-30T23:00:00+08:00","value":"187.500","source":null,"note":null,"flags":"","bills":""}' \
	"every reading, oldest first: October's opening and closing readings were billed, November's draft bills nothing"
run pm-meter readings W1 --from 2026-10-15T08:00:00+08:00 --to 2026-11-20T08:00:00+08:00 --format tsv
expect_eq "$(cut -f2,3,6 "$T/out" | tr '\t\n' '| ')" "ts|value|flags 2026-10-15T08:00:00+08:00|100.000| 2026-10-31T23:00:00+08:00|175.000|billed 2026-11-20T08:00:00+08:00|180.000| " \
	"--from and --to take the readings between, both included"
run pm-meter readings E0 --format jsonl
expect_out '^\{"type":"reading","meter":"E0","ts":"2026-10-31T23:00:00\+08:00","value":"1000.000","source":null,"note":"季度校表","flags":"billed","bills":"B-2026-10-1-1-101, B-2026-10-1-1-102","registers":\{"peak":"400.000","valley":"600.000"\}\}$' \
	"a common meter's reading is billed by the shares of every unit, and shows its registers"
run pm-meter readings W5 --format jsonl
expect_out '"ts":"2026-11-02T08:00:00\+08:00","value":"3.500",.*"flags":"wrapped"' "a reading after a register wrap is flagged wrapped"
printf '%s\n' '{"meter":"W1","ts":"2026-11-20T08:00:00+08:00","value":"181"}' | pm-meter ingest --replace 2>/dev/null
run pm-meter readings W1 --from 2026-11-20T08:00:00+08:00 --to 2026-11-20T08:00:00+08:00 --format jsonl
expect_out '"value":"181.000",.*"flags":"corrected"' "one ingest --replace corrected is flagged corrected"
run pm-meter replace W9 --new W9b --at 2026-11-15T10:00:00+08:00 --final 8
run pm-meter retire WR --at 2026-11-15T10:00:00+08:00 --final 9
run pm-meter readings W9 --format jsonl
expect_out '"ts":"2026-11-15T10:00:00\+08:00","value":"8.000",.*"flags":"final,replaced"' "a replaced meter's last reading: final, replaced"
run pm-meter readings WR --format jsonl
expect_out '"ts":"2026-11-15T10:00:00\+08:00","value":"9.000",.*"flags":"final"' "a retired meter's: final"
run pm-meter readings W1 --from yesterday
expect_rc 2 "a bad --from is a usage error"
expect_err "--from" "naming the option"
run pm-meter readings NOPE
expect_rc 65 "an unknown meter"
expect_err "no meter 'NOPE'" "is named"

# Voiding.
run pm-meter void W1 --ts 2026-10-15T08:00:00+08:00 --reason "读数录入错误" --format jsonl
expect_rc 0 "a wrong reading no bill used is voided"
expect_out '^\{"type":"void","meter":"W1","ts":"2026-10-15T08:00:00\+08:00","value":"100.000","source":"handheld","note":"抄错了","flags":"","reason":"读数录入错误"\}$' \
	"printing what was removed"
expect_eq "$(sql "SELECT count(*) FROM reading r JOIN meter m ON m.id = r.meter_id WHERE m.code = 'W1' AND r.ts = 1792108800")" "0" "the reading is gone"
expect_eq "$(sql "SELECT count(*) FROM reading_note r JOIN meter m ON m.id = r.meter_id WHERE m.code = 'W1' AND r.ts = 1792108800")" "0" "with its note"
expect_eq "$(sql "SELECT actor <> '', object, before, after FROM audit WHERE action = 'reading.void'")" \
	'1|meter:W1|{"flags":"","meter":"W1","note":"抄错了","source":"handheld","ts":"2026-10-15T08:00:00+08:00","type":"reading","value":"100.000"}|{"reason":"读数录入错误"}' \
	"audited with the whole reading and the reason"

run pm-meter void W1 --ts 2026-10-31T23:00:00+08:00 --reason x
expect_rc 1 "a reading an issued bill used is refused"
expect_err "^pm-meter: the reading of meter 'W1' at 2026-10-31T23:00:00\+08:00 was used by issued bill B-2026-10-1-1-101: correct the bill with pm-bill adjust instead$" \
	"naming the bill and the way out"
run pm-meter void W1 --ts 2026-09-30T23:00:00+08:00 --reason x
expect_rc 1 "so is the reading that opened the billed period"
run pm-meter void E0 --ts 2026-10-31T23:00:00+08:00 --reason x
expect_rc 1 "so is a common meter's reading split into issued bills"
expect_err "used by issued bill B-2026-10-1-1-101, B-2026-10-1-1-102:" "naming each"
expect_eq "$(sql "SELECT count(*) FROM reading r JOIN meter m ON m.id = r.meter_id WHERE m.code IN ('W1', 'E0') AND r.ts IN (1793458800, 1790780400)")" "3" \
	"the refused readings are all still there"
expect_eq "$(sql "SELECT count(*) FROM reading_register r JOIN meter m ON m.id = r.meter_id WHERE m.code = 'E0'")" "4" "registers too"

# The bill says which readings it used: a reading that comes in later
# changes nothing about that.
printf '%s\n' '{"meter":"W1","ts":"2026-10-31T23:30:00+08:00","value":"176"}' | pm-meter ingest 2>/dev/null
run pm-meter void W1 --ts 2026-10-31T23:00:00+08:00 --reason x
expect_rc 1 "the reading October's bill used stays refused after a later one came in"
run pm-meter void W1 --ts 2026-10-31T23:30:00+08:00 --reason "迟到的读数" --format jsonl
expect_rc 0 "and the later one, which no issued bill used, can go"

# A bill from before bills named their readings' times: the usage function
# finds them.
sql "UPDATE bill_line SET breakdown = json_remove(breakdown, '\$.opening_at', '\$.closing_at') WHERE meter_id = (SELECT id FROM meter WHERE code = 'W2')"
run pm-meter void W2 --ts 2026-10-31T23:00:00+08:00 --reason x
expect_rc 1 "a reading an older bill used is refused too"
expect_err "used by issued bill B-2026-10-1-1-102" "naming it"

run pm-meter void W1 --ts 2026-11-30T23:00:00+08:00 --reason "draft only" --format jsonl
expect_rc 0 "a reading only a draft used may go (the next run rebuilds the draft)"

run pm-meter void W9 --ts 2026-11-15T10:00:00+08:00 --reason x
expect_rc 1 "the final reading of a replaced meter is refused"
expect_err "^pm-meter: the reading of meter 'W9' at 2026-11-15T10:00:00\+08:00 is its final reading, where meter 'W9b' replaced it: voiding it would break the usage across the replacement$" \
	"saying why"
run pm-meter void WR --ts 2026-11-15T10:00:00+08:00 --reason x
expect_rc 1 "so is a retired meter's"
expect_err "is its final reading, taken when it was retired" "saying so"
run pm-meter void W1 --ts 2026-11-02T08:00:00+08:00 --reason x
expect_rc 65 "no reading at that time"
expect_err "^pm-meter: meter 'W1' has no reading at 2026-11-02T08:00:00\+08:00$" "is named"
run pm-meter void W1 --ts 2026-11-20T08:00:00+08:00
expect_rc 2 "--reason is required"
run pm-meter void W1 --ts 2026-11-20T08:00:00+08:00 --reason ""
expect_rc 2 "and may not be empty"
run pm-meter void W1 --ts 20/11/2026 --reason x
expect_rc 2 "a bad --ts is a usage error"
run pm user add fd --role frontdesk
run pm-meter --as fd void W1 --ts 2026-11-20T08:00:00+08:00 --reason x
expect_rc 77 "voiding needs meter.write"
run pm-meter --as fd readings W1
expect_rc 0 "listing needs meter.read"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'reading.void'")" "3" "one audit record per void, none for a refusal"
done_testing
