#!/bin/sh
# Who may pay a parking bill with points is one action of the permission
# table, bill.points, which pm-bill pay-points and the web's points form
# both ask (pm_bill_may_spend_points): admin, finance, the desk, and an
# owner for a bill of a home they live in with the points of one they live
# in. The web decided by a role test of its own, and the command line by
# bill.pay, so an owner could spend points on the web and not here.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/bill/points.sh"
PM_NOW=2026-11-01T09:00:00+08:00
export PM_NOW

parking_homes
cat >pm.yaml <<'Y'
effective: 2026-01-01
community: {name: 幸福里}
fees:
  - {name: property, label: 物业费, type: per_area, prices: {residential: 1}}
  - {name: parking, label: 车位管理费, type: parking, amounts: {owned: 3}}
rewards:
  first_online_payment: 500
  parking:
    points_per_fen: 1
Y
run pm config apply pm.yaml
expect_rc 0 "a point a fen"
pm-bill run --period 2026-10 -q >/dev/null && pm-bill issue --period 2026-10 -q >/dev/null
pm-bill pay --unit 1-1-101 --amount 80 --channel wechat --ref WX-1 --bill B-2026-10-1-1-101 -q >/dev/null
pm-bill pay --unit 1-1-102 --amount 80 --channel alipay --ref AL-1 --bill B-2026-10-1-1-102 -q >/dev/null
run pm-bill rewards
expect_err "2 grants, 1000 points" "500 points each to the homes"
PM_NOW=2026-12-02T09:00:00+08:00
pm-bill run --period 2026-11 -q >/dev/null && pm-bill issue --period 2026-11 -q >/dev/null
pm user add owner1 --role owner --person P1 -q
pm user add owner2 --role owner --person P2 -q
pm user add desk --role frontdesk -q
pm user add tech --role technician -q
pm user add viewer --role viewer -q
spent() { sql "SELECT count(*) || ' ' || coalesce(sum(amount_fen), 0) FROM payment WHERE channel = 'points'"; }

run pm-bill --as owner1 pay-points B-2026-11-1-1-B01 --points 100 --unit 1-1-101 --ref OW-1 --format jsonl
expect_rc 0 "an owner pays their space's parking with their home's points"
expect_out '"channel":"points","ref":"OW-1","unit":"1-1-B01","amount_fen":100,.*"points_unit":"1-1-101","points":100' \
	"1.00 off in 100 points"
expect_eq "$(sql "SELECT actor FROM audit WHERE action = 'bill.points'")" "owner1" "audited for owner1"
run pm-bill --as owner1 pay-points B-2026-11-1-1-B01 --points 100 --unit 1-1-102 --ref OW-2
expect_rc 77 "owner1 spends 1-1-102's points"
expect_err "^pm-bill: user 'owner1' may not see unit '1-1-102'$" "refused as another's unit"
run pm-bill --as owner2 pay-points B-2026-11-1-1-B01 --points 100 --unit 1-1-102 --ref OW-3
expect_rc 77 "owner2 pays owner1's bill"
expect_err "^pm-bill: user 'owner2' may not see bill 'B-2026-11-1-1-B01'$" "refused as a bill not theirs"
run pm-bill --as owner2 pay-points B-2026-11-1-1-B02 --points 100 --unit 1-1-101 --ref OW-4
expect_rc 77 "owner2 pays their own bill with owner1's points"
run pm-bill --as tech pay-points B-2026-11-1-1-B01 --points 100 --unit 1-1-101 --ref OW-5
expect_rc 77 "a technician"
expect_err "^pm-bill: user 'tech' \(technician\) may not do 'bill.points'$" "refused by the table's bill.points"
run pm-bill --as viewer pay-points B-2026-11-1-1-B01 --points 100 --unit 1-1-101 --ref OW-6
expect_rc 77 "a viewer"
expect_eq "$(spent)" "1 100" "none of the refused wrote a payment"
run pm-bill --as desk pay-points B-2026-11-1-1-B02 --points 50 --unit 1-1-102 --ref DK-1 --format jsonl
expect_rc 0 "the desk spends 1-1-102's points on B02"
expect_eq "$(spent)" "2 150" "two payments in points, 1.50 in all"
expect_eq "$(sql "SELECT group_concat(u.code || ':' || x.points, ' ') FROM points_use x JOIN unit u ON u.id = x.unit_id WHERE x.kind = 'spend'")" \
	"1-1-101:100 1-1-102:50" "each from its home's points"
run pm check
expect_rc 0 "pm check agrees"
done_testing
