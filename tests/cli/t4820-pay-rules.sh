#!/bin/sh
# pm-pay's rules around the channels: who may do what, the configuration
# and its secrets, answers that do not verify, a channel that is down,
# orders for named bills, the QR code as a file, and the day's statement
# reconciled after sync.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/pay/setup.sh"
make_world
run pm-bill run --period 2026-10
run pm-bill issue --period 2026-10
printf '{"code":"P001","name":"张伟","phone":"13800000001","unit":"3-2-1101","since":"2020-06-30"}\n' >people.jsonl
run pm person import people.jsonl
run pm user add owner1 --role owner --person P001
expect_rc 0 "an owner of 3-2-1101"
run pm user add web --role service
run pm user add fd1 --role frontdesk

# ---- named bills ----
run pm-pay order --unit 3-2-1101 --channel wechat
expect_out '"amount_fen":35800,' "without bills, an order for all the unit owes: October and November"
run pm-pay order --unit 3-2-1101 --channel wechat --bill B-2026-11-3-2-1101
expect_rc 0 "an order for one named bill"
N=$(order_no)
expect_out '"amount_fen":17900,"status":"pending","bills":"B-2026-11-3-2-1101"' "for what that bill owes"
run pm-pay order --unit 3-2-1101 --channel wechat --bill B-2026-11-3-2-1101 --bill B-2026-10-3-2-1101
expect_out '"amount_fen":35800,"status":"pending","bills":"B-2026-11-3-2-1101,B-2026-10-3-2-1101"' "two bills, in the order named"
run pm-pay order --unit 3-2-1101 --channel wechat --bill B-2026-11-3-2-1102
expect_rc 65 "a bill of another unit"
expect_err "^pm-pay: bill 'B-2026-11-3-2-1102' is for unit '3-2-1102', not '3-2-1101'$" "is refused"
run pm-pay order --unit 3-2-1101 --channel wechat --bill B-2026-11-3-2-1101 --bill B-2026-11-3-2-1101
expect_rc 2 "a bill named twice"
run pm-pay order --unit 3-2-1101 --channel wechat --amount 100000000
expect_rc 65 "an amount above billing.max_amount"
expect_err "amount 100000000.00 is above the maximum of 10000000.00 \(billing.max_amount\)" "is refused as the typo it is"
run pm-pay order --unit 3-2-1101 --channel wechat --amount -1
expect_rc 2 "a negative amount is a usage error"
run pm-pay order --unit 3-2-1101 --channel paypal
expect_rc 2 "an unknown channel"
expect_err "^pm-pay order: unknown channel 'paypal': expected wechat or alipay$" "names the two"
note n.http wechat-note "$N"
run_in n.http pm-pay notify --channel wechat
expect_rc 0 "the named bill's order paid"
expect_eq "$(sql "SELECT b.code || ' ' || b.status FROM bill b JOIN unit u ON u.id = b.unit_id WHERE u.code = '3-2-1101' ORDER BY b.period")" \
	"B-2026-10-3-2-1101 issued
B-2026-11-3-2-1101 paid" "the payment went to the named November bill, not the older October one"

# ---- who may do what ----
run pm-pay --as owner1 order --unit 3-2-1101 --channel alipay
expect_rc 0 "an owner orders for their own unit"
run pm-pay --as owner1 order --unit 3-2-1102 --channel alipay
expect_rc 77 "but not for another's"
run pm-pay order --unit 3-2-1102 --channel alipay
O=$(order_no)
run pm-pay --as owner1 show "$O"
expect_rc 77 "nor sees another's order"
run pm-pay --as owner1 list
expect_rc 77 "an owner lists with --unit"
expect_err "owners list orders with --unit CODE" "saying so"
run pm-pay --as owner1 list --unit 3-2-1101
expect_rc 0 "their own unit's orders"
run pm-pay --as owner1 sync
expect_rc 77 "owners do not sync"
run pm-pay --as web order --unit 3-2-1101 --channel alipay
expect_rc 77 "the web's service account orders only for someone"
note w.http alipay-note "$O"
run_in w.http pm-pay --as web notify --channel alipay
expect_rc 0 "but records a notification in its own name: the channel's signature is the authority"
expect_eq "$(sql "SELECT actor FROM audit WHERE action = 'pay.paid' ORDER BY id DESC LIMIT 1")" web "audited as web"
run pm-pay --as fd1 order --unit 5-1-0301 --channel alipay --amount 1
run pm-pay --as fd1 close "$(order_no)"
expect_rc 0 "the front desk closes orders"

# ---- answers that do not verify, a channel that is down ----
echo forge >"$K/mode"
run pm-pay order --unit 5-1-0301 --channel wechat
expect_rc 65 "a WeChat Pay answer whose signature fails is not believed"
F=$(sed -n "s/.*order '\(PM[0-9A-F]*\)'.*/\1/p" "$T/err")
expect_err "^pm-pay: order '$F' stays pending without a QR code \(pm-pay sync settles it\): WeChat Pay's answer to POST /v3/pay/transactions/native: the signature does not verify$" \
	"saying so, and what becomes of the order"
