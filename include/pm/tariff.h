/* Tariffs: pure fee functions, no store. Prices are yuan scaled by 10^4
 * (four decimals), quantities thousandths of the meter's unit, areas
 * hundredths of m², amounts int64_t fen. Each function works exactly on
 * the products and rounds once, at the end, to the line's step; it returns
 * the amount and a breakdown (a JSON object of decimal strings) that a
 * person can check by hand. */
#ifndef PM_TARIFF_H
#define PM_TARIFF_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "pm/err.h"
#include "pm/money.h"

#define PM_PRICE_PLACES 4
#define PM_TARIFF_TIERS 8
#define PM_TARIFF_REGS 4 /* time-of-use registers 1..4, as pm/meter.h */

/* Rounding of a line: to a step of fen (1), jiao (10) or yuan (100). */
struct pm_rounding {
	int64_t step;
	enum pm_round mode;
};
#define PM_ROUNDING_DEFAULT ((struct pm_rounding){1, PM_ROUND_HALF_UP})

/* "fen", "jiao", "yuan" and "half_up", "half_even", "up", "down". */
int pm_rounding_parse(const char *to, const char *mode, struct pm_rounding *r, struct pm_err *e);
/* "jiao half_even" */
const char *pm_rounding_name(struct pm_rounding r, char *buf, size_t size);

/* Property fee (物业费): price per m² per month × area, prorated by days
 * billed of the period's days, with a vacancy discount in percent off the
 * vacant days among them (a unit vacant all month, or until a move-in). */
struct pm_per_area {
	int64_t price;      /* 10^-4 yuan per m² per month */
	int64_t area_centi; /* hundredths of m² */
	int discount_pct;   /* 0..100 off vacant days */
	int days, period_days;
	int vacant_days;    /* of days */
};
int pm_tariff_per_area(const struct pm_per_area *a, struct pm_rounding r, int64_t *fen,
		       json_t **bd, struct pm_err *e);

/* A tier (阶梯) up to a cumulative limit of usage (thousandths); the last
 * tier has upto 0: no limit. Limits rise strictly. */
struct pm_tier {
	int64_t upto;
	int64_t price;
};

/* How much of usage, counted from before (the usage already counted in
 * the tier period: 0 for monthly tiers, the year to date for annual ones),
 * falls in each tier: the interval [before, before + usage) against each
 * tier's [lower, upto). out has n entries. PM_EDATA on negative input or
 * tiers that do not rise. */
int pm_tariff_tier_split(const struct pm_tier *t, int n, int64_t before, int64_t usage,
			 int64_t *out, struct pm_err *e);

/* Metered usage: a flat price or tiers, and per-register time-of-use
 * prices. With a flat price or tiers the time-of-use prices are a
 * difference added on top for each register's usage (they may be
 * negative); without, they are the whole price of each register. */
struct pm_metered {
	int64_t price;                     /* flat, when ntiers == 0 */
	int has_base;                      /* price or tiers apply */
	struct pm_tier tiers[PM_TARIFF_TIERS];
	int ntiers;
	int64_t tou[PM_TARIFF_REGS + 1];   /* by register 1..4 */
	unsigned tou_mask;                 /* bit reg set: tou[reg] applies */
};
/* usage and reg_usage (by register 1..4) in thousandths; before as for
 * pm_tariff_tier_split. */
int pm_tariff_metered(const struct pm_metered *m, int64_t before, int64_t usage,
		      const int64_t reg_usage[PM_TARIFF_REGS + 1], struct pm_rounding r,
		      int64_t *fen, json_t **bd, struct pm_err *e);

/* A fixed amount per month times count (spaces, units). */
int pm_tariff_fixed(int64_t amount, int64_t count, struct pm_rounding r, int64_t *fen,
		    json_t **bd, struct pm_err *e);

/* The same three writing the breakdown's members into an object open in
 * w (libpm's compact JSON writer, lib/strbuf-internal.h) instead of
 * building it: pm-bill run's lines. Nothing is written on an error. A
 * writer of no buffer writes nothing (the amount alone). */
struct pm_jw;
int pm_tariff_per_area_w(const struct pm_per_area *a, struct pm_rounding r, int64_t *fen,
			 struct pm_jw *w, struct pm_err *e);
int pm_tariff_metered_w(const struct pm_metered *m, int64_t before, int64_t usage,
			const int64_t reg_usage[PM_TARIFF_REGS + 1], struct pm_rounding r,
			int64_t *fen, struct pm_jw *w, struct pm_err *e);
int pm_tariff_fixed_w(int64_t amount, int64_t count, struct pm_rounding r, int64_t *fen,
		      struct pm_jw *w, struct pm_err *e);

/* Shared cost (公摊): total, rounded to the step, split by weights (area,
 * 1 each, or usage) in whole steps with the largest-remainder method, so
 * the n shares sum exactly to the rounded total. *rounded is that total.
 * PM_EDATA when a weight is negative or all are zero. */
int pm_tariff_share(int64_t total, const int64_t *weights, size_t n, struct pm_rounding r,
		    int64_t *out, int64_t *rounded, struct pm_err *e);

#endif
