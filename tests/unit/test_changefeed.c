/* The change feed's log: lib/db.c's preupdate hook notes the key of every
 * row of a table in the feed that a write changes, however the write
 * changes it, and pm_db_commit writes them into change_log with the
 * transaction; a rollback or a killed run leaves none. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/wait.h>

#include "pm/db.h"
#include "tstore.h"

/* The text sql (one row, ?1 a seq) answers after seq from. */
static char *text_after(struct pm_db *db, const char *sql, int64_t from)
{
	struct pm_err e = {0};
	sqlite3_stmt *st = pm_db_stmt(db, sql, &e);
	char *s;

	assert_non_null(st);
	sqlite3_bind_int64(st, 1, from);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	s = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return s;
}

/* "tbl pk" of each key logged after seq from, in order, ';'-joined: a
 * row of many keys (a packed run, pk an array of arrays) as its keys one
 * after the other, as pm export reads it. */
static char *logged(struct pm_db *db, int64_t from)
{
	static const char sql[] =
		"SELECT coalesce(group_concat(tbl || ' ' || pk, ';'), '') FROM"
		" (SELECT tbl, pk, seq, 0 AS n FROM change_log WHERE seq > ?1 AND pk NOT LIKE '[[%'"
		" UNION ALL SELECT c.tbl, j.value, c.seq, j.key FROM change_log c, json_each(c.pk) j"
		" WHERE c.seq > ?1 AND c.pk LIKE '[[%' ORDER BY seq, n)";

	return text_after(db, sql, from);
}

