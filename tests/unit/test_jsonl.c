#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pm/jsonl.h"
#include "pm/money.h"
#include "strbuf-internal.h"

static char tmp_path[64], rej_path[80];

static void tmp_make(char *path, size_t size, const char *s, size_t len)
{
	int fd;

	snprintf(path, size, "/tmp/test_jsonl.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, len), len);
	assert_int_equal(close(fd), 0);
}

static int tmp_remove(void **state)
{
	if (tmp_path[0])
		unlink(tmp_path);
	if (rej_path[0])
		unlink(rej_path);
	tmp_path[0] = rej_path[0] = '\0';
	return 0;
}

static char *file_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(1 << 16);

	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, 1 << 16, f);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static struct pm_jsonl *open_bytes(const char *s, size_t len, enum pm_jsonl_mode mode)
{
	struct pm_jsonl *r;
	struct pm_err e;

	tmp_make(tmp_path, sizeof tmp_path, s, len);
	assert_int_equal(pm_jsonl_open(tmp_path, mode, &r, &e), PM_OK);
	return r;
}

static struct pm_jsonl *open_text(const char *s, enum pm_jsonl_mode mode)
{
	return open_bytes(s, strlen(s), mode);
}

static void raw_is(struct pm_jsonl *r, const char *raw)
{
	size_t len;
	const char *got = pm_jsonl_raw(r, &len);

	assert_int_equal(len, strlen(raw));
	assert_memory_equal(got, raw, len);
}

/* The next record, compared as compact JSON in its key order. */
static void next_is(struct pm_jsonl *r, const char *json, long line, const char *raw)
{
	struct pm_err e;
	json_t *rec;
	char *s;

	assert_int_equal(pm_jsonl_next(r, &rec, &e), PM_OK);
	assert_non_null(rec);
	s = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(s, json);
	free(s);
	assert_int_equal(pm_jsonl_lineno(r), line);
	raw_is(r, raw);
}

static void next_fails(struct pm_jsonl *r, const char *msg, long line, const char *raw)
{
	struct pm_err e;
	json_t *rec = json_null();

	assert_int_equal(pm_jsonl_next(r, &rec, &e), PM_EDATA);
	assert_null(rec);
	assert_string_equal(e.msg, msg);
	assert_int_equal(pm_jsonl_lineno(r), line);
	raw_is(r, raw);
}

static void next_ends(struct pm_jsonl *r)
{
	struct pm_err e;
	json_t *rec = json_null();

	assert_int_equal(pm_jsonl_next(r, &rec, &e), PM_OK);
	assert_null(rec);
}

static void where_is(struct pm_jsonl *r, const char *name, long line)
{
	char want[128];

	snprintf(want, sizeof want, "%s:%ld", name, line);
	assert_string_equal(pm_jsonl_where(r), want);
}

static void test_lines(void **state)
{
	struct pm_jsonl *r = open_text("{\"a\":1}\n\n   \t\n{\"b\":\"x\"}\r\n\r\n"
				       "{\"c\":[1,2]}", PM_JSONL_ONLY);

	next_is(r, "{\"a\":1}", 1, "{\"a\":1}");
	next_is(r, "{\"b\":\"x\"}", 4, "{\"b\":\"x\"}");
	where_is(r, tmp_path, 4);
	next_is(r, "{\"c\":[1,2]}", 6, "{\"c\":[1,2]}");
	next_ends(r);
	next_ends(r);
	pm_jsonl_close(r);
}

static void test_bom(void **state)
{
	struct pm_jsonl *r = open_text("\xef\xbb\xbf{\"a\":1}\n{\"b\":2}\n", PM_JSONL_ONLY);

	next_is(r, "{\"a\":1}", 1, "{\"a\":1}");
	next_is(r, "{\"b\":2}", 2, "{\"b\":2}");
	next_ends(r);
	pm_jsonl_close(r);
	tmp_remove(state);

	r = open_text("\xef\xbb\xbfmeter,value\nE-1,5\n", PM_JSONL_OR_CSV);
	next_is(r, "{\"meter\":\"E-1\",\"value\":\"5\"}", 2, "E-1,5");
	next_ends(r);
	pm_jsonl_close(r);
}

/* A record of 1 MiB is read; one byte more and it is rejected unread,
 * and reading goes on at the next line. */
static void test_long_line(void **state)
{
	size_t n = (1 << 20) - 8, len = n + 8;
	char *s = malloc(2 * len + 40);
	struct pm_jsonl *r;
	struct pm_err e;
	json_t *rec;
	const char *str;

	assert_non_null(s);
	memcpy(s, "{\"k\":\"", 6);
	memset(s + 6, 'x', n);
	memcpy(s + 6 + n, "\"}\r\n{\"k\":\"", 10);
	memset(s + 16 + n, 'x', n + 1);
	memcpy(s + 17 + 2 * n, "\"}\n{\"n\":1}\n", 11);
	r = open_bytes(s, 2 * len + 12, PM_JSONL_ONLY);
	assert_int_equal(pm_jsonl_next(r, &rec, &e), PM_OK);
	assert_int_equal(pm_json_str(rec, "k", PM_REQUIRED, &str, &e), PM_OK);
	assert_int_equal(strlen(str), n);
	assert_int_equal(str[n - 1], 'x');
	assert_memory_equal(pm_jsonl_raw(r, &len), s, n + 8);
	assert_int_equal(len, n + 8);
	next_fails(r, "record of 1048577 bytes is longer than the limit of 1 MiB: not read", 2, "");
	next_is(r, "{\"n\":1}", 3, "{\"n\":1}");
	next_ends(r);
	pm_jsonl_close(r);
	free(s);
}

