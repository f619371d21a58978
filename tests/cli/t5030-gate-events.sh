#!/bin/sh
# pm-gate events ingest and list: the reject convention, one event per
# (gate, ts, event, subject), alarms out once stored with the configured
# severity, and on to the guard on duty through pm-notify.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 幸福里
gates:
  north:
    name: 北门
  garage:
    name: 地库道闸
alarms:
  role: guard
  tamper: critical
  door_held_open: none
Y
make_gate_community

cat >ev.jsonl <<'J'
{"gate":"north","ts":"2026-12-01T08:00:00+08:00","event":"card","card":"0012345678","door":1,"direction":"in"}
{"gate":"north","ts":"2026-12-01T08:00:00+08:00","event":"card","card":"0012345678","door":1,"direction":"in"}
{"gate":"south","ts":"2026-12-01T08:01:00+08:00","event":"card","card":"1"}
{"gate":"north","ts":"yesterday","event":"card","card":"1"}
{"gate":"north","ts":"2026-12-01T08:02:00+08:00","event":"explode"}
not json at all
{"gate":"garage","ts":"2026-12-01T08:03:00+08:00","event":"plate"}
{"gate":"north","ts":"2026-12-01T03:12:00+08:00","event":"door_forced","door":1}
{"gate":"garage","ts":"2026-12-01T03:15:00+08:00","event":"tamper"}
{"gate":"north","ts":"2026-12-01T03:20:00+08:00","event":"door_held_open"}
{"gate":"north","ts":"2026-12-01T08:05:00+08:00","event":"denied","card":"99999"}
{"gate":"garage","ts":"2026-12-01T08:06:00+08:00","event":"entry","plate":"京a 12345"}
J
run pm-gate events ingest --alarms --reject rej.jsonl ev.jsonl
expect_rc 65 "bad lines: exit 65"
expect_err '^pm-gate: ev.jsonl:3: field "gate": no gate .south. \(the gates are north, garage\)$' "an unknown gate, by file and line"
expect_err '^pm-gate: ev.jsonl:4: field "ts": expected an RFC 3339 time' "a bad time"
expect_err '^pm-gate: ev.jsonl:5: field "event": unknown event "explode"' "an unknown event"
expect_err '^pm-gate: ev.jsonl:6: ' "a line that is no JSON"
expect_err '^pm-gate: ev.jsonl:7: field "plate": a plate event needs the plate' "a plate event without its plate"
expect_err 'read 12, inserted 6, duplicate 1, rejected 5' "the counts"
expect_eq "$(sed -n 3p ev.jsonl)" "$(sed -n 1p rej.jsonl)" "bad lines copied to the reject file as they were"
expect_eq "$(wc -l <rej.jsonl)" "5" "all five"
expect_eq "$(sql 'SELECT count(*) FROM gate_event')" "6" "six events stored"
expect_eq "$(wc -l <"$T/out")" "2" "two alarms printed: door_held_open is none here, denied by default"
expect_out '^\{"type":"alarm","gate":"north","gate_name":"北门","event":"door_forced","severity":"critical","ts":"2026-12-01T03:12:00\+08:00","subject":null,"role":"guard","arrival":"late","recorded_at":"2026-12-01T09:00:00\+08:00"\}$' \
	"door_forced, critical by default"
expect_out '^\{"type":"alarm","gate":"garage","gate_name":"地库道闸","event":"tamper","severity":"critical",' "tamper as the configuration says"
cp "$T/out" alarms.jsonl
expect_eq "$(sql "SELECT subject || '|' || detail FROM gate_event WHERE event = 'card'")" \
	'0012345678|{"door":1,"direction":"in"}' "the subject, and the other fields kept"
expect_eq "$(sql "SELECT subject FROM gate_event WHERE event = 'entry'")" "京A12345" "plates in capitals without spaces"
expect_eq "$(sql "SELECT plate || ' ' || entry_gate FROM parking_session")" "京A12345 garage" "the entry opened a parking session"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'gate.ingest'")" "1" "one audit record for the run"

run pm-gate events ingest --alarms ev.jsonl
expect_rc 65 "the same file again"
expect_err 'read 12, inserted 0, duplicate 7, rejected 5' "changes nothing"
expect_eq "$(cat "$T/out")" "" "and raises no alarm twice"
expect_eq "$(sql 'SELECT count(*) FROM gate_event')" "6" "still six"

printf '%s\n' '{"gate":"north","ts":"2026-12-01T09:00:00+08:00","event":"fire_alarm"}' \
	'{"gate":"north","ts":"2026-12-01T09:01:00+08:00","event":"exit","person":"P001"}' \
	'{"gate":"nowhere","ts":"2026-12-01T09:02:00+08:00","event":"exit"}' >strict.jsonl
run pm-gate events ingest --alarms --strict strict.jsonl
expect_rc 65 "--strict with a bad line"
expect_err "1 bad records: nothing was written \(--strict\)" "writes nothing"
expect_err "^pm-gate: read 3, inserted 0, duplicate 0, rejected 1$" "and its summary counts none written (it said inserted 2)"
expect_eq "$(cat "$T/out")" "" "and prints no alarm of what it did not store"
expect_eq "$(sql 'SELECT count(*) FROM gate_event')" "6" "nothing stored"
run pm-gate --as sun.tech events ingest ev.jsonl
expect_rc 77 "a technician may not ingest"

