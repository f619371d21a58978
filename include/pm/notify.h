/* Notifications: records become messages in the outbox, one per recipient
 * and channel; a flush sends what is due and records each answer. The
 * outbox row is written before any attempt and marked sent only after the
 * channel confirmed, so a crash loses nothing and every attempt is on
 * record. This module needs no libcurl: it builds the requests
 * (struct pm_http_req) that lib/http.c carries out, and reads the answers.
 * Residents' preferences live here too. */
#ifndef PM_NOTIFY_H
#define PM_NOTIFY_H

#include <stdint.h>

#include <jansson.h>

#include "pm/auth.h"
#include "pm/err.h"
#include "pm/http.h"

struct pm_db;
struct pm_notify;

enum pm_channel { PM_CH_STDOUT, PM_CH_WEBHOOK, PM_CH_WECOM, PM_CH_DINGTALK, PM_CH_EMAIL,
		  PM_CH_SMS, PM_CH_COUNT };
int pm_channel_parse(const char *s, enum pm_channel *ch, struct pm_err *e);
const char *pm_channel_name(enum pm_channel ch);

/* The notifier for the configuration in force today. */
int pm_notify_open(struct pm_db *db, struct pm_notify **out, struct pm_err *e);
void pm_notify_close(struct pm_notify *n);

/* ---- queueing ---- */

struct pm_notify_counts {
	long queued, duplicate, opted_out, no_address;
};

/* The role told when a record names no recipient of its own (NULL:
 * none), such as the front desk for an unassigned SLA breach. */
int pm_notify_set_role(struct pm_notify *n, const char *role, struct pm_err *e);

/* Queues template tmpl for rec: recipients from "to" (an address or list
 * of them), else, for a template whose audience is residents, "unit" (its
 * current owners and tenants, by their preferences), else "assignee" or
 * "login" (a user), else "role" (every enabled user with it), else the
 * role of pm_notify_set_role. A staff template never tells a unit's
 * residents. channel (-1: each person's preferred channels) picks the
 * channel. The dedupe key's {{day}} is today, or the day of the
 * record's "recorded_at" when it has one (a record kept until printed,
 * include/pm/printq.h), so that one printed again a day later is still
 * a duplicate. Run inside a write transaction; PM_EDATA for a record that
 * cannot be sent (nothing of it is queued). */
int pm_notify_queue(struct pm_notify *n, const char *tmpl, int channel, json_t *rec,
		    struct pm_notify_counts *counts, struct pm_err *e);

/* pm_notify_queue with the dedupe key's {{day}} fixed to day (days since
 * 1970-01-01) instead of today: an announcement keys on the day it was
 * made, so pushing it again, however much later, sends nothing twice. */
int pm_notify_queue_day(struct pm_notify *n, const char *tmpl, int channel, json_t *rec,
			int32_t day, struct pm_notify_counts *counts, struct pm_err *e);

/* A dry run: from now on nothing is queued, and each message that would
 * be is handed to show instead (a record of type "message" with its
 * channel, recipient, address, subject, text and next_at); a message
 * already in the outbox counts as a duplicate as ever. */
void pm_notify_set_dry_run(struct pm_notify *n, int (*show)(void *ctx, json_t *msg, struct pm_err *e),
			   void *ctx);

/* The end of channel's quiet hours if t falls in them, else 0. */
int64_t pm_notify_quiet_until(struct pm_notify *n, enum pm_channel ch, int64_t t);

/* ---- flushing ---- */

struct pm_notify_msg {
	int64_t id;
	enum pm_channel channel;
	int attempts;
	/* Retried past its maximum age: claimed to be given up, not tried
	 * again; last_error is the last answer it had. */
	int expired;
	char *recipient, *address, *subject, *body, *html, *ref, *template_name, *last_error;
	char *dedupe; /* its key in the outbox, one message's in its store */
	/* the request, once built, and what it points into */
	struct pm_http_req req;
	struct pm_mail mail;
	char message_id[48];
	char *hdr[3], *url, *payload;
	const char *headers[4];
};

/* A flush's account, kept by the notifier: answers by enum pm_verdict,
 * messages put off for quiet hours, and those of an interrupted flush
 * queued again. Its audit record (pm_audit_run, notify.flush on outbox)
 * is written "running" with the first round of answers, so a flush
 * killed later is accounted for, and "done" at the end. */
struct pm_notify_tally {
	long counts[3], postponed, recovered;
	long refused;  /* messages left queued: their channel cannot be used */
	char why[256]; /* why the first such channel cannot */
};

/* Starts a flush: a fresh account, the messages a killed flush left in
 * 'sending' (their attempt is on record) queued again, and the channels
 * of the messages due checked: one not configured or whose secrets cannot
 * be read is refused, its messages not claimed (no attempt counted).
 * only_queued_here: claim only what this notifier queued. */
int pm_notify_flush_start(struct pm_notify *n, int only_queued_here, struct pm_err *e);
const struct pm_notify_tally *pm_notify_tally(const struct pm_notify *n);

/* Claims up to max due messages (status queued, next_at <= now): those
 * retried past their maximum age come back expired, left as they are for
 * pm_notify_settle to give up; those in their channel's quiet hours are
 * put off to its end (counted); the others are marked 'sending' with the
 * attempt counted; in one transaction. *msgs is an array to free with
 * pm_notify_msgs_free. */
int pm_notify_claim(struct pm_notify *n, int64_t now, size_t max, struct pm_notify_msg **msgs,
		    size_t *count, struct pm_err *e);
void pm_notify_msgs_free(struct pm_notify_msg *msgs, size_t count);

