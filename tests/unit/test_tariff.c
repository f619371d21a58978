/* Every tariff shape against amounts computed by hand (shown beside each
 * case), tier boundaries at, below and above each limit, and every
 * rounding step and mode. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "pm/tariff.h"

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

static struct pm_rounding rnd(int64_t step, enum pm_round mode)
{
	return (struct pm_rounding){step, mode};
}

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "(none)";
}

/* ---- per area ---- */

struct area_case {
	int64_t price, area;
	int discount, days, period_days, vacant_days;
	struct pm_rounding r;
	int64_t want;
};

static void test_per_area(void **state)
{
	static const struct area_case cases[] = {
		/* 2.5 × 89.50 = 223.75 */
		{25000, 8950, 0, 30, 30, 0, {1, PM_ROUND_HALF_UP}, 22375},
		/* 223.75 × 16/30 = 119.3333… */
		{25000, 8950, 0, 16, 30, 0, {1, PM_ROUND_HALF_UP}, 11933},
		{25000, 8950, 0, 16, 30, 0, {1, PM_ROUND_UP}, 11934},
		{25000, 8950, 0, 16, 30, 0, {1, PM_ROUND_DOWN}, 11933},
		{25000, 8950, 0, 16, 30, 0, {10, PM_ROUND_HALF_UP}, 11930},
		{25000, 8950, 0, 16, 30, 0, {100, PM_ROUND_HALF_UP}, 11900},
		{25000, 8950, 0, 16, 30, 0, {100, PM_ROUND_UP}, 12000},
		/* 2.5 × 89.30 × 50% = 111.625: a half fen */
		{25000, 8930, 50, 30, 30, 30, {1, PM_ROUND_HALF_UP}, 11163},
		{25000, 8930, 50, 30, 30, 30, {1, PM_ROUND_HALF_EVEN}, 11162},
		{25000, 8930, 50, 30, 30, 30, {1, PM_ROUND_UP}, 11163},
		{25000, 8930, 50, 30, 30, 30, {1, PM_ROUND_DOWN}, 11162},
		/* 1.8 × 120 × 10/31 = 69.677419… */
		{18000, 12000, 0, 10, 31, 0, {1, PM_ROUND_HALF_UP}, 6968},
		/* 1.8 × 120 × 70% × 10/31 = 48.774193… */
		{18000, 12000, 30, 10, 31, 10, {1, PM_ROUND_HALF_UP}, 4877},
		/* 0.0495 × 1 m² = 0.0495: to the jiao once gives 0, where
		 * rounding to the fen first (0.05) and then the jiao gives 0.1 */
		{495, 100, 0, 30, 30, 0, {10, PM_ROUND_HALF_UP}, 0},
		/* 0.0495 yuan to the fen, half even: 4.95 fen → 5 */
		{495, 100, 0, 30, 30, 0, {1, PM_ROUND_HALF_EVEN}, 5},
		/* moved in on the 11th of 30, 50% off while vacant: 223.75 ×
		 * (20 + 10 × 50%) / 30 = 186.458333… */
		{25000, 8950, 50, 30, 30, 10, {1, PM_ROUND_HALF_UP}, 18646},
		/* delivered on the 21st, vacant: 223.75 × 10 × 50% / 30 = 37.291666… */
		{25000, 8950, 50, 10, 30, 10, {1, PM_ROUND_HALF_UP}, 3729},
		{25000, 8950, 100, 30, 30, 30, {1, PM_ROUND_HALF_UP}, 0},
		{25000, 8950, 0, 0, 30, 0, {1, PM_ROUND_HALF_UP}, 0},
		/* 3.4567 × 0.01 m² = 0.034567 */
		{34567, 1, 0, 28, 28, 0, {1, PM_ROUND_HALF_UP}, 3},
	};

	for (size_t i = 0; i < N_OF(cases); i++) {
		const struct area_case *c = &cases[i];
		struct pm_per_area a = {c->price, c->area, c->discount, c->days, c->period_days, c->vacant_days};
		struct pm_err e = {0};
		int64_t fen = -1;
		json_t *bd;

		if (pm_tariff_per_area(&a, c->r, &fen, &bd, &e))
			fail_msg("case %zu: %s", i, e.msg);
		if (fen != c->want)
			fail_msg("case %zu: %lld fen, want %lld", i, (long long)fen, (long long)c->want);
		json_decref(bd);
	}
}

