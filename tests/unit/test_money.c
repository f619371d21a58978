#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "pm/money.h"

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

struct accept {
	const char *in;
	int64_t fen;
};

struct reject {
	const char *in;
	const char *msg;
};

static void test_money_parse_accepts(void **state)
{
	static const struct accept cases[] = {
		{ "1234", 123400 },
		{ "1234.5", 123450 },
		{ "1234.50", 123450 },
		{ "-12.30", -1230 },
		{ "+3", 300 },
		{ "\xc2\xa5" "1,234.50", 123450 },
		{ "-\xc2\xa5" "1,234.50", -123450 },
		{ "\xef\xbf\xa5" "1,234.50", 123450 },
		{ "-\xef\xbf\xa5" "0.05", -5 },
		{ "+\xc2\xa5" "0.05", 5 },
		{ "\xc2\xa5" "5", 500 },
		{ "0", 0 },
		{ "-0", 0 },
		{ "0.00", 0 },
		{ "0.01", 1 },
		{ "-0.05", -5 },
		{ "007.5", 750 },
		{ "999", 99900 },
		{ "1,000", 100000 },
		{ "12,345", 1234500 },
		{ "123,456", 12345600 },
		{ "1,234,567.89", 123456789 },
		{ "90000000000000", PM_MONEY_MAX },
		{ "-90,000,000,000,000.00", -PM_MONEY_MAX },
		{ "89999999999999.99", PM_MONEY_MAX - 1 },
	};

	for (size_t i = 0; i < N_OF(cases); i++) {
		struct pm_err e = { 0 };
		int64_t fen = 42;

		if (pm_money_parse(cases[i].in, &fen, &e) != PM_OK)
			fail_msg("\"%s\" rejected: %s", cases[i].in, e.msg);
		if (fen != cases[i].fen)
			fail_msg("\"%s\" gave %lld fen", cases[i].in, (long long)fen);
	}
}

