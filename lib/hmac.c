/* hmac: HMAC-SHA256 and the signatures made of it. */
#include <string.h>

#include <sodium.h>

#include "pm/hmac.h"

void pm_hmac_sha256(const char *secret, const void *data, size_t len, unsigned char mac[PM_HMAC_BYTES])
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, data, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof st);
}

void pm_hmac_hex(const char *secret, const void *data, size_t len, char out[65])
{
	unsigned char mac[PM_HMAC_BYTES];

	pm_hmac_sha256(secret, data, len, mac);
	sodium_bin2hex(out, 65, mac, sizeof mac);
}

void pm_hmac_base64(const char *secret, const void *data, size_t len, char out[45])
{
	unsigned char mac[PM_HMAC_BYTES];

	pm_hmac_sha256(secret, data, len, mac);
	sodium_bin2base64(out, 45, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
}

void pm_hmac_signature(const char *secret, const void *body, size_t len, char out[72])
{
	memcpy(out, "sha256=", 7);
	pm_hmac_hex(secret, body, len, out + 7);
}

int pm_hmac_signature_ok(const char *secret, const void *body, size_t len, const char *signature)
{
	char want[65], given[65];

	if (!signature)
		return 0;
	if (strncmp(signature, "sha256=", 7) == 0)
		signature += 7;
	if (strlen(signature) != 64)
		return 0;
	pm_hmac_hex(secret, body, len, want);
	/* Hex digits in either case are the same signature. */
	for (int i = 0; i < 64; i++)
		given[i] = (char)(signature[i] >= 'A' && signature[i] <= 'F' ? signature[i] - 'A' + 'a' : signature[i]);
	given[64] = '\0';
	return sodium_memcmp(want, given, 64) == 0;
}