static void test_per_area_breakdown(void **state)
{
	struct pm_per_area a = {25000, 8950, 50, 16, 30, 16};
	struct pm_err e = {0};
	int64_t fen;
	json_t *bd;

	assert_int_equal(pm_tariff_per_area(&a, PM_ROUNDING_DEFAULT, &fen, &bd, &e), PM_OK);
	/* 223.75 × 50% × 16/30 = 59.6666… */
	assert_int_equal(fen, 5967);
	assert_string_equal(str(bd, "price"), "2.5000");
	assert_string_equal(str(bd, "area"), "89.50");
	assert_int_equal(json_integer_value(json_object_get(bd, "discount_percent")), 50);
	assert_int_equal(json_integer_value(json_object_get(bd, "days")), 16);
	assert_int_equal(json_integer_value(json_object_get(bd, "vacant_days")), 16);
	assert_int_equal(json_integer_value(json_object_get(bd, "period_days")), 30);
	assert_string_equal(str(bd, "rounding"), "fen half_up");
	assert_string_equal(str(bd, "amount"), "59.67");
	json_decref(bd);
}

static void test_per_area_rejects(void **state)
{
	static const struct pm_per_area bad[] = {
		{25000, 8950, 0, 31, 30, 0}, {25000, 8950, 101, 30, 30, 30}, {25000, 8950, -1, 30, 30, 30},
		{-1, 8950, 0, 30, 30, 0}, {25000, -5, 0, 30, 30, 0}, {25000, 8950, 0, 1, 0, 0},
		{25000, 8950, 50, 10, 30, 11},
	};

	for (size_t i = 0; i < N_OF(bad); i++) {
		struct pm_err e = {0};
		int64_t fen = 7;
		json_t *bd = (json_t *)1;

		assert_int_equal(pm_tariff_per_area(&bad[i], PM_ROUNDING_DEFAULT, &fen, &bd, &e), PM_EDATA);
		assert_null(bd);
		assert_int_equal(fen, 7);
	}
}

/* ---- tiers ---- */

/* 10 m³ at 2.00, to 20 m³ at 3.00, beyond at 5.00 */
static const struct pm_tier monthly[] = {{10000, 20000}, {20000, 30000}, {0, 50000}};
/* a year's water: 180 m³ at 3.45, to 260 at 4.83, beyond at 7.96 */
static const struct pm_tier annual[] = {{180000, 34500}, {260000, 48300}, {0, 79600}};

struct split_case {
	const struct pm_tier *t;
	int64_t before, usage, want[3];
};

static void test_tier_split(void **state)
{
	static const struct split_case cases[] = {
		{monthly, 0, 0, {0, 0, 0}},
		{monthly, 0, 9999, {9999, 0, 0}},
		{monthly, 0, 10000, {10000, 0, 0}},
		{monthly, 0, 10001, {10000, 1, 0}},
		{monthly, 0, 19999, {10000, 9999, 0}},
		{monthly, 0, 20000, {10000, 10000, 0}},
		{monthly, 0, 20001, {10000, 10000, 1}},
		{monthly, 0, 123456, {10000, 10000, 103456}},
		/* annual: crossing a limit in the middle of the year */
		{annual, 175000, 10000, {5000, 5000, 0}},
		{annual, 179999, 1, {1, 0, 0}},
		{annual, 180000, 1000, {0, 1000, 0}},
		{annual, 170000, 10000, {10000, 0, 0}},
		{annual, 255000, 10000, {0, 5000, 5000}},
		{annual, 260000, 1, {0, 0, 1}},
		{annual, 100000, 200000, {80000, 80000, 40000}},
		{annual, 300000, 1000, {0, 0, 1000}},
	};

	for (size_t i = 0; i < N_OF(cases); i++) {
		const struct split_case *c = &cases[i];
		struct pm_err e = {0};
		int64_t out[3] = {-1, -1, -1};

		assert_int_equal(pm_tariff_tier_split(c->t, 3, c->before, c->usage, out, &e), PM_OK);
		for (int k = 0; k < 3; k++)
			if (out[k] != c->want[k])
				fail_msg("case %zu tier %d: %lld, want %lld", i, k + 1, (long long)out[k],
					 (long long)c->want[k]);
	}
}

