#!/bin/sh
# Plate events out of order: an exit read before its entry, in one file
# or runs apart (a controller uploading its backlog, a broker's
# redelivery), is kept and pairs with its entry when that comes; the
# same events again change nothing.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
make_gate_community
export PM_NOW=2026-12-02T09:00:00+08:00

printf '%s\n' '{"gate":"garage","ts":"2026-12-01T11:00:00+08:00","event":"exit","plate":"苏E55555"}' \
	'{"gate":"garage","ts":"2026-12-01T08:00:00+08:00","event":"entry","plate":"苏E55555"}' >one.jsonl
run pm-gate events ingest one.jsonl
expect_rc 0 "an exit before its entry, in one file"
expect_eq "$(stays 苏E55555)" "08:00:00-11:00:00:1500" "one stay, closed, ¥15.00 for three hours"
run pm-gate parking list --open --format jsonl
expect_eq "$(cat "$T/out")" "" "no car left inside"

printf '%s\n' '{"gate":"garage","ts":"2026-12-01T12:30:00+08:00","event":"exit","plate":"浙F77777"}' >exit.jsonl
printf '%s\n' '{"gate":"north","ts":"2026-12-01T10:00:00+08:00","event":"entry","plate":"浙F77777"}' >entry.jsonl
run pm-gate events ingest exit.jsonl
expect_rc 0 "an exit with no stay open"
expect_eq "$(sql "SELECT count(*) FROM gate_event WHERE subject = '浙F77777'") $(stays 浙F77777)" "1 " \
	"kept, waiting for its entry"
run pm-gate events ingest entry.jsonl
expect_eq "$(stays 浙F77777)" "10:00:00-12:30:00:1500" "its entry, a run later, pairs with it"
expect_eq "$(sql "SELECT entry_gate || '>' || exit_gate FROM parking_session WHERE plate = '浙F77777'")" "north>garage" \
	"each end's gate"
run pm-gate parking fee --plate 浙F77777 --format jsonl
expect_out '"at":"2026-12-01T12:30:00\+08:00",.*"fee_fen":1500,"paid_fen":0,"due_fen":1500,' "and owes"
run pm-gate events ingest exit.jsonl entry.jsonl one.jsonl
expect_err "read 4, inserted 0, duplicate 4" "the same events again"
expect_eq "$(sql "SELECT count(*) FROM parking_session")" "2" "change nothing"

# A controller offline while the car came back: its backlog comes after
# the car's new entry, exit first or entry first.
printf '%s\n' '{"gate":"garage","ts":"2026-12-02T08:00:00+08:00","event":"entry","plate":"京C10001"}' >now.jsonl
printf '%s\n' '{"gate":"garage","ts":"2026-12-01T14:00:00+08:00","event":"exit","plate":"京C10001"}' \
	'{"gate":"garage","ts":"2026-12-01T13:00:00+08:00","event":"entry","plate":"京C10001"}' \
	'{"gate":"garage","ts":"2026-12-01T16:00:00+08:00","event":"exit","plate":"京C10001"}' >backlog.jsonl
run pm-gate events ingest now.jsonl backlog.jsonl
expect_rc 0 "the backlog after the car came in again"
expect_eq "$(stays 京C10001)" "13:00:00-14:00:00:500 08:00:00-:-" \
	"the earliest exit after the entry pairs with it; the car is inside again"
run pm-gate parking fee --plate 京C10001 --at 2026-12-02T08:10:00+08:00 --format jsonl
expect_out '"due_fen":500,"earlier_fen":500,"refund_fen":0}$' "the backlog's stay is owed to leave"
printf '%s\n' '{"gate":"garage","ts":"2026-12-02T08:20:00+08:00","event":"exit","plate":"京C10001"}' >out.jsonl
run pm-gate events ingest out.jsonl
expect_eq "$(stays 京C10001)" "13:00:00-14:00:00:500 08:00:00-08:20:00:500" \
	"the exit after the stay inside closes it, not the backlog's"
done_testing
