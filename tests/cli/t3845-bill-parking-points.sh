#!/bin/sh
# Points (积分) on the monthly parking fee (停车优惠): pm-bill pay-points
# pays a bill's parking lines, and nothing else, with the points of the
# space's own unit or of its owner's home, at rewards.parking.points_per_fen
# and within the month cap it shares with pm-gate's visitors' parking.
# Expired points and another owner's buy nothing; a ref again writes
# nothing; points are no money in for reconcile, refunds or receipts. Every
# money path to the fen, the rows, and pm check after each.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/bill/points.sh"
PM_NOW=2026-11-01T09:00:00+08:00
export PM_NOW

parking_homes
expect_rc 0 "two owners, a home and a space each"
cat >pm.yaml <<'Y'
effective: 2026-01-01
community: {name: 幸福里}
fees:
  - {name: property, label: 物业费, type: per_area, prices: {residential: 1}}
  - {name: parking, label: 车位管理费, type: parking, amounts: {owned: 3}}
  - {name: garage, label: 车库保洁费, type: fixed, amounts: {parking: 1}}
# points among the channels only to show it is still no money
payments: {channels: [cash, wechat, alipay, points]}
gates: {garage: {name: 地库道闸}}
parking: {free: 15m, hourly: "5.00", daily_cap: "30.00"}
rewards:
  first_online_payment: 500
  expire_days: 30
  parking:
    points_per_fen: 1
    month_cap: "4.00"
Y
run pm config apply pm.yaml
expect_rc 0 "a point a fen, at most 4.00 a month"
run pm-bill run --period 2026-10
run pm-bill issue --period 2026-10
run pm-bill pay --unit 1-1-101 --amount 80 --channel wechat --ref WX-1 --bill B-2026-10-1-1-101 --at 2026-11-01T10:00:00+08:00
run pm-bill pay --unit 1-1-102 --amount 80 --channel alipay --ref AL-1 --bill B-2026-10-1-1-102 --at 2026-11-01T10:00:00+08:00
run pm-bill rewards --as-of 2026-11-30 --force
expect_err "2 grants, 1000 points" "500 points each to the homes 101 and 102"
PM_NOW=2026-12-01T09:00:00+08:00
run pm-bill run --period 2026-11
run pm-bill issue --period 2026-11
expect_eq "$(sql "SELECT group_concat(b.code || ':' || l.fee || ':' || l.amount_fen, ' ') FROM bill_line l JOIN bill b ON b.id = l.bill_id WHERE b.code = 'B-2026-11-1-1-B01'")" \
	"B-2026-11-1-1-B01:parking:300 B-2026-11-1-1-B01:garage:100" "a space's bill: 3.00 parking, 1.00 garage cleaning"

PM_NOW=2026-12-02T09:00:00+08:00
# Part of a parking line, with the points of the owner's home.
run pm-bill pay-points B-2026-11-1-1-B01 --points 100 --unit 1-1-101 --ref PP-1 --format jsonl
expect_rc 0 "100 of 1-1-101's points on B01's bill"
expect_out '^\{"type":"payment","payment":3,"channel":"points","ref":"PP-1","unit":"1-1-B01","amount_fen":100,"allocated_fen":100,"prepaid_fen":0,"outcome":"recorded","bill":"B-2026-11-1-1-B01","points_unit":"1-1-101","points":100,"month":"2026-12"\}$' \
	"a payment of 1.00 in points"
expect_eq "$(sql "SELECT seq || ':' || paid_fen FROM bill_line WHERE bill_id = (SELECT id FROM bill WHERE code = 'B-2026-11-1-1-B01') ORDER BY seq" | tr '\n' ' ')" \
	"1:100 2:0 " "on the parking line, not the cleaning"
expect_eq "$(sql "SELECT status || ':' || paid_fen FROM bill WHERE code = 'B-2026-11-1-1-B01'")" "partial:100" "the bill partly paid"
expect_eq "$(sql "SELECT j.kind || '|' || j.ref || '|' || p.account || '|' || p.amount_fen FROM posting p JOIN journal j ON j.id = p.journal_id WHERE j.kind = 'bill_points' ORDER BY p.journal_id, p.account" | tr '\n' ' ')" \
	"bill_points|payment:3|expense:points|100 bill_points|payment:3|receivable:1-1-B01|-100 " \
	"the company's expense for the space's receivable"