# From a pipe each event is committed as it comes: the alarm is out
# before the input ends.
mkfifo feed
pm-gate events ingest --alarms <feed >piped.out 2>piped.err &
ingester=$!
exec 3>feed
echo '{"gate":"garage","ts":"2026-12-01T10:00:00+08:00","event":"door_forced"}' >&3
i=0
while [ ! -s piped.out ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
expect_eq "$(cut -c1-48 piped.out)" '{"type":"alarm","gate":"garage","gate_name":"地' "the alarm comes while the input is still open"
expect_eq "$(sql "SELECT count(*) FROM gate_event WHERE ts = 1796090400 AND gate = 'garage'")" "1" "and its event is stored"
exec 3>&-
wait $ingester
expect_eq "$?" "0" "the ingester ends with its input"

# The guard on duty is told.
run pm user add zhou.guard --role guard
run_in alarms.jsonl pm-notify send --template gate_alarm --channel stdout --flush
expect_rc 0 "alarms to pm-notify"
expect_out "qian.guard：北门 于 2026-12-01 03:12 发生告警：门被强行打开（紧急）。此为设备补传的告警，请核实现场情况。" "each guard"
expect_out "zhou.guard：地库道闸 于 2026-12-01 03:15 发生告警：设备被拆动（紧急）" "is told of each alarm"

# Straight through: the reader of the alarms writes to the store too, and
# neither waits for the other, even when the reader starts first.
printf '%s\n' '{"gate":"north","ts":"2026-12-01T04:00:00+08:00","event":"tamper"}' >tamper.jsonl
mkfifo alarms.fifo
timeout 30 pm-notify send --template gate_alarm --channel stdout <alarms.fifo >/dev/null 2>notify.err &
notifier=$!
sleep 0.5
timeout 15 pm-gate events ingest --alarms tamper.jsonl >alarms.fifo 2>/dev/null
expect_eq "$?" "0" "pm-gate events ingest --alarms | pm-notify send: the ingest is not locked out"
wait $notifier
expect_eq "$?" "0" "and pm-notify sends"
expect_eq "$(sql "SELECT count(*) FROM outbox WHERE template = 'gate_alarm' AND body LIKE '%04:00%设备被拆动%'")" "2" \
	"the tamper alarm queued for both guards"

# The list.
run pm-gate events list --format jsonl
expect_rc 0 "events list"
expect_eq "$(wc -l <"$T/out")" "8" "every event"
expect_eq "$(head -n 1 "$T/out")" '{"type":"gate_event","ts":"2026-12-01T03:12:00+08:00","gate":"north","event":"door_forced","subject":null,"subject_kind":null,"door":1}' \
	"in time order, with the fields kept"
run pm-gate events list --gate north --kind card --format jsonl
expect_eq "$(cat "$T/out")" '{"type":"gate_event","ts":"2026-12-01T08:00:00+08:00","gate":"north","event":"card","subject":"0012345678","subject_kind":"card","door":1,"direction":"in"}' \
	"by gate and kind"
run pm-gate events list --since 2026-12-01T08:05:00+08:00 --format jsonl
expect_eq "$(wc -l <"$T/out")" "3" "--since"
run pm-gate events list --kind explode
expect_rc 2 "an unknown kind"
run pm-gate --as qian.guard events list --format jsonl
expect_rc 0 "guards read the events"
run pm-gate --as owner.p001 events list
expect_rc 77 "owners do not"

# Times no device's clock gives: refused by line, as pm-meter ingest
# refuses readings, more than meters.future_tolerance (1d) ahead of now
# or before 2000. A far exit once closed a session thousands of years on.
cat >clock.jsonl <<'J'
{"gate":"garage","ts":"2026-12-01T08:30:00+08:00","event":"entry","plate":"京B00001"}
{"gate":"garage","ts":"9999-12-31T23:00:00+08:00","event":"exit","plate":"京B00001"}
{"gate":"north","ts":"1999-12-31T23:59:59Z","event":"card","card":"1"}
{"gate":"north","ts":"2026-12-02T09:00:00+08:00","event":"card","card":"1"}
{"gate":"north","ts":"2026-12-02T09:00:01+08:00","event":"card","card":"1"}
J
run pm-gate events ingest --reject clock-rej.jsonl clock.jsonl
expect_rc 65 "implausible times"
expect_err '^pm-gate: clock.jsonl:2: field "ts": 9999-12-31T23:00:00\+08:00 is in the future: later than 2026-12-02T09:00:00\+08:00, now plus meters.future_tolerance$' \
	"a time far ahead, by file and line"
expect_err '^pm-gate: clock.jsonl:3: field "ts": 2000-01-01T07:59:59\+08:00 is before 2000: the clock that wrote it is wrong$' "a time before 2000"
expect_err '^pm-gate: clock.jsonl:5: field "ts": 2026-12-02T09:00:01\+08:00 is in the future' "a second past the tolerance"
expect_err 'read 5, inserted 2, duplicate 0, rejected 3' "now plus the tolerance is still taken"
expect_eq "$(sed -n '2p;3p;5p' clock.jsonl)" "$(cat clock-rej.jsonl)" "the three lines copied to --reject"
expect_eq "$(sql "SELECT coalesce(exit_ts, 'open') FROM parking_session WHERE plate = '京B00001'")" "open" "the car is still inside"
done_testing
