#!/bin/sh
# Red team: points a web order holds (shop.cart_hold) are no one else's
# while its payment comes, whichever path would spend or expire them.
# pm-shop order already kept off them; pm-bill pay-points, pm-gate
# parking pay --points and pm-shop expire did not: an owner's cart held
# 450 of his 500 points, the desk then paid his space's parking with 100
# and a visitor's with 300 (both recorded), and the night's expiry took
# the 450 held; the cart's payment then came to nothing points could
# pay, refused and refunded. Found by reading pm_parking_points_spend and
# expire_units beside shop_room, then with the commands below.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-11-01T09:00:00+08:00
export PM_NOW

run pm init --community 幸福里
feed '{"code":"1-1-101","area":"80","status":"occupied","delivered":"2020-01-01"}
{"code":"1-1-102","area":"80","status":"occupied","delivered":"2020-01-01"}
{"code":"1-1-B01","area":"12","use":"parking","status":"occupied","floor":-1,"delivered":"2020-01-01"}\n' pm unit import
feed '{"code":"P1","name":"张伟","unit":"1-1-101"}
{"code":"P1","name":"张伟","unit":"1-1-B01"}
{"code":"P2","name":"李娜","unit":"1-1-102"}\n' pm person import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community: {name: 幸福里}
fees:
  - {name: property, label: 物业费, type: per_area, prices: {residential: 1}}
  - {name: parking, label: 车位管理费, type: parking, amounts: {owned: 3}}
gates: {garage: {name: 地库道闸}}
parking: {free: 15m, hourly: "5.00", daily_cap: "30.00"}
rewards:
  first_online_payment: 500
  expire_days: 30
  parking:
    points_per_fen: 1
Y
run pm config apply pm.yaml
expect_rc 0 "a point a fen, no cap"
run pm-bill run --period 2026-10
run pm-bill issue --period 2026-10
run pm-bill pay --unit 1-1-101 --amount 80 --channel wechat --ref WX-1 --bill B-2026-10-1-1-101 --at 2026-11-01T10:00:00+08:00
run pm-bill pay --unit 1-1-102 --amount 80 --channel alipay --ref AL-1 --bill B-2026-10-1-1-102 --at 2026-11-01T10:00:00+08:00
run pm-bill rewards --as-of 2026-11-30 --force
expect_err "2 grants, 1000 points" "500 points each to 101 and 102"
PM_NOW=2026-12-01T09:00:00+08:00
run pm-bill run --period 2026-11
run pm-bill issue --period 2026-11
pm-shop merchant M1 --name 鲜果坊 --commission 100 -q >/dev/null
pm-shop offer AP --merchant M1 --title 烟台苹果 --price 39.90 --unit-name 箱 --deadline 2027-01-20 --min-group 1 \
	--stock 50 --pickup-point 东门 --pickup-at 1月22日 -q >/dev/null
expect_rc 0 "an offer open until 20 January"

cart() { # NO UNIT QTY POINTS CREATED HOLD_UNTIL: a cart as pm-web makes it
	sql "INSERT INTO shop_cart (no, offer_id, unit_id, qty, amount_fen, points, login, created_at, hold_until)
		SELECT '$1', f.id, u.id, $3, $3 * f.price_fen, $4, 'owner', strftime('%s', '$5'), strftime('%s', '$6')
		FROM shop_offer f, unit u WHERE f.code = 'AP' AND u.code = '$2'"
}
counts() { # payments, points used, journals
	echo "$(sql "SELECT count(*) FROM payment") $(sql "SELECT count(*) FROM points_use") $(sql "SELECT count(*) FROM journal")"
}
checked() { # DESC
	run pm check -q
	expect_rc 0 "pm check: $1"
}

# 张伟's web order of twelve boxes (478.80) holds 450 of his 500 points.
PM_NOW=2026-12-02T09:00:00+08:00
cart SO0000000000000001 1-1-101 12 450 2026-12-02T09:00:00+08:00 2026-12-02T09:15:00+08:00
run pm-shop points 1-1-101 --format jsonl
expect_out '"balance":500' "500 points, 450 of them held"

# The desk pays his space's parking line with 100 of them.
before=$(counts)
run pm-bill pay-points B-2026-11-1-1-B01 --points 100 --unit 1-1-101 --ref PP-1
expect_rc 65 "pay-points with held points"
expect_err "^pm-bill: unit '1-1-101' has 50 points free, not 100: 450 points are held by another order waiting for its payment$" \
	"is refused, saying 450 are held"
