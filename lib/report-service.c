/* report-service: the quality of service from pm-repair's tickets (times
 * to accept and resolve, SLA breaches, ratings, repeats, inspections,
 * patrols) and the feedback loop (意见反馈闭环): the month's suggestions
 * and complaints, the improvement list and what became of last month's,
 * published as an announcement. */
#include <stdlib.h>
#include <string.h>

#include "pm/announce.h"
#include "pm/i18n.h"
#include "pm/jsonl.h"
#include "pm/patrol.h"
#include "pm/survey.h"
#include "repair-internal.h"
#include "report-internal.h"
#include "strbuf-internal.h"

/* The repair section in force, or none (tickets then count in wall time
 * and categories show their names). */
static void repair_open(struct pm_db *db, struct pm_repair *rp)
{
	struct pm_err ignored;

	if (pm_repair_open(db, rp, &ignored))
		memset(rp, 0, sizeof *rp);
}

static const char *category_label(const struct pm_repair *rp, const char *name)
{
	json_t *c = rp->sec ? pm_json_find(json_object_get(rp->sec, "categories"), "name", name) : NULL;
	const char *label = c ? json_string_value(json_object_get(c, "label")) : NULL;

	return label ? label : name;
}

/* The start of the query's first period and the end of its last. */
static void span(struct pm_db *db, const struct pm_report_query *q, int64_t *start, int64_t *end)
{
	int64_t a, b;

	pm_period_bounds(q->from, pm_db_tz(db), start, &b);
	pm_period_bounds(q->to, pm_db_tz(db), &a, end);
}

/* ---- service ---- */

#define SERVICE_COLS(key, label) {                                            \
	{key, label, PM_COL_TEXT, 0, 0},                                       \
	{"tickets", N_("tickets"), PM_COL_INT, 0, 0},                          \
	{"accept_p50_s", N_("accept median h"), PM_COL_HOURS, 0, 0},           \
	{"accept_p90_s", N_("accept 90% h"), PM_COL_HOURS, 0, 0},              \
	{"resolve_p50_s", N_("resolve median h"), PM_COL_HOURS, 0, 0},         \
	{"resolve_p90_s", N_("resolve 90% h"), PM_COL_HOURS, 0, 0},            \
	{"breached", N_("SLA breached"), PM_COL_INT, 0, 0},                    \
	{"breach_pct", N_("breach rate"), PM_COL_PERCENT, 0, 0},               \
	{"rated", N_("rated"), PM_COL_INT, 0, 0},                              \
	{"rating", N_("average rating"), PM_COL_MEAN, 0, 1},                   \
	{"satisfied_pct", N_("satisfied"), PM_COL_PERCENT, 0, 0},              \
	{"repeats", N_("repeat reports"), PM_COL_INT, 0, 0},                   \
}
static const struct pm_col service_cols[] = SERVICE_COLS("category", N_("category"));
static const struct pm_col service_month_cols[] = SERVICE_COLS("period", N_("period"));
enum { V_KEY, V_TICKETS, V_A50, V_A90, V_R50, V_R90, V_BREACHED, V_BREACH, V_RATED, V_RATING, V_SATISFIED,
       V_REPEATS };

struct times {
	int64_t *v;
	size_t n, cap;
};

static int times_add(struct times *t, int64_t x)
{
	int64_t *v;
	size_t cap;

	if (t->n == t->cap) {
		cap = t->cap ? t->cap * 2 : 64;
		if (!(v = realloc(t->v, cap * sizeof *v)))
			return -1;
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n++] = x;
	return 0;
}

