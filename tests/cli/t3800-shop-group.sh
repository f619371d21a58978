#!/bin/sh
# pm-shop: group buying, every money path to the fen. Offer AP forms and
# is settled with commission after a partial pickup, one order part paid
# in points; offer VEG fails and every payment (and the points) goes
# back; pm check holds the orders and the ledger equal throughout.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/shop/shop.sh"
PM_NOW=2026-11-01T09:00:00+08:00
export PM_NOW

shop_community <<'Y'
rewards:
  first_online_payment: 500
  expire_days: 30
Y
expect_rc 0 "a config with points that expire after 30 days"
feed '{"code":"P001","name":"张伟","phone":"13800000001","unit":"1-1-101"}
{"code":"P002","name":"李娜","phone":"13800000002","unit":"1-1-102"}\n' pm person import

# 500 points each to 1-1-101 and 2-1-201 for their first online payment.
shop_first_payments 1-1-101 2-1-201
expect_err "2 grants, 1000 points" "two units earn 500 points each"

run pm-shop merchant M1 --name 鲜果坊 --commission 250 --format jsonl
expect_rc 0 "a merchant at 2.5%"
expect_out '^\{"type":"merchant","merchant":"M1","name":"鲜果坊","commission_bp":250,"outcome":"added"\}$' "is added"
run pm-shop merchant M1 --name 鲜果坊 --commission 300
expect_rc 65 "the same code with another commission"
expect_err "merchant 'M1' exists with another name or commission" "is refused"
run pm-shop merchant M2 --name x --commission 10001
expect_rc 2 "a commission above 100%"
run pm-shop merchant "$(printf 'M1\342\200\213')" --name 鲜果坊 --commission 250
expect_rc 65 "a code that would print as M1 is refused"
expect_err 'field "code": byte 3 is U\+200B, a blank, invisible or combining character' "naming the byte"
run pm-shop merchant "$(printf 'M\033[2J')" --name x --commission 250
expect_rc 65 "and one with an escape sequence"
expect_eq "$(sql 'SELECT count(*) FROM merchant')" 1 "neither is stored"

PM_NOW=2026-12-01T09:00:00+08:00
run pm-shop offer AP --merchant M1 --title 烟台苹果 --price 39.90 --unit-name 箱 --deadline 2026-12-20 \
	--min-group 2 --stock 10 --pickup-point 东门快递柜旁 --pickup-at "12月22日 18:00-20:00" --format jsonl
expect_rc 0 "offer AP: 39.90 a box, two units to form, ten boxes"
expect_out '^\{"type":"shop_offer","offer":"AP","merchant":"M1","title":"烟台苹果","price_fen":3990,"unit_name":"箱","deadline":"2026-12-20T00:00:00\+08:00","min_group":2,"stock":10,"per_unit":null,"ordered":0,"held":0,"left":10,"units":0,"pickup_point":"东门快递柜旁","pickup_at":"12月22日 18:00-20:00","state":"open"\}$' \
	"is open"
run pm-shop offer VEG --merchant M1 --title 有机蔬菜 --price 12.50 --deadline 2026-12-20 --min-group 3 --stock 100 \
	--pickup-point 物业前台 --pickup-at 12月21日
expect_rc 0 "offer VEG: 12.50, three units to form"
run pm-shop offer OLD --merchant M1 --title x --price 1 --deadline 2026-11-30 --stock 1 --pickup-point x --pickup-at x
expect_rc 65 "a deadline past"
expect_err "offer 'OLD': its deadline is past" "is refused"
run pm-shop offer "" --merchant M1 --title x --price 1 --deadline 2026-12-30 --stock 1 --pickup-point x --pickup-at x
expect_rc 65 "an offer without a code"
expect_err 'field "code": 1 to 32 bytes' "is refused"
run pm-shop offer "$(printf 'AP\342\200\213')" --merchant M1 --title x --price 1 --deadline 2026-12-30 --stock 1 \
	--pickup-point x --pickup-at x
