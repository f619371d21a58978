/* repair: the repair section of the configuration (pm.yaml(5)) and what
 * the ticket, asset and patrol modules read from it. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pm/config.h"
#include "pm/db.h"
#include "pm/i18n.h"
#include "pm/timeutil.h"
#include "repair-internal.h"

/* The days of repair.business_hours.days, as pm.yaml(5) writes them. */
static const char *const day_words[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL};

int pm_weekday(int32_t day)
{
	/* 1970-01-01 was a Thursday. */
	return (int)((((int64_t)day + 3) % 7 + 7) % 7);
}

static int by_day(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* The n dates of list as sorted day numbers at v (checked at apply). */
static void days_of(json_t *list, int32_t *v, size_t n)
{
	struct pm_err ignored;

	for (size_t i = 0; i < n; i++)
		pm_date_parse(json_string_value(json_array_get(list, i)), &v[i], &ignored);
	qsort(v, n, sizeof *v, by_day);
}

/* repair.holidays and repair.workdays, for business hours and the
 * renovation's noisy hours alike. */
static int calendar_open(struct pm_repair *r, struct pm_err *e)
{
	json_t *off = json_object_get(r->sec, "holidays"), *on = json_object_get(r->sec, "workdays");
	size_t n_off = json_array_size(off), n_on = json_array_size(on);

	if (!n_off && !n_on)
		return PM_OK;
	if (!(r->calendar = malloc((n_off + n_on) * sizeof *r->calendar)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	days_of(off, r->calendar, n_off);
	days_of(on, r->calendar + n_off, n_on);
	r->hours.holidays = r->calendar;
	r->hours.n_holidays = n_off;
	r->hours.workdays = r->calendar + n_off;
	r->hours.n_workdays = n_on;
	return PM_OK;
}

int pm_repair_open(struct pm_db *db, struct pm_repair *r, struct pm_err *e)
{
	struct pm_config *cfg;
	json_t *h, *d;
	size_t i;
	int rc;

	memset(r, 0, sizeof *r);
	r->tz = pm_db_tz(db);
	/* The section alone, from the tree stored at apply: parsing the
	 * whole pm.yaml again was a third of a pm-repair submit's
	 * instructions (callgrind: 3.45 M of 9.4 M). */
	if (pm_config_today(db, "repair", &r->sec, e))
		return e->code;
	if (!r->sec) {
		/* No configuration at all says so, and how to give one. */
		if (pm_config_current(db, pm_db_today(db), &cfg, e))
			return e->code;
		pm_config_free(cfg);
		return pm_err_set(e, PM_ECONFIG,
			_("no repair section in the configuration: add one to pm.yaml and run 'pm config apply'"));
	}
	if ((h = json_object_get(r->sec, "business_hours"))) {
		json_array_foreach(json_object_get(h, "days"), i, d)
			for (int k = 0; day_words[k]; k++)
				if (!strcmp(json_string_value(d), day_words[k]))
					r->hours.days |= 1u << k;
		r->hours.from = (int)json_integer_value(json_object_get(h, "from"));
		r->hours.to = (int)json_integer_value(json_object_get(h, "to"));
	}
	if ((rc = calendar_open(r, e)))
		pm_repair_close(r);
	return rc;
}

void pm_repair_close(struct pm_repair *r)
{
	json_decref(r->sec);
	r->sec = NULL;
	free(r->calendar);
	r->calendar = NULL;
}
