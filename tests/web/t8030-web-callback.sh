#!/bin/sh
# The payment callback: HMAC-SHA256 of the body under the channel's
# secret, checked in constant time; recorded through pm-bill pay's
# idempotent path; a replay records nothing and still answers success.
. "$PM_TOP/tests/web/lib.sh"

web_store
web_start

callback() { # CHANNEL BODY [SIGNATURE]
	code=$(curl -s -o "$T/body" -D "$T/head" -w '%{http_code}' -H 'Content-Type: application/json' \
		${3:+-H "X-PM-Signature: $3"} --data-binary "$2" "$BASE/callback/$1")
}
pays() { sql 'SELECT count(*) FROM payment'; }

body='{"unit":"1-1-101","amount":"225.33","ref":"WX0001","bill":"B-2026-11-1-1-101"}'
callback wechat "$body" "$(sign "$body")"
expect_code 200 "a signed callback is taken"
expect_head '^Content-Type: application/json' "answered in JSON"
expect_body '"type":"callback"' "as a callback record"
expect_body '"outcome":"recorded"' "the payment recorded"
expect_body '"amount_fen":22533' "to the fen"
expect_eq "$(sql "SELECT channel || ' ' || ref || ' ' || amount_fen FROM payment")" "wechat WX0001 22533" "one payment in the store"
expect_eq "$(sql "SELECT status FROM bill WHERE code = 'B-2026-11-1-1-101'")" paid "the bill is paid"
expect_eq "$(sql "SELECT actor || ' ' || caller FROM audit WHERE action = 'bill.pay'")" "callback:wechat web" \
	"audited for the channel, by the service account"

callback wechat "$body" "$(sign "$body")"
expect_code 200 "the same callback again answers success"
expect_body '"outcome":"duplicate"' "as a duplicate"
expect_eq "$(pays)" 1 "and records nothing new"
callback wechat "$body" "sha256=$(sign "$body" | tr a-f A-F)"
expect_code 200 "a signature in capitals, after sha256=, is the same"
expect_eq "$(pays)" 1 "still one payment"
expect_eq "$(sql "SELECT sum(amount_fen) FROM posting WHERE account = 'cash:wechat'")" 22533 "the ledger has the money once"

other='{"unit":"1-1-102","amount":"1.00","ref":"WX0002"}'
callback wechat "$other"
expect_code 401 "a callback without a signature is refused"
callback wechat "$other" "$(sign "$other" wrong-secret)"
expect_code 401 "one signed with another secret too"
callback wechat "$other" "$(sign "$body")"
expect_code 401 "and one whose signature is another body's"
callback wechat "$other" "$(sign "$other" | cut -c1-63)0"
expect_code 401 "and one with a digit changed"
callback wechat "$other" "zz"
expect_code 401 "and garbage"
expect_body '"type":"error"' "each answered as a JSON error"
expect_eq "$(pays)" 1 "none of them recorded anything"

callback alipay "$other" "$(sign "$other")"
expect_code 404 "a channel with no callback configured is 404"
conflict='{"unit":"1-1-101","amount":"999.00","ref":"WX0001"}'
callback wechat "$conflict" "$(sign "$conflict")"
expect_code 400 "the same ref with another amount is refused"
expect_body 'WX0001' "naming the ref"
bad='{"unit":"1-1-101","amount":"1.001","ref":"WX0003"}'
callback wechat "$bad" "$(sign "$bad")"
expect_code 400 "an amount in fractions of a fen is refused"
bad='{"unit":"1-1-101","amount":"1.00","ref":"WX0004","channel":"alipay"}'
callback wechat "$bad" "$(sign "$bad")"
expect_code 400 "a body naming another channel is refused"
bad='{"unit":"1-1-101","amount":"1.00","ref":"WX0005","ref":"WX0006"}'
callback wechat "$bad" "$(sign "$bad")"
expect_code 400 "a body with a key twice is refused"
# A ref is printable UTF-8 of 1 to 128 bytes: no control, no bidi
# override or mark, no blank but U+0020, invisible or combining character
# (WX0001 with U+3000 or U+200B after it would be WX0001 paid again), not
# 5,000 bytes; a cart's ref no more than a bill's.
for cp in 001b 202e 0085 2066 200f 3000 200b 0301; do
	bad="{\"unit\":\"1-1-101\",\"amount\":\"1.00\",\"ref\":\"WX\\u${cp}1\"}"
	callback wechat "$bad" "$(sign "$bad")"
	expect_code 400 "a ref with U+$cp is refused"
	expect_body "field \\\\\"ref\\\\\".*U\\+$(echo $cp | tr a-f A-F)" "naming the field and the character"
done
bad="{\"unit\":\"1-1-101\",\"amount\":\"1.00\",\"ref\":\"$(printf '%05000d' 0)\"}"
callback wechat "$bad" "$(sign "$bad")"
expect_code 400 "a ref of 5,000 bytes is refused"
expect_body 'field \\"ref\\".*5000' "naming the field and the length"
bad='{"order":"C-1","amount":"1.00","ref":"WX\u202e2"}'
callback wechat "$bad" "$(sign "$bad")"
expect_code 400 "so is a cart's"
bad='{"order":"C-1","amount":"1.00","ref":"WX2\u3000"}'
callback wechat "$bad" "$(sign "$bad")"
expect_code 400 "a cart's with U+3000"
bad='{"order":"C-1","amount":"1.00","ref":"WX2 "}'
callback wechat "$bad" "$(sign "$bad")"
expect_code 400 "a cart's with a space after it (not trimmed there)"
expect_body "ref.*(a space at its start or end|首尾有空格)" "saying so"
expect_eq "$(pays)" 1 "none recorded"
bad='[1,2,3]'
callback wechat "$bad" "$(sign "$bad")"
expect_code 400 "a body that is no object is refused"
big=$(python3 -c 'print("{\"unit\":\"1-1-101\",\"amount\":\"1.00\",\"ref\":\"WX9\",\"memo\":\"" + "x" * 9000 + "\"}")')
callback wechat "$big" "$(sign "$big")"
expect_code 400 "a body of more than 8 KB is refused"
expect_eq "$(pays)" 1 "nothing more was recorded"

# Many at once: 200 callbacks, 50 of them twice, from 16 connections.
python3 - "$BASE" "$PM_CALLBACK_WECHAT" >"$T/burst" <<'PY'
import hmac, hashlib, json, sys, urllib.request
from concurrent.futures import ThreadPoolExecutor
base, secret = sys.argv[1], sys.argv[2].encode()
def send(i):
    body = json.dumps({"unit": "2-1-101", "amount": "0.%02d" % (i % 100 or 1), "ref": "B%05d" % i}).encode()
    sig = hmac.new(secret, body, hashlib.sha256).hexdigest()
    req = urllib.request.Request(base + "/callback/wechat", body, {"X-PM-Signature": sig, "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)["outcome"]
with ThreadPoolExecutor(16) as ex:
    out = list(ex.map(send, list(range(200)) + list(range(50))))
print(out.count("recorded"), out.count("duplicate"))
PY
expect_eq "$(cat "$T/burst")" "200 50" "a burst of 250 callbacks: 200 recorded, 50 duplicates"
expect_eq "$(sql "SELECT count(*), sum(amount_fen) FROM payment WHERE ref LIKE 'B%'")" \
	"200|$(python3 -c 'print(sum((i % 100 or 1) for i in range(200)))')" "exactly 200 payments, to the fen"
run pm check -q
expect_rc 0 "the ledger balances after the burst"
done_testing
