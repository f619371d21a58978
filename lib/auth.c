#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "pm/audit.h"
#include "pm/auth.h"
#include "pm/db.h"
#include "pm/i18n.h"

#define R(x) (1u << PM_ROLE_##x)
#define STAFF (R(ADMIN) | R(FINANCE) | R(FRONTDESK) | R(TECHNICIAN) | R(GUARD))
#define ALL (STAFF | R(OWNER))

static const char *const role_names[PM_ROLE_COUNT] = {
	"admin", "finance", "frontdesk", "technician", "guard", "owner",
};

/* The permission table: which roles may perform each action. Programs and
 * the web front end ask pm_auth_check and never decide by themselves.
 * Owners' rows are further limited to their own units by the caller. */
static const struct {
	const char *action;
	unsigned roles;
} permissions[] = {
	{"asset.read", STAFF},
	{"asset.write", R(ADMIN) | R(FRONTDESK)},
	{"audit.read", R(ADMIN) | R(FINANCE)},
	{"backup", R(ADMIN)},
	{"bill.adjust", R(ADMIN) | R(FINANCE)},
	{"bill.export", R(ADMIN) | R(FINANCE)},
	{"bill.issue", R(ADMIN) | R(FINANCE)},
	{"bill.pay", R(ADMIN) | R(FINANCE) | R(FRONTDESK)},
	{"bill.read", R(ADMIN) | R(FINANCE) | R(FRONTDESK) | R(OWNER)},
	{"bill.reconcile", R(ADMIN) | R(FINANCE)},
	{"bill.refund", R(ADMIN) | R(FINANCE)},
	{"bill.rewards", R(ADMIN) | R(FINANCE)},
	{"bill.run", R(ADMIN) | R(FINANCE)},
	{"bill.void", R(ADMIN) | R(FINANCE)},
	{"check", R(ADMIN) | R(FINANCE)},
	{"config.apply", R(ADMIN)},
	{"config.read", STAFF},
	{"meter.ingest", R(ADMIN) | R(TECHNICIAN)},
	{"meter.read", STAFF},
	{"meter.write", R(ADMIN) | R(TECHNICIAN)},
	{"patrol.checkin", R(ADMIN) | R(FRONTDESK) | R(TECHNICIAN) | R(GUARD)},
	{"patrol.read", R(ADMIN) | R(FRONTDESK) | R(GUARD)},
	/* Announcements: everyone reads the notice board, owners only what
	 * is addressed to them; owners sign up themselves (notify.self). */
	{"notify.announce", R(ADMIN) | R(FRONTDESK)},
	{"notify.announcements", ALL},
	{"notify.prefs", R(ADMIN) | R(FRONTDESK)},
	{"notify.read", R(ADMIN) | R(FINANCE) | R(FRONTDESK)},
	{"notify.self", R(OWNER)},
	{"notify.send", R(ADMIN) | R(FINANCE) | R(FRONTDESK)},
	{"person.read", R(ADMIN) | R(FINANCE) | R(FRONTDESK)},
	{"person.write", R(ADMIN) | R(FRONTDESK)},
	{"repair.cron", R(ADMIN)},
	/* Reports: money reports for finance and the front desk (owners:
	 * their own units only, pm_report_*), the others for all staff;
	 * owners' names and phones whole only for those who call them. */
	{"report.contacts", R(ADMIN) | R(FINANCE) | R(FRONTDESK)},
	{"report.finance", R(ADMIN) | R(FINANCE) | R(FRONTDESK) | R(OWNER)},
	{"report.read", STAFF},
	{"restore", R(ADMIN)},
	/* Tickets: owners only on their own (pm_ticket_*), technicians
	 * work only what is assigned to them. */
	{"ticket.comment", ALL},
	{"ticket.dispatch", R(ADMIN) | R(FRONTDESK)},
	{"ticket.rate", R(ADMIN) | R(FRONTDESK) | R(OWNER)},
	{"ticket.read", ALL},
	{"ticket.reopen", R(ADMIN) | R(FRONTDESK) | R(OWNER)},
	{"ticket.submit", ALL},
	{"ticket.work", R(ADMIN) | R(FRONTDESK) | R(TECHNICIAN)},
	{"unit.read", ALL},
	{"unit.write", R(ADMIN) | R(FRONTDESK)},
	{"user.admin", R(ADMIN)},
	{"user.passwd.self", ALL},
};

