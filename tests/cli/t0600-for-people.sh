#!/bin/sh
# Output people read: tables in the locale's language with the records
# inside a record as tables of their own, --columns, tables fitted to the
# terminal, and one progress line on a terminal, never on a pipe.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

# Runs CMD with a terminal for stdout and stderr; what it wrote in $T/tty.
on_tty() {
	script -qec "$*" /dev/null >"$T/tty" 2>&1 </dev/null
	rc=$?
}

run pm init
feed '{"code":"1-1-101","area":"89.50","status":"occupied","delivered":"2020-01-01"}
{"code":"1-1-102","area":"120","status":"vacant","delivered":"2020-01-01"}\n' pm unit import
feed '{"code":"P1","name":"张伟","phone":"13800000001","unit":"1-1-101"}
{"code":"P2","name":"李娜","phone":"13800000002","unit":"1-1-101","role":"family"}\n' pm person import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
fees:
  - name: property
    label: 物业费
    type: per_area
    prices: {residential: 2.5}
Y
run pm config apply pm.yaml
run pm-bill run --period 2026-11
run pm-bill issue --period 2026-11
expect_rc 0 "a month billed"

# Chinese where the locale is Chinese, found beside the programs.
(unset PM_LOCALEDIR; LC_ALL=zh_CN.UTF-8 pm-bill list --format table >"$T/out" 2>"$T/err")
expect_eq "$(head -1 "$T/out" | tr -s ' ')" "账单 房屋 账期 状态 合计 违约金 调整 已缴 欠费 到期日 配置版本" \
	"headings in Chinese, with no PM_LOCALEDIR"
expect_eq "$(sed -n 2p "$T/out" | tr -s ' ')" "B-2026-11-1-1-101 1-1-101 2026-11 已出账 ¥223.75 ¥0.00 ¥0.00 ¥0.00 ¥223.75 2026-12-15 2" \
	"statuses in Chinese, money as yuan"
# The tables of README's walk: the desk's person list, the audit log.
(unset PM_LOCALEDIR; LC_ALL=zh_CN.UTF-8 pm person list --format table >"$T/out" 2>"$T/err")
expect_eq "$(head -1 "$T/out" | tr -s ' ')" "编号 姓名 手机 证件号 房屋" "a person's masked id and units in Chinese"
(unset PM_LOCALEDIR; LC_ALL=zh_CN.UTF-8 pm audit --columns id,business_ts --format table >"$T/out" 2>"$T/err")
expect_eq "$(head -1 "$T/out" | tr -s ' ')" "编号 业务时间" "the audit's business time"
(unset PM_LOCALEDIR; LC_ALL=zh_CN.UTF-8 pm unit list --format csv >"$T/out")
expect_eq "$(head -2 "$T/out")" "code,building,entrance,room,floor,area,use,status,delivered
1-1-101,1,1,101,1,89.50,residential,occupied,2020-01-01" "CSV keeps the English keys and values"
(unset PM_LOCALEDIR; LC_ALL=zh_CN.UTF-8 pm unit list --format jsonl >"$T/out")
expect_out '"use":"residential","status":"occupied"' "so do JSON lines"
(unset PM_LOCALEDIR; LC_ALL=zh_CN.UTF-8 pm unit show 1-1-999 >"$T/out" 2>"$T/err")
expect_err "^pm: 没有房屋 '1-1-999'$" "and messages"

# A record with lists of records: the record, then each list as a table.
run pm unit show 1-1-101 --format table
expect_eq "$(cat "$T/out")" "code       1-1-101
building   1
entrance   1
room       101
floor      1
area       89.50
use        residential
status     occupied
delivered  2020-01-01

occupants
person  name  phone        role    since
P1      张伟  13800000001  owner   2020-01-01
P2      李娜  13800000002  family  2020-01-01" "pm unit show prints the occupants"
run pm-bill show B-2026-11-1-1-101 --format table
expect_out '^lines$' "pm-bill show prints the lines"
expect_out '^ +1  property  物业费  ¥223\.75 .*\{"price":"2\.5000","area":"89\.50","days":30,"period_days":30,"rounding":"fen half_up","amount":"223\.75"\}' \
	"with each line's whole breakdown"

