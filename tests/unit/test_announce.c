#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "pm/announce.h"
#include "pm/community.h"
#include "pm/config.h"
#include "pm/db.h"
#include "tstore.h"

/* Building 1: 1-1-0101 (P1 owner, P2 tenant, P3 family), 1-1-0102 (P4);
 * building 2: 2-1-0101 (P4 again, as tenant), 2-1-0102 empty. */
static const char *const units[] = {"1-1-0101", "1-1-0102", "2-1-0101", "2-1-0102"};
static const char *const people[] = {
	"{\"code\":\"P1\",\"name\":\"张伟\",\"phone\":\"13800000001\",\"unit\":\"1-1-0101\"}",
	"{\"code\":\"P2\",\"name\":\"李娜\",\"phone\":\"13800000002\",\"unit\":\"1-1-0101\",\"role\":\"tenant\"}",
	"{\"code\":\"P3\",\"name\":\"张小明\",\"phone\":\"13800000003\",\"unit\":\"1-1-0101\",\"role\":\"family\"}",
	"{\"code\":\"P4\",\"name\":\"王芳\",\"phone\":\"13800000004\",\"unit\":\"1-1-0102\"}",
	"{\"code\":\"P4\",\"name\":\"王芳\",\"phone\":\"13800000004\",\"unit\":\"2-1-0101\",\"role\":\"tenant\"}",
};

static int setup(void **state)
{
	struct pm_err e = {0};
	enum pm_upsert did;
	struct tstore *t;
	json_t *rec;

	setenv("PM_NOW", "2026-12-01T10:00:00+08:00", 1);
	if (tstore_setup(state))
		return -1;
	t = T(state);
	pm_db_set_actor(t->db, "desk");
	assert_int_equal(pm_config_init(t->db, "幸福里", "Asia/Shanghai", &e), PM_OK);
	assert_int_equal(pm_db_begin(t->db, &e), PM_OK);
	for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
		rec = json_pack("{s:s, s:s, s:s}", "code", units[i], "area", "80", "delivered", "2020-06-30");
		assert_int_equal(pm_unit_upsert(t->db, rec, &did, &e), PM_OK);
		json_decref(rec);
	}
	for (size_t i = 0; i < sizeof people / sizeof *people; i++) {
		rec = json_loads(people[i], 0, NULL);
		assert_int_equal(pm_person_upsert(t->db, rec, &did, &e), PM_OK);
		json_decref(rec);
	}
	assert_int_equal(pm_db_commit(t->db, &e), PM_OK);
	return 0;
}

static int64_t add(struct pm_db *db, const char *title, const char *target, int pinned,
		   const char *until, int64_t capacity, struct pm_notify_counts *counts, long *units_in)
{
	struct pm_announcement a = {title, "正文\n\n", target, pinned, until, capacity, 0};
	struct pm_notify_counts ignored;
	struct pm_notify *n;
	struct pm_err e = {0};
	long u;
	int64_t id;

	assert_int_equal(pm_notify_open(db, &n, &e), PM_OK);
	assert_int_equal(pm_announce_add(db, n, &a, PM_CH_STDOUT, &id, units_in ? units_in : &u,
					 counts ? counts : &ignored, &e), PM_OK);
	pm_notify_close(n);
	return id;
}

