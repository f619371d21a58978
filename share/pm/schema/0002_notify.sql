-- Notifications: the outbox every message passes through, residents'
-- preferences, announcements and sign-ups. Times are UTC seconds.

-- A message is written here before any attempt to send it, and marked sent
-- only after the channel confirmed it. status 'sending' means an attempt is
-- under way (or was, when a flush was killed: the next flush puts it back).
CREATE TABLE outbox (
	id          INTEGER PRIMARY KEY,
	dedupe      TEXT NOT NULL UNIQUE,     -- a key seen before is not queued again
	template    TEXT NOT NULL,
	category    TEXT NOT NULL,
	channel     TEXT NOT NULL CHECK (channel IN ('stdout','webhook','wecom','dingtalk','email','sms')),
	recipient   TEXT NOT NULL,            -- person code, user login, or the explicit address
	name        TEXT,                     -- the recipient's name, when known
	address     TEXT NOT NULL,            -- phone, e-mail address, or '' for group channels
	unit        TEXT,                     -- the unit the record was about
	ref         TEXT NOT NULL,            -- the record's id
	subject     TEXT NOT NULL,
	body        TEXT NOT NULL,            -- plain text
	html        TEXT,                     -- the HTML part of an e-mail
	alarm       INTEGER NOT NULL DEFAULT 0 CHECK (alarm IN (0, 1)),
	status      TEXT NOT NULL CHECK (status IN ('queued','sending','sent','failed')),
	attempts    INTEGER NOT NULL DEFAULT 0,
	next_at     INTEGER NOT NULL,         -- not before this time
	expires_at  INTEGER NOT NULL,         -- retries give up after this time
	last_error  TEXT,
	sent_at     INTEGER,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX outbox_due ON outbox(status, next_at);
CREATE INDEX outbox_unit ON outbox(unit, id);

-- Channels a person wants, and template categories they opted out of
-- (legal notices are sent whatever this says).
CREATE TABLE notify_pref (
	person_id   INTEGER PRIMARY KEY REFERENCES person(id),
	channels    TEXT NOT NULL,            -- comma-separated channel names
	optout      TEXT NOT NULL DEFAULT '', -- comma-separated categories
	email       TEXT,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE announcement (
	id          INTEGER PRIMARY KEY,
	title       TEXT NOT NULL,
	body        TEXT NOT NULL,
	target      TEXT NOT NULL,            -- all, building:3, unit:3-2-1101
	pinned      INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
	until       TEXT,                     -- last day shown, YYYY-MM-DD
	capacity    INTEGER CHECK (capacity > 0), -- sign-ups taken, NULL: none
	created_by  TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX announcement_current ON announcement(until);

CREATE TABLE rsvp (
	id              INTEGER PRIMARY KEY,
	announcement_id INTEGER NOT NULL REFERENCES announcement(id),
	person_id       INTEGER NOT NULL REFERENCES person(id),
	count           INTEGER NOT NULL CHECK (count > 0),
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL,
	UNIQUE (announcement_id, person_id)
) STRICT;
