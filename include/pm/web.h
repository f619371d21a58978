/* The web front end's side of HTTP (CGI, RFC 3875): the request read from
 * the server's variables, the parsers of what a client sends (query
 * strings, urlencoded and multipart forms, cookies), and the response
 * with its headers. Every parser has limits and refuses, never
 * truncates: PM_EDATA saying what was wrong. Nothing here prints; the
 * program writes the response where its server wants it. */
#ifndef PM_WEB_H
#define PM_WEB_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "pm/err.h"

struct pm_db;

#define PM_WEB_MAX_PARAMS 64     /* fields of a query and a form together */
#define PM_WEB_MAX_NAME 64       /* bytes of a field's name */
#define PM_WEB_MAX_PATH 256      /* bytes of PATH_INFO */
#define PM_WEB_MAX_FORM 65536    /* bytes of an urlencoded body or a query */

/* A field. Text is UTF-8 without NUL or control characters other than
 * tab and line breaks, NUL-terminated; a file part of a multipart form
 * has a filename and the bytes as sent, type its declared type. */
struct pm_web_param {
	char *name, *value;
	size_t len;
	char *filename, *type;
};
struct pm_web_params {
	struct pm_web_param v[PM_WEB_MAX_PARAMS];
	size_t n;
};

/* Adds the fields of "a=1&b=%E4%BD%A0+x" (a query string or an
 * application/x-www-form-urlencoded body, len bytes) to p. */
int pm_web_urlencoded(const char *s, size_t len, struct pm_web_params *p, struct pm_err *e);
/* Adds the parts of a multipart/form-data body; content_type carries its
 * boundary. File parts point into copies of their bytes. */
int pm_web_multipart(const char *body, size_t len, const char *content_type, struct pm_web_params *p,
		     struct pm_err *e);
/* The first text field called name, or NULL. */
const char *pm_web_get(const struct pm_web_params *p, const char *name);
/* The n-th (from 0) file part called name, or NULL. */
const struct pm_web_param *pm_web_file(const struct pm_web_params *p, const char *name, size_t n);
void pm_web_params_free(struct pm_web_params *p);

/* The value of cookie name in a Cookie header into out: 1 when there is
 * one that fits and holds only cookie characters, else 0. */
int pm_web_cookie(const char *header, const char *name, char *out, size_t size);

/* Whether s (len bytes) is UTF-8 text as fields must be. */
int pm_web_text_ok(const char *s, size_t len);

/* The request. The strings point into the server's variables (env) and
 * stay valid as long as they do. */
struct pm_web_req {
	char method[8];               /* GET, HEAD or POST */
	char path[PM_WEB_MAX_PATH];   /* PATH_INFO, "/" when empty */
	const char *script;           /* SCRIPT_NAME: every link starts with it */
	const char *content_type, *cookie, *remote, *signature;
	int https;
	long long length;             /* CONTENT_LENGTH; 0 when none */
	int refuse;                   /* when init fails: 400, 405 or 413 */
	struct pm_web_params params;  /* the query's fields, then the form's */
	size_t query;                 /* how many of params are the query's */
};
/* Reads the request from env (getenv, or FastCGI's parameters): method,
 * path (letters, digits and "-._~/" only, no "." or ".." segment), the
 * query's fields. PM_EDATA with r->refuse the status to answer: 405 for
 * another method, 413 for a body longer than max_body, else 400. */
typedef const char *(*pm_web_env)(void *ctx, const char *name);
int pm_web_req_init(struct pm_web_req *r, pm_web_env env, void *ctx, size_t max_body, struct pm_err *e);
/* Adds the fields of the body (len bytes, read by the caller) by its
 * content type: urlencoded or multipart; anything else is kept for the
 * handler (a callback's JSON) and adds nothing. */
int pm_web_req_body(struct pm_web_req *r, const char *body, size_t len, struct pm_err *e);
/* The first text field called name of the body alone, or NULL: for what
 * must never come in the URL, which servers, proxies and browsers log
 * (the CSRF token). */
const char *pm_web_body_get(const struct pm_web_req *r, const char *name);
void pm_web_req_free(struct pm_web_req *r);

/* The response: status, type, a body written to f, and headers. */
#define PM_WEB_MAX_COOKIES 4
struct pm_web_res {
	int status;
	const char *type;              /* Content-Type; default text/html */
	char location[PM_WEB_MAX_PATH * 2];
	char cookies[PM_WEB_MAX_COOKIES][256];
	size_t ncookies;
	char disposition[160];         /* Content-Disposition of a download */
	int max_age;                   /* seconds a client may keep it; 0: no-store */
	char style[96];                /* a CSP source for one inline style sheet
					* ("'sha256-...'"), or empty */
	FILE *f;                       /* the body, in memory */
	char *body;
	size_t len;
};
int pm_web_res_open(struct pm_web_res *r, struct pm_err *e);
/* Closes f, so body and len hold what was written. */
int pm_web_res_finish(struct pm_web_res *r, struct pm_err *e);
void pm_web_res_free(struct pm_web_res *r);
/* Empties the body, for an error page in place of a half-written one. */
void pm_web_res_reset(struct pm_web_res *r);
/* 303 See Other to base followed by path. */
void pm_web_redirect(struct pm_web_res *r, const char *base, const char *path);
/* A cookie for the whole of base: HttpOnly, SameSite=Lax (Strict when
 * strict), Secure under HTTPS; max_age < 0 removes it, 0 lasts for the
 * browser's session. */
void pm_web_set_cookie(struct pm_web_res *r, const struct pm_web_req *q, const char *name,
		       const char *value, int max_age, int strict);
/* The CGI header block ("Status: 200 OK\r\n...\r\n\r\n") into buf: the
 * security headers every answer carries (a content security policy with
 * no script at all, no framing, no sniffing, no referrer beyond the
 * site), the cookies, the caching, the length. */
size_t pm_web_res_head(const struct pm_web_res *r, int head_only, char *buf, size_t size);

/* The reason phrase of an HTTP status. */
const char *pm_web_status_text(int status);

#endif
