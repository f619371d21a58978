/* tariff: the fee functions. Products are summed exactly (a price of
 * 10^-4 yuan times a quantity of 10^-3 is 10^-7 yuan) and rounded once to
 * the line's step, so no intermediate sum is ever rounded. */
#include <stdio.h>
#include <string.h>

#include "pm/i18n.h"
#include "pm/meter.h"
#include "pm/register.h"
#include "pm/tariff.h"
#include "strbuf-internal.h"

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
	size_t a = strlen(step_names[i]), b = strlen(mode_names[r.mode]);

	/* By hand when it fits, not snprintf: every line's breakdown says it. */
	if (a + 1 + b >= size) {
		snprintf(buf, size, "%s %s", step_names[i], mode_names[r.mode]);
		return buf;
	}
	memcpy(buf, step_names[i], a);
	buf[a] = ' ';
	memcpy(buf + a + 1, mode_names[r.mode], b + 1);
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

static void finish(struct pm_jw *w, struct pm_rounding r, int64_t fen)
{
	char buf[32];

	pm_jw_str(w, "rounding", pm_rounding_name(r, buf, sizeof buf));
	pm_jw_dec(w, "amount", fen, 2);
}

/* A breakdown written by one of the functions below as the jansson
 * object the callers that read one get (the text is what a bill line
 * stores). */
typedef int (*writer_fn)(const void *args, int64_t *fen, struct pm_jw *w, struct pm_err *e);

static int as_object(writer_fn fn, const void *args, int64_t *fen, json_t **bd, struct pm_err *e)
{
	struct strbuf b = {0};
	struct pm_jw w = {&b, 0, 0};
	char *text;

	*bd = NULL;
	pm_jw_open(&w, NULL, '{');
	if (fn(args, fen, &w, e)) {
		free(b.p);
		return e->code;
	}
	pm_jw_close(&w, '}');
	text = sb_take(&b);
	*bd = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	return *bd ? PM_OK : pm_err_set(e, PM_EFAIL, _("out of memory"));
}

int pm_tariff_per_area_w(const struct pm_per_area *a, struct pm_rounding r, int64_t *fen,
			 struct pm_jw *w, struct pm_err *e)
{
	__int128 num;

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
	pm_jw_dec(w, "price", a->price, PM_PRICE_PLACES);
	pm_jw_dec(w, "area", a->area_centi, 2);
	if (a->discount_pct && a->vacant_days) {
		pm_jw_int(w, "discount_percent", a->discount_pct);
		pm_jw_int(w, "vacant_days", a->vacant_days);
	}
	pm_jw_int(w, "days", a->days);
	pm_jw_int(w, "period_days", a->period_days);
	finish(w, r, *fen);
	return PM_OK;
}

struct per_area_args {
	const struct pm_per_area *a;
	struct pm_rounding r;
};

static int per_area_w(const void *args, int64_t *fen, struct pm_jw *w, struct pm_err *e)
{
	const struct per_area_args *x = args;

	return pm_tariff_per_area_w(x->a, x->r, fen, w, e);
}

