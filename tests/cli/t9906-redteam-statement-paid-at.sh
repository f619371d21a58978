#!/bin/sh
# Red team: pm-bill statement dated a payment by when it was keyed in, not
# when the money came (pm-bill pay --at): a bank payment of 20 November
# recorded on 3 December left the statement to 30 November owing 20000
# while pm-report arrears as of that day and the money received in
# November counted it paid. The statement now dates and orders each
# payment by its time, as the reports do.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-10-01T09:00:00+08:00
export PM_NOW
csv() { tr -d '\r' <"$T/out"; }

run pm init --community 测试小区
feed '{"code":"1-1-101","area":"100"}\n' pm unit import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community: {name: 测试小区}
fees:
  - {name: property, label: 物业费, type: per_area, prices: {residential: 2}}
Y
run pm config apply pm.yaml
PM_NOW=2026-11-01T09:00:00+08:00 run pm-bill run --period 2026-10
PM_NOW=2026-11-01T09:00:00+08:00 run pm-bill issue --period 2026-10
PM_NOW=2026-12-01T09:00:00+08:00 run pm-bill run --period 2026-11
PM_NOW=2026-12-01T09:00:00+08:00 run pm-bill issue --period 2026-11
# The bank says the money came on 20 November; it is keyed in on 3 December.
PM_NOW=2026-12-03T09:00:00+08:00 run pm-bill pay --unit 1-1-101 --amount 200 --channel bank --ref BK1 \
	--at 2026-11-20T10:00:00+08:00
expect_rc 0 "the bank payment recorded late"
PM_NOW=2026-12-05T09:00:00+08:00

H=unit,at,kind,ref,amount_fen,balance_fen,memo
run pm-bill statement --unit 1-1-101 --to 2026-11-30 --format csv
expect_rc 0 "the statement to 30 November"
expect_eq "$(csv)" "$H
1-1-101,2026-11-01T09:00:00+08:00,issue,bill:B-2026-10-1-1-101,20000,20000,
1-1-101,2026-11-20T10:00:00+08:00,payment,payment:1,-20000,0,BK1" \
	"ends owing nothing: the payment on the day the money came"
run pm-bill statement --unit 1-1-101 --format csv
expect_eq "$(csv)" "$H
1-1-101,2026-11-01T09:00:00+08:00,issue,bill:B-2026-10-1-1-101,20000,20000,
1-1-101,2026-11-20T10:00:00+08:00,payment,payment:1,-20000,0,BK1
1-1-101,2026-12-01T09:00:00+08:00,issue,bill:B-2026-11-1-1-101,20000,20000," \
	"in full: in time order, the balance running through"
run pm-bill statement --unit 1-1-101 --from 2026-12-01 --format csv
expect_eq "$(csv)" "$H
1-1-101,2026-12-01T09:00:00+08:00,issue,bill:B-2026-11-1-1-101,20000,20000," \
	"from 1 December: not the payment keyed in that month"

run pm-report arrears --as-of 2026-11-30 --section unit --format csv
expect_eq "$(csv | grep -c 1-1-101)" 0 "as pm-report arrears has it on 30 November"
run pm-report collection --period 2026-11 --section received --format csv
expect_out '^bank,1,20000,20000,0,0' "and the money received in November"
done_testing
