#!/bin/sh
# A refusal by the library for bad usage (exit 2) says why. pm-shop's
# service and booking commands passed the library's own usage errors on
# without a word: `service add --price 0` and `book --ref ''` exited 2
# with nothing on stderr.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/shop/shop.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

shop_community </dev/null
pm-shop merchant HK --name 好帮手家政 --commission 750 -q >/dev/null
pm-shop merchant M1 --name 鲜果坊 --commission 250 -q >/dev/null

run pm-shop service add CLEAN --merchant HK --title 深度保洁 --price 0
expect_rc 2 "a service for nothing"
expect_eq "$(cat "$T/err")" "pm-shop service add: a service needs a code, a title and a price above 0
Try 'pm-shop service add --help'." "says what a service needs"
run pm-shop service add CLEAN --merchant HK --title 深度保洁 --price -5
expect_rc 2 "a service at a negative price"
expect_err "^pm-shop service add: a service needs a code, a title and a price above 0$" "says so too"

pm-shop service add CLEAN --merchant HK --title 深度保洁 --price 199 -q >/dev/null
pm-shop service slot CLEAN --at 2026-12-18T09:00:00+08:00 --capacity 2 -q >/dev/null
run pm-shop book --service CLEAN --slot 2026-12-18T09:00:00+08:00 --unit 1-1-101 --channel wechat --ref ''
expect_rc 2 "a booking without a payment reference"
expect_err "^pm-shop book: " "says why"
expect_eq "$(sql 'SELECT count(*) FROM shop_booking')" 0 "and books nothing"

pm-shop offer AP --merchant M1 --title 苹果 --price 10 --unit-name 箱 --deadline 2026-12-20 --min-group 1 \
	--stock 10 --pickup-point 东门 --pickup-at 12月22日 -q >/dev/null
run pm-shop order --offer AP --unit 1-1-101 --qty 1 --channel wechat --ref ''
expect_rc 2 "an order without a payment reference"
expect_err "^pm-shop order: " "says why"

# A usage error the command line caught itself is said once, not twice.
run pm-shop service add X --merchant HK --title t
expect_rc 2 "no --price"
expect_eq "$(wc -l <"$T/err")" 2 "one message and the hint"

done_testing
