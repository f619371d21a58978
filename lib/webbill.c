/* webbill: the home page, units and their bills, statements, notices,
 * the pay page, points, cash payments and receipts, the dashboard,
 * exports, and the payment callback. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "pm/bill.h"
#include "pm/callback.h"
#include "pm/community.h"
#include "pm/config.h"
#include "pm/db.h"
#include "pm/desk.h"
#include "pm/export.h"
#include "pm/i18n.h"
#include "pm/money.h"
#include "pm/notice.h"
#include "pm/payorder.h"
#include "pm/render.h"
#include "pm/report.h"
#include "pm/receipt.h"
#include "pm/reward.h"
#include "pm/table.h"
#include "pm/ticket.h"
#include "pm/timeutil.h"
#include "pm/visitor.h"
#include "web-internal.h"

#define STR(o, k) json_string_value(json_object_get(o, k))
#define FEN(o, k) ((int64_t)json_integer_value(json_object_get(o, k)))

/* ---- the home page ---- */

static int unit_row(void *ctx, json_t *u)
{
	struct pm_web *w = ctx;
	int64_t owed;

	if (pm_unit_owed(w->db, STR(u, "code"), &owed, &w->err))
		return w->err.code;
	pm_html_fmt(w->res.f, "<li><a href=\"%s/unit/%u\">%s</a> <span class=\"muted\">%s m²</span> ",
		    w->req.script, STR(u, "code"), STR(u, "code"), STR(u, "area"));
	if (owed > 0)
		pm_html_fmt(w->res.f, "<span class=\"owed\">待缴 %M</span></li>\n", owed);
	else if (owed < 0)
		pm_html_fmt(w->res.f, "<span class=\"ok\">预存余额 %M</span></li>\n", -owed);
	else
		fputs("<span class=\"ok\">无欠费</span></li>\n", w->res.f);
	return PM_OK;
}

static int open_ticket(void *ctx, json_t *t)
{
	struct pm_web *w = ctx;
	const char *st = STR(t, "status");

	if (!strcmp(st, "closed") || !strcmp(st, "cancelled"))
		return PM_OK;
	pm_html_fmt(w->res.f, "<li><a href=\"%s/ticket/%D\">#%D %s</a> <span class=\"status\">%s</span></li>\n",
		    w->req.script, (long long)FEN(t, "id"), (long long)FEN(t, "id"), STR(t, "text"),
		    pm_web_ticket_status(st));
	return PM_OK;
}

/* The visitors waiting at the gate for the owner's yes, gathered to show
 * on the home page (a section only when there are some). */
static int waiting_visitor(void *ctx, json_t *v)
{
	return json_array_append(ctx, v) ? PM_EFAIL : PM_OK;
}

static int waiting_visitors(struct pm_web *w)
{
	FILE *f = w->res.f;
	json_t *all = json_array(), *v;
	size_t i;

	if (pm_visitor_each(w->db, &w->actor, NULL, "pending", waiting_visitor, all, &w->err)) {
		json_decref(all);
		return w->err.code;
	}
	if (json_array_size(all))
		fputs("<h2>待您审批的访客</h2>\n<ul class=\"cards\">\n", f);
	json_array_foreach(all, i, v) {
		pm_html_fmt(f, "<li><a href=\"%s/visitor/%D\">%s</a> %s <span class=\"status\">待审批</span><br><span class=\"muted\">",
			    w->req.script, (long long)FEN(v, "id"), STR(v, "name"), STR(v, "unit"));
		pm_web_time(f, STR(v, "from"));
		fputs(" 至 ", f);
		pm_web_time(f, STR(v, "until"));
		fputs("</span></li>\n", f);
	}
	if (json_array_size(all))
		fputs("</ul>\n", f);
	json_decref(all);
	return PM_OK;
}

static int owner_home(struct pm_web *w)
{
	struct pm_ticket_filter tf = {0};
	FILE *f = w->res.f;

	pm_web_page(w, "我的房屋");
	fputs("<ul class=\"cards\">\n", f);
	if (pm_unit_each_mine(w->db, &w->actor, unit_row, w, &w->err))
		return w->err.code;
	fputs("</ul>\n", f);
	if (pm_auth_allowed(w->actor.role, "visitor.approve") && waiting_visitors(w))
		return w->err.code;
	pm_html_fmt(f, "<p class=\"actions\"><a class=\"button\" href=\"%s/repair\">一键报修</a>"
		       " <a class=\"button secondary\" href=\"%s/bills\">查看账单</a></p>\n", w->req.script, w->req.script);
	fputs("<h2>我的报修</h2>\n<ul>\n", f);
	if (pm_ticket_each(w->db, &w->actor, &tf, open_ticket, w, &w->err))
		return w->err.code;
	fputs("</ul>\n", f);
	pm_web_page_end(w);
	return PM_OK;
}

static int staff_home(struct pm_web *w)
{
	struct pm_ticket_filter tf = {.status = "submitted"};
	FILE *f = w->res.f;

	pm_web_page(w, "工作台");
	pm_html_fmt(f, "<p>%s（%s）您好。</p>\n", w->actor.login, pm_table_value("role", pm_role_name(w->actor.role)));
	if (pm_auth_allowed(w->actor.role, "ticket.dispatch")) {
		fputs("<h2>待受理工单</h2>\n<ul>\n", f);
		if (pm_ticket_each(w->db, &w->actor, &tf, open_ticket, w, &w->err))
			return w->err.code;
		fputs("</ul>\n", f);
	}
	if (w->actor.role == PM_ROLE_TECHNICIAN) {
		tf = (struct pm_ticket_filter){.assignee = w->actor.login};
		fputs("<h2>派给我的工单</h2>\n<ul>\n", f);
		if (pm_ticket_each(w->db, &w->actor, &tf, open_ticket, w, &w->err))
			return w->err.code;
		fputs("</ul>\n", f);
	}
	pm_web_page_end(w);
	return PM_OK;
}

