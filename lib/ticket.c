/* ticket: the ticket state machine, SLA clocks, submissions with the
 * dedupe of repeat reports, and the steps of a ticket's life. */
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
#include "pm/money.h"
#include "pm/ticket.h"
#include "pm/timeutil.h"
#include "bill-internal.h"
#include "repair-internal.h"

/* ---- the state machine ---- */

static const char *const status_names[PM_TICKET_STATUS_COUNT] = {
	"submitted", "accepted", "assigned", "in_progress", "on_hold", "resolved", "closed",
	"cancelled", "reopened",
};

#define S(x) PM_TICKET_##x
#define NO (-1)

/* Each action: its name, the permission it needs, whether it needs a
 * note (a reason, or what was done), and where it leads from each state.
 * This table is the state machine; messages about allowed transitions are
 * made from it. */
static const struct {
	const char *name, *permission;
	bool needs_note;
	int next[PM_TICKET_STATUS_COUNT];
} actions[PM_TICKET_ACTION_COUNT] = {
	/*                                    submitted     accepted      assigned      in_progress   on_hold       resolved   closed     cancelled reopened */
	[S(ACCEPT)] = {"accept", "ticket.dispatch", false,
		{S(ACCEPTED), NO, NO, NO, NO, NO, NO, NO, S(ACCEPTED)}},
	[S(ASSIGN)] = {"assign", "ticket.dispatch", false,
		{S(ASSIGNED), S(ASSIGNED), S(ASSIGNED), S(ASSIGNED), S(ASSIGNED), NO, NO, NO, S(ASSIGNED)}},
	[S(START)] = {"start", "ticket.work", false,
		{NO, NO, S(IN_PROGRESS), NO, S(IN_PROGRESS), NO, NO, NO, NO}},
	[S(HOLD)] = {"hold", "ticket.dispatch", true,
		{NO, S(ON_HOLD), S(ON_HOLD), S(ON_HOLD), NO, NO, NO, NO, NO}},
	[S(RESOLVE)] = {"resolve", "ticket.work", true,
		{NO, NO, S(RESOLVED), S(RESOLVED), NO, NO, NO, NO, NO}},
	[S(CLOSE)] = {"close", "ticket.dispatch", false,
		{NO, NO, NO, NO, NO, S(CLOSED), NO, NO, NO}},
	[S(CANCEL)] = {"cancel", "ticket.dispatch", true,
		{S(CANCELLED), S(CANCELLED), S(CANCELLED), S(CANCELLED), S(CANCELLED), NO, NO, NO, S(CANCELLED)}},
	[S(REOPEN)] = {"reopen", "ticket.reopen", true,
		{NO, NO, NO, NO, NO, S(REOPENED), S(REOPENED), NO, NO}},
};

const char *pm_ticket_status_name(enum pm_ticket_status s)
{
	return (unsigned)s < PM_TICKET_STATUS_COUNT ? status_names[s] : "?";
}

int pm_ticket_status_parse(const char *s, enum pm_ticket_status *out, struct pm_err *e)
{
	for (int i = 0; i < PM_TICKET_STATUS_COUNT; i++)
		if (!strcmp(s, status_names[i])) {
			*out = (enum pm_ticket_status)i;
			return PM_OK;
		}
	return pm_err_set(e, PM_EUSAGE, _("unknown status '%s': expected submitted, accepted, assigned, "
		"in_progress, on_hold, resolved, closed, cancelled or reopened"), s);
}

const char *pm_ticket_action_name(enum pm_ticket_action a)
{
	return (unsigned)a < PM_TICKET_ACTION_COUNT ? actions[a].name : "?";
}

const char *pm_ticket_action_permission(enum pm_ticket_action a)
{
	return (unsigned)a < PM_TICKET_ACTION_COUNT ? actions[a].permission : "?";
}

int pm_ticket_next(enum pm_ticket_status from, enum pm_ticket_action a)
{
	if ((unsigned)from >= PM_TICKET_STATUS_COUNT || (unsigned)a >= PM_TICKET_ACTION_COUNT)
		return NO;
	return actions[a].next[from];
}

const char *pm_ticket_allowed(enum pm_ticket_status from, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int a = 0; a < PM_TICKET_ACTION_COUNT && len < n; a++)
		if (pm_ticket_next(from, (enum pm_ticket_action)a) != NO)
			len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? ", " : "", actions[a].name);
	if (!len)
		snprintf(buf, n, "%s", _("none"));
	return buf;
}

/* ---- SLA clocks ---- */

/* The index of the first of the n sorted days v at or after day. */
static size_t first_at(const int32_t *v, size_t n, int32_t day)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Whether the calendar names a day in [a, b]. */
static bool excepted(const struct pm_hours *h, int32_t a, int32_t b)
{
	size_t i = first_at(h->holidays, h->n_holidays, a), j = first_at(h->workdays, h->n_workdays, a);

	return (i < h->n_holidays && h->holidays[i] <= b) || (j < h->n_workdays && h->workdays[j] <= b);
}

