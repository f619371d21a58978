/* Bills: monthly runs from the fee items of the configuration, issue to
 * the ledger, payments and their allocation, notes, voids, refunds, late
 * fees and statements. Money is int64_t fen. */
#ifndef PM_BILL_H
#define PM_BILL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "pm/auth.h"
#include "pm/err.h"
#include "pm/timeutil.h"

struct pm_db;
struct pm_actor;

/* A bill run for one period: one draft bill per billable unit with one
 * line per fee item. Each bill is computed from its inputs (the config
 * version in force on the period's first day, readings, occupancy,
 * shares, repair charges) and keeps a digest of them: a unit with no bill
 * gets one ("made"); a draft whose inputs changed is rebuilt in place
 * ("made", counted in recomputed too; with recompute, every draft is); an
 * issued bill whose inputs changed is told of ("changed", with what it
 * would be now and the difference: pm_bill_rebill proposes the note) and
 * never rewritten; anything else is "skipped", with nothing written, so a
 * re-run on the same inputs changes nothing. A period after the current
 * month is refused (PM_EDATA) unless future. Bills are written a batch of
 * units per transaction, so a killed run leaves whole bills and a re-run
 * finishes the rest; dry_run writes nothing. */
struct pm_bill_run {
	struct pm_period period;
	char *const *units;    /* unit codes, or NULL for all */
	size_t nunits;
	int dry_run, recompute, future;
	long batch;            /* units per transaction (0: 5000) */
	/* Told of each bill made, skipped or changed ({"type":"bill",...,
	 * "outcome"}), unless NULL; a non-zero return stops the run. */
	int (*fn)(void *ctx, json_t *bill);
	void (*progress)(void *ctx, long done, long total);
	void *ctx;
	long made, skipped, recomputed; /* filled in */
	long changed;                   /* issued bills whose inputs changed */
	long vacant;                    /* bills made with a vacancy discount */
	int64_t total;                  /* fen, of the bills made */
};
int pm_bill_run(struct pm_db *db, struct pm_bill_run *r, struct pm_err *e);

/* An issued bill against its inputs now: computed again as the run of its
 * period would compute it, each line (matched by fee, label, meter and
 * repair ticket) told to fn as {"type":"rebill_line","fee","label",
 * "was_fen","now_fen","difference_fen"} when its inputs changed since it
 * was issued. With confirm, the difference is recorded as a note
 * (pm_bill_adjust's rules: a credit beyond what it owes is refused) with
 * reason, the bill takes the new inputs (so runs no longer tell of it)
 * and one audit record holds the lines. PM_EDATA for a draft or a void
 * bill. */
struct pm_rebill {
	const char *bill, *reason;
	int confirm;
	int (*fn)(void *ctx, json_t *line);
	void *ctx;
	int changed;                      /* filled in */
	int64_t was, now, difference;     /* fen: its lines then and now */
};
int pm_bill_rebill(struct pm_db *db, struct pm_rebill *rb, struct pm_err *e);

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

/* PM_OK when s is a bill's status (draft, issued, partial, paid, void),
 * else PM_EUSAGE naming them. */
int pm_bill_status_parse(const char *s, struct pm_err *e);

/* Bills as summary records, by period then unit. Any filter may be NULL;
 * status one pm_bill_status_parse accepts; overdue: issued or partial,
 * due before today. */
struct pm_bill_filter {
	const char *period, *status, *unit, *building;
	int overdue;
};
int pm_bill_each(struct pm_db *db, const struct pm_bill_filter *f, int (*fn)(void *ctx, json_t *bill),
		 void *ctx, struct pm_err *e);
/* The same as actor sees them: pm_bill_may_read for f->unit, and an
 * owner only the bills of their own time there (pm_bill_may_read_bill). */
int pm_bill_each_as(struct pm_db *db, const struct pm_actor *a, const struct pm_bill_filter *f,
		    int (*fn)(void *ctx, json_t *bill), void *ctx, struct pm_err *e);
/* A bill with its lines, breakdowns, allocations, notes and late fees.
 * An allocation of a payment names it ("payment": its id, the receipt's
 * number). PM_EDATA for an unknown code. */
int pm_bill_get(struct pm_db *db, const char *code, json_t **out, struct pm_err *e);
/* The same as actor sees it: pm_bill_may_read_bill, and for an owner
 * only the events of their own time in the unit: a buyer is not shown
 * what the seller paid towards a bill that passed with the unit (nor
 * the seller's receipts), only what is still owed. */
