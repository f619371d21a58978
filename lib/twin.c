/* twin: the digital twin (数字孪生). The figures are a report of a row a
 * unit (report-internal.h's cells, so the table, CSV and JSON formats
 * come for free); the plan places every row: its building from the
 * configuration's layout section or a grid, its floor, and its column,
 * the unit's rank on its floor. Drawn isometric: x east, y south, z up;
 * a building's units face south, the side east is shaded, the roof on
 * top. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gate-internal.h"
#include "pm/config.h"
#include "pm/html.h"
#include "pm/i18n.h"
#include "pm/meter.h"
#include "pm/money.h"
#include "pm/parking.h"
#include "pm/twin.h"
#include "render-internal.h"
#include "report-internal.h"

/* ---- the layers ---- */

struct klass {
	const char *key, *label, *colour;
};

#define NONE_COLOUR "#e3e6ea"

static const struct klass occupancy_classes[] = {
	{"occupied", N_("occupied"), "#59a14f"}, {"rented", N_("rented"), "#4e79a7"},
	{"decorating", N_("decorating"), "#f28e2b"}, {"vacant", N_("vacant"), "#c3c7cc"}, {NULL, NULL, NULL},
};
static const struct klass arrears_classes[] = {
	{"none", N_("no arrears"), NONE_COLOUR}, {"30", N_("1–30 days"), "#fdd49e"},
	{"90", N_("31–90 days"), "#fc8d59"}, {"180", N_("91–180 days"), "#e34a33"},
	{"365", N_("181–365 days"), "#b30000"}, {"over", N_("over 365 days"), "#67000d"}, {NULL, NULL, NULL},
};
static const struct klass ticket_classes[] = {
	{"none", N_("none open"), NONE_COLOUR}, {"1", N_("1 open"), "#9ecae1"}, {"2", N_("2 open"), "#4292c6"},
	{"more", N_("3 or more open"), "#08519c"}, {NULL, NULL, NULL},
};
static const struct klass anomaly_classes[] = {
	{"none", N_("no anomaly"), NONE_COLOUR}, {"1", N_("1 anomaly"), "#fdae6b"},
	{"more", N_("2 or more anomalies"), "#d94801"}, {NULL, NULL, NULL},
};
static const struct klass alarm_classes[] = {
	{"none", N_("no alarm"), NONE_COLOUR}, {"1", N_("1 alarm"), "#fb6a4a"},
	{"more", N_("2 or more alarms"), "#a50f15"}, {NULL, NULL, NULL},
};
static const struct klass energy_classes[] = {
	{"nometer", N_("no electricity meter"), "#c3c7cc"}, {"1", N_("under 1 kWh/m²"), "#ffffcc"},
	{"2", N_("1 to 2 kWh/m²"), "#a1dab4"}, {"4", N_("2 to 4 kWh/m²"), "#41b6c4"},
	{"over", N_("4 kWh/m² or more"), "#225ea8"}, {NULL, NULL, NULL},
};

#define UNIT_COLS \
	{"unit", N_("unit"), PM_COL_TEXT, 0, 0}, {"building", N_("building"), PM_COL_TEXT, 0, 0}, \
	{"floor", N_("floor"), PM_COL_INT, 0, 0}, {"class", N_("class"), PM_COL_TEXT, 0, 0}
enum { C_UNIT, C_BUILDING, C_FLOOR, C_CLASS, C_VALUE };

static const struct pm_col occupancy_cols[] = {UNIT_COLS};
static const struct pm_col arrears_cols[] = {
	UNIT_COLS, {"owed_fen", N_("owed"), PM_COL_MONEY, 0, 0}, {"days", N_("days past due"), PM_COL_INT, 0, 0},
};
static const struct pm_col ticket_cols[] = {UNIT_COLS, {"open", N_("open tickets"), PM_COL_INT, 0, 0}};
static const struct pm_col anomaly_cols[] = {UNIT_COLS, {"anomalies", N_("meter anomalies"), PM_COL_INT, 0, 0}};
static const struct pm_col alarm_cols[] = {UNIT_COLS, {"alarms", N_("gate alarms"), PM_COL_INT, 0, 0}};
/* kWh per m²: thousandths of a kWh over hundredths of a m², scaled by
 * ten (PM_COL_MEAN). */
static const struct pm_col energy_cols[] = {
	UNIT_COLS, {"kwh", N_("electricity kWh"), PM_COL_QTY, 0, 3},
	{"kwh_per_m2", N_("kWh per m²"), PM_COL_MEAN, 1, 2},
};

struct build;

static int fill_occupancy(struct build *b, struct pm_err *e);
static int fill_arrears(struct build *b, struct pm_err *e);
static int fill_tickets(struct build *b, struct pm_err *e);
static int fill_anomalies(struct build *b, struct pm_err *e);
static int fill_alarms(struct build *b, struct pm_err *e);
static int fill_energy(struct build *b, struct pm_err *e);

