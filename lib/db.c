#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pm/db.h"
#include "pm/i18n.h"
#include "pm/timeutil.h"

extern const char *const pm_schema_sql[];
extern const size_t pm_schema_count;

#define STMT_CACHE 64
#define BUSY_MS 5000

struct stmt_slot {
	const char *sql;
	sqlite3_stmt *st;
};

struct pm_db {
	sqlite3 *h;
	char *path;
	char actor[64];
	char *tz;
	struct stmt_slot stmts[STMT_CACHE];
};

int pm_db_schema_version(void)
{
	return (int)pm_schema_count;
}

int pm_db_fail(struct pm_db *db, struct pm_err *e, const char *what)
{
	int rc = sqlite3_extended_errcode(db->h) & 0xff;
	int code = PM_EFAIL;

	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		code = PM_ETEMPFAIL;
	else if (rc == SQLITE_CONSTRAINT)
		code = PM_EDATA;
	else if (rc == SQLITE_READONLY || rc == SQLITE_PERM || rc == SQLITE_CANTOPEN)
		code = PM_ECANTCREAT;
	else if (rc == SQLITE_IOERR || rc == SQLITE_FULL)
		code = PM_EIO;
	return pm_err_set(e, code, "%s: %s", what, sqlite3_errmsg(db->h));
}

int pm_db_each(struct pm_db *db, sqlite3_stmt *st, json_t *(*row)(sqlite3_stmt *st, void *rctx),
	       void *rctx, int (*fn)(void *ctx, json_t *rec), void *ctx, const char *what,
	       struct pm_err *e)
{
	json_t *rec;
	int rc, frc = PM_OK;

	while (frc == PM_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!(rec = row(st, rctx)))
			continue;
		frc = fn(ctx, rec);
		json_decref(rec);
	}
	sqlite3_reset(st);
	if (frc)
		return frc;
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, what);
}

int pm_db_exec(struct pm_db *db, const char *sql, struct pm_err *e)
{
	if (sqlite3_exec(db->h, sql, NULL, NULL, NULL) != SQLITE_OK)
		return pm_db_fail(db, e, _("store"));
	return PM_OK;
}

static int user_version(struct pm_db *db, int *v, struct pm_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return pm_db_fail(db, e, _("cannot read the store"));
	rc = sqlite3_step(st);
	*v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return pm_db_fail(db, e, _("cannot read the store"));
	return PM_OK;
}

/* Each migration runs in its own transaction with the version bump, so a
 * killed upgrade leaves the store at the last complete version. */
static int migrate(struct pm_db *db, int v, struct pm_err *e)
{
	char bump[48];

	for (; v < (int)pm_schema_count; v++) {
		if (pm_db_begin(db, e))
			return e->code;
		if (user_version(db, &v, e))
			goto fail;
		if (v >= (int)pm_schema_count) {
			pm_db_rollback(db);
			break;
		}
		snprintf(bump, sizeof bump, "PRAGMA user_version = %d", v + 1);
		if (pm_db_exec(db, pm_schema_sql[v], e) || pm_db_exec(db, bump, e))
			goto fail;
		if (pm_db_commit(db, e))
			return e->code;
	}
	return PM_OK;
fail:
	pm_db_rollback(db);
	return pm_err_prefix(e, _("cannot upgrade the store to schema %d"), v + 1);
}

/* A store made by a newer pm is refused before anything is written to it,
 * the journal mode included. */
static int not_newer(struct pm_db *db, int *v, struct pm_err *e)
{
	if (user_version(db, v, e))
		return e->code;
	if (*v > (int)pm_schema_count)
		return pm_err_set(e, PM_ECONFIG,
			_("'%s' was made by a newer pm (schema %d, this pm knows %d): upgrade pm"),
			db->path, *v, (int)pm_schema_count);
	return PM_OK;
}

