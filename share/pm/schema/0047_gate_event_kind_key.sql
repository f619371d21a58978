-- An event is one event by its subject's kind too: a card numbered as a
-- plate reads (a controller reporting the plate as the card of a car let
-- in by it) at the same gate, second and event as the camera's plate was
-- kept once, and the one read second, the plate's, dropped as a
-- duplicate: its stay never opened or closed. subject_kind joins the
-- key, '' for none (and for an event stored before 0042, which kept no
-- kind: read as null, as before). The same event again is the same row
-- still; one stored before 0042 is the same as that event of any kind
-- (lib/gateevent.c), so events sent again after the upgrade change
-- nothing: gate_event_kindless holds those alone (no event stored since
-- has a subject and no kind), so that an ingest asks only of events up
-- to the last of them, and a store with none never. An OR of
-- equalities, not an IN list (0024).
CREATE TABLE gate_event_0047 (
	ts           INTEGER NOT NULL,
	gate         TEXT NOT NULL,
	event        TEXT NOT NULL,
	subject      TEXT NOT NULL,                  -- card, plate or person; '' for none
	detail       TEXT,                           -- the record's other fields, JSON
	subject_kind TEXT NOT NULL DEFAULT '' CHECK (subject_kind = '' OR subject_kind = 'card'
		OR subject_kind = 'plate' OR subject_kind = 'person'),
	PRIMARY KEY (ts, gate, event, subject, subject_kind)
) STRICT, WITHOUT ROWID;
INSERT INTO gate_event_0047 (ts, gate, event, subject, detail, subject_kind)
	SELECT ts, gate, event, subject, detail, coalesce(subject_kind, '') FROM gate_event;
DROP TABLE gate_event;
ALTER TABLE gate_event_0047 RENAME TO gate_event;
CREATE INDEX gate_event_exit ON gate_event(subject, ts) WHERE event = 'exit';
CREATE INDEX gate_event_entry ON gate_event(subject, ts) WHERE event = 'entry' AND subject_kind IS NOT 'card';
CREATE INDEX gate_event_kindless ON gate_event(ts) WHERE subject_kind = '' AND subject <> '';
