/* sections: the schema of pm.yaml(5), the one table of its top-level
 * sections and each section's schema, so that lib/config.c reads and
 * stores the configuration without knowing the modules, and the modules
 * read their section (pm_config_section, pm_config_defaults) without
 * knowing the schema. A new section is one key in pm_config_schema and
 * its schema here. */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "pm/i18n.h"
#include "pm/jsonl.h"
#include "pm/register.h"
#include "pm/template.h"
#include "pm/timeutil.h"
#include "pm/vote.h"
#include "config-internal.h"

/* Built with PM_SCHEMA_TABLES, for lib/gen/schemagen.c, the tables below
 * are what it reads; built without, for libpm, they are never used and
 * the compiler drops them: a program gets them from build/gen/
 * schema-flat.h instead (pm_config_schema, at the end). */
#ifdef PM_SCHEMA_TABLES
#define TABLE_ROOT
#else
#define TABLE_ROOT __attribute__((unused))
#endif

/* ---- configuration: `billing` and `fees` (pm.yaml(5)) ---- */

#define PRICE PM_NODE(PM_SCHEMA_DECIMAL, .places = 4, .min = "0")
/* The VAT rate an invoice of the fee states (0.06 for property services):
 * only exported for the invoicing system, never charged by pm. */
#define TAX_RATE PM_NODE(PM_SCHEMA_DECIMAL, .places = 4, .min = "0", .max = "1")

static int check_tou(const json_t *v, struct pm_err *e)
{
	const char *k;
	json_t *x;
	int reg;

	json_object_foreach((json_t *)v, k, x)
		if (pm_reg_parse(k, &reg))
			return pm_err_set(e, PM_ECONFIG,
					  _("unknown register \"%s\": expected sharp, peak, flat or valley"), k);
	return PM_OK;
}

static const struct pm_schema step_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("upto", PM_NODE(PM_SCHEMA_DECIMAL, .places = 3, .min = "0.001")),
	PM_KEY("price", PRICE, .required = true)),
};

static int check_steps(const json_t *v, struct pm_err *e)
{
	size_t n = json_array_size(v);
	int64_t prev = 0, upto;

	for (size_t i = 0; i < n; i++) {
		json_t *u = json_object_get(json_array_get(v, i), "upto");
		if (i == n - 1) {
			if (u)
				return pm_err_set(e, PM_ECONFIG, _("the last step takes no \"upto\": it has no limit"));
			break;
		}
		if (!u)
			return pm_err_set(e, PM_ECONFIG, _("step %zu needs \"upto\": only the last step is open"), i + 1);
		upto = json_integer_value(u);
		if (upto <= prev)
			return pm_err_set(e, PM_ECONFIG, _("step %zu: \"upto\" must rise from step to step"), i + 1);
		prev = upto;
	}
	return PM_OK;
}

static const struct pm_schema tiers_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("period", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("month", "year")), .def = "month"),
	PM_KEY("year_start_month", PM_NODE(PM_SCHEMA_INT, .min = "1", .max = "12"), .def = "1"),
	PM_KEY("steps", PM_NODE(PM_SCHEMA_LIST, .min = "1", .max = "8", .item = &step_schema,
				.check = check_steps), .required = true)),
};

static const struct pm_schema component_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("label", PM_NODE(PM_SCHEMA_STRING, .min = "1"), .required = true),
	PM_KEY("price", PRICE, .required = true)),
};

static const struct pm_schema rounding_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("to", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("fen", "jiao", "yuan")), .def = "fen"),
	PM_KEY("mode", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("half_up", "half_even", "up", "down")),
	       .def = "half_up")),
};

static int needs(const json_t *fee, const char *key, const char *type, struct pm_err *e)
{
	if (json_object_get(fee, key))
		return PM_OK;
	return pm_err_set(e, PM_ECONFIG, _("a %s fee needs \"%s\""), type, key);
}

/* What each type needs beyond the schema's keys. */
static int check_fee(const json_t *fee, struct pm_err *e)
{
	const char *type = json_string_value(json_object_get(fee, "type"));
	int priced = json_object_get(fee, "price") || json_object_get(fee, "tiers");

	if (strcmp(type, "per_area") == 0)
		return needs(fee, "prices", type, e);
	if (strcmp(type, "repair") == 0)
		return PM_OK;
	if (strcmp(type, "fixed") == 0 || strcmp(type, "parking") == 0)
		return needs(fee, "amounts", type, e);
	if (json_object_get(fee, "price") && json_object_get(fee, "tiers"))
		return pm_err_set(e, PM_ECONFIG, _("a fee takes \"price\" or \"tiers\", not both"));
	if (strcmp(type, "metered") == 0) {
		if (needs(fee, "meter_kind", type, e))
			return e->code;
		if (!priced && !json_object_get(fee, "tou"))
			return pm_err_set(e, PM_ECONFIG, _("a metered fee needs \"price\", \"tiers\" or \"tou\""));
		return PM_OK;
	}
	if (!json_object_get(fee, "meter") && !(json_object_get(fee, "meter_kind") && json_object_get(fee, "scope")))
		return pm_err_set(e, PM_ECONFIG, _("a shared fee needs \"meter\", or \"meter_kind\" and \"scope\""));
	if (!priced)
		return pm_err_set(e, PM_ECONFIG, _("a shared fee needs \"price\" or \"tiers\""));
	return PM_OK;
}

static const struct pm_schema fee_schema = {
	.type = PM_SCHEMA_MAP, .check = check_fee, .keys = PM_KEYS(
	PM_KEY("name", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "32", .code = true), .required = true),
	PM_KEY("label", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "64"), .required = true),
	PM_KEY("type", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("per_area", "metered", "shared", "fixed",
								  "parking", "repair")), .required = true),
	PM_KEY("prices", PM_NODE(PM_SCHEMA_DICT, .min = "1", .item = PRICE)),
	PM_KEY("vacant_discount_percent", PM_NODE(PM_SCHEMA_INT, .min = "0", .max = "100"), .def = "0"),
	PM_KEY("prorate", PM_NODE(PM_SCHEMA_BOOL), .def = "true"),
	PM_KEY("meter_kind", PM_NODE(PM_SCHEMA_STRING, .min = "1")),
	PM_KEY("price", PRICE),
	PM_KEY("tiers", &tiers_schema),
	PM_KEY("components", PM_NODE(PM_SCHEMA_LIST, .item = &component_schema)),
	PM_KEY("tou", PM_NODE(PM_SCHEMA_DICT, .min = "1", .check = check_tou,
			      .item = PM_NODE(PM_SCHEMA_DECIMAL, .places = 4)), ),
	PM_KEY("meter", PM_NODE(PM_SCHEMA_STRING, .min = "1")),
	PM_KEY("scope", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("building", "community"))),
	PM_KEY("split", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("area", "equal", "usage")), .def = "area"),
	PM_KEY("uses", PM_NODE(PM_SCHEMA_LIST, .min = "1", .item = PM_NODE(PM_SCHEMA_ENUM,
			.words = PM_WORDS("residential", "commercial", "parking", "storage"))),
	       .def = "[residential, commercial]"),
	PM_KEY("amounts", PM_NODE(PM_SCHEMA_DICT, .min = "1", .item = PM_NODE(PM_SCHEMA_MONEY, .min = "0"))),
	PM_KEY("tax_rate", TAX_RATE),
	PM_KEY("rounding", &rounding_schema, .def = "{}")),
};

