/* Contracts with merchants and suppliers (合同) and the common-area income
 * they make (公共收益). An income contract (elevator ads, a stall) charges
 * its party each period into the ledger account common:income; an
 * expense contract (cleaning the common parts) owes its party each period
 * from common:expense. Both accounts belong to the owners, kept apart from
 * the company's revenue:* and income:* (the law treats income from the
 * common parts as the owners'): pm check holds no journal entry mixes
 * them. The party's own account is contract:ID. Money is int64_t fen. */
#ifndef PM_CONTRACT_H
#define PM_CONTRACT_H

#include <stdint.h>

#include <jansson.h>

#include "pm/err.h"

struct pm_db;

extern const char *const pm_contract_kinds[];  /* "income", "expense", NULL */
extern const char *const pm_contract_everys[]; /* "month", "quarter", "year", NULL */

/* A contract's terms: from and to its first and last day (days since
 * 1970), amount per period of every. */
struct pm_contract_new {
	const char *party, *kind, *object, *every;
	int32_t from, to;
	int64_t amount;
};
/* PM_EUSAGE naming what is wrong with c before the store is asked. */
int pm_contract_check(const struct pm_contract_new *c, struct pm_err *e);

/* Each is one transaction, audited (bill.contract): *out the contract as
 * pm_contract_each gives it. */
int pm_contract_add(struct pm_db *db, const struct pm_contract_new *c, json_t **out, struct pm_err *e);
/* A new contract on the same terms (amount 0: the same amount) from the
 * day after id's last to to. A terminated or already renewed contract is
 * PM_EDATA. */
int pm_contract_renew(struct pm_db *db, int64_t id, int32_t to, int64_t amount, json_t **out, struct pm_err *e);
/* Ends id after its day last: periods not begun are never charged, and a
 * period charged beyond last is credited the days not used, the period's
 * amount split by days used and not used with the largest remainder.
 * Its renewals end with it, after the same day (before their first):
 * they never charge, and what a run charged them already is credited
 * whole; each is audited, and *out lists them in "ended_with". A renewal
 * terminated on its own (it ran, so id ran to its end) is PM_EDATA. */
int pm_contract_terminate(struct pm_db *db, int64_t id, int32_t last, const char *reason, json_t **out,
			  struct pm_err *e);
/* Money received from an income contract's party, or paid to an expense
 * contract's, through channel (one of payments.channels), up to what is
 * owed (PM_EDATA beyond, and when the party is owed money back: pm pays
 * none back); ref, the channel's reference, when given makes it
 * idempotent on (channel, ref): the same again is told as "duplicate",
 * another contract or amount is PM_EDATA. With no ref, the same amount
 * through the same channel for the contract within payments.cash_repeat
 * is that payment again, a "duplicate", unless again (a command run
 * twice pays once). *out {"type":"contract_payment","contract","amount_fen",
 * "channel","ref","balance_fen","outcome"}. */
int pm_contract_pay(struct pm_db *db, int64_t id, int64_t amount, const char *channel, const char *ref,
		    int again, json_t **out, struct pm_err *e);

/* Every contract, or those not ended whose last day falls within
 * expiring days of today and that are not renewed (expiring >= 0):
 * {"type":"contract","contract","party","kind","object","from","to",
 * "every","amount_fen","ended","end_reason","renews","charged_fen",
 * "paid_fen","balance_fen" (owed by the party, or to it: negative),
 * "days_left","expiring"}. */
int pm_contract_each(struct pm_db *db, int32_t today, int expiring, int (*fn)(void *ctx, json_t *rec), void *ctx,
		     struct pm_err *e);

/* The charges due by as_of: each contract's periods begun by then and
 * within its term, once each (a period cut short by the term's end or a
 * termination prorated by days). One transaction, one audit record.
 * fn gets {"type":"contract_charge","contract","party","kind",
 * "period_start","period_end","days","amount_fen"}. */
struct pm_contract_run {
	int32_t as_of;
	int (*fn)(void *ctx, json_t *rec);
	void *ctx;
	long charged;           /* out */
	int64_t income, expense; /* out, fen */
};
int pm_contract_run(struct pm_db *db, struct pm_contract_run *r, struct pm_err *e);

#endif
