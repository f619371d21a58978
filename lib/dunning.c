/* dunning: the configured plan applied to the bills past due, the desk's
 * contacts and promises, the demand letter. The dunning table is what
 * makes a run safe to repeat: a bill enters a stage once (UNIQUE), and
 * only the run that entered it queues the message or files the task. */
#include <string.h>

#include "bill-internal.h"
#include "pm/audit.h"
#include "pm/bill.h"
#include "pm/community.h"
#include "pm/config.h"
#include "pm/dunning.h"
#include "pm/html.h"
#include "pm/i18n.h"
#include "pm/money.h"
#include "pm/notice.h"
#include "pm/notify.h"
#include "pm/template.h"
#include "pm/ticket.h"

const char *const pm_contact_means[] = {"phone", "visit", "letter", NULL};
const char *const pm_contact_results[] = {"promised", "refused", "unreachable", NULL};

/* What a bill owes, in SQL over bill b. */
#define OWED "b.total_fen + b.late_fen + b.adjust_fen - b.paid_fen"
/* Whether bill b is past due on day ?1 (YYYY-MM-DD) with something owed. */
#define PAST_DUE "b.status IN ('issued','partial') AND b.due < ?1"

/* The configuration a run works with. */
struct plan {
	struct pm_config *cfg;
	json_t *stages, *templates;
	const char *category, *tz;
	char day[PM_TIME_BUF];
	struct pm_notify *n;
	const struct pm_actor *actor;
};

static int plan_open(struct pm_db *db, int32_t as_of, struct plan *p, struct pm_err *e)
{
	json_t *sec;

	if (pm_config_current(db, as_of, &p->cfg, e))
		return e->code;
	sec = pm_config_section(p->cfg, "dunning");
	p->stages = json_object_get(sec, "stages");
	if (!json_array_size(p->stages))
		return pm_err_set(e, PM_ECONFIG, _("no dunning plan: set dunning.stages in pm.yaml and apply it"));
	p->category = json_string_value(json_object_get(sec, "category"));
	p->templates = json_object_get(pm_config_section(p->cfg, "notify"), "templates");
	p->tz = pm_db_tz(db);
	pm_date_fmt(as_of, p->day);
	return pm_notify_open(db, &p->n, e);
}

static void plan_close(struct plan *p)
{
	pm_notify_close(p->n);
	pm_config_free(p->cfg);
}

/* Promises settled as of the run's day: kept when the unit owes nothing
 * past due, broken when their day has passed with a debt; *broken gets
 * the units of the broken ones as keys. */
static int promises(struct pm_db *db, struct plan *p, struct pm_dunning_run *r, json_t *broken, struct pm_err *e)
{
	static const char kept[] =
		"UPDATE collection_contact SET promise = 'kept' WHERE promise = 'pending'"
		" AND NOT EXISTS (SELECT 1 FROM bill b WHERE b.unit_id = collection_contact.unit_id AND " PAST_DUE ")";
	static const char broke[] =
		"UPDATE collection_contact SET promise = 'broken' WHERE promise = 'pending' AND promise_date < ?1"
		" RETURNING unit_id";
	sqlite3_stmt *st = pm_db_stmt(db, kept, e);
	char key[24];
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, p->day, -1, SQLITE_STATIC);
	if (pm_db_step_done(db, st, _("cannot settle promises"), e))
		return e->code;
	r->kept = sqlite3_changes(pm_db_sqlite(db));
	if (!(st = pm_db_stmt(db, broke, e)))
		return e->code;
	sqlite3_bind_text(st, 1, p->day, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(key, sizeof key, "%lld", (long long)sqlite3_column_int64(st, 0));
		json_object_set_new(broken, key, json_true());
		r->broken++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot settle promises"));
}

/* The bills past due, read whole before any stage is entered. Units
 * holding a promise whose day has not passed are left out. */
