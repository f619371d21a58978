/* webpay: a bill paid online from its pay page. A channel's button makes
 * (or finds) the WeChat Pay or Alipay order for what the bill owes, and
 * the order's page shows its QR code until the channel's notification is
 * recorded, then its receipt. The order is pm-pay's: pm-web runs
 * `pm-pay --as LOGIN order`, as the service account it is, for the
 * signed-in user, so the audit names both, the same rules refuse the
 * same requests, and pm-web never loads libcurl or libcrypto. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pm/auth.h"
#include "pm/bill.h"
#include "pm/config.h"
#include "pm/i18n.h"
#include "pm/payorder.h"
#include "pm/spawn.h"
#include "web-internal.h"

#define STR(o, k) json_string_value(json_object_get(o, k))
#define FEN(o, k) ((int64_t)json_integer_value(json_object_get(o, k)))

/* pm-pay's record is a few hundred bytes, its error one line; a channel
 * answers in seconds or pm-pay gives up. */
#define PAY_OUT_MAX 65536
#define PAY_MS 60000

static const char *const channels[][2] = {{"wechat", "微信支付"}, {"alipay", "支付宝"}};

static const char *channel_name(const char *k)
{
	for (size_t i = 0; i < sizeof channels / sizeof *channels; i++)
		if (strcmp(channels[i][0], k) == 0)
			return channels[i][1];
	return NULL;
}

int pm_web_pay_online(struct pm_web *w, const char *bill, int64_t owed)
{
	char path[96];
	json_t *pay;
	struct pm_err ignored;
	int n = 0;

	if (owed <= 0 || !pm_auth_allowed(w->actor.role, "pay.order") ||
	    pm_config_today(w->db, "payments", &pay, &ignored))
		return 0;
	snprintf(path, sizeof path, "/bill/%.64s/order", bill);
	for (size_t i = 0; i < sizeof channels / sizeof *channels; i++) {
		if (!json_object_get(pay, channels[i][0]))
			continue;
		if (!n++)
			fputs("<section class=\"pay online\"><h2>在线支付</h2>\n", w->res.f);
		pm_web_form(w, path, 0);
		pm_html_fmt(w->res.f, "<input type=\"hidden\" name=\"channel\" value=\"%s\"><button>%s %M</button></form>\n",
			    channels[i][0], channels[i][1], owed);
	}
	if (n)
		fputs("<p class=\"muted\">按账单金额下单，付款后自动入账，无需备注。</p>\n</section>\n", w->res.f);
	json_decref(pay);
	return n;
}

/* ---- running pm-pay ---- */

/* Runs pm-pay with argv: its exit status, its record in *out (NULL when
 * none), else what it said in why. Its messages in Chinese, as the
 * page's are; a channel's calls are bounded by pm-pay's own timeouts,
 * this by PAY_MS. */
static int pay_run(char *const argv[], json_t **out, char *why, size_t size)
{
	static char *const env[] = {"LC_ALL=", "LC_MESSAGES=zh_CN.UTF-8", NULL};
	char path[PATH_MAX], *buf = malloc(PAY_OUT_MAX), *nl;
	int status, rc;

	*out = NULL;
	if (!buf) {
		snprintf(why, size, "out of memory");
		return PM_EFAIL;
	}
	/* pm-pay beside pm-web (the same installation), else on PATH. */
	rc = pm_spawn(pm_spawn_sibling("pm-pay", path, sizeof path) ? path : NULL, argv, env, PAY_MS, buf,
		      PAY_OUT_MAX, &status);
	if (rc == -2)
		snprintf(why, size, "cannot start pm-pay: %s", strerror(errno));
	else if (rc == -1)
		snprintf(why, size, "pm-pay did not finish in %d s", PAY_MS / 1000);
	if (rc) {
		free(buf);
		return PM_EUNAVAIL;
	}
	if ((nl = strchr(buf, '\n')))
		*nl = '\0';
	if (!(*out = json_loads(buf, 0, NULL)) && nl)
		*nl = ' ';
	/* "pm-pay: unit ... owes nothing": the message without the name. */
	snprintf(why, size, "%s", strncmp(buf, "pm-pay: ", 8) ? buf : buf + 8);
	free(buf);
	return WIFEXITED(status) ? WEXITSTATUS(status) : PM_ESOFTWARE;
}

/* ---- the order: made, then shown ---- */

int pm_page_bill_order(struct pm_web *w)
{
	const char *code = w->arg[0], *ch = pm_web_field(w, "channel");
	char unit[64], why[PM_ERR_MSG_MAX], path[96];
	json_t *rec;
	int rc;

	if (!ch || !channel_name(ch))
		return pm_web_fail(w, PM_EDATA, "请选择微信支付或支付宝。");
	if (pm_bill_may_read_bill(w->db, &w->actor, code, unit, sizeof unit, &w->err) ||
	    pm_auth_check(&w->actor, "pay.order", &w->err))
		return w->err.code;
	char *argv[] = {"pm-pay", "--db", (char *)w->db_path, "--as", w->actor.login, "order", "--unit", unit,
			"--channel", (char *)ch, "--bill", (char *)code, "--format", "jsonl", "-q", NULL};
	rc = pay_run(argv, &rec, why, sizeof why);
	if (rc == PM_OK && STR(rec, "order")) {
		snprintf(path, sizeof path, "/order/%.64s", STR(rec, "order"));
		json_decref(rec);
		pm_web_redirect(&w->res, w->req.script, path);
		return PM_OK;
	}
	json_decref(rec);
	pm_web_log(w, "pm-pay order %s %s: exit %d: %s", code, ch, rc, why);
	if (rc == PM_EDATA || rc == PM_EFAIL || rc == PM_ENOPERM)
		return pm_web_fail(w, rc, "无法在线下单：%s", why);
	return pm_web_fail(w, PM_EUNAVAIL, "%s暂时无法下单，请稍后再试，或到物业服务中心缴费。", channel_name(ch));
}

