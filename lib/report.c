/* report: row sets (sections of typed columns and rows), how their cells
 * read as text, JSON and numbers, masking by role, and the report section
 * of the configuration. The queries that fill them are in report-money.c,
 * report-use.c, report-service.c and dashboard.c. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "pm/community.h"
#include "pm/i18n.h"
#include "pm/money.h"
#include "report-internal.h"

int pm_report_oom(struct pm_err *e)
{
	return pm_err_set(e, PM_EFAIL, _("out of memory"));
}

int pm_report_config(struct pm_db *db, int32_t day, json_t **out, struct pm_err *e)
{
	struct pm_config *cfg;
	json_t *sec;
	int rc = PM_OK;

	if (pm_config_current(db, day, &cfg, e))
		return e->code;
	if ((sec = pm_config_section(cfg, "report")))
		*out = json_incref(sec);
	else
		rc = pm_config_defaults("report", out, e);
	pm_config_free(cfg);
	return rc;
}

/* ---- reports and sections ---- */

int pm_report_new(struct pm_db *db, const char *name, const char *title, const struct pm_report_query *q,
		  struct pm_report **out, struct pm_err *e)
{
	struct pm_report *r = calloc(1, sizeof *r);
	char from[PM_TIME_BUF], to[PM_TIME_BUF];
	struct pm_config *cfg;
	size_t n;

	*out = NULL;
	if (!r)
		return pm_report_oom(e);
	r->name = name;
	r->title = title;
	r->made = pm_now();
	/* No store: the property group's report, over its communities. */
	snprintf(r->community, sizeof r->community, "%s", _("property group"));
	snprintf(r->tz, sizeof r->tz, "%s", db ? pm_db_tz(db) : PM_DEFAULT_TZ);
	if (db && pm_config_current(db, pm_date_of(r->made, pm_db_tz(db)), &cfg, e)) {
		free(r);
		return e->code;
	}
	if (db) {
		snprintf(r->community, sizeof r->community, "%s", pm_config_community_name(cfg));
		pm_utf8_trim(r->community, strlen(r->community));
		pm_config_free(cfg);
	}
	pm_period_fmt(q->from, from);
	pm_period_fmt(q->to, to);
	n = q->building ? (size_t)snprintf(r->scope, sizeof r->scope, _("building %s, "), q->building) : 0;
	if (n < sizeof r->scope)
		snprintf(r->scope + n, sizeof r->scope - n, strcmp(from, to) ? "%s — %s" : "%s", from, to);
	*out = r;
	return PM_OK;
}

static void section_free(struct pm_section *s)
{
	free(s->name);
	free(s->title);
	free(s->cells);
	free(s->pool);
	free(s->note);
}

void pm_report_free(struct pm_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nsec; i++)
		section_free(&r->sec[i]);
	free(r->sec);
	free(r);
}

struct pm_section *pm_section_add(struct pm_report *r, const char *name, const char *title,
				  const struct pm_col *cols, size_t ncols)
{
	struct pm_section *sec = realloc(r->sec, (r->nsec + 1) * sizeof *sec), *s;

	if (!sec)
		return NULL;
	r->sec = sec;
	s = &sec[r->nsec];
	memset(s, 0, sizeof *s);
	s->name = strdup(name);
	s->title = strdup(title);
	if (!s->name || !s->title) {
		section_free(s);
		return NULL;
	}
	r->nsec++;
	s->cols = cols;
	s->ncols = ncols;
	s->chart.x = -1;
	for (int i = 0; i < PM_CHART_SERIES; i++)
		s->chart.series[i] = -1;
	return s;
}

int pm_section_take(struct pm_report *to, struct pm_report *from, size_t i)
{
	struct pm_section *sec = realloc(to->sec, (to->nsec + 1) * sizeof *sec);

	if (!sec)
		return -1;
	to->sec = sec;
	sec[to->nsec++] = from->sec[i];
	memmove(&from->sec[i], &from->sec[i + 1], (from->nsec - i - 1) * sizeof *from->sec);
	from->nsec--;
	return 0;
}

void pm_chart_set(struct pm_section *s, enum pm_chart_kind kind, int x, const char *unit, ...)
{
	va_list ap;
	int c, n = 0;

	memset(&s->chart, 0, sizeof s->chart);
	s->chart.kind = kind;
	s->chart.x = x;
	s->chart.unit = unit;
	va_start(ap, unit);
	while ((c = va_arg(ap, int)) >= 0 && n < PM_CHART_SERIES)
		s->chart.series[n++] = c;
	va_end(ap);
	while (n < PM_CHART_SERIES)
		s->chart.series[n++] = -1;
}

