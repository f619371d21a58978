/* web: CGI requests and responses, and the parsers of what clients send.
 * Each parser takes a length, checks every byte it keeps, and refuses
 * rather than truncates. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pm/i18n.h"
#include "pm/web.h"

/* ---- text ---- */

int pm_web_text_ok(const char *s, size_t len)
{
	size_t i = 0, n;
	unsigned cp;

	for (; i < len; i += n)
		if (!(n = pm_utf8_next(s + i, len - i, &cp)) ||
		    (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0x7f)
			return 0;
	return 1;
}

/* ---- fields ---- */

static int add(struct pm_web_params *p, char *name, char *value, size_t len, char *filename, char *type,
	       struct pm_err *e)
{
	if (p->n == PM_WEB_MAX_PARAMS) {
		free(name);
		free(value);
		free(filename);
		free(type);
		return pm_err_set(e, PM_EDATA, _("more than %d fields"), PM_WEB_MAX_PARAMS);
	}
	p->v[p->n++] = (struct pm_web_param){name, value, len, filename, type};
	return PM_OK;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes s[0..len) ('+' a space, %XX a byte) into a new string. */
static char *decode(const char *s, size_t len, size_t *outlen, struct pm_err *e)
{
	char *out = malloc(len + 1);
	size_t n = 0;

	if (!out) {
		pm_err_set(e, PM_EFAIL, _("out of memory"));
		return NULL;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '+') {
			out[n++] = ' ';
		} else if (s[i] != '%') {
			out[n++] = s[i];
		} else if (i + 2 < len && hexval((unsigned char)s[i + 1]) >= 0 &&
			   hexval((unsigned char)s[i + 2]) >= 0) {
			out[n++] = (char)(hexval((unsigned char)s[i + 1]) << 4 | hexval((unsigned char)s[i + 2]));
			i += 2;
		} else {
			free(out);
			pm_err_set(e, PM_EDATA, _("a '%%' not followed by two hexadecimal digits"));
			return NULL;
		}
	}
	out[n] = '\0';
	*outlen = n;
	return out;
}

/* A field's name: 1 to PM_WEB_MAX_NAME bytes of text. */
static int name_ok(const char *name, size_t len, struct pm_err *e)
{
	if (len == 0 || len > PM_WEB_MAX_NAME || !pm_web_text_ok(name, len) || strchr(name, '\n'))
		return pm_err_set(e, PM_EDATA, _("a field's name must be 1 to %d bytes of text"), PM_WEB_MAX_NAME);
	return PM_OK;
}

/* One "name=value" piece. */
static int pair(const char *s, size_t len, struct pm_web_params *p, struct pm_err *e)
{
	const char *eq = memchr(s, '=', len);
	size_t nlen = eq ? (size_t)(eq - s) : len, klen, vlen;
	char *name, *value;

	if (!(name = decode(s, nlen, &klen, e)))
		return e->code;
	if (!(value = eq ? decode(eq + 1, len - nlen - 1, &vlen, e) : calloc(1, 1))) {
		free(name);
		return eq ? e->code : pm_err_set(e, PM_EFAIL, _("out of memory"));
	}
	if (!eq)
		vlen = 0;
	if (strlen(name) != klen || name_ok(name, klen, e) ||
	    (!pm_web_text_ok(value, vlen) && pm_err_set(e, PM_EDATA, _("field '%.64s': not UTF-8 text"), name))) {
		if (strlen(name) != klen)
			name_ok("", 0, e);
		free(name);
		free(value);
		return PM_EDATA;
	}
	return add(p, name, value, vlen, NULL, NULL, e);
}

int pm_web_urlencoded(const char *s, size_t len, struct pm_web_params *p, struct pm_err *e)
{
	const char *end = s + len, *amp;

	if (len > PM_WEB_MAX_FORM)
		return pm_err_set(e, PM_EDATA, _("a form of more than %d bytes"), PM_WEB_MAX_FORM);
	for (; s < end; s = amp + 1) {
		if (!(amp = memchr(s, '&', (size_t)(end - s))))
			amp = end;
		if (amp > s && pair(s, (size_t)(amp - s), p, e))
			return e->code;
	}
	return PM_OK;
}

const char *pm_web_get(const struct pm_web_params *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (!p->v[i].filename && strcmp(p->v[i].name, name) == 0)
			return p->v[i].value;
	return NULL;
}

const struct pm_web_param *pm_web_file(const struct pm_web_params *p, const char *name, size_t n)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].filename && strcmp(p->v[i].name, name) == 0 && n-- == 0)
			return &p->v[i];
	return NULL;
}

