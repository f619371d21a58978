#!/bin/sh
# A sale (pm unit transfer) does not hand the seller's reward points to
# the buyer without saying so: by default (billing.transfer.points:
# expire) they end with the sale as pm-shop expire ends points, and the
# buyer cannot spend them; with points: carry they stay with the unit
# for the buyer, as the record says. Either way the record and its audit
# say the balance and what became of it.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/shop/shop.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

shop_community <<'Y'
rewards:
  first_online_payment: 500
Y
expect_rc 0 "a config with points"
feed '{"code":"P1","name":"张伟","unit":"1-1-101"}
{"code":"P2","name":"李娜","unit":"1-1-102"}
{"code":"P3","name":"王芳"}
{"code":"P4","name":"赵敏"}\n' pm person import
shop_first_payments 1-1-101 1-1-102
expect_err "2 grants, 1000 points" "each seller earns 500 points"
pm-shop merchant M1 --name 鲜果坊 --commission 100 -q >/dev/null
run pm-shop offer AP --merchant M1 --title 烟台苹果 --price 39.90 --unit-name 箱 --deadline 2026-12-20 \
	--stock 10 --pickup-point 东门 --pickup-at 12月22日
expect_rc 0 "an offer"
balance() { # UNIT
	pm-bill points --unit "$1" --format jsonl | tail -n 1 | grep -o '"balance":[0-9-]*'
}

run pm unit transfer 1-1-101 --to P3 --at 2026-12-01 --format jsonl
expect_rc 0 "1-1-101 sold under the default rule"
expect_out '"points_balance":500,"points":"expired","points_expired":500' "the record says 500 points ended with the sale"
expect_eq "$(sql "SELECT u.code || ':' || x.kind || ':' || x.points || ':' || x.detail || ':' || x.as_of FROM points_use x JOIN unit u ON u.id = x.unit_id")" \
	"1-1-101:expire:500:transfer to P3 on 2026-12-01:2026-12-01" "as one expiry in the points ledger"
expect_eq "$(balance 1-1-101)" '"balance":0' "the unit has none left"
run pm-shop order --offer AP --unit 1-1-101 --qty 1 --points 100 --channel wechat --ref WX-B1
expect_rc 65 "the buyer cannot spend the seller's points"
expect_err "unit '1-1-101' has 0 points, not 100" "and is told the unit has none"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'unit.transfer' AND after LIKE '%\"points\":\"expired\",\"points_balance\":500,\"points_expired\":500%'")" 1 \
	"the transfer's audit record says so"

cat >>pm.yaml <<'Y'
billing:
  transfer: {points: carry}
Y
run pm config apply pm.yaml
expect_rc 0 "billing.transfer.points: carry"
run pm unit transfer 1-1-102 --to P4 --at 2026-12-01 --format jsonl
expect_rc 0 "1-1-102 sold carrying its points"
expect_out '"points_balance":500,"points":"carried","points_expired":0' "the record says the buyer gets 500 points"
expect_eq "$(balance 1-1-102)" '"balance":500' "the unit keeps them"
run pm-shop order --offer AP --unit 1-1-102 --qty 1 --points 100 --channel wechat --ref WX-B2 --format jsonl
expect_rc 0 "the buyer spends them"
expect_out '"amount_fen":3990,"points":100,"paid_fen":3890' "100 points of 39.90"
expect_eq "$(sql "SELECT count(*) FROM points_use WHERE kind = 'expire'")" 1 "nothing of 1-1-102 expired"

run pm unit transfer 1-1-101 --to P3 --at 2026-12-01 --format jsonl
expect_out '"outcome":"unchanged"' "the same transfer again changes nothing"
expect_eq "$(sql "SELECT count(*) FROM points_use")" 2 "and ends no points"

sed -n '1,/^billing:/p' pm.yaml | sed '$d' >bad.yaml
printf 'billing:\n  transfer: {points: give}\n' >>bad.yaml
run pm config apply bad.yaml
expect_rc 78 "an unknown points rule"
expect_err 'billing.transfer.points: expected one of "carry", "expire", got "give"' "is refused naming the key and its words"
done_testing
