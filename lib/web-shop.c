/* web-shop: group buying (社区团购) on the web. Owners see the open
 * offers, order for a unit they live in (points off the amount), pay the
 * order through the channels of the pay page and follow their orders;
 * the desk prints an offer's pickup list by building and marks what was
 * picked up. Every amount comes from the store (lib/shopcart.c prices a
 * cart; the callback records it through pm_shop_order_pay). */
#include <string.h>

#include "pm/community.h"
#include "pm/config.h"
#include "pm/db.h"
#include "pm/reward.h"
#include "pm/session.h"
#include "pm/shop.h"
#include "pm/shopcart.h"
#include "pm/timeutil.h"
#include "shop-internal.h"
#include "web-internal.h"

#define STR(o, k) json_string_value(json_object_get(o, k))
#define NUM(o, k) ((int64_t)json_integer_value(json_object_get(o, k)))

static int owner(struct pm_web *w)
{
	return w->actor.role == PM_ROLE_OWNER;
}

/* Owners browse to buy, staff to hand out. */
static int may_browse(struct pm_web *w)
{
	return pm_auth_check(&w->actor, owner(w) ? "shop.buy" : "shop.read", &w->err);
}

static const char *offer_state(const char *s)
{
	static const char *const names[][2] = {
		{"open", "拼团中"}, {"formed", "已成团"}, {"failed", "未成团"}, {"settled", "已结算"},
	};

	for (size_t i = 0; s && i < sizeof names / sizeof *names; i++)
		if (strcmp(names[i][0], s) == 0)
			return names[i][1];
	return s ? s : "";
}

/* The facts of an offer, as a list and on its page alike. */
static void offer_facts(struct pm_web *w, json_t *o)
{
	FILE *f = w->res.f;

	pm_html_fmt(f, "<p class=\"big\">%M<span class=\"muted\"> / %s</span></p>\n<dl class=\"facts\">",
		    NUM(o, "price_fen"), STR(o, "unit_name"));
	fputs("<dt>截止</dt><dd>", f);
	pm_web_time(f, STR(o, "deadline"));
	pm_html_fmt(f, "</dd><dt>成团</dt><dd class=\"group\">%D/%D 户</dd><dt>剩余</dt><dd class=\"left\">%D %s",
		    (long long)NUM(o, "units"), (long long)NUM(o, "min_group"), (long long)NUM(o, "left"),
		    STR(o, "unit_name"));
	/* What carts hold is not left, but may be again if unpaid. */
	if (NUM(o, "held") > 0)
		pm_html_fmt(f, "<span class=\"muted held\">（另有 %D %s 待付款）</span>", (long long)NUM(o, "held"),
			    STR(o, "unit_name"));
	if (NUM(o, "per_unit") > 0)
		pm_html_fmt(f, "</dd><dt>限购</dt><dd class=\"per-unit\">每户 %D %s", (long long)NUM(o, "per_unit"),
			    STR(o, "unit_name"));
	pm_html_fmt(f, "</dd><dt>自提</dt><dd>%s · %s</dd><dt>状态</dt><dd>%s</dd></dl>\n", STR(o, "pickup_point"),
		    STR(o, "pickup_at"), offer_state(STR(o, "state")));
}

/* ---- the offers ---- */

/* Whether an offer in state with that deadline still takes orders:
 * open, and before it (an offer is closed some time after). */
static int taking(const char *state, const char *deadline)
{
	struct pm_err ignored;
	int64_t t;

	return state && strcmp(state, "open") == 0 && pm_time_parse(deadline, &t, &ignored) == PM_OK && pm_now() < t;
}

static int offer_item(void *ctx, json_t *o)
{
	struct pm_web *w = ctx;

	if (owner(w) && !taking(STR(o, "state"), STR(o, "deadline")))
		return PM_OK;
	pm_html_fmt(w->res.f, "<li class=\"offer\"><h2><a href=\"%s/shop/%u\">%s</a></h2>\n", w->req.script,
		    STR(o, "offer"), STR(o, "title"));
	offer_facts(w, o);
	fputs("</li>\n", w->res.f);
	return PM_OK;
}

