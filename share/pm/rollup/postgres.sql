-- The property group's copy of its communities, loaded from each store's
-- change feed (pm export) by pm-rollup load. Run once per database, and
-- again after each upgrade of pm (it creates only what is missing and
-- replaces the views and functions):
--   psql -d group -f postgres.sql
--
-- Every row is kept as the store sent it, as JSON, under the community it
-- came from (the store's id), the table and the row's key: a column a
-- later pm adds arrives without a change here, and the views below give
-- the reports typed columns. Every key starts with the community, so
-- Citus can distribute the tables by it (README, "Property groups").

-- Where each community's feed stands: the cursor its last batch ended at.
-- Citus: a reference table (small, read by every report, copied to every node).
CREATE TABLE IF NOT EXISTS rollup_community (
	community text PRIMARY KEY,           -- the store's id, pm export's "store"
	cursor    text NOT NULL,              -- pm export --since this next
	loaded_at timestamptz NOT NULL DEFAULT now(),
	tz        text NOT NULL DEFAULT 'Asia/Shanghai' -- its community.timezone: where its months begin
);

-- Citus: distributed by community.
CREATE TABLE IF NOT EXISTS rollup_row (
	community text NOT NULL,
	tbl       text NOT NULL,              -- the store's table: bill, payment, ...
	key       jsonb NOT NULL,             -- the row's key; a bill's line: the bill's key and its place
	parent    jsonb,                      -- a bill line's or a posting's parent key, else NULL
	row       jsonb NOT NULL,
	at        bigint NOT NULL,            -- when it changed in the store, Unix seconds
	PRIMARY KEY (community, tbl, key)
);
CREATE INDEX IF NOT EXISTS rollup_row_parent ON rollup_row (community, tbl, parent) WHERE parent IS NOT NULL;

CREATE OR REPLACE VIEW rollup_bill AS
SELECT community, (row->>'id')::bigint AS id, row->>'code' AS code, (row->>'unit_id')::bigint AS unit_id,
       row->>'period' AS period, row->>'status' AS status, (row->>'total_fen')::bigint AS total_fen,
       (row->>'late_fen')::bigint AS late_fen, (row->>'adjust_fen')::bigint AS adjust_fen,
       (row->>'paid_fen')::bigint AS paid_fen, (row->>'due')::date AS due,
       (row->>'issued_at')::bigint AS issued_at
  FROM rollup_row WHERE tbl = 'bill';

CREATE OR REPLACE VIEW rollup_unit AS
SELECT community, (row->>'id')::bigint AS id, row->>'code' AS code, (row->>'building_id')::bigint AS building_id,
       row->>'status' AS status
  FROM rollup_row WHERE tbl = 'unit';

CREATE OR REPLACE VIEW rollup_payment AS
SELECT community, (row->>'id')::bigint AS id, row->>'channel' AS channel, row->>'ref' AS ref,
       (row->>'amount_fen')::bigint AS amount_fen, (row->>'refunded_fen')::bigint AS refunded_fen,
       to_timestamp((row->>'at')::bigint) AS at
  FROM rollup_row WHERE tbl = 'payment';

-- pm-rollup report collection: pm-report collection's figures (bills
-- issued, partly paid or paid; drafts and voids are no charge) for each
-- community and period.
CREATE OR REPLACE VIEW rollup_collection AS
SELECT community, period, count(*) AS bills, count(*) FILTER (WHERE status = 'paid') AS paid_bills,
       sum(total_fen) AS charged_fen, sum(adjust_fen) AS adjust_fen, sum(late_fen) AS late_fen,
       sum(paid_fen) AS collected_fen
  FROM rollup_bill WHERE status IN ('issued', 'partial', 'paid') GROUP BY community, period;

-- pm-rollup report arrears: pm-report arrears' aging, a row a community:
-- bills issued or partly paid with something owed, past due on the day
-- asked (pm_rollup_arrears(from period, to period, as-of day)).
CREATE OR REPLACE VIEW rollup_owed AS
SELECT community, unit_id, period, due, total_fen + late_fen + adjust_fen - paid_fen AS owed_fen
  FROM rollup_bill WHERE status IN ('issued', 'partial') AND total_fen + late_fen + adjust_fen - paid_fen > 0;

