#!/bin/sh
# The manual's examples run: every "$ " command of pm-gate(1)'s EXAMPLES
# in a community like the one it assumes, pm.yaml(5)'s gates example
# applies, and pm-mqtt(1)'s map maps.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
make_gate_community

examples() { # MANPAGE: the "$ " lines of its EXAMPLES, mdoc escapes undone
	sed -n '/^\.Sh EXAMPLES/,/^\.Sh SEE ALSO/p' "$1" | sed -n 's/^\$ //p' | sed 's/\\e/\\/g'
}
examples "$PM_TOP/share/man/man1/pm-gate.1" >examples.sh
expect_eq "$(wc -l <examples.sh)" "13" "pm-gate(1) has its examples"
n=0
while IFS= read -r line; do
	n=$((n + 1))
	printf '%s\n' "$line" >"ex$n.sh"
	run sh "ex$n.sh"
	expect_rc 0 "pm-gate(1) example $n runs: $(printf '%s' "$line" | cut -c1-60)"
done <examples.sh
expect_eq "$(sql "SELECT count(*) FROM credential")" "2" "the credentials granted"
expect_eq "$(sql "SELECT used FROM visitor WHERE id = 1")" "1" "the pass verified"
expect_eq "$(head -c 5 pass-1.svg)" "<?xml" "its QR code written"
expect_eq "$(sql "SELECT paid_fen FROM parking_session WHERE plate = '苏E55555'")" "1500" "the parking paid"

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
{"type":"reading","meter":"W-1","value":"7.5"}' "pm-mqtt(1)'s map maps"
done_testing
