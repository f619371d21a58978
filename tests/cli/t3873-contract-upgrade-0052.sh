#!/bin/sh
# Migration 0052 on a store made before it: the contract payments' key
# becomes (channel, ref) and a contract may end before its first day (a
# renewal ended with the contract it follows), the rows kept as they were.
. "$PM_TOP/tests/cli/lib.sh"
export PM_NOW=2026-12-01T09:00:00+08:00

store_before 0052_contract_end_ref.sql
sql "INSERT INTO journal (id, ts, kind, ref) VALUES (1, 0, 'contract', 'contract:1');
INSERT INTO contract (id, party, kind, object, from_date, to_date, amount_fen, every, by_user, created_at)
	VALUES (1, '广告公司', 'income', '电梯广告', '2026-01-01', '2026-12-31', 100000, 'quarter', 'admin', 0),
	       (2, '广告公司', 'income', '电梯广告', '2027-01-01', '2027-12-31', 100000, 'quarter', 'admin', 0);
UPDATE contract SET renews = 1 WHERE id = 2;
INSERT INTO contract_charge (contract_id, period_start, period_end, kind, days, amount_fen, channel, ref, journal_id, at)
	VALUES (1, '2026-12-01', '2026-12-01', 'payment', 0, 100, 'bank', 'R1', 1, 0)"
run pm-bill contract list --format jsonl
expect_rc 0 "the old store opens, upgraded"
expect_eq "$(sql 'PRAGMA user_version')" "$(ls "$PM_TOP"/share/pm/schema/*.sql | wc -l)" "at this pm's schema"
expect_eq "$(sql "SELECT name FROM pragma_index_info('contract_payment_ref') ORDER BY seqno" | tr '\n' ' ')" \
	"channel ref " "the payments' key is (channel, ref)"
expect_eq "$(sql "SELECT channel, ref, amount_fen FROM contract_charge")" "bank|R1|100" "the payment kept"
sql "INSERT INTO contract_charge (contract_id, period_start, period_end, kind, days, amount_fen, channel, ref, journal_id, at)
	VALUES (1, '2026-12-01', '2026-12-01', 'payment', 0, 100, 'cash', 'R1', 1, 0)" 2>"$T/sqlerr"
expect_eq "$(cat "$T/sqlerr")" "" "the same ref on another channel is taken"
sql "INSERT INTO contract_charge (contract_id, period_start, period_end, kind, days, amount_fen, channel, ref, journal_id, at)
	VALUES (1, '2026-12-01', '2026-12-01', 'payment', 0, 100, 'cash', 'R1', 1, 0)" 2>"$T/sqlerr"
expect_eq "$(grep -c 'UNIQUE constraint failed' "$T/sqlerr")" "1" "the same (channel, ref) twice is not"
sql "DELETE FROM contract_charge WHERE channel = 'cash'"
run pm-bill contract terminate 1 --on 2026-11-15 --reason 退租
expect_rc 0 "the upgraded store's contract is terminated"
expect_eq "$(sql "SELECT id, ended FROM contract ORDER BY id" | tr '\n' ' ')" "1|2026-11-15 2|2026-11-15 " \
	"and its renewal ends with it, before its first day"
sql "UPDATE contract SET ended = '2028-01-01' WHERE id = 2" 2>"$T/sqlerr"
expect_eq "$(grep -c 'CHECK constraint failed' "$T/sqlerr")" "1" "an end after the last day is still refused"

done_testing
