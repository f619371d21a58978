/* report-use: occupancy (入住率, move-ins and move-outs), consumption of
 * water, power, gas and heat, and the carbon emitted by it. Usage is
 * pm-meter's usage per period (pm_usage_each: rollovers, replacements,
 * estimates and the missing policy counted as the bills count them),
 * summed once per period by kind, building and scope. */
#include <stdlib.h>
#include <string.h>

#include "pm/community.h"
#include "pm/i18n.h"
#include "pm/meter.h"
#include "report-internal.h"

/* ---- occupancy ---- */

#define STATUS_COLS(label) {                                                  \
	{"place", label, PM_COL_TEXT, 0, 0},                                   \
	{"units", N_("units"), PM_COL_INT, 0, 0},                              \
	{"occupied", N_("occupied"), PM_COL_INT, 0, 0},                        \
	{"rented", N_("rented"), PM_COL_INT, 0, 0},                            \
	{"decorating", N_("decorating"), PM_COL_INT, 0, 0},                    \
	{"vacant", N_("vacant"), PM_COL_INT, 0, 0},                            \
	{"lived_in", N_("lived in"), PM_COL_INT, 0, 0},                        \
	{"occupancy_pct", N_("occupancy rate"), PM_COL_PERCENT, 0, 0},         \
}
static const struct pm_col status_cols[] = STATUS_COLS(N_("building"));
static const struct pm_col status_entrance_cols[] = STATUS_COLS(N_("entrance"));

static const struct pm_col move_cols[] = {
	{"period", N_("period"), PM_COL_TEXT, 0, 0},
	{"move_ins", N_("move-ins"), PM_COL_INT, 0, 0},
	{"move_outs", N_("move-outs"), PM_COL_INT, 0, 0},
	{"net", N_("net"), PM_COL_INT, 0, 0},
};

/* Every building (entrance) in scope with its units by their status and
 * those someone lives in on the as-of day; then the total. The
 * occupancy rate is of the units lived in: as the vacancy rules of the
 * bills (pm_unit_vacancy), a unit is lived in when some residence covers
 * the day, whatever its status says. */
#define LIVED_IN(u, day) \
	"EXISTS (SELECT 1 FROM occupancy o WHERE o.unit_id = " u ".id AND " PM_OCCUPANCY_ON("o", day) ")"
#define STATUS_SUMS \
	"count(u.id), coalesce(sum(u.status = 'occupied'), 0), coalesce(sum(u.status = 'rented'), 0)," \
	" coalesce(sum(u.status = 'decorating'), 0), coalesce(sum(u.status = 'vacant'), 0)," \
	" coalesce(sum(" LIVED_IN("u", "?2") "), 0)"
