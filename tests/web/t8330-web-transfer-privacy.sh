#!/bin/sh
# After a sale (pm unit transfer) the buyer signing in saw the seller's
# payments and receipts, the bill the seller had paid, the seller's
# repair ticket, visitor request and group-buy order: everything of the
# unit, whoever's. An owner now sees what is of their own time in the
# unit: a bill still owed passes with the unit (the seller's part paid
# not shown), the seller's settled bill, payments, receipts, tickets,
# visitors and orders do not, and their pages are refused as another
# owner's are. The seller, no longer living there, sees none of it
# either (the desk prints them their receipts and statement).
. "$PM_TOP/tests/web/lib.sh"

web_store
PM_NOW=2026-11-05T09:00:00+08:00 pm-bill run -q --period 2026-10 >/dev/null &&
	PM_NOW=2026-11-05T09:00:00+08:00 pm-bill issue -q --period 2026-10 >/dev/null
expect_rc 0 "1-1-101's October bill, issued on 5 November"
october=$(sql "SELECT total_fen FROM bill WHERE code = 'B-2026-10-1-1-101'")
seller() { PM_NOW=2026-12-01T10:00:00+08:00 "$@"; }
seller run pm-bill pay -q --unit 1-1-101 --bill B-2026-10-1-1-101 --amount "$((october / 100)).$(printf %02d $((october % 100)))" \
	--channel wechat --ref WX-SELLER-1
expect_rc 0 "the seller pays October in full: payment 1"
seller run pm-bill pay -q --unit 1-1-101 --bill B-2026-11-1-1-101 --amount 100.00 --channel wechat --ref WX-SELLER-2
expect_rc 0 "and 100.00 of November: payment 2"
seller run pm-repair submit -q --as owner1 --unit 1-1-101 --category plumbing --text 卖方的厨房水管漏水
expect_rc 0 "the seller's ticket 1"
seller run pm-gate visitor request -q --as owner1 --unit 1-1-101 --name 卖方访客 --from 2026-12-03 --until 2026-12-04
expect_rc 0 "the seller's visitor request 1"
pm-shop merchant M1 --name 鲜果坊 --commission 250 -q >/dev/null
pm-shop offer AP --merchant M1 --title 烟台苹果 --price 39.90 --unit-name 箱 --deadline 2026-12-20 --min-group 1 \
	--stock 10 --pickup-point 东门 --pickup-at 12月22日 -q >/dev/null
seller run pm-shop order -q --offer AP --unit 1-1-101 --qty 3 --channel wechat --ref WX-SHOP-S
expect_rc 0 "the seller's group-buy order of 3 boxes"
seller run pm unit transfer 1-1-101 --to P3 --at 2026-12-02 --settle
expect_rc 0 "1-1-101 sold to 王芳 (owner3) from 2 December, November still owed"

PM_NOW=2026-12-02T09:00:00+08:00
export PM_NOW
run pm-bill pay -q --unit 1-1-101 --bill B-2026-11-1-1-101 --amount 50.00 --channel wechat --ref WX-BUYER-1
expect_rc 0 "the buyer pays 50.00 of November: payment 3"
run pm-repair submit -q --as owner3 --unit 1-1-101 --category electrical --text 买方的客厅灯不亮
expect_rc 0 "the buyer's ticket 2"
run pm-shop order -q --offer AP --unit 1-1-101 --qty 1 --channel wechat --ref WX-SHOP-B
expect_rc 0 "the buyer's order of 1 box"
run pm-gate visitor request -q --as owner3 --unit 1-1-101 --name 买方访客 --from 2026-12-03 --until 2026-12-04
expect_rc 0 "the buyer's visitor request 2"
web_start

signin owner2
get /receipt/1
expect_code 403 "another owner is refused the seller's receipt"
other=$(grep -o '<p class="note[^<]*<' "$T/body" | sed 's/owner2/OWNER/; s/[0-9]*<$/N/')

signin owner3
get /bills
expect_body 'B-2026-11-1-1-101' "the buyer's bills: November, still owed, passed with the unit"
if grep -q 'B-2026-10-1-1-101' "$T/body"; then _report 0 "the seller's October bill, paid before the sale, is not listed"; else
	_report 1 "the seller's October bill, paid before the sale, is not listed"; fi
get /bill/B-2026-10-1-1-101
expect_code 403 "nor shown"
get /bill/B-2026-11-1-1-101
expect_code 200 "November's page"
expect_body 'href="[^"]*/receipt/3"' "with the buyer's payment and its receipt"
if grep -q '/receipt/2"' "$T/body"; then _report 0 "not the seller's payment towards it"; else
	_report 1 "not the seller's payment towards it"; fi
for p in 1 2; do
	get /receipt/$p
	expect_code 403 "the seller's receipt $p refused"
	expect_eq "$(grep -o '<p class="note[^<]*<' "$T/body" | sed 's/owner3/OWNER/; s/[0-9]*<$/N/')" "$other" \
		"said as another owner's is"
done
get /receipt/3
expect_code 200 "the buyer's own receipt"
expect_body '50\.00' "for 50.00"
get /unit/1-1-101/statement
expect_code 200 "the buyer's statement"
if grep -qE '2026-11-05|2026-12-01' "$T/body"; then _report 0 "begins at the sale: no entry of the seller's time"; else
	_report 1 "begins at the sale: no entry of the seller's time"; fi
expect_body '2026-12-02' "the buyer's payment on it"
get /tickets
expect_body '买方的客厅灯不亮' "the buyer's ticket listed"
if grep -q '卖方的厨房水管漏水' "$T/body"; then _report 0 "not the seller's"; else _report 1 "not the seller's"; fi
get /ticket/1
expect_code 403 "the seller's ticket refused"
get /visitors
expect_body '买方访客' "the buyer's visitor listed"
if grep -q '卖方访客' "$T/body"; then _report 0 "not the seller's"; else _report 1 "not the seller's"; fi
get /visitor/1
expect_code 403 "the seller's visitor request refused"
get /orders
expect_body '¥39\.90' "the buyer's group-buy order listed"
if grep -q '¥119\.70' "$T/body"; then _report 0 "not the seller's"; else _report 1 "not the seller's"; fi

signin owner1
get /receipt/1
expect_code 403 "the seller, moved out, no longer sees the unit's receipts"
done_testing
