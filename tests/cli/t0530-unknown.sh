#!/bin/sh
# Unknown fields and CSV columns are rejected by name, with the nearest
# known one, unless --ignore-unknown: a JSON line per record, a CSV header
# once (and every row under it, since it would be read by a wrong name).
. "$PM_TOP/tests/cli/lib.sh"

run pm init
printf '%s\n' '{"code":"1-1-101","area":"80","stauts":"occupied"}' '{"type":"unit","code":"1-1-102","area":"80"}' \
	'{"code":"1-1-103","area":"80","colour":"red"}' >u.jsonl
run pm unit import u.jsonl
expect_rc 65 "a JSON line with an unknown field is rejected"
expect_err '^pm: u.jsonl:1: unknown field "stauts": did you mean "status"\?$' "named, with the field meant"
expect_err '^pm: u.jsonl:3: unknown field "colour": expected code, area, floor, use, status, delivered \(or --ignore-unknown\)$' \
	"one with no near name lists the known ones"
expect_eq "$(sql 'SELECT code FROM unit')" "1-1-102" "the good line, with its \"type\", is imported"
run pm unit import --ignore-unknown u.jsonl
expect_rc 0 "--ignore-unknown reads them all"
expect_eq "$(sql 'SELECT count(*) FROM unit')" "3" "without the fields it does not know"

printf 'code,area,stauts\n2-1-101,80,occupied\n2-1-102,80,vacant\n' >u.csv
run pm unit import --reject rej.csv u.csv
expect_rc 65 "a CSV header with an unknown column"
expect_err '^pm: u.csv:1: unknown column "stauts": did you mean "status"\?$' "is named once"
expect_err '^pm: u.csv:3: row not read: the header at line 1 is bad$' "and each row under it is rejected"
expect_eq "$(sql "SELECT count(*) FROM unit WHERE code LIKE '2-%'")" "0" "nothing of the file is imported"
sed -i '1s/stauts/status/' rej.csv
run pm unit import rej.csv
expect_rc 0 "the reject file, its header mended, imports"
expect_eq "$(sql "SELECT code, status FROM unit WHERE code LIKE '2-%' ORDER BY code")" "2-1-101|occupied
2-1-102|vacant" "with every row"

feed '{"code":"W1","kind":"water","serves":"1-1-101"}\n' pm-meter import
feed '{"meter":"W1","ts":"2026-11-01T08:00:00+08:00","vaule":"1"}\n' pm-meter ingest
expect_err '^pm-meter: stdin:1: unknown field "vaule": did you mean "value"\?$' "pm-meter ingest names an unknown field"
feed '{"unit":"1-1-101","amout":"10","channel":"cash","ref":"C1"}\n' pm-bill pay -
expect_err '^pm-bill: stdin:1: unknown field "amout": did you mean "amount"\?$' "pm-bill pay - too"
feed '{"unit":"1-1-101","categroy":"plumbing","text":"x"}\n' pm-repair submit -
expect_err '^pm-repair: stdin:1: unknown field "categroy": did you mean "category"\?$' "pm-repair submit - too"
printf 'ref,amount,time,memo\nC1,10.00,2026-12-01T10:00:00+08:00,x\n' >st.csv
run pm-bill reconcile --channel cash st.csv
expect_err '^pm-bill: st.csv:1: unknown column "memo": expected ref, amount, time \(or --ignore-unknown\)$' \
	"pm-bill reconcile refuses a statement with an unknown column"
run pm-bill reconcile --channel cash --ignore-unknown st.csv
expect_err 'read 1, entries 1, rejected 0' "and reads it with --ignore-unknown"
done_testing
