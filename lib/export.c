/* export: the period's bill lines for finance, row by row and as CSV
 * (the xlsx workbook is export-xlsx.c's). Sums are integer fen. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pm/db.h"
#include "pm/export.h"
#include "pm/file.h"
#include "pm/i18n.h"
#include "pm/money.h"
#include "bill-internal.h"
#include "csv-internal.h"

int pm_export_each(struct pm_db *db, const char *period,
		   int (*fn)(void *ctx, const struct pm_export_row *row), void *ctx, struct pm_err *e)
{
	static const char sql[] =
		"SELECT b.code, u.code, bd.code, l.fee, l.label, coalesce(l.quantity, ''), l.amount_fen"
		" FROM bill b JOIN unit u ON u.id = b.unit_id JOIN building bd ON bd.id = u.building_id"
		" JOIN bill_line l ON l.bill_id = b.id WHERE b.period = ? AND b.status <> 'void'"
		" ORDER BY b.code, l.seq";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	struct pm_export_row r;
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r = (struct pm_export_row){TEXT(st, 0), TEXT(st, 1), TEXT(st, 2), TEXT(st, 3), TEXT(st, 4),
					   TEXT(st, 5), sqlite3_column_int64(st, 6)};
		if ((rc = fn(ctx, &r))) {
			sqlite3_reset(st);
			return rc;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read bill lines"));
}

/* ---- CSV ---- */

struct csv {
	FILE *f;
	long rows;
	struct pm_err *e;
};

static int csv_row(void *ctx, const struct pm_export_row *r)
{
	struct csv *c = ctx;
	char amount[PM_MONEY_BUF];
	const char *cells[] = {r->bill, r->unit, r->building, r->fee, r->label, r->quantity,
			       pm_money_fmt(r->amount, amount)};

	/* The amount is a number (a credit note's is negative); the rest,
	 * labels owners' data may have shaped, is text. */
	for (int i = 0; i < 7; i++) {
		pm_csv_write_cell(c->f, cells[i], ',', i == 6);
		fputs(i == 6 ? "\r\n" : ",", c->f);
	}
	c->rows++;
	return ferror(c->f) ? pm_err_set(c->e, PM_EIO, _("cannot write the export")) : PM_OK;
}

int pm_export_csv(struct pm_db *db, const char *period, FILE *f, int bom, long *rows, struct pm_err *e)
{
	struct csv c = {f, 0, e};
	int rc;

	if (bom)
		fputs("\xef\xbb\xbf", f);
	fputs("bill,unit,building,fee,label,quantity,amount\r\n", f);
	rc = pm_export_each(db, period, csv_row, &c, e);
	*rows = c.rows;
	if (rc == PM_OK && (fflush(f) || ferror(f)))
		rc = pm_err_set(e, PM_EIO, _("cannot write the export"));
	return rc;
}

int pm_export_csv_file(struct pm_db *db, const char *period, const char *path, int bom, long *rows,
		       struct pm_err *e)
{
	struct pm_file_mode m = pm_db_file_mode(db);
	struct pm_file_tmp t;
	FILE *f;
	int rc;

	*rows = 0;
	if (pm_file_tmp_open(path, &m, &t, e))
		return e->code;
	if (!(f = fdopen(t.fd, "w"))) {
		pm_file_tmp_abort(&t);
		return pm_err_set(e, PM_ECANTCREAT, _("cannot create '%s': %s"), path, strerror(errno));
	}
	t.fd = -1;
	rc = pm_export_csv(db, period, f, bom, rows, e);
	if (fclose(f) != 0 && rc == PM_OK)
		rc = pm_err_set(e, PM_ECANTCREAT, _("cannot write '%s': %s"), path, strerror(errno));
	if (rc == PM_OK)
		return pm_file_tmp_commit(&t, e);
	pm_file_tmp_abort(&t);
	return rc;
}
