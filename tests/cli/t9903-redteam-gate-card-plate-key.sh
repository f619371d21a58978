#!/bin/sh
# Red team: gate_event was keyed by time, gate, event and subject, so a
# card numbered as a plate reads (a controller reporting the plate as the
# card of the car it let in) and the camera's plate, at the same gate and
# second, were one event: the plate's, read second, was dropped as a
# duplicate and its stay never opened. Now the subject's kind is part of
# the key (0047). And a card's exit of a plate's text closed the plate's
# stay when the plate's entry was read after it, though a card's exit
# read after the entry closes none: a card's events make no stay (0043),
# whichever order they come in. An event stored before 0042, which kept
# no kind, stays the same event as that event of any kind.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
make_gate_community
export PM_NOW=2026-12-02T09:00:00+08:00
ev() { # KIND TEXT HH:MM EVENT
	printf '{"gate":"garage","ts":"2026-12-01T%s:00+08:00","event":"%s","%s":"%s"}\n' "$3" "$4" "$1" "$2"
}

{ ev card 京A12345 08:00 entry; ev plate 京A12345 08:00 entry; } >both.jsonl
run pm-gate events ingest both.jsonl
expect_rc 0 "a card and a plate of the same text, the same second"
expect_err "read 2, inserted 2, duplicate 0" "two events"
expect_eq "$(stays 京A12345)" "08:00:00-:-" "the plate's stay opened"
run pm-gate events list --format jsonl
expect_eq "$(jq -r '.subject_kind' "$T/out" | tr '\n' ' ')" "card plate " "each kept with its kind"
run pm-gate events ingest both.jsonl
expect_err "read 2, inserted 0, duplicate 2" "the same two again are duplicates"

# A card's exit of a plate's text, before or after the plate's entry.
{ ev plate 京B22222 08:00 entry; ev card 京B22222 10:00 exit; } >inorder.jsonl
{ ev card 京C33333 10:00 exit; ev plate 京C33333 08:00 entry; } >late.jsonl
run pm-gate events ingest inorder.jsonl late.jsonl
expect_rc 0 "a card's exit after the entry and before it"
expect_eq "$(stays 京B22222)" "08:00:00-:-" "read after the entry, it closes no stay"
expect_eq "$(stays 京C33333)" "08:00:00-:-" "read before the entry, it closes none either"

# A row as a pm before 0042 kept it, with no kind (upgraded to ''): the
# same event sent again, now with its kind, is a duplicate.
sql "INSERT INTO gate_event (ts, gate, event, subject) VALUES (strftime('%s', '2026-12-01T12:00:00+08:00'), 'garage', 'entry', '京D44444')"
ev plate 京D44444 12:00 entry >old.jsonl
run pm-gate events ingest old.jsonl
expect_err "read 1, inserted 0, duplicate 1" "an event stored before kinds were kept is the same event"
expect_eq "$(sql "SELECT count(*) FROM gate_event WHERE subject = '京D44444'") $(stays 京D44444)" "1 " \
	"nothing added"

# A store from before 0047, upgraded as it is opened: its events kept, a
# kindless one with the kind '', listed as null.
store_before 0047_gate_event_kind_key.sql old.db
sqlite3 old.db "INSERT INTO gate_event (ts, gate, event, subject, subject_kind) VALUES (1796083200, 'garage', 'entry', '京E55555', 'plate'), (1796083260, 'north', 'card', '0012345678', NULL)"
PM_DB=$T/old.db run pm-gate events list --format jsonl
expect_rc 0 "the old store opens"
expect_eq "$(jq -r '[.subject, (.subject_kind // "null")] | join(":")' "$T/out" | tr '\n' ' ')" \
	"京E55555:plate 0012345678:null " "its events kept, the one of no kind as before"
expect_eq "$(sqlite3 old.db "SELECT sql FROM sqlite_schema WHERE tbl_name = 'gate_event' ORDER BY name" | md5sum)" \
	"$(sql "SELECT sql FROM sqlite_schema WHERE tbl_name = 'gate_event' ORDER BY name" | md5sum)" \
	"its table and indexes read as a new store's"
expect_eq "$(sqlite3 old.db 'PRAGMA integrity_check')" ok "its integrity holds"
done_testing
