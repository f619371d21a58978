/* Shared by the renderers: render.c (text formats), render-html.c
 * (HTML), chart.c (SVG charts) and xlsx.c (workbooks). */
#ifndef PM_RENDER_INTERNAL_H
#define PM_RENDER_INTERNAL_H

#include <stdio.h>

#include "pm/render.h"
#include "pm/report.h"

/* The fonts a chart or page asks for: installed ones only, CJK first. */
#define PM_FONTS "'Noto Sans CJK SC','Source Han Sans SC','WenQuanYi Micro Hei','Microsoft YaHei','PingFang SC',sans-serif"

/* The width of a chart, and the height the chart of s needs at it, with
 * its title or without. */
#define PM_CHART_WIDTH 960
double pm_chart_height(const struct pm_section *s, int titled);

/* Draws the chart of s as an <svg> element of PM_CHART_WIDTH by
 * pm_chart_height() at (x, y): nested in an SVG document with its title,
 * or standalone (with the SVG namespace) in a page that heads it. */
void pm_chart_svg(FILE *f, const struct pm_section *s, double x, double y, int standalone);

/* A generous estimate of the width in pixels of text at a font size: a
 * CJK character as wide as the font is high, a Latin one at most six
 * tenths. */
double pm_svg_text_width(const char *s, double size);
/* <text class="cls"> of t at (x, y), anchored start, middle or end. */
void pm_svg_text(FILE *f, double x, double y, const char *cls, const char *anchor, double size, const char *t);

/* Whether the renderers draw a chart for s, and show s at all. */
int pm_has_chart(const struct pm_section *s);
int pm_shown(const struct pm_render_opts *o, const struct pm_section *s);

/* "Collection — 幸福里小区 — 2026-11": the report's heading. */
void pm_report_heading(const struct pm_report *r, char *buf, size_t size);

/* Whether a column holds figures (right-aligned), not text. */
int pm_col_numeric(const struct pm_col *c);

/* The html format: the whole page (render-html.c). */
void pm_render_html_page(const struct pm_report *r, const struct pm_render_opts *o, FILE *f);

/* The workbook at part, made for path, which failures name (written by
 * libxlsxwriter, which opens it by name). */
int pm_render_xlsx(const struct pm_report *r, const struct pm_render_opts *o, const char *part,
		   const char *path, struct pm_err *e);

#endif
