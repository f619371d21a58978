#!/bin/sh
# pm-gate events: each event keeps what its subject is, the field that
# named it (card, plate or person), in gate_event.subject_kind, and
# events list shows it; null for an event that names none, and for one
# stored before it was kept.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
make_gate_community
export PM_NOW=2026-12-02T09:00:00+08:00

cat >ev.jsonl <<'J'
{"gate":"north","ts":"2026-12-01T08:00:00+08:00","event":"card","card":"0012345678"}
{"gate":"garage","ts":"2026-12-01T08:01:00+08:00","event":"entry","plate":"苏E 12345"}
{"gate":"north","ts":"2026-12-01T08:02:00+08:00","event":"denied","person":"P001"}
{"gate":"north","ts":"2026-12-01T08:03:00+08:00","event":"door_forced","door":1}
J
run pm-gate events ingest ev.jsonl
expect_rc 0 "four events"
expect_eq "$(sql "SELECT group_concat(subject || ':' || coalesce(nullif(subject_kind, ''), '-'), ' ') FROM (SELECT * FROM gate_event ORDER BY ts)")" \
	"0012345678:card 苏E12345:plate P001:person :-" "stored: card, plate, person, and none"
# A row as a pm before subject_kind left it ('' since 0047).
sql "INSERT INTO gate_event (ts, gate, event, subject) VALUES (strftime('%s', '2026-12-01T08:04:00+08:00'), 'north', 'card', '0087654321')"

run pm-gate events list --format jsonl
expect_rc 0 "events list"
expect_eq "$(cat "$T/out")" '{"type":"gate_event","ts":"2026-12-01T08:00:00+08:00","gate":"north","event":"card","subject":"0012345678","subject_kind":"card"}
{"type":"gate_event","ts":"2026-12-01T08:01:00+08:00","gate":"garage","event":"entry","subject":"苏E12345","subject_kind":"plate"}
{"type":"gate_event","ts":"2026-12-01T08:02:00+08:00","gate":"north","event":"denied","subject":"P001","subject_kind":"person"}
{"type":"gate_event","ts":"2026-12-01T08:03:00+08:00","gate":"north","event":"door_forced","subject":null,"subject_kind":null,"door":1}
{"type":"gate_event","ts":"2026-12-01T08:04:00+08:00","gate":"north","event":"card","subject":"0087654321","subject_kind":null}' \
	"each with what its subject is; null for none, and for a row from before"
run pm-gate events list --format csv
expect_out '^ts,gate,event,subject,subject_kind' "a column of its own in a table"
expect_out ',苏E12345,plate' "filled"
done_testing
