/* pm_money_parse and pm_decimal_parse on arbitrary bytes: no crash, and
 * whatever parses prints in every form and reads back as the same value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pm/money.h"

static void check_money(const char *s)
{
	char buf[PM_MONEY_BUF];
	int64_t fen, back;

	if (pm_money_parse(s, &fen, NULL) != PM_OK)
		return;
	if (fen > PM_MONEY_MAX || fen < -PM_MONEY_MAX)
		abort();
	if (pm_money_parse(pm_money_fmt(fen, buf), &back, NULL) != PM_OK || back != fen)
		abort();
	if (pm_money_parse(pm_money_display(fen, buf), &back, NULL) != PM_OK || back != fen)
		abort();
}

static void check_decimal(const char *s, int places)
{
	char buf[PM_MONEY_BUF];
	struct pm_err e;
	int64_t v, back;

	if (pm_decimal_parse(s, places, &v, &e) != PM_OK)
		return;
	if (v > PM_MONEY_MAX || v < -PM_MONEY_MAX)
		abort();
	if (pm_decimal_parse(pm_decimal_fmt(v, places, buf), places, &back, &e) != PM_OK || back != v)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_money(s);
	for (int places = 0; places <= 6; places++)
		check_decimal(s, places);
	free(s);
	return 0;
}