static int statuses(struct pm_db *db, const struct pm_report_query *q, struct pm_section *s, struct pm_err *e)
{
	static const char bsql[] =
		"SELECT bd.code, " STATUS_SUMS " FROM building bd"
		" LEFT JOIN unit u ON u.building_id = bd.id WHERE ?1 IS NULL OR bd.code = ?1 GROUP BY bd.id";
	static const char esql[] =
		"SELECT bd.code || '-' || en.code, " STATUS_SUMS " FROM entrance en JOIN building bd ON bd.id = en.building_id"
		" LEFT JOIN unit u ON u.entrance_id = en.id WHERE ?1 IS NULL OR bd.code = ?1 GROUP BY en.id";
	sqlite3_stmt *st = pm_db_stmt(db, q->by == PM_BY_ENTRANCE ? esql : bsql, e);
	char day[PM_TIME_BUF];
	int64_t t[6] = {0};
	long r;
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, q->building, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, pm_date_fmt(q->as_of, day), -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((r = pm_row_add(s)) < 0 || pm_set_text(s, (size_t)r, 0, TEXT(st, 0))) {
			sqlite3_reset(st);
			return pm_report_oom(e);
		}
		for (int i = 0; i < 6; i++) {
			pm_set_int(s, (size_t)r, 1 + (size_t)i, sqlite3_column_int64(st, 1 + i));
			t[i] += sqlite3_column_int64(st, 1 + i);
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read units"));
	if (pm_rows_sort(s, 0, s->nrows, 0, 1) || (r = pm_row_add(s)) < 0 || pm_set_text(s, (size_t)r, 0, _("total")))
		return pm_report_oom(e);
	for (int i = 0; i < 6; i++)
		pm_set_int(s, (size_t)r, 1 + (size_t)i, t[i]);
	s->total = 1;
	for (size_t i = 0; i < s->nrows; i++)
		pm_set_ratio(s, i, 7, pm_cell_v(s, i, 6), pm_cell_v(s, i, 1));
	return PM_OK;
}

/* Units an owner or tenant moved into (since) or out of (until) in each
 * period of the query; a unit counts once a month however many moved. */
static int moves(struct pm_db *db, const struct pm_report_query *q, struct pm_section *s, struct pm_err *e)
{
	static const char sql[] =
		"SELECT substr(d, 1, 7), count(DISTINCT CASE WHEN kind = 0 THEN unit_id END),"
		" count(DISTINCT CASE WHEN kind = 1 THEN unit_id END) FROM ("
		" SELECT o.since AS d, 0 AS kind, o.unit_id FROM occupancy o WHERE o.role IN ('owner','tenant')"
		" UNION ALL SELECT o.until, 1, o.unit_id FROM occupancy o WHERE o.role IN ('owner','tenant')"
		"  AND o.until IS NOT NULL) m JOIN unit u ON u.id = m.unit_id JOIN building bd ON bd.id = u.building_id"
		" WHERE substr(d, 1, 7) BETWEEN ?1 AND ?2 AND (?3 IS NULL OR bd.code = ?3) GROUP BY 1 ORDER BY 1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char from[PM_TIME_BUF], to[PM_TIME_BUF], p[PM_TIME_BUF];
	int64_t in, out, tin = 0, tout = 0;
	int n = pm_query_months(q), rc = SQLITE_DONE, more;
	long r;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, pm_period_fmt(q->from, from), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, pm_period_fmt(q->to, to), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, q->building, -1, SQLITE_STATIC);
	more = (rc = sqlite3_step(st)) == SQLITE_ROW;
	for (int i = 0; i <= n; i++) {
		in = out = 0;
		if (i < n) {
			pm_query_period(q, i, p);
			if (more && strcmp(TEXT(st, 0), p) == 0) {
				in = sqlite3_column_int64(st, 1);
				out = sqlite3_column_int64(st, 2);
				more = (rc = sqlite3_step(st)) == SQLITE_ROW;
			}
			tin += in;
			tout += out;
		} else {
			in = tin;
			out = tout;
		}
		if ((r = pm_row_add(s)) < 0 || pm_set_text(s, (size_t)r, 0, i < n ? p : _("total"))) {
			sqlite3_reset(st);
			return pm_report_oom(e);
		}
		pm_set_int(s, (size_t)r, 1, in);
		pm_set_int(s, (size_t)r, 2, out);
		pm_set_int(s, (size_t)r, 3, in - out);
	}
	sqlite3_reset(st);
	s->total = 1;
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot read residents"));
}

static int make_occupancy(struct pm_db *db, const struct pm_report_query *q, struct pm_report **out,
		struct pm_err *e)
{
	struct pm_report_query mq = *q;
	struct pm_report *r;
	struct pm_section *s;
	char day[PM_TIME_BUF];
	int rc = PM_OK;

	/* One month asked: the moves of the year to it. */
	if (!q->range)
		mq.from = pm_period_add(q->to, -11);
	if (pm_report_new(db, "occupancy", N_("Occupancy"), &mq, &r, e))
		return e->code;
	if (q->by == PM_BY_ENTRANCE)
		s = pm_section_add(r, "entrance", N_("Units by status, by entrance"), COLS(status_entrance_cols));
	else
		s = pm_section_add(r, "building", N_("Units by status"), COLS(status_cols));
	if (!s)
		rc = pm_report_oom(e);
	else {
		pm_section_note(s, _("status and residents as of %s"), pm_date_fmt(q->as_of, day));
		pm_chart_set(s, PM_CHART_STACKED, 0, N_("units"), 2, 3, 4, 5, -1);
		rc = statuses(db, q, s, e);
	}
	if (rc == PM_OK && !(s = pm_section_add(r, "moves", N_("Move-ins and move-outs by month"), COLS(move_cols))))
		rc = pm_report_oom(e);
	if (rc == PM_OK) {
		pm_chart_set(s, PM_CHART_LINES, 0, N_("units"), 1, 2, -1);
		rc = moves(db, &mq, s, e);
	}
	if (rc) {
		pm_report_free(r);
		return rc;
	}
	*out = r;
	return PM_OK;
}

/* ---- usage per period, summed by kind, place and scope ---- */

struct usum {
	char kind[32], place[32], uom[16];   /* place: a building's code, "" for the community */
	int common;                          /* a building's or the community's meter */
	int64_t usage, meters;
};

struct uset {
	struct pm_period p;
	struct usum *v;
	size_t n, cap;
	json_t *index;                       /* "kind\tplace\tcommon" -> position in v */
	json_t *report;                      /* the report section in force in the period */
};

