/* report-gate: gate traffic from pm-gate's tables: entries and exits by
 * hour of day and by gate, visitors per day, alarms by kind, and the car
 * park's occupancy and income per day. Hours and days are the
 * community's. */
#include <stdlib.h>
#include <string.h>

#include "gate-internal.h"
#include "pm/i18n.h"
#include "report-internal.h"

/* The days of the query: day0 is the first, n of them, start[i] when day
 * i begins and start[n] when the last ends. */
struct days {
	int32_t day0;
	size_t n;
	int64_t *start;
};

static int days_of(struct pm_db *db, const struct pm_report_query *q, struct days *d)
{
	const char *tz = pm_db_tz(db);
	int64_t first, last, a, b;

	pm_period_bounds(q->from, tz, &first, &b);
	pm_period_bounds(q->to, tz, &a, &last);
	d->day0 = pm_date_of(first, tz);
	d->n = (size_t)(pm_date_of(last - 1, tz) - d->day0 + 1);
	if (!(d->start = malloc((d->n + 1) * sizeof *d->start)))
		return -1;
	for (size_t i = 0; i <= d->n; i++)
		d->start[i] = pm_date_start(d->day0 + (int32_t)i, tz);
	return 0;
}

/* The day of the query t falls on, found from the last one (*hint), as
 * the queries read in time order; -1 outside. */
static long day_index(const struct days *d, int64_t t, size_t *hint)
{
	size_t lo = 0, hi = d->n;

	if (t < d->start[0] || t >= d->start[d->n])
		return -1;
	if (*hint < d->n && t >= d->start[*hint] && t < d->start[*hint + 1])
		return (long)*hint;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (t >= d->start[mid])
			lo = mid;
		else
			hi = mid;
	}
	*hint = lo;
	return (long)lo;
}

static int fail(struct pm_db *db, sqlite3_stmt *st, int rc, struct pm_err *e)
{
	sqlite3_reset(st);
	if (rc == SQLITE_NOMEM)
		return pm_report_oom(e);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read the gate events"));
}

static const char *gate_label(const struct pm_gate_config *gc, const char *gate)
{
	const char *name = json_string_value(json_object_get(json_object_get(gc->gates, gate), "name"));

	return name ? name : gate;
}

const char *pm_report_alarm_severity(const struct pm_gate_config *gc, const char *kind)
{
	const char *sev = strcmp(kind, "role") ? json_string_value(json_object_get(gc->alarms, kind)) : NULL;

	return sev && strcmp(sev, "none") ? sev : NULL;
}

/* ---- entries and exits by hour of day ---- */

static const struct pm_col hour_cols[] = {
	{"hour", N_("hour"), PM_COL_TEXT, 0, 0},
	{"entries", N_("passages in"), PM_COL_INT, 0, 0},
	{"exits", N_("passages out"), PM_COL_INT, 0, 0},
};

static int hours(struct pm_db *db, const struct pm_gate_config *gc, const struct days *d, struct pm_section *s,
		 struct pm_err *e)
{
	static const char sql[] =
		"SELECT ts, event = 'exit' FROM gate_event WHERE ts >= ?1 AND ts < ?2 AND event IN ('entry','exit')";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int64_t n[24][2] = {{0}}, t, hour;
	size_t hint = 0;
	char hh[16];
	long i, r;
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, d->start[0]);
	sqlite3_bind_int64(st, 2, d->start[d->n]);
	/* The hour on the community's clock: the hours since its midnight
	 * but on a day the clocks change, which has 23 or 25 of those. */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		t = sqlite3_column_int64(st, 0);
		if ((i = day_index(d, t, &hint)) < 0)
			continue;
		hour = d->start[i + 1] - d->start[i] == 86400 ? (t - d->start[i]) / 3600
							      : pm_time_of_day(t, pm_db_tz(db)) / 3600;
		n[hour][sqlite3_column_int(st, 1)]++;
	}
	if ((rc = fail(db, st, rc, e)))
		return rc;
	for (int h = 0; h <= 24; h++) {
		snprintf(hh, sizeof hh, "%02d", h);
		if ((r = pm_row_add(s)) < 0 || pm_set_text(s, (size_t)r, 0, h < 24 ? hh : _("total")))
			return pm_report_oom(e);
		for (int k = 0; k < 2; k++) {
			int64_t sum = 0;
			for (int x = 0; x < 24; x++)
				sum += n[x][k];
			pm_set_int(s, (size_t)r, 1 + (size_t)k, h < 24 ? n[h][k] : sum);
		}
	}
	s->total = 1;
	return PM_OK;
}

