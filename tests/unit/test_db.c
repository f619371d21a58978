#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "pm/db.h"
#include "tstore.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int raw_exec(const char *path, const char *sql)
{
	sqlite3 *h;
	int rc;

	if (sqlite3_open(path, &h) != SQLITE_OK)
		return -1;
	rc = sqlite3_exec(h, sql, NULL, NULL, NULL);
	sqlite3_close(h);
	return rc;
}

static void add_buildings(struct pm_db *db, int from, int to)
{
	static const char sql[] = "INSERT INTO building (code, name) VALUES (?, ?)";
	struct pm_err e = {0};
	char code[16], name[32];

	assert_int_equal(pm_db_begin(db, &e), PM_OK);
	for (int i = from; i <= to; i++) {
		sqlite3_stmt *st = pm_db_stmt(db, sql, &e);
		assert_non_null(st);
		snprintf(code, sizeof code, "%d", i);
		snprintf(name, sizeof name, "%d号楼", i);
		sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	}
	assert_int_equal(pm_db_commit(db, &e), PM_OK);
}

static void test_create_and_open(void **state)
{
	struct tstore *t = T(state);
	struct pm_db *db = NULL;
	struct pm_err e = {0};
	char want[256];
	struct stat sb;

	assert_int_equal(stat(t->path, &sb), 0);
	assert_string_equal(pm_db_path(t->db), t->path);
	pm_db_close(t->db);
	t->db = NULL;

	assert_int_equal(pm_db_open(t->path, 0, &db, &e), PM_OK);
	assert_non_null(db);
	pm_db_close(db);

	db = (struct pm_db *)1;
	assert_int_equal(pm_db_open(t->path, PM_DB_CREATE, &db, &e), PM_ECANTCREAT);
	assert_null(db);
	snprintf(want, sizeof want, "'%s' already exists: refusing to overwrite a store", t->path);
	assert_string_equal(e.msg, want);
}

static void test_missing_store(void **state)
{
	struct tstore *t = T(state);
	struct pm_db *db = (struct pm_db *)1;
	struct pm_err e = {0};
	char path[128], want[256];
	struct stat sb;

	tstore_file(t, "none.db", path, sizeof path);
	assert_int_equal(pm_db_open(path, 0, &db, &e), PM_ENOINPUT);
	assert_null(db);
	snprintf(want, sizeof want, "no store at '%s': run 'pm init' or give --db", path);
	assert_string_equal(e.msg, want);
	assert_int_equal(pm_db_open(path, PM_DB_READONLY, &db, &e), PM_ENOINPUT);
	assert_int_not_equal(stat(path, &sb), 0);
}

static void test_schema_version(void **state)
{
	struct tstore *t = T(state);
	struct pm_db *db;
	struct pm_err e = {0};
	char want[16];

	assert_true(pm_db_schema_version() >= 1);
	snprintf(want, sizeof want, "%d", pm_db_schema_version());
	assert_string_equal(tstore_sql(t->db, "PRAGMA user_version"), want);
	assert_string_equal(tstore_sql(t->db, "PRAGMA journal_mode"), "wal");
	assert_string_equal(tstore_sql(t->db, "PRAGMA foreign_keys"), "1");

	/* A second open finds the schema current and runs nothing again: a
	 * migration run twice would fail on its CREATE TABLE, and the row
	 * written in between would be gone if the store were remade. */
	add_buildings(t->db, 1, 1);
	pm_db_close(t->db);
	t->db = NULL;
	assert_int_equal(pm_db_open(t->path, 0, &db, &e), PM_OK);
	assert_string_equal(tstore_sql(db, "PRAGMA user_version"), want);
	assert_string_equal(tstore_sql(db, "SELECT name FROM building"), "1号楼");
	pm_db_close(db);
}

/* A file that is no store is refused and left as it is: another
 * program's database, an empty file, a text file. */
