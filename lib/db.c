/* Debian's libsqlite3 has the preupdate hook (the change feed's);
 * sqlite3.h declares it only when told. */
#define SQLITE_ENABLE_PREUPDATE_HOOK 1

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pm/db.h"
#include "pm/file.h"
#include "pm/i18n.h"
#include "pm/timeutil.h"
#include "db-internal.h"
#include "feed-internal.h"

extern const char *const pm_schema_sql[];
extern const size_t pm_schema_count;

#define STMT_CACHE 128
#define BUSY_DEFAULT_MS 30000
#define BUSY_STEP_MS 20

struct stmt_slot {
	const char *sql;
	sqlite3_stmt *st;
};

struct pm_db {
	sqlite3 *h;
	char *path;
	long busy_ms;        /* PM_BUSY_TIMEOUT */
	long busy_left_ms;   /* what this process may still wait for others */
	char actor[64], caller[64];
	char *tz;
	struct stat file;   /* the store's owner, group and mode, at open */
	struct pm_db_key key;
	struct stmt_slot stmts[STMT_CACHE];
	int evict;          /* where a full cache looks first for room */
	int snapshot;       /* reads share one read transaction (pm_db_read) */
	int reading;        /* that read transaction is open */
	struct pm_feed_log *feed; /* keys changed in the open transaction */
	int feed_on;        /* the library logs the feed (0032_feed_hook on) */
	char slipped[64];   /* a commit that would lose keys was refused: a table of theirs */
	uint64_t epoch;     /* pm_db_epoch */
	struct {
		char *p;            /* the objects touched, each ending in NUL */
		size_t len, cap, n;
	} touch;
	struct {
		int (*flush)(void *ctx, struct pm_err *e);
		void (*drop)(void *ctx);
		void *ctx;
	} held;             /* pm_db_hold */
};

static uint64_t epochs;

static void epoch_next(struct pm_db *db)
{
	db->epoch = ++epochs;
}

uint64_t pm_db_epoch(const struct pm_db *db)
{
	return db->epoch;
}

int pm_db_touch_add(struct pm_db *db, const char *object)
{
	size_t n = strlen(object) + 1;

	if (db->touch.len + n > db->touch.cap) {
		size_t cap = 2 * (db->touch.len + n) + 4096;
		char *p = realloc(db->touch.p, cap);

		if (!p)
			return 0;
		db->touch.p = p;
		db->touch.cap = cap;
	}
	memcpy(db->touch.p + db->touch.len, object, n);
	db->touch.len += n;
	db->touch.n++;
	return 1;
}

const char *pm_db_touch_next(struct pm_db *db, size_t *at)
{
	const char *s;

	if (*at >= db->touch.len)
		return NULL;
	s = db->touch.p + *at;
	*at += strlen(s) + 1;
	return s;
}

size_t pm_db_touch_count(const struct pm_db *db)
{
	return db->touch.n;
}

void pm_db_touch_clear(struct pm_db *db)
{
	db->touch.len = db->touch.n = 0;
}


int pm_db_schema_version(void)
{
	return (int)pm_schema_count;
}

/* Another writer held the store for all the time there was to wait. */
/* Internal, as is the store read-only (pm_db_begin): they name the
 * store's path, for the command line and the server's log, never for a
 * web page, which says "busy" or "error" and logs it. */
static int busy(struct pm_db *db, struct pm_err *e)
{
	return pm_err_internal(e, PM_ETEMPFAIL,
			  _("store busy, try again: another program kept '%s' locked for writing (PM_BUSY_TIMEOUT)"),
			  db->path);
}

/* PM_BUSY_TIMEOUT: seconds, or a number with ms, s or m. */
static int busy_timeout(long *ms, struct pm_err *e)
{
	static const struct {
		const char *unit;
		long ms;
	} units[] = {{"", 1000}, {"ms", 1}, {"s", 1000}, {"m", 60000}};
	const char *s = getenv("PM_BUSY_TIMEOUT");
	char *end;
	long n;

	*ms = BUSY_DEFAULT_MS;
	if (!s || !*s)
		return PM_OK;
	errno = 0;
	n = strtol(s, &end, 10);
	for (size_t i = 0; end != s && *s >= '0' && *s <= '9' && !errno && i < sizeof units / sizeof *units; i++)
		if (strcmp(end, units[i].unit) == 0 && n <= 24 * 3600 * 1000L / units[i].ms) {
			*ms = n * units[i].ms;
			return PM_OK;
		}
	return pm_err_set(e, PM_ECONFIG,
			  _("PM_BUSY_TIMEOUT '%s' is not a time: give seconds (30) or a number with ms, s or m (500ms, 2m)"), s);
}

/* The busy handler: waits in steps while the process has time left, so
 * its waits add up to PM_BUSY_TIMEOUT at most, however many there are. */
static int busy_wait(void *ctx, int tries)
{
	struct pm_db *db = ctx;
	struct timespec pause = {0, BUSY_STEP_MS * 1000 * 1000};

	(void)tries;
	if (db->busy_left_ms <= 0)
		return 0;
	nanosleep(&pause, NULL);
	db->busy_left_ms -= BUSY_STEP_MS;
	return 1;
}

void pm_db_busy_renew(struct pm_db *db)
{
	db->busy_left_ms = db->busy_ms;
}

/* Opens the shared read transaction for a statement that only reads,
 * when pm_db_read asked for one and no transaction is open: DEFERRED,
 * so it takes its snapshot at that statement's first step. */
static void read_open(struct pm_db *db)
{
	if (db->reading || !sqlite3_get_autocommit(db->h))
		return;
	db->reading = sqlite3_exec(db->h, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
}

void pm_db_read(struct pm_db *db)
{
	db->snapshot = 1;
}

/* COMMIT, not ROLLBACK: a statement still stepping through rows goes on
 * reading. Also before any write, so that the write begins from the
 * newest state and commits on its own, as it would without pm_db_read. */
void pm_db_read_end(struct pm_db *db)
{
	if (!db)
		return;
	db->snapshot = 0;
	if (!db->reading)
		return;
	db->reading = 0;
	if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL);
}

int pm_db_fail(struct pm_db *db, struct pm_err *e, const char *what)
{
	int rc = sqlite3_extended_errcode(db->h) & 0xff;
	int code = PM_EFAIL;

	if (db->slipped[0]) {
		code = pm_err_internal(e, PM_ESOFTWARE,
				       _("%s: a change to '%s' was to commit without pm_db_commit, which logs it for the"
					 " change feed: refused"), what, db->slipped);
		db->slipped[0] = '\0';
		return code;
	}
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return busy(db, e);
	if (rc == SQLITE_CONSTRAINT)
		code = PM_EDATA;
	else if (rc == SQLITE_READONLY || rc == SQLITE_PERM || rc == SQLITE_CANTOPEN)
		code = PM_ECANTCREAT;
	else if (rc == SQLITE_IOERR || rc == SQLITE_FULL)
		code = PM_EIO;
	return pm_err_internal(e, code, "%s: %s", what, sqlite3_errmsg(db->h));
}