int pm_page_home(struct pm_web *w)
{
	return w->actor.role == PM_ROLE_OWNER ? owner_home(w) : staff_home(w);
}

/* ---- units ---- */

/* A unit found, with who lives there and what it owes: the desk sees at
 * once that the 张伟 found is the caller's, and what to take. */
static int found_unit(void *ctx, json_t *u)
{
	struct pm_web *w = ctx;
	json_t *o;
	size_t i;

	pm_pii_redact(&w->actor, u);
	pm_html_fmt(w->res.f, "<li><a href=\"%s/unit/%u\">%s</a> <span class=\"muted\">%s m² · %s</span>",
		    w->req.script, STR(u, "code"), STR(u, "code"), STR(u, "area"),
		    pm_table_value("status", STR(u, "status")));
	json_array_foreach(json_object_get(u, "occupants"), i, o)
		pm_html_fmt(w->res.f, "<br>%s（%s）%s", STR(o, "name"), pm_table_value("role", STR(o, "role")),
			    STR(o, "phone") ? STR(o, "phone") : "");
	if (json_object_get(u, "owed_fen"))
		pm_html_fmt(w->res.f, "<br><span class=\"owed\">待缴 %M</span>", FEN(u, "owed_fen"));
	fputs("</li>\n", w->res.f);
	return PM_OK;
}

int pm_page_units(struct pm_web *w)
{
	const char *q = pm_web_param(w, "q");
	FILE *f = w->res.f;

	if (w->actor.role == PM_ROLE_OWNER) {
		pm_web_redirect(&w->res, w->req.script, "/");
		return PM_OK;
	}
	pm_web_page(w, "查询房屋");
	fputs("<form method=\"get\" class=\"search\">", f);
	pm_html_fmt(f, "<input name=\"q\" value=\"%s\" placeholder=\"房号、业主姓名或手机号\"><button>查询</button></form>\n",
		    q ? q : "");
	fputs("<ul>\n", f);
	if (pm_unit_find(w->db, &w->actor, q, 50, found_unit, w, &w->err))
		return w->err.code;
	fputs("</ul>\n", f);
	pm_web_page_end(w);
	return PM_OK;
}

static int bill_row(void *ctx, json_t *b)
{
	struct pm_web *w = ctx;

	if (!strcmp(STR(b, "status"), "draft"))
		return PM_OK;
	pm_html_fmt(w->res.f, "<tr><td><a href=\"%s/bill/%u\">%s</a></td><td>%s</td><td>%s</td>"
			      "<td class=\"num\">%M</td><td class=\"num\">%M</td></tr>\n",
		    w->req.script, STR(b, "bill"), STR(b, "period"), STR(b, "unit"), pm_web_bill_status(STR(b, "status")),
		    FEN(b, "total_fen") + FEN(b, "late_fen") + FEN(b, "adjust_fen"), FEN(b, "owed_fen"));
	return PM_OK;
}

static void bills_head(FILE *f)
{
	fputs("<table>\n<thead><tr><th>账期</th><th>房号</th><th>状态</th><th class=\"num\">金额</th>"
	      "<th class=\"num\">待缴</th></tr></thead>\n<tbody>\n", f);
}

static int occupant(struct pm_web *w, json_t *o)
{
	pm_html_fmt(w->res.f, "<li>%s %s %s</li>\n", STR(o, "name"), pm_table_value("role", STR(o, "role")),
		    STR(o, "phone") ? STR(o, "phone") : "");
	return PM_OK;
}

int pm_page_unit(struct pm_web *w)
{
	struct pm_bill_filter bf = {.unit = w->arg[0]};
	const char *code = w->arg[0];
	FILE *f = w->res.f;
	json_t *u, *o;
	int64_t owed;
	long mark;
	size_t i;

	if (pm_bill_may_read(w->db, &w->actor, NULL, code, &w->err) ||
	    pm_unit_get(w->db, code, w->actor.role != PM_ROLE_OWNER, &u, &w->err))
		return w->err.code;
	pm_pii_redact(&w->actor, u);
	if (pm_unit_owed(w->db, code, &owed, &w->err)) {
		json_decref(u);
		return w->err.code;
	}
	pm_web_page(w, code);
	pm_html_fmt(f, "<p>%s m² · %s</p>\n<p class=\"big\">%s %M</p>\n", STR(u, "area"), pm_table_value("use", STR(u, "use")),
		    owed >= 0 ? "待缴" : "预存余额", owed >= 0 ? owed : -owed);
	if (json_array_size(json_object_get(u, "occupants"))) {
		fputs("<h2>住户</h2>\n<ul>\n", f);
		json_array_foreach(json_object_get(u, "occupants"), i, o)
			occupant(w, o);
		fputs("</ul>\n", f);
	}
	json_decref(u);
	pm_html_fmt(f, "<p class=\"actions\"><a href=\"%s/unit/%u/statement\">对账单</a> · "
		       "<a href=\"%s/unit/%u/points\">积分</a></p>\n<h2>账单</h2>\n",
		    w->req.script, code, w->req.script, code);
	bills_head(f);
	mark = pm_web_mark(w);
	if (pm_bill_each_as(w->db, &w->actor, &bf, bill_row, w, &w->err))
		return w->err.code;
	pm_web_none(w, mark, 5, "还没有账单");
	fputs("</tbody>\n</table>\n", f);
	pm_web_page_end(w);
	return PM_OK;
}

