#include <string.h>

#include <sodium.h>

#include "pm/audit.h"
#include "pm/db.h"
#include "pm/i18n.h"

#define HASH_HEX (crypto_hash_sha256_BYTES * 2 + 1)
#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

static void feed(crypto_hash_sha256_state *h, const char *s)
{
	/* A length prefix keeps field boundaries unambiguous. */
	unsigned long long n = s ? strlen(s) : 0;
	unsigned char len[8];

	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)(n >> (8 * i));
	crypto_hash_sha256_update(h, len, sizeof len);
	if (n)
		crypto_hash_sha256_update(h, (const unsigned char *)s, n);
}

static void row_hash(const char *prev, int64_t id, int64_t ts, const char *actor,
		     const char *action, const char *object, const char *before,
		     const char *after, char out[HASH_HEX])
{
	crypto_hash_sha256_state h;
	unsigned char md[crypto_hash_sha256_BYTES];
	char num[48];

	crypto_hash_sha256_init(&h);
	feed(&h, prev);
	snprintf(num, sizeof num, "%lld %lld", (long long)id, (long long)ts);
	feed(&h, num);
	feed(&h, actor);
	feed(&h, action);
	feed(&h, object);
	feed(&h, before);
	feed(&h, after);
	crypto_hash_sha256_final(&h, md);
	sodium_bin2hex(out, HASH_HEX, md, sizeof md);
}

static char *dump(json_t *j)
{
	return j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
}

static int last_link(struct pm_db *db, int64_t *id, char prev[HASH_HEX], struct pm_err *e)
{
	static const char sql[] = "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		snprintf(prev, HASH_HEX, "%s", (const char *)sqlite3_column_text(st, 1));
	} else if (rc == SQLITE_DONE) {
		*id = 0;
		snprintf(prev, HASH_HEX, "%s", GENESIS);
	} else {
		return pm_db_fail(db, e, _("cannot read the audit log"));
	}
	sqlite3_reset(st);
	return PM_OK;
}

int pm_audit_log(struct pm_db *db, const char *action, const char *object, json_t *before,
		 json_t *after, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO audit (id, ts, actor, action, object, before, after, prev, hash)"
		" VALUES (?,?,?,?,?,?,?,?,?)";
	char prev[HASH_HEX], hash[HASH_HEX];
	char *b = dump(before), *a = dump(after);
	int64_t id = 0, ts = pm_now();
	sqlite3_stmt *st;
	int rc = PM_OK;

	if (last_link(db, &id, prev, e) || !(st = pm_db_stmt(db, sql, e))) {
		rc = e->code;
		goto out;
	}
	id++;
	row_hash(prev, id, ts, pm_db_actor(db), action, object, b, a, hash);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, ts);
	sqlite3_bind_text(st, 3, pm_db_actor(db), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, object, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, b, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, a, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, prev, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, hash, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = pm_db_fail(db, e, _("cannot write the audit log"));
	sqlite3_reset(st);
out:
	free(b);
	free(a);
	return rc;
}

int pm_audit_run(struct pm_db *db, const char *action, const char *object, const char *status,
		 int64_t started, json_t *after, struct pm_err *e)
{
	json_t *rec = after ? json_deep_copy(after) : json_object();
	int rc;

	if (!rec || json_object_set_new(rec, "status", json_string(status)) ||
	    json_object_set_new(rec, "started", json_integer(started))) {
		json_decref(rec);
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	}
	rc = pm_audit_log(db, action, object, NULL, rec, e);
	json_decref(rec);
	return rc;
}

#define COL(st, i) ((const char *)sqlite3_column_text(st, i))

int pm_audit_each(struct pm_db *db, int64_t since, const char *object_prefix,
		  int (*fn)(void *ctx, const struct pm_audit_row *r), void *ctx, struct pm_err *e)
{
	static const char sql[] =
		"SELECT id, ts, actor, action, object, before, after, hash FROM audit"
		" WHERE ts >= ?1 AND (?2 IS NULL OR substr(object, 1, length(?2)) = ?2)"
		" ORDER BY id";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	struct pm_audit_row r;
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_text(st, 2, object_prefix, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r = (struct pm_audit_row){
			sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
			COL(st, 2), COL(st, 3), COL(st, 4), COL(st, 5), COL(st, 6), COL(st, 7),
		};
		if ((rc = fn(ctx, &r)) != 0) {
			sqlite3_reset(st);
			return rc;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read the audit log"));
	return PM_OK;
}

int pm_audit_verify(struct pm_db *db, int64_t *rows, int64_t *bad, struct pm_err *e)
{
	static const char sql[] =
		"SELECT id, ts, actor, action, object, before, after, prev, hash FROM audit ORDER BY id";
	char prev[HASH_HEX] = GENESIS, want[HASH_HEX];
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int64_t id, expect = 1;
	int rc;

	*rows = *bad = 0;
	if (!st)
		return e->code;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		row_hash(prev, id, sqlite3_column_int64(st, 1), COL(st, 2), COL(st, 3), COL(st, 4),
			 COL(st, 5), COL(st, 6), want);
		if (id != expect || strcmp(COL(st, 7), prev) != 0) {
			*bad = id;
			sqlite3_reset(st);
			return pm_err_set(e, PM_EFAIL,
				_("audit row %lld: its link to the row before is broken (a row was removed or inserted)"),
				(long long)id);
		}
		if (strlen(COL(st, 8)) != HASH_HEX - 1 || sodium_memcmp(want, COL(st, 8), HASH_HEX - 1) != 0) {
			*bad = id;
			sqlite3_reset(st);
			return pm_err_set(e, PM_EFAIL,
				_("audit row %lld: hash does not match its contents (the row was altered)"),
				(long long)id);
		}
		snprintf(prev, sizeof prev, "%s", want);
		(*rows)++;
		expect = id + 1;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read the audit log"));
	return PM_OK;
}