void pm_web_params_free(struct pm_web_params *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].value);
		free(p->v[i].filename);
		free(p->v[i].type);
	}
	p->n = 0;
}

/* ---- multipart/form-data (RFC 7578) ---- */

/* The first needle (m bytes) in hay (n bytes), or NULL. */
static const char *find(const char *hay, size_t n, const char *needle, size_t m)
{
	const char *p = hay, *end = hay + n;

	while (m && (size_t)(end - p) >= m && (p = memchr(p, needle[0], (size_t)(end - p) - m + 1))) {
		if (memcmp(p, needle, m) == 0)
			return p;
		p++;
	}
	return NULL;
}

/* The first "boundary=" in a header value, in any case. */
static const char *boundary_param(const char *ct)
{
	for (const char *p = ct; *p; p++)
		if (strncasecmp(p, "boundary=", 9) == 0)
			return p;
	return NULL;
}

#define PART_HEAD_MAX 1024

/* The boundary of a content type, into b (1 to 70 characters). */
static int boundary_of(const char *ct, char *b, size_t size, struct pm_err *e)
{
	const char *p = ct ? boundary_param(ct) : NULL;
	size_t n;

	if (!p || strncasecmp(ct, "multipart/form-data", 19) != 0)
		return pm_err_set(e, PM_EDATA, _("a multipart form without its boundary"));
	p += 9;
	if (*p == '"') {
		p++;
		n = strcspn(p, "\"");
		if (p[n] != '"')
			n = 0;
	} else {
		n = strcspn(p, "; \t");
	}
	if (n == 0 || n > 70 || n + 1 > size)
		return pm_err_set(e, PM_EDATA, _("a multipart form without its boundary"));
	memcpy(b, p, n);
	b[n] = '\0';
	return PM_OK;
}

/* The value of param key (name, filename) in a Content-Disposition
 * line, quoted as browsers quote it; NULL when absent. */
static char *disposition_param(const char *line, size_t len, const char *key, int *bad)
{
	size_t klen = strlen(key);

	for (const char *p = line; p + klen + 2 <= line + len; p++) {
		const char *v, *q;
		if ((p > line && p[-1] != ' ' && p[-1] != ';') || strncasecmp(p, key, klen) != 0 ||
		    p[klen] != '=')
			continue;
		v = p + klen + 1;
		if (v >= line + len || *v != '"' || !(q = memchr(v + 1, '"', (size_t)(line + len - v - 1)))) {
			*bad = 1;
			return NULL;
		}
		return strndup(v + 1, (size_t)(q - v - 1));
	}
	return NULL;
}

struct part_head {
	char *name, *filename, *type;
};

static void part_head_free(struct part_head *h)
{
	free(h->name);
	free(h->filename);
	free(h->type);
}

