/* MQTT messages as records: a map of topic patterns to record types, so
 * `pm-mqtt sub --topic 'gates/#' | pm-gate events ingest` works. A pattern
 * is levels split by '/': a word, '+' (any one level), '{name}' (any one
 * level, kept as the field name) or, last, '#' (the rest). */
#ifndef PM_MQTT_H
#define PM_MQTT_H

#include <stddef.h>

#include <jansson.h>

#include "pm/err.h"

struct pm_mqtt_map;

/* The map of the configuration's mqtt section, or of a YAML file holding
 * the same list (pm.yaml(5), mqtt.map): PM_ECONFIG when it breaks the
 * schema, PM_ENOINPUT when the file cannot be read. A map of no entries
 * is refused. */
int pm_mqtt_map_from(json_t *list, struct pm_mqtt_map **out, struct pm_err *e);
int pm_mqtt_map_file(const char *path, struct pm_mqtt_map **out, struct pm_err *e);
void pm_mqtt_map_free(struct pm_mqtt_map *m);

/* PM_ECONFIG unless pattern is a pattern as above. */
int pm_mqtt_pattern_check(const char *pattern, struct pm_err *e);

/* The record of a message. With a map, the first entry whose pattern
 * matches the topic decides: its type as "type", the topic's {name}
 * levels as fields, then the payload's fields (a JSON object), or with
 * the entry's field the payload's text in that field. Without a map
 * (NULL): {"type":"mqtt","topic","payload"}, the payload as JSON when it
 * is JSON, else as text. PM_EDATA when no entry matches, or the payload
 * is not what the entry needs (not UTF-8, not an object). */
int pm_mqtt_record(const struct pm_mqtt_map *m, const char *topic, const void *payload,
		   size_t len, json_t **rec, struct pm_err *e);

/* "mqtt://host[:port]" (port 1883) or "mqtts://host[:port]" (8883, TLS).
 * host holds at least 256 bytes. PM_EUSAGE for anything else. */
struct pm_mqtt_broker {
	char host[256];
	int port, tls;
};
int pm_mqtt_broker_parse(const char *url, struct pm_mqtt_broker *b, struct pm_err *e);

#endif
