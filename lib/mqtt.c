/* mqtt: topic patterns mapped to records. No network here: pm-mqtt has
 * the broker, this module decides what each message becomes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-internal.h"
#include "pm/config.h"
#include "pm/db.h"
#include "pm/i18n.h"
#include "pm/mqtt.h"
#include "pm/timeutil.h"

#define LEVELS 16

static int check_pattern(const json_t *v, struct pm_err *e)
{
	return pm_mqtt_pattern_check(json_string_value(v), e);
}

/* Whether the URL's authority (after "scheme://", before the path) has
 * a user part, "USER:PASSWORD@": a secret that must not be kept or said. */
static int has_userinfo(const char *url)
{
	const char *p = strstr(url, "://");

	p = p ? p + 3 : url;
	return memchr(p, '@', strcspn(p, "/?#")) != NULL;
}

static int check_broker(const json_t *v, struct pm_err *e)
{
	const char *s = json_string_value(v);

	if (has_userinfo(s))
		return pm_err_set(e, PM_ECONFIG,
				  _("a user and password are not written in the broker's URL, where every reader of the store"
				    " would see them: write mqtt.user and mqtt.password (env:NAME or file:PATH)"));
	if (strncmp(s, "mqtt://", 7) && strncmp(s, "mqtts://", 8))
		return pm_err_set(e, PM_ECONFIG, _("\"%s\" is not an mqtt:// or mqtts:// URL"), s);
	return PM_OK;
}

static const struct pm_schema map_schema = {
	.type = PM_SCHEMA_LIST, .min = "1", .item = PM_NODE(PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("topic", PM_NODE(PM_SCHEMA_STRING, .min = "1", .check = check_pattern), .required = true),
	PM_KEY("type", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "32")),
	PM_KEY("field", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "64")),
	PM_KEY("received", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "64")))),
};

const struct pm_schema pm_mqtt_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("broker", PM_NODE(PM_SCHEMA_STRING, .check = check_broker)),
	PM_KEY("user", PM_NODE(PM_SCHEMA_STRING, .min = "1")),
	PM_KEY("password", PM_NODE(PM_SCHEMA_STRING, .min = "1", .secret = true)),
	PM_KEY("cafile", PM_NODE(PM_SCHEMA_STRING, .min = "1")),
	PM_KEY("client_id", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "64")),
	PM_KEY("map", &map_schema)),
};

struct pm_mqtt_map {
	json_t *list;
};

