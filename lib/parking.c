/* parking: the visitors' fee rule, vehicles, sessions from plate events,
 * payments, and reservations of spaces and charging piles. */
#include <string.h>

#include "gate-internal.h"
#include "pm/audit.h"
#include "pm/community.h"
#include "pm/config.h"
#include "pm/ledger.h"
#include "pm/reward.h"
#include "pm/db.h"
#include "pm/bill.h"
#include "pm/i18n.h"
#include "pm/money.h"
#include "pm/parking.h"
#include "pm/shopcart.h"
#include "pm/timeutil.h"

#define TEXT(st, i) ((const char *)sqlite3_column_text(st, i))

/* ---- the fee rule ---- */

static int64_t num(json_t *o, const char *key, int64_t dflt)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

void pm_parking_rule_from(json_t *parking, struct pm_parking_rule *r)
{
	json_t *night = json_object_get(parking, "overnight");

	memset(r, 0, sizeof *r);
	r->free = num(parking, "free", 900);
	r->hourly_fen = num(parking, "hourly", 0);
	r->cap_fen = num(parking, "daily_cap", -1);
	if ((r->night = night != NULL)) {
		r->night_from = num(night, "from", 0);
		r->night_to = num(night, "to", 0);
		r->night_fen = num(night, "price", 0);
	}
}

static int64_t capped(const struct pm_parking_rule *r, int64_t sum)
{
	return r->cap_fen >= 0 && sum > r->cap_fen ? r->cap_fen : sum;
}

/* A night across midnight counts for the day it began. */
static int night_crosses(const struct pm_parking_rule *r)
{
	return r->night && r->night_from > r->night_to;
}

/* Each started hour falls to a day, whose charges are capped together:
 * the day's own hours, or from the end of the night that crosses into
 * it to the end of the next (07:00 to 07:00), so a night is its
 * evening's. Where that day's hours start, by the wall clock. */
static int64_t day_start(const struct pm_parking_rule *r, int32_t day, const char *tz)
{
	return pm_time_at(day, night_crosses(r) ? (int32_t)r->night_to : 0, tz);
}

static int32_t day_of(const struct pm_parking_rule *r, int64_t t, const char *tz)
{
	int32_t day = pm_date_of(t, tz);

	return night_crosses(r) && pm_time_of_day(t, tz) < r->night_to ? day - 1 : day;
}

/* How many of the hours started at entry, entry + 1 h, ... start in
 * [a, b), a at or after entry. */
static int64_t hours_in(int64_t entry, int64_t a, int64_t b)
{
	return b <= a ? 0 : (b - entry + 3599) / 3600 - (a - entry + 3599) / 3600;
}

/* The hours started in [a, b), all of them day's: each at the hourly
 * price, those in its night window at the night's price once. */
static int64_t day_sum(const struct pm_parking_rule *r, const char *tz, int32_t day, int64_t entry,
		       int64_t a, int64_t b)
{
	int64_t all = hours_in(entry, a, b), nf, nt, night;

	if (!r->night)
		return capped(r, all * r->hourly_fen);
	nf = pm_time_at(day, (int32_t)r->night_from, tz);
	nt = night_crosses(r) ? day_start(r, day + 1, tz) : pm_time_at(day, (int32_t)r->night_to, tz);
	night = hours_in(entry, a > nf ? a : nf, b < nt ? b : nt);
	return capped(r, (all - night) * r->hourly_fen + (night ? r->night_fen : 0));
}

/* Whether every whole day costs the cap: its daytime hours alone reach
 * it even two short (a clock change, and where the hours start). */
static int whole_days_capped(const struct pm_parking_rule *r)
{
	int64_t night = r->night ? (r->night_to - r->night_from + 86400) % 86400 : 0;
	int64_t hours = (86400 - night) / 3600 - 2;

	return r->cap_fen >= 0 && hours > 0 && hours * r->hourly_fen >= r->cap_fen;
}

/* The first and last days whole, each by its own bounds; the days
 * between them whole, the cap each when that is what any whole day costs,
 * so a stay of years is as quick as one of hours. */
int64_t pm_parking_fee(const struct pm_parking_rule *r, const char *tz, int64_t entry,
		       int64_t leave)
{
	int64_t end, total;
	int32_t first, last;

	if (leave - entry <= r->free)
		return 0;
	end = entry + (leave - entry + 3599) / 3600 * 3600;
	first = day_of(r, entry, tz);
	last = day_of(r, end - 3600, tz);
	if (first == last)
		return day_sum(r, tz, first, entry, entry, end);
	total = day_sum(r, tz, first, entry, entry, day_start(r, first + 1, tz)) +
		day_sum(r, tz, last, entry, day_start(r, last, tz), end);
	if (whole_days_capped(r))
		return total + (int64_t)(last - first - 1) * r->cap_fen;
	for (int32_t d = first + 1; d < last; d++)
		total += day_sum(r, tz, d, entry, day_start(r, d, tz), day_start(r, d + 1, tz));
	return total;
}

/* ---- vehicles ---- */

static int unit_id(struct pm_db *db, const char *unit, int64_t *id, struct pm_err *e)
{
	static const char sql[] = "SELECT id FROM unit WHERE code = ?";
	sqlite3_stmt *st;
	int rc;

	if ((rc = pm_db_row(db, sql, unit, &st, N_("cannot read units"), e)) < 0)
		return -rc;
	if (!rc)
		return pm_err_set(e, PM_EDATA, _("no unit '%s'"), unit);
	*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return PM_OK;
}

static int check_vehicle(const char *kind, const char *until, struct pm_err *e)
{
	int32_t day;

	if (strcmp(kind, "owned") && strcmp(kind, "monthly"))
		return pm_err_set(e, PM_EUSAGE, _("unknown kind '%s': expected owned or monthly"), kind);
	if (strcmp(kind, "monthly") == 0 && !until)
		return pm_err_set(e, PM_EUSAGE, _("a monthly pass needs --until, its last day"));
	if (until && pm_date_parse(until, &day, e))
		return e->code;
	return PM_OK;
}

/* The plate's row registered at now (PM_VEHICLE_ON), another unit's
 * first: 1 with its id, unit and end (0: none set), 0 when there is
 * none, or -code. */
static int vehicle_held(struct pm_db *db, const char *plate, int64_t unit, int64_t now, int64_t *id,
			int64_t *holder, int64_t *removed, struct pm_err *e)
{
	static const char sql[] =
		"SELECT id, unit_id, coalesce(removed_at, 0) FROM vehicle v WHERE v.plate = ?1 AND " PM_VEHICLE_ON("v", "?2")
		" ORDER BY v.unit_id = ?3, v.removed_at IS NOT NULL LIMIT 1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return -e->code;
	sqlite3_bind_text(st, 1, plate, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, unit);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		*holder = sqlite3_column_int64(st, 1);
		*removed = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -pm_db_fail(db, e, _("cannot read vehicles"));
	return rc == SQLITE_ROW;
}

int pm_vehicle_add(struct pm_db *db, const struct pm_actor *a, const char *plate,
		   const char *unit, const char *kind, const char *space, const char *until,
		   struct pm_err *e)
{
	static const char insert_sql[] =
		"INSERT INTO vehicle (plate, unit_id, kind, space, valid_until, created_at, updated_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)";
	/* The unit's own row kept, a removal ahead of it (a sale dated
	 * ahead) called off: a second row would register the plate twice
	 * over the same time. */
	static const char update_sql[] =
		"UPDATE vehicle SET kind = ?3, space = ?4, valid_until = ?5, removed_at = NULL, updated_at = ?6"
		" WHERE id = ?1 AND unit_id = ?2";
	int64_t now = pm_now(), uid = 0, id = 0, holder = 0, removed = 0;
	json_t *after;
	sqlite3_stmt *st;
	char p[64];
	int held;

