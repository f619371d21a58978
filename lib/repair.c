/* repair: the repair section of the configuration (pm.yaml(5)) and what
 * the ticket, asset and patrol modules read from it. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "pm/config.h"
#include "pm/db.h"
#include "pm/i18n.h"
#include "pm/timeutil.h"
#include "config-internal.h"
#include "repair-internal.h"

#define DURATION_KEY(k, d) PM_KEY((k), PM_NODE(PM_SCHEMA_DURATION, .min = "1m"), .def = (d))
#define PRIORITY(acc, res) PM_NODE(PM_SCHEMA_MAP, .keys = PM_KEYS(		\
	DURATION_KEY("accept", acc),					\
	DURATION_KEY("resolve", res),					\
	PM_KEY("business_hours", PM_NODE(PM_SCHEMA_BOOL), .def = "false")))

static const char *const day_words[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL};
static const char *const priority_words[] = {"urgent", "high", "normal", "low", NULL};

static int check_hours(const json_t *v, struct pm_err *e)
{
	if (json_integer_value(json_object_get(v, "from")) >=
	    json_integer_value(json_object_get(v, "to")))
		return pm_err_set(e, PM_ECONFIG, _("\"from\" must be earlier than \"to\""));
	return PM_OK;
}

/* Each point's offset at or after the one before: the order of the route. */
static int check_points(const json_t *v, struct pm_err *e)
{
	json_int_t last = 0;
	size_t i, j;
	json_t *p;

	json_array_foreach(v, i, p) {
		json_int_t after = json_integer_value(json_object_get(p, "after"));
		const char *code = json_string_value(json_object_get(p, "code"));

		if (after < last)
			return pm_err_set(e, PM_ECONFIG, _("point \"%s\" comes before the one listed above it"), code);
		last = after;
		for (j = 0; j < i; j++)
			if (!strcmp(code, json_string_value(json_object_get(json_array_get(v, j), "code"))))
				return pm_err_set(e, PM_ECONFIG, _("point \"%s\" is listed twice"), code);
	}
	return PM_OK;
}

static int unique_names(const json_t *list, const char *what, struct pm_err *e)
{
	size_t i, j;

	for (i = 0; i < json_array_size(list); i++)
		for (j = 0; j < i; j++)
			if (json_equal(json_object_get(json_array_get(list, i), "name"),
				       json_object_get(json_array_get(list, j), "name")))
				return pm_err_set(e, PM_ECONFIG, _("%s \"%s\" is defined twice"), what,
					json_string_value(json_object_get(json_array_get(list, i), "name")));
	return PM_OK;
}

static bool wants_hours(const json_t *v)
{
	const char *k;
	size_t i;
	json_t *x;

	json_object_foreach(json_object_get(v, "priorities"), k, x)
		if (json_is_true(json_object_get(x, "business_hours")))
			return true;
	json_array_foreach(json_object_get(v, "categories"), i, x)
		if (json_is_true(json_object_get(x, "business_hours")))
			return true;
	return false;
}

/* Rules across keys: names unique, schedules naming known categories,
 * business hours set when something counts in them. */
static int check_repair(const json_t *v, struct pm_err *e)
{
	json_t *cats = json_object_get(v, "categories"), *s;
	size_t i;

	if (unique_names(cats, _("category"), e) ||
	    unique_names(json_object_get(v, "schedules"), _("schedule"), e) ||
	    unique_names(json_object_get(v, "patrols"), _("patrol"), e))
		return PM_ECONFIG;
	json_array_foreach(json_object_get(v, "schedules"), i, s) {
		const char *cat = json_string_value(json_object_get(s, "category"));

		if (!pm_repair_find(cats, "name", cat))
			return pm_err_set(e, PM_ECONFIG, _("schedule \"%s\": no category \"%s\""),
				json_string_value(json_object_get(s, "name")), cat);
	}
	if (wants_hours(v) && !json_object_get(v, "business_hours"))
		return pm_err_set(e, PM_ECONFIG, _("business_hours must be set when a priority or category counts in them"));
	return PM_OK;
}

