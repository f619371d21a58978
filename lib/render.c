/* render: reports as aligned tables, JSON lines, CSV and TSV and an SVG
 * document of their charts (the HTML page is render-html.c's); and the
 * one place pm-report writes a file. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "pm/i18n.h"
#include "pm/jsonl.h"
#include "pm/table.h"
#include "pm/timeutil.h"
#include "csv-internal.h"
#include "pm/html.h"
#include "render-internal.h"

int pm_render_format_parse(const char *s, enum pm_render_format *f, struct pm_err *e)
{
	static const char *const names[] = {"table", "jsonl", "csv", "tsv", "html", "svg", "xlsx"};

	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (strcmp(s, names[i]) == 0) {
			*f = (enum pm_render_format)i;
			return PM_OK;
		}
	return pm_err_set(e, PM_EUSAGE, _("unknown format '%s': expected table, jsonl, csv, tsv, xlsx, svg or html"),
			  s);
}

/* ---- tables for a terminal ---- */

/* Text on one line: line breaks and tabs (a ticket's text) as spaces. */
static void one_line(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == '\n' || *s == '\r' || *s == '\t' ? ' ' : *s, f);
}

static void pad(FILE *f, int n)
{
	while (n-- > 0)
		fputc(' ', f);
}

static void table_vertical(FILE *f, const struct pm_section *s)
{
	char buf[PM_CELL_BUF];
	int w = 0, lw;

	for (size_t j = 0; j < s->ncols; j++)
		w = (lw = pm_table_width(_(s->cols[j].label))) > w ? lw : w;
	for (size_t j = 0; s->nrows && j < s->ncols; j++) {
		fputs(_(s->cols[j].label), f);
		pad(f, w - pm_table_width(_(s->cols[j].label)) + 2);
		one_line(f, pm_cell_text(s, 0, j, 1, buf, sizeof buf));
		fputc('\n', f);
	}
}

static int table_rows(FILE *f, const struct pm_section *s)
{
	int *w = calloc(s->ncols ? s->ncols : 1, sizeof *w), cw;
	char buf[PM_CELL_BUF];
	const char *t;

	if (!w)
		return -1;
	for (size_t j = 0; j < s->ncols; j++) {
		w[j] = pm_table_width(_(s->cols[j].label));
		for (size_t i = 0; i < s->nrows; i++)
			if ((cw = pm_table_width(pm_cell_text(s, i, j, 1, buf, sizeof buf))) > w[j])
				w[j] = cw;
	}
	for (size_t j = 0; j < s->ncols; j++) {
		t = _(s->cols[j].label);
		if (pm_col_numeric(&s->cols[j]))
			pad(f, w[j] - pm_table_width(t));
		fputs(t, f);
		if (j + 1 < s->ncols)
			pad(f, (pm_col_numeric(&s->cols[j]) ? 0 : w[j] - pm_table_width(t)) + 2);
	}
	fputc('\n', f);
	for (size_t i = 0; i < s->nrows; i++) {
		for (size_t j = 0; j < s->ncols; j++) {
			t = pm_cell_text(s, i, j, 1, buf, sizeof buf);
			cw = pm_table_width(t);
			if (pm_col_numeric(&s->cols[j]))
				pad(f, w[j] - cw);
			one_line(f, t);
			if (j + 1 < s->ncols)
				pad(f, (pm_col_numeric(&s->cols[j]) ? 0 : w[j] - cw) + 2);
		}
		fputc('\n', f);
	}
	free(w);
	return 0;
}

static int table(const struct pm_report *r, const struct pm_render_opts *o, FILE *f)
{
	char head[512];

	pm_report_heading(r, head, sizeof head);
	fprintf(f, "%s\n", head);
	for (size_t k = 0; k < r->nsec; k++) {
		const struct pm_section *s = &r->sec[k];
		if (!pm_shown(o, s))
			continue;
		fprintf(f, "\n%s\n", _(s->title));
		if (s->note)
			fprintf(f, "%s\n", s->note);
		if (s->vertical)
			table_vertical(f, s);
		else if (table_rows(f, s))
			return -1;
	}
	return 0;
}

