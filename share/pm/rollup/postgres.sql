-- The property group's copy of its communities, loaded from each store's
-- change feed (pm export) by pm-rollup load. Run once per database:
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
	loaded_at timestamptz NOT NULL DEFAULT now()
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
       (row->>'paid_fen')::bigint AS paid_fen, (row->>'due')::date AS due
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