static int ascending(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The p-th percentile by the nearest-rank method: the smallest value with
 * at least p% of them at or below it. */
static void percentile(struct pm_section *s, size_t row, size_t col, struct times *t, int p)
{
	size_t rank;

	if (!t->n)
		return;
	qsort(t->v, t->n, sizeof *t->v, ascending);
	rank = (t->n * (size_t)p + 99) / 100;
	pm_set_int(s, row, col, t->v[rank ? rank - 1 : 0]);
}

struct group {
	char key[96];
	int64_t tickets, breached, rated, stars, satisfied, repeats;
	struct times accept, resolve;
};

static void group_row(struct pm_section *s, size_t r, struct group *g)
{
	pm_set_int(s, r, V_TICKETS, g->tickets);
	percentile(s, r, V_A50, &g->accept, 50);
	percentile(s, r, V_A90, &g->accept, 90);
	percentile(s, r, V_R50, &g->resolve, 50);
	percentile(s, r, V_R90, &g->resolve, 90);
	pm_set_int(s, r, V_BREACHED, g->breached);
	pm_set_ratio(s, r, V_BREACH, g->breached, g->tickets);
	pm_set_int(s, r, V_RATED, g->rated);
	pm_set_ratio(s, r, V_RATING, g->stars, g->rated);
	pm_set_ratio(s, r, V_SATISFIED, g->satisfied, g->rated);
	pm_set_int(s, r, V_REPEATS, g->repeats);
}

static void group_free(struct group *g)
{
	free(g->accept.v);
	free(g->resolve.v);
	memset(g, 0, sizeof *g);
}

/* A ticket is past its SLA when a breach was reported, or a clock counted
 * more than its budget, stopped or still running at as_of. */
static int breached(sqlite3_stmt *st, int col, const struct pm_repair *rp, int64_t as_of)
{
	const struct pm_hours *h = sqlite3_column_int(st, col) && rp->hours.days ? &rp->hours : NULL;
	struct pm_clock c;

	for (int k = 0; k < 2; k++) {
		pm_clock_read(st, col + 1 + 4 * k, &c);
		if (c.breach || pm_clock_elapsed(&c, h, rp->tz, as_of) > c.budget)
			return 1;
	}
	return 0;
}

#define TICKET_COLS \
	"t.submitted_at, t.accepted_at, t.resolved_at, t.stars, t.repeats, t.business_hours," \
	" t.accept_budget, t.accept_used, coalesce(t.accept_since, 0), coalesce(t.accept_breach, 0)," \
	" t.resolve_budget, t.resolve_used, coalesce(t.resolve_since, 0), coalesce(t.resolve_breach, 0)"

static int group_take(struct group *g, sqlite3_stmt *st, int col, const struct pm_repair *rp, int64_t as_of)
{
	int64_t sub = sqlite3_column_int64(st, col);

	g->tickets++;
	if (sqlite3_column_type(st, col + 1) != SQLITE_NULL &&
	    times_add(&g->accept, sqlite3_column_int64(st, col + 1) - sub))
		return -1;
	if (sqlite3_column_type(st, col + 2) != SQLITE_NULL &&
	    times_add(&g->resolve, sqlite3_column_int64(st, col + 2) - sub))
		return -1;
	if (sqlite3_column_type(st, col + 3) != SQLITE_NULL) {
		g->rated++;
		g->stars += sqlite3_column_int64(st, col + 3);
		g->satisfied += sqlite3_column_int64(st, col + 3) >= 4;
	}
	g->repeats += sqlite3_column_int64(st, col + 4);
	g->breached += breached(st, col + 5, rp, as_of);
	return 0;
}

static int group_emit(struct pm_section *s, struct group *g, const char *key)
{
	long r = pm_row_add(s);

	if (r < 0 || pm_set_text(s, (size_t)r, V_KEY, key))
		return -1;
	group_row(s, (size_t)r, g);
	return 0;
}

/* The tickets (not inspections) submitted in [start, end), grouped by
 * category or by period, each group a row, and the total. */
static int tickets(struct pm_db *db, const struct pm_report_query *q, const struct pm_repair *rp, int by_month,
		   int64_t start, int64_t end, struct pm_section *s, struct pm_err *e)
{
	static const char sql[] =
		"SELECT t.category, " TICKET_COLS " FROM ticket t WHERE t.submitted_at >= ?1 AND t.submitted_at < ?2"
		" AND t.kind <> 'inspection' AND (?3 IS NULL OR t.unit_id IN (SELECT u.id FROM unit u"
		" JOIN building bd ON bd.id = u.building_id WHERE bd.code = ?3)) ORDER BY t.category, t.submitted_at";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	const char *tz = pm_db_tz(db);
	int64_t as_of = pm_date_start(q->as_of + 1, tz) < pm_now() ? pm_date_start(q->as_of + 1, tz) : pm_now();
	struct group *g = NULL, total = {0};
	size_t n = 0, i;
	char key[96];
	int rc = SQLITE_DONE, months = by_month ? pm_query_months(q) : 0;

	if (!st)
		return e->code;
	if (by_month && !(g = calloc((size_t)months, sizeof *g)))
		return pm_report_oom(e);
	for (int k = 0; k < months; k++)
		pm_query_period(q, k, g[k].key);
	n = (size_t)months;
	sqlite3_bind_int64(st, 1, start);
	sqlite3_bind_int64(st, 2, end);
	sqlite3_bind_text(st, 3, q->building, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (by_month)
			pm_period_fmt(pm_period_of(sqlite3_column_int64(st, 1), tz), key);
		else
			snprintf(key, sizeof key, "%s", category_label(rp, TEXT(st, 0)));
		for (i = 0; i < n && strcmp(g[i].key, key); i++)
			;
		if (i == n) {
			struct group *ng = realloc(g, (n + 1) * sizeof *g);
			if (!ng)
				break;
			g = ng;
			memset(&g[n], 0, sizeof *g);
			snprintf(g[n++].key, sizeof g->key, "%s", key);
		}
		if (group_take(&g[i], st, 1, rp, as_of) || group_take(&total, st, 1, rp, as_of))
			break;
	}
	sqlite3_reset(st);
	for (i = 0; i < n && (rc == SQLITE_DONE); i++)
		if (group_emit(s, &g[i], g[i].key))
			rc = SQLITE_NOMEM;
	if (rc == SQLITE_DONE && !by_month && pm_rows_sort(s, 0, s->nrows, V_TICKETS, 0))
		rc = SQLITE_NOMEM;
	if (rc == SQLITE_DONE) {
		s->total = 1;
		if (group_emit(s, &total, _("total")))
			rc = SQLITE_NOMEM;
	}
	for (i = 0; i < n; i++)
		group_free(&g[i]);
	free(g);
	group_free(&total);
	if (rc == SQLITE_DONE)
		return PM_OK;
	return rc == SQLITE_ROW || rc == SQLITE_NOMEM ? pm_report_oom(e) : pm_db_fail(db, e, _("cannot read tickets"));
}

static const struct pm_col inspection_cols[] = {
	{"schedule", N_("schedule"), PM_COL_TEXT, 0, 0},
	{"inspections", N_("inspections"), PM_COL_INT, 0, 0},
	{"done", N_("done"), PM_COL_INT, 0, 0},
	{"done_pct", N_("done rate"), PM_COL_PERCENT, 0, 0},
};

/* Inspections due in the periods, by schedule: how many were done. */
static int inspections(struct pm_db *db, const struct pm_report_query *q, const struct pm_repair *rp,
		       struct pm_section *s, struct pm_err *e)
{
	static const char sql[] =
		"SELECT t.schedule, count(*), sum(t.status IN ('resolved','closed')) FROM ticket t"
		" WHERE t.kind = 'inspection' AND t.schedule IS NOT NULL AND substr(t.due, 1, 7) BETWEEN ?1 AND ?2"
		" GROUP BY t.schedule ORDER BY t.schedule";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char from[PM_TIME_BUF], to[PM_TIME_BUF];
	int64_t n = 0, done = 0;
	json_t *sched;
	const char *label;
	long r;
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, pm_period_fmt(q->from, from), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, pm_period_fmt(q->to, to), -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sched = rp->sec ? pm_json_find(json_object_get(rp->sec, "schedules"), "name", TEXT(st, 0)) : NULL;
		label = sched && json_object_get(sched, "label") ? json_string_value(json_object_get(sched, "label"))
								  : TEXT(st, 0);
		if ((r = pm_row_add(s)) < 0 || pm_set_text(s, (size_t)r, 0, label)) {
			sqlite3_reset(st);
			return pm_report_oom(e);
		}
		pm_set_int(s, (size_t)r, 1, sqlite3_column_int64(st, 1));
		pm_set_int(s, (size_t)r, 2, sqlite3_column_int64(st, 2));
		pm_set_ratio(s, (size_t)r, 3, sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 1));
		n += sqlite3_column_int64(st, 1);
		done += sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read tickets"));
	if ((r = pm_row_add(s)) < 0 || pm_set_text(s, (size_t)r, 0, _("total")))
		return pm_report_oom(e);
	pm_set_int(s, (size_t)r, 1, n);
	pm_set_int(s, (size_t)r, 2, done);
	pm_set_ratio(s, (size_t)r, 3, done, n);
	s->total = 1;
	return PM_OK;
}

