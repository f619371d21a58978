/* Deposits: movements on the liability account deposit:KIND:UNIT, never
 * more out than is held, idempotent with a ref, and pm check's
 * deposit.ledger, on a store of tbill.h with two units. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "pm/deposit.h"
#include "tbill.h"

static int setup(void **state)
{
	static const char *const units[] = {
		"{\"code\":\"1-1-101\",\"area\":\"100\",\"status\":\"occupied\"}",
		"{\"code\":\"1-1-102\",\"area\":\"80\",\"status\":\"occupied\"}",
	};

	return tbill_setup(state, units, sizeof units / sizeof *units);
}

static int move(struct pm_db *db, enum pm_deposit_action action, const char *kind, int64_t fen, const char *ref,
		json_t **out, struct pm_err *e)
{
	struct pm_deposit d = {.action = action, .unit = "1-1-101", .kind = kind, .amount = fen, .ref = ref,
			       .reason = "装修", .evidence = "R-1"};

	return pm_deposit_move(db, &d, out, e);
}

static int64_t held(struct pm_db *db, const char *kind)
{
	return -tbill_int(db, "SELECT sum(amount_fen) FROM posting WHERE account = 'deposit:%s:1-1-101'", kind);
}

static void no_check(void *ctx, const char *check, const char *problem)
{
	snprintf(ctx, 256, "%s: %s", check, problem);
}

static void test_take_refund_forfeit(void **state)
{
	struct tstore *t = *state;
	struct pm_err e = {0};
	char problem[256] = "";
	json_t *out;

	assert_int_equal(move(t->db, PM_DEPOSIT_TAKE, "renovation", 200000, "D1", &out, &e), PM_OK);
	assert_int_equal(json_integer_value(json_object_get(out, "held_fen")), 200000);
	assert_string_equal(json_string_value(json_object_get(out, "channel")), "cash");
	json_decref(out);
	assert_int_equal(held(t->db, "renovation"), 200000);
	/* 2000.00 held: 2000.01 out is refused, whatever the way. */
	assert_int_equal(move(t->db, PM_DEPOSIT_REFUND, "renovation", 200001, NULL, &out, &e), PM_EDATA);
	assert_null(out);
	assert_int_equal(move(t->db, PM_DEPOSIT_FORFEIT, "renovation", 200001, NULL, &out, &e), PM_EDATA);
	/* A kind holds only its own: nothing held as a key deposit. */
	assert_int_equal(move(t->db, PM_DEPOSIT_REFUND, "key", 1, NULL, &out, &e), PM_EDATA);
	assert_int_equal(move(t->db, PM_DEPOSIT_REFUND, "renovation", 180000, NULL, &out, &e), PM_OK);
	json_decref(out);
	assert_int_equal(move(t->db, PM_DEPOSIT_FORFEIT, "renovation", 20000, NULL, &out, &e), PM_OK);
	assert_int_equal(json_integer_value(json_object_get(out, "held_fen")), 0);
	json_decref(out);
	assert_int_equal(held(t->db, "renovation"), 0);
	assert_int_equal(tbill_int(t->db, "SELECT sum(amount_fen) FROM posting WHERE account = 'income:deposit'"), -20000);
	assert_int_equal(tbill_int(t->db, "SELECT sum(amount_fen) FROM posting WHERE account = 'cash:cash'"), 20000);
	assert_int_equal(pm_check_run(t->db, no_check, problem, &e), PM_OK);
	assert_string_equal(problem, "");
}

static void test_ref_idempotent(void **state)
{
	struct tstore *t = *state;
	struct pm_err e = {0};
	json_t *out;

	assert_int_equal(move(t->db, PM_DEPOSIT_TAKE, "card", 5000, "C1", &out, &e), PM_OK);
	json_decref(out);
	assert_int_equal(move(t->db, PM_DEPOSIT_TAKE, "card", 5000, "C1", &out, &e), PM_OK);
	assert_string_equal(json_string_value(json_object_get(out, "outcome")), "duplicate");
	json_decref(out);
	assert_int_equal(tbill_int(t->db, "SELECT count(*) FROM deposit"), 1);
	assert_int_equal(held(t->db, "card"), 5000);
	/* The ref of a take, given to a refund of the same amount. */
	assert_int_equal(move(t->db, PM_DEPOSIT_REFUND, "card", 5000, "C1", &out, &e), PM_EDATA);
	assert_non_null(strstr(e.msg, "deposit ref 'C1' is already a take of 50.00 (card)"));
	assert_int_equal(held(t->db, "card"), 5000);
}

static void test_bad_input(void **state)
{
	struct tstore *t = *state;
	struct pm_err e = {0};
	struct pm_deposit d = {.action = PM_DEPOSIT_TAKE, .unit = "1-1-101", .kind = "key", .amount = 100,
			       .reason = "钥匙", .evidence = ""};
	json_t *out;

	assert_int_equal(pm_deposit_move(t->db, &d, &out, &e), PM_EUSAGE);
	d.evidence = "K-1";
	d.kind = "piano";
	assert_int_equal(pm_deposit_move(t->db, &d, &out, &e), PM_EUSAGE);
	d.kind = "key";
	d.amount = 0;
	assert_int_equal(pm_deposit_move(t->db, &d, &out, &e), PM_EUSAGE);
	d.amount = 100;
	d.unit = "9-9-999";
	assert_int_equal(pm_deposit_move(t->db, &d, &out, &e), PM_EDATA);
	d.unit = "1-1-101";
	d.channel = "paypal";
	assert_int_equal(pm_deposit_move(t->db, &d, &out, &e), PM_EDATA);
	assert_int_equal(tbill_int(t->db, "SELECT count(*) FROM deposit"), 0);
	assert_int_equal(tbill_int(t->db, "SELECT count(*) FROM journal"), 0);
}

static void test_check_finds_an_edit(void **state)
{
	struct tstore *t = *state;
	struct pm_err e = {0};
	char problem[256] = "";
	json_t *out;

	assert_int_equal(move(t->db, PM_DEPOSIT_TAKE, "key", 2000, NULL, &out, &e), PM_OK);
	json_decref(out);
	tstore_sql(t->db, "UPDATE deposit SET amount_fen = 3000");
	assert_int_equal(pm_check_run(t->db, no_check, problem, &e), PM_EFAIL);
	assert_string_equal(problem, "deposit.ledger: deposit key of unit 1-1-101: movements hold 3000 fen, the ledger 2000 fen");
}

int main(void)
{
#define T_(f) cmocka_unit_test_setup_teardown(f, setup, tstore_teardown)
	const struct CMUnitTest tests[] = {
		T_(test_take_refund_forfeit),
		T_(test_ref_idempotent),
		T_(test_bad_input),
		T_(test_check_finds_an_edit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
