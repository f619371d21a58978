/* Payments and their allocation, prepaid balances, refunds, bill statuses
 * and late fees, on a store of four units billed by the configuration of
 * tbill.h. Every amount is worked out by hand beside the assertion.
 *
 * A residential unit of A m² occupied all month owes, each month:
 *   seq 1 property 2.00 × A, seq 2 garbage 15.00, seq 3 TV 8.00
 * 1-1-101 100 m²: 200.00 + 15.00 + 8.00 = 223.00
 * 1-1-102  80 m²: 160.00 + 15.00 + 8.00 = 183.00
 * 1-1-103  50 m²: 100.00 + 15.00 + 8.00 = 123.00
 * 1-1-104  60 m²: 120.00 + 15.00 + 8.00 = 143.00
 * Payments go to TV, then property, then garbage. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tbill.h"

#define B10_101 "B-2026-10-1-1-101"
#define B11_101 "B-2026-11-1-1-101"
#define B11_102 "B-2026-11-1-1-102"
#define B11_103 "B-2026-11-1-1-103"
#define B11_104 "B-2026-11-1-1-104"

static int setup(void **state)
{
	static const char *const units[] = {
		"{\"code\":\"1-1-101\",\"area\":\"100\",\"status\":\"occupied\"}",
		"{\"code\":\"1-1-102\",\"area\":\"80\",\"status\":\"occupied\"}",
		"{\"code\":\"1-1-103\",\"area\":\"50\",\"status\":\"occupied\"}",
		"{\"code\":\"1-1-104\",\"area\":\"60\",\"status\":\"occupied\"}",
	};

	return tbill_setup(state, units, sizeof units / sizeof *units);
}

/* October for 1-1-101, due 15 November; November for 101 to 103, due
 * 15 December. 1-1-104 has no bill. */
static void billed(struct pm_db *db)
{
	tbill_run(db, "2026-10", "1-1-101", 0);
	assert_int_equal(tbill_issue(db, "2026-10", "2026-11-15").issued, 1);
	tbill_run(db, "2026-11", "1-1-101", 0);
	tbill_run(db, "2026-11", "1-1-102", 0);
	tbill_run(db, "2026-11", "1-1-103", 0);
	assert_int_equal(tbill_issue(db, "2026-11", "2026-12-15").issued, 3);
}

static const char *bill_state(struct pm_db *db, const char *code)
{
	return tbill_str(db, "SELECT status || ' ' || paid_fen || ' ' || late_fen FROM bill WHERE code = '%s'", code);
}

/* Paid per line, "seq:paid" in seq order. */
static const char *lines_paid(struct pm_db *db, const char *code)
{
	return tbill_str(db, "SELECT group_concat(seq || ':' || paid_fen, ' ') FROM (SELECT l.seq, l.paid_fen"
			     " FROM bill_line l JOIN bill b ON b.id = l.bill_id WHERE b.code = '%s' ORDER BY l.seq)", code);
}

/* A payment's allocations in the order made, "seq:amount" (seq 0: the
 * late fees and notes). */
static const char *allocations(struct pm_db *db, const char *code, int64_t payment)
{
	return tbill_str(db, "SELECT group_concat(coalesce(a.seq, 0) || ':' || a.amount_fen, ' ') FROM (SELECT a.*"
			     " FROM allocation a JOIN bill b ON b.id = a.bill_id WHERE b.code = '%s'"
			     " AND coalesce(a.payment_id, 0) = %lld ORDER BY a.id) a", code, (long long)payment);
}

static void test_pay_parse(void **state)
{
	json_t *rec = json_loads("{\"unit\":\"1-1-101\",\"amount\":\"123.45\",\"channel\":\"wechat\",\"ref\":\"W-9\","
				 "\"bill\":\"" B11_101 "\",\"at\":\"2026-12-01T10:00:00+08:00\"}", 0, NULL);
	struct pm_err e = {0};
	struct pm_pay p;

	(void)state;
	assert_int_equal(pm_pay_parse(rec, &p, &e), PM_OK);
	assert_string_equal(p.unit, "1-1-101");
	assert_int_equal(p.amount, 12345);
	assert_string_equal(p.channel, "wechat");
	assert_string_equal(p.ref, "W-9");
	assert_string_equal(p.bill, B11_101);
	assert_int_equal(p.at, 1796090400);
	json_decref(rec);

	rec = json_loads("{\"unit\":\"1-1-101\",\"amount\":\"0\",\"channel\":\"wechat\",\"ref\":\"W-9\"}", 0, NULL);
	assert_int_equal(pm_pay_parse(rec, &p, &e), PM_EDATA);
	assert_string_equal(e.msg, "field \"amount\": must be more than 0");
	json_decref(rec);
	rec = json_loads("{\"unit\":\"1-1-101\",\"amount\":\"1\",\"channel\":\"we:chat\",\"ref\":\"W-9\"}", 0, NULL);
	assert_int_equal(pm_pay_parse(rec, &p, &e), PM_EDATA);
	assert_string_equal(e.msg, "field \"channel\" or \"ref\": empty, or a channel with ':'");
	json_decref(rec);
	rec = json_loads("{\"unit\":\"1-1-101\",\"amount\":\"1\",\"channel\":\"wechat\"}", 0, NULL);
	assert_int_equal(pm_pay_parse(rec, &p, &e), PM_EDATA);
	json_decref(rec);
}

/* Refs are compared after trimming white space around them: in the
 * record itself, so what is stored and told is the trimmed ref. */