static int is_name(const char *s, size_t n)
{
	if (n == 0 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(s[i] == '_' || (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z')))
			return 0;
	return 1;
}

int pm_mqtt_pattern_check(const char *pattern, struct pm_err *e)
{
	const char *p = pattern;
	int levels = 0;

	for (;;) {
		size_t n = strcspn(p, "/");
		int last = p[n] == '\0';
		int wild = n == 1 && (*p == '+' || *p == '#');
		if (++levels > LEVELS)
			return pm_err_set(e, PM_ECONFIG, _("topic \"%s\": more than %d levels"), pattern, LEVELS);
		if (n == 1 && *p == '#' && !last)
			return pm_err_set(e, PM_ECONFIG, _("topic \"%s\": '#' only as the last level"), pattern);
		if (n > 0 && *p == '{' && (n < 3 || p[n - 1] != '}' || !is_name(p + 1, n - 2)))
			return pm_err_set(e, PM_ECONFIG, _("topic \"%s\": a field level is {name}, letters, digits and _"),
					  pattern);
		if (!wild && (memchr(p, '+', n) || memchr(p, '#', n)))
			return pm_err_set(e, PM_ECONFIG, _("topic \"%s\": '+' and '#' only as whole levels"), pattern);
		if (last)
			return PM_OK;
		p += n + 1;
	}
}

int pm_mqtt_map_from(json_t *list, struct pm_mqtt_map **out, struct pm_err *e)
{
	struct pm_mqtt_map *m;

	*out = NULL;
	if (json_array_size(list) == 0)
		return pm_err_set(e, PM_ECONFIG, _("the mqtt map has no entries"));
	if (!(m = calloc(1, sizeof *m)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	m->list = json_incref(list);
	*out = m;
	return PM_OK;
}

int pm_mqtt_map_file(const char *path, struct pm_mqtt_map **out, struct pm_err *e)
{
	FILE *f = fopen(path, "rb");
	char buf[65536];
	json_t *list;
	size_t n;
	int rc;

	*out = NULL;
	if (!f)
		return pm_err_set(e, PM_ENOINPUT, _("cannot open \"%s\": %s"), path, strerror(errno));
	n = fread(buf, 1, sizeof buf, f);
	rc = ferror(f) ? pm_err_set(e, PM_ENOINPUT, _("cannot read \"%s\""), path) :
	     n == sizeof buf ? pm_err_set(e, PM_ECONFIG, _("\"%s\" is too long for a map"), path) : PM_OK;
	fclose(f);
	if (rc || (rc = pm_schema_load(&map_schema, buf, n, path, &list, e)))
		return rc;
	rc = pm_mqtt_map_from(list, out, e);
	json_decref(list);
	return rc;
}

void pm_mqtt_map_free(struct pm_mqtt_map *m)
{
	if (!m)
		return;
	json_decref(m->list);
	free(m);
}

/* Whether topic matches pattern; {name} levels go into fields. */
static int match(const char *pattern, const char *topic, json_t *fields)
{
	const char *p = pattern, *t = topic;

	for (;;) {
		size_t pn = strcspn(p, "/"), tn = strcspn(t, "/");
		if (pn == 1 && *p == '#')
			return 1;
		/* "a/#" is "a" and all below it. */
		if (!t[tn] && strcmp(p + pn, "/#") == 0 && (*p == '+' || (pn == tn && !memcmp(p, t, pn))))
			return 1;
		if (*p == '{') {
			char name[72];
			snprintf(name, sizeof name, "%.*s", (int)(pn - 2), p + 1);
			json_object_set_new(fields, name, json_stringn(t, tn));
		} else if (!(pn == 1 && *p == '+') && (pn != tn || memcmp(p, t, pn))) {
			return 0;
		}
		if (!p[pn] || !t[tn])
			return !p[pn] && !t[tn];
		p += pn + 1;
		t += tn + 1;
	}
}

/* A topic for a message: control characters shown as '?', cut short. */
static const char *shown(const char *topic, char buf[96])
{
	size_t i;

	for (i = 0; i < 95 && topic[i]; i++)
		buf[i] = (unsigned char)topic[i] < 0x20 || topic[i] == 0x7f ? '?' : topic[i];
	buf[i] = '\0';
	return buf;
}

static json_t *payload_json(const void *payload, size_t len)
{
	return json_loadb(payload, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
}

static int unmapped(const char *topic, const void *payload, size_t len, json_t **rec,
		    struct pm_err *e)
{
	json_t *v = payload_json(payload, len);
	char buf[96];

	if (!v && !(v = json_stringn(payload, len)))
		return pm_err_set(e, PM_EDATA, _("topic '%s': the payload is not UTF-8 text"), shown(topic, buf));
	*rec = json_pack("{s:s, s:s, s:o}", "type", "mqtt", "topic", topic, "payload", v);
	return *rec ? PM_OK : pm_err_set(e, PM_EFAIL, _("out of memory"));
}

static int fill(json_t *entry, const char *topic, const void *payload, size_t len, json_t *rec,
		struct pm_err *e)
{
	const char *field = json_string_value(json_object_get(entry, "field"));
	char buf[96];
	json_t *v;

	if (field) {
		if (!(v = json_stringn(payload, len)))
			return pm_err_set(e, PM_EDATA, _("topic '%s': the payload is not UTF-8 text"), shown(topic, buf));
		json_object_set_new(rec, field, v);
		return PM_OK;
	}
	/* json_is_object is a macro that reads its argument twice. */
	v = payload_json(payload, len);
	if (!json_is_object(v)) {
		json_decref(v);
		return pm_err_set(e, PM_EDATA, _("topic '%s': the payload is not a JSON object"), shown(topic, buf));
	}
	/* The topic says which device spoke; the payload cannot say otherwise. */
	json_object_update_missing(rec, v);
	json_decref(v);
	return PM_OK;
}

/* A bare value ("12.345") carries no time, and a reading or an event
 * without one is rejected: the entry's received names the field that
 * gets the time the message came, unless the payload gave that field. */
static int stamp(json_t *entry, json_t *rec, struct pm_err *e)
{
	const char *field = json_string_value(json_object_get(entry, "received"));
	char at[PM_TIME_BUF];

	if (!field || json_object_get(rec, field))
		return PM_OK;
	if (json_object_set_new(rec, field, json_string(pm_time_fmt(pm_now(), NULL, at))))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	return PM_OK;
}

int pm_mqtt_record(const struct pm_mqtt_map *m, const char *topic, const void *payload,
		   size_t len, json_t **rec, struct pm_err *e)
{
	json_t *entry, *fields, *check;
	const char *type;
	char buf[96];
	size_t i;
	int rc;

	*rec = NULL;
	/* Brokers hold topics to UTF-8, but a record must never carry less. */
	if (!(check = json_string(topic)))
		return pm_err_set(e, PM_EDATA, _("topic '%s' is not UTF-8 text"), shown(topic, buf));
	json_decref(check);
	if (!m)
		return unmapped(topic, payload, len, rec, e);
	json_array_foreach(m->list, i, entry) {
		if (!(fields = json_object()))
			return pm_err_set(e, PM_EFAIL, _("out of memory"));
		if ((type = json_string_value(json_object_get(entry, "type"))))
			json_object_set_new(fields, "type", json_string(type));
		if (match(json_string_value(json_object_get(entry, "topic")), topic, fields)) {
			if ((rc = fill(entry, topic, payload, len, fields, e)) ||
			    (rc = stamp(entry, fields, e))) {
				json_decref(fields);
				return rc;
			}
			*rec = fields;
			return PM_OK;
		}
		json_decref(fields);
	}
	return pm_err_set(e, PM_EDATA, _("topic '%s' matches no entry of the map"), shown(topic, buf));
}

int pm_mqtt_broker_parse(const char *url, struct pm_mqtt_broker *b, struct pm_err *e)
{
	const char *host, *colon;
	size_t n;
	char *end;
	long port;

	memset(b, 0, sizeof *b);
	/* Before any message that repeats the URL. */
	if (has_userinfo(url))
		return pm_err_set(e, PM_EUSAGE, _("the broker's URL holds a user or password, which every process list"
						 " shows: give --user and --password env:NAME or file:PATH"));
	if (strncmp(url, "mqtt://", 7) == 0)
		host = url + 7;
	else if (strncmp(url, "mqtts://", 8) == 0)
		host = url + 8, b->tls = 1;
	else
		return pm_err_set(e, PM_EUSAGE, _("broker '%s': expected mqtt://HOST[:PORT] or mqtts://HOST[:PORT]"), url);
	n = strcspn(host, ":/");
	colon = host[n] == ':' ? host + n : NULL;
	port = b->tls ? 8883 : 1883;
	if (colon && ((port = strtol(colon + 1, &end, 10)) <= 0 || port > 65535 || (*end && strcmp(end, "/"))))
		return pm_err_set(e, PM_EUSAGE, _("broker '%s': bad port"), url);
	if (!colon && host[n] && strcmp(host + n, "/"))
		return pm_err_set(e, PM_EUSAGE, _("broker '%s': expected mqtt://HOST[:PORT] or mqtts://HOST[:PORT]"), url);
	if (n == 0 || n >= sizeof b->host)
		return pm_err_set(e, PM_EUSAGE, _("broker '%s': no host"), url);
	memcpy(b->host, host, n);
	b->port = (int)port;
	return PM_OK;
}