static bool listed(const int32_t *v, size_t n, int32_t day)
{
	size_t i = first_at(v, n, day);

	return i < n && v[i] == day;
}

bool pm_hours_rest(const struct pm_hours *h, int32_t day)
{
	if (h && listed(h->holidays, h->n_holidays, day))
		return true;
	if (h && listed(h->workdays, h->n_workdays, day))
		return false;
	return pm_weekday(day) >= 5;
}

/* Whether business hours open on day: a workday opens as a weekday does. */
static bool open_on(const struct pm_hours *h, int32_t day)
{
	if (listed(h->holidays, h->n_holidays, day))
		return false;
	return listed(h->workdays, h->n_workdays, day) || (h->days >> pm_weekday(day) & 1);
}

int64_t pm_sla_span(const struct pm_hours *h, const char *tz, int64_t t0, int64_t t1)
{
	int64_t sum = 0, week = 0, start, a, b;
	int32_t d, d0, d1;

	if (t1 <= t0)
		return 0;
	if (!h)
		return t1 - t0;
	for (int k = 0; k < 7; k++)
		week += (h->days >> k & 1) ? h->to - h->from : 0;
	d0 = pm_date_of(t0, tz);
	d1 = pm_date_of(t1, tz);
	for (d = d0; d <= d1; d++) {
		/* Whole weeks strictly inside the span, without a holiday or
		 * workday, count in one step. */
		if (d > d0 && d1 - d > 7 && !excepted(h, d, d + 6)) {
			sum += week;
			d += 6;
			continue;
		}
		if (!open_on(h, d))
			continue;
		/* Zones with daylight saving shift the hours on two days a year;
		 * the community's zone, China's, has none. */
		start = pm_date_start(d, tz);
		a = start + h->from > t0 ? start + h->from : t0;
		b = start + h->to < t1 ? start + h->to : t1;
		sum += b > a ? b - a : 0;
	}
	return sum;
}


int64_t pm_clock_elapsed(const struct pm_clock *c, const struct pm_hours *h, const char *tz,
			     int64_t at)
{
	return c->used + (c->since ? pm_sla_span(h, tz, c->since, at) : 0);
}

static void clock_stop(struct pm_clock *c, const struct pm_hours *h, const char *tz, int64_t at)
{
	c->used = pm_clock_elapsed(c, h, tz, at);
	c->since = 0;
}

static void clock_run(struct pm_clock *c, int64_t at)
{
	if (!c->since)
		c->since = at;
}

/* Still to be watched: running, or over budget with the breach unreported. */
bool pm_clock_pending(const struct pm_clock *c)
{
	return c->since || (!c->breach && c->used > c->budget);
}

/* ---- rows ---- */


static const char row_sql[] =
	"SELECT t.id, t.unit_id, coalesce(t.reporter_id, 0), t.status, t.kind, t.category,"
	" coalesce(u.code, ''), coalesce(t.assignee, ''), t.business_hours, t.stars IS NOT NULL,"
	" t.accept_budget, t.accept_used, coalesce(t.accept_since, 0), coalesce(t.accept_breach, 0),"
	" t.resolve_budget, t.resolve_used, coalesce(t.resolve_since, 0), coalesce(t.resolve_breach, 0),"
	" t.submitted_at, coalesce(t.accepted_at, 0), coalesce(t.resolved_at, 0), t.sla_pending"
	" FROM ticket t LEFT JOIN unit u ON u.id = t.unit_id WHERE t.id = ?";

void pm_clock_read(sqlite3_stmt *st, int col, struct pm_clock *c)
{
	c->budget = sqlite3_column_int64(st, col);
	c->used = sqlite3_column_int64(st, col + 1);
	c->since = sqlite3_column_int64(st, col + 2);
	c->breach = sqlite3_column_int64(st, col + 3);
}

/* PM_ENOPERM when missing: said as a refusal, so that owners cannot
 * probe for other people's tickets. */
int pm_ticket_row_load(struct pm_db *db, const struct pm_actor *a, int64_t id, struct pm_ticket_row *r,
		    struct pm_err *e)
{
	sqlite3_stmt *st = pm_db_stmt(db, row_sql, e);
	char status[16];
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(r, 0, sizeof *r);
		r->id = sqlite3_column_int64(st, 0);
		r->unit_id = sqlite3_column_int64(st, 1);
		r->reporter_id = sqlite3_column_int64(st, 2);
		pm_text_col(st, 3, status, sizeof status);
		pm_ticket_status_parse(status, &r->status, NULL);
		pm_text_col(st, 4, r->kind, sizeof r->kind);
		pm_text_col(st, 5, r->category, sizeof r->category);
		pm_text_col(st, 6, r->unit, sizeof r->unit);
		pm_text_col(st, 7, r->assignee, sizeof r->assignee);
		r->business_hours = sqlite3_column_int(st, 8);
		r->rated = sqlite3_column_int(st, 9);
		pm_clock_read(st, 10, &r->accept);
		pm_clock_read(st, 14, &r->resolve);
		r->submitted_at = sqlite3_column_int64(st, 18);
		r->accepted_at = sqlite3_column_int64(st, 19);
		r->resolved_at = sqlite3_column_int64(st, 20);
		r->pending = sqlite3_column_int(st, 21);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return pm_err_set(e, a && a->role == PM_ROLE_OWNER ? PM_ENOPERM : PM_EDATA,
				  a && a->role == PM_ROLE_OWNER ? _("user '%s' may not see ticket %lld")
								: _("%sno ticket %lld"),
				  a && a->role == PM_ROLE_OWNER ? a->login : "", (long long)id);
	if (rc != SQLITE_ROW)
		return pm_db_fail(db, e, _("cannot read tickets"));
	return PM_OK;
}