static void test_targets(void **state)
{
	struct tstore *t = T(state);
	struct pm_notify_counts c;
	long u;

	assert_int_equal(add(t->db, "全体", "all", 0, NULL, 0, &c, &u), 1);
	/* 2-1-0102 is empty; P4 lives in two units and is told once */
	assert_int_equal(u, 3);
	assert_int_equal(c.queued, 3);
	assert_int_equal(c.duplicate, 1);
	assert_string_equal(tstore_sql(t->db, "SELECT group_concat(recipient || '@' || unit, ' ') FROM"
					      " (SELECT * FROM outbox WHERE ref = '1' ORDER BY id)"),
			    "P1@1-1-0101 P2@1-1-0101 P4@1-1-0102");
	assert_int_equal(add(t->db, "一号楼", "building:1", 0, NULL, 0, &c, &u), 2);
	assert_int_equal(u, 2);
	assert_int_equal(c.queued, 3);
	assert_int_equal(add(t->db, "单元", "unit:2-1-0101", 0, NULL, 0, &c, &u), 3);
	assert_int_equal(u, 1);
	assert_string_equal(tstore_sql(t->db, "SELECT group_concat(recipient) FROM outbox WHERE ref = '3'"), "P4");
	assert_int_equal(add(t->db, "空房", "unit:2-1-0102", 0, NULL, 0, &c, &u), 4);
	assert_int_equal(u, 0);
	assert_int_equal(c.queued, 0);
	assert_string_equal(tstore_sql(t->db, "SELECT body FROM announcement WHERE id = 4"), "正文");
	assert_string_equal(tstore_sql(t->db, "SELECT body FROM outbox WHERE ref = '2' LIMIT 1"),
			    "一号楼\n\n正文");
	assert_string_equal(tstore_sql(t->db, "SELECT group_concat(DISTINCT created_by) FROM announcement"), "desk");
	assert_string_equal(tstore_sql(t->db, "SELECT actor || ':' || count(*) FROM audit"
					      " WHERE action = 'notify.announce'"), "desk:4");
}

static void test_bad(void **state)
{
	struct tstore *t = T(state);
	struct pm_announcement a = {"标题", "正文", "all", 0, NULL, 0, 0};
	struct pm_notify_counts c;
	struct pm_notify *n;
	struct pm_err e = {0};
	int64_t id = 7;
	long u;

	assert_int_equal(pm_notify_open(t->db, &n, &e), PM_OK);
	a.title = "两\n行";
	assert_int_equal(pm_announce_add(t->db, n, &a, -1, &id, &u, &c, &e), PM_EDATA);
	assert_int_equal(id, 0);
	a.title = "标题";
	a.body = "\xff\xfe";
	assert_int_equal(pm_announce_add(t->db, n, &a, -1, &id, &u, &c, &e), PM_EDATA);
	assert_string_equal(e.msg, "the body must be UTF-8 text of at most 65536 bytes");
	a.body = " \n\n";
	assert_int_equal(pm_announce_add(t->db, n, &a, -1, &id, &u, &c, &e), PM_EDATA);
	assert_string_equal(e.msg, "the body is empty");
	a.body = "正文";
	a.target = "building:";
	assert_int_equal(pm_announce_add(t->db, n, &a, -1, &id, &u, &c, &e), PM_EDATA);
	a.target = "all";
	a.until = "2026-11-30";
	assert_int_equal(pm_announce_add(t->db, n, &a, -1, &id, &u, &c, &e), PM_EDATA);
	a.until = "2026-12-01";
	a.capacity = 100001;
	assert_int_equal(pm_announce_add(t->db, n, &a, -1, &id, &u, &c, &e), PM_EDATA);
	assert_string_equal(e.msg, "a capacity must be 1 to 100000 places");
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM announcement"), "0");
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM outbox"), "0");
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM audit WHERE action = 'notify.announce'"), "0");
	/* the last day it is current is today */
	a.capacity = 0;
	assert_int_equal(pm_announce_add(t->db, n, &a, -1, &id, &u, &c, &e), PM_OK);
	assert_int_equal(id, 1);
	pm_notify_close(n);
}

