-- Co-governance (共建共治): owners' votes under Article 278 of the Civil
-- Code, and surveys. Times are UTC seconds.

-- The developer (建设单位): all its unsold or undelivered units together
-- count as one owner by head (the SPC's 2009 interpretation on building
-- co-ownership, art. 9).
ALTER TABLE person ADD COLUMN developer INTEGER NOT NULL DEFAULT 0 CHECK (developer IN (0, 1));

-- A vote. The rule is copied from govern.* of the configuration when the
-- vote is made, so a later change of the configuration cannot change the
-- count of a vote already under way.
CREATE TABLE vote (
	id            INTEGER PRIMARY KEY,
	title         TEXT NOT NULL CHECK (length(title) > 0),
	matter        TEXT NOT NULL,
	participation TEXT NOT NULL,           -- "at least 2/3", of area and of owners
	pass          TEXT NOT NULL,           -- "more than 1/2" or "at least 3/4" of those taking part
	building_id   INTEGER REFERENCES building(id), -- NULL: the whole community
	opens         INTEGER NOT NULL,
	closes        INTEGER NOT NULL CHECK (closes > opens),
	created_at    INTEGER NOT NULL,
	created_by    TEXT NOT NULL
) STRICT;

-- One ballot per unit, cast by one of its owners (co-owners share it) or
-- entered by staff from a signed paper ballot (paper: its reference).
-- Changed in place until the vote closes; every change is audited.
CREATE TABLE ballot (
	id          INTEGER PRIMARY KEY,
	vote_id     INTEGER NOT NULL REFERENCES vote(id),
	unit_id     INTEGER NOT NULL REFERENCES unit(id),
	person_id   INTEGER NOT NULL REFERENCES person(id),
	choice      TEXT NOT NULL CHECK (choice IN ('yes', 'no', 'abstain')),
	paper       TEXT,
	entered_by  TEXT NOT NULL,             -- the pm user who cast or entered it
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL,
	UNIQUE (vote_id, unit_id)
) STRICT;

-- A survey (问卷) as its YAML file defined it (questions as JSON).
CREATE TABLE survey (
	id          INTEGER PRIMARY KEY,
	title       TEXT NOT NULL CHECK (length(title) > 0),
	kind        TEXT NOT NULL CHECK (kind IN ('general', 'satisfaction')),
	anonymous   INTEGER NOT NULL CHECK (anonymous IN (0, 1)),
	audience    TEXT NOT NULL,             -- "all" or "building:CODE"
	opens       INTEGER NOT NULL,
	closes      INTEGER NOT NULL CHECK (closes > opens),
	questions   TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	created_by  TEXT NOT NULL
) STRICT;

-- Who answered (one answer per person), kept apart from the answers so
-- that an anonymous survey's answers name no one.
CREATE TABLE survey_taken (
	survey_id   INTEGER NOT NULL REFERENCES survey(id),
	person_id   INTEGER NOT NULL REFERENCES person(id),
	PRIMARY KEY (survey_id, person_id)
) STRICT, WITHOUT ROWID;

-- An answer: person NULL for an anonymous survey; answers a JSON object
-- of question id to the answer.
CREATE TABLE survey_answer (
	id          INTEGER PRIMARY KEY,
	survey_id   INTEGER NOT NULL REFERENCES survey(id),
	person_id   INTEGER REFERENCES person(id),
	answers     TEXT NOT NULL,
	day         TEXT NOT NULL              -- YYYY-MM-DD in the community's zone: no finer time
) STRICT;
CREATE INDEX survey_answer_survey ON survey_answer(survey_id);
