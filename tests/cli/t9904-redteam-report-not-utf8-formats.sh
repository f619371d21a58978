#!/bin/sh
# Red team: text a hand-edited store holds that is no UTF-8, other than a
# person's name (t6012), stopped JSON lines (exit 65, naming the column)
# but came out raw in CSV, TSV, tables, HTML and xlsx, exit 0: a unit's
# code 3-1-10\xff in pm-report arrears, a bill line's label 物业\xff in
# pm-bill export. Every format now stops as JSON lines do, before it
# writes anything: exit 65, naming the column, no file made.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/report-community.sh"
export PM_NOW=2026-12-20T09:00:00+08:00
msg() { # COLUMN [PROG [WHAT]]
	echo "^${2:-pm-report}: ${3:-cannot read the store}: column \"$1\" of a row holds bytes that are not UTF-8 \\(was the store edited by hand\\?\\)\$"
}

sql "UPDATE unit SET code = CAST(X'332D312D3130FF' AS TEXT) WHERE code = '3-1-101'"
for fmt in csv tsv table html jsonl; do
	run pm-report arrears --section unit --format $fmt
	expect_rc 65 "arrears as $fmt: exit 65"
	expect_err "$(msg unit)" "arrears as $fmt: names the column"
	expect_eq "$(wc -c <"$T/out" | tr -d ' ')" 0 "arrears as $fmt: nothing of it written"
done
for fmt in xlsx csv html svg; do
	run pm-report arrears --format $fmt --output "arrears.$fmt"
	expect_rc 65 "arrears to a $fmt file: exit 65"
	expect_err "$(msg unit)" "arrears to a $fmt file: names the column"
	expect_eq "$(ls | grep -c '^arrears\.')" 0 "arrears to a $fmt file: no file made"
done
sql "UPDATE unit SET code = '3-1-101' WHERE code = CAST(X'332D312D3130FF' AS TEXT)"
run pm-report arrears --section unit --format csv
expect_rc 0 "mended, the report is whole"

run pm-bill export --period 2026-11
expect_rc 0 "the export before the edit"
sql "UPDATE bill_line SET label = CAST(X'E789A9E4B89AFF' AS TEXT) WHERE fee = 'property'
	AND bill_id = (SELECT id FROM bill WHERE code = 'B-2026-11-2-1-101')"
for ff in csv invoice-csv; do
	run pm-bill export --period 2026-11 --file-format $ff
	expect_rc 65 "export as $ff: exit 65"
	expect_err "$(msg label pm-bill 'cannot read bill lines')" "export as $ff: names the column"
	expect_eq "$(grep -c "$(printf '\377')" "$T/out")" 0 "export as $ff: the bytes not written"
done
for ff in csv xlsx invoice-csv; do
	run pm-bill export --period 2026-11 --file-format $ff --output lines.out
	expect_rc 65 "export to a $ff file: exit 65"
	expect_eq "$(ls | grep -c '^lines\.out')" 0 "export to a $ff file: no file made"
done
done_testing
