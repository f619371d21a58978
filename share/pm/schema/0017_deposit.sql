-- Deposits (押金) held for a unit: renovation (装修押金), keys, access
-- cards. Each row is one movement, and each posts a journal entry to the
-- liability account deposit:KIND:UNIT, so what is held is the account's
-- balance and pm check compares the two (deposit.ledger).

CREATE TABLE deposit (
	id          INTEGER PRIMARY KEY,
	unit_id     INTEGER NOT NULL REFERENCES unit(id),
	kind        TEXT NOT NULL CHECK (kind IN ('renovation','key','card','other')),
	action      TEXT NOT NULL CHECK (action IN ('take','refund','forfeit')),
	amount_fen  INTEGER NOT NULL CHECK (amount_fen > 0),
	channel     TEXT,              -- money in (take) or out (refund); NULL for a forfeit
	ref         TEXT UNIQUE,       -- the desk's own reference: the same again is the same movement
	reason      TEXT NOT NULL,
	evidence    TEXT NOT NULL,     -- what shows it: a form number, an inspection, a photo's name
	by_user     TEXT NOT NULL,
	journal_id  INTEGER NOT NULL REFERENCES journal(id),
	at          INTEGER NOT NULL
) STRICT;
CREATE INDEX deposit_unit ON deposit(unit_id, kind);

-- A buyer's taxpayer id (纳税人识别号, 统一社会信用代码) for the invoices
-- an e-invoicing system makes from pm-bill export --file-format invoice-csv:
-- a company that owns or rents a unit.
ALTER TABLE person ADD COLUMN tax_id TEXT;
