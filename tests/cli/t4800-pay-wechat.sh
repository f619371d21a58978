#!/bin/sh
# pm-pay with WeChat Pay API v3 against the fake: a Native order signed as
# the API wants, a good notification, its replay, a forged signature, an
# unknown serial, a stale timestamp, an amount not the order's, an order
# nobody made, a notification that never came found by sync, an order
# that expired, and the ledger to the fen after each.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/pay/setup.sh"
make_world

requests() { wc -l <"$K/requests.jsonl"; }
last_request() { tail -1 "$K/requests.jsonl"; }
audits() { sql "SELECT count(*) FROM audit WHERE action = '$1'"; }
ledger() { sql "SELECT channel || ' ' || ref || ' ' || u.code || ' ' || amount_fen FROM payment p JOIN unit u ON u.id = p.unit_id ORDER BY p.id"; }
bills() { sql "SELECT u.code || ' ' || b.status || ' ' || b.paid_fen FROM bill b JOIN unit u ON u.id = b.unit_id ORDER BY u.code"; }

# ---- the order ----
run pm-pay order --unit 3-2-1101 --channel wechat
expect_rc 0 "an order for what 3-2-1101 owes"
A=$(order_no)
expect_out '"amount_fen":17900,"status":"pending","bills":"","qr":"weixin://wxpay/bizpayurl\?pr=' "for 179.00, pending, with WeChat Pay's code_url"
expect_out '"expires":"2026-12-01T10:30:00\+08:00","created":"2026-12-01T10:00:00\+08:00"' "expiring after payments.order_expiry (30m)"
expect_out '"outcome":"made"' "a new order"
expect_eq "$(echo "$A" | grep -cE '^PM20261201[0-9A-F]{16}$')" 1 "its out_trade_no is PM, the day and 16 random hex digits"
expect_eq "$(requests)" 1 "one request reached WeChat Pay"
last_request >req.json
check=$($PY3 - "$A" req.json <<'P'
import json, sys
r = json.load(open(sys.argv[2], encoding="utf-8"))
b = json.loads(r["body"])
print(r["ok"], r["method"], r["path"], b["appid"], b["mchid"], b["out_trade_no"] == sys.argv[1], b["amount"],
      b["time_expire"], b["notify_url"], b["description"])
P
)
expect_eq "$check" "True POST /v3/pay/transactions/native wx8888888888888888 1900000001 True {'total': 17900, 'currency': 'CNY'} 2026-12-01T10:30:00+08:00 https://pay.example.com/pm/notify/wechat 幸福里 物业费 3-2-1101" \
	"the fake verified the WECHATPAY2-SHA256-RSA2048 signature of a Native order in integer fen"
expect_eq "$(sql "SELECT status, amount_fen, created_by FROM pay_order WHERE out_trade_no = '$A'")" "pending|17900|root" \
	"the store keeps the pending order" 
run pm-pay order --unit 3-2-1101 --channel wechat
expect_out "\"order\":\"$A\".*\"outcome\":\"existing\"" "the same order again is the pending one"
expect_eq "$(requests)" 1 "and asks WeChat Pay nothing"

# ---- a good notification, and its replay ----
note good.http wechat-note "$A"
run_in good.http pm-pay notify --channel wechat
expect_rc 0 "a verified notification is recorded"
expect_out '"outcome":"recorded".*"amount_fen":17900,"http_status":200,"answer":""' \
	"its record says recorded, and the answer is 200 with no body"
TX=$(sed -n 's/.*"transaction":"\([0-9]*\)".*/\1/p' "$T/out")
expect_eq "$(ledger)" "wechat $TX 3-2-1101 17900" "one payment: channel wechat, the transaction id as ref, 179.00"
expect_eq "$(bills)" "3-2-1101 paid 17900
3-2-1102 issued 0
5-1-0301 issued 0" "3-2-1101's bill is paid to the fen"
expect_eq "$(sql "SELECT status, transaction_id, payment_id FROM pay_order WHERE out_trade_no = '$A'")" "paid|$TX|1" \
	"the order is paid by that payment"
expect_eq "$(sql "SELECT sum(amount_fen) FROM posting p JOIN journal j ON j.id = p.journal_id WHERE j.kind = 'payment' AND p.account = 'cash:wechat'")" \
	17900 "the journal took 179.00 into cash:wechat"
