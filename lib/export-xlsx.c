/* export-xlsx: the period's bill lines for finance as an xlsx workbook
 * (libxlsxwriter, opened when first used: xlsx-internal.h), apart from
 * the CSV export. Sums are integer fen
 * from SQLite; a double appears only as the value handed to a cell. */
#include <errno.h>
#include <string.h>


#include "pm/db.h"
#include "pm/export.h"
#include "pm/file.h"
#include "pm/i18n.h"
#include "pm/money.h"
#include "bill-internal.h"
#include "xlsx-internal.h"

struct book {
	lxw_workbook *wb;
	lxw_worksheet *lines, *sum;
	lxw_format *bold, *yuan;
	lxw_row_t row;
	long rows;
};

/* The one place a fen amount becomes a double: an exact integer divided
 * once, for the cell, never added to another. */
static double cell_yuan(int64_t fen)
{
	return (double)fen / 100.0;
}

static int xlsx_line(void *ctx, const struct pm_export_row *r)
{
	struct book *b = ctx;
	const char *cells[] = {r->bill, r->unit, r->building, r->fee, r->label, r->quantity};

	b->row++;
	for (lxw_col_t i = 0; i < 6; i++)
		pm_xl.worksheet_write_string(b->lines, b->row, i, cells[i], NULL);
	pm_xl.worksheet_write_number(b->lines, b->row, 6, cell_yuan(r->amount), b->yuan);
	b->rows++;
	return PM_OK;
}

static void headers(lxw_worksheet *ws, const char *const *names, int n, lxw_format *bold)
{
	for (lxw_col_t i = 0; i < (lxw_col_t)n; i++)
		pm_xl.worksheet_write_string(ws, 0, i, _(names[i]), bold);
	pm_xl.worksheet_freeze_panes(ws, 1, 0);
}

/* By building and fee item, in integer fen, then the total. */
static int xlsx_summary(struct pm_db *db, const char *period, struct book *b, struct pm_err *e)
{
	static const char sql[] =
		"SELECT bd.code, l.fee, min(l.label), count(*), sum(l.amount_fen)"
		" FROM bill b JOIN unit u ON u.id = b.unit_id JOIN building bd ON bd.id = u.building_id"
		" JOIN bill_line l ON l.bill_id = b.id WHERE b.period = ? AND b.status <> 'void'"
		" GROUP BY bd.code, l.fee ORDER BY bd.code, min(l.seq), l.fee";
	static const char *const names[] = {N_("building"), N_("fee item"), N_("label"), N_("lines"),
					    N_("amount (yuan)")};
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	lxw_row_t row = 0;
	int64_t total = 0, lines = 0;
	int rc;

	if (!st)
		return e->code;
	headers(b->sum, names, 5, b->bold);
	sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (pm_db_row_utf8(st, _("cannot read bill lines"), e)) {
			sqlite3_reset(st);
			return e->code;
		}
		row++;
		pm_xl.worksheet_write_string(b->sum, row, 0, TEXT(st, 0), NULL);
		pm_xl.worksheet_write_string(b->sum, row, 1, TEXT(st, 1), NULL);
		pm_xl.worksheet_write_string(b->sum, row, 2, TEXT(st, 2), NULL);
		pm_xl.worksheet_write_number(b->sum, row, 3, (double)sqlite3_column_int64(st, 3), NULL);
		pm_xl.worksheet_write_number(b->sum, row, 4, cell_yuan(sqlite3_column_int64(st, 4)), b->yuan);
		lines += sqlite3_column_int64(st, 3);
		if (pm_money_add(&total, sqlite3_column_int64(st, 4), e)) {
			sqlite3_reset(st);
			return e->code;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read bill lines"));
	pm_xl.worksheet_write_string(b->sum, row + 1, 0, _("total"), b->bold);
	pm_xl.worksheet_write_number(b->sum, row + 1, 3, (double)lines, b->bold);
	pm_xl.worksheet_write_number(b->sum, row + 1, 4, cell_yuan(total), b->yuan);
	pm_xl.worksheet_set_column(b->sum, 0, 2, 14, NULL);
	pm_xl.worksheet_set_column(b->sum, 3, 4, 14, NULL);
	return PM_OK;
}

static int xlsx_fill(struct pm_db *db, const char *period, struct book *b, struct pm_err *e)
{
	static const char *const names[] = {N_("bill"), N_("unit"), N_("building"), N_("fee item"),
					    N_("label"), N_("quantity"), N_("amount (yuan)")};

	b->lines = pm_xl.workbook_add_worksheet(b->wb, _("lines"));
	b->sum = pm_xl.workbook_add_worksheet(b->wb, _("summary"));
	b->bold = pm_xl.workbook_add_format(b->wb);
	b->yuan = pm_xl.workbook_add_format(b->wb);
	if (!b->lines || !b->sum || !b->bold || !b->yuan)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	pm_xl.format_set_bold(b->bold);
	pm_xl.format_set_num_format(b->yuan, "0.00");
	headers(b->lines, names, 7, b->bold);
	pm_xl.worksheet_set_column(b->lines, 0, 0, 24, NULL);
	pm_xl.worksheet_set_column(b->lines, 1, 6, 12, NULL);
	if (pm_export_each(db, period, xlsx_line, b, e))
		return e->code;
	return xlsx_summary(db, period, b, e);
}

struct export_book {
	struct pm_db *db;
	const char *period, *path;
	long *rows;
};

/* libxlsxwriter opens the part by name; made empty first, it keeps the
 * mode and group given. */
static int xlsx_part(void *ctx, FILE *f, const char *part, struct pm_err *e)
{
	struct export_book *x = ctx;
	struct book b = {0};
	int rc, closed;

	if (!(b.wb = pm_xl.workbook_new(part)))
		return pm_err_set(e, PM_ECANTCREAT, _("cannot create '%s'"), x->path);
	rc = xlsx_fill(x->db, x->period, &b, e);
	closed = pm_xlsx_close(b.wb, x->path, rc == PM_OK ? e : &(struct pm_err){0});
	*x->rows = b.rows;
	return rc ? rc : closed;
}

int pm_export_xlsx(struct pm_db *db, const char *period, const char *path, long *rows,
		   struct pm_err *e)
{
	struct pm_file_mode m = pm_db_file_mode(db);
	struct export_book x = {db, period, path, rows};

	*rows = 0;
	if (pm_xlsx_load(e))
		return e->code;
	return pm_file_whole(path, &m, 1, xlsx_part, &x, e);
}
