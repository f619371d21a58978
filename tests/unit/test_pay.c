/* libpm-pay's signatures and decryption against vectors made apart from
 * it: the RSA signatures by the openssl CLI (openssl dgst -sha256 -sign
 * key.pem FILE | base64 -w0, FILE holding the string signed, as the
 * comments say), the AES-GCM ciphertext by Python's cryptography module.
 * RSASSA-PKCS1-v1_5 is deterministic, so a signature pm makes must be
 * those bytes exactly. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "pm/pay.h"
#include "pay-internal.h"
#include "tpay.h"

/* A notification body whose resource Python's cryptography encrypted (AESGCM, key
 * "0123456789abcdefghijklmnopqrstuv", nonce "fdasflkja484", associated data "transaction"). */
static const char WX_BODY[] =
	"{\"id\":\"EV-2018022511223320873\",\"create_time\":\"2026-12-01T10:05:01+08:00\",\"resourc"
	"e_type\":\"encrypt-resource\",\"event_type\":\"TRANSACTION.SUCCESS\",\"summary\":\"支付成功\","
	"\"resource\":{\"original_type\":\"transaction\",\"algorithm\":\"AEAD_AES_256_GCM\",\"ciphe"
	"rtext\":\"kdUy8AAEd+F97t+v/8pygRXsZH8tC3RtMchS24m9Vng9lHppM9DYR+Hxr97KWZrRojHDjRbuQcOvBYq9"
	"jNsZHTq6GgLI6P6wVSVG2L5xNYoIF+sJQ3XBRlG4fjDAczciOEh67oMlJqgAsPI2g+laQsnYN3vKsYZiPFHlxqLMJR"
	"AeB60HesDTA7gbzvztzlLfu4B2tQm3u8Y468EOqQ/jEvRpdqAcUZzf8y37X1pBcNipbAawdQR337o39fz9SidHy7wc"
	"mUC2rwHlBriieDgIhQ+ijxUoiOOqZ4sTwQ/HdyXPCLEHBplm4TJNvCZ9muSwc7ButqBaauHzfh896Wpwfmlpf2gXlb"
	"YB8Qtg5Mk38cC+fOmwRqU+T8Hw1D5tewKz9CDm/I4LhDZznLkHXGWvPk6oow1tGGbNL/Df4HpS3Xox1jC0Xjtl6kHa"
	"WYeNk6RnH9yUDbwsqFOOszXb+yR7Tb8ZCDs9DMoizr6wWQ/UnFLNz0SMLQNlV2cFqTFmi9FEGPcsut/Vct3XntPE7s"
	"Uf/EGOyOyDUlZL/6l4JT0EzA+9OVfzt/6co8EKA4ClyPnD8XDEifm4\",\"associated_data\":\"transaction"
	"\",\"nonce\":\"fdasflkja484\"}}";

static const char S1_SIG[] = "KXAHWgM3sRmUj9TM/GUmFoBo1S13O9ThRl80k/t5hwznUnzp9EIkJqsCUZZI/HlfQMK/hJ8MzZDdr4TdiwWX0/K9kk+9Fjf2DYsFCXVD9u4uPwRlBd5+XKMbocqU+HQ/JRX+04zd3jDEG5lbWLnvY8WT/LEjwrE/cu26r4esmC3318hOG7BWlWPeeaHFP+bQVjiHyuOaVkY8mm2YlZYRjdO+xBjYCPMM0rvjmW8sRIJKAoL3QU1xDdnmZqUvzJ9N8CUh5IW9SKneZ5f8+RYLkDrOc+264TN0gR+T9yC9IPPyg9Wt8Seb2FkL43vNOMej2PT8dEq82LU8SwA1lx4nSA==";

static const char S2_SIG[] = "PRUAPCBYDoRWtm6IPBc8FyzoCOjSoHFXnDYe7Wbddct7GNc8JWE9RwoQlXL5EkYDOIBgx/s0Mh9c+HB0KL4o1nMP16LWBW0syqG5SwWPfAMUgCGt/3yo8BQ0J6I51lW2U9W/RtWkXpkXpIqy1Wulx60imvebUZgX+hIKGB4QVnhjPMSyQ35842OEIalW1dk0x6oYsAgiMIzf8IfaFtqhxAvSeaDb2TSifsWP+jmNgvyVldAIpRkWru5vaTMn1cDABXahAH+c4z8L3484B+S/vpe55+Wc9sXkEGzb2s2aLUVUpN+L2ny2c2a2mII3VStJZw6h57XfmBkAY+6QjWmlnw==";