/* The first column of the row holding text that is not UTF-8, which no
 * JSON string may (jansson refuses it), or -1. Only a store edited by
 * hand has such text: every input is checked. */
static int not_utf8(sqlite3_stmt *st)
{
	json_t *j;

	for (int i = 0; i < sqlite3_column_count(st); i++) {
		if (sqlite3_column_type(st, i) != SQLITE_TEXT)
			continue;
		j = json_stringn((const char *)sqlite3_column_text(st, i), (size_t)sqlite3_column_bytes(st, i));
		if (!j)
			return i;
		json_decref(j);
	}
	return -1;
}

int pm_db_row_utf8(sqlite3_stmt *st, const char *what, struct pm_err *e)
{
	int bad = not_utf8(st);

	if (bad < 0)
		return PM_OK;
	return pm_err_set(e, PM_EDATA, _("%s: column \"%s\" of a row holds bytes that are not UTF-8"
					" (was the store edited by hand?)"),
			  what, sqlite3_column_name(st, bad));
}

int pm_db_each(struct pm_db *db, sqlite3_stmt *st, json_t *(*row)(sqlite3_stmt *st, void *rctx),
	       void *rctx, int (*fn)(void *ctx, json_t *rec), void *ctx, const char *what,
	       struct pm_err *e)
{
	json_t *rec;
	int rc, frc = PM_OK;

	while (frc == PM_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* No record is a row left out on purpose, or one that cannot be
		 * written: that one stops the listing, never silently dropped. */
		if (!(rec = row(st, rctx)))
			frc = pm_db_row_utf8(st, what, e);
		if (!rec)
			continue;
		frc = fn(ctx, rec);
		json_decref(rec);
	}
	sqlite3_reset(st);
	if (frc)
		return frc;
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, what);
}

/* Steps st: through its rows when rows, else once. */
static int step(sqlite3_stmt *st, int rows)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW && rows)
		;
	return rc;
}

/* Steps st to its end (rows as step). A write outside a transaction that
 * changed a table of the change feed was refused at its commit, whole
 * (feed_commit): it runs again in a transaction of its own, whose commit
 * logs it. */
/* what is a message, or with msgid set its msgid, translated only when
 * it is told. */
static int step_all(struct pm_db *db, sqlite3_stmt *st, int rows, const char *what, int msgid,
		    struct pm_err *e)
{
	int rc = step(st, rows);

	if (rc != SQLITE_DONE && msgid)
		what = _(what);
	if (rc != SQLITE_DONE && db->slipped[0] && sqlite3_get_autocommit(db->h)) {
		db->slipped[0] = '\0';
		sqlite3_reset(st);
		if (pm_db_begin(db, e))
			return e->code;
		if (step(st, rows) == SQLITE_DONE)
			return pm_db_commit(db, e);
		rc = pm_db_fail(db, e, what);
		pm_db_rollback(db);
		return rc;
	}
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, what);
}

/* "COMMIT" is pm_db_commit: the change feed's keys are logged first. */
int pm_db_exec(struct pm_db *db, const char *sql, struct pm_err *e)
{
	struct pm_err ignored;
	sqlite3_stmt *st;
	int rc = PM_OK;

	if (!e)
		e = &ignored;
	if (strcmp(sql, "COMMIT") == 0)
		return pm_db_commit(db, e);
	pm_db_read_end(db);
	while (rc == PM_OK && *sql) {
		if (sqlite3_prepare_v2(db->h, sql, -1, &st, &sql) != SQLITE_OK)
			return pm_db_fail(db, e, _("store"));
		if (st)
			rc = step_all(db, st, 1, N_("store"), 1, e);
		sqlite3_finalize(st);
	}
	return rc;
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

/* The schema version from which the library logs the change feed's keys:
 * that of 0032_feed_hook.sql, which drops the triggers that logged them
 * before (a migration before it is not logged here). Found by its text,
 * so that migrations renumbered at a merge cannot misplace it. */
static int feed_schema(void)
{
	for (size_t i = 0; i < pm_schema_count; i++)
		if (strstr(pm_schema_sql[i], "DROP TRIGGER feed_building_ins;"))
			return (int)i + 1;
	return (int)pm_schema_count + 1;
}

/* Each migration runs in its own transaction with the version bump, so a
 * killed upgrade leaves the store at the last complete version. */
static int migrate(struct pm_db *db, int v, struct pm_err *e)
{
	int feed_from = v < (int)pm_schema_count ? feed_schema() : 0;
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
		db->feed_on = v + 1 >= feed_from;
		if (pm_db_exec(db, pm_schema_sql[v], e) || pm_db_exec(db, bump, e))
			goto fail;
		if (pm_db_commit(db, e))
			return e->code;
		pm_feed_forget_columns(db->feed);
	}
	db->feed_on = 1;
	return PM_OK;
fail:
	pm_db_rollback(db);
	return pm_err_prefix(e, _("cannot upgrade the store to schema %d"), v + 1);
}

/* A store made by a newer pm is refused before anything is written to it,
 * the journal mode included. known: *v was read already (store_check). */
static int not_newer(struct pm_db *db, int *v, int known, struct pm_err *e)
{
	if (!known && user_version(db, v, e))
		return e->code;
	if (*v > (int)pm_schema_count)
		return pm_err_set(e, PM_ECONFIG,
			_("'%s' was made by a newer pm (schema %d, this pm knows %d): upgrade pm"),
			db->path, *v, (int)pm_schema_count);
	return PM_OK;
}

/* Whether h's main database has table name: 1, 0, or -1 when it cannot
 * be read to tell. Looked up in the schema SQLite parses anyway at a
 * first statement, where a statement over sqlite_master read all of its
 * rows again. */
static int has_table(sqlite3 *h, const char *name)
{
	int rc = sqlite3_table_column_metadata(h, "main", name, NULL, NULL, NULL, NULL, NULL, NULL);

	if (rc == SQLITE_OK)
		return 1;
	return rc == SQLITE_ERROR ? 0 : -1;
}

