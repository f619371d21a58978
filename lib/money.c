#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pm/i18n.h"
#include "pm/money.h"

#define MAX_PLACES 6

static const uint64_t pow10_u[] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
	1000000000, 10000000000, 100000000000, 1000000000000,
	10000000000000, 100000000000000, 1000000000000000,
	10000000000000000, 100000000000000000, 1000000000000000000,
};

#define POW10_MAX ((int)(sizeof pow10_u / sizeof pow10_u[0]) - 1)

/* Why a number failed to scan; the caller turns it into a message. */
enum scan_fail {
	SCAN_OK,
	SCAN_NO_DIGITS,
	SCAN_LEAD_POINT,
	SCAN_TRAIL_POINT,
	SCAN_TWO_POINTS,
	SCAN_PLACES,
	SCAN_GROUPS,
	SCAN_EXPONENT,
	SCAN_CHAR,
	SCAN_RANGE,
};

/* Digits, one optional point and, when commas is set, thousands
 * separators, into a magnitude scaled by 10^places. The magnitude
 * saturates just past PM_MONEY_MAX so no input can overflow it. */
struct scan {
	uint64_t mag;
	int places, commas;
	int ints, fracs;  /* digits before and after the point; fracs < 0: no point */
	int group;        /* digits since the last comma; < 0: no comma yet */
};

static void scan_digit(struct scan *sc, int digit)
{
	if (sc->fracs >= 0)
		sc->fracs++;
	else
		sc->ints++;
	if (sc->group >= 0 && sc->fracs < 0)
		sc->group++;
	if (sc->mag <= PM_MONEY_MAX)
		sc->mag = sc->mag * 10 + (uint64_t)digit;
}

static enum scan_fail scan_comma(struct scan *sc)
{
	if (!sc->commas)
		return SCAN_CHAR;
	if (sc->fracs >= 0 || sc->ints == 0)
		return SCAN_GROUPS;
	if (sc->group < 0) {
		/* "0,123" is more likely a European 0.123 than an amount. */
		if (sc->ints > 3 || sc->mag == 0)
			return SCAN_GROUPS;
	} else if (sc->group != 3) {
		return SCAN_GROUPS;
	}
	sc->group = 0;
	return SCAN_OK;
}

static enum scan_fail scan_point(struct scan *sc)
{
	if (sc->fracs >= 0)
		return SCAN_TWO_POINTS;
	if (sc->ints == 0)
		return SCAN_LEAD_POINT;
	if (sc->group >= 0 && sc->group != 3)
		return SCAN_GROUPS;
	sc->fracs = 0;
	return SCAN_OK;
}

static enum scan_fail scan_char(struct scan *sc, char c)
{
	if (c >= '0' && c <= '9') {
		if (sc->fracs >= sc->places)
			return SCAN_PLACES;
		scan_digit(sc, c - '0');
		return SCAN_OK;
	}
	if (c == '.')
		return scan_point(sc);
	if (c == ',')
		return scan_comma(sc);
	if ((c == 'e' || c == 'E') && sc->ints > 0)
		return SCAN_EXPONENT;
	return SCAN_CHAR;
}

static enum scan_fail scan_number(const char *p, struct scan *sc)
{
	enum scan_fail f;

	for (; *p; p++)
		if ((f = scan_char(sc, *p)) != SCAN_OK)
			return f;
	if (sc->ints == 0)
		return SCAN_NO_DIGITS;
	if (sc->fracs == 0)
		return SCAN_TRAIL_POINT;
	if (sc->group >= 0 && sc->group != 3)
		return SCAN_GROUPS;
	for (int i = sc->fracs < 0 ? 0 : sc->fracs; i < sc->places; i++)
		if (sc->mag <= PM_MONEY_MAX)
			sc->mag *= 10;
	return sc->mag > PM_MONEY_MAX ? SCAN_RANGE : SCAN_OK;
}

static const char *skip_sign(const char *p, int *neg)
{
	*neg = *p == '-';
	return *p == '-' || *p == '+' ? p + 1 : p;
}

/* ¥ (U+00A5) or the fullwidth ￥ (U+FFE5) that Chinese input methods type. */
static const char *skip_yen(const char *p)
{
	if (strncmp(p, "\xc2\xa5", 2) == 0)
		return p + 2;
	if (strncmp(p, "\xef\xbf\xa5", 3) == 0)
		return p + 3;
	return p;
}

static int scan_error(enum scan_fail f, const char *s, int places, int money,
		      struct pm_err *e)
{
	char lim[PM_MONEY_BUF];

