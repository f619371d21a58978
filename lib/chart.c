/* chart: a section's natural chart as SVG, self-contained: no script, no
 * external font, every label laid out by an estimate of its width so
 * nothing leaves the picture. Values are the cells' exact figures turned
 * into doubles only here, for pixel coordinates. */
#include <math.h>
#include <string.h>

#include "pm/i18n.h"
#include "pm/table.h"
#include "pm/html.h"
#include "render-internal.h"

#define PLOT_H 240.0
#define MARGIN 16.0
#define TITLE_SIZE 16.0
#define TEXT_SIZE 12.0
#define LABEL_CHARS 14

static const char *const palette[PM_CHART_SERIES] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
						      "#b07aa1"};

int pm_has_chart(const struct pm_section *s)
{
	return s->chart.kind != PM_CHART_NONE && s->chart.x >= 0 && s->chart.series[0] >= 0;
}

/* A generous estimate of the width of text in pixels: a CJK character
 * is as wide as the font is high, a Latin one at most six tenths. */
double pm_svg_text_width(const char *s, double size)
{
	return pm_table_width(s) * size * 0.56;
}

/* The categories: every row but the total. */
static size_t categories(const struct pm_section *s)
{
	return s->total && s->nrows ? s->nrows - 1 : s->nrows;
}

static size_t nseries(const struct pm_section *s)
{
	size_t k = 0;

	while (k < PM_CHART_SERIES && s->chart.series[k] >= 0)
		k++;
	return k;
}

static int is_rate(const struct pm_section *s, size_t col)
{
	return s->cols[col].type == PM_COL_PERCENT || s->cols[col].type == PM_COL_CHANGE;
}

/* A value as plotted: rates in percent. */
static double value(const struct pm_section *s, size_t i, size_t col)
{
	double v = pm_cell_double(s, i, col);

	return is_rate(s, col) ? v * 100.0 : v;
}

/* A category's label, cut to LABEL_CHARS display columns. */
static void label(const struct pm_section *s, size_t i, char *out, size_t size)
{
	char buf[PM_CELL_BUF];
	const char *t = pm_cell_text(s, i, (size_t)s->chart.x, 1, buf, sizeof buf);
	size_t n = 0, k;

	for (k = 0; t[k] && n < size - 4; ) {
		size_t len = 1;
		while (t[k + len] && (t[k + len] & 0xc0) == 0x80)
			len++;
		memcpy(out + n, t + k, len);
		out[n + len] = '\0';
		if (pm_table_width(out) > LABEL_CHARS) {
			memcpy(out + n, "\xe2\x80\xa6", 3);
			n += 3;
			break;
		}
		n += len;
		k += len;
	}
	out[n] = '\0';
}

struct scale {
	double lo, hi, step;
	int percent, empty;  /* empty: no value to draw but zeros */
	int counts;          /* whole numbers only: no step under 1 */
};

/* Round bounds and a step of 1, 2, 2.5 or 5 times a power of ten, about
 * five ticks from lo to hi, zero included. */
static void nice(double lo, double hi, struct scale *sc)
{
	static const double m[] = {1, 2, 2.5, 5, 10};
	double raw, mag;

	lo = lo < 0 ? lo : 0;
	hi = hi > 0 ? hi : 0;
	if (hi - lo < 1e-9)
		hi = lo + (sc->percent ? 100 : 1);
	raw = (hi - lo) / 5;
	mag = pow(10, floor(log10(raw)));
	sc->step = 10 * mag;
	for (size_t i = 0; i < sizeof m / sizeof *m; i++)
		if (m[i] * mag >= raw) {
			sc->step = m[i] * mag;
			break;
		}
	if (sc->counts && sc->step < 1)
		sc->step = 1;
	sc->lo = floor(lo / sc->step + 1e-9) * sc->step;
	sc->hi = ceil(hi / sc->step - 1e-9) * sc->step;
}

static void extent(const struct pm_section *s, struct scale *sc)
{
	size_t n = categories(s), k = nseries(s);
	double lo = 0, hi = 0, sum, v;

	sc->percent = k && is_rate(s, (size_t)s->chart.series[0]);
	sc->empty = 1;
	sc->counts = 1;
	for (size_t j = 0; j < k; j++)
		sc->counts &= s->cols[s->chart.series[j]].type == PM_COL_INT;
	for (size_t i = 0; i < n; i++) {
		sum = 0;
		for (size_t j = 0; j < k; j++) {
			if (pm_cell_null(s, i, (size_t)s->chart.series[j]))
				continue;
			v = value(s, i, (size_t)s->chart.series[j]);
			sc->empty &= v == 0;
			if (s->chart.kind == PM_CHART_STACKED) {
				sum += v > 0 ? v : 0;
				continue;
			}
			lo = v < lo ? v : lo;
			hi = v > hi ? v : hi;
		}
		hi = sum > hi ? sum : hi;
	}
	nice(lo, hi, sc);
}

