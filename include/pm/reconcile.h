/* Reconciliation: a payment channel's statement (a bank's or a gateway's
 * list of what it took in) set against the payments recorded for that
 * channel, to find what one side has and the other lacks. Reads only. */
#ifndef PM_RECONCILE_H
#define PM_RECONCILE_H

#include <stdint.h>

#include <jansson.h>

#include "pm/err.h"

struct pm_db;
struct pm_reconcile;

/* What a statement entry or a recorded payment came to. */
enum pm_recon_status {
	PM_RECON_MATCHED,              /* both sides, the same amount */
	PM_RECON_MISSING_IN_STORE,     /* in the statement, not recorded */
	PM_RECON_MISSING_IN_STATEMENT, /* recorded on the statement's dates, not in it */
	PM_RECON_AMOUNT_MISMATCH,      /* both sides, different amounts */
	PM_RECON_NSTATUS
};
/* "matched", "missing_in_store", "missing_in_statement", "amount_mismatch" */
extern const char *const pm_recon_names[];

int pm_reconcile_new(const char *channel, struct pm_reconcile **out, struct pm_err *e);
void pm_reconcile_free(struct pm_reconcile *r);

/* Takes one statement record {"ref", "amount" (yuan), "time" (RFC 3339)},
 * the ref compared without surrounding white space as payments' are. A
 * negative amount is a refund of the payment of that ref, which may be
 * listed with its payment and its other refunds. PM_EDATA, taking
 * nothing, for a bad record, an amount of 0, or a payment's ref the
 * statement already had. */
int pm_reconcile_add(struct pm_reconcile *r, json_t *rec, struct pm_err *e);
extern const char *const pm_reconcile_fields[]; /* what pm_reconcile_add reads */

/* Compares the statement with the channel's payments and the refunds
 * paid out through it (ref payment:ID entries of the ledger crediting
 * cash:CHANNEL, "source":"refund", negative amounts): each statement
 * entry in the order read, a refund set against an unmatched recorded
 * refund of its payment of the same amount, else of another; then each
 * payment, and then each refund, recorded on the statement's days (first
 * to last, in the community's zone) that the statement lacks, oldest
 * first. fn gets each as {"type":"reconcile","status",
 * "channel","ref","statement_fen","store_fen","statement_at","store_at",
 * "payment","unit"} (null for what a side lacks); a non-zero return stops
 * the walk with that code. counts, indexed by status, are filled in. */
int pm_reconcile_run(struct pm_db *db, struct pm_reconcile *r, int (*fn)(void *ctx, json_t *rec),
		     void *ctx, long counts[PM_RECON_NSTATUS], struct pm_err *e);

#endif
