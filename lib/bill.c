/* bill: the fees and billing sections of the configuration and bill
 * runs; the queries are in lib/billquery.c. Usage of every meter for the period is computed
 * once into a temporary table, shared costs are split into another, and
 * then units are billed a batch per transaction, so memory stays flat
 * however many units there are. */
#include <stddef.h>
#include <string.h>

#include <sodium.h>

#include "pm/audit.h"
#include "pm/auth.h"
#include "pm/bill.h"
#include "pm/community.h"
#include "pm/config.h"
#include "pm/i18n.h"
#include "pm/jsonl.h"
#include "pm/meter.h"
#include "pm/money.h"
#include "pm/register.h"
#include "pm/tariff.h"
#include "bill-internal.h"
#include "strbuf-internal.h"

int pm_bill_bound(json_t *billing, int64_t amount, const char *what, struct pm_err *e)
{
	int64_t max = json_integer_value(json_object_get(billing, "max_amount"));
	char a[PM_MONEY_BUF], m[PM_MONEY_BUF];

	if (amount <= max && amount >= -max)
		return PM_OK;
	return pm_err_set(e, PM_EDATA, _("%s %s is above the maximum of %s (billing.max_amount)"), what,
			  pm_money_fmt(amount, a), pm_money_fmt(max, m));
}

