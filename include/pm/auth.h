/* Users, roles and the one permission table that every program and the web
 * front end consult. */
#ifndef PM_AUTH_H
#define PM_AUTH_H

#include <stdint.h>

#include <jansson.h>

#include "pm/err.h"

struct pm_db;

enum pm_role {
	PM_ROLE_ADMIN,
	PM_ROLE_FINANCE,
	PM_ROLE_FRONTDESK,
	PM_ROLE_TECHNICIAN,
	PM_ROLE_GUARD,
	PM_ROLE_OWNER,
	PM_ROLE_VIEWER,    /* reads the community without personal data */
	PM_ROLE_SERVICE,   /* may do nothing but act on behalf of others */
	PM_ROLE_COUNT
};

/* Who is acting. An owner acts only on the units of person_id. */
struct pm_actor {
	char login[64];
	enum pm_role role;
	int64_t user_id;   /* 0 for an unmapped Unix account */
	int64_t person_id; /* 0 unless linked to a person */
	char by[64];       /* who ran the program: login, or the admin or
			    * service account acting on login's behalf */
};

int pm_role_parse(const char *s, enum pm_role *r, struct pm_err *e);
const char *pm_role_name(enum pm_role r);

/* Resolves the actor. The caller is the Unix account running the program
 * (its real uid): the pm user mapped to it (pm user add --unix), else an
 * admin named like the account when it owns the store's file or is root,
 * else a viewer named like the account. as (--as, PM_USER; NULL or "":
 * none) names a pm user to act for, which only an admin or a service
 * account may; anyone else is PM_ENOPERM saying why, as is an unknown or
 * disabled user. a->by is the caller's login. */
int pm_auth_actor(struct pm_db *db, const char *as, struct pm_actor *a, struct pm_err *e);

/* The second half of pm_auth_actor, for a caller resolved by it already:
 * a program that acts for several users in turn (pm-web: the service
 * account, then the signed-in user) looks its own account up once. */
int pm_auth_act_for(struct pm_db *db, const struct pm_actor *caller, const char *as,
		    struct pm_actor *a, struct pm_err *e);

/* Whether the actor's role may perform action ("unit.write", ...):
 * PM_OK or PM_ENOPERM with a message naming user, role and action. */
int pm_auth_check(const struct pm_actor *a, const char *action, struct pm_err *e);
int pm_auth_allowed(enum pm_role r, const char *action);

/* Password login for the web: PM_ENOPERM on any mismatch, said the same
 * way whether the user or the password was wrong. */
int pm_auth_login(struct pm_db *db, const char *login, const char *password,
		  struct pm_actor *a, struct pm_err *e);

/* PM_OK when password is one pm takes (8 characters or more), else
 * PM_EDATA saying so: before anything is tried with it. */
int pm_password_ok(const char *password, struct pm_err *e);

/* User administration; each change is audited. person is a person code,
 * required for owners. unix_name maps a Unix account (which must exist
 * and be no other user's) to the user, or is NULL. password may be NULL
 * (no web login). */
int pm_user_add(struct pm_db *db, const char *login, enum pm_role role, const char *person,
		const char *unix_name, const char *password, struct pm_err *e);
/* Where pm-notify tells a user, before their person's own: a phone
 * number for sms, an e-mail address, a WeCom user id (@-mentioned in the
 * group robot's message). NULL: none (adding) or keep (changing); "":
 * remove. PM_EDATA for one that is no phone number or e-mail address. */
struct pm_user_addr {
	const char *phone, *email, *wecom;
};
/* pm_user_add with addresses (at may be NULL). */
int pm_user_add_at(struct pm_db *db, const char *login, enum pm_role role, const char *person,
		   const char *unix_name, const char *password, const struct pm_user_addr *at,
		   struct pm_err *e);
/* What pm user set changes: role PM_ROLE_COUNT, person or unix_name NULL
 * keep theirs; "" removes the person or the Unix account; at as above. */
struct pm_user_change {
	enum pm_role role;
	const char *person, *unix_name;
	struct pm_user_addr at;
};
/* A change that changes nothing yet, to fill in from options. */
#define PM_USER_CHANGE_NONE {PM_ROLE_COUNT, NULL, NULL, {NULL, NULL, NULL}}
int pm_user_change_empty(const struct pm_user_change *c);
int pm_user_set(struct pm_db *db, const char *login, const struct pm_user_change *c,
		struct pm_err *e);
int pm_user_passwd(struct pm_db *db, const char *login, const char *password, struct pm_err *e);
/* Whether actor may set login's password: their own (user.passwd.self),
 * anyone's with user.admin. */
int pm_user_may_passwd(const struct pm_actor *a, const char *login, struct pm_err *e);
int pm_user_disable(struct pm_db *db, const char *login, struct pm_err *e);

/* Personal data, as each role sees it. ID numbers are never stored whole.
 * Names and whole phone numbers are for those who call people (front
 * desk, admin); finance, technicians, guards and owners see phone
 * numbers masked (138****0001); a viewer or a service account acting
 * for no one sees no person at all. */
enum pm_pii { PM_PII_NONE, PM_PII_MASKED, PM_PII_FULL };
enum pm_pii pm_pii_view(const struct pm_actor *a);
/* Applies the actor's view to a record about to be shown: every "phone"
 * field at any depth, an SMS message's "address", and for PM_PII_NONE
 * the "occupants" of a unit. Every program's output goes through this
 * (pm_cli_out), as the web front end's must. */
void pm_pii_redact(const struct pm_actor *a, json_t *rec);

struct pm_user_row {
	const char *login, *role, *person;
	int disabled;
	const char *unix_name;
	const char *phone, *email, *wecom;
};
int pm_user_each(struct pm_db *db, int (*fn)(void *ctx, const struct pm_user_row *u), void *ctx,
		 struct pm_err *e);

/* Whether the caller may replace the store at path with a backup: an
 * actor (as: --as, PM_USER) allowed "restore" when the store can be
 * opened; when it cannot (damaged, unreadable), only the Unix account
 * that owns its file, or root. Anyone may make a store where there is
 * none. PM_ENOPERM saying why not. */
int pm_auth_restore(const char *path, const char *as, struct pm_err *e);

#endif