int pm_role_parse(const char *s, enum pm_role *r, struct pm_err *e)
{
	for (int i = 0; i < PM_ROLE_COUNT; i++)
		if (strcmp(s, role_names[i]) == 0) {
			*r = (enum pm_role)i;
			return PM_OK;
		}
	return pm_err_set(e, PM_EDATA,
		_("unknown role '%s': expected admin, finance, frontdesk, technician, guard or owner"), s);
}

const char *pm_role_name(enum pm_role r)
{
	return r < PM_ROLE_COUNT ? role_names[r] : "?";
}

int pm_auth_allowed(enum pm_role r, const char *action)
{
	for (size_t i = 0; i < sizeof permissions / sizeof *permissions; i++)
		if (strcmp(permissions[i].action, action) == 0)
			return (permissions[i].roles & (1u << r)) != 0;
	return 0;
}

int pm_auth_check(const struct pm_actor *a, const char *action, struct pm_err *e)
{
	if (pm_auth_allowed(a->role, action))
		return PM_OK;
	return pm_err_set(e, PM_ENOPERM, _("user '%s' (%s) may not do '%s'"), a->login,
			  pm_role_name(a->role), action);
}

static int unix_actor(struct pm_actor *a)
{
	struct passwd *pw = getpwuid(getuid());

	memset(a, 0, sizeof *a);
	snprintf(a->login, sizeof a->login, "%s", pw ? pw->pw_name : "unknown");
	a->role = PM_ROLE_ADMIN;
	return PM_OK;
}

static const char user_sql[] =
	"SELECT u.id, u.role, u.disabled, coalesce(u.person_id, 0), u.pwhash FROM user u"
	" WHERE u.login = ?";

static int load_user(struct pm_db *db, const char *login, struct pm_actor *a,
		     char *hash, size_t hashlen, struct pm_err *e)
{
	sqlite3_stmt *st = pm_db_stmt(db, user_sql, e);
	int rc, disabled;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return pm_db_fail(db, e, _("cannot read users"));
		return pm_err_set(e, PM_ENOPERM, _("no user '%s'"), login);
	}
	memset(a, 0, sizeof *a);
	snprintf(a->login, sizeof a->login, "%s", login);
	a->user_id = sqlite3_column_int64(st, 0);
	pm_role_parse((const char *)sqlite3_column_text(st, 1), &a->role, NULL);
	disabled = sqlite3_column_int(st, 2);
	a->person_id = sqlite3_column_int64(st, 3);
	if (hash)
		snprintf(hash, hashlen, "%s",
			 sqlite3_column_text(st, 4) ? (const char *)sqlite3_column_text(st, 4) : "");
	sqlite3_reset(st);
	if (disabled)
		return pm_err_set(e, PM_ENOPERM, _("user '%s' is disabled"), login);
	return PM_OK;
}

int pm_auth_actor(struct pm_db *db, const char *login, struct pm_actor *a, struct pm_err *e)
{
	if (!login || !*login)
		return unix_actor(a);
	return load_user(db, login, a, NULL, 0, e);
}

int pm_auth_login(struct pm_db *db, const char *login, const char *password,
		  struct pm_actor *a, struct pm_err *e)
{
	char hash[crypto_pwhash_STRBYTES];

	if (sodium_init() < 0)
		return pm_err_set(e, PM_ESOFTWARE, _("cannot initialise libsodium"));
	if (load_user(db, login, a, hash, sizeof hash, NULL) != PM_OK || !*hash ||
	    crypto_pwhash_str_verify(hash, password, strlen(password)) != 0) {
		memset(a, 0, sizeof *a);
		return pm_err_set(e, PM_ENOPERM, _("wrong login or password"));
	}
	return PM_OK;
}

static int hash_password(const char *password, char out[crypto_pwhash_STRBYTES], struct pm_err *e)
{
	if (sodium_init() < 0)
		return pm_err_set(e, PM_ESOFTWARE, _("cannot initialise libsodium"));
	if (strlen(password) < 8)
		return pm_err_set(e, PM_EDATA, _("password too short: use at least 8 characters"));
	/* Interactive limits: a web login must answer in well under a second. */
	if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return pm_err_set(e, PM_EFAIL, _("out of memory hashing the password"));
	return PM_OK;
}

static int step_done(struct pm_db *db, sqlite3_stmt *st, const char *what, struct pm_err *e)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return pm_db_fail(db, e, what);
	return PM_OK;
}

