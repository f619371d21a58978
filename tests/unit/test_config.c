#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "pm/config.h"
#include "pm/db.h"
#include "pm/err.h"
#include "config-internal.h"
#include "tstore.h"

#define FULL \
	"# 幸福里 2026\n" \
	"effective: 2026-01-01\n" \
	"community:\n" \
	"  name: 幸福里小区\n" \
	"  timezone: Asia/Urumqi\n" \
	"  address: 上海市浦东新区幸福路 88 号\n"

/* 2026-01-01 in days since 1970-01-01: 56 years, 14 of them leap. */
#define DAY_2026_01_01 20454

static struct pm_config *load_ok(const char *text)
{
	struct pm_config *c = NULL;
	struct pm_err e = { 0 };
	int rc = pm_config_load(text, strlen(text), "pm.yaml", &c, &e);

	if (rc != PM_OK)
		fail_msg("unexpected error %d: %s", rc, e.msg);
	assert_non_null(c);
	return c;
}

/* Loads text that must be refused with PM_ECONFIG and message msg. */
static void load_bad(const char *text, size_t len, const char *msg)
{
	struct pm_config *c = (struct pm_config *)&c;
	struct pm_err e = { 0 };

	assert_int_equal(pm_config_load(text, len, "pm.yaml", &c, &e), PM_ECONFIG);
	assert_null(c);
	assert_string_equal(e.msg, msg);
}

#define BAD(text, msg) load_bad(text, strlen(text), msg)

static char *dump(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);

	assert_non_null(s);
	return s;
}

static void test_full(void **state)
{
	struct pm_config *c = load_ok(FULL);
	const char *text;
	size_t len;
	char *s;

	assert_int_equal(pm_config_effective(c), DAY_2026_01_01);
	assert_string_equal(pm_config_community_name(c), "幸福里小区");
	assert_string_equal(pm_config_timezone(c), "Asia/Urumqi");
	assert_string_equal(pm_config_address(c), "上海市浦东新区幸福路 88 号");
	s = dump(pm_config_json(c));
	assert_string_equal(s, "{\"effective\":\"2026-01-01\",\"community\":{"
			       "\"name\":\"幸福里小区\",\"timezone\":\"Asia/Urumqi\","
			       "\"address\":\"上海市浦东新区幸福路 88 号\"},"
			       "\"meters\":{\"missing\":\"zero\",\"spike_factor\":30,\"stuck_readings\":5,"
			       "\"future_tolerance\":86400},"
			       "\"payments\":{\"channels\":[\"cash\",\"bank\",\"wechat\",\"alipay\",\"pos\"],\"order_expiry\":7200,\"cash_repeat\":600},"
			       "\"shop\":{\"cart_hold\":900},"
			       "\"web\":{\"session\":{\"idle\":1800,\"lifetime\":43200},"
			       "\"login\":{\"failures\":5,\"address_failures\":20,\"window\":900,\"code_ttl\":600},"
			       "\"uploads\":{\"photos\":3,\"photo_kb\":5120},\"pay\":{},\"callbacks\":{}}}");
	free(s);
	assert_ptr_equal(pm_config_section(c, "community"),
			 json_object_get(pm_config_json(c), "community"));
	assert_null(pm_config_section(c, "fees"));
	text = pm_config_text(c, &len);
	assert_int_equal(len, strlen(FULL));
	assert_memory_equal(text, FULL, len + 1);
	pm_config_free(c);
}

/* Keys come out in schema order, whatever the file's order. */
static void test_defaults_and_order(void **state)
{
	struct pm_config *c = load_ok("community:\n"
				      "  name: 幸福里\n"
				      "  address: ~\n"
				      "effective: \"2026-03-01\"\n");
	char *s = dump(pm_config_json(c));

	assert_string_equal(s, "{\"effective\":\"2026-03-01\",\"community\":{"
			       "\"name\":\"幸福里\",\"timezone\":\"Asia/Shanghai\"},"
			       "\"meters\":{\"missing\":\"zero\",\"spike_factor\":30,\"stuck_readings\":5,"
			       "\"future_tolerance\":86400},"
			       "\"payments\":{\"channels\":[\"cash\",\"bank\",\"wechat\",\"alipay\",\"pos\"],\"order_expiry\":7200,\"cash_repeat\":600},"
			       "\"shop\":{\"cart_hold\":900},"
			       "\"web\":{\"session\":{\"idle\":1800,\"lifetime\":43200},"
			       "\"login\":{\"failures\":5,\"address_failures\":20,\"window\":900,\"code_ttl\":600},"
			       "\"uploads\":{\"photos\":3,\"photo_kb\":5120},\"pay\":{},\"callbacks\":{}}}");
	assert_string_equal(pm_config_timezone(c), "Asia/Shanghai");
	assert_null(pm_config_address(c));
	assert_int_equal(pm_config_effective(c), DAY_2026_01_01 + 31 + 28);
	free(s);
	pm_config_free(c);
}

