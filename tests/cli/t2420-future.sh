#!/bin/sh
# pm-meter ingest: a reading more than meters.future_tolerance (default 1d)
# after now is rejected as in the future, so one meter with a bad clock
# cannot sit above every true reading that follows. PM_NOW is the clock.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00; export PM_NOW

run pm init
run pm-meter add W-1 --kind water --serves community --installed 2026-01-01T00:00:00+08:00

cat >r.jsonl <<'J'
{"meter":"W-1","ts":"2036-12-01T09:00:00+08:00","value":"50"}
{"meter":"W-1","ts":"2026-11-30T20:00:00+08:00","value":"20"}
{"meter":"W-1","ts":"2026-12-02T09:00:00+08:00","value":"21"}
{"meter":"W-1","ts":"2026-12-02T01:00:01Z","value":"22"}
J
run pm-meter ingest --reject rej.jsonl r.jsonl
expect_rc 65 "a reading ten years ahead exits 65"
expect_err '^pm-meter: r.jsonl:1: reading at 2036-12-01T09:00:00\+08:00 is in the future: later than 2026-12-02T09:00:00\+08:00, now plus meters.future_tolerance$' \
	"it is rejected as in the future, naming the latest time taken"
expect_err '^pm-meter: r.jsonl:4: reading at 2026-12-02T09:00:01\+08:00 is in the future: ' "one second past the day's tolerance too"
expect_err "read 4, inserted 2, duplicate 0, replaced 0, rejected 2" "the others are stored"
expect_eq "$(sql "SELECT ts, value FROM reading")" "1796040000|20000
1796173200|21000" "the true reading and the one exactly a day ahead are stored"
expect_eq "$(grep -c 2036 rej.jsonl)" "1" "the future reading is in the reject file"
expect_eq "$(sql "SELECT count(*) FROM meter_event")" "0" "and blocks nothing: no decrease was rejected"

PM_NOW=2026-12-01T09:00:01+08:00 run pm-meter ingest r.jsonl
expect_rc 65 "a second later"
expect_err "read 4, inserted 1, duplicate 2, replaced 0, rejected 1" "the reading a day and a second ahead is taken: the tolerance follows PM_NOW"
cat >tol.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试
meters:
  future_tolerance: 2h
Y
run pm config apply tol.yaml
expect_rc 0 "meters.future_tolerance is a duration"
printf '%s\n' '{"meter":"W-1","ts":"2026-12-01T11:00:00+08:00","value":"20.5"}' \
	'{"meter":"W-1","ts":"2026-12-01T11:00:01+08:00","value":"20.6"}' >t.jsonl
run pm-meter ingest t.jsonl
expect_rc 65 "with 2h"
expect_err '^pm-meter: t.jsonl:2: reading at 2026-12-01T11:00:01\+08:00 is in the future: later than 2026-12-01T11:00:00\+08:00, ' \
	"a reading 2h and 1s ahead is rejected"
expect_err "inserted 1, duplicate 0, replaced 0, rejected 1" "and one 2h ahead is taken"
sed 's/2h/0s/' tol.yaml >zero.yaml
run pm config apply zero.yaml
printf '%s\n' '{"meter":"W-1","ts":"2026-12-01T09:00:00+08:00","value":"20.2"}' \
	'{"meter":"W-1","ts":"2026-12-01T09:00:01+08:00","value":"20.3"}' >z.jsonl
run pm-meter ingest z.jsonl
expect_err "z.jsonl:2: reading at 2026-12-01T09:00:01\+08:00 is in the future" "0s takes nothing after now"
expect_err "inserted 1, duplicate 0, replaced 0, rejected 1" "and now itself is taken"
sed 's/2h/367d/' tol.yaml >long.yaml
run pm config apply long.yaml
expect_rc 78 "more than 366d is a configuration error"
expect_err "future_tolerance" "naming the key"
done_testing
