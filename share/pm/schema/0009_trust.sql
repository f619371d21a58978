-- The trust boundary: users mapped to Unix accounts, two more roles
-- (viewer: reads without personal data; service: acts only on behalf of
-- others, as the web front end does), and an audit log that records who
-- ran each change beside on whose behalf, and the business time (PM_NOW)
-- beside the real one when they differ.

-- SQLite cannot widen a CHECK in place: the table is made again. Nothing
-- refers to user(id), so its rows move as they are.
CREATE TABLE user_new (
	id          INTEGER PRIMARY KEY,
	login       TEXT NOT NULL UNIQUE,
	role        TEXT NOT NULL CHECK (role IN ('admin','finance','frontdesk','technician','guard','owner','viewer','service')),
	person_id   INTEGER REFERENCES person(id),
	unix        TEXT,                     -- the Unix account that is this user
	pwhash      TEXT,                     -- argon2id; NULL: cannot log in on the web
	disabled    INTEGER NOT NULL DEFAULT 0,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
) STRICT;
INSERT INTO user_new (id, login, role, person_id, pwhash, disabled, created_at, updated_at)
	SELECT id, login, role, person_id, pwhash, disabled, created_at, updated_at FROM user;
DROP TABLE user;
ALTER TABLE user_new RENAME TO user;
CREATE UNIQUE INDEX user_unix ON user(unix) WHERE unix IS NOT NULL;

-- caller: who ran the change (NULL in rows of an older pm, which are
-- hashed without it); business_ts: PM_NOW when it was not the real time.
ALTER TABLE audit ADD COLUMN caller TEXT;
ALTER TABLE audit ADD COLUMN business_ts INTEGER;
