/* Private to libpm-pay (lib/pay-*.c): the channels' keys, signatures and
 * messages. Only these files include OpenSSL, so libpm never loads
 * libcrypto for them. */
#ifndef PM_PAY_INTERNAL_H
#define PM_PAY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "pm/err.h"
#include "pm/pay.h"
#include "pm/payorder.h"

struct pm_db;

/* ---- pay-crypto.c: keys, RSA with SHA-256, AES-256-GCM, base64 ---- */

/* A key from PEM text, or (as Alipay's key tool writes them) the bare
 * base64 of its DER: a private key (PKCS#1 or PKCS#8), or a public key
 * (SubjectPublicKeyInfo) or an X.509 certificate's. RSA of 2048 bits or
 * more only. what names it in messages. PM_ECONFIG when it is none. */
EVP_PKEY *pay_key_private(const char *text, const char *what, struct pm_err *e);
EVP_PKEY *pay_key_public(const char *text, const char *what, struct pm_err *e);
/* A PEM certificate's public key and serial number (upper-case hex, no
 * leading zeros). PM_ECONFIG for anything else or one no longer valid. */
EVP_PKEY *pay_cert(const char *pem, char serial[65], const char *what, struct pm_err *e);
/* Two serial numbers written in hex are the same number. */
int pay_serial_eq(const char *a, const char *b);

/* SHA256withRSA (RSASSA-PKCS1-v1_5 over SHA-256), the signature in
 * standard base64 (a new string). */
char *pay_sign(EVP_PKEY *key, const void *msg, size_t len, struct pm_err *e);
/* PM_OK when sig (standard base64) signs msg, else PM_EDATA. */
int pay_verify(EVP_PKEY *key, const void *msg, size_t len, const char *sig, struct pm_err *e);

/* AEAD_AES_256_GCM (RFC 5116) decryption: ct is the ciphertext with its
 * 16-byte tag after it. A new NUL-ended plaintext; PM_EDATA when it does
 * not authenticate. */
char *pay_gcm_open(const unsigned char key[32], const char *nonce, size_t nlen, const char *aad, size_t alen,
		   const unsigned char *ct, size_t ctlen, size_t *outlen, struct pm_err *e);

/* Standard base64 (with padding) to bytes in a new buffer; NULL when it
 * is not base64. */
unsigned char *pay_b64_decode(const char *s, size_t len, size_t *outlen);

/* The value of header name in headers ("Name: value", NULL-ended),
 * compared without case, without the white space around it; NULL when
 * absent. */
const char *pay_header(const char *const *headers, const char *name, size_t *len);

/* A secret (env: or file: reference) of the config section: key names
 * it in messages as section.key. */
char *pay_secret(struct pm_db *db, json_t *section, const char *section_name, const char *key,
		 struct pm_err *e);
/* A string field of o, at most max - 1 bytes, into buf ("" when optional
 * and absent): PM_EDATA when it is longer. */
int pay_field(json_t *o, const char *key, int flags, char *buf, size_t max, struct pm_err *e);

/* What a channel's state word means, from a table ended by a NULL word;
 * PM_EDATA naming field and word when the table lacks it. */
struct pay_word {
	const char *word;
	enum pm_pay_state state;
};
int pay_state(const struct pay_word *t, const char *field, const char *word, enum pm_pay_state *state,
	      struct pm_err *e);

/* The private (or public) key such a secret holds. */
EVP_PKEY *pay_secret_key(struct pm_db *db, json_t *section, const char *section_name, const char *key,
			 int private, struct pm_err *e);

/* ---- pay-wechat.c: WeChat Pay API v3 ---- */

#define WX_MAX_CERTS 8

struct wechat {
	const char *mchid, *appid, *serial, *notify_url, *api_url;  /* the config's */
	EVP_PKEY *key;                     /* the merchant's private key */
	unsigned char v3[32];              /* the APIv3 key */
	struct {
		char serial[65];
		EVP_PKEY *pub;
	} cert[WX_MAX_CERTS];              /* WeChat Pay's platform certificates */
	size_t ncert;
};

enum { WX_SIGN = 1, WX_VERIFY = 2, WX_DECRYPT = 4 };

