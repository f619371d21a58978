/* Bill runs, issue, notes and voids on a store billed by the
 * configuration of tbill.h, for November 2026 (30 days):
 *
 * 1-1-101 100 m² occupied: property 2.00 × 100 = 200.00, garbage 15.00,
 *         TV 8.00: 223.00
 * 1-1-102  80 m² vacant, half off: 2.00 × 80 × 50% = 80.00, + 15.00 +
 *         8.00: 103.00
 * 1-1-103  50 m² delivered on the 21st: 2.00 × 50 × 10 / 30 =
 *         33.333… → 33.33, + 15.00 + 8.00: 56.33
 * 1-1-104 delivered in January 2027: not billed
 * 2-1-101 45.67 m² commercial: 3.50 × 45.67 = 159.845 → 159.85, nothing
 *         else (garbage and TV are for residential units)
 * 2-1-102 a parking space: no fee item prices it, no bill
 * In all 223.00 + 103.00 + 56.33 + 159.85 = 542.18. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tbill.h"

#define B101 "B-2026-11-1-1-101"
#define B102 "B-2026-11-1-1-102"
#define B103 "B-2026-11-1-1-103"
#define B201 "B-2026-11-2-1-101"

static int setup(void **state)
{
	static const char *const units[] = {
		"{\"code\":\"1-1-101\",\"area\":\"100\",\"status\":\"occupied\"}",
		"{\"code\":\"1-1-102\",\"area\":\"80\",\"status\":\"vacant\"}",
		"{\"code\":\"1-1-103\",\"area\":\"50\",\"status\":\"occupied\",\"delivered\":\"2026-11-21\"}",
		"{\"code\":\"1-1-104\",\"area\":\"70\",\"status\":\"occupied\",\"delivered\":\"2027-01-10\"}",
		"{\"code\":\"2-1-101\",\"area\":\"45.67\",\"use\":\"commercial\",\"status\":\"occupied\"}",
		"{\"code\":\"2-1-102\",\"area\":\"12.5\",\"use\":\"parking\",\"status\":\"rented\"}",
	};

	return tbill_setup(state, units, sizeof units / sizeof *units);
}

/* A void's record says what was voided, and is there only when it was. */
static int void_bill(struct pm_db *db, const char *code, struct pm_err *e)
{
	json_t *out = NULL;
	int rc = pm_bill_void(db, code, "重复开单", &out, e);

	if (rc)
		assert_null(out);
	else
		assert_string_equal(json_string_value(json_object_get(out, "bill")), code);
	json_decref(out);
	return rc;
}

/* What a run told of each bill, one line each. */
struct told {
	char lines[8][160];
	int n;
};

static int tell(void *ctx, json_t *bill)
{
	struct told *t = ctx;

	assert_true(t->n < 8);
	snprintf(t->lines[t->n++], sizeof t->lines[0], "%s %s %lld %lld",
		 json_string_value(json_object_get(bill, "bill")), json_string_value(json_object_get(bill, "outcome")),
		 (long long)json_integer_value(json_object_get(bill, "total_fen")),
		 (long long)json_integer_value(json_object_get(bill, "lines")));
	return 0;
}

static struct pm_bill_run run_told(struct pm_db *db, int recompute, int dry_run, struct told *t)
{
	struct pm_bill_run r = {.period = tbill_period("2026-11"), .recompute = recompute, .dry_run = dry_run,
				.fn = tell, .ctx = t};
	struct pm_err e = {0};

	if (pm_bill_run(db, &r, &e))
		fail_msg("run: %s", e.msg);
	return r;
}

