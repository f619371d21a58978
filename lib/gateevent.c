/* gateevent: what controllers and cameras report, kept once, alarms
 * raised, plates turned into parking sessions; and the events read back. */
#include <stdint.h>
#include <string.h>

#include "gate-internal.h"
#include "pm/config.h"
#include "pm/db.h"
#include "pm/gate.h"
#include "pm/i18n.h"
#include "pm/jsonl.h"
#include "pm/printq.h"
#include "pm/timeutil.h"

#define TEXT(st, i) ((const char *)sqlite3_column_text(st, i))

const char *const pm_event_outcome_names[] = {N_("inserted"), N_("duplicate"), NULL};

static const char *const kinds[] = {
	"entry", "exit", "card", "denied", "door_forced", "door_held_open", "tamper", "fire_alarm",
	"plate", NULL,
};

/* The fields that say who or what an event is about, in order, each
 * with what an empty or blank one is not: given, it names someone or
 * something, or the event would be kept as one about nobody. */
static const struct subject {
	const char *key, *none;
} subjects[] = {
	{"card", N_("'%s' is no card")},
	{"plate", N_("'%s' is no licence plate")},
	{"person", N_("'%s' is no person")},
	{NULL, NULL},
};

/* detail is the device's own object: its keys are not checked, so a
 * controller's extra data has somewhere to go without --ignore-unknown. */
const char *const pm_event_fields[] = {
	"gate", "ts", "event", "card", "plate", "person", "door", "direction", "detail", NULL,
};

struct pm_events {
	struct pm_db *db;
	struct pm_gate_config *gc;
	int64_t latest;     /* now plus meters.future_tolerance: no event after */
	int64_t kindless;   /* the last event stored before 0042 kept kinds, else INT64_MIN */
};

/* The time of the last event with a subject and no kind, stored before
 * 0042 (the index gate_event_kindless), else INT64_MIN. */
static int last_kindless(struct pm_db *db, int64_t *ts, struct pm_err *e)
{
	static const char sql[] = "SELECT max(ts) FROM gate_event WHERE subject_kind = '' AND subject <> ''";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	rc = sqlite3_step(st);
	*ts = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL ? sqlite3_column_int64(st, 0) : INT64_MIN;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot read events"));
}

int pm_events_open(struct pm_db *db, const struct pm_actor *a, struct pm_events **out,
		   struct pm_err *e)
{
	struct pm_events *ev;