struct ucache {
	struct uset *sets;
	size_t n;
};

static void ucache_free(struct ucache *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->sets[i].v);
		json_decref(c->sets[i].index);
		json_decref(c->sets[i].report);
	}
	free(c->sets);
	c->sets = NULL;
	c->n = 0;
}

static int usum_add(void *ctx, const struct pm_usage *u)
{
	struct uset *set = ctx;
	char key[128], place[32];
	const char *dash;
	struct usum *v;
	json_t *at;
	size_t cap;

	if (strcmp(u->scope, "unit") == 0) {
		/* A unit's code begins with its building's: 3-2-1101. */
		dash = strchr(u->serves, '-');
		snprintf(place, sizeof place, "%.*s", dash ? (int)(dash - u->serves) : (int)strlen(u->serves), u->serves);
	} else if (strcmp(u->scope, "building") == 0) {
		/* "building:3" */
		dash = strchr(u->serves, ':');
		snprintf(place, sizeof place, "%s", dash ? dash + 1 : u->serves);
	} else {
		place[0] = '\0';
	}
	snprintf(key, sizeof key, "%s\t%s\t%d", u->kind, place, strcmp(u->scope, "unit") != 0);
	if ((at = json_object_get(set->index, key))) {
		v = &set->v[json_integer_value(at)];
	} else {
		if (set->n == set->cap) {
			cap = set->cap ? set->cap * 2 : 32;
			if (!(v = realloc(set->v, cap * sizeof *v)))
				return PM_EFAIL;
			set->v = v;
			set->cap = cap;
		}
		v = &set->v[set->n];
		memset(v, 0, sizeof *v);
		snprintf(v->kind, sizeof v->kind, "%s", u->kind);
		snprintf(v->place, sizeof v->place, "%s", place);
		snprintf(v->uom, sizeof v->uom, "%s", u->uom);
		v->common = strcmp(u->scope, "unit") != 0;
		if (json_object_set_new(set->index, key, json_integer((json_int_t)set->n)))
			return PM_EFAIL;
		set->n++;
	}
	v->usage += u->usage;
	v->meters++;
	return PM_OK;
}

/* The sums of period p, computed once per report. */
static int usage_of(struct pm_db *db, struct ucache *c, struct pm_period p, const struct uset **out,
		    struct pm_err *e)
{
	struct uset *sets, *set;
	int64_t start, end;
	int rc;

	for (size_t i = 0; i < c->n; i++)
		if (c->sets[i].p.year == p.year && c->sets[i].p.month == p.month) {
			*out = &c->sets[i];
			return PM_OK;
		}
	if (!(sets = realloc(c->sets, (c->n + 1) * sizeof *sets)))
		return pm_report_oom(e);
	c->sets = sets;
	set = &sets[c->n];
	memset(set, 0, sizeof *set);
	set->p = p;
	if (!(set->index = json_object()))
		return pm_report_oom(e);
	c->n++;
	rc = pm_usage_each_stored(db, p, NULL, 0, usum_add, set, e);
	if (rc == PM_EFAIL && !e->msg[0])
		return pm_report_oom(e);
	pm_period_bounds(p, pm_db_tz(db), &start, &end);
	if (rc == PM_OK)
		rc = pm_report_config(db, pm_date_of(start, pm_db_tz(db)), &set->report, e);
	*out = set;
	return rc;
}

/* ---- places: the rows of the building views ---- */

/* Buildings in scope in code order, with their households (units lived
 * in on the as-of day, as the occupancy rate counts them). */
