#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "pm/auth.h"
#include "pm/community.h"
#include "pm/config.h"
#include "pm/gate.h"
#include "pm/parking.h"
#include "pm/timeutil.h"
#include "pm/visitor.h"
#include "tstore.h"

static const char yaml[] =
	"effective: 2026-01-01\n"
	"community:\n  name: 测试小区\n"
	"gates:\n  north:\n    name: 北门\n  garage:\n    name: 地库\n"
	"alarms:\n  tamper: critical\n"
	"visitors:\n  pending: 2h\n"
	"parking:\n  free: 15m\n  hourly: \"5.00\"\n  daily_cap: \"30.00\"\n"
	"  resources:\n    B1-001:\n      kind: space\n      longest: 12h\n    CP-01:\n      kind: charger\n";

static const struct pm_actor admin = {.login = "admin", .role = PM_ROLE_ADMIN};
static const struct pm_actor guard = {.login = "guard", .role = PM_ROLE_GUARD};

static void upsert(struct pm_db *db, int (*fn)(struct pm_db *, json_t *, enum pm_upsert *, struct pm_err *),
		   const char *text)
{
	json_t *rec = json_loads(text, 0, NULL);
	struct pm_err e = {0};
	enum pm_upsert did;

	assert_non_null(rec);
	assert_int_equal(pm_db_begin(db, &e), PM_OK);
	assert_int_equal(fn(db, rec, &did, &e), PM_OK);
	assert_int_equal(pm_db_commit(db, &e), PM_OK);
	json_decref(rec);
}

static int setup(void **state)
{
	struct pm_config *cfg;
	struct pm_err e = {0};
	int64_t v;
	struct tstore *t;

	setenv("PM_NOW", "2026-12-01T09:00:00+08:00", 1);
	if (tstore_setup(state))
		return -1;
	t = *state;
	if (pm_config_load(yaml, strlen(yaml), "test.yaml", &cfg, &e) ||
	    pm_config_apply(t->db, cfg, "test.yaml", &v, &e)) {
		fprintf(stderr, "%s\n", e.msg);
		return -1;
	}
	pm_config_free(cfg);
	upsert(t->db, pm_unit_upsert, "{\"code\":\"1-1-0101\",\"area\":\"90\"}");
	upsert(t->db, pm_unit_upsert, "{\"code\":\"1-1-0102\",\"area\":\"90\"}");
	upsert(t->db, pm_person_upsert, "{\"code\":\"P1\",\"name\":\"张三\",\"unit\":\"1-1-0101\",\"since\":\"2020-01-01\"}");
	upsert(t->db, pm_person_upsert, "{\"code\":\"P2\",\"name\":\"李四\",\"unit\":\"1-1-0102\",\"since\":\"2020-01-01\"}");
	return 0;
}

static int64_t at(const char *s)
{
	int64_t t = 0;

	assert_int_equal(pm_time_parse(s, &t, NULL), PM_OK);
	return t;
}

/* ---- visitors and verify ---- */

static int64_t approved_pass(struct pm_db *db, int64_t uses, char *token, size_t n)
{
	struct pm_visitor_new v = {.unit = "1-1-0101", .name = "王五", .gates = "north",
				   .from = at("2026-12-01T10:00:00+08:00"),
				   .until = at("2026-12-01T18:00:00+08:00"), .uses = uses};
	struct pm_err e = {0};
	int64_t id;

	assert_int_equal(pm_visitor_request(db, &admin, &v, &id, &e), PM_OK);
	assert_int_equal(pm_visitor_approve(db, &admin, id, &e), PM_OK);
	snprintf(token, n, "%s", tstore_sql(db, "SELECT token FROM visitor ORDER BY id DESC LIMIT 1"));
	return id;
}

static enum pm_pass_verdict verify(struct pm_db *db, const char *token, const char *gate,
				   const char *when, struct pm_verify *v)
{
	struct pm_err e = {0};

	setenv("PM_NOW", when, 1);
	assert_int_equal(pm_pass_verify(db, &guard, token, gate, 0, v, &e), PM_OK);
	return v->verdict;
}