static const char S3_SIG[] = "PrZa/gpk83Sxd0r7vI8EztZHiaAvXwwgakLaWaGIMv9pWTCsotk1JfOwnc4WmlFKEl65xIAzIoVWQVmRoN1qyIKrE2rVw6Z3Z7CeVnorrfWNq67MjmGj/DD1UXJF1OQDy4QfdOi8oDPDTRVk5OAVpRn45XQB51zNtl5Hp6BUcyX3hlkRJ6DqRq4L5QNrHTg+nS8ENsRK+OkwuaR9yt+tVYqo65DDGWbDU/j+X1cgtWTjmqQ8XO9pDiIX5z/DRadPEdMaMOuwu5aSqSHu1keFSZ4h5zCueNjrD6f3vc7RFkFgqR8qavX2T/lyFCUujBgh7s7M41YYfk78ws7o/A2A4Q==";

static const char A1_SIG[] = "vLVa6pXgenZJtq/qx+JMfPCeCxPssY8YnT8on/RCQYhrfq3/1F2AtIj+GDdN+z0GyrmtY91OQ8uA9p22bJ8KYTJhLtSi1HfcOGUYk3nkvijsTEEhBAqrktg/rEgGo3uhvbrPofe/JnF3ezzyGrAWUof5FexuUngLwauwNenPaQddHvADZj4R4tPbtsBML9V957DI9W1lMWJsvMdIeMIz7FJD9sS3Z290AZujwJ7ln7aYAWFKKzZ7qYVOMH07EwFAc6Ii0CCoGt/DuO/9X6IMqdH30zM0Q8gCzr6uQHWeBGNr01ABwxzC5QqnHU30/67UGHWDymalQHNC/58mRUWTBA==";

static const char A2_SIG[] = "Cf5mzRTCrlhJLp3STJkuJfKFI0vgMWqDOS5a4czrYGImutuvq5H6ymul7P+R8IRSlngY8SCF5XSBlmZUXX+a9blp6iIi6s/MzeaQcX/3vOshQ08G4GhBYaf3eY1CfdA0usQ6TlRu0K2W+gb3Xz/i1TxkrteXUPrdEMPbRTWlYQ2sf5Ju8K8I8lv78S//0l6IgrQH1R8nQC4zuYI6pFVZsUhVuMcXX60qbCM9cYQmoGx4SQQuYVWLqtHq5LfkNJT1qFL9XhkuMibUsseuRhAnxGLUDt/BlxMl1x3pZDgSFXKURM9alG039tRGJEA+c3HaC9NYDSAlF9cHP8/hd8Bf6w==";

static const char A3_SIG[] = "sMFIvu0SeEUS4Q61f4Ru5O26X0+I98ylmLHf5DNd8q87ysfhNhT8HaimxtOabPU4IXXTNixPYS0UBWdI3HJz2qm6VX0J42QRmDxLzMCaqqFqNHZE6K5ON3kJw/0EqFPY81vu/HCc1LWXBgyxB/RUtiWGVVe7y/b65u9lC8CLm1RmGYTUx+PfJxC4tTgbEBBt9ymqtDzrNl0mfi+3LPOpGknUf2Lhwt3GaOL/D8QVTy32/ZmPkDTnqvb1jlOEOeKhsUgD3LAnBTQ51gvHXS3jFA25MfPQc8pL9Uo99eV7QMApPzNcWjG0uV+F6P97TYTjYux4BtqXzKWV0SAAUc3qQg==";

static const char A3_TEXT[] =
	"{\"code\":\"10000\",\"msg\":\"Success\",\"out_trade_no\":\"PM20261201A1B2C3D4E5F60718\",\""
	"trade_no\":\"2026120122001000000000000001\",\"trade_status\":\"TRADE_SUCCESS\",\"total_amo"
	"unt\":\"88.88\",\"send_pay_date\":\"2026-12-01 10:05:00\",\"note\":\"a \\\"quoted\\\" {bra"
	"ce} \\\\\"}";