static int places(struct pm_db *db, const struct pm_report_query *q, json_t **list, struct pm_err *e)
{
	static const char sql[] =
		"SELECT bd.code, coalesce(sum(" LIVED_IN("u", "?2") "), 0) FROM building bd"
		" LEFT JOIN unit u ON u.building_id = bd.id WHERE ?1 IS NULL OR bd.code = ?1 GROUP BY bd.id";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char day[PM_TIME_BUF];
	int rc;

	if (!st)
		return e->code;
	if (!(*list = json_object()))
		return pm_report_oom(e);
	sqlite3_bind_text(st, 1, q->building, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, pm_date_fmt(q->as_of, day), -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_object_set_new(*list, TEXT(st, 0), json_integer(sqlite3_column_int64(st, 1)));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read buildings"));
}

static int in_scope(const struct pm_report_query *q, const char *place)
{
	return !q->building || strcmp(place, q->building) == 0;
}

/* The place's label in a row: the community's own meters have none. */
static const char *place_label(const char *place)
{
	return *place ? place : _("community");
}

/* ---- consumption ---- */

#define USE_COLS(key, label) {                                                \
	{key, label, PM_COL_TEXT, 0, 0},                                       \
	{"meters", N_("unit meters"), PM_COL_INT, 0, 0},                       \
	{"usage", N_("units' usage"), PM_COL_QTY, 3, 3},                       \
	{"per_unit", N_("per unit"), PM_COL_MEAN, 3, 3},                       \
	{"common", N_("common usage"), PM_COL_QTY, 3, 3},                      \
	{"common_pct", N_("common share"), PM_COL_PERCENT, 0, 0},              \
	{"last_year", N_("a year before"), PM_COL_QTY, 3, 3},                  \
	{"change_pct", N_("year on year"), PM_COL_CHANGE, 0, 0},               \
}
static const struct pm_col use_building_cols[] = USE_COLS("place", N_("building"));
static const struct pm_col use_month_cols[] = USE_COLS("period", N_("period"));
enum { K_KEY, K_METERS, K_USAGE, K_PER_UNIT, K_COMMON, K_SHARE, K_BEFORE, K_CHANGE };

static const struct {
	const char *kind, *title;
} known_kinds[] = {
	{"water", N_("Water")}, {"electricity", N_("Electricity")}, {"gas", N_("Gas")}, {"heat", N_("Heat")},
};

/* A row's figures: now[0] the units' usage, now[1] the common meters',
 * then the same a year before. */
struct urow {
	int64_t meters, usage, common, before;
};

/* A row of u; brief: nothing to compare with. */
static int urow_set(struct pm_section *s, const char *key, const struct urow *u, int brief)
{
	long r = pm_row_add(s);
	int64_t all = u->usage + u->common;

	if (r < 0 || pm_set_text(s, (size_t)r, K_KEY, key))
		return -1;
	pm_set_int(s, (size_t)r, K_METERS, u->meters);
	pm_set_int(s, (size_t)r, K_USAGE, u->usage);
	pm_set_ratio(s, (size_t)r, K_PER_UNIT, u->usage, u->meters);
	pm_set_int(s, (size_t)r, K_COMMON, u->common);
	pm_set_ratio(s, (size_t)r, K_SHARE, u->common, all);
	if (!brief) {
		pm_set_int(s, (size_t)r, K_BEFORE, u->before);
		pm_set_ratio(s, (size_t)r, K_CHANGE, all - u->before, u->before);
	}
	return 0;
}

static void urow_add(struct urow *t, const struct urow *u)
{
	t->meters += u->meters;
	t->usage += u->usage;
	t->common += u->common;
	t->before += u->before;
}

/* Adds the sums of set for kind (and place, unless NULL) into u: now
 * into usage and common, or into before. meters counts the units'
 * meters of the last period only, so a range does not count them twice. */
static void urow_take(struct urow *u, const struct uset *set, const char *kind, const char *place, int before,
		      int count, const struct pm_report_query *q)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct usum *v = &set->v[i];
		if (strcmp(v->kind, kind) || (place ? strcmp(v->place, place) : !in_scope(q, v->place)))
			continue;
		if (before)
			u->before += v->usage;
		else if (v->common)
			u->common += v->usage;
		else
			u->usage += v->usage;
		if (!before && count && !v->common)
			u->meters += v->meters;
	}
}

/* The kinds metered in the sets, the known ones first. */
static int kinds_of(const struct ucache *c, json_t **kinds, struct pm_err *e)
{
	if (!(*kinds = json_array()))
		return pm_report_oom(e);
	for (size_t k = 0; k < sizeof known_kinds / sizeof *known_kinds; k++)
		json_array_append_new(*kinds, json_string(known_kinds[k].kind));
	for (size_t i = 0; i < c->n; i++)
		for (size_t j = 0; j < c->sets[i].n; j++) {
			const char *kind = c->sets[i].v[j].kind;
			size_t k;
			json_t *x;
			json_array_foreach(*kinds, k, x)
				if (strcmp(json_string_value(x), kind) == 0)
					break;
			if (k == json_array_size(*kinds))
				json_array_append_new(*kinds, json_string(kind));
		}
	return PM_OK;
}

/* Whether any set has a meter of kind. */
static const char *uom_of(const struct ucache *c, const char *kind)
{
	for (size_t i = 0; i < c->n; i++)
		for (size_t j = 0; j < c->sets[i].n; j++)
			if (strcmp(c->sets[i].v[j].kind, kind) == 0)
				return c->sets[i].v[j].uom;
	return NULL;
}

