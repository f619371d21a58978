#!/bin/sh
# pm-shop's rules around the money paths: who may do what, offers in the
# wrong state, huge values, an offer nobody ordered, a unit's pickup over
# two orders, messages in Chinese.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"80","delivered":"2020-01-01"}
{"code":"1-1-102","area":"80","delivered":"2020-01-01"}\n' pm unit import
printf 'effective: 2026-01-01\ncommunity:\n  name: 测试小区\nbilling:\n  max_amount: 10000\n' >pm.yaml
run pm config apply pm.yaml
run pm user add zhao.desk --role frontdesk
run pm user add li.finance --role finance

run pm-shop --as zhao.desk merchant M1 --name 鲜果坊 --commission 100
expect_rc 77 "the desk may not add a merchant"
run pm-shop --as li.finance merchant M1 --name 鲜果坊 --commission 100
expect_rc 0 "finance may"
run pm-shop merchant M1 --name 鲜果坊 --commission 100 --format jsonl
expect_out '"outcome":"existing"' "the same merchant again is told as existing"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'shop.merchant'")" "1" "and audited once"
run pm-shop merchant M2 --name x --commission 1e20
expect_rc 2 "a commission that is no number"

run pm-shop --as zhao.desk offer F1 --merchant M1 --title 鸡蛋 --price 10000.01 --deadline 2026-12-10 --stock 5 \
	--pickup-point 前台 --pickup-at 周六
expect_rc 65 "a price above billing.max_amount"
run pm-shop --as zhao.desk offer F1 --merchant M1 --title 鸡蛋 --price 9.99 --deadline 2026-12-10 --stock 5 \
	--min-group 1 --pickup-point 前台 --pickup-at 周六
expect_rc 0 "the desk opens an offer"
run pm-shop offer F1 --merchant M1 --title 鸡蛋 --price 9.99 --deadline 2026-12-10 --stock 5 --pickup-point 前台 \
	--pickup-at 周六
expect_rc 65 "the same code again"
expect_err "offer 'F1' exists" "is refused"
run pm-shop offer F2 --merchant M1 --title x --price 1 --deadline 2026-12-10 --stock 0 --pickup-point x --pickup-at x
expect_rc 2 "a stock of 0"
run pm-shop offer EMPTY --merchant M1 --title 无人问津 --price 1 --deadline 2026-12-10 --stock 5 --pickup-point x \
	--pickup-at x
expect_rc 0 "an offer nobody will order"

run pm-shop --as zhao.desk order --offer F1 --unit 1-1-101 --qty 99999999999999 --channel wechat --ref W1
expect_rc 65 "a huge quantity"
expect_err "offer 'F1' has 5 left, not 99999999999999" "is more than the stock"
run pm-shop order --offer F1 --unit 1-1-101 --qty 1 --points 99999999999999 --channel wechat --ref W1
expect_rc 65 "huge points"
run pm-shop order --offer F1 --unit 9-9-999 --channel wechat --ref W1
expect_err "unknown unit '9-9-999'" "an unknown unit"
run pm-shop order --offer NOPE --unit 1-1-101 --channel wechat --ref W1
expect_err "unknown offer 'NOPE'" "an unknown offer"
run pm-shop order --offer F1 --unit 1-1-101 --channel wechat --ref ''
expect_rc 2 "an empty ref"
run pm-shop --as zhao.desk order --offer F1 --unit 1-1-101 --qty 2 --channel wechat --ref W1
expect_rc 0 "the desk records an order"
run pm-shop --as zhao.desk order --offer F1 --unit 1-1-101 --qty 1 --channel cash --ref R-0001
expect_rc 0 "and a second of the same unit, in cash"
run pm-shop pickup F1 --unit 1-1-101
expect_rc 65 "a pickup before the offer closed"
expect_err "offer 'F1' is open, not formed" "is refused"
run pm-shop pickup F1
expect_err "offer 'F1' is open: it has no pickup list" "so is its list"

PM_NOW=2026-12-10T08:00:00+08:00
run pm-shop --as zhao.desk close F1
expect_rc 77 "the desk may not close an offer"
run pm-shop --as li.finance close F1 --format jsonl
expect_rc 0 "finance closes it: one unit was enough"
expect_out '^\{"type":"shop_pickup","building":"1","unit":"1-1-101","qty":3,"picked":0,' "three to pick up over two orders"
run pm-shop close EMPTY --format jsonl
expect_rc 0 "an offer nobody ordered"
expect_eq "$(cat "$T/out")" "" "fails with nothing to refund"
expect_eq "$(sql "SELECT state FROM shop_offer WHERE code = 'EMPTY'")" "failed" "and is failed"
run pm-shop order --offer F1 --unit 1-1-102 --channel wechat --ref W9
expect_rc 65 "an order once it formed"
expect_err "offer 'F1' is formed, not open" "is refused"

run pm-shop --as zhao.desk pickup F1 --unit 1-1-101 --qty 3 --format jsonl
expect_rc 0 "the desk hands out all three"
expect_out '"qty":3,"picked":3' "over both orders"
expect_eq "$(sql "SELECT group_concat(picked) FROM shop_order ORDER BY id")" "2,1" "each order's share"
run pm-shop --as zhao.desk settle F1 --channel bank
expect_rc 77 "the desk may not settle"
run pm-shop --as li.finance settle F1 --channel paypal
expect_rc 65 "a payout channel not in payments.channels"
expect_eq "$(sql "SELECT count(*) FROM journal WHERE kind = 'shop_settle'")" "0" "writes nothing"
# 3 at 9.99 = 29.97, 1% = 0.2997, half up 0.30, shared 2:1 as 0.20, 0.10.
run pm-shop --as li.finance settle F1 --channel bank --format csv
expect_rc 0 "settled"
expect_out '^1,1-1-101,2,2,1998,20,1978,0,0$' "order 1: 19.98, 0.20 commission"
expect_out '^2,1-1-101,1,1,999,10,989,0,0$' "order 2: 9.99, 0.10 commission"
expect_out '^,,3,3,2997,30,2967,0,0$' "the total, in the lines' columns"
run pm check
expect_rc 0 "pm check"

(unset PM_LOCALEDIR; LC_ALL=zh_CN.UTF-8 pm-shop settle F1 --channel bank >"$T/out" 2>"$T/err")
expect_err "团购“F1”的状态是 settled，不是 formed" "messages in Chinese"
done_testing