static void test_pay_ref_trimmed(void **state)
{
	struct tstore *t = T(state);
	json_t *rec = json_loads("{\"unit\":\"1-1-101\",\"amount\":\"1\",\"channel\":\"wechat\",\"ref\":\" \\tWX1 \\r\\n\"}",
				 0, NULL);
	struct pm_err e = {0};
	enum pm_pay_did did;
	struct pm_pay p;

	assert_int_equal(pm_pay_parse(rec, &p, &e), PM_OK);
	assert_string_equal(p.ref, "WX1");
	assert_string_equal(json_string_value(json_object_get(rec, "ref")), "WX1");
	json_decref(rec);
	rec = json_loads("{\"unit\":\"1-1-101\",\"amount\":\"1\",\"channel\":\"wechat\",\"ref\":\"  \"}", 0, NULL);
	assert_int_equal(pm_pay_parse(rec, &p, &e), PM_EDATA);
	assert_string_equal(e.msg, "field \"channel\" or \"ref\": empty, or a channel with ':'");
	json_decref(rec);

	assert_int_equal(tbill_pay(t->db, "1-1-101", "wechat", "WX1", NULL, 100, &did, NULL, &e), PM_OK);
	assert_int_equal(did, PM_PAY_RECORDED);
	rec = json_loads("{\"unit\":\"1-1-101\",\"amount\":\"1\",\"channel\":\"wechat\",\"ref\":\"WX1 \"}", 0, NULL);
	assert_int_equal(pm_pay_parse(rec, &p, &e), PM_OK);
	assert_int_equal(tbill_pay(t->db, p.unit, p.channel, p.ref, NULL, p.amount, &did, NULL, &e), PM_OK);
	assert_int_equal(did, PM_PAY_DUPLICATE);
	json_decref(rec);
	assert_string_equal(tstore_sql(t->db, "SELECT group_concat(ref) FROM payment"), "WX1");
}

/* A ref is 1 to 128 bytes of printable UTF-8: each edge of the rule, and
 * the byte named where the first character it refuses starts. */
static void test_pay_ref_valid(void **state)
{
	static const struct {
		const char *ref, *msg;
	} bad[] = {
		{"", "ref: 0 bytes: a reference is 1 to 128 bytes of printable UTF-8"},
		{"WX\x1b[2J", "ref: byte 3 is U+001B, a control character: a reference is printable UTF-8"},
		{"a\tb", "ref: byte 2 is U+0009, a control character: a reference is printable UTF-8"},
		{"WX\x7f", "ref: byte 3 is U+007F, a control character: a reference is printable UTF-8"},
		{"\xc2\x80", "ref: byte 1 is U+0080, a control character: a reference is printable UTF-8"},
		{"\xc2\x9f", "ref: byte 1 is U+009F, a control character: a reference is printable UTF-8"},
		{"付\xe2\x80\xaa", "ref: byte 4 is U+202A, a control character: a reference is printable UTF-8"},
		{"\xe2\x80\xae", "ref: byte 1 is U+202E, a control character: a reference is printable UTF-8"},
		{"x\xe2\x81\xa6", "ref: byte 2 is U+2066, a control character: a reference is printable UTF-8"},
		{"\xe2\x81\xa9", "ref: byte 1 is U+2069, a control character: a reference is printable UTF-8"},
		{"WX\xff", "ref: byte 3 is no UTF-8: a reference is printable UTF-8"},
		{"WX\xe4\xbd", "ref: byte 3 is no UTF-8: a reference is printable UTF-8"},
		{"\xed\xa0\x80", "ref: byte 1 is no UTF-8: a reference is printable UTF-8"},
		{"\xc0\xaf", "ref: byte 1 is no UTF-8: a reference is printable UTF-8"},
		/* Bidi_Control's other three: the marks. */
		{"\xd8\x9c", "ref: byte 1 is U+061C, a control character: a reference is printable UTF-8"},
		{"WX\xe2\x80\x8e", "ref: byte 3 is U+200E, a control character: a reference is printable UTF-8"},
		{"\xe2\x80\x8f", "ref: byte 1 is U+200F, a control character: a reference is printable UTF-8"},
		/* What shows as a blank, as nothing or on the character before:
		 * "WX1" with one looks like "WX1" without it. */
		{"WX1\xc2\xa0", "ref: byte 4 is U+00A0, a blank, invisible or combining character: a reference is printable UTF-8"},
		{"WX1\xe3\x80\x80", "ref: byte 4 is U+3000, a blank, invisible or combining character: a reference is printable UTF-8"},
		{"\xe2\x80\x80", "ref: byte 1 is U+2000, a blank, invisible or combining character: a reference is printable UTF-8"},
		{"\xe2\x80\x8b", "ref: byte 1 is U+200B, a blank, invisible or combining character: a reference is printable UTF-8"},
		{"WX\xe2\x80\x8d", "ref: byte 3 is U+200D, a blank, invisible or combining character: a reference is printable UTF-8"},
		{"\xe2\x80\xa8", "ref: byte 1 is U+2028, a blank, invisible or combining character: a reference is printable UTF-8"},
		{"\xe2\x80\xa9", "ref: byte 1 is U+2029, a blank, invisible or combining character: a reference is printable UTF-8"},
		{"\xe2\x80\xaf", "ref: byte 1 is U+202F, a blank, invisible or combining character: a reference is printable UTF-8"},
		{"\xe2\x81\xa0", "ref: byte 1 is U+2060, a blank, invisible or combining character: a reference is printable UTF-8"},
		{"\xe2\x81\xa5", "ref: byte 1 is U+2065, a blank, invisible or combining character: a reference is printable UTF-8"},
		{"\xe2\x81\xaa", "ref: byte 1 is U+206A, a blank, invisible or combining character: a reference is printable UTF-8"},
		{"\xe2\x81\xaf", "ref: byte 1 is U+206F, a blank, invisible or combining character: a reference is printable UTF-8"},
		{"\xef\xbb\xbfWX", "ref: byte 1 is U+FEFF, a blank, invisible or combining character: a reference is printable UTF-8"},
		{"\xc2\xad", "ref: byte 1 is U+00AD, a blank, invisible or combining character: a reference is printable UTF-8"},
		{"e\xcc\x81", "ref: byte 2 is U+0301, a blank, invisible or combining character: a reference is printable UTF-8"},
		{"\xcc\x80", "ref: byte 1 is U+0300, a blank, invisible or combining character: a reference is printable UTF-8"},
		{"\xcd\xaf", "ref: byte 1 is U+036F, a blank, invisible or combining character: a reference is printable UTF-8"},
		{"\xe2\x83\x90", "ref: byte 1 is U+20D0, a blank, invisible or combining character: a reference is printable UTF-8"},
		{"\xef\xb8\x8f", "ref: byte 1 is U+FE0F, a blank, invisible or combining character: a reference is printable UTF-8"},
		{"\xef\xb7\x90", "ref: byte 1 is U+FDD0, a blank, invisible or combining character: a reference is printable UTF-8"},
		{"\xef\xbf\xbe", "ref: byte 1 is U+FFFE, a blank, invisible or combining character: a reference is printable UTF-8"},
		{"\xef\xbf\xbf", "ref: byte 1 is U+FFFF, a blank, invisible or combining character: a reference is printable UTF-8"},
		{"\xf4\x8f\xbf\xbf", "ref: byte 1 is U+10FFFF, a blank, invisible or combining character: a reference is printable UTF-8"},
		{" WX1", "ref: a space at its start or end: a reference has none around it"},
		{"WX1 ", "ref: a space at its start or end: a reference has none around it"},
		{" ", "ref: a space at its start or end: a reference has none around it"},
		{"WX\xf3\xa0\x81\x81", "ref: byte 3 is U+E0041, a blank, invisible or combining character: a reference is printable UTF-8"},
		{"\xf3\xa0\x87\xaf", "ref: byte 1 is U+E01EF, a blank, invisible or combining character: a reference is printable UTF-8"},
	};
	/* The characters just outside each range refused are refs. */
	static const char *const good[] = {"W", "WX 1", "~", "\xc2\xa1", "\xc2\xae", "\xcd\xb0", "\xe1\xbf\xbf",
					   "\xe2\x80\x90\xe2\x80\xa7\xe2\x80\xb0\xe2\x81\x9e\xe2\x81\xb0",
					   "\xe2\x82\xac\xe2\x84\x80", "\xe3\x80\x81", "\xef\xb7\x8f\xef\xb7\xb0",
					   "\xef\xbf\xbc\xef\xbf\xbd", "\xf4\x8f\xbf\xbd",
					   "微信-支付-001", "\xf0\x9f\x98\x80"};
	struct pm_err e = {0};
	char max[PM_PAY_REF_MAX + 2];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(pm_pay_ref_valid("ref", bad[i].ref, &e), PM_EDATA);
		assert_string_equal(e.msg, bad[i].msg);
	}
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_int_equal(pm_pay_ref_valid("ref", good[i], &e), PM_OK);
	memset(max, 'R', sizeof max - 1);
	max[sizeof max - 1] = '\0';
	assert_int_equal(pm_pay_ref_valid("--ref", max, &e), PM_EDATA);
	assert_string_equal(e.msg, "--ref: 129 bytes: a reference is 1 to 128 bytes of printable UTF-8");
	max[PM_PAY_REF_MAX] = '\0';
	assert_int_equal(pm_pay_ref_valid("--ref", max, &e), PM_OK);
}

