-- A posting is keyed by what identifies it: its journal entry and its
-- account (pm_ledger_post merges an entry's postings of one account, and
-- has since the ledger began, so no store holds two). Stored WITHOUT
-- ROWID in that order, the table is its own index by entry: each posting
-- goes into two b-trees, not three (the rowid table, posting_journal and
-- posting_account). pm-bill issue writes six postings a bill: callgrind
-- at 2,000 units, 318.6 M instructions -> 301.8 M. The rows move as they
-- are; nothing refers to posting, and no code reads its rowid.
--
-- Without the foreign key to journal: pm_ledger_post, the only writer,
-- writes the entry and then its postings in one transaction, and nothing
-- deletes an entry. The key's probe of journal was 1,400 instructions a
-- posting, and an immediate foreign key makes a statement of several
-- rows keep a statement journal; without it an entry's postings go in
-- one statement (lib/ledger.c): 301.8 M -> 259.3 M. pm check's
-- ledger.entry finds a posting of no entry, as its foreign key check
-- found it before.
CREATE TABLE posting_new (
	journal_id INTEGER NOT NULL,  -- journal(id), which pm check's ledger.entry holds it to
	account    TEXT NOT NULL,  -- receivable:3-2-1101, prepaid:3-2-1101, revenue:water, cash:wechat
	amount_fen INTEGER NOT NULL,
	PRIMARY KEY (journal_id, account)
) STRICT, WITHOUT ROWID;
INSERT INTO posting_new (journal_id, account, amount_fen)
	SELECT journal_id, account, amount_fen FROM posting;
DROP TABLE posting;
ALTER TABLE posting_new RENAME TO posting;
-- An account's postings by entry (balances, statements, pm check); the
-- key's journal_id is in every entry of it already.
CREATE INDEX posting_account ON posting(account);
