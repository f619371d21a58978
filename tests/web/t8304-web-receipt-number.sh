#!/bin/sh
# The web's receipt page said 收据号 beside the payment's id (1), while
# the paper the desk printed for the same payment said 收据号
# 2026-000001. The page now says the receipt's number when one was
# printed, 未开具 when none stands, and the payment's id as 付款编号.
. "$PM_TOP/tests/web/lib.sh"

web_store
run pm-bill pay --unit 1-1-101 --amount 10.00 --channel wechat --ref WX-R1
expect_rc 0 "an online payment of 10.00 for 1-1-101"
web_start

signin owner1
get /receipt/1
expect_code 200 "the owner's receipt page"
expect_body '<td>收据号</td><td>未开具（前台打印收据时编号）</td>' "no receipt printed yet: said so"
expect_body '<td>付款编号</td><td>1</td>' "the payment's id as its own"
signin desk
get /receipt/1/print
post /receipt/1/print paper=a5
get /receipt/1/print
expect_body '2026-000001' "the desk prints receipt 2026-000001"
signin owner1
get /receipt/1
expect_body '<td>收据号</td><td>2026-000001</td>' "the page then says the paper's number"
run pm-bill receipt 1 --void --reason 打印错误
expect_rc 0 "the receipt voided"
get /receipt/1
expect_body '<td>收据号</td><td>未开具（前台打印收据时编号）</td>' "a void receipt stands for none"
done_testing