/* ---- by gate ---- */

static const struct pm_col gate_cols[] = {
	{"gate", N_("gate"), PM_COL_TEXT, 0, 0},
	{"entries", N_("passages in"), PM_COL_INT, 0, 0},
	{"exits", N_("passages out"), PM_COL_INT, 0, 0},
	{"denied", N_("denied"), PM_COL_INT, 0, 0},
	{"alarms", N_("alarms"), PM_COL_INT, 0, 0},
};
enum { G_GATE, G_ENTRIES, G_EXITS, G_DENIED, G_ALARMS };

static int by_gate(struct pm_db *db, const struct pm_gate_config *gc, const struct days *d, struct pm_section *s,
		   struct pm_err *e)
{
	static const char sql[] =
		"SELECT gate, event, count(*) FROM gate_event WHERE ts >= ?1 AND ts < ?2 GROUP BY gate, event"
		" ORDER BY gate";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int64_t total[5] = {0}, v;
	const char *event;
	char last[64] = "";
	long r = -1;
	size_t c;
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, d->start[0]);
	sqlite3_bind_int64(st, 2, d->start[d->n]);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (r < 0 || strcmp(last, TEXT(st, 0))) {
			snprintf(last, sizeof last, "%s", TEXT(st, 0));
			if ((r = pm_row_add(s)) < 0 || pm_set_text(s, (size_t)r, G_GATE, gate_label(gc, last))) {
				rc = SQLITE_NOMEM;
				break;
			}
			for (c = G_ENTRIES; c <= G_ALARMS; c++)
				pm_set_int(s, (size_t)r, c, 0);
		}
		event = TEXT(st, 1);
		v = sqlite3_column_int64(st, 2);
		c = strcmp(event, "entry") == 0 ? G_ENTRIES : strcmp(event, "exit") == 0 ? G_EXITS : 0;
		if (strcmp(event, "denied") == 0)
			c = G_DENIED;
		/* A denial configured as an alarm counts in both. */
		if (pm_report_alarm_severity(gc, event)) {
			pm_set_int(s, (size_t)r, G_ALARMS, pm_cell_v(s, (size_t)r, G_ALARMS) + v);
			total[G_ALARMS] += v;
		}
		if (c) {
			pm_set_int(s, (size_t)r, c, pm_cell_v(s, (size_t)r, c) + v);
			total[c] += v;
		}
	}
	if ((rc = fail(db, st, rc, e)))
		return rc;
	if ((r = pm_row_add(s)) < 0 || pm_set_text(s, (size_t)r, G_GATE, _("total")))
		return pm_report_oom(e);
	for (c = G_ENTRIES; c <= G_ALARMS; c++)
		pm_set_int(s, (size_t)r, c, total[c]);
	s->total = 1;
	return PM_OK;
}

/* ---- visitors per day ---- */

static const struct pm_col visitor_cols[] = {
	{"day", N_("day"), PM_COL_TEXT, 0, 0},
	{"requests", N_("visitor requests"), PM_COL_INT, 0, 0},
	{"visitors", N_("visitors let in"), PM_COL_INT, 0, 0},
	{"denied", N_("passes refused"), PM_COL_INT, 0, 0},
	{"cars", N_("visitors' cars"), PM_COL_INT, 0, 0},
};
enum { D_DAY, D_REQUESTS, D_VISITORS, D_DENIED, D_CARS, D_N };

/* Adds the second column of each row the query reads to column col of
 * the day its first column falls on, in n (rows of width cells); when
 * distinct, counts instead each value of the second column once a day
 * (the rows ordered by it). */
static int per_day(struct pm_db *db, const char *sql, const struct days *d, int64_t *n, size_t width, size_t col,
		   int distinct, struct pm_err *e)
{
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int64_t v, last_v = 0;
	long i, last_i = -1;
	size_t hint = 0;
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, d->start[0]);
	sqlite3_bind_int64(st, 2, d->start[d->n]);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((i = day_index(d, sqlite3_column_int64(st, 0), &hint)) < 0)
			continue;
		v = sqlite3_column_int64(st, 1);
		n[(size_t)i * width + col] += distinct ? v != last_v || i != last_i : v;
		last_v = v;
		last_i = i;
	}
	return fail(db, st, rc, e);
}

/* A row a day and the total of the columns [1, width) of n, which has
 * a row more for the total. */
