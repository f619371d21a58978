#!/bin/sh
# After a sale the buyer, through --as (as on the web's order page), listed
# and read the seller's online payment orders of the unit. An owner now
# sees the orders made in their own time there: the seller's are refused
# as another unit's, and as one that does not exist.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/pay/setup.sh"
make_world
feed '{"code":"P1","name":"张伟","unit":"3-2-1101","since":"2020-01-01"}
{"code":"P3","name":"王芳"}\n' pm person import
run pm user add owner1 --role owner --person P1
run pm user add owner3 --role owner --person P3
run pm-pay order --unit 3-2-1101 --channel wechat --as owner1
expect_rc 0 "the seller's order"
A=$(order_no)
run pm unit transfer 3-2-1101 --to P3 --at 2026-12-02 --settle
expect_rc 0 "3-2-1101 sold from 2 December"
PM_NOW=2026-12-02T09:00:00+08:00
run pm-pay order --unit 3-2-1101 --channel wechat --as owner3
expect_rc 0 "the buyer's order"
B=$(order_no)

run pm-pay list --unit 3-2-1101 --as owner3 --format tsv
expect_rc 0 "the buyer lists the unit's orders"
expect_eq "$(tail -n +2 "$T/out" | cut -f1 | tr '\n' ' ')" "$B " "only their own"
run pm-pay show "$A" --as owner3
expect_rc 77 "the seller's order refused"
expect_err "user 'owner3' may not see payment order '$A'" "as another's"
run pm-pay show PM0000000000000000000000000000 --as owner3
expect_err "user 'owner3' may not see payment order 'PM0000000000000000000000000000'" "and as one that is not there"
run pm-pay show "$B" --as owner3
expect_rc 0 "their own shown"
run pm-pay list --unit 3-2-1101 --format tsv
expect_eq "$(tail -n +2 "$T/out" | wc -l)" 2 "the desk sees both"
done_testing
