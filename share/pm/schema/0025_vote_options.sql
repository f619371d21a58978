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

-- In a vote with options a ballot is 'abstain', or 'yes' (agrees) to the
-- options named here: one to the vote's seats.
CREATE TABLE ballot_option (
	ballot_id   INTEGER NOT NULL REFERENCES ballot(id) ON DELETE CASCADE,
	option_id   INTEGER NOT NULL REFERENCES vote_option(id),
	PRIMARY KEY (ballot_id, option_id)
) STRICT, WITHOUT ROWID;