static int overdue(struct pm_db *db, struct plan *p, json_t *bills, struct pm_err *e)
{
	static const char sql[] =
		"SELECT b.id, b.code, u.code, b.period, b.due, " OWED ", b.late_fen,"
		" CAST(julianday(?1) - julianday(b.due) AS INTEGER), b.unit_id"
		" FROM bill b JOIN unit u ON u.id = b.unit_id WHERE " PAST_DUE
		" AND NOT EXISTS (SELECT 1 FROM collection_contact c WHERE c.unit_id = b.unit_id"
		"  AND c.promise = 'pending' AND c.promise_date >= ?1)"
		" ORDER BY u.code, b.period";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	json_t *b;
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, p->day, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		b = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:s}", "type", "dunning",
			      "bill_id", (json_int_t)sqlite3_column_int64(st, 0), "bill", TEXT(st, 1), "unit",
			      TEXT(st, 2), "period", TEXT(st, 3), "due", TEXT(st, 4),
			      "owed_fen", (json_int_t)sqlite3_column_int64(st, 5),
			      "late_fen", (json_int_t)sqlite3_column_int64(st, 6),
			      "days", (json_int_t)sqlite3_column_int64(st, 7),
			      "unit_id", (json_int_t)sqlite3_column_int64(st, 8), "as_of", p->day);
		if (!b || json_array_append_new(bills, b)) {
			sqlite3_reset(st);
			return pm_err_set(e, PM_EFAIL, _("out of memory"));
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read bills"));
}

/* A task's text: the stage template's text for the record. */
static int task_text(struct plan *p, const char *name, json_t *rec, char **text, struct pm_err *e)
{
	struct pm_tmpl *t;
	int rc;

	if (pm_tmpl_find(p->templates, pm_tmpl_dir(), name, &t, e))
		return e->code;
	rc = pm_tmpl_render(name, t->text, rec, t->words, p->tz, 0, text, e);
	pm_tmpl_free(t);
	return rc;
}

static int file_task(struct pm_db *db, struct plan *p, const char *tmpl, json_t *rec, int64_t *ticket,
		     struct pm_err *e)
{
	struct pm_ticket_new t = {.unit = json_string_value(json_object_get(rec, "unit")), .category = p->category,
				  .kind = "collection", .team = json_string_value(json_object_get(rec, "role"))};
	enum pm_ticket_outcome did;
	char *text;
	int rc;

	if (task_text(p, tmpl, rec, &text, e))
		return e->code;
	t.text = text;
	rc = pm_ticket_submit(db, p->actor, &t, ticket, &did, e);
	free(text);
	return rc;
}

/* Queues the message: a unit nobody can be told about (no residents on
 * record) enters the stage with nothing queued and the reason noted. */
static int send_message(struct plan *p, const char *tmpl, json_t *rec, long *queued, struct pm_err *e)
{
	struct pm_notify_counts counts = {0};
	struct pm_err why;

	if (pm_notify_queue(p->n, tmpl, -1, rec, &counts, &why) == PM_OK) {
		*queued = counts.queued;
		return PM_OK;
	}
	if (why.code != PM_EDATA) {
		*e = why;
		return e->code;
	}
	*queued = 0;
	json_object_set_new(rec, "note", json_string(why.msg));
	return PM_OK;
}

static int stage_record(struct pm_db *db, int64_t id, long queued, int64_t ticket, struct pm_err *e)
{
	static const char sql[] = "UPDATE dunning SET queued = ?2, ticket_id = nullif(?3, 0) WHERE id = ?1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, queued);
	sqlite3_bind_int64(st, 3, ticket);
	return pm_db_step_done(db, st, _("cannot record the dunning stage"), e);
}

/* Bill b enters stage seq (from 0) for reason, unless it has: the row
 * first, so only the run that wrote it acts. */
