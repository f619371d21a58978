/* The store: one SQLite file per community. */
#ifndef PM_DB_H
#define PM_DB_H

#include <jansson.h>
#include <stdint.h>
#include <sqlite3.h>
#include <sys/types.h>

#include "pm/err.h"
#include "pm/file.h"

struct pm_db;

enum pm_db_flags {
	PM_DB_CREATE = 1,   /* make a new store, 0600; fails if the file exists */
	PM_DB_READONLY = 2, /* never write, never migrate */
};

/* Opens the store at path and brings its schema up to date. A missing store
 * is PM_ENOINPUT, and so is a file that is none (empty, not SQLite, or
 * another program's database), left as it is; one the caller may not read
 * PM_ENOPERM; a store made by a newer pm is PM_ECONFIG and is left as it
 * is. A store the caller may read but not write is opened read-only (as
 * PM_DB_READONLY): it must be at this pm's schema, and writes are refused
 * with PM_ENOPERM. Handles that may write leave the -wal and -shm files in
 * place when they close (readers who may not make them need them) with the
 * store's group and mode. */
int pm_db_open(const char *path, int flags, struct pm_db **out, struct pm_err *e);
/* Makes a new store at path with m's mode and group, whatever the umask
 * (its -wal and -shm get the same); PM_ECANTCREAT when something is there
 * already, a symbolic link included. */
int pm_db_create(const char *path, const struct pm_file_mode *m, struct pm_db **out,
		 struct pm_err *e);
void pm_db_close(struct pm_db *db);
/* Closes a store just made and removes it with its -wal and -shm: what
 * pm init does when it cannot finish. */
void pm_db_discard(struct pm_db *db);
sqlite3 *pm_db_sqlite(struct pm_db *db);
const char *pm_db_path(const struct pm_db *db);

/* The schema version this build writes. */
int pm_db_schema_version(void);

/* Write transactions: BEGIN IMMEDIATE, retried while another writer holds
 * the store. A handle waits for other writers PM_BUSY_TIMEOUT in all (in
 * seconds or with ms, s or m; default 30 s; a bad value is PM_ECONFIG at
 * open), then gives up with PM_ETEMPFAIL "store busy, try again". */
int pm_db_begin(struct pm_db *db, struct pm_err *e);
/* Commits after writing into change_log the keys of the rows the
 * transaction changed in the change feed's tables (lib/changefeed.c). A
 * commit any other way that would lose such keys is refused: the write
 * fails with PM_ESOFTWARE. */
int pm_db_commit(struct pm_db *db, struct pm_err *e);
void pm_db_rollback(struct pm_db *db);
/* Ends the write begun with pm_db_begin after work that returned rc:
 * commits when rc is PM_OK, else rolls back and returns rc. */
int pm_db_end(struct pm_db *db, int rc, struct pm_err *e);

/* One unit of work (a command, a web request) that reads: from here the
 * statements of pm_db_stmt that only read share one read transaction, one
 * snapshot, instead of taking and dropping the store's locks once each
 * (a bill page made 28 of them). A write ends it first (pm_db_begin, a
 * statement that writes, pm_db_exec), so writes start from the newest
 * state and commit as before, and what follows reads as without
 * pm_db_read. pm_db_read_end (or closing) ends it: a program that waits
 * for input between units of work that only read ends it before it
 * waits, lest it hold an old snapshot, and the WAL's checkpoints, for as
 * long. */
void pm_db_read(struct pm_db *db);
void pm_db_read_end(struct pm_db *db);
/* Gives the process its whole PM_BUSY_TIMEOUT to wait for other writers
 * again: what a FastCGI responder does for each request, since the waits
 * of one process add up and it serves many requests from one open. */
void pm_db_busy_renew(struct pm_db *db);

/* A prepared statement kept for the life of the handle, keyed by the
 * address of sql (pass string literals), reset and unbound on each call. */
sqlite3_stmt *pm_db_stmt(struct pm_db *db, const char *sql, struct pm_err *e);

/* The first row of the cached statement sql with key bound to ?1: 1 with
 * *st on that row (read it, then sqlite3_reset it), 0 when there is none,
 * or the negative error code with e saying it could not read what. what
 * is untranslated, N_("..."), translated only when the read fails: a
 * look-up that finds its row loads no message catalogue (a CGI request's
 * session, 63 K instructions) and a bulk run's costs no gettext call. */
