#!/bin/sh
# pm unit import: JSON lines and CSV, idempotence, the reject convention.
. "$PM_TOP/tests/cli/lib.sh"

run pm init --community 测试小区
awk 'BEGIN { for (b = 1; b <= 10; b++) for (e = 1; e <= 10; e++) for (f = 1; f <= 25; f++) for (r = 1; r <= 4; r++)
	printf "{\"code\":\"%d-%d-%d%02d\",\"area\":\"%d.%02d\",\"status\":\"occupied\"}\n", b, e, f, r, 60 + f + 10 * r, (f * r) % 100 }' >units.jsonl
run pm unit import units.jsonl
expect_rc 0 "10,000 units import"
expect_err "read 10000, inserted 10000, updated 0, unchanged 0, rejected 0" "the summary counts them"
run pm unit import units.jsonl
expect_rc 0 "importing them again succeeds"
expect_err "read 10000, inserted 0, updated 0, unchanged 10000, rejected 0" "and changes nothing"
expect_eq "$(sql 'SELECT count(*) FROM unit')" "10000" "10,000 units, not 20,000"
expect_eq "$(sql 'SELECT count(*) FROM building')|$(sql 'SELECT count(*) FROM entrance')" "10|100" \
	"buildings and entrances made once each"
expect_eq "$(sql "SELECT floor, area_centi, use, status FROM unit WHERE code = '3-2-1101'")" "11|8111|residential|occupied" \
	"floor from the room, area in hundredths, defaults applied"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'unit.import' AND json_extract(after, '$.status') = 'done'")" "2" \
	"one audit record of the counts per run"

# 3 bad lines among 100.
head -97 units.jsonl >mixed.jsonl
echo '{"code":"bad code","area":"50"}' >>mixed.jsonl
echo '{"code":"1-1-2301","area":"12.345"}' >>mixed.jsonl
echo 'not json at all' >>mixed.jsonl
sql 'DELETE FROM unit'
run pm unit import --reject rejects.jsonl mixed.jsonl
expect_rc 65 "a file with bad lines exits 65"
expect_eq "$(sql 'SELECT count(*) FROM unit')" "97" "the 97 good lines are kept"
expect_err "^pm: mixed.jsonl:98: field \"code\": \"bad code\" is not BUILDING-ENTRANCE-ROOM" "line 98 is named with the reason"
expect_err "^pm: mixed.jsonl:99: field \"area\"" "line 99 is named"
expect_err "^pm: mixed.jsonl:100: invalid JSON" "line 100 is named"
expect_eq "$(cat rejects.jsonl)" "$(tail -3 mixed.jsonl)" "the reject file holds the 3 raw lines"

sql 'DELETE FROM unit'
run pm unit import --strict mixed.jsonl
expect_rc 65 "--strict with a bad line exits 65"
expect_eq "$(sql 'SELECT count(*) FROM unit')" "0" "and writes nothing"

cat >units.csv <<'CSV'
code,area,use,status,floor,delivered
"5-1-0101",88.50,commercial,vacant,1,2020-06-30
5-1-0102,"1,000.00",residential,occupied,,
5-1-B01,30,parking,vacant,-1,
CSV
run pm unit import units.csv
expect_rc 65 "CSV imports, with the bad row rejected"
expect_err "units.csv:3: field \"area\"" "a bad CSV row is named by its line"
expect_eq "$(sql "SELECT code, floor, area_centi, use, delivered FROM unit WHERE code LIKE '5-%' ORDER BY code")" \
"5-1-0101|1|8850|commercial|2020-06-30
5-1-B01|-1|3000|parking|" "CSV rows stored exactly"

feed '{"code":"5-1-0101","area":"90.00"}\n' pm unit import
expect_rc 0 "an update through stdin"
expect_eq "$(sql "SELECT area_centi, use, status FROM unit WHERE code = '5-1-0101'")" "9000|commercial|vacant" \
	"updates the area and keeps the fields not given"

run pm unit show 5-1-0101 --format jsonl
expect_rc 0 "pm unit show"
expect_out '^\{"type":"unit","code":"5-1-0101","building":"5","entrance":"1","room":"0101","floor":1,"area":"90.00","use":"commercial","status":"vacant","delivered":"2020-06-30","occupants":\[\]\}$' \
	"prints the unit as one JSON line"
run pm unit show 9-9-999
expect_rc 65 "an unknown unit"
expect_err "no unit '9-9-999'" "is named"
run pm unit list --building 5 --format csv
expect_out '^code,building,entrance,room,floor,area,use,status,delivered$' "CSV has a header row"
expect_eq "$(wc -l <"$T/out" | tr -d ' ')" "3" "and one row per unit of building 5"
run pm unit import missing.jsonl
expect_rc 66 "a missing input file exits 66"
done_testing
