/* Vehicles and parking: residents' plates, parking sessions opened and
 * closed by plate events at the gates, the visitors' fee rule, payments,
 * and reservations of parking spaces and charging piles. */
#ifndef PM_PARKING_H
#define PM_PARKING_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "pm/auth.h"
#include "pm/err.h"
#include "pm/timeutil.h"

struct pm_db;

/* The visitors' fee rule (pm.yaml(5), parking): a stay of at most free
 * seconds costs nothing; a longer one pays hourly_fen for every hour
 * started from entry, except that hours starting inside the overnight
 * window cost night_fen once for that night instead; each calendar day's
 * charges (a night's counting for the day it began) are capped at
 * cap_fen. Days and the night window are in the community's zone. */
struct pm_parking_rule {
	int64_t free;                  /* seconds */
	int64_t hourly_fen;
	int64_t cap_fen;               /* < 0: no cap */
	int night;                     /* an overnight rule applies */
	int64_t night_from, night_to;  /* seconds after midnight */
	int64_t night_fen;
};

/* The rule from the configuration's parking section (normalized). */
void pm_parking_rule_from(json_t *parking, struct pm_parking_rule *r);

/* The fee for a stay [entry, leave), exact in fen. */
int64_t pm_parking_fee(const struct pm_parking_rule *r, const char *tz, int64_t entry,
		       int64_t leave);

/* ---- vehicles ---- */

/* SQL: the vehicle row v is registered at time t (an integer, UTC
 * seconds): added at or before t, and not removed, or removed after t.
 * One rule for every question of whether a car was a resident's then:
 * removed_at may be ahead of the clock (a sale dated ahead ends the
 * unit's cars at the start of its day), so "removed_at IS NULL" alone is
 * not it; and a car registered at 10:00 was a visitor's at 08:00, when
 * an entry read late says it came in. */
#define PM_VEHICLE_ON(v, t) \
	"(" v ".created_at <= " t " AND (" v ".removed_at IS NULL OR " v ".removed_at > " t "))"

/* A resident's vehicle: kind owned (an owned or rented space) or monthly
 * (a monthly pass, until its last day). Resident vehicles park free.
 * Adding a plate that is there already for the same unit updates it, and
 * calls off its removal when one is ahead (audited as removal_cancelled):
 * a plate has one row at any time. Another unit's plate registered now,
 * or until a removal ahead, is PM_EDATA. */
int pm_vehicle_add(struct pm_db *db, const struct pm_actor *a, const char *plate,
		   const char *unit, const char *kind, const char *space, const char *until,
		   struct pm_err *e);
int pm_vehicle_remove(struct pm_db *db, const struct pm_actor *a, const char *plate,
		      struct pm_err *e);
/* The vehicles registered now (PM_VEHICLE_ON), of unit when it is not
 * NULL; with all, those removed too: {"type":"vehicle","plate","unit",
 * "kind","space","until","removed"}, removed the time it ends (null
 * while none is set; ahead of now for a sale dated ahead). */
int pm_vehicle_each(struct pm_db *db, const struct pm_actor *a, const char *unit, int all,
		    int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e);

/* ---- sessions ---- */

/* What the plate owes to leave at time at, its open session's record
 * (else its last closed one that owes):
 * {"type":"parking_fee","plate","session","entry","at","minutes",
 * "resident","fee_fen","paid_fen","due_fen","earlier_fen"}, due_fen
 * counting earlier_fen, what the plate's other stays left owing. A
 * payment buys the free minutes again: leaving within them after paying
 * costs no more. */
int pm_parking_fee_due(struct pm_db *db, const struct pm_actor *a, const char *plate, int64_t at,
		       json_t **out, struct pm_err *e);

/* Records a payment of amount_fen for the plate's open session (or its
 * last closed one that still owes), paying the plate's oldest debts
 * first, once per ref: the same ref again
 * changes nothing (*duplicate set), the same ref for another amount or
 * plate is PM_EDATA, as is more than is due. *out is the fee record
 * after the payment. */
int pm_parking_pay(struct pm_db *db, const struct pm_actor *a, const char *plate,
		   int64_t amount_fen, const char *ref, int64_t at, json_t **out, int *duplicate,
		   struct pm_err *e);

