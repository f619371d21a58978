#!/bin/sh
# Attacks on group buying on the web: ordering for another's unit,
# reading or paying another's order by its number, forms without their
# CSRF token, amounts and prices from the form, forged, replayed,
# mismatched and racing callbacks. Each is refused and the store keeps
# no trace of it.
. "$PM_TOP/tests/web/lib.sh"

web_store
pm-shop merchant M1 --name 鲜果坊 --commission 250 -q >/dev/null
pm-shop offer AP --merchant M1 --title 烟台苹果 --price 39.90 --unit-name 箱 --deadline 2026-12-20 --min-group 2 \
	--stock 100 --pickup-point 东门 --pickup-at 12月22日 -q >/dev/null
pm-bill pay --unit 1-1-101 --amount 1 --channel alipay --ref AL-BILL1 -q >/dev/null
pm-bill pay --unit 1-1-102 --amount 1 --channel wechat --ref WX-BILL2 -q >/dev/null
pm-bill rewards -q --as-of 2026-12-01 >/dev/null
web_start

carts() { sql "SELECT count(*) FROM shop_cart"; }
orders() { sql "SELECT count(*) FROM shop_order"; }

signin owner1
get /shop/AP
post /shop/AP/order unit=1-1-102 qty=1
expect_code 403 "owner1 orders for owner2's unit"
post /shop/AP/order unit=9-9-999 qty=1
expect_code 403 "or for a unit that does not exist"
post /shop/AP/order unit=1-1-101 qty=1 csrf=
expect_code 403 "a form without its CSRF token"
post /shop/AP/order unit=1-1-101 qty=1 csrf=0000000000000000000000000000000000000000000000000000000000000000
expect_code 403 "a form with a made-up token"
expect_eq "$(carts)" 0 "none of them made a cart"
get /shop/AP
for bad in qty=0 qty=-1 qty=abc qty=99999 "qty=1 points=-5" "qty=101"; do
	# shellcheck disable=SC2086
	post /shop/AP/order unit=1-1-101 $bad
	expect_code 400 "a bad order ($bad)"
done
post /shop/AP/order unit=1-1-101 qty=1 points=51
expect_code 400 "more points than the unit has"
expect_body '房屋“1-1-101”只有 50 积分，不足 51' "is refused, saying how many it has"
expect_eq "$(carts)" 0 "still no cart"
post /shop/NOPE/order unit=1-1-101 qty=1
expect_code 400 "an unknown offer"
get /shop/NOPE
expect_code 404 "has no page"

post /shop/AP/order unit=1-1-101 qty=2 points=50 amount=0.01 price_fen=1
expect_code 303 "owner1's order, with an amount and a price slipped into the form"
mine=$(cart_of)
expect_eq "$(sql "SELECT amount_fen || ' ' || points FROM shop_cart WHERE no = '$mine'")" "7980 50" "priced from the store all the same"

signin owner2
get "/cart/$mine"
expect_code 403 "owner2 opens owner1's order by its number"
denied=$(grep -o 'class="note error">[^<]*' "$T/body")
get /cart/SO0000000000000000
expect_code 403 "and one that does not exist"
expect_eq "$(grep -o 'class="note error">[^<]*' "$T/body" | sed 's/SO0000000000000000/NO/')" \
	"$(printf %s "$denied" | sed "s/$mine/NO/")" "told the same way: nothing says which exists"
get /orders
expect_eq "$(grep -c '1-1-101' "$T/body")" 0 "owner2's orders show nothing of 1-1-101"
signin owner3
get /orders
expect_code 200 "an owner who lives nowhere has an empty list"
post /shop/AP/order unit=1-1-101 qty=1 csrf="$(csrf)"
expect_code 403 "and cannot order for 1-1-101"
signin tech
get /shop
expect_code 403 "a technician has no shop"
signin desk
get /shop/AP
post /shop/AP/order unit=1-1-101 qty=1
expect_code 403 "the desk takes orders with pm-shop order, not here"
get "/cart/$mine"
expect_code 200 "the desk may read an order"
signin owner1
get /shop/AP
post /shop/AP/pickup unit=1-1-101 qty=1
expect_code 403 "an owner marks no pickup"
get /shop/AP/pickup
expect_code 403 "nor sees the pickup list"