/* A tick's text: grouped digits, as many decimals as the step has. */
static void tick_text(double v, const struct scale *sc, char *buf, size_t size)
{
	long long pow10 = 1, r, whole, frac;
	int places = 0;
	char d[24], g[32];
	size_t n, o = 0;

	while (places < 3 && fabs(sc->step * (double)pow10 - round(sc->step * (double)pow10)) > 1e-6) {
		places++;
		pow10 *= 10;
	}
	r = llround(fabs(v) * (double)pow10);
	whole = r / pow10;
	frac = r % pow10;
	n = (size_t)snprintf(d, sizeof d, "%lld", whole);
	for (size_t i = 0; i < n && o + 2 < sizeof g; i++) {
		if (i && (n - i) % 3 == 0)
			g[o++] = ',';
		g[o++] = d[i];
	}
	g[o] = '\0';
	if (places)
		snprintf(buf, size, "%s%s.%0*d%s", v < 0 && r ? "-" : "", g, places, (int)frac, sc->percent ? "%" : "");
	else
		snprintf(buf, size, "%s%s%s", v < 0 && r ? "-" : "", g, sc->percent ? "%" : "");
}

/* "(元)" over the value axis; "" for percentages, which say so on
 * every tick. */
static const char *unit_label(const struct pm_section *s, char *buf, size_t size)
{
	const char *unit = s->chart.uom[0] ? s->chart.uom : s->chart.unit ? _(s->chart.unit) : "";

	if (*unit && strcmp(unit, "%"))
		snprintf(buf, size, "(%s)", unit);
	else
		buf[0] = '\0';
	return buf;
}

struct layout {
	double w, h, left, right, top, bottom, legend_y;
	int titled, rotate, empty;
	size_t every;     /* a label every this many categories */
	struct scale sc;
};

static double legend_height(const struct pm_section *s, double w)
{
	double x = MARGIN, rows = 1, iw;

	for (size_t j = 0; j < nseries(s); j++) {
		iw = 18 + pm_svg_text_width(_(s->cols[s->chart.series[j]].label), TEXT_SIZE) + 18;
		if (x + iw > w - MARGIN && x > MARGIN) {
			rows++;
			x = MARGIN;
		}
		x += iw;
	}
	return rows * 20;
}

static void layout(const struct pm_section *s, int titled, struct layout *l)
{
	size_t n = categories(s);
	double widest = 0, tw, slot, lw;
	char buf[64];

	memset(l, 0, sizeof *l);
	l->w = PM_CHART_WIDTH;
	l->titled = titled;
	extent(s, &l->sc);
	l->empty = l->sc.empty;
	for (double v = l->sc.lo; v <= l->sc.hi + l->sc.step / 2; v += l->sc.step) {
		tick_text(v, &l->sc, buf, sizeof buf);
		tw = pm_svg_text_width(buf, TEXT_SIZE);
		widest = tw > widest ? tw : widest;
	}
	/* The unit's label sits above the ticks, right-aligned with them. */
	tw = pm_svg_text_width(unit_label(s, buf, sizeof buf), TEXT_SIZE);
	widest = tw > widest ? tw : widest;
	l->left = MARGIN + widest + 10;
	l->right = MARGIN + 8;
	l->legend_y = (l->titled ? MARGIN + TITLE_SIZE + 22 : MARGIN + TEXT_SIZE);
	l->top = l->legend_y + legend_height(s, l->w) + 24;
	widest = 0;
	for (size_t i = 0; i < n; i++) {
		label(s, i, buf, sizeof buf);
		tw = pm_svg_text_width(buf, TEXT_SIZE);
		widest = tw > widest ? tw : widest;
	}
	slot = n ? (l->w - l->left - l->right) / (double)n : 1;
	l->every = 1;
	if (widest + 6 > slot) {
		/* Labels slanted at 40°. The first reaches left of its category
		 * by its width across: the margin makes room for it. Slanted
		 * lines a slot apart lie slot × sin 40° apart: past a line's
		 * height, only every few are shown. */
		l->rotate = 1;
		if (l->left < widest * cos(40 * M_PI / 180) + 4) {
			l->left = widest * cos(40 * M_PI / 180) + 4;
			slot = (l->w - l->left - l->right) / (double)n;
		}
		while (slot * (double)l->every * sin(40 * M_PI / 180) < TEXT_SIZE * 1.2)
			l->every++;
		lw = widest * sin(40 * M_PI / 180) + TEXT_SIZE;
		l->bottom = MARGIN + lw + 8;
	} else {
		l->bottom = MARGIN + TEXT_SIZE + 12;
	}
	l->h = l->top + PLOT_H + l->bottom;
}