void pm_section_note(struct pm_section *s, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	free(s->note);
	s->note = strdup(buf);
}

long pm_row_add(struct pm_section *s)
{
	struct pm_cell *c;
	size_t cap;

	if (s->nrows == s->cap) {
		cap = s->cap ? s->cap * 2 : 16;
		if (!(c = realloc(s->cells, cap * s->ncols * sizeof *c)))
			return -1;
		s->cells = c;
		s->cap = cap;
	}
	memset(&s->cells[s->nrows * s->ncols], 0, s->ncols * sizeof *s->cells);
	return (long)s->nrows++;
}

/* A cell is empty when its den is 0: a rate over nothing, or a value or
 * text never set. Values carry den 1; text keeps its offset + 1 in v. */
static struct pm_cell *at(const struct pm_section *s, size_t i, size_t j)
{
	return &s->cells[i * s->ncols + j];
}

void pm_set_int(struct pm_section *s, size_t row, size_t col, int64_t v)
{
	*at(s, row, col) = (struct pm_cell){v, 1};
}

void pm_set_ratio(struct pm_section *s, size_t row, size_t col, int64_t num, int64_t den)
{
	*at(s, row, col) = (struct pm_cell){num, den};
}

void pm_set_null(struct pm_section *s, size_t row, size_t col)
{
	*at(s, row, col) = (struct pm_cell){0, 0};
}

int pm_set_text(struct pm_section *s, size_t row, size_t col, const char *text)
{
	size_t n = strlen(text) + 1, cap;
	char *p;

	if (s->pool_len + n > s->pool_cap) {
		cap = s->pool_cap ? s->pool_cap : 1024;
		while (cap < s->pool_len + n)
			cap *= 2;
		if (!(p = realloc(s->pool, cap)))
			return -1;
		s->pool = p;
		s->pool_cap = cap;
	}
	memcpy(s->pool + s->pool_len, text, n);
	*at(s, row, col) = (struct pm_cell){(int64_t)s->pool_len + 1, 1};
	s->pool_len += n;
	return 0;
}

int pm_cell_copy(struct pm_section *to, size_t row, size_t col, const struct pm_section *from, size_t frow,
		 size_t fcol)
{
	char buf[PM_CELL_BUF];

	if (from->cols[fcol].type == PM_COL_TEXT)
		return pm_cell_null(from, frow, fcol) ? 0 : pm_set_text(to, row, col, pm_cell_text(from, frow, fcol, 0, buf, sizeof buf));
	*at(to, row, col) = *at(from, frow, fcol);
	return 0;
}

int64_t pm_cell_v(const struct pm_section *s, size_t row, size_t col)
{
	const struct pm_cell *c = at(s, row, col);

	return c->den ? c->v : 0;
}

int pm_cell_null(const struct pm_section *s, size_t i, size_t j)
{
	return at(s, i, j)->den == 0;
}

int pm_natcmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
			const char *x = a, *y = b;
			size_t nx, ny;
			int c;

			while (*x == '0' && x[1] >= '0' && x[1] <= '9')
				x++;
			while (*y == '0' && y[1] >= '0' && y[1] <= '9')
				y++;
			for (a = x; *a >= '0' && *a <= '9'; a++)
				;
			for (b = y; *b >= '0' && *b <= '9'; b++)
				;
			nx = (size_t)(a - x);
			ny = (size_t)(b - y);
			if (nx != ny)
				return nx < ny ? -1 : 1;
			if ((c = strncmp(x, y, nx)))
				return c;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

static const struct pm_section *sort_sec;
static size_t sort_col;

static int larger_first(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int64_t x = pm_cell_v(sort_sec, i, sort_col), y = pm_cell_v(sort_sec, j, sort_col);

	return x != y ? (x < y) - (x > y) : (i > j) - (i < j);
}

static int text_order(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	char x[PM_CELL_BUF], y[PM_CELL_BUF];
	int c = pm_natcmp(pm_cell_text(sort_sec, i, sort_col, 0, x, sizeof x),
			  pm_cell_text(sort_sec, j, sort_col, 0, y, sizeof y));

	return c ? c : (i > j) - (i < j);
}

