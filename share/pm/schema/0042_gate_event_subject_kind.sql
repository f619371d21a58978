-- What an event's subject is: the record's field that named it, 'card',
-- 'plate' or 'person'; NULL when it named none, and for the events stored
-- before this, which did not keep it.
-- An OR of equalities, not an IN list: SQLite builds an ephemeral b-tree
-- for an IN list of three each time the statement runs, which took events
-- ingest from 262 M to 830 M instructions at 20,000 events (0024).
ALTER TABLE gate_event ADD COLUMN subject_kind TEXT
	CHECK (subject_kind = 'card' OR subject_kind = 'plate' OR subject_kind = 'person');
