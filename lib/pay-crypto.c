/* pay-crypto: RSA signatures and AES-256-GCM as the payment channels
 * require them, through OpenSSL's EVP interface, reading their keys and
 * certificates, and what both channels' messages need. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "pm/i18n.h"
#include "pm/jsonl.h"
#include "pm/secret.h"
#include "pay-internal.h"

unsigned char *pay_b64_decode(const char *s, size_t len, size_t *outlen)
{
	unsigned char *out = malloc(len / 4 * 3 + 3);

	if (out && sodium_base642bin(out, len / 4 * 3 + 3, s, len, NULL, outlen, NULL,
				     sodium_base64_VARIANT_ORIGINAL) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* The base64 of a key without its PEM lines, white space dropped. */
static unsigned char *bare_der(const char *text, size_t *len)
{
	size_t n = strlen(text), k = 0;
	unsigned char *der;
	char *b = malloc(n + 1);

	if (!b)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!isspace((unsigned char)text[i]))
			b[k++] = text[i];
	der = pay_b64_decode(b, k, len);
	free(b);
	return der;
}

static EVP_PKEY *rsa_enough(EVP_PKEY *k, const char *what, struct pm_err *e)
{
	if (k && EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA && EVP_PKEY_get_bits(k) >= 2048)
		return k;
	if (k)
		pm_err_set(e, PM_ECONFIG, _("%s: not an RSA key of 2048 bits or more"), what);
	EVP_PKEY_free(k);
	return NULL;
}

static X509 *cert_read(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;

	BIO_free(bio);
	return x;
}

/* A key from PEM, or from the base64 of its DER. */
static EVP_PKEY *key_read(const char *text, int private)
{
	const unsigned char *p;
	unsigned char *der;
	EVP_PKEY *k = NULL;
	size_t len;
	BIO *bio;
	X509 *x;

	if (!private && strncmp(text, "-----BEGIN CERTIFICATE", 22) == 0) {
		if ((x = cert_read(text)))
			k = X509_get_pubkey(x);
		X509_free(x);
	} else if (strncmp(text, "-----BEGIN", 10) == 0) {
		if ((bio = BIO_new_mem_buf(text, -1)))
			k = private ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
		BIO_free(bio);
	} else if ((der = bare_der(text, &len))) {
		p = der;
		k = private ? d2i_AutoPrivateKey(NULL, &p, (long)len) : d2i_PUBKEY(NULL, &p, (long)len);
		OPENSSL_cleanse(der, len);
		free(der);
	}
	return k;
}

EVP_PKEY *pay_key_private(const char *text, const char *what, struct pm_err *e)
{
	EVP_PKEY *k = key_read(text, 1);

	if (!k)
		pm_err_set(e, PM_ECONFIG, _("%s: not a private key in PEM or base64"), what);
	return rsa_enough(k, what, e);
}

EVP_PKEY *pay_key_public(const char *text, const char *what, struct pm_err *e)
{
	EVP_PKEY *k = key_read(text, 0);

	if (!k)
		pm_err_set(e, PM_ECONFIG, _("%s: not a public key or certificate in PEM or base64"), what);
	return rsa_enough(k, what, e);
}

EVP_PKEY *pay_cert(const char *pem, char serial[65], const char *what, struct pm_err *e)
{
	X509 *x = cert_read(pem);
	BIGNUM *bn = NULL;
	EVP_PKEY *k = NULL;
	char *hex = NULL;

	serial[0] = '\0';
	if (!x) {
		pm_err_set(e, PM_ECONFIG, _("%s: not a certificate in PEM"), what);
		return NULL;
	}
	if (X509_cmp_current_time(X509_get0_notAfter(x)) < 0)
		pm_err_set(e, PM_ECONFIG, _("%s: the certificate has expired: download WeChat Pay's current one"), what);
	else if (!(bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL)) || !(hex = BN_bn2hex(bn)) ||
		 strlen(hex) > 64)
		pm_err_set(e, PM_ECONFIG, _("%s: the certificate's serial number cannot be read"), what);
	else if ((k = rsa_enough(X509_get_pubkey(x), what, e)))
		snprintf(serial, 65, "%s", hex);
	OPENSSL_free(hex);
	BN_free(bn);
	X509_free(x);
	return k;
}

int pay_serial_eq(const char *a, const char *b)
{
	while (*a == '0')
		a++;
	while (*b == '0')
		b++;
	return strcasecmp(a, b) == 0;
}

char *pay_sign(EVP_PKEY *key, const void *msg, size_t len, struct pm_err *e)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *sig = NULL;
	size_t slen = 0;
	char *b64 = NULL;

	if (ctx && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
	    EVP_DigestSign(ctx, NULL, &slen, msg, len) == 1 && (sig = malloc(slen)) &&
	    EVP_DigestSign(ctx, sig, &slen, msg, len) == 1 &&
	    (b64 = malloc(sodium_base64_ENCODED_LEN(slen, sodium_base64_VARIANT_ORIGINAL))))
		sodium_bin2base64(b64, sodium_base64_ENCODED_LEN(slen, sodium_base64_VARIANT_ORIGINAL), sig, slen,
				  sodium_base64_VARIANT_ORIGINAL);
	else
		pm_err_set(e, PM_ESOFTWARE, _("cannot sign with SHA256withRSA"));
	free(sig);
	EVP_MD_CTX_free(ctx);
	return b64;
}