	switch (f) {
	case SCAN_NO_DIGITS:
		return money
			? pm_err_set(e, PM_EDATA, _("\"%s\": expected an amount such as 1234.50"), s)
			: pm_err_set(e, PM_EDATA, _("\"%s\": expected a number such as 12.5"), s);
	case SCAN_LEAD_POINT:
		return pm_err_set(e, PM_EDATA, _("\"%s\": no digit before the decimal point"), s);
	case SCAN_TRAIL_POINT:
		return pm_err_set(e, PM_EDATA, _("\"%s\": no digit after the decimal point"), s);
	case SCAN_TWO_POINTS:
		return pm_err_set(e, PM_EDATA, _("\"%s\": more than one decimal point"), s);
	case SCAN_PLACES:
		if (money)
			return pm_err_set(e, PM_EDATA, _("\"%s\": more than two decimals"), s);
		if (places == 0)
			return pm_err_set(e, PM_EDATA, _("\"%s\": expected a whole number"), s);
		return pm_err_set(e, PM_EDATA, _("\"%s\": more than %d decimals"), s, places);
	case SCAN_GROUPS:
		return pm_err_set(e, PM_EDATA,
				  _("\"%s\": thousands separators must split the digits in groups of three"), s);
	case SCAN_EXPONENT:
		return pm_err_set(e, PM_EDATA, _("\"%s\": exponents are not allowed, write the digits out"), s);
	case SCAN_CHAR:
		return money
			? pm_err_set(e, PM_EDATA, _("\"%s\": expected digits, a point, commas and at most a sign and ¥"), s)
			: pm_err_set(e, PM_EDATA, _("\"%s\": expected digits, a point and at most a sign"), s);
	case SCAN_RANGE:
		if (money)
			pm_money_display(PM_MONEY_MAX, lim);
		else
			pm_decimal_fmt(PM_MONEY_MAX, places, lim);
		return pm_err_set(e, PM_EDATA, _("\"%s\": beyond the limit of %s"), s, lim);
	case SCAN_OK:
		break;
	}
	return PM_OK;
}

static int parse_scaled(const char *s, int places, int money, int64_t *out,
			struct pm_err *e)
{
	struct scan sc = { .places = places, .commas = money, .fracs = -1, .group = -1 };
	enum scan_fail f;
	const char *p;
	int neg;

	p = skip_sign(s, &neg);
	if (money)
		p = skip_yen(p);
	if ((f = scan_number(p, &sc)) != SCAN_OK)
		return scan_error(f, s, places, money, e);
	*out = neg ? -(int64_t)sc.mag : (int64_t)sc.mag;
	return PM_OK;
}

int pm_money_parse(const char *s, int64_t *fen, struct pm_err *e)
{
	return parse_scaled(s, 2, 1, fen, e);
}

int pm_decimal_parse(const char *s, int places, int64_t *out, struct pm_err *e)
{
	if (places < 0 || places > MAX_PLACES)
		return pm_err_set(e, PM_ESOFTWARE, _("decimal places %d outside 0 to %d"),
				  places, MAX_PLACES);
	return parse_scaled(s, places, 0, out, e);
}

static uint64_t magnitude(int64_t v)
{
	return v < 0 ? -(uint64_t)v : (uint64_t)v;
}

char *pm_decimal_fmt(int64_t v, int places, char buf[PM_MONEY_BUF])
{
	/* By hand, not snprintf: a bill run formats millions of these. */
	uint64_t u = magnitude(v);
	char digits[PM_MONEY_BUF], *o = buf;
	int n = 0;

	places = places < 0 ? 0 : places > POW10_MAX ? POW10_MAX : places;
	do {
		digits[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u || n <= places);
	if (v < 0)
		*o++ = '-';
	while (n > 0) {
		if (n == places)
			*o++ = '.';
		*o++ = digits[--n];
	}
	*o = '\0';
	return buf;
}

char *pm_money_fmt(int64_t fen, char buf[PM_MONEY_BUF])
{
	return pm_decimal_fmt(fen, 2, buf);
}

char *pm_money_display(int64_t fen, char buf[PM_MONEY_BUF])
{
	uint64_t u = magnitude(fen);
	char digits[24];
	size_t n, len = 0, i;

	n = (size_t)snprintf(digits, sizeof digits, "%" PRIu64, u / 100);
	if (fen < 0)
		buf[len++] = '-';
	memcpy(buf + len, "\xc2\xa5", 2);
	len += 2;
	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf[len++] = ',';
		buf[len++] = digits[i];
	}
	snprintf(buf + len, PM_MONEY_BUF - len, ".%02" PRIu64, u % 100);
	return buf;
}

/* num / den rounded by mode, den > 0. C division truncates toward zero,
 * so the quotient is already rounded DOWN; the others may step one unit
 * away from zero. */
static __int128 div_round(__int128 num, __int128 den, enum pm_round mode)
{
	__int128 q = num / den, r = num % den;
	unsigned __int128 twice;
	int away;

	if (r == 0)
		return q;
	twice = (unsigned __int128)(r < 0 ? -r : r) * 2;
	switch (mode) {
	case PM_ROUND_HALF_UP:
		away = twice >= (unsigned __int128)den;
		break;
	case PM_ROUND_HALF_EVEN:
		away = twice > (unsigned __int128)den ||
		       (twice == (unsigned __int128)den && q % 2 != 0);
		break;
	case PM_ROUND_UP:
		away = 1;
		break;
	case PM_ROUND_DOWN:
	default:
		away = 0;
		break;
	}
	if (!away)
		return q;
	return num < 0 ? q - 1 : q + 1;
}

