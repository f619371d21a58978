-- A closed vote's count stands (pm-govern(1), Who counts): the facts
-- each unit of its scope counted with at the close are kept when it
-- closes, or at the first count or change of those facts after its
-- closing time, so a later change of an area, of the developer or of a
-- unit's owners cannot change a result already out (or published).

-- When the count was kept; NULL while it is not (an open vote, or one
-- closed by its time and not counted or touched since).
ALTER TABLE vote ADD COLUMN counted_at INTEGER;

-- A unit as the closed vote counts it: its area, whether its owner is the
-- developer, its owners on the owners' day (person ids in order, NULL for
-- none) and the choice of the ballot that counted (NULL: none), with the
-- options it named as bits of vote_option.position.
CREATE TABLE vote_unit (
	vote_id     INTEGER NOT NULL REFERENCES vote(id),
	unit_id     INTEGER NOT NULL REFERENCES unit(id),
	area_centi  INTEGER NOT NULL,
	dev         INTEGER NOT NULL CHECK (dev = 0 OR dev = 1),
	owners      TEXT,
	choice      TEXT CHECK (choice = 'yes' OR choice = 'no' OR choice = 'abstain'),
	options     INTEGER NOT NULL,
	PRIMARY KEY (vote_id, unit_id)
) STRICT, WITHOUT ROWID;
