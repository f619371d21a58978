#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "pm/parking.h"
#include "pm/timeutil.h"

#define TZ "Asia/Shanghai"
#define H 3600

static int64_t at(const char *s)
{
	int64_t t = 0;

	assert_int_equal(pm_time_parse(s, &t, NULL), PM_OK);
	return t;
}

static int64_t fee(const struct pm_parking_rule *r, const char *from, const char *to)
{
	return pm_parking_fee(r, TZ, at(from), at(to));
}

/* 15 free minutes, ¥5.00 an hour started, ¥30.00 a day at most. */
static const struct pm_parking_rule day_rule = {
	.free = 900, .hourly_fen = 500, .cap_fen = 3000,
};

static void test_free_minutes(void **state)
{
	int64_t t = at("2026-12-01T10:00:00+08:00");

	(void)state;
	assert_int_equal(pm_parking_fee(&day_rule, TZ, t, t), 0);
	assert_int_equal(pm_parking_fee(&day_rule, TZ, t, t + 899), 0);
	assert_int_equal(pm_parking_fee(&day_rule, TZ, t, t + 900), 0);
	/* A second more and the first hour is started, from entry. */
	assert_int_equal(pm_parking_fee(&day_rule, TZ, t, t + 901), 500);
}

static void test_hour_boundaries(void **state)
{
	int64_t t = at("2026-12-01T10:00:00+08:00");

	(void)state;
	assert_int_equal(pm_parking_fee(&day_rule, TZ, t, t + H), 500);
	assert_int_equal(pm_parking_fee(&day_rule, TZ, t, t + H + 1), 1000);
	assert_int_equal(pm_parking_fee(&day_rule, TZ, t, t + 2 * H), 1000);
	assert_int_equal(pm_parking_fee(&day_rule, TZ, t, t + 2 * H + 1), 1500);
	/* Six hours reach the cap exactly; a seventh costs nothing more. */
	assert_int_equal(pm_parking_fee(&day_rule, TZ, t, t + 6 * H), 3000);
	assert_int_equal(pm_parking_fee(&day_rule, TZ, t, t + 6 * H + 1), 3000);
	assert_int_equal(pm_parking_fee(&day_rule, TZ, t, t + 13 * H), 3000);
}

static void test_odd_amounts(void **state)
{
	const struct pm_parking_rule r = {.free = 0, .hourly_fen = 333, .cap_fen = 1000};
	int64_t t = at("2026-12-01T08:00:00+08:00");

	(void)state;
	assert_int_equal(pm_parking_fee(&r, TZ, t, t + 1), 333);
	assert_int_equal(pm_parking_fee(&r, TZ, t, t + 3 * H), 999);
	assert_int_equal(pm_parking_fee(&r, TZ, t, t + 3 * H + 1), 1000);
}

static void test_across_midnight(void **state)
{
	const struct pm_parking_rule low = {.free = 900, .hourly_fen = 500, .cap_fen = 800};

	(void)state;
	/* 22:00 to 02:00: two hours each side of midnight, each day capped
	 * on its own. */
	assert_int_equal(fee(&day_rule, "2026-12-01T22:00:00+08:00", "2026-12-02T02:00:00+08:00"), 2000);
	assert_int_equal(fee(&low, "2026-12-01T22:00:00+08:00", "2026-12-02T02:00:00+08:00"), 1600);
	/* An hour started before midnight counts for the day it started. */
	assert_int_equal(fee(&low, "2026-12-01T23:30:00+08:00", "2026-12-02T00:45:00+08:00"), 1000);
	/* Midnight in the community's zone, not UTC's (16:00Z). */
	assert_int_equal(fee(&low, "2026-12-01T14:00:00Z", "2026-12-01T18:00:00Z"), 1600);
}

static void test_multi_day_caps(void **state)
{
	(void)state;
	/* 08:00 on the 1st to 08:00 on the 4th: 16 h, 24 h, 24 h, 8 h, each
	 * day at the cap. */
	assert_int_equal(fee(&day_rule, "2026-12-01T08:00:00+08:00", "2026-12-04T08:00:00+08:00"), 12000);
	assert_int_equal(fee(&day_rule, "2026-12-01T08:00:00+08:00", "2026-12-04T08:00:01+08:00"), 12000);
	/* The last day short of the cap: 08:00 to 02:00 two days on. */
	assert_int_equal(fee(&day_rule, "2026-12-01T08:00:00+08:00", "2026-12-03T02:00:00+08:00"), 3000 + 3000 + 1000);
	/* A month. */
	assert_int_equal(fee(&day_rule, "2026-12-01T00:00:00+08:00", "2026-12-31T00:00:00+08:00"), 30 * 3000);
}

