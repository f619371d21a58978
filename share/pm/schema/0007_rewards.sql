-- Reward points (积分) of each unit for paying online and on time. A
-- grant is unique on (unit, rule, earned_by), so a repeated run grants
-- nothing twice.

CREATE TABLE points (
	id          INTEGER PRIMARY KEY,
	unit_id     INTEGER NOT NULL REFERENCES unit(id),
	rule        TEXT NOT NULL CHECK (rule IN ('first_online_payment','on_time_streak')),
	earned_by   TEXT NOT NULL,    -- 'first', or the last period of a streak
	detail      TEXT NOT NULL,    -- payment:ID, or the streak's periods 2026-09..2026-11
	points      INTEGER NOT NULL,
	as_of       TEXT NOT NULL,    -- the day of the run that granted it
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL,
	UNIQUE (unit_id, rule, earned_by)
) STRICT;
CREATE INDEX points_unit ON points(unit_id, id);
