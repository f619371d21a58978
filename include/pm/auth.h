/* Users, roles and the one permission table that every program and the web
 * front end consult. */
#ifndef PM_AUTH_H
#define PM_AUTH_H

#include <stdint.h>

#include "pm/err.h"

struct pm_db;

enum pm_role {
	PM_ROLE_ADMIN,
	PM_ROLE_FINANCE,
	PM_ROLE_FRONTDESK,
	PM_ROLE_TECHNICIAN,
	PM_ROLE_GUARD,
	PM_ROLE_OWNER,
	PM_ROLE_COUNT
};

/* Who is acting. An owner acts only on the units of person_id. */
struct pm_actor {
	char login[64];
	enum pm_role role;
	int64_t user_id;   /* 0 for the Unix user mapped to admin */
	int64_t person_id; /* 0 unless linked to a person */
};

int pm_role_parse(const char *s, enum pm_role *r, struct pm_err *e);
const char *pm_role_name(enum pm_role r);

/* Resolves the actor: login names a pm user (disabled or unknown users are
 * PM_ENOPERM); NULL means the Unix user running the program, as admin. */
int pm_auth_actor(struct pm_db *db, const char *login, struct pm_actor *a, struct pm_err *e);

/* Whether the actor's role may perform action ("unit.write", ...):
 * PM_OK or PM_ENOPERM with a message naming user, role and action. */
int pm_auth_check(const struct pm_actor *a, const char *action, struct pm_err *e);
int pm_auth_allowed(enum pm_role r, const char *action);

/* Password login for the web: PM_ENOPERM on any mismatch, said the same
 * way whether the user or the password was wrong. */
int pm_auth_login(struct pm_db *db, const char *login, const char *password,
		  struct pm_actor *a, struct pm_err *e);

/* User administration; each change is audited. person is a person code,
 * required for owners. password may be NULL (no web login). */
int pm_user_add(struct pm_db *db, const char *login, enum pm_role role, const char *person,
		const char *password, struct pm_err *e);
int pm_user_passwd(struct pm_db *db, const char *login, const char *password, struct pm_err *e);
int pm_user_disable(struct pm_db *db, const char *login, struct pm_err *e);

struct pm_user_row {
	const char *login, *role, *person;
	int disabled;
};
int pm_user_each(struct pm_db *db, int (*fn)(void *ctx, const struct pm_user_row *u), void *ctx,
		 struct pm_err *e);

#endif
