/* http: libcurl behind struct pm_http_req. Easy handles are kept and
 * reused, and the multi handle keeps connections open between transfers,
 * so a flush of many messages to one host pays for one connection per
 * parallel slot, not one per message. */
#include <dlfcn.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "strbuf-internal.h"
#include "pm/http.h"
#include "pm/i18n.h"

/* libcurl is opened on the first transfer rather than linked: it brings
 * 30-odd shared libraries, and loading them at every start cost pm-gate
 * verify (which never talks to the network) three times its start-up. */
#ifndef PM_CURL_SONAME
#define PM_CURL_SONAME "libcurl.so.4"
#endif

#define CURL_FNS(X) X(global_init) X(easy_init) X(easy_cleanup) X(easy_reset) X(easy_setopt) \
	X(easy_getinfo) X(easy_perform) X(easy_strerror) X(slist_append) X(slist_free_all) \
	X(multi_init) X(multi_cleanup) X(multi_setopt) X(multi_add_handle) \
	X(multi_remove_handle) X(multi_perform) X(multi_poll) X(multi_info_read) X(version_info) \
	X(mime_init) X(mime_free) X(mime_addpart) X(mime_data) X(mime_type) X(mime_encoder)

static struct {
#define X(f) __typeof__(&curl_##f) f;
	CURL_FNS(X)
#undef X
} cu;

struct slot {
	CURL *h;
	struct curl_slist *headers, *rcpt;
	curl_mime *mime;  /* SMTP: the message */
	char *sender;     /* SMTP: the envelope's */
	char *body;
	size_t len;
	char *head;       /* the answer's headers, when kept */
	size_t hlen;
	void *tag;
	int busy;
};

struct pm_http_pool {
	CURLM *m;
	int n, busy;
	struct slot *slots;
};

