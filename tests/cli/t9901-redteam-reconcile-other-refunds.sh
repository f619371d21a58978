#!/bin/sh
# Red team: pm-bill reconcile set a statement's refunds against bill
# payments' refunds alone (and not a transfer's recorded before it named
# the payments it gave back): a deposit refunded, a failed group's order
# refunded, a declined booking's refund and a refused web order's payment
# given back, all through wechat, were
# each "missing_in_store" though recorded, and never "missing_in_statement"
# when the statement left them out. And a listed refund of no recorded
# amount was set against the first recorded refund of its ref not taken:
# of W-BILL's recorded refunds of 30.00 and 10.00, a statement listing
# -25.00 then -30.00 read two "amount_mismatch" (-2500 against -3000,
# -3000 against -1000) where -30.00 is the recorded one. Now each listed
# refund is matched to one of its amount first, whatever the order, and
# one of no recorded amount is paired only when it and the recorded one
# are the only ones of the ref left; else it is missing in the store.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/shop/shop.sh"
PM_NOW=2026-11-01T09:00:00+08:00
export PM_NOW

shop_community </dev/null
pm-shop merchant M1 --name 鲜果坊 --commission 250 -q >/dev/null
pm-shop merchant HK --name 好帮手家政 --commission 750 -q >/dev/null
run pm-shop offer AP --merchant M1 --title 烟台苹果 --price 39.90 --deadline 2026-12-03 --min-group 3 --stock 10 \
	--pickup-point 东门 --pickup-at 周六
expect_rc 0 "an offer that needs three units"
run pm-shop service add CLEAN --merchant HK --title 深度保洁 --price 199.99
run pm-shop service slot CLEAN --at 2026-12-05T09:00:00+08:00 --capacity 2
expect_rc 0 "a service and its slot"

PM_NOW=2026-12-01T10:00:00+08:00 run pm-shop order --offer AP --unit 1-1-102 --qty 2 --channel wechat --ref WX-ORDER
expect_rc 0 "an order of two boxes, 79.80"
PM_NOW=2026-12-01T10:10:00+08:00 run pm-shop book --service CLEAN --slot 2026-12-05T09:00:00+08:00 --unit 2-1-201 \
	--channel wechat --ref WX-BOOK
expect_rc 0 "a booking, 199.99"
PM_NOW=2026-12-01T10:15:00+08:00 run pm-bill deposit take --unit 1-1-101 --kind key --amount 20 --reason 钥匙 \
	--evidence k1 --channel wechat --ref WX-DEP
PM_NOW=2026-12-01T10:16:00+08:00 run pm-bill deposit take --unit 1-1-101 --kind card --amount 30 --reason 门卡 \
	--evidence c1 --channel wechat --ref WX-CARD
expect_rc 0 "a key deposit, 20.00, and a card deposit, 30.00"
PM_NOW=2026-12-02T09:00:00+08:00 run pm-shop decline 1 --reason 人手不够
expect_rc 0 "the booking declined: 199.99 back"
PM_NOW=2026-12-02T09:30:00+08:00 run pm-bill deposit refund --unit 1-1-101 --kind key --amount 20 --reason 退钥匙 \
	--evidence k2 --channel wechat --ref WX-DEP-BACK
PM_NOW=2026-12-02T09:40:00+08:00 run pm-bill deposit refund --unit 1-1-101 --kind card --amount 30 --reason 退卡 \
	--evidence c2 --channel wechat
expect_rc 0 "the deposits refunded, the key's with a ref of its own, the card's with none"
# A web order's payment refused after the fact (as t3850 makes one), and
# given back.
sql "INSERT INTO shop_cart (no, offer_id, unit_id, qty, amount_fen, points, login, channel, ref, refused, created_at)
	SELECT 'SO00000000000000c1', f.id, u.id, 1, f.price_fen, 0, 'owner', 'wechat', 'WX-CART', '团购已满',
	$(date -d 2026-12-01T10:20:00+08:00 +%s) FROM shop_offer f, unit u WHERE f.code = 'AP' AND u.code = '1-1-101'"
PM_NOW=2026-12-02T10:00:00+08:00 run pm-shop refund SO00000000000000c1
expect_rc 0 "the refused web order's 39.90 given back"
PM_NOW=2026-12-04T09:00:00+08:00 run pm-shop close AP
expect_rc 0 "the group did not form"
expect_eq "$(sql "SELECT refunded_fen FROM shop_order WHERE ref = 'WX-ORDER'")" 7980 "the order's 79.80 given back"
PM_NOW=2026-12-04T10:00:00+08:00

