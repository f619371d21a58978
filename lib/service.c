/* service: bookable services. A booking's money moves as a group-buying
 * order's does (lib/shop.c's shop_post, ref "service:CODE"); its states
 * are the table below. The ticket state machine (lib/ticket.c) is not
 * used: its states carry SLA clocks, dispatch to staff, reopening and
 * the ticket.* permissions, none of which a booking has, while a
 * booking's steps move money, which no ticket step does. */
#include <stdlib.h>
#include <string.h>

#include "pm/audit.h"
#include "pm/bill.h"
#include "pm/i18n.h"
#include "pm/service.h"
#include "bill-internal.h"
#include "shop-internal.h"

static int oom(struct pm_err *e)
{
	return pm_err_set(e, PM_EFAIL, _("out of memory"));
}

/* ---- services and slots ---- */

struct service {
	int64_t id, price, cutoff, bp;
	char code[64], merchant[64];
};

static int service_get(struct pm_db *db, const char *code, struct service *s, struct pm_err *e)
{
	static const char sql[] =
		"SELECT s.id, s.price_fen, s.cutoff, m.commission_bp, m.code FROM shop_service s"
		" JOIN merchant m ON m.id = s.merchant_id WHERE s.code = ?1";
	sqlite3_stmt *st;
	int rc = pm_db_row(db, sql, code, &st, N_("cannot read services"), e);

	if (rc <= 0)
		return rc ? -rc : pm_err_set(e, PM_EDATA, _("unknown service '%s'"), code);
	s->id = sqlite3_column_int64(st, 0);
	s->price = sqlite3_column_int64(st, 1);
	s->cutoff = sqlite3_column_int64(st, 2);
	s->bp = sqlite3_column_int64(st, 3);
	snprintf(s->code, sizeof s->code, "%s", code);
	snprintf(s->merchant, sizeof s->merchant, "%s", TEXT(st, 4));
	sqlite3_reset(st);
	return PM_OK;
}

static json_t *service_json(sqlite3_stmt *st, void *rctx)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o}", "type", "shop_service", "service",
			 TEXT(st, 0), "merchant", TEXT(st, 1), "title", TEXT(st, 2), "price_fen",
			 (json_int_t)sqlite3_column_int64(st, 3), "cutoff_hours",
			 (json_int_t)(sqlite3_column_int64(st, 4) / 3600), "slots", (json_int_t)sqlite3_column_int64(st, 5),
			 "booked", (json_int_t)sqlite3_column_int64(st, 6), "ratings",
			 (json_int_t)sqlite3_column_int64(st, 7), "rating", pm_db_json_int(st, 8));
}

/* Bookings that hold a place in their slot. */
#define LIVE "('paid','confirmed','done','settled')"

static const char service_sql[] =
	"SELECT s.code, m.code, s.title, s.price_fen, s.cutoff,"
	" (SELECT count(*) FROM shop_slot sl WHERE sl.service_id = s.id),"
	" (SELECT count(*) FROM shop_booking b JOIN shop_slot sl ON sl.id = b.slot_id"
	"  WHERE sl.service_id = s.id AND b.state IN " LIVE "),"
	" (SELECT count(b.rating) FROM shop_booking b JOIN shop_slot sl ON sl.id = b.slot_id WHERE sl.service_id = s.id),"
	" (SELECT (sum(b.rating) * 10 + count(b.rating) / 2) / count(b.rating) FROM shop_booking b"
	"  JOIN shop_slot sl ON sl.id = b.slot_id WHERE sl.service_id = s.id)"
	" FROM shop_service s JOIN merchant m ON m.id = s.merchant_id WHERE ?1 IS NULL OR s.code = ?1"
	" ORDER BY s.id DESC";

