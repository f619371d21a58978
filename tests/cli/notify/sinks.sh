# Local servers for the pm-notify tests, on 127.0.0.1 only. Source after
# lib.sh; each start_* sets its port variable; all stop when the test ends.
PY3=python3
[ -x /usr/bin/python3 ] && PY3=/usr/bin/python3
_sinks=

_wait_port() { # DIR
	_i=0
	while [ ! -s "$1/port" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	cat "$1/port"
}

start_http_sink() { # DIR: sets HTTP_PORT
	mkdir -p "$1"
	$PY3 "$PM_TOP/tests/cli/notify/http-sink.py" "$1" &
	_sinks="$_sinks $1"
	HTTP_PORT=$(_wait_port "$1")
}

start_smtp_sink() { # DIR: sets SMTP_PORT
	mkdir -p "$1"
	$PY3 "$PM_TOP/tests/cli/notify/smtp-sink.py" "$1" &
	_sinks="$_sinks $1"
	SMTP_PORT=$(_wait_port "$1")
}

stop_sinks() {
	for d in $_sinks; do touch "$d/stop"; done
	wait
}
trap 'stop_sinks; rm -rf "$T"' EXIT

# pm.yaml with the webhook at PATH of the HTTP sink, signed with
# $PM_TEST_HOOK_SECRET, a timeout of $HOOK_TIMEOUT (1s), retried from
# 1 min up to an hour; applied.
hook() { # PATH [EXTRA YAML]
	cat >pm.yaml <<Y
effective: 2026-01-01
community:
  name: 幸福里
channels:
  webhook:
    url: http://127.0.0.1:$HTTP_PORT$1
    secret: env:PM_TEST_HOOK_SECRET
    timeout: ${HOOK_TIMEOUT:-1s}
notify:
  retry:
    base: 1m
    max_delay: 10m
    max_age: 1h
${2:-}
Y
	run pm config apply pm.yaml
}

# A community with one unit: an owner, a tenant and a family member.
make_community() {
	run pm init --community 幸福里
	printf '{"code":"3-2-1101","area":"89.50","status":"occupied","delivered":"2020-06-30"}\n{"code":"3-2-1102","area":"95.00","delivered":"2020-06-30"}\n{"code":"5-1-0301","area":"60.00","delivered":"2020-06-30"}\n' >units.jsonl
	run pm unit import units.jsonl
	cat >people.jsonl <<'J'
{"code":"P001","name":"张伟","phone":"13800000001","unit":"3-2-1101"}
{"code":"P002","name":"李娜","phone":"13800000002","unit":"3-2-1101","role":"tenant"}
{"code":"P003","name":"张小明","phone":"13800000003","unit":"3-2-1101","role":"family"}
{"code":"P004","name":"王芳","phone":"13800000004","unit":"3-2-1102"}
{"code":"P005","name":"赵磊","phone":"13800000005","unit":"5-1-0301"}
J
	run pm person import people.jsonl
}

# A bill as pm-bill list prints it.
bill='{"type":"bill","bill":"B-2026-11-3-2-1101","unit":"3-2-1101","period":"2026-11","status":"issued","total_fen":45678,"late_fen":0,"adjust_fen":0,"paid_fen":0,"owed_fen":45678,"due":"2026-12-15","config_version":1}'
