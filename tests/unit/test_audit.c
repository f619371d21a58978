#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <time.h>

#include <sodium.h>

#include "pm/audit.h"
#include "pm/db.h"
#include "tstore.h"

/* Five records, the business clock one minute apart from
 * 2024-03-01T00:00:00Z, by two actors on units and users, with and
 * without before/after; the third run by a service account for its user. */
static void five(struct pm_db *db)
{
	static const struct {
		const char *actor, *caller, *action, *object, *before, *after;
	} recs[] = {
		{"wang", NULL, "unit.import", "unit.import", NULL, "{\"read\":432}"},
		{"wang", NULL, "user.add", "user:li.finance", NULL, "{\"role\":\"finance\"}"},
		{"li.finance", "web", "occupancy.set", "unit:3-2-1101", NULL, "{\"person\":\"P0001\"}"},
		{"li.finance", NULL, "unit.edit", "unit:3-2-1102", "{\"area\":\"89.50\"}", "{\"area\":\"90.00\"}"},
		{"wang", NULL, "occupancy.end", "unit:3-2-1101", "{\"person\":\"P0001\"}", NULL},
	};
	struct pm_err e = {0};
	char now[32];

	for (size_t i = 0; i < sizeof recs / sizeof *recs; i++) {
		json_t *b = recs[i].before ? json_loads(recs[i].before, 0, NULL) : NULL;
		json_t *a = recs[i].after ? json_loads(recs[i].after, 0, NULL) : NULL;

		snprintf(now, sizeof now, "2024-03-01T00:%02zu:00Z", i);
		setenv("PM_NOW", now, 1);
		pm_db_set_actor(db, recs[i].actor);
		pm_db_set_caller(db, recs[i].caller ? recs[i].caller : "");
		assert_int_equal(pm_db_begin(db, &e), PM_OK);
		assert_int_equal(pm_audit_log(db, recs[i].action, recs[i].object, b, a, &e), PM_OK);
		assert_int_equal(pm_db_commit(db, &e), PM_OK);
		json_decref(b);
		json_decref(a);
	}
	pm_db_set_caller(db, "");
	unsetenv("PM_NOW");
}

/* A store with its key made, as pm init makes it: row 1 is audit.key. */
static void keyed(struct tstore *t)
{
	struct pm_err e = {0};

	pm_db_set_actor(t->db, "root");
	assert_int_equal(pm_audit_key_create(t->db, NULL, &e), PM_OK);
}

static int verify(struct pm_db *db, const char *anchor, struct pm_audit_verdict *v, struct pm_err *e)
{
	memset(e, 0, sizeof *e);
	return pm_audit_verify(db, anchor, v, e);
}

static void exec(struct pm_db *db, const char *sql)
{
	struct pm_err e = {0};

	if (pm_db_exec(db, sql, &e) != PM_OK)
		fail_msg("%s: %s", sql, e.msg);
}

/* ---- the format, as pm(7) documents it ---- */

static void feed(crypto_auth_hmacsha256_state *h, crypto_hash_sha256_state *s, const char *v)
{
	unsigned long long n = v ? strlen(v) : 0;
	unsigned char len[8];

	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)(n >> (8 * i));
	if (h) {
		crypto_auth_hmacsha256_update(h, len, 8);
		crypto_auth_hmacsha256_update(h, (const unsigned char *)(v ? v : ""), n);
	} else {
		crypto_hash_sha256_update(s, len, 8);
		crypto_hash_sha256_update(s, (const unsigned char *)(v ? v : ""), n);
	}
}

/* What someone who edits row id and recomputes the chain from it writes:
 * with key (NULL: plain SHA-256, all one can do without it). */
