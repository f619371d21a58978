/* Arrears chasing (催缴): the dunning plan of the configuration (pm.yaml's
 * dunning.stages: by days past due, each a message to the unit's
 * residents or a task for a role, with its template) applied to the bills
 * past due, each stage entered once per bill however often cron runs it;
 * the desk's contacts with debtors and their promises to pay; the formal
 * demand letter (催缴函). */
#ifndef PM_DUNNING_H
#define PM_DUNNING_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "pm/auth.h"
#include "pm/err.h"

struct pm_db;

/* One run to day as_of. Every bill issued or partly paid and past due
 * enters each stage whose days it has reached and has not entered; a
 * unit with a promise to pay by a day not yet past is left alone; a unit
 * whose promise passed with the debt unpaid (broken) has each of its
 * bills moved on to its next stage besides. A message stage queues its
 * template for the unit's residents through pm-notify's outbox; a task
 * stage files a ticket of kind collection in dunning.category for the
 * stage's role, its text the template's. All in one transaction, one
 * audit record (bill.dunning). fn gets each stage entered:
 * {"type":"dunning","id","bill","unit","period","due","days","owed_fen",
 * "late_fen","stage","action","role","reason":"overdue"|"broken_promise",
 * "as_of","queued","ticket"}. PM_ECONFIG when there is no plan. */
struct pm_dunning_run {
	int32_t as_of;
	int (*fn)(void *ctx, json_t *rec);
	void *ctx;
	long entered, queued, tasks, kept, broken; /* out */
};
int pm_dunning_run(struct pm_db *db, const struct pm_actor *a, struct pm_dunning_run *r, struct pm_err *e);

extern const char *const pm_contact_means[];   /* "phone", "visit", "letter", NULL */
extern const char *const pm_contact_results[]; /* "promised", "refused", "unreachable", NULL */

/* A contact with a unit's debtor; promise (days since 1970, -1: none)
 * with result "promised" only, and then required. */
struct pm_contact {
	const char *unit, *by, *result, *note;
	int32_t promise;
};
/* PM_EUSAGE naming what is wrong with c before the store is asked. */
int pm_contact_check(const struct pm_contact *c, struct pm_err *e);
/* Records it, audited (bill.contact): *out {"type":"contact","id","unit",
 * "by","result","note","promise_date","promise","by_user","at"}. */
int pm_dunning_contact(struct pm_db *db, const struct pm_contact *c, json_t **out, struct pm_err *e);

/* Each unit with bills past due at as_of: {"type":"dunning_unit","unit",
 * "bills","owed_fen","days" (the oldest bill's),"stage" (the furthest
 * its bills entered, or null),"entered","last_contact","contact_by",
 * "contact_result","promise_date","promise"}; unit NULL for all. */
int pm_dunning_each(struct pm_db *db, int32_t as_of, const char *unit, int (*fn)(void *ctx, json_t *rec),
		    void *ctx, struct pm_err *e);

/* The formal demand (催缴函) to the unit as an A4 HTML page: the bills
 * past due at as_of with what each owes, the total in figures and in
 * 大写, and the unit's statement attached. PM_EDATA when the unit owes
 * nothing past due; PM_EIO when writing fails. */
int pm_dunning_letter(struct pm_db *db, const char *unit, int32_t as_of, FILE *f, struct pm_err *e);

#endif