static const struct pm_col patrol_cols[] = {
	{"route", N_("route"), PM_COL_TEXT, 0, 0},
	{"points", N_("points due"), PM_COL_INT, 0, 0},
	{"on_time", N_("on time"), PM_COL_INT, 0, 0},
	{"early", N_("early"), PM_COL_INT, 0, 0},
	{"late", N_("late"), PM_COL_INT, 0, 0},
	{"missed", N_("missed"), PM_COL_INT, 0, 0},
	{"on_time_pct", N_("punctuality"), PM_COL_PERCENT, 0, 0},
};

struct patrols {
	struct pm_section *s;
	json_t *routes;   /* name -> row */
};

static int patrol_point(void *ctx, json_t *rec)
{
	static const char *const statuses[] = {"on_time", "early", "late", "missed"};
	struct patrols *p = ctx;
	const char *route = json_string_value(json_object_get(rec, "route"));
	const char *status = json_string_value(json_object_get(rec, "status"));
	json_t *at = json_object_get(p->routes, route);
	size_t r;
	long nr;

	if (!at) {
		if ((nr = pm_row_add(p->s)) < 0 || pm_set_text(p->s, (size_t)nr, 0, route))
			return PM_EFAIL;
		for (size_t c = 1; c <= 5; c++)
			pm_set_int(p->s, (size_t)nr, c, 0);
		json_object_set_new(p->routes, route, json_integer(nr));
		at = json_object_get(p->routes, route);
	}
	r = (size_t)json_integer_value(at);
	pm_set_int(p->s, r, 1, pm_cell_v(p->s, r, 1) + 1);
	for (size_t k = 0; k < 4; k++)
		if (status && strcmp(status, statuses[k]) == 0)
			pm_set_int(p->s, r, 2 + k, pm_cell_v(p->s, r, 2 + k) + 1);
	return PM_OK;
}

