/* Arbitrary bytes as pm.yaml, and as a document of a schema holding every
 * node type (the real one reaches only strings and dates so far). Neither
 * may crash or leak, and every refusal must be one line saying where. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pm/config.h"
#include "config-internal.h"

static const struct pm_schema every_type = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("i", PM_NODE(PM_SCHEMA_INT, .min = "-5", .max = "100")),
	PM_KEY("d", PM_NODE(PM_SCHEMA_DECIMAL, .places = 3)),
	PM_KEY("m", PM_NODE(PM_SCHEMA_MONEY, .min = "0.01")),
	PM_KEY("b", PM_NODE(PM_SCHEMA_BOOL), .def = "false"),
	PM_KEY("dt", PM_NODE(PM_SCHEMA_DATE, .max = "2099-12-31")),
	PM_KEY("t", PM_NODE(PM_SCHEMA_TIME, .min = "06:00")),
	PM_KEY("e", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("low", "high")), .def = "low"),
	PM_KEY("l", PM_NODE(PM_SCHEMA_LIST, .max = "4", .item = PM_NODE(PM_SCHEMA_MAP,
		.keys = PM_KEYS(PM_KEY("s", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "8"),
				       .required = true),
				PM_KEY("dur", PM_NODE(PM_SCHEMA_DURATION), .def = "1h"))))),
	PM_KEY("x", PM_NODE(PM_SCHEMA_DICT, .min = "1", .item = PM_NODE(PM_SCHEMA_LIST,
		.item = PM_NODE(PM_SCHEMA_INT))), .def = "{}")),
};

/* "NAME:LINE:COL: ..." on one line, or an out-of-memory message. */
static void check_message(int rc, const struct pm_err *e)
{
	const char *p;

	if (rc == PM_OK)
		return;
	if (rc != PM_ECONFIG && rc != PM_EFAIL && rc != PM_ESOFTWARE)
		abort();
	if (rc == PM_ECONFIG && strncmp(e->msg, "fuzz.yaml:", 10) != 0)
		abort();
	for (p = e->msg; *p; p++)
		if ((unsigned char)*p < 0x20)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pm_config *cfg = NULL;
	struct pm_err e = { 0 };
	json_t *j = NULL;
	char *s;
	int rc;

	rc = pm_config_load((const char *)data, size, "fuzz.yaml", &cfg, &e);
	check_message(rc, &e);
	if (rc == PM_OK) {
		if (!pm_config_community_name(cfg) || !pm_config_timezone(cfg))
			abort();
		s = json_dumps(pm_config_json(cfg), JSON_COMPACT);
		free(s);
	}
	pm_config_free(cfg);

	rc = pm_schema_load(&every_type, (const char *)data, size, "fuzz.yaml", &j, &e);
	check_message(rc, &e);
	if (rc == PM_ESOFTWARE)
		abort();
	json_decref(j);
	return 0;
}
