#!/bin/sh
# pm-meter usage and anomalies for a billing period.
. "$PM_TOP/tests/cli/lib.sh"

run pm init
feed '{"code":"1-1-101","area":"80","status":"occupied"}\n{"code":"1-1-102","area":"80","status":"vacant"}\n' pm unit import
feed '{"code":"W1","kind":"water","serves":"1-1-101","installed":"2026-01-01T00:00:00+08:00","initial":"10"}
{"code":"W2","kind":"water","serves":"1-1-102","digits":5,"installed":"2026-01-01T00:00:00+08:00"}
{"code":"E1","kind":"electricity","serves":"1-1-101","multiplier":40,"registers":["peak","valley"],"installed":"2026-01-01T00:00:00+08:00"}
{"code":"M1","kind":"water","serves":"1-1-102","installed":"2026-01-01T00:00:00+08:00"}
{"code":"S1","kind":"water","serves":"1-1-101","installed":"2026-01-01T00:00:00+08:00"}
{"code":"E9","kind":"electricity","serves":"community","installed":"2026-11-10T00:00:00+08:00","initial":"5"}\n' pm-meter import
cat >r.jsonl <<'J'
{"meter":"W1","ts":"2026-08-31T23:00:00+08:00","value":"20"}
{"meter":"W1","ts":"2026-09-30T23:00:00+08:00","value":"30"}
{"meter":"W1","ts":"2026-10-31T23:00:00+08:00","value":"40"}
{"meter":"W1","ts":"2026-11-01T00:00:00+08:00","value":"40.5"}
{"meter":"W1","ts":"2026-11-15T12:00:00+08:00","value":"52"}
{"meter":"S1","ts":"2026-08-31T23:00:00+08:00","value":"0"}
{"meter":"S1","ts":"2026-09-30T23:00:00+08:00","value":"2"}
{"meter":"S1","ts":"2026-10-31T23:00:00+08:00","value":"4"}
{"meter":"S1","ts":"2026-11-30T23:00:00+08:00","value":"20"}
{"meter":"W2","ts":"2026-10-31T23:00:00+08:00","value":"99990"}
{"meter":"W2","ts":"2026-11-30T23:00:00+08:00","value":"7.5"}
{"meter":"E1","ts":"2026-10-31T23:00:00+08:00","value":"100","registers":{"peak":60,"valley":40}}
{"meter":"E1","ts":"2026-11-30T23:00:00+08:00","value":"112.5","registers":{"peak":67,"valley":45.5}}
{"meter":"M1","ts":"2026-09-30T23:00:00+08:00","value":"3"}
{"meter":"M1","ts":"2026-10-31T23:00:00+08:00","value":"9"}
{"meter":"E9","ts":"2026-11-30T23:00:00+08:00","value":"25"}
J
run pm-meter ingest r.jsonl
expect_rc 0 "readings for three months"
run pm-meter replace W1 --new W1b --at 2026-11-20T09:00:00+08:00 --final 60 --initial 1
feed '{"meter":"W1b","ts":"2026-11-30T23:00:00+08:00","value":"8.25"}\n' pm-meter ingest

run pm-meter usage --period 2026-11 --format jsonl
expect_rc 0 "pm-meter usage"
expect_out '^\{"type":"usage","period":"2026-11","meter":"W1b","kind":"water","serves":"1-1-101","uom":"m3","opening":"40.500","closing":"8.250","usage":"26.750","multiplier":1,"flags":"replaced"\}$' \
	"across a replacement: old 40.5 to 60 plus new 1 to 8.25, no gap, no double count"
expect_eq "$(grep -c '"meter":"W1"' "$T/out")" "0" "the replaced meter is folded into its successor"
expect_out '"meter":"W2",.*"opening":"99990.000","closing":"7.500","usage":"17.500",.*"flags":"wrapped"' "across a register wrap"
expect_out '"meter":"E1",.*"usage":"500.000","multiplier":40,.*"registers":\{"peak":\{"opening":"60.000","closing":"67.000","usage":"280.000"\},"valley":\{"opening":"40.000","closing":"45.500","usage":"220.000"\}\}' \
	"the multiplier applies to the total and to each register"
expect_out '"meter":"M1",.*"opening":"9.000","closing":"9.000","usage":"0.000",.*"flags":"missing"' "no reading: missing, zero by default"
expect_out '"meter":"E9",.*"opening":"5.000","closing":"25.000","usage":"20.000"' "installed mid-period: from the initial reading"

run pm-meter usage --period 2026-10 --meter W1 --format jsonl
expect_out '"opening":"30.000","closing":"40.500","usage":"10.500"' "a reading exactly at the period's end closes that period"
run pm-meter usage --period 2026-12 --meter W1b --format jsonl
expect_out '"opening":"8.250"' "the next period opens where this one closed"

cat >avg.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试
meters:
  missing: average_3m
Y
run pm config apply avg.yaml
run pm-meter usage --period 2026-11 --meter M1 --format jsonl
expect_out '"usage":"4.500","multiplier":1,"flags":"missing,estimated"' "average_3m: the mean of the months that had readings (3 and 6)"
sed 's/average_3m/hold/' avg.yaml >hold.yaml
run pm config apply hold.yaml
run pm-meter usage --period 2026-11 --meter M1 --format jsonl
expect_out '"usage":"0.000","multiplier":1,"flags":"missing,held"' "hold: nothing now, held until a reading"

run pm-meter usage --period 2026-11 --kind electricity --format tsv
expect_eq "$(cut -f2 "$T/out" | tr '\n' ' ')" "meter E1 E9 " "--kind filters"
run pm-meter usage --period 2026-13
expect_rc 2 "a bad period is a usage error"
run pm-meter usage
expect_rc 2 "--period is required"

run pm-meter anomalies --period 2026-11 --format jsonl
expect_out '"rule":"missing","period":"2026-11","meter":"M1"' "missing is an anomaly"
expect_out '"rule":"spike","period":"2026-11","meter":"S1",.*"usage":"16.000","average":"1.333","factor":"3.0"' "a spike above 3 times the average"
expect_eq "$(grep -c '"rule":"zero_usage"' "$T/out")" "0" "no zero usage where water flowed"
run pm check
expect_rc 0 "the meter sequences pass pm check"
sql "INSERT INTO reading VALUES ((SELECT id FROM meter WHERE code = 'S1'), 1797000000, 1000)"
run pm check
expect_rc 1 "a decrease written behind pm's back fails pm check"
expect_out '"check":"meter.sequence","problem":"meter S1: 1000 at 1797000000 after 20000, no register wrap"' "naming the meter and values"
sql "INSERT INTO reading VALUES ((SELECT id FROM meter WHERE code = 'E9'), 1700000000, 1000)"
run pm check
expect_out '"check":"meter.window","problem":"meter E9: a reading at 1700000000 outside its service"' "a reading before installation too"
done_testing