static int configure(struct pm_db *db, int flags, struct pm_err *e)
{
	int v;

	sqlite3_busy_timeout(db->h, BUSY_MS);
	if (pm_db_exec(db, "PRAGMA foreign_keys = ON", e) || not_newer(db, &v, e))
		return e->code;
	if (flags & PM_DB_READONLY)
		return PM_OK;
	/* WAL lets readers (reports, the web) run beside a writer (an ingest);
	 * it is a property of the file, set once when the store is made.
	 * NORMAL sync is durable at every checkpoint and safe in WAL. */
	if ((v == 0 && pm_db_exec(db, "PRAGMA journal_mode = WAL", e)) ||
	    pm_db_exec(db, "PRAGMA synchronous = NORMAL", e))
		return e->code;
	return migrate(db, v, e);
}

/* "file:PATH?immutable=1" with PATH %-escaped as a URI needs. */
static char *immutable_uri(const char *path)
{
	size_t n = strlen(path);
	char *uri = malloc(n * 3 + 32), *p = uri;

	if (!uri)
		return NULL;
	p += snprintf(p, 6, "file:");
	for (; *path; path++)
		if (*path == '?' || *path == '#' || *path == '%')
			p += snprintf(p, 4, "%%%02X", (unsigned char)*path);
		else
			*p++ = *path;
	snprintf(p, 13, "?immutable=1");
	return uri;
}

/* A store this user may read but not write, whose WAL index cannot be
 * made (a read-only copy on a gate controller's computer, in a directory
 * that is not theirs either), is read as a file nobody changes. Only
 * then: a store some writer has open has its index there already. */
