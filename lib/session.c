/* session: web sessions, CSRF tokens, sign-in by password or one-time
 * code, and the limits on sign-in attempts. */
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "pm/audit.h"
#include "pm/auth.h"
#include "pm/config.h"
#include "pm/db.h"
#include "pm/i18n.h"
#include "pm/notify.h"
#include "pm/session.h"
#include "pm/timeutil.h"

/* How long a session may go unseen before seen_at is written again. */
#define TOUCH_EVERY 60
/* Tries of one code before it is spent. */
#define CODE_TRIES 5
/* Attempts are kept this long for the limits, then dropped. */
#define KEEP_ATTEMPTS 86400

static int64_t real_now(void)
{
	return (int64_t)time(NULL);
}

static int64_t num(json_t *sec, const char *group, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(json_object_get(sec, group), key));
}

void pm_signin_limits_of(json_t *web, struct pm_signin_limits *l)
{
	l->idle = num(web, "session", "idle");
	l->lifetime = num(web, "session", "lifetime");
	l->failures = (long)num(web, "login", "failures");
	l->address_failures = (long)num(web, "login", "address_failures");
	l->window = num(web, "login", "window");
	l->code_ttl = num(web, "login", "code_ttl");
}

int pm_signin_limits(struct pm_db *db, struct pm_signin_limits *l, struct pm_err *e)
{
	json_t *web;

	if (pm_config_today(db, "web", &web, e))
		return e->code;
	pm_signin_limits_of(web, l);
	json_decref(web);
	return PM_OK;
}

int pm_session_token(char token[PM_SESSION_TOKEN], struct pm_err *e)
{
	unsigned char raw[32];

	if (sodium_init() < 0)
		return pm_err_set(e, PM_ESOFTWARE, _("cannot initialise libsodium"));
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(token, PM_SESSION_TOKEN, raw, sizeof raw);
	return PM_OK;
}

/* SHA-256 of s as hex: what the store keeps of tokens and codes. */
static void digest(const char *s, char out[PM_SESSION_TOKEN])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
	sodium_bin2hex(out, PM_SESSION_TOKEN, h, sizeof h);
}

static int step_done(struct pm_db *db, sqlite3_stmt *st, const char *what, struct pm_err *e)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, what);
}

/* ---- sessions ---- */

static int session_close(struct pm_db *db, int64_t id, int64_t now, struct pm_err *e)
{
	static const char sql[] = "UPDATE web_session SET ended_at = ?2 WHERE id = ?1 AND ended_at IS NULL";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	return step_done(db, st, _("cannot end the session"), e);
}

int pm_session_find(struct pm_db *db, const char *token, const struct pm_signin_limits *l,
		    struct pm_session *s, struct pm_err *e)
{
	static const char sql[] =
		"SELECT s.id, s.created_at, s.seen_at, s.csrf, u.login, u.disabled, s.ended_at IS NOT NULL"
		" FROM web_session s JOIN user u ON u.id = s.user_id WHERE s.token_hash = ?";
	static const char touch[] = "UPDATE web_session SET seen_at = ?2 WHERE id = ?1";
	char hash[PM_SESSION_TOKEN];
	int64_t now = real_now();
	sqlite3_stmt *st;
	int rc, gone;

	memset(s, 0, sizeof *s);
	if (!token || strlen(token) != PM_SESSION_TOKEN - 1)
		return pm_err_set(e, PM_ENOPERM, _("not signed in"));
	digest(token, hash);
	if ((rc = pm_db_row(db, sql, hash, &st, N_("cannot read sessions"), e)) < 0)
		return -rc;
	if (rc == 0)
		return pm_err_set(e, PM_ENOPERM, _("not signed in"));
	s->id = sqlite3_column_int64(st, 0);
	s->created_at = sqlite3_column_int64(st, 1);
	s->seen_at = sqlite3_column_int64(st, 2);
	snprintf(s->csrf, sizeof s->csrf, "%s", (const char *)sqlite3_column_text(st, 3));
	snprintf(s->login, sizeof s->login, "%s", (const char *)sqlite3_column_text(st, 4));
	gone = sqlite3_column_int(st, 5) || sqlite3_column_int(st, 6);
	sqlite3_reset(st);
	if (gone) {
		memset(s, 0, sizeof *s);
		return pm_err_set(e, PM_ENOPERM, _("not signed in"));
	}
	if (now - s->seen_at > l->idle || now - s->created_at > l->lifetime) {
		session_close(db, s->id, now, NULL);
		memset(s, 0, sizeof *s);
		return pm_err_set(e, PM_ENOPERM, _("the session has expired: sign in again"));
	}
	if (now - s->seen_at > TOUCH_EVERY && (st = pm_db_stmt(db, touch, NULL))) {
		sqlite3_bind_int64(st, 1, s->id);
		sqlite3_bind_int64(st, 2, now);
		if (sqlite3_step(st) == SQLITE_DONE)
			s->seen_at = now;
		sqlite3_reset(st);
	}
	return PM_OK;
}