/* Patrol points of the days of the periods before today, by route. */
static int patrols(struct pm_db *db, const struct pm_report_query *q, const struct pm_repair *rp,
		   struct pm_section *s, struct pm_err *e)
{
	struct patrols p = {s, json_object()};
	int64_t start, end, t[5] = {0};
	int32_t d0, d1;
	int rc = PM_OK;
	long r;

	if (!p.routes)
		return pm_report_oom(e);
	span(db, q, &start, &end);
	d0 = pm_date_of(start, pm_db_tz(db));
	d1 = pm_date_of(end, pm_db_tz(db));
	for (int32_t d = d0; rp->sec && d < d1 && d < q->as_of && rc == PM_OK; d++)
		rc = pm_patrol_report(db, d, patrol_point, &p, e);
	json_decref(p.routes);
	if (rc)
		return rc == PM_EFAIL && !e->msg[0] ? pm_report_oom(e) : rc;
	for (size_t i = 0; i < s->nrows; i++) {
		json_t *route = pm_json_find(json_object_get(rp->sec, "patrols"), "name",
					       pm_cell_text(s, i, 0, 0, (char[PM_CELL_BUF]){0}, PM_CELL_BUF));
		if (route && json_object_get(route, "label") &&
		    pm_set_text(s, i, 0, json_string_value(json_object_get(route, "label"))))
			return pm_report_oom(e);
		for (size_t c = 1; c <= 5; c++)
			t[c - 1] += pm_cell_v(s, i, c);
		pm_set_ratio(s, i, 6, pm_cell_v(s, i, 2), pm_cell_v(s, i, 1));
	}
	if ((r = pm_row_add(s)) < 0 || pm_set_text(s, (size_t)r, 0, _("total")))
		return pm_report_oom(e);
	for (size_t c = 1; c <= 5; c++)
		pm_set_int(s, (size_t)r, c, t[c - 1]);
	pm_set_ratio(s, (size_t)r, 6, t[1], t[0]);
	s->total = 1;
	return PM_OK;
}

static const struct pm_col survey_cols[] = {
	{"surveys", N_("surveys"), PM_COL_INT, 0, 0},
	{"ratings", N_("ratings"), PM_COL_INT, 0, 0},
	{"average", N_("average (1–5)"), PM_COL_MEAN, 0, 2},
};

/* The ratings of the satisfaction surveys opened in the periods. */
static int surveys(struct pm_db *db, const struct pm_report_query *q, struct pm_section *s, struct pm_err *e)
{
	int64_t start, end, n, sum, count;
	long r;

	span(db, q, &start, &end);
	if (pm_survey_satisfaction(db, start, end, &n, &sum, &count, e))
		return e->code;
	if ((r = pm_row_add(s)) < 0)
		return pm_report_oom(e);
	pm_set_int(s, (size_t)r, 0, n);
	pm_set_int(s, (size_t)r, 1, count);
	pm_set_ratio(s, (size_t)r, 2, sum, count);
	return PM_OK;
}