/* Whether h holds a pm store: 1, with its schema version in *v, or 0 for
 * an SQLite database without a schema version and pm's first tables, -1
 * for no SQLite database at all, -2 when it cannot be read to tell. The
 * version from the header (PRAGMA user_version parses no schema), the
 * tables from the schema the first statement parses: two read
 * transactions, as the schema's and a statement's were (callgrind, a
 * CGI bill page: 0.23 M instructions fewer than a statement over
 * pragma_user_version and sqlite_master; not_newer needs the version). */
static int is_store(sqlite3 *h, int *v)
{
	sqlite3_stmt *st;
	int rc, a = 0, c = 0;

	if (sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		*v = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
		if (*v > 0 && ((a = has_table(h, "audit")) < 0 || (a && (c = has_table(h, "config_version")) < 0)))
			return -2;
		return *v > 0 && a && c;
	}
	rc = (sqlite3_extended_errcode(h) & 0xff) == SQLITE_NOTADB ? -1 : -2;
	sqlite3_finalize(st);
	return rc;
}

/* An existing file is opened only as a store: an empty one, a text file
 * or another program's database is refused untouched, never made into
 * one (pm init does that). *known: its version is in *v. */
static int store_check(struct pm_db *db, int *v, int *known, struct pm_err *e)
{
	struct stat st;
	int kind = is_store(db->h, v);

	*known = kind == 1;
	/* What cannot be read is said by the open that follows. */
	if (kind == 1 || kind == -2)
		return PM_OK;
	if (stat(db->path, &st) == 0 && st.st_size == 0 && kind == 0)
		return pm_err_set(e, PM_ENOINPUT, _("'%s' is empty, not a pm store: give --db the store, or make one with pm init"),
				  db->path);
	if (kind == -1)
		return pm_err_set(e, PM_ENOINPUT, _("'%s' is not a pm store: not an SQLite database"), db->path);
	return pm_err_set(e, PM_ENOINPUT, _("'%s' is not a pm store: an SQLite database without pm's tables"), db->path);
}

/* A WAL store is read through its -shm file, which pm leaves in place
 * (persistent WAL): a caller who may not make files beside the store
 * cannot make it again once a tool that removes it on close (the sqlite3
 * shell) has run, until someone who may opens the store. */
static int read_failed(struct pm_db *db, struct pm_err *e)
{
	char shm[4200];

	snprintf(shm, sizeof shm, "%s-shm", db->path);
	if (access(shm, F_OK) != 0 && errno == ENOENT)
		return pm_err_set(e, PM_ENOPERM,
			_("cannot open '%s' without its -shm file, which you may not make: the store's owner makes it by running any pm command, such as 'pm check'"),
			db->path);
	return e->code;
}

/* -wal and -shm as a writer other than root makes them get that writer's
 * group; they must have the store's, or the staff group cannot use them.
 * Changed by name, never through a descriptor: closing any descriptor of
 * a file drops every POSIX lock the process holds on it, SQLite's on the
 * -shm included, and another process would then reset the index under
 * this one's feet. Nor through a link. */
static void match_store(struct pm_db *db, const char *suffix)
{
	mode_t mode = db->file.st_mode & 0660;
	char path[4200];
	struct stat st;

	snprintf(path, sizeof path, "%s%s", db->path, suffix);
	if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid())
		return;
	if (st.st_gid != db->file.st_gid && lchown(path, (uid_t)-1, db->file.st_gid) != 0)
		mode &= 0600;
	if ((st.st_mode & 07777) != mode)
		fchmodat(AT_FDCWD, path, mode, AT_SYMLINK_NOFOLLOW);
}

/* The change feed: a change to a row of a table in the feed notes the
 * row's key (lib/changefeed.c), which pm_db_commit writes into change_log
 * in the same transaction. Writes made outside pm (the sqlite3 shell) are
 * not logged: pm-export(1). */
static void feed_note(void *ctx, sqlite3 *h, int op, const char *schema, const char *table,
		      sqlite3_int64 old_rowid, sqlite3_int64 new_rowid)
{
	struct pm_db *db = ctx;

	pm_feed_note(&db->feed, h, op, schema, table, old_rowid, new_rowid);
}

/* A commit that did not pass pm_db_commit (a write run on its own, outside
 * a transaction, or a COMMIT run another way) would lose its keys: it is
 * refused, and the write fails, saying so (pm_db_fail). */
static int feed_commit(void *ctx)
{
	struct pm_db *db = ctx;

	epoch_next(db);
	if (!pm_feed_pending(db->feed) && !db->touch.n)
		return 0;
	snprintf(db->slipped, sizeof db->slipped, "%s",
		 pm_feed_pending(db->feed) ? pm_feed_first(db->feed) : "audit_touch");
	return 1;
}

static void feed_rollback(void *ctx)
{
	struct pm_db *db = ctx;

	epoch_next(db);
	pm_feed_clear(db->feed);
	pm_db_touch_clear(db);
}

static void feed_hooks(struct pm_db *db)
{
	sqlite3_preupdate_hook(db->h, feed_note, db);
	sqlite3_commit_hook(db->h, feed_commit, db);
	sqlite3_rollback_hook(db->h, feed_rollback, db);
}

/* SQL pm_day_start('YYYY-MM-DD'): the first instant of the day in the
 * community's zone (UTC seconds), NULL for NULL or no date: what a date
 * such as a residence's since is compared with times by. */
static void day_start(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	struct pm_db *db = sqlite3_user_data(cx);
	const char *s = (const char *)sqlite3_value_text(argv[0]);
	int32_t day;

	(void)argc;
	if (s && pm_date_parse(s, &day, NULL) == PM_OK)
		sqlite3_result_int64(cx, pm_date_start(day, pm_db_tz(db)));
	else
		sqlite3_result_null(cx);
}