static void test_refuses_what_is_no_store(void **state)
{
	struct tstore *t = T(state);
	struct pm_db *db = (struct pm_db *)1;
	struct pm_err e = {0};
	char path[128], want[256];
	FILE *f;

	tstore_file(t, "other.db", path, sizeof path);
	assert_int_equal(raw_exec(path, "CREATE TABLE keep (x INTEGER)"), SQLITE_OK);
	assert_int_equal(pm_db_open(path, 0, &db, &e), PM_ENOINPUT);
	assert_null(db);
	snprintf(want, sizeof want, "'%s' is not a pm store: an SQLite database without pm's tables", path);
	assert_string_equal(e.msg, want);
	assert_int_equal(raw_exec(path, "SELECT 1 FROM keep"), SQLITE_OK);
	assert_int_equal(raw_exec(path, "SELECT 1 FROM audit"), SQLITE_ERROR);

	tstore_file(t, "empty.db", path, sizeof path);
	assert_non_null(f = fopen(path, "w"));
	fclose(f);
	assert_int_equal(pm_db_open(path, 0, &db, &e), PM_ENOINPUT);
	snprintf(want, sizeof want, "'%s' is empty, not a pm store: give --db the store, or make one with pm init", path);
	assert_string_equal(e.msg, want);
	assert_int_equal(pm_db_open(path, PM_DB_READONLY, &db, &e), PM_ENOINPUT);

	tstore_file(t, "notes.txt", path, sizeof path);
	assert_non_null(f = fopen(path, "w"));
	fputs("these are not the droids\n", f);
	fclose(f);
	assert_int_equal(pm_db_open(path, 0, &db, &e), PM_ENOINPUT);
	snprintf(want, sizeof want, "'%s' is not a pm store: not an SQLite database", path);
	assert_string_equal(e.msg, want);
}

static void test_newer_store_refused(void **state)
{
	struct tstore *t = T(state);
	struct pm_db *db = (struct pm_db *)1;
	struct pm_err e = {0};
	char sql[64], want[256];
	char *before, *after;
	size_t nb, na;
	int newer = pm_db_schema_version() + 1;

	pm_db_close(t->db);
	t->db = NULL;
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", newer);
	assert_int_equal(raw_exec(t->path, sql), SQLITE_OK);
	before = slurp(t->path, &nb);

	assert_int_equal(pm_db_open(t->path, 0, &db, &e), PM_ECONFIG);
	assert_null(db);
	snprintf(want, sizeof want, "'%s' was made by a newer pm (schema %d, this pm knows %d): upgrade pm",
		 t->path, newer, pm_db_schema_version());
	assert_string_equal(e.msg, want);

	after = slurp(t->path, &na);
	assert_int_equal(na, nb);
	assert_memory_equal(after, before, nb);
	free(before);
	free(after);
}

static void test_newer_rollback_store_untouched(void **state)
{
	struct tstore *t = T(state);
	struct pm_db *db = (struct pm_db *)1;
	struct pm_err e = {0};
	char sql[96];
	char *before, *after;
	size_t nb, na;

	/* Not even the journal mode may change in a store this pm cannot read. */
	pm_db_close(t->db);
	t->db = NULL;
	snprintf(sql, sizeof sql, "PRAGMA journal_mode = DELETE; PRAGMA user_version = %d",
		 pm_db_schema_version() + 1);
	assert_int_equal(raw_exec(t->path, sql), SQLITE_OK);
	before = slurp(t->path, &nb);
	assert_int_equal(pm_db_open(t->path, 0, &db, &e), PM_ECONFIG);
	after = slurp(t->path, &na);
	assert_int_equal(na, nb);
	assert_memory_equal(after, before, nb);
	free(before);
	free(after);
}

static void test_stmt_cache(void **state)
{
	static const char one[] = "SELECT ?1 + 1";
	static const char same_text[] = "SELECT ?1 + 1";
	struct tstore *t = T(state);
	struct pm_err e = {0};
	sqlite3_stmt *a, *b, *c;

	a = pm_db_stmt(t->db, one, &e);
	assert_non_null(a);
	sqlite3_bind_int(a, 1, 41);
	assert_int_equal(sqlite3_step(a), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(a, 0), 42);

	/* The same string gives the same statement, reset and unbound. */
	b = pm_db_stmt(t->db, one, &e);
	assert_ptr_equal(a, b);
	assert_int_equal(sqlite3_step(b), SQLITE_ROW);
	assert_int_equal(sqlite3_column_type(b, 0), SQLITE_NULL);

	/* The key is the address, not the text. */
	c = pm_db_stmt(t->db, same_text, &e);
	assert_non_null(c);
	assert_ptr_not_equal(c, a);
	assert_ptr_equal(pm_db_stmt(t->db, same_text, &e), c);
}