static int enter(struct pm_db *db, struct plan *p, struct pm_dunning_run *r, json_t *b, size_t seq,
		 const char *reason, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO dunning (bill_id, stage, seq, action, role, days, reason, as_of, at)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id";
	json_t *stage = json_array_get(p->stages, seq), *rec;
	const char *action = json_string_value(json_object_get(stage, "action")),
		   *tmpl = json_string_value(json_object_get(stage, "template"));
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int64_t id = 0, ticket = 0;
	long queued = 0;
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, json_integer_value(json_object_get(b, "bill_id")));
	sqlite3_bind_text(st, 2, json_string_value(json_object_get(stage, "name")), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t)seq + 1);
	sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, json_string_value(json_object_get(stage, "role")), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, json_integer_value(json_object_get(b, "days")));
	sqlite3_bind_text(st, 7, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, p->day, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, pm_now());
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot record the dunning stage"));
	if (!id)
		return PM_OK;
	if (!(rec = json_deep_copy(b)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	json_object_del(rec, "bill_id");
	json_object_del(rec, "unit_id");
	json_object_set_new(rec, "id", json_integer(id));
	json_object_set_new(rec, "stage", json_copy(json_object_get(stage, "name")));
	json_object_set_new(rec, "action", json_string(action));
	json_object_set_new(rec, "role", json_copy(json_object_get(stage, "role")));
	json_object_set_new(rec, "reason", json_string(reason));
	json_object_set_new(rec, "community", json_string(pm_config_community_name(p->cfg)));
	rc = strcmp(action, "task") == 0 ? file_task(db, p, tmpl, rec, &ticket, e)
					 : send_message(p, tmpl, rec, &queued, e);
	if (rc == PM_OK)
		rc = stage_record(db, id, queued, ticket, e);
	if (rc == PM_OK) {
		json_object_del(rec, "community");
		json_object_set_new(rec, "queued", json_integer(queued));
		json_object_set_new(rec, "ticket", ticket ? json_integer(ticket) : json_null());
		r->entered++;
		r->queued += queued;
		r->tasks += ticket != 0;
		rc = r->fn ? r->fn(r->ctx, rec) : PM_OK;
	}
	json_decref(rec);
	return rc;
}

/* The furthest stage the bill has entered, from 1; 0 for none. */
static int furthest(struct pm_db *db, json_t *b, int64_t *seq, struct pm_err *e)
{
	static const char sql[] = "SELECT coalesce(max(seq), 0) FROM dunning WHERE bill_id = ?";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, json_integer_value(json_object_get(b, "bill_id")));
	rc = sqlite3_step(st);
	*seq = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot read the dunning stages"));
}

/* The stages the bill's days have reached, then for a broken promise the
 * one after the furthest entered. */
static int one_bill(struct pm_db *db, struct plan *p, struct pm_dunning_run *r, json_t *b, json_t *broken,
		    struct pm_err *e)
{
	json_int_t days = json_integer_value(json_object_get(b, "days"));
	char key[24];
	int64_t seq;
	size_t i;

	for (i = 0; i < json_array_size(p->stages); i++)
		if (json_integer_value(json_object_get(json_array_get(p->stages, i), "days")) <= days &&
		    enter(db, p, r, b, i, "overdue", e))
			return e->code;
	snprintf(key, sizeof key, "%lld", (long long)json_integer_value(json_object_get(b, "unit_id")));
	if (!json_object_get(broken, key))
		return PM_OK;
	if (furthest(db, b, &seq, e))
		return e->code;
	return (size_t)seq < json_array_size(p->stages) ? enter(db, p, r, b, (size_t)seq, "broken_promise", e)
							 : PM_OK;
}

static int run(struct pm_db *db, struct plan *p, struct pm_dunning_run *r, struct pm_err *e)
{
	json_t *bills = json_array(), *broken = json_object(), *b;
	char object[48];
	size_t i;
	int rc;

	if (!bills || !broken)
		rc = pm_err_set(e, PM_EFAIL, _("out of memory"));
	else
		rc = promises(db, p, r, broken, e);
	if (rc == PM_OK)
		rc = overdue(db, p, bills, e);
	json_array_foreach(bills, i, b)
		if (rc == PM_OK)
			rc = one_bill(db, p, r, b, broken, e);
	json_decref(bills);
	json_decref(broken);
	if (rc)
		return rc;
	snprintf(object, sizeof object, "dunning:%s", p->day);
	b = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "as_of", p->day, "entered", (json_int_t)r->entered,
		      "queued", (json_int_t)r->queued, "tasks", (json_int_t)r->tasks, "kept", (json_int_t)r->kept,
		      "broken", (json_int_t)r->broken);
	rc = pm_audit_log(db, "bill.dunning", object, NULL, b, e);
	json_decref(b);
	return rc;
}

int pm_dunning_run(struct pm_db *db, const struct pm_actor *a, struct pm_dunning_run *r, struct pm_err *e)
{
	struct plan p = {.actor = a};
	int rc;

	r->entered = r->queued = r->tasks = r->kept = r->broken = 0;
	if ((rc = plan_open(db, r->as_of, &p, e)) == PM_OK && (rc = pm_db_begin(db, e)) == PM_OK)
		rc = pm_db_end(db, run(db, &p, r, e), e);
	plan_close(&p);
	if (rc)
		r->entered = r->queued = r->tasks = r->kept = r->broken = 0;
	return rc;
}

/* ---- contacts ---- */

static int one_of(const char *s, const char *const *words)
{
	for (size_t i = 0; s && words[i]; i++)
		if (strcmp(s, words[i]) == 0)
			return 1;
	return 0;
}

