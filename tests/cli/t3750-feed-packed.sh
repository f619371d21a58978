#!/bin/sh
# A bulk run's keys in the change feed: a run of 64 or more keys of one
# table (pm-meter ingest's readings) is stored as one change_log row, and
# pm export gives from it exactly what it gives from the same keys a row
# each (what pm wrote before): the same records in the same order, each
# key once at its last change, and the cursors and --prune-before work
# on it as on any row.
. "$PM_TOP/tests/cli/lib.sh"

pm init --community 测试小区 >/dev/null 2>&1
feed '{"code":"M1","kind":"water","serves":"community","installed":"2026-01-01T00:00:00+08:00"}
{"code":"M2","kind":"water","serves":"community","installed":"2026-01-01T00:00:00+08:00"}
{"code":"M3","kind":"water","serves":"community","installed":"2026-01-01T00:00:00+08:00"}\n' pm-meter import
expect_rc 0 "three meters"
cursor() { jq -r 'select(.type == "cursor") | .cursor' "$1"; }
run pm export --format jsonl
c0=$(cursor "$T/out")

# 70 times, each meter's reading at each: 210 keys, one after the other.
awk 'BEGIN { for (k = 1; k <= 70; k++) for (m = 1; m <= 3; m++)
	printf "{\"meter\":\"M%d\",\"ts\":\"2026-10-%02dT%02d:00:00+08:00\",\"value\":\"%d.%03d\"}\n",
		m, 1 + int((k - 1) / 24), (k - 1) % 24, int((m * 100000 + k * 7) / 1000), (m * 100000 + k * 7) % 1000 }' >readings.jsonl
run pm-meter ingest readings.jsonl
expect_rc 0 "210 readings"
expect_eq "$(sql "SELECT count(*) FROM reading")" 210 "stored"
expect_eq "$(sql "SELECT count(*) || ' ' || json_array_length(max(pk)) FROM change_log WHERE seq > ${c0%%.*}")" "1 210" \
	"their 210 keys in one change_log row"
run pm export --since "$c0" --format jsonl
cp "$T/out" feed1
c1=$(cursor feed1)
# Noted as written: a batch's readings meter by meter, in time order.
expect_eq "$(jq -c 'select(.type == "change") | [.table, .key[0], .op, .row.value]' feed1 | sed -n '1,2p;70,71p' | tr '\n' ' ')" \
	'["reading",1,"upsert",100007] ["reading",1,"upsert",100014] ["reading",1,"upsert",100490] ["reading",2,"upsert",200007] ' \
	"pm export gives each key's record in the order noted"
expect_eq "$(jq -c 'select(.type == "change")' feed1 | wc -l)" 210 "one each"
expect_eq "$(jq -r 'select(.type == "change") | .key | map(tostring) | join(" ")' feed1 | awk '{ print $1, $2 }' |
	sort -u | wc -l)" 210 "each key once"

# 300 new readings in batches of 200, three corrections among them (two
# of one reading) of readings already sent: the corrected keys come
# again, at their last change.
awk 'BEGIN { for (k = 71; k <= 170; k++) for (m = 1; m <= 3; m++) {
	printf "{\"meter\":\"M%d\",\"ts\":\"2026-10-%02dT%02d:00:00+08:00\",\"value\":\"%d.%03d\"}\n",
		m, 1 + int((k - 1) / 24), (k - 1) % 24, int((m * 100000 + k * 7) / 1000), (m * 100000 + k * 7) % 1000
	if (k == 100 && m == 1) print "{\"meter\":\"M2\",\"ts\":\"2026-10-01T04:00:00+08:00\",\"value\":\"200.034\"}"
	if (k == 140 && m == 3) print "{\"meter\":\"M1\",\"ts\":\"2026-10-01T01:00:00+08:00\",\"value\":\"100.013\"}" } }
	END { print "{\"meter\":\"M2\",\"ts\":\"2026-10-01T04:00:00+08:00\",\"value\":\"200.033\"}" }' >more.jsonl
run pm-meter ingest --replace --batch 200 more.jsonl
expect_rc 0 "300 more and three corrections"
expect_err "pm-meter: read 303, inserted 300, duplicate 0, replaced 3, rejected 0" "counted"
expect_eq "$(sql "SELECT group_concat(json_array_length(pk), ' ') FROM change_log WHERE seq > ${c1%%.*}")" "200 103" \
	"a row a batch, the corrections' keys in it"

# The same keys a row each, as pm wrote them before: a copy of the store
# whose rows after the first cursor are unpacked, in order.
cp "$PM_DB" unpacked.db
sqlite3 unpacked.db "CREATE TEMP TABLE k AS SELECT tbl, pk, seq, n, at FROM
	(SELECT tbl, pk, seq, 0 AS n, at FROM change_log WHERE pk NOT LIKE '[[%'
	 UNION ALL SELECT c.tbl, j.value, c.seq, j.key, c.at FROM change_log c, json_each(c.pk) j WHERE c.pk LIKE '[[%');
	DELETE FROM change_log WHERE seq > ${c0%%.*};
	INSERT INTO change_log (tbl, pk, at) SELECT tbl, pk, at FROM k WHERE seq > ${c0%%.*} ORDER BY seq, n;"
expect_eq "$(sqlite3 unpacked.db "SELECT count(*) FROM change_log WHERE seq > ${c0%%.*}")" 513 "unpacked: 513 rows"
run pm export --since "$c0" --format jsonl
jq -c 'select(.type == "change")' "$T/out" >packed.out
run pm export --db unpacked.db --since "$c0" --format jsonl
jq -c 'select(.type == "change")' "$T/out" >unpacked.out
expect_eq "$(wc -l <packed.out)" 510 "510 keys since the first cursor"
expect_eq "$(cat packed.out)" "$(cat unpacked.out)" "the records a row each give, in their order"
expect_eq "$(jq -c '[.key, .row.value]' packed.out | grep -n -e '^\[\[1,1790787600\]' -e '^\[\[2,1790798400\]' | tr '\n' ' ')" \
	'419:[[1,1790787600],100013] 510:[[2,1790798400],200033] ' "each corrected key once, at its last change"

# Since the cursor in the middle, and pruned before it.
run pm export --since "$c1" --format jsonl
jq -c 'select(.type == "change")' "$T/out" >since1
expect_eq "$(wc -l <since1)" 302 "since the middle: the 300 new and the two corrected keys"
run pm export --prune-before "$c1"
expect_rc 0 "pruned before the middle"
expect_eq "$(sql "SELECT count(*) FROM change_log WHERE seq <= ${c1%%.*}")" 1 "the cursor's own row stays"
run pm export --since "$c1" --format jsonl
expect_eq "$(jq -c 'select(.type == "change")' "$T/out")" "$(cat since1)" "the same after the prune"
run pm check
expect_rc 0 "pm check"
done_testing
