/* Records in: JSON lines, or CSV with a header row turned into the same
 * objects; typed field access; records out; reject files. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <iconv.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "csv-internal.h"
#include "strbuf-internal.h"
#include "pm/file.h"
#include "pm/i18n.h"
#include "pm/jsonl.h"
#include "pm/money.h"
#include "pm/suggest.h"
#include "pm/timeutil.h"

enum { FMT_UNDECIDED, FMT_JSONL, FMT_CSV };

/* A record longer than this is rejected unread, and never held whole.
 * The fuzz targets are built with a small one, to reach it. */
#ifndef PM_RECORD_MAX
#define PM_RECORD_MAX (1 << 20)
#endif
#define RECORD_MAX ((size_t)PM_RECORD_MAX)
#define READ_CHUNK ((size_t)64 << 10)

struct pm_jsonl {
	FILE *f;
	int fd;              /* f's descriptor, read directly; -1 for a FILE
			      * with none (fmemopen) */
	int owns_f;
	int format;
	int at_end;
	char *name;
	char *where;
	size_t where_size;
	char *buf;           /* input read, lines not yet taken from start */
	size_t cap, start, end;
	const char *text;    /* the line just read, terminator and BOM excluded */
	size_t len, eol;     /* eol: the terminator's length */
	size_t skipped;      /* the line just read was this long, too long to keep */
	char skip_lead;      /* and began with this */
	int pending;         /* text was read to detect the format, not yet used */
	long nlines;         /* physical lines read */
	long long consumed;  /* bytes read from the input */
	long lineno;         /* where the record just read starts */
	const char *raw;
	size_t raw_len;
	char raw_eol[3];     /* the terminator of the record's last line */
	json_t *rec;
	int rec_flat;        /* rec is a flat line's object, its fields checked */
	json_t *like;        /* the last such, to be filled by the next line */
	struct pm_csv csv;
	json_t **keys;       /* the CSV header's names, NULL until it is good */
	size_t nkeys;
	long header_line;
	char *header;        /* the CSV header as read, its line end included */
	size_t header_len;
	const char *const *fields; /* the names a record may have, or NULL */
	const char *const *names;  /* the names it reads, for headings in Chinese */
	char *exact;         /* the line with numbers a double would round as strings */
	size_t exact_cap;
	iconv_t cd;          /* --encoding's converter to UTF-8, or (iconv_t)-1 */
	char *raw_in;        /* input read, not yet converted */
	size_t raw_in_len;
};

static int oom(struct pm_err *e)
{
	return pm_err_set(e, PM_EFAIL, _("out of memory"));
}

int pm_jsonl_open_file(FILE *f, const char *name, enum pm_jsonl_mode mode,
		       struct pm_jsonl **out, struct pm_err *e)
{
	struct pm_jsonl *r = calloc(1, sizeof *r);

	*out = NULL;
	if (!r)
		return oom(e);
	r->f = f;
	r->fd = fileno(f);
	r->cd = (iconv_t)-1;
	r->format = mode == PM_JSONL_ONLY ? FMT_JSONL : FMT_UNDECIDED;
	r->where_size = strlen(name) + 24;
	r->name = strdup(name);
	r->where = malloc(r->where_size);
	if (!r->name || !r->where) {
		pm_jsonl_close(r);
		return oom(e);
	}
	*out = r;
	return PM_OK;
}

/* fopen() opens a directory for reading; say so now rather than at the
 * first read. */
static int input_check(FILE *f, const char *path, struct pm_err *e)
{
	struct stat st;

	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode))
		return pm_err_set(e, PM_ENOINPUT, _("cannot read \"%s\": %s"), path,
				  strerror(EISDIR));
	return PM_OK;
}

int pm_jsonl_open(const char *path, enum pm_jsonl_mode mode, struct pm_jsonl **out,
		  struct pm_err *e)
{
	int dash = strcmp(path, "-") == 0;
	FILE *f = dash ? stdin : fopen(path, "r");
	int rc;

	*out = NULL;
	if (!f) {
		int err = errno;

		return pm_err_set(e, PM_ENOINPUT, _("cannot open \"%s\": %s"), path,
				  strerror(err));
	}
	if (dash)
		return pm_jsonl_open_file(f, "stdin", mode, out, e);
	if ((rc = input_check(f, path, e)) || (rc = pm_jsonl_open_file(f, path, mode, out, e))) {
		fclose(f);
		return rc;
	}
	(*out)->owns_f = 1;
	return PM_OK;
}

static void keys_free(json_t **keys, size_t n)
{
	size_t i;

	for (i = 0; keys && i < n; i++)
		json_decref(keys[i]);
	free(keys);
}

void pm_jsonl_close(struct pm_jsonl *r)
{
	if (!r)
		return;
	if (r->owns_f)
		fclose(r->f);
	json_decref(r->rec);
	json_decref(r->like);
	pm_csv_free(&r->csv);
	keys_free(r->keys, r->nkeys);
	free(r->header);
	free(r->exact);
	free(r->buf);
	free(r->raw_in);
	if (r->cd != (iconv_t)-1)
		iconv_close(r->cd);
	free(r->name);
	free(r->where);
	free(r);
}

/* A record's fields were checked against the names as they were: none
 * is kept to be filled again once they change. */
static void like_drop(struct pm_jsonl *r)
{
	r->rec_flat = 0;
	json_decref(r->like);
	r->like = NULL;
}

void pm_jsonl_fields(struct pm_jsonl *r, const char *const *fields)
{
	r->fields = r->names = fields;
	like_drop(r);
}

void pm_jsonl_names(struct pm_jsonl *r, const char *const *names)
{
	r->names = names;
}

/* Whether name is one a record may have ("type" always may: records
 * piped from another program carry it). */
static int field_known(const struct pm_jsonl *r, const char *name)
{
	if (!r->fields || strcmp(name, "type") == 0)
		return 1;
	for (const char *const *f = r->fields; *f; f++)
		if (strcmp(*f, name) == 0)
			return 1;
	return 0;
}

/* 'unknown column "stauts": did you mean "status"?', or the names known. */
static int field_unknown(const struct pm_jsonl *r, int column, const char *name, struct pm_err *e)
{
	const char *best = pm_suggest(name, r->fields);
	char known[256];
	size_t n = 0;

	if (best)
		return pm_err_set(e, PM_EDATA, column ? _("unknown column \"%s\": did you mean \"%s\"?")
					       : _("unknown field \"%s\": did you mean \"%s\"?"), name, best);
	known[0] = '\0';
	for (const char *const *f = r->fields; *f && n < sizeof known; f++)
		n += (size_t)snprintf(known + n, sizeof known - n, "%s%s", n ? ", " : "", *f);
	return pm_err_set(e, PM_EDATA, column ? _("unknown column \"%s\": expected %s (or --ignore-unknown)")
				       : _("unknown field \"%s\": expected %s (or --ignore-unknown)"), name, known);
}

static int fields_check(const struct pm_jsonl *r, json_t *o, struct pm_err *e)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v)
		if (!field_known(r, k))
			return field_unknown(r, 0, k, e);
	return PM_OK;
}

long long pm_jsonl_done(const struct pm_jsonl *r, long long *size)
{
	struct stat st;
	int fd = r->fd >= 0 ? r->fd : r->f ? fileno(r->f) : -1;
	long long done = r->consumed - (long long)(r->end - r->start);

	*size = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? (long long)st.st_size : 0;
	return done > 0 ? done : 0;
}

