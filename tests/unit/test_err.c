#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "pm/err.h"

/* A value quoted from input cannot give a message a second line. */
static void test_set_escapes(void **state)
{
	struct pm_err e;

	assert_int_equal(pm_err_set(&e, PM_EDATA, "unknown meter '%s'", "W-1\npm-meter: r.jsonl:2: forged"),
			 PM_EDATA);
	assert_string_equal(e.msg, "unknown meter 'W-1\\npm-meter: r.jsonl:2: forged'");
	pm_err_set(&e, PM_EDATA, "'%s'", "a\rb\tc\033[31md\177e");
	assert_string_equal(e.msg, "'a\\rb\\tc\\x1b[31md\\x7fe'");
	pm_err_set(&e, PM_EDATA, "'%s'", "张伟 \\n stays");
	assert_string_equal(e.msg, "'张伟 \\n stays'");
}

static void test_prefix_escapes(void **state)
{
	struct pm_err e;

	pm_err_set(&e, PM_EDATA, "bad value");
	assert_int_equal(pm_err_prefix(&e, "field \"%s\"", "a\nb"), PM_EDATA);
	assert_string_equal(e.msg, "field \"a\\nb\": bad value");
}

static void test_oneline(void **state)
{
	char buf[8];

	assert_int_equal(pm_err_oneline(buf, sizeof buf, "ab\ncd"), 6);
	assert_string_equal(buf, "ab\\ncd");
	/* An escape that does not fit is left out whole. */
	assert_int_equal(pm_err_oneline(buf, sizeof buf, "abcdef\001"), 6);
	assert_string_equal(buf, "abcdef");
	assert_int_equal(pm_err_oneline(buf, sizeof buf, "abcdef\n"), 6);
	assert_string_equal(buf, "abcdef");
	/* Escaping what is escaped changes nothing. */
	pm_err_oneline(buf, sizeof buf, "a\\nb");
	assert_string_equal(buf, "a\\nb");
	assert_int_equal(pm_err_oneline(buf, 0, "x"), 0);
	/* Nor is a character cut in two. */
	assert_int_equal(pm_err_oneline(buf, 6, "ab张伟"), 5);
	assert_string_equal(buf, "ab张");
	assert_int_equal(pm_err_oneline(buf, 5, "ab张伟"), 2);
	assert_string_equal(buf, "ab");
}

/* What jansson takes as a string: a name that is not (Latin-1 café)
 * once made pm-shop say "out of memory". */
static void test_utf8_valid(void **state)
{
	assert_true(pm_utf8_valid(""));
	assert_true(pm_utf8_valid("鲜果坊 \033[2J"));
	assert_false(pm_utf8_valid("caf\351"));
	assert_false(pm_utf8_valid("\300\257"));       /* overlong '/' */
	assert_false(pm_utf8_valid("\355\240\200"));  /* a surrogate */
	assert_false(pm_utf8_valid("\345\274"));       /* cut at the end */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_escapes),
		cmocka_unit_test(test_prefix_escapes),
		cmocka_unit_test(test_oneline),
		cmocka_unit_test(test_utf8_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