static int reopen_immutable(struct pm_db *db, struct pm_err *e)
{
	char *uri = immutable_uri(db->path);
	int rc;

	if (!uri)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	sqlite3_close(db->h);
	rc = sqlite3_open_v2(uri, &db->h, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
	free(uri);
	if (rc != SQLITE_OK)
		return pm_err_set(e, PM_ENOINPUT, _("cannot open '%s': %s"), db->path, sqlite3_errmsg(db->h));
	return PM_OK;
}

int pm_db_open(const char *path, int flags, struct pm_db **out, struct pm_err *e)
{
	struct pm_db *db;
	struct stat sb;
	int oflags;

	*out = NULL;
	if (flags & PM_DB_CREATE) {
		if (stat(path, &sb) == 0)
			return pm_err_set(e, PM_ECANTCREAT,
				_("'%s' already exists: refusing to overwrite a store"), path);
		oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	} else {
		if (stat(path, &sb) != 0)
			return pm_err_set(e, PM_ENOINPUT,
				_("no store at '%s': run 'pm init' or give --db"), path);
		/* A store the user cannot write is opened to be read, so what
		 * only reads works and a write says why it cannot. */
		if (access(path, W_OK) != 0)
			flags |= PM_DB_READONLY;
		oflags = flags & PM_DB_READONLY ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	}
	db = calloc(1, sizeof *db);
	if (!db || !(db->path = strdup(path))) {
		free(db);
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	}
	snprintf(db->actor, sizeof db->actor, "%s", "system");
	if (sqlite3_open_v2(path, &db->h, oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		pm_err_set(e, flags & PM_DB_CREATE ? PM_ECANTCREAT : PM_ENOINPUT,
			_("cannot open '%s': %s"), path, sqlite3_errmsg(db->h));
		pm_db_close(db);
		return e->code;
	}
	if ((flags & PM_DB_READONLY) &&
	    sqlite3_exec(db->h, "SELECT 1 FROM sqlite_schema LIMIT 1", NULL, NULL, NULL) != SQLITE_OK &&
	    (sqlite3_errcode(db->h) == SQLITE_READONLY || sqlite3_errcode(db->h) == SQLITE_CANTOPEN) &&
	    reopen_immutable(db, e)) {
		pm_db_close(db);
		return e->code;
	}
	if (configure(db, flags, e)) {
		pm_db_close(db);
		return e->code;
	}
	*out = db;
	return PM_OK;
}

void pm_db_close(struct pm_db *db)
{
	if (!db)
		return;
	for (int i = 0; i < STMT_CACHE && db->stmts[i].sql; i++)
		sqlite3_finalize(db->stmts[i].st);
	sqlite3_close(db->h);
	free(db->path);
	free(db->tz);
	free(db);
}

int pm_db_brief(struct pm_db *db, struct pm_err *e)
{
	if (sqlite3_db_config(db->h, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL) != SQLITE_OK)
		return pm_db_fail(db, e, _("store"));
	/* The next to open the store alone reads the whole WAL to rebuild its
	 * index; a short one keeps that cheap. */
	return pm_db_exec(db, "PRAGMA wal_autocheckpoint = 64", e);
}

int pm_db_bulk(struct pm_db *db, struct pm_err *e)
{
	return pm_db_exec(db, "PRAGMA cache_size = -16384", e);
}

int pm_db_row(struct pm_db *db, const char *sql, const char *key, sqlite3_stmt **st,
	      const char *what, struct pm_err *e)
{
	int rc;

	if (!(*st = pm_db_stmt(db, sql, e)))
		return -e->code;
	sqlite3_bind_text(*st, 1, key, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(*st);
	if (rc == SQLITE_ROW)
		return 1;
	sqlite3_reset(*st);
	if (rc == SQLITE_DONE)
		return 0;
	return -pm_db_fail(db, e, what);
}

int pm_db_exists(struct pm_db *db, const char *sql, const char *key, const char *what,
		 struct pm_err *e)
{
	sqlite3_stmt *st;
	int rc = pm_db_row(db, sql, key, &st, what, e);

	if (rc == 1)
		sqlite3_reset(st);
	return rc;
}

sqlite3 *pm_db_sqlite(struct pm_db *db)
{
	return db->h;
}

const char *pm_db_path(const struct pm_db *db)
{
	return db->path;
}

/* The busy handler does not cover BEGIN IMMEDIATE upgrading a snapshot,
 * so the retry here is explicit, with a short sleep between tries. */
int pm_db_begin(struct pm_db *db, struct pm_err *e)
{
	struct timespec pause = {0, 20 * 1000 * 1000};
	int rc;

	for (int waited = 0;; waited += 20) {
		rc = sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		if (rc != SQLITE_BUSY || waited >= BUSY_MS)
			break;
		nanosleep(&pause, NULL);
	}
	if (rc != SQLITE_OK)
		return pm_db_fail(db, e, _("cannot start a write"));
	return PM_OK;
}

int pm_db_commit(struct pm_db *db, struct pm_err *e)
{
	if (sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		pm_db_fail(db, e, _("cannot commit"));
		pm_db_rollback(db);
		return e->code;
	}
	return PM_OK;
}

void pm_db_rollback(struct pm_db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

sqlite3_stmt *pm_db_stmt(struct pm_db *db, const char *sql, struct pm_err *e)
{
	struct stmt_slot *s = db->stmts;
	int i;

	for (i = 0; i < STMT_CACHE && s[i].sql; i++)
		if (s[i].sql == sql) {
			sqlite3_reset(s[i].st);
			sqlite3_clear_bindings(s[i].st);
			return s[i].st;
		}
	if (i == STMT_CACHE) {
		pm_err_set(e, PM_ESOFTWARE, _("too many cached statements"));
		return NULL;
	}
	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s[i].st, NULL) != SQLITE_OK) {
		pm_db_fail(db, e, _("cannot prepare a query"));
		return NULL;
	}
	s[i].sql = sql;
	return s[i].st;
}

void pm_db_set_actor(struct pm_db *db, const char *login)
{
	snprintf(db->actor, sizeof db->actor, "%s", login);
}

const char *pm_db_actor(const struct pm_db *db)
{
	return db->actor;
}

const char *pm_db_tz(struct pm_db *db)
{
	static const char sql[] =
		"SELECT json_extract(json, '$.community.timezone') FROM config_version"
		" ORDER BY version DESC LIMIT 1";
	sqlite3_stmt *st;
	const char *tz = NULL;

	if (db->tz)
		return db->tz;
	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			tz = (const char *)sqlite3_column_text(st, 0);
		db->tz = strdup(tz ? tz : PM_DEFAULT_TZ);
		sqlite3_finalize(st);
	}
	return db->tz ? db->tz : PM_DEFAULT_TZ;
}

long long pm_now(void)
{
	const char *fixed = getenv("PM_NOW");
	int64_t t;

	if (fixed && *fixed && pm_time_parse(fixed, &t, NULL) == PM_OK)
		return t;
	return (long long)time(NULL);
}

static int copy_db(sqlite3 *from, sqlite3 *to, struct pm_err *e, const char *path)
{
	sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
	int rc;

	if (!b)
		return pm_err_set(e, PM_ECANTCREAT, _("cannot copy to '%s': %s"), path, sqlite3_errmsg(to));
	/* One step: the copy is one read transaction, a snapshot, while
	 * writers go on appending to the WAL. */
	while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED)
		sqlite3_sleep(20);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE)
		return pm_err_set(e, PM_ECANTCREAT, _("cannot copy to '%s': %s"), path, sqlite3_errstr(rc));
	return PM_OK;
}