static char *put(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

static char *fill(char *p, int ch, size_t n)
{
	memset(p, ch, n);
	return p + n;
}

/* A CSV record past the limit, over lines or on one, is rejected; so is
 * a file whose first line is too long to tell its format, as JSON lines
 * when it begins with "{". */
static void test_long_csv(void **state)
{
	size_t n = 600 << 10;
	char *s = malloc(4 * n + 100), *p = s;
	struct pm_jsonl *r;

	assert_non_null(s);
	p = fill(put(s, "a,b\n1,\""), 'x', n);
	p = fill(put(p, "\n"), 'y', n);
	p = fill(put(p, "\"\n2,3\n4,"), 'z', 2 * n);
	p = put(p, "\n5,6\n");
	r = open_bytes(s, (size_t)(p - s), PM_JSONL_OR_CSV);
	next_fails(r, "record of 1228805 bytes is longer than the limit of 1 MiB: not read", 2, "");
	next_is(r, "{\"a\":\"2\",\"b\":\"3\"}", 4, "2,3");
	next_fails(r, "record of 1228802 bytes is longer than the limit of 1 MiB: not read", 5, "");
	next_is(r, "{\"a\":\"5\",\"b\":\"6\"}", 6, "5,6");
	next_ends(r);
	pm_jsonl_close(r);
	tmp_remove(state);

	p = fill(put(s, "  {\"k\":\""), 'x', 2 * n);
	p = put(p, "\"}\n{\"n\":1}\n");
	r = open_bytes(s, (size_t)(p - s), PM_JSONL_OR_CSV);
	next_fails(r, "record of 1228810 bytes is longer than the limit of 1 MiB: not read", 1, "");
	next_is(r, "{\"n\":1}", 2, "{\"n\":1}");
	next_ends(r);
	pm_jsonl_close(r);
	free(s);
}

/* Numbers a double would not give back as written are read as the
 * string of their exact decimal, so the field's parser sees what was
 * written; the raw line stays as it was. */
static void test_numbers_exact(void **state)
{
	struct pm_jsonl *r = open_text("{\"a\":12.5,\"b\":12.3450,\"c\":1.5e2,\"d\":\"x\\\"1.50\",\"e\":[1.0,-2.50E-1,1e-3]}\n"
				       "{\"f\":0.1000000000000000055511151231257827,\"g\":100}\n"
				       "{\"h\":1.10,}\n", PM_JSONL_ONLY);
	struct pm_err e;
	json_t *rec;
	int64_t v;

	next_is(r, "{\"a\":12.5,\"b\":\"12.3450\",\"c\":\"150\",\"d\":\"x\\\"1.50\",\"e\":[\"1.0\",\"-0.250\",\"0.001\"]}", 1,
		"{\"a\":12.5,\"b\":12.3450,\"c\":1.5e2,\"d\":\"x\\\"1.50\",\"e\":[1.0,-2.50E-1,1e-3]}");
	assert_int_equal(pm_jsonl_next(r, &rec, &e), PM_OK);
	assert_int_equal(pm_json_dec(rec, "f", 2, PM_REQUIRED, &v, &e), PM_EDATA);
	assert_string_equal(e.msg, "field \"f\": \"0.1000000000000000055511151231257827\": more than 2 decimals");
	assert_int_equal(pm_json_money(rec, "g", PM_REQUIRED, &v, &e), PM_OK);
	assert_int_equal(v, 10000);
	next_fails(r, "invalid JSON: string or '}' expected near '}' (column 11)", 3, "{\"h\":1.10,}");
	next_ends(r);
	pm_jsonl_close(r);
}

/* A flat line's numbers that a double would not give back as written
 * are read as the strings of their exact decimals, as numbers_exact
 * rewrites them for jansson. */
static void test_numbers_exact_flat(void **state)
{
	struct pm_jsonl *r = open_text("{\"a\":12.3450,\"b\":\"x\",\"c\":0.10,\"d\":12345678901234567.5,\"e\":-0.0}\n"
				       "{\"value\":2.020}\n", PM_JSONL_ONLY);
	struct pm_err e;
	json_t *rec;
	int64_t v;

	next_is(r, "{\"a\":\"12.3450\",\"b\":\"x\",\"c\":\"0.10\",\"d\":\"12345678901234567.5\",\"e\":\"-0.0\"}", 1,
		"{\"a\":12.3450,\"b\":\"x\",\"c\":0.10,\"d\":12345678901234567.5,\"e\":-0.0}");
	assert_int_equal(pm_jsonl_next(r, &rec, &e), PM_OK);
	assert_int_equal(pm_json_dec(rec, "value", 3, PM_REQUIRED, &v, &e), PM_OK);
	assert_int_equal(v, 2020);
	next_ends(r);
	pm_jsonl_close(r);
}

/* A number jansson's lexer refuses is refused with jansson's message,
 * whether the line is flat or goes through numbers_exact (an escape, an
 * array, a number that is inexact), never quoted into a string that a
 * money or decimal field would take: 1.5e was read as "1.5". A number in
 * a key's place is not made a key by quotes either. */
static void test_numbers_malformed(void **state)
{
	static const char *const nums[] = {"1.", ".5", "01", "1e", "1e+", "-", "1.5e", "--1", "1.5.5",
					   "1.50e", "01.50", "1.50.5", "-1.5E-1e1", "1.5e-", "0.10e", "+1.50"};
	/* Each number goes between the two halves of a line. */
	static const char *const shapes[][2] = {
		{"{\"amount\":", "}"},
		{"{\"amount\":", ",\"ref\":\"a\\\"b\"}"},
		{"{\"amount\":[1.50,", "]}"},
		{"{\"a\":12.3450,\"amount\":", ",\"b\":[]}"},
		{"{", ":2}"},
		{"{\"a\":1.50, ", " :2}"},
	};
	const size_t nshapes = sizeof shapes / sizeof *shapes;
	struct strbuf text = {0};
	char line[128], msg[256];
	size_t i, k;
	struct pm_jsonl *r;
	json_error_t je;

	for (i = 0; i < sizeof nums / sizeof *nums; i++)
		for (k = 0; k < nshapes; k++)
			sb_fmt(&text, "%s%s%s\n", shapes[k][0], nums[i], shapes[k][1]);
	assert_false(text.failed);
	r = open_text(text.p, PM_JSONL_ONLY);
	for (i = 0; i < sizeof nums / sizeof *nums; i++)
		for (k = 0; k < nshapes; k++) {
			snprintf(line, sizeof line, "%s%s%s", shapes[k][0], nums[i], shapes[k][1]);
			assert_null(json_loadb(line, strlen(line), JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je));
			snprintf(msg, sizeof msg, "invalid JSON: %s (column %d)", je.text, je.column);
			next_fails(r, msg, (long)(i * nshapes + k + 1), line);
		}
	next_ends(r);
	pm_jsonl_close(r);
	free(text.p);
}

/* Decimals of every length and scale read as jansson reads them (the
 * same double, by one division or by strtod), and pm_json_dec takes
 * them to the same integer. */
static void test_plain_decimals(void **state)
{
	struct strbuf text = {0}, lits = {0};
	uint64_t x = 88172645463325252u;
	struct pm_jsonl *r;
	struct pm_err e;
	json_t *rec;
	int n = 20000;

	for (int i = 0; i < n; i++) {
		char lit[64];
		int digits, places, k = 0;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		digits = 1 + (int)(x % 15);
		places = 1 + (int)((x >> 8) % 24);
		if ((x >> 16) & 1)
			lit[k++] = '-';
		/* digits significant digits, places of them (or of zeros
		 * before them) after the point, never a trailing zero. */
		{
			char d[16];
			uint64_t y = x >> 20;

			for (int j = 0; j < digits; j++, y /= 10)
				d[j] = (char)('0' + y % 10);
			d[0] = d[0] == '0' ? '1' : d[0];
			d[digits - 1] = d[digits - 1] == '0' ? '7' : d[digits - 1];
			if (places >= digits) {
				lit[k++] = '0';
				lit[k++] = '.';
				for (int j = 0; j < places - digits; j++)
					lit[k++] = '0';
				for (int j = digits - 1; j >= 0; j--)
					lit[k++] = d[j];
			} else {
				for (int j = digits - 1; j >= 0; j--) {
					lit[k++] = d[j];
					if (j == places)
						lit[k++] = '.';
				}
			}
		}
		lit[k] = '\0';
		sb_fmt(&text, "{\"v\":%s}\n", lit);
		sb_add(&lits, lit, (size_t)k + 1);
	}
	assert_false(text.failed || lits.failed);
	r = open_text(text.p, PM_JSONL_ONLY);
	for (const char *lit = lits.p; lit < lits.p + lits.n; lit += strlen(lit) + 1) {
		json_t *want;
		char line[80];
		int64_t a, b;
		int ra, rb;

		snprintf(line, sizeof line, "{\"v\":%s}", lit);
		want = json_loads(line, 0, NULL);
		assert_int_equal(pm_jsonl_next(r, &rec, &e), PM_OK);
		assert_non_null(rec);
		if (!json_is_real(json_object_get(rec, "v")) ||
		    json_real_value(json_object_get(rec, "v")) != json_real_value(json_object_get(want, "v")))
			fail_msg("%s: read %g, jansson %g", lit, json_real_value(json_object_get(rec, "v")),
				 json_real_value(json_object_get(want, "v")));
		ra = pm_json_dec(rec, "v", 3, PM_REQUIRED, &a, &e);
		rb = pm_json_dec(want, "v", 3, PM_REQUIRED, &b, &e);
		assert_int_equal(ra, rb);
		if (ra == PM_OK)
			assert_int_equal(a, b);
		json_decref(want);
	}
	next_ends(r);
	pm_jsonl_close(r);
	free(text.p);
	free(lits.p);
}

static void test_bad_lines(void **state)
{
	struct pm_jsonl *r = open_text("{\"meter\":\"E-1\",\"value\":1\n"
				       "{\"a\":1}\n"
				       "[1,2]\n"
				       "42\n"
				       "1.50\n"
				       "{\"a\":1,\"a\":2}\n"
				       "{\"a\":1} x\n"
				       "meter,value\n"
				       "{\"b\":2}\n", PM_JSONL_ONLY);

	next_fails(r, "invalid JSON: '}' expected near end of file (column 24)", 1,
		   "{\"meter\":\"E-1\",\"value\":1");
	where_is(r, tmp_path, 1);
	next_is(r, "{\"a\":1}", 2, "{\"a\":1}");
	next_fails(r, "expected a JSON object", 3, "[1,2]");
	next_fails(r, "expected a JSON object", 4, "42");
	/* An inexact number first on its line, rewritten from its first byte. */
	next_fails(r, "expected a JSON object", 5, "1.50");
	next_fails(r, "invalid JSON: duplicate object key near '\"a\"' (column 10)", 6,
		   "{\"a\":1,\"a\":2}");
	next_fails(r, "invalid JSON: end of file expected near 'x' (column 9)", 7,
		   "{\"a\":1} x");
	next_fails(r, "invalid JSON: invalid token near 'meter' (column 5)", 8,
		   "meter,value");
	next_is(r, "{\"b\":2}", 9, "{\"b\":2}");
	next_ends(r);
	pm_jsonl_close(r);
}

/* The next record, which must be what jansson reads of line: the same
 * object in the same key order, or the same message. NULL after a
 * message. */
static json_t *next_as_jansson(struct pm_jsonl *r, const char *line, long lineno)
{
	json_error_t je;
	json_t *want = json_loadb(line, strlen(line), JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	json_t *rec = json_null();
	struct pm_err e;
	char msg[300], raw[256], *got, *dump;
	int rc = pm_jsonl_next(r, &rec, &e);

	/* The line's CR is part of its end, not of the record. */
	snprintf(raw, sizeof raw, "%.*s", (int)strcspn(line, "\r"), line);
	assert_int_equal(pm_jsonl_lineno(r), lineno);
	raw_is(r, raw);
	if (json_is_object(want)) {
		assert_int_equal(rc, PM_OK);
		assert_non_null(rec);
		dump = json_dumps(want, JSON_COMPACT | JSON_PRESERVE_ORDER);
		got = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
		assert_string_equal(got, dump);
		free(got);
		free(dump);
	} else {
		assert_null(want);
		assert_int_equal(rc, PM_EDATA);
		assert_null(rec);
		snprintf(msg, sizeof msg, "invalid JSON: %s (column %d)", je.text, je.column);
		assert_string_equal(e.msg, msg);
	}
	json_decref(want);
	return rec;
}

/* Lines of strings, true, false and null, which pm_jsonl_next reads
 * without jansson's lexer, give what jansson gives; what is not such a
 * line, or not JSON, still gets jansson's record or message. */
static void test_plain_lines(void **state)
{
	static const char *const lines[] = {
		"{\"gate\":\"g1\",\"ts\":\"2026-12-01T00:00:00Z\",\"event\":\"card\",\"card\":\"0000007919\"}",
		" { \"a\" : \"x\" ,\t\"b\":true,\"c\":false, \"d\":null } \r",
		"{}",
		"{ }",
		"{\"名\":\"张伟\",\"unit\":\"1-1-0101\"}",
		"{\"a\":\"tab\\tand \\\"quote\\\" \\u5f20\"}",
		"{\"a\":\"x\",\"b\":{\"c\":\"y\"}}",
		"{\"a\":\"x\",\"b\":[\"y\"]}",
		"{\"a\":\"x\",\"b\":12}",
		"{\"a\":\"x\",\"a\":\"y\"}",
		"{\"a\":\"\xff\"}",
		"{\"\xc0\xaf\":\"x\"}",
		"{\"a\":truex}",
		"{\"a\":\"x\"} y",
		"{\"a\":\"x\",}",
		"{\"a\":\"x\"",
		"{\"a\" \"x\"}",
		"{\"a\":\"line\x01\"}",
		"{\"a\":nul}",
		"{,}",
		"{\"code\":\"1-1-2501\",\"floor\":25,\"b\":-3,\"c\":0,\"d\":-0}",
		"{\"a\":999999999999999999,\"b\":-999999999999999999}",
		"{\"a\":9223372036854775807,\"b\":-9223372036854775808}",
		"{\"a\":9223372036854775808}",
		"{\"a\":123456789012345678901234567890}",
		"{\"a\":012}",
		"{\"a\":-}",
		"{\"a\":-x}",
		"{\"a\":1.5,\"b\":2}",
		"{\"a\":12 , \"b\" : 3 }",
		"{\"a\":12x}",
		"{\"a\":1-2}",
		"{\"a\":+1}",
		"{\"meter\":\"M000001\",\"ts\":\"2026-10-01T00:00:00+08:00\",\"value\":1.014}",
		"{\"a\":-0.5,\"b\":0.001,\"c\":123456789012.345,\"d\":99999.999,\"e\":0.1}",
		"{\"a\":0.000000000000000000000001,\"b\":0.00000000000000000000001,\"c\":450359962737.497}",
		"{\"a\":9007199254.74099,\"b\":0.300000000000004}",
		"{\"a\":01.5}",
		"{\"a\":1.}",
		"{\"a\":.5}",
		"{\"a\":-.5}",
		"{\"a\":1.5.2}",
		"{\"a\":1.5x}",
		"{\"a\":1.5,}",
		"{\"a\":- 1.5}",
		"{\"a\":1.5 , \"b\":\"x\"}",
	};
	char text[4096];
	size_t n = 0;
	struct pm_jsonl *r;

	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "%s\n", lines[i]);
	assert_true(n < sizeof text);
	r = open_text(text, PM_JSONL_ONLY);
	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
		next_as_jansson(r, lines[i], (long)i + 1);
	next_ends(r);
	pm_jsonl_close(r);
}

/* A flat line of the keys of the flat line before, in their order, is
 * read into that line's object (plain_refill): each record is still the
 * one jansson reads of its line, and a record or a value the caller
 * holds, or a record the caller changed, is not what the next line
 * finds. */
static void test_plain_refill(void **state)
{
	static const char *const lines[] = {
		"{\"a\":\"x\",\"b\":1,\"c\":\"y\"}",
		"{\"a\":\"xx\",\"b\":2,\"c\":\"yy\"}",
		"{\"a\":\"xxx\",\"b\":3,\"c\":\"yyy\"}",
		"{\"a\":\"x4\",\"b\":4,\"c\":\"y4\"}",
		"{\"a\":\"x\\u0041\",\"b\":2,\"c\":\"z\"}",
		"{\"a\":\"p\",\"b\":\"3\",\"c\":\"q\"}",
		"{\"a\":\"p\",\"b\":3.5,\"c\":\"q\"}",
		"{\"a\":\"a much longer string than the one before it\",\"b\":3.5,\"c\":\"\"}",
		"{\"a\":null,\"b\":true,\"c\":false}",
		"{\"a\":\"s\",\"b\":false,\"c\":\"\xff\"}",
		"{\"a\":\"s\",\"b\":1,\"c\":\"t\"}",
		"{\"a\":\"s\",\"b\":1,\"c\":\"\xff\"}",
		"{\"a\":\"s\",\"b\":1,\"c\":\"t\"}",
		"{\"a\":\"s\",\"b\":1,\"c\":\"t\\\"\"}",
		"{\"a\":\"s\",\"b\":1,\"c\":\"t\"}",
		"{\"a\":\"s\",\"c\":\"t\",\"b\":1}",
		"{\"a\":\"s\",\"c\":\"t\"}",
		"{\"a\":\"s\",\"c\":\"t\",\"b\":1,\"d\":2}",
		"{\"a\":\"s\",\"c\":\"t\",\"b\":1,\"d\":2,\"a\":3}",
		"{\"a\":\"s\",\"c\":\"t\",\"b\":1,\"d\":2}",
		"{\"a\":\"s\",\"c\":\"t\",\"b\":1,\"d\":2} x",
		"{\"a\":\"s\",\"c\":\"t\",\"b\":1,\"d\":2}",
		" { \"a\" : \"u\" , \"c\":\"v\",\t\"b\":-7 ,\"d\":0.25 } ",
		"{\"a\":\"u\",\"c\":\"v\",\"b\":-7,\"d\":[1]}",
		"{\"a\":\"u\",\"c\":\"v\",\"b\":-7,\"d\":0.5}",
		"{\"a\":\"u\",\"c\":\"v\",\"b\":-7,\"d\":0.1}",
		"{\"a\":\"u\",\"c\":\"v\",\"b\":-7,\"d\":0.2}",
		"{\"a\":\"u\",\"c\":\"v\",\"b\":-7,\"d\":0.3,}",
		"{\"a\":\"u\",\"c\":\"v\",\"b\":-7,\"d\":0.3}",
		"{\"a\":\"u\",\"c\":\"v\",\"b\":-7,\"d\":0.3",
		"{\"a\":\"u\",\"c\":\"v\",\"b\":-7,\"d\":0.3}",
		"{\"A\":\"u\",\"c\":\"v\",\"b\":-7,\"d\":0.3}",
		"{\"ab\":\"u\",\"c\":\"v\",\"b\":-7,\"d\":0.3}",
		"{\"a\":\"u\",\"c\":\"v\",\"b\":-7,\"d\":0.3}",
		"{\"a\":\"u\",\"c\":\"v\",\"b\":-7,\"d\":0.3}",
		"{}",
		"{}",
		"{ }",
		"{\"a\":\"w\"}",
		"{\"a\":\"w2\"}",
		"{\"a\":\"w3\"}",
		"{\"a\":\"w4\"}",
	};
	char text[4096], *held_dump = NULL, *dump, held_string[128] = "";
	size_t n = 0;
	struct pm_jsonl *r;
	json_t *rec, *held = NULL, *string = NULL;

	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "%s\n", lines[i]);
	assert_true(n < sizeof text);
	r = open_text(text, PM_JSONL_ONLY);
	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
		rec = next_as_jansson(r, lines[i], (long)i + 1);
		/* What was held of the line before is as it was. */
		if (held) {
			dump = json_dumps(held, JSON_COMPACT | JSON_PRESERVE_ORDER);
			assert_string_equal(dump, held_dump);
			free(dump);
			free(held_dump);
			held_dump = NULL;
			json_decref(held);
			held = NULL;
		}
		if (string) {
			assert_string_equal(json_string_value(string), held_string);
			json_decref(string);
			string = NULL;
		}
		if (!rec)
			continue;
		/* Of each four lines: the record is held; its first value,
		 * when a string; a key is added to it; nothing. */
		switch (i % 4) {
		case 0:
			held = json_incref(rec);
			held_dump = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
			break;
		case 1:
			string = json_object_iter_value(json_object_iter(rec));
			if (json_is_string(string))
				snprintf(held_string, sizeof held_string, "%s", json_string_value(json_incref(string)));
			else
				string = NULL;
			break;
		case 2:
			json_object_set_new(rec, "added", json_string("by the caller"));
			break;
		}
	}
	next_ends(r);
	json_decref(held);
	free(held_dump);
	json_decref(string);
	pm_jsonl_close(r);
}

