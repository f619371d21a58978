#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "pm/community.h"
#include "pm/config.h"
#include "pm/db.h"
#include "pm/err.h"
#include "pm/meter.h"
#include "pm/timeutil.h"
#include "meter-internal.h"

/* Each test gets a store of its own in a temporary directory, with the
 * clock fixed, a community in Asia/Shanghai and two units: 1-1-101 lived
 * in, 1-1-102 empty. */
struct fx {
	char dir[64], path[96];
	struct pm_db *db;
};

static void exec_sql(struct pm_db *db, const char *sql)
{
	struct pm_err e = {0};

	if (pm_db_exec(db, sql, &e))
		fail_msg("%s: %s", sql, e.msg);
}

static int setup(void **state)
{
	static const char *const units[] = {
		"{\"code\":\"1-1-101\",\"area\":\"89.50\",\"status\":\"occupied\"}",
		"{\"code\":\"1-1-102\",\"area\":\"60.00\",\"status\":\"vacant\"}",
	};
	struct fx *f = calloc(1, sizeof *f);
	struct pm_err e = {0};
	enum pm_upsert did;

	assert_non_null(f);
	setenv("PM_NOW", "2027-01-15T10:00:00+08:00", 1);
	snprintf(f->dir, sizeof f->dir, "/tmp/pm-test-meter.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/pm.db", f->dir);
	if (pm_db_open(f->path, PM_DB_CREATE, &f->db, &e))
		fail_msg("open: %s", e.msg);
	pm_db_set_actor(f->db, "tester");
	if (pm_config_init(f->db, "测试小区", "Asia/Shanghai", &e))
		fail_msg("config: %s", e.msg);
	assert_int_equal(pm_db_begin(f->db, &e), PM_OK);
	for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
		json_t *u = json_loads(units[i], 0, NULL);
		if (pm_unit_upsert(f->db, u, &did, &e))
			fail_msg("unit: %s", e.msg);
		json_decref(u);
	}
	/* Lived in, as occupancy says: someone moved into 1-1-101 in 2020. */
	json_t *p = json_loads("{\"code\":\"P1\",\"name\":\"住户\",\"unit\":\"1-1-101\",\"since\":\"2020-01-01\"}",
			       0, NULL);
	if (pm_person_upsert(f->db, p, &did, &e))
		fail_msg("person: %s", e.msg);
	json_decref(p);
	assert_int_equal(pm_db_commit(f->db, &e), PM_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char p[128];

	pm_db_close(f->db);
	for (const char *const *s = (const char *const[]){"", "-wal", "-shm", NULL}; *s; s++) {
		snprintf(p, sizeof p, "%s%s", f->path, *s);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

/* ---- helpers ---- */

static void add_meter(struct pm_db *db, const char *json)
{
	json_t *rec = json_loads(json, 0, NULL);
	struct pm_err e = {0};
	enum pm_upsert did;

	assert_non_null(rec);
	assert_int_equal(pm_db_begin(db, &e), PM_OK);
	if (pm_meter_upsert(db, rec, &did, &e))
		fail_msg("meter %s: %s", json, e.msg);
	assert_int_equal(did, PM_INSERTED);
	assert_int_equal(pm_db_commit(db, &e), PM_OK);
	json_decref(rec);
}

/* Ingests one JSON line as `pm-meter ingest` does: inside a transaction
 * that commits even when the reading is rejected, so what a rejection
 * leaves behind (meter_event) is seen. Returns the code; *did and the
 * message through the pointers when given. */
static int ingest_r(struct pm_db *db, int replace, const char *json, enum pm_ingest_did *did,
		    char *msg, size_t size)
{
	json_t *rec = json_loads(json, 0, NULL);
	struct pm_ingest *in;
	struct pm_err e = {0};
	enum pm_ingest_did d = (enum pm_ingest_did)-1;
	int rc;

	if (!rec)
		fail_msg("not JSON: %s", json);
	if (pm_ingest_open(db, replace, &in, &e))
		fail_msg("ingest open: %s", e.msg);
	assert_int_equal(pm_db_begin(db, &e), PM_OK);
	rc = pm_ingest_record(in, rec, &d, &e);
	assert_int_equal(pm_db_commit(db, &e), PM_OK);
	pm_ingest_close(in);
	json_decref(rec);
	if (did)
		*did = d;
	if (msg)
		snprintf(msg, size, "%s", rc ? e.msg : "");
	return rc;
}

static void ingest_ok(struct pm_db *db, const char *json)
{
	char msg[PM_ERR_MSG_MAX];
	enum pm_ingest_did did;

	if (ingest_r(db, 0, json, &did, msg, sizeof msg))
		fail_msg("%s: %s", json, msg);
	assert_int_equal(did, PM_INGEST_INSERTED);
}

/* A reading of meter at ts with value (a JSON number or string). */
static void reading(struct pm_db *db, const char *meter, const char *ts, const char *value)
{
	char line[256];

	snprintf(line, sizeof line, "{\"meter\":\"%s\",\"ts\":\"%s\",\"value\":%s}", meter, ts, value);
	ingest_ok(db, line);
}

static void ingest_bad(struct pm_db *db, const char *json, const char *want)
{
	char msg[PM_ERR_MSG_MAX];

	assert_int_equal(ingest_r(db, 0, json, NULL, msg, sizeof msg), PM_EDATA);
	assert_string_equal(msg, want);
}

static int64_t sql_int(struct pm_db *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v;

	if (sqlite3_prepare_v2(pm_db_sqlite(db), sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(pm_db_sqlite(db)));
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int64_t meter_id(struct pm_db *db, const char *code)
{
	char sql[128];

	snprintf(sql, sizeof sql, "SELECT id FROM meter WHERE code = '%s'", code);
	return sql_int(db, sql);
}

static void apply_config(struct pm_db *db, const char *meters)
{
	char text[1024];
	struct pm_config *cfg;
	struct pm_err e = {0};
	int64_t version;
	int n = snprintf(text, sizeof text,
			 "effective: 2026-01-01\ncommunity:\n  name: 测试小区\n  timezone: Asia/Shanghai\n"
			 "meters:\n%s", meters);

	if (pm_config_load(text, (size_t)n, "pm.yaml", &cfg, &e))
		fail_msg("config: %s", e.msg);
	if (pm_config_apply(db, cfg, "pm.yaml", &version, &e))
		fail_msg("apply: %s", e.msg);
	assert_true(version > 0);
	pm_config_free(cfg);
}

static struct pm_period period(const char *s)
{
	struct pm_period p;
	struct pm_err e;

	assert_int_equal(pm_period_parse(s, &p, &e), PM_OK);
	return p;
}

/* The usage rows of a period, copied out of the walk. */
#define MAX_ROWS 16

struct rows {
	int n;
	struct pm_usage u[MAX_ROWS];
	char meter[MAX_ROWS][32];
};

static int keep_row(void *ctx, const struct pm_usage *u)
{
	struct rows *r = ctx;

	assert_true(r->n < MAX_ROWS);
	r->u[r->n] = *u;
	snprintf(r->meter[r->n], sizeof r->meter[r->n], "%s", u->meter);
	r->u[r->n].meter = r->meter[r->n];
	r->u[r->n].kind = r->u[r->n].uom = r->u[r->n].scope = r->u[r->n].serves = NULL;
	r->n++;
	return 0;
}

static void usage_of(struct pm_db *db, const char *per, const char *kind, const char *meter,
		     struct rows *r)
{
	struct pm_err e = {0};

	memset(r, 0, sizeof *r);
	if (pm_usage_each(db, period(per), kind, meter, keep_row, r, &e))
		fail_msg("usage %s: %s", per, e.msg);
}

/* The one row of meter in period per. */
static struct pm_usage usage1(struct pm_db *db, const char *per, const char *meter)
{
	struct rows r;

	usage_of(db, per, NULL, meter, &r);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.meter[0], meter);
	r.u[0].meter = NULL;
	return r.u[0];
}

#define WATER(code, serves, installed, initial) \
	"{\"code\":\"" code "\",\"kind\":\"water\",\"serves\":\"" serves "\",\"installed\":\"" \
	installed "\",\"initial\":\"" initial "\"}"
#define JAN "2026-01-01T00:00:00+08:00"

/* ---- wrap-around ---- */

static void test_wrap(void **state)
{
	struct fx *f = *state;
	struct pm_usage u;

	add_meter(f->db, WATER("W-1", "1-1-101", "2026-10-01T00:00:00+08:00", "99900.000"));
	reading(f->db, "W-1", "2026-10-31T12:00:00+08:00", "99990.000");
	reading(f->db, "W-1", "2026-11-30T12:00:00+08:00", "5.000");
	u = usage1(f->db, "2026-11", "W-1");
	assert_int_equal(u.opening, 99990000);
	assert_int_equal(u.closing, 5000);
	assert_int_equal(u.usage, 15000);
	assert_int_equal(u.flags, PM_USAGE_WRAPPED);
	/* October went up without a wrap: 99900 to 99990. */
	u = usage1(f->db, "2026-10", "W-1");
	assert_int_equal(u.usage, 90000);
	assert_int_equal(u.flags, 0);

	/* A decrease that no wrap explains is refused, and remembered. */
	ingest_bad(f->db, "{\"meter\":\"W-1\",\"ts\":\"2026-11-30T18:00:00+08:00\",\"value\":3}",
		   "reading 3.000 is below 5.000 at 2026-11-30T12:00:00+08:00 and is no register wrap: rejected");
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM reading"), 2);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM meter_event WHERE kind = 'decrease_rejected'"
				 " AND value = 3000 AND ts = CAST(strftime('%s', '2026-11-30T10:00:00Z') AS INTEGER)"), 1);

	/* Out of order: 99995 fits between 99990 and the wrap to 5. */
	reading(f->db, "W-1", "2026-11-15T12:00:00+08:00", "99995");
	/* 50 after 99995 would wrap, but 5 after 50 would not. */
	ingest_bad(f->db, "{\"meter\":\"W-1\",\"ts\":\"2026-11-20T12:00:00+08:00\",\"value\":\"50\"}",
		   "reading 50.000 is above 5.000 at 2026-11-30T12:00:00+08:00, which follows it: rejected");
	/* 10000 is not in the bottom tenth of the register: no wrap. */
	ingest_bad(f->db, "{\"meter\":\"W-1\",\"ts\":\"2026-11-16T12:00:00+08:00\",\"value\":\"10000.000\"}",
		   "reading 10000.000 is below 99995.000 at 2026-11-15T12:00:00+08:00 and is no register wrap: rejected");
	u = usage1(f->db, "2026-11", "W-1");
	assert_int_equal(u.usage, 15000);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM meter_event"), 3);
}

static void test_wrap_needs_the_top_tenth(void **state)
{
	struct fx *f = *state;

	add_meter(f->db, WATER("W-2", "1-1-101", JAN, "0"));
	reading(f->db, "W-2", "2026-10-31T12:00:00+08:00", "89999.999");
	ingest_bad(f->db, "{\"meter\":\"W-2\",\"ts\":\"2026-11-30T12:00:00+08:00\",\"value\":1}",
		   "reading 1.000 is below 89999.999 at 2026-10-31T12:00:00+08:00 and is no register wrap: rejected");
	reading(f->db, "W-2", "2026-11-30T12:00:00+08:00", "90000");
	/* 9999.999 is the top of the bottom tenth. */
	reading(f->db, "W-2", "2026-12-31T12:00:00+08:00", "9999.999");
	assert_int_equal(usage1(f->db, "2026-12", "W-2").usage, 19999999);
}

/* ---- replacement ---- */

static void test_replacement(void **state)
{
	struct fx *f = *state;
	struct pm_err e = {0};
	struct pm_usage u;
	struct rows r;
	json_t *m;
	int64_t at;

	add_meter(f->db, WATER("W-OLD", "1-1-101", JAN, "0"));
	reading(f->db, "W-OLD", "2026-10-31T12:00:00+08:00", "100");
	assert_int_equal(pm_time_parse("2026-11-15T10:00:00+08:00", &at, &e), PM_OK);
	if (pm_meter_replace(f->db, "W-OLD", "W-NEW", at, 150000, 0, NULL, &e))
		fail_msg("replace: %s", e.msg);
	reading(f->db, "W-NEW", "2026-11-30T23:00:00+08:00", "30");

	/* One row for the unit: the old meter up to 150, the new from 0. */
	usage_of(f->db, "2026-11", NULL, NULL, &r);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.meter[0], "W-NEW");
	u = r.u[0];
	assert_int_equal(u.opening, 100000);
	assert_int_equal(u.closing, 30000);
	assert_int_equal(u.usage, 80000);
	assert_int_equal(u.flags, PM_USAGE_REPLACED);

	/* The periods around it see one meter each, nothing twice. */
	u = usage1(f->db, "2026-10", "W-OLD");
	assert_int_equal(u.usage, 100000);
	usage_of(f->db, "2026-12", NULL, NULL, &r);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.meter[0], "W-NEW");
	assert_int_equal(r.u[0].opening, 30000);
	assert_int_equal(r.u[0].usage, 0);
	assert_int_equal(r.u[0].flags, PM_USAGE_MISSING);

	/* The final reading is a reading; the old meter takes no more. */
	assert_int_equal(sql_int(f->db, "SELECT value FROM reading r JOIN meter m ON m.id = r.meter_id"
				 " WHERE m.code = 'W-OLD' ORDER BY ts DESC LIMIT 1"), 150000);
	ingest_bad(f->db, "{\"meter\":\"W-OLD\",\"ts\":\"2026-11-16T00:00:00+08:00\",\"value\":151}",
		   "reading after meter 'W-OLD' was retired (2026-11-15T10:00:00+08:00)");
	ingest_bad(f->db, "{\"meter\":\"W-NEW\",\"ts\":\"2026-11-15T09:59:59+08:00\",\"value\":0}",
		   "reading before meter 'W-NEW' was installed (2026-11-15T10:00:00+08:00)");
	assert_int_equal(pm_meter_get(f->db, "W-NEW", &m, &e), PM_OK);
	assert_string_equal(json_string_value(json_object_get(m, "replaces")), "W-OLD");
	assert_string_equal(json_string_value(json_object_get(m, "serves")), "1-1-101");
	json_decref(m);
	assert_int_equal(pm_meter_get(f->db, "W-OLD", &m, &e), PM_OK);
	assert_string_equal(json_string_value(json_object_get(m, "final")), "150.000");
	json_decref(m);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM audit WHERE action = 'meter.replace'"
				 " AND object = 'meter:W-OLD'"), 1);

	/* A final reading below the last one is refused, and nothing changes. */
	assert_int_equal(pm_meter_replace(f->db, "W-NEW", "W-3", at + 30 * 86400, 20000, 0, NULL, &e),
			 PM_EDATA);
	assert_string_equal(e.msg, "final reading 20.000 is below the last reading 30.000");
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM meter WHERE code = 'W-3'"), 0);
}

