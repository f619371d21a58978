#!/bin/sh
# A store whose change feed was logged by triggers (migrations 0028 to
# 0030) upgrades to the library's log (0032_feed_hook): the triggers go,
# a cursor handed out before stays valid, and what changes after is in
# the feed from it, seq going on.
. "$PM_TOP/tests/cli/lib.sh"

# The store before 0032_feed_hook, made from the migrations before it.
store_before 0032_feed_hook.sql
sqlite3 "$PM_DB" "INSERT INTO building (id, code) VALUES (1, '1'); INSERT INTO entrance (id, building_id, code) VALUES (1, 1, '1');
	INSERT INTO unit (id, code, building_id, entrance_id, room, floor, area_centi, use, status, created_at, updated_at)
	VALUES (1, '1-1-101', 1, 1, '101', 1, 6000, 'residential', 'occupied', 0, 0)"
expect_eq "$(sql "SELECT group_concat(tbl || pk, ' ') FROM change_log")" "building[1] entrance[1] unit[1]" \
	"the old store's triggers logged its rows"
c=$(sql "SELECT seq || '.' || at FROM change_log ORDER BY seq DESC LIMIT 1")

feed '{"code":"1-1-101","area":"65","status":"occupied"}\n{"code":"1-1-102","area":"70","status":"occupied"}\n' pm unit import
expect_rc 0 "pm upgrades the store and writes"
expect_eq "$(sql 'PRAGMA user_version')" "$(ls "$PM_TOP"/share/pm/schema/*.sql | wc -l)" "at this pm's schema"
expect_eq "$(sql "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%change_log%'")" 0 \
	"without the feed's triggers"
expect_eq "$(sql "SELECT group_concat(seq || tbl || pk, ' ') FROM change_log WHERE seq > 3")" "4unit[1] 5unit[2]" \
	"the library logs the changes after, seq going on"
run pm export --since "$c" --format jsonl
expect_rc 0 "the cursor from before the upgrade"
expect_eq "$(jq -c 'select(.type == "change") | [.table, .key, .op, .row.area_centi]' "$T/out" | tr '\n' ' ')" \
	'["unit",[1],"upsert",6500] ["unit",[2],"upsert",7000] ' "gives what changed since"
done_testing
