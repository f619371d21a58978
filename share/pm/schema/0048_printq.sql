-- Records a cron job prints for the next program in its pipe (pm-repair
-- overdue's SLA breaches, pm-gate events ingest --alarms' alarms): each
-- is written in the transaction that makes it true and printed only
-- after that commits, then marked printed. A run killed between the two
-- leaves it unprinted, and the next run prints it (lib/printq.c): at
-- least once, never lost, and the same record each time, so pm-notify
-- send finds it a duplicate (its recorded_at fixes the dedupe key's day).
CREATE TABLE printq (
	id         INTEGER PRIMARY KEY,
	source     TEXT NOT NULL,                    -- repair.overdue, gate.alarm
	record     TEXT NOT NULL,                    -- the JSON record as printed
	created_at INTEGER NOT NULL,
	printed_at INTEGER                           -- NULL: not yet printed
) STRICT;
CREATE INDEX printq_due ON printq(source, id) WHERE printed_at IS NULL;
