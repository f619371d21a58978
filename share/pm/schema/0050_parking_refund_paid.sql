-- A refund due on a stay (refund_fen, 0049) paid back to the driver:
-- pm-gate parking refund records each payout once by its own reference,
-- as a payment is once by its ref. The stay keeps what it was paid less
-- what was paid back (paid_fen) and the refund still due (refund_fen),
-- so fee_fen + refund_fen = paid_fen still holds and a stay priced again
-- later is priced against the money it kept. The payouts of a day are
-- taken off its parking fees received (pm-report gate).
CREATE TABLE parking_refund (
	id         INTEGER PRIMARY KEY,
	session_id INTEGER NOT NULL REFERENCES parking_session(id),
	amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
	ref        TEXT NOT NULL UNIQUE,         -- the payout's own reference
	paid_at    INTEGER NOT NULL,
	by_login   TEXT NOT NULL
) STRICT;
CREATE INDEX parking_refund_session ON parking_refund(session_id);
CREATE INDEX parking_refund_paid ON parking_refund(paid_at);
