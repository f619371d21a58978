/* queue: the tickets as staff and owners read them (one ticket, its
 * timeline, filtered lists), and the cron jobs over the queue: SLA breach
 * reports and the sweep that closes resolved tickets. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pm/audit.h"
#include "pm/community.h"
#include "pm/config.h"
#include "pm/db.h"
#include "pm/i18n.h"
#include "pm/jsonl.h"
#include "pm/printq.h"
#include "pm/ticket.h"
#include "pm/timeutil.h"
#include "repair-internal.h"

/* ---- reading ---- */

int pm_ticket_id_parse(const char *s, int64_t *id, struct pm_err *e)
{
	char *end;
	long long v;

	if (s && *s == '#')
		s++;
	if (!s || *s < '0' || *s > '9')
		return pm_err_set(e, PM_EUSAGE, _("bad ticket number '%s'"), s ? s : "");
	v = strtoll(s, &end, 10);
	if (*end || v <= 0)
		return pm_err_set(e, PM_EUSAGE, _("bad ticket number '%s'"), s);
	*id = v;
	return PM_OK;
}

#define TICKET_COLS \
	"SELECT t.id, t.status, t.kind, t.category, t.priority, u.code, a.code, t.area, t.assignee," \
	" t.team, t.repeats, t.submitted_at, t.accepted_at, t.resolved_at, t.closed_at, t.text," \
	" p.code, t.contact, t.photo, t.submitted_by, t.cost_fen, t.parts, t.stars, t.rating_comment," \
	" t.schedule, t.due, t.business_hours, t.accept_budget, t.accept_used, t.accept_since," \
	" t.accept_breach, t.resolve_budget, t.resolve_used, t.resolve_since, t.resolve_breach" \
	" FROM ticket t LEFT JOIN unit u ON u.id = t.unit_id LEFT JOIN asset a ON a.id = t.asset_id" \
	" LEFT JOIN person p ON p.id = t.reporter_id"

/* Column i as JSON: text, integer, a time in tz, or null. */
static json_t *col_text(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? json_null()
		: json_string((const char *)sqlite3_column_text(st, i));
}

static json_t *col_int(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? json_null()
		: json_integer(sqlite3_column_int64(st, i));
}

static json_t *col_time(sqlite3_stmt *st, int i, const char *tz)
{
	char buf[PM_TIME_BUF];

	return sqlite3_column_type(st, i) == SQLITE_NULL ? json_null()
		: json_string(pm_time_fmt(sqlite3_column_int64(st, i), tz, buf));
}

static void clock_cols(sqlite3_stmt *st, int i, struct pm_clock *c)
{
	c->budget = sqlite3_column_int64(st, i);
	c->used = sqlite3_column_int64(st, i + 1);
	c->since = sqlite3_column_int64(st, i + 2);
	c->breach = sqlite3_column_int64(st, i + 3);
}

/* How a record is read: the zone and business hours, and the instant
 * its SLA clocks are judged at. */
struct view {
	const char *tz;
	const struct pm_hours *hours;
	int64_t as_of;
	bool full;
};

static bool breached(sqlite3_stmt *st, int i, const struct view *v, int business)
{
	struct pm_clock c;

	clock_cols(st, i, &c);
	return c.breach || pm_clock_elapsed(&c, business ? v->hours : NULL, v->tz, v->as_of) > c.budget;
}