/* ---- usage over a span (the year to date of annual tiers) ---- */

static void span_of(struct pm_db *db, const char *from, const char *to, struct rows *r)
{
	struct pm_err e = {0};

	memset(r, 0, sizeof *r);
	if (pm_usage_span_each(db, period(from), period(to), "water", keep_row, r, &e))
		fail_msg("span %s..%s: %s", from, to, e.msg);
}

/* A span is its months as pm_usage_each counts them, summed: a wrap and
 * a replacement counted once; a meter whose place at the start nothing
 * says counts from its first reading, flagged. */
static void test_usage_span(void **state)
{
	struct fx *f = *state;
	struct pm_err e = {0};
	int64_t at, sum = 0;
	struct rows r;

	/* W-A stood at 99950 on the 1st of January, wrapped to 30 by March,
	 * gave way to W-B at 60 in June; W-B read 5 in October. */
	add_meter(f->db, WATER("W-A", "1-1-101", "2025-06-01T00:00:00+08:00", "99900"));
	reading(f->db, "W-A", "2025-12-31T23:00:00+08:00", "99950");
	reading(f->db, "W-A", "2026-03-31T23:00:00+08:00", "30");
	assert_int_equal(pm_time_parse("2026-06-15T12:00:00+08:00", &at, &e), PM_OK);
	if (pm_meter_replace(f->db, "W-A", "W-B", at, 60000, 0, NULL, &e))
		fail_msg("replace: %s", e.msg);
	reading(f->db, "W-B", "2026-10-31T23:00:00+08:00", "5");
	/* W-C turned unread from 2020 until 5000 on 1 March, 5170 by October. */
	add_meter(f->db, WATER("W-C", "1-1-102", "2020-01-01T00:00:00+08:00", "0"));
	reading(f->db, "W-C", "2026-03-01T00:00:00+08:00", "5000");
	reading(f->db, "W-C", "2026-10-31T23:00:00+08:00", "5170");

	span_of(f->db, "2026-01", "2026-11", &r);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.meter[0], "W-B");
	/* 99950 → 100030 is 80, 30 → 60 is 30, 0 → 5 is 5 */
	assert_int_equal(r.u[0].usage, 115000);
	assert_int_equal(r.u[0].flags, PM_USAGE_WRAPPED | PM_USAGE_REPLACED);
	assert_string_equal(r.meter[1], "W-C");
	assert_int_equal(r.u[1].usage, 170000);
	assert_int_equal(r.u[1].flags, PM_USAGE_PARTIAL);
	/* The same as the months one by one. */
	for (struct pm_period p = period("2026-01"); pm_period_cmp(p, period("2026-11")) < 0; p = pm_period_add(p, 1)) {
		char per[PM_TIME_BUF];
		struct rows m;
		usage_of(f->db, pm_period_fmt(p, per), NULL, NULL, &m);
		for (int i = 0; i < m.n; i++)
			if (strcmp(m.meter[i], "W-A") == 0 || strcmp(m.meter[i], "W-B") == 0)
				sum += m.u[i].usage;
	}
	assert_int_equal(sum, 115000);

	/* An empty span, and one before the meters. */
	span_of(f->db, "2026-11", "2026-11", &r);
	assert_int_equal(r.n, 0);
	span_of(f->db, "2026-01", "2026-03", &r);
	assert_int_equal(r.u[0].usage, 0);
	assert_int_equal(r.u[1].flags, PM_USAGE_PARTIAL);
}

