#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "pm/audit.h"
#include "pm/db.h"
#include "tstore.h"

/* Five records, one a minute from 2024-03-01T00:00:00Z, by two actors on
 * units and users, with and without before/after. */
static void five(struct pm_db *db)
{
	static const struct {
		const char *actor, *action, *object, *before, *after;
	} recs[] = {
		{"wang", "unit.import", "unit.import", NULL, "{\"read\":432}"},
		{"wang", "user.add", "user:li.finance", NULL, "{\"role\":\"finance\"}"},
		{"li.finance", "occupancy.set", "unit:3-2-1101", NULL, "{\"person\":\"P0001\"}"},
		{"li.finance", "unit.edit", "unit:3-2-1102", "{\"area\":\"89.50\"}", "{\"area\":\"90.00\"}"},
		{"wang", "occupancy.end", "unit:3-2-1101", "{\"person\":\"P0001\"}", NULL},
	};
	struct pm_err e = {0};
	char now[32];

	for (size_t i = 0; i < sizeof recs / sizeof *recs; i++) {
		json_t *b = recs[i].before ? json_loads(recs[i].before, 0, NULL) : NULL;
		json_t *a = recs[i].after ? json_loads(recs[i].after, 0, NULL) : NULL;

		snprintf(now, sizeof now, "2024-03-01T00:%02zu:00Z", i);
		setenv("PM_NOW", now, 1);
		pm_db_set_actor(db, recs[i].actor);
		assert_int_equal(pm_db_begin(db, &e), PM_OK);
		assert_int_equal(pm_audit_log(db, recs[i].action, recs[i].object, b, a, &e), PM_OK);
		assert_int_equal(pm_db_commit(db, &e), PM_OK);
		json_decref(b);
		json_decref(a);
	}
}

static void test_chain_verifies(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	int64_t rows = -1, bad = -1;

	assert_int_equal(pm_audit_verify(t->db, &rows, &bad, &e), PM_OK);
	assert_int_equal(rows, 0);
	five(t->db);
	assert_int_equal(pm_audit_verify(t->db, &rows, &bad, &e), PM_OK);
	assert_int_equal(rows, 5);
	assert_int_equal(bad, 0);
	assert_string_equal(tstore_sql(t->db,
		"SELECT group_concat(id || ' ' || ts || ' ' || actor || ' ' || action || ' ' || object, '; ') FROM audit"),
		"1 1709251200 wang unit.import unit.import; 2 1709251260 wang user.add user:li.finance; "
		"3 1709251320 li.finance occupancy.set unit:3-2-1101; 4 1709251380 li.finance unit.edit unit:3-2-1102; "
		"5 1709251440 wang occupancy.end unit:3-2-1101");
	/* Before and after are stored as compact JSON; each row links the last. */
	assert_string_equal(tstore_sql(t->db, "SELECT before || ' ' || after FROM audit WHERE id = 4"),
			    "{\"area\":\"89.50\"} {\"area\":\"90.00\"}");
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM audit a JOIN audit b ON b.id = a.id + 1 AND b.prev = a.hash"), "4");
	assert_string_equal(tstore_sql(t->db, "SELECT prev FROM audit WHERE id = 1"),
			    "0000000000000000000000000000000000000000000000000000000000000000");
}

/* Each way of editing row 3 by hand, and back again. */
static const struct {
	const char *edit, *undo;
} edits[] = {
	{"UPDATE audit SET actor = 'wang' WHERE id = 3", "UPDATE audit SET actor = 'li.finance' WHERE id = 3"},
	{"UPDATE audit SET action = 'occupancy.end' WHERE id = 3", "UPDATE audit SET action = 'occupancy.set' WHERE id = 3"},
	{"UPDATE audit SET object = 'unit:3-2-1102' WHERE id = 3", "UPDATE audit SET object = 'unit:3-2-1101' WHERE id = 3"},
	{"UPDATE audit SET before = '{}' WHERE id = 3", "UPDATE audit SET before = NULL WHERE id = 3"},
	{"UPDATE audit SET after = '{\"person\":\"P0002\"}' WHERE id = 3", "UPDATE audit SET after = '{\"person\":\"P0001\"}' WHERE id = 3"},
	{"UPDATE audit SET ts = ts + 1 WHERE id = 3", "UPDATE audit SET ts = ts - 1 WHERE id = 3"},
	{"UPDATE audit SET after = NULL WHERE id = 3", "UPDATE audit SET after = '{\"person\":\"P0001\"}' WHERE id = 3"},
};

static void test_altered_field_named(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	int64_t rows, bad;

	five(t->db);
	for (size_t i = 0; i < sizeof edits / sizeof *edits; i++) {
		assert_int_equal(pm_db_exec(t->db, edits[i].edit, &e), PM_OK);
		rows = bad = -1;
		if (pm_audit_verify(t->db, &rows, &bad, &e) != PM_EFAIL)
			fail_msg("\"%s\" went unnoticed", edits[i].edit);
		assert_int_equal(bad, 3);
		assert_int_equal(rows, 2);
		assert_string_equal(e.msg, "audit row 3: hash does not match its contents (the row was altered)");
		assert_int_equal(pm_db_exec(t->db, edits[i].undo, &e), PM_OK);
		assert_int_equal(pm_audit_verify(t->db, &rows, &bad, &e), PM_OK);
		assert_int_equal(rows, 5);
	}
}

