#include <errno.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "pm/address.h"
#include "pm/audit.h"
#include "pm/auth.h"
#include "pm/community.h"
#include "pm/db.h"
#include "pm/i18n.h"

#define R(x) (1u << PM_ROLE_##x)
#define STAFF (R(ADMIN) | R(FINANCE) | R(FRONTDESK) | R(TECHNICIAN) | R(GUARD))
#define ALL (STAFF | R(OWNER))
/* What anyone who may read the store's file reads through pm: the
 * community's buildings, units, meters and equipment and its rules,
 * never a person (pm_pii_view). */
#define VIEW R(VIEWER)

static const char *const role_names[PM_ROLE_COUNT] = {
	"admin", "finance", "frontdesk", "technician", "guard", "owner", "viewer", "service",
};

/* The permission table: which roles may perform each action. Programs and
 * the web front end ask pm_auth_check and never decide by themselves.
 * Owners' rows are further limited to their own units by the caller. A
 * service account is in no row but pay.notify: it acts on behalf of
 * others. */
static const struct {
	const char *action;
	unsigned roles;
} permissions[] = {
	/* The help desk answers anyone; what it tells of a unit comes
	 * through bill.read and ticket.read as everywhere. */
	{"ask", ALL | VIEW},
	{"asset.read", STAFF | VIEW},
	{"asset.write", R(ADMIN) | R(FRONTDESK)},
	{"audit.key", R(ADMIN)},
	{"audit.read", R(ADMIN) | R(FINANCE)},
	{"backup", R(ADMIN)},
	{"bill.adjust", R(ADMIN) | R(FINANCE)},
	/* The desk takes deposits; giving one back or keeping it is finance's. */
	{"bill.contact", R(ADMIN) | R(FINANCE) | R(FRONTDESK)},
	{"bill.contract", R(ADMIN) | R(FINANCE)},
	{"bill.deposit", R(ADMIN) | R(FINANCE) | R(FRONTDESK)},
	{"bill.deposit.release", R(ADMIN) | R(FINANCE)},
	{"bill.dunning", R(ADMIN) | R(FINANCE)},
	{"bill.export", R(ADMIN) | R(FINANCE)},
	{"bill.issue", R(ADMIN) | R(FINANCE)},
	{"bill.pay", R(ADMIN) | R(FINANCE) | R(FRONTDESK)},
	/* Reward points off a bill's parking lines: the desk's, and an
	 * owner's own (pm_bill_may_spend_points). */
	{"bill.points", R(ADMIN) | R(FINANCE) | R(FRONTDESK) | R(OWNER)},
	{"bill.read", R(ADMIN) | R(FINANCE) | R(FRONTDESK) | R(OWNER)},
	{"bill.receipt", R(ADMIN) | R(FINANCE) | R(FRONTDESK)},
	{"bill.receipt.void", R(ADMIN) | R(FINANCE)},
	{"bill.reconcile", R(ADMIN) | R(FINANCE)},
	{"bill.refund", R(ADMIN) | R(FINANCE)},
	{"bill.rewards", R(ADMIN) | R(FINANCE)},
	{"bill.run", R(ADMIN) | R(FINANCE)},
	{"bill.void", R(ADMIN) | R(FINANCE)},
	{"check", R(ADMIN) | R(FINANCE)},
	{"config.apply", R(ADMIN)},
	{"config.read", STAFF | VIEW},
	{"faq.write", R(ADMIN) | R(FRONTDESK)},
	/* Owners' votes and surveys (lib/vote.c, lib/survey.c): owners vote
	 * and answer for their own units only; staff enter signed paper
	 * ballots; results are the community's to read. */
	{"govern.enter", R(ADMIN) | R(FRONTDESK)},
	{"govern.manage", R(ADMIN) | R(FRONTDESK)},
	{"govern.read", ALL | VIEW},
	{"govern.vote", R(ADMIN) | R(FRONTDESK) | R(OWNER)},
	/* The change feed carries the community's rows to its group's head
	 * office: whoever may take a backup may send it. */
	{"export", R(ADMIN)},
	/* Gates: guards open them and read what happened; owners ask for and
	 * approve visitors of their own units only (lib/visitor.c). Verifying
	 * a pass reads no personal data, so a gate controller's account that
	 * pm does not know (a viewer) may do it; only who may count a use
	 * (gate.use) has it recorded. */
	{"gate.ingest", R(ADMIN) | R(FRONTDESK) | R(GUARD)},
	{"gate.keygen", R(ADMIN)},
	{"gate.open", R(ADMIN) | R(FRONTDESK) | R(GUARD)},
	{"gate.read", R(ADMIN) | R(FRONTDESK) | R(GUARD)},
	{"gate.use", R(ADMIN) | R(FRONTDESK) | R(GUARD)},
	{"gate.verify", R(ADMIN) | R(FRONTDESK) | R(GUARD) | VIEW},
	{"gate.write", R(ADMIN) | R(FRONTDESK)},
	{"meter.ingest", R(ADMIN) | R(TECHNICIAN)},
	{"meter.read", STAFF | VIEW},
	{"meter.write", R(ADMIN) | R(TECHNICIAN)},
	{"parking.pay", R(ADMIN) | R(FINANCE) | R(FRONTDESK) | R(GUARD)},
	{"parking.read", R(ADMIN) | R(FINANCE) | R(FRONTDESK) | R(GUARD) | R(OWNER)},
	{"parking.reserve", R(ADMIN) | R(FRONTDESK) | R(OWNER)},
	{"parking.write", R(ADMIN) | R(FRONTDESK)},
	{"patrol.checkin", R(ADMIN) | R(FRONTDESK) | R(TECHNICIAN) | R(GUARD)},
	{"patrol.read", R(ADMIN) | R(FRONTDESK) | R(GUARD)},
	/* Online payment: owners order and read for their own units only. A
	 * notification's authority is the channel's verified signature, not
	 * its caller's: the web front end's service account records it for
	 * no one, the one thing it does in its own name. */
	{"pay.close", R(ADMIN) | R(FINANCE) | R(FRONTDESK)},
	{"pay.notify", R(ADMIN) | R(FINANCE) | R(SERVICE)},
	{"pay.order", R(ADMIN) | R(FINANCE) | R(FRONTDESK) | R(OWNER)},
	{"pay.read", R(ADMIN) | R(FINANCE) | R(FRONTDESK) | R(OWNER)},
	{"pay.sync", R(ADMIN) | R(FINANCE)},
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
	/* Renovations: owners apply for and see their own units' only. */
	{"renovation.apply", R(ADMIN) | R(FRONTDESK) | R(OWNER)},
	{"renovation.manage", R(ADMIN) | R(FRONTDESK)},
	{"renovation.read", ALL},
	{"repair.cron", R(ADMIN)},
	/* Reports: money reports for finance and the front desk (owners:
	 * their own units only, pm_report_*), the others for all staff and
	 * viewers; names and phones in them as pm_pii_view shows them. */
	{"report.finance", R(ADMIN) | R(FINANCE) | R(FRONTDESK) | R(OWNER)},
	{"report.read", STAFF | VIEW},
	{"restore", R(ADMIN)},
	{"stock.issue", R(ADMIN) | R(FRONTDESK) | R(TECHNICIAN)},
	{"stock.read", STAFF},
	{"stock.write", R(ADMIN) | R(FRONTDESK)},
	/* Group buying and services: finance signs merchants up, adds
	 * services, settles and closes; the desk opens offers, takes orders
	 * and bookings (and owners' cancellations and ratings), hands orders
	 * out and records the merchant's word on a booking; owners order on
	 * the web for the units they live in (pm_shop_may). */
	{"shop.book", R(ADMIN) | R(FINANCE) | R(FRONTDESK)},
	{"shop.buy", R(OWNER)},
	{"shop.close", R(ADMIN) | R(FINANCE)},
	{"shop.confirm", R(ADMIN) | R(FRONTDESK)},
	{"shop.merchant", R(ADMIN) | R(FINANCE)},
	{"shop.offer", R(ADMIN) | R(FINANCE) | R(FRONTDESK)},
	{"shop.order", R(ADMIN) | R(FINANCE) | R(FRONTDESK)},
	{"shop.pickup", R(ADMIN) | R(FRONTDESK)},
	{"shop.read", R(ADMIN) | R(FINANCE) | R(FRONTDESK)},
	{"shop.refund", R(ADMIN) | R(FINANCE)},
	{"shop.service", R(ADMIN) | R(FINANCE)},
	{"shop.settle", R(ADMIN) | R(FINANCE)},
	/* Tickets: owners only on their own (pm_ticket_*), technicians
	 * work only what is assigned to them. */
	{"ticket.comment", ALL},
	{"ticket.dispatch", R(ADMIN) | R(FRONTDESK)},
	{"ticket.rate", R(ADMIN) | R(FRONTDESK) | R(OWNER)},
	{"ticket.read", ALL},
	{"ticket.reopen", R(ADMIN) | R(FRONTDESK) | R(OWNER)},
	{"ticket.submit", ALL},
	{"ticket.work", R(ADMIN) | R(FRONTDESK) | R(TECHNICIAN)},
	{"unit.read", ALL | VIEW},
	/* A transfer may refund money, but only as billing.transfer (the
	 * admin's config) says: the desk carries out the company's rule. */
	{"unit.transfer", R(ADMIN) | R(FINANCE) | R(FRONTDESK)},
	{"unit.write", R(ADMIN) | R(FRONTDESK)},
	{"user.admin", R(ADMIN)},
	{"user.passwd.self", ALL},
	{"visitor.approve", R(ADMIN) | R(FRONTDESK) | R(OWNER)},
	{"visitor.read", R(ADMIN) | R(FRONTDESK) | R(GUARD) | R(OWNER)},
	{"visitor.request", R(ADMIN) | R(FRONTDESK) | R(OWNER)},
};