static void test_money_parse_rejects(void **state)
{
	static const struct reject cases[] = {
		{ "12.345", "\"12.345\": more than two decimals" },
		{ "12.340", "\"12.340\": more than two decimals" },
		{ "1e3", "\"1e3\": exponents are not allowed, write the digits out" },
		{ "1.5E3", "\"1.5E3\": exponents are not allowed, write the digits out" },
		{ "1.5e", "\"1.5e\": exponents are not allowed, write the digits out" },
		{ "12.3.4", "\"12.3.4\": more than one decimal point" },
		{ "1..2", "\"1..2\": more than one decimal point" },
		{ "", "\"\": expected an amount such as 1234.50" },
		{ "-", "\"-\": expected an amount such as 1234.50" },
		{ "\xc2\xa5", "\"\xc2\xa5\": expected an amount such as 1234.50" },
		{ " ", "\" \": expected digits, a point, commas and at most a sign and \xc2\xa5" },
		{ "abc", "\"abc\": expected digits, a point, commas and at most a sign and \xc2\xa5" },
		{ "e5", "\"e5\": expected digits, a point, commas and at most a sign and \xc2\xa5" },
		{ "1.", "\"1.\": no digit after the decimal point" },
		{ "-1.", "\"-1.\": no digit after the decimal point" },
		{ ".5", "\".5\": no digit before the decimal point" },
		{ "-.5", "\"-.5\": no digit before the decimal point" },
		{ "12,34", "\"12,34\": thousands separators must split the digits in groups of three" },
		{ "1234,567", "\"1234,567\": thousands separators must split the digits in groups of three" },
		{ ",123", "\",123\": thousands separators must split the digits in groups of three" },
		{ "1,,234", "\"1,,234\": thousands separators must split the digits in groups of three" },
		{ "1,234,56", "\"1,234,56\": thousands separators must split the digits in groups of three" },
		{ "1,2345", "\"1,2345\": thousands separators must split the digits in groups of three" },
		{ "1,234,", "\"1,234,\": thousands separators must split the digits in groups of three" },
		{ "12,34.5", "\"12,34.5\": thousands separators must split the digits in groups of three" },
		{ "1.234,5", "\"1.234,5\": more than two decimals" },
		{ "1.23,4", "\"1.23,4\": thousands separators must split the digits in groups of three" },
		{ "0,123", "\"0,123\": thousands separators must split the digits in groups of three" },
		{ "90000000000000.01",
		  "\"90000000000000.01\": beyond the limit of \xc2\xa5" "90,000,000,000,000.00" },
		{ "-90000000000001",
		  "\"-90000000000001\": beyond the limit of \xc2\xa5" "90,000,000,000,000.00" },
		/* 2^64 fen: wraps to 0 in 64 bits unless the scan saturates */
		{ "184467440737095516.16",
		  "\"184467440737095516.16\": beyond the limit of \xc2\xa5" "90,000,000,000,000.00" },
		{ "99999999999999999999999999999",
		  "\"99999999999999999999999999999\": beyond the limit of \xc2\xa5" "90,000,000,000,000.00" },
	};
	static const char *const bad_chars[] = {
		" 12", "12 ", "1 234", "+-1", "--1", "-+1", "\xc2\xa5-1", "\xc2\xa5\xc2\xa5" "1",
		"$12", "12\xe5\x85\x83", "\xc2", "\xef\xbf", "\xef\xbc\x91\xef\xbc\x92", "0x10",
		"1_000", "12\n", "\xc2\xa5 5", "nan", "inf",
	};

	for (size_t i = 0; i < N_OF(cases); i++) {
		struct pm_err e = { 0 };
		int64_t fen = 42;

		assert_int_equal(pm_money_parse(cases[i].in, &fen, &e), PM_EDATA);
		assert_int_equal(e.code, PM_EDATA);
		assert_string_equal(e.msg, cases[i].msg);
		assert_int_equal(fen, 42);
	}
	for (size_t i = 0; i < N_OF(bad_chars); i++) {
		struct pm_err e = { 0 };
		int64_t fen = 42;

		if (pm_money_parse(bad_chars[i], &fen, &e) != PM_EDATA)
			fail_msg("\"%s\" accepted as %lld", bad_chars[i], (long long)fen);
		assert_non_null(strstr(e.msg, "expected digits"));
		assert_int_equal(fen, 42);
	}
}

static void test_money_parse_null_err(void **state)
{
	int64_t fen;

	assert_int_equal(pm_money_parse("x", &fen, NULL), PM_EDATA);
	assert_int_equal(pm_decimal_parse("x", 2, &fen, NULL), PM_EDATA);
}

struct dec_accept {
	const char *in;
	int places;
	int64_t v;
};

