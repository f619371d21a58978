/* shopcart: group-buying orders made on the web. A cart holds what an
 * owner asked for until its payment's callback claims it and records the
 * order through pm_shop_order_pay: the claim and the order are two
 * transactions, since pm_shop_order_pay is one of its own, and the claim
 * comes first so that a second payment of the same cart is refused
 * instead of making a second order. */
#include <string.h>

#include "pm/audit.h"
#include "pm/community.h"
#include "pm/config.h"
#include "pm/bill.h"
#include "pm/i18n.h"
#include "pm/jsonl.h"
#include "pm/ledger.h"
#include "pm/money.h"
#include "pm/reward.h"
#include "pm/session.h"
#include "pm/shop.h"
#include "pm/shopcart.h"
#include "bill-internal.h"
#include "shop-internal.h"

static int oom(struct pm_err *e)
{
	return pm_err_set(e, PM_EFAIL, _("out of memory"));
}

int pm_shop_may(struct pm_db *db, const struct pm_actor *a, const char *unit, int buy, struct pm_err *e)
{
	if (a->role == PM_ROLE_OWNER)
		return pm_auth_check(a, "shop.buy", e) || pm_unit_may_read(db, a, unit, e) ? e->code : PM_OK;
	if (buy)
		return pm_err_set(e, PM_ENOPERM, _("only an owner orders on the web: the desk takes orders with pm-shop order"));
	return pm_auth_check(a, "shop.read", e);
}

/* ---- a new cart ---- */

/* The open offer, its price and what is left of its stock. */
struct offer {
	int64_t id, price, left;
};

static int offer_open(struct pm_db *db, const char *code, struct offer *o, struct pm_err *e)
{
	static const char sql[] =
		"SELECT f.id, f.price_fen, f.stock - coalesce((SELECT sum(qty) FROM shop_order o"
		" WHERE o.offer_id = f.id AND o.state <> 'refunded'), 0), f.state = 'open' AND f.deadline > ?2"
		" FROM shop_offer f WHERE f.code = ?1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc, open = 0;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, pm_now());
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		o->id = sqlite3_column_int64(st, 0);
		o->price = sqlite3_column_int64(st, 1);
		o->left = sqlite3_column_int64(st, 2);
		open = sqlite3_column_int(st, 3);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return pm_err_set(e, PM_EDATA, _("unknown offer '%s'"), code);
	if (rc != SQLITE_ROW)
		return pm_db_fail(db, e, _("cannot read offers"));
	return open ? PM_OK : pm_err_set(e, PM_EDATA, _("offer '%s' takes no more orders"), code);
}

/* What the cart may have, after what other carts hold (shop_room): qty
 * of the stock left, the points of the unit's balance; the amount
 * within billing.max_amount, the points below it. */
static int cart_amounts(struct pm_db *db, const struct pm_shop_cart *c, const struct offer *o, int64_t *amount,
			struct pm_err *e)
{
	struct shop_want w = {c->offer, c->unit, NULL, NULL, o->id, 0, o->left, c->qty, c->points};
	struct pm_config *cfg;
	json_t *billing;
	char buf[PM_MONEY_BUF];
	int rc;

	if (pm_unit_id(db, c->unit, &w.unit_id, e) || shop_room(db, &w, e))
		return e->code;
	if (pm_money_mul(o->price, 2, c->qty, 0, PM_ROUND_HALF_UP, amount, e) ||
	    pm_billing_config(db, pm_db_today(db), &cfg, &billing, e))
		return e->code;
	rc = pm_bill_bound(billing, *amount, _("the order:"), e);
	json_decref(billing);
	pm_config_free(cfg);
	if (rc)
		return e->code;
	if (c->points > *amount)
		return pm_err_set(e, PM_EDATA, _("%lld points are more than the order's %s"), (long long)c->points,
				  pm_money_fmt(*amount, buf));
	return PM_OK;
}