/* A bill's lines as "seq fee label amount quantity", from pm_bill_get. */
static const char *bill_lines(struct pm_db *db, const char *code)
{
	static char buf[1024];
	struct pm_err e = {0};
	json_t *bill, *l;
	size_t i, n = 0;

	if (pm_bill_get(db, code, &bill, &e))
		fail_msg("%s: %s", code, e.msg);
	buf[0] = '\0';
	json_array_foreach(json_object_get(bill, "lines"), i, l)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%lld %s %s %lld %s", i ? ", " : "",
				      (long long)json_integer_value(json_object_get(l, "seq")),
				      json_string_value(json_object_get(l, "fee")),
				      json_string_value(json_object_get(l, "label")),
				      (long long)json_integer_value(json_object_get(l, "amount_fen")),
				      json_string_value(json_object_get(l, "quantity")));
	json_decref(bill);
	return buf;
}

/* Every bill as "code status total version", by code. */
static const char *bills(struct pm_db *db)
{
	return tstore_sql(db, "SELECT group_concat(x, ', ') FROM (SELECT code || ' ' || status || ' ' || total_fen"
			      " || ' ' || config_version AS x FROM bill ORDER BY code)");
}

static void test_run_drafts(void **state)
{
	struct tstore *t = T(state);
	struct told told = {0};
	struct pm_bill_run r = run_told(t->db, 0, 0, &told);

	assert_int_equal(r.made, 4);
	assert_int_equal(r.skipped, 0);
	assert_int_equal(r.recomputed, 0);
	assert_int_equal(r.vacant, 1);
	assert_int_equal(r.total, 54218);
	assert_int_equal(told.n, 4);
	assert_string_equal(told.lines[0], B101 " made 22300 3");
	assert_string_equal(told.lines[1], B102 " made 10300 3");
	assert_string_equal(told.lines[2], B103 " made 5633 3");
	assert_string_equal(told.lines[3], B201 " made 15985 1");
	/* Drafts, priced by config version 2 (pm init's is 1). */
	assert_string_equal(bills(t->db), B101 " draft 22300 2, " B102 " draft 10300 2, " B103 " draft 5633 2, "
					  B201 " draft 15985 2");
	assert_string_equal(bill_lines(t->db, B101),
			    "1 property 物业费 20000 100.00, 2 garbage 垃圾费 1500 1, 3 tv 有线电视 800 1");
	assert_string_equal(bill_lines(t->db, B102),
			    "1 property 物业费 8000 80.00, 2 garbage 垃圾费 1500 1, 3 tv 有线电视 800 1");
	assert_string_equal(bill_lines(t->db, B103),
			    "1 property 物业费 3333 50.00, 2 garbage 垃圾费 1500 1, 3 tv 有线电视 800 1");
	assert_string_equal(bill_lines(t->db, B201), "1 property 物业费 15985 45.67");
	/* The breakdowns say why: vacant days at 50%, 10 days of 30. */
	assert_string_equal(tstore_sql(t->db, "SELECT breakdown FROM bill_line l JOIN bill b ON b.id = l.bill_id"
					      " WHERE b.code = '" B102 "' AND seq = 1"),
			    "{\"price\":\"2.0000\",\"area\":\"80.00\",\"discount_percent\":50,\"vacant_days\":30,"
			    "\"days\":30,\"period_days\":30,\"rounding\":\"fen half_up\",\"amount\":\"80.00\"}");
	assert_string_equal(tstore_sql(t->db, "SELECT json_extract(breakdown, '$.days') || '/' ||"
					      " json_extract(breakdown, '$.period_days') FROM bill_line l JOIN bill b"
					      " ON b.id = l.bill_id WHERE b.code = '" B103 "' AND seq = 1"), "10/30");
	/* Drafts are not in the ledger; one audit record for the run. */
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM journal"), "0");
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM audit WHERE action = 'bill.run'"), "1");
	assert_string_equal(tstore_sql(t->db, "SELECT json_extract(after, '$.total_fen') || ' '"
					      " || json_extract(after, '$.vacant') FROM audit WHERE action = 'bill.run'"), "54218 1");
	tbill_check(t->db);
}