/* A channel the config does not name is refused, the nearest suggested;
 * an amount above billing.max_amount likewise, before anything is
 * written. */
static void test_pay_channel_and_bound(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	enum pm_pay_did did;

	assert_int_equal(tbill_pay(t->db, "1-1-101", "alipya", "A1", NULL, 100, &did, NULL, &e), PM_EDATA);
	assert_string_equal(e.msg, "unknown channel \"alipya\" (did you mean \"alipay\"?): payments.channels has"
				   " cash, bank, wechat, alipay, pos");
	assert_int_equal(pm_pay_channel(t->db, "bank", &e), PM_OK);
	assert_int_equal(pm_pay_channel(t->db, "Bank", &e), PM_EDATA);
	assert_string_equal(e.msg, "unknown channel \"Bank\" (did you mean \"bank\"?): payments.channels has"
				   " cash, bank, wechat, alipay, pos");
	assert_int_equal(tbill_pay(t->db, "1-1-101", "bank", "B1", NULL, 1000000001, &did, NULL, &e), PM_EDATA);
	assert_string_equal(e.msg, "field \"amount\": 10000000.01 is above the maximum of 10000000.00 (billing.max_amount)");
	assert_int_equal(tbill_pay(t->db, "1-1-101", "bank", "B1", NULL, 1000000000, &did, NULL, &e), PM_OK);
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) || ' ' || sum(amount_fen) FROM payment"), "1 1000000000");
}

/* A callback delivered twice is one payment; the same (channel, ref)
 * with another amount or unit is a conflict that names both. */
