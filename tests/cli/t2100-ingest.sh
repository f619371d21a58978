#!/bin/sh
# pm-meter ingest: every rejection reason, idempotence, --strict, --replace,
# outcome records, and a killed ingest completed by a re-run.
. "$PM_TOP/tests/cli/lib.sh"

run pm init
feed '{"code":"1-1-101","area":"80","status":"occupied"}\n' pm unit import
feed '{"code":"W1","kind":"water","serves":"1-1-101","installed":"2026-01-01T00:00:00+08:00","initial":"10"}
{"code":"E1","kind":"electricity","serves":"1-1-101","registers":["peak","valley"],"installed":"2026-01-01T00:00:00+08:00"}
{"code":"W5","kind":"water","serves":"1-1-101","digits":5,"installed":"2026-01-01T00:00:00+08:00","initial":"99990"}\n' pm-meter import

cat >r.jsonl <<'J'
{"meter":"W1","ts":"2026-11-01T08:00:00+08:00","value":12.345}
{"meter":"W1","ts":"2026-11-02T08:00:00+08:00","value":"13.5"}
{"meter":"W1","ts":"2026-11-01T20:00:00+08:00","value":12.9,"source":"handheld","note":"抄表"}
{"meter":"W5","ts":"2026-11-01T08:00:00+08:00","value":"99995"}
{"meter":"W5","ts":"2026-11-02T08:00:00+08:00","value":"3.5"}
{"meter":"E1","ts":"2026-11-01T08:00:00+08:00","value":"100","registers":{"peak":60,"valley":"40"}}
{"meter":"NOPE","ts":"2026-11-01T08:00:00+08:00","value":1}
{"meter":"W1","ts":"2026-11-31T08:00:00+08:00","value":14}
{"meter":"W1","ts":"2026-11-03T08:00:00+08:00","value":-1}
{"meter":"W1","ts":"2026-11-03T08:00:00+08:00","value":"abc"}
{"meter":"W1","ts":"2025-12-31T08:00:00+08:00","value":1}
{"meter":"W1","ts":"2026-11-03T08:00:00+08:00","value":11}
{"meter":"W1","ts":"2026-11-01T08:00:00+08:00","value":12.346}
{"meter":"E1","ts":"2026-11-02T08:00:00+08:00","value":"101","registers":{"flat":1}}
{"meter":"E1","ts":"2026-11-02T08:00:00+08:00","value":"101","registers":{"peak":61,"valley":41}}
{"meter":"W1","ts":"2026-11-03T08:00:00+08:00","value":12.3456}
{"meter":"W1","ts":"2026-11-01T08:00:00+08:00","value":12.345}
{"meter":"W1","ts":"2026-11-01T10:00:00+08:00","value":"13.6"}
J
run pm-meter ingest --reject rej.jsonl r.jsonl
expect_rc 65 "ingest with bad readings exits 65"
expect_err "^pm-meter: r.jsonl:7: unknown meter 'NOPE'$" "unknown meter"
expect_err "^pm-meter: r.jsonl:8: field \"ts\": expected an RFC 3339 time" "bad timestamp"
expect_err "^pm-meter: r.jsonl:9: field \"value\": negative$" "negative value"
expect_err "^pm-meter: r.jsonl:10: field \"value\": \"abc\": " "non-numeric value"
expect_err "^pm-meter: r.jsonl:11: reading before meter 'W1' was installed \(2026-01-01T00:00:00\+08:00\)$" "before installation"
expect_err "^pm-meter: r.jsonl:12: reading 11.000 is below 13.500 at 2026-11-02T08:00:00\+08:00 and is no register wrap: rejected$" "a decrease"
expect_err "^pm-meter: r.jsonl:13: conflict: meter 'W1' already reads 12.345 at this time, not 12.346 \(--replace corrects it\)$" "a conflicting value, both named"
expect_err "^pm-meter: r.jsonl:14: field \"registers\": meter 'E1' has no register \"flat\"$" "an undeclared register"
expect_err "^pm-meter: r.jsonl:15: registers sum to 102.000, more than the total 101.000$" "registers above the total"
expect_err "^pm-meter: r.jsonl:16: field \"value\": \"12.3456\": more than 3 decimals$" "more than three decimals"
expect_err "^pm-meter: r.jsonl:18: reading 13.600 is above 12.900 at 2026-11-01T20:00:00\+08:00, which follows it: rejected$" \
	"an out-of-order reading above its successor"
