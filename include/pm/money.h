/* Money is int64_t fen (0.01 yuan), never floating point. */
#ifndef PM_MONEY_H
#define PM_MONEY_H

#include <stddef.h>
#include <stdint.h>

#include "pm/err.h"

/* |amount| may not exceed 90,000,000,000,000.00 yuan. */
#define PM_MONEY_MAX INT64_C(9000000000000000)

/* Room for any formatted amount, sign, ¥ and separators included. */
#define PM_MONEY_BUF 40

enum pm_round {
	PM_ROUND_HALF_UP,   /* 四舍五入: halves away from zero */
	PM_ROUND_HALF_EVEN, /* banker's rounding */
	PM_ROUND_UP,        /* away from zero */
	PM_ROUND_DOWN,      /* toward zero */
};

/* Parses an amount of yuan exactly: "1234", "1234.5", "1234.50", "-12.30",
 * "¥1,234.50", "+3". Rejects more than two decimals, exponents, stray
 * characters, empty text and amounts past PM_MONEY_MAX, saying why. */
int pm_money_parse(const char *s, int64_t *fen, struct pm_err *e);

/* Parses a plain decimal ("-12.5", "1234.567") with at most places
 * decimals into an integer scaled by 10^places (places 0..6). No currency
 * sign, no separators, no exponent; |value| at most PM_MONEY_MAX. */
int pm_decimal_parse(const char *s, int places, int64_t *out, struct pm_err *e);

/* "1234.50", "-0.05": the form JSON strings and CSV cells use. */
char *pm_money_fmt(int64_t fen, char buf[PM_MONEY_BUF]);
/* "¥1,234.50", "-¥0.05": the form tables and notices use. */
char *pm_money_display(int64_t fen, char buf[PM_MONEY_BUF]);
/* "1234.567" for v = 1234567, places 3; "12" for places 0. */
char *pm_decimal_fmt(int64_t v, int places, char buf[PM_MONEY_BUF]);

/* price (yuan scaled by 10^price_places, 2..6) times qty (scaled by
 * 10^qty_places, 0..6), rounded once to fen. PM_EDATA on overflow. */
int pm_money_mul(int64_t price, int price_places, int64_t qty, int qty_places,
		 enum pm_round mode, int64_t *fen, struct pm_err *e);

/* num / den rounded by mode, for den > 0, with a 128-bit intermediate
 * where the caller needs one; the building block of the two above. */
int64_t pm_div_round(int64_t num, int64_t den, enum pm_round mode);

/* *sum + x into *sum when it stays within PM_MONEY_MAX either way: every
 * sum of money goes through here, so an overflow is an error (PM_EDATA,
 * *sum unchanged), never a wrap. */
int pm_money_add(int64_t *sum, int64_t x, struct pm_err *e);

/* Rounds fen to a multiple of step (1 fen, 10 jiao, 100 yuan). */
int64_t pm_money_round_to(int64_t fen, int64_t step, enum pm_round mode);

/* Splits total among n parts in proportion to weights (each >= 0) with the
 * largest-remainder method, remainders tied going to the lower index, so
 * out[] always sums to total; zero weights get zero; a negative total is
 * split as its absolute value and negated. PM_EDATA if a weight is negative,
 * or all weights are zero while total is not. */
int pm_money_split(int64_t total, const int64_t *weights, size_t n, int64_t *out);

#endif