/* ---- bills ---- */

static int my_bills(void *ctx, json_t *u)
{
	struct pm_web *w = ctx;
	struct pm_bill_filter bf = {.unit = STR(u, "code")};

	return pm_bill_each_as(w->db, &w->actor, &bf, bill_row, w, &w->err);
}

int pm_page_bills(struct pm_web *w)
{
	long mark;

	if (w->actor.role != PM_ROLE_OWNER) {
		pm_web_redirect(&w->res, w->req.script, "/units");
		return PM_OK;
	}
	pm_web_page(w, "我的账单");
	bills_head(w->res.f);
	mark = pm_web_mark(w);
	if (pm_unit_each_mine(w->db, &w->actor, my_bills, w, &w->err))
		return w->err.code;
	pm_web_none(w, mark, 5, "还没有账单");
	fputs("</tbody>\n</table>\n", w->res.f);
	pm_web_page_end(w);
	return PM_OK;
}

/* A payment is one row however many of the bill's lines it paid (one
 * allocation each), its channel in words and its receipt a tap away;
 * adjustments and late fees a row each. */
static void bill_events(struct pm_web *w, json_t *bill)
{
	static const char *const kinds[][2] = {{"allocation", "缴费"}, {"adjustment", "调整"}, {"late_fee", "违约金"}};
	json_t *events = json_object_get(bill, "events"), *ev;
	FILE *f = w->res.f;
	size_t i = 0;

	if (!json_array_size(events))
		return;
	fputs("<h2>缴费与调整</h2>\n<table>\n<tbody>\n", f);
	while ((ev = json_array_get(events, i++))) {
		const char *k = STR(ev, "kind"), *what = STR(ev, "what");
		int64_t payment = FEN(ev, "payment"), amount = FEN(ev, "amount_fen");
		char channel[32];
		for (size_t j = 0; j < 3; j++)
			if (!strcmp(kinds[j][0], k))
				k = kinds[j][1];
		while (payment && FEN(json_array_get(events, i), "payment") == payment)
			amount += FEN(json_array_get(events, i++), "amount_fen");
		fputs("<tr><td>", f);
		pm_web_time(f, STR(ev, "at"));
		pm_html_fmt(f, "</td><td>%s</td><td>", k);
		if (payment) {
			snprintf(channel, sizeof channel, "%.*s", (int)strcspn(what, ":"), what);
			pm_html_fmt(f, "%s <a href=\"%s/receipt/%D\">收据 %D</a>", pm_table_value("channel", channel),
				    w->req.script, (long long)payment, (long long)payment);
		} else {
			pm_html_fmt(f, "%s", strcmp(what, "prepaid") ? what : "预存抵扣");
		}
		pm_html_fmt(f, "</td><td class=\"num\">%M</td></tr>\n", amount);
	}
	fputs("</tbody>\n</table>\n", f);
}

int pm_page_bill(struct pm_web *w)
{
	const char *code = w->arg[0];
	FILE *f = w->res.f;
	json_t *b, *l;
	size_t i;

	if (pm_bill_get_as(w->db, &w->actor, code, &b, &w->err))
		return w->err.code;
	pm_web_page(w, "账单详情");
	pm_html_fmt(f, "<p>%s · %s · <span class=\"status\">%s</span></p>\n", STR(b, "unit"), STR(b, "period"),
		    pm_web_bill_status(STR(b, "status")));
	pm_html_fmt(f, "<p class=\"big\">待缴 %M</p>\n", FEN(b, "owed_fen"));
	if (STR(b, "due"))
		pm_html_fmt(f, "<p>缴费期限：%s</p>\n", STR(b, "due"));
	fputs("<table class=\"lines\">\n<thead><tr><th>收费项目</th><th>计费明细</th><th class=\"num\">金额</th></tr></thead>\n<tbody>\n", f);
	json_array_foreach(json_object_get(b, "lines"), i, l) {
		pm_html_fmt(f, "<tr><td>%s</td><td class=\"detail\">", STR(l, "label"));
		pm_notice_breakdown(f, json_object_get(l, "breakdown"));
		pm_html_fmt(f, "</td><td class=\"num\">%M</td></tr>\n", FEN(l, "amount_fen"));
	}
	pm_html_fmt(f, "</tbody>\n<tfoot><tr><td colspan=\"2\">合计</td><td class=\"num\">%M</td></tr>", FEN(b, "total_fen"));
	if (FEN(b, "late_fen"))
		pm_html_fmt(f, "<tr><td colspan=\"2\">违约金</td><td class=\"num\">%M</td></tr>", FEN(b, "late_fen"));
	if (FEN(b, "adjust_fen"))
		pm_html_fmt(f, "<tr><td colspan=\"2\">调整</td><td class=\"num\">%M</td></tr>", FEN(b, "adjust_fen"));
	pm_html_fmt(f, "<tr><td colspan=\"2\">已缴</td><td class=\"num\">%M</td></tr></tfoot>\n</table>\n", FEN(b, "paid_fen"));
	bill_events(w, b);
	fputs("<p class=\"actions\">", f);
	if (FEN(b, "owed_fen") > 0)
		pm_html_fmt(f, "<a class=\"button\" href=\"%s/bill/%u/pay\">去缴费</a> ", w->req.script, code);
	pm_html_fmt(f, "<a class=\"button secondary\" href=\"%s/bill/%u/notice\">打印缴费通知单</a></p>\n",
		    w->req.script, code);
	json_decref(b);
	pm_web_page_end(w);
	return PM_OK;
}