/* The same paid in unit's points (rewards.parking in pm.yaml(5)): so
 * many points a fen, a whole number of fen, no more than is due nor than
 * what is left of the unit's monthly cap (month_cap, in the community's
 * month of at), nor than the unit's points (those expired are gone, as
 * for group buying). The company pays the parking income for them
 * (expense:points to income:parking); the payment is a parking payment
 * like any, once per ref. PM_ECONFIG when rewards.parking is not set.
 * *out as pm_parking_pay's, with "unit", "points" and "discount_fen". */
int pm_parking_pay_points(struct pm_db *db, const struct pm_actor *a, const char *plate, const char *unit,
			  int64_t points, const char *ref, int64_t at, json_t **out, int *duplicate, struct pm_err *e);

/* Records a refund due on a stay (refund_fen: closed again below what
 * was paid) paid back: amount_fen (0: all that is due) on stay session,
 * or (session 0) on plate's last stay with a refund due, once per ref:
 * the same ref again changes nothing (*duplicate set), for another stay
 * or amount it is PM_EDATA, as is more than is due. Only money is paid
 * back: what points paid of the stay is the company's discount. The
 * stay keeps what it was paid less what was paid back (paid_fen) and the
 * refund still due (refund_fen); audited (parking.refund). *out:
 * {"type":"parking_refund","plate","session","ref","amount_fen","at",
 * "fee_fen","paid_fen","refund_fen"}, the stay as it is after. */
int pm_parking_refund(struct pm_db *db, const struct pm_actor *a, const char *plate, int64_t session,
		      int64_t amount_fen, const char *ref, int64_t at, json_t **out, int *duplicate, struct pm_err *e);

/* Points spent on parking, pm-gate's visitors' fees or pm-bill's parking
 * lines (rewards.parking): unit's points, so many, making fen at
 * per_fen points a fen, counted in month (YYYY-MM) against the unit's
 * cap (fen; -1: none). */
struct pm_parking_points {
	const char *unit;
	int64_t points, fen, per_fen, cap;
	char month[PM_TIME_BUF];
};

/* rewards.parking in force at time at: p->per_fen, p->cap, p->month and
 * p->fen for p->points, which must be a whole number of fen. PM_ECONFIG
 * when rewards.parking is not set. */
int pm_parking_points_rule(struct pm_db *db, int64_t at, struct pm_parking_points *p, struct pm_err *e);

/* Takes p->points from p->unit's points (pm_points_use: expired ones are
 * gone; those web orders hold are not its to spend: pm_shop_points_free),
 * detail naming what they paid, within what is left of the unit's
 * cap for p->month after both kinds of spending; PM_EDATA otherwise. In
 * the caller's transaction, before it records the spending. */
int pm_parking_points_spend(struct pm_db *db, const struct pm_parking_points *p, const char *detail,
			    struct pm_err *e);

/* What the points paid for: a visitor's parking payment (bill false:
 * parking_discount) or a bill's points payment (bill true: bill_points),
 * with p's unit, points and month and the journal entry that booked it. */
int pm_parking_points_record(struct pm_db *db, bool bill, int64_t payment, const struct pm_parking_points *p,
			     int64_t journal, struct pm_err *e);

/* Sessions, newest first, only those still open when open_only, only
 * those of the plates registered to unit when it is not NULL (an owner
 * sees their own units' alone):
 * {"type":"parking","id","plate","entry","entry_gate","exit","exit_gate",
 * "resident","fee_fen","paid_fen","owed_fen"}. */
int pm_parking_each(struct pm_db *db, const struct pm_actor *a, const char *unit, int open_only,
		    int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e);

/* ---- reservations ---- */

/* Books resource (parking.resources in the configuration) for unit over
 * [from, until): refused with PM_EDATA naming the booking it overlaps. */
int pm_reserve(struct pm_db *db, const struct pm_actor *a, const char *resource,
	       const char *unit, int64_t from, int64_t until, int64_t *id, struct pm_err *e);
int pm_reserve_cancel(struct pm_db *db, const struct pm_actor *a, int64_t id, struct pm_err *e);
/* The resources that may be booked (parking.resources), by code:
 * {"resource","kind","name","longest_minutes"} each. */
int pm_reserve_resources(struct pm_db *db, int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e);
/* Bookings of resource (NULL: all) that touch day (days since 1970),
 * in time order: {"type":"reservation","id","resource","kind","unit",
 * "from","until","status"}. */
int pm_reservation_each(struct pm_db *db, const struct pm_actor *a, const char *resource,
			int32_t day, int (*fn)(void *ctx, json_t *rec), void *ctx,
			struct pm_err *e);

#endif