const char *pm_jsonl_where(struct pm_jsonl *r)
{
	snprintf(r->where, r->where_size, "%s:%ld", r->name, r->lineno);
	return r->where;
}

long pm_jsonl_lineno(const struct pm_jsonl *r)
{
	return r->lineno;
}

const char *pm_jsonl_eol(const struct pm_jsonl *r)
{
	return r->raw_eol;
}

const char *pm_jsonl_raw(const struct pm_jsonl *r, size_t *len)
{
	*len = r->raw_len;
	return r->raw ? r->raw : "";
}

static int blank(const char *s, size_t len)
{
	for (; len; s++, len--)
		if (!memchr(" \t\r\n\f\v", *s, 6))
			return 0;
	return 1;
}

static void line_strip(struct pm_jsonl *r)
{
	if (r->len && r->text[r->len - 1] == '\n') {
		r->len--;
		r->eol++;
		if (r->len && r->text[r->len - 1] == '\r') {
			r->len--;
			r->eol++;
		}
	}
	if (r->nlines == 1 && r->len >= 3 && memcmp(r->text, "\xef\xbb\xbf", 3) == 0) {
		r->text += 3;
		r->len -= 3;
	}
}

static int is_utf8(const char *encoding)
{
	return !encoding || !strcasecmp(encoding, "utf-8") || !strcasecmp(encoding, "utf8");
}

int pm_jsonl_encoding_check(const char *encoding, struct pm_err *e)
{
	iconv_t cd;

	if (is_utf8(encoding))
		return PM_OK;
	if ((cd = iconv_open("UTF-8", encoding)) == (iconv_t)-1)
		return pm_err_set(e, PM_EUSAGE, _("unknown character set \"%s\" (gb18030, gbk, big5, utf-16 …)"),
				  encoding);
	iconv_close(cd);
	return PM_OK;
}

int pm_jsonl_encoding(struct pm_jsonl *r, const char *encoding, struct pm_err *e)
{
	if (is_utf8(encoding))
		return PM_OK;
	if ((r->cd = iconv_open("UTF-8", encoding)) == (iconv_t)-1)
		return pm_jsonl_encoding_check(encoding, e);
	if (!(r->raw_in = malloc(READ_CHUNK)))
		return oom(e);
	return PM_OK;
}

/* Up to n bytes of input into buf: *got 0 at its end. */
static int input_read(struct pm_jsonl *r, char *buf, size_t n, size_t *got, struct pm_err *e)
{
	ssize_t k;

	if (r->fd < 0) {
		k = (ssize_t)fread(buf, 1, n, r->f);
		if (k == 0 && ferror(r->f))
			k = -1;
	} else {
		do
			k = read(r->fd, buf, n);
		while (k < 0 && errno == EINTR);
	}
	if (k < 0) {
		int err = errno ? errno : EIO;

		r->at_end = 1;
		return pm_err_set(e, PM_EIO, _("read error: %s"), strerror(err));
	}
	r->consumed += k;
	*got = (size_t)k;
	return PM_OK;
}

/* Input converted to UTF-8 into buf + end. A byte that is not of the
 * encoding becomes 0xFF, which no UTF-8 text holds, so the record it is in
 * is rejected as not UTF-8 and the rest read on; a sequence cut by the end
 * of a read waits for the next. */
static int input_convert(struct pm_jsonl *r, struct pm_err *e)
{
	size_t got = 0, in_left, out_left = r->cap - r->end, before;
	char *in, *out = r->buf + r->end;
	int rc, eof = 0;

	if (r->raw_in_len < READ_CHUNK / 2) {
		if ((rc = input_read(r, r->raw_in + r->raw_in_len, READ_CHUNK - r->raw_in_len, &got, e)))
			return rc;
		eof = got == 0;
	}
	r->raw_in_len += got;
	in = r->raw_in, in_left = r->raw_in_len, before = out_left;
	while (in_left && out_left > 4 && iconv(r->cd, &in, &in_left, &out, &out_left) == (size_t)-1) {
		if (errno == EILSEQ || (errno == EINVAL && eof)) {
			*out++ = (char)0xFF, out_left--;
			in++, in_left--;
		} else {
			break;
		}
	}
	memmove(r->raw_in, in, in_left);
	r->raw_in_len = in_left;
	r->end += before - out_left;
	if (eof && !in_left)
		r->at_end = 1;
	return PM_OK;
}

/* More input after end; PM_EIO on a read error. A pipe or a terminal
 * gives what it has, so a record is read as soon as it is written. */
static int input_fill(struct pm_jsonl *r, struct pm_err *e)
{
	size_t got;
	int rc;

	if (r->cd != (iconv_t)-1)
		return input_convert(r, e);
	if ((rc = input_read(r, r->buf + r->end, r->cap - r->end, &got, e)))
		return rc;
	if (got == 0)
		r->at_end = 1;
	r->end += got;
	return PM_OK;
}

/* Room to read into: what is held moves to the front, and the buffer
 * grows up to a record's length and a chunk. A line past RECORD_MAX is
 * dropped as it comes (r->skipped counts it). */
static int input_room(struct pm_jsonl *r, struct pm_err *e)
{
	size_t held = r->end - r->start, cap;
	char *buf;

	if (held > RECORD_MAX + 1) {
		if (!r->skipped) {
			size_t i = r->start;

			while (i < r->end && blank(r->buf + i, 1))
				i++;
			r->skip_lead = i < r->end ? r->buf[i] : ' ';
		}
		r->skipped += held;
		r->start = r->end = 0;
		return PM_OK;
	}
	if (r->start)
		memmove(r->buf, r->buf + r->start, held);
	r->start = 0;
	r->end = held;
	/* Room for a converted character at least (input_convert). */
	if (r->end + 8 <= r->cap)
		return PM_OK;
	cap = r->cap ? 2 * r->cap : READ_CHUNK;
	if (cap > RECORD_MAX + READ_CHUNK)
		cap = RECORD_MAX + READ_CHUNK;
	if (!(buf = realloc(r->buf, cap)))
		return oom(e);
	r->buf = buf;
	r->cap = cap;
	return PM_OK;
}

/* The next physical line, its end included, into text and len; *got is 0
 * at the end of the input. */
static int line_read(struct pm_jsonl *r, int *got, struct pm_err *e)
{
	char *nl;
	size_t n;
	int rc;

	r->skipped = 0;
	for (;;) {
		nl = r->end > r->start ? memchr(r->buf + r->start, '\n', r->end - r->start) : NULL;
		if (nl || (r->at_end && r->end > r->start)) {
			n = nl ? (size_t)(nl + 1 - (r->buf + r->start)) : r->end - r->start;
			r->text = r->buf + r->start;
			r->len = n;
			r->start += n;
			*got = 1;
			return PM_OK;
		}
		if (r->at_end) {
			*got = r->skipped > 0;
			return PM_OK;
		}
		if ((rc = input_room(r, e)) || (rc = input_fill(r, e)))
			return rc;
	}
}

/* One physical line; *got is 0 at the end of the input. At the end
 * reading stops for good, so a terminal's ^D is not asked twice. A line
 * longer than RECORD_MAX comes back empty with r->skipped its length. */
