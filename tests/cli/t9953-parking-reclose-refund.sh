#!/bin/sh
# A parking stay paid at its exit and then closed again at an earlier
# exit read late (t9900) costs less than was paid: the difference is a
# refund due (refund_fen, migration 0049), fee and refund summing to
# what was paid, shown by pm-gate parking list and parking fee, and
# nothing owed (owed_fen was negative, the overpayment nowhere). A
# payment at the exit no longer buys the stay its later fee through the
# free minutes that follow a payment: those are after it, not before.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
make_gate_community
export PM_NOW=2026-12-02T09:00:00+08:00
money() { # PLATE: fee|paid|refund of its stays, by entry
	sql "SELECT group_concat(fee_fen || '|' || paid_fen || '|' || refund_fen, ' ') FROM
		(SELECT * FROM parking_session WHERE plate = '$1' ORDER BY entry_ts)"
}

paid() { # PLATE YUAN HH:MM: in 08:00, out 12:00 (¥20.00), YUAN paid at HH:MM, then the exit at 10:00 read late
	{ plate_ev "$1" 08:00 entry garage; plate_ev "$1" 12:00 exit garage; } >"$1.jsonl"
	plate_ev "$1" 10:00 exit north >"$1.late.jsonl"
	run pm-gate events ingest "$1.jsonl" &&
		run pm-gate parking pay --plate "$1" --amount "$2" --ref "WX-$1" --at "2026-12-01T$3:00+08:00" &&
		[ "$rc" = 0 ] && run pm-gate events ingest "$1.late.jsonl"
}

# Paid ¥20.00 five minutes after leaving; the exit at 10:00 read late:
# ¥10.00 for the stay, ¥10.00 to give back.
paid 苏E61001 20.00 12:05
expect_rc 0 "paid in full, then the earlier exit read late"
expect_eq "$(stays 苏E61001 gates)" "08:00:00-10:00:00:1000@north" "closes the stay at 10:00: ¥10.00"
expect_eq "$(money 苏E61001)" "1000|2000|1000" "¥10.00 of the ¥20.00 paid is a refund due"
run pm-gate parking list --format jsonl
expect_out '"plate":"苏E61001",.*"fee_fen":1000,"paid_fen":2000,"owed_fen":0,"refund_fen":1000}' \
	"pm-gate parking list shows it, and owes nothing (not -¥10.00)"

# Paid at the very second it left: the free minutes after a payment are
# after it, not before, so the earlier exit still costs ¥10.00.
paid 苏E62002 20.00 12:00
expect_eq "$(stays 苏E62002)" "08:00:00-10:00:00:1000" "paid at 12:00 and left at 10:00: ¥10.00, not the ¥20.00 paid"
expect_eq "$(money 苏E62002)" "1000|2000|1000" "and ¥10.00 back"

# Paid part: what is owed shrinks first, no refund.
paid 苏E63003 5.00 12:05
expect_eq "$(money 苏E63003)" "1000|500|0" "paid ¥5.00 of ¥20.00: ¥5.00 of ¥10.00 still owed, nothing back"
run pm-gate parking fee --plate 苏E63003 --format jsonl
expect_out '"fee_fen":1000,"paid_fen":500,"due_fen":500,"earlier_fen":0,"refund_fen":0}' "¥5.00 due"

run pm-gate events ingest 苏E6*.jsonl
expect_err "inserted 0, duplicate 9" "the same events again"
expect_eq "$(money 苏E61001) $(money 苏E62002) $(money 苏E63003)" "1000|2000|1000 1000|2000|1000 1000|500|0" \
	"change no money"
expect_eq "$(sql "SELECT count(*) FROM parking_session WHERE refund_fen > 0 AND fee_fen + refund_fen <> paid_fen")" 0 \
	"fee and refund sum to what was paid"

done_testing