static const struct layer {
	const char *name, *title;
	const struct pm_col *cols;
	size_t ncols;
	const struct klass *classes;
	int monthly;    /* figures of the period, not of today */
	int (*fill)(struct build *b, struct pm_err *e);
} layers[PM_TWIN_LAYERS] = {
	[PM_TWIN_OCCUPANCY] = {"occupancy", N_("Occupancy"), COLS(occupancy_cols), occupancy_classes, 0, fill_occupancy},
	[PM_TWIN_ARREARS] = {"arrears", N_("Arrears by age"), COLS(arrears_cols), arrears_classes, 0, fill_arrears},
	[PM_TWIN_TICKETS] = {"tickets", N_("Open tickets"), COLS(ticket_cols), ticket_classes, 0, fill_tickets},
	[PM_TWIN_ANOMALIES] = {"anomalies", N_("Meter anomalies"), COLS(anomaly_cols), anomaly_classes, 1,
			       fill_anomalies},
	[PM_TWIN_ALARMS] = {"alarms", N_("Gate alarms"), COLS(alarm_cols), alarm_classes, 1, fill_alarms},
	[PM_TWIN_ENERGY] = {"energy", N_("Electricity per m²"), COLS(energy_cols), energy_classes, 1, fill_energy},
};

int pm_twin_layer_parse(const char *s, enum pm_twin_layer *layer, struct pm_err *e)
{
	for (int i = 0; i < PM_TWIN_LAYERS; i++)
		if (strcmp(s, layers[i].name) == 0) {
			*layer = (enum pm_twin_layer)i;
			return PM_OK;
		}
	return pm_err_set(e, PM_EUSAGE,
			  _("unknown layer '%s': expected occupancy, arrears, tickets, anomalies, alarms or energy"), s);
}

const char *pm_twin_layer_name(enum pm_twin_layer layer)
{
	return layers[layer].name;
}

const char *pm_twin_layer_title(enum pm_twin_layer layer)
{
	return _(layers[layer].title);
}

int pm_twin_may(const struct pm_actor *a, enum pm_twin_layer layer, struct pm_err *e)
{
	/* Owners hold report.finance for their own arrears, never
	 * report.read: no layer of the whole estate is theirs. */
	if (pm_auth_check(a, "report.read", e))
		return e->code;
	return layer == PM_TWIN_ARREARS ? pm_auth_check(a, "report.finance", e) : PM_OK;
}

/* ---- the plan ---- */

#define FLOOR_M 3.0    /* a storey's height */
#define CELL_M 6.0     /* a unit's width on the grid */
#define DEPTH_M 12.0   /* a building's depth on the grid */
#define GAP_M 24.0     /* between buildings on the grid */

struct building {
	char code[64], name[64];
	int64_t id;        /* 0: the layout's, not in the store */
	double x, y, w, d; /* metres */
	int placed;        /* by the layout */
	int lowest, rows;  /* floors drawn: lowest .. lowest + rows - 1 */
	int per_floor;     /* columns */
	size_t first, n;   /* its units: rows [first, first + n) */
};

struct pm_twin {
	enum pm_twin_layer layer;
	struct pm_report *r;
	struct pm_section *s;   /* the units, by building, floor and code */
	int *col;               /* each row's column on its floor */
	size_t *count;          /* units of each class */
	struct building *b;
	size_t nb;
};

/* A unit as read, before it becomes a row. */
struct unit {
	int64_t id, area;
	const char *code;
	size_t building;
	int floor;
	char status[12];
};

struct build {
	struct pm_db *db;
	const struct pm_twin_query *q;
	struct pm_twin *t;
	struct unit *u;
	size_t nu;
	char *pool;             /* the units' codes */
	size_t pool_len, pool_cap;
	const struct unit **by_code; /* the units in code order, for lookups by code */
	int64_t *row_of;        /* a unit id's row, -1 for none */
	int64_t max_id;
};

void pm_twin_free(struct pm_twin *t)
{
	if (!t)
		return;
	pm_report_free(t->r);
	free(t->col);
	free(t->count);
	free(t->b);
	free(t);
}

struct pm_report *pm_twin_report(const struct pm_twin *t)
{
	return t->r;
}

static int read_fail(struct pm_db *db, sqlite3_stmt *st, int rc, const char *what, struct pm_err *e)
{
	sqlite3_reset(st);
	if (rc == SQLITE_NOMEM)
		return pm_report_oom(e);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, what);
}

static int building_add(struct pm_twin *t, size_t *cap, int64_t id, const char *code, const char *name)
{
	struct building *more;

	if (t->nb == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		if (!(more = realloc(t->b, *cap * sizeof *more)))
			return -1;
		t->b = more;
	}
	memset(&t->b[t->nb], 0, sizeof *t->b);
	t->b[t->nb].id = id;
	snprintf(t->b[t->nb].code, sizeof t->b[t->nb].code, "%s", code);
	snprintf(t->b[t->nb].name, sizeof t->b[t->nb].name, "%s", name);
	t->nb++;
	return 0;
}

static int building_cmp(const void *x, const void *y)
{
	return pm_natcmp(((const struct building *)x)->code, ((const struct building *)y)->code);
}

/* The store's buildings and the layout's, in the natural order of their
 * codes; the layout's place theirs. */
