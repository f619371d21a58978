/* What the gate modules (gate, gateevent, visitor, parking, gatedrv)
 * share: private to libpm. */
#ifndef PM_GATE_INTERNAL_H
#define PM_GATE_INTERNAL_H

#include <stdint.h>

#include <jansson.h>

#include "pm/auth.h"
#include "pm/config.h"
#include "pm/err.h"
#include "pm/gate.h"

struct pm_db;

struct pm_gate_config {
	struct pm_config *cfg;
	json_t *gates;      /* the gates section; an empty object when none */
	json_t *alarms, *visitors, *parking; /* sections, defaults filled in */
	json_t *own;        /* the defaults when the configuration has none */
	const char *tz;
};

/* The permission, and for an owner also that unit is theirs (the unit's
 * visibility rule of lib/community.c). unit may be NULL for staff only. */
int gate_may(struct pm_db *db, const struct pm_actor *a, const char *action, const char *unit,
	     struct pm_err *e);

/* An RFC 3339 time in the community's zone, as a JSON string; null for 0. */
json_t *gate_time(int64_t t, const char *tz);
/* PM_EDATA naming the gates there are unless gate is one of the
 * configuration in force. */
int gate_known(struct pm_db *db, const char *gate, struct pm_err *e);

/* Audits action on object with after (consumed; may be NULL), and on
 * "KIND:ID". */
int gate_audit_object(struct pm_db *db, const char *action, const char *object, json_t *after,
		      struct pm_err *e);
int gate_audit(struct pm_db *db, const char *action, const char *kind, int64_t id, json_t *after,
	       struct pm_err *e);

/* Pending visitor requests past their time become expired: *n of them. */
int visitor_lapse(struct pm_db *db, int64_t now, long *n, struct pm_err *e);

/* A plate's entry or exit at gate: opens or closes its parking session. */
int parking_plate_event(struct pm_db *db, struct pm_gate_config *gc, const char *gate,
			const char *event, const char *plate, int64_t ts, struct pm_err *e);

/* Plates are kept in capitals without spaces: "京a 12345" is 京A12345.
 * out holds strlen(in) + 1 bytes; PM_EDATA for an empty plate. */
int gate_plate_norm(const char *in, char *out, size_t n, struct pm_err *e);

#endif