	if (pm_auth_check(a, "parking.write", e) || gate_plate_norm(plate, p, sizeof p, e) ||
	    check_vehicle(kind, until, e) || unit_id(db, unit, &uid, e) || pm_db_begin(db, e))
		return e->code;
	/* Not while another unit has it registered: one whose removal is
	 * still ahead (a sale dated ahead) has it until then. */
	if ((held = vehicle_held(db, p, uid, now, &id, &holder, &removed, e)) < 0)
		goto fail;
	if (held && holder != uid) {
		pm_err_set(e, PM_EDATA, _("plate %s is registered to another unit: remove it there first"), p);
		goto fail;
	}
	if (!(st = pm_db_stmt(db, held ? update_sql : insert_sql, e)))
		goto fail;
	if (held)
		sqlite3_bind_int64(st, 1, id);
	else
		sqlite3_bind_text(st, 1, p, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, uid);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, space, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, until, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, now);
	if (pm_db_step_done(db, st, _("cannot store the vehicle"), e))
		goto fail;
	after = json_pack("{s:s, s:s, s:s?, s:s?}", "plate", p, "kind", kind, "space", space, "until", until);
	if (after && removed)
		json_object_set_new(after, "removal_cancelled", gate_time(removed, pm_db_tz(db)));
	if (gate_audit(db, "vehicle.add", "unit", uid, after, e))
		goto fail;
	return pm_db_commit(db, e);
fail:
	pm_db_rollback(db);
	return e->code;
}

int pm_vehicle_remove(struct pm_db *db, const struct pm_actor *a, const char *plate,
		      struct pm_err *e)
{
	static const char sql[] =
		"UPDATE vehicle SET removed_at = ?2, updated_at = ?2 WHERE plate = ?1 AND " PM_VEHICLE_ON("vehicle", "?2")
		" RETURNING unit_id";
	sqlite3_stmt *st;
	int64_t uid = 0;
	char p[64];
	int rc;

	if (pm_auth_check(a, "parking.write", e) || gate_plate_norm(plate, p, sizeof p, e) ||
	    pm_db_begin(db, e))
		return e->code;
	if (!(st = pm_db_stmt(db, sql, e)))
		goto fail;
	sqlite3_bind_text(st, 1, p, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, pm_now());
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		uid = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE) {
		pm_err_set(e, PM_EDATA, _("no vehicle %s"), p);
		goto fail;
	}
	if (rc != SQLITE_ROW) {
		pm_db_fail(db, e, _("cannot remove the vehicle"));
		goto fail;
	}
	if (gate_audit(db, "vehicle.remove", "unit", uid, json_pack("{s:s}", "plate", p), e))
		goto fail;
	return pm_db_commit(db, e);
fail:
	pm_db_rollback(db);
	return e->code;
}

static json_t *vehicle_json(sqlite3_stmt *st, void *ctx)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:o}", "type", "vehicle", "plate", TEXT(st, 0),
			 "unit", TEXT(st, 1), "kind", TEXT(st, 2), "space", TEXT(st, 3), "until", TEXT(st, 4),
			 "removed", gate_time(sqlite3_column_int64(st, 5), ctx));
}

int pm_vehicle_each(struct pm_db *db, const struct pm_actor *a, const char *unit, int all,
		    int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e)
{
	static const char sql[] =
		"SELECT v.plate, u.code, v.kind, v.space, v.valid_until, coalesce(v.removed_at, 0) FROM vehicle v"
		" JOIN unit u ON u.id = v.unit_id WHERE (?2 OR " PM_VEHICLE_ON("v", "?3") ") AND (?1 IS NULL OR u.code = ?1)"
		" ORDER BY u.code, v.plate, v.removed_at IS NOT NULL, v.removed_at";
	sqlite3_stmt *st;

	if (gate_may(db, a, "parking.read", unit, e) || !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, all);
	sqlite3_bind_int64(st, 3, pm_now());
	return pm_db_each(db, st, vehicle_json, (void *)pm_db_tz(db), fn, ctx, _("cannot read vehicles"), e);
}

/* ---- sessions ---- */

static int resident(struct pm_db *db, const char *plate, int64_t at, const char *tz, int *yes,
		    struct pm_err *e)
{
	static const char sql[] =
		"SELECT 1 FROM vehicle WHERE plate = ?1 AND " PM_VEHICLE_ON("vehicle", "?3")
		" AND (valid_until IS NULL OR valid_until >= ?2)";
	char day[PM_TIME_BUF];
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, plate, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, pm_date_fmt(pm_date_of(at, tz), day), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, at);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	*yes = rc == SQLITE_ROW;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read vehicles"));
}

struct session {
	int64_t id, entry, exit, fee, paid, paid_at;
	int64_t refund; /* closed: what was paid beyond its fee, owed back */
	int64_t earlier; /* what the plate owes from its other stays, closed */
	int64_t free_from, free_until; /* open: when it was free (resident_span) */
	int resident, open;
	char plate[64], entry_gate[32];
};

#define SESSION_COLS \
	"SELECT s.id, s.entry_ts, coalesce(s.exit_ts, 0), coalesce(s.fee_fen, 0), s.paid_fen," \
	" coalesce(s.paid_at, 0), s.resident, s.exit_ts IS NULL, s.plate, s.entry_gate, s.refund_fen"

static void session_read(sqlite3_stmt *st, struct session *s)
{
	s->id = sqlite3_column_int64(st, 0);
	s->entry = sqlite3_column_int64(st, 1);
	s->exit = sqlite3_column_int64(st, 2);
	s->fee = sqlite3_column_int64(st, 3);
	s->paid = sqlite3_column_int64(st, 4);
	s->paid_at = sqlite3_column_int64(st, 5);
	s->resident = sqlite3_column_int(st, 6);
	s->open = sqlite3_column_int(st, 7);
	s->earlier = 0;
	snprintf(s->plate, sizeof s->plate, "%s", TEXT(st, 8));
	snprintf(s->entry_gate, sizeof s->entry_gate, "%s", TEXT(st, 9));
	s->refund = sqlite3_column_int64(st, 10);
}

/* When the stay s, open, was free: from its entry for a resident's car,
 * else from when the car was first registered after it came in (pm-gate
 * vehicle add while it is inside), to when that ends: as its monthly
 * pass's last day (--until) ends, the next day's first moment in the
 * community's zone, or as its vehicle is removed (PM_VEHICLE_ON's end, a
 * sale's day too), whichever is first; never when neither is. The car
 * registered with no end is the one that made it free, else the one
 * removed last. A visitor's stay with no such time is free at no time. */
static int resident_span(struct pm_db *db, struct session *s, struct pm_err *e)
{
	static const char from_sql[] =
		"SELECT coalesce(min(created_at), 0) FROM vehicle WHERE plate = ?1 AND created_at > ?2";
	static const char end_sql[] =
		"SELECT coalesce(removed_at, 9223372036854775807), valid_until FROM vehicle WHERE plate = ?1"
		" AND coalesce(removed_at, 9223372036854775807) > ?2 ORDER BY removed_at IS NOT NULL, removed_at DESC LIMIT 1";
	char until[PM_TIME_BUF] = "";
	int32_t day = 0;
	int64_t from = s->entry, end;
	sqlite3_stmt *st;
	int rc;

	s->free_from = s->free_until = INT64_MAX;
	if (!s->open)
		return PM_OK;
	if (!s->resident) {
		if (!(st = pm_db_stmt(db, from_sql, e)))
			return e->code;
		sqlite3_bind_text(st, 1, s->plate, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, s->entry);
		if (pm_db_int64(db, st, &from, N_("cannot read vehicles"), e))
			return e->code;
		if (!from)
			return PM_OK;
	}
	s->free_from = s->free_until = from;
	if (!(st = pm_db_stmt(db, end_sql, e)))
		return e->code;
	sqlite3_bind_text(st, 1, s->plate, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, from);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		s->free_until = sqlite3_column_int64(st, 0);
		snprintf(until, sizeof until, "%s", TEXT(st, 1) ? TEXT(st, 1) : "");
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read vehicles"));
	if (*until && pm_date_parse(until, &day, e))
		return e->code;
	if (*until && (end = pm_date_start(day + 1, pm_db_tz(db))) < s->free_until)
		s->free_until = end;
	if (s->free_until <= from)
		s->free_from = s->free_until = s->resident ? s->entry : INT64_MAX;
	return PM_OK;
}

