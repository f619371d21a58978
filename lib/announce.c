/* Announcements and event sign-ups. The messages go through pm_notify_queue
 * one unit at a time, so an announcement reaches exactly whom a record
 * about each unit in scope would: its current owners and tenants, by their
 * preferences; a person living in two units is told once (the second is a
 * duplicate key). */
#include <string.h>

#include "pm/announce.h"
#include "pm/audit.h"
#include "pm/community.h"
#include "pm/db.h"
#include "pm/i18n.h"
#include "pm/timeutil.h"

#define TITLE_MAX 200
#define BODY_MAX 65536
#define CAPACITY_MAX 100000

/* An announcement a (alias of the table) is addressed to person p when it
 * is for everyone, or for a unit, or the building of a unit, where the
 * person lives on day (today). */
#define ADDRESSED(p, day)                                                                      \
	"(a.target = 'all' OR EXISTS (SELECT 1 FROM occupancy o JOIN unit u ON u.id = o.unit_id" \
	" JOIN building b ON b.id = u.building_id WHERE o.person_id = " p                       \
	" AND " PM_OCCUPANCY_ON("o", day) " AND a.target IN ('unit:' || u.code, 'building:' || b.code)))"

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* ---- checking an announcement ---- */

static int check_target(struct pm_db *db, const char *target, struct pm_err *e)
{
	static const char bsql[] = "SELECT 1 FROM building WHERE code = ?";
	static const char usql[] = "SELECT 1 FROM unit WHERE code = ?";
	const char *sql = NULL, *code = NULL, *what = NULL;
	sqlite3_stmt *st;
	int step;

	if (strcmp(target, "all") == 0)
		return PM_OK;
	if (strncmp(target, "building:", 9) == 0)
		sql = bsql, code = target + 9, what = _("building");
	else if (strncmp(target, "unit:", 5) == 0)
		sql = usql, code = target + 5, what = _("unit");
	if (!sql || !*code)
		return pm_err_set(e, PM_EDATA, _("unknown target '%s': expected all, building:CODE or unit:CODE"),
				  target);
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	sqlite3_reset(st);
	if (step == SQLITE_ROW)
		return PM_OK;
	if (step != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read units"));
	return pm_err_set(e, PM_EDATA, _("no %s '%s'"), what, code);
}

static int check_until(struct pm_db *db, const char *until, struct pm_err *e)
{
	char now[PM_TIME_BUF], norm[PM_TIME_BUF];
	int32_t day;

	if (!until)
		return PM_OK;
	if (pm_date_parse(until, &day, e))
		return pm_err_prefix(e, _("end date"));
	pm_community_today(db, now);
	if (strcmp(pm_date_fmt(day, norm), now) < 0)
		return pm_err_set(e, PM_EDATA, _("the end date '%s' is already past"), until);
	return PM_OK;
}

/* The body without trailing blank lines and spaces, so a file's last
 * newline does not end every message; malloc'd. */
static char *trimmed(const char *body)
{
	size_t n = strlen(body);

	while (n && strchr(" \t\r\n", body[n - 1]))
		n--;
	return strndup(body, n);
}

/* The same title, body and target posted twice is most often a command
 * run again by mistake: it would tell every resident twice. */
static int check_twice(struct pm_db *db, const struct pm_announcement *a, const char *body,
		       struct pm_err *e)
{
	static const char sql[] =
		"SELECT id FROM announcement WHERE title = ?1 AND body = ?2 AND target = ?3 ORDER BY id DESC LIMIT 1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int64_t id;
	int step;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, a->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, body, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->target, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (step == SQLITE_ROW)
		return pm_err_set(e, PM_EDATA,
			_("announcement %lld has the same title, body and target: give --again to post a second one, or 'pm-notify announce %lld' to tell it to whoever lacks it"),
			(long long)id, (long long)id);
	if (step != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read announcements"));
	return PM_OK;
}

static int check(struct pm_db *db, const struct pm_announcement *a, const char *body,
		 struct pm_err *e)
{
	if (!a->title || !*a->title || strspn(a->title, " \t") == strlen(a->title))
		return pm_err_set(e, PM_EDATA, _("the title is empty"));
	if (strpbrk(a->title, "\r\n") || strlen(a->title) > TITLE_MAX || !pm_utf8_valid(a->title))
		return pm_err_set(e, PM_EDATA, _("the title must be one line of UTF-8 text, at most %d bytes"),
				  TITLE_MAX);
	if (!*body)
		return pm_err_set(e, PM_EDATA, _("the body is empty"));
	if (strlen(body) > BODY_MAX || !pm_utf8_valid(body))
		return pm_err_set(e, PM_EDATA, _("the body must be UTF-8 text of at most %d bytes"), BODY_MAX);
	if (a->capacity < 0 || a->capacity > CAPACITY_MAX)
		return pm_err_set(e, PM_EDATA, _("a capacity must be 1 to %d places"), CAPACITY_MAX);
	if (check_until(db, a->until, e))
		return e->code;
	if (check_target(db, a->target, e))
		return e->code;
	return a->again ? PM_OK : check_twice(db, a, body, e);
}

/* ---- records ---- */

#define ANN_COLS                                                                               \
	"a.id, a.title, a.body, a.target, a.pinned, a.until, a.capacity,"                       \
	" (SELECT coalesce(sum(r.count), 0) FROM rsvp r WHERE r.announcement_id = a.id),"       \
	" a.created_at, a.created_by"

static json_t *int_or_null(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? json_null()
							  : json_integer(sqlite3_column_int64(st, i));
}

static json_t *ann_row(sqlite3_stmt *st, const char *tz)
{
	char at[PM_TIME_BUF];

	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:b, s:o, s:o, s:I, s:s, s:s}", "type", "announcement",
			 "id", (json_int_t)sqlite3_column_int64(st, 0), "title", col(st, 1), "body", col(st, 2),
			 "target", col(st, 3), "pinned", sqlite3_column_int(st, 4),
			 "until", col(st, 5) ? json_string(col(st, 5)) : json_null(), "capacity", int_or_null(st, 6),
			 "taken", (json_int_t)sqlite3_column_int64(st, 7),
			 "created_at", pm_time_fmt(sqlite3_column_int64(st, 8), tz, at), "created_by", col(st, 9));
}

