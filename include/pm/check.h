/* pm check: the store's integrity and the invariants modules register. */
#ifndef PM_CHECK_H
#define PM_CHECK_H

#include "pm/err.h"

struct pm_db;

/* Runs every check; fn is told each failure (the check's name and what is
 * wrong). PM_EFAIL if any failed, with the count in the message. */
int pm_check_run(struct pm_db *db, void (*fn)(void *ctx, const char *check, const char *problem),
		 void *ctx, struct pm_err *e);

#endif
