#!/bin/sh
# The command line's --as shows an owner what the web does (the same
# library functions): after a sale the buyer's pm-bill list, show and
# statement leave out the seller's settled bill and the seller's
# payments; the bill still owed passes with the unit; the desk sees all.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

run pm init
run pm config apply "$PM_TOP/share/pm/examples/pm.yaml"
feed '{"code":"1-1-101","area":"89.50","delivered":"2019-06-30"}\n' pm unit import
feed '{"code":"P1","name":"张伟","unit":"1-1-101"}
{"code":"P3","name":"王芳"}\n' pm person import
run pm user add owner1 --role owner --person P1
run pm user add owner3 --role owner --person P3
PM_NOW=2026-11-05T09:00:00+08:00 run pm-bill run -q --period 2026-10
PM_NOW=2026-11-05T09:00:00+08:00 run pm-bill issue -q --period 2026-10
run pm-bill run -q --period 2026-11
run pm-bill issue -q --period 2026-11
run pm-bill pay -q --unit 1-1-101 --bill B-2026-10-1-1-101 --amount 225.33 --channel wechat --ref WX-SELLER-1
expect_rc 0 "the seller pays October"
run pm-bill pay -q --unit 1-1-101 --bill B-2026-11-1-1-101 --amount 100.00 --channel wechat --ref WX-SELLER-2
expect_rc 0 "and part of November"
run pm unit transfer 1-1-101 --to P3 --at 2026-12-02 --settle
expect_rc 0 "sold from 2 December"
PM_NOW=2026-12-02T09:00:00+08:00
run pm-bill pay -q --unit 1-1-101 --bill B-2026-11-1-1-101 --amount 50.00 --channel wechat --ref WX-BUYER-1
expect_rc 0 "the buyer pays 50.00"

run pm-bill list --as owner3 --unit 1-1-101 --format tsv
expect_rc 0 "the buyer lists the unit's bills"
expect_eq "$(cut -f1 "$T/out" | tail -n +2 | tr '\n' ' ')" "B-2026-11-1-1-101 " "only November, still owed"
run pm-bill show B-2026-10-1-1-101 --as owner3
expect_rc 77 "the seller's October refused"
run pm-bill show B-2026-11-1-1-101 --as owner3
expect_rc 0 "November shown"
expect_eq "$(grep -o '"payment":[0-9]*' "$T/out" | sort -u | tr '\n' ' ')" '"payment":3 ' "with the buyer's payment, not the seller's"
run pm-bill statement --unit 1-1-101 --as owner3 --format jsonl
expect_rc 0 "the buyer's statement"
expect_eq "$(grep -c '"kind":"payment"' "$T/out")" 1 "one payment on it: the buyer's"
expect_eq "$(grep -o '"at":"[0-9-]*' "$T/out" | sort -u | head -1)" '"at":"2026-12-02' "nothing before the sale"
run pm-bill list --unit 1-1-101 --format tsv
expect_eq "$(tail -n +2 "$T/out" | wc -l)" 2 "the desk sees both bills"
run pm-bill statement --unit 1-1-101 --format jsonl
expect_eq "$(grep -c '"kind":"payment"' "$T/out")" 3 "and every payment"
done_testing
