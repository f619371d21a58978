#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pm/file.h"
#include "tstore.h"

static mode_t mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

static const char *slurp(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_modes_whatever_the_umask(void **state)
{
	static const mode_t masks[] = {0, 022, 077, 0777};
	static const struct pm_file_mode group = {0660, (gid_t)-1};
	struct tstore *t = T(state);
	char path[160];
	mode_t old;
	int fd;

	for (size_t i = 0; i < sizeof masks / sizeof *masks; i++) {
		struct pm_err e = {0};

		old = umask(masks[i]);
		tstore_file(t, "a", path, sizeof path);
		unlink(path);
		assert_int_equal(pm_file_open(path, PM_FILE_EXCL, &pm_file_private, &fd, &e), PM_OK);
		close(fd);
		assert_int_equal(mode_of(path), 0600);
		unlink(path);
		assert_int_equal(pm_file_open(path, PM_FILE_TRUNC, &group, &fd, &e), PM_OK);
		close(fd);
		assert_int_equal(mode_of(path), 0660);
		umask(old);
	}
	/* Never more than read and write for owner and group. */
	{
		struct pm_file_mode wide = {0777, (gid_t)-1};
		struct pm_err e = {0};

		unlink(path);
		assert_int_equal(pm_file_open(path, PM_FILE_EXCL, &wide, &fd, &e), PM_OK);
		close(fd);
		assert_int_equal(mode_of(path), 0660);
	}
}

static void test_how(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	char path[160];
	FILE *f;
	int fd;

	tstore_file(t, "log", path, sizeof path);
	put(path, "old\n");
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(pm_file_open(path, PM_FILE_EXCL, &pm_file_private, &fd, &e), PM_ECANTCREAT);
	assert_true(strstr(e.msg, "/log': File exists") != NULL);
	assert_int_equal(pm_file_fopen(path, PM_FILE_APPEND, &pm_file_private, &f, &e), PM_OK);
	fputs("new\n", f);
	fclose(f);
	assert_string_equal(slurp(path), "old\nnew\n");
	/* An existing file the caller owns is brought to the mode too. */
	assert_int_equal(mode_of(path), 0600);
	assert_int_equal(pm_file_fopen(path, PM_FILE_TRUNC, &pm_file_private, &f, &e), PM_OK);
	fputs("only\n", f);
	fclose(f);
	assert_string_equal(slurp(path), "only\n");
}

static void test_links_refused(void **state)
{
	static const enum pm_file_how hows[] = {PM_FILE_TRUNC, PM_FILE_EXCL, PM_FILE_APPEND};
	struct tstore *t = T(state);
	struct pm_file_tmp tmp;
	char path[160], target[160], want[256];
	int fd;

	tstore_file(t, "target", target, sizeof target);
	tstore_file(t, "link", path, sizeof path);
	put(target, "precious\n");
	assert_int_equal(symlink(target, path), 0);
	snprintf(want, sizeof want, "'%s' is a symbolic link: refusing to write through it", path);
	for (size_t i = 0; i < sizeof hows / sizeof *hows; i++) {
		struct pm_err e = {0};

		assert_int_equal(pm_file_open(path, hows[i], &pm_file_private, &fd, &e), PM_ECANTCREAT);
		if (hows[i] != PM_FILE_EXCL)
			assert_string_equal(e.msg, want);
	}
	{
		struct pm_err e = {0};

		assert_int_equal(pm_file_tmp_open(path, &pm_file_private, &tmp, &e), PM_ECANTCREAT);
		assert_string_equal(e.msg, want);
		assert_int_equal(pm_file_not_link(path, &e), PM_ECANTCREAT);
		assert_int_equal(pm_file_not_link(target, &e), PM_OK);
	}
	assert_string_equal(slurp(target), "precious\n");
	/* A directory or a FIFO is no file to write. */
	{
		struct pm_err e = {0};

		tstore_file(t, "fifo", path, sizeof path);
		assert_int_equal(mkfifo(path, 0600), 0);
		assert_int_equal(pm_file_open(path, PM_FILE_TRUNC, &pm_file_private, &fd, &e), PM_ECANTCREAT);
		snprintf(want, sizeof want, "'%s' is not a regular file: refusing to write it", path);
		assert_string_equal(e.msg, want);
		assert_int_equal(pm_file_tmp_open(path, &pm_file_private, &tmp, &e), PM_ECANTCREAT);
		assert_string_equal(e.msg, want);
		unlink(path);
	}
}

static void test_tmp(void **state)
{
	struct tstore *t = T(state);
	struct pm_file_tmp tmp;
	struct pm_err e = {0};
	char path[160], other[160];

	tstore_file(t, "out.csv", path, sizeof path);
	put(path, "old\n");
	assert_int_equal(pm_file_tmp_open(path, &pm_file_private, &tmp, &e), PM_OK);
	assert_int_equal(write(tmp.fd, "new\n", 4), 4);
	/* Until committed, path is the old file. */
	assert_string_equal(slurp(path), "old\n");
	assert_int_equal(mode_of(tmp.part), 0600);
	assert_int_equal(pm_file_tmp_commit(&tmp, &e), PM_OK);
	assert_string_equal(slurp(path), "new\n");
	assert_null(tmp.part);

	/* Abort leaves path as it was and no part. */
	assert_int_equal(pm_file_tmp_open(path, &pm_file_private, &tmp, &e), PM_OK);
	snprintf(other, sizeof other, "%s", tmp.part);
	pm_file_tmp_abort(&tmp);
	assert_int_equal(access(other, F_OK), -1);
	assert_string_equal(slurp(path), "new\n");

	/* A part swapped for another file while written is refused. */
	assert_int_equal(pm_file_tmp_open(path, &pm_file_private, &tmp, &e), PM_OK);
	snprintf(other, sizeof other, "%s", tmp.part);
	assert_int_equal(unlink(tmp.part), 0);
	put(tmp.part, "planted\n");
	assert_int_equal(pm_file_tmp_commit(&tmp, &e), PM_ECANTCREAT);
	assert_true(strstr(e.msg, "was replaced while it was written: refusing it") != NULL);
	assert_string_equal(slurp(path), "new\n");
	assert_int_equal(access(other, F_OK), -1);
}

/* A whole file, NUL-ended; past max it reads one byte more, so the caller
 * sees it is too long; across the 8 KiB first buffer; and errors named. */
static void test_read(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	char path[160], big[20000];
	size_t len;
	char *buf;
	FILE *f;

	tstore_file(t, "in.txt", path, sizeof path);
	put(path, "one\ntwo\n");
	assert_int_equal(pm_file_read(path, 100, &buf, &len, &e), PM_OK);
	assert_int_equal(len, 8);
	assert_string_equal(buf, "one\ntwo\n");
	free(buf);
	assert_int_equal(pm_file_read(path, 3, &buf, &len, &e), PM_OK);
	assert_true(len > 3);
	free(buf);

	memset(big, 'x', sizeof big);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(big, 1, sizeof big, f), sizeof big);
	fclose(f);
	assert_int_equal(pm_file_read(path, sizeof big, &buf, &len, &e), PM_OK);
	assert_int_equal(len, sizeof big);
	assert_memory_equal(buf, big, sizeof big);
	assert_int_equal(buf[len], '\0');
	free(buf);

	tstore_file(t, "missing", path, sizeof path);
	assert_int_equal(pm_file_read(path, 100, &buf, &len, &e), PM_ENOINPUT);
	assert_null(buf);
	assert_true(strstr(e.msg, "cannot open") && strstr(e.msg, "No such file"));
	tstore_file(t, "", path, sizeof path);
	assert_int_equal(pm_file_read(path, 100, &buf, &len, &e), PM_ENOINPUT);
	assert_true(strstr(e.msg, "Is a directory") != NULL);
}

