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

/* Gives SQLite lib/sqlmem.c's allocator; before SQLite's first use in the
 * process, else SQLite refuses it, harmlessly. */
void pm_sqlmem_install(void);

#endif
