-- pm-gate: access credentials, visitors and their signed passes, gate and
-- device events, vehicles, parking sessions and reservations. Gates and
-- their drivers, alarm severities and parking rules live in the
-- configuration. Times are UTC seconds since the epoch.

CREATE TABLE credential (
	id           INTEGER PRIMARY KEY,
	kind         TEXT NOT NULL CHECK (kind IN ('card','pin','face')),
	value        TEXT NOT NULL,             -- card number, PIN or face id
	person_id    INTEGER REFERENCES person(id),
	unit_id      INTEGER REFERENCES unit(id),
	occupancy_id INTEGER REFERENCES occupancy(id), -- ends with this residence
	gates        TEXT,                      -- "north,garage"; NULL: every gate
	valid_from   INTEGER NOT NULL,
	valid_until  INTEGER,                   -- NULL: until revoked
	status       TEXT NOT NULL CHECK (status IN ('active','revoked','expired')),
	ended_at     INTEGER,
	reason       TEXT,
	created_by   TEXT NOT NULL,
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL,
	CHECK (person_id IS NOT NULL OR unit_id IS NOT NULL)
) STRICT;
-- one holder per card, PIN or face at a time: a controller knows them by it
CREATE UNIQUE INDEX credential_active ON credential(kind, value) WHERE status = 'active';
CREATE INDEX credential_person ON credential(person_id);
CREATE INDEX credential_unit ON credential(unit_id);

-- The public halves of the pass-signing keys; the secret half is the key
-- file beside the store. A read-only copy of the store verifies with these.
CREATE TABLE pass_key (
	kid        TEXT PRIMARY KEY,            -- hex of the 4 bytes a token names
	public_key BLOB NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;

-- A visitor request and, once approved, its pass (same id).
CREATE TABLE visitor (
	id           INTEGER PRIMARY KEY,
	unit_id      INTEGER NOT NULL REFERENCES unit(id),
	name         TEXT NOT NULL,
	phone        TEXT,
	plate        TEXT,
	purpose      TEXT,
	valid_from   INTEGER NOT NULL,
	valid_until  INTEGER NOT NULL CHECK (valid_until > valid_from),
	gates        TEXT,                      -- as credential.gates
	uses         INTEGER NOT NULL CHECK (uses >= 0), -- 0: any number
	status       TEXT NOT NULL CHECK (status IN ('pending','approved','denied','expired','revoked')),
	lapses_at    INTEGER NOT NULL,          -- a request still pending then expires
	requested_by TEXT NOT NULL,
	decided_by   TEXT,
	decided_at   INTEGER,
	reason       TEXT,
	token        TEXT,                      -- the signed pass
	used         INTEGER NOT NULL DEFAULT 0,
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX visitor_unit ON visitor(unit_id, id);
CREATE INDEX visitor_pending ON visitor(lapses_at) WHERE status = 'pending';

-- Every pass shown at a gate, let in or not.
CREATE TABLE pass_use (
	id         INTEGER PRIMARY KEY,
	visitor_id INTEGER NOT NULL REFERENCES visitor(id),
	gate       TEXT NOT NULL,
	ts         INTEGER NOT NULL,
	result     TEXT NOT NULL,               -- allow, or why not
	by_login   TEXT NOT NULL
) STRICT;
CREATE INDEX pass_use_visitor ON pass_use(visitor_id, id);

-- What controllers and cameras report, kept once however often sent.
-- Keyed by time first: events arrive in time order and are read by time.
CREATE TABLE gate_event (
	ts      INTEGER NOT NULL,
	gate    TEXT NOT NULL,
	event   TEXT NOT NULL,
	subject TEXT NOT NULL,                  -- card, plate or person; '' for none
	detail  TEXT,                           -- the record's other fields, JSON
	PRIMARY KEY (ts, gate, event, subject)
) STRICT, WITHOUT ROWID;

-- What each gate's controller was last sent by pm-gate sync.
CREATE TABLE gate_sync (
	gate          TEXT NOT NULL,
	credential_id INTEGER NOT NULL,
	kind          TEXT NOT NULL,
	value         TEXT NOT NULL,
	valid_until   INTEGER,
	synced_at     INTEGER NOT NULL,
	PRIMARY KEY (gate, credential_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE vehicle (
	id          INTEGER PRIMARY KEY,
	plate       TEXT NOT NULL,
	unit_id     INTEGER NOT NULL REFERENCES unit(id),
	kind        TEXT NOT NULL CHECK (kind IN ('owned','monthly')),
	space       TEXT,
	valid_until TEXT,                       -- YYYY-MM-DD, a monthly pass's last day
	removed_at  INTEGER,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX vehicle_plate ON vehicle(plate) WHERE removed_at IS NULL;
CREATE INDEX vehicle_unit ON vehicle(unit_id);

CREATE TABLE parking_session (
	id         INTEGER PRIMARY KEY,
	plate      TEXT NOT NULL,
	entry_ts   INTEGER NOT NULL,
	entry_gate TEXT NOT NULL,
	exit_ts    INTEGER,
	exit_gate  TEXT,
	resident   INTEGER NOT NULL CHECK (resident IN (0, 1)),
	fee_fen    INTEGER CHECK (fee_fen >= 0),  -- set at exit
	paid_fen   INTEGER NOT NULL DEFAULT 0 CHECK (paid_fen >= 0),
	paid_at    INTEGER,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	CHECK (exit_ts IS NULL OR exit_ts >= entry_ts)
) STRICT;
-- a car is inside once
CREATE UNIQUE INDEX parking_open ON parking_session(plate) WHERE exit_ts IS NULL;
CREATE INDEX parking_entry ON parking_session(entry_ts);

CREATE TABLE parking_payment (
	id         INTEGER PRIMARY KEY,
	session_id INTEGER NOT NULL REFERENCES parking_session(id),
	amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
	ref        TEXT NOT NULL UNIQUE,         -- the payment's own reference
	paid_at    INTEGER NOT NULL,
	by_login   TEXT NOT NULL
) STRICT;
CREATE INDEX parking_payment_session ON parking_payment(session_id);

-- 车位预约, 充电桩预约: one booking of a resource at a time.
CREATE TABLE reservation (
	id         INTEGER PRIMARY KEY,
	resource   TEXT NOT NULL,
	unit_id    INTEGER NOT NULL REFERENCES unit(id),
	starts     INTEGER NOT NULL,
	ends       INTEGER NOT NULL CHECK (ends > starts),
	status     TEXT NOT NULL CHECK (status IN ('booked','cancelled')),
	by_login   TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX reservation_resource ON reservation(resource, starts) WHERE status = 'booked';
