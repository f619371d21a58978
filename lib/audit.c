/* audit: the append-only log and its keyed chain (see pm/audit.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "pm/audit.h"
#include "pm/config.h"
#include "pm/db.h"
#include "pm/file.h"
#include "pm/i18n.h"
#include "pm/secret.h"
#include "pm/timeutil.h"
#include "db-internal.h"

#define HASH_HEX PM_AUDIT_HASH
#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"
/* The row that starts the keyed chain: at pm init, or pm audit --rekey. */
#define KEY_ACTION "audit.key"
#define KEY_OBJECT "audit:key"
#define KEY_BYTES crypto_auth_hmacsha256_KEYBYTES

/* ---- the key ---- */

/* The key a copy of the store was made with: where its first audit.key
 * row says (an absolute path), or NULL. */
static char *recorded_key(struct pm_db *db)
{
	static const char sql[] = "SELECT json_extract(after, '$.key') FROM audit"
				  " WHERE object = '" KEY_OBJECT "' AND action = '" KEY_ACTION "' ORDER BY id LIMIT 1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, NULL);
	char *ref = NULL;

	if (st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		ref = strdup((const char *)sqlite3_column_text(st, 0));
	if (st)
		sqlite3_reset(st);
	return ref;
}

/* Where the key is. STORE.key first: only who may write the store's
 * directory can move it, so no one who may only write the store can point
 * the log at a key of their own. Else audit.key in the configuration in
 * force, else (a copy of a store, such as a backup) the key the log says
 * it was made with. *named is set for those two, which must exist. */
static void key_where(struct pm_db *db, char *where, size_t n, int *named)
{
	struct pm_config *cfg = NULL;
	struct pm_err ignored;
	char *ref = NULL;
	const char *v;

	snprintf(where, n, "file:%s.key", pm_db_path(db));
	*named = 0;
	if (access(where + 5, F_OK) == 0)
		return;
	if (pm_config_current(db, pm_db_today(db), &cfg, &ignored) == PM_OK &&
	    (v = json_string_value(json_object_get(pm_config_section(cfg, "audit"), "key"))))
		ref = strdup(v);
	pm_config_free(cfg);
	if (!ref)
		ref = recorded_key(db);
	if (ref) {
		snprintf(where, n, "%s", ref);
		*named = 1;
	}
	free(ref);
}

/* STORE.key as the audit.key row records it: an absolute path, so that a
 * copy of the store elsewhere still finds it. */
static void key_default(struct pm_db *db, char *where, size_t n)
{
	char *abs = realpath(pm_db_path(db), NULL);

	snprintf(where, n, "file:%s.key", abs ? abs : pm_db_path(db));
	free(abs);
}

static int key_parse(struct pm_db_key *k, const char *text, struct pm_err *e)
{
	size_t got = 0;

	if (strlen(text) != KEY_BYTES * 2 ||
	    sodium_hex2bin(k->key, sizeof k->key, text, strlen(text), NULL, &got, NULL) != 0 ||
	    got != KEY_BYTES)
		return pm_err_set(e, PM_ECONFIG, _("the audit key in '%s' is not %d hexadecimal digits"),
				  k->where, KEY_BYTES * 2);
	k->state = 2;
	return PM_OK;
}

/* The key, read once per handle: *key NULL when the store has none. */
static int key_load(struct pm_db *db, const unsigned char **key, struct pm_err *e)
{
	struct pm_db_key *k = pm_db_key_slot(db);
	char *text = NULL;
	int named, rc;

	*key = NULL;
	if (k->state == 0) {
		key_where(db, k->where, sizeof k->where, &named);
		if (named)
			rc = pm_secret_get(db, k->where, _("the audit key"), &text, e);
		else
			rc = pm_secret_file(db, k->where + 5, _("the audit key"), &text, e);
		if (rc == PM_ENOINPUT && !named) {
			k->state = 1;
			rc = PM_OK;
		} else if (rc) {
			/* A key the log needs and cannot have is a matter of
			 * configuration, whatever kept it from being read. */
			return e ? (e->code = PM_ECONFIG) : PM_ECONFIG;
		} else {
			rc = key_parse(k, text, e);
		}
		if (text) {
			sodium_memzero(text, strlen(text));
			free(text);
		}
		if (rc)
			return rc;
	}
	*key = k->state == 2 ? k->key : NULL;
	return PM_OK;
}

/* ---- hashing ---- */

/* SHA-256 for the rows before the keyed chain starts, HMAC-SHA256 under
 * the key from there on. */
struct mac {
	int keyed;
	crypto_hash_sha256_state h;
	crypto_auth_hmacsha256_state a;
};

static void feed(struct mac *m, const char *s)
{
	/* A length prefix keeps field boundaries unambiguous. */
	unsigned long long n = s ? strlen(s) : 0;
	unsigned char len[8];

	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)(n >> (8 * i));
	if (m->keyed) {
		crypto_auth_hmacsha256_update(&m->a, len, sizeof len);
		if (n)
			crypto_auth_hmacsha256_update(&m->a, (const unsigned char *)s, n);
	} else {
		crypto_hash_sha256_update(&m->h, len, sizeof len);
		if (n)
			crypto_hash_sha256_update(&m->h, (const unsigned char *)s, n);
	}
}

