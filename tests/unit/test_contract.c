/* Contracts: periods from a first day (a month's end kept), charged once
 * each, a termination's credit by the largest remainder, payments up to
 * what is owed, renewals, and pm check's contract and common invariants,
 * on a store of tbill.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "pm/contract.h"
#include "tbill.h"

static int setup(void **state)
{
	return tbill_setup(state, NULL, 0);
}

static int64_t add(struct pm_db *db, const char *kind, const char *from, const char *to, int64_t fen,
		   const char *every)
{
	struct pm_contract_new c = {.party = "甲", .kind = kind, .object = "广告", .every = every,
				    .from = tbill_day(from), .to = tbill_day(to), .amount = fen};
	struct pm_err e = {0};
	json_t *out;
	int64_t id;

	if (pm_contract_add(db, &c, &out, &e))
		fail_msg("add: %s", e.msg);
	id = json_integer_value(json_object_get(out, "contract"));
	json_decref(out);
	return id;
}

static long run(struct pm_db *db, const char *as_of)
{
	struct pm_contract_run r = {.as_of = tbill_day(as_of)};
	struct pm_err e = {0};

	if (pm_contract_run(db, &r, &e))
		fail_msg("run: %s", e.msg);
	return r.charged;
}

/* Monthly from 31 January: the next periods start on 28 February (the
 * month's last day) and 31 March, each charged whole; the last, cut by the
 * term after 16 of its 30 days, is 31000 x 16/30 = 16533.33, the larger
 * remainder (14466.67) taking the fen left. */
static void test_month_ends(void **state)
{
	struct tstore *t = *state;

	add(t->db, "income", "2026-01-31", "2026-04-15", 31000, "month");
	assert_int_equal(run(t->db, "2026-12-31"), 3);
	assert_string_equal(tbill_str(t->db, "SELECT group_concat(period_start || '/' || period_end || '/' || days || '/'"
					      " || amount_fen, ' ') FROM contract_charge"),
			    "2026-01-31/2026-02-27/28/31000 2026-02-28/2026-03-30/31/31000 "
			    "2026-03-31/2026-04-29/16/16533");
	assert_int_equal(run(t->db, "2026-12-31"), 0);
}

/* A year's contract of 1000.00 ended after 100 of its 365 days: 273.97
 * kept, 726.03 credited (27397.26 and 72602.74: the larger remainder takes
 * the fen). */
static void test_terminate_largest_remainder(void **state)
{
	struct tstore *t = *state;
	struct pm_err e = {0};
	json_t *out;
	int64_t id = add(t->db, "expense", "2026-01-01", "2026-12-31", 100000, "year");

	assert_int_equal(run(t->db, "2026-01-01"), 1);
	assert_int_equal(pm_contract_terminate(t->db, id, tbill_day("2026-04-10"), "换供应商", &out, &e), PM_OK);
	assert_int_equal(json_integer_value(json_object_get(out, "charged_fen")), 27397);
	json_decref(out);
	assert_int_equal(tbill_int(t->db, "SELECT amount_fen FROM contract_charge WHERE kind = 'credit'"), -72603);
	assert_int_equal(tbill_balance(t->db, "common", "expense"), 27397);
	assert_int_equal(tbill_balance(t->db, "contract", "1"), -27397);
	/* Paying the supplier more than it is owed is refused; what it is owed
	 * is accepted and leaves nothing. */
	assert_int_equal(pm_contract_pay(t->db, id, 27398, "bank", NULL, 0, &out, &e), PM_EDATA);
	assert_int_equal(pm_contract_pay(t->db, id, 27397, "bank", "B1", 0, &out, &e), PM_OK);
	assert_int_equal(json_integer_value(json_object_get(out, "balance_fen")), 0);
	json_decref(out);
	assert_int_equal(tbill_balance(t->db, "cash", "bank"), -27397);
	assert_int_equal(pm_contract_terminate(t->db, id, tbill_day("2026-04-11"), "x", &out, &e), PM_EDATA);
	assert_int_equal(run(t->db, "2027-06-01"), 0);
	tbill_check(t->db);
}

/* Terminated before a period is charged: the run charges its share only. */
static void test_terminate_before_charge(void **state)
{
	struct tstore *t = *state;
	struct pm_err e = {0};
	json_t *out;
	int64_t id = add(t->db, "income", "2026-01-01", "2026-12-31", 90000, "quarter");

	assert_int_equal(pm_contract_terminate(t->db, id, tbill_day("2026-01-30"), "退租", &out, &e), PM_OK);
	json_decref(out);
	assert_int_equal(run(t->db, "2026-12-31"), 1);
	assert_int_equal(tbill_int(t->db, "SELECT amount_fen FROM contract_charge"), 30000);
	assert_int_equal(tbill_int(t->db, "SELECT count(*) FROM contract_charge WHERE kind = 'credit'"), 0);
	tbill_check(t->db);
}

static void test_renew_and_check(void **state)
{
	struct tstore *t = *state;
	struct pm_contract_new bad = {.party = "甲", .kind = "income", .object = "x", .every = "week",
				      .from = 0, .to = 1, .amount = 1};
	struct pm_err e = {0};
	json_t *out;
	int64_t id = add(t->db, "income", "2026-01-01", "2026-06-30", 50000, "month");

	assert_int_equal(pm_contract_check(&bad, &e), PM_EUSAGE);
	assert_string_equal(e.msg, "--every: expected month, quarter or year, not 'week'");
	assert_int_equal(pm_contract_renew(t->db, id, tbill_day("2026-06-30"), 0, &out, &e), PM_EUSAGE);
	assert_int_equal(pm_contract_renew(t->db, id, tbill_day("2026-12-31"), 0, &out, &e), PM_OK);
	assert_string_equal(json_string_value(json_object_get(out, "from")), "2026-07-01");
	assert_int_equal(json_integer_value(json_object_get(out, "amount_fen")), 50000);
	json_decref(out);
	assert_int_equal(pm_contract_renew(t->db, id, tbill_day("2027-12-31"), 0, &out, &e), PM_EDATA);
	assert_string_equal(e.msg, "contract 1 is renewed already");
	assert_int_equal(run(t->db, "2026-12-31"), 12);
	assert_int_equal(tbill_balance(t->db, "common", "income"), -600000);
	tbill_check(t->db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_month_ends, setup, tstore_teardown),
		cmocka_unit_test_setup_teardown(test_terminate_largest_remainder, setup, tstore_teardown),
		cmocka_unit_test_setup_teardown(test_terminate_before_charge, setup, tstore_teardown),
		cmocka_unit_test_setup_teardown(test_renew_and_check, setup, tstore_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