int pm_contact_check(const struct pm_contact *c, struct pm_err *e)
{
	if (!one_of(c->by, pm_contact_means))
		return pm_err_set(e, PM_EUSAGE, _("--by: expected phone, visit or letter, not '%s'"), c->by ? c->by : "");
	if (!one_of(c->result, pm_contact_results))
		return pm_err_set(e, PM_EUSAGE, _("--result: expected promised, refused or unreachable, not '%s'"),
				  c->result ? c->result : "");
	if (!c->note || !*c->note)
		return pm_err_set(e, PM_EUSAGE, _("--note: say what was said"));
	if ((strcmp(c->result, "promised") == 0) != (c->promise >= 0))
		return pm_err_set(e, PM_EUSAGE, _("--promise-date goes with --result promised, and only with it"));
	return PM_OK;
}

static json_t *contact_json(sqlite3_stmt *st, void *rctx)
{
	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:o}", "type", "contact",
			 "id", (json_int_t)sqlite3_column_int64(st, 0), "unit", TEXT(st, 1), "by", TEXT(st, 2),
			 "result", TEXT(st, 3), "note", TEXT(st, 4), "promise_date", pm_db_json_text(st, 5),
			 "promise", pm_db_json_text(st, 6), "by_user", TEXT(st, 7),
			 "at", pm_db_json_time(st, 8, rctx));
}

static int collect(void *ctx, json_t *rec)
{
	json_t **out = ctx;

	*out = json_incref(rec);
	return PM_OK;
}