static int audited(struct pm_db *db, const char *action, const char *login, json_t *after,
		   struct pm_err *e)
{
	char object[96];
	int rc;

	snprintf(object, sizeof object, "user:%s", login);
	rc = pm_audit_log(db, action, object, NULL, after, e);
	json_decref(after);
	if (rc)
		return rc;
	return pm_db_commit(db, e);
}

static int person_linked(struct pm_db *db, const char *login)
{
	static const char sql[] = "SELECT person_id IS NOT NULL FROM user WHERE login = ?";
	sqlite3_stmt *st = pm_db_stmt(db, sql, NULL);
	int ok;

	if (!st)
		return 0;
	sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
	ok = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return ok;
}

int pm_user_add(struct pm_db *db, const char *login, enum pm_role role, const char *person,
		const char *password, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO user (login, role, person_id, pwhash, created_at, updated_at)"
		" VALUES (?1, ?2, (SELECT id FROM person WHERE code = ?3), ?4, ?5, ?5)";
	char hash[crypto_pwhash_STRBYTES];
	sqlite3_stmt *st;

	if (!*login || strlen(login) >= sizeof ((struct pm_actor *)0)->login || strchr(login, ':'))
		return pm_err_set(e, PM_EDATA, _("bad login '%s': 1 to 63 characters, no ':'"), login);
	if (role == PM_ROLE_OWNER && !person)
		return pm_err_set(e, PM_EDATA, _("an owner user needs --person"));
	if (password && hash_password(password, hash, e))
		return e->code;
	if (pm_db_begin(db, e))
		return e->code;
	if (!(st = pm_db_stmt(db, sql, e)))
		goto fail;
	sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, pm_role_name(role), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, person, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, password ? hash : NULL, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, pm_now());
	if (step_done(db, st, _("cannot add user"), e)) {
		if (e->code == PM_EDATA)
			pm_err_set(e, PM_EDATA, _("cannot add user '%s': the login exists"), login);
		goto fail;
	}
	if (person && !person_linked(db, login)) {
		pm_err_set(e, PM_EDATA, _("no person '%s'"), person);
		goto fail;
	}
	return audited(db, "user.add", login,
		       json_pack("{s:s, s:s?}", "role", pm_role_name(role), "person", person), e);
fail:
	pm_db_rollback(db);
	return e->code;
}

static int user_update(struct pm_db *db, const char *sql, const char *login, const char *value,
		       const char *action, struct pm_err *e)
{
	sqlite3_stmt *st;

	if (pm_db_begin(db, e))
		return e->code;
	if (!(st = pm_db_stmt(db, sql, e)))
		goto fail;
	sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, pm_now());
	if (step_done(db, st, _("cannot change user"), e))
		goto fail;
	if (sqlite3_changes(pm_db_sqlite(db)) == 0) {
		pm_err_set(e, PM_EDATA, _("no user '%s'"), login);
		goto fail;
	}
	return audited(db, action, login, NULL, e);
fail:
	pm_db_rollback(db);
	return e->code;
}

int pm_user_passwd(struct pm_db *db, const char *login, const char *password, struct pm_err *e)
{
	static const char sql[] = "UPDATE user SET pwhash = ?2, updated_at = ?3 WHERE login = ?1";
	char hash[crypto_pwhash_STRBYTES];

	if (hash_password(password, hash, e))
		return e->code;
	return user_update(db, sql, login, hash, "user.passwd", e);
}

int pm_user_disable(struct pm_db *db, const char *login, struct pm_err *e)
{
	static const char sql[] =
		"UPDATE user SET disabled = 1, updated_at = ?3 WHERE login = ?1 AND ?2 IS NULL";

	return user_update(db, sql, login, NULL, "user.disable", e);
}

int pm_user_each(struct pm_db *db, int (*fn)(void *ctx, const struct pm_user_row *u), void *ctx,
		 struct pm_err *e)
{
	static const char sql[] =
		"SELECT u.login, u.role, p.code, u.disabled FROM user u"
		" LEFT JOIN person p ON p.id = u.person_id ORDER BY u.login";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	struct pm_user_row u;
	int rc;

	if (!st)
		return e->code;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		u = (struct pm_user_row){
			(const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
			(const char *)sqlite3_column_text(st, 2), sqlite3_column_int(st, 3),
		};
		if ((rc = fn(ctx, &u)) != 0) {
			sqlite3_reset(st);
			return rc;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read users"));
	return PM_OK;
}