int pm_session_end(struct pm_db *db, const char *token, struct pm_err *e)
{
	struct pm_signin_limits forever = {INT64_MAX, INT64_MAX, 0, 0, 0, 0};
	struct pm_session s;
	char object[96];

	if (pm_session_find(db, token, &forever, &s, NULL) != PM_OK)
		return PM_OK;
	if (pm_db_begin(db, e))
		return e->code;
	snprintf(object, sizeof object, "user:%s", s.login);
	if (session_close(db, s.id, real_now(), e) || pm_audit_log(db, "web.signout", object, NULL, NULL, e)) {
		pm_db_rollback(db);
		return e->code;
	}
	return pm_db_commit(db, e);
}

int pm_session_each(struct pm_db *db, const char *login, const struct pm_signin_limits *l,
		    int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e)
{
	static const char sql[] =
		"SELECT s.id, u.login, s.address, s.created_at, s.seen_at FROM web_session s JOIN user u ON u.id = s.user_id"
		" WHERE s.ended_at IS NULL AND u.disabled = 0 AND s.seen_at > ?2 AND s.created_at > ?3 AND (?1 IS NULL OR u.login = ?1)"
		" ORDER BY s.id DESC";
	char created[PM_TIME_BUF], seen[PM_TIME_BUF];
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int64_t now = real_now();
	json_t *rec;
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now - l->idle);
	sqlite3_bind_int64(st, 3, now - l->lifetime);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rec = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}", "type", "session",
				"id", (json_int_t)sqlite3_column_int64(st, 0), "login", (const char *)sqlite3_column_text(st, 1),
				"address", (const char *)sqlite3_column_text(st, 2),
				"created_at", pm_time_fmt(sqlite3_column_int64(st, 3), pm_db_tz(db), created),
				"seen_at", pm_time_fmt(sqlite3_column_int64(st, 4), pm_db_tz(db), seen));
		rc = fn(ctx, rec);
		json_decref(rec);
		if (rc) {
			sqlite3_reset(st);
			return rc;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read sessions"));
}

int pm_session_end_user(struct pm_db *db, const char *login, long *n, struct pm_err *e)
{
	static const char sql[] =
		"UPDATE web_session SET ended_at = ?2 WHERE ended_at IS NULL"
		" AND user_id = (SELECT id FROM user WHERE login = ?1)";
	char object[96];
	sqlite3_stmt *st;
	json_t *after;
	int rc;

	*n = 0;
	if (pm_db_begin(db, e))
		return e->code;
	if (!(st = pm_db_stmt(db, sql, e)))
		goto fail;
	sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, real_now());
	if (step_done(db, st, _("cannot end the sessions"), e))
		goto fail;
	*n = sqlite3_changes(pm_db_sqlite(db));
	snprintf(object, sizeof object, "user:%s", login);
	after = json_pack("{s:I}", "sessions", (json_int_t)*n);
	rc = pm_audit_log(db, "web.signout", object, NULL, after, e);
	json_decref(after);
	if (rc)
		goto fail;
	return pm_db_commit(db, e);
fail:
	pm_db_rollback(db);
	return e->code;
}

int pm_session_csrf_ok(const struct pm_session *s, const char *given)
{
	return given && s->csrf[0] && strlen(given) == strlen(s->csrf) &&
	       sodium_memcmp(given, s->csrf, strlen(given)) == 0;
}

/* ---- attempts and their limits ---- */

static int count(struct pm_db *db, const char *sql, const char *key, int64_t since, long *n,
		 struct pm_err *e)
{
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, since);
	rc = sqlite3_step(st);
	*n = rc == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot read sign-in attempts"));
}

