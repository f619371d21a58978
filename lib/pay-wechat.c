/* pay-wechat: WeChat Pay API v3 (微信支付 APIv3) as its merchant
 * documentation specifies it (pay.weixin.qq.com, 签名生成, 签名验证,
 * 证书和回调报文解密, Native 下单/查询/关单, 支付通知): requests signed
 * with the merchant's private key, answers and notifications verified
 * with the platform certificates, notification resources decrypted with
 * the APIv3 key. pm-pay(1) spells out each string. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "pm/i18n.h"
#include "pm/jsonl.h"
#include "pm/money.h"
#include "pm/secret.h"
#include "pm/timeutil.h"
#include "strbuf-internal.h"
#include "pay-internal.h"

/* How far a signed timestamp may be from the clock (微信支付 签名验证:
 * "允许最多5分钟的时间偏差"). */
#define WX_SKEW 300

static int load_certs(struct pm_db *db, json_t *section, struct wechat *w, struct pm_err *e)
{
	json_t *list = json_object_get(section, "platform_certificates"), *ref;
	char what[96], *pem;
	size_t i;

	json_array_foreach(list, i, ref) {
		snprintf(what, sizeof what, "payments.wechat.platform_certificates[%zu]", i);
		if (i >= WX_MAX_CERTS || pm_secret_get(db, json_string_value(ref), what, &pem, e))
			return e->code ? e->code : pm_err_set(e, PM_ECONFIG, _("%s: too many"), what);
		w->cert[i].pub = pay_cert(pem, w->cert[i].serial, what, e);
		free(pem);
		if (!w->cert[i].pub)
			return e->code;
		w->ncert = i + 1;
	}
	return PM_OK;
}

static int load_v3(struct pm_db *db, json_t *section, struct wechat *w, struct pm_err *e)
{
	char *k = pay_secret(db, section, "wechat", "apiv3_key", e);
	int ok;

	if (!k)
		return e->code;
	if ((ok = strlen(k) == sizeof w->v3))
		memcpy(w->v3, k, sizeof w->v3);
	OPENSSL_cleanse(k, strlen(k));
	free(k);
	return ok ? PM_OK : pm_err_set(e, PM_ECONFIG, _("payments.wechat.apiv3_key: the APIv3 key is 32 characters"));
}

int wx_load(struct pm_db *db, json_t *section, int what, struct wechat *w, struct pm_err *e)
{
	memset(w, 0, sizeof *w);
	if (!section)
		return pm_err_set(e, PM_ECONFIG, _("payments.%s is not configured: see pm.yaml(5)"), "wechat");
	w->mchid = json_string_value(json_object_get(section, "mchid"));
	w->appid = json_string_value(json_object_get(section, "appid"));
	w->serial = json_string_value(json_object_get(section, "serial_no"));
	w->notify_url = json_string_value(json_object_get(section, "notify_url"));
	w->api_url = json_string_value(json_object_get(section, "api_url"));
	if ((what & WX_VERIFY) && load_certs(db, section, w, e))
		return e->code;
	if ((what & WX_DECRYPT) && load_v3(db, section, w, e))
		return e->code;
	if ((what & WX_SIGN) && !(w->key = pay_secret_key(db, section, "wechat", "private_key", 1, e)))
		return e->code;
	return PM_OK;
}

void wx_free(struct wechat *w)
{
	EVP_PKEY_free(w->key);
	for (size_t i = 0; i < w->ncert; i++)
		EVP_PKEY_free(w->cert[i].pub);
	OPENSSL_cleanse(w->v3, sizeof w->v3);
	memset(w, 0, sizeof *w);
}

/* 签名生成: "HTTP请求方法\nURL\n请求时间戳\n请求随机串\n请求报文主体\n". */
char *wx_authorization(const struct wechat *w, const char *method, const char *path, const char *body,
		       int64_t ts, const char *nonce, struct pm_err *e)
{
	struct strbuf msg = {0}, h = {0};
	char *sig;

	sb_fmt(&msg, "%s\n%s\n%lld\n%s\n", method, path, (long long)ts, nonce);
	sb_str(&msg, body);
	sb_str(&msg, "\n");
	if (msg.failed) {
		free(msg.p);
		pm_err_set(e, PM_EFAIL, _("out of memory"));
		return NULL;
	}
	sig = pay_sign(w->key, msg.p, msg.n, e);
	free(msg.p);
	if (!sig)
		return NULL;
	sb_fmt(&h, "Authorization: WECHATPAY2-SHA256-RSA2048 mchid=\"%s\",nonce_str=\"%s\",timestamp=\"%lld\",",
	       w->mchid, nonce, (long long)ts);
	sb_fmt(&h, "serial_no=\"%s\",signature=\"%s\"", w->serial, sig);
	free(sig);
	if (h.failed)
		pm_err_set(e, PM_EFAIL, _("out of memory"));
	return sb_take(&h);
}

