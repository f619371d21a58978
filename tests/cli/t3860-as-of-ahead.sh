#!/bin/sh
# An --as-of ahead of the clock is refused by every run that changes the
# store to a day, unless --force: `pm-shop expire --as-of 9999-12-31`
# expired every point granted. A report may look ahead; a day behind, to
# catch up a missed cron run, needs nothing.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/shop/shop.sh"
PM_NOW=2026-11-30T09:00:00+08:00
export PM_NOW

shop_community <<'Y'
rewards:
  first_online_payment: 500
  expire_days: 30
billing:
  late_fee: {daily_bp: 5, cap_percent: 100}
Y
expect_rc 0 "points expire 30 days after their grant; late fees"
pm-bill run --period 2026-10 -q >/dev/null && pm-bill issue --period 2026-10 -q >/dev/null
pm-bill pay --unit 1-1-101 --amount 15 --channel wechat --ref WX-1 --at 2026-11-01T10:00:00+08:00 -q >/dev/null
pm-bill pay --unit 1-1-102 --amount 15 --channel alipay --ref AL-2 --at 2026-11-01T10:00:00+08:00 -q >/dev/null
run pm-bill rewards
expect_err "2 grants, 1000 points" "500 points each to 1-1-101 and 1-1-102, granted today"

PM_NOW=2026-12-02T09:00:00+08:00
points() { sql "SELECT coalesce(sum(points), 0) FROM points_use WHERE kind = 'expire'"; }
run pm-shop expire --as-of 9999-12-31
expect_rc 2 "expire to 9999-12-31 is a bad command line"
expect_err "^pm-shop expire: --as-of 9999-12-31 is ahead of the clock \(2026-12-02\): give --force to run ahead on purpose$" \
	"naming the day given, today, and --force"
expect_eq "$(points)|$(sql "SELECT count(*) FROM audit WHERE action = 'bill.rewards.expire'")" "0|0" \
	"no point expired, nothing audited"
run pm-shop expire --as-of 2026-12-03
expect_rc 2 "tomorrow is ahead too"
run pm-shop expire --as-of 2026-12-01
expect_rc 0 "yesterday, a missed cron run, is taken"
run pm-shop expire --format jsonl
expect_rc 0 "today is taken"
expect_eq "$(points)" "0" "and nothing is due yet: the grants are 2 days old"
(unset PM_LOCALEDIR; LC_ALL=zh_CN.UTF-8 pm-shop expire --as-of 9999-12-31 >"$T/out" 2>"$T/err")
expect_err "^pm-shop expire: --as-of 9999-12-31 晚于当前时间（2026-12-02）：确需提前运行请加 --force$" "in Chinese too"
run pm-shop expire --as-of 2026-12-31 --force --format jsonl
expect_rc 0 "--force runs ahead on purpose"
expect_eq "$(sql "SELECT u.code, p.points FROM points_use p JOIN unit u ON u.id = p.unit_id WHERE p.kind = 'expire' ORDER BY u.code")" \
	"1-1-101|500
1-1-102|500" "each unit's 500 points expire on 31 December"

# The other runs that change the store to a day, and pm-repair's cron jobs
# to a time.
run pm-bill late-fees --as-of 9999-12-31
expect_rc 2 "late fees to 9999-12-31 are refused"
expect_eq "$(sql "SELECT count(*) FROM late_fee")" "0" "no late fee charged"
run pm-bill rewards --as-of 2027-11-30
expect_rc 2 "rewards a year ahead are refused"
run pm-bill contract run --as-of 2062-12-02
expect_rc 2 "contract run to 2062 is refused"
run pm-bill dunning --as-of 9999-12-31
expect_rc 2 "a dunning run ahead is refused"
expect_eq "$(sql "SELECT count(*) FROM dunning")" "0" "no stage entered"
run pm-bill dunning --report --as-of 9999-12-31
expect_rc 0 "a dunning report, which changes nothing, may look ahead"
run pm-bill late-fees --as-of 2027-01-30 --force
expect_rc 0 "late fees ahead with --force"
expect_eq "$(sql "SELECT as_of, days, principal_fen, amount_fen FROM late_fee")" "2027-01-30|76|1500|57" \
	"are charged: 2-1-201's 15.00, 76 days at 5 bp, 0.57"
PM_DB=$T/repair.db
pm init -q && pm config apply -q "$PM_TOP/share/pm/examples/pm.yaml"
for job in overdue sweep schedule; do
	run pm-repair "$job" --as-of 9999-12-31
	expect_rc 2 "pm-repair $job to 9999-12-31 is refused"
	expect_err "^pm-repair $job: --as-of 9999-12-31 is ahead of the clock \(2026-12-02T09:00:00\+08:00\): " "naming now"
	run pm-repair "$job" --as-of 2026-12-02T08:00:00+08:00
	expect_rc 0 "pm-repair $job an hour back is taken"
done
run pm-repair sweep --as-of 2026-12-02T10:00:00+08:00 --force
expect_rc 0 "and ahead with --force"
done_testing
