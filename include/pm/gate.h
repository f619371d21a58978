/* Gates: the configured gates and their drivers, access credentials
 * (cards, PINs, face ids) and the allow lists controllers are given, and
 * the events controllers and cameras report, alarms among them. Visitor
 * passes are in pm/visitor.h, parking in pm/parking.h, the drivers that
 * open doors and push allow lists in pm/gatedrv.h. */
#ifndef PM_GATE_H
#define PM_GATE_H

#include <stdint.h>

#include <jansson.h>

#include "pm/auth.h"
#include "pm/err.h"

struct pm_db;

/* The gate named in the configuration in force, as its normalized config
 * object (borrowed until pm_gate_config_free); PM_EDATA naming the gates
 * there are when there is none of that name. */
struct pm_gate_config;
int pm_gate_config_open(struct pm_db *db, struct pm_gate_config **out, struct pm_err *e);
void pm_gate_config_free(struct pm_gate_config *gc);
int pm_gate_find(struct pm_gate_config *gc, const char *name, json_t **gate, struct pm_err *e);
/* Checks a list of gates written "north,garage" against the
 * configuration: PM_EDATA naming the first unknown one, PM_EUSAGE for
 * an empty list. NULL is fine: every gate. */
int pm_gate_list_check(struct pm_gate_config *gc, const char *list, struct pm_err *e);
/* The community's time zone, as the configuration says. */
const char *pm_gate_tz(struct pm_gate_config *gc);

/* ---- credentials ---- */

struct pm_credential_new {
	const char *person, *unit;  /* codes; at least one */
	const char *kind;           /* card, pin or face */
	const char *value;          /* the card's number, the PIN, the face id */
	const char *gates;          /* "north,garage"; NULL: every gate */
	int64_t from, until;        /* 0: from now; 0: until revoked */
};

/* Grants a credential, in a transaction of its own, audited. With both a
 * person and a unit, the person must live there now and the credential
 * ends with that residence. Granting the same credential to the same
 * holder again changes nothing (*existed set); a card, PIN or face that
 * someone else holds is PM_EDATA. */
int pm_credential_grant(struct pm_db *db, const struct pm_actor *a,
			const struct pm_credential_new *c, int64_t *id, int *existed,
			struct pm_err *e);
int pm_credential_revoke(struct pm_db *db, const struct pm_actor *a, int64_t id,
			 const char *reason, struct pm_err *e);
/* {"type":"credential","id","kind","value","person","unit","gates",
 * "from","until","status",...}; a PIN is shown as "****". status is what
 * holds now: active, revoked, or expired (its time or residence over). */
int pm_credential_get(struct pm_db *db, const struct pm_actor *a, int64_t id, json_t **out,
		      struct pm_err *e);
/* Credentials of a unit or person (NULL: all), active ones unless all. */
int pm_credential_each(struct pm_db *db, const struct pm_actor *a, const char *unit,
		       const char *person, int all, int (*fn)(void *ctx, json_t *rec), void *ctx,
		       struct pm_err *e);

/* The allow list of gate at time at: one {"type":"allow","gate",
 * "credential","kind","value","person","unit","from","until"} record per
 * credential that opens it then, in credential order; until is the
 * earlier of the credential's end and its residence's. */
int pm_gate_allow_each(struct pm_db *db, const struct pm_actor *a, const char *gate, int64_t at,
		       int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e);

/* The cron job: credentials whose time or residence is over become
 * expired, visitor requests still pending past their time expire; one
 * transaction, one audit record. */
struct pm_sweep {
	long credentials, visitors;
};
int pm_gate_sweep(struct pm_db *db, const struct pm_actor *a, struct pm_sweep *n,
		  struct pm_err *e);

/* ---- what a controller was sent ---- */

enum pm_sync_op { PM_SYNC_ADD, PM_SYNC_UPDATE, PM_SYNC_REMOVE };
extern const char *const pm_sync_op_names[]; /* "add", "update", "remove" */

struct pm_sync_change {
	enum pm_sync_op op;
	int64_t credential;
	const char *kind, *value, *person, *unit;
	int64_t from, until;        /* until 0: no end */
};

/* The changes that bring what gate's controller was last sent to its
 * allow list at time at: additions, changed ends, removals. */
int pm_gate_sync_plan(struct pm_db *db, const struct pm_actor *a, const char *gate, int64_t at,
		      int (*fn)(void *ctx, const struct pm_sync_change *ch), void *ctx,
		      struct pm_err *e);
/* Notes that the controller took ch (a transaction of its own). */
int pm_gate_sync_done(struct pm_db *db, const char *gate, const struct pm_sync_change *ch,
		      struct pm_err *e);
/* One audit record for a sync run. */
int pm_gate_sync_audit(struct pm_db *db, const char *gate, const long counts[3], int failed,
		       struct pm_err *e);

/* ---- events ---- */

/* Ingestion: records from controllers and cameras, {"gate":"north",
 * "ts":"2026-11-30T23:05:00+08:00","event":"card","card":"0012345678"},
 * event one of entry, exit, card, denied, door_forced, door_held_open,
 * tamper, fire_alarm or plate; the subject is the record's card, plate or
 * person (the first there is), its other fields (door, direction, and
 * detail, a free-form object whose own keys are the device's and go
 * unchecked) are kept as they came. pm_event_fields names the fields a
 * record may have; the import refuses others unless --ignore-unknown,
 * and then keeps them as well.
 * Call record inside a write transaction: PM_EDATA rejects a record,
 * having written nothing. An event already there (same gate, time, event
 * and subject) is a duplicate. A new alarm event (one the configuration
 * gives a severity) sets *alarm to its {"type":"alarm",...} record, or
 * with alarm NULL keeps that record to print (pm_printq, source
 * PM_PRINTQ_ALARM) with its event; a plate's entry or exit opens or
 * closes its parking session. */
struct pm_events;
enum pm_event_outcome { PM_EVENT_INSERTED, PM_EVENT_DUPLICATE };
extern const char *const pm_event_outcome_names[]; /* "inserted", "duplicate", NULL */
extern const char *const pm_event_fields[];
int pm_events_open(struct pm_db *db, const struct pm_actor *a, struct pm_events **out,
		   struct pm_err *e);
void pm_events_close(struct pm_events *ev);
int pm_events_record(struct pm_events *ev, json_t *rec, enum pm_event_outcome *did,
		     json_t **alarm, struct pm_err *e);

/* Events from since (0: all) in time order, of one gate and one event
 * kind when given: {"type":"gate_event","ts","gate","event","subject",
 * ...the fields kept}. */
int pm_events_each(struct pm_db *db, const struct pm_actor *a, const char *gate, int64_t since,
		   const char *kind, int (*fn)(void *ctx, json_t *rec), void *ctx,
		   struct pm_err *e);

#endif
