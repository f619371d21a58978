#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pm/i18n.h"
#include "pm/timeutil.h"

#define DAY INT64_C(86400)
#define ZONEINFO "/usr/share/zoneinfo/"

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil): plain arithmetic, independent of the process's zone. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

static int month_days(int64_t y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 ? 28 + leap : days[m - 1];
}

/* Zones: glibc reads one zone at a time, through TZ. */

static int zone_is_utc(const char *tz)
{
	return !tz || strcmp(tz, "UTC") == 0;
}

/* tzset() reads the zone file, so it runs only when the zone changes. The
 * leading ':' makes glibc take the name as a file, never as a POSIX rule. */
static void zone_use(const char *tz)
{
	static char current[256];

	if (current[0] && strcmp(current + 1, tz) == 0)
		return;
	snprintf(current, sizeof current, ":%s", tz);
	setenv("TZ", current, 1);
	tzset();
}

/* Seconds east of UTC in tz at instant t; 0 past the range glibc handles. */
static int64_t zone_offset(int64_t t, const char *tz)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (zone_is_utc(tz))
		return 0;
	zone_use(tz);
	if (!localtime_r(&tt, &tm))
		return 0;
	return tm.tm_gmtoff;
}

/* The first instant whose wall clock in tz reads local or later, local
 * being seconds as if tz were UTC: that time itself when it happens once,
 * its first occurrence when a clock change repeats it, the moment of the
 * change when one skips it. Offsets are taken a day either side, which
 * holds while a zone changes its clock at most once in two days. */