expect_eq "$(sql "SELECT u.code || '|' || x.kind || '|' || x.points || '|' || x.detail FROM points_use x JOIN unit u ON u.id = x.unit_id")" \
	"1-1-101|spend|100|payment:3" "100 points taken from the home"
expect_eq "$(sql "SELECT p.channel || '|' || p.ref || '|' || u.code || '|' || x.points || '|' || x.month FROM bill_points x JOIN payment p ON p.id = x.payment_id JOIN unit u ON u.id = x.unit_id")" \
	"points|PP-1|1-1-101|100|2026-12" "the points row"
run pm-bill show B-2026-11-1-1-B01 --format jsonl
expect_out '"paid_fen":100,"owed_fen":300,.*"events":\[\{"kind":"allocation","what":"points:PP-1","amount_fen":100,' \
	"pm-bill show: 1.00 paid in points, 3.00 owed"
run pm-bill statement --unit 1-1-B01 --format jsonl
expect_out '"kind":"bill_points","ref":"payment:3","amount_fen":-100,"balance_fen":700,"memo":"PP-1"' \
	"the statement: 8.00 billed, 1.00 off in points"
run pm check
expect_rc 0 "pm check after part of a line"

# The same again records nothing; the same ref for something else is refused.
run pm-bill pay-points B-2026-11-1-1-B01 --points 100 --unit 1-1-101 --ref PP-1 --format jsonl
expect_rc 0 "PP-1 again"
expect_err "payment 'points:PP-1' is recorded already: nothing changed" "says so"
expect_out '"payment":3,"channel":"points","ref":"PP-1","unit":"1-1-B01","amount_fen":100,"outcome":"duplicate"' "the payment it was"
expect_eq "$(sql "SELECT count(*) FROM payment") $(sql "SELECT count(*) FROM points_use") $(sql "SELECT count(*) FROM journal") $(sql "SELECT paid_fen FROM bill WHERE code = 'B-2026-11-1-1-B01'")" \
	"3 1 $(sql "SELECT count(*) FROM journal") 100" "nothing written twice"
run pm-bill pay-points B-2026-11-1-1-B01 --points 200 --unit 1-1-101 --ref PP-1
expect_rc 65 "PP-1 for 200 points"
expect_err "payment 'points:PP-1' was 100 points of unit '1-1-101' on bill 'B-2026-11-1-1-B01': not 200 points of '1-1-101' on 'B-2026-11-1-1-B01'" \
	"is refused, naming what PP-1 was"

# More than the parking lines owe, though the bill owes more.
run pm-bill pay-points B-2026-11-1-1-B01 --points 250 --unit 1-1-101 --ref PP-2
expect_rc 65 "2.50 on a parking line owing 2.00"
expect_err "^pm-bill: ¥2\.50 is more than the ¥2\.00 the parking lines of bill 'B-2026-11-1-1-B01' owe$" "is refused"
expect_eq "$(sql "SELECT count(*) FROM payment WHERE ref = 'PP-2'") $(sql "SELECT count(*) FROM points_use")" "0 1" "and writes nothing"
# All of it.
run pm-bill pay-points B-2026-11-1-1-B01 --points 200 --unit 1-1-101 --ref PP-2 --format jsonl
expect_rc 0 "the rest of the parking line"
expect_out '"payment":4,.*"amount_fen":200,"allocated_fen":200,' "2.00 in points"
expect_eq "$(sql "SELECT seq || ':' || paid_fen FROM bill_line WHERE bill_id = (SELECT id FROM bill WHERE code = 'B-2026-11-1-1-B01') ORDER BY seq" | tr '\n' ' ')" \
	"1:300 2:0 " "the parking line paid, the cleaning not"