static int read_buildings(struct build *b, const json_t *layout, struct pm_err *e)
{
	static const char sql[] = "SELECT id, code, coalesce(name, '') FROM building";
	sqlite3_stmt *st = pm_db_stmt(b->db, sql, e);
	json_t *placed = json_object_get(layout, "buildings"), *p;
	struct pm_twin *t = b->t;
	size_t cap = 0, i;
	const char *code;
	int rc;

	if (!st)
		return e->code;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (building_add(t, &cap, sqlite3_column_int64(st, 0), TEXT(st, 1), TEXT(st, 2))) {
			rc = SQLITE_NOMEM;
			break;
		}
	if ((rc = read_fail(b->db, st, rc, _("cannot read buildings"), e)))
		return rc;
	json_object_foreach(placed, code, p) {
		for (i = 0; i < t->nb && strcmp(t->b[i].code, code); i++)
			;
		if (i == t->nb && building_add(t, &cap, 0, code, ""))
			return pm_report_oom(e);
		t->b[i].placed = 1;
		t->b[i].x = (double)json_integer_value(json_object_get(p, "x"));
		t->b[i].y = (double)json_integer_value(json_object_get(p, "y"));
		t->b[i].w = (double)json_integer_value(json_object_get(p, "width"));
		t->b[i].d = (double)json_integer_value(json_object_get(p, "depth"));
		t->b[i].rows = (int)json_integer_value(json_object_get(p, "floors"));
		t->b[i].per_floor = (int)json_integer_value(json_object_get(p, "units_per_floor"));
	}
	if (t->nb)
		qsort(t->b, t->nb, sizeof *t->b, building_cmp);
	return PM_OK;
}

static size_t building_of(const struct pm_twin *t, int64_t id, size_t hint)
{
	if (hint < t->nb && t->b[hint].id == id)
		return hint;
	for (size_t i = 0; i < t->nb; i++)
		if (t->b[i].id == id)
			return i;
	return hint;
}

static int unit_cmp(const void *x, const void *y)
{
	const struct unit *a = x, *b = y;

	if (a->building != b->building)
		return a->building < b->building ? -1 : 1;
	if (a->floor != b->floor)
		return a->floor < b->floor ? -1 : 1;
	return pm_natcmp(a->code, b->code);
}

static int read_units(struct build *b, struct pm_err *e)
{
	static const char sql[] = "SELECT id, code, building_id, floor, area_centi, status FROM unit ORDER BY building_id";
	sqlite3_stmt *st = pm_db_stmt(b->db, sql, e);
	size_t cap = 0, hint = 0, len;
	struct unit *more;
	char *pool;
	int rc;

	if (!st)
		return e->code;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		len = (size_t)sqlite3_column_bytes(st, 1) + 1;
		if (b->nu == cap) {
			cap = cap ? cap * 2 : 1024;
			if (!(more = realloc(b->u, cap * sizeof *more))) {
				rc = SQLITE_NOMEM;
				break;
			}
			b->u = more;
		}
		if (b->pool_len + len > b->pool_cap) {
			b->pool_cap = (b->pool_len + len) * 2;
			if (!(pool = realloc(b->pool, b->pool_cap))) {
				rc = SQLITE_NOMEM;
				break;
			}
			b->pool = pool;
		}
		memcpy(b->pool + b->pool_len, TEXT(st, 1), len);
		hint = building_of(b->t, sqlite3_column_int64(st, 2), hint);
		b->u[b->nu] = (struct unit){.id = sqlite3_column_int64(st, 0), .area = sqlite3_column_int64(st, 4),
					    .code = (const char *)(uintptr_t)b->pool_len, .building = hint,
					    .floor = sqlite3_column_int(st, 3)};
		snprintf(b->u[b->nu].status, sizeof b->u[b->nu].status, "%s", TEXT(st, 5));
		if (b->u[b->nu].id > b->max_id)
			b->max_id = b->u[b->nu].id;
		b->pool_len += len;
		b->nu++;
	}
	if ((rc = read_fail(b->db, st, rc, _("cannot read units"), e)))
		return rc;
	/* The pool has stopped moving: offsets become pointers. */
	for (size_t i = 0; i < b->nu; i++)
		b->u[i].code = b->pool + (uintptr_t)b->u[i].code;
	if (b->nu)
		qsort(b->u, b->nu, sizeof *b->u, unit_cmp);
	return PM_OK;
}

/* A row a unit, and each building's floors and columns: at least the
 * layout's, as many as its units need. */
