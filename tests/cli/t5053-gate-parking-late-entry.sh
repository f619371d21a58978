#!/bin/sh
# Plate events out of order: an entry read after a later stay of the
# plate (a controller uploading its backlog while the car is inside
# again, or after it has left again) is an earlier visit. It opens no
# stay; it is kept, and its exit, the earliest after it and before the
# next entry, closes it, priced by the visitors' rule (free 15 minutes,
# ¥5.00 an hour started, ¥30.00 a day). A second entry while the car is
# inside still opens nothing, and the same events again change nothing.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
make_gate_community
export PM_NOW=2026-12-03T09:00:00+08:00
stays() { # PLATE: its stays, entry to exit (or -) and fee, by entry
	sql "SELECT group_concat(x, ' ') FROM (SELECT date(entry_ts, 'unixepoch', '+8 hours') || 'T'
		|| time(entry_ts, 'unixepoch', '+8 hours') || '-'
		|| coalesce(time(exit_ts, 'unixepoch', '+8 hours'), '') || ':' || coalesce(fee_fen, '-') AS x
		FROM parking_session WHERE plate = '$1' ORDER BY entry_ts)"
}
ev() { # EVENT TIME PLATE [GATE]
	printf '{"gate":"%s","ts":"%s+08:00","event":"%s","plate":"%s"}\n' "${4:-garage}" "$2" "$1" "$3"
}

# 京C10001 is inside again since 12-02 08:00; the controller's backlog of
# 12-01 comes after, in time order: two visits, entry before exit.
ev entry 2026-12-02T08:00:00 京C10001 >now.jsonl
{
	ev entry 2026-12-01T09:00:00 京C10001 north
	ev exit 2026-12-01T09:10:00 京C10001
	ev entry 2026-12-01T13:00:00 京C10001 north
	ev exit 2026-12-01T14:30:00 京C10001
} >backlog.jsonl
run pm-gate events ingest now.jsonl backlog.jsonl
expect_rc 0 "the backlog after the car came in again"
expect_err "read 5, inserted 5, duplicate 0" "every event kept"
expect_eq "$(stays 京C10001)" \
	"2026-12-01T09:00:00-09:10:00:0 2026-12-01T13:00:00-14:30:00:1000 2026-12-02T08:00:00-:-" \
	"each late entry closed by its own exit: ¥0 within 15 minutes, ¥10.00 for two hours started; the car inside again"
expect_eq "$(sql "SELECT entry_gate || '>' || exit_gate FROM parking_session WHERE plate = '京C10001' ORDER BY entry_ts LIMIT 1 OFFSET 1")" \
	"north>garage" "each end's gate"
run pm-gate parking list --open --format jsonl
expect_out '"plate":"京C10001"' "inside once"
expect_eq "$(grep -c . "$T/out")" "1" "one stay open"
run pm-gate parking fee --plate 京C10001 --at 2026-12-02T08:10:00+08:00 --format jsonl
expect_out '"due_fen":1000,"earlier_fen":1000,"refund_fen":0}$' "the backlog's stay is owed to leave"
ev exit 2026-12-02T08:20:00 京C10001 >out.jsonl
run pm-gate events ingest out.jsonl
expect_eq "$(sql "SELECT count(*) || ':' || sum(fee_fen) FROM parking_session WHERE plate = '京C10001'")" "3:1500" \
	"the exit after the stay inside closes it (¥5.00), not a backlog's"

# Runs apart: the late entry comes alone, its exit a run later.
ev entry 2026-12-02T10:00:00 苏E55555 >in.jsonl
ev entry 2026-12-01T20:00:00 苏E55555 >late.jsonl
ev exit 2026-12-01T23:30:00 苏E55555 >late-exit.jsonl
run pm-gate events ingest in.jsonl late.jsonl
expect_eq "$(stays 苏E55555)" "2026-12-02T10:00:00-:-" "the late entry opens nothing while the car is inside"
expect_eq "$(sql "SELECT count(*) FROM gate_event WHERE subject = '苏E55555' AND event = 'entry'")" "2" \
	"it is kept, waiting for its exit"
run pm-gate events ingest late-exit.jsonl
expect_rc 0 "its exit, a run later"
expect_eq "$(stays 苏E55555)" "2026-12-01T20:00:00-23:30:00:2000 2026-12-02T10:00:00-:-" \
	"closes it: ¥20.00 for four hours started"

# The car has left again when its backlog's entry comes: the entry does
# not open a stay before the one already closed, and its exit closes it.
ev entry 2026-12-02T11:00:00 浙F77777 >a.jsonl
ev exit 2026-12-02T11:30:00 浙F77777 >>a.jsonl
run pm-gate events ingest a.jsonl
ev entry 2026-12-01T15:00:00 浙F77777 north >b.jsonl
run pm-gate events ingest b.jsonl
expect_eq "$(stays 浙F77777)" "2026-12-02T11:00:00-11:30:00:500" "an entry before a closed stay opens none"
run pm-gate parking list --open --format jsonl
expect_eq "$(grep -c '浙F77777' "$T/out")" "0" "the car is not taken to be inside"
ev exit 2026-12-01T16:00:00 浙F77777 >c.jsonl
run pm-gate events ingest c.jsonl
expect_eq "$(stays 浙F77777)" "2026-12-01T15:00:00-16:00:00:500 2026-12-02T11:00:00-11:30:00:500" \
	"its exit closes it: ¥5.00 for an hour"

# A second entry while the car is inside (a camera reading it twice)
# waits for nothing: a stray exit after the stay pairs with no entry.
ev entry 2026-12-02T12:00:00 沪A12345 >d.jsonl
ev entry 2026-12-02T12:01:00 沪A12345 >>d.jsonl
ev exit 2026-12-02T13:00:00 沪A12345 >>d.jsonl
ev exit 2026-12-02T13:01:00 沪A12345 >>d.jsonl
run pm-gate events ingest d.jsonl
expect_eq "$(stays 沪A12345)" "2026-12-02T12:00:00-13:00:00:500" "one stay, ¥5.00"

run pm-gate events ingest now.jsonl backlog.jsonl out.jsonl in.jsonl late.jsonl late-exit.jsonl a.jsonl b.jsonl c.jsonl d.jsonl
expect_err "read 17, inserted 0, duplicate 17" "the same events again"
expect_eq "$(sql "SELECT count(*) || ':' || sum(fee_fen) FROM parking_session")" "8:5000" "change nothing"
done_testing
