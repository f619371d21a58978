/* Tickets: repair, complaint, suggestion and inspection tickets, their
 * state machine, SLA clocks and the dedupe of repeat reports. Who may do
 * what comes from the permission table; owners act only on tickets of
 * units where they live, technicians work only what is assigned to them. */
#ifndef PM_TICKET_H
#define PM_TICKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "pm/auth.h"
#include "pm/err.h"

struct pm_db;

enum pm_ticket_status {
	PM_TICKET_SUBMITTED,
	PM_TICKET_ACCEPTED,
	PM_TICKET_ASSIGNED,
	PM_TICKET_IN_PROGRESS,
	PM_TICKET_ON_HOLD,
	PM_TICKET_RESOLVED,
	PM_TICKET_CLOSED,
	PM_TICKET_CANCELLED,
	PM_TICKET_REOPENED,
	PM_TICKET_STATUS_COUNT
};

/* The steps of the state machine; comments and ratings change no state. */
enum pm_ticket_action {
	PM_TICKET_ACCEPT,
	PM_TICKET_ASSIGN,
	PM_TICKET_START,
	PM_TICKET_HOLD,
	PM_TICKET_RESOLVE,
	PM_TICKET_CLOSE,
	PM_TICKET_CANCEL,
	PM_TICKET_REOPEN,
	PM_TICKET_ACTION_COUNT
};

const char *pm_ticket_status_name(enum pm_ticket_status s);
int pm_ticket_status_parse(const char *s, enum pm_ticket_status *out, struct pm_err *e);
const char *pm_ticket_action_name(enum pm_ticket_action a);
/* The permission an action needs ("ticket.dispatch", ...). */
const char *pm_ticket_action_permission(enum pm_ticket_action a);

/* The state action leads to from status, or -1 when the transition is
 * not in the table. */
int pm_ticket_next(enum pm_ticket_status from, enum pm_ticket_action a);
/* The actions allowed from status as "accept, assign, cancel", or "none". */
const char *pm_ticket_allowed(enum pm_ticket_status from, char *buf, size_t n);

/* ---- SLA clocks ---- */

/* Business hours: days a bit mask (bit 0 Monday .. bit 6 Sunday), from
 * and to in seconds since local midnight. The calendar's exceptions,
 * sorted day numbers (pm_date_of): holidays are closed whatever their
 * weekday, workdays (调休, a weekend day worked for a holiday) open as a
 * weekday does. */
struct pm_hours {
	unsigned days;
	int from, to;
	const int32_t *holidays, *workdays;
	size_t n_holidays, n_workdays;
};

/* The seconds of [t0, t1) a clock counts: all of them when h is NULL,
 * else those inside business hours in zone tz. */
int64_t pm_sla_span(const struct pm_hours *h, const char *tz, int64_t t0, int64_t t1);

/* Whether day is a day of rest by h's calendar: a holiday, or a Saturday
 * or Sunday not made a workday. */
bool pm_hours_rest(const struct pm_hours *h, int32_t day);

/* ---- submitting ---- */

/* A submission; NULL fields are absent. unit is a unit code, asset an
 * asset code, reporter a person code. kind defaults to the category's. */
struct pm_ticket_new {
	const char *unit, *category, *text, *reporter, *contact, *photo;
	const char *asset, *area, *kind;
	/* Set by schedules only: the schedule, its period's first day, and
	 * who the ticket goes to (a login, or a role as team). */
	const char *schedule, *due, *assignee, *team;
};

enum pm_ticket_outcome {
	PM_TICKET_CREATED,
	PM_TICKET_REPEATED, /* an open ticket of the same unit and category */
	PM_TICKET_EXISTS,   /* the schedule's ticket for the period was made */
};
extern const char *const pm_ticket_outcome_names[]; /* "created", "repeated", "exists", NULL */

/* Fields of a JSON submission ({"unit":"1-1-101","category":"plumbing",
 * "text":"...","reporter":"P0001","contact":"...","photo":"..."}) into t,
 * pointing into rec. PM_EDATA naming the bad field. */
int pm_ticket_from_json(json_t *rec, struct pm_ticket_new *t, struct pm_err *e);
extern const char *const pm_ticket_fields[]; /* what pm_ticket_from_json reads */

/* Files a ticket, or finds the open one of the same unit and category
 * submitted within the configured dedupe window and records the repeat on
 * it. Call inside a write transaction; *id is the ticket either way.
 * Audited. An owner may submit only for a unit where they live. */
int pm_ticket_submit(struct pm_db *db, const struct pm_actor *a, const struct pm_ticket_new *t,
		     int64_t *id, enum pm_ticket_outcome *did, struct pm_err *e);
