/* What lib/ modules keep per store handle. Private to libpm. */
#ifndef PM_DB_INTERNAL_H
#define PM_DB_INTERNAL_H

#include "pm/db.h"

/* The audit chain's key, looked for once per handle by lib/audit.c. */
struct pm_db_key {
	int state;              /* 0: not looked for; 1: there is none; 2: in key */
	unsigned char key[32];
	char where[256];        /* "file:/srv/pm/x.db.key", for messages */
	int made;               /* written by this handle: pm_db_discard removes it */
};
struct pm_db_key *pm_db_key_slot(struct pm_db *db);

/* The objects pm_audit_touch named in the open transaction, held until
 * the audit record that owns them is written (pm_audit_claim) or, when
 * none is, until pm_db_commit, which writes them unowned as before; a
 * rollback forgets them, as it did their rows. One string each, in
 * order; NULL at the end. pm_db_touch_add returns 0 when out of memory. */
int pm_db_touch_add(struct pm_db *db, const char *object);
const char *pm_db_touch_next(struct pm_db *db, size_t *at);
size_t pm_db_touch_count(const struct pm_db *db);
void pm_db_touch_clear(struct pm_db *db);
/* lib/audit.c: writes the held objects as audit_touch rows of record id
 * (0: of none yet), and forgets them. */
int pm_audit_touch_write(struct pm_db *db, int64_t id, struct pm_err *e);

/* Writes a module holds back in the open transaction to make them
 * together (lib/reading.c writes a batch's readings in the table's
 * order): flush makes them, first thing in pm_db_commit; drop forgets
 * them, at a rollback. One holder a handle; NULLs end the holding. */
void pm_db_hold(struct pm_db *db, int (*flush)(void *ctx, struct pm_err *e), void (*drop)(void *ctx),
		void *ctx);

/* Writes the change feed's keys noted in the open transaction into
 * change_log now, not at the commit, once they take FEED_SPILL bytes: a
 * transaction of 500,000 readings held 16 MiB of them. Statements from
 * pm_db_stmt may have been finalized: fetch them again after. */
int pm_db_feed_spill(struct pm_db *db, struct pm_err *e);

/* A number that changes at each commit and rollback of the handle, and
 * that no other handle of the process has had: what a module remembers
 * of rows read or written in a transaction holds while it is the same. */
uint64_t pm_db_epoch(const struct pm_db *db);

/* Gives SQLite lib/sqlmem.c's allocator; before SQLite's first use in the
 * process, else SQLite refuses it, harmlessly. */
void pm_sqlmem_install(void);
/* Tells lib/sqlmem.c that the process is a bulk run, whose page cache
 * is worth huge pages. */
void pm_sqlmem_bulk(void);

#endif