/* A record's names are checked against those allowed when it is read: a
 * line of the keys of the line before is checked again once they change. */
static void test_plain_refill_fields(void **state)
{
	static const char *const ab[] = {"a", "b", NULL}, *const a[] = {"a", NULL};
	struct pm_jsonl *r = open_text("{\"a\":\"x\",\"b\":1}\n{\"a\":\"y\",\"b\":2}\n"
				       "{\"a\":\"z\",\"b\":3}\n{\"a\":\"w\",\"b\":4}\n", PM_JSONL_ONLY);
	struct pm_err e;
	json_t *rec;

	pm_jsonl_fields(r, ab);
	next_is(r, "{\"a\":\"x\",\"b\":1}", 1, "{\"a\":\"x\",\"b\":1}");
	next_is(r, "{\"a\":\"y\",\"b\":2}", 2, "{\"a\":\"y\",\"b\":2}");
	pm_jsonl_fields(r, a);
	assert_int_equal(pm_jsonl_next(r, &rec, &e), PM_EDATA);
	assert_null(rec);
	assert_string_equal(e.msg, "unknown field \"b\": did you mean \"a\"?");
	pm_jsonl_fields(r, ab);
	next_is(r, "{\"a\":\"w\",\"b\":4}", 4, "{\"a\":\"w\",\"b\":4}");
	next_ends(r);
	pm_jsonl_close(r);
}