int pm_page_shop(struct pm_web *w)
{
	long mark;

	if (may_browse(w))
		return w->err.code;
	pm_web_page(w, "社区团购");
	if (owner(w))
		pm_html_fmt(w->res.f, "<p class=\"actions\"><a class=\"button secondary\" href=\"%s/orders\">我的订单</a></p>\n",
			    w->req.script);
	fputs("<ul class=\"cards offers\">\n", w->res.f);
	mark = pm_web_mark(w);
	if (pm_shop_offer_each(w->db, NULL, offer_item, w, &w->err))
		return w->err.code;
	pm_web_none(w, mark, 0, "暂时没有团购");
	fputs("</ul>\n", w->res.f);
	pm_web_page_end(w);
	return PM_OK;
}

/* The offer of the route's first segment, or 404. */
static int offer_of(struct pm_web *w, json_t **o)
{
	*o = NULL;
	if (pm_shop_offer_each(w->db, w->arg[0], shop_take_one, o, &w->err))
		return w->err.code;
	return *o ? PM_OK : pm_web_fail(w, PM_ENOINPUT, "%s", "没有这个团购。");
}

static int order_form(struct pm_web *w, json_t *o)
{
	char path[96], nonce[PM_SESSION_TOKEN];
	int64_t per_unit = NUM(o, "per_unit");
	FILE *f = w->res.f;
	int sent;

	/* One order per form: an order wholly in points is recorded as the
	 * form is sent, and the nonce makes a second send the same order. */
	if (pm_session_token(nonce, &w->err))
		return w->err.code;
	snprintf(path, sizeof path, "/shop/%.64s/order", STR(o, "offer"));
	fputs("<h2>下单</h2>\n", f);
	/* Stock that carts hold: only what is left may be ordered now. */
	if (NUM(o, "held") > 0 && NUM(o, "left") <= 0) {
		pm_html_fmt(f, "<p class=\"note warn\">已全部被待付款的订单占用（%D %s），逾时未付款将释放，请稍后再来。</p>\n",
			    (long long)NUM(o, "held"), STR(o, "unit_name"));
		return PM_OK;
	}
	if (NUM(o, "held") > 0)
		pm_html_fmt(f, "<p class=\"note warn\">仅剩 %D %s：另有 %D %s 被待付款的订单占用。</p>\n",
			    (long long)NUM(o, "left"), STR(o, "unit_name"), (long long)NUM(o, "held"), STR(o, "unit_name"));
	pm_web_form(w, path, 0);
	pm_html_fmt(f, "<input type=\"hidden\" name=\"nonce\" value=\"%s\">", nonce);
	fputs("<label>房屋<select name=\"unit\" required>", f);
	if (pm_web_points_options(w, NULL))
		return w->err.code;
	/* Filled in as sent when the form comes back refused. */
	sent = pm_web_sent_here(w, path);
	pm_html_fmt(f, "</select></label><label>数量（%s）<input name=\"qty\" type=\"number\" min=\"1\" max=\"%D\" value=\"%s\" required>"
		       "</label><label>使用积分（1 积分抵 0.01 元）<input name=\"points\" type=\"number\" min=\"0\" value=\"%s\">"
		       "</label><button>提交订单</button></form>\n",
		    STR(o, "unit_name"), (long long)(per_unit > 0 && per_unit < NUM(o, "left") ? per_unit : NUM(o, "left")),
		    sent ? pm_web_sent(w, "qty") : "1", sent ? pm_web_sent(w, "points") : "0");
	return PM_OK;
}

int pm_page_offer(struct pm_web *w)
{
	json_t *o;
	int rc = PM_OK;

	if (may_browse(w) || offer_of(w, &o))
		return w->err.code;
	pm_web_page(w, STR(o, "title"));
	offer_facts(w, o);
	if (owner(w) && taking(STR(o, "state"), STR(o, "deadline")))
		rc = order_form(w, o);
	else if (!owner(w) && pm_auth_allowed(w->actor.role, "shop.pickup") &&
		 (!strcmp(STR(o, "state"), "formed") || !strcmp(STR(o, "state"), "settled")))
		pm_html_fmt(w->res.f, "<p class=\"actions\"><a class=\"button\" href=\"%s/shop/%u/pickup\">提货单</a></p>\n",
			    w->req.script, STR(o, "offer"));
	json_decref(o);
	if (rc == PM_OK)
		pm_web_page_end(w);
	return rc;
}