static void test_push_again(void **state)
{
	struct tstore *t = T(state);
	struct pm_notify_counts c;
	struct pm_notify *n;
	struct pm_err e = {0};
	long u;

	add(t->db, "全体", "all", 0, "2026-12-31", 0, NULL, NULL);
	setenv("PM_NOW", "2026-12-20T10:00:00+08:00", 1);
	assert_int_equal(pm_notify_open(t->db, &n, &e), PM_OK);
	assert_int_equal(pm_announce_push(t->db, n, 1, PM_CH_STDOUT, &u, &c, &e), PM_OK);
	assert_int_equal(c.queued, 0);
	assert_int_equal(c.duplicate, 4);
	/* another channel is another message */
	assert_int_equal(pm_announce_push(t->db, n, 1, PM_CH_SMS, &u, &c, &e), PM_OK);
	assert_int_equal(c.queued, 3);
	assert_int_equal(pm_announce_push(t->db, n, 2, PM_CH_SMS, &u, &c, &e), PM_EDATA);
	assert_string_equal(e.msg, "no announcement 2");
	setenv("PM_NOW", "2027-01-01T10:00:00+08:00", 1);
	assert_int_equal(pm_announce_push(t->db, n, 1, PM_CH_SMS, &u, &c, &e), PM_EFAIL);
	assert_string_equal(e.msg, "announcement 1 ended on 2026-12-31");
	pm_notify_close(n);
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM outbox"), "6");
}

static int collect(void *ctx, json_t *rec)
{
	char *ids = ctx;
	size_t n = strlen(ids);

	snprintf(ids + n, 64 - n, "%lld ", (long long)json_integer_value(json_object_get(rec, "id")));
	return 0;
}

static void test_each(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	char ids[64] = "";

	add(t->db, "旧", "all", 0, "2026-12-05", 0, NULL, NULL);
	add(t->db, "置顶", "building:1", 1, NULL, 0, NULL, NULL);
	setenv("PM_NOW", "2026-12-02T10:00:00+08:00", 1);
	add(t->db, "新", "building:2", 0, NULL, 0, NULL, NULL);
	add(t->db, "置顶新", "unit:1-1-0102", 1, NULL, 0, NULL, NULL);
	assert_int_equal(pm_announce_each(t->db, 0, 0, collect, ids, &e), PM_OK);
	assert_string_equal(ids, "4 2 3 1 ");
	setenv("PM_NOW", "2026-12-06T00:00:00+08:00", 1);
	ids[0] = '\0';
	assert_int_equal(pm_announce_each(t->db, 0, 0, collect, ids, &e), PM_OK);
	assert_string_equal(ids, "4 2 3 ");
	ids[0] = '\0';
	assert_int_equal(pm_announce_each(t->db, 1, 0, collect, ids, &e), PM_OK);
	assert_string_equal(ids, "4 2 3 1 ");
	/* P2 lives in 1-1-0101: everyone's and building 1's */
	ids[0] = '\0';
	assert_int_equal(pm_announce_each(t->db, 1, 2, collect, ids, &e), PM_OK);
	assert_string_equal(ids, "2 1 ");
	/* P4 lives in 1-1-0102 and 2-1-0101 */
	ids[0] = '\0';
	assert_int_equal(pm_announce_each(t->db, 1, 4, collect, ids, &e), PM_OK);
	assert_string_equal(ids, "4 2 3 1 ");
}

static int64_t places(struct pm_db *db, int64_t ann, const char *person, int64_t count,
		      struct pm_err *e)
{
	json_t *rec = NULL;
	int64_t got;
	int rc = pm_rsvp_set(db, ann, person, count, &rec, e);

	if (rc)
		return -rc;
	got = rec ? json_integer_value(json_object_get(rec, "count")) : -1;
	json_decref(rec);
	return got;
}

static int noop(void *ctx, json_t *rec)
{
	(*(int *)ctx)++;
	return 0;
}