static const char *kind_title(const char *kind)
{
	for (size_t k = 0; k < sizeof known_kinds / sizeof *known_kinds; k++)
		if (strcmp(known_kinds[k].kind, kind) == 0)
			return known_kinds[k].title;
	return kind;
}

/* Every period of the query and those back months before, into the
 * cache; a brief query (the dashboard's) compares with nothing. */
static int load_periods(struct pm_db *db, const struct pm_report_query *q, struct ucache *c, int back,
			struct pm_err *e)
{
	const struct uset *set;

	for (int i = 0; i < pm_query_months(q); i++)
		if (usage_of(db, c, pm_period_add(q->from, i), &set, e) ||
		    (!q->brief && usage_of(db, c, pm_period_add(q->from, i - back), &set, e)))
			return e->code;
	return PM_OK;
}

/* The sums of period p, or an empty set when p was not loaded. */
static const struct uset *set_of(const struct ucache *c, struct pm_period p)
{
	static const struct uset none;

	for (size_t i = 0; i < c->n; i++)
		if (c->sets[i].p.year == p.year && c->sets[i].p.month == p.month)
			return &c->sets[i];
	return &none;
}

/* One kind by building: each building in scope, the community's own
 * meters when there are any, and the total. */
static int use_by_building(const struct pm_report_query *q, const struct ucache *c, json_t *bld, const char *kind,
			   struct pm_section *s, struct pm_err *e)
{
	struct urow u, t = {0};
	const char *code;
	int n = pm_query_months(q), community = 0;
	json_t *x;

	json_object_foreach(bld, code, x) {
		memset(&u, 0, sizeof u);
		for (int i = 0; i < n; i++) {
			urow_take(&u, set_of(c, pm_period_add(q->from, i)), kind, code, 0, i == n - 1, q);
			urow_take(&u, set_of(c, pm_period_add(q->from, i - 12)), kind, code, 1, 0, q);
		}
		urow_add(&t, &u);
		if (urow_set(s, code, &u, q->brief))
			return pm_report_oom(e);
	}
	if (pm_rows_sort(s, 0, s->nrows, K_KEY, 1))
		return pm_report_oom(e);
	memset(&u, 0, sizeof u);
	for (int i = 0; !q->building && i < n; i++) {
		urow_take(&u, set_of(c, pm_period_add(q->from, i)), kind, "", 0, 0, q);
		urow_take(&u, set_of(c, pm_period_add(q->from, i - 12)), kind, "", 1, 0, q);
	}
	community = u.common || u.before;
	if (community) {
		urow_add(&t, &u);
		if (urow_set(s, place_label(""), &u, q->brief))
			return pm_report_oom(e);
	}
	s->total = 1;
	return urow_set(s, _("total"), &t, q->brief) ? pm_report_oom(e) : PM_OK;
}

/* One kind by month: each period of the query, then the total. */
static int use_by_month(const struct pm_report_query *q, const struct ucache *c, const char *kind,
			struct pm_section *s, struct pm_err *e)
{
	char p[PM_TIME_BUF];
	struct urow u, t = {0};
	int n = pm_query_months(q);

	for (int i = 0; i < n; i++) {
		memset(&u, 0, sizeof u);
		urow_take(&u, set_of(c, pm_period_add(q->from, i)), kind, NULL, 0, 1, q);
		urow_take(&u, set_of(c, pm_period_add(q->from, i - 12)), kind, NULL, 1, 0, q);
		urow_add(&t, &u);
		if (urow_set(s, pm_query_period(q, i, p), &u, q->brief))
			return pm_report_oom(e);
	}
	/* The total's per-unit average is over the meters of the last month. */
	t.meters = n ? pm_cell_v(s, s->nrows - 1, K_METERS) : 0;
	s->total = 1;
	return urow_set(s, _("total"), &t, q->brief) ? pm_report_oom(e) : PM_OK;
}

static int consumption(struct pm_db *db, const struct pm_report_query *q, struct ucache *c, struct pm_report *r,
		       struct pm_err *e)
{
	json_t *kinds = NULL, *bld = NULL, *k;
	struct pm_section *s;
	const char *uom;
	size_t i;
	int rc;

