#!/bin/sh
# A store made before 0036_posting_key holds its postings in a rowid
# table with two indexes; pm upgrades it to posting keyed by journal
# entry and account, WITHOUT ROWID, and every posting is there after as
# before, to the fen, the ledger's balances and statements the same.
. "$PM_TOP/tests/cli/lib.sh"

# The store before 0036, made from the migrations before it.
store_before 0036_posting_key.sql
# A bill issued, paid with 10.50 over, and a note; postings written in
# the order pm_ledger_post wrote them, not the accounts'.
sqlite3 "$PM_DB" "INSERT INTO building (id, code) VALUES (1, '1'); INSERT INTO entrance (id, building_id, code) VALUES (1, 1, '1');
	INSERT INTO unit (id, code, building_id, entrance_id, room, floor, area_centi, use, status, created_at, updated_at)
	VALUES (1, '1-1-101', 1, 1, '101', 1, 6000, 'residential', 'occupied', 0, 0);
	INSERT INTO journal (id, ts, kind, ref) VALUES (1, 1796000000, 'issue', 'bill:B-2026-11-1-1-101'),
		(2, 1796100000, 'payment', 'payment:1'), (3, 1796200000, 'adjust', 'bill:B-2026-11-1-1-101');
	INSERT INTO posting (journal_id, account, amount_fen) VALUES
		(1, 'receivable:1-1-101', 3950), (1, 'revenue:water', -2950), (1, 'revenue:property', -1000),
		(2, 'cash:wechat', 5000), (2, 'receivable:1-1-101', -3950), (2, 'prepaid:1-1-101', -1050),
		(3, 'revenue:adjustment', -250), (3, 'prepaid:1-1-101', 250)"
expect_eq "$(sql "SELECT count(*) FROM pragma_index_list('posting')")" 2 "the old store: posting_journal and posting_account"
dump() {
	sql "SELECT journal_id || ' ' || account || ' ' || amount_fen FROM posting ORDER BY journal_id, account" | md5sum
}
before=$(dump)
balances=$(sql "SELECT account || ' ' || sum(amount_fen) FROM posting GROUP BY account ORDER BY account" | tr '\n' ' ')

run pm check
expect_rc 0 "pm upgrades the store and its checks pass"
expect_eq "$(sql 'PRAGMA user_version')" "$(ls "$PM_TOP"/share/pm/schema/*.sql | wc -l)" "at this pm's schema"
expect_eq "$(sql "SELECT sql LIKE '%WITHOUT ROWID' AND sql LIKE '%PRIMARY KEY (journal_id, account)%' FROM sqlite_master
	WHERE name = 'posting'")" 1 "posting is keyed by entry and account, WITHOUT ROWID"
expect_eq "$(sql "SELECT group_concat(name || ':' || (SELECT group_concat(name) FROM pragma_index_info(l.name)), ' ')
	FROM pragma_index_list('posting') l WHERE origin = 'c'")" "posting_account:account" "one index beside the key, by account"
expect_eq "$(dump)" "$before" "every posting as before"
expect_eq "$(sql "SELECT count(*) || ' ' || sum(amount_fen) || ' ' || sum(abs(amount_fen)) FROM posting")" "8 0 18400" \
	"eight postings, 92.00 each way"
expect_eq "$(sql "SELECT account || ' ' || sum(amount_fen) FROM posting GROUP BY account ORDER BY account" | tr '\n' ' ')" \
	"$balances" "each account's balance as before"
expect_eq "$balances" \
	"cash:wechat 5000 prepaid:1-1-101 -800 receivable:1-1-101 0 revenue:adjustment -250 revenue:property -1000 revenue:water -2950 " \
	"to the fen"
expect_eq "$(sql "SELECT journal_id || ' ' || sum(amount_fen) FROM posting GROUP BY journal_id" | tr '\n' ' ')" \
	"1 0 2 0 3 0 " "each entry sums to zero"

# The ledger reads and writes the new table: a payment's postings go in
# beside the old.
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
fees:
  - {name: property, label: 物业费, type: per_area, prices: {residential: 2.35}}
Y
run pm config apply -q pm.yaml
expect_rc 0 "a configuration"
feed '{"unit":"1-1-101","amount":"8","channel":"wechat","ref":"X1"}\n' pm-bill pay -
expect_rc 0 "a payment after the upgrade"
expect_eq "$(sql "SELECT account || ' ' || amount_fen FROM posting WHERE journal_id = 4 ORDER BY account" | tr '\n' ' ')" \
	"cash:wechat 800 prepaid:1-1-101 -800 " "its postings, in the new table"
expect_eq "$(sql "SELECT -sum(amount_fen) FROM posting WHERE account = 'prepaid:1-1-101'")" 1600 "16.00 prepaid"
run pm check
expect_rc 0 "the ledger still checks"

# posting names its entry without a foreign key (0036): pm check holds
# it to one.
sql "INSERT INTO posting (journal_id, account, amount_fen) VALUES (99, 'cash:wechat', 100), (99, 'revenue:water', -100)"
run pm check --format jsonl
expect_rc 1 "postings of an entry that is not there"
expect_out '"check":"ledger.entry","problem":"journal 99, cash:wechat: a posting of no journal entry"' "are found"
expect_out '"problem":"journal 99, revenue:water: a posting of no journal entry"' "each"
expect_eq "$(grep -c '"check"' "$T/out")" 2 "and nothing else"
done_testing
