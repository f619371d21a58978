/* webapp: what every page of the web front end goes through: the store,
 * the caller and the signed-in actor, CSRF, the frame, error pages. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "pm/community.h"
#include "pm/config.h"
#include "pm/db.h"
#include "pm/i18n.h"
#include "pm/money.h"
#include "pm/qr.h"
#include "pm/reward.h"
#include "pm/shopcart.h"
#include "web-internal.h"

#define SESSION_COOKIE "pm_session"
#define PRE_COOKIE "pm_pre"

int pm_web_fail(struct pm_web *w, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->err.msg, sizeof w->err.msg, fmt, ap);
	va_end(ap);
	w->err.code = code;
	w->err.internal = 0;
	return code;
}

void pm_web_log(struct pm_web *w, const char *fmt, ...)
{
	char line[PM_ERR_MSG_MAX + 256];
	va_list ap;
	int n = snprintf(line, sizeof line, "pm-web: ");

	va_start(ap, fmt);
	vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	va_end(ap);
	if (w->log)
		w->log(w->log_ctx, line);
	else
		fprintf(stderr, "%s\n", line);
}

/* The store, once per process: a FastCGI responder keeps it open. The
 * account pm-web runs as, once per request: a change of its role counts
 * from the next request on. */
static int store(struct pm_web *w)
{
	if (w->db || pm_db_open(w->db_path, 0, &w->db, &w->err) == PM_OK) {
		/* The request reads from one snapshot: pm_web_end ends it. */
		pm_db_read(w->db);
		if (pm_auth_actor(w->db, NULL, &w->caller, &w->err) == PM_OK) {
			if (w->caller.role == PM_ROLE_SERVICE || w->caller.role == PM_ROLE_ADMIN)
				return PM_OK;
			pm_err_set(&w->err, PM_ECONFIG,
				   _("pm-web runs as '%s' (%s), which may not act for others: make the web server's account a service user (pm user add web --role service --unix ACCOUNT)"),
				   w->caller.login, pm_role_name(w->caller.role));
		}
	}
	pm_db_close(w->db);
	w->db = NULL;
	w->err.internal = 1;
	return w->err.code;
}

/* The double-submit token of the sign-in forms, which come before any
 * session: the cookie and the form field must match. */
static int pre_ok(struct pm_web *w)
{
	char cookie[PM_SESSION_TOKEN];
	const char *given = pm_web_body_get(&w->req, "csrf");

	return given && pm_web_cookie(w->req.cookie, PRE_COOKIE, cookie, sizeof cookie) &&
	       strlen(given) == strlen(cookie) && sodium_memcmp(given, cookie, strlen(cookie)) == 0;
}

int pm_web_config(struct pm_web *w, struct pm_err *e)
{
	static const char *const names[] = {"web", "community"};
	json_t *sec[2];
	const char *name;

	if (w->config_read == 2)
		return PM_OK;
	if (pm_config_today_sections(w->db, names, sec, 2, e))
		return e->code;
	pm_signin_limits_of(sec[0], &w->limits);
	name = json_string_value(json_object_get(sec[1], "name"));
	snprintf(w->community, sizeof w->community, "%s", name ? name : "");
	json_decref(sec[0]);
	json_decref(sec[1]);
	w->config_read = 2;
	return PM_OK;
}

static int signed_in(struct pm_web *w, struct pm_err *e)
{
	char token[PM_SESSION_TOKEN];

	if (!pm_web_cookie(w->req.cookie, SESSION_COOKIE, token, sizeof token))
		return pm_err_set(e, PM_ENOPERM, _("not signed in"));
	if (pm_web_config(w, e) || pm_session_find(w->db, token, &w->limits, &w->session, e))
		return e->code;
	if (pm_auth_act_for(w->db, &w->caller, w->session.login, &w->actor, e)) {
		memset(&w->session, 0, sizeof w->session);
		return e->code;
	}
	pm_db_set_actor(w->db, w->actor.login);
	return PM_OK;
}

