/* Shared by the unit tests of bills and payments: a store (tstore.h) with
 * the clock fixed at 2026-12-01T09:00+08:00, a configuration with three
 * fee items and billing rules simple enough to work out by hand, and the
 * units each suite names. Include after cmocka.h. */
#ifndef PM_TBILL_H
#define PM_TBILL_H

#include <stdarg.h>
#include <string.h>

#include <jansson.h>

#include "pm/bill.h"
#include "pm/check.h"
#include "pm/community.h"
#include "pm/config.h"
#include "pm/ledger.h"
#include "tstore.h"

/* Residential prices: property 2.00 a m² a month (half off while vacant),
 * garbage 15.00 and cable TV 8.00 a month; commercial property 3.50 a m²
 * and nothing else. Payments go to TV first, then property, then what
 * the order leaves out (garbage). Late fees: 5 bp a day of the principal
 * without garbage, after 5 days' grace, up to 10% of it; unit 1-1-103 is
 * exempt. */
#define TBILL_CONFIG \
	"effective: %s\n" \
	"community:\n  name: 测试小区\n  timezone: Asia/Shanghai\n" \
	"billing:\n" \
	"  due_day: 15\n" \
	"  grace_days: 5\n" \
	"  late_fee:\n" \
	"    daily_bp: 5\n" \
	"    cap_percent: 10\n" \
	"    exempt_items: [garbage]\n" \
	"    exempt_units: [1-1-103]\n" \
	"  allocation_order: [tv, property]\n" \
	"fees:\n" \
	"  - name: property\n" \
	"    label: 物业费\n" \
	"    type: per_area\n" \
	"    prices: {residential: %s, commercial: 3.5}\n" \
	"    vacant_discount_percent: 50\n" \
	"  - name: garbage\n" \
	"    label: 垃圾费\n" \
	"    type: fixed\n" \
	"    amounts: {residential: 15}\n" \
	"  - name: tv\n" \
	"    label: 有线电视\n" \
	"    type: fixed\n" \
	"    amounts: {residential: 8}\n"

/* Applies TBILL_CONFIG effective from the date given, with the
 * residential property price given (yuan a m²). */
static inline void tbill_apply(struct pm_db *db, const char *effective, const char *price)
{
	char text[2048];
	struct pm_config *cfg;
	struct pm_err e = {0};
	int64_t version;
	int n = snprintf(text, sizeof text, TBILL_CONFIG, effective, price);

	if (pm_config_load(text, (size_t)n, "pm.yaml", &cfg, &e))
		fail_msg("config: %s", e.msg);
	if (pm_config_apply(db, cfg, "pm.yaml", &version, &e))
		fail_msg("apply: %s", e.msg);
	pm_config_free(cfg);
}

/* Vacancy comes from occupancy alone (pm_unit_vacancy): a unit a suite
 * calls occupied or rented gets a resident, an owner or a tenant, who
 * has lived there since 2000 (person R-CODE). */
static inline void tbill_resident(struct pm_db *db, json_t *unit)
{
	const char *code = json_string_value(json_object_get(unit, "code")),
		   *status = json_string_value(json_object_get(unit, "status"));
	struct pm_err e = {0};
	enum pm_upsert did;
	char person[64];
	json_t *p;

	if (!status || (strcmp(status, "occupied") && strcmp(status, "rented")))
		return;
	snprintf(person, sizeof person, "R-%s", code);
	p = json_pack("{s:s, s:s, s:s, s:s, s:s}", "code", person, "name", "住户", "unit", code,
		      "role", strcmp(status, "rented") ? "owner" : "tenant", "since", "2000-01-01");
	if (pm_person_upsert(db, p, &did, &e))
		fail_msg("resident of %s: %s", code, e.msg);
	json_decref(p);
}

static inline int tbill_setup(void **state, const char *const *units, size_t n)
{
	struct pm_err e = {0};
	struct tstore *t;
	enum pm_upsert did;

	setenv("PM_NOW", "2026-12-01T09:00:00+08:00", 1);
	if (tstore_setup(state))
		return -1;
	t = *state;
	pm_db_set_actor(t->db, "tester");
	if (pm_config_init(t->db, "测试小区", "Asia/Shanghai", &e))
		fail_msg("init: %s", e.msg);
	tbill_apply(t->db, "2026-01-01", "2");
	assert_int_equal(pm_db_begin(t->db, &e), PM_OK);
	for (size_t i = 0; i < n; i++) {
		json_t *u = json_loads(units[i], 0, NULL);
		assert_non_null(u);
		if (pm_unit_upsert(t->db, u, &did, &e))
			fail_msg("unit %s: %s", units[i], e.msg);
		tbill_resident(t->db, u);
		json_decref(u);
	}
	assert_int_equal(pm_db_commit(t->db, &e), PM_OK);
	return 0;
}