-- What each bill owed at the end of a community's past as-of day, as
-- pm-report arrears --as-of counts it (owed_then_sql in lib/report-money.c):
-- issued before then and not voided by then; its lines, plus its late
-- fees and notes recorded before then, less its allocations made before
-- then (a payment's at its time, prepaid money's and a negative
-- allocation's at its journal entry's). days: {community: {"day", "end"}},
-- end the Unix second the day ends in the community's zone, or null for
-- today, when what the bills owe now is the answer (rollup_owed).
CREATE OR REPLACE FUNCTION rollup_owed_on(days jsonb)
RETURNS TABLE (community text, unit_id bigint, period text, due date, owed_fen bigint)
LANGUAGE sql STABLE AS $$
WITH d AS (SELECT key AS community, (value->>'end')::bigint AS t FROM jsonb_each(days)),
past AS (SELECT community, t FROM d WHERE t IS NOT NULL),
j AS (SELECT r.community, (r.row->>'id')::bigint AS id, (r.row->>'ts')::bigint AS ts, r.row->>'kind' AS kind,
             r.row->>'ref' AS ref
        FROM rollup_row r JOIN past USING (community) WHERE r.tbl = 'journal'),
lf AS (SELECT r.community, (r.row->>'bill_id')::bigint AS bill_id, sum((r.row->>'amount_fen')::bigint) AS s
         FROM rollup_row r JOIN past USING (community)
        WHERE r.tbl = 'late_fee' AND (r.row->>'created_at')::bigint < past.t GROUP BY 1, 2),
ad AS (SELECT r.community, (r.row->>'bill_id')::bigint AS bill_id, sum((r.row->>'amount_fen')::bigint) AS s
         FROM rollup_row r JOIN past USING (community)
        WHERE r.tbl = 'adjustment' AND (r.row->>'created_at')::bigint < past.t GROUP BY 1, 2),
al AS (SELECT a.community, (a.row->>'bill_id')::bigint AS bill_id, sum((a.row->>'amount_fen')::bigint) AS s
         FROM rollup_row a JOIN past USING (community)
         JOIN j ON j.community = a.community AND j.id = (a.row->>'journal_id')::bigint
         LEFT JOIN rollup_row p ON p.community = a.community AND p.tbl = 'payment'
              AND p.key = jsonb_build_array((a.row->>'payment_id')::bigint)
        WHERE a.tbl = 'allocation' AND CASE WHEN (a.row->>'amount_fen')::bigint > 0
              THEN coalesce((p.row->>'at')::bigint, j.ts) ELSE j.ts END < past.t GROUP BY 1, 2)
SELECT o.community, o.unit_id, o.period, o.due, o.owed_fen FROM rollup_owed o JOIN d USING (community) WHERE d.t IS NULL
UNION ALL
SELECT b.community, b.unit_id, b.period, b.due,
       b.total_fen + coalesce(lf.s, 0) + coalesce(ad.s, 0) - coalesce(al.s, 0)
  FROM rollup_bill b JOIN past USING (community)
  LEFT JOIN lf ON lf.community = b.community AND lf.bill_id = b.id
  LEFT JOIN ad ON ad.community = b.community AND ad.bill_id = b.id
  LEFT JOIN al ON al.community = b.community AND al.bill_id = b.id
 WHERE b.status <> 'draft' AND b.issued_at < past.t
   AND (b.status <> 'void' OR NOT EXISTS (SELECT 1 FROM j WHERE j.community = b.community
        AND j.kind = 'void' AND j.ref = 'bill:' || b.code AND j.ts < past.t))
   AND b.total_fen + coalesce(lf.s, 0) + coalesce(ad.s, 0) - coalesce(al.s, 0) > 0
$$;