/* The plate's open session, else with closed its last one that owes:
 * 1 found, 0 none, or -code. */
static int session_find(struct pm_db *db, const char *plate, int closed, struct session *s,
			struct pm_err *e)
{
	static const char open_sql[] = SESSION_COLS
		" FROM parking_session s WHERE s.plate = ?1 AND s.exit_ts IS NULL";
	static const char owing_sql[] = SESSION_COLS
		" FROM parking_session s WHERE s.plate = ?1 AND s.exit_ts IS NOT NULL AND s.fee_fen > s.paid_fen"
		" ORDER BY s.exit_ts DESC LIMIT 1";
	sqlite3_stmt *st;
	int rc = pm_db_row(db, open_sql, plate, &st, N_("cannot read parking sessions"), e);

	if (rc == 0 && closed)
		rc = pm_db_row(db, owing_sql, plate, &st, N_("cannot read parking sessions"), e);
	if (rc == 1) {
		session_read(st, s);
		sqlite3_reset(st);
		if (resident_span(db, s, e))
			return -e->code;
	}
	return rc;
}

/* What the plate owes from its stays other than s, closed: a debt stays
 * with the plate, so a car back inside pays it to leave. */
static int earlier_debt(struct pm_db *db, struct session *s, struct pm_err *e)
{
	static const char sql[] =
		"SELECT coalesce(sum(fee_fen - paid_fen), 0) FROM parking_session"
		" WHERE plate = ?1 AND id <> ?2 AND exit_ts IS NOT NULL AND fee_fen > paid_fen";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, s->plate, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, s->id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return pm_db_fail(db, e, _("cannot read parking sessions"));
	}
	s->earlier = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return PM_OK;
}

/* What the stay s, open, costs leaving at at: the time it was not free
 * (resident_span), each part as a visitor's that came in at its start: a
 * car registered while inside pays up to then, a car whose registration
 * ended while inside pays from then. Never more than a visitor's for the
 * whole stay: two parts of one day, each capped, would pass the daily
 * cap. */
static int64_t charge(const struct pm_parking_rule *r, const char *tz, const struct session *s, int64_t at)
{
	int64_t before = at < s->free_from ? at : s->free_from, parts;

	parts = (before > s->entry ? pm_parking_fee(r, tz, s->entry, before) : 0) +
		(at > s->free_until ? pm_parking_fee(r, tz, s->free_until, at) : 0);
	if (before > s->entry && at > s->free_until) {
		int64_t whole = pm_parking_fee(r, tz, s->entry, at);

		return parts < whole ? parts : whole;
	}
	return parts;
}

/* What the session owes to leave at time at (or owes, once closed). A
 * payment that settled all that was due buys the free minutes again:
 * leaving within them, the stay costs what was paid. */
static int64_t due(const struct pm_parking_rule *r, const char *tz, const struct session *s,
		   int64_t at, int64_t *fee)
{
	int64_t d;

	if (!s->open) {
		*fee = s->fee;
		return s->fee > s->paid ? s->fee - s->paid : 0;
	}
	if (s->paid > 0 && at >= s->paid_at && at - s->paid_at <= r->free &&
	    charge(r, tz, s, s->paid_at) <= s->paid) {
		*fee = s->paid;
		return 0;
	}
	*fee = charge(r, tz, s, at);
	d = *fee - s->paid;
	return d > 0 ? d : 0;
}

/* The time and gate of the plate's event that sql (?1 the plate, ?2 ts)
 * finds: 1 with them, 0 when there is none, or -code. */
static int plate_event(struct pm_db *db, const char *sql, const char *plate, int64_t ts, int64_t *at,
		       char gate[32], struct pm_err *e)
{
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return -e->code;
	sqlite3_bind_text(st, 1, plate, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, ts);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*at = sqlite3_column_int64(st, 0);
		snprintf(gate, 32, "%s", TEXT(st, 1));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -pm_db_fail(db, e, _("cannot read events"));
	return rc == SQLITE_ROW;
}

/* The earliest exit of the plate at or after ts and before its next stay,
 * that closed no stay (plate_event), not a card's of the same text. An
 * exit read before its entry (a controller uploading its backlog, a
 * broker's redelivery) is kept in gate_event for its entry. */
static int unpaired_exit(struct pm_db *db, const char *plate, int64_t ts, int64_t *at,
			 char gate[32], struct pm_err *e)
{
	static const char sql[] =
		"SELECT x.ts, x.gate FROM gate_event x WHERE x.event = 'exit' AND x.subject = ?1 AND x.ts >= ?2"
		" AND x.subject_kind IS NOT 'card'"
		" AND x.ts < coalesce((SELECT min(entry_ts) FROM parking_session WHERE plate = ?1 AND entry_ts > ?2),"
		"  9223372036854775807)"
		" AND NOT EXISTS (SELECT 1 FROM parking_session s WHERE s.plate = ?1 AND s.exit_ts = x.ts)"
		" ORDER BY x.ts LIMIT 1";

	return plate_event(db, sql, plate, ts, at, gate, e);
}

/* The plate's last entry at or before ts, when it falls in no stay of the
 * plate (plate_event): an entry read after a later stay of the plate
 * (open_session) opened none and waits in gate_event for its exit. A
 * second entry while the car is inside falls in that stay. */
static int waiting_entry(struct pm_db *db, const char *plate, int64_t ts, int64_t *at,
			 char gate[32], struct pm_err *e)
{
	static const char sql[] =
		"SELECT y.ts, y.gate FROM (SELECT ts, gate FROM gate_event WHERE event = 'entry'"
		" AND subject_kind IS NOT 'card' AND subject = ?1 AND ts <= ?2 ORDER BY ts DESC LIMIT 1) y WHERE NOT EXISTS (SELECT 1 FROM parking_session s"
		" WHERE s.plate = ?1 AND s.entry_ts <= y.ts AND coalesce(s.exit_ts, 9223372036854775807) >= y.ts)";

	return plate_event(db, sql, plate, ts, at, gate, e);
}

/* What the stay s, open, costs leaving at ts. */
static int64_t stay_fee(const struct pm_gate_config *gc, const struct session *s, int64_t ts)
{
	struct pm_parking_rule r;
	int64_t fee;

	pm_parking_rule_from(gc->parking, &r);
	due(&r, gc->tz, s, ts, &fee);
	return fee;
}

/* A stay from an entry: closed at once by an exit read before it, else
 * open. A car is inside once: a second entry while it is opens nothing,
 * and so does one read late inside a stay a later exit has closed (a
 * second camera's read of the same arrival): stays never overlap. An
 * entry before a stay of the plate already stored is an earlier visit
 * read late (a controller's backlog while the car is inside again, or
 * after it has left again): with no exit yet it opens nothing, and waits
 * for its exit (close_session). */
