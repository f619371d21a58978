-- The community: buildings, entrances, units, people, occupancy, users,
-- config versions and the audit log. Times are UTC seconds since the epoch;
-- dates are 'YYYY-MM-DD' in the community's zone; areas are hundredths of m².

CREATE TABLE config_version (
	version     INTEGER PRIMARY KEY,
	effective   TEXT NOT NULL,            -- first day in force
	applied_at  INTEGER NOT NULL,
	applied_by  TEXT NOT NULL,
	sha256      TEXT NOT NULL,
	source      TEXT NOT NULL,            -- file name as given
	yaml        TEXT NOT NULL,
	json        TEXT NOT NULL             -- the validated, normalised tree
) STRICT;

CREATE TABLE building (
	id      INTEGER PRIMARY KEY,
	code    TEXT NOT NULL UNIQUE,
	name    TEXT
) STRICT;

CREATE TABLE entrance (
	id          INTEGER PRIMARY KEY,
	building_id INTEGER NOT NULL REFERENCES building(id),
	code        TEXT NOT NULL,
	UNIQUE (building_id, code)
) STRICT;

CREATE TABLE unit (
	id          INTEGER PRIMARY KEY,
	code        TEXT NOT NULL UNIQUE,     -- building-entrance-room, 3-2-1101
	building_id INTEGER NOT NULL REFERENCES building(id),
	entrance_id INTEGER NOT NULL REFERENCES entrance(id),
	room        TEXT NOT NULL,
	floor       INTEGER NOT NULL,
	area_centi  INTEGER NOT NULL CHECK (area_centi >= 0),
	use         TEXT NOT NULL CHECK (use IN ('residential','commercial','parking','storage')),
	status      TEXT NOT NULL CHECK (status IN ('vacant','occupied','rented','decorating')),
	delivered   TEXT,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX unit_entrance ON unit(entrance_id);

CREATE TABLE person (
	id          INTEGER PRIMARY KEY,
	code        TEXT NOT NULL UNIQUE,     -- the company's own person number
	name        TEXT NOT NULL,
	phone       TEXT,
	id_masked   TEXT,                     -- 110101********1234: never the whole number
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE occupancy (
	id          INTEGER PRIMARY KEY,
	unit_id     INTEGER NOT NULL REFERENCES unit(id),
	person_id   INTEGER NOT NULL REFERENCES person(id),
	role        TEXT NOT NULL CHECK (role IN ('owner','tenant','family')),
	since       TEXT NOT NULL,
	until       TEXT,                     -- NULL while current
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX occupancy_unit ON occupancy(unit_id, until);
CREATE INDEX occupancy_person ON occupancy(person_id, until);
CREATE UNIQUE INDEX occupancy_current ON occupancy(unit_id, person_id, role) WHERE until IS NULL;

CREATE TABLE user (
	id          INTEGER PRIMARY KEY,
	login       TEXT NOT NULL UNIQUE,
	role        TEXT NOT NULL CHECK (role IN ('admin','finance','frontdesk','technician','guard','owner')),
	person_id   INTEGER REFERENCES person(id),
	pwhash      TEXT,                     -- argon2id; NULL: cannot log in on the web
	disabled    INTEGER NOT NULL DEFAULT 0,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
) STRICT;

-- Append-only: each row's hash covers its fields and the previous hash.
CREATE TABLE audit (
	id       INTEGER PRIMARY KEY,
	ts       INTEGER NOT NULL,
	actor    TEXT NOT NULL,
	action   TEXT NOT NULL,
	object   TEXT NOT NULL,
	before   TEXT,
	after    TEXT,
	prev     TEXT NOT NULL,
	hash     TEXT NOT NULL
) STRICT;
CREATE INDEX audit_object ON audit(object);
CREATE INDEX audit_ts ON audit(ts);