/* A list key left out takes the default its schema writes out. */
static void test_list_default(void **state)
{
	struct pm_config *c = load_ok("effective: 2026-01-01\ncommunity:\n  name: 幸福里\n"
				      "rewards:\n  first_online_payment: 5\n");
	char *s = dump(json_object_get(pm_config_section(c, "rewards"), "online_channels"));

	assert_string_equal(s, "[\"wechat\",\"alipay\"]");
	free(s);
	pm_config_free(c);
}

static void test_flow_style(void **state)
{
	struct pm_config *c = load_ok("{effective: 2026-01-01, community: {name: '1号院'}}");

	assert_string_equal(pm_config_community_name(c), "1号院");
	pm_config_free(c);
}

/* Names, quoted or not, with escapes and multi-line folding, come out as
 * the exact UTF-8 bytes. */
static void test_chinese_bytes(void **state)
{
	static const char want[] = "\xe5\xb9\xb8\xe7\xa6\x8f\xe9\x87\x8c\xef\xbc\x88\xe4\xb8\x80"
				   "\xe6\x9c\x9f\xef\xbc\x89\xf0\xa0\x80\x80";
	struct pm_config *c = load_ok("\xef\xbb\xbf"
				      "effective: 2026-01-01\n"
				      "community:\n"
				      "  name: 幸福里（一期）𠀀\n"
				      "  address: \"\\u4e0a\\u6d77 \\U00020000\"\n");

	assert_memory_equal(pm_config_community_name(c), want, sizeof want);
	assert_string_equal(pm_config_address(c), "上海 \xf0\xa0\x80\x80");
	pm_config_free(c);
}

static void test_unknown_key(void **state)
{
	BAD("effective: 2026-01-01\n"
	    "community:\n"
	    "  timezon: Asia/Shanghai\n"
	    "  name: x\n",
	    "pm.yaml:3:3: unknown key \"timezon\" in community (did you mean \"timezone\"?)");
	BAD("effective: 2026-01-01\n"
	    "community:\n"
	    "  name: x\n"
	    "  colour: red\n",
	    "pm.yaml:4:3: unknown key \"colour\" in community");
	BAD("efective: 2026-01-01\n",
	    "pm.yaml:1:1: unknown key \"efective\" at the top level (did you mean \"effective\"?)");
	BAD("effective: 2026-01-01\n"
	    "community:\n"
	    "  nmae: x\n",
	    "pm.yaml:3:3: unknown key \"nmae\" in community (did you mean \"name\"?)");
	BAD("effective: 2026-01-01\n"
	    "小区: x\n",
	    "pm.yaml:2:1: unknown key \"小区\" at the top level");
}

static void test_wrong_type(void **state)
{
	BAD("effective: 2026-01-01\n"
	    "community:\n"
	    "  name: [a, b]\n",
	    "pm.yaml:3:9: community.name: expected a string, got a list");
	BAD("effective: 2026-01-01\n"
	    "community: 幸福里\n",
	    "pm.yaml:2:12: community: expected a map, got \"幸福里\"");
	BAD("effective: {year: 2026}\n",
	    "pm.yaml:1:12: effective: expected a date YYYY-MM-DD, got a map");
	BAD("effective: 2026-01-01\n"
	    "community:\n"
	    "  name:\n"
	    "  timezone: Asia/Shanghai\n",
	    "pm.yaml:3:8: community.name: expected a string, got an empty value");
	BAD("effective: 2026-01-01\n"
	    "community:\n"
	    "  name: \"\"\n",
	    "pm.yaml:3:9: community.name: expected a non-empty string");
	BAD("effective: 2026-01-01\n"
	    "community:\n"
	    "  [a]: x\n",
	    "pm.yaml:3:3: community: expected a key, got a list");
}

static void test_bad_date(void **state)
{
	BAD("effective: 2026-02-29\n",
	    "pm.yaml:1:12: effective: expected a date YYYY-MM-DD, got \"2026-02-29\"");
	BAD("effective: 2026/01/01\n",
	    "pm.yaml:1:12: effective: expected a date YYYY-MM-DD, got \"2026/01/01\"");
}

static void test_bad_zone(void **state)
{
	BAD("effective: 2026-01-01\n"
	    "community:\n"
	    "  name: 幸福里\n"
	    "  timezone: Asia/Shanghia\n",
	    "pm.yaml:4:13: community.timezone: unknown time zone \"Asia/Shanghia\"");
	BAD("effective: 2026-01-01\n"
	    "community:\n"
	    "  name: 幸福里\n"
	    "  timezone: ../../etc/passwd\n",
	    "pm.yaml:4:13: community.timezone: unknown time zone \"../../etc/passwd\"");
}