static int line_next(struct pm_jsonl *r, int *got, struct pm_err *e)
{
	int rc;

	*got = 0;
	if (r->pending) {
		r->pending = 0;
		*got = 1;
		return PM_OK;
	}
	r->text = "";
	r->len = r->eol = 0;
	if ((rc = line_read(r, got, e)) || !*got)
		return rc;
	r->nlines++;
	line_strip(r);
	if (!r->skipped && r->len > RECORD_MAX)
		r->skip_lead = r->text[0];
	if (r->skipped || r->len > RECORD_MAX) {
		r->skipped += r->len;
		r->text = "";
		r->len = r->eol = 0;
	}
	return PM_OK;
}

static int line_next_filled(struct pm_jsonl *r, int *got, struct pm_err *e)
{
	int rc;

	do
		rc = line_next(r, got, e);
	while (!rc && *got && !r->skipped && blank(r->text, r->len));
	return rc;
}

static int too_long(struct pm_jsonl *r, struct pm_err *e)
{
	r->raw = "";
	r->raw_len = 0;
	r->raw_eol[0] = '\0';
	return pm_err_set(e, PM_EDATA, _("record of %zu bytes is longer than the limit of 1 MiB: not read"),
			  r->skipped);
}

int pm_jsonl_ready(const struct pm_jsonl *r, int wait_ms)
{
	struct pollfd p = {r->fd, POLLIN, 0};

	if (r->pending || r->at_end || r->fd < 0 ||
	    (r->end > r->start && memchr(r->buf + r->start, '\n', r->end - r->start)))
		return 1;
	return poll(&p, 1, wait_ms) != 0;
}

/* Reads the first line that is not blank and keeps it for the reader
 * chosen, since stdin cannot be rewound. */
static int format_detect(struct pm_jsonl *r, struct pm_err *e)
{
	size_t i = 0;
	int got, rc = line_next_filled(r, &got, e);

	if (rc || !got)
		return rc;
	while (blank(r->text + i, 1))
		i++;
	r->format = (r->skipped ? r->skip_lead : r->text[i]) == '{' ? FMT_JSONL : FMT_CSV;
	r->pending = 1;
	return PM_OK;
}

/* The bytes that ended the record's last line, kept for the reject file. */
static void raw_eol_keep(struct pm_jsonl *r)
{
	memcpy(r->raw_eol, r->text + r->len, r->eol);
	r->raw_eol[r->eol] = '\0';
}

/* ---- numbers as they were written ---- */

/* A JSON number is a double to jansson, which keeps 15 significant digits
 * and no trailing zero: 0.1000000000000000055 would read as 0.1 and
 * 12.3450 as 12.345. A literal that a double may not give back as it was
 * written (more than 15 significant digits, a trailing zero after the
 * point, an exponent) is read as the string of its exact decimal instead,
 * so the field's parser judges what was written: 12.3450 is refused for
 * three places as "12.3450" is, never rounded; 1.5e2 reads as "150". */

/* The length of the number literal at s (JSON's grammar, no more checks:
 * jansson makes those). */
static size_t number_len(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && (memchr("0123456789+-.eE", s[i], 15)))
		i++;
	return i;
}

static size_t digits_end(const char *s, size_t n, size_t i)
{
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	return i;
}

/* Whether s[0..n) is one whole JSON number, -?(0|[1-9][0-9]*)(\.[0-9]+)?
 * ([eE][+-]?[0-9]+)?, as jansson's lexer takes one: 1., .5, 01, 1e, 1e+,
 * 1.5e, --1 and 1.5.5 are not, and are left for jansson to refuse. */
static int number_valid(const char *s, size_t n)
{
	size_t d = n && s[0] == '-', i;

	i = d < n && s[d] == '0' ? d + 1 : digits_end(s, n, d);
	if (i == d)
		return 0;
	if (i < n && s[i] == '.') {
		d = i + 1;
		if ((i = digits_end(s, n, d)) == d)
			return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		d = i + 1 + (i + 1 < n && (s[i + 1] == '+' || s[i + 1] == '-'));
		if ((i = digits_end(s, n, d)) == d)
			return 0;
	}
	return i == n;
}

/* Whether the literal may come back from a double other than written. */
static int number_inexact(const char *s, size_t n)
{
	size_t digits = 0, i;
	int frac = 0, lead = 1;

	for (i = 0; i < n; i++) {
		if (s[i] == 'e' || s[i] == 'E')
			return 1;
		if (s[i] == '.') {
			frac = 1;
		} else if (s[i] >= '0' && s[i] <= '9') {
			lead &= s[i] == '0';
			digits += !lead;
		}
	}
	return frac && (digits > 15 || s[n - 1] == '0');
}

/* The literal written out without an exponent, exactly (digits shifted,
 * nothing computed), in out; 0 when it would be longer than size. */
static size_t number_plain(const char *s, size_t n, char *out, size_t size)
{
	char digits[96];
	size_t nd = 0, i = 0, k = 0;
	long point = 0, exp = 0;
	int neg = s[0] == '-', seen_point = 0;

	for (i = neg; i < n && s[i] != 'e' && s[i] != 'E'; i++) {
		if (s[i] == '.') {
			seen_point = 1;
			continue;
		}
		if (nd == sizeof digits)
			return 0;
		digits[nd++] = s[i];
		point += !seen_point;
	}
	if (i < n) {
		char *end;

		exp = strtol(s + i + 1, &end, 10);
		if (exp > 64 || exp < -64)
			return 0;
	}
	point += exp;
	for (i = 0; i + 1 < nd && (long)i + 1 < point && digits[i] == '0'; i++)
		;
	if (nd - i + (size_t)labs(point) + 4 > size)
		return 0;
	if (neg)
		out[k++] = '-';
	if (point <= (long)i) {
		out[k++] = '0';
		out[k++] = '.';
		for (long z = point; z < (long)i; z++)
			out[k++] = '0';
	}
	for (; i < nd || (long)i < point; i++) {
		if ((long)i == point && point > 0)
			out[k++] = '.';
		out[k++] = i < nd ? digits[i] : '0';
	}
	return k;
}

static size_t skip_blank(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	return i;
}

/* Appends n bytes of s to r->exact at *k; 0 when there is no memory. */
static int exact_put(struct pm_jsonl *r, size_t *k, const char *s, size_t n)
{
	/* Nothing before a number first on its line, when r->exact may
	 * still be NULL: memcpy may not be given it even for 0 bytes. */
	if (!n)
		return 1;
	if (*k + n > r->exact_cap) {
		size_t cap = 2 * (*k + n) + 64;
		char *p = realloc(r->exact, cap);

		if (!p)
			return 0;
		r->exact = p;
		r->exact_cap = cap;
	}
	memcpy(r->exact + *k, s, n);
	*k += n;
	return 1;
}

/* The line with each inexact number quoted as its plain decimal, in
 * r->exact; NULL when it has none (nearly always), or no memory. */
static const char *numbers_exact(struct pm_jsonl *r, size_t *len)
{
	const char *s = r->text;
	size_t n = r->len, i, done = 0, k = 0, m, w, after;
	int quoted = 0;
	char plain[160];

	for (i = 0; i < n; i++) {
		if (quoted) {
			if (s[i] == '\\')
				i++;
			else
				quoted = s[i] != '"';
			continue;
		}
		if (s[i] == '"')
			quoted = 1;
		if (s[i] != '-' && (s[i] < '0' || s[i] > '9'))
			continue;
		m = number_len(s + i, n - i);
		after = skip_blank(s, n, i + m);
		/* Only a number where a string may stand for it: a malformed
		 * one, or one before ':' ({1e5:2}, a key), would be made JSON
		 * by its quotes. */
		if (number_inexact(s + i, m) && number_valid(s + i, m) && (after == n || s[after] != ':') &&
		    (w = number_plain(s + i, m, plain, sizeof plain))) {
			if (!exact_put(r, &k, s + done, i - done) || !exact_put(r, &k, "\"", 1) ||
			    !exact_put(r, &k, plain, w) || !exact_put(r, &k, "\"", 1))
				return NULL;
			done = i + m;
		}
		i += m - 1;
	}
	if (!done || !exact_put(r, &k, s + done, n - done))
		return NULL;
	*len = k;
	return r->exact;
}

