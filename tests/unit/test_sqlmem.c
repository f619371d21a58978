#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "db-internal.h"

/* A block of n bytes filled with a pattern of its own. */
static void fill(unsigned char *p, int n, unsigned seed)
{
	for (int i = 0; i < n; i++)
		p[i] = (unsigned char)(seed * 31 + (unsigned)i);
}

static int intact(const unsigned char *p, int n, unsigned seed)
{
	for (int i = 0; i < n; i++)
		if (p[i] != (unsigned char)(seed * 31 + (unsigned)i))
			return 0;
	return 1;
}

/* Sizes around every class edge and the small/large border, kept whole
 * beside each other, aligned for SQLite, at least as large as asked. */
static void test_sqlmem_blocks(void **state)
{
	enum { N = 1200 };
	static unsigned char *p[N];
	int n[N];

	(void)state;
	for (int i = 0; i < N; i++) {
		n[i] = i % 3 == 0 ? i + 1 : i % 3 == 1 ? 500 + i % 40 : 1 + i % 9;
		p[i] = sqlite3_malloc(n[i]);
		assert_non_null(p[i]);
		assert_int_equal((uintptr_t)p[i] % 8, 0);
		assert_true(sqlite3_msize(p[i]) >= (sqlite3_uint64)n[i]);
		fill(p[i], n[i], (unsigned)i);
	}
	/* Every other one freed, then taken again at other sizes. */
	for (int i = 0; i < N; i += 2)
		sqlite3_free(p[i]);
	for (int i = 0; i < N; i += 2) {
		n[i] = (i * 7) % 700;
		p[i] = sqlite3_malloc(n[i] ? n[i] : 1);
		assert_non_null(p[i]);
		fill(p[i], n[i], (unsigned)i);
	}
	for (int i = 0; i < N; i++)
		assert_true(intact(p[i], n[i], (unsigned)i));
	/* Grown and shrunk across the classes and the border, whole. */
	for (int i = 1; i < N; i += 2) {
		int to = i % 4 == 1 ? n[i] + 600 : n[i] / 2;

		p[i] = sqlite3_realloc(p[i], to ? to : 1);
		assert_non_null(p[i]);
		assert_true(intact(p[i], n[i] < to ? n[i] : to, (unsigned)i));
		n[i] = to;
		fill(p[i], n[i], (unsigned)i);
	}
	for (int i = 0; i < N; i++) {
		assert_true(intact(p[i], n[i], (unsigned)i));
		sqlite3_free(p[i]);
	}
}

/* The blocks past the small classes: the 256-byte classes up to 8 KiB and
 * the larger ones, from the arena and, once its 2 MiB are given out, from
 * malloc; grown and shrunk across every border, whole, and freed in any
 * order. */
static void test_sqlmem_large(void **state)
{
	enum { N = 600 };
	static unsigned char *p[N];
	int n[N];

	(void)state;
	for (int i = 0; i < N; i++) {
		/* 513..8192 and past it, up to 40 KiB: 600 of them are more than
		 * the arena holds. */
		n[i] = i % 2 ? 513 + (i * 97) % 7680 : 8185 + (i * 331) % 32768;
		p[i] = sqlite3_malloc(n[i]);
		assert_non_null(p[i]);
		assert_int_equal((uintptr_t)p[i] % 8, 0);
		assert_true(sqlite3_msize(p[i]) >= (sqlite3_uint64)n[i]);
		fill(p[i], n[i], (unsigned)i);
	}
	for (int i = 0; i < N; i++)
		assert_true(intact(p[i], n[i], (unsigned)i));
	for (int i = 0; i < N; i += 3) {
		sqlite3_free(p[i]);
		n[i] = 1 + (i * 13) % 9000;
		p[i] = sqlite3_malloc(n[i]);
		assert_non_null(p[i]);
		fill(p[i], n[i], (unsigned)i);
	}
	for (int i = 1; i < N; i += 2) {
		int to = i % 4 == 1 ? n[i] * 3 : n[i] / 5 + 1;

		p[i] = sqlite3_realloc(p[i], to);
		assert_non_null(p[i]);
		assert_true(intact(p[i], n[i] < to ? n[i] : to, (unsigned)i));
		n[i] = to;
		fill(p[i], n[i], (unsigned)i);
	}
	for (int i = 0; i < N; i++) {
		assert_true(intact(p[i], n[i], (unsigned)i));
		sqlite3_free(p[i]);
	}
}

