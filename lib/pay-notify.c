/* pay-notify: one payment notification (支付结果通知) verified, decoded and
 * recorded, and the answer the channel expects. No network here: pm-web's
 * callback endpoint calls pm_pay_notify without linking libcurl. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pm/config.h"
#include "pm/db.h"
#include "pm/i18n.h"
#include "pm/pay.h"
#include "pm/timeutil.h"
#include "pay-internal.h"

#define MAX_HEADERS 64

/* A request line such as "POST /notify/wechat HTTP/1.1". */
static int request_line(const char *s)
{
	const char *sp = strchr(s, ' ');

	if (!sp || sp == s)
		return 0;
	for (const char *p = s; p < sp; p++)
		if (!isupper((unsigned char)*p))
			return 0;
	return strstr(sp, " HTTP/") != NULL;
}

static int header_line(const char *s)
{
	const char *p = s;

	while (*p && (isalnum((unsigned char)*p) || strchr("!#$%&'*+-.^_`|~", *p)))
		p++;
	return p > s && *p == ':';
}

/* Content-Length, when given, says where the body ends. */
static int body_length(const char *const *headers, size_t *len, struct pm_err *e)
{
	size_t n, cl = 0;
	const char *v = pay_header(headers, "Content-Length", &n);

	if (!v)
		return PM_OK;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)v[i]) || cl > 100000000)
			return pm_err_set(e, PM_EDATA, _("Content-Length '%.*s' is not a length"), (int)n, v);
		cl = cl * 10 + (size_t)(v[i] - '0');
	}
	if (cl > *len)
		return pm_err_set(e, PM_EDATA, _("the body is %zu bytes, Content-Length says %zu"), *len, cl);
	*len = cl;
	return PM_OK;
}

int pm_pay_http_parse(char *text, size_t len, struct pm_pay_http *out, struct pm_err *e)
{
	char *p = text, *end = text + len, *nl, *eol, **h;
	size_t n = 0, blen;
	int first = 1;

	memset(out, 0, sizeof *out);
	if (!(h = calloc(MAX_HEADERS + 1, sizeof *h)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	out->headers = (const char *const *)h;
	for (;; first = 0) {
		if (p >= end || !(nl = memchr(p, '\n', (size_t)(end - p))))
			return pm_err_set(e, PM_EDATA, _("no empty line after the headers"));
		*(eol = nl) = '\0';
		if (eol > p && eol[-1] == '\r')
			*--eol = '\0';
		if (strlen(p) != (size_t)(eol - p))
			return pm_err_set(e, PM_EDATA, _("a header line holds a NUL"));
		if (!*p)
			break;
		if (!(first && request_line(p))) {
			if (!header_line(p))
				return pm_err_set(e, PM_EDATA, _("'%.40s' is not a header line (Name: value)"), p);
			if (n == MAX_HEADERS)
				return pm_err_set(e, PM_EDATA, _("more than %d headers"), MAX_HEADERS);
			h[n++] = p;
		}
		p = nl + 1;
	}
	blen = (size_t)(end - (nl + 1));
	if (body_length(out->headers, &blen, e))
		return e->code;
	out->body = nl + 1;
	out->len = blen;
	return PM_OK;
}

void pm_pay_http_free(struct pm_pay_http *h)
{
	free((void *)h->headers);
	h->headers = NULL;
}

static void answer(struct pm_pay_answer *ans, const char *channel, int status)
{
	int wechat = strcmp(channel, "alipay") != 0;

	memset(ans, 0, sizeof *ans);
	ans->status = status;
	/* WeChat Pay: 200 or 204 and no body for success, a 4XX or 5XX with
	 * {"code":"FAIL","message":...} for failure (支付通知 通知应答).
	 * Alipay: the seven characters "success", else it sends again. */
	if (wechat && status == 200)
		return;
	ans->content_type = wechat ? "application/json" : "text/plain";
	snprintf(ans->body, sizeof ans->body, "%s",
		 wechat ? "{\"code\":\"FAIL\",\"message\":\"失败\"}" : status == 200 ? "success" : "fail");
	ans->len = strlen(ans->body);
}

/* The notification checked and decoded by the channel's rules. */
static int decode(struct pm_db *db, const char *channel, json_t *pay, const struct pm_pay_http *in,
		  struct pm_pay_event *ev, struct pm_err *e)
{
	json_t *section = json_object_get(pay, channel);
	struct wechat w;
	struct alipay a;
	int rc;

	if (strcmp(channel, "wechat") == 0) {
		if ((rc = wx_load(db, section, WX_VERIFY | WX_DECRYPT, &w, e)) == PM_OK &&
		    (rc = wx_verify(&w, in->headers, in->body, in->len, (int64_t)time(NULL), e)) == PM_OK)
			rc = wx_notification(&w, in->body, in->len, ev, e);
		wx_free(&w);
		return rc;
	}
	if ((rc = ali_load(db, section, ALI_VERIFY, &a, e)) == PM_OK)
		rc = ali_notification(&a, in->body, in->len, ev, e);
	ali_free(&a);
	return rc;
}

static json_t *note_json(const char *channel, const char *outcome, const struct pm_pay_event *ev,
			 const struct pm_pay_answer *ans)
{
	return json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:o, s:i, s:s#}", "type", "pay_notification",
			 "channel", channel, "outcome", outcome, "order", ev->no[0] ? ev->no : NULL,
			 "transaction", ev->transaction[0] ? ev->transaction : NULL,
			 "amount_fen", ev->amount ? json_integer(ev->amount) : json_null(), "http_status", ans->status,
			 "answer", ans->body, (int)ans->len);
}

json_t *pm_pay_notify_unread(const char *channel, struct pm_pay_answer *ans)
{
	answer(ans, channel, 400);
	return note_json(channel, "refused", &(struct pm_pay_event){0}, ans);
}

int pm_pay_notify(struct pm_db *db, const char *channel, const struct pm_pay_http *in,
		  struct pm_pay_answer *ans, json_t **out, struct pm_err *e)
{
	struct pm_pay_event ev = {0};
	const char *outcome = "failed";
	struct pm_config *cfg = NULL;
	int rc;

	*out = NULL;
	answer(ans, channel, 500);
	if (strcmp(channel, "wechat") && strcmp(channel, "alipay"))
		return pm_err_set(e, PM_EDATA, _("unknown channel '%s': expected wechat or alipay"), channel);
	if ((rc = pm_config_current(db, pm_date_of(pm_now(), pm_db_tz(db)), &cfg, e)) == PM_OK)
		rc = decode(db, channel, pm_config_section(cfg, "payments"), in, &ev, e);
	pm_config_free(cfg);
	if (rc == PM_EDATA)
		outcome = "refused";
	else if (rc == PM_OK)
		rc = pm_pay_order_event(db, channel, &ev, &outcome, NULL, e);
	if (rc == PM_OK || rc == PM_EDATA)
		answer(ans, channel, rc == PM_OK ? 200 : 400);
	*out = note_json(channel, outcome, &ev, ans);
	return rc;
}