static int unit_rows(struct build *b, struct pm_err *e)
{
	struct pm_twin *t = b->t;
	struct building *bd;
	int64_t rank = 0;
	long r;

	if (!(t->col = calloc(b->nu ? b->nu : 1, sizeof *t->col)) ||
	    !(b->row_of = malloc(((size_t)b->max_id + 1) * sizeof *b->row_of)))
		return pm_report_oom(e);
	for (int64_t id = 0; id <= b->max_id; id++)
		b->row_of[id] = -1;
	for (size_t i = 0; i < b->nu; i++) {
		const struct unit *u = &b->u[i];
		bd = &t->b[u->building];
		if ((r = pm_row_add(t->s)) < 0 || pm_set_text(t->s, (size_t)r, C_UNIT, u->code) ||
		    pm_set_text(t->s, (size_t)r, C_BUILDING, bd->code))
			return pm_report_oom(e);
		pm_set_int(t->s, (size_t)r, C_FLOOR, u->floor);
		b->row_of[u->id] = r;
		rank = i && u->building == b->u[i - 1].building && u->floor == b->u[i - 1].floor ? rank + 1 : 0;
		t->col[i] = (int)rank;
		if (!bd->n++) {
			bd->first = i;
			bd->lowest = u->floor < 1 ? u->floor : 1;
		}
		if (rank + 1 > bd->per_floor)
			bd->per_floor = (int)rank + 1;
		if (u->floor - bd->lowest + 1 > bd->rows)
			bd->rows = u->floor - bd->lowest + 1;
	}
	for (size_t i = 0; i < t->nb; i++) {
		bd = &t->b[i];
		if (!bd->n)
			bd->lowest = 1;
		bd->rows = bd->rows > 0 ? bd->rows : 1;
		bd->per_floor = bd->per_floor > 0 ? bd->per_floor : 1;
	}
	return PM_OK;
}

static double top_of(const struct building *b)
{
	return b->rows * FLOOR_M;
}

/* Buildings the layout does not place stand on a grid south of those it
 * does, in rows of about the square root of their number; a row twice
 * the tallest's height south of the one before, so that no roof hides
 * the units of the row behind. */
static void grid(struct pm_twin *t)
{
	double y0 = 0, wmax = 0, hmax = 0, x, y;
	size_t n = 0, per_row, k = 0, row;

	for (size_t i = 0; i < t->nb; i++) {
		if (t->b[i].placed) {
			if (t->b[i].y + t->b[i].d + GAP_M > y0)
				y0 = t->b[i].y + t->b[i].d + GAP_M;
			continue;
		}
		n++;
		if (t->b[i].per_floor * CELL_M > wmax)
			wmax = t->b[i].per_floor * CELL_M;
		if (top_of(&t->b[i]) > hmax)
			hmax = top_of(&t->b[i]);
	}
	per_row = (size_t)ceil(sqrt((double)n));
	for (size_t i = 0; i < t->nb; i++) {
		if (t->b[i].placed)
			continue;
		row = k / per_row;
		x = (double)(k % per_row) * (wmax + GAP_M);
		y = y0 + (double)row * (DEPTH_M + GAP_M + 2 * hmax);
		t->b[i].x = x;
		t->b[i].y = y;
		t->b[i].w = t->b[i].per_floor * CELL_M;
		t->b[i].d = DEPTH_M;
		k++;
	}
}

/* ---- the layers' figures ---- */

static int set_class(struct pm_twin *t, size_t row, size_t k)
{
	t->count[k]++;
	return pm_set_text(t->s, row, C_CLASS, layers[t->layer].classes[k].key);
}

/* Each row's class from its count in column C_VALUE: none, 1, (2,) more. */
static int count_classes(struct pm_twin *t, struct pm_err *e)
{
	size_t nk = 0, k;
	int64_t v;

	while (layers[t->layer].classes[nk].key)
		nk++;
	for (size_t i = 0; i < t->s->nrows; i++) {
		if (pm_cell_null(t->s, i, C_VALUE))
			pm_set_int(t->s, i, C_VALUE, 0);
		v = pm_cell_v(t->s, i, C_VALUE);
		k = v < (int64_t)nk - 1 ? (size_t)v : nk - 1;
		if (set_class(t, i, k))
			return pm_report_oom(e);
	}
	return PM_OK;
}

static int fill_occupancy(struct build *b, struct pm_err *e)
{
	for (size_t i = 0; i < b->nu; i++)
		for (size_t k = 0; occupancy_classes[k].key; k++)
			if (strcmp(b->u[i].status, occupancy_classes[k].key) == 0 && set_class(b->t, i, k))
				return pm_report_oom(e);
	return PM_OK;
}

/* The row of the unit of id, -1 for none. */
static int64_t row_of_id(const struct build *b, int64_t id)
{
	return id > 0 && id <= b->max_id ? b->row_of[id] : -1;
}

/* A bill past due (pm_arrears_bills) into its unit's row: what it owed,
 * added up, and the days past due of the oldest. */
static int arrears_bill(void *ctx, int64_t unit, int32_t due, int64_t owed, struct pm_err *e)
{
	struct build *b = ctx;
	struct pm_section *s = b->t->s;
	int64_t row = row_of_id(b, unit), sum;

	if (row < 0 || owed <= 0)
		return PM_OK;
	sum = pm_cell_v(s, (size_t)row, C_VALUE);
	if (pm_money_add(&sum, owed, e))
		return e->code;
	pm_set_int(s, (size_t)row, C_VALUE, sum);
	if (b->q->as_of - due > pm_cell_v(s, (size_t)row, C_VALUE + 1))
		pm_set_int(s, (size_t)row, C_VALUE + 1, b->q->as_of - due);
	return PM_OK;
}

/* What each unit owes on bills past due (as pm-report arrears counts it,
 * on the as-of day), coloured by how long the oldest of them is overdue. */