static int open_session(struct pm_db *db, struct pm_gate_config *gc, const char *gate,
			const char *plate, int64_t ts, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO parking_session (plate, entry_ts, entry_gate, resident, exit_ts, exit_gate, fee_fen,"
		" created_at, updated_at) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8 WHERE (?5 IS NOT NULL"
		" OR NOT EXISTS (SELECT 1 FROM parking_session WHERE plate = ?1 AND entry_ts > ?2))"
		" AND NOT EXISTS (SELECT 1 FROM parking_session WHERE plate = ?1 AND entry_ts <= ?2 AND exit_ts >= ?2)"
		" ON CONFLICT DO NOTHING";
	struct session s = {.entry = ts, .open = 1};
	char out_gate[32];
	int64_t out = 0;
	sqlite3_stmt *st;
	int paired;

	snprintf(s.plate, sizeof s.plate, "%s", plate);
	if ((paired = unpaired_exit(db, plate, ts, &out, out_gate, e)) < 0 ||
	    resident(db, plate, ts, gc->tz, &s.resident, e) || (paired && resident_span(db, &s, e)) ||
	    !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_text(st, 1, plate, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, ts);
	sqlite3_bind_text(st, 3, gate, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, s.resident);
	if (paired) {
		sqlite3_bind_int64(st, 5, out);
		sqlite3_bind_text(st, 6, out_gate, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 7, stay_fee(gc, &s, out));
	}
	sqlite3_bind_int64(st, 8, pm_now());
	return pm_db_step_done(db, st, _("cannot open a parking session"), e);
}

/* The plate's stay that ts falls in, closed by a later exit: 1 with it
 * in s, open again to be priced leaving at ts, and that exit's gate; 0
 * when there is none, or -code. */
static int closed_later(struct pm_db *db, const char *plate, int64_t ts, struct session *s,
			char gate[32], struct pm_err *e)
{
	static const char sql[] = SESSION_COLS ", coalesce(s.exit_gate, '') FROM parking_session s"
		" WHERE s.plate = ?1 AND s.entry_ts <= ?2 AND s.exit_ts > ?2 ORDER BY s.entry_ts DESC LIMIT 1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return -e->code;
	sqlite3_bind_text(st, 1, plate, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, ts);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		session_read(st, s);
		snprintf(gate, 32, "%s", TEXT(st, 11));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -pm_db_fail(db, e, _("cannot read parking sessions"));
	if (rc == SQLITE_DONE)
		return 0;
	s->open = 1;
	return resident_span(db, s, e) ? -e->code : 1;
}

/* The stay s, open, closed at ts through gate and priced. Closed again
 * at an earlier exit after it was paid, it may cost less than was paid:
 * the rest is a refund due (refund_fen), fee and refund summing to what
 * was paid. */
static int stay_close(struct pm_db *db, struct pm_gate_config *gc, const struct session *s,
		      const char *gate, int64_t ts, struct pm_err *e)
{
	static const char sql[] =
		"UPDATE parking_session SET exit_ts = ?2, exit_gate = ?3, fee_fen = ?4, updated_at = ?5,"
		" refund_fen = max(paid_fen - ?4, 0) WHERE id = ?1";
	int64_t fee = stay_fee(gc, s, ts);
	sqlite3_stmt *st;
	int rc;

	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, s->id);
	sqlite3_bind_int64(st, 2, ts);
	sqlite3_bind_text(st, 3, gate, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, fee);
	sqlite3_bind_int64(st, 5, pm_now());
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot close a parking session"));
}

static int close_session(struct pm_db *db, struct pm_gate_config *gc, const char *gate,
			 const char *plate, int64_t ts, struct pm_err *e)
{
	struct session s;
	char in_gate[32], out_gate[32];
	int64_t in, out;
	int rc;

	if ((rc = session_find(db, plate, 0, &s, e)) < 0)
		return -rc;
	if (rc > 0 && ts >= s.entry)
		return stay_close(db, gc, &s, gate, ts, e);
	/* An exit inside a stay a later exit closed (a duplicate or a backlog
	 * read late) is the earliest after the entry: it closes the stay, as
	 * read in order, and the later exit is then one after the stay,
	 * paired as if read now. */
	if ((rc = closed_later(db, plate, ts, &s, out_gate, e)) < 0)
		return -rc;
	if (rc > 0) {
		out = s.exit;
		if (stay_close(db, gc, &s, gate, ts, e))
			return e->code;
		return close_session(db, gc, out_gate, plate, out, e);
	}
	/* An exit with no stay inside before it is an earlier stay's: an
	 * entry waiting for it opens that stay now, closed by the earliest
	 * exit after it (this one); else it waits in gate_event for that
	 * stay's entry (open_session). */
	if ((rc = waiting_entry(db, plate, ts, &in, in_gate, e)) <= 0)
		return -rc;
	return open_session(db, gc, in_gate, plate, in, e);
}

int parking_plate_event(struct pm_db *db, struct pm_gate_config *gc, const char *gate,
			const char *event, const char *plate, int64_t ts, struct pm_err *e)
{
	if (strcmp(event, "entry") == 0)
		return open_session(db, gc, gate, plate, ts, e);
	if (strcmp(event, "exit") == 0)
		return close_session(db, gc, gate, plate, ts, e);
	return PM_OK;
}

/* owed is what the session owes; due_fen adds what the plate owes from
 * its earlier stays. */
static json_t *fee_json(const struct session *s, int64_t at, int64_t fee, int64_t owed,
			const char *tz)
{
	int64_t end = s->open ? at : s->exit;

	return json_pack("{s:s, s:s, s:I, s:o, s:o, s:I, s:b, s:I, s:I, s:I, s:I, s:I}", "type", "parking_fee",
		"plate", s->plate, "session", (json_int_t)s->id, "entry", gate_time(s->entry, tz),
		"at", gate_time(end, tz), "minutes", (json_int_t)((end - s->entry) / 60),
		"resident", s->resident, "fee_fen", (json_int_t)fee, "paid_fen", (json_int_t)s->paid,
		"due_fen", (json_int_t)(owed + s->earlier), "earlier_fen", (json_int_t)s->earlier,
		"refund_fen", (json_int_t)(s->open ? 0 : s->refund));
}

static int load_rule(struct pm_db *db, struct pm_parking_rule *r, struct pm_err *e)
{
	struct pm_gate_config *gc;

	if (pm_gate_config_open(db, &gc, e))
		return e->code;
	pm_parking_rule_from(gc->parking, r);
	pm_gate_config_free(gc);
	return PM_OK;
}

/* The plate's session (open, or closed and owing) as of time at, with
 * what its earlier stays owe. */
static int plate_session(struct pm_db *db, const char *plate, int64_t at, struct session *s,
			 struct pm_err *e)
{
	int rc;

	if ((rc = session_find(db, plate, 1, s, e)) < 0)
		return -rc;
	if (!rc)
		return pm_err_set(e, PM_EDATA, _("plate %s is not parked here and owes nothing"), plate);
	if (s->open && at < s->entry)
		return pm_err_set(e, PM_EDATA, _("plate %s entered after that time"), plate);
	return earlier_debt(db, s, e);
}

int pm_parking_fee_due(struct pm_db *db, const struct pm_actor *a, const char *plate, int64_t at,
		       json_t **out, struct pm_err *e)
{
	struct pm_parking_rule r;
	struct session s;
	int64_t fee, owed;
	char p[64];

	*out = NULL;
	if (gate_may(db, a, "parking.read", NULL, e) || gate_plate_norm(plate, p, sizeof p, e) ||
	    plate_session(db, p, at, &s, e) || load_rule(db, &r, e))
		return e->code;
	owed = due(&r, pm_db_tz(db), &s, at, &fee);
	*out = fee_json(&s, at, fee, owed, pm_db_tz(db));
	return PM_OK;
}

/* Whether the payment read in st (its discount's unit and points in
 * columns 12 and 13) was paid as this one is: in money (unit NULL), or
 * in the same unit's same points. */
static int paid_alike(sqlite3_stmt *st, const char *ref, const char *unit, int64_t points, struct pm_err *e)
{
	const char *had = (const char *)sqlite3_column_text(st, 12);
	long long was = sqlite3_column_int64(st, 13);

	if (!had && !unit)
		return PM_OK;
	if (!had)
		return pm_err_set(e, PM_EDATA, _("payment '%s' was paid in money: not %lld points of '%s'"), ref,
				  (long long)points, unit);
	if (!unit)
		return pm_err_set(e, PM_EDATA, _("payment '%s' was %lld points of unit '%s': not a payment in money"), ref,
				  was, had);
	if (strcmp(had, unit) || was != points)
		return pm_err_set(e, PM_EDATA, _("payment '%s' was %lld points of unit '%s': not %lld points of '%s'"), ref,
				  was, had, (long long)points, unit);
	return PM_OK;
}

/* The session ref paid for, when ref was recorded already for this plate
 * and amount, paid alike (unit's points, or money when unit is NULL) (1),
 * or 0 when it is new; PM_EDATA when it was used for something else. */
static int seen_ref(struct pm_db *db, const char *ref, const char *plate, int64_t amount, const char *unit,
		    int64_t points, struct session *s, struct pm_err *e)
{
	static const char sql[] = SESSION_COLS
		", p.amount_fen, u.code, d.points FROM parking_payment p JOIN parking_session s ON s.id = p.session_id"
		" LEFT JOIN parking_discount d ON d.payment_id = p.id LEFT JOIN unit u ON u.id = d.unit_id"
		" WHERE p.ref = ?";
	sqlite3_stmt *st;
	int rc = pm_db_row(db, sql, ref, &st, N_("cannot read parking payments"), e), same;

	if (rc <= 0)
		return rc;
	session_read(st, s);
	same = strcmp(s->plate, plate) == 0 && sqlite3_column_int64(st, 11) == amount;
	rc = same ? paid_alike(st, ref, unit, points, e) : PM_OK;
	sqlite3_reset(st);
	if (!same)
		return -pm_err_set(e, PM_EDATA, _("payment '%s' was recorded for another plate or amount"), ref);
	if (rc || (rc = resident_span(db, s, e)))
		return -rc;
	return 1;
}

/* Money moved on stay id: paid_fen by paid (a payment's part, or less a
 * refund paid back), refund_fen by refund, and paid_at set to at unless
 * it is 0; what names the change for an error. */
static int session_money(struct pm_db *db, int64_t id, int64_t paid, int64_t refund, int64_t at,
			 const char *what, struct pm_err *e)
{
	static const char sql[] =
		"UPDATE parking_session SET paid_fen = paid_fen + ?2, refund_fen = refund_fen + ?3,"
		" paid_at = CASE WHEN ?4 THEN ?4 ELSE paid_at END, updated_at = ?5 WHERE id = ?1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, paid);
	sqlite3_bind_int64(st, 3, refund);
	sqlite3_bind_int64(st, 4, at);
	sqlite3_bind_int64(st, 5, pm_now());
	return pm_db_step_done(db, st, what, e);
}

/* Part of payment to session id: its paid_fen and paid_at with it. */
static int record_part(struct pm_db *db, int64_t payment, int64_t id, int64_t amount, int64_t at,
		       struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO parking_payment_part (payment_id, session_id, amount_fen) VALUES (?, ?, ?)";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, payment);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, amount);
	if (pm_db_step_done(db, st, _("cannot record the payment"), e))
		return e->code;
	return session_money(db, id, amount, 0, at, _("cannot record the payment"), e);
}

/* The plate's oldest closed stay other than s that owes: 1 with its id
 * and what it owes, 0 when none does, or -code. */
static int oldest_debt(struct pm_db *db, const struct session *s, int64_t *id, int64_t *owes,
		       struct pm_err *e)
{
	static const char sql[] =
		"SELECT id, fee_fen - paid_fen FROM parking_session WHERE plate = ?1 AND id <> ?2"
		" AND exit_ts IS NOT NULL AND fee_fen > paid_fen ORDER BY entry_ts, id LIMIT 1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return -e->code;
	sqlite3_bind_text(st, 1, s->plate, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, s->id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		*owes = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -pm_db_fail(db, e, _("cannot read parking sessions"));
	return rc == SQLITE_ROW;
}

/* Payment's amount to the plate's debts, its oldest stay first and s, the
 * stay it was made at, last; s as it is after. amount is no more than all
 * they owe. */
static int pay_parts(struct pm_db *db, struct session *s, int64_t payment, int64_t amount, int64_t at,
		     struct pm_err *e)
{
	int64_t id = 0, owes = 0, part;
	int rc;

	while (amount > 0) {
		if ((rc = oldest_debt(db, s, &id, &owes, e)) < 0)
			return -rc;
		if (!rc)
			id = s->id, owes = amount;
		part = amount < owes ? amount : owes;
		if (record_part(db, payment, id, part, at, e))
			return e->code;
		if (id == s->id)
			s->paid += part, s->paid_at = at;
		else
			s->earlier -= part;
		amount -= part;
	}
	return PM_OK;
}

/* Money in or out of stay s, one row of sql (an INSERT of its session,
 * amount, ref, time and who, RETURNING id): *id; what names it for an
 * error. */
static int money_row(struct pm_db *db, const char *sql, const struct session *s, int64_t amount,
		     const char *ref, int64_t at, int64_t *id, const char *what, struct pm_err *e)
{
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, s->id);
	sqlite3_bind_int64(st, 2, amount);
	sqlite3_bind_text(st, 3, ref, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, at);
	sqlite3_bind_text(st, 5, pm_db_actor(db), -1, SQLITE_STATIC);
	return pm_db_int64(db, st, id, what, e);
}

/* The audit record of a payment or a refund (action) of stay s. */
static int money_audit(struct pm_db *db, const char *action, const struct session *s, int64_t amount,
		       const char *ref, struct pm_err *e)
{
	return gate_audit(db, action, "parking", s->id,
			  json_pack("{s:I, s:s}", "amount_fen", (json_int_t)amount, "ref", ref), e);
}

static int record_payment(struct pm_db *db, struct session *s, int64_t amount,
			  const char *ref, int64_t at, struct pm_err *e)
{
	static const char ins[] =
		"INSERT INTO parking_payment (session_id, amount_fen, ref, paid_at, by_login)"
		" VALUES (?, ?, ?, ?, ?) RETURNING id";
	int64_t payment = 0;

	if (money_row(db, ins, s, amount, ref, at, &payment, N_("cannot record the payment"), e) ||
	    pay_parts(db, s, payment, amount, at, e))
		return e->code;
	return money_audit(db, "parking.pay", s, amount, ref, e);
}

/* ---- points spent on parking (rewards.parking) ---- */

int pm_parking_points_rule(struct pm_db *db, int64_t at, struct pm_parking_points *d, struct pm_err *e)
{
	struct pm_config *cfg;
	json_t *rule;

	if (pm_config_current(db, pm_date_of(at, pm_db_tz(db)), &cfg, e))
		return e->code;
	rule = json_object_get(pm_config_section(cfg, "rewards"), "parking");
	d->per_fen = num(rule, "points_per_fen", 0);
	d->cap = num(rule, "month_cap", -1);
	pm_config_free(cfg);
	if (d->per_fen <= 0)
		return pm_err_set(e, PM_ECONFIG, _("points buy no parking here: rewards.parking is not set (pm.yaml(5))"));
	if (d->points % d->per_fen)
		return pm_err_set(e, PM_EDATA, _("%lld points are no whole number of fen at %lld points a fen"),
				  (long long)d->points, (long long)d->per_fen);
	d->fen = d->points / d->per_fen;
	pm_period_fmt(pm_period_of(at, pm_db_tz(db)), d->month);
	return PM_OK;
}

/* Within the unit's monthly cap, with what its points took off parking
 * this month: visitors' fees at the gate and parking lines of bills. */
static int discount_cap(struct pm_db *db, const struct pm_parking_points *d, struct pm_err *e)
{
	static const char sql[] =
		"SELECT (SELECT coalesce(sum(p.amount_fen), 0) FROM parking_discount d"
		"  JOIN parking_payment p ON p.id = d.payment_id WHERE d.unit_id = u.id AND d.month = ?2)"
		" + (SELECT coalesce(sum(p.amount_fen), 0) FROM bill_points b JOIN payment p ON p.id = b.payment_id"
		"  WHERE b.unit_id = u.id AND b.month = ?2) FROM unit u WHERE u.code = ?1";
	char left[PM_MONEY_BUF], cap[PM_MONEY_BUF], want[PM_MONEY_BUF];
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int64_t used = 0;
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, d->unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, d->month, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		used = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read parking discounts"));
	if (d->cap >= 0 && used + d->fen > d->cap)
		return pm_err_set(e, PM_EDATA, _("unit '%s' has %s of its %s parking discount for %s left, not %s"), d->unit,
				  pm_money_display(d->cap - used, left), pm_money_display(d->cap, cap), d->month,
				  pm_money_display(d->fen, want));
	return PM_OK;
}

int pm_parking_points_spend(struct pm_db *db, const struct pm_parking_points *d, const char *detail,
			    struct pm_err *e)
{
	if (discount_cap(db, d, e) || pm_shop_points_free(db, d->unit, d->points, e) ||
	    pm_points_use(db, d->unit, "spend", d->points, detail, e))
		return e->code;
	return PM_OK;
}

int pm_parking_points_record(struct pm_db *db, bool bill, int64_t payment, const struct pm_parking_points *p,
			     int64_t journal, struct pm_err *e)
{
	static const char *const sql[] = {
		"INSERT INTO parking_discount (payment_id, unit_id, points, month, journal_id)"
		" VALUES (?1, (SELECT id FROM unit WHERE code = ?2), ?3, ?4, ?5)",
		"INSERT INTO bill_points (payment_id, unit_id, points, month, journal_id)"
		" VALUES (?1, (SELECT id FROM unit WHERE code = ?2), ?3, ?4, ?5)",
	};
	sqlite3_stmt *st = pm_db_stmt(db, sql[bill], e);

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, payment);
	sqlite3_bind_text(st, 2, p->unit, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, p->points);
	sqlite3_bind_text(st, 4, p->month, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, journal);
	return pm_db_step_done(db, st, _("cannot record the discount"), e);
}

