#!/bin/sh
# pm-mqtt: a user and password written into the broker's URL
# (mqtt://USER:PASSWORD@HOST) are refused without being repeated: in
# pm.yaml the store would keep the password for every reader of it (pm
# config show printed it), and pm-mqtt's "bad port" said it on stderr.
. "$PM_TOP/tests/cli/lib.sh"

run pm init --community 幸福里
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 幸福里
mqtt:
  broker: mqtt://pm:hunter2@127.0.0.1:1883
Y
run pm config apply pm.yaml
expect_rc 78 "a password in mqtt.broker is a configuration error"
expect_eq "$(cat "$T/err")" "pm: pm.yaml:5:11: mqtt.broker: a user and password are not written in the broker's URL, where every reader of the store would see them: write mqtt.user and mqtt.password (env:NAME or file:PATH)" \
	"said without the password"
expect_eq "$(sql "SELECT count(*) FROM config_version WHERE yaml LIKE '%hunter2%'")" 0 "and not kept"
sed -i 's|mqtt://pm:hunter2@|tcp://pm:hunter2@|' pm.yaml
run pm config apply pm.yaml
expect_rc 78 "nor in a URL of another scheme"
expect_eq "$(grep -c hunter2 "$T/err")" 0 "whose message does not repeat it"

for url in mqtt://pm:hunter2@localhost mqtts://pm:hunter2@localhost:8883 mqtt://hunter2@localhost; do
	run pm-mqtt sub --broker "$url" --topic 'meters/#' --count 1
	expect_rc 2 "sub --broker $url: misuse"
	expect_eq "$(head -n 1 "$T/err")" "pm-mqtt sub: the broker's URL holds a user or password, which every process list shows: give --user and --password env:NAME or file:PATH" \
		"said without the password"
done
run pm-mqtt pub --broker mqtt://pm:hunter2@localhost --topic gates/1/cmd --message open
expect_rc 2 "pub too"
expect_eq "$(grep -c hunter2 "$T/err")" 0 "without the password"
run pm check
expect_rc 0 "the store checks"
done_testing