static int service_list(struct pm_db *db, const char *code, int (*fn)(void *ctx, json_t *rec), void *ctx,
			struct pm_err *e)
{
	sqlite3_stmt *st = pm_db_stmt(db, service_sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	return pm_db_each(db, st, service_json, NULL, fn, ctx, _("cannot read services"), e);
}

int pm_service_each(struct pm_db *db, int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e)
{
	return service_list(db, NULL, fn, ctx, e);
}

static int service_insert(struct pm_db *db, const struct pm_service *s, struct pm_err *e)
{
	static const char merchant[] = "SELECT id FROM merchant WHERE code = ?1";
	static const char taken[] =
		"SELECT 1 FROM shop_service WHERE code = ?1 UNION ALL SELECT 1 FROM shop_offer WHERE code = ?1";
	static const char sql[] =
		"INSERT INTO shop_service (code, merchant_id, title, price_fen, cutoff, created_at) VALUES (?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st;
	int64_t id;
	int rc;

	if ((rc = pm_db_row(db, merchant, s->merchant, &st, N_("cannot read merchants"), e)) <= 0)
		return rc ? -rc : pm_err_set(e, PM_EDATA, _("unknown merchant '%s'"), s->merchant);
	id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	/* pm-shop settle takes either: one code, one thing. */
	if ((rc = pm_db_exists(db, taken, s->code, N_("cannot read services"), e)))
		return rc < 0 ? -rc : pm_err_set(e, PM_EDATA, _("an offer or a service is called '%s' already"), s->code);
	if (pm_bill_bound_today(db, s->price, _("--price:"), e) || !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_text(st, 1, s->code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_text(st, 3, s->title, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, s->price);
	sqlite3_bind_int64(st, 5, s->cutoff);
	sqlite3_bind_int64(st, 6, pm_now());
	return pm_db_step_done(db, st, _("cannot record the service"), e);
}

/* Ends a write that made *out and audits it as action on object. */
static int end_audited(struct pm_db *db, int rc, const char *action, const char *object, json_t *before, json_t **out,
		       struct pm_err *e)
{
	if (rc == PM_OK)
		rc = pm_audit_log(db, action, object, before, *out, e);
	json_decref(before);
	if ((rc = pm_db_end(db, rc, e))) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

int pm_service_add(struct pm_db *db, const struct pm_service *s, json_t **out, struct pm_err *e)
{
	char object[80];
	int rc;

	*out = NULL;
	if (!*s->code || !*s->title || s->price <= 0 || s->cutoff < 0)
		return pm_err_set(e, PM_EUSAGE, _("a service needs a code, a title and a price above 0"));
	if (pm_code_valid("code", s->code, SHOP_CODE_MAX, e) || shop_text_valid("title", s->title, e))
		return e->code;
	if (pm_db_begin(db, e))
		return e->code;
	if ((rc = service_insert(db, s, e)) == PM_OK)
		rc = service_list(db, s->code, shop_take_one, out, e);
	snprintf(object, sizeof object, "shop_service:%s", s->code);
	return end_audited(db, rc, "shop.service", object, NULL, out, e);
}

static json_t *slot_json(sqlite3_stmt *st, void *rctx)
{
	int64_t cap = sqlite3_column_int64(st, 2), booked = sqlite3_column_int64(st, 3);

	return json_pack("{s:s, s:s, s:o, s:I, s:I, s:I}", "type", "shop_slot", "service", TEXT(st, 0), "starts_at",
			 pm_db_json_time(st, 1, rctx), "capacity", (json_int_t)cap, "booked", (json_int_t)booked,
			 "left", (json_int_t)(cap - booked));
}

static int slot_list(struct pm_db *db, const char *service, int64_t at, int (*fn)(void *ctx, json_t *rec),
		     void *ctx, struct pm_err *e)
{
	static const char sql[] =
		"SELECT s.code, sl.starts_at, sl.capacity, (SELECT count(*) FROM shop_booking b WHERE b.slot_id = sl.id"
		" AND b.state IN " LIVE ") FROM shop_slot sl JOIN shop_service s ON s.id = sl.service_id"
		" WHERE s.code = ?1 AND (?2 IS NULL OR sl.starts_at = ?2) ORDER BY sl.starts_at";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, service, -1, SQLITE_STATIC);
	if (at)
		sqlite3_bind_int64(st, 2, at);
	return pm_db_each(db, st, slot_json, (void *)pm_db_tz(db), fn, ctx, _("cannot read slots"), e);
}

int pm_service_slot_each(struct pm_db *db, const char *service, int (*fn)(void *ctx, json_t *rec), void *ctx,
			 struct pm_err *e)
{
	struct service s;

	if (service_get(db, service, &s, e))
		return e->code;
	return slot_list(db, service, 0, fn, ctx, e);
}

static int slot_insert(struct pm_db *db, const char *service, int64_t at, int64_t capacity, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO shop_slot (service_id, starts_at, capacity, created_at) VALUES (?1, ?2, ?3, ?4)"
		" ON CONFLICT (service_id, starts_at) DO NOTHING";
	char when[PM_TIME_BUF];
	struct service s;
	sqlite3_stmt *st;

	if (service_get(db, service, &s, e))
		return e->code;
	if (at <= pm_now())
		return pm_err_set(e, PM_EDATA, _("a slot of service '%s' at %s: that time is past"), service,
				  pm_time_fmt(at, pm_db_tz(db), when));
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, s.id);
	sqlite3_bind_int64(st, 2, at);
	sqlite3_bind_int64(st, 3, capacity);
	sqlite3_bind_int64(st, 4, pm_now());
	if (pm_db_step_done(db, st, _("cannot record the slot"), e))
		return e->code;
	if (sqlite3_changes(pm_db_sqlite(db)) == 0)
		return pm_err_set(e, PM_EDATA, _("service '%s' has a slot at %s already"), service,
				  pm_time_fmt(at, pm_db_tz(db), when));
	return PM_OK;
}

int pm_service_slot_add(struct pm_db *db, const char *service, int64_t starts_at, int64_t capacity, json_t **out,
			struct pm_err *e)
{
	char object[120];
	int rc;

	*out = NULL;
	if (capacity <= 0)
		return pm_err_set(e, PM_EUSAGE, _("--capacity: must be more than 0"));
	if (pm_db_begin(db, e))
		return e->code;
	if ((rc = slot_insert(db, service, starts_at, capacity, e)) == PM_OK)
		rc = slot_list(db, service, starts_at, shop_take_one, out, e);
	snprintf(object, sizeof object, "shop_service:%s:%lld", service, (long long)starts_at);
	return end_audited(db, rc, "shop.slot", object, NULL, out, e);
}

/* ---- bookings ---- */

#define BOOKING_COLS                                                                                          \
	"SELECT b.id, s.code, m.code, u.code, sl.starts_at, b.amount_fen, b.refunded_fen, b.channel, b.ref,"  \
	" b.state, b.rating, b.reason FROM shop_booking b JOIN shop_slot sl ON sl.id = b.slot_id"            \
	" JOIN shop_service s ON s.id = sl.service_id JOIN merchant m ON m.id = s.merchant_id"               \
	" JOIN unit u ON u.id = b.unit_id"

static json_t *booking_json(sqlite3_stmt *st, void *rctx)
{
	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:o, s:I, s:I, s:s, s:s, s:s, s:o, s:o}", "type", "shop_booking",
			 "booking", (json_int_t)sqlite3_column_int64(st, 0), "service", TEXT(st, 1), "merchant",
			 TEXT(st, 2), "unit", TEXT(st, 3), "starts_at", pm_db_json_time(st, 4, rctx), "amount_fen",
			 (json_int_t)sqlite3_column_int64(st, 5), "refunded_fen", (json_int_t)sqlite3_column_int64(st, 6),
			 "channel", TEXT(st, 7), "ref", TEXT(st, 8), "state", TEXT(st, 9), "rating", pm_db_json_int(st, 10),
			 "reason", pm_db_json_text(st, 11));
}