static void test_pay_idempotent(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	enum pm_pay_did did;
	json_t *out;

	billed(t->db);
	/* 100.00 to October's 223.00: TV 8.00, property 92.00 */
	assert_int_equal(tbill_pay(t->db, "1-1-101", "wechat", "W-1", NULL, 10000, &did, &out, &e), PM_OK);
	assert_int_equal(did, PM_PAY_RECORDED);
	assert_int_equal(json_integer_value(json_object_get(out, "payment")), 1);
	assert_int_equal(json_integer_value(json_object_get(out, "allocated_fen")), 10000);
	assert_int_equal(json_integer_value(json_object_get(out, "prepaid_fen")), 0);
	assert_string_equal(json_string_value(json_object_get(out, "outcome")), "recorded");
	json_decref(out);
	assert_string_equal(bill_state(t->db, B10_101), "partial 10000 0");

	assert_int_equal(tbill_pay(t->db, "1-1-101", "wechat", "W-1", NULL, 10000, &did, &out, &e), PM_OK);
	assert_int_equal(did, PM_PAY_DUPLICATE);
	assert_int_equal(json_integer_value(json_object_get(out, "payment")), 1);
	assert_string_equal(json_string_value(json_object_get(out, "outcome")), "duplicate");
	assert_null(json_object_get(out, "allocated_fen"));
	json_decref(out);
	assert_int_equal(tbill_int(t->db, "SELECT count(*) FROM payment"), 1);
	assert_int_equal(tbill_int(t->db, "SELECT count(*) FROM journal WHERE kind = 'payment'"), 1);
	assert_int_equal(tbill_int(t->db, "SELECT count(*) FROM allocation"), 2);
	assert_int_equal(tbill_int(t->db, "SELECT count(*) FROM audit WHERE action = 'bill.pay'"), 1);
	assert_string_equal(bill_state(t->db, B10_101), "partial 10000 0");
	assert_int_equal(tbill_balance(t->db, "cash", "wechat"), 10000);

	assert_int_equal(tbill_pay(t->db, "1-1-101", "wechat", "W-1", NULL, 10100, &did, &out, &e), PM_EDATA);
	assert_null(out);
	assert_string_equal(e.msg, "payment 'wechat:W-1' is already recorded for unit '1-1-101' with amount 100.00:"
				   " this one is for unit '1-1-101' with amount 101.00");
	assert_int_equal(tbill_pay(t->db, "1-1-102", "wechat", "W-1", NULL, 10000, &did, &out, &e), PM_EDATA);
	assert_string_equal(e.msg, "payment 'wechat:W-1' is already recorded for unit '1-1-101' with amount 100.00:"
				   " this one is for unit '1-1-102' with amount 100.00");
	assert_int_equal(tbill_int(t->db, "SELECT count(*) FROM payment"), 1);
	assert_string_equal(bill_state(t->db, B10_101), "partial 10000 0");
	assert_string_equal(bill_state(t->db, B11_102), "issued 0 0");

	/* The ref is the channel's: another channel's W-1 is another payment. */
	assert_int_equal(tbill_pay_ok(t->db, "1-1-102", "W-1x", NULL, 100), 100);
	assert_int_equal(tbill_pay(t->db, "1-1-102", "alipay", "W-1", NULL, 500, &did, NULL, &e), PM_OK);
	assert_int_equal(did, PM_PAY_RECORDED);
	assert_int_equal(tbill_int(t->db, "SELECT count(*) FROM payment WHERE ref = 'W-1'"), 2);
	/* 1.00 then 5.00 of its TV 8.00 */
	assert_string_equal(lines_paid(t->db, B11_102), "1:0 2:0 3:600");
	tbill_check(t->db);
}

/* Within a bill the configured order: TV, property, then garbage, which
 * the order leaves out; the status follows what is paid. */
static void test_allocation_order(void **state)
{
	struct tstore *t = T(state);

	billed(t->db);
	assert_string_equal(bill_state(t->db, B11_102), "issued 0 0");
	/* 50.00: TV 8.00, property 42.00 of 160.00 */
	assert_int_equal(tbill_pay_ok(t->db, "1-1-102", "W-1", NULL, 5000), 5000);
	assert_string_equal(allocations(t->db, B11_102, 1), "3:800 1:4200");
	assert_string_equal(lines_paid(t->db, B11_102), "1:4200 2:0 3:800");
	assert_string_equal(bill_state(t->db, B11_102), "partial 5000 0");
	/* 120.00: the rest of property, 118.00, then garbage 2.00 */
	assert_int_equal(tbill_pay_ok(t->db, "1-1-102", "W-2", NULL, 12000), 12000);
	assert_string_equal(allocations(t->db, B11_102, 2), "1:11800 2:200");
	assert_string_equal(lines_paid(t->db, B11_102), "1:16000 2:200 3:800");
	assert_string_equal(bill_state(t->db, B11_102), "partial 17000 0");
	/* 13.00: garbage's last 13.00, and the bill is paid */
	assert_int_equal(tbill_pay_ok(t->db, "1-1-102", "W-3", NULL, 1300), 1300);
	assert_string_equal(lines_paid(t->db, B11_102), "1:16000 2:1500 3:800");
	assert_string_equal(bill_state(t->db, B11_102), "paid 18300 0");
	assert_int_equal(tbill_int(t->db, "SELECT sum(a.amount_fen) FROM allocation a JOIN bill b ON b.id = a.bill_id"
					  " WHERE b.code = '" B11_102 "'"), 18300);
	assert_int_equal(tbill_balance(t->db, "receivable", "1-1-102"), 0);
	assert_int_equal(tbill_balance(t->db, "prepaid", "1-1-102"), 0);
	assert_int_equal(tbill_balance(t->db, "cash", "wechat"), 18300);
	tbill_check(t->db);
}

/* Unnamed, the oldest due first; named, that bill alone, with the excess
 * prepaid even while an older bill is open. */