static int check_fees(const json_t *v, struct pm_err *e)
{
	size_t n = json_array_size(v);

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (json_equal(json_object_get(json_array_get(v, i), "name"),
				       json_object_get(json_array_get(v, j), "name")))
				return pm_err_set(e, PM_ECONFIG, _("fee \"%s\" is named twice"),
					json_string_value(json_object_get(json_array_get(v, i), "name")));
	return PM_OK;
}

static const struct pm_schema pm_fees_schema = {
	.type = PM_SCHEMA_LIST, .max = "32", .item = &fee_schema, .check = check_fees,
};

static const struct pm_schema late_fee_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("daily_bp", PM_NODE(PM_SCHEMA_INT, .min = "0", .max = "10000"), .def = "0"),
	PM_KEY("cap_percent", PM_NODE(PM_SCHEMA_INT, .min = "0", .max = "100"), .def = "100"),
	PM_KEY("exempt_items", PM_NODE(PM_SCHEMA_LIST, .item = PM_NODE(PM_SCHEMA_STRING)), .def = "[]"),
	PM_KEY("exempt_units", PM_NODE(PM_SCHEMA_LIST, .item = PM_NODE(PM_SCHEMA_STRING)), .def = "[]")),
};

/* What an ownership transfer (pm unit transfer) does with the unit's
 * prepaid balance and deposits: carry them to the new owner, or refund
 * them to the old one through channel; and with its reward points,
 * which are no money to refund: carry them, or expire them. */
static const struct pm_schema transfer_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("prepaid", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("carry", "refund")), .def = "carry"),
	PM_KEY("deposits", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("carry", "refund")), .def = "carry"),
	PM_KEY("points", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("carry", "expire")), .def = "expire"),
	PM_KEY("channel", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "32"), .def = "cash")),
};

static const struct pm_schema pm_billing_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("due_day", PM_NODE(PM_SCHEMA_INT, .min = "1", .max = "28"), .def = "15"),
	PM_KEY("grace_days", PM_NODE(PM_SCHEMA_INT, .min = "0", .max = "365"), .def = "0"),
	PM_KEY("late_fee", &late_fee_schema, .def = "{}"),
	PM_KEY("allocation_order", PM_NODE(PM_SCHEMA_LIST, .item = PM_NODE(PM_SCHEMA_STRING)), .def = "[]"),
	PM_KEY("max_amount", PM_NODE(PM_SCHEMA_MONEY, .min = "0.01", .max = "90000000000000.00"),
	       .def = "10000000.00"),
	PM_KEY("tax_rate", TAX_RATE, .def = "0.06"),
	PM_KEY("transfer", &transfer_schema, .def = "{}")),
};

/* ---- configuration: `channels` and `notify` (pm.yaml(5)), read by lib/notify.c ---- */

#define DEDUPE_DEFAULT "{{template}}:{{ref}}:{{recipient}}:{{channel}}:{{day}}"

static int check_http_url(const json_t *v, struct pm_err *e)
{
	const char *s = json_string_value(v);

	if (strncmp(s, "http://", 7) && strncmp(s, "https://", 8) && strncmp(s, "env:", 4) &&
	    strncmp(s, "file:", 5))
		return pm_err_set(e, PM_ECONFIG, _("\"%s\" is not an http:// or https:// URL"), s);
	return PM_OK;
}

static int check_smtp_url(const json_t *v, struct pm_err *e)
{
	const char *s = json_string_value(v);

	if (strncmp(s, "smtp://", 7) && strncmp(s, "smtps://", 8) && strncmp(s, "env:", 4) &&
	    strncmp(s, "file:", 5))
		return pm_err_set(e, PM_ECONFIG, _("\"%s\" is not an smtp:// or smtps:// URL"), s);
	return PM_OK;
}

static int check_src(const json_t *v, struct pm_err *e)
{
	return pm_tmpl_check(json_string_value(v), e);
}

#define HTTP_URL PM_KEY("url", PM_NODE(PM_SCHEMA_STRING, .check = check_http_url), .required = true)
/* A group robot's URL carries its access token: whoever has it may post. */
#define ROBOT_URL PM_KEY("url", PM_NODE(PM_SCHEMA_STRING, .check = check_http_url, .secret = true), \
			 .required = true)
#define SECRET(k) PM_KEY(k, PM_NODE(PM_SCHEMA_STRING, .min = "1", .secret = true))
#define TIMEOUT PM_KEY("timeout", PM_NODE(PM_SCHEMA_DURATION, .min = "1s", .max = "5m"), .def = "10s")
#define RATE PM_KEY("rate", PM_NODE(PM_SCHEMA_INT, .min = "0", .max = "100000"), .def = "0")

static const struct pm_schema pm_channels_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("webhook", PM_NODE(PM_SCHEMA_MAP, .keys = PM_KEYS(HTTP_URL,
		SECRET("secret"),
		PM_KEY("header", PM_NODE(PM_SCHEMA_STRING, .min = "1"), .def = "X-PM-Signature"),
		TIMEOUT, RATE))),
	PM_KEY("wecom", PM_NODE(PM_SCHEMA_MAP, .keys = PM_KEYS(ROBOT_URL,
		PM_KEY("format", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("text", "markdown")),
		       .def = "text"),
		TIMEOUT, RATE))),
	PM_KEY("dingtalk", PM_NODE(PM_SCHEMA_MAP, .keys = PM_KEYS(ROBOT_URL,
		SECRET("secret"),
		TIMEOUT, RATE))),
	PM_KEY("email", PM_NODE(PM_SCHEMA_MAP, .keys = PM_KEYS(
		PM_KEY("url", PM_NODE(PM_SCHEMA_STRING, .check = check_smtp_url), .required = true),
		PM_KEY("from", PM_NODE(PM_SCHEMA_STRING, .min = "3"), .required = true),
		PM_KEY("user", PM_NODE(PM_SCHEMA_STRING, .min = "1")),
		SECRET("password"),
		PM_KEY("starttls", PM_NODE(PM_SCHEMA_BOOL), .def = "true"),
		TIMEOUT, RATE))),
	PM_KEY("sms", PM_NODE(PM_SCHEMA_MAP, .keys = PM_KEYS(HTTP_URL,
		SECRET("auth"),
		PM_KEY("content_type", PM_NODE(PM_SCHEMA_STRING, .min = "1"), .def = "application/json"),
		PM_KEY("body", PM_NODE(PM_SCHEMA_STRING, .min = "1", .check = check_src),
		       .def = "{\"to\":\"{{to}}\",\"text\":\"{{text}}\"}"),
		TIMEOUT, RATE)))),
};

