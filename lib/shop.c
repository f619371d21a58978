/* shop: group buying. Orders are paid like bills, idempotent on
 * (channel, ref), into the liability account merchant:CODE; close,
 * pickup and settle move that money on, each movement a journal entry
 * whose ref is "shop:OFFER". pm check keeps the orders and the ledger
 * equal (shop.merchant, shop.points in lib/check.c). */
#include <stdlib.h>
#include <string.h>

#include "pm/audit.h"
#include "pm/bill.h"
#include "pm/community.h"
#include "pm/i18n.h"
#include "pm/ledger.h"
#include "pm/money.h"
#include "pm/notify.h"
#include "pm/reward.h"
#include "pm/service.h"
#include "pm/shop.h"
#include "pm/shopcart.h"
#include "bill-internal.h"
#include "shop-internal.h"

static int oom(struct pm_err *e)
{
	return pm_err_set(e, PM_EFAIL, _("out of memory"));
}

int shop_text_valid(const char *field, const char *text, struct pm_err *e)
{
	if (pm_utf8_valid(text))
		return PM_OK;
	return pm_err_set(e, PM_EDATA, _("field '%.64s': not UTF-8 text"), field);
}

/* ---- merchants ---- */

int pm_shop_merchant_add(struct pm_db *db, const struct pm_shop_merchant *m, json_t **out, struct pm_err *e)
{
	static const char sel[] = "SELECT name, commission_bp FROM merchant WHERE code = ?1";
	static const char ins[] = "INSERT INTO merchant (code, name, commission_bp, created_at) VALUES (?, ?, ?, ?)";
	const char *outcome = "added";
	sqlite3_stmt *st;
	int rc, same;

	*out = NULL;
	if (!*m->code || !*m->name)
		return pm_err_set(e, PM_EUSAGE, _("a merchant needs a code and a name"));
	if (pm_code_valid("code", m->code, SHOP_CODE_MAX, e) || shop_text_valid("name", m->name, e))
		return e->code;
	if (m->commission_bp < 0 || m->commission_bp > 10000)
		return pm_err_set(e, PM_EUSAGE, _("--commission: %lld basis points is not between 0 and 10000"),
				  (long long)m->commission_bp);
	if (pm_db_begin(db, e))
		return e->code;
	if ((rc = pm_db_row(db, sel, m->code, &st, N_("cannot read merchants"), e)) > 0) {
		same = strcmp(TEXT(st, 0), m->name) == 0 && sqlite3_column_int64(st, 1) == m->commission_bp;
		sqlite3_reset(st);
		outcome = "existing";
		rc = same ? PM_OK
			  : pm_err_set(e, PM_EDATA, _("merchant '%s' exists with another name or commission"), m->code);
	} else if (rc == 0 && (st = pm_db_stmt(db, ins, e))) {
		sqlite3_bind_text(st, 1, m->code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, m->name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, m->commission_bp);
		sqlite3_bind_int64(st, 4, pm_now());
		rc = pm_db_step_done(db, st, _("cannot record the merchant"), e);
	} else {
		rc = e->code;
	}
	if (rc == PM_OK && !(*out = json_pack("{s:s, s:s, s:s, s:I, s:s}", "type", "merchant", "merchant", m->code,
					      "name", m->name, "commission_bp", (json_int_t)m->commission_bp,
					      "outcome", outcome)))
		rc = oom(e);
	if (rc == PM_OK && strcmp(outcome, "added") == 0)
		rc = pm_audit_log(db, "shop.merchant", m->code, NULL, *out, e);
	if ((rc = pm_db_end(db, rc, e))) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- offers ---- */

struct offer {
	int64_t id, bp, price, deadline, min_group, stock;
	char code[64], merchant[64], state[16], title[128];
};

static int offer_get(struct pm_db *db, const char *code, struct offer *o, struct pm_err *e)
{
	static const char sql[] =
		"SELECT f.id, m.code, m.commission_bp, f.price_fen, f.deadline, f.min_group, f.stock, f.state, f.title"
		" FROM shop_offer f JOIN merchant m ON m.id = f.merchant_id WHERE f.code = ?1";
	sqlite3_stmt *st;
	int rc = pm_db_row(db, sql, code, &st, N_("cannot read offers"), e);

	if (rc < 0)
		return -rc;
	if (rc == 0)
		return pm_err_set(e, PM_EDATA, _("unknown offer '%s'"), code);
	o->id = sqlite3_column_int64(st, 0);
	snprintf(o->code, sizeof o->code, "%s", code);
	snprintf(o->merchant, sizeof o->merchant, "%s", TEXT(st, 1));
	o->bp = sqlite3_column_int64(st, 2);
	o->price = sqlite3_column_int64(st, 3);
	o->deadline = sqlite3_column_int64(st, 4);
	o->min_group = sqlite3_column_int64(st, 5);
	o->stock = sqlite3_column_int64(st, 6);
	snprintf(o->state, sizeof o->state, "%s", TEXT(st, 7));
	snprintf(o->title, sizeof o->title, "%s", TEXT(st, 8));
	sqlite3_reset(st);
	return PM_OK;
}

static int offer_state(struct pm_db *db, const struct offer *o, const char *want, struct pm_err *e)
{
	if (strcmp(o->state, want) == 0)
		return PM_OK;
	return pm_err_set(e, PM_EDATA, _("offer '%s' is %s, not %s"), o->code, o->state, want);
}

static json_t *offer_json(sqlite3_stmt *st, void *rctx)
{
	int64_t stock = sqlite3_column_int64(st, 7), ordered = sqlite3_column_int64(st, 8),
		held = sqlite3_column_int64(st, 9);

	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:o, s:I, s:I, s:o, s:I, s:I, s:I, s:I, s:s, s:s, s:s}",
			 "type", "shop_offer", "offer", TEXT(st, 0), "merchant", TEXT(st, 1), "title", TEXT(st, 2),
			 "price_fen", (json_int_t)sqlite3_column_int64(st, 3), "unit_name", TEXT(st, 4),
			 "deadline", pm_db_json_time(st, 5, rctx), "min_group", (json_int_t)sqlite3_column_int64(st, 6),
			 "stock", (json_int_t)stock, "per_unit", pm_db_json_int(st, 14), "ordered", (json_int_t)ordered,
			 "held", (json_int_t)held,
			 "left", (json_int_t)(stock - ordered - held), "units", (json_int_t)sqlite3_column_int64(st, 10),
			 "pickup_point", TEXT(st, 11), "pickup_at", TEXT(st, 12), "state", TEXT(st, 13));
}

