/* pm_time_parse, pm_period_parse and pm_date_parse on arbitrary bytes: no
 * crash, and whatever parses prints and reads back as the same value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pm/timeutil.h"

static void check_time(const char *s)
{
	char buf[PM_TIME_BUF];
	struct pm_err e;
	int64_t t, back;

	if (pm_time_parse(s, &t, &e) != PM_OK)
		return;
	if (pm_time_parse(pm_time_fmt(t, NULL, buf), &back, &e) != PM_OK || back != t)
		abort();
}

static void check_period(const char *s)
{
	char buf[PM_TIME_BUF];
	struct pm_period p, back;

	if (pm_period_parse(s, &p, NULL) != PM_OK)
		return;
	/* The accepted form is the only one, so printing gives the input. */
	if (strcmp(pm_period_fmt(p, buf), s) != 0)
		abort();
	if (pm_period_parse(buf, &back, NULL) != PM_OK || back.year != p.year || back.month != p.month)
		abort();
}

static void check_date(const char *s)
{
	char buf[PM_TIME_BUF];
	struct pm_err e;
	int32_t day, back;

	if (pm_date_parse(s, &day, &e) != PM_OK)
		return;
	if (strcmp(pm_date_fmt(day, buf), s) != 0)
		abort();
	if (pm_date_parse(buf, &back, &e) != PM_OK || back != day)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_time(s);
	check_period(s);
	check_date(s);
	free(s);
	return 0;
}