void pm_web_print_style(struct pm_web *w, const char *css)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];

	crypto_hash_sha256(h, (const unsigned char *)css, strlen(css));
	sodium_bin2base64(b64, sizeof b64, h, sizeof h, sodium_base64_VARIANT_ORIGINAL);
	snprintf(w->res.style, sizeof w->res.style, "'sha256-%s'", b64);
}

int pm_page_notice(struct pm_web *w)
{
	const char *code = w->arg[0];
	char unit[64];

	if (pm_bill_may_read_bill(w->db, &w->actor, code, unit, sizeof unit, &w->err) ||
	    pm_notice_html(w->db, &code, 1, w->res.f, &w->err))
		return w->err.code;
	pm_web_print_style(w, pm_notice_css());
	return PM_OK;
}

/* A statement's line says what it was in words: a bill's ("bill:CODE")
 * is a link to the bill, not its ledger reference. */
static int statement_row(void *ctx, json_t *r)
{
	struct pm_web *w = ctx;
	const char *ref = STR(r, "ref");

	fputs("<tr><td>", w->res.f);
	pm_web_time(w->res.f, STR(r, "at"));
	pm_html_fmt(w->res.f, "</td><td>%s</td><td>", pm_bill_entry_name(STR(r, "kind")));
	if (STR(r, "memo"))
		pm_html_fmt(w->res.f, "%s", STR(r, "memo"));
	else if (!strncmp(ref, "bill:", 5))
		pm_html_fmt(w->res.f, "<a href=\"%s/bill/%u\">%s</a>", w->req.script, ref + 5, ref + 5);
	else
		pm_html_fmt(w->res.f, "%s", ref);
	pm_html_fmt(w->res.f, "</td><td class=\"num\">%M</td><td class=\"num\">%M</td></tr>\n", FEN(r, "amount_fen"),
		    FEN(r, "balance_fen"));
	return PM_OK;
}

int pm_page_statement(struct pm_web *w)
{
	const char *unit = w->arg[0];
	FILE *f = w->res.f;
	char title[96];
	long mark;

	if (pm_bill_may_read(w->db, &w->actor, NULL, unit, &w->err))
		return w->err.code;
	snprintf(title, sizeof title, "%.64s 对账单", unit);
	pm_web_page(w, title);
	fputs("<table>\n<thead><tr><th>时间</th><th>类型</th><th>说明</th><th class=\"num\">金额</th>"
	      "<th class=\"num\">余额</th></tr></thead>\n<tbody>\n", f);
	mark = pm_web_mark(w);
	if (pm_bill_statement_as(w->db, &w->actor, unit, INT32_MIN, INT32_MAX, statement_row, w, &w->err))
		return w->err.code;
	pm_web_none(w, mark, 5, "还没有收支记录");
	fputs("</tbody>\n</table>\n<p class=\"muted\">余额为正表示待缴，为负表示预存。</p>\n", f);
	pm_web_page_end(w);
	return PM_OK;
}

/* ---- paying ---- */

/* Points off the bill's parking lines (停车优惠), when the community
 * takes them and the lines owe something: what they owe, and a form for
 * whose points (an owner's units with what each holds; the desk types
 * one) and how many, at most what the lines owe within the month cap. */
static void points_offer(struct pm_web *w, const char *code, const char *unit)
{
	char path[96], nonce[PM_SESSION_TOKEN];
	struct pm_bill_points_quote q;
	struct pm_err ignored;
	FILE *f = w->res.f;
	int64_t mine = 0, value;

	/* The bill is one the page may show: the role decides the form. */
	if (!pm_auth_allowed(w->actor.role, "bill.points") ||
	    pm_bill_points_quote(w->db, code, pm_now(), &q, &ignored) || q.owed <= 0 || pm_session_token(nonce, &ignored))
		return;
	pm_html_fmt(f, "<section class=\"pay points\"><h2>积分抵扣停车费</h2>\n<p>停车费待缴 %M，%D 积分抵 0.01 元",
		    q.owed, (long long)q.per_fen);
	if (q.cap >= 0)
		pm_html_fmt(f, "，每户每月最多抵扣 %M", q.cap);
	fputs("。</p>\n", f);
	/* The form's nonce is the payment's ref: sent twice, one payment. */
	snprintf(path, sizeof path, "/bill/%.64s/points", code);
	pm_web_form(w, path, 0);
	pm_html_fmt(f, "<input type=\"hidden\" name=\"nonce\" value=\"%s\">", nonce);
	if (w->actor.role == PM_ROLE_OWNER) {
		fputs("<label>使用哪户的积分<select name=\"unit\" required>", f);
		if (pm_web_points_options(w, &mine))
			pm_html_fmt(f, "<option value=\"%s\">%s</option>", unit, unit);
		fputs("</select></label>", f);
		/* Offered: what the points at hand pay, whole fen. */
		mine -= mine % q.per_fen;
		value = mine < q.most ? mine : q.most;
	} else {
		pm_html_fmt(f, "<label>积分房号<input name=\"unit\" value=\"%s\" required></label>", unit);
		value = q.most;
	}
	pm_html_fmt(f, "<label>使用积分<input name=\"points\" type=\"number\" min=\"%D\" step=\"%D\" max=\"%D\""
		       " value=\"%D\" required></label><button>用积分抵扣</button></form>\n</section>\n",
		    (long long)q.per_fen, (long long)q.per_fen, (long long)q.most, (long long)value);
}

