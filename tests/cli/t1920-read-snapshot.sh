#!/bin/sh
# A command reads from one snapshot (one read transaction, pm_db_read),
# but a program that waits for input, or runs for days, holds none while
# it waits: a writer's commits made meanwhile can be checkpointed out of
# the WAL (a snapshot kept open would pin them there, the WAL growing
# for as long), and the next question reads them.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
pm init -q --community 快照小区
run pm-ask faq import
expect_rc 0 "the FAQ is loaded"

# Another program commits, then checkpoints the whole WAL into the store
# and empties it: "0|0|0", or "1|..." while a reader holds an older
# snapshot (the sqlite3 shell waits for nobody).
checkpoint() { # CODE: a unit CODE added, then the checkpoint's answer
	sqlite3 "$PM_DB" "INSERT INTO building (code) VALUES ('$1'); PRAGMA wal_checkpoint(TRUNCATE);" 2>&1
}
waiting() { # PID: until PID has the store open and sleeps (at most 10 s)
	_i=0
	while [ $_i -lt 100 ]; do
		if ls -l "/proc/$1/fd" 2>/dev/null | grep -q 'pm.db-shm' &&
			[ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = S ]; then
			return 0
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

expect_eq "$(checkpoint B0)" "0|0|0" "with no program reading, the checkpoint empties the WAL"

# pm-ask ask, questions on stdin one by one, as a chat bridge sends them.
mkfifo questions
: >answers
pm-ask ask --no-escalate --format jsonl <questions >answers &
asker=$!
exec 3>questions
echo 物业费怎么交 >&3
_i=0
while [ "$(wc -l <answers)" -lt 1 ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
expect_eq "$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' answers)" "pay-channels" "pm-ask answers the first question"
waiting $asker
expect_eq "$(checkpoint B1)" "0|0|0" "and waiting for the next holds no snapshot: the checkpoint goes through"
echo 怎么报修 >&3
exec 3>&-
wait $asker
expect_eq "$?" "0" "pm-ask ends with its input"
expect_eq "$(wc -l <answers)" "2" "having answered both"

# pm-meter decode, frames on stdin from a meter bus.
mkfifo frames
pm-meter decode --protocol dlt645 <frames >readings &
decoder=$!
exec 3>frames
waiting $decoder
expect_eq "$(checkpoint B2)" "0|0|0" "pm-meter decode waiting for frames holds no snapshot"
exec 3>&-
wait $decoder
expect_eq "$?" "0" "pm-meter decode ends with its input"

# pm-mqtt sub reads the store's configuration, then runs for days.
command -v mosquitto >/dev/null || { echo "not ok - mosquitto is not installed (make deps)"; exit 1; }
start_broker "$T/broker"
pm-mqtt sub --broker "mqtt://127.0.0.1:$MQTT_PORT" --topic 'x/#' --client-id t1920 --count 1 >sub.out &
sub=$!
wait_log broker/log "Sending SUBACK to t1920"
waiting $sub
expect_eq "$(checkpoint B3)" "0|0|0" "pm-mqtt sub holds no snapshot while it listens"
pm-mqtt pub --broker "mqtt://127.0.0.1:$MQTT_PORT" --topic x/y --message '{"n":1}'
finish $sub
expect_eq "$?" "0" "pm-mqtt sub ends after its message"
stop_broker "$T/broker"

# A one-shot command still sees what it reads as one state.
run pm unit list --format jsonl
expect_rc 0 "a one-shot command reads as before"
expect_eq "$(sql "SELECT group_concat(code) FROM building ORDER BY code")" "B0,B1,B2,B3" "every commit made beside them is in"
done_testing