int pm_bill_bound_today(struct pm_db *db, int64_t amount, const char *what, struct pm_err *e)
{
	struct pm_config *cfg;
	json_t *billing;
	int rc;

	if (pm_billing_config(db, pm_db_today(db), &cfg, &billing, e))
		return e->code;
	rc = pm_bill_bound(billing, amount, what, e);
	json_decref(billing);
	pm_config_free(cfg);
	return rc;
}

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
	if (pm_config_defaults("billing", billing, e)) {
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
		if (pm_reg_parse(k, &reg) == PM_OK) {
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

/* A community's meters are read at a few instants, and pm_time_fmt
 * (localtime_r) costs 7,000 instructions: the run remembers the last
 * few it wrote out (run_time). */
#define TIMES_KEPT 4

struct run {
	struct pm_db *db;
	struct pm_bill_run *r;
	struct pm_err *e;          /* for callbacks */
	struct pm_config *cfg;
	json_t *billing;
	struct fee *fees;
	size_t nfees;
	int64_t version, start, end;
	int32_t first, last;       /* the period's days */
	int pdays;
	int repair_fee;            /* a repair fee item: charges get billed */
	size_t fee;                /* for callbacks: the fee whose year is read */
	char period[PM_TIME_BUF];
	int64_t started;
	int running;               /* the audit record of the start is written */
	struct bill *bill;         /* a unit's, made once: zeroing its lines per unit was 4% of the run */
	struct {
		int64_t t;
		char text[PM_TIME_BUF];
	} times[TIMES_KEPT];       /* reading times as text, the last made */
	int ntimes, next_time;
	struct strbuf text;        /* the bill's breakdowns, each NUL-ended (struct line's at) */
	/* The common meters shared out, with what their usage rests on of
	 * estimates (before the multiplier), for common_estimates. */
	struct common {
		int64_t meter, estimate, carry;
	} *commons;
	size_t ncommons;
	int commons_done;
};

static int exec(struct pm_db *db, const char *sql, struct pm_err *e)
{
	return pm_db_exec(db, sql, e);
}

static int usage_row(void *ctx, const struct pm_usage *u)
{
	static const char sql[] =
		"INSERT INTO temp.bu (meter_id, code, kind, usage, multiplier, opening, closing, flags, r1, r2, r3, r4,"
		" opening_ts, closing_ts, unit_id, building_id, scope, ucode, carry)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, nullif(?, 0), nullif(?, 0), ?, ?, ?)";
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
	sqlite3_bind_int64(st, 15, u->unit_id);
	sqlite3_bind_int64(st, 16, u->building_id);
	sqlite3_bind_text(st, 17, u->scope, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 18, u->unit_id ? u->serves : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 19, u->carry);
	return pm_bill_step_done(rn->db, st, "usage", e);
}

/* The first period of the tier year that period p is in. */
static struct pm_period year_start(const struct fee *f, struct pm_period p)
{
	struct pm_period y = {p.year, f->year_start};

	if (y.month > p.month)
		y.year--;
	return y;
}

static int year_row(void *ctx, const struct pm_usage *u)
{
	static const char sql[] =
		"INSERT INTO temp.by (fee, meter_id, usage, flags, unit_id, ucode) VALUES (?, ?, ?, ?, nullif(?, 0), ?)";
	struct run *rn = ctx;
	sqlite3_stmt *st = pm_db_stmt(rn->db, sql, rn->e);

	if (!st)
		return rn->e->code;
	sqlite3_bind_int64(st, 1, (int64_t)rn->fee);
	sqlite3_bind_int64(st, 2, u->meter_id);
	sqlite3_bind_int64(st, 3, u->usage);
	sqlite3_bind_int(st, 4, (int)u->flags);
	sqlite3_bind_int64(st, 5, u->unit_id);
	sqlite3_bind_text(st, 6, u->unit_id ? u->serves : "", -1, SQLITE_STATIC);
	return pm_bill_step_done(rn->db, st, "usage", rn->e);
}

/* Each annual tier's year to date, by the readings (pm_usage_span_each),
 * once per fee into temp.by: what earlier months used whether or not
 * they were billed. */
static int years_load(struct run *rn, struct pm_err *e)
{
	for (size_t i = 0; i < rn->nfees; i++) {
		const struct fee *f = &rn->fees[i];
		if (f->type != FEE_METERED || !f->annual)
			continue;
		rn->fee = i;
		if (pm_usage_span_each(rn->db, year_start(f, rn->r->period), rn->r->period, f->kind, year_row, rn, e))
			return e->code;
	}
	return PM_OK;
}

/* Whether a bill of the period is issued (or paid on): *any. */
static int period_issued(struct run *rn, int *any, struct pm_err *e)
{
	static const char sql[] =
		"SELECT EXISTS (SELECT 1 FROM bill WHERE period = ?1 AND (status = 'issued' OR status = 'partial'"
		" OR status = 'paid'))";
	sqlite3_stmt *st = pm_db_stmt(rn->db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, rn->period, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*any = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(rn->db, e, _("cannot read bills"));
}

/* Every meter's usage for the period, once, into temp.bu. The meters
 * in the order stored (perf at 100,000 units: by code, each meter's row
 * and readings were a page away from the last one's, and the listing
 * alone read the meter table from disk, 23% of the run, years_load's
 * pass as much again). The three temp tables are keyed by the unit's
 * code (ucode, '' for a common meter), without rowid: units are billed
 * in code order, so a unit's usage, year to date and shares lie beside
 * the last unit's. Keyed by unit_id, each unit's look-ups landed on
 * pages that the 2 MiB temp cache had let go (strace, 100,000 units:
 * 130,665 reads of the temp file, 10,721 so). */
static int usage_load(struct run *rn, struct pm_err *e)
{
	int need = 0, issued = 0;

	for (size_t i = 0; i < rn->nfees; i++)
		need |= rn->fees[i].type == FEE_METERED || rn->fees[i].type == FEE_SHARED;
	if (exec(rn->db,
		 "CREATE TEMP TABLE IF NOT EXISTS bu (ucode TEXT NOT NULL, kind TEXT NOT NULL, code TEXT NOT NULL,"
		 " meter_id INTEGER, unit_id INTEGER, building_id INTEGER, scope TEXT, usage INTEGER, multiplier INTEGER,"
		 " opening INTEGER, closing INTEGER, flags INTEGER, r1 INTEGER, r2 INTEGER, r3 INTEGER, r4 INTEGER,"
		 " opening_ts INTEGER, closing_ts INTEGER, carry INTEGER, PRIMARY KEY (ucode, kind, code)) WITHOUT ROWID;"
		 "DELETE FROM temp.bu;"
		 "CREATE TEMP TABLE IF NOT EXISTS by (ucode TEXT NOT NULL, fee INTEGER NOT NULL, meter_id INTEGER NOT NULL,"
		 " unit_id INTEGER, usage INTEGER, flags INTEGER, PRIMARY KEY (ucode, fee, meter_id)) WITHOUT ROWID;"
		 "DELETE FROM temp.by;"
		 "CREATE TEMP TABLE IF NOT EXISTS bs (ucode TEXT NOT NULL, fee INTEGER NOT NULL, meter TEXT NOT NULL,"
		 " share INTEGER, weight INTEGER, total_weight INTEGER, cost INTEGER, usage INTEGER, units INTEGER,"
		 " opening_ts INTEGER, closing_ts INTEGER, flags INTEGER, PRIMARY KEY (ucode, fee, meter)) WITHOUT ROWID;"
		 "DELETE FROM temp.bs;", e))
		return e->code;
	if (!need)
		return PM_OK;
	if (exec(rn->db, "BEGIN", e))
		return e->code;
	if (period_issued(rn, &issued, e) ||
	    pm_usage_each_stored(rn->db, rn->r->period, NULL, issued, usage_row, rn, e) || years_load(rn, e)) {
		pm_db_rollback(rn->db);
		return e->code;
	}
	return exec(rn->db, "COMMIT", e);
}

/* ---- shared costs: each common meter's cost split among its units ---- */

struct served {
	int64_t *weight, *share;
	size_t *at;         /* each unit's code in codes, NUL-ended */
	struct strbuf codes;
	size_t n, cap;
};

static int served_add(struct served *s, const char *code, int64_t weight)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256, *a = realloc(s->at, cap * sizeof *a);
		int64_t *w;
		if (!a)
			return -1;
		s->at = a;
		if (!(w = realloc(s->weight, cap * sizeof *w)))
			return -1;
		s->weight = w;
		s->cap = cap;
	}
	s->at[s->n] = s->codes.n;
	sb_add(&s->codes, code, strlen(code) + 1);
	s->weight[s->n++] = weight;
	return s->codes.failed ? -1 : 0;
}

/* Whether unit u is billable in a period, as SQL: delivered by its last
 * day (bound to the parameter last as YYYY-MM-DD), or with no delivery
 * date. The one rule for a run's units, a named unit and the units that
 * share a cost. */
#define UNIT_BILLABLE(u, last) "(" u ".delivered IS NULL OR " u ".delivered <= " last ")"

static int served_units(struct run *rn, const struct fee *f, int64_t building, struct served *s,
			struct pm_err *e)
{
	/* A building's units by the index on building_id: one statement
	 * for both cases, "?1 = 0 OR building_id = ?1", scanned every unit
	 * of the community for each common meter (EXPLAIN QUERY PLAN). */
#define SERVED(where) \
		"SELECT u.code, CASE ?2 WHEN 'equal' THEN 1 WHEN 'area' THEN u.area_centi" \
		" ELSE (SELECT coalesce(sum(usage), 0) FROM temp.bu WHERE bu.ucode = u.code AND bu.kind = ?3) END" \
		" FROM unit u WHERE " where " AND " UNIT_BILLABLE("u", "?4") \
		" AND u.use IN (SELECT value FROM json_each(?5)) ORDER BY u.code"
	static const char all[] = SERVED("?1 = 0"), one[] = SERVED("u.building_id = ?1");
#undef SERVED
	sqlite3_stmt *st = pm_db_stmt(rn->db, building ? one : all, e);
	char last[PM_TIME_BUF], *uses = json_dumps(json_object_get(f->j, "uses"), JSON_COMPACT);
	int rc;

	if (!st || !uses) {
		free(uses);
		return st ? pm_err_set(e, PM_EFAIL, _("out of memory")) : e->code;
	}
	s->n = 0;
	s->codes.n = 0;
	sqlite3_bind_int64(st, 1, building);
	sqlite3_bind_text(st, 2, jstr(f->j, "split"), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, f->kind ? f->kind : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, pm_date_fmt(rn->last, last), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, uses, -1, free);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (served_add(s, TEXT(st, 0), sqlite3_column_int64(st, 1))) {
			sqlite3_reset(st);
			return pm_err_set(e, PM_EFAIL, _("out of memory"));
		}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(rn->db, e, _("cannot read units"));
}

/* Each unit's share of the common meter read by m (shares_load), with
 * the meter's facts the line's breakdown shows, so a unit's line reads
 * temp.bs alone. */
static int share_store(struct run *rn, size_t fee, sqlite3_stmt *m, const struct served *s, int64_t cost,
		       struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO temp.bs (fee, ucode, meter, share, weight, total_weight, cost, usage, units,"
		" opening_ts, closing_ts, flags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	int64_t total = 0;
	sqlite3_stmt *st;

	for (size_t i = 0; i < s->n; i++)
		total += s->weight[i];
	for (size_t i = 0; i < s->n; i++) {
		if (!(st = pm_db_stmt(rn->db, sql, e)))
			return e->code;
		sqlite3_bind_int64(st, 1, (int64_t)fee);
		sqlite3_bind_text(st, 2, s->codes.p + s->at[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, TEXT(m, 0), -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, s->share[i]);
		sqlite3_bind_int64(st, 5, s->weight[i]);
		sqlite3_bind_int64(st, 6, total);
		sqlite3_bind_int64(st, 7, cost);
		sqlite3_bind_int64(st, 8, sqlite3_column_int64(m, 1));
		sqlite3_bind_int64(st, 9, (int64_t)s->n);
		sqlite3_bind_int64(st, 10, sqlite3_column_int64(m, 3));
		sqlite3_bind_int64(st, 11, sqlite3_column_int64(m, 4));
		sqlite3_bind_int(st, 12, sqlite3_column_int(m, 6) & (PM_USAGE_ESTIMATED | PM_USAGE_MISSING));
		if (pm_bill_step_done(rn->db, st, _("cannot split shared costs"), e))
			return e->code;
	}
	return PM_OK;
}

/* A common meter shared out (m: shares_load's row), once whatever fees
 * share it. */
static int common_add(struct run *rn, sqlite3_stmt *m, struct pm_err *e)
{
	int64_t id = sqlite3_column_int64(m, 5);
	struct common *c;

	for (size_t i = 0; i < rn->ncommons; i++)
		if (rn->commons[i].meter == id)
			return PM_OK;
	if (!(c = realloc(rn->commons, (rn->ncommons + 1) * sizeof *c)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	rn->commons = c;
	c[rn->ncommons++] = (struct common){id,
		sqlite3_column_int(m, 6) & PM_USAGE_ESTIMATED ? sqlite3_column_int64(m, 1) / sqlite3_column_int64(m, 8) : 0,
		sqlite3_column_int64(m, 7)};
	return PM_OK;
}

static int share_meter(struct run *rn, size_t fi, sqlite3_stmt *m, struct served *s, struct pm_err *e)
{
	static const int64_t regs[PM_TARIFF_REGS + 1];
	const struct fee *f = &rn->fees[fi];
	const char *code = TEXT(m, 0);
	int64_t usage = sqlite3_column_int64(m, 1), cost, rounded;
	struct pm_jw none = {NULL, 0, 0};
	int64_t *share;

	if (pm_tariff_metered_w(&f->m, 0, usage, regs, PM_ROUNDING_DEFAULT, &cost, &none, e))
		return pm_err_prefix(e, _("fee '%s', meter '%s'"), f->name, code);
	if (served_units(rn, f, sqlite3_column_int64(m, 2), s, e))
		return e->code;
	if (!s->n)
		return PM_OK;
	if (!(share = calloc(s->n, sizeof *share)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	s->share = share;
	if (pm_tariff_share(cost, s->weight, s->n, f->r, share, &rounded, e) == PM_OK) {
		if (share_store(rn, fi, m, s, rounded, e) == PM_OK)
			common_add(rn, m, e);
	} else {
		pm_err_prefix(e, _("fee '%s', meter '%s'"), f->name, code);
	}
	free(share);
	s->share = NULL;
	return e->code;
}

/* The bills of the period: the common meters' estimates as this run
 * found them, in the first batch's transaction (a dry run's is rolled
 * back). A unit's own meter's estimate goes with its line; a common
 * meter's is shared by every unit's, so it is recorded once, and what a
 * reading since showed replaces it only while no bill of the period is
 * issued: issued bills billed it. */
static int common_estimates(struct run *rn, struct pm_err *e)
{
	static const char forget[] = "DELETE FROM meter_estimate WHERE meter_id = ?1 AND period = ?2";
	sqlite3_stmt *st;
	int any = 0;

	if (rn->commons_done || !rn->ncommons)
		return PM_OK;
	rn->commons_done = 1;
	if (period_issued(rn, &any, e))
		return e->code;
	for (size_t i = 0; i < rn->ncommons; i++) {
		const struct common *c = &rn->commons[i];
		if (!any) {
			if (!(st = pm_db_stmt(rn->db, forget, e)))
				return e->code;
			sqlite3_bind_int64(st, 1, c->meter);
			sqlite3_bind_text(st, 2, rn->period, -1, SQLITE_STATIC);
			if (pm_bill_step_done(rn->db, st, _("cannot release estimates"), e))
				return e->code;
		}
		if ((c->estimate && pm_usage_estimate_record(rn->db, c->meter, rn->r->period, c->estimate, 0, e)) ||
		    (c->carry && pm_usage_estimate_record(rn->db, c->meter, rn->r->period, c->carry, 1, e)))
			return e->code;
	}
	return PM_OK;
}

static int shares_load(struct run *rn, struct pm_err *e)
{
	static const char sql[] =
		"SELECT code, usage, coalesce(building_id, 0), opening_ts, closing_ts, meter_id, flags, carry, multiplier"
		" FROM temp.bu"
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
	free(s.at);
	free(s.codes.p);
	free(s.weight);
	return e->code ? e->code : rc;
}

/* ---- one unit's bill ---- */

struct unit {
	int64_t id, area;
	const char *code, *use, *delivered;
	int resided; /* a residence in the period: 1, 0 none, -1 not asked (see unit_vacancy) */
};

#define MAX_LINES 64
/* "2-" and 32 hex digits: see bill_digest. */
#define DIGEST_V2 "2-"
#define DIGEST_HEX 35

struct line {
	const char *fee, *label;
	int64_t amount, usage, meter_id;
	int64_t estimate;    /* usage billed on an estimate, before the multiplier */
	int64_t carry;       /* billed on estimates and not yet taken off, before it */
	int64_t ticket;      /* a repair charge's */
	int has_usage, estimated;
	char quantity[PM_MONEY_BUF], flags[64];
	size_t at;           /* its breakdown as stored, in the run's text (line_text) */
};

struct bill {
	int n;
	int vacant;               /* a line has a vacancy discount */
	int64_t total;
	int64_t prior;            /* the unit's bill of the period, if any */
	int own_only;             /* it is issued: only its own repair charges */
	char inputs[DIGEST_HEX];
	struct line l[MAX_LINES]; /* last: bill_unit zeroes what comes before */
};

/* A line's breakdown, written straight into the run's text as the
 * compact JSON a line stores (callgrind, 2,000 units: building it with
 * jansson, dumping and freeing it was a third of the run): bd_begin
 * opens it and gives its offset, bd_end closes it, NUL-ended. */
static size_t bd_begin(struct run *rn, struct pm_jw *w)
{
	size_t at = rn->text.n;

	*w = (struct pm_jw){&rn->text, 0, 0};
	pm_jw_open(w, NULL, '{');
	return at;
}

static void bd_end(struct pm_jw *w)
{
	pm_jw_close(w, '}');
	sb_add(w->b, "", 1);
}

static const char *line_text(const struct run *rn, const struct line *l)
{
	return rn->text.p + l->at;
}

/* The next line, its amount within billing.max_amount and the bill's
 * total within the ledger's limit, its breakdown at offset at of the
 * run's text; NULL with e set when it cannot be. */
static struct line *line_add(struct run *rn, struct bill *b, const struct fee *f, const struct unit *u,
			     const char *label, int64_t amount, size_t at, struct pm_err *e)
{
	struct line *l;

	if (b->n == MAX_LINES) {
		pm_err_set(e, PM_ECONFIG, _("unit '%s': more than %d bill lines"), u->code, MAX_LINES);
		return NULL;
	}
	if (pm_bill_bound(rn->billing, amount, _("line"), e) || pm_money_add(&b->total, amount, e)) {
		pm_err_prefix(e, _("unit '%s', fee '%s'"), u->code, f->name);
		return NULL;
	}
	l = &b->l[b->n++];
	memset(l, 0, sizeof *l);
	l->fee = f->name;
	l->label = label;
	l->amount = amount;
	l->at = at;
	return l;
}

/* Unit u's vacancy from day from to the period's last (pm_unit_vacancy),
 * all of it when the unit's row said no residence reaches into the
 * period (bill_batch): pm_unit_vacancy finds no rows then, and its
 * ORDER BY opened a sorter for them, 2.2% of a run (callgrind). */
static int unit_vacancy(struct run *rn, const struct unit *u, int32_t from, struct pm_vacancy *v,
			struct pm_err *e)
{
	if (u->resided)
		return pm_unit_vacancy(rn->db, u->id, from, rn->last, v, e);
	memset(v, 0, sizeof *v);
	v->days = rn->last - from + 1;
	v->vacant = v->days;
	return PM_OK;
}

/* Days billed and vacant days of them: from delivery (or the period's
 * start) to its end, vacant as occupancy says (pm_unit_vacancy). Not
 * prorated, a unit pays the whole period, at the vacancy discount only
 * when it was vacant all of it. */
static int unit_days(struct run *rn, const struct unit *u, int prorate, int *days, int *vacant,
		     struct pm_err *e)
{
	struct pm_err ignored;
	struct pm_vacancy v;
	int32_t from = rn->first, d;

	if (prorate && u->delivered && pm_date_parse(u->delivered, &d, &ignored) == PM_OK && d > from)
		from = d;
	if (unit_vacancy(rn, u, from, &v, e))
		return e->code;
	*days = v.days;
	*vacant = prorate || v.vacant == v.days ? v.vacant : 0;
	return PM_OK;
}

static int per_area(struct run *rn, const struct fee *f, const struct unit *u, struct bill *b,
		    struct pm_err *e)
{
	json_t *price = json_object_get(json_object_get(f->j, "prices"), u->use);
	struct pm_per_area a = {json_integer_value(price), u->area, (int)jint(f->j, "vacant_discount_percent"),
				0, rn->pdays, 0};
	struct line *l;
	struct pm_jw w;
	int64_t fen;
	size_t at;

	if (!price)
		return PM_OK;
	if (unit_days(rn, u, json_is_true(json_object_get(f->j, "prorate")), &a.days, &a.vacant_days, e))
		return e->code;
	at = bd_begin(rn, &w);
	if (pm_tariff_per_area_w(&a, f->r, &fen, &w, e))
		return pm_err_prefix(e, _("unit '%s', fee '%s'"), u->code, f->name);
	bd_end(&w);
	if (!(l = line_add(rn, b, f, u, f->label, fen, at, e)))
		return e->code;
	b->vacant |= a.discount_pct && a.vacant_days;
	pm_decimal_fmt(u->area, 2, l->quantity);
	return PM_OK;
}

static int fixed(struct run *rn, const struct fee *f, const struct unit *u, struct bill *b, struct pm_err *e)
{
	json_t *amounts = json_object_get(f->j, "amounts"), *amount;
	struct pm_vacancy v;
	struct line *l;
	struct pm_jw w;
	int64_t fen;
	size_t at;

	if (f->type == FEE_PARKING) {
		/* A parking space is a unit of use parking, billed while
		 * someone holds it (occupancy, as for vacancy): rented when a
		 * tenant did in the period, else owned; a space nobody held is
		 * not billed. */
		if (strcmp(u->use, "parking") != 0)
			return PM_OK;
		if (unit_vacancy(rn, u, rn->first, &v, e))
			return e->code;
		if (v.vacant == v.days)
			return PM_OK;
		amount = json_object_get(amounts, v.tenant ? "rented" : "owned");
	} else {
		amount = json_object_get(amounts, u->use);
	}
	if (!amount)
		return PM_OK;
	at = bd_begin(rn, &w);
	if (pm_tariff_fixed_w(json_integer_value(amount), 1, f->r, &fen, &w, e))
		return pm_err_prefix(e, _("unit '%s', fee '%s'"), u->code, f->name);
	bd_end(&w);
	if (!(l = line_add(rn, b, f, u, f->label, fen, at, e)))
		return e->code;
	snprintf(l->quantity, sizeof l->quantity, "1");
	return PM_OK;
}

/* The unit's usage of the fee's kind in its tier year before this
 * period, by the readings (years_load); *partial when some meter's place
 * at the year's start is unknown. */
static int year_to_date(struct run *rn, size_t fee, const struct unit *u, int64_t *before, int *partial,
			struct pm_err *e)
{
	static const char sql[] =
		"SELECT coalesce(sum(usage), 0), coalesce(max(flags & ?3), 0) FROM temp.by WHERE ucode = ?1 AND fee = ?2";
	sqlite3_stmt *st = pm_db_stmt(rn->db, sql, e);
	int rc;

	*before = 0;
	*partial = 0;
	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, u->code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)fee);
	sqlite3_bind_int(st, 3, PM_USAGE_PARTIAL);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*before = sqlite3_column_int64(st, 0);
		*partial = sqlite3_column_int(st, 1) != 0;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(rn->db, e, _("cannot read usage"));
}

/* Instant t as pm_time_fmt writes it in the store's zone. */
static const char *run_time(struct run *rn, int64_t t)
{
	int i;

	for (i = 0; i < rn->ntimes; i++)
		if (rn->times[i].t == t)
			return rn->times[i].text;
	i = rn->next_time;
	rn->next_time = (i + 1) % TIMES_KEPT;
	if (rn->ntimes < TIMES_KEPT)
		rn->ntimes++;
	rn->times[i].t = t;
	return pm_time_fmt(t, pm_db_tz(rn->db), rn->times[i].text);
}

/* The readings a line was computed from, by value and by time: the times
 * say which stored readings an issued bill used (pm-meter void). */
static void reading_times(struct run *rn, struct pm_jw *w, sqlite3_stmt *st, int col)
{
	pm_jw_str(w, "opening_at", run_time(rn, sqlite3_column_int64(st, col)));
	pm_jw_str(w, "closing_at", run_time(rn, sqlite3_column_int64(st, col + 1)));
}

static void usage_facts(struct run *rn, struct pm_jw *w, sqlite3_stmt *st)
{
	char flags[96];

	pm_jw_str(w, "meter", TEXT(st, 0));
	pm_jw_dec(w, "opening", sqlite3_column_int64(st, 3), 3);
	pm_jw_dec(w, "closing", sqlite3_column_int64(st, 4), 3);
	reading_times(rn, w, st, 11);
	pm_jw_int(w, "multiplier", sqlite3_column_int64(st, 5));
	if (sqlite3_column_int(st, 6))
		pm_jw_str(w, "usage_flags", pm_usage_flag_names((unsigned)sqlite3_column_int(st, 6), flags, sizeof flags));
}

/* "estimated,missing,ytd_partial": what a line's usage rests on. */
static void line_flags(char *buf, size_t size, unsigned usage_flags, int ytd_partial)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {{PM_USAGE_ESTIMATED, "estimated"}, {PM_USAGE_MISSING, "missing"}, {0, "ytd_partial"}};
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof names / sizeof *names && n < size; i++)
		if (names[i].bit ? (usage_flags & names[i].bit) != 0 : ytd_partial)
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "," : "", names[i].name);
}

static int metered_meter(struct run *rn, size_t fi, const struct unit *u, sqlite3_stmt *st,
			 struct bill *b, struct pm_err *e)
{
	const struct fee *f = &rn->fees[fi];
	int64_t usage = sqlite3_column_int64(st, 2), regs[PM_TARIFF_REGS + 1] = {0}, before = 0, fen;
	unsigned flags = (unsigned)sqlite3_column_int(st, 6);
	char from[PM_TIME_BUF];
	int partial = 0;
	struct pm_jw w;
	struct line *l;
	json_t *c;
	size_t i, at;

	if (flags & PM_USAGE_HELD)
		return PM_OK;
	for (int r = 1; r <= PM_TARIFF_REGS; r++)
		regs[r] = sqlite3_column_int64(st, 6 + r);
	if (f->annual && year_to_date(rn, fi, u, &before, &partial, e))
		return e->code;
	at = bd_begin(rn, &w);
	if (pm_tariff_metered_w(&f->m, before, usage, regs, f->r, &fen, &w, e))
		return pm_err_prefix(e, _("unit '%s', fee '%s'"), u->code, f->name);
	usage_facts(rn, &w, st);
	if (sqlite3_column_int64(st, 13))
		pm_jw_dec(&w, "estimate_left", sqlite3_column_int64(st, 13) * sqlite3_column_int64(st, 5), 3);
	if (f->annual) {
		pm_jw_str(&w, "year_from", pm_period_fmt(year_start(f, rn->r->period), from));
		if (partial)
			pm_jw_true(&w, "ytd_partial");
	}
	bd_end(&w);
	if (!(l = line_add(rn, b, f, u, f->label, fen, at, e)))
		return e->code;
	l->usage = usage;
	l->has_usage = 1;
	l->meter_id = sqlite3_column_int64(st, 1);
	l->estimated = (flags & PM_USAGE_ESTIMATED) != 0;
	l->estimate = usage / sqlite3_column_int64(st, 5);
	l->carry = sqlite3_column_int64(st, 13);
	pm_decimal_fmt(usage, 3, l->quantity);
	line_flags(l->flags, sizeof l->flags, flags, partial);
	json_array_foreach(json_object_get(f->j, "components"), i, c) {
		struct pm_metered m = {.price = jint(c, "price"), .has_base = 1};
		struct line *cl;
		at = bd_begin(rn, &w);
		if (pm_tariff_metered_w(&m, 0, usage, regs, f->r, &fen, &w, e))
			return pm_err_prefix(e, _("unit '%s', fee '%s'"), u->code, f->name);
		usage_facts(rn, &w, st);
		bd_end(&w);
		if (!(cl = line_add(rn, b, f, u, jstr(c, "label"), fen, at, e)))
			return e->code;
		cl->meter_id = l->meter_id;
		memcpy(cl->quantity, l->quantity, sizeof cl->quantity);
		memcpy(cl->flags, l->flags, sizeof cl->flags);
	}
	return PM_OK;
}

static int metered(struct run *rn, size_t fi, const struct unit *u, struct bill *b, struct pm_err *e)
{
	static const char sql[] =
		"SELECT code, meter_id, usage, opening, closing, multiplier, flags, r1, r2, r3, r4, opening_ts, closing_ts,"
		" carry FROM temp.bu"
		" WHERE ucode = ?1 AND kind = ?2 ORDER BY code";
	sqlite3_stmt *st = pm_db_stmt(rn->db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, u->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rn->fees[fi].kind, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (metered_meter(rn, fi, u, st, b, e)) {
			sqlite3_reset(st);
			return e->code;
		}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(rn->db, e, _("cannot read usage"));
}

static int shared(struct run *rn, size_t fi, const struct unit *u, struct bill *b, struct pm_err *e)
{
	static const char sql[] =
		"SELECT meter, share, weight, total_weight, cost, usage, units, opening_ts, closing_ts, flags"
		" FROM temp.bs WHERE ucode = ?1 AND fee = ?2 ORDER BY meter";
	const struct fee *f = &rn->fees[fi];
	sqlite3_stmt *st = pm_db_stmt(rn->db, sql, e);
	char buf[PM_MONEY_BUF], names[96];
	unsigned flags = 0;
	int64_t sum = 0;
	struct line *l;
	struct pm_jw w;
	size_t at = 0, n = 0;
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, u->code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)fi);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (pm_money_add(&sum, sqlite3_column_int64(st, 1), e)) {
			sqlite3_reset(st);
			return pm_err_prefix(e, _("unit '%s', fee '%s'"), u->code, f->name);
		}
		if (!n++) {
			at = bd_begin(rn, &w);
			pm_jw_open(&w, "shares", '[');
		}
		pm_jw_open(&w, NULL, '{');
		pm_jw_str(&w, "meter", TEXT(st, 0));
		pm_jw_dec(&w, "usage", sqlite3_column_int64(st, 5), 3);
		pm_jw_str(&w, "cost", pm_money_fmt(sqlite3_column_int64(st, 4), buf));
		pm_jw_str(&w, "split", jstr(f->j, "split"));
		pm_jw_int(&w, "weight", sqlite3_column_int64(st, 2));
		pm_jw_int(&w, "total_weight", sqlite3_column_int64(st, 3));
		pm_jw_int(&w, "units", sqlite3_column_int64(st, 6));
		pm_jw_str(&w, "share", pm_money_fmt(sqlite3_column_int64(st, 1), buf));
		reading_times(rn, &w, st, 7);
		/* A common meter's estimate is the whole building's: each share
		 * of it says so, as a unit meter's line does. */
		if (sqlite3_column_int(st, 9))
			pm_jw_str(&w, "usage_flags", pm_usage_flag_names((unsigned)sqlite3_column_int(st, 9), names,
									sizeof names));
		flags |= (unsigned)sqlite3_column_int(st, 9);
		pm_jw_close(&w, '}');
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return pm_db_fail(rn->db, e, _("cannot read shared costs"));
	if (!n)
		return PM_OK;
	pm_jw_close(&w, ']');
	pm_jw_str(&w, "rounding", pm_rounding_name(f->r, buf, sizeof buf));
	pm_jw_str(&w, "amount", pm_money_fmt(sum, buf));
	bd_end(&w);
	if (!(l = line_add(rn, b, f, u, f->label, sum, at, e)))
		return e->code;
	snprintf(l->quantity, sizeof l->quantity, "%zu", n);
	line_flags(l->flags, sizeof l->flags, flags, 0);
	return PM_OK;
}

/* A charge is billed once its ticket is done: not while it is reopened
 * (the work is not done; the resolve that ends it may change the cost),
 * never when it is cancelled. What an issued bill holds stays on it. */
#define REPAIR_DONE " AND (SELECT status FROM ticket WHERE id = ticket_id) IN ('resolved','closed')"

/* Chargeable repairs (pm-repair resolve --cost) made before the period's
 * end: those on no bill yet and those on the unit's draft of the period
 * already, their tickets done; for an issued bill, those on it only (the
 * others go on the next). One line each; insert_bill marks them billed. */
static int repairs(struct run *rn, const struct fee *f, const struct unit *u, struct bill *b,
		   struct pm_err *e)
{
	static const char sql[] =
		"SELECT ticket_id, amount_fen FROM repair_charge WHERE unit_id = ?1 AND created_at < ?2"
		" AND (?4 = 1 AND billed_bill_id = ?3 OR ?4 = 0 AND (billed_bill_id = ?3 OR billed_bill_id IS NULL)"
		REPAIR_DONE ") ORDER BY ticket_id";
	sqlite3_stmt *st = pm_db_stmt(rn->db, sql, e);
	struct line *l;
	struct pm_jw w;
	size_t at;
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, u->id);
	sqlite3_bind_int64(st, 2, rn->end);
	sqlite3_bind_int64(st, 3, b->prior);
	sqlite3_bind_int(st, 4, b->own_only);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t ticket = sqlite3_column_int64(st, 0), fen = sqlite3_column_int64(st, 1);
		at = bd_begin(rn, &w);
		pm_jw_int(&w, "ticket", ticket);
		pm_jw_int(&w, "amount_fen", fen);
		bd_end(&w);
		if (!(l = line_add(rn, b, f, u, f->label, fen, at, e))) {
			sqlite3_reset(st);
			return e->code;
		}
		l->ticket = ticket;
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
		case FEE_METERED: rc = metered(rn, i, u, b, e); break;
		case FEE_SHARED: rc = shared(rn, i, u, b, e); break;
		case FEE_FIXED:
		case FEE_PARKING: rc = fixed(rn, f, u, b, e); break;
		case FEE_REPAIR: rc = repairs(rn, f, u, b, e); break;
		}
	}
	return rc;
}

