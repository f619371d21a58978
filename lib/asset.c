/* asset: the asset register and the schedules that make inspection
 * tickets, once per target and period. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "pm/asset.h"
#include "pm/audit.h"
#include "pm/db.h"
#include "pm/i18n.h"
#include "pm/jsonl.h"
#include "pm/ticket.h"
#include "pm/timeutil.h"
#include "repair-internal.h"

/* ---- the register ---- */

/* An asset's code is a tag people read off the equipment and type. */
#define CODE_MAX 64

/* The text fields are the first NTEXT after the code. */
const char *const pm_asset_fields[] = {"code", "name", "kind", "location", "model", "installed", "warranty_end",
				       "interval", NULL};
static const char *const *const text_fields = pm_asset_fields + 1;
#define NTEXT 6

static int check_date(json_t *rec, const char *key, const char **out, struct pm_err *e)
{
	int32_t day;

	if (pm_json_str(rec, key, PM_OPTIONAL, out, e))
		return PM_EDATA;
	if (*out && pm_date_parse(*out, &day, NULL))
		return pm_err_set(e, PM_EDATA, _("field \"%s\": expected a date YYYY-MM-DD, got \"%s\""), key, *out);
	return PM_OK;
}

/* The record's fields, checked; absent ones NULL and interval 0. */
static int asset_fields(json_t *rec, const char **code, const char *v[NTEXT], int64_t *interval,
			struct pm_err *e)
{
	*interval = 0;
	if (pm_json_str(rec, "code", PM_REQUIRED, code, e) || pm_code_valid("code", *code, CODE_MAX, e))
		return PM_EDATA;
	for (int i = 0; i < NTEXT; i++) {
		v[i] = NULL;
		if (i >= 4 ? check_date(rec, text_fields[i], &v[i], e)
			   : pm_json_str(rec, text_fields[i], PM_OPTIONAL, &v[i], e))
			return PM_EDATA;
	}
	if (pm_json_int(rec, "interval", PM_OPTIONAL, interval, e))
		return PM_EDATA;
	if (pm_json_has(rec, "interval") && *interval <= 0)
		return pm_err_set(e, PM_EDATA, _("field \"interval\": expected a number of days above 0"));
	return PM_OK;
}

static int asset_write(struct pm_db *db, const char *code, const char *v[NTEXT], int64_t interval,
		       bool exists, bool *changed, struct pm_err *e)
{
	static const char insert[] =
		"INSERT INTO asset (code, name, kind, location, model, installed, warranty_end, interval_days,"
		" created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, nullif(?8, 0), ?9, ?9)";
#define KEEP(n, col) " coalesce(?" #n ", " col ")"
	static const char update[] =
		"UPDATE asset SET name =" KEEP(2, "name") ", kind =" KEEP(3, "kind") ", location =" KEEP(4, "location")
		", model =" KEEP(5, "model") ", installed =" KEEP(6, "installed") ", warranty_end =" KEEP(7, "warranty_end")
		", interval_days = coalesce(nullif(?8, 0), interval_days), updated_at = ?9 WHERE code = ?1 AND NOT ("
		"name IS" KEEP(2, "name") " AND kind IS" KEEP(3, "kind") " AND location IS" KEEP(4, "location")
		" AND model IS" KEEP(5, "model") " AND installed IS" KEEP(6, "installed")
		" AND warranty_end IS" KEEP(7, "warranty_end") " AND interval_days IS coalesce(nullif(?8, 0), interval_days))";
#undef KEEP
	sqlite3_stmt *st = pm_db_stmt(db, exists ? update : insert, e);

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	for (int i = 0; i < NTEXT; i++)
		sqlite3_bind_text(st, i + 2, v[i], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, interval);
	sqlite3_bind_int64(st, 9, pm_now());
	if (pm_db_step_done(db, st, _("cannot store the asset"), e))
		return e->code;
	*changed = sqlite3_changes(pm_db_sqlite(db)) > 0;
	return PM_OK;
}