int pm_web_begin(struct pm_web *w, unsigned needs)
{
	struct pm_err e = {0};
	int post = strcmp(w->req.method, "POST") == 0;

	if (store(w))
		return w->err.code;
	w->actor = w->caller;
	pm_db_set_actor(w->db, w->caller.login);
	pm_db_set_caller(w->db, w->caller.login);
	if (signed_in(w, &e) && !(needs & PM_WEB_PUBLIC)) {
		w->err = e;
		if (e.code == PM_ENOPERM && w->req.cookie[0] && strstr(w->req.cookie, SESSION_COOKIE "="))
			pm_web_set_cookie(&w->res, &w->req, SESSION_COOKIE, "", -1, 0);
		return e.code;
	}
	if (!post || (needs & PM_WEB_NO_CSRF))
		return PM_OK;
	/* The token of the form's body only: one in the URL is logged. */
	if (w->session.id ? pm_session_csrf_ok(&w->session, pm_web_body_get(&w->req, "csrf")) : pre_ok(w))
		return PM_OK;
	return pm_web_fail(w, PM_ENOPERM, "%s", _("the form has expired: go back, reload the page and send it again"));
}

void pm_web_end(struct pm_web *w)
{
	memset(&w->session, 0, sizeof w->session);
	memset(&w->actor, 0, sizeof w->actor);
	memset(w->arg, 0, sizeof w->arg);
	memset(&w->limits, 0, sizeof w->limits);
	w->community[0] = w->pre[0] = w->refused[0] = '\0';
	w->config_read = 0;
	json_decref(w->repair);
	w->repair = NULL;
	pm_err_clear(&w->err);
	if (w->db) {
		pm_db_read_end(w->db);
		pm_db_set_actor(w->db, "system");
		pm_db_busy_renew(w->db);
	}
}

/* ---- the frame ---- */

/* The menu. On a phone's 360 px a row holds four items: the daily ones
 * show, the rest are under 更多 (more). */
static const struct item {
	const char *href, *label, *permission;
	int who;  /* 1: owners, 2: staff, 3: both */
	int more; /* under 更多 */
} menu[] = {
	{"/", "首页", NULL, 3, 0},
	{"/bills", "账单", "bill.read", 1, 0},
	{"/repair", "报修", "ticket.submit", 1, 0},
	{"/tickets", "报修进度", "ticket.read", 1, 0},
	{"/tickets", "工单", "ticket.read", 2, 0},
	{"/today", "今日任务", "ticket.work", 2, 0},
	{"/visitors", "访客", "visitor.read", 3, 0},
	{"/parking", "停车", "parking.read", 3, 1},
	{"/renovations", "装修", "renovation.read", 3, 1},
	{"/cash", "现金收款", "bill.pay", 2, 0},
	{"/dunning", "欠费催缴", "bill.contact", 2, 1},
	{"/units", "查询房屋", "bill.read", 2, 0},
	{"/dashboard", "看板", "report.read", 2, 0},
	{"/export", "导出", "bill.export", 2, 1},
	{"/announcements", "公告", "notify.announcements", 3, 0},
	{"/votes", "业主表决", "govern.read", 3, 1},
	{"/shop", "团购", "shop.buy", 1, 0},
	{"/orders", "我的订单", "shop.buy", 1, 1},
	{"/shop", "团购", "shop.read", 2, 1},
	{"/points", "积分", "bill.read", 1, 1},
	{"/prefs", "通知设置", "notify.self", 1, 1},
	{"/ask", "智能客服", "ask", 1, 1},
	{"/password", "修改密码", "user.passwd.self", 3, 1},
};

const char *pm_web_community(struct pm_web *w)
{
	struct pm_err ignored;
	const char *name;
	json_t *c;

	/* A page that needed no limits (the sign-in page before a session)
	 * reads the community's section alone. */
	if (!w->config_read && w->db && pm_config_today(w->db, "community", &c, &ignored) == PM_OK) {
		name = json_string_value(json_object_get(c, "name"));
		snprintf(w->community, sizeof w->community, "%s", name ? name : "");
		json_decref(c);
		w->config_read = 1;
	}
	return w->community;
}

