/* Payment callbacks: a payment provider, or the office's own gateway,
 * posts one payment as a JSON object ({"unit","amount","ref","bill",
 * "at"}, as pm-bill pay reads them) to the web front end's
 * /callback/CHANNEL, signed with HMAC-SHA256 of the body under the
 * channel's secret (`web.callbacks.CHANNEL.secret`, env: or file:). The
 * signature comes as 64 hex digits, "sha256=" before them allowed. */
#ifndef PM_CALLBACK_H
#define PM_CALLBACK_H

#include <stddef.h>

#include <jansson.h>

#include "pm/err.h"

struct pm_db;

/* Bodies longer than this are refused before anything is read of them. */
#define PM_CALLBACK_MAX 8192

/* Checks the signature of a callback on channel, then records its payment
 * through pm_bill_pay in a transaction of its own, audited for the
 * channel: idempotent on (channel, ref), so a replay records nothing and
 * answers as the first did (*out's "outcome" says "duplicate"). A body
 * with "order" pays a group-buying order made on the web
 * (pm_shop_cart_pay: {"order","amount","ref"}) the same way. Errors:
 * PM_ENOINPUT for a channel with no callback configured, PM_ENOPERM for a
 * missing or wrong signature, PM_EDATA for a body that is no payment (or
 * a different payment under a recorded ref), PM_ETEMPFAIL when the store
 * stayed busy (the provider should try again). */
int pm_callback_pay(struct pm_db *db, const char *channel, const char *body, size_t len,
		    const char *signature, json_t **out, struct pm_err *e);

/* The body of a callback as a payment record, channel set: what the fuzz
 * target reads. */
int pm_callback_parse(const char *channel, const char *body, size_t len, json_t **rec,
		      struct pm_err *e);

#endif
