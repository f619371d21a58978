/* ledger: journal entries that balance, or nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm/db.h"
#include "pm/i18n.h"
#include "pm/ledger.h"
#include "pm/money.h"

void pm_posting_set(struct pm_posting *p, const char *prefix, const char *name, int64_t amount)
{
	if (name)
		snprintf(p->account, sizeof p->account, "%s:%s", prefix, name);
	else
		snprintf(p->account, sizeof p->account, "%s", prefix);
	p->amount = amount;
}

/* Postings go in POSTING_ROWS at a time, one statement for a bill's
 * lines: rows whose account is left unbound (NULL) are not inserted. */
#define POSTING_ROWS 8

static int insert_postings(struct pm_db *db, int64_t id, const struct pm_posting *p, size_t n,
			   struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO posting (journal_id, account, amount_fen) SELECT ?1, column1, column2 FROM (VALUES"
		" (?2, ?3), (?4, ?5), (?6, ?7), (?8, ?9), (?10, ?11), (?12, ?13), (?14, ?15), (?16, ?17))"
		" WHERE column1 IS NOT NULL";
	sqlite3_stmt *st;
	int rc;

	for (size_t i = 0; i < n; i += POSTING_ROWS) {
		if (!(st = pm_db_stmt(db, sql, e)))
			return e->code;
		sqlite3_bind_int64(st, 1, id);
		for (size_t k = 0; k < POSTING_ROWS && i + k < n; k++) {
			sqlite3_bind_text(st, (int)(2 + 2 * k), p[i + k].account, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, (int)(3 + 2 * k), p[i + k].amount);
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
	struct pm_posting *merged;
	int64_t sum = 0, amount;
	size_t m = 0;
	int rc = PM_OK;

	for (size_t i = 0; i < n; i++)
		if (pm_money_add(&sum, p[i].amount, e))
			return e->code;
	if (sum != 0)
		return pm_err_set(e, PM_ESOFTWARE, _("journal entry '%s' for '%s' is off by %lld fen"), kind, ref,
				  (long long)sum);
	if (!(merged = calloc(n ? n : 1, sizeof *merged)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	/* Same accounts merged, in first-seen order: n is small. */
	for (size_t i = 0; i < n && rc == PM_OK; i++) {
		size_t j;
		for (j = 0; j < i && strcmp(p[j].account, p[i].account); j++)
			;
		if (j < i)
			continue;
		amount = p[i].amount;
		for (j = i + 1; j < n && rc == PM_OK; j++)
			if (strcmp(p[j].account, p[i].account) == 0)
				rc = pm_money_add(&amount, p[j].amount, e);
		if (amount) {
			merged[m] = p[i];
			merged[m++].amount = amount;
		}
	}
	if (rc == PM_OK)
		rc = insert_journal(db, kind, ref, memo, id, e);
	if (rc == PM_OK)
		rc = insert_postings(db, *id, merged, m, e);
	free(merged);
	return rc;
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