static void test_open_errors(void **state)
{
	struct pm_jsonl *r = (struct pm_jsonl *)&r;
	struct pm_err e;

	assert_int_equal(pm_jsonl_open("/nonexistent/readings.jsonl", PM_JSONL_ONLY, &r, &e),
			 PM_ENOINPUT);
	assert_null(r);
	assert_string_equal(e.msg,
			    "cannot open \"/nonexistent/readings.jsonl\": No such file or directory");
	assert_int_equal(pm_jsonl_open("/tmp", PM_JSONL_ONLY, &r, &e), PM_ENOINPUT);
	assert_null(r);
	assert_string_equal(e.msg, "cannot read \"/tmp\": Is a directory");
}

static void test_stdin(void **state)
{
	struct pm_jsonl *r;
	struct pm_err e;

	tmp_make(tmp_path, sizeof tmp_path, "\n{\"a\":1}\n", 9);
	assert_non_null(freopen(tmp_path, "r", stdin));
	assert_int_equal(pm_jsonl_open("-", PM_JSONL_OR_CSV, &r, &e), PM_OK);
	next_is(r, "{\"a\":1}", 2, "{\"a\":1}");
	where_is(r, "stdin", 2);
	next_ends(r);
	pm_jsonl_close(r);
	assert_int_not_equal(fcntl(STDIN_FILENO, F_GETFD), -1);
}

static void test_open_file(void **state)
{
	char text[] = "a,b\n1,2\n";
	FILE *f = fmemopen(text, strlen(text), "r");
	struct pm_jsonl *r;
	struct pm_err e;

	assert_non_null(f);
	assert_int_equal(pm_jsonl_open_file(f, "upload.csv", PM_JSONL_OR_CSV, &r, &e), PM_OK);
	next_is(r, "{\"a\":\"1\",\"b\":\"2\"}", 2, "1,2");
	where_is(r, "upload.csv", 2);
	next_ends(r);
	pm_jsonl_close(r);
	assert_int_equal(fclose(f), 0);
}

static void test_detect(void **state)
{
	struct pm_jsonl *r = open_text("\n  \t{\"a\":1}\n{\"b\":2}\n", PM_JSONL_OR_CSV);

	next_is(r, "{\"a\":1}", 2, "  \t{\"a\":1}");
	next_is(r, "{\"b\":2}", 3, "{\"b\":2}");
	next_ends(r);
	pm_jsonl_close(r);
}

static void test_empty(void **state)
{
	static const char *const blank[] = { "", "\n \n\t\r\n" };
	static const char *const header_only[] = { "a,b\n", "\n\na,b\n\n" };
	struct pm_jsonl *r;
	size_t i;
	int mode;

	for (i = 0; i < 2; i++) {
		for (mode = PM_JSONL_ONLY; mode <= PM_JSONL_OR_CSV; mode++) {
			r = open_text(blank[i], mode);
			next_ends(r);
			pm_jsonl_close(r);
			tmp_remove(state);
		}
		r = open_text(header_only[i], PM_JSONL_OR_CSV);
		next_ends(r);
		pm_jsonl_close(r);
		tmp_remove(state);
	}
}