static json_t *ticket_record(sqlite3_stmt *st, const struct view *v)
{
	static const char *const keys[] = {
		"status", "kind", "category", "priority", "unit", "asset", "area", "assignee", "team",
	};
	int business = sqlite3_column_int(st, 26);
	json_t *o = json_object();

	json_object_set_new(o, "type", json_string("ticket"));
	json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
	for (int i = 0; i < 9; i++)
		json_object_set_new(o, keys[i], col_text(st, i + 1));
	json_object_set_new(o, "repeats", json_integer(sqlite3_column_int64(st, 10)));
	json_object_set_new(o, "submitted_at", col_time(st, 11, v->tz));
	json_object_set_new(o, "resolved_at", col_time(st, 13, v->tz));
	json_object_set_new(o, "accept_breached", json_boolean(breached(st, 27, v, business)));
	json_object_set_new(o, "resolve_breached", json_boolean(breached(st, 31, v, business)));
	json_object_set_new(o, "text", col_text(st, 15));
	if (!v->full)
		return o;
	json_object_set_new(o, "accepted_at", col_time(st, 12, v->tz));
	json_object_set_new(o, "closed_at", col_time(st, 14, v->tz));
	json_object_set_new(o, "reporter", col_text(st, 16));
	json_object_set_new(o, "contact", col_text(st, 17));
	json_object_set_new(o, "photo", col_text(st, 18));
	json_object_set_new(o, "submitted_by", col_text(st, 19));
	json_object_set_new(o, "cost_fen", col_int(st, 20));
	json_object_set_new(o, "parts", col_text(st, 21));
	json_object_set_new(o, "stars", col_int(st, 22));
	json_object_set_new(o, "rating_comment", col_text(st, 23));
	json_object_set_new(o, "schedule", col_text(st, 24));
	json_object_set_new(o, "due", col_text(st, 25));
	json_object_set_new(o, "accept_budget", json_integer(sqlite3_column_int64(st, 27)));
	json_object_set_new(o, "resolve_budget", json_integer(sqlite3_column_int64(st, 31)));
	return o;
}

/* The zone and hours for a view; rp stays open while v is used. */
static void view_init(struct pm_db *db, struct pm_repair *rp, struct view *v, int64_t as_of,
		      bool full)
{
	struct pm_err ignored;

	v->tz = pm_db_tz(db);
	/* Without a repair section every clock counts wall time. */
	v->hours = pm_repair_open(db, rp, &ignored) == PM_OK && rp->hours.days ? &rp->hours : NULL;
	v->as_of = as_of ? as_of : pm_now();
	v->full = full;
}

int pm_ticket_get(struct pm_db *db, const struct pm_actor *a, int64_t id, json_t **rec,
		  struct pm_err *e)
{
	static const char sql[] = TICKET_COLS " WHERE t.id = ?";
	struct pm_repair rp = {0};
	struct view v;
	struct pm_ticket_row r;
	sqlite3_stmt *st;
	int rc;

