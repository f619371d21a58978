#!/bin/sh
# The desk taking money for a unit whose owner holds an online order's
# QR code is told so, before the owner pays twice: the order, its amount,
# until when it can be paid and how to close it. Nothing is said for a
# unit with no order, an order past its expiry or closed, a repeat of a
# payment, or under -q; the payment is recorded all the same.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/pay/setup.sh"
make_world

run pm-pay order --unit 3-2-1101 --channel wechat --bill B-2026-11-3-2-1101
expect_rc 0 "an order for 3-2-1101's November bill"
A=$(order_no)
run pm-bill pay --unit 3-2-1101 --amount 179.00 --channel cash --bill B-2026-11-3-2-1101
expect_rc 0 "the desk takes cash for the same bill"
expect_out '"outcome":"recorded"' "the cash is recorded"
expect_err "^pm-bill: unit '3-2-1101' has online order $A for 179.00 payable until 2026-12-01T10:30:00\\+08:00: if the owner pays it too, that goes to prepaid; 'pm-pay close $A' ends it$" \
	"and the cashier is told of the order waiting, with how to end it"
run pm-bill pay --unit 3-2-1101 --amount 179.00 --channel cash --bill B-2026-11-3-2-1101
expect_out '"outcome":"duplicate"' "the same again at once is a repeat"
expect_eq "$(cat "$T/err")" "" "which says nothing of the order: nothing was taken"
run pm-bill -q pay --unit 3-2-1101 --amount 1.00 --channel cash
expect_rc 0 "more cash, quietly"
expect_eq "$(cat "$T/err")" "" "-q says nothing"

run pm-bill pay --unit 3-2-1102 --amount 1.00 --channel cash
expect_rc 0 "cash for a unit with no order"
expect_eq "$(cat "$T/err")" "" "says nothing"

run pm-pay order --unit 3-2-1102 --channel wechat --bill B-2026-11-3-2-1102
B=$(order_no)
PM_NOW=2026-12-01T10:31:00+08:00 run pm-bill pay --unit 3-2-1102 --amount 2.00 --channel cash
expect_rc 0 "cash after the order's half hour"
expect_eq "$(cat "$T/err")" "" "an order past its expiry cannot be paid: nothing said"
run pm-pay close "$B"
expect_rc 0 "the order closed"
run pm-bill pay --unit 3-2-1102 --amount 3.00 --channel cash
expect_eq "$(cat "$T/err")" "" "a closed order: nothing said"
expect_eq "$(sql "SELECT count(*) || ':' || sum(amount_fen) FROM payment WHERE channel = 'cash'")" "5:18600" \
	"five cash payments recorded, 186.00 in all"
run pm check
expect_rc 0 "the store checks out"
done_testing