static void test_missing_key(void **state)
{
	BAD("effective: 2026-01-01\n"
	    "community:\n"
	    "  timezone: Asia/Shanghai\n"
	    "  address: x\n",
	    "pm.yaml:3:3: missing required key \"name\" in community");
	BAD("# no date yet\n"
	    "community: {name: x}\n",
	    "pm.yaml:2:1: missing required key \"effective\" at the top level");
	BAD("effective: 2026-01-01\n",
	    "pm.yaml:1:1: missing required key \"community\" at the top level");
}

static void test_duplicate_key(void **state)
{
	BAD("effective: 2026-01-01\n"
	    "community:\n"
	    "  name: a\n"
	    "  name: b\n",
	    "pm.yaml:4:3: duplicate key \"name\" in community (first at line 3)");
	/* An empty value takes its key's place: left empty, a required key is
	 * refused where it stands, and an optional one cannot come again. */
	BAD("effective: 2026-01-01\n"
	    "community:\n"
	    "  name: ~\n"
	    "  address: x\n"
	    "  name: b\n",
	    "pm.yaml:3:9: community.name: expected a string, got an empty value");
	BAD("effective: 2026-01-01\n"
	    "community:\n"
	    "  address: ~\n"
	    "  address: x\n",
	    "pm.yaml:4:3: duplicate key \"address\" in community (first at line 3)");
}

static void test_syntax_error(void **state)
{
	BAD("effective: 2026-01-01\n"
	    "community:\n"
	    "  name: x\n"
	    " timezone: Asia/Shanghai\n",
	    "pm.yaml:4:2: did not find expected key "
	    "(while parsing a block mapping at line 1, column 1)");
	BAD("effective: 2026-01-01\n"
	    "community:\n"
	    "  name: \"幸福里\n",
	    "pm.yaml:4:1: found unexpected end of stream "
	    "(while scanning a quoted scalar at line 3, column 9)");
	BAD("effective: 2026-01-01\n"
	    "community: {name: x\n",
	    "pm.yaml:3:1: did not find expected ',' or '}' "
	    "(while parsing a flow mapping at line 2, column 12)");
}

/* libyaml reports bad bytes by offset; the line and column are counted
 * from it, in characters. */
static void test_bad_bytes(void **state)
{
	static const char nul[] = "effective: 2026-01-01\ncommunity:\n  name: a\0b\n";

	BAD("effective: 2026-01-01\n"
	    "community:\n"
	    "  name: 幸\xff\n",
	    "pm.yaml:3:10: invalid leading UTF-8 octet");
	load_bad(nul, sizeof nul - 1, "pm.yaml:3:10: control characters are not allowed");
	BAD("effective: 2026-01-01\n"
	    "community:\n"
	    "  name: \"a\\0b\"\n",
	    "pm.yaml:3:9: community.name: expected a string without NUL characters");
}

static void test_empty_document(void **state)
{
	BAD("", "pm.yaml:1:1: empty document: expected a map");
	BAD("# nothing here yet\n\n", "pm.yaml:3:1: empty document: expected a map");
	BAD("---\n...\n", "pm.yaml:2:1: empty document: expected a map");
	load_bad(NULL, 0, "pm.yaml:1:1: empty document: expected a map");
}

static void test_not_a_map(void **state)
{
	BAD("- effective\n- community\n", "pm.yaml:1:1: top level: expected a map, got a list");
	BAD("幸福里\n", "pm.yaml:1:1: top level: expected a map, got \"幸福里\"");
}

static void test_second_document(void **state)
{
	BAD("effective: 2026-01-01\n"
	    "community: {name: x}\n"
	    "---\n"
	    "effective: 2027-01-01\n",
	    "pm.yaml:3:1: a second document is not allowed: keep the configuration in one");
}

static void test_alias_anchor_tag(void **state)
{
	BAD("effective: 2026-01-01\n"
	    "community:\n"
	    "  name: *n\n",
	    "pm.yaml:3:9: alias \"*n\" is not supported: write the value out in full");
	BAD("effective: 2026-01-01\n"
	    "community:\n"
	    "  name: &n 幸福里\n"
	    "  address: *n\n",
	    "pm.yaml:3:9: anchor \"&n\" is not supported: write each value out in full");
	BAD("effective: !!str 2026-01-01\n",
	    "pm.yaml:1:12: tag \"tag:yaml.org,2002:str\" is not supported: remove it");
}

/* A message quoting text with escaped control characters stays one line,
 * and a long value is quoted in part. */
static void test_message_tidy(void **state)
{
	BAD("effective: \"2026\\n01\"\n",
	    "pm.yaml:1:12: effective: expected a date YYYY-MM-DD, got \"2026\\n01\"");
	BAD("effective: 一二三四五六七八九十一二三四五六七八九十一二三\n",
	    "pm.yaml:1:12: effective: expected a date YYYY-MM-DD, "
	    "got \"一二三四五六七八九十一二三四五六七八九十...\"");
}