static int service(struct pm_db *db, const struct pm_report_query *q, const struct pm_repair *rp,
		   struct pm_report *r, struct pm_err *e)
{
	struct pm_report_query tq = *q;
	int64_t start, end;
	struct pm_section *s;
	int rc;

	span(db, q, &start, &end);
	if (q->by != PM_BY_MONTH) {
		if (!(s = pm_section_add(r, "category", N_("Tickets by category"), COLS(service_cols))))
			return pm_report_oom(e);
		pm_chart_set(s, PM_CHART_BARS, V_KEY, N_("tickets"), V_TICKETS, V_BREACHED, -1);
		if ((rc = tickets(db, q, rp, 0, start, end, s, e)))
			return rc;
		/* One month asked: the trend of the six months to it. */
		if (!q->range)
			tq.from = pm_period_add(q->to, -5);
	}
	if (!(s = pm_section_add(r, "month", N_("Service by month"), COLS(service_month_cols))))
		return pm_report_oom(e);
	pm_chart_set(s, PM_CHART_LINES, V_KEY, "%", V_SATISFIED, V_BREACH, -1);
	span(db, &tq, &start, &end);
	if ((rc = tickets(db, &tq, rp, 1, start, end, s, e)))
		return rc;
	if (!(s = pm_section_add(r, "inspections", N_("Inspections"), COLS(inspection_cols))))
		return pm_report_oom(e);
	if ((rc = inspections(db, q, rp, s, e)))
		return rc;
	if (!(s = pm_section_add(r, "patrols", N_("Patrols"), COLS(patrol_cols))))
		return pm_report_oom(e);
	if ((rc = patrols(db, q, rp, s, e)))
		return rc;
	if (!(s = pm_section_add(r, "survey", N_("Satisfaction surveys (pm-govern)"), COLS(survey_cols))))
		return pm_report_oom(e);
	return surveys(db, q, s, e);
}

typedef int (*repair_fill)(struct pm_db *db, const struct pm_report_query *q, const struct pm_repair *rp,
			   struct pm_report *r, struct pm_err *e);

/* A report of name, filled by fill with the repair section in force. */
static int repair_report(struct pm_db *db, const struct pm_report_query *q, const char *name, const char *title,
			 repair_fill fill, struct pm_report **out, struct pm_err *e)
{
	struct pm_repair rp;
	int rc;

	if (pm_report_new(db, name, title, q, out, e))
		return e->code;
	repair_open(db, &rp);
	rc = fill(db, q, &rp, *out, e);
	pm_repair_close(&rp);
	if (rc) {
		pm_report_free(*out);
		*out = NULL;
	}
	return rc;
}

static int make_service(struct pm_db *db, const struct pm_report_query *q, struct pm_report **out,
		struct pm_err *e)
{
	return repair_report(db, q, "service", N_("Service quality"), service, out, e);
}

/* ---- feedback ---- */

static const struct pm_col feedback_cols[] = {
	{"category", N_("category"), PM_COL_TEXT, 0, 0},
	{"kind", N_("kind"), PM_COL_TEXT, 0, 0},
	{"count", N_("count"), PM_COL_INT, 0, 0},
	{"open", N_("open"), PM_COL_INT, 0, 0},
	{"done", N_("done"), PM_COL_INT, 0, 0},
	{"examples", N_("examples"), PM_COL_TEXT, 0, 0},
};

static const struct pm_col improvement_cols[] = {
	{"ticket", N_("ticket"), PM_COL_INT, 0, 0},
	{"category", N_("category"), PM_COL_TEXT, 0, 0},
	{"text", N_("item"), PM_COL_TEXT, 0, 0},
	{"status", N_("status"), PM_COL_TEXT, 0, 0},
	{"due", N_("due"), PM_COL_TEXT, 0, 0},
	{"resolved", N_("resolved"), PM_COL_TEXT, 0, 0},
	{"done", N_("what was done"), PM_COL_TEXT, 0, 0},
};
enum { I_TICKET, I_CATEGORY, I_TEXT, I_STATUS, I_DUE, I_RESOLVED, I_DONE };

/* text cut to at most n characters, "…" marking the cut. */
static void cut(const char *text, size_t n, char *out, size_t size)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t chars = 0, i = 0;

	while (p[i] && chars < n) {
		i++;
		while (p[i] && (p[i] & 0xc0) == 0x80)
			i++;
		chars++;
	}
	snprintf(out, size, "%.*s%s", (int)i, text, p[i] ? "\xe2\x80\xa6" : "");
}

