#!/bin/sh
# pm-bill rewards and points: 积分 for paying online and on time, once.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-31T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"80","status":"occupied"}
{"code":"1-1-102","area":"80","status":"occupied"}
{"code":"1-1-103","area":"80","status":"occupied"}\n' pm unit import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
billing:
  due_day: 15
fees:
  - name: garbage
    label: 垃圾费
    type: fixed
    amounts: {residential: 15}
rewards:
  online_channels: [wechat, alipay]
  first_online_payment: 50
  on_time_streak: {months: 3, points: 100}
Y
run pm config apply pm.yaml
expect_rc 0 "a config with rewards"
for p in 2026-08 2026-09 2026-10 2026-11; do
	pm-bill run --period $p -q >/dev/null && pm-bill issue --period $p -q >/dev/null
done
expect_eq "$(sql "SELECT count(*) FROM bill WHERE status = 'issued'")" "12" "four months of bills, due on the 15th of the next"

pay() { # UNIT PERIOD CHANNEL DAY
	pm-bill pay --unit "$1" --bill "B-$2-$1" --amount 15 --channel "$3" --ref "$3-$1-$2" \
		--at "$4T10:00:00+08:00" -q >/dev/null
}
# 101 pays every month on time online; 102 pays September's bill late;
# 103 pays on time, in cash.
pay 1-1-101 2026-08 wechat 2026-09-10
pay 1-1-101 2026-09 wechat 2026-10-10
pay 1-1-101 2026-10 alipay 2026-11-10
pay 1-1-101 2026-11 wechat 2026-12-10
pay 1-1-102 2026-08 alipay 2026-09-14
pay 1-1-102 2026-09 alipay 2026-10-20
pay 1-1-102 2026-10 alipay 2026-11-15
pay 1-1-102 2026-11 alipay 2026-12-01
pay 1-1-103 2026-08 cash 2026-09-01
pay 1-1-103 2026-09 cash 2026-10-01
pay 1-1-103 2026-10 cash 2026-11-01
expect_eq "$(sql "SELECT count(*) FROM bill WHERE status = 'paid'")" "11" "eleven bills paid"

run pm-bill rewards --as-of 2026-09-30 --format jsonl
expect_rc 0 "rewards as of 30 September"
expect_out '^\{"type":"points","unit":"1-1-101","rule":"first_online_payment","earned_by":"first","detail":"payment:1","points":50,"as_of":"2026-09-30"\}$' "101's first online payment"
expect_out '"unit":"1-1-102","rule":"first_online_payment","earned_by":"first","detail":"payment:5","points":50' "102's"
expect_eq "$(grep -c '1-1-103' "$T/out")" "0" "cash is not online"
expect_eq "$(grep -c 'on_time_streak' "$T/out")" "0" "no streak yet: September's bill is not due"
expect_err "2 grants, 100 points" "the summary"

run pm-bill rewards --as-of 2026-09-30 --format jsonl
expect_rc 0 "the same run again"
expect_eq "$(wc -c <"$T/out" | tr -d ' ')" "0" "grants nothing"
expect_eq "$(sql "SELECT count(*) FROM points")" "2" "two grants in the store"

run pm-bill rewards --as-of 2026-11-20 --format jsonl
expect_out '"unit":"1-1-101","rule":"on_time_streak","earned_by":"2026-10","detail":"2026-08..2026-10","points":100' "101: three months paid on time"
expect_out '"unit":"1-1-103","rule":"on_time_streak","earned_by":"2026-10","detail":"2026-08..2026-10","points":100' "103 too, in cash"
expect_eq "$(grep -c '1-1-102' "$T/out")" "0" "102's late September broke its streak"
expect_eq "$(grep -c 'first_online_payment' "$T/out")" "0" "first payments are not granted again"

run pm-bill rewards --as-of 2026-11-20 --format jsonl
expect_eq "$(wc -c <"$T/out" | tr -d ' ')" "0" "again: nothing"
run pm-bill rewards --as-of 2026-12-31 --format jsonl
expect_eq "$(wc -c <"$T/out" | tr -d ' ')" "0" "at the year's end: 101 and 103 have one month of a new streak, 102 two"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'bill.rewards'")" "2" "one audit record per run that granted"

run pm-bill points --unit 1-1-101 --format jsonl
expect_rc 0 "101's points"
expect_out '"rule":"first_online_payment",.*"points":50,"as_of":"2026-09-30","balance":50\}$' "the history with a running balance"
expect_out '"rule":"on_time_streak",.*"points":100,"as_of":"2026-11-20","balance":150\}$' "ends at the balance"
expect_err "unit '1-1-101' has 150 points" "said on stderr"
run pm-bill points --unit 1-1-102 --format jsonl
expect_err "has 50 points" "102 has its first payment's"
run pm-bill points --unit 9-9-999
expect_rc 65 "an unknown unit"
run pm-bill points
expect_rc 2 "--unit is required"

# 102 paid October's bill on its due day (on time) and November's early,
# but September's late, so its count started again in October.
expect_eq "$(sql "SELECT count(*) FROM points WHERE unit_id = (SELECT id FROM unit WHERE code = '1-1-102') AND rule = 'on_time_streak'")" \
	"0" "no streak for 102"
run pm user add fd --role frontdesk
run pm-bill rewards --as fd
expect_rc 77 "frontdesk may not grant points"
done_testing
