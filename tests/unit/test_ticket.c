#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pm/auth.h"
#include "pm/community.h"
#include "pm/config.h"
#include "pm/db.h"
#include "pm/printq.h"
#include "pm/ticket.h"
#include "pm/timeutil.h"

/* Instants come from `date -d TEXT +%s`; 2026-11-23 is a Monday. */

static const char config[] =
	"effective: 2026-01-01\n"
	"community: {name: 测试小区}\n"
	"repair:\n"
	"  dedupe_window: 24h\n"
	"  business_hours: {days: [mon, tue, wed, thu, fri], from: \"09:00\", to: \"18:00\"}\n"
	"  categories:\n"
	"    - {name: plumbing, priority: high}\n"
	"    - {name: greenery, priority: low, accept: 2h, resolve: 4h, business_hours: true}\n"
	"    - {name: noise, kind: complaint}\n";

struct store {
	char dir[64], path[96];
	struct pm_db *db;
	struct pm_actor admin;
};

static void at(const char *when)
{
	setenv("PM_NOW", when, 1);
}

static int setup(void **state)
{
	struct store *s = calloc(1, sizeof *s);
	struct pm_config *cfg;
	struct pm_err e = {0};
	enum pm_upsert did;
	int64_t v;
	json_t *u;

	snprintf(s->dir, sizeof s->dir, "/tmp/test_ticket.XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->path, sizeof s->path, "%s/pm.db", s->dir);
	at("2026-11-23T09:00:00+08:00");
	assert_int_equal(pm_db_open(s->path, PM_DB_CREATE, &s->db, &e), PM_OK);
	pm_db_set_actor(s->db, "test");
	assert_int_equal(pm_config_init(s->db, "测试小区", "Asia/Shanghai", &e), PM_OK);
	assert_int_equal(pm_config_load(config, strlen(config), "test", &cfg, &e), PM_OK);
	assert_int_equal(pm_config_apply(s->db, cfg, "test", &v, &e), PM_OK);
	pm_config_free(cfg);
	assert_int_equal(pm_db_begin(s->db, &e), PM_OK);
	u = json_pack("{s:s, s:s}", "code", "1-1-101", "area", "80");
	assert_int_equal(pm_unit_upsert(s->db, u, &did, &e), PM_OK);
	json_decref(u);
	assert_int_equal(pm_db_commit(s->db, &e), PM_OK);
	assert_int_equal(pm_user_add(s->db, "tech", PM_ROLE_TECHNICIAN, NULL, NULL, NULL, &e), PM_OK);
	snprintf(s->admin.login, sizeof s->admin.login, "test");
	s->admin.role = PM_ROLE_ADMIN;
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct store *s = *state;
	char cmd[128];

	pm_db_close(s->db);
	snprintf(cmd, sizeof cmd, "rm -rf %s", s->dir);
	assert_int_equal(system(cmd), 0);
	free(s);
	return 0;
}

static int64_t submit(struct store *s, const char *category, enum pm_ticket_outcome *did)
{
	struct pm_ticket_new t = {.unit = "1-1-101", .category = category, .text = "漏水"};
	struct pm_err e = {0};
	int64_t id = 0;

	assert_int_equal(pm_db_begin(s->db, &e), PM_OK);
	if (pm_ticket_submit(s->db, &s->admin, &t, &id, did, &e) != PM_OK)
		fail_msg("submit: %s", e.msg);
	assert_int_equal(pm_db_commit(s->db, &e), PM_OK);
	return id;
}

static void act(struct store *s, int64_t id, enum pm_ticket_action a, const char *when)
{
	struct pm_ticket_step st = {.to = "tech", .note = "因为", .cost_fen = PM_TICKET_NO_COST};
	struct pm_err e = {0};

	at(when);
	if (pm_ticket_do(s->db, &s->admin, id, a, &st, &e) != PM_OK)
		fail_msg("%s: %s", pm_ticket_action_name(a), e.msg);
}

struct breaches {
	int n;
	char clock[8][16];
	int64_t over[8];
};

static int collect(void *ctx, json_t *rec)
{
	struct breaches *b = ctx;

	if (b->n < 8) {
		snprintf(b->clock[b->n], 16, "%s", json_string_value(json_object_get(rec, "clock")));
		b->over[b->n] = json_integer_value(json_object_get(rec, "over_by"));
	}
	b->n++;
	return 0;
}

static struct breaches overdue(struct store *s, const char *when)
{
	struct breaches b = {0};
	struct pm_err e = {0};
	int64_t t;
	long n;

	int64_t last;
	long printed;

	assert_int_equal(pm_time_parse(when, &t, &e), PM_OK);
	assert_int_equal(pm_ticket_overdue(s->db, t, &n, &e), PM_OK);
	assert_int_equal(pm_printq_each(s->db, PM_PRINTQ_OVERDUE, collect, &b, &last, &printed, &e), PM_OK);
	assert_int_equal(pm_printq_done(s->db, PM_PRINTQ_OVERDUE, last, &e), PM_OK);
	assert_int_equal(n, b.n);
	assert_int_equal(printed, b.n);
	return b;
}

/* ---- the state machine, against a table written out by hand ---- */

static void test_transitions(void **state)
{
	/* Rows: submitted accepted assigned in_progress on_hold resolved
	 * closed cancelled reopened; columns: accept assign start hold
	 * resolve close cancel reopen; "-" is refused. */
	static const char *const want[PM_TICKET_STATUS_COUNT][PM_TICKET_ACTION_COUNT] = {
		{"accepted", "assigned", "-", "-", "-", "-", "cancelled", "-"},
		{"-", "assigned", "-", "on_hold", "-", "-", "cancelled", "-"},
		{"-", "assigned", "in_progress", "on_hold", "resolved", "-", "cancelled", "-"},
		{"-", "assigned", "-", "on_hold", "resolved", "-", "cancelled", "-"},
		{"-", "assigned", "in_progress", "-", "-", "-", "cancelled", "-"},
		{"-", "-", "-", "-", "-", "closed", "-", "reopened"},
		{"-", "-", "-", "-", "-", "-", "-", "reopened"},
		{"-", "-", "-", "-", "-", "-", "-", "-"},
		{"accepted", "assigned", "-", "-", "-", "-", "cancelled", "-"},
	};
	static const char *const allowed[PM_TICKET_STATUS_COUNT] = {
		"accept, assign, cancel", "assign, hold, cancel", "assign, start, hold, resolve, cancel",
		"assign, hold, resolve, cancel", "assign, start, cancel", "close, reopen", "reopen",
		"none", "accept, assign, cancel",
	};
	char buf[128];

	(void)state;
	for (int f = 0; f < PM_TICKET_STATUS_COUNT; f++) {
		for (int a = 0; a < PM_TICKET_ACTION_COUNT; a++) {
			int to = pm_ticket_next((enum pm_ticket_status)f, (enum pm_ticket_action)a);
			const char *got = to < 0 ? "-" : pm_ticket_status_name((enum pm_ticket_status)to);

			if (strcmp(got, want[f][a]))
				fail_msg("%s from %s: got %s, want %s", pm_ticket_action_name((enum pm_ticket_action)a),
					 pm_ticket_status_name((enum pm_ticket_status)f), got, want[f][a]);
		}
		assert_string_equal(pm_ticket_allowed((enum pm_ticket_status)f, buf, sizeof buf), allowed[f]);
	}
	assert_int_equal(pm_ticket_next(PM_TICKET_STATUS_COUNT, PM_TICKET_ACCEPT), -1);
}

/* Every transition on a stored ticket: legal ones move it, illegal ones
 * are refused with the allowed steps named and leave it where it was. */
static void test_transitions_stored(void **state)
{
	struct store *s = *state;
	struct pm_ticket_step st = {.to = "tech", .note = "因为", .cost_fen = PM_TICKET_NO_COST};
	/* A path that visits every state, then every action from each. */
	static const enum pm_ticket_action path[] = {
		PM_TICKET_ACCEPT, PM_TICKET_ASSIGN, PM_TICKET_START, PM_TICKET_HOLD, PM_TICKET_START,
		PM_TICKET_RESOLVE, PM_TICKET_REOPEN, PM_TICKET_ASSIGN, PM_TICKET_RESOLVE, PM_TICKET_CLOSE,
		PM_TICKET_REOPEN, PM_TICKET_CANCEL,
	};
	struct pm_err e = {0};
	enum pm_ticket_outcome did;
	char allowed[128], want[256];
	int64_t id = submit(s, "plumbing", &did);
	enum pm_ticket_status cur = PM_TICKET_SUBMITTED;
	json_t *rec;

	for (size_t i = 0; i < sizeof path / sizeof *path; i++) {
		for (int a = 0; a < PM_TICKET_ACTION_COUNT; a++) {
			if (pm_ticket_next(cur, (enum pm_ticket_action)a) >= 0)
				continue;
			assert_int_equal(pm_ticket_do(s->db, &s->admin, id, (enum pm_ticket_action)a, &st, &e), PM_EFAIL);
			snprintf(want, sizeof want, "cannot %s ticket %lld: it is %s; allowed: %s",
				 pm_ticket_action_name((enum pm_ticket_action)a), (long long)id,
				 pm_ticket_status_name(cur), pm_ticket_allowed(cur, allowed, sizeof allowed));
			assert_string_equal(e.msg, want);
		}
		assert_int_equal(pm_ticket_do(s->db, &s->admin, id, path[i], &st, &e), PM_OK);
		cur = (enum pm_ticket_status)pm_ticket_next(cur, path[i]);
		assert_int_equal(pm_ticket_get(s->db, &s->admin, id, &rec, &e), PM_OK);
		assert_string_equal(json_string_value(json_object_get(rec, "status")), pm_ticket_status_name(cur));
		json_decref(rec);
	}
	assert_int_equal(cur, PM_TICKET_CANCELLED);
	st.note = NULL;
	id = submit(s, "noise", &did);
	assert_int_equal(pm_ticket_do(s->db, &s->admin, id, PM_TICKET_HOLD, &st, &e), PM_EFAIL);
	assert_int_equal(pm_ticket_do(s->db, &s->admin, id, PM_TICKET_CANCEL, &st, &e), PM_EUSAGE);
	assert_string_equal(e.msg, "cancel needs a reason");
}

/* ---- SLA clocks ---- */

static void test_span(void **state)
{
	static const struct pm_hours h = {.days = 0x1f, .from = 9 * 3600, .to = 18 * 3600};
	static const struct {
		const char *from, *to;
		int64_t want;
	} cases[] = {
		{"2026-11-23T08:00:00+08:00", "2026-11-23T20:00:00+08:00", 9 * 3600},   /* Monday */
		{"2026-11-27T17:00:00+08:00", "2026-11-30T10:00:00+08:00", 2 * 3600},   /* Fri to Mon */
		{"2026-11-28T10:00:00+08:00", "2026-11-29T20:00:00+08:00", 0},          /* weekend */
		{"2026-11-23T09:00:00+08:00", "2026-12-14T09:00:00+08:00", 15 * 9 * 3600}, /* 3 weeks */
		{"2026-11-27T12:00:00+08:00", "2026-12-04T12:00:00+08:00", 5 * 9 * 3600},
		{"2026-11-23T10:00:00+08:00", "2026-11-23T10:30:00+08:00", 1800},
		{"2026-11-23T10:30:00+08:00", "2026-11-23T10:00:00+08:00", 0},          /* backwards */
		{"2026-01-05T09:00:00+08:00", "2027-01-04T09:00:00+08:00", 52 * 5 * 9 * 3600},
	};
	struct pm_err e = {0};
	int64_t a, b;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		assert_int_equal(pm_time_parse(cases[i].from, &a, &e), PM_OK);
		assert_int_equal(pm_time_parse(cases[i].to, &b, &e), PM_OK);
		if (pm_sla_span(&h, "Asia/Shanghai", a, b) != cases[i].want)
			fail_msg("%s .. %s: got %lld, want %lld", cases[i].from, cases[i].to,
				 (long long)pm_sla_span(&h, "Asia/Shanghai", a, b), (long long)cases[i].want);
	}
	assert_int_equal(pm_sla_span(NULL, "Asia/Shanghai", a, b), b - a);
}