int pm_page_bill_points(struct pm_web *w)
{
	struct pm_bill_points p = {.bill = w->arg[0], .at = pm_now()};
	const char *nonce = pm_web_field(w, "nonce");
	size_t n = nonce ? strlen(nonce) : 0;
	char ref[80], path[64];
	enum pm_pay_did did;
	json_t *out;

	/* An owner spends the points of a unit they live in, or none. */
	p.unit = pm_web_field(w, "unit");
	if (pm_bill_may_spend_points(w->db, &w->actor, p.bill, p.unit, &w->err))
		return w->err.code;
	if (n < 16 || n > 64 || strspn(nonce, "0123456789abcdef") != n)
		return pm_web_fail(w, PM_EDATA, "%s", _("points paying a bill need the pay page's nonce"));
	if (pm_web_param_id(w, "points", &p.points))
		return w->err.code;
	snprintf(ref, sizeof ref, "WEB-%s", nonce);
	p.ref = ref;
	if (pm_bill_pay_points(w->db, &p, &did, &out, &w->err))
		return w->err.code;
	snprintf(path, sizeof path, "/receipt/%lld", (long long)FEN(out, "payment"));
	json_decref(out);
	pm_web_redirect(&w->res, w->req.script, path);
	return PM_OK;
}

int pm_page_pay(struct pm_web *w)
{
	const char *code = w->arg[0], *k;
	char unit[64];
	FILE *f = w->res.f;
	json_t *b, *web, *pay, *ch;
	int shown = 0;

	if (pm_bill_may_read_bill(w->db, &w->actor, code, unit, sizeof unit, &w->err) ||
	    pm_bill_get(w->db, code, &b, &w->err))
		return w->err.code;
	if (pm_config_today(w->db, "web", &web, &w->err)) {
		json_decref(b);
		return w->err.code;
	}
	pm_web_page(w, "缴费");
	pm_html_fmt(f, "<p>%s · %s</p>\n<p class=\"big\">应缴 %M</p>\n", STR(b, "unit"), STR(b, "period"), FEN(b, "owed_fen"));
	if (FEN(b, "owed_fen") <= 0)
		pm_html_note(f, "ok", "本账单已缴清。");
	shown = pm_web_pay_online(w, code, FEN(b, "owed_fen"));
	pay = json_object_get(web, "pay");
	json_object_foreach(FEN(b, "owed_fen") > 0 ? pay : NULL, k, ch) {
		pm_html_fmt(f, "<section class=\"pay\"><h2>%s</h2>\n", STR(ch, "label") ? STR(ch, "label") : k);
		if (STR(ch, "qr"))
			pm_html_fmt(f, "<img class=\"qr\" src=\"%s\" alt=\"%s 付款码\">\n", STR(ch, "qr"),
				    STR(ch, "label") ? STR(ch, "label") : k);
		if (STR(ch, "link"))
			pm_html_fmt(f, "<p><a class=\"button\" href=\"%s\">打开%s付款</a></p>\n", STR(ch, "link"),
				    STR(ch, "label") ? STR(ch, "label") : k);
		pm_html_fmt(f, "<p>付款时请备注账单号 <b>%s</b>，金额 %M。</p>\n", code, FEN(b, "owed_fen"));
		if (STR(ch, "note"))
			pm_html_fmt(f, "<p class=\"muted\">%s</p>\n", STR(ch, "note"));
		fputs("</section>\n", f);
		shown++;
	}
	if (FEN(b, "owed_fen") > 0 && !shown)
		pm_html_note(f, "warn", "暂未开通线上缴费，请到物业服务中心缴费。");
	/* The page has no script and does not reload itself: it says so. */
	if (FEN(b, "owed_fen") > 0) {
		points_offer(w, code, unit);
		fputs("<p class=\"muted\">付款到账后，刷新本页或回到账单即可看到已缴清，收据在账单里。</p>\n", f);
	}
	pm_html_fmt(f, "<p><a href=\"%s/bill/%u\">返回账单</a></p>\n", w->req.script, code);
	json_decref(web);
	json_decref(b);
	pm_web_page_end(w);
	return PM_OK;
}

/* ---- points ---- */

static int points_row(void *ctx, json_t *r)
{
	struct pm_web *w = ctx;
	const char *k;
	json_t *v;

	fputs("<tr>", w->res.f);
	json_object_foreach(r, k, v)
		if (json_is_string(v) && strcmp(k, "type") && strcmp(k, "unit"))
			pm_html_fmt(w->res.f, "<td>%s</td>", json_string_value(v));
		else if (json_is_integer(v))
			pm_html_fmt(w->res.f, "<td class=\"num\">%D</td>", (long long)json_integer_value(v));
	fputs("</tr>\n", w->res.f);
	return PM_OK;
}

