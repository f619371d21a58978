#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "pm/vote.h"

#define N_OF(a) (sizeof (a) / sizeof (a)[0])
#define Y PM_CHOICE_YES
#define N PM_CHOICE_NO
#define A PM_CHOICE_ABSTAIN
#define NONE PM_CHOICE_NONE

/* The law's defaults. */
static const struct pm_ratio two_thirds = {2, 3, 0}, over_half = {1, 2, 1}, three_quarters = {3, 4, 0};

static struct pm_tally count(const struct pm_vote_unit *u, size_t n, const struct pm_ratio *pass)
{
	struct pm_tally t;
	struct pm_err e;

	assert_int_equal(pm_vote_count(u, n, &two_thirds, pass, &t, &e), PM_OK);
	return t;
}

static void test_ratio_parse(void **state)
{
	struct pm_ratio r;
	struct pm_err e;
	char buf[64];

	assert_int_equal(pm_ratio_parse("at least 2/3", &r, &e), PM_OK);
	assert_int_equal(r.num, 2);
	assert_int_equal(r.den, 3);
	assert_int_equal(r.over, 0);
	assert_int_equal(pm_ratio_parse("more than 1/2", &r, &e), PM_OK);
	assert_int_equal(r.over, 1);
	assert_string_equal(pm_ratio_fmt(&r, buf, sizeof buf), "more than 1/2");
	assert_int_equal(pm_ratio_parse("at least 1/1", &r, &e), PM_OK);
	static const char *const bad[] = {"2/3", "at least 0/3", "at least 4/3", "more than 1/1", "at least 2/",
					  "at least /3", "at least 2/3 ", "at least 1/1001", "at least -1/2",
					  "at least 99999/100000", "most 1/2", ""};
	for (size_t i = 0; i < N_OF(bad); i++) {
		assert_int_equal(pm_ratio_parse(bad[i], &r, &e), PM_ECONFIG);
		assert_non_null(strstr(e.msg, "expected \"at least N/D\" or \"more than N/D\""));
	}
}

static void test_ratio_met_exact(void **state)
{
	/* "At least" includes the number itself, "more than" does not
	 * (Civil Code art. 1259). */
	assert_true(pm_ratio_met(&two_thirds, 2, 3));
	assert_false(pm_ratio_met(&two_thirds, 199999, 300000));
	assert_true(pm_ratio_met(&three_quarters, 3, 4));
	assert_false(pm_ratio_met(&over_half, 1, 2));
	assert_true(pm_ratio_met(&over_half, 50001, 100000));
	assert_false(pm_ratio_met(&over_half, 0, 0));
	assert_false(pm_ratio_met(&two_thirds, 0, 0));
	/* No product overflows, however large the areas. */
	assert_true(pm_ratio_met(&two_thirds, INT64_MAX, INT64_MAX));
	assert_false(pm_ratio_met(&three_quarters, INT64_MAX / 4 * 3 - 1, INT64_MAX / 4 * 4));
	assert_true(pm_ratio_met(&three_quarters, INT64_MAX / 4 * 3, INT64_MAX / 4 * 4));
}

/* Owners holding two thirds of the area take part, but only one owner of
 * three: participation by area is reached (at least, inclusive), by head
 * it is not, and the vote fails though everyone taking part agreed. */
static void test_participation_area_not_heads(void **state)
{
	const struct pm_vote_unit u[] = {{20000, 1, Y, 0}, {5000, 2, NONE, 0}, {5000, 3, NONE, 0}};
	struct pm_tally t = count(u, N_OF(u), &over_half);

	assert_int_equal(t.total.area, 30000);
	assert_int_equal(t.total.owners, 3);
	assert_int_equal(t.voted.area, 20000);
	assert_int_equal(t.voted.owners, 1);
	assert_true(t.turnout_area);
	assert_false(t.turnout_owners);
	assert_true(t.pass_area && t.pass_owners);
	assert_false(t.passed);
}

/* More than half is strict: everyone takes part, yes holds 250 of 400 m²
 * but exactly two owners of four. */
static void test_exactly_half_fails(void **state)
{
	const struct pm_vote_unit u[] = {{15000, 1, Y, 0}, {10000, 2, Y, 0}, {7500, 3, N, 0}, {7500, 4, A, 0}};
	struct pm_tally t = count(u, N_OF(u), &over_half);

	assert_true(t.turnout_area && t.turnout_owners);
	assert_int_equal(t.option[0].area, 25000);
	assert_int_equal(t.option[0].owners, 2);
	assert_int_equal(t.option[1].owners, 1);
	assert_int_equal(t.abstain.owners, 1);
	assert_int_equal(t.abstain.area, 7500);
	assert_true(t.pass_area);
	assert_false(t.pass_owners);
	assert_false(t.passed);
}