static int part_head(const char *s, size_t len, struct part_head *h, struct pm_err *e)
{
	const char *end = s + len, *eol;
	int bad = 0, seen = 0;

	memset(h, 0, sizeof *h);
	for (; s < end; s = eol + 2) {
		size_t n;
		if (!(eol = find(s, (size_t)(end - s), "\r\n", 2)))
			eol = end;
		n = (size_t)(eol - s);
		if (!pm_web_text_ok(s, n))
			bad = 1;
		else if (n > 20 && strncasecmp(s, "Content-Disposition:", 20) == 0) {
			/* One disposition line a part: a second one makes its
			 * name ambiguous. */
			if (seen++)
				bad = 1;
			else {
				h->name = disposition_param(s, n, "name", &bad);
				h->filename = disposition_param(s, n, "filename", &bad);
			}
		} else if (n > 13 && strncasecmp(s, "Content-Type:", 13) == 0 && !h->type) {
			const char *v = s + 13;
			while (v < eol && *v == ' ')
				v++;
			h->type = strndup(v, (size_t)(eol - v));
		}
		if (eol == end)
			break;
	}
	if (bad || !h->name || name_ok(h->name, strlen(h->name), e) ||
	    (h->filename && !pm_web_text_ok(h->filename, strlen(h->filename)))) {
		part_head_free(h);
		return pm_err_set(e, PM_EDATA, _("a part of the multipart form without a good name"));
	}
	return PM_OK;
}

static int part(const char *s, size_t len, struct pm_web_params *p, struct pm_err *e)
{
	const char *sep = find(s, len, "\r\n\r\n", 4);
	struct part_head h;
	size_t hlen, dlen;
	char *data;

	if (!sep || (hlen = (size_t)(sep - s)) > PART_HEAD_MAX)
		return pm_err_set(e, PM_EDATA, _("a part of the multipart form without its headers"));
	if (part_head(s, hlen, &h, e))
		return e->code;
	dlen = len - hlen - 4;
	/* A file input left empty sends a part with no file name and no bytes. */
	if (h.filename && !*h.filename && dlen == 0) {
		part_head_free(&h);
		return PM_OK;
	}
	if (!h.filename && (dlen > PM_WEB_MAX_FORM || !pm_web_text_ok(sep + 4, dlen))) {
		pm_err_set(e, PM_EDATA, _("field '%.64s': not UTF-8 text"), h.name);
		part_head_free(&h);
		return PM_EDATA;
	}
	if (!(data = malloc(dlen + 1))) {
		part_head_free(&h);
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	}
	memcpy(data, sep + 4, dlen);
	data[dlen] = '\0';
	return add(p, h.name, data, dlen, h.filename, h.filename ? h.type : (free(h.type), NULL), e);
}

int pm_web_multipart(const char *body, size_t len, const char *content_type, struct pm_web_params *p,
		     struct pm_err *e)
{
	char b[80], delim[86];
	const char *s, *end = body + len, *next;
	size_t dlen;

	if (boundary_of(content_type, b, sizeof b, e))
		return e->code;
	dlen = (size_t)snprintf(delim, sizeof delim, "\r\n--%s", b);
	/* The first delimiter may open the body, without its line break. */
	if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0)
		s = body + dlen - 2;
	else if ((s = find(body, len, delim, dlen)))
		s += dlen;
	else
		return pm_err_set(e, PM_EDATA, _("a multipart form without its boundary"));
	for (;;) {
		if (end - s >= 2 && s[0] == '-' && s[1] == '-')
			return PM_OK;
		if (end - s < 2 || s[0] != '\r' || s[1] != '\n')
			return pm_err_set(e, PM_EDATA, _("a multipart form cut short"));
		s += 2;
		if (!(next = find(s, (size_t)(end - s), delim, dlen)))
			return pm_err_set(e, PM_EDATA, _("a multipart form cut short"));
		if (part(s, (size_t)(next - s), p, e))
			return e->code;
		s = next + dlen;
	}
}

/* ---- cookies (RFC 6265) ---- */

static int cookie_octet(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2b) || (c >= 0x2d && c <= 0x3a) || (c >= 0x3c && c <= 0x5b) ||
	       (c >= 0x5d && c <= 0x7e);
}

