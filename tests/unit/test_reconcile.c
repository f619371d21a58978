#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "pm/community.h"
#include "pm/db.h"
#include "pm/reconcile.h"
#include "tstore.h"

/* Two units and three wechat payments: 1 Dec 10:00 and 23:30, 2 Dec 08:00
 * (Asia/Shanghai, the default zone), and one alipay payment. */
static int setup(void **state)
{
	static const char *const units[] = {"{\"code\":\"1-1-101\",\"area\":\"80\"}",
					    "{\"code\":\"1-1-102\",\"area\":\"90\"}"};
	struct pm_err e = {0};
	struct tstore *t;
	enum pm_upsert did;

	if (tstore_setup(state))
		return -1;
	t = *state;
	assert_int_equal(pm_db_begin(t->db, &e), PM_OK);
	for (int i = 0; i < 2; i++) {
		json_t *rec = json_loads(units[i], 0, NULL);
		assert_int_equal(pm_unit_upsert(t->db, rec, &did, &e), PM_OK);
		json_decref(rec);
	}
	assert_int_equal(pm_db_exec(t->db,
		"INSERT INTO payment (channel, ref, unit_id, amount_fen, at, created_at) VALUES"
		" ('wechat', 'W-1', 1, 10000, 1796090400, 0),"  /* 2026-12-01T10:00+08 */
		" ('wechat', 'W-2', 2, 5050, 1796139000, 0),"   /* 2026-12-01T23:30+08 */
		" ('wechat', 'W-3', 1, 2000, 1796169600, 0),"   /* 2026-12-02T08:00+08 */
		" ('alipay', 'A-1', 2, 4000, 1796097600, 0)", &e), PM_OK);
	assert_int_equal(pm_db_commit(t->db, &e), PM_OK);
	return 0;
}

static void add(struct pm_reconcile *r, const char *text, int want)
{
	json_t *rec = json_loads(text, 0, NULL);
	struct pm_err e = {0};

	assert_non_null(rec);
	assert_int_equal(pm_reconcile_add(r, rec, &e), want);
	json_decref(rec);
}

struct seen {
	char lines[8][256];
	int n;
};

static int keep(void *ctx, json_t *rec)
{
	struct seen *s = ctx;
	json_t *st = json_object_get(rec, "statement_fen"), *sto = json_object_get(rec, "store_fen");

	assert_true(s->n < 8);
	snprintf(s->lines[s->n++], sizeof s->lines[0], "%s %s %lld %lld %s",
		 json_string_value(json_object_get(rec, "status")), json_string_value(json_object_get(rec, "ref")),
		 json_is_null(st) ? -1LL : (long long)json_integer_value(st),
		 json_is_null(sto) ? -1LL : (long long)json_integer_value(sto),
		 json_is_null(json_object_get(rec, "unit")) ? "-" : json_string_value(json_object_get(rec, "unit")));
	return 0;
}

static void test_each_status(void **state)
{
	struct tstore *t = T(state);
	struct pm_reconcile *r;
	struct pm_err e = {0};
	struct seen s = {0};
	long n[PM_RECON_NSTATUS];

	assert_int_equal(pm_reconcile_new("wechat", &r, &e), PM_OK);
	add(r, "{\"ref\":\"W-1\",\"amount\":\"100.00\",\"time\":\"2026-12-01T10:00:00+08:00\"}", PM_OK);
	add(r, "{\"ref\":\"W-2\",\"amount\":50.05,\"time\":\"2026-12-01T23:30:00+08:00\"}", PM_OK);
	add(r, "{\"ref\":\"W-9\",\"amount\":\"0.01\",\"time\":\"2026-12-01T12:00:00+08:00\"}", PM_OK);
	assert_int_equal(pm_reconcile_run(t->db, r, keep, &s, n, &e), PM_OK);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.lines[0], "matched W-1 10000 10000 1-1-101");
	assert_string_equal(s.lines[1], "amount_mismatch W-2 5005 5050 1-1-102");
	assert_string_equal(s.lines[2], "missing_in_store W-9 1 -1 -");
	assert_int_equal(n[PM_RECON_MATCHED], 1);
	assert_int_equal(n[PM_RECON_AMOUNT_MISMATCH], 1);
	assert_int_equal(n[PM_RECON_MISSING_IN_STORE], 1);
	assert_int_equal(n[PM_RECON_MISSING_IN_STATEMENT], 0);
	pm_reconcile_free(r);
}