static int unit_points(void *ctx, json_t *u)
{
	struct pm_web *w = ctx;
	const char *code = STR(u, "code");
	int64_t balance;

	pm_html_fmt(w->res.f, "<h2>%s</h2>\n<table>\n<tbody>\n", code);
	if (pm_bill_may_read(w->db, &w->actor, NULL, code, &w->err) ||
	    pm_points_each(w->db, code, points_row, w, &balance, &w->err))
		return w->err.code;
	pm_html_fmt(w->res.f, "</tbody>\n</table>\n<p class=\"big\">积分余额 %D</p>\n", (long long)balance);
	return PM_OK;
}

int pm_page_points(struct pm_web *w)
{
	json_t *u;
	int rc;

	pm_web_page(w, "积分");
	if (w->arg[0][0]) {
		u = json_pack("{s:s}", "code", w->arg[0]);
		rc = unit_points(w, u);
		json_decref(u);
	} else {
		rc = pm_unit_each_mine(w->db, &w->actor, unit_points, w, &w->err);
	}
	if (rc)
		return rc;
	pm_web_page_end(w);
	return PM_OK;
}

/* ---- cash at the front desk ---- */

/* The desk's cash form, filled in as sent when it comes back refused. */
static void cash_form(struct pm_web *w)
{
	char ref[PM_SESSION_TOKEN];
	struct pm_err ignored;

	/* The form's own reference: sent twice (a double click, a reload),
	 * it records one payment. */
	if (pm_session_token(ref, &ignored))
		ref[0] = '\0';
	pm_web_form(w, "/cash", 0);
	pm_html_fmt(w->res.f, "<input type=\"hidden\" name=\"ref\" value=\"CASH-%s\">"
			      "<label>房号<input name=\"unit\" value=\"%s\" required></label>"
			      "<label>金额（元）<input name=\"amount\" value=\"%s\" inputmode=\"decimal\" required></label>"
			      "<label>账单号（可不填）<input name=\"bill\" value=\"%s\"></label>"
			      "<button>收款并开收据</button></form>\n", ref + 48, pm_web_sent(w, "unit"),
		    pm_web_sent(w, "amount"), pm_web_sent(w, "bill"));
}

int pm_page_cash(struct pm_web *w)
{
	if (pm_auth_check(&w->actor, "bill.pay", &w->err))
		return w->err.code;
	pm_web_page(w, "现金收款");
	cash_form(w);
	pm_web_page_end(w);
	return PM_OK;
}

int pm_page_cash_post(struct pm_web *w)
{
	static const char *const keys[] = {"unit", "amount", "ref", "bill"};
	int64_t fen;
	enum pm_pay_did did;
	struct pm_pay p;
	json_t *rec, *out = NULL;
	char path[64];
	int rc;

	if (pm_auth_check(&w->actor, "bill.pay", &w->err))
		return w->err.code;
	/* The desk is told about its 金额 field, not the record's "amount". */
	if (pm_web_money(w, "amount", "金额", &fen))
		return w->err.code;
	rec = json_pack("{s:s}", "channel", "cash");
	for (size_t i = 0; i < 4; i++)
		if (pm_web_param(w, keys[i]) && *pm_web_param(w, keys[i]))
			json_object_set_new(rec, keys[i], json_string(pm_web_param(w, keys[i])));
	rc = pm_pay_parse(rec, &p, &w->err);
	if (rc == PM_OK && (rc = pm_db_begin(w->db, &w->err)) == PM_OK) {
		rc = pm_bill_pay(w->db, &p, &did, &out, &w->err);
		rc = rc ? (pm_db_rollback(w->db), rc) : pm_db_commit(w->db, &w->err);
	}
	if (rc == PM_OK) {
		snprintf(path, sizeof path, "/receipt/%lld", (long long)FEN(out, "payment"));
		pm_web_redirect(&w->res, w->req.script, path);
	}
	json_decref(out);
	json_decref(rec);
	return rc;
}

/* The payment of the route's receipt, if the actor may see it
 * (pm_payment_may_read): the desk any, an owner those of their own time
 * in their units; said the same way whether or not the payment exists. */
static int receipt_payment(struct pm_web *w, int64_t *id, json_t **p)
{
	*p = NULL;
	if (pm_web_arg_id(w, 0, id))
		return w->err.code;
	if (pm_payment_may_read(w->db, &w->actor, *id, &w->err) || pm_payment_get(w->db, *id, p, &w->err)) {
		json_decref(*p);
		*p = NULL;
		if (w->err.code == PM_EDATA || w->err.code == PM_ENOPERM)
			return pm_web_fail(w, PM_ENOPERM, _("user '%s' may not see payment %lld"), w->actor.login,
					   (long long)*id);
		return w->err.code;
	}
	return PM_OK;
}

/* The paper the desk hands over, pm-bill receipt's: a link to it when
 * numbered; before, a button for each paper that numbers it (a POST:
 * the number is taken once, never by a page merely looked at, a
 * reload or a prefetch) and then shows it. */
