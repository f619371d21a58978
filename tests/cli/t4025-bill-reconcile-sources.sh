#!/bin/sh
# pm-bill reconcile finds the money of a channel wherever the store keeps
# it: a bill payment, a group-buying order (its cash, not its points), a
# service booking, a deposit taken and an income contract's payment are
# each matched with their source; before, all but the bill payment were
# reported missing in the store. An expense contract's payment is money
# out, on the statement as a negative amount under its own ref, and
# missing from the statement when it is not (before, it was not asked
# for: a payout no statement showed reconciled clean). And one transaction of a channel
# is recorded once, whichever way it came: a bill payment, a deposit or a
# contract payment naming another's ref is refused, changing nothing.
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
PM_NOW=2026-12-01T09:00:00+08:00
run pm-bill contract add --party 分众传媒 --kind income --object 电梯广告 --from 2026-12-01 --to 2027-11-30 \
	--amount 1000 --every quarter
expect_rc 0 "an income contract"
run pm-bill contract add --party 洁净保洁 --kind expense --object 公共区域保洁 --from 2026-12-01 --to 2027-11-30 \
	--amount 200 --every month
expect_rc 0 "an expense contract"
run pm-bill contract run
expect_rc 0 "their first periods charged"
PM_NOW=2026-12-01T10:20:00+08:00
run pm-bill contract pay 1 --amount 1000 --channel wechat --ref WX-ADS
expect_rc 0 "the income contract paid by wechat, 1000.00"
PM_NOW=2026-12-01T10:25:00+08:00
run pm-bill contract pay 2 --amount 200 --channel wechat --ref WX-CLEAN
expect_rc 0 "the cleaners paid by wechat, 200.00"
PM_NOW=2026-12-02T09:00:00+08:00

cat >st.jsonl <<'J'
{"ref":"WX-BILL","amount":"15.00","time":"2026-12-01T10:00:01+08:00"}
{"ref":"WX-ORDER","amount":"79.80","time":"2026-12-01T10:05:01+08:00"}
{"ref":"WX-BOOK","amount":"199.99","time":"2026-12-01T10:10:01+08:00"}
{"ref":"WX-DEP","amount":"20.00","time":"2026-12-01T10:15:01+08:00"}
{"ref":"WX-ADS","amount":"1000.00","time":"2026-12-01T10:20:01+08:00"}
{"ref":"WX-CLEAN","amount":"-200.00","time":"2026-12-01T10:25:01+08:00"}
J
run pm-bill reconcile st.jsonl --channel wechat --format jsonl
expect_rc 0 "the statement agrees with the store"
expect_err "6 matched, 0 missing in the store, 0 missing in the statement, 0 amounts differ" \
	"all six matched, the expense contract's payment as money out"
expect_eq "$(jq -r '[.ref, .status, .source, .store_fen, (.payment // "-"), (.unit // "-")] | join(" ")' "$T/out")" \
"WX-BILL matched payment 1500 $(sql "SELECT id FROM payment WHERE ref = 'WX-BILL'") 1-1-101
WX-ORDER matched shop_order 7980 - 1-1-102
WX-BOOK matched shop_booking 19999 - 2-1-201
WX-DEP matched deposit 2000 - 1-1-101
WX-ADS matched contract_charge 100000 - -
WX-CLEAN matched contract_payout -20000 - -" "each with its source, its cash to the fen and its unit"
expect_eq "$(jq -r 'select(.source == "shop_order") | .id' "$T/out")" "$(sql "SELECT id FROM shop_order WHERE ref = 'WX-ORDER'")" \
	"the order's own id"

# A statement without the order, the deposit and the payout: all three
# are the store's only.
grep -v 'WX-ORDER\|WX-DEP\|WX-CLEAN' st.jsonl >short.jsonl
run pm-bill reconcile short.jsonl --channel wechat --format jsonl
expect_rc 65 "a statement that lacks three exits 65"
expect_err "3 matched, 0 missing in the store, 3 missing in the statement, 0 amounts differ" "and counts them"
expect_eq "$(jq -r 'select(.status == "missing_in_statement") | [.ref, .source, .store_fen] | join(" ")' "$T/out")" \
"WX-ORDER shop_order 7980
WX-DEP deposit 2000
WX-CLEAN contract_payout -20000" "in the order they came, with their sources"

# A statement's amount for the order that is not its cash.
sed 's/"79.80"/"79.00"/' st.jsonl >odd.jsonl
run pm-bill reconcile odd.jsonl --channel wechat --format jsonl
expect_rc 65 "an amount that differs"
expect_out '"status":"amount_mismatch","channel":"wechat","ref":"WX-ORDER","statement_fen":7900,"store_fen":7980,' \
	"is told with both amounts"
# ---- one ref, one record ----
before=$(sql "SELECT (SELECT count(*) FROM payment) || ' ' || (SELECT count(*) FROM deposit) || ' '
	|| (SELECT count(*) FROM contract_charge) || ' ' || (SELECT count(*) FROM journal)")
run pm-bill pay --unit 1-1-102 --amount 20 --channel wechat --ref WX-DEP
expect_rc 65 "a bill payment with a deposit's ref"
expect_err "payment 'wechat:WX-DEP' is already a deposit" "is refused, naming the deposit"
run pm-bill pay --unit 1-1-102 --amount 1000 --channel wechat --ref WX-ADS
expect_rc 65 "a bill payment with a contract payment's ref"
expect_err "payment 'wechat:WX-ADS' is already a contract's payment" "is refused, naming it"
run pm-bill deposit take --unit 1-1-102 --kind key --amount 15 --reason 钥匙 --evidence k2 --channel wechat --ref WX-BILL
expect_rc 65 "a deposit with a bill payment's ref"
expect_err "payment 'wechat:WX-BILL' is already a bill payment" "is refused"
run pm-bill contract pay 1 --amount 79.80 --channel wechat --ref WX-ORDER
expect_rc 65 "a contract payment with an order's ref"
expect_err "payment 'wechat:WX-ORDER' is already a group-buying order" "is refused"
run pm-bill deposit take --unit 1-1-101 --kind key --amount 20 --reason 钥匙 --evidence k1 --channel wechat --ref WX-DEP
expect_rc 0 "the deposit itself again"
expect_out '"outcome":"duplicate"' "is its duplicate, as before"
run pm-bill contract pay 1 --amount 1000 --channel wechat --ref WX-ADS
expect_rc 0 "and the contract payment again"
expect_eq "$(sql "SELECT (SELECT count(*) FROM payment) || ' ' || (SELECT count(*) FROM deposit) || ' '
	|| (SELECT count(*) FROM contract_charge) || ' ' || (SELECT count(*) FROM journal)")" "$before" \
	"nothing was recorded by any of them"
run pm check
expect_rc 0 "pm check passes"
done_testing