int pm_bill_get_as(struct pm_db *db, const struct pm_actor *a, const char *code, json_t **out, struct pm_err *e);
/* The unit a bill is for, to check who may see it. */
int pm_bill_unit(struct pm_db *db, const char *code, char *unit, size_t size, struct pm_err *e);
/* Whether actor may read bill (a code), else the bills of unit, else,
 * both NULL, every bill of the community (a list, a period's notices):
 * bill.read, and an owner only those of a unit they live in, one unit or
 * bill at a time (PM_ENOPERM). Statements and reward points are read
 * under the same rule. Every program and the web front end ask this. */
int pm_bill_may_read(struct pm_db *db, const struct pm_actor *a, const char *bill, const char *unit,
		     struct pm_err *e);
/* The same for the bill code, with *unit (size bytes) its unit: an owner
 * is refused an unknown bill as one not theirs (PM_ENOPERM), so owners
 * cannot probe for bills, and so is a bill of the unit from before their
 * time there that was settled then (a seller's, paid before the sale:
 * pm_unit_may_read_from). A bill still owed passes with the unit: the
 * new owner sees it, and is the one the office asks to pay it. */
int pm_bill_may_read_bill(struct pm_db *db, const struct pm_actor *a, const char *code, char *unit,
			  size_t size, struct pm_err *e);

/* A payment: to a named bill, else the unit's open bills oldest due
 * first, within a bill by the configured allocation order; the excess is
 * prepaid. The channel must be one of payments.channels; the ref is
 * compared after trimming surrounding white space. Idempotent on
 * (channel, ref): the same again is a duplicate, a different unit or
 * amount a conflict (PM_EDATA); an amount above billing.max_amount is
 * refused (PM_EDATA). Inside a write transaction; audited.
 *
 * Cash at the desk may come with no ref (NULL): the payment's receipt is
 * numbered at once, this year's next ("2026-000018"), and the number is
 * its ref ("receipt" in *out). With no ref to compare, the same amount
 * for the same unit recorded by the same cashier within
 * payments.cash_repeat (default 10 minutes) is that payment again, a
 * duplicate, unless again: a re-run command does not pay twice.
 *
 * The time paid is from 2000 to now plus meters.future_tolerance, as a
 * reading's and a gate event's are (pm_bill_pay_time): PM_EDATA
 * otherwise, naming field "at". */
struct pm_pay {
	const char *unit, *channel, *ref, *bill;
	int64_t amount, at;
	int again;
	/* Instead of bill, several bills paid first in this order (an online
	 * order's); the excess is prepaid as with bill. */
	const char *const *bills;
	size_t nbills;
};
enum pm_pay_did { PM_PAY_RECORDED, PM_PAY_DUPLICATE };
extern const char *const pm_pay_names[]; /* "recorded", "duplicate", NULL */
int pm_pay_parse(json_t *rec, struct pm_pay *p, struct pm_err *e);
extern const char *const pm_pay_fields[]; /* what pm_pay_parse reads */
/* rec's "ref" without surrounding white space, put back in rec: refs are
 * compared so, "WX1 " and "WX1" being the same callback. */
int pm_pay_ref(json_t *rec, const char **ref, struct pm_err *e);
/* A payment's reference as pm stores it and echoes it into JSON, pages,
 * exports and logs: 1 to PM_PAY_REF_MAX bytes of printable UTF-8, no C0
 * or C1 control, DEL or bidi control (U+061C, U+200E-U+200F, U+202A-U+202E,
 * U+2066-U+2069), and nothing that shows as a blank but U+0020, as
 * nothing or on the character before (pm_char_unshown), nor a space at
 * its start or end.
 * WeChat Pay's out_trade_no is up to 32 bytes, Alipay's up to 64, their
 * transaction ids up to 64. PM_EDATA naming what (the field or option)
 * otherwise. Only what comes in is checked: refs stored before read as
 * they are. */
#define PM_PAY_REF_MAX 128
int pm_pay_ref_valid(const char *what, const char *ref, struct pm_err *e);
/* PM_EDATA unless channel is one of payments.channels (in the config in
 * force today), naming the nearest when one is close. */
int pm_pay_channel_listed(struct pm_db *db, const char *channel, struct pm_err *e);
/* The same for a channel money moves through: "points" (reward points,
 * no money) is PM_EDATA always, though payments.channels list it. */