static void test_every_verdict(void **state)
{
	struct pm_db *db = T(state)->db;
	char token[PM_PASS_TOKEN_MAX], bad[PM_PASS_TOKEN_MAX];
	struct pm_err e = {0};
	struct pm_verify v;
	int64_t id = approved_pass(db, 2, token, sizeof token);
	int unchanged;

	assert_int_equal(verify(db, token, "north", "2026-12-01T09:59:59+08:00", &v), PM_PASS_NOT_YET_VALID);
	assert_int_equal(verify(db, token, "garage", "2026-12-01T11:00:00+08:00", &v), PM_PASS_WRONG_GATE);
	assert_int_equal(verify(db, token, "north", "2026-12-01T18:00:00+08:00", &v), PM_PASS_EXPIRED);
	assert_int_equal(verify(db, token, "north", "2026-12-01T11:00:00+08:00", &v), PM_PASS_ALLOW);
	assert_true(v.known);
	assert_true(v.recorded);
	assert_int_equal(v.pass.id, id);
	assert_int_equal(verify(db, token, "north", "2026-12-01T12:00:00+08:00", &v), PM_PASS_ALLOW);
	assert_int_equal(verify(db, token, "north", "2026-12-01T13:00:00+08:00", &v), PM_PASS_USED_UP);
	assert_string_equal(tstore_sql(db, "SELECT used FROM visitor WHERE id = 1"), "2");
	assert_string_equal(tstore_sql(db, "SELECT count(*) FROM pass_use WHERE visitor_id = 1"), "6");
	assert_string_equal(tstore_sql(db, "SELECT group_concat(result, ',') FROM pass_use"),
			    "not_yet_valid,wrong_gate,expired,allow,allow,used_up");

	/* Signature and format come first, and record nothing. */
	snprintf(bad, sizeof bad, "%s", token);
	bad[10] = bad[10] == 'A' ? 'B' : 'A';
	assert_int_equal(verify(db, bad, "north", "2026-12-01T11:00:00+08:00", &v), PM_PASS_BAD_SIGNATURE);
	assert_false(v.recorded);
	assert_int_equal(verify(db, "garbage!", "north", "2026-12-01T11:00:00+08:00", &v), PM_PASS_MALFORMED);
	assert_string_equal(tstore_sql(db, "SELECT count(*) FROM pass_use"), "6");

	/* Revoked beats the window: checked first. */
	approved_pass(db, 0, token, sizeof token);
	assert_int_equal(pm_pass_revoke(db, &admin, 2, "lost the phone", &unchanged, &e), PM_OK);
	assert_false(unchanged);
	assert_int_equal(verify(db, token, "north", "2026-12-01T11:00:00+08:00", &v), PM_PASS_REVOKED);
	assert_int_equal(verify(db, token, "north", "2026-12-01T20:00:00+08:00", &v), PM_PASS_REVOKED);
	/* Revoked again: as it was, its first reason kept, audited once. */
	assert_int_equal(pm_pass_revoke(db, &admin, 2, "asked twice", &unchanged, &e), PM_OK);
	assert_true(unchanged);
	assert_string_equal(tstore_sql(db, "SELECT status || ':' || reason FROM visitor WHERE id = 2"), "revoked:lost the phone");
	assert_string_equal(tstore_sql(db, "SELECT count(*) FROM audit WHERE action = 'visitor.revoke'"), "1");
}

/* A check as at a time of the caller's records and counts nothing. */
static void test_verify_at_only_checks(void **state)
{
	struct pm_db *db = T(state)->db;
	char token[PM_PASS_TOKEN_MAX];
	struct pm_err e = {0};
	struct pm_verify v;

	approved_pass(db, 1, token, sizeof token);
	setenv("PM_NOW", "2026-12-01T19:00:00+08:00", 1);
	assert_int_equal(pm_pass_verify(db, &guard, token, "north", at("2026-12-01T11:00:00+08:00"), &v, &e), PM_OK);
	assert_int_equal(v.verdict, PM_PASS_ALLOW);
	assert_false(v.recorded);
	assert_int_equal(v.at, at("2026-12-01T11:00:00+08:00"));
	assert_string_equal(tstore_sql(db, "SELECT used || ' ' || (SELECT count(*) FROM pass_use) FROM visitor"), "0 0");
	assert_int_equal(verify(db, token, "north", "2026-12-01T19:00:00+08:00", &v), PM_PASS_EXPIRED);
	assert_true(v.recorded);
	assert_string_equal(tstore_sql(db, "SELECT ts || ' ' || (clock_ts > 1700000000) FROM pass_use"), "1796122800 1");
}