static void print_actions(struct pm_web *w, int64_t id, int issued)
{
	static const char *const papers[][3] = {{"a5", "收据", ""}, {"80mm", "小票", "?paper=80mm"}};
	char path[64];

	snprintf(path, sizeof path, "/receipt/%lld/print", (long long)id);
	fputs("<p class=\"actions\">", w->res.f);
	for (size_t i = 0; i < 2; i++) {
		if (issued) {
			pm_html_fmt(w->res.f, "<a class=\"button%s\" href=\"%s%s%s\">打印%s</a> ", i ? " secondary" : "",
				    w->req.script, path, papers[i][2], papers[i][1]);
			continue;
		}
		pm_web_form(w, path, 0);
		pm_html_fmt(w->res.f, "<input type=\"hidden\" name=\"paper\" value=\"%s\"><button%s>开具并打印%s</button></form> ",
			    papers[i][0], i ? " class=\"secondary\"" : "", papers[i][1]);
	}
	fputs("</p>\n", w->res.f);
}

/* The desk that has just taken money for a unit whose owner holds an
 * online order's QR code is told, as pm-bill pay tells it: the owner may
 * yet pay that too. */
static void order_waiting_note(struct pm_web *w, const char *unit)
{
	char no[PM_PAY_NO_MAX], at[PM_TIME_BUF];
	int64_t amount, expires;
	struct pm_err e = {0};

	if (!pm_auth_allowed(w->actor.role, "bill.pay") ||
	    pm_pay_order_waiting(w->db, unit, no, &amount, &expires, &e) <= 0)
		return;
	pm_html_fmt(w->res.f, "<p class=\"note warn\">该户有在线支付订单 %s（%M），在 ", no, amount);
	pm_web_time(w->res.f, pm_time_fmt(expires, pm_db_tz(w->db), at));
	pm_html_fmt(w->res.f, " 前仍可支付：业主若再付款，该笔款项将转入预存余额。请用 pm-pay close %s 关闭该订单。</p>\n", no);
}

int pm_page_receipt(struct pm_web *w)
{
	char cap[PM_CAPITAL_BUF], number[PM_RECEIPT_BUF];
	FILE *f = w->res.f;
	int64_t id;
	json_t *p, *a;
	size_t i;
	int issued;

	if (receipt_payment(w, &id, &p))
		return w->err.code;
	/* The paper's number (2026-000017) is the receipt's; the payment's
	 * own id is another, and said as one. */
	if ((issued = pm_receipt_issued(w->db, id, number, &w->err)) < 0) {
		json_decref(p);
		return -issued;
	}
	pm_web_page(w, "收据");
	order_waiting_note(w, STR(p, "unit"));
	pm_html_fmt(f, "<table class=\"receipt\">\n<tr><td>收据号</td><td>%s</td></tr>\n<tr><td>付款编号</td><td>%D</td></tr>\n"
		       "<tr><td>房号</td><td>%s</td></tr>\n"
		       "<tr><td>收款方式</td><td>%s</td></tr>\n<tr><td>金额</td><td>%M</td></tr>\n",
		    issued ? number : "未开具（前台打印收据时编号）", (long long)id, STR(p, "unit"),
		    pm_table_value("channel", STR(p, "channel")), FEN(p, "amount_fen"));
	pm_html_fmt(f, "<tr><td>大写</td><td>人民币%s</td></tr>\n<tr><td>时间</td><td>",
		    pm_notice_capital(FEN(p, "amount_fen"), cap));
	pm_web_time(f, STR(p, "at"));
	pm_html_fmt(f, "</td></tr>\n<tr><td>凭证号</td><td>%s</td></tr>\n</table>\n<h2>抵扣账单</h2>\n<ul>\n", STR(p, "ref"));
	json_array_foreach(json_object_get(p, "allocations"), i, a)
		pm_html_fmt(f, "<li><a href=\"%s/bill/%u\">%s</a> %M</li>\n", w->req.script, STR(a, "bill"),
			    STR(a, "period"), FEN(a, "amount_fen"));
	fputs("</ul>\n", f);
	if (pm_auth_allowed(w->actor.role, "bill.receipt"))
		print_actions(w, id, issued);
	json_decref(p);
	pm_web_page_end(w);
	return PM_OK;
}

/* The receipt's paper, if the actor may print it: its payment and the
 * paper asked for. */
static int receipt_paper(struct pm_web *w, int64_t *id, enum pm_receipt_paper *paper)
{
	const char *want = pm_web_field(w, "paper");
	json_t *p;

	*paper = PM_PAPER_A5;
	if (pm_auth_check(&w->actor, "bill.receipt", &w->err) || receipt_payment(w, id, &p))
		return w->err.code;
	json_decref(p);
	return want && pm_receipt_paper(want, paper, &w->err) ? w->err.code : PM_OK;
}

/* The receipt standing, printed; none yet, the buttons that number it. */
int pm_page_receipt_print(struct pm_web *w)
{
	enum pm_receipt_paper paper;
	json_t *r;
	int64_t id;
	int rc;

	if (receipt_paper(w, &id, &paper))
		return w->err.code;
	if ((rc = pm_receipt_standing(w->db, id, &r, &w->err)) < 0)
		return -rc;
	if (rc == 0) {
		pm_web_page(w, "打印收据");
		pm_html_fmt(w->res.f, "<p>付款 %D 还没有开具收据。收据号在开具时按年连续编号，作废的收据保留其号。</p>\n",
			    (long long)id);
		print_actions(w, id, 0);
		pm_web_page_end(w);
		return PM_OK;
	}
	if (pm_receipt_html(w->db, r, paper, w->res.f, &w->err) == PM_OK)
		pm_web_print_style(w, pm_receipt_css());
	json_decref(r);
	return w->err.code;
}