static int booking_get(struct pm_db *db, int64_t id, json_t **out, struct pm_err *e)
{
	static const char sql[] = BOOKING_COLS " WHERE b.id = ?1";

	return pm_db_record(db, sql, id, booking_json, (void *)pm_db_tz(db), out, _("cannot read bookings"), e);
}

int pm_booking_each(struct pm_db *db, const char *service, const char *unit, int (*fn)(void *ctx, json_t *rec),
		    void *ctx, struct pm_err *e)
{
	static const char sql[] =
		BOOKING_COLS " WHERE (?1 IS NULL OR s.code = ?1) AND (?2 IS NULL OR u.code = ?2) ORDER BY sl.starts_at, b.id";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, service, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, unit, -1, SQLITE_STATIC);
	return pm_db_each(db, st, booking_json, (void *)pm_db_tz(db), fn, ctx, _("cannot read bookings"), e);
}

/* 1 with *id when (channel, ref) is this booking already, 0 when the ref
 * is new, or -code: another booking, an order or a bill payment has it. */
static int booking_known(struct pm_db *db, const struct pm_booking *b, int64_t *id, struct pm_err *e)
{
	static const char sql[] =
		"SELECT b.id, s.code, u.code, sl.starts_at FROM shop_booking b JOIN shop_slot sl ON sl.id = b.slot_id"
		" JOIN shop_service s ON s.id = sl.service_id JOIN unit u ON u.id = b.unit_id"
		" WHERE b.channel = ?1 AND b.ref = ?2";
	char when[PM_TIME_BUF];
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc, same = 0;

	if (!st)
		return -e->code;
	sqlite3_bind_text(st, 1, b->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, b->ref, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		same = strcmp(TEXT(st, 1), b->service) == 0 && strcmp(TEXT(st, 2), b->unit) == 0 &&
		       sqlite3_column_int64(st, 3) == b->starts_at;
		if (!same)
			pm_err_set(e, PM_EDATA, _("payment '%s:%s' is already booking %lld: service '%s' at %s for unit '%s'"),
				   b->channel, b->ref, (long long)*id, TEXT(st, 1),
				   pm_time_fmt(sqlite3_column_int64(st, 3), pm_db_tz(db), when), TEXT(st, 2));
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return same ? 1 : -PM_EDATA;
	if (rc != SQLITE_DONE)
		return -pm_db_fail(db, e, _("cannot read bookings"));
	return pm_pay_ref_used(db, b->channel, b->ref, e);
}

/* The slot's id, when it takes one more booking now. */
static int slot_open(struct pm_db *db, const struct service *s, int64_t at, int64_t *slot, struct pm_err *e)
{
	static const char sql[] =
		"SELECT sl.id, sl.capacity, (SELECT count(*) FROM shop_booking b WHERE b.slot_id = sl.id AND b.state IN "
		LIVE ") FROM shop_slot sl WHERE sl.service_id = ?1 AND sl.starts_at = ?2";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char when[PM_TIME_BUF];
	int64_t cap = 0, booked = 0;
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, s->id);
	sqlite3_bind_int64(st, 2, at);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*slot = sqlite3_column_int64(st, 0);
		cap = sqlite3_column_int64(st, 1);
		booked = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	pm_time_fmt(at, pm_db_tz(db), when);
	if (rc == SQLITE_DONE)
		return pm_err_set(e, PM_EDATA, _("service '%s' has no slot at %s"), s->code, when);
	if (rc != SQLITE_ROW)
		return pm_db_fail(db, e, _("cannot read slots"));
	if (at <= pm_now())
		return pm_err_set(e, PM_EDATA, _("the slot of service '%s' at %s has begun"), s->code, when);
	if (booked >= cap)
		return pm_err_set(e, PM_EDATA, _("the slot of service '%s' at %s is full: %lld of %lld booked"), s->code,
				  when, (long long)booked, (long long)cap);
	return PM_OK;
}