/* The statement's days run from its first entry's day to its last's. */
static void test_statement_days(void **state)
{
	struct tstore *t = T(state);
	struct pm_reconcile *r;
	struct pm_err e = {0};
	struct seen s = {0};
	long n[PM_RECON_NSTATUS];

	assert_int_equal(pm_reconcile_new("wechat", &r, &e), PM_OK);
	add(r, "{\"ref\":\"W-3\",\"amount\":\"20\",\"time\":\"2026-12-02T23:59:59+08:00\"}", PM_OK);
	add(r, "{\"ref\":\"W-1\",\"amount\":\"100\",\"time\":\"2026-12-01T00:00:00+08:00\"}", PM_OK);
	assert_int_equal(pm_reconcile_run(t->db, r, keep, &s, n, &e), PM_OK);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.lines[2], "missing_in_statement W-2 -1 5050 1-1-102");
	assert_int_equal(n[PM_RECON_MATCHED], 2);
	pm_reconcile_free(r);

	/* 2 December alone: W-1 and W-2 fall outside. */
	memset(&s, 0, sizeof s);
	assert_int_equal(pm_reconcile_new("wechat", &r, &e), PM_OK);
	add(r, "{\"ref\":\"W-3\",\"amount\":\"20\",\"time\":\"2026-12-02T00:00:00+08:00\"}", PM_OK);
	assert_int_equal(pm_reconcile_run(t->db, r, keep, &s, n, &e), PM_OK);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.lines[0], "matched W-3 2000 2000 1-1-101");
	pm_reconcile_free(r);
}

static void test_bad_entries(void **state)
{
	struct tstore *t = T(state);
	struct pm_reconcile *r;
	struct pm_err e = {0};
	struct seen s = {0};
	long n[PM_RECON_NSTATUS];

	assert_int_equal(pm_reconcile_new("wechat", &r, &e), PM_OK);
	add(r, "{\"ref\":\"W-1\",\"amount\":\"100.001\",\"time\":\"2026-12-01T10:00:00+08:00\"}", PM_EDATA);
	add(r, "{\"ref\":\"W-1\",\"amount\":\"0\",\"time\":\"2026-12-01T10:00:00+08:00\"}", PM_EDATA);
	add(r, "{\"ref\":\"\",\"amount\":\"1\",\"time\":\"2026-12-01T10:00:00+08:00\"}", PM_EDATA);
	add(r, "{\"ref\":\"W-1\",\"amount\":\"1\",\"time\":\"yesterday\"}", PM_EDATA);
	add(r, "{\"ref\":\"W-1\",\"amount\":\"100\"}", PM_EDATA);
	add(r, "{\"ref\":\"W-1\",\"amount\":\"100\",\"time\":\"2026-12-01T10:00:00+08:00\"}", PM_OK);
	add(r, "{\"ref\":\"W-1\",\"amount\":\"100\",\"time\":\"2026-12-01T10:00:00+08:00\"}", PM_EDATA);
	/* Rejected entries were not taken: one matched, W-2 missing. */
	assert_int_equal(pm_reconcile_run(t->db, r, keep, &s, n, &e), PM_OK);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.lines[0], "matched W-1 10000 10000 1-1-101");
	assert_string_equal(s.lines[1], "missing_in_statement W-2 -1 5050 1-1-102");
	pm_reconcile_free(r);

	/* An empty statement has no days and compares nothing. */
	memset(&s, 0, sizeof s);
	assert_int_equal(pm_reconcile_new("wechat", &r, &e), PM_OK);
	assert_int_equal(pm_reconcile_run(t->db, r, keep, &s, n, &e), PM_OK);
	assert_int_equal(s.n, 0);
	pm_reconcile_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_each_status, setup, tstore_teardown),
		cmocka_unit_test_setup_teardown(test_statement_days, setup, tstore_teardown),
		cmocka_unit_test_setup_teardown(test_bad_entries, setup, tstore_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
