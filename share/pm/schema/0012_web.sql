-- The web front end: sessions, sign-in attempts and one-time codes, and
-- the photos of tickets. Times are UTC seconds by the real clock (never
-- PM_NOW): expiry and throttling must not follow a clock set for tests.

-- A signed-in browser. Only the SHA-256 of its token is kept, so a copy
-- of the store signs no one in; csrf is the token every form of the
-- session carries.
CREATE TABLE web_session (
	id          INTEGER PRIMARY KEY,
	token_hash  TEXT NOT NULL UNIQUE,
	user_id     INTEGER NOT NULL REFERENCES user(id),
	csrf        TEXT NOT NULL,
	address     TEXT NOT NULL,            -- where it signed in from
	created_at  INTEGER NOT NULL,
	seen_at     INTEGER NOT NULL,         -- for the idle expiry
	ended_at    INTEGER                   -- signed out or expired
) STRICT;
CREATE INDEX web_session_user ON web_session(user_id);

-- Every sign-in attempt, for the limits per account and per address.
CREATE TABLE web_signin (
	id       INTEGER PRIMARY KEY,
	login    TEXT NOT NULL,
	address  TEXT NOT NULL,
	ts       INTEGER NOT NULL,
	ok       INTEGER NOT NULL CHECK (ok IN (0, 1))
) STRICT;
CREATE INDEX web_signin_login ON web_signin(login, ts);
CREATE INDEX web_signin_address ON web_signin(address, ts);

-- One-time sign-in codes sent through the outbox; only their hash is kept.
CREATE TABLE web_code (
	id          INTEGER PRIMARY KEY,
	user_id     INTEGER NOT NULL REFERENCES user(id),
	code_hash   TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL,
	tries       INTEGER NOT NULL DEFAULT 0,
	used_at     INTEGER
) STRICT;
CREATE INDEX web_code_user ON web_code(user_id, expires_at);

-- Photos of a ticket, stored beside the store (STORE.photos/FILE), named
-- by their SHA-256 so the same picture sent twice is kept once.
CREATE TABLE ticket_photo (
	id          INTEGER PRIMARY KEY,
	ticket_id   INTEGER NOT NULL REFERENCES ticket(id),
	file        TEXT NOT NULL,
	type        TEXT NOT NULL CHECK (type IN ('image/jpeg','image/png','image/webp')),
	bytes       INTEGER NOT NULL CHECK (bytes > 0),
	created_by  TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	UNIQUE (ticket_id, file)
) STRICT;
