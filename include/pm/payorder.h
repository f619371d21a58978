/* Online payment orders: what pm-pay asks WeChat Pay or Alipay to collect
 * and what the channel said about it. The store's side only; talking to
 * the channels (signing, verifying, HTTP) is in pm/pay.h, in libpm-pay,
 * so that programs which take no payments never load libcrypto for it.
 * Money is int64_t fen. */
#ifndef PM_PAYORDER_H
#define PM_PAYORDER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "pm/auth.h"
#include "pm/err.h"

struct pm_db;

/* An order's out_trade_no: "PM", the day it was made (YYYYMMDD) and 16
 * random hexadecimal digits, 26 characters that both channels accept
 * (letters and digits only). */
#define PM_PAY_NO_MAX 33

/* A new order for a unit through channel ("wechat" or "alipay", which
 * must be one of payments.channels and configured in payments): for
 * amount when it is more than 0 (at most billing.max_amount), else for
 * what the named bills owe, else for what all the unit's issued bills
 * owe. Bills must be the unit's and owe something. The same order again
 * (unit, channel, amount and bills) while one is pending with its QR code
 * and some minutes to go is that order ("existing"), so a payer who
 * reloads the page gets the same code; else a new pending order expiring
 * payments.order_expiry from now ("made"), its QR code still to come
 * (pm_pay_order_qr). Audited; *out is its record (pm_pay_order_get). */
struct pm_pay_order {
	const char *unit, *channel;
	const char *const *bills;
	size_t nbills;
	int64_t amount;
	const char *outcome;   /* filled in: "made" or "existing" */
};
int pm_pay_order_new(struct pm_db *db, struct pm_pay_order *o, json_t **out, struct pm_err *e);

/* The QR code text the channel gave a pending order (WeChat Pay's
 * code_url, Alipay's qr_code). */
int pm_pay_order_qr(struct pm_db *db, const char *no, const char *qr, struct pm_err *e);

/* An order as a record {"type":"pay_order","order","channel","unit",
 * "amount_fen","status","bills","qr","expires","created","transaction",
 * "payment","paid","closed_reason"} (null where there is none).
 * PM_EDATA for an unknown out_trade_no. */
int pm_pay_order_get(struct pm_db *db, const char *no, json_t **out, struct pm_err *e);

/* Whether actor may read or make the orders of unit (NULL: of every
 * unit): an owner only of a unit they live in, one unit at a time
 * (PM_ENOPERM); staff as their role's pay.* permission has it. */
int pm_pay_order_may_read(struct pm_db *db, const struct pm_actor *a, const char *unit, struct pm_err *e);
/* Whether actor may see order no: pm_pay_order_may_read for its unit,
 * and an owner only an order made in their own time there
 * (pm_unit_may_read_from), never a seller's; an unknown order is
 * refused to an owner as another's (PM_ENOPERM), so numbers cannot be
 * probed. */
int pm_pay_order_may_see(struct pm_db *db, const struct pm_actor *a, const char *no, struct pm_err *e);

/* Orders newest first; any filter may be NULL or 0. */
struct pm_pay_filter {
	const char *unit, *status, *channel;
	int64_t since;          /* made at or after (seconds since 1970) */
};
int pm_pay_order_each(struct pm_db *db, const struct pm_pay_filter *f, int (*fn)(void *ctx, json_t *order),
		      void *ctx, struct pm_err *e);
/* The same as actor may read them: pm_pay_order_may_read for f->unit,
 * and an owner only the orders made in their own time there. */
int pm_pay_order_each_as(struct pm_db *db, const struct pm_actor *a, const struct pm_pay_filter *f,
			 int (*fn)(void *ctx, json_t *order), void *ctx, struct pm_err *e);

/* The pending orders of a channel made at or after since, oldest first,
 * as out_trade_no and expiry, for pm-pay sync. */
int pm_pay_order_pending(struct pm_db *db, const char *channel, int64_t since,
			 int (*fn)(void *ctx, const char *no, int64_t expires), void *ctx, struct pm_err *e);

/* The latest pending order of unit whose QR code can still be paid: 1
 * with its number, amount and expiry, 0 when there is none, or -code. A
 * desk taking money for the unit asks, since the owner may yet pay the
 * order too (the second payment then goes to prepaid). */
int pm_pay_order_waiting(struct pm_db *db, const char *unit, char no[PM_PAY_NO_MAX], int64_t *amount,
			 int64_t *expires, struct pm_err *e);

/* What a channel said about an order, from a verified notification or a
 * verified answer to a query. */
enum pm_pay_state {
	PM_PAY_PAID,      /* paid: transaction and amount say what */
	PM_PAY_WAITING,   /* not paid yet (or not even scanned) */
	PM_PAY_CLOSED,    /* closed, failed or revoked at the channel */
};
struct pm_pay_event {
	char no[PM_PAY_NO_MAX];    /* out_trade_no */
	char transaction[65];      /* the channel's transaction id */
	char state_word[32];       /* the channel's own word: SUCCESS, TRADE_SUCCESS, ... */
	enum pm_pay_state state;
	int64_t amount;            /* fen */
	int64_t at;                /* when paid */
};

/* Records what the channel said of an order, each in a transaction of
 * its own. Paid: the order must exist, be the channel's, and the amount
 * must be the order's to the fen; the payment is then recorded through
 * pm_bill_pay (channel, transaction id as ref, the order's unit and
 * bills) and the order marked paid ("recorded"; "duplicate" when it was
 * already, which writes nothing). A paid order's later closing is
 * ignored. Closed: the pending order is marked closed ("closed").
 * Waiting: nothing ("waiting"). Anything that does not match is
 * refused (PM_EDATA, "refused"), audited as pay.refused with what was
 * said and why, and never recorded. *outcome is one of those words;
 * *out (may be NULL) the order's record after. */
int pm_pay_order_event(struct pm_db *db, const char *channel, const struct pm_pay_event *ev,
		       const char **outcome, json_t **out, struct pm_err *e);

/* Marks a pending order closed with reason (pm-pay close, sync of an
 * expired one). PM_EFAIL for an order already paid. Audited. */
int pm_pay_order_close(struct pm_db *db, const char *no, const char *reason, struct pm_err *e);

#endif