# Callbacks: forged, mismatched, then the real one, replayed, and a
# second payment of the same order.
body="{\"order\":\"$mine\",\"amount\":\"79.30\",\"ref\":\"WX-1\"}"
wechat_callback "$body" ""
expect_code 401 "an unsigned callback"
wechat_callback "$body" "$(sign "$body" wrong-secret)"
expect_code 401 "one signed with another secret"
wechat_callback "{\"order\":\"$mine\",\"amount\":\"0.01\",\"ref\":\"WX-1\"}"
expect_code 400 "a payment of another amount"
expect_body "订单“$mine”应付 79.30，不是 0.01" "is refused, naming both"
wechat_callback "{\"order\":\"$mine\",\"amount\":\"79.30\",\"ref\":\"WX-BILL2\"}"
expect_code 400 "a ref a bill payment has"
wechat_callback '{"order":"x'"'"' OR 1=1 --","amount":"79.30","ref":"WX-9"}'
expect_code 400 "an unknown order"
expect_eq "$(orders) $(sql "SELECT count(*) FROM shop_cart WHERE channel IS NOT NULL")" "0 0" \
	"nothing recorded, the cart not claimed"
wechat_callback "$body"
expect_code 200 "the real payment"
expect_body '"outcome":"recorded"' "is recorded"
wechat_callback "$body"
expect_body '"outcome":"duplicate"' "replayed, it is a duplicate"
wechat_callback "{\"order\":\"$mine\",\"amount\":\"79.30\",\"ref\":\"WX-2\"}"
expect_code 400 "a second payment of the same order"
expect_body "订单“$mine”已由“wechat:WX-1”支付" "is refused, naming the first"
expect_eq "$(orders) $(sql "SELECT sum(amount_fen) FROM posting WHERE account = 'cash:wechat'")" "1 8030" \
	"one order, 79.30 once in cash (beside the bill's 1.00)"

# Two payments of one order at once, twenty times over: one order each.
signin owner2
i=0
: >"$T/race"
while [ $i -lt 20 ]; do
	get /shop/AP
	post /shop/AP/order unit=1-1-102 qty=1
	cart_of >>"$T/race"
	i=$((i + 1))
done
python3 - "$BASE" "$PM_CALLBACK_WECHAT" "$T/race" >"$T/raced" <<'PY'
import hmac, hashlib, json, sys, urllib.request, urllib.error
from concurrent.futures import ThreadPoolExecutor
base, secret, carts = sys.argv[1], sys.argv[2].encode(), open(sys.argv[3]).read().split()
def send(job):
    cart, ref = job
    body = json.dumps({"order": cart, "amount": "39.90", "ref": ref}).encode()
    sig = hmac.new(secret, body, hashlib.sha256).hexdigest()
    req = urllib.request.Request(base + "/callback/wechat", body, {"X-PM-Signature": sig, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as r:
            return json.load(r)["outcome"]
    except urllib.error.HTTPError as e:
        return str(e.code)
jobs = [(c, "R%02dA" % i) for i, c in enumerate(carts)] + [(c, "R%02dB" % i) for i, c in enumerate(carts)]
with ThreadPoolExecutor(8) as ex:
    out = list(ex.map(send, jobs))
print(out.count("recorded"), out.count("400"))
PY
expect_eq "$(cat "$T/raced")" "20 20" "40 payments of 20 orders at once: 20 recorded, 20 refused"
expect_eq "$(sql "SELECT count(*), sum(amount_fen) FROM shop_order WHERE unit_id = (SELECT id FROM unit WHERE code = '1-1-102')")" \
	"20|79800" "20 orders of 39.90, never two for one cart"
expect_eq "$(sql "SELECT count(*) FROM shop_cart c JOIN shop_order o ON o.id = c.order_id AND o.ref = c.ref")" 21 \
	"each cart's order is the payment that claimed it"
run pm check -q
expect_rc 0 "pm check agrees"
done_testing
