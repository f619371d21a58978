/* Records as pm-meter ingest reads them: every record, every accessor,
 * written back out. fuzz_csv.c is this file in the other mode. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm/jsonl.h"

#ifndef FUZZ_MODE
#define FUZZ_MODE PM_JSONL_ONLY
/* Every record is a JSON line, never a CSV row. */
#define FUZZ_JSON_ONLY
#endif

/* A record read from a JSON line is one jansson reads from the line as
 * written: a line it refuses (1.5e, 01.50, {1e5:2}) is refused, not
 * mended by numbers_exact's quotes; and a number read as a real without
 * jansson (lib/jsonl.c's plain_real) is the real jansson reads. A CSV
 * row's fields are strings, and its raw text is no JSON. */
static void jansson_check(json_t *rec, const char *raw, size_t len)
{
	json_t *back = json_loadb(raw, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL), *v, *b;
	const char *k;

#ifdef FUZZ_JSON_ONLY
	if (!back)
		abort();
#endif
	json_object_foreach(rec, k, v) {
		if (!json_is_real(v))
			continue;
		b = json_object_get(back, k);
		if (!json_is_real(b) || json_real_value(b) != json_real_value(v))
			abort();
	}
	json_decref(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fields_read(json_t *rec, int places)
{
	static const char *const keys[] = { "meter", "value", "ts", "amount", "n" };
	struct pm_err e;
	const char *s, *first;
	int64_t v;
	size_t i;

	for (i = 0; i < sizeof keys / sizeof *keys; i++) {
		pm_json_has(rec, keys[i]);
		pm_json_str(rec, keys[i], PM_REQUIRED, &s, &e);
		pm_json_int(rec, keys[i], PM_OPTIONAL, &v, &e);
		pm_json_dec(rec, keys[i], places, PM_REQUIRED, &v, &e);
		pm_json_money(rec, keys[i], PM_REQUIRED, &v, &e);
		pm_json_time(rec, keys[i], PM_REQUIRED, &v, &e);
	}
	first = json_object_iter_key(json_object_iter(rec));
	if (first)
		pm_json_dec(rec, first, places, PM_REQUIRED, &v, &e);
}

/* A record written out is one line that reads back as the same record. */
static void write_check(json_t *rec)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct pm_err e;
	json_t *back;

	if (!f || pm_jsonl_write(f, rec, &e) != PM_OK || fclose(f))
		abort();
	back = json_loadb(buf, len, 0, NULL);
	if (!back || !json_equal(back, rec) || memchr(buf, '\n', len) != buf + len - 1)
		abort();
	json_decref(back);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1);
	struct pm_jsonl *r;
	struct pm_err e;
	json_t *rec;
	size_t len;
	FILE *f;

	if (!copy || !size || !(f = fmemopen(memcpy(copy, data, size), size, "r"))) {
		free(copy);
		return 0;
	}
	if (pm_jsonl_open_file(f, "fuzz", FUZZ_MODE, &r, &e) == PM_OK) {
#ifdef FUZZ_ENCODING
		if (pm_jsonl_encoding(r, FUZZ_ENCODING, &e) != PM_OK)
			abort();
#endif
		while (pm_jsonl_next(r, &rec, &e) == PM_EDATA || rec) {
			pm_jsonl_raw(r, &len);
			/* Only a record too long to hold has no raw text. */
			if (pm_jsonl_lineno(r) < 1 || !*pm_jsonl_where(r) ||
			    (!len && (rec || !strstr(e.msg, "longer than the limit"))))
				abort();
			if (rec) {
				fields_read(rec, (int)(size % 7));
				write_check(rec);
				jansson_check(rec, pm_jsonl_raw(r, &len), len);
			}
		}
		pm_jsonl_close(r);
	}
	fclose(f);
	free(copy);
	return 0;
}