/* How long a new cart holds its stock and points: shop.cart_hold. */
static int hold_seconds(struct pm_db *db, int64_t *secs, struct pm_err *e)
{
	json_t *shop;

	if (pm_config_today(db, "shop", &shop, e))
		return e->code;
	*secs = (int64_t)json_integer_value(json_object_get(shop, "cart_hold"));
	json_decref(shop);
	return PM_OK;
}

static int cart_insert(struct pm_db *db, const struct pm_actor *a, const struct pm_shop_cart *c, char *no,
		       struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO shop_cart (no, offer_id, unit_id, qty, amount_fen, points, login, created_at, hold_until, nonce)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	char token[PM_SESSION_TOKEN];
	struct offer o = {0};
	int64_t unit, amount, hold = 0;
	sqlite3_stmt *st;

	if (offer_open(db, c->offer, &o, e) || pm_unit_id(db, c->unit, &unit, e) || cart_amounts(db, c, &o, &amount, e) ||
	    hold_seconds(db, &hold, e) || pm_session_token(token, e) || !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	snprintf(no, PM_SHOP_CART_NO, "SO%.16s", token);
	sqlite3_bind_text(st, 1, no, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, o.id);
	sqlite3_bind_int64(st, 3, unit);
	sqlite3_bind_int64(st, 4, c->qty);
	sqlite3_bind_int64(st, 5, amount);
	sqlite3_bind_int64(st, 6, c->points);
	sqlite3_bind_text(st, 7, a->login, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, pm_now());
	sqlite3_bind_int64(st, 9, pm_now() + hold);
	sqlite3_bind_text(st, 10, c->nonce, -1, SQLITE_STATIC);
	return pm_db_step_done(db, st, _("cannot record the order"), e);
}

static int cart_record(struct pm_db *db, const char *no, json_t **out, int64_t *made, struct pm_err *e);

/* Whether the points pay all of the cart (or its form made an order
 * already): read before its transaction,
 * since an order wholly in points is recorded by pm_shop_order_pay in a
 * transaction of its own, which checks all of it again. */
static int cart_whole(struct pm_db *db, const struct pm_shop_cart *c, int *whole, struct pm_err *e)
{
	struct offer o = {0};
	int64_t amount;
	int rc;

	/* The form sent again once its points are spent: the same order. */
	if (c->nonce && (rc = pm_db_exists(db, "SELECT 1 FROM shop_order WHERE channel = '" PM_SHOP_POINTS "' AND ref = ?1",
					   c->nonce, N_("cannot read orders"), e)))
		return rc < 0 ? -rc : (*whole = 1, PM_OK);
	if (offer_open(db, c->offer, &o, e) || cart_amounts(db, c, &o, &amount, e))
		return e->code;
	*whole = c->points == amount;
	return PM_OK;
}

/* Whether nonce is an order form's: 16 to 64 hexadecimal digits. */
static int nonce_ok(const char *nonce)
{
	size_t n = nonce ? strlen(nonce) : 0;

	return n >= 16 && n <= 64 && strspn(nonce, "0123456789abcdef") == n;
}

/* An order wholly in points, with no payment to wait for: recorded at
 * once through channel "points", its ref the order form's nonce, so that
 * the same form sent twice is one order. */
static int points_order(struct pm_db *db, const struct pm_shop_cart *c, json_t **out, struct pm_err *e)
{
	struct pm_shop_order o = {c->offer, c->unit, PM_SHOP_POINTS, c->nonce, c->qty, c->points};

	if (!nonce_ok(c->nonce))
		return pm_err_set(e, PM_EUSAGE, _("an order paid wholly in points needs its form's nonce"));
	return pm_shop_order_pay(db, &o, out, e);
}

/* 1 and its number in no when c's form (its nonce) made a cart already,
 * 0 when not, -code on error. The same form sent again (a double click,
 * a reload, a replay) is that cart, holding nothing more; the form's
 * nonce sent with another order is refused, not taken for it. */
static int cart_again(struct pm_db *db, const struct pm_shop_cart *c, char *no, struct pm_err *e)
{
	static const char sql[] = "SELECT c.no, f.code = ?2 AND u.code = ?3 AND c.qty = ?4 AND c.points = ?5"
				  " FROM shop_cart c JOIN shop_offer f ON f.id = c.offer_id JOIN unit u ON u.id = c.unit_id"
				  " WHERE c.nonce = ?1";
	sqlite3_stmt *st;
	int rc, same = 0;

	if (!c->nonce)
		return 0;
	if (!(st = pm_db_stmt(db, sql, e)))
		return -e->code;
	sqlite3_bind_text(st, 1, c->nonce, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->offer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->unit, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, c->qty);
	sqlite3_bind_int64(st, 5, c->points);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(no, PM_SHOP_CART_NO, "%s", TEXT(st, 0));
		same = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return -pm_db_fail(db, e, _("cannot read orders"));
	return same ? 1 : -pm_err_set(e, PM_EDATA, _("this order form was sent already, for another order: load the form again"));
}

int pm_shop_cart_new(struct pm_db *db, const struct pm_actor *a, const struct pm_shop_cart *c, json_t **out,
		     struct pm_err *e)
{
	char no[PM_SHOP_CART_NO], object[32];
	int rc, again, whole = 0;

	*out = NULL;
	if (c->qty <= 0 || c->qty > 9999 || c->points < 0)
		return pm_err_set(e, PM_EUSAGE, _("an order is for 1 to 9999, with 0 or more points"));
	if (c->nonce && !nonce_ok(c->nonce))
		return pm_err_set(e, PM_EUSAGE, _("an order form's nonce is 16 to 64 hexadecimal digits: load the form again"));
	if (pm_shop_may(db, a, c->unit, 1, e))
		return e->code;
	/* Before the stock and points are asked again: the form sent again
	 * once they are held by its own cart still finds that cart. */
	if ((rc = cart_again(db, c, no, e)))
		return rc < 0 ? -rc : cart_record(db, no, out, NULL, e);
	if (cart_whole(db, c, &whole, e))
		return e->code;
	if (whole)
		return points_order(db, c, out, e);
	if (pm_db_begin(db, e))
		return e->code;
	/* Again in the transaction: two sends at once make one cart. */
	if ((again = cart_again(db, c, no, e)) == 0)
		rc = cart_insert(db, a, c, no, e);
	else
		rc = again < 0 ? -again : PM_OK;
	if (rc == PM_OK && (rc = cart_record(db, no, out, NULL, e)) == PM_OK && !again) {
		snprintf(object, sizeof object, "shop_cart:%s", no);
		rc = pm_audit_log(db, "shop.cart", object, NULL, *out, e);
	}
	if ((rc = pm_db_end(db, rc, e))) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- reading a cart ---- */

static const char cart_sql[] =
	"SELECT c.no, f.code, f.title, u.code, c.qty, f.unit_name, f.price_fen, c.amount_fen, c.points, f.deadline,"
	" f.state, CASE WHEN c.order_id IS NOT NULL THEN 'paid' WHEN c.refunded_at IS NOT NULL THEN 'refunded'"
	" WHEN c.refused IS NOT NULL THEN 'refused'"
	" WHEN c.channel IS NOT NULL THEN 'claimed' ELSE 'pending' END, c.order_id, c.refused, c.created_at,"
	" c.channel, c.ref, c.hold_until, " SHOP_HOLDING("?2") " FROM shop_cart c JOIN shop_offer f ON f.id = c.offer_id JOIN unit u ON u.id = c.unit_id"
	" WHERE c.no = ?1";

static json_t *cart_json(sqlite3_stmt *st, void *rctx)
{
	json_t *order = sqlite3_column_type(st, 12) == SQLITE_NULL ? json_null()
								   : json_integer(sqlite3_column_int64(st, 12));

	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:I, s:I, s:I, s:I, s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:b}",
			 "type", "shop_cart", "cart", TEXT(st, 0), "offer", TEXT(st, 1), "title", TEXT(st, 2),
			 "unit", TEXT(st, 3), "qty", (json_int_t)sqlite3_column_int64(st, 4), "unit_name", TEXT(st, 5),
			 "price_fen", (json_int_t)sqlite3_column_int64(st, 6),
			 "amount_fen", (json_int_t)sqlite3_column_int64(st, 7),
			 "points", (json_int_t)sqlite3_column_int64(st, 8),
			 "pay_fen", (json_int_t)(sqlite3_column_int64(st, 7) - sqlite3_column_int64(st, 8)),
			 "deadline", pm_db_json_time(st, 9, rctx), "offer_state", TEXT(st, 10), "state", TEXT(st, 11),
			 "order", order, "refused", pm_db_json_text(st, 13), "created", pm_db_json_time(st, 14, rctx),
			 "hold_until", pm_db_json_time(st, 17, rctx), "holding", sqlite3_column_int(st, 18));
}