void pm_web_page(struct pm_web *w, const char *title)
{
	struct pm_html_link nav[2][sizeof menu / sizeof *menu + 1];
	int who = w->actor.role == PM_ROLE_OWNER ? 1 : 2;
	char css[PM_WEB_MAX_PATH + 16];
	size_t n[2] = {0, 0};

	if (w->session.id)
		for (size_t i = 0; i < sizeof menu / sizeof *menu; i++)
			if ((menu[i].who & who) && (!menu[i].permission || pm_auth_allowed(w->actor.role, menu[i].permission)))
				nav[menu[i].more][n[menu[i].more]++] = (struct pm_html_link){menu[i].href, menu[i].label};
	nav[0][n[0]] = nav[1][n[1]] = (struct pm_html_link){NULL, NULL};
	snprintf(css, sizeof css, "%s/pm.css", w->assets);
	pm_html_begin(w->res.f, &(struct pm_html_page){
		title, pm_web_community(w), w->session.id ? w->actor.login : NULL, css, w->req.script,
		w->session.csrf, w->session.id ? nav[0] : NULL, w->session.id ? nav[1] : NULL});
	if (w->refused[0])
		pm_html_note(w->res.f, "error", w->refused);
}

void pm_web_page_end(struct pm_web *w)
{
	pm_html_end(w->res.f);
}

void pm_web_form(struct pm_web *w, const char *path, int multipart)
{
	struct pm_err ignored;

	if (w->session.id) {
		pm_html_form(w->res.f, w->req.script, path, w->session.csrf, multipart);
		return;
	}
	/* Before a session: one token in a cookie and the same in the form. */
	if (!w->pre[0] && !pm_web_cookie(w->req.cookie, PRE_COOKIE, w->pre, sizeof w->pre)) {
		if (pm_session_token(w->pre, &ignored))
			w->pre[0] = '\0';
		pm_web_set_cookie(&w->res, &w->req, PRE_COOKIE, w->pre, 0, 1);
	}
	pm_html_form(w->res.f, w->req.script, path, w->pre, multipart);
}

const char *pm_web_param(struct pm_web *w, const char *name)
{
	return pm_web_get(&w->req.params, name);
}

const char *pm_web_sent(struct pm_web *w, const char *name)
{
	const char *v = pm_web_param(w, name);

	return v ? v : "";
}

int pm_web_sent_here(struct pm_web *w, const char *action)
{
	return w->refused[0] && strcmp(w->req.method, "POST") == 0 && strcmp(w->req.path, action) == 0;
}

const char *pm_web_sent_to(struct pm_web *w, const char *action, const char *name)
{
	return pm_web_sent_here(w, action) ? pm_web_sent(w, name) : "";
}

int pm_web_money(struct pm_web *w, const char *name, const char *label, int64_t *fen)
{
	const char *v = pm_web_field(w, name);
	struct pm_err bad;

	if (v && pm_money_parse(v, fen, &bad))
		return pm_web_fail(w, PM_EDATA, "%s“%s”不对：%s", label, v, bad.msg);
	return PM_OK;
}

static int unit_option(void *ctx, json_t *u)
{
	struct pm_web *w = ctx;

	const char *code = json_string_value(json_object_get(u, "code")), *chosen = pm_web_param(w, "unit");

	pm_html_fmt(w->res.f, "<option value=\"%s\"%s>%s</option>", code,
		    chosen && !strcmp(chosen, code) ? " selected" : "", code);
	return PM_OK;
}

/* A unit with the points it may spend: those a shop order holds until
 * it is paid are not free to spend. */
struct points_options {
	struct pm_web *w;
	int64_t most;
};