static int copy_to_file(sqlite3 *from, const char *path, struct pm_err *e)
{
	size_t n = strlen(path) + 16;
	char *tmp = malloc(n);
	sqlite3 *to = NULL;
	int rc;

	if (!tmp)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
	unlink(tmp);
	if (sqlite3_open_v2(tmp, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
		rc = pm_err_set(e, PM_ECANTCREAT, _("cannot create '%s': %s"), tmp, sqlite3_errmsg(to));
	else
		rc = copy_db(from, to, e, path);
	if (rc == PM_OK && sqlite3_exec(to, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK)
		rc = pm_err_set(e, PM_ECANTCREAT, _("cannot finish '%s': %s"), tmp, sqlite3_errmsg(to));
	sqlite3_close(to);
	if (rc == PM_OK && rename(tmp, path) != 0)
		rc = pm_err_set(e, PM_ECANTCREAT, _("cannot rename '%s' to '%s': %s"), tmp, path, strerror(errno));
	if (rc != PM_OK)
		unlink(tmp);
	free(tmp);
	return rc;
}

int pm_db_backup(struct pm_db *db, const char *path, struct pm_err *e)
{
	return copy_to_file(db->h, path, e);
}

static int check_copy(const char *path, sqlite3 **h, struct pm_err *e)
{
	sqlite3_stmt *st = NULL;
	int v = 0, ok = 0;

	if (sqlite3_open_v2(path, h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return pm_err_set(e, PM_ENOINPUT, _("cannot open '%s': %s"), path, sqlite3_errmsg(*h));
	if (sqlite3_prepare_v2(*h, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		ok = strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
	sqlite3_finalize(st);
	if (!ok)
		return pm_err_set(e, PM_EDATA, _("'%s' is not a sound pm store: refusing to restore it"), path);
	if (sqlite3_prepare_v2(*h, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (v < 1)
		return pm_err_set(e, PM_EDATA, _("'%s' is not a pm store"), path);
	if (v > (int)pm_schema_count)
		return pm_err_set(e, PM_ECONFIG, _("'%s' was made by a newer pm (schema %d): upgrade pm"), path, v);
	return PM_OK;
}

int pm_db_restore(const char *store_path, const char *backup_path, char **aside, struct pm_err *e)
{
	struct pm_db *db = NULL;
	sqlite3 *src = NULL;
	size_t n = strlen(store_path) + 48;
	int rc;

	*aside = NULL;
	if ((rc = check_copy(backup_path, &src, e)))
		goto out;
	if ((rc = pm_db_open(store_path, 0, &db, e)))
		goto out;
	if (!(*aside = malloc(n))) {
		rc = pm_err_set(e, PM_EFAIL, _("out of memory"));
		goto out;
	}
	snprintf(*aside, n, "%s.before-restore-%lld", store_path, pm_now());
	if ((rc = copy_to_file(db->h, *aside, e)))
		goto out;
	rc = copy_db(src, db->h, e, store_path);
out:
	pm_db_close(db);
	sqlite3_close(src);
	return rc;
}