/* A dry run tells the same bills and writes none. */
static void test_run_dry(void **state)
{
	struct tstore *t = T(state);
	struct told told = {0};
	struct pm_bill_run r = run_told(t->db, 0, 1, &told);

	assert_int_equal(r.made, 4);
	assert_int_equal(r.total, 54218);
	assert_string_equal(told.lines[2], B103 " dry-run 5633 3");
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM bill"), "0");
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM bill_line"), "0");
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM audit WHERE action = 'bill.run'"), "0");
}

/* A second run skips the billed units and changes nothing. */
static void test_run_again(void **state)
{
	struct tstore *t = T(state);
	struct told told = {0};
	struct pm_bill_run r;
	char before[1024];

	run_told(t->db, 0, 0, &told);
	snprintf(before, sizeof before, "%s", tstore_sql(t->db, "SELECT group_concat(id || ':' || code || ':'"
				      " || total_fen || ':' || created_at, ' ') FROM bill"));
	memset(&told, 0, sizeof told);
	r = run_told(t->db, 0, 0, &told);
	assert_int_equal(r.made, 0);
	assert_int_equal(r.skipped, 4);
	assert_int_equal(r.total, 0);
	assert_string_equal(told.lines[0], B101 " skipped 0 0");
	assert_string_equal(tstore_sql(t->db, "SELECT group_concat(id || ':' || code || ':' || total_fen || ':'"
					      " || created_at, ' ') FROM bill"), before);
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM bill_line"), "10");
	/* A run that made nothing leaves no audit record. */
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM audit WHERE action = 'bill.run'"), "1");

	/* A named unit already billed is skipped too. */
	r = tbill_run(t->db, "2026-11", "1-1-103", 0);
	assert_int_equal(r.made, 0);
	assert_int_equal(r.skipped, 1);
}

/* A new tariff in force on the period's first day changes every bill's
 * inputs: a run rebuilds the drafts at it and tells of the issued bill,
 * which stays as it was issued. --recompute rebuilds drafts whatever
 * changed. */
static void test_recompute(void **state)
{
	struct tstore *t = T(state);
	struct told told = {0};
	struct pm_bill_run r;

	tbill_run(t->db, "2026-11", "1-1-101", 0);
	assert_int_equal(tbill_issue(t->db, "2026-11", "2026-12-15").issued, 1);
	run_told(t->db, 0, 0, &told);
	/* Residential property at 2.20 from 1 November (version 3):
	 * 101: 2.20 × 100 + 23.00 = 243.00, 20.00 more than issued
	 * 102: 2.20 × 80 × 50% = 88.00, + 23.00 = 111.00
	 * 103: 2.20 × 50 × 10 / 30 = 36.666… → 36.67, + 23.00 = 59.67
	 * 2-1-101: commercial, 159.85 as before, now by version 3 */
	tbill_apply(t->db, "2026-11-01", "2.2");
	/* Dry, nothing is rebuilt. */
	memset(&told, 0, sizeof told);
	r = run_told(t->db, 0, 1, &told);
	assert_int_equal(r.recomputed, 3);
	assert_int_equal(r.changed, 1);
	assert_string_equal(told.lines[0], B101 " changed 24300 3");
	assert_string_equal(told.lines[1], B102 " dry-run 11100 3");
	assert_string_equal(tstore_sql(t->db, "SELECT total_fen FROM bill WHERE code = '" B102 "'"), "10300");

	memset(&told, 0, sizeof told);
	r = run_told(t->db, 0, 0, &told);
	assert_int_equal(r.recomputed, 3);
	assert_int_equal(r.made, 3);
	assert_int_equal(r.skipped, 0);
	assert_int_equal(r.changed, 1);
	assert_int_equal(r.total, 11100 + 5967 + 15985);
	assert_string_equal(told.lines[0], B101 " changed 24300 3");
	assert_string_equal(told.lines[1], B102 " made 11100 3");
	assert_string_equal(bills(t->db), B101 " issued 22300 2, " B102 " draft 11100 3, " B103 " draft 5967 3, "
					  B201 " draft 15985 3");
	assert_string_equal(bill_lines(t->db, B103),
			    "1 property 物业费 3667 50.00, 2 garbage 垃圾费 1500 1, 3 tv 有线电视 800 1");
	assert_string_equal(bill_lines(t->db, B101),
			    "1 property 物业费 20000 100.00, 2 garbage 垃圾费 1500 1, 3 tv 有线电视 800 1");
	assert_string_equal(tstore_sql(t->db, "SELECT group_concat(DISTINCT l.config_version) FROM bill_line l"
					      " JOIN bill b ON b.id = l.bill_id WHERE b.code = '" B101 "'"), "2");
	/* The old drafts' lines went with them. */
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM bill_line"), "10");
	assert_string_equal(tstore_sql(t->db, "SELECT json_extract(after, '$.recomputed') || ' '"
					      " || json_extract(after, '$.changed') FROM audit"
					      " WHERE action = 'bill.run' ORDER BY id DESC LIMIT 1"), "3 1");

	/* The same inputs again: nothing to rebuild, nothing written. */
	memset(&told, 0, sizeof told);
	r = run_told(t->db, 0, 0, &told);
	assert_int_equal(r.made + r.recomputed, 0);
	assert_int_equal(r.skipped, 3);
	assert_int_equal(r.changed, 1);
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM audit WHERE action = 'bill.run'"), "3");

	/* --recompute rebuilds every draft all the same. */
	r = tbill_run(t->db, "2026-11", NULL, 1);
	assert_int_equal(r.recomputed, 3);
	assert_int_equal(r.made, 3);
	tbill_check(t->db);
}

