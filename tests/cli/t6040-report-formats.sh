#!/bin/sh
# pm-report's formats: CSV (with a byte order mark), TSV, JSON lines, an
# xlsx workbook with numbers and percentages, SVG and HTML that are
# self-contained; files written whole or not at all.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/report-community.sh"
export PM_NOW=2026-12-20T09:00:00+08:00

run pm-report collection --period 2026-10 --section building --format csv --bom --output c.csv
expect_rc 0 "CSV to a file"
expect_eq "$(head -c 3 c.csv | od -An -tx1 | tr -d ' ')" "efbbbf" "begins with the byte order mark"
expect_eq "$(tail -c +4 c.csv | head -1 | tr -d '\r')" "building,bills,paid_bills,charged_fen,adjust_fen,late_fen,billed_fen,collected_fen,outstanding_fen,rate_count_pct,rate_amount_pct" "then the header"
expect_eq "$(stat -c %a c.csv)" "600" "made for its owner only"
expect_eq "$(wc -c <"$T/out" | tr -d ' ')" "0" "nothing on standard output"
run pm-report collection --period 2026-10 --section building --format tsv
expect_eq "$(sed -n 2p "$T/out")" "$(printf '1\t3\t1\t49000\t0\t180\t49180\t31000\t18180\t33.3\t63.0')" "TSV, money in fen as in CSV"
run pm-report collection --period 2026-10 --output c.jsonl
expect_eq "$(head -1 c.jsonl)" '{"type":"collection","section":"building","building":"1","bills":3,"paid_bills":1,"charged_fen":49000,"adjust_fen":0,"late_fen":180,"billed_fen":49180,"collected_fen":31000,"outstanding_fen":18180,"rate_count_pct":"33.3","rate_amount_pct":"63.0"}' \
	"the format from the file's name"

# A name that a spreadsheet would run is neutralised in CSV.
sql "UPDATE person SET name = '=HYPERLINK(\"x\")' WHERE code = 'P2'"
run pm-report arrears --section unit --format csv
expect_out "^1,1-1,1-1-102,\"'=HYPERLINK\\(\"\"x\"\"\\)\",13800000002," "a cell that starts with = gets an apostrophe"
sql "UPDATE person SET name = '李娜' WHERE code = 'P2'"

# xlsx: a sheet a section, numbers as numbers, rates as percentages.
run pm-report collection --period 2026-10 --output c.xlsx
expect_rc 0 "a workbook"
expect_eq "$(unzip -p c.xlsx xl/workbook.xml | grep -o '<sheet name="[^"]*"' | tr '\n' ' ')" \
	'<sheet name="Collection by building" <sheet name="Year to date by month" <sheet name="Received in the month by channe" ' \
	"one sheet a section"
unzip -p c.xlsx xl/worksheets/sheet1.xml >s1.xml
unzip -p c.xlsx xl/styles.xml >st.xml
unzip -p c.xlsx xl/sharedStrings.xml >ss.xml
# Row 1 the title, 3 the headings, 4 to 7 the buildings and the total.
expect_eq "$(grep -o '<c r="[DGH]4"[^>]*><v>[^<]*</v>' s1.xml | sed 's/ s="[0-9]*"//' | tr '\n' ' ')" \
	'<c r="D4"><v>490</v> <c r="G4"><v>491.8</v> <c r="H4"><v>310</v> ' "money in yuan as numbers"
expect_eq "$(grep -o '<c r="K4"[^>]*><v>0\.63[0-9]*</v>' s1.xml | grep -c .)" "1" "the rate as a fraction, 310/491.80"
# The cell's style is the one whose number format is 0.0%.
expect_eq "$(python3 - s1.xml st.xml <<'P'
import re, sys
sheet, styles = open(sys.argv[1]).read(), open(sys.argv[2]).read()
s = int(re.search(r'<c r="K4" s="(\d+)"', sheet).group(1))
fmts = dict(re.findall(r'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"', styles))
xfs = re.search(r'<cellXfs[^>]*>(.*?)</cellXfs>', styles, re.S).group(1)
xf = re.findall(r'<xf [^>]*?numFmtId="(\d+)"', xfs)[s]
print(fmts.get(xf, xf))
P
)" "0.0%" "shown as a percentage"
expect_eq "$(grep -o '<c r="[JK][4-7]"[^>]*t="s"' s1.xml | grep -c .)" "0" "no rate of October is over nothing: all numbers"
run pm-report collection --period 2026-09 --section building --output e.xlsx
expect_eq "$(unzip -p e.xlsx xl/sharedStrings.xml | grep -o '<t>—</t>' | grep -c .)" "1" "September's rates over nothing are —"

# SVG and HTML: self-contained.
run pm-report collection --period 2026-10 --file-format svg
expect_rc 0 "SVG"
cp "$T/out" c.svg
expect_eq "$(python3 -c 'import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); print(r.tag)' c.svg)" \
	"{http://www.w3.org/2000/svg}svg" "a well-formed SVG document"