/* A base64 signature as a form field: +, / and = escaped. */
static char *form_escaped(const char *sig)
{
	char *out = malloc(3 * strlen(sig) + 1);
	size_t n = 0;

	for (const char *s = sig; *s; s++)
		n += (size_t)snprintf(out + n, 4, *s == '+' ? "%%2B" : *s == '/' ? "%%2F" : *s == '=' ? "%%3D" : "%c", *s);
	return out;
}

#define SERIAL "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
#define ORDER "PM20261201A1B2C3D4E5F60718"

static EVP_PKEY *key(void)
{
	struct pm_err e = {0};
	EVP_PKEY *k = pay_key_private(KEY, "test", &e);

	assert_non_null(k);
	return k;
}

/* S1: "GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n", the
 * string of 微信支付 签名生成's example; S2: a POST with its body. */
static void test_wx_authorization(void **state)
{
	struct wechat w = {.mchid = "1900009191", .serial = SERIAL, .key = key()};
	struct pm_err e = {0};
	char want[1024], *h;

	h = wx_authorization(&w, "GET", "/v3/certificates", "", 1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242", &e);
	snprintf(want, sizeof want, "Authorization: WECHATPAY2-SHA256-RSA2048 mchid=\"1900009191\","
		 "nonce_str=\"593BEC0C930BF1AFEB40B4A08C8FB242\",timestamp=\"1554208460\",serial_no=\"" SERIAL "\","
		 "signature=\"%s\"", S1_SIG);
	assert_string_equal(h, want);
	free(h);
	h = wx_authorization(&w, "POST", "/v3/pay/transactions/native",
			     "{\"appid\":\"wx8888888888888888\",\"mchid\":\"1900000001\"}", 1796090400,
			     "A1B2C3D4E5F60718293A4B5C6D7E8F90", &e);
	assert_non_null(strstr(h, S2_SIG));
	free(h);
	EVP_PKEY_free(w.key);
}

static struct wechat platform(void)
{
	struct wechat w = {.mchid = "1900000001", .appid = "wx8888888888888888", .ncert = 1};
	struct pm_err e = {0};

	w.cert[0].pub = pay_cert(CERT, w.cert[0].serial, "test", &e);
	assert_non_null(w.cert[0].pub);
	assert_string_equal(w.cert[0].serial, SERIAL);
	memcpy(w.v3, "0123456789abcdefghijklmnopqrstuv", 32);
	return w;
}

/* S3: "1796090701\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\n" WX_BODY "\n", the
 * 签名验证 string of a notification. */
static void test_wx_verify(void **state)
{
	static const char *const cases[][2] = {
		{"1796090701", SERIAL}, {"1796090701", "5157f09efdc096de15ebe81a47057a7232f1b8e1"},
		{"1796090701", "005157F09EFDC096DE15EBE81A47057A7232F1B8E1"},
	};
	struct wechat w = platform();
	struct pm_err e = {0};
	char ts[64], serial[96], sig[600];
	const char *h[] = {ts, "Wechatpay-Nonce: 5K8264ILTKCH16CQ2502SI8ZNMTM67VS", sig, serial, NULL, NULL};
	size_t len = strlen(WX_BODY);

	snprintf(sig, sizeof sig, "Wechatpay-Signature: %s", S3_SIG);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		snprintf(ts, sizeof ts, "Wechatpay-Timestamp: %s", cases[i][0]);
		snprintf(serial, sizeof serial, "Wechatpay-Serial: %s", cases[i][1]);
		assert_int_equal(wx_verify(&w, h, WX_BODY, len, 1796090701 + 300, &e), PM_OK);
		assert_int_equal(wx_verify(&w, h, WX_BODY, len, 1796090701 - 300, &e), PM_OK);
	}
	assert_int_equal(wx_verify(&w, h, WX_BODY, len, 1796090701 + 301, &e), PM_EDATA);
	assert_string_equal(e.msg, "stale: Wechatpay-Timestamp 1796090701 is 301 s from the clock (at most 300)");
	assert_int_equal(wx_verify(&w, h, WX_BODY, len - 1, 1796090701, &e), PM_EDATA);
	assert_string_equal(e.msg, "the signature does not verify");
	snprintf(serial, sizeof serial, "Wechatpay-Serial: 5157F09EFDC096DE15EBE81A47057A7232F1B8E2");
	assert_int_equal(wx_verify(&w, h, WX_BODY, len, 1796090701, &e), PM_EDATA);
	assert_string_equal(e.msg, "no platform certificate with serial '5157F09EFDC096DE15EBE81A47057A7232F1B8E2'"
				   " in payments.wechat");
	snprintf(serial, sizeof serial, "Wechatpay-Serial: " SERIAL);
	h[4] = "Wechatpay-Signature-Type: WECHATPAY2-SM2-WITH-SM3";
	assert_int_equal(wx_verify(&w, h, WX_BODY, len, 1796090701, &e), PM_EDATA);
	assert_string_equal(e.msg, "signature type 'WECHATPAY2-SM2-WITH-SM3' is not WECHATPAY2-SHA256-RSA2048");
	h[4] = NULL;
	h[1] = NULL;
	assert_int_equal(wx_verify(&w, h, WX_BODY, len, 1796090701, &e), PM_EDATA);
	assert_string_equal(e.msg, "no Wechatpay-Nonce header");
	wx_free(&w);
}