expect_eq "$(audits bill.pay):$(audits pay.paid)" "1:1" "audited as a payment and as the order paid"
n_journal=$(sql "SELECT count(*) FROM journal")
n_audit=$(sql "SELECT count(*) FROM audit")
run_in good.http pm-pay notify --channel wechat
expect_rc 0 "the same notification again still answers success"
expect_out '"outcome":"duplicate".*"http_status":200,"answer":""' "as a duplicate"
expect_eq "$(ledger)" "wechat $TX 3-2-1101 17900" "and records nothing new"
expect_eq "$(sql "SELECT count(*) FROM journal"):$(sql "SELECT count(*) FROM audit")" "$n_journal:$n_audit" \
	"no journal entry, no audit record"

# ---- refused: forged, unknown serial, stale ----
run pm-pay order --unit 3-2-1102 --channel wechat
B=$(order_no)
refused() { # DESC: the last notify was refused and changed nothing
	expect_rc 65 "$1: refused"
	expect_out '"outcome":"refused".*"http_status":400,"answer":"\{\\"code\\":\\"FAIL\\",\\"message\\":\\"失败\\"\}"' \
		"$1: answered 400 {\"code\":\"FAIL\"}"
	expect_eq "$(ledger)" "wechat $TX 3-2-1101 17900" "$1: nothing recorded"
}
note forged.http wechat-note "$B" --forge
run_in forged.http pm-pay notify --channel wechat
refused "a forged signature"
expect_err '^pm-pay: the signature does not verify$' "saying the signature does not verify"
note serial.http wechat-note "$B" --serial 0123456789ABCDEF
run_in serial.http pm-pay notify --channel wechat
refused "an unknown platform serial"
expect_err "^pm-pay: no platform certificate with serial '0123456789ABCDEF' in payments.wechat$" "naming the serial"
note stale.http wechat-note "$B" --ts-offset -600
run_in stale.http pm-pay notify --channel wechat
refused "a timestamp ten minutes old"
# Ten minutes and the seconds between signing and checking, which a
# loaded machine under AddressSanitizer stretches past one.
expect_err '^pm-pay: stale: Wechatpay-Timestamp [0-9]+ is 6[0-5][0-9] s from the clock \(at most 300\)$' "saying it is stale"
expect_eq "$(audits pay.refused)" 0 "what fails verification is not audited: anyone can send it"
# A body changed after signing.
sed '$ s/"summary":"支付成功"/"summary":"支付成功!"/' good.http >tampered.http
run_in tampered.http pm-pay notify --channel wechat
expect_rc 65 "a body changed after signing is refused"

# ---- refused: an amount not the order's, an order nobody made ----
note short.http wechat-note "$B" --amount 100
run_in short.http pm-pay notify --channel wechat
refused "an amount not the order's"
expect_err "^pm-pay: payment order '$B' is for 190.00, the channel says 1.00 was paid$" "saying both amounts"
expect_eq "$(sql "SELECT action || ' ' || object || ' ' || json_extract(after, '$.amount_fen') || ' ' || json_extract(after, '$.why') FROM audit WHERE action = 'pay.refused'")" \
	"pay.refused pay-order:$B 100 payment order '$B' is for 190.00, the channel says 1.00 was paid" \
	"audited as pay.refused with the amount and why"
expect_eq "$(sql "SELECT status FROM pay_order WHERE out_trade_no = '$B'")" pending "the order stays pending"
note ghost.http wechat-note PM20261201FFFFFFFFFFFFFFFF
run_in ghost.http pm-pay notify --channel wechat
refused "a notification for an order nobody made"
expect_err "^pm-pay: no payment order 'PM20261201FFFFFFFFFFFFFFFF'$" "saying there is no such order"
expect_eq "$(audits pay.refused)" 2 "audited too"

# ---- the notification that never came ----
run pm-pay order --unit 5-1-0301 --channel wechat
C=$(order_no)
$PY3 "$FAKE" pay "$K" "$C"
before=$(requests)
run pm-pay sync
expect_rc 0 "sync asks about every pending order"
expect_out "\"order\":\"$B\",\"channel\":\"wechat\",\"state\":\"SUCCESS\",\"outcome\":\"recorded\"" \
	"3-2-1102's payment, whose notification was refused, is found by asking"
expect_out "\"order\":\"$C\",\"channel\":\"wechat\",\"state\":\"SUCCESS\",\"outcome\":\"recorded\"" \
	"5-1-0301's, whose notification never came, too"
