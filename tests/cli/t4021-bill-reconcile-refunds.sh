#!/bin/sh
# pm-bill reconcile: a statement's refunds (a negative amount under the
# payment's ref) are set against the refunds recorded (pm-bill refund, a
# transfer's refund of the prepaid balance) by ref, amount and channel,
# as its payments are: a refund pm recorded was reported as missing (a
# statement could not list one at all) and the recorded ones never as
# missing from the statement (found by the red team).
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-05T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"89.50","status":"occupied"}
{"code":"1-1-102","area":"120","status":"occupied"}\n' pm unit import
feed '{"code":"P1","name":"王芳","unit":"1-1-102","role":"owner"}
{"code":"P2","name":"赵强"}\n' pm person import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
billing:
  transfer: {prepaid: refund, deposits: carry, channel: wechat}
Y
run pm config apply pm.yaml
feed '{"unit":"1-1-101","amount":"100","channel":"wechat","ref":"W-1","at":"2026-12-01T10:00:00+08:00"}
{"unit":"1-1-102","amount":"50.50","channel":"wechat","ref":"W-2","at":"2026-12-01T11:00:00+08:00"}
{"unit":"1-1-101","amount":"40","channel":"alipay","ref":"A-1","at":"2026-12-01T12:00:00+08:00"}\n' pm-bill pay - --format jsonl
expect_rc 0 "payments recorded"
PM_NOW=2026-12-02T10:00:00+08:00 run pm-bill refund 1 --amount 30 --reason 多缴
PM_NOW=2026-12-02T11:00:00+08:00 run pm-bill refund 1 --amount 10 --reason 多缴
PM_NOW=2026-12-02T12:00:00+08:00 run pm-bill refund 3 --amount 40 --reason 多缴
PM_NOW=2026-12-02T13:00:00+08:00 run pm unit transfer 1-1-102 --to P2 --at 2026-12-02
expect_out '"refunds":\[\{"payment":2,"amount_fen":5050\}\]' "the transfer refunds W-2's 50.50 through wechat"

# WeChat's statement of 1 and 2 December: the payments and the refunds.
cat >st.csv <<'C'
ref,amount,time
W-1,100.00,2026-12-01T10:00:01+08:00
W-2,50.50,2026-12-01T11:00:00+08:00
W-1,-10.00,2026-12-02T11:00:02+08:00
W-1,-30.00,2026-12-02T10:00:02+08:00
W-2,-50.50,2026-12-02T13:00:00+08:00
C
run pm-bill reconcile st.csv --channel wechat --format jsonl
expect_rc 0 "a statement whose refunds are all recorded exits 0"
expect_out '^\{"type":"reconcile","status":"matched","channel":"wechat","ref":"W-1","statement_fen":-1000,"store_fen":-1000,"statement_at":"2026-12-02T11:00:02\+08:00","store_at":"2026-12-02T11:00:00\+08:00","payment":1,"unit":"1-1-101","source":"refund","id":[0-9]+\}$' \
	"W-1's refund of 10.00 matched the one of 10.00, not the first recorded"
expect_out '"status":"matched","channel":"wechat","ref":"W-1","statement_fen":-3000,"store_fen":-3000,.*"payment":1,"unit":"1-1-101","source":"refund"' \
	"and its refund of 30.00 the other"
expect_out '"status":"matched","channel":"wechat","ref":"W-2","statement_fen":-5050,"store_fen":-5050,.*"payment":2,"unit":"1-1-102","source":"refund"' \
	"the transfer's refund matched"
expect_eq "$(wc -l <"$T/out" | tr -d ' ')" "5" "five records: A-1 and its refund are alipay's"
expect_err "5 matched, 0 missing in the store, 0 missing in the statement, 0 amounts differ" "the summary"

# Each kind of difference, with the payments' rules.
cat >bad.jsonl <<'J'
{"ref":"W-1","amount":"100.00","time":"2026-12-01T10:00:01+08:00"}
{"ref":"W-2","amount":"50.50","time":"2026-12-01T11:00:00+08:00"}
{"ref":"W-1","amount":"-30.00","time":"2026-12-02T10:00:02+08:00"}
{"ref":"W-2","amount":"-50.00","time":"2026-12-02T13:00:00+08:00"}
{"ref":"W-9","amount":"-5.00","time":"2026-12-02T14:00:00+08:00"}
{"ref":"W-1","amount":"0","time":"2026-12-02T14:00:00+08:00"}
J
run pm-bill reconcile bad.jsonl --channel wechat --format jsonl
expect_rc 65 "differences exit 65"
expect_out '"status":"amount_mismatch","channel":"wechat","ref":"W-2","statement_fen":-5000,"store_fen":-5050,' "W-2's refund differs by 0.50"
expect_out '"status":"missing_in_store","channel":"wechat","ref":"W-9","statement_fen":-500,"store_fen":null,.*"payment":null,"unit":null,"source":null,"id":null' \
	"a refund of a payment never recorded"
expect_out '"status":"missing_in_statement","channel":"wechat","ref":"W-1","statement_fen":null,"store_fen":-1000,"statement_at":null,"store_at":"2026-12-02T11:00:00\+08:00","payment":1,"unit":"1-1-101","source":"refund"' \
	"W-1's refund of 10.00, recorded on the statement's days, is not in it"
expect_eq "$(grep -c '"ref":"A-1"' "$T/out")" "0" "alipay's refund is not wechat's"
expect_err 'bad.jsonl:6: field "amount": 0' "an amount of 0 is a bad line"
expect_err "3 matched, 1 missing in the store, 1 missing in the statement, 1 amounts differ" "the counts"

# A statement of one day lists no refund of another.
printf '{"ref":"W-1","amount":"100","time":"2026-12-01T10:00:00+08:00"}\n{"ref":"W-2","amount":"50.5","time":"2026-12-01T11:00:00+08:00"}\n' >day1.jsonl
run pm-bill reconcile day1.jsonl --channel wechat --format jsonl
expect_rc 0 "1 December's statement matches: the refunds are of the 2nd"
printf '{"ref":"A-1","amount":"-40","time":"2026-12-02T12:00:00+08:00"}\n' >ali.jsonl
run pm-bill reconcile ali.jsonl --channel alipay --format jsonl
expect_rc 0 "alipay's statement of the 2nd, its refund alone, matches"
expect_out '"status":"matched","channel":"alipay","ref":"A-1","statement_fen":-4000,"store_fen":-4000' "A-1's refund matched"
expect_err "1 matched, 0 missing in the store, 0 missing in the statement, 0 amounts differ" "A-1 paid on the 1st is not of its days"
done_testing