/* Every store a process opened is kept from being written over, not
 * only the first four (a FastCGI pm-web's restores, pm-rollup's many):
 * each by its file, and the files SQLite and pm keep beside it. */
static void test_stores_kept(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	char path[160], name[32], beside[200];
	struct stat st;

	for (int i = 0; i < 9; i++) {
		snprintf(name, sizeof name, "s%d.db", i);
		tstore_file(t, name, path, sizeof path);
		put(path, "x");
		assert_int_equal(stat(path, &st), 0);
		pm_file_store_opened(path, &st);
	}
	for (int i = 0; i < 9; i++) {
		snprintf(name, sizeof name, "s%d.db", i);
		tstore_file(t, name, path, sizeof path);
		assert_int_equal(pm_file_not_store(path, &e), PM_ECANTCREAT);
		assert_non_null(strstr(e.msg, "is the store's own file"));
		snprintf(beside, sizeof beside, "%s-wal", path);
		assert_int_equal(pm_file_not_store(beside, &e), PM_ECANTCREAT);
		snprintf(beside, sizeof beside, "%s.key", path);
		assert_int_equal(pm_file_not_store(beside, &e), PM_ECANTCREAT);
	}
	tstore_file(t, "s9.db", path, sizeof path);
	assert_int_equal(pm_file_not_store(path, &e), PM_OK);
}

#define STORE_TEST(f) cmocka_unit_test_setup_teardown(f, tstore_setup, tstore_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		STORE_TEST(test_modes_whatever_the_umask),
		STORE_TEST(test_how),
		STORE_TEST(test_links_refused),
		STORE_TEST(test_tmp),
		STORE_TEST(test_read),
		STORE_TEST(test_stores_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