static int32_t day(const char *s)
{
	struct pm_err e = {0};
	int32_t d;

	assert_int_equal(pm_date_parse(s, &d, &e), PM_OK);
	return d;
}

static int64_t span(const struct pm_hours *h, const char *from, const char *to)
{
	struct pm_err e = {0};
	int64_t a, b;

	assert_int_equal(pm_time_parse(from, &a, &e), PM_OK);
	assert_int_equal(pm_time_parse(to, &b, &e), PM_OK);
	return pm_sla_span(h, "Asia/Shanghai", a, b);
}

/* National Day: Thursday 1 to Wednesday 7 October off, Saturday 10
 * worked in exchange (调休). */
static void test_span_calendar(void **state)
{
	int32_t off[7], on[1] = {day("2026-10-10")};
	struct pm_hours h = {0x1f, 9 * 3600, 18 * 3600, off, on, 7, 1};
	const struct pm_hours plain = {.days = 0x1f, .from = 9 * 3600, .to = 18 * 3600};

	(void)state;
	for (int i = 0; i < 7; i++)
		off[i] = day("2026-10-01") + i;
	assert_int_equal(span(&h, "2026-09-30T17:00:00+08:00", "2026-10-08T10:00:00+08:00"), 2 * 3600);
	assert_int_equal(span(&plain, "2026-09-30T17:00:00+08:00", "2026-10-08T10:00:00+08:00"), 47 * 3600);
	assert_int_equal(span(&h, "2026-10-10T08:00:00+08:00", "2026-10-10T20:00:00+08:00"), 9 * 3600);
	assert_int_equal(span(&plain, "2026-10-10T08:00:00+08:00", "2026-10-10T20:00:00+08:00"), 0);
	/* Four weeks: 20 weekdays, 5 of them off, one Saturday worked. */
	assert_int_equal(span(&h, "2026-09-21T09:00:00+08:00", "2026-10-19T09:00:00+08:00"), 16 * 9 * 3600);
	assert_int_equal(span(&plain, "2026-09-21T09:00:00+08:00", "2026-10-19T09:00:00+08:00"), 20 * 9 * 3600);
	/* A year: 52 weeks of 5 days, less 5 off, plus 1 worked. */
	assert_int_equal(span(&h, "2026-01-05T09:00:00+08:00", "2027-01-04T09:00:00+08:00"), (260 - 5 + 1) * 9 * 3600);
	assert_true(pm_hours_rest(&h, day("2026-10-01")));  /* Thursday, off */
	assert_true(pm_hours_rest(&h, day("2026-10-03")));  /* Saturday, off */
	assert_false(pm_hours_rest(&h, day("2026-10-08"))); /* Thursday */
	assert_false(pm_hours_rest(&h, day("2026-10-10"))); /* Saturday, worked */
	assert_true(pm_hours_rest(&h, day("2026-10-11")));  /* Sunday */
	assert_true(pm_hours_rest(&plain, day("2026-10-10")));
	assert_false(pm_hours_rest(NULL, day("2026-10-01")));
}

