#!/bin/sh
# pm-pay with Alipay (alipay.trade.precreate, RSA2) against the fake: the
# order, a good notification, its replay, a forged sign, another app's
# notification, an amount not the order's, an order nobody made, a lost
# notification found by alipay.trade.query, an expired order closed, and
# the ledger to the fen after each.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/pay/setup.sh"
make_world

requests() { wc -l <"$K/requests.jsonl"; }
audits() { sql "SELECT count(*) FROM audit WHERE action = '$1'"; }
ledger() { sql "SELECT channel || ' ' || ref || ' ' || u.code || ' ' || amount_fen FROM payment p JOIN unit u ON u.id = p.unit_id ORDER BY p.id"; }
bills() { sql "SELECT u.code || ' ' || b.status || ' ' || b.paid_fen FROM bill b JOIN unit u ON u.id = b.unit_id ORDER BY u.code"; }
param() { # NAME: of the last request the fake got
	tail -1 "$K/requests.jsonl" | $PY3 -c 'import json,sys; r=json.load(sys.stdin); print(r["params"].get(sys.argv[1]), r["ok"])' "$1"
}

run pm-pay order --unit 3-2-1101 --channel alipay
expect_rc 0 "an Alipay order"
A=$(order_no)
expect_out '"amount_fen":17900,"status":"pending","bills":"","qr":"https://qr.alipay.com/bax0' "with the precreate's qr_code"
expect_eq "$(param method)" "alipay.trade.precreate True" "alipay.trade.precreate, its RSA2 sign verified by the fake"
expect_eq "$(param biz_content)" "{\"out_trade_no\":\"$A\",\"total_amount\":\"179.00\",\"subject\":\"幸福里 物业费 3-2-1101\",\"time_expire\":\"2026-12-01 10:30:00\"} True" \
	"total_amount the exact decimal yuan of 17900 fen, the expiry in Beijing time"
expect_eq "$(param notify_url)" "https://pay.example.com/pm/notify/alipay True" "with the notify_url"
expect_eq "$(param sign_type)" "RSA2 True" "sign_type RSA2"

note good.http alipay-note "$A"
run_in good.http pm-pay notify --channel alipay
expect_rc 0 "a verified notification is recorded"
expect_out '"outcome":"recorded".*"amount_fen":17900,"http_status":200,"answer":"success"' 'answered "success"'
TX=$(sed -n 's/.*"transaction":"\([0-9]*\)".*/\1/p' "$T/out")
expect_eq "$(ledger)" "alipay $TX 3-2-1101 17900" "the payment, the trade_no as ref"
expect_eq "$(sql "SELECT status, payment_id FROM pay_order WHERE out_trade_no = '$A'")" "paid|1" "the order paid"
n=$(sql "SELECT count(*) FROM audit")
run_in good.http pm-pay notify --channel alipay
expect_rc 0 "a replay"
expect_out '"outcome":"duplicate".*"answer":"success"' 'still answers "success"'
expect_eq "$(ledger):$(sql "SELECT count(*) FROM audit")" "alipay $TX 3-2-1101 17900:$n" "and records nothing"
# Alipay sends TRADE_FINISHED for the same trade when it can no longer be refunded.
note finished.http alipay-note "$A" --status TRADE_FINISHED
run_in finished.http pm-pay notify --channel alipay
expect_out '"outcome":"duplicate"' "TRADE_FINISHED of a recorded trade is a duplicate too"