/* ---- usage ---- */

static void test_usage_boundaries_multiplier_registers(void **state)
{
	struct fx *f = *state;
	struct pm_usage u;
	struct rows r;

	add_meter(f->db, "{\"code\":\"E-1\",\"kind\":\"electricity\",\"serves\":\"1-1-101\","
		  "\"multiplier\":40,\"registers\":[\"valley\",\"peak\"],\"installed\":\"" JAN "\"}");
	add_meter(f->db, WATER("W-1", "1-1-102", JAN, "7.5"));
	ingest_ok(f->db, "{\"meter\":\"E-1\",\"ts\":\"2026-10-31T23:00:00+08:00\",\"value\":1000,"
		  "\"registers\":{\"peak\":400,\"valley\":500}}");
	/* Exactly at the boundary: October's closing and November's opening. */
	ingest_ok(f->db, "{\"meter\":\"E-1\",\"ts\":\"2026-11-01T00:00:00+08:00\",\"value\":\"1010.000\","
		  "\"registers\":{\"peak\":\"404\",\"valley\":\"505\"}}");
	ingest_ok(f->db, "{\"meter\":\"E-1\",\"ts\":\"2026-11-15T08:00:00+08:00\",\"value\":1100,"
		  "\"registers\":{\"peak\":440,\"valley\":550}}");
	ingest_ok(f->db, "{\"meter\":\"E-1\",\"ts\":\"2026-11-30T22:00:00+08:00\",\"value\":1200.5,"
		  "\"registers\":{\"peak\":480.25,\"valley\":600.125}}");
	ingest_ok(f->db, "{\"meter\":\"E-1\",\"ts\":\"2026-12-01T00:00:00+08:00\",\"value\":1210.001,"
		  "\"registers\":{\"peak\":484.001,\"valley\":605}}");
	reading(f->db, "W-1", "2026-11-20T09:00:00+08:00", "9.25");

	u = usage1(f->db, "2026-11", "E-1");
	assert_int_equal(u.opening, 1010000);
	assert_int_equal(u.closing, 1210001);
	assert_int_equal(u.usage, 200001 * 40);
	assert_int_equal(u.multiplier, 40);
	assert_int_equal(u.flags, 0);
	assert_int_equal(u.nregs, 2);
	assert_int_equal(u.regs[0].reg, 2); /* peak before valley, whatever the order given */
	assert_int_equal(u.regs[0].opening, 404000);
	assert_int_equal(u.regs[0].closing, 484001);
	assert_int_equal(u.regs[0].usage, 80001 * 40);
	assert_int_equal(u.regs[1].reg, 4);
	assert_int_equal(u.regs[1].opening, 505000);
	assert_int_equal(u.regs[1].closing, 605000);
	assert_int_equal(u.regs[1].usage, 4000000);

	/* October opens on the initial reading and closes on the boundary one. */
	u = usage1(f->db, "2026-10", "E-1");
	assert_int_equal(u.opening, 0);
	assert_int_equal(u.closing, 1010000);
	assert_int_equal(u.usage, 40400000);
	assert_int_equal(u.regs[0].usage, 404000 * 40);

	/* December's only reading is at its first instant: it is November's. */
	u = usage1(f->db, "2026-12", "E-1");
	assert_int_equal(u.opening, 1210001);
	assert_int_equal(u.usage, 0);
	assert_int_equal(u.flags, PM_USAGE_MISSING);
	assert_int_equal(u.regs[0].usage, 0);

	/* The water meter opens on its initial reading. */
	u = usage1(f->db, "2026-11", "W-1");
	assert_int_equal(u.opening, 7500);
	assert_int_equal(u.closing, 9250);
	assert_int_equal(u.usage, 1750);
	assert_int_equal(u.nregs, 0);

	/* Kinds and meters filter; rows come in code order. */
	usage_of(f->db, "2026-11", NULL, NULL, &r);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.meter[0], "E-1");
	assert_string_equal(r.meter[1], "W-1");
	usage_of(f->db, "2026-11", "water", NULL, &r);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.meter[0], "W-1");
	usage_of(f->db, "2026-11", "gas", NULL, &r);
	assert_int_equal(r.n, 0);
	/* Not installed yet in 2025-12. */
	usage_of(f->db, "2025-12", NULL, NULL, &r);
	assert_int_equal(r.n, 0);
}

static void test_usage_json(void **state)
{
	struct fx *f = *state;
	struct pm_usage u;
	char *s;
	json_t *j;

	add_meter(f->db, "{\"code\":\"E-1\",\"kind\":\"electricity\",\"serves\":\"building:1\","
		  "\"multiplier\":2,\"registers\":[\"peak\"],\"installed\":\"" JAN "\"}");
	ingest_ok(f->db, "{\"meter\":\"E-1\",\"ts\":\"2026-11-30T22:00:00+08:00\",\"value\":10.5,"
		  "\"registers\":{\"peak\":4}}");
	u = usage1(f->db, "2026-11", "E-1");
	u.meter = "E-1";
	u.kind = "electricity";
	u.uom = "kWh";
	u.serves = "building:1";
	j = pm_usage_json(&u, period("2026-11"));
	s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(s, "{\"type\":\"usage\",\"period\":\"2026-11\",\"meter\":\"E-1\","
			    "\"kind\":\"electricity\",\"serves\":\"building:1\",\"uom\":\"kWh\","
			    "\"opening\":\"0.000\",\"closing\":\"10.500\",\"usage\":\"21.000\","
			    "\"multiplier\":2,\"flags\":\"\",\"registers\":{\"peak\":{\"opening\":\"0.000\","
			    "\"closing\":\"4.000\",\"usage\":\"8.000\"}}}");
	free(s);
	json_decref(j);
}

static void test_flag_names(void **state)
{
	char buf[96];

	(void)state;
	assert_string_equal(pm_usage_flag_names(0, buf, sizeof buf), "");
	assert_string_equal(pm_usage_flag_names(PM_USAGE_MISSING | PM_USAGE_ESTIMATED, buf, sizeof buf),
			    "missing,estimated");
	assert_string_equal(pm_usage_flag_names(PM_USAGE_HELD | PM_USAGE_WRAPPED | PM_USAGE_REPLACED |
						PM_USAGE_ADJUSTED, buf, sizeof buf),
			    "held,wrapped,replaced,adjusted");
}

/* ---- the missing policies ---- */

/* August 12.000, September unread, October 18.001, November unread. */
static void missing_history(struct pm_db *db)
{
	add_meter(db, WATER("W-M", "1-1-101", JAN, "0"));
	reading(db, "W-M", "2026-07-31T12:00:00+08:00", "10");
	reading(db, "W-M", "2026-08-31T12:00:00+08:00", "22");
	reading(db, "W-M", "2026-10-31T12:00:00+08:00", "40.001");
}

static void test_missing_zero(void **state)
{
	struct fx *f = *state;
	struct pm_usage u;

	missing_history(f->db);
	u = usage1(f->db, "2026-11", "W-M");
	assert_int_equal(u.flags, PM_USAGE_MISSING);
	assert_int_equal(u.usage, 0);
	assert_int_equal(u.opening, 40001);
	assert_int_equal(u.closing, 40001);
	u = usage1(f->db, "2026-10", "W-M");
	assert_int_equal(u.usage, 18001);
	assert_int_equal(u.flags, 0);
}