static int booking_insert(struct pm_db *db, const struct pm_booking *b, const struct service *s, int64_t slot,
			  int64_t *id, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO shop_booking (slot_id, unit_id, amount_fen, channel, ref, journal_id, at, updated_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)";
	char ref[80], memo[160];
	int64_t unit, journal;
	sqlite3_stmt *st;

	if (pm_unit_id(db, b->unit, &unit, e) || pm_pay_channel(db, b->channel, e))
		return e->code;
	snprintf(ref, sizeof ref, "service:%s", s->code);
	snprintf(memo, sizeof memo, "%s:%s", b->channel, b->ref);
	if (shop_post(db, "shop_booking", s->merchant, ref, b->channel, s->price, 0, 1, memo, &journal, e) ||
	    !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, slot);
	sqlite3_bind_int64(st, 2, unit);
	sqlite3_bind_int64(st, 3, s->price);
	sqlite3_bind_text(st, 4, b->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, b->ref, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, journal);
	sqlite3_bind_int64(st, 7, pm_now());
	if (pm_db_step_done(db, st, _("cannot record the booking"), e))
		return e->code;
	*id = sqlite3_last_insert_rowid(pm_db_sqlite(db));
	return PM_OK;
}

static int booking_write(struct pm_db *db, const struct pm_booking *b, json_t **out, int *added, struct pm_err *e)
{
	struct service s;
	int64_t id = 0, slot = 0;
	int rc;

	if ((rc = booking_known(db, b, &id, e)) < 0)
		return -rc;
	*added = rc == 0;
	if (*added && (service_get(db, b->service, &s, e) || slot_open(db, &s, b->starts_at, &slot, e) ||
		       booking_insert(db, b, &s, slot, &id, e)))
		return e->code;
	if (booking_get(db, id, out, e))
		return e->code;
	json_object_set_new(*out, "outcome", json_string(*added ? "recorded" : "duplicate"));
	return PM_OK;
}