static void rehash_from(struct pm_db *db, int64_t id, const unsigned char *key)
{
	static const char sql[] =
		"SELECT id, ts, actor, action, object, before, after, caller, business_ts FROM audit"
		" WHERE id >= ? ORDER BY id";
	char prev[65], out[65], num[48], upd[256];
	unsigned char md[32];
	sqlite3_stmt *st;

	snprintf(upd, sizeof upd, "SELECT coalesce((SELECT hash FROM audit WHERE id = %lld), '%064d')",
		 (long long)id - 1, 0);
	snprintf(prev, sizeof prev, "%.64s", tstore_sql(db, upd));
	assert_int_equal(sqlite3_prepare_v2(pm_db_sqlite(db), sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		crypto_auth_hmacsha256_state h;
		crypto_hash_sha256_state s;

		if (key)
			crypto_auth_hmacsha256_init(&h, key, 32);
		else
			crypto_hash_sha256_init(&s);
		feed(key ? &h : NULL, &s, prev);
		snprintf(num, sizeof num, "%lld %lld", sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
		feed(key ? &h : NULL, &s, num);
		for (int c = 2; c <= 6; c++)
			feed(key ? &h : NULL, &s, (const char *)sqlite3_column_text(st, c));
		if (sqlite3_column_type(st, 7) != SQLITE_NULL) {
			feed(key ? &h : NULL, &s, (const char *)sqlite3_column_text(st, 7));
			feed(key ? &h : NULL, &s, (const char *)sqlite3_column_text(st, 8));
		}
		if (key)
			crypto_auth_hmacsha256_final(&h, md);
		else
			crypto_hash_sha256_final(&s, md);
		sodium_bin2hex(out, sizeof out, md, 32);
		snprintf(upd, sizeof upd, "UPDATE audit SET prev = '%s', hash = '%s' WHERE id = %lld", prev, out,
			 sqlite3_column_int64(st, 0));
		exec(db, upd);
		snprintf(prev, sizeof prev, "%s", out);
	}
	sqlite3_finalize(st);
}

static void read_key(struct tstore *t, unsigned char key[32])
{
	char path[160], hex[80] = "";
	FILE *f = fopen(tstore_file(t, "pm.db.key", path, sizeof path), "r");

	assert_non_null(f);
	assert_non_null(fgets(hex, sizeof hex, f));
	fclose(f);
	assert_int_equal(sodium_hex2bin(key, 32, hex, 64, NULL, NULL, NULL), 0);
}

/* ---- tests ---- */

static void test_unkeyed_chain(void **state)
{
	struct tstore *t = T(state);
	struct pm_audit_verdict v;
	struct pm_err e;

	/* A store from an older pm: no key, SHA-256 rows. */
	assert_int_equal(verify(t->db, NULL, &v, &e), PM_OK);
	assert_int_equal(v.rows, 0);
	five(t->db);
	assert_int_equal(verify(t->db, NULL, &v, &e), PM_OK);
	assert_int_equal(v.rows, 5);
	assert_int_equal(v.bad, 0);
	assert_int_equal(v.keyed_from, 0);
	assert_string_equal(tstore_sql(t->db,
		"SELECT group_concat(id || ' ' || actor || ' ' || caller || ' ' || action || ' ' || object, '; ') FROM audit"),
		"1 wang wang unit.import unit.import; 2 wang wang user.add user:li.finance; "
		"3 li.finance web occupancy.set unit:3-2-1101; 4 li.finance li.finance unit.edit unit:3-2-1102; "
		"5 wang wang occupancy.end unit:3-2-1101");
	assert_string_equal(tstore_sql(t->db, "SELECT before || ' ' || after FROM audit WHERE id = 4"),
			    "{\"area\":\"89.50\"} {\"area\":\"90.00\"}");
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM audit a JOIN audit b ON b.id = a.id + 1 AND b.prev = a.hash"), "4");
	assert_string_equal(tstore_sql(t->db, "SELECT prev FROM audit WHERE id = 1"),
			    "0000000000000000000000000000000000000000000000000000000000000000");
	/* Without the key anyone can recompute it: the documented weakness
	 * that pm audit --rekey ends. */
	exec(t->db, "UPDATE audit SET actor = 'mallory' WHERE id = 3");
	rehash_from(t->db, 3, NULL);
	assert_int_equal(verify(t->db, NULL, &v, &e), PM_OK);
}

static void test_real_clock(void **state)
{
	struct tstore *t = T(state);
	time_t before = time(NULL), after;

	/* PM_NOW moves the business clock only: each row's ts is the real
	 * time and business_ts the one given. */
	five(t->db);
	after = time(NULL);
	assert_true(atoll(tstore_sql(t->db, "SELECT min(ts) FROM audit")) >= (long long)before);
	assert_true(atoll(tstore_sql(t->db, "SELECT max(ts) FROM audit")) <= (long long)after);
	assert_string_equal(tstore_sql(t->db, "SELECT group_concat(business_ts, ' ') FROM audit"),
			    "1709251200 1709251260 1709251320 1709251380 1709251440");
	/* Without PM_NOW the two clocks agree and business_ts stays empty. */
	pm_db_set_actor(t->db, "wang");
	{
		struct pm_err e = {0};

		assert_int_equal(pm_db_begin(t->db, &e), PM_OK);
		assert_int_equal(pm_audit_log(t->db, "x.y", "x", NULL, NULL, &e), PM_OK);
		assert_int_equal(pm_db_commit(t->db, &e), PM_OK);
	}
	assert_string_equal(tstore_sql(t->db, "SELECT coalesce(business_ts, 'none') FROM audit WHERE id = 6"), "none");
}

static void test_key_made(void **state)
{
	struct tstore *t = T(state);
	struct pm_audit_verdict v;
	struct pm_err e;
	char path[160];
	struct stat st;
	FILE *f;
	char hex[80];

	keyed(t);
	tstore_file(t, "pm.db.key", path, sizeof path);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_non_null(f = fopen(path, "r"));
	assert_non_null(fgets(hex, sizeof hex, f));
	fclose(f);
	assert_int_equal(strlen(hex), 65);
	assert_int_equal(hex[64], '\n');
	assert_string_equal(tstore_sql(t->db, "SELECT id || ' ' || action || ' ' || object || ' ' || json_extract(after, '$.from') FROM audit"),
			    "1 audit.key audit:key 1");
	assert_true(strstr(tstore_sql(t->db, "SELECT json_extract(after, '$.key') FROM audit"), "/pm.db.key") != NULL);
	five(t->db);
	assert_int_equal(verify(t->db, NULL, &v, &e), PM_OK);
	assert_int_equal(v.rows, 6);
	assert_int_equal(v.keyed_from, 1);
	/* Once is enough. */
	assert_int_equal(pm_audit_key_create(t->db, NULL, &e), PM_EFAIL);
	assert_string_equal(e.msg, "the audit log is keyed already, from row 1");
}

/* Each way of editing li.finance's row (id %d) by hand, and back again. */
static const struct {
	const char *edit, *undo;
} edits[] = {
	{"UPDATE audit SET actor = 'wang' WHERE id = %d", "UPDATE audit SET actor = 'li.finance' WHERE id = %d"},
	{"UPDATE audit SET caller = 'li.finance' WHERE id = %d", "UPDATE audit SET caller = 'web' WHERE id = %d"},
	{"UPDATE audit SET caller = NULL WHERE id = %d", "UPDATE audit SET caller = 'web' WHERE id = %d"},
	{"UPDATE audit SET action = 'occupancy.end' WHERE id = %d", "UPDATE audit SET action = 'occupancy.set' WHERE id = %d"},
	{"UPDATE audit SET object = 'unit:3-2-1102' WHERE id = %d", "UPDATE audit SET object = 'unit:3-2-1101' WHERE id = %d"},
	{"UPDATE audit SET before = '{}' WHERE id = %d", "UPDATE audit SET before = NULL WHERE id = %d"},
	{"UPDATE audit SET after = '{\"person\":\"P0002\"}' WHERE id = %d", "UPDATE audit SET after = '{\"person\":\"P0001\"}' WHERE id = %d"},
	{"UPDATE audit SET ts = ts + 1 WHERE id = %d", "UPDATE audit SET ts = ts - 1 WHERE id = %d"},
	{"UPDATE audit SET business_ts = business_ts + 1 WHERE id = %d", "UPDATE audit SET business_ts = business_ts - 1 WHERE id = %d"},
	{"UPDATE audit SET after = NULL WHERE id = %d", "UPDATE audit SET after = '{\"person\":\"P0001\"}' WHERE id = %d"},
	{"UPDATE audit SET hash = upper(hash) WHERE id = %d", "UPDATE audit SET hash = lower(hash) WHERE id = %d"},
};

static void edited_each_way(struct pm_db *db, int row, int64_t rows)
{
	struct pm_audit_verdict v;
	struct pm_err e;
	char sql[256], want[96];

	snprintf(want, sizeof want, "audit row %d: edited (its hash does not match its contents)", row);
	for (size_t i = 0; i < sizeof edits / sizeof *edits; i++) {
		snprintf(sql, sizeof sql, edits[i].edit, row);
		exec(db, sql);
		if (verify(db, NULL, &v, &e) != PM_EFAIL)
			fail_msg("\"%s\" went unnoticed", sql);
		assert_int_equal(v.bad, row);
		assert_int_equal(v.rows, row - 1);
		assert_string_equal(e.msg, want);
		snprintf(sql, sizeof sql, edits[i].undo, row);
		exec(db, sql);
		assert_int_equal(verify(db, NULL, &v, &e), PM_OK);
		assert_int_equal(v.rows, rows);
	}
}

static void test_edited(void **state)
{
	struct tstore *t = T(state);

	five(t->db);
	edited_each_way(t->db, 3, 5);
}

static void test_edited_keyed(void **state)
{
	struct tstore *t = T(state);
	struct pm_audit_verdict v;
	struct pm_err e;

	keyed(t);
	five(t->db);
	edited_each_way(t->db, 4, 6);
	/* Rewritten and rehashed without the key: caught at the first row
	 * touched, anchor or not. */
	exec(t->db, "UPDATE audit SET actor = 'mallory' WHERE id = 4");
	rehash_from(t->db, 4, NULL);
	assert_int_equal(verify(t->db, NULL, &v, &e), PM_EFAIL);
	assert_string_equal(e.msg, "audit row 4: edited (its hash does not match its contents)");
}

static void test_deleted_rows(void **state)
{
	struct tstore *t = T(state);
	struct pm_audit_verdict v;
	struct pm_err e;

	five(t->db);
	exec(t->db, "CREATE TABLE saved AS SELECT * FROM audit");
	exec(t->db, "DELETE FROM audit WHERE id = 3");
	assert_int_equal(verify(t->db, NULL, &v, &e), PM_EFAIL);
	assert_int_equal(v.bad, 3);
	assert_int_equal(v.rows, 2);
	assert_string_equal(e.msg, "audit row 3: deleted (row 4 follows row 2)");

	exec(t->db, "DELETE FROM audit WHERE id = 2");
	assert_int_equal(verify(t->db, NULL, &v, &e), PM_EFAIL);
	assert_int_equal(v.bad, 2);
	assert_string_equal(e.msg, "audit rows 2 to 3: deleted (row 4 follows row 1)");

	exec(t->db, "DELETE FROM audit WHERE id = 1");
	assert_int_equal(verify(t->db, NULL, &v, &e), PM_EFAIL);
	assert_int_equal(v.bad, 1);
	assert_int_equal(v.rows, 0);
	assert_string_equal(e.msg, "audit rows 1 to 3: deleted (the log starts at row 4)");

	exec(t->db, "DELETE FROM audit; INSERT INTO audit SELECT * FROM saved WHERE id > 1");
	assert_int_equal(verify(t->db, NULL, &v, &e), PM_EFAIL);
	assert_string_equal(e.msg, "audit row 1: deleted (the log starts at row 2)");
}

static void test_inserted(void **state)
{
	struct tstore *t = T(state);
	struct pm_audit_verdict v;
	struct pm_err e;

	five(t->db);
	/* Row 4 taken out and another put in its place. */
	exec(t->db, "UPDATE audit SET prev = (SELECT hash FROM audit WHERE id = 1) WHERE id = 4");
	assert_int_equal(verify(t->db, NULL, &v, &e), PM_EFAIL);
	assert_int_equal(v.bad, 4);
	assert_string_equal(e.msg, "audit row 4: inserted or replaced (it does not follow row 3)");
	exec(t->db, "UPDATE audit SET prev = 'x' WHERE id = 1");
	assert_int_equal(verify(t->db, NULL, &v, &e), PM_EFAIL);
	assert_string_equal(e.msg, "audit row 1: inserted or replaced (it does not start the log)");
}

static void anchor_path(struct tstore *t, char *path, size_t n)
{
	tstore_file(t, "anchor", path, n);
}

static void test_anchor(void **state)
{
	struct tstore *t = T(state);
	struct pm_audit_verdict v;
	struct pm_audit_head h;
	unsigned char key[32];
	char anchor[160], line[512];
	struct stat st;
	struct pm_err e;
	FILE *f;

	keyed(t);
	five(t->db);
	anchor_path(t, anchor, sizeof anchor);
	assert_int_equal(pm_audit_anchor(t->db, anchor, &h, &e), PM_OK);
	assert_int_equal(h.rows, 6);
	assert_int_equal(h.id, 6);
	assert_string_equal(h.hash, tstore_sql(t->db, "SELECT hash FROM audit WHERE id = 6"));
	assert_int_equal(stat(anchor, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_non_null(f = fopen(anchor, "r"));
	assert_non_null(fgets(line, sizeof line, f));
	fclose(f);
	assert_non_null(strstr(line, "\"type\":\"audit_head\""));
	assert_non_null(strstr(line, "\"rows\":6"));
	assert_int_equal(verify(t->db, anchor, &v, &e), PM_OK);
	assert_int_equal(v.anchors, 1);

	/* The last rows deleted: the chain alone still holds. */
	exec(t->db, "CREATE TABLE saved AS SELECT * FROM audit");
	exec(t->db, "DELETE FROM audit WHERE id >= 5");
	assert_int_equal(verify(t->db, NULL, &v, &e), PM_OK);
	assert_int_equal(verify(t->db, anchor, &v, &e), PM_EFAIL);
	assert_int_equal(v.bad, 5);
	assert_true(strncmp(e.msg, "audit log truncated after row 4: the anchor of ", 47) == 0);
	assert_non_null(strstr(e.msg, " records 6 rows up to row 6"));
	/* And appending to the anchor is refused while it does not hold. */
	assert_int_equal(pm_audit_anchor(t->db, anchor, &h, &e), PM_EFAIL);
	exec(t->db, "DELETE FROM audit; INSERT INTO audit SELECT * FROM saved");

	/* With the key, a rewritten tail verifies (the documented limit)
	 * and only the anchor tells. */
	read_key(t, key);
	exec(t->db, "UPDATE audit SET after = '{\"person\":\"P0009\"}' WHERE id = 4");
	rehash_from(t->db, 4, key);
	assert_int_equal(verify(t->db, NULL, &v, &e), PM_OK);
	assert_int_equal(verify(t->db, anchor, &v, &e), PM_EFAIL);
	assert_int_equal(v.bad, 6);
	assert_non_null(strstr(e.msg, "audit row 6: rewritten since the anchor of "));
	exec(t->db, "DELETE FROM audit; INSERT INTO audit SELECT * FROM saved");
	assert_int_equal(verify(t->db, anchor, &v, &e), PM_OK);

	/* A line that is no head. */
	assert_non_null(f = fopen(anchor, "a"));
	fputs("{\"type\":\"audit_head\",\"rows\":\"six\"}\n", f);
	fclose(f);
	assert_int_equal(verify(t->db, anchor, &v, &e), PM_EDATA);
	assert_non_null(strstr(e.msg, "anchor:2: not an audit head (pm audit --head)"));
}

static void test_key_missing(void **state)
{
	struct tstore *t = T(state);
	struct pm_audit_verdict v;
	struct pm_db *db;
	struct pm_err e = {0};
	char key[160], aside[160];

	keyed(t);
	five(t->db);
	tstore_file(t, "pm.db.key", key, sizeof key);
	tstore_file(t, "aside.key", aside, sizeof aside);
	assert_int_equal(rename(key, aside), 0);
	/* A new handle looks for the key again: the row says where it was. */
	assert_int_equal(pm_db_open(t->path, 0, &db, &e), PM_OK);
	assert_int_equal(verify(db, NULL, &v, &e), PM_ECONFIG);
	assert_non_null(strstr(e.msg, "the audit key: cannot read '"));
	assert_int_equal(pm_db_begin(db, &e), PM_OK);
	assert_int_equal(pm_audit_log(db, "x.y", "x", NULL, NULL, &e), PM_ECONFIG);
	pm_db_rollback(db);
	pm_db_close(db);
	assert_int_equal(rename(aside, key), 0);

	/* The whole log rewritten without the key and without its key row. */
	exec(t->db, "CREATE TABLE saved AS SELECT * FROM audit WHERE id > 1; DELETE FROM audit;"
		    " INSERT INTO audit SELECT id - 1, ts, actor, action, object, before, after, prev, hash,"
		    " caller, business_ts FROM saved");
	rehash_from(t->db, 1, NULL);
	assert_int_equal(verify(t->db, NULL, &v, &e), PM_EFAIL);
	assert_string_equal(e.msg, "the store has an audit key but no row of its log is keyed: the log was rewritten without the key");
}

static void test_rekey(void **state)
{
	struct tstore *t = T(state);
	struct pm_audit_verdict v;
	struct pm_err e;

	/* An older store: five unkeyed rows, then the key, then more. */
	five(t->db);
	keyed(t);
	five(t->db);
	assert_int_equal(verify(t->db, NULL, &v, &e), PM_OK);
	assert_int_equal(v.rows, 11);
	assert_int_equal(v.keyed_from, 6);
	assert_int_equal(atoll(tstore_sql(t->db, "SELECT json_extract(after, '$.from') FROM audit WHERE id = 6")), 6);
	/* An unkeyed row rewritten and rehashed up to the key row: the key
	 * row's MAC covers the link, so it no longer follows. */
	exec(t->db, "UPDATE audit SET actor = 'mallory' WHERE id = 2");
	rehash_from(t->db, 2, NULL);
	assert_int_equal(verify(t->db, NULL, &v, &e), PM_EFAIL);
	assert_int_equal(v.bad, 6);
}

static void test_head(void **state)
{
	struct tstore *t = T(state);
	struct pm_audit_head h;
	struct pm_err e = {0};
	json_t *j;

	assert_int_equal(pm_audit_head(t->db, &h, &e), PM_OK);
	assert_int_equal(h.rows, 0);
	assert_int_equal(h.id, 0);
	five(t->db);
	assert_int_equal(pm_audit_head(t->db, &h, &e), PM_OK);
	assert_int_equal(h.rows, 5);
	assert_int_equal(h.id, 5);
	assert_string_equal(h.hash, tstore_sql(t->db, "SELECT hash FROM audit WHERE id = 5"));
	j = pm_audit_head_json(t->db, &h);
	assert_string_equal(json_string_value(json_object_get(j, "type")), "audit_head");
	assert_int_equal(json_integer_value(json_object_get(j, "rows")), 5);
	assert_string_equal(json_string_value(json_object_get(j, "store")), t->path);
	json_decref(j);
}

struct seen {
	char ids[128];
	int stop_at;
};

static int collect(void *ctx, const struct pm_audit_row *r)
{
	struct seen *s = ctx;
	size_t n = strlen(s->ids);

	snprintf(s->ids + n, sizeof s->ids - n, "%s%lld", n ? " " : "", (long long)r->id);
	if (r->id == 3) {
		assert_string_equal(r->actor, "li.finance");
		assert_string_equal(r->caller, "web");
		assert_true(r->has_business);
		assert_int_equal(r->business_ts, 1709251320);
	}
	if (r->id == 4) {
		assert_string_equal(r->action, "unit.edit");
		assert_string_equal(r->object, "unit:3-2-1102");
		assert_string_equal(r->before, "{\"area\":\"89.50\"}");
		assert_string_equal(r->after, "{\"area\":\"90.00\"}");
		assert_int_equal(strlen(r->hash), 64);
	}
	if (r->id == 1)
		assert_null(r->before);
	return r->id == s->stop_at ? 42 : 0;
}

static const char *walk_by(struct pm_db *db, const struct pm_audit_filter *f, int *rc)
{
	static struct seen s;
	struct pm_err e = {0};

	memset(&s, 0, sizeof s);
	*rc = pm_audit_each(db, f, collect, &s, &e);
	return s.ids;
}

static const char *walk(struct pm_db *db, int64_t since, const char *prefix, int *rc)
{
	return walk_by(db, &(struct pm_audit_filter){.since = since, .object = prefix}, rc);
}

static void test_each_filters(void **state)
{
	struct tstore *t = T(state);
	int rc;

	five(t->db);
	/* Times are the real clock's: rows 3..5 moved an hour ahead. */
	exec(t->db, "UPDATE audit SET ts = 2000000000 WHERE id >= 3");
	assert_string_equal(walk(t->db, 0, NULL, &rc), "1 2 3 4 5");
	assert_int_equal(rc, PM_OK);
	assert_string_equal(walk(t->db, 2000000000, NULL, &rc), "3 4 5");
	assert_string_equal(walk(t->db, 2000000001, NULL, &rc), "");
	assert_string_equal(walk(t->db, 0, "unit:", &rc), "3 4 5");
	assert_string_equal(walk(t->db, 0, "unit:3-2-1101", &rc), "3 5");
	assert_string_equal(walk(t->db, 0, "user:", &rc), "2");
	assert_string_equal(walk(t->db, 0, "", &rc), "1 2 3 4 5");
	/* The prefix is text, not a LIKE pattern. */
	assert_string_equal(walk(t->db, 0, "unit:3-2-110_", &rc), "");
	assert_string_equal(walk(t->db, 0, "unit%", &rc), "");
	assert_string_equal(walk(t->db, 0, "UNIT:", &rc), "");
}

static void test_each_actor_until(void **state)
{
	struct tstore *t = T(state);
	int rc;

	five(t->db);
	exec(t->db, "UPDATE audit SET ts = 2000000000 + id");
	assert_string_equal(walk_by(t->db, &(struct pm_audit_filter){.actor = "wang"}, &rc), "1 2 5");
	assert_int_equal(rc, PM_OK);
	/* Who called for another is found too: web acted for li.finance. */
	assert_string_equal(walk_by(t->db, &(struct pm_audit_filter){.actor = "web"}, &rc), "3");
	assert_string_equal(walk_by(t->db, &(struct pm_audit_filter){.actor = "wan"}, &rc), "");
	/* until is the first second not wanted. */
	assert_string_equal(walk_by(t->db, &(struct pm_audit_filter){.until = 2000000003}, &rc), "1 2");
	assert_string_equal(walk_by(t->db, &(struct pm_audit_filter){.since = 2000000002, .until = 2000000005,
								     .actor = "li.finance"}, &rc), "3 4");
}

/* An import run is found by the objects it changed, its batches'
 * objects given to its record, and the next record owns only its own. */
static void test_each_touched(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	int64_t run;
	int rc;

	five(t->db);
	assert_int_equal(pm_db_begin(t->db, &e), PM_OK);
	assert_int_equal(pm_audit_touch(t->db, "unit:3-2-1101", &e), PM_OK);
	assert_int_equal(pm_audit_touch(t->db, "person:P0009", &e), PM_OK);
	assert_int_equal(pm_audit_run(t->db, "person.import", "person.import", "running", 1, NULL, &e), PM_OK);
	assert_int_equal(pm_audit_last(t->db, &run, &e), PM_OK);
	assert_int_equal(run, 6);
	assert_int_equal(pm_db_commit(t->db, &e), PM_OK);
	/* A later batch of the run, with no record of its own. */
	assert_int_equal(pm_db_begin(t->db, &e), PM_OK);
	assert_int_equal(pm_audit_touch(t->db, "unit:5-1-0101", &e), PM_OK);
	assert_int_equal(pm_audit_claim(t->db, run, &e), PM_OK);
	assert_int_equal(pm_db_commit(t->db, &e), PM_OK);
	assert_int_equal(pm_db_begin(t->db, &e), PM_OK);
	assert_int_equal(pm_audit_log(t->db, "user.add", "user:desk", NULL, NULL, &e), PM_OK);
	assert_int_equal(pm_db_commit(t->db, &e), PM_OK);
	assert_string_equal(walk(t->db, 0, "unit:3-2-1101", &rc), "3 5 6");
	assert_string_equal(walk(t->db, 0, "unit:5-1", &rc), "6");
	assert_string_equal(walk(t->db, 0, "person:", &rc), "6");
	assert_string_equal(walk(t->db, 0, "user:", &rc), "2 7");
	assert_string_equal(walk(t->db, 0, "unit:", &rc), "3 4 5 6");
	/* A touch rolled back is gone with its batch. */
	assert_int_equal(pm_db_begin(t->db, &e), PM_OK);
	assert_int_equal(pm_audit_touch(t->db, "unit:9-9-9999", &e), PM_OK);
	pm_db_rollback(t->db);
	assert_int_equal(pm_db_begin(t->db, &e), PM_OK);
	assert_int_equal(pm_audit_log(t->db, "user.add", "user:guard", NULL, NULL, &e), PM_OK);
	assert_int_equal(pm_db_commit(t->db, &e), PM_OK);
	assert_string_equal(walk(t->db, 0, "unit:9", &rc), "");
}

/* Objects touched in a transaction that writes no record commit unowned,
 * and the next record, in a later transaction, owns them; a rollback by
 * SQLite itself (ROLLBACK run directly) forgets those held. */
static void test_touched_unowned(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	int rc;

	five(t->db);
	assert_int_equal(pm_db_begin(t->db, &e), PM_OK);
	assert_int_equal(pm_audit_touch(t->db, "unit:7-1-0101", &e), PM_OK);
	assert_int_equal(pm_audit_touch(t->db, "unit:7-1-0102", &e), PM_OK);
	assert_int_equal(pm_db_commit(t->db, &e), PM_OK);
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM audit_touch WHERE audit_id IS NULL"), "2");
	assert_int_equal(pm_db_begin(t->db, &e), PM_OK);
	assert_int_equal(pm_audit_touch(t->db, "unit:8-1-0101", &e), PM_OK);
	assert_int_equal(pm_db_exec(t->db, "ROLLBACK", &e), PM_OK);
	assert_int_equal(pm_db_begin(t->db, &e), PM_OK);
	assert_int_equal(pm_audit_log(t->db, "user.add", "user:desk", NULL, NULL, &e), PM_OK);
	assert_int_equal(pm_db_commit(t->db, &e), PM_OK);
	assert_string_equal(walk(t->db, 0, "unit:7-1", &rc), "6");
	assert_string_equal(walk(t->db, 0, "unit:8", &rc), "");
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM audit_touch WHERE audit_id IS NULL"), "0");
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM audit_touch"), "2");
}

static void test_each_stops(void **state)
{
	struct tstore *t = T(state);
	struct pm_audit_verdict v;
	struct pm_err e = {0};
	struct seen s = {"", 2};

	five(t->db);
	assert_int_equal(pm_audit_each(t->db, &(struct pm_audit_filter){0}, collect, &s, &e), 42);
	assert_string_equal(s.ids, "1 2");
	/* The walk was left clean: the statements work again at once. */
	assert_int_equal(verify(t->db, NULL, &v, &e), PM_OK);
	memset(&s, 0, sizeof s);
	assert_int_equal(pm_audit_each(t->db, &(struct pm_audit_filter){0}, collect, &s, &e), PM_OK);
	assert_string_equal(s.ids, "1 2 3 4 5");
}

/* Objects are written many a statement (lib/audit.c's TOUCH_BULK): 150
 * in a transaction, with their record's id or unowned, each once and in
 * the order touched, across statements full and the rest after them. */
static void test_touched_many(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	char object[32];

	five(t->db);
	for (int owned = 1; owned >= 0; owned--) {
		assert_int_equal(pm_db_begin(t->db, &e), PM_OK);
		for (int i = 0; i < 150; i++) {
			snprintf(object, sizeof object, "unit:%d-1-%04d", owned, 150 - i);
			assert_int_equal(pm_audit_touch(t->db, object, &e), PM_OK);
		}
		if (owned)
			assert_int_equal(pm_audit_log(t->db, "unit.import", "unit.import", NULL, NULL, &e), PM_OK);
		assert_int_equal(pm_db_commit(t->db, &e), PM_OK);
	}
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM audit_touch WHERE audit_id = 6"), "150");
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM audit_touch WHERE audit_id IS NULL"), "150");
	/* The k-th row written is the k-th object touched. */
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM (SELECT object, rowid - (SELECT min(rowid)"
					      " FROM audit_touch) AS k FROM audit_touch)"
					      " WHERE object = printf('unit:%d-1-%04d', 1 - k / 150, 150 - k % 150)"), "300");
}

#define STORE_TEST(f) cmocka_unit_test_setup_teardown(f, tstore_setup, tstore_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		STORE_TEST(test_unkeyed_chain),
		STORE_TEST(test_real_clock),
		STORE_TEST(test_key_made),
		STORE_TEST(test_edited),
		STORE_TEST(test_edited_keyed),
		STORE_TEST(test_deleted_rows),
		STORE_TEST(test_inserted),
		STORE_TEST(test_anchor),
		STORE_TEST(test_key_missing),
		STORE_TEST(test_rekey),
		STORE_TEST(test_head),
		STORE_TEST(test_each_filters),
		STORE_TEST(test_each_actor_until),
		STORE_TEST(test_each_touched),
		STORE_TEST(test_each_stops),
		STORE_TEST(test_touched_unowned),
		STORE_TEST(test_touched_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
