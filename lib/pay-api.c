/* pay-api: pm-pay's calls to the channels through libpm-http: make a QR
 * order, ask about an order, close one. Each request is signed and each
 * answer verified before anything in it is believed. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "pm/config.h"
#include "pm/db.h"
#include "pm/http.h"
#include "pm/i18n.h"
#include "pm/money.h"
#include "pm/pay.h"
#include "pm/timeutil.h"
#include "strbuf-internal.h"
#include "pay-internal.h"

#define USER_AGENT "User-Agent: pm-pay/" PM_VERSION

/* A session with one channel: its keys and a connection kept between
 * calls. */
struct api {
	const char *channel;
	struct pm_config *cfg;
	struct wechat w;
	struct alipay a;
	struct pm_http_pool *pool;
};

/* An answer, kept past the transfer. */
struct reply {
	long status;
	int failed;
	char error[256];
	char *body, *head;
	size_t len, hlen;
};

static void api_end(struct api *s)
{
	wx_free(&s->w);
	ali_free(&s->a);
	pm_http_pool_free(s->pool);
	pm_config_free(s->cfg);
	memset(s, 0, sizeof *s);
}

static int api_start(struct pm_db *db, const char *channel, struct api *s, struct pm_err *e)
{
	json_t *pay;
	int rc;

	memset(s, 0, sizeof *s);
	s->channel = channel;
	if (pm_config_current(db, pm_date_of(pm_now(), pm_db_tz(db)), &s->cfg, e))
		return e->code;
	pay = pm_config_section(s->cfg, "payments");
	if (strcmp(channel, "wechat") == 0)
		rc = wx_load(db, json_object_get(pay, channel), WX_SIGN | WX_VERIFY, &s->w, e);
	else
		rc = ali_load(db, json_object_get(pay, channel), ALI_SIGN | ALI_VERIFY, &s->a, e);
	if (rc == PM_OK)
		rc = pm_http_pool_new(1, &s->pool, e);
	if (rc)
		api_end(s);
	return rc;
}

static void reply_free(struct reply *r)
{
	free(r->body);
	free(r->head);
	memset(r, 0, sizeof *r);
}

static void on_done(void *ctx, void *tag, const struct pm_http_res *res)
{
	struct reply *r = tag;

	r->status = res->status;
	r->failed = res->failed;
	snprintf(r->error, sizeof r->error, "%s", res->error);
	r->body = malloc(res->len + 1);
	r->head = malloc(res->hlen + 1);
	if (!r->body || !r->head) {
		r->failed = 1;
		snprintf(r->error, sizeof r->error, "%s", _("out of memory"));
		return;
	}
	memcpy(r->body, res->body, res->len + 1);
	memcpy(r->head, res->headers, res->hlen + 1);
	r->len = res->len;
	r->hlen = res->hlen;
}

/* One request, waited for. PM_EUNAVAIL when no answer came. */
static int call(struct api *s, const struct pm_http_req *rq, struct reply *r, struct pm_err *e)
{
	memset(r, 0, sizeof *r);
	if (pm_http_pool_add(s->pool, rq, r, e))
		return e->code;
	while (pm_http_pool_busy(s->pool))
		if (pm_http_pool_wait(s->pool, 1000, on_done, NULL, e))
			return e->code;
	if (r->failed)
		return pm_err_set(e, PM_EUNAVAIL, "%s: %s", rq->url, r->error);
	return PM_OK;
}

