/* pm-web: the web front end for owners and staff. Run by a web server
 * with no arguments it answers one CGI request (RFC 3875), or, started
 * with a listening socket as its standard input (spawn-fcgi, a server's
 * FastCGI process manager), it answers FastCGI requests in a loop with
 * the store kept open. Its commands manage web sessions. This file reads
 * the request, routes it and writes the response; the pages and every
 * rule they follow are the library's. */
#include <errno.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <fcgiapp.h>

#include "pm/cli.h"
#include "pm/i18n.h"
#include "pm/session.h"
#include "pm/webapp.h"

/* The largest request body: a repair's text and its photos. */
#define MAX_BODY (32u << 20)

/* The routes. A path matches segment by segment; "*" is any one segment,
 * passed to the page as w->arg[i]. HEAD is answered as GET without the
 * body. */
static const struct route {
	const char *method, *path;
	int (*page)(struct pm_web *w);
	unsigned needs;
} routes[] = {
	{"GET", "/", pm_page_home, 0},
	{"GET", "/login", pm_page_login, PM_WEB_PUBLIC},
	{"POST", "/login", pm_page_login_post, PM_WEB_PUBLIC},
	{"POST", "/login/code", pm_page_login_code, PM_WEB_PUBLIC},
	{"POST", "/login/verify", pm_page_login_verify, PM_WEB_PUBLIC},
	{"POST", "/logout", pm_page_logout, 0},
	{"GET", "/password", pm_page_password, 0},
	{"POST", "/password", pm_page_password_post, 0},
	{"GET", "/units", pm_page_units, 0},
	{"GET", "/unit/*", pm_page_unit, 0},
	{"GET", "/unit/*/statement", pm_page_statement, 0},
	{"GET", "/unit/*/points", pm_page_points, 0},
	{"GET", "/bills", pm_page_bills, 0},
	{"GET", "/bill/*", pm_page_bill, 0},
	{"GET", "/bill/*/notice", pm_page_notice, 0},
	{"GET", "/bill/*/pay", pm_page_pay, 0},
	{"POST", "/bill/*/points", pm_page_bill_points, 0},
	{"POST", "/bill/*/order", pm_page_bill_order, 0},
	{"GET", "/order/*", pm_page_order, 0},
	{"GET", "/points", pm_page_points, 0},
	{"GET", "/cash", pm_page_cash, 0},
	{"POST", "/cash", pm_page_cash_post, 0},
	{"GET", "/receipt/*", pm_page_receipt, 0},
	{"GET", "/receipt/*/print", pm_page_receipt_print, 0},
	{"POST", "/receipt/*/print", pm_page_receipt_print_post, 0},
	{"GET", "/dashboard", pm_page_dashboard, 0},
	{"GET", "/export", pm_page_export, 0},
	{"GET", "/repair", pm_page_repair, 0},
	{"POST", "/repair", pm_page_repair_post, 0},
	{"GET", "/tickets", pm_page_tickets, 0},
	{"GET", "/ticket/*", pm_page_ticket, 0},
	{"POST", "/ticket/*/rate", pm_page_ticket_rate, 0},
	{"POST", "/ticket/*/*", pm_page_ticket_step, 0},
	{"GET", "/photo/*", pm_page_photo, 0},
	{"GET", "/today", pm_page_today, 0},
	{"GET", "/dunning", pm_page_dunning, 0},
	{"POST", "/dunning/*/contact", pm_page_dunning_contact, 0},
	{"GET", "/dunning/*/letter", pm_page_dunning_letter, 0},
	{"GET", "/visitors", pm_page_visitors, 0},
	{"POST", "/visitors", pm_page_visitors_post, 0},
	{"GET", "/visitor/*", pm_page_visitor, 0},
	{"POST", "/visitor/*/*", pm_page_visitor_step, 0},
	{"GET", "/parking", pm_page_parking, 0},
	{"GET", "/reserve", pm_page_reserve, 0},
	{"POST", "/reserve", pm_page_reserve_post, 0},
	{"POST", "/reservation/*/cancel", pm_page_reservation_cancel, 0},
	{"GET", "/renovations", pm_page_renovations, 0},
	{"POST", "/renovations", pm_page_renovations_post, 0},
	{"GET", "/announcements", pm_page_announcements, 0},
	{"GET", "/announcement/*", pm_page_announcement, 0},
	{"POST", "/announcement/*/rsvp", pm_page_rsvp, 0},
	{"GET", "/prefs", pm_page_prefs, 0},
	{"POST", "/prefs", pm_page_prefs_post, 0},
	{"GET", "/ask", pm_page_ask, 0},
	{"POST", "/ask", pm_page_ask_post, 0},
	{"GET", "/votes", pm_page_votes, 0},
	{"GET", "/vote/*", pm_page_vote, 0},
	{"POST", "/vote/*/ballot", pm_page_vote_ballot, 0},
	{"GET", "/shop", pm_page_shop, 0},
	{"GET", "/shop/*", pm_page_offer, 0},
	{"POST", "/shop/*/order", pm_page_offer_order, 0},
	{"GET", "/shop/*/pickup", pm_page_pickups, 0},
	{"POST", "/shop/*/pickup", pm_page_pickup_post, 0},
	{"GET", "/cart/*", pm_page_cart, 0},
	{"GET", "/orders", pm_page_orders, 0},
	{"POST", "/callback/*", pm_page_callback, PM_WEB_PUBLIC | PM_WEB_NO_CSRF},
};

