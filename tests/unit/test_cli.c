#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pm/cli.h"
#include "pm/table.h"

static void test_width(void **state)
{
	static const struct {
		const char *s;
		int w;
	} cases[] = {
		{"", 0},
		{"abc", 3},
		{"1-1-0101", 8},
		{"张伟", 4},
		{"欧阳娜娜", 8},
		{"3号楼A", 6},
		{"幸福里小区 3-2-1101", 19},
		{"¥1,234.50", 9},         /* U+00A5 YEN SIGN: one column */
		{"￥1,234.50", 10},        /* U+FFE5 FULLWIDTH YEN SIGN: two */
		{"１２３", 6},             /* fullwidth digits */
		{"ｶﾀｶﾅ", 4},              /* halfwidth katakana: one each */
		{"，。、", 6},             /* CJK punctuation */
		{"한국", 4},
		{"𠀀", 2},                 /* U+20000, a CJK extension B ideograph */
		{"e\xcc\x81", 1},          /* e + combining acute */
		{"a\xcc\x88\xcc\x81", 1},  /* two combining marks */
		{"\xcc\x81", 0},           /* a combining mark alone */
		{"Ångström", 8},
		{"\xe4\xb8", 1},           /* a cut sequence counts once, and stops at the end */
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		if (pm_table_width(cases[i].s) != cases[i].w)
			fail_msg("\"%s\": width %d, want %d", cases[i].s, pm_table_width(cases[i].s), cases[i].w);
}

/* stdout goes to a file between capture_start and capture_end. */
struct capture {
	char path[64];
	int saved;
};

static void capture_start(struct capture *c)
{
	int fd;

	snprintf(c->path, sizeof c->path, "/tmp/pm-unit-cli.XXXXXX");
	fd = mkstemp(c->path);
	assert_true(fd >= 0);
	fflush(stdout);
	c->saved = dup(STDOUT_FILENO);
	assert_true(c->saved >= 0);
	assert_int_equal(dup2(fd, STDOUT_FILENO), STDOUT_FILENO);
	close(fd);
}

static char *capture_end(struct capture *c)
{
	char *buf;
	FILE *f;
	long n;

	fflush(stdout);
	assert_int_equal(dup2(c->saved, STDOUT_FILENO), STDOUT_FILENO);
	close(c->saved);
	f = fopen(c->path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	unlink(c->path);
	return buf;
}

static const struct pm_prog prog = {"pm-test", "tests", NULL, NULL, NULL};

static const char *const bills[] = {
	"{\"type\":\"bill\",\"unit\":\"1-1-0101\",\"name\":\"张伟\",\"amount_fen\":123450,\"n\":3}",
	"{\"type\":\"bill\",\"unit\":\"10-2-1801\",\"name\":\"Li\",\"amount_fen\":-5,\"n\":12}",
	"{\"type\":\"bill\",\"unit\":\"2-1-0302\",\"name\":\"欧阳娜娜\",\"amount_fen\":100000000,\"n\":0}",
};

/* Prints records (JSON texts) in a format and returns what came out. */
static char *print(enum pm_format fmt, const char *const *recs, size_t n)
{
	struct pm_ctx c = {.prog = &prog, .format = fmt};
	struct capture cap;

	snprintf(c.path, sizeof c.path, "pm-test");
	capture_start(&cap);
	for (size_t i = 0; i < n; i++) {
		json_t *rec = json_loads(recs[i], JSON_PRESERVE_ORDER, NULL);
		assert_non_null(rec);
		assert_int_equal(pm_cli_out(&c, rec), PM_OK);
		json_decref(rec);
	}
	assert_int_equal(pm_cli_flush(&c), PM_OK);
	assert_null(c.rows);
	assert_null(c.cols);
	return capture_end(&cap);
}

static void test_table(void **state)
{
	char *out = print(PM_FMT_TABLE, bills, 3);

	/* Columns in the first record's order, "type" left out, _fen shown
	 * as yuan under a heading without _fen; text left-aligned, numbers
	 * and money right-aligned, all by display width; two spaces between
	 * columns and none after the last. */
	assert_string_equal(out,
		"unit       name      amount         n\n"
		"1-1-0101   张伟          ¥1,234.50   3\n"
		"10-2-1801  Li               -¥0.05  12\n"
		"2-1-0302   欧阳娜娜  ¥1,000,000.00   0\n");
	free(out);
}

static void test_table_empty_and_cells(void **state)
{
	static const char *const recs[] = {
		"{\"type\":\"x\",\"code\":\"A\",\"ok\":true,\"note\":null,\"extra\":{\"a\":1},\"list\":[1],\"fee_fen\":0}",
		"{\"type\":\"x\",\"code\":\"BB\",\"ok\":false,\"note\":\"备注\",\"more\":\"later\"}",
	};
	char *out = print(PM_FMT_TABLE, recs, 0);

	assert_string_equal(out, "");
	free(out);
	/* Nested records and lists of values show as compact JSON; null and
	 * absent are empty; a field only a later record has is a column too. */
	out = print(PM_FMT_TABLE, recs, 2);
	assert_string_equal(out,
		"code  ok     note  extra    list  fee    more\n"
		"A     true         {\"a\":1}  [1]   ¥0.00  \n"
		"BB    false  备注                        later\n");
	free(out);
}

/* A table's columns are every record's fields in the order first seen
 * (they were the first record's: pm-meter usage never showed
 * estimate_left when the first meter had none), and --columns may name
 * a field only a later record has; one no record has is refused. */
static void test_table_later_fields(void **state)
{
	static const char *const recs[] = {
		"{\"type\":\"usage\",\"meter\":\"A1\",\"usage\":\"30.000\"}",
		"{\"type\":\"usage\",\"meter\":\"W1\",\"usage\":\"0.000\",\"estimate_left\":\"25.000\"}",
		"{\"type\":\"usage\",\"kind\":\"water\",\"meter\":\"W2\",\"usage\":\"1.000\"}",
	};
	struct pm_ctx c = {.prog = &prog, .format = PM_FMT_TABLE, .columns = "meter,estimate_left"};
	struct capture cap;
	char *out = print(PM_FMT_TABLE, recs, 3);
	json_t *rec;

	assert_string_equal(out,
		"meter  usage   estimate_left  kind\n"
		"A1     30.000                 \n"
		"W1     0.000   25.000         \n"
		"W2     1.000                  water\n");
	free(out);
	snprintf(c.path, sizeof c.path, "pm-test");
	capture_start(&cap);
	for (size_t i = 0; i < 3; i++) {
		rec = json_loads(recs[i], 0, NULL);
		assert_int_equal(pm_cli_out(&c, rec), PM_OK);
		json_decref(rec);
	}
	assert_int_equal(pm_cli_flush(&c), PM_OK);
	out = capture_end(&cap);
	assert_string_equal(out, "meter  estimate_left\nA1     \nW1     25.000\nW2     \n");
	free(out);
	c.columns = "meter,estimate_lft";
	rec = json_loads(recs[1], 0, NULL);
	assert_int_equal(pm_cli_out(&c, rec), PM_OK);
	json_decref(rec);
	assert_int_equal(pm_cli_flush(&c), PM_EUSAGE);
	assert_null(c.rows);
}

/* A card's lists of records (a bill's lines) take their columns the same
 * way: a field of the second line alone is shown. */
static void test_card_list_later_fields(void **state)
{
	static const char *const card[] = {
		"{\"type\":\"bill\",\"bill\":\"B1\",\"lines\":[{\"seq\":1,\"fee\":\"water\"},"
		"{\"seq\":2,\"fee\":\"power\",\"note\":\"estimated\"}]}",
	};
	char *out = print(PM_FMT_TABLE, card, 1);

	assert_string_equal(out,
		"bill  B1\n"
		"\n"
		"lines\n"
		"seq  fee    note\n"
		"  1  water  \n"
		"  2  power  estimated\n");
	free(out);
}

static void test_csv_tsv(void **state)
{
	char *out = print(PM_FMT_CSV, bills, 3);

	/* Money stays integer fen under its own name. */
	assert_string_equal(out,
		"unit,name,amount_fen,n\n"
		"1-1-0101,张伟,123450,3\n"
		"10-2-1801,Li,-5,12\n"
		"2-1-0302,欧阳娜娜,100000000,0\n");
	free(out);
	out = print(PM_FMT_TSV, bills, 3);
	assert_string_equal(out,
		"unit\tname\tamount_fen\tn\n"
		"1-1-0101\t张伟\t123450\t3\n"
		"10-2-1801\tLi\t-5\t12\n"
		"2-1-0302\t欧阳娜娜\t100000000\t0\n");
	free(out);
}

static void test_csv_quoting(void **state)
{
	static const char *const recs[] = {
		"{\"type\":\"t\",\"a\":\"plain\",\"b\":\"x,y\",\"c\":\"say \\\"hi\\\"\",\"d\":\"two\\nlines\",\"e\":\"\",\"f\":null}",
		"{\"type\":\"t\",\"a\":\"cr\\r\",\"b\":\"\\\"\",\"c\":\"tab\\there\",\"d\":\"王 芳\",\"e\":true,\"f\":7}",
	};
	char *out = print(PM_FMT_CSV, recs, 2);

	assert_string_equal(out,
		"a,b,c,d,e,f\n"
		"plain,\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\",,\n"
		"\"cr\r\",\"\"\"\",tab\there,王 芳,true,7\n");
	free(out);
	/* TSV has no quoting: tabs and line breaks in a value become spaces. */
	out = print(PM_FMT_TSV, recs, 2);
	assert_string_equal(out,
		"a\tb\tc\td\te\tf\n"
		"plain\tx,y\tsay \"hi\"\ttwo lines\t\t\n"
		"cr \t\"\ttab here\t王 芳\ttrue\t7\n");
	free(out);
}

static void test_csv_header_names_columns(void **state)
{
	static const char *const recs[] = {"{\"type\":\"t\",\"a,b\":1,\"q\\\"\":2}"};
	char *out = print(PM_FMT_CSV, recs, 1);

	assert_string_equal(out, "\"a,b\",\"q\"\"\"\n1,2\n");
	free(out);
}

static int run_plain(struct pm_ctx *c, int argc, char **argv)
{
	return pm_cli_noopts(c, argc, argv) ? c->stop : PM_OK;
}

/* A subcommand's option that shadows a shared one is refused (a bug of
 * the program, exit 70), whatever the command line says. */
static void test_opts_clash(void **state)
{
	static const struct pm_opt fine[] = {{"file-format", 0x100, "FMT", "x"}, {NULL, 0, NULL, NULL}};
	static const struct pm_opt by_name[] = {{"format", 0x100, "FMT", "x"}, {NULL, 0, NULL, NULL}};
	static const struct pm_opt by_key[] = {{"quick", 'q', NULL, "x"}, {NULL, 0, NULL, NULL}};
	static const struct pm_cmd cmds[] = {
		{"fine", run_plain, NULL, "x", fine, NULL},
		{"name", run_plain, NULL, "x", by_name, NULL},
		{"key", run_plain, NULL, "x", by_key, NULL},
		{NULL, NULL, NULL, NULL, NULL, NULL},
	};
	static const struct pm_prog p = {"pm-test", "tests", cmds, NULL, NULL};
	char *fine_argv[] = {"pm-test", "fine", NULL}, *name_argv[] = {"pm-test", "name", NULL},
	     *key_argv[] = {"pm-test", "key", "--help", NULL};
	struct capture cap;
	char *out;

	capture_start(&cap);
	assert_int_equal(pm_cli_main(&p, 2, fine_argv), PM_OK);
	assert_int_equal(pm_cli_main(&p, 2, name_argv), PM_ESOFTWARE);
	assert_int_equal(pm_cli_main(&p, 3, key_argv), PM_ESOFTWARE);
	out = capture_end(&cap);
	assert_string_equal(out, "");
	free(out);
}

static void test_jsonl(void **state)
{
	char *out = print(PM_FMT_JSONL, bills, 2);

	assert_string_equal(out,
		"{\"type\":\"bill\",\"unit\":\"1-1-0101\",\"name\":\"张伟\",\"amount_fen\":123450,\"n\":3}\n"
		"{\"type\":\"bill\",\"unit\":\"10-2-1801\",\"name\":\"Li\",\"amount_fen\":-5,\"n\":12}\n");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_table_empty_and_cells),
		cmocka_unit_test(test_table_later_fields),
		cmocka_unit_test(test_card_list_later_fields),
		cmocka_unit_test(test_csv_tsv),
		cmocka_unit_test(test_csv_quoting),
		cmocka_unit_test(test_csv_header_names_columns),
		cmocka_unit_test(test_opts_clash),
		cmocka_unit_test(test_jsonl),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
