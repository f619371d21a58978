/* Row sets and their renderers: cells as text, JSON and numbers, rates by
 * integer arithmetic, masking, natural order, CSV and tables. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "pm/render.h"
#include "pm/report.h"
#include "report-internal.h"

static const struct pm_col cols[] = {
	{"name", "name", PM_COL_TEXT, 0, 0},
	{"n", "count", PM_COL_INT, 0, 0},
	{"amount_fen", "amount", PM_COL_MONEY, 0, 0},
	{"kwh", "usage", PM_COL_QTY, 3, 1},
	{"rate_pct", "rate", PM_COL_PERCENT, 0, 0},
	{"change_pct", "change", PM_COL_CHANGE, 0, 0},
	{"stars", "rating", PM_COL_MEAN, 0, 1},
	{"per_unit", "per unit", PM_COL_MEAN, 3, 3},
	{"wait_s", "wait", PM_COL_HOURS, 0, 0},
};

/* A report of one section of the columns above and one empty row. */
static struct pm_report *report(void)
{
	struct pm_report *r = calloc(1, sizeof *r);
	struct pm_section *s;

	assert_non_null(r);
	r->name = "test";
	r->title = "Test";
	snprintf(r->community, sizeof r->community, "测试小区");
	snprintf(r->scope, sizeof r->scope, "2026-11");
	assert_non_null(s = pm_section_add(r, "one", "One", cols, sizeof cols / sizeof *cols));
	assert_int_equal(pm_row_add(s), 0);
	return r;
}

static const char *text(const struct pm_section *s, size_t j, int table)
{
	static char buf[PM_CELL_BUF];

	return pm_cell_text(s, 0, j, table, buf, sizeof buf);
}

static void test_rates(void **state)
{
	static const struct {
		int64_t num, den;
		const char *pct, *table;
	} cases[] = {
		{1, 8, "12.5", "12.5%"}, {1, 3, "33.3", "33.3%"}, {2, 3, "66.7", "66.7%"},
		{1, 6, "16.7", "16.7%"}, {1, 2000, "0.1", "0.1%"}, {1, 2001, "0.0", "0.0%"},
		{0, 5, "0.0", "0.0%"}, {5, 5, "100.0", "100.0%"}, {31000, 49180, "63.0", "63.0%"},
		{-1, 3, "-33.3", "-33.3%"}, {INT64_C(9000000000000000), INT64_C(9000000000000001), "100.0", "100.0%"},
	};
	struct pm_report *r = report();
	struct pm_section *s = &r->sec[0];

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		pm_set_ratio(s, 0, 4, cases[i].num, cases[i].den);
		assert_string_equal(text(s, 4, 0), cases[i].pct);
		assert_string_equal(text(s, 4, 1), cases[i].table);
	}
	pm_set_ratio(s, 0, 4, 7, 0);
	assert_true(pm_cell_null(s, 0, 4));
	assert_string_equal(text(s, 4, 1), "\xe2\x80\x94");
	assert_string_equal(text(s, 4, 0), "\xe2\x80\x94");
	assert_true(json_is_null(pm_cell_json(s, 0, 4)));
	pm_set_ratio(s, 0, 5, 150, 1000);
	assert_string_equal(text(s, 5, 1), "+15.0%");
	assert_string_equal(text(s, 5, 0), "15.0");
	pm_set_ratio(s, 0, 5, -1, 3);
	assert_string_equal(text(s, 5, 1), "-33.3%");
	pm_set_ratio(s, 0, 5, 0, 3);
	assert_string_equal(text(s, 5, 1), "+0.0%");
	pm_report_free(r);
}

static void test_values(void **state)
{
	struct pm_report *r = report();
	struct pm_section *s = &r->sec[0];
	json_t *j;

	assert_int_equal(pm_set_text(s, 0, 0, "张伟"), 0);
	pm_set_int(s, 0, 1, 1234567);
	pm_set_int(s, 0, 2, -123456);
	pm_set_int(s, 0, 3, 1234567891);
	pm_set_ratio(s, 0, 6, 12, 3);
	pm_set_ratio(s, 0, 7, 500000, 3);
	pm_set_int(s, 0, 8, 5400);
	assert_string_equal(text(s, 0, 1), "张伟");
	assert_string_equal(text(s, 1, 1), "1,234,567");
	assert_string_equal(text(s, 1, 0), "1234567");
	assert_string_equal(text(s, 2, 1), "-\xc2\xa5" "1,234.56");
	/* In a file, what the key (amount_fen) says: fen, as in JSON. */
	assert_string_equal(text(s, 2, 0), "-123456");
	assert_string_equal(text(s, 3, 1), "1,234,567.9");
	assert_string_equal(text(s, 3, 0), "1234567.9");
	assert_string_equal(text(s, 6, 0), "4.0");
	assert_string_equal(text(s, 7, 0), "166.667");
	/* Hours for people, seconds under wait_s in a file. */
	assert_string_equal(text(s, 8, 1), "1.5");
	assert_string_equal(text(s, 8, 0), "5400");
	j = pm_cell_json(s, 0, 3);
	assert_string_equal(json_string_value(j), "1234567.891");
	json_decref(j);
	j = pm_cell_json(s, 0, 2);
	assert_int_equal(json_integer_value(j), -123456);
	json_decref(j);
	j = pm_cell_json(s, 0, 8);
	assert_int_equal(json_integer_value(j), 5400);
	json_decref(j);
	assert_true(pm_cell_double(s, 0, 2) == -1234.56);
	assert_true(pm_cell_double(s, 0, 8) == 1.5);
	pm_set_null(s, 0, 1);
	assert_string_equal(text(s, 1, 1), "\xe2\x80\x94");
	pm_set_null(s, 0, 0);
	assert_string_equal(text(s, 0, 0), "");
	pm_report_free(r);
}

