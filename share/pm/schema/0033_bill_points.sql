-- Reward points spent on a bill's parking lines (pm-bill pay-points, 停车
-- 优惠 on the monthly parking fee): the bill payment of channel 'points'
-- they made, whose points paid (the bill's unit, or a unit of the same
-- owner), how many, and the month rewards.parking.month_cap counts them in,
-- with pm-gate's parking_discount.
CREATE TABLE bill_points (
	id         INTEGER PRIMARY KEY,
	payment_id INTEGER NOT NULL UNIQUE REFERENCES payment(id),
	unit_id    INTEGER NOT NULL REFERENCES unit(id),
	points     INTEGER NOT NULL CHECK (points > 0),
	month      TEXT NOT NULL,
	journal_id INTEGER NOT NULL REFERENCES journal(id)
) STRICT;
CREATE INDEX bill_points_unit ON bill_points(unit_id, month);