static void test_stmt_bad_sql(void **state)
{
	static const char bad[] = "SELEKT 1";
	struct tstore *t = T(state);
	struct pm_err e = {0};

	assert_null(pm_db_stmt(t->db, bad, &e));
	assert_int_equal(e.code, PM_EFAIL);
	assert_string_equal(e.msg, "cannot prepare a query: near \"SELEKT\": syntax error");
	/* A failed prepare is not cached: it fails again the same way. */
	assert_null(pm_db_stmt(t->db, bad, &e));
}

static void test_begin_commit_rollback(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};

	assert_int_equal(pm_db_begin(t->db, &e), PM_OK);
	assert_int_equal(pm_db_exec(t->db, "INSERT INTO building (code) VALUES ('A')", &e), PM_OK);
	pm_db_rollback(t->db);
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM building"), "0");
	assert_int_not_equal(sqlite3_get_autocommit(pm_db_sqlite(t->db)), 0);

	/* Rolling back with no transaction open does nothing. */
	pm_db_rollback(t->db);

	assert_int_equal(pm_db_begin(t->db, &e), PM_OK);
	assert_int_equal(pm_db_exec(t->db, "INSERT INTO building (code) VALUES ('B')", &e), PM_OK);
	assert_int_equal(pm_db_commit(t->db, &e), PM_OK);
	assert_string_equal(tstore_sql(t->db, "SELECT group_concat(code) FROM building"), "B");

	/* A constraint is bad data; a commit with nothing open fails. */
	assert_int_equal(pm_db_exec(t->db, "INSERT INTO building (code) VALUES ('B')", &e), PM_EDATA);
	assert_string_equal(e.msg, "store: UNIQUE constraint failed: building.code");
	assert_int_equal(pm_db_commit(t->db, &e), PM_EFAIL);
	assert_string_equal(e.msg, "cannot commit: cannot commit - no transaction is active");
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static void test_busy_is_tempfail(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	struct timespec t0;
	struct pm_db *db = (struct pm_db *)1;
	sqlite3 *other;
	char want[256];
	long ms;

	setenv("PM_BUSY_TIMEOUT", "soon", 1);
	assert_int_equal(pm_db_open(t->path, 0, &db, &e), PM_ECONFIG);
	assert_null(db);
	assert_string_equal(e.msg, "PM_BUSY_TIMEOUT 'soon' is not a time: give seconds (30) or a number with ms, s or m (500ms, 2m)");
	setenv("PM_BUSY_TIMEOUT", "600ms", 1);
	assert_int_equal(pm_db_open(t->path, 0, &db, &e), PM_OK);
	unsetenv("PM_BUSY_TIMEOUT");
	assert_int_equal(sqlite3_open(t->path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);

	/* A write waits out the handle's time, then says busy. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(pm_db_exec(db, "INSERT INTO building (code) VALUES ('A')", &e), PM_ETEMPFAIL);
	ms = ms_since(&t0);
	assert_true(ms >= 550 && ms < 3000);
	snprintf(want, sizeof want,
		 "store busy, try again: another program kept '%s' locked for writing (PM_BUSY_TIMEOUT)", t->path);
	assert_string_equal(e.msg, want);

	/* The time is the handle's in all: a second wait gives up at once. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(pm_db_begin(db, &e), PM_ETEMPFAIL);
	assert_true(ms_since(&t0) < 300);
	assert_string_equal(e.msg, want);
	pm_db_close(db);

	assert_int_equal(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	assert_int_equal(pm_db_begin(t->db, &e), PM_OK);
	pm_db_rollback(t->db);
}

static void test_begin_waits_for_writer(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	struct timespec t0, t1, hold = {0, 300 * 1000 * 1000};
	int p[2], status;
	pid_t pid;
	char c;
	long ms;

	/* Another process writes for 0.3 s; pm_db_begin waits, then wins. */
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		sqlite3 *h;
		int ok = sqlite3_open(t->path, &h) == SQLITE_OK &&
			 sqlite3_exec(h, "BEGIN IMMEDIATE; INSERT INTO building (code) VALUES ('W')", NULL, NULL, NULL) == SQLITE_OK;
		if (write(p[1], ok ? "y" : "n", 1) != 1)
			_exit(2);
		nanosleep(&hold, NULL);
		ok = ok && sqlite3_exec(h, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
		_exit(ok ? 0 : 1);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	assert_int_equal(c, 'y');
	close(p[0]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(pm_db_begin(t->db, &e), PM_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 100);
	assert_int_equal(pm_db_exec(t->db, "INSERT INTO building (code) VALUES ('P')", &e), PM_OK);
	assert_int_equal(pm_db_commit(t->db, &e), PM_OK);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_string_equal(tstore_sql(t->db, "SELECT group_concat(code, ' ') FROM (SELECT code FROM building ORDER BY id)"), "W P");
}

#define ROWS_SQL "SELECT count(*) || ':' || group_concat(code || '=' || name, ',') FROM (SELECT * FROM building ORDER BY id)"

static void test_backup(void **state)
{
	struct tstore *t = T(state);
	struct pm_db *copy;
	struct pm_err e = {0};
	char path[128], rows[1024], want[256];
	struct stat sb;

	add_buildings(t->db, 1, 30);
	snprintf(rows, sizeof rows, "%s", tstore_sql(t->db, ROWS_SQL));
	assert_int_equal(strncmp(rows, "30:1=1号楼,2=2号楼,", 20), 0);

	tstore_file(t, "copy.db", path, sizeof path);
	assert_int_equal(pm_db_backup(t->db, path, NULL, NULL, &e), PM_OK);
	/* Rows written after the copy are not in it. */
	add_buildings(t->db, 31, 31);

	assert_int_equal(pm_db_open(path, PM_DB_READONLY, &copy, &e), PM_OK);
	assert_string_equal(tstore_sql(copy, ROWS_SQL), rows);
	/* A single file: the copy is in rollback-journal mode, no -wal. */
	assert_string_equal(tstore_sql(copy, "PRAGMA journal_mode"), "delete");
	pm_db_close(copy);
	tstore_file(t, "copy.db-wal", want, sizeof want);
	assert_int_not_equal(stat(want, &sb), 0);

	/* A copy to a directory that does not exist fails, saying where. */
	tstore_file(t, "no/such/dir.db", path, sizeof path);
	assert_int_equal(pm_db_backup(t->db, path, NULL, NULL, &e), PM_ECANTCREAT);
	assert_non_null(strstr(e.msg, "cannot create '"));
}

static void test_restore(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	struct pm_db *old;
	char copy[128], want[256], rows[1024];
	char *aside = NULL;

	add_buildings(t->db, 1, 3);
	snprintf(rows, sizeof rows, "%s", tstore_sql(t->db, ROWS_SQL));
	tstore_file(t, "copy.db", copy, sizeof copy);
	assert_int_equal(pm_db_backup(t->db, copy, NULL, NULL, &e), PM_OK);
	add_buildings(t->db, 4, 5);
	pm_db_close(t->db);
	t->db = NULL;

	setenv("PM_NOW", "2024-05-06T07:08:09Z", 1);
	assert_int_equal(pm_db_restore(t->path, copy, NULL, NULL, &aside, &e), PM_OK);
	snprintf(want, sizeof want, "%s.before-restore-1714979289", t->path);
	assert_non_null(aside);
	assert_string_equal(aside, want);

	assert_int_equal(pm_db_open(t->path, 0, &t->db, &e), PM_OK);
	assert_string_equal(tstore_sql(t->db, ROWS_SQL), rows);
	/* The store as it was is kept aside, whole. */
	assert_int_equal(pm_db_open(aside, PM_DB_READONLY, &old, &e), PM_OK);
	assert_string_equal(tstore_sql(old, "SELECT count(*) FROM building"), "5");
	pm_db_close(old);
	free(aside);
}

/* Refuses the copy, after checking it is checked beside the store (ctx). */
static int refuse_part(void *ctx, const char *path, struct pm_err *e)
{
	const char *store = ctx;

	assert_true(strncmp(path, store, strlen(store)) == 0);
	assert_non_null(strstr(path, ".part"));
	return pm_err_set(e, PM_EDATA, "refused");
}

static void test_restore_refuses(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	char path[128], want[256], aside_path[160];
	char *aside = (char *)1;
	struct stat sb;
	FILE *f;

	add_buildings(t->db, 1, 2);
	setenv("PM_NOW", "2024-05-06T07:08:09Z", 1);
	snprintf(aside_path, sizeof aside_path, "%s.before-restore-1714979289", t->path);

	tstore_file(t, "notes.txt", path, sizeof path);
	f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < 200; i++)
		fputs("this is not a store, only some notes about the community\n", f);
	fclose(f);
	assert_int_equal(pm_db_restore(t->path, path, NULL, NULL, &aside, &e), PM_EDATA);
	assert_null(aside);
	snprintf(want, sizeof want, "'%s' is not a sound pm store: refusing to restore it", path);
	assert_string_equal(e.msg, want);

	/* A sound SQLite file that pm did not make. */
	tstore_file(t, "other.db", path, sizeof path);
	assert_int_equal(raw_exec(path, "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)"), SQLITE_OK);
	assert_int_equal(pm_db_restore(t->path, path, NULL, NULL, &aside, &e), PM_EDATA);
	snprintf(want, sizeof want, "'%s' is not a pm store", path);
	assert_string_equal(e.msg, want);

	tstore_file(t, "gone.db", path, sizeof path);
	assert_int_equal(pm_db_restore(t->path, path, NULL, NULL, &aside, &e), PM_ENOINPUT);

	/* A sound copy the caller's check refuses: checked beside the store,
	 * as a part file, which goes. */
	tstore_file(t, "sound.db", path, sizeof path);
	assert_int_equal(pm_db_backup(t->db, path, NULL, NULL, &e), PM_OK);
	assert_int_equal(pm_db_restore(t->path, path, refuse_part, t->path, &aside, &e), PM_EDATA);
	assert_string_equal(e.msg, "refused");

	/* Nothing was replaced and nothing set aside. */
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM building"), "2");
	assert_int_not_equal(stat(aside_path, &sb), 0);
}

static void test_pm_now(void **state)
{
	time_t before = time(NULL);
	long long now;

	setenv("PM_NOW", "2024-01-02T03:04:05Z", 1);
	assert_int_equal(pm_now(), 1704164645LL);
	setenv("PM_NOW", "2024-01-02T11:04:05+08:00", 1);
	assert_int_equal(pm_now(), 1704164645LL);
	/* Parsed once per value, each new value read anew. */
	setenv("PM_NOW", "2026-12-01T09:00:00+08:00", 1);
	assert_int_equal(pm_now(), 1796086800LL);
	assert_int_equal(pm_now(), 1796086800LL);
	setenv("PM_NOW", "2024-01-02T03:04:05Z", 1);
	assert_int_equal(pm_now(), 1704164645LL);
	setenv("PM_NOW", "yesterday", 1);
	now = pm_now();
	assert_true(now >= before && now <= time(NULL));
	setenv("PM_NOW", "2024-01-02T03:04:05Z", 1);
	assert_int_equal(pm_now(), 1704164645LL);
	/* Unset, empty or unreadable: the real clock. */
	setenv("PM_NOW", "yesterday", 1);
	now = pm_now();
	assert_true(now >= before && now <= time(NULL));
	setenv("PM_NOW", "", 1);
	now = pm_now();
	assert_true(now >= before && now <= time(NULL));
	unsetenv("PM_NOW");
	now = pm_now();
	assert_true(now >= before && now <= time(NULL));
}

static void test_actor_and_tz(void **state)
{
	struct tstore *t = T(state);

	assert_string_equal(pm_db_actor(t->db), "system");
	pm_db_set_actor(t->db, "wang.manager");
	assert_string_equal(pm_db_actor(t->db), "wang.manager");
	/* No config applied yet: the default zone. */
	assert_string_equal(pm_db_tz(t->db), "Asia/Shanghai");
}

/* A long-lived handle (pm-web's FastCGI mode) prepares more different
 * statements than the cache holds: the cache makes room, and never from a
 * statement someone is stepping through. */
static void test_stmt_cache_full(void **state)
{
	static char sql[300][40];
	struct pm_db *db = T(state)->db;
	struct pm_err e;
	sqlite3_stmt *busy, *st;

	snprintf(sql[0], sizeof sql[0], "VALUES (1), (2), (3)");
	assert_non_null(busy = pm_db_stmt(db, sql[0], &e));
	assert_int_equal(sqlite3_step(busy), SQLITE_ROW);
	for (int i = 1; i < 300; i++) {
		snprintf(sql[i], sizeof sql[i], "SELECT %d", i);
		assert_non_null(st = pm_db_stmt(db, sql[i], &e));
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(st, 0), i);
		sqlite3_reset(st);
	}
	assert_int_equal(sqlite3_step(busy), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(busy, 0), 2);
	assert_ptr_equal(pm_db_stmt(db, sql[299], &e), pm_db_stmt(db, sql[299], &e));
	sqlite3_reset(busy);
}

/* Today is the community's day: 23:30 UTC on 31 December is already New
 * Year's Day in Shanghai. */
static void test_today(void **state)
{
	struct tstore *t = T(state);

	setenv("PM_NOW", "2026-12-31T23:30:00Z", 1);
	assert_int_equal(pm_db_today(t->db), 20819); /* 2027-01-01 */
	setenv("PM_NOW", "2026-12-31T15:59:59Z", 1);
	assert_int_equal(pm_db_today(t->db), 20818);
	unsetenv("PM_NOW");
}

/* A write that fails says why, mapped like pm_db_fail, and leaves its
 * statement reset for the next use. */
static void test_step_done(void **state)
{
	static const char sql[] = "INSERT INTO t (k) VALUES (?1)";
	struct tstore *t = T(state);
	struct pm_err e = {0};
	sqlite3_stmt *st;

	assert_int_equal(pm_db_exec(t->db, "CREATE TABLE t (k TEXT NOT NULL UNIQUE)", &e), PM_OK);
	assert_non_null(st = pm_db_stmt(t->db, sql, &e));
	sqlite3_bind_text(st, 1, "a", -1, SQLITE_STATIC);
	assert_int_equal(pm_db_step_done(t->db, st, "cannot store t", &e), PM_OK);
	sqlite3_bind_text(st, 1, "a", -1, SQLITE_STATIC);
	assert_int_equal(pm_db_step_done(t->db, st, "cannot store t", &e), PM_EDATA);
	assert_non_null(strstr(e.msg, "cannot store t"));
	assert_non_null(strstr(e.msg, "UNIQUE"));
	sqlite3_bind_text(st, 1, "b", -1, SQLITE_STATIC);
	assert_int_equal(pm_db_step_done(t->db, st, "cannot store t", &e), PM_OK);
	assert_string_equal(tstore_sql(t->db, "SELECT group_concat(k) FROM t"), "a,b");
}

/* The buildings the handle counts through its statement cache, as the
 * library reads. */
static int buildings(struct pm_db *db)
{
	static const char sql[] = "SELECT count(*) FROM building";
	struct pm_err e = {0};
	sqlite3_stmt *st = pm_db_stmt(db, sql, &e);
	int n;

	assert_non_null(st);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return n;
}

static void add_building(struct pm_db *db, const char *code)
{
	static const char sql[] = "INSERT INTO building (code) VALUES (?)";
	struct pm_err e = {0};
	sqlite3_stmt *st = pm_db_stmt(db, sql, &e);

	assert_non_null(st);
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	assert_int_equal(pm_db_step_done(db, st, "building", &e), PM_OK);
}

static void test_read_snapshot(void **state)
{
	struct tstore *t = T(state);
	sqlite3 *h = pm_db_sqlite(t->db);
	struct pm_err e = {0};
	sqlite3_stmt *st;

	/* Without pm_db_read each statement reads the newest state. */
	assert_int_equal(buildings(t->db), 0);
	assert_int_equal(raw_exec(t->path, "INSERT INTO building (code) VALUES ('A')"), SQLITE_OK);
	assert_int_equal(buildings(t->db), 1);
	assert_int_not_equal(sqlite3_get_autocommit(h), 0);

	/* Under it the reads share one read transaction: another program
	 * commits beside it (WAL), unseen until it ends. */
	pm_db_read(t->db);
	assert_int_equal(buildings(t->db), 1);
	assert_int_equal(sqlite3_get_autocommit(h), 0);
	assert_int_equal(raw_exec(t->path, "INSERT INTO building (code) VALUES ('B')"), SQLITE_OK);
	assert_int_equal(buildings(t->db), 1);
	pm_db_read_end(t->db);
	assert_int_not_equal(sqlite3_get_autocommit(h), 0);
	assert_int_equal(buildings(t->db), 2);

	/* A statement that writes ends it first: the write commits on its
	 * own, and what follows reads the newest state, as without it. A
	 * statement still stepping through rows reads on. */
	pm_db_read(t->db);
	assert_int_equal(buildings(t->db), 2);
	st = pm_db_stmt(t->db, "SELECT code FROM building ORDER BY code", &e);
	assert_non_null(st);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "A");
	add_building(t->db, "C");
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "B");
	sqlite3_reset(st);
	assert_int_not_equal(sqlite3_get_autocommit(h), 0);
	assert_int_equal(raw_exec(t->path, "INSERT INTO building (code) VALUES ('D')"), SQLITE_OK);
	assert_int_equal(buildings(t->db), 4);

	/* So does pm_db_begin: the write sees what others committed since
	 * the snapshot. */
	pm_db_read(t->db);
	assert_int_equal(buildings(t->db), 4);
	assert_int_equal(raw_exec(t->path, "INSERT INTO building (code) VALUES ('E')"), SQLITE_OK);
	assert_int_equal(pm_db_begin(t->db, &e), PM_OK);
	assert_int_equal(buildings(t->db), 5);
	add_building(t->db, "F");
	assert_int_equal(pm_db_commit(t->db, &e), PM_OK);
	assert_int_equal(raw_exec(t->path, "INSERT INTO building (code) VALUES ('G')"), SQLITE_OK);
	assert_int_equal(buildings(t->db), 7);

	/* And pm_db_exec, and a rollback on a way out. */
	pm_db_read(t->db);
	assert_int_equal(buildings(t->db), 7);
	assert_int_equal(pm_db_exec(t->db, "INSERT INTO building (code) VALUES ('H')", &e), PM_OK);
	assert_int_not_equal(sqlite3_get_autocommit(h), 0);
	pm_db_read(t->db);
	assert_int_equal(buildings(t->db), 8);
	pm_db_rollback(t->db);
	assert_int_not_equal(sqlite3_get_autocommit(h), 0);
	assert_int_equal(raw_exec(t->path, "INSERT INTO building (code) VALUES ('I')"), SQLITE_OK);
	assert_int_equal(buildings(t->db), 9);
	pm_db_read_end(NULL);
}

#define STORE_TEST(f) cmocka_unit_test_setup_teardown(f, tstore_setup, tstore_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		STORE_TEST(test_create_and_open),
		STORE_TEST(test_stmt_cache_full),
		STORE_TEST(test_missing_store),
		STORE_TEST(test_schema_version),
		STORE_TEST(test_refuses_what_is_no_store),
		STORE_TEST(test_newer_store_refused),
		STORE_TEST(test_newer_rollback_store_untouched),
		STORE_TEST(test_stmt_cache),
		STORE_TEST(test_stmt_bad_sql),
		STORE_TEST(test_begin_commit_rollback),
		STORE_TEST(test_read_snapshot),
		STORE_TEST(test_busy_is_tempfail),
		STORE_TEST(test_begin_waits_for_writer),
		STORE_TEST(test_backup),
		STORE_TEST(test_restore),
		STORE_TEST(test_restore_refuses),
		cmocka_unit_test(test_pm_now),
		STORE_TEST(test_actor_and_tz),
		STORE_TEST(test_today),
		STORE_TEST(test_step_done),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