static void test_allocation_bills(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};

	billed(t->db);
	/* 30.00 named to November: TV 8.00, property 22.00; October untouched */
	assert_int_equal(tbill_pay_ok(t->db, "1-1-101", "W-1", B11_101, 3000), 3000);
	assert_string_equal(allocations(t->db, B11_101, 1), "3:800 1:2200");
	assert_string_equal(bill_state(t->db, B10_101), "issued 0 0");
	assert_string_equal(tbill_str(t->db, "SELECT b.code FROM payment p JOIN bill b ON b.id = p.bill_id"),
			    B11_101);
	/* 200.00 named to November, which owes 223.00 - 30.00 = 193.00:
	 * 7.00 prepaid, none to October */
	assert_int_equal(tbill_pay_ok(t->db, "1-1-101", "W-2", B11_101, 20000), 19300);
	assert_string_equal(bill_state(t->db, B11_101), "paid 22300 0");
	assert_string_equal(bill_state(t->db, B10_101), "issued 0 0");
	assert_int_equal(tbill_balance(t->db, "prepaid", "1-1-101"), -700);
	/* Unnamed, 250.00: October's 223.00 first (due 15 November), then
	 * nothing open is left: 27.00 prepaid, 34.00 in all */
	assert_int_equal(tbill_pay_ok(t->db, "1-1-101", "W-3", NULL, 25000), 22300);
	assert_string_equal(allocations(t->db, B10_101, 3), "3:800 1:20000 2:1500");
	assert_string_equal(bill_state(t->db, B10_101), "paid 22300 0");
	assert_int_equal(tbill_balance(t->db, "prepaid", "1-1-101"), -3400);
	assert_int_equal(tbill_balance(t->db, "receivable", "1-1-101"), 0);

	/* Someone else's bill, or none such: refused, nothing recorded. */
	assert_int_equal(tbill_pay(t->db, "1-1-101", "wechat", "W-4", B11_102, 100, NULL, NULL, &e), PM_EDATA);
	assert_string_equal(e.msg, "bill '" B11_102 "' is for unit '1-1-102', not '1-1-101'");
	assert_int_equal(tbill_pay(t->db, "1-1-101", "wechat", "W-4", "B-nope", 100, NULL, NULL, &e), PM_EDATA);
	assert_string_equal(e.msg, "unknown bill 'B-nope'");
	assert_int_equal(tbill_pay(t->db, "9-9-999", "wechat", "W-4", NULL, 100, NULL, NULL, &e), PM_EDATA);
	assert_string_equal(e.msg, "unknown unit '9-9-999'");
	assert_int_equal(tbill_int(t->db, "SELECT count(*) FROM payment"), 3);
	tbill_check(t->db);
}

/* Oldest first across two open bills in one payment. */
static void test_allocation_spans_bills(void **state)
{
	struct tstore *t = T(state);

	billed(t->db);
	/* 250.00: October 223.00, then November TV 8.00 and property 19.00 */
	assert_int_equal(tbill_pay_ok(t->db, "1-1-101", "W-1", NULL, 25000), 25000);
	assert_string_equal(allocations(t->db, B10_101, 1), "3:800 1:20000 2:1500");
	assert_string_equal(allocations(t->db, B11_101, 1), "3:800 1:1900");
	assert_string_equal(bill_state(t->db, B10_101), "paid 22300 0");
	assert_string_equal(bill_state(t->db, B11_101), "partial 2700 0");
	/* 223.00 + 223.00 - 250.00 */
	assert_int_equal(tbill_balance(t->db, "receivable", "1-1-101"), 19600);
	assert_int_equal(tbill_balance(t->db, "prepaid", "1-1-101"), 0);
	tbill_check(t->db);
}

/* What no open bill takes is prepaid: the excess over what is owed, or
 * all of it for a unit with nothing open. */
static void test_prepaid(void **state)
{
	struct tstore *t = T(state);
	json_t *out;
	struct pm_err e = {0};
	enum pm_pay_did did;

	billed(t->db);
	/* 150.00 for 123.00 owed: 27.00 prepaid */
	assert_int_equal(tbill_pay(t->db, "1-1-103", "wechat", "W-1", NULL, 15000, &did, &out, &e), PM_OK);
	assert_int_equal(json_integer_value(json_object_get(out, "allocated_fen")), 12300);
	assert_int_equal(json_integer_value(json_object_get(out, "prepaid_fen")), 2700);
	json_decref(out);
	assert_string_equal(bill_state(t->db, B11_103), "paid 12300 0");
	assert_int_equal(tbill_balance(t->db, "prepaid", "1-1-103"), -2700);
	assert_int_equal(tbill_balance(t->db, "receivable", "1-1-103"), 0);

	/* 1-1-104 has no bill: all 80.00 prepaid, nothing allocated. */
	assert_int_equal(tbill_pay(t->db, "1-1-104", "bank", "B-1", NULL, 8000, &did, &out, &e), PM_OK);
	assert_int_equal(json_integer_value(json_object_get(out, "allocated_fen")), 0);
	assert_int_equal(json_integer_value(json_object_get(out, "prepaid_fen")), 8000);
	json_decref(out);
	assert_int_equal(tbill_int(t->db, "SELECT count(*) FROM allocation WHERE payment_id = 2"), 0);
	assert_int_equal(tbill_balance(t->db, "prepaid", "1-1-104"), -8000);
	assert_int_equal(tbill_balance(t->db, "cash", "bank"), 8000);
	assert_string_equal(tbill_str(t->db, "SELECT group_concat(account || ' ' || amount_fen, ', ') FROM posting"
					     " WHERE journal_id = (SELECT max(id) FROM journal)"),
			    "cash:bank 8000, prepaid:1-1-104 -8000");
	tbill_check(t->db);
}

/* A prepaid balance pays the bill at issue, in the allocation order, and
 * what it does not use stays for the next bill. */
