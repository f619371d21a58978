#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "pm/timeutil.h"

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

/* Expected instants come from `date -u -d TEXT +%s`, not from the code. */

struct time_case {
	const char *in;
	int64_t t;
};

struct bad_case {
	const char *in;
	const char *msg;
};

static void test_time_parse_accepts(void **state)
{
	static const struct time_case cases[] = {
		{ "2026-11-30T23:00:00+08:00", 1796050800 },
		{ "2025-11-30T23:00:00+08:00", 1764514800 },
		{ "2026-11-30T15:00:00Z", 1796050800 },
		{ "2026-11-30T15:00:00z", 1796050800 },
		{ "2026-11-30t15:00:00Z", 1796050800 },
		{ "2026-11-30 15:00:00Z", 1796050800 },
		{ "2026-11-30T15:00:00.999999Z", 1796050800 },
		{ "2026-11-30T23:00:00.5+08:00", 1796050800 },
		{ "2026-11-30T23:00:00-00:00", 1796079600 },
		{ "2026-01-01T00:00:00-05:30", 1767245400 },
		{ "1970-01-01T00:00:00Z", 0 },
		{ "1970-01-01T08:00:00+08:00", 0 },
		{ "1969-12-31T23:59:59Z", -1 },
		{ "1969-12-31T23:59:59.9Z", -1 },
		{ "2000-02-29T00:00:00Z", 951782400 },
		{ "2028-02-29T12:00:00Z", 1835438400 },
		{ "2038-01-19T03:14:08Z", 2147483648 },
		{ "1900-01-01T00:00:00Z", -2208988800 },
		{ "0000-01-01T00:00:00Z", -62167219200 },
		{ "9999-12-31T23:59:59Z", 253402300799 },
		{ "2026-03-08T01:59:59-05:00", 1772953199 },
		{ "2026-03-08T03:00:00-04:00", 1772953200 },
	};

	for (size_t i = 0; i < N_OF(cases); i++) {
		struct pm_err e = { 0 };
		int64_t t = 42;

		if (pm_time_parse(cases[i].in, &t, &e) != PM_OK)
			fail_msg("\"%s\" rejected: %s", cases[i].in, e.msg);
		if (t != cases[i].t)
			fail_msg("\"%s\" gave %lld", cases[i].in, (long long)t);
	}
}

