/* A growing string for the modules that build text piece by piece
 * (templates, MIME messages). Private to libpm. On out of memory the
 * buffer is marked failed and later appends do nothing, so callers check
 * once at the end. */
#ifndef PM_STRBUF_INTERNAL_H
#define PM_STRBUF_INTERNAL_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct strbuf {
	char *p;
	size_t n, cap;
	int failed;
};

static inline void sb_add(struct strbuf *b, const char *s, size_t len)
{
	char *np;
	size_t cap;

	if (b->failed)
		return;
	if (b->n + len + 1 > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < b->n + len + 1)
			cap *= 2;
		if (!(np = realloc(b->p, cap))) {
			b->failed = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, len);
	b->n += len;
	b->p[b->n] = '\0';
}

static inline void sb_str(struct strbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static inline __attribute__((format(printf, 2, 3))) void sb_fmt(struct strbuf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof tmp)
		b->failed = 1;
	else
		sb_add(b, tmp, (size_t)n);
}

/* s percent-encoded: everything but the unreserved characters of RFC
 * 3986 as %XX. */
static inline void sb_urlencode(struct strbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char enc[3] = "%";

	for (; *s; s++)
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		    strchr("-_.~", *s)) {
			sb_add(b, s, 1);
		} else {
			enc[1] = hex[(unsigned char)*s >> 4];
			enc[2] = hex[(unsigned char)*s & 15];
			sb_add(b, enc, 3);
		}
}

/* Hands the text over (an empty string for an empty buffer), or NULL if
 * memory ran out. */
static inline char *sb_take(struct strbuf *b)
{
	char *p = b->p;

	if (b->failed) {
		free(p);
		p = NULL;
	} else if (!p) {
		p = calloc(1, 1);
	}
	b->p = NULL;
	b->n = b->cap = 0;
	return p;
}

/* pm_jw: compact JSON written straight into a strbuf, the text
 * pm_json_compact prints for the object built alike (keys in the order
 * written, integers as such, strings escaped the same), without
 * building it: a bill line's breakdown costs no jansson object. A key
 * is given for an object's member and NULL for an array's element or
 * the top value; nesting is at most 31 deep. */
struct pm_jw {
	struct strbuf *b;  /* NULL: write nothing */
	int depth;
	unsigned need;     /* bit d: a comma before the next value at depth d */
};

void pm_jw_open(struct pm_jw *w, const char *key, char c);
void pm_jw_close(struct pm_jw *w, char c);
void pm_jw_str(struct pm_jw *w, const char *key, const char *s);
void pm_jw_int(struct pm_jw *w, const char *key, int64_t v);
/* v with places decimals, as a string (pm_decimal_fmt). */
void pm_jw_dec(struct pm_jw *w, const char *key, int64_t v, int places);
void pm_jw_true(struct pm_jw *w, const char *key);

#endif
