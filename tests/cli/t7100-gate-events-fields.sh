#!/bin/sh
# pm-gate events ingest under the import rules of pm(7): a field pm does
# not know is refused by name with the one meant, unless --ignore-unknown
# (which keeps it); detail is the device's own object, its keys unchecked.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
make_gate_community

cat >ev.jsonl <<'J'
{"gate":"north","ts":"2026-12-01T08:00:00+08:00","event":"card","card":"1","directon":"in"}
{"gate":"north","ts":"2026-12-01T08:01:00+08:00","event":"card","card":"2","door":1,"direction":"in","detail":{"reader":"R-7","temp_c":36.5}}
{"gate":"north","ts":"2026-12-01T08:02:00+08:00","event":"card","card":"3","detail":"R-7"}
{"gate":"north","ts":"2026-12-01T08:03:00+08:00","event":"card","card":"4","vendor_blob":"x"}
J
run pm-gate events ingest --reject rej.jsonl ev.jsonl
expect_rc 65 "unknown fields are bad records"
expect_err '^pm-gate: ev.jsonl:1: unknown field "directon": did you mean "direction"\?$' "named, with the one meant"
expect_err '^pm-gate: ev.jsonl:3: field "detail": expected an object$' "detail must be an object"
expect_err '^pm-gate: ev.jsonl:4: unknown field "vendor_blob": expected gate, ts, event, card, plate, person, door, direction, detail \(or --ignore-unknown\)$' \
	"or the names known"
expect_eq "$(wc -l <rej.jsonl)" "3" "the three copied to --reject"
expect_eq "$(sql "SELECT subject || ' ' || detail FROM gate_event")" '2 {"door":1,"direction":"in","detail":{"reader":"R-7","temp_c":36.5}}' \
	"detail's own keys pass unchecked, kept as they came"

run pm-gate events ingest --ignore-unknown ev.jsonl
expect_rc 65 "--ignore-unknown"
expect_err 'ev.jsonl:3: field "detail": expected an object' "still wants detail an object"
expect_eq "$(sql "SELECT subject || ' ' || detail FROM gate_event WHERE subject IN ('1', '4') ORDER BY subject")" '1 {"directon":"in"}
4 {"vendor_blob":"x"}' "keeps the fields it does not know"

run pm-gate events list --format jsonl --gate north
expect_out '^\{"type":"gate_event","ts":"2026-12-01T08:01:00\+08:00","gate":"north","event":"card","subject":"2","subject_kind":"card","door":1,"direction":"in","detail":\{"reader":"R-7","temp_c":36.5\}\}$' \
	"listed back with its detail"
done_testing