expect_rc 65 "an offer whose code would print as AP"
expect_err 'field "code": byte 3 is U\+200B' "is refused"
expect_eq "$(sql "SELECT group_concat(code, ' ') FROM (SELECT code FROM shop_offer ORDER BY id)")" "AP VEG" "neither is stored"
run pm-shop offer X --merchant M9 --title x --price 1 --deadline 2026-12-30 --stock 1 --pickup-point x --pickup-at x
expect_err "unknown merchant 'M9'" "an unknown merchant"

PM_NOW=2026-12-10T09:00:00+08:00
# 1-1-101: 3 boxes = 119.70, 500 points of it, 114.70 through wechat.
run pm-shop order --offer AP --unit 1-1-101 --qty 3 --points 500 --channel wechat --ref WX-A1 --format jsonl
expect_rc 0 "an order part paid in points"
expect_out '^\{"type":"shop_order","order":1,"offer":"AP","unit":"1-1-101","qty":3,"amount_fen":11970,"points":500,"paid_fen":11470,"channel":"wechat","ref":"WX-A1","outcome":"recorded"\}$' \
	"11970 fen, 500 in points, 11470 paid"
expect_eq "$(sql "SELECT j.kind || '|' || j.ref || '|' || p.account || '|' || p.amount_fen FROM posting p JOIN journal j ON j.id = p.journal_id WHERE j.kind = 'shop_order' ORDER BY p.journal_id, p.account" | tr '\n' ' ')" \
	"shop_order|shop:AP|cash:wechat|11470 shop_order|shop:AP|expense:points|500 shop_order|shop:AP|merchant:M1|-11970 " \
	"cash and the company's points in, the merchant's liability credited"
run pm-shop order --offer AP --unit 1-1-101 --qty 3 --points 500 --channel wechat --ref WX-A1 --format jsonl
expect_rc 0 "the same callback again"
expect_out '"order":1,.*"outcome":"duplicate"' "is a duplicate"
expect_eq "$(sql "SELECT count(*) FROM shop_order") $(sql "SELECT count(*) FROM points_use")" "1 1" "and writes nothing"
run pm-shop order --offer AP --unit 1-1-102 --qty 1 --channel wechat --ref WX-A1
expect_rc 65 "the ref of another order"
expect_err "payment 'wechat:WX-A1' is already order 1: 3 of offer 'AP' for unit '1-1-101'" "is refused, naming it"
run pm-shop order --offer AP --unit 1-1-102 --qty 1 --channel wechat --ref WX-BILL1
expect_rc 65 "the ref of a bill payment"
expect_err "payment 'wechat:WX-BILL1' is already a bill payment" "is refused"
run pm-bill pay --unit 1-1-101 --amount 114.70 --channel wechat --ref WX-A1
expect_rc 65 "the order's payment as a bill payment"
expect_err "payment 'wechat:WX-A1' is already a group-buying order" "is refused: one transaction, one payment"
expect_eq "$(sql "SELECT count(*) FROM payment WHERE ref = 'WX-A1'")" "0" "nothing recorded"
run pm-shop order --offer AP --unit 1-1-102 --qty 1 --points 1 --channel alipay --ref AL-X
expect_rc 65 "points a unit does not have"
expect_err "unit '1-1-102' has 0 points, not 1" "are refused"
run pm-shop order --offer AP --unit 1-1-102 --qty 8 --channel alipay --ref AL-X
expect_rc 65 "more than the stock left"
expect_err "offer 'AP' has 7 left, not 8" "is refused"
run pm-shop order --offer AP --unit 1-1-102 --qty 1 --channel paypal --ref PP-1
expect_rc 65 "an unknown channel"
run pm-shop order --offer AP --unit 1-1-102 --qty 1 --channel alipay --ref AL-A2 --format jsonl
expect_out '"amount_fen":3990,"points":0,"paid_fen":3990' "1-1-102: one box, 39.90"
run pm-shop order --offer AP --unit 2-1-201 --qty 2 --channel wechat --ref WX-A3 --format jsonl
expect_out '"amount_fen":7980,"points":0,"paid_fen":7980' "2-1-201: two boxes, 79.80"
run pm-shop order --offer VEG --unit 1-1-102 --qty 2 --channel wechat --ref WX-B1 --format jsonl
expect_out '"amount_fen":2500,"points":0,"paid_fen":2500' "VEG: 1-1-102, two at 12.50"
run pm-shop order --offer VEG --unit 2-1-201 --qty 1 --points 250 --channel alipay --ref AL-B2 --format jsonl
expect_out '"amount_fen":1250,"points":250,"paid_fen":1000' "VEG: 2-1-201, 250 points and 10.00"
expect_eq "$(sql "SELECT sum(amount_fen) FROM posting WHERE account = 'merchant:M1'")" "-27690" \
	"the merchant is owed 119.70 + 39.90 + 79.80 + 25.00 + 12.50"
