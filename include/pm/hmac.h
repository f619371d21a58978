/* HMAC-SHA256 (libsodium's, as the audit chain uses), for what pm signs
 * with a shared secret: the webhook signature pm-notify sends and
 * pm-pay's callbacks are checked against ("sha256=" and the hex digest of
 * the body), and DingTalk's signed robot URLs. */
#ifndef PM_HMAC_H
#define PM_HMAC_H

#include <stddef.h>

#define PM_HMAC_BYTES 32

void pm_hmac_sha256(const char *secret, const void *data, size_t len, unsigned char mac[PM_HMAC_BYTES]);
/* The MAC in lowercase hex; out must hold 65 bytes. */
void pm_hmac_hex(const char *secret, const void *data, size_t len, char out[65]);
/* The MAC in standard base64; out must hold 45 bytes. */
void pm_hmac_base64(const char *secret, const void *data, size_t len, char out[45]);

/* The signature header's value: "sha256=" and the hex MAC of the body;
 * out must hold 72 bytes. */
void pm_hmac_signature(const char *secret, const void *body, size_t len, char out[72]);
/* Whether signature (with or without "sha256=", hex in either case) is
 * the body's under secret; compared in constant time. */
int pm_hmac_signature_ok(const char *secret, const void *body, size_t len, const char *signature);

#endif