int pm_shop_offer_each(struct pm_db *db, const char *code, int (*fn)(void *ctx, json_t *rec), void *ctx,
		       struct pm_err *e)
{
	/* held: what carts hold of it now (SHOP_HOLDING), left after the orders and them. */
	static const char sql[] =
		"SELECT f.code, m.code, f.title, f.price_fen, f.unit_name, f.deadline, f.min_group, f.stock,"
		" coalesce((SELECT sum(qty) FROM shop_order o WHERE o.offer_id = f.id AND o.state <> 'refunded'), 0),"
		" coalesce((SELECT sum(c.qty) FROM shop_cart c WHERE c.offer_id = f.id AND " SHOP_HOLDING("?2") "), 0),"
		" (SELECT count(DISTINCT unit_id) FROM shop_order o WHERE o.offer_id = f.id AND o.state <> 'refunded'),"
		" f.pickup_point, f.pickup_at, f.state, f.per_unit FROM shop_offer f JOIN merchant m ON m.id = f.merchant_id"
		" WHERE ?1 IS NULL OR f.code = ?1 ORDER BY f.id DESC";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, pm_now());
	return pm_db_each(db, st, offer_json, (void *)pm_db_tz(db), fn, ctx, _("cannot read offers"), e);
}

int shop_take_one(void *ctx, json_t *rec)
{
	json_incref(rec);
	*(json_t **)ctx = rec;
	return 0;
}

