/* patrol: check-ins at the tagged points of configured routes, and the
 * report of each route run: points on time, early, late and missed. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pm/audit.h"
#include "pm/db.h"
#include "pm/i18n.h"
#include "pm/jsonl.h"
#include "pm/patrol.h"
#include "pm/timeutil.h"
#include "repair-internal.h"

static int known_user(struct pm_db *db, const char *login, struct pm_err *e)
{
	static const char sql[] = "SELECT 1 FROM user WHERE login = ? AND disabled = 0";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return pm_err_set(e, PM_EDATA, _("no user '%s'"), login);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot read users"));
}

/* The route and point must be configured: a tag's code read wrong is
 * refused rather than kept as a visit nobody expects. */
static int check_point(const struct pm_repair *rp, const char *route, const char *point,
		       struct pm_err *e)
{
	json_t *r = pm_json_find(json_object_get(rp->sec, "patrols"), "name", route);

	if (!r)
		return pm_err_set(e, PM_EDATA, _("no patrol route '%s'"), route);
	if (!pm_json_find(json_object_get(r, "points"), "code", point))
		return pm_err_set(e, PM_EDATA, _("route '%s' has no point '%s'"), route, point);
	return PM_OK;
}

static int insert_visit(struct pm_db *db, const char *route, const char *point, int64_t ts,
			const char *by, bool *added, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO patrol_visit (route, point, ts, by_login, created_at) VALUES (?, ?, ?, ?, ?)"
		" ON CONFLICT DO NOTHING";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, route, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, point, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, ts);
	sqlite3_bind_text(st, 4, by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, pm_now());
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	*added = sqlite3_changes(pm_db_sqlite(db)) > 0;
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot store the check-in"));
}

int pm_patrol_checkin(struct pm_db *db, const struct pm_actor *a, const char *route,
		      const char *point, int64_t ts, const char *by, struct pm_err *e)
{
	struct pm_repair rp;
	char object[96];
	bool added = false;
	json_t *after;
	int rc;

	by = by ? by : a->login;
	if (pm_auth_check(a, "patrol.checkin", e) || pm_repair_open(db, &rp, e))
		return e->code;
	rc = check_point(&rp, route, point, e);
	pm_repair_close(&rp);
	if (rc || (strcmp(by, a->login) && known_user(db, by, e)) || pm_db_begin(db, e))
		return e->code;
	if (insert_visit(db, route, point, ts, by, &added, e))
		goto fail;
	if (added) {
		snprintf(object, sizeof object, "patrol:%s/%s", route, point);
		after = json_pack("{s:I, s:s}", "ts", (json_int_t)ts, "by", by);
		rc = pm_audit_log(db, "patrol.checkin", object, NULL, after, e);
		json_decref(after);
		if (rc)
			goto fail;
	}
	return pm_db_commit(db, e);
fail:
	pm_db_rollback(db);
	return e->code;
}

/* ---- the report ---- */

static int by_time(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The first visit of a point in [from, to): PM_OK with *ts 0 if none. */
static int first_visit(struct pm_db *db, const char *route, const char *point, int64_t from,
		       int64_t to, int64_t *ts, char *by, size_t n, struct pm_err *e)
{
	static const char sql[] =
		"SELECT ts, by_login FROM patrol_visit WHERE route = ? AND point = ? AND ts >= ? AND ts < ?"
		" ORDER BY ts LIMIT 1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	*ts = 0;
	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, route, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, point, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, from);
	sqlite3_bind_int64(st, 4, to);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*ts = sqlite3_column_int64(st, 0);
		pm_text_col(st, 1, by, n);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read check-ins"));
}

static const char *judge(int64_t visited, int64_t expected, int64_t grace)
{
	if (!visited)
		return "missed";
	if (visited > expected + grace)
		return "late";
	return visited < expected - grace ? "early" : "on_time";
}

struct report {
	struct pm_db *db;
	const char *tz;
	int (*fn)(void *ctx, json_t *rec);
	void *ctx;
};

/* One run: the visits from its start (less the grace) until the next
 * run's start (less the grace) belong to it. */
static int report_run(struct report *rep, json_t *route, int64_t start, int64_t end, struct pm_err *e)
{
	const char *name = json_string_value(json_object_get(route, "name"));
	int64_t grace = json_integer_value(json_object_get(route, "grace")), visited, expected;
	char run[PM_TIME_BUF], exp[PM_TIME_BUF], vis[PM_TIME_BUF], by[64];
	json_t *p, *o;
	size_t i;
	int rc;

	pm_time_fmt(start, rep->tz, run);
	json_array_foreach(json_object_get(route, "points"), i, p) {
		const char *code = json_string_value(json_object_get(p, "code"));

		expected = start + json_integer_value(json_object_get(p, "after"));
		if (first_visit(rep->db, name, code, start - grace, end - grace, &visited, by, sizeof by, e))
			return e->code;
		o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s?, s:s?, s:s, s:I}", "type", "patrol",
			"route", name, "run", run, "point", code,
			"name", json_incref(json_object_get(p, "name") ? json_object_get(p, "name") : json_null()),
			"expected", pm_time_fmt(expected, rep->tz, exp),
			"visited", visited ? pm_time_fmt(visited, rep->tz, vis) : NULL, "by", visited ? by : NULL,
			"status", judge(visited, expected, grace),
			"late_by", (json_int_t)(visited > expected + grace ? visited - expected : 0));
		rc = rep->fn(rep->ctx, o);
		json_decref(o);
		if (rc)
			return pm_err_set(e, rc, _("cannot write the patrol report"));
	}
	return PM_OK;
}

static int report_route(struct report *rep, json_t *route, int32_t day, struct pm_err *e)
{
	json_t *times = json_object_get(route, "times");
	size_t n = json_array_size(times), i;
	int64_t *at = calloc(n + 1, sizeof *at);
	int rc = PM_OK;

	if (!at)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	for (i = 0; i < n; i++)
		at[i] = json_integer_value(json_array_get(times, i));
	qsort(at, n, sizeof *at, by_time);
	/* The day's last run lasts until the next day's first. */
	at[n] = at[0] + 86400;
	for (i = 0; i < n && rc == PM_OK; i++)
		rc = report_run(rep, route, pm_date_start(day, rep->tz) + at[i],
				pm_date_start(day, rep->tz) + at[i + 1], e);
	free(at);
	return rc;
}

int pm_patrol_report(struct pm_db *db, int32_t day, int (*fn)(void *ctx, json_t *rec), void *ctx,
		     struct pm_err *e)
{
	struct report rep = {db, pm_db_tz(db), fn, ctx};
	struct pm_repair rp;
	json_t *route;
	size_t i;
	int rc = PM_OK;

	if (pm_repair_open(db, &rp, e))
		return e->code;
	json_array_foreach(json_object_get(rp.sec, "patrols"), i, route)
		if ((rc = report_route(&rep, route, day, e)))
			break;
	pm_repair_close(&rp);
	return rc;
}