/* The answer's header lines as a NULL-ended list, split in place. */
static char **header_list(char *head)
{
	size_t n = 1;
	char **v, *p, *nl;

	for (p = head; *p; p++)
		n += *p == '\n';
	if (!(v = calloc(n + 1, sizeof *v)))
		return NULL;
	n = 0;
	for (p = head; *p; p = nl + 1) {
		if (!(nl = strchr(p, '\n')))
			nl = p + strlen(p) - 1;
		nl[0] = '\0';
		if (nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		if (*p && strncmp(p, "HTTP/", 5))
			v[n++] = p;
		if (!nl[1])
			break;
	}
	return v;
}

/* ---- WeChat Pay ---- */

static void nonce_hex(char out[33])
{
	unsigned char r[16];

	randombytes_buf(r, sizeof r);
	sodium_bin2hex(out, 33, r, sizeof r);
	for (char *p = out; *p; p++)
		*p = (char)(*p >= 'a' ? *p - 'a' + 'A' : *p);
}

/* A signed request to path; a 2xx answer must verify (微信支付: "如果
 * 验证应答签名不通过... 应答成功却无签名 ... 可能被伪造或篡改"). */
static int wx_call(struct api *s, const char *method, const char *path, const char *body, struct reply *r,
		   struct pm_err *e)
{
	char nonce[33], url[1024], **heads;
	char *auth;
	int rc;

	memset(r, 0, sizeof *r);
	nonce_hex(nonce);
	if (!(auth = wx_authorization(&s->w, method, path, body ? body : "", (int64_t)time(NULL), nonce, e)))
		return e->code;
	snprintf(url, sizeof url, "%s%s", s->w.api_url, path);
	const char *headers[] = {auth, "Accept: application/json", "Content-Type: application/json", USER_AGENT,
				 NULL};
	struct pm_http_req rq = {.url = url, .headers = headers, .body = body, .len = body ? strlen(body) : 0,
				 .method = method, .keep_headers = 1, .timeout_ms = 15000};
	rc = call(s, &rq, r, e);
	free(auth);
	if (rc == PM_OK && r->status >= 200 && r->status <= 299) {
		if (!(heads = header_list(r->head)))
			rc = pm_err_set(e, PM_EFAIL, _("out of memory"));
		else if ((rc = wx_verify(&s->w, (const char *const *)heads, r->body, r->len, (int64_t)time(NULL), e)))
			pm_err_prefix(e, _("WeChat Pay's answer to %s %s"), method, path);
		free(heads);
	}
	/* The caller frees an answer only when the call succeeded. */
	if (rc)
		reply_free(r);
	return rc;
}

static int wx_failed(const struct reply *r, struct pm_err *e)
{
	char why[256];

	return pm_err_set(e, PM_EUNAVAIL, _("WeChat Pay answered HTTP %ld: %s"), r->status,
			  wx_error(r->body, r->len, why, sizeof why));
}

static int wx_order(struct api *s, const char *no, const char *subject, int64_t amount, int64_t expires,
		    char **qr, struct pm_err *e)
{
	char when[PM_TIME_BUF], *body = wx_native_body(&s->w, no, subject, amount, pm_time_fmt(expires, PM_DEFAULT_TZ, when));
	struct reply r;
	int rc;

	if (!body)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	rc = wx_call(s, "POST", "/v3/pay/transactions/native", body, &r, e);
	free(body);
	if (rc == PM_OK && r.status != 200)
		rc = wx_failed(&r, e);
	if (rc == PM_OK && !(*qr = wx_code_url(r.body, r.len, e)))
		rc = e->code;
	reply_free(&r);
	return rc;
}

/* Query by out_trade_no (GET /v3/pay/transactions/out-trade-no/{no}
 * ?mchid=): an order WeChat Pay has not seen is waiting. */
static int wx_query(struct api *s, const char *no, struct pm_pay_event *ev, struct pm_err *e)
{
	char path[256];
	struct reply r;
	json_t *tx;
	int rc;

	snprintf(path, sizeof path, "/v3/pay/transactions/out-trade-no/%s?mchid=%s", no, s->w.mchid);
	if ((rc = wx_call(s, "GET", path, NULL, &r, e)))
		return rc;
	memset(ev, 0, sizeof *ev);
	if (r.status == 404 && strstr(r.body, "ORDER_NOT_EXIST")) {
		snprintf(ev->no, sizeof ev->no, "%s", no);
		snprintf(ev->state_word, sizeof ev->state_word, "ORDER_NOT_EXIST");
		ev->state = PM_PAY_WAITING;
	} else if (r.status != 200) {
		rc = wx_failed(&r, e);
	} else if (!(tx = json_loadb(r.body, r.len, JSON_REJECT_DUPLICATES, NULL))) {
		rc = pm_err_set(e, PM_EDATA, _("WeChat Pay's answer is not JSON"));
	} else {
		rc = wx_transaction(&s->w, tx, ev, e);
		json_decref(tx);
	}
	reply_free(&r);
	return rc;
}

/* POST .../close {"mchid"}: 204. An order WeChat Pay has not seen is
 * closed already; one it says was paid is not ours to close. */
static int wx_close(struct api *s, const char *no, struct pm_err *e)
{
	char path[256], body[96];
	struct reply r;
	int rc;

	snprintf(path, sizeof path, "/v3/pay/transactions/out-trade-no/%s/close", no);
	snprintf(body, sizeof body, "{\"mchid\":\"%s\"}", s->w.mchid);
	if ((rc = wx_call(s, "POST", path, body, &r, e)))
		return rc;
	if (r.status == 400 && strstr(r.body, "ORDERPAID"))
		rc = pm_err_set(e, PM_EFAIL, _("WeChat Pay says order '%s' is paid: pm-pay sync records it"), no);
	else if (r.status != 204 && r.status != 200 && !(r.status == 404 && strstr(r.body, "ORDER_NOT_EXIST")))
		rc = wx_failed(&r, e);
	reply_free(&r);
	return rc;
}

/* ---- Alipay ---- */

static int ali_call(struct api *s, const char *method, json_t *biz, int notify, json_t **resp, struct pm_err *e)
{
	static const char *const headers[] = {"Content-Type: application/x-www-form-urlencoded;charset=utf-8",
					      "Accept: application/json", USER_AGENT, NULL};
	char *text = json_dumps(biz, JSON_COMPACT | JSON_PRESERVE_ORDER), *form = NULL;
	struct reply r = {0};
	int rc;

	*resp = NULL;
	if (!text)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	if (!(form = ali_request(&s->a, method, text, (int64_t)time(NULL), notify, e))) {
		free(text);
		return e->code;
	}
	struct pm_http_req rq = {.url = s->a.gateway, .headers = headers, .body = form, .len = strlen(form),
				 .timeout_ms = 15000};
	rc = call(s, &rq, &r, e);
	free(text);
	free(form);
	if (rc == PM_OK && r.status != 200)
		rc = pm_err_set(e, PM_EUNAVAIL, _("Alipay answered HTTP %ld"), r.status);
	if (rc == PM_OK)
		rc = ali_answer(&s->a, method, r.body, r.len, resp, e);
	reply_free(&r);
	return rc;
}

static int sub_code(json_t *resp, const char *code)
{
	const char *s = json_string_value(json_object_get(resp, "sub_code"));

	return s && strcmp(s, code) == 0;
}

static int ali_order(struct api *s, const char *no, const char *subject, int64_t amount, int64_t expires,
		     char **qr, struct pm_err *e)
{
	char yuan[PM_MONEY_BUF], when[32];
	json_t *biz = json_pack("{s:s, s:s, s:s, s:s}", "out_trade_no", no, "total_amount", pm_money_fmt(amount, yuan),
				"subject", subject, "time_expire", ali_time(expires, when));
	json_t *resp;
	const char *code;
	int rc = ali_call(s, "alipay.trade.precreate", biz, 1, &resp, e);

	json_decref(biz);
	if (rc == PM_OK && (!(code = json_string_value(json_object_get(resp, "qr_code"))) || strlen(code) > 512))
		rc = pm_err_set(e, PM_EDATA, _("Alipay's answer has no qr_code"));
	else if (rc == PM_OK && !(*qr = strdup(code)))
		rc = pm_err_set(e, PM_EFAIL, _("out of memory"));
	json_decref(resp);
	return rc;
}

/* alipay.trade.query: a precreated order nobody scanned yet does not
 * exist at Alipay (ACQ.TRADE_NOT_EXIST): waiting. */
static int ali_query(struct api *s, const char *no, struct pm_pay_event *ev, struct pm_err *e)
{
	json_t *biz = json_pack("{s:s}", "out_trade_no", no), *resp;
	int rc = ali_call(s, "alipay.trade.query", biz, 0, &resp, e);

	json_decref(biz);
	memset(ev, 0, sizeof *ev);
	if (rc == PM_EUNAVAIL && sub_code(resp, "ACQ.TRADE_NOT_EXIST")) {
		snprintf(ev->no, sizeof ev->no, "%s", no);
		snprintf(ev->state_word, sizeof ev->state_word, "TRADE_NOT_EXIST");
		ev->state = PM_PAY_WAITING;
		rc = PM_OK;
	} else if (rc == PM_OK) {
		rc = ali_trade(resp, ev, e);
	}
	json_decref(resp);
	return rc;
}

static int ali_close(struct api *s, const char *no, struct pm_err *e)
{
	json_t *biz = json_pack("{s:s}", "out_trade_no", no), *resp;
	int rc = ali_call(s, "alipay.trade.close", biz, 0, &resp, e);

	json_decref(biz);
	if (rc == PM_EUNAVAIL && sub_code(resp, "ACQ.TRADE_NOT_EXIST"))
		rc = PM_OK;
	else if (rc == PM_EUNAVAIL && sub_code(resp, "ACQ.TRADE_STATUS_ERROR"))
		rc = pm_err_set(e, PM_EFAIL, _("Alipay says order '%s' is paid: pm-pay sync records it"), no);
	json_decref(resp);
	return rc;
}

/* ---- either channel ---- */

static int query(struct api *s, const char *no, struct pm_pay_event *ev, struct pm_err *e)
{
	int rc = strcmp(s->channel, "wechat") == 0 ? wx_query(s, no, ev, e) : ali_query(s, no, ev, e);

	if (rc == PM_OK && strcmp(ev->no, no))
		rc = pm_err_set(e, PM_EDATA, _("asked about order '%s', the channel answered about '%s'"), no, ev->no);
	return rc;
}

static int close_at(struct api *s, const char *no, struct pm_err *e)
{
	return strcmp(s->channel, "wechat") == 0 ? wx_close(s, no, e) : ali_close(s, no, e);
}

/* The payer's line on the receipt: "幸福里 物业费 3-2-1101", within
 * WeChat Pay's 127 bytes of description. The name is cut at a
 * character: cut inside one it is no UTF-8, which the JSON and the form
 * sent cannot carry (every order failed, "out of memory"). */
static void subject(struct api *s, const char *unit, char *buf, size_t size)
{
	char name[61];

	snprintf(name, sizeof name, "%s", pm_config_community_name(s->cfg));
	pm_utf8_trim(name, strlen(name));
	snprintf(buf, size, "%s 物业费 %.40s", name, unit);
}

static int qr_order(struct pm_db *db, struct api *s, json_t *rec, struct pm_err *e)
{
	const char *no = json_string_value(json_object_get(rec, "order"));
	char what[160], *qr = NULL;
	int64_t expires;
	int rc;

	if (pm_time_parse(json_string_value(json_object_get(rec, "expires")), &expires, e))
		return e->code;
	subject(s, json_string_value(json_object_get(rec, "unit")), what, sizeof what);
	if (strcmp(s->channel, "wechat") == 0)
		rc = wx_order(s, no, what, json_integer_value(json_object_get(rec, "amount_fen")), expires, &qr, e);
	else
		rc = ali_order(s, no, what, json_integer_value(json_object_get(rec, "amount_fen")), expires, &qr, e);
	if (rc == PM_OK)
		rc = pm_pay_order_qr(db, no, qr, e);
	else
		pm_err_prefix(e, _("order '%s' stays pending without a QR code (pm-pay sync settles it)"), no);
	free(qr);
	return rc;
}

int pm_pay_order_create(struct pm_db *db, struct pm_pay_order *o, json_t **out, struct pm_err *e)
{
	struct api s;
	json_t *rec;
	int rc;

	*out = NULL;
	if (pm_pay_order_new(db, o, &rec, e))
		return e->code;
	if (strcmp(o->outcome, "existing") == 0) {
		*out = rec;
		return PM_OK;
	}
	if ((rc = api_start(db, o->channel, &s, e)) == PM_OK) {
		rc = qr_order(db, &s, rec, e);
		api_end(&s);
	}
	if (rc == PM_OK)
		rc = pm_pay_order_get(db, json_string_value(json_object_get(rec, "order")), out, e);
	json_decref(rec);
	return rc;
}

int pm_pay_close(struct pm_db *db, const char *no, const char *reason, struct pm_err *e)
{
	const char *status;
	struct api s;
	json_t *rec;
	int rc;

	if (pm_pay_order_get(db, no, &rec, e))
		return e->code;
	status = json_string_value(json_object_get(rec, "status"));
	if (strcmp(status, "paid") == 0)
		rc = pm_err_set(e, PM_EFAIL, _("payment order '%s' is paid: refund it with pm-bill refund"), no);
	else if (strcmp(status, "closed") == 0)
		rc = PM_OK;
	else if ((rc = api_start(db, json_string_value(json_object_get(rec, "channel")), &s, e)) == PM_OK) {
		if ((rc = close_at(&s, no, e)) == PM_OK)
			rc = pm_pay_order_close(db, no, reason, e);
		api_end(&s);
	}
	json_decref(rec);
	return rc;
}

/* ---- sync ---- */

struct sync_ctx {
	struct pm_db *db;
	struct api *s;
	struct pm_pay_sync *sy;
	struct pm_err *e;
};

static int sync_tell(struct sync_ctx *c, const char *no, const char *state, const char *outcome, const char *why)
{
	json_t *rec;
	int rc;

	if (!c->sy->fn)
		return PM_OK;
	rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?}", "type", "pay_sync", "order", no, "channel", c->s->channel,
			"state", state, "outcome", outcome, "why", why);
	rc = c->sy->fn(c->sy->ctx, rec);
	json_decref(rec);
	return rc;
}

