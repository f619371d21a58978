/* reward: points for paying online and on time. Each grant is a row
 * unique on (unit, rule, earned_by), inserted with ON CONFLICT DO
 * NOTHING, so a run repeated for the same or a later day grants only
 * what is new. */
#include <stdlib.h>
#include <string.h>

#include "pm/audit.h"
#include "pm/community.h"
#include "pm/config.h"
#include "pm/i18n.h"
#include "pm/reward.h"
#include "pm/shopcart.h"
#include "pm/timeutil.h"
#include "bill-internal.h"

struct grant_ctx {
	struct pm_db *db;
	struct pm_reward_run *r;
	char as_of[PM_TIME_BUF];
};

static int grant(struct grant_ctx *g, int64_t unit_id, const char *unit, const char *rule, const char *earned_by,
		 const char *detail, int64_t points, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO points (unit_id, rule, earned_by, detail, points, as_of, created_at, updated_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) ON CONFLICT DO NOTHING";
	sqlite3_stmt *st = pm_db_stmt(g->db, sql, e);
	json_t *rec;
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, unit_id);
	sqlite3_bind_text(st, 2, rule, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, earned_by, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, detail, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, points);
	sqlite3_bind_text(st, 6, g->as_of, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, pm_now());
	if (pm_bill_step_done(g->db, st, _("cannot record points"), e))
		return e->code;
	if (sqlite3_changes(pm_db_sqlite(g->db)) == 0)
		return PM_OK;
	g->r->granted++;
	g->r->points += points;
	if (!g->r->fn)
		return PM_OK;
	rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "type", "points", "unit", unit, "rule", rule,
			"earned_by", earned_by, "detail", detail, "points", (json_int_t)points, "as_of", g->as_of);
	rc = g->r->fn(g->r->ctx, rec);
	json_decref(rec);
	return rc;
}

/* Each unit's first payment through an online channel by the day's end. */
static int first_online(struct grant_ctx *g, json_t *channels, int64_t points, struct pm_err *e)
{
	static const char sql[] =
		"SELECT p.unit_id, u.code, p.id, min(p.at) FROM payment p JOIN unit u ON u.id = p.unit_id"
		" WHERE p.channel IN (SELECT value FROM json_each(?1)) AND p.at < ?2"
		" AND NOT EXISTS (SELECT 1 FROM points x WHERE x.unit_id = p.unit_id AND x.rule = 'first_online_payment')"
		" GROUP BY p.unit_id ORDER BY p.unit_id";
	sqlite3_stmt *st = pm_db_stmt(g->db, sql, e);
	char *list = json_dumps(channels, JSON_COMPACT), detail[64];
	const char *tz = pm_db_tz(g->db);
	json_t *rows = json_array(), *row;
	size_t i;
	int rc;

	if (!st || !list || !rows) {
		free(list);
		json_decref(rows);
		return st ? pm_err_set(e, PM_EFAIL, _("out of memory")) : e->code;
	}
	sqlite3_bind_text(st, 1, list, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, pm_date_start(g->r->as_of + 1, tz));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(rows, json_pack("[I, s, I]", (json_int_t)sqlite3_column_int64(st, 0),
						      TEXT(st, 1), (json_int_t)sqlite3_column_int64(st, 2)));
	sqlite3_reset(st);
	free(list);
	rc = rc == SQLITE_DONE ? PM_OK : pm_db_fail(g->db, e, _("cannot read payments"));
	json_array_foreach(rows, i, row) {
		if (rc)
			break;
		snprintf(detail, sizeof detail, "payment:%lld", (long long)json_integer_value(json_array_get(row, 2)));
		rc = grant(g, json_integer_value(json_array_get(row, 0)), json_string_value(json_array_get(row, 1)),
			   "first_online_payment", "first", detail, points, e);
	}
	json_decref(rows);
	return rc;
}

enum standing { ON_TIME, LATE, PENDING };

