-- pm-repair renovation: renovation permits (装修管理), their steps,
-- inspections (tickets of kind inspection), violations and the deposit
-- they hold through lib/deposit.c (its movements are in deposit, found
-- here by their refs renovation:ID:...). pm-repair stock: spare parts
-- (仓库) and every movement of them.

CREATE TABLE renovation (
	id            INTEGER PRIMARY KEY,
	unit_id       INTEGER NOT NULL REFERENCES unit(id),
	status        TEXT NOT NULL CHECK (status IN ('applied','approved','rejected','started','completed')),
	from_day      TEXT NOT NULL,            -- YYYY-MM-DD, the first day of work
	to_day        TEXT NOT NULL,            -- YYYY-MM-DD, the last day, later by extend
	contractor    TEXT NOT NULL,
	scope         TEXT NOT NULL,
	deposit_fen   INTEGER NOT NULL DEFAULT 0 CHECK (deposit_fen >= 0), -- taken at approval
	forfeit_fen   INTEGER NOT NULL DEFAULT 0 CHECK (forfeit_fen >= 0), -- kept for violations
	refund_fen    INTEGER CHECK (refund_fen >= 0),                    -- given back at completion
	channel       TEXT,                     -- where the deposit came in and goes back out
	inspections   INTEGER NOT NULL CHECK (inspections >= 1), -- passed inspections completion needs
	applied_by    TEXT NOT NULL,
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL,
	CHECK (to_day >= from_day),
	CHECK (forfeit_fen + coalesce(refund_fen, 0) <= deposit_fen)
) STRICT;
CREATE INDEX renovation_unit ON renovation(unit_id, id);
-- the guards' list and noise complaints look only at these
CREATE INDEX renovation_open ON renovation(status, from_day) WHERE status IN ('approved','started');

-- Its timeline: every step, in order.
CREATE TABLE renovation_event (
	id             INTEGER PRIMARY KEY,
	renovation_id  INTEGER NOT NULL REFERENCES renovation(id),
	ts             INTEGER NOT NULL,
	actor          TEXT NOT NULL,
	action         TEXT NOT NULL,
	from_status    TEXT,
	to_status      TEXT,
	note           TEXT,
	ticket_id      INTEGER REFERENCES ticket(id)  -- an inspection, or a noise complaint
) STRICT;
CREATE INDEX renovation_event_renovation ON renovation_event(renovation_id, id);

-- Inspections: each is a ticket of kind inspection assigned to a
-- technician; result NULL until it is done.
CREATE TABLE renovation_inspection (
	ticket_id      INTEGER PRIMARY KEY REFERENCES ticket(id),
	renovation_id  INTEGER NOT NULL REFERENCES renovation(id),
	result         TEXT CHECK (result IN ('pass','fail')),
	note           TEXT,
	done_at        INTEGER
) STRICT;
CREATE INDEX renovation_inspection_renovation ON renovation_inspection(renovation_id, ticket_id);

CREATE TABLE renovation_violation (
	id             INTEGER PRIMARY KEY,
	renovation_id  INTEGER NOT NULL REFERENCES renovation(id),
	kind           TEXT NOT NULL CHECK (kind IN ('noise','hours','structure','debris')),
	note           TEXT NOT NULL,
	forfeit_fen    INTEGER NOT NULL DEFAULT 0 CHECK (forfeit_fen >= 0),
	deposit_id     INTEGER REFERENCES deposit(id),
	by_user        TEXT NOT NULL,
	at             INTEGER NOT NULL
) STRICT;
CREATE INDEX renovation_violation_renovation ON renovation_violation(renovation_id, id);

-- Spare parts: what is on the shelf (qty, in the item's own unit) and
-- what it cost (value, moving average): both are the sums of the moves.
CREATE TABLE stock_item (
	id          INTEGER PRIMARY KEY,
	code        TEXT NOT NULL UNIQUE,
	name        TEXT NOT NULL,
	unit        TEXT NOT NULL,              -- 个, 米, 卷: what one of qty is
	minimum     INTEGER NOT NULL DEFAULT 0 CHECK (minimum >= 0),
	location    TEXT,
	qty         INTEGER NOT NULL DEFAULT 0 CHECK (qty >= 0),
	value_fen   INTEGER NOT NULL DEFAULT 0 CHECK (value_fen >= 0),
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE stock_move (
	id          INTEGER PRIMARY KEY,
	item_id     INTEGER NOT NULL REFERENCES stock_item(id),
	kind        TEXT NOT NULL CHECK (kind IN ('receive','issue','count')),
	qty         INTEGER NOT NULL,           -- signed: in > 0, out < 0
	value_fen   INTEGER NOT NULL,           -- signed, like qty
	qty_after   INTEGER NOT NULL CHECK (qty_after >= 0),
	supplier    TEXT,                       -- receive
	ticket_id   INTEGER REFERENCES ticket(id), -- issue
	reason      TEXT,                       -- count: why the shelf differs
	by_user     TEXT NOT NULL,
	at          INTEGER NOT NULL
) STRICT;
CREATE INDEX stock_move_item ON stock_move(item_id, id);
CREATE INDEX stock_move_ticket ON stock_move(ticket_id) WHERE ticket_id IS NOT NULL;