static void test_time_parse_rejects(void **state)
{
	static const struct bad_case cases[] = {
		{ "2026-02-30T00:00:00Z", "\"2026-02-30T00:00:00Z\": no such day in that month" },
		{ "2026-02-29T00:00:00Z", "\"2026-02-29T00:00:00Z\": no such day in that month" },
		{ "1900-02-29T00:00:00Z", "\"1900-02-29T00:00:00Z\": no such day in that month" },
		{ "2026-11-31T00:00:00Z", "\"2026-11-31T00:00:00Z\": no such day in that month" },
		{ "2026-11-00T00:00:00Z", "\"2026-11-00T00:00:00Z\": no such day in that month" },
		{ "2026-13-01T00:00:00Z", "\"2026-13-01T00:00:00Z\": month must be 01 to 12" },
		{ "2026-00-01T00:00:00Z", "\"2026-00-01T00:00:00Z\": month must be 01 to 12" },
		{ "2026-11-30T24:00:00Z", "\"2026-11-30T24:00:00Z\": hour must be 00 to 23" },
		{ "2026-11-30T23:60:00Z", "\"2026-11-30T23:60:00Z\": minute must be 00 to 59" },
		{ "2026-11-30T23:59:60Z", "\"2026-11-30T23:59:60Z\": second must be 00 to 59" },
		{ "2026-11-30T23:00:00+24:00", "\"2026-11-30T23:00:00+24:00\": offset must be -23:59 to +23:59" },
		{ "2026-11-30T23:00:00+08:60", "\"2026-11-30T23:00:00+08:60\": offset must be -23:59 to +23:59" },
		{ "2026-11-30T23:00:00", "\"2026-11-30T23:00:00\": no UTC offset, add Z or one such as +08:00" },
		{ "2026-11-30T23:00:00.5", "\"2026-11-30T23:00:00.5\": no UTC offset, add Z or one such as +08:00" },
		{ "2026-11-30T23:00:00+0800",
		  "\"2026-11-30T23:00:00+0800\": expected Z or an offset such as +08:00 after the seconds" },
		{ "2026-11-30T23:00:00+8:00",
		  "\"2026-11-30T23:00:00+8:00\": expected Z or an offset such as +08:00 after the seconds" },
		{ "2026-11-30T23:00:00 UTC",
		  "\"2026-11-30T23:00:00 UTC\": expected Z or an offset such as +08:00 after the seconds" },
		{ "2026-11-30T23:00:00Zjunk", "\"2026-11-30T23:00:00Zjunk\": unexpected text after the time" },
		{ "2026-11-30T23:00:00+08:00 ", "\"2026-11-30T23:00:00+08:00 \": unexpected text after the time" },
		{ "2026-11-30T23:00:00+08:00:00",
		  "\"2026-11-30T23:00:00+08:00:00\": unexpected text after the time" },
		{ "garbage", "\"garbage\": expected a time such as 2026-11-30T23:00:00+08:00" },
		{ "", "\"\": expected a time such as 2026-11-30T23:00:00+08:00" },
		{ "9999-12-31T23:59:59-00:01", "\"9999-12-31T23:59:59-00:01\": outside the years 0000 to 9999 in UTC" },
		{ "0000-01-01T00:00:00+00:01", "\"0000-01-01T00:00:00+00:01\": outside the years 0000 to 9999 in UTC" },
	};
	static const char *const syntax[] = {
		"2026-11-30", "2026-11-30T", "2026-11-30T23:00Z", "2026-11-30T23:00:00.Z",
		"26-11-30T23:00:00Z", "2026/11/30T23:00:00Z", "2026-11-30X23:00:00Z",
		"2026-11-30T23:0:00Z", "+2026-11-30T23:00:00Z", " 2026-11-30T23:00:00Z",
		"2026-11-30T23:00:00,5Z", "2026-1-30T23:00:00Z", "2026-11-30\t23:00:00Z",
		"２０２６-11-30T23:00:00Z",
	};

	for (size_t i = 0; i < N_OF(cases); i++) {
		struct pm_err e = { 0 };
		int64_t t = 42;

		assert_int_equal(pm_time_parse(cases[i].in, &t, &e), PM_EDATA);
		assert_int_equal(e.code, PM_EDATA);
		assert_string_equal(e.msg, cases[i].msg);
		assert_int_equal(t, 42);
	}
	for (size_t i = 0; i < N_OF(syntax); i++) {
		struct pm_err e = { 0 };
		int64_t t = 42;

		char quoted[64];

		if (pm_time_parse(syntax[i], &t, &e) != PM_EDATA)
			fail_msg("\"%s\" accepted as %lld", syntax[i], (long long)t);
		/* Quoted as messages quote: the tab escaped. */
		pm_err_oneline(quoted, sizeof quoted, syntax[i]);
		assert_non_null(strstr(e.msg, quoted));
		assert_int_equal(t, 42);
	}
}

struct fmt_case {
	int64_t t;
	const char *tz;
	const char *want;
};