/* As pm_db_row: cart no's row of cart_sql, whether it holds now. */
static int cart_row(struct pm_db *db, const char *no, sqlite3_stmt **st, struct pm_err *e)
{
	int rc;

	if (!(*st = pm_db_stmt(db, cart_sql, e)))
		return -e->code;
	sqlite3_bind_text(*st, 1, no, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(*st, 2, pm_now());
	if ((rc = sqlite3_step(*st)) == SQLITE_ROW)
		return 1;
	sqlite3_reset(*st);
	return rc == SQLITE_DONE ? 0 : -pm_db_fail(db, e, _("cannot read orders"));
}

/* Cart no's record in *out and, when made is not NULL, when it was made. */
static int cart_record(struct pm_db *db, const char *no, json_t **out, int64_t *made, struct pm_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cart_row(db, no, &st, e)) <= 0)
		return rc ? -rc : pm_err_set(e, PM_ENOPERM, _("no order '%s' of yours"), no);
	if (made)
		*made = sqlite3_column_int64(st, 14);
	*out = cart_json(st, (void *)pm_db_tz(db));
	sqlite3_reset(st);
	return *out ? PM_OK : oom(e);
}

int pm_shop_cart_get(struct pm_db *db, const struct pm_actor *a, const char *no, json_t **out, struct pm_err *e)
{
	const char *unit;
	int64_t made, from;

	*out = NULL;
	if (cart_record(db, no, out, &made, e))
		return e->code;
	unit = json_string_value(json_object_get(*out, "unit"));
	/* An owner's own time in the unit, as pm_shop_mine_each lists: a
	 * buyer may order for the unit now, but not read the seller's carts. */
	if (pm_shop_may(db, a, unit, 0, e) || pm_unit_may_read_from(db, a, unit, &from, e) || made < from) {
		json_decref(*out);
		*out = NULL;
		/* Another's cart is told as one that is not there. */
		return pm_err_set(e, PM_ENOPERM, _("no order '%s' of yours"), no);
	}
	return PM_OK;
}

