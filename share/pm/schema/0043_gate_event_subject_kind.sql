-- What an event's subject is: the record's field that named it, 'card',
-- 'plate' or 'person'; NULL when it named none, and for the events stored
-- before this, which did not keep it.
ALTER TABLE gate_event ADD COLUMN subject_kind TEXT CHECK (subject_kind IN ('card', 'plate', 'person'));
