/* secret: env:NAME and file:PATH, the only ways a secret reaches pm. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "config-internal.h"
#include "pm/file.h"
#include "pm/i18n.h"
#include "pm/secret.h"

#define SECRET_MAX 4096

int pm_secret_check(const char *ref, struct pm_err *e)
{
	if ((strncmp(ref, "env:", 4) == 0 && ref[4]) || (strncmp(ref, "file:", 5) == 0 && ref[5]))
		return PM_OK;
	return pm_err_set(e, PM_ECONFIG,
		_("a secret is written env:NAME or file:PATH, never as it is"));
}

static int check_node(const json_t *v, struct pm_err *e)
{
	return pm_secret_check(json_string_value(v), e);
}

const struct pm_schema pm_secret_schema = {
	.type = PM_SCHEMA_STRING, .min = "5", .check = check_node,
};

/* The first line of a private file, its line end dropped. */
static int from_file(const char *path, char **out, struct pm_err *e)
{
	size_t len;
	char *s;

	if (pm_file_read_private(path, SECRET_MAX, &s, &len, e))
		return e->code == PM_ENOINPUT ? pm_err_set(e, PM_ECONFIG, "%s", e->msg) : e->code;
	s[strcspn(s, "\r\n")] = '\0';
	if (!*s) {
		free(s);
		return pm_err_set(e, PM_ECONFIG, _("secret file '%s' is empty"), path);
	}
	*out = s;
	return PM_OK;
}

int pm_secret_get(const char *ref, char **out, struct pm_err *e)
{
	const char *v;

	*out = NULL;
	if (pm_secret_check(ref, e))
		return e->code;
	if (strncmp(ref, "file:", 5) == 0)
		return from_file(ref + 5, out, e);
	if (!(v = getenv(ref + 4)) || !*v)
		return pm_err_set(e, PM_ECONFIG, _("environment variable '%s' is not set"), ref + 4);
	if (!(*out = strdup(v)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	return PM_OK;
}

void pm_secret_free(char *s)
{
	if (s)
		sodium_memzero(s, strlen(s));
	free(s);
}
