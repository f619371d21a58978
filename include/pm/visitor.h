/* Visitors (访客审批): a request for a unit, approved or denied by the
 * unit's owner or the front desk, and on approval a signed pass (see
 * pm/pass.h) that gates verify, offline if need be. */
#ifndef PM_VISITOR_H
#define PM_VISITOR_H

#include <stdint.h>

#include <jansson.h>

#include "pm/auth.h"
#include "pm/err.h"
#include "pm/pass.h"

struct pm_db;

struct pm_visitor_new {
	const char *unit, *name, *phone, *plate, *purpose;
	const char *gates;     /* "north,garage"; NULL: the configuration's */
	int64_t from, until;   /* the visit, [from, until) */
	int64_t uses;          /* -1: the configuration's; 0: any number */
};

/* A pending request, audited. Owners ask only for their own units. A
 * request still pending after visitors.pending (or once its visit is
 * over) expires. */
int pm_visitor_request(struct pm_db *db, const struct pm_actor *a, const struct pm_visitor_new *v,
		       int64_t *id, struct pm_err *e);
/* Approves a pending request and signs its pass (the key is made on the
 * first approval); or denies it with a reason. */
int pm_visitor_approve(struct pm_db *db, const struct pm_actor *a, int64_t id, struct pm_err *e);
int pm_visitor_deny(struct pm_db *db, const struct pm_actor *a, int64_t id, const char *reason,
		    struct pm_err *e);
/* Expires the requests still pending past their time; *n of them. */
int pm_visitor_expire(struct pm_db *db, const struct pm_actor *a, long *n, struct pm_err *e);
/* Revokes an approved pass: gates deny it from then on (offline copies
 * of the store once they are refreshed). A pass revoked already stays as
 * it is, its first reason kept, with *unchanged set and no audit record;
 * a request with no pass (pending, denied, expired) is PM_EDATA. */
int pm_pass_revoke(struct pm_db *db, const struct pm_actor *a, int64_t id, const char *reason,
		   int *unchanged, struct pm_err *e);

/* {"type":"visitor","id","unit","name","phone","plate","purpose","from",
 * "until","gates","uses","used","status","requested_by","decided_by",
 * "reason","token","link"}; with history, a "history" array of the
 * pass's uses ({"ts","gate","result","by"}). */
int pm_visitor_get(struct pm_db *db, const struct pm_actor *a, int64_t id, int history,
		   json_t **out, struct pm_err *e);
int pm_visitor_each(struct pm_db *db, const struct pm_actor *a, const char *unit,
		    const char *status, int (*fn)(void *ctx, json_t *rec), void *ctx,
		    struct pm_err *e);

/* ---- verifying ---- */

struct pm_verify {
	enum pm_pass_verdict verdict;
	struct pm_pass pass;   /* when opened (verdict not malformed or bad_signature) */
	int known;             /* the store has the pass */
	int recorded;          /* the use was written: not on a read-only store */
	int64_t at;            /* the time it was checked as at */
};

/* Checks token at gate (one of the configuration, else PM_EDATA) now,
 * or as at time at when at is not 0: the signature first, then the store
 * (revoked, used up), the window, the gate. Checked now, an allowed use
 * is counted and every use of a known pass recorded, at the business
 * clock with the real clock beside it, unless the store is read-only (a
 * copy on a gate's computer), where the token and what the copy knows
 * decide. A check as at another time records and counts nothing: no one
 * lets a pass in at a time of their choosing. PM_OK whatever the verdict;
 * an error only when the store could not be read. */
int pm_pass_verify(struct pm_db *db, const struct pm_actor *a, const char *token,
		   const char *gate, int64_t at, struct pm_verify *v, struct pm_err *e);
/* The verdict as a record {"type":"verify","result":"allow"|"deny",
 * "reason","pass","unit","gate","at","recorded"}. */
json_t *pm_verify_json(const struct pm_verify *v, const char *gate, const char *tz);

/* ---- keys ---- */

/* Makes the pass-signing key file beside the store and records its
 * public half in the store: refused when there is one, unless rotate.
 * Never prints or returns the secret key. */
int pm_pass_keygen_store(struct pm_db *db, const struct pm_actor *a, int rotate,
			 struct pm_err *e);
/* The public keys a controller verifies with, newest first:
 * {"type":"pass_key","kid","public_key","created_at"}, keys in hex. */
int pm_pass_key_each(struct pm_db *db, int (*fn)(void *ctx, json_t *rec), void *ctx,
		     struct pm_err *e);

#endif