/* Whether path fits pattern, its "*" segments copied into w->arg. */
static int match(const char *pattern, const char *path, struct pm_web *w)
{
	int arg = 0;

	memset(w->arg, 0, sizeof w->arg);
	while (*pattern && *path) {
		size_t p = strcspn(pattern, "/"), s = strcspn(path, "/");
		if (p == 1 && *pattern == '*' && s > 0 && arg < PM_WEB_MAX_ARGS) {
			snprintf(w->arg[arg++], sizeof w->arg[0], "%.*s", (int)s, path);
		} else if (p != s || strncmp(pattern, path, p) != 0) {
			return 0;
		}
		pattern += p;
		path += s;
		if (*pattern != *path)
			return 0;
		if (*pattern) {
			pattern++;
			path++;
		}
	}
	return !*pattern && !*path;
}

static const struct route *route_of(struct pm_web *w, int *status)
{
	const char *method = strcmp(w->req.method, "HEAD") ? w->req.method : "GET";

	*status = 404;
	for (size_t i = 0; i < sizeof routes / sizeof *routes; i++)
		if (match(routes[i].path, w->req.path, w)) {
			if (strcmp(routes[i].method, method) == 0)
				return &routes[i];
			*status = 405;
		}
	return NULL;
}

/* ---- CGI and FastCGI: the same request, from two places ---- */

struct io {
	FCGX_Request *fcgi; /* NULL: CGI, through the environment and stdio */
};

static const char *io_env(void *ctx, const char *name)
{
	struct io *io = ctx;

	return io->fcgi ? FCGX_GetParam(name, io->fcgi->envp) : getenv(name);
}

static size_t io_read(struct io *io, char *buf, size_t n)
{
	size_t got = 0;
	int r;

	if (!io->fcgi)
		return fread(buf, 1, n, stdin);
	while (got < n && (r = FCGX_GetStr(buf + got, (int)(n - got), io->fcgi->in)) > 0)
		got += (size_t)r;
	return got;
}

/* FastCGI's own error stream, which the server logs. */
static void fcgi_log(void *ctx, const char *line)
{
	FCGX_Request *fr = ctx;

	FCGX_FPrintF(fr->err, "%s\n", line);
}

static int io_write(struct io *io, const char *buf, size_t n)
{
	if (!io->fcgi)
		return fwrite(buf, 1, n, stdout) == n ? 0 : -1;
	return n == 0 || FCGX_PutStr(buf, (int)n, io->fcgi->out) == (int)n ? 0 : -1;
}

/* A refusal before any page: too large, a bad path, a bad form. */
static void refuse(struct pm_web *w, int status)
{
	pm_web_res_reset(&w->res);
	w->res.status = status;
	w->res.type = "text/plain; charset=utf-8";
	fprintf(w->res.f, "%d %s\n", status, pm_web_status_text(status));
}