static void test_csv(void **state)
{
	struct pm_jsonl *r = open_text("meter, value ,note\r\n"
				       "E-1,12.5,\"a, b\"\r\n"
				       "E-2,7,\"say \"\"hi\"\"\"\r\n"
				       "\r\n"
				       "E-3,8,\"two\r\nlines\"\r\n"
				       "E-4,,\r\n"
				       "E-5\r\n"
				       ",,\"x\"", PM_JSONL_OR_CSV);

	next_is(r, "{\"meter\":\"E-1\",\"value\":\"12.5\",\"note\":\"a, b\"}", 2,
		"E-1,12.5,\"a, b\"");
	next_is(r, "{\"meter\":\"E-2\",\"value\":\"7\",\"note\":\"say \\\"hi\\\"\"}", 3,
		"E-2,7,\"say \"\"hi\"\"\"");
	next_is(r, "{\"meter\":\"E-3\",\"value\":\"8\",\"note\":\"two\\r\\nlines\"}", 5,
		"E-3,8,\"two\r\nlines\"");
	where_is(r, tmp_path, 5);
	next_is(r, "{\"meter\":\"E-4\"}", 7, "E-4,,");
	next_is(r, "{\"meter\":\"E-5\"}", 8, "E-5");
	next_is(r, "{\"note\":\"x\"}", 9, ",,\"x\"");
	next_ends(r);
	pm_jsonl_close(r);
}

static void test_csv_multiline_lf(void **state)
{
	struct pm_jsonl *r = open_text("id,text\n1,\"a\n\nb\"\n2,c\n", PM_JSONL_OR_CSV);

	next_is(r, "{\"id\":\"1\",\"text\":\"a\\n\\nb\"}", 2, "1,\"a\n\nb\"");
	next_is(r, "{\"id\":\"2\",\"text\":\"c\"}", 5, "2,c");
	next_ends(r);
	pm_jsonl_close(r);
}

static void header_fails(const char *text, const char *msg, const char *raw)
{
	struct pm_jsonl *r = open_text(text, PM_JSONL_OR_CSV);

	next_fails(r, msg, 1, raw);
	next_fails(r, "row not read: the header at line 1 is bad", 2, "1,2,3");
	next_fails(r, "row not read: the header at line 1 is bad", 3, "4,5,6");
	next_ends(r);
	pm_jsonl_close(r);
	tmp_remove(NULL);
}

static void test_csv_header(void **state)
{
	header_fails("a,,b\n1,2,3\n4,5,6\n", "column 2 of the header has no name", "a,,b");
	header_fails("a,  ,b\n1,2,3\n4,5,6\n", "column 2 of the header has no name", "a,  ,b");
	header_fails("id, name,name \n1,2,3\n4,5,6\n",
		     "column name \"name\" appears twice in the header; names must be unique",
		     "id, name,name ");
	header_fails("\"a\"x,b\n1,2,3\n4,5,6\n",
		     "cell 1: expected \",\" or the end of the line after the closing quote",
		     "\"a\"x,b");
	header_fails("a,\xff\n1,2,3\n4,5,6\n", "column 2 of the header: expected UTF-8 text (a file saved as GB18030 reads with --encoding gb18030)",
		     "a,\xff");
}

static void test_csv_bad_rows(void **state)
{
	struct pm_jsonl *r = open_text("a,b\n"
				       "1,2,3\n"
				       "\"x\"y,2\n"
				       "4,\xc3\n"
				       "5,6\n"
				       "7,\"open\n"
				       "more\n", PM_JSONL_OR_CSV);

	next_fails(r, "row has 3 cells, more than the 2 columns of the header", 2, "1,2,3");
	next_fails(r, "cell 1: expected \",\" or the end of the line after the closing quote", 3,
		   "\"x\"y,2");
	next_fails(r, "field \"b\": expected UTF-8 text (a file saved as GB18030 reads with --encoding gb18030)", 4, "4,\xc3");
	next_is(r, "{\"a\":\"5\",\"b\":\"6\"}", 5, "5,6");
	next_fails(r, "cell 2: expected a closing quote before the end of the input", 6,
		   "7,\"open\nmore");
	next_ends(r);
	pm_jsonl_close(r);
}

static void test_tsv(void **state)
{
	struct pm_jsonl *r = open_text("meter\tvalue\tnote\r\nE-1\t12.5\thas, comma\r\n"
				       "E-2\t\"q\"\"\"\t\r\n", PM_JSONL_OR_CSV);

	next_is(r, "{\"meter\":\"E-1\",\"value\":\"12.5\",\"note\":\"has, comma\"}", 2,
		"E-1\t12.5\thas, comma");
	next_is(r, "{\"meter\":\"E-2\",\"value\":\"q\\\"\"}", 3, "E-2\t\"q\"\"\"\t");
	next_ends(r);
	pm_jsonl_close(r);
	tmp_remove(state);

	/* A comma in the header makes it CSV, tabs and all. */
	r = open_text("a,b\tc\n1,2\tx\n", PM_JSONL_OR_CSV);
	next_is(r, "{\"a\":\"1\",\"b\\tc\":\"2\\tx\"}", 2, "1,2\tx");
	pm_jsonl_close(r);
}

static json_t *obj(const char *text)
{
	json_error_t je;
	json_t *o = json_loads(text, JSON_REJECT_DUPLICATES, &je);

	assert_non_null(o);
	return o;
}

static void test_str(void **state)
{
	json_t *o = obj("{\"name\":\"张三\",\"n\":5,\"z\":null}");
	const char *s = "untouched";
	struct pm_err e;

	assert_int_equal(pm_json_str(o, "name", PM_REQUIRED, &s, &e), PM_OK);
	assert_string_equal(s, "张三");
	s = "untouched";
	assert_int_equal(pm_json_str(o, "unit", PM_OPTIONAL, &s, &e), PM_OK);
	assert_string_equal(s, "untouched");
	assert_int_equal(pm_json_str(o, "z", PM_OPTIONAL, &s, &e), PM_OK);
	assert_string_equal(s, "untouched");
	assert_int_equal(pm_json_str(o, "unit", PM_REQUIRED, &s, &e), PM_EDATA);
	assert_string_equal(e.msg, "field \"unit\": missing");
	assert_int_equal(pm_json_str(o, "z", PM_REQUIRED, &s, &e), PM_EDATA);
	assert_string_equal(e.msg, "field \"z\": missing");
	assert_int_equal(pm_json_str(o, "n", PM_REQUIRED, &s, &e), PM_EDATA);
	assert_string_equal(e.msg, "field \"n\": expected a string");
	assert_true(pm_json_has(o, "name"));
	assert_true(pm_json_has(o, "n"));
	assert_false(pm_json_has(o, "z"));
	assert_false(pm_json_has(o, "unit"));
	json_decref(o);
}

static void int_fails(json_t *o, const char *key, const char *msg)
{
	int64_t v = 99;
	struct pm_err e;

	assert_int_equal(pm_json_int(o, key, PM_REQUIRED, &v, &e), PM_EDATA);
	assert_string_equal(e.msg, msg);
}

static void test_int(void **state)
{
	json_t *o = obj("{\"a\":42,\"b\":\"-17\",\"c\":\"+3\",\"d\":\" 4\",\"e\":\"4.0\","
			"\"f\":4.0,\"g\":true,\"h\":\"9223372036854775807\","
			"\"i\":\"9223372036854775808\",\"j\":-9223372036854775808,\"k\":\"\","
			"\"l\":\"12x\"}");
	int64_t v = 99;
	struct pm_err e;

	assert_int_equal(pm_json_int(o, "a", PM_REQUIRED, &v, &e), PM_OK);
	assert_int_equal(v, 42);
	assert_int_equal(pm_json_int(o, "b", PM_REQUIRED, &v, &e), PM_OK);
	assert_int_equal(v, -17);
	assert_int_equal(pm_json_int(o, "c", PM_REQUIRED, &v, &e), PM_OK);
	assert_int_equal(v, 3);
	assert_int_equal(pm_json_int(o, "h", PM_REQUIRED, &v, &e), PM_OK);
	assert_true(v == INT64_MAX);
	assert_int_equal(pm_json_int(o, "j", PM_REQUIRED, &v, &e), PM_OK);
	assert_true(v == INT64_MIN);
	v = 99;
	assert_int_equal(pm_json_int(o, "x", PM_OPTIONAL, &v, &e), PM_OK);
	assert_int_equal(v, 99);
	int_fails(o, "x", "field \"x\": missing");
	int_fails(o, "d", "field \"d\": expected an integer");
	int_fails(o, "e", "field \"e\": expected an integer");
	int_fails(o, "f", "field \"f\": expected an integer");
	int_fails(o, "g", "field \"g\": expected an integer");
	int_fails(o, "k", "field \"k\": expected an integer");
	int_fails(o, "l", "field \"l\": expected an integer");
	int_fails(o, "i", "field \"i\": expected an integer from -9223372036854775808 "
		  "to 9223372036854775807");
	json_decref(o);
}

