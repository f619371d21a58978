/* The ledger: an entry that balances is written with its postings, merged
 * by account with the zero ones left out; one that does not is refused
 * and writes nothing; balances are the sums of postings. */
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "pm/ledger.h"
#include "tstore.h"

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

static int setup(void **state)
{
	/* 2026-12-01T01:00:00Z: the journal's ts */
	setenv("PM_NOW", "2026-12-01T09:00:00+08:00", 1);
	return tstore_setup(state);
}

/* Posts inside a transaction that commits whatever the outcome, so what
 * a refused entry leaves behind would be seen. */
static int post(struct pm_db *db, const char *kind, const char *ref, const char *memo,
		const struct pm_posting *p, size_t n, int64_t *id, struct pm_err *e)
{
	struct pm_err ce = {0};
	int rc;

	assert_int_equal(pm_db_begin(db, &ce), PM_OK);
	rc = pm_ledger_post(db, kind, ref, memo, p, n, id, e);
	assert_int_equal(pm_db_commit(db, &ce), PM_OK);
	return rc;
}

static int64_t balance(struct pm_db *db, const char *account)
{
	struct pm_err e = {0};
	int64_t fen = -999999;

	assert_int_equal(pm_ledger_balance(db, account, &fen, &e), PM_OK);
	return fen;
}