/* A row's hash over the previous hash and its fields. Rows of an older
 * pm (no caller) are hashed as that pm did; the others also cover the
 * caller and the business time. */
static void row_hash(const char *prev, const struct pm_audit_row *r, const unsigned char *key,
		     char out[HASH_HEX])
{
	unsigned char md[crypto_hash_sha256_BYTES];
	struct mac m = {.keyed = key != NULL};
	char num[48];

	if (key)
		crypto_auth_hmacsha256_init(&m.a, key, KEY_BYTES);
	else
		crypto_hash_sha256_init(&m.h);
	feed(&m, prev);
	snprintf(num, sizeof num, "%lld %lld", (long long)r->id, (long long)r->ts);
	feed(&m, num);
	feed(&m, r->actor);
	feed(&m, r->action);
	feed(&m, r->object);
	feed(&m, r->before);
	feed(&m, r->after);
	if (r->caller) {
		feed(&m, r->caller);
		snprintf(num, sizeof num, "%lld", (long long)r->business_ts);
		feed(&m, r->has_business ? num : NULL);
	}
	if (key)
		crypto_auth_hmacsha256_final(&m.a, md);
	else
		crypto_hash_sha256_final(&m.h, md);
	sodium_bin2hex(out, HASH_HEX, md, sizeof md);
}

/* ---- writing ---- */

static char *dump(json_t *j)
{
	return j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
}

