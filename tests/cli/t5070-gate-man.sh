#!/bin/sh
# The manual's examples: pm.yaml(5)'s gates example applies, and
# pm-mqtt(1)'s map maps (pm-gate(1)'s "$ " examples run in the README
# walk's community, with every page's, in t0030).
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
make_gate_community

# pm.yaml(5): the gates example is a valid configuration.
sed -n '/^Gates, visitors and parking:/,/^\.Ed/p' "$PM_TOP/share/man/man5/pm.yaml.5" |
	sed '1,2d;$d' >gates.yaml
{ printf 'effective: 2026-01-01\ncommunity:\n  name: 幸福里\n'; cat gates.yaml; } >full.yaml
run pm config check full.yaml
expect_rc 0 "pm.yaml(5)'s gates example checks"

# pm-mqtt(1): its map, against a real broker.
sed -n '/^A map for door controllers and meters:/,/^\.Ed/p' "$PM_TOP/share/man/man1/pm-mqtt.1" |
	sed '1,2d;$d' >map.yaml
start_broker "$T/broker"
pm-mqtt sub --broker "mqtt://127.0.0.1:$MQTT_PORT" --topic 'gates/#' --topic 'meters/#' --map map.yaml \
	--client-id t-man --count 2 >sub.out &
sub=$!
wait_log broker/log "Sending SUBACK to t-man"
pm-mqtt pub --broker "mqtt://127.0.0.1:$MQTT_PORT" --topic gates/north/events --message '{"event":"card"}'
pm-mqtt pub --broker "mqtt://127.0.0.1:$MQTT_PORT" --topic meters/W-1/reading --message '7.5'
finish $sub
expect_eq "$(cat sub.out)" '{"type":"gate_event","gate":"north","event":"card"}
{"type":"reading","meter":"W-1","value":"7.5","ts":"2026-12-01T01:00:00Z"}' "pm-mqtt(1)'s map maps, a bare reading stamped with the time it came"
done_testing
