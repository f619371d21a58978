#!/bin/sh
# pm occupancy end --until a day to come takes effect on that day: until
# then the resident still lives there, for the unit's occupants, for who
# may see it and for its vacancy on the bill.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-11-10T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"100","delivered":"2020-06-30"}\n' pm unit import
feed '{"code":"P1","name":"张伟","unit":"1-1-101"}\n' pm person import
run pm user add owner.p1 --role owner --person P1
printf 'effective: 2026-01-01\ncommunity:\n  name: 测试小区\nfees:\n  - name: property\n    label: 物业费\n    type: per_area\n    prices: {residential: 2}\n    vacant_discount_percent: 50\n' >pm.yaml
run pm config apply pm.yaml

run pm occupancy end --unit 1-1-101 --person P1 --until 2026-11-20
expect_rc 0 "a move-out on the 20th, said on the 10th"
run pm unit show 1-1-101 --format jsonl
expect_out '"occupants":\[\{"person":"P1",' "P1 still lives there"
run pm --as owner.p1 unit show 1-1-101 --format jsonl
expect_rc 0 "and may still see the unit"
run pm person show P1 --format jsonl
expect_out '"units":"1-1-101:owner"' "the person's units still list it"

PM_NOW=2026-11-19T23:00:00+08:00 run pm unit show 1-1-101 --format jsonl
expect_out '"occupants":\[\{"person":"P1",' "to the last evening"
PM_NOW=2026-11-20T08:00:00+08:00 run pm unit show 1-1-101 --format jsonl
expect_out '"occupants":\[\]' "gone on the day"
PM_NOW=2026-11-20T08:00:00+08:00 run pm --as owner.p1 unit show 1-1-101
expect_rc 77 "and no longer sees the unit"

# Vacant from the 20th: 11 days of 30 at half price,
# 2.00 × 100 × (19 + 11 × 50%) / 30 = 163.333… → 163.33.
PM_NOW=2026-12-01T09:00:00+08:00 run pm-bill run --period 2026-11 --format jsonl
expect_out '"bill":"B-2026-11-1-1-101".*"total_fen":16333,' "the bill sees the end from that day"
expect_eq "$(sql "SELECT json_extract(breakdown, '\$.vacant_days') FROM bill_line")" "11" "11 vacant days"
done_testing