/* A period after the current month is refused unless asked for. */
static void test_run_future(void **state)
{
	struct tstore *t = T(state);
	struct pm_bill_run r = {.period = tbill_period("2027-01")};
	struct pm_err e = {0};

	assert_int_equal(pm_bill_run(t->db, &r, &e), PM_EDATA);
	assert_string_equal(e.msg, "period 2027-01 has not begun (it is 2026-12 now): give --future to bill ahead");
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM bill"), "0");
	r.future = 1;
	assert_int_equal(pm_bill_run(t->db, &r, &e), PM_OK);
	/* 1-1-104 too, delivered on 10 January. */
	assert_int_equal(r.made, 5);
}

/* What rebill told: "fee was now difference" a line. */
static int rebill_told(void *ctx, json_t *line)
{
	struct told *t = ctx;

	assert_true(t->n < 8);
	snprintf(t->lines[t->n++], sizeof t->lines[0], "%s %lld %lld %lld",
		 json_string_value(json_object_get(line, "fee")),
		 (long long)json_integer_value(json_object_get(line, "was_fen")),
		 (long long)json_integer_value(json_object_get(line, "now_fen")),
		 (long long)json_integer_value(json_object_get(line, "difference_fen")));
	return 0;
}

/* An issued bill whose inputs changed: rebill proposes the note line by
 * line, records it when confirmed (audited, by pm_bill_adjust's rules),
 * and then has nothing more to say. A draft or a void bill it refuses. */