static void digest_add(crypto_generichash_state *h, const char *s)
{
	crypto_generichash_update(h, (const unsigned char *)s, strlen(s) + 1);
}

/* "amount usage meter_id has_usage" as "%lld %lld %lld %d" writes
 * them, by pm_decimal_fmt: snprintf a line was 2.7% of a run. */
static void line_facts(const struct line *l, char out[96])
{
	const int64_t v[4] = {l->amount, l->usage, l->meter_id, l->has_usage};
	char num[PM_MONEY_BUF];
	size_t n = 0, k;

	for (int i = 0; i < 4; i++) {
		if (i)
			out[n++] = ' ';
		k = strlen(pm_decimal_fmt(v[i], 0, num));
		memcpy(out + n, num, k);
		n += k;
	}
	out[n] = '\0';
}

/* What the bill was computed from, as a digest in b->inputs: the config
 * version and each line's facts, its breakdown recording the readings,
 * usage, year to date, days and shares behind it. The breakdown enters
 * as the row stores it (line_text), so one dump serves both; digests made
 * before ("legacy", no "2-") dumped it again with sorted keys, and a bill
 * whose stored digest is one is compared the way it was made. */
static int bill_digest(const struct run *rn, struct bill *b, int legacy, struct pm_err *e)
{
	crypto_generichash_state h;
	unsigned char d[16];
	char num[96], *sorted;
	json_t *bd;

	if (rn->text.failed)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	crypto_generichash_init(&h, NULL, 0, sizeof d);
	snprintf(num, sizeof num, "v%lld", (long long)rn->version);
	digest_add(&h, num);
	for (int i = 0; i < b->n; i++) {
		struct line *l = &b->l[i];
		line_facts(l, num);
		digest_add(&h, num);
		digest_add(&h, l->fee);
		digest_add(&h, l->label);
		digest_add(&h, l->quantity);
		digest_add(&h, l->flags);
		if (!legacy) {
			digest_add(&h, line_text(rn, l));
			continue;
		}
		/* The object the text was written as, its keys sorted. */
		bd = json_loads(line_text(rn, l), 0, NULL);
		sorted = bd ? json_dumps(bd, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		json_decref(bd);
		if (!sorted)
			return pm_err_set(e, PM_EFAIL, _("out of memory"));
		digest_add(&h, sorted);
		free(sorted);
	}
	crypto_generichash_final(&h, d, sizeof d);
	snprintf(b->inputs, sizeof b->inputs, "%s", legacy ? "" : DIGEST_V2);
	sodium_bin2hex(b->inputs + strlen(b->inputs), sizeof b->inputs - strlen(b->inputs), d, sizeof d);
	return PM_OK;
}

/* A stored digest made before DIGEST_V2. */
static int digest_legacy(const char *inputs)
{
	return inputs[0] && strncmp(inputs, DIGEST_V2, strlen(DIGEST_V2)) != 0;
}

/* The bill emptied, its breakdowns' text too. */
static void bill_free(struct run *rn, struct bill *b)
{
	b->n = 0;
	b->total = 0;
	rn->text.n = 0;
}

/* ---- writing a bill ---- */

static void bill_code(const struct run *rn, const char *unit, char *code, size_t size)
{
	snprintf(code, size, "B-%s-%s", rn->period, unit);
}

/* The unit's bill of the period, if any (id 0 when none). */
struct prior {
	int64_t id, total;
	char status[16], inputs[DIGEST_HEX];
};

/* The prior's columns at col of st: id (NULL for none), status, inputs
 * ('' for none), total. */
#define PRIOR_COLS(b) b ".id, " b ".status, coalesce(" b ".inputs, ''), " b ".total_fen"
static void prior_of(sqlite3_stmt *st, int col, struct prior *p)
{
	memset(p, 0, sizeof *p);
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return;
	p->id = sqlite3_column_int64(st, col);
	snprintf(p->status, sizeof p->status, "%s", TEXT(st, col + 1));
	snprintf(p->inputs, sizeof p->inputs, "%s", TEXT(st, col + 2));
	p->total = sqlite3_column_int64(st, col + 3);
}

static int prior_find(struct run *rn, const struct unit *u, struct prior *p, struct pm_err *e)
{
	static const char sql[] =
		"SELECT " PRIOR_COLS("bill") " FROM bill WHERE unit_id = ? AND period = ?";
	sqlite3_stmt *st = pm_db_stmt(rn->db, sql, e);
	int rc;

	memset(p, 0, sizeof *p);
	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, u->id);
	sqlite3_bind_text(st, 2, rn->period, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		prior_of(st, 0, p);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pm_db_fail(rn->db, e, _("cannot read bills"));
	return PM_OK;
}

int pm_bill_release_estimates(struct pm_db *db, int64_t bill, int carried, struct pm_err *e)
{
	static const char sql[] =
		"DELETE FROM meter_estimate WHERE (meter_id, period) IN (SELECT l.meter_id, b.period FROM bill_line l"
		" JOIN bill b ON b.id = l.bill_id WHERE b.id = ?1 AND l.meter_id IS NOT NULL"
		" AND (?2 OR instr(l.flags, 'estimated')))";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, bill);
	sqlite3_bind_int(st, 2, carried);
	return pm_bill_step_done(db, st, _("cannot release estimates"), e);
}

