#!/bin/sh
# Red team: "points" is no money channel, whatever payments.channels
# lists. pm-bill pay refused it, but every other money path asked only
# pm_pay_channel, which took any name the list has: with points among
# the channels (as t3845's configuration has them), the desk booked a
# 199.99 cleaning "paid" through points, debiting cash:points 199.99
# that no one paid and spending no points, took a deposit through it,
# and settled a merchant through it. Found by reading the callers of
# pm_pay_channel beside pm_pay's own refusal (issue 20's note: "the
# payments channel list may offer points").
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/shop/shop.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

shop_community <<'Y'
payments: {channels: [cash, wechat, points]}
Y
expect_rc 0 "points among the channels"
pm-shop merchant HK --name 好帮手家政 --commission 750 -q >/dev/null
pm-shop service add CLEAN --merchant HK --title 深度保洁 --price 199.99 -q >/dev/null
pm-shop service slot CLEAN --at 2026-12-05T09:00:00+08:00 --capacity 2 -q >/dev/null
run pm-bill --complete-value --channel '' pay
expect_eq "$(cat "$T/out")" "$(printf 'cash\nwechat')" "completion offers the money channels, not points"
no_money='channel "points" is reward points, no money: pm-bill pay-points pays parking lines with them'
journals() { sql "SELECT count(*) FROM journal"; }
before=$(journals)

run pm-shop book --service CLEAN --slot 2026-12-05T09:00:00+08:00 --unit 1-1-101 --channel points --ref PT-1
expect_rc 65 "a booking paid through points"
expect_err "^pm-shop: $no_money$" "is refused: points are no money"
expect_eq "$(sql "SELECT count(*) FROM shop_booking") $(sql "SELECT count(*) FROM posting WHERE account = 'cash:points'") $(journals)" \
	"0 0 $before" "no booking, nothing posted to cash:points"

run pm-bill deposit take --unit 1-1-101 --kind key --amount 20 --reason 钥匙 --evidence k1 --channel points --ref D1
expect_rc 65 "a deposit taken through points"
expect_err "^pm-bill: $no_money$" "is refused"
expect_eq "$(sql "SELECT count(*) FROM posting WHERE account = 'cash:points'") $(journals)" "0 $before" "nothing posted"

# Through a money channel they are taken as before, and the settlement
# pays out through one, not points.
run pm-shop book --service CLEAN --slot 2026-12-05T09:00:00+08:00 --unit 1-1-101 --channel wechat --ref WX-1 --format jsonl
expect_rc 0 "the booking paid through wechat"
expect_out '"amount_fen":19999,' "199.99"
pm-shop confirm 1 -q >/dev/null
PM_NOW=2026-12-06T09:00:00+08:00
pm-shop done 1 -q >/dev/null
expect_eq "$(sql "SELECT state FROM shop_booking")" "done" "the cleaning is done"
run pm-shop settle CLEAN --channel points
expect_rc 65 "a settlement paid out through points"
expect_err "^pm-shop: $no_money$" "is refused"
expect_eq "$(sql "SELECT count(*) FROM posting WHERE account = 'cash:points'")" "0" "nothing posted to cash:points"
run pm-shop settle CLEAN --channel cash --format jsonl
expect_rc 0 "through cash it is settled"
expect_out '"gross_fen":19999,"commission_fen":1500,"net_fen":18499,"service":"CLEAN","merchant":"HK","commission_bp":750,"channel":"cash","bookings":1' \
	"199.99 less 15.00, through cash"
run pm check -q
expect_rc 0 "pm check"

# The web's pay page lists web.pay, and a channel's callbacks come under
# web.callbacks: neither may be "points" (the pay page offered it as a
# way to pay, and its callback's refused order money posted to
# cash:points).
cp pm.yaml base.yaml
{ cat base.yaml; printf 'web:\n  pay:\n    points: {label: 积分}\n'; } >pm.yaml
run pm config apply pm.yaml
expect_rc 78 "web.pay.points"
expect_err "^pm: pm.yaml:[0-9]+:[0-9]+: web.pay: \"points\" is reward points, no money channel: no payment comes through it$" \
	"is refused, where it is"
LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 run pm config apply pm.yaml
expect_err "web.pay: “points”是奖励积分，不是收款渠道：不会有付款经由它到账" "in Chinese too"
{ cat base.yaml; printf 'web:\n  callbacks:\n    points: {secret: "env:PM_CALLBACK_POINTS"}\n'; } >pm.yaml
run pm config apply pm.yaml
expect_rc 78 "web.callbacks.points"
expect_err "web.callbacks: \"points\" is reward points, no money channel" "is refused"
{ cat base.yaml; printf 'web:\n  pay:\n    wechat: {label: 微信支付}\n  callbacks:\n    wechat: {secret: "env:PM_CALLBACK_WECHAT"}\n'; } >pm.yaml
run pm config apply pm.yaml
expect_rc 0 "wechat is a channel of both"
# A callback of a channel payments.channels does not name was applied,
# and every call to it answered "unknown channel", the provider sending
# again and again (the red team of stop 37).
n=$(sql 'SELECT count(*) FROM config_version')
{ cat base.yaml; printf 'web:\n  callbacks:\n    unionpay: {secret: "env:PM_CALLBACK_UNIONPAY"}\n'; } >pm.yaml
run pm config apply pm.yaml
expect_rc 78 "web.callbacks.unionpay, no such channel"
expect_err '^pm: pm.yaml: web.callbacks.unionpay: payments.channels has no channel "unionpay", so every payment through it would be refused$' \
	"is refused, naming both keys"
expect_eq "$(sql 'SELECT count(*) FROM config_version')" "$n" "nothing applied"
{ sed 's/^payments: .*/payments: {channels: [cash, wechat, points, unionpay]}/' base.yaml
  printf 'web:\n  callbacks:\n    unionpay: {secret: "env:PM_CALLBACK_UNIONPAY"}\n'; } >pm.yaml
run pm config apply pm.yaml
expect_rc 0 "with the channel listed, it is applied"
done_testing
