#!/bin/sh
# pm-bill notice: printable payment notices (缴费通知单) in HTML.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"89.50","status":"occupied","delivered":"2020-06-30"}
{"code":"1-1-102","area":"100","status":"occupied","delivered":"2020-06-30"}\n' pm unit import
feed '{"code":"P1","name":"张<&>三","unit":"1-1-101"}
{"code":"P2","name":"李四","unit":"1-1-101"}\n' pm person import
feed '{"code":"W1","kind":"water","serves":"1-1-101","installed":"2026-01-01T00:00:00+08:00"}\n' pm-meter import
feed '{"meter":"W1","ts":"2026-10-31T23:00:00+08:00","value":"175"}
{"meter":"W1","ts":"2026-11-30T23:00:00+08:00","value":"187.5"}\n' pm-meter ingest
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 幸福里 & 花园
  address: 上海市"幸福路" 88 号
notice:
  how_to_pay: 微信搜索<幸福里物业>缴费
  phone: 021-5555 0000
fees:
  - name: property
    label: 物业费
    type: per_area
    prices: {residential: 2.5}
  - name: water
    label: 水费
    type: metered
    meter_kind: water
    tiers:
      steps:
        - {upto: 10, price: 3.45}
        - {price: 4.83}
Y
run pm config apply pm.yaml
expect_rc 0 "a config with a notice section"
run pm-bill run --period 2026-11 --format jsonl
run pm-bill issue --period 2026-11 --due 2026-12-20 --format jsonl
run pm-bill pay --unit 1-1-101 --amount 100 --channel cash --ref C-1 --format jsonl

# 101: 2.5 × 89.50 = 223.75; water 12.5 m3: 10 × 3.45 + 2.5 × 4.83 =
# 34.50 + 12.075 = 46.575 → 46.58; total 270.33, paid 100, owed 170.33.
run pm-bill notice B-2026-11-1-1-101
expect_rc 0 "the notice of one bill"
expect_out '^<!DOCTYPE html>$' "an HTML document"
expect_out '@page \{ size: A4;' "with A4 print CSS"
expect_eq "$(grep -c '<section class="notice">' "$T/out")" "1" "one page"
expect_out '<h1>缴费通知单</h1>' "titled 缴费通知单"
expect_out '<p class="community">幸福里 &amp; 花园 · 上海市&quot;幸福路&quot; 88 号</p>' "community name and address, escaped"
expect_out '<td>房号：1-1-101</td><td>业主：张&lt;&amp;&gt;三、李四</td>' "the unit and its owners, the name escaped"
expect_eq "$(grep -c '张<&>三' "$T/out")" "0" "the raw name never appears"
expect_out '<td>账期：2026年11月</td><td>账单号：B-2026-11-1-1-101</td>' "the period and the bill"
expect_out '<td>建筑面积：89.50</td><td>缴费截止日期：2026-12-20</td>' "area and due date"
expect_out '<tr><td>物业费</td><td class="detail">单价 2.5000，面积\(m²\) 89.50，计费天数 30，当月天数 30</td><td class="num">89.50</td><td class="num">223.75</td></tr>' "the property line with its breakdown"
expect_out '<tr><td>水费</td><td class="detail">用量 12.500，.*表号 W1，起度 175.000，止度 187.500.*<br>第1阶：自 0.000，至 10.000，数量 10.000，单价 3.4500，金额 ¥34.50<br>第2阶：自 10.000，数量 2.500，单价 4.8300，金额 ¥12.075</td><td class="num">12.500</td><td class="num">46.58</td></tr>' "the water line with readings, usage and tiers"
expect_out '本期费用合计</td><td class="num">¥270.33</td>' "the total of the lines"
expect_out '已缴</td><td class="num">-¥100.00</td>' "what was paid"
expect_out '<tr class="owed"><td colspan="3">应缴金额</td><td class="num">¥170.33</td></tr>' "the amount owed"
expect_out '<td>大写金额</td><td colspan="3">人民币壹佰柒拾元叁角叁分</td>' "and in capital numerals"
expect_out '缴费方式：</strong>微信搜索&lt;幸福里物业&gt;缴费<br><strong>咨询电话：</strong>021-5555 0000' "how to pay, escaped, and the phone"
expect_out '请于 2026-12-20 前缴清' "the due date again at the foot"

run pm-bill notice --period 2026-11
expect_rc 0 "notices of the period"
expect_eq "$(grep -c '<section class="notice">' "$T/out")" "2" "one page per owed bill"
expect_out '<td>房号：1-1-102</td><td>业主：—</td>' "a unit without owners"
expect_out '人民币贰佰伍拾元整' "250.00 in capitals"
expect_err "2 payment notices" "the count"

mkdir notices
run pm-bill notice --period 2026-11 --output notices
expect_rc 0 "a file per bill"
expect_eq "$(ls notices | tr '\n' ' ')" "B-2026-11-1-1-101.html B-2026-11-1-1-102.html " "named by bill"
expect_eq "$(grep -c '<section class="notice">' notices/B-2026-11-1-1-102.html)" "1" "each one page"
run pm-bill notice --period 2026-11 --output nodir
expect_rc 73 "a directory that is not there"

run pm-bill void B-2026-11-1-1-102 --reason 测试
run pm-bill notice B-2026-11-1-1-102
expect_rc 65 "a void bill has no notice"
run pm-bill notice B-nope
expect_rc 65 "an unknown bill"
run pm-bill notice
expect_rc 2 "a BILL or --period is needed"
run pm-bill notice B-2026-11-1-1-101 --period 2026-11
expect_rc 2 "not both"
run pm-bill notice B-2026-11-1-1-101 --file-format pdf
expect_rc 2 "html is the only format"
run pm-bill notice B-2026-11-1-1-101 --format table
expect_err "^pm-bill notice: a notice is HTML: choose with --file-format, not --format$" "--format is the shared option"

run pm user add zs --role owner --person P1
run pm-bill notice B-2026-11-1-1-101 --as zs
expect_rc 0 "an owner prints the notice of their unit"
run pm-bill notice --period 2026-11 --as zs
expect_rc 77 "but not the period's"
done_testing
