/* The import engine: records read from outside (JSON lines or CSV) by the
 * reject convention, written in batches through a subcommand's record()
 * callback, with the run's audit record, its held output and its reject
 * file. Used by cmd/ through the pm_ctx of lib/cli.c, whose printing it
 * shares. */
#ifndef PM_IMPORT_H
#define PM_IMPORT_H

#include <jansson.h>

#include "pm/cli.h"
#include "pm/community.h"
#include "pm/db.h"
#include "pm/err.h"
#include "pm/i18n.h"
#include "pm/jsonl.h"

/* Reading records from outside by the reject convention: each bad record
 * is reported as "PROG: FILE:LINE: message" and copied to the reject file,
 * good ones are committed in batches, and the result is PM_EDATA if any
 * was rejected. With strict, nothing is committed unless all are good.
 * What record() prints with pm_cli_out is held until its batch commits,
 * and dropped if the batch is rolled back; what on_reject prints goes out
 * at once. The run's audit record (action) is committed with the first
 * batch as "running" when there are more, and as "done" with the counts
 * with the last. */
struct pm_import {
	const char *action;        /* audit action of the run, "unit.import" */
	const char *reject;        /* --reject FILE, or NULL */
	int strict;
	int dry_run;               /* record() writes nothing: no run record either */
	int ignore_unknown;        /* --ignore-unknown: fields allows any */
	const char *encoding;      /* --encoding, or NULL for UTF-8 */
	const char *const *fields; /* the fields a record may have (pm_jsonl_fields) */
	enum pm_jsonl_mode mode;
	long batch;                /* records per transaction (0: 10000) */
	const char *const *outcomes; /* names of what record() may report */
	/* Validates and writes one record inside the open transaction,
	 * setting *outcome; PM_EDATA rejects it (having written nothing),
	 * any other error stops the run. An outcome of PM_IMPORT_LATER puts
	 * the record off, having written nothing: it may need a record further
	 * on. After the last record of the last file each record put off is
	 * given, in the order read, to retry(), which decides it as record()
	 * does but may not put it off again. */
	int (*record)(void *ctx, json_t *rec, int *outcome, struct pm_err *e);
	int (*retry)(void *ctx, json_t *rec, int *outcome, struct pm_err *e);
	/* Told of each rejected record (rec NULL when it was no JSON object),
	 * or NULL. */
	void (*on_reject)(void *ctx, json_t *rec, const char *where, const char *why);
	/* Called after each batch commits and its held output is out, or
	 * NULL: to print what the batch kept to print (pm_cli_printq). An
	 * error, in the pm_ctx's err, stops the run. */
	int (*committed)(void *ctx);
	void *ctx;
	long read, rejected, counts[8]; /* filled in */
};
#define PM_IMPORT_LATER (-1)
int pm_import_run(struct pm_ctx *c, struct pm_import *im, int nfiles, char **files);

/* The options every import shares, for a subcommand's table, and
 * pm_import_opt to take them into a struct pm_import. */
enum { PM_OPT_REJECT = 0x1100, PM_OPT_STRICT, PM_OPT_IGNORE_UNKNOWN, PM_OPT_ENCODING };
#define PM_IMPORT_OPT_REJECT {"reject", PM_OPT_REJECT, "FILE", N_("append bad records to FILE (made 0600)")}
#define PM_IMPORT_OPT_STRICT {"strict", PM_OPT_STRICT, NULL, N_("write nothing if any record is bad")}
#define PM_IMPORT_OPT_IGNORE_UNKNOWN \
	{"ignore-unknown", PM_OPT_IGNORE_UNKNOWN, NULL, N_("read records with fields or columns pm does not know")}
#define PM_IMPORT_OPT_ENCODING \
	{"encoding", PM_OPT_ENCODING, "NAME", N_("the input's character set, such as gb18030 (default utf-8)")}
#define PM_IMPORT_OPTS PM_IMPORT_OPT_REJECT, PM_IMPORT_OPT_STRICT, PM_IMPORT_OPT_IGNORE_UNKNOWN, PM_IMPORT_OPT_ENCODING
/* 1 when key was one of them, taken into im; else 0. */
int pm_import_opt(struct pm_import *im, int key, const char *arg);

/* The options of a subcommand that imports records one upsert each, and
 * its whole handler: parses them, opens the store with permission, and
 * imports the operands (JSON lines or CSV, of the fields named) through
 * upsert, counting inserted, updated and unchanged. */
extern const struct pm_opt pm_import_opts[];
int pm_import_upserts(struct pm_ctx *c, int argc, char **argv, const char *action,
			  const char *permission, const char *const *fields,
			  int (*upsert)(struct pm_db *db, json_t *rec, enum pm_upsert *did,
					struct pm_err *e));

#endif
