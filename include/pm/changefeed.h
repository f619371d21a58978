/* The change feed: what a store changed since a cursor, as records a
 * property group loads into PostgreSQL (pm-rollup). Every record has
 * "type" "change" and the store's id ("store"), the table, the row's key
 * (a JSON array of its key columns) and when it changed ("at", Unix
 * seconds), and an "op":
 *   "upsert"   "row" is the row as it is now;
 *   "delete"   the row is gone;
 *   "replace"  "rows" are all the rows of a table that travels with its
 *              parent (bill_line with its bill, posting with its journal
 *              entry), "key" the parent's: the loader drops the parent's
 *              old rows and keeps these.
 * The last record has "type" "cursor", the cursor the feed began at
 * ("since", "0" for every row) and the one to pass next time ("cursor").
 * Loading the same records twice leaves what loading them once does. */
#ifndef PM_CHANGEFEED_H
#define PM_CHANGEFEED_H

#include <jansson.h>
#include <stdint.h>

#include "pm/err.h"

struct pm_db;

/* The tables in the feed, in the order a snapshot sends them; NULL after
 * the last. */
extern const char *const pm_changefeed_tables[];

/* The changes after cursor since (NULL or "0": every row of the store, as
 * it is now), of the tables named in the comma-separated list tables
 * (NULL: all), each given to fn, then the next cursor. One read snapshot:
 * a writer at the same time lands after the cursor printed. PM_EUSAGE for
 * a table not in the feed or a malformed cursor; PM_EDATA for a cursor
 * this store never gave (another store's, or one from before a restore).
 * fn returning non-zero stops the walk with that code. */
int pm_changefeed_export(struct pm_db *db, const char *since, const char *tables,
			 int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e);

/* Deletes the change_log rows before cursor before (one pm export
 * printed: the cursor the group's loader has, pm-rollup cursor), so the
 * log does not grow without end, in one audited transaction; *deleted is
 * how many. A later export --since a cursor older than before is refused
 * (PM_EDATA: load again from 0); since before or after it is as it was.
 * PM_EUSAGE and PM_EDATA for a cursor as pm_changefeed_export. */
int pm_changefeed_prune(struct pm_db *db, const char *before, int64_t *deleted, struct pm_err *e);

#endif