static int read_body(struct pm_web *w, struct io *io, char **body)
{
	size_t n = (size_t)w->req.length;

	*body = NULL;
	if (!n)
		return PM_OK;
	if (!(*body = malloc(n + 1)))
		return PM_EFAIL;
	if (io_read(io, *body, n) != n)
		return PM_EDATA;
	(*body)[n] = '\0';
	w->body = *body;
	w->body_len = n;
	return pm_web_req_body(&w->req, *body, n, &w->err);
}

/* The forms whose input, when refused, is shown again by the page of
 * the form, filled in as it was sent (the page reads the fields), with
 * why above it (pm_web_again): a person on a phone fixes one field
 * instead of typing all of it again. A POST route here is shown again by
 * the GET page beside it. */
static const struct {
	const char *path;
	int (*page)(struct pm_web *w);
} forms[] = {
	{"/repair", pm_page_repair},
	{"/visitors", pm_page_visitors},
	{"/cash", pm_page_cash},
	{"/password", pm_page_password},
	{"/reserve", pm_page_reserve},
	{"/ticket/*/rate", pm_page_ticket},
	{"/ticket/*/*", pm_page_ticket},
	{"/renovations", pm_page_renovations},
	{"/prefs", pm_page_prefs},
	{"/ask", pm_page_ask},
	{"/vote/*/ballot", pm_page_vote},
	{"/shop/*/order", pm_page_offer},
};

/* Whether the form of a POST refused with rc was shown again. */
static int again(struct pm_web *w, const struct route *r, int rc)
{
	for (size_t i = 0; i < sizeof forms / sizeof *forms; i++)
		if (strcmp(r->method, "POST") == 0 && strcmp(forms[i].path, r->path) == 0)
			return pm_web_again(w, rc, forms[i].page);
	return 0;
}

static int handle(struct pm_web *w, struct io *io)
{
	const struct route *r = NULL;
	char head[4096], *body = NULL;
	size_t hlen;
	int rc, status;

	if (pm_web_res_open(&w->res, &w->err))
		return -1;
	if (pm_web_req_init(&w->req, io_env, io, MAX_BODY, &w->err)) {
		refuse(w, w->req.refuse);
	} else if ((rc = read_body(w, io, &body))) {
		refuse(w, rc == PM_EFAIL ? 500 : 400);
	} else if (!(r = route_of(w, &status))) {
		refuse(w, status);
	} else if ((rc = pm_web_begin(w, r->needs))) {
		pm_web_error(w, rc);
	} else if ((rc = r->page(w)) && !again(w, r, rc)) {
		pm_web_error(w, rc);
	}
	rc = pm_web_res_finish(&w->res, &w->err);
	hlen = pm_web_res_head(&w->res, strcmp(w->req.method, "HEAD") == 0, head, sizeof head);
	if (rc || io_write(io, head, hlen) ||
	    (strcmp(w->req.method, "HEAD") && io_write(io, w->res.body, w->res.len)))
		rc = -1;
	pm_web_end(w);
	pm_web_req_free(&w->req);
	pm_web_res_free(&w->res);
	w->body = NULL;
	w->body_len = 0;
	free(body);
	return rc;
}

static void web_locale(void)
{
	const char *dir = getenv("PM_LOCALEDIR");

	/* The pages are Chinese, and so are the library's messages on them,
	 * whatever locale the server runs its programs in: the catalogues'
	 * UTF-8 as it is (bind_textdomain_codeset), so only LC_MESSAGES is
	 * set. LC_CTYPE stays "C": nothing pm-web runs converts or
	 * classifies multibyte characters by the locale, and loading
	 * C.UTF-8's tables was 10 system calls and 56 K instructions a CGI
	 * request. glibc's own messages (strerror's, quoted in pm's) are
	 * its "libc" domain's, which would otherwise come out in LC_CTYPE's
	 * ASCII, every Chinese character a '?'. */
	setlocale(LC_MESSAGES, "zh_CN.UTF-8");
	bindtextdomain(PM_TEXTDOMAIN, dir && *dir ? dir : PM_LOCALEDIR);
	bind_textdomain_codeset(PM_TEXTDOMAIN, "UTF-8");
	bind_textdomain_codeset("libc", "UTF-8");
}

