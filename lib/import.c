#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm/audit.h"
#include "pm/cli.h"
#include "pm/i18n.h"
#include "pm/import.h"
#include "pm/jsonl.h"
#include "pm/timeutil.h"

/* Records put off (PM_IMPORT_LATER) with where they came from and their
 * raw text, line end included, for a rejection after the last file is
 * closed. */
struct later {
	json_t *rec;
	char *where, *raw;
	size_t len;
};

struct laters {
	struct later *l;
	size_t n, cap;
};

/* One import run: its inputs, its reject file, the records it put off,
 * and where its batches and its audit record stand. */
struct run {
	struct pm_import *im;
	int nfiles;
	char **files;
	struct pm_reject *rj;
	struct laters ls;
	int64_t started;
	long pending;        /* records read since the last commit */
	int open;            /* a transaction is open */
	int running;         /* the audit record of the start is committed */
	int64_t audit_id;    /* that record, which owns the objects of later batches */
};

/* The batch's transaction starts at its first good record, not before:
 * waiting for input with the store locked would stop the program that
 * writes it (pm-bill pay - | pm-notify send). */
static int import_begin(struct pm_ctx *c, struct run *run)
{
	if (run->open)
		return PM_OK;
	if (pm_db_begin(c->db, &c->err))
		return c->err.code;
	run->open = 1;
	return PM_OK;
}

static int import_reject(struct pm_ctx *c, struct run *run, struct pm_jsonl *r, struct pm_err *why)
{
	run->im->rejected++;
	pm_cli_warn(c, "%s: %s", pm_jsonl_where(r), why->msg);
	return run->rj ? pm_reject_record(run->rj, r, &c->err) : PM_OK;
}

/* Told of a rejection, a program may print a record saying so: that is
 * true whatever becomes of the batch, so it goes out at once. */
static void import_told(struct pm_ctx *c, struct pm_import *im, json_t *rec, const char *where,
			const char *why)
{
	json_t *held = c->held;

	if (!im->on_reject)
		return;
	c->held = NULL;
	im->on_reject(im->ctx, rec, where, why);
	c->held = held;
}

static int later_add(struct pm_ctx *c, struct laters *ls, json_t *rec, struct pm_jsonl *r)
{
	struct later *l;
	const char *raw, *eol = pm_jsonl_eol(r);
	size_t len, n;

	if (ls->n == ls->cap) {
		size_t cap = ls->cap ? ls->cap * 2 : 64;
		if (!(l = realloc(ls->l, cap * sizeof *l)))
			return pm_err_set(&c->err, PM_EFAIL, _("out of memory"));
		ls->l = l;
		ls->cap = cap;
	}
	l = &ls->l[ls->n];
	raw = pm_jsonl_raw(r, &len);
	n = strlen(eol);
	l->where = strdup(pm_jsonl_where(r));
	l->raw = malloc(len + n + 1);
	if (!l->where || !l->raw) {
		free(l->where);
		free(l->raw);
		return pm_err_set(&c->err, PM_EFAIL, _("out of memory"));
	}
	memcpy(l->raw, raw, len);
	memcpy(l->raw + len, eol, n);
	l->len = len + n;
	l->rec = json_incref(rec);
	ls->n++;
	return PM_OK;
}

static void laters_free(struct laters *ls)
{
	for (size_t i = 0; i < ls->n; i++) {
		json_decref(ls->l[i].rec);
		free(ls->l[i].where);
		free(ls->l[i].raw);
	}
	free(ls->l);
}

/* The records put off, given to retry() in the order read, inside the
 * run's last transaction. */
static int import_later(struct pm_ctx *c, struct run *run)
{
	struct pm_import *im = run->im;
	struct pm_err why;
	int rc = PM_OK, outcome;

	for (size_t i = 0; i < run->ls.n && rc == PM_OK; i++) {
		struct later *l = &run->ls.l[i];

		if ((rc = import_begin(c, run)))
			break;
		outcome = 0;
		rc = im->retry(im->ctx, l->rec, &outcome, &why);
		if (rc == PM_OK && outcome >= 0 && outcome < 8)
			im->counts[outcome]++;
		if (rc == PM_EDATA) {
			import_told(c, im, l->rec, l->where, why.msg);
			im->rejected++;
			pm_cli_warn(c, "%s: %s", l->where, why.msg);
			rc = run->rj ? pm_reject_write(run->rj, l->raw, l->len, &c->err) : PM_OK;
		} else if (rc) {
			c->err = why;
			pm_err_prefix(&c->err, "%s", l->where);
		}
	}
	return rc;
}

/* The run's audit record (pm_audit_run): its inputs, and once done its
 * counts. */