static void test_too_large(void **state)
{
	struct pm_config *c = NULL;
	struct pm_err e = { 0 };

	assert_int_equal(pm_config_load(FULL, PM_CONFIG_MAX + 1, "big.yaml", &c, &e), PM_ECONFIG);
	assert_null(c);
	assert_string_equal(e.msg, "big.yaml: larger than 4194304 bytes: not a configuration");
}

static void test_load_file(void **state)
{
	char path[] = "/tmp/test_config_XXXXXX";
	struct pm_config *c = NULL;
	struct pm_err e = { 0 };
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, FULL, strlen(FULL)), (ssize_t)strlen(FULL));
	close(fd);
	assert_int_equal(pm_config_load_file(path, &c, &e), PM_OK);
	assert_string_equal(pm_config_community_name(c), "幸福里小区");
	pm_config_free(c);
	unlink(path);

	assert_int_equal(pm_config_load_file(path, &c, &e), PM_ENOINPUT);
	assert_null(c);
	assert_true(strncmp(e.msg, "cannot open \"/tmp/test_config_", 30) == 0);
	assert_non_null(strstr(e.msg, "\": No such file or directory"));

	assert_int_equal(pm_config_load_file("/tmp", &c, &e), PM_ENOINPUT);
	assert_string_equal(e.msg, "cannot read \"/tmp\": Is a directory");
}

static void test_file_positions_use_path(void **state)
{
	char path[] = "/tmp/test_config_XXXXXX";
	struct pm_config *c = NULL;
	struct pm_err e = { 0 }, want;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "effective: x\n", 13), 13);
	close(fd);
	assert_int_equal(pm_config_load_file(path, &c, &e), PM_ECONFIG);
	pm_err_set(&want, PM_ECONFIG, "%s:1:12: effective: expected a date YYYY-MM-DD, got \"x\"",
		   path);
	assert_string_equal(e.msg, want.msg);
	unlink(path);
}

/* Scalar types, bounds, lists, free-key maps and container defaults,
 * through a schema of the tests' own. */

static const struct pm_schema types = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("i", PM_NODE(PM_SCHEMA_INT, .min = "-5", .max = "100")),
	PM_KEY("n", PM_NODE(PM_SCHEMA_INT)),
	PM_KEY("d", PM_NODE(PM_SCHEMA_DECIMAL, .places = 3)),
	PM_KEY("m", PM_NODE(PM_SCHEMA_MONEY, .min = "0.01")),
	PM_KEY("b", PM_NODE(PM_SCHEMA_BOOL), .def = "false"),
	PM_KEY("dt", PM_NODE(PM_SCHEMA_DATE, .min = "2020-01-01")),
	PM_KEY("t", PM_NODE(PM_SCHEMA_TIME, .min = "06:00")),
	PM_KEY("dur", PM_NODE(PM_SCHEMA_DURATION, .max = "30d")),
	PM_KEY("e", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("low", "normal", "high")),
	       .def = "normal"),
	PM_KEY("l", PM_NODE(PM_SCHEMA_LIST, .min = "1", .max = "2",
			    .item = PM_NODE(PM_SCHEMA_STRING, .max = "3"))),
	PM_KEY("dict", PM_NODE(PM_SCHEMA_DICT, .item = PM_NODE(PM_SCHEMA_MAP, .keys = PM_KEYS(
		PM_KEY("price", PM_NODE(PM_SCHEMA_MONEY), .required = true),
		PM_KEY("every", PM_NODE(PM_SCHEMA_DURATION), .def = "30d"))))),
	PM_KEY("sub", PM_NODE(PM_SCHEMA_MAP, .keys = PM_KEYS(
		PM_KEY("x", PM_NODE(PM_SCHEMA_DURATION), .def = "2h"),
		PM_KEY("ids", PM_NODE(PM_SCHEMA_LIST, .item = PM_NODE(PM_SCHEMA_INT)),
		       .def = "[]"))),
	       .def = "{}")),
};

/* The compact JSON of text read with the test schema. */
static void typed(const char *text, const char *want)
{
	struct pm_err e = { 0 };
	json_t *j = NULL;
	char *s;
	int rc = pm_schema_load(&types, text, strlen(text), "t.yaml", &j, &e);

	if (rc != PM_OK)
		fail_msg("%s: unexpected error %d: %s", text, rc, e.msg);
	s = dump(j);
	assert_string_equal(s, want);
	free(s);
	json_decref(j);
}

static void typed_bad(const char *text, const char *msg)
{
	struct pm_err e = { 0 };
	json_t *j = NULL;

	assert_int_equal(pm_schema_load(&types, text, strlen(text), "t.yaml", &j, &e), PM_ECONFIG);
	assert_null(j);
	assert_string_equal(e.msg, msg);
}