/* A head as one line, its fields in the order pm audit --head prints. */
static char *head_line(json_t *j)
{
	return j ? json_dumps(j, JSON_COMPACT) : NULL;
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

/* The id of the row that starts the keyed chain, 0 when there is none. */
static int keyed_from(struct pm_db *db, int64_t *id, struct pm_err *e)
{
	static const char sql[] = "SELECT min(id) FROM audit WHERE object = '" KEY_OBJECT "'"
				  " AND action = '" KEY_ACTION "'";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	rc = sqlite3_step(st);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot read the audit log"));
}

static int key_missing(struct pm_db *db, int64_t from, struct pm_err *e)
{
	return pm_err_set(e, PM_ECONFIG,
		_("the audit log is keyed from row %lld but its key is missing: restore '%s'"),
		(long long)from, pm_db_key_slot(db)->where);
}

int pm_audit_log(struct pm_db *db, const char *action, const char *object, json_t *before,
		 json_t *after, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO audit (id, ts, actor, action, object, before, after, prev, hash, caller,"
		" business_ts) VALUES (?,?,?,?,?,?,?,?,?,?,?)";
	struct pm_audit_row r = {.actor = pm_db_actor(db), .caller = pm_db_caller(db),
				 .action = action, .object = object};
	char prev[HASH_HEX], hash[HASH_HEX], *b = dump(before), *a = dump(after);
	const unsigned char *key;
	int64_t from = 0;
	sqlite3_stmt *st;
	int rc = PM_OK;

	r.before = b;
	r.after = a;
	if (key_load(db, &key, e) || (!key && keyed_from(db, &from, e)) ||
	    last_link(db, &r.id, prev, e) || !(st = pm_db_stmt(db, sql, e))) {
		rc = e->code;
		goto out;
	}
	if (from) {
		rc = key_missing(db, from, e);
		goto out;
	}
	r.id++;
	/* The real clock always; the business clock beside it only when
	 * PM_NOW moved it, not when a second ticked between the two reads. */
	r.ts = (int64_t)time(NULL);
	r.business_ts = pm_now();
	r.has_business = getenv("PM_NOW") && *getenv("PM_NOW") && r.business_ts != r.ts;
	row_hash(prev, &r, key, hash);
	sqlite3_bind_int64(st, 1, r.id);
	sqlite3_bind_int64(st, 2, r.ts);
	sqlite3_bind_text(st, 3, r.actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, object, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, b, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, a, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, prev, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, r.caller, -1, SQLITE_STATIC);
	if (r.has_business)
		sqlite3_bind_int64(st, 11, r.business_ts);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = pm_db_fail(db, e, _("cannot write the audit log"));
	sqlite3_reset(st);
	if (rc == PM_OK)
		rc = pm_audit_claim(db, r.id, e);
out:
	free(b);
	free(a);
	return rc;
}

/* Objects written by one statement: a statement's own work (cursors
 * opened and closed, its reset) was a third of a row's (callgrind, pm
 * unit import of 10,000 units: audit_touch 82 M of 545 M instructions). */
enum { TOUCH_BULK = 64 };

static const char *touch_bulk_sql(void)
{
	static char sql[64 + TOUCH_BULK * sizeof "(?1,?),"];

	return pm_db_rows_sql(sql, sizeof sql, "INSERT INTO audit_touch (audit_id, object) VALUES ",
			      "(?1,?)", TOUCH_BULK);
}

/* Inside a transaction the objects are held (lib/db.c) and written once
 * their record is, with its id: written unowned and then claimed, each
 * row was written twice, and both its indexes with it (callgrind: 28% of
 * pm unit import's instructions, 28,000 a unit). They go in TOUCH_BULK
 * a statement, the rest one by one, in the order touched. */
int pm_audit_touch_write(struct pm_db *db, int64_t id, struct pm_err *e)
{
	static const char sql[] = "INSERT INTO audit_touch (audit_id, object) VALUES (?1, ?2)";
	const char *batch[TOUCH_BULK];
	size_t at = 0, left = pm_db_touch_count(db);
	sqlite3_stmt *st;
	int rc = PM_OK;

	while (rc == PM_OK && left) {
		int n = left >= TOUCH_BULK ? TOUCH_BULK : 1;

		for (int k = 0; k < n; k++)
			batch[k] = pm_db_touch_next(db, &at);
		left -= (size_t)n;
		if (!(st = pm_db_stmt(db, n == TOUCH_BULK ? touch_bulk_sql() : sql, e))) {
			rc = e->code;
			break;
		}
		if (id)
			sqlite3_bind_int64(st, 1, id);
		for (int k = 0; k < n; k++)
			sqlite3_bind_text(st, k + 2, batch[k], -1, SQLITE_STATIC);
		rc = pm_db_step_n(db, st, N_("cannot write the audit log"), e);
		sqlite3_clear_bindings(st);
	}
	pm_db_touch_clear(db);
	return rc;
}

int pm_audit_touch(struct pm_db *db, const char *object, struct pm_err *e)
{
	static const char sql[] = "INSERT INTO audit_touch (audit_id, object) VALUES (NULL, ?1)";
	sqlite3_stmt *st;

	if (!sqlite3_get_autocommit(pm_db_sqlite(db)))
		return pm_db_touch_add(db, object) ? PM_OK : pm_err_set(e, PM_EFAIL, _("out of memory"));
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_text(st, 1, object, -1, SQLITE_STATIC);
	return pm_db_step_done(db, st, _("cannot write the audit log"), e);
}

int pm_audit_claim(struct pm_db *db, int64_t id, struct pm_err *e)
{
	static const char sql[] = "UPDATE audit_touch SET audit_id = ?1 WHERE audit_id IS NULL";
	sqlite3_stmt *st;

	/* Those held, and any committed unowned before. */
	if (pm_audit_touch_write(db, id, e) || !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	return pm_db_step_done(db, st, _("cannot write the audit log"), e);
}

int pm_audit_last(struct pm_db *db, int64_t *id, struct pm_err *e)
{
	char prev[HASH_HEX];

	return last_link(db, id, prev, e);
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

/* ---- reading ---- */

#define COL(st, i) ((const char *)sqlite3_column_text(st, i))
#define ROW_COLS "SELECT id, ts, actor, action, object, before, after, hash, caller, business_ts, prev FROM audit"

static struct pm_audit_row row_of(sqlite3_stmt *st)
{
	return (struct pm_audit_row){
		sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
		COL(st, 2), COL(st, 3), COL(st, 4), COL(st, 5), COL(st, 6), COL(st, 7), COL(st, 8),
		sqlite3_column_int64(st, 9), sqlite3_column_type(st, 9) != SQLITE_NULL,
	};
}

/* SQL: text column col starts with the bound prefix param, as a range an
 * index can use (char(1114111) sorts after every character). */
#define STARTS(col, param) "(" col " >= " param " AND " col " < " param " || char(1114111))"

int pm_audit_each(struct pm_db *db, const struct pm_audit_filter *f,
		  int (*fn)(void *ctx, const struct pm_audit_row *r), void *ctx, struct pm_err *e)
{
	static const char sql[] = ROW_COLS
		" WHERE ts >= ?1 AND (?3 IS NULL OR ts < ?3) AND (?4 IS NULL OR actor = ?4 OR caller = ?4)"
		" AND (?2 IS NULL OR " STARTS("object", "?2")
		" OR id IN (SELECT audit_id FROM audit_touch WHERE " STARTS("object", "?2") "))"
		" ORDER BY id";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	struct pm_audit_row r;
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, f->since);
	sqlite3_bind_text(st, 2, f->object, -1, SQLITE_STATIC);
	if (f->until)
		sqlite3_bind_int64(st, 3, f->until);
	sqlite3_bind_text(st, 4, f->actor, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r = row_of(st);
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

int pm_audit_head(struct pm_db *db, struct pm_audit_head *h, struct pm_err *e)
{
	static const char sql[] = "SELECT (SELECT count(*) FROM audit), id, hash FROM audit"
				  " ORDER BY id DESC LIMIT 1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	memset(h, 0, sizeof *h);
	h->at = (int64_t)time(NULL);
	if (!st)
		return e->code;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		h->rows = sqlite3_column_int64(st, 0);
		h->id = sqlite3_column_int64(st, 1);
		snprintf(h->hash, sizeof h->hash, "%s", COL(st, 2));
	} else {
		snprintf(h->hash, sizeof h->hash, "%s", GENESIS);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read the audit log"));
	return PM_OK;
}

json_t *pm_audit_head_json(struct pm_db *db, const struct pm_audit_head *h)
{
	char at[PM_TIME_BUF];

	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "type", "audit_head", "store", pm_db_path(db),
			 "at", pm_time_fmt(h->at, pm_db_tz(db), at), "rows", (json_int_t)h->rows,
			 "id", (json_int_t)h->id, "hash", h->hash);
}

/* ---- anchors ---- */

struct anchor {
	int64_t id, rows;
	char hash[HASH_HEX], at[48];
};

struct anchors {
	struct anchor *v;
	size_t n, next;
};

static int anchor_line(const char *path, long line, json_t *j, struct anchor *a, struct pm_err *e)
{
	const char *hash = json_string_value(json_object_get(j, "hash"));
	const char *at = json_string_value(json_object_get(j, "at"));
	json_t *id = json_object_get(j, "id"), *rows = json_object_get(j, "rows");

	if (!json_is_object(j) || !json_is_integer(id) || !json_is_integer(rows) || !hash ||
	    strlen(hash) != HASH_HEX - 1)
		return pm_err_set(e, PM_EDATA, _("%s:%ld: not an audit head (pm audit --head)"), path, line);
	a->id = json_integer_value(id);
	a->rows = json_integer_value(rows);
	snprintf(a->hash, sizeof a->hash, "%s", hash);
	snprintf(a->at, sizeof a->at, "%s", at ? at : "?");
	return PM_OK;
}

static int by_id(const void *x, const void *y)
{
	const struct anchor *a = x, *b = y;

	return a->id < b->id ? -1 : a->id > b->id;
}

static int anchors_read(const char *path, struct anchors *as, struct pm_err *e)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0;
	long line = 0;
	struct anchor *v;
	json_t *j;
	int rc = PM_OK;

	if (!f)
		return pm_err_set(e, PM_ENOINPUT, _("cannot read '%s': %s"), path, strerror(errno));
	while (rc == PM_OK && getline(&buf, &cap, f) > 0) {
		line++;
		if (!(v = realloc(as->v, (as->n + 1) * sizeof *v))) {
			rc = pm_err_set(e, PM_EFAIL, _("out of memory"));
			break;
		}
		as->v = v;
		j = json_loads(buf, 0, NULL);
		if ((rc = anchor_line(path, line, j, &as->v[as->n], e)) == PM_OK)
			as->n++;
		json_decref(j);
	}
	free(buf);
	fclose(f);
	if (as->n)
		qsort(as->v, as->n, sizeof *as->v, by_id);
	return rc;
}

/* ---- verification ---- */

struct walk {
	struct pm_db *db;
	const unsigned char *key;
	struct anchors anchors;
	struct pm_audit_verdict *v;
	char prev[HASH_HEX];
	int64_t expect;
	int keyed;
};

static int broken(struct walk *w, int64_t id, struct pm_err *e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int broken(struct walk *w, int64_t id, struct pm_err *e, const char *fmt, ...)
{
	va_list ap;

	w->v->bad = id;
	if (!e)
		return PM_EFAIL;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	e->code = PM_EFAIL;
	return PM_EFAIL;
}

/* Rows missing before r, or r not following the row before it. */
static int linked(struct walk *w, const struct pm_audit_row *r, const char *prev, struct pm_err *e)
{
	long long first = w->expect, last = r->id - 1;

	if (r->id > w->expect && first == last)
		return first == 1 ? broken(w, 1, e, _("audit row 1: deleted (the log starts at row 2)"))
			: broken(w, first, e, _("audit row %lld: deleted (row %lld follows row %lld)"), first,
				 last + 1, first - 1);
	if (r->id > w->expect)
		return first == 1 ? broken(w, 1, e, _("audit rows 1 to %lld: deleted (the log starts at row %lld)"),
					   last, last + 1)
			: broken(w, first, e, _("audit rows %lld to %lld: deleted (row %lld follows row %lld)"),
				 first, last, last + 1, first - 1);
	if (strcmp(prev, w->prev) == 0)
		return PM_OK;
	if (r->id == 1)
		return broken(w, 1, e, _("audit row 1: inserted or replaced (it does not start the log)"));
	return broken(w, r->id, e, _("audit row %lld: inserted or replaced (it does not follow row %lld)"),
		      (long long)r->id, last);
}

static int anchored(struct walk *w, const struct pm_audit_row *r, struct pm_err *e)
{
	struct anchors *as = &w->anchors;

	for (; as->next < as->n && as->v[as->next].id <= r->id; as->next++) {
		struct anchor *a = &as->v[as->next];

		if (a->id == r->id && (strcmp(a->hash, r->hash) != 0 || a->rows != w->v->rows))
			return broken(w, r->id, e,
				_("audit row %lld: rewritten since the anchor of %s (its hash is not the one anchored)"),
				(long long)r->id, a->at);
		w->v->anchors++;
	}
	return PM_OK;
}

static int check_row(struct walk *w, const struct pm_audit_row *r, const char *prev, struct pm_err *e)
{
	char want[HASH_HEX];

	if (!w->keyed && strcmp(r->action, KEY_ACTION) == 0 && strcmp(r->object, KEY_OBJECT) == 0) {
		w->keyed = 1;
		w->v->keyed_from = r->id;
		if (!w->key)
			return key_missing(w->db, r->id, e);
	}
	if (linked(w, r, prev, e))
		return PM_EFAIL;
	row_hash(w->prev, r, w->keyed ? w->key : NULL, want);
	if (strlen(r->hash) != HASH_HEX - 1 || sodium_memcmp(want, r->hash, HASH_HEX - 1) != 0)
		return broken(w, r->id, e, _("audit row %lld: edited (its hash does not match its contents)"),
			      (long long)r->id);
	w->v->rows++;
	if (anchored(w, r, e))
		return PM_EFAIL;
	snprintf(w->prev, sizeof w->prev, "%s", r->hash);
	w->expect = r->id + 1;
	return PM_OK;
}

/* After the last row: what anchors promised beyond it, and a keyed store
 * whose log shows no keyed row. */
static int check_end(struct walk *w, struct pm_err *e)
{
	struct anchors *as = &w->anchors;
	struct anchor *last = as->n ? &as->v[as->n - 1] : NULL;

	if (last && last->id >= w->expect)
		return broken(w, w->expect, e,
			_("audit log truncated after row %lld: the anchor of %s records %lld rows up to row %lld"),
			(long long)w->expect - 1, last->at, (long long)last->rows, (long long)last->id);
	if (w->key && !w->keyed)
		return broken(w, w->expect > 1 ? 1 : 0, e,
			_("the store has an audit key but no row of its log is keyed: the log was rewritten without the key"));
	return PM_OK;
}

int pm_audit_verify(struct pm_db *db, const char *anchor, struct pm_audit_verdict *v,
		    struct pm_err *e)
{
	static const char sql[] = ROW_COLS " ORDER BY id";
	struct walk w = {.db = db, .v = v, .expect = 1, .prev = GENESIS};
	struct pm_audit_row r;
	sqlite3_stmt *st;
	int rc = PM_OK, step;

	memset(v, 0, sizeof *v);
	if (key_load(db, &w.key, e) || (anchor && anchors_read(anchor, &w.anchors, e)))
		goto out;
	if (!(st = pm_db_stmt(db, sql, e)))
		goto out;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		r = row_of(st);
		if ((rc = check_row(&w, &r, COL(st, 10), e)))
			break;
	}
	sqlite3_reset(st);
	if (rc == PM_OK && step != SQLITE_DONE)
		rc = pm_db_fail(db, e, _("cannot read the audit log"));
	if (rc == PM_OK)
		rc = check_end(&w, e);
	free(w.anchors.v);
	return rc;
out:
	free(w.anchors.v);
	return e->code;
}

int pm_audit_anchor(struct pm_db *db, const char *anchor, struct pm_audit_head *h,
		    struct pm_err *e)
{
	struct pm_audit_verdict v;
	json_t *j;
	char *line;
	FILE *f;
	int rc, exists = access(anchor, F_OK) == 0;

	if (pm_file_not_link(anchor, e) || pm_audit_verify(db, exists ? anchor : NULL, &v, e) ||
	    pm_audit_head(db, h, e))
		return e->code;
	line = head_line(j = pm_audit_head_json(db, h));
	json_decref(j);
	if (!line)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	if ((rc = pm_file_fopen(anchor, PM_FILE_APPEND, &pm_file_private, &f, e)) == PM_OK) {
		fprintf(f, "%s\n", line);
		if (fclose(f) != 0)
			rc = pm_err_set(e, PM_EIO, _("cannot write '%s': %s"), anchor, strerror(errno));
	}
	free(line);
	return rc;
}

/* ---- the key, made ---- */

/* STORE.key, new: the store's mode less group write, in its group, so
 * that the staff who may write the store (and so must extend the chain)
 * can read it, and no one else. */
static int key_write(struct pm_db *db, struct pm_db_key *k, struct pm_err *e)
{
	struct pm_file_mode m = pm_db_file_mode(db);
	char hex[KEY_BYTES * 2 + 2];
	int fd, rc = PM_OK;

	m.mode &= 0640;
	randombytes_buf(k->key, sizeof k->key);
	sodium_bin2hex(hex, sizeof hex, k->key, sizeof k->key);
	hex[KEY_BYTES * 2] = '\n';
	if (pm_file_open(k->where + 5, PM_FILE_EXCL, &m, &fd, e))
		return e->code;
	if (write(fd, hex, KEY_BYTES * 2 + 1) != KEY_BYTES * 2 + 1 || fsync(fd) != 0)
		rc = pm_err_set(e, PM_ECANTCREAT, _("cannot write '%s': %s"), k->where + 5, strerror(errno));
	close(fd);
	sodium_memzero(hex, sizeof hex);
	if (rc)
		unlink(k->where + 5);
	else
		k->state = 2, k->made = 1;
	return rc;
}

int pm_audit_key_create(struct pm_db *db, json_t *after, struct pm_err *e)
{
	struct pm_db_key *k = pm_db_key_slot(db);
	struct pm_audit_verdict v;
	const unsigned char *key;
	int64_t from;
	json_t *row;
	int named, rc;

	/* The rows so far are checked as the unkeyed rows they must be. */
	k->state = 1;
	if (keyed_from(db, &from, e) || (!from && pm_audit_verify(db, NULL, &v, e))) {
		k->state = 0;
		return e->code;
	}
	k->state = 0;
	if (from)
		return pm_err_set(e, PM_EFAIL, _("the audit log is keyed already, from row %lld"), (long long)from);
	key_where(db, k->where, sizeof k->where, &named);
	if (!named && access(k->where + 5, F_OK) == 0)
		return pm_err_set(e, PM_ECANTCREAT,
			_("'%s' exists already: the audit log is keyed, or the file is another store's"),
			k->where + 5);
	if (named ? key_load(db, &key, e) : key_write(db, k, e))
		return e->code;
	row = json_pack("{s:s, s:I}", "key", k->where, "from", (json_int_t)v.rows + 1);
	if (!named)
		key_default(db, k->where, sizeof k->where);
	json_object_set_new(row, "key", json_string(k->where));
	if (after)
		json_object_update(row, after);
	if ((rc = pm_db_begin(db, e)) == PM_OK) {
		rc = pm_audit_log(db, KEY_ACTION, KEY_OBJECT, NULL, row, e);
		rc = pm_db_end(db, rc, e);
	}
	json_decref(row);
	return rc;
}

/* ---- backups ---- */

static int file_sha256(const char *path, char out[HASH_HEX], int64_t *size, struct pm_err *e)
{
	unsigned char buf[65536], md[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state h;
	FILE *f = fopen(path, "rb");
	size_t n;
	int err;

	if (!f)
		return pm_err_set(e, PM_ENOINPUT, _("cannot read '%s': %s"), path, strerror(errno));
	crypto_hash_sha256_init(&h);
	*size = 0;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
		crypto_hash_sha256_update(&h, buf, n);
		*size += (int64_t)n;
	}
	err = ferror(f);
	fclose(f);
	if (err)
		return pm_err_set(e, PM_EIO, _("cannot read '%s'"), path);
	crypto_hash_sha256_final(&h, md);
	sodium_bin2hex(out, HASH_HEX, md, sizeof md);
	return PM_OK;
}

int pm_audit_manifest(struct pm_db *db, const char *backup, const char *copy_path, struct pm_err *e)
{
	struct pm_file_mode m = pm_db_file_mode(db);
	struct pm_audit_head h;
	struct pm_file_tmp t;
	struct pm_db *copy = NULL;
	char sha[HASH_HEX], path[4200], id[PM_DB_ID_SIZE], *line = NULL;
	json_t *j = NULL;
	int64_t size;
	FILE *f;
	int rc;

	snprintf(path, sizeof path, "%s.manifest", backup);
	/* The copy is closed before its bytes are read: closing a descriptor
	 * of it would drop SQLite's locks on it. */
	rc = pm_db_open(copy_path, PM_DB_READONLY, &copy, e);
	if (rc == PM_OK)
		rc = pm_audit_head(copy, &h, e);
	if (rc == PM_OK)
		pm_db_id(copy, id);
	pm_db_close(copy);
	copy = NULL;
	if (rc || (rc = file_sha256(copy_path, sha, &size, e)))
		goto out;
	j = pm_audit_head_json(db, &h);
	/* "store" is the path the store was opened by, which another
	 * community's store may share ("pm.db"): its id tells them apart. */
	if (*id)
		json_object_set_new(j, "store_id", json_string(id));
	json_object_set_new(j, "backup", json_string(backup));
	json_object_set_new(j, "size", json_integer((json_int_t)size));
	json_object_set_new(j, "sha256", json_string(sha));
	if (!(line = head_line(j))) {
		rc = pm_err_set(e, PM_EFAIL, _("out of memory"));
		goto out;
	}
	if ((rc = pm_file_tmp_open(path, &m, &t, e)))
		goto out;
	if (!(f = fdopen(t.fd, "w"))) {
		pm_file_tmp_abort(&t);
		rc = pm_err_set(e, PM_ECANTCREAT, _("cannot create '%s': %s"), path, strerror(errno));
		goto out;
	}
	t.fd = -1;
	fprintf(f, "%s\n", line);
	if (fclose(f) != 0) {
		pm_file_tmp_abort(&t);
		rc = pm_err_set(e, PM_ECANTCREAT, _("cannot write '%s': %s"), path, strerror(errno));
	} else {
		rc = pm_file_tmp_commit(&t, e);
	}
out:
	pm_db_close(copy);
	json_decref(j);
	free(line);
	return rc;
}

static int is_hash(const char *s)
{
	return s && strlen(s) == HASH_HEX - 1 && strspn(s, "0123456789abcdef") == HASH_HEX - 1;
}

static int is_count(json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) >= 0;
}

int pm_audit_manifest_parse(const char *text, size_t len, struct pm_audit_manifest_info *m,
			    struct pm_err *e)
{
	json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	json_t *size = json_object_get(j, "size");
	const char *sha = json_string_value(json_object_get(j, "sha256"));
	const char *hash = json_string_value(json_object_get(j, "hash"));
	const char *type = json_string_value(json_object_get(j, "type"));
	const char *store_id = json_string_value(json_object_get(j, "store_id"));
	int ok = type && strcmp(type, "audit_head") == 0 && is_hash(sha) && is_hash(hash) &&
		 is_count(json_object_get(j, "id")) && is_count(json_object_get(j, "rows")) &&
		 (!size || is_count(size));

	memset(m, 0, sizeof *m);
	if (ok) {
		m->size = size ? (int64_t)json_integer_value(size) : -1;
		m->id = (int64_t)json_integer_value(json_object_get(j, "id"));
		m->rows = (int64_t)json_integer_value(json_object_get(j, "rows"));
		snprintf(m->sha256, sizeof m->sha256, "%s", sha);
		snprintf(m->hash, sizeof m->hash, "%s", hash);
		if (store_id && strlen(store_id) < sizeof m->store_id)
			snprintf(m->store_id, sizeof m->store_id, "%s", store_id);
	}
	json_decref(j);
	return ok ? PM_OK : pm_err_set(e, PM_EDATA, _("not a backup manifest"));
}

/* The audit head of the copy at path, read without opening it as a store
 * (a copy of an older schema is migrated only once it is the store). */
static int copy_head(const char *path, struct pm_audit_head *h, struct pm_err *e)
{
	static const char sql[] = "SELECT (SELECT count(*) FROM audit), id, hash FROM audit"
				  " ORDER BY id DESC LIMIT 1";
	sqlite3_stmt *st = NULL;
	sqlite3 *db = NULL;
	int rc = SQLITE_ERROR;

	memset(h, 0, sizeof *h);
	snprintf(h->hash, sizeof h->hash, "%s", GENESIS);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		h->rows = sqlite3_column_int64(st, 0);
		h->id = sqlite3_column_int64(st, 1);
		snprintf(h->hash, sizeof h->hash, "%s", COL(st, 2));
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pm_err_set(e, PM_EDATA, _("cannot read the audit log of '%s'"), path);
	return PM_OK;
}

int pm_audit_manifest_check(const char *text, size_t len, const char *path, const char *name,
			    struct pm_err *e)
{
	struct pm_audit_manifest_info m;
	struct pm_audit_head h;
	char sha[HASH_HEX];
	int64_t size;

	if (pm_audit_manifest_parse(text, len, &m, e))
		return pm_err_set(e, PM_EDATA, _("the manifest of '%s' is not a backup manifest"), name);
	if (file_sha256(path, sha, &size, e))
		return e->code;
	if ((m.size >= 0 && m.size != size) || strcmp(m.sha256, sha) != 0)
		return pm_err_set(e, PM_EDATA,
				  _("'%s' does not match its manifest (SHA-256 %s, expected %s): refusing to restore it"),
				  name, sha, m.sha256);
	if (copy_head(path, &h, e))
		return e->code;
	if (h.id != m.id || h.rows != m.rows || strcmp(h.hash, m.hash) != 0)
		return pm_err_set(e, PM_EDATA,
				  _("the audit log of '%s' ends at row %lld, its manifest says %lld: refusing to restore it"),
				  name, (long long)h.id, (long long)m.id);
	return PM_OK;
}