/* Owners see the tickets they reported and those of units where they
 * live reported in their own time there (pm_unit_may_read_from), not a
 * seller's. */
int pm_ticket_may_see(struct pm_db *db, const struct pm_actor *a, const struct pm_ticket_row *r,
		   struct pm_err *e)
{
	int64_t from;

	if (pm_auth_check(a, "ticket.read", e))
		return e->code;
	if (a->role != PM_ROLE_OWNER || (a->person_id && r->reporter_id == a->person_id))
		return PM_OK;
	if (r->unit[0] && pm_unit_may_read_from(db, a, r->unit, &from, e) == PM_OK && r->submitted_at >= from)
		return PM_OK;
	return pm_err_set(e, PM_ENOPERM, _("user '%s' may not see ticket %lld"), a->login,
			  (long long)r->id);
}

int pm_ticket_set_clocks(struct pm_db *db, const struct pm_ticket_row *r, struct pm_err *e)
{
	static const char sql[] =
		"UPDATE ticket SET accept_used = ?2, accept_since = nullif(?3, 0), accept_breach = nullif(?4, 0),"
		" resolve_used = ?5, resolve_since = nullif(?6, 0), resolve_breach = nullif(?7, 0),"
		" sla_pending = ?8 WHERE id = ?1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_int64(st, 2, r->accept.used);
	sqlite3_bind_int64(st, 3, r->accept.since);
	sqlite3_bind_int64(st, 4, r->accept.breach);
	sqlite3_bind_int64(st, 5, r->resolve.used);
	sqlite3_bind_int64(st, 6, r->resolve.since);
	sqlite3_bind_int64(st, 7, r->resolve.breach);
	sqlite3_bind_int(st, 8, r->pending);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot update the ticket"));
}

int pm_ticket_event(struct pm_db *db, int64_t id, int64_t ts, const char *action,
		     const char *from, const char *to, const char *note, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO ticket_event (ticket_id, ts, actor, action, from_status, to_status, note)"
		" VALUES (?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, ts);
	sqlite3_bind_text(st, 3, pm_db_actor(db), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, note, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot record the ticket's step"));
}

static int audit(struct pm_db *db, const char *action, int64_t id, json_t *before, json_t *after,
		 struct pm_err *e)
{
	char object[32];
	int rc;

	snprintf(object, sizeof object, "ticket:%lld", (long long)id);
	rc = pm_audit_log(db, action, object, before, after, e);
	json_decref(before);
	json_decref(after);
	return rc;
}

/* ---- submitting ---- */

const char *const pm_ticket_outcome_names[] = {"created", "repeated", "exists", NULL};

const char *const pm_ticket_fields[] = {"unit", "category", "text", "reporter", "contact", "photo", "asset",
					"area", "kind", NULL};

int pm_ticket_from_json(json_t *rec, struct pm_ticket_new *t, struct pm_err *e)
{
	const char **fields[] = {&t->unit, &t->category, &t->text, &t->reporter, &t->contact,
				 &t->photo, &t->asset, &t->area, &t->kind};

	memset(t, 0, sizeof *t);
	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
		if (pm_json_str(rec, pm_ticket_fields[i], i == 1 || i == 2 ? PM_REQUIRED : PM_OPTIONAL, fields[i], e))
			return PM_EDATA;
	return PM_OK;
}

/* The id of code in table (unit, person, asset): PM_EDATA naming it. */
static int lookup(struct pm_db *db, const char *sql, const char *what, const char *code,
		  int64_t *id, struct pm_err *e)
{
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	*id = 0;
	if (!code)
		return PM_OK;
	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return pm_err_set(e, PM_EDATA, _("no %s '%s'"), what, code);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot read the store"));
}

static const char unit_id_sql[] = "SELECT id FROM unit WHERE code = ?";
static const char person_id_sql[] = "SELECT id FROM person WHERE code = ?";
static const char asset_id_sql[] = "SELECT id FROM asset WHERE code = ?";

/* What the category promises: kind, priority, budgets, business hours. */
struct promise {
	const char *kind, *priority;
	int64_t accept, resolve;
	bool business_hours;
};

static int promise_of(const struct pm_repair *rp, const char *category, struct promise *p,
		      struct pm_err *e)
{
	json_t *cats = json_object_get(rp->sec, "categories"), *c, *pr, *v;
	char names[256];
	size_t i, len = 0;

	if (!(c = pm_json_find(cats, "name", category))) {
		names[0] = '\0';
		json_array_foreach(cats, i, v)
			if (len < sizeof names)
				len += (size_t)snprintf(names + len, sizeof names - len, "%s%s", i ? ", " : "",
					json_string_value(json_object_get(v, "name")));
		return pm_err_set(e, PM_EDATA, _("unknown category '%s': expected one of %s"), category, names);
	}
	p->kind = json_string_value(json_object_get(c, "kind"));
	p->priority = json_string_value(json_object_get(c, "priority"));
	pr = json_object_get(json_object_get(rp->sec, "priorities"), p->priority);
	p->accept = json_integer_value(json_object_get(json_object_get(c, "accept") ? c : pr, "accept"));
	p->resolve = json_integer_value(json_object_get(json_object_get(c, "resolve") ? c : pr, "resolve"));
	v = json_object_get(c, "business_hours");
	p->business_hours = json_is_true(v ? v : json_object_get(pr, "business_hours"));
	return PM_OK;
}

/* The open ticket of the same unit, asset and category submitted within
 * the window, or 0. */
static int find_open(struct pm_db *db, const char *category, int64_t unit, int64_t asset,
		     int64_t since, int64_t *id, struct pm_err *e)
{
	static const char sql[] =
		"SELECT id FROM ticket WHERE category = ?1 AND unit_id IS nullif(?2, 0) AND submitted_at >= ?3"
		" AND status NOT IN ('resolved','closed','cancelled') AND asset_id IS nullif(?4, 0)"
		" ORDER BY submitted_at DESC LIMIT 1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	*id = 0;
	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, category, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, unit);
	sqlite3_bind_int64(st, 3, since);
	sqlite3_bind_int64(st, 4, asset);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read tickets"));
}

