#!/bin/sh
# The CHECK constraints that bill runs, issues and imports evaluate are
# ORs of equalities, not IN lists (SQLite builds an ephemeral b-tree for
# an IN list each time the statement runs): on a new store and on one
# upgraded from the schema before, which then reads the same text. They
# still refuse what they refused.
. "$PM_TOP/tests/cli/lib.sh"

tables="'bill','bill_sum','unit','meter'"
run pm init
expect_rc 0 "a new store"
expect_eq "$(sql "SELECT count(*) FROM sqlite_schema WHERE name IN ($tables) AND sql LIKE '%CHECK (%IN (%'")" 0 \
	"no IN list in the CHECKs of bill, bill_sum, unit and meter"
expect_eq "$(sql "SELECT count(*) FROM sqlite_schema WHERE name IN ($tables) AND sql LIKE '%CHECK (% OR %'")" 4 \
	"each of them has its OR of equalities"
for stmt in "UPDATE bill SET status = 'issued' WHERE id = 1" \
	"INSERT INTO bill_sum VALUES ('2026-11', 1, 1, 'issued', 1, 0, 0, 0, 0)" \
	"UPDATE unit SET status = 'rented', use = 'storage' WHERE id = 1" \
	"UPDATE meter SET scope = 'unit' WHERE id = 1" \
	"INSERT INTO gate_event (ts, gate, event, subject, detail, subject_kind) VALUES (1, 'g', 'card', 'c', NULL, 'card') ON CONFLICT DO NOTHING"; do
	expect_eq "$(sql "EXPLAIN $stmt" | grep -c OpenEphemeral)" 0 "no ephemeral table: $stmt"
done

expect_eq "$(sql "SELECT count(*) FROM sqlite_schema WHERE name = 'gate_event' AND sql LIKE '%IN (%'")" 0 \
	"none in gate_event's, which every event ingested is checked by"

# A store at the schema before this one, made from the migrations before
# 0024_check_or, upgraded by opening it (through this one and any later).
store_before 0024_check_or.sql old.db
n=$(ls "$PM_TOP"/share/pm/schema/*.sql | wc -l)
expect_eq "$(sqlite3 old.db "SELECT count(*) FROM sqlite_schema WHERE name IN ($tables) AND sql LIKE '%CHECK (%IN (%'")" 4 \
	"the store before has its IN lists"
PM_DB=$T/old.db run pm unit list
expect_rc 0 "the old store opens"
expect_eq "$(sqlite3 old.db 'PRAGMA user_version')" "$n" "and is upgraded"
expect_eq "$(sqlite3 old.db "SELECT name, sql FROM sqlite_schema WHERE name IN ($tables) ORDER BY name" | md5sum)" \
	"$(sql "SELECT name, sql FROM sqlite_schema WHERE name IN ($tables) ORDER BY name" | md5sum)" \
	"its tables read as a new store's"
expect_eq "$(sqlite3 old.db 'PRAGMA integrity_check')" ok "its integrity holds"

feed '{"code":"1-1-101","area":"80"}\n' pm unit import
expect_rc 0 "a unit"
expect_eq "$(sqlite3 "$PM_DB" "UPDATE unit SET status = 'sold' WHERE code = '1-1-101'" 2>&1)" \
	"Error: stepping, CHECK constraint failed: status = 'vacant' OR status = 'occupied' OR status = 'rented' OR status = 'decorating' (19)" \
	"a unit's status outside the list is refused"
expect_eq "$(sqlite3 "$PM_DB" "UPDATE unit SET use = 'office' WHERE code = '1-1-101'" 2>&1)" \
	"Error: stepping, CHECK constraint failed: use = 'residential' OR use = 'commercial' OR use = 'parking' OR use = 'storage' (19)" \
	"so is its use"
expect_eq "$(sqlite3 "$PM_DB" "INSERT INTO bill (code, unit_id, period, status, config_version, total_fen, created_at, updated_at) VALUES ('B', 1, '2026-11', 'open', 1, 0, 0, 0)" 2>&1 | grep -c 'CHECK constraint failed')" 1 \
	"a bill's status outside the list is refused"
expect_eq "$(sqlite3 "$PM_DB" "INSERT INTO bill_sum VALUES ('2026-11', 1, 1, 'draft', 1, 0, 0, 0, 0)" 2>&1 | grep -c 'CHECK constraint failed')" 1 \
	"so is a draft in bill_sum"
expect_eq "$(sqlite3 "$PM_DB" "INSERT INTO meter (code, kind, scope, multiplier, digits, uom, installed_at, initial, created_at, updated_at) VALUES ('M', 'water', 'site', 1, 5, 'm3', 0, 0, 0, 0)" 2>&1 | grep -c 'CHECK constraint failed')" 1 \
	"and a meter's scope outside the list"
expect_eq "$(sql "SELECT status, use FROM unit")" "vacant|residential" "the unit is as it was"
done_testing
