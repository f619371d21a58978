/* xlsx: a report as a workbook (libxlsxwriter), a sheet a section:
 * numbers as numbers in yuan, units and hours, rates as percentages,
 * each made from its exact integers only when its cell is written. */
#include <dlfcn.h>
#include <errno.h>
#include <string.h>

#include "pm/i18n.h"
#include "pm/table.h"
#include "render-internal.h"
#include "xlsx-internal.h"

#ifndef PM_XLSX_SONAME
#define PM_XLSX_SONAME "libxlsxwriter.so.4"
#endif

struct pm_xlsx_fns pm_xl;

/* libxlsxwriter's errno: in a static program (bin/pm-report) the library
 * runs on the shared libc dlopen brings, whose errno is not the
 * program's; the library's own __errno_location reads the right one. */
static int *(*lib_errno)(void);

int pm_xlsx_load(struct pm_err *e)
{
	static void *lib;
	static int done;

	if (done)
		return PM_OK;
	if (!lib && !(lib = dlopen(PM_XLSX_SONAME, RTLD_NOW | RTLD_LOCAL)))
		return pm_err_set(e, PM_EUNAVAIL, _("cannot load %s: %s"), PM_XLSX_SONAME, dlerror());
#define X(f) \
	if (!(*(void **)&pm_xl.f = dlsym(lib, #f))) \
		return pm_err_set(e, PM_EUNAVAIL, _("cannot load %s: it lacks %s"), PM_XLSX_SONAME, #f);
	PM_XLSX_FNS(X)
#undef X
	*(void **)&lib_errno = dlsym(lib, "__errno_location");
	done = 1;
	return PM_OK;
}

int pm_xlsx_close(lxw_workbook *wb, const char *path, struct pm_err *e)
{
	int *where = lib_errno ? lib_errno() : &errno, sys;
	lxw_error err;

	*where = 0;
	err = pm_xl.workbook_close(wb);
	sys = *where;
	if (err == LXW_NO_ERROR)
		return PM_OK;
	/* The errors libxlsxwriter documents as leaving errno set. */
	if (sys && (err == LXW_ERROR_CREATING_XLSX_FILE || err == LXW_ERROR_CREATING_TMPFILE ||
		    err == LXW_ERROR_ZIP_FILE_OPERATION || err == LXW_ERROR_ZIP_PARAMETER_ERROR ||
		    err == LXW_ERROR_ZIP_BAD_ZIP_FILE || err == LXW_ERROR_ZIP_INTERNAL_ERROR))
		return pm_err_set(e, PM_ECANTCREAT, _("cannot write '%s': %s"), path, strerror(sys));
	return pm_err_set(e, PM_ECANTCREAT, _("cannot write '%s': %s"), path, pm_xl.lxw_strerror(err));
}

/* Formats made once per workbook: by number format and weight. */
#define FORMATS 24

struct book {
	lxw_workbook *wb;
	struct {
		const char *num;
		int bold;
		lxw_format *f;
	} fmt[FORMATS];
	size_t nfmt;
	json_t *names;      /* sheet names taken, folded to lower case */
};

static lxw_format *format(struct book *b, const char *num, int bold)
{
	lxw_format *f;

	for (size_t i = 0; i < b->nfmt; i++)
		if (b->fmt[i].bold == bold && ((!num && !b->fmt[i].num) || (num && b->fmt[i].num &&
		    strcmp(num, b->fmt[i].num) == 0)))
			return b->fmt[i].f;
	if (b->nfmt == FORMATS || !(f = pm_xl.workbook_add_format(b->wb)))
		return NULL;
	if (num)
		pm_xl.format_set_num_format(f, num);
	if (bold)
		pm_xl.format_set_bold(f);
	b->fmt[b->nfmt].num = num;
	b->fmt[b->nfmt].bold = bold;
	b->fmt[b->nfmt++].f = f;
	return f;
}

static const char *num_format(const struct pm_col *c)
{
	static const char *const qty[] = {"#,##0", "#,##0.0", "#,##0.00", "#,##0.000"};

	switch (c->type) {
	case PM_COL_INT: return "#,##0";
	case PM_COL_MONEY: return "#,##0.00";
	case PM_COL_QTY:
	case PM_COL_MEAN: return qty[c->places < 0 ? 0 : c->places > 3 ? 3 : c->places];
	case PM_COL_PERCENT: return "0.0%";
	case PM_COL_CHANGE: return "+0.0%;-0.0%;0.0%";
	case PM_COL_HOURS: return "0.0";
	case PM_COL_TEXT: return NULL;
	}
	return NULL;
}

static void write_cell(struct book *b, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const struct pm_section *s,
		       size_t i, size_t j, int bold)
{
	char buf[PM_CELL_BUF];

	if (s->cols[j].type == PM_COL_TEXT) {
		if (!pm_cell_null(s, i, j))
			pm_xl.worksheet_write_string(ws, row, col, pm_cell_text(s, i, j, 0, buf, sizeof buf),
					       format(b, NULL, bold));
		return;
	}
	if (pm_cell_null(s, i, j)) {
		pm_xl.worksheet_write_string(ws, row, col, "\xe2\x80\x94", format(b, NULL, bold));
		return;
	}
	pm_xl.worksheet_write_number(ws, row, col, pm_cell_double(s, i, j), format(b, num_format(&s->cols[j]), bold));
}

/* title cut to chars characters, []:*?/\ made spaces. */
static void cut_title(const char *title, size_t chars, char *out, size_t size)
{
	size_t n = 0, c = 0;

	for (const char *p = title; *p && n + 4 < size && c < chars; p++) {
		out[n++] = strchr("[]:*?/\\", *p) ? ' ' : *p;
		if ((p[1] & 0xc0) != 0x80)
			c++;
	}
	out[n] = '\0';
}

/* A sheet name Excel takes: no []:*?/\, at most 31 characters, unique
 * whatever the case ("Title (2)" for the second). */
static void sheet_name(struct book *b, const char *title, char *out, size_t size)
{
	char base[128], key[160];

	cut_title(title, 31, out, size);
	cut_title(title, 27, base, sizeof base);
	for (int k = 2; ; k++) {
		snprintf(key, sizeof key, "%s", out);
		for (char *p = key; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		if (!json_object_get(b->names, key)) {
			json_object_set_new(b->names, key, json_true());
			return;
		}
		snprintf(out, size, "%s (%d)", base, k);
	}
}

static int sheet(struct book *b, const struct pm_section *s, struct pm_err *e)
{
	char name[160], buf[PM_CELL_BUF];
	lxw_worksheet *ws;
	lxw_row_t row = 0;
	double *w;
	int cw;

	sheet_name(b, _(s->title), name, sizeof name);
	if (!(ws = pm_xl.workbook_add_worksheet(b->wb, name)))
		return pm_err_set(e, PM_EFAIL, _("cannot add the sheet '%s'"), name);
	pm_xl.worksheet_write_string(ws, row++, 0, _(s->title), format(b, NULL, 1));
	if (s->note)
		pm_xl.worksheet_write_string(ws, row++, 0, s->note, NULL);
	row++;
	if (s->vertical) {
		for (size_t j = 0; s->nrows && j < s->ncols; j++, row++) {
			pm_xl.worksheet_write_string(ws, row, 0, _(s->cols[j].label), NULL);
			write_cell(b, ws, row, 1, s, 0, j, 1);
		}
		pm_xl.worksheet_set_column(ws, 0, 0, 24, NULL);
		pm_xl.worksheet_set_column(ws, 1, 1, 18, NULL);
		return PM_OK;
	}
	if (!(w = calloc(s->ncols ? s->ncols : 1, sizeof *w)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	for (size_t j = 0; j < s->ncols; j++) {
		pm_xl.worksheet_write_string(ws, row, (lxw_col_t)j, _(s->cols[j].label), format(b, NULL, 1));
		w[j] = pm_table_width(_(s->cols[j].label));
	}
	pm_xl.worksheet_freeze_panes(ws, row + 1, 0);
	for (size_t i = 0; i < s->nrows; i++) {
		int bold = s->total && i + 1 == s->nrows;
		for (size_t j = 0; j < s->ncols; j++) {
			write_cell(b, ws, row + 1 + (lxw_row_t)i, (lxw_col_t)j, s, i, j, bold);
			if ((cw = pm_table_width(pm_cell_text(s, i, j, 1, buf, sizeof buf))) > w[j])
				w[j] = cw;
		}
	}
	for (size_t j = 0; j < s->ncols; j++)
		pm_xl.worksheet_set_column(ws, (lxw_col_t)j, (lxw_col_t)j, w[j] > 48 ? 50 : w[j] + 2, NULL);
	free(w);
	return PM_OK;
}

int pm_render_xlsx(const struct pm_report *r, const struct pm_render_opts *o, const char *part,
		   const char *path, struct pm_err *e)
{
	struct book b = {0};
	lxw_doc_properties props = {0};
	char head[512];
	int rc = PM_OK, closed;

	if (pm_xlsx_load(e))
		return e->code;
	if (!(b.names = json_object()))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	if (!(b.wb = pm_xl.workbook_new(part))) {
		json_decref(b.names);
		return pm_err_set(e, PM_ECANTCREAT, _("cannot create '%s'"), path);
	}
	pm_report_heading(r, head, sizeof head);
	props.title = head;
	pm_xl.workbook_set_properties(b.wb, &props);
	for (size_t k = 0; k < r->nsec && rc == PM_OK; k++)
		if (pm_shown(o, &r->sec[k]))
			rc = sheet(&b, &r->sec[k], e);
	closed = pm_xlsx_close(b.wb, path, rc == PM_OK ? e : &(struct pm_err){0});
	json_decref(b.names);
	return rc ? rc : closed;
}