static void test_prepaid_at_issue(void **state)
{
	struct tstore *t = T(state);
	struct pm_bill_issue is;

	assert_int_equal(tbill_pay_ok(t->db, "1-1-104", "W-1", NULL, 8000), 0);
	assert_int_equal(tbill_pay_ok(t->db, "1-1-103", "W-2", NULL, 20000), 0);
	tbill_run(t->db, "2026-11", "1-1-103", 0);
	tbill_run(t->db, "2026-11", "1-1-104", 0);
	assert_string_equal(bill_state(t->db, B11_104), "draft 0 0");
	is = tbill_issue(t->db, "2026-11", NULL);
	assert_int_equal(is.issued, 2);
	/* 123.00 + 143.00 charged; 80.00 and 123.00 of 200.00 from prepaid */
	assert_int_equal(is.total, 26600);
	assert_int_equal(is.prepaid, 20300);
	/* Due on billing.due_day of the next month. */
	assert_string_equal(tbill_str(t->db, "SELECT due FROM bill WHERE code = '" B11_104 "'"), "2026-12-15");
	/* 80.00 to 143.00: TV 8.00, property 72.00 of 120.00 */
	assert_string_equal(allocations(t->db, B11_104, 0), "3:800 1:7200");
	assert_string_equal(bill_state(t->db, B11_104), "partial 8000 0");
	assert_int_equal(tbill_balance(t->db, "prepaid", "1-1-104"), 0);
	assert_int_equal(tbill_balance(t->db, "receivable", "1-1-104"), 6300);
	assert_string_equal(bill_state(t->db, B11_103), "paid 12300 0");
	assert_int_equal(tbill_balance(t->db, "prepaid", "1-1-103"), -7700);

	/* December: the 77.00 left pays TV 8.00 and property 69.00. */
	tbill_run(t->db, "2026-12", "1-1-103", 0);
	is = tbill_issue(t->db, "2026-12", NULL);
	assert_int_equal(is.prepaid, 7700);
	assert_string_equal(allocations(t->db, "B-2026-12-1-1-103", 0), "3:800 1:6900");
	assert_string_equal(bill_state(t->db, "B-2026-12-1-1-103"), "partial 7700 0");
	assert_string_equal(tbill_str(t->db, "SELECT due FROM bill WHERE code = 'B-2026-12-1-1-103'"), "2027-01-15");
	assert_int_equal(tbill_balance(t->db, "prepaid", "1-1-103"), 0);
	tbill_check(t->db);
}

static int refund(struct pm_db *db, int64_t payment, int64_t amount, struct pm_err *e)
{
	json_t *out = NULL;
	int rc = pm_bill_refund(db, payment, amount, "退款", &out, e);

	if (rc == PM_OK)
		assert_int_equal(json_integer_value(json_object_get(out, "amount_fen")), amount);
	else
		assert_null(out);
	json_decref(out);
	return rc;
}

/* Bills take the oldest prepaid money first, so what is left of the
 * balance is the newest payments': a payment whose money paid bills has
 * nothing to refund even while the balance holds a later one's (an old
 * owner's payment refunded out of a new owner's prepaid money, before). */
static void test_refund_oldest_spent(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};

	/* 100.00 then 60.00 prepaid; the November bill of 143.00 takes 143.00. */
	assert_int_equal(tbill_pay_ok(t->db, "1-1-104", "W-1", NULL, 10000), 0);
	assert_int_equal(tbill_pay_ok(t->db, "1-1-104", "W-2", NULL, 6000), 0);
	tbill_run(t->db, "2026-11", "1-1-104", 0);
	assert_int_equal(tbill_issue(t->db, "2026-11", NULL).prepaid, 14300);
	assert_int_equal(tbill_balance(t->db, "prepaid", "1-1-104"), -1700);
	assert_int_equal(refund(t->db, 1, 1, &e), PM_EFAIL);
	assert_string_equal(e.msg, "payment 1 has only 0.00 left to refund: 100.00 of it paid bills");
	assert_int_equal(refund(t->db, 2, 1701, &e), PM_EFAIL);
	assert_string_equal(e.msg, "unit '1-1-104' has only 17.00 prepaid: credit the bills first");
	assert_int_equal(refund(t->db, 2, 1700, &e), PM_OK);
	assert_int_equal(tbill_balance(t->db, "prepaid", "1-1-104"), 0);

	/* 10.00 more: W-3's, not W-2's, though W-2 paid 43.00 more than it got back. */
	assert_int_equal(tbill_pay_ok(t->db, "1-1-104", "W-3", NULL, 1000), 0);
	assert_int_equal(refund(t->db, 2, 1, &e), PM_EFAIL);
	assert_string_equal(e.msg, "payment 2 has only 0.00 left to refund: 43.00 of it paid bills");
	assert_int_equal(refund(t->db, 3, 1001, &e), PM_EFAIL);
	assert_string_equal(e.msg, "unit '1-1-104' has only 10.00 prepaid: credit the bills first");
	assert_int_equal(refund(t->db, 3, 1000, &e), PM_OK);
	assert_string_equal(tbill_str(t->db, "SELECT group_concat(refunded_fen, ' ') FROM payment ORDER BY id"),
			    "0 1700 1000");
	assert_int_equal(tbill_balance(t->db, "prepaid", "1-1-104"), 0);
	assert_int_equal(tbill_balance(t->db, "cash", "wechat"), 16000 + 1000 - 2700);
	tbill_check(t->db);
}

/* A refund comes from the prepaid balance and is no more than what is
 * left of the payment. One pm_err serves every call, as in a program
 * that goes on after a refusal. */