static int record_repeat(struct pm_db *db, int64_t id, const struct pm_ticket_new *t, int64_t now,
			 struct pm_err *e)
{
	static const char sql[] =
		"UPDATE ticket SET repeats = repeats + 1, updated_at = ?2 WHERE id = ?1 RETURNING repeats, status";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char status[16] = "";
	int64_t n = 0;
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		n = sqlite3_column_int64(st, 0);
		pm_text_col(st, 1, status, sizeof status);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return pm_db_fail(db, e, _("cannot update the ticket"));
	if (pm_ticket_event(db, id, now, "repeat", status, status, t->text, e))
		return e->code;
	return audit(db, "ticket.repeat", id, NULL,
		     json_pack("{s:I, s:s?}", "repeats", (json_int_t)n, "text", t->text), e);
}

struct who {
	int64_t unit, reporter, asset;
};

/* Units, reporter and asset resolved, an owner held to their own unit. */
static int resolve_who(struct pm_db *db, const struct pm_actor *a, const struct pm_ticket_new *t,
		       struct who *w, struct pm_err *e)
{
	if (a->role == PM_ROLE_OWNER) {
		if (!t->unit)
			return pm_err_set(e, PM_EDATA, _("an owner must name their unit"));
		if (pm_unit_may_read(db, a, t->unit, e))
			return e->code;
	}
	if (lookup(db, unit_id_sql, "unit", t->unit, &w->unit, e) ||
	    lookup(db, asset_id_sql, "asset", t->asset, &w->asset, e))
		return e->code;
	if (a->role == PM_ROLE_OWNER) {
		w->reporter = a->person_id;
		return PM_OK;
	}
	return lookup(db, person_id_sql, "person", t->reporter, &w->reporter, e);
}