int pm_web_cookie(const char *header, const char *name, char *out, size_t size)
{
	size_t nlen = strlen(name);
	const char *p = header;

	while (p && *p) {
		size_t n;
		while (*p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, ";");
		if (n > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
			const char *v = p + nlen + 1;
			size_t vlen = n - nlen - 1;
			while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
				vlen--;
			if (vlen == 0 || vlen >= size)
				return 0;
			for (size_t i = 0; i < vlen; i++)
				if (!cookie_octet((unsigned char)v[i]))
					return 0;
			memcpy(out, v, vlen);
			out[vlen] = '\0';
			return 1;
		}
		p += n;
		if (*p == ';')
			p++;
	}
	return 0;
}

/* ---- the request ---- */

static const char *env_or(pm_web_env env, void *ctx, const char *name, const char *dflt)
{
	const char *v = env(ctx, name);

	return v && *v ? v : dflt;
}

static int path_ok(const char *s)
{
	const char *seg = s;

	if (*s != '/' || strlen(s) >= PM_WEB_MAX_PATH)
		return 0;
	for (const char *p = s; *p; p++) {
		if (!isalnum((unsigned char)*p) && !strchr("-._~/", *p))
			return 0;
		if (*p == '/')
			seg = p + 1;
		else if (p == seg && *p == '.' && (p[1] == '/' || !p[1] || (p[1] == '.' && (p[2] == '/' || !p[2]))))
			return 0;
	}
	return 1;
}

static int refuse(struct pm_web_req *r, int status, struct pm_err *e, const char *msg)
{
	r->refuse = status;
	return pm_err_set(e, PM_EDATA, "%s", msg);
}

int pm_web_req_init(struct pm_web_req *r, pm_web_env env, void *ctx, size_t max_body, struct pm_err *e)
{
	const char *method = env_or(env, ctx, "REQUEST_METHOD", "GET");
	const char *path = env_or(env, ctx, "PATH_INFO", "/"), *len = env(ctx, "CONTENT_LENGTH");
	const char *https = env_or(env, ctx, "HTTPS", ""), *query = env_or(env, ctx, "QUERY_STRING", "");
	char *end;

	memset(r, 0, sizeof *r);
	r->script = env_or(env, ctx, "SCRIPT_NAME", "");
	r->content_type = env_or(env, ctx, "CONTENT_TYPE", "");
	r->cookie = env_or(env, ctx, "HTTP_COOKIE", "");
	r->remote = env_or(env, ctx, "REMOTE_ADDR", "-");
	r->signature = env(ctx, "HTTP_X_PM_SIGNATURE");
	r->https = !strcasecmp(https, "on") || !strcmp(https, "1");
	if (strcmp(method, "GET") && strcmp(method, "HEAD") && strcmp(method, "POST"))
		return refuse(r, 405, e, _("only GET, HEAD and POST are answered"));
	snprintf(r->method, sizeof r->method, "%s", method);
	if (!path_ok(path))
		return refuse(r, 404, e, _("no such page"));
	snprintf(r->path, sizeof r->path, "%s", path);
	if (len && *len) {
		if (!isdigit((unsigned char)*len) || strlen(len) > 12 || (r->length = strtoll(len, &end, 10), *end))
			return refuse(r, 400, e, _("a bad Content-Length"));
		if ((unsigned long long)r->length > max_body)
			return refuse(r, 413, e, _("too large a request"));
	}
	if (pm_web_urlencoded(query, strlen(query), &r->params, e)) {
		r->refuse = e->code == PM_EDATA ? 400 : 500;
		return e->code;
	}
	r->query = r->params.n;
	return PM_OK;
}

int pm_web_req_body(struct pm_web_req *r, const char *body, size_t len, struct pm_err *e)
{
	int rc = PM_OK;

	if (strncasecmp(r->content_type, "application/x-www-form-urlencoded", 33) == 0)
		rc = pm_web_urlencoded(body, len, &r->params, e);
	else if (strncasecmp(r->content_type, "multipart/form-data", 19) == 0)
		rc = pm_web_multipart(body, len, r->content_type, &r->params, e);
	if (rc)
		r->refuse = rc == PM_EDATA ? 400 : 500;
	return rc;
}