expect_eq "$(sql "SELECT status || ' ' || coalesce(qr, 'no code') FROM pay_order WHERE out_trade_no = '$F'")" "pending no code" \
	"the order waits without a code"
run pm-pay order --unit 5-1-0301 --channel alipay --amount 2
expect_rc 65 "nor an Alipay answer"
expect_err "Alipay's answer: the signature does not verify$" "saying so"
run pm-pay sync
expect_rc 69 "sync with answers that do not verify"
expect_out "\"order\":\"$F\",\"channel\":\"wechat\",\"state\":\"\?\",\"outcome\":\"failed\",\"why\":\"WeChat Pay's answer to GET /v3/pay/transactions/out-trade-no/$F\?mchid=1900000001: the signature does not verify\"" \
	"fails each order, saying why"
expect_err "orders could not be asked about; the next run tries again" "and tells cron"
echo down >"$K/mode"
run pm-pay order --unit 5-1-0301 --channel wechat --amount 3
expect_rc 69 "a channel that is down"
expect_err "WeChat Pay answered HTTP 503: SYSTEM_ERROR: busy$" "with its answer"
rm "$K/mode"
run pm-pay sync
expect_rc 0 "the next sync settles what the failures left"
expect_eq "$(sql "SELECT count(*) FROM pay_order WHERE status = 'pending' AND qr IS NULL")" 3 \
	"orders without a code wait for their expiry (WeChat Pay never saw them)"
PM_NOW=2026-12-01T12:00:00+08:00 run pm-pay sync
expect_eq "$(sql "SELECT count(*) FROM pay_order WHERE status = 'pending'")" 0 "and are closed after it"

# ---- the QR code ----
run pm-pay order --unit 5-1-0301 --channel alipay --amount 4 --qr --qr-svg code.svg
expect_rc 0 "--qr and --qr-svg"
expect_out '█' "the terminal gets the code in half blocks"
expect_eq "$(sed -n 2p code.svg | cut -c1-4)" "<svg" "code.svg is an SVG image"
expect_eq "$(stat -c %a code.svg)" 600 "made with the store's mode"
ln -s /tmp/elsewhere link.svg
run pm-pay order --unit 5-1-0301 --channel alipay --amount 4 --qr-svg link.svg
expect_rc 73 "a symbolic link as --qr-svg is refused"

# ---- the configuration ----
run pm-pay notify --channel wechat no-such-file
expect_rc 66 "a missing notification file"
printf 'garbage' >bad.http
run_in bad.http pm-pay notify --channel wechat
expect_rc 65 "a notification with no empty line after its headers"
expect_err "^pm-pay: no empty line after the headers$" "says what is missing"
run pm-pay order --unit 5-1-0301 --channel wechat --amount 6
note k.http wechat-note "$(order_no)"
chmod 644 "$K/apiv3.key"
run_in k.http pm-pay notify --channel wechat
expect_rc 78 "an APIv3 key others may read"
expect_out '"outcome":"failed".*"http_status":500' "answers 500 so that WeChat Pay sends it again"
expect_err "payments.wechat.apiv3_key: '$K/apiv3.key' may be read by others" "naming the key"
chmod 600 "$K/apiv3.key"
run_in k.http pm-pay notify --channel wechat
expect_out '"outcome":"recorded"' "and once the key is private the same notification is recorded"
sed -i '/^  alipay:/,$d' pm.yaml
run pm config apply pm.yaml
run pm-pay order --unit 5-1-0301 --channel alipay --amount 1
expect_rc 78 "a channel not configured"
expect_err "^pm-pay: payments.alipay is not configured: see pm.yaml\(5\)$" "says where to configure it"
sed -i "s|api_url: .*|api_url: http://pay.example.com|" pm.yaml
run pm config apply pm.yaml
expect_rc 78 "an API URL that is not https"
expect_err '"http://pay.example.com" is not an https:// URL \(http:// only to 127.0.0.1\)' "is refused"
sed -i "s|api_url: .*|api_url: http://127.0.0.1:$PORT|; s|private_key: file:.*|private_key: \"-----BEGIN PRIVATE KEY-----\"|" pm.yaml
run pm config apply pm.yaml
expect_rc 78 "a private key written into pm.yaml"
expect_err "a secret is not written in pm.yaml" "is refused"

# ---- the day's statement agrees ----
$PY3 - "$K/state.json" >statement.csv <<'P'
import json, sys
print("ref,amount,time")
for o in json.load(open(sys.argv[1]))["orders"].values():
    if o["state"] == "paid":
        print("%s,%d.%02d,%s" % (o["transaction"], o["amount"] // 100, o["amount"] % 100, o["paid_at"]))
P
for ch in wechat alipay; do
	grep -E "^(ref|$([ $ch = wechat ] && echo 42 || echo 2026))" statement.csv >$ch.csv
	run pm-bill reconcile --channel $ch $ch.csv
	expect_rc 0 "pm-bill reconcile of the $ch statement finds nothing missing"
done
run pm check
expect_rc 0 "the ledger balances"
done_testing