static int day_rows(const struct days *d, int64_t *n, size_t width, struct pm_section *s, struct pm_err *e)
{
	char day[PM_TIME_BUF];
	long r;

	for (size_t i = 0; i <= d->n; i++) {
		if ((r = pm_row_add(s)) < 0 ||
		    pm_set_text(s, (size_t)r, 0, i < d->n ? pm_date_fmt(d->day0 + (int32_t)i, day) : _("total")))
			return pm_report_oom(e);
		for (size_t c = 1; c < width; c++) {
			pm_set_int(s, (size_t)r, c, n[i * width + c]);
			n[d->n * width + c] += i < d->n ? n[i * width + c] : 0;
		}
	}
	s->total = 1;
	return PM_OK;
}

/* A query of per_day's: what it reads, and whether it counts distinct
 * values; NULL sql for a column filled otherwise. */
struct day_query {
	const char *sql;
	int distinct;
};

/* A section of a row a day and the total, its columns [1, width) read
 * by the queries q (one a column) and by more, when not NULL, into n
 * before the rows are made: the visitors' and the car park's. */
static int day_section(struct pm_db *db, const struct days *d, const struct day_query *q, size_t width,
		       int (*more)(struct pm_db *, const struct days *, int64_t *, struct pm_err *),
		       struct pm_section *s, struct pm_err *e)
{
	int64_t *n = calloc((d->n + 1) * width, sizeof *n);
	int rc = n ? PM_OK : pm_report_oom(e);

	for (size_t c = 1; c < width && rc == PM_OK; c++)
		if (q[c].sql)
			rc = per_day(db, q[c].sql, d, n, width, c, q[c].distinct, e);
	if (rc == PM_OK && more)
		rc = more(db, d, n, e);
	if (rc == PM_OK)
		rc = day_rows(d, n, width, s, e);
	free(n);
	return rc;
}

static int visitors(struct pm_db *db, const struct pm_gate_config *gc, const struct days *d, struct pm_section *s,
		    struct pm_err *e)
{
	static const struct day_query q[D_N] = {
		[D_REQUESTS] = {"SELECT created_at, 1 FROM visitor WHERE created_at >= ?1 AND created_at < ?2"
				" ORDER BY created_at", 0},
		/* A visitor let in twice a day is one visitor that day. */
		[D_VISITORS] = {"SELECT ts, visitor_id FROM pass_use WHERE ts >= ?1 AND ts < ?2 AND result = 'allow'"
				" ORDER BY visitor_id, ts", 1},
		[D_DENIED] = {"SELECT ts, 1 FROM pass_use WHERE ts >= ?1 AND ts < ?2 AND result <> 'allow'"
			      " ORDER BY ts", 0},
		[D_CARS] = {"SELECT entry_ts, 1 FROM parking_session WHERE entry_ts >= ?1 AND entry_ts < ?2"
			    " AND resident = 0 ORDER BY entry_ts", 0},
	};

	(void)gc;
	return day_section(db, d, q, D_N, NULL, s, e);
}

/* ---- alarms by kind ---- */

static const struct pm_col alarm_cols[] = {
	{"kind", N_("alarm"), PM_COL_TEXT, 0, 0},
	{"severity", N_("severity"), PM_COL_TEXT, 0, 0},
	{"count", N_("count"), PM_COL_INT, 0, 0},
	{"gates", N_("gates"), PM_COL_INT, 0, 0},
	{"last", N_("last"), PM_COL_TEXT, 0, 0},
};
enum { A_KIND, A_SEVERITY, A_COUNT, A_GATES, A_LAST };

/* Every kind of event the configuration makes an alarm, counted or not,
 * the most severe by default first. */
static int alarms(struct pm_db *db, const struct pm_gate_config *gc, const struct days *d, struct pm_section *s,
		  struct pm_err *e)
{
	static const char *const kinds[] = {"door_forced", "fire_alarm", "tamper", "door_held_open", "denied"};
	static const char sql[] =
		"SELECT count(*), count(DISTINCT gate), max(ts) FROM gate_event WHERE ts >= ?1 AND ts < ?2"
		" AND event = ?3";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char when[PM_TIME_BUF];
	int64_t total = 0;
	long r;
	int rc;

