#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "pm/address.h"

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

/* One rule for every phone number pm keeps or dials: a resident's, a
 * user's, a message's "to". */
static void test_address_phone_shapes(void **state)
{
	static const struct {
		const char *in;
		int phone;
		const char *dial;
	} cases[] = {
		{"13800000001", 1, "13800000001"},
		{"+8613800000001", 1, "+8613800000001"},
		{"138 0000 0001", 1, "13800000001"},
		{"138-0000-0001", 1, "13800000001"},
		{"+86 138-0000-0001", 1, "+8613800000001"},
		{"0512-6688 1234", 1, "051266881234"},
		{"12345", 1, "12345"},
		{"12345678901234567890", 1, "12345678901234567890"},
		{"1234", 0, NULL},
		{"123456789012345678901", 0, NULL},
		{"", 0, NULL},
		{"+", 0, NULL},
		{"++8613800000001", 0, NULL},
		{"138+0000+0001", 0, NULL},
		{"138  0000 0001", 0, NULL},
		{"138--0000", 0, NULL},
		{" 13800000001", 0, NULL},
		{"13800000001 ", 0, NULL},
		{"-13800000001", 0, NULL},
		{"+ 8613800000001", 0, NULL},
		{"12ab", 0, NULL},
		{"ops@example.com", 0, NULL},
		{"１３８００００００01", 0, NULL},
	};
	char out[32];

	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++) {
		int got = pm_address_is_phone(cases[i].in);

		if (got != cases[i].phone)
			fail_msg("'%s': phone %d, want %d", cases[i].in, got, cases[i].phone);
		if (!cases[i].dial)
			continue;
		pm_address_phone_dial(cases[i].in, out, sizeof out);
		assert_string_equal(out, cases[i].dial);
	}
}

static void test_address_phone_dial_fits(void **state)
{
	char out[6];

	(void)state;
	pm_address_phone_dial("+86 138-0000-0001", out, sizeof out);
	assert_string_equal(out, "+8613");
	pm_address_phone_dial("138", out, 1);
	assert_string_equal(out, "");
}

static void test_address_email_shapes(void **state)
{
	(void)state;
	assert_true(pm_address_is_email("ops@example.com"));
	assert_false(pm_address_is_email("@example.com"));
	assert_false(pm_address_is_email("ops@"));
	assert_false(pm_address_is_email("a@b@c"));
	assert_false(pm_address_is_email("a b@c"));
	assert_false(pm_address_is_email("13800000001"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_address_phone_shapes),
		cmocka_unit_test(test_address_phone_dial_fits),
		cmocka_unit_test(test_address_email_shapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
