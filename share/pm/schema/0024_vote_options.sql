-- Votes with named options (候选人, competing bids, plans) beside
-- yes/no/abstain: an election of the owners' committee fills seats, a
-- choice of property company or plan one. See pm-govern(1), TALLY.

-- seats: how many options a ballot may name and the vote chooses; only
-- for a vote with options (1 for a yes/no vote, which has none).
ALTER TABLE vote ADD COLUMN seats INTEGER NOT NULL DEFAULT 1 CHECK (seats >= 1);

-- A vote's options in the order the ballot paper lists them.
CREATE TABLE vote_option (
	id          INTEGER PRIMARY KEY,
	vote_id     INTEGER NOT NULL REFERENCES vote(id),
	position    INTEGER NOT NULL CHECK (position >= 0 AND position < 64),
	name        TEXT NOT NULL CHECK (length(name) > 0),
	UNIQUE (vote_id, position),
	UNIQUE (vote_id, name)
) STRICT;

-- SQLite cannot widen a CHECK in place: ballot is made again with the
-- choice 'for' (for the options in ballot_option). Nothing refers to
-- ballot(id) yet, so its rows move as they are.
CREATE TABLE ballot_new (
	id          INTEGER PRIMARY KEY,
	vote_id     INTEGER NOT NULL REFERENCES vote(id),
	unit_id     INTEGER NOT NULL REFERENCES unit(id),
	person_id   INTEGER NOT NULL REFERENCES person(id),
	choice      TEXT NOT NULL CHECK (choice IN ('yes', 'no', 'abstain', 'for')),
	paper       TEXT,
	entered_by  TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL,
	UNIQUE (vote_id, unit_id)
) STRICT;
INSERT INTO ballot_new SELECT id, vote_id, unit_id, person_id, choice, paper, entered_by, created_at, updated_at
	FROM ballot;
DROP TABLE ballot;
ALTER TABLE ballot_new RENAME TO ballot;

-- The options a ballot with choice 'for' names: one to the vote's seats.
CREATE TABLE ballot_option (
	ballot_id   INTEGER NOT NULL REFERENCES ballot(id) ON DELETE CASCADE,
	option_id   INTEGER NOT NULL REFERENCES vote_option(id),
	PRIMARY KEY (ballot_id, option_id)
) STRICT, WITHOUT ROWID;