static int thp_on(void)
{
	char line[128];
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	int on = f && fgets(line, sizeof line, f) && !strstr(line, "[never]");

	if (f)
		fclose(f);
	return on;
}

/* The mapping holding p, from /proc/self/smaps: its bounds, whether it
 * is advised for huge pages ("hg" among its VmFlags). 0 when there is
 * no smaps to read, else 1 (and found or not). */
static int mapping_of(const void *p, int *found, unsigned long *at_lo, unsigned long *at_hi, int *hg)
{
	char line[512];
	unsigned long lo, hi;
	int in = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	*found = *hg = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			if ((in = (uintptr_t)p >= lo && (uintptr_t)p < hi)) {
				*found = 1;
				*at_lo = lo;
				*at_hi = hi;
			}
		} else if (in && strncmp(line, "VmFlags:", 8) == 0) {
			*hg = strstr(line, " hg") != NULL;
		}
	}
	fclose(f);
	return 1;
}

static int asan(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return 1;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	return 1;
#endif
#endif
	return 0;
}

/* The arena is one mapping of 2 MiB on a 2 MiB boundary, advised for
 * huge pages, when the kernel has them. Under AddressSanitizer SQLite
 * keeps malloc, and there is no arena. */
static void test_sqlmem_arena(void **state)
{
	unsigned long lo = 0, hi = 0;
	int found, hg, smaps;
	void *p;

	(void)state;
	if (asan())
		skip();
	p = sqlite3_malloc(100);
	assert_non_null(p);
	smaps = mapping_of(p, &found, &lo, &hi, &hg);
	sqlite3_free(p);
	if (!smaps)
		skip();
	assert_true(found);
	assert_int_equal(lo % (2UL << 20), 0);
	assert_int_equal(hi - lo, 2UL << 20);
	if (thp_on())
		assert_true(hg);
}

/* A bulk run's page cache (pages of 4 KiB and their headers, 16 MiB):
 * past the arena its blocks lie in 2 MiB regions on 2 MiB boundaries,
 * advised for huge pages, each block whole beside the others. Last: the
 * bulk run is the process's from then on. */
static void test_sqlmem_bulk(void **state)
{
	enum { N = 4000, SIZE = 4096 + 200 };
	static unsigned char *p[N];
	unsigned long lo = 0, hi = 0;
	int found, hg;

	(void)state;
	if (asan())
		skip();
	pm_sqlmem_bulk();
	for (int i = 0; i < N; i++) {
		assert_non_null(p[i] = sqlite3_malloc(SIZE));
		fill(p[i], SIZE, (unsigned)i);
	}
	for (int i = 0; i < N; i++)
		assert_true(intact(p[i], SIZE, (unsigned)i));
	if (mapping_of(p[N - 1], &found, &lo, &hi, &hg)) {
		assert_true(found);
		assert_int_equal(lo % (2UL << 20), 0);
		assert_int_equal((hi - lo) % (2UL << 20), 0);
		if (thp_on())
			assert_true(hg);
	}
	for (int i = 0; i < N; i++)
		sqlite3_free(p[i]);
}

/* SQLite itself on it: a store's worth of rows of every size, read back. */
static void test_sqlmem_sqlite(void **state)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t sum = 0;

	(void)state;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB NOT NULL);"
				      "CREATE INDEX t_b ON t(b)", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)"
				      " INSERT INTO t SELECT i, zeroblob(i % 1500) FROM n", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT sum(length(b)) FROM t", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	sum = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	/* 20000 / 1500 = 13 whole rounds of 0..1499, then 1..500 */
	assert_int_equal(sum, 13LL * (1499 * 1500 / 2) + 500 * 501 / 2);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sqlmem_arena),
		cmocka_unit_test(test_sqlmem_blocks),
		cmocka_unit_test(test_sqlmem_large),
		cmocka_unit_test(test_sqlmem_sqlite),
		cmocka_unit_test(test_sqlmem_bulk),
	};

	pm_sqlmem_install();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
