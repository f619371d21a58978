/* pay-alipay: Alipay's openapi gateway (支付宝开放平台) with RSA2 as its
 * documentation specifies it (opendocs.alipay.com: 签名, 自行实现验签,
 * 异步通知验签, alipay.trade.precreate/query/close): every call's
 * parameters sorted and signed with the app's private key, every answer
 * and notification verified with Alipay's public key. pm-pay(1) spells
 * out each string. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "pm/i18n.h"
#include "pm/jsonl.h"
#include "pm/money.h"
#include "pm/timeutil.h"
#include "strbuf-internal.h"
#include "pay-internal.h"

/* A notification has a few dozen parameters. */
#define ALI_MAX_PARAMS 64

int ali_load(struct pm_db *db, json_t *section, int what, struct alipay *a, struct pm_err *e)
{
	memset(a, 0, sizeof *a);
	if (!section)
		return pm_err_set(e, PM_ECONFIG, _("payments.%s is not configured: see pm.yaml(5)"), "alipay");
	a->app_id = json_string_value(json_object_get(section, "app_id"));
	a->seller_id = json_string_value(json_object_get(section, "seller_id"));
	a->notify_url = json_string_value(json_object_get(section, "notify_url"));
	a->gateway = json_string_value(json_object_get(section, "gateway"));
	if ((what & ALI_VERIFY) && !(a->pub = pay_secret_key(db, section, "alipay", "alipay_public_key", 0, e)))
		return e->code;
	if ((what & ALI_SIGN) && !(a->key = pay_secret_key(db, section, "alipay", "private_key", 1, e)))
		return e->code;
	return PM_OK;
}

void ali_free(struct alipay *a)
{
	EVP_PKEY_free(a->key);
	EVP_PKEY_free(a->pub);
	memset(a, 0, sizeof *a);
}

struct param {
	const char *name, *value;
};

static int by_name(const void *x, const void *y)
{
	return strcmp(((const struct param *)x)->name, ((const struct param *)y)->name);
}

/* 自行实现验签: "筛选并排序", then "参数名=参数值" joined by "&". Names
 * are compared byte by byte (ASCII order), values as they are, not
 * encoded. */
char *ali_sign_content(const char *const *names, const char *const *values, size_t n, int skip_type)
{
	struct param *p = calloc(n ? n : 1, sizeof *p);
	struct strbuf b = {0};
	size_t k = 0;

	if (!p)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], "sign") && (!skip_type || strcmp(names[i], "sign_type")))
			p[k++] = (struct param){names[i], values[i]};
	qsort(p, k, sizeof *p, by_name);
	for (size_t i = 0; i < k; i++) {
		if (i)
			sb_str(&b, "&");
		sb_str(&b, p[i].name);
		sb_str(&b, "=");
		sb_str(&b, p[i].value);
	}
	free(p);
	return sb_take(&b);
}

char *ali_time(int64_t t, char buf[32])
{
	char rfc[PM_TIME_BUF];

	pm_time_fmt(t, "Asia/Shanghai", rfc);
	snprintf(buf, 32, "%.10s %.8s", rfc, rfc + 11);
	return buf;
}

/* 公共请求参数: app_id, method, format, charset, sign_type, timestamp,
 * version, notify_url, biz_content; sign over all of them. */
char *ali_request(const struct alipay *a, const char *method, const char *biz, int64_t now, int notify,
		  struct pm_err *e)
{
	char ts[32];
	const char *names[] = {"app_id", "method", "format", "charset", "sign_type", "timestamp", "version",
			       "biz_content", "notify_url"};
	const char *values[] = {a->app_id, method, "JSON", "utf-8", "RSA2", ali_time(now, ts), "1.0", biz,
				a->notify_url};
	size_t n = notify ? 9 : 8;
	struct strbuf b = {0};
	char *content = ali_sign_content(names, values, n, 0), *sig;

	if (!content || !(sig = pay_sign(a->key, content, strlen(content), e))) {
		if (!content)
			pm_err_set(e, PM_EFAIL, _("out of memory"));
		free(content);
		return NULL;
	}
	free(content);
	for (size_t i = 0; i < n; i++) {
		sb_str(&b, names[i]);
		sb_str(&b, "=");
		sb_urlencode(&b, values[i]);
		sb_str(&b, "&");
	}
	sb_str(&b, "sign=");
	sb_urlencode(&b, sig);
	free(sig);
	if (b.failed)
		pm_err_set(e, PM_EFAIL, _("out of memory"));
	return sb_take(&b);
}

static const char *skip_space(const char *p, const char *end)
{
	while (p < end && isspace((unsigned char)*p))
		p++;
	return p;
}

/* The exact text of the object that is the value of key "node" in the
 * answer: what Alipay signed (as its SDKs cut it out). A quoted name
 * followed by ':' is a key: inside a string its quotes would be escaped. */