#define QUIET PM_NODE(PM_SCHEMA_MAP, .keys = PM_KEYS( \
	PM_KEY("from", PM_NODE(PM_SCHEMA_TIME), .required = true), \
	PM_KEY("to", PM_NODE(PM_SCHEMA_TIME), .required = true)))


static const struct pm_schema pm_notify_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("channels", PM_NODE(PM_SCHEMA_LIST, .item = PM_NODE(PM_SCHEMA_ENUM,
		.words = PM_WORDS("stdout", "webhook", "wecom", "dingtalk", "email", "sms"))),
	       .def = "[]"),
	PM_KEY("parallel", PM_NODE(PM_SCHEMA_INT, .min = "1", .max = "256"), .def = "16"),
	PM_KEY("dedupe", PM_NODE(PM_SCHEMA_STRING, .min = "1", .check = check_src), .def = DEDUPE_DEFAULT),
	PM_KEY("quiet", PM_NODE(PM_SCHEMA_MAP, .keys = PM_KEYS(
		PM_KEY("webhook", QUIET), PM_KEY("wecom", QUIET), PM_KEY("dingtalk", QUIET),
		PM_KEY("email", QUIET),
		PM_KEY("sms", PM_NODE(PM_SCHEMA_MAP, .keys = PM_KEYS(
			PM_KEY("from", PM_NODE(PM_SCHEMA_TIME), .def = "22:00"),
			PM_KEY("to", PM_NODE(PM_SCHEMA_TIME), .def = "08:00"))), .def = "{}"))),
	       .def = "{}"),
	PM_KEY("retry", PM_NODE(PM_SCHEMA_MAP, .keys = PM_KEYS(
		PM_KEY("base", PM_NODE(PM_SCHEMA_DURATION, .min = "1s"), .def = "1m"),
		PM_KEY("max_delay", PM_NODE(PM_SCHEMA_DURATION, .min = "1s"), .def = "1h"),
		PM_KEY("max_age", PM_NODE(PM_SCHEMA_DURATION, .min = "1m"), .def = "2d"))), .def = "{}"),
	PM_KEY("templates", PM_NODE(PM_SCHEMA_DICT, .code = true, .item = &pm_template_schema))),
};

/* ---- configuration: `notice` (pm.yaml(5)) ---- */

static const struct pm_schema pm_notice_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("how_to_pay", PM_NODE(PM_SCHEMA_STRING, .min = "1"),
	       .def = "微信或支付宝扫码缴费，或到物业服务中心缴纳"),
	PM_KEY("phone", PM_NODE(PM_SCHEMA_STRING, .min = "1")),
	PM_KEY("footer", PM_NODE(PM_SCHEMA_STRING, .min = "1"))),
};

/* ---- configuration: `rewards` (pm.yaml(5)) ---- */

static const struct pm_schema streak_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("months", PM_NODE(PM_SCHEMA_INT, .min = "1", .max = "36"), .def = "3"),
	PM_KEY("points", PM_NODE(PM_SCHEMA_INT, .min = "0", .max = "1000000"), .def = "0")),
};

static const struct pm_schema pm_rewards_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("online_channels", PM_NODE(PM_SCHEMA_LIST, .min = "1",
					  .item = PM_NODE(PM_SCHEMA_STRING, .min = "1")), .def = "[wechat, alipay]"),
	PM_KEY("first_online_payment", PM_NODE(PM_SCHEMA_INT, .min = "0", .max = "1000000"), .def = "0"),
	PM_KEY("on_time_streak", &streak_schema, .def = "{}"),
	PM_KEY("expire_days", PM_NODE(PM_SCHEMA_INT, .min = "0", .max = "3660"), .def = "0"),
	/* Points spent on parking fees (lib/parking.c). */
	PM_KEY("parking", PM_NODE(PM_SCHEMA_MAP, .keys = PM_KEYS(
		PM_KEY("points_per_fen", PM_NODE(PM_SCHEMA_INT, .min = "1", .max = "1000000"), .required = true),
		PM_KEY("month_cap", PM_NODE(PM_SCHEMA_MONEY, .min = "0", .max = "100000")))))),
};

/* ---- configuration: `shop` (pm.yaml(5)), read by lib/shopcart.c ---- */

static const struct pm_schema shop_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	/* How long an order made on the web holds its stock and points
	 * while its payment comes. */
	PM_KEY("cart_hold", PM_NODE(PM_SCHEMA_DURATION, .min = "1m", .max = "7d"), .def = "15m")),
};

/* ---- configuration: `repair` (pm.yaml(5)), read by lib/repair.c ---- */

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

/* The renovation's inspections are tickets of its category, which must
 * be one of the categories; its deposits are by unit use. */
static int check_renovation(const json_t *v, json_t *cats, struct pm_err *e)
{
	static const char *const uses[] = {"residential", "commercial", "parking", "storage", NULL};
	const char *cat = json_string_value(json_object_get(v, "category")), *k;
	json_t *x;
	size_t i;

	if (!v)
		return PM_OK;
	if (!pm_json_find(cats, "name", cat))
		return pm_err_set(e, PM_ECONFIG, _("renovation: no category \"%s\" for its inspections"), cat);
	json_object_foreach(json_object_get(v, "deposit"), k, x) {
		for (i = 0; uses[i] && strcmp(uses[i], k); i++)
			;
		if (!uses[i])
			return pm_err_set(e, PM_ECONFIG, _("renovation deposit: unknown unit use \"%s\": expected"
							   " residential, commercial, parking or storage"), k);
	}
	return PM_OK;
}

/* A window of hours in a day, "08:00" to "12:00". */
static const struct pm_schema window_schema = {
	.type = PM_SCHEMA_MAP, .check = check_hours, .keys = PM_KEYS(
	PM_KEY("from", PM_NODE(PM_SCHEMA_TIME), .required = true),
	PM_KEY("to", PM_NODE(PM_SCHEMA_TIME), .required = true)),
};

/* Rules across keys: names unique, schedules naming known categories,
 * business hours set when something counts in them. */
static int check_repair(const json_t *v, struct pm_err *e)
{
	json_t *cats = json_object_get(v, "categories"), *s, *w;
	size_t i, j;

	if (unique_names(cats, _("category"), e) ||
	    unique_names(json_object_get(v, "schedules"), _("schedule"), e) ||
	    unique_names(json_object_get(v, "patrols"), _("patrol"), e))
		return PM_ECONFIG;
	json_array_foreach(json_object_get(v, "schedules"), i, s) {
		const char *cat = json_string_value(json_object_get(s, "category"));

		if (!pm_json_find(cats, "name", cat))
			return pm_err_set(e, PM_ECONFIG, _("schedule \"%s\": no category \"%s\""),
				json_string_value(json_object_get(s, "name")), cat);
	}
	if (wants_hours(v) && !json_object_get(v, "business_hours"))
		return pm_err_set(e, PM_ECONFIG, _("business_hours must be set when a priority or category counts in them"));
	json_array_foreach(json_object_get(v, "holidays"), i, s)
		json_array_foreach(json_object_get(v, "workdays"), j, w)
			if (json_equal(s, w))
				return pm_err_set(e, PM_ECONFIG, _("%s is both a holiday and a workday"),
						  json_string_value(s));
	return check_renovation(json_object_get(v, "renovation"), cats, e);
}