#define DEFAULTS "\"b\":false,\"e\":\"normal\",\"sub\":{\"x\":7200,\"ids\":[]}"
/* The JSON of one key that comes between "b" and "e" in schema order. */
#define AFTER_B(kv) "{\"b\":false," kv ",\"e\":\"normal\",\"sub\":{\"x\":7200,\"ids\":[]}}"
/* ... and one between "e" and "sub". */
#define AFTER_E(kv) "{\"b\":false,\"e\":\"normal\"," kv ",\"sub\":{\"x\":7200,\"ids\":[]}}"

static void test_defaults_of_containers(void **state)
{
	typed("{}", "{" DEFAULTS "}");
	typed("sub: {ids: [3, -4]}", "{\"b\":false,\"e\":\"normal\",\"sub\":{\"x\":7200,\"ids\":[3,-4]}}");
	typed("sub:", "{" DEFAULTS "}");
}

static void test_int(void **state)
{
	typed("i: -5", "{\"i\":-5," DEFAULTS "}");
	typed("i: 100", "{\"i\":100," DEFAULTS "}");
	typed("n: 9223372036854775807", "{\"n\":9223372036854775807," DEFAULTS "}");
	typed("n: '-9223372036854775807'", "{\"n\":-9223372036854775807," DEFAULTS "}");
	typed_bad("i: -6", "t.yaml:1:4: i: expected at least -5, got \"-6\"");
	typed_bad("i: 101", "t.yaml:1:4: i: expected at most 100, got \"101\"");
	typed_bad("n: 9223372036854775808",
		  "t.yaml:1:4: n: expected an integer, got \"9223372036854775808\"");
	typed_bad("n: 1.0", "t.yaml:1:4: n: expected an integer, got \"1.0\"");
	typed_bad("n: 0x10", "t.yaml:1:4: n: expected an integer, got \"0x10\"");
	typed_bad("n: +1", "t.yaml:1:4: n: expected an integer, got \"+1\"");
	typed_bad("n: '-'", "t.yaml:1:4: n: expected an integer, got \"-\"");
	typed_bad("n: ' 1'", "t.yaml:1:4: n: expected an integer, got \" 1\"");
}

static void test_decimal(void **state)
{
	typed("d: 1.5", "{\"d\":1500," DEFAULTS "}");
	typed("d: -0.001", "{\"d\":-1," DEFAULTS "}");
	typed("d: 1234.567", "{\"d\":1234567," DEFAULTS "}");
	typed("d: 0.1", "{\"d\":100," DEFAULTS "}");
	typed_bad("d: 1.2345",
		  "t.yaml:1:4: d: expected a number with at most 3 decimal places, got \"1.2345\"");
	typed_bad("d: 1e3",
		  "t.yaml:1:4: d: expected a number with at most 3 decimal places, got \"1e3\"");
}

static void test_money(void **state)
{
	typed("m: 12.50", "{\"m\":1250," DEFAULTS "}");
	typed("m: 0.01", "{\"m\":1," DEFAULTS "}");
	typed("m: 3", "{\"m\":300," DEFAULTS "}");
	typed_bad("m: 12.345",
		  "t.yaml:1:4: m: expected an amount of yuan such as 12.50, got \"12.345\"");
	typed_bad("m: 0.00", "t.yaml:1:4: m: expected at least 0.01, got \"0.00\"");
}

static void test_duration(void **state)
{
	typed("dur: 45s", AFTER_B("\"dur\":45"));
	typed("dur: 30m", AFTER_B("\"dur\":1800"));
	typed("dur: 2h", AFTER_B("\"dur\":7200"));
	typed("dur: 3d", AFTER_B("\"dur\":259200"));
	typed("dur: 30d", AFTER_B("\"dur\":2592000"));
	typed("dur: 0m", AFTER_B("\"dur\":0"));
	typed_bad("dur: 31d", "t.yaml:1:6: dur: expected at most 30d, got \"31d\"");
	typed_bad("dur: 720h1s", "t.yaml:1:6: dur: expected a duration such as 45s, 30m, 2h or 3d, "
				 "got \"720h1s\"");
	typed_bad("dur: 30", "t.yaml:1:6: dur: expected a duration such as 45s, 30m, 2h or 3d, "
			     "got \"30\"");
	typed_bad("dur: 2w", "t.yaml:1:6: dur: expected a duration such as 45s, 30m, 2h or 3d, "
			     "got \"2w\"");
	typed_bad("dur: -1h", "t.yaml:1:6: dur: expected a duration such as 45s, 30m, 2h or 3d, "
			      "got \"-1h\"");
	typed_bad("dur: 9999999999999999d", "t.yaml:1:6: dur: expected a duration such as 45s, 30m, "
					    "2h or 3d, got \"9999999999999999d\"");
}

