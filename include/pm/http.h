/* The one libcurl wrapper: HTTP requests and SMTP submissions, many in
 * parallel or one at a time, with timeouts, an answer classified for
 * retry, digest authentication and TLS verification (on unless a CA file
 * says whom to trust). Built into libpm-http, linked only by the programs
 * that talk to the network, and libcurl itself is loaded on the first
 * transfer, so a program pays for it only when it uses the network;
 * libpm only fills in struct pm_http_req and reads struct pm_http_res. */
#ifndef PM_HTTP_H
#define PM_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pm/err.h"

enum pm_http_auth { PM_HTTP_AUTH_NONE, PM_HTTP_AUTH_BASIC, PM_HTTP_AUTH_DIGEST };

/* An e-mail, built by libcurl's MIME API: From (its display name
 * encoded), To, Subject (RFC 2047 encoded words), Date, Message-ID, and a
 * text part, or a text and an HTML part as multipart/alternative, each
 * UTF-8 in base64. The envelope's sender is the address in from. */
struct pm_mail {
	const char *from;            /* "名字 <a@b>" or "a@b" */
	const char *to, *subject, *text;
	const char *html;            /* NULL: text only */
	const char *message_id;      /* "<...>" */
	int64_t date;                /* seconds since 1970 */
};

/* A request. Strings are borrowed and must live until the transfer ends. */
struct pm_http_req {
	const char *url;             /* http(s)://, or smtp(s):// for mail */
	const char *method;          /* HTTP: NULL is POST; "GET", "PUT", ... */
	const char *const *headers;  /* "Name: value", NULL-ended; NULL: none */
	const char *body;            /* HTTP: sent */
	size_t len;
	int keep_headers;            /* HTTP: the answer's headers in res */
	long timeout_ms;             /* whole transfer; 0: 10 s */
	const char *user, *password; /* NULL: no AUTH */
	enum pm_http_auth auth;      /* HTTP: how user and password are sent */
	const char *cafile;          /* trust this CA (a device's own); NULL: the system's */
	/* SMTP only */
	const struct pm_mail *mail;
	const char *rcpt;            /* the envelope's recipient */
	int require_tls;             /* smtp://: insist on STARTTLS */
};

#define PM_HTTP_KEEP 65536 /* bytes of an answer kept */

struct pm_http_res {
	long status;      /* the HTTP status or last SMTP reply code, 0: none */
	int failed;       /* the transfer itself failed (no answer, a timeout) */
	int temporary;    /* for a failed transfer: worth trying again */
	char error[256];  /* why it failed */
	char *body;       /* the answer, NUL-ended, at most PM_HTTP_KEEP bytes */
	size_t len;
	/* With keep_headers: the answer's header lines as they came
	 * ("Name: value\r\n" each), NUL-ended, at most PM_HTTP_KEEP bytes. */
	char *headers;
	size_t hlen;
};

/* Up to parallel transfers at once over shared connections (libcurl
 * multi). Add while pm_http_pool_room() > 0, then wait: each finished
 * transfer is handed to done with the tag it was added with; res is
 * valid during the call only. */
struct pm_http_pool;
int pm_http_pool_new(int parallel, struct pm_http_pool **out, struct pm_err *e);
void pm_http_pool_free(struct pm_http_pool *p);
int pm_http_pool_room(const struct pm_http_pool *p);
int pm_http_pool_busy(const struct pm_http_pool *p);
int pm_http_pool_add(struct pm_http_pool *p, const struct pm_http_req *rq, void *tag,
		     struct pm_err *e);
/* Runs the transfers until at least one finishes or max_ms pass. */
int pm_http_pool_wait(struct pm_http_pool *p, long max_ms,
		      void (*done)(void *ctx, void *tag, const struct pm_http_res *res), void *ctx,
		      struct pm_err *e);

/* One transfer, waited for, tried again after a temporary failure (no
 * answer, a timeout, a 5xx) up to retries more times. PM_EUNAVAIL when
 * libcurl cannot be loaded; otherwise PM_OK with *res filled in (look at
 * res->failed and res->status), its body to be freed with
 * pm_http_res_free. */
int pm_http_do(const struct pm_http_req *rq, int retries, struct pm_http_res *res,
	       struct pm_err *e);
void pm_http_res_free(struct pm_http_res *res);

/* Who the server of a file transfer must be, and who we are to it; each
 * NULL for the default. cacert: a PEM file of the certificates to trust
 * for https:// (default: the system's). For sftp://, the server's host
 * key must be in known_hosts (default ~/.ssh/known_hosts), else nothing
 * is sent: a backup must not go to whoever answers on the way. ssh_key:
 * our private key (default the first of ~/.ssh/id_ed25519, id_ecdsa,
 * id_rsa); the user is the URL's, else the Unix account's name, as ssh
 * does. */
struct pm_http_peer {
	const char *cacert;
	const char *ssh_key;
	const char *known_hosts;
};

/* Whole files, one transfer at a time (backups): the file at path sent
 * to url (an HTTP PUT, an upload for sftp://), or what url holds written
 * to out. PM_ENOINPUT when the server has no such file, PM_EUNAVAIL when
 * it cannot be reached or refuses, saying what it said, PM_ECONFIG when
 * an sftp:// server's key cannot be checked. */
int pm_http_put_file(const char *url, const char *path, const struct pm_http_peer *peer, struct pm_err *e);
int pm_http_get_file(const char *url, FILE *out, const struct pm_http_peer *peer, struct pm_err *e);

/* text as a header's value: itself when plain ASCII, else "=?UTF-8?B?...?="
 * words of whole characters on folded lines (RFC 2047); malloc'd, NULL
 * when out of memory. */
char *pm_mime_header(const char *text);

/* Whether this libcurl speaks protocol ("sftp"). */
int pm_http_has(const char *protocol);

#endif