static int configure(struct pm_db *db, int flags, struct pm_err *e)
{
	int v = 0, known = 0, persist = 1;

	if (busy_timeout(&db->busy_ms, e))
		return e->code;
	db->busy_left_ms = db->busy_ms;
	sqlite3_busy_handler(db->h, busy_wait, db);
	if (sqlite3_create_function(db->h, "pm_day_start", 1, SQLITE_UTF8, db, day_start, NULL, NULL) != SQLITE_OK)
		return pm_db_fail(db, e, _("cannot open the store"));
	if (!(flags & PM_DB_CREATE) && store_check(db, &v, &known, e))
		return e->code;
	if (pm_db_exec(db, "PRAGMA foreign_keys = ON", e))
		return e->code;
	if (not_newer(db, &v, known, e))
		return e->code == PM_ECONFIG ? e->code : read_failed(db, e);
	if (flags & PM_DB_READONLY) {
		if (v < (int)pm_schema_count)
			return pm_err_set(e, PM_ECONFIG,
				_("'%s' is at schema %d and this pm needs %d: a user who may write it must open it once"),
				db->path, v, (int)pm_schema_count);
		return PM_OK;
	}
	/* WAL lets readers (reports, the web) run beside a writer (an ingest);
	 * it is a property of the file, set once when the store is made.
	 * FULL sync: a payment or change reported done survives a power cut
	 * (NORMAL would keep the store sound but could lose the last commits
	 * before a checkpoint); bulk runs commit per batch, so it costs them
	 * one fsync a batch. The WAL and its index stay when the last writer
	 * closes, truncated, so readers who may not write the directory can
	 * still open it. */
	sqlite3_file_control(db->h, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
	if ((v == 0 && pm_db_exec(db, "PRAGMA journal_mode = WAL", e)) ||
	    pm_db_exec(db, "PRAGMA synchronous = FULL", e) ||
	    pm_db_exec(db, "PRAGMA journal_size_limit = 67108864", e))
		return e->code;
	match_store(db, "-wal");
	match_store(db, "-shm");
	feed_hooks(db);
	epoch_next(db);
	return migrate(db, v, e);
}

/* Whether path can be opened at all, and for writing: a store the caller
 * may only read is opened read-only. */
static int reachable(const char *path, int *flags, struct pm_err *e)
{
	if (access(path, R_OK) != 0) {
		if (errno == ENOENT)
			return pm_err_set(e, PM_ENOINPUT, _("no store at '%s': run 'pm init' or give --db"), path);
		if (errno == EACCES)
			return pm_err_set(e, PM_ENOPERM,
				_("cannot read '%s': permission denied (the store's owner may give a group access: see 'man 7 pm')"),
				path);
		return pm_err_set(e, PM_ENOINPUT, _("cannot open '%s': %s"), path, strerror(errno));
	}
	if (access(path, W_OK) != 0)
		*flags |= PM_DB_READONLY;
	return PM_OK;
}

/* SQLite's memory statistics take a global mutex around every allocation,
 * and parsing the schema at the first statement allocates thousands of
 * times: 7% of a short command's instructions, for figures nothing reads.
 * Set before SQLite's first use in the process; later it is refused,
 * harmlessly. */
static void tune_sqlite(void)
{
	static int done;

	if (!done) {
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
		pm_sqlmem_install();
		done = 1;
	}
}

static int open_handle(const char *path, int flags, struct pm_db **out, struct pm_err *e)
{
	struct pm_db *db = calloc(1, sizeof *db);
	int oflags = flags & PM_DB_READONLY ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;

	*out = NULL;
	if (!db || !(db->path = strdup(path))) {
		free(db);
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	}
	snprintf(db->actor, sizeof db->actor, "%s", "system");
	tune_sqlite();
	if (sqlite3_open_v2(path, &db->h, oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    stat(path, &db->file) != 0) {
		pm_err_set(e, flags & PM_DB_CREATE ? PM_ECANTCREAT : PM_ENOINPUT,
			_("cannot open '%s': %s"), path, sqlite3_errmsg(db->h));
		pm_db_close(db);
		return e->code;
	}
	if (configure(db, flags, e)) {
		pm_db_close(db);
		return e->code;
	}
	pm_file_store_opened(path, &db->file);
	*out = db;
	return PM_OK;
}

int pm_db_open(const char *path, int flags, struct pm_db **out, struct pm_err *e)
{
	*out = NULL;
	if (flags & PM_DB_CREATE)
		return pm_db_create(path, &pm_file_private, out, e);
	if (reachable(path, &flags, e))
		return e->code;
	return open_handle(path, flags, out, e);
}

/* The store's file and those SQLite keeps beside it. */
static void remove_files(const char *path)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	char name[4200];

	for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
		snprintf(name, sizeof name, "%s%s", path, suffixes[i]);
		unlink(name);
	}
}

/* The file is made here, with its mode and group, before SQLite opens it
 * (an empty file is an empty database): SQLite would make it 0644 less
 * the umask, and gives the -wal and -shm files the store's mode. */
int pm_db_create(const char *path, const struct pm_file_mode *m, struct pm_db **out,
		 struct pm_err *e)
{
	struct stat st;
	int fd, rc;

	*out = NULL;
	if (pm_file_open(path, PM_FILE_EXCL, m, &fd, e)) {
		if (errno == EEXIST)
			pm_err_set(e, PM_ECANTCREAT, _("'%s' already exists: refusing to overwrite a store"), path);
		return e->code;
	}
	/* pm_file_open would rather drop a group it cannot give than hand
	 * the store to the wrong one; a store is refused instead. */
	if (m->gid != (gid_t)-1 && (fstat(fd, &st) != 0 || st.st_gid != m->gid)) {
		struct group *g = getgrgid(m->gid);

		close(fd);
		unlink(path);
		return pm_err_set(e, PM_ENOPERM, _("cannot give '%s' to group '%s': you are not in it"), path,
				  g ? g->gr_name : "?");
	}
	close(fd);
	if ((rc = open_handle(path, PM_DB_CREATE, out, e)))
		remove_files(path);
	return rc;
}

void pm_db_discard(struct pm_db *db)
{
	char *path;

	if (!db)
		return;
	path = db->path;
	db->path = NULL;
	/* A store made with its key: both go, or the next pm init finds a key
	 * of no store and refuses. */
	if (db->key.made)
		unlink(db->key.where + 5);
	pm_db_close(db);
	remove_files(path);
	free(path);
}

void pm_db_close(struct pm_db *db)
{
	if (!db)
		return;
	pm_db_read_end(db);
	for (int i = 0; i < STMT_CACHE && db->stmts[i].sql; i++)
		sqlite3_finalize(db->stmts[i].st);
	sqlite3_close(db->h);
	pm_feed_free(db->feed);
	free(db->touch.p);
	free(db->path);
	free(db->tz);
	free(db);
}

/* A brief process's commit hook: once the WAL holds BRIEF_WAL_FRAMES
 * frames, copy them into the store and empty the WAL (TRUNCATE), without
 * waiting for readers: with one, the copy goes as far as it can and the
 * WAL is emptied by a later commit. SQLite's own autocheckpoint copies
 * the frames but never empties the WAL when no process stays open: the
 * next process to open the store alone rebuilds the WAL's index from the
 * file and takes every frame for not yet copied, so each of them read
 * the whole WAL, copied all of it again and synced twice more (strace of
 * pm-gate verify: from the 16th call on, 4 syncs a call instead of 2
 * and a WAL 4 frames longer each time, 1,019 reads at 4 MB). */