static void test_decimal_parse(void **state)
{
	static const struct dec_accept ok[] = {
		{ "-12.5", 1, -125 },
		{ "1234.567", 3, 1234567 },
		{ "12.5", 3, 12500 },
		{ "12", 0, 12 },
		{ "-12", 0, -12 },
		{ "+7", 2, 700 },
		{ "0.000001", 6, 1 },
		{ "-0.000001", 6, -1 },
		{ "123.456789", 6, 123456789 },
		{ "9000000000", 6, PM_MONEY_MAX },
		{ "9000000000000000", 0, PM_MONEY_MAX },
		{ "-9000000000000000", 0, -PM_MONEY_MAX },
	};
	static const struct reject bad[] = {
		{ "1,234", "\"1,234\": expected digits, a point and at most a sign" },
		{ "\xc2\xa5" "5", "\"\xc2\xa5" "5\": expected digits, a point and at most a sign" },
		{ "", "\"\": expected a number such as 12.5" },
		{ "1e3", "\"1e3\": exponents are not allowed, write the digits out" },
		{ "1.", "\"1.\": no digit after the decimal point" },
		{ ".5", "\".5\": no digit before the decimal point" },
		{ "1.2.3", "\"1.2.3\": more than one decimal point" },
	};
	struct pm_err e = { 0 };
	int64_t v = 42;

	for (size_t i = 0; i < N_OF(ok); i++) {
		if (pm_decimal_parse(ok[i].in, ok[i].places, &v, &e) != PM_OK)
			fail_msg("\"%s\" rejected: %s", ok[i].in, e.msg);
		if (v != ok[i].v)
			fail_msg("\"%s\" gave %lld", ok[i].in, (long long)v);
	}
	for (size_t i = 0; i < N_OF(bad); i++) {
		assert_int_equal(pm_decimal_parse(bad[i].in, 3, &v, &e), PM_EDATA);
		assert_string_equal(e.msg, bad[i].msg);
	}
	assert_int_equal(pm_decimal_parse("12.3456", 3, &v, &e), PM_EDATA);
	assert_string_equal(e.msg, "\"12.3456\": more than 3 decimals");
	assert_int_equal(pm_decimal_parse("1.5", 0, &v, &e), PM_EDATA);
	assert_string_equal(e.msg, "\"1.5\": expected a whole number");
	assert_int_equal(pm_decimal_parse("9000000000.000001", 6, &v, &e), PM_EDATA);
	assert_string_equal(e.msg, "\"9000000000.000001\": beyond the limit of 9000000000.000000");
	assert_int_equal(pm_decimal_parse("9000000000001", 3, &v, &e), PM_EDATA);
	assert_string_equal(e.msg, "\"9000000000001\": beyond the limit of 9000000000000.000");
	assert_int_equal(pm_decimal_parse("18446744073709551616", 0, &v, &e), PM_EDATA);
	assert_string_equal(e.msg, "\"18446744073709551616\": beyond the limit of 9000000000000000");
	assert_int_equal(pm_decimal_parse("18446744073709.551616", 6, &v, &e), PM_EDATA);
	assert_int_equal(pm_decimal_parse("1", 7, &v, &e), PM_ESOFTWARE);
	assert_string_equal(e.msg, "decimal places 7 outside 0 to 6");
	assert_int_equal(pm_decimal_parse("1", -1, &v, &e), PM_ESOFTWARE);
}

struct fmt_case {
	int64_t v;
	const char *want;
};

static void test_money_fmt(void **state)
{
	static const struct fmt_case plain[] = {
		{ 123450, "1234.50" },
		{ -5, "-0.05" },
		{ 0, "0.00" },
		{ 100, "1.00" },
		{ -100000, "-1000.00" },
		{ PM_MONEY_MAX, "90000000000000.00" },
		{ INT64_MAX, "92233720368547758.07" },
		{ INT64_MIN, "-92233720368547758.08" },
	};
	static const struct fmt_case display[] = {
		{ 123450, "\xc2\xa5" "1,234.50" },
		{ -5, "-\xc2\xa5" "0.05" },
		{ 0, "\xc2\xa5" "0.00" },
		{ 99999, "\xc2\xa5" "999.99" },
		{ 100000, "\xc2\xa5" "1,000.00" },
		{ -12345678901, "-\xc2\xa5" "123,456,789.01" },
		{ 1234567890123, "\xc2\xa5" "12,345,678,901.23" },
		{ INT64_MAX, "\xc2\xa5" "92,233,720,368,547,758.07" },
		{ INT64_MIN, "-\xc2\xa5" "92,233,720,368,547,758.08" },
	};
	char buf[PM_MONEY_BUF];

	for (size_t i = 0; i < N_OF(plain); i++) {
		assert_ptr_equal(pm_money_fmt(plain[i].v, buf), buf);
		assert_string_equal(buf, plain[i].want);
	}
	for (size_t i = 0; i < N_OF(display); i++) {
		assert_ptr_equal(pm_money_display(display[i].v, buf), buf);
		assert_string_equal(buf, display[i].want);
	}
}