/* ¥5.00 an hour by day, ¥10.00 a night from 22:00 to 07:00. */
static const struct pm_parking_rule night_rule = {
	.free = 900, .hourly_fen = 500, .cap_fen = -1, .night = 1, .night_from = 22 * H,
	.night_to = 7 * H, .night_fen = 1000,
};

static void test_overnight(void **state)
{
	struct pm_parking_rule capped = night_rule;

	(void)state;
	/* 20:00 to 23:00: two day hours and the night started. */
	assert_int_equal(fee(&night_rule, "2026-12-01T20:00:00+08:00", "2026-12-01T23:00:00+08:00"), 2000);
	/* Overnight: 20, 21 by the hour, one night, 07:00 by the hour. */
	assert_int_equal(fee(&night_rule, "2026-12-01T20:00:00+08:00", "2026-12-02T08:00:00+08:00"), 2500);
	assert_int_equal(fee(&night_rule, "2026-12-01T20:00:00+08:00", "2026-12-02T07:00:00+08:00"), 2000);
	/* Within the night: the night's price, whichever side of midnight. */
	assert_int_equal(fee(&night_rule, "2026-12-02T02:00:00+08:00", "2026-12-02T03:00:00+08:00"), 1000);
	assert_int_equal(fee(&night_rule, "2026-12-01T22:00:00+08:00", "2026-12-02T06:59:59+08:00"), 1000);
	/* Two nights and the day between. */
	assert_int_equal(fee(&night_rule, "2026-12-01T20:00:00+08:00", "2026-12-03T08:00:00+08:00"),
			 1000 + 1000 + 15 * 500 + 1000 + 500);
	/* With a cap the night counts for the day it began. */
	capped.cap_fen = 3000;
	assert_int_equal(fee(&capped, "2026-12-01T20:00:00+08:00", "2026-12-03T08:00:00+08:00"),
			 2000 + 3000 + 500);
	/* Free minutes still come first. */
	assert_int_equal(fee(&night_rule, "2026-12-01T23:00:00+08:00", "2026-12-01T23:15:00+08:00"), 0);
}

static void test_night_within_a_day(void **state)
{
	const struct pm_parking_rule r = {.free = 0, .hourly_fen = 500, .cap_fen = -1, .night = 1,
					  .night_from = 0, .night_to = 6 * H, .night_fen = 1000};

	(void)state;
	assert_int_equal(fee(&r, "2026-12-01T23:00:00+08:00", "2026-12-02T07:00:00+08:00"), 500 + 1000 + 500);
}

static void test_rule_from_config(void **state)
{
	json_t *sec = json_pack("{s:I, s:I, s:I, s:{s:I, s:I, s:I}}", "free", (json_int_t)600,
				"hourly", (json_int_t)300, "daily_cap", (json_int_t)2000, "overnight",
				"from", (json_int_t)(22 * H), "to", (json_int_t)(6 * H), "price", (json_int_t)800);
	struct pm_parking_rule r;

	(void)state;
	pm_parking_rule_from(sec, &r);
	assert_int_equal(r.free, 600);
	assert_int_equal(r.hourly_fen, 300);
	assert_int_equal(r.cap_fen, 2000);
	assert_true(r.night);
	assert_int_equal(r.night_from, 22 * H);
	assert_int_equal(r.night_to, 6 * H);
	assert_int_equal(r.night_fen, 800);
	json_object_del(sec, "daily_cap");
	json_object_del(sec, "overnight");
	pm_parking_rule_from(sec, &r);
	assert_int_equal(r.cap_fen, -1);
	assert_false(r.night);
	json_decref(sec);
}

/* The rule hour by hour, as the wall clock reads: what the fee's
 * arithmetic must agree with. */