/* ---- CSV and TSV ---- */

static void delimited(const struct pm_report *r, const struct pm_render_opts *o, FILE *f, int sep)
{
	const char *end = sep == ',' ? "\r\n" : "\n";
	char buf[PM_CELL_BUF];
	int first = 1;

	if (o && o->bom && sep == ',')
		fputs("\xef\xbb\xbf", f);
	for (size_t k = 0; k < r->nsec; k++) {
		const struct pm_section *s = &r->sec[k];
		if (!pm_shown(o, s))
			continue;
		if (!first)
			fputs(end, f);
		first = 0;
		for (size_t j = 0; j < s->ncols; j++) {
			if (j)
				fputc(sep, f);
			pm_csv_write_cell(f, s->cols[j].key, (char)sep, 0);
		}
		fputs(end, f);
		for (size_t i = 0; i < s->nrows; i++) {
			for (size_t j = 0; j < s->ncols; j++) {
				if (j)
					fputc(sep, f);
				/* Text from people (a name, a ticket's) is kept from
				 * being a formula; numbers stay numbers. */
				pm_csv_write_cell(f, pm_cell_text(s, i, j, 0, buf, sizeof buf), (char)sep,
						  s->cols[j].type != PM_COL_TEXT);
			}
			fputs(end, f);
		}
	}
}

/* ---- JSON lines ---- */

static int jsonl(const struct pm_report *r, const struct pm_render_opts *o, FILE *f, struct pm_err *e)
{
	json_t *rec;
	int rc;

	for (size_t k = 0; k < r->nsec; k++) {
		const struct pm_section *s = &r->sec[k];
		if (!pm_shown(o, s))
			continue;
		for (size_t i = 0; i < s->nrows; i++) {
			int total = s->total && i + 1 == s->nrows;
			if (!(rec = json_pack("{s:s, s:s}", "type", r->name, "section", s->name)))
				return pm_err_set(e, PM_EFAIL, _("out of memory"));
			for (size_t j = 0; j < s->ncols; j++) {
				json_t *v = total && j == 0 ? json_null() : pm_cell_json(s, i, j);

				if (!v) {
					json_decref(rec);
					return pm_err_set(e, PM_EFAIL, _("out of memory"));
				}
				json_object_set_new(rec, s->cols[j].key, v);
			}
			if (total)
				json_object_set_new(rec, "total", json_true());
			rc = pm_jsonl_write(f, rec, e);
			json_decref(rec);
			if (rc)
				return rc;
		}
	}
	return PM_OK;
}

/* ---- SVG ---- */

static int svg(const struct pm_report *r, const struct pm_render_opts *o, FILE *f, struct pm_err *e)
{
	double h = 56, y;
	char head[512];

	for (size_t k = 0; k < r->nsec; k++)
		if (pm_shown(o, &r->sec[k]) && pm_has_chart(&r->sec[k]))
			h += pm_chart_height(&r->sec[k], 1) + 16;
	if (h == 56 && o && o->section)
		return pm_err_set(e, PM_EUSAGE, _("the section '%s' has no chart: choose another format"), o->section);
	if (h == 56)
		return pm_err_set(e, PM_EUSAGE, _("the %s report has no chart: choose another format"), r->name);
	pm_report_heading(r, head, sizeof head);
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%.0f\" viewBox=\"0 0 %d %.0f\""
		" font-family=\"%s\">\n<title>", PM_CHART_WIDTH, h, PM_CHART_WIDTH, h, PM_FONTS);
	pm_html_text(f, head);
	fprintf(f, "</title>\n<rect width=\"%d\" height=\"%.0f\" fill=\"#fff\"/>\n"
		"<text class=\"heading\" x=\"16\" y=\"34\" font-size=\"20\" font-weight=\"bold\">", PM_CHART_WIDTH, h);
	pm_html_text(f, head);
	fputs("</text>\n", f);
	y = 56;
	for (size_t k = 0; k < r->nsec; k++) {
		if (!pm_shown(o, &r->sec[k]) || !pm_has_chart(&r->sec[k]))
			continue;
		pm_chart_svg(f, &r->sec[k], 0, y, 0);
		y += pm_chart_height(&r->sec[k], 1) + 16;
	}
	fputs("</svg>\n", f);
	return PM_OK;
}