static void test_rebill(void **state)
{
	struct tstore *t = T(state);
	struct told told = {0};
	struct pm_rebill rb = {.bill = B101, .reason = "调价", .fn = rebill_told, .ctx = &told};
	struct pm_err e = {0};

	tbill_run(t->db, "2026-11", NULL, 0);
	assert_int_equal(tbill_issue(t->db, "2026-11", "2026-12-15").issued, 4);
	assert_int_equal(pm_bill_rebill(t->db, &rb, &e), PM_OK);
	assert_false(rb.changed);
	assert_int_equal(told.n, 0);

	/* 2.20 a m² from 1 November: 101 owes 20.00 more, 102 8.00. */
	tbill_apply(t->db, "2026-11-01", "2.2");
	assert_int_equal(pm_bill_rebill(t->db, &rb, &e), PM_OK);
	assert_true(rb.changed);
	assert_int_equal(rb.was, 22300);
	assert_int_equal(rb.now, 24300);
	assert_int_equal(rb.difference, 2000);
	assert_int_equal(told.n, 3);
	assert_string_equal(told.lines[0], "property 20000 22000 2000");
	assert_string_equal(told.lines[1], "garbage 1500 1500 0");
	assert_string_equal(told.lines[2], "tv 800 800 0");
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM adjustment"), "0");

	memset(&told, 0, sizeof told);
	rb.confirm = 1;
	assert_int_equal(pm_bill_rebill(t->db, &rb, &e), PM_OK);
	assert_string_equal(tstore_sql(t->db, "SELECT amount_fen || ' ' || reason || ' ' || by_user FROM adjustment"),
			    "2000 调价 tester");
	assert_string_equal(tstore_sql(t->db, "SELECT total_fen || ' ' || adjust_fen || ' ' || config_version FROM bill"
					      " WHERE code = '" B101 "'"), "22300 2000 2");
	assert_int_equal(tbill_balance(t->db, "receivable", "1-1-101"), 24300);
	assert_string_equal(tstore_sql(t->db, "SELECT object || ' ' || json_extract(after, '$.difference_fen')"
					      " FROM audit WHERE action = 'bill.rebill'"), "bill:" B101 " 2000");
	/* Taken: a run, and rebill, no longer tell of it; a run still tells
	 * of 102, 103 and 2-1-101. */
	assert_int_equal(tbill_run(t->db, "2026-11", NULL, 0).changed, 3);
	memset(&told, 0, sizeof told);
	assert_int_equal(pm_bill_rebill(t->db, &rb, &e), PM_OK);
	assert_false(rb.changed);
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM adjustment"), "1");
	tbill_check(t->db);

	/* 2-1-101's total did not change, only the version that priced it:
	 * confirmed, that is a new digest and no note. */
	rb.bill = B201;
	assert_int_equal(pm_bill_rebill(t->db, &rb, &e), PM_OK);
	assert_true(rb.changed);
	assert_int_equal(rb.difference, 0);
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM adjustment"), "1");
	assert_int_equal(tbill_run(t->db, "2026-11", NULL, 0).changed, 2);

	assert_int_equal(void_bill(t->db, B103, &e), PM_OK);
	rb.bill = B103;
	assert_int_equal(pm_bill_rebill(t->db, &rb, &e), PM_EDATA);
	assert_string_equal(e.msg, "bill '" B103 "' is void");
	tbill_run(t->db, "2026-12", "1-1-101", 0);
	rb.bill = "B-2026-12-1-1-101";
	assert_int_equal(pm_bill_rebill(t->db, &rb, &e), PM_EDATA);
	assert_string_equal(e.msg, "bill 'B-2026-12-1-1-101' is a draft: pm-bill run rebuilds it");
}

static int adjust(struct pm_db *db, const char *code, int64_t amount, struct pm_err *e)
{
	json_t *out = NULL;
	int rc = pm_bill_adjust(db, code, amount, "维修补偿", &out, e);

	json_decref(out);
	return rc;
}

/* Issued, a bill never changes: its lines, total and version stay, and a
 * correction is a note of its own. */
