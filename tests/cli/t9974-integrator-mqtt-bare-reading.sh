#!/bin/sh
# The integrator's pipeline of pm-mqtt(1): pm-mqtt sub --topic 'meters/#'
# | pm-meter ingest, with the manual's map, against a real mosquitto. A
# meter that publishes a bare value ("12.345") gives no time, and a
# reading without its ts is rejected: the map entry's received stamps
# the time the message came, unless the payload gave its own ts.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
export PM_NOW=2026-12-16T03:00:00+08:00
make_gate_community
run pm-meter add W-1-1-0101 --kind water --serves 1-1-0101 --installed 2026-01-01T00:00:00+08:00
expect_rc 0 "a water meter"

# The manual's map, as pm-mqtt(1) prints it.
sed -n '/^A map for door controllers and meters:/,/^\.Ed/p' "$PM_TOP/share/man/man1/pm-mqtt.1" |
	sed '1,2d;$d' >map.yaml
expect_eq "$(grep -c 'received: ts' map.yaml)" "1" "the manual's meter entry stamps bare values"
start_broker "$T/broker"
pm-mqtt sub --broker "mqtt://127.0.0.1:$MQTT_PORT" --topic 'meters/#' --map map.yaml \
	--client-id t-bare --count 2 >sub.out 2>sub.err &
sub=$!
wait_log broker/log "Sending SUBACK to t-bare"
pm-mqtt pub --broker "mqtt://127.0.0.1:$MQTT_PORT" --topic meters/W-1-1-0101/reading --message '12.345'
pm-mqtt pub --broker "mqtt://127.0.0.1:$MQTT_PORT" --topic meters/W-1-1-0101/reading --message 'lots'
finish $sub
expect_eq "$(sed -n 1p sub.out)" '{"type":"reading","meter":"W-1-1-0101","value":"12.345","ts":"2026-12-15T19:00:00Z"}' \
	"a bare value gets the time it came"
run_in sub.out pm-meter ingest --reject rejects.jsonl
expect_rc 65 "the reading that is no number is rejected"
expect_err '^pm-meter: stdin:2: field "value"' "naming its line and field"
expect_eq "$(sql "SELECT count(*) FROM reading r JOIN meter m ON m.id = r.meter_id WHERE m.code = 'W-1-1-0101'")" "1" \
	"the bare value is stored as a reading"
expect_err 'read 2, inserted 1,' "and counted"

# A payload with its own time keeps it: received only fills a gap.
cat >ts-map.yaml <<'Y'
- topic: "meters/{meter}/json"
  type: reading
  received: ts
Y
pm-mqtt sub --broker "mqtt://127.0.0.1:$MQTT_PORT" --topic 'meters/#' --map ts-map.yaml \
	--client-id t-own --count 1 >own.out &
sub=$!
wait_log broker/log "Sending SUBACK to t-own"
pm-mqtt pub --broker "mqtt://127.0.0.1:$MQTT_PORT" --topic meters/W-1-1-0101/json \
	--message '{"value":"14.000","ts":"2026-12-16T02:00:00+08:00"}'
finish $sub
expect_eq "$(cat own.out)" '{"type":"reading","meter":"W-1-1-0101","value":"14.000","ts":"2026-12-16T02:00:00+08:00"}' \
	"the device's own ts is kept"

echo '- {topic: "a/#", received: ""}' >bad.yaml
run pm-mqtt sub --broker "mqtt://127.0.0.1:$MQTT_PORT" --topic 'a/#' --map bad.yaml
expect_rc 78 "an empty received is a bad map"
done_testing