static int64_t by_hour(const struct pm_parking_rule *r, const char *tz, int64_t entry, int64_t leave)
{
	int64_t total = 0, sum = 0, tod, add;
	int32_t bucket = INT32_MIN, charged = INT32_MIN, day, b;
	int night;

	if (leave - entry <= r->free)
		return 0;
	for (int64_t h = entry; h < leave; h += H) {
		day = pm_date_of(h, tz);
		tod = pm_time_of_day(h, tz);
		night = r->night && (r->night_from < r->night_to ? tod >= r->night_from && tod < r->night_to
								 : tod >= r->night_from || tod < r->night_to);
		b = night && r->night_from > r->night_to && tod < r->night_to ? day - 1 : day;
		add = night ? (b == charged ? 0 : r->night_fen) : r->hourly_fen;
		charged = night ? b : charged;
		if (b != bucket) {
			total += r->cap_fen >= 0 && sum > r->cap_fen ? r->cap_fen : sum;
			sum = 0;
			bucket = b;
		}
		sum += add;
	}
	return total + (r->cap_fen >= 0 && sum > r->cap_fen ? r->cap_fen : sum);
}

/* Stays of up to 20 days from odd minutes, in a zone without clock
 * changes and one with them, capped or not, agree with the hours. */
static void test_agrees_with_the_hours(void **state)
{
	static const struct pm_parking_rule rules[] = {
		{.free = 900, .hourly_fen = 500, .cap_fen = 3000, .night = 1, .night_from = 22 * H, .night_to = 7 * H, .night_fen = 1000},
		{.free = 900, .hourly_fen = 500, .cap_fen = -1, .night = 1, .night_from = 22 * H, .night_to = 7 * H, .night_fen = 1000},
		{.free = 0, .hourly_fen = 300, .cap_fen = 5000, .night = 1, .night_from = 1 * H, .night_to = 5 * H, .night_fen = 700},
		{.free = 600, .hourly_fen = 200, .cap_fen = -1},
	};
	static const char *const zones[] = {"Asia/Shanghai", "America/New_York"};
	uint64_t seed = 20261101;
	int64_t base = at("2026-02-20T00:00:00Z"), entry, leave;

	(void)state;
	for (int i = 0; i < 400; i++) {
		seed = seed * 6364136223846793005u + 1442695040888963407u;
		entry = base + (int64_t)(seed >> 33) % (300 * 24 * H);
		leave = entry + (int64_t)(seed >> 11) % (20 * 24 * H);
		for (size_t z = 0; z < 2; z++)
			for (size_t k = 0; k < sizeof rules / sizeof *rules; k++)
				assert_int_equal(pm_parking_fee(&rules[k], zones[z], entry, leave),
						 by_hour(&rules[k], zones[z], entry, leave));
	}
}

/* A stay of thousands of years is whole days at the cap: no hour by hour. */
static void test_long_stay_is_arithmetic(void **state)
{
	static const struct pm_parking_rule r = {.free = 900, .hourly_fen = 500, .cap_fen = 3000, .night = 1,
						  .night_from = 22 * H, .night_to = 7 * H, .night_fen = 1000};
	int64_t entry = at("2026-12-01T08:00:00+08:00"), leave = at("9999-12-31T23:00:00+08:00");
	int64_t days = pm_date_of(leave, TZ) - pm_date_of(entry, TZ);

	(void)state;
	/* 08:00 to 23:00 on the last day reaches its cap, as each day does. */
	assert_int_equal(pm_parking_fee(&r, TZ, entry, leave), (days + 1) * 3000);
}

/* The night is the wall clock's 22:00 to 07:00, on the days New York's
 * clocks change too. */
static void test_clock_change_days(void **state)
{
	static const struct pm_parking_rule r = {.free = 900, .hourly_fen = 500, .cap_fen = 3000, .night = 1,
						  .night_from = 22 * H, .night_to = 7 * H, .night_fen = 1000};
	const char *ny = "America/New_York";

	(void)state;
	/* 07:30 and 08:30 the day the clocks go forward: two day hours. */
	assert_int_equal(pm_parking_fee(&r, ny, at("2026-03-08T07:30:00-04:00"), at("2026-03-08T09:00:00-04:00")), 1000);
	/* 21:30 and 22:30 the day they go back: a day hour and the night. */
	assert_int_equal(pm_parking_fee(&r, ny, at("2026-11-01T21:30:00-05:00"), at("2026-11-01T22:45:00-05:00")), 1500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_free_minutes),
		cmocka_unit_test(test_hour_boundaries),
		cmocka_unit_test(test_odd_amounts),
		cmocka_unit_test(test_across_midnight),
		cmocka_unit_test(test_multi_day_caps),
		cmocka_unit_test(test_overnight),
		cmocka_unit_test(test_night_within_a_day),
		cmocka_unit_test(test_rule_from_config),
		cmocka_unit_test(test_agrees_with_the_hours),
		cmocka_unit_test(test_long_stay_is_arithmetic),
		cmocka_unit_test(test_clock_change_days),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
