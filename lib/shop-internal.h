/* What lib/shop.c (group buying) and lib/service.c (bookable services)
 * share: the merchant's liability account and its settlement. */
#ifndef PM_SHOP_INTERNAL_H
#define PM_SHOP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "pm/err.h"

struct pm_db;

/* The most bytes of a merchant's, an offer's or a service's code: people
 * type them (pm-shop settle CODE) and read them in lists, so they are
 * also codes by pm_code_valid's rule. */
#define SHOP_CODE_MAX 32

/* Posts money moving between merchant's liability account and a unit:
 * cash through channel and points (the company's expense), sign +1 as
 * paid in, -1 as given back; ref groups the entries ("shop:OFFER"). */
int shop_post(struct pm_db *db, const char *kind, const char *merchant, const char *ref, const char *channel,
	      int64_t cash, int64_t points, int sign, const char *memo, int64_t *journal, struct pm_err *e);

/* Pays out a settlement: gross off the merchant's account, commission to
 * income:shop_commission, the rest through channel. */
int shop_post_settle(struct pm_db *db, const char *merchant, const char *ref, int64_t gross, int64_t commission,
		     const char *channel, int64_t *journal, struct pm_err *e);

/* The commission of bp basis points on the sum of gross[0..n) (half up
 * to the fen) in *total, shared by gross into share (largest remainder). */
int shop_commission(int64_t bp, const int64_t *gross, size_t n, int64_t *share, int64_t *total, struct pm_err *e);

/* The SQL condition under which cart c (of offer f, both in the query)
 * holds its quantity and points at time now (a parameter's name, such
 * as "?3"): made with a hold (migration 0033) that has not lapsed, not
 * refused, not yet an order (neither its cart's order_id nor an order of
 * its payment: between the two transactions of pm_shop_cart_pay), and
 * its offer still taking orders. One rule for every reader of holds.
 * The unary + keeps SQLite off the UNIQUE index of order_id (every cart
 * never paid): an offer's holds are read by shop_cart_held, from now on. */
#define SHOP_HOLDING(now)                                                                                            \
	"+c.order_id IS NULL AND c.refused IS NULL AND c.hold_until > " now " AND f.state = 'open' AND f.deadline > " now \
	" AND NOT EXISTS (SELECT 1 FROM shop_order h WHERE h.channel = c.channel AND h.ref = c.ref)"

/* What may be ordered: qty of offer (its id, and left of its stock not
 * ordered) for unit (its id) with points, after what the carts hold,
 * but for the cart that payment (channel, ref; NULL: none) claimed.
 * PM_EDATA saying so when the stock left or the unit's points are too
 * few, naming what other orders hold. */
struct shop_want {
	const char *offer, *unit, *channel, *ref;
	int64_t offer_id, unit_id, left, qty, points;
};
int shop_room(struct pm_db *db, const struct shop_want *w, struct pm_err *e);

/* PM_EDATA naming field unless text is UTF-8 (pm_utf8_valid): a name or
 * title is put in JSON records, and jansson refuses bytes that are no
 * UTF-8 (as "out of memory", then). Control characters are stored as
 * typed: tables print them as spaces (t9810). */
int shop_text_valid(const char *field, const char *text, struct pm_err *e);

/* A pm_db_each callback keeping the (one) record in *(json_t **)ctx. */
int shop_take_one(void *ctx, json_t *rec);

/* Tells fn each record of done (a run's, once it committed), and frees it. */
int shop_tell(json_t *done, int (*fn)(void *ctx, json_t *rec), void *ctx);

#endif