static int offer_insert(struct pm_db *db, const struct pm_shop_offer *o, struct pm_err *e)
{
	static const char merchant[] = "SELECT id FROM merchant WHERE code = ?1";
	static const char sql[] =
		"INSERT INTO shop_offer (code, merchant_id, title, price_fen, unit_name, deadline, min_group, stock,"
		" pickup_point, pickup_at, created_at, per_unit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, nullif(?, 0))";
	sqlite3_stmt *st;
	int64_t id;
	int rc;

	if ((rc = pm_db_row(db, merchant, o->merchant, &st, N_("cannot read merchants"), e)) <= 0)
		return rc ? -rc : pm_err_set(e, PM_EDATA, _("unknown merchant '%s'"), o->merchant);
	id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if ((rc = pm_db_exists(db, "SELECT 1 FROM shop_offer WHERE code = ?1", o->code, N_("cannot read offers"), e)))
		return rc < 0 ? -rc : pm_err_set(e, PM_EDATA, _("offer '%s' exists"), o->code);
	/* pm-shop settle takes an offer's code or a service's: one code, one thing. */
	if ((rc = pm_db_exists(db, "SELECT 1 FROM shop_service WHERE code = ?1", o->code, N_("cannot read services"), e)))
		return rc < 0 ? -rc : pm_err_set(e, PM_EDATA, _("an offer or a service is called '%s' already"), o->code);
	if (o->deadline <= pm_now())
		return pm_err_set(e, PM_EDATA, _("offer '%s': its deadline is past"), o->code);
	if (pm_bill_bound_today(db, o->price, _("--price:"), e) || !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_text(st, 1, o->code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_text(st, 3, o->title, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, o->price);
	sqlite3_bind_text(st, 5, o->unit_name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, o->deadline);
	sqlite3_bind_int64(st, 7, o->min_group);
	sqlite3_bind_int64(st, 8, o->stock);
	sqlite3_bind_text(st, 9, o->pickup_point, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, o->pickup_at, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, pm_now());
	sqlite3_bind_int64(st, 12, o->per_unit);
	return pm_db_step_done(db, st, _("cannot record the offer"), e);
}

int pm_shop_offer_add(struct pm_db *db, const struct pm_shop_offer *o, json_t **out, struct pm_err *e)
{
	char object[80];
	int rc;

	*out = NULL;
	if (pm_code_valid("code", o->code, SHOP_CODE_MAX, e) || shop_text_valid("title", o->title, e) ||
	    shop_text_valid("unit_name", o->unit_name, e) || shop_text_valid("pickup_point", o->pickup_point, e) ||
	    shop_text_valid("pickup_at", o->pickup_at, e))
		return e->code;
	if (o->price <= 0 || o->min_group <= 0 || o->stock <= 0)
		return pm_err_set(e, PM_EUSAGE, _("an offer's price, minimum group and stock must be more than 0"));
	if (o->per_unit < 0 || o->per_unit > o->stock)
		return pm_err_set(e, PM_EUSAGE, _("a unit's limit of %lld is more than the stock of %lld"),
				  (long long)o->per_unit, (long long)o->stock);
	if (pm_db_begin(db, e))
		return e->code;
	rc = offer_insert(db, o, e);
	if (rc == PM_OK && (rc = pm_shop_offer_each(db, o->code, shop_take_one, out, e)) == PM_OK) {
		snprintf(object, sizeof object, "shop_offer:%s", o->code);
		rc = pm_audit_log(db, "shop.offer", object, NULL, *out, e);
	}
	if ((rc = pm_db_end(db, rc, e))) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- orders ---- */

static json_t *order_json(const struct pm_shop_order *o, int64_t id, int64_t amount, const char *outcome)
{
	return json_pack("{s:s, s:I, s:s, s:s, s:I, s:I, s:I, s:I, s:s, s:s, s:s}", "type", "shop_order",
			 "order", (json_int_t)id, "offer", o->offer, "unit", o->unit, "qty", (json_int_t)o->qty,
			 "amount_fen", (json_int_t)amount, "points", (json_int_t)o->points,
			 "paid_fen", (json_int_t)(amount - o->points), "channel", o->channel, "ref", o->ref,
			 "outcome", outcome);
}

/* 0 unless a web cart's payment with no order yet has (channel, ref)
 * and is not this order's: refused (held for its refund), or of another
 * offer, unit, quantity or points (the desk recording a cart's ref while
 * its callback is on its way, or stopped between claim and order); then
 * -PM_EDATA, as pm_pay_ref_used says of it. */
static int cart_other(struct pm_db *db, const struct pm_shop_order *o, struct pm_err *e)
{
	static const char sql[] =
		"SELECT 1 FROM shop_cart c JOIN shop_offer f ON f.id = c.offer_id JOIN unit u ON u.id = c.unit_id"
		" WHERE c.channel = ?1 AND c.ref = ?2 AND c.order_id IS NULL AND (c.refused IS NOT NULL"
		" OR f.code <> ?3 OR u.code <> ?4 OR c.qty <> ?5 OR c.points <> ?6)";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return -e->code;
	sqlite3_bind_text(st, 1, o->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, o->ref, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, o->offer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, o->unit, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, o->qty);
	sqlite3_bind_int64(st, 6, o->points);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return -pm_err_set(e, PM_EDATA, _("payment '%s:%s' is already a web order's payment"), o->channel, o->ref);
	return rc == SQLITE_DONE ? 0 : -pm_db_fail(db, e, _("cannot read orders"));
}

/* 1 with *out when (channel, ref) is this order already, 0 when the ref
 * is new (or its cart's), or -code: another order, a bill payment, a
 * booking or another cart's payment has it. */
static int order_known(struct pm_db *db, const struct pm_shop_order *o, json_t **out, struct pm_err *e)
{
	static const char sql[] =
		"SELECT o.id, f.code, u.code, o.qty, o.points, o.amount_fen FROM shop_order o"
		" JOIN shop_offer f ON f.id = o.offer_id JOIN unit u ON u.id = o.unit_id WHERE o.channel = ? AND o.ref = ?";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc, same = 0;

	if (!st)
		return -e->code;
	sqlite3_bind_text(st, 1, o->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, o->ref, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		same = strcmp(TEXT(st, 1), o->offer) == 0 && strcmp(TEXT(st, 2), o->unit) == 0 &&
		       sqlite3_column_int64(st, 3) == o->qty && sqlite3_column_int64(st, 4) == o->points;
		if (same && !(*out = order_json(o, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 5), "duplicate")))
			rc = SQLITE_NOMEM;
		else if (!same)
			pm_err_set(e, PM_EDATA, _("payment '%s:%s' is already order %lld: %lld of offer '%s' for unit '%s'"),
				   o->channel, o->ref, (long long)sqlite3_column_int64(st, 0),
				   (long long)sqlite3_column_int64(st, 3), TEXT(st, 1), TEXT(st, 2));
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return same ? 1 : -PM_EDATA;
	if (rc != SQLITE_DONE)
		return rc == SQLITE_NOMEM ? -oom(e) : -pm_db_fail(db, e, _("cannot read orders"));
	if ((rc = pay_ref_used(db, o->channel, o->ref, 0, e)))
		return rc;
	return cart_other(db, o, e);
}

/* What the carts hold of offer_id, of unit_id's points, and of the
 * offer for the unit at now, but the cart claimed by payment (channel,
 * ref); what the unit ordered of it in its present owners' time
 * (PM_OWNERS_FROM: the seller's orders are not the buyer's household's),
 * and its limit (0: none). */
struct shop_holds {
	int64_t qty, points, unit_qty, unit_ordered, per_unit;
};

static int shop_held(struct pm_db *db, const struct shop_want *w, struct shop_holds *h, struct pm_err *e)
{
#define HELD(what, by)                                                                                          \
	"(SELECT coalesce(sum(c." what "), 0) FROM shop_cart c JOIN shop_offer f ON f.id = c.offer_id WHERE c." by \
	" AND " SHOP_HOLDING("?3") " AND (?4 IS NULL OR c.channel IS NOT ?4 OR c.ref IS NOT ?5))"
	static const char sql[] =
		"SELECT " HELD("qty", "offer_id = ?1") ", " HELD("points", "unit_id = ?2") ","
		" " HELD("qty", "offer_id = ?1 AND c.unit_id = ?2") ","
		" (SELECT coalesce(sum(qty), 0) FROM shop_order WHERE offer_id = ?1 AND unit_id = ?2 AND state <> 'refunded'"
		"  AND at >= " PM_OWNERS_FROM("?2", "?6") "),"
		" (SELECT coalesce(per_unit, 0) FROM shop_offer WHERE id = ?1)";
#undef HELD
	char day[PM_TIME_BUF];
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, w->offer_id);
	sqlite3_bind_int64(st, 2, w->unit_id);
	sqlite3_bind_text(st, 6, pm_community_today(db, day), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, pm_now());
	sqlite3_bind_text(st, 4, w->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, w->ref, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		h->qty = sqlite3_column_int64(st, 0);
		h->points = sqlite3_column_int64(st, 1);
		h->unit_qty = sqlite3_column_int64(st, 2);
		h->unit_ordered = sqlite3_column_int64(st, 3);
		h->per_unit = sqlite3_column_int64(st, 4);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot read orders"));
}

/* want of unit's points, when held of them are held by carts. */
static int points_room(struct pm_db *db, const char *unit, int64_t want, int64_t held, struct pm_err *e)
{
	int64_t have;
	json_t *balance;

	if (want == 0)
		return PM_OK;
	if (pm_points_balance(db, unit, &balance, e))
		return e->code;
	have = (int64_t)json_integer_value(json_object_get(balance, "balance"));
	json_decref(balance);
	if (want > have - held)
		return held ? pm_err_set(e, PM_EDATA, _("unit '%s' has %lld points free, not %lld: %lld points are held by"
							" another order waiting for its payment"),
					 unit, (long long)(have - held), (long long)want, (long long)held)
			    : pm_err_set(e, PM_EDATA, _("unit '%s' has %lld points, not %lld"), unit, (long long)have,
					 (long long)want);
	return PM_OK;
}

/* Whether the unit may have w->qty more of the offer under its limit. */
static int unit_room(const struct shop_want *w, const struct shop_holds *h, struct pm_err *e)
{
	int64_t left = h->per_unit - h->unit_ordered - h->unit_qty;

	if (!h->per_unit || w->qty <= left)
		return PM_OK;
	return pm_err_set(e, PM_EDATA, _("unit '%s' may order at most %lld of offer '%s': %lld ordered and %lld held by"
					 " its orders waiting for their payment leave %lld, not %lld"),
			  w->unit, (long long)h->per_unit, w->offer, (long long)h->unit_ordered, (long long)h->unit_qty,
			  (long long)(left > 0 ? left : 0), (long long)w->qty);
}

int shop_room(struct pm_db *db, const struct shop_want *w, struct pm_err *e)
{
	struct shop_holds h = {0};

	if (shop_held(db, w, &h, e) || unit_room(w, &h, e))
		return e->code;
	if (w->qty > w->left - h.qty)
		return h.qty ? pm_err_set(e, PM_EDATA, _("offer '%s' has only %lld left, not %lld: %lld more are held by"
							 " orders waiting for their payment"),
					  w->offer, (long long)(w->left - h.qty), (long long)w->qty, (long long)h.qty)
			     : pm_err_set(e, PM_EDATA, _("offer '%s' has %lld left, not %lld"), w->offer, (long long)w->left,
					  (long long)w->qty);
	return points_room(db, w->unit, w->points, h.points, e);
}

int pm_shop_points_held(struct pm_db *db, const char *unit, int64_t *points, struct pm_err *e)
{
	struct shop_want w = {.unit = unit};
	struct shop_holds h = {0};

	*points = 0;
	if (pm_unit_id(db, unit, &w.unit_id, e) || shop_held(db, &w, &h, e))
		return e->code;
	*points = h.points;
	return PM_OK;
}

int pm_shop_points_free(struct pm_db *db, const char *unit, int64_t points, struct pm_err *e)
{
	int64_t held;

	return pm_shop_points_held(db, unit, &held, e) || points_room(db, unit, points, held, e) ? e->code : PM_OK;
}

/* Open, before its deadline, with qty left in stock and the points in
 * the unit's balance after what the carts hold. */
static int order_check(struct pm_db *db, const struct offer *f, const struct pm_shop_order *o, int64_t *unit,
		       struct pm_err *e)
{
	static const char sql[] =
		"SELECT coalesce(sum(qty), 0) FROM shop_order WHERE offer_id = ?1 AND state <> 'refunded'";
	struct shop_want w = {f->code, o->unit, o->channel, o->ref, f->id, 0, 0, o->qty, o->points};
	sqlite3_stmt *st;
	int64_t ordered = 0;

	if (offer_state(db, f, "open", e))
		return e->code;
	if (pm_now() >= f->deadline)
		return pm_err_set(e, PM_EDATA, _("offer '%s' took orders until its deadline"), f->code);
	if (pm_unit_id(db, o->unit, unit, e) || !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, f->id);
	if (pm_db_int64(db, st, &ordered, N_("cannot read orders"), e))
		return e->code;
	w.unit_id = *unit;
	w.left = f->stock - ordered;
	return shop_room(db, &w, e);
}

int shop_post(struct pm_db *db, const char *kind, const char *merchant, const char *ref, const char *channel,
	      int64_t cash, int64_t points, int sign, const char *memo, int64_t *journal, struct pm_err *e)
{
	struct pm_posting p[3];

	pm_posting_set(&p[0], "cash", channel, sign * cash);
	pm_posting_set(&p[1], "expense", "points", sign * points);
	pm_posting_set(&p[2], "merchant", merchant, -sign * (cash + points));
	return pm_ledger_post(db, kind, ref, memo, p, 3, journal, e);
}

static int post_order(struct pm_db *db, const char *kind, const struct offer *f, const char *channel,
		      int64_t cash, int64_t points, int sign, const char *memo, int64_t *journal, struct pm_err *e)
{
	char ref[80];

	snprintf(ref, sizeof ref, "shop:%s", f->code);
	return shop_post(db, kind, f->merchant, ref, channel, cash, points, sign, memo, journal, e);
}

static int order_insert(struct pm_db *db, const struct offer *f, const struct pm_shop_order *o, int64_t unit,
			int64_t amount, int64_t journal, int64_t *id, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO shop_order (offer_id, unit_id, qty, amount_fen, points, channel, ref, journal_id, at)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, f->id);
	sqlite3_bind_int64(st, 2, unit);
	sqlite3_bind_int64(st, 3, o->qty);
	sqlite3_bind_int64(st, 4, amount);
	sqlite3_bind_int64(st, 5, o->points);
	sqlite3_bind_text(st, 6, o->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, o->ref, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, journal);
	sqlite3_bind_int64(st, 9, pm_now());
	if (pm_db_step_done(db, st, _("cannot record the order"), e))
		return e->code;
	*id = sqlite3_last_insert_rowid(pm_db_sqlite(db));
	return PM_OK;
}

static int order_write(struct pm_db *db, const struct pm_shop_order *o, json_t **out, struct pm_err *e)
{
	struct offer f;
	int64_t unit, amount, journal, id = 0;
	char memo[160], detail[48], buf[PM_MONEY_BUF];
	int rc;

	if ((rc = order_known(db, o, out, e)) != 0)
		return rc < 0 ? -rc : PM_OK;
	if (offer_get(db, o->offer, &f, e) || order_check(db, &f, o, &unit, e) ||
	    pm_money_mul(f.price, 2, o->qty, 0, PM_ROUND_HALF_UP, &amount, e) || pm_bill_bound_today(db, amount, _("the order:"), e))
		return e->code;
	if (o->points > amount)
		return pm_err_set(e, PM_EDATA, _("%lld points are more than the order's %s"), (long long)o->points,
				  pm_money_fmt(amount, buf));
	/* No money moves through "points": it is no channel of payments. */
	if (strcmp(o->channel, PM_SHOP_POINTS) == 0 && o->points < amount)
		return pm_err_set(e, PM_EDATA, _("channel \"%s\" pays only an order wholly in points"), PM_SHOP_POINTS);
	if (strcmp(o->channel, PM_SHOP_POINTS) && pm_pay_channel(db, o->channel, e))
		return e->code;
	snprintf(memo, sizeof memo, "%s:%s", o->channel, o->ref);
	if (post_order(db, "shop_order", &f, o->channel, amount - o->points, o->points, 1, memo, &journal, e) ||
	    order_insert(db, &f, o, unit, amount, journal, &id, e))
		return e->code;
	snprintf(detail, sizeof detail, "shop_order:%lld", (long long)id);
	if (o->points && pm_points_use(db, o->unit, "spend", o->points, detail, e))
		return e->code;
	if (!(*out = order_json(o, id, amount, "recorded")))
		return oom(e);
	return pm_audit_log(db, "shop.order", detail, NULL, *out, e);
}

int pm_shop_order_pay(struct pm_db *db, const struct pm_shop_order *o, json_t **out, struct pm_err *e)
{
	int rc;

	*out = NULL;
	if (o->qty <= 0 || o->points < 0)
		return pm_err_set(e, PM_EUSAGE, _("an order is for 1 or more, with 0 or more points"));
	if (!*o->channel || strchr(o->channel, ':') || !*o->ref)
		return pm_err_set(e, PM_EUSAGE, _("an order is paid through a channel with its ref"));
	if (pm_pay_ref_valid("--ref", o->ref, e) || pm_db_begin(db, e))
		return e->code;
	if ((rc = pm_db_end(db, order_write(db, o, out, e), e))) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- close ---- */

/* Gives back cash and points of order id: its state, what it has given
 * back, the points to the unit (pm_points_return: a seller's order's
 * not to the buyer), the money off the merchant's account. */
static int refund(struct pm_db *db, const struct offer *f, int64_t id, const char *unit, const char *channel,
		  int64_t cash, int64_t points, const char *state, struct pm_err *e)
{
	static const char sql[] =
		"UPDATE shop_order SET refunded_fen = refunded_fen + ?2, points_returned = points_returned + ?3,"
		" state = ?4 WHERE id = ?1";
	static const char at_sql[] = "SELECT at FROM shop_order WHERE id = ?1";
	sqlite3_stmt *st;
	char detail[48];
	int64_t journal, at;

	snprintf(detail, sizeof detail, "shop_order:%lld", (long long)id);
	if ((cash || points) && post_order(db, "shop_refund", f, channel, cash, points, -1, detail, &journal, e))
		return e->code;
	if (points) {
		if (!(st = pm_db_stmt(db, at_sql, e)))
			return e->code;
		sqlite3_bind_int64(st, 1, id);
		if (pm_db_int64(db, st, &at, N_("cannot read orders"), e) ||
		    pm_points_return(db, unit, points, at, detail, e))
			return e->code;
	}
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, cash);
	sqlite3_bind_int64(st, 3, points);
	sqlite3_bind_text(st, 4, state, -1, SQLITE_STATIC);
	return pm_db_step_done(db, st, _("cannot record the refund"), e);
}

/* The offer's live orders as [id, unit, qty, amount, points, channel,
 * ref, picked], oldest first. */
static int orders(struct pm_db *db, const struct offer *f, json_t **rows, struct pm_err *e)
{
	static const char sql[] =
		"SELECT o.id, u.code, o.qty, o.amount_fen, o.points, o.channel, o.ref, o.picked FROM shop_order o"
		" JOIN unit u ON u.id = o.unit_id WHERE o.offer_id = ?1 AND o.state IN ('paid','confirmed') ORDER BY o.id";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st || !(*rows = json_array()))
		return st ? oom(e) : e->code;
	sqlite3_bind_int64(st, 1, f->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (json_array_append_new(*rows, json_pack("[I, s, I, I, I, s, s, I]",
				(json_int_t)sqlite3_column_int64(st, 0), TEXT(st, 1),
				(json_int_t)sqlite3_column_int64(st, 2), (json_int_t)sqlite3_column_int64(st, 3),
				(json_int_t)sqlite3_column_int64(st, 4), TEXT(st, 5), TEXT(st, 6),
				(json_int_t)sqlite3_column_int64(st, 7))))
			break;
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return PM_OK;
	json_decref(*rows);
	*rows = NULL;
	return rc == SQLITE_ROW ? oom(e) : pm_db_fail(db, e, _("cannot read orders"));
}

#define ROW_INT(r, i) ((int64_t)json_integer_value(json_array_get((r), (i))))
#define ROW_STR(r, i) json_string_value(json_array_get((r), (i)))

static int fail_one(struct pm_db *db, struct pm_notify *n, const struct offer *f, json_t *row, json_t *done,
		    struct pm_err *e)
{
	int64_t amount = ROW_INT(row, 3), points = ROW_INT(row, 4);
	struct pm_notify_counts counts = {0};
	json_t *rec;
	int rc;

	if (refund(db, f, ROW_INT(row, 0), ROW_STR(row, 1), ROW_STR(row, 5), amount - points, points, "refunded", e))
		return e->code;
	rec = json_pack("{s:s, s:I, s:s, s:s, s:s, s:I, s:I, s:s, s:s}", "type", "shop_refund", "order",
			(json_int_t)ROW_INT(row, 0), "offer", f->code, "title", f->title, "unit", ROW_STR(row, 1),
			"paid_fen", (json_int_t)(amount - points), "points", (json_int_t)points, "channel",
			ROW_STR(row, 5), "ref", ROW_STR(row, 6));
	if (!rec)
		return oom(e);
	/* A unit with no owner or tenant on file is refunded all the same:
	 * the record says no one was told. */
	rc = pm_notify_queue(n, "shop_refund", -1, rec, &counts, e);
	json_object_del(rec, "title");
	json_object_set_new(rec, "told", json_boolean(rc == PM_OK));
	if (rc && rc != PM_EDATA) {
		json_decref(rec);
		return rc;
	}
	return json_array_append_new(done, rec) ? oom(e) : PM_OK;
}

static int close_fail(struct pm_db *db, const struct offer *f, json_t *rows, json_t *done, struct pm_err *e)
{
	struct pm_notify *n;
	json_t *row;
	size_t i;
	int rc;

	if (pm_notify_open(db, &n, e))
		return e->code;
	rc = PM_OK;
	json_array_foreach(rows, i, row)
		if ((rc = fail_one(db, n, f, row, done, e)))
			break;
	pm_notify_close(n);
	return rc;
}

static int set_state(struct pm_db *db, const struct offer *f, const char *offer_state_to, const char *order_state,
		     struct pm_err *e)
{
	static const char offer_sql[] = "UPDATE shop_offer SET state = ?2, closed_at = coalesce(closed_at, ?3) WHERE id = ?1";
	static const char order_sql[] =
		"UPDATE shop_order SET state = ?2 WHERE offer_id = ?1 AND state IN ('paid','confirmed')";
	sqlite3_stmt *st = pm_db_stmt(db, offer_sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, f->id);
	sqlite3_bind_text(st, 2, offer_state_to, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, pm_now());
	if (pm_db_step_done(db, st, _("cannot record the offer"), e) || !(st = pm_db_stmt(db, order_sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, f->id);
	sqlite3_bind_text(st, 2, order_state, -1, SQLITE_STATIC);
	return pm_db_step_done(db, st, _("cannot record the orders"), e);
}

static int count_units(json_t *rows)
{
	json_t *seen = json_object(), *row;
	size_t i;
	int n;

	json_array_foreach(rows, i, row)
		json_object_set_new(seen, ROW_STR(row, 1), json_true());
	n = (int)json_object_size(seen);
	json_decref(seen);
	return n;
}

static int collect(void *ctx, json_t *rec)
{
	return json_array_append(ctx, rec) ? PM_EFAIL : 0;
}

static int close_write(struct pm_db *db, const char *code, json_t *done, const char **state, struct pm_err *e)
{
	struct offer f;
	json_t *rows = NULL, *after;
	char object[80], when[PM_TIME_BUF];
	int units, rc;

	if (offer_get(db, code, &f, e) || offer_state(db, &f, "open", e))
		return e->code;
	if (pm_now() < f.deadline)
		return pm_err_set(e, PM_EDATA, _("offer '%s' takes orders until %s"), code,
				  pm_time_fmt(f.deadline, pm_db_tz(db), when));
	if (orders(db, &f, &rows, e))
		return e->code;
	units = count_units(rows);
	*state = units >= f.min_group ? "formed" : "failed";
	if (units >= f.min_group)
		rc = set_state(db, &f, "formed", "confirmed", e) || pm_shop_pickup_list(db, code, collect, done, e);
	else
		rc = close_fail(db, &f, rows, done, e) || set_state(db, &f, "failed", "refunded", e);
	json_decref(rows);
	if (rc)
		return e->code;
	snprintf(object, sizeof object, "shop_offer:%s", code);
	after = json_pack("{s:s, s:i, s:I, s:I}", "state", *state, "units", units, "min_group",
			  (json_int_t)f.min_group, "orders", (json_int_t)json_array_size(done));
	rc = after ? pm_audit_log(db, "shop.close", object, NULL, after, e) : oom(e);
	json_decref(after);
	return rc;
}

int shop_tell(json_t *done, int (*fn)(void *ctx, json_t *rec), void *ctx)
{
	json_t *rec;
	size_t i;
	int rc = 0;

	json_array_foreach(done, i, rec)
		if (fn && (rc = fn(ctx, rec)))
			break;
	json_decref(done);
	return rc;
}

int pm_shop_close(struct pm_db *db, const char *offer, int (*fn)(void *ctx, json_t *rec), void *ctx,
		  const char **state, struct pm_err *e)
{
	json_t *done = json_array();

	if (!done)
		return oom(e);
	if (pm_db_begin(db, e) || pm_db_end(db, close_write(db, offer, done, state, e), e)) {
		json_decref(done);
		return e->code;
	}
	return shop_tell(done, fn, ctx);
}

/* ---- pickup ---- */

static json_t *pickup_json(sqlite3_stmt *st, void *rctx)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s}", "type", "shop_pickup", "building", TEXT(st, 0),
			 "unit", TEXT(st, 1), "qty", (json_int_t)sqlite3_column_int64(st, 2),
			 "picked", (json_int_t)sqlite3_column_int64(st, 3), "pickup_point", TEXT(st, 4),
			 "pickup_at", TEXT(st, 5));
}

static int pickup_each(struct pm_db *db, const char *offer, const char *unit, int (*fn)(void *ctx, json_t *rec),
		       void *ctx, struct pm_err *e)
{
	static const char sql[] =
		"SELECT b.code, u.code, sum(o.qty), sum(o.picked), f.pickup_point, f.pickup_at FROM shop_order o"
		" JOIN shop_offer f ON f.id = o.offer_id JOIN unit u ON u.id = o.unit_id JOIN building b ON b.id = u.building_id"
		" WHERE f.code = ?1 AND o.state IN ('confirmed','settled') AND (?2 IS NULL OR u.code = ?2)"
		" GROUP BY u.id ORDER BY b.code, u.code";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, offer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, unit, -1, SQLITE_STATIC);
	return pm_db_each(db, st, pickup_json, NULL, fn, ctx, _("cannot read orders"), e);
}