int pm_booking_pay(struct pm_db *db, const struct pm_booking *b, json_t **out, struct pm_err *e)
{
	char object[48];
	int rc, added = 0;

	*out = NULL;
	if (!*b->channel || strchr(b->channel, ':') || !*b->ref)
		return pm_err_set(e, PM_EUSAGE, _("a booking is paid through a channel with its ref"));
	if (pm_pay_ref_valid("--ref", b->ref, e) || pm_db_begin(db, e))
		return e->code;
	rc = booking_write(db, b, out, &added, e);
	if (rc || !added)
		return pm_db_end(db, rc, e);
	snprintf(object, sizeof object, "shop_booking:%lld",
		 (long long)json_integer_value(json_object_get(*out, "booking")));
	return end_audited(db, rc, "shop.book", object, NULL, out, e);
}

/* ---- the state machine ---- */

/* Each step: the states it takes a booking from, the state it leads
 * to, and whether the booking is given back its money. */
static const struct {
	const char *name, *from[3], *to;
	int refund;
} steps[] = {
	[PM_BOOKING_CONFIRM] = {"confirm", {"paid", NULL, NULL}, "confirmed", 0},
	[PM_BOOKING_DECLINE] = {"decline", {"paid", NULL, NULL}, "declined", 1},
	[PM_BOOKING_DONE] = {"done", {"confirmed", NULL, NULL}, "done", 0},
	[PM_BOOKING_CANCEL] = {"cancel", {"paid", "confirmed", NULL}, "cancelled", 1},
};

static int step_allowed(int64_t id, enum pm_booking_step k, const char *state, struct pm_err *e)
{
	const char *const *from = steps[k].from;

	for (int i = 0; i < 3 && from[i]; i++)
		if (strcmp(from[i], state) == 0)
			return PM_OK;
	if (from[1])
		return pm_err_set(e, PM_EDATA, _("booking %lld is %s: %s takes one that is %s or %s"), (long long)id,
				  state, steps[k].name, from[0], from[1]);
	return pm_err_set(e, PM_EDATA, _("booking %lld is %s: %s takes one that is %s"), (long long)id, state,
			  steps[k].name, from[0]);
}