/* Numbers the payment's receipt, this year's next, unless one stands,
 * and shows it. */
int pm_page_receipt_print_post(struct pm_web *w)
{
	enum pm_receipt_paper paper;
	char path[64];
	json_t *r;
	int64_t id;

	if (receipt_paper(w, &id, &paper) || pm_receipt_get(w->db, id, &r, &w->err))
		return w->err.code;
	json_decref(r);
	snprintf(path, sizeof path, "/receipt/%lld/print%s", (long long)id, paper == PM_PAPER_80MM ? "?paper=80mm" : "");
	pm_web_redirect(&w->res, w->req.script, path);
	return PM_OK;
}

/* ---- the dashboard: a few sums until pm-report's pages come ---- */

static int status_count(void *ctx, const char *status, int64_t n)
{
	struct pm_web *w = ctx;

	pm_html_fmt(w->res.f, "<tr><td>%s</td><td class=\"num\">%D</td></tr>\n", pm_web_ticket_status(status), (long long)n);
	return PM_OK;
}

/* pm-report's dashboard of the month, its charts drawn by the server as
 * inline SVG (no script), and the tickets open now. */
int pm_page_dashboard(struct pm_web *w)
{
	struct pm_report_query q = {.actor = &w->actor};
	const char *given = pm_web_param(w, "period");
	char period[PM_TIME_BUF], title[64];
	struct pm_report *r;
	FILE *f = w->res.f;

	if (pm_report_may(&w->actor, "dashboard", &w->err))
		return w->err.code;
	q.to = pm_period_add(pm_period_of(pm_now(), pm_db_tz(w->db)), -1);
	if (given && pm_period_parse(given, &q.to, &w->err))
		return w->err.code;
	q.from = q.to;
	q.as_of = pm_date_of(pm_now(), pm_db_tz(w->db));
	if (pm_report_dashboard(w->db, &q, &r, &w->err))
		return w->err.code;
	pm_period_fmt(q.to, period);
	snprintf(title, sizeof title, "看板 %s", period);
	pm_web_page(w, title);
	fputs("<form method=\"get\" class=\"search\">", f);
	pm_html_fmt(f, "<input name=\"period\" value=\"%s\" pattern=\"[0-9]{4}-[0-9]{2}\"><button>切换账期</button></form>\n", period);
	if (pm_web_twin(w, q.to)) {
		pm_report_free(r);
		return w->err.code;
	}
	fputs("<div class=\"report\">\n", f);
	pm_render_html_sections(r, NULL, f);
	fputs("</div>\n<h2>当前工单</h2>\n<table>\n<tbody>\n", f);
	pm_report_free(r);
	if (pm_ticket_counts(w->db, &w->actor, status_count, w, &w->err))
		return w->err.code;
	fputs("</tbody>\n</table>\n", f);
	pm_web_page_end(w);
	return PM_OK;
}

/* ---- exports ---- */

/* CSV only, with the byte-order mark that spreadsheets want: the xlsx
 * workbook is pm-bill export's, as libxlsxwriter would load libcrypto
 * into every CGI start of pm-web. */
int pm_page_export(struct pm_web *w)
{
	const char *period = pm_web_param(w, "period");
	struct pm_period p;
	FILE *f = w->res.f;
	long rows;

	if (pm_auth_check(&w->actor, "bill.export", &w->err))
		return w->err.code;
	if (!period) {
		pm_web_page(w, "导出账单明细");
		fputs("<form method=\"get\">", f);
		pm_html_fmt(f, "<label>账期<input name=\"period\" placeholder=\"2026-11\" pattern=\"[0-9]{4}-[0-9]{2}\" required></label>"
			       "<button>下载 CSV</button></form>\n"
			       "<p class=\"muted\">Excel 文件请在服务器上运行 pm-bill export --file-format xlsx</p>\n");
		pm_web_page_end(w);
		return PM_OK;
	}
	if (pm_period_parse(period, &p, &w->err) || pm_export_csv(w->db, period, f, 1, &rows, &w->err))
		return w->err.code;
	w->res.type = "text/csv; charset=utf-8";
	snprintf(w->res.disposition, sizeof w->res.disposition, "attachment; filename=\"bills-%s.csv\"", period);
	return PM_OK;
}

/* ---- the payment callback: JSON in, JSON out ---- */

int pm_page_callback(struct pm_web *w)
{
	const char *channel = w->arg[0];
	json_t *out = NULL, *err;
	int rc = pm_callback_pay(w->db, channel, w->body, w->body_len, w->req.signature, &out, &w->err);

	w->res.type = "application/json";
	if (rc == PM_OK) {
		json_object_set_new(out, "type", json_string("callback"));
		json_dumpf(out, w->res.f, JSON_COMPACT);
		json_decref(out);
		return PM_OK;
	}
	w->res.status = rc == PM_ENOINPUT ? 404 : rc == PM_ENOPERM ? 401 : rc == PM_EDATA ? 400 : rc == PM_ETEMPFAIL ? 503 : 500;
	if (w->err.internal || w->res.status >= 500)
		pm_web_log(w, "callback %s: %s", channel, w->err.msg);
	err = json_pack("{s:s, s:s}", "type", "error", "error",
			w->err.internal || w->res.status >= 500 ? "unavailable, try again" : w->err.msg);
	json_dumpf(err, w->res.f, JSON_COMPACT);
	json_decref(err);
	return PM_OK;
}
