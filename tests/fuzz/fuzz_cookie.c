/* pm_web_cookie on arbitrary Cookie headers: no crash, and a value found
 * fits its buffer and holds only cookie characters. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pm/web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *h = malloc(size + 1), v[65];

	if (!h)
		return 0;
	memcpy(h, data, size);
	h[size] = '\0';
	if (pm_web_cookie(h, "pm_session", v, sizeof v)) {
		if (strlen(v) == 0 || strlen(v) >= sizeof v)
			abort();
		for (const char *c = v; *c; c++)
			if (*c <= ' ' || *c == '"' || *c == ',' || *c == ';' || *c == '\\' || *c == 0x7f)
				abort();
	}
	free(h);
	return 0;
}