static int raw_node(const char *body, size_t len, const char *node, const char **start, size_t *n)
{
	size_t nl = strlen(node), depth = 0;
	const char *q = NULL, *end = body + len;
	int in_str = 0, esc = 0;

	for (const char *p = body, *c; !q && p + nl + 2 <= end; p++) {
		if (*p != '"' || memcmp(p + 1, node, nl) || p[nl + 1] != '"')
			continue;
		if ((c = skip_space(p + nl + 2, end)) == end || *c != ':')
			continue;
		if ((c = skip_space(c + 1, end)) < end && *c == '{')
			q = c;
	}
	if (!q)
		return -1;
	*start = q;
	for (; q < end; q++) {
		if (in_str) {
			if (esc)
				esc = 0;
			else if (*q == '\\')
				esc = 1;
			else if (*q == '"')
				in_str = 0;
		} else if (*q == '"') {
			in_str = 1;
		} else if (*q == '{') {
			depth++;
		} else if (*q == '}' && --depth == 0) {
			*n = (size_t)(q + 1 - *start);
			return 0;
		}
	}
	return -1;
}

static int refusal(json_t *resp, struct pm_err *e)
{
	const char *code = json_string_value(json_object_get(resp, "code"));
	const char *sub = json_string_value(json_object_get(resp, "sub_code"));
	const char *msg = json_string_value(json_object_get(resp, "sub_msg"));

	if (!msg)
		msg = json_string_value(json_object_get(resp, "msg"));
	if (code && strcmp(code, "10000") == 0)
		return PM_OK;
	return pm_err_set(e, PM_EUNAVAIL, _("Alipay says %s %s: %s"), code ? code : "?", sub ? sub : "",
			  msg ? msg : "");
}

int ali_answer(const struct alipay *a, const char *method, const char *body, size_t len, json_t **resp,
	       struct pm_err *e)
{
	char node[128];
	const char *raw, *sig;
	json_t *all;
	size_t n;
	int rc;

	*resp = NULL;
	snprintf(node, sizeof node, "%s_response", method);
	for (char *p = node; *p; p++)
		*p = *p == '.' ? '_' : *p;
	if (!(all = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL)) || !json_is_object(all)) {
		json_decref(all);
		return pm_err_set(e, PM_EDATA, _("Alipay's answer is not a JSON object"));
	}
	sig = json_string_value(json_object_get(all, "sign"));
	if (raw_node(body, len, node, &raw, &n) != 0)
		rc = pm_err_set(e, PM_EDATA, _("Alipay's answer has no %s"), node);
	else if (!sig)
		rc = pm_err_set(e, PM_EDATA, _("Alipay's answer is not signed"));
	else if ((rc = pay_verify(a->pub, raw, n, sig, e)))
		pm_err_prefix(e, _("Alipay's answer"));
	else if (!(*resp = json_loadb(raw, n, JSON_REJECT_DUPLICATES, NULL)))
		rc = pm_err_set(e, PM_EDATA, _("Alipay's %s is not JSON"), node);
	else
		rc = refusal(*resp, e);
	json_decref(all);
	return rc;
}

static int hexval(int c)
{
	return isdigit(c) ? c - '0' : isxdigit(c) ? (tolower(c) - 'a' + 10) : -1;
}

/* Decodes a form field in place ('+' is a space, %XX a byte); -1 for a
 * bad escape or a NUL. */
