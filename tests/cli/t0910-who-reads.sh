#!/bin/sh
# Who may read a unit, a bill, a statement, a notice and the notice
# board: one rule per object in libpm (pm_unit_may_read, pm_bill_may_read,
# pm_announce_each_for), the same in every program. Staff read everything
# their role allows; an owner only what is of a unit they live in, one
# unit or bill at a time.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"80","delivered":"2020-06-30"}\n{"code":"1-1-102","area":"100","delivered":"2020-06-30"}\n' pm unit import
feed '{"code":"P1","name":"业主甲","unit":"1-1-101"}\n{"code":"P2","name":"业主乙","unit":"1-1-102"}\n' pm person import
run pm user add owner1 --role owner --person P1
run pm user add fd1 --role frontdesk
printf 'effective: 2026-01-01\ncommunity:\n  name: x\nfees:\n  - name: property\n    label: 物业费\n    type: per_area\n    prices: {residential: 2.5}\n' >pm.yaml
run pm config apply pm.yaml
expect_rc 0 "a config with a fee"
run pm-bill run --period 2026-11
run pm-bill issue --period 2026-11 --due 2026-12-20
expect_rc 0 "two bills issued"
own=$(sql "SELECT b.code FROM bill b JOIN unit u ON u.id = b.unit_id WHERE u.code = '1-1-101'")
other=$(sql "SELECT b.code FROM bill b JOIN unit u ON u.id = b.unit_id WHERE u.code = '1-1-102'")

# Units.
run pm --as owner1 unit list
expect_rc 77 "an owner may not list every unit"
expect_err "^pm: an owner sees only their own units: use 'pm unit show'$" "and is told what to do"
run pm --as fd1 unit list --format tsv
expect_rc 0 "the front desk lists units"
expect_eq "$(tail -n +2 "$T/out" | cut -f1 | tr '\n' ' ')" "1-1-101 1-1-102 " "both of them"

# Bills.
run pm-bill --as owner1 list
expect_rc 77 "an owner may not list every bill"
expect_err "^pm-bill: user 'owner1' \(owner\) reads the bills of one unit or one bill at a time$" "saying so"
run pm-bill --as owner1 list --unit 1-1-101 --format tsv
expect_rc 0 "an owner lists the bills of their unit"
expect_out "^$own	1-1-101	2026-11	issued	20000	" "their bill, 200.00 yuan"
run pm-bill --as owner1 list --unit 1-1-102
expect_rc 77 "not those of another unit"
expect_err "user 'owner1' may not see unit '1-1-102'" "named"
run pm-bill --as owner1 show "$own" --format jsonl
expect_rc 0 "an owner shows their bill"
run pm-bill --as owner1 show "$other"
expect_rc 77 "not another's"
expect_err "^pm-bill: user 'owner1' may not see bill '$other'\$" "the bill named, not whose it is"
run pm-bill --as owner1 show B-2026-11-9-9-999
expect_rc 77 "nor one that does not exist"
expect_err "^pm-bill: user 'owner1' may not see bill 'B-2026-11-9-9-999'\$" "said the same way: bills cannot be probed"
run pm-bill --as owner1 statement --unit 1-1-101 --format tsv
expect_rc 0 "an owner reads their statement"
run pm-bill --as owner1 statement --unit 1-1-102
expect_rc 77 "not another unit's"
run pm-bill --as owner1 points --unit 1-1-102
expect_rc 77 "nor its reward points"
run pm-bill --as owner1 notice "$own"
expect_rc 0 "an owner prints the notice of their bill"
expect_out "<html" "as HTML"
run pm-bill --as owner1 notice "$other"
expect_rc 77 "not of another's"
run pm-bill --as owner1 notice --period 2026-11
expect_rc 77 "nor a whole period's notices"
expect_err "reads the bills of one unit or one bill at a time" "for the same reason"
run pm-bill --as fd1 list --format tsv
expect_rc 0 "the front desk lists every bill"
expect_eq "$(tail -n +2 "$T/out" | cut -f2 | tr '\n' ' ')" "1-1-101 1-1-102 " "both"

# The notice board: an owner sees only what is addressed to them.
echo 停水 >body.txt
run pm-notify announce --title 甲 --body body.txt --to unit:1-1-101 --channel stdout
expect_rc 0 "an announcement to one unit"
run pm-notify announce --title 乙 --body body.txt --to unit:1-1-102 --channel stdout
run pm-notify --as owner1 announcements --format tsv
expect_rc 0 "an owner reads the notice board"
expect_eq "$(cut -f2 "$T/out" | tr '\n' ' ')" "title 甲 " "only what is addressed to their unit"
run pm-notify --as fd1 announcements --format tsv
expect_eq "$(cut -f2 "$T/out" | tr '\n' ' ')" "title 乙 甲 " "the front desk sees both"
done_testing