int64_t pm_div_round(int64_t num, int64_t den, enum pm_round mode)
{
	return (int64_t)div_round(num, den, mode);
}

int64_t pm_money_round_to(int64_t fen, int64_t step, enum pm_round mode)
{
	__int128 r;

	if (step <= 0)
		return fen;
	r = div_round(fen, step, mode) * step;
	/* Rounding away from zero can leave int64 only for amounts far past
	 * PM_MONEY_MAX; those get the multiple toward zero, which always fits. */
	if (r > INT64_MAX || r < INT64_MIN)
		r = div_round(fen, step, PM_ROUND_DOWN) * step;
	return (int64_t)r;
}

int pm_money_add(int64_t *sum, int64_t x, struct pm_err *e)
{
	char lim[PM_MONEY_BUF];
	int64_t r;

	if (__builtin_add_overflow(*sum, x, &r) || r > PM_MONEY_MAX || r < -PM_MONEY_MAX)
		return pm_err_set(e, PM_EDATA, _("a sum of money beyond the limit of %s"),
				  pm_money_display(PM_MONEY_MAX, lim));
	*sum = r;
	return PM_OK;
}

int pm_money_mul(int64_t price, int price_places, int64_t qty, int qty_places,
		 enum pm_round mode, int64_t *fen, struct pm_err *e)
{
	char p[PM_MONEY_BUF], q[PM_MONEY_BUF], lim[PM_MONEY_BUF];
	__int128 r;

	if (price_places < 2 || price_places > MAX_PLACES ||
	    qty_places < 0 || qty_places > MAX_PLACES)
		return pm_err_set(e, PM_ESOFTWARE,
				  _("price places %d or quantity places %d outside 2 to 6 and 0 to 6"),
				  price_places, qty_places);
	r = div_round((__int128)price * qty,
		      (__int128)pow10_u[price_places + qty_places - 2], mode);
	if (r > PM_MONEY_MAX || r < -PM_MONEY_MAX)
		return pm_err_set(e, PM_EDATA, _("\"%s × %s\": beyond the limit of %s"),
				  pm_decimal_fmt(price, price_places, p),
				  pm_decimal_fmt(qty, qty_places, q),
				  pm_money_display(PM_MONEY_MAX, lim));
	*fen = (int64_t)r;
	return PM_OK;
}

/* The share of part i before the leftover units are handed out is
 * floor(total * w / sum); the remainder decides who gets one more. */
static unsigned __int128 split_rem(unsigned __int128 total, int64_t w,
				   unsigned __int128 sum)
{
	return total * (uint64_t)w % sum;
}

/* How many parts have a remainder of at least t. */
static size_t split_count(unsigned __int128 total, const int64_t *weights,
			  size_t n, unsigned __int128 sum, unsigned __int128 t)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += split_rem(total, weights[i], sum) >= t;
	return c;
}

/* The largest remainder t that at least left parts reach: they all get a
 * unit, those above t first, then those at t by index. Found by bisection
 * so the split needs no memory beyond out[]. */
static unsigned __int128 split_threshold(unsigned __int128 total, const int64_t *weights,
					 size_t n, unsigned __int128 sum, size_t left)
{
	unsigned __int128 lo = 1, hi = sum - 1;

	while (lo < hi) {
		unsigned __int128 mid = lo + (hi - lo + 1) / 2;

		if (split_count(total, weights, n, sum, mid) >= left)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/* out[] already holds the rounded-down shares with the total's sign;
 * unit (1 or -1) moves a share one fen further from zero. */
static void split_leftover(unsigned __int128 total, const int64_t *weights, size_t n,
			   unsigned __int128 sum, size_t left, int64_t unit, int64_t *out)
{
	unsigned __int128 t, r;
	size_t above;

	if (left == 0)
		return;
	t = split_threshold(total, weights, n, sum, left);
	above = split_count(total, weights, n, sum, t + 1);
	for (size_t i = 0; i < n; i++) {
		r = split_rem(total, weights[i], sum);
		if (r > t) {
			out[i] += unit;
		} else if (r == t && above < left) {
			out[i] += unit;
			above++;
		}
	}
}

int pm_money_split(int64_t total, const int64_t *weights, size_t n, int64_t *out)
{
	unsigned __int128 sum = 0, mag = magnitude(total), given = 0, share;
	int64_t unit = total < 0 ? -1 : 1;
	size_t i;

	for (i = 0; i < n; i++) {
		if (weights[i] < 0)
			return PM_EDATA;
		sum += (uint64_t)weights[i];
	}
	if (sum == 0) {
		if (total != 0)
			return PM_EDATA;
		memset(out, 0, n * sizeof *out);
		return PM_OK;
	}
	for (i = 0; i < n; i++) {
		share = mag * (uint64_t)weights[i] / sum;
		given += share;
		/* Signed before storing: INT64_MIN's magnitude fits only negated. */
		out[i] = (int64_t)((__int128)share * unit);
	}
	split_leftover(mag, weights, n, sum, (size_t)(mag - given), unit, out);
	return PM_OK;
}