int pm_tariff_per_area(const struct pm_per_area *a, struct pm_rounding r, int64_t *fen,
		       json_t **bd, struct pm_err *e)
{
	struct per_area_args x = {a, r};

	return as_object(per_area_w, &x, fen, bd, e);
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

/* Each tier's row (when w writes) and their sum into *sum. */
static void tier_rows(struct pm_jw *w, const struct pm_metered *m, const int64_t *in, __int128 *sum)
{
	pm_jw_open(w, "tiers", '[');
	for (int i = 0; i < m->ntiers; i++) {
		__int128 p = (__int128)m->tiers[i].price * in[i];
		pm_jw_open(w, NULL, '{');
		pm_jw_int(w, "tier", i + 1);
		pm_jw_dec(w, "from", i ? m->tiers[i - 1].upto : 0, 3);
		if (m->tiers[i].upto)
			pm_jw_dec(w, "upto", m->tiers[i].upto, 3);
		pm_jw_dec(w, "quantity", in[i], 3);
		pm_jw_dec(w, "price", m->tiers[i].price, PM_PRICE_PLACES);
		pm_jw_dec(w, "amount", (int64_t)p, EXACT_PLACES);
		pm_jw_close(w, '}');
		*sum += p;
	}
	pm_jw_close(w, ']');
}

static void tou_rows(struct pm_jw *w, const struct pm_metered *m, const int64_t *reg_usage, __int128 *sum)
{
	pm_jw_open(w, m->has_base ? "tou_difference" : "tou", '[');
	for (int reg = 1; reg <= PM_TARIFF_REGS; reg++) {
		__int128 p;
		if (!(m->tou_mask & (1u << reg)))
			continue;
		p = (__int128)m->tou[reg] * reg_usage[reg];
		pm_jw_open(w, NULL, '{');
		pm_jw_str(w, "register", pm_reg_name(reg));
		pm_jw_dec(w, "quantity", reg_usage[reg], 3);
		pm_jw_dec(w, "price", m->tou[reg], PM_PRICE_PLACES);
		pm_jw_dec(w, "amount", (int64_t)p, EXACT_PLACES);
		pm_jw_close(w, '}');
		*sum += p;
	}
	pm_jw_close(w, ']');
}

/* The base price's and time-of-use prices' rows into w (when it
 * writes), their exact sum into *sum. */
static void metered_rows(struct pm_jw *w, const struct pm_metered *m, int64_t before, int64_t usage,
			 const int64_t *in, const int64_t *reg_usage, __int128 *sum)
{
	pm_jw_dec(w, "usage", usage, 3);
	if (m->has_base && m->ntiers) {
		pm_jw_dec(w, "before", before, 3);
		tier_rows(w, m, in, sum);
	} else if (m->has_base) {
		pm_jw_dec(w, "price", m->price, PM_PRICE_PLACES);
		*sum += (__int128)m->price * usage;
	}
	if (m->tou_mask)
		tou_rows(w, m, reg_usage, sum);
}

int pm_tariff_metered_w(const struct pm_metered *m, int64_t before, int64_t usage,
			const int64_t reg_usage[PM_TARIFF_REGS + 1], struct pm_rounding r,
			int64_t *fen, struct pm_jw *w, struct pm_err *e)
{
	int64_t in[PM_TARIFF_TIERS];
	struct pm_jw none = {NULL, 0, 0};
	__int128 sum = 0;

	if (usage < 0)
		return pm_err_set(e, PM_EDATA, _("metered fee: negative usage"));
	if (m->has_base && m->ntiers && pm_tariff_tier_split(m->tiers, m->ntiers, before, usage, in, e))
		return e->code;
	/* The sum first, so that nothing is written for an amount beyond
	 * the ledger's limit; then the rows, summed again alike. */
	metered_rows(&none, m, before, usage, in, reg_usage, &sum);
	if (round_line(sum, EXACT_PER_FEN, r, fen, e))
		return e->code;
	sum = 0;
	metered_rows(w, m, before, usage, in, reg_usage, &sum);
	pm_jw_dec(w, "exact", (int64_t)sum, EXACT_PLACES);
	finish(w, r, *fen);
	return PM_OK;
}

struct metered_args {
	const struct pm_metered *m;
	int64_t before, usage;
	const int64_t *reg_usage;
	struct pm_rounding r;
};

static int metered_w(const void *args, int64_t *fen, struct pm_jw *w, struct pm_err *e)
{
	const struct metered_args *x = args;

	return pm_tariff_metered_w(x->m, x->before, x->usage, x->reg_usage, x->r, fen, w, e);
}

int pm_tariff_metered(const struct pm_metered *m, int64_t before, int64_t usage,
		      const int64_t reg_usage[PM_TARIFF_REGS + 1], struct pm_rounding r,
		      int64_t *fen, json_t **bd, struct pm_err *e)
{
	struct metered_args x = {m, before, usage, reg_usage, r};

	return as_object(metered_w, &x, fen, bd, e);
}

int pm_tariff_fixed_w(int64_t amount, int64_t count, struct pm_rounding r, int64_t *fen,
		      struct pm_jw *w, struct pm_err *e)
{
	if (count < 0 || amount < -PM_MONEY_MAX || amount > PM_MONEY_MAX)
		return pm_err_set(e, PM_EDATA, _("fixed fee: amount or count out of range"));
	if (round_line((__int128)amount * count, 1, r, fen, e))
		return e->code;
	pm_jw_dec(w, "price", amount, 2);
	pm_jw_int(w, "count", count);
	finish(w, r, *fen);
	return PM_OK;
}

struct fixed_args {
	int64_t amount, count;
	struct pm_rounding r;
};

static int fixed_w(const void *args, int64_t *fen, struct pm_jw *w, struct pm_err *e)
{
	const struct fixed_args *x = args;

	return pm_tariff_fixed_w(x->amount, x->count, x->r, fen, w, e);
}

int pm_tariff_fixed(int64_t amount, int64_t count, struct pm_rounding r, int64_t *fen,
		    json_t **bd, struct pm_err *e)
{
	struct fixed_args x = {amount, count, r};

	return as_object(fixed_w, &x, fen, bd, e);
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