run pm-shop points 2-1-201 --format jsonl
expect_out '^\{"type":"points_balance","unit":"2-1-201","granted":500,"spent":250,"expired":0,"balance":250\}$' "250 points left"
run pm check
expect_rc 0 "pm check: orders and ledger agree"

run pm-shop close AP
expect_rc 65 "closing before the deadline"
expect_err "offer 'AP' takes orders until 2026-12-20T00:00:00\+08:00" "is refused"

PM_NOW=2026-12-20T09:00:00+08:00
run pm-shop order --offer AP --unit 1-1-102 --qty 1 --channel alipay --ref AL-LATE
expect_rc 65 "an order after the deadline"
expect_err "offer 'AP' took orders until its deadline" "is refused"

# VEG: two units of three: it fails, every payment and the points go back.
run pm-shop close VEG --format jsonl
expect_rc 0 "VEG closes"
expect_out '^\{"type":"shop_refund","order":4,"offer":"VEG","unit":"1-1-102","paid_fen":2500,"points":0,"channel":"wechat","ref":"WX-B1","told":true\}$' \
	"1-1-102 gets 25.00 back and is told"
expect_out '^\{"type":"shop_refund","order":5,"offer":"VEG","unit":"2-1-201","paid_fen":1000,"points":250,"channel":"alipay","ref":"AL-B2","told":false\}$' \
	"2-1-201 gets 10.00 and 250 points back; no one on file to tell"
expect_err "offer 'VEG' failed: every order refunded" "the note says so"
expect_eq "$(sql "SELECT p.account || '|' || p.amount_fen FROM posting p JOIN journal j ON j.id = p.journal_id WHERE j.kind = 'shop_refund' ORDER BY p.journal_id, p.account" | tr '\n' ' ')" \
	"cash:wechat|-2500 merchant:M1|2500 cash:alipay|-1000 expense:points|-250 merchant:M1|1250 " \
	"each refund out of the merchant's account to its channel and the points"
expect_eq "$(sql "SELECT state || ':' || refunded_fen || ':' || points_returned FROM shop_order WHERE offer_id = 2 ORDER BY id" | tr '\n' ' ')" \
	"refunded:2500:0 refunded:1000:250 " "both orders refunded in full"
expect_eq "$(sql "SELECT template || '|' || recipient || '|' || channel FROM outbox WHERE template = 'shop_refund'")" \
	"shop_refund|P002|sms" "the owner of 1-1-102 is told through the notify queue"
run pm-shop points 2-1-201 --format jsonl
expect_out '"granted":500,"spent":0,"expired":0,"balance":500' "2-1-201 has its 500 points again"
run pm-shop close VEG
expect_rc 65 "closing twice"
expect_err "offer 'VEG' is failed, not open" "is refused"

# AP: three units of two: it forms.
run pm-shop close AP --format jsonl
expect_rc 0 "AP closes"
expect_eq "$(grep -c '"type":"shop_pickup"' "$T/out")" "3" "the pickup list, one line a unit"
expect_out '^\{"type":"shop_pickup","building":"1","unit":"1-1-101","qty":3,"picked":0,"pickup_point":"东门快递柜旁","pickup_at":"12月22日 18:00-20:00"\}$' \
	"building 1 first"
