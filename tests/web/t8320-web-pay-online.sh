#!/bin/sh
# A bill paid online from the web: the pay page offers the merchant
# accounts of pm.yaml's payments section; a button makes (or finds) the
# order through pm-pay, run by pm-web as the service account for the
# signed-in owner, and the order's page shows its QR code (Alipay's also
# as a link that opens the app) until the channel's notification is
# recorded, then the receipt. Against the fake channels on 127.0.0.1, and
# in headless Chromium on a phone (screenshots in online/ of
# $PM_WEB_SHOTS, default web-shots beside the build's bin).
. "$PM_TOP/tests/web/lib.sh"
. "$PM_TOP/tests/cli/pay/setup.sh"
expect_no_body() {
	if grep -qE -- "$1" "$T/body"; then _report 0 "$2" "body has /$1/"; else _report 1 "$2"; fi
}
trap 'stop_fake; web_stop; rm -rf "$T"; _accounts_done' EXIT
PM_NOW=2026-12-01T09:00:00+08:00

web_store
make_keys
start_fake
# The merchant keys are the service account's to read, as the store is.
chgrp -R www-data "$K" && chmod 750 "$K" && chmod 640 "$K"/*
awk -v port="$PORT" -v k="$K" -v ms="$MERCHANT_SERIAL" '{ print }
/^  channels: \[cash, bank, wechat, alipay, pos\]$/ {
	print "  wechat:\n    mchid: \"1900000001\"\n    appid: wx8888888888888888\n    serial_no: " ms
	print "    private_key: file:" k "/merchant.key\n    apiv3_key: file:" k "/apiv3.key"
	print "    platform_certificates: [file:" k "/platform.pem]"
	print "    notify_url: https://pay.example.com/pm/notify/wechat\n    api_url: http://127.0.0.1:" port
	print "  alipay:\n    app_id: \"2021000000000001\"\n    private_key: file:" k "/app.key"
	print "    alipay_public_key: file:" k "/alipay.b64\n    seller_id: \"2088000000000001\""
	print "    notify_url: https://pay.example.com/pm/notify/alipay\n    gateway: http://127.0.0.1:" port "/gateway.do"
}' "$PM_TOP/share/pm/examples/pm.yaml" >"$T/pm.yaml"
pm config apply -q "$T/pm.yaml" || echo "not ok - the config with the merchant accounts"
cp "$PM_BIN/pm-pay" "$T/cgi-bin/pm-pay"
chmod a+rx "$T/cgi-bin/pm-pay"
web_start
need_browser
shots=${PM_WEB_SHOTS:-$PM_BIN/../web-shots}/online
rm -rf "$shots"

bill=B-2026-11-1-1-101
owed=$(sql "SELECT total_fen FROM bill WHERE code = '$bill'")
expect_eq "$owed" 22533 "1-1-101 owes 225.33"

signin owner1
get "/bill/$bill/pay"
expect_code 200 "the pay page"
expect_body '<button>微信支付 ¥225.33</button>' "offers WeChat Pay for what the bill owes"
expect_body '<button>支付宝 ¥225.33</button>' "and Alipay"
expect_body '付款时请备注账单号' "the office's own QR code stays below"

post "/bill/$bill/order" channel=wechat
expect_code 303 "the WeChat Pay button makes an order"
wx=$(sql "SELECT out_trade_no FROM pay_order WHERE channel = 'wechat'")
expect_head "^Location: /pm/order/$wx" "and goes to its page"
expect_eq "$(sql "SELECT u.code || ' ' || o.amount_fen || ' ' || o.status || ' ' || o.qr FROM pay_order o JOIN unit u ON u.id = o.unit_id")" \
	"1-1-101 22533 pending weixin://wxpay/bizpayurl?pr=${wx#"${wx%????????}"}" "for the bill's 225.33, with the channel's code_url"
expect_eq "$(sql "SELECT b.code FROM pay_order_bill ob JOIN bill b ON b.id = ob.bill_id")" "$bill" "for that bill alone"
expect_eq "$(sql "SELECT actor || ' ' || caller FROM audit WHERE action = 'pay.order'")" "owner1 web" \
	"audited as the owner's, by the service account"
expect_eq "$(tail -1 "$K/requests.jsonl" | $PY3 -c 'import json,sys; r=json.load(sys.stdin); b=r["body"]; b=json.loads(b) if isinstance(b, str) else b; print(r["path"], b["amount"]["total"], r["ok"])')" \
	"/v3/pay/transactions/native 22533 True" "WeChat Pay was asked for 22533 fen, signed as it checks"

browser_checks browser_phone.py "$shots" online
expect_eq "$(sql "SELECT count(*) FROM pay_order")" 1 "the tap on the phone found the same order"

get "/order/$wx"
expect_code 200 "the order's page"
expect_body '<svg' "shows its QR code"
expect_body '长按二维码识别付款' "says how to pay inside WeChat"
expect_body '¥225.33' "and the amount"
expect_body '有效至 2026-12-01 ' "and until when"

get "/bill/$bill/pay"
post "/bill/$bill/order" channel=wechat
expect_code 303 "the button again"
expect_head "^Location: /pm/order/$wx" "goes to the same order"
expect_eq "$(sql "SELECT count(*) FROM pay_order")" 1 "no second order"

get "/bill/$bill/pay"
post "/bill/$bill/order" channel=alipay
expect_code 303 "the Alipay button"
ali=$(sql "SELECT out_trade_no FROM pay_order WHERE channel = 'alipay'")
get "/order/$ali"
expect_body "<a class=\"button\" href=\"https://qr.alipay.com/bax0${ali#"${ali%????????}"}\">打开支付宝付款 ¥225.33</a>" \
	"Alipay's code is also a link that opens the app on the phone"
expect_body '<svg' "and a QR code"

get "/bill/$bill/pay"
post "/bill/$bill/order" channel=paypal
expect_code 400 "a channel not offered is refused"
expect_body '请选择微信支付或支付宝' "saying what to choose"

# Another owner sees neither the order nor a way to make one.
signin owner2
get "/order/$wx"
expect_code 403 "another owner may not see the order"
expect_body "无权查看支付订单 $wx" "told so"
get /order/PM20990101000000000000000000
expect_code 403 "an order that does not exist is refused the same way"
get /bill/B-2026-11-1-1-102/pay
post "/bill/$bill/order" channel=wechat
expect_code 403 "nor order for another's bill"
expect_eq "$(sql "SELECT count(*) FROM pay_order")" 2 "no order made"

# The front desk makes the order for an owner at the counter, the QR code
# on its screen; a technician may not.
signin desk
get /bill/B-2026-11-1-1-102/pay
expect_body '<button>微信支付 ¥' "the desk is offered the owner's online payment"
post /bill/B-2026-11-1-1-102/order channel=wechat
expect_code 303 "and makes the order"
expect_eq "$(sql "SELECT a.actor || ' ' || a.caller || ' ' || u.code FROM audit a, pay_order o JOIN unit u ON u.id = o.unit_id
	WHERE a.action = 'pay.order' AND a.id = (SELECT max(id) FROM audit WHERE action = 'pay.order') AND o.id = (SELECT max(id) FROM pay_order)")" \
	"desk web 1-1-102" "for 1-1-102, audited as the desk's"
signin tech
get /bill/B-2026-11-1-1-102/pay
expect_no_body '<button>微信支付' "a technician is offered nothing"
post /bill/B-2026-11-1-1-102/order channel=wechat
expect_code 403 "and may not order"
expect_eq "$(sql "SELECT count(*) FROM pay_order")" 3 "so no order is made"

# WeChat Pay's notification, recorded as pm-pay notify records it: the
# order's page says paid and links the receipt.
note wechat.http wechat-note "$wx"
run pm-pay notify --channel wechat wechat.http
expect_rc 0 "the notification is recorded"
pay=$(sql "SELECT payment_id FROM pay_order WHERE out_trade_no = '$wx'")
signin owner1
get "/order/$wx"
expect_code 200 "the paid order's page"
expect_body '已付款，已入账' "says it is paid"
expect_body "href=\"/pm/receipt/$pay\">查看收据" "and links its receipt"
expect_eq "$(sql "SELECT status FROM bill WHERE code = '$bill'")" paid "the bill is paid"
browser_checks browser_phone.py "$shots" online "$wx"
get "/bill/$bill/pay"
expect_body '本账单已缴清' "the pay page says the bill is paid"
expect_no_body '<button>微信支付' "and offers nothing more to pay"
post "/bill/$bill/order" channel=alipay
expect_code 400 "a hand-made order for the paid bill is refused"
expect_body "无法在线下单：账单 &#39;$bill&#39; 状态为 paid，没有欠费" "with pm-pay's reason, in Chinese"
expect_eq "$(sql "SELECT count(*) FROM pay_order")" 3 "and no order made"

# The desk's order for 1-1-102, paid in cash at the desk meanwhile, then
# scanned and paid as well: the owner is told the money waits as prepaid.
desk=$(sql "SELECT out_trade_no FROM pay_order o JOIN unit u ON u.id = o.unit_id WHERE u.code = '1-1-102'")
run pm-bill pay --unit 1-1-102 --amount "$(sql "SELECT printf('%d.%02d', total_fen / 100, total_fen % 100) FROM bill WHERE code = 'B-2026-11-1-1-102'")" \
	--channel cash --ref DESK-1
expect_rc 0 "1-1-102's bill paid in cash at the desk"
note wechat2.http wechat-note "$desk"
run pm-pay notify --channel wechat wechat2.http
expect_rc 0 "then the order the desk made is paid too"
signin owner2
get "/order/$desk"
expect_body '已付款，已入账' "the owner's order page says paid"
expect_body "其中 ¥$(sql "SELECT printf('%d.%02d', amount_fen / 100, amount_fen % 100) FROM pay_order WHERE out_trade_no = '$desk'") 存为本户预存款" \
	"and that all of it waits as the unit's prepaid money"
signin owner1
get "/order/$wx"
expect_no_body '存为本户预存款' "an order that paid its bill says nothing of prepaid money"

# The channel down: the desk is told to try later, nothing is lost.
stop_fake
_fake_pid=
signin desk
get /bill/B-2026-11-2-1-101/pay
post /bill/B-2026-11-2-1-101/order channel=alipay
expect_code 503 "a channel that does not answer"
expect_body '支付宝暂时无法下单，请稍后再试，或到物业服务中心缴费' "is told as such"
expect_no_body 'curl|127\.0\.0\.1' "without the technical detail"
# (cgi.log under mod_cgi, error.log under FastCGI and nginx)
for f in "$T"/log/*; do [ -f "$f" ] && cat "$f"; done >"$T/logs" 2>/dev/null
grep -q "pm-pay order B-2026-11-2-1-101 alipay: exit 69" "$T/logs" &&
	_report 1 "which the server's log keeps" || _report 0 "which the server's log keeps" "$(tail -3 "$T/logs")"
done_testing
