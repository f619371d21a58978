#!/bin/sh
# Red team: a web order's payment callback (pm-web's /callback/CHANNEL)
# whose ref is already a service booking's or a deposit's. The claim of
# the cart looked for the ref among carts, orders and bill payments only,
# not where pm_pay_ref_used looks (bookings, deposits, contracts' payments
# too): the cart was claimed by the booking's ref, the order refused
# ("already a service booking"), and the refusal held 79.80 more in
# cash:wechat for that one payment (wechat:WX-77 twice in cash, once as
# the booking, once as the cart), which pm-shop refund --pending then
# paid out, while the booking stayed paid; and the cart, claimed, refused
# its own payment after ("paid already, by 'wechat:WX-77'"), recording it
# nowhere. A ref that paid something else leaves the cart free and holds
# nothing, as a bill payment's ref did already.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/shop/shop.sh"
PM_NOW=2026-12-01T09:00:00+08:00
PM_CALLBACK_WECHAT=cb-secret-wechat
export PM_NOW PM_CALLBACK_WECHAT

shop_community <<'Y'
payments: {channels: [cash, wechat]}
web:
  callbacks:
    wechat: {secret: "env:PM_CALLBACK_WECHAT"}
Y
expect_rc 0 "a community whose wechat payments call back"
pm-shop merchant M1 --name 鲜果坊 --commission 100 -q >/dev/null
pm-shop offer AP --merchant M1 --title 烟台苹果 --price 39.90 --unit-name 箱 --deadline 2026-12-20 --min-group 1 \
	--stock 5 --pickup-point 东门 --pickup-at 12月22日 -q >/dev/null
pm-shop service add CLEAN --merchant M1 --title 深度保洁 --price 79.80 -q >/dev/null
pm-shop service slot CLEAN --at 2026-12-05T09:00:00+08:00 --capacity 2 -q >/dev/null
run pm-shop book --service CLEAN --slot 2026-12-05T09:00:00+08:00 --unit 1-1-102 --channel wechat --ref WX-77
expect_rc 0 "the desk books a cleaning paid by wechat:WX-77"
run pm-bill deposit take --unit 2-1-201 --kind card --amount 79.80 --channel wechat --reason 门禁卡 --evidence "卡号 7" \
	--ref WX-88
expect_rc 0 "and takes a deposit paid by wechat:WX-88"
# Two carts of two boxes (79.80) as pm-web makes them, held until 09:15.
for c in 1 2; do
	sql "INSERT INTO shop_cart (no, offer_id, unit_id, qty, amount_fen, points, login, created_at, hold_until)
		SELECT 'SO000000000000000$c', f.id, u.id, 2, 7980, 0, 'owner', strftime('%s', '2026-12-01T09:00:00+08:00'),
		strftime('%s', '2026-12-01T09:15:00+08:00') FROM shop_offer f, unit u WHERE f.code = 'AP' AND u.code = '1-1-101'"
done

callback() { # BODY: pm-web answers it as CGI, signed with the channel's secret
	_sig=$(printf %s "$1" | openssl dgst -sha256 -hmac "$PM_CALLBACK_WECHAT" | sed 's/^.*= //')
	printf %s "$1" >"$T/body"
	run_in "$T/body" env GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=POST PATH_INFO=/callback/wechat SCRIPT_NAME=/pm \
		CONTENT_TYPE=application/json CONTENT_LENGTH=${#1} HTTP_X_PM_SIGNATURE="$_sig" REMOTE_ADDR=127.0.0.1 pm-web
}
cash() { sql "SELECT coalesce(sum(amount_fen), 0) FROM posting WHERE account = 'cash:wechat'"; }
expect_eq "$(cash)" 15960 "cash:wechat holds the booking's 79.80 and the deposit's 79.80"

callback '{"order":"SO0000000000000001","amount":"79.80","ref":"WX-77"}'
expect_out '^Status: 400 ' "a cart's callback with the booking's ref is refused"
expect_out "付款 'wechat:WX-77' 已是一笔服务预约" "saying what the ref paid (the web speaks Chinese)"
callback '{"order":"SO0000000000000002","amount":"79.80","ref":"WX-88"}'
expect_out '^Status: 400 ' "one with the deposit's ref too"
expect_out "付款“wechat:WX-88”已是一笔押金" "saying so"
expect_eq "$(sql "SELECT count(*) FROM shop_cart WHERE channel IS NOT NULL OR refused IS NOT NULL")" 0 \
	"neither cart is claimed or refused"
expect_eq "$(cash) $(sql "SELECT count(*) FROM journal WHERE kind LIKE 'shop_cart%'")" "15960 0" \
	"no payment is held twice: cash:wechat is still 159.60"
run pm-shop refund --pending --format jsonl
expect_rc 0 "pm-shop refund --pending"
expect_eq "$(cat "$T/out")" "" "has nothing to give back"
expect_eq "$(cash)" 15960 "and pays out nothing"

callback '{"order":"SO0000000000000001","amount":"79.80","ref":"WX-90"}'
expect_out '^Status: 200 ' "the cart's own payment then comes"
expect_out '"outcome":"recorded"' "and is its order"
expect_eq "$(sql "SELECT o.qty || ' ' || o.amount_fen || ' ' || o.ref || ' ' || c.order_id FROM shop_order o JOIN shop_cart c ON c.order_id = o.id")" \
	"2 7980 WX-90 1" "two boxes, 79.80 by wechat:WX-90, the cart's order"
expect_eq "$(cash)" 23940 "cash:wechat 239.40: three payments, each once"
expect_eq "$(sql "SELECT state || ' ' || refunded_fen FROM shop_booking")" "paid 0" "the booking stays paid, not refunded"
run pm check -q
expect_rc 0 "pm check: the store is sound"
done_testing
