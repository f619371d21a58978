/* pm_web_urlencoded (forms and query strings) on arbitrary bytes: no
 * crash, never more than the field limit, and every field kept is text
 * as the parser promises: UTF-8 without NUL or control characters. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pm/web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pm_web_params p = {0};
	struct pm_err e;

	if (pm_web_urlencoded((const char *)data, size, &p, &e) != PM_OK && e.code != PM_EDATA)
		abort();
	if (p.n > PM_WEB_MAX_PARAMS)
		abort();
	for (size_t i = 0; i < p.n; i++)
		if (!pm_web_text_ok(p.v[i].name, strlen(p.v[i].name)) || strlen(p.v[i].value) != p.v[i].len ||
		    !pm_web_text_ok(p.v[i].value, p.v[i].len) || !*p.v[i].name || p.v[i].filename)
			abort();
	pm_web_params_free(&p);
	return 0;
}