static void test_wx_notification(void **state)
{
	struct wechat w = platform();
	struct pm_pay_event ev;
	struct pm_err e = {0};

	assert_int_equal(wx_notification(&w, WX_BODY, strlen(WX_BODY), &ev, &e), PM_OK);
	assert_string_equal(ev.no, ORDER);
	assert_string_equal(ev.transaction, "4200001234202612010000000001");
	assert_string_equal(ev.state_word, "SUCCESS");
	assert_int_equal(ev.state, PM_PAY_PAID);
	assert_int_equal(ev.amount, 17900);
	assert_int_equal(ev.at, 1796090700);
	w.v3[31] ^= 1;
	assert_int_equal(wx_notification(&w, WX_BODY, strlen(WX_BODY), &ev, &e), PM_EDATA);
	assert_string_equal(e.msg, "the resource does not decrypt with the APIv3 key (AEAD_AES_256_GCM)");
	w.v3[31] ^= 1;
	w.mchid = "1900000002";
	assert_int_equal(wx_notification(&w, WX_BODY, strlen(WX_BODY), &ev, &e), PM_EDATA);
	assert_string_equal(e.msg, "field \"mchid\": '1900000001' is not ours ('1900000002')");
	wx_free(&w);
}

/* The transaction as a query answers it: a state per word, integer fen. */
static void test_wx_transaction(void **state)
{
	static const struct {
		const char *json, *msg;
		enum pm_pay_state state;
		int64_t amount;
	} cases[] = {
		{"\"trade_state\":\"NOTPAY\"", NULL, PM_PAY_WAITING, 0},
		{"\"trade_state\":\"USERPAYING\"", NULL, PM_PAY_WAITING, 0},
		{"\"trade_state\":\"CLOSED\"", NULL, PM_PAY_CLOSED, 0},
		{"\"trade_state\":\"REVOKED\"", NULL, PM_PAY_CLOSED, 0},
		{"\"trade_state\":\"SUCCESS\",\"transaction_id\":\"42\",\"success_time\":\"2026-12-01T10:05:00+08:00\","
		 "\"amount\":{\"total\":1,\"currency\":\"CNY\"}", NULL, PM_PAY_PAID, 1},
		{"\"trade_state\":\"SUCCESS\",\"transaction_id\":\"42\",\"success_time\":\"2026-12-01T10:05:00+08:00\","
		 "\"amount\":{\"total\":1.5}", "field \"amount.total\": expected whole fen", 0, 0},
		{"\"trade_state\":\"SUCCESS\",\"transaction_id\":\"42\",\"success_time\":\"2026-12-01T10:05:00+08:00\","
		 "\"amount\":{\"total\":100,\"currency\":\"USD\"}", "field \"amount.currency\": 'USD', not CNY", 0, 0},
		{"\"trade_state\":\"SUCCESS\",\"success_time\":\"2026-12-01T10:05:00+08:00\",\"amount\":{\"total\":1}",
		 "field \"transaction_id\": required when paid", 0, 0},
		{"\"trade_state\":\"PAID\"", "field \"trade_state\": unknown state 'PAID'", 0, 0},
	};
	struct wechat w = {.mchid = "1900000001", .appid = "wx8888888888888888"};
	struct pm_pay_event ev;
	char text[512];

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct pm_err e = {0};
		json_t *tx;

		snprintf(text, sizeof text, "{\"mchid\":\"1900000001\",\"appid\":\"wx8888888888888888\","
			 "\"out_trade_no\":\"" ORDER "\",%s}", cases[i].json);
		assert_non_null(tx = json_loads(text, 0, NULL));
		if (cases[i].msg) {
			assert_int_equal(wx_transaction(&w, tx, &ev, &e), PM_EDATA);
			assert_string_equal(e.msg, cases[i].msg);
		} else {
			assert_int_equal(wx_transaction(&w, tx, &ev, &e), PM_OK);
			assert_int_equal(ev.state, cases[i].state);
			assert_int_equal(ev.amount, cases[i].amount);
		}
		json_decref(tx);
	}
}

