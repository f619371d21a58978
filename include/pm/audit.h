/* The audit log: append-only, each row's SHA-256 chaining the previous. */
#ifndef PM_AUDIT_H
#define PM_AUDIT_H

#include <stdint.h>

#include <jansson.h>

#include "pm/err.h"

struct pm_db;

/* Appends a record inside the caller's transaction: the db's actor did
 * action ("unit.import", "user.add") to object ("unit:3-2-1101"); before and
 * after may be NULL and are not consumed. */
int pm_audit_log(struct pm_db *db, const char *action, const char *object, json_t *before,
		 json_t *after, struct pm_err *e);

/* The record of a bulk run that commits in batches (an import, a bill
 * run): with status "running" inside its first batch's transaction when
 * more batches follow, so the rows of a run killed later are accounted
 * for, and with status "done" and its counts inside its last. Adds
 * "status" and "started" (the run's start, seconds) to after, which may
 * be NULL and is not consumed. */
int pm_audit_run(struct pm_db *db, const char *action, const char *object, const char *status,
		 int64_t started, json_t *after, struct pm_err *e);

struct pm_audit_row {
	int64_t id, ts;
	const char *actor, *action, *object, *before, *after, *hash;
};

/* Rows at or after since (0: all) whose object starts with object_prefix
 * (NULL: any), oldest first. fn returning non-zero stops the walk with
 * that code. */
int pm_audit_each(struct pm_db *db, int64_t since, const char *object_prefix,
		  int (*fn)(void *ctx, const struct pm_audit_row *r), void *ctx, struct pm_err *e);

/* Recomputes the chain. PM_EFAIL naming the first row whose hash or link
 * does not hold, with *bad set to its id; *rows counts the rows checked. */
int pm_audit_verify(struct pm_db *db, int64_t *rows, int64_t *bad, struct pm_err *e);

#endif