int pm_pay_channel(struct pm_db *db, const char *channel, struct pm_err *e);
/* 0 when no bill payment, group-buying order, web order's payment that
 * made no order (claimed or refused), service booking, deposit taken or
 * contract payment has (channel, ref), else -PM_EDATA naming which has
 * (or -code): one
 * transaction of a channel is one payment. Each kind checks its own
 * table for a repeat first, then this for the others. */
int pm_pay_ref_used(struct pm_db *db, const char *channel, const char *ref, struct pm_err *e);
int pm_bill_pay(struct pm_db *db, const struct pm_pay *p, enum pm_pay_did *did, json_t **out,
		struct pm_err *e);
/* PM_EDATA, naming what (a field, an option), unless at is a time a
 * payment may have been made: pm_time_plausible with now plus
 * meters.future_tolerance. A payment dated 2099 would sort after every
 * other, fall outside every day a statement is reconciled for, and be
 * counted in a collection rate decades on. */
int pm_bill_pay_time(struct pm_db *db, int64_t at, const char *what, struct pm_err *e);
/* pm_bill_pay in a write transaction of its own: one payment (pm-bill
 * pay, a payment callback). *out is NULL unless it committed. */
int pm_bill_pay_one(struct pm_db *db, const struct pm_pay *p, enum pm_pay_did *did, json_t **out,
		    struct pm_err *e);

/* Reward points paying a bill's parking lines (停车优惠), in a write
 * transaction of its own: the points of unit (NULL: the bill's own unit;
 * another only when one person owns both today, PM_EDATA naming the
 * owners otherwise), at rewards.parking's rate and within its month cap
 * shared with pm-gate's parking (pm_parking_points_spend: expired points
 * buy nothing), pay the bill's lines of fee type parking and nothing
 * else: more than they owe is PM_EDATA, as is a bill with none. Recorded
 * as a payment of channel PM_BILL_POINTS, no money: the company's
 * expense:points credits the receivable. Idempotent on ref as a payment
 * is; audited (bill.points). *out as pm_bill_pay's, with "bill",
 * "points_unit", "points" and "month". */
#define PM_BILL_POINTS "points"
struct pm_bill_points {
	const char *bill, *unit, *ref;
	int64_t points, at;
};
int pm_bill_pay_points(struct pm_db *db, const struct pm_bill_points *p, enum pm_pay_did *did, json_t **out,
		       struct pm_err *e);
/* Whether actor may pay bill (a code) with the points of unit (NULL: the
 * bill's own): bill.points of the permission table, the bill one actor
 * may read, and an owner's points only those of a unit they live in
 * (PM_ENOPERM). pm-bill pay-points and the web's points form ask this. */
int pm_bill_may_spend_points(struct pm_db *db, const struct pm_actor *a, const char *bill, const char *unit,
			     struct pm_err *e);

/* What points could pay of a bill's parking lines at time at (the web's
 * offer): owed what the lines still owe within what the bill owes (fen;
 * 0 unless issued or partly paid), per_fen and cap rewards.parking's rate
 * and month cap (fen, -1: none), most the points that pay the most of it
 * within the cap. What a unit's points and this month's spending allow,
 * pm_bill_pay_points decides. PM_ECONFIG when rewards.parking is not set. */
struct pm_bill_points_quote {
	int64_t owed, per_fen, cap, most;
};
int pm_bill_points_quote(struct pm_db *db, const char *bill, int64_t at, struct pm_bill_points_quote *q,
			 struct pm_err *e);

/* Each its own transaction, audited, its record in *out. void: an issued
 * or draft bill with nothing paid; adjust: a credit (< 0) or debit note on an issued bill,
 * at most billing.max_amount either way; refund: from the unit's prepaid
 * balance, up to what the payment was. */
int pm_bill_void(struct pm_db *db, const char *code, const char *reason, json_t **out, struct pm_err *e);
int pm_bill_adjust(struct pm_db *db, const char *code, int64_t amount, const char *reason,
		   json_t **out, struct pm_err *e);
int pm_bill_refund(struct pm_db *db, int64_t payment, int64_t amount, const char *reason,
		   json_t **out, struct pm_err *e);

/* SQL: bill b is of an owner's time in its unit from the instant from
 * (an SQL expression, UTC seconds) on: owed still, whatever its period,
 * for what a unit owes passes with it and is whoever owns it now's to
 * settle; else issued then, or paid (in part) or credited then. A bill
 * the seller had settled before the sale is the seller's, not the
 * buyer's. Every query that shows an owner bills (pm-bill list and
 * show, pm-report's money reports) asks this, from the owner's
 * pm_unit_may_read_from (PM_RESIDENT_FROM). */