int pm_shop_pickup_list(struct pm_db *db, const char *offer, int (*fn)(void *ctx, json_t *rec), void *ctx,
			struct pm_err *e)
{
	struct offer f;

	if (offer_get(db, offer, &f, e))
		return e->code;
	if (strcmp(f.state, "formed") && strcmp(f.state, "settled"))
		return pm_err_set(e, PM_EDATA, _("offer '%s' is %s: it has no pickup list"), offer, f.state);
	return pickup_each(db, offer, NULL, fn, ctx, e);
}

static int pickup_write(struct pm_db *db, const char *offer, const char *unit, int64_t qty, json_t **out,
			struct pm_err *e)
{
	static const char sel[] =
		"SELECT o.id, o.qty - o.picked FROM shop_order o JOIN unit u ON u.id = o.unit_id"
		" WHERE o.offer_id = ?1 AND u.code = ?2 AND o.state = 'confirmed' AND o.picked < o.qty ORDER BY o.id";
	static const char upd[] = "UPDATE shop_order SET picked = picked + ?2 WHERE id = ?1";
	int64_t left = 0, take, ids[64], room[64];
	struct offer f;
	sqlite3_stmt *st;
	char object[160];
	size_t n = 0;
	int rc;

	if (offer_get(db, offer, &f, e) || offer_state(db, &f, "formed", e) || !(st = pm_db_stmt(db, sel, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, f.id);
	sqlite3_bind_text(st, 2, unit, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < sizeof ids / sizeof *ids) {
		ids[n] = sqlite3_column_int64(st, 0);
		room[n] = sqlite3_column_int64(st, 1);
		left += room[n++];
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return pm_db_fail(db, e, _("cannot read orders"));
	if (qty > left)
		return pm_err_set(e, PM_EDATA, _("unit '%s' has %lld of offer '%s' to pick up, not %lld"), unit,
				  (long long)left, offer, (long long)qty);
	for (size_t i = 0; i < n && qty > 0; i++, qty -= take) {
		take = qty < room[i] ? qty : room[i];
		if (!(st = pm_db_stmt(db, upd, e)))
			return e->code;
		sqlite3_bind_int64(st, 1, ids[i]);
		sqlite3_bind_int64(st, 2, take);
		if (pm_db_step_done(db, st, _("cannot record the pickup"), e))
			return e->code;
	}
	if (pickup_each(db, offer, unit, shop_take_one, out, e))
		return e->code;
	snprintf(object, sizeof object, "shop_offer:%s:%s", offer, unit);
	return pm_audit_log(db, "shop.pickup", object, NULL, *out, e);
}

int pm_shop_pickup(struct pm_db *db, const char *offer, const char *unit, int64_t qty, json_t **out,
		   struct pm_err *e)
{
	int rc;

	*out = NULL;
	if (qty <= 0)
		return pm_err_set(e, PM_EUSAGE, _("--qty: must be more than 0"));
	if (pm_db_begin(db, e))
		return e->code;
	if ((rc = pm_db_end(db, pickup_write(db, offer, unit, qty, out, e), e))) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- settle ---- */

int shop_commission(int64_t bp, const int64_t *gross, size_t n, int64_t *share, int64_t *total, struct pm_err *e)
{
	int64_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += gross[i];
	if (pm_money_mul(sum, 2, bp, 4, PM_ROUND_HALF_UP, total, e))
		return e->code;
	if (n && pm_money_split(*total, gross, n, share))
		return pm_err_set(e, PM_ESOFTWARE, _("cannot share the commission"));
	return PM_OK;
}

int shop_post_settle(struct pm_db *db, const char *merchant, const char *ref, int64_t gross, int64_t commission,
		     const char *channel, int64_t *journal, struct pm_err *e)
{
	struct pm_posting p[3];

	pm_posting_set(&p[0], "merchant", merchant, gross);
	pm_posting_set(&p[1], "income", "shop_commission", -commission);
	pm_posting_set(&p[2], "cash", channel, -(gross - commission));
	return pm_ledger_post(db, "shop_settle", ref, merchant, p, 3, journal, e);
}


struct settle {
	struct offer f;
	json_t *rows, *lines;
	int64_t *gross, gross_sum, commission, refunded, points, qty, picked;
};

/* What order row did not pick up given back: its points shared between
 * what was and what was not picked up (largest remainder), the rest of
 * the refund in cash. */
static int settle_refund(struct pm_db *db, struct settle *s, json_t *row, int64_t *back, int64_t *points,
			 struct pm_err *e)
{
	int64_t qty = ROW_INT(row, 2), picked = ROW_INT(row, 7), w[2] = {picked, qty - picked}, share[2];

	*back = (qty - picked) * s->f.price;
	*points = 0;
	if (*back == 0)
		return PM_OK;
	if (pm_money_split(ROW_INT(row, 4), w, 2, share))
		return pm_err_set(e, PM_ESOFTWARE, _("cannot share the points of order %lld"), (long long)ROW_INT(row, 0));
	*points = share[1];
	s->refunded += *back;
	s->points += *points;
	return refund(db, &s->f, ROW_INT(row, 0), ROW_STR(row, 1), ROW_STR(row, 5), *back - *points, *points,
		      "confirmed", e);
}

/* Each order's gross and refund, then the commission shared by gross. */
static int settle_lines(struct pm_db *db, struct settle *s, struct pm_err *e)
{
	size_t n = json_array_size(s->rows), i;
	int64_t *share, back, points;
	json_t *row, *line;

	if (!(s->gross = calloc(n + 1, sizeof *s->gross)) || !(share = calloc(n + 1, sizeof *share)))
		return oom(e);
	json_array_foreach(s->rows, i, row) {
		if (settle_refund(db, s, row, &back, &points, e)) {
			free(share);
			return e->code;
		}
		s->gross[i] = ROW_INT(row, 7) * s->f.price;
		s->qty += ROW_INT(row, 2);
		s->picked += ROW_INT(row, 7);
		s->gross_sum += s->gross[i];
		json_array_append_new(s->lines, json_pack("{s:s, s:I, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			"type", "shop_statement", "order", (json_int_t)ROW_INT(row, 0), "unit", ROW_STR(row, 1),
			"qty", (json_int_t)ROW_INT(row, 2), "picked", (json_int_t)ROW_INT(row, 7),
			"gross_fen", (json_int_t)s->gross[i], "commission_fen", (json_int_t)0, "net_fen", (json_int_t)0,
			"refund_fen", (json_int_t)(back - points), "points_returned", (json_int_t)points));
	}
	if (shop_commission(s->f.bp, s->gross, n, share, &s->commission, e)) {
		free(share);
		return e->code;
	}
	json_array_foreach(s->lines, i, line) {
		json_object_set_new(line, "commission_fen", json_integer(share[i]));
		json_object_set_new(line, "net_fen", json_integer(s->gross[i] - share[i]));
	}
	free(share);
	return PM_OK;
}

static int settle_record(struct pm_db *db, struct settle *s, const char *channel, int64_t journal,
			 struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO shop_settlement (offer_id, gross_fen, commission_fen, net_fen, refunded_fen, channel,"
		" journal_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, s->f.id);
	sqlite3_bind_int64(st, 2, s->gross_sum);
	sqlite3_bind_int64(st, 3, s->commission);
	sqlite3_bind_int64(st, 4, s->gross_sum - s->commission);
	sqlite3_bind_int64(st, 5, s->refunded);
	sqlite3_bind_text(st, 6, channel, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, journal);
	sqlite3_bind_int64(st, 8, pm_now());
	return pm_db_step_done(db, st, _("cannot record the settlement"), e);
}

static int settle_write(struct pm_db *db, struct settle *s, const char *offer, const char *channel, json_t **out,
			struct pm_err *e)
{
	char ref[80];
	int64_t journal;

	if (offer_get(db, offer, &s->f, e) || offer_state(db, &s->f, "formed", e) || pm_pay_channel(db, channel, e) ||
	    orders(db, &s->f, &s->rows, e) || settle_lines(db, s, e))
		return e->code;
	snprintf(ref, sizeof ref, "shop:%s", offer);
	if (shop_post_settle(db, s->f.merchant, ref, s->gross_sum, s->commission, channel, &journal, e) ||
	    settle_record(db, s, channel, journal, e) || set_state(db, &s->f, "settled", "settled", e))
		return e->code;
	/* The total has the lines' columns first, so that it stays whole in
	 * a CSV file after them. */
	*out = json_pack("{s:s, s:n, s:n, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:I, s:s}", "type",
			 "shop_settlement", "order", "unit", "qty", (json_int_t)s->qty, "picked", (json_int_t)s->picked,
			 "gross_fen", (json_int_t)s->gross_sum, "commission_fen", (json_int_t)s->commission, "net_fen",
			 (json_int_t)(s->gross_sum - s->commission), "refund_fen", (json_int_t)(s->refunded - s->points),
			 "points_returned", (json_int_t)s->points, "offer", offer, "merchant", s->f.merchant,
			 "commission_bp", (json_int_t)s->f.bp, "channel", channel);
	if (!*out)
		return oom(e);
	snprintf(ref, sizeof ref, "shop_offer:%s", offer);
	return pm_audit_log(db, "shop.settle", ref, NULL, *out, e);
}

int pm_shop_settle(struct pm_db *db, const char *offer, const char *channel, int (*fn)(void *ctx, json_t *rec),
		   void *ctx, json_t **out, struct pm_err *e)
{
	struct settle s = {.lines = json_array()};
	int rc;

	*out = NULL;
	if (!s.lines)
		return oom(e);
	if ((rc = pm_db_exists(db, "SELECT 1 FROM shop_service WHERE code = ?1", offer, N_("cannot read services"), e))) {
		json_decref(s.lines);
		return rc < 0 ? -rc : pm_service_settle(db, offer, channel, fn, ctx, out, e);
	}
	if ((rc = pm_db_begin(db, e)) == PM_OK)
		rc = pm_db_end(db, settle_write(db, &s, offer, channel, out, e), e);
	free(s.gross);
	json_decref(s.rows);
	if (rc) {
		json_decref(s.lines);
		json_decref(*out);
		*out = NULL;
		return rc;
	}
	return shop_tell(s.lines, fn, ctx);
}