int pm_db_row(struct pm_db *db, const char *sql, const char *key, sqlite3_stmt **st,
	      const char *what, struct pm_err *e);
/* Whether sql with key bound to ?1 gives a row: 1, 0, or -code (what as
 * pm_db_row's). */
int pm_db_exists(struct pm_db *db, const char *sql, const char *key, const char *what,
		 struct pm_err *e);

/* Steps st, its values bound, for one row: *value from its first column,
 * reset, PM_OK; or what failed as pm_db_fail says it (what as
 * pm_db_step_n's msgid), a statement that gives no row included. */
int pm_db_int64(struct pm_db *db, sqlite3_stmt *st, int64_t *value, const char *what, struct pm_err *e);

/* For a program that writes a row or two and exits (pm-gate verify, once
 * per car or visitor): closing leaves the WAL for a later writer to
 * checkpoint instead of syncing and checkpointing it at every exit, and
 * a commit that finds 64 frames in the WAL copies them into the store
 * and empties it, so that the next process reads a short one. */
int pm_db_brief(struct pm_db *db, struct pm_err *e);

/* Steps st (prepared and bound) to its end: row makes each row a record
 * (NULL skips the row) and fn gets it; fn's non-zero return stops the
 * walk and is returned. st is reset; a failed step is PM_EFAIL or the
 * like, with what saying what could not be read. */
int pm_db_each(struct pm_db *db, sqlite3_stmt *st, json_t *(*row)(sqlite3_stmt *st, void *rctx),
	       void *rctx, int (*fn)(void *ctx, json_t *rec), void *ctx, const char *what,
	       struct pm_err *e);

/* PM_EDATA, "WHAT: column "C" of a row holds bytes that are not UTF-8
 * (was the store edited by hand?)", when a text column of st's current
 * row is not UTF-8, which no JSON string may be; else PM_OK. Only a store
 * edited by hand has such text (every input is checked): pm_db_each
 * stops there, and so does every other reader whose rows become JSON
 * (a report), never leaving the field out silently. */
int pm_db_row_utf8(sqlite3_stmt *st, const char *what, struct pm_err *e);

/* The record row makes of the one row sql gives with id bound to ?1:
 * PM_OK with *out, else *out NULL and what could not be read (PM_EFAIL
 * when there is no such row). */
int pm_db_record(struct pm_db *db, const char *sql, int64_t id, json_t *(*row)(sqlite3_stmt *st, void *rctx),
		 void *rctx, json_t **out, const char *what, struct pm_err *e);

/* Steps st, a statement that gives no row (INSERT, UPDATE, DELETE), and
 * resets it: PM_OK, or what failed as pm_db_fail says it. */
int pm_db_step_done(struct pm_db *db, sqlite3_stmt *st, const char *what, struct pm_err *e);
/* pm_db_step_done with what untranslated, N_("..."): translated only when
 * the step fails, for a statement stepped for every record of a bulk run
 * (gettext was 46 M of pm-meter ingest's 1,891 M instructions, 100,000
 * readings). */
int pm_db_step_n(struct pm_db *db, sqlite3_stmt *st, const char *msgid, struct pm_err *e);
/* "HEAD ROW,ROW,...": an INSERT of n rows in one statement, made once in
 * buf (static, empty until then) and kept; buf as it is if it is too
 * small. A statement's own work (cursors opened and closed, its reset)
 * cost as much as a row of the change feed's or audit_touch's; "?" in ROW
 * numbers on from the last parameter, so "(?1,?)" binds ?1 in every row. */
const char *pm_db_rows_sql(char *buf, size_t size, const char *head, const char *row, int n);

/* Column i of a row as a record's value: its text, its integer, or its
 * time (seconds since 1970) as RFC 3339 in zone tz; JSON null when the
 * column is NULL. */
json_t *pm_db_json_text(sqlite3_stmt *st, int i);
json_t *pm_db_json_int(sqlite3_stmt *st, int i);
json_t *pm_db_json_time(sqlite3_stmt *st, int i, const char *tz);
/* Column col as text into buf ("" for NULL), cut to fit as snprintf cuts. */
void pm_text_col(sqlite3_stmt *st, int col, char *buf, size_t n);

