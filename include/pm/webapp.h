/* The pages of the web front end (pm-web(8)). One request is one struct
 * pm_web: the request, the response being written, the store, and who is
 * acting. The program (cmd/pm-web.c) reads the request, finds the page in
 * its route table, calls pm_web_begin for what the route needs, then the
 * page, then pm_web_finish, and writes the response.
 *
 * pm-web runs as the service account (pm user add --role service --unix
 * www-data). A signed-in user is resolved with pm_auth_act_for as that
 * account acting for them, and every page asks the library's permission
 * functions with that actor: no page decides by itself who may do what. */
#ifndef PM_WEBAPP_H
#define PM_WEBAPP_H

#include <jansson.h>

#include "pm/auth.h"
#include "pm/err.h"
#include "pm/session.h"
#include "pm/web.h"

struct pm_db;

#define PM_WEB_MAX_ARGS 2

struct pm_web {
	struct pm_web_req req;
	struct pm_web_res res;
	const char *db_path;            /* PM_DB */
	const char *assets;             /* URL of the style sheets' directory */
	const char *body;               /* the request's body as read */
	size_t body_len;
	struct pm_db *db;               /* kept open between FastCGI requests */
	struct pm_actor caller;         /* the account pm-web runs as */
	struct pm_actor actor;          /* who acts: the signed-in user, else the caller */
	struct pm_session session;      /* id 0: nobody signed in */
	struct pm_signin_limits limits;
	int config_read;                /* 1: community read, 2: and limits (pm_web_config) */
	char arg[PM_WEB_MAX_ARGS][PM_WEB_MAX_PATH]; /* the route's "*" segments */
	char community[128];
	char pre[PM_SESSION_TOKEN];     /* the sign-in forms' token */
	json_t *repair;                 /* the repair section, once a request */
	/* Where a failure not shown on the page is told (the server's error
	 * log): a line without its newline; NULL: stderr. */
	void (*log)(void *ctx, const char *line);
	void *log_ctx;
	struct pm_err err;
	/* Why a form's input was refused, when its page shows the form again
	 * (pm_web_page puts it above): "" otherwise. */
	char refused[PM_ERR_MSG_MAX];
};

/* What a route needs before its page runs. */
enum pm_web_needs {
	PM_WEB_PUBLIC = 1,   /* no session needed (sign-in, callbacks, assets) */
	PM_WEB_NO_CSRF = 2,  /* a POST that carries no form (a signed callback) */
};

/* Opens the store (once, for FastCGI), resolves the caller (who must be a
 * service account or an admin), the session from its cookie and the
 * actor, and for a POST checks the form's CSRF token against the
 * session's. PM_ENOPERM when a session is needed and there is none
 * (the page then offers sign-in); PM_ECONFIG when pm-web runs as an
 * account that may not act for others. */
int pm_web_begin(struct pm_web *w, unsigned needs);
/* Renders w->err as an error page with its status in place of whatever
 * was written, unless the page answered already (a redirect). The text
 * shown is the library's message only for refusals and bad input that
 * quote nothing internal; anything else is logged to stderr (the
 * server's error log) and shown as a plain apology. */
void pm_web_error(struct pm_web *w, int rc);
/* A form's input refused with rc, for itself (PM_EDATA, PM_EUSAGE) or by
 * a rule (PM_EFAIL), saying why in w->err: page, the page of the form,
 * shows it again filled in as sent (it reads the fields; w->refused
 * holds why, which pm_web_page puts above), answered 400 or 409 as the
 * error page would be. 0 when rc is no such refusal (a failure of the
 * system, a redirect made): the caller shows the error page; else 1. */
