#!/bin/sh
# Late fees are counted day by day, each day on what the bill owed at its
# start, whatever days apart the runs come: a store charged every day and
# one charged weekly come to the same fees to the fen. Before, a run took
# the principal it found to all the days since the last run, each run
# rounded its own days, and a bill paid off between two runs was never
# charged its days up to the payment: the same month came to 3.41 daily
# and 2.78 weekly, where the days come to 3.38.
. "$PM_TOP/tests/cli/lib.sh"

# A store of four bills of 200.00 (20000 fen) due 15 December, charged
# 0.05% a day (10 fen a day on 20000) after 5 days' grace:
#   1-1-101 pays 150.00 on 24 December at 10:00;
#   1-1-102 pays 300.00 on 24 December at 10:00, in full, 100.00 or so left prepaid;
#   1-1-103 pays 200.00 on 18 December, within the grace;
#   1-1-104 is credited 100.00 on 27 December at 10:00.
setup() { # DIR
	mkdir "$1"
	PM_DB=$T/$1/pm.db PM_NOW=2026-12-01T10:00:00+08:00
	export PM_DB PM_NOW
	run pm init --community 幸福里
	feed '{"code":"1-1-101","area":"100"}
{"code":"1-1-102","area":"100"}
{"code":"1-1-103","area":"100"}
{"code":"1-1-104","area":"100"}\n' pm unit import
	cat >"$1/pm.yaml" <<'Y'
effective: 2026-01-01
community:
  name: 幸福里
billing:
  due_day: 15
  grace_days: 5
  late_fee: {daily_bp: 5, cap_percent: 10}
fees:
  - {name: property, label: 物业费, type: per_area, prices: {residential: 2.00}}
Y
	run pm config apply "$1/pm.yaml"
	run pm-bill run -q --period 2026-11
	run pm-bill issue -q --period 2026-11
}

# The money that comes on a day, at 10:00, after that day's run at 09:00.
money() { # DAY
	case $1 in
	18) PM_NOW=2026-12-18T10:00:00+08:00 run pm-bill pay --unit 1-1-103 --amount 200 --channel bank --ref P3 ;;
	24) PM_NOW=2026-12-24T10:00:00+08:00 run pm-bill pay --unit 1-1-101 --amount 150 --channel bank --ref P1
	    PM_NOW=2026-12-24T10:00:00+08:00 run pm-bill pay --unit 1-1-102 --amount 300 --channel bank --ref P2 ;;
	27) PM_NOW=2026-12-27T10:00:00+08:00 run pm-bill adjust B-2026-11-1-1-104 --amount -100 --reason 减免 ;;
	esac
}

late() { # DAY
	PM_NOW=2026-12-${1}T09:00:00+08:00 run pm-bill late-fees --format jsonl
}

fees() {
	sql "SELECT group_concat(late_fen) FROM (SELECT late_fen FROM bill ORDER BY code)"
}

setup daily
for d in 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31; do
	late $d
	money $d
done
expect_rc 0 "late fees every day to 31 December"
daily=$(fees)
# 1-1-101: 9 days on 20000 (16-24 December), 7 on 5000 after its payment:
# 90 + 17.5 = 107.5, 108. 1-1-102: 9 days on 20000, 90, then nothing owed.
# 1-1-103: paid within the grace, nothing. 1-1-104: 12 days on 20000 and 4
# on 10000 after its credit: 120 + 20 = 140.
expect_eq "$daily" "108,90,0,140" "each day on what the bill owed at its start"
expect_eq "$(sql "SELECT group_concat(amount_fen, ' ') FROM (SELECT f.amount_fen FROM late_fee f JOIN bill b ON b.id = f.bill_id
	WHERE b.code = 'B-2026-11-1-1-101' ORDER BY f.as_of)")" "60 10 10 10 3 2 3 2 3 2 3" \
	"2.5 fen a day charged 3 and 2 in turn: no day's rounding carries into the next"

setup weekly
for d in 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31; do
	case $d in 22 | 29 | 31) late $d ;; esac
	money $d
done
expect_eq "$(fees)" "$daily" "charged weekly: the same fees to the fen"
expect_eq "$(sql "SELECT sum(amount_fen) FROM late_fee")" "338" "3.38 in all"
# 1-1-102 paid off its bill on 24 December with 20070 of its 300.00 (200.00
# and the 70 fen charged to 22 December): its days 23 and 24 come on the
# 29th and are paid from the 99.30 it left prepaid.
PM_NOW=2026-12-31T09:00:00+08:00 run pm-bill late-fees --as-of 2026-12-29 --format jsonl
expect_eq "$(sql "SELECT status FROM bill WHERE code = 'B-2026-11-1-1-102'")" "paid" "the bill paid off between two runs is paid"
expect_eq "$(sql "SELECT f.days || ' ' || f.principal_fen || ' ' || f.amount_fen FROM late_fee f JOIN bill b ON b.id = f.bill_id
	WHERE b.code = 'B-2026-11-1-1-102' AND f.as_of = '2026-12-29'")" "14 0 20" "its days up to the payment charged after it"
expect_eq "$(sql "SELECT sum(amount_fen) FROM posting WHERE account = 'prepaid:1-1-102'")" "-9910" \
	"and paid from its prepaid balance: 99.10 left, as charged daily"
PM_DB=$T/daily/pm.db
expect_eq "$(sql "SELECT status || ' ' || (SELECT sum(amount_fen) FROM posting WHERE account = 'prepaid:1-1-102') FROM bill
	WHERE code = 'B-2026-11-1-1-102'")" "paid -9910" "the daily store the same"
PM_DB=$T/weekly/pm.db

# Again, for the same day or an earlier: nothing more.
PM_NOW=2026-12-31T09:00:00+08:00 run pm-bill late-fees --format jsonl
expect_eq "$(fees)" "$daily" "the same day again adds nothing"
PM_NOW=2026-12-31T12:00:00+08:00 run pm-bill late-fees --as-of 2026-12-30 --format jsonl
expect_eq "$(fees)" "$daily" "nor an earlier day"
run pm check
expect_rc 0 "pm check holds"

# A later day: 1-1-101 2.5 fen a day on, 1-1-104 5, 1-1-102 and 1-1-103
# nothing; 1-1-101's 107.5 goes to 110 on 1 January, 112.5 -> 113 on 2.
PM_NOW=2027-01-02T09:00:00+08:00 run pm-bill late-fees --format jsonl
expect_eq "$(fees)" "113,90,0,150" "two days on, the days' exact sum rounded"
done_testing
