#!/bin/sh
# Red team: pm-report gate's parking "fees received" (and the dashboard's
# "parking fees received") counted reward points spent on parking as
# money received. A visitor's 10.00 paid 2.00 in a unit's points (400 at
# two points a fen: the company's expense:points, no money) and 8.00 in
# cash read "received 10.00"; the collection report, for points paying
# bills, says points are no money received. Now 8.00: a payment in points
# (a parking_discount of it) is the company's discount, not received.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/shop/shop.sh"
PM_NOW=2026-11-01T09:00:00+08:00
export PM_NOW

shop_community <<'Y'
gates: {garage: {name: 地库道闸}}
parking: {free: 15m, hourly: "5.00", daily_cap: "30.00"}
rewards:
  first_online_payment: 500
  expire_days: 30
  parking: {points_per_fen: 2, month_cap: "3.00"}
Y
shop_first_payments 1-1-101 1-1-102
expect_err "2 grants, 1000 points" "500 points each to 1-1-101 and 1-1-102"

PM_NOW=2026-12-01T09:20:00+08:00
feed '{"gate":"garage","ts":"2026-12-01T08:10:00+08:00","event":"entry","plate":"沪C12345"}\n' pm-gate events ingest
run pm-gate parking pay --plate 沪C12345 --points 400 --unit 1-1-101 --ref PT-1 --format jsonl
expect_out '"fee_fen":1000,"paid_fen":200,"due_fen":800,' "a visitor's 10.00, 2.00 of it in 1-1-101's points"
run pm-gate parking pay --plate 沪C12345 --amount 8 --ref CASH-1 --format jsonl
expect_out '"paid_fen":1000,"due_fen":0' "the 8.00 left paid in cash"

PM_NOW=2026-12-05T09:00:00+08:00
run pm-report gate --period 2026-12 --section parking --format csv
expect_eq "$(tr -d '\r' <"$T/out" | sed -n '1,2p;$p')" 'day,entries,exits,peak,occupancy_pct,charged_fen,paid_fen
2026-12-01,1,0,1,—,0,800
total,1,0,1,—,0,800' "fees received: the 8.00 of money, not the points"
run pm-report dashboard --period 2026-12 --section summary --format jsonl
expect_out '"parking_paid_fen":800\}$' "the dashboard's parking fees received too"
done_testing