static void test_time_of_day(void **state)
{
	typed("t: '06:00'", AFTER_B("\"t\":21600"));
	typed("t: 23:59", AFTER_B("\"t\":86340"));
	typed_bad("t: 05:59", "t.yaml:1:4: t: expected at least 06:00, got \"05:59\"");
	typed_bad("t: 24:00", "t.yaml:1:4: t: expected a time of day HH:MM, got \"24:00\"");
	typed_bad("t: 12:60", "t.yaml:1:4: t: expected a time of day HH:MM, got \"12:60\"");
	typed_bad("t: 7:30", "t.yaml:1:4: t: expected a time of day HH:MM, got \"7:30\"");
	typed_bad("t: 07:30:00", "t.yaml:1:4: t: expected a time of day HH:MM, got \"07:30:00\"");
}

static void test_bool(void **state)
{
	typed("b: true", "{\"b\":true,\"e\":\"normal\",\"sub\":{\"x\":7200,\"ids\":[]}}");
	typed("b: false", "{" DEFAULTS "}");
	typed_bad("b: yes", "t.yaml:1:4: b: expected true or false, got \"yes\"");
	typed_bad("b: True", "t.yaml:1:4: b: expected true or false, got \"True\"");
	typed_bad("b: 1", "t.yaml:1:4: b: expected true or false, got \"1\"");
}

static void test_date(void **state)
{
	typed("dt: 2024-02-29", AFTER_B("\"dt\":\"2024-02-29\""));
	typed_bad("dt: 2019-12-31", "t.yaml:1:5: dt: expected at least 2020-01-01, got \"2019-12-31\"");
}

static void test_enum(void **state)
{
	typed("e: high", "{\"b\":false,\"e\":\"high\",\"sub\":{\"x\":7200,\"ids\":[]}}");
	typed_bad("e: hihg", "t.yaml:1:4: e: expected one of \"low\", \"normal\", \"high\", "
			     "got \"hihg\" (did you mean \"high\"?)");
	typed_bad("e: medium", "t.yaml:1:4: e: expected one of \"low\", \"normal\", \"high\", "
			       "got \"medium\"");
}

static void test_list(void **state)
{
	typed("l: [ab, 幸福里]", AFTER_E("\"l\":[\"ab\",\"幸福里\"]"));
	typed_bad("l: []", "t.yaml:1:4: l: expected a non-empty list");
	typed_bad("l: [a, b, c]", "t.yaml:1:4: l: expected at most 2 items, got 3");
	typed_bad("l:\n  - a\n  - {x: 1}\n", "t.yaml:3:5: l[1]: expected a string, got a map");
	typed_bad("l: [幸福里小]", "t.yaml:1:5: l[0]: expected at most 3 characters, got 4");
	typed_bad("l: [a, ~]", "t.yaml:1:8: l[1]: expected a string, got an empty value");
}

static void test_dict(void **state)
{
	typed("dict:\n  水费: {price: 3.5}\n  electric: {price: '0.61', every: 1d}\n",
	      AFTER_E("\"dict\":{\"水费\":{\"price\":350,\"every\":2592000},"
		      "\"electric\":{\"price\":61,\"every\":86400}}"));
	typed_bad("dict:\n  水费: {price: 3.5}\n  水费: {price: 4}\n",
		  "t.yaml:3:3: duplicate key \"水费\" in dict (first at line 2)");
	typed_bad("dict:\n  水费: {every: 1d}\n",
		  "t.yaml:2:7: missing required key \"price\" in dict.水费");
	typed_bad("dict:\n  水费: {price: 1, evry: 1d}\n",
		  "t.yaml:2:18: unknown key \"evry\" in dict.水费 (did you mean \"every\"?)");
	typed_bad("dict:\n  ~: {price: 1}\n", "t.yaml:2:3: dict: expected a key, got an empty value");
	typed_bad("dict: [a]\n", "t.yaml:1:7: dict: expected a map, got a list");
}

/* A bound that does not parse is the schema's fault, not the file's. */
static const struct pm_schema bug = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("dur", PM_NODE(PM_SCHEMA_DURATION, .max = "1 week"))),
};

/* pm.yaml's schema as a program has it, built on first use from
 * build/gen/schema-flat.h, says what lib/sections.c's tables say: the
 * digest schemagen took of the tables as written, and a few nodes by
 * hand, with a check that still runs and a schema of another file. */