static void test_missing_hold(void **state)
{
	struct fx *f = *state;
	struct pm_usage u;

	missing_history(f->db);
	apply_config(f->db, "  missing: hold\n");
	u = usage1(f->db, "2026-11", "W-M");
	assert_int_equal(u.flags, PM_USAGE_MISSING | PM_USAGE_HELD);
	assert_int_equal(u.usage, 0);
}

static void test_missing_average(void **state)
{
	struct fx *f = *state;
	struct pm_usage u;

	missing_history(f->db);
	apply_config(f->db, "  missing: average_3m\n");
	/* Of October, September and August, two had readings: (18.001 +
	 * 12.000) / 2 = 15.0005, half up. July is four periods back. */
	u = usage1(f->db, "2026-11", "W-M");
	assert_int_equal(u.flags, PM_USAGE_MISSING | PM_USAGE_ESTIMATED);
	assert_int_equal(u.usage, 15001);
	/* September itself: July (10) and August (12) had readings. */
	u = usage1(f->db, "2026-09", "W-M");
	assert_int_equal(u.usage, 11000);
	/* Nothing before to go on: an estimate of zero, still marked. */
	u = usage1(f->db, "2026-01", "W-M");
	assert_int_equal(u.flags, PM_USAGE_MISSING | PM_USAGE_ESTIMATED);
	assert_int_equal(u.usage, 0);
}

static void test_missing_average_multiplier(void **state)
{
	struct fx *f = *state;

	add_meter(f->db, "{\"code\":\"E-M\",\"kind\":\"electricity\",\"serves\":\"1-1-101\","
		  "\"multiplier\":3,\"installed\":\"" JAN "\"}");
	reading(f->db, "E-M", "2026-09-30T12:00:00+08:00", "1");
	reading(f->db, "E-M", "2026-10-31T12:00:00+08:00", "2.5");
	apply_config(f->db, "  missing: average_3m\n");
	/* (1.000 + 1.500) / 2 = 1.250, times 3. */
	assert_int_equal(usage1(f->db, "2026-11", "E-M").usage, 3750);
}

/* ---- estimates taken off the next real reading ---- */

static void test_estimate_subtraction(void **state)
{
	struct fx *f = *state;
	struct pm_err e = {0};
	struct pm_usage u;

	apply_config(f->db, "  missing: average_3m\n");
	add_meter(f->db, WATER("W-E", "1-1-101", JAN, "0"));
	add_meter(f->db, WATER("W-F", "1-1-102", JAN, "0"));
	for (int i = 0; i < 2; i++) {
		const char *m = i ? "W-F" : "W-E";
		reading(f->db, m, "2026-08-31T12:00:00+08:00", "10");
		reading(f->db, m, "2026-09-30T12:00:00+08:00", "22");
		reading(f->db, m, "2026-10-31T12:00:00+08:00", "34");
	}
	/* November unread: (12 + 12 + 10) / 3 = 11.333, billed so. */
	u = usage1(f->db, "2026-11", "W-E");
	assert_int_equal(u.flags, PM_USAGE_MISSING | PM_USAGE_ESTIMATED);
	assert_int_equal(u.usage, 11333);
	assert_int_equal(pm_usage_estimate_record(f->db, meter_id(f->db, "W-E"), period("2026-11"),
						  u.usage, 0, &e), PM_OK);
	/* Recorded once: a second bill run changes nothing. */
	assert_int_equal(pm_usage_estimate_record(f->db, meter_id(f->db, "W-E"), period("2026-11"),
						  99999, 0, &e), PM_OK);
	assert_int_equal(pm_usage_estimate_record(f->db, meter_id(f->db, "W-F"), period("2026-11"),
						  20000, 0, &e), PM_OK);
	assert_int_equal(sql_int(f->db, "SELECT sum(usage) FROM meter_estimate"), 31333);

	/* December reads 50: 16 since October's reading, less the 11.333
	 * already billed. */
	reading(f->db, "W-E", "2026-12-31T12:00:00+08:00", "50");
	reading(f->db, "W-F", "2026-12-31T12:00:00+08:00", "50");
	u = usage1(f->db, "2026-12", "W-E");
	assert_int_equal(u.opening, 34000);
	assert_int_equal(u.closing, 50000);
	assert_int_equal(u.usage, 4667);
	assert_int_equal(u.flags, PM_USAGE_ADJUSTED);
	/* An estimate above the real usage leaves zero, not a negative. */
	u = usage1(f->db, "2026-12", "W-F");
	assert_int_equal(u.usage, 0);
	assert_int_equal(u.flags, PM_USAGE_ADJUSTED);
	/* November, asked again, is still the estimate: the estimate is
	 * taken off only by a later period's real reading. */
	u = usage1(f->db, "2026-11", "W-E");
	assert_int_equal(u.usage, 11333);
	/* January starts after the December reading: nothing to take off. */
	reading(f->db, "W-E", "2027-01-10T12:00:00+08:00", "51");
	u = usage1(f->db, "2027-01", "W-E");
	assert_int_equal(u.usage, 1000);
	assert_int_equal(u.flags, 0);
}

/* ---- ingestion outcomes ---- */

