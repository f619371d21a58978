/* Bill records as pm-report arrears reads them from pm-bill list, each
 * taken or refused, then the report rendered in every format: a record
 * taken is refused the second time, and no text read breaks a format. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pm/community.h"
#include "pm/config.h"
#include "pm/db.h"
#include "pm/jsonl.h"
#include "pm/render.h"
#include "pm/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], path[96];
static struct pm_db *db;

static void remove_store(void)
{
	pm_db_discard(db);
	rmdir(dir);
}

/* A store of three units, made once in a directory of its own (a store
 * is a file: ":memory:" would be one in the working directory). */
static struct pm_db *store(void)
{
	static const char *const units[] = {
		"{\"code\":\"1-1-101\",\"area\":\"80\"}", "{\"code\":\"1-2-101\",\"area\":\"90\"}",
		"{\"code\":\"2-1-101\",\"area\":\"70\"}",
	};
	enum pm_upsert did;
	struct pm_err e;
	json_t *u;

	if (db)
		return db;
	snprintf(dir, sizeof dir, "/tmp/pm-fuzz-arrears.XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof path, "%s/pm.db", dir);
	if (pm_db_open(path, PM_DB_CREATE, &db, &e))
		abort();
	atexit(remove_store);
	if (pm_config_init(db, "测试", "Asia/Shanghai", &e))
		abort();
	for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
		u = json_loads(units[i], 0, NULL);
		if (pm_db_begin(db, &e) || pm_unit_upsert(db, u, &did, &e) || pm_db_commit(db, &e))
			abort();
		json_decref(u);
	}
	return db;
}

static void render_all(const struct pm_report *r)
{
	static const enum pm_render_format fmts[] = {PM_RENDER_TABLE, PM_RENDER_JSONL, PM_RENDER_CSV,
						     PM_RENDER_TSV, PM_RENDER_HTML, PM_RENDER_SVG};
	struct pm_err e;
	FILE *f;

	for (size_t i = 0; i < sizeof fmts / sizeof *fmts; i++)
		if ((f = fopen("/dev/null", "w"))) {
			pm_render(r, fmts[i], NULL, f, &e);
			fclose(f);
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pm_report_query q = {.from = {1970, 1}, .to = {9999, 12}, .as_of = 20800};
	struct pm_db *db = store();
	char *copy = malloc(size + 1);
	struct pm_arrears *a = NULL;
	struct pm_report *r = NULL;
	struct pm_jsonl *in;
	struct pm_err e;
	long read, skipped;
	json_t *rec;
	FILE *f;

	if (!copy || !size || !(f = fmemopen(memcpy(copy, data, size), size, "r"))) {
		free(copy);
		return 0;
	}
	if (pm_arrears_open(db, &q, &a, &e) == PM_OK && pm_jsonl_open_file(f, "fuzz", PM_JSONL_ONLY, &in, &e) == PM_OK) {
		while (pm_jsonl_next(in, &rec, &e) == PM_EDATA || rec)
			if (rec && pm_arrears_add(a, rec, &e) == PM_OK && pm_arrears_add(a, rec, &e) != PM_EDATA)
				abort();
		pm_jsonl_close(in);
		if (pm_arrears_finish(a, &r, &read, &skipped, &e) == PM_OK)
			render_all(r);
		pm_report_free(r);
	}
	pm_arrears_close(a);
	fclose(f);
	free(copy);
	return 0;
}