static int asset_exists(struct pm_db *db, const char *code, bool *exists, struct pm_err *e)
{
	static const char sql[] = "SELECT 1 FROM asset WHERE code = ?";
	int rc = pm_db_exists(db, sql, code, N_("cannot read assets"), e);

	*exists = rc == 1;
	return rc < 0 ? -rc : PM_OK;
}

int pm_asset_upsert(struct pm_db *db, json_t *rec, enum pm_upsert *did, struct pm_err *e)
{
	const char *code, *v[NTEXT];
	char object[80];
	bool exists = false, changed = false;
	int64_t interval;

	if (asset_fields(rec, &code, v, &interval, e) || asset_exists(db, code, &exists, e))
		return e->code;
	if (!exists && (!v[0] || !v[1]))
		return pm_err_set(e, PM_EDATA, _("asset '%s' is new: \"name\" and \"kind\" are required"), code);
	if (asset_write(db, code, v, interval, exists, &changed, e))
		return e->code;
	*did = !exists ? PM_INSERTED : changed ? PM_UPDATED : PM_UNCHANGED;
	if (*did == PM_UNCHANGED)
		return PM_OK;
	snprintf(object, sizeof object, "asset:%s", code);
	return pm_audit_log(db, exists ? "asset.update" : "asset.add", object, NULL, rec, e);
}

int pm_asset_add(struct pm_db *db, json_t *rec, enum pm_upsert *did, struct pm_err *e)
{
	int rc;

	if ((rc = pm_db_begin(db, e)))
		return rc;
	return pm_db_end(db, pm_asset_upsert(db, rec, did, e), e);
}

#define ASSET_COLS \
	"SELECT a.code, a.name, a.kind, a.location, a.model, a.installed, a.warranty_end, a.interval_days," \
	" a.retired, (SELECT max(resolved_at) FROM ticket t WHERE t.asset_id = a.id) FROM asset a"

/* Columns as they are, then the last maintenance (the last resolved
 * ticket for the asset) and the next one due: an interval after the last,
 * or after installation. */
static json_t *asset_record(sqlite3_stmt *st, const char *tz)
{
	static const char *const keys[] = {"code", "name", "kind", "location", "model", "installed",
		"warranty_end", "interval", "retired"};
	char last[PM_TIME_BUF], next[PM_TIME_BUF];
	json_t *o = json_object();
	int32_t base = 0;
	bool known = false;

	json_object_set_new(o, "type", json_string("asset"));
	for (int i = 0; i < 9; i++) {
		int t = sqlite3_column_type(st, i);

		json_object_set_new(o, keys[i], t == SQLITE_NULL ? json_null()
			: t == SQLITE_INTEGER ? json_integer(sqlite3_column_int64(st, i))
			: json_string((const char *)sqlite3_column_text(st, i)));
	}
	if (sqlite3_column_type(st, 9) != SQLITE_NULL) {
		base = pm_date_of(sqlite3_column_int64(st, 9), tz);
		known = true;
		json_object_set_new(o, "last_maintained", json_string(pm_date_fmt(base, last)));
	} else {
		json_object_set_new(o, "last_maintained", json_null());
		known = sqlite3_column_type(st, 5) != SQLITE_NULL &&
			pm_date_parse((const char *)sqlite3_column_text(st, 5), &base, NULL) == PM_OK;
	}
	known = known && sqlite3_column_type(st, 7) != SQLITE_NULL;
	json_object_set_new(o, "next_due", known ? json_string(pm_date_fmt(base + (int32_t)sqlite3_column_int64(st, 7), next))
						: json_null());
	return o;
}

int pm_asset_get(struct pm_db *db, const char *code, json_t **out, struct pm_err *e)
{
	static const char sql[] = ASSET_COLS " WHERE a.code = ?";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	*out = NULL;
	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*out = asset_record(st, pm_db_tz(db));
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return pm_err_set(e, PM_EDATA, _("no asset '%s'"), code);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot read assets"));
}