/* A void of b lets go the estimates of the common meters whose units'
 * bills of the month are now all void: nobody paid for them, and the
 * next reading bills what they stood for, as a unit meter's after a
 * void. While one such bill stands, it billed a share of them. */
int pm_bill_release_common_estimates(struct pm_db *db, const struct pm_bill_row *b, struct pm_err *e)
{
	static const char sql[] =
		"DELETE FROM meter_estimate WHERE period = ?1 AND period_end = ?2 AND meter_id IN (SELECT m.id FROM meter m"
		" WHERE m.scope <> 'unit' AND NOT EXISTS (SELECT 1 FROM bill o JOIN unit u ON u.id = o.unit_id"
		" WHERE o.period = ?1 AND o.status <> 'void' AND o.id <> ?3"
		" AND (m.scope = 'community' OR u.building_id = m.building_id)))";
	struct pm_period p;
	int64_t start, end;
	sqlite3_stmt *st;

	if (pm_period_parse(b->period, &p, e))
		return e->code;
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	pm_period_bounds(p, pm_db_tz(db), &start, &end);
	sqlite3_bind_text(st, 1, b->period, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, end);
	sqlite3_bind_int64(st, 3, b->id);
	return pm_bill_step_done(db, st, _("cannot release estimates"), e);
}