double pm_chart_height(const struct pm_section *s, int titled)
{
	struct layout l;

	layout(s, titled, &l);
	return l.h;
}

static double ypos(const struct layout *l, double v)
{
	return l->top + PLOT_H - (v - l->sc.lo) / (l->sc.hi - l->sc.lo) * PLOT_H;
}

void pm_svg_text(FILE *f, double x, double y, const char *cls, const char *anchor, double size, const char *t)
{
	fprintf(f, "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\" text-anchor=\"%s\">", cls, x, y, size,
		anchor);
	pm_html_text(f, t);
	fputs("</text>\n", f);
}

static void axes(FILE *f, const struct pm_section *s, const struct layout *l)
{
	char buf[64];

	for (double v = l->sc.lo; v <= l->sc.hi + l->sc.step / 2; v += l->sc.step) {
		double y = ypos(l, v);
		fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n", l->left,
			y, l->w - l->right, y, fabs(v) < l->sc.step / 1e6 ? "#888" : "#e3e3e3");
		tick_text(fabs(v) < l->sc.step / 1e6 ? 0 : v, &l->sc, buf, sizeof buf);
		pm_svg_text(f, l->left - 6, y + 4, "y-label", "end", TEXT_SIZE, buf);
	}
	if (*unit_label(s, buf, sizeof buf))
		pm_svg_text(f, l->left - 6, l->top - 10, "unit", "end", TEXT_SIZE, buf);
	fprintf(f, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\"/>\n", l->left,
		l->top, l->left, l->top + PLOT_H);
}

static void x_labels(FILE *f, const struct pm_section *s, const struct layout *l)
{
	size_t n = categories(s);
	double slot = (l->w - l->left - l->right) / (double)n, x, y = l->top + PLOT_H + TEXT_SIZE + 6;
	char buf[64];

	for (size_t i = 0; i < n; i += l->every) {
		label(s, i, buf, sizeof buf);
		x = l->left + ((double)i + 0.5) * slot;
		if (!l->rotate) {
			pm_svg_text(f, x, y, "x-label", "middle", TEXT_SIZE, buf);
			continue;
		}
		fprintf(f, "<text class=\"x-label\" x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\" text-anchor=\"end\""
			" transform=\"rotate(-40 %.1f %.1f)\">", x + 4, y - 4, TEXT_SIZE, x + 4, y - 4);
		pm_html_text(f, buf);
		fputs("</text>\n", f);
	}
}

static void legend(FILE *f, const struct pm_section *s, const struct layout *l)
{
	double x = MARGIN, y = l->legend_y, iw;
	const char *name;

	for (size_t j = 0; j < nseries(s); j++) {
		name = _(s->cols[s->chart.series[j]].label);
		iw = 18 + pm_svg_text_width(name, TEXT_SIZE) + 18;
		if (x + iw > l->w - MARGIN && x > MARGIN) {
			x = MARGIN;
			y += 20;
		}
		fprintf(f, "<g class=\"legend-item\"><rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>",
			x, y - 10, palette[j]);
		pm_svg_text(f, x + 18, y, "legend", "start", TEXT_SIZE, name);
		fputs("</g>\n", f);
		x += iw;
	}
}

/* A mark's tooltip: the category, the series and the figure as tables
 * show it. */
static void tooltip(FILE *f, const struct pm_section *s, size_t i, size_t col)
{
	char a[64], b[PM_CELL_BUF];

	label(s, i, a, sizeof a);
	fputs("<title>", f);
	pm_html_text(f, a);
	fputs(" · ", f);
	pm_html_text(f, _(s->cols[col].label));
	fputs(": ", f);
	pm_html_text(f, pm_cell_text(s, i, col, 1, b, sizeof b));
	fputs("</title>", f);
}