/* ---- the payment's callback ---- */

struct claim {
	const char *no, *channel, *ref;
	int64_t amount;
	json_t *cart;   /* its record after the claim */
	char channel_had[64], ref_had[128];
};

/* The cart claimed for this payment: PM_OK when it is now (or already
 * was) this payment's, PM_EDATA when the payment does not fit it. */
static int claim_write(struct pm_db *db, struct claim *c, struct pm_err *e)
{
	static const char upd[] = "UPDATE shop_cart SET channel = ?2, ref = ?3 WHERE no = ?1 AND channel IS NULL";
	sqlite3_stmt *st;
	char want[PM_MONEY_BUF], got[PM_MONEY_BUF];
	int rc;

	if ((rc = cart_row(db, c->no, &st, e)) <= 0)
		return rc ? -rc : pm_err_set(e, PM_EDATA, _("unknown order '%s'"), c->no);
	snprintf(c->channel_had, sizeof c->channel_had, "%s", TEXT(st, 15) ? TEXT(st, 15) : "");
	snprintf(c->ref_had, sizeof c->ref_had, "%s", TEXT(st, 16) ? TEXT(st, 16) : "");
	if (sqlite3_column_int64(st, 7) - sqlite3_column_int64(st, 8) != c->amount) {
		rc = pm_err_set(e, PM_EDATA, _("order '%s' is for %s, not %s"), c->no,
				pm_money_fmt(sqlite3_column_int64(st, 7) - sqlite3_column_int64(st, 8), want),
				pm_money_fmt(c->amount, got));
		sqlite3_reset(st);
		return rc;
	}
	sqlite3_reset(st);
	if (c->channel_had[0])
		return strcmp(c->channel_had, c->channel) == 0 && strcmp(c->ref_had, c->ref) == 0 ? PM_OK
		       : pm_err_set(e, PM_EDATA, _("order '%s' is paid already, by '%s:%s'"), c->no, c->channel_had,
				    c->ref_had);
	/* A ref anything else has (a bill payment, an order, another cart's
	 * payment, a booking, a deposit, a contract's payment): the shop
	 * would refuse it, and the cart must stay free for its own payment,
	 * holding nothing of a payment counted already. */
	if ((rc = pm_pay_ref_used(db, c->channel, c->ref, e)) < 0)
		return -rc;
	if (!(st = pm_db_stmt(db, upd, e)))
		return e->code;
	sqlite3_bind_text(st, 1, c->no, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->ref, -1, SQLITE_STATIC);
	return pm_db_step_done(db, st, _("cannot record the order"), e);
}

