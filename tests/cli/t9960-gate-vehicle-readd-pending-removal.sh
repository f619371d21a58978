#!/bin/sh
# pm-gate vehicle add of a plate whose removal is ahead (a sale dated
# ahead ends the unit's cars at the start of its day, t9980) made a second
# row for the same plate and unit: two registrations of one car over the
# same time, the old one still ending on the day. The same unit adding it
# again now keeps its one row and calls the removal off (audited); another
# unit is refused while the first holds it, and may add it once that
# registration has ended: a plate's rows never overlap.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
export PM_NOW=2026-12-07T10:00:00+08:00
make_gate_community
feed '{"code":"P009","name":"周洋"}\n' pm person import
run pm-gate vehicle add --plate 苏E20001 --unit 1-1-0101 --space B1-011
run pm-gate vehicle add --plate 苏E20002 --unit 1-1-0101
expect_rc 0 "two cars of 1-1-0101"
run pm unit transfer 1-1-0101 --to P009 --at 2027-01-01 --format jsonl
expect_out '"vehicles_ended":2' "sold from 1 January: both cars end then"

PM_NOW=2026-12-10T10:00:00+08:00 run pm-gate vehicle add --plate 苏E20001 --unit 1-1-0101 --kind monthly --until 2027-06-30
expect_rc 0 "the same unit adds one again before the day"
expect_eq "$(sql "SELECT count(*) FROM vehicle WHERE plate = '苏E20001'")" 1 "one row, not a second"
expect_eq "$(sql "SELECT kind || ':' || valid_until || ':' || coalesce(removed_at, '-') || ':' || coalesce(space, '-')
	FROM vehicle WHERE plate = '苏E20001'")" "monthly:2027-06-30:-:-" "the row as now added, its removal called off"
expect_eq "$(sql "SELECT json_extract(after, '\$.plate') || ' ' || json_extract(after, '\$.kind') || ' '
	|| json_extract(after, '\$.removal_cancelled') FROM audit WHERE action = 'vehicle.add' ORDER BY id DESC LIMIT 1")" \
	"苏E20001 monthly 2027-01-01T00:00:00+08:00" "audited with the removal it calls off"
PM_NOW=2026-12-10T10:00:00+08:00 run pm-gate vehicle add --plate 苏E20001 --unit 1-1-0102
expect_rc 65 "another unit may not add it"
expect_err "^pm-gate: plate 苏E20001 is registered to another unit: remove it there first$" "says so"
PM_NOW=2026-12-10T10:00:00+08:00 run pm-gate vehicle add --plate 苏E20002 --unit 1-1-0102
expect_rc 65 "nor the other car, registered to 1-1-0101 until the day"

PM_NOW=2027-01-02T09:00:00+08:00 run pm-gate vehicle list --unit 1-1-0101 --format jsonl
expect_eq "$(jq -r '.plate + " " + (.removed // "-")' "$T/out" | tr '\n' ' ')" "苏E20001 - " \
	"after the day the car added again is still 1-1-0101's, the other not"
{ printf '{"gate":"garage","ts":"2027-01-02T08:00:00+08:00","event":"entry","plate":"苏E20001"}\n'
  printf '{"gate":"garage","ts":"2027-01-02T12:00:00+08:00","event":"exit","plate":"苏E20001"}\n'; } >jan2.jsonl
PM_NOW=2027-01-02T12:00:00+08:00 run pm-gate events ingest jan2.jsonl
expect_eq "$(sql "SELECT resident || ':' || fee_fen FROM parking_session WHERE plate = '苏E20001'")" "1:0" "and parks free"
PM_NOW=2027-01-02T12:00:00+08:00 run pm-gate vehicle add --plate 苏E20002 --unit 1-1-0102
expect_rc 0 "the other car may go to another unit once its registration ended"
expect_eq "$(sql "SELECT count(*) FROM vehicle a JOIN vehicle b ON a.plate = b.plate AND a.id < b.id
	WHERE a.created_at < coalesce(b.removed_at, 9223372036854775807) AND b.created_at < coalesce(a.removed_at, 9223372036854775807)")" \
	0 "no plate has two rows over the same time"
expect_eq "$(sql "SELECT count(*) FROM vehicle")" 3 "苏E20001 once, 苏E20002 for each unit"

# A store an older pm left (schema 50, without 0051's index) with such a
# second row (added 10 December, the first ending 1 January) is mended on
# upgrade (0051): the first row ends where the second begins, the car
# registered throughout, once. What 0053 and 0054 added goes too: an older pm's
# store has none of it, and its ALTER TABLE does not run twice.
sql "INSERT INTO vehicle (plate, unit_id, kind, created_at, updated_at, removed_at)
	SELECT '苏E20009', id, 'owned', unixepoch('2026-12-07 02:00:00'), 0, unixepoch('2026-12-31 16:00:00') FROM unit WHERE code = '1-1-0102';
	INSERT INTO vehicle (plate, unit_id, kind, created_at, updated_at)
	SELECT '苏E20009', id, 'owned', unixepoch('2026-12-10 02:00:00'), 0 FROM unit WHERE code = '1-1-0102';
	DROP INDEX vehicle_plate_time; DROP TABLE vote_unit; ALTER TABLE vote DROP COLUMN counted_at;
	DROP INDEX shop_cart_nonce; ALTER TABLE shop_cart DROP COLUMN nonce;
	PRAGMA user_version = 50;"
PM_NOW=2026-12-20T10:00:00+08:00 run pm-gate vehicle list --all --unit 1-1-0102 --format jsonl
expect_rc 0 "the store upgraded"
expect_eq "$(jq -r 'select(.plate == "苏E20009") | .removed // "-"' "$T/out" | tr '\n' ' ')" \
	"- 2026-12-10T10:00:00+08:00 " "the first row ends as the second begins"
expect_eq "$(sql "SELECT count(*) FROM vehicle WHERE plate = '苏E20001' AND removed_at IS NULL")" 1 "other rows untouched"
done_testing
