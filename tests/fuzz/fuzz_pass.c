/* Pass tokens as a gate is shown them: any text through pm_pass_open
 * under a fixed key. A token that opens must have been signed by that
 * key, so here nothing the fuzzer makes may open (it has no key); each
 * verdict is one of the deny reasons. Also signs what a valid pass of the
 * input's fields would be, and opens it again. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "pm/pass.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pm_pass_key key;

static int lookup(void *ctx, const unsigned char kid[4], unsigned char pk[32])
{
	(void)ctx;
	if (memcmp(kid, key.kid, 4) != 0)
		return 0;
	memcpy(pk, key.pk, 32);
	return 1;
}

/* A pass from the input's bytes: names cut to fit, the window its own. */
static void round_trip(const uint8_t *data, size_t size)
{
	char token[PM_PASS_TOKEN_MAX];
	struct pm_pass p = {0}, q;
	struct pm_err e = {0};
	size_t n = size < 8 ? size : 8;
	int failed;

	p.id = 1 + (int64_t)(size & 0xffff);
	p.not_before = 1796090400;
	p.not_after = p.not_before + 1 + (int64_t)(size * 7);
	p.uses = (int64_t)(size % 5);
	memcpy(p.unit, data, n);
	p.unit[n] = '\0';
	p.ngates = (int)(size % (PM_PASS_GATES + 1));
	for (int i = 0; i < p.ngates; i++)
		snprintf(p.gates[i], sizeof p.gates[i], "g%d", i);
	if (pm_pass_sign(&p, &key, token, sizeof token, &e) != PM_OK)
		return; /* a unit with a NUL or empty */
	if (pm_pass_open(token, lookup, NULL, &q, &failed) != PM_PASS_ALLOW || q.id != p.id ||
	    q.not_after != p.not_after || strcmp(q.unit, p.unit) != 0 || q.ngates != p.ngates)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct pm_err e = {0};
	struct pm_pass p;
	enum pm_pass_verdict v;
	int failed;

	if (!key.sk[0] && !key.sk[1] && pm_pass_keygen(&key, &e) != PM_OK)
		abort();
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	v = pm_pass_open(text, lookup, NULL, &p, &failed);
	if (v != PM_PASS_BAD_SIGNATURE && v != PM_PASS_MALFORMED)
		abort();
	if (failed)
		abort();
	free(text);
	round_trip(data, size);
	return 0;
}
