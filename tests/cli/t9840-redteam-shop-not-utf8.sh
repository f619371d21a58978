#!/bin/sh
# Red team: pm-shop merchant with a name that is no UTF-8 (caf\xe9, as a
# Latin-1 terminal types it) said "out of memory" and exited 1: jansson
# refused the name when the merchant's record was made. An offer's title,
# unit name, pickup point or pickup time and a service's title of the same
# bytes were stored, then refused on reading them back as a store "edited
# by hand".
# Each is refused now as bad input, naming its field, before it is stored.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/shop/shop.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW
shop_community </dev/null
bad=$(printf 'caf\351')

run pm-shop merchant M1 --name "$bad" --commission 250
expect_rc 65 "a merchant's name that is no UTF-8 is bad input"
expect_eq "$(cat "$T/err")" "pm-shop: field 'name': not UTF-8 text" "one line naming the field"
expect_eq "$(sql 'SELECT count(*) FROM merchant')" 0 "no merchant is stored"

run pm-shop merchant M1 --name 鲜果坊 --commission 250
expect_rc 0 "the same merchant named in UTF-8 is added"
offer() { # OPTION VALUE: an offer AP with that option's value replaced
	set -- --title 烟台苹果 --unit-name 箱 --pickup-point 东门 --pickup-at 周六上午 "$@"
	run pm-shop offer AP --merchant M1 "$@" --price 39.90 --deadline 2026-12-20 --stock 5
}
for f in title unit-name pickup-point pickup-at; do
	offer "--$f" "$bad"
	expect_rc 65 "an offer's --$f that is no UTF-8 is bad input"
	expect_err "^pm-shop: field '$(echo $f | tr - _)': not UTF-8 text\$" "naming the field"
done
expect_eq "$(sql 'SELECT count(*) FROM shop_offer')" 0 "no offer is stored"
run pm-shop service add S1 --merchant M1 --title "$bad" --price 10
expect_rc 65 "a service's title that is no UTF-8 is bad input"
expect_err "^pm-shop: field 'title': not UTF-8 text\$" "naming the field"
expect_eq "$(sql 'SELECT count(*) FROM shop_service')" 0 "no service is stored"
done_testing