static void test_verify_needs_permission(void **state)
{
	struct pm_db *db = T(state)->db;
	struct pm_actor tech = {.login = "tech", .role = PM_ROLE_TECHNICIAN};
	char token[PM_PASS_TOKEN_MAX];
	struct pm_err e = {0};
	struct pm_verify v;

	approved_pass(db, 0, token, sizeof token);
	assert_int_equal(pm_pass_verify(db, &tech, token, "north", at("2026-12-01T11:00:00+08:00"), &v, &e),
			 PM_ENOPERM);
}

static void test_requests(void **state)
{
	struct pm_db *db = T(state)->db;
	struct pm_actor owner = {.login = "owner.p1", .role = PM_ROLE_OWNER, .person_id = 1};
	struct pm_visitor_new v = {.unit = "1-1-0102", .name = "访客", .from = at("2026-12-01T10:00:00+08:00"),
				   .until = at("2026-12-01T12:00:00+08:00"), .uses = -1};
	struct pm_err e = {0};
	long n;
	int64_t id;

	/* An owner asks and decides only for the unit they live in. */
	assert_int_equal(pm_visitor_request(db, &owner, &v, &id, &e), PM_ENOPERM);
	v.unit = "1-1-0101";
	assert_int_equal(pm_visitor_request(db, &owner, &v, &id, &e), PM_OK);
	assert_string_equal(tstore_sql(db, "SELECT status || ' ' || uses || ' ' || lapses_at FROM visitor"),
			    "pending 0 1796094000");
	assert_int_equal(pm_visitor_deny(db, &owner, id, "不认识", &e), PM_OK);
	assert_int_equal(pm_visitor_approve(db, &owner, id, &e), PM_EDATA);
	assert_non_null(strstr(e.msg, "is denied, not pending"));
	/* Unknown gates, visits too long or already over are refused. */
	v.gates = "south";
	assert_int_equal(pm_visitor_request(db, &admin, &v, &id, &e), PM_EDATA);
	assert_non_null(strstr(e.msg, "no gate 'south'"));
	v.gates = NULL;
	v.until = v.from + 8 * 86400;
	assert_int_equal(pm_visitor_request(db, &admin, &v, &id, &e), PM_EDATA);
	v.until = at("2026-12-01T08:00:00+08:00");
	v.from = v.until - 3600;
	assert_int_equal(pm_visitor_request(db, &admin, &v, &id, &e), PM_EDATA);
	/* Pending past visitors.pending (2 h): expired, and not approvable. */
	v.from = at("2026-12-02T10:00:00+08:00");
	v.until = at("2026-12-02T12:00:00+08:00");
	assert_int_equal(pm_visitor_request(db, &admin, &v, &id, &e), PM_OK);
	setenv("PM_NOW", "2026-12-01T11:00:01+08:00", 1);
	assert_int_equal(pm_visitor_approve(db, &admin, id, &e), PM_EDATA);
	assert_non_null(strstr(e.msg, "has expired"));
	assert_int_equal(pm_visitor_expire(db, &admin, &n, &e), PM_OK);
	assert_int_equal(n, 1);
	assert_string_equal(tstore_sql(db, "SELECT status FROM visitor WHERE id = 2"), "expired");
}

/* ---- credentials ---- */