/* Examples of a category: the first few texts, newest last. */
static int examples(struct pm_db *db, const char *category, int64_t start, int64_t end, int64_t n, char *out,
		    size_t size, struct pm_err *e)
{
	static const char sql[] =
		"SELECT text FROM ticket WHERE category = ?1 AND submitted_at >= ?2 AND submitted_at < ?3"
		" AND kind IN ('complaint','suggestion') ORDER BY submitted_at, id LIMIT ?4";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char one[160];
	size_t len = 0;
	int rc;

	if (!st)
		return e->code;
	out[0] = '\0';
	sqlite3_bind_text(st, 1, category, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, start);
	sqlite3_bind_int64(st, 3, end);
	sqlite3_bind_int64(st, 4, n);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && len < size) {
		cut(TEXT(st, 0), 30, one, sizeof one);
		len += (size_t)snprintf(out + len, size - len, "%s%s", len ? " / " : "", one);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot read tickets"));
}

/* The period's suggestions and complaints by category, most first. */
static int feedback_rows(struct pm_db *db, const struct pm_report_query *q, const struct pm_repair *rp,
			 json_t *rep, struct pm_section *s, struct pm_err *e)
{
	static const char sql[] =
		"SELECT category, min(kind), count(*), sum(status NOT IN ('resolved','closed','cancelled')),"
		" sum(status IN ('resolved','closed')) FROM ticket WHERE submitted_at >= ?1 AND submitted_at < ?2"
		" AND kind IN ('complaint','suggestion') GROUP BY category ORDER BY count(*) DESC, category";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int64_t start, end, t[3] = {0};
	char ex[512];
	long r;
	int rc;

	if (!st)
		return e->code;
	span(db, q, &start, &end);
	sqlite3_bind_int64(st, 1, start);
	sqlite3_bind_int64(st, 2, end);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (examples(db, TEXT(st, 0), start, end, json_integer_value(json_object_get(json_object_get(rep,
			     "feedback"), "examples")), ex, sizeof ex, e))
			break;
		if ((r = pm_row_add(s)) < 0 || pm_set_text(s, (size_t)r, 0, category_label(rp, TEXT(st, 0))) ||
		    pm_set_text(s, (size_t)r, 1, TEXT(st, 1)) || (*ex && pm_set_text(s, (size_t)r, 5, ex))) {
			rc = SQLITE_NOMEM;
			break;
		}
		for (int c = 0; c < 3; c++) {
			pm_set_int(s, (size_t)r, 2 + (size_t)c, sqlite3_column_int64(st, 2 + c));
			t[c] += sqlite3_column_int64(st, 2 + c);
		}
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW && e->code)
		return e->code;
	if (rc != SQLITE_DONE)
		return rc == SQLITE_NOMEM ? pm_report_oom(e) : pm_db_fail(db, e, _("cannot read tickets"));
	if ((r = pm_row_add(s)) < 0 || pm_set_text(s, (size_t)r, 0, _("total")))
		return pm_report_oom(e);
	for (int c = 0; c < 3; c++)
		pm_set_int(s, (size_t)r, 2 + (size_t)c, t[c]);
	s->total = 1;
	return PM_OK;
}

/* When a clock of budget seconds started at t0 runs out, in business
 * hours h (NULL: wall time), the hours being one stretch a day. */
static int64_t deadline(const struct pm_hours *h, const char *tz, int64_t t0, int64_t budget)
{
	int64_t t = t0, left = budget, next, open, part;

	if (!h || !h->days)
		return t0 + budget;
	for (int i = 0; i < 3660; i++) {
		next = pm_date_start(pm_date_of(t, tz) + 1, tz);
		part = pm_sla_span(h, tz, t, next);
		if (part >= left) {
			open = pm_date_start(pm_date_of(t, tz), tz) + h->from;
			return (t > open ? t : open) + left;
		}
		left -= part;
		t = next;
	}
	return t;
}

/* The improvement tickets on the list of [start, end): filed before it
 * ended, not cancelled, not done before it began. */