static const struct pm_schema pm_repair_schema = {
	.type = PM_SCHEMA_MAP, .check = check_repair, .keys = PM_KEYS(
	PM_KEY("dedupe_window", PM_NODE(PM_SCHEMA_DURATION, .min = "0s"), .def = "24h"),
	DURATION_KEY("auto_close_after", "3d"),
	PM_KEY("business_hours", PM_NODE(PM_SCHEMA_MAP, .check = check_hours, .keys = PM_KEYS(
		PM_KEY("days", PM_NODE(PM_SCHEMA_LIST, .min = "1",
			.item = PM_NODE(PM_SCHEMA_ENUM, .words = day_words)), .required = true),
		PM_KEY("from", PM_NODE(PM_SCHEMA_TIME), .required = true),
		PM_KEY("to", PM_NODE(PM_SCHEMA_TIME), .required = true)))),
	PM_KEY("holidays", PM_NODE(PM_SCHEMA_LIST, .max = "1000", .item = PM_NODE(PM_SCHEMA_DATE)), .def = "[]"),
	PM_KEY("workdays", PM_NODE(PM_SCHEMA_LIST, .max = "1000", .item = PM_NODE(PM_SCHEMA_DATE)), .def = "[]"),
	PM_KEY("priorities", PM_NODE(PM_SCHEMA_MAP, .keys = PM_KEYS(
		PM_KEY("urgent", PRIORITY("15m", "4h"), .def = "{}"),
		PM_KEY("high", PRIORITY("1h", "24h"), .def = "{}"),
		PM_KEY("normal", PRIORITY("2h", "3d"), .def = "{}"),
		PM_KEY("low", PRIORITY("1d", "7d"), .def = "{}"))), .def = "{}"),
	PM_KEY("categories", PM_NODE(PM_SCHEMA_LIST, .min = "1", .item = PM_NODE(PM_SCHEMA_MAP, .keys = PM_KEYS(
		PM_KEY("name", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "32", .code = true), .required = true),
		PM_KEY("label", PM_NODE(PM_SCHEMA_STRING)),
		PM_KEY("kind", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("repair", "complaint", "suggestion",
									  "collection")),
		       .def = "repair"),
		PM_KEY("priority", PM_NODE(PM_SCHEMA_ENUM, .words = priority_words), .def = "normal"),
		PM_KEY("accept", PM_NODE(PM_SCHEMA_DURATION, .min = "1m")),
		PM_KEY("resolve", PM_NODE(PM_SCHEMA_DURATION, .min = "1m")),
		PM_KEY("business_hours", PM_NODE(PM_SCHEMA_BOOL))))), .required = true),
	PM_KEY("schedules", PM_NODE(PM_SCHEMA_LIST, .item = PM_NODE(PM_SCHEMA_MAP, .keys = PM_KEYS(
		PM_KEY("name", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "32", .code = true), .required = true),
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
		PM_KEY("name", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "32", .code = true), .required = true),
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
		.def = "[]"),
	PM_KEY("renovation", PM_NODE(PM_SCHEMA_MAP, .keys = PM_KEYS(
		PM_KEY("category", PM_NODE(PM_SCHEMA_STRING, .min = "1"), .def = "renovation"),
		PM_KEY("noise_category", PM_NODE(PM_SCHEMA_STRING, .min = "1"), .def = "noise"),
		PM_KEY("noisy_hours", PM_NODE(PM_SCHEMA_MAP, .keys = PM_KEYS(
			PM_KEY("weekday", PM_NODE(PM_SCHEMA_LIST, .item = &window_schema), .def = "[]"),
			PM_KEY("weekend", PM_NODE(PM_SCHEMA_LIST, .item = &window_schema), .def = "[]"))),
		       .def = "{}"),
		PM_KEY("deposit", PM_NODE(PM_SCHEMA_DICT, .code = true, .item = PM_NODE(PM_SCHEMA_MONEY, .min = "0")),
		       .def = "{}"),
		PM_KEY("inspections", PM_NODE(PM_SCHEMA_INT, .min = "1", .max = "10"), .def = "1")))),
	PM_KEY("stock", PM_NODE(PM_SCHEMA_MAP, .keys = PM_KEYS(
		PM_KEY("markup_percent", PM_NODE(PM_SCHEMA_INT, .min = "0", .max = "1000"), .def = "0"))),
	       .def = "{}")),
};

/* ---- configuration: `gates` and `alarms` (pm.yaml(5)), read by lib/gate.c ---- */

static int check_url(const json_t *v, struct pm_err *e)
{
	const char *s = json_string_value(v);

	if (strncmp(s, "http://", 7) && strncmp(s, "https://", 8))
		return pm_err_set(e, PM_ECONFIG, _("\"%s\" is not an http:// or https:// URL"), s);
	return PM_OK;
}

static int check_header(const json_t *v, struct pm_err *e)
{
	const char *s = json_string_value(v), *colon = strchr(s, ':');

	if (!colon || colon == s || strpbrk(s, "\r\n"))
		return pm_err_set(e, PM_ECONFIG, _("\"%s\" is not a header \"Name: value\""), s);
	return PM_OK;
}

/* What each driver needs, checked once the gate's keys are read. */
static int check_gate(const json_t *v, struct pm_err *e)
{
	const char *driver = json_string_value(json_object_get(v, "driver"));
	json_t *url = json_object_get(v, "url");

	if (strcmp(driver, "isapi") == 0 && (!url || !json_object_get(v, "user") ||
					     !json_object_get(v, "password")))
		return pm_err_set(e, PM_ECONFIG, _("driver isapi needs url, user and password"));
	if (strcmp(driver, "http") == 0 && !url)
		return pm_err_set(e, PM_ECONFIG, _("driver http needs url"));
	if (strcmp(driver, "exec") == 0 && !json_object_get(v, "command"))
		return pm_err_set(e, PM_ECONFIG, _("driver exec needs command"));
	if (json_object_get(v, "password") && !json_object_get(v, "user"))
		return pm_err_set(e, PM_ECONFIG, _("a password needs a user"));
	return PM_OK;
}