/* Runs SQL without results (one or more statements, no bound values).
 * "COMMIT" is pm_db_commit; a statement outside a transaction that changes
 * a table of the change feed runs in a transaction of its own, as does one
 * stepped by pm_db_step_done. */
int pm_db_exec(struct pm_db *db, const char *sql, struct pm_err *e);

/* For runs over the whole community (bill run and issue, ingest): a page
 * cache big enough not to read pages again, bounded well under the
 * programs' memory budget, and freed memory kept for the next statement
 * rather than returned to the kernel after each. */
int pm_db_bulk(struct pm_db *db, struct pm_err *e);

/* Turns the handle's last SQLite error into e, with what as context:
 * SQLITE_BUSY becomes PM_ETEMPFAIL, a constraint PM_EDATA, else PM_EFAIL. */
int pm_db_fail(struct pm_db *db, struct pm_err *e, const char *what);

/* Who is acting, for the audit log: the pm user on whose behalf the
 * program runs, and the caller who ran it (a service account acting for
 * a signed-in user, an admin using --as). The caller is the actor unless
 * set. */
void pm_db_set_actor(struct pm_db *db, const char *login);
const char *pm_db_actor(const struct pm_db *db);
void pm_db_set_caller(struct pm_db *db, const char *login);
const char *pm_db_caller(const struct pm_db *db);

/* The Unix account that owns the store's file: its admin. */
uid_t pm_db_owner(const struct pm_db *db);
/* The mode and group every file made from the store gets: the store's
 * own read and write bits for owner and group, never others'. */
struct pm_file_mode pm_db_file_mode(const struct pm_db *db);

/* The community's time zone, from the applied config (default
 * Asia/Shanghai). */
const char *pm_db_tz(struct pm_db *db);
/* Today in the community's zone on the business clock (pm_now), as days
 * since 1970-01-01: the day every "today" rule means. */
int32_t pm_db_today(struct pm_db *db);

/* A consistent copy of the open store at path, taken while others write
 * (a snapshot of the last commit); written beside path and renamed into
 * place, so path is either the old file or the whole new copy. The copy
 * has the store's mode; a symbolic link at path is refused. ready, when
 * given, is called with the finished copy under its temporary name just
 * before the rename (to write what goes with the copy first); its
 * failure leaves no copy. */
int pm_db_backup(struct pm_db *db, const char *path, int (*ready)(void *ctx, const char *part, struct pm_err *e),
		 void *ctx, struct pm_err *e);

/* The store's id: 32 hexadecimal digits made with the store (the change
 * feed's), which its copies keep, so that a copy tells whose it is. */
#define PM_DB_ID_SIZE 33
/* The id of the store open as db; "" when it has none. */
void pm_db_id(struct pm_db *db, char id[PM_DB_ID_SIZE]);
/* The id of the store file at path, read without opening it as a store
 * (a copy, a store that may be damaged); "" when it has none (a store
 * older than the change feed, a file that is no store or cannot be
 * read). */
void pm_db_file_id(const char *path, char id[PM_DB_ID_SIZE]);

/* Checks a copy of a store at path beyond what pm_db_restore does. */
typedef int (*pm_db_verify_fn)(void *ctx, const char *path, struct pm_err *e);

/* Replaces the store at store_path with the copy at backup_path without
 * reading the store it replaces (it may be damaged): the copy is written
 * beside the store with the store's mode (0600 when there is none),
 * checked there (integrity, a pm store, schema no newer than this pm, and
 * verify when not NULL), then the store and its -wal and -shm are renamed
 * to *aside (store_path + ".before-restore-SECONDS", which the caller
 * frees; NULL when there was no store) and the copy is renamed into
 * place. PM_ETEMPFAIL, nothing moved, while another program has the
 * store open: it would go on writing to the file set aside. Who may do
 * it is the caller's to decide first. */
int pm_db_restore(const char *store_path, const char *backup_path, pm_db_verify_fn verify, void *ctx,
		  char **aside, struct pm_err *e);

/* The business clock: seconds since the epoch, UTC; PM_NOW in the
 * environment overrides it (RFC 3339), so tests and back-fills can fix the
 * clock. The audit log's times are always the real clock. */
long long pm_now(void);

#endif