-- pm-rollup report service: pm-report service's tickets (inspections
-- aside) with their times, as the community's own report reads them.
CREATE OR REPLACE VIEW rollup_ticket AS
SELECT r.community, (row->>'id')::bigint AS id, row->>'kind' AS kind, row->>'category' AS category,
       row->>'status' AS status, (row->>'submitted_at')::bigint AS submitted_at,
       (row->>'accepted_at')::bigint AS accepted_at, (row->>'resolved_at')::bigint AS resolved_at,
       (row->>'stars')::int AS stars, (row->>'repeats')::int AS repeats,
       (row->>'business_hours')::int AS business_hours,
       (row->>'accept_budget')::bigint AS accept_budget, (row->>'accept_used')::bigint AS accept_used,
       (row->>'accept_since')::bigint AS accept_since, (row->>'accept_breach')::bigint AS accept_breach,
       (row->>'resolve_budget')::bigint AS resolve_budget, (row->>'resolve_used')::bigint AS resolve_used,
       (row->>'resolve_since')::bigint AS resolve_since, (row->>'resolve_breach')::bigint AS resolve_breach,
       c.tz
  FROM rollup_row r JOIN rollup_community c USING (community) WHERE tbl = 'ticket';

-- pm-rollup report consumption: each meter's usage in a month, the
-- register at the month's end less the one at its start (the last
-- reading at or before each, else the meter's initial), plus a turn of
-- the register for each reading of the month below the one before it
-- (a wrap, as pm-meter usage counts it), times its multiplier. pm-meter
-- usage also estimates a month without readings and follows a replaced
-- meter; this reads what was read, and is the same where the meters
-- were read (README, "Property groups").
CREATE OR REPLACE VIEW rollup_meter AS
SELECT r.community, (row->>'id')::bigint AS id, row->>'kind' AS kind, row->>'scope' AS scope,
       row->>'uom' AS uom, (row->>'multiplier')::bigint AS multiplier, (row->>'initial')::bigint AS initial,
       (row->>'installed_at')::bigint AS installed_at, (row->>'retired_at')::bigint AS retired_at, c.tz,
       (row->>'digits')::int AS digits
  FROM rollup_row r JOIN rollup_community c USING (community) WHERE tbl = 'meter';

CREATE OR REPLACE VIEW rollup_reading AS
SELECT community, (row->>'meter_id')::bigint AS meter_id, (row->>'ts')::bigint AS ts,
       (row->>'value')::bigint AS value
  FROM rollup_row WHERE tbl = 'reading';

-- The register of each community's meters at the start of month m (its
-- first day, in the community's zone).
CREATE OR REPLACE FUNCTION rollup_register(m date) RETURNS TABLE (community text, meter_id bigint, value bigint)
LANGUAGE sql STABLE AS $$
	SELECT mt.community, mt.id, coalesce((SELECT rd.value FROM rollup_reading rd
		WHERE rd.community = mt.community AND rd.meter_id = mt.id
		  AND rd.ts <= extract(epoch FROM m::timestamp AT TIME ZONE mt.tz)
		ORDER BY rd.ts DESC LIMIT 1), mt.initial)
	  FROM rollup_meter mt
$$;

-- Each meter's usage in month m, in thousandths of its unit.
CREATE OR REPLACE FUNCTION rollup_usage(m date)
RETURNS TABLE (community text, meter_id bigint, kind text, scope text, uom text, usage bigint)
LANGUAGE sql STABLE AS $$
	SELECT mt.community, mt.id, mt.kind, mt.scope, mt.uom,
	       (b.value - a.value + (10::numeric ^ (mt.digits + 3))::bigint * (SELECT count(*) FROM
		(SELECT rd.value < lag(rd.value, 1, a.value) OVER (ORDER BY rd.ts) AS down FROM rollup_reading rd
		  WHERE rd.community = mt.community AND rd.meter_id = mt.id
		    AND rd.ts > extract(epoch FROM m::timestamp AT TIME ZONE mt.tz)
		    AND rd.ts <= extract(epoch FROM (m + interval '1 month')::timestamp AT TIME ZONE mt.tz)) w
		WHERE down)) * mt.multiplier
	  FROM rollup_meter mt
	  JOIN rollup_register(m) a ON a.community = mt.community AND a.meter_id = mt.id
	  JOIN rollup_register((m + interval '1 month')::date) b ON b.community = mt.community AND b.meter_id = mt.id
	 WHERE mt.installed_at < extract(epoch FROM (m + interval '1 month')::timestamp AT TIME ZONE mt.tz)
	   AND (mt.retired_at IS NULL OR mt.retired_at >= extract(epoch FROM m::timestamp AT TIME ZONE mt.tz))
$$;
