#!/bin/sh
# Red team: after a sale (pm unit transfer) the new owner's money reports
# showed the old owner's time: pm-report collection --as the buyer counted
# the bill the seller settled before the sale (building row 1,1,1,20000,
# ...,100.0), its payment by channel (wechat 20000) and, in the month it
# came, among the money received; arrears as of a day before the sale
# named the seller and what he owed then. pm-bill show refuses the buyer
# that bill: the reports now scope an owner by the same rule
# (PM_BILL_OF_TIME from their own first day), and a payment by its time.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-10-01T09:00:00+08:00
export PM_NOW
csv() { tr -d '\r' <"$T/out"; }

run pm init --community 测试小区
feed '{"code":"1-1-101","area":"100"}\n' pm unit import
feed '{"code":"P1","name":"张伟","phone":"13800000001","unit":"1-1-101","since":"2020-01-01"}
{"code":"P5","name":"钱七","phone":"13800000005"}\n' pm person import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community: {name: 测试小区}
fees:
  - {name: property, label: 物业费, type: per_area, prices: {residential: 2}}
Y
run pm config apply pm.yaml
PM_NOW=2026-11-01T09:00:00+08:00 run pm-bill run --period 2026-10
PM_NOW=2026-11-01T09:00:00+08:00 run pm-bill issue --period 2026-10
# 张伟 pays October late (due 15 November), then sells to 钱七.
PM_NOW=2026-11-18T09:00:00+08:00 run pm-bill pay --unit 1-1-101 --amount 200 --channel wechat --ref W1
expect_rc 0 "the seller pays October"
PM_NOW=2026-11-20T09:00:00+08:00 run pm unit transfer 1-1-101 --to P5
expect_rc 0 "sold on 20 November"
printf 'pw-p5-secret\n' >pw
PM_NOW=2026-11-20T09:00:00+08:00 run_in pw pm user add owner.p5 --role owner --person P5 --password-stdin
expect_rc 0 "the buyer's login"
PM_NOW=2026-12-01T09:00:00+08:00 run pm-bill run --period 2026-11
PM_NOW=2026-12-01T09:00:00+08:00 run pm-bill issue --period 2026-11
PM_NOW=2026-12-02T09:00:00+08:00 run pm-bill pay --unit 1-1-101 --amount 150 --channel alipay --ref A1
expect_rc 0 "the buyer pays 150.00 of November"
PM_NOW=2026-12-05T09:00:00+08:00

run pm-bill show B-2026-10-1-1-101 --as owner.p5
expect_rc 77 "pm-bill show: October is not the buyer's"

H=building,bills,paid_bills,charged_fen,adjust_fen,late_fen,billed_fen,collected_fen,outstanding_fen,rate_count_pct,rate_amount_pct
run pm-report collection --period 2026-10 --section building --format csv
expect_eq "$(csv)" "$H
1,1,1,20000,0,0,20000,20000,0,100.0,100.0
total,1,1,20000,0,0,20000,20000,0,100.0,100.0" "the office sees October paid"
run pm-report collection --period 2026-10 --section building --as owner.p5 --format csv
expect_rc 0 "the buyer's October"
expect_eq "$(csv)" "$H
1,0,0,0,0,0,0,0,0,—,—
total,0,0,0,0,0,0,0,0,—,—" "holds no bill of the seller's"
run pm-report collection --from 2026-10 --to 2026-11 --by month --section month --as owner.p5 --format csv
expect_eq "$(csv)" "period,bills,paid_bills,charged_fen,adjust_fen,late_fen,billed_fen,collected_fen,outstanding_fen,rate_count_pct,rate_amount_pct
2026-10,0,0,0,0,0,0,0,0,—,—
2026-11,1,0,20000,0,0,20000,15000,5000,0.0,75.0
total,1,0,20000,0,0,20000,15000,5000,0.0,75.0" "by month: November, the buyer's own, 15000 of 20000 paid"
run pm-report collection --from 2026-10 --to 2026-11 --by fee --section fee --as owner.p5 --format csv
expect_out '^物业费,1,0,20000,0,0,20000,15000,5000,0\.0,75\.0' "by fee item: the buyer's one bill"
run pm-report collection --from 2026-10 --to 2026-11 --by channel --section channel --as owner.p5 --format csv
expect_eq "$(csv)" "channel,bills,collected_fen,share_pct
alipay,1,15000,100.0
total,—,15000,100.0" "by channel: the buyer's alipay, not the seller's wechat"
run pm-report collection --from 2026-10 --to 2026-11 --by channel --section channel --format csv
expect_out '^wechat,1,20000,' "the office sees the seller's wechat"

R=channel,payments,received_fen,to_bills_fen,prepaid_fen,refunded_fen
run pm-report collection --period 2026-11 --section received --as owner.p5 --format csv
expect_eq "$(csv)" "$R
total,0,0,0,0,0" "received in November: not the seller's 20000"
run pm-report collection --period 2026-11 --section received --format csv
expect_out '^wechat,1,20000,20000,0,0' "which the office sees"
run pm-report collection --period 2026-12 --section received --as owner.p5 --format csv
expect_eq "$(csv)" "$R
alipay,1,15000,15000,0,0
total,1,15000,15000,0,0" "received in December: the buyer's own"

run pm-report arrears --as-of 2026-11-17 --section unit --format csv
expect_out '^1,1-1,1-1-101,张伟,13800000001,1,2026-11-15,2,20000,0,0,0,0,20000' "the office: the seller owed October on 17 November"
run pm-report arrears --as-of 2026-11-17 --section unit --as owner.p5 --format csv
expect_rc 0 "the buyer's arrears on 17 November"
expect_eq "$(csv | grep -c '1-1-101')" 0 "name neither the seller nor his debt"
run pm-report arrears --as-of 2026-12-20 --section unit --as owner.p5 --format csv
expect_out '^1,1-1,1-1-101,钱\*,138\*\*\*\*0005,1,2026-12-15,5,5000,0,0,0,0,5000' "what is still owed passes with the unit"
done_testing