const char *pm_web_body_get(const struct pm_web_req *r, const char *name)
{
	for (size_t i = r->query; i < r->params.n; i++)
		if (!r->params.v[i].filename && strcmp(r->params.v[i].name, name) == 0)
			return r->params.v[i].value;
	return NULL;
}

void pm_web_req_free(struct pm_web_req *r)
{
	pm_web_params_free(&r->params);
}

/* ---- the response ---- */

int pm_web_res_open(struct pm_web_res *r, struct pm_err *e)
{
	memset(r, 0, sizeof *r);
	r->status = 200;
	if (!(r->f = open_memstream(&r->body, &r->len)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	return PM_OK;
}

int pm_web_res_finish(struct pm_web_res *r, struct pm_err *e)
{
	int bad = ferror(r->f);

	if (fclose(r->f) != 0 || bad) {
		r->f = NULL;
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	}
	r->f = NULL;
	return PM_OK;
}

void pm_web_res_free(struct pm_web_res *r)
{
	if (r->f)
		fclose(r->f);
	free(r->body);
	memset(r, 0, sizeof *r);
}

void pm_web_res_reset(struct pm_web_res *r)
{
	fflush(r->f);
	rewind(r->f);
	fflush(r->f);
	r->len = 0;
	r->type = NULL;
	r->disposition[0] = r->style[0] = '\0';
	r->max_age = 0;
}

void pm_web_redirect(struct pm_web_res *r, const char *base, const char *path)
{
	r->status = 303;
	snprintf(r->location, sizeof r->location, "%s%s", base, path);
}

void pm_web_set_cookie(struct pm_web_res *r, const struct pm_web_req *q, const char *name,
		       const char *value, int max_age, int strict)
{
	char age[48] = "";

	if (r->ncookies == PM_WEB_MAX_COOKIES)
		return;
	if (max_age)
		snprintf(age, sizeof age, "; Max-Age=%d", max_age < 0 ? 0 : max_age);
	snprintf(r->cookies[r->ncookies++], sizeof r->cookies[0], "%s=%s; Path=%s/; HttpOnly; SameSite=%s%s%s",
		 name, max_age < 0 ? "" : value, q->script, strict ? "Strict" : "Lax", q->https ? "; Secure" : "", age);
}

const char *pm_web_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 429: return "Too Many Requests";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

size_t pm_web_res_head(const struct pm_web_res *r, int head_only, char *buf, size_t size)
{
	size_t n = 0;

#define PUT(...) (n += (size_t)snprintf(buf + n, n < size ? size - n : 0, __VA_ARGS__))
	PUT("Status: %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n", r->status,
	    pm_web_status_text(r->status), r->type ? r->type : "text/html; charset=utf-8", head_only ? 0 : r->len);
	PUT("Content-Security-Policy: default-src 'none'; style-src 'self'%s%s; img-src 'self' data:;"
	    " form-action 'self'; frame-ancestors 'none'; base-uri 'none'\r\n",
	    r->style[0] ? " " : "", r->style);
	PUT("X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\nReferrer-Policy: same-origin\r\n");
	if (r->max_age > 0)
		PUT("Cache-Control: public, max-age=%d\r\n", r->max_age);
	else
		PUT("Cache-Control: no-store\r\n");
	for (size_t i = 0; i < r->ncookies; i++)
		PUT("Set-Cookie: %s\r\n", r->cookies[i]);
	if (r->location[0])
		PUT("Location: %s\r\n", r->location);
	if (r->disposition[0])
		PUT("Content-Disposition: %s\r\n", r->disposition);
	PUT("\r\n");
#undef PUT
	return n < size ? n : size - 1;
}
