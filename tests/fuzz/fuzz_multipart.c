/* pm_web_multipart on arbitrary bodies under a fixed boundary (and the
 * first line of the input as the content type, when it starts with
 * "multipart/"): no crash, no read past the body, text fields text, and
 * every file's bytes within the body's length. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pm/web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data, *nl = memchr(data, '\n', size);
	char ct[256] = "multipart/form-data; boundary=XyZ";
	struct pm_web_params p = {0};
	struct pm_err e;
	size_t len = size;

	if (nl && size > 10 && memcmp(data, "multipart/", 10) == 0 && (size_t)(nl - body) < sizeof ct) {
		memcpy(ct, body, (size_t)(nl - body));
		ct[nl - body] = '\0';
		len = size - (size_t)(nl - body) - 1;
		body = nl + 1;
	}
	if (pm_web_multipart(body, len, ct, &p, &e) != PM_OK && e.code != PM_EDATA)
		abort();
	for (size_t i = 0; i < p.n; i++) {
		if (p.v[i].len > len || !pm_web_text_ok(p.v[i].name, strlen(p.v[i].name)))
			abort();
		if (!p.v[i].filename && !pm_web_text_ok(p.v[i].value, p.v[i].len))
			abort();
	}
	pm_web_params_free(&p);
	return 0;
}