/* The payment just recorded was made in points: taken from the unit,
 * the company's expense for the parking income, and the discount. */
static int discount_record(struct pm_db *db, const struct session *s, const struct pm_parking_points *d,
			   const char *ref, struct pm_err *e)
{
	static const char id_sql[] = "SELECT id FROM parking_payment WHERE ref = ?1";
	int64_t payment, journal;
	struct pm_posting p[2];
	char detail[48], jref[48];
	sqlite3_stmt *st;
	int rc;

	if ((rc = pm_db_row(db, id_sql, ref, &st, N_("cannot read parking payments"), e)) <= 0)
		return rc ? -rc : pm_err_set(e, PM_ESOFTWARE, _("cannot read parking payments"));
	payment = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	snprintf(detail, sizeof detail, "parking:%lld", (long long)payment);
	snprintf(jref, sizeof jref, "parking:%lld", (long long)s->id);
	pm_posting_set(&p[0], "expense", "points", d->fen);
	pm_posting_set(&p[1], "income", "parking", -d->fen);
	if (pm_parking_points_spend(db, d, detail, e) ||
	    pm_ledger_post(db, "parking_points", jref, ref, p, 2, &journal, e) ||
	    pm_parking_points_record(db, false, payment, d, journal, e))
		return e->code;
	return gate_audit(db, "parking.points", "parking", s->id,
			  json_pack("{s:s, s:I, s:I, s:s}", "unit", d->unit, "points", (json_int_t)d->points, "amount_fen",
				    (json_int_t)d->fen, "ref", ref), e);
}

