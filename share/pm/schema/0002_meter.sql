-- Meters and readings. Readings dominate the store: they are keyed
-- (meter_id, ts) WITHOUT ROWID with the value in thousandths, the layout
-- DESIGN.md measured fastest for "the last reading before a period's end".

CREATE TABLE meter (
	id           INTEGER PRIMARY KEY,
	code         TEXT NOT NULL UNIQUE,          -- W-3-2-1101
	kind         TEXT NOT NULL,                 -- water, electricity, gas, heat, or the config's
	scope        TEXT NOT NULL CHECK (scope IN ('unit','building','community')),
	unit_id      INTEGER REFERENCES unit(id),
	building_id  INTEGER REFERENCES building(id),
	address      TEXT UNIQUE,                   -- device address, display order
	multiplier   INTEGER NOT NULL CHECK (multiplier >= 1),
	digits       INTEGER NOT NULL CHECK (digits BETWEEN 3 AND 12),
	uom          TEXT NOT NULL,
	registers    TEXT NOT NULL DEFAULT '',      -- time-of-use registers: "peak,valley"
	installed_at INTEGER NOT NULL,
	initial      INTEGER NOT NULL CHECK (initial >= 0),
	retired_at   INTEGER,
	final        INTEGER,
	replaces     INTEGER REFERENCES meter(id),  -- the meter this one replaced
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL,
	CHECK ((scope = 'unit') = (unit_id IS NOT NULL)),
	CHECK ((scope = 'building') = (building_id IS NOT NULL))
) STRICT;
CREATE INDEX meter_unit ON meter(unit_id);
CREATE UNIQUE INDEX meter_replaces ON meter(replaces) WHERE replaces IS NOT NULL;

CREATE TABLE reading (
	meter_id INTEGER NOT NULL,
	ts       INTEGER NOT NULL,
	value    INTEGER NOT NULL,                 -- thousandths of the meter's unit
	PRIMARY KEY (meter_id, ts)
) STRICT, WITHOUT ROWID;

-- Time-of-use registers of a reading: 1 sharp, 2 peak, 3 flat, 4 valley.
CREATE TABLE reading_register (
	meter_id INTEGER NOT NULL,
	ts       INTEGER NOT NULL,
	reg      INTEGER NOT NULL CHECK (reg BETWEEN 1 AND 4),
	value    INTEGER NOT NULL,
	PRIMARY KEY (meter_id, ts, reg)
) STRICT, WITHOUT ROWID;

-- Where a reading came from, kept only when given.
CREATE TABLE reading_note (
	meter_id INTEGER NOT NULL,
	ts       INTEGER NOT NULL,
	source   TEXT,
	note     TEXT,
	PRIMARY KEY (meter_id, ts)
) STRICT, WITHOUT ROWID;

-- Events worth an anomaly report, kept from ingestion.
CREATE TABLE meter_event (
	meter_id   INTEGER NOT NULL REFERENCES meter(id),
	ts         INTEGER NOT NULL,
	kind       TEXT NOT NULL,                  -- decrease_rejected
	value      INTEGER NOT NULL,
	detail     TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (meter_id, ts, kind)
) STRICT, WITHOUT ROWID;

-- Usage billed on an estimate, so the next real reading does not bill it
-- again: the bill run records it, usage subtracts it.
CREATE TABLE meter_estimate (
	meter_id   INTEGER NOT NULL REFERENCES meter(id),
	period     TEXT NOT NULL,                  -- YYYY-MM
	period_end INTEGER NOT NULL,
	usage      INTEGER NOT NULL,               -- thousandths, before the multiplier
	PRIMARY KEY (meter_id, period)
) STRICT, WITHOUT ROWID;