expect_eq "$(sql "SELECT status || ':' || paid_fen FROM bill WHERE code = 'B-2026-11-1-1-B01'")" "partial:300" "1.00 left to pay in money"
run pm-bill pay-points B-2026-11-1-1-B01 --points 1 --unit 1-1-101 --ref PP-X
expect_rc 65 "points on a parking line paid up"
expect_err "¥0\.01 is more than the ¥0\.00 the parking lines of bill 'B-2026-11-1-1-B01' owe" "are refused"
run pm check
expect_rc 0 "pm check after the whole line"

# The month cap: 3.00 used of 4.00 in December.
run pm-bill pay-points B-2026-10-1-1-B01 --points 200 --unit 1-1-101 --ref PP-3
expect_rc 65 "2.00 more in December"
expect_err "unit '1-1-101' has ¥1\.00 of its ¥4\.00 parking discount for 2026-12 left, not ¥2\.00" "is past the cap"
run pm-bill pay-points B-2026-10-1-1-B01 --points 100 --unit 1-1-101 --ref PP-3 --format jsonl
expect_rc 0 "1.00 more, up to the cap"
expect_out '"payment":5,.*"amount_fen":100,.*"bill":"B-2026-10-1-1-B01"' "on October's bill"
# The cap is pm-gate's too: a visitor's fee in 1-1-101's points is over it.
printf '%s\n' '{"gate":"garage","ts":"2026-12-02T08:00:00+08:00","event":"entry","plate":"沪C12345"}' >in.jsonl
run pm-gate events ingest in.jsonl
run pm-gate parking pay --plate 沪C12345 --points 2 --unit 1-1-101 --ref GT-1
expect_rc 65 "visitor's parking past the shared cap"
expect_err "unit '1-1-101' has ¥0\.00 of its ¥4\.00 parking discount for 2026-12 left, not ¥0\.02" "counts the bills' points"
run pm check
expect_rc 0 "pm check at the cap"

# Another owner's points; the space's own unit by default; no parking line.
run pm-bill pay-points B-2026-11-1-1-B02 --points 100 --unit 1-1-101 --ref PP-4
expect_rc 65 "张伟's points on 李娜's space"
expect_err "^pm-bill: unit '1-1-101' is owned by 张伟 and unit '1-1-B02' by 李娜: points pay only for their owner's own parking$" \
	"are refused, naming the owners"
run pm-bill pay-points B-2026-11-1-1-B02 --points 100 --ref PP-4
expect_rc 65 "the space's own points by default"
expect_err "unit '1-1-B02' has 0 points, not 100" "it has none"
run pm-bill pay-points B-2026-11-1-1-102 --points 100 --unit 1-1-102 --ref PP-4
expect_rc 65 "a home's bill"
expect_err "^pm-bill: bill 'B-2026-11-1-1-102' has no parking line: points pay only parking fees$" "has no parking line"
run pm-bill pay-points B-2026-11-1-1-B02 --points 100 --unit 1-1-102 --ref PP-4 --format jsonl
expect_rc 0 "李娜's points on her space"
expect_out '"payment":6,"channel":"points","ref":"PP-4","unit":"1-1-B02","amount_fen":100,' "1.00"
expect_eq "$(sql "SELECT count(*) FROM payment WHERE channel = 'points'") $(sql "SELECT count(*) FROM audit WHERE action = 'bill.points'")" \
	"4 4" "four payments in points, each audited"
run pm check
expect_rc 0 "pm check after four"

# A credit note leaves the bill owing less than its parking line: the
# bill's debt bounds the points too.
run pm-bill adjust B-2026-10-1-1-B02 --amount -2.50 --reason 车位维修
expect_rc 0 "2.50 off October's 4.00 for B02"
run pm-bill pay-points B-2026-10-1-1-B02 --points 200 --unit 1-1-102 --ref PP-6
expect_rc 65 "2.00 on a bill owing 1.50"
expect_err "¥2\.00 is more than the ¥1\.50 the parking lines of bill 'B-2026-10-1-1-B02' owe" "is refused"
run pm-bill pay-points B-2026-10-1-1-B02 --points 150 --unit 1-1-102 --ref PP-6 --format jsonl
expect_rc 0 "1.50 pays it"
expect_eq "$(sql "SELECT status || ':' || paid_fen || ':' || adjust_fen FROM bill WHERE code = 'B-2026-10-1-1-B02'")" \
	"paid:150:-250" "paid in full, the garage cleaning by the note"
