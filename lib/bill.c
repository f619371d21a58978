/* bill: the fees and billing sections of the configuration, bill runs,
 * and the bill queries. Usage of every meter for the period is computed
 * once into a temporary table, shared costs are split into another, and
 * then units are billed a batch per transaction, so memory stays flat
 * however many units there are. */
#include <string.h>

#include "pm/audit.h"
#include "pm/bill.h"
#include "pm/config.h"
#include "pm/i18n.h"
#include "pm/meter.h"
#include "pm/money.h"
#include "pm/tariff.h"
#include "bill-internal.h"
#include "config-internal.h"

/* ---- configuration: `billing` and `fees` (pm.yaml(5)) ---- */

#define PRICE PM_NODE(PM_SCHEMA_DECIMAL, .places = 4, .min = "0")

static int check_tou(const json_t *v, struct pm_err *e)
{
	const char *k;
	json_t *x;
	int reg;

	json_object_foreach((json_t *)v, k, x)
		if (pm_meter_reg_parse(k, &reg))
			return pm_err_set(e, PM_ECONFIG,
					  _("unknown register \"%s\": expected sharp, peak, flat or valley"), k);
	return PM_OK;
}

static const struct pm_schema step_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("upto", PM_NODE(PM_SCHEMA_DECIMAL, .places = 3, .min = "0.001")),
	PM_KEY("price", PRICE, .required = true)),
};

static int check_steps(const json_t *v, struct pm_err *e)
{
	size_t n = json_array_size(v);
	int64_t prev = 0, upto;

	for (size_t i = 0; i < n; i++) {
		json_t *u = json_object_get(json_array_get(v, i), "upto");
		if (i == n - 1) {
			if (u)
				return pm_err_set(e, PM_ECONFIG, _("the last step takes no \"upto\": it has no limit"));
			break;
		}
		if (!u)
			return pm_err_set(e, PM_ECONFIG, _("step %zu needs \"upto\": only the last step is open"), i + 1);
		upto = json_integer_value(u);
		if (upto <= prev)
			return pm_err_set(e, PM_ECONFIG, _("step %zu: \"upto\" must rise from step to step"), i + 1);
		prev = upto;
	}
	return PM_OK;
}

static const struct pm_schema tiers_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("period", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("month", "year")), .def = "month"),
	PM_KEY("year_start_month", PM_NODE(PM_SCHEMA_INT, .min = "1", .max = "12"), .def = "1"),
	PM_KEY("steps", PM_NODE(PM_SCHEMA_LIST, .min = "1", .max = "8", .item = &step_schema,
				.check = check_steps), .required = true)),
};

static const struct pm_schema component_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("label", PM_NODE(PM_SCHEMA_STRING, .min = "1"), .required = true),
	PM_KEY("price", PRICE, .required = true)),
};

static const struct pm_schema rounding_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("to", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("fen", "jiao", "yuan")), .def = "fen"),
	PM_KEY("mode", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("half_up", "half_even", "up", "down")),
	       .def = "half_up")),
};

static int needs(const json_t *fee, const char *key, const char *type, struct pm_err *e)
{
	if (json_object_get(fee, key))
		return PM_OK;
	return pm_err_set(e, PM_ECONFIG, _("a %s fee needs \"%s\""), type, key);
}

/* What each type needs beyond the schema's keys. */
static int check_fee(const json_t *fee, struct pm_err *e)
{
	const char *type = json_string_value(json_object_get(fee, "type"));
	int priced = json_object_get(fee, "price") || json_object_get(fee, "tiers");

	if (strcmp(type, "per_area") == 0)
		return needs(fee, "prices", type, e);
	if (strcmp(type, "repair") == 0)
		return PM_OK;
	if (strcmp(type, "fixed") == 0 || strcmp(type, "parking") == 0)
		return needs(fee, "amounts", type, e);
	if (json_object_get(fee, "price") && json_object_get(fee, "tiers"))
		return pm_err_set(e, PM_ECONFIG, _("a fee takes \"price\" or \"tiers\", not both"));
	if (strcmp(type, "metered") == 0) {
		if (needs(fee, "meter_kind", type, e))
			return e->code;
		if (!priced && !json_object_get(fee, "tou"))
			return pm_err_set(e, PM_ECONFIG, _("a metered fee needs \"price\", \"tiers\" or \"tou\""));
		return PM_OK;
	}
	if (!json_object_get(fee, "meter") && !(json_object_get(fee, "meter_kind") && json_object_get(fee, "scope")))
		return pm_err_set(e, PM_ECONFIG, _("a shared fee needs \"meter\", or \"meter_kind\" and \"scope\""));
	if (!priced)
		return pm_err_set(e, PM_ECONFIG, _("a shared fee needs \"price\" or \"tiers\""));
	return PM_OK;
}

static const struct pm_schema fee_schema = {
	.type = PM_SCHEMA_MAP, .check = check_fee, .keys = PM_KEYS(
	PM_KEY("name", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "32"), .required = true),
	PM_KEY("label", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "64"), .required = true),
	PM_KEY("type", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("per_area", "metered", "shared", "fixed",
								  "parking", "repair")), .required = true),
	PM_KEY("prices", PM_NODE(PM_SCHEMA_DICT, .min = "1", .item = PRICE)),
	PM_KEY("vacant_discount_percent", PM_NODE(PM_SCHEMA_INT, .min = "0", .max = "100"), .def = "0"),
	PM_KEY("prorate", PM_NODE(PM_SCHEMA_BOOL), .def = "true"),
	PM_KEY("meter_kind", PM_NODE(PM_SCHEMA_STRING, .min = "1")),
	PM_KEY("price", PRICE),
	PM_KEY("tiers", &tiers_schema),
	PM_KEY("components", PM_NODE(PM_SCHEMA_LIST, .item = &component_schema)),
	PM_KEY("tou", PM_NODE(PM_SCHEMA_DICT, .min = "1", .check = check_tou,
			      .item = PM_NODE(PM_SCHEMA_DECIMAL, .places = 4)), ),
	PM_KEY("meter", PM_NODE(PM_SCHEMA_STRING, .min = "1")),
	PM_KEY("scope", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("building", "community"))),
	PM_KEY("split", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("area", "equal", "usage")), .def = "area"),
	PM_KEY("amounts", PM_NODE(PM_SCHEMA_DICT, .min = "1", .item = PM_NODE(PM_SCHEMA_MONEY, .min = "0"))),
	PM_KEY("rounding", &rounding_schema, .def = "{}")),
};

static int check_fees(const json_t *v, struct pm_err *e)
{
	size_t n = json_array_size(v);

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (json_equal(json_object_get(json_array_get(v, i), "name"),
				       json_object_get(json_array_get(v, j), "name")))
				return pm_err_set(e, PM_ECONFIG, _("fee \"%s\" is named twice"),
					json_string_value(json_object_get(json_array_get(v, i), "name")));
	return PM_OK;
}

const struct pm_schema pm_fees_schema = {
	.type = PM_SCHEMA_LIST, .max = "32", .item = &fee_schema, .check = check_fees,
};

