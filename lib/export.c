/* export: the period's bill lines for finance, row by row and as CSV
 * (the xlsx workbook is export-xlsx.c's). Sums are integer fen. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pm/community.h"
#include "pm/config.h"
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
		/* Text that is no UTF-8 (a store edited by hand) stops the
		 * export, as JSON lines stop at it (pm_render). */
		if (pm_db_row_utf8(st, _("cannot read bill lines"), e)) {
			sqlite3_reset(st);
			return e->code;
		}
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
	return ferror(c->f) ? pm_err_set(c->e, PM_EIO, _("cannot write the export: %s"), strerror(errno)) : PM_OK;
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
		rc = pm_err_set(e, PM_EIO, _("cannot write the export: %s"), strerror(errno));
	return rc;
}

/* ---- for the invoicing system ---- */

#define OWNERS(what, filter, tail) \
	"(SELECT " what " FROM occupancy o JOIN person pe ON pe.id = o.person_id WHERE o.unit_id = u.id" \
	" AND o.role = 'owner' AND " PM_OCCUPANCY_ON("o", "?2") filter tail ")"

/* 600 (places 4) -> "0.06"; at least two decimals, no trailing zeros. */
static char *rate_fmt(int64_t v, char buf[PM_MONEY_BUF])
{
	size_t n;

	snprintf(buf, PM_MONEY_BUF, "%lld.%04lld", (long long)(v / 10000), (long long)(v % 10000));
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '0' && buf[n - 3] != '.')
		buf[--n] = '\0';
	return buf;
}

/* The fee's tax_rate, else the billing section's. */
static int64_t tax_rate(struct pm_config *cfg, const char *fee)
{
	json_t *fees = pm_config_section(cfg, "fees"), *f, *billing = pm_config_section(cfg, "billing");
	size_t i;

	json_array_foreach(fees, i, f)
		if (strcmp(json_string_value(json_object_get(f, "name")), fee) == 0 && json_object_get(f, "tax_rate"))
			return json_integer_value(json_object_get(f, "tax_rate"));
	return billing ? json_integer_value(json_object_get(billing, "tax_rate")) : 600;
}

/* The configuration bill line's bill was made with, loaded when it
 * changes from the last row's: an invoice states the rate billed, not
 * today's. */
static int bill_config(struct pm_db *db, int64_t version, struct pm_config **cfg, struct pm_err *e)
{
	if (*cfg && pm_config_version(*cfg) == version)
		return PM_OK;
	pm_config_free(*cfg);
	return pm_config_version_load(db, version, cfg, e);
}

static int invoice_rows(struct pm_db *db, const char *period, struct pm_config **cfg, struct csv *c)
{
	static const char sql[] =
		"SELECT b.code, u.code, b.period,"
		" coalesce(" OWNERS("group_concat(name, '、')", "", "") ", ''),"
		" coalesce(" OWNERS("pe.tax_id", " AND pe.tax_id IS NOT NULL", " ORDER BY o.since, pe.id LIMIT 1") ", ''),"
		" l.label, l.fee, l.amount_fen, b.config_version"
		" FROM bill b JOIN unit u ON u.id = b.unit_id JOIN bill_line l ON l.bill_id = b.id"
		" WHERE b.period = ?1 AND b.status IN ('issued','partial','paid') AND l.amount_fen <> 0"
		" ORDER BY b.code, l.seq";
	char amount[PM_MONEY_BUF], rate[PM_MONEY_BUF], last[PM_TIME_BUF];
	struct pm_period p;
	sqlite3_stmt *st = pm_db_stmt(db, sql, c->e);
	int32_t day;
	int rc;

	snprintf(last, sizeof last, "%.7s-01", period);
	if (!st || pm_period_parse(period, &p, c->e) || pm_date_parse(last, &day, c->e))
		return c->e->code;
	sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, pm_date_fmt(day + pm_period_days(p) - 1, last), -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (pm_db_row_utf8(st, _("cannot read bill lines"), c->e)) {
			sqlite3_reset(st);
			return c->e->code;
		}
		if (bill_config(db, sqlite3_column_int64(st, 8), cfg, c->e)) {
			sqlite3_reset(st);
			return c->e->code;
		}
		const char *cells[] = {TEXT(st, 0), TEXT(st, 1), TEXT(st, 2), TEXT(st, 3), TEXT(st, 4), TEXT(st, 5),
				       TEXT(st, 6), pm_money_fmt(sqlite3_column_int64(st, 7), amount),
				       rate_fmt(tax_rate(*cfg, TEXT(st, 6)), rate)};
		for (int i = 0; i < 9; i++) {
			pm_csv_write_cell(c->f, cells[i], ',', i >= 7);
			fputs(i == 8 ? "\r\n" : ",", c->f);
		}
		c->rows++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, c->e, _("cannot read bill lines"));
}

int pm_export_invoice_csv(struct pm_db *db, const char *period, FILE *f, int bom, long *rows,
			  struct pm_err *e)
{
	struct csv c = {f, 0, e};
	struct pm_config *cfg = NULL;
	int rc;

	*rows = 0;
	if (bom)
		fputs("\xef\xbb\xbf", f);
	fputs("invoice,unit,period,buyer,buyer_tax_id,item,fee,amount,tax_rate\r\n", f);
	rc = invoice_rows(db, period, &cfg, &c);
	pm_config_free(cfg);
	*rows = c.rows;
	if (rc == PM_OK && (fflush(f) || ferror(f)))
		rc = pm_err_set(e, PM_EIO, _("cannot write the export: %s"), strerror(errno));
	return rc;
}

/* A CSV writer's work for a file. */
struct csv_file {
	struct pm_db *db;
	const char *period;
	int bom;
	long *rows;
	int (*write)(struct pm_db *, const char *, FILE *, int, long *, struct pm_err *);
};

static int csv_part(void *ctx, FILE *f, const char *part, struct pm_err *e)
{
	struct csv_file *c = ctx;

	return c->write(c->db, c->period, f, c->bom, c->rows, e);
}

/* The CSV writer into path, written beside it and renamed into place,
 * a failed write naming path (pm_file_whole). */
static int csv_file(struct pm_db *db, const char *period, const char *path, int bom, long *rows,
		    int (*write)(struct pm_db *, const char *, FILE *, int, long *, struct pm_err *),
		    struct pm_err *e)
{
	struct pm_file_mode m = pm_db_file_mode(db);
	struct csv_file c = {db, period, bom, rows, write};

	*rows = 0;
	return pm_file_whole(path, &m, 0, csv_part, &c, e);
}

int pm_export_csv_file(struct pm_db *db, const char *period, const char *path, int bom, long *rows,
		       struct pm_err *e)
{
	return csv_file(db, period, path, bom, rows, pm_export_csv, e);
}

int pm_export_invoice_csv_file(struct pm_db *db, const char *period, const char *path, int bom, long *rows,
			       struct pm_err *e)
{
	return csv_file(db, period, path, bom, rows, pm_export_invoice_csv, e);
}