static int64_t head(struct pm_db *db)
{
	static const char sql[] = "SELECT coalesce(max(seq), 0) FROM change_log";
	struct pm_err e = {0};
	sqlite3_stmt *st = pm_db_stmt(db, sql, &e);
	int64_t n;

	assert_non_null(st);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

/* sql in one transaction through the library's commit path. */
static void write_sql(struct pm_db *db, const char *sql)
{
	struct pm_err e = {0};

	assert_int_equal(pm_db_begin(db, &e), PM_OK);
	if (pm_db_exec(db, sql, &e) != PM_OK)
		fail_msg("%s: %s", sql, e.msg);
	assert_int_equal(pm_db_commit(db, &e), PM_OK);
}

static void expect_log(struct pm_db *db, int64_t from, const char *want)
{
	char *got = logged(db, from);

	assert_string_equal(got, want);
	free(got);
}

static void setup_rows(struct pm_db *db)
{
	write_sql(db, "INSERT INTO building (id, code) VALUES (1, 'B1'), (2, 'B2');"
		      "INSERT INTO meter (id, code, kind, scope, building_id, multiplier, digits, uom, installed_at,"
		      " initial, created_at, updated_at) VALUES (7, 'W-1', 'water', 'building', 1, 1, 6, 'm3', 0, 0, 0, 0);"
		      "INSERT INTO reading (meter_id, ts, value) VALUES (7, 100, 5), (7, 200, 9)");
}

static void test_insert_update_delete(void **state)
{
	struct tstore *t = *state;
	int64_t from = head(t->db);

	setup_rows(t->db);
	expect_log(t->db, from, "building [1];building [2];meter [7];reading [7,100];reading [7,200]");
	from = head(t->db);
	write_sql(t->db, "UPDATE building SET name = 'x' WHERE id = 2; DELETE FROM reading WHERE ts = 100");
	expect_log(t->db, from, "building [2];reading [7,100]");
}

/* A key an update changes is logged as it was (now a delete) and as it is. */
static void test_key_change(void **state)
{
	struct tstore *t = *state;
	int64_t from;

	setup_rows(t->db);
	from = head(t->db);
	write_sql(t->db, "UPDATE building SET id = 5 WHERE id = 2; UPDATE reading SET ts = 300 WHERE ts = 200");
	expect_log(t->db, from, "building [2];building [5];reading [7,200];reading [7,300]");
}

/* REPLACE deletes the row it conflicts with, whose key may be another's;
 * an upsert that updates logs the row it updated. */
static void test_replace_and_upsert(void **state)
{
	struct tstore *t = *state;
	int64_t from;

	setup_rows(t->db);
	from = head(t->db);
	write_sql(t->db, "INSERT OR REPLACE INTO building (id, code) VALUES (3, 'B2');"
		      "INSERT INTO reading (meter_id, ts, value) VALUES (7, 200, 11)"
		      " ON CONFLICT (meter_id, ts) DO UPDATE SET value = excluded.value;"
		      "REPLACE INTO reading (meter_id, ts, value) VALUES (7, 100, 6)");
	expect_log(t->db, from, "building [2];building [3];reading [7,200];reading [7,100]");
}

/* DELETE without WHERE would truncate the table without visiting its
 * rows; with the hook SQLite visits each. */
static void test_delete_all(void **state)
{
	struct tstore *t = *state;
	int64_t from;

	setup_rows(t->db);
	from = head(t->db);
	write_sql(t->db, "DELETE FROM reading; DELETE FROM meter");
	expect_log(t->db, from, "reading [7,100];reading [7,200];meter [7]");
}

/* Rows changed by a trigger of the schema are logged as any others; a
 * temporary table of the same name is not the store's. */
static void test_trigger_and_temp(void **state)
{
	struct tstore *t = *state;
	int64_t from;

	setup_rows(t->db);
	write_sql(t->db, "CREATE TRIGGER t_entrance AFTER INSERT ON building BEGIN"
		      " INSERT INTO entrance (building_id, code) VALUES (NEW.id, 'E'); END");
	from = head(t->db);
	write_sql(t->db, "INSERT INTO building (id, code) VALUES (9, 'B9');"
		      "CREATE TEMP TABLE unit (id INTEGER PRIMARY KEY); INSERT INTO temp.unit VALUES (1)");
	expect_log(t->db, from, "building [9];entrance [1]");
}

/* Nothing of a rollback is logged, nor kept for the next commit; a
 * savepoint rolled back may leave its keys (the feed reads the row as it
 * is: a key without its row is a delete), never lose one. */
static void test_rollback(void **state)
{
	struct tstore *t = *state;
	struct pm_err e = {0};
	int64_t from;

	setup_rows(t->db);
	from = head(t->db);
	assert_int_equal(pm_db_begin(t->db, &e), PM_OK);
	assert_int_equal(pm_db_exec(t->db, "UPDATE building SET name = 'y' WHERE id = 1", &e), PM_OK);
	pm_db_rollback(t->db);
	assert_int_equal(pm_db_begin(t->db, &e), PM_OK);
	assert_int_equal(pm_db_exec(t->db, "UPDATE building SET name = 'z' WHERE id = 2", &e), PM_OK);
	assert_int_equal(pm_db_exec(t->db, "ROLLBACK", &e), PM_OK);
	write_sql(t->db, "SAVEPOINT s; UPDATE reading SET value = 1 WHERE ts = 100; ROLLBACK TO s; RELEASE s;"
		      "UPDATE meter SET uom = 'L'");
	expect_log(t->db, from, "reading [7,100];meter [7]");
}

/* COMMIT run as SQL through pm_db_exec is pm_db_commit. */
static void test_exec_commit(void **state)
{
	struct tstore *t = *state;
	struct pm_err e = {0};
	int64_t from;

	setup_rows(t->db);
	from = head(t->db);
	assert_int_equal(pm_db_exec(t->db, "BEGIN", &e), PM_OK);
	assert_int_equal(pm_db_exec(t->db, "UPDATE building SET name = 'w' WHERE id = 1", &e), PM_OK);
	assert_int_equal(pm_db_exec(t->db, "COMMIT", &e), PM_OK);
	expect_log(t->db, from, "building [1]");
}

/* A write outside a transaction through the library runs in one of its
 * own, logged; one that would commit without pm_db_commit another way is
 * refused whole, saying so: no change slips past the feed. */
static void test_slip_refused(void **state)
{
	struct tstore *t = *state;
	struct pm_err e = {0};
	sqlite3_stmt *st;
	int64_t from;

	setup_rows(t->db);
	from = head(t->db);
	assert_int_equal(pm_db_exec(t->db, "UPDATE building SET name = 'v' WHERE id = 1", &e), PM_OK);
	expect_log(t->db, from, "building [1]");
	from = head(t->db);
	assert_int_equal(sqlite3_exec(pm_db_sqlite(t->db), "DELETE FROM reading", NULL, NULL, NULL),
			 SQLITE_CONSTRAINT);
	assert_int_equal(pm_db_fail(t->db, &e, "deleting"), PM_ESOFTWARE);
	assert_string_equal(e.msg, "deleting: a change to 'reading' was to commit without pm_db_commit, which logs it"
				   " for the change feed: refused");
	assert_int_equal(sqlite3_prepare_v2(pm_db_sqlite(t->db), "SELECT count(*) FROM reading", -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 2);
	sqlite3_finalize(st);
	expect_log(t->db, from, "");
	/* and the next commit carries nothing of it */
	write_sql(t->db, "UPDATE meter SET uom = 'L'");
	expect_log(t->db, from, "meter [7]");
}

/* A run killed before its commit leaves neither its rows nor their keys. */
static void test_killed(void **state)
{
	struct tstore *t = *state;
	int64_t from;
	int status;
	pid_t pid;

	setup_rows(t->db);
	from = head(t->db);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct pm_err e = {0};
		struct pm_db *db;
		if (pm_db_open(t->path, 0, &db, &e) || pm_db_begin(db, &e) ||
		    pm_db_exec(db, "INSERT INTO building (code) VALUES ('K'); DELETE FROM reading", &e))
			_exit(1);
		raise(SIGKILL);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	expect_log(t->db, from, "");
	write_sql(t->db, "UPDATE meter SET uom = 'L'");
	expect_log(t->db, from, "meter [7]");
}

/* Keys of integers are written by the library, many a statement: each
 * as SQLite's json_array writes it (the sign, the extremes of int64), in
 * the order noted, across statements full and the rest after them. */
static void test_bulk_keys(void **state)
{
	static const char rows[] =
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 150),"
		" k(i, ts) AS (SELECT i, CASE i WHEN 1 THEN -9223372036854775807 - 1 WHEN 2 THEN 9223372036854775807"
		" WHEN 3 THEN 0 WHEN 4 THEN -1 ELSE (i * 7919 % 151) * 1000003 - 50000000 END FROM n)";
	static const char want[] =
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 150),"
		" k(i, ts) AS (SELECT i, CASE i WHEN 1 THEN -9223372036854775807 - 1 WHEN 2 THEN 9223372036854775807"
		" WHEN 3 THEN 0 WHEN 4 THEN -1 ELSE (i * 7919 % 151) * 1000003 - 50000000 END FROM n)"
		" SELECT group_concat(t, ';') FROM (SELECT 'reading ' || json_array(7, ts) AS t FROM k ORDER BY i)";
	struct tstore *t = *state;
	struct pm_err e = {0};
	sqlite3_stmt *st;
	char sql[1024], *got;
	int64_t from;

	setup_rows(t->db);
	from = head(t->db);
	snprintf(sql, sizeof sql, "%s INSERT INTO reading (meter_id, ts, value) SELECT 7, ts, i FROM k ORDER BY i", rows);
	write_sql(t->db, sql);
	got = logged(t->db, from);
	assert_non_null(st = pm_db_stmt(t->db, want, &e));
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal(got, (const char *)sqlite3_column_text(st, 0));
	assert_non_null(strstr(got, "reading [7,-9223372036854775808];reading [7,9223372036854775807];"
				    "reading [7,0];reading [7,-1];"));
	sqlite3_reset(st);
	free(got);
}

