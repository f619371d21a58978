-- Group buying (社区团购): local merchants' offers that units order and
-- pay for like bills (idempotent on channel+ref). What is paid is held
-- on the liability account merchant:CODE until the offer closes: a group
-- that fails is refunded in full, one that forms is picked up and then
-- settled (what was not picked up refunded, the commission to
-- income:shop_commission, the rest paid out to the merchant). Points
-- (积分) spent on an order are paid to the merchant by the company
-- (expense:points), one point a fen.

CREATE TABLE merchant (
	id            INTEGER PRIMARY KEY,
	code          TEXT NOT NULL UNIQUE,
	name          TEXT NOT NULL,
	commission_bp INTEGER NOT NULL CHECK (commission_bp BETWEEN 0 AND 10000),   -- basis points
	created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE shop_offer (
	id           INTEGER PRIMARY KEY,
	code         TEXT NOT NULL UNIQUE,
	merchant_id  INTEGER NOT NULL REFERENCES merchant(id),
	title        TEXT NOT NULL,
	price_fen    INTEGER NOT NULL CHECK (price_fen > 0),
	unit_name    TEXT NOT NULL,      -- what one is: 箱, 斤, 份
	deadline     INTEGER NOT NULL,   -- orders until then; closed after
	min_group    INTEGER NOT NULL CHECK (min_group > 0),   -- units (households) that must order
	stock        INTEGER NOT NULL CHECK (stock > 0),       -- most that can be ordered in all
	pickup_point TEXT NOT NULL,
	pickup_at    TEXT NOT NULL,
	state        TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open','formed','failed','settled')),
	closed_at    INTEGER,
	created_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE shop_order (
	id              INTEGER PRIMARY KEY,
	offer_id        INTEGER NOT NULL REFERENCES shop_offer(id),
	unit_id         INTEGER NOT NULL REFERENCES unit(id),
	qty             INTEGER NOT NULL CHECK (qty > 0),
	amount_fen      INTEGER NOT NULL CHECK (amount_fen > 0),          -- qty * price
	points          INTEGER NOT NULL DEFAULT 0 CHECK (points >= 0),   -- of amount_fen, paid in points
	channel         TEXT NOT NULL,
	ref             TEXT NOT NULL,
	state           TEXT NOT NULL DEFAULT 'paid' CHECK (state IN ('paid','confirmed','refunded','settled')),
	picked          INTEGER NOT NULL DEFAULT 0 CHECK (picked BETWEEN 0 AND qty),
	refunded_fen    INTEGER NOT NULL DEFAULT 0,   -- cash given back
	points_returned INTEGER NOT NULL DEFAULT 0,
	journal_id      INTEGER NOT NULL REFERENCES journal(id),
	at              INTEGER NOT NULL,
	UNIQUE (channel, ref)
) STRICT;
CREATE INDEX shop_order_offer ON shop_order(offer_id, unit_id);

CREATE TABLE shop_settlement (
	offer_id       INTEGER PRIMARY KEY REFERENCES shop_offer(id),
	gross_fen      INTEGER NOT NULL,   -- what was picked up, at the offer's price
	commission_fen INTEGER NOT NULL,
	net_fen        INTEGER NOT NULL,   -- paid out to the merchant
	refunded_fen   INTEGER NOT NULL,   -- what was not picked up, given back (cash and points)
	channel        TEXT NOT NULL,
	journal_id     INTEGER NOT NULL REFERENCES journal(id),
	at             INTEGER NOT NULL
) STRICT;

-- Points taken from a unit's grants (table points): spent on an order,
-- returned when the order is refunded (negative), or expired.
CREATE TABLE points_use (
	id         INTEGER PRIMARY KEY,
	unit_id    INTEGER NOT NULL REFERENCES unit(id),
	kind       TEXT NOT NULL CHECK (kind IN ('spend','return','expire')),
	points     INTEGER NOT NULL,
	detail     TEXT NOT NULL,    -- shop_order:ID, or the day before which grants expired
	as_of      TEXT NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX points_use_unit ON points_use(unit_id, id);