/* plumbing is high: accept 1h, resolve 24h in wall time. Holding from
 * +1h to +5h pauses the resolve clock, so it runs out at +28h. */
static void test_hold_pauses(void **state)
{
	struct store *s = *state;
	enum pm_ticket_outcome did;
	struct breaches b;
	int64_t id = submit(s, "plumbing", &did);

	act(s, id, PM_TICKET_ACCEPT, "2026-11-23T09:10:00+08:00");
	act(s, id, PM_TICKET_HOLD, "2026-11-23T10:00:00+08:00");
	act(s, id, PM_TICKET_START, "2026-11-23T14:00:00+08:00");
	b = overdue(s, "2026-11-24T12:59:59+08:00");
	assert_int_equal(b.n, 0);
	b = overdue(s, "2026-11-24T14:00:00+08:00");
	assert_int_equal(b.n, 1);
	assert_string_equal(b.clock[0], "resolve");
	assert_int_equal(b.over[0], 3600);
	b = overdue(s, "2026-11-24T18:00:00+08:00");
	assert_int_equal(b.n, 0); /* reported once */
}

/* An accept that came late is a breach even if overdue ran only after. */
static void test_late_accept(void **state)
{
	struct store *s = *state;
	enum pm_ticket_outcome did;
	struct breaches b;
	int64_t id = submit(s, "plumbing", &did);

	act(s, id, PM_TICKET_ACCEPT, "2026-11-23T10:30:00+08:00");
	act(s, id, PM_TICKET_ASSIGN, "2026-11-23T10:31:00+08:00");
	act(s, id, PM_TICKET_RESOLVE, "2026-11-23T11:00:00+08:00");
	b = overdue(s, "2026-11-23T12:00:00+08:00");
	assert_int_equal(b.n, 1);
	assert_string_equal(b.clock[0], "accept");
	assert_int_equal(b.over[0], 1800);
	assert_int_equal(overdue(s, "2026-11-30T12:00:00+08:00").n, 0);
}