int pm_asset_each(struct pm_db *db, const char *kind, int all, int (*fn)(void *ctx, json_t *rec),
		  void *ctx, struct pm_err *e)
{
	static const char sql[] = ASSET_COLS
		" WHERE (?1 IS NULL OR a.kind = ?1) AND (?2 OR a.retired IS NULL) ORDER BY a.code";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc, out = PM_OK;
	json_t *o;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, all);
	while (out == PM_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		o = asset_record(st, pm_db_tz(db));
		out = fn(ctx, o);
		json_decref(o);
	}
	sqlite3_reset(st);
	if (out)
		return out;
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read assets"));
}

int pm_asset_history(struct pm_db *db, const char *code, int (*fn)(void *ctx, json_t *rec),
		     void *ctx, struct pm_err *e)
{
	static const char sql[] =
		"SELECT t.id, t.kind, t.category, t.status, t.assignee, t.submitted_at, t.resolved_at, t.text"
		" FROM ticket t JOIN asset a ON a.id = t.asset_id WHERE a.code = ? ORDER BY t.id";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	const char *tz = pm_db_tz(db);
	char s1[PM_TIME_BUF], s2[PM_TIME_BUF];
	int rc, out = PM_OK;
	json_t *o;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	while (out == PM_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		o = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s?, s:s, s:s?, s:s}", "type", "ticket",
			"id", (json_int_t)sqlite3_column_int64(st, 0), "kind", sqlite3_column_text(st, 1),
			"category", sqlite3_column_text(st, 2), "status", sqlite3_column_text(st, 3),
			"assignee", sqlite3_column_text(st, 4),
			"submitted_at", pm_time_fmt(sqlite3_column_int64(st, 5), tz, s1),
			"resolved_at", sqlite3_column_type(st, 6) == SQLITE_NULL ? NULL
				: pm_time_fmt(sqlite3_column_int64(st, 6), tz, s2),
			"text", sqlite3_column_text(st, 7));
		out = fn(ctx, o);
		json_decref(o);
	}
	sqlite3_reset(st);
	if (out)
		return out;
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read tickets"));
}

int pm_asset_retire(struct pm_db *db, const char *code, const char *day, struct pm_err *e)
{
	static const char sql[] =
		"UPDATE asset SET retired = ?2, updated_at = ?3 WHERE code = ?1 AND retired IS NULL";
	char today[PM_TIME_BUF], object[80];
	json_t *after;
	int32_t d;
	bool exists;
	sqlite3_stmt *st;
	int rc;

	if (!day)
		day = pm_date_fmt(pm_db_today(db), today);
	else if (pm_date_parse(day, &d, NULL))
		return pm_err_set(e, PM_EUSAGE, _("bad date '%s': expected YYYY-MM-DD"), day);
	if (pm_db_begin(db, e))
		return e->code;
	if (asset_exists(db, code, &exists, e) || !(st = pm_db_stmt(db, sql, e)))
		goto fail;
	if (!exists) {
		pm_err_set(e, PM_EDATA, _("no asset '%s'"), code);
		goto fail;
	}
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, pm_now());
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		pm_db_fail(db, e, _("cannot store the asset"));
		goto fail;
	}
	if (sqlite3_changes(pm_db_sqlite(db)) == 0) {
		pm_db_rollback(db);
		return PM_OK;
	}
	snprintf(object, sizeof object, "asset:%s", code);
	after = json_pack("{s:s}", "retired", day);
	rc = pm_audit_log(db, "asset.retire", object, NULL, after, e);
	json_decref(after);
	if (rc)
		goto fail;
	return pm_db_commit(db, e);
fail:
	pm_db_rollback(db);
	return e->code;
}

/* ---- schedules ---- */

/* The first day of the period of every ("day", "week", ...) holding day. */
static int32_t period_start(const char *every, int32_t day)
{
	char buf[PM_TIME_BUF];
	int y, m, d;

	if (!strcmp(every, "day"))
		return day;
	if (!strcmp(every, "week"))
		return day - pm_weekday(day);
	if (sscanf(pm_date_fmt(day, buf), "%d-%d-%d", &y, &m, &d) != 3)
		return day;
	m = !strcmp(every, "year") ? 1 : !strcmp(every, "quarter") ? (m - 1) / 3 * 3 + 1 : m;
	snprintf(buf, sizeof buf, "%04d-%02d-01", y, m);
	pm_date_parse(buf, &day, NULL);
	return day;
}

