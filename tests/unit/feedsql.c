/* feedsql STORE SQL: runs SQL on the store in one transaction through
 * libpm's commit path, which logs the change feed's keys, as pm's own
 * writes are: what the CLI tests use to change a table the programs have
 * no command for (the sqlite3 shell's writes are not in the feed). */
#include <stdio.h>

#include "pm/db.h"

int main(int argc, char **argv)
{
	struct pm_err e = {0};
	struct pm_db *db = NULL;
	int rc;

	if (argc != 3) {
		fputs("usage: feedsql STORE SQL\n", stderr);
		return 2;
	}
	if ((rc = pm_db_open(argv[1], 0, &db, &e)) == PM_OK && (rc = pm_db_begin(db, &e)) == PM_OK)
		rc = pm_db_end(db, pm_db_exec(db, argv[2], &e), &e);
	if (rc)
		fprintf(stderr, "feedsql: %s\n", e.msg);
	pm_db_close(db);
	return rc ? 1 : 0;
}
