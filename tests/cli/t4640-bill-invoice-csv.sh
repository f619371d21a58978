#!/bin/sh
# pm-bill export --file-format invoice-csv: what an e-invoicing system
# needs (buyer, taxpayer id, items, yuan from fen, the configured rate).
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-15T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"100.01","delivered":"2020-01-01"}
{"code":"1-1-102","area":"80","delivered":"2020-01-01"}
{"code":"1-1-103","area":"90","delivered":"2020-01-01"}\n' pm unit import
feed '{"code":"P1","name":"张伟","unit":"1-1-101","role":"owner"}
{"code":"P2","name":"李娜","unit":"1-1-101","role":"owner","since":"2020-02-01"}
{"code":"C1","name":"星光, \\"有限\\"公司","unit":"1-1-102","role":"owner","tax_id":"91310000MA1FL0AB3C"}\n' pm person import
expect_rc 0 "owners, a company among them with its taxpayer id"
feed '{"code":"C2","name":"坏","tax_id":"91310000ma1fl0ab3c"}\n' pm person import
expect_rc 65 "a taxpayer id in small letters"
expect_err 'field "tax_id": 15 to 20 digits and capital letters' "is rejected"
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
billing:
  tax_rate: 0.06
fees:
  - name: property
    label: 物业费
    type: per_area
    prices: {residential: 2.5}
  - name: garbage
    label: 垃圾费
    type: fixed
    amounts: {residential: 15}
    tax_rate: 0.03
  - name: nothing
    label: 空项
    type: fixed
    amounts: {residential: 0}
Y
run pm config apply pm.yaml
run pm-bill run --period 2026-11
run pm-bill issue --period 2026-11
run pm-bill void B-2026-11-1-1-103 --reason 测试
run pm-bill export --period 2026-11 --file-format invoice-csv
expect_rc 0 "the invoice export"
expect_eq "$(tr -d '\r' <"$T/out")" 'invoice,unit,period,buyer,buyer_tax_id,item,fee,amount,tax_rate
B-2026-11-1-1-101,1-1-101,2026-11,张伟、李娜,,物业费,property,250.03,0.06
B-2026-11-1-1-101,1-1-101,2026-11,张伟、李娜,,垃圾费,garbage,15.00,0.03
B-2026-11-1-1-102,1-1-102,2026-11,"星光, ""有限""公司",91310000MA1FL0AB3C,物业费,property,200.00,0.06
B-2026-11-1-1-102,1-1-102,2026-11,"星光, ""有限""公司",91310000MA1FL0AB3C,垃圾费,garbage,15.00,0.03' \
	"per line: both owners, the company quoted with its tax id, 25002.5 fen rounded to 250.03, the fee's rate or billing.tax_rate; no void bill, no zero line"
expect_eq "$(tr -cd '\r' <"$T/out" | wc -c)" "5" "CRLF line ends"
expect_err "4 bill lines exported" "counted"

sed -e 's/tax_rate: 0.06/tax_rate: 0.09/' -e 's/tax_rate: 0.03/tax_rate: 0.05/' pm.yaml >pm2.yaml
run pm config apply pm2.yaml
expect_rc 0 "new rates, effective as far back as the old ones"
run pm-bill export --period 2026-11 --file-format invoice-csv
expect_eq "$(tr -d '\r' <"$T/out" | awk -F, '{ print $1 "," $NF }' | sort -u | tr '\n' ' ')" \
	"B-2026-11-1-1-101,0.03 B-2026-11-1-1-101,0.06 B-2026-11-1-1-102,0.03 B-2026-11-1-1-102,0.06 invoice,tax_rate " \
	"issued bills keep the rates of the config they were made with, not today's"
run pm-bill run --period 2026-12
run pm-bill issue --period 2026-12
run pm-bill export --period 2026-12 --file-format invoice-csv
expect_eq "$(tr -d '\r' <"$T/out" | sed 1d | awk -F, '{ print $(NF-2) "," $NF }' | sort -u | tr '\n' ' ')" "garbage,0.05 property,0.09 " \
	"bills made after it carry the new rates"
run pm-bill export --period 2026-11 --file-format invoice-csv --bom --output inv.csv
expect_rc 0 "to a file, with a BOM for Excel"
expect_eq "$(head -c 3 inv.csv | od -An -tx1 | tr -d ' ')" "efbbbf" "the BOM first"
expect_eq "$(stat -c %a inv.csv)" "600" "with the store's mode"
run pm-bill export --period 2026-11 --file-format pdf
expect_rc 2 "an unknown file format"
expect_err "unknown --file-format 'pdf': expected csv, xlsx or invoice-csv" "names the three"
run pm-bill export --period 2027-01 --file-format invoice-csv
expect_eq "$(tr -d '\r' <"$T/out")" "invoice,unit,period,buyer,buyer_tax_id,item,fee,amount,tax_rate" "a period with no bills: the header alone"

done_testing