/* The string at s[*i] when it has no escape: its bytes, and *i moved
 * past its closing quote; 0 when there is none such. */
static int plain_string(const char *s, size_t n, size_t *i, const char **start, size_t *len)
{
	size_t j;

	if (*i >= n || s[*i] != '"')
		return 0;
	for (j = *i + 1; j < n && s[j] != '"'; j++)
		if (s[j] == '\\' || (unsigned char)s[j] < 0x20)
			return 0;
	if (j >= n)
		return 0;
	*start = s + *i + 1;
	*len = j - *i - 1;
	*i = j + 1;
	return 1;
}

/* An integer of at most 18 digits at s[*i], which no int64 overflows:
 * jansson's value for it, and *i moved past it; NULL for anything else
 * (a leading zero, a fraction or an exponent: jansson's to read or
 * refuse). */
static json_t *plain_integer(const char *s, size_t n, size_t *i)
{
	int neg = s[*i] == '-';
	size_t j = *i + (size_t)neg, d = j;
	json_int_t v = 0;

	for (; j < n && s[j] >= '0' && s[j] <= '9'; j++)
		if (j - d < 18)
			v = v * 10 + (s[j] - '0');
	if (j == d || j - d > 18 || (s[d] == '0' && j - d > 1) ||
	    (j < n && (s[j] == '.' || s[j] == 'e' || s[j] == 'E')))
		return NULL;
	*i = j;
	return json_integer(neg ? -v : v);
}

/* The real of a decimal of at most 15 significant digits without an
 * exponent, s[0..len), as strtod reads it, and *i set to end. Its digits
 * are an integer below 2^53 and 10^places is exact up to 10^22, so one
 * division, correctly rounded, is the double nearest the decimal, which
 * is what strtod gives (Clinger's fast path); strtod takes the rest. */
static json_t *plain_double(const char *s, size_t len, size_t *i, size_t end)
{
	static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
				       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
				       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
	char text[40];
	uint64_t m = 0;
	size_t places = 0, k = s[0] == '-';
	int frac = 0;
	double d;

	for (; k < len; k++) {
		if (s[k] == '.') {
			frac = 1;
			continue;
		}
		m = m * 10 + (uint64_t)(s[k] - '0');
		places += (size_t)frac;
	}
	if (places < sizeof pow10 / sizeof *pow10 && m < (uint64_t)1 << 53) {
		d = (double)m / pow10[places];
		if (s[0] == '-')
			d = -d;
	} else if (len < sizeof text) {
		memcpy(text, s, len);
		text[len] = '\0';
		d = strtod(text, NULL);
	} else {
		return NULL;
	}
	*i = end;
	return json_real(d);
}

/* A decimal with a fraction at s[*i], -?(0|[1-9][0-9]*)\.[0-9]+, as the
 * slow path reads it, and *i moved past it: when a double gives it back
 * as written, the real jansson reads (strtod of the same text, which has
 * no exponent and too few digits to overflow); else the string of its
 * exact decimal that numbers_exact would quote. NULL for anything else,
 * jansson's to read or refuse. A reading's value is one: jansson's lexer
 * was 37% of pm-meter ingest's instructions. */
static json_t *plain_real(const char *s, size_t n, size_t *i)
{
	size_t j = *i + (s[*i] == '-'), d = j, len;

	while (j < n && s[j] >= '0' && s[j] <= '9')
		j++;
	if (j == d || (s[d] == '0' && j - d > 1) || j >= n || s[j] != '.')
		return NULL;
	d = ++j;
	while (j < n && s[j] >= '0' && s[j] <= '9')
		j++;
	len = j - *i;
	if (j == d || (j < n && (s[j] == 'e' || s[j] == 'E' || s[j] == '.')))
		return NULL;
	/* What numbers_exact would quote for jansson: the same string. */
	if (number_inexact(s + *i, len)) {
		char plain[160];
		size_t w = number_plain(s + *i, len, plain, sizeof plain);

		if (!w)
			return NULL;
		*i = j;
		return json_stringn(plain, w);
	}
	return plain_double(s + *i, len, i, j);
}

/* A string (NULL when it is not UTF-8), a plain integer or decimal, true,
 * false or null. */
static json_t *plain_value(const char *s, size_t n, size_t *i)
{
	const char *v;
	size_t len, at = *i;
	json_t *num;

	if (plain_string(s, n, i, &v, &len))
		return json_stringn(v, len);
	if (*i < n && (s[*i] == '-' || (s[*i] >= '0' && s[*i] <= '9'))) {
		if ((num = plain_integer(s, n, i)))
			return num;
		*i = at;
		return plain_real(s, n, i);
	}
	if (n - *i >= 4 && memcmp(s + *i, "true", 4) == 0) {
		*i += 4;
		return json_true();
	}
	if (n - *i >= 5 && memcmp(s + *i, "false", 5) == 0) {
		*i += 5;
		return json_false();
	}
	if (n - *i >= 4 && memcmp(s + *i, "null", 4) == 0) {
		*i += 4;
		return json_null();
	}
	return NULL;
}

/* A flat object of strings without escapes, plain integers and
 * decimals, true, false and null: most lines of most inputs (gate events,
 * units, people, readings), built here without jansson's lexer, which
 * reads a byte at a time through three calls (callgrind: half of pm-gate
 * events ingest's instructions; and with a number, a unit's floor,
 * json_loadb was 21% of pm unit import's). NULL for anything else, other
 * numbers included (numbers_exact), which jansson then reads, and refuses
 * with its message when it is not JSON. */
static json_t *plain_object(const char *s, size_t n)
{
	size_t i = skip_blank(s, n, 0), klen;
	const char *k;
	json_t *obj, *v;

	if (i >= n || s[i] != '{' || !(obj = json_object()))
		return NULL;
	i = skip_blank(s, n, i + 1);
	if (i < n && s[i] == '}')
		return skip_blank(s, n, i + 1) == n ? obj : (json_decref(obj), NULL);
	for (;;) {
		if (!plain_string(s, n, &i, &k, &klen))
			break;
		i = skip_blank(s, n, i);
		if (i >= n || s[i] != ':')
			break;
		i = skip_blank(s, n, i + 1);
		/* A repeated key is jansson's to refuse (JSON_REJECT_DUPLICATES). */
		if (!(v = plain_value(s, n, &i)) || json_object_getn(obj, k, klen)) {
			json_decref(v);
			break;
		}
		if (json_object_setn_new(obj, k, klen, v))
			break;
		i = skip_blank(s, n, i);
		if (i < n && s[i] == ',') {
			i = skip_blank(s, n, i + 1);
			continue;
		}
		if (i < n && s[i] == '}' && skip_blank(s, n, i + 1) == n)
			return obj;
		break;
	}
	json_decref(obj);
	return NULL;
}

