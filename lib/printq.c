/* printq: records kept until printed (include/pm/printq.h, migration
 * 0048). */
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "pm/db.h"
#include "pm/i18n.h"
#include "pm/printq.h"
#include "pm/timeutil.h"

int pm_printq_add(struct pm_db *db, const char *source, json_t *rec, struct pm_err *e)
{
	static const char sql[] = "INSERT INTO printq (source, record, created_at) VALUES (?, ?, ?)";
	int64_t now = pm_now();
	char at[PM_TIME_BUF], *text;
	sqlite3_stmt *st;
	int rc;

	json_object_set_new(rec, "recorded_at", json_string(pm_time_fmt(now, pm_db_tz(db), at)));
	if (!(text = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	if (!(st = pm_db_stmt(db, sql, e))) {
		free(text);
		return e->code;
	}
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	rc = pm_db_step_done(db, st, _("cannot keep the record to print"), e);
	free(text);
	return rc;
}

struct walk {
	int64_t last;
	long count;
};

static json_t *due_row(sqlite3_stmt *st, void *rctx)
{
	struct walk *w = rctx;
	json_t *rec = json_loads((const char *)sqlite3_column_text(st, 1), 0, NULL);

	w->last = sqlite3_column_int64(st, 0);
	w->count += rec != NULL;
	return rec;
}

int pm_printq_each(struct pm_db *db, const char *source, int (*fn)(void *ctx, json_t *rec), void *ctx,
		   int64_t *last, long *count, struct pm_err *e)
{
	static const char sql[] =
		"SELECT id, record FROM printq WHERE source = ? AND printed_at IS NULL ORDER BY id";
	struct walk w = {0, 0};
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	*last = 0;
	*count = 0;
	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	rc = pm_db_each(db, st, due_row, &w, fn, ctx, _("cannot read the records to print"), e);
	*last = w.last;
	*count = w.count;
	return rc;
}

static int printq_step(struct pm_db *db, const char *sql, const char *source, int64_t last,
		       const char *msgid, struct pm_err *e)
{
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, last);
	sqlite3_bind_int64(st, 3, pm_now());
	return pm_db_step_n(db, st, msgid, e);
}

int pm_printq_done(struct pm_db *db, const char *source, int64_t last, struct pm_err *e)
{
	static const char mark[] =
		"UPDATE printq SET printed_at = ?3 WHERE source = ?1 AND printed_at IS NULL AND id <= ?2";
	/* What was printed stays a week, for whoever asks what a night's
	 * run printed; then it goes, or the queue would grow by every alarm. */
	static const char prune[] = "DELETE FROM printq WHERE source = ?1 AND printed_at < ?3 - 7 * 86400";
	int rc;

	if (last == 0)
		return PM_OK;
	if ((rc = pm_db_begin(db, e)))
		return rc;
	rc = printq_step(db, mark, source, last, N_("cannot mark the records printed"), e);
	if (!rc)
		rc = printq_step(db, prune, source, last, N_("cannot forget the records printed"), e);
	return pm_db_end(db, rc, e);
}