static int improvements(struct pm_db *db, const struct pm_repair *rp, json_t *cats, int64_t start, int64_t end,
			struct pm_section *s, struct pm_err *e)
{
	static const char sql[] =
		"SELECT t.id, t.category, t.text, t.status, t.submitted_at, t.resolve_budget, t.business_hours,"
		" t.resolved_at, (SELECT ev.note FROM ticket_event ev WHERE ev.ticket_id = t.id AND ev.action = 'resolve'"
		"  ORDER BY ev.id DESC LIMIT 1) FROM ticket t, json_each(?3) c WHERE t.category = c.value"
		" AND t.submitted_at < ?2 AND t.status <> 'cancelled' AND (t.resolved_at IS NULL OR t.resolved_at >= ?1)"
		" ORDER BY t.id";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	const char *tz = pm_db_tz(db);
	char *list = json_dumps(cats, JSON_COMPACT), day[PM_TIME_BUF], text[256];
	const struct pm_hours *h;
	long r;
	int rc;

	if (!st || !list) {
		free(list);
		return st ? pm_report_oom(e) : e->code;
	}
	sqlite3_bind_int64(st, 1, start);
	sqlite3_bind_int64(st, 2, end);
	sqlite3_bind_text(st, 3, list, -1, SQLITE_TRANSIENT);
	free(list);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		h = sqlite3_column_int(st, 6) ? &rp->hours : NULL;
		cut(TEXT(st, 2), 40, text, sizeof text);
		if ((r = pm_row_add(s)) < 0 || pm_set_text(s, (size_t)r, I_CATEGORY, category_label(rp, TEXT(st, 1))) ||
		    pm_set_text(s, (size_t)r, I_TEXT, text) || pm_set_text(s, (size_t)r, I_STATUS, TEXT(st, 3)) ||
		    pm_set_text(s, (size_t)r, I_DUE, pm_date_fmt(pm_date_of(deadline(h, tz, sqlite3_column_int64(st, 4),
				sqlite3_column_int64(st, 5)), tz), day)) ||
		    (sqlite3_column_type(st, 7) != SQLITE_NULL &&
		     pm_set_text(s, (size_t)r, I_RESOLVED, pm_date_fmt(pm_date_of(sqlite3_column_int64(st, 7), tz), day))) ||
		    (TEXT(st, 8) && pm_set_text(s, (size_t)r, I_DONE, TEXT(st, 8)))) {
			sqlite3_reset(st);
			return pm_report_oom(e);
		}
		pm_set_int(s, (size_t)r, I_TICKET, sqlite3_column_int64(st, 0));
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read tickets"));
}

static int feedback(struct pm_db *db, const struct pm_report_query *q, const struct pm_repair *rp,
		    struct pm_report *r, struct pm_err *e)
{
	struct pm_report_query last = *q;
	struct pm_section *s;
	int64_t start, end, day0, last_end;
	json_t *rep, *cats;
	int rc;

	span(db, q, &start, &end);
	pm_period_bounds(q->to, pm_db_tz(db), &day0, &last_end);
	if (pm_report_config(db, pm_date_of(day0, pm_db_tz(db)), &rep, e))
		return e->code;
	/* Without the key: the category named "improvement". */
	if (!(cats = json_object_get(json_object_get(rep, "feedback"), "improvements")) &&
	    json_object_set_new(json_object_get(rep, "feedback"), "improvements", json_pack("[s]", "improvement")) == 0)
		cats = json_object_get(json_object_get(rep, "feedback"), "improvements");
	if (!(s = pm_section_add(r, "category", N_("Suggestions and complaints"), COLS(feedback_cols))))
		rc = pm_report_oom(e);
	else {
		pm_chart_set(s, PM_CHART_BARS, 0, N_("tickets"), 2, 4, -1);
		rc = feedback_rows(db, q, rp, rep, s, e);
	}
	if (rc == PM_OK && !(s = pm_section_add(r, "improvements", N_("Improvement list"), COLS(improvement_cols))))
		rc = pm_report_oom(e);
	if (rc == PM_OK)
		rc = improvements(db, rp, cats, start, end, s, e);
	/* The list of the month before the first: a range's is its own. */
	last.from = last.to = pm_period_add(q->from, -1);
	span(db, &last, &start, &end);
	if (rc == PM_OK && !(s = pm_section_add(r, "last", N_("Last month's list: what was done"), COLS(improvement_cols))))
		rc = pm_report_oom(e);
	if (rc == PM_OK)
		rc = improvements(db, rp, cats, start, end, s, e);
	json_decref(rep);
	return rc;
}

static int make_feedback(struct pm_db *db, const struct pm_report_query *q, struct pm_report **out,
		struct pm_err *e)
{
	return repair_report(db, q, "feedback", N_("Feedback and improvements"), feedback, out, e);
}

