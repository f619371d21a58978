#!/bin/sh
# A listing never drops a row silently: a name with bytes that are not
# UTF-8 (only a store edited by hand has one: every input is checked)
# cannot be a JSON string, and the person was left out of `pm person
# list` with exit 0 (found by the red team of stop 37). Now the listing
# stops there, naming the column, exit 65.
. "$PM_TOP/tests/cli/lib.sh"

run pm init
feed '{"code":"P1","name":"张伟"}
{"code":"P2","name":"李娜"}
{"code":"P3","name":"王芳"}\n' pm person import
sql "UPDATE person SET name = CAST(X'E5BCA0FF41' AS TEXT) WHERE code = 'P2'"
for fmt in jsonl csv table; do
	run pm person list --format $fmt
	expect_rc 65 "$fmt: exit 65"
	expect_err '^pm: cannot read the store: column "name" of a row holds bytes that are not UTF-8 \(was the store edited by hand\?\)$' \
		"$fmt: names the column"
done
run pm person list --format jsonl
expect_out '"code":"P1"' "the rows before it are written"
sql "UPDATE person SET name = '李娜' WHERE code = 'P2'"
run pm person list --format jsonl
expect_rc 0 "mended, the listing is whole"
expect_eq "$(grep -c '"type":"person"' "$T/out")" "3" "all three"
done_testing
