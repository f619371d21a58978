/* The audit log: append-only, each row's MAC chaining the row before.
 *
 * A store made by pm init has a key (32 random bytes, kept outside the
 * store: STORE.key, or where `audit.key` in pm.yaml says) and its first
 * row is an "audit.key" row; from that row on each row's hash is
 * HMAC-SHA256 under the key, so no one without the key can edit, insert
 * or remove a row and recompute the chain. A store from an older pm has
 * unkeyed SHA-256 rows until `pm audit --rekey` makes its key and writes
 * its first "audit.key" row; the rows before stay SHA-256, held in place
 * by the keyed rows that cover them.
 *
 * Whoever holds the key (every user who may write the store needs it)
 * can still rewrite the chain's tail: the head (row count and last hash)
 * copied outside the store, into an anchor file, a backup's manifest or
 * a daily message, catches that, and rows deleted from the end. */
#ifndef PM_AUDIT_H
#define PM_AUDIT_H

#include <stdint.h>

#include <jansson.h>

#include "pm/db.h"
#include "pm/err.h"

#define PM_AUDIT_HASH 65

/* Appends a record inside the caller's transaction: the db's actor did
 * action ("unit.import", "user.add") to object ("unit:3-2-1101"),
 * run by the db's caller; before and after may be NULL and are not
 * consumed. Its time is the real clock, with the business clock (PM_NOW)
 * beside it when that differs. PM_ECONFIG when the log is keyed and the
 * key cannot be read. */
int pm_audit_log(struct pm_db *db, const char *action, const char *object, json_t *before,
		 json_t *after, struct pm_err *e);

/* The record of a bulk run that commits in batches (an import, a bill
 * run): with status "running" inside its first batch's transaction when
 * more batches follow, so the rows of a run killed later are accounted
 * for, and with status "done" and its counts inside its last. Adds
 * "status" and "started" (the run's start, seconds) to after, which may
 * be NULL and is not consumed. */
int pm_audit_run(struct pm_db *db, const char *action, const char *object, const char *status,
		 int64_t started, json_t *after, struct pm_err *e);

/* A record that speaks for many changes (an import run) names the
 * objects they changed, so that pm audit --object finds it by any of
 * them: the code changing an object inside such a run calls
 * pm_audit_touch ("unit:3-2-1101", named as a record of a single change
 * would name it), and the next audit record written in the transaction
 * (pm_audit_log, pm_audit_run) owns every object touched before it. A
 * run that commits batches with no record of their own has
 * pm_audit_claim give each batch's objects to its record, whose id
 * pm_audit_last tells just after it is written. The objects are an index
 * beside the chain, not part of it (schema 0015). */
int pm_audit_touch(struct pm_db *db, const char *object, struct pm_err *e);
int pm_audit_claim(struct pm_db *db, int64_t id, struct pm_err *e);
/* The id of the last record, 0 when there is none. */
int pm_audit_last(struct pm_db *db, int64_t *id, struct pm_err *e);

struct pm_audit_row {
	int64_t id, ts;
	const char *actor, *action, *object, *before, *after, *hash;
	const char *caller;    /* NULL in rows of an older pm */
	int64_t business_ts;   /* valid when has_business */
	int has_business;
};

/* Which records pm_audit_each gives: at or after since and before until
 * (0: no bound), of actor (acting, or calling for another; NULL: any),
 * and about an object starting with object (NULL: any), itself or among
 * those its run changed (pm_audit_touch). */
struct pm_audit_filter {
	int64_t since, until;
	const char *actor, *object;
};

/* The records f lets through, oldest first. fn returning non-zero stops
 * the walk with that code. */
int pm_audit_each(struct pm_db *db, const struct pm_audit_filter *f,
		  int (*fn)(void *ctx, const struct pm_audit_row *r), void *ctx, struct pm_err *e);

/* The head of the chain: how many rows, the last one's id and hash. */
struct pm_audit_head {
	int64_t rows, id;
	int64_t at;	/* when it was read, by the real clock */
	char hash[PM_AUDIT_HASH];
};
int pm_audit_head(struct pm_db *db, struct pm_audit_head *h, struct pm_err *e);
/* {"type":"audit_head","store","at","rows","id","hash"}: one line of an
 * anchor file; at is h->at, so an anchor written and the head printed
 * beside it say the same. */
json_t *pm_audit_head_json(struct pm_db *db, const struct pm_audit_head *h);

struct pm_audit_verdict {
	int64_t rows;       /* rows checked */
	int64_t bad;        /* the first row found wrong, 0 if none */
	int64_t keyed_from; /* the first keyed row, 0 if the log has none */
	int64_t anchors;    /* anchor lines checked */
};

/* Recomputes the chain, and with anchor (a file of audit_head lines, or
 * a backup's manifest; NULL: none) checks that each anchored row is still
 * there with the hash it had. PM_EFAIL naming the first problem: a row
 * edited, rows deleted, a row inserted or replaced, the log truncated
 * after row N, a row rewritten since an anchor, a keyed log rewritten
 * without its key. PM_ECONFIG when the log is keyed and the key cannot be
 * read; PM_EDATA for a line of anchor that is no head. */
int pm_audit_verify(struct pm_db *db, const char *anchor, struct pm_audit_verdict *v,
		    struct pm_err *e);

/* Verifies the chain against anchor, then appends the head to it (made
 * 0600 when new, written with O_APPEND, never through a symbolic link).
 * Nothing is appended when verification fails. */
int pm_audit_anchor(struct pm_db *db, const char *anchor, struct pm_audit_head *h,
		    struct pm_err *e);

/* Makes the store's key and writes the "audit.key" row that starts the
 * keyed chain, in a transaction of its own. The key is the one named by
 * `audit.key` in the configuration in force, which must exist, else a new
 * one in STORE.key (made with the store's mode less group write, in its
 * group). PM_ECANTCREAT when STORE.key exists; PM_EFAIL when the log is
 * keyed already or does not verify. after is merged into the row's
 * after (who made the store, at pm init). */
int pm_audit_key_create(struct pm_db *db, json_t *after, struct pm_err *e);

/* Writes BACKUP.manifest for the copy named backup, whose bytes are at
 * copy_path (backup itself, or the copy not yet renamed to backup): its
 * audit head (an anchor line) with the copy's SHA-256 and its store's
 * id, with the store's mode. */
int pm_audit_manifest(struct pm_db *db, const char *backup, const char *copy_path, struct pm_err *e);

/* A manifest read back: size (-1 when it has none, as older ones), the
 * copy's SHA-256, its audit head and the id of the store it is a copy of
 * ("" when it has none, as older ones). */
struct pm_audit_manifest_info {
	int64_t size, id, rows;
	char sha256[PM_AUDIT_HASH], hash[PM_AUDIT_HASH], store_id[PM_DB_ID_SIZE];
};
/* PM_EDATA when text is not a manifest line. */
int pm_audit_manifest_parse(const char *text, size_t len, struct pm_audit_manifest_info *m,
			    struct pm_err *e);
/* Whether the copy at path (named name in messages) is the one the
 * manifest text describes: its size, SHA-256 and audit head. PM_EDATA
 * saying which differs. */
int pm_audit_manifest_check(const char *text, size_t len, const char *path, const char *name,
			    struct pm_err *e);

#endif