static void test_ingest_outcomes(void **state)
{
	struct fx *f = *state;
	char msg[PM_ERR_MSG_MAX];
	enum pm_ingest_did did;
	struct pm_err e = {0};
	int64_t at;
	const char *line = "{\"meter\":\"W-I\",\"ts\":\"2026-11-01T08:00:00+08:00\",\"value\":12.345,"
			   "\"source\":\"handheld\",\"note\":\"抄表\"}";

	add_meter(f->db, WATER("W-I", "1-1-101", "2026-06-01T00:00:00+08:00", "0"));
	assert_int_equal(ingest_r(f->db, 0, line, &did, msg, sizeof msg), PM_OK);
	assert_int_equal(did, PM_INGEST_INSERTED);
	assert_int_equal(sql_int(f->db, "SELECT value FROM reading"), 12345);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM reading_note WHERE source = 'handheld'"
				 " AND note = '抄表'"), 1);

	/* The same again, as a string this time: a duplicate, nothing written. */
	assert_int_equal(ingest_r(f->db, 0, "{\"meter\":\"W-I\",\"ts\":\"2026-11-01T00:00:00Z\","
				  "\"value\":\"12.3450\"}", &did, msg, sizeof msg), PM_EDATA);
	assert_int_equal(ingest_r(f->db, 0, "{\"meter\":\"W-I\",\"ts\":\"2026-11-01T00:00:00Z\","
				  "\"value\":\"12.345\"}", &did, msg, sizeof msg), PM_OK);
	assert_int_equal(did, PM_INGEST_DUPLICATE);

	/* Another value at the same time: a conflict naming both. */
	ingest_bad(f->db, "{\"meter\":\"W-I\",\"ts\":\"2026-11-01T08:00:00+08:00\",\"value\":12.346}",
		   "conflict: meter 'W-I' already reads 12.345 at this time, not 12.346 (--replace corrects it)");
	assert_int_equal(sql_int(f->db, "SELECT value FROM reading"), 12345);

	/* --replace corrects it, with an audit record of before and after. */
	assert_int_equal(ingest_r(f->db, 1, "{\"meter\":\"W-I\",\"ts\":\"2026-11-01T08:00:00+08:00\","
				  "\"value\":12.346}", &did, msg, sizeof msg), PM_OK);
	assert_int_equal(did, PM_INGEST_REPLACED);
	assert_int_equal(sql_int(f->db, "SELECT value FROM reading"), 12346);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM audit WHERE action = 'reading.replace'"
				 " AND object = 'meter:W-I' AND json_extract(before, '$.value') = '12.345'"
				 " AND json_extract(after, '$.value') = '12.346'"
				 " AND json_extract(after, '$.ts') = '2026-11-01T00:00:00Z'"), 1);
	/* The same again with --replace is a duplicate, not another audit. */
	assert_int_equal(ingest_r(f->db, 1, "{\"meter\":\"W-I\",\"ts\":\"2026-11-01T08:00:00+08:00\","
				  "\"value\":12.346}", &did, msg, sizeof msg), PM_OK);
	assert_int_equal(did, PM_INGEST_DUPLICATE);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM audit WHERE action = 'reading.replace'"), 1);
	/* --replace still keeps the order: no correction below its predecessor. */
	reading(f->db, "W-I", "2026-11-02T08:00:00+08:00", "13");
	reading(f->db, "W-I", "2026-11-03T08:00:00+08:00", "14");
	assert_int_equal(ingest_r(f->db, 1, "{\"meter\":\"W-I\",\"ts\":\"2026-11-02T08:00:00+08:00\","
				  "\"value\":15}", &did, msg, sizeof msg), PM_EDATA);
	assert_string_equal(msg, "reading 15.000 is above 14.000 at 2026-11-03T08:00:00+08:00, which follows it: rejected");
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM audit WHERE action = 'reading.replace'"), 1);

	ingest_bad(f->db, "{\"meter\":\"X-9\",\"ts\":\"2026-11-01T08:00:00+08:00\",\"value\":1}",
		   "unknown meter 'X-9'");
	ingest_bad(f->db, "{\"meter\":\"W-I\",\"ts\":\"2026-05-31T23:59:59+08:00\",\"value\":0}",
		   "reading before meter 'W-I' was installed (2026-06-01T00:00:00+08:00)");
	ingest_bad(f->db, "{\"meter\":\"W-I\",\"ts\":\"2026-11-30T08:00:00+08:00\",\"value\":-1}",
		   "field \"value\": negative");
	ingest_bad(f->db, "{\"meter\":\"W-I\",\"ts\":\"2026-11-30T08:00:00+08:00\",\"value\":100000}",
		   "field \"value\": 100000.000 does not fit the meter's 5 digits");
	ingest_bad(f->db, "{\"meter\":\"W-I\",\"ts\":\"2026-11-30T08:00:00+08:00\",\"value\":20,"
		   "\"registers\":{\"peak\":1}}",
		   "field \"registers\": meter 'W-I' has no register \"peak\"");
	assert_int_equal(ingest_r(f->db, 0, "{\"meter\":\"W-I\",\"ts\":\"2026-11-30T08:00:00+08:00\","
				  "\"value\":\"abc\"}", NULL, msg, sizeof msg), PM_EDATA);
	assert_int_equal(ingest_r(f->db, 0, "{\"meter\":\"W-I\",\"ts\":\"30/11/2026\",\"value\":20}",
				  NULL, msg, sizeof msg), PM_EDATA);
	assert_int_equal(ingest_r(f->db, 0, "{\"ts\":\"2026-11-30T08:00:00+08:00\",\"value\":20}",
				  NULL, msg, sizeof msg), PM_EDATA);

	/* Registers: only those the meter declares, never more than the total. */
	add_meter(f->db, "{\"code\":\"E-T\",\"kind\":\"electricity\",\"serves\":\"1-1-101\","
		  "\"registers\":[\"peak\",\"valley\"],\"installed\":\"" JAN "\"}");
	ingest_bad(f->db, "{\"meter\":\"E-T\",\"ts\":\"2026-11-30T08:00:00+08:00\",\"value\":10,"
		   "\"registers\":{\"sharp\":1}}",
		   "field \"registers\": meter 'E-T' has no register \"sharp\"");
	ingest_bad(f->db, "{\"meter\":\"E-T\",\"ts\":\"2026-11-30T08:00:00+08:00\",\"value\":10,"
		   "\"registers\":{\"peak\":6,\"valley\":\"4.001\"}}",
		   "registers sum to 10.001, more than the total 10.000");
	ingest_bad(f->db, "{\"meter\":\"E-T\",\"ts\":\"2026-11-30T08:00:00+08:00\",\"value\":10,"
		   "\"registers\":[6,4]}",
		   "field \"registers\": expected an object like {\"peak\":12.5}");
	ingest_ok(f->db, "{\"meter\":\"E-T\",\"ts\":\"2026-11-30T08:00:00+08:00\",\"value\":10,"
		  "\"registers\":{\"peak\":6,\"valley\":\"4.000\"}}");
	assert_int_equal(sql_int(f->db, "SELECT sum(value) FROM reading_register"), 10000);

	/* After retirement. */
	assert_int_equal(pm_time_parse("2026-11-30T09:00:00+08:00", &at, &e), PM_OK);
	assert_int_equal(pm_meter_retire(f->db, "W-I", at, 14500, &e), PM_OK);
	ingest_bad(f->db, "{\"meter\":\"W-I\",\"ts\":\"2026-11-30T09:00:01+08:00\",\"value\":15}",
		   "reading after meter 'W-I' was retired (2026-11-30T09:00:00+08:00)");
	/* At the retirement time itself: the final reading, a duplicate. */
	assert_int_equal(ingest_r(f->db, 0, "{\"meter\":\"W-I\",\"ts\":\"2026-11-30T09:00:00+08:00\","
				  "\"value\":14.5}", &did, msg, sizeof msg), PM_OK);
	assert_int_equal(did, PM_INGEST_DUPLICATE);

	/* Only the good readings were stored. */
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM reading"), 5);
}

/* The clock is 2027-01-15T10:00:00+08:00: a day ahead is the default's
 * limit, and meters.future_tolerance moves it. */
static void test_ingest_future(void **state)
{
	struct fx *f = *state;

	add_meter(f->db, WATER("W-F", "1-1-101", JAN, "0"));
	reading(f->db, "W-F", "2027-01-16T10:00:00+08:00", "2");
	ingest_bad(f->db, "{\"meter\":\"W-F\",\"ts\":\"2027-01-16T10:00:01+08:00\",\"value\":3}",
		   "reading at 2027-01-16T10:00:01+08:00 is in the future: later than"
		   " 2027-01-16T10:00:00+08:00, now plus meters.future_tolerance");
	ingest_bad(f->db, "{\"meter\":\"W-F\",\"ts\":\"2099-01-01T00:00:00Z\",\"value\":3}",
		   "reading at 2099-01-01T08:00:00+08:00 is in the future: later than"
		   " 2027-01-16T10:00:00+08:00, now plus meters.future_tolerance");
	apply_config(f->db, "  future_tolerance: 30m\n");
	reading(f->db, "W-F", "2027-01-15T10:30:00+08:00", "1");
	ingest_bad(f->db, "{\"meter\":\"W-F\",\"ts\":\"2027-01-15T10:30:01+08:00\",\"value\":1.5}",
		   "reading at 2027-01-15T10:30:01+08:00 is in the future: later than"
		   " 2027-01-15T10:30:00+08:00, now plus meters.future_tolerance");
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM reading"), 2);
}

/* Registers without a total join the total stored at their time; with
 * none stored they are held, and rejected when still alone at the end. */
static void test_ingest_registers_alone(void **state)
{
	struct fx *f = *state;
	struct pm_ingest *in;
	struct pm_err e = {0};
	enum pm_ingest_did did;
	json_t *rec = json_loads("{\"meter\":\"E-R\",\"ts\":\"2026-11-30T08:00:00+08:00\","
				 "\"registers\":{\"peak\":6}}", 0, NULL);
	char msg[PM_ERR_MSG_MAX];

	add_meter(f->db, "{\"code\":\"E-R\",\"kind\":\"electricity\",\"serves\":\"1-1-101\","
		  "\"registers\":[\"peak\",\"valley\"],\"installed\":\"" JAN "\"}");
	assert_int_equal(pm_ingest_open(f->db, 0, &in, &e), PM_OK);
	assert_int_equal(pm_db_begin(f->db, &e), PM_OK);
	assert_int_equal(pm_ingest_record(in, rec, &did, &e), PM_OK);
	assert_int_equal(did, PM_INGEST_HELD);
	assert_int_equal(pm_ingest_held(in, rec, &did, &e), PM_EDATA);
	assert_string_equal(e.msg, "meter 'E-R' has no total reading at 2026-11-30T08:00:00+08:00: a reading"
		" of registers alone needs the total stored or in the same input");
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM reading_register"), 0);
	assert_int_equal(pm_db_commit(f->db, &e), PM_OK);
	pm_ingest_close(in);
	json_decref(rec);

	reading(f->db, "E-R", "2026-11-30T08:00:00+08:00", "10");
	assert_int_equal(ingest_r(f->db, 0, "{\"meter\":\"E-R\",\"ts\":\"2026-11-30T08:00:00+08:00\","
				  "\"registers\":{\"peak\":6}}", &did, msg, sizeof msg), PM_OK);
	assert_int_equal(did, PM_INGEST_INSERTED);
	assert_int_equal(ingest_r(f->db, 0, "{\"meter\":\"E-R\",\"ts\":\"2026-11-30T08:00:00+08:00\","
				  "\"registers\":{\"peak\":\"6.000\"}}", &did, msg, sizeof msg), PM_OK);
	assert_int_equal(did, PM_INGEST_DUPLICATE);
	ingest_bad(f->db, "{\"meter\":\"E-R\",\"ts\":\"2026-11-30T08:00:00+08:00\",\"registers\":{\"valley\":4.001}}",
		   "registers sum to 10.001, more than the total 10.000");
	ingest_bad(f->db, "{\"meter\":\"E-R\",\"ts\":\"2026-11-30T08:00:00+08:00\",\"registers\":{\"sharp\":1}}",
		   "field \"registers\": meter 'E-R' has no register \"sharp\"");
	ingest_bad(f->db, "{\"meter\":\"E-R\",\"ts\":\"2026-11-30T08:00:00+08:00\",\"registers\":{}}",
		   "field \"value\": missing");
	/* A full reading with the stored total brings the register it lacks. */
	assert_int_equal(ingest_r(f->db, 0, "{\"meter\":\"E-R\",\"ts\":\"2026-11-30T08:00:00+08:00\","
				  "\"value\":10,\"registers\":{\"peak\":6,\"valley\":4}}", &did, msg, sizeof msg), PM_OK);
	assert_int_equal(did, PM_INGEST_INSERTED);
	assert_int_equal(sql_int(f->db, "SELECT sum(value) FROM reading_register"), 10000);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM reading"), 1);
}