static int header(const char *const *headers, const char *name, char *buf, size_t size, struct pm_err *e)
{
	size_t len;
	const char *v = pay_header(headers, name, &len);

	if (!v || len == 0)
		return pm_err_set(e, PM_EDATA, _("no %s header"), name);
	if (len >= size)
		return pm_err_set(e, PM_EDATA, _("the %s header is too long"), name);
	memcpy(buf, v, len);
	buf[len] = '\0';
	return PM_OK;
}

/* 签名验证: "应答时间戳\n应答随机串\n应答报文主体\n". */
int wx_verify(const struct wechat *w, const char *const *headers, const char *body, size_t len, int64_t now,
	      struct pm_err *e)
{
	char ts[24], nonce[128], serial[80], type[64], sig[1024], *end;
	struct strbuf msg = {0};
	EVP_PKEY *pub = NULL;
	long long t;
	int rc;

	if (header(headers, "Wechatpay-Timestamp", ts, sizeof ts, e) ||
	    header(headers, "Wechatpay-Nonce", nonce, sizeof nonce, e) ||
	    header(headers, "Wechatpay-Signature", sig, sizeof sig, e) ||
	    header(headers, "Wechatpay-Serial", serial, sizeof serial, e))
		return e->code;
	if (header(headers, "Wechatpay-Signature-Type", type, sizeof type, e) == PM_OK &&
	    strcmp(type, "WECHATPAY2-SHA256-RSA2048"))
		return pm_err_set(e, PM_EDATA, _("signature type '%s' is not WECHATPAY2-SHA256-RSA2048"), type);
	t = strtoll(ts, &end, 10);
	if (*end || end == ts || ts[0] == '-' || ts[0] == '+')
		return pm_err_set(e, PM_EDATA, _("Wechatpay-Timestamp '%s' is not a number of seconds"), ts);
	if (t < now - WX_SKEW || t > now + WX_SKEW)
		return pm_err_set(e, PM_EDATA, _("stale: Wechatpay-Timestamp %s is %lld s from the clock (at most %d)"),
				  ts, t < now ? now - t : t - now, WX_SKEW);
	for (size_t i = 0; i < w->ncert && !pub; i++)
		if (pay_serial_eq(w->cert[i].serial, serial))
			pub = w->cert[i].pub;
	if (!pub)
		return pm_err_set(e, PM_EDATA, _("no platform certificate with serial '%s' in payments.wechat"), serial);
	sb_fmt(&msg, "%s\n%s\n", ts, nonce);
	sb_add(&msg, body, len);
	sb_str(&msg, "\n");
	if (msg.failed)
		rc = pm_err_set(e, PM_EFAIL, _("out of memory"));
	else
		rc = pay_verify(pub, msg.p, msg.n, sig, e);
	free(msg.p);
	return rc;
}

static int ours(json_t *tx, const char *key, const char *want, struct pm_err *e)
{
	const char *s;

	if (pm_json_str(tx, key, PM_REQUIRED, &s, e))
		return e->code;
	return strcmp(s, want) ? pm_err_set(e, PM_EDATA, _("field \"%s\": '%s' is not ours ('%s')"), key, s, want)
			       : PM_OK;
}

/* A transaction's amount: integer fen (amount.total), in CNY. */
static int tx_amount(json_t *tx, int64_t *fen, struct pm_err *e)
{
	json_t *a = json_object_get(tx, "amount"), *total;
	const char *cur = "CNY";

	if (!json_is_object(a))
		return pm_err_set(e, PM_EDATA, _("field \"amount\": expected an object"));
	if (pm_json_str(a, "currency", PM_OPTIONAL, &cur, e))
		return e->code;
	if (strcmp(cur, "CNY"))
		return pm_err_set(e, PM_EDATA, _("field \"amount.currency\": '%s', not CNY"), cur);
	if (!json_is_integer(total = json_object_get(a, "total")))
		return pm_err_set(e, PM_EDATA, _("field \"amount.total\": expected whole fen"));
	*fen = json_integer_value(total);
	if (*fen <= 0 || *fen > PM_MONEY_MAX)
		return pm_err_set(e, PM_EDATA, _("field \"amount.total\": out of range"));
	return PM_OK;
}

