-- Announcements (公告): kept for the web front end and pushed through the
-- outbox to the residents of their target. One with a capacity is an event
-- that residents sign up for (活动报名). Times are UTC seconds; dates are
-- 'YYYY-MM-DD' in the community's zone.
CREATE TABLE announcement (
	id          INTEGER PRIMARY KEY,
	title       TEXT NOT NULL CHECK (length(title) > 0),
	body        TEXT NOT NULL CHECK (length(body) > 0),
	target      TEXT NOT NULL CHECK (target = 'all' OR target GLOB 'building:?*' OR target GLOB 'unit:?*'),
	pinned      INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
	until       TEXT,                     -- the last day it is current; NULL: no end
	capacity    INTEGER CHECK (capacity > 0), -- places of an event; NULL: no sign-ups
	created_at  INTEGER NOT NULL,
	created_by  TEXT NOT NULL,            -- the pm user who made it
	updated_at  INTEGER NOT NULL
) STRICT;
-- The listing: pinned first, newest first.
CREATE INDEX announcement_order ON announcement(pinned DESC, created_at DESC, id DESC);

-- Sign-ups for an event: one row per person, count the places they take.
CREATE TABLE rsvp (
	id              INTEGER PRIMARY KEY,
	announcement_id INTEGER NOT NULL REFERENCES announcement(id),
	person_id       INTEGER NOT NULL REFERENCES person(id),
	count           INTEGER NOT NULL CHECK (count > 0),
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL,
	UNIQUE (announcement_id, person_id)
) STRICT;
