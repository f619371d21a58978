#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "pm/notify.h"

/* Expected signatures were computed outside the code, with Python:
 *   base64(hmac.new(secret, (ts + "\n").encode() + secret, sha256))
 * then urllib.parse.quote_plus; and hmac.new(key, body, sha256).hexdigest(). */
static void test_dingtalk_sign(void **state)
{
	char sign[128];

	pm_dingtalk_sign("SEC000secret", INT64_C(1700000000000), sign);
	assert_string_equal(sign, "tTfOwY6eBcGZXnIEbxsq%2BNl6fWOBelRgIv5rn6hl3fg%3D");
}

static void test_mime_header(void **state)
{
	char *h = pm_mime_header("Bill 2026-11");

	assert_string_equal(h, "Bill 2026-11");
	free(h);
	/* "幸福里账单" is e5b9b8 e7a68f e9878c e8b4a6 e58d95 */
	h = pm_mime_header("幸福里账单");
	assert_string_equal(h, "=?UTF-8?B?5bm456aP6YeM6LSm5Y2V?=");
	free(h);
	/* 20 characters of 3 bytes: cut after 15 (45 bytes), never inside one */
	h = pm_mime_header("一二三四五六七八九十一二三四五六七八九十");
	assert_non_null(strstr(h, "?=\r\n =?UTF-8?B?"));
	assert_null(strstr(h + strlen(h) - 2, "\r\n"));
	free(h);
}

static void expect_verdict(enum pm_channel ch, long status, int failed, int temporary,
			   const char *body, enum pm_verdict want, const char *reason)
{
	struct pm_http_res res = {.status = status, .failed = failed, .temporary = temporary,
				  .body = (char *)body, .len = strlen(body)};
	char why[300];

	snprintf(res.error, sizeof res.error, "Timeout was reached");
	assert_int_equal(pm_notify_verdict(ch, &res, why, sizeof why), want);
	assert_string_equal(why, reason);
}

static void test_verdicts(void **state)
{
	expect_verdict(PM_CH_WEBHOOK, 200, 0, 0, "", PM_SENT, "");
	expect_verdict(PM_CH_WEBHOOK, 204, 0, 0, "", PM_SENT, "");
	expect_verdict(PM_CH_WEBHOOK, 429, 0, 0, "slow", PM_RETRY, "HTTP 429: slow");
	expect_verdict(PM_CH_SMS, 503, 0, 0, "", PM_RETRY, "HTTP 503: ");
	expect_verdict(PM_CH_SMS, 401, 0, 0, "bad key", PM_FAILED, "HTTP 401: bad key");
	expect_verdict(PM_CH_WEBHOOK, 0, 1, 1, "", PM_RETRY, "Timeout was reached");
	expect_verdict(PM_CH_WEBHOOK, 0, 1, 0, "", PM_FAILED, "Timeout was reached");
	expect_verdict(PM_CH_WECOM, 200, 0, 0, "{\"errcode\":0,\"errmsg\":\"ok\"}", PM_SENT, "");
	expect_verdict(PM_CH_WECOM, 200, 0, 0, "{\"errcode\":93000,\"errmsg\":\"invalid webhook url\"}",
		       PM_FAILED, "errcode 93000: invalid webhook url");
	expect_verdict(PM_CH_WECOM, 200, 0, 0, "{\"errcode\":45009,\"errmsg\":\"freq\"}", PM_RETRY,
		       "errcode 45009: freq");
	expect_verdict(PM_CH_DINGTALK, 200, 0, 0, "<html>", PM_RETRY, "the answer has no errcode: <html>");
	expect_verdict(PM_CH_DINGTALK, 200, 0, 0, "{\"errcode\":310000,\"errmsg\":\"sign not match\"}",
		       PM_FAILED, "errcode 310000: sign not match");
	expect_verdict(PM_CH_EMAIL, 250, 0, 0, "", PM_SENT, "");
	expect_verdict(PM_CH_EMAIL, 550, 1, 1, "", PM_FAILED, "SMTP 550: Timeout was reached");
	expect_verdict(PM_CH_EMAIL, 451, 1, 1, "", PM_RETRY, "SMTP 451: Timeout was reached");
}

static void test_channel_names(void **state)
{
	enum pm_channel ch;
	struct pm_err e = {0};

	for (int i = 0; i < PM_CH_COUNT; i++) {
		assert_int_equal(pm_channel_parse(pm_channel_name((enum pm_channel)i), &ch, &e), PM_OK);
		assert_int_equal(ch, i);
	}
	assert_int_equal(pm_channel_parse("fax", &ch, &e), PM_EDATA);
	assert_string_equal(e.msg, "unknown channel 'fax': expected stdout, webhook, wecom, dingtalk, email or sms");
}

static void expect_ref(const char *rec_text, const char *want)
{
	json_t *rec = json_loads(rec_text, 0, NULL);
	char *ref;

	assert_non_null(rec);
	ref = pm_notify_ref(rec);
	assert_string_equal(ref, want);
	free(ref);
	json_decref(rec);
}

/* The dedupe identity: by type, else id, else the type's field, else a
 * digest, whose expected values were computed with Python:
 *   hashlib.sha256(json.dumps(rec, sort_keys=True, separators=(",", ":"),
 *                  ensure_ascii=False).encode()).hexdigest()[:16] */
static void test_ref(void **state)
{
	expect_ref("{\"type\":\"sla_breach\",\"ticket\":2,\"clock\":\"resolve\",\"unit\":\"2-1-1502\"}", "2:resolve");
	expect_ref("{\"type\":\"sla_breach\",\"ticket\":2,\"clock\":\"accept\"}", "2:accept");
	expect_ref("{\"type\":\"ticket\",\"id\":1,\"status\":\"resolved\",\"unit\":\"1-1-101\"}", "1:resolved");
	expect_ref("{\"type\":\"anomaly\",\"rule\":\"spike\",\"period\":\"2026-11\",\"meter\":\"W1\","
		   "\"usage\":\"16.000\"}", "spike:W1:2026-11");
	expect_ref("{\"type\":\"anomaly\",\"rule\":\"decrease_rejected\",\"period\":\"2026-11\",\"meter\":\"W1\","
		   "\"ts\":\"2026-11-03T08:00:00+08:00\"}", "decrease_rejected:W1:2026-11:2026-11-03T08:00:00+08:00");
	expect_ref("{\"type\":\"bill\",\"bill\":\"B-2026-11-1-1-1002\",\"unit\":\"1-1-1002\"}", "B-2026-11-1-1-1002");
	expect_ref("{\"type\":\"payment\",\"payment\":145,\"ref\":\"demo-x\"}", "145");
	expect_ref("{\"type\":\"announcement\",\"id\":7,\"unit\":\"3-2-1101\"}", "7");
	/* a ticket without its status is known by its id; an empty id is none */
	expect_ref("{\"type\":\"ticket\",\"id\":3}", "3");
	expect_ref("{\"type\":\"bill\",\"id\":\"\",\"bill\":\"B-1\"}", "B-1");
	/* the type's own field must be text or an integer */
	expect_ref("{\"type\":\"anomaly\",\"anomaly\":{\"a\":1},\"unit\":\"3-2-1101\"}", "07861e9bdf792e27");
	expect_ref("{\"unit\":\"3-2-1101\",\"title\":\"停水\"}", "2ea08a3d55b5ed38");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dingtalk_sign),
		cmocka_unit_test(test_mime_header),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_channel_names),
		cmocka_unit_test(test_ref),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