static void dec_is(json_t *o, const char *key, int places, int64_t want)
{
	int64_t v = 99;
	struct pm_err e;

	if (pm_json_dec(o, key, places, PM_REQUIRED, &v, &e) != PM_OK)
		fail_msg("%s", e.msg);
	assert_true(v == want);
}

static void dec_fails(json_t *o, const char *key, int places, const char *msg)
{
	int64_t v = 99;
	struct pm_err e;

	assert_int_equal(pm_json_dec(o, key, places, PM_REQUIRED, &v, &e), PM_EDATA);
	assert_string_equal(e.msg, msg);
}

/* Exact decimals: the doubles jansson holds are never multiplied, so the
 * classic 0.07 * 100 = 7.000000000000001 cannot creep in. */
static void test_dec(void **state)
{
	json_t *o = obj("{\"v\":1234.567,\"p\":0.1,\"x\":1e2,\"bad\":1.0005,\"s\":\"12.30\","
			"\"i\":5,\"t\":true,\"tiny\":1.5e-5,\"neg\":-0.25,\"e7\":1e-7,"
			"\"sum\":0.30000000000000004,\"exp\":\"1e2\",\"c\":0.07,\"d\":1.005,"
			"\"big\":123456789.123,\"huge\":1e300,\"odd\":8999999999999999,"
			"\"ten\":1.0,\"nul\":null}");
	int64_t v = 99;
	struct pm_err e;

	dec_is(o, "v", 3, 1234567);
	dec_is(o, "p", 3, 100);
	dec_is(o, "x", 3, 100000);
	dec_is(o, "s", 2, 1230);
	dec_is(o, "i", 2, 500);
	dec_is(o, "tiny", 6, 15);
	dec_is(o, "neg", 2, -25);
	dec_is(o, "c", 2, 7);
	dec_is(o, "d", 3, 1005);
	dec_is(o, "big", 3, INT64_C(123456789123));
	dec_is(o, "odd", 0, INT64_C(8999999999999999));
	dec_is(o, "ten", 0, 1);
	dec_fails(o, "bad", 3, "field \"bad\": \"1.0005\": more than 3 decimals");
	dec_fails(o, "e7", 6, "field \"e7\": \"0.0000001\": more than 6 decimals");
	dec_fails(o, "sum", 3, "field \"sum\": \"0.30000000000000004\": more than 3 decimals");
	dec_fails(o, "exp", 3,
		  "field \"exp\": \"1e2\": exponents are not allowed, write the digits out");
	dec_fails(o, "t", 3, "field \"t\": expected a number or decimal string");
	dec_fails(o, "q", 3, "field \"q\": missing");
	dec_fails(o, "nul", 3, "field \"nul\": missing");
	assert_int_equal(pm_json_dec(o, "huge", 3, PM_REQUIRED, &v, &e), PM_EDATA);
	assert_memory_equal(e.msg, "field \"huge\": \"1000000000", 25);
	v = 99;
	assert_int_equal(pm_json_dec(o, "q", 3, PM_OPTIONAL, &v, &e), PM_OK);
	assert_int_equal(v, 99);
	json_decref(o);
}

static void test_money(void **state)
{
	json_t *o = obj("{\"a\":123.45,\"b\":\"¥1,234.50\",\"c\":100,\"d\":1e2,\"e\":0.005,"
			"\"f\":[],\"g\":\"12.345\",\"h\":19.99,\"n\":-0.05}");
	int64_t fen = 99;
	struct pm_err e;

	assert_int_equal(pm_json_money(o, "a", PM_REQUIRED, &fen, &e), PM_OK);
	assert_int_equal(fen, 12345);
	assert_int_equal(pm_json_money(o, "b", PM_REQUIRED, &fen, &e), PM_OK);
	assert_int_equal(fen, 123450);
	assert_int_equal(pm_json_money(o, "c", PM_REQUIRED, &fen, &e), PM_OK);
	assert_int_equal(fen, 10000);
	assert_int_equal(pm_json_money(o, "d", PM_REQUIRED, &fen, &e), PM_OK);
	assert_int_equal(fen, 10000);
	assert_int_equal(pm_json_money(o, "h", PM_REQUIRED, &fen, &e), PM_OK);
	assert_int_equal(fen, 1999);
	assert_int_equal(pm_json_money(o, "n", PM_REQUIRED, &fen, &e), PM_OK);
	assert_true(fen == -5);
	assert_int_equal(pm_json_money(o, "e", PM_REQUIRED, &fen, &e), PM_EDATA);
	assert_string_equal(e.msg, "field \"e\": \"0.005\": more than two decimals");
	assert_int_equal(pm_json_money(o, "g", PM_REQUIRED, &fen, &e), PM_EDATA);
	assert_string_equal(e.msg, "field \"g\": \"12.345\": more than two decimals");
	assert_int_equal(pm_json_money(o, "f", PM_REQUIRED, &fen, &e), PM_EDATA);
	assert_string_equal(e.msg, "field \"f\": expected a number or amount string");
	assert_int_equal(pm_json_money(o, "amount", PM_REQUIRED, &fen, &e), PM_EDATA);
	assert_string_equal(e.msg, "field \"amount\": missing");
	fen = 99;
	assert_int_equal(pm_json_money(o, "amount", PM_OPTIONAL, &fen, &e), PM_OK);
	assert_int_equal(fen, 99);
	json_decref(o);
}

static void test_time(void **state)
{
	json_t *o = obj("{\"ts\":\"2026-11-30T23:00:00+08:00\",\"z\":\"2026-11-30T15:00:00Z\","
			"\"n\":5,\"bad\":\"2026-13-01T00:00:00Z\"}");
	int64_t t = 99;
	struct pm_err e;

	assert_int_equal(pm_json_time(o, "ts", PM_REQUIRED, &t, &e), PM_OK);
	assert_int_equal(t, 1796050800);
	assert_int_equal(pm_json_time(o, "z", PM_REQUIRED, &t, &e), PM_OK);
	assert_int_equal(t, 1796050800);
	assert_int_equal(pm_json_time(o, "n", PM_REQUIRED, &t, &e), PM_EDATA);
	assert_string_equal(e.msg, "field \"n\": expected an RFC 3339 time string");
	assert_int_equal(pm_json_time(o, "bad", PM_REQUIRED, &t, &e), PM_EDATA);
	assert_string_equal(e.msg, "field \"bad\": expected an RFC 3339 time: "
			    "\"2026-13-01T00:00:00Z\": month must be 01 to 12");
	assert_int_equal(pm_json_time(o, "ts2", PM_REQUIRED, &t, &e), PM_EDATA);
	assert_string_equal(e.msg, "field \"ts2\": missing");
	t = 99;
	assert_int_equal(pm_json_time(o, "ts2", PM_OPTIONAL, &t, &e), PM_OK);
	assert_int_equal(t, 99);
	json_decref(o);
}

/* CSV cells are strings; the accessors read numbers and times from them. */
static void test_csv_fields(void **state)
{
	struct pm_jsonl *r = open_text("meter,value,n,amount,ts,note\n"
				       "E-1,12.5,7,\"1,234.50\",2026-11-30T15:00:00Z,\n",
				       PM_JSONL_OR_CSV);
	int64_t v = 99, n = 99, fen = 99, t = 99;
	const char *note = "untouched";
	struct pm_err e;
	json_t *rec;

	assert_int_equal(pm_jsonl_next(r, &rec, &e), PM_OK);
	assert_int_equal(pm_json_dec(rec, "value", 3, PM_REQUIRED, &v, &e), PM_OK);
	assert_int_equal(v, 12500);
	assert_int_equal(pm_json_int(rec, "n", PM_REQUIRED, &n, &e), PM_OK);
	assert_int_equal(n, 7);
	assert_int_equal(pm_json_money(rec, "amount", PM_REQUIRED, &fen, &e), PM_OK);
	assert_int_equal(fen, 123450);
	assert_int_equal(pm_json_time(rec, "ts", PM_REQUIRED, &t, &e), PM_OK);
	assert_int_equal(t, 1796050800);
	assert_int_equal(pm_json_str(rec, "note", PM_OPTIONAL, &note, &e), PM_OK);
	assert_string_equal(note, "untouched");
	assert_false(pm_json_has(rec, "note"));
	pm_jsonl_close(r);
}

