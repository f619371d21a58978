#!/bin/sh
# An alarm a controller sends late (it was off line and sends what it
# kept) is told as late: the guard is not sent running to a door forced
# hours ago. pm.yaml's alarms.late_after says how late is late (1h).
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
PM_NOW=2026-12-01T03:00:00+08:00 make_gate_community
forced() { # HH:MM:SS
	printf '{"gate":"north","ts":"2026-12-01T%s+08:00","event":"door_forced","door":1}\n' "$1"
}
arrivals() { jq -r '.ts[11:19] + " " + .arrival' "$T/out" | tr '\n' ' '; }

forced 03:12:00 >ev.jsonl
forced 02:12:00 >>ev.jsonl
forced 02:11:59 >>ev.jsonl
PM_NOW=2026-12-01T03:12:00+08:00 run pm-gate events ingest --alarms ev.jsonl
expect_rc 0 "three forced doors"
expect_eq "$(arrivals)" "03:12:00 live 02:12:00 live 02:11:59 late " \
	"live up to an hour old, late after"
cp "$T/out" alarms.jsonl
PM_NOW=2026-12-01T03:12:05+08:00 run pm-notify send --template gate_alarm --channel stdout --flush alarms.jsonl
expect_eq "$(jq -r .text "$T/out" | grep -c '请立即前往查看。$')" 2 "the live ones send the guard to the door"
expect_out "qian.guard：北门 于 2026-12-01 02:11 发生告警：门被强行打开（紧急）。此为设备补传的告警，请核实现场情况。" \
	"the late one says it came late"

# How late is late is the office's.
sed -i 's/^visitors:/alarms:\n  late_after: 10m\nvisitors:/' pm.yaml
run pm config apply pm.yaml
expect_rc 0 "alarms.late_after"
forced 03:20:00 >ev.jsonl
forced 03:05:00 >>ev.jsonl
PM_NOW=2026-12-01T03:25:00+08:00 run pm-gate events ingest --alarms ev.jsonl
expect_eq "$(arrivals)" "03:20:00 live 03:05:00 late " "ten minutes, as configured"
sed -i 's/late_after: 10m/late_after: 10s/' pm.yaml
run pm config apply pm.yaml
expect_rc 78 "less than a minute is refused"
expect_err "alarms.late_after" "naming the key"
done_testing