static void test_schema_flat(void **state)
{
	const struct pm_schema *s = pm_config_schema(), *fees, *fee, *type, *notify, *templates;
	json_t *twice = json_loads("[{\"name\": \"water\"}, {\"name\": \"water\"}]", 0, NULL);
	struct pm_err e = {0};
	int i;

	(void)state;
	assert_ptr_equal(s, pm_config_schema());
	assert_true(pm_schema_digest(s) == pm_config_schema_written());
	assert_int_equal(s->type, PM_SCHEMA_MAP);
	assert_string_equal(s->keys[0].name, "effective");
	assert_true(s->keys[0].required);
	assert_int_equal(s->keys[0].node->type, PM_SCHEMA_DATE);
	assert_true((i = pm_schema_key_find(s->keys, "fees")) >= 0);
	fees = s->keys[i].node;
	assert_int_equal(fees->type, PM_SCHEMA_LIST);
	assert_string_equal(fees->max, "32");
	assert_null(fees->min);
	fee = fees->item;
	assert_int_equal(fee->type, PM_SCHEMA_MAP);
	assert_non_null(fee->check);
	type = fee->keys[pm_schema_key_find(fee->keys, "type")].node;
	assert_int_equal(type->type, PM_SCHEMA_ENUM);
	assert_string_equal(type->words[0], "per_area");
	assert_string_equal(type->words[5], "repair");
	assert_null(type->words[6]);
	i = pm_schema_key_find(fee->keys, "vacant_discount_percent");
	assert_string_equal(fee->keys[i].def, "0");
	assert_false(fee->keys[i].required);
	assert_string_equal(fee->keys[i].node->max, "100");
	i = pm_schema_key_find(fee->keys, "price");
	assert_int_equal(fee->keys[i].node->places, 4);
	assert_null(fee->keys[i].def);
	/* check_fees: a fee named twice. */
	assert_int_equal(fees->check(twice, &e), PM_ECONFIG);
	assert_non_null(strstr(e.msg, "water"));
	notify = s->keys[pm_schema_key_find(s->keys, "notify")].node;
	templates = notify->keys[pm_schema_key_find(notify->keys, "templates")].node;
	assert_ptr_equal(templates->item, &pm_template_schema);
	assert_int_equal(pm_schema_key_find(s->keys, "no_such_section"), -1);
	json_decref(twice);
}

static void test_schema_bug(void **state)
{
	struct pm_err e = { 0 };
	json_t *j = NULL;

	assert_int_equal(pm_schema_load(&bug, "dur: 1d", 7, "t.yaml", &j, &e), PM_ESOFTWARE);
	assert_null(j);
	assert_string_equal(e.msg, "dur: schema bound \"1 week\" does not parse");
}


#define CHANNELS "effective: 2026-01-01\ncommunity:\n  name: 幸福里\nchannels:\n"

static void test_secret_literal(void **state)
{
	struct pm_config *c;

	BAD(CHANNELS "  sms:\n    url: http://x/s\n    auth: Bearer tok\n",
	    "pm.yaml:7:11: channels.sms.auth: a secret is not written in pm.yaml, where every reader of the store would see it: write env:NAME or file:PATH");
	BAD(CHANNELS "  wecom:\n    url: https://qyapi.weixin.qq.com/x?key=k\n",
	    "pm.yaml:6:10: channels.wecom.url: a secret is not written in pm.yaml, where every reader of the store would see it: write env:NAME or file:PATH");
	BAD(CHANNELS "  email:\n    url: smtps://m\n    from: a@b.c\n    password: \"pw\"\n",
	    "pm.yaml:8:15: channels.email.password: a secret is not written in pm.yaml, where every reader of the store would see it: write env:NAME or file:PATH");
	BAD("effective: 2026-01-01\ncommunity:\n  name: x\naudit:\n  key: 00112233\n",
	    "pm.yaml:5:8: audit.key: a secret is not written in pm.yaml, where every reader of the store would see it: write env:NAME or file:PATH");
	BAD(CHANNELS "  sms:\n    url: http://x/s\n    auth: env:9X\n",
	    "pm.yaml:7:11: channels.sms.auth: env: wants the name of an environment variable, like env:PM_SMS_AUTH");
	BAD(CHANNELS "  sms:\n    url: http://x/s\n    auth: file:../k\n",
	    "pm.yaml:7:11: channels.sms.auth: file: wants an absolute path, like file:/etc/pm/sms.key");
	/* A webhook's URL is an address, a robot's its token. */
	c = load_ok(CHANNELS "  webhook:\n    url: http://x/h\n    secret: env:HOOK\n"
		    "  wecom:\n    url: file:/etc/pm/wecom.url\n  sms:\n    url: http://x/s\n    auth: env:PM_SMS_AUTH\n"
		    "audit:\n  key: file:/etc/pm/audit.key\n");
	pm_config_free(c);
}

/* A version an older pm stored with secrets as written: it still loads,
 * and pm_config_stored shows each redacted, wherever multibyte text or a
 * byte order mark put it. */