int pm_rows_sort(struct pm_section *s, size_t from, size_t to, size_t col, int by_text)
{
	size_t n = to - from, w = s->ncols, *order;
	struct pm_cell *cells;
	int ok;

	if (n < 2)
		return 0;
	order = malloc(n * sizeof *order);
	cells = malloc(n * w * sizeof *cells);
	ok = order && cells;
	if (ok) {
		for (size_t k = 0; k < n; k++)
			order[k] = from + k;
		sort_sec = s;
		sort_col = col;
		qsort(order, n, sizeof *order, by_text ? text_order : larger_first);
		for (size_t k = 0; k < n; k++)
			memcpy(&cells[k * w], at(s, order[k], 0), w * sizeof *cells);
		memcpy(at(s, from, 0), cells, n * w * sizeof *cells);
	}
	free(cells);
	free(order);
	return ok ? 0 : -1;
}

/* ---- cells as text, JSON and numbers ---- */

static const char *const empty = "\xe2\x80\x94"; /* — */

/* "1,234,567" from the digits of n. */
static void grouped(uint64_t n, char *buf, size_t size)
{
	char d[24];
	size_t len = (size_t)snprintf(d, sizeof d, "%" PRIu64, n), o = 0;

	for (size_t i = 0; i < len && o + 2 < size; i++) {
		if (i && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = d[i];
	}
	buf[o] = '\0';
}

static int64_t pow10i(int n)
{
	int64_t p = 1;

	while (n-- > 0)
		p *= 10;
	return p;
}

/* num / den to places decimals, rounded half away from zero, as text:
 * grouped digits for tables. */
static char *fixed(__int128 num, __int128 den, int places, int table, int sign, char *buf, size_t size)
{
	__int128 q, r;
	int neg = (num < 0) != (den < 0) && num != 0;
	uint64_t whole, frac;
	char w[32];

	if (num < 0)
		num = -num;
	if (den < 0)
		den = -den;
	num *= pow10i(places);
	q = num / den;
	r = num % den;
	if (2 * r >= den)
		q++;
	neg = neg && q != 0;
	whole = (uint64_t)(q / pow10i(places));
	frac = (uint64_t)(q % pow10i(places));
	if (table)
		grouped(whole, w, sizeof w);
	else
		snprintf(w, sizeof w, "%" PRIu64, whole);
	if (places)
		snprintf(buf, size, "%s%s.%0*" PRIu64, neg ? "-" : sign ? "+" : "", w, places, frac);
	else
		snprintf(buf, size, "%s%s", neg ? "-" : sign ? "+" : "", w);
	return buf;
}

const char *pm_cell_text(const struct pm_section *s, size_t i, size_t j, int table, char *buf, size_t size)
{
	const struct pm_col *c = &s->cols[j];
	const struct pm_cell *v = at(s, i, j);
	char m[PM_MONEY_BUF];
	size_t n;

	if (!v->den)
		return c->type == PM_COL_TEXT && !table ? "" : empty;
	switch (c->type) {
	case PM_COL_TEXT:
		return s->pool + v->v - 1;
	case PM_COL_INT:
		return fixed(v->v, 1, 0, table, 0, buf, size);
	case PM_COL_MONEY:
		/* In a file the value is what its key (ending _fen) says:
		 * integer fen, as in JSON; yuan were read as fen. */
		if (!table)
			return fixed(v->v, 1, 0, 0, 0, buf, size);
		snprintf(buf, size, "%s", pm_money_display(v->v, m));
		return buf;
	case PM_COL_QTY:
		return fixed(v->v, 1000, c->places, table, 0, buf, size);
	case PM_COL_PERCENT:
	case PM_COL_CHANGE:
		fixed((__int128)v->v * 100, v->den, 1, table, table && c->type == PM_COL_CHANGE, buf, size);
		if (table && (n = strlen(buf)) + 1 < size)
			snprintf(buf + n, size - n, "%%");
		return buf;
	case PM_COL_MEAN:
		return fixed(v->v, (__int128)v->den * pow10i(c->scale), c->places, table, 0, buf, size);
	case PM_COL_HOURS:
		/* Likewise seconds under a key ending _s. */
		return table ? fixed(v->v, 3600, 1, 1, 0, buf, size) : fixed(v->v, 1, 0, 0, 0, buf, size);
	}
	return "";
}

json_t *pm_cell_json(const struct pm_section *s, size_t i, size_t j)
{
	const struct pm_col *c = &s->cols[j];
	const struct pm_cell *v = at(s, i, j);
	char buf[PM_CELL_BUF];

	if (!v->den)
		return json_null();
	switch (c->type) {
	case PM_COL_INT:
	case PM_COL_MONEY:
	case PM_COL_HOURS:
		return json_integer(v->v);
	case PM_COL_QTY:
		return json_string(fixed(v->v, 1000, 3, 0, 0, buf, sizeof buf));
	default:
		return json_string(pm_cell_text(s, i, j, 0, buf, sizeof buf));
	}
}

double pm_cell_double(const struct pm_section *s, size_t i, size_t j)
{
	const struct pm_col *c = &s->cols[j];
	const struct pm_cell *v = at(s, i, j);

	if (!v->den)
		return 0;
	switch (c->type) {
	case PM_COL_MONEY: return (double)v->v / 100.0;
	case PM_COL_QTY: return (double)v->v / 1000.0;
	case PM_COL_PERCENT:
	case PM_COL_CHANGE: return (double)v->v / (double)v->den;
	case PM_COL_MEAN: return (double)v->v / (double)pow10i(c->scale) / (double)v->den;
	case PM_COL_HOURS: return (double)v->v / 3600.0;
	case PM_COL_INT: return (double)v->v;
	case PM_COL_TEXT: return 0;
	}
	return 0;
}

/* ---- masking ---- */

void pm_name_mask(const char *name, char *out, size_t size)
{
	size_t first = 1, o, chars = 0;
	const unsigned char *p = (const unsigned char *)name;

	if (!*p) {
		snprintf(out, size, "%s", "");
		return;
	}
	while (p[first] && (p[first] & 0xc0) == 0x80)
		first++;
	for (const unsigned char *q = p + first; *q; q++)
		chars += (*q & 0xc0) != 0x80;
	o = (size_t)snprintf(out, size, "%.*s", (int)first, name);
	for (size_t i = 0; i < (chars ? chars : 1) && o + 1 < size; i++)
		out[o++] = '*';
	out[o < size ? o : size - 1] = '\0';
}

/* ---- queries ---- */

int pm_report_by_parse(const char *s, enum pm_report_by *by, struct pm_err *e)
{
	static const char *const words[] = {"building", "entrance", "fee", "channel", "month", "category"};

	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (strcmp(s, words[i]) == 0) {
			*by = (enum pm_report_by)(i + 1);
			return PM_OK;
		}
	return pm_err_set(e, PM_EUSAGE,
			  _("unknown grouping '%s': expected building, entrance, fee, channel, month or category"), s);
}

int pm_report_may(const struct pm_actor *a, const char *report, struct pm_err *e)
{
	int money = strcmp(report, "collection") == 0 || strcmp(report, "arrears") == 0 ||
		    strcmp(report, "common-income") == 0;

	return pm_auth_check(a, money ? "report.finance" : "report.read", e);
}

void pm_query_every_period(struct pm_report_query *q)
{
	q->from = (struct pm_period){1970, 1};
	q->to = (struct pm_period){9999, 12};
}

int pm_query_months(const struct pm_report_query *q)
{
	return (q->to.year - q->from.year) * 12 + q->to.month - q->from.month + 1;
}

char *pm_query_period(const struct pm_report_query *q, int i, char buf[PM_TIME_BUF])
{
	return pm_period_fmt(pm_period_add(q->from, i), buf);
}

int pm_report_read(struct pm_db *db, int (*read)(void *ctx, struct pm_err *e), void *ctx, struct pm_err *e)
{
	int rc;

	if (!sqlite3_get_autocommit(pm_db_sqlite(db)))
		return read(ctx, e);
	if (pm_db_bulk(db, e) || pm_db_exec(db, "BEGIN", e))
		return e->code;
	rc = read(ctx, e);
	pm_db_exec(db, rc ? "ROLLBACK" : "COMMIT", rc ? NULL : e);
	return rc;
}

struct made {
	struct pm_db *db;
	pm_report_maker make;
	const struct pm_report_query *q;
	struct pm_report **out;
};

int pm_query_check(struct pm_db *db, const struct pm_report_query *q, struct pm_err *e)
{
	int64_t id;

	return pm_building_id(db, q->building, &id, e);
}

static int make_one(void *ctx, struct pm_err *e)
{
	struct made *m = ctx;

	if (pm_query_check(m->db, m->q, e))
		return e->code;
	return m->make(m->db, m->q, m->out, e);
}

int pm_report_snapshot(struct pm_db *db, pm_report_maker make, const struct pm_report_query *q,
		       struct pm_report **out, struct pm_err *e)
{
	struct made m = {db, make, q, out};

	*out = NULL;
	return pm_report_read(db, make_one, &m, e);
}

int64_t pm_query_owner(const struct pm_report_query *q)
{
	if (!q->actor || q->actor->role != PM_ROLE_OWNER)
		return 0;
	/* An owner linked to no person sees no unit: -1 matches none. */
	return q->actor->person_id ? q->actor->person_id : -1;
}