static const struct pm_schema late_fee_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("daily_bp", PM_NODE(PM_SCHEMA_INT, .min = "0", .max = "10000"), .def = "0"),
	PM_KEY("cap_percent", PM_NODE(PM_SCHEMA_INT, .min = "0", .max = "100"), .def = "100"),
	PM_KEY("exempt_items", PM_NODE(PM_SCHEMA_LIST, .item = PM_NODE(PM_SCHEMA_STRING)), .def = "[]"),
	PM_KEY("exempt_units", PM_NODE(PM_SCHEMA_LIST, .item = PM_NODE(PM_SCHEMA_STRING)), .def = "[]")),
};

const struct pm_schema pm_billing_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("due_day", PM_NODE(PM_SCHEMA_INT, .min = "1", .max = "28"), .def = "15"),
	PM_KEY("grace_days", PM_NODE(PM_SCHEMA_INT, .min = "0", .max = "365"), .def = "0"),
	PM_KEY("late_fee", &late_fee_schema, .def = "{}"),
	PM_KEY("allocation_order", PM_NODE(PM_SCHEMA_LIST, .item = PM_NODE(PM_SCHEMA_STRING)), .def = "[]")),
};

int pm_billing_config(struct pm_db *db, int32_t day, struct pm_config **cfg, json_t **billing,
		      struct pm_err *e)
{
	if (pm_config_current(db, day, cfg, e))
		return e->code;
	if ((*billing = pm_config_section(*cfg, "billing"))) {
		json_incref(*billing);
		return PM_OK;
	}
	/* No section: its defaults, from the schema itself. */
	if (pm_schema_load(&pm_billing_schema, "{}", 2, "billing", billing, e)) {
		pm_config_free(*cfg);
		*cfg = NULL;
		return e->code;
	}
	return PM_OK;
}

int pm_bill_step_done(struct pm_db *db, sqlite3_stmt *st, const char *what, struct pm_err *e)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, what);
}

/* ---- fee items, read once per run ---- */

enum fee_type { FEE_PER_AREA, FEE_METERED, FEE_SHARED, FEE_FIXED, FEE_PARKING, FEE_REPAIR };

struct fee {
	json_t *j;
	const char *name, *label, *kind;
	enum fee_type type;
	struct pm_rounding r;
	struct pm_metered m;
	int annual, year_start;
};

static int64_t jint(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void fee_prices(struct fee *f)
{
	json_t *tiers = json_object_get(f->j, "tiers"), *tou = json_object_get(f->j, "tou"), *s, *x;
	const char *k;
	size_t i;
	int reg;

	f->m.has_base = json_object_get(f->j, "price") || tiers;
	f->m.price = jint(f->j, "price");
	if (tiers) {
		json_array_foreach(json_object_get(tiers, "steps"), i, s) {
			f->m.tiers[i].upto = jint(s, "upto");
			f->m.tiers[i].price = jint(s, "price");
		}
		f->m.ntiers = (int)i;
		f->annual = strcmp(jstr(tiers, "period"), "year") == 0;
		f->year_start = (int)jint(tiers, "year_start_month");
	}
	json_object_foreach(tou, k, x)
		if (pm_meter_reg_parse(k, &reg) == PM_OK) {
			f->m.tou[reg] = json_integer_value(x);
			f->m.tou_mask |= 1u << reg;
		}
}

static int fees_load(json_t *section, struct fee **out, size_t *n, struct pm_err *e)
{
	static const char *const types[] = {"per_area", "metered", "shared", "fixed", "parking", "repair"};
	size_t count = json_array_size(section), i;
	struct fee *f = calloc(count ? count : 1, sizeof *f);
	json_t *j, *r;

	if (!f)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	json_array_foreach(section, i, j) {
		f[i].j = j;
		f[i].name = jstr(j, "name");
		f[i].label = jstr(j, "label");
		f[i].kind = jstr(j, "meter_kind");
		for (size_t t = 0; t < sizeof types / sizeof *types; t++)
			if (strcmp(jstr(j, "type"), types[t]) == 0)
				f[i].type = (enum fee_type)t;
		r = json_object_get(j, "rounding");
		pm_rounding_parse(jstr(r, "to"), jstr(r, "mode"), &f[i].r, e);
		fee_prices(&f[i]);
	}
	*out = f;
	*n = count;
	return PM_OK;
}

/* ---- the run ---- */

struct run {
	struct pm_db *db;
	struct pm_bill_run *r;
	struct pm_err *e;          /* for callbacks */
	struct pm_config *cfg;
	struct fee *fees;
	size_t nfees;
	int64_t version, start, end;
	int32_t first, last;       /* the period's days */
	int pdays;
	int repair_fee;            /* a repair fee item: charges get billed */
	char period[PM_TIME_BUF];
};

static int exec(struct pm_db *db, const char *sql, struct pm_err *e)
{
	return pm_db_exec(db, sql, e);
}

static int usage_row(void *ctx, const struct pm_usage *u)
{
	static const char sql[] =
		"INSERT INTO temp.bu (meter_id, code, kind, usage, multiplier, opening, closing, flags, r1, r2, r3, r4,"
		" opening_ts, closing_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	struct run *rn = ctx;
	struct pm_err *e = rn->e;
	sqlite3_stmt *st = pm_db_stmt(rn->db, sql, e);
	int64_t regs[5] = {0};

	if (!st)
		return e->code;
	for (int i = 0; i < u->nregs; i++)
		regs[u->regs[i].reg] = u->regs[i].usage;
	sqlite3_bind_int64(st, 1, u->meter_id);
	sqlite3_bind_text(st, 2, u->meter, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, u->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, u->usage);
	sqlite3_bind_int64(st, 5, u->multiplier);
	sqlite3_bind_int64(st, 6, u->opening);
	sqlite3_bind_int64(st, 7, u->closing);
	sqlite3_bind_int(st, 8, (int)u->flags);
	for (int i = 1; i <= 4; i++)
		sqlite3_bind_int64(st, 8 + i, regs[i]);
	sqlite3_bind_int64(st, 13, u->opening_ts);
	sqlite3_bind_int64(st, 14, u->closing_ts);
	return pm_bill_step_done(rn->db, st, "usage", e);
}

/* Every meter's usage for the period, once, into temp.bu. */
static int usage_load(struct run *rn, struct pm_err *e)
{
	int need = 0;

	for (size_t i = 0; i < rn->nfees; i++)
		need |= rn->fees[i].type == FEE_METERED || rn->fees[i].type == FEE_SHARED;
	if (exec(rn->db,
		 "CREATE TEMP TABLE IF NOT EXISTS bu (meter_id INTEGER PRIMARY KEY, code TEXT, kind TEXT,"
		 " unit_id INTEGER, building_id INTEGER, scope TEXT, usage INTEGER, multiplier INTEGER,"
		 " opening INTEGER, closing INTEGER, flags INTEGER, r1 INTEGER, r2 INTEGER, r3 INTEGER, r4 INTEGER,"
		 " opening_ts INTEGER, closing_ts INTEGER);"
		 "DELETE FROM temp.bu;"
		 "CREATE TEMP TABLE IF NOT EXISTS bs (fee INTEGER, unit_id INTEGER, meter TEXT, share INTEGER,"
		 " weight INTEGER, total_weight INTEGER, cost INTEGER, usage INTEGER, units INTEGER);"
		 "DELETE FROM temp.bs;", e))
		return e->code;
	if (!need)
		return PM_OK;
	if (exec(rn->db, "BEGIN", e))
		return e->code;
	if (pm_usage_each(rn->db, rn->r->period, NULL, NULL, usage_row, rn, e) ||
	    exec(rn->db, "UPDATE temp.bu SET (unit_id, building_id, scope) = (SELECT unit_id, building_id, scope"
			 " FROM meter WHERE meter.id = bu.meter_id);"
			 "CREATE INDEX IF NOT EXISTS temp.bu_unit ON bu(unit_id, kind);", e)) {
		pm_db_rollback(rn->db);
		return e->code;
	}
	return exec(rn->db, "COMMIT", e);
}

/* ---- shared costs: each common meter's cost split among its units ---- */

struct served {
	int64_t *unit, *weight, *share;
	size_t n, cap;
};

static int served_add(struct served *s, int64_t unit, int64_t weight)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		int64_t *u = realloc(s->unit, cap * sizeof *u), *w;
		if (!u)
			return -1;
		s->unit = u;
		if (!(w = realloc(s->weight, cap * sizeof *w)))
			return -1;
		s->weight = w;
		s->cap = cap;
	}
	s->unit[s->n] = unit;
	s->weight[s->n++] = weight;
	return 0;
}

