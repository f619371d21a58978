#!/bin/sh
# A bad option value is a usage error, exit 2 as for every usage error,
# naming the option, the value and the forms it takes.
. "$PM_TOP/tests/cli/lib.sh"

run pm init
feed '{"code":"1-1-101","area":"80"}\n' pm unit import
feed '{"code":"P1","name":"张伟"}\n' pm person import
feed '{"code":"W1","kind":"water","serves":"1-1-101"}\n' pm-meter import
usage() { # DESC PATTERN: the last run was a usage error saying PATTERN
	expect_rc 2 "$1 is a usage error"
	expect_err "$2" "naming the option and the forms it takes"
	expect_err "^Try '.* --help'\.$" "and pointing to --help"
}

run pm audit --since yesterday
usage "pm audit --since yesterday" \
	'^pm audit: --since: "yesterday" is no time: expected one such as 2026-11-30T23:00:00\+08:00, or a day such as 2026-11-30$'
run pm occupancy set --unit 1-1-101 --person P1 --since 2026-02-30
usage "a move-in on 30 February" '^pm occupancy set: --since: "2026-02-30": no such day in that month$'
expect_eq "$(sql 'SELECT count(*) FROM occupancy')" "0" "and nothing is written"
run pm user add li --role boss
usage "an unknown role" "^pm user add: --role: "
run pm-meter retire W1 --at yesterday --final 1
usage "pm-meter retire --at yesterday" '^pm-meter retire: --at: "yesterday": expected a time such as 2026-11-30T23:00:00\+08:00$'
run pm-meter retire W1 --at 2026-11-30T23:00:00+08:00 --final 1.2345
usage "a final reading of four decimals" '^pm-meter retire: --final: "1.2345": more than 3 decimals$'
run pm-meter decode --protocol dlt645 --ts now
usage "pm-meter decode --ts now" '^pm-meter decode: --ts: "now": expected a time such as '
run pm-meter usage --period 2026-13
usage "a bad --period" '^pm-meter usage: --period: "2026-13": month must be 01 to 12$'
run pm-meter ingest --batch lots
usage "pm-meter ingest --batch lots" "^pm-meter ingest: --batch wants a whole number above 0, not 'lots'$"
run pm-bill pay --unit 1-1-101 --amount 12.345 --channel cash --ref C1
usage "a payment of 12.345 on the command line" '^pm-bill pay: --amount: "12.345": more than two decimals$'
expect_eq "$(sql 'SELECT count(*) FROM payment')" "0" "and nothing is recorded"
run pm-bill run --period november
usage "pm-bill run --period november" '^pm-bill run: --period: "november": expected a period such as 2026-11$'
run pm-bill refund x --amount 1 --reason r
usage "a payment id that is no number" "^pm-bill refund: PAYMENT wants a whole number above 0, not 'x'$"
run pm-repair list --since yesterday
usage "pm-repair list --since yesterday" '^pm-repair list: --since: "yesterday" is no time: '
run pm-repair asset retire EL-1 --date tomorrow
usage "pm-repair asset retire --date tomorrow" '^pm-repair asset retire: --date: "tomorrow": expected a date such as '
run pm-notify announce --title t --body /dev/null --to all --until soon
usage "pm-notify announce --until soon" '^pm-notify announce: --until: "soon": expected a date such as '
run pm-notify flush --limit 0
usage "pm-notify flush --limit 0" "^pm-notify flush: --limit wants a whole number above 0, not '0'$"
done_testing