static const struct pm_schema gate_schema = {
	.type = PM_SCHEMA_MAP, .check = check_gate, .keys = PM_KEYS(
	PM_KEY("name", PM_NODE(PM_SCHEMA_STRING, .min = "1")),
	PM_KEY("driver", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("none", "isapi", "http", "exec")),
	       .def = "none"),
	PM_KEY("url", PM_NODE(PM_SCHEMA_STRING, .check = check_url)),
	PM_KEY("door", PM_NODE(PM_SCHEMA_INT, .min = "1", .max = "256"), .def = "1"),
	PM_KEY("user", PM_NODE(PM_SCHEMA_STRING, .min = "1")),
	PM_KEY("password", PM_NODE(PM_SCHEMA_STRING, .min = "1", .secret = true)),
	PM_KEY("auth", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("none", "basic", "digest")),
	       .def = "digest"),
	PM_KEY("authorization", PM_NODE(PM_SCHEMA_STRING, .min = "1", .secret = true)),
	PM_KEY("method", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("GET", "POST", "PUT")),
	       .def = "POST"),
	PM_KEY("headers", PM_NODE(PM_SCHEMA_LIST, .item = PM_NODE(PM_SCHEMA_STRING,
		.check = check_header))),
	PM_KEY("body", PM_NODE(PM_SCHEMA_STRING)),
	PM_KEY("expect", PM_NODE(PM_SCHEMA_STRING, .min = "1")),
	PM_KEY("sync_url", PM_NODE(PM_SCHEMA_STRING, .check = check_url)),
	PM_KEY("command", PM_NODE(PM_SCHEMA_LIST, .min = "1",
		.item = PM_NODE(PM_SCHEMA_STRING, .min = "1"))),
	PM_KEY("cafile", PM_NODE(PM_SCHEMA_STRING, .min = "1")),
	PM_KEY("timeout", PM_NODE(PM_SCHEMA_DURATION, .min = "1s", .max = "2m"), .def = "5s"),
	PM_KEY("retries", PM_NODE(PM_SCHEMA_INT, .min = "0", .max = "5"), .def = "1")),
};

/* Gate names go into lists written "north,garage" and into tokens. */
static int check_names(const json_t *v, struct pm_err *e)
{
	const char *k;
	json_t *g;

	json_object_foreach((json_t *)v, k, g) {
		size_t n = strlen(k);
		if (n == 0 || n > 31 || strpbrk(k, ", \t"))
			return pm_err_set(e, PM_ECONFIG,
				_("gate \"%s\": a name is 1 to 31 bytes without commas or spaces"), k);
	}
	return PM_OK;
}

static const struct pm_schema pm_gates_schema = {
	.type = PM_SCHEMA_DICT, .item = &gate_schema, .check = check_names, .code = true,
};

#define SEVERITY PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("none", "info", "warning", "high", "critical"))

static const struct pm_schema pm_alarms_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("role", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("admin", "finance", "frontdesk",
		"technician", "guard")), .def = "guard"),
	PM_KEY("door_forced", SEVERITY, .def = "critical"),
	PM_KEY("fire_alarm", SEVERITY, .def = "critical"),
	PM_KEY("tamper", SEVERITY, .def = "high"),
	PM_KEY("door_held_open", SEVERITY, .def = "warning"),
	PM_KEY("denied", SEVERITY, .def = "none"),
	PM_KEY("late_after", PM_NODE(PM_SCHEMA_DURATION, .min = "1m", .max = "30d"), .def = "1h")),
};

/* ---- the configuration: report (pm.yaml(5)) ---- */

#define FACTOR PM_NODE(PM_SCHEMA_DECIMAL, .places = 4, .min = "0", .max = "1000")

/* Emission factors in kg CO2 per unit of the meter's measure. Electricity:
 * the national average of 2023 published by the Ministry of Ecology and
 * Environment and the National Bureau of Statistics; gas and heat: see
 * pm.yaml(5) for where they come from. */
static const struct pm_schema carbon_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("electricity", FACTOR, .def = "0.5306"),
	PM_KEY("gas", FACTOR, .def = "2.1622"),
	PM_KEY("heat", FACTOR, .def = "0.3960"),
	PM_KEY("kinds", PM_NODE(PM_SCHEMA_DICT, .item = FACTOR), .def = "{}")),
};

static const struct pm_schema feedback_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	/* Absent: [improvement] (a list's default can only be empty). */
	PM_KEY("improvements", PM_NODE(PM_SCHEMA_LIST, .item = PM_NODE(PM_SCHEMA_STRING, .min = "1"))),
	PM_KEY("examples", PM_NODE(PM_SCHEMA_INT, .min = "0", .max = "5"), .def = "2")),
};

static const struct pm_schema pm_report_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("carbon", &carbon_schema, .def = "{}"),
	PM_KEY("feedback", &feedback_schema, .def = "{}"),
	PM_KEY("top_debtors", PM_NODE(PM_SCHEMA_INT, .min = "1", .max = "1000"), .def = "10")),
};

/* ---- configuration: `audit` (pm.yaml(5)), read by lib/audit.c ---- */

static const struct pm_schema pm_audit_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("key", PM_NODE(PM_SCHEMA_STRING, .min = "1", .secret = true))),
};

/* ---- configuration: `backup` (pm.yaml(5)), read by lib/backup.c ---- */

static const struct pm_schema pm_backup_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("key", PM_NODE(PM_SCHEMA_STRING, .min = "1", .secret = true))),
};

/* ---- configuration: `ask` (pm.yaml(5)), read by lib/ask.c and lib/faq.c ---- */

static const struct pm_schema pm_ask_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("min_score", PM_NODE(PM_SCHEMA_DECIMAL, .places = 3, .min = "0", .max = "1"), .def = "0.3"),
	PM_KEY("close", PM_NODE(PM_SCHEMA_DECIMAL, .places = 3, .min = "0", .max = "1"), .def = "0.05"),
	PM_KEY("category", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "32"), .def = "feedback"),
	PM_KEY("synonyms", &pm_faq_synonyms_schema, .def = "[]"),
	PM_KEY("stopwords", PM_NODE(PM_SCHEMA_LIST, .item = PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "32")),
	       .def = "[]"),
	PM_KEY("faq", PM_NODE(PM_SCHEMA_LIST, .max = "1000", .item = &pm_faq_entry_schema), .def = "[]"),
	/* An OpenAI-compatible chat endpoint that phrases the answer from
	 * the entries found (lib/askmodel.c). */
	PM_KEY("model", PM_NODE(PM_SCHEMA_MAP, .keys = PM_KEYS(
		PM_KEY("url", PM_NODE(PM_SCHEMA_STRING, .check = check_http_url), .required = true),
		PM_KEY("key", PM_NODE(PM_SCHEMA_STRING, .min = "1", .secret = true)),
		PM_KEY("name", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "128"), .required = true),
		PM_KEY("timeout", PM_NODE(PM_SCHEMA_DURATION, .min = "1s", .max = "2m"), .def = "10s"),
		PM_KEY("personal", PM_NODE(PM_SCHEMA_BOOL), .def = "false"))))),
};

/* ---- configuration: payments.wechat, payments.alipay (pm.yaml(5)) ---- */

/* The channels' APIs are https; http only to this machine, where the
 * tests' fakes listen. */