/* The times a step depends on: done once the slot began, cancel before
 * the cut-off. */
static int step_in_time(struct pm_db *db, int64_t id, enum pm_booking_step k, struct pm_err *e)
{
	static const char sql[] =
		"SELECT sl.starts_at, s.cutoff FROM shop_booking b JOIN shop_slot sl ON sl.id = b.slot_id"
		" JOIN shop_service s ON s.id = sl.service_id WHERE b.id = ?1";
	sqlite3_stmt *st;
	char when[PM_TIME_BUF];
	int64_t starts = 0, cutoff = 0;
	int rc;

	if (k != PM_BOOKING_DONE && k != PM_BOOKING_CANCEL)
		return PM_OK;
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		starts = sqlite3_column_int64(st, 0);
		cutoff = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return pm_db_fail(db, e, _("cannot read bookings"));
	if (k == PM_BOOKING_DONE && pm_now() < starts)
		return pm_err_set(e, PM_EDATA, _("booking %lld starts at %s: it cannot be done before"), (long long)id,
				  pm_time_fmt(starts, pm_db_tz(db), when));
	if (k == PM_BOOKING_CANCEL && pm_now() >= starts - cutoff)
		return pm_err_set(e, PM_EDATA, _("booking %lld could be cancelled until %s"), (long long)id,
				  pm_time_fmt(starts - cutoff, pm_db_tz(db), when));
	return PM_OK;
}