/* The first column of the first row of a printf-made query, as an
 * integer (0 for none). */
static inline int64_t tbill_int(struct pm_db *db, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline int64_t tbill_int(struct pm_db *db, const char *fmt, ...)
{
	char sql[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	return strtoll(tstore_sql(db, sql), NULL, 10);
}

/* The same, as text. */
static inline const char *tbill_str(struct pm_db *db, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline const char *tbill_str(struct pm_db *db, const char *fmt, ...)
{
	char sql[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	return tstore_sql(db, sql);
}

static inline struct pm_period tbill_period(const char *s)
{
	struct pm_period p;
	struct pm_err e = {0};

	if (pm_period_parse(s, &p, &e))
		fail_msg("period %s: %s", s, e.msg);
	return p;
}

static inline int32_t tbill_day(const char *s)
{
	struct pm_err e = {0};
	int32_t d;

	if (pm_date_parse(s, &d, &e))
		fail_msg("date %s: %s", s, e.msg);
	return d;
}

/* A bill run of the period for one unit, or all when unit is NULL. */
static inline struct pm_bill_run tbill_run(struct pm_db *db, const char *period, const char *unit,
					   int recompute)
{
	struct pm_bill_run r = {.period = tbill_period(period), .recompute = recompute};
	struct pm_err e = {0};
	char *units[1] = {(char *)unit};

	if (unit) {
		r.units = units;
		r.nunits = 1;
	}
	if (pm_bill_run(db, &r, &e))
		fail_msg("run %s: %s", period, e.msg);
	r.units = NULL;
	return r;
}

/* Issues the period's drafts due on the date given. */
static inline struct pm_bill_issue tbill_issue(struct pm_db *db, const char *period, const char *due)
{
	struct pm_bill_issue is = {.period = tbill_period(period), .due = due ? tbill_day(due) : -1};
	struct pm_err e = {0};

	if (pm_bill_issue(db, &is, &e))
		fail_msg("issue %s: %s", period, e.msg);
	return is;
}

/* A payment in a transaction of its own, as pm-bill pay makes it: the
 * code, what it did and its record through the pointers, the message in
 * e. amount in fen; bill may be NULL. */
static inline int tbill_pay(struct pm_db *db, const char *unit, const char *channel, const char *ref,
			    const char *bill, int64_t amount, enum pm_pay_did *did, json_t **out,
			    struct pm_err *e)
{
	struct pm_pay p = {.unit = unit, .channel = channel, .ref = ref, .bill = bill, .amount = amount,
			   .at = pm_now()};
	enum pm_pay_did d = (enum pm_pay_did)-1;
	json_t *o = NULL;
	int rc;

	assert_int_equal(pm_db_begin(db, e), PM_OK);
	rc = pm_bill_pay(db, &p, &d, &o, e);
	if (rc)
		pm_db_rollback(db);
	else
		assert_int_equal(pm_db_commit(db, e), PM_OK);
	if (did)
		*did = d;
	if (out)
		*out = o;
	else
		json_decref(o);
	return rc;
}

/* A payment that must be recorded; returns the fen allocated to bills. */
static inline int64_t tbill_pay_ok(struct pm_db *db, const char *unit, const char *ref, const char *bill,
				   int64_t amount)
{
	struct pm_err e = {0};
	enum pm_pay_did did;
	json_t *out;
	int64_t allocated;

	if (tbill_pay(db, unit, "wechat", ref, bill, amount, &did, &out, &e))
		fail_msg("pay %s: %s", ref, e.msg);
	assert_int_equal(did, PM_PAY_RECORDED);
	allocated = json_integer_value(json_object_get(out, "allocated_fen"));
	json_decref(out);
	return allocated;
}

static inline int64_t tbill_balance(struct pm_db *db, const char *prefix, const char *name)
{
	struct pm_posting p;
	struct pm_err e = {0};
	int64_t fen;

	pm_posting_set(&p, prefix, name, 0);
	if (pm_ledger_balance(db, p.account, &fen, &e))
		fail_msg("balance %s: %s", p.account, e.msg);
	return fen;
}

static inline void tbill_problem(void *ctx, const char *check, const char *problem)
{
	(void)ctx;
	print_error("pm check: %s: %s\n", check, problem);
}

/* pm check's invariants hold: the ledger balances, every bill's paid
 * amount is what was allocated to it, every unit's receivable is what
 * its bills owe. */
static inline void tbill_check(struct pm_db *db)
{
	struct pm_err e = {0};

	if (pm_check_run(db, tbill_problem, NULL, &e))
		fail_msg("pm check: %s", e.msg);
}

#endif