static void test_altered_hash_or_link(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	int64_t rows, bad;

	five(t->db);
	/* A new hash on row 3 that matches nothing: row 3 itself is caught. */
	assert_int_equal(pm_db_exec(t->db, "UPDATE audit SET hash = upper(hash) WHERE id = 3", &e), PM_OK);
	assert_int_equal(pm_audit_verify(t->db, &rows, &bad, &e), PM_EFAIL);
	assert_int_equal(bad, 3);
	assert_string_equal(e.msg, "audit row 3: hash does not match its contents (the row was altered)");
	assert_int_equal(pm_db_exec(t->db, "UPDATE audit SET hash = lower(hash) WHERE id = 3", &e), PM_OK);

	/* A forged link to the row before. */
	assert_int_equal(pm_db_exec(t->db, "UPDATE audit SET prev = (SELECT hash FROM audit WHERE id = 1) WHERE id = 4", &e), PM_OK);
	assert_int_equal(pm_audit_verify(t->db, &rows, &bad, &e), PM_EFAIL);
	assert_int_equal(bad, 4);
	assert_string_equal(e.msg, "audit row 4: its link to the row before is broken (a row was removed or inserted)");
}

static void test_deleted_row(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	int64_t rows, bad;

	five(t->db);
	assert_int_equal(pm_db_exec(t->db, "DELETE FROM audit WHERE id = 3", &e), PM_OK);
	assert_int_equal(pm_audit_verify(t->db, &rows, &bad, &e), PM_EFAIL);
	assert_int_equal(bad, 4);
	assert_int_equal(rows, 2);
	assert_string_equal(e.msg, "audit row 4: its link to the row before is broken (a row was removed or inserted)");
}

static void test_deleted_first_row(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	int64_t rows, bad;

	five(t->db);
	assert_int_equal(pm_db_exec(t->db, "DELETE FROM audit WHERE id = 1", &e), PM_OK);
	assert_int_equal(pm_audit_verify(t->db, &rows, &bad, &e), PM_EFAIL);
	assert_int_equal(bad, 2);
	assert_int_equal(rows, 0);
}

static void test_chain_grows_across_writes(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	int64_t rows, bad;

	/* The chain continues from the last row's stored hash. */
	five(t->db);
	five(t->db);
	assert_int_equal(pm_audit_verify(t->db, &rows, &bad, &e), PM_OK);
	assert_int_equal(rows, 10);
}

struct seen {
	char ids[128];
	int stop_at;
};

static int collect(void *ctx, const struct pm_audit_row *r)
{
	struct seen *s = ctx;
	size_t n = strlen(s->ids);

	snprintf(s->ids + n, sizeof s->ids - n, "%s%lld", n ? " " : "", (long long)r->id);
	if (r->id == 4) {
		assert_int_equal(r->ts, 1709251380);
		assert_string_equal(r->actor, "li.finance");
		assert_string_equal(r->action, "unit.edit");
		assert_string_equal(r->object, "unit:3-2-1102");
		assert_string_equal(r->before, "{\"area\":\"89.50\"}");
		assert_string_equal(r->after, "{\"area\":\"90.00\"}");
		assert_int_equal(strlen(r->hash), 64);
	}
	if (r->id == 1)
		assert_null(r->before);
	return r->id == s->stop_at ? 42 : 0;
}

static const char *walk(struct pm_db *db, int64_t since, const char *prefix, int *rc)
{
	static struct seen s;
	struct pm_err e = {0};

	memset(&s, 0, sizeof s);
	*rc = pm_audit_each(db, since, prefix, collect, &s, &e);
	return s.ids;
}

static void test_each_filters(void **state)
{
	struct tstore *t = T(state);
	int rc;

	five(t->db);
	assert_string_equal(walk(t->db, 0, NULL, &rc), "1 2 3 4 5");
	assert_int_equal(rc, PM_OK);
	/* since is inclusive: row 3 is at 00:02. */
	assert_string_equal(walk(t->db, 1709251320, NULL, &rc), "3 4 5");
	assert_string_equal(walk(t->db, 1709251321, NULL, &rc), "4 5");
	assert_string_equal(walk(t->db, 1709251441, NULL, &rc), "");
	assert_string_equal(walk(t->db, 0, "unit:", &rc), "3 4 5");
	assert_string_equal(walk(t->db, 0, "unit:3-2-1101", &rc), "3 5");
	assert_string_equal(walk(t->db, 0, "user:", &rc), "2");
	assert_string_equal(walk(t->db, 1709251380, "unit:3-2-1101", &rc), "5");
	assert_string_equal(walk(t->db, 0, "", &rc), "1 2 3 4 5");
	/* The prefix is text, not a LIKE pattern. */
	assert_string_equal(walk(t->db, 0, "unit:3-2-110_", &rc), "");
	assert_string_equal(walk(t->db, 0, "unit%", &rc), "");
	assert_string_equal(walk(t->db, 0, "UNIT:", &rc), "");
}

static void test_each_stops(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	struct seen s = {"", 2};
	int64_t rows, bad;

	five(t->db);
	assert_int_equal(pm_audit_each(t->db, 0, NULL, collect, &s, &e), 42);
	assert_string_equal(s.ids, "1 2");
	/* The walk was left clean: the statements work again at once. */
	assert_int_equal(pm_audit_verify(t->db, &rows, &bad, &e), PM_OK);
	memset(&s, 0, sizeof s);
	assert_int_equal(pm_audit_each(t->db, 0, NULL, collect, &s, &e), PM_OK);
	assert_string_equal(s.ids, "1 2 3 4 5");
}

#define STORE_TEST(f) cmocka_unit_test_setup_teardown(f, tstore_setup, tstore_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		STORE_TEST(test_chain_verifies),
		STORE_TEST(test_altered_field_named),
		STORE_TEST(test_altered_hash_or_link),
		STORE_TEST(test_deleted_row),
		STORE_TEST(test_deleted_first_row),
		STORE_TEST(test_chain_grows_across_writes),
		STORE_TEST(test_each_filters),
		STORE_TEST(test_each_stops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