static int insert_ticket(struct pm_db *db, const struct pm_ticket_new *t, const struct promise *p,
			 const struct who *w, int64_t now, int64_t *id, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO ticket (kind, category, priority, status, unit_id, asset_id, area, text,"
		" reporter_id, contact, photo, submitted_by, assignee, team, business_hours,"
		" accept_budget, resolve_budget, accept_since, accepted_at, resolve_since,"
		" submitted_at, schedule, due, created_at, updated_at)"
		" VALUES (?1, ?2, ?3, ?4, nullif(?5, 0), nullif(?6, 0), ?7, ?8, nullif(?9, 0), ?10, ?11, ?12,"
		" ?13, ?14, ?15, ?16, ?17, CASE WHEN ?4 = 'submitted' THEN ?18 END,"
		" CASE WHEN ?4 <> 'submitted' THEN ?18 END, ?18, ?18, ?19, ?20, ?18, ?18)"
		" ON CONFLICT DO NOTHING RETURNING id";
	const char *status = t->assignee ? "assigned" : t->team ? "accepted" : "submitted";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	*id = 0;
	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, t->kind ? t->kind : p->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, t->category, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, p->priority, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, w->unit);
	sqlite3_bind_int64(st, 6, w->asset);
	sqlite3_bind_text(st, 7, t->area, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, t->text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, w->reporter);
	sqlite3_bind_text(st, 10, t->contact, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, t->photo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, pm_db_actor(db), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 13, t->assignee, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 14, t->team, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 15, p->business_hours);
	sqlite3_bind_int64(st, 16, p->accept);
	sqlite3_bind_int64(st, 17, p->resolve);
	sqlite3_bind_int64(st, 18, now);
	sqlite3_bind_text(st, 19, t->schedule, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 20, t->due, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot store the ticket"));
	if (*id)
		return pm_ticket_event(db, *id, now, "submit", NULL, status, t->text, e);
	return PM_OK;
}

/* The ticket a schedule made for this target and period already. */
static int scheduled(struct pm_db *db, const struct pm_ticket_new *t, int64_t asset, int64_t *id,
		     struct pm_err *e)
{
	static const char sql[] =
		"SELECT id FROM ticket WHERE schedule = ?1 AND coalesce(asset_id, 0) = ?2 AND due = ?3";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, t->schedule, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, asset);
	sqlite3_bind_text(st, 3, t->due, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot read tickets"));
}

static bool known_kind(const char *k)
{
	return !k || !strcmp(k, "repair") || !strcmp(k, "complaint") || !strcmp(k, "suggestion") ||
	       !strcmp(k, "inspection") || !strcmp(k, "collection");
}

static int check_new(const struct pm_ticket_new *t, struct pm_err *e)
{
	if (!t->category || !*t->category)
		return pm_err_set(e, PM_EDATA, _("a category is required"));
	if (!t->text || !*t->text)
		return pm_err_set(e, PM_EDATA, _("a text saying what is wrong is required"));
	if (pm_text_valid(_("the text"), t->text, e) || pm_text_valid(_("the reporter"), t->reporter, e) ||
	    pm_text_valid(_("the contact"), t->contact, e))
		return e->code;
	if (!known_kind(t->kind))
		return pm_err_set(e, PM_EDATA,
			_("unknown kind '%s': expected repair, complaint, suggestion, inspection or collection"), t->kind);
	return PM_OK;
}

/* Files the ticket, or records the repeat on the open one; p points into
 * the configuration, which the caller keeps open. */
static int file(struct pm_db *db, const struct pm_ticket_new *t, const struct promise *p,
		const struct who *w, int64_t window, int64_t *id, enum pm_ticket_outcome *did,
		struct pm_err *e)
{
	int64_t now = pm_now();

	/* A window of 0s turns dedupe off, even within the second. */
	if (!t->schedule && window > 0 && find_open(db, t->category, w->unit, w->asset, now - window, id, e))
		return e->code;
	if (*id) {
		*did = PM_TICKET_REPEATED;
		return record_repeat(db, *id, t, now, e);
	}
	if (insert_ticket(db, t, p, w, now, id, e))
		return e->code;
	if (!*id) {
		*did = PM_TICKET_EXISTS;
		return scheduled(db, t, w->asset, id, e);
	}
	*did = PM_TICKET_CREATED;
	return audit(db, "ticket.submit", *id, NULL,
		     json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:s}", "category", t->category, "priority",
			       p->priority, "unit", t->unit, "asset", t->asset, "area", t->area,
			       "text", t->text), e);
}

int pm_ticket_submit(struct pm_db *db, const struct pm_actor *a, const struct pm_ticket_new *t,
		     int64_t *id, enum pm_ticket_outcome *did, struct pm_err *e)
{
	struct pm_repair rp;
	struct promise p = {0};
	struct who w = {0, 0, 0};
	int rc;

	*id = 0;
	if (pm_auth_check(a, "ticket.submit", e) || check_new(t, e) || resolve_who(db, a, t, &w, e))
		return e->code;
	if (pm_repair_open(db, &rp, e))
		return e->code;
	rc = promise_of(&rp, t->category, &p, e);
	if (rc == PM_OK)
		rc = file(db, t, &p, &w, json_integer_value(json_object_get(rp.sec, "dedupe_window")), id, did, e);
	if (rc == PM_OK && *did == PM_TICKET_CREATED)
		rc = pm_renovation_noise(db, &rp, *id, w.unit, t->category, pm_now(), e);
	pm_repair_close(&rp);
	return rc;
}

int pm_ticket_submit_one(struct pm_db *db, const struct pm_actor *a, const struct pm_ticket_new *t,
			 int64_t *id, enum pm_ticket_outcome *did, struct pm_err *e)
{
	int rc;

	if ((rc = pm_db_begin(db, e)))
		return rc;
	return pm_db_end(db, pm_ticket_submit(db, a, t, id, did, e), e);
}

/* ---- steps ---- */

/* The business hours a ticket's clocks count in, or NULL for wall time. */
static const struct pm_hours *hours_of(const struct pm_repair *rp, const struct pm_ticket_row *r)
{
	return r->business_hours && rp->sec && rp->hours.days ? &rp->hours : NULL;
}

