/* pm_web_req_init on arbitrary requests: the input is PATH_INFO, a NUL,
 * QUERY_STRING, a NUL and CONTENT_LENGTH. No crash; a request taken has a
 * path of the allowed characters with no "." or ".." segment, and a
 * refused one a status to answer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pm/web.h"

struct env {
	const char *path, *query, *length;
};

static const char *get(void *ctx, const char *name)
{
	struct env *en = ctx;

	if (!strcmp(name, "PATH_INFO"))
		return en->path;
	if (!strcmp(name, "QUERY_STRING"))
		return en->query;
	if (!strcmp(name, "CONTENT_LENGTH"))
		return en->length;
	if (!strcmp(name, "REQUEST_METHOD"))
		return "POST";
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 3);
	struct pm_web_req r;
	struct env en;
	struct pm_err e;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = buf[size + 2] = '\0';
	en.path = buf;
	en.query = buf + strlen(buf) + 1;
	en.length = en.query < buf + size + 1 ? en.query + strlen(en.query) + 1 : buf + size + 2;
	if (en.length > buf + size + 2)
		en.length = buf + size + 2;
	if (pm_web_req_init(&r, get, &en, 1 << 20, &e) == PM_OK) {
		if (r.path[0] != '/' || strstr(r.path, "/../") || strstr(r.path, "/./") || r.length > (1 << 20))
			abort();
		for (const char *p = r.path; *p; p++)
			if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/", *p))
				abort();
	} else if (r.refuse != 400 && r.refuse != 404 && r.refuse != 405 && r.refuse != 413 && r.refuse != 500) {
		abort();
	}
	pm_web_req_free(&r);
	free(buf);
	return 0;
}