/* 自行实现验签: sorted by name, sign left out, sign_type too for a
 * notification; values as they are. */
static void test_ali_sign_content(void **state)
{
	const char *names[] = {"trade_status", "sign", "app_id", "subject", "sign_type", "a", "b"};
	const char *values[] = {"TRADE_SUCCESS", "xyz", "2021", "幸福里 物业费", "RSA2", "1&2", ""};
	char *s = ali_sign_content(names, values, 7, 1);

	assert_string_equal(s, "a=1&2&app_id=2021&b=&subject=幸福里 物业费&trade_status=TRADE_SUCCESS");
	free(s);
	s = ali_sign_content(names, values, 7, 0);
	assert_string_equal(s, "a=1&2&app_id=2021&b=&sign_type=RSA2&subject=幸福里 物业费&trade_status=TRADE_SUCCESS");
	free(s);
}

/* A1: the request's sorted parameters,
 * "app_id=2021000000000001&biz_content={...}&charset=utf-8&format=JSON&method=alipay.trade.precreate
 * &notify_url=https://pay.example.com/pm/notify/alipay&sign_type=RSA2&timestamp=2026-12-01 10:00:00
 * &version=1.0" with the biz_content below. */
static void test_ali_request(void **state)
{
	static const char start[] = "app_id=2021000000000001&method=alipay.trade.precreate&format=JSON&charset=utf-8"
				    "&sign_type=RSA2&timestamp=2026-12-01%2010%3A00%3A00&version=1.0"
				    "&biz_content=%7B%22out_trade_no";
	struct alipay a = {.app_id = "2021000000000001", .notify_url = "https://pay.example.com/pm/notify/alipay",
			   .key = key()};
	struct pm_err e = {0};
	char *form, *enc, *p;

	form = ali_request(&a, "alipay.trade.precreate",
			   "{\"out_trade_no\":\"" ORDER "\",\"total_amount\":\"179.00\",\"subject\":\"幸福里 物业费 3-2-1101\","
			   "\"time_expire\":\"2026-12-01 10:30:00\"}", 1796090400, 1, &e);
	assert_non_null(form);
	assert_memory_equal(form, start, sizeof start - 1);
	enc = form_escaped(A1_SIG);
	assert_non_null(p = strstr(form, "&sign="));
	assert_string_equal(p + 6, enc);
	free(enc);
	free(form);
	EVP_PKEY_free(a.key);
}

static struct alipay alipay(void)
{
	struct alipay a = {.app_id = "2021000000000001", .seller_id = "2088000000000001"};
	struct pm_err e = {0};

	assert_non_null(a.pub = pay_key_public(PUB_B64, "test", &e));
	return a;
}

/* A2: the notification's parameters but sign and sign_type, sorted,
 * decoded: "app_id=2021000000000001&buyer_id=2088102122524333&charset=utf-8
 * &fund_bill_list=[{"amount":"179.00","fundChannel":"ALIPAYACCOUNT"}]&gmt_payment=2026-12-01 10:05:00
 * &notify_time=2026-12-01 10:05:01&notify_type=trade_status_sync&out_trade_no=PM20261201A1B2C3D4E5F60718
 * &seller_id=2088000000000001&subject=幸福里 物业费 3-2-1101&total_amount=179.00
 * &trade_no=2026120122001000000000000001&trade_status=TRADE_SUCCESS&version=1.0". */