	if (!st)
		return e->code;
	for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
		if (!pm_report_alarm_severity(gc, kinds[k]))
			continue;
		sqlite3_bind_int64(st, 1, d->start[0]);
		sqlite3_bind_int64(st, 2, d->start[d->n]);
		sqlite3_bind_text(st, 3, kinds[k], -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(st)) != SQLITE_ROW)
			return fail(db, st, rc == SQLITE_DONE ? SQLITE_ERROR : rc, e);
		if ((r = pm_row_add(s)) < 0 || pm_set_text(s, (size_t)r, A_KIND, kinds[k]) ||
		    pm_set_text(s, (size_t)r, A_SEVERITY, pm_report_alarm_severity(gc, kinds[k])) ||
		    (sqlite3_column_type(st, 2) != SQLITE_NULL &&
		     pm_set_text(s, (size_t)r, A_LAST, pm_time_fmt(sqlite3_column_int64(st, 2), pm_db_tz(db), when))))
			return fail(db, st, SQLITE_NOMEM, e);
		pm_set_int(s, (size_t)r, A_COUNT, sqlite3_column_int64(st, 0));
		pm_set_int(s, (size_t)r, A_GATES, sqlite3_column_int64(st, 1));
		total += sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	if ((r = pm_row_add(s)) < 0 || pm_set_text(s, (size_t)r, A_KIND, _("total")))
		return pm_report_oom(e);
	pm_set_int(s, (size_t)r, A_COUNT, total);
	s->total = 1;
	return PM_OK;
}

/* ---- the car park per day ---- */

static const struct pm_col parking_cols[] = {
	{"day", N_("day"), PM_COL_TEXT, 0, 0},
	{"entries", N_("cars in"), PM_COL_INT, 0, 0},
	{"exits", N_("cars out"), PM_COL_INT, 0, 0},
	{"peak", N_("most parked"), PM_COL_INT, 0, 0},
	{"occupancy_pct", N_("occupancy"), PM_COL_PERCENT, 0, 0},
	{"charged_fen", N_("fees charged"), PM_COL_MONEY, 0, 0},
	{"paid_fen", N_("fees received"), PM_COL_MONEY, 0, 0},
};
enum { P_DAY, P_ENTRIES, P_EXITS, P_PEAK, P_OCCUPANCY, P_CHARGED, P_PAID, P_N };

struct move {
	int64_t t;
	int delta;
};

static int move_order(const void *a, const void *b)
{
	const struct move *x = a, *y = b;

	/* A car that leaves the second another comes frees its space first. */
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->delta - y->delta;
}

/* The most cars inside at once on each day, into column P_PEAK of n. */
static int peaks(struct pm_db *db, const struct days *d, int64_t *n, struct pm_err *e)
{
	static const char sql[] =
		"SELECT entry_ts, exit_ts FROM parking_session WHERE entry_ts < ?2 AND (exit_ts IS NULL OR exit_ts >= ?1)";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	struct move *m = NULL, *more;
	size_t len = 0, cap = 0, i = 0;
	int64_t in = 0, t;
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, d->start[0]);
	sqlite3_bind_int64(st, 2, d->start[d->n]);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (len + 2 > cap) {
			cap = cap ? cap * 2 : 256;
			if (!(more = realloc(m, cap * sizeof *m))) {
				rc = SQLITE_NOMEM;
				break;
			}
			m = more;
		}
		if ((t = sqlite3_column_int64(st, 0)) < d->start[0])
			in++;
		else
			m[len++] = (struct move){t, 1};
		if (sqlite3_column_type(st, 1) != SQLITE_NULL && sqlite3_column_int64(st, 1) < d->start[d->n])
			m[len++] = (struct move){sqlite3_column_int64(st, 1), -1};
	}
	if ((rc = fail(db, st, rc, e))) {
		free(m);
		return rc;
	}
	if (len)
		qsort(m, len, sizeof *m, move_order);
	for (size_t day = 0; day < d->n; day++) {
		n[day * P_N + P_PEAK] = in;
		for (; i < len && m[i].t < d->start[day + 1]; i++) {
			in += m[i].delta;
			if (in > n[day * P_N + P_PEAK])
				n[day * P_N + P_PEAK] = in;
		}
	}
	free(m);
	return PM_OK;
}