/* jansson seeds its objects' hash function at the first object it makes,
 * from /dev/urandom: an open, a read and a close, which a CGI request
 * paid for its first JSON. One getrandom call seeds it as unpredictably
 * (a request's JSON comes from outside: callbacks); 0, or no answer,
 * leaves it to jansson. */
static void json_seed(void)
{
	size_t seed = 0;

	if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) == (ssize_t)sizeof seed && seed)
		json_object_seed(seed);
}

static int serve(int fastcgi)
{
	struct pm_web w = {0};
	FCGX_Request fr;
	struct io io = {NULL};
	const char *db = getenv("PM_DB"), *assets = getenv("PM_WEB_ASSETS");
	int rc = 0;

	web_locale();
	json_seed();
	w.db_path = db && *db ? db : "pm.db";
	w.assets = assets && *assets ? assets : "/pm-static";
	if (!fastcgi) {
		rc = handle(&w, &io) ? PM_EIO : PM_OK;
		pm_db_close(w.db);
		return rc;
	}
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0)
		return PM_EUNAVAIL;
	io.fcgi = &fr;
	w.log = fcgi_log;
	w.log_ctx = &fr;
	while (FCGX_Accept_r(&fr) >= 0) {
		if (handle(&w, &io))
			rc = PM_EIO;
		FCGX_Finish_r(&fr);
	}
	pm_db_close(w.db);
	return rc;
}

/* ---- commands: web sessions ---- */

enum { O_USER = 0x100 };

static const struct pm_opt sessions_opts[] = {
	{"user", O_USER, "LOGIN", N_("only this user's")},
	{NULL, 0, NULL, NULL},
};

static int cmd_sessions(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_signin_limits l;
	const char *user = NULL, *arg;
	struct pm_db *db;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if (k == O_USER)
			user = arg;
	if (k < 0)
		return c->stop;
	if (c->optind < argc)
		return pm_cli_usage(c, _("unexpected argument '%s'"), argv[c->optind]);
	if (pm_cli_db(c, "user.admin", &db) || pm_signin_limits(db, &l, &c->err))
		return c->err.code;
	return pm_session_each(db, user, &l, pm_cli_out_each, c, &c->err);
}

static int cmd_signout(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_db *db;
	long n;

	if (pm_cli_noopts(c, argc, argv))
		return c->stop;
	if (argc - c->optind != 1)
		return pm_cli_usage(c, _("expected one LOGIN"));
	if (pm_cli_db(c, "user.admin", &db) || pm_session_end_user(db, argv[c->optind], &n, &c->err))
		return c->err.code;
	pm_cli_note(c, _("%ld sessions of '%s' ended"), n, argv[c->optind]);
	return PM_OK;
}

static const struct pm_cmd cmds[] = {
	{"sessions", cmd_sessions, NULL, N_("the web sessions signed in now"), sessions_opts, NULL},
	{"signout", cmd_signout, "LOGIN", N_("end every web session of a user"), NULL, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct pm_prog prog = {
	"pm-web", N_("pm-web: the web front end (CGI or FastCGI, run by a web server with no arguments) and its sessions"),
	cmds, NULL, NULL,
};

/* Whether the server runs pm-web as a FastCGI responder: its standard
 * input is then a listening socket, which has no peer. The test of
 * libfcgi's FCGX_IsCGI, without the set-up of the library that it does
 * first (FCGX_Init: three signal handlers, each read and then set, and
 * its tables): a CGI request, a process each, never needs that (strace:
 * six rt_sigaction calls; callgrind: 8 K instructions). serve() runs
 * FCGX_Init for a responder. */
static int fastcgi_socket(void)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof sa;

	errno = 0;
	return getpeername(0, (struct sockaddr *)&sa, &len) != 0 && errno == ENOTCONN;
}

int main(int argc, char **argv)
{
	int fastcgi;

	if (argc == 1 && ((fastcgi = fastcgi_socket()) || getenv("GATEWAY_INTERFACE")))
		return serve(fastcgi);
	return pm_cli_main(&prog, argc, argv);
}
