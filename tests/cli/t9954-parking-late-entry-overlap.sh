#!/bin/sh
# An entry read after a later exit closed its stay (a second camera's
# read of the same arrival, a controller's backlog) falls in that stay
# and opens nothing: it opened a second stay, open and overlapping the
# first, or paired with an exit after the stay and overlapped it. Stays
# of a plate never overlap (t9900 for exits read late).
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
make_gate_community
export PM_NOW=2026-12-02T09:00:00+08:00

# Entry 08:00 and exit 12:00 stored; a second camera's entry at 10:00
# read late falls in that stay and opens nothing.
{ plate_ev 苏E70001 08:00 entry garage; plate_ev 苏E70001 12:00 exit garage; } >d1.jsonl
plate_ev 苏E70001 10:00 entry north >d2.jsonl
run pm-gate events ingest d1.jsonl
run pm-gate events ingest d2.jsonl
expect_rc 0 "an entry inside a closed stay, read late"
expect_eq "$(stays 苏E70001 gates)" "08:00:00-12:00:00:2000@garage" "opens no second stay: the car is not inside"
expect_eq "$(sql "SELECT count(*) FROM parking_session WHERE plate = '苏E70001' AND exit_ts IS NULL")" 0 "none open"
plate_ev 苏E70001 14:00 entry garage >d3.jsonl
run pm-gate events ingest d3.jsonl
expect_eq "$(stays 苏E70001)" "08:00:00-12:00:00:2000 14:00:00-:-" "the next visit opens as ever"

# An exit waiting with no entry (12:00, after the stay 08:00-10:00): an
# entry at 09:00 read late, inside that stay, is not its entry; one at
# 11:00 is.
{ plate_ev 苏E80002 08:00 entry garage; plate_ev 苏E80002 10:00 exit garage; plate_ev 苏E80002 12:00 exit north; } >e1.jsonl
plate_ev 苏E80002 09:00 entry north >e2.jsonl
plate_ev 苏E80002 11:00 entry north >e3.jsonl
run pm-gate events ingest e1.jsonl
run pm-gate events ingest e2.jsonl
expect_eq "$(stays 苏E80002 gates)" "08:00:00-10:00:00:1000@garage" "an entry inside a stay pairs with no exit"
run pm-gate events ingest e3.jsonl
expect_eq "$(stays 苏E80002 gates)" "08:00:00-10:00:00:1000@garage 11:00:00-12:00:00:500@north" \
	"the entry after it does"
expect_eq "$(sql "SELECT count(*) FROM parking_session a JOIN parking_session b ON a.plate = b.plate AND a.id < b.id
	WHERE a.entry_ts <= coalesce(b.exit_ts, 9223372036854775807) AND b.entry_ts <= coalesce(a.exit_ts, 9223372036854775807)")" 0 \
	"no two stays of a plate overlap"
done_testing