	*out = NULL;
	if (pm_auth_check(a, "gate.ingest", e))
		return e->code;
	if (!(ev = calloc(1, sizeof *ev)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	ev->db = db;
	if (pm_gate_config_open(db, &ev->gc, e)) {
		free(ev);
		return e->code;
	}
	/* As pm-meter ingest refuses readings: a time far ahead of the clock
	 * would close a parking session decades on and bill for all of it. */
	if (pm_config_latest(db, &ev->latest, e) || last_kindless(db, &ev->kindless, e)) {
		pm_events_close(ev);
		return e->code;
	}
	*out = ev;
	return PM_OK;
}

void pm_events_close(struct pm_events *ev)
{
	if (!ev)
		return;
	pm_gate_config_free(ev->gc);
	free(ev);
}

static int known_kind(const char *s)
{
	for (int i = 0; kinds[i]; i++)
		if (strcmp(kinds[i], s) == 0)
			return 1;
	return 0;
}

static int is_one_of(const char *k, const char *const *words)
{
	for (; *words; words++)
		if (strcmp(k, *words) == 0)
			return 1;
	return 0;
}

/* The record's other fields as JSON text, or NULL when it has none. "type"
 * only routed the record here. */
static char *detail(json_t *rec, const char *subject_key, int *oom)
{
	static const char *const mine[] = {"gate", "ts", "event", "type", NULL};
	const char *k;
	json_t *v, *rest = NULL;
	char *text;

	*oom = 0;
	json_object_foreach(rec, k, v) {
		if (is_one_of(k, mine) || (subject_key && strcmp(k, subject_key) == 0))
			continue;
		if (!rest && !(rest = json_object())) {
			*oom = 1;
			return NULL;
		}
		json_object_set(rest, k, v);
	}
	if (!rest)
		return NULL;
	text = json_dumps(rest, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(rest);
	*oom = !text;
	return text;
}

/* Whether the text has a character that shows, other than a space. */
static int shows(const char *s)
{
	size_t len = strlen(s), k;
	unsigned cp;

	for (size_t i = 0; i < len; i += k)
		if (!(k = pm_utf8_next(s + i, len - i, &cp)) || (cp != ' ' && !pm_char_unshown(cp)))
			return 1;
	return 0;
}

struct event {
	const char *gate, *kind, *subject, *subject_key;
	char plate[64];
	int64_t ts;
};

static int read_event(struct pm_events *ev, json_t *rec, struct event *x, struct pm_err *e)
{
	json_t *g;

	memset(x, 0, sizeof *x);
	x->subject = "";
	if (pm_json_str(rec, "gate", PM_REQUIRED, &x->gate, e) ||
	    pm_json_time(rec, "ts", PM_REQUIRED, &x->ts, e) ||
	    pm_json_str(rec, "event", PM_REQUIRED, &x->kind, e))
		return e->code;
	if (pm_time_plausible(x->ts, ev->latest, _("field \"ts\""), ev->gc->tz, e))
		return e->code;
	if (!known_kind(x->kind))
		return pm_err_set(e, PM_EDATA, _("field \"event\": unknown event \"%s\": expected entry, exit, card,"
			" denied, door_forced, door_held_open, tamper, fire_alarm or plate"), x->kind);
	if (pm_gate_find(ev->gc, x->gate, &g, e))
		return pm_err_prefix(e, _("field \"gate\""));
	for (const struct subject *s = subjects; s->key; s++) {
		const char *v = NULL;

		if (pm_json_str(rec, s->key, PM_OPTIONAL, &v, e))
			return e->code;
		if (v && !shows(v)) {
			pm_err_set(e, PM_EDATA, _(s->none), v);
			return pm_err_prefix(e, _("field \"%s\""), s->key);
		}
		if (v && !x->subject_key) {
			x->subject = v;
			x->subject_key = s->key;
		}
	}
	if (x->subject_key && strcmp(x->subject_key, "plate") == 0) {
		if (gate_plate_norm(x->subject, x->plate, sizeof x->plate, e))
			return pm_err_prefix(e, _("field \"plate\""));
		x->subject = x->plate;
	}
	if (strcmp(x->kind, "plate") == 0 && !*x->plate)
		return pm_err_set(e, PM_EDATA, _("field \"plate\": a plate event needs the plate"));
	if (json_object_get(rec, "detail") && !json_is_object(json_object_get(rec, "detail")))
		return pm_err_set(e, PM_EDATA, _("field \"detail\": expected an object"));
	return PM_OK;
}

/* Whether x was stored before 0042, which kept no kind: then it is the
 * same event as x of any kind, so an event sent again after the upgrade
 * changes nothing (0047). +event: SQLite compares a bound event with the
 * partial indexes' 'entry' and 'exit' and prepares the statement again
 * at each new value (ingest of 20,000 events 300 M -> 1,250 M
 * instructions); the time and gate find the few rows. */
static int stored_kindless(struct pm_db *db, const struct event *x, int *yes, struct pm_err *e)
{
	static const char sql[] =
		"SELECT 1 FROM gate_event WHERE ts = ? AND gate = ? AND +event = ? AND subject = ? AND subject_kind = ''";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, x->ts);
	sqlite3_bind_text(st, 2, x->gate, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, x->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, x->subject, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	*yes = rc == SQLITE_ROW;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read events"));
}

/* x, kept once by its time, gate, kind, subject and the subject's kind:
 * a card and a plate of the same text are two events. */
static int insert(struct pm_events *ev, const struct event *x, const char *more, int *added,
		  struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO gate_event (ts, gate, event, subject, detail, subject_kind) VALUES (?, ?, ?, ?, ?, ?)"
		" ON CONFLICT DO NOTHING";
	struct pm_db *db = ev->db;
	sqlite3_stmt *st;
	int rc, old = 0;

	*added = 0;
	if (x->subject_key && x->ts <= ev->kindless && stored_kindless(db, x, &old, e))
		return e->code;
	if (old)
		return PM_OK;
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, x->ts);
	sqlite3_bind_text(st, 2, x->gate, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, x->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, x->subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, more, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, x->subject_key ? x->subject_key : "", -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot store the event"));
	*added = sqlite3_changes(pm_db_sqlite(db)) > 0;
	return PM_OK;
}

/* The alarm record of a new event whose kind the configuration gives a
 * severity, else NULL. */
static json_t *alarm_of(struct pm_events *ev, const struct event *x)
{
	const char *sev = json_string_value(json_object_get(ev->gc->alarms, x->kind));
	json_t *g = json_object_get(ev->gc->gates, x->gate);
	const char *name = json_string_value(json_object_get(g, "name"));

	/* A controller back on line sends what it kept: the guard is told
	 * that a door was forced hours ago, not sent running to it. */
	json_int_t late_after = json_integer_value(json_object_get(ev->gc->alarms, "late_after"));

	if (!sev || strcmp(sev, "none") == 0)
		return NULL;
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s?, s:s, s:s}", "type", "alarm",
		"gate", x->gate, "gate_name", name ? name : x->gate, "event", x->kind, "severity", sev,
		"ts", gate_time(x->ts, ev->gc->tz), "subject", *x->subject ? x->subject : NULL,
		"role", json_string_value(json_object_get(ev->gc->alarms, "role")),
		"arrival", pm_now() - x->ts > late_after ? "late" : "live");
}

int pm_events_record(struct pm_events *ev, json_t *rec, enum pm_event_outcome *did,
		     json_t **alarm, struct pm_err *e)
{
	struct event x;
	json_t *a;
	char *more;
	int added = 0, oom, rc;

	if (alarm)
		*alarm = NULL;
	if (read_event(ev, rec, &x, e))
		return e->code;
	more = detail(rec, x.subject_key, &oom);
	if (oom)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	rc = insert(ev, &x, more, &added, e);
	free(more);
	if (rc)
		return rc;
	*did = added ? PM_EVENT_INSERTED : PM_EVENT_DUPLICATE;
	if (!added)
		return PM_OK;
	if (*x.plate && (rc = parking_plate_event(ev->db, ev->gc, x.gate, x.kind, x.plate, x.ts, e)))
		return rc;
	if (alarm) {
		*alarm = alarm_of(ev, &x);
		return PM_OK;
	}
	/* Kept with its event, printed once both commit. */
	if (!(a = alarm_of(ev, &x)))
		return PM_OK;
	rc = pm_printq_add(ev->db, PM_PRINTQ_ALARM, a, e);
	json_decref(a);
	return rc;
}

/* ---- reading ---- */

static json_t *event_json(sqlite3_stmt *st, void *ctx)
{
	const char *tz = ctx;
	json_t *rec = json_pack("{s:s, s:o, s:s, s:s, s:s?, s:s?}", "type", "gate_event",
		"ts", gate_time(sqlite3_column_int64(st, 0), tz), "gate", TEXT(st, 1),
		"event", TEXT(st, 2), "subject", *TEXT(st, 3) ? TEXT(st, 3) : NULL,
		"subject_kind", TEXT(st, 5));
	json_t *more = TEXT(st, 4) ? json_loads(TEXT(st, 4), 0, NULL) : NULL;

	if (rec && json_is_object(more))
		json_object_update_missing(rec, more);
	json_decref(more);
	return rec;
}

int pm_events_each(struct pm_db *db, const struct pm_actor *a, const char *gate, int64_t since,
		   const char *kind, int (*fn)(void *ctx, json_t *rec), void *ctx,
		   struct pm_err *e)
{
	static const char sql[] =
		"SELECT ts, gate, event, subject, detail, nullif(subject_kind, '') FROM gate_event WHERE ts >= ?1"
		" AND (?2 IS NULL OR gate = ?2) AND (?3 IS NULL OR event = ?3) ORDER BY ts, gate, event, subject, subject_kind";
	sqlite3_stmt *st;

	if (pm_auth_check(a, "gate.read", e))
		return e->code;
	if (kind && !known_kind(kind))
		return pm_err_set(e, PM_EUSAGE, _("unknown event '%s': expected entry, exit, card, denied,"
			" door_forced, door_held_open, tamper, fire_alarm or plate"), kind);
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_text(st, 2, gate, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	return pm_db_each(db, st, event_json, (void *)pm_db_tz(db), fn, ctx, _("cannot read events"), e);
}