/* The asset codes a schedule covers: its list, the assets in service of
 * its kind, or none (an area, one ticket with no asset). */
static int targets(struct pm_db *db, json_t *s, json_t **out, struct pm_err *e)
{
	static const char sql[] = "SELECT code FROM asset WHERE kind = ? AND retired IS NULL ORDER BY code";
	const char *kind = json_string_value(json_object_get(s, "asset_kind"));
	sqlite3_stmt *st;
	int rc;

	if (json_object_get(s, "assets")) {
		*out = json_incref(json_object_get(s, "assets"));
		return PM_OK;
	}
	*out = json_array();
	if (!kind) {
		json_array_append_new(*out, json_null());
		return PM_OK;
	}
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(*out, json_string((const char *)sqlite3_column_text(st, 0)));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read assets"));
}

struct run {
	struct pm_db *db;
	const struct pm_actor *a;
	int (*fn)(void *ctx, json_t *rec);
	void *ctx;
	long created;
};

static int schedule_one(struct run *r, json_t *s, int32_t day, struct pm_err *e)
{
	const char *name = json_string_value(json_object_get(s, "name"));
	const char *text = json_string_value(json_object_get(s, "text"));
	const char *label = json_string_value(json_object_get(s, "label"));
	char due[PM_TIME_BUF];
	enum pm_ticket_outcome did;
	int64_t id;
	json_t *list, *code, *o;
	size_t i;
	int rc = PM_OK;

	pm_date_fmt(period_start(json_string_value(json_object_get(s, "every")), day), due);
	if (targets(r->db, s, &list, e))
		return e->code;
	json_array_foreach(list, i, code) {
		struct pm_ticket_new t = {
			.category = json_string_value(json_object_get(s, "category")),
			.text = text ? text : label ? label : name, .kind = "inspection",
			.asset = json_string_value(code), .area = json_string_value(json_object_get(s, "area")),
			.schedule = name, .due = due, .assignee = json_string_value(json_object_get(s, "assign")),
			.team = json_string_value(json_object_get(s, "role")),
		};

		if ((rc = pm_ticket_submit(r->db, r->a, &t, &id, &did, e)))
			break;
		r->created += did == PM_TICKET_CREATED;
		o = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:I, s:s}", "type", "inspection", "schedule", name,
			      "due", due, "asset", t.asset, "area", t.area, "ticket", (json_int_t)id,
			      "outcome", pm_ticket_outcome_names[did]);
		rc = r->fn(r->ctx, o);
		json_decref(o);
		if (rc) {
			rc = pm_err_set(e, rc, _("cannot write the schedule's records"));
			break;
		}
	}
	json_decref(list);
	return rc;
}

int pm_schedule_run(struct pm_db *db, const struct pm_actor *a, int32_t day,
		    int (*fn)(void *ctx, json_t *rec), void *ctx, long *created, struct pm_err *e)
{
	struct run r = {db, a, fn, ctx, 0};
	struct pm_repair rp;
	char date[PM_TIME_BUF];
	json_t *s, *after;
	size_t i;
	int rc;

	*created = 0;
	if (pm_auth_check(a, "repair.cron", e) || pm_repair_open(db, &rp, e))
		return e->code;
	if ((rc = pm_db_begin(db, e)) == PM_OK) {
		json_array_foreach(json_object_get(rp.sec, "schedules"), i, s)
			if ((rc = schedule_one(&r, s, day, e)))
				break;
	}
	if (rc == PM_OK && r.created) {
		after = json_pack("{s:s, s:I}", "as_of", pm_date_fmt(day, date), "created", (json_int_t)r.created);
		rc = pm_audit_log(db, "ticket.schedule", "ticket.schedule", NULL, after, e);
		json_decref(after);
	}
	rc = rc ? rc : pm_db_commit(db, e);
	if (rc)
		pm_db_rollback(db);
	pm_repair_close(&rp);
	*created = rc ? 0 : r.created;
	return rc;
}