/* Fills o, the object of the last flat line, with the values of the line
 * s[0..n) when it is a flat line of the same keys in the same order:
 * the object plain_object would build, made of the one before. Each
 * string keeps its json_t and its place in the object, only its bytes
 * copied; nothing is hashed, and the keys are known to pass
 * fields_check. Making and freeing jansson's objects was 16% of pm unit
 * import's instructions (callgrind, 10,000 units), and a file's lines
 * mostly have the same keys. 0 for any other line, with o part filled,
 * for the caller to free. */
static int plain_refill(json_t *o, const char *s, size_t n)
{
	size_t i = skip_blank(s, n, 0), klen, len;
	const char *k, *str;
	void *it = json_object_iter(o);
	json_t *v;

	if (i >= n || s[i] != '{')
		return 0;
	i = skip_blank(s, n, i + 1);
	if (i < n && s[i] == '}')
		return !it && skip_blank(s, n, i + 1) == n;
	for (;;) {
		if (!it || !plain_string(s, n, &i, &k, &klen) || json_object_iter_key_len(it) != klen ||
		    memcmp(json_object_iter_key(it), k, klen) != 0)
			return 0;
		i = skip_blank(s, n, i);
		if (i >= n || s[i] != ':')
			return 0;
		i = skip_blank(s, n, i + 1);
		v = json_object_iter_value(it);
		/* A string no one else holds keeps bytes alike (a unit's use,
		 * status and day of delivery, line after line), takes others
		 * (or refuses them, not UTF-8, as json_stringn does); any
		 * other value is replaced, its holders keeping the old one. */
		if (json_is_string(v) && v->refcount == 1 && plain_string(s, n, &i, &str, &len)) {
			if ((json_string_length(v) != len || memcmp(json_string_value(v), str, len) != 0) &&
			    json_string_setn(v, str, len))
				return 0;
		} else if (!(v = plain_value(s, n, &i)) || json_object_iter_set_new(o, it, v)) {
			return 0;
		}
		i = skip_blank(s, n, i);
		it = json_object_iter_next(o, it);
		if (i < n && s[i] == ',') {
			i = skip_blank(s, n, i + 1);
			continue;
		}
		return !it && i < n && s[i] == '}' && skip_blank(s, n, i + 1) == n;
	}
}

static int jsonl_next(struct pm_jsonl *r, struct pm_err *e)
{
	json_error_t je;
	const char *exact;
	size_t len = 0;
	json_t *v = NULL;
	int flat, got, rc = line_next_filled(r, &got, e);

	if (rc || !got)
		return rc;
	r->lineno = r->nlines;
	if (r->skipped)
		return too_long(r, e);
	r->raw = r->text;
	r->raw_len = r->len;
	raw_eol_keep(r);
	if (r->like && plain_refill(r->like, r->text, r->len)) {
		r->rec = r->like;
		r->like = NULL;
		r->rec_flat = 1;
		return PM_OK;
	}
	json_decref(r->like);
	r->like = NULL;
	v = plain_object(r->text, r->len);
	flat = v != NULL;
	/* An error is told of the line as written, not as rewritten. */
	if (!v && (exact = numbers_exact(r, &len)))
		v = json_loadb(exact, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	if (!v && !(v = json_loadb(r->text, r->len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je)))
		return pm_err_set(e, PM_EDATA, _("invalid JSON: %s (column %d)"), je.text,
				  je.column);
	if (!json_is_object(v)) {
		json_decref(v);
		return pm_err_set(e, PM_EDATA, _("expected a JSON object"));
	}
	if (fields_check(r, v, e)) {
		json_decref(v);
		return PM_EDATA;
	}
	r->rec = v;
	r->rec_flat = flat;
	return PM_OK;
}

/* A tab-separated file is known by its header: tabs and no commas. */
static char csv_sep(const char *s, size_t len)
{
	return memchr(s, '\t', len) && !memchr(s, ',', len) ? '\t' : ',';
}

/* One CSV record, over as many lines as its quoted cells span. A record
 * past RECORD_MAX is read to its end without being held; a line past it
 * ends the record, its quoting unknown. */
static int csv_record_read(struct pm_jsonl *r, int *got, struct pm_err *e)
{
	static const char crlf[] = "\r\n";
	size_t shed = 0, held;
	int more, rc = line_next_filled(r, got, e);

	if (rc || !*got)
		return rc;
	r->lineno = r->nlines;
	if (r->skipped)
		return too_long(r, e);
	if (!r->csv.sep)
		pm_csv_init(&r->csv, csv_sep(r->text, r->len));
	pm_csv_reset(&r->csv);
	for (;;) {
		size_t eol;

		if ((rc = pm_csv_feed(&r->csv, r->text, r->len, e)))
			break;
		if (pm_csv_raw(&r->csv, &held) && held > RECORD_MAX)
			shed += pm_csv_shed(&r->csv);
		if (!pm_csv_in_quotes(&r->csv))
			break;
		eol = r->eol;
		if ((rc = line_next(r, &more, e)) || !more)
			break;
		if (r->skipped) {
			shed += r->skipped;
			break;
		}
		/* The line break inside the quotes is part of the cell. */
		if ((rc = pm_csv_feed(&r->csv, crlf + 2 - eol, eol, e)))
			break;
	}
	if (!rc && shed) {
		pm_csv_raw(&r->csv, &held);
		r->skipped = shed + held;
		pm_csv_reset(&r->csv);
		return too_long(r, e);
	}
	if (!rc)
		rc = pm_csv_finish(&r->csv, e);
	r->raw = pm_csv_raw(&r->csv, &r->raw_len);
	raw_eol_keep(r);
	return rc;
}

/* Column names as Chinese spreadsheets write them, each for the first of
 * its fields that the import reads (房号 is a unit's code in a unit list,
 * the unit a person lives in in a list of people). */
static const struct {
	const char *heading;
	const char *fields[3];
} headings[] = {
	{"业主", {"name"}}, {"交付日期", {"delivered"}}, {"倍率", {"multiplier"}},
	{"入住日期", {"since"}}, {"内容", {"text"}}, {"初始读数", {"initial"}},
	{"备注", {"note"}}, {"安装日期", {"installed"}}, {"安装时间", {"installed"}},
	{"姓名", {"name"}}, {"类别", {"category"}}, {"类型", {"kind"}},
	{"身份", {"role"}}, {"身份证", {"id_number"}}, {"身份证号", {"id_number"}},
	{"手机", {"phone"}}, {"手机号", {"phone"}}, {"抄表时间", {"ts"}},
	{"房号", {"unit", "code"}}, {"房屋", {"unit", "code"}}, {"服务对象", {"serves"}},
	{"楼层", {"floor"}}, {"流水号", {"ref"}}, {"渠道", {"channel"}},
	{"状态", {"status"}}, {"用途", {"use"}}, {"电话", {"phone"}},
	{"编号", {"code"}}, {"联系电话", {"phone"}}, {"表号", {"meter", "code"}},
	{"表地址", {"address"}}, {"读数", {"value"}}, {"账单", {"bill"}},
	{"账单号", {"bill"}}, {"金额", {"amount"}}, {"面积", {"area"}},
	{"建筑面积", {"area"}}, {"报修人", {"reporter"}},
};

static int name_in(const char *const *names, const char *name)
{
	for (; names && *names; names++)
		if (strcmp(*names, name) == 0)
			return 1;
	return 0;
}

/* The field a heading of the header names: itself, or what it stands for. */
static const char *heading_field(const struct pm_jsonl *r, const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof headings / sizeof *headings; i++) {
		if (strlen(headings[i].heading) != len || memcmp(headings[i].heading, s, len) != 0)
			continue;
		for (const char *const *f = headings[i].fields; *f; f++)
			if (name_in(r->names, *f))
				return *f;
	}
	return NULL;
}