static int ann_get(struct pm_db *db, int64_t id, json_t **out, int64_t *created, struct pm_err *e)
{
	static const char sql[] = "SELECT " ANN_COLS " FROM announcement a WHERE a.id = ?";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int step;

	*out = NULL;
	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	if ((step = sqlite3_step(st)) == SQLITE_ROW) {
		*out = ann_row(st, pm_db_tz(db));
		*created = sqlite3_column_int64(st, 8);
	}
	sqlite3_reset(st);
	if (step == SQLITE_DONE)
		return pm_err_set(e, PM_EDATA, _("no announcement %lld"), (long long)id);
	if (!*out)
		return pm_db_fail(db, e, _("cannot read announcements"));
	return PM_OK;
}

int pm_announce_get(struct pm_db *db, int64_t id, json_t **out, struct pm_err *e)
{
	int64_t created;

	return ann_get(db, id, out, &created, e);
}

static const char *str(json_t *rec, const char *key)
{
	return json_string_value(json_object_get(rec, key));
}

/* PM_EFAIL when rec's end date is before today. */
static int still_current(struct pm_db *db, json_t *rec, struct pm_err *e)
{
	char now[PM_TIME_BUF];
	const char *until = str(rec, "until");

	pm_community_today(db, now);
	if (until && strcmp(until, now) < 0)
		return pm_err_set(e, PM_EFAIL, _("announcement %lld ended on %s"),
				  (long long)json_integer_value(json_object_get(rec, "id")), until);
	return PM_OK;
}

/* ---- pushing ---- */

