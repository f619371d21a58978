#!/bin/sh
# pm-bill reconcile: a channel's statement against the payments recorded.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-05T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"89.50","status":"occupied"}
{"code":"1-1-102","area":"120","status":"occupied"}\n' pm unit import
printf 'effective: 2026-01-01\ncommunity:\n  name: 测试小区\n' >pm.yaml
run pm config apply pm.yaml
feed '{"unit":"1-1-101","amount":"100","channel":"wechat","ref":"W-1","at":"2026-12-01T10:00:00+08:00"}
{"unit":"1-1-102","amount":"50.50","channel":"wechat","ref":"W-2","at":"2026-12-01T23:30:00+08:00"}
{"unit":"1-1-101","amount":"20","channel":"wechat","ref":"W-3","at":"2026-12-02T08:00:00+08:00"}
{"unit":"1-1-102","amount":"30","channel":"wechat","ref":"W-4","at":"2026-12-03T08:00:00+08:00"}
{"unit":"1-1-102","amount":"40","channel":"alipay","ref":"W-5","at":"2026-12-01T12:00:00+08:00"}\n' pm-bill pay - --format jsonl
expect_rc 0 "payments recorded"

# All matched: W-1 and W-2 are the only wechat payments of 1 December.
printf '{"ref":"W-1","amount":"100.00","time":"2026-12-01T10:00:05+08:00"}\n{"ref":"W-2","amount":50.5,"time":"2026-12-01T23:30:00+08:00"}\n' >ok.jsonl
run pm-bill reconcile ok.jsonl --channel wechat --format jsonl
expect_rc 0 "a statement that agrees exits 0"
expect_out '^\{"type":"reconcile","status":"matched","channel":"wechat","ref":"W-1","statement_fen":10000,"store_fen":10000,"statement_at":"2026-12-01T10:00:05\+08:00","store_at":"2026-12-01T10:00:00\+08:00","payment":1,"unit":"1-1-101","source":"payment","id":1\}$' "W-1 matched, both times shown, a bill payment"
expect_out '"status":"matched","channel":"wechat","ref":"W-2","statement_fen":5050,"store_fen":5050' "a JSON number amount is read exactly"
expect_eq "$(wc -l <"$T/out" | tr -d ' ')" "2" "nothing else: W-3 is of another day, W-5 of another channel"
expect_err "2 matched, 0 missing in the store, 0 missing in the statement, 0 amounts differ" "the summary"

# A CSV statement for 1 to 2 December with each kind of difference.
cat >st.csv <<'C'
ref,amount,time
W-1,100.00,2026-12-01T10:00:00+08:00
W-2,50.05,2026-12-01T23:30:00+08:00
W-9,12.34,2026-12-02T09:00:00+08:00
W-bad,abc,2026-12-02T09:00:00+08:00
W-1,100.00,2026-12-01T10:00:00+08:00
C
run pm-bill reconcile st.csv --channel wechat --reject bad.csv --format jsonl
expect_rc 65 "differences exit 65"
expect_out '"status":"matched","channel":"wechat","ref":"W-1",' "W-1 matched"
expect_out '"status":"amount_mismatch","channel":"wechat","ref":"W-2","statement_fen":5005,"store_fen":5050,' "W-2's amounts differ"
expect_out '"status":"missing_in_store","channel":"wechat","ref":"W-9","statement_fen":1234,"store_fen":null,"statement_at":"2026-12-02T09:00:00\+08:00","store_at":null,"payment":null,"unit":null' "W-9 was never recorded"
expect_out '"status":"missing_in_statement","channel":"wechat","ref":"W-3","statement_fen":null,"store_fen":2000,.*"payment":3,"unit":"1-1-101"' "W-3 is recorded on those days but not in the statement"
expect_eq "$(grep -c 'W-4\|W-5' "$T/out")" "0" "a payment after the statement's last day is not compared"
expect_err "st.csv:5: field \"amount\"" "a bad amount is rejected with its line"
expect_err "st.csv:6: ref 'W-1' is in the statement twice" "so is a ref seen twice"
expect_eq "$(cat bad.csv)" "ref,amount,time
W-bad,abc,2026-12-02T09:00:00+08:00
W-1,100.00,2026-12-01T10:00:00+08:00" "the bad lines go to the reject file as they were, after the header"
expect_err "1 matched, 1 missing in the store, 1 missing in the statement, 1 amounts differ" "the counts"

run pm-bill reconcile st.csv --channel wechat --strict --format jsonl
expect_rc 65 "--strict with bad lines"
expect_eq "$(wc -c <"$T/out" | tr -d ' ')" "0" "compares nothing"

run pm-bill reconcile st.csv --channel wechat --format csv
expect_out '^status,channel,ref,statement_fen,store_fen,statement_at,store_at,payment,unit,source,id$' "CSV output has a header"
expect_out '^missing_in_store,wechat,W-9,1234,,2026-12-02T09:00:00\+08:00,,,,,$' "and empty cells for what a side lacks"

run pm-bill reconcile missing.csv --channel wechat
expect_rc 66 "a missing statement file"
run pm-bill reconcile st.csv
expect_rc 2 "--channel is required"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'bill.reconcile'")" "3" "each reconciliation that read its statement is audited"
run pm user add fd --role frontdesk
run pm-bill reconcile ok.jsonl --channel wechat --as fd
expect_rc 77 "frontdesk may not reconcile"
done_testing