/* The refused payment of cart no, fen by channel: held for its owner
 * when refused (sign +1), given back by the same channel when refunded
 * (-1), as a failed group's refunds are (lib/shop.c). */
static int cart_post(struct pm_db *db, const char *kind, const char *no, const char *channel, const char *memo,
		     int64_t fen, int sign, int64_t *journal, struct pm_err *e)
{
	struct pm_posting p[2];
	char ref[32];

	snprintf(ref, sizeof ref, "shop_cart:%s", no);
	pm_posting_set(&p[0], "cash", channel, sign * fen);
	pm_posting_set(&p[1], "payable", "shop_cart", -sign * fen);
	return pm_ledger_post(db, kind, ref, memo, p, 2, journal, e);
}

/* The payment of claimed cart c refused: why, and the money held for
 * its owner until pm-shop refund. Only the first of two callbacks
 * racing here refuses it: the other finds it refused. */
static int refuse_cart(struct pm_db *db, const struct claim *c, const char *refused, struct pm_err *e)
{
	static const char refuse[] =
		"UPDATE shop_cart SET refused = ?2 WHERE no = ?1 AND order_id IS NULL AND refused IS NULL";
	static const char held[] = "UPDATE shop_cart SET received_journal_id = ?2 WHERE no = ?1";
	sqlite3_stmt *st = pm_db_stmt(db, refuse, e);
	char object[32], memo[200];
	int64_t journal;
	json_t *rec;
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, c->no, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, refused, -1, SQLITE_STATIC);
	if (pm_db_step_done(db, st, _("cannot record the order"), e))
		return e->code;
	if (sqlite3_changes(pm_db_sqlite(db)) == 0)
		return PM_OK;
	snprintf(memo, sizeof memo, "%s:%s", c->channel, c->ref);
	if (cart_post(db, "shop_cart_refused", c->no, c->channel, memo, c->amount, 1, &journal, e) ||
	    !(st = pm_db_stmt(db, held, e)))
		return e->code;
	sqlite3_bind_text(st, 1, c->no, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, journal);
	if (pm_db_step_done(db, st, _("cannot record the order"), e))
		return e->code;
	snprintf(object, sizeof object, "shop_cart:%s", c->no);
	if (!(rec = json_pack("{s:s, s:I}", "refused", refused, "held_fen", (json_int_t)c->amount)))
		return oom(e);
	rc = pm_audit_log(db, "shop.cart_refused", object, NULL, rec, e);
	json_decref(rec);
	return rc;
}