/* Builds m->req for m's channel from the configuration: URL, headers,
 * body, signature. PM_ECONFIG when the channel is not configured or a
 * secret's environment variable is unset (the message then fails). */
int pm_notify_request(struct pm_notify *n, struct pm_notify_msg *m, int64_t now,
		      struct pm_err *e);

/* The stdout channel's record for m. */
json_t *pm_notify_msg_json(const struct pm_notify_msg *m);

enum pm_verdict { PM_SENT, PM_RETRY, PM_FAILED };
/* What the channel's answer means; reason says why when not sent. */
enum pm_verdict pm_notify_verdict(enum pm_channel ch, const struct pm_http_res *res, char *reason,
				  size_t size);

/* Records the outcome of m's attempt, *v: sent, failed, or queued again
 * after an exponential backoff with jitter (failed instead once past the
 * message's maximum age); an expired message is failed with its last
 * error, whatever *v. *v becomes what it came to, and is counted so.
 * Answers are settled in rounds, one write transaction each: the first
 * settle opens the round. */
int pm_notify_settle(struct pm_notify *n, const struct pm_notify_msg *m, enum pm_verdict *v,
		     const char *reason, int64_t now, struct pm_err *e);
/* Commits the open round, if any, with the flush's "running" record the
 * first time. */
int pm_notify_round_end(struct pm_notify *n, struct pm_err *e);
/* Puts m, claimed but not attempted (a flush stopped short: its output
 * closed), back in the queue with its attempt not counted, in the open
 * round. */
int pm_notify_unclaim(struct pm_notify *n, const struct pm_notify_msg *m, struct pm_err *e);
/* Rolls the open round back, after an error. */
void pm_notify_round_abort(struct pm_notify *n);
/* The flush's "done" record, when it did anything. */
int pm_notify_flush_end(struct pm_notify *n, struct pm_err *e);

/* The configured parallel transfers and channel's messages per second (0:
 * no limit). */
int pm_notify_parallel(struct pm_notify *n);
int pm_notify_rate(struct pm_notify *n, enum pm_channel ch);

/* ---- the flush loop (libpm-http) ---- */

struct pm_notify_flush_opts {
	int parallel;      /* transfers at once; 0: notify.parallel */
	long limit;        /* messages at most; 0: all that are due */
	int only_queued_here; /* only what this notifier queued (send --flush) */
	/* The stdout channel's writer: PM_OK once rec is out (then the
	 * message is sent). */
	int (*out)(void *ctx, json_t *rec, struct pm_err *e);
	/* Told each message's outcome, or NULL. */
	void (*told)(void *ctx, const struct pm_notify_msg *m, enum pm_verdict v, const char *why);
	void *ctx;
};

/* Delivers the messages due: one flush at a time per store (a lock file
 * beside it; PM_ETEMPFAIL when another holds it), each channel at its
 * configured rate, up to parallel transfers at once, answers settled in
 * rounds with the flush's run record (pm_notify_flush_start to
 * pm_notify_flush_end). Then, with a one-line account in e: PM_ECONFIG
 * when a channel was refused, PM_EUNAVAIL when a message failed for
 * good, PM_ETEMPFAIL when one waits to be retried, PM_OK when every
 * message claimed was delivered (those put off for quiet hours were not
 * due). pm_notify_tally(n) holds the counts. */
int pm_notify_flush(struct pm_notify *n, const struct pm_notify_flush_opts *o, struct pm_err *e);

/* ---- the outbox ---- */

/* PM_OK when s is an outbox status (queued, sending, sent, failed), else
 * PM_EUSAGE naming them. */
int pm_notify_status_parse(const char *s, struct pm_err *e);
/* Outbox rows as records, oldest first: with status (NULL: any), unit
 * (NULL: any). */
int pm_notify_each(struct pm_db *db, const char *status, const char *unit,
		   int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e);
/* Queues a failed (or queued) message again, due now, with a fresh age;
 * audited. PM_EDATA for an unknown or sent id. */
int pm_notify_retry(struct pm_notify *n, int64_t id, struct pm_err *e);

/* ---- identity and signatures, exposed for their tests ---- */

/* The record's identity, the dedupe key's {{ref}}: for its type, the
 * fields that make it one event ("ticket" id:status, "sla_breach"
 * ticket:clock, "anomaly" rule:meter:period[:ts]), else its "id", else the
 * field named like its type (a bill's "bill", a payment's "payment"), else
 * 16 hex digits of the SHA-256 of the whole record. malloc'd; NULL when
 * out of memory. */
char *pm_notify_ref(json_t *rec);

/* DingTalk: base64(HMAC-SHA256(secret, "TIMESTAMP\nsecret")) URL-encoded,
 * timestamp in milliseconds. out must hold 128 bytes. */
void pm_dingtalk_sign(const char *secret, int64_t ts_ms, char out[128]);

/* ---- preferences ---- */

/* Sets a person's channels (comma list, NULL: keep), opted-out categories
 * (comma list, NULL: keep, "": none) and e-mail address (NULL: keep, "":
 * none); audited. Legal notices (bill_overdue) are sent whatever the
 * opt-outs say. */
int pm_notify_prefs_set(struct pm_db *db, const char *person, const char *channels,
			const char *optout, const char *email, struct pm_err *e);
/* {"type":"prefs","person","channels","optout","email"}; a person who set
 * nothing gets the defaults (empty lists). */
int pm_notify_prefs_get(struct pm_db *db, const char *person, json_t **out, struct pm_err *e);

/* Whether actor may see and change person's preferences: staff with
 * notify.prefs, an owner only their own (notify.self). */
int pm_notify_prefs_may(struct pm_db *db, const struct pm_actor *a, const char *person,
			struct pm_err *e);

#endif
