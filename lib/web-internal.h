/* What the page modules of the web front end share (lib/webapp.c).
 * Private to libpm. */
#ifndef PM_WEB_INTERNAL_H
#define PM_WEB_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include "pm/html.h"
#include "pm/timeutil.h"
#include "pm/webapp.h"

/* The page's frame: head, top bar, the menu the actor's permissions
 * allow, the heading. The body goes to w->res.f. */
void pm_web_page(struct pm_web *w, const char *title);
void pm_web_page_end(struct pm_web *w);

/* The <option>s of the units an owner lives in, each with the points it
 * may spend now (what shop orders hold is not); *most (unless NULL) the
 * most any of them may. */
int pm_web_points_options(struct pm_web *w, int64_t *most);

/* A list with nothing in it says so: pm_web_mark where its rows begin,
 * and pm_web_none after them writes text when they wrote nothing, as a
 * table's row across cols columns, or a list's item when cols is 0. */
long pm_web_mark(struct pm_web *w);
void pm_web_none(struct pm_web *w, long mark, int cols, const char *text);

/* A text field of the query or form, or NULL; trimmed of nothing. */
const char *pm_web_param(struct pm_web *w, const char *name);
/* The same, "" when it is not there: a form's field filled in as it was
 * sent, for a form shown again with why its input was refused. */
const char *pm_web_sent(struct pm_web *w, const char *name);
/* Whether the form sent to action (a path: "/ticket/7/resolve") is the
 * one shown again refused, and pm_web_sent of its field, else "": for a
 * page of several forms with the same fields (a ticket's steps). */
int pm_web_sent_here(struct pm_web *w, const char *action);
const char *pm_web_sent_to(struct pm_web *w, const char *action, const char *name);
/* The same, NULL also when it is empty: a form's field left blank. */
const char *pm_web_field(struct pm_web *w, const char *name);
/* A field holding an amount of money into *fen, left as it is when the
 * field is blank: PM_OK, or PM_EDATA saying the form's label was wrong
 * ("金额“29７.00”不对：…"), not the record's field. */
int pm_web_money(struct pm_web *w, const char *name, const char *label, int64_t *fen);
/* A field holding a positive number: PM_OK, or PM_EDATA naming it. */
int pm_web_param_id(struct pm_web *w, const char *name, int64_t *id);
/* The route's i-th "*" segment as a positive number. */
int pm_web_arg_id(struct pm_web *w, int i, int64_t *id);

/* Sets w->err (printf-style) and returns code: for the error page. */
int pm_web_fail(struct pm_web *w, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A form's unit field: for an owner a choice of the units they live in,
 * for staff a unit's code to type (required, or not for a form that
 * takes an area instead). */
int pm_web_unit_field(struct pm_web *w, int required);

/* A form's hidden CSRF field and opening tag (pm_html_form with the
 * session's token and the script's prefix). */
void pm_web_form(struct pm_web *w, const char *path, int multipart);

/* The configuration in force that every request may need, read once a
 * request (both sections by one statement; pm_web_end forgets them, so a
 * FastCGI responder's next request sees a version applied meanwhile):
 * the web section's sign-in limits into w->limits, the community's name
 * into w->community. */
int pm_web_config(struct pm_web *w, struct pm_err *e);
/* The community's name from the configuration in force ("" when it
 * cannot be read): read with the limits when pm_web_config ran, else
 * alone. */
const char *pm_web_community(struct pm_web *w);

/* "2026-11-23T09:00:00+08:00" as people read it: "2026-11-23 09:00". */
void pm_web_time(FILE *f, const char *rfc3339);

/* A printable page (a payment notice, a demand letter, a receipt) keeps
 * its print style css inline: the response allows it by its hash. */
void pm_web_print_style(struct pm_web *w, const char *css);

/* Chinese for a ticket status, a ticket step, a bill status. */
const char *pm_web_ticket_status(const char *s);
const char *pm_web_bill_status(const char *s);

/* The digital twin of the month period on the dashboard, its layer the
 * query's "layer" (web-twin.c): PM_ENOPERM for a layer not the actor's,
 * PM_EDATA for one unknown. */
int pm_web_twin(struct pm_web *w, struct pm_period period);

/* data's QR code drawn into the page with caption below: the same SVG
 * as pm-gate pass show --qr-svg writes, without its XML declaration. */
int pm_web_qr(struct pm_web *w, const char *data, const char *caption);

/* The pay page's online channels (pm-pay's payments section): a form
 * each that orders owed for bill (webpay.c), for a role that may; how
 * many were offered. */
int pm_web_pay_online(struct pm_web *w, const char *bill, int64_t owed);

#endif
