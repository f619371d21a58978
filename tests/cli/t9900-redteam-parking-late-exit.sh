#!/bin/sh
# Red team: an exit read after a later exit of the same visit had closed
# the stay (a controller's backlog, a broker's redelivery of a duplicate)
# left the stay closed by the later one. Entry 08:00, exits 10:00 and
# 12:00 read as entry, 12:00, 10:00 kept 08:00-12:00 at ¥20.00 (2000
# fen) where read in order the stay is 08:00-10:00 at ¥10.00 (1000 fen),
# the 12:00 exit one with no entry. The earliest exit after the entry now
# closes the stay however the exits come.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
make_gate_community
export PM_NOW=2026-12-02T09:00:00+08:00

{ plate_ev 苏E10001 08:00 entry garage; plate_ev 苏E10001 10:00 exit north; plate_ev 苏E10001 12:00 exit garage; } >inorder.jsonl
run pm-gate events ingest inorder.jsonl
expect_rc 0 "in order"
expect_eq "$(stays 苏E10001 gates)" "08:00:00-10:00:00:1000@north" "read in order: the earliest exit closes the stay"

{ plate_ev 苏E20002 08:00 entry garage; plate_ev 苏E20002 12:00 exit garage; plate_ev 苏E20002 10:00 exit north; } >late.jsonl
run pm-gate events ingest late.jsonl
expect_rc 0 "the earlier exit read last"
expect_eq "$(stays 苏E20002 gates)" "08:00:00-10:00:00:1000@north" "the earlier exit closes the stay, ¥10.00 not ¥20.00"
run pm-gate parking fee --plate 苏E20002 --format jsonl
expect_out '"at":"2026-12-01T10:00:00\+08:00","minutes":120,.*"fee_fen":1000,"paid_fen":0,"due_fen":1000,' \
	"owes the two hours"
expect_eq "$(sql "SELECT count(*) FROM gate_event WHERE subject = '苏E20002'")" 3 "all three events kept"

# Runs apart, with the car back inside in between: the late exit still
# closes the visit it belongs to, the stay inside stays open.
{ plate_ev 苏E30003 08:00 entry garage; plate_ev 苏E30003 12:00 exit garage; plate_ev 苏E30003 13:00 entry garage; } >first.jsonl
plate_ev 苏E30003 10:00 exit north >second.jsonl
run pm-gate events ingest first.jsonl
run pm-gate events ingest second.jsonl
expect_rc 0 "a late exit a run later"
expect_eq "$(stays 苏E30003 gates)" "08:00:00-10:00:00:1000@north 13:00:00-:-@" \
	"the visit closed by its earliest exit; the car inside still inside"

# The freed exit is the plate's to pair: an entry between the two exits,
# read before the earlier exit, pairs with the later one as in order.
{ plate_ev 苏E40004 08:00 entry garage; plate_ev 苏E40004 11:00 entry north; plate_ev 苏E40004 10:00 exit north;
  plate_ev 苏E40004 12:00 exit garage; } >order4.jsonl
{ plate_ev 苏E50005 08:00 entry garage; plate_ev 苏E50005 12:00 exit garage; plate_ev 苏E50005 11:00 entry north;
  plate_ev 苏E50005 10:00 exit north; } >late5.jsonl
run pm-gate events ingest order4.jsonl late5.jsonl
expect_rc 0 "two visits, read in order and not"
expect_eq "$(stays 苏E40004 gates)" "08:00:00-10:00:00:1000@north 11:00:00-12:00:00:500@garage" "in order: two stays"
expect_eq "$(stays 苏E50005 gates)" "$(stays 苏E40004 gates)" "out of order: the same two stays"

run pm-gate events ingest inorder.jsonl late.jsonl first.jsonl second.jsonl order4.jsonl late5.jsonl
expect_err "read 18, inserted 0, duplicate 18" "the same events again"
expect_eq "$(sql "SELECT count(*) FROM parking_session")" 8 "change nothing"
done_testing