	if ((rc = load_periods(db, q, c, 12, e)) || (rc = kinds_of(c, &kinds, e)) || (rc = places(db, q, &bld, e)))
		goto out;
	json_array_foreach(kinds, i, k) {
		const char *kind = json_string_value(k);
		if (!(uom = uom_of(c, kind)))
			continue;
		if (!(s = q->by == PM_BY_MONTH ? pm_section_add(r, kind, kind_title(kind), COLS(use_month_cols))
					       : pm_section_add(r, kind, kind_title(kind), COLS(use_building_cols)))) {
			rc = pm_report_oom(e);
			break;
		}
		pm_section_note(s, _("usage in %s"), uom);
		if (q->by == PM_BY_MONTH)
			pm_chart_set(s, PM_CHART_LINES, K_KEY, NULL, K_USAGE, K_BEFORE, -1);
		else
			pm_chart_set(s, PM_CHART_BARS, K_KEY, NULL, K_USAGE, K_COMMON, -1);
		snprintf(s->chart.uom, sizeof s->chart.uom, "%s", uom);
		rc = q->by == PM_BY_MONTH ? use_by_month(q, c, kind, s, e) : use_by_building(q, c, bld, kind, s, e);
		if (rc)
			break;
	}
out:
	json_decref(kinds);
	json_decref(bld);
	return rc;
}

typedef int (*use_fill)(struct pm_db *db, const struct pm_report_query *q, struct ucache *c,
			struct pm_report *r, struct pm_err *e);

/* A report of name, filled by fill from the usage in c. */
static int use_report(struct pm_db *db, const struct pm_report_query *q, struct ucache *c, const char *name,
		      const char *title, use_fill fill, struct pm_report **out, struct pm_err *e)
{
	int rc;

	if (pm_report_new(db, name, title, q, out, e))
		return e->code;
	if ((rc = fill(db, q, c, *out, e))) {
		pm_report_free(*out);
		*out = NULL;
	}
	return rc;
}

static int make_consumption(struct pm_db *db, const struct pm_report_query *q, struct pm_report **out,
		struct pm_err *e)
{
	struct ucache c = {0};
	int rc = use_report(db, q, &c, "consumption", N_("Consumption"), consumption, out, e);

	ucache_free(&c);
	return rc;
}

/* ---- carbon ---- */

#define CO2_COLS(key, label) {                                                \
	{key, label, PM_COL_TEXT, 0, 0},                                       \
	{"households", N_("households"), PM_COL_INT, 0, 0},                    \
	{"electricity_kg", N_("electricity kg"), PM_COL_QTY, 3, 1},            \
	{"gas_kg", N_("gas kg"), PM_COL_QTY, 3, 1},                            \
	{"heat_kg", N_("heat kg"), PM_COL_QTY, 3, 1},                          \
	{"other_kg", N_("other kg"), PM_COL_QTY, 3, 1},                        \
	{"co2_kg", N_("CO2 kg"), PM_COL_QTY, 3, 1},                            \
	{"per_household_kg", N_("per household kg"), PM_COL_MEAN, 3, 1},      \
	{"previous_kg", N_("period before kg"), PM_COL_QTY, 3, 1},             \
	{"change_pct", N_("change"), PM_COL_CHANGE, 0, 0},                     \
}
static const struct pm_col co2_building_cols[] = CO2_COLS("place", N_("building"));
static const struct pm_col co2_month_cols[] = CO2_COLS("period", N_("period"));
enum { G_KEY, G_HOUSEHOLDS, G_ELECTRICITY, G_GAS, G_HEAT, G_OTHER, G_CO2, G_PER, G_BEFORE, G_CHANGE };

/* The factor of kind, in ten-thousandths of a kg CO2 per unit of
 * measure, from the report section; 0 for a kind that emits nothing. */
static int64_t factor_of(json_t *report, const char *kind)
{
	json_t *carbon = json_object_get(report, "carbon"), *v = NULL;

	if (strcmp(kind, "electricity") == 0 || strcmp(kind, "gas") == 0 || strcmp(kind, "heat") == 0)
		v = json_object_get(carbon, kind);
	else
		v = json_object_get(json_object_get(carbon, "kinds"), kind);
	return v ? json_integer_value(v) : 0;
}

/* Grams: usage (thousandths) times the factor (ten-thousandths of a kg),
 * rounded once, half up. */
static int64_t grams(int64_t usage, int64_t factor)
{
	__int128 g = (__int128)usage * factor;

	return (int64_t)((g + (g >= 0 ? 5000 : -5000)) / 10000);
}

static size_t kind_col(const char *kind)
{
	return strcmp(kind, "electricity") == 0 ? G_ELECTRICITY : strcmp(kind, "gas") == 0 ? G_GAS
	       : strcmp(kind, "heat") == 0 ? G_HEAT : G_OTHER;
}

/* Emissions of set's meters at place (NULL: every place in scope) into
 * g by column, by the factors in force in the set's period. */
