/* Renovation permits (装修管理): an owner or the desk applies for a unit,
 * the desk approves (taking the renovation deposit the configuration
 * sets for the unit's use, through pm/deposit.h) or rejects, work starts,
 * technicians inspect it (each inspection a ticket of kind inspection
 * assigned to them), violations are recorded and may forfeit part of the
 * deposit, and completion after the required inspections passed gives
 * the rest of the deposit back. Each step is a transition of one state
 * machine; a step the state does not allow is refused naming the state
 * and the steps it allows. Days are days since 1970-01-01 in the
 * community's zone; money is int64_t fen. */
#ifndef PM_RENOVATION_H
#define PM_RENOVATION_H

#include <stdint.h>

#include <jansson.h>

#include "pm/auth.h"
#include "pm/err.h"

struct pm_db;

enum pm_renovation_action {
	PM_RENOVATION_APPROVE,
	PM_RENOVATION_REJECT,
	PM_RENOVATION_START,
	PM_RENOVATION_INSPECT,
	PM_RENOVATION_EXTEND,
	PM_RENOVATION_VIOLATION,
	PM_RENOVATION_COMPLETE,
	PM_RENOVATION_ACTION_COUNT
};
extern const char *const pm_renovation_violations[]; /* "noise", "hours", "structure", "debris", NULL */

struct pm_renovation_new {
	const char *unit, *contractor, *scope;
	int32_t from, to; /* first and last day of work */
};

/* Records an application, in a transaction of its own, audited; *id is
 * the renovation. Owners apply for units where they live. */
int pm_renovation_apply(struct pm_db *db, const struct pm_actor *a, const struct pm_renovation_new *r,
			int64_t *id, struct pm_err *e);

/* What a step takes; NULL and 0 are absent. */
struct pm_renovation_step {
	const char *note;     /* reject: the reason; inspect, violation: what was seen */
	const char *channel;  /* approve: where the deposit comes in; complete: where it goes back */
	const char *to;       /* inspect: the technician who is to inspect */
	const char *result;   /* inspect: "pass" or "fail", by that technician */
	const char *kind;     /* violation: one of pm_renovation_violations */
	int64_t forfeit_fen;  /* violation: kept from the deposit */
	int32_t until;        /* extend: the new last day */
};

/* One step, in a transaction of its own, audited. PM_EFAIL naming the
 * state and the allowed steps when the state does not allow it. inspect
 * with to makes the inspection ticket; with result it records the
 * result on the open one (resolving its ticket) and must come from the
 * technician it is assigned to. */
int pm_renovation_do(struct pm_db *db, const struct pm_actor *a, int64_t id, enum pm_renovation_action act,
		     const struct pm_renovation_step *s, struct pm_err *e);

/* {"type":"renovation","renovation","unit","status","from","to",
 * "contractor","scope","deposit_fen","forfeit_fen","refund_fen",
 * "inspections_required","inspections_passed","applicant","updated_at"}
 * if the actor may see it (owners: their units'). "applicant" (申请人) is
 * the login that applied, not "applied_by", a configuration's 应用人. */
int pm_renovation_get(struct pm_db *db, const struct pm_actor *a, int64_t id, json_t **rec, struct pm_err *e);
/* Its timeline, oldest first, as {"type":"renovation_event",...}. */
int pm_renovation_timeline(struct pm_db *db, const struct pm_actor *a, int64_t id,
			   int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e);

struct pm_renovation_filter {
	const char *building, *unit; /* NULL: any */
	int active;                  /* only approved and started ones */
};
int pm_renovation_each(struct pm_db *db, const struct pm_actor *a, const struct pm_renovation_filter *f,
		       int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e);

/* The guards' view: units whose workers may enter on day, as pm-gate's
 * allow records ({"type":"allow","gate":null (every gate),"credential":
 * null,"kind":"renovation","value":"R<id>","person":null,"unit","from",
 * "until"} with the day's start and end, plus "renovation" and
 * "contractor"): approved or started renovations whose days hold day. */
int pm_renovation_gate_each(struct pm_db *db, const struct pm_actor *a, int32_t day,
			    int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e);

#endif