static void test_tier_split_rejects(void **state)
{
	static const struct pm_tier falling[] = {{20000, 1}, {10000, 2}, {0, 3}};
	static const struct pm_tier open_middle[] = {{10000, 1}, {0, 2}, {30000, 3}};
	static const struct pm_tier closed_last[] = {{10000, 1}, {20000, 2}};
	struct pm_err e = {0};
	int64_t out[3];

	assert_int_equal(pm_tariff_tier_split(falling, 3, 0, 1, out, &e), PM_EDATA);
	assert_int_equal(pm_tariff_tier_split(open_middle, 3, 0, 1, out, &e), PM_EDATA);
	assert_int_equal(pm_tariff_tier_split(closed_last, 2, 0, 1, out, &e), PM_EDATA);
	assert_int_equal(pm_tariff_tier_split(monthly, 3, -1, 1, out, &e), PM_EDATA);
	assert_int_equal(pm_tariff_tier_split(monthly, 3, 0, -1, out, &e), PM_EDATA);
	assert_int_equal(pm_tariff_tier_split(monthly, 0, 0, 1, out, &e), PM_EDATA);
}

/* ---- metered ---- */

static struct pm_metered tiered(const struct pm_tier *t, int n)
{
	struct pm_metered m = {.has_base = 1, .ntiers = n};

	memcpy(m.tiers, t, (size_t)n * sizeof *t);
	return m;
}

struct metered_case {
	int64_t before, usage;
	struct pm_rounding r;
	int64_t want;
};

static void run_metered(const struct pm_metered *m, const struct metered_case *cases, size_t n)
{
	static const int64_t regs[PM_TARIFF_REGS + 1];

	for (size_t i = 0; i < n; i++) {
		struct pm_err e = {0};
		int64_t fen = -1;
		json_t *bd;

		if (pm_tariff_metered(m, cases[i].before, cases[i].usage, regs, cases[i].r, &fen, &bd, &e))
			fail_msg("case %zu: %s", i, e.msg);
		if (fen != cases[i].want)
			fail_msg("case %zu: %lld fen, want %lld", i, (long long)fen, (long long)cases[i].want);
		json_decref(bd);
	}
}

static void test_metered_flat(void **state)
{
	static const struct metered_case cases[] = {
		/* 0.52 × 123.456 = 64.19712 */
		{0, 123456, {1, PM_ROUND_HALF_UP}, 6420},
		{0, 123456, {1, PM_ROUND_DOWN}, 6419},
		{0, 123456, {10, PM_ROUND_HALF_UP}, 6420},
		{0, 123456, {10, PM_ROUND_DOWN}, 6410},
		{0, 123456, {100, PM_ROUND_HALF_UP}, 6400},
		{0, 123456, {100, PM_ROUND_UP}, 6500},
		/* 0.52 × 0.05 = 0.026 */
		{0, 50, {1, PM_ROUND_HALF_UP}, 3},
		{0, 0, {1, PM_ROUND_UP}, 0},
	};
	static const struct metered_case halves[] = {
		/* 0.5 × 0.05 = 0.025: two and a half fen */
		{0, 50, {1, PM_ROUND_HALF_UP}, 3},
		{0, 50, {1, PM_ROUND_HALF_EVEN}, 2},
		{0, 50, {1, PM_ROUND_UP}, 3},
		{0, 50, {1, PM_ROUND_DOWN}, 2},
		/* 0.5 × 0.07 = 0.035: three and a half fen, even is 4 */
		{0, 70, {1, PM_ROUND_HALF_EVEN}, 4},
		/* 0.5 × 1.5 = 0.75: seven and a half jiao */
		{0, 1500, {10, PM_ROUND_HALF_EVEN}, 80},
		{0, 1500, {10, PM_ROUND_HALF_UP}, 80},
		{0, 1300, {10, PM_ROUND_HALF_EVEN}, 60},
		{0, 1300, {10, PM_ROUND_HALF_UP}, 70},
		/* 0.5 × 5 = 2.5 yuan */
		{0, 5000, {100, PM_ROUND_HALF_EVEN}, 200},
		{0, 5000, {100, PM_ROUND_HALF_UP}, 300},
		{0, 5000, {100, PM_ROUND_DOWN}, 200},
	};
	struct pm_metered m = {.price = 5200, .has_base = 1};

	run_metered(&m, cases, N_OF(cases));
	m.price = 5000;
	run_metered(&m, halves, N_OF(halves));
}