static int csv_key(const struct pm_jsonl *r, size_t i, json_t **keys, struct pm_err *e)
{
	size_t j, len;
	const char *s = pm_csv_cell(&r->csv, i, &len), *field;

	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (!len)
		return pm_err_set(e, PM_EDATA, _("column %zu of the header has no name"), i + 1);
	if ((field = heading_field(r, s, len)))
		s = field, len = strlen(field);
	if (memchr(s, '\0', len) || !(keys[i] = json_stringn(s, len)))
		return pm_err_set(e, PM_EDATA, _("column %zu of the header: expected UTF-8 text "
						 "(a file saved as GB18030 reads with --encoding gb18030)"), i + 1);
	for (j = 0; j < i; j++)
		if (json_equal(keys[j], keys[i]))
			return pm_err_set(e, PM_EDATA,
					  _("column name \"%s\" appears twice in the header; names must be unique"),
					  json_string_value(keys[i]));
	return PM_OK;
}

static int csv_header(struct pm_jsonl *r, struct pm_err *e)
{
	size_t i, n = pm_csv_count(&r->csv);
	json_t **keys = calloc(n, sizeof *keys);
	int rc;

	if (!keys)
		return oom(e);
	for (i = 0; i < n; i++)
		if ((rc = csv_key(r, i, keys, e)) ||
		    (!field_known(r, json_string_value(keys[i])) &&
		     (rc = field_unknown(r, 1, json_string_value(keys[i]), e)))) {
			keys_free(keys, n);
			return rc;
		}
	r->keys = keys;
	r->nkeys = n;
	return PM_OK;
}

/* The first record names the columns. A bad header is reported once, and
 * each row after it is rejected rather than read by names that are wrong. */
static int csv_header_read(struct pm_jsonl *r, int *got, struct pm_err *e)
{
	int rc = csv_record_read(r, got, e);
	size_t eol = strlen(r->raw_eol);

	if (rc != PM_EDATA && (rc || !*got))
		return rc;
	r->header_line = r->lineno;
	/* A reject file of CSV rows begins with it, so it imports again. */
	if (!(r->header = malloc(r->raw_len + eol + 1)))
		return oom(e);
	memcpy(r->header, r->raw, r->raw_len);
	memcpy(r->header + r->raw_len, r->raw_eol, eol + 1);
	r->header_len = r->raw_len + eol;
	return rc ? rc : csv_header(r, e);
}

/* Empty cells are left out, so a column may hold an optional field. */
static int csv_row(struct pm_jsonl *r, struct pm_err *e)
{
	size_t i, len, n = pm_csv_count(&r->csv);
	json_t *o, *v;

	if (n > r->nkeys)
		return pm_err_set(e, PM_EDATA,
				  _("row has %zu cells, more than the %zu columns of the header"),
				  n, r->nkeys);
	if (!(o = json_object()))
		return oom(e);
	for (i = 0; i < n; i++) {
		const char *s = pm_csv_cell(&r->csv, i, &len);
		const char *key = json_string_value(r->keys[i]);

		if (!len)
			continue;
		if (memchr(s, '\0', len) || !(v = json_stringn(s, len))) {
			json_decref(o);
			return pm_err_set(e, PM_EDATA, _("field \"%s\": expected UTF-8 text (a file saved as "
							 "GB18030 reads with --encoding gb18030)"), key);
		}
		if (json_object_set_new_nocheck(o, key, v)) {
			json_decref(o);
			return oom(e);
		}
	}
	r->rec = o;
	return PM_OK;
}

static int csv_next(struct pm_jsonl *r, struct pm_err *e)
{
	int got, rc;

	if (!r->header_line && ((rc = csv_header_read(r, &got, e)) || !got))
		return rc;
	if ((rc = csv_record_read(r, &got, e)) || !got)
		return rc;
	if (!r->keys)
		return pm_err_set(e, PM_EDATA, _("row not read: the header at line %ld is bad"),
				  r->header_line);
	return csv_row(r, e);
}

int pm_jsonl_next(struct pm_jsonl *r, json_t **rec, struct pm_err *e)
{
	int rc;

	/* A flat line's object no one else holds is kept for the next. */
	if (r->rec_flat && r->rec->refcount == 1) {
		json_decref(r->like);
		r->like = r->rec;
	} else {
		json_decref(r->rec);
	}
	r->rec = NULL;
	r->rec_flat = 0;
	*rec = NULL;
	if (r->format == FMT_UNDECIDED && (rc = format_detect(r, e)))
		return rc;
	rc = r->format == FMT_CSV ? csv_next(r, e) : jsonl_next(r, e);
	*rec = r->rec;
	return rc;
}

/* JSON null reads as absent: exporters write it for "no value". */
static json_t *field_get(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_null(v) ? NULL : v;
}

int pm_json_has(json_t *o, const char *key)
{
	return field_get(o, key) != NULL;
}

static int field_absent(const char *key, int flags, struct pm_err *e)
{
	if (flags & PM_REQUIRED)
		return pm_err_set(e, PM_EDATA, _("field \"%s\": missing"), key);
	return PM_OK;
}

int pm_json_str(json_t *o, const char *key, int flags, const char **out, struct pm_err *e)
{
	json_t *v = field_get(o, key);

	if (!v)
		return field_absent(key, flags, e);
	if (!json_is_string(v))
		return pm_err_set(e, PM_EDATA, _("field \"%s\": expected a string"), key);
	*out = json_string_value(v);
	return PM_OK;
}

static int int_parse(const char *key, const char *s, int64_t *out, struct pm_err *e)
{
	long long n;
	char *end;

	if (*s != '-' && *s != '+' && (*s < '0' || *s > '9'))
		return pm_err_set(e, PM_EDATA, _("field \"%s\": expected an integer"), key);
	errno = 0;
	n = strtoll(s, &end, 10);
	if (end == s || *end)
		return pm_err_set(e, PM_EDATA, _("field \"%s\": expected an integer"), key);
	if (errno == ERANGE)
		return pm_err_set(e, PM_EDATA,
				  _("field \"%s\": expected an integer from %lld to %lld"), key,
				  (long long)INT64_MIN, (long long)INT64_MAX);
	*out = n;
	return PM_OK;
}

int pm_json_int(json_t *o, const char *key, int flags, int64_t *out, struct pm_err *e)
{
	json_t *v = field_get(o, key);

	if (!v)
		return field_absent(key, flags, e);
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return PM_OK;
	}
	if (json_is_string(v))
		return int_parse(key, json_string_value(v), out, e);
	return pm_err_set(e, PM_EDATA, _("field \"%s\": expected an integer"), key);
}

/* Room for any finite double written out without an exponent: at most
 * 17 digits, a sign, "0." and 323 zeros. */
#define NUM_TEXT_MAX 400

/* The shortest text that reads back as d. jansson keeps only the double,
 * and this gives back the literal the JSON had, for any literal of 17
 * significant digits or fewer. A literal of DBL_DIG digits or fewer comes
 * back whole at precision DBL_DIG (%g drops the zeros that pad it), so the
 * search starts there rather than at 1: three tries at most, not 17. Only
 * subnormals, far below any number of places, can come out longer. */