/* Whether a bill was paid in full by its due date, as known on as_of. */
static enum standing standing_of(sqlite3_stmt *st, int32_t as_of, const char *tz)
{
	char paid_day[PM_TIME_BUF], today[PM_TIME_BUF];
	const char *due = TEXT(st, 3);
	int32_t day = pm_date_of(sqlite3_column_int64(st, 5), tz);
	int paid = sqlite3_column_int64(st, 4) <= 0 && day <= as_of;

	pm_date_fmt(day, paid_day);
	pm_date_fmt(as_of, today);
	if (paid)
		return strcmp(paid_day, due) <= 0 ? ON_TIME : LATE;
	return strcmp(due, today) < 0 ? LATE : PENDING;
}

struct streak {
	int64_t unit;
	char code[64], first[16], prev[16];
	int count, stopped;
};

static int consecutive(const char *prev, const char *period)
{
	struct pm_period a, b;

	return *prev && pm_period_parse(prev, &a, NULL) == PM_OK && pm_period_parse(period, &b, NULL) == PM_OK &&
	       pm_period_add(a, 1).year == b.year && pm_period_add(a, 1).month == b.month;
}

static int streak_bill(struct grant_ctx *g, struct streak *s, sqlite3_stmt *st, int months, int64_t points,
		       struct pm_err *e)
{
	const char *period = TEXT(st, 2);
	char detail[64];
	enum standing k;

	if (s->stopped)
		return PM_OK;
	if (!consecutive(s->prev, period))
		s->count = 0;
	snprintf(s->prev, sizeof s->prev, "%s", period);
	k = standing_of(st, g->r->as_of, pm_db_tz(g->db));
	if (k == PENDING) {
		s->stopped = 1;
		return PM_OK;
	}
	if (k == LATE) {
		s->count = 0;
		return PM_OK;
	}
	if (s->count++ == 0)
		snprintf(s->first, sizeof s->first, "%s", period);
	if (s->count < months)
		return PM_OK;
	s->count = 0;
	snprintf(detail, sizeof detail, "%s..%s", s->first, period);
	return grant(g, s->unit, s->code, "on_time_streak", period, detail, points, e);
}

/* Every unit's bills in period order: runs of months paid on time. A
 * bill was settled when the last money reached it: the payment's own
 * time (a callback may be recorded later), or the entry's for a prepaid
 * balance applied at issue. */
static int on_time(struct grant_ctx *g, int months, int64_t points, struct pm_err *e)
{
	static const char sql[] =
		"SELECT b.unit_id, u.code, b.period, b.due, b.total_fen + b.late_fen + b.adjust_fen - b.paid_fen,"
		" coalesce((SELECT max(coalesce(p.at, j.ts)) FROM allocation a JOIN journal j ON j.id = a.journal_id"
		" LEFT JOIN payment p ON p.id = a.payment_id WHERE a.bill_id = b.id), b.issued_at)"
		" FROM bill b JOIN unit u ON u.id = b.unit_id WHERE b.status IN ('issued','partial','paid')"
		" AND b.due IS NOT NULL ORDER BY b.unit_id, b.period";
	sqlite3_stmt *st = pm_db_stmt(g->db, sql, e);
	struct streak s = {.unit = 0};
	int rc;

	if (!st)
		return e->code;
	/* Grants are inserted while the query runs: SQLite allows it, and
	 * the points table is not read by this query. */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_int64(st, 0) != s.unit) {
			s = (struct streak){.unit = sqlite3_column_int64(st, 0)};
			snprintf(s.code, sizeof s.code, "%s", TEXT(st, 1));
		}
		if ((rc = streak_bill(g, &s, st, months, points, e))) {
			sqlite3_reset(st);
			return rc;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(g->db, e, _("cannot read bills"));
}

