/* The front desk (前台): one view of a unit, found by what a caller at
 * the desk knows of it. */
#ifndef PM_DESK_H
#define PM_DESK_H

#include <jansson.h>

#include "pm/auth.h"
#include "pm/err.h"

struct pm_db;

/* Units found by q as pm_unit_search finds them (a code or its start,
 * a resident's name, or for those who see phone numbers whole four or
 * more digits of a resident's phone number), at most limit, in code
 * order, each as one record: the unit ({"type":"unit",...}) with its
 * "occupants", its "owed_fen" (receivable less prepaid; only for those
 * who may read bills) and its "open_tickets" (not resolved, closed or
 * cancelled: id, status, category, priority, submitted_at, assignee,
 * text). Personal data is the caller's to mask (pm_pii_redact). */
int pm_unit_find(struct pm_db *db, const struct pm_actor *a, const char *q, int limit,
		 int (*fn)(void *ctx, json_t *card), void *ctx, struct pm_err *e);

#endif