/* A payment of amount_fen, or with d of d->points of d->unit's points. */
static int pay(struct pm_db *db, const char *p, int64_t amount_fen, struct pm_parking_points *d, const char *ref, int64_t at,
	       json_t **out, int *duplicate, struct pm_err *e)
{
	char have[PM_MONEY_BUF], owe[PM_MONEY_BUF];
	const char *tz = pm_db_tz(db);
	struct pm_parking_rule r;
	struct session s;
	int64_t fee, owed;
	int rc;

	*out = NULL;
	*duplicate = 0;
	if (load_rule(db, &r, e))
		return e->code;
	if (amount_fen <= 0 || !ref || !*ref)
		return pm_err_set(e, PM_EUSAGE, _("a payment needs an amount above zero and a --ref"));
	if (pm_pay_ref_valid("--ref", ref, e) || pm_db_begin(db, e))
		return e->code;
	if ((rc = seen_ref(db, ref, p, amount_fen, d ? d->unit : NULL, d ? d->points : 0, &s, e)) < 0)
		goto fail;
	if (rc == 1) {
		/* Told again of a payment recorded: what it paid for, as it is. */
		*duplicate = 1;
		rc = earlier_debt(db, &s, e);
		pm_db_rollback(db);
		if (rc)
			return rc;
		owed = due(&r, tz, &s, s.open ? at : s.exit, &fee);
		*out = fee_json(&s, at, fee, owed, tz);
		return PM_OK;
	}
	if (plate_session(db, p, at, &s, e))
		goto fail;
	owed = due(&r, tz, &s, at, &fee) + s.earlier;
	if (amount_fen > owed) {
		pm_err_set(e, PM_EDATA, _("%s is more than the %s plate %s owes"),
			   pm_money_display(amount_fen, have), pm_money_display(owed, owe), p);
		goto fail;
	}
	if (record_payment(db, &s, amount_fen, ref, at, e) || (d && discount_record(db, &s, d, ref, e)) ||
	    pm_db_commit(db, e))
		goto fail;
	owed = due(&r, tz, &s, at, &fee);
	*out = fee_json(&s, at, fee, owed, tz);
	return PM_OK;
fail:
	pm_db_rollback(db);
	return e->code;
}

int pm_parking_pay(struct pm_db *db, const struct pm_actor *a, const char *plate,
		   int64_t amount_fen, const char *ref, int64_t at, json_t **out, int *duplicate,
		   struct pm_err *e)
{
	char p[64];

	*out = NULL;
	*duplicate = 0;
	if (pm_auth_check(a, "parking.pay", e) || gate_plate_norm(plate, p, sizeof p, e))
		return e->code;
	return pay(db, p, amount_fen, NULL, ref, at, out, duplicate, e);
}

int pm_parking_pay_points(struct pm_db *db, const struct pm_actor *a, const char *plate, const char *unit,
			  int64_t points, const char *ref, int64_t at, json_t **out, int *duplicate, struct pm_err *e)
{
	struct pm_parking_points d = {.unit = unit, .points = points};
	char p[64];

	*out = NULL;
	*duplicate = 0;
	if (points <= 0)
		return pm_err_set(e, PM_EUSAGE, _("--points: must be more than 0"));
	if (gate_may(db, a, "parking.pay", unit, e) || gate_plate_norm(plate, p, sizeof p, e) ||
	    pm_parking_points_rule(db, at, &d, e) || pay(db, p, d.fen, &d, ref, at, out, duplicate, e))
		return e->code;
	json_object_set_new(*out, "unit", json_string(unit));
	json_object_set_new(*out, "points", json_integer(points));
	json_object_set_new(*out, "discount_fen", json_integer(d.fen));
	return PM_OK;
}

/* ---- refunds paid back ---- */

/* The stay a refund is paid on: stay id, else (id 0) the plate's last
 * closed stay with a refund due: 1 with it in s, 0 none, or -code. */
static int refund_stay(struct pm_db *db, const char *plate, int64_t id, struct session *s, struct pm_err *e)
{
	static const char sql[] = SESSION_COLS " FROM parking_session s WHERE s.id = ?1 OR (?1 = 0 AND s.plate = ?2"
		" AND s.exit_ts IS NOT NULL AND s.refund_fen > 0) ORDER BY s.exit_ts DESC, s.id DESC LIMIT 1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return -e->code;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, plate, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		session_read(st, s);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -pm_db_fail(db, e, _("cannot read parking sessions"));
	return rc == SQLITE_ROW;
}

/* What of the refund due on stay s is paid back in money: no more than
 * the money paid to it (points spent on it are the company's discount,
 * no money) less what was paid back already. */
static int refundable(struct pm_db *db, const struct session *s, int64_t *fen, struct pm_err *e)
{
	static const char sql[] =
		"SELECT (SELECT coalesce(sum(t.amount_fen), 0) FROM parking_payment_part t WHERE t.session_id = ?1"
		"  AND NOT EXISTS (SELECT 1 FROM parking_discount d WHERE d.payment_id = t.payment_id))"
		" - (SELECT coalesce(sum(amount_fen), 0) FROM parking_refund WHERE session_id = ?1)";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int64_t money = 0;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, s->id);
	if (pm_db_int64(db, st, &money, N_("cannot read parking payments"), e))
		return e->code;
	*fen = s->open ? 0 : money < s->refund ? money : s->refund;
	return PM_OK;
}