int wx_transaction(const struct wechat *w, json_t *tx, struct pm_pay_event *ev, struct pm_err *e)
{
	static const struct pay_word states[] = {
		{"SUCCESS", PM_PAY_PAID}, {"REFUND", PM_PAY_PAID}, {"NOTPAY", PM_PAY_WAITING},
		{"USERPAYING", PM_PAY_WAITING}, {"CLOSED", PM_PAY_CLOSED}, {"REVOKED", PM_PAY_CLOSED},
		{"PAYERROR", PM_PAY_CLOSED}, {NULL, 0},
	};

	memset(ev, 0, sizeof *ev);
	if (!json_is_object(tx))
		return pm_err_set(e, PM_EDATA, _("the transaction is not a JSON object"));
	if (ours(tx, "mchid", w->mchid, e) || ours(tx, "appid", w->appid, e) ||
	    pay_field(tx, "out_trade_no", PM_REQUIRED, ev->no, sizeof ev->no, e) ||
	    pay_field(tx, "trade_state", PM_REQUIRED, ev->state_word, sizeof ev->state_word, e) ||
	    pay_field(tx, "transaction_id", PM_OPTIONAL, ev->transaction, sizeof ev->transaction, e) ||
	    pay_state(states, "trade_state", ev->state_word, &ev->state, e))
		return e->code;
	if (ev->state != PM_PAY_PAID)
		return PM_OK;
	if (!ev->transaction[0])
		return pm_err_set(e, PM_EDATA, _("field \"transaction_id\": required when paid"));
	return tx_amount(tx, &ev->amount, e) || pm_json_time(tx, "success_time", PM_REQUIRED, &ev->at, e)
		       ? e->code : PM_OK;
}

/* 证书和回调报文解密: AEAD_AES_256_GCM with the APIv3 key as the key, the
 * resource's nonce (as text) as the IV and its associated_data as the
 * additional data; the ciphertext is base64 with the tag at its end. */
static char *resource_open(const struct wechat *w, json_t *res, size_t *len, struct pm_err *e)
{
	const char *alg, *ct, *nonce, *aad = "";
	unsigned char *raw;
	size_t rlen;
	char *plain;

	if (!json_is_object(res)) {
		pm_err_set(e, PM_EDATA, _("field \"resource\": expected an object"));
		return NULL;
	}
	if (pm_json_str(res, "algorithm", PM_REQUIRED, &alg, e) || pm_json_str(res, "ciphertext", PM_REQUIRED, &ct, e) ||
	    pm_json_str(res, "nonce", PM_REQUIRED, &nonce, e) ||
	    pm_json_str(res, "associated_data", PM_OPTIONAL, &aad, e))
		return NULL;
	if (strcmp(alg, "AEAD_AES_256_GCM")) {
		pm_err_set(e, PM_EDATA, _("field \"resource.algorithm\": '%s', not AEAD_AES_256_GCM"), alg);
		return NULL;
	}
	if (!(raw = pay_b64_decode(ct, strlen(ct), &rlen))) {
		pm_err_set(e, PM_EDATA, _("field \"resource.ciphertext\": not base64"));
		return NULL;
	}
	plain = pay_gcm_open(w->v3, nonce, strlen(nonce), aad, strlen(aad), raw, rlen, len, e);
	free(raw);
	return plain;
}

int wx_notification(const struct wechat *w, const char *body, size_t len, struct pm_pay_event *ev,
		    struct pm_err *e)
{
	json_t *note = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL), *tx = NULL;
	size_t plen = 0;
	char *plain;
	int rc;

	memset(ev, 0, sizeof *ev);
	if (!json_is_object(note)) {
		json_decref(note);
		return pm_err_set(e, PM_EDATA, _("the notification is not a JSON object"));
	}
	if ((plain = resource_open(w, json_object_get(note, "resource"), &plen, e)))
		tx = json_loadb(plain, plen, JSON_REJECT_DUPLICATES, NULL);
	if (plain)
		OPENSSL_cleanse(plain, plen);
	free(plain);
	rc = plain ? wx_transaction(w, tx, ev, e) : e->code;
	json_decref(tx);
	json_decref(note);
	return rc;
}

char *wx_native_body(const struct wechat *w, const char *no, const char *description, int64_t amount,
		     const char *expires)
{
	json_t *b = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:I, s:s}}", "appid", w->appid, "mchid", w->mchid,
			      "description", description, "out_trade_no", no, "time_expire", expires,
			      "notify_url", w->notify_url, "amount", "total", (json_int_t)amount, "currency", "CNY");
	char *s = b ? json_dumps(b, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

	json_decref(b);
	return s;
}

char *wx_code_url(const char *body, size_t len, struct pm_err *e)
{
	json_t *a = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
	const char *url = NULL;
	char *out = NULL;

	if (!json_is_object(a) || pm_json_str(a, "code_url", PM_REQUIRED, &url, e))
		pm_err_set(e, PM_EDATA, _("WeChat Pay's answer has no code_url"));
	else if (strncmp(url, "weixin://", 9) || strlen(url) > 512)
		pm_err_set(e, PM_EDATA, _("WeChat Pay's code_url '%.64s' is not a weixin:// URL"), url);
	else if (!(out = strdup(url)))
		pm_err_set(e, PM_EFAIL, _("out of memory"));
	json_decref(a);
	return out;
}

const char *wx_error(const char *body, size_t len, char *buf, size_t size)
{
	json_t *a = json_loadb(body, len, 0, NULL);
	const char *code = json_string_value(json_object_get(a, "code"));
	const char *msg = json_string_value(json_object_get(a, "message"));

	snprintf(buf, size, "%s: %s", code ? code : "?", msg ? msg : "");
	json_decref(a);
	return buf;
}