static int curl_ready(struct pm_err *e)
{
	static void *lib;
	static int done;

	if (done)
		return PM_OK;
	if (!lib && !(lib = dlopen(PM_CURL_SONAME, RTLD_NOW | RTLD_LOCAL)))
		return pm_err_set(e, PM_EUNAVAIL, _("cannot load %s: %s"), PM_CURL_SONAME, dlerror());
#define X(f) \
	if (!(*(void **)&cu.f = dlsym(lib, "curl_" #f))) \
		return pm_err_set(e, PM_EUNAVAIL, _("cannot load %s: it lacks %s"), PM_CURL_SONAME, "curl_" #f);
	CURL_FNS(X)
#undef X
	if (cu.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return pm_err_set(e, PM_ESOFTWARE, _("cannot start libcurl"));
	done = 1;
	return PM_OK;
}

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
	struct slot *s = ud;
	size_t len = size * n, keep = len;
	char *nb;

	if (s->len + keep > PM_HTTP_KEEP)
		keep = PM_HTTP_KEEP - s->len;
	if (keep) {
		if (!(nb = realloc(s->body, s->len + keep + 1)))
			return 0;
		s->body = nb;
		memcpy(s->body + s->len, p, keep);
		s->len += keep;
		s->body[s->len] = '\0';
	}
	return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct slot *s = ud;
	size_t len = size * n;
	char *nb;

	/* A redirect or a 100 Continue starts the headers again. */
	if (len > 5 && strncmp(p, "HTTP/", 5) == 0)
		s->hlen = 0;
	if (s->hlen + len <= PM_HTTP_KEEP) {
		if (!(nb = realloc(s->head, s->hlen + len + 1)))
			return 0;
		s->head = nb;
		memcpy(s->head + s->hlen, p, len);
		s->hlen += len;
		s->head[s->hlen] = '\0';
	}
	return len;
}

static void slot_clear(struct slot *s)
{
	cu.slist_free_all(s->headers);
	cu.slist_free_all(s->rcpt);
	cu.mime_free(s->mime);
	s->mime = NULL;
	free(s->sender);
	s->sender = NULL;
	free(s->body);
	free(s->head);
	s->headers = s->rcpt = NULL;
	s->body = s->head = NULL;
	s->len = s->hlen = 0;
	s->busy = 0;
	s->tag = NULL;
}

/* ---- mail ---- */

static int ascii_plain(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80 || *s == '\r' || *s == '\n' || (s[0] == '=' && s[1] == '?'))
			return 0;
	return 1;
}

char *pm_mime_header(const char *text)
{
	struct strbuf b = {0};
	char word[96];
	size_t len = strlen(text), i = 0, k;

	if (ascii_plain(text)) {
		sb_str(&b, text);
		return sb_take(&b);
	}
	/* Encoded words of at most 45 bytes (60 base64 characters) cut at
	 * character boundaries, folded onto lines of their own. */
	while (i < len) {
		k = len - i < 45 ? len - i : 45;
		while (k > 1 && i + k < len && ((unsigned char)text[i + k] & 0xc0) == 0x80)
			k--;
		sodium_bin2base64(word, sizeof word, (const unsigned char *)text + i, k,
				  sodium_base64_VARIANT_ORIGINAL);
		sb_fmt(&b, "%s=?UTF-8?B?%s?=", i ? "\r\n " : "", word);
		i += k;
	}
	return sb_take(&b);
}

/* "名字 <a@b>" with the name encoded; a bare address as it is. */
static void address_header(struct strbuf *b, const char *field, const char *addr)
{
	const char *lt = strchr(addr, '<');
	char *name, *enc;

	if (!lt || lt == addr) {
		sb_fmt(b, "%s: %s", field, addr);
		return;
	}
	name = strndup(addr, (size_t)(lt - addr));
	while (name && *name && name[strlen(name) - 1] == ' ')
		name[strlen(name) - 1] = '\0';
	enc = name ? pm_mime_header(name) : NULL;
	if (!enc) {
		b->failed = 1;
	} else {
		sb_fmt(b, "%s: ", field);
		sb_str(b, enc);
		sb_fmt(b, " %s", lt);
	}
	free(name);
	free(enc);
}

/* The envelope's sender: what is inside <...>, or the whole. */
static char *envelope(const char *from)
{
	const char *lt = strchr(from, '<'), *gt = lt ? strchr(lt, '>') : NULL;

	return lt && gt ? strndup(lt + 1, (size_t)(gt - lt - 1)) : strdup(from);
}

/* Appends the header b holds to the slot's, emptying b. */
static int add_header(struct slot *s, struct strbuf *b)
{
	char *line = sb_take(b);
	struct curl_slist *nl = line ? cu.slist_append(s->headers, line) : NULL;

	free(line);
	*b = (struct strbuf){0};
	if (!nl)
		return -1;
	s->headers = nl;
	return 0;
}

static int mail_headers(struct slot *s, const struct pm_mail *m)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
					     "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct strbuf b = {0};
	time_t t = (time_t)m->date;
	char *subject = pm_mime_header(m->subject);
	struct tm tm;
	int bad;

	gmtime_r(&t, &tm);
	address_header(&b, "From", m->from);
	bad = add_header(s, &b);
	sb_fmt(&b, "To: %s", m->to);
	bad |= add_header(s, &b);
	sb_str(&b, "Subject: ");
	if (subject)
		sb_str(&b, subject);
	else
		b.failed = 1;
	free(subject);
	bad |= add_header(s, &b);
	sb_fmt(&b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
	       months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	bad |= add_header(s, &b);
	sb_fmt(&b, "Message-ID: %s", m->message_id);
	bad |= add_header(s, &b);
	/* The message itself is the alternatives, not a mixture. */
	if (m->html) {
		sb_str(&b, "Content-Type: multipart/alternative");
		bad |= add_header(s, &b);
	}
	return bad;
}

static int mail_part(struct slot *s, const char *type, const char *text)
{
	curl_mimepart *part = cu.mime_addpart(s->mime);

	return !part || cu.mime_data(part, text, CURL_ZERO_TERMINATED) != CURLE_OK ||
	       cu.mime_type(part, type) != CURLE_OK || cu.mime_encoder(part, "base64") != CURLE_OK;
}

static int smtp_setup(struct slot *s, const struct pm_http_req *rq)
{
	const struct pm_mail *m = rq->mail;
	CURL *h = s->h;

	if (!(s->rcpt = cu.slist_append(NULL, rq->rcpt ? rq->rcpt : "")) || !(s->sender = envelope(m->from)) ||
	    mail_headers(s, m) || !(s->mime = cu.mime_init(h)) ||
	    mail_part(s, "text/plain; charset=UTF-8", m->text) ||
	    (m->html && mail_part(s, "text/html; charset=UTF-8", m->html)))
		return -1;
	cu.easy_setopt(h, CURLOPT_MAIL_FROM, s->sender);
	cu.easy_setopt(h, CURLOPT_MAIL_RCPT, s->rcpt);
	cu.easy_setopt(h, CURLOPT_MIMEPOST, s->mime);
	if (rq->require_tls)
		cu.easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (rq->user) {
		cu.easy_setopt(h, CURLOPT_USERNAME, rq->user);
		cu.easy_setopt(h, CURLOPT_PASSWORD, rq->password ? rq->password : "");
	}
	return 0;
}

/* ---- requests ---- */

static void http_setup(struct slot *s, const struct pm_http_req *rq)
{
	CURL *h = s->h;

	if (rq->method && strcmp(rq->method, "GET") == 0) {
		cu.easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else {
		cu.easy_setopt(h, CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
		cu.easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(rq->body ? rq->len : 0));
		if (rq->method && strcmp(rq->method, "POST") != 0)
			cu.easy_setopt(h, CURLOPT_CUSTOMREQUEST, rq->method);
	}
	if (rq->keep_headers) {
		cu.easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
		cu.easy_setopt(h, CURLOPT_HEADERDATA, s);
	}
	if (rq->auth != PM_HTTP_AUTH_NONE && rq->user) {
		cu.easy_setopt(h, CURLOPT_HTTPAUTH,
			       rq->auth == PM_HTTP_AUTH_DIGEST ? CURLAUTH_DIGEST : CURLAUTH_BASIC);
		cu.easy_setopt(h, CURLOPT_USERNAME, rq->user);
		cu.easy_setopt(h, CURLOPT_PASSWORD, rq->password ? rq->password : "");
	}
}

/* Sets the easy handle up for rq: every option is set on every use, so
 * nothing leaks from one transfer into the next. */
static int slot_setup(struct slot *s, const struct pm_http_req *rq, struct pm_err *e)
{
	CURL *h = s->h;

	cu.easy_reset(h);
	cu.easy_setopt(h, CURLOPT_URL, rq->url);
	cu.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	cu.easy_setopt(h, CURLOPT_TIMEOUT_MS, rq->timeout_ms > 0 ? rq->timeout_ms : 10000L);
	cu.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	cu.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https,smtp,smtps");
	cu.easy_setopt(h, CURLOPT_USERAGENT, "pm/" PM_VERSION);
	cu.easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	cu.easy_setopt(h, CURLOPT_WRITEDATA, s);
	for (const char *const *hd = rq->headers; hd && *hd; hd++) {
		struct curl_slist *nl = cu.slist_append(s->headers, *hd);
		if (!nl)
			return pm_err_set(e, PM_EFAIL, _("out of memory"));
		s->headers = nl;
	}
	if (strncmp(rq->url, "smtp", 4) == 0) {
		if (!rq->mail)
			return pm_err_set(e, PM_ESOFTWARE, _("an smtp:// request without a message"));
		if (smtp_setup(s, rq))
			return pm_err_set(e, PM_EFAIL, _("out of memory"));
	} else {
		/* Expect: 100-continue would cost a round trip per message. */
		struct curl_slist *nl = cu.slist_append(s->headers, "Expect:");
		if (!nl)
			return pm_err_set(e, PM_EFAIL, _("out of memory"));
		s->headers = nl;
		http_setup(s, rq);
	}
	if (rq->cafile)
		cu.easy_setopt(h, CURLOPT_CAINFO, rq->cafile);
	cu.easy_setopt(h, CURLOPT_HTTPHEADER, s->headers);
	return PM_OK;
}

/* Only a request that can never work is given up at once; a refused
 * connection, a timeout or a garbled answer may pass. (The config allows
 * only http, https, smtp and smtps, so "unsupported protocol" here means
 * an answer that was no HTTP at all: garbled, hence temporary.) */
static int temporary(CURLcode rc)
{
	return rc != CURLE_URL_MALFORMAT && rc != CURLE_LOGIN_DENIED &&
	       rc != CURLE_PEER_FAILED_VERIFICATION;
}

static void slot_result(struct slot *s, CURLcode rc, struct pm_http_res *res)
{
	memset(res, 0, sizeof *res);
	cu.easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &res->status);
	res->body = s->body ? s->body : "";
	res->len = s->len;
	res->headers = s->head ? s->head : "";
	res->hlen = s->hlen;
	if (rc != CURLE_OK) {
		res->failed = 1;
		res->temporary = temporary(rc);
		snprintf(res->error, sizeof res->error, "%s", cu.easy_strerror(rc));
	}
}

int pm_http_pool_new(int parallel, struct pm_http_pool **out, struct pm_err *e)
{
	struct pm_http_pool *p;

	*out = NULL;
	if (curl_ready(e))
		return e->code;
	if (parallel < 1)
		parallel = 1;
	if (!(p = calloc(1, sizeof *p)) || !(p->slots = calloc((size_t)parallel, sizeof *p->slots)) ||
	    !(p->m = cu.multi_init())) {
		pm_http_pool_free(p);
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	}
	p->n = parallel;
	cu.multi_setopt(p->m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)parallel);
	*out = p;
	return PM_OK;
}

void pm_http_pool_free(struct pm_http_pool *p)
{
	if (!p)
		return;
	for (int i = 0; p->slots && i < p->n; i++) {
		if (p->slots[i].h) {
			if (p->slots[i].busy)
				cu.multi_remove_handle(p->m, p->slots[i].h);
			cu.easy_cleanup(p->slots[i].h);
		}
		slot_clear(&p->slots[i]);
	}
	if (p->m)
		cu.multi_cleanup(p->m);
	free(p->slots);
	free(p);
}

int pm_http_pool_room(const struct pm_http_pool *p)
{
	return p->n - p->busy;
}

int pm_http_pool_busy(const struct pm_http_pool *p)
{
	return p->busy;
}

int pm_http_pool_add(struct pm_http_pool *p, const struct pm_http_req *rq, void *tag,
		     struct pm_err *e)
{
	struct slot *s = NULL;

	for (int i = 0; i < p->n && !s; i++)
		if (!p->slots[i].busy)
			s = &p->slots[i];
	if (!s)
		return pm_err_set(e, PM_ESOFTWARE, _("no room for another transfer"));
	if (!s->h && !(s->h = cu.easy_init()))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	if (slot_setup(s, rq, e)) {
		slot_clear(s);
		return e->code;
	}
	cu.easy_setopt(s->h, CURLOPT_PRIVATE, s);
	if (cu.multi_add_handle(p->m, s->h) != CURLM_OK) {
		slot_clear(s);
		return pm_err_set(e, PM_EFAIL, _("cannot start a transfer"));
	}
	s->tag = tag;
	s->busy = 1;
	p->busy++;
	return PM_OK;
}

static int reap(struct pm_http_pool *p, void (*done)(void *, void *, const struct pm_http_res *),
		void *ctx)
{
	struct pm_http_res res;
	struct slot *s;
	CURLMsg *msg;
	int left, n = 0;

	while ((msg = cu.multi_info_read(p->m, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		cu.easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
		slot_result(s, msg->data.result, &res);
		cu.multi_remove_handle(p->m, s->h);
		done(ctx, s->tag, &res);
		slot_clear(s);
		p->busy--;
		n++;
	}
	return n;
}

int pm_http_pool_wait(struct pm_http_pool *p, long max_ms,
		      void (*done)(void *ctx, void *tag, const struct pm_http_res *res), void *ctx,
		      struct pm_err *e)
{
	int running, finished = 0;
	long waited = 0;

	while (p->busy > 0) {
		if (cu.multi_perform(p->m, &running) != CURLM_OK)
			return pm_err_set(e, PM_EFAIL, _("transfers failed"));
		finished += reap(p, done, ctx);
		if (finished || waited >= max_ms)
			break;
		if (cu.multi_poll(p->m, NULL, 0, 50, NULL) != CURLM_OK)
			return pm_err_set(e, PM_EFAIL, _("transfers failed"));
		waited += 50;
	}
	return PM_OK;
}

/* A 5xx is the server's trouble of the moment; any other answer stands. */
static int worth_retry(const struct pm_http_res *res)
{
	return res->failed ? res->temporary : res->status >= 500;
}

static int keep_result(struct slot *s, CURLcode rc, struct pm_http_res *res, struct pm_err *e)
{
	slot_result(s, rc, res);
	res->body = s->body;
	s->body = NULL;
	if (!res->body && !(res->body = calloc(1, 1)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	return PM_OK;
}

int pm_http_do(const struct pm_http_req *rq, int retries, struct pm_http_res *res,
	       struct pm_err *e)
{
	struct slot s = {0};
	long wait_ms = 200;
	CURLcode rc;
	int ret = PM_OK;

	memset(res, 0, sizeof *res);
	if (curl_ready(e))
		return e->code;
	if (!(s.h = cu.easy_init()))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	for (int attempt = 0;; attempt++) {
		if ((ret = slot_setup(&s, rq, e)))
			break;
		rc = cu.easy_perform(s.h);
		pm_http_res_free(res);
		if ((ret = keep_result(&s, rc, res, e)) || attempt >= retries || !worth_retry(res))
			break;
		slot_clear(&s);
		nanosleep(&(struct timespec){wait_ms / 1000, wait_ms % 1000 * 1000000}, NULL);
		wait_ms *= 2;
	}
	slot_clear(&s);
	cu.easy_cleanup(s.h);
	return ret;
}

void pm_http_res_free(struct pm_http_res *res)
{
	free(res->body);
	res->body = NULL;
	res->len = 0;
}

/* ---- whole files, one at a time (backups) ---- */

static size_t to_file(char *p, size_t size, size_t n, void *ud)
{
	return fwrite(p, size, n, ud) * size;
}

/* Only a host key known_hosts holds for this host is good enough:
 * libcurl's default would take a host it has never seen. */
static int known_host_only(CURL *h, const struct curl_khkey *known, const struct curl_khkey *found,
			   enum curl_khmatch match, void *ud)
{
	(void)h, (void)known, (void)found;
	*(int *)ud = (int)match;
	return match == CURLKHMATCH_OK ? CURLKHSTAT_FINE : CURLKHSTAT_REJECT;
}

/* ~/.ssh/NAME into buf when it exists; 0 if not. */
static int home_ssh_file(const char *name, char *buf, size_t n)
{
	const char *home = getenv("HOME");
	struct passwd *pw;

	if ((!home || !*home) && (pw = getpwuid(getuid())))
		home = pw->pw_dir;
	if (!home || (size_t)snprintf(buf, n, "%s/.ssh/%s", home, name) >= n)
		return 0;
	return access(buf, F_OK) == 0;
}

/* The user, the key and the host check of an sftp:// transfer. */
static int sftp_peer(CURL *h, const char *url, const struct pm_http_peer *peer, char *kh, char *key, size_t n,
		     int *match, struct pm_err *e)
{
	static const char *const keys[] = {"id_ed25519", "id_ecdsa", "id_rsa"};
	const char *host = url + 7, *at = strchr(host, '@'), *slash = strchr(host, '/');
	struct passwd *pw;

	if (peer && peer->known_hosts)
		snprintf(kh, n, "%s", peer->known_hosts);
	else
		home_ssh_file("known_hosts", kh, n);
	if (access(kh, R_OK) != 0)
		return pm_err_set(e, PM_ECONFIG,
			_("%s: cannot check the server's host key: cannot read '%s' (add it with ssh-keyscan, or name a file with --known-hosts)"),
			url, kh);
	cu.easy_setopt(h, CURLOPT_SSH_KNOWNHOSTS, kh);
	cu.easy_setopt(h, CURLOPT_SSH_KEYFUNCTION, known_host_only);
	cu.easy_setopt(h, CURLOPT_SSH_KEYDATA, match);
	cu.easy_setopt(h, CURLOPT_SSH_AUTH_TYPES, (long)CURLSSH_AUTH_PUBLICKEY);
	if (peer && peer->ssh_key)
		snprintf(key, n, "%s", peer->ssh_key);
	else
		for (size_t i = 0; i < sizeof keys / sizeof *keys && !home_ssh_file(keys[i], key, n); i++)
			key[0] = '\0';
	if (*key)
		cu.easy_setopt(h, CURLOPT_SSH_PRIVATE_KEYFILE, key);
	if ((!at || (slash && at > slash)) && (pw = getpwuid(getuid())))
		cu.easy_setopt(h, CURLOPT_USERNAME, pw->pw_name);
	return PM_OK;
}

/* One transfer of a file on its own handle: no total timeout (a store
 * may be large), but one that stalls for a minute is given up. */
static int file_transfer(const char *url, FILE *up, curl_off_t uplen, FILE *down, const struct pm_http_peer *peer,
			 struct pm_err *e)
{
	char err[CURL_ERROR_SIZE] = "", kh[4096] = "", key[4096] = "";
	int match = CURLKHMATCH_OK;
	long status = 0;
	CURLcode rc;
	CURL *h;

	if (curl_ready(e))
		return e->code;
	if (!(h = cu.easy_init()))
		return pm_err_set(e, PM_ESOFTWARE, _("cannot start libcurl"));
	if (strncmp(url, "sftp://", 7) == 0 && sftp_peer(h, url, peer, kh, key, sizeof kh, &match, e)) {
		cu.easy_cleanup(h);
		return e->code;
	}
	cu.easy_setopt(h, CURLOPT_URL, url);
	cu.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	cu.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https,sftp");
	cu.easy_setopt(h, CURLOPT_USERAGENT, "pm-backup/" PM_VERSION);
	cu.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	cu.easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	cu.easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
	cu.easy_setopt(h, CURLOPT_ERRORBUFFER, err);
	if (peer && peer->cacert)
		cu.easy_setopt(h, CURLOPT_CAINFO, peer->cacert);
	if (up) {
		cu.easy_setopt(h, CURLOPT_UPLOAD, 1L);
		cu.easy_setopt(h, CURLOPT_READDATA, up);
		cu.easy_setopt(h, CURLOPT_INFILESIZE_LARGE, uplen);
	} else {
		cu.easy_setopt(h, CURLOPT_WRITEFUNCTION, to_file);
		cu.easy_setopt(h, CURLOPT_WRITEDATA, down);
	}
	rc = cu.easy_perform(h);
	cu.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	cu.easy_cleanup(h);
	if (match == CURLKHMATCH_MISMATCH)
		return pm_err_set(e, PM_EUNAVAIL, _("%s: the server's host key is not the one '%s' holds for it: refused"),
				  url, kh);
	if (match == CURLKHMATCH_MISSING)
		return pm_err_set(e, PM_EUNAVAIL, _("%s: the server's host key is not in '%s': refused"), url, kh);
	if (rc != CURLE_OK)
		return pm_err_set(e, rc == CURLE_REMOTE_FILE_NOT_FOUND ? PM_ENOINPUT : PM_EUNAVAIL, "%s: %s", url,
				  err[0] ? err : cu.easy_strerror(rc));
	if (status == 404)
		return pm_err_set(e, PM_ENOINPUT, _("%s: not found"), url);
	if (strncmp(url, "http", 4) == 0 && (status < 200 || status > 299))
		return pm_err_set(e, PM_EUNAVAIL, _("%s: the server answered %ld"), url, status);
	return PM_OK;
}

int pm_http_put_file(const char *url, const char *path, const struct pm_http_peer *peer, struct pm_err *e)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	int rc;

	if (!f || fstat(fileno(f), &st) != 0) {
		rc = pm_err_set(e, PM_ENOINPUT, _("cannot read '%s': %s"), path, strerror(errno));
		if (f)
			fclose(f);
		return rc;
	}
	rc = file_transfer(url, f, (curl_off_t)st.st_size, NULL, peer, e);
	fclose(f);
	return rc;
}

int pm_http_get_file(const char *url, FILE *out, const struct pm_http_peer *peer, struct pm_err *e)
{
	int rc = file_transfer(url, NULL, 0, out, peer, e);

	if (rc == PM_OK && fflush(out) != 0)
		rc = pm_err_set(e, PM_ECANTCREAT, _("cannot write what %s sent: %s"), url, strerror(errno));
	return rc;
}

int pm_http_has(const char *protocol)
{
	const curl_version_info_data *v;
	struct pm_err ignored;

	if (curl_ready(&ignored))
		return 0;
	v = cu.version_info(CURLVERSION_NOW);

	for (const char *const *p = v->protocols; p && *p; p++)
		if (strcmp(*p, protocol) == 0)
			return 1;
	return 0;
}