/* Raising the maintenance fund at exactly three quarters of the
 * participating area and owners: at least is inclusive, it passes. */
static void test_fund_at_three_quarters_passes(void **state)
{
	const struct pm_vote_unit u[] = {{10000, 1, Y, 0}, {10000, 2, Y, 0}, {10000, 3, Y, 0}, {10000, 4, N, 0},
					 {9000, 5, NONE, 0}};
	struct pm_tally t = count(u, N_OF(u), &three_quarters);

	assert_int_equal(t.voted.area, 40000);
	assert_int_equal(t.voted.owners, 4);
	assert_true(t.turnout_area && t.turnout_owners);
	assert_int_equal(t.option[0].area, 30000);
	assert_int_equal(t.option[0].owners, 3);
	assert_true(t.pass_area && t.pass_owners);
	assert_true(t.passed);
	/* One square metre of hundredths less of yes, and it fails. */
	struct pm_vote_unit v[N_OF(u)];
	memcpy(v, u, sizeof v);
	v[0].area = 9999;
	t = count(v, N_OF(v), &three_quarters);
	assert_false(t.pass_area);
	assert_true(t.pass_owners);
	assert_false(t.passed);
}

/* The developer's 40 unsold units are one owner (key 0) with all their
 * area; ten buyers one each. */
static void test_developer_counts_once(void **state)
{
	struct pm_vote_unit u[50];
	struct pm_tally t;

	for (int i = 0; i < 40; i++)
		u[i] = (struct pm_vote_unit){8000, 0, Y, 0};
	for (int i = 40; i < 50; i++)
		u[i] = (struct pm_vote_unit){10000, i, i < 44 ? Y : NONE, 0};
	t = count(u, N_OF(u), &over_half);
	assert_int_equal(t.total.owners, 11);
	assert_int_equal(t.total.area, 40 * 8000 + 10 * 10000);
	assert_int_equal(t.voted.owners, 5);
	assert_int_equal(t.voted.area, 40 * 8000 + 4 * 10000);
	/* 360,000 of 420,000 m² hundredths take part, but 5 of 11 owners. */
	assert_true(t.turnout_area);
	assert_false(t.turnout_owners);
	assert_false(t.passed);
}

/* One buyer of three units: counted once by head, with all three areas. */
static void test_buyer_of_three(void **state)
{
	const struct pm_vote_unit u[] = {{9000, 7, Y, 0}, {6000, 7, Y, 0}, {3000, 7, Y, 0}, {9000, 8, N, 0}, {9000, 9, N, 0}};
	struct pm_tally t = count(u, N_OF(u), &over_half);

	assert_int_equal(t.total.owners, 3);
	assert_int_equal(t.voted.owners, 3);
	assert_int_equal(t.option[0].owners, 1);
	assert_int_equal(t.option[0].area, 18000);
	assert_int_equal(t.option[1].owners, 2);
	assert_int_equal(t.option[1].area, 18000);
	/* 18,000 of 36,000 by area is exactly half: not more than half. */
	assert_false(t.pass_area);
	assert_false(t.pass_owners);
	assert_false(t.passed);
}

/* An owner whose ballots disagree takes part, by area each unit for its
 * own choice, by head for none of them. */
static void test_split_owner(void **state)
{
	const struct pm_vote_unit u[] = {{5000, 3, Y, 0}, {5000, 3, N, 0}, {5000, 3, NONE, 0}, {5000, 4, Y, 0}};
	struct pm_tally t = count(u, N_OF(u), &over_half);

	assert_int_equal(t.total.owners, 2);
	assert_int_equal(t.voted.owners, 2);
	assert_int_equal(t.voted.area, 15000);
	assert_int_equal(t.split, 1);
	assert_int_equal(t.option[0].owners, 1);
	assert_int_equal(t.option[1].owners, 0);
	assert_int_equal(t.option[0].area, 10000);
	assert_int_equal(t.option[1].area, 5000);
	assert_false(t.pass_owners); /* 1 of 2 is not more than half */
}

static void test_nothing_to_count(void **state)
{
	struct pm_tally t = count(NULL, 0, &over_half);

	assert_int_equal(t.total.owners, 0);
	assert_false(t.turnout_area || t.turnout_owners || t.pass_area || t.pass_owners || t.passed);
}

/* A small generator of its own, so that a failure can be run again. */
static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* u[0..n) in a random order (Fisher-Yates). */
static void shuffle(struct pm_vote_unit *u, size_t n, uint64_t *s)
{
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = next(s) % (i + 1);
		struct pm_vote_unit x = u[i];
		u[i] = u[j];
		u[j] = x;
	}
}