static void real_shortest(double d, char *buf, size_t size)
{
	int p;

	for (p = DBL_DIG; p < 17; p++) {
		snprintf(buf, size, "%.*g", p, d);
		if (strtod(buf, NULL) == d)
			return;
	}
	snprintf(buf, size, "%.17g", d);
}

/* d as the decimal parsers take it: "1e+02" written out as "100". */
static void real_text(double d, char out[NUM_TEXT_MAX])
{
	char g[32], digits[20], *ex, *p = out;
	const char *m = g;
	size_t nd = 0;
	long point;

	real_shortest(d, g, sizeof g);
	if (!(ex = strchr(g, 'e'))) {
		snprintf(out, NUM_TEXT_MAX, "%s", g);
		return;
	}
	if (*m == '-')
		*p++ = *m++;
	for (; m < ex; m++)
		if (*m != '.')
			digits[nd++] = *m;
	point = 1 + strtol(ex + 1, NULL, 10);
	if (point <= 0) {
		memcpy(p, "0.", 2);
		memset(p + 2, '0', (size_t)-point);
		p += 2 + (size_t)-point;
		memcpy(p, digits, nd);
		p += nd;
	} else if ((size_t)point >= nd) {
		memcpy(p, digits, nd);
		memset(p + nd, '0', (size_t)point - nd);
		p += point;
	} else {
		memcpy(p, digits, (size_t)point);
		p[point] = '.';
		memcpy(p + point + 1, digits + point, nd - (size_t)point);
		p += nd + 1;
	}
	*p = '\0';
}

/* The text of a number-or-string field, for the exact decimal parsers:
 * a string as it is, a number as it was written. NULL for other types. */
static const char *number_text(json_t *v, char buf[NUM_TEXT_MAX])
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, NUM_TEXT_MAX, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	}
	if (json_is_real(v) && isfinite(json_real_value(v))) {
		real_text(json_real_value(v), buf);
		return buf;
	}
	return NULL;
}

/* The decimal of at most places digits after the point that reads as d,
 * found without writing d out: 1 with *out set, 0 to take the slow path.
 * Below 1e9 with at most 6 places the doubles lie closer than 1e-6, so
 * at most one such decimal reads as d, it has at most DBL_DIG digits and
 * is therefore the text real_shortest() would give; n and 10^places are
 * exact and the division is correctly rounded, so the comparison holds
 * exactly when n / 10^places reads as d. A reading ingest parses millions
 * of these, and writing each out was a tenth of its time. */
static int real_scaled(double d, int places, int64_t *out)
{
	static const double pow10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6};
	double n;

	if (places < 0 || places > 6 || !(fabs(d) < 1e9))
		return 0;
	n = nearbyint(d * pow10[places]);
	if (n / pow10[places] != d)
		return 0;
	*out = (int64_t)n;
	return 1;
}

int pm_json_dec(json_t *o, const char *key, int places, int flags, int64_t *out,
		struct pm_err *e)
{
	char buf[NUM_TEXT_MAX];
	json_t *v = field_get(o, key);
	const char *s;
	int rc;

	if (!v)
		return field_absent(key, flags, e);
	if (json_is_real(v) && real_scaled(json_real_value(v), places, out))
		return PM_OK;
	if (!(s = number_text(v, buf)))
		return pm_err_set(e, PM_EDATA, _("field \"%s\": expected a number or decimal string"),
				  key);
	if ((rc = pm_decimal_parse(s, places, out, e)))
		pm_err_prefix(e, _("field \"%s\""), key);
	return rc;
}

int pm_json_money(json_t *o, const char *key, int flags, int64_t *fen, struct pm_err *e)
{
	char buf[NUM_TEXT_MAX];
	json_t *v = field_get(o, key);
	const char *s;
	int rc;

	if (!v)
		return field_absent(key, flags, e);
	if (!(s = number_text(v, buf)))
		return pm_err_set(e, PM_EDATA, _("field \"%s\": expected a number or amount string"),
				  key);
	if ((rc = pm_money_parse(s, fen, e)))
		pm_err_prefix(e, _("field \"%s\""), key);
	return rc;
}

int pm_json_time(json_t *o, const char *key, int flags, int64_t *t, struct pm_err *e)
{
	json_t *v = field_get(o, key);
	int rc;

	if (!v)
		return field_absent(key, flags, e);
	if (!json_is_string(v))
		return pm_err_set(e, PM_EDATA, _("field \"%s\": expected an RFC 3339 time string"),
				  key);
	if ((rc = pm_time_parse(json_string_value(v), t, e)))
		pm_err_prefix(e, _("field \"%s\": expected an RFC 3339 time"), key);
	return rc;
}

/* jansson's dump, byte for byte, of a string or key: '"' and '\\'
 * escaped, control characters as \b \f \n \r \t or \u00XX, the rest
 * (UTF-8, which json_string checked) as is. */
static void compact_string(struct strbuf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	char u[7] = "\\u00";
	size_t run = 0;

	sb_add(b, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		sb_add(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			u[4] = hex[c >> 4];
			u[5] = hex[c & 15];
			esc = u;
		}
		sb_str(b, esc);
	}
	sb_add(b, s + run, len - run);
	sb_add(b, "\"", 1);
}

/* 0, or -1 for a value this does not write (a real): the caller falls
 * back to json_dumps. */
static int compact_value(struct strbuf *b, const json_t *j)
{
	const char *key;
	json_t *v;
	size_t i;
	char num[PM_MONEY_BUF];

	switch (json_typeof(j)) {
	case JSON_OBJECT: {
		void *it = json_object_iter((json_t *)j);
		sb_add(b, "{", 1);
		for (i = 0; it; it = json_object_iter_next((json_t *)j, it), i++) {
			key = json_object_iter_key(it);
			if (i)
				sb_add(b, ",", 1);
			compact_string(b, key, json_object_iter_key_len(it));
			sb_add(b, ":", 1);
			if (compact_value(b, json_object_iter_value(it)))
				return -1;
		}
		sb_add(b, "}", 1);
		return 0;
	}
	case JSON_ARRAY:
		sb_add(b, "[", 1);
		json_array_foreach(j, i, v) {
			if (i)
				sb_add(b, ",", 1);
			if (compact_value(b, v))
				return -1;
		}
		sb_add(b, "]", 1);
		return 0;
	case JSON_STRING:
		compact_string(b, json_string_value(j), json_string_length(j));
		return 0;
	case JSON_INTEGER:
		sb_str(b, pm_decimal_fmt(json_integer_value(j), 0, num));
		return 0;
	case JSON_TRUE: sb_add(b, "true", 4); return 0;
	case JSON_FALSE: sb_add(b, "false", 5); return 0;
	case JSON_NULL: sb_add(b, "null", 4); return 0;
	case JSON_REAL:
		break;
	}
	return -1;
}

/* Nothing in s that compact_string escapes. */
static int plain(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == '"' || c == '\\')
			return 0;
	}
	return 1;
}

/* The comma before a value, its key (none in an array or at the top)
 * and the value v, as is or quoted as a string: one append when both
 * are short and have nothing to escape, as a breakdown's keys and
 * values have (callgrind: three appends and compact_string's loop each
 * were 12% of a bill run); else piece by piece, escaped. */