#define PM_BILL_OF_TIME(b, from) \
	"(" b ".status IN ('issued','partial') OR coalesce(" b ".issued_at, " b ".created_at) >= " from \
	" OR EXISTS (SELECT 1 FROM allocation ta JOIN journal tj ON tj.id = ta.journal_id" \
	" WHERE ta.bill_id = " b ".id AND tj.ts >= " from "))"

/* SQL: when allocation a changed what its bill owes: a payment p's at
 * its time (payment.at, when the money came), prepaid money's (no p) at
 * its journal entry j's, the issue that applied it, and what a later
 * credit gave back (a negative allocation) at its own entry's. */
#define PM_ALLOCATION_AT(a, p, j) \
	"CASE WHEN " a ".amount_fen > 0 THEN coalesce(" p ".at, " j ".ts) ELSE " j ".ts END"

/* SQL: when journal entry j changed what a unit owes: a payment's own
 * entry (kind payment, the money into cash:CHANNEL) at the payment's
 * time, payment.at, when the money came, as the reports count it (not
 * when it was keyed in); any other at its own time, j.ts. */
#define PM_JOURNAL_AT(j) \
	"coalesce((SELECT jp.at FROM payment jp WHERE " j ".kind = 'payment' AND " j ".ref GLOB 'payment:*'" \
	" AND jp.id = CAST(substr(" j ".ref, 9) AS INTEGER) AND EXISTS (SELECT 1 FROM posting jc" \
	" WHERE jc.journal_id = " j ".id AND jc.account GLOB 'cash:*')), " j ".ts)"

/* SQL: the refunds of payments, pm-bill refund's and a transfer's: each
 * a journal entry j "refund" of ref payment:ID, made at j.ts, its posting
 * x crediting cash:CHANNEL, the channel the money left by (the payment's,
 * or a transfer's billing.transfer.channel), of the payment p. FROM the
 * first, and the second in the WHERE clause. */
#define PM_BILL_REFUND_FROM \
	" journal j JOIN posting x ON x.journal_id = j.id JOIN payment p ON p.id = CAST(substr(j.ref, 9) AS INTEGER)"
#define PM_BILL_REFUND_IS "(j.kind = 'refund' AND j.ref GLOB 'payment:*' AND x.account GLOB 'cash:*')"

/* Every charge, payment, note and refund of a unit between two dates
 * (days since 1970, inclusive; INT32_MIN/INT32_MAX for open ends), with
 * the running balance owed (negative: in credit), in time order: a
 * payment at when the money came (PM_JOURNAL_AT). */
int pm_bill_statement(struct pm_db *db, const char *unit, int32_t from, int32_t to,
		      int (*fn)(void *ctx, json_t *row), void *ctx, struct pm_err *e);
/* The same as actor may read it (pm_bill_may_read): an owner's begins
 * no earlier than their time in the unit, its first balance what the
 * unit owed or held then (what a transfer carried). */
int pm_bill_statement_as(struct pm_db *db, const struct pm_actor *a, const char *unit, int32_t from, int32_t to,
			 int (*fn)(void *ctx, json_t *row), void *ctx, struct pm_err *e);
/* A statement entry's kind ("issue", "payment", ...) as people read it
 * in Chinese on a statement page or a demand letter; kind itself when it
 * has no name. */
const char *pm_bill_entry_name(const char *kind);

/* Payment id as {"type":"payment","payment","channel","ref","unit",
 * "amount_fen","refunded_fen","at","bill","allocations":[{"bill",
 * "period","amount_fen"}]}: what a receipt shows. PM_EDATA when there
 * is none. */
int pm_payment_get(struct pm_db *db, int64_t id, json_t **out, struct pm_err *e);
/* Whether actor may see payment id (its receipt): who takes payments
 * (bill.pay) any; an owner one of a unit they live in, made in their own
 * time there (pm_unit_may_read_from), never a seller's. PM_ENOPERM said
 * the same way whether the payment is another's or none. */
int pm_payment_may_read(struct pm_db *db, const struct pm_actor *a, int64_t id, struct pm_err *e);

/* What the unit owes now: its receivable less its prepaid balance, the
 * statement's last balance (negative: in credit). */
int pm_unit_owed(struct pm_db *db, const char *unit, int64_t *owed, struct pm_err *e);

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
