#!/bin/sh
# Red team: pm-rollup report collection and arrears left out a community
# loaded with units but no bills (the views yield only communities with
# bills), while its own pm-report prints a total row of zeros. Every
# loaded community now has its row, zeros and no rates (—).
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/rollup-pg.sh"
csv() { tr -d '\r' <"$T/out"; }

mk() { # STORE NAME: one unit of 100 m², 2.00 a m²
	PM_DB=$T/$1 PM_NOW=2026-10-01T09:00:00+08:00 run pm init --community "$2"
	PM_DB=$T/$1 feed '{"code":"1-1-101","area":"100"}\n' pm unit import
	printf 'effective: 2026-01-01\ncommunity: {name: %s}\nfees:\n  - {name: property, label: 物业费, type: per_area, prices: {residential: 2}}\n' "$2" >pm.yaml
	PM_DB=$T/$1 run pm config apply pm.yaml
	expect_rc 0 "community $2"
}
mk a.db A
mk b.db B
PM_DB=$T/a.db PM_NOW=2026-11-01T09:00:00+08:00 run pm-bill run --period 2026-10
PM_DB=$T/a.db PM_NOW=2026-11-01T09:00:00+08:00 run pm-bill issue --period 2026-10
expect_rc 0 "A bills October, B nothing"
PM_NOW=2026-12-05T09:00:00+08:00
export PM_NOW
PM_DB=$T/a.db run pm export --format jsonl
cp "$T/out" a.feed
PM_DB=$T/b.db run pm export --format jsonl
cp "$T/out" b.feed
run pm-rollup load --pg "$conn" a.feed b.feed
expect_rc 0 "both loaded"
A=$(pg "SELECT community FROM rollup_community ORDER BY community" | head -1)
B=$(pg "SELECT community FROM rollup_community ORDER BY community" | tail -1)
expect_eq "$(pg "SELECT count(*) FROM rollup_community")" 2 "two communities in PostgreSQL"
# Which of the two is A: the one with a bill.
if [ "$(pg "SELECT count(*) FROM rollup_bill WHERE community = '$A'")" = 0 ]; then t=$A; A=$B; B=$t; fi

PM_DB=$T/b.db run pm-report collection --period 2026-10 --section building --format csv
expect_out '^total,0,0,0,0,0,0,0,0,—,—' "B's own collection: a total of zeros"
PM_DB=$T/b.db run pm-report arrears --period 2026-10 --section building --format csv
expect_out '^total,0,0,0,0,0,0,0,0' "B's own arrears: a total of zeros"

H=community,bills,paid_bills,charged_fen,adjust_fen,late_fen,billed_fen,collected_fen,outstanding_fen,rate_count_pct,rate_amount_pct
run pm-rollup report collection --pg "$conn" --period 2026-10 --format csv
expect_rc 0 "the group's collection"
expect_eq "$(csv)" "$H
$(printf '%s\n%s\n' "$A,1,0,20000,0,0,20000,0,20000,0.0,0.0" "$B,0,0,0,0,0,0,0,0,—,—" | sort)
total,1,0,20000,0,0,20000,0,20000,0.0,0.0" "B has its row of zeros, without rates"

AH=community,units,bills,d0_30_fen,d31_90_fen,d91_180_fen,d181_365_fen,d365_fen,owed_fen
run pm-rollup report arrears --pg "$conn" --period 2026-10 --format csv
expect_rc 0 "the group's arrears"
expect_eq "$(csv)" "$AH
$(printf '%s\n%s\n' "$A,1,1,20000,0,0,0,0,20000" "$B,0,0,0,0,0,0,0,0" | sort)
total,1,1,20000,0,0,0,0,20000" "B has its row of zeros"

done_testing
