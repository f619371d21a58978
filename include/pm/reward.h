/* Reward points (积分): incentives for paying online and on time, from the
 * config's `rewards` section, kept in a points ledger per unit. */
#ifndef PM_REWARD_H
#define PM_REWARD_H

#include <stdint.h>

#include <jansson.h>

#include "pm/err.h"

struct pm_db;

/* Grants what is due as of a day (days since 1970), each grant once:
 * first_online_payment to a unit whose first payment through an online
 * channel was made by then, on_time_streak for each run of that many
 * consecutive periods whose bills were paid in full by their due dates
 * (a bill paid late, or unpaid past due, starts the count again). One
 * transaction, audited when it granted anything; fn (unless NULL) gets
 * each grant as {"type":"points",...}. */
struct pm_reward_run {
	int32_t as_of;
	int (*fn)(void *ctx, json_t *grant);
	void *ctx;
	long granted;   /* filled in */
	int64_t points;
};
int pm_reward_run(struct pm_db *db, struct pm_reward_run *r, struct pm_err *e);

/* A unit's grants and the points it used (spent, returned, expired:
 * "rule" the kind, "points" negative as taken), oldest first, each with
 * the running "balance";
 * *balance is the total. PM_EDATA for an unknown unit. */
int pm_points_each(struct pm_db *db, const char *unit, int (*fn)(void *ctx, json_t *row), void *ctx,
		   int64_t *balance, struct pm_err *e);

/* Points taken from a unit inside the caller's transaction: kind "spend"
 * (at most its balance, else PM_EDATA), "return" (negative: given back)
 * or "expire"; detail says on what (shop_order:ID). */
int pm_points_use(struct pm_db *db, const char *unit, const char *kind, int64_t points, const char *detail,
		  struct pm_err *e);

/* Points given back to a unit inside the caller's transaction (kind
 * "return", detail as pm_points_use's) for what was done at time at:
 * done before the unit's present owners' time there, by a seller, they
 * end again at once where billing.transfer.points says a sale ends a
 * unit's points (expire), so the buyer does not get the seller's. */
int pm_points_return(struct pm_db *db, const char *unit, int64_t points, int64_t at, const char *detail,
		     struct pm_err *e);

/* A unit's points: {"type":"points_balance","unit","granted","spent",
 * "expired","balance"}. PM_EDATA for an unknown unit. */
int pm_points_balance(struct pm_db *db, const char *unit, json_t **out, struct pm_err *e);

/* Expires, as of a day (days since 1970), what is left unused of the
 * points granted more than rewards.expire_days before it, the oldest
 * points counted as used first. One transaction, audited when anything
 * expired; fn gets {"type":"points_expired","unit","points","before",
 * "as_of"} once it committed; *units how many lost points. Points a
 * web order holds now are left (pm_shop_points_held). */
int pm_points_expire(struct pm_db *db, int32_t as_of, int (*fn)(void *ctx, json_t *rec), void *ctx,
		     long *units, struct pm_err *e);

#endif