static int check_api_url(const json_t *v, struct pm_err *e)
{
	const char *s = json_string_value(v);

	if (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://127.0.0.1:", 17) == 0 ||
	    strncmp(s, "http://localhost:", 17) == 0)
		return PM_OK;
	return pm_err_set(e, PM_ECONFIG, _("\"%s\" is not an https:// URL (http:// only to 127.0.0.1)"), s);
}

#undef SECRET
#define URL(k, ...) PM_KEY(k, PM_NODE(PM_SCHEMA_STRING, .check = check_api_url), __VA_ARGS__)
#define SECRET(k) PM_KEY(k, PM_NODE(PM_SCHEMA_STRING, .min = "1", .secret = true), .required = true)
#define ID(k) PM_KEY(k, PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "32"), .required = true)

static const struct pm_schema pm_pay_wechat_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	ID("mchid"),
	ID("appid"),
	PM_KEY("serial_no", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "64"), .required = true),
	SECRET("private_key"),
	SECRET("apiv3_key"),
	PM_KEY("platform_certificates", PM_NODE(PM_SCHEMA_LIST, .min = "1", .max = "8",
		.item = PM_NODE(PM_SCHEMA_STRING, .min = "1", .secret = true)), .required = true),
	URL("notify_url", .required = true),
	URL("api_url", .def = "https://api.mch.weixin.qq.com")),
};

static const struct pm_schema pm_pay_alipay_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	ID("app_id"),
	SECRET("private_key"),
	SECRET("alipay_public_key"),
	PM_KEY("seller_id", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "32")),
	URL("notify_url", .required = true),
	URL("gateway", .def = "https://openapi.alipay.com/gateway.do")),
};

/* ---- configuration: `payments` (pm.yaml(5)), read by lib/payment.c ---- */

/* `payments` (pm.yaml(5)): the channels money comes through, by name.
 * A store whose config has none keeps the usual ones. The online
 * channels' merchant accounts are described in lib/payorder.c. */
static const struct pm_schema pm_payments_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("channels", PM_NODE(PM_SCHEMA_LIST, .min = "1", .item = PM_NODE(PM_SCHEMA_STRING, .min = "1",
				.max = "32", .code = true)), .def = "[cash, bank, wechat, alipay, pos]"),
	PM_KEY("order_expiry", PM_NODE(PM_SCHEMA_DURATION, .min = "1m", .max = "7d"), .def = "2h"),
	PM_KEY("cash_repeat", PM_NODE(PM_SCHEMA_DURATION, .min = "1m", .max = "1d"), .def = "10m"),
	PM_KEY("wechat", &pm_pay_wechat_schema),
	PM_KEY("alipay", &pm_pay_alipay_schema)),
};

/* ---- configuration: `parking` (pm.yaml(5)), read by lib/parking.c ---- */

static int check_night(const json_t *v, struct pm_err *e)
{
	if (json_integer_value(json_object_get(v, "from")) == json_integer_value(json_object_get(v, "to")))
		return pm_err_set(e, PM_ECONFIG, _("the overnight window ends where it starts"));
	return PM_OK;
}

static const struct pm_schema pm_parking_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("free", PM_NODE(PM_SCHEMA_DURATION, .min = "0s", .max = "1d"), .def = "15m"),
	PM_KEY("hourly", PM_NODE(PM_SCHEMA_MONEY, .min = "0", .max = "10000"), .def = "0"),
	PM_KEY("daily_cap", PM_NODE(PM_SCHEMA_MONEY, .min = "0", .max = "100000")),
	PM_KEY("spaces", PM_NODE(PM_SCHEMA_INT, .min = "1", .max = "100000")),
	PM_KEY("overnight", PM_NODE(PM_SCHEMA_MAP, .check = check_night, .keys = PM_KEYS(
		PM_KEY("from", PM_NODE(PM_SCHEMA_TIME), .required = true),
		PM_KEY("to", PM_NODE(PM_SCHEMA_TIME), .required = true),
		PM_KEY("price", PM_NODE(PM_SCHEMA_MONEY, .min = "0", .max = "10000"), .required = true)))),
	PM_KEY("resources", PM_NODE(PM_SCHEMA_DICT, .code = true, .item = PM_NODE(PM_SCHEMA_MAP, .keys = PM_KEYS(
		PM_KEY("kind", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("space", "charger")),
		       .required = true),
		PM_KEY("name", PM_NODE(PM_SCHEMA_STRING, .min = "1")),
		PM_KEY("longest", PM_NODE(PM_SCHEMA_DURATION, .min = "15m", .max = "31d"), .def = "1d")))))),
};

/* ---- configuration: `visitors` (pm.yaml(5)), read by lib/visitor.c ---- */

static const struct pm_schema pm_visitors_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("pending", PM_NODE(PM_SCHEMA_DURATION, .min = "1m", .max = "30d"), .def = "1d"),
	PM_KEY("longest", PM_NODE(PM_SCHEMA_DURATION, .min = "1h", .max = "366d"), .def = "7d"),
	PM_KEY("uses", PM_NODE(PM_SCHEMA_INT, .min = "0", .max = "1000"), .def = "0"),
	PM_KEY("gates", PM_NODE(PM_SCHEMA_LIST, .max = "8", .item = PM_NODE(PM_SCHEMA_STRING,
		.min = "1", .max = "31"))),
	PM_KEY("link", PM_NODE(PM_SCHEMA_STRING, .min = "1"), .def = "{{token}}")),
};

/* ---- configuration: `web` (pm.yaml(5)) ---- */

static int check_link(const json_t *v, struct pm_err *e)
{
	const char *s = json_string_value(v);

	if (strncmp(s, "https://", 8) && strncmp(s, "http://", 7) && strncmp(s, "weixin://", 9) &&
	    strncmp(s, "alipays://", 10))
		return pm_err_set(e, PM_ECONFIG, _("a link must start with https://, http://, weixin:// or alipays://"));
	return PM_OK;
}

/* web.pay and web.callbacks name channels money comes through: reward
 * points are none (pm-bill pay-points and the shop spend them), and a
 * payment through "points" would post money no one paid. */
static int check_no_points(const json_t *v, struct pm_err *e)
{
	if (json_object_get(v, "points"))
		return pm_err_set(e, PM_ECONFIG, _("\"points\" is reward points, no money channel: no payment comes"
						   " through it"));
	return PM_OK;
}

/* Pages allow images of their own site only (the content security
 * policy), so a QR code is a path there. */
static int check_local(const json_t *v, struct pm_err *e)
{
	const char *s = json_string_value(v);

	if (s[0] != '/' || s[1] == '/' || strpbrk(s, "\\\"<> "))
		return pm_err_set(e, PM_ECONFIG, _("expected a path on this web site, such as /pm/static/wechat.png"));
	return PM_OK;
}

