#!/bin/sh
# An online order for a bill the desk took cash for meanwhile: the
# channel's money is recorded (it was paid) and goes to the unit's
# prepaid balance, and that is said: outcome "prepaid", not "recorded",
# and a line on stderr even with -q, so that cron mails the office that
# an owner paid twice; by notification and by sync alike. An order that
# named no bill (what the unit owes) says "recorded" as before.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/pay/setup.sh"
make_world

prepaid() { sql "SELECT coalesce(-sum(amount_fen), 0) FROM posting WHERE account = 'prepaid:$1'"; }

run pm-pay order --unit 3-2-1101 --channel wechat --bill B-2026-11-3-2-1101
expect_rc 0 "an order for 3-2-1101's November bill"
A=$(order_no)
run pm-bill pay --unit 3-2-1101 --amount 179.00 --channel cash --bill B-2026-11-3-2-1101
expect_rc 0 "meanwhile the owner pays the bill in cash at the desk"
note a.http wechat-note "$A"
run_in a.http pm-pay -q notify --channel wechat
expect_rc 0 "the channel's notification is still a success"
expect_out '"outcome":"prepaid",.*"amount_fen":17900,"http_status":200' "said prepaid, answered 200"
expect_err "^pm-pay: order $A: its bills were paid meanwhile: the 179.00 paid went to the unit's prepaid balance \\(pm-bill refund gives it back\\)$" \
	"and told on stderr, even with -q"
expect_eq "$(sql "SELECT channel || ':' || amount_fen FROM payment ORDER BY id" | tr '\n' ' ')" "cash:17900 wechat:17900 " \
	"both payments recorded"
expect_eq "$(prepaid 3-2-1101)" 17900 "the second 179.00 is the unit's prepaid balance"
expect_eq "$(sql "SELECT status FROM pay_order WHERE out_trade_no = '$A'")" paid "the order is paid"
run_in a.http pm-pay -q notify --channel wechat
expect_out '"outcome":"duplicate"' "its replay is a duplicate"
expect_eq "$(cat "$T/err")" "" "and says nothing more"

run pm-pay order --unit 3-2-1102 --channel wechat --bill B-2026-11-3-2-1102
B=$(order_no)
run pm-bill pay --unit 3-2-1102 --amount 100.00 --channel cash --bill B-2026-11-3-2-1102
expect_rc 0 "part of 3-2-1102's 190.00 paid in cash meanwhile"
run pm-pay order --unit 5-1-0301 --channel wechat
C=$(order_no)
$PY3 "$FAKE" pay "$K" "$B"
$PY3 "$FAKE" pay "$K" "$C"
run pm-pay -q sync
expect_rc 0 "sync finds both paid"
expect_out "\"order\":\"$B\",\"channel\":\"wechat\",\"state\":\"SUCCESS\",\"outcome\":\"prepaid\",\"why\":\"its bills were paid meanwhile: the money went to the unit's prepaid balance\"" \
	"the order whose bill was paid in part meanwhile is prepaid, saying why"
expect_out "\"order\":\"$C\",\"channel\":\"wechat\",\"state\":\"SUCCESS\",\"outcome\":\"recorded\",\"why\":null}" \
	"the order for what the unit owes is recorded"
expect_err "^pm-pay: 1 orders paid for bills paid meanwhile: their money went to the units' prepaid balances \\(outcome \"prepaid\"; pm-bill refund gives it back\\)$" \
	"told on stderr even with -q"
expect_eq "$(prepaid 3-2-1102)" 10000 "100.00 of 3-2-1102's 190.00 is prepaid, 90.00 paid the bill"
expect_eq "$(sql "SELECT b.status || ':' || b.paid_fen FROM bill b JOIN unit u ON u.id = b.unit_id WHERE u.code = '3-2-1102'")" \
	"paid:19000" "the bill paid to the fen"
expect_eq "$(prepaid 5-1-0301)" 0 "nothing prepaid for 5-1-0301"
run pm check
expect_rc 0 "the store checks out"
done_testing
