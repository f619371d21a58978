/* MQTT messages as pm-mqtt sub maps them: the input is a topic, a NUL,
 * then the payload, through pm_mqtt_record with a map of every kind of
 * entry and with none. A record is an object, and one with a type has
 * the type of its entry; errors are PM_EDATA with a one-line message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pm/mqtt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pm_mqtt_map *map;

static void make_map(void)
{
	json_t *list = json_pack("[{s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s}, {s:s}]",
		"topic", "gates/{gate}/events", "type", "gate_event",
		"topic", "meters/{meter}/{kind}/reading", "type", "reading", "field", "value",
		"topic", "site/+/#", "type", "status",
		"topic", "#");
	struct pm_err e = {0};

	if (!list || pm_mqtt_map_from(list, &map, &e) != PM_OK)
		abort();
	json_decref(list);
}

static void check(int rc, json_t *rec, const struct pm_err *e)
{
	if (rc == PM_OK) {
		if (!json_is_object(rec))
			abort();
		json_decref(rec);
	} else if (rc != PM_EDATA || !e->msg[0] || strchr(e->msg, '\n')) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	char *topic;
	struct pm_err e = {0};
	json_t *rec = NULL;
	size_t tlen;
	int rc;

	if (!map)
		make_map();
	tlen = nul ? (size_t)(nul - data) : size;
	if (!(topic = malloc(tlen + 1)))
		return 0;
	memcpy(topic, data, tlen);
	topic[tlen] = '\0';
	rc = pm_mqtt_record(map, topic, nul ? nul + 1 : data + size, nul ? size - tlen - 1 : 0, &rec, &e);
	check(rc, rec, &e);
	rc = pm_mqtt_record(NULL, topic, nul ? nul + 1 : data + size, nul ? size - tlen - 1 : 0, &rec, &e);
	check(rc, rec, &e);
	/* Patterns are checked before a map holds them. */
	pm_mqtt_pattern_check(topic, &e);
	free(topic);
	return 0;
}