static int fill_arrears(struct build *b, struct pm_err *e)
{
	static const int bounds[] = {30, 90, 180, 365};
	const struct pm_report_query q = {.from = {1970, 1}, .to = {9999, 12}, .as_of = b->q->as_of};
	struct pm_section *s = b->t->s;
	size_t k;

	if (pm_arrears_bills(b->db, &q, arrears_bill, b, e))
		return e->code;
	for (size_t i = 0; i < s->nrows; i++) {
		k = 0;
		if (!pm_cell_null(s, i, C_VALUE))
			for (k = 1; k < 5 && pm_cell_v(s, i, C_VALUE + 1) > bounds[k - 1]; k++)
				;
		if (set_class(b->t, i, k))
			return pm_report_oom(e);
	}
	return PM_OK;
}

/* Tickets of the unit not resolved, closed or cancelled, now. */
static int fill_tickets(struct build *b, struct pm_err *e)
{
	static const char sql[] =
		"SELECT unit_id, count(*) FROM ticket WHERE unit_id IS NOT NULL"
		" AND status NOT IN ('resolved','closed','cancelled') GROUP BY unit_id";
	sqlite3_stmt *st = pm_db_stmt(b->db, sql, e);
	int64_t row;
	int rc;

	if (!st)
		return e->code;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((row = row_of_id(b, sqlite3_column_int64(st, 0))) >= 0)
			pm_set_int(b->t->s, (size_t)row, C_VALUE, sqlite3_column_int64(st, 1));
	if ((rc = read_fail(b->db, st, rc, _("cannot read tickets"), e)))
		return rc;
	return count_classes(b->t, e);
}

/* The row of the unit of code, -1 for none. */
static int64_t row_of_code(const struct build *b, const char *code)
{
	size_t lo = 0, hi = b->nu;
	int c;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if ((c = strcmp(code, b->by_code[mid]->code)) == 0)
			return b->by_code[mid] - b->u;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

static int code_cmp(const void *x, const void *y)
{
	return strcmp((*(const struct unit *const *)x)->code, (*(const struct unit *const *)y)->code);
}

/* The units in code order, a row being a unit's index in b->u. */
static int index_codes(struct build *b, struct pm_err *e)
{
	if (!(b->by_code = malloc((b->nu ? b->nu : 1) * sizeof *b->by_code)))
		return pm_report_oom(e);
	for (size_t i = 0; i < b->nu; i++)
		b->by_code[i] = &b->u[i];
	if (b->nu)
		qsort(b->by_code, b->nu, sizeof *b->by_code, code_cmp);
	return PM_OK;
}

static int anomaly_one(void *ctx, json_t *a)
{
	struct build *b = ctx;
	const char *serves = json_string_value(json_object_get(a, "serves"));
	int64_t row = serves ? row_of_code(b, serves) : -1;

	if (row >= 0)
		pm_set_int(b->t->s, (size_t)row, C_VALUE, pm_cell_v(b->t->s, (size_t)row, C_VALUE) + 1);
	return PM_OK;
}

/* pm-meter anomalies of the month, counted on the units their meters serve. */
static int fill_anomalies(struct build *b, struct pm_err *e)
{
	if (index_codes(b, e) || pm_anomaly_each(b->db, b->q->period, anomaly_one, b, e))
		return e->code;
	return count_classes(b->t, e);
}

/* Gate events of the month that the configuration makes alarms, counted
 * on the unit of the card, PIN or face (its holder's home for a person's)
 * or the car that raised them. */
static int fill_alarms(struct build *b, struct pm_err *e)
{
	static const char sql[] =
		"SELECT coalesce("
		" (SELECT coalesce(c.unit_id, (SELECT o.unit_id FROM occupancy o WHERE o.person_id = c.person_id"
		"   AND o.until IS NULL ORDER BY o.id LIMIT 1)) FROM credential c"
		"   WHERE c.kind IN ('card','pin','face') AND c.value = g.subject AND c.status = 'active'),"
		" (SELECT v.unit_id FROM vehicle v WHERE v.plate = g.subject AND " PM_VEHICLE_ON("v", "g.ts")
		" ORDER BY v.removed_at IS NOT NULL, v.removed_at LIMIT 1)), g.event"
		" FROM gate_event g WHERE g.ts >= ?1 AND g.ts < ?2 AND g.subject <> ''";
	struct pm_gate_config *gc;
	sqlite3_stmt *st;
	int64_t start, end, row;
	int rc;

	if (pm_gate_config_open(b->db, &gc, e))
		return e->code;
	if (!(st = pm_db_stmt(b->db, sql, e))) {
		pm_gate_config_free(gc);
		return e->code;
	}
	pm_period_bounds(b->q->period, pm_db_tz(b->db), &start, &end);
	sqlite3_bind_int64(st, 1, start);
	sqlite3_bind_int64(st, 2, end);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((row = row_of_id(b, sqlite3_column_int64(st, 0))) < 0 || !pm_report_alarm_severity(gc, TEXT(st, 1)))
			continue;
		pm_set_int(b->t->s, (size_t)row, C_VALUE, pm_cell_v(b->t->s, (size_t)row, C_VALUE) + 1);
	}
	pm_gate_config_free(gc);
	if ((rc = read_fail(b->db, st, rc, _("cannot read the gate events"), e)))
		return rc;
	return count_classes(b->t, e);
}

