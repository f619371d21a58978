/* Events as pm-gate events ingest takes them: each input is one JSON
 * line through pm_events_record against a store made once per process
 * (gates, alarm severities, a resident's car), then rolled back. A record
 * is taken (inserted or duplicate, an alarm an alarm record) or rejected
 * with PM_EDATA and a one-line message; nothing else. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pm/auth.h"
#include "pm/community.h"
#include "pm/config.h"
#include "pm/db.h"
#include "pm/gate.h"
#include "pm/parking.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], path[96];
static struct pm_db *db;
static const struct pm_actor admin = {.login = "fuzz", .role = PM_ROLE_ADMIN};

static void remove_store(void)
{
	char p[128];

	pm_db_close(db);
	for (const char *const *s = (const char *const[]){"", "-wal", "-shm", NULL}; *s; s++) {
		snprintf(p, sizeof p, "%s%s", path, *s);
		unlink(p);
	}
	rmdir(dir);
}

static void must(int rc, const struct pm_err *e)
{
	if (rc) {
		fprintf(stderr, "fuzz_gateevent: setting up: %s\n", e->msg);
		abort();
	}
}

static void make_store(void)
{
	static const char yaml[] =
		"effective: 2026-01-01\ncommunity:\n  name: fuzz\n"
		"gates:\n  north:\n    name: 北门\n  garage:\n    name: 地库\n"
		"alarms:\n  denied: info\n"
		"parking:\n  hourly: \"5.00\"\n  overnight:\n    from: \"22:00\"\n    to: \"07:00\"\n    price: \"10\"\n";
	struct pm_config *cfg;
	struct pm_err e = {0};
	enum pm_upsert did;
	json_t *unit;
	int64_t v;

	snprintf(dir, sizeof dir, "/tmp/pm-fuzz-gate.XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof path, "%s/pm.db", dir);
	setenv("PM_NOW", "2026-12-15T10:00:00+08:00", 1);
	must(pm_db_open(path, PM_DB_CREATE, &db, &e), &e);
	atexit(remove_store);
	pm_db_set_actor(db, "fuzz");
	must(pm_config_load(yaml, strlen(yaml), "fuzz", &cfg, &e), &e);
	must(pm_config_apply(db, cfg, "fuzz", &v, &e), &e);
	pm_config_free(cfg);
	unit = json_pack("{s:s, s:s}", "code", "1-1-0101", "area", "90");
	must(pm_db_begin(db, &e), &e);
	must(pm_unit_upsert(db, unit, &did, &e), &e);
	must(pm_db_commit(db, &e), &e);
	json_decref(unit);
	must(pm_vehicle_add(db, &admin, "京A12345", "1-1-0101", "owned", NULL, NULL, &e), &e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	enum pm_event_outcome did;
	struct pm_events *ev;
	struct pm_err e = {0};
	json_t *rec, *alarm;

	if (!db)
		make_store();
	rec = json_loadb((const char *)data, nl ? (size_t)(nl - data) : size, 0, NULL);
	if (!json_is_object(rec)) {
		json_decref(rec);
		return 0;
	}
	if (pm_events_open(db, &admin, &ev, &e) || pm_db_begin(db, &e))
		abort();
	/* Twice: the second is the same event again. */
	for (int i = 0; i < 2; i++) {
		if (pm_events_record(ev, rec, &did, &alarm, &e) == PM_OK) {
			if (did != (i ? PM_EVENT_DUPLICATE : PM_EVENT_INSERTED))
				abort();
			if (alarm && (strcmp(json_string_value(json_object_get(alarm, "type")), "alarm") ||
				      i == 1))
				abort();
			json_decref(alarm);
		} else if (e.code != PM_EDATA || !e.msg[0] || strchr(e.msg, '\n')) {
			abort();
		}
	}
	pm_db_rollback(db);
	pm_events_close(ev);
	json_decref(rec);
	return 0;
}
