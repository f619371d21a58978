#!/bin/sh
# README's "Online payment" runs as written against the fake channels; the
# cron line it shows is the one in share/pm/examples/cron/pm-pay.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/pay/setup.sh"
make_world

# The section's blocks: its sh block and its cron line.
awk '/^## Online payment/ { on = 1; next } /^## / { on = 0 }
	on && /^```sh$/ { f = "readme.sh"; next }
	on && /^```$/ && !f { f = "readme.cron"; next }
	on && /^```$/ { f = ""; next }
	f { print > f }' "$PM_TOP/README.md"
expect_eq "$(wc -l <readme.sh | tr -d ' ')" 5 "the section shows five commands"
expect_eq "$(cat readme.cron)" "$(grep '^\*/5' "$PM_TOP/share/pm/examples/cron/pm-pay")" \
	"its cron line is the example file's"

# The two orders, then the notification the payer's WeChat Pay sends for
# the first; the order the text closes is the second, under its real
# number.
sed -n 1,2p readme.sh >orders.sh
run sh -e orders.sh
expect_rc 0 "both orders made"
expect_out '█' "the first shows its QR code"
expect_eq "$(sed -n 2p pay.svg | cut -c1-4)" "<svg" "the second's is an image"
wx=$(sql "SELECT out_trade_no FROM pay_order WHERE channel = 'wechat'")
ali=$(sql "SELECT out_trade_no FROM pay_order WHERE channel = 'alipay'")
note notification.http wechat-note "$wx"
sed -n '3,$p' readme.sh | sed "s/PM20261201A1B2C3D4E5F60718/$ali/" >rest.sh
expect_eq "$(grep -c "$ali" rest.sh)" 1 "the text closes an order by its number"

run sh -e rest.sh
expect_rc 0 "notify, list and close run"
expect_out '"outcome":"recorded"' "the notification recorded the payment"
expect_eq "$(sql "SELECT p.amount_fen || ' ' || p.channel || ' ' || p.ref FROM payment p")" \
	"17900 wechat $(sql "SELECT transaction_id FROM pay_order WHERE channel = 'wechat'")" \
	"179.00 through WeChat Pay, its transaction the reference"
expect_out "\"order\":\"$ali\",\"channel\":\"alipay\"" "list showed the Alipay order pending"
expect_eq "$(sql "SELECT status || ' ' || closed_reason FROM pay_order WHERE channel = 'alipay'")" \
	"closed 改用支付宝" "close closed it with the reason"
expect_eq "$(tail -1 "$K/requests.jsonl" | $PY3 -c 'import json,sys; r=json.load(sys.stdin); p=r["params"]; print(p["method"], json.loads(p["biz_content"])["out_trade_no"], r["ok"])')" \
	"alipay.trade.close $ali True" "at Alipay too, by a request it verified"
done_testing