expect_eq "$(counts)" "$before" "nothing written"
expect_eq "$(sql "SELECT paid_fen FROM bill WHERE code = 'B-2026-11-1-1-B01'")" "0" "the bill unpaid"
run pm-bill pay-points B-2026-11-1-1-B01 --points 50 --unit 1-1-101 --ref PP-1 --format jsonl
expect_rc 0 "the 50 free points are his to spend"
expect_out '"amount_fen":50,"allocated_fen":50,' "0.50 in points"
expect_eq "$(sql "SELECT group_concat(kind || ' ' || points, ';') FROM points_use")" "spend 50" "50 points spent"
run pm-bill pay-points B-2026-11-1-1-B01 --points 1 --unit 1-1-101 --ref PP-2
expect_rc 65 "one point more"
expect_err "^pm-bill: unit '1-1-101' has 0 points free, not 1: 450 points are held by another order waiting for its payment$" \
	"is refused"
run pm-bill pay-points B-2026-11-1-1-B01 --points 50 --unit 1-1-101 --ref PP-1
expect_rc 0 "PP-1 again, while 450 are held"
expect_err "payment 'points:PP-1' is recorded already: nothing changed" "is the payment it was, not refused"
checked "pay-points beside a hold"

# A visitor's parking at the gate, in his points.
printf '%s\n' '{"gate":"garage","ts":"2026-12-02T06:00:00+08:00","event":"entry","plate":"沪C12345"}' >in.jsonl
run pm-gate events ingest in.jsonl
expect_rc 0 "a visitor in at 06:00"
before=$(counts)
run pm-gate parking pay --plate 沪C12345 --points 300 --unit 1-1-101 --ref GT-1
expect_rc 65 "the visitor's fee in held points"
expect_err "^pm-gate: unit '1-1-101' has 0 points free, not 300: 450 points are held by another order waiting for its payment$" \
	"is refused, saying 450 are held"
expect_eq "$(counts) $(sql "SELECT count(*) FROM parking_payment")" "$before 0" "nothing written"
checked "the gate beside a hold"

# 李娜 has no cart: her points pay as before.
run pm-gate parking pay --plate 沪C12345 --points 300 --unit 1-1-102 --ref GT-1 --format jsonl
expect_rc 0 "a unit holding nothing pays the gate in points"
expect_eq "$(sql "SELECT sum(points) FROM points_use WHERE kind = 'spend'")" "350" "300 more points spent"

# The hold lapses at 09:15: the points are free again.
PM_NOW=2026-12-02T09:15:00+08:00
run pm-bill pay-points B-2026-11-1-1-B01 --points 100 --unit 1-1-101 --ref PP-3 --format jsonl
expect_rc 0 "a lapsed hold holds nothing"
expect_out '"amount_fen":100,' "1.00 in points"
checked "after the hold"

# Expiry: points granted before 1 December expire on the 31st, but not
# those a web order holds now; once the hold ends, the next run takes them.
PM_NOW=2026-12-31T09:00:00+08:00
cart SO0000000000000002 1-1-101 10 300 2026-12-31T09:00:00+08:00 2026-12-31T09:15:00+08:00
run pm-shop expire --as-of 2026-12-31 --format jsonl
expect_rc 0 "the expiry"
expect_out '"unit":"1-1-102","points":200,' "李娜's 200 left expire"
expect_eq "$(sql "SELECT u.code || ' ' || x.points FROM points_use x JOIN unit u ON u.id = x.unit_id WHERE x.kind = 'expire' ORDER BY u.code" | tr '\n' ';')" \
	"1-1-101 50;1-1-102 200;" "of 张伟's 350, the 300 his order holds are kept"
run pm-shop points 1-1-101 --format jsonl
expect_out '"balance":300' "300 left, held"
run pm-shop expire --as-of 2026-12-31 --format jsonl
expect_eq "$(sql "SELECT count(*) FROM points_use WHERE kind = 'expire'")" "2" "a second run expires nothing more"
checked "an expiry beside a hold"
PM_NOW=2026-12-31T09:15:00+08:00
run pm-shop expire --as-of 2026-12-31 --format jsonl
expect_out '"unit":"1-1-101","points":300,' "the hold lapsed: its 300 expire"
run pm-shop points 1-1-101 --format jsonl
expect_out '"balance":0' "none left"
checked "after the expiry"
done_testing