static void test_time_fmt(void **state)
{
	/* Zones alternate so the cached zone is switched back and forth. */
	static const struct fmt_case cases[] = {
		{ 1796050800, "Asia/Shanghai", "2026-11-30T23:00:00+08:00" },
		{ 1796050800, NULL, "2026-11-30T15:00:00Z" },
		{ 1796050800, "UTC", "2026-11-30T15:00:00Z" },
		{ 1772953199, "America/New_York", "2026-03-08T01:59:59-05:00" },
		{ 1772953200, "America/New_York", "2026-03-08T03:00:00-04:00" },
		{ 1793462400, "Asia/Shanghai", "2026-11-01T00:00:00+08:00" },
		{ 1793505600, "America/New_York", "2026-11-01T00:00:00-04:00" },
		{ 1793511000, "America/New_York", "2026-11-01T01:30:00-04:00" },
		{ 1793514600, "America/New_York", "2026-11-01T01:30:00-05:00" },
		{ 0, "Asia/Kolkata", "1970-01-01T05:30:00+05:30" },
		{ 0, "Etc/GMT+5", "1969-12-31T19:00:00-05:00" },
		{ -1, NULL, "1969-12-31T23:59:59Z" },
		{ -62167219200, NULL, "0000-01-01T00:00:00Z" },
		{ 253402300799, NULL, "9999-12-31T23:59:59Z" },
		/* local mean time +08:05:43 is shown to the minute */
		{ -2208988800, "Asia/Shanghai", "1900-01-01T08:05:00+08:05" },
		{ 1796050800, "Asia/Shanghai", "2026-11-30T23:00:00+08:00" },
	};
	char buf[PM_TIME_BUF];

	for (size_t i = 0; i < N_OF(cases); i++) {
		assert_ptr_equal(pm_time_fmt(cases[i].t, cases[i].tz, buf), buf);
		assert_string_equal(buf, cases[i].want);
	}
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static const char *const zones[] = {
	NULL, "UTC", "Asia/Shanghai", "America/New_York", "Asia/Kolkata",
	"America/Sao_Paulo", "America/Havana", "Pacific/Apia", "Australia/Lord_Howe",
	"America/Toronto",
};

static void test_time_round_trip(void **state)
{
	uint64_t seed = 88172645463325252u;
	char buf[PM_TIME_BUF];

	for (int i = 0; i < 20000; i++) {
		const char *tz = zones[xorshift(&seed) % N_OF(zones)];
		/* Half the instants within 1900..2100, where zones change most, the
		 * rest from 0001-01-02 to 9999-12-30, whose local dates stay within
		 * four-digit years in every zone. */
		int64_t t = i % 2 ? -2208988800 + (int64_t)(xorshift(&seed) % 6311433600u)
				  : -62135510400 + (int64_t)(xorshift(&seed) % 315537638400u);
		struct pm_err e = { 0 };
		int64_t back = 0;

		pm_time_fmt(t, tz, buf);
		if (pm_time_parse(buf, &back, &e) != PM_OK || back != t)
			fail_msg("%lld in %s: \"%s\" read back as %lld (%s)", (long long)t,
				 tz ? tz : "NULL", buf, (long long)back, e.msg);
	}
}

static void test_tz_check(void **state)
{
	static const struct bad_case bad[] = {
		{ "", "time zone \"\": expected a zone name such as Asia/Shanghai" },
		{ "/usr/share/zoneinfo/Asia/Shanghai",
		  "time zone \"/usr/share/zoneinfo/Asia/Shanghai\": expected a zone name such as Asia/Shanghai" },
		{ "../../../etc/passwd", "time zone \"../../../etc/passwd\": expected a zone name such as Asia/Shanghai" },
		{ "Asia/../Asia/Shanghai",
		  "time zone \"Asia/../Asia/Shanghai\": expected a zone name such as Asia/Shanghai" },
		{ "Asia/Shanghai ", "time zone \"Asia/Shanghai \": expected a zone name such as Asia/Shanghai" },
		{ "zone.tab", "time zone \"zone.tab\": expected a zone name such as Asia/Shanghai" },
		{ "Mars/Olympus", "time zone \"Mars/Olympus\": not found in /usr/share/zoneinfo/" },
		{ "CST-8", "time zone \"CST-8\": not found in /usr/share/zoneinfo/" },
		{ "Asia", "time zone \"Asia\": /usr/share/zoneinfo/Asia is not a zone file" },
		{ "leapseconds", "time zone \"leapseconds\": /usr/share/zoneinfo/leapseconds is not a zone file" },
	};
	struct pm_err e = { 0 };

	assert_int_equal(pm_tz_check("Asia/Shanghai", &e), PM_OK);
	assert_int_equal(pm_tz_check("America/New_York", &e), PM_OK);
	assert_int_equal(pm_tz_check("UTC", &e), PM_OK);
	assert_int_equal(pm_tz_check("Etc/GMT+5", &e), PM_OK);
	assert_int_equal(pm_tz_check(PM_DEFAULT_TZ, &e), PM_OK);
	for (size_t i = 0; i < N_OF(bad); i++) {
		assert_int_equal(pm_tz_check(bad[i].in, &e), PM_ECONFIG);
		assert_string_equal(e.msg, bad[i].msg);
	}
	assert_int_equal(pm_tz_check(NULL, &e), PM_ECONFIG);
	assert_string_equal(e.msg, "time zone \"\": expected a zone name such as Asia/Shanghai");
	assert_int_equal(pm_tz_check("Nowhere", NULL), PM_ECONFIG);
}

static void expect_period(struct pm_period p, int year, int month)
{
	if (p.year != year || p.month != month)
		fail_msg("got %d-%02d, expected %d-%02d", p.year, p.month, year, month);
}

static void test_period_parse_fmt(void **state)
{
	static const struct bad_case bad[] = {
		{ "2026-13", "\"2026-13\": month must be 01 to 12" },
		{ "2026-00", "\"2026-00\": month must be 01 to 12" },
		{ "2026-1", "\"2026-1\": expected a period such as 2026-11" },
		{ "26-11", "\"26-11\": expected a period such as 2026-11" },
		{ "2026-11x", "\"2026-11x\": expected a period such as 2026-11" },
		{ "2026-11-01", "\"2026-11-01\": expected a period such as 2026-11" },
		{ "2026/11", "\"2026/11\": expected a period such as 2026-11" },
		{ " 2026-11", "\" 2026-11\": expected a period such as 2026-11" },
		{ "", "\"\": expected a period such as 2026-11" },
	};
	struct pm_period p = { 0, 0 };
	struct pm_err e = { 0 };
	char buf[PM_TIME_BUF];

	assert_int_equal(pm_period_parse("2026-11", &p, &e), PM_OK);
	expect_period(p, 2026, 11);
	assert_int_equal(pm_period_parse("0001-01", &p, &e), PM_OK);
	expect_period(p, 1, 1);
	for (size_t i = 0; i < N_OF(bad); i++) {
		assert_int_equal(pm_period_parse(bad[i].in, &p, &e), PM_EDATA);
		assert_string_equal(e.msg, bad[i].msg);
	}
	assert_string_equal(pm_period_fmt((struct pm_period){ 2026, 11 }, buf), "2026-11");
	assert_string_equal(pm_period_fmt((struct pm_period){ 2026, 1 }, buf), "2026-01");
	assert_string_equal(pm_period_fmt((struct pm_period){ 1, 12 }, buf), "0001-12");
}

static void test_period_add(void **state)
{
	const struct pm_period nov = { 2026, 11 }, jan = { 2026, 1 };

	expect_period(pm_period_add(nov, 0), 2026, 11);
	expect_period(pm_period_add(nov, 1), 2026, 12);
	expect_period(pm_period_add(nov, 2), 2027, 1);
	expect_period(pm_period_add(nov, 14), 2028, 1);
	expect_period(pm_period_add(nov, -11), 2025, 12);
	expect_period(pm_period_add(nov, -13), 2025, 10);
	expect_period(pm_period_add(jan, -1), 2025, 12);
	expect_period(pm_period_add(jan, -12), 2025, 1);
	expect_period(pm_period_add(jan, -25), 2023, 12);
	expect_period(pm_period_add((struct pm_period){ 2026, 12 }, 1), 2027, 1);
	expect_period(pm_period_add((struct pm_period){ 2026, 12 }, 12), 2027, 12);
}

struct bounds_case {
	struct pm_period p;
	const char *tz;
	int64_t start, end;
};

static void test_period_bounds(void **state)
{
	static const struct bounds_case cases[] = {
		/* 2026-10-31T16:00:00Z, 2026-11-30T16:00:00Z */
		{ { 2026, 11 }, "Asia/Shanghai", 1793462400, 1796054400 },
		/* ... 2026-12-31T16:00:00Z */
		{ { 2026, 12 }, "Asia/Shanghai", 1796054400, 1798732800 },
		{ { 2026, 11 }, NULL, 1793491200, 1796083200 },
		{ { 2026, 11 }, "UTC", 1793491200, 1796083200 },
		/* 2026-03-01T05:00:00Z (EST), 2026-04-01T04:00:00Z (EDT) */
		{ { 2026, 3 }, "America/New_York", 1772341200, 1775016000 },
		/* 2026-11-01T04:00:00Z (EDT), 2026-12-01T05:00:00Z (EST) */
		{ { 2026, 11 }, "America/New_York", 1793505600, 1796101200 },
	};

	for (size_t i = 0; i < N_OF(cases); i++) {
		int64_t start = 0, end = 0;

		pm_period_bounds(cases[i].p, cases[i].tz, &start, &end);
		assert_int_equal(start, cases[i].start);
		assert_int_equal(end, cases[i].end);
	}
}

static void test_period_of_days(void **state)
{
	expect_period(pm_period_of(1793462400, "Asia/Shanghai"), 2026, 11);
	expect_period(pm_period_of(1793462399, "Asia/Shanghai"), 2026, 10);
	expect_period(pm_period_of(1793462400, NULL), 2026, 10);
	expect_period(pm_period_of(1796054399, "Asia/Shanghai"), 2026, 11);
	expect_period(pm_period_of(1796054400, "Asia/Shanghai"), 2026, 12);
	expect_period(pm_period_of(1793505599, "America/New_York"), 2026, 10);
	expect_period(pm_period_of(1793505600, "America/New_York"), 2026, 11);
	expect_period(pm_period_of(-1, "UTC"), 1969, 12);

	assert_int_equal(pm_period_days((struct pm_period){ 2028, 2 }), 29);
	assert_int_equal(pm_period_days((struct pm_period){ 2026, 2 }), 28);
	assert_int_equal(pm_period_days((struct pm_period){ 2000, 2 }), 29);
	assert_int_equal(pm_period_days((struct pm_period){ 2100, 2 }), 28);
	assert_int_equal(pm_period_days((struct pm_period){ 2026, 11 }), 30);
	assert_int_equal(pm_period_days((struct pm_period){ 2026, 12 }), 31);
	assert_int_equal(pm_period_days((struct pm_period){ 2026, 1 }), 31);
}

/* Every instant lies in the period pm_period_of names and on the date
 * pm_date_of names, between the starts those functions give. */
static void test_period_date_property(void **state)
{
	uint64_t seed = 3141592653589793u;

	for (int i = 0; i < 5000; i++) {
		const char *tz = zones[xorshift(&seed) % N_OF(zones)];
		int64_t t = -2208988800 + (int64_t)(xorshift(&seed) % 6311433600u), start, end;
		struct pm_period p = pm_period_of(t, tz);
		int32_t day = pm_date_of(t, tz);

		pm_period_bounds(p, tz, &start, &end);
		if (t < start || t >= end)
			fail_msg("%lld in %s outside its period %d-%02d", (long long)t,
				 tz ? tz : "NULL", p.year, p.month);
		if (t < pm_date_start(day, tz) || t >= pm_date_start(day + 1, tz))
			fail_msg("%lld in %s outside its date %d", (long long)t, tz ? tz : "NULL", day);
	}
}

struct date_case {
	const char *in;
	int32_t day;
};

static void test_date_parse_fmt(void **state)
{
	static const struct date_case cases[] = {
		{ "2026-11-25", 20782 },
		{ "1970-01-01", 0 },
		{ "1969-12-31", -1 },
		{ "2028-02-29", 21243 },
		{ "2028-03-01", 21244 },
		{ "2000-03-01", 11017 },
		{ "1900-01-01", -25567 },
	};
	static const struct bad_case bad[] = {
		{ "2026-02-29", "\"2026-02-29\": no such day in that month" },
		{ "2026-11-31", "\"2026-11-31\": no such day in that month" },
		{ "2026-13-01", "\"2026-13-01\": month must be 01 to 12" },
		{ "2026-11-25T00:00:00Z", "\"2026-11-25T00:00:00Z\": expected a date such as 2026-11-25" },
		{ "2026-1-25", "\"2026-1-25\": expected a date such as 2026-11-25" },
		{ "20261125", "\"20261125\": expected a date such as 2026-11-25" },
		{ "", "\"\": expected a date such as 2026-11-25" },
	};
	struct pm_err e = { 0 };
	char buf[PM_TIME_BUF];
	int32_t day = 42;

	for (size_t i = 0; i < N_OF(cases); i++) {
		assert_int_equal(pm_date_parse(cases[i].in, &day, &e), PM_OK);
		assert_int_equal(day, cases[i].day);
		assert_string_equal(pm_date_fmt(cases[i].day, buf), cases[i].in);
	}
	day = 42;
	for (size_t i = 0; i < N_OF(bad); i++) {
		assert_int_equal(pm_date_parse(bad[i].in, &day, &e), PM_EDATA);
		assert_string_equal(e.msg, bad[i].msg);
	}
	assert_int_equal(day, 42);
}

/* Every date of years 0000 to 9999 prints, reads back, and sorts after
 * the one before it. */
static void test_date_every_day(void **state)
{
	char prev[PM_TIME_BUF] = "", buf[PM_TIME_BUF];
	struct pm_err e = { 0 };
	int32_t back;

	for (int32_t d = -719528; d <= 2932896; d++) {
		pm_date_fmt(d, buf);
		if (pm_date_parse(buf, &back, &e) != PM_OK || back != d || strcmp(prev, buf) >= 0)
			fail_msg("day %d printed \"%s\" after \"%s\"", d, buf, prev);
		memcpy(prev, buf, sizeof prev);
	}
	assert_string_equal(prev, "9999-12-31");
}

static void test_date_of_start(void **state)
{
	/* 2026-11-24T15:59:59Z is 23:59:59 in Shanghai, a second later the 25th */
	assert_int_equal(pm_date_of(1795535999, "Asia/Shanghai"), 20781);
	assert_int_equal(pm_date_of(1795536000, "Asia/Shanghai"), 20782);
	assert_int_equal(pm_date_of(1795536000, NULL), 20781);
	assert_int_equal(pm_date_of(-1, NULL), -1);
	assert_int_equal(pm_date_of(0, "America/New_York"), -1);

	assert_int_equal(pm_date_start(20782, "Asia/Shanghai"), 1795536000);
	assert_int_equal(pm_date_start(20782, NULL), INT64_C(20782) * 86400);
	assert_int_equal(pm_date_start(-1, "UTC"), -86400);
	/* New York springs forward at 02:00 on 2026-03-08: that midnight is
	 * EST (05:00Z), the next one EDT (04:00Z) */
	assert_int_equal(pm_date_start(20520, "America/New_York"), 1772946000);
	assert_int_equal(pm_date_start(20521, "America/New_York"), 1773028800);
	assert_int_equal(pm_date_start(20758, "America/New_York"), 1793505600);
	/* Sao Paulo skipped its midnight on 2018-11-04: the day began at 01:00 */
	assert_int_equal(pm_date_start(17839, "America/Sao_Paulo"), 1541300400);
	/* Toronto went from 23:30 to 00:30 on 1919-03-31: the day began at
	 * the change, 04:30Z, though no clock read its midnight */
	assert_int_equal(pm_date_start(-18539, "America/Toronto"), -1601753400);
	assert_int_equal(pm_date_of(-1601753401, "America/Toronto"), -18540);
	assert_int_equal(pm_date_of(-1601753400, "America/Toronto"), -18539);
	/* Havana repeats 00:00-01:00 on 2026-11-01: the day began at the first */
	assert_int_equal(pm_date_start(20758, "America/Havana"), 1793505600);
	/* Apia skipped 2011-12-30 entirely: it and the 31st begin together */
	assert_int_equal(pm_date_start(15338, "Pacific/Apia"), 1325239200);
	assert_int_equal(pm_date_start(15339, "Pacific/Apia"), 1325239200);
	assert_int_equal(pm_date_of(1325239199, "Pacific/Apia"), 15337);
	assert_int_equal(pm_date_of(1325239200, "Pacific/Apia"), 15339);
}

static void test_days_between(void **state)
{
	assert_int_equal(pm_days_between(20782, 20811), 29);
	assert_int_equal(pm_days_between(20811, 20782), -29);
	assert_int_equal(pm_days_between(21215, 21244), 29);
	assert_int_equal(pm_days_between(5, 5), 0);
	assert_int_equal(pm_days_between(-1, 0), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_parse_accepts),
		cmocka_unit_test(test_time_parse_rejects),
		cmocka_unit_test(test_time_fmt),
		cmocka_unit_test(test_time_round_trip),
		cmocka_unit_test(test_tz_check),
		cmocka_unit_test(test_period_parse_fmt),
		cmocka_unit_test(test_period_add),
		cmocka_unit_test(test_period_bounds),
		cmocka_unit_test(test_period_of_days),
		cmocka_unit_test(test_period_date_property),
		cmocka_unit_test(test_date_parse_fmt),
		cmocka_unit_test(test_date_every_day),
		cmocka_unit_test(test_date_of_start),
		cmocka_unit_test(test_days_between),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