static void co2_take(const struct uset *set, const char *place, const struct pm_report_query *q,
		     int64_t g[G_CHANGE + 1])
{
	int64_t x;

	for (size_t i = 0; i < set->n; i++) {
		const struct usum *v = &set->v[i];
		if (place ? strcmp(v->place, place) : !in_scope(q, v->place))
			continue;
		x = grams(v->usage, factor_of(set->report, v->kind));
		g[kind_col(v->kind)] += x;
		g[G_CO2] += x;
	}
}

static int co2_row(struct pm_section *s, const char *key, int64_t households, const int64_t *now, int64_t before,
		   int brief)
{
	long r = pm_row_add(s);

	if (r < 0 || pm_set_text(s, (size_t)r, G_KEY, key))
		return -1;
	pm_set_int(s, (size_t)r, G_HOUSEHOLDS, households);
	for (size_t c = G_ELECTRICITY; c <= G_CO2; c++)
		pm_set_int(s, (size_t)r, c, now[c]);
	pm_set_ratio(s, (size_t)r, G_PER, now[G_CO2], households);
	if (!brief) {
		pm_set_int(s, (size_t)r, G_BEFORE, before);
		pm_set_ratio(s, (size_t)r, G_CHANGE, now[G_CO2] - before, before);
	}
	return 0;
}

/* The emissions of place over the periods i0..i1 of the query shifted by
 * back months. */
static void co2_span(const struct pm_report_query *q, const struct ucache *c, const char *place, int i0, int i1,
		     int back, int64_t g[G_CHANGE + 1])
{
	memset(g, 0, (G_CHANGE + 1) * sizeof *g);
	for (int i = i0; i <= i1; i++)
		co2_take(set_of(c, pm_period_add(q->from, i - back)), place, q, g);
}

static int co2_by_building(struct pm_db *db, const struct pm_report_query *q, const struct ucache *c,
			   json_t *bld, struct pm_section *s, struct pm_err *e)
{
	int64_t now[G_CHANGE + 1], before[G_CHANGE + 1], t[G_CHANGE + 1] = {0}, tb = 0, th = 0;
	int n = pm_query_months(q);
	const char *code;
	json_t *x;

	json_object_foreach(bld, code, x) {
		co2_span(q, c, code, 0, n - 1, 0, now);
		co2_span(q, c, code, 0, n - 1, n, before);
		for (size_t k = G_ELECTRICITY; k <= G_CO2; k++)
			t[k] += now[k];
		tb += before[G_CO2];
		th += json_integer_value(x);
		if (co2_row(s, code, json_integer_value(x), now, before[G_CO2], q->brief))
			return pm_report_oom(e);
	}
	if (pm_rows_sort(s, 0, s->nrows, G_KEY, 1))
		return pm_report_oom(e);
	if (!q->building) {
		co2_span(q, c, "", 0, n - 1, 0, now);
		co2_span(q, c, "", 0, n - 1, n, before);
		if (now[G_CO2] || before[G_CO2]) {
			for (size_t k = G_ELECTRICITY; k <= G_CO2; k++)
				t[k] += now[k];
			tb += before[G_CO2];
			if (co2_row(s, place_label(""), 0, now, before[G_CO2], q->brief))
				return pm_report_oom(e);
			pm_set_null(s, s->nrows - 1, G_HOUSEHOLDS);
		}
	}
	s->total = 1;
	return co2_row(s, _("total"), th, t, tb, q->brief) ? pm_report_oom(e) : PM_OK;
}

static int co2_by_month(struct pm_db *db, const struct pm_report_query *q, const struct ucache *c, int64_t households,
			struct pm_section *s, struct pm_err *e)
{
	int64_t now[G_CHANGE + 1], before[G_CHANGE + 1], t[G_CHANGE + 1] = {0}, tb = 0;
	int n = pm_query_months(q);
	char p[PM_TIME_BUF];

	for (int i = 0; i < n; i++) {
		co2_span(q, c, NULL, i, i, 0, now);
		co2_span(q, c, NULL, i, i, 1, before);
		for (size_t k = G_ELECTRICITY; k <= G_CO2; k++)
			t[k] += now[k];
		tb += before[G_CO2];
		if (co2_row(s, pm_query_period(q, i, p), households, now, before[G_CO2], q->brief))
			return pm_report_oom(e);
	}
	s->total = 1;
	if (co2_row(s, _("total"), households, t, tb, q->brief))
		return pm_report_oom(e);
	/* Against the month before each: the total's own change says nothing. */
	pm_set_null(s, s->nrows - 1, G_BEFORE);
	pm_set_null(s, s->nrows - 1, G_CHANGE);
	return PM_OK;
}

