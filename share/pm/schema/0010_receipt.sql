-- Receipts (收据) for payments, numbered without gaps within each year:
-- a payment's receipt is numbered when it is first printed, and a receipt
-- voided (misprinted, torn) keeps its number, marked void; the payment's
-- next print takes the next number. At most one receipt of a payment is
-- not void.

CREATE TABLE receipt (
	id          INTEGER PRIMARY KEY,
	year        INTEGER NOT NULL,
	seq         INTEGER NOT NULL CHECK (seq > 0),
	payment_id  INTEGER NOT NULL REFERENCES payment(id),
	cashier     TEXT NOT NULL,    -- who recorded the payment
	printed_at  INTEGER NOT NULL,
	printed_by  TEXT NOT NULL,
	void_reason TEXT,
	voided_at   INTEGER,
	voided_by   TEXT,
	UNIQUE (year, seq)
) STRICT;
CREATE UNIQUE INDEX receipt_live ON receipt(payment_id) WHERE void_reason IS NULL;
