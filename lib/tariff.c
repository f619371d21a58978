/* tariff: the fee functions. Products are summed exactly (a price of
 * 10^-4 yuan times a quantity of 10^-3 is 10^-7 yuan) and rounded once to
 * the line's step, so no intermediate sum is ever rounded. */
#include <stdio.h>
#include <string.h>

#include "pm/i18n.h"
#include "pm/meter.h"
#include "pm/register.h"
#include "pm/tariff.h"

#define EXACT_PLACES 7                 /* 10^-7 yuan: price × quantity */
#define EXACT_PER_FEN INT64_C(100000)  /* 10^-7 yuan in a fen */

static const char *const step_names[] = {"fen", "jiao", "yuan"};
static const int64_t steps[] = {1, 10, 100};
static const char *const mode_names[] = {"half_up", "half_even", "up", "down"};

int pm_rounding_parse(const char *to, const char *mode, struct pm_rounding *r, struct pm_err *e)
{
	size_t i;

	*r = PM_ROUNDING_DEFAULT;
	for (i = 0; to && i < 3 && strcmp(to, step_names[i]); i++)
		;
	if (to && i == 3)
		return pm_err_set(e, PM_ECONFIG, _("unknown rounding step '%s': expected fen, jiao or yuan"), to);
	if (to)
		r->step = steps[i];
	for (i = 0; mode && i < 4 && strcmp(mode, mode_names[i]); i++)
		;
	if (mode && i == 4)
		return pm_err_set(e, PM_ECONFIG,
				  _("unknown rounding mode '%s': expected half_up, half_even, up or down"), mode);
	if (mode)
		r->mode = (enum pm_round)i;
	return PM_OK;
}

const char *pm_rounding_name(struct pm_rounding r, char *buf, size_t size)
{
	int i = r.step == 100 ? 2 : r.step == 10 ? 1 : 0;

	snprintf(buf, size, "%s %s", step_names[i], mode_names[r.mode]);
	return buf;
}

/* num / den rounded to the step: the one rounding of a line. num is in
 * units of 1/den fen. */
static int round_line(__int128 num, __int128 den, struct pm_rounding r, int64_t *fen,
		      struct pm_err *e)
{
	__int128 d = den * r.step;

	if (num > INT64_MAX || num < -INT64_MAX || d > INT64_MAX)
		return pm_err_set(e, PM_EDATA, _("amount beyond the limit of the ledger"));
	*fen = pm_div_round((int64_t)num, (int64_t)d, r.mode) * r.step;
	if (*fen > PM_MONEY_MAX || *fen < -PM_MONEY_MAX)
		return pm_err_set(e, PM_EDATA, _("amount beyond the limit of the ledger"));
	return PM_OK;
}

static void set_dec(json_t *o, const char *key, int64_t v, int places)
{
	char buf[PM_MONEY_BUF];

	json_object_set_new(o, key, json_string(pm_decimal_fmt(v, places, buf)));
}

static void finish(json_t *bd, struct pm_rounding r, int64_t fen)
{
	char buf[32];

	json_object_set_new(bd, "rounding", json_string(pm_rounding_name(r, buf, sizeof buf)));
	set_dec(bd, "amount", fen, 2);
}

int pm_tariff_per_area(const struct pm_per_area *a, struct pm_rounding r, int64_t *fen,
		       json_t **bd, struct pm_err *e)
{
	__int128 num;

	*bd = NULL;
	if (a->price < 0 || a->area_centi < 0 || a->discount_pct < 0 || a->discount_pct > 100 ||
	    a->period_days <= 0 || a->days < 0 || a->days > a->period_days ||
	    a->vacant_days < 0 || a->vacant_days > a->days)
		return pm_err_set(e, PM_EDATA, _("per-area fee: price, area, discount or days out of range"));
	/* fen = price/10^4 × area/10^2 × (occupied days + vacant days ×
	 * (100 - d)/100) / period_days × 100 */
	num = (__int128)a->price * a->area_centi *
	      ((int64_t)(100 - a->discount_pct) * a->vacant_days + 100 * (int64_t)(a->days - a->vacant_days));
	if (round_line(num, (__int128)1000000 * a->period_days, r, fen, e))
		return e->code;
	*bd = json_object();
	set_dec(*bd, "price", a->price, PM_PRICE_PLACES);
	set_dec(*bd, "area", a->area_centi, 2);
	if (a->discount_pct && a->vacant_days) {
		json_object_set_new(*bd, "discount_percent", json_integer(a->discount_pct));
		json_object_set_new(*bd, "vacant_days", json_integer(a->vacant_days));
	}
	json_object_set_new(*bd, "days", json_integer(a->days));
	json_object_set_new(*bd, "period_days", json_integer(a->period_days));
	finish(*bd, r, *fen);
	return PM_OK;
}

static int tiers_valid(const struct pm_tier *t, int n, struct pm_err *e)
{
	if (n < 1 || n > PM_TARIFF_TIERS)
		return pm_err_set(e, PM_EDATA, _("tiers: expected 1 to %d steps"), PM_TARIFF_TIERS);
	for (int i = 0; i < n; i++) {
		int last = i == n - 1;
		if ((last && t[i].upto != 0) || (!last && t[i].upto <= (i ? t[i - 1].upto : 0)))
			return pm_err_set(e, PM_EDATA,
					  _("tiers: limits must rise and only the last step may be open"));
	}
	return PM_OK;
}

