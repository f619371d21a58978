/* Records in and out: streaming JSON lines (and CSV with a header row,
 * turned into the same objects), typed field access, and reject files. */
#ifndef PM_JSONL_H
#define PM_JSONL_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "pm/err.h"

struct pm_jsonl;

enum pm_jsonl_mode {
	PM_JSONL_ONLY,   /* every line is a JSON object */
	PM_JSONL_OR_CSV, /* CSV with a header row unless the first byte that
			  * is not white space is '{' */
};

/* Opens path ("-" is stdin) for reading. PM_ENOINPUT if it cannot. */
int pm_jsonl_open(const char *path, enum pm_jsonl_mode mode, struct pm_jsonl **out,
		  struct pm_err *e);
/* Reads an open stream (a pipe, fmemopen()) under name, which
 * pm_jsonl_where() shows; pm_jsonl_close() leaves f open. */
int pm_jsonl_open_file(FILE *f, const char *name, enum pm_jsonl_mode mode,
		       struct pm_jsonl **out, struct pm_err *e);
void pm_jsonl_close(struct pm_jsonl *r);

/* The names a record may have (NULL-terminated), "type" always besides:
 * a JSON line with a field of another name is rejected, and a CSV header
 * with such a column is bad (so each row under it is rejected), naming it
 * and the known name nearest to it. NULL, the default, allows any. */
void pm_jsonl_fields(struct pm_jsonl *r, const char *const *fields);
/* The names a record is read by, any other allowed: a CSV header's
 * Chinese headings (房号, 面积, 姓名, 手机 …) stand for the first of their
 * fields among these (pm_jsonl_fields sets them too). */
void pm_jsonl_names(struct pm_jsonl *r, const char *const *names);

/* The next record: PM_OK with *rec set (owned by the reader, valid until
 * the next call), or PM_OK with *rec NULL at the end; PM_EDATA for a line
 * that is not a JSON object (or a bad CSV row), after which reading goes
 * on; PM_EIO on a read error. Blank lines are skipped. Messages carry no
 * location; pm_jsonl_where() gives it. A record longer than 1 MiB is
 * rejected as too long and read past without being held, so memory stays
 * bounded whatever the input (its raw text is then empty). A stream with
 * a descriptor is read through it, not through its stdio buffer. */
int pm_jsonl_next(struct pm_jsonl *r, json_t **rec, struct pm_err *e);

/* Whether the next record can be read without waiting for input: 0 when
 * a pipe or a terminal has had nothing more for wait_ms, so that a
 * program can commit what it has before it waits longer. */
int pm_jsonl_ready(const struct pm_jsonl *r, int wait_ms);

/* Reads the input as text in encoding (an iconv name: "gb18030"),
 * converted to UTF-8; NULL or "utf-8" reads it as it is. PM_EUSAGE for an
 * encoding iconv does not know. */
int pm_jsonl_encoding(struct pm_jsonl *r, const char *encoding, struct pm_err *e);
/* PM_OK when iconv knows encoding, else PM_EUSAGE naming it. */
int pm_jsonl_encoding_check(const char *encoding, struct pm_err *e);

/* The bytes of input taken so far, and in *size the input's size when it
 * is a file (0 for a pipe or a terminal): for progress. */
long long pm_jsonl_done(const struct pm_jsonl *r, long long *size);

/* "readings.jsonl:17" for the record just read ("-" reads as "stdin"). */
const char *pm_jsonl_where(struct pm_jsonl *r);
long pm_jsonl_lineno(const struct pm_jsonl *r);
/* The raw text of the record just read, as it was, newline excluded
 * (for a CSV record, its header-less row). */
const char *pm_jsonl_raw(const struct pm_jsonl *r, size_t *len);
/* The bytes that ended it: "\r\n", "\n", or "" at the end of the input. */
const char *pm_jsonl_eol(const struct pm_jsonl *r);

/* Field access on an object. Flags say whether the field must be there;
 * an absent optional field leaves *out untouched and returns PM_OK with
 * pm_json_has() false. Errors read 'field "value": expected a number or
 * decimal string'. */
enum { PM_OPTIONAL = 0, PM_REQUIRED = 1 };
/* The first object of list whose key is the string name (a fee item, a
 * category by its "name"); NULL when there is none, or name is NULL. */
json_t *pm_json_find(json_t *list, const char *key, const char *name);
/* The position of the string s in list (an exempt unit, a vote's
 * option), or -1 when it is not there. */
int pm_json_index(json_t *list, const char *s);
int pm_json_has(json_t *o, const char *key);
int pm_json_str(json_t *o, const char *key, int flags, const char **out, struct pm_err *e);
/* An integer, or a string holding one. */
int pm_json_int(json_t *o, const char *key, int flags, int64_t *out, struct pm_err *e);
/* A number or decimal string kept exactly, scaled by 10^places: the JSON
 * number 1234.567 is read from its shortest round-trip text, never through
 * arithmetic on the double. More decimals than places is an error. */
int pm_json_dec(json_t *o, const char *key, int places, int flags, int64_t *out,
		struct pm_err *e);
/* An amount of yuan (number or string, pm_money_parse rules) to fen. */
int pm_json_money(json_t *o, const char *key, int flags, int64_t *fen, struct pm_err *e);
/* An RFC 3339 time string to seconds since the epoch. */
int pm_json_time(json_t *o, const char *key, int flags, int64_t *t, struct pm_err *e);

/* j as json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) writes it, byte
 * for byte, without its cost (a bill run dumps every line's breakdown):
 * malloc'd, NULL when memory runs out. */
char *pm_json_compact(const json_t *j);

/* Writes o as one compact line (keys in insertion order, UTF-8 as is).
 * PM_EIO if the write fails. */
int pm_jsonl_write(FILE *f, json_t *o, struct pm_err *e);

/* A reject file keeps bad records byte for byte, their line ends (CR
 * included) as they were. It is appended to and never truncated, created
 * 0600 (it holds input data), and refused when it is a symbolic link or a
 * directory (PM_ECANTCREAT). */
struct pm_reject;
int pm_reject_open(const char *path, struct pm_reject **out, struct pm_err *e);
/* PM_ECANTCREAT when the reject file is one of the run's inputs ("-", or
 * none at all: stdin), which it would grow while they are read. rj may
 * be NULL. */
int pm_reject_check(const struct pm_reject *rj, int ninputs, char *const *inputs, struct pm_err *e);
/* The record r just read. A CSV record goes after the input's header row
 * when the reject file is empty, so the file imports again once mended.
 * A record too long to read is not copied. */
int pm_reject_record(struct pm_reject *rj, const struct pm_jsonl *r, struct pm_err *e);
/* raw, len bytes of a line as read, its line end included: a newline
 * is added when it has none. */
int pm_reject_write(struct pm_reject *rj, const char *raw, size_t len, struct pm_err *e);
/* Closes; PM_EIO if anything written was lost. NULL is fine. */
int pm_reject_close(struct pm_reject *rj, struct pm_err *e);

#endif