const struct pm_schema pm_repair_schema = {
	.type = PM_SCHEMA_MAP, .check = check_repair, .keys = PM_KEYS(
	PM_KEY("dedupe_window", PM_NODE(PM_SCHEMA_DURATION, .min = "0s"), .def = "24h"),
	DURATION_KEY("auto_close_after", "3d"),
	PM_KEY("business_hours", PM_NODE(PM_SCHEMA_MAP, .check = check_hours, .keys = PM_KEYS(
		PM_KEY("days", PM_NODE(PM_SCHEMA_LIST, .min = "1",
			.item = PM_NODE(PM_SCHEMA_ENUM, .words = day_words)), .required = true),
		PM_KEY("from", PM_NODE(PM_SCHEMA_TIME), .required = true),
		PM_KEY("to", PM_NODE(PM_SCHEMA_TIME), .required = true)))),
	PM_KEY("priorities", PM_NODE(PM_SCHEMA_MAP, .keys = PM_KEYS(
		PM_KEY("urgent", PRIORITY("15m", "4h"), .def = "{}"),
		PM_KEY("high", PRIORITY("1h", "24h"), .def = "{}"),
		PM_KEY("normal", PRIORITY("2h", "3d"), .def = "{}"),
		PM_KEY("low", PRIORITY("1d", "7d"), .def = "{}"))), .def = "{}"),
	PM_KEY("categories", PM_NODE(PM_SCHEMA_LIST, .min = "1", .item = PM_NODE(PM_SCHEMA_MAP, .keys = PM_KEYS(
		PM_KEY("name", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "32"), .required = true),
		PM_KEY("label", PM_NODE(PM_SCHEMA_STRING)),
		PM_KEY("kind", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("repair", "complaint", "suggestion")),
		       .def = "repair"),
		PM_KEY("priority", PM_NODE(PM_SCHEMA_ENUM, .words = priority_words), .def = "normal"),
		PM_KEY("accept", PM_NODE(PM_SCHEMA_DURATION, .min = "1m")),
		PM_KEY("resolve", PM_NODE(PM_SCHEMA_DURATION, .min = "1m")),
		PM_KEY("business_hours", PM_NODE(PM_SCHEMA_BOOL))))), .required = true),
	PM_KEY("schedules", PM_NODE(PM_SCHEMA_LIST, .item = PM_NODE(PM_SCHEMA_MAP, .keys = PM_KEYS(
		PM_KEY("name", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "32"), .required = true),
		PM_KEY("label", PM_NODE(PM_SCHEMA_STRING)),
		PM_KEY("every", PM_NODE(PM_SCHEMA_ENUM,
			.words = PM_WORDS("day", "week", "month", "quarter", "year")), .required = true),
		PM_KEY("category", PM_NODE(PM_SCHEMA_STRING), .required = true),
		PM_KEY("text", PM_NODE(PM_SCHEMA_STRING)),
		PM_KEY("assets", PM_NODE(PM_SCHEMA_LIST, .item = PM_NODE(PM_SCHEMA_STRING, .min = "1"))),
		PM_KEY("asset_kind", PM_NODE(PM_SCHEMA_STRING, .min = "1")),
		PM_KEY("area", PM_NODE(PM_SCHEMA_STRING)),
		PM_KEY("assign", PM_NODE(PM_SCHEMA_STRING, .min = "1")),
		PM_KEY("role", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("frontdesk", "technician", "guard")))))),
		.def = "[]"),
	PM_KEY("patrols", PM_NODE(PM_SCHEMA_LIST, .item = PM_NODE(PM_SCHEMA_MAP, .keys = PM_KEYS(
		PM_KEY("name", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "32"), .required = true),
		PM_KEY("label", PM_NODE(PM_SCHEMA_STRING)),
		PM_KEY("times", PM_NODE(PM_SCHEMA_LIST, .min = "1", .item = PM_NODE(PM_SCHEMA_TIME)),
		       .required = true),
		PM_KEY("grace", PM_NODE(PM_SCHEMA_DURATION, .min = "0s"), .def = "15m"),
		PM_KEY("points", PM_NODE(PM_SCHEMA_LIST, .min = "1", .check = check_points,
			.item = PM_NODE(PM_SCHEMA_MAP, .keys = PM_KEYS(
			PM_KEY("code", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "32"), .required = true),
			PM_KEY("name", PM_NODE(PM_SCHEMA_STRING)),
			PM_KEY("after", PM_NODE(PM_SCHEMA_DURATION, .min = "0s"), .def = "0s")))),
		       .required = true)))),
		.def = "[]")),
};

json_t *pm_repair_find(json_t *list, const char *key, const char *name)
{
	size_t i;
	json_t *x;

	json_array_foreach(list, i, x)
		if (name && !strcmp(json_string_value(json_object_get(x, key)), name))
			return x;
	return NULL;
}

int pm_weekday(int32_t day)
{
	/* 1970-01-01 was a Thursday. */
	return (int)((((int64_t)day + 3) % 7 + 7) % 7);
}

int pm_repair_open(struct pm_db *db, struct pm_repair *r, struct pm_err *e)
{
	json_t *h, *d;
	size_t i;

	memset(r, 0, sizeof *r);
	r->tz = pm_db_tz(db);
	if (pm_config_current(db, pm_db_today(db), &r->cfg, e))
		return e->code;
	if (!(r->sec = pm_config_section(r->cfg, "repair"))) {
		pm_repair_close(r);
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
	return PM_OK;
}

void pm_repair_close(struct pm_repair *r)
{
	pm_config_free(r->cfg);
	r->cfg = NULL;
	r->sec = NULL;
}
