/* Time: stored as UTC seconds, shown and billed in the community's zone. */
#ifndef PM_TIMEUTIL_H
#define PM_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "pm/err.h"

#define PM_DEFAULT_TZ "Asia/Shanghai"
#define PM_TIME_BUF 40

/* Billing period: a calendar month. */
struct pm_period {
	int year, month;
};

/* RFC 3339 ("2026-11-30T23:00:00+08:00", "...Z", fractional seconds
 * dropped, 't'/'z'/' ' accepted) to seconds since the epoch. */
int pm_time_parse(const char *s, int64_t *t, struct pm_err *e);

/* t in zone tz (IANA name; NULL or "UTC" gives "...Z") as RFC 3339. */
char *pm_time_fmt(int64_t t, const char *tz, char buf[PM_TIME_BUF]);

/* PM_ECONFIG unless tz names a zone in the system's zoneinfo. */
int pm_tz_check(const char *tz, struct pm_err *e);

/* "2026-11" */
int pm_period_parse(const char *s, struct pm_period *p, struct pm_err *e);
char *pm_period_fmt(struct pm_period p, char buf[PM_TIME_BUF]);
struct pm_period pm_period_add(struct pm_period p, int months);
/* < 0, 0, > 0 as a is before, the same as, or after b. */
int pm_period_cmp(struct pm_period a, struct pm_period b);
/* The period holding instant t in zone tz. */
struct pm_period pm_period_of(int64_t t, const char *tz);
/* First instant of the period and first instant of the next one, in tz:
 * the period is [*start, *end). */
void pm_period_bounds(struct pm_period p, const char *tz, int64_t *start, int64_t *end);
int pm_period_days(struct pm_period p);

/* Dates "2026-11-25" as days since 1970-01-01. */
int pm_date_parse(const char *s, int32_t *day, struct pm_err *e);
char *pm_date_fmt(int32_t day, char buf[PM_TIME_BUF]);
/* The date of instant t in tz, and midnight starting a date in tz. */
int32_t pm_date_of(int64_t t, const char *tz);
int64_t pm_date_start(int32_t day, const char *tz);
/* The wall clock in tz at instant t, as seconds since its midnight; and
 * the first instant whose wall clock on day reads tod or later (the
 * moment of the change when a clock change skips tod). On a day the
 * clock changes these differ from seconds since the day's first instant. */
int32_t pm_time_of_day(int64_t t, const char *tz);
int64_t pm_time_at(int32_t day, int32_t tod, const char *tz);
/* b - a in days. */
int32_t pm_days_between(int32_t a, int32_t b);

/* 2000-01-01T00:00:00Z: nothing pm records (a gate event, a payment)
 * happened before it, so a clock that says so has lost its time. */
#define PM_TIME_EARLIEST INT64_C(946684800)

/* PM_EDATA unless t is from PM_TIME_EARLIEST to latest (now plus
 * meters.future_tolerance, as pm_config_latest gives it), saying
 * "WHAT: TIME is before 2000: the clock that wrote it is wrong" or
 * "WHAT: TIME is in the future: later than LATEST, now plus
 * meters.future_tolerance", the times shown in tz. A time far ahead of
 * the clock would close a parking stay decades on, or date a payment
 * after every bill it will ever be compared with. */
int pm_time_plausible(int64_t t, int64_t latest, const char *what, const char *tz, struct pm_err *e);

#endif