/* Frames of one meter and time, one data identifier each, make one
 * reading. Checksums summed by hand: the header 68 01 02 00 00 00 00 68
 * 91 08 is 0x16C; the total's DI 33 33 34 33 adds 0xCD and its value
 * 33 43 33 33 (10.00) 0xDC, so 0x315: CS 0x15. */
static int keep_json(void *ctx, json_t *rec)
{
	json_t *a = ctx;

	return json_array_append(a, rec);
}

static void test_decode_merges(void **state)
{
	static const char *const frames[] = {
		"68 01 02 00 00 00 00 68 91 08 33 33 34 33 33 43 33 33 15 16",   /* total 10.00 */
		"68 01 02 00 00 00 00 68 91 08 33 35 34 33 33 37 33 33 0B 16",   /* peak 4.00 */
		"68 01 02 00 00 00 00 68 91 08 33 37 34 33 33 39 33 33 0F 16",   /* valley 6.00 */
		"68 01 02 00 00 00 00 68 91 08 33 35 34 33 33 37 33 33 0B 16",   /* peak again */
	};
	struct fx *f = *state;
	struct pm_decode *d;
	struct pm_err e = {0};
	json_t *out = json_array();
	char *s;
	int64_t ts;

	add_meter(f->db, "{\"code\":\"E-D\",\"kind\":\"electricity\",\"serves\":\"1-1-101\","
		  "\"address\":\"000000000201\",\"registers\":[\"peak\",\"valley\"]}");
	assert_int_equal(pm_time_parse("2026-11-30T23:00:00+08:00", &ts, &e), PM_OK);
	assert_int_equal(pm_decode_open(f->db, PM_FRAME_DLT645, ts, &d, &e), PM_OK);
	for (size_t i = 0; i < sizeof frames / sizeof *frames; i++)
		if (pm_decode_frame(d, frames[i], &e))
			fail_msg("frame %zu: %s", i, e.msg);
	/* peak 4.01, tariff 1 (sharp) 0.01: refused, the reading unchanged */
	assert_int_equal(pm_decode_frame(d, "68 01 02 00 00 00 00 68 91 08 33 35 34 33 34 37 33 33 0C 16", &e),
			 PM_EDATA);
	assert_string_equal(e.msg, "meter 'E-D': peak 4.010 differs from 4.000 in an earlier frame for the same time");
	assert_int_equal(pm_decode_frame(d, "68 01 02 00 00 00 00 68 91 08 33 34 34 33 34 33 33 33 07 16", &e),
			 PM_EDATA);
	assert_string_equal(e.msg, "meter 'E-D' reads 0.010 on tariff 1 (sharp), a register it does not declare:"
			    " declare it with pm-meter add --registers");
	assert_int_equal(pm_decode_frame(d, "68 02 02 00 00 00 00 68 91 08 33 33 34 33 33 43 33 33 16 16", &e),
			 PM_EDATA);
	assert_string_equal(e.msg, "no meter has address 000000000202");
	assert_int_equal(pm_decode_each(d, keep_json, out), PM_OK);
	pm_decode_close(d);
	s = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(s, "[{\"type\":\"reading\",\"meter\":\"E-D\",\"ts\":\"2026-11-30T23:00:00+08:00\","
			    "\"value\":\"10.000\",\"source\":\"dlt645\","
			    "\"registers\":{\"peak\":\"4.000\",\"valley\":\"6.000\"}}]");
	free(s);
	json_decref(out);
}

/* A transaction of ingest takes as many readings as it holds: 500,000,
 * or 8 a meter past 62,500 meters, so that a batch of a collector's
 * readings, every meter at each time, still gives each page of the
 * readings several rows. */
static void test_ingest_batch(void **state)
{
	struct fx *f = *state;
	struct pm_ingest *in;
	struct pm_err e = {0};

	add_meter(f->db, WATER("W-1", "1-1-101", JAN, "0"));
	assert_int_equal(pm_ingest_open(f->db, 0, &in, &e), PM_OK);
	assert_int_equal(pm_ingest_batch(in), 4000000);
	pm_ingest_close(in);
	if (pm_db_exec(f->db, "WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < 62500)"
		" INSERT INTO meter (code, kind, scope, multiplier, digits, uom, installed_at, initial, created_at, updated_at)"
		" SELECT 'C-' || i, 'water', 'community', 1, 8, 'm3', 0, 0, 0, 0 FROM n", &e))
		fail_msg("meters: %s", e.msg);
	assert_int_equal(pm_ingest_open(f->db, 0, &in, &e), PM_OK);
	assert_int_equal(pm_ingest_batch(in), 4000000);
	pm_ingest_close(in);
	if (pm_db_exec(f->db, "INSERT INTO meter (code, kind, scope, multiplier, digits, uom, installed_at,"
		" initial, created_at, updated_at) VALUES ('C-62501', 'water', 'community', 1, 8, 'm3', 0, 0, 0, 0)", &e))
		fail_msg("a meter more: %s", e.msg);
	assert_int_equal(pm_ingest_open(f->db, 0, &in, &e), PM_OK);
	assert_int_equal(pm_ingest_batch(in), 62501 * 8 * 8);
	pm_ingest_close(in);
}

/* A reading held by ingest is written at the commit, or at the close
 * when the caller closes first; a rollback drops it. */
static void test_ingest_held_close(void **state)
{
	struct fx *f = *state;
	struct pm_ingest *in;
	struct pm_err e = {0};
	enum pm_ingest_did did;
	json_t *a = json_loads("{\"meter\":\"W-1\",\"ts\":\"2026-11-01T08:00:00+08:00\",\"value\":\"1.5\"}", 0, NULL);
	json_t *b = json_loads("{\"meter\":\"W-1\",\"ts\":\"2026-11-02T08:00:00+08:00\",\"value\":\"2.5\"}", 0, NULL);

	add_meter(f->db, WATER("W-1", "1-1-101", JAN, "0"));
	assert_int_equal(pm_ingest_open(f->db, 0, &in, &e), PM_OK);
	assert_int_equal(pm_db_begin(f->db, &e), PM_OK);
	assert_int_equal(pm_ingest_record(in, a, &did, &e), PM_OK);
	assert_int_equal(did, PM_INGEST_INSERTED);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM reading"), 0);
	pm_db_rollback(f->db);
	assert_int_equal(pm_db_begin(f->db, &e), PM_OK);
	assert_int_equal(pm_ingest_record(in, b, &did, &e), PM_OK);
	pm_ingest_close(in);
	assert_int_equal(pm_db_commit(f->db, &e), PM_OK);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM reading"), 1);
	assert_int_equal(sql_int(f->db, "SELECT value FROM reading"), 2500);
	json_decref(a);
	json_decref(b);
}

/* One reading of meter code at day d of November (hour h), value v. */
static void held_one(struct pm_ingest *in, const char *code, int d, int h, int v)
{
	enum pm_ingest_did did;
	struct pm_err e = {0};
	char line[160];
	json_t *rec;

	snprintf(line, sizeof line, "{\"meter\":\"%s\",\"ts\":\"2026-11-%02dT%02d:00:00+08:00\",\"value\":\"%d\"}",
		 code, d, h, v);
	rec = json_loads(line, 0, NULL);
	if (pm_ingest_record(in, rec, &did, &e))
		fail_msg("%s: %s", line, e.msg);
	assert_int_equal(did, PM_INGEST_INSERTED);
	json_decref(rec);
}