static int served_units(struct run *rn, const struct fee *f, int64_t building, struct served *s,
			struct pm_err *e)
{
	static const char sql[] =
		"SELECT u.id, CASE ?2 WHEN 'equal' THEN 1 WHEN 'area' THEN u.area_centi"
		" ELSE (SELECT coalesce(sum(usage), 0) FROM temp.bu WHERE bu.unit_id = u.id AND bu.kind = ?3) END"
		" FROM unit u WHERE (?1 = 0 OR u.building_id = ?1) AND (u.delivered IS NULL OR u.delivered <= ?4)"
		" ORDER BY u.code";
	sqlite3_stmt *st = pm_db_stmt(rn->db, sql, e);
	char last[PM_TIME_BUF];
	int rc;

	if (!st)
		return e->code;
	s->n = 0;
	sqlite3_bind_int64(st, 1, building);
	sqlite3_bind_text(st, 2, jstr(f->j, "split"), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, f->kind ? f->kind : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, pm_date_fmt(rn->last, last), -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (served_add(s, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1))) {
			sqlite3_reset(st);
			return pm_err_set(e, PM_EFAIL, _("out of memory"));
		}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(rn->db, e, _("cannot read units"));
}

static int share_store(struct run *rn, size_t fee, const char *meter, const struct served *s,
		       int64_t cost, int64_t usage, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO temp.bs (fee, unit_id, meter, share, weight, total_weight, cost, usage, units)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
	int64_t total = 0;
	sqlite3_stmt *st;

	for (size_t i = 0; i < s->n; i++)
		total += s->weight[i];
	for (size_t i = 0; i < s->n; i++) {
		if (!(st = pm_db_stmt(rn->db, sql, e)))
			return e->code;
		sqlite3_bind_int64(st, 1, (int64_t)fee);
		sqlite3_bind_int64(st, 2, s->unit[i]);
		sqlite3_bind_text(st, 3, meter, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, s->share[i]);
		sqlite3_bind_int64(st, 5, s->weight[i]);
		sqlite3_bind_int64(st, 6, total);
		sqlite3_bind_int64(st, 7, cost);
		sqlite3_bind_int64(st, 8, usage);
		sqlite3_bind_int64(st, 9, (int64_t)s->n);
		if (pm_bill_step_done(rn->db, st, _("cannot split shared costs"), e))
			return e->code;
	}
	return PM_OK;
}

