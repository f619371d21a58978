#!/bin/sh
# A reference given by hand in the form of a receipt number
# (2026-000002) is refused, on the command line and in a day-book:
# taken, the desk's next payments without a ref, numbered 2026-000002
# in turn, all failed on it ("UNIQUE constraint failed"). pm's own
# numbered payment sent again is still its duplicate.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-15T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"100","delivered":"2020-01-01"}
{"code":"1-1-102","area":"80","delivered":"2020-01-01"}\n' pm unit import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
fees:
  - {name: property, label: 物业费, type: per_area, prices: {residential: 2.5}}
Y
run pm config apply pm.yaml
run pm-bill run --period 2026-11
run pm-bill issue --period 2026-11

run pm-bill pay --unit 1-1-101 --amount 10 --channel cash --ref 2026-000002
expect_rc 65 "a receipt-shaped --ref is refused"
expect_err "pm-bill: reference '2026-000002' has the form of a receipt number, which pm gives a payment recorded without a reference: give the channel's own reference, or none" \
	"saying why and what to give"
run pm-bill pay --unit 1-1-101 --amount 10 --channel bank --ref 2027-1234567
expect_rc 65 "on any channel, seven digits too"
run pm-bill pay --unit 1-1-102 --amount 20 --channel cash --format jsonl
expect_rc 0 "the desk's payment without a ref"
expect_out '"ref":"2026-000001",' "takes receipt number 2026-000001"
run pm-bill pay --unit 1-1-102 --amount 30 --channel cash --format jsonl
expect_rc 0 "and the next"
expect_out '"ref":"2026-000002",.*"outcome":"recorded"' "takes 2026-000002, which nobody took by hand"
run pm-bill pay --unit 1-1-102 --amount 30 --channel cash --ref 2026-000002 --format jsonl
expect_rc 0 "pm's own numbered payment sent again"
expect_out '"payment":2,.*"outcome":"duplicate"' "is its duplicate"
for ref in 2026-00001 26-000001 2026-00000a X2026-000001 2026_000001; do
	run pm-bill pay --unit 1-1-101 --amount 1 --channel bank --ref "$ref" --format jsonl
	expect_rc 0 "'$ref' is no receipt number"
done

printf '{"unit":"1-1-101","amount":"5.00","channel":"cash","ref":"D-1"}\n{"unit":"1-1-101","amount":"6.00","channel":"cash","ref":"2026-000009"}\n{"unit":"1-1-101","amount":"7.00","channel":"cash","ref":"D-3"}\n' >day.jsonl
run pm-bill pay --reject rej.jsonl day.jsonl
expect_rc 65 "a day-book with one such ref"
expect_err "day.jsonl:2: reference '2026-000009' has the form of a receipt number" "named by file and line"
expect_eq "$(cat rej.jsonl)" '{"unit":"1-1-101","amount":"6.00","channel":"cash","ref":"2026-000009"}' "kept in the reject file"
expect_eq "$(sql "SELECT group_concat(ref) FROM (SELECT ref FROM payment WHERE ref LIKE 'D-%' ORDER BY id)")" "D-1,D-3" \
	"the good records recorded"
expect_eq "$(sql "SELECT count(*) FROM payment")" 9 "nine payments in all"
run pm check
expect_rc 0 "the store checks out"
done_testing
