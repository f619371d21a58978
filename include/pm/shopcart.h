/* Group buying on the web (pm-web's /shop): an owner's order for a unit
 * they live in, priced from the store and waiting for its payment (a
 * "cart", numbered "SO" and 16 hexadecimal digits); the payment's
 * callback, which records the order through pm_shop_order_pay; and what
 * a unit has ordered, in every state. Money is int64_t fen; points pay
 * one fen each. */
#ifndef PM_SHOPCART_H
#define PM_SHOPCART_H

#include <stdint.h>

#include <jansson.h>

#include "pm/auth.h"
#include "pm/err.h"

struct pm_db;

#define PM_SHOP_CART_NO 19   /* "SO", 16 digits, NUL */

/* Whether actor may order for unit or read its orders: an owner (shop.buy)
 * only for a unit they live in, staff as shop.read allows reading;
 * PM_ENOPERM, said the same way whether or not the unit exists. */
int pm_shop_may(struct pm_db *db, const struct pm_actor *a, const char *unit, int buy, struct pm_err *e);

/* A cart: qty of the open offer for unit, points of its amount paid in
 * points (at most the unit's balance and the amount: the rest is paid
 * online). The amount is the offer's price times qty, within
 * billing.max_amount. PM_EDATA for an offer closed or past its deadline,
 * or more than its stock left, or points the unit does not have, after
 * what other carts hold. The cart holds its qty of the stock and its
 * points of the unit's balance (no other cart or order may have them)
 * for shop.cart_hold (pm.yaml(5)), or until it is paid (the hold is its
 * order then), refused, or the offer stops taking orders; its payment
 * after that is still taken when the stock and the points are there.
 * Audited; *out is its record
 * (pm_shop_cart_get's). A cart keeps nonce (when not NULL: the order
 * form's, 16 to 64 hexadecimal digits, else PM_EUSAGE): the form sent
 * again is that cart, written and held once, *out its record; the nonce
 * with another offer, unit, qty or points is PM_EDATA.
 * When the points pay all of it there is nothing
 * to wait for: the order is recorded at once by pm_shop_order_pay,
 * channel PM_SHOP_POINTS and ref nonce (the order form's, 16 to 64
 * hexadecimal digits, so that the form sent twice is one order: the
 * second answer is "duplicate"), and *out is its record. */
struct pm_shop_cart {
	const char *offer, *unit, *nonce;
	int64_t qty, points;
};
int pm_shop_cart_new(struct pm_db *db, const struct pm_actor *a, const struct pm_shop_cart *c, json_t **out,
		     struct pm_err *e);

/* Cart no as {"type":"shop_cart","cart","offer","title","unit","qty",
 * "unit_name","price_fen","amount_fen","points","pay_fen","deadline",
 * "offer_state","state","order","refused","created","hold_until",
 * "holding"}, hold_until when its hold lapses (null for a cart made
 * before holds), holding whether it holds now; state "pending"
 * (waiting for its payment), "claimed" (paid, its order being
 * recorded), "paid" (order is its order's id), "refused" (paid, no
 * order: refused says why) or "refunded" (refused, and its payment
 * given back by pm_shop_cart_refund). PM_ENOPERM for a cart actor may not read
 * (pm_shop_may; an owner's only when made in their own time in the unit,
 * pm_unit_may_read_from, as pm_shop_mine_each lists: not a seller's),
 * said the same way as for one that does not exist. */
int pm_shop_cart_get(struct pm_db *db, const struct pm_actor *a, const char *no, json_t **out, struct pm_err *e);

/* The points of unit that carts hold now (pm_shop_cart_new). */
int pm_shop_points_held(struct pm_db *db, const char *unit, int64_t *points, struct pm_err *e);

/* Whether unit may spend points outside the shop (parking, a bill's
 * parking lines) beside what its carts hold now: PM_EDATA naming what
 * is held when the points free of holds are fewer. */
int pm_shop_points_free(struct pm_db *db, const char *unit, int64_t points, struct pm_err *e);

/* A verified callback's payment of a cart: rec has "order" (the cart's
 * number), "amount" (what was paid, which must be the cart's pay_fen to
 * the fen), "ref" and "channel". The first payment claims the cart; the
 * order is then recorded by pm_shop_order_pay (channel, ref). The same
 * payment again records nothing and answers "duplicate"; another payment
 * of a claimed cart, an unknown cart, another amount are PM_EDATA and
 * record nothing. An order the shop refuses (offer closed, stock or
 * points gone) leaves the cart "refused", audited as shop.cart_refused,
 * and is PM_EDATA. *out is pm_shop_order_pay's record with "cart". */
int pm_shop_cart_pay(struct pm_db *db, const char *channel, json_t *rec, json_t **out, struct pm_err *e);

/* Gives back the payment of refused cart no (NULL: of every refused cart
 * not refunded yet), by the channel it came through: the journal's
 * "shop_cart_refund" entry, cash:CHANNEL against payable:shop_cart
 * (where pm held it since it was refused), the cart's refunded_at, one
 * audit record a cart (shop.cart_refund), each cart its own transaction.
 * fn (may be NULL) is told each {"type":"shop_cart_refund","cart",
 * "unit","offer","channel","ref","refund_fen","outcome"}: "refunded",
 * or "existing" for a cart refunded before, which writes nothing;
 * *count is how many were refunded now. PM_EDATA for an unknown cart or
 * one with no refused payment. */
int pm_shop_cart_refund(struct pm_db *db, const char *no, int (*fn)(void *ctx, json_t *rec), void *ctx, long *count,
			struct pm_err *e);

/* What unit ordered, newest first: its orders and its carts that made
 * none, each {"type":"shop_mine","order" (null for a cart),"cart" (null
 * for an order made without one),"offer","title","unit","qty",
 * "unit_name","amount_fen","points","paid_fen","state","picked",
 * "refunded_fen","points_returned","offer_state","pickup_point",
 * "pickup_at","deadline","at","hold_until","holding"}; state is the
 * order's (paid, confirmed, refunded, settled) or the cart's (pending,
 * claimed, refused, refunded: its refunded_fen the payment given back);
 * a cart's hold_until and holding as pm_shop_cart_get's (an order's
 * null and false).
 * pm_shop_may decides who may read it; an owner reads only the orders
 * and carts of their own time in the unit (pm_unit_may_read_from), not
 * a former owner's. */
int pm_shop_mine_each(struct pm_db *db, const struct pm_actor *a, const char *unit, int (*fn)(void *ctx, json_t *rec),
		      void *ctx, struct pm_err *e);

#endif
