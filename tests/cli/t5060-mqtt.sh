#!/bin/sh
# pm-mqtt sub and pub against a real mosquitto on 127.0.0.1: messages as
# records by the map, QoS 1 with a persistent session (nothing published
# while the subscriber was away is lost), reconnection with back-off,
# user and password from env:/file:, and on into pm-gate events ingest.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
command -v mosquitto >/dev/null || { echo "not ok 1 - mosquitto is not installed (make deps)"; exit 1; }
start_broker "$T/broker"
B=mqtt://127.0.0.1:$MQTT_PORT

cat >map.yaml <<'Y'
- topic: "gates/{gate}/events"
  type: gate_event
- topic: "meters/{meter}/reading"
  type: reading
  field: value
- topic: "site/+/status/#"
  type: status
Y
pub() { # TOPIC MESSAGE
	pm-mqtt pub --broker "$B" --topic "$1" --message "$2"
}

# Messages become records by the map.
pm-mqtt sub --broker "$B" --topic 'gates/#' --topic 'meters/#' --topic 'site/#' --topic 'misc/#' \
	--map map.yaml --client-id t-map --count 6 >sub.out 2>sub.err &
sub=$!
wait_log broker/log "Sending SUBACK to t-map"
pub gates/north/events '{"ts":"2026-12-01T08:00:00+08:00","event":"card","card":"0012345678","gate":"south"}'
expect_eq "$?" "0" "pub exits 0 once the broker has the message"
pub meters/W-1-1-0101/reading '12.345'
pub misc/x 'not in the map'
pub site/b1/status/pump/2 '{"on":true}'
pub gates/north/events 'not json'
pub gates/garage/events '{"ts":"2026-12-01T08:01:00+08:00","event":"exit","plate":"京A12345"}'
finish $sub
expect_eq "$?" "0" "sub stops after --count messages, mapped or not"
expect_eq "$(cat sub.out)" '{"type":"gate_event","gate":"north","ts":"2026-12-01T08:00:00+08:00","event":"card","card":"0012345678"}
{"type":"reading","meter":"W-1-1-0101","value":"12.345"}
{"type":"status","on":true}
{"type":"gate_event","gate":"garage","ts":"2026-12-01T08:01:00+08:00","event":"exit","plate":"京A12345"}' \
	"each as its record: the topic's gate wins over the payload's, a bare value goes into its field"
expect_eq "$(sed -n 1p sub.err)" "pm-mqtt: topic 'misc/x' matches no entry of the map" "a message of no entry is reported"
expect_eq "$(sed -n 2p sub.err)" "pm-mqtt: topic 'gates/north/events': the payload is not a JSON object" "so is a payload that is no object"

# Without a map every message is an mqtt record.
pm-mqtt sub --broker "$B" --topic 'raw/#' --client-id t-raw --count 2 >raw.out &
sub=$!
wait_log broker/log "Sending SUBACK to t-raw"
pub raw/a '{"x":1}'
pub raw/b 'plain'
finish $sub
expect_eq "$(cat raw.out)" '{"type":"mqtt","topic":"raw/a","payload":{"x":1}}
{"type":"mqtt","topic":"raw/b","payload":"plain"}' "without a map: topic and payload"

# A persistent session: what is published while the subscriber is away
# comes when it is back.
pm-mqtt sub --broker "$B" --topic 'cmd/#' --client-id t-persist --count 1 >p1.out &
sub=$!
wait_log broker/log "Sending SUBACK to t-persist"
pub cmd/1 one
finish $sub
pub cmd/2 two
pub cmd/3 three
pm-mqtt sub --broker "$B" --topic 'cmd/#' --client-id t-persist --count 2 >p2.out &
finish $!
expect_eq "$(cat p1.out p2.out | sed 's/.*"payload":"\([a-z]*\)".*/\1/' | tr '\n' ' ')" "one two three " \
	"nothing published while it was away is lost"
pm-mqtt sub --broker "$B" --topic 'cmd/#' --client-id t-clean --clean --count 1 >c1.out &
sub=$!
wait_log broker/log "Sending SUBACK to t-clean"
kill $sub; finish $sub
pub cmd/4 four
pm-mqtt sub --broker "$B" --topic 'cmd/#' --client-id t-clean --clean --count 1 >c2.out &
sub=$!
wait_log broker/log "Sending SUBACK to t-clean"
sleep 0.5
kill $sub; finish $sub
expect_eq "$(cat c2.out)" "" "a --clean session forgets"

# The service follows svc/# under its default id; an admin's look with
# --clean has an id of its own: it neither takes the service's messages
# nor throws it off (under the service's id it did both, and cleared what
# the broker held for it).
pm-mqtt sub --broker "$B" --topic 'svc/#' --count 3 >svc.out 2>svc.err &
svc=$!
wait_log broker/log "Sending SUBACK to pm-mqtt-"
pm-mqtt sub --broker "$B" --topic 'svc/#' --clean --count 1 >peek.out 2>peek.err &
peek=$!
wait_log broker/log "Sending SUBACK to pm-mqtt-$(hostname | cut -c1-40)-clean-"
pub svc/1 one
pub svc/2 two
pub svc/3 three
finish $peek
finish $svc
expect_eq "$(sed 's/.*"payload":"\([a-z]*\)".*/\1/' svc.out | tr '\n' ' ')" "one two three " "the service has every message"
expect_eq "$(sed 's/.*"payload":"\([a-z]*\)".*/\1/' peek.out)" "one" "the look its own"
expect_eq "$(grep -c 'already connected' broker/log)" "0" "and nobody was thrown off"