static void test_metered_monthly_tiers(void **state)
{
	static const struct metered_case cases[] = {
		{0, 9999, {1, PM_ROUND_HALF_UP}, 2000},      /* 19.998 */
		{0, 10000, {1, PM_ROUND_HALF_UP}, 2000},     /* 20.00 */
		{0, 10001, {1, PM_ROUND_HALF_UP}, 2000},     /* 20.003 */
		{0, 19999, {1, PM_ROUND_HALF_UP}, 5000},     /* 20 + 29.997 */
		{0, 20000, {1, PM_ROUND_HALF_UP}, 5000},     /* 20 + 30 */
		/* 20 + 30 + 0.005 = 50.005: half a fen */
		{0, 20001, {1, PM_ROUND_HALF_UP}, 5001},
		{0, 20001, {1, PM_ROUND_HALF_EVEN}, 5000},
		{0, 20001, {1, PM_ROUND_UP}, 5001},
		{0, 20001, {1, PM_ROUND_DOWN}, 5000},
		{0, 20001, {10, PM_ROUND_UP}, 5010},
		{0, 25000, {1, PM_ROUND_HALF_UP}, 7500},     /* 20 + 30 + 25 */
	};
	struct pm_metered m = tiered(monthly, 3);

	run_metered(&m, cases, N_OF(cases));
}

static void test_metered_annual_tiers(void **state)
{
	static const struct metered_case cases[] = {
		/* 5 × 3.45 + 5 × 4.83 = 17.25 + 24.15 */
		{175000, 10000, {1, PM_ROUND_HALF_UP}, 4140},
		/* 5 × 4.83 + 5 × 7.96 = 24.15 + 39.80 */
		{255000, 10000, {1, PM_ROUND_HALF_UP}, 6395},
		/* 80 × 3.45 + 80 × 4.83 + 40 × 7.96 = 276 + 386.4 + 318.4 */
		{100000, 200000, {1, PM_ROUND_HALF_UP}, 98080},
		/* 12.345 × 3.45 = 42.59025 */
		{0, 12345, {1, PM_ROUND_HALF_UP}, 4259},
		{0, 12345, {10, PM_ROUND_HALF_UP}, 4260},
		{0, 12345, {100, PM_ROUND_HALF_UP}, 4300},
		{0, 12345, {100, PM_ROUND_DOWN}, 4200},
	};
	struct pm_metered m = tiered(annual, 3);
	static const int64_t regs[PM_TARIFF_REGS + 1];
	struct pm_err e = {0};
	json_t *bd, *t;
	int64_t fen;

	run_metered(&m, cases, N_OF(cases));
	assert_int_equal(pm_tariff_metered(&m, 175000, 10000, regs, PM_ROUNDING_DEFAULT, &fen, &bd, &e), PM_OK);
	assert_string_equal(str(bd, "before"), "175.000");
	assert_string_equal(str(bd, "usage"), "10.000");
	assert_string_equal(str(bd, "exact"), "41.4000000");
	assert_string_equal(str(bd, "amount"), "41.40");
	t = json_object_get(bd, "tiers");
	assert_int_equal(json_array_size(t), 3);
	assert_string_equal(str(json_array_get(t, 0), "quantity"), "5.000");
	assert_string_equal(str(json_array_get(t, 0), "upto"), "180.000");
	assert_string_equal(str(json_array_get(t, 1), "quantity"), "5.000");
	assert_string_equal(str(json_array_get(t, 1), "price"), "4.8300");
	assert_string_equal(str(json_array_get(t, 1), "amount"), "24.1500000");
	assert_string_equal(str(json_array_get(t, 2), "quantity"), "0.000");
	assert_null(json_object_get(json_array_get(t, 2), "upto"));
	json_decref(bd);
}

