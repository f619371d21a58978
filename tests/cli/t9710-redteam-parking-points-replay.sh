#!/bin/sh
# A parking payment's reference told again is a replay only when it is
# the same payment: the same plate and amount, and for a payment in
# points the same unit's same points. Naming another unit (which has no
# points at all) answered 0 with that unit's "points" and "discount_fen",
# though nothing was recorded for it; the payment in money of a points
# payment's reference passed as a replay too.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/shop/shop.sh"
PM_NOW=2026-11-01T09:00:00+08:00
export PM_NOW

shop_community <<'Y'
gates: {garage: {name: 地库道闸}}
parking: {free: 15m, hourly: "5.00", daily_cap: "30.00"}
rewards:
  first_online_payment: 500
  parking: {points_per_fen: 2}
Y
expect_rc 0 "two points a fen"
shop_first_payments 1-1-101 1-1-102
PM_NOW=2026-12-01T09:20:00+08:00
printf '%s\n' '{"gate":"garage","ts":"2026-12-01T08:10:00+08:00","event":"entry","plate":"沪C12345"}' >in.jsonl
run pm-gate events ingest in.jsonl
run pm-gate parking pay --plate 沪C12345 --points 400 --unit 1-1-101 --ref PT-1
expect_rc 0 "400 points of 1-1-101: 2.00 off"

run pm-gate parking pay --plate 沪C12345 --points 400 --unit 1-1-101 --ref PT-1 --format jsonl
expect_rc 0 "told again: a replay"
expect_out '"paid_fen":200,.*"unit":"1-1-101","points":400,"discount_fen":200\}$' "answered as recorded"

run pm-gate parking pay --plate 沪C12345 --points 400 --unit 2-1-201 --ref PT-1 --format jsonl
expect_rc 65 "the same reference for another unit's points"
expect_err "^pm-gate: payment 'PT-1' was 400 points of unit '1-1-101': not 400 points of '2-1-201'$" "is refused, naming the payment"
expect_eq "$(cat "$T/out")" "" "and claims nothing for 2-1-201"
run pm-gate parking pay --plate 沪C12345 --points 200 --unit 1-1-102 --ref PT-1
expect_rc 65 "or another unit's other points"
run pm-gate parking pay --plate 沪C12345 --amount 2 --ref PT-1
expect_rc 65 "or the same amount in money"
expect_err "^pm-gate: payment 'PT-1' was 400 points of unit '1-1-101': not a payment in money$" "is refused too"

run pm-gate parking pay --plate 沪C12345 --amount 1 --ref CASH-1
expect_rc 0 "1.00 in cash"
run pm-gate parking pay --plate 沪C12345 --points 200 --unit 1-1-101 --ref CASH-1
expect_rc 65 "its reference as points"
expect_err "^pm-gate: payment 'CASH-1' was paid in money: not 200 points of '1-1-101'$" "is refused"
run pm-gate parking pay --plate 沪C12345 --amount 1 --ref CASH-1
expect_rc 0 "the cash payment told again is a replay"

expect_eq "$(sql "SELECT count(*) FROM parking_payment") $(sql "SELECT count(*) FROM parking_discount") $(sql "SELECT group_concat(points) FROM points_use")" \
	"2 1 400" "two payments, one in points, 400 points taken"
run pm check
expect_rc 0 "the store is sound"
done_testing
