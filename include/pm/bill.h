/* Bills: monthly runs from the fee items of the configuration, issue to
 * the ledger, payments and their allocation, notes, voids, refunds, late
 * fees and statements. Money is int64_t fen. */
#ifndef PM_BILL_H
#define PM_BILL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "pm/err.h"
#include "pm/timeutil.h"

struct pm_db;

/* A bill run for one period: one draft bill per billable unit with one
 * line per fee item. Idempotent: a unit billed for the period is skipped;
 * with recompute, drafts are rebuilt (issued bills never are). Bills are
 * written a batch of units per transaction, so a killed run leaves whole
 * bills and a re-run finishes the rest; dry_run writes nothing. */
struct pm_bill_run {
	struct pm_period period;
	char *const *units;    /* unit codes, or NULL for all */
	size_t nunits;
	int dry_run, recompute;
	long batch;            /* units per transaction (0: 1000) */
	/* Told of each bill made or skipped ({"type":"bill",...,"outcome"}),
	 * unless NULL; a non-zero return stops the run with that code. */
	int (*fn)(void *ctx, json_t *bill);
	void (*progress)(void *ctx, long done, long total);
	void *ctx;
	long made, skipped, recomputed; /* filled in */
	int64_t total;                  /* fen, of the bills made */
};
int pm_bill_run(struct pm_db *db, struct pm_bill_run *r, struct pm_err *e);

/* Issues the period's drafts: due on due (days since 1970, or the
 * config's billing.due_day of the next month when negative), posted to
 * the ledger, each unit's prepaid balance applied. A batch of bills per
 * transaction; a re-run issues what is left. */
struct pm_bill_issue {
	struct pm_period period;
	int32_t due;
	long issued;                 /* filled in */
	int64_t total, prepaid;      /* fen: charged, and paid from prepaid */
};
int pm_bill_issue(struct pm_db *db, struct pm_bill_issue *is, struct pm_err *e);

/* Bills as summary records, by period then unit. Any filter may be NULL;
 * overdue: issued or partial, due before today. */
struct pm_bill_filter {
	const char *period, *status, *unit, *building;
	int overdue;
};
int pm_bill_each(struct pm_db *db, const struct pm_bill_filter *f, int (*fn)(void *ctx, json_t *bill),
		 void *ctx, struct pm_err *e);
/* A bill with its lines, breakdowns, allocations, notes and late fees.
 * PM_EDATA for an unknown code. */
int pm_bill_get(struct pm_db *db, const char *code, json_t **out, struct pm_err *e);
/* The unit a bill is for, to check who may see it. */
int pm_bill_unit(struct pm_db *db, const char *code, char *unit, size_t size, struct pm_err *e);

/* A payment: to a named bill, else the unit's open bills oldest due
 * first, within a bill by the configured allocation order; the excess is
 * prepaid. Idempotent on (channel, ref): the same again is a duplicate,
 * a different unit or amount a conflict (PM_EDATA). Inside a write
 * transaction; audited. */
struct pm_pay {
	const char *unit, *channel, *ref, *bill;
	int64_t amount, at;
};
enum pm_pay_did { PM_PAY_RECORDED, PM_PAY_DUPLICATE };
extern const char *const pm_pay_names[]; /* "recorded", "duplicate", NULL */
int pm_pay_parse(json_t *rec, struct pm_pay *p, struct pm_err *e);
extern const char *const pm_pay_fields[]; /* what pm_pay_parse reads */
int pm_bill_pay(struct pm_db *db, const struct pm_pay *p, enum pm_pay_did *did, json_t **out,
		struct pm_err *e);

/* Each its own transaction, audited. void: an issued or draft bill with
 * nothing paid; adjust: a credit (< 0) or debit note on an issued bill;
 * refund: from the unit's prepaid balance, up to what the payment was. */
int pm_bill_void(struct pm_db *db, const char *code, const char *reason, struct pm_err *e);
int pm_bill_adjust(struct pm_db *db, const char *code, int64_t amount, const char *reason,
		   json_t **out, struct pm_err *e);
int pm_bill_refund(struct pm_db *db, int64_t payment, int64_t amount, const char *reason,
		   json_t **out, struct pm_err *e);

/* Every charge, payment, note and refund of a unit between two dates
 * (days since 1970, inclusive; INT32_MIN/INT32_MAX for open ends), with
 * the running balance owed (negative: in credit). */
int pm_bill_statement(struct pm_db *db, const char *unit, int32_t from, int32_t to,
		      int (*fn)(void *ctx, json_t *row), void *ctx, struct pm_err *e);

/* Late fees (违约金) to as_of for bills past due plus grace days: the
 * daily rate on the overdue principal for the days since the last
 * charge, never on late fees, capped at the configured share of the
 * principal. Re-running for the same or an earlier date adds nothing. */
struct pm_late_run {
	int32_t as_of;
	int (*fn)(void *ctx, json_t *charge);
	void *ctx;
	long charged;   /* filled in */
	int64_t total;
};
int pm_bill_late_fees(struct pm_db *db, struct pm_late_run *r, struct pm_err *e);

#endif
