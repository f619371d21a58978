-- The objects changed under each audit record that speaks for many
-- changes (an import run, one record per run): `pm audit --object
-- unit:3-2-1101` finds the runs that changed that unit, not only the
-- records about it. A run's record stays one row of the chain however
-- many objects it changed, and its objects are committed with the batch
-- that changed them, so a run killed half-way is found by what it did
-- commit. The rows are an index for finding records, not part of the hash
-- chain: what a run did is proven by the run's record and the rows
-- themselves, and pm audit --verify does not read this table.
CREATE TABLE audit_touch (
	audit_id INTEGER,          -- NULL until its transaction's audit record is written
	object   TEXT NOT NULL     -- "unit:3-2-1101", as the records of single changes name it
) STRICT;
CREATE INDEX audit_touch_object ON audit_touch(object, audit_id);
CREATE INDEX audit_touch_pending ON audit_touch(audit_id);