static int rules(struct grant_ctx *g, json_t *cfg, struct pm_err *e)
{
	json_t *streak = json_object_get(cfg, "on_time_streak");
	int64_t first = json_integer_value(json_object_get(cfg, "first_online_payment")),
		sp = json_integer_value(json_object_get(streak, "points"));

	if (first > 0 && first_online(g, json_object_get(cfg, "online_channels"), first, e))
		return e->code;
	if (sp > 0 && on_time(g, (int)json_integer_value(json_object_get(streak, "months")), sp, e))
		return e->code;
	return PM_OK;
}

int pm_reward_run(struct pm_db *db, struct pm_reward_run *r, struct pm_err *e)
{
	struct grant_ctx g = {db, r, ""};
	struct pm_config *cfg;
	json_t *section, *after;
	int rc;

	r->granted = 0;
	r->points = 0;
	pm_date_fmt(r->as_of, g.as_of);
	if (pm_config_current(db, r->as_of, &cfg, e))
		return e->code;
	if (!(section = pm_config_section(cfg, "rewards"))) {
		pm_config_free(cfg);
		return PM_OK;
	}
	if ((rc = pm_db_begin(db, e)) == PM_OK) {
		rc = rules(&g, section, e);
		after = json_pack("{s:s, s:I, s:I}", "as_of", g.as_of, "granted", (json_int_t)r->granted,
				  "points", (json_int_t)r->points);
		if (rc == PM_OK && r->granted)
			rc = pm_audit_log(db, "bill.rewards", "rewards", NULL, after, e);
		json_decref(after);
		rc = pm_db_end(db, rc, e);
	}
	pm_config_free(cfg);
	return rc;
}

int pm_points_each(struct pm_db *db, const char *unit, int (*fn)(void *ctx, json_t *row), void *ctx,
		   int64_t *balance, struct pm_err *e)
{
	static const char known[] = "SELECT id FROM unit WHERE code = ?";
	static const char sql[] =
		"SELECT rule, earned_by, detail, points, as_of FROM (SELECT x.rule, x.earned_by, x.detail, x.points,"
		" x.as_of, x.created_at AS t, 0 AS src, x.id FROM points x JOIN unit u ON u.id = x.unit_id WHERE u.code = ?1"
		" UNION ALL SELECT y.kind, '', y.detail, -y.points, y.as_of, y.created_at, 1, y.id FROM points_use y"
		" JOIN unit u ON u.id = y.unit_id WHERE u.code = ?1) ORDER BY t, src, id";
	sqlite3_stmt *st = pm_db_stmt(db, known, e);
	json_t *row;
	int rc;

	*balance = 0;
	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? pm_err_set(e, PM_EDATA, _("unknown unit '%s'"), unit)
					 : pm_db_fail(db, e, _("cannot read units"));
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*balance += sqlite3_column_int64(st, 3);
		row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:I}", "type", "points", "unit", unit,
				"rule", TEXT(st, 0), "earned_by", TEXT(st, 1), "detail", TEXT(st, 2),
				"points", (json_int_t)sqlite3_column_int64(st, 3), "as_of", TEXT(st, 4),
				"balance", (json_int_t)*balance);
		rc = fn(ctx, row);
		json_decref(row);
		if (rc) {
			sqlite3_reset(st);
			return rc;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read points"));
}

/* ---- points used: spent, returned, expired (table points_use) ---- */

/* What a unit has: granted (as of before, when not NULL) and used. */
static int points_sums(struct pm_db *db, int64_t unit, const char *before, int64_t *granted, int64_t *used,
		       struct pm_err *e)
{
	static const char sql[] =
		"SELECT (SELECT coalesce(sum(points), 0) FROM points WHERE unit_id = ?1 AND (?2 IS NULL OR as_of < ?2)),"
		" (SELECT coalesce(sum(points), 0) FROM points_use WHERE unit_id = ?1)";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, unit);
	sqlite3_bind_text(st, 2, before, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*granted = sqlite3_column_int64(st, 0);
		*used = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot read points"));
}