/* A waiting order past its expiry is closed, at the channel first. */
static int expire(struct sync_ctx *c, const char *no, const char **outcome, struct pm_err *e)
{
	int rc = close_at(c->s, no, e);

	if (rc == PM_OK)
		rc = pm_pay_order_close(c->db, no, "expired", e);
	if (rc == PM_OK)
		*outcome = "closed";
	return rc;
}

#define PREPAID_WHY N_("its bills were paid meanwhile: the money went to the unit's prepaid balance")

static int sync_one(void *ctx, const char *no, int64_t expires)
{
	struct sync_ctx *c = ctx;
	struct pm_pay_event ev = {0};
	const char *outcome = "failed";
	struct pm_err e = {0};
	int rc;

	c->sy->queried++;
	rc = query(c->s, no, &ev, &e);
	/* Closed at the channel past its expiry is closed by a sync killed
	 * before it recorded the close (expire() closes at the channel
	 * first), or by the channel at the expiry: recorded as expired, as
	 * that sync would have, not as the channel's word. */
	if (rc == PM_OK && ev.state == PM_PAY_CLOSED && expires <= pm_now()) {
		if ((rc = pm_pay_order_close(c->db, no, "expired", &e)) == PM_OK)
			outcome = "closed";
	} else if (rc == PM_OK) {
		rc = pm_pay_order_event(c->db, c->s->channel, &ev, &outcome, NULL, &e);
	}
	if (rc == PM_OK && strcmp(outcome, "waiting") == 0 && expires <= pm_now())
		rc = expire(c, no, &outcome, &e);
	/* The store failing stops the run; an order the channel could not
	 * tell of is left for the next. */
	if (rc == PM_ETEMPFAIL || rc == PM_ECONFIG || rc == PM_ESOFTWARE || rc == PM_EIO) {
		*c->e = e;
		return rc;
	}
	if (rc && strcmp(outcome, "refused"))
		outcome = "failed";
	c->sy->prepaid += strcmp(outcome, "prepaid") == 0;
	c->sy->recorded += strcmp(outcome, "recorded") == 0 || strcmp(outcome, "prepaid") == 0;
	c->sy->closed += strcmp(outcome, "closed") == 0;
	c->sy->waiting += strcmp(outcome, "waiting") == 0;
	c->sy->refused += strcmp(outcome, "refused") == 0;
	c->sy->failed += strcmp(outcome, "failed") == 0;
	return sync_tell(c, no, ev.state_word[0] ? ev.state_word : "?", outcome,
			 rc ? e.msg : strcmp(outcome, "prepaid") ? NULL : _(PREPAID_WHY));
}

