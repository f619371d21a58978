#!/bin/sh
# A report never drops a field silently: a name whose bytes are not UTF-8
# (only a store edited by hand has one) cannot be a JSON string, and
# pm-report arrears --format jsonl left the "owner" key out of that
# unit's record, exit 0 (found by the red team). Now the report stops
# as a listing does (pm_db_each, t1207): exit 65, naming the column,
# whatever the format; the dashboard's top debtors too. Text a report
# takes from anywhere else in the store (a unit's code here) stops the
# report the same way, before any of it is written.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/report-community.sh"
export PM_NOW=2026-12-20T09:00:00+08:00
msg='^pm-report: cannot read the store: column "name" of a row holds bytes that are not UTF-8 \(was the store edited by hand\?\)$'

run pm-report arrears --section unit --format jsonl
expect_eq "$(grep -c '"owner":"李娜"' "$T/out")" "1" "before the edit, 1-1-102's owner is there"
sql "UPDATE person SET name = CAST(X'FF41' AS TEXT) WHERE code = 'P2'"
for fmt in jsonl csv table; do
	run pm-report arrears --format $fmt
	expect_rc 65 "arrears as $fmt: exit 65"
	expect_err "$msg" "arrears as $fmt: names the column"
done
run pm-report arrears --section unit --format jsonl
expect_eq "$(grep -c '"unit":"1-1-102"' "$T/out")" "0" "no record of 1-1-102 without its owner"
run pm-report arrears --section top --format jsonl
expect_rc 65 "the top debtors: exit 65"
run pm-report dashboard --period 2026-11 --format jsonl
expect_rc 65 "the dashboard's top debtors: exit 65"
expect_err "$msg" "the dashboard names the column"
pm user add look --role viewer >/dev/null 2>&1
run pm-report dashboard --as look --period 2026-11 --format jsonl
expect_rc 0 "a viewer, shown no names, gets the dashboard"
sql "UPDATE person SET name = '李娜' WHERE code = 'P2'"
run pm-report arrears --section unit --format jsonl
expect_rc 0 "mended, the report is whole"
expect_eq "$(grep -c '"owner":"李娜"' "$T/out")" "1" "the owner back"

sql "UPDATE unit SET code = CAST(X'332D312D31FF' AS TEXT) WHERE code = '3-1-101'"
run pm-report arrears --section unit --format jsonl
expect_rc 65 "a unit's code that is no UTF-8: exit 65"
expect_err '^pm-report: cannot read the store: column "unit" of a row holds bytes that are not UTF-8 \(was the store edited by hand\?\)$' \
	"names the report's field"
expect_eq "$(wc -c <"$T/out" | tr -d ' ')" "0" "nothing of the report written, as in every other format (t9904)"
done_testing
