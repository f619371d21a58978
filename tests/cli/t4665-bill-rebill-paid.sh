#!/bin/sh
# A reading corrected down after the bill was paid: pm-bill rebill
# --confirm credits the difference and gives what the bill was paid
# beyond it back to the prepaid balance, and pm-bill refund returns it to
# the payment. The rebill refused ("refund instead") and the refund too
# ("credit the bills first"): the overcharge could be neither credited
# nor paid back (the year-long money walk's finding). Amounts by hand.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"100","delivered":"2020-01-01"}\n' pm unit import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
fees:
  - {name: power, label: 电费, type: metered, meter_kind: electricity, price: 0.6}
Y
run pm config apply pm.yaml
feed '{"code":"E1","kind":"electricity","serves":"1-1-101","installed":"2026-01-01T00:00:00+08:00"}\n' pm-meter import
feed '{"meter":"E1","ts":"2026-10-31T23:00:00+08:00","value":"100"}
{"meter":"E1","ts":"2026-11-30T23:00:00+08:00","value":"200"}\n' pm-meter ingest
run pm-bill run --period 2026-11
run pm-bill issue --period 2026-11
run pm-bill pay --unit 1-1-101 --amount 60 --channel wechat --ref W1 --format jsonl
expect_out '"allocated_fen":6000,"prepaid_fen":0' "November's 100 kWh, 60.00, paid"
# The reading was 180, not 200.
feed '{"meter":"E1","ts":"2026-11-30T23:00:00+08:00","value":"180"}\n' pm-meter ingest --replace
run pm-bill rebill B-2026-11-1-1-101 --confirm --reason 抄表更正 --format jsonl
expect_rc 0 "the rebill is recorded"
expect_out '"was_fen":6000,"now_fen":4800,"difference_fen":-1200,"outcome":"recorded"' "80 kWh, 48.00: 12.00 less"
expect_eq "$(sql "SELECT status || ' ' || paid_fen || ' ' || (total_fen + adjust_fen) FROM bill")" "paid 4800 4800" \
	"the bill paid at its new 48.00"
expect_eq "$(sql "SELECT -sum(amount_fen) FROM posting WHERE account = 'prepaid:1-1-101'")" 1200 "12.00 prepaid"
run pm-bill refund 1 --amount 12 --reason 退多收 --format jsonl
expect_rc 0 "W1's 12.00 refunded"
expect_out '"payment":1,"unit":"1-1-101","amount_fen":1200' "to the payment"
run pm-bill statement --unit 1-1-101 --format jsonl
expect_out '"kind":"refund","ref":"payment:1","amount_fen":1200,"balance_fen":0' "the statement ends at 0"
run pm check
expect_rc 0 "pm check passes"
done_testing
