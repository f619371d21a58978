#!/bin/sh
# The EXAMPLES of pm-pay(1) run as written, against the fake channels.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/pay/setup.sh"
make_world

# The literal blocks of EXAMPLES, one file each: ex.1, ex.2, ...
awk '/^\.Sh EXAMPLES/ { on = 1; next } /^\.Sh / { on = 0 }
	on && /^\.Bd -literal/ { n++; file = "ex." n; next }
	on && /^\.Ed/ { file = ""; next }
	file { gsub(/\\e/, "\\"); print > file }' "$PM_TOP/share/man/man1/pm-pay.1"
expect_eq "$(ls ex.* | wc -l | tr -d ' ')" 4 "pm-pay(1) has four examples"

run sh -e ex.1
expect_rc 0 "the orders of the first example"
expect_out '█' "one shows its QR code"
expect_eq "$(sed -n 2p pay.svg | cut -c1-4)" "<svg" "the other's is an image"
expect_eq "$(sql "SELECT channel || ' ' || amount_fen || ' ' || coalesce((SELECT group_concat(b.code) FROM pay_order_bill ob JOIN bill b ON b.id = ob.bill_id WHERE ob.order_id = o.id), '') FROM pay_order o ORDER BY id")" \
	"wechat 17900 
alipay 19000 B-2026-11-3-2-1102" "for what 3-2-1101 owes, and for 3-2-1102's bill"

note wechat.http wechat-note "$(sql "SELECT out_trade_no FROM pay_order WHERE channel = 'wechat'")"
run sh -e ex.2
expect_rc 0 "the notification twice"
expect_eq "$(grep -o '"outcome":"[a-z]*"' "$T/out" | tr '\n' ' ')" '"outcome":"recorded" "outcome":"duplicate" ' \
	"recorded once, a duplicate the second time"

$PY3 "$FAKE" pay "$K" "$(sql "SELECT out_trade_no FROM pay_order WHERE channel = 'alipay'")"
run sh -e ex.3
expect_rc 0 "sync and list"
expect_eq "$(sql "SELECT count(*) FROM payment")" 2 "sync found the Alipay payment"
expect_eq "$(grep -c '"type":"pay_order"' "$T/out")" 0 "nothing is left pending"

# The CGI program, given a notification as a web server would.
cp ex.4 notify.cgi
run pm-pay order --unit 5-1-0301 --channel wechat
note cgi.http wechat-note "$(order_no)"
run_cgi() { # NOTE: notify.cgi with its headers in the environment, its body on stdin
	_env=$(sed -n 's/^Wechatpay-\([A-Za-z]*\): \(.*\)\r$/\1 \2/p' "$1" | while read -r k v; do
		printf 'HTTP_WECHATPAY_%s=%s\n' "$(echo "$k" | tr a-z A-Z)" "$v"; done)
	sed '1,/^\r$/d' "$1" >body
	# shellcheck disable=SC2046
	env $(echo "$_env") CONTENT_LENGTH="$(wc -c <body | tr -d ' ')" sh notify.cgi <body >"$T/out" 2>"$T/err"
	rc=$?
}
run_cgi cgi.http
expect_eq "$(head -1 "$T/out")" "Status: 200 OK$(printf '\r')" "the CGI program answers 200"
expect_eq "$(sql "SELECT count(*) FROM payment")" 3 "having recorded the payment"
note forged.http wechat-note "$(order_no)" --forge
run_cgi forged.http
expect_eq "$(head -1 "$T/out")" "Status: 400 Bad Request$(printf '\r')" "a forged one gets 400"
expect_eq "$(tail -n 1 "$T/out" | tr -d '\r')" '{"code":"FAIL","message":"失败"}' "with the body WeChat Pay expects"
done_testing