static char *ali_form(const char *total, const char *extra)
{
	char *f = malloc(4096), *enc = form_escaped(A2_SIG);

	snprintf(f, 4096, "gmt_payment=2026-12-01+10%%3A05%%3A00&notify_time=2026-12-01%%2010%%3A05%%3A01"
		 "&subject=%%E5%%B9%%B8%%E7%%A6%%8F%%E9%%87%%8C+%%E7%%89%%A9%%E4%%B8%%9A%%E8%%B4%%B9+3-2-1101"
		 "&buyer_id=2088102122524333&charset=utf-8&version=1.0&notify_type=trade_status_sync"
		 "&out_trade_no=" ORDER "&total_amount=%s&trade_status=TRADE_SUCCESS"
		 "&trade_no=2026120122001000000000000001&app_id=2021000000000001&seller_id=2088000000000001"
		 "&fund_bill_list=%%5B%%7B%%22amount%%22%%3A%%22179.00%%22%%2C%%22fundChannel%%22%%3A%%22ALIPAYACCOUNT%%22%%7D%%5D"
		 "&sign_type=RSA2&sign=%s%s\n", total, enc, extra);
	free(enc);
	return f;
}

static void test_ali_notification(void **state)
{
	static const struct {
		const char *total, *extra, *msg;
	} cases[] = {
		{"179.00", "", NULL},
		{"178.00", "", "the signature does not verify"},
		{"179.00", "&total_amount=1.00", "the notification names 'total_amount' twice"},
		{"179.00", "&x=%4", "the notification is not a form: bad parameter 'x'"},
		{"179.00", "&x=%00", "the notification is not a form: bad parameter 'x'"},
		{"179.00", "&novalue", "the notification is not a form: 'novalue' has no '='"},
	};
	struct alipay a = alipay();
	struct pm_pay_event ev;

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct pm_err e = {0};
		char *f = ali_form(cases[i].total, cases[i].extra);
		int rc = ali_notification(&a, f, strlen(f), &ev, &e);

		free(f);
		if (cases[i].msg) {
			assert_int_equal(rc, PM_EDATA);
			assert_string_equal(e.msg, cases[i].msg);
			continue;
		}
		assert_int_equal(rc, PM_OK);
		assert_string_equal(ev.no, ORDER);
		assert_string_equal(ev.transaction, "2026120122001000000000000001");
		assert_int_equal(ev.state, PM_PAY_PAID);
		assert_int_equal(ev.amount, 17900);
		assert_int_equal(ev.at, 1796090700);
	}
	a.seller_id = "2088000000000002";
	{
		struct pm_err e = {0};
		char *f = ali_form("179.00", "");
		assert_int_equal(ali_notification(&a, f, strlen(f), &ev, &e), PM_EDATA);
		assert_string_equal(e.msg, "field \"seller_id\": not ours ('2088000000000002')");
		free(f);
	}
	ali_free(&a);
}

/* A3: the exact text of the _response object, escapes and braces in a
 * string included. */
static void test_ali_answer(void **state)
{
	struct alipay a = alipay();
	struct pm_pay_event ev;
	struct pm_err e = {0};
	char body[2048];
	json_t *resp;

	snprintf(body, sizeof body, "{\"alipay_trade_query_response\" : %s,\"sign\":\"%s\"}", A3_TEXT, A3_SIG);
	assert_int_equal(ali_answer(&a, "alipay.trade.query", body, strlen(body), &resp, &e), PM_OK);
	assert_int_equal(ali_trade(resp, &ev, &e), PM_OK);
	assert_int_equal(ev.amount, 8888);
	assert_int_equal(ev.at, 1796090700);
	json_decref(resp);
	/* Another method's node, a decoy before the real one, a bad sign. */
	assert_int_equal(ali_answer(&a, "alipay.trade.close", body, strlen(body), &resp, &e), PM_EDATA);
	assert_string_equal(e.msg, "Alipay's answer has no alipay_trade_close_response");
	snprintf(body, sizeof body, "{\"x\":{\"alipay_trade_query_response\":{\"code\":\"10000\"}},"
		 "\"alipay_trade_query_response\":%s,\"sign\":\"%s\"}", A3_TEXT, A3_SIG);
	assert_int_equal(ali_answer(&a, "alipay.trade.query", body, strlen(body), &resp, &e), PM_EDATA);
	json_decref(resp);
	snprintf(body, sizeof body, "{\"alipay_trade_query_response\":%s,\"sign\":\"%s\"}", A3_TEXT, S1_SIG);
	assert_int_equal(ali_answer(&a, "alipay.trade.query", body, strlen(body), &resp, &e), PM_EDATA);
	assert_string_equal(e.msg, "Alipay's answer: the signature does not verify");
	ali_free(&a);
}

