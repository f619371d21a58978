#!/bin/sh
# pm-bill receipt --output: the printable receipt (收据), its content to
# the character, escaped, a void one marked 作废, A5 and 80 mm paper.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-15T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"100","delivered":"2020-01-01"}\n' pm unit import
feed '{"code":"P1","name":"张<伟>","unit":"1-1-101","role":"owner"}\n' pm person import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试&小区
fees:
  - name: property
    label: 物业费
    type: per_area
    prices: {residential: 2.5}
  - name: garbage
    label: 垃圾费
    type: fixed
    amounts: {residential: 15.05}
Y
run pm config apply pm.yaml
run pm-bill run --period 2026-11
run pm-bill issue --period 2026-11
run pm user add zhao.desk --role frontdesk
run pm user add li.finance --role finance
run pm-bill --as zhao.desk pay --unit 1-1-101 --amount 300.07 --channel cash

run pm-bill --as zhao.desk receipt 1 --output r.html --format jsonl
expect_rc 0 "the desk prints the receipt to a file"
expect_out '"receipt":"2026-000001","status":"issued"' "and gets the record on stdout"
expect_err "receipt 2026-000001 written to 'r.html'" "saying where"
expect_eq "$(sed -n '/^<\/style>/,$p' r.html)" '</style>
</head>
<body class="a5">
<section class="receipt">
<h1>收据</h1>
<p class="community">测试&amp;小区</p>
<p class="number">No. 2026-000001</p>
<table class="head">
<tr><th>交款人</th><td>张&lt;伟&gt;</td></tr>
<tr><th>房号</th><td>1-1-101</td></tr>
<tr><th>收款时间</th><td>2026-12-15T09:00:00+08:00</td></tr>
<tr><th>收款方式</th><td>现金</td></tr>
<tr><th>凭证号</th><td>2026-000001</td></tr>
</table>
<table class="lines">
<thead><tr><th>账单</th><th>项目</th><th class="num">金额</th></tr></thead>
<tbody>
<tr><td>B-2026-11-1-1-101</td><td>物业费</td><td class="num">¥250.00</td></tr>
<tr><td>B-2026-11-1-1-101</td><td>垃圾费</td><td class="num">¥15.05</td></tr>
<tr><td>—</td><td>预存</td><td class="num">¥35.02</td></tr>
</tbody>
<tfoot>
<tr class="total"><td colspan="2">合计</td><td class="num">¥300.07</td></tr>
<tr class="total"><td>大写</td><td colspan="2">人民币叁佰元零柒分</td></tr>
</tfoot>
</table>
<p class="sign"><span>收款人：zhao.desk</span><span>开具：2026-12-15T09:00:00+08:00</span></p>
</section>
</body>
</html>' "number, payer and community escaped, lines, prepaid rest, 30007 fen in figures and 大写, cashier"
expect_eq "$(sed -n 1,5p r.html)" '<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>收据 2026-000001</title>' "a page of its own, titled with its number"
grep -q '@page { size: A5; margin: 10mm; }' r.html && grep -q '@page thermal { size: 80mm 297mm; margin: 3mm; }' r.html &&
	grep -q '@media print' r.html
expect_eq "$?" 0 "CSS pages for A5 and the 80 mm roll, and print rules"
expect_eq "$(stat -c %a r.html)" "600" "made with the store's mode"

run pm-bill receipt 1 --paper 80mm --output -
expect_rc 0 "to stdout, for the thermal printer"
expect_out '^<body class="thermal">$' "on the 80 mm page"
expect_eq "$(grep -c '"type"' "$T/out")" "0" "the page alone, no record"
run pm-bill receipt 1 --paper a4
expect_rc 2 "an unknown paper"
expect_err "unknown paper 'a4': expected a5 or 80mm" "names the two"

ln -s /etc/passwd link.html
run pm-bill receipt 1 --output link.html
expect_rc 73 "a symbolic link as --output"
expect_eq "$(head -c 5 /etc/passwd)" "root:" "is left alone"

run pm-bill --as li.finance receipt 1 --void --reason '卷纸<卡住>' --output void.html
expect_rc 0 "finance voids it, printing the void one"
expect_out '"status":"void"' "the record says void"
expect_eq "$(grep -c '<section class="receipt void">' void.html) $(grep '作废' void.html)" \
	'1 <p class="void-mark">作废：卷纸&lt;卡住&gt;</p>' "marked 作废 with its reason, escaped"
grep -q 'No. 2026-000001' void.html
expect_eq "$?" 0 "it keeps its number"
run pm-bill receipt 1 --output again.html
expect_eq "$(grep -c 'No. 2026-000002' again.html) $(grep -c 'receipt void\|作废' again.html)" "1 0" \
	"the next print takes the next number, not void"

# A browser prints it on the paper the CSS says (when Chromium is here).
if command -v chromium >/dev/null 2>&1; then
	pm-bill receipt 1 --paper 80mm --output - >thermal.html
	for p in again thermal; do
		HOME=$T timeout 120 chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
			--user-data-dir="$T/chrome" --print-to-pdf="$T/$p.pdf" "file://$T/$p.html" >/dev/null 2>&1
	done
	expect_eq "$(grep -a -o 'MediaBox \[[^]]*\]' again.pdf | sort -u)" "MediaBox [0 0 420 594.95996]" \
		"A5 in the PDF: 148 x 210 mm"
	expect_eq "$(grep -a -o 'MediaBox \[0 0 [0-9.]*' thermal.pdf | sort -u)" "MediaBox [0 0 227.03999" \
		"80 mm wide on the roll"
else
	echo "# SKIP: no chromium to print the receipt to PDF"
fi

done_testing