/* Who may take this step on this ticket, beyond the permission table:
 * owners only on their own tickets, technicians only on theirs. */
static int may_act(struct pm_db *db, const struct pm_actor *a, const struct pm_ticket_row *r,
		   const char *permission, struct pm_err *e)
{
	if (pm_ticket_may_see(db, a, r, e) || pm_auth_check(a, permission, e))
		return e->code;
	if (a->role == PM_ROLE_TECHNICIAN && !strcmp(permission, "ticket.work") &&
	    strcmp(r->assignee, a->login) != 0)
		return pm_err_set(e, PM_ENOPERM, _("ticket %lld is not assigned to '%s'"),
				  (long long)r->id, a->login);
	return PM_OK;
}

/* The one a ticket is assigned to must be staff who can work it. */
static int check_assignee(struct pm_db *db, const char *login, struct pm_err *e)
{
	static const char sql[] =
		"SELECT 1 FROM user WHERE login = ? AND disabled = 0 AND role IN ('technician','frontdesk','admin')";
	sqlite3_stmt *st;
	int rc;

	if (!login || !*login)
		return pm_err_set(e, PM_EUSAGE, _("assign needs the login to assign to"));
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return pm_err_set(e, PM_EDATA, _("no technician, front desk or admin user '%s'"), login);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot read users"));
}

/* Starts, pauses and stops the clocks as the ticket moves. */
static void move_clocks(struct pm_ticket_row *r, const struct pm_hours *h, const char *tz,
			enum pm_ticket_status to, int64_t now)
{
	if (to != PM_TICKET_SUBMITTED)
		clock_stop(&r->accept, h, tz, now);
	if (!r->accepted_at && to != PM_TICKET_SUBMITTED && to != PM_TICKET_CANCELLED)
		r->accepted_at = now;
	if (to == PM_TICKET_ON_HOLD || to == PM_TICKET_RESOLVED || to == PM_TICKET_CLOSED ||
	    to == PM_TICKET_CANCELLED)
		clock_stop(&r->resolve, h, tz, now);
	else
		clock_run(&r->resolve, now);
	/* A cancelled ticket no longer promises anything. */
	r->pending = to != PM_TICKET_CANCELLED && (pm_clock_pending(&r->accept) || pm_clock_pending(&r->resolve));
}