static int import_audit(struct pm_ctx *c, struct run *run, const char *status)
{
	struct pm_import *im = run->im;
	json_t *after, *names;
	int rc;

	if (im->dry_run)
		return PM_OK;
	after = json_object();
	names = json_array();
	for (int i = 0; i < run->nfiles; i++)
		json_array_append_new(names, json_string(run->files[i]));
	json_object_set_new(after, "files", names);
	if (strcmp(status, "done") == 0) {
		json_object_set_new(after, "read", json_integer(im->read));
		json_object_set_new(after, "rejected", json_integer(im->rejected));
		for (int i = 0; im->outcomes && im->outcomes[i]; i++)
			json_object_set_new(after, im->outcomes[i], json_integer(im->counts[i]));
	}
	rc = pm_audit_run(c->db, im->action, im->action, status, run->started, after, &c->err);
	json_decref(after);
	return rc;
}

/* Commits the open batch, then prints the records it made: an outcome
 * goes out only once it is true of the store, and one of a batch rolled
 * back never does. */
static int import_commit(struct pm_ctx *c, struct run *run, int last)
{
	json_t *held = c->held, *rec;
	size_t i;
	int rc;

	run->pending = 0;
	if (!run->open)
		return PM_OK;
	if (!last && !run->running &&
	    ((rc = import_audit(c, run, "running")) || (rc = pm_audit_last(c->db, &run->audit_id, &c->err))))
		return rc;
	/* A batch between the first and the last has no record of its own:
	 * what it changed is the run's (pm_audit_touch). */
	if (!last && run->running && (rc = pm_audit_claim(c->db, run->audit_id, &c->err)))
		return rc;
	run->open = 0;
	if ((rc = pm_db_commit(c->db, &c->err))) {
		json_array_clear(held);
		return rc;
	}
	run->running = 1;
	c->held = NULL;
	json_array_foreach(held, i, rec)
		if (!rc)
			rc = pm_cli_out(c, rec);
	/* A program reading them (pm-notify send) gets them now, not when
	 * the stream ends. */
	if (json_array_size(held) && fflush(stdout) && !rc)
		rc = pm_err_set(&c->err, PM_EIO, _("write error on standard output: %s"), strerror(errno));
	if (!rc && run->im->committed)
		rc = run->im->committed(run->im->ctx);
	json_array_clear(held);
	c->held = held;
	return rc;
}

static int import_file(struct pm_ctx *c, struct run *run, const char *path)
{
	struct pm_import *im = run->im;
	struct pm_jsonl *r;
	struct pm_err why;
	json_t *rec;
	int rc, outcome;

	if (pm_jsonl_open(path, im->mode, &r, &c->err))
		return c->err.code;
	if (pm_jsonl_encoding(r, im->encoding, &c->err)) {
		pm_jsonl_close(r);
		return c->err.code;
	}
	if (im->ignore_unknown)
		pm_jsonl_names(r, im->fields);
	else
		pm_jsonl_fields(r, im->fields);
	for (;;) {
		/* What is read so far is committed before waiting for more: a
		 * stream from a pipe is stored as it comes, and the store is
		 * not held while the program writing the pipe may need it. A
		 * producer's short pauses (a chunk written) cost no commit. */
		if (!im->strict && run->open && !pm_jsonl_ready(r, 20) && (rc = import_commit(c, run, 0)))
			break;
		rec = NULL;
		rc = pm_jsonl_next(r, &rec, &why);
		if (rc == PM_OK && !rec)
			break;
		if (rc == PM_OK || rc == PM_EDATA)
			im->read++;
		if (rc == PM_OK && (rc = import_begin(c, run)))
			break;
		if (rc == PM_OK) {
			outcome = 0;
			rc = im->record(im->ctx, rec, &outcome, &why);
			if (rc == PM_OK && outcome == PM_IMPORT_LATER && (rc = later_add(c, &run->ls, rec, r)))
				break;
			if (rc == PM_OK && outcome >= 0 && outcome < 8)
				im->counts[outcome]++;
		} else {
			rec = NULL;
		}
		if (rc == PM_EDATA) {
			import_told(c, im, rec, pm_jsonl_where(r), why.msg);
			if ((rc = import_reject(c, run, r, &why)))
				break;
		} else if (rc) {
			c->err = why;
			pm_err_prefix(&c->err, "%s", pm_jsonl_where(r));
			break;
		}
		if (!im->strict && ++run->pending >= im->batch && (rc = import_commit(c, run, 0)))
			break;
		if (pm_cli_progress_due(c, im->read)) {
			long long size, at = pm_jsonl_done(r, &size);

			pm_cli_progress_draw(c, im->read, 0, at, size);
		}
	}
	pm_cli_progress_end(c);
	pm_jsonl_close(r);
	return rc;
}

