/* Secrets (device passwords, a broker's password, tokens) never stand in
 * pm.yaml or on a command line as they are: a value says where the secret
 * is, "env:NAME" (an environment variable) or "file:PATH" (the first line
 * of a file only its owner may read). */
#ifndef PM_SECRET_H
#define PM_SECRET_H

#include "pm/err.h"

/* PM_OK when ref has one of the two forms; PM_ECONFIG for anything else,
 * a literal secret above all. */
int pm_secret_check(const char *ref, struct pm_err *e);

/* The secret ref names, in *out (malloc'd; free it with pm_secret_free).
 * PM_ECONFIG when the variable is unset or empty, the file cannot be read
 * or others may read it, or ref is a literal; messages name the variable
 * or file, never the secret. */
int pm_secret_get(const char *ref, char **out, struct pm_err *e);
void pm_secret_free(char *s);

#endif