static int contact_add(struct pm_db *db, const struct pm_contact *c, json_t **out, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO collection_contact (unit_id, by_means, result, note, promise_date, promise, by_user, at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, CASE WHEN ?5 IS NULL THEN NULL ELSE 'pending' END, ?6, ?7)";
	static const char get[] =
		"SELECT c.id, u.code, c.by_means, c.result, c.note, c.promise_date, c.promise, c.by_user, c.at"
		" FROM collection_contact c JOIN unit u ON u.id = c.unit_id WHERE c.id = ?";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char day[PM_TIME_BUF], object[48];
	int64_t unit, id;

	if (!st || pm_unit_id(db, c->unit, &unit, e))
		return e->code;
	sqlite3_bind_int64(st, 1, unit);
	sqlite3_bind_text(st, 2, c->by, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->result, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c->note, -1, SQLITE_STATIC);
	if (c->promise >= 0)
		sqlite3_bind_text(st, 5, pm_date_fmt(c->promise, day), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, pm_db_actor(db), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, pm_now());
	if (pm_db_step_done(db, st, _("cannot record the contact"), e))
		return e->code;
	id = sqlite3_last_insert_rowid(pm_db_sqlite(db));
	if (!(st = pm_db_stmt(db, get, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	if (pm_db_each(db, st, contact_json, (void *)pm_db_tz(db), collect, out, _("cannot read contacts"), e))
		return e->code;
	snprintf(object, sizeof object, "unit:%s", c->unit);
	return pm_audit_log(db, "bill.contact", object, NULL, *out, e);
}

int pm_dunning_contact(struct pm_db *db, const struct pm_contact *c, json_t **out, struct pm_err *e)
{
	int rc;

	*out = NULL;
	if (pm_contact_check(c, e) || pm_db_begin(db, e))
		return e->code;
	if ((rc = pm_db_end(db, contact_add(db, c, out, e), e))) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- the report ---- */

static json_t *unit_json(sqlite3_stmt *st, void *rctx)
{
	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "type", "dunning_unit",
			 "unit", TEXT(st, 0), "bills", (json_int_t)sqlite3_column_int64(st, 1),
			 "owed_fen", (json_int_t)sqlite3_column_int64(st, 2),
			 "days", (json_int_t)sqlite3_column_int64(st, 3), "stage", pm_db_json_text(st, 4),
			 "entered", pm_db_json_text(st, 5), "last_contact", pm_db_json_time(st, 6, rctx),
			 "contact_by", pm_db_json_text(st, 7), "contact_result", pm_db_json_text(st, 8),
			 "promise_date", pm_db_json_text(st, 9), "promise", pm_db_json_text(st, 10));
}

int pm_dunning_each(struct pm_db *db, int32_t as_of, const char *unit, int (*fn)(void *ctx, json_t *rec),
		    void *ctx, struct pm_err *e)
{
	static const char sql[] =
		"SELECT u.code, o.bills, o.owed, o.days, d.stage, d.as_of, c.at, c.by_means, c.result,"
		" p.promise_date, p.promise FROM (SELECT b.unit_id, count(*) AS bills, sum(" OWED ") AS owed,"
		"  CAST(julianday(?1) - julianday(min(b.due)) AS INTEGER) AS days FROM bill b WHERE " PAST_DUE
		"  GROUP BY b.unit_id) o JOIN unit u ON u.id = o.unit_id"
		" LEFT JOIN dunning d ON d.id = (SELECT d2.id FROM dunning d2 JOIN bill b ON b.id = d2.bill_id"
		"  WHERE b.unit_id = o.unit_id AND " PAST_DUE " ORDER BY d2.seq DESC, d2.id DESC LIMIT 1)"
		" LEFT JOIN collection_contact c ON c.id = (SELECT max(id) FROM collection_contact WHERE unit_id = o.unit_id)"
		" LEFT JOIN collection_contact p ON p.id = (SELECT max(id) FROM collection_contact"
		"  WHERE unit_id = o.unit_id AND promise IS NOT NULL)"
		" WHERE ?2 IS NULL OR u.code = ?2 ORDER BY u.code";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char day[PM_TIME_BUF];
	int64_t id;

	if (!st || (unit && pm_unit_id(db, unit, &id, e)))
		return e->code;
	sqlite3_bind_text(st, 1, pm_date_fmt(as_of, day), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, unit, -1, SQLITE_STATIC);
	return pm_db_each(db, st, unit_json, (void *)pm_db_tz(db), fn, ctx, _("cannot read arrears"), e);
}

/* ---- the letter ---- */

struct letter {
	FILE *f;
	int64_t owed;
	long bills;
};

static int letter_bill(void *ctx, json_t *rec)
{
	struct letter *l = ctx;

	pm_html_fmt(l->f, "<tr><td>%s</td><td>%s</td><td>%s</td><td class=\"num\">%D</td><td class=\"num\">%M</td></tr>\n",
		    json_string_value(json_object_get(rec, "bill")), json_string_value(json_object_get(rec, "period")),
		    json_string_value(json_object_get(rec, "due")), (long long)json_integer_value(json_object_get(rec, "days")),
		    (int64_t)json_integer_value(json_object_get(rec, "owed_fen")));
	l->owed += json_integer_value(json_object_get(rec, "owed_fen"));
	l->bills++;
	return PM_OK;
}

static json_t *letter_row(sqlite3_stmt *st, void *rctx)
{
	(void)rctx;
	return json_pack("{s:s, s:s, s:s, s:I, s:I}", "bill", TEXT(st, 0), "period", TEXT(st, 1), "due", TEXT(st, 2),
			 "days", (json_int_t)sqlite3_column_int64(st, 3), "owed_fen", (json_int_t)sqlite3_column_int64(st, 4));
}

static int letter_line(void *ctx, json_t *rec)
{
	struct letter *l = ctx;
	const char *memo = json_string_value(json_object_get(rec, "memo"));
	char day[11];

	snprintf(day, sizeof day, "%s", json_string_value(json_object_get(rec, "at")));
	pm_html_fmt(l->f, "<tr><td>%s</td><td>%s</td><td>%s</td><td class=\"num\">%M</td><td class=\"num\">%M</td></tr>\n",
		    day, pm_bill_entry_name(json_string_value(json_object_get(rec, "kind"))),
		    memo ? memo : json_string_value(json_object_get(rec, "ref")),
		    (int64_t)json_integer_value(json_object_get(rec, "amount_fen")),
		    (int64_t)json_integer_value(json_object_get(rec, "balance_fen")));
	return PM_OK;
}

static int letter_bills(struct pm_db *db, const char *unit, int32_t as_of, struct letter *l, struct pm_err *e)
{
	static const char sql[] =
		"SELECT b.code, b.period, b.due, CAST(julianday(?1) - julianday(b.due) AS INTEGER), " OWED
		" FROM bill b JOIN unit u ON u.id = b.unit_id WHERE u.code = ?2 AND " PAST_DUE " ORDER BY b.period";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char day[PM_TIME_BUF];

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, pm_date_fmt(as_of, day), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, unit, -1, SQLITE_STATIC);
	return pm_db_each(db, st, letter_row, NULL, letter_bill, l, _("cannot read bills"), e);
}

static void letter_head(FILE *f, struct pm_config *cfg, const char *unit, const char *day)
{
	/* The desk opens it on a phone as well as printing it: laid out for
	 * the screen's width, not a desktop's shrunk. */
	pm_html_fmt(f, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
		       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		       "<title>催缴函 %s</title>\n", unit);
	fprintf(f, "<style>%s</style>\n</head>\n<body>\n<section class=\"notice\">\n<h1>催缴函</h1>\n", pm_notice_css());
	pm_html_fmt(f, "<p class=\"community\">%s</p>\n<p>%s 业主（住户）：</p>\n", pm_config_community_name(cfg), unit);
	pm_html_fmt(f, "<p>截至 %s，贵户下列物业服务费等费用已逾期未缴：</p>\n", day);
	fputs("<table class=\"lines\">\n<thead><tr><th>账单号</th><th>账期</th><th>缴费截止日期</th>"
	      "<th class=\"num\">逾期天数</th><th class=\"num\">欠费（元）</th></tr></thead>\n<tbody>\n", f);
}

static void letter_demand(FILE *f, int64_t owed, json_t *notice)
{
	char cap[PM_CAPITAL_BUF];
	const char *phone = json_string_value(json_object_get(notice, "phone"));

	pm_html_fmt(f, "</tbody>\n<tfoot><tr class=\"owed\"><td colspan=\"4\">合计欠费</td><td class=\"num\">%M</td></tr>\n"
		       "<tr class=\"owed\"><td>大写金额</td><td colspan=\"4\">人民币%s</td></tr></tfoot>\n</table>\n",
		    owed, pm_notice_capital(owed, cap));
	fputs("<p>根据《物业服务合同》的约定，业主应按时足额交纳物业服务费用。请贵户自收到本函之日起十五日内缴清上述欠费；"
	      "逾期仍未缴纳的，物业服务企业将依法追缴，由此产生的违约金及相关费用由贵户承担。</p>\n", f);
	pm_html_fmt(f, "<div class=\"pay\"><strong>缴费方式：</strong>%s",
		    json_string_value(json_object_get(notice, "how_to_pay")));
	if (phone)
		pm_html_fmt(f, "<br><strong>咨询电话：</strong>%s", phone);
	fputs("</div>\n<h2>对账单</h2>\n<table class=\"lines\">\n<thead><tr><th>日期</th><th>类别</th><th>摘要</th>"
	      "<th class=\"num\">金额</th><th class=\"num\">余额</th></tr></thead>\n<tbody>\n", f);
}

int pm_dunning_letter(struct pm_db *db, const char *unit, int32_t as_of, FILE *f, struct pm_err *e)
{
	struct letter l = {.f = f};
	struct pm_config *cfg;
	char day[PM_TIME_BUF];
	json_t *notice = NULL;
	FILE *bills;
	char *buf = NULL;
	size_t len = 0;
	int64_t id;
	int rc;

	if (pm_unit_id(db, unit, &id, e) || pm_config_current(db, as_of, &cfg, e))
		return e->code;
	if ((notice = pm_config_section(cfg, "notice")))
		json_incref(notice);
	else if (pm_config_defaults("notice", &notice, e)) {
		pm_config_free(cfg);
		return e->code;
	}
	/* The bills' rows first, to know there is a debt before a page. */
	if (!(bills = open_memstream(&buf, &len)))
		rc = pm_err_set(e, PM_EFAIL, _("out of memory"));
	else {
		l.f = bills;
		rc = letter_bills(db, unit, as_of, &l, e);
		fclose(bills);
	}
	if (rc == PM_OK && !l.bills)
		rc = pm_err_set(e, PM_EDATA, _("unit '%s' owes nothing past due on %s: no letter"), unit,
				pm_date_fmt(as_of, day));
	if (rc == PM_OK) {
		letter_head(f, cfg, unit, pm_date_fmt(as_of, day));
		fwrite(buf, 1, len, f);
		letter_demand(f, l.owed, notice);
		l.f = f;
		rc = pm_bill_statement(db, unit, INT32_MIN, as_of, letter_line, &l, e);
	}
	if (rc == PM_OK) {
		fputs("</tbody>\n</table>\n</section>\n</body>\n</html>\n", f);
		if (fflush(f) || ferror(f))
			rc = pm_err_set(e, PM_EIO, _("cannot write the letter"));
	}
	free(buf);
	json_decref(notice);
	pm_config_free(cfg);
	return rc;
}