/* The order of the route, if the actor may see it: one that is not there
 * is refused as one of another unit, so order numbers cannot be probed. */
static int order_of(struct pm_web *w, json_t **o)
{
	if (pm_auth_check(&w->actor, "pay.read", &w->err) == PM_OK &&
	    pm_pay_order_may_see(w->db, &w->actor, w->arg[0], &w->err) == PM_OK &&
	    pm_pay_order_get(w->db, w->arg[0], o, &w->err) == PM_OK)
		return PM_OK;
	*o = NULL;
	if (w->err.code != PM_EDATA && w->err.code != PM_ENOPERM)
		return w->err.code;
	return pm_web_fail(w, PM_ENOPERM, "无权查看支付订单 %s。", w->arg[0]);
}

static void order_pending(struct pm_web *w, json_t *o)
{
	const char *qr = STR(o, "qr"), *ch = STR(o, "channel");
	FILE *f = w->res.f;

	if (!qr) {
		pm_html_note(f, "warn", "订单已记下，但支付渠道尚未给出付款码，请稍后刷新本页。");
		return;
	}
	if (strcmp(ch, "alipay") == 0 && strncmp(qr, "https://", 8) == 0)
		pm_html_fmt(f, "<p class=\"actions\"><a class=\"button\" href=\"%s\">打开支付宝付款 %M</a></p>\n", qr,
			    FEN(o, "amount_fen"));
	if (pm_web_qr(w, qr, strcmp(ch, "wechat") == 0 ? "用微信扫一扫；在微信里打开本页时，长按二维码识别付款"
							 : "用支付宝扫一扫付款")) {
		pm_web_log(w, "order %s: %s", STR(o, "order"), w->err.msg);
		pm_html_note(f, "warn", "付款码暂时无法显示，请稍后刷新本页。");
	}
	fputs("<p class=\"muted\">有效至 ", f);
	pm_web_time(f, STR(o, "expires"));
	pm_html_fmt(f, "。付款后稍等片刻，<a href=\"%s/order/%u\">刷新本页</a>即可看到已入账。</p>\n", w->req.script,
		    STR(o, "order"));
}

/* What the payment paid, and what of it waits as the unit's prepaid
 * money: all of it when the bills were paid another way meanwhile (cash
 * at the desk), which the owner is told rather than left to wonder. */
static void order_paid(struct pm_web *w, int64_t payment)
{
	struct pm_err ignored;
	int64_t left;
	size_t i;
	json_t *p, *a;

	if (pm_payment_get(w->db, payment, &p, &ignored) == PM_OK) {
		left = FEN(p, "amount_fen") - FEN(p, "refunded_fen");
		json_array_foreach(json_object_get(p, "allocations"), i, a)
			left -= FEN(a, "amount_fen");
		if (left > 0)
			pm_html_fmt(w->res.f, "<p>其中 %M 存为本户预存款，抵扣以后的账单。</p>\n", left);
		json_decref(p);
	}
	pm_html_fmt(w->res.f, "<p class=\"actions\"><a class=\"button\" href=\"%s/receipt/%D\">查看收据</a></p>\n",
		    w->req.script, (long long)payment);
}

int pm_page_order(struct pm_web *w)
{
	FILE *f = w->res.f;
	const char *status, *bills;
	json_t *o;

	if (order_of(w, &o))
		return w->err.code;
	status = STR(o, "status");
	bills = STR(o, "bills");
	pm_web_page(w, "在线支付");
	pm_html_fmt(f, "<p>%s · %s · 订单号 %s</p>\n<p class=\"big\">%M</p>\n", STR(o, "unit"),
		    channel_name(STR(o, "channel")), STR(o, "order"), FEN(o, "amount_fen"));
	if (strcmp(status, "paid") == 0) {
		pm_html_note(f, "ok", "已付款，已入账。");
		if (FEN(o, "payment"))
			order_paid(w, FEN(o, "payment"));
	} else if (strcmp(status, "closed") == 0) {
		pm_html_note(f, "warn", "订单已关闭，未收款。如需付款，请回到账单重新下单。");
	} else {
		order_pending(w, o);
	}
	if (bills && *bills && !strchr(bills, ','))
		pm_html_fmt(f, "<p><a href=\"%s/bill/%u\">返回账单</a></p>\n", w->req.script, bills);
	json_decref(o);
	pm_web_page_end(w);
	return PM_OK;
}