expect_err "read 18, inserted 6, duplicate 1, replaced 0, rejected 11" "the summary counts every outcome"
expect_eq "$(wc -l <rej.jsonl | tr -d ' ')" "11" "the 11 bad lines are in the reject file"
expect_eq "$(sql "SELECT m.code, r.ts, r.value FROM reading r JOIN meter m ON m.id = r.meter_id ORDER BY m.code, r.ts")" \
"E1|1793491200|100000
W1|1793491200|12345
W1|1793534400|12900
W1|1793577600|13500
W5|1793491200|99995000
W5|1793577600|3500" "readings stored exactly, out-of-order ones included, the wrap accepted"
expect_eq "$(sql "SELECT reg, value FROM reading_register ORDER BY reg")" "2|60000
4|40000" "registers stored"
expect_eq "$(sql "SELECT source, note FROM reading_note")" "handheld|抄表" "source and note kept"
expect_eq "$(sql "SELECT count(*) FROM meter_event WHERE kind = 'decrease_rejected'")" "2" "rejected decreases kept for anomalies"

run pm-meter ingest r.jsonl
expect_err "inserted 0, duplicate 7" "a second run inserts nothing"
expect_eq "$(sql "SELECT count(*) FROM reading")" "6" "and leaves the same readings"

printf '{"meter":"W1","ts":"2026-11-01T08:00:00+08:00","value":12.4}\n' >fix.jsonl
run pm-meter ingest --replace fix.jsonl
expect_rc 0 "--replace corrects a reading"
expect_err "replaced 1" "counted as replaced"
expect_eq "$(sql "SELECT value FROM reading WHERE ts = 1793491200 AND meter_id = (SELECT id FROM meter WHERE code = 'W1')")" "12400" "to the new value"
expect_eq "$(sql "SELECT before, after FROM audit WHERE action = 'reading.replace'")" \
	'{"ts":"2026-11-01T00:00:00Z","value":"12.345"}|{"ts":"2026-11-01T00:00:00Z","value":"12.400"}' "with an audit record of before and after"

printf '{"meter":"W1","ts":"2026-11-05T08:00:00+08:00","value":20}\n{"meter":"NOPE","ts":"2026-11-05T08:00:00+08:00","value":1}\n' >strict.jsonl
run pm-meter ingest --strict strict.jsonl
expect_rc 65 "--strict with a bad line exits 65"
expect_eq "$(sql "SELECT count(*) FROM reading WHERE ts = 1793836800")" "0" "and commits nothing"

run pm-meter ingest --format jsonl strict.jsonl
expect_out '^\{"type":"ingest","meter":"W1","ts":"2026-11-05T08:00:00\+08:00","outcome":"inserted"\}$' "an outcome record per reading"
expect_out '^\{"type":"ingest","meter":"NOPE","ts":"2026-11-05T08:00:00\+08:00","outcome":"rejected","reason":"unknown meter .NOPE."\}$' \
	"rejected ones too, with the reason"

# A killed ingest loses at most the uncommitted batch; a re-run completes it.
awk 'BEGIN { for (m = 1; m <= 200; m++) printf "{\"code\":\"K%03d\",\"kind\":\"electricity\",\"serves\":\"community\"}\n", m }' >km.jsonl
run pm-meter import km.jsonl
python3 - <<'PY' >big.jsonl
import datetime
t0 = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
for d in range(1000):
    ts = (t0 + datetime.timedelta(hours=d)).strftime('%Y-%m-%dT%H:%M:%SZ')
    for m in range(1, 201):
        print('{"meter":"K%03d","ts":"%s","value":"%d.%03d"}' % (m, ts, d * 3 + m, m))
PY
cp pm.db ref.db
rm -f ref.db-wal ref.db-shm
sqlite3 pm.db ".backup ref.db"
PM_DB=ref.db run pm-meter ingest big.jsonl
expect_rc 0 "an uninterrupted ingest of 200,000 readings"
pm-meter ingest big.jsonl 2>/dev/null &
pid=$!
sleep 0.4
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
partial=$(sql "SELECT count(*) FROM reading r JOIN meter m ON m.id = r.meter_id WHERE m.code LIKE 'K%'")
run pm check
expect_rc 0 "the store is sound after a kill (${partial} readings were in)"
run pm-meter ingest big.jsonl
expect_rc 0 "the re-run completes"
expect_eq "$(sql "SELECT count(*), sum(value), sum(ts) FROM reading r JOIN meter m ON m.id = r.meter_id WHERE m.code LIKE 'K%'")" \
	"$(sqlite3 ref.db "SELECT count(*), sum(value), sum(ts) FROM reading r JOIN meter m ON m.id = r.meter_id WHERE m.code LIKE 'K%'")" \
	"and gives the same readings as the uninterrupted run"
done_testing