int pm_tariff_tier_split(const struct pm_tier *t, int n, int64_t before, int64_t usage,
			 int64_t *out, struct pm_err *e)
{
	int64_t from = before, to, lo, hi;

	if (tiers_valid(t, n, e))
		return e->code;
	if (before < 0 || usage < 0)
		return pm_err_set(e, PM_EDATA, _("tiers: negative usage"));
	to = before + usage;
	for (int i = 0; i < n; i++) {
		lo = i ? t[i - 1].upto : 0;
		hi = t[i].upto ? t[i].upto : INT64_MAX;
		lo = from > lo ? from : lo;
		hi = to < hi ? to : hi;
		out[i] = hi > lo ? hi - lo : 0;
	}
	return PM_OK;
}

static json_t *tier_rows(const struct pm_metered *m, const int64_t *in, __int128 *sum)
{
	json_t *rows = json_array(), *row;

	for (int i = 0; i < m->ntiers; i++) {
		__int128 p = (__int128)m->tiers[i].price * in[i];
		row = json_object();
		json_object_set_new(row, "tier", json_integer(i + 1));
		set_dec(row, "from", i ? m->tiers[i - 1].upto : 0, 3);
		if (m->tiers[i].upto)
			set_dec(row, "upto", m->tiers[i].upto, 3);
		set_dec(row, "quantity", in[i], 3);
		set_dec(row, "price", m->tiers[i].price, PM_PRICE_PLACES);
		set_dec(row, "amount", (int64_t)p, EXACT_PLACES);
		json_array_append_new(rows, row);
		*sum += p;
	}
	return rows;
}

static json_t *tou_rows(const struct pm_metered *m, const int64_t *reg_usage, __int128 *sum)
{
	json_t *rows = json_array(), *row;

	for (int reg = 1; reg <= PM_TARIFF_REGS; reg++) {
		__int128 p;
		if (!(m->tou_mask & (1u << reg)))
			continue;
		p = (__int128)m->tou[reg] * reg_usage[reg];
		row = json_object();
		json_object_set_new(row, "register", json_string(pm_reg_name(reg)));
		set_dec(row, "quantity", reg_usage[reg], 3);
		set_dec(row, "price", m->tou[reg], PM_PRICE_PLACES);
		set_dec(row, "amount", (int64_t)p, EXACT_PLACES);
		json_array_append_new(rows, row);
		*sum += p;
	}
	return rows;
}

int pm_tariff_metered(const struct pm_metered *m, int64_t before, int64_t usage,
		      const int64_t reg_usage[PM_TARIFF_REGS + 1], struct pm_rounding r,
		      int64_t *fen, json_t **bd, struct pm_err *e)
{
	int64_t in[PM_TARIFF_TIERS];
	__int128 sum = 0;
	json_t *o;

	*bd = NULL;
	if (usage < 0)
		return pm_err_set(e, PM_EDATA, _("metered fee: negative usage"));
	if (m->has_base && m->ntiers && pm_tariff_tier_split(m->tiers, m->ntiers, before, usage, in, e))
		return e->code;
	o = json_object();
	set_dec(o, "usage", usage, 3);
	if (m->has_base && m->ntiers) {
		set_dec(o, "before", before, 3);
		json_object_set_new(o, "tiers", tier_rows(m, in, &sum));
	} else if (m->has_base) {
		set_dec(o, "price", m->price, PM_PRICE_PLACES);
		sum += (__int128)m->price * usage;
	}
	if (m->tou_mask)
		json_object_set_new(o, m->has_base ? "tou_difference" : "tou", tou_rows(m, reg_usage, &sum));
	if (round_line(sum, EXACT_PER_FEN, r, fen, e)) {
		json_decref(o);
		return e->code;
	}
	set_dec(o, "exact", (int64_t)sum, EXACT_PLACES);
	finish(o, r, *fen);
	*bd = o;
	return PM_OK;
}

int pm_tariff_fixed(int64_t amount, int64_t count, struct pm_rounding r, int64_t *fen,
		    json_t **bd, struct pm_err *e)
{
	*bd = NULL;
	if (count < 0 || amount < -PM_MONEY_MAX || amount > PM_MONEY_MAX)
		return pm_err_set(e, PM_EDATA, _("fixed fee: amount or count out of range"));
	if (round_line((__int128)amount * count, 1, r, fen, e))
		return e->code;
	*bd = json_object();
	set_dec(*bd, "price", amount, 2);
	json_object_set_new(*bd, "count", json_integer(count));
	finish(*bd, r, *fen);
	return PM_OK;
}

int pm_tariff_share(int64_t total, const int64_t *weights, size_t n, struct pm_rounding r,
		    int64_t *out, int64_t *rounded, struct pm_err *e)
{
	int64_t units = pm_div_round(total, r.step, r.mode);

	if (pm_money_split(units, weights, n, out))
		return pm_err_set(e, PM_EDATA, _("shared fee: weights are negative or all zero"));
	for (size_t i = 0; i < n; i++)
		out[i] *= r.step;
	*rounded = units * r.step;
	return PM_OK;
}