static void test_metered_tou(void **state)
{
	/* peak 0.6 × 100 + valley 0.3 × 50 = 60 + 15 */
	struct pm_metered only = {.tou = {0, 0, 6000, 0, 3000}, .tou_mask = (1u << 2) | (1u << 4)};
	/* 150 at 0.5 (tier 1 to 200) = 75, then +0.1 × 100 peak, -0.15 × 50 valley */
	struct pm_metered top = {.has_base = 1, .ntiers = 2, .tiers = {{200000, 5000}, {0, 8000}},
				 .tou = {0, 0, 1000, 0, -1500}, .tou_mask = (1u << 2) | (1u << 4)};
	int64_t regs[PM_TARIFF_REGS + 1] = {0, 0, 100000, 0, 50000};
	struct pm_err e = {0};
	int64_t fen;
	json_t *bd;

	assert_int_equal(pm_tariff_metered(&only, 0, 150000, regs, PM_ROUNDING_DEFAULT, &fen, &bd, &e), PM_OK);
	assert_int_equal(fen, 7500);
	assert_int_equal(json_array_size(json_object_get(bd, "tou")), 2);
	assert_string_equal(str(json_array_get(json_object_get(bd, "tou"), 0), "register"), "peak");
	json_decref(bd);
	assert_int_equal(pm_tariff_metered(&top, 0, 150000, regs, PM_ROUNDING_DEFAULT, &fen, &bd, &e), PM_OK);
	assert_int_equal(fen, 7750);
	assert_string_equal(str(json_array_get(json_object_get(bd, "tou_difference"), 1), "amount"),
			    "-7.5000000");
	json_decref(bd);
	assert_int_equal(pm_tariff_metered(&top, 0, -1, regs, PM_ROUNDING_DEFAULT, &fen, &bd, &e), PM_EDATA);
	assert_null(bd);
}

/* ---- fixed ---- */

static void test_fixed(void **state)
{
	struct pm_err e = {0};
	int64_t fen;
	json_t *bd;

	assert_int_equal(pm_tariff_fixed(1500, 1, PM_ROUNDING_DEFAULT, &fen, &bd, &e), PM_OK);
	assert_int_equal(fen, 1500);
	assert_string_equal(str(bd, "price"), "15.00");
	json_decref(bd);
	assert_int_equal(pm_tariff_fixed(30000, 2, PM_ROUNDING_DEFAULT, &fen, &bd, &e), PM_OK);
	assert_int_equal(fen, 60000);
	json_decref(bd);
	assert_int_equal(pm_tariff_fixed(1234, 1, rnd(10, PM_ROUND_HALF_UP), &fen, &bd, &e), PM_OK);
	assert_int_equal(fen, 1230);
	json_decref(bd);
	assert_int_equal(pm_tariff_fixed(1250, 1, rnd(100, PM_ROUND_HALF_EVEN), &fen, &bd, &e), PM_OK);
	assert_int_equal(fen, 1200);
	json_decref(bd);
	assert_int_equal(pm_tariff_fixed(1500, -1, PM_ROUNDING_DEFAULT, &fen, &bd, &e), PM_EDATA);
}

/* ---- shared ---- */

static int64_t sum(const int64_t *v, size_t n)
{
	int64_t s = 0;

	for (size_t i = 0; i < n; i++)
		s += v[i];
	return s;
}