/* A whole number of a form's field, 0 when left blank or 0. */
static int count_field(struct pm_web *w, const char *name, int64_t *n)
{
	const char *v = pm_web_field(w, name);

	*n = 0;
	return v && strcmp(v, "0") ? pm_web_param_id(w, name, n) : PM_OK;
}

int pm_page_offer_order(struct pm_web *w)
{
	struct pm_shop_cart c = {.offer = w->arg[0], .unit = pm_web_field(w, "unit"), .nonce = pm_web_field(w, "nonce")};
	char path[64];
	json_t *cart;

	if (!c.unit)
		return pm_web_fail(w, PM_EDATA, "%s", "请选择房屋。");
	if (pm_web_param_id(w, "qty", &c.qty) || count_field(w, "points", &c.points) ||
	    pm_shop_cart_new(w->db, &w->actor, &c, &cart, &w->err))
		return w->err.code;
	/* Paid wholly in points: an order already, no payment to make. */
	if (strcmp(STR(cart, "type"), "shop_order") == 0)
		snprintf(path, sizeof path, "/orders?placed=%lld", (long long)NUM(cart, "order"));
	else
		snprintf(path, sizeof path, "/cart/%s", STR(cart, "cart"));
	json_decref(cart);
	pm_web_redirect(&w->res, w->req.script, path);
	return PM_OK;
}

/* ---- paying an order ---- */

static void pay_channels(struct pm_web *w, json_t *cart)
{
	json_t *web, *ch;
	const char *k;
	FILE *f = w->res.f;
	int shown = 0;

	if (pm_config_today(w->db, "web", &web, &w->err))
		web = NULL;
	json_object_foreach(json_object_get(web, "pay"), k, ch) {
		const char *label = STR(ch, "label") ? STR(ch, "label") : k;
		pm_html_fmt(f, "<section class=\"pay\"><h2>%s</h2>\n", label);
		if (STR(ch, "qr"))
			pm_html_fmt(f, "<img class=\"qr\" src=\"%s\" alt=\"%s 付款码\">\n", STR(ch, "qr"), label);
		if (STR(ch, "link"))
			pm_html_fmt(f, "<p><a class=\"button\" href=\"%s\">打开%s付款</a></p>\n", STR(ch, "link"), label);
		pm_html_fmt(f, "<p>付款时请备注订单号 <b class=\"cart\">%s</b>，金额 <b class=\"pay\">%M</b>。</p>\n",
			    STR(cart, "cart"), NUM(cart, "pay_fen"));
		fputs("</section>\n", f);
		shown++;
	}
	if (!shown)
		pm_html_note(f, "warn", "暂未开通线上支付，请到物业服务中心下单。");
	json_decref(web);
}

int pm_page_cart(struct pm_web *w)
{
	const char *state;
	FILE *f = w->res.f;
	json_t *cart;

	if (pm_shop_cart_get(w->db, &w->actor, w->arg[0], &cart, &w->err))
		return w->err.code;
	state = STR(cart, "state");
	pm_web_page(w, "支付订单");
	pm_html_fmt(f, "<p>%s · %s × %D %s</p>\n<table class=\"lines\">\n<tbody>\n"
		       "<tr><td>金额</td><td class=\"num amount\">%M</td></tr>\n"
		       "<tr><td>积分抵扣 %D</td><td class=\"num points\">-%M</td></tr>\n</tbody>\n"
		       "<tfoot><tr><td>应付</td><td class=\"num pay\">%M</td></tr></tfoot>\n</table>\n",
		    STR(cart, "unit"), STR(cart, "title"), (long long)NUM(cart, "qty"), STR(cart, "unit_name"),
		    NUM(cart, "amount_fen"), (long long)NUM(cart, "points"), NUM(cart, "points"), NUM(cart, "pay_fen"));
	if (!strcmp(state, "refused") || !strcmp(state, "refunded"))
		pm_html_note(f, "error", strcmp(state, "refused") ? "付款未能下单，已原路退款。" : "付款未能下单，物业将原路退款。");
	else if (strcmp(state, "pending"))
		pm_html_note(f, "ok", "本订单已支付。");
	else if (!taking(STR(cart, "offer_state"), STR(cart, "deadline")))
		pm_html_note(f, "warn", "本团购已截止，订单不能再支付。");
	else {
		/* Its hold: paid in time, the stock and points are its own. */
		if (json_is_true(json_object_get(cart, "holding"))) {
			fputs("<p class=\"note ok hold\">已为您保留库存和积分至 ", f);
			pm_web_time(f, STR(cart, "hold_until"));
			fputs("，请在此之前付款。</p>\n", f);
		} else if (STR(cart, "hold_until")) {
			pm_html_note(f, "warn hold", "保留已过期：现在付款，如库存或积分已不足，将原路退款。");
		}
		pay_channels(w, cart);
	}
	pm_html_fmt(f, "<p class=\"muted\">到账后订单会出现在“我的订单”里。</p>\n<p><a href=\"%s/orders\">我的订单</a></p>\n",
		    w->req.script);
	json_decref(cart);
	pm_web_page_end(w);
	return PM_OK;
}

