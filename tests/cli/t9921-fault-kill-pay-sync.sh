#!/bin/sh
# pm-pay sync killed after it closed an expired order at the channel and
# before it recorded the close: the next sync finds the order closed
# there and records it as the killed one would have (closed, "expired"),
# not by the channel's word ("wechat CLOSED"), so the store is the one an
# uninterrupted sync leaves.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/pay/setup.sh"
make_world

run pm-pay order --unit 3-2-1101 --channel wechat
run pm-pay order --unit 3-2-1102 --channel alipay
sqlite3 "$PM_DB" ".backup '$T/before.db'"
orders() { sql "SELECT channel, status, closed_reason FROM pay_order ORDER BY id" | tr '\n' ' '; }

# 10:31, past the orders' 30 minutes, nothing paid: the sync closes both.
export PM_NOW=2026-12-01T10:31:00+08:00
run pm-pay sync
expect_rc 0 "the uninterrupted sync"
expect_eq "$(orders)" "wechat|closed|expired alipay|closed|expired " "closes both as expired"
want=$(sql "SELECT * FROM pay_order ORDER BY id")

# The store as it was before that sync, the channels' orders closed by it:
# what a sync killed after each channel's close and before the store's
# leaves.
rm -f "$PM_DB-wal" "$PM_DB-shm"
cp before.db "$PM_DB"
run pm-pay sync
expect_rc 0 "the next sync"
expect_eq "$(orders)" "wechat|closed|expired alipay|closed|expired " "records both as the killed one would have"
expect_eq "$(sql "SELECT * FROM pay_order ORDER BY id")" "$want" "every column as the uninterrupted sync left it"
run pm check
expect_rc 0 "pm check passes"

done_testing
