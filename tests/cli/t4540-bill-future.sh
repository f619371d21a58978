#!/bin/sh
# A period after the current month, in the community's zone, is billed
# only with --future: a mistyped year would otherwise bill a year ahead.
. "$PM_TOP/tests/cli/lib.sh"

run pm init
feed '{"code":"1-1-101","area":"100","delivered":"2020-06-30"}\n' pm unit import
printf 'effective: 2026-01-01\ncommunity:\n  name: 测试小区\nfees:\n  - name: garbage\n    label: 垃圾费\n    type: fixed\n    amounts: {residential: 15}\n' >pm.yaml
run pm config apply pm.yaml

# 23:00 on 30 November in Shanghai: still November there.
export PM_NOW=2026-11-30T15:00:00Z
run pm-bill run --period 2026-12 --format jsonl
expect_rc 65 "December before it begins"
expect_err '^pm-bill: period 2026-12 has not begun \(it is 2026-11 now\): give --future to bill ahead$' \
	"is refused, naming --future"
expect_eq "$(sql "SELECT count(*) FROM bill")" "0" "and nothing is billed"
run pm-bill run --period 2026-11 --format jsonl
expect_rc 0 "the current month may be billed"
run pm-bill run --period 2026-12 --dry-run --format jsonl
expect_rc 65 "a dry run ahead is refused too"

# An hour later it is December in Shanghai, though not yet in UTC.
export PM_NOW=2026-11-30T16:30:00Z
run pm-bill run --period 2026-12 --format jsonl
expect_rc 0 "December, once it has begun in the community's zone"
run pm-bill run --period 2027-12 --format jsonl
expect_rc 65 "a year ahead"
run pm-bill run --period 2027-12 --future --format jsonl
expect_rc 0 "with --future"
expect_out '"bill":"B-2027-12-1-1-101".*"outcome":"made","total_fen":1500' "bills ahead"
done_testing
