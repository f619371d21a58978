/* ledger: journal entries that balance, or nothing. */
#include <stdio.h>
#include <string.h>

#include "pm/db.h"
#include "pm/i18n.h"
#include "pm/ledger.h"
#include "pm/money.h"

/* "prefix:name", cut where snprintf would cut it; copied rather than
 * formatted, as pm-bill issue sets six a bill (snprintf's format parsing
 * was 3% of its instructions). */
char *pm_ledger_account(char out[PM_ACCOUNT_MAX], const char *prefix, const char *name)
{
	size_t cap = PM_ACCOUNT_MAX - 1, n = strlen(prefix), k;

	n = n < cap ? n : cap;
	memcpy(out, prefix, n);
	if (name && n < cap) {
		out[n++] = ':';
		k = strlen(name);
		k = k < cap - n ? k : cap - n;
		memcpy(out + n, name, k);
		n += k;
	}
	out[n] = '\0';
	return out;
}

void pm_posting_set(struct pm_posting *p, const char *prefix, const char *name, int64_t amount)
{
	pm_ledger_account(p->account, prefix, name);
	p->amount = amount;
}

/* An entry's postings go in POSTING_ROWS a statement (a bill's receivable
 * and its fees' revenue in one): a statement's set-up and halt cost as
 * much as its row. OR ROLLBACK, and posting's foreign key left out
 * (0036), spare the statement a statement journal, which any statement
 * of several rows that could fail halfway needs and which cost more than
 * the statements saved (README, Performance). Nothing here can fail
 * halfway: the accounts are merged, so the key is unique, and no column
 * is NULL; were one to, the caller's transaction ends, as every caller
 * rolls back on an error of the ledger anyway. */
#define POSTING_ROWS 8

static int insert_postings(struct pm_db *db, int64_t id, const struct pm_posting *p, size_t n,
			   struct pm_err *e)
{
	static char sql[POSTING_ROWS][80 + POSTING_ROWS * sizeof "(?1,?,?),"];
	sqlite3_stmt *st;
	size_t k;
	int rc;

	for (size_t i = 0; i < n; i += k) {
		k = n - i < POSTING_ROWS ? n - i : POSTING_ROWS;
		st = pm_db_stmt(db,
				pm_db_rows_sql(sql[k - 1], sizeof sql[k - 1],
					       "INSERT OR ROLLBACK INTO posting (journal_id, account, amount_fen) VALUES ",
					       "(?1,?,?)", (int)k),
				e);
		if (!st)
			return e->code;
		sqlite3_bind_int64(st, 1, id);
		for (size_t r = 0; r < k; r++) {
			sqlite3_bind_text(st, (int)(2 * r + 2), p[i + r].account, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, (int)(2 * r + 3), p[i + r].amount);
		}
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return pm_db_fail(db, e, _("cannot write the ledger"));
	}
	return PM_OK;
}

static int insert_journal(struct pm_db *db, const char *kind, const char *ref, const char *memo,
			  int64_t *id, struct pm_err *e)
{
	static const char sql[] = "INSERT INTO journal (ts, kind, ref, memo) VALUES (?, ?, ?, ?)";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, pm_now());
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, ref, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, memo, -1, SQLITE_STATIC);
	if (pm_db_step_done(db, st, _("cannot write the ledger"), e))
		return e->code;
	*id = sqlite3_last_insert_rowid(pm_db_sqlite(db));
	return PM_OK;
}

int pm_ledger_post(struct pm_db *db, const char *kind, const char *ref, const char *memo,
		   const struct pm_posting *p, size_t n, int64_t *id, struct pm_err *e)
{
	struct pm_posting q[POSTING_ROWS];
	int64_t sum = 0, amount;
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		if (pm_money_add(&sum, p[i].amount, e))
			return e->code;
	if (sum != 0)
		return pm_err_set(e, PM_ESOFTWARE, _("journal entry '%s' for '%s' is off by %lld fen"), kind, ref,
				  (long long)sum);
	if (insert_journal(db, kind, ref, memo, id, e))
		return e->code;
	/* Same accounts merged, in first-seen order (n is small): an entry
	 * holds one posting an account, posting's key (0036). */
	for (size_t i = 0; i < n; i++) {
		size_t j;
		for (j = 0; j < i && strcmp(p[j].account, p[i].account); j++)
			;
		if (j < i)
			continue;
		amount = p[i].amount;
		for (j = i + 1; j < n; j++)
			if (strcmp(p[j].account, p[i].account) == 0 && pm_money_add(&amount, p[j].amount, e))
				return e->code;
		if (!amount)
			continue;
		q[m] = p[i];
		q[m++].amount = amount;
		if (m == POSTING_ROWS) {
			if (insert_postings(db, *id, q, m, e))
				return e->code;
			m = 0;
		}
	}
	return insert_postings(db, *id, q, m, e);
}

int pm_ledger_within(struct pm_db *db, const char *account, struct pm_err *e)
{
	char max[PM_MONEY_BUF];
	int64_t fen;

	/* sum() past 64 bits is SQLite's "integer overflow": past it too. */
	if (pm_ledger_balance(db, account, &fen, e) == PM_OK && fen <= PM_MONEY_MAX && fen >= -PM_MONEY_MAX)
		return PM_OK;
	return pm_err_set(e, PM_EDATA, _("account '%s' would be past the ledger's limit of %s"), account,
			  pm_money_fmt(PM_MONEY_MAX, max));
}

int pm_ledger_balance(struct pm_db *db, const char *account, int64_t *fen, struct pm_err *e)
{
	static const char sql[] = "SELECT coalesce(sum(amount_fen), 0) FROM posting WHERE account = ?";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*fen = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot read the ledger"));
}
