/* Shared by the unit tests that need a store: each test gets a fresh one
 * in its own directory under /tmp, removed afterwards. */
#ifndef PM_TSTORE_H
#define PM_TSTORE_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pm/db.h"

struct tstore {
	char dir[64];
	char path[96];
	struct pm_db *db;
};

/* dir/name into buf. */
static inline const char *tstore_file(const struct tstore *t, const char *name, char *buf,
				      size_t n)
{
	snprintf(buf, n, "%s/%s", t->dir, name);
	return buf;
}

static inline int tstore_setup(void **state)
{
	struct tstore *t = calloc(1, sizeof *t);
	struct pm_err e = {0};

	if (!t)
		return -1;
	snprintf(t->dir, sizeof t->dir, "/tmp/pm-unit.XXXXXX");
	if (!mkdtemp(t->dir)) {
		free(t);
		return -1;
	}
	tstore_file(t, "pm.db", t->path, sizeof t->path);
	if (pm_db_open(t->path, PM_DB_CREATE, &t->db, &e) != PM_OK) {
		fprintf(stderr, "tstore: %s\n", e.msg);
		rmdir(t->dir);
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static inline int tstore_teardown(void **state)
{
	struct tstore *t = *state;
	struct dirent *d;
	char path[384];
	DIR *dir;

	pm_db_close(t->db);
	if ((dir = opendir(t->dir))) {
		while ((d = readdir(dir)))
			if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0) {
				snprintf(path, sizeof path, "%s/%s", t->dir, d->d_name);
				unlink(path);
			}
		closedir(dir);
	}
	rmdir(t->dir);
	free(t);
	unsetenv("PM_NOW");
	return 0;
}

/* The first column of the first row of a query, as text ("" for none or
 * NULL); for asserting on rows in the store. A write refused for not
 * logging its keys for the change feed runs again through pm_db_exec,
 * which logs them as pm does. */
static inline const char *tstore_sql(struct pm_db *db, const char *sql)
{
	static char buf[1024];
	struct pm_err e = {0};
	sqlite3_stmt *st;
	int rc;

	buf[0] = '\0';
	if (sqlite3_prepare_v2(pm_db_sqlite(db), sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(buf, sizeof buf, "SQL ERROR: %s", sqlite3_errmsg(pm_db_sqlite(db)));
		return buf;
	}
	if ((rc = sqlite3_step(st)) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(buf, sizeof buf, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE && pm_db_exec(db, sql, &e) != PM_OK)
		snprintf(buf, sizeof buf, "SQL ERROR: %s", e.msg);
	return buf;
}

#define T(state) ((struct tstore *)*(state))

#endif
