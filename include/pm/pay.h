/* Online payment through WeChat Pay (API v3, Native QR codes) and Alipay
 * (openapi with RSA2, alipay.trade.precreate): signed requests, verified
 * answers and notifications, pm-pay's commands. This is libpm-pay, which
 * links OpenSSL's libcrypto; the notification half needs no network and
 * no libcurl (pm-web calls pm_pay_notify for its callback endpoint), the
 * calls to the channels go through libpm-http. pm-pay(1) has the exact
 * strings signed and where each comes from. */
#ifndef PM_PAY_H
#define PM_PAY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "pm/err.h"
#include "pm/payorder.h"

struct pm_db;

/* ---- notifications (支付结果通知): no network ---- */

/* A notification as it came: its headers ("Name: value", NULL-ended;
 * Alipay's need none) and its body, byte for byte. */
struct pm_pay_http {
	const char *const *headers;
	const char *body;
	size_t len;
};

/* One notification as pm-pay notify reads it: header lines ("Name:
 * value", an optional request line "POST /path HTTP/1.1" first), an
 * empty line, then the body as it is. Parsed in place in text (len
 * bytes; a NUL after them); out's headers are allocated: free them with
 * pm_pay_http_free. PM_EDATA for anything else. */
int pm_pay_http_parse(char *text, size_t len, struct pm_pay_http *out, struct pm_err *e);
void pm_pay_http_free(struct pm_pay_http *h);

/* What to answer the channel with: the HTTP status, and the body it
 * expects (WeChat Pay: none on success, {"code":"FAIL","message":...}
 * otherwise; Alipay: "success" or "fail"). */
struct pm_pay_answer {
	int status;
	const char *content_type;   /* NULL when there is no body */
	char body[96];
	size_t len;
};

/* Verifies and records one notification of channel ("wechat",
 * "alipay"): WeChat Pay's Wechatpay-Signature by the platform
 * certificate Wechatpay-Serial names, the timestamp within five minutes
 * of the real clock, the resource decrypted with the APIv3 key; Alipay's
 * sign over the sorted parameters by Alipay's public key. What it says
 * is then recorded by pm_pay_order_event. PM_OK when the channel should
 * be told success (recorded, a replay recording nothing, or news of no
 * payment); PM_EDATA when the notification is refused (forged, stale,
 * for an unknown order or an amount not the order's; the last two are
 * audited, what fails verification is not: anyone can send it);
 * another code when the store or the configuration failed (the channel
 * will send it again). ans is set whatever the result; *out is
 * {"type":"pay_notification","channel","outcome","order","transaction",
 * "amount_fen","http_status","answer"}, outcome one of recorded,
 * duplicate, closed, waiting, refused, failed. */
int pm_pay_notify(struct pm_db *db, const char *channel, const struct pm_pay_http *in,
		  struct pm_pay_answer *ans, json_t **out, struct pm_err *e);
/* The same record and answer for what could not be read as a request at
 * all (pm_pay_http_parse refused it, or it was too long): refused, 400,
 * so that the caller still has the channel's answer to give. */
json_t *pm_pay_notify_unread(const char *channel, struct pm_pay_answer *ans);

/* ---- calls to the channels: libpm-http ---- */

/* pm_pay_order_new, then for a new order the channel's QR-code order
 * (WeChat Pay: POST /v3/pay/transactions/native for its code_url;
 * Alipay: alipay.trade.precreate for its qr_code), its answer verified.
 * The order stays pending without a code when the call fails
 * (PM_EUNAVAIL, or PM_EDATA for an answer that does not verify): sync
 * settles it. *out is the order's record. */
int pm_pay_order_create(struct pm_db *db, struct pm_pay_order *o, json_t **out, struct pm_err *e);

/* Closes a pending order at the channel (WeChat Pay: POST .../close;
 * Alipay: alipay.trade.close), then in the store. An order the channel
 * never saw is closed all the same; one the channel says was paid is
 * PM_EFAIL (pm-pay sync records it). A closed order stays closed. */
int pm_pay_close(struct pm_db *db, const char *no, const char *reason, struct pm_err *e);

/* Asks the channel about every pending order made at or after since
 * (WeChat Pay: GET /v3/pay/transactions/out-trade-no/{no}; Alipay:
 * alipay.trade.query), records the paid and the closed
 * (pm_pay_order_event), and closes the waiting ones past their expiry.
 * Each order is told to fn as {"type":"pay_sync","order","channel",
 * "state","outcome"}. An order the channel could not be asked about is
 * counted in failed and left for the next run; the result is then
 * PM_EUNAVAIL. */
struct pm_pay_sync {
	int64_t since;
	int (*fn)(void *ctx, json_t *rec);
	void *ctx;
	long queried, recorded, closed, waiting, refused, failed;   /* filled in */
	long prepaid;  /* of those recorded, the orders whose bills were paid meanwhile */
};
int pm_pay_sync(struct pm_db *db, struct pm_pay_sync *s, struct pm_err *e);

#endif