static int usage_one(void *ctx, const struct pm_usage *u)
{
	struct build *b = ctx;
	int64_t row = strcmp(u->scope, "unit") ? -1 : row_of_code(b, u->serves);

	if (row >= 0)
		pm_set_int(b->t->s, (size_t)row, C_VALUE, pm_cell_v(b->t->s, (size_t)row, C_VALUE) + u->usage);
	return PM_OK;
}

/* Electricity of the month (pm-meter usage) per m² of the unit's area;
 * the classes' bounds compared exactly: u kWh/1000 over a m²/100 is
 * under n kWh/m² when u < 10 n a. */
static int fill_energy(struct build *b, struct pm_err *e)
{
	static const int64_t bounds[] = {1, 2, 4};
	struct pm_section *s = b->t->s;
	size_t k;
	int64_t use, area;

	if (index_codes(b, e) || pm_usage_each_stored(b->db, b->q->period, "electricity", 0, usage_one, b, e))
		return e->code;
	for (size_t i = 0; i < s->nrows; i++) {
		k = 0;
		if (!pm_cell_null(s, i, C_VALUE)) {
			use = pm_cell_v(s, i, C_VALUE);
			area = b->u[i].area;
			pm_set_ratio(s, i, C_VALUE + 1, use, area);
			for (k = 1; k < 4 && use >= 10 * bounds[k - 1] * area; k++)
				;
		}
		if (set_class(b->t, i, k))
			return pm_report_oom(e);
	}
	return PM_OK;
}

/* ---- making it ---- */

static int make(void *ctx, struct pm_err *e)
{
	struct build *b = ctx;
	const struct layer *l = &layers[b->q->layer];
	struct pm_report_query rq = {.from = b->q->period, .to = b->q->period, .actor = b->q->actor};
	json_t *layout = NULL;
	char day[PM_TIME_BUF], per[PM_TIME_BUF];
	size_t nk = 0;
	int rc;

	while (l->classes[nk].key)
		nk++;
	if (!(b->t->count = calloc(nk, sizeof *b->t->count)))
		return pm_report_oom(e);
	if (pm_report_new(b->db, "twin", N_("Digital twin"), &rq, &b->t->r, e) ||
	    pm_config_today(b->db, "layout", &layout, e))
		return e->code;
	snprintf(b->t->r->scope, sizeof b->t->r->scope, "%s, %s", _(l->title),
		 l->monthly ? pm_period_fmt(b->q->period, per) : pm_date_fmt(b->q->as_of, day));
	if (!(b->t->s = pm_section_add(b->t->r, "unit", l->title, l->cols, l->ncols)))
		rc = pm_report_oom(e);
	else if ((rc = read_buildings(b, layout, e)) == PM_OK && (rc = read_units(b, e)) == PM_OK &&
		 (rc = unit_rows(b, e)) == PM_OK && (rc = l->fill(b, e)) == PM_OK)
		grid(b->t);
	json_decref(layout);
	return rc;
}

int pm_twin_make(struct pm_db *db, const struct pm_twin_query *q, struct pm_twin **out, struct pm_err *e)
{
	struct build b = {.db = db, .q = q};
	int rc;

	*out = NULL;
	if (q->actor && pm_twin_may(q->actor, q->layer, e))
		return e->code;
	if (!(b.t = calloc(1, sizeof *b.t)))
		return pm_report_oom(e);
	b.t->layer = q->layer;
	rc = pm_report_read(db, make, &b, e);
	free(b.u);
	free(b.pool);
	free(b.by_code);
	free(b.row_of);
	if (rc) {
		pm_twin_free(b.t);
		return rc;
	}
	*out = b.t;
	return PM_OK;
}

/* ---- drawing ---- */

#define MARGIN 16.0
#define TITLE_SIZE 18.0
#define TEXT_SIZE 12.0
#define LABEL_SIZE 11.0
#define COS30 0.8660254037844386

struct view {
	double k;          /* pixels a metre */
	double ox, oy;     /* where the plan's origin is drawn */
	double w, h;       /* the picture */
	double legend_y, legend_h;
};

static double px(const struct view *v, double x, double y)
{
	return v->ox + (x - y) * COS30 * v->k;
}

static double py(const struct view *v, double x, double y, double z)
{
	return v->oy + ((x + y) * 0.5 - z) * v->k;
}

static void legend_item(const struct pm_twin *t, size_t k, char *buf, size_t size)
{
	snprintf(buf, size, "%s (%zu)", _(layers[t->layer].classes[k].label), t->count[k]);
}

/* Legend items laid out left to right in rows across width w: the rows'
 * height. */
static double legend_layout(const struct pm_twin *t, double w)
{
	double x = MARGIN, rows = 1, iw;
	char buf[128];

	for (size_t k = 0; layers[t->layer].classes[k].key; k++) {
		legend_item(t, k, buf, sizeof buf);
		iw = 18 + pm_svg_text_width(buf, TEXT_SIZE) + 18;
		if (x + iw > w - MARGIN && x > MARGIN) {
			rows++;
			x = MARGIN;
		}
		x += iw;
	}
	return rows * 20;
}