static void import_summary(struct pm_ctx *c, struct pm_import *im)
{
	char line[256];
	size_t n;

	n = (size_t)snprintf(line, sizeof line, _("read %ld"), im->read);
	for (int i = 0; im->outcomes && im->outcomes[i] && n < sizeof line; i++)
		n += (size_t)snprintf(line + n, sizeof line - n, ", %s %ld", _(im->outcomes[i]), im->counts[i]);
	if (n < sizeof line)
		snprintf(line + n, sizeof line - n, _(", rejected %ld"), im->rejected);
	pm_cli_note(c, "%s", line);
}

static int import_run(struct pm_ctx *c, struct run *run)
{
	struct pm_import *im = run->im;
	int rc = pm_db_bulk(c->db, &c->err);

	for (int i = 0; i < run->nfiles && rc == PM_OK; i++)
		rc = import_file(c, run, run->files[i]);
	if (rc == PM_OK)
		rc = import_later(c, run);
	if (rc == PM_OK && im->strict && im->rejected) {
		pm_db_rollback(c->db);
		/* The summary counts what was written: none of it. */
		for (int i = 0; im->outcomes && im->outcomes[i]; i++)
			im->counts[i] = 0;
		return pm_err_set(&c->err, PM_EDATA, _("%ld bad records: nothing was written (--strict)"),
				  im->rejected);
	}
	if (rc == PM_OK && (rc = import_begin(c, run)) == PM_OK && (rc = import_audit(c, run, "done")) == PM_OK)
		return import_commit(c, run, 1);
	/* What committed before the failure stays; a re-run completes it. */
	pm_db_rollback(c->db);
	return rc;
}

int pm_import_run(struct pm_ctx *c, struct pm_import *im, int nfiles, char **files)
{
	static char *dash[] = {"-"};
	struct run run = {im, nfiles, files, NULL, {NULL, 0, 0}, pm_now(), 0, 0, 0, 0};
	int rc;

	if (nfiles == 0) {
		run.nfiles = 1;
		run.files = dash;
	}
	if (im->batch <= 0)
		im->batch = 10000;
	if (pm_jsonl_encoding_check(im->encoding, &c->err))
		return pm_cli_usage(c, "--encoding: %s", c->err.msg);
	if (im->reject && pm_reject_open(im->reject, &run.rj, &c->err))
		return c->err.code;
	if (pm_reject_check(run.rj, run.nfiles, run.files, &c->err)) {
		pm_reject_close(run.rj, NULL);
		return c->err.code;
	}
	if (!(c->held = json_array())) {
		pm_reject_close(run.rj, NULL);
		return pm_err_set(&c->err, PM_EFAIL, _("out of memory"));
	}
	rc = import_run(c, &run);
	laters_free(&run.ls);
	json_decref(c->held);
	c->held = NULL;
	if (pm_reject_close(run.rj, rc ? NULL : &c->err) && rc == PM_OK)
		rc = c->err.code;
	if (rc == PM_OK || rc == PM_EDATA)
		import_summary(c, im);
	if (rc == PM_OK && im->rejected) {
		pm_err_set(&c->err, PM_EDATA, _("%ld of %ld records rejected"), im->rejected, im->read);
		rc = PM_EDATA;
	}
	return rc;
}

/* ---- importing by upserts ---- */

int pm_import_opt(struct pm_import *im, int key, const char *arg)
{
	switch (key) {
	case PM_OPT_REJECT: im->reject = arg; return 1;
	case PM_OPT_STRICT: im->strict = 1; return 1;
	case PM_OPT_IGNORE_UNKNOWN: im->ignore_unknown = 1; return 1;
	case PM_OPT_ENCODING: im->encoding = arg; return 1;
	}
	return 0;
}

const struct pm_opt pm_import_opts[] = {
	PM_IMPORT_OPTS,
	{NULL, 0, NULL, NULL},
};

struct upserts {
	struct pm_db *db;
	int (*upsert)(struct pm_db *db, json_t *rec, enum pm_upsert *did, struct pm_err *e);
};

static int upsert_record(void *ctx, json_t *rec, int *outcome, struct pm_err *e)
{
	struct upserts *u = ctx;
	enum pm_upsert did;
	int rc = u->upsert(u->db, rec, &did, e);

	*outcome = (int)did;
	return rc;
}

int pm_import_upserts(struct pm_ctx *c, int argc, char **argv, const char *action,
			  const char *permission, const char *const *fields,
			  int (*upsert)(struct pm_db *db, json_t *rec, enum pm_upsert *did,
					struct pm_err *e))
{
	struct upserts u = {NULL, upsert};
	struct pm_import im = {.action = action, .mode = PM_JSONL_OR_CSV, .fields = fields,
			       .outcomes = pm_upsert_names, .record = upsert_record, .ctx = &u};
	const char *arg;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		pm_import_opt(&im, k, arg);
	if (k < 0)
		return c->stop;
	if (pm_cli_db(c, permission, &u.db))
		return c->err.code;
	return pm_import_run(c, &im, argc - c->optind, argv + c->optind);
}
