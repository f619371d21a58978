-- Late fees counted day by day (pm-bill late-fees): each day on what the
-- bill owed at its start, whatever days apart the runs come. A run adds
-- the days to the exact sum of those before, and charges that sum rounded
-- less what was charged, so no run's rounding carries into the next:
-- late_fee.remainder is the sum beyond the fen charged, in ten-thousandths
-- of a fen (NULL in rows charged before: none). A bill paid off between
-- two runs still owes its days up to the payment: late_mark.at is when
-- the last run for today or later began, and the bills paid since
-- (bill_paid) are read again. No mark yet: the first run reads no paid
-- bills, so bills paid before this pm are not charged again.
ALTER TABLE late_fee ADD COLUMN remainder INTEGER CHECK (remainder BETWEEN -5000 AND 4999);
CREATE TABLE late_mark (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	at INTEGER NOT NULL
) STRICT;
CREATE INDEX bill_paid ON bill(updated_at) WHERE status = 'paid';