/* The tally never depends on the order of the ballots: random
 * communities, each counted in many shuffled orders. */
static void test_order_does_not_matter(void **state)
{
	static const struct pm_ratio *const rules[] = {&over_half, &three_quarters};
	struct pm_vote_unit u[200];
	struct pm_tally first, t;
	struct pm_err e;
	uint64_t s = 0x9e3779b97f4a7c15u;

	for (int round = 0; round < 200; round++) {
		size_t n = 1 + next(&s) % N_OF(u);
		int owners = 1 + (int)(next(&s) % n);
		const struct pm_ratio *pass = rules[round % 2];

		for (size_t i = 0; i < n; i++)
			u[i] = (struct pm_vote_unit){(int64_t)(next(&s) % 30000), (int64_t)(next(&s) % (uint64_t)owners),
						     (enum pm_choice)(next(&s) % 4), 0};
		assert_int_equal(pm_vote_count(u, n, &two_thirds, pass, &first, &e), PM_OK);
		for (int k = 0; k < 50; k++) {
			shuffle(u, n, &s);
			assert_int_equal(pm_vote_count(u, n, &two_thirds, pass, &t, &e), PM_OK);
			assert_memory_equal(&t, &first, sizeof t);
		}
		assert_int_equal(first.voted.area, first.option[0].area + first.option[1].area + first.abstain.area);
		assert_int_equal(first.voted.owners, first.option[0].owners + first.option[1].owners + first.abstain.owners + first.split);
	}
}

/* Options: bit masks of A, B, C, D. */
#define OA 1u
#define OB 2u
#define OC 4u
#define OD 8u
#define FOR PM_CHOICE_FOR

static struct pm_tally count_options(const struct pm_vote_unit *u, size_t n, size_t noptions, int seats,
				     const struct pm_ratio *pass)
{
	struct pm_tally t;
	struct pm_err e;

	assert_int_equal(pm_vote_count_options(u, n, noptions, seats, &two_thirds, pass, &t, &e), PM_OK);
	return t;
}

/* Option i's area and owners in t, and what became of it. */
static void expect_option(const struct pm_tally *t, size_t i, int64_t area, int64_t owners, int pick)
{
	assert_int_equal(t->option[i].area, area);
	assert_int_equal(t->option[i].owners, owners);
	assert_int_equal(t->pick[i], pick);
}

/* One seat, three options: A with two of three ballots is chosen, B with
 * one of three fails, C with none; the fourth owner stays away. */
static void test_options_one_chosen(void **state)
{
	const struct pm_vote_unit u[] = {{10000, 1, FOR, OA}, {10000, 2, FOR, OA}, {10000, 3, FOR, OB},
					 {10000, 4, NONE, 0}};
	struct pm_tally t = count_options(u, N_OF(u), 3, 1, &over_half);

	(void)state;
	assert_true(t.turnout_area && t.turnout_owners && t.passed);
	expect_option(&t, 0, 20000, 2, PM_PICK_CHOSEN);
	expect_option(&t, 1, 10000, 1, PM_PICK_FAILED);
	expect_option(&t, 2, 0, 0, PM_PICK_FAILED);
}

/* Two seats, seven owners of 100 m²: A on five ballots, B and C on four
 * each. All reach more than half; A takes the first seat, B and C are
 * equal on both measures for the second: tied, neither chosen. */
static void test_options_tie_for_last_seat(void **state)
{
	const struct pm_vote_unit u[] = {{10000, 1, FOR, OA | OB}, {10000, 2, FOR, OA | OB}, {10000, 3, FOR, OA | OC},
					 {10000, 4, FOR, OA | OC}, {10000, 5, FOR, OB | OC}, {10000, 6, FOR, OB | OC},
					 {10000, 7, FOR, OA}};
	struct pm_tally t = count_options(u, N_OF(u), 3, 2, &over_half);

	(void)state;
	expect_option(&t, 0, 50000, 5, PM_PICK_CHOSEN);
	expect_option(&t, 1, 40000, 4, PM_PICK_TIED);
	expect_option(&t, 2, 40000, 4, PM_PICK_TIED);
	assert_true(t.chosen == 1 && t.tied == 2);
}

/* Ranked by area before owners: C has 800 of 1,000 m² and 3 of 5
 * owners, D 700 m² and 4 owners; both more than half, and with one seat
 * C is chosen and D outranked. (The count takes ballots as they are;
 * pm_ballot_cast keeps them to the seats.) */
