#!/bin/sh
# pm-gate parking refund pays back money only: what a unit's reward
# points paid of a stay is the company's discount (t9881), so a stay
# priced again below what was paid gives back at most the money paid for
# it; the rest of its refund due stays on it, no money to pay.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/shop/shop.sh"
PM_NOW=2026-11-01T09:00:00+08:00
export PM_NOW

shop_community <<'Y'
gates: {garage: {name: 地库道闸}, north: {name: 北门}}
parking: {free: 15m, hourly: "5.00", daily_cap: "30.00"}
rewards:
  first_online_payment: 500
  expire_days: 30
  parking: {points_per_fen: 2, month_cap: "3.00"}
Y
shop_first_payments 1-1-101 1-1-102

# In 08:00, out 12:00 (¥20.00): ¥2.00 in 1-1-101's points and ¥18.00
# in cash; then the exit at 08:10 read late: within the free minutes.
PM_NOW=2026-12-01T12:10:00+08:00
feed '{"gate":"garage","ts":"2026-12-01T08:00:00+08:00","event":"entry","plate":"沪C12345"}
{"gate":"garage","ts":"2026-12-01T12:00:00+08:00","event":"exit","plate":"沪C12345"}\n' pm-gate events ingest
run pm-gate parking pay --plate 沪C12345 --points 400 --unit 1-1-101 --ref PT-1 --at 2026-12-01T12:05:00+08:00
expect_rc 0 "¥2.00 in points"
run pm-gate parking pay --plate 沪C12345 --amount 18 --ref CASH-1 --at 2026-12-01T12:05:00+08:00 --format jsonl
expect_out '"fee_fen":2000,"paid_fen":2000,"due_fen":0' "paid ¥20.00, ¥2.00 of it in points"
feed '{"gate":"north","ts":"2026-12-01T08:10:00+08:00","event":"exit","plate":"沪C12345"}\n' pm-gate events ingest
expect_eq "$(sql "SELECT fee_fen || '|' || paid_fen || '|' || refund_fen FROM parking_session")" "0|2000|2000" \
	"free after all: ¥20.00 due back"

run pm-gate parking refund --plate 沪C12345 --amount 18.01 --ref RF-1
expect_rc 65 "more than the money paid"
expect_err "^pm-gate: ¥18.01 is more than the ¥18.00 refund due on stay 1 of plate 沪C12345$" "says what money is due back"
run pm-gate parking refund --plate 沪C12345 --ref RF-1 --format jsonl
expect_rc 0 "all the money back"
expect_out '"amount_fen":1800,.*"fee_fen":0,"paid_fen":200,"refund_fen":200}$' "the points' ¥2.00 stays on the stay"
run pm-gate parking refund --session 1 --ref RF-2
expect_rc 65 "no money left to pay back"
expect_err "^pm-gate: stay 1 of plate 沪C12345 has no refund due$" "says so"
done_testing