/* ---- my orders ---- */

static void mine_state(struct pm_web *w, json_t *r)
{
	const char *s = STR(r, "state");
	FILE *f = w->res.f;

	if (!strcmp(s, "pending") && taking(STR(r, "offer_state"), STR(r, "deadline"))) {
		/* Its hold, as its pay page tells it: kept until when, or lapsed. */
		fputs("待支付", f);
		if (json_is_true(json_object_get(r, "holding"))) {
			fputs("，已为您保留至 <span class=\"hold\">", f);
			pm_web_time(f, STR(r, "hold_until"));
			fputs("</span>", f);
		} else if (STR(r, "hold_until")) {
			fputs("，<span class=\"hold lapsed\">保留已过期</span>", f);
		}
		pm_html_fmt(f, " <a href=\"%s/cart/%u\">去支付</a>", w->req.script, STR(r, "cart"));
	}
	else if (!strcmp(s, "pending"))
		fputs("未支付，已失效", f);
	else if (!strcmp(s, "claimed"))
		fputs("已付款，处理中", f);
	else if (!strcmp(s, "refused"))
		fputs("付款未能下单，物业将原路退款", f);
	else if (!strcmp(s, "paid"))
		fputs("已支付，等待成团", f);
	else if (!strcmp(s, "refunded") && json_is_null(json_object_get(r, "order")))
		pm_html_fmt(f, "付款未能下单，已原路退款 %M", NUM(r, "refunded_fen"));
	else if (!strcmp(s, "refunded"))
		pm_html_fmt(f, "未成团，已退款 %M，退回积分 %D", NUM(r, "refunded_fen"), (long long)NUM(r, "points_returned"));
	else if (NUM(r, "picked") == NUM(r, "qty"))
		pm_html_fmt(f, "已提货 %D %s", (long long)NUM(r, "picked"), STR(r, "unit_name"));
	else if (!strcmp(s, "confirmed"))
		pm_html_fmt(f, "已成团，待提货（已提 %D）：%s · %s", (long long)NUM(r, "picked"), STR(r, "pickup_point"),
			    STR(r, "pickup_at"));
	else
		pm_html_fmt(f, "已提货 %D %s，未提部分已退款 %M", (long long)NUM(r, "picked"), STR(r, "unit_name"),
			    NUM(r, "refunded_fen"));
}

static int mine_row(void *ctx, json_t *r)
{
	struct pm_web *w = ctx;
	FILE *f = w->res.f;

	pm_html_fmt(f, "<li class=\"order %s\"><h2>%s</h2><p class=\"muted\">%s · %D %s</p>"
		       "<p class=\"money\">金额 %M · 积分 %D · 实付 %M</p><p class=\"state\">",
		    STR(r, "state"), STR(r, "title"), STR(r, "unit"), (long long)NUM(r, "qty"), STR(r, "unit_name"),
		    NUM(r, "amount_fen"), (long long)NUM(r, "points"), NUM(r, "paid_fen"));
	mine_state(w, r);
	fputs("</p></li>\n", f);
	return PM_OK;
}

static int unit_orders(void *ctx, json_t *u)
{
	struct pm_web *w = ctx;

	return pm_shop_mine_each(w->db, &w->actor, STR(u, "code"), mine_row, w, &w->err);
}