static int points_option(void *ctx, json_t *u)
{
	struct points_options *o = ctx;
	struct pm_web *w = o->w;
	const char *code = json_string_value(json_object_get(u, "code")), *chosen = pm_web_param(w, "unit");
	const char *selected = chosen && !strcmp(chosen, code) ? " selected" : "";
	int64_t held, balance;
	json_t *b;

	if (pm_points_balance(w->db, code, &b, &w->err))
		return w->err.code;
	balance = json_integer_value(json_object_get(b, "balance"));
	json_decref(b);
	if (pm_shop_points_held(w->db, code, &held, &w->err))
		return w->err.code;
	if (held > 0)
		pm_html_fmt(w->res.f, "<option value=\"%s\"%s>%s（可用积分 %D，另有 %D 积分被待付款的订单占用）</option>",
			    code, selected, code, (long long)(balance - held), (long long)held);
	else
		pm_html_fmt(w->res.f, "<option value=\"%s\"%s>%s（积分 %D）</option>", code, selected, code,
			    (long long)balance);
	if (balance - held > o->most)
		o->most = balance - held;
	return PM_OK;
}

int pm_web_points_options(struct pm_web *w, int64_t *most)
{
	struct points_options o = {w, 0};
	int rc = pm_unit_each_mine(w->db, &w->actor, points_option, &o, &w->err);

	if (most)
		*most = o.most;
	return rc;
}

int pm_web_unit_field(struct pm_web *w, int required)
{
	FILE *f = w->res.f;

	if (w->actor.role != PM_ROLE_OWNER) {
		pm_html_fmt(f, "<label>房号<input name=\"unit\" value=\"%s\" placeholder=\"如 1-1-101\"%s></label>",
			    pm_web_sent(w, "unit"), required ? " required" : "");
		return PM_OK;
	}
	fputs("<label>房屋<select name=\"unit\" required>", f);
	if (pm_unit_each_mine(w->db, &w->actor, unit_option, w, &w->err))
		return w->err.code;
	fputs("</select></label>", f);
	return PM_OK;
}

long pm_web_mark(struct pm_web *w)
{
	return ftell(w->res.f);
}

void pm_web_none(struct pm_web *w, long mark, int cols, const char *text)
{
	if (ftell(w->res.f) != mark)
		return;
	if (cols)
		pm_html_fmt(w->res.f, "<tr class=\"none\"><td colspan=\"%d\">%s</td></tr>\n", cols, text);
	else
		pm_html_fmt(w->res.f, "<li class=\"none\">%s</li>\n", text);
}

const char *pm_web_field(struct pm_web *w, const char *name)
{
	const char *v = pm_web_param(w, name);

	return v && *v ? v : NULL;
}

static int positive(const char *s, int64_t *id)
{
	char *end;
	long long v;

	if (!s || *s < '1' || *s > '9' || strlen(s) > 18)
		return 0;
	v = strtoll(s, &end, 10);
	if (*end || v <= 0)
		return 0;
	*id = v;
	return 1;
}

int pm_web_param_id(struct pm_web *w, const char *name, int64_t *id)
{
	if (positive(pm_web_param(w, name), id))
		return PM_OK;
	return pm_web_fail(w, PM_EDATA, _("field '%s': expected a number above 0"), name);
}

int pm_web_arg_id(struct pm_web *w, int i, int64_t *id)
{
	if (positive(w->arg[i], id))
		return PM_OK;
	return pm_web_fail(w, PM_ENOINPUT, "%s", _("no such page"));
}

void pm_web_time(FILE *f, const char *t)
{
	if (!t || strlen(t) < 16) {
		pm_html_text(f, t);
		return;
	}
	fprintf(f, "%.10s %.5s", t, t + 11);
}

const char *pm_web_ticket_status(const char *s)
{
	static const char *const names[][2] = {
		{"submitted", "已受理"}, {"accepted", "已接单"}, {"assigned", "已派工"}, {"in_progress", "维修中"},
		{"on_hold", "暂停"}, {"resolved", "已完成"}, {"closed", "已关闭"}, {"cancelled", "已取消"},
		{"reopened", "重新打开"},
	};

	for (size_t i = 0; s && i < sizeof names / sizeof *names; i++)
		if (strcmp(names[i][0], s) == 0)
			return names[i][1];
	return s ? s : "";
}

