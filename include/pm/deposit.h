/* Deposits (押金) a unit leaves with the property company: renovation
 * (装修押金), keys, access cards. Money taken is held on the liability
 * account "deposit:KIND:UNIT" until it is refunded (back to the payer
 * through a channel) or forfeited (kept as income:deposit, for damage or
 * a card not returned); a refund or forfeit never exceeds what is held.
 * Every movement says why and what shows it (evidence: a form number, an
 * inspection, a photo's name). Money is int64_t fen. */
#ifndef PM_DEPOSIT_H
#define PM_DEPOSIT_H

#include <stdint.h>

#include <jansson.h>

#include "pm/err.h"

struct pm_db;

enum pm_deposit_action { PM_DEPOSIT_TAKE, PM_DEPOSIT_REFUND, PM_DEPOSIT_FORFEIT };
extern const char *const pm_deposit_actions[]; /* "take", "refund", "forfeit", NULL */
extern const char *const pm_deposit_kinds[];   /* "renovation", "key", "card", "other", NULL */

/* PM_OK when s is one of pm_deposit_kinds, else PM_EUSAGE naming them. */
int pm_deposit_kind(const char *s, struct pm_err *e);

/* One movement. channel: where the money came in or goes out (one of
 * payments.channels; NULL is cash), none for a forfeit. ref, when not
 * NULL, makes it idempotent: the same movement again is told as a
 * "duplicate" and writes nothing; a different one with that ref is
 * PM_EDATA. An amount above what is held, or above billing.max_amount,
 * is PM_EDATA. */
struct pm_deposit {
	enum pm_deposit_action action;
	const char *unit, *kind, *channel, *ref, *reason, *evidence;
	int64_t amount;
	int again;      /* pm_deposit_move with no ref: a second of the same */
};
/* Inside the caller's write transaction, audited: *out is the movement
 * {"type":"deposit","deposit","unit","kind","action","amount_fen",
 * "held_fen" (after it),"channel","ref","reason","evidence","by","at",
 * "outcome":"recorded"|"duplicate"}. */
int pm_deposit_apply(struct pm_db *db, const struct pm_deposit *d, json_t **out, struct pm_err *e);
/* pm_deposit_apply in a write transaction of its own, for the desk: with
 * no ref, the same movement (unit, kind, action, amount, channel, reason,
 * evidence) by the same person within payments.cash_repeat is that one again, a
 * "duplicate", unless again, as a cash payment is (pm_bill_pay). */
int pm_deposit_move(struct pm_db *db, const struct pm_deposit *d, json_t **out, struct pm_err *e);

/* What is held, per unit and kind ({"type":"deposit_held","unit","kind",
 * "held_fen","taken_fen","refunded_fen","forfeited_fen"}, units with
 * nothing held left out unless all), or with entries each movement in
 * order; unit NULL for every unit. */
int pm_deposit_each(struct pm_db *db, const char *unit, int entries, int all, int (*fn)(void *ctx, json_t *rec),
		    void *ctx, struct pm_err *e);

#endif