/* pm_json_compact writes what json_dumps writes, byte for byte: every
 * kind of value, nesting, escapes (control characters, quotes,
 * backslashes, a NUL inside a string and a key), UTF-8, extreme integers,
 * empty containers, and a real (handed to json_dumps). Random strings of
 * every byte below 0x80 besides. */
static void same_text(char *got, char *want)
{
	assert_non_null(want);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(want);
	free(got);
}

static void check_compact(json_t *j)
{
	same_text(pm_json_compact(j), json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY));
	json_decref(j);
}

static void test_compact(void **state)
{
	char s[64];

	(void)state;
	check_compact(json_pack("{s:s, s:I, s:I, s:b, s:b, s:n, s:[], s:{}, s:[s, i, {s:s}], s:f}",
				"usage", "25.250", "min", (json_int_t)INT64_MIN, "max", (json_int_t)INT64_MAX,
				"t", 1, "f", 0, "z", "empty", "obj", "arr", "公摊电费", -7, "k\"q", "v\\w",
				"real", 0.1));
	check_compact(json_pack("{s:s, s:[s, s]}", "ctl", "a\b\f\n\r\t\x01\x1f\x7f/end",
				"more", "\"quoted\"", "水费 ¥12.50 ✓"));
	check_compact(json_stringn("a\0b", 3));
	{
		json_t *o = json_object();
		json_object_setn_new(o, "k\0ey", 4, json_integer(0));
		json_object_set_new(o, "after", json_integer(-1));
		check_compact(o);
	}
	check_compact(json_array());
	check_compact(json_object());
	check_compact(json_pack("[i, s, b]", 0, "", 0));
	srand(18);
	for (int n = 0; n < 2000; n++) {
		size_t len = (size_t)(rand() % 40);
		for (size_t i = 0; i < len; i++)
			s[i] = (char)(rand() % 127 + 1);
		check_compact(json_pack("{s:s%}", "x", s, len));
	}
}

/* pm_jw writes what pm_json_compact prints for the object built alike
 * (a bill line's breakdown is stored as that text, and digested): keys
 * in order, nesting, escapes, UTF-8, extreme integers, decimals, true,
 * empty containers; a writer of no buffer writes nothing. */
static void test_jw(void **state)
{
	struct strbuf b = {0};
	struct pm_jw w = {&b, 0, 0}, none = {NULL, 0, 0};
	char dec[PM_MONEY_BUF], *want, big[400];
	json_t *j;

	(void)state;
	/* Longer than one append takes: written piece by piece. */
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	big[7] = '"';
	j = json_pack("{s:s, s:[{s:I, s:s}, {s:I, s:s}], s:s, s:I, s:I, s:b, s:[], s:{}, s:s, s:s, s:s}",
		      "meter", "W1-1-0101 \"东\"\\\n\x01", "tiers", "tier", (json_int_t)1, "amount",
		      pm_decimal_fmt(-12345, 3, dec), "tier", (json_int_t)2, "amount", "0.0000000",
		      "公摊", "水费 ¥12.50 ✓", "min", (json_int_t)INT64_MIN, "max", (json_int_t)INT64_MAX,
		      "ytd_partial", 1, "empty", "none", "k\"ey", "/end\t", "big", big, big + 8, "plain");
	want = pm_json_compact(j);
	pm_jw_open(&w, NULL, '{');
	pm_jw_str(&w, "meter", "W1-1-0101 \"东\"\\\n\x01");
	pm_jw_open(&w, "tiers", '[');
	for (int i = 1; i <= 2; i++) {
		pm_jw_open(&w, NULL, '{');
		pm_jw_int(&w, "tier", i);
		pm_jw_dec(&w, "amount", i == 1 ? -12345 : 0, i == 1 ? 3 : 7);
		pm_jw_close(&w, '}');
	}
	pm_jw_close(&w, ']');
	pm_jw_str(&w, "公摊", "水费 ¥12.50 ✓");
	pm_jw_int(&w, "min", INT64_MIN);
	pm_jw_int(&w, "max", INT64_MAX);
	pm_jw_true(&w, "ytd_partial");
	pm_jw_open(&w, "empty", '[');
	pm_jw_close(&w, ']');
	pm_jw_open(&w, "none", '{');
	pm_jw_close(&w, '}');
	pm_jw_str(&w, "k\"ey", "/end\t");
	pm_jw_str(&w, "big", big);
	pm_jw_str(&w, big + 8, "plain");
	pm_jw_close(&w, '}');
	assert_int_equal(w.depth, 0);
	same_text(sb_take(&b), want);
	json_decref(j);

	pm_jw_open(&none, NULL, '{');
	pm_jw_str(&none, "a", "b");
	pm_jw_int(&none, "n", 1);
	pm_jw_dec(&none, "d", 1, 2);
	pm_jw_true(&none, "t");
	pm_jw_close(&none, '}');
	assert_null(none.b);
	assert_int_equal(none.depth, 0);
}

static void test_write(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_t *o = json_object();
	struct pm_err e;

	assert_non_null(f);
	json_object_set_new(o, "type", json_string("reading"));
	json_object_set_new(o, "meter", json_string("E-1"));
	json_object_set_new(o, "value", json_integer(1234567));
	json_object_set_new(o, "note", json_string("一号楼 3单元 \"东\""));
	assert_int_equal(pm_jsonl_write(f, o, &e), PM_OK);
	json_decref(o);
	o = json_pack("{s:s}", "type", "end");
	assert_int_equal(pm_jsonl_write(f, o, &e), PM_OK);
	json_decref(o);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(buf, "{\"type\":\"reading\",\"meter\":\"E-1\",\"value\":1234567,"
			    "\"note\":\"一号楼 3单元 \\\"东\\\"\"}\n{\"type\":\"end\"}\n");
	free(buf);
}

static void test_write_error(void **state)
{
	FILE *f = fopen("/dev/full", "w");
	json_t *o = json_pack("{s:i}", "a", 1);
	struct pm_err e;

	assert_non_null(f);
	setvbuf(f, NULL, _IONBF, 0);
	assert_int_equal(pm_jsonl_write(f, o, &e), PM_EIO);
	assert_string_equal(e.msg, "write error: No space left on device");
	json_decref(o);
	fclose(f);
}

static void file_is(const char *path, const char *want, size_t want_len)
{
	size_t len;
	char *got = file_read(path, &len);

	assert_int_equal(len, want_len);
	assert_memory_equal(got, want, len);
	free(got);
}