/* A draft about to be rebuilt in place, so a payment that named it still
 * names it: its lines gone, its repair charges and estimates let go. */
static int clear_draft(struct run *rn, int64_t id, struct pm_err *e)
{
	static const char del[] = "DELETE FROM bill_line WHERE bill_id = ?";
	sqlite3_stmt *st;

	if (pm_bill_release_repairs(rn->db, id, e) || pm_bill_release_estimates(rn->db, id, 1, e) ||
	    !(st = pm_db_stmt(rn->db, del, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	return pm_bill_step_done(rn->db, st, _("cannot rebuild the draft"), e);
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

	if (!st)
		return e->code;
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
	sqlite3_bind_text(st, 9, line_text(rn, l), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, l->flags, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, rn->version);
	return pm_bill_step_done(rn->db, st, _("cannot write bill lines"), e);
}

/* The same charges repairs() read, now on bill id. */
static int mark_repairs(struct run *rn, const struct unit *u, int64_t id, struct pm_err *e)
{
	static const char sql[] =
		"UPDATE repair_charge SET billed_bill_id = ?3"
		" WHERE unit_id = ?1 AND billed_bill_id IS NULL AND created_at < ?2" REPAIR_DONE;
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

/* Usage billed on an estimate, so the reading that comes takes it off;
 * and what a reading took off less of than was billed, so the readings
 * after it take the rest off. */
static int record_estimates(struct run *rn, const struct bill *b, struct pm_err *e)
{
	for (int i = 0; i < b->n; i++)
		if ((b->l[i].estimated &&
		     pm_usage_estimate_record(rn->db, b->l[i].meter_id, rn->r->period, b->l[i].estimate, 0, e)) ||
		    (b->l[i].carry > 0 &&
		     pm_usage_estimate_record(rn->db, b->l[i].meter_id, rn->r->period, b->l[i].carry, 1, e)))
			return e->code;
	return PM_OK;
}

/* Writes the bill, as a new draft or over the draft id being rebuilt. */
static int insert_bill(struct run *rn, const struct unit *u, const struct bill *b, const char *code,
		       int64_t id, struct pm_err *e)
{
	static const char ins[] =
		"INSERT INTO bill (code, unit_id, period, status, config_version, total_fen, inputs, created_at,"
		" updated_at) VALUES (?1, ?2, ?3, 'draft', ?4, ?5, ?8, ?6, ?6)";
	static const char upd[] =
		"UPDATE bill SET config_version = ?4, total_fen = ?5, inputs = ?8, updated_at = ?6 WHERE id = ?7";
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
	sqlite3_bind_text(st, 8, b->inputs, -1, SQLITE_STATIC);
	if (pm_bill_step_done(rn->db, st, _("cannot write bills"), e))
		return e->code;
	if (!id)
		id = sqlite3_last_insert_rowid(pm_db_sqlite(rn->db));
	for (int i = 0; i < b->n; i++)
		if (insert_line(rn, id, i + 1, &b->l[i], e))
			return e->code;
	if (record_estimates(rn, b, e))
		return e->code;
	return rn->repair_fee ? mark_repairs(rn, u, id, e) : PM_OK;
}

/* One record per bill: made, skipped, or changed (an issued bill whose
 * inputs changed: what it would be now, and the difference). */
static int tell(struct run *rn, const struct unit *u, const char *code, const char *outcome,
		const struct bill *b, const struct prior *p, struct pm_err *e)
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
	if (p)
		json_object_set_new(rec, "difference_fen", json_integer(b->total - p->total));
	rc = rn->r->fn(rn->r->ctx, rec);
	json_decref(rec);
	return rc;
}

/* The bill computed, against the unit's bill of the period: made when
 * there is none; a draft rebuilt when its inputs changed (or with
 * recompute); an issued bill told of when its inputs changed (pm-bill
 * rebill proposes the note); else skipped, and nothing written. */
static int bill_settle(struct run *rn, const struct unit *u, const char *code, const struct prior *p,
		       const struct bill *b, struct pm_err *e)
{
	int same = p->id && strcmp(p->inputs, b->inputs) == 0;

	if (p->id && strcmp(p->status, "draft") != 0) {
		if (same)
			goto skip;
		rn->r->changed++;
		return tell(rn, u, code, "changed", b, p, e);
	}
	if (same && !rn->r->recompute)
		goto skip;
	if (p->id) {
		if (clear_draft(rn, p->id, e))
			return e->code;
		rn->r->recomputed++;
		if (!b->n)
			return drop_draft(rn, p->id, e);
	}
	if (!b->n)
		return PM_OK;
	if (insert_bill(rn, u, b, code, p->id, e) || pm_money_add(&rn->r->total, b->total, e))
		return e->code;
	rn->r->made++;
	rn->r->vacant += b->vacant;
	return tell(rn, u, code, rn->r->dry_run ? "dry-run" : "made", b, NULL, e);
skip:
	rn->r->skipped++;
	return tell(rn, u, code, "skipped", NULL, NULL, e);
}

/* Unit u billed; known: its bill of the period as the batch's query
 * read it (bill_batch), or NULL to look it up. */
static int bill_unit(struct run *rn, const struct unit *u, const struct prior *known, struct pm_err *e)
{
	struct prior p;
	struct bill *b = rn->bill;
	char code[96];
	int rc;

	bill_code(rn, u->code, code, sizeof code);
	if (known)
		p = *known;
	else if (prior_find(rn, u, &p, e))
		return e->code;
	/* A void bill stays void; an issued one from before digests were
	 * kept has nothing to compare with. */
	if (p.id && (strcmp(p.status, "void") == 0 || (strcmp(p.status, "draft") != 0 && !p.inputs[0]))) {
		rn->r->skipped++;
		return tell(rn, u, code, "skipped", NULL, NULL, e);
	}
	if (!b && !(b = rn->bill = malloc(sizeof *b)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	memset(b, 0, offsetof(struct bill, l));
	b->prior = p.id;
	b->own_only = p.id && strcmp(p.status, "draft") != 0;
	rc = unit_lines(rn, u, b, e);
	if (rc == PM_OK)
		rc = bill_digest(rn, b, digest_legacy(p.inputs), e);
	if (rc == PM_OK)
		rc = bill_settle(rn, u, code, &p, b, e);
	bill_free(rn, b);
	return rc;
}

#define UNIT_COLS "u.id, u.code, u.area_centi, u.use, u.delivered"

static void unit_of(sqlite3_stmt *st, struct unit *u)
{
	u->id = sqlite3_column_int64(st, 0);
	u->code = TEXT(st, 1);
	u->area = sqlite3_column_int64(st, 2);
	u->use = TEXT(st, 3);
	u->delivered = TEXT(st, 4);
	u->resided = -1;
}

/* Units after *after in code order, batch of them, each billed; *after
 * moves on, *done counts. 0 rows: the end. Each unit comes with whether
 * a residence reaches into the period, as pm_unit_vacancy's query asks
 * (an index seek, in this batch's transaction: unit_vacancy), and with
 * its bill of the period if any (prior_find's look-up, one statement a
 * unit fewer). A unit's bill written while the query is under way is
 * its own: the join never meets it for a later unit. */
static int bill_batch(struct run *rn, char *after, size_t size, long *rows, struct pm_err *e)
{
	static const char sql[] = "SELECT " UNIT_COLS ", EXISTS (SELECT 1 FROM occupancy o WHERE o.unit_id = u.id"
		" AND o.since <= ?2 AND (o.until IS NULL OR o.until > ?4)), " PRIOR_COLS("b")
		" FROM unit u LEFT JOIN bill b ON b.unit_id = u.id AND b.period = ?5"
		" WHERE u.code > ?1 AND " UNIT_BILLABLE("u", "?2") " ORDER BY u.code LIMIT ?3";
	sqlite3_stmt *st = pm_db_stmt(rn->db, sql, e);
	char last[PM_TIME_BUF], first[PM_TIME_BUF];
	struct prior p;
	struct unit u;
	int rc;

	*rows = 0;
	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, after, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, pm_date_fmt(rn->last, last), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, rn->r->batch);
	sqlite3_bind_text(st, 4, pm_date_fmt(rn->first, first), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, rn->period, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		unit_of(st, &u);
		u.resided = sqlite3_column_int(st, 5);
		prior_of(st, 6, &p);
		snprintf(after, size, "%s", u.code);
		(*rows)++;
		if (bill_unit(rn, &u, &p, e)) {
			sqlite3_reset(st);
			return e->code;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(rn->db, e, _("cannot read units"));
}

static int bill_named(struct run *rn, const char *code, struct pm_err *e)
{
	static const char sql[] = "SELECT " UNIT_COLS ", " UNIT_BILLABLE("u", "?2") " FROM unit u WHERE u.code = ?1";
	sqlite3_stmt *st = pm_db_stmt(rn->db, sql, e);
	char last[PM_TIME_BUF];
	struct unit u;
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, pm_date_fmt(rn->last, last), -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		unit_of(st, &u);
		rc = sqlite3_column_int(st, 5) ? bill_unit(rn, &u, NULL, e) : PM_OK;
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

/* The run's audit record (pm_audit_run), inside a batch's transaction:
 * "running" once, in the first batch that made bills when more follow,
 * "done" in the last; none for a dry run or a run that made nothing. */
static int run_audit(struct run *rn, int last, struct pm_err *e)
{
	char object[64];
	json_t *after;
	int rc;

	if (rn->r->dry_run || (!rn->r->made && !rn->r->recomputed) || (!last && rn->running))
		return PM_OK;
	snprintf(object, sizeof object, "bill-run:%s", rn->period);
	after = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "made", (json_int_t)rn->r->made,
			  "skipped", (json_int_t)rn->r->skipped, "recomputed", (json_int_t)rn->r->recomputed,
			  "changed", (json_int_t)rn->r->changed, "vacant", (json_int_t)rn->r->vacant,
			  "total_fen", (json_int_t)rn->r->total, "config_version", (json_int_t)rn->version);
	rc = pm_audit_run(rn->db, "bill.run", object, last ? "done" : "running", rn->started, after, e);
	json_decref(after);
	rn->running = 1;
	return rc;
}

static int bill_all(struct run *rn, struct pm_err *e)
{
	char after[128] = "";
	long rows = 0, done = 0, total = 0;

	count_units(rn, &total);
	do {
		if (pm_db_begin(rn->db, e))
			return e->code;
		if (common_estimates(rn, e) || bill_batch(rn, after, sizeof after, &rows, e) ||
		    run_audit(rn, rows < rn->r->batch, e)) {
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
	if (common_estimates(rn, e)) {
		pm_db_rollback(rn->db);
		return e->code;
	}
	for (size_t i = 0; i < rn->r->nunits; i++)
		if (bill_named(rn, rn->r->units[i], e)) {
			pm_db_rollback(rn->db);
			return e->code;
		}
	if (run_audit(rn, 1, e)) {
		pm_db_rollback(rn->db);
		return e->code;
	}
	return batch_end(rn, e);
}

static void run_close(struct run *rn)
{
	free(rn->commons);
	free(rn->bill);
	free(rn->text.p);
	free(rn->fees);
	json_decref(rn->billing);
	pm_config_free(rn->cfg);
}

/* What billing r->period needs, read once: the config version in force
 * on its first day, its fee items, every meter's usage and year to date,
 * the shared costs split. run_close frees it, whatever this returns. */
static int run_open(struct pm_db *db, struct pm_bill_run *r, struct run *rn, struct pm_err *e)
{
	const char *tz = pm_db_tz(db);

	memset(rn, 0, sizeof *rn);
	rn->db = db;
	rn->r = r;
	rn->e = e;
	rn->started = pm_now();
	pm_period_fmt(r->period, rn->period);
	pm_period_bounds(r->period, tz, &rn->start, &rn->end);
	rn->first = pm_date_of(rn->start, tz);
	rn->last = pm_date_of(rn->end, tz) - 1;
	rn->pdays = pm_period_days(r->period);
	/* libsodium picks its fastest BLAKE2b (AVX2 or SSE4.1) in
	 * sodium_init: without it each bill's digest ran the portable code
	 * (blake2b_compress_ref, 5.9% of a run). */
	if (sodium_init() < 0)
		return pm_err_set(e, PM_ESOFTWARE, _("cannot initialise libsodium"));
	if (pm_db_bulk(db, e) || pm_billing_config(db, rn->first, &rn->cfg, &rn->billing, e))
		return e->code;
	rn->version = pm_config_version(rn->cfg);
	if (fees_load(pm_config_section(rn->cfg, "fees"), &rn->fees, &rn->nfees, e))
		return e->code;
	for (size_t i = 0; i < rn->nfees; i++)
		rn->repair_fee |= rn->fees[i].type == FEE_REPAIR;
	if (rn->nfees == 0)
		return pm_err_set(e, PM_ECONFIG, _("no fee items in config version %lld: add a \"fees\" section"),
				  (long long)rn->version);
	if (usage_load(rn, e) || shares_load(rn, e))
		return e->code;
	return PM_OK;
}

/* A period after the current month (in the community's zone) is billed
 * only when asked: a typo of the year would bill a year ahead. */
static int not_ahead(struct pm_db *db, const struct pm_bill_run *r, struct pm_err *e)
{
	struct pm_period now = pm_period_of(pm_now(), pm_db_tz(db));
	char p[PM_TIME_BUF], n[PM_TIME_BUF];

	if (r->future || pm_period_cmp(r->period, now) <= 0)
		return PM_OK;
	return pm_err_set(e, PM_EDATA, _("period %s has not begun (it is %s now): give --future to bill ahead"),
			  pm_period_fmt(r->period, p), pm_period_fmt(now, n));
}

int pm_bill_run(struct pm_db *db, struct pm_bill_run *r, struct pm_err *e)
{
	struct run rn;
	int rc;

	r->made = r->skipped = r->recomputed = r->changed = r->vacant = 0;
	r->total = 0;
	if (r->batch <= 0)
		r->batch = 5000;
	if (not_ahead(db, r, e))
		return e->code;
	rc = run_open(db, r, &rn, e);
	if (rc == PM_OK)
		rc = r->units ? bill_list(&rn, e) : bill_all(&rn, e);
	run_close(&rn);
	return rc;
}

/* ---- rebill: an issued bill against its inputs now ---- */

/* A stored line, to be matched with one computed: by fee, label, meter
 * and repair ticket. */
struct was {
	char fee[64], label[128], quantity[PM_MONEY_BUF];
	int64_t meter_id, ticket, amount;
	int matched;
};

static int was_load(struct pm_db *db, int64_t bill, struct was **out, size_t *n, struct pm_err *e)
{
	static const char sql[] =
		"SELECT fee, label, coalesce(quantity, ''), coalesce(meter_id, 0),"
		" coalesce(json_extract(breakdown, '$.ticket'), 0), amount_fen FROM bill_line WHERE bill_id = ? ORDER BY seq";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	struct was *w = calloc(MAX_LINES, sizeof *w);
	int rc;

	*out = w;
	*n = 0;
	if (!st || !w)
		return st ? pm_err_set(e, PM_EFAIL, _("out of memory")) : e->code;
	sqlite3_bind_int64(st, 1, bill);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < MAX_LINES) {
		snprintf(w[*n].fee, sizeof w[*n].fee, "%s", TEXT(st, 0));
		snprintf(w[*n].label, sizeof w[*n].label, "%s", TEXT(st, 1));
		snprintf(w[*n].quantity, sizeof w[*n].quantity, "%s", TEXT(st, 2));
		w[*n].meter_id = sqlite3_column_int64(st, 3);
		w[*n].ticket = sqlite3_column_int64(st, 4);
		w[(*n)++].amount = sqlite3_column_int64(st, 5);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot read bill lines"));
}

static int rebill_line(struct pm_rebill *rb, const char *fee, const char *label, const char *quantity,
		       int64_t was, int64_t now, json_t *lines)
{
	json_t *rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "type", "rebill_line", "bill", rb->bill,
				"fee", fee, "label", label, "quantity", quantity, "was_fen", (json_int_t)was,
				"now_fen", (json_int_t)now, "difference_fen", (json_int_t)(now - was));
	int rc = rb->fn ? rb->fn(rb->ctx, rec) : PM_OK;

	json_array_append_new(lines, rec);
	return rc;
}

/* Each line computed now against the stored line it matches (or none),
 * then each stored line no longer computed; the lines in *lines. */
static int rebill_compare(struct pm_rebill *rb, const struct bill *b, struct was *w, size_t nw, json_t *lines)
{
	int rc = PM_OK;

	for (int i = 0; i < b->n && rc == PM_OK; i++) {
		const struct line *l = &b->l[i];
		int64_t ticket = l->ticket, was = 0;
		for (size_t j = 0; j < nw; j++)
			if (!w[j].matched && strcmp(w[j].fee, l->fee) == 0 && strcmp(w[j].label, l->label) == 0 &&
			    w[j].meter_id == l->meter_id && w[j].ticket == ticket) {
				w[j].matched = 1;
				was = w[j].amount;
				break;
			}
		rc = rebill_line(rb, l->fee, l->label, l->quantity, was, l->amount, lines);
	}
	for (size_t j = 0; j < nw && rc == PM_OK; j++)
		if (!w[j].matched)
			rc = rebill_line(rb, w[j].fee, w[j].label, w[j].quantity, w[j].amount, 0, lines);
	return rc;
}

/* The note, the new inputs and the estimates the lines rest on now, and
 * the audit record: one transaction. */
static int rebill_record(struct run *rn, struct pm_rebill *rb, const struct pm_bill_row *row,
			 const struct bill *b, json_t *lines, struct pm_err *e)
{
	static const char sql[] = "UPDATE bill SET inputs = ?2, updated_at = ?3 WHERE id = ?1";
	json_t *after;
	sqlite3_stmt *st;
	char object[128];
	int rc;

	if (pm_db_begin(rn->db, e))
		return e->code;
	rc = rb->difference ? pm_bill_adjust_apply(rn->db, row, rb->difference, rb->reason, NULL, e) : PM_OK;
	if (rc == PM_OK && (rc = pm_bill_release_estimates(rn->db, row->id, 1, e)) == PM_OK)
		rc = record_estimates(rn, b, e);
	if (rc == PM_OK && !(st = pm_db_stmt(rn->db, sql, e)))
		rc = e->code;
	if (rc == PM_OK) {
		sqlite3_bind_int64(st, 1, row->id);
		sqlite3_bind_text(st, 2, b->inputs, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, pm_now());
		rc = pm_bill_step_done(rn->db, st, _("cannot update bills"), e);
	}
	snprintf(object, sizeof object, "bill:%s", row->code);
	after = json_pack("{s:I, s:s, s:O}", "difference_fen", (json_int_t)rb->difference, "reason", rb->reason,
			  "lines", lines);
	if (rc == PM_OK)
		rc = pm_audit_log(rn->db, "bill.rebill", object, NULL, after, e);
	json_decref(after);
	if (rc) {
		pm_db_rollback(rn->db);
		return rc;
	}
	return pm_db_commit(rn->db, e);
}

static int rebill_bill(struct run *rn, struct pm_rebill *rb, const struct pm_bill_row *row,
		       struct bill *b, struct pm_err *e)
{
	static const char sql[] = "SELECT coalesce(inputs, '') FROM bill WHERE id = ?";
	static const char unit_sql[] = "SELECT " UNIT_COLS " FROM unit u WHERE u.id = ?1";
	sqlite3_stmt *st = pm_db_stmt(rn->db, unit_sql, e);
	char inputs[DIGEST_HEX] = "";
	struct was *w = NULL;
	json_t *lines = json_array();
	struct unit u;
	size_t nw;
	int rc;

	if (!st) {
		json_decref(lines);
		return e->code;
	}
	sqlite3_bind_int64(st, 1, row->unit_id);
	rc = sqlite3_step(st) == SQLITE_ROW ? PM_OK : pm_db_fail(rn->db, e, _("cannot read units"));
	if (rc == PM_OK) {
		unit_of(st, &u);
		rc = unit_lines(rn, &u, b, e);
	}
	sqlite3_reset(st);
	if (rc == PM_OK && (st = pm_db_stmt(rn->db, sql, e))) {
		sqlite3_bind_int64(st, 1, row->id);
		if (sqlite3_step(st) == SQLITE_ROW)
			snprintf(inputs, sizeof inputs, "%s", TEXT(st, 0));
		sqlite3_reset(st);
	}
	if (rc == PM_OK)
		rc = bill_digest(rn, b, digest_legacy(inputs), e);
	rb->changed = strcmp(inputs, b->inputs) != 0;
	rb->now = b->total;
	rb->difference = b->total - row->total;
	if (rc == PM_OK && rb->changed && (rc = was_load(rn->db, row->id, &w, &nw, e)) == PM_OK)
		rc = rebill_compare(rb, b, w, nw, lines);
	if (rc == PM_OK && rb->changed && rb->confirm)
		rc = rebill_record(rn, rb, row, b, lines, e);
	free(w);
	json_decref(lines);
	return rc;
}

int pm_bill_rebill(struct pm_db *db, struct pm_rebill *rb, struct pm_err *e)
{
	struct pm_bill_run r = {0};
	struct pm_bill_row row;
	struct bill *b;
	struct run rn;
	int rc;

	rb->changed = 0;
	rb->was = rb->now = rb->difference = 0;
	if (pm_bill_row(db, rb->bill, &row, e))
		return e->code;
	if (strcmp(row.status, "draft") == 0)
		return pm_err_set(e, PM_EDATA, _("bill '%s' is a draft: pm-bill run rebuilds it"), rb->bill);
	if (strcmp(row.status, "void") == 0)
		return pm_err_set(e, PM_EDATA, _("bill '%s' is void"), rb->bill);
	rb->was = row.total;
	if (pm_period_parse(row.period, &r.period, e))
		return e->code;
	if (!(b = calloc(1, sizeof *b)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	b->prior = row.id;
	b->own_only = 1;
	rc = run_open(db, &r, &rn, e);
	if (rc == PM_OK)
		rc = rebill_bill(&rn, rb, &row, b, e);
	bill_free(&rn, b);
	run_close(&rn);
	free(b);
	return rc;
}