static void test_issued_immutable(void **state)
{
	struct tstore *t = T(state);
	struct pm_bill_issue is;
	struct pm_err e = {0};
	char issued[1024], lines[1024];

	tbill_run(t->db, "2026-11", NULL, 0);
	assert_int_equal(adjust(t->db, B101, -100, &e), PM_EFAIL);
	assert_string_equal(e.msg, "bill '" B101 "' is draft: only issued bills take adjustments");
	is = tbill_issue(t->db, "2026-11", NULL);
	assert_int_equal(is.issued, 4);
	assert_int_equal(is.total, 54218);
	assert_int_equal(is.prepaid, 0);
	assert_string_equal(tstore_sql(t->db, "SELECT group_concat(DISTINCT due) FROM bill"), "2026-12-15");
	/* Issue posts each bill: receivable debited, revenue per fee. */
	assert_int_equal(tbill_balance(t->db, "receivable", "1-1-101"), 22300);
	/* 200.00 + 80.00 + 33.33 + 159.85 */
	assert_int_equal(tbill_balance(t->db, "revenue", "property"), -47318);
	assert_int_equal(tbill_balance(t->db, "revenue", "garbage"), -4500);
	snprintf(issued, sizeof issued, "%s", tstore_sql(t->db, "SELECT group_concat(code || ' ' || total_fen || ' '"
				      " || config_version || ' ' || issued_at || ' ' || due, ', ') FROM bill"));
	snprintf(lines, sizeof lines, "%s", tstore_sql(t->db, "SELECT group_concat(bill_id || ' ' || seq || ' '"
				     " || amount_fen || ' ' || breakdown, ', ') FROM bill_line"));

	/* Neither issuing again, nor a new tariff, nor --recompute. */
	assert_int_equal(tbill_issue(t->db, "2026-11", "2027-01-01").issued, 0);
	tbill_apply(t->db, "2026-11-01", "2.2");
	assert_int_equal(tbill_run(t->db, "2026-11", NULL, 1).recomputed, 0);

	/* A credit of 10.50 and a debit of 5.00 are notes beside the lines. */
	assert_int_equal(adjust(t->db, B101, -1050, &e), PM_OK);
	assert_int_equal(adjust(t->db, B101, 500, &e), PM_OK);
	assert_string_equal(tstore_sql(t->db, "SELECT group_concat(code || ' ' || total_fen || ' ' || config_version"
					      " || ' ' || issued_at || ' ' || due, ', ') FROM bill"), issued);
	assert_string_equal(tstore_sql(t->db, "SELECT group_concat(bill_id || ' ' || seq || ' ' || amount_fen"
					      " || ' ' || breakdown, ', ') FROM bill_line"), lines);
	assert_string_equal(tstore_sql(t->db, "SELECT adjust_fen || ' ' || status FROM bill WHERE code = '" B101 "'"),
			    "-550 issued");
	assert_string_equal(tstore_sql(t->db, "SELECT group_concat(amount_fen || ' ' || reason || ' ' || by_user, ', ')"
					      " FROM adjustment"), "-1050 维修补偿 tester, 500 维修补偿 tester");
	/* 223.00 - 10.50 + 5.00 */
	assert_int_equal(tbill_balance(t->db, "receivable", "1-1-101"), 21750);
	assert_int_equal(tbill_balance(t->db, "discount", NULL), 1050);
	assert_int_equal(tbill_balance(t->db, "revenue", "adjustment"), -500);

	/* A note of 0, or a credit beyond what the bill comes to, is refused. */
	assert_int_equal(adjust(t->db, B101, 0, &e), PM_EUSAGE);
	assert_string_equal(e.msg, "an adjustment of 0 changes nothing");
	assert_int_equal(adjust(t->db, B101, -21751, &e), PM_EFAIL);
	assert_string_equal(e.msg, "a credit of 217.51 is more than bill '" B101 "' comes to (217.50)");
	assert_int_equal(adjust(t->db, "B-nope", -1, &e), PM_EDATA);
	assert_string_equal(e.msg, "unknown bill 'B-nope'");
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM adjustment"), "2");
	/* A credit of all it owes settles it. */
	assert_int_equal(adjust(t->db, B101, -21750, &e), PM_OK);
	assert_string_equal(tstore_sql(t->db, "SELECT status FROM bill WHERE code = '" B101 "'"), "paid");
	assert_int_equal(tbill_balance(t->db, "receivable", "1-1-101"), 0);
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM audit WHERE action = 'bill.adjust'"), "3");
	tbill_check(t->db);
}