static const struct pm_schema pm_web_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("session", PM_NODE(PM_SCHEMA_MAP, .keys = PM_KEYS(
		PM_KEY("idle", PM_NODE(PM_SCHEMA_DURATION, .min = "1m", .max = "30d"), .def = "30m"),
		PM_KEY("lifetime", PM_NODE(PM_SCHEMA_DURATION, .min = "5m", .max = "90d"), .def = "12h"))),
	       .def = "{}"),
	PM_KEY("login", PM_NODE(PM_SCHEMA_MAP, .keys = PM_KEYS(
		PM_KEY("failures", PM_NODE(PM_SCHEMA_INT, .min = "1", .max = "100"), .def = "5"),
		PM_KEY("address_failures", PM_NODE(PM_SCHEMA_INT, .min = "1", .max = "10000"), .def = "20"),
		PM_KEY("window", PM_NODE(PM_SCHEMA_DURATION, .min = "1m", .max = "1d"), .def = "15m"),
		PM_KEY("code_ttl", PM_NODE(PM_SCHEMA_DURATION, .min = "1m", .max = "1h"), .def = "10m"))),
	       .def = "{}"),
	PM_KEY("uploads", PM_NODE(PM_SCHEMA_MAP, .keys = PM_KEYS(
		PM_KEY("photos", PM_NODE(PM_SCHEMA_INT, .min = "0", .max = "10"), .def = "3"),
		PM_KEY("photo_kb", PM_NODE(PM_SCHEMA_INT, .min = "16", .max = "20480"), .def = "5120"))),
	       .def = "{}"),
	PM_KEY("pay", PM_NODE(PM_SCHEMA_DICT, .check = check_no_points, .item = PM_NODE(PM_SCHEMA_MAP, .keys = PM_KEYS(
		PM_KEY("label", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "32")),
		PM_KEY("qr", PM_NODE(PM_SCHEMA_STRING, .min = "2", .max = "200", .check = check_local)),
		PM_KEY("link", PM_NODE(PM_SCHEMA_STRING, .min = "8", .max = "500", .check = check_link)),
		PM_KEY("note", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "200"))))),
	       .def = "{}"),
	PM_KEY("callbacks", PM_NODE(PM_SCHEMA_DICT, .check = check_no_points, .item = PM_NODE(PM_SCHEMA_MAP, .keys = PM_KEYS(
		PM_KEY("secret", PM_NODE(PM_SCHEMA_STRING, .min = "1", .secret = true), .required = true)))),
	       .def = "{}")),
};

/* ---- configuration: `dunning` (pm.yaml(5)), read by lib/dunning.c ---- */

/* Stages in the order a debt goes through them: by days past due, each
 * later than the one before, named once. */
static int check_stages(const json_t *v, struct pm_err *e)
{
	json_int_t before = -1, days;
	json_t *s;
	size_t i;

	if (unique_names((json_t *)v, _("stage"), e))
		return PM_ECONFIG;
	json_array_foreach(v, i, s) {
		days = json_integer_value(json_object_get(s, "days"));
		if (days <= before)
			return pm_err_set(e, PM_ECONFIG, _("stage \"%s\": %lld days is not after the stage before"),
					  json_string_value(json_object_get(s, "name")), (long long)days);
		before = days;
	}
	return PM_OK;
}

static const struct pm_schema stage_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("name", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "32", .code = true), .required = true),
	PM_KEY("days", PM_NODE(PM_SCHEMA_INT, .min = "1", .max = "3650"), .required = true),
	PM_KEY("action", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("message", "task")), .required = true),
	PM_KEY("template", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "64"), .required = true),
	PM_KEY("role", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("admin", "finance", "frontdesk")),
	       .def = "frontdesk")),
};

static const struct pm_schema dunning_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("category", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "32"), .def = "arrears"),
	PM_KEY("stages", PM_NODE(PM_SCHEMA_LIST, .max = "16", .item = &stage_schema, .check = check_stages),
	       .def = "[]")),
};

/* ---- configuration: `govern` (pm.yaml(5)), read by lib/vote.c ---- */

static int check_ratio(const json_t *v, struct pm_err *e)
{
	struct pm_ratio r;

	return pm_ratio_parse(json_string_value(v), &r, e);
}

#define RATIO PM_NODE(PM_SCHEMA_STRING, .check = check_ratio)

/* The matters of Article 278 of the Civil Code, (1) to (9), each with the
 * agreement it needs of the participating area and owners: the law's,
 * "at least 3/4" for (6) to (8), "more than 1/2" for the others. */
static const struct pm_schema matters_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("rules", RATIO, .def = "more than 1/2"),
	PM_KEY("regulations", RATIO, .def = "more than 1/2"),
	PM_KEY("committee", RATIO, .def = "more than 1/2"),
	PM_KEY("manager", RATIO, .def = "more than 1/2"),
	PM_KEY("fund_use", RATIO, .def = "more than 1/2"),
	PM_KEY("fund_raise", RATIO, .def = "at least 3/4"),
	PM_KEY("rebuild", RATIO, .def = "at least 3/4"),
	PM_KEY("common_use", RATIO, .def = "at least 3/4"),
	PM_KEY("other", RATIO, .def = "more than 1/2")),
};

static const struct pm_schema govern_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("participation", RATIO, .def = "at least 2/3"),
	PM_KEY("matters", &matters_schema, .def = "{}")),
};

/* ---- configuration: `layout` (pm.yaml(5)), read by lib/twin.c ---- */

#define METRES PM_NODE(PM_SCHEMA_INT, .min = "-100000", .max = "100000")

static const struct pm_schema building_place_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("x", METRES, .required = true),
	PM_KEY("y", METRES, .required = true),
	PM_KEY("width", PM_NODE(PM_SCHEMA_INT, .min = "1", .max = "10000"), .required = true),
	PM_KEY("depth", PM_NODE(PM_SCHEMA_INT, .min = "1", .max = "10000"), .required = true),
	PM_KEY("floors", PM_NODE(PM_SCHEMA_INT, .min = "1", .max = "200")),
	PM_KEY("units_per_floor", PM_NODE(PM_SCHEMA_INT, .min = "1", .max = "1000"))),
};

/* Two footprints that overlap are a mistake in the plan: one building
 * would stand inside another. */
static int check_places(const json_t *v, struct pm_err *e)
{
	const char *a, *b;
	json_t *p, *q;

	json_object_foreach((json_t *)v, a, p) {
		if (strlen(a) > 32)
			return pm_err_set(e, PM_ECONFIG, _("building \"%s\": a code is at most 32 bytes"), a);
		json_object_foreach((json_t *)v, b, q) {
#define AT(o, k) json_integer_value(json_object_get(o, k))
			if (strcmp(a, b) < 0 && AT(p, "x") < AT(q, "x") + AT(q, "width") &&
			    AT(q, "x") < AT(p, "x") + AT(p, "width") && AT(p, "y") < AT(q, "y") + AT(q, "depth") &&
			    AT(q, "y") < AT(p, "y") + AT(p, "depth"))
				return pm_err_set(e, PM_ECONFIG, _("buildings \"%s\" and \"%s\" overlap"), a, b);
#undef AT
		}
	}
	return PM_OK;
}