static void test_reject(void **state)
{
	struct pm_reject *rj = (struct pm_reject *)&rj;
	struct pm_err e;
	struct stat st;

	/* Appended to: an earlier run's rejects stay. */
	tmp_make(rej_path, sizeof rej_path, "old contents\n", 13);
	assert_int_equal(pm_reject_open(rej_path, &rj, &e), PM_OK);
	assert_int_equal(pm_reject_write(rj, "{\"a\":1", 6, &e), PM_OK);
	assert_int_equal(pm_reject_write(rj, "E-3,8,\"two\r\nlines\"", 18, &e), PM_OK);
	assert_int_equal(pm_reject_write(rj, "abcdef", 3, &e), PM_OK);
	assert_int_equal(pm_reject_write(rj, "", 0, &e), PM_OK);
	assert_int_equal(pm_reject_close(rj, &e), PM_OK);
	file_is(rej_path, "old contents\n{\"a\":1\nE-3,8,\"two\r\nlines\"\nabc\n\n", 44);
	assert_int_equal(pm_reject_close(NULL, &e), PM_OK);

	assert_int_equal(pm_reject_open("/nonexistent/rejects.jsonl", &rj, &e), PM_ECANTCREAT);
	assert_null(rj);
	assert_string_equal(e.msg,
			    "cannot create \"/nonexistent/rejects.jsonl\": No such file or directory");

	assert_int_equal(pm_reject_open("/dev/full", &rj, &e), PM_OK);
	assert_int_equal(pm_reject_write(rj, "x", 1, &e), PM_EIO);
	assert_string_equal(e.msg, "cannot write \"/dev/full\": No space left on device");
	assert_int_equal(pm_reject_close(rj, &e), PM_OK);

	/* Made 0600 whatever the umask: it holds input data. */
	unlink(rej_path);
	umask(022);
	assert_int_equal(pm_reject_open(rej_path, &rj, &e), PM_OK);
	assert_int_equal(pm_reject_close(rj, &e), PM_OK);
	assert_int_equal(stat(rej_path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
}

static void test_reject_refused(void **state)
{
	char link[96], *inputs[2];
	struct pm_reject *rj;
	struct pm_err e;

	tmp_make(tmp_path, sizeof tmp_path, "x\n", 2);
	snprintf(link, sizeof link, "%s.link", tmp_path);
	assert_int_equal(symlink(tmp_path, link), 0);
	assert_int_equal(pm_reject_open(link, &rj, &e), PM_ECANTCREAT);
	unlink(link);
	assert_null(rj);
	assert_string_equal(strstr(e.msg, ".link\""), ".link\" is a symbolic link: give --reject the file itself");
	file_is(tmp_path, "x\n", 2);

	assert_int_equal(pm_reject_open("/tmp", &rj, &e), PM_ECANTCREAT);
	assert_string_equal(e.msg, "cannot create \"/tmp\": Is a directory");

	/* The run's input, by any name. */
	assert_int_equal(pm_reject_open(tmp_path, &rj, &e), PM_OK);
	inputs[0] = "/dev/null";
	inputs[1] = link;
	snprintf(link, sizeof link, "/tmp/../tmp/%s", tmp_path + 5);
	assert_int_equal(pm_reject_check(rj, 1, inputs, &e), PM_OK);
	assert_int_equal(pm_reject_check(rj, 2, inputs, &e), PM_ECANTCREAT);
	assert_memory_equal(e.msg + strlen(tmp_path) + 2, " is an input of this run: give --reject another file",
			    52);
	assert_int_equal(pm_reject_check(NULL, 2, inputs, &e), PM_OK);
	assert_int_equal(pm_reject_close(rj, &e), PM_OK);
}

/* What a program does with a bad line: its raw text goes to the reject
 * file as it was, its line end included, so the file can be fixed and
 * read again. */
static void test_reject_bad_lines(void **state)
{
	struct pm_jsonl *r = open_text("{\"a\":1}\n{\"a\":\r\n\n[2]\n{\"a\":3}\n{\"b\"", PM_JSONL_ONLY);
	struct pm_reject *rj;
	struct pm_err e;
	json_t *rec;
	int rc, good = 0;

	snprintf(rej_path, sizeof rej_path, "%s.rej", tmp_path);
	assert_int_equal(pm_reject_open(rej_path, &rj, &e), PM_OK);
	while ((rc = pm_jsonl_next(r, &rec, &e)) == PM_EDATA || rec) {
		if (rc == PM_OK)
			good++;
		else
			assert_int_equal(pm_reject_record(rj, r, &e), PM_OK);
	}
	assert_int_equal(rc, PM_OK);
	assert_int_equal(good, 2);
	assert_int_equal(pm_reject_close(rj, &e), PM_OK);
	pm_jsonl_close(r);
	file_is(rej_path, "{\"a\":\r\n[2]\n{\"b\"\n", 16);
}

/* CSV rejects follow the input's header row, once per reject file. */
static void test_reject_csv(void **state)
{
	static const char csv[] = "\xef\xbb\xbf" "code,area\r\n1-1-101,80\r\nbad,\"x\r\ny\"\r\n1-1-102,x\n";
	struct pm_jsonl *r;
	struct pm_reject *rj;
	struct pm_err e;
	json_t *rec;
	int rc;

	for (int run = 0; run < 2; run++) {
		r = open_text(csv, PM_JSONL_OR_CSV);
		snprintf(rej_path, sizeof rej_path, "%s.rej", "/tmp/test_jsonl.csv");
		assert_int_equal(pm_reject_open(rej_path, &rj, &e), PM_OK);
		while ((rc = pm_jsonl_next(r, &rec, &e)) == PM_EDATA || rec)
			if (rec && strcmp(json_string_value(json_object_get(rec, "code")), "1-1-101"))
				assert_int_equal(pm_reject_record(rj, r, &e), PM_OK);
		assert_int_equal(pm_reject_close(rj, &e), PM_OK);
		pm_jsonl_close(r);
		unlink(tmp_path);
	}
	file_is(rej_path, "code,area\r\nbad,\"x\r\ny\"\r\n1-1-102,x\nbad,\"x\r\ny\"\r\n1-1-102,x\n", 55);
	unlink(rej_path);

	/* A bad header goes in once, as the header. */
	r = open_text("code,code\n1,2\n3,4\n", PM_JSONL_OR_CSV);
	assert_int_equal(pm_reject_open(rej_path, &rj, &e), PM_OK);
	while ((rc = pm_jsonl_next(r, &rec, &e)) == PM_EDATA || rec)
		assert_int_equal(pm_reject_record(rj, r, &e), PM_OK);
	assert_int_equal(pm_reject_close(rj, &e), PM_OK);
	pm_jsonl_close(r);
	file_is(rej_path, "code,code\n1,2\n3,4\n", 18);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_lines, tmp_remove),
		cmocka_unit_test_teardown(test_bom, tmp_remove),
		cmocka_unit_test_teardown(test_long_line, tmp_remove),
		cmocka_unit_test_teardown(test_long_csv, tmp_remove),
		cmocka_unit_test_teardown(test_numbers_exact, tmp_remove),
		cmocka_unit_test_teardown(test_numbers_exact_flat, tmp_remove),
		cmocka_unit_test_teardown(test_numbers_malformed, tmp_remove),
		cmocka_unit_test_teardown(test_plain_decimals, tmp_remove),
		cmocka_unit_test_teardown(test_bad_lines, tmp_remove),
		cmocka_unit_test_teardown(test_plain_lines, tmp_remove),
		cmocka_unit_test_teardown(test_plain_refill, tmp_remove),
		cmocka_unit_test_teardown(test_plain_refill_fields, tmp_remove),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test_teardown(test_stdin, tmp_remove),
		cmocka_unit_test(test_open_file),
		cmocka_unit_test_teardown(test_detect, tmp_remove),
		cmocka_unit_test_teardown(test_empty, tmp_remove),
		cmocka_unit_test_teardown(test_csv, tmp_remove),
		cmocka_unit_test_teardown(test_csv_multiline_lf, tmp_remove),
		cmocka_unit_test_teardown(test_csv_header, tmp_remove),
		cmocka_unit_test_teardown(test_csv_bad_rows, tmp_remove),
		cmocka_unit_test_teardown(test_tsv, tmp_remove),
		cmocka_unit_test(test_str),
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_dec),
		cmocka_unit_test(test_money),
		cmocka_unit_test(test_time),
		cmocka_unit_test_teardown(test_csv_fields, tmp_remove),
		cmocka_unit_test(test_compact),
		cmocka_unit_test(test_jw),
		cmocka_unit_test(test_write),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test_teardown(test_reject, tmp_remove),
		cmocka_unit_test_teardown(test_reject_refused, tmp_remove),
		cmocka_unit_test_teardown(test_reject_bad_lines, tmp_remove),
		cmocka_unit_test_teardown(test_reject_csv, tmp_remove),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
