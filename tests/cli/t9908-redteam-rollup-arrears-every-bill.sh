#!/bin/sh
# Red team: pm-rollup report arrears without --period exited 2, "give
# --period, or --from and --to", though its synopsis has the months
# optional and pm-report arrears without them covers every bill. Now it
# covers every bill too (pm_query_every_period, the one rule of both).
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/rollup-pg.sh"
csv() { tr -d '\r' <"$T/out"; }

PM_NOW=2026-10-01T09:00:00+08:00 run pm init --community A
feed '{"code":"1-1-101","area":"100"}\n' pm unit import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community: {name: A}
fees:
  - {name: property, label: 物业费, type: per_area, prices: {residential: 2}}
Y
run pm config apply pm.yaml
for p in 10 11; do
	PM_NOW=2026-$((p + 1))-01T09:00:00+08:00 run pm-bill run --period 2026-$p
	PM_NOW=2026-$((p + 1))-01T09:00:00+08:00 run pm-bill issue --period 2026-$p
	expect_rc 0 "2026-$p billed, 20000 due on the 15th of the next month"
done
PM_NOW=2026-12-20T09:00:00+08:00
export PM_NOW
run pm export --format jsonl
cp "$T/out" a.feed
run pm-rollup load --pg "$conn" a.feed
expect_rc 0 "loaded"
A=$(pg "SELECT community FROM rollup_community")

run pm-report arrears --section building --format csv
expect_out '^total,1,2,20000,20000,0,0,0,40000' "pm-report arrears without a period: both bills"
run pm-rollup report arrears --pg "$conn" --format csv
expect_rc 0 "pm-rollup report arrears without --period"
expect_eq "$(csv)" "community,units,bills,d0_30_fen,d31_90_fen,d91_180_fen,d181_365_fen,d365_fen,owed_fen
$A,1,2,20000,20000,0,0,0,40000
total,1,2,20000,20000,0,0,0,40000" "covers every bill, as the community's own report"
run pm-rollup report arrears --pg "$conn" --period 2026-11 --format csv
expect_out "^$A,1,1,20000,0,0,0,0,20000" "a period still keeps to its bills"
run pm-rollup report collection --pg "$conn" --format csv
expect_rc 2 "collection still asks for its months"
expect_err "give --period, or --from and --to" "saying so"
done_testing
