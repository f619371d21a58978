/* Payment notifications as pm-pay notify and pm-web take them: the
 * message (headers, empty line, body) parsed, then its WeChat Pay
 * headers checked and its body decrypted and decoded as a transaction,
 * or its Alipay form decoded and checked. The first byte picks the
 * channel. Nothing may crash, leak or read out of bounds. (The seeds
 * carry the test key's genuine signatures, so that the fuzzer starts
 * past verification.) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pm/pay.h"
#include "pay-internal.h"
#include "../unit/tpay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct wechat w;
static struct alipay a;

static void keys(void)
{
	struct pm_err e;

	if (w.ncert)
		return;
	w.mchid = "1900000001";
	w.appid = "wx8888888888888888";
	w.cert[0].pub = pay_cert(CERT, w.cert[0].serial, "fuzz", &e);
	w.ncert = w.cert[0].pub != NULL;
	memcpy(w.v3, "0123456789abcdefghijklmnopqrstuv", 32);
	a.app_id = "2021000000000001";
	a.pub = pay_key_public(PUB_B64, "fuzz", &e);
	if (!w.ncert || !a.pub)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pm_pay_event ev;
	struct pm_pay_http h = {0};
	struct pm_err e;
	char *text;

	if (size < 1 || !(text = malloc(size)))
		return 0;
	keys();
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	if (pm_pay_http_parse(text, size - 1, &h, &e) == PM_OK) {
		if (data[0] & 1) {
			wx_verify(&w, h.headers, h.body, h.len, 1796090701, &e);
			wx_notification(&w, h.body, h.len, &ev, &e);
		} else {
			ali_notification(&a, h.body, h.len, &ev, &e);
		}
	}
	pm_pay_http_free(&h);
	free(text);
	return 0;
}