# The broker goes away and comes back: the subscriber reconnects.
pm-mqtt sub --broker "$B" --topic 'alive/#' --client-id t-back --count 2 >b.out 2>b.err &
sub=$!
wait_log broker/log "Sending SUBACK to t-back"
pub alive/1 before
stop_broker broker
mv broker/log broker/log.1
wait_log b.err "trying again in 2 s"
start_broker "$T/broker" "$MQTT_PORT"
wait_log broker/log "Sending SUBACK to t-back"
pub alive/2 after
finish $sub
expect_eq "$?" "0" "it ends normally"
expect_eq "$(cat b.out | sed 's/.*"payload":"\([a-z]*\)".*/\1/' | tr '\n' ' ')" "before after " "and got what came after"
expect_eq "$(grep -c "pm-mqtt: broker 127.0.0.1:$MQTT_PORT: .*; trying again in [0-9]* s" b.err)" \
	"$(grep -c 'trying again' b.err)" "each try said on stderr"
grep -q 'trying again in 2 s' b.err && grep -q 'trying again in 1 s' b.err
expect_eq "$?" "0" "waiting longer each time"

# Into pm-gate: the gates' events straight into the store.
make_gate_community
pm-mqtt sub --broker "$B" --topic 'gates/#' --map map.yaml --client-id t-ingest --count 2 |
	pm-gate events ingest --alarms >ingest.out 2>ingest.err &
ingester=$!
wait_log broker/log "Sending SUBACK to t-ingest"
pub gates/north/events '{"ts":"2026-12-01T03:00:00+08:00","event":"door_forced"}'
pub gates/garage/events '{"ts":"2026-12-01T08:01:00+08:00","event":"entry","plate":"京A12345"}'
finish $ingester
expect_eq "$(sql "SELECT group_concat(gate || ':' || event, ' ') FROM gate_event")" "north:door_forced garage:entry" \
	"pm-mqtt sub | pm-gate events ingest"
expect_eq "$(grep -c '^{"type":"alarm","gate":"north","gate_name":"北门","event":"door_forced"' ingest.out)" "1" "and the alarm out"

# The configuration's mqtt section: broker and map from the store.
cat >>pm.yaml <<Y
mqtt:
  broker: $B
  map:
    - topic: "gates/{gate}/events"
      type: gate_event
Y
run pm config apply pm.yaml
pm-mqtt sub --topic 'gates/#' --client-id t-config --count 1 >cfg.out &
sub=$!
wait_log broker/log "Sending SUBACK to t-config"
pub gates/side/events '{"ts":"2026-12-01T09:00:00+08:00","event":"exit"}'
finish $sub
expect_eq "$(cat cfg.out)" '{"type":"gate_event","gate":"side","ts":"2026-12-01T09:00:00+08:00","event":"exit"}' "broker and map from pm.yaml"

# A broker that wants a password.
stop_broker broker
mosquitto_passwd -c -b "$T/passwd" pm 'broker-pw' 2>/dev/null
chmod 600 "$T/passwd"
start_broker "$T/broker2" "" "allow_anonymous false
password_file $T/passwd"
B=mqtt://127.0.0.1:$MQTT_PORT
run pm-mqtt pub --broker "$B" --topic t --message x
expect_rc 77 "anonymous, refused"
expect_err "refused the connection: Connection Refused: not authorised" "says so"
PM_TEST_MQTT_PW=wrong run pm-mqtt pub --broker "$B" --topic t --message x --user pm --password env:PM_TEST_MQTT_PW
expect_rc 77 "a wrong password"
run pm-mqtt pub --broker "$B" --topic t --message x --user pm --password broker-pw
expect_rc 78 "a password on the command line"
expect_err "^pm-mqtt: the broker's password: a secret is not written in pm.yaml, where every reader of the store would see it: write env:NAME or file:PATH$" "is refused"
printf 'broker-pw\n' >pw
chmod 600 pw
pm-mqtt sub --broker "$B" --topic 'gates/#' --client-id t-auth --user pm --password "file:$T/pw" --count 1 >auth.out &
sub=$!
wait_log broker2/log "Sending SUBACK to t-auth"
PM_TEST_MQTT_PW=broker-pw run pm-mqtt pub --broker "$B" --topic gates/vault/events \
	--message '{"ts":"2026-12-01T09:00:00+08:00","event":"exit"}' --user pm --password env:PM_TEST_MQTT_PW
expect_rc 0 "the right password from the environment"
finish $sub
expect_eq "$(cat auth.out)" '{"type":"gate_event","gate":"vault","ts":"2026-12-01T09:00:00+08:00","event":"exit"}' "and from a file"

# Misuse.
run pm-mqtt pub --broker "mqtt://127.0.0.1:$(free_port)" --topic t --message x
expect_rc 69 "no broker there"
run pm-mqtt pub --broker http://x --topic t --message x
expect_rc 2 "not an mqtt URL"
run pm-mqtt pub --broker "$B" --topic 'a/+' --message x
expect_rc 2 "a wildcard is no topic to publish to"
run pm-mqtt sub --broker "$B"
expect_rc 2 "sub needs a topic"
printf -- '- topic: "a/#/b"\n' >bad.yaml
run pm-mqtt sub --broker "$B" --topic x --map bad.yaml
expect_rc 78 "a bad map"
expect_err "'#' only as the last level" "says why"
done_testing