static void test_keys(void **state)
{
	struct pm_err e = {0};
	char bare[2048], serial[65];
	size_t n = 0;
	EVP_PKEY *k;

	/* The bare base64 of a PKCS#8 key, as Alipay's tool writes it. */
	for (const char *p = KEY; *p; p = strchr(p, '\n') + 1)
		if (strncmp(p, "-----", 5))
			n += (size_t)snprintf(bare + n, sizeof bare - n, "%.*s", (int)(strchr(p, '\n') - p), p);
	assert_non_null(k = pay_key_private(bare, "k", &e));
	EVP_PKEY_free(k);
	assert_null(pay_key_private("MIIBOgIBAAJBAK", "payments.alipay.private_key", &e));
	assert_string_equal(e.msg, "payments.alipay.private_key: not a private key in PEM or base64");
	assert_null(pay_key_public(KEY, "payments.alipay.alipay_public_key", &e));
	assert_string_equal(e.msg, "payments.alipay.alipay_public_key: not a public key or certificate in PEM or base64");
	assert_non_null(k = pay_key_public(CERT, "c", &e));
	EVP_PKEY_free(k);
	assert_null(pay_cert(KEY, serial, "payments.wechat.platform_certificates[0]", &e));
	assert_string_equal(e.msg, "payments.wechat.platform_certificates[0]: not a certificate in PEM");
}

static void test_http_parse(void **state)
{
	static const struct {
		const char *in, *msg, *body;
		size_t nheaders;
	} cases[] = {
		{"POST /pm/notify HTTP/1.1\r\nA: b\r\nContent-Length: 3\r\n\r\nabcdef", NULL, "abc", 2},
		{"A: b\n\n{\"x\":1}\n", NULL, "{\"x\":1}\n", 1},
		{"\r\nk=v&sign=x", NULL, "k=v&sign=x", 0},
		{"A: b\r\n", "no empty line after the headers", NULL, 0},
		{"k=v&sign=x", "no empty line after the headers", NULL, 0},
		{"A b\r\n\r\n", "'A b' is not a header line (Name: value)", NULL, 0},
		{": b\r\n\r\n", "': b' is not a header line (Name: value)", NULL, 0},
		{"Content-Length: 9\r\n\r\nabc", "the body is 3 bytes, Content-Length says 9", NULL, 0},
		{"Content-Length: -1\r\n\r\nabc", "Content-Length '-1' is not a length", NULL, 0},
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct pm_pay_http h;
		struct pm_err e = {0};
		char *text = strdup(cases[i].in);
		int rc = pm_pay_http_parse(text, strlen(text), &h, &e);
		size_t n = 0;

		if (cases[i].msg) {
			assert_int_equal(rc, PM_EDATA);
			assert_string_equal(e.msg, cases[i].msg);
		} else {
			assert_int_equal(rc, PM_OK);
			assert_int_equal(h.len, strlen(cases[i].body));
			assert_memory_equal(h.body, cases[i].body, h.len);
			while (h.headers[n])
				n++;
			assert_int_equal(n, cases[i].nheaders);
		}
		pm_pay_http_free(&h);
		free(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wx_authorization),
		cmocka_unit_test(test_wx_verify),
		cmocka_unit_test(test_wx_notification),
		cmocka_unit_test(test_wx_transaction),
		cmocka_unit_test(test_ali_sign_content),
		cmocka_unit_test(test_ali_request),
		cmocka_unit_test(test_ali_notification),
		cmocka_unit_test(test_ali_answer),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_http_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
