/* The channels' answers as pm-pay reads them: WeChat Pay's JSON (an
 * order's code_url, a transaction, an error) and Alipay's signed
 * "<method>_response" cut out of its text, then read as a trade. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pm/pay.h"
#include "pay-internal.h"
#include "../unit/tpay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct alipay a;
	struct wechat w = {.mchid = "1900000001", .appid = "wx8888888888888888"};
	struct pm_pay_event ev;
	struct pm_err e;
	char why[256], *url;
	json_t *tx, *resp;

	if (!a.pub && !(a.pub = pay_key_public(PUB_B64, "fuzz", &e)))
		abort();
	if ((url = wx_code_url((const char *)data, size, &e)) && strncmp(url, "weixin://", 9))
		abort();
	free(url);
	wx_error((const char *)data, size, why, sizeof why);
	if ((tx = json_loadb((const char *)data, size, 0, NULL))) {
		wx_transaction(&w, tx, &ev, &e);
		ali_trade(tx, &ev, &e);
		json_decref(tx);
	}
	if (ali_answer(&a, "alipay.trade.query", (const char *)data, size, &resp, &e) == PM_OK)
		ali_trade(resp, &ev, &e);
	json_decref(resp);
	return 0;
}
