/* The property group's side of the change feed: pm export's records
 * loaded into PostgreSQL (share/pm/rollup/postgres.sql). Linked into
 * pm-rollup alone, the one program that links libpq. */
#ifndef PM_ROLLUP_H
#define PM_ROLLUP_H

#include <jansson.h>

#include "pm/err.h"
#include "pm/report.h"

/* What one community batch (the records up to a cursor record) did. */
struct pm_rollup_batch {
	const char *file, *store, *since, *cursor;
	long records;
	int skipped; /* already loaded: PostgreSQL had its cursor */
};

/* Loads the files ("-" standard input) into the database conninfo names,
 * each community batch in one transaction that also stores its cursor, so
 * a load killed half-way leaves the database as it was before that batch
 * and loading again resumes there. A batch PostgreSQL already has is
 * skipped; one that starts at another cursor than PostgreSQL's is
 * PM_EDATA (a feed missed between them), as is a line that is not a
 * record of pm export. A batch whose cursor is 0 (pm export without
 * --since) replaces the community's rows. fn hears of each batch. */
int pm_rollup_load(const char *conninfo, char *const *files, int nfiles,
		   void (*fn)(void *ctx, const struct pm_rollup_batch *b), void *ctx, struct pm_err *e);

/* Where each community's feed stands in PostgreSQL (only store's, if not
 * NULL: PM_ENOINPUT when it has loaded nothing): a record {"type":
 * "loaded", "store", "cursor", "loaded_at"} each to fn. The cursor is the
 * one pm export --prune-before may prune to. */
int pm_rollup_cursors(const char *conninfo, const char *store, int (*fn)(void *ctx, json_t *rec), void *ctx,
		      struct pm_err *e);

/* The group report name ("collection": pm-report collection's figures,
 * a row a community and the total) for q's periods, from the views of
 * postgres.sql, for the renderers (pm/render.h). PM_EUSAGE for a report
 * the group has not. */
int pm_rollup_report(const char *conninfo, const char *name, const struct pm_report_query *q,
		     struct pm_report **out, struct pm_err *e);

/* Whether conninfo (key=value or a postgresql:// URI) holds a password,
 * which every user of the machine then reads in the process list: libpq
 * finds it in ~/.pgpass or $PGPASSFILE without it. 0 for text libpq does
 * not parse, which connecting then refuses. */
int pm_rollup_conninfo_password(const char *conninfo);

#endif
