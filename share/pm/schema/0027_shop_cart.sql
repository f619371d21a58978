-- Group-buying orders an owner makes on the web (pm-web's /shop) before
-- they are paid: what was asked for, priced from the store, under a
-- number ("SO" and 16 hexadecimal digits) that the payment's callback
-- names. The callback first claims the cart for its payment (channel,
-- ref), then records the order through the same path as pm-shop order,
-- so that two payments of one cart never make two orders. A claimed cart
-- whose order could not be recorded (the offer closed, its stock or the
-- points gone meanwhile) keeps its claim and why, for the office to
-- refund the payment.

CREATE TABLE shop_cart (
	id         INTEGER PRIMARY KEY,
	no         TEXT NOT NULL UNIQUE,
	offer_id   INTEGER NOT NULL REFERENCES shop_offer(id),
	unit_id    INTEGER NOT NULL REFERENCES unit(id),
	qty        INTEGER NOT NULL CHECK (qty > 0),
	amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),                  -- qty * price
	points     INTEGER NOT NULL CHECK (points >= 0 AND points < amount_fen),
	login      TEXT NOT NULL,      -- who made it
	channel    TEXT,               -- the payment that claimed it
	ref        TEXT,
	order_id   INTEGER UNIQUE REFERENCES shop_order(id),
	refused    TEXT,               -- why its payment made no order
	created_at INTEGER NOT NULL,
	UNIQUE (channel, ref)
) STRICT;
CREATE INDEX shop_cart_unit ON shop_cart(unit_id, id);
