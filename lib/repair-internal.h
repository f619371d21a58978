/* What the modules of pm-repair (ticket, asset, patrol) share inside
 * libpm: the repair section of the configuration in force. */
#ifndef PM_REPAIR_INTERNAL_H
#define PM_REPAIR_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include <jansson.h>

#include "pm/config.h"
#include "pm/err.h"
#include "pm/ticket.h"

struct pm_db;

struct pm_repair {
	json_t *sec;            /* the repair section */
	const char *tz;
	struct pm_hours hours;  /* business hours; days 0 when none are set */
	int32_t *calendar;      /* holidays then workdays, which hours points into */
};

/* The repair section of the configuration in force today: PM_ECONFIG,
 * saying what to add, when there is none. */
int pm_repair_open(struct pm_db *db, struct pm_repair *r, struct pm_err *e);
void pm_repair_close(struct pm_repair *r);


/* "Thu"-style weekday of a day since 1970-01-01: 0 Monday .. 6 Sunday. */
int pm_weekday(int32_t day);

/* ---- shared by ticket.c and queue.c ---- */

struct pm_db;
struct pm_actor;
/* A clock: seconds counted over closed intervals, the start of the
 * running one (0: not running), when its breach was reported (0: not). */
struct pm_clock {
	int64_t budget, used, since, breach;
};

int64_t pm_clock_elapsed(const struct pm_clock *c, const struct pm_hours *h, const char *tz, int64_t at);
/* Still to be watched: running, or over budget with the breach unreported. */
bool pm_clock_pending(const struct pm_clock *c);
/* Four columns from col: budget, used, since, breach (0 for NULL). */
void pm_clock_read(sqlite3_stmt *st, int col, struct pm_clock *c);

struct pm_ticket_row {
	int64_t id, unit_id, reporter_id, submitted_at, accepted_at, resolved_at;
	enum pm_ticket_status status;
	char kind[16], category[64], unit[64], assignee[64];
	bool business_hours, rated, pending;
	struct pm_clock accept, resolve;
};

/* The ticket's row; a missing one is PM_ENOPERM for owners (so they
 * cannot probe for others' tickets), PM_EDATA for staff. */
int pm_ticket_row_load(struct pm_db *db, const struct pm_actor *a, int64_t id,
		       struct pm_ticket_row *r, struct pm_err *e);
/* Owners see the tickets of units where they live and those they reported. */
int pm_ticket_may_see(struct pm_db *db, const struct pm_actor *a, const struct pm_ticket_row *r,
		      struct pm_err *e);
/* Writes r's clocks and sla_pending. */
int pm_ticket_set_clocks(struct pm_db *db, const struct pm_ticket_row *r, struct pm_err *e);
/* Appends a step to the timeline, by the db's actor. */
int pm_ticket_event(struct pm_db *db, int64_t id, int64_t ts, const char *action,
		    const char *from, const char *to, const char *note, struct pm_err *e);
/* pm_ticket_do inside the caller's write transaction. */
int pm_ticket_step_in(struct pm_db *db, const struct pm_actor *a, int64_t id, enum pm_ticket_action act,
		      const struct pm_ticket_step *s, struct pm_err *e);

/* ---- renovations and spare parts, as tickets meet them ---- */

/* A ticket of the noise category just filed for a unit under renovation
 * at a time outside its noisy-work hours is linked to the renovation
 * (an event on each); anything else is left alone. */
int pm_renovation_noise(struct pm_db *db, const struct pm_repair *rp, int64_t ticket, int64_t unit,
			const char *category, int64_t at, struct pm_err *e);
/* The sale of unit (pm unit transfer with billing.transfer.deposits:
 * refund) gives back each renovation's deposit not yet given back, less
 * what was forfeited, under the ref its completion would use
 * ("renovation:ID:refund"), on channel (NULL: the one it was taken on),
 * with reason and evidence, and records it on the renovation: its
 * completion later gives back nothing more. Inside the caller's
 * transaction. */
int pm_renovation_sold(struct pm_db *db, const char *unit, const char *channel, const char *reason,
		       const char *evidence, struct pm_err *e);
/* The --parts of a resolve: when parts is a list of stock items
 * "CODE:QTY[,CODE:QTY...]" they are issued to the ticket (refused beyond
 * what is on the shelf, or for an unknown item); other text is only a
 * note, as before stock was kept. */
int pm_stock_parts(struct pm_db *db, const struct pm_actor *a, int64_t ticket, const char *parts,
		   struct pm_err *e);
/* What the parts issued to ticket cost, in fen. */
int pm_stock_ticket_value(struct pm_db *db, int64_t ticket, int64_t *fen, struct pm_err *e);

#endif
