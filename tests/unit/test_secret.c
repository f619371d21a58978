#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <unistd.h>

#include "pm/secret.h"
#include "tstore.h"

static void put(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void test_refs(void **state)
{
	static const struct {
		const char *v, *msg;
	} cases[] = {
		{"env:PM_SMS_AUTH", NULL},
		{"env:_x9", NULL},
		{"file:/etc/pm/k", NULL},
		{"env:", "env: wants the name of an environment variable, like env:PM_SMS_AUTH"},
		{"env:9x", "env: wants the name of an environment variable, like env:PM_SMS_AUTH"},
		{"env:A-B", "env: wants the name of an environment variable, like env:PM_SMS_AUTH"},
		{"file:", "file: wants an absolute path, like file:/etc/pm/sms.key"},
		{"file:k", "file: wants an absolute path, like file:/etc/pm/sms.key"},
		{"Bearer tok", "a secret is not written in pm.yaml, where every reader of the store would see it: write env:NAME or file:PATH"},
		{"", "a secret is not written in pm.yaml, where every reader of the store would see it: write env:NAME or file:PATH"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct pm_err e = {0};
		int rc = pm_secret_ref_check(cases[i].v, &e);

		if (!cases[i].msg) {
			assert_int_equal(rc, PM_OK);
			continue;
		}
		assert_int_equal(rc, PM_ECONFIG);
		assert_string_equal(e.msg, cases[i].msg);
	}
}

static void test_env(void **state)
{
	struct pm_err e = {0};
	char *v;

	setenv("PM_TEST_SECRET", "tok-1", 1);
	assert_int_equal(pm_secret_get(NULL, "env:PM_TEST_SECRET", "sms: auth", &v, &e), PM_OK);
	assert_string_equal(v, "tok-1");
	free(v);
	setenv("PM_TEST_SECRET", "", 1);
	assert_int_equal(pm_secret_get(NULL, "env:PM_TEST_SECRET", "sms: auth", &v, &e), PM_ECONFIG);
	assert_string_equal(e.msg, "sms: auth: environment variable 'PM_TEST_SECRET' is not set");
	assert_null(v);
	unsetenv("PM_TEST_SECRET");
	assert_int_equal(pm_secret_get(NULL, "tok", "sms: auth", &v, &e), PM_ECONFIG);
	assert_true(strncmp(e.msg, "sms: auth: a secret is not written", 34) == 0);
}

static void test_file(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	char path[160], ref[200], want[300];
	char big[5000];
	char *v;

	tstore_file(t, "k", path, sizeof path);
	snprintf(ref, sizeof ref, "file:%s", path);
	put(path, "s3cr3t\r\n\n", 0600);
	assert_int_equal(pm_secret_get(t->db, ref, "x", &v, &e), PM_OK);
	assert_string_equal(v, "s3cr3t");
	free(v);
	put(path, "s3cr3t", 0400);
	assert_int_equal(pm_secret_get(t->db, ref, "x", &v, &e), PM_OK);
	free(v);

	/* Others may never read it. */
	assert_int_equal(chmod(path, 0604), 0);
	assert_int_equal(pm_secret_get(t->db, ref, "x", &v, &e), PM_ECONFIG);
	snprintf(want, sizeof want, "x: '%s' may be read by others: chmod o-rwx it, or it is no secret", path);
	assert_string_equal(e.msg, want);
	assert_null(v);
	/* Its group only when it is the store's. */
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(pm_secret_get(t->db, ref, "x", &v, &e), PM_OK);
	free(v);
	assert_int_equal(pm_secret_get(NULL, ref, "x", &v, &e), PM_ECONFIG);
	snprintf(want, sizeof want, "x: '%s' may be read by its group, which is not the store's: chmod g-rwx it", path);
	assert_string_equal(e.msg, want);
	assert_int_equal(chown(path, (uid_t)-1, getgid() + 1), 0);
	assert_int_equal(pm_secret_get(t->db, ref, "x", &v, &e), PM_ECONFIG);
	assert_string_equal(e.msg, want);

	/* Missing, a directory, too large. */
	unlink(path);
	assert_int_equal(pm_secret_get(t->db, ref, "x", &v, &e), PM_ENOINPUT);
	snprintf(ref, sizeof ref, "file:%s", t->dir);
	assert_int_equal(pm_secret_get(t->db, ref, "x", &v, &e), PM_ECONFIG);
	assert_true(strstr(e.msg, "is not a regular file") != NULL);
	memset(big, 'k', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	put(path, big, 0600);
	snprintf(ref, sizeof ref, "file:%s", path);
	assert_int_equal(pm_secret_get(t->db, ref, "x", &v, &e), PM_ECONFIG);
	assert_true(strstr(e.msg, "is larger than 4096 bytes: not a secret") != NULL);
}

#define STORE_TEST(f) cmocka_unit_test_setup_teardown(f, tstore_setup, tstore_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refs),
		cmocka_unit_test(test_env),
		STORE_TEST(test_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
