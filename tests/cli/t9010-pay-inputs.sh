#!/bin/sh
# pm-pay's option values through the shared parsers (exit 2 naming the
# option and the forms), and a notification read whole through
# pm_file_read: missing, a directory, too large, from a file or stdin.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/pay/setup.sh"
make_world

run pm-pay list --since yesterday
expect_rc 2 "a --since that is no time is a usage error"
expect_err '^pm-pay list: --since: "yesterday" is no time: expected one such as 2026-11-30T23:00:00\+08:00, or a day such as 2026-11-30$' \
	"naming the option and the forms"
run pm-pay sync --since 2026-13-01
expect_rc 2 "sync too"
expect_eq "$(cat "$K/requests.jsonl" 2>/dev/null | wc -l | tr -d ' ')" 0 \
	"and asks no channel"
run pm-pay order --unit 3-2-1101 --channel wechat --amount 1.234
expect_rc 2 "an amount finer than the fen is a usage error"
expect_err '^pm-pay order: --amount: "1.234": more than two decimals$' "saying why"
run pm-pay order --unit 3-2-1101 --channel wechat --amount 0
expect_rc 2 "so is nothing"
expect_eq "$(sql "SELECT count(*) FROM pay_order")" 0 "no order made"

# A day means its midnight in the community's zone.
run pm-pay order --unit 3-2-1101 --channel wechat
expect_rc 0 "an order on 2026-12-01"
run pm-pay list --since 2026-12-01
expect_eq "$(grep -c '"type":"pay_order"' "$T/out")" 1 "--since 2026-12-01 includes it"
run pm-pay list --since 2026-12-01T10:00:01+08:00
expect_eq "$(grep -c '"type":"pay_order"' "$T/out")" 0 "a second after it made, it does not"

run pm-pay notify --channel wechat "$T/nonexistent"
expect_rc 66 "a notification file that is not there"
expect_err "^pm-pay: cannot open \"$T/nonexistent\": No such file or directory$" "is named"
mkdir adir
run pm-pay notify --channel wechat adir
expect_rc 66 "a directory"
expect_err '^pm-pay: cannot read "adir": Is a directory$' "is no notification either"
head -c 1048577 /dev/zero | tr '\0' a >big
run pm-pay notify --channel wechat big
expect_rc 65 "1 MiB and a byte"
expect_err '^pm-pay: more than 1048576 bytes is no notification$' "is refused unparsed"
expect_out '^\{"type":"pay_notification","channel":"wechat","outcome":"refused","order":null,"transaction":null,"amount_fen":null,"http_status":400,"answer":"\{\\"code\\":\\"FAIL\\",' \
	"with the record of what to answer the channel"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action LIKE 'pay.%' AND action <> 'pay.order'")" 0 \
	"and leaves no trace"
# What is no HTTP request still gets its answer (a wrapper replies with
# http_status and answer): a body short of its Content-Length, no empty
# line after the headers.
printf 'POST /notify HTTP/1.1\r\nContent-Length: 755\r\n\r\n{"id":"x"}' >short.http
printf 'POST /notify HTTP/1.1\r\nContent-Type: application/json\r\n' >nohead.http
for f in short nohead; do
	run pm-pay notify --channel alipay $f.http
	expect_rc 65 "$f.http: exit 65"
	expect_out '^\{"type":"pay_notification","channel":"alipay","outcome":"refused","order":null,"transaction":null,"amount_fen":null,"http_status":400,"answer":"fail"\}$' \
		"$f.http: refused, with Alipay's answer"
done
expect_err '^pm-pay: no empty line after the headers$' "saying why"

# The same good notification from a file and from stdin.
note good.http wechat-note "$(sql "SELECT out_trade_no FROM pay_order")"
run pm-pay notify --channel wechat good.http
expect_rc 0 "from a file"
expect_out '"outcome":"recorded"' "recorded"
run_in good.http pm-pay notify --channel wechat
expect_rc 0 "from stdin"
expect_out '"outcome":"duplicate"' "the same again"
expect_eq "$(sql "SELECT count(*) || ' ' || sum(amount_fen) FROM payment")" "1 17900" "one payment of 179.00"

# The channel's transaction id becomes the payment's ref: printable UTF-8
# of 1 to 128 bytes, as every ref, however well signed.
run pm-pay order --unit 3-2-1102 --channel wechat
no=$(order_no)
note bidi.http wechat-note "$no" --transaction "$(printf '4200\342\200\2561')"
run pm-pay notify --channel wechat bidi.http
expect_rc 65 "a transaction id with a bidi override"
expect_err '^pm-pay: .*transaction id: byte 5 is U\+202E, a control character: a reference is printable UTF-8$' \
	"is refused, saying where"
expect_eq "$(sql "SELECT count(*) FROM payment") $(sql "SELECT status FROM pay_order WHERE out_trade_no = '$no'")" \
	"1 pending" "no payment recorded, the order still pending"
done_testing