static void test_posting_names(void **state)
{
	struct pm_posting p;
	char name[200];

	(void)state;
	pm_posting_set(&p, "receivable", "3-2-1101", 22300);
	assert_string_equal(p.account, "receivable:3-2-1101");
	assert_int_equal(p.amount, 22300);
	pm_posting_set(&p, "cash", "wechat", -5000);
	assert_string_equal(p.account, "cash:wechat");
	assert_int_equal(p.amount, -5000);
	/* No name: the prefix is the whole account. */
	pm_posting_set(&p, "discount", NULL, 1050);
	assert_string_equal(p.account, "discount");
	assert_int_equal(p.amount, 1050);
	/* A name too long for the account is cut, never written past it. */
	memset(name, 'x', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	pm_posting_set(&p, "prepaid", name, 1);
	assert_int_equal(strlen(p.account), PM_ACCOUNT_MAX - 1);
	assert_memory_equal(p.account, "prepaid:xxx", 11);
	/* Cut where snprintf("%s:%s") cuts: a prefix that fills the account
	 * leaves no room for the colon, one a byte shorter only for it. */
	name[PM_ACCOUNT_MAX - 1] = '\0';
	pm_posting_set(&p, name, "wechat", 2);
	assert_string_equal(p.account, name);
	name[PM_ACCOUNT_MAX - 2] = '\0';
	pm_posting_set(&p, name, "wechat", 3);
	assert_int_equal(strlen(p.account), PM_ACCOUNT_MAX - 1);
	assert_memory_equal(p.account, name, PM_ACCOUNT_MAX - 2);
	assert_int_equal(p.account[PM_ACCOUNT_MAX - 2], ':');
	assert_int_equal(p.amount, 3);
}

/* A bill's issue: the receivable debited, revenue per fee credited. */
static void test_post_balanced(void **state)
{
	struct tstore *t = T(state);
	struct pm_posting p[4];
	struct pm_err e = {0};
	int64_t id = 0;

	pm_posting_set(&p[0], "receivable", "1-1-101", 22300);
	pm_posting_set(&p[1], "revenue", "property", -20000);
	pm_posting_set(&p[2], "revenue", "garbage", -1500);
	pm_posting_set(&p[3], "revenue", "tv", -800);
	assert_int_equal(post(t->db, "issue", "bill:B-2026-11-1-1-101", NULL, p, N_OF(p), &id, &e), PM_OK);
	assert_int_equal(id, 1);
	assert_string_equal(tstore_sql(t->db, "SELECT id || '|' || ts || '|' || kind || '|' || ref || '|'"
					      " || coalesce(memo, 'NULL') FROM journal"),
			    "1|1796086800|issue|bill:B-2026-11-1-1-101|NULL");
	assert_string_equal(tstore_sql(t->db, "SELECT group_concat(journal_id || ' ' || account || ' ' || amount_fen, ', ')"
					      " FROM (SELECT * FROM posting ORDER BY journal_id, account)"),
			    "1 receivable:1-1-101 22300, 1 revenue:garbage -1500, 1 revenue:property -20000,"
			    " 1 revenue:tv -800");

	/* A payment of 100.00 of which 77.00 was owed: the rest prepaid. */
	pm_posting_set(&p[0], "cash", "wechat", 10000);
	pm_posting_set(&p[1], "receivable", "1-1-101", -7700);
	pm_posting_set(&p[2], "prepaid", "1-1-101", -2300);
	assert_int_equal(post(t->db, "payment", "payment:1", "W-1", p, 3, &id, &e), PM_OK);
	assert_int_equal(id, 2);
	assert_string_equal(tstore_sql(t->db, "SELECT memo FROM journal WHERE id = 2"), "W-1");
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM posting WHERE journal_id = 2"), "3");
	/* 22300 - 7700 */
	assert_int_equal(balance(t->db, "receivable:1-1-101"), 14600);
	assert_int_equal(balance(t->db, "prepaid:1-1-101"), -2300);
	assert_int_equal(balance(t->db, "cash:wechat"), 10000);
	assert_int_equal(balance(t->db, "revenue:property"), -20000);
	assert_int_equal(balance(t->db, "receivable:1-1-102"), 0);
	assert_string_equal(tstore_sql(t->db, "SELECT sum(amount_fen) FROM posting"), "0");
}

/* Postings to the same account are one posting; those that come to 0
 * are not written. */
static void test_post_merges(void **state)
{
	struct tstore *t = T(state);
	struct pm_posting p[7];
	struct pm_err e = {0};
	int64_t id = 0;

	pm_posting_set(&p[0], "receivable", "1-1-101", 10000);
	pm_posting_set(&p[1], "revenue", "water", -6000);
	pm_posting_set(&p[2], "discount", NULL, 0);
	pm_posting_set(&p[3], "receivable", "1-1-101", 5000);
	pm_posting_set(&p[4], "cash", "bank", 300);
	pm_posting_set(&p[5], "revenue", "water", -9000);
	pm_posting_set(&p[6], "cash", "bank", -300);
	assert_int_equal(post(t->db, "adjust", "bill:B-1", "merged", p, N_OF(p), &id, &e), PM_OK);
	/* 10000 + 5000 and -6000 - 9000: one row an account, the key being
	 * the entry and the account (0036) */
	assert_string_equal(tstore_sql(t->db, "SELECT group_concat(account || ' ' || amount_fen, ', ')"
					      " FROM (SELECT * FROM posting ORDER BY journal_id, account)"),
			    "receivable:1-1-101 15000, revenue:water -15000");
	assert_int_equal(balance(t->db, "cash:bank"), 0);
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM posting WHERE account IN ('discount', 'cash:bank')"),
			    "0");
}

/* An entry of more postings than one statement writes (lib/ledger.c
 * writes eight a statement): 20 postings, merged to 17 accounts, the
 * zero one left out, all under the one entry; then one of 9. */
