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
void pm_posting_set(struct pm_posting *p, const char *prefix, const char *name, int64_t amount)
{
	size_t cap = sizeof p->account - 1, n = strlen(prefix), k;

	n = n < cap ? n : cap;
	memcpy(p->account, prefix, n);
	if (name && n < cap) {
		p->account[n++] = ':';
		k = strlen(name);
		k = k < cap - n ? k : cap - n;
		memcpy(p->account + n, name, k);
		n += k;
	}
	p->account[n] = '\0';
	p->amount = amount;
}

static int insert_posting(struct pm_db *db, int64_t id, const char *account, int64_t amount,
			  struct pm_err *e)
{
	static const char sql[] = "INSERT INTO posting (journal_id, account, amount_fen) VALUES (?, ?, ?)";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, account, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, amount);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot write the ledger"));
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
	int64_t sum = 0, amount;

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
		if (amount && insert_posting(db, *id, p[i].account, amount, e))
			return e->code;
	}
	return PM_OK;
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