int pm_pay_sync(struct pm_db *db, struct pm_pay_sync *sy, struct pm_err *e)
{
	static const char *const channels[] = {"wechat", "alipay"};
	struct pm_config *cfg;
	json_t *pay;
	struct api s;
	int rc = PM_OK;

	sy->queried = sy->recorded = sy->closed = sy->waiting = sy->refused = sy->failed = sy->prepaid = 0;
	if (pm_config_current(db, pm_date_of(pm_now(), pm_db_tz(db)), &cfg, e))
		return e->code;
	pay = pm_config_section(cfg, "payments");
	for (size_t i = 0; i < 2 && rc == PM_OK; i++) {
		struct sync_ctx c = {db, &s, sy, e};
		if (!json_object_get(pay, channels[i]) || (rc = api_start(db, channels[i], &s, e)))
			continue;
		rc = pm_pay_order_pending(db, channels[i], sy->since, sync_one, &c, e);
		api_end(&s);
	}
	pm_config_free(cfg);
	if (rc == PM_OK && sy->failed)
		return pm_err_set(e, PM_EUNAVAIL, _("%ld of %ld orders could not be asked about; the next run tries again"),
				  sy->failed, sy->queried);
	/* A channel's word that does not match the order (another amount)
	 * wants a person: cron mails what exits other than 0. */
	if (rc == PM_OK && sy->refused)
		return pm_err_set(e, PM_EDATA, _("%ld of %ld orders refused: what the channel says does not match the"
						 " order (see each one's why)"), sy->refused, sy->queried);
	return rc;
}