static json_t *refund_json(const struct session *s, const char *ref, int64_t amount, int64_t at, const char *tz)
{
	return json_pack("{s:s, s:s, s:I, s:s, s:I, s:o, s:I, s:I, s:I}", "type", "parking_refund", "plate", s->plate,
			 "session", (json_int_t)s->id, "ref", ref, "amount_fen", (json_int_t)amount, "at",
			 gate_time(at, tz), "fee_fen", (json_int_t)s->fee, "paid_fen", (json_int_t)s->paid,
			 "refund_fen", (json_int_t)s->refund);
}

/* The refund ref recorded already, when it was for this stay (id, or
 * plate's) and amount (0: any): 1 with its stay in s, *amount and *at;
 * 0 when ref is new; -PM_EDATA when it was for another. */
static int seen_refund(struct pm_db *db, const char *ref, const char *plate, int64_t id, int64_t *amount,
		       int64_t *at, struct session *s, struct pm_err *e)
{
	static const char sql[] = "SELECT session_id, amount_fen, paid_at FROM parking_refund WHERE ref = ?";
	sqlite3_stmt *st;
	int64_t sid, fen;
	int rc = pm_db_row(db, sql, ref, &st, N_("cannot read parking refunds"), e);

	if (rc <= 0)
		return rc;
	sid = sqlite3_column_int64(st, 0);
	fen = sqlite3_column_int64(st, 1);
	*at = sqlite3_column_int64(st, 2);
	sqlite3_reset(st);
	if ((rc = refund_stay(db, NULL, sid, s, e)) <= 0)
		return rc ? rc : -pm_err_set(e, PM_ESOFTWARE, _("cannot read parking sessions"));
	if ((id && id != sid) || (plate && strcmp(plate, s->plate)) || (*amount && *amount != fen))
		return -pm_err_set(e, PM_EDATA, _("refund '%s' was recorded for another stay or amount"), ref);
	*amount = fen;
	return 1;
}

static int record_refund(struct pm_db *db, struct session *s, int64_t amount, const char *ref, int64_t at,
			 struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO parking_refund (session_id, amount_fen, ref, paid_at, by_login) VALUES (?, ?, ?, ?, ?)"
		" RETURNING id";
	int64_t refund = 0;

	if (money_row(db, sql, s, amount, ref, at, &refund, N_("cannot record the refund"), e) ||
	    session_money(db, s->id, -amount, -amount, 0, _("cannot record the refund"), e))
		return e->code;
	s->paid -= amount;
	s->refund -= amount;
	return money_audit(db, "parking.refund", s, amount, ref, e);
}

/* The stay s to refund amount (0: all that is due) from, in the open
 * transaction: PM_EDATA when it has none due or less than amount. */
static int refund_due(struct pm_db *db, const struct session *s, int64_t *amount, struct pm_err *e)
{
	char have[PM_MONEY_BUF], due[PM_MONEY_BUF];
	int64_t fen = 0;

	if (refundable(db, s, &fen, e))
		return e->code;
	if (!fen)
		return pm_err_set(e, PM_EDATA, _("stay %lld of plate %s has no refund due"), (long long)s->id, s->plate);
	if (*amount > fen)
		return pm_err_set(e, PM_EDATA, _("%s is more than the %s refund due on stay %lld of plate %s"),
				  pm_money_display(*amount, have), pm_money_display(fen, due), (long long)s->id, s->plate);
	if (!*amount)
		*amount = fen;
	return PM_OK;
}

int pm_parking_refund(struct pm_db *db, const struct pm_actor *a, const char *plate, int64_t session,
		      int64_t amount_fen, const char *ref, int64_t at, json_t **out, int *duplicate, struct pm_err *e)
{
	char p[64];
	struct session s;
	int rc;

	*out = NULL;
	*duplicate = 0;
	if (pm_auth_check(a, "parking.pay", e) || (plate && gate_plate_norm(plate, p, sizeof p, e)))
		return e->code;
	if (!plate == !session || amount_fen < 0 || !ref || !*ref)
		return pm_err_set(e, PM_EUSAGE, _("a refund needs a plate or a stay, and a --ref"));
	if (pm_pay_ref_valid("--ref", ref, e) || pm_db_begin(db, e))
		return e->code;
	if ((rc = seen_refund(db, ref, plate ? p : NULL, session, &amount_fen, &at, &s, e)) < 0)
		goto fail;
	if (rc == 1) {
		/* Told again of a payout recorded: it, and its stay as it is. */
		*duplicate = 1;
		pm_db_rollback(db);
		*out = refund_json(&s, ref, amount_fen, at, pm_db_tz(db));
		return PM_OK;
	}
	if ((rc = refund_stay(db, plate ? p : NULL, session, &s, e)) < 0)
		goto fail;
	if (!rc) {
		if (plate)
			pm_err_set(e, PM_EDATA, _("plate %s has no refund due"), p);
		else
			pm_err_set(e, PM_EDATA, _("no parking stay %lld"), (long long)session);
		goto fail;
	}
	if (refund_due(db, &s, &amount_fen, e) || record_refund(db, &s, amount_fen, ref, at, e) ||
	    pm_db_commit(db, e))
		goto fail;
	*out = refund_json(&s, ref, amount_fen, at, pm_db_tz(db));
	return PM_OK;
fail:
	pm_db_rollback(db);
	return e->code;
}

static json_t *session_json(sqlite3_stmt *st, void *ctx)
{
	const char *tz = ctx;
	int closed = sqlite3_column_type(st, 7) != SQLITE_NULL;
	int64_t fee = sqlite3_column_int64(st, 7), paid = sqlite3_column_int64(st, 8);
	int64_t refund = sqlite3_column_int64(st, 9);

	return json_pack("{s:s, s:I, s:s, s:o, s:s, s:o, s:s?, s:b, s:o, s:I, s:o, s:I}",
		"type", "parking", "id", (json_int_t)sqlite3_column_int64(st, 0),
		"plate", TEXT(st, 1), "entry", gate_time(sqlite3_column_int64(st, 2), tz),
		"entry_gate", TEXT(st, 3), "exit", gate_time(sqlite3_column_int64(st, 4), tz),
		"exit_gate", TEXT(st, 5), "resident", sqlite3_column_int(st, 6),
		"fee_fen", closed ? json_integer(fee) : json_null(), "paid_fen", (json_int_t)paid,
		"owed_fen", closed ? json_integer(fee > paid ? fee - paid : 0) : json_null(),
		"refund_fen", (json_int_t)refund);
}

