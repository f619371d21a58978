#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "pm/notice.h"

static void capital(int64_t fen, const char *want)
{
	char buf[PM_CAPITAL_BUF];

	assert_string_equal(pm_notice_capital(fen, buf), want);
}

static void test_small(void **state)
{
	capital(0, "零元整");
	capital(1, "壹分");
	capital(10, "壹角");
	capital(11, "壹角壹分");
	capital(100, "壹元整");
	capital(105, "壹元零伍分");
	capital(150, "壹元伍角");
	capital(1000, "壹拾元整");
	capital(1500, "壹拾伍元整");
	capital(12345, "壹佰贰拾叁元肆角伍分");
	capital(32504, "叁佰贰拾伍元零肆分");
}

/* The examples of the People's Bank's rules for writing amounts. */
static void test_zeros(void **state)
{
	capital(168032, "壹仟陆佰捌拾元叁角贰分");
	capital(10700053, "壹拾万柒仟元伍角叁分");
	capital(1640902, "壹万陆仟肆佰零玖元零贰分");
	capital(101000, "壹仟零壹拾元整");
	capital(100100, "壹仟零壹元整");
	capital(1000100, "壹万零壹元整");
	capital(100000001, "壹佰万元零壹分");
	capital(100700000, "壹佰万柒仟元整");
	capital(100500000, "壹佰万伍仟元整");
	capital(100050000, "壹佰万零伍佰元整");
}

/* Beyond 亿 the groups nest: 9,2233,7203,6854,7758 yuan is 玖亿(亿)
 * 贰仟贰佰叁拾叁万(亿) 柒仟贰佰零叁亿 陆仟捌佰伍拾肆万 柒仟柒佰伍拾捌. */
static void test_large(void **state)
{
	capital(10000000000LL, "壹亿元整");
	capital(10000000100LL, "壹亿零壹元整");
	capital(10000700000LL, "壹亿零柒仟元整");
	capital(12345678900LL, "壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元整");
	capital(100000000000000LL, "壹万亿元整");
	capital(INT64_MAX, "玖亿贰仟贰佰叁拾叁万柒仟贰佰零叁亿陆仟捌佰伍拾肆万柒仟柒佰伍拾捌元零柒分");
}

static void test_negative(void **state)
{
	capital(-12345, "负壹佰贰拾叁元肆角伍分");
	capital(-5, "负伍分");
	capital(INT64_MIN, "负玖亿贰仟贰佰叁拾叁万柒仟贰佰零叁亿陆仟捌佰伍拾肆万柒仟柒佰伍拾捌元零捌分");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small),
		cmocka_unit_test(test_zeros),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_negative),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
