-- Bookable services (家政上门 and the like): a merchant's service offered
-- in time slots of a capacity, booked by a unit and paid like a
-- group-buying order (idempotent on channel+ref, into the liability
-- account merchant:CODE). The merchant confirms a booking or declines it
-- (refunded in full), marks it done, and the owner rates it once; the
-- owner may cancel before the service's cut-off (refunded in full). What
-- is done is settled with the merchant's commission, as offers are.
-- Points also buy parking: a discount on a parking session's fee.

CREATE TABLE shop_service (
	id          INTEGER PRIMARY KEY,
	code        TEXT NOT NULL UNIQUE,
	merchant_id INTEGER NOT NULL REFERENCES merchant(id),
	title       TEXT NOT NULL,
	price_fen   INTEGER NOT NULL CHECK (price_fen > 0),
	cutoff      INTEGER NOT NULL CHECK (cutoff >= 0),   -- seconds before a slot's start: the last time to cancel
	created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE shop_slot (
	id         INTEGER PRIMARY KEY,
	service_id INTEGER NOT NULL REFERENCES shop_service(id),
	starts_at  INTEGER NOT NULL,
	capacity   INTEGER NOT NULL CHECK (capacity > 0),   -- bookings it takes
	created_at INTEGER NOT NULL,
	UNIQUE (service_id, starts_at)
) STRICT;

CREATE TABLE shop_service_settlement (
	id             INTEGER PRIMARY KEY,
	service_id     INTEGER NOT NULL REFERENCES shop_service(id),
	gross_fen      INTEGER NOT NULL,
	commission_fen INTEGER NOT NULL,
	net_fen        INTEGER NOT NULL,   -- paid out to the merchant
	channel        TEXT NOT NULL,
	journal_id     INTEGER NOT NULL REFERENCES journal(id),
	at             INTEGER NOT NULL
) STRICT;

CREATE TABLE shop_booking (
	id            INTEGER PRIMARY KEY,
	slot_id       INTEGER NOT NULL REFERENCES shop_slot(id),
	unit_id       INTEGER NOT NULL REFERENCES unit(id),
	amount_fen    INTEGER NOT NULL CHECK (amount_fen > 0),
	channel       TEXT NOT NULL,
	ref           TEXT NOT NULL,
	state         TEXT NOT NULL DEFAULT 'paid'
	              CHECK (state IN ('paid','confirmed','declined','done','cancelled','settled')),
	refunded_fen  INTEGER NOT NULL DEFAULT 0 CHECK (refunded_fen >= 0),
	reason        TEXT,                 -- why declined or cancelled
	rating        INTEGER CHECK (rating BETWEEN 1 AND 5),
	settlement_id INTEGER REFERENCES shop_service_settlement(id),
	journal_id    INTEGER NOT NULL REFERENCES journal(id),
	at            INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL,
	UNIQUE (channel, ref)
) STRICT;
CREATE INDEX shop_booking_slot ON shop_booking(slot_id, state);

-- Points spent on a parking session: the payment they made, the points
-- (rewards.parking.points_per_fen a fen), the month they count in for
-- rewards.parking.month_cap.
CREATE TABLE parking_discount (
	id         INTEGER PRIMARY KEY,
	payment_id INTEGER NOT NULL UNIQUE REFERENCES parking_payment(id),
	unit_id    INTEGER NOT NULL REFERENCES unit(id),
	points     INTEGER NOT NULL CHECK (points > 0),
	month      TEXT NOT NULL,
	journal_id INTEGER NOT NULL REFERENCES journal(id)
) STRICT;
CREATE INDEX parking_discount_unit ON parking_discount(unit_id, month);