/* The units of target with a current owner or tenant, in code order. */
static int scope(struct pm_db *db, const char *target, json_t **codes, struct pm_err *e)
{
	static const char sql[] =
		"SELECT u.code FROM unit u JOIN building b ON b.id = u.building_id"
		" WHERE ?1 IN ('all', 'unit:' || u.code, 'building:' || b.code) AND EXISTS (SELECT 1"
		" FROM occupancy o WHERE o.unit_id = u.id AND " PM_OCCUPANCY_ON("o", "?2")
		" AND o.role IN ('owner','tenant')) ORDER BY u.code";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char now[PM_TIME_BUF];
	int step;

	if (!st)
		return e->code;
	if (!(*codes = json_array()))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	sqlite3_bind_text(st, 1, target, -1, SQLITE_STATIC);
	pm_community_today(db, now);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(*codes, json_string(col(st, 0)));
	sqlite3_reset(st);
	if (step != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read units"));
	return PM_OK;
}

/* Queues rec's announcement once per unit in scope, keyed on the day it
 * was made, then audits what was done. Inside the caller's transaction. */
static int push(struct pm_db *db, struct pm_notify *n, json_t *rec, int64_t created, int channel,
		long *units, struct pm_notify_counts *counts, struct pm_err *e)
{
	json_t *codes = NULL, *msg, *code, *after;
	int32_t day = pm_date_of(created, pm_db_tz(db));
	char object[48];
	size_t i;
	int rc;

	*counts = (struct pm_notify_counts){0};
	if ((rc = scope(db, str(rec, "target"), &codes, e)))
		goto out;
	*units = (long)json_array_size(codes);
	json_array_foreach(codes, i, code) {
		msg = json_pack("{s:s, s:O, s:O, s:O, s:O}", "type", "announcement", "id", json_object_get(rec, "id"),
				"unit", code, "title", json_object_get(rec, "title"), "body", json_object_get(rec, "body"));
		rc = msg ? pm_notify_queue_day(n, "announcement", channel, msg, day, counts, e)
			 : pm_err_set(e, PM_EFAIL, _("out of memory"));
		json_decref(msg);
		if (rc)
			goto out;
	}
	after = json_deep_copy(rec);
	json_object_update_new(after, json_pack("{s:I, s:I, s:I, s:I, s:I}", "units", (json_int_t)*units,
		"queued", (json_int_t)counts->queued, "duplicate", (json_int_t)counts->duplicate,
		"opted_out", (json_int_t)counts->opted_out, "no_address", (json_int_t)counts->no_address));
	snprintf(object, sizeof object, "announcement:%lld", (long long)json_integer_value(json_object_get(rec, "id")));
	rc = pm_audit_log(db, "notify.announce", object, NULL, after, e);
	json_decref(after);
out:
	json_decref(codes);
	return rc;
}

static int finish(struct pm_db *db, int rc, struct pm_err *e)
{
	if (rc) {
		pm_db_rollback(db);
		return rc;
	}
	return pm_db_commit(db, e);
}

static int insert(struct pm_db *db, const struct pm_announcement *a, const char *body, int64_t *id,
		  struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO announcement (title, body, target, pinned, until, capacity, created_at,"
		" created_by, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, nullif(?6, 0), ?7, ?8, ?7)";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char until[PM_TIME_BUF];
	int32_t day;

	if (!st)
		return e->code;
	if (a->until && pm_date_parse(a->until, &day, NULL) == PM_OK)
		pm_date_fmt(day, until);
	sqlite3_bind_text(st, 1, a->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, body, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->target, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, a->pinned ? 1 : 0);
	sqlite3_bind_text(st, 5, a->until ? until : NULL, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, a->capacity);
	sqlite3_bind_int64(st, 7, pm_now());
	sqlite3_bind_text(st, 8, pm_db_actor(db), -1, SQLITE_STATIC);
	if (pm_db_step_done(db, st, _("cannot store the announcement"), e))
		return e->code;
	*id = sqlite3_last_insert_rowid(pm_db_sqlite(db));
	return PM_OK;
}

int pm_announce_add(struct pm_db *db, struct pm_notify *n, const struct pm_announcement *a,
		    int channel, int64_t *id, long *units, struct pm_notify_counts *counts,
		    struct pm_err *e)
{
	char *body = trimmed(a->body ? a->body : "");
	int64_t created;
	json_t *rec = NULL;
	int rc;

	*id = 0;
	if (!body)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	if ((rc = pm_db_begin(db, e)) == PM_OK) {
		if (!(rc = check(db, a, body, e)) && !(rc = insert(db, a, body, id, e)) &&
		    !(rc = ann_get(db, *id, &rec, &created, e)))
			rc = push(db, n, rec, created, channel, units, counts, e);
		rc = finish(db, rc, e);
	}
	if (rc)
		*id = 0;
	json_decref(rec);
	free(body);
	return rc;
}

int pm_announce_push(struct pm_db *db, struct pm_notify *n, int64_t id, int channel,
		     long *units, struct pm_notify_counts *counts, struct pm_err *e)
{
	json_t *rec = NULL;
	int64_t created;
	int rc;

	if ((rc = pm_db_begin(db, e)))
		return rc;
	if (!(rc = ann_get(db, id, &rec, &created, e)) && !(rc = still_current(db, rec, e)))
		rc = push(db, n, rec, created, channel, units, counts, e);
	json_decref(rec);
	return finish(db, rc, e);
}

/* The person_id pm_announce_each reads for actor: 0 (all) for staff, an
 * owner's own person, -1 (none) for an owner linked to no one. */
static int64_t audience(const struct pm_actor *a)
{
	if (a->role != PM_ROLE_OWNER)
		return 0;
	return a->person_id ? a->person_id : -1;
}

int pm_announce_each(struct pm_db *db, int all, int64_t person_id,
		     int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e)
{
	static const char sql[] =
		"SELECT " ANN_COLS " FROM announcement a WHERE (?1 OR a.until IS NULL OR a.until >= ?2)"
		" AND (?3 = 0 OR " ADDRESSED("?3", "?2") ") ORDER BY a.pinned DESC, a.created_at DESC, a.id DESC";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	const char *tz = pm_db_tz(db);
	char now[PM_TIME_BUF];
	int rc = PM_OK, step;
	json_t *rec;

	if (!st)
		return e->code;
	pm_community_today(db, now);
	sqlite3_bind_int(st, 1, all);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, person_id);
	while (rc == PM_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		if (!(rec = ann_row(st, tz))) {
			rc = pm_err_set(e, PM_EFAIL, _("out of memory"));
			break;
		}
		rc = fn(ctx, rec);
		json_decref(rec);
	}
	sqlite3_reset(st);
	if (rc == PM_OK && step != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read announcements"));
	return rc;
}

int pm_announce_each_for(struct pm_db *db, const struct pm_actor *a, int all,
			 int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e)
{
	if (pm_auth_check(a, "notify.announcements", e))
		return e->code;
	return pm_announce_each(db, all, audience(a), fn, ctx, e);
}

struct wanted {
	int64_t id;
	json_t *rec;
};

static int wanted_one(void *ctx, json_t *rec)
{
	struct wanted *w = ctx;

	if (json_integer_value(json_object_get(rec, "id")) != w->id)
		return PM_OK;
	w->rec = json_incref(rec);
	return -1;
}

int pm_announce_get_for(struct pm_db *db, const struct pm_actor *a, int64_t id, json_t **out,
			struct pm_err *e)
{
	struct wanted w = {id, NULL};
	int rc = pm_announce_each_for(db, a, 1, wanted_one, &w, e);

	*out = w.rec;
	if (rc > 0)
		return rc;
	if (!w.rec)
		return pm_err_set(e, PM_ENOPERM, _("user '%s' may not see announcement %lld"), a->login,
				  (long long)id);
	return PM_OK;
}

/* ---- sign-ups ---- */

/* The announcement as an event: PM_EFAIL unless it has a capacity. */
static int event(struct pm_db *db, int64_t ann, json_t **rec, int64_t *capacity, struct pm_err *e)
{
	int64_t created;

	if (ann_get(db, ann, rec, &created, e))
		return e->code;
	if (!json_is_integer(json_object_get(*rec, "capacity")))
		return pm_err_set(e, PM_EFAIL, _("announcement %lld takes no sign-ups: it has no capacity"),
				  (long long)ann);
	*capacity = json_integer_value(json_object_get(*rec, "capacity"));
	return PM_OK;
}

#define RSVP_SELECT                                                                            \
	"SELECT r.announcement_id, p.code, p.name, r.count, r.created_at, r.updated_at"          \
	" FROM rsvp r JOIN person p ON p.id = r.person_id"

static json_t *rsvp_row(sqlite3_stmt *st, const char *tz)
{
	char c[PM_TIME_BUF], u[PM_TIME_BUF];

	return json_pack("{s:s, s:I, s:s, s:s, s:I, s:s, s:s}", "type", "rsvp",
			 "announcement", (json_int_t)sqlite3_column_int64(st, 0), "person", col(st, 1),
			 "name", col(st, 2), "count", (json_int_t)sqlite3_column_int64(st, 3),
			 "created_at", pm_time_fmt(sqlite3_column_int64(st, 4), tz, c),
			 "updated_at", pm_time_fmt(sqlite3_column_int64(st, 5), tz, u));
}

/* The person's sign-up for ann as a record, or NULL when none. */
static int rsvp_get(struct pm_db *db, int64_t ann, int64_t person, json_t **out, struct pm_err *e)
{
	static const char sql[] = RSVP_SELECT " WHERE r.announcement_id = ? AND r.person_id = ?";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int step;

	*out = NULL;
	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, ann);
	sqlite3_bind_int64(st, 2, person);
	if ((step = sqlite3_step(st)) == SQLITE_ROW)
		*out = rsvp_row(st, pm_db_tz(db));
	sqlite3_reset(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read sign-ups"));
	if (step == SQLITE_ROW && !*out)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	return PM_OK;
}

static int64_t count_of(json_t *rsvp)
{
	return rsvp ? json_integer_value(json_object_get(rsvp, "count")) : 0;
}

/* PM_EFAIL unless count places fit beside everyone else's. */
static int room_for(int64_t ann, json_t *rec, json_t *old, int64_t capacity, int64_t count,
		    struct pm_err *e)
{
	int64_t others = json_integer_value(json_object_get(rec, "taken")) - count_of(old);
	int64_t left = capacity - others;

	if (count <= left)
		return PM_OK;
	if (left <= 0)
		return pm_err_set(e, PM_EFAIL, _("announcement %lld is full: all %lld places are taken"),
				  (long long)ann, (long long)capacity);
	return pm_err_set(e, PM_EFAIL, _("announcement %lld has %lld of %lld places left, %lld asked for"),
			  (long long)ann, (long long)left, (long long)capacity, (long long)count);
}

static int rsvp_write(struct pm_db *db, int64_t ann, int64_t person, int64_t count, struct pm_err *e)
{
	static const char upsert[] =
		"INSERT INTO rsvp (announcement_id, person_id, count, created_at, updated_at)"
		" VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (announcement_id, person_id)"
		" DO UPDATE SET count = ?3, updated_at = ?4";
	static const char del[] = "DELETE FROM rsvp WHERE announcement_id = ?1 AND person_id = ?2";
	sqlite3_stmt *st = pm_db_stmt(db, count ? upsert : del, e);

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, ann);
	sqlite3_bind_int64(st, 2, person);
	if (count) {
		sqlite3_bind_int64(st, 3, count);
		sqlite3_bind_int64(st, 4, pm_now());
	}
	return pm_db_step_done(db, st, _("cannot store the sign-up"), e);
}

/* Changes the sign-up old (NULL: none) of person to count, audited;
 * *out is the new record (count 0 when cancelled). */
static int rsvp_change(struct pm_db *db, int64_t ann, int64_t person, json_t *old, int64_t count,
		       json_t **out, struct pm_err *e)
{
	char object[48], at[PM_TIME_BUF];

	if (rsvp_write(db, ann, person, count, e))
		return e->code;
	if (count) {
		if (rsvp_get(db, ann, person, out, e))
			return e->code;
	} else {
		*out = json_deep_copy(old);
		json_object_set_new(*out, "count", json_integer(0));
		json_object_set_new(*out, "updated_at", json_string(pm_time_fmt(pm_now(), pm_db_tz(db), at)));
	}
	snprintf(object, sizeof object, "announcement:%lld", (long long)ann);
	return pm_audit_log(db, "notify.rsvp", object, old, *out, e);
}

int pm_rsvp_set(struct pm_db *db, int64_t ann, const char *person, int64_t count, json_t **out,
		struct pm_err *e)
{
	json_t *rec = NULL, *old = NULL;
	int64_t capacity, pid;
	int rc;

	*out = NULL;
	if (count < 0 || count > CAPACITY_MAX)
		return pm_err_set(e, PM_EDATA, _("a sign-up takes 1 to %d places"), CAPACITY_MAX);
	if ((rc = pm_db_begin(db, e)))
		return rc;
	if ((rc = event(db, ann, &rec, &capacity, e)) || (rc = still_current(db, rec, e)) ||
	    (rc = pm_person_id(db, person, &pid, e)) || (rc = rsvp_get(db, ann, pid, &old, e)))
		goto out;
	if (count == count_of(old)) {
		*out = json_incref(old);
		goto out;
	}
	if (!(rc = room_for(ann, rec, old, capacity, count, e)))
		rc = rsvp_change(db, ann, pid, old, count, out, e);
out:
	json_decref(rec);
	json_decref(old);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return finish(db, rc, e);
}

int pm_rsvp_each(struct pm_db *db, int64_t ann, int (*fn)(void *ctx, json_t *rec), void *ctx,
		 int64_t *taken, int64_t *capacity, struct pm_err *e)
{
	static const char sql[] = RSVP_SELECT " WHERE r.announcement_id = ? ORDER BY r.created_at, r.id";
	const char *tz = pm_db_tz(db);
	sqlite3_stmt *st;
	json_t *rec = NULL;
	int rc, step;

	*taken = 0;
	rc = event(db, ann, &rec, capacity, e);
	json_decref(rec);
	if (rc || !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, ann);
	while (rc == PM_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		if (!(rec = rsvp_row(st, tz))) {
			rc = pm_err_set(e, PM_EFAIL, _("out of memory"));
			break;
		}
		*taken += sqlite3_column_int64(st, 3);
		rc = fn(ctx, rec);
		json_decref(rec);
	}
	sqlite3_reset(st);
	if (rc == PM_OK && step != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read sign-ups"));
	return rc;
}

int pm_rsvp_may(struct pm_db *db, const struct pm_actor *a, int64_t ann, const char *person,
		struct pm_err *e)
{
	static const char sql[] = "SELECT 1 FROM announcement a WHERE a.id = ?1 AND " ADDRESSED("?2", "?3");
	char now[PM_TIME_BUF];
	sqlite3_stmt *st;
	struct pm_err ignored;
	int64_t pid = 0;
	int step;

	if (pm_auth_allowed(a->role, "notify.announce"))
		return PM_OK;
	if (!pm_auth_allowed(a->role, "notify.self") || !a->person_id ||
	    pm_person_id(db, person, &pid, &ignored) != PM_OK || pid != a->person_id)
		return pm_err_set(e, PM_ENOPERM, _("user '%s' (%s) may not sign up '%s'"), a->login,
				  pm_role_name(a->role), person);
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, ann);
	sqlite3_bind_int64(st, 2, pid);
	pm_community_today(db, now);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
	step = sqlite3_step(st);
	sqlite3_reset(st);
	if (step == SQLITE_ROW)
		return PM_OK;
	if (step != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read announcements"));
	return pm_err_set(e, PM_ENOPERM, _("announcement %lld is not addressed to '%s'"), (long long)ann,
			  person);
}