/* The first column of sql's row, its one parameter arg (or none). */
static const char *sql_str(struct pm_db *db, const char *sql, const char *arg)
{
	static char buf[512];
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(pm_db_sqlite(db), sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(buf, sizeof buf, "%s", sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "");
	sqlite3_finalize(st);
	return buf;
}

/* Meter code's readings in time order, as "v,v,..." in whole units. */
#define values_of(db, code) sql_str(db, "SELECT group_concat(v) FROM (SELECT value / 1000 AS v FROM reading" \
	" WHERE meter_id = (SELECT id FROM meter WHERE code = ?) ORDER BY ts)", code)
/* The meters of the readings in the change feed, in its order. */
#define feed_meters(db) sql_str(db, "SELECT group_concat(m, '') FROM (SELECT json_extract(pk, '$[0]') AS m" \
	" FROM change_log WHERE tbl = 'reading' ORDER BY seq)", NULL)

/* A stage of two: fifteen readings of three meters, time after time, go
 * to seven runs of the spill file and the stage, nothing written; a
 * look-up of one meter writes them all, merged meter by meter in time
 * order; more runs than the file takes are written at once; a rollback
 * drops the runs; a close writes them. */
static void test_ingest_spilled(void **state)
{
	static const char *const codes[] = {"W-3", "W-1", "W-2"};
	struct fx *f = *state;
	struct pm_ingest *in;
	struct pm_err e = {0};

	add_meter(f->db, WATER("W-1", "1-1-101", JAN, "0"));
	add_meter(f->db, WATER("W-2", "1-1-101", JAN, "0"));
	add_meter(f->db, WATER("W-3", "1-1-101", JAN, "0"));
	assert_int_equal(pm_ingest_open(f->db, 0, &in, &e), PM_OK);
	pm_ingest_stage(in, 2);
	assert_int_equal(pm_ingest_batch(in), 16);
	assert_int_equal(pm_db_begin(f->db, &e), PM_OK);
	for (int d = 1; d <= 5; d++)
		for (int i = 0; i < 3; i++)
			held_one(in, codes[i], d, 8, d * 10 + (codes[i][2] - '0'));
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM reading"), 0);
	/* Between its readings of the 3rd and the 4th: looked up. */
	held_one(in, "W-2", 3, 20, 33);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM reading"), 16);
	for (int i = 0; i < 3; i++)
		held_one(in, codes[i], 6, 8, 60 + (codes[i][2] - '0'));
	assert_int_equal(pm_db_commit(f->db, &e), PM_OK);
	assert_string_equal(values_of(f->db, "W-1"), "11,21,31,41,51,61");
	assert_string_equal(values_of(f->db, "W-2"), "12,22,32,33,42,52,62");
	assert_string_equal(values_of(f->db, "W-3"), "13,23,33,43,53,63");
	/* Written meter by meter, each in time order: the runs' before the
	 * stage's. */
	assert_string_equal(feed_meters(f->db), "1111122222333332123");
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM (SELECT json_extract(pk, '$[0]') AS m,"
		" json_extract(pk, '$[1]') AS t, lag(json_extract(pk, '$[0]')) OVER w AS pm,"
		" lag(json_extract(pk, '$[1]')) OVER w AS pt FROM change_log WHERE tbl = 'reading'"
		" WINDOW w AS (ORDER BY seq)) WHERE m = pm AND t <= pt"), 0);

	/* A rollback drops the runs with the stage. */
	assert_int_equal(pm_db_begin(f->db, &e), PM_OK);
	for (int d = 7; d <= 9; d++)
		held_one(in, "W-1", d, 8, d * 10 + 1);
	pm_db_rollback(f->db);
	assert_int_equal(pm_db_begin(f->db, &e), PM_OK);
	held_one(in, "W-1", 10, 8, 101);
	assert_int_equal(pm_db_commit(f->db, &e), PM_OK);
	assert_string_equal(values_of(f->db, "W-1"), "11,21,31,41,51,61,101");
	pm_ingest_close(in);

	/* A stage of one: sixteen runs, then all written, in the batch. */
	assert_int_equal(pm_ingest_open(f->db, 0, &in, &e), PM_OK);
	pm_ingest_stage(in, 1);
	assert_int_equal(pm_db_begin(f->db, &e), PM_OK);
	for (int d = 11; d <= 27; d++)
		held_one(in, "W-3", d, 8, d * 10 + 3);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM reading"), 20);
	held_one(in, "W-3", 28, 8, 283);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM reading"), 37);
	held_one(in, "W-3", 29, 8, 293);
	held_one(in, "W-3", 30, 8, 303);
	/* Closed before the commit: what is held goes into it. */
	pm_ingest_close(in);
	assert_int_equal(pm_db_commit(f->db, &e), PM_OK);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM reading"), 40);
	assert_string_equal(values_of(f->db, "W-3"), "13,23,33,43,53,63,113,123,133,143,153,163,173,183,193,203,"
			    "213,223,233,243,253,263,273,283,293,303");
}

/* Without a file for the runs (TMPDIR not a directory), a full stage is
 * written into the transaction. */
static void test_ingest_no_spill_file(void **state)
{
	struct fx *f = *state;
	struct pm_ingest *in;
	struct pm_err e = {0};
	char *was = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;

	add_meter(f->db, WATER("W-1", "1-1-101", JAN, "0"));
	setenv("TMPDIR", "/dev/null/no", 1);
	assert_int_equal(pm_ingest_open(f->db, 0, &in, &e), PM_OK);
	pm_ingest_stage(in, 2);
	assert_int_equal(pm_db_begin(f->db, &e), PM_OK);
	for (int d = 1; d <= 5; d++)
		held_one(in, "W-1", d, 8, d * 10);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM reading"), 4);
	assert_int_equal(pm_db_commit(f->db, &e), PM_OK);
	pm_ingest_close(in);
	assert_string_equal(values_of(f->db, "W-1"), "10,20,30,40,50");
	if (was)
		setenv("TMPDIR", was, 1);
	else
		unsetenv("TMPDIR");
	free(was);
}

static void test_ingest_in_one_run(void **state)
{
	struct fx *f = *state;
	struct pm_ingest *in;
	struct pm_err e = {0};
	enum pm_ingest_did did;
	char line[160];
	int64_t v = 0;

	add_meter(f->db, WATER("W-1", "1-1-101", JAN, "99990"));
	assert_int_equal(pm_ingest_open(f->db, 0, &in, &e), PM_OK);
	assert_int_equal(pm_db_begin(f->db, &e), PM_OK);
	/* Daily, climbing by 1.5 and wrapping at 100000 on the seventh day. */
	for (int d = 1; d <= 30; d++) {
		json_t *rec;
		v = (99990000 + d * 1500) % 100000000;
		snprintf(line, sizeof line, "{\"meter\":\"W-1\",\"ts\":\"2026-11-%02dT12:00:00+08:00\","
			 "\"value\":\"%lld.%03lld\"}", d, (long long)(v / 1000), (long long)(v % 1000));
		rec = json_loads(line, 0, NULL);
		if (pm_ingest_record(in, rec, &did, &e))
			fail_msg("%s: %s", line, e.msg);
		assert_int_equal(did, PM_INGEST_INSERTED);
		json_decref(rec);
	}
	assert_int_equal(pm_db_commit(f->db, &e), PM_OK);
	pm_ingest_close(in);
	assert_int_equal(v, 35000);
	assert_int_equal(usage1(f->db, "2026-11", "W-1").usage, 45000);
	assert_int_equal(usage1(f->db, "2026-11", "W-1").flags, PM_USAGE_WRAPPED);
}

/* ---- anomalies ---- */

struct found {
	int n;
	char line[32][160];
	json_t *rec[32];
};

static int keep_anomaly(void *ctx, json_t *a)
{
	struct found *fd = ctx;

	assert_true(fd->n < 32);
	snprintf(fd->line[fd->n], sizeof fd->line[fd->n], "%s %s",
		 json_string_value(json_object_get(a, "meter")), json_string_value(json_object_get(a, "rule")));
	fd->rec[fd->n++] = json_incref(a);
	return 0;
}

static void anomalies_of(struct pm_db *db, const char *per, struct found *fd)
{
	struct pm_err e = {0};

	memset(fd, 0, sizeof *fd);
	if (pm_anomaly_each(db, period(per), keep_anomaly, fd, &e))
		fail_msg("anomalies: %s", e.msg);
}

static void found_free(struct found *fd)
{
	for (int i = 0; i < fd->n; i++)
		json_decref(fd->rec[i]);
}

static char *joined(struct found *fd)
{
	static char buf[2048];
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < fd->n; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", i ? "; " : "", fd->line[i]);
	return buf;
}

static const char *field(json_t *a, const char *key)
{
	return json_string_value(json_object_get(a, key));
}

#define ELEC(code, serves) \
	"{\"code\":\"" code "\",\"kind\":\"electricity\",\"serves\":\"" serves "\",\"installed\":\"" JAN "\"}"