static void test_decimal_fmt(void **state)
{
	char buf[PM_MONEY_BUF];

	assert_string_equal(pm_decimal_fmt(1234567, 3, buf), "1234.567");
	assert_string_equal(pm_decimal_fmt(-5, 3, buf), "-0.005");
	assert_string_equal(pm_decimal_fmt(12, 0, buf), "12");
	assert_string_equal(pm_decimal_fmt(-12, 0, buf), "-12");
	assert_string_equal(pm_decimal_fmt(1, 6, buf), "0.000001");
	assert_string_equal(pm_decimal_fmt(0, 4, buf), "0.0000");
	assert_string_equal(pm_decimal_fmt(INT64_MIN, 0, buf), "-9223372036854775808");
	assert_string_equal(pm_decimal_fmt(INT64_MIN, 6, buf), "-9223372036854.775808");
	assert_string_equal(pm_decimal_fmt(INT64_MAX, 6, buf), "9223372036854.775807");
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A value of random magnitude, so small amounts are as common as huge. */
static int64_t random_amount(uint64_t *s, int64_t limit)
{
	uint64_t r = xorshift(s);
	int64_t v = (int64_t)((r >> 8) % (uint64_t)limit);

	v >>= r % 50;
	return r & 1 ? -v : v;
}

static void expect_round_trip(int64_t fen)
{
	char buf[PM_MONEY_BUF];
	struct pm_err e = { 0 };
	int64_t back = 0;

	assert_int_equal(pm_money_parse(pm_money_fmt(fen, buf), &back, &e), PM_OK);
	assert_int_equal(back, fen);
	assert_int_equal(pm_money_parse(pm_money_display(fen, buf), &back, &e), PM_OK);
	assert_int_equal(back, fen);
	for (int places = 0; places <= 6; places++) {
		assert_int_equal(pm_decimal_parse(pm_decimal_fmt(fen, places, buf), places, &back, &e), PM_OK);
		assert_int_equal(back, fen);
	}
}

static void test_money_round_trip(void **state)
{
	static const int64_t fixed[] = {
		0, 1, -1, 5, -5, 99, 100, -100, 99999, 100000, -123456789,
		PM_MONEY_MAX, -PM_MONEY_MAX, PM_MONEY_MAX - 1,
	};
	uint64_t seed = 0x9e3779b97f4a7c15u;

	for (size_t i = 0; i < N_OF(fixed); i++)
		expect_round_trip(fixed[i]);
	for (int i = 0; i < 10000; i++)
		expect_round_trip(random_amount(&seed, PM_MONEY_MAX + 1));
}

struct div_case {
	int64_t num, den;
	int64_t half_up, half_even, up, down;
};

static const struct div_case div_cases[] = {
	{ 5, 2, 3, 2, 3, 2 },
	{ -5, 2, -3, -2, -3, -2 },
	{ 7, 2, 4, 4, 4, 3 },
	{ -7, 2, -4, -4, -4, -3 },
	{ 25, 10, 3, 2, 3, 2 },
	{ -25, 10, -3, -2, -3, -2 },
	{ -35, 10, -4, -4, -4, -3 },
	{ 1, 3, 0, 0, 1, 0 },
	{ -1, 3, 0, 0, -1, 0 },
	{ 2, 3, 1, 1, 1, 0 },
	{ -2, 3, -1, -1, -1, 0 },
	{ 6, 3, 2, 2, 2, 2 },
	{ -6, 3, -2, -2, -2, -2 },
	{ 0, 7, 0, 0, 0, 0 },
	{ INT64_MAX, 1, INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX },
	{ INT64_MIN, 1, INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN },
	{ INT64_MIN, 2, INT64_MIN / 2, INT64_MIN / 2, INT64_MIN / 2, INT64_MIN / 2 },
	{ INT64_MAX, 2, INT64_C(1) << 62, INT64_C(1) << 62, INT64_C(1) << 62, (INT64_C(1) << 62) - 1 },
	{ INT64_MAX, INT64_MAX, 1, 1, 1, 1 },
	{ INT64_MIN, INT64_MAX, -1, -1, -2, -1 },
	{ INT64_C(1) << 62, INT64_MAX, 1, 1, 1, 0 },
	{ (INT64_C(1) << 62) - 1, INT64_MAX - 1, 1, 0, 1, 0 },
};

static void test_div_round(void **state)
{
	for (size_t i = 0; i < N_OF(div_cases); i++) {
		const struct div_case *c = &div_cases[i];

		assert_int_equal(pm_div_round(c->num, c->den, PM_ROUND_HALF_UP), c->half_up);
		assert_int_equal(pm_div_round(c->num, c->den, PM_ROUND_HALF_EVEN), c->half_even);
		assert_int_equal(pm_div_round(c->num, c->den, PM_ROUND_UP), c->up);
		assert_int_equal(pm_div_round(c->num, c->den, PM_ROUND_DOWN), c->down);
	}
}

struct mul_case {
	int64_t price;
	int pp;
	int64_t qty;
	int qp;
	int64_t half_up, half_even, up, down;
};

static void test_money_mul(void **state)
{
	static const struct mul_case cases[] = {
		/* 2.35 yuan/m2 x 89.57 m2 = 210.4895 yuan */
		{ 235, 2, 8957, 2, 21049, 21049, 21049, 21048 },
		{ 235, 2, -8957, 2, -21049, -21049, -21049, -21048 },
		/* 0.4883 yuan/kWh x 123.456 kWh = 60.2835648 yuan */
		{ 4883, 4, 123456, 3, 6028, 6028, 6029, 6028 },
		/* exact halves: 62.5 and 63.5 fen, either sign */
		{ 125, 2, 5, 1, 63, 62, 63, 62 },
		{ -125, 2, 5, 1, -63, -62, -63, -62 },
		{ 127, 2, 5, 1, 64, 64, 64, 63 },
		{ 127, 2, -5, 1, -64, -64, -64, -63 },
		/* 3.456789 yuan x 2 = 691.3578 fen */
		{ 3456789, 6, 2, 0, 691, 691, 692, 691 },
		/* 0.000005 yuan x 1000 = 0.5 fen */
		{ 5, 6, 1000000, 3, 1, 0, 1, 0 },
		{ 100, 2, 3, 0, 300, 300, 300, 300 },
		{ 0, 2, 8957, 2, 0, 0, 0, 0 },
		{ PM_MONEY_MAX, 2, 10, 1, PM_MONEY_MAX, PM_MONEY_MAX, PM_MONEY_MAX, PM_MONEY_MAX },
	};
	static const enum pm_round modes[] = {
		PM_ROUND_HALF_UP, PM_ROUND_HALF_EVEN, PM_ROUND_UP, PM_ROUND_DOWN,
	};

	for (size_t i = 0; i < N_OF(cases); i++) {
		const struct mul_case *c = &cases[i];
		const int64_t want[] = { c->half_up, c->half_even, c->up, c->down };

		for (size_t m = 0; m < N_OF(modes); m++) {
			struct pm_err e = { 0 };
			int64_t fen = 42;

			assert_int_equal(pm_money_mul(c->price, c->pp, c->qty, c->qp, modes[m], &fen, &e), PM_OK);
			if (fen != want[m])
				fail_msg("case %zu mode %zu: %lld, expected %lld", i, m,
					 (long long)fen, (long long)want[m]);
		}
	}
}

static void test_money_mul_errors(void **state)
{
	struct pm_err e = { 0 };
	int64_t fen = 42;

	assert_int_equal(pm_money_mul(PM_MONEY_MAX, 2, 2, 0, PM_ROUND_HALF_UP, &fen, &e), PM_EDATA);
	assert_string_equal(e.msg, "\"90000000000000.00 \xc3\x97 2\": beyond the limit of \xc2\xa5"
			    "90,000,000,000,000.00");
	/* 90000000000000.005 yuan rounds up past the limit, down to it. */
	assert_int_equal(pm_money_mul(PM_MONEY_MAX * 10 + 5, 3, 1, 0, PM_ROUND_HALF_UP, &fen, &e), PM_EDATA);
	assert_int_equal(pm_money_mul(PM_MONEY_MAX * 10 + 5, 3, 1, 0, PM_ROUND_DOWN, &fen, &e), PM_OK);
	assert_int_equal(fen, PM_MONEY_MAX);
	fen = 42;
	assert_int_equal(pm_money_mul(-PM_MONEY_MAX, 2, 1001, 3, PM_ROUND_DOWN, &fen, &e), PM_EDATA);
	assert_int_equal(pm_money_mul(INT64_MAX, 6, INT64_MAX, 6, PM_ROUND_UP, &fen, &e), PM_EDATA);
	assert_int_equal(pm_money_mul(INT64_MIN, 2, INT64_MIN, 0, PM_ROUND_UP, &fen, &e), PM_EDATA);
	assert_int_equal(fen, 42);
	assert_int_equal(pm_money_mul(100, 1, 1, 0, PM_ROUND_UP, &fen, &e), PM_ESOFTWARE);
	assert_int_equal(pm_money_mul(100, 7, 1, 0, PM_ROUND_UP, &fen, &e), PM_ESOFTWARE);
	assert_int_equal(pm_money_mul(100, 2, 1, 7, PM_ROUND_UP, &fen, &e), PM_ESOFTWARE);
	assert_int_equal(pm_money_mul(100, 2, 1, -1, PM_ROUND_UP, &fen, &e), PM_ESOFTWARE);
	assert_int_equal(fen, 42);
}

/* A sum beyond the ledger's limit, or one that would wrap int64_t, is an
 * error and leaves the sum as it was. */
static void test_money_add(void **state)
{
	struct pm_err e = { 0 };
	int64_t sum = PM_MONEY_MAX - 1;

	assert_int_equal(pm_money_add(&sum, 1, &e), PM_OK);
	assert_int_equal(sum, PM_MONEY_MAX);
	assert_int_equal(pm_money_add(&sum, 1, &e), PM_EDATA);
	assert_string_equal(e.msg, "a sum of money beyond the limit of \xc2\xa5" "90,000,000,000,000.00");
	assert_int_equal(sum, PM_MONEY_MAX);
	assert_int_equal(pm_money_add(&sum, INT64_MAX, &e), PM_EDATA);
	assert_int_equal(sum, PM_MONEY_MAX);
	sum = -PM_MONEY_MAX;
	assert_int_equal(pm_money_add(&sum, INT64_MIN, &e), PM_EDATA);
	assert_int_equal(pm_money_add(&sum, -1, &e), PM_EDATA);
	assert_int_equal(pm_money_add(&sum, 2 * PM_MONEY_MAX, &e), PM_OK);
	assert_int_equal(sum, PM_MONEY_MAX);
}

static void test_money_round_to(void **state)
{
	assert_int_equal(pm_money_round_to(12345, 10, PM_ROUND_HALF_UP), 12350);
	assert_int_equal(pm_money_round_to(12344, 10, PM_ROUND_HALF_UP), 12340);
	assert_int_equal(pm_money_round_to(12345, 10, PM_ROUND_HALF_EVEN), 12340);
	assert_int_equal(pm_money_round_to(12355, 10, PM_ROUND_HALF_EVEN), 12360);
	assert_int_equal(pm_money_round_to(12341, 10, PM_ROUND_UP), 12350);
	assert_int_equal(pm_money_round_to(12349, 10, PM_ROUND_DOWN), 12340);
	assert_int_equal(pm_money_round_to(-12345, 10, PM_ROUND_HALF_UP), -12350);
	assert_int_equal(pm_money_round_to(-12345, 10, PM_ROUND_HALF_EVEN), -12340);
	assert_int_equal(pm_money_round_to(-12341, 10, PM_ROUND_UP), -12350);
	assert_int_equal(pm_money_round_to(-12349, 10, PM_ROUND_DOWN), -12340);
	assert_int_equal(pm_money_round_to(-12345, 100, PM_ROUND_HALF_UP), -12300);
	assert_int_equal(pm_money_round_to(-12350, 100, PM_ROUND_HALF_UP), -12400);
	assert_int_equal(pm_money_round_to(12350, 100, PM_ROUND_HALF_EVEN), 12400);
	assert_int_equal(pm_money_round_to(12250, 100, PM_ROUND_HALF_EVEN), 12200);
	assert_int_equal(pm_money_round_to(12345, 1, PM_ROUND_UP), 12345);
	assert_int_equal(pm_money_round_to(12345, 25, PM_ROUND_HALF_UP), 12350);
	assert_int_equal(pm_money_round_to(12345, 0, PM_ROUND_UP), 12345);
	assert_int_equal(pm_money_round_to(INT64_MAX, 100, PM_ROUND_UP), INT64_C(9223372036854775800));
	assert_int_equal(pm_money_round_to(INT64_MIN, 100, PM_ROUND_UP), INT64_C(-9223372036854775800));
}

static void expect_split(int64_t total, const int64_t *w, size_t n, const int64_t *want)
{
	int64_t out[16];

	assert_int_equal(pm_money_split(total, w, n, out), PM_OK);
	for (size_t i = 0; i < n; i++)
		if (out[i] != want[i])
			fail_msg("part %zu: %lld, expected %lld", i, (long long)out[i], (long long)want[i]);
}

static void test_money_split_cases(void **state)
{
	const int64_t three[] = { 1, 1, 1 }, big[] = { INT64_MAX, INT64_MAX, INT64_MAX };

	expect_split(100, three, 3, (const int64_t[]){ 34, 33, 33 });
	expect_split(-100, three, 3, (const int64_t[]){ -34, -33, -33 });
	expect_split(2, three, 3, (const int64_t[]){ 1, 1, 0 });
	expect_split(1, three, 3, (const int64_t[]){ 1, 0, 0 });
	expect_split(-1, three, 3, (const int64_t[]){ -1, 0, 0 });
	expect_split(100, big, 3, (const int64_t[]){ 34, 33, 33 });
	/* the largest remainder wins over the lower index: 14.29, 28.57, 57.14 */
	expect_split(100, (const int64_t[]){ 1, 2, 4 }, 3, (const int64_t[]){ 14, 29, 57 });
	expect_split(1, (const int64_t[]){ 0, 1, 1 }, 3, (const int64_t[]){ 0, 1, 0 });
	expect_split(100, (const int64_t[]){ 0, 5, 0, 5 }, 4, (const int64_t[]){ 0, 50, 0, 50 });
	expect_split(7, (const int64_t[]){ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 }, 10,
		     (const int64_t[]){ 1, 1, 1, 1, 1, 1, 1, 0, 0, 0 });
	/* areas in hundredths of m2: 89.57, 120.35, 65.00 share 1000.00 yuan */
	expect_split(100000, (const int64_t[]){ 8957, 12035, 6500 }, 3,
		     (const int64_t[]){ 32581, 43776, 23643 });
	expect_split(123456, (const int64_t[]){ 8957, 12035, 6500, 10000, 7521 }, 5,
		     (const int64_t[]){ 24566, 33008, 17827, 27427, 20628 });
	expect_split(-123456, (const int64_t[]){ 8957, 12035, 6500, 10000, 7521 }, 5,
		     (const int64_t[]){ -24566, -33008, -17827, -27427, -20628 });
	expect_split(0, three, 3, (const int64_t[]){ 0, 0, 0 });
	expect_split(INT64_MIN, (const int64_t[]){ 1 }, 1, (const int64_t[]){ INT64_MIN });
	expect_split(INT64_MIN, (const int64_t[]){ 1, INT64_MAX }, 2,
		     (const int64_t[]){ -1, -INT64_MAX });
	expect_split(INT64_MAX, (const int64_t[]){ INT64_MAX, INT64_MAX }, 2,
		     (const int64_t[]){ INT64_C(4611686018427387904), INT64_C(4611686018427387903) });
}

static void test_money_split_errors(void **state)
{
	const int64_t zeros[] = { 0, 0, 0 }, negative[] = { 1, -1, 2 };
	int64_t out[3] = { 7, 7, 7 };

	assert_int_equal(pm_money_split(100, zeros, 3, out), PM_EDATA);
	assert_int_equal(pm_money_split(100, negative, 3, out), PM_EDATA);
	assert_int_equal(pm_money_split(0, negative, 3, out), PM_EDATA);
	assert_int_equal(pm_money_split(5, zeros, 0, out), PM_EDATA);
	assert_int_equal(pm_money_split(0, zeros, 0, out), PM_OK);
	assert_int_equal(out[0], 7);
	assert_int_equal(pm_money_split(0, zeros, 3, out), PM_OK);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[1], 0);
	assert_int_equal(out[2], 0);
}

