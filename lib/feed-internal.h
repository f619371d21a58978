/* The change feed's log of changed keys, kept per store handle by
 * lib/db.c and written into change_log by its commit path. Private to
 * libpm. */
#ifndef PM_FEED_INTERNAL_H
#define PM_FEED_INTERNAL_H

#include <sqlite3.h>

#include "pm/db.h"

struct pm_feed_log;

/* From SQLite's preupdate hook of handle h: the key of a row of a table
 * in the feed that op (SQLITE_INSERT, SQLITE_UPDATE, SQLITE_DELETE) is
 * about to change, both keys when an update changes it. *log is made at
 * the first. What cannot be noted (out of memory) fails the commit. */
void pm_feed_note(struct pm_feed_log **log, sqlite3 *h, int op, const char *schema, const char *table,
		  sqlite3_int64 old_rowid, sqlite3_int64 new_rowid);
/* Whether keys wait to be written (or a note failed). */
int pm_feed_pending(const struct pm_feed_log *log);
/* The bytes the keys waiting take. */
size_t pm_feed_size(const struct pm_feed_log *log);
/* The table of the first key waiting, for messages. */
const char *pm_feed_first(const struct pm_feed_log *log);
/* Writes the keys noted into change_log, in the transaction open, and
 * forgets them; PM_OK when there were none. */
int pm_feed_write(struct pm_db *db, struct pm_feed_log *log, struct pm_err *e);
/* Forgets the keys noted (the transaction rolled back). */
void pm_feed_clear(struct pm_feed_log *log);
/* Forgets the tables' key columns (a migration may have changed them). */
void pm_feed_forget_columns(struct pm_feed_log *log);
void pm_feed_free(struct pm_feed_log *log);

#endif