int pm_page_orders(struct pm_web *w)
{
	FILE *f = w->res.f;
	long mark;

	if (!owner(w)) {
		pm_web_redirect(&w->res, w->req.script, "/shop");
		return PM_OK;
	}
	if (pm_auth_check(&w->actor, "shop.buy", &w->err))
		return w->err.code;
	pm_web_page(w, "我的订单");
	if (pm_web_param(w, "placed"))
		pm_html_note(f, "ok", "订单已用积分付清，已提交。");
	fputs("<ul class=\"cards orders\">\n", f);
	mark = pm_web_mark(w);
	if (pm_unit_each_mine(w->db, &w->actor, unit_orders, w, &w->err))
		return w->err.code;
	pm_web_none(w, mark, 0, "还没有订单");
	fputs("</ul>\n", f);
	pm_web_page_end(w);
	return PM_OK;
}

/* ---- the desk's pickup list ---- */

struct pickups {
	struct pm_web *w;
	int formed;   /* pickups are marked until the offer is settled */
	char building[64];
};

static int pickup_row(void *ctx, json_t *r)
{
	struct pickups *p = ctx;
	struct pm_web *w = p->w;
	FILE *f = w->res.f;
	char path[96];
	int64_t left = NUM(r, "qty") - NUM(r, "picked");

	if (strcmp(p->building, STR(r, "building"))) {
		pm_html_fmt(f, "%s<h2>%s 栋</h2>\n<table class=\"pickup\">\n<tbody>\n", p->building[0] ? "</tbody>\n</table>\n" : "",
			    STR(r, "building"));
		snprintf(p->building, sizeof p->building, "%s", STR(r, "building"));
	}
	pm_html_fmt(f, "<tr><td>%s</td><td class=\"num\">%D</td><td class=\"num picked\">%D</td><td>", STR(r, "unit"),
		    (long long)NUM(r, "qty"), (long long)NUM(r, "picked"));
	if (left > 0 && p->formed) {
		snprintf(path, sizeof path, "/shop/%.64s/pickup", w->arg[0]);
		pm_web_form(w, path, 0);
		pm_html_fmt(f, "<input type=\"hidden\" name=\"unit\" value=\"%s\"><input name=\"qty\" type=\"number\" min=\"1\""
			       " max=\"%D\" value=\"%D\"><button>提货</button></form>", STR(r, "unit"), (long long)left,
			    (long long)left);
	} else {
		fputs(left > 0 ? "未提" : "已提完", f);
	}
	fputs("</td></tr>\n", f);
	return PM_OK;
}

int pm_page_pickups(struct pm_web *w)
{
	struct pickups p = {w, 0, ""};
	const char *saved = pm_web_param(w, "saved");
	char title[160];
	json_t *o;

	if (pm_auth_check(&w->actor, "shop.pickup", &w->err) || offer_of(w, &o))
		return w->err.code;
	snprintf(title, sizeof title, "提货单 %.120s", STR(o, "title"));
	pm_web_page(w, title);
	pm_html_fmt(w->res.f, "<p>%s · %s</p>\n", STR(o, "pickup_point"), STR(o, "pickup_at"));
	p.formed = strcmp(STR(o, "state"), "formed") == 0;
	json_decref(o);
	if (saved)
		pm_html_note(w->res.f, "ok", "提货已登记。");
	if (pm_shop_pickup_list(w->db, w->arg[0], pickup_row, &p, &w->err))
		return w->err.code;
	if (p.building[0])
		fputs("</tbody>\n</table>\n", w->res.f);
	pm_web_page_end(w);
	return PM_OK;
}

int pm_page_pickup_post(struct pm_web *w)
{
	const char *unit = pm_web_field(w, "unit");
	char path[96];
	int64_t qty;
	json_t *rec;

	if (pm_auth_check(&w->actor, "shop.pickup", &w->err))
		return w->err.code;
	if (!unit)
		return pm_web_fail(w, PM_EDATA, "%s", "请填写房号。");
	if (pm_web_param_id(w, "qty", &qty) || pm_shop_pickup(w->db, w->arg[0], unit, qty, &rec, &w->err))
		return w->err.code;
	json_decref(rec);
	snprintf(path, sizeof path, "/shop/%.64s/pickup?saved=1", w->arg[0]);
	pm_web_redirect(&w->res, w->req.script, path);
	return PM_OK;
}