static void test_refund(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};

	billed(t->db);
	/* Payment 1: 150.00 for 123.00 owed, 27.00 prepaid. */
	assert_int_equal(tbill_pay_ok(t->db, "1-1-103", "W-1", NULL, 15000), 12300);
	assert_int_equal(refund(t->db, 1, 0, &e), PM_EUSAGE);
	assert_string_equal(e.msg, "a refund must be more than 0");
	assert_int_equal(refund(t->db, 99, 100, &e), PM_EDATA);
	assert_string_equal(e.msg, "unknown payment '99'");
	assert_int_equal(refund(t->db, 1, 2701, &e), PM_EFAIL);
	assert_string_equal(e.msg, "unit '1-1-103' has only 27.00 prepaid: credit the bills first");
	assert_int_equal(tbill_int(t->db, "SELECT count(*) FROM journal WHERE kind = 'refund'"), 0);
	assert_int_equal(refund(t->db, 1, 2000, &e), PM_OK);
	assert_int_equal(tbill_int(t->db, "SELECT refunded_fen FROM payment WHERE id = 1"), 2000);
	assert_int_equal(tbill_balance(t->db, "prepaid", "1-1-103"), -700);
	assert_int_equal(tbill_balance(t->db, "cash", "wechat"), 13000);
	assert_string_equal(bill_state(t->db, B11_103), "paid 12300 0");
	assert_int_equal(refund(t->db, 1, 701, &e), PM_EFAIL);
	assert_string_equal(e.msg, "unit '1-1-103' has only 7.00 prepaid: credit the bills first");

	/* Payments 2 and 3 prepay 10.00 and 50.00: 60.00 is prepaid, but
	 * payment 2 can give back no more than its 10.00. */
	assert_int_equal(tbill_pay_ok(t->db, "1-1-104", "W-2", NULL, 1000), 0);
	assert_int_equal(tbill_pay_ok(t->db, "1-1-104", "W-3", NULL, 5000), 0);
	assert_int_equal(refund(t->db, 2, 1001, &e), PM_EFAIL);
	assert_string_equal(e.msg, "payment 2 has only 10.00 left to refund");
	assert_int_equal(refund(t->db, 2, 600, &e), PM_OK);
	assert_int_equal(refund(t->db, 2, 401, &e), PM_EFAIL);
	assert_string_equal(e.msg, "payment 2 has only 4.00 left to refund");
	assert_int_equal(refund(t->db, 2, 400, &e), PM_OK);
	assert_int_equal(refund(t->db, 2, 1, &e), PM_EFAIL);
	assert_string_equal(e.msg, "payment 2 has only 0.00 left to refund");
	assert_int_equal(tbill_balance(t->db, "prepaid", "1-1-104"), -5000);
	assert_int_equal(tbill_int(t->db, "SELECT count(*) FROM journal WHERE kind = 'refund'"), 3);
	assert_int_equal(tbill_int(t->db, "SELECT count(*) FROM audit WHERE action = 'bill.refund'"), 3);
	tbill_check(t->db);
}

/* A late-fee run; e carries an earlier failure, as a caller's reused
 * pm_err may, which the run must not take for one of its own. */
static struct pm_late_run late(struct pm_db *db, const char *as_of)
{
	struct pm_late_run r = {.as_of = tbill_day(as_of)};
	struct pm_err e = {.code = PM_EFAIL, .msg = "an earlier failure"};

	if (pm_bill_late_fees(db, &r, &e))
		fail_msg("late fees %s: %s", as_of, e.msg);
	return r;
}

static const char *late_rows(struct pm_db *db, const char *code)
{
	return tbill_str(db, "SELECT group_concat(as_of || ' ' || days || ' ' || principal_fen || ' ' || amount_fen, ', ')"
			     " FROM (SELECT l.* FROM late_fee l JOIN bill b ON b.id = l.bill_id WHERE b.code = '%s'"
			     " ORDER BY l.as_of)", code);
}

/* 5 bp a day of the principal (what the lines not exempt still owe),
 * counted from the due date once the 5 days' grace are past, never on
 * late fees, up to 10% of the principal; re-runs add only new days. */
