#!/bin/sh
# pm-bill reconcile finds the money of a channel wherever the store keeps
# it: a bill payment, a group-buying order (its cash, not its points), a
# service booking and a deposit taken are each matched with their source;
# before, all but the bill payment were reported missing in the store.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/shop/shop.sh"
PM_NOW=2026-11-01T09:00:00+08:00
export PM_NOW

shop_community </dev/null
expect_rc 0 "a community"
pm-shop merchant M1 --name 鲜果坊 --commission 250 -q >/dev/null
pm-shop merchant HK --name 好帮手家政 --commission 750 -q >/dev/null
run pm-shop offer AP --merchant M1 --title 烟台苹果 --price 39.90 --deadline 2026-12-20 --min-group 1 --stock 10 \
	--pickup-point 东门 --pickup-at 周六
expect_rc 0 "an offer"
run pm-shop service add CLEAN --merchant HK --title 深度保洁 --price 199.99
expect_rc 0 "a service"
run pm-shop service slot CLEAN --at 2026-12-05T09:00:00+08:00 --capacity 2
expect_rc 0 "a slot"

PM_NOW=2026-12-01T10:00:00+08:00
run pm-bill pay --unit 1-1-101 --amount 15 --channel wechat --ref WX-BILL --at 2026-12-01T10:00:00+08:00
expect_rc 0 "a bill payment"
PM_NOW=2026-12-01T10:05:00+08:00
run pm-shop order --offer AP --unit 1-1-102 --qty 2 --channel wechat --ref WX-ORDER
expect_rc 0 "an order of two boxes, 79.80"
PM_NOW=2026-12-01T10:10:00+08:00
run pm-shop book --service CLEAN --slot 2026-12-05T09:00:00+08:00 --unit 2-1-201 --channel wechat --ref WX-BOOK
expect_rc 0 "a booking, 199.99"
PM_NOW=2026-12-01T10:15:00+08:00
run pm-bill deposit take --unit 1-1-101 --kind key --amount 20 --reason 钥匙 --evidence k1 --channel wechat --ref WX-DEP
expect_rc 0 "a key deposit, 20.00"
PM_NOW=2026-12-02T09:00:00+08:00

cat >st.jsonl <<'J'
{"ref":"WX-BILL","amount":"15.00","time":"2026-12-01T10:00:01+08:00"}
{"ref":"WX-ORDER","amount":"79.80","time":"2026-12-01T10:05:01+08:00"}
{"ref":"WX-BOOK","amount":"199.99","time":"2026-12-01T10:10:01+08:00"}
{"ref":"WX-DEP","amount":"20.00","time":"2026-12-01T10:15:01+08:00"}
J
run pm-bill reconcile st.jsonl --channel wechat --format jsonl
expect_rc 0 "the statement agrees with the store"
expect_err "4 matched, 0 missing in the store, 0 missing in the statement, 0 amounts differ" "all four matched"
expect_eq "$(jq -r '[.ref, .status, .source, .store_fen, (.payment // "-"), .unit] | join(" ")' "$T/out")" \
"WX-BILL matched payment 1500 $(sql "SELECT id FROM payment WHERE ref = 'WX-BILL'") 1-1-101
WX-ORDER matched shop_order 7980 - 1-1-102
WX-BOOK matched shop_booking 19999 - 2-1-201
WX-DEP matched deposit 2000 - 1-1-101" "each with its source, its cash to the fen and its unit"
expect_eq "$(jq -r 'select(.source == "shop_order") | .id' "$T/out")" "$(sql "SELECT id FROM shop_order WHERE ref = 'WX-ORDER'")" \
	"the order's own id"

# A statement without the order and the deposit: both are the store's only.
grep -v 'WX-ORDER\|WX-DEP' st.jsonl >short.jsonl
run pm-bill reconcile short.jsonl --channel wechat --format jsonl
expect_rc 65 "a statement that lacks two exits 65"
expect_err "2 matched, 0 missing in the store, 2 missing in the statement, 0 amounts differ" "and counts them"
expect_eq "$(jq -r 'select(.status == "missing_in_statement") | [.ref, .source, .store_fen] | join(" ")' "$T/out")" \
"WX-ORDER shop_order 7980
WX-DEP deposit 2000" "in the order they came, with their sources"

# A statement's amount for the order that is not its cash.
sed 's/"79.80"/"79.00"/' st.jsonl >odd.jsonl
run pm-bill reconcile odd.jsonl --channel wechat --format jsonl
expect_rc 65 "an amount that differs"
expect_out '"status":"amount_mismatch","channel":"wechat","ref":"WX-ORDER","statement_fen":7900,"store_fen":7980,' \
	"is told with both amounts"
done_testing