run pm-pay order --unit 3-2-1102 --channel alipay
B=$(order_no)
refused() {
	expect_rc 65 "$1: refused"
	expect_out '"outcome":"refused".*"http_status":400,"answer":"fail"' "$1: answered fail"
	expect_eq "$(ledger)" "alipay $TX 3-2-1101 17900" "$1: nothing recorded"
}
note forged.http alipay-note "$B" --forge
run_in forged.http pm-pay notify --channel alipay
refused "a forged sign"
expect_err '^pm-pay: the signature does not verify$' "saying so"
note other.http alipay-note "$B" --app-id 2021999999999999
run_in other.http pm-pay notify --channel alipay
refused "another app's notification, signed by Alipay"
expect_err "^pm-pay: field \"app_id\": not ours \('2021000000000001'\)$" "saying whose app"
note signed.http alipay-note "$B"
sed 's/total_amount=190.00/total_amount=1.00/' signed.http >edited.http
run_in edited.http pm-pay notify --channel alipay
refused "an amount edited after signing"
expect_eq "$(audits pay.refused)" 0 "what fails verification is not audited"
note short.http alipay-note "$B" --amount 189.99
run_in short.http pm-pay notify --channel alipay
refused "a signed amount not the order's"
expect_err "^pm-pay: payment order '$B' is for 190.00, the channel says 189.99 was paid$" "to the fen"
note ghost.http alipay-note PM20261201EEEEEEEEEEEEEEEE
run_in ghost.http pm-pay notify --channel alipay
refused "an order nobody made"
expect_eq "$(audits pay.refused)" 2 "both audited"
printf 'app_id=1&sign=x\n' >nohead.http
run_in nohead.http pm-pay notify --channel alipay
expect_rc 65 "a notification without its empty line first is refused"
expect_err '^pm-pay: .app_id=1&sign=x. is not a header line \(Name: value\)$' "saying what the line is not"

# A lost notification: the trade is found by alipay.trade.query.
run pm-pay order --unit 5-1-0301 --channel alipay
C=$(order_no)
$PY3 "$FAKE" pay "$K" "$C"
run pm-pay sync
expect_rc 0 "sync"
expect_out "\"order\":\"$B\",\"channel\":\"alipay\",\"state\":\"TRADE_SUCCESS\",\"outcome\":\"recorded\"" "3-2-1102 found paid"
expect_out "\"order\":\"$C\",\"channel\":\"alipay\",\"state\":\"TRADE_SUCCESS\",\"outcome\":\"recorded\"" "5-1-0301 found paid"
expect_eq "$(param method)" "alipay.trade.query True" "by signed alipay.trade.query calls"
expect_eq "$(bills)" "3-2-1101 paid 17900
3-2-1102 paid 19000
5-1-0301 paid 12000" "every bill paid to the fen"
expect_eq "$(sql "SELECT sum(amount_fen) FROM payment WHERE channel = 'alipay'")" 48900 "489.00 in all"

# Expired: nobody scanned it, so Alipay has no trade (ACQ.TRADE_NOT_EXIST).
run pm-pay order --unit 3-2-1101 --channel alipay --amount 0.01
D=$(order_no)
expect_out '"amount_fen":1,' "one fen ahead"
expect_eq "$(param biz_content | grep -c '"total_amount":"0.01"')" 1 'sent as "0.01"'
PM_NOW=2026-12-01T10:20:00+08:00 run pm-pay sync
expect_out "\"order\":\"$D\",\"channel\":\"alipay\",\"state\":\"TRADE_NOT_EXIST\",\"outcome\":\"waiting\"" "not yet scanned: waiting"
PM_NOW=2026-12-01T11:00:00+08:00 run pm-pay sync
expect_out "\"order\":\"$D\",\"channel\":\"alipay\",\"state\":\"TRADE_NOT_EXIST\",\"outcome\":\"closed\"" "expired: closed"
expect_eq "$(param method)" "alipay.trade.close True" "with alipay.trade.close"
expect_eq "$(sql "SELECT status || ' ' || closed_reason FROM pay_order WHERE out_trade_no = '$D'")" "closed expired" "closed here"

# A trade paid at Alipay after we gave up on it is recorded all the same.
run pm-pay order --unit 3-2-1101 --channel alipay --amount 5
E=$(order_no)
run pm-pay close "$E"
note late.http alipay-note "$E"
run_in late.http pm-pay notify --channel alipay
expect_rc 0 "a verified payment of a closed order"
expect_out '"outcome":"recorded"' "is recorded: the money came"
expect_eq "$(sql "SELECT status FROM pay_order WHERE out_trade_no = '$E'")" paid "and the order is paid"
expect_eq "$(sql "SELECT -sum(p.amount_fen) FROM posting p WHERE p.account = 'prepaid:3-2-1101'")" 500 \
	"5.00 prepaid for 3-2-1101, which owed nothing"
run pm check
expect_rc 0 "the ledger balances"
done_testing