static void test_late_fees(void **state)
{
	struct tstore *t = T(state);
	struct pm_late_run r;

	tbill_run(t->db, "2026-11", NULL, 0);
	assert_int_equal(tbill_issue(t->db, "2026-11", "2026-12-15").issued, 4);
	/* 50.50 from 1-1-102: TV 8.00, property 42.50: principal 160.00 -
	 * 42.50 = 117.50 */
	assert_int_equal(tbill_pay_ok(t->db, "1-1-102", "W-1", NULL, 5050), 5050);

	/* 20 December: 5 days, within the grace. */
	r = late(t->db, "2026-12-20");
	assert_int_equal(r.charged, 0);
	assert_int_equal(r.total, 0);
	assert_int_equal(tbill_int(t->db, "SELECT count(*) FROM late_fee"), 0);
	assert_int_equal(tbill_int(t->db, "SELECT count(*) FROM audit WHERE action = 'bill.late_fees'"), 0);

	/* 25 December, 10 days:
	 * 101: principal 200.00 + 8.00 (garbage exempt) = 20800 fen;
	 *      20800 × 5 / 10000 × 10 = 104
	 * 102: 11750 × 5 / 10000 × 10 = 58.75 → 59, half up
	 * 103: an exempt unit
	 * 104: 12000 + 800 = 12800; × 5 / 10000 × 10 = 64 */
	r = late(t->db, "2026-12-25");
	assert_int_equal(r.charged, 3);
	assert_int_equal(r.total, 104 + 59 + 64);
	assert_string_equal(late_rows(t->db, B11_101), "2026-12-25 10 20800 104");
	assert_string_equal(late_rows(t->db, B11_102), "2026-12-25 10 11750 59");
	assert_string_equal(late_rows(t->db, B11_103), "");
	assert_string_equal(late_rows(t->db, B11_104), "2026-12-25 10 12800 64");
	assert_string_equal(bill_state(t->db, B11_101), "issued 0 104");
	assert_string_equal(bill_state(t->db, B11_102), "partial 5050 59");
	assert_int_equal(tbill_balance(t->db, "income", "late_fee"), -227);
	/* 223.00 + 1.04 */
	assert_int_equal(tbill_balance(t->db, "receivable", "1-1-101"), 22404);
	assert_int_equal(tbill_int(t->db, "SELECT count(*) FROM audit WHERE action = 'bill.late_fees'"), 1);

	/* The same day again, and an earlier one: nothing. */
	r = late(t->db, "2026-12-25");
	assert_int_equal(r.charged, 0);
	r = late(t->db, "2026-12-21");
	assert_int_equal(r.charged, 0);
	assert_int_equal(r.total, 0);
	assert_int_equal(tbill_int(t->db, "SELECT count(*) FROM late_fee"), 3);
	assert_int_equal(tbill_balance(t->db, "income", "late_fee"), -227);

	/* 10.00 from 1-1-101 (TV 8.00, property 2.00) lowers its principal
	 * to 19800; late fees are not principal, so none of it. */
	assert_int_equal(tbill_pay_ok(t->db, "1-1-101", "W-2", NULL, 1000), 1000);
	assert_string_equal(allocations(t->db, B11_101, 2), "3:800 1:200");

	/* 31 December, 16 days: only the 6 new ones, on what is owed now:
	 * 101: 19800 × 5 / 10000 × 6 = 59.4 → 59, 163 in all
	 * 102: 11750 × 30 / 10000 = 35.25 → 35, 94 in all
	 * 104: 12800 × 30 / 10000 = 38.4 → 38, 102 in all */
	r = late(t->db, "2026-12-31");
	assert_int_equal(r.charged, 3);
	assert_int_equal(r.total, 59 + 35 + 38);
	assert_string_equal(late_rows(t->db, B11_101), "2026-12-25 10 20800 104, 2026-12-31 16 19800 59");
	assert_string_equal(late_rows(t->db, B11_102), "2026-12-25 10 11750 59, 2026-12-31 16 11750 35");
	assert_string_equal(bill_state(t->db, B11_104), "issued 0 102");

	/* 15 July 2027, 212 days, 196 new, against the cap of 10%:
	 * 101: 19800 × 5 × 196 / 10000 = 1940.4 → 1940; cap 1980 - 163 = 1817
	 * 102: 11750 × 980 / 10000 = 1151.5 → 1152; cap 1175 - 94 = 1081
	 * 104: 12800 × 980 / 10000 = 1254.4 → 1254; cap 1280 - 102 = 1178 */
	r = late(t->db, "2027-07-15");
	assert_int_equal(r.charged, 3);
	assert_int_equal(r.total, 1817 + 1081 + 1178);
	assert_string_equal(bill_state(t->db, B11_101), "partial 1000 1980");
	assert_string_equal(bill_state(t->db, B11_102), "partial 5050 1175");
	assert_string_equal(bill_state(t->db, B11_103), "issued 0 0");
	assert_string_equal(bill_state(t->db, B11_104), "issued 0 1280");
	/* At the cap, a later day adds nothing. */
	r = late(t->db, "2027-08-01");
	assert_int_equal(r.charged, 0);
	assert_int_equal(tbill_int(t->db, "SELECT count(*) FROM late_fee"), 9);
	tbill_check(t->db);

	/* Paying all that is owed, 223.00 - 10.00 + 19.80, pays the lines
	 * first (property 198.00, garbage 15.00), the late fees last. */
	assert_int_equal(tbill_pay_ok(t->db, "1-1-101", "W-3", NULL, 23280), 23280);
	assert_string_equal(allocations(t->db, B11_101, 3), "1:19800 2:1500 0:1980");
	assert_string_equal(bill_state(t->db, B11_101), "paid 24280 1980");
	assert_int_equal(tbill_balance(t->db, "receivable", "1-1-101"), 0);
	/* A paid bill is charged no more. */
	r = late(t->db, "2027-12-31");
	assert_int_equal(r.charged, 0);
	tbill_check(t->db);
}

/* Late fees on a principal that is 0 after exempt items: none. */
static void test_late_fees_exempt_items(void **state)
{
	struct tstore *t = T(state);
	struct pm_late_run r;

	billed(t->db);
	/* 1-1-102 pays all but garbage: 183.00 - 15.00 = 168.00 */
	assert_int_equal(tbill_pay_ok(t->db, "1-1-102", "W-1", NULL, 16800), 16800);
	assert_string_equal(lines_paid(t->db, B11_102), "1:16000 2:0 3:800");
	r = late(t->db, "2026-12-25");
	assert_string_equal(late_rows(t->db, B11_102), "");
	/* October's bill of 1-1-101 is 40 days past due: 20800 × 5 × 40 /
	 * 10000 = 416; November's 104. */
	assert_string_equal(late_rows(t->db, B10_101), "2026-12-25 40 20800 416");
	assert_string_equal(late_rows(t->db, B11_101), "2026-12-25 10 20800 104");
	assert_int_equal(r.charged, 2);
	assert_int_equal(r.total, 520);
	tbill_check(t->db);
}

int main(void)
{
#define T_(f) cmocka_unit_test_setup_teardown(f, setup, tstore_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pay_parse),
		T_(test_pay_ref_trimmed),
		cmocka_unit_test(test_pay_ref_valid),
		T_(test_pay_channel_and_bound),
		T_(test_pay_idempotent),
		T_(test_allocation_order),
		T_(test_allocation_bills),
		T_(test_allocation_spans_bills),
		T_(test_prepaid),
		T_(test_prepaid_at_issue),
		T_(test_refund),
		T_(test_refund_oldest_spent),
		T_(test_late_fees),
		T_(test_late_fees_exempt_items),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