static int booking_refund(struct pm_db *db, int64_t id, json_t *rec, struct pm_err *e)
{
	static const char sql[] = "UPDATE shop_booking SET refunded_fen = amount_fen WHERE id = ?1";
	int64_t amount = json_integer_value(json_object_get(rec, "amount_fen")), journal;
	char ref[80], memo[48];
	sqlite3_stmt *st;

	snprintf(ref, sizeof ref, "service:%s", json_string_value(json_object_get(rec, "service")));
	snprintf(memo, sizeof memo, "shop_booking:%lld", (long long)id);
	if (shop_post(db, "shop_refund", json_string_value(json_object_get(rec, "merchant")), ref,
		      json_string_value(json_object_get(rec, "channel")), amount, 0, -1, memo, &journal, e) ||
	    !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	return pm_db_step_done(db, st, _("cannot record the refund"), e);
}

static int set_booking(struct pm_db *db, int64_t id, const char *state, const char *reason, int64_t rating,
		       struct pm_err *e)
{
	static const char sql[] =
		"UPDATE shop_booking SET state = coalesce(?2, state), reason = coalesce(?3, reason),"
		" rating = coalesce(?4, rating), updated_at = ?5 WHERE id = ?1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
	if (rating)
		sqlite3_bind_int64(st, 4, rating);
	sqlite3_bind_int64(st, 5, pm_now());
	return pm_db_step_done(db, st, _("cannot record the booking"), e);
}

static int step_write(struct pm_db *db, int64_t id, enum pm_booking_step k, const char *reason, json_t *before,
		      json_t **out, struct pm_err *e)
{
	if (step_allowed(id, k, json_string_value(json_object_get(before, "state")), e) ||
	    step_in_time(db, id, k, e) || (steps[k].refund && booking_refund(db, id, before, e)) ||
	    set_booking(db, id, steps[k].to, reason, 0, e))
		return e->code;
	return booking_get(db, id, out, e);
}

static int booking_begin(struct pm_db *db, int64_t id, json_t **before, char *object, size_t n, struct pm_err *e)
{
	snprintf(object, n, "shop_booking:%lld", (long long)id);
	if (pm_db_begin(db, e))
		return e->code;
	if (booking_get(db, id, before, e) == PM_OK)
		return PM_OK;
	pm_db_rollback(db);
	return e->code == PM_EFAIL ? pm_err_set(e, PM_EDATA, _("unknown booking %lld"), (long long)id) : e->code;
}

int pm_booking_step(struct pm_db *db, int64_t id, enum pm_booking_step step, const char *reason, json_t **out,
		    struct pm_err *e)
{
	char object[48], action[32];
	json_t *before;

	*out = NULL;
	if ((unsigned)step >= sizeof steps / sizeof *steps)
		return pm_err_set(e, PM_ESOFTWARE, _("no such step of a booking"));
	if (booking_begin(db, id, &before, object, sizeof object, e))
		return e->code;
	snprintf(action, sizeof action, "shop.%s", steps[step].name);
	return end_audited(db, step_write(db, id, step, reason, before, out, e), action, object, before, out, e);
}

static int rate_write(struct pm_db *db, int64_t id, int64_t stars, json_t *before, json_t **out, struct pm_err *e)
{
	const char *state = json_string_value(json_object_get(before, "state"));

	if (strcmp(state, "done") && strcmp(state, "settled"))
		return pm_err_set(e, PM_EDATA, _("booking %lld is %s: it is rated once done"), (long long)id, state);
	if (!json_is_null(json_object_get(before, "rating")))
		return pm_err_set(e, PM_EDATA, _("booking %lld is rated already"), (long long)id);
	if (set_booking(db, id, NULL, NULL, stars, e))
		return e->code;
	return booking_get(db, id, out, e);
}

int pm_booking_rate(struct pm_db *db, int64_t id, int64_t stars, json_t **out, struct pm_err *e)
{
	char object[48];
	json_t *before;

	*out = NULL;
	if (stars < 1 || stars > 5)
		return pm_err_set(e, PM_EUSAGE, _("a rating is 1 to 5, not %lld"), (long long)stars);
	if (booking_begin(db, id, &before, object, sizeof object, e))
		return e->code;
	return end_audited(db, rate_write(db, id, stars, before, out, e), "shop.rate", object, before, out, e);
}

/* ---- settle ---- */

struct settle {
	struct service s;
	json_t *lines;
	int64_t *gross, *share, sum, commission, journal;
	size_t n;
};

static json_t *line_json(sqlite3_stmt *st, void *rctx)
{
	return json_pack("{s:s, s:I, s:s, s:o, s:I, s:I, s:I}", "type", "shop_statement", "booking",
			 (json_int_t)sqlite3_column_int64(st, 0), "unit", TEXT(st, 1), "starts_at",
			 pm_db_json_time(st, 2, rctx), "gross_fen", (json_int_t)sqlite3_column_int64(st, 3),
			 "commission_fen", (json_int_t)0, "net_fen", (json_int_t)0);
}

static int collect(void *ctx, json_t *rec)
{
	return json_array_append(ctx, rec) ? PM_EFAIL : 0;
}

/* The lines: each booking done, its gross and share of the commission. */
static int settle_lines(struct pm_db *db, struct settle *x, struct pm_err *e)
{
	static const char sql[] =
		"SELECT b.id, u.code, sl.starts_at, b.amount_fen FROM shop_booking b JOIN shop_slot sl ON sl.id = b.slot_id"
		" JOIN unit u ON u.id = b.unit_id WHERE sl.service_id = ?1 AND b.state = 'done' ORDER BY sl.starts_at, b.id";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	json_t *line;
	size_t i;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, x->s.id);
	if (pm_db_each(db, st, line_json, (void *)pm_db_tz(db), collect, x->lines, _("cannot read bookings"), e))
		return e->code;
	if (!(x->n = json_array_size(x->lines)))
		return pm_err_set(e, PM_EDATA, _("service '%s' has nothing done to settle"), x->s.code);
	if (!(x->gross = calloc(x->n, sizeof *x->gross)) || !(x->share = calloc(x->n, sizeof *x->share)))
		return oom(e);
	json_array_foreach(x->lines, i, line)
		x->sum += x->gross[i] = json_integer_value(json_object_get(line, "gross_fen"));
	if (shop_commission(x->s.bp, x->gross, x->n, x->share, &x->commission, e))
		return e->code;
	json_array_foreach(x->lines, i, line) {
		json_object_set_new(line, "commission_fen", json_integer(x->share[i]));
		json_object_set_new(line, "net_fen", json_integer(x->gross[i] - x->share[i]));
	}
	return PM_OK;
}