/* ---- publishing: 整改进度公示 ---- */

#define LISTED_MAX 40

static const struct pm_section *section_named(const struct pm_report *r, const char *name)
{
	for (size_t i = 0; i < r->nsec; i++)
		if (strcmp(r->sec[i].name, name) == 0)
			return &r->sec[i];
	return NULL;
}

static void list_items(struct strbuf *b, const struct pm_section *s, int last)
{
	char x[4][PM_CELL_BUF];
	const char *id, *text, *status, *when;
	size_t n = s ? s->nrows : 0;

	if (!n)
		sb_fmt(b, "%s\n", _("(none)"));
	for (size_t i = 0; i < n && i < LISTED_MAX; i++) {
		id = pm_cell_text(s, i, I_TICKET, 0, x[0], sizeof x[0]);
		text = pm_cell_text(s, i, I_TEXT, 0, x[1], sizeof x[1]);
		status = pm_cell_text(s, i, I_STATUS, 0, x[2], sizeof x[2]);
		if (!last) {
			when = pm_cell_text(s, i, I_DUE, 0, x[3], sizeof x[3]);
			sb_fmt(b, _("- #%s %s: %s, due %s\n"), id, text, status, when);
			continue;
		}
		when = pm_cell_text(s, i, I_RESOLVED, 1, x[3], sizeof x[3]);
		sb_fmt(b, _("- #%s %s: %s, resolved %s\n"), id, text, status, when);
		if (!pm_cell_null(s, i, I_DONE)) {
			sb_str(b, "  ");
			sb_str(b, pm_cell_text(s, i, I_DONE, 0, x[3], sizeof x[3]));
			sb_str(b, "\n");
		}
	}
	if (n > LISTED_MAX)
		sb_fmt(b, _("and %zu more\n"), n - LISTED_MAX);
}

/* The announcement's text: the month's feedback by category, the
 * improvement list, and what was done about last month's. */
static char *publish_body(const struct pm_report *r)
{
	const struct pm_section *s = section_named(r, "category");
	char k[PM_CELL_BUF], n[PM_CELL_BUF], d[PM_CELL_BUF];
	struct strbuf b = {0};

	sb_fmt(&b, _("Suggestions and complaints in %s:\n"), r->scope);
	for (size_t i = 0; s && i + 1 < s->nrows; i++)
		sb_fmt(&b, _("- %s: %s, %s done\n"), pm_cell_text(s, i, 0, 0, k, sizeof k),
		       pm_cell_text(s, i, 2, 0, n, sizeof n), pm_cell_text(s, i, 4, 0, d, sizeof d));
	if (!s || s->nrows <= 1)
		sb_fmt(&b, "%s\n", _("(none)"));
	sb_fmt(&b, "\n%s\n", _("Improvement list:"));
	list_items(&b, section_named(r, "improvements"), 0);
	sb_fmt(&b, "\n%s\n", _("Last month's list, and what was done:"));
	list_items(&b, section_named(r, "last"), 1);
	return sb_take(&b);
}

int pm_report_publish(struct pm_db *db, const struct pm_report *r, int64_t *id, long *units,
		      struct pm_notify_counts *counts, struct pm_err *e)
{
	struct pm_announcement a = {0};
	struct pm_notify *n;
	char title[256];
	char *body;
	int rc;

	if (strcmp(r->name, "common_income") == 0) {
		body = pm_common_income_body(r, title, sizeof title);
	} else {
		body = publish_body(r);
		snprintf(title, sizeof title, _("Feedback and improvements, %s"), r->scope);
	}
	if (!body)
		return pm_report_oom(e);
	a.title = title;
	a.body = body;
	a.target = "all";
	/* pm-report publishes each time it is asked, as it always has; the
	 * guard against posting twice is pm-notify announce's. */
	a.again = 1;
	if ((rc = pm_notify_open(db, &n, e)) == PM_OK) {
		rc = pm_announce_add(db, n, &a, -1, id, units, counts, e);
		pm_notify_close(n);
	}
	free(body);
	return rc;
}

int pm_report_service(struct pm_db *db, const struct pm_report_query *q, struct pm_report **out,
		struct pm_err *e)
{
	return pm_report_snapshot(db, make_service, q, out, e);
}

int pm_report_feedback(struct pm_db *db, const struct pm_report_query *q, struct pm_report **out,
		struct pm_err *e)
{
	return pm_report_snapshot(db, make_feedback, q, out, e);
}