enum { BRIEF_WAL_FRAMES = 64 };

static int brief_checkpoint(void *ctx, sqlite3 *h, const char *name, int frames)
{
	if (frames >= BRIEF_WAL_FRAMES) {
		sqlite3_busy_handler(h, NULL, NULL);
		sqlite3_wal_checkpoint_v2(h, name, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
		sqlite3_busy_handler(h, busy_wait, ctx);
	}
	return SQLITE_OK;
}

int pm_db_brief(struct pm_db *db, struct pm_err *e)
{
	if (sqlite3_db_config(db->h, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL) != SQLITE_OK)
		return pm_db_fail(db, e, _("store"));
	/* The next to open the store alone reads the whole WAL to rebuild its
	 * index; a short one keeps that cheap. */
	sqlite3_wal_hook(db->h, brief_checkpoint, db);
	return PM_OK;
}

int pm_db_bulk(struct pm_db *db, struct pm_err *e)
{
	/* Each write that may fail half-way (a trigger, a foreign key) keeps
	 * a statement journal, whose first chunk is 64 KiB: freed at the
	 * statement's end at the top of the heap, glibc gave it back to the
	 * kernel and took it again at the next, a brk and page faults per
	 * statement. A run keeps what it freed instead. */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	/* And no fastbins: each malloc of a page or more (a sorter's
	 * block, a page) consolidated all of them first, full of the
	 * breakdowns' small frees. */
	mallopt(M_MXFAST, 0);
	pm_sqlmem_bulk();
	/* The WAL checkpointed when it reaches 64 MiB (the store's
	 * journal_size_limit), not at SQLite's 1,000 pages: at 100,000 units
	 * that was after every batch's commit, each checkpoint three fsyncs
	 * copying again the pages every batch changes (the indexes, bill_sum),
	 * and on a busy disk each fsync is what makes a run take 6 s or 23
	 * (strace: pm-bill run 88 fsyncs, now 37; pm unit import 27, now 15).
	 * A commit is as durable as before (the WAL is synced at each); what
	 * changes is when its pages reach the store's file. */
	return pm_db_exec(db, "PRAGMA cache_size = -16384; PRAGMA wal_autocheckpoint = 16384", e);
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
	return -pm_db_fail(db, e, _(what));
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

int pm_db_int64(struct pm_db *db, sqlite3_stmt *st, int64_t *value, const char *what, struct pm_err *e)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		*value = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _(what));
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
 * so the retry here is explicit, from the same time left. */
int pm_db_begin(struct pm_db *db, struct pm_err *e)
{
	int rc;

	if (sqlite3_db_readonly(db->h, "main") == 1)
		return pm_err_internal(e, PM_ENOPERM,
			_("'%s' is read-only to you: ask its owner for write access (pm init --group, man 7 pm)"),
			db->path);
	pm_db_read_end(db);
	/* Keys noted outside a transaction were of a write refused or
	 * failed: rolled back, like their rows. */
	db->slipped[0] = '\0';
	pm_feed_clear(db->feed);
	pm_db_touch_clear(db);
	while ((rc = sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL, NULL)) == SQLITE_BUSY &&
	       busy_wait(db, 0))
		;
	if (rc != SQLITE_OK)
		return pm_db_fail(db, e, _("cannot start a write"));
	return PM_OK;
}

void pm_db_hold(struct pm_db *db, int (*flush)(void *ctx, struct pm_err *e), void (*drop)(void *ctx),
		void *ctx)
{
	db->held.flush = flush;
	db->held.drop = drop;
	db->held.ctx = ctx;
}

enum { FEED_SPILL = 256 << 10 };

int pm_db_feed_spill(struct pm_db *db, struct pm_err *e)
{
	if (!db->feed_on || pm_feed_size(db->feed) < FEED_SPILL)
		return PM_OK;
	return pm_feed_write(db, db->feed, e);
}

/* The change feed's keys go into change_log just before COMMIT, in the
 * same transaction: both land, or neither; the writes held, before
 * them. */
int pm_db_commit(struct pm_db *db, struct pm_err *e)
{
	int rc = PM_OK;

	if (db->held.flush)
		rc = db->held.flush(db->held.ctx, e);
	/* Objects touched with no record written after them are committed
	 * unowned, for the next record to claim. */
	if (rc == PM_OK && db->touch.n)
		rc = pm_audit_touch_write(db, 0, e);
	if (rc == PM_OK && db->feed_on)
		rc = pm_feed_write(db, db->feed, e);
	pm_feed_clear(db->feed);
	if (rc == PM_OK && sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = pm_db_fail(db, e, _("cannot commit"));
	if (rc)
		pm_db_rollback(db);
	return rc;
}

void pm_db_rollback(struct pm_db *db)
{
	if (db->held.drop)
		db->held.drop(db->held.ctx);
	pm_feed_clear(db->feed);
	pm_db_touch_clear(db);
	if (db->reading)
		pm_db_read_end(db);
	else if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

int pm_db_end(struct pm_db *db, int rc, struct pm_err *e)
{
	if (rc == PM_OK)
		return pm_db_commit(db, e);
	pm_db_rollback(db);
	return rc;
}

/* Under pm_db_read, a statement that reads joins the shared read
 * transaction and one that writes ends it, and pm_db_read, first. */
static sqlite3_stmt *snapshot_for(struct pm_db *db, sqlite3_stmt *st)
{
	if (!db->snapshot)
		return st;
	if (sqlite3_stmt_readonly(st))
		read_open(db);
	else
		pm_db_read_end(db);
	return st;
}

sqlite3_stmt *pm_db_stmt(struct pm_db *db, const char *sql, struct pm_err *e)
{
	struct stmt_slot *s = db->stmts;
	int i;

	for (i = 0; i < STMT_CACHE && s[i].sql; i++)
		if (s[i].sql == sql) {
			sqlite3_reset(s[i].st);
			sqlite3_clear_bindings(s[i].st);
			return snapshot_for(db, s[i].st);
		}
	/* Full, as a long-lived handle (pm-web's FastCGI mode) gets after
	 * enough different pages: a statement no caller is stepping through
	 * makes room, the next after the last one that did, in turn. */
	if (i == STMT_CACHE) {
		for (int k = 0; k < STMT_CACHE && i == STMT_CACHE; k++) {
			int j = (db->evict + k) % STMT_CACHE;
			if (!sqlite3_stmt_busy(s[j].st))
				i = j;
		}
		if (i == STMT_CACHE) {
			pm_err_set(e, PM_ESOFTWARE, _("too many cached statements"));
			return NULL;
		}
		db->evict = (i + 1) % STMT_CACHE;
		sqlite3_finalize(s[i].st);
		s[i].sql = NULL;
	}
	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s[i].st, NULL) != SQLITE_OK) {
		pm_db_fail(db, e, _("cannot prepare a query"));
		/* The slots stay packed: the last one fills a hole left here. */
		if (i < STMT_CACHE - 1 && s[STMT_CACHE - 1].sql) {
			s[i] = s[STMT_CACHE - 1];
			s[STMT_CACHE - 1] = (struct stmt_slot){NULL, NULL};
		}
		return NULL;
	}
	s[i].sql = sql;
	return snapshot_for(db, s[i].st);
}