int pm_role_parse(const char *s, enum pm_role *r, struct pm_err *e)
{
	for (int i = 0; i < PM_ROLE_COUNT; i++)
		if (strcmp(s, role_names[i]) == 0) {
			*r = (enum pm_role)i;
			return PM_OK;
		}
	return pm_err_set(e, PM_EDATA,
		_("unknown role '%s': expected admin, finance, frontdesk, technician, guard, owner, viewer or service"), s);
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

#define USER_COLS "SELECT u.login, u.id, u.role, u.disabled, coalesce(u.person_id, 0), u.pwhash FROM user u"

/* The user of the cached statement st: PM_OK, or PM_ENOPERM when there is
 * none (said as "no user 'who'", unless quiet: then e is left as it was
 * and a->login empty) or it is disabled. */
static int load_user(struct pm_db *db, sqlite3_stmt *st, const char *who, struct pm_actor *a,
		     char *hash, size_t hashlen, int quiet, struct pm_err *e)
{
	int rc, disabled;

	sqlite3_bind_text(st, 1, who, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return pm_db_fail(db, e, _("cannot read users"));
		return quiet ? PM_ENOPERM : pm_err_set(e, PM_ENOPERM, _("no user '%s'"), who);
	}
	memset(a, 0, sizeof *a);
	snprintf(a->login, sizeof a->login, "%s", (const char *)sqlite3_column_text(st, 0));
	a->user_id = sqlite3_column_int64(st, 1);
	pm_role_parse((const char *)sqlite3_column_text(st, 2), &a->role, NULL);
	disabled = sqlite3_column_int(st, 3);
	a->person_id = sqlite3_column_int64(st, 4);
	if (hash)
		snprintf(hash, hashlen, "%s",
			 sqlite3_column_text(st, 5) ? (const char *)sqlite3_column_text(st, 5) : "");
	sqlite3_reset(st);
	if (disabled)
		return pm_err_set(e, PM_ENOPERM, _("user '%s' is disabled"), a->login);
	return PM_OK;
}

static int user_by_login(struct pm_db *db, const char *login, struct pm_actor *a, char *hash,
			 size_t hashlen, struct pm_err *e)
{
	static const char sql[] = USER_COLS " WHERE u.login = ?";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	return st ? load_user(db, st, login, a, hash, hashlen, 0, e) : e->code;
}

/* Who runs the program: the pm user mapped to the Unix account; else,
 * unmapped, admin when the account owns the store's file (which only
 * root can give away, unlike anything written inside the store) or is
 * root, who may change any file anyway; else a viewer. */
static int caller(struct pm_db *db, struct pm_actor *a, struct pm_err *e)
{
	static const char sql[] = USER_COLS " WHERE u.unix = ?";
	uid_t uid = getuid();
	struct passwd *pw = getpwuid(uid);
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char name[64];
	int rc;

	if (!st)
		return e->code;
	if (pw)
		snprintf(name, sizeof name, "%s", pw->pw_name);
	else
		snprintf(name, sizeof name, "uid%lu", (unsigned long)uid);
	memset(a, 0, sizeof *a);
	/* Unmapped is no failure, so the lookup says nothing of it: no "no
	 * user" to reach stderr when the command later exits non-zero
	 * without an error of its own (pm-gate verify's deny), and no
	 * message catalogue loaded for it. */
	rc = load_user(db, st, name, a, NULL, 0, 1, e);
	if (rc != PM_ENOPERM || a->login[0])
		return rc;
	pm_err_clear(e);
	memset(a, 0, sizeof *a);
	snprintf(a->login, sizeof a->login, "%s", name);
	a->role = uid == 0 || uid == pm_db_owner(db) ? PM_ROLE_ADMIN : PM_ROLE_VIEWER;
	return PM_OK;
}

int pm_auth_act_for(struct pm_db *db, const struct pm_actor *c, const char *as,
		    struct pm_actor *a, struct pm_err *e)
{
	if (!as || !*as || strcmp(as, c->login) == 0) {
		*a = *c;
	} else if (c->role != PM_ROLE_ADMIN && c->role != PM_ROLE_SERVICE) {
		return pm_err_set(e, PM_ENOPERM,
			_("user '%s' (%s) may not act as '%s': only an admin or a service account may use --as or PM_USER"),
			c->login, pm_role_name(c->role), as);
	} else if (user_by_login(db, as, a, NULL, 0, e)) {
		return e->code;
	}
	snprintf(a->by, sizeof a->by, "%s", c->login);
	return PM_OK;
}

int pm_auth_actor(struct pm_db *db, const char *as, struct pm_actor *a, struct pm_err *e)
{
	struct pm_actor c;

	if (caller(db, &c, e))
		return e->code;
	return pm_auth_act_for(db, &c, as, a, e);
}

/* What the password of a login that cannot sign in (none such, disabled,
 * no password) is checked against, so that its refusal takes as long as
 * a wrong password's: argon2id at libsodium's interactive limits, as
 * hash_password makes them. Refused at once, an unknown login answered
 * in 10 ms and a known one in 250: the time told which logins exist. */
static const char no_user_hash[crypto_pwhash_STRBYTES] =
	"$argon2id$v=19$m=65536,t=2,p=1$QSj60sH6dDCZV9X+tUsMhw$IWBnZrwJNAzIydEixDCG/JvbR6qF125HTYa7O3pr7g8";

int pm_auth_login(struct pm_db *db, const char *login, const char *password,
		  struct pm_actor *a, struct pm_err *e)
{
	char hash[crypto_pwhash_STRBYTES];
	struct pm_err why = {0};
	int rc, match;

	if (sodium_init() < 0)
		return pm_err_set(e, PM_ESOFTWARE, _("cannot initialise libsodium"));
	/* A store that cannot be read is no wrong password: say what it is. */
	if ((rc = user_by_login(db, login, a, hash, sizeof hash, &why)) != PM_OK && rc != PM_ENOPERM) {
		memset(a, 0, sizeof *a);
		*e = why;
		return rc;
	}
	match = crypto_pwhash_str_verify(rc == PM_OK && *hash ? hash : no_user_hash, password,
					 strlen(password)) == 0;
	if (rc != PM_OK || !*hash || !match) {
		memset(a, 0, sizeof *a);
		return pm_err_set(e, PM_ENOPERM, _("wrong login or password"));
	}
	return PM_OK;
}

int pm_password_ok(const char *password, struct pm_err *e)
{
	if (strlen(password) < 8)
		return pm_err_set(e, PM_EDATA, _("password too short: use at least 8 characters"));
	return PM_OK;
}

static int hash_password(const char *password, char out[crypto_pwhash_STRBYTES], struct pm_err *e)
{
	if (sodium_init() < 0)
		return pm_err_set(e, PM_ESOFTWARE, _("cannot initialise libsodium"));
	if (pm_password_ok(password, e))
		return e->code;
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

/* Logs the change, dropping before and after, and commits. */
static int audited(struct pm_db *db, const char *action, const char *login, json_t *before,
		   json_t *after, struct pm_err *e)
{
	char object[96];
	int rc;

	snprintf(object, sizeof object, "user:%s", login);
	rc = pm_audit_log(db, action, object, before, after, e);
	json_decref(before);
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

/* A Unix account for --unix: it must exist (its name is what the caller
 * is looked up by) and be no other user's. */
static int unix_free(struct pm_db *db, const char *login, const char *name, struct pm_err *e)
{
	static const char sql[] = "SELECT login FROM user WHERE unix = ?1 AND login <> ?2";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!getpwnam(name))
		return pm_err_set(e, PM_EDATA, _("no Unix account '%s'"), name);
	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, login, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		pm_err_set(e, PM_EDATA, _("Unix account '%s' is user '%s' already"), name,
			   (const char *)sqlite3_column_text(st, 0));
	else if (rc != SQLITE_DONE)
		pm_db_fail(db, e, _("cannot read users"));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : e->code;
}

/* The addresses given, each its kind ("" removes one). */
static int check_addr(const struct pm_user_addr *at, struct pm_err *e)
{
	if (!at)
		return PM_OK;
	if (at->phone && *at->phone && !pm_address_is_phone(at->phone))
		return pm_err_set(e, PM_EDATA, _("--phone: '%s' is not a phone number (5 to 20 digits, + before them, spaces or dashes between)"),
				  at->phone);
	if (at->email && *at->email && !pm_address_is_email(at->email))
		return pm_err_set(e, PM_EDATA, _("--email: '%s' is not an e-mail address"), at->email);
	if (at->wecom && (strlen(at->wecom) > 64 || strpbrk(at->wecom, " \t\r\n\"<>,;")))
		return pm_err_set(e, PM_EDATA, _("--wecom: '%s' is not a WeCom user id (at most 64 characters, no spaces)"),
				  at->wecom);
	return PM_OK;
}

/* The addresses set, into a record for the audit. */
static json_t *with_addr(json_t *o, const char *phone, const char *email, const char *wecom)
{
	if (phone)
		json_object_set_new(o, "phone", json_string(phone));
	if (email)
		json_object_set_new(o, "email", json_string(email));
	if (wecom)
		json_object_set_new(o, "wecom", json_string(wecom));
	return o;
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

int pm_user_add(struct pm_db *db, const char *login, enum pm_role role, const char *person,
		const char *unix_name, const char *password, struct pm_err *e)
{
	return pm_user_add_at(db, login, role, person, unix_name, password, NULL, e);
}

int pm_user_add_at(struct pm_db *db, const char *login, enum pm_role role, const char *person,
		   const char *unix_name, const char *password, const struct pm_user_addr *at,
		   struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO user (login, role, person_id, unix, pwhash, phone, email, wecom, created_at, updated_at)"
		" VALUES (?1, ?2, (SELECT id FROM person WHERE code = ?3), ?4, ?5, ?7, ?8, ?9, ?6, ?6)";
	static const struct pm_user_addr none = {NULL, NULL, NULL};
	char hash[crypto_pwhash_STRBYTES];
	sqlite3_stmt *st;

	if (!at)
		at = &none;
	if (!*login || strlen(login) >= sizeof ((struct pm_actor *)0)->login || strchr(login, ':'))
		return pm_err_set(e, PM_EDATA, _("bad login '%s': 1 to 63 bytes, no ':'"), login);
	/* A login is how the audit names who did what: none may look like another. */
	if (pm_code_valid("login", login, sizeof ((struct pm_actor *)0)->login - 1, e))
		return e->code;
	if (role == PM_ROLE_OWNER && !person)
		return pm_err_set(e, PM_EDATA, _("an owner user needs --person"));
	if (check_addr(at, e) || (password && hash_password(password, hash, e)))
		return e->code;
	if (pm_db_begin(db, e))
		return e->code;
	if ((unix_name && unix_free(db, login, unix_name, e)) || !(st = pm_db_stmt(db, sql, e)))
		goto fail;
	sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, pm_role_name(role), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, person, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, unix_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, password ? hash : NULL, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, pm_now());
	sqlite3_bind_text(st, 7, nonempty(at->phone), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, nonempty(at->email), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, nonempty(at->wecom), -1, SQLITE_STATIC);
	if (step_done(db, st, _("cannot add user"), e)) {
		if (e->code == PM_EDATA)
			pm_err_set(e, PM_EDATA, _("cannot add user '%s': the login exists"), login);
		goto fail;
	}
	if (person && !person_linked(db, login)) {
		pm_err_set(e, PM_EDATA, _("no person '%s'"), person);
		goto fail;
	}
	return audited(db, "user.add", login, NULL,
		       with_addr(json_pack("{s:s, s:s?, s:s?}", "role", pm_role_name(role), "person", person,
					   "unix", unix_name),
				 nonempty(at->phone), nonempty(at->email), nonempty(at->wecom)), e);
fail:
	pm_db_rollback(db);
	return e->code;
}

static const char user_fields_sql[] =
	"SELECT u.role, p.code, u.unix, u.phone, u.email, u.wecom FROM user u"
	" LEFT JOIN person p ON p.id = u.person_id WHERE u.login = ?";

/* The user's role, person and Unix account as a record, for the audit. */
static int user_fields(struct pm_db *db, const char *login, json_t **out, struct pm_err *e)
{
	sqlite3_stmt *st;
	int rc = pm_db_row(db, user_fields_sql, login, &st, N_("cannot read users"), e);

	*out = NULL;
	if (rc < 0)
		return -rc;
	if (rc == 0)
		return pm_err_set(e, PM_EDATA, _("no user '%s'"), login);
	*out = with_addr(json_pack("{s:s, s:s?, s:s?}", "role", (const char *)sqlite3_column_text(st, 0),
				   "person", (const char *)sqlite3_column_text(st, 1),
				   "unix", (const char *)sqlite3_column_text(st, 2)),
			 (const char *)sqlite3_column_text(st, 3), (const char *)sqlite3_column_text(st, 4),
			 (const char *)sqlite3_column_text(st, 5));
	sqlite3_reset(st);
	return PM_OK;
}

int pm_user_may_passwd(const struct pm_actor *a, const char *login, struct pm_err *e)
{
	return pm_auth_check(a, strcmp(login, a->login) == 0 ? "user.passwd.self" : "user.admin", e);
}

int pm_user_change_empty(const struct pm_user_change *c)
{
	return c->role == PM_ROLE_COUNT && !c->person && !c->unix_name && !c->at.phone && !c->at.email &&
	       !c->at.wecom;
}

int pm_user_set(struct pm_db *db, const char *login, const struct pm_user_change *c, struct pm_err *e)
{
	static const char sql[] =
		"UPDATE user SET role = coalesce(?2, role),"
		" person_id = CASE WHEN ?3 IS NULL THEN person_id WHEN ?3 = '' THEN NULL"
		" ELSE (SELECT id FROM person WHERE code = ?3) END,"
		" unix = CASE WHEN ?4 IS NULL THEN unix ELSE nullif(?4, '') END, updated_at = ?5,"
		" phone = CASE WHEN ?6 IS NULL THEN phone ELSE nullif(?6, '') END,"
		" email = CASE WHEN ?7 IS NULL THEN email ELSE nullif(?7, '') END,"
		" wecom = CASE WHEN ?8 IS NULL THEN wecom ELSE nullif(?8, '') END"
		" WHERE login = ?1";
	json_t *before = NULL, *after = NULL;
	const char *role;
	sqlite3_stmt *st;

	if (check_addr(&c->at, e) || pm_db_begin(db, e))
		return e->code;
	if (user_fields(db, login, &before, e) ||
	    (c->unix_name && *c->unix_name && unix_free(db, login, c->unix_name, e)) ||
	    !(st = pm_db_stmt(db, sql, e)))
		goto fail;
	sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->role < PM_ROLE_COUNT ? pm_role_name(c->role) : NULL, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->person, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c->unix_name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, pm_now());
	sqlite3_bind_text(st, 6, c->at.phone, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, c->at.email, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, c->at.wecom, -1, SQLITE_STATIC);
	if (step_done(db, st, _("cannot change user"), e) || user_fields(db, login, &after, e))
		goto fail;
	role = json_string_value(json_object_get(after, "role"));
	if (c->person && *c->person && !json_is_string(json_object_get(after, "person"))) {
		pm_err_set(e, PM_EDATA, _("no person '%s'"), c->person);
		goto fail;
	}
	if (strcmp(role, "owner") == 0 && !json_is_string(json_object_get(after, "person"))) {
		pm_err_set(e, PM_EDATA, _("an owner user needs --person"));
		goto fail;
	}
	return audited(db, "user.set", login, before, after, e);
fail:
	json_decref(before);
	json_decref(after);
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
	return audited(db, action, login, NULL, NULL, e);
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
		"SELECT u.login, u.role, p.code, u.disabled, u.unix, u.phone, u.email, u.wecom FROM user u"
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
			(const char *)sqlite3_column_text(st, 4), (const char *)sqlite3_column_text(st, 5),
			(const char *)sqlite3_column_text(st, 6), (const char *)sqlite3_column_text(st, 7),
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

/* ---- personal data ---- */

enum pm_pii pm_pii_view(const struct pm_actor *a)
{
	switch (a->role) {
	case PM_ROLE_ADMIN:
	case PM_ROLE_FRONTDESK:
		return PM_PII_FULL;
	case PM_ROLE_VIEWER:
	case PM_ROLE_SERVICE:
	case PM_ROLE_COUNT:
		return PM_PII_NONE;
	default:
		return PM_PII_MASKED;
	}
}

/* One phone number field as the view allows: masked, or gone. */
static void phone_field(json_t *rec, const char *key, enum pm_pii view)
{
	const char *phone = json_string_value(json_object_get(rec, key));
	char masked[64];

	if (!phone)
		return;
	if (view == PM_PII_NONE) {
		json_object_del(rec, key);
		return;
	}
	pm_phone_mask(phone, masked, sizeof masked);
	json_object_set_new(rec, key, json_string(masked));
}

static void redact(json_t *v, enum pm_pii view)
{
	const char *key;
	json_t *item;
	size_t i;

	if (json_is_array(v)) {
		json_array_foreach(v, i, item)
			redact(item, view);
		return;
	}
	if (!json_is_object(v))
		return;
	phone_field(v, "phone", view);
	/* An SMS in the outbox is addressed to a phone number. */
	if (json_is_string(json_object_get(v, "channel")) &&
	    strcmp(json_string_value(json_object_get(v, "channel")), "sms") == 0)
		phone_field(v, "address", view);
	if (view == PM_PII_NONE)
		json_object_del(v, "occupants");
	json_object_foreach(v, key, item)
		if (json_is_object(item) || json_is_array(item))
			redact(item, view);
}

void pm_pii_redact(const struct pm_actor *a, json_t *rec)
{
	enum pm_pii view = pm_pii_view(a);

	if (view != PM_PII_FULL)
		redact(rec, view);
}

int pm_auth_restore(const char *path, const char *as, struct pm_err *e)
{
	struct pm_db *db = NULL;
	struct pm_err why = {0};
	struct pm_actor a;
	struct stat st;
	uid_t uid = getuid();
	int rc, opened;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? PM_OK
				       : pm_err_set(e, PM_ENOPERM, _("cannot open '%s': %s"), path, strerror(errno));
	opened = (rc = pm_db_open(path, PM_DB_READONLY, &db, &why)) == PM_OK;
	if (rc == PM_OK && (rc = pm_auth_actor(db, as, &a, &why)) == PM_OK)
		rc = pm_auth_check(&a, "restore", &why);
	pm_db_close(db);
	if (rc == PM_OK)
		return PM_OK;
	if (opened && rc == PM_ENOPERM)
		return pm_err_set(e, rc, "%s", why.msg);
	/* A store that cannot be read cannot say who its admins are: the
	 * account that owns its file (the one that ran pm init) still can. */
	if (uid == 0 || uid == st.st_uid)
		return PM_OK;
	return pm_err_set(e, PM_ENOPERM, _("cannot open '%s' (%s): only its owner or root may restore it"), path,
			  why.msg);
}