static int form_decode(char *s)
{
	char *o = s;
	int h, l;

	for (; *s; s++) {
		if (*s == '+') {
			*o++ = ' ';
		} else if (*s == '%') {
			if ((h = hexval((unsigned char)s[1])) < 0 || (l = hexval((unsigned char)s[2])) < 0 || !(h | l))
				return -1;
			*o++ = (char)(h << 4 | l);
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return 0;
}

/* The form's parameters, decoded in text (modified); names unique. */
static int form_parse(char *text, const char **names, const char **values, size_t *n, struct pm_err *e)
{
	char *p = text, *amp, *eq;

	*n = 0;
	while (*p) {
		if ((amp = strchr(p, '&')))
			*amp = '\0';
		if (*p) {
			if (*n == ALI_MAX_PARAMS)
				return pm_err_set(e, PM_EDATA, _("the notification has more than %d parameters"), ALI_MAX_PARAMS);
			if (!(eq = strchr(p, '=')))
				return pm_err_set(e, PM_EDATA, _("the notification is not a form: '%.32s' has no '='"), p);
			*eq = '\0';
			if (form_decode(p) || form_decode(eq + 1) || !*p)
				return pm_err_set(e, PM_EDATA, _("the notification is not a form: bad parameter '%.32s'"), p);
			for (size_t i = 0; i < *n; i++)
				if (strcmp(names[i], p) == 0)
					return pm_err_set(e, PM_EDATA, _("the notification names '%.32s' twice"), p);
			names[*n] = p;
			values[(*n)++] = eq + 1;
		}
		if (!amp)
			break;
		p = amp + 1;
	}
	return PM_OK;
}

/* "2026-12-01 10:00:00", Beijing time. */
static int ali_when(json_t *o, const char *key, int64_t *t, struct pm_err *e)
{
	const char *s;
	char rfc[48];

	if (pm_json_str(o, key, PM_OPTIONAL, &s, e))
		return e->code;
	if (!pm_json_has(o, key))
		return PM_OK;
	snprintf(rfc, sizeof rfc, "%.19s+08:00", s);
	if (strlen(s) != 19 || pm_time_parse(rfc, t, e))
		return pm_err_set(e, PM_EDATA, _("field \"%s\": '%.32s' is not yyyy-MM-dd HH:mm:ss"), key, s);
	return PM_OK;
}

int ali_trade(json_t *trade, struct pm_pay_event *ev, struct pm_err *e)
{
	static const struct pay_word states[] = {
		{"TRADE_SUCCESS", PM_PAY_PAID}, {"TRADE_FINISHED", PM_PAY_PAID},
		{"WAIT_BUYER_PAY", PM_PAY_WAITING}, {"TRADE_CLOSED", PM_PAY_CLOSED}, {NULL, 0},
	};

	memset(ev, 0, sizeof *ev);
	if (pay_field(trade, "out_trade_no", PM_REQUIRED, ev->no, sizeof ev->no, e) ||
	    pay_field(trade, "trade_status", PM_REQUIRED, ev->state_word, sizeof ev->state_word, e) ||
	    pay_field(trade, "trade_no", PM_OPTIONAL, ev->transaction, sizeof ev->transaction, e) ||
	    pay_state(states, "trade_status", ev->state_word, &ev->state, e))
		return e->code;
	if (ev->state != PM_PAY_PAID)
		return PM_OK;
	if (!ev->transaction[0])
		return pm_err_set(e, PM_EDATA, _("field \"trade_no\": required when paid"));
	/* total_amount is yuan as a decimal string: exact, never a double. */
	if (pm_json_dec(trade, "total_amount", 2, PM_REQUIRED, &ev->amount, e) ||
	    ali_when(trade, "gmt_payment", &ev->at, e) || (!ev->at && ali_when(trade, "send_pay_date", &ev->at, e)))
		return e->code;
	if (ev->amount <= 0)
		return pm_err_set(e, PM_EDATA, _("field \"total_amount\": must be more than 0"));
	return PM_OK;
}

static int same(json_t *o, const char *key, const char *want)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s && strcmp(s, want) == 0;
}

static int notification_check(const struct alipay *a, const char **names, const char **values, size_t n,
			      struct pm_pay_event *ev, struct pm_err *e)
{
	const char *sig = NULL, *type = NULL;
	json_t *o = json_object();
	char *content;
	int rc;

	for (size_t i = 0; i < n; i++) {
		sig = strcmp(names[i], "sign") ? sig : values[i];
		type = strcmp(names[i], "sign_type") ? type : values[i];
		json_object_set_new(o, names[i], json_string(values[i]));
	}
	if (!sig || !type)
		rc = pm_err_set(e, PM_EDATA, _("the notification has no sign or sign_type"));
	else if (strcmp(type, "RSA2"))
		rc = pm_err_set(e, PM_EDATA, _("sign_type '%s' is not RSA2"), type);
	else if (!(content = ali_sign_content(names, values, n, 1)))
		rc = pm_err_set(e, PM_EFAIL, _("out of memory"));
	else {
		rc = pay_verify(a->pub, content, strlen(content), sig, e);
		free(content);
	}
	if (rc == PM_OK && !same(o, "app_id", a->app_id))
		rc = pm_err_set(e, PM_EDATA, _("field \"app_id\": not ours ('%s')"), a->app_id);
	if (rc == PM_OK && a->seller_id && !same(o, "seller_id", a->seller_id))
		rc = pm_err_set(e, PM_EDATA, _("field \"seller_id\": not ours ('%s')"), a->seller_id);
	if (rc == PM_OK)
		rc = ali_trade(o, ev, e);
	json_decref(o);
	return rc;
}

int ali_notification(const struct alipay *a, const char *body, size_t len, struct pm_pay_event *ev,
		     struct pm_err *e)
{
	const char *names[ALI_MAX_PARAMS], *values[ALI_MAX_PARAMS];
	char *text;
	size_t n;
	int rc;

	memset(ev, 0, sizeof *ev);
	if (memchr(body, '\0', len))
		return pm_err_set(e, PM_EDATA, _("the notification is not a form: it holds a NUL"));
	if (!(text = malloc(len + 1)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	memcpy(text, body, len);
	text[len] = '\0';
	/* A form posted by a web server may end with its line break. */
	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		text[--len] = '\0';
	rc = form_parse(text, names, values, &n, e);
	if (rc == PM_OK)
		rc = notification_check(a, names, values, n, ev, e);
	free(text);
	return rc;
}