/* "tbl keys" of each change_log row after seq from: how the keys are
 * stored, a row each or many a row. */
static char *stored(struct pm_db *db, int64_t from)
{
	static const char sql[] =
		"SELECT coalesce(group_concat(tbl || ' ' || CASE WHEN pk LIKE '[[%' THEN json_array_length(pk)"
		" ELSE 1 END, ';'), '') FROM (SELECT tbl, pk FROM change_log WHERE seq > ?1 ORDER BY seq)";

	return text_after(db, sql, from);
}

static void expect_stored(struct pm_db *db, int64_t from, const char *want)
{
	char *got = stored(db, from);

	assert_string_equal(got, want);
	free(got);
}

/* n readings of meter 7 from time ts, in one transaction; with a building
 * renamed after the first half when split. */
static void write_readings(struct pm_db *db, int n, int64_t ts, int split)
{
	char sql[512];

	snprintf(sql, sizeof sql,
		 "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < %d - 1)"
		 " INSERT INTO reading (meter_id, ts, value) SELECT 7, %lld + i, i FROM n WHERE i < %d ORDER BY i;"
		 "%s"
		 "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < %d - 1)"
		 " INSERT INTO reading (meter_id, ts, value) SELECT 7, %lld + i, i FROM n WHERE i >= %d ORDER BY i",
		 n, (long long)ts, split ? n / 2 : n, split ? "UPDATE building SET name = 'x' WHERE id = 1;" : "",
		 n, (long long)ts, split ? n / 2 : n);
	write_sql(db, sql);
}

