-- Bills, payments and the double-entry ledger. Money is INTEGER fen;
-- periods 'YYYY-MM'; dates 'YYYY-MM-DD' in the community's zone.

CREATE TABLE bill (
	id             INTEGER PRIMARY KEY,
	code           TEXT NOT NULL UNIQUE,        -- B-2026-11-3-2-1101
	unit_id        INTEGER NOT NULL REFERENCES unit(id),
	period         TEXT NOT NULL,
	status         TEXT NOT NULL CHECK (status IN ('draft','issued','partial','paid','void')),
	config_version INTEGER NOT NULL,
	total_fen      INTEGER NOT NULL,            -- the lines
	late_fen       INTEGER NOT NULL DEFAULT 0,  -- late fees charged
	adjust_fen     INTEGER NOT NULL DEFAULT 0,  -- debit (+) and credit (-) notes
	paid_fen       INTEGER NOT NULL DEFAULT 0,  -- allocated to it
	due            TEXT,
	issued_at      INTEGER,
	void_reason    TEXT,
	created_at     INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL,
	UNIQUE (unit_id, period)
) STRICT;
CREATE INDEX bill_period ON bill(period, status);
CREATE INDEX bill_open ON bill(status, due) WHERE status IN ('issued','partial');

CREATE TABLE bill_line (
	bill_id        INTEGER NOT NULL REFERENCES bill(id) ON DELETE CASCADE,
	seq            INTEGER NOT NULL,
	fee            TEXT NOT NULL,               -- the config's fee item name
	label          TEXT NOT NULL,
	amount_fen     INTEGER NOT NULL,
	paid_fen       INTEGER NOT NULL DEFAULT 0,
	quantity       TEXT,                        -- area, usage, count as shown
	usage          INTEGER,                     -- metered usage billed, thousandths
	meter_id       INTEGER REFERENCES meter(id),
	breakdown      TEXT NOT NULL,               -- JSON: the inputs, checkable by hand
	flags          TEXT NOT NULL DEFAULT '',    -- estimated, missing
	config_version INTEGER NOT NULL,
	PRIMARY KEY (bill_id, seq)
) STRICT, WITHOUT ROWID;
CREATE INDEX bill_line_meter ON bill_line(meter_id) WHERE meter_id IS NOT NULL;

CREATE TABLE journal (
	id     INTEGER PRIMARY KEY,
	ts     INTEGER NOT NULL,
	kind   TEXT NOT NULL,      -- issue, payment, prepaid, adjust, late_fee, void, refund
	ref    TEXT NOT NULL,      -- bill:CODE, payment:ID, ...
	memo   TEXT
) STRICT;
CREATE INDEX journal_ref ON journal(ref);

-- Debits positive, credits negative: each journal entry sums to zero.
CREATE TABLE posting (
	journal_id INTEGER NOT NULL REFERENCES journal(id),
	account    TEXT NOT NULL,  -- receivable:3-2-1101, prepaid:3-2-1101, revenue:water, cash:wechat
	amount_fen INTEGER NOT NULL
) STRICT;
CREATE INDEX posting_journal ON posting(journal_id);
CREATE INDEX posting_account ON posting(account, journal_id);

CREATE TABLE payment (
	id          INTEGER PRIMARY KEY,
	channel     TEXT NOT NULL,
	ref         TEXT NOT NULL,
	unit_id     INTEGER NOT NULL REFERENCES unit(id),
	amount_fen  INTEGER NOT NULL CHECK (amount_fen > 0),
	refunded_fen INTEGER NOT NULL DEFAULT 0,
	at          INTEGER NOT NULL,
	bill_id     INTEGER REFERENCES bill(id),    -- named by the payer
	created_at  INTEGER NOT NULL,
	UNIQUE (channel, ref)
) STRICT;
CREATE INDEX payment_unit ON payment(unit_id, at);
CREATE INDEX payment_at ON payment(channel, at);

-- Where money went: a payment (or, payment_id NULL, the prepaid balance)
-- to a bill's line (seq NULL: its late fees and notes).
CREATE TABLE allocation (
	id          INTEGER PRIMARY KEY,
	payment_id  INTEGER REFERENCES payment(id),
	bill_id     INTEGER NOT NULL REFERENCES bill(id),
	seq         INTEGER,
	amount_fen  INTEGER NOT NULL,
	journal_id  INTEGER NOT NULL REFERENCES journal(id)
) STRICT;
CREATE INDEX allocation_bill ON allocation(bill_id);
CREATE INDEX allocation_payment ON allocation(payment_id);

CREATE TABLE adjustment (
	id          INTEGER PRIMARY KEY,
	bill_id     INTEGER NOT NULL REFERENCES bill(id),
	amount_fen  INTEGER NOT NULL CHECK (amount_fen <> 0),
	reason      TEXT NOT NULL,
	by_user     TEXT NOT NULL,
	journal_id  INTEGER NOT NULL REFERENCES journal(id),
	created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX adjustment_bill ON adjustment(bill_id);

CREATE TABLE late_fee (
	bill_id     INTEGER NOT NULL REFERENCES bill(id),
	as_of       TEXT NOT NULL,
	days        INTEGER NOT NULL,    -- days overdue counted to as_of
	principal_fen INTEGER NOT NULL,
	amount_fen  INTEGER NOT NULL,
	journal_id  INTEGER NOT NULL REFERENCES journal(id),
	created_at  INTEGER NOT NULL,
	PRIMARY KEY (bill_id, as_of)
) STRICT;