/* ---- the formats ---- */

static int known_section(const struct pm_report *r, const struct pm_render_opts *o, struct pm_err *e)
{
	char names[256];
	size_t n = 0;

	if (!o || !o->section)
		return PM_OK;
	names[0] = '\0';
	for (size_t k = 0; k < r->nsec; k++) {
		if (strcmp(r->sec[k].name, o->section) == 0)
			return PM_OK;
		if (n < sizeof names)
			n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", k ? ", " : "", r->sec[k].name);
	}
	return pm_err_set(e, PM_EUSAGE, _("no section '%s' in the %s report: expected %s"), o->section, r->name, names);
}

/* Text that is no UTF-8 (only a store edited by hand has it: every
 * input is checked) is no JSON string, and JSON lines stop at it, naming
 * its column: so does every format, a table, a file or a workbook
 * showing no bytes the JSON of the same report refuses. Before anything
 * is written. */
static int cells_utf8(const struct pm_report *r, const struct pm_render_opts *o, struct pm_err *e)
{
	char buf[PM_CELL_BUF];

	for (size_t k = 0; k < r->nsec; k++) {
		const struct pm_section *s = &r->sec[k];
		if (!pm_shown(o, s))
			continue;
		for (size_t j = 0; j < s->ncols; j++)
			for (size_t i = 0; s->cols[j].type == PM_COL_TEXT && i < s->nrows; i++)
				if (!pm_utf8_valid(pm_cell_text(s, i, j, 0, buf, sizeof buf)))
					return pm_err_set(e, PM_EDATA,
						_("%s: column \"%s\" of a row holds bytes that are not UTF-8"
						  " (was the store edited by hand?)"), _("cannot read the store"),
						s->cols[j].key);
	}
	return PM_OK;
}

int pm_render(const struct pm_report *r, enum pm_render_format fmt, const struct pm_render_opts *o, FILE *f,
	      struct pm_err *e)
{
	int rc = PM_OK;

	if (known_section(r, o, e) || cells_utf8(r, o, e))
		return e->code;
	switch (fmt) {
	case PM_RENDER_TABLE:
		rc = table(r, o, f) ? pm_err_set(e, PM_EFAIL, _("out of memory")) : PM_OK;
		break;
	case PM_RENDER_JSONL:
		rc = jsonl(r, o, f, e);
		break;
	case PM_RENDER_CSV:
	case PM_RENDER_TSV:
		delimited(r, o, f, fmt == PM_RENDER_CSV ? ',' : '\t');
		break;
	case PM_RENDER_SVG:
		rc = svg(r, o, f, e);
		break;
	case PM_RENDER_HTML:
		pm_render_html_page(r, o, f);
		break;
	case PM_RENDER_XLSX:
		return pm_err_set(e, PM_EUSAGE, _("an xlsx workbook goes to a file: give --output FILE"));
	}
	if (rc == PM_OK && (fflush(f) || ferror(f)))
		rc = pm_err_set(e, PM_EIO, _("cannot write the report: %s"), strerror(errno));
	return rc;
}

struct rendering {
	const struct pm_report *r;
	enum pm_render_format fmt;
	const struct pm_render_opts *o;
	const char *path;
};

/* libxlsxwriter opens the part by name; made empty first, it keeps the
 * mode given. */
static int render_part(void *ctx, FILE *f, const char *part, struct pm_err *e)
{
	const struct rendering *x = ctx;

	return f ? pm_render(x->r, x->fmt, x->o, f, e) : pm_render_xlsx(x->r, x->o, part, x->path, e);
}

int pm_render_file(const struct pm_report *r, enum pm_render_format fmt, const struct pm_render_opts *o,
		   const char *path, const struct pm_file_mode *m, struct pm_err *e)
{
	struct rendering x = {r, fmt, o, path};

	if (known_section(r, o, e) || cells_utf8(r, o, e))
		return e->code;
	return pm_file_whole(path, m, fmt == PM_RENDER_XLSX, render_part, &x, e);
}
