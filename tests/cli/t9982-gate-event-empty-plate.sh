#!/bin/sh
# A gate event with "plate":"" was stored as an event about nobody (its
# subject empty, no parking stay), while "plate":" " was refused as no
# licence plate: a camera that read nothing slipped a car's passage out
# of the record. The empty plate is refused the same way now: exit 65,
# the line named and kept in --reject, the other lines stored.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
make_gate_community
export PM_NOW=2026-12-02T09:00:00+08:00

cat >ev.jsonl <<'J'
{"gate":"garage","ts":"2026-12-01T08:00:00+08:00","event":"entry","plate":"苏E12345"}
{"gate":"garage","ts":"2026-12-01T08:01:00+08:00","event":"entry","plate":""}
{"gate":"garage","ts":"2026-12-01T08:02:00+08:00","event":"entry","plate":" "}
{"gate":"garage","ts":"2026-12-01T08:03:00+08:00","event":"exit","plate":"","detail":{"confidence":0}}
{"gate":"north","ts":"2026-12-01T08:04:00+08:00","event":"door_forced"}
J
run pm-gate events ingest --reject rej.jsonl ev.jsonl
expect_rc 65 "lines rejected"
expect_err "^pm-gate: ev.jsonl:2: field \"plate\": '' is no licence plate$" "the empty plate is no plate"
expect_err "^pm-gate: ev.jsonl:3: field \"plate\": ' ' is no licence plate$" "as a blank one is not"
expect_err "^pm-gate: ev.jsonl:4: field \"plate\": '' is no licence plate$" "an exit's too"
expect_eq "$(cat rej.jsonl)" "$(sed -n 2,4p ev.jsonl)" "the three kept verbatim in --reject"
expect_eq "$(sql "SELECT group_concat(event || ':' || subject, ' ') FROM (SELECT * FROM gate_event ORDER BY ts)")" \
	"entry:苏E12345 door_forced:" "the good lines stored, none about nobody at the garage"
expect_eq "$(sql "SELECT group_concat(plate, ' ') FROM parking_session")" "苏E12345" "one stay, the plate's"
run pm-gate events ingest --strict ev.jsonl
expect_rc 65 "--strict"
expect_eq "$(sql "SELECT count(*) FROM gate_event")" 2 "stores nothing more"
done_testing
