#!/bin/sh
# Bounds on money: one payment, bill line or note above billing.max_amount
# (¥10,000,000.00 unless the config says) is refused naming the field and
# the maximum; a sum beyond the ledger's limit is an error, never a wrap;
# pm check reports a stored amount out of bounds.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"100","delivered":"2020-06-30"}\n{"code":"1-1-102","area":"100","delivered":"2020-06-30"}\n' pm unit import

run pm-bill pay --unit 1-1-101 --amount 10000000.01 --channel bank --ref B1
expect_rc 65 "a payment a fen above ¥10,000,000.00"
expect_err '^pm-bill: field "amount": 10000000.01 is above the maximum of 10000000.00 \(billing.max_amount\)$' \
	"is refused, naming the field and the maximum"
printf '{"unit":"1-1-101","amount":"99999999999","channel":"bank","ref":"B2"}\n' >pays.jsonl
run pm-bill pay --format jsonl pays.jsonl
expect_rc 65 "in JSON lines too"
expect_err 'pays.jsonl:1: field "amount": 99999999999.00 is above the maximum' "by line"
expect_eq "$(sql "SELECT count(*) FROM payment")" "0" "nothing recorded"
run pm-bill pay --unit 1-1-101 --amount 10000000.00 --channel bank --ref B3 --format jsonl
expect_rc 0 "the maximum itself is a payment"

cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
billing:
  max_amount: 1000
fees:
  - name: garbage
    label: 垃圾费
    type: fixed
    amounts: {residential: 15}
Y
run pm config apply pm.yaml
run pm-bill pay --unit 1-1-101 --amount 1000.01 --channel bank --ref B4
expect_rc 65 "the config sets the maximum"
expect_err 'field "amount": 1000.01 is above the maximum of 1000.00 \(billing.max_amount\)' "and it is named"
run pm-bill run --period 2026-11 --format jsonl
run pm-bill issue --period 2026-11 --format jsonl
run pm-bill adjust B-2026-11-1-1-101 --amount 1000.01 --reason x
expect_rc 65 "a debit note above it"
expect_err '^pm-bill: amount 1000.01 is above the maximum of 1000.00 \(billing.max_amount\)$' "is refused"
run pm-bill adjust B-2026-11-1-1-101 --amount=-1000.01 --reason x
expect_rc 65 "a credit note too"
expect_eq "$(sql "SELECT count(*) FROM adjustment")" "0" "no note recorded"

# A line above it stops the run, naming unit, fee and maximum.
sed 's/residential: 15/residential: 1000.01/; s/effective: 2026-01-01/effective: 2026-12-01/' pm.yaml >pm2.yaml
run pm config apply pm2.yaml
run pm-bill run --period 2026-12 --format jsonl
expect_rc 65 "a bill line above the maximum"
expect_err "^pm-bill: unit '1-1-101', fee 'garbage': line 1000.01 is above the maximum of 1000.00 \\(billing.max_amount\\)$" \
	"is refused, naming the unit, the fee and the maximum"
expect_eq "$(sql "SELECT count(*) FROM bill WHERE period = '2026-12'")" "0" "and nothing of the batch is written"

# Two lines of 60 trillion yuan each, within a maximum of 90 trillion:
# their sum is beyond the ledger's limit.
cat >pm3.yaml <<'Y'
effective: 2026-12-01
community:
  name: 测试小区
billing:
  max_amount: 90000000000000
fees:
  - name: a
    label: 甲
    type: fixed
    amounts: {residential: 60000000000000}
  - name: b
    label: 乙
    type: fixed
    amounts: {residential: 60000000000000}
Y
run pm config apply pm3.yaml
run pm-bill run --period 2026-12 --format jsonl
expect_rc 65 "a bill whose lines sum past the limit"
expect_err "unit '1-1-101', fee 'b': a sum of money beyond the limit of ¥90,000,000,000,000.00" "is an error, not a wrap"
expect_eq "$(sql "SELECT count(*) FROM bill WHERE period = '2026-12'")" "0" "and writes nothing"

run pm check
expect_rc 0 "a sound store"
sql "UPDATE payment SET amount_fen = 9000000000000001 WHERE ref = 'B3'"
run pm check
expect_rc 1 "pm check finds a stored amount out of bounds"
expect_out "money.bounds.*payment 1: 9000000000000001 fen is beyond the limit of 9000000000000000" "and names it"
done_testing