static void jw_put(struct pm_jw *w, const char *key, const char *v, int quote)
{
	char buf[256];
	size_t kl = key ? strlen(key) : 0, vl = strlen(v), n = 0;
	unsigned bit = 1u << w->depth;
	int comma = (w->need & bit) != 0;

	w->need |= bit;
	if (kl + vl + 6 <= sizeof buf && (!key || plain(key, kl)) && (!quote || plain(v, vl))) {
		if (comma)
			buf[n++] = ',';
		if (key) {
			buf[n++] = '"';
			memcpy(buf + n, key, kl);
			n += kl;
			buf[n++] = '"';
			buf[n++] = ':';
		}
		if (quote)
			buf[n++] = '"';
		memcpy(buf + n, v, vl);
		n += vl;
		if (quote)
			buf[n++] = '"';
		sb_add(w->b, buf, n);
		return;
	}
	if (comma)
		sb_add(w->b, ",", 1);
	if (key) {
		compact_string(w->b, key, kl);
		sb_add(w->b, ":", 1);
	}
	if (quote)
		compact_string(w->b, v, vl);
	else
		sb_add(w->b, v, vl);
}

void pm_jw_open(struct pm_jw *w, const char *key, char c)
{
	if (!w->b)
		return;
	jw_put(w, key, c == '{' ? "{" : "[", 0);
	w->need &= ~(1u << ++w->depth);
}

void pm_jw_close(struct pm_jw *w, char c)
{
	if (!w->b)
		return;
	sb_add(w->b, &c, 1);
	w->depth--;
}

void pm_jw_str(struct pm_jw *w, const char *key, const char *s)
{
	if (w->b)
		jw_put(w, key, s, 1);
}

void pm_jw_int(struct pm_jw *w, const char *key, int64_t v)
{
	char num[PM_MONEY_BUF];

	if (w->b)
		jw_put(w, key, pm_decimal_fmt(v, 0, num), 0);
}

void pm_jw_dec(struct pm_jw *w, const char *key, int64_t v, int places)
{
	char num[PM_MONEY_BUF];

	if (w->b)
		jw_put(w, key, pm_decimal_fmt(v, places, num), 1);
}

void pm_jw_true(struct pm_jw *w, const char *key)
{
	if (w->b)
		jw_put(w, key, "true", 0);
}

char *pm_json_compact(const json_t *j)
{
	struct strbuf b = {0};

	if (!j || compact_value(&b, j)) {
		free(b.p);
		return json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	}
	return sb_take(&b);
}

int pm_jsonl_write(FILE *f, json_t *o, struct pm_err *e)
{
	char *text = pm_json_compact(o);
	int bad;

	if (!text)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	bad = fputs(text, f) == EOF || putc('\n', f) == EOF || ferror(f);
	free(text);
	if (bad) {
		int err = errno;

		return pm_err_set(e, PM_EIO, _("write error: %s"), strerror(err));
	}
	return PM_OK;
}

struct pm_reject {
	int fd;
	char *path;
	dev_t dev;
	ino_t ino;
	int filled;          /* the file holds something: no header goes in */
};

static int reject_refuse(const char *path, int err, struct pm_err *e)
{
	if (err == ELOOP)
		return pm_err_set(e, PM_ECANTCREAT,
				  _("\"%s\" is a symbolic link: give --reject the file itself"), path);
	return pm_err_set(e, PM_ECANTCREAT, _("cannot create \"%s\": %s"), path, strerror(err));
}

int pm_reject_open(const char *path, struct pm_reject **out, struct pm_err *e)
{
	struct pm_reject *rj = calloc(1, sizeof *rj);
	struct stat st;

	*out = NULL;
	if (pm_file_not_store(path, e)) {
		free(rj);
		return e->code;
	}
	if (!rj || !(rj->path = strdup(path))) {
		free(rj);
		return oom(e);
	}
	/* Appended to, never truncated: cron runs add up in one file. */
	rj->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (rj->fd < 0 || fstat(rj->fd, &st) != 0) {
		int err = errno;

		if (rj->fd >= 0)
			close(rj->fd);
		free(rj->path);
		free(rj);
		return reject_refuse(path, err, e);
	}
	rj->dev = st.st_dev;
	rj->ino = st.st_ino;
	rj->filled = S_ISREG(st.st_mode) && st.st_size > 0;
	*out = rj;
	return PM_OK;
}

static int reject_is(const struct pm_reject *rj, const char *input)
{
	struct stat st;
	int got = strcmp(input, "-") == 0 ? fstat(STDIN_FILENO, &st) : stat(input, &st);

	return got == 0 && st.st_dev == rj->dev && st.st_ino == rj->ino;
}

int pm_reject_check(const struct pm_reject *rj, int ninputs, char *const *inputs, struct pm_err *e)
{
	for (int i = 0; rj && i < (ninputs ? ninputs : 1); i++)
		if (reject_is(rj, ninputs ? inputs[i] : "-"))
			return pm_err_set(e, PM_ECANTCREAT,
					  _("\"%s\" is an input of this run: give --reject another file"), rj->path);
	return PM_OK;
}

static int reject_error(struct pm_reject *rj, int err, struct pm_err *e)
{
	return pm_err_set(e, PM_EIO, _("cannot write \"%s\": %s"), rj->path, strerror(err ? err : EIO));
}

/* One record, its header first when it goes first in the file, in one
 * write: two runs appending to the file do not mix their lines. */
static int reject_put(struct pm_reject *rj, const char *header, size_t hlen, const char *raw,
		      size_t len, const char *eol, struct pm_err *e)
{
	struct iovec iov[3] = {{(void *)header, rj->filled ? 0 : hlen}, {(void *)raw, len},
			       {(void *)eol, strlen(eol)}};
	size_t want = iov[0].iov_len + len + iov[2].iov_len;
	ssize_t n;

	do
		n = writev(rj->fd, iov, 3);
	while (n < 0 && errno == EINTR);
	if (n < 0 || (size_t)n != want)
		return reject_error(rj, n < 0 ? errno : ENOSPC, e);
	rj->filled = 1;
	return PM_OK;
}

int pm_reject_write(struct pm_reject *rj, const char *raw, size_t len, struct pm_err *e)
{
	return reject_put(rj, "", 0, raw, len, len && raw[len - 1] == '\n' ? "" : "\n", e);
}

int pm_reject_record(struct pm_reject *rj, const struct pm_jsonl *r, struct pm_err *e)
{
	const char *eol = r->raw_eol[0] ? r->raw_eol : "\n";

	if (r->skipped)
		return PM_OK;
	/* A bad header goes in as the header, once. */
	if (r->header && r->lineno == r->header_line)
		return rj->filled ? PM_OK : reject_put(rj, "", 0, r->header, r->header_len, "", e);
	return reject_put(rj, r->header ? r->header : "", r->header_len, r->raw ? r->raw : "",
			  r->raw_len, eol, e);
}

int pm_reject_close(struct pm_reject *rj, struct pm_err *e)
{
	int rc = PM_OK;

	if (!rj)
		return PM_OK;
	if (close(rj->fd) != 0)
		rc = reject_error(rj, errno, e);
	free(rj->path);
	free(rj);
	return rc;
}

json_t *pm_json_find(json_t *list, const char *key, const char *name)
{
	const char *v;
	size_t i;
	json_t *x;

	json_array_foreach(list, i, x)
		if (name && (v = json_string_value(json_object_get(x, key))) && strcmp(v, name) == 0)
			return x;
	return NULL;
}

int pm_json_index(json_t *list, const char *s)
{
	const char *v;
	size_t i;
	json_t *x;

	json_array_foreach(list, i, x)
		if ((v = json_string_value(x)) && strcmp(v, s) == 0)
			return (int)i;
	return -1;
}
