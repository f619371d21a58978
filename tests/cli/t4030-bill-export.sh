#!/bin/sh
# pm-bill export: the period's bill lines for finance, CSV and xlsx.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"89.50","status":"occupied"}
{"code":"1-1-102","area":"60","status":"occupied"}
{"code":"2-1-201","area":"100.05","status":"occupied"}\n' pm unit import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
fees:
  - name: property
    label: 物业费
    type: per_area
    prices: {residential: 2.5}
  - name: garbage
    label: 垃圾费,清运
    type: fixed
    amounts: {residential: 15}
Y
run pm config apply pm.yaml
run pm-bill run --period 2026-11 --format jsonl
run pm-bill issue --period 2026-11 --format jsonl
run pm-bill void B-2026-11-1-1-102 --reason 重复
expect_rc 0 "bills made, issued, one voided"

run pm-bill export --period 2026-11
expect_rc 0 "a CSV export"
printf 'bill,unit,building,fee,label,quantity,amount\r
B-2026-11-1-1-101,1-1-101,1,property,物业费,89.50,223.75\r
B-2026-11-1-1-101,1-1-101,1,garbage,"垃圾费,清运",1,15.00\r
B-2026-11-2-1-201,2-1-201,2,property,物业费,100.05,250.13\r
B-2026-11-2-1-201,2-1-201,2,garbage,"垃圾费,清运",1,15.00\r
' >want.csv
expect_eq "$(od -c "$T/out")" "$(od -c want.csv)" "byte for byte: CRLF, quoted label, two decimals, the void bill left out"
expect_err "4 bill lines exported" "the count on stderr"

run pm-bill export --period 2026-11 --bom --output out.csv
expect_rc 0 "CSV to a file with a byte order mark"
expect_eq "$(head -c 3 out.csv | od -An -tx1 | tr -d ' ')" "efbbbf" "starts with the UTF-8 BOM"
expect_eq "$(tail -c +4 out.csv | od -c)" "$(od -c want.csv)" "then the same bytes"
expect_eq "$(wc -c <"$T/out" | tr -d ' ')" "0" "and nothing on stdout"

run pm-bill export --period 2026-11 --file-format xlsx --output out.xlsx
expect_rc 0 "an xlsx export"
expect_eq "$(unzip -p out.xlsx xl/workbook.xml | grep -o '<sheet name="[^"]*"' | tr '\n' ' ')" \
	'<sheet name="lines" <sheet name="summary" ' "a sheet of lines and a summary sheet"
unzip -p out.xlsx xl/worksheets/sheet1.xml >s1.xml
unzip -p out.xlsx xl/worksheets/sheet2.xml >s2.xml
unzip -p out.xlsx xl/sharedStrings.xml >ss.xml
expect_eq "$(grep -o '<c r="G[0-9]*" s="[0-9]*"><v>[^<]*</v>' s1.xml | sed 's/ s="[0-9]*"//' | tr '\n' ' ')" \
	'<c r="G2"><v>223.75</v> <c r="G3"><v>15</v> <c r="G4"><v>250.13</v> <c r="G5"><v>15</v> ' \
	"amounts are numbers in yuan"
expect_eq "$(grep -c '<c r="G6"' s1.xml)" "0" "one row per line of bills not void"
unzip -p out.xlsx xl/styles.xml >st.xml
expect_eq "$(grep -o '<numFmt [^>]*formatCode="0.00"' st.xml | wc -l | tr -d ' ')" "1" "formatted 0.00"
expect_eq "$(grep -o '<c r="[DE][2-9]"[^>]*><v>[^<]*</v>' s2.xml | sed 's/ [st]="[^"]*"//g' | tr '\n' ' ')" \
	'<c r="D2"><v>1</v> <c r="E2"><v>223.75</v> <c r="D3"><v>1</v> <c r="E3"><v>15</v> <c r="D4"><v>1</v> <c r="E4"><v>250.13</v> <c r="D5"><v>1</v> <c r="E5"><v>15</v> <c r="D6"><v>4</v> <c r="E6"><v>503.88</v> ' \
	"the summary by building and fee item, and the total from integer fen"
expect_eq "$(grep -o '<t>[^<]*</t>' ss.xml | grep -c 'B-2026-11-2-1-201\|垃圾费,清运\|物业费\|total')" "4" "the strings are there"

# An --output named .xlsx is a workbook without --file-format (it was
# CSV in a file Excel then called broken); --file-format still decides.
run pm-bill export --period 2026-11 --output by-name.xlsx
expect_rc 0 "an export to FILE.xlsx"
expect_eq "$(head -c 2 by-name.xlsx)" "PK" "is a workbook (a zip)"
expect_eq "$(unzip -p by-name.xlsx xl/worksheets/sheet1.xml | grep -o '<c r="G[0-9]*" s="[0-9]*"><v>[^<]*</v>' | wc -l | tr -d ' ')" \
	4 "with the four lines"
run pm-bill export --period 2026-11 --file-format csv --output forced.xlsx
expect_rc 0 "--file-format csv to FILE.xlsx"
expect_eq "$(head -c 5 forced.xlsx)" "bill," "is CSV, as asked"
run pm-bill export --period 2026-11 --output plain.csv
expect_eq "$(head -c 5 plain.csv)" "bill," "and FILE.csv CSV"

run pm-bill export --period 2026-11 --file-format xlsx
expect_rc 2 "xlsx without --output"
expect_err "give --output FILE" "says where it must go"
run pm-bill export --period 2026-11 --file-format xlsx --output /dev/null
expect_rc 2 "xlsx to a device"
run pm-bill export --period 2026-11 --file-format pdf
expect_rc 2 "an unknown format"
run pm-bill export --period 2026-11 --format csv
expect_rc 2 "the shared --format is no export's format"
expect_err "^pm-bill export: an export is CSV, xlsx or invoice-csv: choose with --file-format, not --format$" "saying which option is"
run pm-bill export --period 2026-11 --file-format xlsx --output nodir/out.xlsx
expect_rc 73 "a workbook that cannot be written"
expect_eq "$(ls nodir 2>/dev/null | wc -l | tr -d ' ')" "0" "leaves nothing behind"
run pm-bill export
expect_rc 2 "--period is required"
run pm user add fd --role frontdesk
run pm-bill export --period 2026-11 --as fd
expect_rc 77 "frontdesk may not export"
done_testing