/* Void: a draft or an issued bill with nothing paid; issued, what issue,
 * notes and late fees posted is reversed. */
static void test_void(void **state)
{
	struct tstore *t = T(state);
	struct pm_late_run late = {.as_of = tbill_day("2026-12-25")};
	struct pm_err e = {0};

	tbill_run(t->db, "2026-11", NULL, 0);
	assert_int_equal(void_bill(t->db, B201, &e), PM_OK);
	assert_string_equal(tstore_sql(t->db, "SELECT status || ' ' || void_reason FROM bill WHERE code = '" B201 "'"),
			    "void 重复开单");
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM journal"), "0");
	assert_int_equal(void_bill(t->db, B201, &e), PM_EFAIL);
	assert_string_equal(e.msg, "bill '" B201 "' is void already");
	assert_int_equal(void_bill(t->db, "B-nope", &e), PM_EDATA);
	assert_string_equal(e.msg, "unknown bill 'B-nope'");
	/* A void draft is not issued, nor billed again. */
	assert_int_equal(tbill_issue(t->db, "2026-11", "2026-12-15").issued, 3);
	assert_int_equal(tbill_run(t->db, "2026-11", NULL, 1).skipped, 4);
	assert_string_equal(tstore_sql(t->db, "SELECT status FROM bill WHERE code = '" B201 "'"), "void");

	/* Partly paid: refused, and the bill is as it was. */
	assert_int_equal(tbill_pay_ok(t->db, "1-1-102", "W-1", NULL, 100), 100);
	assert_int_equal(void_bill(t->db, B102, &e), PM_EFAIL);
	assert_string_equal(e.msg, "bill '" B102 "' has payments: adjust it or refund instead");
	assert_string_equal(tstore_sql(t->db, "SELECT status || ' ' || paid_fen FROM bill WHERE code = '" B102 "'"),
			    "partial 100");

	/* 1-1-101 with a credit of 10.00 and a late fee of 20800 × 5 / 10000
	 * × 10 days = 1.04: the void reverses all three entries. */
	assert_int_equal(adjust(t->db, B101, -1000, &e), PM_OK);
	assert_int_equal(pm_bill_late_fees(t->db, &late, &e), PM_OK);
	assert_int_equal(tbill_int(t->db, "SELECT late_fen FROM bill WHERE code = '" B101 "'"), 104);
	assert_int_equal(tbill_balance(t->db, "receivable", "1-1-101"), 22300 - 1000 + 104);
	assert_int_equal(void_bill(t->db, B101, &e), PM_OK);
	assert_string_equal(tstore_sql(t->db, "SELECT group_concat(account || ' ' || amount_fen, ', ') FROM posting"
					      " WHERE journal_id = (SELECT id FROM journal WHERE kind = 'void')"),
			    "discount -1000, income:late_fee 104, receivable:1-1-101 -21404, revenue:garbage 1500,"
			    " revenue:property 20000, revenue:tv 800");
	assert_string_equal(tstore_sql(t->db, "SELECT ref || ' ' || memo FROM journal WHERE kind = 'void'"),
			    "bill:" B101 " 重复开单");
	assert_int_equal(tbill_balance(t->db, "receivable", "1-1-101"), 0);
	assert_int_equal(tbill_balance(t->db, "discount", NULL), 0);
	assert_string_equal(tstore_sql(t->db, "SELECT status FROM bill WHERE code = '" B101 "'"), "void");
	/* A void bill takes no more late fees, payments or notes. */
	late.as_of = tbill_day("2026-12-31");
	assert_int_equal(pm_bill_late_fees(t->db, &late, &e), PM_OK);
	assert_int_equal(tbill_int(t->db, "SELECT late_fen FROM bill WHERE code = '" B101 "'"), 104);
	assert_int_equal(adjust(t->db, B101, 100, &e), PM_EFAIL);
	assert_string_equal(e.msg, "bill '" B101 "' is void: only issued bills take adjustments");
	assert_int_equal(tbill_pay_ok(t->db, "1-1-101", "W-2", NULL, 1000), 0);
	assert_int_equal(tbill_balance(t->db, "prepaid", "1-1-101"), -1000);
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM audit WHERE action = 'bill.void'"), "2");
	tbill_check(t->db);
}