static void test_post_many(void **state)
{
	struct tstore *t = T(state);
	struct pm_posting p[20];
	struct pm_err e = {0};
	char fee[16];
	int64_t id = 0;
	size_t n = 0;

	pm_posting_set(&p[n++], "receivable", "1-1-101", 13655);
	for (int k = 1; k <= 16; k++) {
		snprintf(fee, sizeof fee, "f%02d", k);
		pm_posting_set(&p[n++], "revenue", fee, -100 * k);
	}
	pm_posting_set(&p[n++], "revenue", "f05", -55);
	pm_posting_set(&p[n++], "cash", "bank", 300);
	pm_posting_set(&p[n++], "cash", "bank", -300);
	assert_int_equal(n, N_OF(p));
	assert_int_equal(post(t->db, "issue", "bill:B-1", NULL, p, n, &id, &e), PM_OK);
	assert_int_equal(id, 1);
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) || ' ' || sum(amount_fen) || ' ' || sum(abs(amount_fen))"
					      " FROM posting WHERE journal_id = 1"),
			    "17 0 27310");
	assert_int_equal(balance(t->db, "revenue:f05"), -555);
	assert_int_equal(balance(t->db, "revenue:f16"), -1600);
	assert_int_equal(balance(t->db, "receivable:1-1-101"), 13655);
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM posting WHERE account = 'cash:bank'"), "0");

	pm_posting_set(&p[0], "discount", NULL, 3600);
	assert_int_equal(post(t->db, "adjust", "bill:B-1", NULL, p, 9, &id, &e), PM_OK);
	assert_int_equal(id, 2);
	assert_string_equal(tstore_sql(t->db, "SELECT group_concat(account || ' ' || amount_fen, ', ')"
					      " FROM (SELECT * FROM posting WHERE journal_id = 2 ORDER BY account)"),
			    "discount 3600, revenue:f01 -100, revenue:f02 -200, revenue:f03 -300, revenue:f04 -400,"
			    " revenue:f05 -500, revenue:f06 -600, revenue:f07 -700, revenue:f08 -800");
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) || ' ' || sum(amount_fen) FROM posting"), "26 0");
}

/* An entry off by a fen is a bug in the caller: refused with the amount,
 * and neither the journal row nor any posting is written. */
static void test_post_unbalanced(void **state)
{
	struct tstore *t = T(state);
	struct pm_posting p[3];
	struct pm_err e = {0};
	int64_t id = -1;

	pm_posting_set(&p[0], "cash", "wechat", 10000);
	pm_posting_set(&p[1], "receivable", "1-1-101", -7700);
	pm_posting_set(&p[2], "prepaid", "1-1-101", -2299);
	assert_int_equal(post(t->db, "payment", "payment:7", "W-7", p, N_OF(p), &id, &e), PM_ESOFTWARE);
	assert_int_equal(e.code, PM_ESOFTWARE);
	assert_string_equal(e.msg, "journal entry 'payment' for 'payment:7' is off by 1 fen");
	assert_int_equal(id, -1);
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM journal"), "0");
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM posting"), "0");
	assert_int_equal(balance(t->db, "cash:wechat"), 0);

	/* Too much credit: off by a negative amount. */
	pm_posting_set(&p[2], "prepaid", "1-1-101", -2550);
	assert_int_equal(post(t->db, "payment", "payment:7", NULL, p, N_OF(p), &id, &e), PM_ESOFTWARE);
	assert_string_equal(e.msg, "journal entry 'payment' for 'payment:7' is off by -250 fen");
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM journal"), "0");

	/* A lone posting cannot balance. */
	assert_int_equal(post(t->db, "late_fee", "bill:B-1", NULL, p, 1, &id, &e), PM_ESOFTWARE);
	assert_string_equal(e.msg, "journal entry 'late_fee' for 'bill:B-1' is off by 10000 fen");
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM posting"), "0");

	/* Balanced, the same entry goes in as entry 1: nothing was used up. */
	pm_posting_set(&p[2], "prepaid", "1-1-101", -2300);
	assert_int_equal(post(t->db, "payment", "payment:7", NULL, p, N_OF(p), &id, &e), PM_OK);
	assert_int_equal(id, 1);
	assert_int_equal(balance(t->db, "prepaid:1-1-101"), -2300);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_posting_names),
		cmocka_unit_test_setup_teardown(test_post_balanced, setup, tstore_teardown),
		cmocka_unit_test_setup_teardown(test_post_merges, setup, tstore_teardown),
		cmocka_unit_test_setup_teardown(test_post_unbalanced, setup, tstore_teardown),
		cmocka_unit_test_setup_teardown(test_post_many, setup, tstore_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
