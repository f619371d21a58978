/* What lib/shop.c (group buying) and lib/service.c (bookable services)
 * share: the merchant's liability account and its settlement. */
#ifndef PM_SHOP_INTERNAL_H
#define PM_SHOP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "pm/err.h"

struct pm_db;

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

/* An amount within billing.max_amount, like any one payment. */
int shop_bound(struct pm_db *db, int64_t amount, const char *what, struct pm_err *e);

/* A pm_db_each callback keeping the (one) record in *(json_t **)ctx. */
int shop_take_one(void *ctx, json_t *rec);

/* Tells fn each record of done (a run's, once it committed), and frees it. */
int shop_tell(json_t *done, int (*fn)(void *ctx, json_t *rec), void *ctx);

#endif