int pm_parking_each(struct pm_db *db, const struct pm_actor *a, const char *unit, int open_only,
		    int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e)
{
	static const char sql[] =
		"SELECT id, plate, entry_ts, entry_gate, coalesce(exit_ts, 0), exit_gate, resident,"
		" fee_fen, paid_fen, refund_fen FROM parking_session WHERE (NOT ?1 OR exit_ts IS NULL)"
		" AND (?2 IS NULL OR plate IN (SELECT v.plate FROM vehicle v JOIN unit u ON u.id = v.unit_id"
		"  WHERE u.code = ?2 AND " PM_VEHICLE_ON("v", "?3") "))"
		" ORDER BY entry_ts DESC, id DESC";
	sqlite3_stmt *st;

	if (gate_may(db, a, "parking.read", unit, e) || !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int(st, 1, open_only);
	sqlite3_bind_text(st, 2, unit, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, pm_now());
	return pm_db_each(db, st, session_json, (void *)pm_db_tz(db), fn, ctx,
			  _("cannot read parking sessions"), e);
}

/* ---- reservations ---- */

static int resource_find(struct pm_db *db, const char *name, int64_t *longest, struct pm_err *e)
{
	struct pm_gate_config *gc;
	json_t *r;

	if (pm_gate_config_open(db, &gc, e))
		return e->code;
	r = json_object_get(json_object_get(gc->parking, "resources"), name);
	if (r)
		*longest = json_integer_value(json_object_get(r, "longest"));
	pm_gate_config_free(gc);
	if (!r)
		return pm_err_set(e, PM_EDATA, _("no resource '%s' in the configuration (parking.resources)"), name);
	return PM_OK;
}

int pm_reserve_resources(struct pm_db *db, int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e)
{
	struct pm_gate_config *gc;
	const char *code;
	json_t *r, *rec;
	int rc = PM_OK;

	if (pm_gate_config_open(db, &gc, e))
		return e->code;
	json_object_foreach(json_object_get(gc->parking, "resources"), code, r) {
		rec = json_pack("{s:s, s:s?, s:s?, s:I}", "resource", code, "kind",
				json_string_value(json_object_get(r, "kind")), "name",
				json_string_value(json_object_get(r, "name")), "longest_minutes",
				(json_int_t)(json_integer_value(json_object_get(r, "longest")) / 60));
		if (!rec) {
			rc = pm_err_set(e, PM_EFAIL, _("out of memory"));
			break;
		}
		rc = fn(ctx, rec);
		json_decref(rec);
		if (rc)
			break;
	}
	pm_gate_config_free(gc);
	return rc;
}

/* The first booking of resource overlapping [from, until): 1, 0, -code. */
static int overlap(struct pm_db *db, const char *resource, int64_t from, int64_t until,
		   int64_t *id, int64_t *starts, int64_t *ends, struct pm_err *e)
{
	static const char sql[] =
		"SELECT id, starts, ends FROM reservation WHERE resource = ?1 AND status = 'booked'"
		" AND starts < ?3 AND ends > ?2 ORDER BY starts LIMIT 1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return -e->code;
	sqlite3_bind_text(st, 1, resource, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, until);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		*starts = sqlite3_column_int64(st, 1);
		*ends = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -pm_db_fail(db, e, _("cannot read reservations"));
	return rc == SQLITE_ROW;
}

static int book(struct pm_db *db, const char *resource, int64_t unit, int64_t from, int64_t until,
		int64_t *id, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO reservation (resource, unit_id, starts, ends, status, by_login, created_at,"
		" updated_at) VALUES (?1, ?2, ?3, ?4, 'booked', ?5, ?6, ?6) RETURNING id";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, resource, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, unit);
	sqlite3_bind_int64(st, 3, from);
	sqlite3_bind_int64(st, 4, until);
	sqlite3_bind_text(st, 5, pm_db_actor(db), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, pm_now());
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot store the reservation"));
}

int pm_reserve(struct pm_db *db, const struct pm_actor *a, const char *resource,
	       const char *unit, int64_t from, int64_t until, int64_t *id, struct pm_err *e)
{
	char t0[PM_TIME_BUF], t1[PM_TIME_BUF];
	int64_t longest = 0, uid, other = 0, s = 0, t = 0;
	const char *tz = pm_db_tz(db);
	int rc;

	if (gate_may(db, a, "parking.reserve", unit, e) || resource_find(db, resource, &longest, e) ||
	    unit_id(db, unit, &uid, e))
		return e->code;
	if (until <= from)
		return pm_err_set(e, PM_EDATA, _("a reservation needs an --until after its --from"));
	if (until <= pm_now())
		return pm_err_set(e, PM_EDATA, _("that time is over already"));
	if (until - from > longest)
		return pm_err_set(e, PM_EDATA, _("'%s' is booked for at most %lld minutes at a time"),
				  resource, (long long)(longest / 60));
	if (pm_db_begin(db, e))
		return e->code;
	if ((rc = overlap(db, resource, from, until, &other, &s, &t, e)) < 0)
		goto fail;
	if (rc) {
		pm_err_set(e, PM_EDATA, _("'%s' is booked from %s to %s (reservation %lld)"), resource,
			   pm_time_fmt(s, tz, t0), pm_time_fmt(t, tz, t1), (long long)other);
		goto fail;
	}
	if (book(db, resource, uid, from, until, id, e) ||
	    gate_audit(db, "parking.reserve", "reservation", *id,
		       json_pack("{s:s, s:s, s:I, s:I}", "resource", resource, "unit", unit,
				 "from", (json_int_t)from, "until", (json_int_t)until), e))
		goto fail;
	return pm_db_commit(db, e);
fail:
	pm_db_rollback(db);
	return e->code;
}

int pm_reserve_cancel(struct pm_db *db, const struct pm_actor *a, int64_t id, struct pm_err *e)
{
	static const char unit_sql[] =
		"SELECT u.code FROM reservation r JOIN unit u ON u.id = r.unit_id WHERE r.id = ?1"
		" AND r.status = 'booked'";
	static const char sql[] = "UPDATE reservation SET status = 'cancelled', updated_at = ?2 WHERE id = ?1";
	sqlite3_stmt *st;
	char unit[64] = "";
	int rc;

	if (pm_auth_check(a, "parking.reserve", e) || !(st = pm_db_stmt(db, unit_sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(unit, sizeof unit, "%s", TEXT(st, 0));
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read reservations"));
	/* An owner is told the same of another's booking and of none, so
	 * ids cannot be probed for who booked what. */
	if (a->role == PM_ROLE_OWNER && (rc == SQLITE_DONE || pm_unit_may_read(db, a, unit, e)))
		return pm_err_set(e, PM_ENOPERM, _("user '%s' has no booked reservation %lld"), a->login, (long long)id);
	if (rc == SQLITE_DONE)
		return pm_err_set(e, PM_EDATA, _("no booked reservation %lld"), (long long)id);
	if (pm_db_begin(db, e))
		return e->code;
	if (!(st = pm_db_stmt(db, sql, e)))
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, pm_now());
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		pm_db_fail(db, e, _("cannot cancel the reservation"));
		goto fail;
	}
	if (gate_audit(db, "parking.unreserve", "reservation", id, NULL, e))
		goto fail;
	return pm_db_commit(db, e);
fail:
	pm_db_rollback(db);
	return e->code;
}

static json_t *reservation_json(sqlite3_stmt *st, void *ctx)
{
	struct pm_gate_config *gc = ctx;
	json_t *res = json_object_get(json_object_get(gc->parking, "resources"), TEXT(st, 1));

	return json_pack("{s:s, s:I, s:s, s:s?, s:s, s:o, s:o, s:s}", "type", "reservation",
		"id", (json_int_t)sqlite3_column_int64(st, 0), "resource", TEXT(st, 1),
		"kind", json_string_value(json_object_get(res, "kind")), "unit", TEXT(st, 2),
		"from", gate_time(sqlite3_column_int64(st, 3), gc->tz),
		"until", gate_time(sqlite3_column_int64(st, 4), gc->tz), "status", TEXT(st, 5));
}

int pm_reservation_each(struct pm_db *db, const struct pm_actor *a, const char *resource,
			int32_t day, int (*fn)(void *ctx, json_t *rec), void *ctx,
			struct pm_err *e)
{
	static const char sql[] =
		"SELECT r.id, r.resource, u.code, r.starts, r.ends, r.status FROM reservation r"
		" JOIN unit u ON u.id = r.unit_id WHERE (?1 IS NULL OR r.resource = ?1)"
		" AND r.starts < ?3 AND r.ends > ?2 AND (?4 = 0 OR r.unit_id IN"
		"  (SELECT unit_id FROM occupancy o WHERE person_id = ?4 AND " PM_OCCUPANCY_ON("o", "?5") "))"
		" ORDER BY r.starts, r.id";
	char today[PM_TIME_BUF];
	struct pm_gate_config *gc;
	sqlite3_stmt *st;
	int rc;

	if (pm_auth_check(a, "parking.read", e) || pm_gate_config_open(db, &gc, e))
		return e->code;
	if (!(st = pm_db_stmt(db, sql, e))) {
		pm_gate_config_free(gc);
		return e->code;
	}
	sqlite3_bind_text(st, 1, resource, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, pm_date_start(day, gc->tz));
	sqlite3_bind_int64(st, 3, pm_date_start(day + 1, gc->tz));
	/* An owner sees the bookings of the units where they live today. */
	sqlite3_bind_int64(st, 4, a->role == PM_ROLE_OWNER ? (a->person_id ? a->person_id : -1) : 0);
	sqlite3_bind_text(st, 5, pm_community_today(db, today), -1, SQLITE_TRANSIENT);
	rc = pm_db_each(db, st, reservation_json, gc, fn, ctx, _("cannot read reservations"), e);
	pm_gate_config_free(gc);
	return rc;
}