static void anomaly_community(struct pm_db *db)
{
	char ts[64], v[32];
	int64_t val = 0;

	/* A-SPIKE: 10 a month, then 26; A-EDGE: 10 a month, then 25. */
	add_meter(db, WATER("A-EDGE", "1-1-102", JAN, "0"));
	add_meter(db, WATER("A-SPIKE", "1-1-102", JAN, "0"));
	for (int i = 0; i < 2; i++) {
		const char *m = i ? "A-SPIKE" : "A-EDGE";
		reading(db, m, "2026-07-31T12:00:00+08:00", "100");
		reading(db, m, "2026-08-31T12:00:00+08:00", "110");
		reading(db, m, "2026-09-30T12:00:00+08:00", "120");
		reading(db, m, "2026-10-31T12:00:00+08:00", "130");
		reading(db, m, "2026-11-30T12:00:00+08:00", i ? "156" : "155");
	}
	/* D-1: a decrease rejected in November. */
	add_meter(db, "{\"code\":\"D-1\",\"kind\":\"gas\",\"serves\":\"1-1-102\",\"installed\":\"" JAN "\"}");
	reading(db, "D-1", "2026-10-31T12:00:00+08:00", "50");
	reading(db, "D-1", "2026-11-30T12:00:00+08:00", "60");
	ingest_bad(db, "{\"meter\":\"D-1\",\"ts\":\"2026-11-15T12:00:00+08:00\",\"value\":40}",
		   "reading 40.000 is below 50.000 at 2026-10-31T12:00:00+08:00 and is no register wrap: rejected");
	/* M-1: no reading in November. */
	add_meter(db, "{\"code\":\"M-1\",\"kind\":\"heat\",\"serves\":\"1-1-102\",\"installed\":\"" JAN "\"}");
	reading(db, "M-1", "2026-10-31T12:00:00+08:00", "5");
	/* N-1: read hourly; water runs 02:00-05:00 on the nights of the 10th
	 * and the 11th only, and by day from 07:00. */
	add_meter(db, WATER("N-1", "1-1-102", JAN, "0"));
	for (int d = 1; d <= 30; d++)
		for (int h = 0; h < 24; h++) {
			if (h >= 7 || ((d == 10 || d == 11) && h >= 1 && h <= 5))
				val += h >= 7 ? 10 : 2;
			snprintf(ts, sizeof ts, "2026-11-%02dT%02d:00:00+08:00", d, h);
			snprintf(v, sizeof v, "\"%lld.%03lld\"", (long long)(val / 1000), (long long)(val % 1000));
			reading(db, "N-1", ts, v);
		}
	/* S-OCC and S-VAC: the same value three times in November. */
	add_meter(db, ELEC("S-OCC", "1-1-101"));
	add_meter(db, ELEC("S-VAC", "1-1-102"));
	add_meter(db, ELEC("S-2", "1-1-101"));
	for (int i = 0; i < 3; i++) {
		const char *m = i == 0 ? "S-OCC" : i == 1 ? "S-VAC" : "S-2";
		reading(db, m, "2026-10-31T12:00:00+08:00", "5");
		reading(db, m, "2026-11-10T12:00:00+08:00", i == 2 ? "6" : "7");
		reading(db, m, "2026-11-20T12:00:00+08:00", "7");
		reading(db, m, "2026-11-30T12:00:00+08:00", "7");
	}
	/* Z-OCC and Z-VAC: no use in November. */
	add_meter(db, WATER("Z-OCC", "1-1-101", JAN, "0"));
	add_meter(db, WATER("Z-VAC", "1-1-102", JAN, "0"));
	reading(db, "Z-OCC", "2026-10-31T12:00:00+08:00", "5");
	reading(db, "Z-OCC", "2026-11-30T12:00:00+08:00", "5");
	reading(db, "Z-VAC", "2026-10-31T12:00:00+08:00", "5");
	reading(db, "Z-VAC", "2026-11-30T12:00:00+08:00", "5");
	/* C-1: a common-area meter, no use, occupied by no one. */
	add_meter(db, WATER("C-1", "community", JAN, "0"));
	reading(db, "C-1", "2026-11-30T12:00:00+08:00", "0");
}

static void test_anomalies(void **state)
{
	struct fx *f = *state;
	struct found fd;
	json_t *a;

	anomaly_community(f->db);
	/* The defaults: spike factor 3 (26 is not above 30), stuck after 5. */
	anomalies_of(f->db, "2026-11", &fd);
	assert_string_equal(joined(&fd), "D-1 decrease_rejected; M-1 missing; N-1 night_flow; Z-OCC zero_usage");
	found_free(&fd);

	apply_config(f->db, "  spike_factor: 2.5\n  stuck_readings: 3\n");
	anomalies_of(f->db, "2026-11", &fd);
	assert_string_equal(joined(&fd), "A-SPIKE spike; D-1 decrease_rejected; M-1 missing; N-1 night_flow;"
			    " S-OCC stuck; Z-OCC zero_usage");
	for (int i = 0; i < fd.n; i++) {
		a = fd.rec[i];
		assert_string_equal(field(a, "type"), "anomaly");
		assert_string_equal(field(a, "period"), "2026-11");
	}
	a = fd.rec[0];
	assert_string_equal(field(a, "usage"), "26.000");
	assert_string_equal(field(a, "average"), "10.000");
	assert_string_equal(field(a, "factor"), "2.5");
	assert_string_equal(field(a, "serves"), "1-1-102");
	assert_string_equal(field(a, "kind"), "water");
	a = fd.rec[1];
	assert_string_equal(field(a, "ts"), "2026-11-15T12:00:00+08:00");
	assert_string_equal(field(a, "value"), "40.000");
	assert_string_equal(field(a, "detail"),
			    "reading 40.000 is below 50.000 at 2026-10-31T12:00:00+08:00 and is no register wrap: rejected");
	a = fd.rec[2];
	assert_string_equal(field(a, "usage"), "0.000");
	a = fd.rec[3];
	assert_int_equal(json_integer_value(json_object_get(a, "nights")), 2);
	assert_string_equal(field(a, "first"), "2026-11-10");
	a = fd.rec[4];
	assert_int_equal(json_integer_value(json_object_get(a, "readings")), 3);
	assert_string_equal(field(a, "usage"), "2.000");
	a = fd.rec[5];
	assert_string_equal(field(a, "usage"), "0.000");
	assert_string_equal(field(a, "serves"), "1-1-101");
	found_free(&fd);

	/* October: only what was true then. C-1 was not read; N-1's first
	 * reading, at 2026-11-01T00:00, closes October; nobody spiked. */
	anomalies_of(f->db, "2026-10", &fd);
	assert_string_equal(joined(&fd), "C-1 missing");
	found_free(&fd);
}

static void test_zero_usage_follows_occupancy(void **state)
{
	struct fx *f = *state;
	struct pm_err e = {0};
	struct found fd;

	add_meter(f->db, WATER("Z-1", "1-1-102", JAN, "0"));
	reading(f->db, "Z-1", "2026-11-30T12:00:00+08:00", "0");
	anomalies_of(f->db, "2026-11", &fd);
	assert_int_equal(fd.n, 0);
	found_free(&fd);
	/* A status says nothing of who lives there: occupancy does. */
	exec_sql(f->db, "UPDATE unit SET status = 'rented' WHERE code = '1-1-102'");
	anomalies_of(f->db, "2026-11", &fd);
	assert_int_equal(fd.n, 0);
	found_free(&fd);
	/* Moved in on the 30th: lived in for a day of November. */
	assert_int_equal(pm_occupancy_set(f->db, "1-1-102", "P1", "tenant", "2026-11-30", &e), PM_OK);
	anomalies_of(f->db, "2026-11", &fd);
	assert_string_equal(joined(&fd), "Z-1 zero_usage");
	found_free(&fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_wrap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ingest_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ingest_held_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ingest_spilled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ingest_no_spill_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrap_needs_the_top_tenth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replacement, setup, teardown),
		cmocka_unit_test_setup_teardown(test_usage_span, setup, teardown),
		cmocka_unit_test_setup_teardown(test_usage_boundaries_multiplier_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_usage_json, setup, teardown),
		cmocka_unit_test(test_flag_names),
		cmocka_unit_test_setup_teardown(test_missing_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_hold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_average, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_average_multiplier, setup, teardown),
		cmocka_unit_test_setup_teardown(test_estimate_subtraction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ingest_outcomes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ingest_future, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ingest_registers_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decode_merges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ingest_in_one_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_anomalies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zero_usage_follows_occupancy, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
