#!/bin/sh
# A long community name (a company's full registered name, 211
# characters) is a name like any other. pm init cut it at 508 bytes, in
# the middle of a character, and refused its own cut ("pm init:3:180:
# invalid trailing UTF-8 octet", exit 78) after writing the store's key,
# which then stopped every pm init after. A report's heading carries the
# name cut to fit, and cut in the middle of a character too: the twin's
# SVG and an xlsx workbook were then no XML at all.
. "$PM_TOP/tests/cli/lib.sh"
export PM_NOW=2026-12-05T09:00:00+08:00

name=$(python3 -c 'print("幸福里\"<小区>" * 30 + "x")')
run pm init --community "$name"
expect_rc 0 "a store for a community of a long name"
run pm config show --format jsonl
expect_eq "$(jq -r .yaml "$T/out" | python3 -c 'import sys, yaml; print(yaml.safe_load(sys.stdin)["community"]["name"])')" \
	"$name" "its configuration has the name whole"

feed '{"code":"1-1-101","area":"10","status":"occupied"}\n' pm unit import
run pm-report twin --format svg --output twin.svg
expect_rc 0 "the twin"
xmllint --noout twin.svg 2>"$T/err"
expect_eq "$?" 0 "is well-formed XML"
python3 -c 'import sys; t = open("twin.svg", encoding="utf-8").read(); sys.exit(0 if "幸福里&quot;&lt;小区&gt;" in t else 1)'
expect_eq "$?" 0 "with the name escaped, cut at a whole character"
run pm-report collection --period 2026-11 --output collection.xlsx
expect_rc 0 "a workbook, its heading the name"
python3 - <<'PY'
import sys, zipfile, xml.dom.minidom
z = zipfile.ZipFile("collection.xlsx")
for n in z.namelist():
    if n.endswith(".xml"):
        xml.dom.minidom.parseString(z.read(n))
PY
expect_eq "$?" 0 "whose every part is well-formed XML"
done_testing