static void test_share(void **state)
{
	/* 1.00 by area 89.50, 120.00, 60.30 (sum 269.80): 33.17, 44.48, 22.35
	 * fen; floors 33 + 44 + 22 = 99, the fen left goes to the largest
	 * remainder, 0.48 */
	static const int64_t areas[] = {8950, 12000, 6030};
	static const int64_t equal7[] = {1, 1, 1, 1, 1, 1, 1};
	static const int64_t zeros[] = {0, 0};
	static const int64_t usage[] = {12345, 0, 678};
	struct pm_err e = {0};
	int64_t out[7], total;

	assert_int_equal(pm_tariff_share(100, areas, 3, PM_ROUNDING_DEFAULT, out, &total, &e), PM_OK);
	assert_int_equal(out[0], 33);
	assert_int_equal(out[1], 45);
	assert_int_equal(out[2], 22);
	assert_int_equal(total, 100);
	/* 100.00 in seven: 1428.57 each; four get the extra fen, lowest first */
	assert_int_equal(pm_tariff_share(10000, equal7, 7, PM_ROUNDING_DEFAULT, out, &total, &e), PM_OK);
	assert_int_equal(out[0], 1429);
	assert_int_equal(out[3], 1429);
	assert_int_equal(out[4], 1428);
	assert_int_equal(out[6], 1428);
	assert_int_equal(sum(out, 7), 10000);
	/* 12.38 to the jiao is 12.40: 124 jiao in three is 42, 41, 41 */
	assert_int_equal(pm_tariff_share(1238, equal7, 3, rnd(10, PM_ROUND_HALF_UP), out, &total, &e), PM_OK);
	assert_int_equal(total, 1240);
	assert_int_equal(out[0], 420);
	assert_int_equal(out[1], 410);
	assert_int_equal(out[2], 410);
	/* by usage: 4.01 over 12.345 and 0.678 (sum 13.023): 380.10, 20.90 */
	assert_int_equal(pm_tariff_share(401, usage, 3, PM_ROUNDING_DEFAULT, out, &total, &e), PM_OK);
	assert_int_equal(out[0], 380);
	assert_int_equal(out[1], 0);
	assert_int_equal(out[2], 21);
	assert_int_equal(sum(out, 3), 401);
	/* an odd total among many weights always sums */
	{
		int64_t w[101], o[101];
		for (int i = 0; i < 101; i++)
			w[i] = 7919 * (i + 1) % 1009 + 1;
		assert_int_equal(pm_tariff_share(99999, w, 101, PM_ROUNDING_DEFAULT, o, &total, &e), PM_OK);
		assert_int_equal(sum(o, 101), 99999);
	}
	assert_int_equal(pm_tariff_share(100, zeros, 2, PM_ROUNDING_DEFAULT, out, &total, &e), PM_EDATA);
	assert_int_equal(pm_tariff_share(0, zeros, 2, PM_ROUNDING_DEFAULT, out, &total, &e), PM_OK);
	assert_int_equal(out[0] + out[1], 0);
}

/* ---- rounding names ---- */

static void test_rounding_parse(void **state)
{
	struct pm_rounding r;
	struct pm_err e = {0};
	char buf[32];

	assert_int_equal(pm_rounding_parse(NULL, NULL, &r, &e), PM_OK);
	assert_int_equal(r.step, 1);
	assert_int_equal(r.mode, PM_ROUND_HALF_UP);
	assert_int_equal(pm_rounding_parse("jiao", "half_even", &r, &e), PM_OK);
	assert_int_equal(r.step, 10);
	assert_int_equal(r.mode, PM_ROUND_HALF_EVEN);
	assert_string_equal(pm_rounding_name(r, buf, sizeof buf), "jiao half_even");
	assert_int_equal(pm_rounding_parse("yuan", "down", &r, &e), PM_OK);
	assert_string_equal(pm_rounding_name(r, buf, sizeof buf), "yuan down");
	assert_int_equal(pm_rounding_parse("cent", NULL, &r, &e), PM_ECONFIG);
	assert_non_null(strstr(e.msg, "'cent'"));
	assert_int_equal(pm_rounding_parse("fen", "nearest", &r, &e), PM_ECONFIG);
	assert_non_null(strstr(e.msg, "'nearest'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_per_area),
		cmocka_unit_test(test_per_area_breakdown),
		cmocka_unit_test(test_per_area_rejects),
		cmocka_unit_test(test_tier_split),
		cmocka_unit_test(test_tier_split_rejects),
		cmocka_unit_test(test_metered_flat),
		cmocka_unit_test(test_metered_monthly_tiers),
		cmocka_unit_test(test_metered_annual_tiers),
		cmocka_unit_test(test_metered_tou),
		cmocka_unit_test(test_fixed),
		cmocka_unit_test(test_share),
		cmocka_unit_test(test_rounding_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