static void test_masks(void **state)
{
	char out[64];

	pm_name_mask("张伟", out, sizeof out);
	assert_string_equal(out, "张*");
	pm_name_mask("欧阳娜娜", out, sizeof out);
	assert_string_equal(out, "欧***");
	pm_name_mask("张", out, sizeof out);
	assert_string_equal(out, "张*");
	pm_name_mask("", out, sizeof out);
	assert_string_equal(out, "");
	pm_name_mask("Li Na", out, 4);
	assert_string_equal(out, "L**");
}

static void test_order(void **state)
{
	struct pm_report *r = report();
	struct pm_section *s = &r->sec[0];
	static const char *const codes[] = {"10-1-101", "2-1-1101", "2-1-901", "1-1-101", "B-1-1", "2-10-101"};
	static const char *const sorted[] = {"1-1-101", "2-1-901", "2-1-1101", "2-10-101", "10-1-101", "B-1-1"};
	long row;

	assert_true(pm_natcmp("3-2-901", "3-2-1101") < 0);
	assert_true(pm_natcmp("007", "7") == 0);
	assert_true(pm_natcmp("a10", "a9") > 0);
	assert_true(pm_natcmp("", "a") < 0);
	pm_set_text(s, 0, 0, codes[0]);
	for (size_t i = 1; i < sizeof codes / sizeof *codes; i++) {
		assert_true((row = pm_row_add(s)) >= 0);
		assert_int_equal(pm_set_text(s, (size_t)row, 0, codes[i]), 0);
		pm_set_int(s, (size_t)row, 1, (int64_t)i);
	}
	pm_set_int(s, 0, 1, 0);
	assert_int_equal(pm_rows_sort(s, 0, s->nrows, 0, 1), 0);
	for (size_t i = 0; i < s->nrows; i++)
		assert_string_equal(pm_cell_text(s, i, 0, 0, NULL, 0), sorted[i]);
	assert_int_equal(pm_rows_sort(s, 0, s->nrows, 1, 0), 0);
	assert_int_equal(pm_cell_v(s, 0, 1), 5);
	assert_int_equal(pm_cell_v(s, s->nrows - 1, 1), 0);
	pm_report_free(r);
}

/* What pm_render writes for r in fmt. */
static char *rendered(const struct pm_report *r, enum pm_render_format fmt, const struct pm_render_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	struct pm_err e = {0};
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(pm_render(r, fmt, o, f, &e), PM_OK);
	fclose(f);
	return buf;
}

static void test_csv(void **state)
{
	struct pm_report *r = report();
	struct pm_section *s = &r->sec[0];
	struct pm_render_opts o = {.bom = 1};
	char *out;

	pm_set_text(s, 0, 0, "=1+2,\"x\"");
	pm_set_int(s, 0, 2, 150);
	out = rendered(r, PM_RENDER_CSV, &o);
	assert_string_equal(out, "\xef\xbb\xbfname,n,amount_fen,kwh,rate_pct,change_pct,stars,per_unit,wait_s\r\n"
				 "\"'=1+2,\"\"x\"\"\",\xe2\x80\x94,150,\xe2\x80\x94,\xe2\x80\x94,\xe2\x80\x94,"
				 "\xe2\x80\x94,\xe2\x80\x94,\xe2\x80\x94\r\n");
	free(out);
	pm_set_text(s, 0, 0, "a\tb\nc");
	out = rendered(r, PM_RENDER_TSV, NULL);
	assert_non_null(strstr(out, "\na b c\t"));
	free(out);
	out = rendered(r, PM_RENDER_JSONL, NULL);
	assert_string_equal(out, "{\"type\":\"test\",\"section\":\"one\",\"name\":\"a\\tb\\nc\",\"n\":null,\"amount_fen\":150,"
				 "\"kwh\":null,\"rate_pct\":null,\"change_pct\":null,\"stars\":null,\"per_unit\":null,"
				 "\"wait_s\":null}\n");
	free(out);
	pm_report_free(r);
}

static void test_table(void **state)
{
	struct pm_report *r = report();
	struct pm_section *s = &r->sec[0];
	char *out;
	long row;

	s->ncols = 3;
	pm_set_text(s, 0, 0, "张伟");
	pm_set_int(s, 0, 1, 5);
	pm_set_int(s, 0, 2, 123456);
	assert_true((row = pm_row_add(s)) == 1);
	pm_set_text(s, 1, 0, "total");
	pm_set_int(s, 1, 1, 15);
	pm_set_int(s, 1, 2, 100);
	s->total = 1;
	out = rendered(r, PM_RENDER_TABLE, NULL);
	assert_string_equal(out, "Test \xe2\x80\x94 测试小区 \xe2\x80\x94 2026-11\n\nOne\n"
				 "name   count     amount\n"
				 "张伟       5  \xc2\xa5" "1,234.56\n"
				 "total     15      \xc2\xa5" "1.00\n");
	free(out);
	pm_report_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_masks),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