expect_eq "$(grep -c '<rect class="bar"' c.svg)" "6" "three buildings, billed and collected"
expect_eq "$(grep -c 'class="legend-item"' c.svg)" "4" "a legend for each of its two charts' series"
expect_eq "$(grep -ciE '<script|<image|<foreignObject|@import|url\(|href=' c.svg)" "0" "no script, image, link or font"
run pm-report dashboard --period 2026-11 --output d.html
expect_rc 0 "HTML"
expect_eq "$(grep -ciE '<script|<link|<iframe|<img|@import|url\(|src=|href=' d.html)" "0" "nothing loaded from elsewhere"
expect_eq "$(grep -o '<section id="[^"]*"' d.html | tr '\n' ' ')" \
	'<section id="summary" <section id="collection-building" <section id="collection-year" <section id="arrears-building" <section id="arrears-top" <section id="occupancy-building" <section id="carbon-building" <section id="service-category" <section id="feedback-category" <section id="feedback-improvements" <section id="gate-gate" ' \
	"the dashboard's sections, each its own id (no meters: no consumption)"
expect_eq "$(grep -c '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' d.html)" "8" "with their charts inline"
expect_eq "$(grep -c '<table' d.html)" "9" "and their tables, none for the empty improvement list"
expect_eq "$(grep -c '<div class="kpi">' d.html)" "17" "the key figures as cards"
expect_eq "$(grep -c '<p class="note empty">' d.html)" "1" "which says it has none"

# Files: whole or not at all, never through a link.
run pm-report collection --output nodir/c.csv
expect_rc 73 "a file that cannot be made"
expect_err "cannot create 'nodir/c.csv" "says which"
mkdir adir
run pm-report collection --output adir --format csv
expect_rc 73 "a directory is no file"
expect_eq "$(ls adir)" "" "and nothing is left in it"
ln -s victim c2.csv
run pm-report collection --format csv --output c2.csv
expect_rc 73 "a link where the file goes is refused"
expect_eq "$(test -e victim && echo followed)" "" "and not followed"
rm c2.csv
run pm-report collection --format csv --output c2.csv
expect_rc 0 "a file"
expect_eq "$(head -1 c2.csv | tr -d '\r')" "building,bills,paid_bills,charged_fen,adjust_fen,late_fen,billed_fen,collected_fen,outstanding_fen,rate_count_pct,rate_amount_pct" "is made whole"
expect_eq "$(ls | grep -c '\.part')" "0" "nothing half-made is left"
expect_eq "$(stat -c %a c2.csv)" "600" "with the store's mode"
chmod 640 "$PM_DB"
( umask 077; pm-report collection --file-format xlsx --output c3.xlsx )
expect_eq "$(stat -c %a c3.xlsx)" "640" "a group's store, whatever the umask, even through libxlsxwriter"
chmod 600 "$PM_DB"
run pm-report collection --file-format xlsx
expect_rc 2 "xlsx needs --output"
expect_err "give --output FILE" "and says so"
run pm-report collection --output /dev/null
expect_rc 2 "a terminal or device as --output"
run pm-report feedback --file-format svg --section last
expect_rc 2 "a section without a chart as SVG"
expect_err "the section 'last' has no chart: choose another format" "says so"
# A CSV or TSV column means what its name says, as the same field in JSON
# lines does: owed_fen is fen (24070), never yuan (240.70), *_s seconds.
# Every section of every report of the community, cell by cell.
cat >same.py <<'P'
import csv, json, sys
rows, n, bad = [json.loads(l) for l in open(sys.argv[1])], 0, []
tables, cur = [], None
for r in csv.reader(open(sys.argv[2], newline='', encoding='utf-8'), delimiter=sys.argv[3]):
    if not r:
        cur = None
    elif cur is None:
        cur = {"head": r, "rows": []}
        tables.append(cur)
    else:
        cur["rows"].append(r)
tables = [t for t in tables if t["rows"]]  # a section without rows has no JSON line
sections = []
for j in rows:  # two sections of one name in a row differ in their fields
    key = (j["section"], tuple(k for k in j if k != "total"))
    if not sections or sections[-1][0] != key:
        sections.append((key, []))
    sections[-1][1].append(j)
for (name, recs), t in zip(sections, tables):
    for j, c in zip(recs, t["rows"]):
        for k, v in zip(t["head"], c):
            if k.endswith("_fen") or k.endswith("_s"):
                n += 1
                want = "—" if j.get(k) is None else str(j[k])
                if v != want:
                    bad.append("%s %s: %s, JSON %s" % (name[0], k, v, want))
print(n if len(sections) == len(tables) and not bad else "sections %d/%d %s" % (len(sections), len(tables), bad[:3]))
P
for rep in "collection --period 2026-11" "arrears" "dashboard --period 2026-11" "service --period 2026-11" \
	"gate --period 2026-11" "common-income --year 2026"; do
	# shellcheck disable=SC2086
	pm-report $rep --format jsonl >same.jsonl
	# shellcheck disable=SC2086
	pm-report $rep --format csv >same.csv
	# shellcheck disable=SC2086
	pm-report $rep --format tsv >same.tsv
	got=$(python3 same.py same.jsonl same.csv ,)
	case $got in [1-9]*) expect_eq ok ok "${rep%% *}: $got money and time cells in CSV are JSON's, to the fen" ;;
	*) expect_eq "$got" "all equal" "${rep%% *}: CSV's money and time cells are JSON's" ;; esac
	got=$(python3 same.py same.jsonl same.tsv '	')
	case $got in [1-9]*) expect_eq ok ok "${rep%% *}: and TSV's" ;;
	*) expect_eq "$got" "all equal" "${rep%% *}: TSV's money and time cells are JSON's" ;; esac
done
run pm-report collection --period 2026-10 --section building --format csv
expect_eq "$(tr -d '\r' <"$T/out" | sed -n '1p;5p')" 'building,bills,paid_bills,charged_fen,adjust_fen,late_fen,billed_fen,collected_fen,outstanding_fen,rate_count_pct,rate_amount_pct
total,5,2,70000,-2000,260,68260,44000,24260,40.0,64.5' "charged_fen 70000 is ¥700.00: the header and the values agree"

run pm-report collection --period 2026-10 --columns building,billed_fen --format csv
expect_rc 2 "--columns, shared by the programs, is not for a report's sections"
expect_err "^pm-report collection: --columns is not for reports: --section keeps one part of a report$" "says so"
expect_eq "$(wc -c <"$T/out" | tr -d ' ')" "0" "and prints nothing"
done_testing
