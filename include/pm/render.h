/* Renderers: a report (pm/report.h) as an aligned table for a terminal,
 * JSON lines, CSV or TSV, a self-contained SVG of its charts, a
 * self-contained HTML page of its tables and charts, or an xlsx workbook.
 * Headings are translated; figures are formatted from their exact
 * integers, so every format shows the same numbers. */
#ifndef PM_RENDER_H
#define PM_RENDER_H

#include <stdio.h>

#include "pm/err.h"
#include "pm/file.h"
#include "pm/report.h"

enum pm_render_format {
	PM_RENDER_TABLE, PM_RENDER_JSONL, PM_RENDER_CSV, PM_RENDER_TSV, PM_RENDER_HTML, PM_RENDER_SVG,
	PM_RENDER_XLSX,
};

/* "table", "jsonl", "csv", "tsv", "html", "svg" or "xlsx"; PM_EUSAGE
 * naming them otherwise. */
int pm_render_format_parse(const char *s, enum pm_render_format *f, struct pm_err *e);

struct pm_render_opts {
	int bom;              /* csv: a UTF-8 byte order mark first, for Excel */
	const char *section;  /* only the section of this name, or NULL for all */
};

/* Writes r to f in any format but xlsx: tables, CSV and TSV a section
 * after another with a blank line between; JSON lines one record a row
 * ({"type":REPORT,"section":NAME,...}; a total row has "total":true and
 * no key); SVG every chart of the report, one under another; HTML the
 * whole page. PM_EIO when writing fails, PM_EDATA when section names
 * none of r's. */
int pm_render(const struct pm_report *r, enum pm_render_format fmt, const struct pm_render_opts *o, FILE *f,
	      struct pm_err *e);

/* The sections of r as HTML (<section> elements, each its heading, note,
 * chart as inline SVG and table), for a page of the caller's: what the
 * html format puts inside its own page. The classes are those of the
 * html format's style: kpis, kpi, scroll, total, n. */
void pm_render_html_sections(const struct pm_report *r, const struct pm_render_opts *o, FILE *f);

/* Writes r to the file path in any format, with mode m (the store's,
 * pm_db_file_mode): made beside it and renamed into place (pm/file.h), so
 * path is either what it was or the whole new file, and never written
 * through a symbolic link. xlsx: a sheet a section, numbers as numbers,
 * rates as percentages. PM_ECANTCREAT when the file cannot be written. */
int pm_render_file(const struct pm_report *r, enum pm_render_format fmt, const struct pm_render_opts *o,
		   const char *path, const struct pm_file_mode *m, struct pm_err *e);

#endif