	*rec = NULL;
	if (pm_ticket_row_load(db, a, id, &r, e) || pm_ticket_may_see(db, a, &r, e) || !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	view_init(db, &rp, &v, 0, true);
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*rec = ticket_record(st, &v);
	sqlite3_reset(st);
	pm_repair_close(&rp);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot read tickets"));
}

int pm_ticket_timeline(struct pm_db *db, int64_t id, int (*fn)(void *ctx, json_t *rec),
		       void *ctx, struct pm_err *e)
{
	static const char sql[] =
		"SELECT ts, actor, action, from_status, to_status, note FROM ticket_event"
		" WHERE ticket_id = ? ORDER BY id";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	const char *tz = pm_db_tz(db);
	json_t *o;
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		o = json_pack("{s:s, s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "type", "ticket_event",
			      "ticket", (json_int_t)id, "ts", col_time(st, 0, tz), "actor", col_text(st, 1),
			      "action", col_text(st, 2), "from", col_text(st, 3), "to", col_text(st, 4),
			      "note", col_text(st, 5));
		rc = fn(ctx, o);
		json_decref(o);
		if (rc) {
			sqlite3_reset(st);
			return rc;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read the timeline"));
}

/* One statement per leading filter, so that each can use its index; the
 * other filters apply to what it finds. */
#define FILTERS \
	" AND (?1 IS NULL OR t.status = ?1) AND (?2 IS NULL OR t.kind = ?2)" \
	" AND (?3 IS NULL OR t.category = ?3) AND (?4 IS NULL OR u.code = ?4)" \
	" AND (?5 IS NULL OR t.assignee = ?5) AND t.submitted_at >= ?6" \
	" AND (?9 = 0 OR t.reporter_id = ?9)" \
	" AND (?10 = 0 OR t.status NOT IN ('resolved', 'closed', 'cancelled'))" \
	" AND (?7 = 0 OR t.reporter_id = ?7 OR t.submitted_at >= " PM_RESIDENT_FROM("t.unit_id", "?7", "?8") ")" \
	" ORDER BY t.id"

static const char by_status[] = TICKET_COLS " WHERE t.status = ?1" FILTERS;
static const char by_unit[] = TICKET_COLS " WHERE t.unit_id = (SELECT id FROM unit WHERE code = ?4)" FILTERS;
static const char by_assignee[] = TICKET_COLS " WHERE t.assignee = ?5" FILTERS;
static const char by_nothing[] = TICKET_COLS " WHERE 1" FILTERS;

static sqlite3_stmt *list_stmt(struct pm_db *db, const struct pm_ticket_filter *f, int64_t person,
			       int64_t reporter, struct pm_err *e)
{
	const char *sql = f->status ? by_status : f->unit ? by_unit : f->assignee ? by_assignee : by_nothing;
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	const char *text[] = {f->status, f->kind, f->category, f->unit, f->assignee};
	char day[PM_TIME_BUF];

	if (!st)
		return NULL;
	for (int i = 0; i < 5; i++)
		sqlite3_bind_text(st, i + 1, text[i], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, f->since);
	sqlite3_bind_int64(st, 7, person);
	sqlite3_bind_text(st, 8, pm_community_today(db, day), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 9, reporter);
	sqlite3_bind_int(st, 10, f->open);
	return st;
}

int pm_ticket_each(struct pm_db *db, const struct pm_actor *a, const struct pm_ticket_filter *f,
		   int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e)
{
	enum pm_ticket_status ignored;
	struct pm_repair rp = {0};
	int64_t reporter = 0;
	sqlite3_stmt *st;
	struct view v;
	json_t *o;
	int rc, out = PM_OK;

	if (pm_auth_check(a, "ticket.read", e) ||
	    (f->status && pm_ticket_status_parse(f->status, &ignored, e)) ||
	    (f->reporter && pm_person_id(db, f->reporter, &reporter, e)))
		return e->code;
	/* An owner with no person sees nothing rather than everything. */
	if (!(st = list_stmt(db, f, a->role == PM_ROLE_OWNER ? (a->person_id ? a->person_id : -1) : 0, reporter, e)))
		return e->code;
	view_init(db, &rp, &v, f->as_of, false);
	while (out == PM_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int business = sqlite3_column_int(st, 26);

		if (f->breached && !breached(st, 27, &v, business) && !breached(st, 31, &v, business))
			continue;
		o = ticket_record(st, &v);
		out = fn(ctx, o);
		json_decref(o);
	}
	sqlite3_reset(st);
	pm_repair_close(&rp);
	if (out)
		return out;
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read tickets"));
}

/* ---- cron ---- */

/* "2h5m", "3d", "45s": how far over a budget a clock is. */
static const char *duration_fmt(int64_t s, char *buf, size_t n)
{
	static const struct { int64_t secs; char unit; } units[] = {
		{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'},
	};
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < 4 && len < n; i++)
		if (s >= units[i].secs || (i == 3 && !len)) {
			/* cppcheck-suppress zerodivcond ; no unit is 0 seconds long */
			len += (size_t)snprintf(buf + len, n - len, "%lld%c", (long long)(s / units[i].secs), units[i].unit);
			s %= units[i].secs;
			if (!s)
				break;
		}
	return buf;
}

static const char pending_sql[] =
	"SELECT t.id, t.status, t.category, t.priority, u.code, t.area, t.assignee, t.text,"
	" t.business_hours, t.accept_budget, t.accept_used, coalesce(t.accept_since, 0),"
	" coalesce(t.accept_breach, 0), t.resolve_budget, t.resolve_used,"
	" coalesce(t.resolve_since, 0), coalesce(t.resolve_breach, 0)"
	" FROM ticket t LEFT JOIN unit u ON u.id = t.unit_id WHERE t.sla_pending = 1 ORDER BY t.id";

struct overdue {
	struct pm_db *db;
	const struct view *v;
	long count;
	json_t *ids;
};

static int breach_out(struct overdue *od, sqlite3_stmt *st, const char *clock, const struct pm_clock *c,
		      int64_t elapsed, struct pm_err *e)
{
	char over[48], ts[PM_TIME_BUF];
	json_t *o = json_pack("{s:s, s:I, s:s, s:I, s:s, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:s}",
		"type", "sla_breach", "ticket", (json_int_t)sqlite3_column_int64(st, 0), "clock", clock,
		"over_by", (json_int_t)(elapsed - c->budget), "over", duration_fmt(elapsed - c->budget, over, sizeof over),
		"budget", (json_int_t)c->budget, "status", col_text(st, 1), "category", col_text(st, 2),
		"priority", col_text(st, 3), "unit", col_text(st, 4), "area", col_text(st, 5),
		"assignee", col_text(st, 6), "as_of", pm_time_fmt(od->v->as_of, od->v->tz, ts));
	int rc;

	json_object_set_new(o, "text", col_text(st, 7));
	/* Kept with the clock's breach, printed once both commit. */
	rc = pm_printq_add(od->db, PM_PRINTQ_OVERDUE, o, e);
	json_decref(o);
	od->count++;
	json_array_append_new(od->ids, json_integer(sqlite3_column_int64(st, 0)));
	return rc;
}

/* Reports each clock of one ticket that is over budget, once, and
 * settles whether the ticket still needs watching. */
static int overdue_one(struct overdue *od, sqlite3_stmt *st, struct pm_err *e)
{
	const struct pm_hours *h = sqlite3_column_int(st, 8) ? od->v->hours : NULL;
	struct pm_ticket_row r = {.id = sqlite3_column_int64(st, 0)};
	struct pm_clock *c[2] = {&r.accept, &r.resolve};
	static const char *const names[2] = {"accept", "resolve"};
	bool changed = false;

	pm_clock_read(st, 9, &r.accept);
	pm_clock_read(st, 13, &r.resolve);
	for (int i = 0; i < 2; i++) {
		int64_t el = pm_clock_elapsed(c[i], h, od->v->tz, od->v->as_of);

		if (c[i]->breach || el <= c[i]->budget)
			continue;
		if (breach_out(od, st, names[i], c[i], el, e))
			return e->code;
		c[i]->breach = od->v->as_of;
		changed = true;
	}
	r.pending = pm_clock_pending(&r.accept) || pm_clock_pending(&r.resolve);
	return changed || !r.pending ? pm_ticket_set_clocks(od->db, &r, e) : PM_OK;
}

static int overdue_run(struct overdue *od, struct pm_err *e)
{
	sqlite3_stmt *st;
	int rc;

	/* Its own statement: set_clocks writes rows this walk has passed. */
	if (sqlite3_prepare_v2(pm_db_sqlite(od->db), pending_sql, -1, &st, NULL) != SQLITE_OK)
		return pm_db_fail(od->db, e, _("cannot read tickets"));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (overdue_one(od, st, e)) {
			sqlite3_finalize(st);
			return e->code;
		}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(od->db, e, _("cannot read tickets"));
}

/* One audit record for a cron run over tickets: when, how many, which. */
static int audit_run(struct pm_db *db, const char *action, int64_t as_of, const char *counted,
		     long count, json_t *ids, struct pm_err *e)
{
	json_t *after = json_pack("{s:I, s:I, s:O}", "as_of", (json_int_t)as_of, counted,
				  (json_int_t)count, "tickets", ids);
	int rc = pm_audit_log(db, action, action, NULL, after, e);

	json_decref(after);
	return rc;
}

int pm_ticket_overdue(struct pm_db *db, int64_t as_of, long *count, struct pm_err *e)
{
	struct pm_repair rp = {0};
	struct view v;
	struct overdue od = {db, &v, 0, json_array()};
	int rc;

	*count = 0;
	view_init(db, &rp, &v, as_of, false);
	if ((rc = pm_db_begin(db, e)) == PM_OK && (rc = overdue_run(&od, e)) == PM_OK && od.count)
		rc = audit_run(db, "ticket.overdue", v.as_of, "breaches", od.count, od.ids, e);
	rc = rc ? rc : pm_db_commit(db, e);
	if (rc)
		pm_db_rollback(db);
	pm_repair_close(&rp);
	json_decref(od.ids);
	*count = od.count;
	return rc;
}

static int close_one(struct pm_db *db, int64_t id, int64_t now, const char *note, struct pm_err *e)
{
	static const char sql[] =
		"UPDATE ticket SET status = 'closed', closed_at = ?2, updated_at = ?2 WHERE id = ?1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	if (pm_db_step_done(db, st, _("cannot update the ticket"), e))
		return e->code;
	return pm_ticket_event(db, id, now, "close", "resolved", "closed", note, e);
}

static int sweep_run(struct pm_db *db, int64_t before, int64_t now, json_t *ids, struct pm_err *e)
{
	static const char sql[] =
		"SELECT id FROM ticket WHERE status = 'resolved' AND resolved_at <= ? ORDER BY id";
	sqlite3_stmt *st;
	size_t i;
	json_t *id;
	int rc;

	if (sqlite3_prepare_v2(pm_db_sqlite(db), sql, -1, &st, NULL) != SQLITE_OK)
		return pm_db_fail(db, e, _("cannot read tickets"));
	sqlite3_bind_int64(st, 1, before);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(ids, json_integer(sqlite3_column_int64(st, 0)));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read tickets"));
	json_array_foreach(ids, i, id)
		if (close_one(db, json_integer_value(id), now, _("closed automatically: no reopen after resolution"), e))
			return e->code;
	return PM_OK;
}

int pm_ticket_sweep(struct pm_db *db, int64_t as_of, long *closed, struct pm_err *e)
{
	struct pm_repair rp;
	json_t *ids = json_array();
	int64_t after;
	int rc;

	*closed = 0;
	if (pm_repair_open(db, &rp, e)) {
		json_decref(ids);
		return e->code;
	}
	after = json_integer_value(json_object_get(rp.sec, "auto_close_after"));
	pm_repair_close(&rp);
	if ((rc = pm_db_begin(db, e)) == PM_OK && (rc = sweep_run(db, as_of - after, as_of, ids, e)) == PM_OK &&
	    json_array_size(ids))
		rc = audit_run(db, "ticket.sweep", as_of, "closed", (long)json_array_size(ids), ids, e);
	rc = rc ? rc : pm_db_commit(db, e);
	if (rc)
		pm_db_rollback(db);
	*closed = rc ? 0 : (long)json_array_size(ids);
	json_decref(ids);
	return rc;
}

int pm_ticket_counts(struct pm_db *db, const struct pm_actor *a, int (*fn)(void *ctx, const char *status, int64_t n),
		     void *ctx, struct pm_err *e)
{
	static const char sql[] = "SELECT status, count(*) FROM ticket GROUP BY status ORDER BY status";
	sqlite3_stmt *st;
	int rc;

	if (pm_auth_check(a, "report.read", e) || !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = fn(ctx, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1)))) {
			sqlite3_reset(st);
			return rc;
		}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read tickets"));
}
