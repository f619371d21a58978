# Shared by the pm-gate and pm-mqtt tests. Source after lib.sh: a
# community, the device simulator and a mosquitto broker on 127.0.0.1,
# all stopped when the test ends.
PY3=python3
[ -x /usr/bin/python3 ] && PY3=/usr/bin/python3
_sims= _brokers=

_wait_file() { # FILE
	_i=0
	while [ ! -s "$1" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
}

start_device() { # DIR USER PASSWORD: sets DEV_PORT
	mkdir -p "$1"
	$PY3 "$PM_TOP/tests/cli/gate/device-sim.py" "$1" "$2" "$3" &
	_sims="$_sims $1"
	_wait_file "$1/port"
	DEV_PORT=$(cat "$1/port")
}

free_port() {
	$PY3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_broker DIR [PORT [EXTRA-CONFIG]]: a mosquitto of its own config,
# listening on 127.0.0.1 only; sets MQTT_PORT.
start_broker() {
	mkdir -p "$1"
	MQTT_PORT=${2:-$(free_port)}
	{
		echo "listener $MQTT_PORT 127.0.0.1"
		echo "persistence false"
		echo "log_dest file $1/log"
		echo "log_type all"
		# Run as root, mosquitto would turn into user mosquitto, who may
		# not read the test's directory.
		echo "user $(id -un)"
		printf '%s\n' "${3:-allow_anonymous true}"
	} >"$1/mosquitto.conf"
	mosquitto -c "$1/mosquitto.conf" 2>>"$1/stderr" &
	echo $! >"$1/pid"
	_brokers="$_brokers $1"
	_i=0
	while ! grep -q "Opening ipv4 listen socket on port $MQTT_PORT" "$1/log" 2>/dev/null && [ $_i -lt 100 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
}

wait_log() { # FILE TEXT: until FILE holds TEXT (at most 10 s)
	_i=0
	while ! grep -qF -- "$2" "$1" 2>/dev/null && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
}

finish() { # PID: waits for it at most 10 s, then kills it; its status in $?
	_i=0
	while kill -0 "$1" 2>/dev/null && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	kill "$1" 2>/dev/null
	wait "$1"
}

stop_broker() { # DIR
	[ -s "$1/pid" ] && kill "$(cat "$1/pid")" 2>/dev/null
	[ -s "$1/pid" ] && while kill -0 "$(cat "$1/pid")" 2>/dev/null; do sleep 0.05; done
	rm -f "$1/pid"
}

stop_all() {
	for d in $_sims; do touch "$d/stop"; done
	for d in $_brokers; do stop_broker "$d"; done
	wait
}
trap 'stop_all; rm -rf "$T"' EXIT

# A community of three units, a resident in each, the gates of pm.yaml
# (written by the test, or this one) and users of each role.
make_gate_community() {
	export PM_NOW=${PM_NOW:-2026-12-01T09:00:00+08:00}
	run pm init --community 幸福里
	[ -f pm.yaml ] || cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 幸福里
gates:
  north:
    name: 北门
  garage:
    name: 地库道闸
visitors:
  pending: 2h
parking:
  free: 15m
  hourly: "5.00"
  daily_cap: "30.00"
  resources:
    B1-001:
      kind: space
    CP-01:
      kind: charger
      longest: 4h
Y
	run pm config apply pm.yaml
	printf '%s\n' '{"code":"1-1-0101","area":"89.50"}' '{"code":"1-1-0102","area":"95.00"}' \
		'{"code":"2-1-0301","area":"60.00"}' >units.jsonl
	run pm unit import units.jsonl
	printf '%s\n' '{"code":"P001","name":"张伟","phone":"13800000001","unit":"1-1-0101","since":"2020-01-01"}' \
		'{"code":"P002","name":"李娜","phone":"13800000002","unit":"1-1-0102","since":"2020-01-01"}' \
		'{"code":"P003","name":"王芳","phone":"13800000003","unit":"2-1-0301","since":"2020-01-01"}' >people.jsonl
	run pm person import people.jsonl
	run pm user add zhao.desk --role frontdesk
	run pm user add qian.guard --role guard
	run pm user add sun.tech --role technician
	run pm user add owner.p001 --role owner --person P001
}

plate_ev() { # PLATE HH:MM EVENT GATE: the plate's event at HH:MM on 2026-12-01, +08:00
	printf '{"gate":"%s","ts":"2026-12-01T%s:00+08:00","event":"%s","plate":"%s"}\n' "$4" "$2" "$3" "$1"
}

json_field() { # KEY: the value of KEY in the first record of $T/out
	sed -n "1s/.*\"$1\":\\(\"[^\"]*\"\\|[^,}]*\\).*/\\1/p" "$T/out" | tr -d '"'
}

stays() { # PLATE [gates]: its stays by entry, entry-exit (or -):fee, and
	# with "gates" @ the gate it left by; times on the clock of +08:00
	sql "SELECT group_concat(x, ' ') FROM (SELECT time(entry_ts, 'unixepoch', '+8 hours') || '-'
		|| coalesce(time(exit_ts, 'unixepoch', '+8 hours'), '') || ':' || coalesce(fee_fen, '-')
		|| CASE WHEN '${2-}' = 'gates' THEN '@' || coalesce(exit_gate, '') ELSE '' END AS x
		FROM parking_session WHERE plate = '$1' ORDER BY entry_ts)"
}
