#!/bin/sh
# The desk taking cash on the web for a unit whose owner holds an online
# order's QR code still payable is told so on the receipt it lands on,
# as pm-bill pay tells it on stderr: the order, its amount, until when,
# and how to close it. An order past its expiry, another unit's, or the
# owner looking at the receipt: nothing said. (The order is written as
# pm-pay leaves it once the channel gave its QR code: pending, with qr.)
. "$PM_TOP/tests/web/lib.sh"

web_store
exp=$(date -d 2026-12-01T09:30:00+08:00 +%s)
sql "INSERT INTO pay_order (out_trade_no, channel, unit_id, amount_fen, status, qr, expires_at, created_by,
	created_at, updated_at) SELECT 'PM20261201AB12CD34EF56AB78', 'wechat', id, 17900, 'pending',
	'weixin://wxpay/bizpayurl?pr=abc', $exp, 'web', $exp - 1800, $exp - 1800 FROM unit WHERE code = '1-1-101'"
web_start

signin desk
get /cash
post /cash unit=1-1-101 amount=10.00 "ref=$(sed -n 's/.*name="ref" value="\([^"]*\)".*/\1/p' "$T/body")"
expect_code 303 "the desk takes ¥10.00 in cash for 1-1-101"
expect_head '^Location: /pm/receipt/1' "receipt 1"
get /receipt/1
expect_code 200 "the receipt"
expect_body '<p class="note warn">该户有在线支付订单 PM20261201AB12CD34EF56AB78（¥179.00），在 2026-12-01 09:30 前仍可支付：业主若再付款，该笔款项将转入预存余额。请用 pm-pay close PM20261201AB12CD34EF56AB78 关闭该订单。</p>' \
	"says the order waiting: its number, amount, until when and how to close it"
expect_eq "$(sql "SELECT count(*) || ':' || sum(amount_fen) FROM payment")" "1:1000" "the cash is recorded all the same"

get /cash
post /cash unit=1-1-102 amount=10.00 "ref=$(sed -n 's/.*name="ref" value="\([^"]*\)".*/\1/p' "$T/body")"
get /receipt/2
expect_code 200 "1-1-102's receipt"
expect_body '<table class="receipt">' "is a receipt"
if grep -q 'note warn' "$T/body"; then _report 0 "another unit's order is not said"; else _report 1 "another unit's order is not said"; fi

signin owner1
get /receipt/1
expect_code 200 "the owner sees the receipt"
if grep -q '在线支付订单' "$T/body"; then _report 0 "without the desk's note"; else _report 1 "without the desk's note"; fi

sql "UPDATE pay_order SET expires_at = $(date -d 2026-12-01T08:59:00+08:00 +%s)"
signin desk
get /receipt/1
expect_code 200 "the receipt again"
if grep -q '在线支付订单' "$T/body"; then _report 0 "an order past its expiry is not said"; else _report 1 "an order past its expiry is not said"; fi
done_testing
