/* Shared by lib/bill.c (runs), lib/billquery.c (queries) and lib/payment.c
 * (the ledger side). */
#ifndef PM_BILL_INTERNAL_H
#define PM_BILL_INTERNAL_H

#include <stdint.h>

#include <jansson.h>

#include "pm/config.h"
#include "pm/db.h"
#include "pm/err.h"
#include "pm/timeutil.h"

#define TEXT(st, i) ((const char *)sqlite3_column_text(st, i))

/* The billing section of the version in force on day (its defaults when
 * the version has none), and that config; the caller frees both
 * (json_decref, pm_config_free). */
int pm_billing_config(struct pm_db *db, int32_t day, struct pm_config **cfg, json_t **billing,
		      struct pm_err *e);

/* Since when a payment or deposit typed at the desk again with no ref is
 * the one recorded before (a command run twice, a double click): now less
 * payments.cash_repeat, in the config in force today. */
int pm_pay_repeat_since(struct pm_db *db, int64_t *since, struct pm_err *e);

/* PM_EDATA naming what (a field, a line) when |amount| is above the
 * billing section's max_amount: one payment, line or note of more is a
 * typo or an attack, never a bill. */
int pm_bill_bound(json_t *billing, int64_t amount, const char *what, struct pm_err *e);

/* pm_bill_bound by the billing section in force today. */
int pm_bill_bound_today(struct pm_db *db, int64_t amount, const char *what, struct pm_err *e);

/* The id of the unit code; PM_EDATA "unknown unit" when there is none. */
int pm_unit_id(struct pm_db *db, const char *code, int64_t *id, struct pm_err *e);

/* Step a statement to its end: PM_OK or the failure as e. */
int pm_bill_step_done(struct pm_db *db, sqlite3_stmt *st, const char *what, struct pm_err *e);

/* Repair charges on a bill that is rebuilt or voided go on the next one. */
int pm_bill_release_repairs(struct pm_db *db, int64_t bill, struct pm_err *e);
/* The estimates a bill billed (meter_estimate) are forgotten when it is
 * rebuilt, voided or rebilled, so a later reading takes off only what
 * was billed; with carried, what its readings left of earlier estimates
 * too (rebuilt or rebilled, to be recorded again: a void leaves it, the
 * estimates it came of still billed). */
int pm_bill_release_estimates(struct pm_db *db, int64_t bill, int carried, struct pm_err *e);

/* The bill's id, unit id, unit code and status. PM_EDATA if unknown. */
struct pm_bill_row {
	int64_t id, unit_id, total, late, adjust, paid;
	char code[96], unit[64], status[16], period[16], due[PM_TIME_BUF];
};
int pm_bill_row(struct pm_db *db, const char *code, struct pm_bill_row *b, struct pm_err *e);
/* The columns pm_bill_row_read reads, as a SELECT to add a WHERE to. */
#define PM_BILL_COLS \
	"SELECT b.id, b.code, u.code, b.period, b.status, b.total_fen, b.late_fen, b.adjust_fen, b.paid_fen," \
	" coalesce(b.due, ''), b.config_version, b.unit_id FROM bill b JOIN unit u ON u.id = b.unit_id"
void pm_bill_row_read(sqlite3_stmt *st, struct pm_bill_row *b);
/* Bill b being voided: the common meters' estimates of its month that
 * no bill left standing billed a share of, let go. */
int pm_bill_release_common_estimates(struct pm_db *db, const struct pm_bill_row *b, struct pm_err *e);

/* A note of amount on bill b, by pm_bill_adjust's rules, inside the
 * caller's transaction; the caller audits. What a credit leaves paid
 * beyond the bill goes back to the unit's prepaid balance (moved[0]),
 * and the balance pays the unit's open bills after a debit note or such
 * a credit (moved[1]); moved may be NULL. */
int pm_bill_adjust_apply(struct pm_db *db, const struct pm_bill_row *b, int64_t amount, const char *reason,
			 int64_t moved[2], struct pm_err *e);

/* What of unit's prepaid balance (credit, in fen, as the caller read it)
 * is still payment's to refund, in *share. The balance is what the unit's
 * payments paid beyond their bills less what was refunded of them, and
 * bills take the oldest of it first: what is left belongs to the payments
 * newest first, each up to what it prepaid less what was refunded of it.
 * A payment of another owner's is never refunded out of a later owner's
 * money. With *payment 0, the newest payment that has some (*payment 0
 * if none has). */
int pm_bill_refundable(struct pm_db *db, const char *unit, int64_t credit, int64_t *payment, int64_t *share,
		       struct pm_err *e);

/* A refund of amount of payment by pm_bill_refund's rules (from the
 * unit's prepaid balance, no more than the payment's share of it by
 * pm_bill_refundable, never of points), inside the caller's transaction:
 * the ledger's refund entry (ref "payment:ID") and the payment's
 * refunded_fen, which say the same. The money leaves through
 * channel_out, or the payment's own channel when NULL. *out is the
 * {"type":"refund"} record; the caller audits. */
int pm_bill_refund_apply(struct pm_db *db, int64_t payment, int64_t amount, const char *channel_out,
			 const char *reason, json_t **out, struct pm_err *e);

/* Whether a sale ends the unit's points: billing.transfer (transfer)
 * says points: expire, not carry. */
int pm_sale_ends_points(const json_t *transfer);

/* Expires what is left of unit id's (code's) points granted before the
 * day before ('YYYY-MM-DD'; NULL: all of them), but what web orders hold
 * now, inside the caller's transaction, as of as_of with detail saying
 * why; *n how many. pm-shop expire and a sale (billing.transfer.points)
 * end points by it. */
int pm_points_expire_unit(struct pm_db *db, int64_t id, const char *code, const char *before, const char *as_of,
			  const char *detail, int64_t *n, struct pm_err *e);

/* pm_pay_ref_used, with carts 0 not asking of web carts' payments: a
 * group-buying order is recorded under its cart's ref, and the shop
 * tells its cart's payment from another's itself. */
int pay_ref_used(struct pm_db *db, const char *channel, const char *ref, int carts, struct pm_err *e);

#endif
