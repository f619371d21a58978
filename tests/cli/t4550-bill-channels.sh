#!/bin/sh
# Payment channels are named in the config (payments.channels; cash, bank,
# wechat, alipay and pos when it names none), an unknown one is refused
# with the name meant; a ref is compared after trimming surrounding white
# space, so "WX1 " and "WX1" are the same callback.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"100","delivered":"2020-06-30"}\n' pm unit import

run pm-bill pay --unit 1-1-101 --amount 10 --channel wechta --ref WX0
expect_rc 65 "an unknown channel"
expect_err '^pm-bill: unknown channel "wechta" \(did you mean "wechat"\?\): payments.channels has cash, bank, wechat, alipay, pos$' \
	"is refused with the channel meant and the ones there are"
run pm-bill pay --unit 1-1-101 --amount 10 --channel pos --ref P1 --format jsonl
expect_rc 0 "with no payments section, the usual channels"

run pm-bill pay --unit 1-1-101 --amount 10 --channel wechat --ref 'WX1 ' --format jsonl
expect_out '"ref":"WX1","unit":"1-1-101","amount_fen":1000,.*"outcome":"recorded"' "a ref is stored trimmed"
printf '{"unit":"1-1-101","amount":"10","channel":"wechat","ref":"WX1"}\n{"unit":"1-1-101","amount":"10","channel":"wechat","ref":"\\t WX1\\r\\n"}\n' >again.jsonl
run pm-bill pay --format jsonl again.jsonl
expect_rc 0 "the same callback twice more, white space around it"
expect_eq "$(grep -c '"outcome":"duplicate"' "$T/out")" "2" "is a duplicate each time"
expect_eq "$(sql "SELECT count(*) FROM payment WHERE channel = 'wechat'")" "1" "and recorded once"
run pm-bill pay --unit 1-1-101 --amount 11 --channel wechat --ref ' WX1'
expect_rc 65 "the same ref with another amount"
expect_err "payment 'wechat:WX1' is already recorded for unit '1-1-101' with amount 10.00: this one is for unit '1-1-101' with amount 11.00" \
	"is a conflict"
run pm-bill pay --unit 1-1-101 --amount 10 --channel wechat --ref 'WX1x'
expect_rc 0 "other text is another ref, compared exactly"

# A statement's refs are trimmed the same way.
printf 'ref,amount,time\n" WX1 ",10.00,2026-12-01T09:00:00+08:00\nWX1x,10.00,2026-12-01T09:00:00+08:00\n' >wechat.csv
run pm-bill reconcile --channel wechat --format jsonl wechat.csv
expect_rc 0 "reconcile"
expect_eq "$(grep -c '"status":"matched"' "$T/out")" "2" "matches both"
run pm-bill reconcile --channel alipy wechat.csv
expect_rc 65 "reconcile names an unknown channel"
expect_err 'unknown channel "alipy" \(did you mean "alipay"\?\)' "with the one meant"

# The config names its own channels.
printf 'effective: 2026-01-01\ncommunity:\n  name: 测试小区\npayments:\n  channels: [wechat, icbc]\n' >pm.yaml
run pm config apply pm.yaml
run pm-bill pay --unit 1-1-101 --amount 10 --channel icbc --ref I1 --format jsonl
expect_rc 0 "a channel the config names"
run pm-bill pay --unit 1-1-101 --amount 10 --channel cash --ref C1
expect_rc 65 "one it does not"
expect_err '^pm-bill: unknown channel "cash": payments.channels has wechat, icbc$' "no channel is near: none is suggested"
done_testing