expect_err 'pm-pay: 2 orders asked about: 2 paid and recorded, 0 closed, 0 waiting, 0 refused, 0 failed' "the summary"
expect_eq "$(($(requests) - before))" 2 "two queries"
expect_eq "$($PY3 -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])][-1]; print(r["method"], r["path"].split("?")[1], r["ok"])' "$K/requests.jsonl")" \
	"GET mchid=1900000001 True" "each a signed GET by out_trade_no with the mchid"
expect_eq "$(ledger | cut -d' ' -f1,3,4)" "wechat 3-2-1101 17900
wechat 3-2-1102 19000
wechat 5-1-0301 12000" "three payments, each once"
expect_eq "$(bills)" "3-2-1101 paid 17900
3-2-1102 paid 19000
5-1-0301 paid 12000" "every bill paid to the fen"
run pm-pay sync
expect_err '0 orders asked about' "a second sync has nothing pending"
note late.http wechat-note "$C"
run_in late.http pm-pay notify --channel wechat
expect_rc 0 "the notification arriving after sync recorded the payment is a duplicate"
expect_out '"outcome":"duplicate"' "answered success"

# ---- an order that expired, and close ----
run pm-pay order --unit 3-2-1101 --channel wechat
expect_rc 65 "an order for a unit that owes nothing is refused"
expect_err "^pm-pay: unit '3-2-1101' owes nothing: give --amount to pay ahead$" "saying --amount pays ahead"
run pm-pay order --unit 3-2-1101 --channel wechat --amount 50
D=$(order_no)
PM_NOW=2026-12-01T10:29:00+08:00 run pm-pay sync
expect_out "\"order\":\"$D\",\"channel\":\"wechat\",\"state\":\"NOTPAY\",\"outcome\":\"waiting\"" "not paid and not expired: waiting"
PM_NOW=2026-12-01T10:31:00+08:00 run pm-pay sync
expect_rc 0 "sync after the expiry"
expect_out "\"order\":\"$D\",\"channel\":\"wechat\",\"state\":\"NOTPAY\",\"outcome\":\"closed\"" "closes the expired order"
expect_eq "$(last_request | $PY3 -c 'import json,sys; r=json.load(sys.stdin); print(r["method"], r["path"], r["body"], r["ok"])')" \
	"POST /v3/pay/transactions/out-trade-no/$D/close {\"mchid\":\"1900000001\"} True" "at WeChat Pay first"
expect_eq "$(sql "SELECT status, closed_reason FROM pay_order WHERE out_trade_no = '$D'")" "closed|expired" "then here"
run pm-pay order --unit 3-2-1101 --channel wechat --amount 20
E=$(order_no)
run pm-pay close "$E" --reason 换支付宝
expect_rc 0 "close"
expect_out '"status":"closed".*"closed_reason":"换支付宝"' "with its reason"
run pm-pay close "$E"
expect_rc 0 "closing a closed order again changes nothing"
run pm-pay close "$A"
expect_rc 1 "a paid order cannot be closed"
expect_err "^pm-pay: payment order '$A' is paid: refund it with pm-bill refund$" "saying to refund"
run pm-pay show "$A"
expect_out "\"order\":\"$A\".*\"status\":\"paid\",\"bills\":\"\".*\"transaction\":\"$TX\",\"payment\":1" "show"
run pm-pay list --status closed
expect_eq "$(grep -c '"type":"pay_order"' "$T/out")" 2 "list --status closed"

# ---- sync refusing what the channel says: exit 65, for cron to mail ----
run pm-pay order --unit 3-2-1101 --channel wechat --amount 3
G=$(order_no)
$PY3 "$FAKE" pay "$K" "$G"
$PY3 -c 'import json,sys; f=sys.argv[1]; s=json.load(open(f)); s["orders"][sys.argv[2]]["amount"]=1; json.dump(s, open(f, "w"))' \
	"$K/state.json" "$G"
run pm-pay sync
expect_rc 65 "the channel says 0.01 was paid for an order of 3.00: exit 65"
expect_out "\"order\":\"$G\",\"channel\":\"wechat\",\"state\":\"SUCCESS\",\"outcome\":\"refused\"" "the order refused"
expect_err '1 orders asked about: 0 paid and recorded, 0 closed, 0 waiting, 1 refused, 0 failed' "the summary"
expect_err "^pm-pay: 1 of 1 orders refused: what the channel says does not match the order \(see each one's why\)$" \
	"and why the exit status"
expect_eq "$(sql "SELECT status FROM pay_order WHERE out_trade_no = '$G'")" pending "the order stays pending"
run pm check
expect_rc 0 "the ledger balances"
done_testing
