#!/bin/sh
# Red team: the ref of a web order's payment that the shop refused (its
# offer closed between ordering and paying: the cart keeps the money held
# in cash:wechat for pm-shop refund) was taken again by every other money
# path, since pm_pay_ref_used, their one look-up of a ref used, did not
# look at carts: pm-bill pay recorded wechat:WX-5 as a bill payment of
# 79.80 (cash:wechat 79.80 a second time for one payment), a deposit, a
# booking and a desk order took it too, and pm-shop refund --pending then
# gave the 79.80 back while the bill stayed paid by it. A ref a cart's payment has is
# used, refused or not, as a bill payment's is: by anything but the
# cart's own order (the desk recording the cart's ref for another order
# while the cart's callback was on its way had the same effect).
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
pm-bill run --period 2026-11 -q >/dev/null && pm-bill issue --period 2026-11 -q >/dev/null
pm-shop merchant M1 --name 鲜果坊 --commission 100 -q >/dev/null
pm-shop offer AP --merchant M1 --title 烟台苹果 --price 39.90 --unit-name 箱 --deadline 2026-12-01T10:00:00+08:00 \
	--min-group 1 --stock 5 --pickup-point 东门 --pickup-at 12月22日 -q >/dev/null
pm-shop service add CLEAN --merchant M1 --title 深度保洁 --price 79.80 -q >/dev/null
pm-shop service slot CLEAN --at 2026-12-05T09:00:00+08:00 --capacity 2 -q >/dev/null
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

# The first cart's payment in flight (claimed, its order not yet made),
# the second's after the deadline: refused and held.
sql "UPDATE shop_cart SET channel = 'wechat', ref = 'WX-4' WHERE no = 'SO0000000000000001'"
PM_NOW=2026-12-01T10:05:00+08:00
callback '{"order":"SO0000000000000002","amount":"79.80","ref":"WX-5"}'
expect_out '^Status: 400 ' "a payment after the offer's deadline is refused"
expect_eq "$(sql "SELECT refused IS NOT NULL FROM shop_cart WHERE no = 'SO0000000000000002'") $(cash)" "1 7980" \
	"and held: cash:wechat 79.80"

used="payment 'wechat:WX-5' is already a web order's payment"
run pm-bill pay --unit 1-1-102 --amount 79.80 --channel wechat --ref WX-5
expect_rc 65 "pm-bill pay with the refused payment's ref"
expect_err "^pm-bill: $used$" "is refused, saying what the ref paid"
run pm-bill deposit take --unit 1-1-102 --kind key --amount 79.80 --reason 钥匙 --evidence k1 --channel wechat --ref WX-5
expect_rc 65 "a deposit with it"
expect_err "$used" "too"
run pm-shop book --service CLEAN --slot 2026-12-05T09:00:00+08:00 --unit 1-1-102 --channel wechat --ref WX-5
expect_rc 65 "a booking with it"
expect_err "$used" "too"
run pm-shop order --offer AP --unit 1-1-102 --qty 2 --channel wechat --ref WX-5
expect_rc 65 "a desk order with it"
expect_err "$used" "too: the refused payment is its cart's, held for its refund"
run pm-bill pay --unit 1-1-102 --amount 79.80 --channel wechat --ref WX-4
expect_rc 65 "the ref of a payment in flight"
expect_err "payment 'wechat:WX-4' is already a web order's payment" "too"
callback '{"unit":"1-1-102","amount":"79.80","ref":"WX-5"}'
expect_out '^Status: 400 ' "a bill payment's callback with it"
expect_eq "$(sql "SELECT count(*) FROM payment") $(sql "SELECT count(*) FROM deposit") $(sql "SELECT count(*) FROM shop_booking")" \
	"0 0 0" "no payment, deposit or booking recorded"
expect_eq "$(cash)" 7980 "cash:wechat still 79.80: one payment, once"

run pm-shop refund --pending --format jsonl
expect_out '"cart":"SO0000000000000002".*"ref":"WX-5","refund_fen":7980,"outcome":"refunded"' "the refused payment refunded"
expect_eq "$(cash) $(sql "SELECT b.status FROM bill b JOIN unit u ON u.id = b.unit_id WHERE u.code = '1-1-102'")" "0 issued" \
	"cash:wechat back to 0, 1-1-102's bill still owing"
run pm-bill pay --unit 1-1-102 --amount 79.80 --channel wechat --ref WX-5
expect_rc 65 "the refunded payment's ref is still used"

PM_NOW=2026-12-01T09:30:00+08:00
run pm-shop order --offer AP --unit 1-1-102 --qty 1 --channel wechat --ref WX-4
expect_rc 65 "before the deadline, a desk order of another unit with the ref of the cart in flight"
expect_err "payment 'wechat:WX-4' is already a web order's payment" "is refused: the payment is the cart's"
expect_eq "$(sql "SELECT count(*) FROM shop_order")" 0 "nothing recorded"
callback '{"order":"SO0000000000000001","amount":"79.80","ref":"WX-4"}'
expect_out '^Status: 200 ' "the payment in flight, called back again before the deadline"
expect_out '"outcome":"recorded"' "is its cart's order: a cart's ref is used by others, not by itself"
run pm-shop order --offer AP --unit 1-1-101 --qty 2 --channel wechat --ref WX-4 --format jsonl
expect_out '"outcome":"duplicate"' "the desk recording the same order again is a duplicate"
expect_eq "$(cash)" 7980 "cash:wechat 79.80: the one order"
run pm check -q
expect_rc 0 "pm check: the store is sound"
done_testing