/* pm_ticket_submit of one ticket in a write transaction of its own
 * (pm-repair submit, the web front end). */
int pm_ticket_submit_one(struct pm_db *db, const struct pm_actor *a, const struct pm_ticket_new *t,
			 int64_t *id, enum pm_ticket_outcome *did, struct pm_err *e);

/* ---- steps ---- */

/* The longest note a step, a comment or a rating takes, in characters
 * (a Chinese character is one; UTF-8 bytes are up to four times as
 * many): longer is PM_EDATA saying so, from the command line and the
 * web alike, whose forms say the same (maxlength). PM_TICKET_NOTE_MAX_S
 * is it as a string, for markup. */
#define PM_TICKET_NOTE_MAX 1000
#define PM_TICKET_STR_(x) #x
#define PM_TICKET_STR(x) PM_TICKET_STR_(x)
#define PM_TICKET_NOTE_MAX_S PM_TICKET_STR(PM_TICKET_NOTE_MAX)

/* A resolve's cost_fen when there is none. Not -1: any cost below 0
 * typed (-0.01 is -1 fen) is refused, never taken for no cost. */
#define PM_TICKET_NO_COST INT64_MIN

struct pm_ticket_step {
	const char *to;      /* assign: the technician's login */
	const char *note;    /* hold, cancel, reopen: the reason; resolve: the note */
	int64_t cost_fen;    /* resolve: PM_TICKET_NO_COST for none; below 0 is PM_EUSAGE */
	const char *parts;   /* resolve */
};

/* One step of the state machine, in a transaction of its own, timed,
 * attributed and audited. An illegal transition is PM_EFAIL naming the
 * allowed ones; a ticket the actor may not touch is PM_ENOPERM. A resolve
 * with a cost on a unit's repair ticket makes its repair_charge. */
int pm_ticket_do(struct pm_db *db, const struct pm_actor *a, int64_t id,
		 enum pm_ticket_action act, const struct pm_ticket_step *s, struct pm_err *e);
int pm_ticket_comment(struct pm_db *db, const struct pm_actor *a, int64_t id, const char *text,
		      struct pm_err *e);
/* Stars 1..5 by the reporting owner (or staff recording it for them),
 * once, after resolution. */
int pm_ticket_rate(struct pm_db *db, const struct pm_actor *a, int64_t id, int stars,
		   const char *comment, struct pm_err *e);

/* ---- reading ---- */

/* "12" or "#12" to an id; PM_EUSAGE otherwise. */
int pm_ticket_id_parse(const char *s, int64_t *id, struct pm_err *e);

/* The ticket as a record {"type":"ticket",...} if the actor may see it
 * (PM_ENOPERM said the same way whether or not it exists). */
int pm_ticket_get(struct pm_db *db, const struct pm_actor *a, int64_t id, json_t **rec,
		  struct pm_err *e);
/* Its timeline, oldest first, as {"type":"ticket_event",...} records. */
int pm_ticket_timeline(struct pm_db *db, int64_t id, int (*fn)(void *ctx, json_t *rec),
		       void *ctx, struct pm_err *e);

struct pm_ticket_filter {
	const char *status, *kind, *category, *unit, *assignee; /* NULL: any */
	const char *reporter; /* the reporting person's code; NULL: any */
	int64_t since;    /* submitted at or after; 0: any */
	int breached;     /* only tickets past an SLA budget at as_of */
	int open;         /* only tickets not resolved, closed or cancelled */
	int64_t as_of;
};

/* Tickets in id order that pass f and that the actor may see (an owner:
 * those of units where they live). */
int pm_ticket_each(struct pm_db *db, const struct pm_actor *a, const struct pm_ticket_filter *f,
		   int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e);

/* How many tickets are in each status, for staff with report.read. */
int pm_ticket_counts(struct pm_db *db, const struct pm_actor *a, int (*fn)(void *ctx, const char *status, int64_t n),
		     void *ctx, struct pm_err *e);

/* ---- cron ---- */

/* Each SLA clock past its budget at as_of and not yet reported becomes one
 * {"type":"sla_breach",...} record, kept to print (pm_printq, source
 * PM_PRINTQ_OVERDUE) in the transaction that marks the clock reported,
 * audited once for the run. *count says how many. */
int pm_ticket_overdue(struct pm_db *db, int64_t as_of, long *count, struct pm_err *e);

/* Closes tickets resolved at least repair.auto_close_after before as_of
 * and not reopened; one audit record for the run. */
int pm_ticket_sweep(struct pm_db *db, int64_t as_of, long *closed, struct pm_err *e);

#endif