/* After the shop's answer: the order's id, or why there is none. */
static int settle_cart(struct pm_db *db, const struct claim *c, json_t *order, const char *refused, struct pm_err *e)
{
	static const char paid[] = "UPDATE shop_cart SET order_id = ?2 WHERE no = ?1";
	sqlite3_stmt *st;

	if (!order)
		return refuse_cart(db, c, refused, e);
	if (!(st = pm_db_stmt(db, paid, e)))
		return e->code;
	sqlite3_bind_text(st, 1, c->no, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, json_integer_value(json_object_get(order, "order")));
	return pm_db_step_done(db, st, _("cannot record the order"), e);
}

/* The order recorded for the claimed cart (a replay's "duplicate"), or
 * why not: an answer of the shop's that no retry changes leaves the cart
 * refused. */
static int cart_order(struct pm_db *db, struct claim *c, json_t **out, struct pm_err *e)
{
	json_t *cart = c->cart;
	struct pm_shop_order o = {json_string_value(json_object_get(cart, "offer")),
				  json_string_value(json_object_get(cart, "unit")), c->channel, c->ref,
				  json_integer_value(json_object_get(cart, "qty")),
				  json_integer_value(json_object_get(cart, "points"))};
	struct pm_err why = {0};
	int rc = pm_shop_order_pay(db, &o, out, &why);

	if (rc != PM_OK && rc != PM_EDATA && rc != PM_EUSAGE) {
		*e = why;
		return rc;
	}
	if (pm_db_begin(db, e) || pm_db_end(db, settle_cart(db, c, *out, rc ? why.msg : NULL, e), e))
		return e->code;
	if (rc) {
		*e = why;
		return PM_EDATA;
	}
	return json_object_set_new(*out, "cart", json_string(c->no)) ? oom(e) : PM_OK;
}

int pm_shop_cart_pay(struct pm_db *db, const char *channel, json_t *rec, json_t **out, struct pm_err *e)
{
	struct claim c = {.channel = channel};
	const char *state, *refused;
	int rc;

	*out = NULL;
	if (pm_json_str(rec, "order", PM_REQUIRED, &c.no, e) || pm_json_str(rec, "ref", PM_REQUIRED, &c.ref, e) ||
	    pm_json_money(rec, "amount", PM_REQUIRED, &c.amount, e))
		return e->code;
	if (!*c.ref || c.amount <= 0)
		return pm_err_set(e, PM_EDATA, _("field \"ref\" or \"amount\": empty, or not more than 0"));
	if (pm_pay_ref_valid("field \"ref\"", c.ref, e))
		return e->code;
	if (pm_db_begin(db, e) || pm_db_end(db, claim_write(db, &c, e), e) || cart_record(db, c.no, &c.cart, NULL, e))
		return e->code;
	state = json_string_value(json_object_get(c.cart, "state"));
	refused = json_string_value(json_object_get(c.cart, "refused"));
	if (strcmp(state, "refused") == 0)
		rc = pm_err_set(e, PM_EDATA, "%s", refused);
	else
		rc = cart_order(db, &c, out, e);
	json_decref(c.cart);
	return rc;
}

/* ---- what a unit ordered ---- */

