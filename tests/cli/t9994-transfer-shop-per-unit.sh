#!/bin/sh
# 每户限购 after a sale (pm unit transfer): the household is the present
# owners', so the seller's orders of an offer do not count against the
# buyer's limit; the buyer's own orders do, from the day of the sale. A
# transfer dated ahead leaves the seller's orders counted until its day.
# Before the sale the limit holds as ever (t3865). Amounts to the fen,
# rows in the store, exit codes.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/shop/shop.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

shop_community </dev/null
expect_rc 0 "the community"
feed '{"code":"P1","name":"张伟","unit":"1-1-101"}\n{"code":"P3","name":"王芳"}\n' pm person import
pm-shop merchant M1 --name 鲜果坊 --commission 100 -q >/dev/null
run pm-shop offer AP --merchant M1 --title 烟台苹果 --price 39.90 --unit-name 箱 --deadline 2026-12-20 \
	--stock 10 --per-unit 2 --pickup-point 东门 --pickup-at 12月22日
expect_rc 0 "ten boxes, two a unit"
order() { # QTY REF
	run pm-shop order --offer AP --unit 1-1-101 --qty "$1" --channel wechat --ref "$2" --format jsonl
}
orders() { sql "SELECT count(*) || ' ' || coalesce(sum(qty), 0) || ' ' || coalesce(sum(amount_fen), 0) FROM shop_order"; }

order 2 WX-SELLER
expect_rc 0 "the seller takes two boxes"
order 1 WX-SELLER-2
expect_rc 65 "a third for the seller"
expect_err "unit '1-1-101' may order at most 2 of offer 'AP': 2 ordered and 0 held" "is refused before the sale"

run pm unit transfer 1-1-101 --to P3 --at 2026-12-05
expect_rc 0 "sold from 5 December"
order 1 WX-EARLY
expect_rc 65 "until the sale's day the seller's household is the unit's"
expect_err "2 ordered and 0 held" "its two boxes count"

PM_NOW=2026-12-05T09:00:00+08:00
order 2 WX-BUYER
expect_rc 0 "the buyer's household takes its own two"
expect_out '"qty":2,"amount_fen":7980,"points":0,"paid_fen":7980' "79.80"
expect_eq "$(orders)" "2 4 15960" "two orders of two boxes each, 159.60"
order 1 WX-BUYER-2
expect_rc 65 "a third box for the buyer"
expect_err "pm-shop: unit '1-1-101' may order at most 2 of offer 'AP': 2 ordered and 0 held by its orders waiting for their payment leave 0, not 1" \
	"is refused, counting the buyer's two only"
expect_eq "$(orders)" "2 4 15960" "nothing written"
run pm-shop offers AP --format jsonl
expect_out '"stock":10,"per_unit":2,"ordered":4' "the offer counts every order against its stock"
done_testing
