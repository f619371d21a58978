-- A payment at the gate pays the plate's oldest debt first and the stay
-- it was made at (parking_payment.session_id) last: a debt stays with the
-- plate, and a car back inside pays it to leave. What each session took
-- of it; a payment recorded before went whole to its one session.
CREATE TABLE parking_payment_part (
	payment_id INTEGER NOT NULL REFERENCES parking_payment(id),
	session_id INTEGER NOT NULL REFERENCES parking_session(id),
	amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
	PRIMARY KEY (payment_id, session_id)
) STRICT, WITHOUT ROWID;
INSERT INTO parking_payment_part (payment_id, session_id, amount_fen)
	SELECT id, session_id, amount_fen FROM parking_payment;