static int use_insert(struct pm_db *db, int64_t unit, const char *kind, int64_t points, const char *detail,
		      const char *day, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO points_use (unit_id, kind, points, detail, as_of, created_at) VALUES (?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, unit);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, points);
	sqlite3_bind_text(st, 4, detail, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, day, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, pm_now());
	return pm_db_step_done(db, st, _("cannot record points"), e);
}

int pm_points_use(struct pm_db *db, const char *unit, const char *kind, int64_t points, const char *detail,
		  struct pm_err *e)
{
	int64_t id, granted, used;
	char day[PM_TIME_BUF];

	if (pm_unit_id(db, unit, &id, e) || points_sums(db, id, NULL, &granted, &used, e))
		return e->code;
	if (strcmp(kind, "spend") == 0 && points > granted - used)
		return pm_err_set(e, PM_EDATA, _("unit '%s' has %lld points, not %lld"), unit,
				  (long long)(granted - used), (long long)points);
	return use_insert(db, id, kind, points, detail, pm_date_fmt(pm_db_today(db), day), e);
}

int pm_sale_ends_points(const json_t *transfer)
{
	return !strcmp(json_string_value(json_object_get(transfer, "points")), "expire");
}

/* Whether what was done in unit at time at was done before the present
 * owners' time there, and a sale ends a unit's points. */
static int sellers_points_end(struct pm_db *db, const char *unit, int64_t at, int *end, struct pm_err *e)
{
	static const char sql[] = "SELECT ?2 < " PM_OWNERS_FROM("u.id", "?3") " FROM unit u WHERE u.code = ?1";
	char day[PM_TIME_BUF];
	struct pm_config *cfg;
	sqlite3_stmt *st;
	json_t *billing;
	int64_t before;

	*end = 0;
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, at);
	sqlite3_bind_text(st, 3, pm_community_today(db, day), -1, SQLITE_TRANSIENT);
	if (pm_db_int64(db, st, &before, N_("cannot read points"), e))
		return e->code;
	if (!before)
		return PM_OK;
	if (pm_billing_config(db, pm_db_today(db), &cfg, &billing, e))
		return e->code;
	*end = pm_sale_ends_points(json_object_get(billing, "transfer"));
	json_decref(billing);
	pm_config_free(cfg);
	return PM_OK;
}

int pm_points_return(struct pm_db *db, const char *unit, int64_t points, int64_t at, const char *detail,
		     struct pm_err *e)
{
	char why[96];
	int end;

	if (pm_points_use(db, unit, "return", -points, detail, e) || sellers_points_end(db, unit, at, &end, e))
		return e->code;
	snprintf(why, sizeof why, "sold since %s", detail);
	return end ? pm_points_use(db, unit, "expire", points, why, e) : PM_OK;
}

int pm_points_balance(struct pm_db *db, const char *unit, json_t **out, struct pm_err *e)
{
	static const char sql[] =
		"SELECT (SELECT coalesce(sum(points), 0) FROM points WHERE unit_id = ?1),"
		" (SELECT coalesce(sum(points), 0) FROM points_use WHERE unit_id = ?1 AND kind <> 'expire'),"
		" (SELECT coalesce(sum(points), 0) FROM points_use WHERE unit_id = ?1 AND kind = 'expire')";
	sqlite3_stmt *st;
	int64_t id, g, s, x;
	int rc;

	*out = NULL;
	if (pm_unit_id(db, unit, &id, e) || !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		g = sqlite3_column_int64(st, 0);
		s = sqlite3_column_int64(st, 1);
		x = sqlite3_column_int64(st, 2);
		*out = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "type", "points_balance", "unit", unit, "granted",
				 (json_int_t)g, "spent", (json_int_t)s, "expired", (json_int_t)x, "balance",
				 (json_int_t)(g - s - x));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return pm_db_fail(db, e, _("cannot read points"));
	return *out ? PM_OK : pm_err_set(e, PM_EFAIL, _("out of memory"));
}

