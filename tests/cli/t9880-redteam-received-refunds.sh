#!/bin/sh
# Red team: pm-report collection's "received" section, the money of the
# month by channel, put a refund in the month of the payment it gave
# back and under that payment's channel, whenever and however it was
# paid out. 300.00 came in by Alipay in November, 100.00 of it went back
# by Alipay on 10 December and the 200.00 left by cash at the transfer
# (过户) of 15 December: November said refunded 300.00 under alipay (a
# closed month changed after its close) and December none, where the
# channels' statements and pm-bill reconcile have 100.00 out of Alipay
# and 200.00 out of the till in December. A refund counts now in the
# month it was made (in the community's time zone), under the channel
# the money left by, as reconcile counts it.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-11-01T09:00:00+08:00 run pm init
feed '{"code":"1-1-101","area":"100"}
{"code":"2-1-101","area":"80"}\n' pm unit import
feed '{"code":"P1","name":"张伟","unit":"1-1-101"}
{"code":"P2","name":"李娜"}\n' pm person import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
billing:
  transfer: {prepaid: refund}
fees:
  - {name: property, label: 物业费, type: per_area, prices: {residential: 2}}
Y
PM_NOW=2026-11-01T09:00:00+08:00 run pm config apply pm.yaml
expect_rc 0 "a unit whose prepaid balance a transfer refunds in cash"

PM_NOW=2026-11-20T09:00:00+08:00 run pm-bill pay --unit 1-1-101 --amount 300 --channel alipay --ref A1
expect_rc 0 "300.00 prepaid by Alipay in November"
id=$(sql "SELECT id FROM payment WHERE ref = 'A1'")
# 00:30 on 1 December in Shanghai is still 30 November in UTC.
PM_NOW=2026-12-01T00:30:00+08:00 run pm-bill refund "$id" --amount 100 --reason 退预存
expect_rc 0 "100.00 of it refunded by Alipay in the first half hour of December"
PM_NOW=2026-12-15T09:00:00+08:00 run pm unit transfer 1-1-101 --to P2 --at 2026-12-15
expect_rc 0 "the transfer refunds the 200.00 left in cash"

export PM_NOW=2027-01-05T09:00:00+08:00
run pm-report collection --period 2026-11 --section received --format csv
expect_eq "$(tr -d '\r' <"$T/out")" 'channel,payments,received_fen,to_bills_fen,prepaid_fen,refunded_fen
alipay,1,30000,0,30000,0
total,1,30000,0,30000,0' "November: the payment, no refund"
run pm-report collection --period 2026-12 --section received --format csv
expect_eq "$(tr -d '\r' <"$T/out")" 'channel,payments,received_fen,to_bills_fen,prepaid_fen,refunded_fen
alipay,0,0,0,0,10000
cash,0,0,0,0,20000
total,0,0,0,0,30000' "December: the refunds, by the channel the money left by"
run pm-report collection --period 2026-12 --section received --building 2 --format csv
expect_eq "$(tr -d '\r' <"$T/out")" 'channel,payments,received_fen,to_bills_fen,prepaid_fen,refunded_fen
total,0,0,0,0,0' "another building has none of them"
done_testing