static int parking(struct pm_db *db, const struct pm_gate_config *gc, const struct days *d, struct pm_section *s,
		   struct pm_err *e)
{
	static const struct day_query q[P_N] = {
		[P_ENTRIES] = {"SELECT entry_ts, 1 FROM parking_session WHERE entry_ts >= ?1 AND entry_ts < ?2"
			       " ORDER BY entry_ts", 0},
		[P_EXITS] = {"SELECT exit_ts, 1 FROM parking_session WHERE exit_ts >= ?1 AND exit_ts < ?2", 0},
		[P_CHARGED] = {"SELECT exit_ts, fee_fen FROM parking_session WHERE exit_ts >= ?1 AND exit_ts < ?2"
			       " AND fee_fen > 0", 0},
		/* Money received: points spent on parking (a payment with
		 * a parking_discount) are the company's discount, no money,
		 * as the collection report receives none for points; a
		 * refund paid back (pm-gate parking refund) is money given
		 * back the day it went. */
		[P_PAID] = {"SELECT t, v FROM (SELECT p.paid_at AS t, p.amount_fen AS v FROM parking_payment p"
			    "  WHERE p.paid_at >= ?1 AND p.paid_at < ?2"
			    "  AND NOT EXISTS (SELECT 1 FROM parking_discount d WHERE d.payment_id = p.id)"
			    " UNION ALL SELECT paid_at, -amount_fen FROM parking_refund WHERE paid_at >= ?1 AND paid_at < ?2)"
			    " ORDER BY t", 0},
	};
	int64_t spaces, peak = 0, now = pm_now();
	size_t i;

	if (day_section(db, d, q, P_N, peaks, s, e))
		return e->code;
	spaces = json_integer_value(json_object_get(gc->parking, "spaces"));
	for (i = 0; i < d->n; i++) {
		/* Days still to come have had no cars yet. */
		if (d->start[i] > now) {
			pm_set_null(s, i, P_PEAK);
			pm_set_null(s, i, P_OCCUPANCY);
			continue;
		}
		if (pm_cell_v(s, i, P_PEAK) > peak)
			peak = pm_cell_v(s, i, P_PEAK);
		pm_set_ratio(s, i, P_OCCUPANCY, pm_cell_v(s, i, P_PEAK), spaces);
	}
	/* The total's peak is the range's; with no spaces configured there
	 * is no rate ("—"). */
	pm_set_int(s, i, P_PEAK, peak);
	pm_set_ratio(s, i, P_OCCUPANCY, peak, spaces);
	return PM_OK;
}

/* ---- the report ---- */

static int make_gate(struct pm_db *db, const struct pm_report_query *q, struct pm_report **out,
		     struct pm_err *e)
{
	static const struct {
		const char *name, *title;
		const struct pm_col *cols;
		size_t ncols;
		int (*fill)(struct pm_db *, const struct pm_gate_config *, const struct days *, struct pm_section *,
			    struct pm_err *);
		enum pm_chart_kind chart;
		const char *unit;
		int series[3];
	} parts[] = {
		{"hour", N_("Entries and exits by hour of day"), COLS(hour_cols), hours, PM_CHART_BARS,
		 N_("passages"), {1, 2, -1}},
		{"gate", N_("By gate"), COLS(gate_cols), by_gate, PM_CHART_BARS, N_("events"), {G_ENTRIES, G_EXITS, -1}},
		{"day", N_("Visitors per day"), COLS(visitor_cols), visitors, PM_CHART_LINES, N_("visitors"),
		 {D_VISITORS, D_CARS, -1}},
		{"alarm", N_("Alarms by kind"), COLS(alarm_cols), alarms, PM_CHART_BARS, N_("alarms"), {A_COUNT, -1, -1}},
		{"parking", N_("Car park per day"), COLS(parking_cols), parking, PM_CHART_LINES, N_("cars"),
		 {P_ENTRIES, P_PEAK, -1}},
	};
	struct pm_gate_config *gc = NULL;
	struct pm_report *r = NULL;
	struct pm_section *s;
	struct days d = {0};
	int rc;

	if (pm_gate_config_open(db, &gc, e))
		return e->code;
	if (days_of(db, q, &d))
		rc = pm_report_oom(e);
	else
		rc = pm_report_new(db, "gate", N_("Gate traffic"), q, &r, e);
	for (size_t k = 0; k < sizeof parts / sizeof *parts && rc == PM_OK; k++) {
		if (!(s = pm_section_add(r, parts[k].name, parts[k].title, parts[k].cols, parts[k].ncols))) {
			rc = pm_report_oom(e);
			break;
		}
		pm_chart_set(s, parts[k].chart, 0, parts[k].unit, parts[k].series[0], parts[k].series[1],
			     parts[k].series[2]);
		rc = parts[k].fill(db, gc, &d, s, e);
	}
	free(d.start);
	pm_gate_config_free(gc);
	if (rc) {
		pm_report_free(r);
		return rc;
	}
	*out = r;
	return PM_OK;
}

int pm_report_gate(struct pm_db *db, const struct pm_report_query *q, struct pm_report **out, struct pm_err *e)
{
	return pm_report_snapshot(db, make_gate, q, out, e);
}
