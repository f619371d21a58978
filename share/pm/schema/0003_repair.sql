-- pm-repair: tickets and their timelines, repair charges for pm-bill, the
-- asset register and patrol check-ins. Categories, SLA budgets, schedules
-- and patrol routes live in the configuration (repair section), so tickets
-- keep what they were promised: the budgets are copied in at submission.

CREATE TABLE asset (
	id            INTEGER PRIMARY KEY,
	code          TEXT NOT NULL UNIQUE,     -- as on the plate: EL-1-1
	name          TEXT NOT NULL,
	kind          TEXT NOT NULL,            -- elevator, pump, extinguisher, gate, camera, ...
	location      TEXT,
	model         TEXT,
	installed     TEXT,                     -- YYYY-MM-DD
	warranty_end  TEXT,                     -- YYYY-MM-DD
	interval_days INTEGER CHECK (interval_days > 0), -- maintenance interval
	retired       TEXT,                     -- YYYY-MM-DD; NULL while in service
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX asset_kind ON asset(kind, code);

CREATE TABLE ticket (
	id             INTEGER PRIMARY KEY,
	kind           TEXT NOT NULL CHECK (kind IN ('repair','complaint','suggestion','inspection')),
	category       TEXT NOT NULL,
	priority       TEXT NOT NULL CHECK (priority IN ('urgent','high','normal','low')),
	status         TEXT NOT NULL CHECK (status IN ('submitted','accepted','assigned','in_progress',
	                 'on_hold','resolved','closed','cancelled','reopened')),
	unit_id        INTEGER REFERENCES unit(id),
	asset_id       INTEGER REFERENCES asset(id),
	area           TEXT,                    -- a public place, for tickets of no unit
	text           TEXT NOT NULL,
	reporter_id    INTEGER REFERENCES person(id),
	contact        TEXT,
	photo          TEXT,
	submitted_by   TEXT NOT NULL,           -- login
	assignee       TEXT,                    -- login
	team           TEXT,                    -- a role the ticket waits for, from a schedule
	repeats        INTEGER NOT NULL DEFAULT 0,
	-- SLA: budgets in seconds, counted in wall or business time; each
	-- clock has the seconds used in closed intervals, the start of the
	-- running interval (NULL: stopped or paused) and when its breach was
	-- reported (once). sla_pending: a clock still needs watching.
	business_hours INTEGER NOT NULL CHECK (business_hours IN (0, 1)),
	accept_budget  INTEGER NOT NULL,
	resolve_budget INTEGER NOT NULL,
	accept_used    INTEGER NOT NULL DEFAULT 0,
	accept_since   INTEGER,
	accept_breach  INTEGER,
	resolve_used   INTEGER NOT NULL DEFAULT 0,
	resolve_since  INTEGER,
	resolve_breach INTEGER,
	sla_pending    INTEGER NOT NULL DEFAULT 1,
	submitted_at   INTEGER NOT NULL,
	accepted_at    INTEGER,
	resolved_at    INTEGER,
	closed_at      INTEGER,
	cost_fen       INTEGER CHECK (cost_fen >= 0),
	parts          TEXT,
	stars          INTEGER CHECK (stars BETWEEN 1 AND 5),
	rating_comment TEXT,
	schedule       TEXT,                    -- the schedule that made an inspection
	due            TEXT,                    -- its period's first day, YYYY-MM-DD
	created_at     INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX ticket_status ON ticket(status, id);
CREATE INDEX ticket_unit ON ticket(unit_id, id);
CREATE INDEX ticket_asset ON ticket(asset_id, id);
CREATE INDEX ticket_assignee ON ticket(assignee, id);
-- the dedupe check on every submission
CREATE INDEX ticket_open ON ticket(category, unit_id, submitted_at)
	WHERE status NOT IN ('resolved','closed','cancelled');
-- pm-repair overdue and sweep look only at these
CREATE INDEX ticket_sla ON ticket(id) WHERE sla_pending = 1;
CREATE INDEX ticket_resolved ON ticket(resolved_at) WHERE status = 'resolved';
-- a schedule makes one ticket per target and period, however often cron runs
CREATE UNIQUE INDEX ticket_schedule ON ticket(schedule, coalesce(asset_id, 0), due)
	WHERE schedule IS NOT NULL;

-- The timeline: every step, comment and repeat report, in order.
CREATE TABLE ticket_event (
	id          INTEGER PRIMARY KEY,
	ticket_id   INTEGER NOT NULL REFERENCES ticket(id),
	ts          INTEGER NOT NULL,
	actor       TEXT NOT NULL,
	action      TEXT NOT NULL,
	from_status TEXT,
	to_status   TEXT,
	note        TEXT
) STRICT;
CREATE INDEX ticket_event_ticket ON ticket_event(ticket_id, id);

-- A chargeable repair inside a unit, once per ticket, for pm-bill to put
-- on the unit's next bill as a `repair` fee item.
CREATE TABLE repair_charge (
	ticket_id      INTEGER PRIMARY KEY REFERENCES ticket(id),
	unit_id        INTEGER NOT NULL REFERENCES unit(id),
	amount_fen     INTEGER NOT NULL CHECK (amount_fen > 0),
	created_at     INTEGER NOT NULL,
	billed_bill_id INTEGER
) STRICT;
CREATE INDEX repair_charge_unbilled ON repair_charge(unit_id) WHERE billed_bill_id IS NULL;

-- Patrol check-ins: a tag's code read at a checkpoint of a route.
CREATE TABLE patrol_visit (
	id         INTEGER PRIMARY KEY,
	route      TEXT NOT NULL,
	point      TEXT NOT NULL,
	ts         INTEGER NOT NULL,
	by_login   TEXT NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;
-- a check-in sent twice is kept once
CREATE UNIQUE INDEX patrol_visit_point ON patrol_visit(route, point, ts);