static int throttled(struct pm_db *db, const char *login, const char *address,
		     const struct pm_signin_limits *l, struct pm_err *e)
{
	static const char by_login[] = "SELECT count(*) FROM web_signin WHERE login = ?1 AND ts > ?2 AND ok = 0";
	static const char by_address[] = "SELECT count(*) FROM web_signin WHERE address = ?1 AND ts > ?2 AND ok = 0";
	int64_t since = real_now() - l->window;
	long n;

	if (count(db, by_login, login, since, &n, e))
		return e->code;
	if (n >= l->failures)
		return pm_err_set(e, PM_ETEMPFAIL, _("too many failed sign-ins for '%s': try again later"), login);
	if (count(db, by_address, address, since, &n, e))
		return e->code;
	if (n >= l->address_failures)
		return pm_err_set(e, PM_ETEMPFAIL, _("too many failed sign-ins from this address: try again later"));
	return PM_OK;
}

/* Records an attempt inside the caller's transaction, dropping old ones. */
static int attempt_log(struct pm_db *db, const char *login, const char *address, int ok, struct pm_err *e)
{
	static const char ins[] = "INSERT INTO web_signin (login, address, ts, ok) VALUES (?1, ?2, ?3, ?4)";
	static const char old[] = "DELETE FROM web_signin WHERE ts < ?1";
	sqlite3_stmt *st;
	int64_t now = real_now();

	if (!(st = pm_db_stmt(db, ins, e)))
		return e->code;
	sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, address, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int(st, 4, ok);
	if (step_done(db, st, _("cannot record the sign-in"), e) || !(st = pm_db_stmt(db, old, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, now - KEEP_ATTEMPTS);
	return step_done(db, st, _("cannot record the sign-in"), e);
}

/* An attempt counted as failed before its password is checked, in a
 * write transaction of its own with the check of the limits: attempts
 * sent at once are counted one after another, so no more of them are
 * checked than the limits allow (checked first and counted after, sixty
 * sent together were all checked). The attempt's row in *id: a sign-in
 * that succeeds turns it (start). */
static int reserve(struct pm_db *db, const char *login, const char *address, const struct pm_signin_limits *l,
		   int64_t *id, struct pm_err *e)
{
	*id = 0;
	if (pm_db_begin(db, e))
		return e->code;
	if (throttled(db, login, address, l, e) || attempt_log(db, login, address, 0, e)) {
		pm_db_rollback(db);
		return e->code;
	}
	*id = sqlite3_last_insert_rowid(pm_db_sqlite(db));
	return pm_db_commit(db, e);
}

/* The attempt that succeeded: its row, or a new one. */
static int attempt_ok(struct pm_db *db, const char *login, const char *address, int64_t id, struct pm_err *e)
{
	static const char sql[] = "UPDATE web_signin SET ok = 1 WHERE id = ?1";
	sqlite3_stmt *st;

	if (!id)
		return attempt_log(db, login, address, 1, e);
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	return step_done(db, st, _("cannot record the sign-in"), e);
}

/* A new session for the user, the attempt (row attempt, or none yet)
 * recorded as good, audited, committed. */
static int start(struct pm_db *db, const char *login, const char *address, const char *how, int64_t attempt,
		 char token[PM_SESSION_TOKEN], struct pm_session *s, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO web_session (token_hash, user_id, csrf, address, created_at, seen_at)"
		" SELECT ?1, id, ?2, ?3, ?4, ?4 FROM user WHERE login = ?5 RETURNING id";
	char hash[PM_SESSION_TOKEN], object[96];
	int64_t now = real_now();
	sqlite3_stmt *st;
	json_t *after;
	int rc;

	memset(s, 0, sizeof *s);
	if (pm_session_token(token, e) || pm_session_token(s->csrf, e))
		return e->code;
	digest(token, hash);
	if (pm_db_begin(db, e))
		return e->code;
	if (!(st = pm_db_stmt(db, sql, e)))
		goto fail;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, s->csrf, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, address, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_text(st, 5, login, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	s->id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW) {
		pm_db_fail(db, e, _("cannot start the session"));
		goto fail;
	}
	snprintf(s->login, sizeof s->login, "%s", login);
	s->created_at = s->seen_at = now;
	pm_db_set_actor(db, login);
	snprintf(object, sizeof object, "user:%s", login);
	after = json_pack("{s:s, s:s}", "by", how, "address", address);
	rc = attempt_ok(db, login, address, attempt, e) || pm_audit_log(db, "web.signin", object, NULL, after, e);
	json_decref(after);
	if (rc)
		goto fail;
	return pm_db_commit(db, e);
fail:
	pm_db_rollback(db);
	return e->code;
}

/* Service and viewer accounts act through programs, never a browser. */
static int may_sign_in(const struct pm_actor *a, struct pm_err *e)
{
	if (a->role == PM_ROLE_SERVICE || a->role == PM_ROLE_VIEWER)
		return pm_err_set(e, PM_ENOPERM, _("user '%s' (%s) cannot sign in on the web"), a->login,
				  pm_role_name(a->role));
	return PM_OK;
}

int pm_signin_password(struct pm_db *db, const char *login, const char *password, const char *address,
		       const struct pm_signin_limits *l, char token[PM_SESSION_TOKEN],
		       struct pm_session *s, struct pm_err *e)
{
	struct pm_actor a;
	int64_t attempt;

	if (reserve(db, login, address, l, &attempt, e) ||
	    pm_auth_login(db, login, password, &a, e) || may_sign_in(&a, e))
		return e->code;
	return start(db, login, address, "password", attempt, token, s, e);
}

int pm_session_passwd(struct pm_db *db, const struct pm_session *s, const char *current, const char *fresh,
		      const char *address, const struct pm_signin_limits *l, struct pm_err *e)
{
	static const char sql[] =
		"UPDATE web_session SET ended_at = ?3 WHERE ended_at IS NULL AND id <> ?2"
		" AND user_id = (SELECT id FROM user WHERE login = ?1)";
	struct pm_actor a;
	sqlite3_stmt *st;
	int64_t attempt;
	int rc;

	/* A new password refused for itself is no failed sign-in. The
	 * other sessions end before the password changes (two transactions:
	 * pm_user_passwd audits in its own): a failure between them leaves
	 * the old password and everyone signed out, not the new one and
	 * the sessions it was to end. */
	if (pm_password_ok(fresh, e) || reserve(db, s->login, address, l, &attempt, e) ||
	    pm_auth_login(db, s->login, current, &a, e) || pm_db_begin(db, e))
		return e->code;
	if (!(st = pm_db_stmt(db, sql, e)))
		return pm_db_end(db, e->code, e);
	sqlite3_bind_text(st, 1, s->login, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, s->id);
	sqlite3_bind_int64(st, 3, real_now());
	if ((rc = step_done(db, st, _("cannot end the sessions"), e)) == PM_OK)
		rc = attempt_ok(db, s->login, address, attempt, e);
	if ((rc = pm_db_end(db, rc, e)))
		return rc;
	return pm_user_passwd(db, s->login, fresh, e);
}

/* ---- one-time codes ---- */

static void code_digest(const char *login, const char *code, char out[PM_SESSION_TOKEN])
{
	char s[128];

	snprintf(s, sizeof s, "%s:%s", login, code);
	digest(s, out);
}

/* The user who may get a code: an enabled web user with a phone. */
static int code_user(struct pm_db *db, const char *login, int64_t *id, struct pm_err *e)
{
	static const char sql[] =
		"SELECT u.id FROM user u JOIN person p ON p.id = u.person_id WHERE u.login = ? AND u.disabled = 0"
		" AND u.role NOT IN ('service','viewer') AND coalesce(p.phone, '') <> ''";
	sqlite3_stmt *st;
	int rc = pm_db_row(db, sql, login, &st, N_("cannot read users"), e);

	*id = 0;
	if (rc == 1) {
		*id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	return rc < 0 ? -rc : PM_OK;
}

static int code_store(struct pm_db *db, int64_t user, const char *login, const char *code,
		      const struct pm_signin_limits *l, int64_t *id, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO web_code (user_id, code_hash, created_at, expires_at) VALUES (?1, ?2, ?3, ?4) RETURNING id";
	char hash[PM_SESSION_TOKEN];
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int64_t now = real_now();
	int rc;

	if (!st)
		return e->code;
	code_digest(login, code, hash);
	sqlite3_bind_int64(st, 1, user);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, now + l->code_ttl);
	rc = sqlite3_step(st);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot store the code"));
}

static int code_queue(struct pm_db *db, const char *login, const char *code, int64_t id,
		      const struct pm_signin_limits *l, struct pm_err *e)
{
	struct pm_notify_counts counts = {0};
	struct pm_notify *n;
	json_t *rec;
	int rc;

	if (pm_notify_open(db, &n, e))
		return e->code;
	rec = json_pack("{s:s, s:I, s:s, s:s, s:I}", "type", "login_code", "id", (json_int_t)id, "login", login,
			"code", code, "minutes", (json_int_t)(l->code_ttl / 60));
	rc = pm_notify_queue(n, "login_code", PM_CH_SMS, rec, &counts, e);
	json_decref(rec);
	pm_notify_close(n);
	return rc;
}

int pm_signin_code_send(struct pm_db *db, const char *login, const char *address,
			const struct pm_signin_limits *l, struct pm_err *e)
{
	char code[8];
	int64_t user, id;

	if (sodium_init() < 0)
		return pm_err_set(e, PM_ESOFTWARE, _("cannot initialise libsodium"));
	snprintf(code, sizeof code, "%06u", (unsigned)randombytes_uniform(1000000));
	if (pm_db_begin(db, e))
		return e->code;
	/* A request counts against the limits like a failure: asking is free
	 * to whoever knows a login, and each one sends a message. Counted
	 * in the transaction that checks the limits, as reserve does. */
	if (throttled(db, login, address, l, e) || code_user(db, login, &user, e) ||
	    attempt_log(db, login, address, 0, e) ||
	    (user && (code_store(db, user, login, code, l, &id, e) || code_queue(db, login, code, id, l, e)))) {
		sodium_memzero(code, sizeof code);
		pm_db_rollback(db);
		return e->code;
	}
	sodium_memzero(code, sizeof code);
	return pm_db_commit(db, e);
}

/* Uses the latest live code of login if it matches: PM_OK, else
 * PM_ENOPERM, counting the try. */
static int code_use(struct pm_db *db, const char *login, const char *code, struct pm_err *e)
{
	static const char sql[] =
		"SELECT c.id, c.code_hash FROM web_code c JOIN user u ON u.id = c.user_id WHERE u.login = ?1"
		" AND c.used_at IS NULL AND c.expires_at > ?2 AND c.tries < ?3 ORDER BY c.id DESC LIMIT 1";
	static const char use[] = "UPDATE web_code SET tries = tries + 1, used_at = CASE WHEN ?2 THEN ?3 END WHERE id = ?1";
	char want[PM_SESSION_TOKEN], stored[PM_SESSION_TOKEN];
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int64_t id = 0, now = real_now();
	int rc, match;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int(st, 3, CODE_TRIES);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		snprintf(stored, sizeof stored, "%s", (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read codes"));
	if (!id)
		return pm_err_set(e, PM_ENOPERM, _("wrong or expired code"));
	code_digest(login, code, want);
	match = sodium_memcmp(want, stored, PM_SESSION_TOKEN - 1) == 0;
	if (!(st = pm_db_stmt(db, use, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, match);
	sqlite3_bind_int64(st, 3, now);
	if (step_done(db, st, _("cannot use the code"), e))
		return e->code;
	return match ? PM_OK : pm_err_set(e, PM_ENOPERM, _("wrong or expired code"));
}

int pm_signin_code(struct pm_db *db, const char *login, const char *code, const char *address,
		   const struct pm_signin_limits *l, char token[PM_SESSION_TOKEN], struct pm_session *s,
		   struct pm_err *e)
{
	struct pm_err used;

	if (pm_db_begin(db, e))
		return e->code;
	if (throttled(db, login, address, l, e)) {
		pm_db_rollback(db);
		return e->code;
	}
	if (code_use(db, login, code, &used)) {
		/* The try counts, and the failure too. */
		*e = used;
		if (used.code == PM_ENOPERM && attempt_log(db, login, address, 0, &used) == PM_OK)
			pm_db_commit(db, &used);
		else
			pm_db_rollback(db);
		return e->code;
	}
	if (pm_db_commit(db, e))
		return e->code;
	return start(db, login, address, "code", 0, token, s, e);
}
