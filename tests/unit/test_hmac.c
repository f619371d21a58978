#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "pm/hmac.h"

/* Expected values computed outside the code, with Python:
 * hmac.new(key, body, sha256).hexdigest() and its base64. */
static void test_hex_and_base64(void **state)
{
	char hex[65], b64[45];

	pm_hmac_hex("key", "{\"a\":1}", 7, hex);
	assert_string_equal(hex, "88a67f24bbcdaed0e6c997404bb79a743baf44c6bab2f4c27328e3009d22e342");
	pm_hmac_base64("key", "{\"a\":1}", 7, b64);
	assert_string_equal(b64, "iKZ/JLvNrtDmyZdAS7eadDuvRMa6svTCcyjjAJ0i40I=");
}

static void test_signature(void **state)
{
	char sig[72];

	pm_hmac_signature("key", "{\"a\":1}", 7, sig);
	assert_string_equal(sig, "sha256=88a67f24bbcdaed0e6c997404bb79a743baf44c6bab2f4c27328e3009d22e342");
	assert_true(pm_hmac_signature_ok("key", "{\"a\":1}", 7, sig));
	assert_true(pm_hmac_signature_ok("key", "{\"a\":1}", 7, sig + 7));
	assert_true(pm_hmac_signature_ok("key", "{\"a\":1}", 7,
					 "sha256=88A67F24BBCDAED0E6C997404BB79A743BAF44C6BAB2F4C27328E3009D22E342"));
	assert_false(pm_hmac_signature_ok("yek", "{\"a\":1}", 7, sig));
	assert_false(pm_hmac_signature_ok("key", "{\"a\":2}", 7, sig));
	assert_false(pm_hmac_signature_ok("key", "{\"a\":1}", 7, "sha256=88a6"));
	assert_false(pm_hmac_signature_ok("key", "{\"a\":1}", 7, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_and_base64),
		cmocka_unit_test(test_signature),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