static void bars(FILE *f, const struct pm_section *s, const struct layout *l)
{
	size_t n = categories(s), k = nseries(s), col;
	double slot = (l->w - l->left - l->right) / (double)n, inner, bw, x, y0 = ypos(l, 0), base, v, y;
	int stacked = s->chart.kind == PM_CHART_STACKED;

	inner = slot * (stacked ? 0.55 : 0.7);
	/* A few categories make no slabs: bars at most 48 pixels wide. */
	if (inner > 48 * (stacked ? 1 : (double)k))
		inner = 48 * (stacked ? 1 : (double)k);
	bw = stacked ? inner : inner / (double)k;
	for (size_t i = 0; i < n; i++) {
		base = 0;
		for (size_t j = 0; j < k; j++) {
			col = (size_t)s->chart.series[j];
			if (pm_cell_null(s, i, col))
				continue;
			v = value(s, i, col);
			if (stacked && v <= 0)
				continue;
			x = l->left + (double)i * slot + (slot - inner) / 2 + (stacked ? 0 : (double)j * bw);
			y = ypos(l, base + v);
			y0 = ypos(l, base);
			fprintf(f, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">",
				x, y < y0 ? y : y0, bw > 1 ? bw - (stacked ? 0 : 1) : bw, fabs(y0 - y), palette[j]);
			tooltip(f, s, i, col);
			fputs("</rect>\n", f);
			if (stacked)
				base += v;
		}
	}
}

static void lines(FILE *f, const struct pm_section *s, const struct layout *l)
{
	size_t n = categories(s), k = nseries(s), col;
	double slot = (l->w - l->left - l->right) / (double)n, x, y;
	int open;

	for (size_t j = 0; j < k; j++) {
		col = (size_t)s->chart.series[j];
		open = 0;
		for (size_t i = 0; i < n; i++) {
			if (pm_cell_null(s, i, col)) {
				if (open)
					fputs("\"/>\n", f);
				open = 0;
				continue;
			}
			x = l->left + ((double)i + 0.5) * slot;
			y = ypos(l, value(s, i, col));
			if (!open)
				fprintf(f, "<polyline class=\"line\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"",
					palette[j]);
			fprintf(f, "%s%.1f,%.1f", open ? " " : "", x, y);
			open = 1;
		}
		if (open)
			fputs("\"/>\n", f);
		for (size_t i = 0; i < n; i++) {
			if (pm_cell_null(s, i, col))
				continue;
			x = l->left + ((double)i + 0.5) * slot;
			y = ypos(l, value(s, i, col));
			fprintf(f, "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\">", x, y, palette[j]);
			tooltip(f, s, i, col);
			fputs("</circle>\n", f);
		}
	}
}

void pm_chart_svg(FILE *f, const struct pm_section *s, double x, double y, int standalone)
{
	struct layout l;

	/* A page heads the chart with the section's title already. */
	layout(s, !standalone, &l);
	fprintf(f, "<svg%s class=\"chart\" x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\""
		" viewBox=\"0 0 %.0f %.0f\" font-family=\"%s\" role=\"img\" aria-label=\"",
		standalone ? " xmlns=\"http://www.w3.org/2000/svg\"" : "", x, y, l.w, l.h, l.w, l.h,
		PM_FONTS);
	pm_html_text(f, _(s->title));
	fputs("\">\n", f);
	fprintf(f, "<rect class=\"frame\" x=\"0.5\" y=\"0.5\" width=\"%.0f\" height=\"%.0f\" fill=\"#fff\""
		" stroke=\"#ddd\"/>\n", l.w - 1, l.h - 1);
	if (l.titled) {
		fprintf(f, "<text class=\"title\" x=\"%.0f\" y=\"%.0f\" font-size=\"%.0f\" font-weight=\"bold\">",
			MARGIN, MARGIN + TITLE_SIZE, TITLE_SIZE);
		pm_html_text(f, _(s->title));
		fputs("</text>\n", f);
	}
	legend(f, s, &l);
	axes(f, s, &l);
	if (categories(s))
		x_labels(f, s, &l);
	/* All zeros draws nothing but says so. */
	if (!categories(s) || l.empty)
		pm_svg_text(f, (l.left + l.w - l.right) / 2, l.top + PLOT_H / 2, "empty", "middle", TEXT_SIZE + 2,
			_("no data"));
	else if (s->chart.kind == PM_CHART_LINES)
		lines(f, s, &l);
	else
		bars(f, s, &l);
	fputs("</svg>\n", f);
}