static int update_status(struct pm_db *db, const struct pm_ticket_row *r, enum pm_ticket_status to,
			 const struct pm_ticket_step *s, enum pm_ticket_action act, int64_t now,
			 struct pm_err *e)
{
	static const char sql[] =
		"UPDATE ticket SET status = ?2, updated_at = ?3, accepted_at = nullif(?4, 0),"
		" assignee = CASE WHEN ?5 IS NOT NULL THEN ?5 ELSE assignee END,"
		" team = CASE WHEN ?5 IS NOT NULL THEN NULL ELSE team END,"
		" resolved_at = CASE WHEN ?2 = 'resolved' THEN ?3 WHEN ?2 = 'reopened' THEN NULL ELSE resolved_at END,"
		" closed_at = CASE WHEN ?2 IN ('closed','cancelled') THEN ?3 ELSE closed_at END,"
		" cost_fen = CASE WHEN ?6 >= 0 THEN ?6 ELSE cost_fen END,"
		" parts = coalesce(?7, parts) WHERE id = ?1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_text(st, 2, pm_ticket_status_name(to), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, r->accepted_at);
	sqlite3_bind_text(st, 5, act == PM_TICKET_ASSIGN ? s->to : NULL, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, act == PM_TICKET_RESOLVE ? s->cost_fen : -1);
	sqlite3_bind_text(st, 7, act == PM_TICKET_RESOLVE ? s->parts : NULL, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot update the ticket"));
}

/* The stock issued to a chargeable repair goes on its charge at cost,
 * or at the markup of repair.stock.markup_percent. */
static int parts_charge(struct pm_db *db, int64_t ticket, int64_t *fen, struct pm_err *e)
{
	struct pm_repair rp;
	int64_t value, billed;
	int rc;

	if (pm_stock_ticket_value(db, ticket, &value, e))
		return e->code;
	if (value == 0)
		return PM_OK;
	if (pm_repair_open(db, &rp, e))
		return e->code;
	rc = pm_money_mul(value, 2, 100 + json_integer_value(json_object_get(json_object_get(rp.sec, "stock"),
									   "markup_percent")),
			  2, PM_ROUND_HALF_UP, &billed, e);
	pm_repair_close(&rp);
	return rc ? rc : pm_money_add(fen, billed, e);
}

/* A cost on a repair inside a unit is charged to the unit, once: a later
 * resolve may change the amount until pm-bill has billed it. */
static int charge(struct pm_db *db, const struct pm_ticket_row *r, int64_t fen, int64_t now,
		  struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO repair_charge (ticket_id, unit_id, amount_fen, created_at) VALUES (?1, ?2, ?3, ?4)"
		" ON CONFLICT (ticket_id) DO UPDATE SET amount_fen = excluded.amount_fen"
		" WHERE billed_bill_id IS NULL RETURNING ticket_id";
	sqlite3_stmt *st;
	int rc;

	if (fen < 0 || !r->unit_id || strcmp(r->kind, "repair") != 0)
		return PM_OK;
	if (parts_charge(db, r->id, &fen, e))
		return e->code;
	if (fen == 0)
		return PM_OK;
	/* A charge past what a bill line may be would stop the unit's bill,
	 * and the month's run with it: refused here, where it is typed. */
	if (pm_bill_bound_today(db, fen, _("repair charge"), e))
		return e->code;
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_int64(st, 2, r->unit_id);
	sqlite3_bind_int64(st, 3, fen);
	sqlite3_bind_int64(st, 4, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return pm_err_set(e, PM_EFAIL, _("ticket %lld's charge is billed already: adjust the bill instead"),
				  (long long)r->id);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot store the repair charge"));
}

/* PM_EDATA when text (NULL: none), what (translated), holds what typed
 * text may not (pm_text_valid) or is longer than PM_TICKET_NOTE_MAX
 * characters. */
static int note_fits(const char *what, const char *text, struct pm_err *e)
{
	size_t len = text ? strlen(text) : 0, n = 0, k;
	unsigned cp;

	if (pm_text_valid(what, text, e))
		return e->code;
	for (size_t at = 0; at < len; at += k ? k : 1, n++)
		k = pm_utf8_next(text + at, len - at, &cp);
	if (n > PM_TICKET_NOTE_MAX)
		return pm_err_set(e, PM_EDATA, _("%s is %zu characters long: at most %d, shorten it"), what, n,
				  PM_TICKET_NOTE_MAX);
	return PM_OK;
}

static int check_step(const struct pm_ticket_row *r, enum pm_ticket_action act,
		      const struct pm_ticket_step *s, int *to, struct pm_err *e)
{
	char allowed[128], money[PM_MONEY_BUF];

	if ((unsigned)act >= PM_TICKET_ACTION_COUNT)
		return pm_err_set(e, PM_ESOFTWARE, _("unknown ticket action %d"), (int)act);
	if ((*to = pm_ticket_next(r->status, act)) == NO)
		return pm_err_set(e, PM_EFAIL, _("cannot %s ticket %lld: it is %s; allowed: %s"),
				  actions[act].name, (long long)r->id, pm_ticket_status_name(r->status),
				  pm_ticket_allowed(r->status, allowed, sizeof allowed));
	if (actions[act].needs_note && (!s->note || !*s->note))
		return pm_err_set(e, PM_EUSAGE, act == PM_TICKET_RESOLVE ? _("resolve needs a note saying what was done")
									 : _("%s needs a reason"), actions[act].name);
	/* Here, not in each front end: the web took -100 for no cost. */
	if (act == PM_TICKET_RESOLVE && s->cost_fen != PM_TICKET_NO_COST && s->cost_fen < 0)
		return pm_err_set(e, PM_EUSAGE, _("the cost %s is below 0: a cost is 0 or more"),
				  pm_money_fmt(s->cost_fen, money));
	return note_fits(_("the note"), s->note, e);
}

static int step(struct pm_db *db, const struct pm_actor *a, struct pm_ticket_row *r,
		enum pm_ticket_action act, const struct pm_ticket_step *s, struct pm_err *e)
{
	enum pm_ticket_status from = r->status;
	struct pm_repair rp = {0};
	int64_t now = pm_now();
	int to = NO;

	/* Whether the ticket may be seen comes first: a step refused by its
	 * status named the status of another owner's ticket. */
	if (pm_ticket_may_see(db, a, r, e) || check_step(r, act, s, &to, e) ||
	    may_act(db, a, r, actions[act].permission, e) ||
	    (act == PM_TICKET_ASSIGN && check_assignee(db, s->to, e)))
		return e->code;
	if (r->business_hours && pm_repair_open(db, &rp, e))
		return e->code;
	move_clocks(r, hours_of(&rp, r), rp.tz, (enum pm_ticket_status)to, now);
	pm_repair_close(&rp);
	if ((act == PM_TICKET_RESOLVE && pm_stock_parts(db, a, r->id, s->parts, e)) ||
	    update_status(db, r, (enum pm_ticket_status)to, s, act, now, e) || pm_ticket_set_clocks(db, r, e) ||
	    pm_ticket_event(db, r->id, now, actions[act].name, pm_ticket_status_name(from),
		      pm_ticket_status_name(to), act == PM_TICKET_ASSIGN ? s->to : s->note, e) ||
	    (act == PM_TICKET_RESOLVE && charge(db, r, s->cost_fen, now, e)))
		return e->code;
	return audit(db, "ticket.step", r->id, json_pack("{s:s}", "status", pm_ticket_status_name(from)),
		     json_pack("{s:s, s:s, s:s?}", "action", actions[act].name, "status",
			       pm_ticket_status_name(to), "note", act == PM_TICKET_ASSIGN ? s->to : s->note), e);
}

int pm_ticket_step_in(struct pm_db *db, const struct pm_actor *a, int64_t id, enum pm_ticket_action act,
		      const struct pm_ticket_step *s, struct pm_err *e)
{
	struct pm_ticket_row r;

	if (pm_ticket_row_load(db, a, id, &r, e))
		return e->code;
	return step(db, a, &r, act, s, e);
}

/* Runs fn on the loaded ticket inside a write transaction. */
static int in_txn(struct pm_db *db, const struct pm_actor *a, int64_t id,
		  int (*fn)(struct pm_db *, const struct pm_actor *, struct pm_ticket_row *, const void *, struct pm_err *),
		  const void *arg, struct pm_err *e)
{
	struct pm_ticket_row r;

	if (pm_db_begin(db, e))
		return e->code;
	if (pm_ticket_row_load(db, a, id, &r, e) || fn(db, a, &r, arg, e)) {
		pm_db_rollback(db);
		return e->code;
	}
	return pm_db_commit(db, e);
}

struct step_arg {
	enum pm_ticket_action act;
	const struct pm_ticket_step *s;
};

static int do_step(struct pm_db *db, const struct pm_actor *a, struct pm_ticket_row *r, const void *arg,
		   struct pm_err *e)
{
	const struct step_arg *sa = arg;

	return step(db, a, r, sa->act, sa->s, e);
}

int pm_ticket_do(struct pm_db *db, const struct pm_actor *a, int64_t id,
		 enum pm_ticket_action act, const struct pm_ticket_step *s, struct pm_err *e)
{
	struct step_arg sa = {act, s};

	return in_txn(db, a, id, do_step, &sa, e);
}

static int do_comment(struct pm_db *db, const struct pm_actor *a, struct pm_ticket_row *r, const void *arg,
		      struct pm_err *e)
{
	const char *text = arg, *st = pm_ticket_status_name(r->status);

	if (!text || !*text)
		return pm_err_set(e, PM_EUSAGE, _("a comment needs text"));
	if (note_fits(_("the comment"), text, e))
		return e->code;
	if (may_act(db, a, r, "ticket.comment", e) ||
	    pm_ticket_event(db, r->id, pm_now(), "comment", st, st, text, e))
		return e->code;
	return audit(db, "ticket.comment", r->id, NULL, json_pack("{s:s}", "text", text), e);
}

int pm_ticket_comment(struct pm_db *db, const struct pm_actor *a, int64_t id, const char *text,
		      struct pm_err *e)
{
	return in_txn(db, a, id, do_comment, text, e);
}

struct rating {
	int stars;
	const char *comment;
};

static int do_rate(struct pm_db *db, const struct pm_actor *a, struct pm_ticket_row *r, const void *arg,
		   struct pm_err *e)
{
	static const char sql[] = "UPDATE ticket SET stars = ?2, rating_comment = ?3, updated_at = ?4 WHERE id = ?1";
	const struct rating *rt = arg;
	const char *st = pm_ticket_status_name(r->status);
	sqlite3_stmt *q;
	char note[16];

	if (rt->stars < 1 || rt->stars > 5)
		return pm_err_set(e, PM_EUSAGE, _("stars must be 1 to 5, not %d"), rt->stars);
	if (note_fits(_("the rating's comment"), rt->comment, e))
		return e->code;
	if (may_act(db, a, r, "ticket.rate", e))
		return e->code;
	if (a->role == PM_ROLE_OWNER && r->reporter_id && r->reporter_id != a->person_id)
		return pm_err_set(e, PM_ENOPERM, _("only the owner who reported ticket %lld may rate it"), (long long)r->id);
	if (r->status != PM_TICKET_RESOLVED && r->status != PM_TICKET_CLOSED)
		return pm_err_set(e, PM_EFAIL, _("ticket %lld is %s: rate it once it is resolved"), (long long)r->id, st);
	if (r->rated)
		return pm_err_set(e, PM_EFAIL, _("ticket %lld is rated already"), (long long)r->id);
	if (!(q = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(q, 1, r->id);
	sqlite3_bind_int(q, 2, rt->stars);
	sqlite3_bind_text(q, 3, rt->comment, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, pm_now());
	if (pm_db_step_done(db, q, _("cannot update the ticket"), e))
		return e->code;
	snprintf(note, sizeof note, "%d/5", rt->stars);
	if (pm_ticket_event(db, r->id, pm_now(), "rate", st, st, rt->comment ? rt->comment : note, e))
		return e->code;
	return audit(db, "ticket.rate", r->id, NULL,
		     json_pack("{s:i, s:s?}", "stars", rt->stars, "comment", rt->comment), e);
}

int pm_ticket_rate(struct pm_db *db, const struct pm_actor *a, int64_t id, int stars,
		   const char *comment, struct pm_err *e)
{
	struct rating rt = {stars, comment};

	return in_txn(db, a, id, do_rate, &rt, e);
}