static void test_credentials_end_with_residence(void **state)
{
	struct pm_db *db = T(state)->db;
	struct pm_credential_new c = {.person = "P1", .unit = "1-1-0101", .kind = "card", .value = "0012345678"};
	struct pm_err e = {0};
	struct pm_sweep n;
	int64_t id, id2;
	int existed;
	json_t *rec;

	assert_int_equal(pm_credential_grant(db, &admin, &c, &id, &existed, &e), PM_OK);
	assert_false(existed);
	assert_int_equal(pm_credential_grant(db, &admin, &c, &id2, &existed, &e), PM_OK);
	assert_true(existed);
	assert_int_equal(id2, id);
	/* Someone else may not hold the same card. */
	c.person = "P2";
	c.unit = "1-1-0102";
	assert_int_equal(pm_credential_grant(db, &admin, &c, &id2, &existed, &e), PM_EDATA);
	/* Nor someone who does not live there. */
	c.unit = "1-1-0101";
	c.value = "999";
	assert_int_equal(pm_credential_grant(db, &admin, &c, &id2, &existed, &e), PM_EDATA);
	assert_non_null(strstr(e.msg, "does not live in"));
	/* Guards read, only the front desk and admins grant. */
	c.person = "P1";
	assert_int_equal(pm_credential_grant(db, &guard, &c, &id2, &existed, &e), PM_ENOPERM);

	/* P1 moves out on the 10th, the first day they no longer live
	 * there: the card works to the end of the 9th. */
	assert_int_equal(pm_occupancy_end(db, "1-1-0101", "P1", "2026-12-10", &e), PM_OK);
	assert_int_equal(pm_credential_get(db, &guard, id, &rec, &e), PM_OK);
	assert_string_equal(json_string_value(json_object_get(rec, "status")), "active");
	assert_string_equal(json_string_value(json_object_get(rec, "until")), "2026-12-10T00:00:00+08:00");
	json_decref(rec);
	assert_int_equal(pm_gate_sweep(db, &admin, &n, &e), PM_OK);
	assert_int_equal(n.credentials, 0);
	setenv("PM_NOW", "2026-12-10T00:00:00+08:00", 1);
	assert_int_equal(pm_credential_get(db, &guard, id, &rec, &e), PM_OK);
	assert_string_equal(json_string_value(json_object_get(rec, "status")), "expired");
	json_decref(rec);
	assert_int_equal(pm_gate_sweep(db, &admin, &n, &e), PM_OK);
	assert_int_equal(n.credentials, 1);
	assert_string_equal(tstore_sql(db, "SELECT status || ' ' || ended_at FROM credential WHERE id = 1"),
			    "expired 1796832000");
	assert_string_equal(tstore_sql(db, "SELECT count(*) FROM audit WHERE action = 'gate.sweep'"), "1");
	/* The card is free again for the next resident. */
	c.person = "P2";
	c.unit = "1-1-0102";
	c.value = "0012345678";
	assert_int_equal(pm_credential_grant(db, &admin, &c, &id2, &existed, &e), PM_OK);
	assert_false(existed);
}

struct changes {
	char ops[256];
};

static int note_change(void *ctx, const struct pm_sync_change *ch)
{
	struct changes *c = ctx;
	size_t n = strlen(c->ops);

	snprintf(c->ops + n, sizeof c->ops - n, "%s%s:%lld", n ? " " : "", pm_sync_op_names[ch->op],
		 (long long)ch->credential);
	return 0;
}

struct changes_db {
	struct changes c;
	struct pm_db *db;
};

/* Notes a change and records it as taken by the controller. */
static int keep_change(void *ctx, const struct pm_sync_change *ch)
{
	struct changes_db *cd = ctx;
	struct pm_err e = {0};

	note_change(&cd->c, ch);
	return pm_gate_sync_done(cd->db, "north", ch, &e);
}

static void test_sync_plan(void **state)
{
	struct pm_db *db = T(state)->db;
	struct pm_credential_new a = {.unit = "1-1-0101", .kind = "card", .value = "A1"};
	struct pm_credential_new b = {.unit = "1-1-0102", .kind = "pin", .value = "2468", .gates = "garage"};
	struct pm_credential_new c = {.person = "P2", .kind = "card", .value = "C3", .gates = "north,garage"};
	struct changes_db cd = {{""}, db};
	struct changes seen = {""};
	struct pm_err e = {0};
	int64_t id;
	int existed;

	assert_int_equal(pm_credential_grant(db, &admin, &a, &id, &existed, &e), PM_OK);
	assert_int_equal(pm_credential_grant(db, &admin, &b, &id, &existed, &e), PM_OK);
	assert_int_equal(pm_credential_grant(db, &admin, &c, &id, &existed, &e), PM_OK);
	/* North: the unit's card and P2's card, not the garage PIN. */
	assert_int_equal(pm_gate_sync_plan(db, &admin, "north", pm_now(), keep_change, &cd, &e), PM_OK);
	assert_string_equal(cd.c.ops, "add:1 add:3");
	assert_int_equal(pm_gate_sync_plan(db, &admin, "north", pm_now(), note_change, &seen, &e), PM_OK);
	assert_string_equal(seen.ops, "");
	assert_int_equal(pm_credential_revoke(db, &admin, 1, "lost", &e), PM_OK);
	assert_int_equal(pm_gate_sync_plan(db, &admin, "north", pm_now(), note_change, &seen, &e), PM_OK);
	assert_string_equal(seen.ops, "remove:1");
	assert_int_equal(pm_gate_sync_plan(db, &admin, "south", pm_now(), note_change, &seen, &e), PM_EDATA);
}

/* ---- reservations ---- */

static int count_rec(void *ctx, json_t *rec)
{
	(void)rec;
	(*(int *)ctx)++;
	return 0;
}