run pm check
expect_rc 0 "pm check after a bill paid in points"

# Points are no money: not a channel of pm-bill pay, never refunded in
# money, and not in a reconcile of channel points.
run pm-bill pay --unit 1-1-B02 --amount 1 --channel points --ref PP-9
expect_rc 65 "pm-bill pay --channel points"
expect_err "channel \"points\" is reward points, no money: pm-bill pay-points pays parking lines with them" "is refused"
run pm-bill refund 3 --amount 1 --reason test
expect_rc 65 "refunding a payment in points"
expect_err "payment 3 was paid in reward points: points are not refunded in money" "is refused"
printf '%s\n' '{"ref":"X-1","amount":"1.00","time":"2026-12-02T09:00:00+08:00"}' >st.jsonl
run pm-bill reconcile st.jsonl --channel points --format jsonl
expect_out '"status":"missing_in_store","channel":"points","ref":"X-1"' "a statement's entry is not found in points"
expect_eq "$(grep -c '"ref":"PP-' "$T/out")" "0" "and no payment in points is money the statement lacks"
expect_err "0 matched, 1 missing in the store, 0 missing in the statement, 0 amounts differ" "the summary counts none"
run pm-report collection --period 2026-12 --format jsonl
expect_out '^\{"type":"collection","section":"received","channel":null,"payments":0,"received_fen":0,' \
	"no money received in December: points are none"
run pm-report collection --period 2026-11 --by channel --format jsonl
expect_out '^\{"type":"collection","section":"channel","channel":"points","bills":2,"collected_fen":400,' \
	"what points paid of November's bills, as a channel"
expect_eq "$(sql "SELECT sum(amount_fen) FROM posting WHERE account = 'expense:points'") $(sql "SELECT sum(amount_fen) FROM posting WHERE account LIKE 'cash:%'")" \
	"650 16000" "6.50 of points as expense, the cash only the homes' 160.00"

# Expired points buy nothing: what 1-1-101 and 1-1-102 have left expires
# on 31 December; January's cap is fresh.
run pm-shop expire --as-of 2026-12-31 --force --format jsonl
expect_out '"unit":"1-1-101","points":100' "1-1-101 loses its 100"
expect_out '"unit":"1-1-102","points":250' "1-1-102 its 250"
PM_NOW=2027-01-02T10:00:00+08:00
run pm-bill pay-points B-2026-11-1-1-B02 --points 100 --unit 1-1-102 --ref PP-5
expect_rc 65 "expired points in January"
expect_err "unit '1-1-102' has 0 points, not 100" "are gone"
run pm-bill points --unit 1-1-102 --format jsonl
expect_err "unit '1-1-102' has 0 points" "nothing left"
expect_eq "$(sql "SELECT count(*) FROM payment WHERE ref = 'PP-5'") $(sql "SELECT paid_fen FROM bill WHERE code = 'B-2026-11-1-1-B02'")" \
	"0 100" "nothing written"
run pm check
expect_rc 0 "pm check after the expiry"

# pm check finds payments in points, points used and the journal that do
# not agree.
sql "UPDATE bill_points SET points = 150 WHERE payment_id = 3"
sql "UPDATE payment SET refunded_fen = 100 WHERE id = 4"
run pm check --format jsonl
expect_rc 1 "a store changed behind pm's back"
expect_out '"check":"bill.points","problem":"payment 3: 150 points by the payment, 100 by the points used"' \
	"the points no longer agree with the points used"
expect_out '"check":"bill.points","problem":"payment 4: 200 fen in points, its journal 200 to expense:points, 200 to the receivable, 200 fen to parking lines, 100 refunded"' \
	"a payment in points refunded"
done_testing