const char *pm_web_bill_status(const char *s)
{
	static const char *const names[][2] = {
		{"draft", "草稿"}, {"issued", "待缴"}, {"partial", "部分已缴"}, {"paid", "已缴清"}, {"void", "已作废"},
	};

	for (size_t i = 0; s && i < sizeof names / sizeof *names; i++)
		if (strcmp(names[i][0], s) == 0)
			return names[i][1];
	return s ? s : "";
}

/* ---- errors ---- */

static int status_of(int code)
{
	switch (code) {
	case PM_ENOPERM: return 403;
	case PM_EDATA: case PM_EUSAGE: return 400;
	case PM_EFAIL: return 409;
	case PM_ENOINPUT: return 404;
	case PM_ETEMPFAIL: case PM_EUNAVAIL: return 503;
	default: return 500;
	}
}

int pm_web_again(struct pm_web *w, int rc, int (*page)(struct pm_web *w))
{
	struct pm_err why = w->err;

	if ((rc != PM_EDATA && rc != PM_EUSAGE && rc != PM_EFAIL) || w->err.internal || !w->err.msg[0] ||
	    w->res.status == 303)
		return 0;
	snprintf(w->refused, sizeof w->refused, "%s", w->err.msg);
	pm_err_clear(&w->err);
	pm_web_res_reset(&w->res);
	/* A form with no page to show it (an order of an offer there is
	 * not): the refusal on the error page, as it was. */
	if (page(w)) {
		w->refused[0] = '\0';
		w->err = why;
		pm_web_error(w, rc);
		return 1;
	}
	w->res.status = status_of(rc);
	return 1;
}

void pm_web_error(struct pm_web *w, int rc)
{
	static const char *const titles[][2] = {
		{"400", "请求有误"}, {"403", "无权访问"}, {"404", "页面不存在"}, {"409", "操作未完成"},
		{"503", "系统繁忙"}, {"500", "出错了"},
	};
	int status = !w->err.internal || rc == PM_ETEMPFAIL ? status_of(rc) : 500, shown;
	char code[8];
	const char *title = "出错了";

	if (w->res.status == 303)
		return;
	/* A page that needs a session, asked for without one: sign in first. */
	if (rc == PM_ENOPERM && !w->err.internal && !w->session.id && strcmp(w->req.method, "GET") == 0 && w->db) {
		pm_web_res_reset(&w->res);
		pm_web_redirect(&w->res, w->req.script, "/login");
		return;
	}
	shown = !w->err.internal && w->err.msg[0] &&
		(rc == PM_ENOPERM || rc == PM_EDATA || rc == PM_EUSAGE || rc == PM_EFAIL || rc == PM_ENOINPUT ||
		 rc == PM_EUNAVAIL);
	if (!shown)
		pm_web_log(w, "%s %s: %s", w->req.method, w->req.path, w->err.msg[0] ? w->err.msg : "?");
	snprintf(code, sizeof code, "%d", status);
	for (size_t i = 0; i < sizeof titles / sizeof *titles; i++)
		if (strcmp(titles[i][0], code) == 0)
			title = titles[i][1];
	pm_web_res_reset(&w->res);
	w->res.status = status;
	pm_web_page(w, title);
	pm_html_note(w->res.f, "error", shown ? w->err.msg
		     : status == 503 ? "系统繁忙，请稍后再试。" : "服务出错了，已记录在案，请稍后再试或联系物业服务中心。");
	pm_html_fmt(w->res.f, "<p><a href=\"%s/\">返回首页</a></p>\n", w->req.script);
	pm_web_page_end(w);
}

int pm_web_qr(struct pm_web *w, const char *data, const char *caption)
{
	char *svg, *start;

	if (pm_qr_svg(data, 6, &svg, &w->err))
		return w->err.code;
	start = strstr(svg, "<svg");
	fputs("<figure class=\"qr\">", w->res.f);
	fputs(start ? start : svg, w->res.f);
	pm_html_fmt(w->res.f, "<figcaption>%s</figcaption></figure>\n", caption);
	free(svg);
	return PM_OK;
}
