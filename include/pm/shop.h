/* Group buying (社区团购): merchants, their offers, units' orders paid
 * like bills, and what happens when an offer closes. Money is int64_t
 * fen; what units pay is held on the liability account "merchant:CODE"
 * until the group fails (every order refunded, the owners told) or the
 * offer, formed, is picked up and settled (what was not picked up
 * refunded, commission to "income:shop_commission", the rest paid out).
 * Points (积分, lib/reward.c) pay for part of an order, one point a fen,
 * the company paying the merchant for them ("expense:points"). */
#ifndef PM_SHOP_H
#define PM_SHOP_H

#include <stdint.h>

#include <jansson.h>

#include "pm/err.h"

struct pm_db;

/* A merchant; commission in basis points (100 = 1%) of what is picked
 * up. The same code again with the same name and commission is told as
 * "existing"; with others PM_EDATA. Audited; *out {"type":"merchant",
 * "merchant","name","commission_bp","outcome"}. */
struct pm_shop_merchant {
	const char *code, *name;
	int64_t commission_bp;
};
int pm_shop_merchant_add(struct pm_db *db, const struct pm_shop_merchant *m, json_t **out, struct pm_err *e);

/* An offer, open for orders until deadline; per_unit, when not 0, the
 * most one unit may order of it (每户限购), counting its web orders that
 * hold stock for their payment. Audited; *out its record
 * (pm_shop_offer_each's). PM_EDATA for an unknown merchant, a code
 * already used, a deadline past, a price above billing.max_amount;
 * PM_EUSAGE for a per_unit above the stock. */
struct pm_shop_offer {
	const char *code, *merchant, *title, *unit_name, *pickup_point, *pickup_at;
	int64_t price, deadline, min_group, stock, per_unit;
};
int pm_shop_offer_add(struct pm_db *db, const struct pm_shop_offer *o, json_t **out, struct pm_err *e);

/* Each offer (code NULL: all), newest first: {"type":"shop_offer","offer",
 * "merchant","title","price_fen","unit_name","deadline","min_group",
 * "stock","per_unit" (null: no limit),"ordered","held","left","units",
 * "pickup_point","pickup_at","state"}. */
int pm_shop_offer_each(struct pm_db *db, const char *code, int (*fn)(void *ctx, json_t *rec), void *ctx,
		       struct pm_err *e);

/* One order, paid: qty of the offer for unit, points of it paid in points
 * (at most the unit's balance and the order's amount), the rest through
 * channel (one of payments.channels) with the channel's ref; channel
 * PM_SHOP_POINTS ("points") pays only an order wholly in points. The same
 * (channel, ref) again for the same order is told as "duplicate" and
 * writes nothing; for another order, or a ref a bill payment has, it is
 * PM_EDATA. PM_EDATA too for an offer closed or past its deadline,
 * more than its stock left, or more than the unit may order of it. One transaction, audited; *out {"type":
 * "shop_order","order","offer","unit","qty","amount_fen","points",
 * "paid_fen","channel","ref","outcome"}. */
#define PM_SHOP_POINTS "points"
struct pm_shop_order {
	const char *offer, *unit, *channel, *ref;
	int64_t qty, points;
};
int pm_shop_order_pay(struct pm_db *db, const struct pm_shop_order *o, json_t **out, struct pm_err *e);

/* Closes an offer past its deadline: it forms when at least min_group
 * units ordered (orders confirmed; fn gets the pickup list, as
 * pm_shop_pickup_list), else it fails (each order refunded to its
 * channel and its points returned, each unit's residents told through
 * the notify queue with template shop_refund; fn gets each refund
 * {"type":"shop_refund","order","unit","paid_fen","points","channel",
 * "ref"}). One transaction, audited; *state is "formed" or "failed". */
int pm_shop_close(struct pm_db *db, const char *offer, int (*fn)(void *ctx, json_t *rec), void *ctx,
		  const char **state, struct pm_err *e);

/* A formed offer's pickup list, by building then unit: {"type":
 * "shop_pickup","building","unit","qty","picked","pickup_point",
 * "pickup_at"}. */
int pm_shop_pickup_list(struct pm_db *db, const char *offer, int (*fn)(void *ctx, json_t *rec), void *ctx,
			struct pm_err *e);

/* Records that unit picked up qty more of a formed offer, at most what
 * it ordered and has not picked up. Audited; *out is its line of the
 * pickup list. */
int pm_shop_pickup(struct pm_db *db, const char *offer, const char *unit, int64_t qty, json_t **out,
		   struct pm_err *e);

/* Settles a formed offer: what each order did not pick up is refunded
 * (its points first returned as they were split among its units, largest
 * remainder, the rest to its channel); the commission on what was picked
 * up (half up to the fen) goes to income, shared among the orders by
 * largest remainder; the rest is paid out to the merchant through
 * channel. One transaction, audited; fn gets each order's line
 * {"type":"shop_statement","order","unit","qty","picked","gross_fen",
 * "commission_fen","net_fen","refund_fen","points_returned"} and *out is
 * the total with the same keys ("order" and "unit" null) and "offer",
 * "merchant","commission_bp","channel": type "shop_settlement". A code
 * that names a service is pm_service_settle's (pm/service.h). */
int pm_shop_settle(struct pm_db *db, const char *offer, const char *channel, int (*fn)(void *ctx, json_t *rec),
		   void *ctx, json_t **out, struct pm_err *e);

#endif
