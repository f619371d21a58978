#!/bin/sh
# pm-meter ingest holds the readings of a batch that follow their meter's
# latest and writes them meter by meter when the batch commits (the
# table's order: a batch of a collector's readings, every meter at each
# time, no longer rewrites every page of the readings for each time). A
# reading checked against the store must see the readings held before it:
# one earlier than a held one is checked against it, one at its time is
# the same again or a conflict. A batch rolled back writes none of them;
# the change feed gets each key once, in the order written, also when the
# keys of one batch are written out before its commit.
. "$PM_TOP/tests/cli/lib.sh"

run pm init
printf '{"code":"1-1-101","area":"80.00","delivered":"2020-01-01"}\n' >units.jsonl
run pm unit import units.jsonl
run pm-meter add W1 --kind water --serves 1-1-101 --initial 10
run pm-meter add W2 --kind water --serves 1-1-101 --initial 20
expect_rc 0 "two meters"

# One batch: the first three held, the fourth earlier than one held.
cat >in.jsonl <<'EOF'
{"meter":"W1","ts":"2026-11-01T08:00:00+08:00","value":"11.000"}
{"meter":"W2","ts":"2026-11-01T08:00:00+08:00","value":"21.000"}
{"meter":"W1","ts":"2026-11-03T08:00:00+08:00","value":"13.000"}
{"meter":"W1","ts":"2026-11-02T08:00:00+08:00","value":"10.500"}
{"meter":"W1","ts":"2026-11-02T08:00:00+08:00","value":"12.000"}
{"meter":"W1","ts":"2026-11-03T08:00:00+08:00","value":"13.000"}
{"meter":"W1","ts":"2026-11-03T08:00:00+08:00","value":"13.500"}
{"meter":"W2","ts":"2026-11-02T08:00:00+08:00","value":"22.000"}
{"meter":"W2","ts":"2026-11-02T08:00:00+08:00","value":"22.000"}
EOF
run pm-meter ingest --format jsonl in.jsonl
expect_rc 65 "two of nine rejected"
expect_err "pm-meter: read 9, inserted 5, duplicate 2, replaced 0, rejected 2" "counted"
expect_err "in.jsonl:4: reading 10.500 is below 11.000 at 2026-11-01T08:00:00\\+08:00" \
	"a reading before a held one is checked against it"
expect_err "in.jsonl:7: conflict: meter 'W1' already reads 13.000 at this time, not 13.500" \
	"a reading at a held one's time is a conflict"
# A rejection is printed at once, the rest once their batch commits.
expect_eq "$(jq -r '.outcome' "$T/out" | tr '\n' ' ')" \
	"rejected rejected inserted inserted inserted inserted duplicate inserted duplicate " "each outcome printed"
expect_eq "$(sql "SELECT group_concat(m.code || '=' || r.value, ' ') FROM (SELECT * FROM reading ORDER BY meter_id, ts) r
	JOIN meter m ON m.id = r.meter_id")" "W1=11000 W1=12000 W1=13000 W2=21000 W2=22000" "stored"
expect_eq "$(sql "SELECT count(*) FROM meter_event WHERE kind = 'decrease_rejected'")" 1 "the decrease remembered"

# --strict and a bad reading at the end: the held readings are dropped
# with the rest.
cat >strict.jsonl <<'EOF'
{"meter":"W1","ts":"2026-11-04T08:00:00+08:00","value":"14.000"}
{"meter":"W2","ts":"2026-11-04T08:00:00+08:00","value":"24.000"}
{"meter":"W9","ts":"2026-11-04T08:00:00+08:00","value":"1.000"}
EOF
run pm-meter ingest --strict strict.jsonl
expect_rc 65 "strict: one bad reading"
expect_eq "$(sql "SELECT count(*) FROM reading WHERE ts >= unixepoch('2026-11-04T00:00:00Z')")" 0 "nothing written"
run pm-meter ingest strict.jsonl
expect_rc 65 "without --strict the good ones are written"
expect_eq "$(sql "SELECT count(*) FROM reading WHERE ts >= unixepoch('2026-11-04T00:00:00Z')")" 2 "two written"

# 40 meters read 500 times, time after time: 20,000 readings in one
# batch, written meter by meter; their keys (400 KB) are logged before
# the commit, part of them, and the feed gives each once in that order.
awk 'BEGIN { for (m = 1; m <= 40; m++)
	printf "{\"code\":\"F%02d\",\"kind\":\"water\",\"serves\":\"community\",\"installed\":\"2026-01-01T00:00:00+08:00\"}\n", m }' >meters.jsonl
run pm-meter import meters.jsonl
run pm export --format jsonl
c0=$(jq -r 'select(.type == "cursor") | .cursor' "$T/out")
awk 'BEGIN { for (k = 0; k < 500; k++) for (m = 1; m <= 40; m++)
	printf "{\"meter\":\"F%02d\",\"ts\":\"2026-10-%02dT%02d:%02d:00Z\",\"value\":%d}\n",
		m, 1 + int(k / 96), int(k % 96 / 4), k % 4 * 15, m * 1000 + k }' >many.jsonl
run pm-meter ingest many.jsonl
expect_rc 0 "20,000 readings"
expect_err "pm-meter: read 20000, inserted 20000, duplicate 0, replaced 0, rejected 0" "all inserted"
expect_eq "$(sql "SELECT sum(json_array_length(pk)) FROM change_log WHERE seq > ${c0%%.*}")" 20000 \
	"20,000 keys logged"
run pm export --since "$c0" --format jsonl
jq -r 'select(.type == "change") | "\(.key[0]) \(.key[1])"' "$T/out" >keys
expect_eq "$(wc -l <keys)" 20000 "the feed gives 20,000 records"
expect_eq "$(sort -n -k1,1 -k2,2 keys | cmp - keys && echo sorted)" sorted "meter by meter, each in time order"
expect_eq "$(sort -u keys | wc -l)" 20000 "each key once"
run pm check
expect_rc 0 "pm check"
done_testing
