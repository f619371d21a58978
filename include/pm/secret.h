/* Secrets (channel tokens, payment keys, the audit key) are never written
 * in pm.yaml: the file says where each is, "env:NAME" (an environment
 * variable) or "file:PATH" (a file only its owner, or the store's own
 * group, may read), and they are read when needed, never stored, never
 * printed. */
#ifndef PM_SECRET_H
#define PM_SECRET_H

#include <stddef.h>

#include "pm/err.h"

struct pm_db;

/* Whether v is a well-formed reference: "env:" and a variable's name, or
 * "file:" and an absolute path. PM_ECONFIG saying what to write instead
 * (the secret itself is never quoted). */
int pm_secret_ref_check(const char *v, struct pm_err *e);

/* The secret ref names, in a new string without its final newline (free
 * it). what names it in messages ("channel 'sms': auth"). A file must be
 * a regular file that others may not read, nor a group other than the
 * store's (db may be NULL: no group may). PM_ENOINPUT when the file is
 * missing; PM_ECONFIG for an unset variable, a bad reference or a file
 * readable by too many. */
int pm_secret_get(struct pm_db *db, const char *ref, const char *what, char **out,
		  struct pm_err *e);

/* Wipes a secret pm_secret_get returned, then frees it; NULL is fine. */
void pm_secret_free(char *s);

/* The secret in the file at path, as a "file:" reference reads it. */
int pm_secret_file(struct pm_db *db, const char *path, const char *what, char **out,
		   struct pm_err *e);

#endif