/* "electricity 0.5306 kg/kWh, gas 2.1622 kg/m3, heat 0.3960 kg/kWh" as
 * in force at the end of the query. */
static void factor_note(struct pm_db *db, const struct pm_report_query *q, const struct ucache *c,
			struct pm_section *s)
{
	static const char *const kinds[] = {"electricity", "gas", "heat"};
	char buf[256], f[PM_CELL_BUF];
	struct pm_err e;
	int64_t start, end;
	size_t n = 0;
	json_t *rep;

	pm_period_bounds(q->to, pm_db_tz(db), &start, &end);
	if (pm_report_config(db, pm_date_of(start, pm_db_tz(db)), &rep, &e))
		return;
	buf[0] = '\0';
	for (size_t k = 0; k < 3 && n < sizeof buf; k++) {
		const char *uom = uom_of(c, kinds[k]);
		int64_t v = json_integer_value(json_object_get(json_object_get(rep, "carbon"), kinds[k]));
		snprintf(f, sizeof f, "%lld.%04lld", (long long)(v / 10000), (long long)(v % 10000));
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s %s kg/%s", n ? ", " : "", _(kind_title(kinds[k])), f,
				      uom ? uom : k == 1 ? "m3" : "kWh");
	}
	json_decref(rep);
	pm_section_note(s, _("emission factors: %s"), buf);
}

static int households_all(struct pm_db *db, const struct pm_report_query *q, int64_t *n, struct pm_err *e)
{
	json_t *bld, *x;
	const char *k;

	*n = 0;
	if (places(db, q, &bld, e))
		return e->code;
	json_object_foreach(bld, k, x)
		*n += json_integer_value(x);
	json_decref(bld);
	return PM_OK;
}

static int carbon(struct pm_db *db, const struct pm_report_query *q, struct ucache *c, struct pm_report *r,
		  struct pm_err *e)
{
	int n = pm_query_months(q), month = q->by == PM_BY_MONTH;
	struct pm_section *s;
	json_t *bld = NULL;
	int64_t households;
	int rc;

	if ((rc = load_periods(db, q, c, month ? 1 : n, e)))
		return rc;
	s = month ? pm_section_add(r, "month", N_("Emissions by month"), COLS(co2_month_cols))
		  : pm_section_add(r, "building", N_("Emissions by building"), COLS(co2_building_cols));
	if (!s)
		return pm_report_oom(e);
	factor_note(db, q, c, s);
	if (month) {
		pm_chart_set(s, PM_CHART_LINES, G_KEY, "kg", G_CO2, -1);
		if ((rc = households_all(db, q, &households, e)) == PM_OK)
			rc = co2_by_month(db, q, c, households, s, e);
		return rc;
	}
	pm_chart_set(s, PM_CHART_STACKED, G_KEY, "kg", G_ELECTRICITY, G_GAS, G_HEAT, G_OTHER, -1);
	if ((rc = places(db, q, &bld, e)) == PM_OK)
		rc = co2_by_building(db, q, c, bld, s, e);
	json_decref(bld);
	return rc;
}

static int make_carbon(struct pm_db *db, const struct pm_report_query *q, struct pm_report **out,
		struct pm_err *e)
{
	struct ucache c = {0};
	int rc = use_report(db, q, &c, "carbon", N_("Carbon emissions"), carbon, out, e);

	ucache_free(&c);
	return rc;
}

int pm_report_occupancy(struct pm_db *db, const struct pm_report_query *q, struct pm_report **out,
		struct pm_err *e)
{
	return pm_report_snapshot(db, make_occupancy, q, out, e);
}

int pm_report_consumption(struct pm_db *db, const struct pm_report_query *q, struct pm_report **out,
		struct pm_err *e)
{
	return pm_report_snapshot(db, make_consumption, q, out, e);
}

int pm_report_carbon(struct pm_db *db, const struct pm_report_query *q, struct pm_report **out,
		struct pm_err *e)
{
	return pm_report_snapshot(db, make_carbon, q, out, e);
}

int pm_report_use(struct pm_db *db, const struct pm_report_query *q, struct pm_report **cons,
		  struct pm_report **co2, struct pm_err *e)
{
	struct ucache c = {0};
	int rc;

	*co2 = NULL;
	if ((rc = use_report(db, q, &c, "consumption", N_("Consumption"), consumption, cons, e)) == PM_OK &&
	    (rc = use_report(db, q, &c, "carbon", N_("Carbon emissions"), carbon, co2, e))) {
		pm_report_free(*cons);
		*cons = NULL;
	}
	ucache_free(&c);
	return rc;
}