static void test_rsvp(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	int64_t taken, cap;
	int rows = 0;

	add(t->db, "公告", "all", 0, NULL, 0, NULL, NULL);
	add(t->db, "活动", "building:1", 0, "2026-12-10", 5, NULL, NULL);
	assert_int_equal(places(t->db, 1, "P1", 1, &e), -PM_EFAIL);
	assert_string_equal(e.msg, "announcement 1 takes no sign-ups: it has no capacity");
	assert_int_equal(places(t->db, 3, "P1", 1, &e), -PM_EDATA);
	assert_int_equal(places(t->db, 2, "P9", 1, &e), -PM_EDATA);
	assert_int_equal(places(t->db, 2, "P1", 3, &e), 3);
	assert_int_equal(places(t->db, 2, "P1", 3, &e), 3);
	assert_int_equal(places(t->db, 2, "P2", 3, &e), -PM_EFAIL);
	assert_string_equal(e.msg, "announcement 2 has 2 of 5 places left, 3 asked for");
	assert_int_equal(places(t->db, 2, "P2", 2, &e), 2);
	assert_int_equal(places(t->db, 2, "P4", 1, &e), -PM_EFAIL);
	assert_string_equal(e.msg, "announcement 2 is full: all 5 places are taken");
	assert_int_equal(places(t->db, 2, "P1", 1, &e), 1);
	assert_int_equal(places(t->db, 2, "P4", 2, &e), 2);
	assert_int_equal(places(t->db, 2, "P1", 0, &e), 0);
	assert_int_equal(places(t->db, 2, "P1", 0, &e), -1);
	assert_int_equal(pm_rsvp_each(t->db, 2, noop, &rows, &taken, &cap, &e), PM_OK);
	assert_int_equal(rows, 2);
	assert_int_equal(taken, 4);
	assert_int_equal(cap, 5);
	/* P1 3, P2 2, P1 1, P4 2, P1 cancelled: the repeats changed nothing */
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM audit WHERE action = 'notify.rsvp'"), "5");
	setenv("PM_NOW", "2026-12-11T00:00:00+08:00", 1);
	assert_int_equal(places(t->db, 2, "P1", 1, &e), -PM_EFAIL);
	assert_string_equal(e.msg, "announcement 2 ended on 2026-12-10");
}

static void test_rsvp_may(void **state)
{
	struct tstore *t = T(state);
	struct pm_actor desk = {.login = "desk", .role = PM_ROLE_FRONTDESK, .user_id = 1};
	struct pm_actor owner = {.login = "zw", .role = PM_ROLE_OWNER, .user_id = 2, .person_id = 1};   /* P1, in building 1 */
	struct pm_actor guard = {.login = "g", .role = PM_ROLE_GUARD, .user_id = 3};
	struct pm_err e = {0};

	add(t->db, "一号楼活动", "building:1", 0, NULL, 5, NULL, NULL);
	add(t->db, "二号楼活动", "building:2", 0, NULL, 5, NULL, NULL);
	assert_int_equal(pm_rsvp_may(t->db, &desk, 2, "P4", &e), PM_OK);
	assert_int_equal(pm_rsvp_may(t->db, &owner, 1, "P1", &e), PM_OK);
	assert_int_equal(pm_rsvp_may(t->db, &owner, 1, "P2", &e), PM_ENOPERM);
	assert_string_equal(e.msg, "user 'zw' (owner) may not sign up 'P2'");
	assert_int_equal(pm_rsvp_may(t->db, &owner, 2, "P1", &e), PM_ENOPERM);
	assert_string_equal(e.msg, "announcement 2 is not addressed to 'P1'");
	assert_int_equal(pm_rsvp_may(t->db, &guard, 1, "P1", &e), PM_ENOPERM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_targets, setup, tstore_teardown),
		cmocka_unit_test_setup_teardown(test_bad, setup, tstore_teardown),
		cmocka_unit_test_setup_teardown(test_push_again, setup, tstore_teardown),
		cmocka_unit_test_setup_teardown(test_each, setup, tstore_teardown),
		cmocka_unit_test_setup_teardown(test_rsvp, setup, tstore_teardown),
		cmocka_unit_test_setup_teardown(test_rsvp_may, setup, tstore_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
