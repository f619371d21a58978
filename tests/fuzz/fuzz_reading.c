/* Readings as pm-meter ingest takes them: each input is one JSON line
 * through pm_ingest_record against a store made once per process (a few
 * meters, some readings), then the usage of that meter's period. Every
 * input's transaction is rolled back, so the store stays as made. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pm/community.h"
#include "pm/config.h"
#include "pm/db.h"
#include "pm/meter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], path[96];
static struct pm_db *db;

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
		fprintf(stderr, "fuzz_reading: setting up: %s\n", e->msg);
		abort();
	}
}

static void load(const char *json, int meter)
{
	json_t *rec = json_loads(json, 0, NULL);
	struct pm_err e = {0};
	enum pm_upsert did;

	if (!rec)
		abort();
	must(meter ? pm_meter_upsert(db, rec, &did, &e) : pm_unit_upsert(db, rec, &did, &e), &e);
	json_decref(rec);
}

/* W-1 starts near the top of its register, E-1 has time-of-use registers
 * and a multiplier, G-1 has readings, R-1 is retired. */
static void make_store(void)
{
	static const char *const meters[] = {
		"{\"code\":\"W-1\",\"kind\":\"water\",\"serves\":\"1-1-101\",\"installed\":\"2026-01-01T00:00:00+08:00\",\"initial\":\"99990\"}",
		"{\"code\":\"E-1\",\"kind\":\"electricity\",\"serves\":\"building:1\",\"multiplier\":40,\"registers\":[\"peak\",\"valley\"],\"installed\":\"2026-01-01T00:00:00+08:00\"}",
		"{\"code\":\"G-1\",\"kind\":\"gas\",\"serves\":\"community\",\"digits\":4,\"address\":\"000000000161\"}",
		"{\"code\":\"R-1\",\"kind\":\"heat\",\"serves\":\"1-1-101\",\"installed\":\"2026-01-01T00:00:00+08:00\"}",
	};
	static const char *const readings[] = {
		"{\"meter\":\"G-1\",\"ts\":\"2026-10-31T12:00:00+08:00\",\"value\":9000}",
		"{\"meter\":\"G-1\",\"ts\":\"2026-11-15T12:00:00+08:00\",\"value\":9500.5}",
		"{\"meter\":\"G-1\",\"ts\":\"2026-11-30T12:00:00+08:00\",\"value\":\"12.250\"}",
		"{\"meter\":\"E-1\",\"ts\":\"2026-11-30T12:00:00+08:00\",\"value\":100,\"registers\":{\"peak\":40,\"valley\":50}}",
	};
	struct pm_ingest *in;
	enum pm_ingest_did did;
	struct pm_err e = {0};
	int64_t at;

	snprintf(dir, sizeof dir, "/tmp/pm-fuzz-reading.XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof path, "%s/pm.db", dir);
	setenv("PM_NOW", "2026-12-15T10:00:00+08:00", 1);
	must(pm_db_open(path, PM_DB_CREATE, &db, &e), &e);
	atexit(remove_store);
	pm_db_set_actor(db, "fuzz");
	must(pm_config_init(db, "fuzz", "Asia/Shanghai", &e), &e);
	must(pm_db_begin(db, &e), &e);
	load("{\"code\":\"1-1-101\",\"area\":\"90\",\"status\":\"occupied\"}", 0);
	for (size_t i = 0; i < sizeof meters / sizeof *meters; i++)
		load(meters[i], 1);
	must(pm_ingest_open(db, 0, &in, &e), &e);
	for (size_t i = 0; i < sizeof readings / sizeof *readings; i++) {
		json_t *rec = json_loads(readings[i], 0, NULL);
		must(pm_ingest_record(in, rec, &did, &e), &e);
		json_decref(rec);
	}
	pm_ingest_close(in);
	must(pm_db_commit(db, &e), &e);
	must(pm_time_parse("2026-12-01T00:00:00+08:00", &at, &e), &e);
	must(pm_meter_retire(db, "R-1", at, 1000, &e), &e);
}

/* Usage is never negative, whatever was ingested. */
static int check_usage(void *ctx, const struct pm_usage *u)
{
	(void)ctx;
	if (u->usage < 0)
		abort();
	for (int i = 0; i < u->nregs; i++)
		if (u->regs[i].usage < 0)
			abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	struct pm_ingest *in;
	enum pm_ingest_did did;
	struct pm_err e = {0};
	json_t *rec;
	int64_t ts;
	int rc;

	if (!db)
		make_store();
	/* One line, as the reader hands it over. */
	rec = json_loadb((const char *)data, nl ? (size_t)(nl - data) : size, 0, NULL);
	if (!json_is_object(rec)) {
		json_decref(rec);
		return 0;
	}
	if (pm_db_begin(db, &e) || pm_ingest_open(db, (int)(size & 1), &in, &e))
		abort();
	rc = pm_ingest_record(in, rec, &did, &e);
	/* Registers alone, their total not stored: held, and then, as
	 * nothing else comes, rejected. */
	if (rc == PM_OK && did == PM_INGEST_HELD && (pm_ingest_held(in, rec, &did, &e) != PM_EDATA ||
						     json_object_get(rec, "value")))
		abort();
	/* A reading ingest holds is written at its close, in the
	 * transaction, for the usage below to see. */
	pm_ingest_close(in);
	if (rc == PM_OK && did != PM_INGEST_HELD) {
		if (did != PM_INGEST_INSERTED && did != PM_INGEST_DUPLICATE && did != PM_INGEST_REPLACED)
			abort();
		if (pm_time_parse(json_string_value(json_object_get(rec, "ts")), &ts, &e) ||
		    pm_usage_each(db, pm_period_of(ts, pm_db_tz(db)), NULL,
				  json_string_value(json_object_get(rec, "meter")), check_usage, NULL, &e))
			abort();
	} else if (rc != PM_OK && (e.code != PM_EDATA || !e.msg[0] || strchr(e.msg, '\n'))) {
		abort();
	}
	pm_db_rollback(db);
	json_decref(rec);
	return 0;
}