int pm_points_expire_unit(struct pm_db *db, int64_t id, const char *code, const char *before, const char *as_of,
			  const char *detail, int64_t *n, struct pm_err *e)
{
	int64_t granted, used, all, held;

	*n = 0;
	if (points_sums(db, id, before, &granted, &used, e))
		return e->code;
	if (granted <= used)
		return PM_OK;
	/* What a web order holds now stays for its payment (pm-shop(1));
	 * the run after its hold ended expires it. */
	if (points_sums(db, id, NULL, &all, &used, e) || pm_shop_points_held(db, code, &held, e))
		return e->code;
	if ((*n = granted - used) > all - used - held)
		*n = all - used - held;
	if (*n <= 0) {
		*n = 0;
		return PM_OK;
	}
	return use_insert(db, id, "expire", *n, detail, as_of, e);
}

/* Each unit with grants before the day: what is left of them expires. */
static int expire_units(struct pm_db *db, const char *before, const char *as_of, json_t *done, struct pm_err *e)
{
	static const char sql[] = "SELECT DISTINCT p.unit_id, u.code FROM points p JOIN unit u ON u.id = p.unit_id"
				  " WHERE p.as_of < ?1 ORDER BY u.code";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	json_t *units = json_array(), *u;
	int64_t n;
	char detail[64];
	size_t i;
	int rc;

	if (!st || !units) {
		json_decref(units);
		return st ? pm_err_set(e, PM_EFAIL, _("out of memory")) : e->code;
	}
	sqlite3_bind_text(st, 1, before, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(units, json_pack("[I, s]", (json_int_t)sqlite3_column_int64(st, 0), TEXT(st, 1)));
	sqlite3_reset(st);
	rc = rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read points"));
	snprintf(detail, sizeof detail, "granted before %s", before);
	json_array_foreach(units, i, u) {
		const char *code = json_string_value(json_array_get(u, 1));
		if (rc || (rc = pm_points_expire_unit(db, json_integer_value(json_array_get(u, 0)), code, before, as_of,
						      detail, &n, e)))
			break;
		if (n)
			json_array_append_new(done, json_pack("{s:s, s:s, s:I, s:s, s:s}", "type", "points_expired", "unit", code,
						      "points", (json_int_t)n, "before", before, "as_of", as_of));
	}
	json_decref(units);
	return rc;
}

int pm_points_expire(struct pm_db *db, int32_t as_of, int (*fn)(void *ctx, json_t *rec), void *ctx,
		     long *units, struct pm_err *e)
{
	struct pm_config *cfg;
	json_t *done, *rec, *after;
	char day[PM_TIME_BUF], before[PM_TIME_BUF];
	int64_t days;
	size_t i;
	int rc;

	*units = 0;
	if (pm_config_current(db, as_of, &cfg, e))
		return e->code;
	days = json_integer_value(json_object_get(pm_config_section(cfg, "rewards"), "expire_days"));
	pm_config_free(cfg);
	if (days <= 0)
		return PM_OK;
	pm_date_fmt(as_of, day);
	pm_date_fmt((int32_t)(as_of - days), before);
	if (!(done = json_array()))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	if ((rc = pm_db_begin(db, e)) == PM_OK) {
		rc = expire_units(db, before, day, done, e);
		after = json_pack("{s:s, s:s, s:I}", "as_of", day, "before", before, "units",
				  (json_int_t)json_array_size(done));
		if (rc == PM_OK && json_array_size(done))
			rc = pm_audit_log(db, "bill.rewards.expire", "rewards", NULL, after, e);
		json_decref(after);
		rc = pm_db_end(db, rc, e);
	}
	*units = rc ? 0 : (long)json_array_size(done);
	json_array_foreach(done, i, rec)
		if (rc == PM_OK && fn)
			rc = fn(ctx, rec);
	json_decref(done);
	return rc;
}