int pm_web_again(struct pm_web *w, int rc, int (*page)(struct pm_web *w));
/* A line for the server's error log ("pm-web: " first). */
void pm_web_log(struct pm_web *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Ends a request: forgets the session and actor, keeps the store. */
void pm_web_end(struct pm_web *w);

/* ---- the pages ---- */

/* sign-in and out (websign.c) */
int pm_page_login(struct pm_web *w);
int pm_page_login_post(struct pm_web *w);
int pm_page_login_code(struct pm_web *w);
int pm_page_login_verify(struct pm_web *w);
int pm_page_logout(struct pm_web *w);
int pm_page_password(struct pm_web *w);
int pm_page_password_post(struct pm_web *w);

/* the home page, units, bills, payments, exports (webbill.c) */
int pm_page_home(struct pm_web *w);
int pm_page_units(struct pm_web *w);
int pm_page_unit(struct pm_web *w);
int pm_page_bills(struct pm_web *w);
int pm_page_bill(struct pm_web *w);
int pm_page_notice(struct pm_web *w);
int pm_page_statement(struct pm_web *w);
int pm_page_pay(struct pm_web *w);
int pm_page_bill_order(struct pm_web *w);
int pm_page_order(struct pm_web *w);
int pm_page_reserve(struct pm_web *w);
int pm_page_reserve_post(struct pm_web *w);
int pm_page_reservation_cancel(struct pm_web *w);
int pm_page_bill_points(struct pm_web *w);
int pm_page_points(struct pm_web *w);
int pm_page_cash(struct pm_web *w);
int pm_page_cash_post(struct pm_web *w);
int pm_page_receipt(struct pm_web *w);
int pm_page_receipt_print(struct pm_web *w);
int pm_page_receipt_print_post(struct pm_web *w);
int pm_page_dashboard(struct pm_web *w);
int pm_page_export(struct pm_web *w);
int pm_page_callback(struct pm_web *w);

/* repairs and the work of staff (webticket.c) */
int pm_page_repair(struct pm_web *w);
int pm_page_repair_post(struct pm_web *w);
int pm_page_tickets(struct pm_web *w);
int pm_page_ticket(struct pm_web *w);
int pm_page_ticket_step(struct pm_web *w);
int pm_page_ticket_rate(struct pm_web *w);
int pm_page_photo(struct pm_web *w);
int pm_page_today(struct pm_web *w);

/* arrears chasing (web-dunning.c) */
int pm_page_dunning(struct pm_web *w);
int pm_page_dunning_contact(struct pm_web *w);
int pm_page_dunning_letter(struct pm_web *w);

/* visitors and parking (webgate.c) */
int pm_page_visitors(struct pm_web *w);
int pm_page_visitors_post(struct pm_web *w);
int pm_page_visitor(struct pm_web *w);
int pm_page_visitor_step(struct pm_web *w);
int pm_page_parking(struct pm_web *w);

/* the owner's renovation application, and the renovations (web-renov.c) */
int pm_page_renovations(struct pm_web *w);
int pm_page_renovations_post(struct pm_web *w);

/* announcements, sign-ups, preferences (webnotify.c) */
int pm_page_announcements(struct pm_web *w);
int pm_page_announcement(struct pm_web *w);
int pm_page_rsvp(struct pm_web *w);
int pm_page_prefs(struct pm_web *w);
int pm_page_prefs_post(struct pm_web *w);

/* the help desk's chat box (web-ask.c) */
int pm_page_ask(struct pm_web *w);
int pm_page_ask_post(struct pm_web *w);
/* owners' votes (web-govern.c) */
int pm_page_votes(struct pm_web *w);
int pm_page_vote(struct pm_web *w);
int pm_page_vote_ballot(struct pm_web *w);
/* group buying: offers, orders and their payment, pickups (web-shop.c) */
int pm_page_shop(struct pm_web *w);
int pm_page_offer(struct pm_web *w);
int pm_page_offer_order(struct pm_web *w);
int pm_page_cart(struct pm_web *w);
int pm_page_orders(struct pm_web *w);
int pm_page_pickups(struct pm_web *w);
int pm_page_pickup_post(struct pm_web *w);

#endif
