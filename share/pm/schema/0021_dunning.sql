-- Arrears chasing (催缴): each stage of the configured dunning plan a bill
-- entered, once (UNIQUE): a cron run that comes again finds it entered and
-- queues and files nothing twice. A message stage records what it queued,
-- a task stage the collection ticket it filed.
CREATE TABLE dunning (
	id          INTEGER PRIMARY KEY,
	bill_id     INTEGER NOT NULL REFERENCES bill(id),
	stage       TEXT NOT NULL,     -- the plan's stage name
	seq         INTEGER NOT NULL,  -- its place in the plan, from 1
	action      TEXT NOT NULL CHECK (action IN ('message','task')),
	role        TEXT NOT NULL,     -- who acts
	days        INTEGER NOT NULL,  -- days past due when entered
	reason      TEXT NOT NULL CHECK (reason IN ('overdue','broken_promise')),
	as_of       TEXT NOT NULL,     -- the run's day, YYYY-MM-DD
	queued      INTEGER NOT NULL DEFAULT 0,
	ticket_id   INTEGER REFERENCES ticket(id),
	at          INTEGER NOT NULL,
	UNIQUE (bill_id, stage)
) STRICT;

-- Each contact with a debtor (the desk's call, a visit, a letter) and what
-- came of it. A promise to pay by a day is pending until the unit owes
-- nothing (kept) or the day passes with the debt still there (broken: the
-- next dunning run moves the unit's bills on a stage).
CREATE TABLE collection_contact (
	id           INTEGER PRIMARY KEY,
	unit_id      INTEGER NOT NULL REFERENCES unit(id),
	by_means     TEXT NOT NULL CHECK (by_means IN ('phone','visit','letter')),
	result       TEXT NOT NULL CHECK (result IN ('promised','refused','unreachable')),
	note         TEXT NOT NULL,
	promise_date TEXT,             -- YYYY-MM-DD, with result 'promised'
	promise      TEXT CHECK (promise IN ('pending','kept','broken')),
	by_user      TEXT NOT NULL,
	at           INTEGER NOT NULL,
	CHECK ((result = 'promised') = (promise_date IS NOT NULL AND promise IS NOT NULL))
) STRICT;
CREATE INDEX collection_contact_unit ON collection_contact(unit_id, id);
CREATE INDEX collection_contact_pending ON collection_contact(promise_date) WHERE promise = 'pending';

-- Contracts with merchants and suppliers: an income contract (elevator
-- ads, a parking concession) earns for the owners, an expense contract
-- (the cleaning of the common parts it pays for) spends from it. Terms
-- never change: a renewal is a new contract that follows its old one.
CREATE TABLE contract (
	id           INTEGER PRIMARY KEY,
	party        TEXT NOT NULL,
	kind         TEXT NOT NULL CHECK (kind IN ('income','expense')),
	object       TEXT NOT NULL,
	from_date    TEXT NOT NULL,    -- first day, YYYY-MM-DD
	to_date      TEXT NOT NULL,    -- last day
	amount_fen   INTEGER NOT NULL CHECK (amount_fen > 0),  -- per period
	every        TEXT NOT NULL CHECK (every IN ('month','quarter','year')),
	ended        TEXT,             -- the last day of a terminated one
	end_reason   TEXT,
	renews       INTEGER REFERENCES contract(id),
	by_user      TEXT NOT NULL,
	created_at   INTEGER NOT NULL,
	CHECK (to_date >= from_date),
	CHECK (ended IS NULL OR (ended >= from_date AND ended <= to_date))
) STRICT;

-- What each contract's periods charged (income) or owe (expense), once
-- per period, with the journal entry that posted it; a termination's
-- credit for days not used is a row of its own with a negative amount.
CREATE TABLE contract_charge (
	id           INTEGER PRIMARY KEY,
	contract_id  INTEGER NOT NULL REFERENCES contract(id),
	period_start TEXT NOT NULL,    -- YYYY-MM-DD
	period_end   TEXT NOT NULL,    -- the period's last day
	kind         TEXT NOT NULL CHECK (kind IN ('charge','credit','payment')),
	days         INTEGER NOT NULL, -- days of the period counted
	amount_fen   INTEGER NOT NULL,
	channel      TEXT,             -- a payment's
	ref          TEXT,
	journal_id   INTEGER NOT NULL REFERENCES journal(id),
	at           INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX contract_charge_once ON contract_charge(contract_id, period_start, kind)
	WHERE kind <> 'payment';
CREATE UNIQUE INDEX contract_payment_ref ON contract_charge(ref) WHERE ref IS NOT NULL;

-- A collection task is a ticket of kind 'collection'. Widening a CHECK's
-- list changes no stored row, so the table's text is edited in place, the
-- way SQLite's ALTER TABLE documentation gives for loosening a constraint,
-- instead of copying a table other tables refer to.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql,
	'CHECK (kind IN (''repair'',''complaint'',''suggestion'',''inspection''))',
	'CHECK (kind IN (''repair'',''complaint'',''suggestion'',''inspection'',''collection''))')
	WHERE type = 'table' AND name = 'ticket';
PRAGMA writable_schema = RESET;
