#!/bin/sh
# A payment's time is from 2000 to now plus meters.future_tolerance, as a
# reading's and a gate event's are: a payment dated 2099 (pm-bill pay
# --at, a record's "at", a provider's success_time) was recorded, sorted
# after every other and fell outside every statement's days (found by the
# red team). A record is a bad line (exit 65, FILE:LINE, --reject), the
# option a usage error (exit 2), a notification refused (exit 65).
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/pay/setup.sh"
make_world
payments() { sql "SELECT ref || ' ' || amount_fen || ' ' || at FROM payment ORDER BY id"; }

run pm-bill pay --unit 3-2-1101 --amount 10 --channel bank --ref F1 --at 2099-01-01T00:00:00+08:00
expect_rc 2 "--at in 2099 is a usage error"
expect_err '^pm-bill pay: --at: 2099-01-01T00:00:00\+08:00 is in the future: later than 2026-12-02T10:00:00\+08:00, now plus meters.future_tolerance$' \
	"naming the option, the time and the latest taken"
expect_err "^Try 'pm-bill pay --help'.$" "with the usage hint"
run pm-bill pay --unit 3-2-1101 --amount 10 --channel bank --ref F1 --at 1999-12-31T23:59:59+08:00
expect_rc 2 "--at before 2000 too"
expect_err '^pm-bill pay: --at: 1999-12-31T23:59:59\+08:00 is before 2000: the clock that wrote it is wrong$' "saying so"
expect_eq "$(payments)" "" "neither recorded"
run pm-bill pay --unit 3-2-1101 --amount 10 --channel bank --ref F1 --at 2026-12-02T10:00:00+08:00
expect_rc 0 "exactly a day ahead (the default tolerance) is taken"
expect_eq "$(payments)" "F1 1000 1796176800" "at that time"

cat >p.jsonl <<'J'
{"unit":"3-2-1102","amount":"20","channel":"bank","ref":"F2","at":"2026-11-30T09:00:00+08:00"}
{"unit":"3-2-1102","amount":"30","channel":"bank","ref":"F3","at":"2099-01-01T00:00:00+08:00"}
{"unit":"3-2-1102","amount":"40","channel":"bank","ref":"F4","at":"2026-12-02T10:00:01+08:00"}
{"unit":"3-2-1102","amount":"50","channel":"bank","ref":"F5","at":"1970-01-01T08:00:00+08:00"}
J
run pm-bill pay p.jsonl --reject rej.jsonl
expect_rc 65 "a file with payments in the future exits 65"
expect_err '^pm-bill: p.jsonl:2: field "at": 2099-01-01T00:00:00\+08:00 is in the future: later than 2026-12-02T10:00:00\+08:00, now plus meters.future_tolerance$' \
	"line 2 named, with the field"
expect_err '^pm-bill: p.jsonl:3: field "at": 2026-12-02T10:00:01\+08:00 is in the future: ' "a second past the tolerance too"
expect_err '^pm-bill: p.jsonl:4: field "at": 1970-01-01T08:00:00\+08:00 is before 2000: ' "and 1970"
expect_eq "$(payments)" "F1 1000 1796176800
F2 2000 1796000400" "the good line is recorded, the three bad ones not"
expect_eq "$(cut -c1-60 rej.jsonl | grep -o 'F[0-9]' | tr '\n' ' ')" "F3 F4 F5 " "the bad lines are in the reject file"

# A provider's success_time in 2099, signed as a true one.
run pm-pay order --unit 5-1-0301 --channel wechat
A=$(order_no)
PM_NOW=2099-01-01T10:00:00+08:00 $PY3 "$FAKE" wechat-note "$K" "$A" >future.http
run_in future.http pm-pay notify --channel wechat
expect_rc 65 "a notification paid in 2099 is refused"
expect_out '"outcome":"refused"' "as refused"
expect_err "^pm-pay: the time the channel says it was paid: 2099-01-01T10:00:00\\+08:00 is in the future: later than 2026-12-02T10:00:00\\+08:00, now plus meters.future_tolerance$" \
	"saying whose time it is"
expect_eq "$(sql "SELECT status FROM pay_order WHERE out_trade_no = '$A'")" pending "the order stays pending"
expect_eq "$(sql "SELECT count(*) FROM payment WHERE channel = 'wechat'")" 0 "no payment recorded"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'pay.refused'")" 1 "audited as refused"

cat >tol.yaml <<'Y'
meters:
  future_tolerance: 0s
Y
cat pm.yaml tol.yaml >pm0.yaml
run pm config apply pm0.yaml
run pm-bill pay --unit 3-2-1101 --amount 10 --channel bank --ref F6 --at 2026-12-01T10:00:01+08:00
expect_rc 2 "with meters.future_tolerance 0s, a second ahead is refused"
run pm-bill pay --unit 3-2-1101 --amount 10 --channel bank --ref F6 --at 2026-12-01T10:00:00+08:00
expect_rc 0 "and now is taken"
run pm check
expect_rc 0 "the store is sound"
done_testing