static void test_options_ranked_by_area(void **state)
{
	const struct pm_vote_unit u[] = {{40000, 1, FOR, OC | OD}, {10000, 2, FOR, OD}, {10000, 3, FOR, OD},
					 {30000, 4, FOR, OC}, {10000, 5, FOR, OC | OD}};
	struct pm_tally t = count_options(u, N_OF(u), 4, 1, &over_half);

	(void)state;
	expect_option(&t, 2, 80000, 3, PM_PICK_CHOSEN);
	expect_option(&t, 3, 70000, 4, PM_PICK_OUTRANKED);
	assert_true(t.chosen == 1 && t.passed);
}

/* An owner of two units whose ballots name A, and A and B: by area each
 * unit counts for what it names; by head the owner counts for A only and
 * is split. */
static void test_options_owner_of_two(void **state)
{
	const struct pm_vote_unit u[] = {{10000, 7, FOR, OA}, {5000, 7, FOR, OA | OB}, {10000, 8, A, 0}};
	struct pm_tally t = count_options(u, N_OF(u), 2, 2, &over_half);

	(void)state;
	assert_int_equal(t.option[0].area, 15000);
	assert_int_equal(t.option[1].area, 5000);
	assert_int_equal(t.option[0].owners, 1);
	assert_int_equal(t.option[1].owners, 0);
	assert_int_equal(t.split, 1);
	assert_int_equal(t.abstain.owners, 1);
	assert_int_equal(t.abstain.area, 10000);
	assert_int_equal(t.voted.owners, 2);
}

static void test_options_refused(void **state)
{
	struct pm_tally t;
	struct pm_err e;

	(void)state;
	assert_int_equal(pm_vote_count_options(NULL, 0, 1, 1, &two_thirds, &over_half, &t, &e), PM_EDATA);
	assert_int_equal(pm_vote_count_options(NULL, 0, 3, 4, &two_thirds, &over_half, &t, &e), PM_EDATA);
	assert_int_equal(pm_vote_count_options(NULL, 0, 65, 1, &two_thirds, &over_half, &t, &e), PM_EDATA);
}

/* The tally of a vote with options never depends on the order either. */
static void test_options_order_does_not_matter(void **state)
{
	struct pm_vote_unit u[120];
	struct pm_tally first, t;
	struct pm_err e;
	uint64_t s = 0x2545f4914f6cdd1du;

	(void)state;
	for (int round = 0; round < 100; round++) {
		size_t n = 1 + next(&s) % N_OF(u);
		int owners = 1 + (int)(next(&s) % n), seats = 1 + (int)(next(&s) % 3);

		for (size_t i = 0; i < n; i++) {
			uint64_t k = next(&s) % 8;
			u[i] = (struct pm_vote_unit){(int64_t)(next(&s) % 30000), (int64_t)(next(&s) % (uint64_t)owners),
						     k == 0 ? NONE : k == 1 ? A : FOR, k > 1 ? 1 + next(&s) % 31 : 0};
		}
		assert_int_equal(pm_vote_count_options(u, n, 5, seats, &two_thirds, &over_half, &first, &e), PM_OK);
		for (int r = 0; r < 30; r++) {
			shuffle(u, n, &s);
			assert_int_equal(pm_vote_count_options(u, n, 5, seats, &two_thirds, &over_half, &t, &e), PM_OK);
			assert_memory_equal(&t, &first, sizeof t);
		}
		assert_true(first.chosen <= seats);
	}
}

static void test_choice_names(void **state)
{
	enum pm_choice c;
	struct pm_err e;

	assert_int_equal(pm_choice_parse("abstain", &c, &e), PM_OK);
	assert_int_equal(c, PM_CHOICE_ABSTAIN);
	assert_string_equal(pm_choice_name(PM_CHOICE_YES), "yes");
	assert_int_equal(pm_choice_parse("maybe", &c, &e), PM_EUSAGE);
	assert_string_equal(e.msg, "unknown choice 'maybe': expected yes, no or abstain");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ratio_parse),
		cmocka_unit_test(test_ratio_met_exact),
		cmocka_unit_test(test_participation_area_not_heads),
		cmocka_unit_test(test_exactly_half_fails),
		cmocka_unit_test(test_fund_at_three_quarters_passes),
		cmocka_unit_test(test_developer_counts_once),
		cmocka_unit_test(test_buyer_of_three),
		cmocka_unit_test(test_split_owner),
		cmocka_unit_test(test_nothing_to_count),
		cmocka_unit_test(test_order_does_not_matter),
		cmocka_unit_test(test_options_one_chosen),
		cmocka_unit_test(test_options_tie_for_last_seat),
		cmocka_unit_test(test_options_ranked_by_area),
		cmocka_unit_test(test_options_owner_of_two),
		cmocka_unit_test(test_options_refused),
		cmocka_unit_test(test_options_order_does_not_matter),
		cmocka_unit_test(test_choice_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
