/* pm_spawn: what the program says, its exit, its time limit, and only
 * its three descriptors. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "pm/spawn.h"

static int sh(const char *script, long ms, char *buf, size_t size, int *status)
{
	char *argv[] = {"sh", "-c", (char *)script, NULL};

	return pm_spawn(NULL, argv, NULL, ms, buf, size, status);
}

static void test_output_and_status(void **state)
{
	char buf[64];
	int status;

	assert_int_equal(sh("echo out; echo err >&2; exit 3", 5000, buf, sizeof buf, &status), 0);
	assert_string_equal(buf, "out\nerr\n");
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 3);
}

static void test_time_runs_out(void **state)
{
	char buf[64];
	int status;

	assert_int_equal(sh("sleep 5", 200, buf, sizeof buf, &status), -1);
	assert_true(WIFSIGNALED(status));
}

/* A descriptor this process holds without O_CLOEXEC (libfcgi's socket)
 * is closed in the program. */
static void test_descriptors_not_inherited(void **state)
{
	int fd = open("/dev/null", O_RDONLY);
	char script[64], buf[64];
	int status;

	assert_true(fd > 2);
	snprintf(script, sizeof script, "[ -e /proc/self/fd/%d ] && echo open || echo closed", fd);
	assert_int_equal(sh(script, 5000, buf, sizeof buf, &status), 0);
	assert_string_equal(buf, "closed\n");
	assert_int_equal(sh("[ -e /proc/self/fd/0 ] && [ -e /proc/self/fd/2 ] && echo kept", 5000, buf, sizeof buf,
			    &status), 0);
	assert_string_equal(buf, "kept\n");
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_output_and_status),
		cmocka_unit_test(test_time_runs_out),
		cmocka_unit_test(test_descriptors_not_inherited),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