/* The method spelled out plainly: floor shares, then one more fen to each
 * of the largest remainders in turn, the lower index first on a tie. */
static void split_reference(int64_t total, const int64_t *w, size_t n, int64_t *out)
{
	unsigned __int128 sum = 0, mag = total < 0 ? -(unsigned __int128)total : (unsigned __int128)total;
	unsigned __int128 rem[16], given = 0;
	int given_extra[16] = { 0 };

	for (size_t i = 0; i < n; i++)
		sum += (uint64_t)w[i];
	for (size_t i = 0; i < n; i++) {
		out[i] = (int64_t)(mag * (uint64_t)w[i] / sum);
		rem[i] = mag * (uint64_t)w[i] % sum;
		given += (uint64_t)out[i];
	}
	for (unsigned __int128 left = mag - given; left > 0; left--) {
		size_t best = n;

		for (size_t i = 0; i < n; i++)
			if (!given_extra[i] && (best == n || rem[i] > rem[best]))
				best = i;
		given_extra[best] = 1;
		out[best]++;
	}
	if (total < 0)
		for (size_t i = 0; i < n; i++)
			out[i] = -out[i];
}

static void test_money_split_property(void **state)
{
	uint64_t seed = 20261130;

	for (int iter = 0; iter < 20000; iter++) {
		size_t n = 1 + xorshift(&seed) % 12;
		int64_t w[12], out[12], ref[12], total, sum_out = 0;
		__int128 sum_w = 0;

		for (size_t i = 0; i < n; i++) {
			uint64_t r = xorshift(&seed);

			w[i] = r % 5 == 0 ? 0 : random_amount(&seed, iter % 7 ? 100000 : INT64_MAX);
			if (w[i] < 0)
				w[i] = -w[i];
			sum_w += w[i];
		}
		total = random_amount(&seed, iter % 3 ? 1000000 : PM_MONEY_MAX + 1);
		if (sum_w == 0) {
			assert_int_equal(pm_money_split(total, w, n, out), total ? PM_EDATA : PM_OK);
			continue;
		}
		assert_int_equal(pm_money_split(total, w, n, out), PM_OK);
		split_reference(total, w, n, ref);
		for (size_t i = 0; i < n; i++) {
			/* |out - total * w / sum| < 1 fen */
			__int128 diff = (__int128)out[i] * sum_w - (__int128)total * w[i];

			if (diff <= -sum_w || diff >= sum_w)
				fail_msg("iteration %d part %zu: %lld is not within a fen of its share",
					 iter, i, (long long)out[i]);
			if (w[i] == 0)
				assert_int_equal(out[i], 0);
			assert_int_equal(out[i], ref[i]);
			sum_out += out[i];
		}
		assert_int_equal(sum_out, total);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_money_parse_accepts),
		cmocka_unit_test(test_money_parse_rejects),
		cmocka_unit_test(test_money_parse_null_err),
		cmocka_unit_test(test_decimal_parse),
		cmocka_unit_test(test_money_fmt),
		cmocka_unit_test(test_decimal_fmt),
		cmocka_unit_test(test_money_round_trip),
		cmocka_unit_test(test_div_round),
		cmocka_unit_test(test_money_mul),
		cmocka_unit_test(test_money_mul_errors),
		cmocka_unit_test(test_money_add),
		cmocka_unit_test(test_money_round_to),
		cmocka_unit_test(test_money_split_cases),
		cmocka_unit_test(test_money_split_errors),
		cmocka_unit_test(test_money_split_property),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
