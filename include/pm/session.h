/* Web sessions and sign-in. A session is a random token (32 bytes from
 * libsodium, hex) in a cookie; the store keeps only its SHA-256, with the
 * user, a CSRF token every form of the session carries, and the times
 * that end it: idle (no request for `web.session.idle`) and absolute
 * (`web.session.lifetime` after sign-in). Sign-in is by password
 * (argon2id, pm_auth_login) or by a one-time code sent through the
 * outbox to the phone on file, both limited per account and per address
 * (`web.login`). Times here are the real clock, never PM_NOW. */
#ifndef PM_SESSION_H
#define PM_SESSION_H

#include <stdint.h>

#include <jansson.h>

#include "pm/err.h"

struct pm_db;

#define PM_SESSION_TOKEN 65   /* 64 hex digits and a NUL */

struct pm_session {
	int64_t id, created_at, seen_at;
	char login[64];
	char csrf[PM_SESSION_TOKEN];
};

/* The `web` section's limits, from the configuration in force. */
struct pm_signin_limits {
	int64_t idle, lifetime;        /* seconds */
	long failures, address_failures;
	int64_t window, code_ttl;      /* seconds */
};
int pm_signin_limits(struct pm_db *db, struct pm_signin_limits *l, struct pm_err *e);
/* The same from a `web` section read already (pm_config_today_sections). */
void pm_signin_limits_of(json_t *web, struct pm_signin_limits *l);

/* The session of token: PM_OK, or PM_ENOPERM when there is none or it has
 * ended, expired (it is ended then) or belongs to a disabled user. A
 * session seen more than a minute ago is marked seen now, so that idle
 * expiry costs one write a minute, not one a page. */
int pm_session_find(struct pm_db *db, const char *token, const struct pm_signin_limits *l,
		    struct pm_session *s, struct pm_err *e);
/* Ends the session of token (signing out): PM_OK whether or not there was
 * one. */
int pm_session_end(struct pm_db *db, const char *token, struct pm_err *e);
/* Whether given is the session's CSRF token (compared in constant time). */
int pm_session_csrf_ok(const struct pm_session *s, const char *given);

/* Signs login in with password from address: PM_ETEMPFAIL when the
 * account or the address has too many recent failures (nothing is
 * checked then), PM_ENOPERM on a wrong login or password (said the same
 * way for both) or an account that may not sign in on the web (service
 * and viewer accounts); else a new session in token and s. Every
 * attempt is recorded. */
int pm_signin_password(struct pm_db *db, const char *login, const char *password, const char *address,
		       const struct pm_signin_limits *l, char token[PM_SESSION_TOKEN],
		       struct pm_session *s, struct pm_err *e);

/* The user of session s changes their own password on the web: current
 * is checked as a sign-in checks it, counted against the same limits
 * (a phone left signed in is no way to guess it), then fresh is set and
 * every other session of the user ends (whoever knew the old password,
 * or holds a lost phone, is signed out); s stays. PM_ETEMPFAIL and
 * PM_ENOPERM as pm_signin_password; PM_EDATA for a fresh password
 * pm_password_ok refuses, before anything is tried or counted. */
int pm_session_passwd(struct pm_db *db, const struct pm_session *s, const char *current, const char *fresh,
		      const char *address, const struct pm_signin_limits *l, struct pm_err *e);

/* Sends a one-time code of six digits to login's phone through the
 * outbox (template login_code, channel sms), valid for code_ttl. PM_OK
 * whether or not there is such a user with a phone, so that the answer
 * tells nothing about who has an account; PM_ETEMPFAIL when the account
 * or address has asked or failed too often. */
int pm_signin_code_send(struct pm_db *db, const char *login, const char *address,
			const struct pm_signin_limits *l, struct pm_err *e);
/* Signs login in with the code: its latest unused, unexpired code, five
 * tries at most; the limits and the answers of pm_signin_password. */
int pm_signin_code(struct pm_db *db, const char *login, const char *code, const char *address,
		   const struct pm_signin_limits *l, char token[PM_SESSION_TOKEN], struct pm_session *s,
		   struct pm_err *e);

/* For pm-web sessions and signout: the live sessions (not ended, not
 * expired by l) of login (NULL: everyone), newest first, as
 * {"type":"session","id","login","address","created_at","seen_at"}; and
 * ending all of a user's, audited once, *n saying how many. */
int pm_session_each(struct pm_db *db, const char *login, const struct pm_signin_limits *l,
		    int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e);
int pm_session_end_user(struct pm_db *db, const char *login, long *n, struct pm_err *e);

/* A random token: 32 bytes from libsodium as 64 hex digits. */
int pm_session_token(char token[PM_SESSION_TOKEN], struct pm_err *e);

#endif