static void test_reservation_overlaps(void **state)
{
	struct pm_db *db = T(state)->db;
	struct pm_actor owner = {.login = "owner.p2", .role = PM_ROLE_OWNER, .person_id = 2};
	struct pm_err e = {0};
	int64_t id, id2;
	int32_t day;
	int n = 0;

	assert_int_equal(pm_reserve(db, &admin, "B1-001", "1-1-0101", at("2026-12-01T10:00:00+08:00"),
				    at("2026-12-01T12:00:00+08:00"), &id, &e), PM_OK);
	/* Touching ends do not overlap. */
	assert_int_equal(pm_reserve(db, &admin, "B1-001", "1-1-0102", at("2026-12-01T12:00:00+08:00"),
				    at("2026-12-01T14:00:00+08:00"), &id2, &e), PM_OK);
	assert_int_equal(pm_reserve(db, &admin, "B1-001", "1-1-0102", at("2026-12-01T08:00:00+08:00"),
				    at("2026-12-01T10:00:00+08:00"), &id2, &e), PM_OK);
	/* Inside, around, across either end: refused, naming the booking. */
	assert_int_equal(pm_reserve(db, &admin, "B1-001", "1-1-0102", at("2026-12-01T10:30:00+08:00"),
				    at("2026-12-01T11:00:00+08:00"), &id2, &e), PM_EDATA);
	assert_non_null(strstr(e.msg, "(reservation 1)"));
	assert_int_equal(pm_reserve(db, &admin, "B1-001", "1-1-0102", at("2026-12-01T09:59:59+08:00"),
				    at("2026-12-01T10:00:01+08:00"), &id2, &e), PM_EDATA);
	assert_int_equal(pm_reserve(db, &admin, "B1-001", "1-1-0102", at("2026-12-01T13:59:59+08:00"),
				    at("2026-12-01T15:00:00+08:00"), &id2, &e), PM_EDATA);
	assert_int_equal(pm_reserve(db, &admin, "B1-001", "1-1-0102", at("2026-12-01T07:00:00+08:00"),
				    at("2026-12-01T15:00:00+08:00"), &id2, &e), PM_EDATA);
	/* Another resource is free; a cancelled booking frees its time. */
	assert_int_equal(pm_reserve(db, &admin, "CP-01", "1-1-0102", at("2026-12-01T10:30:00+08:00"),
				    at("2026-12-01T11:00:00+08:00"), &id2, &e), PM_OK);
	assert_int_equal(pm_reserve_cancel(db, &admin, id, &e), PM_OK);
	assert_int_equal(pm_reserve(db, &owner, "B1-001", "1-1-0102", at("2026-12-01T10:30:00+08:00"),
				    at("2026-12-01T11:00:00+08:00"), &id2, &e), PM_OK);
	/* An owner books only for their own unit; the resource must exist,
	 * and a booking is no longer than the resource's longest. */
	assert_int_equal(pm_reserve(db, &owner, "CP-01", "1-1-0101", at("2026-12-02T10:00:00+08:00"),
				    at("2026-12-02T11:00:00+08:00"), &id2, &e), PM_ENOPERM);
	assert_int_equal(pm_reserve(db, &admin, "B9-999", "1-1-0101", at("2026-12-02T10:00:00+08:00"),
				    at("2026-12-02T11:00:00+08:00"), &id2, &e), PM_EDATA);
	assert_int_equal(pm_reserve(db, &admin, "B1-001", "1-1-0101", at("2026-12-02T00:00:00+08:00"),
				    at("2026-12-02T12:00:01+08:00"), &id2, &e), PM_EDATA);
	pm_date_parse("2026-12-01", &day, &e);
	assert_int_equal(pm_reservation_each(db, &admin, "B1-001", day, count_rec, &n, &e), PM_OK);
	assert_int_equal(n, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_verdict, setup, tstore_teardown),
		cmocka_unit_test_setup_teardown(test_verify_at_only_checks, setup, tstore_teardown),
		cmocka_unit_test_setup_teardown(test_verify_needs_permission, setup, tstore_teardown),
		cmocka_unit_test_setup_teardown(test_requests, setup, tstore_teardown),
		cmocka_unit_test_setup_teardown(test_credentials_end_with_residence, setup, tstore_teardown),
		cmocka_unit_test_setup_teardown(test_sync_plan, setup, tstore_teardown),
		cmocka_unit_test_setup_teardown(test_reservation_overlaps, setup, tstore_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