/* A payment naming a draft is prepaid until issue, and the draft can
 * still be rebuilt: in place, so the payment still names it; or, with
 * nothing left to bill, away, and the payment names no bill. */
static void test_pay_named_draft(void **state)
{
	struct tstore *t = T(state);
	json_t *storage = json_loads("{\"code\":\"2-1-101\",\"area\":\"45.67\",\"use\":\"storage\"}", 0, NULL);
	struct pm_err e = {0};
	enum pm_upsert did;
	struct pm_bill_run r;

	tbill_run(t->db, "2026-11", NULL, 0);
	assert_int_equal(tbill_pay_ok(t->db, "1-1-101", "W-1", B101, 5000), 0);
	assert_int_equal(tbill_pay_ok(t->db, "2-1-101", "W-2", B201, 1000), 0);
	assert_int_equal(tbill_balance(t->db, "prepaid", "1-1-101"), -5000);
	tbill_apply(t->db, "2026-11-01", "2.2");
	/* No fee item prices a storeroom. */
	assert_int_equal(pm_db_begin(t->db, &e), PM_OK);
	assert_int_equal(pm_unit_upsert(t->db, storage, &did, &e), PM_OK);
	assert_int_equal(pm_db_commit(t->db, &e), PM_OK);
	json_decref(storage);
	r = tbill_run(t->db, "2026-11", NULL, 1);
	assert_int_equal(r.recomputed, 4);
	assert_int_equal(r.made, 3);
	/* 2.20 × 100 + 23.00 */
	assert_string_equal(tstore_sql(t->db, "SELECT total_fen FROM bill WHERE code = '" B101 "'"), "24300");
	assert_string_equal(tstore_sql(t->db, "SELECT group_concat(p.ref || ' ' || coalesce(b.code, '-'), ', ')"
					      " FROM payment p LEFT JOIN bill b ON b.id = p.bill_id"),
			    "W-1 " B101 ", W-2 -");
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM bill WHERE code = '" B201 "'"), "0");
	assert_int_equal(tbill_issue(t->db, "2026-11", NULL).prepaid, 5000);
	assert_string_equal(tstore_sql(t->db, "SELECT status || ' ' || paid_fen FROM bill WHERE code = '" B101 "'"),
			    "partial 5000");
	tbill_check(t->db);
}

/* A unit delivered after the period is not billable, named or not. */
static void test_run_undelivered(void **state)
{
	struct tstore *t = T(state);
	struct pm_bill_run r = tbill_run(t->db, "2026-11", "1-1-104", 0);

	assert_int_equal(r.made, 0);
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM bill"), "0");
	/* Delivered on 10 January: billed in January for 22 days of 31,
	 * 2.00 × 70 × 22 / 31 = 99.354… → 99.35, + 23.00 */
	setenv("PM_NOW", "2027-02-01T09:00:00+08:00", 1);
	r = tbill_run(t->db, "2027-01", "1-1-104", 0);
	assert_int_equal(r.made, 1);
	assert_int_equal(r.total, 12235);
}

int main(void)
{
#define T_(f) cmocka_unit_test_setup_teardown(f, setup, tstore_teardown)
	const struct CMUnitTest tests[] = {
		T_(test_run_drafts),
		T_(test_run_dry),
		T_(test_run_again),
		T_(test_recompute),
		T_(test_run_future),
		T_(test_rebill),
		T_(test_issued_immutable),
		T_(test_void),
		T_(test_pay_named_draft),
		T_(test_run_undelivered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