/* The scale: four pixels a metre, less for an estate more than 4,000
 * pixels across, so that a large one still opens. */
static void view_of(const struct pm_twin *t, struct view *v)
{
	double x0 = 0, x1 = 0, y0 = 0, y1 = 0, sx, sy, top;
	int first = 1;

	memset(v, 0, sizeof *v);
	for (size_t i = 0; i < t->nb; i++) {
		const struct building *b = &t->b[i];
		const double cx[] = {b->x, b->x + b->w}, cy[] = {b->y, b->y + b->d};
		top = top_of(b);
		for (int a = 0; a < 2; a++)
			for (int c = 0; c < 2; c++) {
				sx = (cx[a] - cy[c]) * COS30;
				for (int z = 0; z < 2; z++) {
					sy = (cx[a] + cy[c]) * 0.5 - (z ? top : 0);
					x0 = first || sx < x0 ? sx : x0;
					x1 = first || sx > x1 ? sx : x1;
					y0 = first || sy < y0 ? sy : y0;
					y1 = first || sy > y1 ? sy : y1;
					first = 0;
				}
			}
	}
	v->k = 4;
	if ((x1 - x0) * v->k > 4000)
		v->k = 4000 / (x1 - x0);
	v->w = (x1 - x0) * v->k + 2 * MARGIN;
	if (v->w < 720)
		v->w = 720;
	v->legend_y = MARGIN + TITLE_SIZE + 26;
	v->legend_h = legend_layout(t, v->w);
	v->ox = (v->w - (x1 - x0) * v->k) / 2 - x0 * v->k;
	/* Room above the highest roof for its building's label. */
	v->oy = v->legend_y + v->legend_h + LABEL_SIZE + 12 - y0 * v->k;
	v->h = v->oy + y1 * v->k + MARGIN;
}

static void poly(FILE *f, const struct view *v, const double (*p)[3], int n, const char *fill)
{
	fputs("<path d=\"", f);
	for (int i = 0; i < n; i++)
		fprintf(f, "%c%.1f %.1f", i ? 'L' : 'M', px(v, p[i][0], p[i][1]), py(v, p[i][0], p[i][1], p[i][2]));
	fprintf(f, "Z\" fill=\"%s\"/>\n", fill);
}

/* A unit's tooltip: its code, and its figures as tables show them, or
 * its class when it has none ("3-2-1101: owed ¥1,234.50, days past due
 * 45"; "3-2-1101: occupied"). */
static void title(FILE *f, const struct pm_twin *t, size_t i)
{
	const struct pm_section *s = t->s;
	char buf[PM_CELL_BUF];
	int any = 0;

	fputs("<title>", f);
	pm_html_text(f, pm_cell_text(s, i, C_UNIT, 1, buf, sizeof buf));
	fputs(": ", f);
	for (size_t j = C_VALUE; j < s->ncols; j++) {
		if (pm_cell_null(s, i, j))
			continue;
		fputs(any++ ? ", " : "", f);
		pm_html_text(f, _(s->cols[j].label));
		fputc(' ', f);
		pm_html_text(f, pm_cell_text(s, i, j, 1, buf, sizeof buf));
	}
	if (!any)
		for (size_t k = 0; layers[t->layer].classes[k].key; k++)
			if (strcmp(layers[t->layer].classes[k].key, pm_cell_text(s, i, C_CLASS, 0, buf, sizeof buf)) == 0)
				pm_html_text(f, _(layers[t->layer].classes[k].label));
	fputs("</title>", f);
}

static const char *colour_of(const struct pm_twin *t, size_t i)
{
	char buf[PM_CELL_BUF];
	const char *key = pm_cell_text(t->s, i, C_CLASS, 0, buf, sizeof buf);

	for (size_t k = 0; layers[t->layer].classes[k].key; k++)
		if (strcmp(layers[t->layer].classes[k].key, key) == 0)
			return layers[t->layer].classes[k].colour;
	return NONE_COLOUR;
}