static json_t *mine_json(sqlite3_stmt *st, void *rctx)
{
	return json_pack("{s:s, s:o, s:o, s:s, s:s, s:s, s:I, s:s, s:I, s:I, s:I, s:s, s:I, s:I, s:I, s:s, s:s, s:s,"
			 " s:o, s:o, s:o, s:b}",
			 "type", "shop_mine", "order",
			 pm_db_json_int(st, 0),
			 "cart", pm_db_json_text(st, 1), "offer", TEXT(st, 2), "title", TEXT(st, 3), "unit", TEXT(st, 4),
			 "qty", (json_int_t)sqlite3_column_int64(st, 5), "unit_name", TEXT(st, 6),
			 "amount_fen", (json_int_t)sqlite3_column_int64(st, 7), "points",
			 (json_int_t)sqlite3_column_int64(st, 8), "paid_fen",
			 (json_int_t)(sqlite3_column_int64(st, 7) - sqlite3_column_int64(st, 8)), "state", TEXT(st, 9),
			 "picked", (json_int_t)sqlite3_column_int64(st, 10),
			 "refunded_fen", (json_int_t)sqlite3_column_int64(st, 11),
			 "points_returned", (json_int_t)sqlite3_column_int64(st, 12), "offer_state", TEXT(st, 13),
			 "pickup_point", TEXT(st, 14), "pickup_at", TEXT(st, 15), "deadline", pm_db_json_time(st, 16, rctx),
			 "at", pm_db_json_time(st, 17, rctx), "hold_until", pm_db_json_time(st, 18, rctx), "holding",
			 sqlite3_column_int(st, 19));
}

int pm_shop_mine_each(struct pm_db *db, const struct pm_actor *a, const char *unit, int (*fn)(void *ctx, json_t *rec),
		      void *ctx, struct pm_err *e)
{
	static const char sql[] =
		"SELECT o.id, c.no, f.code, f.title, u.code, o.qty, f.unit_name, o.amount_fen, o.points, o.state,"
		" o.picked, o.refunded_fen, o.points_returned, f.state, f.pickup_point, f.pickup_at, f.deadline, o.at,"
		" NULL, 0 FROM shop_order o JOIN shop_offer f ON f.id = o.offer_id JOIN unit u ON u.id = o.unit_id"
		" LEFT JOIN shop_cart c ON c.order_id = o.id WHERE u.code = ?1 AND o.at >= ?3"
		" UNION ALL SELECT NULL, c.no, f.code, f.title, u.code, c.qty, f.unit_name, c.amount_fen, c.points,"
		" CASE WHEN c.refunded_at IS NOT NULL THEN 'refunded' WHEN c.refused IS NOT NULL THEN 'refused'"
		" WHEN c.channel IS NOT NULL THEN 'claimed' ELSE 'pending' END,"
		" 0, CASE WHEN c.refunded_at IS NOT NULL THEN c.amount_fen - c.points ELSE 0 END, 0, f.state, f.pickup_point, f.pickup_at, f.deadline, c.created_at,"
		" c.hold_until, " SHOP_HOLDING("?2") " FROM shop_cart c JOIN shop_offer f ON f.id = c.offer_id JOIN unit u ON u.id = c.unit_id"
		" WHERE u.code = ?1 AND c.order_id IS NULL AND c.created_at >= ?3 ORDER BY 18 DESC, 1 DESC";
	sqlite3_stmt *st;
	int64_t from;

	/* An owner's: those of their own time in the unit, not a seller's. */
	if (pm_shop_may(db, a, unit, 0, e) || pm_unit_may_read_from(db, a, unit, &from, e) ||
	    !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, pm_now());
	sqlite3_bind_int64(st, 3, from);
	return pm_db_each(db, st, mine_json, (void *)pm_db_tz(db), fn, ctx, _("cannot read orders"), e);
}

/* ---- refunding a refused payment ---- */

static const char refund_sql[] =
	"SELECT u.code, f.code, c.channel, c.ref, c.amount_fen - c.points, c.received_journal_id,"
	" c.refunded_at IS NOT NULL, c.refused IS NOT NULL AND c.order_id IS NULL"
	" FROM shop_cart c JOIN unit u ON u.id = c.unit_id JOIN shop_offer f ON f.id = c.offer_id WHERE c.no = ?1";

/* Gives back cart no's refused payment, inside the caller's transaction:
 * its receipt posted first when it was refused before pm held it (a
 * store older than migration 0031), then the refund. */
