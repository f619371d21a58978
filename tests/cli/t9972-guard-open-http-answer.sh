#!/bin/sh
# pm-gate open through the http driver, at night, against a barrier API
# that answers HTTP 200 to everything and says in its body whether the
# barrier moved: with the gate's expect an answer without it is the
# refusal it is (exit 69 with the device's answer, audited as failed
# with who and why), not "opened" while the visitor waits at a closed
# barrier. Without expect any 2xx still means opened.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
start_device "$T/dev" admin 'Hik12345!'
cat >pm.yaml <<Y
effective: 2026-01-01
community:
  name: 幸福里
gates:
  garage:
    name: 地库道闸
    driver: http
    url: http://127.0.0.1:$DEV_PORT/api/open
    body: '{"lane":{{door}},"reason":"{{reason}}","by":"{{actor}}"}'
    expect: '"ok":true'
    retries: 0
  jammed:
    name: 东门道闸
    driver: http
    url: http://127.0.0.1:$DEV_PORT/api/jammed
    body: '{"lane":{{door}},"reason":"{{reason}}","by":"{{actor}}"}'
    expect: '"ok":true'
    retries: 0
  trusting:
    driver: http
    url: http://127.0.0.1:$DEV_PORT/api/jammed
    retries: 0
Y
export PM_NOW=2026-12-15T03:00:00+08:00
make_gate_community
expect_eq "$(sql 'SELECT max(version) FROM config_version')" "2" "a gate's expect is taken by pm config apply"

run pm-gate --as qian.guard open garage --reason 访客车牌未识别 --format jsonl
expect_rc 0 "an answer with what expect names is opened"
expect_out '"answer":"\{\\"ok\\":true\}"' "with the device's answer"

run pm-gate --as qian.guard open jammed --reason 访客车牌未识别
expect_rc 69 "HTTP 200 whose body says the barrier did not move: exit 69"
expect_err "^pm-gate: gate 'jammed': the device answered HTTP 200 without '\"ok\":true' \(gates.jammed.expect\): \{\"ok\":false,\"error\":\"道闸故障\"\}$" \
	"one line with the device's answer"
expect_eq "$(wc -l <"$T/err")" "1" "and nothing more"
expect_eq "$(cat "$T/out")" "" "no gate_open record claims it opened"
expect_eq "$(sql "SELECT actor || '|' || json_extract(after, '\$.reason') || '|' || json_extract(after, '\$.result') || '|' || json_extract(after, '\$.answer') FROM audit WHERE action = 'gate.open' AND object = 'gate:jammed'")" \
	'qian.guard|访客车牌未识别|failed|{"ok":false,"error":"道闸故障"}' "audited as failed, with who, why and the answer"

LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 run pm-gate --as qian.guard open jammed
expect_rc 69 "in Chinese too"
expect_err "^pm-gate: 门“jammed”：设备应答 HTTP 200，其中没有“\"ok\":true”（gates.jammed.expect）：" "the message is Chinese"

run pm-gate open trusting
expect_rc 0 "without expect any 2xx is opened, as before"

sed 's/expect: .*/expect: ""/' pm.yaml >empty.yaml
run pm config check empty.yaml
expect_rc 78 "an empty expect is a configuration error"
expect_err "gates.garage.expect" "naming the key"
done_testing
