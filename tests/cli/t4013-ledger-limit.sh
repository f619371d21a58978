#!/bin/sh
# No sum may pass the ledger's limit (pm.yaml(5), billing.max_amount):
# payments of at most max_amount each piled a unit's prepaid balance past
# it, after which its statement failed and, past 64 bits, refunds did,
# while pm check said the store was sound (found by the red team of
# stop 37). A payment that would take the balance past it is refused,
# exit 65, nothing recorded; pm check finds an account past it.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T10:00:00+08:00
export PM_NOW

run pm init --community 幸福里
feed '{"code":"1-1-0101","area":"89.50","status":"occupied"}\n' pm unit import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 幸福里
billing:
  max_amount: 90000000000000.00
fees:
  - {name: property, label: 物业费, type: per_area, prices: {residential: 2.00}}
Y
run pm config apply pm.yaml
run pm-bill pay --unit 1-1-0101 --amount 90000000000000 --channel bank --ref X1
expect_rc 0 "a payment of the most there may be"
run pm-bill pay --unit 1-1-0101 --amount 0.01 --channel bank --ref X2
expect_rc 65 "a cent more into that prepaid balance: exit 65"
expect_err "^pm-bill: account 'prepaid:1-1-0101' would be past the ledger's limit of 90000000000000.00$" \
	"naming the account and the limit"
expect_eq "$(sql 'SELECT count(*), sum(amount_fen) FROM payment')" "1|9000000000000000" "the second not recorded"
run pm-bill statement --unit 1-1-0101 --format jsonl
expect_rc 0 "the statement still reads"
run pm check
expect_rc 0 "the store is sound"

# A store that got there anyway (an older pm): pm check says so.
sql "INSERT INTO journal (ts, kind, ref, memo) VALUES (0, 'payment', 'payment:99', 'X3');
	INSERT INTO posting (journal_id, account, amount_fen) VALUES
	 (last_insert_rowid(), 'prepaid:1-1-0101', -9000000000000000), (last_insert_rowid(), 'cash:bank', 9000000000000000)"
run pm check --format jsonl
expect_rc 1 "pm check fails"
expect_out '"check":"ledger.limit","problem":"account prepaid:1-1-0101: its balance is past the ledger'"'"'s limit of 90000000000000.00"' \
	"naming the account"
expect_out "account cash:bank: its balance is past" "and the other side"
done_testing
