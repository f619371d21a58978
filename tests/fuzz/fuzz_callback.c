/* A payment callback's body: the signature check and the parse into a
 * payment record (pm_callback_parse, then pm_pay_parse as pm_callback_pay
 * does) on arbitrary bytes. No crash; a body that parses is an object
 * whose channel is the callback's. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pm/bill.h"
#include "pm/callback.h"
#include "pm/hmac.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct pm_pay p;
	struct pm_err e;
	json_t *rec;

	if (pm_hmac_signature_ok("secret", body, size, "0000000000000000000000000000000000000000000000000000000000000000"))
		abort();
	if (pm_callback_parse("wechat", body, size, &rec, &e) != PM_OK)
		return 0;
	if (!json_is_object(rec) || strcmp(json_string_value(json_object_get(rec, "channel")), "wechat") != 0)
		abort();
	if (pm_pay_parse(rec, &p, &e) == PM_OK && (p.amount <= 0 || strcmp(p.channel, "wechat") != 0 || !*p.ref))
		abort();
	json_decref(rec);
	return 0;
}
