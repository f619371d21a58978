/* The ledger: a double-entry journal. Each entry is a set of postings to
 * accounts ("receivable:3-2-1101", "prepaid:3-2-1101", "revenue:water",
 * "cash:wechat", "income:late_fee", "discount"), debits positive and
 * credits negative, summing to zero. */
#ifndef PM_LEDGER_H
#define PM_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "pm/err.h"

struct pm_db;

#define PM_ACCOUNT_MAX 96

struct pm_posting {
	char account[PM_ACCOUNT_MAX];
	int64_t amount; /* fen: debit > 0, credit < 0 */
};

/* Writes one entry inside the caller's transaction, postings of the same
 * account merged (posting is keyed by entry and account) and zero ones
 * left out; *id is the journal id.
 * PM_ESOFTWARE when the postings do not sum to zero: nothing is written. */
int pm_ledger_post(struct pm_db *db, const char *kind, const char *ref, const char *memo,
		   const struct pm_posting *p, size_t n, int64_t *id, struct pm_err *e);

/* The balance of an account: the sum of its postings. */
int pm_ledger_balance(struct pm_db *db, const char *account, int64_t *fen, struct pm_err *e);

/* PM_EDATA when the account's balance is past the ledger's limit
 * (PM_MONEY_MAX either way), where no sum may go: payments of at most
 * billing.max_amount each could still pile a unit's prepaid balance up
 * past it, after which its statement could not be read. */
int pm_ledger_within(struct pm_db *db, const char *account, struct pm_err *e);

/* "prefix:name" ("prepaid:3-2-1101"; prefix alone for a NULL name) into
 * out, cut to fit; out. The one way an account's name is made. */
char *pm_ledger_account(char out[PM_ACCOUNT_MAX], const char *prefix, const char *name);

/* Sets p's account to "prefix:name" and its amount. */
void pm_posting_set(struct pm_posting *p, const char *prefix, const char *name, int64_t amount);

#endif