/* The keys every reading of meter 7 from ts to ts + n - 1 gives. */
static char *reading_keys(int64_t ts, int n, const char *between, int at)
{
	size_t cap = (size_t)n * 32 + 64, len = 0;
	char *s = malloc(cap);

	assert_non_null(s);
	s[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (i == at && between)
			len += (size_t)snprintf(s + len, cap - len, ";%s", between);
		len += (size_t)snprintf(s + len, cap - len, "%sreading [7,%lld]", i ? ";" : "", (long long)(ts + i));
	}
	return s;
}

/* A run of 64 keys or more of one table, noted one after the other, is
 * stored as one change_log row (about 60,000 bytes of keys at most), a shorter one a
 * row a key as before; read back, the keys are the same in the same
 * order either way. */
static void test_packed_runs(void **state)
{
	struct tstore *t = *state;
	char want[512];
	char *keys;
	int64_t from;

	setup_rows(t->db);
	from = head(t->db);
	write_readings(t->db, 63, 1000, 0);
	keys = reading_keys(1000, 63, NULL, 0);
	expect_log(t->db, from, keys);
	free(keys);
	assert_int_equal(head(t->db), from + 63);

	from = head(t->db);
	write_readings(t->db, 64, 2000, 0);
	keys = reading_keys(2000, 64, NULL, 0);
	expect_log(t->db, from, keys);
	free(keys);
	expect_stored(t->db, from, "reading 64");

	/* another table's key between two runs: three rows, in that order */
	from = head(t->db);
	write_readings(t->db, 140, 3000, 1);
	keys = reading_keys(3000, 140, "building [1]", 70);
	expect_log(t->db, from, keys);
	free(keys);
	expect_stored(t->db, from, "reading 70;building 1;reading 70");

	/* two runs too short, 126 keys of one table noted around another's */
	from = head(t->db);
	write_readings(t->db, 126, 4000, 1);
	assert_int_equal(head(t->db), from + 127);

	/* about 60,000 bytes of keys a row at most (under malloc's mmap
	 * threshold), 16,394 keys of 10 bytes and a comma: three rows of
	 * 5,455 and the 29 left over, too few to pack, a row each */
	from = head(t->db);
	write_readings(t->db, 16384 + 10, 100000, 0);
	keys = reading_keys(100000, 16384 + 10, NULL, 0);
	expect_log(t->db, from, keys);
	free(keys);
	for (int i = 0, n = snprintf(want, sizeof want, "reading 5455;reading 5455;reading 5455"); i < 29; i++)
		n += snprintf(want + n, sizeof want - (size_t)n, ";reading 1");
	expect_stored(t->db, from, want);
	assert_int_equal(head(t->db), from + 32);
}

#define STORE_TEST(f) cmocka_unit_test_setup_teardown(f, tstore_setup, tstore_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		STORE_TEST(test_insert_update_delete), STORE_TEST(test_key_change), STORE_TEST(test_replace_and_upsert),
		STORE_TEST(test_delete_all),           STORE_TEST(test_trigger_and_temp), STORE_TEST(test_rollback),
		STORE_TEST(test_exec_commit),          STORE_TEST(test_slip_refused),     STORE_TEST(test_killed),
		STORE_TEST(test_bulk_keys),            STORE_TEST(test_packed_runs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
