/* render-html: a report as a self-contained HTML page, or its sections
 * inside a page of pm-web's. Apart from render.c, so pm-web draws the
 * dashboard without linking the workbook writer. */
#include <string.h>

#include "pm/html.h"
#include "pm/i18n.h"
#include "pm/table.h"
#include "pm/timeutil.h"
#include "render-internal.h"

int pm_shown(const struct pm_render_opts *o, const struct pm_section *s)
{
	return !o || !o->section || strcmp(o->section, s->name) == 0;
}

void pm_report_heading(const struct pm_report *r, char *buf, size_t size)
{
	snprintf(buf, size, "%s — %s — %s", _(r->title), r->community, r->scope);
	pm_utf8_trim(buf, strlen(buf));
}

int pm_col_numeric(const struct pm_col *c)
{
	return c->type != PM_COL_TEXT;
}

static const char css[] =
	"body{font-family:" PM_FONTS ";color:#222;margin:0;background:#f6f7f9}"
	"main{max-width:1000px;margin:0 auto;padding:24px 16px}"
	"h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:0 0 8px}"
	".meta,.note{color:#666;font-size:13px;margin:0 0 12px}"
	"section{background:#fff;border:1px solid #e2e4e8;border-radius:6px;padding:16px;margin:16px 0;"
	"break-inside:avoid}"
	"figure{margin:0 0 12px;overflow-x:auto}figure svg{width:100%;min-width:800px;height:auto;display:block}"
	".scroll{overflow-x:auto}"
	"table{border-collapse:collapse;font-size:13px;width:100%}"
	"th,td{padding:4px 8px;border-bottom:1px solid #eceef1;text-align:left;white-space:nowrap}"
	"th{background:#f0f2f5;font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
	"tr.total td{font-weight:700;border-top:2px solid #c8ccd2}"
	"td.wrap{white-space:normal;min-width:12em}"
	".kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:8px}"
	".kpi{border:1px solid #e2e4e8;border-radius:6px;padding:8px 10px;min-width:0}"
	".kpi .k{color:#666;font-size:12px}.kpi .v{font-size:18px;font-weight:700;margin-top:4px;"
	"overflow-wrap:anywhere;font-variant-numeric:tabular-nums}"
	"@media print{body{background:#fff}section{border:none;padding:0}}";

static void html_cell(FILE *f, const struct pm_section *s, size_t i, size_t j)
{
	char buf[PM_CELL_BUF];
	const char *t = pm_cell_text(s, i, j, 1, buf, sizeof buf);
	int wrap = s->cols[j].type == PM_COL_TEXT && pm_table_width(t) > 40;

	fprintf(f, "<td%s>", pm_col_numeric(&s->cols[j]) ? " class=\"n\"" : wrap ? " class=\"wrap\"" : "");
	pm_html_text(f, t);
	fputs("</td>", f);
}

static void html_table(FILE *f, const struct pm_section *s)
{
	char buf[PM_CELL_BUF];

	if (s->vertical) {
		fputs("<div class=\"kpis\">\n", f);
		for (size_t j = 0; s->nrows && j < s->ncols; j++) {
			fputs("<div class=\"kpi\"><div class=\"k\">", f);
			pm_html_text(f, _(s->cols[j].label));
			fputs("</div><div class=\"v\">", f);
			pm_html_text(f, pm_cell_text(s, 0, j, 1, buf, sizeof buf));
			fputs("</div></div>\n", f);
		}
		fputs("</div>\n", f);
		return;
	}
	fputs("<div class=\"scroll\"><table>\n<thead><tr>", f);
	for (size_t j = 0; j < s->ncols; j++) {
		fprintf(f, "<th%s>", pm_col_numeric(&s->cols[j]) ? " class=\"n\"" : "");
		pm_html_text(f, _(s->cols[j].label));
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	for (size_t i = 0; i < s->nrows; i++) {
		fputs(s->total && i + 1 == s->nrows ? "<tr class=\"total\">" : "<tr>", f);
		for (size_t j = 0; j < s->ncols; j++)
			html_cell(f, s, i, j);
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table></div>\n", f);
}

void pm_render_html_page(const struct pm_report *r, const struct pm_render_opts *o, FILE *f)
{
	char head[512], made[PM_TIME_BUF];
	const char *sec;

	pm_report_heading(r, head, sizeof head);
	fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>", f);
	pm_html_text(f, head);
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n<header>\n<h1>", css);
	pm_html_text(f, _(r->title));
	fputs("</h1>\n<p class=\"meta\">", f);
	pm_html_text(f, r->community);
	fputs(" · ", f);
	pm_html_text(f, r->scope);
	fputs(" · ", f);
	/* "2026-12-01T09:00:00+08:00" as "2026-12-01 09:00". */
	pm_time_fmt(r->made, r->tz, made);
	if ((sec = strchr(made, 'T')) && strlen(sec) >= 6) {
		made[sec - made] = ' ';
		made[sec - made + 6] = '\0';
	}
	fprintf(f, _("made %s"), made);
	fputs("</p>\n</header>\n", f);
	pm_render_html_sections(r, o, f);
	fputs("</main>\n</body>\n</html>\n", f);
}

void pm_render_html_sections(const struct pm_report *r, const struct pm_render_opts *o, FILE *f)
{
	for (size_t k = 0; k < r->nsec; k++) {
		const struct pm_section *s = &r->sec[k];
		if (!pm_shown(o, s))
			continue;
		fprintf(f, "<section id=\"%s\">\n<h2>", s->name);
		pm_html_text(f, _(s->title));
		fputs("</h2>\n", f);
		if (s->note) {
			fputs("<p class=\"note\">", f);
			pm_html_text(f, s->note);
			fputs("</p>\n", f);
		}
		if (pm_has_chart(s)) {
			fputs("<figure>\n", f);
			pm_chart_svg(f, s, 0, 0, 1);
			fputs("</figure>\n", f);
		}
		if (s->nrows)
			html_table(f, s);
		else
			fprintf(f, "<p class=\"note empty\">%s</p>\n", _("none"));
		fputs("</section>\n", f);
	}
}