/* greenery: accept within 2h of business hours (Mon-Fri 09-18). Filed
 * Friday 17:00, one hour counts on Friday and the rest on Monday. */
static void test_business_hours(void **state)
{
	struct store *s = *state;
	enum pm_ticket_outcome did;
	struct breaches b;

	at("2026-11-27T17:00:00+08:00");
	submit(s, "greenery", &did);
	assert_int_equal(overdue(s, "2026-11-29T23:00:00+08:00").n, 0);
	assert_int_equal(overdue(s, "2026-11-30T10:00:00+08:00").n, 0);
	b = overdue(s, "2026-11-30T10:30:00+08:00");
	assert_int_equal(b.n, 1);
	assert_string_equal(b.clock[0], "accept");
	assert_int_equal(b.over[0], 1800);
}

/* ---- dedupe ---- */

static void test_dedupe(void **state)
{
	struct store *s = *state;
	enum pm_ticket_outcome did;
	int64_t first, id;
	json_t *rec;
	struct pm_err e = {0};

	first = submit(s, "plumbing", &did);
	assert_int_equal(did, PM_TICKET_CREATED);
	at("2026-11-24T08:59:59+08:00");
	id = submit(s, "plumbing", &did);
	assert_int_equal(did, PM_TICKET_REPEATED);
	assert_int_equal(id, first);
	assert_int_equal(pm_ticket_get(s->db, &s->admin, first, &rec, &e), PM_OK);
	assert_int_equal(json_integer_value(json_object_get(rec, "repeats")), 1);
	json_decref(rec);
	id = submit(s, "noise", &did);
	assert_int_equal(did, PM_TICKET_CREATED);
	assert_int_not_equal(id, first);
	/* Past the window the same report is a new ticket. */
	at("2026-11-24T09:00:01+08:00");
	id = submit(s, "plumbing", &did);
	assert_int_equal(did, PM_TICKET_CREATED);
	/* A resolved ticket is not open: a new report makes a new ticket. */
	act(s, id, PM_TICKET_ASSIGN, "2026-11-24T09:10:00+08:00");
	act(s, id, PM_TICKET_RESOLVE, "2026-11-24T09:20:00+08:00");
	assert_int_not_equal(submit(s, "plumbing", &did), id);
	assert_int_equal(did, PM_TICKET_CREATED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transitions),
		cmocka_unit_test(test_span),
		cmocka_unit_test(test_span_calendar),
		cmocka_unit_test_setup_teardown(test_transitions_stored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hold_pauses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_late_accept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_business_hours, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dedupe, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