expect_eq "$(sed -n 's/.*"building":"\([^"]*\)","unit":"\([^"]*\)","qty":\([0-9]*\).*/\1 \2 \3/p' "$T/out" | tr '\n' ',')" \
	"1 1-1-101 3,1 1-1-102 1,2 2-1-201 2," "by building, then unit"
expect_eq "$(sql "SELECT group_concat(state) FROM shop_order WHERE offer_id = 1")" "confirmed,confirmed,confirmed" \
	"the orders confirmed"

PM_NOW=2026-12-22T19:00:00+08:00
run pm-shop pickup AP --unit 1-1-101 --qty 2 --format jsonl
expect_rc 0 "1-1-101 picks up 2 of 3"
expect_out '"unit":"1-1-101","qty":3,"picked":2' "one box left"
run pm-shop pickup AP --unit 1-1-101 --qty 2
expect_rc 65 "two more"
expect_err "unit '1-1-101' has 1 of offer 'AP' to pick up, not 2" "is more than is left"
run pm-shop pickup AP --unit 1-1-102
expect_rc 0 "1-1-102 picks up its box"
run pm-shop pickup AP --unit 2-1-201 --qty 2
expect_rc 0 "2-1-201 picks up both"
run pm-shop pickup AP --format csv
expect_out '^1,1-1-101,3,2,' "the list shows what was picked up"

# Settlement. 1-1-101 did not pick up one box: 39.90 back, its 500
# points shared 2:1 between picked and not, 333.33 and 166.67, so 167
# points back (the larger remainder) and 38.23 in cash. Picked up: 2, 1
# and 2 boxes, 79.80 + 39.90 + 79.80 = 199.50; 2.5% is 4.9875, half up
# 4.99, shared 2:1:2 as 1.996, 0.998, 1.996: 1.99, 0.99, 1.99 and the two
# fen left to the largest remainders, 0.998 and then the first 1.996:
# 2.00, 1.00, 1.99. Paid out 199.50 - 4.99 = 194.51.
run pm-shop settle AP
expect_rc 2 "settle without the payout channel"
run pm-shop settle AP --channel bank --format jsonl
expect_rc 0 "AP is settled"
expect_out '^\{"type":"shop_statement","order":1,"unit":"1-1-101","qty":3,"picked":2,"gross_fen":7980,"commission_fen":200,"net_fen":7780,"refund_fen":3823,"points_returned":167\}$' \
	"1-1-101: 79.80, commission 2.00, 38.23 and 167 points back"
expect_out '^\{"type":"shop_statement","order":2,"unit":"1-1-102","qty":1,"picked":1,"gross_fen":3990,"commission_fen":100,"net_fen":3890,"refund_fen":0,"points_returned":0\}$' \
	"1-1-102: 39.90, commission 1.00"
expect_out '^\{"type":"shop_statement","order":3,"unit":"2-1-201","qty":2,"picked":2,"gross_fen":7980,"commission_fen":199,"net_fen":7781,"refund_fen":0,"points_returned":0\}$' \
	"2-1-201: 79.80, commission 1.99"
expect_out '^\{"type":"shop_settlement","order":null,"unit":null,"qty":6,"picked":5,"gross_fen":19950,"commission_fen":499,"net_fen":19451,"refund_fen":3823,"points_returned":167,"offer":"AP","merchant":"M1","commission_bp":250,"channel":"bank"\}$' \
	"the total: 199.50, 4.99 commission, 194.51 to the merchant, 38.23 and 167 points refunded"
expect_eq "$(sql "SELECT j.kind || '|' || p.account || '|' || p.amount_fen FROM posting p JOIN journal j ON j.id = p.journal_id WHERE j.ref = 'shop:AP' AND j.kind <> 'shop_order' ORDER BY p.journal_id, p.account" | tr '\n' ' ')" \
	"shop_refund|cash:wechat|-3823 shop_refund|expense:points|-167 shop_refund|merchant:M1|3990 shop_settle|cash:bank|-19451 shop_settle|income:shop_commission|-499 shop_settle|merchant:M1|19950 " \
	"the refund, then the commission to income and the payout"
