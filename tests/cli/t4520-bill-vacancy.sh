#!/bin/sh
# Vacancy has one source, occupancy: whatever a unit's status says, it is
# vacant on the days nobody lives there. A run says how many bills got a
# vacancy discount, so a surprise shows.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"100","status":"occupied","delivered":"2020-06-30"}
{"code":"1-1-102","area":"100","status":"vacant","delivered":"2020-06-30"}
{"code":"1-1-103","area":"100","status":"occupied","delivered":"2020-06-30"}
{"code":"1-1-B01","area":"12","use":"parking","status":"rented","floor":-1,"delivered":"2020-06-30"}
{"code":"1-1-B02","area":"12","use":"parking","status":"vacant","floor":-1,"delivered":"2020-06-30"}
{"code":"1-1-B03","area":"12","use":"parking","status":"vacant","floor":-1,"delivered":"2020-06-30"}\n' pm unit import
# Nobody lives in 101, whatever its status; 102's owner is imported with
# no date and so moved in on its delivery; 103's on 11 November. B02 is
# rented out, B03 its owner's.
feed '{"code":"P2","name":"张伟","unit":"1-1-102"}
{"code":"P3","name":"李娜","unit":"1-1-103","since":"2026-11-11"}
{"code":"P4","name":"王芳","unit":"1-1-B02","role":"tenant"}
{"code":"P5","name":"赵磊","unit":"1-1-B03"}\n' pm person import
expect_eq "$(sql "SELECT group_concat(since, ' ') FROM (SELECT since FROM occupancy ORDER BY id)")" \
	"2020-06-30 2026-11-11 2020-06-30 2020-06-30" "moved in on the delivery date when the record gives none"
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
fees:
  - name: property
    label: 物业费
    type: per_area
    prices: {residential: 2}
    vacant_discount_percent: 50
  - name: parking
    label: 车位管理费
    type: parking
    amounts: {owned: 80, rented: 150}
Y
run pm config apply pm.yaml
run pm-bill run --period 2026-11 --format jsonl
expect_rc 0 "the November run"
# 101 vacant all month: 2.00 × 100 × 50% = 100.00
expect_out '"bill":"B-2026-11-1-1-101".*"total_fen":10000,' "an 'occupied' unit nobody lives in is vacant"
# 102 lived in all month: 200.00
expect_out '"bill":"B-2026-11-1-1-102".*"total_fen":20000,' "a 'vacant' unit somebody lives in is not"
# 103 vacant the 1st to the 10th: 2.00 × 100 × (20 + 10 × 50%) / 30 = 166.666… → 166.67
expect_out '"bill":"B-2026-11-1-1-103".*"total_fen":16667,' "vacant until the move-in"
expect_eq "$(grep -c 'B-2026-11-1-1-B01' "$T/out")" "0" "a parking space nobody holds is not billed, whatever its status"
expect_out '"bill":"B-2026-11-1-1-B02".*"total_fen":15000,' "one a tenant holds is rented"
expect_out '"bill":"B-2026-11-1-1-B03".*"total_fen":8000,' "one its owner holds is owned"
expect_err "5 bills made \\(¥696\\.67\\), 0 skipped, 0 recomputed, 2 with a vacancy discount," \
	"the summary says how many got a vacancy discount"
expect_eq "$(sql "SELECT json_extract(after, '\$.vacant') FROM audit WHERE action = 'bill.run'")" "2" \
	"and so does the run's audit record"
done_testing