void pm_db_set_actor(struct pm_db *db, const char *login)
{
	snprintf(db->actor, sizeof db->actor, "%s", login);
}

const char *pm_db_actor(const struct pm_db *db)
{
	return db->actor;
}

void pm_db_set_caller(struct pm_db *db, const char *login)
{
	snprintf(db->caller, sizeof db->caller, "%s", login);
}

const char *pm_db_caller(const struct pm_db *db)
{
	return db->caller[0] ? db->caller : db->actor;
}

uid_t pm_db_owner(const struct pm_db *db)
{
	return db->file.st_uid;
}

struct pm_file_mode pm_db_file_mode(const struct pm_db *db)
{
	return (struct pm_file_mode){db->file.st_mode & 0660, db->file.st_gid};
}

struct pm_db_key *pm_db_key_slot(struct pm_db *db)
{
	return &db->key;
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

int32_t pm_db_today(struct pm_db *db)
{
	return pm_date_of(pm_now(), pm_db_tz(db));
}

int pm_db_step_done(struct pm_db *db, sqlite3_stmt *st, const char *what, struct pm_err *e)
{
	int rc = step_all(db, st, 0, what, 0, e);

	sqlite3_reset(st);
	return rc;
}

const char *pm_db_rows_sql(char *buf, size_t size, const char *head, const char *row, int n)
{
	size_t k, hl = strlen(head), rl = strlen(row);

	if (buf[0] || hl + (size_t)n * (rl + 1) >= size)
		return buf;
	memcpy(buf, head, hl);
	k = hl;
	for (int i = 0; i < n; i++) {
		if (i)
			buf[k++] = ',';
		memcpy(buf + k, row, rl);
		k += rl;
	}
	buf[k] = '\0';
	return buf;
}

int pm_db_step_n(struct pm_db *db, sqlite3_stmt *st, const char *msgid, struct pm_err *e)
{
	int rc = step_all(db, st, 0, msgid, 1, e);

	sqlite3_reset(st);
	return rc;
}

long long pm_now(void)
{
	/* PM_NOW parsed once per value: a bill run asks once a unit (the
	 * parse was 0.33% of a 2,000-unit run's instructions), and tests
	 * change it between calls in one process. Per thread, as sqlmem's
	 * caches are. */
	static _Thread_local char last[64];
	static _Thread_local int64_t last_t;
	const char *fixed = getenv("PM_NOW");
	size_t len;
	int64_t t;

	if (!fixed || !*fixed)
		return (long long)time(NULL);
	if (strcmp(fixed, last) == 0)
		return last_t;
	if (pm_time_parse(fixed, &t, NULL) != PM_OK)
		return (long long)time(NULL);
	if ((len = strlen(fixed)) < sizeof last) {
		memcpy(last, fixed, len + 1);
		last_t = t;
	}
	return t;
}

/* The id feed_store holds in the database open as h, or "". */
static void read_id(sqlite3 *h, char id[PM_DB_ID_SIZE])
{
	sqlite3_stmt *st = NULL;

	id[0] = '\0';
	if (sqlite3_prepare_v2(h, "SELECT id FROM feed_store", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(id, PM_DB_ID_SIZE, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

void pm_db_id(struct pm_db *db, char id[PM_DB_ID_SIZE])
{
	read_id(db->h, id);
}

void pm_db_file_id(const char *path, char id[PM_DB_ID_SIZE])
{
	sqlite3 *h = NULL;

	id[0] = '\0';
	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW, NULL) == SQLITE_OK)
		read_id(h, id);
	sqlite3_close(h);
}

/* Whether the copy at path failed with SQLite's rc for want of space,
 * then said as such (exit 74): SQLite's "database or disk is full" reads
 * as a store grown too big, and names no file. */
static int disk_full(int rc, const char *path, struct pm_err *e)
{
	if ((rc & 0xff) != SQLITE_FULL)
		return 0;
	pm_err_set(e, PM_EIO, _("cannot write '%s': %s"), path, strerror(ENOSPC));
	return 1;
}

/* Copies from into to, waiting for other writers from db's time. */
static int copy_db(struct pm_db *db, sqlite3 *from, sqlite3 *to, struct pm_err *e, const char *path)
{
	sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
	int rc;

	if (!b)
		return pm_err_set(e, PM_ECANTCREAT, _("cannot copy to '%s': %s"), path, sqlite3_errmsg(to));
	/* One step: the copy is one read transaction, a snapshot, while
	 * writers go on appending to the WAL. */
	while (((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED) && busy_wait(db, 0))
		;
	sqlite3_backup_finish(b);
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return busy(db, e);
	if (rc == SQLITE_DONE)
		return PM_OK;
	if (disk_full(rc, path, e))
		return e->code;
	return pm_err_set(e, PM_ECANTCREAT, _("cannot copy to '%s': %s"), path, sqlite3_errstr(rc));
}

/* The copy in a rollback journal's mode, one file, as a backup is. */
static int finish(sqlite3 *to, const char *path, struct pm_err *e)
{
	if (sqlite3_exec(to, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) == SQLITE_OK)
		return PM_OK;
	if (disk_full(sqlite3_errcode(to), path, e))
		return e->code;
	return pm_err_set(e, PM_ECANTCREAT, _("cannot finish '%s': %s"), path, sqlite3_errmsg(to));
}

/* The part's bytes on the disk, synced here rather than by SQLite, whose
 * failed sync is "disk I/O error" whatever errno said. */
static int sync_part(const char *part, const char *path, struct pm_err *e)
{
	int fd = open(part, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), rc = PM_OK;

	if (fd < 0 || fsync(fd) != 0)
		rc = pm_err_set(e, PM_EIO, _("cannot write '%s': %s"), path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

/* A copy of from at path, with the store's mode, whole or not at all.
 * The part is a file no one else opens and no crash leaves behind
 * (removed unless renamed): it is written in exclusive locking mode, so
 * its WAL (the store's, copied) keeps its index in memory and makes no
 * -shm, with no journal and no sync of SQLite's, leaving the write of
 * its pages and its one sync (sync_part) to fail, each saying why.
 * ready, when given, has the synced part before it takes its name. */
static int copy_to_file(struct pm_db *db, const char *path,
			int (*ready)(void *ctx, const char *part, struct pm_err *e), void *ctx, struct pm_err *e)
{
	static const char setup[] =
		"PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF";
	struct pm_file_mode m = pm_db_file_mode(db);
	struct pm_file_tmp t;
	sqlite3 *to = NULL;
	int rc;

	if (pm_file_not_store(path, e) || pm_file_tmp_open(path, &m, &t, e))
		return e->code;
	close(t.fd);
	t.fd = -1;
	if (sqlite3_open_v2(t.part, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK ||
	    sqlite3_exec(to, setup, NULL, NULL, NULL) != SQLITE_OK)
		rc = pm_err_set(e, PM_ECANTCREAT, _("cannot create '%s': %s"), path, sqlite3_errmsg(to));
	else
		rc = copy_db(db, db->h, to, e, path);
	if (rc == PM_OK)
		rc = finish(to, path, e);
	sqlite3_close(to);
	if (rc == PM_OK)
		rc = sync_part(t.part, path, e);
	if (rc == PM_OK && ready)
		rc = ready(ctx, t.part, e);
	if (rc == PM_OK)
		return pm_file_tmp_commit(&t, e);
	/* A write that failed half way leaves the part's WAL behind. */
	remove_files(t.part);
	pm_file_tmp_abort(&t);
	return rc;
}

int pm_db_backup(struct pm_db *db, const char *path, int (*ready)(void *ctx, const char *part, struct pm_err *e),
		 void *ctx, struct pm_err *e)
{
	return copy_to_file(db, path, ready, ctx, e);
}

/* Checks the copy at path, named name in messages. */
static int check_copy(const char *path, const char *name, sqlite3 **h, struct pm_err *e)
{
	sqlite3_stmt *st = NULL;
	int v = 0, ok = 0;

	if (sqlite3_open_v2(path, h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return pm_err_set(e, PM_ENOINPUT, _("cannot open '%s': %s"), name, sqlite3_errmsg(*h));
	if (sqlite3_prepare_v2(*h, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		ok = strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
	sqlite3_finalize(st);
	if (!ok)
		return pm_err_set(e, PM_EDATA, _("'%s' is not a sound pm store: refusing to restore it"), name);
	if (is_store(*h, &v) != 1)
		return pm_err_set(e, PM_EDATA, _("'%s' is not a pm store"), name);
	if (v > (int)pm_schema_count)
		return pm_err_set(e, PM_ECONFIG, _("'%s' was made by a newer pm (schema %d): upgrade pm"), name, v);
	return PM_OK;
}

/* Copies the bytes of path into fd. */
static int copy_bytes(const char *path, int fd, const char *to, struct pm_err *e)
{
	char buf[65536];
	int in = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = 0, w;
	int rc = PM_OK;

	if (in < 0)
		return pm_err_set(e, errno == ENOENT ? PM_ENOINPUT : PM_ENOPERM, _("cannot read '%s': %s"), path,
				  strerror(errno));
	while (rc == PM_OK && (n = read(in, buf, sizeof buf)) > 0)
		for (ssize_t off = 0; rc == PM_OK && off < n; off += w)
			if ((w = write(fd, buf + off, (size_t)(n - off))) < 0)
				rc = pm_err_set(e, PM_ECANTCREAT, _("cannot write '%s': %s"), to, strerror(errno));
	if (rc == PM_OK && n < 0)
		rc = pm_err_set(e, PM_EIO, _("cannot read '%s': %s"), path, strerror(errno));
	if (rc == PM_OK && fsync(fd) != 0)
		rc = pm_err_set(e, PM_ECANTCREAT, _("cannot write '%s': %s"), to, strerror(errno));
	close(in);
	return rc;
}

/* Renames the store and its -wal and -shm to aside, never opening them:
 * a damaged store cannot be read, and its WAL must not be replayed into
 * the copy that replaces it. */
static int set_aside(const char *store_path, const char *aside, struct pm_err *e)
{
	static const char *const sfx[] = {"-wal", "-shm", ""};
	char from[4200], to[4200];

	for (size_t i = 0; i < sizeof sfx / sizeof *sfx; i++) {
		snprintf(from, sizeof from, "%s%s", store_path, sfx[i]);
		snprintf(to, sizeof to, "%s%s", aside, sfx[i]);
		if (rename(from, to) != 0 && errno != ENOENT)
			return pm_err_set(e, PM_ECANTCREAT, _("cannot rename '%s' to '%s': %s"), from, to,
					  strerror(errno));
	}
	return PM_OK;
}

/* Backups are made with a rollback journal (one file); the store is WAL,
 * so that readers run beside a writer. Set on the part, before it is the
 * store (named), where closing removes the -wal and -shm this makes. */
static int to_wal(const char *path, const char *name, struct pm_err *e)
{
	sqlite3 *h = NULL;
	int ok = sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL) == SQLITE_OK &&
		 sqlite3_exec(h, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) == SQLITE_OK;
	int rc = ok ? PM_OK : pm_err_set(e, PM_ECANTCREAT, _("cannot finish '%s': %s"), name, sqlite3_errmsg(h));

	sqlite3_close(h);
	return rc;
}

/* STORE.before-restore-SECONDS, -N added when a restore in the same
 * second (or under the same PM_NOW) has taken the name. */
static void aside_name(const char *store_path, char *out, size_t n)
{
	long long now = pm_now();
	struct stat st;

	snprintf(out, n, "%s.before-restore-%lld", store_path, now);
	for (int k = 2; lstat(out, &st) == 0; k++)
		snprintf(out, n, "%s.before-restore-%lld-%d", store_path, now, k);
}

/* Byte 128 of a store's -shm: every SQLite connection to a store in WAL
 * mode holds a read lock on it for as long as it is open (the "DMS" lock
 * of SQLite's WAL-index, walformat.html), idle or not. */
#define SHM_DMS 128

/* The store held against every other program while it is replaced.
 * made: STORE-shm was made for the hold (no program had the store open)
 * and goes with it. */
struct hold {
	int fd, made;
};

/* A program that has the store open when it is renamed aside keeps
 * writing to the file set aside, and reports its writes done: so the
 * store is not replaced while one has it open (PM_ETEMPFAIL, naming its
 * process). Write-locked here, so that none opens it meanwhile: one that
 * tries waits, as for a writer. */
static int hold_store(const char *store_path, mode_t mode, struct hold *h, struct pm_err *e)
{
	struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = SHM_DMS, .l_len = 1};
	char shm[4200];

	snprintf(shm, sizeof shm, "%s-shm", store_path);
	h->made = (h->fd = open(shm, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)) >= 0;
	if (h->fd < 0 && (errno != EEXIST || (h->fd = open(shm, O_RDWR | O_NOFOLLOW | O_CLOEXEC)) < 0))
		return pm_err_set(e, errno == EACCES ? PM_ENOPERM : PM_ECANTCREAT, _("cannot open '%s': %s"), shm,
				  strerror(errno));
	if (fcntl(h->fd, F_SETLK, &lk) == 0)
		return PM_OK;
	lk.l_type = F_WRLCK;
	if (fcntl(h->fd, F_GETLK, &lk) != 0 || lk.l_type == F_UNLCK)
		lk.l_pid = 0;
	close(h->fd);
	h->fd = -1;
	return pm_err_set(e, PM_ETEMPFAIL,
		_("'%s' is open in another program (process %ld): stop the programs using it, then restore again"),
		store_path, (long)lk.l_pid);
}

/* Ends the hold; STORE-shm, if made for it, is now base's. */
static void release_store(struct hold *h, const char *base)
{
	char shm[4200];

	if (h->fd < 0)
		return;
	if (h->made) {
		snprintf(shm, sizeof shm, "%s-shm", base);
		unlink(shm);
	}
	close(h->fd);
	h->fd = -1;
}

/* The copy at backup_path in t's part beside the store, checked there:
 * what is checked is the very bytes that are renamed into place, not
 * the backup, which may change after. */
static int part_checked(const char *backup_path, struct pm_file_tmp *t, pm_db_verify_fn verify, void *ctx,
			struct pm_err *e)
{
	sqlite3 *h = NULL;
	int rc = copy_bytes(backup_path, t->fd, t->path, e);

	if (rc == PM_OK)
		rc = check_copy(t->part, backup_path, &h, e);
	sqlite3_close(h);
	if (rc == PM_OK && verify)
		rc = verify(ctx, t->part, e);
	return rc == PM_OK ? to_wal(t->part, t->path, e) : rc;
}

/* The store renamed to a new *aside. */
static int move_aside(const char *store_path, char **aside, struct pm_err *e)
{
	size_t n = strlen(store_path) + 48;

	if (!(*aside = malloc(n)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	aside_name(store_path, *aside, n);
	return set_aside(store_path, *aside, e);
}

int pm_db_restore(const char *store_path, const char *backup_path, pm_db_verify_fn verify, void *ctx,
		  char **aside, struct pm_err *e)
{
	struct pm_file_mode m = pm_file_private;
	struct hold hold = {-1, 0};
	struct pm_file_tmp t;
	struct stat st;
	int rc, live;

	*aside = NULL;
	if (!(live = lstat(store_path, &st) == 0) && errno != ENOENT)
		return pm_err_set(e, PM_ENOPERM, _("cannot open '%s': %s"), store_path, strerror(errno));
	if (live && !S_ISREG(st.st_mode))
		return pm_err_set(e, PM_ECANTCREAT, _("'%s' is not a regular file: refusing to replace it"),
				  store_path);
	if (live)
		m = (struct pm_file_mode){st.st_mode & 0660, st.st_gid};
	/* Refused before the copy is made, which may take minutes; held
	 * again only while it is renamed into place: a program that starts
	 * while it is held has opened the store's file before it waits, and
	 * would wake to the file set aside. */
	if (live && hold_store(store_path, m.mode, &hold, e))
		return e->code;
	release_store(&hold, store_path);
	if (pm_file_tmp_open(store_path, &m, &t, e))
		return e->code;
	rc = part_checked(backup_path, &t, verify, ctx, e);
	if (rc == PM_OK && live)
		rc = hold_store(store_path, m.mode, &hold, e);
	/* Root restoring an admin's store leaves it the admin's: the owner
	 * of the file is who administers it. */
	if (rc == PM_OK && live && geteuid() == 0 && st.st_uid != 0 && fchown(t.fd, st.st_uid, st.st_gid) != 0)
		rc = pm_err_set(e, PM_ECANTCREAT, _("cannot give '%s' to the store's owner: %s"), store_path,
				strerror(errno));
	if (rc == PM_OK && live)
		rc = move_aside(store_path, aside, e);
	if (rc) {
		release_store(&hold, store_path);
		remove_files(t.part);
		pm_file_tmp_abort(&t);
		return rc;
	}
	if ((rc = pm_file_tmp_commit(&t, e)) && live)
		set_aside(*aside, store_path, &(struct pm_err){0});
	release_store(&hold, rc == PM_OK && live ? *aside : store_path);
	/* Opened once by its owner, as the store it replaces was: at this
	 * pm's schema, its -wal and -shm made with its mode. Root does not,
	 * lest files of root's there lock the owner out. */
	if (rc == PM_OK && (!live || st.st_uid == geteuid())) {
		struct pm_db *db = NULL;

		rc = pm_db_open(store_path, 0, &db, e);
		pm_db_close(db);
	}
	return rc;
}

int pm_db_record(struct pm_db *db, const char *sql, int64_t id, json_t *(*row)(sqlite3_stmt *st, void *rctx),
		 void *rctx, json_t **out, const char *what, struct pm_err *e)
{
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	*out = NULL;
	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = row(st, rctx);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return pm_err_set(e, PM_EFAIL, "%s", what);
	if (rc != SQLITE_ROW)
		return pm_db_fail(db, e, what);
	return *out ? PM_OK : pm_err_set(e, PM_EFAIL, _("out of memory"));
}

/* Copied by its length rather than through snprintf's format: pm-bill
 * issue reads five columns a bill this way (snprintf was 1.6% of it). */
void pm_text_col(sqlite3_stmt *st, int col, char *buf, size_t n)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	size_t len = s ? (size_t)sqlite3_column_bytes(st, col) : 0;

	if (!n)
		return;
	len = len < n ? len : n - 1;
	if (len)
		memcpy(buf, s, len);
	buf[len] = '\0';
}

json_t *pm_db_json_text(sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);

	return t ? json_string(t) : json_null();
}

json_t *pm_db_json_int(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? json_null() : json_integer(sqlite3_column_int64(st, i));
}

json_t *pm_db_json_time(sqlite3_stmt *st, int i, const char *tz)
{
	char buf[PM_TIME_BUF];

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return json_null();
	return json_string(pm_time_fmt(sqlite3_column_int64(st, i), tz, buf));
}