int pay_verify(EVP_PKEY *key, const void *msg, size_t len, const char *sig, struct pm_err *e)
{
	EVP_MD_CTX *ctx;
	unsigned char *raw;
	size_t rlen;
	int ok = 0;

	if (!(raw = pay_b64_decode(sig, strlen(sig), &rlen)))
		return pm_err_set(e, PM_EDATA, _("the signature is not base64"));
	if ((ctx = EVP_MD_CTX_new()) && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key) == 1)
		ok = EVP_DigestVerify(ctx, raw, rlen, msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	free(raw);
	return ok ? PM_OK : pm_err_set(e, PM_EDATA, _("the signature does not verify"));
}

char *pay_gcm_open(const unsigned char key[32], const char *nonce, size_t nlen, const char *aad, size_t alen,
		   const unsigned char *ct, size_t ctlen, size_t *outlen, struct pm_err *e)
{
	EVP_CIPHER_CTX *ctx;
	unsigned char *out;
	int n = 0, fin = 0, ok = 0;

	if (ctlen < 16 || ctlen > 1 << 20 || nlen == 0 || nlen > 64 || alen > 1 << 16) {
		pm_err_set(e, PM_EDATA, _("the encrypted resource has a bad size"));
		return NULL;
	}
	if (!(out = malloc(ctlen - 16 + 1)) || !(ctx = EVP_CIPHER_CTX_new())) {
		free(out);
		pm_err_set(e, PM_EFAIL, _("out of memory"));
		return NULL;
	}
	ok = EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1 &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, (int)nlen, NULL) == 1 &&
	     EVP_DecryptInit_ex(ctx, NULL, NULL, key, (const unsigned char *)nonce) == 1 &&
	     EVP_DecryptUpdate(ctx, NULL, &n, (const unsigned char *)aad, (int)alen) == 1 &&
	     EVP_DecryptUpdate(ctx, out, &n, ct, (int)(ctlen - 16)) == 1 &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, (void *)(ct + ctlen - 16)) == 1 &&
	     EVP_DecryptFinal_ex(ctx, out + n, &fin) == 1;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok) {
		free(out);
		pm_err_set(e, PM_EDATA, _("the resource does not decrypt with the APIv3 key (AEAD_AES_256_GCM)"));
		return NULL;
	}
	*outlen = (size_t)(n + fin);
	out[*outlen] = '\0';
	return (char *)out;
}

const char *pay_header(const char *const *headers, const char *name, size_t *len)
{
	size_t n = strlen(name);
	const char *v, *end;

	for (const char *const *h = headers; h && *h; h++) {
		if (strncasecmp(*h, name, n) || (*h)[n] != ':')
			continue;
		for (v = *h + n + 1; *v == ' ' || *v == '\t'; v++)
			;
		end = v + strlen(v);
		while (end > v && isspace((unsigned char)end[-1]))
			end--;
		*len = (size_t)(end - v);
		return v;
	}
	return NULL;
}

char *pay_secret(struct pm_db *db, json_t *section, const char *section_name, const char *key, struct pm_err *e)
{
	char what[96];
	char *v;

	snprintf(what, sizeof what, "payments.%s.%s", section_name, key);
	if (pm_secret_get(db, json_string_value(json_object_get(section, key)), what, &v, e))
		return NULL;
	return v;
}

EVP_PKEY *pay_secret_key(struct pm_db *db, json_t *section, const char *section_name, const char *key, int private,
			 struct pm_err *e)
{
	char what[96], *text = pay_secret(db, section, section_name, key, e);
	EVP_PKEY *k;

	if (!text)
		return NULL;
	snprintf(what, sizeof what, "payments.%s.%s", section_name, key);
	k = private ? pay_key_private(text, what, e) : pay_key_public(text, what, e);
	OPENSSL_cleanse(text, strlen(text));
	free(text);
	return k;
}

int pay_field(json_t *o, const char *key, int flags, char *buf, size_t max, struct pm_err *e)
{
	const char *s = "";

	if (pm_json_str(o, key, flags, &s, e))
		return e->code;
	if (strlen(s) >= max)
		return pm_err_set(e, PM_EDATA, _("field \"%s\": longer than %zu"), key, max - 1);
	snprintf(buf, max, "%s", s);
	return PM_OK;
}

int pay_state(const struct pay_word *t, const char *field, const char *word, enum pm_pay_state *state,
	      struct pm_err *e)
{
	for (; t->word; t++)
		if (strcmp(t->word, word) == 0) {
			*state = t->state;
			return PM_OK;
		}
	return pm_err_set(e, PM_EDATA, _("field \"%s\": unknown state '%s'"), field, word);
}
