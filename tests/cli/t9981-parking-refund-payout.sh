#!/bin/sh
# A stay closed again below what was paid for it keeps the rest as a
# refund due (refund_fen, t9953), but nothing recorded it paid back: the
# money stayed counted as received. pm-gate parking refund records a
# payout once per reference, never more than is due (exit 65), audited;
# the stay keeps what it was paid less what went back; pm-report gate's
# parking fees received (and the dashboard's) take it off on the day it
# was paid back.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
make_gate_community
export PM_NOW=2026-12-02T09:00:00+08:00

# In 08:00, out 12:00 (¥20.00), paid at 12:05, the exit at 10:00 read
# late: ¥10.00 for the stay, ¥10.00 due back.
{ plate_ev 苏E61001 08:00 entry garage; plate_ev 苏E61001 12:00 exit garage; } >in.jsonl
run pm-gate events ingest in.jsonl
run pm-gate parking pay --plate 苏E61001 --amount 20.00 --ref WX-1 --at 2026-12-01T12:05:00+08:00
plate_ev 苏E61001 10:00 exit north >late.jsonl
run pm-gate events ingest late.jsonl
expect_eq "$(sql "SELECT id || ':' || fee_fen || '|' || paid_fen || '|' || refund_fen FROM parking_session")" "1:1000|2000|1000" \
	"stay 1: ¥10.00 of the ¥20.00 paid is due back"

run pm-gate --as qian.guard parking refund --plate 苏E61001 --amount 10.01 --ref RF-1
expect_rc 65 "a fen more than is due"
expect_err "^pm-gate: ¥10.01 is more than the ¥10.00 refund due on stay 1 of plate 苏E61001$" "is refused, saying what is due"
run pm-gate --as qian.guard parking refund --plate 苏E61001 --amount 4.00 --ref RF-1 --at 2026-12-02T08:30:00+08:00 --format jsonl
expect_rc 0 "the guard pays ¥4.00 back"
expect_eq "$(cat "$T/out")" '{"type":"parking_refund","plate":"苏E61001","session":1,"ref":"RF-1","amount_fen":400,"at":"2026-12-02T08:30:00+08:00","fee_fen":1000,"paid_fen":1600,"refund_fen":600}' \
	"the stay keeps ¥16.00 of what was paid, ¥6.00 still due back"
run pm-gate --as qian.guard parking refund --plate 苏E61001 --amount 4.00 --ref RF-1 --at 2026-12-02T08:30:00+08:00 --format jsonl
expect_rc 0 "the same payout again"
expect_err "refund 'RF-1' is recorded already: nothing changed" "says so"
expect_out '"amount_fen":400,"at":"2026-12-02T08:30:00\+08:00","fee_fen":1000,"paid_fen":1600,"refund_fen":600}$' "and changes nothing"
run pm-gate parking refund --session 1 --amount 5 --ref RF-1
expect_rc 65 "the same ref for another amount"
expect_err "refund 'RF-1' was recorded for another stay or amount" "is refused"
expect_eq "$(sql "SELECT count(*) || ' ' || sum(amount_fen) FROM parking_refund")" "1 400" "one payout stored"

run pm-gate parking refund --session 1 --ref RF-2 --format jsonl
expect_rc 0 "the rest, by the stay's id"
expect_out '"amount_fen":600,.*"fee_fen":1000,"paid_fen":1000,"refund_fen":0}$' "nothing more due"
run pm-gate parking refund --plate 苏E61001 --ref RF-3
expect_rc 65 "nothing left to pay back"
expect_err "^pm-gate: plate 苏E61001 has no refund due$" "says so"
run pm-gate parking refund --session 1 --amount 0.01 --ref RF-3
expect_rc 65 "nor on the stay named"
expect_err "^pm-gate: stay 1 of plate 苏E61001 has no refund due$" "says so"
run pm-gate parking refund --session 99 --ref RF-3
expect_rc 65 "no such stay"
run pm-gate parking refund --plate 苏E61001 --session 1 --ref RF-3
expect_rc 2 "a plate or a stay, not both"
run pm-gate parking refund --plate 苏E61001
expect_rc 2 "a payout needs its ref"
run pm-gate parking refund --plate 苏E61001 --amount 0 --ref RF-3
expect_rc 2 "nor nothing"
run pm-gate --as owner.p001 parking refund --plate 苏E61001 --ref RF-3
expect_rc 77 "an owner records no payouts"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'parking.refund'")" 2 "each payout audited once"

run pm-gate parking list --format jsonl
expect_out '"plate":"苏E61001",.*"fee_fen":1000,"paid_fen":1000,"owed_fen":0,"refund_fen":0}' \
	"pm-gate parking list: paid what it cost, nothing owed either way"
run pm-gate parking fee --plate 苏E61001
expect_rc 65 "the plate owes nothing"

# ¥20.00 came on 1 December, ¥10.00 went back on the 2nd.
run pm-report gate --period 2026-12 --section parking --format csv
expect_eq "$(tr -d '\r' <"$T/out" | sed -n '1,3p;$p' | cut -d, -f1,6,7)" 'day,charged_fen,paid_fen
2026-12-01,1000,2000
2026-12-02,0,-1000
total,1000,1000' "fees received: the ¥10.00 paid back is no money received"
run pm-report dashboard --period 2026-12 --section summary --format jsonl
expect_out '"parking_paid_fen":1000\}$' "the dashboard's parking fees received too"
done_testing