static void building_svg(FILE *f, const struct pm_twin *t, const struct building *b, const struct view *v)
{
	double x1 = b->x + b->w, y1 = b->y + b->d, top = top_of(b), cw = b->w / b->per_floor, x, z;
	const double side[4][3] = {{x1, b->y, 0}, {x1, y1, 0}, {x1, y1, top}, {x1, b->y, top}};
	const double roof[4][3] = {{b->x, b->y, top}, {x1, b->y, top}, {x1, y1, top}, {b->x, y1, top}};
	const double front[4][3] = {{b->x, y1, 0}, {x1, y1, 0}, {x1, y1, top}, {b->x, y1, top}};
	char label[160], buf[PM_CELL_BUF];

	fputs("<g class=\"building\" data-building=\"", f);
	pm_html_text(f, b->code);
	fputs("\">\n", f);
	poly(f, v, side, 4, "#aab1ba");
	poly(f, v, roof, 4, "#dde1e6");
	poly(f, v, front, 4, "#f4f5f7");
	fputs("<g stroke=\"#fff\" stroke-width=\"0.6\">\n", f);
	for (size_t i = b->first; i < b->first + b->n; i++) {
		x = b->x + t->col[i] * cw;
		z = (double)(pm_cell_v(t->s, i, C_FLOOR) - b->lowest) * FLOOR_M;
		fputs("<path class=\"cell\" data-unit=\"", f);
		pm_html_text(f, pm_cell_text(t->s, i, C_UNIT, 0, buf, sizeof buf));
		fprintf(f, "\" fill=\"%s\" d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1fZ\">", colour_of(t, i),
			px(v, x, y1), py(v, x, y1, z), px(v, x + cw, y1), py(v, x + cw, y1, z), px(v, x + cw, y1),
			py(v, x + cw, y1, z + FLOOR_M), px(v, x, y1), py(v, x, y1, z + FLOOR_M));
		title(f, t, i);
		fputs("</path>\n", f);
	}
	fputs("</g>\n", f);
	snprintf(label, sizeof label, "%s%s%s", b->code, b->name[0] ? " " : "", b->name);
	pm_svg_text(f, px(v, b->x + b->w / 2, b->y + b->d / 2), py(v, b->x + b->w / 2, b->y + b->d / 2, top) - 6,
		    "label", "middle", LABEL_SIZE, label);
	fputs("</g>\n", f);
}

static void legend_svg(FILE *f, const struct pm_twin *t, const struct view *v)
{
	double x = MARGIN, y = v->legend_y, iw;
	const struct klass *c = layers[t->layer].classes;
	char buf[128];

	for (size_t k = 0; c[k].key; k++) {
		legend_item(t, k, buf, sizeof buf);
		iw = 18 + pm_svg_text_width(buf, TEXT_SIZE) + 18;
		if (x + iw > v->w - MARGIN && x > MARGIN) {
			x = MARGIN;
			y += 20;
		}
		fprintf(f, "<g class=\"legend-item\" data-class=\"%s\"><rect x=\"%.1f\" y=\"%.1f\" width=\"12\""
			" height=\"12\" fill=\"%s\" stroke=\"#999\" stroke-width=\"0.5\"/>", c[k].key, x, y - 10, c[k].colour);
		pm_svg_text(f, x + 18, y, "legend", "start", TEXT_SIZE, buf);
		fputs("</g>\n", f);
		x += iw;
	}
}

/* Painter's order: those further north and west first. */
static int depth_cmp(const void *x, const void *y)
{
	const struct building *a = *(const struct building *const *)x, *b = *(const struct building *const *)y;
	double da = a->x + a->w + a->y + a->d, db = b->x + b->w + b->y + b->d;

	return (da > db) - (da < db);
}

void pm_twin_svg(const struct pm_twin *t, FILE *f, int standalone)
{
	const struct building **order = malloc((t->nb ? t->nb : 1) * sizeof *order);
	char head[512];
	struct view v;

	view_of(t, &v);
	pm_report_heading(t->r, head, sizeof head);
	if (standalone)
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"twin\" data-layer=\"%s\" width=\"%.0f\""
		" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" font-family=\"%s\" role=\"img\" aria-label=\"",
		layers[t->layer].name, v.w, v.h, v.w, v.h, PM_FONTS);
	pm_html_text(f, head);
	fputs("\">\n<title>", f);
	pm_html_text(f, head);
	fprintf(f, "</title>\n<rect class=\"frame\" x=\"0.5\" y=\"0.5\" width=\"%.0f\" height=\"%.0f\" fill=\"#fff\""
		" stroke=\"#ddd\"/>\n", v.w - 1, v.h - 1);
	pm_svg_text(f, MARGIN, MARGIN + TITLE_SIZE, "heading", "start", TITLE_SIZE, head);
	legend_svg(f, t, &v);
	if (!t->s->nrows)
		pm_svg_text(f, v.w / 2, v.legend_y + v.legend_h + 40, "empty", "middle", TEXT_SIZE + 2, _("no units"));
	/* Without memory to sort them, buildings in code order. */
	for (size_t i = 0; i < t->nb; i++)
		if (order)
			order[i] = &t->b[i];
		else
			building_svg(f, t, &t->b[i], &v);
	if (order && t->nb)
		qsort(order, t->nb, sizeof *order, depth_cmp);
	for (size_t i = 0; order && i < t->nb; i++)
		building_svg(f, t, order[i], &v);
	free(order);
	fputs("</svg>\n", f);
}

void pm_twin_html(const struct pm_twin *t, FILE *f)
{
	char head[512];

	pm_report_heading(t->r, head, sizeof head);
	fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>", f);
	pm_html_text(f, head);
	fprintf(f, "</title>\n<style>body{font-family:%s;margin:16px;color:#222}"
		"svg.twin{max-width:100%%;height:auto}</style>\n</head>\n<body>\n<h1>", PM_FONTS);
	pm_html_text(f, _(t->r->title));
	fputs("</h1>\n", f);
	pm_twin_svg(t, f, 0);
	fputs("</body>\n</html>\n", f);
}
