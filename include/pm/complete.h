/* Values for shell completion: the words an option's value or an operand
 * may be (formats, kinds, statuses, channels, fee items, unit codes,
 * people, users, bills, tickets, meters), those from the store read as
 * the caller may read them, at most PM_COMPLETE_MAX of them and for at most
 * PM_COMPLETE_MS of the store's time, so a key press never waits. */
#ifndef PM_COMPLETE_H
#define PM_COMPLETE_H

#include "pm/auth.h"
#include "pm/db.h"
#include "pm/err.h"

#define PM_COMPLETE_MAX 200
#define PM_COMPLETE_MS 50

/* Calls out with each value of source ("unit", "bill-status", …) that
 * begins with prefix, in order. db may be NULL: then only the values that
 * need no store. PM_EUSAGE for a source not known. */
int pm_complete(struct pm_db *db, const struct pm_actor *a, const char *source, const char *prefix,
		void (*out)(void *ctx, const char *word), void *ctx, struct pm_err *e);

#endif