expect_eq "$(sql "SELECT sum(amount_fen) FROM posting WHERE account = 'merchant:M1'")" "0" "the merchant is owed nothing more"
expect_eq "$(sql "SELECT sum(amount_fen) FROM posting WHERE account = 'expense:points'")" "333" \
	"the company paid 3.33 for the points spent"
expect_eq "$(sql "SELECT sum(amount_fen) FROM posting WHERE account = 'cash:wechat' AND journal_id IN (SELECT id FROM journal WHERE ref LIKE 'shop:%')")" \
	"15627" "wechat keeps 114.70 + 79.80 + 25.00 - 25.00 - 38.23"
run pm-shop points 1-1-101 --format jsonl
expect_out '"granted":500,"spent":333,"expired":0,"balance":167' "1-1-101 has 167 points back"
run pm-shop settle AP --channel bank
expect_rc 65 "settling twice"
expect_err "offer 'AP' is settled, not formed" "is refused"
run pm-shop pickup AP --unit 1-1-101
expect_rc 65 "a pickup after the settlement"
run pm check
expect_rc 0 "pm check after the settlement"
expect_eq "$(sql "SELECT action || '|' || object FROM audit WHERE action LIKE 'shop.%' ORDER BY id" | tr '\n' ' ')" \
	"shop.merchant|M1 shop.offer|shop_offer:AP shop.offer|shop_offer:VEG shop.order|shop_order:1 shop.order|shop_order:2 shop.order|shop_order:3 shop.order|shop_order:4 shop.order|shop_order:5 shop.close|shop_offer:VEG shop.close|shop_offer:AP shop.pickup|shop_offer:AP:1-1-101 shop.pickup|shop_offer:AP:1-1-102 shop.pickup|shop_offer:AP:2-1-201 shop.settle|shop_offer:AP " \
	"every change audited"

# Points granted on 30 November expire after 30 days: not yet on 29
# December, on 31 December what is left of them (167 and 500).
run pm-shop expire --as-of 2026-12-29 --force
expect_err "points expired for 0 units" "nothing on the 29th"
run pm-shop expire --as-of 2026-12-31 --force --format jsonl
expect_rc 0 "the run of the 31st"
expect_out '^\{"type":"points_expired","unit":"1-1-101","points":167,"before":"2026-12-01","as_of":"2026-12-31"\}$' "167 of 1-1-101"
expect_out '^\{"type":"points_expired","unit":"2-1-201","points":500,"before":"2026-12-01","as_of":"2026-12-31"\}$' "500 of 2-1-201"
run pm-shop expire --as-of 2026-12-31 --force
expect_err "points expired for 0 units" "a second run expires nothing more"
run pm-shop points 1-1-101 --format jsonl
expect_out '"granted":500,"spent":333,"expired":167,"balance":0' "1-1-101 has none left"
run pm-bill points --unit 1-1-101 --format csv
expect_out '^1-1-101,spend,,shop_order:1,-500,2026-12-10,0$' "pm-bill points lists the spending"
expect_out '^1-1-101,return,,shop_order:1,167,2026-12-22,167$' "the points returned"
expect_out '^1-1-101,expire,,granted before 2026-12-01,-167,2026-12-31,0$' "and the expiry, to a balance of 0"
run pm check
expect_rc 0 "pm check after the expiry"

# pm check finds a merchant account or points ledger that does not agree.
sql "UPDATE posting SET amount_fen = amount_fen - 1 WHERE account = 'merchant:M1' AND journal_id = (SELECT max(journal_id) FROM posting WHERE account = 'merchant:M1'); UPDATE posting SET amount_fen = amount_fen + 1 WHERE account = 'income:shop_commission'"
sql "UPDATE shop_order SET points_returned = 0 WHERE id = 1"
run pm check --format jsonl
expect_rc 1 "a store changed behind pm's back"
expect_out '"check":"shop.merchant","problem":"merchant M1: orders and bookings hold 0 fen, the ledger 1 fen"' \
	"the merchant's account is off by a fen"
expect_out '"check":"shop.points","problem":"points on orders: 500 by the orders, 333 by the points used, 333 fen by the ledger"' \
	"the points of an order do not agree"
done_testing
