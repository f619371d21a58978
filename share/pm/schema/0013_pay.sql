-- Online payment orders (pm-pay): one per QR code shown to a payer. The
-- out_trade_no names the order at the channel (WeChat Pay, Alipay): random,
-- so that stores sharing one merchant account never collide, and tied here
-- to its unit and bills. An order is pending until the channel says it was
-- paid (a verified notification, or pm-pay sync asking) and then points at
-- the payment recorded for it, or until it is closed.

CREATE TABLE pay_order (
	id             INTEGER PRIMARY KEY,
	out_trade_no   TEXT NOT NULL UNIQUE,
	channel        TEXT NOT NULL CHECK (channel IN ('wechat','alipay')),
	unit_id        INTEGER NOT NULL REFERENCES unit(id),
	amount_fen     INTEGER NOT NULL CHECK (amount_fen > 0),
	status         TEXT NOT NULL CHECK (status IN ('pending','paid','closed')),
	qr             TEXT,              -- code_url or qr_code, once the channel made the order
	expires_at     INTEGER NOT NULL,
	transaction_id TEXT,              -- the channel's, once paid
	payment_id     INTEGER REFERENCES payment(id),
	paid_at        INTEGER,
	closed_reason  TEXT,
	created_by     TEXT NOT NULL,
	created_at     INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX pay_order_pending ON pay_order(created_at) WHERE status = 'pending';
CREATE INDEX pay_order_unit ON pay_order(unit_id, created_at);

-- The bills an order was made for, paid first in this order.
CREATE TABLE pay_order_bill (
	order_id  INTEGER NOT NULL REFERENCES pay_order(id),
	seq       INTEGER NOT NULL,
	bill_id   INTEGER NOT NULL REFERENCES bill(id),
	PRIMARY KEY (order_id, seq)
) STRICT, WITHOUT ROWID;