# --columns: the fields, in that order.
run pm-bill list --format table --columns unit,owed_fen,status
expect_eq "$(cat "$T/out")" "unit     owed     status
1-1-101  ¥223.75  issued
1-1-102  ¥300.00  issued" "a table of the columns named"
run pm-bill list --format csv --columns bill,owed_fen
expect_eq "$(cat "$T/out")" "bill,owed_fen
B-2026-11-1-1-101,22375
B-2026-11-1-1-102,30000" "CSV too"
run pm-bill list --format table --columns unit,owd_fen
expect_rc 2 "a field the records lack is a usage error"
expect_err '^pm-bill list: --columns: no field "owd_fen" here: did you mean "owed_fen"\?$' "naming the nearest field"
run pm-bill list --format table --columns xyzzy
expect_err 'the fields are bill,unit,period,status,total_fen,late_fen,adjust_fen,paid_fen,owed_fen,due,config_version$' \
	"or all of them"

# Fitted to the terminal: long text cut with …, numbers never.
feed '{"code":"P3","name":"欧阳娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜","phone":"13800000003"}\n' pm person import
on_tty COLUMNS=40 pm person list --columns code,name,phone
expect_eq "$(tr -d '\r' <"$T/tty" | grep '^P3')" "P3    欧阳娜娜娜娜娜娜娜娜…  13800000003" "the long name cut to fit 40 columns"
run pm person list --format table --columns code,name
expect_out '^P3    欧阳娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜$' "a table into a pipe keeps every character"

# Progress: one line on a terminal, redrawn at most ten times a second.
awk 'BEGIN { print "code,kind,serves,installed"; for (i = 0; i < 1000; i++) printf "W%d,water,community,2026-01-01T00:00:00+08:00\n", i }' >meters.csv
run pm-meter import meters.csv
awk 'BEGIN { for (d = 1; d <= 28; d++) for (i = 0; i < 1000; i++)
	printf "{\"meter\":\"W%d\",\"ts\":\"2026-10-%02dT08:00:00+08:00\",\"value\":\"%d.5\"}\n", i, d, d }' >readings.jsonl
start=$(date +%s%N)
on_tty pm-meter ingest readings.jsonl
ms=$((($(date +%s%N) - start) / 1000000))
expect_rc 0 "28,000 readings on a terminal"
lines=$(tr '\r' '\n' <"$T/tty" | grep -c ' records (')
expect_eq "$([ "$lines" -le $((ms / 100 + 1)) ] && echo ok)" "ok" "at most ten lines a second ($lines in $ms ms)"
expect_eq "$(tr '\r' '\n' <"$T/tty" | grep -E -c '^pm-meter: [0-9]+ records \([0-9]+%\), [0-9]+/s(, [0-9]+:[0-9]{2} left)?.\[K$')" "$lines" \
	"each with count, share of the file, rate and time left"
expect_eq "$(tr '\r' '\n' <"$T/tty" | grep -c 'read 28000, inserted 28000')" "1" "then the summary, on a line cleared"
# A stream that pauses shows a line however fast the machine: the count
# and rate (a pipe has no size to take a share of).
awk 'BEGIN { for (d = 1; d <= 28; d++) for (i = 0; i < 1000; i++)
	printf "{\"meter\":\"W%d\",\"ts\":\"2026-11-%02dT08:00:00+08:00\",\"value\":\"%d.5\"}\n", i, d, d + 28 }' >november.jsonl
head -14000 november.jsonl >first.jsonl
tail -14000 november.jsonl >second.jsonl
on_tty "sh -c '(cat first.jsonl; sleep 0.4; cat second.jsonl) | pm-meter ingest'"
expect_rc 0 "a stream with a pause"
expect_eq "$([ "$(tr '\r' '\n' <"$T/tty" | grep -E -c '^pm-meter: [0-9]+ records, [0-9]+/s.\[K$')" -ge 1 ] && echo ok)" "ok" \
	"shows the count and the rate"
run pm-meter ingest readings.jsonl
expect_eq "$(tr -cd '\r' <"$T/err" | wc -c)" "0" "no progress into a pipe"
on_tty pm-meter ingest -q readings.jsonl
expect_eq "$(wc -c <"$T/tty")" "0" "nor with -q"

done_testing
