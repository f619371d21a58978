-- Notifications: the outbox every message passes through and residents'
-- preferences. Times are UTC seconds.

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
