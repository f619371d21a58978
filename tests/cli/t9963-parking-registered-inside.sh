#!/bin/sh
# A car that came in at 08:00 as a visitor's and was registered (pm-gate
# vehicle add) at 10:00 parked free for the whole stay when its entry was
# read after that: whether a car was a resident's was asked of rows that
# did not yet exist at its entry. Now a registration counts from when it
# was added (PM_VEHICLE_ON), and a stay is charged for the time the car
# was not a resident's, each part as a visitor's that came in at its
# start: the rule of a car whose registration ends inside (a sale,
# t9980; a removal), extended to one that begins inside.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
export PM_NOW=2026-12-01T07:00:00+08:00
make_gate_community
at() { # HH:MM CMD...: CMD at HH:MM on 2026-12-01, +08:00
	_t=$1; shift
	PM_NOW=2026-12-01T$_t:00+08:00 run "$@"
}
# 15 minutes free, ¥5.00 an hour started, at most ¥30.00 a day.

# In at 08:00, registered at 10:00, out at 12:00, read as it happened:
# two hours as a visitor's, ¥10.00, not four.
plate_ev 苏E30001 08:00 entry garage >a1.jsonl
at 08:00 pm-gate events ingest a1.jsonl
at 10:00 pm-gate vehicle add --plate 苏E30001 --unit 1-1-0101
at 12:00 pm-gate parking fee --plate 苏E30001 --format jsonl
expect_out '"resident":false,"fee_fen":1000,"paid_fen":0,"due_fen":1000,' "pm-gate parking fee: the hours before it was registered"
plate_ev 苏E30001 12:00 exit garage >a2.jsonl
at 12:00 pm-gate events ingest a2.jsonl
expect_eq "$(stays 苏E30001)" "08:00:00-12:00:00:1000" "the stay closed at ¥10.00"

# The same read late, after the registration: it was a visitor's at
# 08:00, not a resident's for the whole stay.
at 10:00 pm-gate vehicle add --plate 苏E30002 --unit 1-1-0102
{ plate_ev 苏E30002 08:00 entry garage; plate_ev 苏E30002 12:00 exit garage; } >b.jsonl
at 12:30 pm-gate events ingest b.jsonl
expect_rc 0 "a backlog read after the registration"
expect_eq "$(sql "SELECT resident || ':' || fee_fen FROM parking_session WHERE plate = '苏E30002'")" "0:1000" \
	"a visitor's entry, its two hours charged"

# Registered within the free minutes: nothing to pay.
plate_ev 苏E30003 08:00 entry garage >c1.jsonl
at 08:00 pm-gate events ingest c1.jsonl
at 08:10 pm-gate vehicle add --plate 苏E30003 --unit 1-1-0101
plate_ev 苏E30003 12:00 exit garage >c2.jsonl
at 12:00 pm-gate events ingest c2.jsonl
expect_eq "$(stays 苏E30003)" "08:00:00-12:00:00:0" "ten minutes as a visitor's cost nothing"

# Paid at 09:30 for what was due then (two hours, ¥10.00), registered at
# 10:00: the stay owes nothing more leaving at 12:00.
plate_ev 苏E30004 08:00 entry garage >d1.jsonl
at 08:00 pm-gate events ingest d1.jsonl
at 09:30 pm-gate parking pay --plate 苏E30004 --amount 10.00 --ref WX-30004 --at 2026-12-01T09:30:00+08:00
expect_rc 0 "paid while a visitor's"
at 10:00 pm-gate vehicle add --plate 苏E30004 --unit 1-1-0102
at 12:00 pm-gate parking fee --plate 苏E30004 --format jsonl
expect_out '"fee_fen":1000,"paid_fen":1000,"due_fen":0,' "owes nothing more"

# Registered at 09:00 and removed at 11:00 while inside: the hour before
# and the hour after, each as a visitor's, ¥5.00 each.
plate_ev 苏E30005 08:00 entry garage >e1.jsonl
at 08:00 pm-gate events ingest e1.jsonl
at 09:00 pm-gate vehicle add --plate 苏E30005 --unit 1-1-0101
at 11:00 pm-gate vehicle remove --plate 苏E30005
plate_ev 苏E30005 12:00 exit garage >e2.jsonl
at 12:00 pm-gate events ingest e2.jsonl
expect_eq "$(stays 苏E30005)" "08:00:00-12:00:00:1000" "¥10.00 for the two hours not a resident's"

# Registered at 13:00 and removed at 14:00 while inside from 07:00 to
# 23:00: six hours before (¥30.00) and nine after (¥45.00, capped at
# ¥30.00) are one day's stay, at most the day's cap a visitor pays,
# ¥30.00, not ¥60.00.
plate_ev 苏E30007 07:00 entry garage >g1.jsonl
at 07:00 pm-gate events ingest g1.jsonl
at 13:00 pm-gate vehicle add --plate 苏E30007 --unit 1-1-0101
at 14:00 pm-gate vehicle remove --plate 苏E30007
at 23:00 pm-gate parking fee --plate 苏E30007 --format jsonl
expect_out '"fee_fen":3000,"paid_fen":0,"due_fen":3000,' "pm-gate parking fee: the day's cap"
plate_ev 苏E30007 23:00 exit garage >g2.jsonl
at 23:00 pm-gate events ingest g2.jsonl
expect_eq "$(stays 苏E30007)" "07:00:00-23:00:00:3000" "the stay closed at the day's cap, ¥30.00"

# The mirror, as before: a resident's car removed at 10:00 while inside
# pays from then, ¥10.00.
at 07:00 pm-gate vehicle add --plate 苏E30006 --unit 1-1-0101
plate_ev 苏E30006 08:00 entry garage >f1.jsonl
at 08:00 pm-gate events ingest f1.jsonl
at 10:00 pm-gate vehicle remove --plate 苏E30006
plate_ev 苏E30006 12:00 exit garage >f2.jsonl
at 12:00 pm-gate events ingest f2.jsonl
expect_eq "$(sql "SELECT resident || ':' || fee_fen FROM parking_session WHERE plate = '苏E30006'")" "1:1000" \
	"a resident's entry, the hours after its removal charged"
done_testing