static const struct pm_schema layout_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("buildings", PM_NODE(PM_SCHEMA_DICT, .item = &building_place_schema, .check = check_places,
				    .max = "1000"), .def = "{}")),
};

/* ---- configuration: `effective`, `community` and `meters`, read by lib/config.c ---- */

static int check_tz(const json_t *v, struct pm_err *e)
{
	struct pm_err ignored;
	const char *tz = json_string_value(v);

	if (pm_tz_check(tz, &ignored) != PM_OK)
		return pm_err_set(e, PM_ECONFIG, _("unknown time zone \"%s\""), tz);
	return PM_OK;
}

static const struct pm_schema community_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("name", PM_NODE(PM_SCHEMA_STRING, .min = "1"), .required = true),
	PM_KEY("timezone", PM_NODE(PM_SCHEMA_STRING, .check = check_tz), .def = PM_DEFAULT_TZ),
	PM_KEY("address", PM_NODE(PM_SCHEMA_STRING))),
};

static const struct pm_schema meter_kind_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("uom", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "16"), .required = true),
	PM_KEY("digits", PM_NODE(PM_SCHEMA_INT, .min = "3", .max = "12"), .def = "6")),
};

static const struct pm_schema meters_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("missing", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("zero", "average_3m", "hold")),
	       .def = "zero"),
	PM_KEY("spike_factor", PM_NODE(PM_SCHEMA_DECIMAL, .places = 1, .min = "1", .max = "100"),
	       .def = "3"),
	PM_KEY("stuck_readings", PM_NODE(PM_SCHEMA_INT, .min = "2", .max = "1000"), .def = "5"),
	PM_KEY("future_tolerance", PM_NODE(PM_SCHEMA_DURATION, .min = "0s", .max = "366d"), .def = "1d"),
	PM_KEY("kinds", PM_NODE(PM_SCHEMA_DICT, .code = true, .item = &meter_kind_schema))),
};

static const struct pm_schema config_schema TABLE_ROOT = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("effective", PM_NODE(PM_SCHEMA_DATE), .required = true),
	PM_KEY("community", &community_schema, .required = true),
	PM_KEY("meters", &meters_schema, .def = "{}"),
	PM_KEY("billing", &pm_billing_schema),
	PM_KEY("payments", &pm_payments_schema, .def = "{}"),
	PM_KEY("fees", &pm_fees_schema),
	PM_KEY("notice", &pm_notice_schema),
	PM_KEY("rewards", &pm_rewards_schema),
	PM_KEY("shop", &shop_schema, .def = "{}"),
	PM_KEY("repair", &pm_repair_schema),
	PM_KEY("channels", &pm_channels_schema),
	PM_KEY("notify", &pm_notify_schema),
	PM_KEY("dunning", &dunning_schema),
	PM_KEY("web", &pm_web_schema, .def = "{}"),
	PM_KEY("audit", &pm_audit_schema),
	PM_KEY("gates", &pm_gates_schema),
	PM_KEY("alarms", &pm_alarms_schema),
	PM_KEY("visitors", &pm_visitors_schema),
	PM_KEY("parking", &pm_parking_schema),
	PM_KEY("mqtt", &pm_mqtt_schema),
	PM_KEY("report", &pm_report_schema),
	PM_KEY("backup", &pm_backup_schema),
	PM_KEY("ask", &pm_ask_schema),
	PM_KEY("govern", &govern_schema),
	PM_KEY("layout", &layout_schema)),
};

/* ---- the tables in a program ---- */

/* Every check the tables name, and the schemas of other files they take
 * in: lib/gen/schemagen.c writes an index into these for each. A check
 * or schema missing here stops the build. */
static int (*const checks[])(const json_t *v, struct pm_err *e) = {
	check_api_url,
	check_fee,
	check_fees,
	check_gate,
	check_header,
	check_hours,
	check_http_url,
	check_link,
	check_local,
	check_names,
	check_night,
	check_no_points,
	check_places,
	check_points,
	check_ratio,
	check_repair,
	check_smtp_url,
	check_src,
	check_stages,
	check_steps,
	check_tou,
	check_tz,
	check_url,
};

static const struct pm_schema *const externs[] = {
	&pm_template_schema, &pm_faq_synonyms_schema, &pm_faq_entry_schema, &pm_mqtt_schema,
};

#ifdef PM_SCHEMA_TABLES

void pm_schema_tables(struct pm_schema_tables *t)
{
	t->root = &config_schema;
	t->checks = checks;
	t->n_checks = sizeof checks / sizeof *checks;
	t->externs = externs;
	t->n_externs = sizeof externs / sizeof *externs;
}

const struct pm_schema *pm_config_schema(void)
{
	return &config_schema;
}

#else

/* The tables above, as schemagen wrote them: 45 KB of pointers that a
 * static-pie program's start relocated, 11 of its 27 pages of
 * .data.rel.ro that each cost a page fault at every start, a CGI
 * request's included, whether the request read pm.yaml's schema or not
 * (a bill page does not). Built here, in .bss, only when first asked. */
#include "schema-flat.h"

static struct pm_schema nodes[sizeof flat_nodes / sizeof *flat_nodes];
static struct pm_schema_key keys[sizeof flat_keys / sizeof *flat_keys];
static const char *words[sizeof flat_words / sizeof *flat_words];
static pthread_once_t thawed = PTHREAD_ONCE_INIT;

static const char *text(unsigned short off)
{
	return off == PM_FLAT_NONE ? NULL : flat_pool + off;
}

static const struct pm_schema *node(unsigned short i)
{
	if (i == PM_FLAT_NONE)
		return NULL;
	if (i & PM_FLAT_EXTERN)
		return externs[i & ~PM_FLAT_EXTERN];
	return &nodes[i];
}

static void thaw(void)
{
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		words[i] = text(flat_words[i]);
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
		keys[i].name = text(flat_keys[i].name);
		keys[i].node = node(flat_keys[i].node);
		keys[i].required = flat_keys[i].required;
		keys[i].def = text(flat_keys[i].def);
	}
	for (size_t i = 0; i < sizeof nodes / sizeof *nodes; i++) {
		const struct pm_flat_node *f = &flat_nodes[i];

		nodes[i].type = (enum pm_schema_type)f->type;
		nodes[i].keys = f->keys == PM_FLAT_NONE ? NULL : &keys[f->keys];
		nodes[i].item = node(f->item);
		nodes[i].words = f->words == PM_FLAT_NONE ? NULL : &words[f->words];
		nodes[i].places = f->places;
		nodes[i].min = text(f->min);
		nodes[i].max = text(f->max);
		nodes[i].check = f->check == PM_FLAT_NO_CHECK ? NULL : checks[f->check];
		nodes[i].secret = f->secret;
		nodes[i].code = f->code;
	}
}

const struct pm_schema *pm_config_schema(void)
{
	pthread_once(&thawed, thaw);
	return &nodes[flat_root];
}

uint64_t pm_config_schema_written(void)
{
	return FLAT_DIGEST;
}

#endif