static int refund_write(struct pm_db *db, const char *no, json_t **rec, struct pm_err *e)
{
	static const char upd[] =
		"UPDATE shop_cart SET received_journal_id = ?2, refund_journal_id = ?3, refunded_at = ?4 WHERE no = ?1";
	char memo[200], object[32];
	int64_t fen, held, journal;
	sqlite3_stmt *st;
	int rc, done;

	if ((rc = pm_db_row(db, refund_sql, no, &st, N_("cannot read orders"), e)) <= 0)
		return rc ? -rc : pm_err_set(e, PM_EDATA, _("unknown order '%s'"), no);
	if (!sqlite3_column_int(st, 7)) {
		sqlite3_reset(st);
		return pm_err_set(e, PM_EDATA, _("order '%s' has no refused payment to refund"), no);
	}
	fen = sqlite3_column_int64(st, 4);
	held = sqlite3_column_int64(st, 5);
	done = sqlite3_column_int(st, 6);
	snprintf(memo, sizeof memo, "%s:%s", TEXT(st, 2), TEXT(st, 3));
	*rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "type", "shop_cart_refund", "cart", no, "unit",
			 TEXT(st, 0), "offer", TEXT(st, 1), "channel", TEXT(st, 2), "ref", TEXT(st, 3), "refund_fen",
			 (json_int_t)fen, "outcome", done ? "existing" : "refunded");
	sqlite3_reset(st);
	if (!*rec)
		return oom(e);
	if (done)
		return PM_OK;
	if ((!held && cart_post(db, "shop_cart_refused", no, json_string_value(json_object_get(*rec, "channel")), memo,
				fen, 1, &held, e)) ||
	    cart_post(db, "shop_cart_refund", no, json_string_value(json_object_get(*rec, "channel")), memo, fen, -1,
		      &journal, e) ||
	    !(st = pm_db_stmt(db, upd, e)))
		return e->code;
	sqlite3_bind_text(st, 1, no, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, held);
	sqlite3_bind_int64(st, 3, journal);
	sqlite3_bind_int64(st, 4, pm_now());
	if (pm_db_step_done(db, st, _("cannot record the refund"), e))
		return e->code;
	snprintf(object, sizeof object, "shop_cart:%s", no);
	return pm_audit_log(db, "shop.cart_refund", object, NULL, *rec, e);
}

/* The refused payments not yet refunded, oldest first. */
static int refund_pending(struct pm_db *db, json_t *carts, struct pm_err *e)
{
	static const char sql[] =
		"SELECT no FROM shop_cart WHERE refused IS NOT NULL AND order_id IS NULL AND refunded_at IS NULL ORDER BY id";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (json_array_append_new(carts, json_string(TEXT(st, 0))))
			break;
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return oom(e);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read orders"));
}

int pm_shop_cart_refund(struct pm_db *db, const char *no, int (*fn)(void *ctx, json_t *rec), void *ctx, long *count,
			struct pm_err *e)
{
	json_t *carts = json_array(), *rec = NULL, *cart;
	size_t i;
	int rc = PM_OK;

	*count = 0;
	if (!carts)
		return oom(e);
	if (no ? json_array_append_new(carts, json_string(no)) : refund_pending(db, carts, e)) {
		json_decref(carts);
		return no ? oom(e) : e->code;
	}
	/* One transaction a cart: a run stopped half way has refunded some
	 * carts whole and left the others whole for the next run. */
	json_array_foreach(carts, i, cart) {
		rec = NULL;
		if ((rc = pm_db_begin(db, e)) || (rc = pm_db_end(db, refund_write(db, json_string_value(cart), &rec, e), e)))
			break;
		if (strcmp(json_string_value(json_object_get(rec, "outcome")), "refunded") == 0)
			(*count)++;
		rc = fn ? fn(ctx, rec) : PM_OK;
		json_decref(rec);
		rec = NULL;
		if (rc)
			break;
	}
	json_decref(rec);
	json_decref(carts);
	return rc;
}