static int64_t zone_first_at(int64_t local, const char *tz)
{
	int64_t a = local - zone_offset(local - DAY, tz);
	int64_t b = local - zone_offset(local + DAY, tz);
	int64_t lo = a < b ? a : b, hi = a < b ? b : a;

	if (lo + zone_offset(lo, tz) >= local)
		return lo;
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;

		if (mid + zone_offset(mid, tz) >= local)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

/* Scanning: fixed-width fields, read by a cursor that turns NULL on the
 * first mismatch so a chain of reads needs one check at the end. */

static const char *scan_int(const char *p, int width, int *v)
{
	*v = 0;
	for (int i = 0; p && i < width; i++, p++) {
		if (*p < '0' || *p > '9')
			return NULL;
		*v = *v * 10 + (*p - '0');
	}
	return p;
}

static const char *scan_lit(const char *p, char c)
{
	return p && *p == c ? p + 1 : NULL;
}

static const char *scan_ym(const char *p, int *y, int *m)
{
	p = scan_int(p, 4, y);
	p = scan_lit(p, '-');
	return scan_int(p, 2, m);
}

static const char *scan_ymd(const char *p, int *y, int *m, int *d)
{
	p = scan_ym(p, y, m);
	p = scan_lit(p, '-');
	return scan_int(p, 2, d);
}

/* Why a date is impossible, or NULL when it exists. */
static const char *ymd_fault(int y, int m, int d)
{
	if (m < 1 || m > 12)
		return _("month must be 01 to 12");
	if (d < 1 || d > month_days(y, m))
		return _("no such day in that month");
	return NULL;
}

struct clock {
	int y, mo, d, h, mi, s, off;  /* off: seconds east of UTC */
};

static const char *scan_hms(const char *p, struct clock *c)
{
	p = scan_int(p, 2, &c->h);
	p = scan_lit(p, ':');
	p = scan_int(p, 2, &c->mi);
	p = scan_lit(p, ':');
	p = scan_int(p, 2, &c->s);
	if (p && *p == '.') {
		/* Fractions are dropped, which floors: the instant they add to
		 * lies after the whole second. */
		p++;
		if (*p < '0' || *p > '9')
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return p;
}

static const char *scan_zone(const char *p, struct clock *c, int *oh, int *om)
{
	char sign = *p;

	*oh = *om = 0;
	if (sign == 'Z' || sign == 'z')
		return p + 1;
	if (sign != '+' && sign != '-')
		return NULL;
	p = scan_int(p + 1, 2, oh);
	p = scan_lit(p, ':');
	p = scan_int(p, 2, om);
	c->off = (*oh * 3600 + *om * 60) * (sign == '-' ? -1 : 1);
	return p;
}

static const char *clock_fault(const struct clock *c, int oh, int om)
{
	const char *why = ymd_fault(c->y, c->mo, c->d);

	if (why)
		return why;
	if (c->h > 23)
		return _("hour must be 00 to 23");
	if (c->mi > 59)
		return _("minute must be 00 to 59");
	if (c->s > 59)
		return _("second must be 00 to 59");
	if (oh > 23 || om > 59)
		return _("offset must be -23:59 to +23:59");
	return NULL;
}

static int time_error(const char *s, const char *why, struct pm_err *e)
{
	return pm_err_set(e, PM_EDATA, _("\"%s\": %s"), s, why);
}

int pm_time_parse(const char *s, int64_t *t, struct pm_err *e)
{
	struct clock c = { 0 };
	const char *p, *why;
	int oh, om;
	int64_t v;

	p = scan_ymd(s, &c.y, &c.mo, &c.d);
	if (p && (*p == 'T' || *p == 't' || *p == ' '))
		p = scan_hms(p + 1, &c);
	else
		p = NULL;
	if (!p)
		return time_error(s, _("expected a time such as 2026-11-30T23:00:00+08:00"), e);
	if (!*p)
		return time_error(s, _("no UTC offset, add Z or one such as +08:00"), e);
	if (!(p = scan_zone(p, &c, &oh, &om)))
		return time_error(s, _("expected Z or an offset such as +08:00 after the seconds"), e);
	if (*p)
		return time_error(s, _("unexpected text after the time"), e);
	if ((why = clock_fault(&c, oh, om)))
		return time_error(s, why, e);
	v = days_from_civil(c.y, c.mo, c.d) * DAY + c.h * 3600 + c.mi * 60 + c.s - c.off;
	/* Only instants that print as four-digit years in UTC, so every parsed
	 * time can be written back and read again. */
	if (v < days_from_civil(0, 1, 1) * DAY || v >= days_from_civil(10000, 1, 1) * DAY)
		return time_error(s, _("outside the years 0000 to 9999 in UTC"), e);
	*t = v;
	return PM_OK;
}

char *pm_time_fmt(int64_t t, const char *tz, char buf[PM_TIME_BUF])
{
	/* RFC 3339 offsets are whole minutes: a zone's old local mean time
	 * (+08:05:43) is shown with its minutes, and the clock to match. */
	int64_t off = zone_offset(t, tz) / 60 * 60, local = t + off, y, sec;
	int64_t aoff = off < 0 ? -off : off;
	int m, d;
	char zone[8] = "Z";

	civil_from_days(floor_div(local, DAY), &y, &m, &d);
	sec = local - floor_div(local, DAY) * DAY;
	if (!zone_is_utc(tz))
		snprintf(zone, sizeof zone, "%c%02d:%02d", off < 0 ? '-' : '+',
			 (int)(aoff / 3600), (int)(aoff / 60 % 60));
	snprintf(buf, PM_TIME_BUF, "%04lld-%02d-%02dT%02d:%02d:%02d%s", (long long)y, m, d,
		 (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60), zone);
	return buf;
}

int pm_tz_check(const char *tz, struct pm_err *e)
{
	char path[512], magic[4];
	struct stat st;
	ssize_t n;
	int fd;

	if (!tz || !*tz || tz[0] == '/' || strstr(tz, "..") ||
	    strspn(tz, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") != strlen(tz))
		return pm_err_set(e, PM_ECONFIG, _("time zone \"%s\": expected a zone name such as Asia/Shanghai"),
				  tz ? tz : "");
	snprintf(path, sizeof path, "%s%s", ZONEINFO, tz);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return pm_err_set(e, PM_ECONFIG, _("time zone \"%s\": not found in %s"), tz, ZONEINFO);
	n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? read(fd, magic, sizeof magic) : -1;
	close(fd);
	if (n != (ssize_t)sizeof magic || memcmp(magic, "TZif", sizeof magic) != 0)
		return pm_err_set(e, PM_ECONFIG, _("time zone \"%s\": %s%s is not a zone file"),
				  tz, ZONEINFO, tz);
	return PM_OK;
}

/* Periods */

int pm_period_parse(const char *s, struct pm_period *p, struct pm_err *e)
{
	const char *end = scan_ym(s, &p->year, &p->month);

	if (!end || *end)
		return time_error(s, _("expected a period such as 2026-11"), e);
	if (p->month < 1 || p->month > 12)
		return time_error(s, _("month must be 01 to 12"), e);
	return PM_OK;
}

char *pm_period_fmt(struct pm_period p, char buf[PM_TIME_BUF])
{
	snprintf(buf, PM_TIME_BUF, "%04d-%02d", p.year, p.month);
	return buf;
}

struct pm_period pm_period_add(struct pm_period p, int months)
{
	int64_t i = (int64_t)p.year * 12 + (p.month - 1) + months;

	return (struct pm_period){ (int)floor_div(i, 12), (int)(i - floor_div(i, 12) * 12) + 1 };
}

int pm_period_cmp(struct pm_period a, struct pm_period b)
{
	int64_t x = (int64_t)a.year * 12 + a.month, y = (int64_t)b.year * 12 + b.month;

	return (x > y) - (x < y);
}

struct pm_period pm_period_of(int64_t t, const char *tz)
{
	int64_t y;
	int m, d;

	civil_from_days(pm_date_of(t, tz), &y, &m, &d);
	return (struct pm_period){ (int)y, m };
}

void pm_period_bounds(struct pm_period p, const char *tz, int64_t *start, int64_t *end)
{
	struct pm_period next = pm_period_add(p, 1);

	p = pm_period_add(p, 0);
	*start = zone_first_at(days_from_civil(p.year, p.month, 1) * DAY, tz);
	*end = zone_first_at(days_from_civil(next.year, next.month, 1) * DAY, tz);
}

int pm_period_days(struct pm_period p)
{
	p = pm_period_add(p, 0);
	return month_days(p.year, p.month);
}

/* Dates */

int pm_date_parse(const char *s, int32_t *day, struct pm_err *e)
{
	int y, m, d;
	const char *end = scan_ymd(s, &y, &m, &d), *why;

	if (!end || *end)
		return time_error(s, _("expected a date such as 2026-11-25"), e);
	if ((why = ymd_fault(y, m, d)))
		return time_error(s, why, e);
	*day = (int32_t)days_from_civil(y, m, d);
	return PM_OK;
}

char *pm_date_fmt(int32_t day, char buf[PM_TIME_BUF])
{
	int64_t y;
	int m, d;

	civil_from_days(day, &y, &m, &d);
	snprintf(buf, PM_TIME_BUF, "%04lld-%02d-%02d", (long long)y, m, d);
	return buf;
}

int32_t pm_date_of(int64_t t, const char *tz)
{
	return (int32_t)floor_div(t + zone_offset(t, tz), DAY);
}

int64_t pm_date_start(int32_t day, const char *tz)
{
	return zone_first_at(day * DAY, tz);
}

int32_t pm_time_of_day(int64_t t, const char *tz)
{
	int64_t local = t + zone_offset(t, tz);

	return (int32_t)(local - floor_div(local, DAY) * DAY);
}

int64_t pm_time_at(int32_t day, int32_t tod, const char *tz)
{
	return zone_first_at(day * DAY + tod, tz);
}

int32_t pm_days_between(int32_t a, int32_t b)
{
	return (int32_t)((int64_t)b - a);
}

int pm_time_plausible(int64_t t, int64_t latest, const char *what, const char *tz, struct pm_err *e)
{
	char at[PM_TIME_BUF], limit[PM_TIME_BUF];

	if (t >= PM_TIME_EARLIEST && t <= latest)
		return PM_OK;
	pm_time_fmt(t, tz, at);
	if (t < PM_TIME_EARLIEST)
		return pm_err_set(e, PM_EDATA, _("%s: %s is before 2000: the clock that wrote it is wrong"), what, at);
	return pm_err_set(e, PM_EDATA, _("%s: %s is in the future: later than %s, now plus meters.future_tolerance"),
			  what, at, pm_time_fmt(latest, tz, limit));
}
