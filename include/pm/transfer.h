/* Ownership transfer (过户): the unit's owners (and their family) move
 * out on the day and the new owner moves in, in one transaction, audited
 * (unit.transfer). Bills still open stay on the unit's account: the
 * transfer is refused while any is owed (PM_EDATA, with the amount)
 * unless settle, when it goes ahead and lists them as what must be paid
 * first. The unit's prepaid balance and its deposits are carried to the
 * new owner or refunded to the old one as billing.transfer says
 * (pm.yaml(5)). */
#ifndef PM_TRANSFER_H
#define PM_TRANSFER_H

#include <jansson.h>

#include "pm/err.h"

struct pm_db;

struct pm_transfer {
	const char *unit, *to; /* unit code, the new owner's person code */
	const char *at;        /* YYYY-MM-DD: the old owners' last day is the day before */
	int settle;
};

/* *out: {"type":"transfer","unit","from":[person codes],"to","at",
 * "prepaid_fen","prepaid":"carried"|"refunded","refunds":[{"payment",
 * "amount_fen"}] (when refunded: the balance refunded from the unit's
 * payments, newest first, as pm_bill_refund refunds),"deposits_fen",
 * "deposits":"carried"|"refunded","open_fen","settle":[{"bill","period",
 * "owed_fen"}],"outcome":"transferred"|"unchanged"}. The same transfer
 * again (the new owner already the only owner since at) is "unchanged"
 * and writes nothing. */
int pm_unit_transfer(struct pm_db *db, const struct pm_transfer *t, json_t **out, struct pm_err *e);

#endif
