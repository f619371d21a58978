#!/bin/sh
# Points a seller spent on a group-buy order come back when the group
# fails: after a sale under billing.transfer.points: expire (the
# default) they end again at once, so the buyer does not get them (the
# sale ended the seller's balance, the order's 500 being out on it then).
# A unit not sold gets its owner's points back as before.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-11-01T09:00:00+08:00; export PM_NOW

run pm init --community 幸福里
feed '{"code":"1-1-101","area":"80","status":"occupied","delivered":"2020-01-01"}
{"code":"1-1-102","area":"80","status":"occupied","delivered":"2020-01-01"}\n' pm unit import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 幸福里
fees:
  - {name: garbage, label: 垃圾费, type: fixed, amounts: {residential: 15}}
rewards:
  first_online_payment: 500
Y
run pm config apply pm.yaml
feed '{"code":"P1","name":"张伟","unit":"1-1-101"}\n{"code":"P2","name":"李娜","unit":"1-1-102"}\n{"code":"P3","name":"王芳"}\n' pm person import
run pm-bill run --period 2026-10
run pm-bill issue --period 2026-10
run pm-bill pay --unit 1-1-101 --amount 15 --channel wechat --ref WX-101 --at 2026-11-01T10:00:00+08:00
run pm-bill pay --unit 1-1-102 --amount 15 --channel wechat --ref WX-102 --at 2026-11-01T10:00:00+08:00
run pm-bill rewards --as-of 2026-11-30 --force
expect_rc 0 "each owner earns 500 points"
balance() { pm-bill points --unit "$1" --format jsonl | tail -1 | sed 's/.*"balance":\([-0-9]*\).*/\1/'; }

PM_NOW=2026-12-01T09:00:00+08:00
run pm-shop merchant M1 --name 鲜果坊 --commission 100
run pm-shop offer VEG --merchant M1 --title 蔬菜 --price 5.00 --deadline 2026-12-20 --min-group 3 --stock 100 --pickup-point 东门 --pickup-at 18:00
run pm-shop order --offer VEG --unit 1-1-101 --qty 1 --points 500 --channel points --ref 0123456789abcdef
expect_rc 0 "the seller spends his on a group that will fail"
run pm-shop order --offer VEG --unit 1-1-102 --qty 1 --points 500 --channel points --ref 0123456789abcdee
expect_rc 0 "and so does the owner of 1-1-102"
expect_eq "$(balance 1-1-101):$(balance 1-1-102)" "0:0" "none left"

PM_NOW=2026-12-05T09:00:00+08:00 run pm unit transfer 1-1-101 --to P3 --at 2026-12-05 --format jsonl
expect_out '"points_balance":0,"points":"expired","points_expired":0' "1-1-101 sold: nothing left to end"
PM_NOW=2026-12-21T09:00:00+08:00 run pm-shop close VEG --format jsonl
expect_rc 0 "the group fails"
expect_out '"order":1,.*"points":500' "each order's 500 points given back"
expect_eq "$(balance 1-1-101)" 0 "the seller's end again: the buyer does not get them"
expect_eq "$(balance 1-1-102)" 500 "the owner of 1-1-102 has his back"
expect_eq "$(sql "SELECT kind || ':' || points || ':' || detail FROM points_use WHERE unit_id = 1 ORDER BY id" | tr '\n' ' ')" \
	"spend:500:shop_order:1 return:-500:shop_order:1 expire:500:sold since shop_order:1 " "returned and ended, saying why"
expect_eq "$(sql "SELECT kind || ':' || points FROM points_use WHERE unit_id = 2 ORDER BY id" | tr '\n' ' ')" \
	"spend:500 return:-500 " "1-1-102's only returned"
run pm-shop offer AP --merchant M1 --title 苹果 --price 2.00 --deadline 2026-12-30 --min-group 1 --stock 100 --pickup-point 东门 --pickup-at 18:00
PM_NOW=2026-12-22T09:00:00+08:00 run pm-shop order --offer AP --unit 1-1-101 --qty 1 --points 200 --channel points --ref fedcba9876543210
expect_rc 65 "the buyer cannot spend the seller's points"
expect_err "unit '1-1-101' has 0 points, not 200" "saying so"
run pm check
expect_rc 0 "the store is sound"
done_testing
