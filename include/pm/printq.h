/* The records a cron job prints for the next program in its pipe
 * (pm-repair overdue's SLA breaches, pm-gate events ingest --alarms'
 * alarms), kept in the store until they are out. A record is added in
 * the transaction that makes it true, printed after that commits, and
 * marked printed once standard output took it: a run killed anywhere
 * loses none, since the next run prints what is not marked; and one
 * killed after printing but before marking prints it again, the same
 * bytes, which pm-notify send finds a duplicate. */
#ifndef PM_PRINTQ_H
#define PM_PRINTQ_H

#include <stdint.h>

#include <jansson.h>

#include "pm/err.h"

struct pm_db;

/* The sources: pm-repair overdue's SLA breaches, pm-gate's alarms. */
#define PM_PRINTQ_OVERDUE "repair.overdue"
#define PM_PRINTQ_ALARM "gate.alarm"

/* Keeps rec for source, inside the caller's
 * write transaction. rec gets "recorded_at", the business time now: the
 * day pm-notify send keys it on, however much later it is printed. */
int pm_printq_add(struct pm_db *db, const char *source, json_t *rec, struct pm_err *e);

/* Hands fn each record of source not yet printed, oldest first; *last is
 * the id of the last handed (0: none) and *count how many. */
int pm_printq_each(struct pm_db *db, const char *source, int (*fn)(void *ctx, json_t *rec), void *ctx,
		   int64_t *last, long *count, struct pm_err *e);

/* Marks the records of source up to id last printed, in a transaction of
 * its own, and forgets those printed more than a week ago. */
int pm_printq_done(struct pm_db *db, const char *source, int64_t last, struct pm_err *e);

#endif