static int settle_record(struct pm_db *db, struct settle *x, const char *channel, struct pm_err *e)
{
	static const char ins[] =
		"INSERT INTO shop_service_settlement (service_id, gross_fen, commission_fen, net_fen, channel, journal_id, at)"
		" VALUES (?, ?, ?, ?, ?, ?, ?)";
	static const char upd[] =
		"UPDATE shop_booking SET state = 'settled', settlement_id = ?2, updated_at = ?3"
		" WHERE state = 'done' AND slot_id IN (SELECT id FROM shop_slot WHERE service_id = ?1)";
	sqlite3_stmt *st = pm_db_stmt(db, ins, e);
	int64_t id;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, x->s.id);
	sqlite3_bind_int64(st, 2, x->sum);
	sqlite3_bind_int64(st, 3, x->commission);
	sqlite3_bind_int64(st, 4, x->sum - x->commission);
	sqlite3_bind_text(st, 5, channel, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, x->journal);
	sqlite3_bind_int64(st, 7, pm_now());
	if (pm_db_step_done(db, st, _("cannot record the settlement"), e) || !(st = pm_db_stmt(db, upd, e)))
		return e->code;
	id = sqlite3_last_insert_rowid(pm_db_sqlite(db));
	sqlite3_bind_int64(st, 1, x->s.id);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, pm_now());
	return pm_db_step_done(db, st, _("cannot record the bookings"), e);
}

static int settle_write(struct pm_db *db, struct settle *x, const char *service, const char *channel, json_t **out,
			struct pm_err *e)
{
	char ref[80];

	if (service_get(db, service, &x->s, e) || pm_pay_channel(db, channel, e) || settle_lines(db, x, e))
		return e->code;
	snprintf(ref, sizeof ref, "service:%s", service);
	if (shop_post_settle(db, x->s.merchant, ref, x->sum, x->commission, channel, &x->journal, e) ||
	    settle_record(db, x, channel, e))
		return e->code;
	*out = json_pack("{s:s, s:n, s:n, s:n, s:I, s:I, s:I, s:s, s:s, s:I, s:s, s:I}", "type", "shop_settlement",
			 "booking", "unit", "starts_at", "gross_fen", (json_int_t)x->sum, "commission_fen",
			 (json_int_t)x->commission, "net_fen", (json_int_t)(x->sum - x->commission), "service", service,
			 "merchant", x->s.merchant, "commission_bp", (json_int_t)x->s.bp, "channel", channel, "bookings",
			 (json_int_t)x->n);
	return *out ? PM_OK : oom(e);
}

int pm_service_settle(struct pm_db *db, const char *service, const char *channel, int (*fn)(void *ctx, json_t *rec),
		      void *ctx, json_t **out, struct pm_err *e)
{
	struct settle x = {.lines = json_array()};
	char object[80];
	int rc;

	*out = NULL;
	if (!x.lines)
		return oom(e);
	snprintf(object, sizeof object, "shop_service:%s", service);
	if ((rc = pm_db_begin(db, e)) == PM_OK)
		rc = end_audited(db, settle_write(db, &x, service, channel, out, e), "shop.settle", object, NULL, out, e);
	free(x.gross);
	free(x.share);
	if (rc) {
		json_decref(x.lines);
		return rc;
	}
	return shop_tell(x.lines, fn, ctx);
}