/* The payments.wechat section, with the keys that what asks for read
 * from their secrets. PM_ECONFIG when it is missing or a key is bad. */
int wx_load(struct pm_db *db, json_t *section, int what, struct wechat *w, struct pm_err *e);
void wx_free(struct wechat *w);

/* The Authorization header of a request (a new string, "Authorization:
 * WECHATPAY2-SHA256-RSA2048 mchid=...") signed over
 * "METHOD\nPATH\nTIMESTAMP\nNONCE\nBODY\n". */
char *wx_authorization(const struct wechat *w, const char *method, const char *path, const char *body,
		       int64_t ts, const char *nonce, struct pm_err *e);

/* A response or notification checked as WeChat Pay signs them: the
 * Wechatpay-Signature over "TIMESTAMP\nNONCE\nBODY\n" by the platform
 * certificate that Wechatpay-Serial names, the timestamp within five
 * minutes of now. PM_EDATA saying what is wrong. */
int wx_verify(const struct wechat *w, const char *const *headers, const char *body, size_t len, int64_t now,
	      struct pm_err *e);

/* A verified notification's body: its resource decrypted with the APIv3
 * key, the transaction in it as an event. PM_EDATA for anything amiss. */
int wx_notification(const struct wechat *w, const char *body, size_t len, struct pm_pay_event *ev,
		    struct pm_err *e);

/* A transaction object (decrypted from a notification, or a query's
 * answer) as an event: our merchant and app, a known trade_state, and
 * when paid the transaction id, amount in fen and time. */
int wx_transaction(const struct wechat *w, json_t *tx, struct pm_pay_event *ev, struct pm_err *e);

/* The Native order request's body (JSON text, a new string). */
char *wx_native_body(const struct wechat *w, const char *no, const char *description, int64_t amount,
		     const char *expires);

/* The code_url of a Native order's answer, in a new string. */
char *wx_code_url(const char *body, size_t len, struct pm_err *e);
/* An error answer's "CODE: message", in buf. */
const char *wx_error(const char *body, size_t len, char *buf, size_t size);

/* ---- pay-alipay.c: Alipay openapi with RSA2 ---- */

struct alipay {
	const char *app_id, *seller_id, *notify_url, *gateway;   /* the config's */
	EVP_PKEY *key;         /* the app's private key */
	EVP_PKEY *pub;         /* Alipay's public key */
};

enum { ALI_SIGN = 1, ALI_VERIFY = 2 };

int ali_load(struct pm_db *db, json_t *section, int what, struct alipay *a, struct pm_err *e);
void ali_free(struct alipay *a);

/* The parameters sorted by name, "k=v" joined by "&", leaving out sign
 * (and sign_type when skip_type, as notifications are checked): the
 * string both sides sign. names and values are n long. A new string. */
char *ali_sign_content(const char *const *names, const char *const *values, size_t n, int skip_type);

/* The form body (application/x-www-form-urlencoded) of a signed call of
 * method with biz_content, its timestamp from now; notify adds the
 * notify_url. A new string. */
char *ali_request(const struct alipay *a, const char *method, const char *biz, int64_t now, int notify,
		  struct pm_err *e);

/* An answer to method: the "<method>_response" object, verified with
 * Alipay's key over its exact text, in *resp (a new reference). PM_OK
 * when its code is 10000; PM_EUNAVAIL saying "code sub_code: sub_msg"
 * (*resp still set) when Alipay refused; PM_EDATA when the answer is
 * not one or its signature fails. */
int ali_answer(const struct alipay *a, const char *method, const char *body, size_t len, json_t **resp,
	       struct pm_err *e);

/* A notification (the form Alipay posts): its sign checked with Alipay's
 * key over the sorted parameters without sign and sign_type, its app_id
 * (and seller_id, when configured) ours; the trade as an event. */
int ali_notification(const struct alipay *a, const char *body, size_t len, struct pm_pay_event *ev,
		     struct pm_err *e);

/* A trade (a query's answer or a notification's parameters as an
 * object) as an event. */
int ali_trade(json_t *trade, struct pm_pay_event *ev, struct pm_err *e);

/* "2026-12-01 10:00:00", Beijing time, as Alipay writes times. */
char *ali_time(int64_t t, char buf[32]);

#endif