static int share_meter(struct run *rn, size_t fi, sqlite3_stmt *m, struct served *s, struct pm_err *e)
{
	static const int64_t regs[PM_TARIFF_REGS + 1];
	const struct fee *f = &rn->fees[fi];
	const char *code = TEXT(m, 0);
	int64_t usage = sqlite3_column_int64(m, 1), cost, rounded;
	json_t *bd;
	int64_t *share;

	if (pm_tariff_metered(&f->m, 0, usage, regs, PM_ROUNDING_DEFAULT, &cost, &bd, e))
		return pm_err_prefix(e, _("fee '%s', meter '%s'"), f->name, code);
	json_decref(bd);
	if (served_units(rn, f, sqlite3_column_int64(m, 2), s, e))
		return e->code;
	if (!s->n)
		return PM_OK;
	if (!(share = calloc(s->n, sizeof *share)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	s->share = share;
	if (pm_tariff_share(cost, s->weight, s->n, f->r, share, &rounded, e) == PM_OK)
		share_store(rn, fi, code, s, rounded, usage, e);
	else
		pm_err_prefix(e, _("fee '%s', meter '%s'"), f->name, code);
	free(share);
	s->share = NULL;
	return e->code;
}

static int shares_load(struct run *rn, struct pm_err *e)
{
	static const char sql[] =
		"SELECT code, usage, coalesce(building_id, 0) FROM temp.bu"
		" WHERE scope <> 'unit' AND (code = ?1 OR (?1 IS NULL AND kind = ?2 AND scope = ?3)) ORDER BY code";
	struct served s = {0};
	sqlite3_stmt *st;
	int rc = PM_OK;

	e->code = PM_OK;
	for (size_t i = 0; i < rn->nfees && rc == PM_OK; i++) {
		const struct fee *f = &rn->fees[i];
		if (f->type != FEE_SHARED)
			continue;
		if (!(st = pm_db_stmt(rn->db, sql, e)))
			break;
		sqlite3_bind_text(st, 1, jstr(f->j, "meter"), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, f->kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, jstr(f->j, "scope"), -1, SQLITE_STATIC);
		while (rc == PM_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
			rc = share_meter(rn, i, st, &s, e);
		sqlite3_reset(st);
		if (rc == SQLITE_DONE)
			rc = PM_OK;
		else if (rc != PM_OK && !e->code)
			rc = pm_db_fail(rn->db, e, _("cannot read usage"));
	}
	free(s.unit);
	free(s.weight);
	if (rc == PM_OK && e->code == PM_OK)
		return exec(rn->db, "CREATE INDEX IF NOT EXISTS temp.bs_unit ON bs(unit_id, fee)", e);
	return e->code ? e->code : rc;
}

/* ---- one unit's bill ---- */

struct unit {
	int64_t id, area;
	const char *code, *use, *status, *delivered, *moved_in;
};

#define MAX_LINES 64

struct line {
	const char *fee, *label;
	int64_t amount, usage, meter_id;
	int has_usage;
	char quantity[PM_MONEY_BUF], flags[64];
	json_t *bd;
};

struct bill {
	struct line l[MAX_LINES];
	int n;
	int64_t total;
};

static struct line *line_add(struct bill *b, const struct fee *f, const char *label, int64_t amount,
			     json_t *bd)
{
	struct line *l;

	if (b->n == MAX_LINES) {
		json_decref(bd);
		return NULL;
	}
	l = &b->l[b->n++];
	memset(l, 0, sizeof *l);
	l->fee = f->name;
	l->label = label;
	l->amount = amount;
	l->bd = bd;
	b->total += amount;
	return l;
}

static int too_many(const struct unit *u, struct pm_err *e)
{
	return pm_err_set(e, PM_ECONFIG, _("unit '%s': more than %d bill lines"), u->code, MAX_LINES);
}

/* Days billed and vacant days of them: from delivery (or the period's
 * start) to its end; vacant until the first move-in, or all of them. */
static void unit_days(const struct run *rn, const struct unit *u, int prorate, int *days, int *vacant)
{
	struct pm_err ignored;
	int32_t from = rn->first, d;

	if (prorate && u->delivered && pm_date_parse(u->delivered, &d, &ignored) == PM_OK && d > from)
		from = d;
	*days = rn->last - from + 1;
	*vacant = 0;
	if (strcmp(u->status, "vacant") == 0)
		*vacant = *days;
	else if (prorate && u->moved_in && pm_date_parse(u->moved_in, &d, &ignored) == PM_OK && d > from)
		*vacant = d > rn->last ? *days : d - from;
}

static int per_area(struct run *rn, const struct fee *f, const struct unit *u, struct bill *b,
		    struct pm_err *e)
{
	json_t *price = json_object_get(json_object_get(f->j, "prices"), u->use);
	struct pm_per_area a = {json_integer_value(price), u->area, (int)jint(f->j, "vacant_discount_percent"),
				0, rn->pdays, 0};
	struct line *l;
	int64_t fen;
	json_t *bd;

	if (!price)
		return PM_OK;
	unit_days(rn, u, json_is_true(json_object_get(f->j, "prorate")), &a.days, &a.vacant_days);
	if (pm_tariff_per_area(&a, f->r, &fen, &bd, e))
		return pm_err_prefix(e, _("unit '%s', fee '%s'"), u->code, f->name);
	if (!(l = line_add(b, f, f->label, fen, bd)))
		return too_many(u, e);
	pm_decimal_fmt(u->area, 2, l->quantity);
	return PM_OK;
}

static int fixed(const struct fee *f, const struct unit *u, struct bill *b, struct pm_err *e)
{
	json_t *amounts = json_object_get(f->j, "amounts"), *amount;
	struct line *l;
	int64_t fen;
	json_t *bd;

	if (f->type == FEE_PARKING) {
		/* A parking space is a unit of use parking: owned (occupied)
		 * or rented; a vacant space is not billed. */
		if (strcmp(u->use, "parking") != 0 || strcmp(u->status, "vacant") == 0)
			return PM_OK;
		amount = json_object_get(amounts, strcmp(u->status, "rented") == 0 ? "rented" : "owned");
	} else {
		amount = json_object_get(amounts, u->use);
	}
	if (!amount)
		return PM_OK;
	if (pm_tariff_fixed(json_integer_value(amount), 1, f->r, &fen, &bd, e))
		return pm_err_prefix(e, _("unit '%s', fee '%s'"), u->code, f->name);
	if (!(l = line_add(b, f, f->label, fen, bd)))
		return too_many(u, e);
	snprintf(l->quantity, sizeof l->quantity, "1");
	return PM_OK;
}

/* Usage already billed in the tier year before this period. */
static int year_to_date(struct run *rn, const struct fee *f, const struct unit *u, int64_t *before,
			struct pm_err *e)
{
	static const char sql[] =
		"SELECT coalesce(sum(l.usage), 0) FROM bill b JOIN bill_line l ON l.bill_id = b.id"
		" WHERE b.unit_id = ?1 AND b.period >= ?2 AND b.period < ?3 AND b.status <> 'void'"
		" AND l.fee = ?4 AND l.usage IS NOT NULL";
	struct pm_period p = rn->r->period, y = {p.year, f->year_start};
	char from[PM_TIME_BUF];
	sqlite3_stmt *st;
	int rc;

	*before = 0;
	if (!f->annual)
		return PM_OK;
	if (y.month > p.month)
		y.year--;
	if (!(st = pm_db_stmt(rn->db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, u->id);
	sqlite3_bind_text(st, 2, pm_period_fmt(y, from), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, rn->period, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, f->name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*before = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(rn->db, e, _("cannot read earlier bills"));
}

/* The readings a line was computed from, by value and by time: the times
 * say which stored readings an issued bill used (pm-meter void). */
static void reading_times(json_t *o, sqlite3_stmt *st, int col, const char *tz)
{
	char t[PM_TIME_BUF];

	json_object_set_new(o, "opening_at", json_string(pm_time_fmt(sqlite3_column_int64(st, col), tz, t)));
	json_object_set_new(o, "closing_at", json_string(pm_time_fmt(sqlite3_column_int64(st, col + 1), tz, t)));
}

static void usage_facts(json_t *bd, sqlite3_stmt *st, const char *tz)
{
	char buf[PM_MONEY_BUF], flags[96];

	json_object_set_new(bd, "meter", json_string(TEXT(st, 0)));
	json_object_set_new(bd, "opening", json_string(pm_decimal_fmt(sqlite3_column_int64(st, 3), 3, buf)));
	json_object_set_new(bd, "closing", json_string(pm_decimal_fmt(sqlite3_column_int64(st, 4), 3, buf)));
	reading_times(bd, st, 11, tz);
	json_object_set_new(bd, "multiplier", json_integer(sqlite3_column_int64(st, 5)));
	if (sqlite3_column_int(st, 6))
		json_object_set_new(bd, "usage_flags",
				    json_string(pm_usage_flag_names((unsigned)sqlite3_column_int(st, 6), flags, sizeof flags)));
}

static int metered_meter(struct run *rn, const struct fee *f, const struct unit *u, sqlite3_stmt *st,
			 struct bill *b, struct pm_err *e)
{
	int64_t usage = sqlite3_column_int64(st, 2), regs[PM_TARIFF_REGS + 1] = {0}, before, fen;
	unsigned flags = (unsigned)sqlite3_column_int(st, 6);
	json_t *bd, *c;
	struct line *l;
	size_t i;

	if (flags & PM_USAGE_HELD)
		return PM_OK;
	for (int r = 1; r <= PM_TARIFF_REGS; r++)
		regs[r] = sqlite3_column_int64(st, 6 + r);
	if (year_to_date(rn, f, u, &before, e))
		return e->code;
	if (pm_tariff_metered(&f->m, before, usage, regs, f->r, &fen, &bd, e))
		return pm_err_prefix(e, _("unit '%s', fee '%s'"), u->code, f->name);
	usage_facts(bd, st, pm_db_tz(rn->db));
	if (!(l = line_add(b, f, f->label, fen, bd)))
		return too_many(u, e);
	l->usage = usage;
	l->has_usage = 1;
	l->meter_id = sqlite3_column_int64(st, 1);
	pm_decimal_fmt(usage, 3, l->quantity);
	snprintf(l->flags, sizeof l->flags, "%s%s%s", flags & PM_USAGE_ESTIMATED ? "estimated" : "",
		 (flags & PM_USAGE_ESTIMATED) && (flags & PM_USAGE_MISSING) ? "," : "",
		 flags & PM_USAGE_MISSING ? "missing" : "");
	json_array_foreach(json_object_get(f->j, "components"), i, c) {
		struct pm_metered m = {.price = jint(c, "price"), .has_base = 1};
		struct line *cl;
		if (pm_tariff_metered(&m, 0, usage, regs, f->r, &fen, &bd, e))
			return pm_err_prefix(e, _("unit '%s', fee '%s'"), u->code, f->name);
		usage_facts(bd, st, pm_db_tz(rn->db));
		if (!(cl = line_add(b, f, jstr(c, "label"), fen, bd)))
			return too_many(u, e);
		cl->meter_id = l->meter_id;
		memcpy(cl->quantity, l->quantity, sizeof cl->quantity);
		memcpy(cl->flags, l->flags, sizeof cl->flags);
	}
	if ((flags & PM_USAGE_ESTIMATED) && !rn->r->dry_run &&
	    pm_usage_estimate_record(rn->db, l->meter_id, rn->r->period, usage / sqlite3_column_int64(st, 5), e))
		return e->code;
	return PM_OK;
}

static int metered(struct run *rn, const struct fee *f, const struct unit *u, struct bill *b,
		   struct pm_err *e)
{
	static const char sql[] =
		"SELECT code, meter_id, usage, opening, closing, multiplier, flags, r1, r2, r3, r4, opening_ts, closing_ts"
		" FROM temp.bu"
		" WHERE unit_id = ?1 AND kind = ?2 ORDER BY code";
	sqlite3_stmt *st = pm_db_stmt(rn->db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, u->id);
	sqlite3_bind_text(st, 2, f->kind, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (metered_meter(rn, f, u, st, b, e)) {
			sqlite3_reset(st);
			return e->code;
		}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(rn->db, e, _("cannot read usage"));
}

static int shared(struct run *rn, size_t fi, const struct unit *u, struct bill *b, struct pm_err *e)
{
	static const char sql[] =
		"SELECT s.meter, s.share, s.weight, s.total_weight, s.cost, s.usage, s.units, u.opening_ts, u.closing_ts"
		" FROM temp.bs s JOIN temp.bu u ON u.code = s.meter WHERE s.unit_id = ?1 AND s.fee = ?2 ORDER BY s.meter";
	const struct fee *f = &rn->fees[fi];
	sqlite3_stmt *st = pm_db_stmt(rn->db, sql, e);
	char buf[PM_MONEY_BUF], v[PM_MONEY_BUF], sh[PM_MONEY_BUF];
	json_t *bd, *row, *rows = NULL;
	int64_t sum = 0;
	struct line *l;
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, u->id);
	sqlite3_bind_int64(st, 2, (int64_t)fi);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rows = rows ? rows : json_array();
		sum += sqlite3_column_int64(st, 1);
		row = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s}",
			"meter", TEXT(st, 0), "usage", pm_decimal_fmt(sqlite3_column_int64(st, 5), 3, v),
			"cost", pm_money_fmt(sqlite3_column_int64(st, 4), buf), "split", jstr(f->j, "split"),
			"weight", (json_int_t)sqlite3_column_int64(st, 2),
			"total_weight", (json_int_t)sqlite3_column_int64(st, 3),
			"units", (json_int_t)sqlite3_column_int64(st, 6),
			"share", pm_money_fmt(sqlite3_column_int64(st, 1), sh));
		reading_times(row, st, 7, pm_db_tz(rn->db));
		json_array_append_new(rows, row);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(rows);
		return pm_db_fail(rn->db, e, _("cannot read shared costs"));
	}
	if (!rows)
		return PM_OK;
	bd = json_pack("{s:o, s:s, s:s}", "shares", rows, "rounding", pm_rounding_name(f->r, buf, sizeof buf),
		       "amount", pm_money_fmt(sum, v));
	if (!(l = line_add(b, f, f->label, sum, bd)))
		return too_many(u, e);
	snprintf(l->quantity, sizeof l->quantity, "%zu", json_array_size(rows));
	return PM_OK;
}

/* Chargeable repairs (pm-repair resolve --cost) made before the period's
 * end and on no bill yet: one line each. insert_bill marks them billed. */
static int repairs(struct run *rn, const struct fee *f, const struct unit *u, struct bill *b,
		   struct pm_err *e)
{
	static const char sql[] =
		"SELECT ticket_id, amount_fen FROM repair_charge"
		" WHERE unit_id = ?1 AND billed_bill_id IS NULL AND created_at < ?2 ORDER BY ticket_id";
	sqlite3_stmt *st = pm_db_stmt(rn->db, sql, e);
	struct line *l;
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, u->id);
	sqlite3_bind_int64(st, 2, rn->end);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t ticket = sqlite3_column_int64(st, 0), fen = sqlite3_column_int64(st, 1);
		if (!(l = line_add(b, f, f->label, fen, json_pack("{s:I, s:I}", "ticket", (json_int_t)ticket,
								    "amount_fen", (json_int_t)fen)))) {
			sqlite3_reset(st);
			return too_many(u, e);
		}
		snprintf(l->quantity, sizeof l->quantity, "#%lld", (long long)ticket);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return pm_db_fail(rn->db, e, _("cannot read repair charges"));
	return PM_OK;
}

static int unit_lines(struct run *rn, const struct unit *u, struct bill *b, struct pm_err *e)
{
	int rc = PM_OK;

	for (size_t i = 0; i < rn->nfees && rc == PM_OK; i++) {
		const struct fee *f = &rn->fees[i];
		switch (f->type) {
		case FEE_PER_AREA: rc = per_area(rn, f, u, b, e); break;
		case FEE_METERED: rc = metered(rn, f, u, b, e); break;
		case FEE_SHARED: rc = shared(rn, i, u, b, e); break;
		case FEE_FIXED:
		case FEE_PARKING: rc = fixed(f, u, b, e); break;
		case FEE_REPAIR: rc = repairs(rn, f, u, b, e); break;
		}
	}
	return rc;
}

static void bill_free(struct bill *b)
{
	for (int i = 0; i < b->n; i++)
		json_decref(b->l[i].bd);
	b->n = 0;
	b->total = 0;
}

/* ---- writing a bill ---- */

static void bill_code(const struct run *rn, const char *unit, char *code, size_t size)
{
	snprintf(code, size, "B-%s-%s", rn->period, unit);
}

/* 1: an existing bill to skip; 0: none, or a draft being recomputed:
 * its id in *rebuild, its lines gone and its repair charges let go. It
 * is rebuilt in place, so a payment that named it still names it. */
static int existing(struct run *rn, const struct unit *u, int64_t *rebuild, struct pm_err *e)
{
	static const char find[] = "SELECT id, status FROM bill WHERE unit_id = ? AND period = ?";
	static const char del[] = "DELETE FROM bill_line WHERE bill_id = ?";
	sqlite3_stmt *st = pm_db_stmt(rn->db, find, e);
	int64_t id = 0;
	int draft = 0, rc;

	*rebuild = 0;
	if (!st)
		return -e->code;
	sqlite3_bind_int64(st, 1, u->id);
	sqlite3_bind_text(st, 2, rn->period, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		draft = strcmp(TEXT(st, 1), "draft") == 0;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -pm_db_fail(rn->db, e, _("cannot read bills"));
	if (!id)
		return 0;
	if (!rn->r->recompute || !draft)
		return 1;
	if (pm_bill_release_repairs(rn->db, id, e) || !(st = pm_db_stmt(rn->db, del, e)))
		return -e->code;
	sqlite3_bind_int64(st, 1, id);
	if (pm_bill_step_done(rn->db, st, _("cannot rebuild the draft"), e))
		return -e->code;
	rn->r->recomputed++;
	*rebuild = id;
	return 0;
}

/* A draft rebuilt with no lines at all is no bill: gone, and a payment
 * that named it names none (it was prepaid all along). */
static int drop_draft(struct run *rn, int64_t id, struct pm_err *e)
{
	static const char unname[] = "UPDATE payment SET bill_id = NULL WHERE bill_id = ?";
	static const char del[] = "DELETE FROM bill WHERE id = ?";
	sqlite3_stmt *st;

	if (!(st = pm_db_stmt(rn->db, unname, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	if (pm_bill_step_done(rn->db, st, _("cannot rebuild the draft"), e) || !(st = pm_db_stmt(rn->db, del, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	return pm_bill_step_done(rn->db, st, _("cannot rebuild the draft"), e);
}

static int insert_line(struct run *rn, int64_t bill, int seq, const struct line *l, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO bill_line (bill_id, seq, fee, label, amount_fen, quantity, usage, meter_id, breakdown,"
		" flags, config_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st = pm_db_stmt(rn->db, sql, e);
	char *bd = json_dumps(l->bd, JSON_COMPACT | JSON_PRESERVE_ORDER);
	int rc;

	if (!st || !bd) {
		free(bd);
		return st ? pm_err_set(e, PM_EFAIL, _("out of memory")) : e->code;
	}
	sqlite3_bind_int64(st, 1, bill);
	sqlite3_bind_int(st, 2, seq);
	sqlite3_bind_text(st, 3, l->fee, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, l->label, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, l->amount);
	sqlite3_bind_text(st, 6, l->quantity, -1, SQLITE_STATIC);
	if (l->has_usage)
		sqlite3_bind_int64(st, 7, l->usage);
	if (l->meter_id)
		sqlite3_bind_int64(st, 8, l->meter_id);
	sqlite3_bind_text(st, 9, bd, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, l->flags, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, rn->version);
	rc = pm_bill_step_done(rn->db, st, _("cannot write bill lines"), e);
	free(bd);
	return rc;
}

/* The same charges repairs() read, now on bill id. */
static int mark_repairs(struct run *rn, const struct unit *u, int64_t id, struct pm_err *e)
{
	static const char sql[] =
		"UPDATE repair_charge SET billed_bill_id = ?3"
		" WHERE unit_id = ?1 AND billed_bill_id IS NULL AND created_at < ?2";
	sqlite3_stmt *st = pm_db_stmt(rn->db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, u->id);
	sqlite3_bind_int64(st, 2, rn->end);
	sqlite3_bind_int64(st, 3, id);
	return pm_bill_step_done(rn->db, st, _("cannot mark repair charges billed"), e);
}

int pm_bill_release_repairs(struct pm_db *db, int64_t bill, struct pm_err *e)
{
	static const char sql[] = "UPDATE repair_charge SET billed_bill_id = NULL WHERE billed_bill_id = ?";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, bill);
	return pm_bill_step_done(db, st, _("cannot release repair charges"), e);
}

/* Writes the bill, as a new draft or over the draft id being rebuilt. */
static int insert_bill(struct run *rn, const struct unit *u, const struct bill *b, const char *code,
		       int64_t id, struct pm_err *e)
{
	static const char ins[] =
		"INSERT INTO bill (code, unit_id, period, status, config_version, total_fen, created_at, updated_at)"
		" VALUES (?1, ?2, ?3, 'draft', ?4, ?5, ?6, ?6)";
	static const char upd[] = "UPDATE bill SET config_version = ?4, total_fen = ?5, updated_at = ?6 WHERE id = ?7";
	sqlite3_stmt *st = pm_db_stmt(rn->db, id ? upd : ins, e);

	if (!st)
		return e->code;
	if (!id) {
		sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, u->id);
		sqlite3_bind_text(st, 3, rn->period, -1, SQLITE_STATIC);
	} else {
		sqlite3_bind_int64(st, 7, id);
	}
	sqlite3_bind_int64(st, 4, rn->version);
	sqlite3_bind_int64(st, 5, b->total);
	sqlite3_bind_int64(st, 6, pm_now());
	if (pm_bill_step_done(rn->db, st, _("cannot write bills"), e))
		return e->code;
	if (!id)
		id = sqlite3_last_insert_rowid(pm_db_sqlite(rn->db));
	for (int i = 0; i < b->n; i++)
		if (insert_line(rn, id, i + 1, &b->l[i], e))
			return e->code;
	return rn->repair_fee ? mark_repairs(rn, u, id, e) : PM_OK;
}

static int tell(struct run *rn, const struct unit *u, const char *code, const char *outcome,
		const struct bill *b, struct pm_err *e)
{
	char flags[64] = "";
	json_t *rec;
	int rc;

	if (!rn->r->fn)
		return PM_OK;
	for (int i = 0; b && i < b->n; i++)
		if (b->l[i].flags[0] && !strstr(flags, b->l[i].flags))
			snprintf(flags + strlen(flags), sizeof flags - strlen(flags), "%s%s", flags[0] ? "," : "",
				 b->l[i].flags);
	rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:i, s:s}", "type", "bill", "bill", code,
			"unit", u->code, "period", rn->period, "outcome", outcome,
			"total_fen", (json_int_t)(b ? b->total : 0), "lines", b ? b->n : 0, "flags", flags);
	rc = rn->r->fn(rn->r->ctx, rec);
	json_decref(rec);
	return rc;
}

static int bill_unit(struct run *rn, const struct unit *u, struct pm_err *e)
{
	struct bill *b;
	char code[96];
	int64_t rebuild;
	int rc = existing(rn, u, &rebuild, e);

	bill_code(rn, u->code, code, sizeof code);
	if (rc < 0)
		return -rc;
	if (rc > 0) {
		rn->r->skipped++;
		return tell(rn, u, code, "skipped", NULL, e);
	}
	if (!(b = calloc(1, sizeof *b)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	rc = unit_lines(rn, u, b, e);
	if (rc == PM_OK && !b->n && rebuild)
		rc = drop_draft(rn, rebuild, e);
	if (rc == PM_OK && b->n) {
		rc = insert_bill(rn, u, b, code, rebuild, e);
		if (rc == PM_OK) {
			rn->r->made++;
			rn->r->total += b->total;
			rc = tell(rn, u, code, rn->r->dry_run ? "dry-run" : "made", b, e);
		}
	}
	bill_free(b);
	free(b);
	return rc;
}

#define UNIT_COLS \
	"SELECT u.id, u.code, u.area_centi, u.use, u.status, u.delivered," \
	" (SELECT min(since) FROM occupancy o WHERE o.unit_id = u.id) FROM unit u"

static void unit_of(sqlite3_stmt *st, struct unit *u)
{
	u->id = sqlite3_column_int64(st, 0);
	u->code = TEXT(st, 1);
	u->area = sqlite3_column_int64(st, 2);
	u->use = TEXT(st, 3);
	u->status = TEXT(st, 4);
	u->delivered = TEXT(st, 5);
	u->moved_in = TEXT(st, 6);
}

/* Units after *after in code order, batch of them, each billed; *after
 * moves on, *done counts. 0 rows: the end. */
static int bill_batch(struct run *rn, char *after, size_t size, long *rows, struct pm_err *e)
{
	static const char sql[] = UNIT_COLS
		" WHERE u.code > ?1 AND (u.delivered IS NULL OR u.delivered <= ?2) ORDER BY u.code LIMIT ?3";
	sqlite3_stmt *st = pm_db_stmt(rn->db, sql, e);
	char last[PM_TIME_BUF];
	struct unit u;
	int rc;

	*rows = 0;
	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, after, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, pm_date_fmt(rn->last, last), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, rn->r->batch);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		unit_of(st, &u);
		snprintf(after, size, "%s", u.code);
		(*rows)++;
		if (bill_unit(rn, &u, e)) {
			sqlite3_reset(st);
			return e->code;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(rn->db, e, _("cannot read units"));
}

static int bill_named(struct run *rn, const char *code, struct pm_err *e)
{
	static const char sql[] = UNIT_COLS " WHERE u.code = ?1";
	sqlite3_stmt *st = pm_db_stmt(rn->db, sql, e);
	char last[PM_TIME_BUF];
	struct unit u;
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		unit_of(st, &u);
		/* Delivered after the period: not billable, as in bill_batch. */
		if (u.delivered && strcmp(u.delivered, pm_date_fmt(rn->last, last)) > 0)
			rc = PM_OK;
		else
			rc = bill_unit(rn, &u, e);
		sqlite3_reset(st);
		return rc;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return pm_err_set(e, PM_EDATA, _("unknown unit '%s'"), code);
	return pm_db_fail(rn->db, e, _("cannot read units"));
}

static int batch_end(struct run *rn, struct pm_err *e)
{
	if (rn->r->dry_run) {
		pm_db_rollback(rn->db);
		return PM_OK;
	}
	return pm_db_commit(rn->db, e);
}

static int count_units(struct run *rn, long *n)
{
	sqlite3_stmt *st;

	*n = 0;
	if (sqlite3_prepare_v2(pm_db_sqlite(rn->db), "SELECT count(*) FROM unit", -1, &st, NULL) != SQLITE_OK)
		return PM_OK;
	if (sqlite3_step(st) == SQLITE_ROW)
		*n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return PM_OK;
}

static int bill_all(struct run *rn, struct pm_err *e)
{
	char after[128] = "";
	long rows = 0, done = 0, total = 0;

	count_units(rn, &total);
	do {
		if (pm_db_begin(rn->db, e))
			return e->code;
		if (bill_batch(rn, after, sizeof after, &rows, e)) {
			pm_db_rollback(rn->db);
			return e->code;
		}
		if (batch_end(rn, e))
			return e->code;
		done += rows;
		if (rn->r->progress)
			rn->r->progress(rn->r->ctx, done, total);
	} while (rows == rn->r->batch);
	return PM_OK;
}

static int bill_list(struct run *rn, struct pm_err *e)
{
	if (pm_db_begin(rn->db, e))
		return e->code;
	for (size_t i = 0; i < rn->r->nunits; i++)
		if (bill_named(rn, rn->r->units[i], e)) {
			pm_db_rollback(rn->db);
			return e->code;
		}
	return batch_end(rn, e);
}

static int run_audit(struct run *rn, struct pm_err *e)
{
	char object[64];
	json_t *after;
	int rc;

	if (rn->r->dry_run || (!rn->r->made && !rn->r->recomputed))
		return PM_OK;
	snprintf(object, sizeof object, "bill-run:%s", rn->period);
	after = json_pack("{s:I, s:I, s:I, s:I, s:I}", "made", (json_int_t)rn->r->made,
			  "skipped", (json_int_t)rn->r->skipped, "recomputed", (json_int_t)rn->r->recomputed,
			  "total_fen", (json_int_t)rn->r->total, "config_version", (json_int_t)rn->version);
	if (pm_db_begin(rn->db, e)) {
		json_decref(after);
		return e->code;
	}
	rc = pm_audit_log(rn->db, "bill.run", object, NULL, after, e);
	json_decref(after);
	if (rc) {
		pm_db_rollback(rn->db);
		return rc;
	}
	return pm_db_commit(rn->db, e);
}

int pm_bill_run(struct pm_db *db, struct pm_bill_run *r, struct pm_err *e)
{
	const char *tz = pm_db_tz(db);
	struct run rn = {.db = db, .r = r, .e = e};
	int rc;

	r->made = r->skipped = r->recomputed = 0;
	r->total = 0;
	if (r->batch <= 0)
		r->batch = 5000;
	pm_period_fmt(r->period, rn.period);
	pm_period_bounds(r->period, tz, &rn.start, &rn.end);
	rn.first = pm_date_of(rn.start, tz);
	rn.last = pm_date_of(rn.end, tz) - 1;
	rn.pdays = pm_period_days(r->period);
	if (pm_db_bulk(db, e) || pm_config_current(db, rn.first, &rn.cfg, e))
		return e->code;
	rn.version = pm_config_version(rn.cfg);
	rc = fees_load(pm_config_section(rn.cfg, "fees"), &rn.fees, &rn.nfees, e);
	for (size_t i = 0; rc == PM_OK && i < rn.nfees; i++)
		rn.repair_fee |= rn.fees[i].type == FEE_REPAIR;
	if (rc == PM_OK && rn.nfees == 0)
		rc = pm_err_set(e, PM_ECONFIG, _("no fee items in config version %lld: add a \"fees\" section"),
				(long long)rn.version);
	if (rc == PM_OK)
		rc = usage_load(&rn, e);
	if (rc == PM_OK)
		rc = shares_load(&rn, e);
	if (rc == PM_OK)
		rc = r->units ? bill_list(&rn, e) : bill_all(&rn, e);
	if (rc == PM_OK)
		rc = run_audit(&rn, e);
	free(rn.fees);
	pm_config_free(rn.cfg);
	return rc;
}

/* ---- queries ---- */

#define BILL_COLS \
	"SELECT b.id, b.code, u.code, b.period, b.status, b.total_fen, b.late_fen, b.adjust_fen, b.paid_fen," \
	" coalesce(b.due, ''), b.config_version, b.unit_id FROM bill b JOIN unit u ON u.id = b.unit_id"

int pm_bill_row(struct pm_db *db, const char *code, struct pm_bill_row *b, struct pm_err *e)
{
	static const char sql[] = BILL_COLS " WHERE b.code = ?1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		b->id = sqlite3_column_int64(st, 0);
		snprintf(b->code, sizeof b->code, "%s", TEXT(st, 1));
		snprintf(b->unit, sizeof b->unit, "%s", TEXT(st, 2));
		snprintf(b->period, sizeof b->period, "%s", TEXT(st, 3));
		snprintf(b->status, sizeof b->status, "%s", TEXT(st, 4));
		b->total = sqlite3_column_int64(st, 5);
		b->late = sqlite3_column_int64(st, 6);
		b->adjust = sqlite3_column_int64(st, 7);
		b->paid = sqlite3_column_int64(st, 8);
		snprintf(b->due, sizeof b->due, "%s", TEXT(st, 9));
		b->unit_id = sqlite3_column_int64(st, 11);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return pm_err_set(e, PM_EDATA, _("unknown bill '%s'"), code);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot read bills"));
}

int pm_bill_unit(struct pm_db *db, const char *code, char *unit, size_t size, struct pm_err *e)
{
	struct pm_bill_row b;

	if (pm_bill_row(db, code, &b, e))
		return e->code;
	snprintf(unit, size, "%s", b.unit);
	return PM_OK;
}

static json_t *bill_json(sqlite3_stmt *st)
{
	int64_t owed = sqlite3_column_int64(st, 5) + sqlite3_column_int64(st, 6) + sqlite3_column_int64(st, 7) -
		       sqlite3_column_int64(st, 8);

	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:s?, s:I}", "type", "bill",
		"bill", TEXT(st, 1), "unit", TEXT(st, 2), "period", TEXT(st, 3), "status", TEXT(st, 4),
		"total_fen", (json_int_t)sqlite3_column_int64(st, 5),
		"late_fen", (json_int_t)sqlite3_column_int64(st, 6),
		"adjust_fen", (json_int_t)sqlite3_column_int64(st, 7),
		"paid_fen", (json_int_t)sqlite3_column_int64(st, 8),
		"owed_fen", (json_int_t)(strcmp(TEXT(st, 4), "void") == 0 ? 0 : owed),
		"due", *TEXT(st, 9) ? TEXT(st, 9) : NULL,
		"config_version", (json_int_t)sqlite3_column_int64(st, 10));
}

int pm_bill_each(struct pm_db *db, const struct pm_bill_filter *f, int (*fn)(void *ctx, json_t *bill),
		 void *ctx, struct pm_err *e)
{
	static const char sql[] = BILL_COLS " JOIN building bd ON bd.id = u.building_id"
		" WHERE (?1 IS NULL OR b.period = ?1) AND (?2 IS NULL OR b.status = ?2)"
		" AND (?3 IS NULL OR u.code = ?3) AND (?4 IS NULL OR bd.code = ?4)"
		" AND (?5 = 0 OR (b.status IN ('issued','partial') AND b.due < ?6))"
		" ORDER BY b.period, u.code";
	char today[PM_TIME_BUF];
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	json_t *rec;
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, f->period, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, f->unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, f->building, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, f->overdue);
	sqlite3_bind_text(st, 6, pm_date_fmt(pm_date_of(pm_now(), pm_db_tz(db)), today), -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rec = bill_json(st);
		rc = fn(ctx, rec);
		json_decref(rec);
		if (rc) {
			sqlite3_reset(st);
			return rc;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read bills"));
}

static int bill_lines(struct pm_db *db, int64_t id, json_t *out, struct pm_err *e)
{
	static const char sql[] =
		"SELECT seq, fee, label, amount_fen, paid_fen, coalesce(quantity, ''), breakdown, flags, config_version"
		" FROM bill_line WHERE bill_id = ? ORDER BY seq";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	json_t *lines = json_array();
	int rc;

	if (!st) {
		json_decref(lines);
		return e->code;
	}
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(lines, json_pack("{s:i, s:s, s:s, s:I, s:I, s:s, s:o*, s:s, s:I}",
			"seq", sqlite3_column_int(st, 0), "fee", TEXT(st, 1), "label", TEXT(st, 2),
			"amount_fen", (json_int_t)sqlite3_column_int64(st, 3),
			"paid_fen", (json_int_t)sqlite3_column_int64(st, 4), "quantity", TEXT(st, 5),
			"breakdown", json_loads(TEXT(st, 6), 0, NULL), "flags", TEXT(st, 7),
			"config_version", (json_int_t)sqlite3_column_int64(st, 8)));
	sqlite3_reset(st);
	json_object_set_new(out, "lines", lines);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read bill lines"));
}

static int bill_events(struct pm_db *db, int64_t id, json_t *out, struct pm_err *e)
{
	static const char sql[] =
		"SELECT 'allocation', coalesce(p.channel || ':' || p.ref, 'prepaid'), a.amount_fen, a.seq, NULL, j.ts"
		" FROM allocation a JOIN journal j ON j.id = a.journal_id LEFT JOIN payment p ON p.id = a.payment_id"
		" WHERE a.bill_id = ?1"
		" UNION ALL SELECT 'adjustment', reason, amount_fen, NULL, by_user, created_at FROM adjustment WHERE bill_id = ?1"
		" UNION ALL SELECT 'late_fee', as_of, amount_fen, days, NULL, created_at FROM late_fee WHERE bill_id = ?1"
		" ORDER BY 6";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	json_t *ev = json_array(), *o;
	char at[PM_TIME_BUF];
	int rc;

	if (!st) {
		json_decref(ev);
		return e->code;
	}
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		o = json_pack("{s:s, s:s, s:I, s:s}", "kind", TEXT(st, 0), "what", TEXT(st, 1),
			      "amount_fen", (json_int_t)sqlite3_column_int64(st, 2),
			      "at", pm_time_fmt(sqlite3_column_int64(st, 5), pm_db_tz(db), at));
		if (sqlite3_column_type(st, 3) != SQLITE_NULL)
			json_object_set_new(o, strcmp(TEXT(st, 0), "late_fee") ? "seq" : "days",
					    json_integer(sqlite3_column_int64(st, 3)));
		if (sqlite3_column_type(st, 4) != SQLITE_NULL)
			json_object_set_new(o, "by", json_string(TEXT(st, 4)));
		json_array_append_new(ev, o);
	}
	sqlite3_reset(st);
	json_object_set_new(out, "events", ev);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read bill events"));
}

int pm_bill_get(struct pm_db *db, const char *code, json_t **out, struct pm_err *e)
{
	static const char sql[] = BILL_COLS " WHERE b.code = ?1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int64_t id = 0;
	int rc;

	*out = NULL;
	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = bill_json(st);
		id = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return pm_err_set(e, PM_EDATA, _("unknown bill '%s'"), code);
	if (rc != SQLITE_ROW)
		return pm_db_fail(db, e, _("cannot read bills"));
	if (bill_lines(db, id, *out, e) || bill_events(db, id, *out, e)) {
		json_decref(*out);
		*out = NULL;
		return e->code;
	}
	return PM_OK;
}
