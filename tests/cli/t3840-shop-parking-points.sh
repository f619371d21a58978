#!/bin/sh
# Points (积分) spent on parking (停车优惠): a visitor's parking fee paid in
# a unit's points at rewards.parking.points_per_fen, in whole fen, within
# the unit's monthly cap and its points; expired points buy nothing. Every
# money path to the fen, and pm check holding the discounts, the points
# ledger and the journal equal.
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
Y
expect_rc 0 "a config without rewards.parking"
shop_first_payments 1-1-101 1-1-102
expect_err "2 grants, 1000 points" "500 points each to 1-1-101 and 1-1-102"

PM_NOW=2026-12-01T09:20:00+08:00
printf '%s\n' '{"gate":"garage","ts":"2026-12-01T08:10:00+08:00","event":"entry","plate":"沪C12345"}' \
	'{"gate":"garage","ts":"2026-12-01T08:20:00+08:00","event":"entry","plate":"苏E55555"}' >in.jsonl
run pm-gate events ingest in.jsonl
expect_rc 0 "two visitors' cars in"
run pm-gate parking pay --plate 沪C12345 --points 400 --unit 1-1-101 --ref PT-1
expect_rc 78 "points without rewards.parking"
expect_err "points buy no parking here: rewards.parking is not set \(pm.yaml\(5\)\)" "is a configuration error"

cat >>pm.yaml <<'Y'
  parking:
    points_per_fen: 2
    month_cap: "3.00"
Y
run pm config apply pm.yaml
expect_rc 0 "two points a fen, at most 3.00 a month"
printf 'effective: 2026-01-01\ncommunity: {name: x}\nrewards:\n  parking: {month_cap: "1"}\n' >bad.yaml
run pm config check bad.yaml
expect_rc 78 "rewards.parking without points_per_fen"

# 沪C12345, in for 1 h 10 min: two hours started, 10.00.
run pm-gate parking fee --plate 沪C12345 --format jsonl
expect_out '"fee_fen":1000,"paid_fen":0,"due_fen":1000' "owes 10.00"
run pm-gate parking pay --plate 沪C12345 --points 201 --unit 1-1-101 --ref PT-1
expect_rc 65 "an odd number of points"
expect_err "201 points are no whole number of fen at 2 points a fen" "is refused"
run pm-gate parking pay --plate 沪C12345 --points 800 --unit 1-1-101 --ref PT-1
expect_rc 65 "4.00 off, above the cap"
expect_err "unit '1-1-101' has ¥3.00 of its ¥3.00 parking discount for 2026-12 left, not ¥4.00" "is refused"
run pm-gate parking pay --plate 沪C12345 --points 400 --ref PT-1
expect_rc 2 "points without the unit"
run pm-gate parking pay --plate 沪C12345 --points 400 --amount 1 --unit 1-1-101 --ref PT-1
expect_rc 2 "points and an amount"
run pm-gate parking pay --plate 沪C12345 --points 400 --unit 1-1-101 --ref PT-1 --format jsonl
expect_rc 0 "400 points of 1-1-101: 2.00 off"
expect_out '^\{"type":"parking_fee","plate":"沪C12345","session":1,.*"fee_fen":1000,"paid_fen":200,"due_fen":800,"earlier_fen":0,"refund_fen":0,"unit":"1-1-101","points":400,"discount_fen":200\}$' \
	"8.00 left to pay"
expect_eq "$(sql "SELECT j.kind || '|' || j.ref || '|' || p.account || '|' || p.amount_fen FROM posting p JOIN journal j ON j.id = p.journal_id WHERE j.kind = 'parking_points' ORDER BY p.journal_id, p.account" | tr '\n' ' ')" \
	"parking_points|parking:1|expense:points|200 parking_points|parking:1|income:parking|-200 " \
	"the company pays the parking income for the points"