static void test_secret_stored(void **state)
{
	static const char yaml[] =
		"\xef\xbb\xbf" "effective: 2026-01-01\ncommunity:\n  name: 幸福里「花园」\nchannels:\n"
		"  dingtalk:\n    url: 'https://oapi.dingtalk.com/robot/send?access_token=tok'\n    secret: SECtok\n"
		"  sms:\n    url: http://x/s\n    auth: |\n      Bearer tok\n    rate: 5\n";
	static const char want[] =
		"\xef\xbb\xbf" "effective: 2026-01-01\ncommunity:\n  name: 幸福里「花园」\nchannels:\n"
		"  dingtalk:\n    url: \"<redacted>\"\n    secret: \"<redacted>\"\n"
		"  sms:\n    url: http://x/s\n    auth: \"<redacted>\"\n    rate: 5\n";
	struct tstore *t = T(state);
	struct pm_config *c = NULL;
	struct pm_err e = { 0 };
	sqlite3_stmt *st;
	json_t *rec;

	assert_int_equal(sqlite3_prepare_v2(pm_db_sqlite(t->db),
		"INSERT INTO config_version (effective, applied_at, applied_by, sha256, source, yaml, json)"
		" VALUES ('2026-01-01', 0, 'old', 'x', 'old.yaml', ?, '{}')", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, yaml, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	assert_int_equal(pm_config_current(t->db, DAY_2026_01_01, &c, &e), PM_OK);
	assert_string_equal(json_string_value(json_object_get(json_object_get(pm_config_section(c, "channels"), "dingtalk"), "secret")), "SECtok");
	pm_config_free(c);
	assert_int_equal(pm_config_stored(t->db, 1, &rec, &e), PM_OK);
	assert_string_equal(json_string_value(json_object_get(rec, "yaml")), want);
	json_decref(rec);
}

static void apply_text(struct tstore *t, const char *yaml)
{
	struct pm_config *c = NULL;
	struct pm_err e = { 0 };
	int64_t v;

	assert_int_equal(pm_config_load(yaml, strlen(yaml), "pm.yaml", &c, &e), PM_OK);
	assert_int_equal(pm_config_apply(t->db, c, "pm.yaml", &v, &e), PM_OK);
	pm_config_free(c);
}

/* The sections read again of the same version are the ones read before
 * (a FastCGI pm-web's every request); a version applied since is read. */
static void test_today_sections(void **state)
{
	static const char *const names[] = {"web", "community"};
	struct tstore *t = T(state);
	struct pm_err e = { 0 };
	json_t *a[2], *b[2];

	setenv("PM_NOW", "2026-06-01T09:00:00+08:00", 1);
	apply_text(t, "effective: 2026-01-01\ncommunity:\n  name: 甲小区\n");
	assert_int_equal(pm_config_today_sections(t->db, names, a, 2, &e), PM_OK);
	assert_string_equal(json_string_value(json_object_get(a[1], "name")), "甲小区");
	assert_int_equal(pm_config_today_sections(t->db, names, b, 2, &e), PM_OK);
	assert_ptr_equal(b[0], a[0]);
	assert_ptr_equal(b[1], a[1]);
	json_decref(b[0]);
	json_decref(b[1]);
	apply_text(t, "effective: 2026-01-01\ncommunity:\n  name: 乙小区\n");
	assert_int_equal(pm_config_today_sections(t->db, names, b, 2, &e), PM_OK);
	assert_string_equal(json_string_value(json_object_get(b[1], "name")), "乙小区");
	/* What the first read gave is still the caller's, as it was. */
	assert_string_equal(json_string_value(json_object_get(a[1], "name")), "甲小区");
	for (int i = 0; i < 2; i++) {
		json_decref(a[i]);
		json_decref(b[i]);
	}
	unsetenv("PM_NOW");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_defaults_and_order),
		cmocka_unit_test(test_list_default),
		cmocka_unit_test(test_flow_style),
		cmocka_unit_test(test_chinese_bytes),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_bad_date),
		cmocka_unit_test(test_bad_zone),
		cmocka_unit_test(test_missing_key),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_bad_bytes),
		cmocka_unit_test(test_empty_document),
		cmocka_unit_test(test_not_a_map),
		cmocka_unit_test(test_second_document),
		cmocka_unit_test(test_alias_anchor_tag),
		cmocka_unit_test(test_message_tidy),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_file_positions_use_path),
		cmocka_unit_test(test_defaults_of_containers),
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_decimal),
		cmocka_unit_test(test_money),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_time_of_day),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_enum),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_dict),
		cmocka_unit_test(test_schema_bug),
		cmocka_unit_test(test_schema_flat),
		cmocka_unit_test(test_secret_literal),
		cmocka_unit_test_setup_teardown(test_secret_stored, tstore_setup, tstore_teardown),
		cmocka_unit_test_setup_teardown(test_today_sections, tstore_setup, tstore_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