cat >st.jsonl <<'J'
{"ref":"WX-ORDER","amount":"79.80","time":"2026-12-01T10:00:01+08:00"}
{"ref":"WX-BOOK","amount":"199.99","time":"2026-12-01T10:10:01+08:00"}
{"ref":"WX-DEP","amount":"20.00","time":"2026-12-01T10:15:01+08:00"}
{"ref":"WX-CARD","amount":"30.00","time":"2026-12-01T10:16:01+08:00"}
{"ref":"WX-CART","amount":"39.90","time":"2026-12-01T10:20:01+08:00"}
{"ref":"WX-BOOK","amount":"-199.99","time":"2026-12-02T09:00:01+08:00"}
{"ref":"WX-DEP-BACK","amount":"-20.00","time":"2026-12-02T09:30:01+08:00"}
{"ref":"WX-CARD","amount":"-30.00","time":"2026-12-02T09:40:01+08:00"}
{"ref":"WX-CART","amount":"-39.90","time":"2026-12-02T10:00:01+08:00"}
{"ref":"WX-ORDER","amount":"-79.80","time":"2026-12-04T09:00:01+08:00"}
J
run pm-bill reconcile st.jsonl --channel wechat --format jsonl
expect_rc 0 "the statement agrees with the store"
expect_err "10 matched, 0 missing in the store, 0 missing in the statement, 0 amounts differ" "all ten matched"
expect_eq "$(jq -r 'select(.statement_fen < 0) | [.ref, .status, .source, .store_fen, .unit] | join(" ")' "$T/out")" \
"WX-BOOK matched shop_refund -19999 2-1-201
WX-DEP-BACK matched deposit_refund -2000 1-1-101
WX-CARD matched deposit_refund -3000 1-1-101
WX-CART matched shop_cart_refund -3990 1-1-101
WX-ORDER matched shop_refund -7980 1-1-102" "each refund with its source, its cash to the fen and its unit"
expect_eq "$(jq -r 'select(.ref == "WX-DEP-BACK") | .id' "$T/out")" \
	"$(sql "SELECT journal_id FROM deposit WHERE ref = 'WX-DEP-BACK'")" "the deposit refund's ledger entry"

grep -v '"amount":"-.*2026-12-02' st.jsonl >short.jsonl
run pm-bill reconcile short.jsonl --channel wechat --format jsonl
expect_rc 65 "a statement of 1 to 4 December without 2 December's refunds"
expect_err "6 matched, 0 missing in the store, 4 missing in the statement, 0 amounts differ" \
	"the four refunds recorded on its days are missing from it"
expect_eq "$(jq -r 'select(.status == "missing_in_statement") | [.ref, .source, .store_fen] | join(" ")' "$T/out")" \
"WX-BOOK shop_refund -19999
WX-DEP-BACK deposit_refund -2000
WX-CARD deposit_refund -3000
WX-CART shop_cart_refund -3990" "each named, the card's under its deposit's take"

# A bill payment refunded twice; statements listing refunds of other
# amounts.
PM_NOW=2026-12-05T10:00:00+08:00 run pm-bill pay --unit 1-1-101 --amount 100 --channel wechat --ref WX-BILL \
	--at 2026-12-05T10:00:00+08:00
PM_NOW=2026-12-06T10:00:00+08:00 run pm-bill refund "$(sql "SELECT id FROM payment WHERE ref = 'WX-BILL'")" \
	--amount 30 --reason 多缴
PM_NOW=2026-12-06T11:00:00+08:00 run pm-bill refund "$(sql "SELECT id FROM payment WHERE ref = 'WX-BILL'")" \
	--amount 10 --reason 多缴
expect_rc 0 "refunds of 30.00 and 10.00"
PM_NOW=2026-12-07T10:00:00+08:00
cat >bill.jsonl <<'J'
{"ref":"WX-BILL","amount":"100.00","time":"2026-12-05T10:00:01+08:00"}
{"ref":"WX-BILL","amount":"-25.00","time":"2026-12-06T10:00:01+08:00"}
{"ref":"WX-BILL","amount":"-30.00","time":"2026-12-06T11:00:01+08:00"}
J
run pm-bill reconcile bill.jsonl --channel wechat --format jsonl
expect_rc 65 "a refund of no recorded amount"
expect_eq "$(jq -r 'select(.statement_fen < 0) | [.status, .statement_fen, .store_fen] | join(" ")' "$T/out")" \
"amount_mismatch -2500 -1000
matched -3000 -3000" "-30.00 matched wherever listed; -25.00 against the one left, 10.00"
expect_err "2 matched, 0 missing in the store, 0 missing in the statement, 1 amounts differ" "the counts"

head -2 bill.jsonl >one.jsonl
run pm-bill reconcile one.jsonl --channel wechat --format jsonl
expect_rc 65 "one refund of no recorded amount, two recorded"
expect_eq "$(jq -r 'select(.ref == "WX-BILL" and .status != "matched") | [.status, .statement_fen, .store_fen] | join(" ")' "$T/out")" \
"missing_in_store -2500 
missing_in_statement  -3000
missing_in_statement  -1000" "not set against either: both recorded are missing from the statement"

# A transfer's refund of a prepaid balance as pm recorded it before it
# named the payments it gave back (ref transfer:UNIT:DATE, no payment):
# it was neither matched nor missed; now it is missing from the
# statement of its day, with no ref to be listed under.
sql "INSERT INTO journal (ts, kind, ref, memo) VALUES (strftime('%s', '2026-12-06T15:00:00+08:00'), 'refund',
	'transfer:1-1-102:2026-12-06', '过户');
	INSERT INTO posting (journal_id, account, amount_fen) SELECT max(id), 'prepaid:1-1-102', 1234 FROM journal;
	INSERT INTO posting (journal_id, account, amount_fen) SELECT max(id), 'cash:wechat', -1234 FROM journal"
run pm-bill reconcile bill.jsonl --channel wechat --format jsonl
expect_eq "$(jq -r 'select(.source == "transfer_refund") | [.status, (.ref // "null"), .store_fen, .unit] | join(" ")' "$T/out")" \
	"missing_in_statement null -1234 1-1-102" "an old transfer's refund of 12.34 is missing from the statement of its day"
done_testing