expect_eq "$(sql "SELECT kind || '|' || points || '|' || detail FROM points_use")" "spend|400|parking:1" "400 points taken"
run pm-gate parking pay --plate 沪C12345 --points 400 --unit 1-1-101 --ref PT-1
expect_rc 0 "the same payment again"
expect_err "payment 'PT-1' is recorded already: nothing changed" "changes nothing"
expect_eq "$(sql "SELECT count(*) FROM parking_discount") $(sql "SELECT count(*) FROM points_use")" "1 1" "nothing written twice"
run pm-gate parking pay --plate 沪C12345 --points 200 --unit 1-1-101 --ref PT-2
expect_rc 65 "more points than the unit has left"
expect_err "unit '1-1-101' has 100 points, not 200" "is refused"
run pm-gate parking pay --plate 沪C12345 --points 100 --unit 1-1-101 --ref PT-2 --format jsonl
expect_rc 0 "its last 100 points: 0.50 off"
expect_out '"fee_fen":1000,"paid_fen":250,"due_fen":750,"earlier_fen":0,"refund_fen":0,"unit":"1-1-101","points":100,"discount_fen":50' "7.50 left to pay"
run pm-gate parking pay --plate 沪C12345 --amount 7.50 --ref CASH-1 --format jsonl
expect_out '"paid_fen":1000,"due_fen":0' "the rest paid in cash"
run pm-gate parking pay --plate 沪C12345 --points 2 --unit 1-1-102 --ref PT-X
expect_rc 65 "points on a session paid up"
expect_err "¥0.01 is more than the ¥0.00 plate 沪C12345 owes" "are refused"

# 苏E55555, in for an hour: 5.00. 1-1-102 has 500 points.
run pm-gate parking pay --plate 苏E55555 --points 100 --unit 1-1-102 --ref PT-3 --format jsonl
expect_out '"fee_fen":500,"paid_fen":50,"due_fen":450' "1-1-102: 0.50 off"
run pm-gate parking pay --plate 苏E55555 --points 600 --unit 1-1-102 --ref PT-4
expect_rc 65 "3.00 more in the month"
expect_err "unit '1-1-102' has ¥2.50 of its ¥3.00 parking discount for 2026-12 left, not ¥3.00" "is past its cap"
run pm-gate parking pay --plate 苏E55555 --points 2 --unit 2-1-201 --ref PT-5
expect_err "unit '2-1-201' has 0 points, not 2" "a unit with no points"
expect_eq "$(sql "SELECT group_concat(u.code || ':' || d.points || ':' || p.amount_fen || ':' || d.month, ' ') FROM parking_discount d JOIN unit u ON u.id = d.unit_id JOIN parking_payment p ON p.id = d.payment_id")" \
	"1-1-101:400:200:2026-12 1-1-101:100:50:2026-12 1-1-102:100:50:2026-12" "three discounts in December"
expect_eq "$(sql "SELECT sum(amount_fen) FROM posting WHERE account = 'expense:points'") $(sql "SELECT sum(amount_fen) FROM posting WHERE account = 'income:parking'")" \
	"300 -300" "3.00 of points paid for parking"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'parking.points'")" "3" "each audited"
run pm check
expect_rc 0 "pm check agrees"

# Expired points buy nothing: 1-1-102's 400 left expire on 31 December.
run pm-shop expire --as-of 2026-12-31 --force --format jsonl
expect_out '"unit":"1-1-102","points":400' "1-1-102 loses its 400"
PM_NOW=2027-01-02T10:00:00+08:00
printf '%s\n' '{"gate":"garage","ts":"2027-01-02T09:00:00+08:00","event":"entry","plate":"浙F77777"}' >jan.jsonl
run pm-gate events ingest jan.jsonl
run pm-gate parking pay --plate 浙F77777 --points 2 --unit 1-1-102 --ref PT-6
expect_rc 65 "expired points in a new month"
expect_err "unit '1-1-102' has 0 points, not 2" "are gone"
run pm-shop points 1-1-102 --format jsonl
expect_out '"granted":500,"spent":100,"expired":400,"balance":0' "granted = spent + expired + left"
run pm check
expect_rc 0 "pm check after the expiry"

# pm check finds discounts, points and journal that do not agree.
sql "UPDATE parking_discount SET points = 300 WHERE id = 1"
sql "UPDATE points_use SET points = points + 5 WHERE kind = 'expire' AND unit_id = (SELECT id FROM unit WHERE code = '1-1-102')"
run pm check --format jsonl
expect_rc 1 "a store changed behind pm's back"
expect_out '"check":"parking.points","problem":"points on parking: 500 by the discounts, 600 by the points used"' \
	"the discount no longer agrees with the points used"
expect_out '"check":"points.balance","problem":"unit 1-1-102: granted 500, spent 100, expired 405, left -5"' \
	"a unit with less than nothing left"
done_testing
