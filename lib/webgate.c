/* webgate: visitors and parking on the web. An owner invites a visitor
 * to their own unit (the request and its approval in one step), shows the
 * pass's QR code at the gate, approves, denies or cancels; sees their
 * vehicles and their parking sessions with what each cost. Staff see the
 * same for every unit, as the permission table lets them. */
#include <stdlib.h>
#include <string.h>

#include "pm/auth.h"
#include "pm/community.h"
#include "pm/db.h"
#include "pm/i18n.h"
#include "pm/parking.h"
#include "pm/timeutil.h"
#include "pm/visitor.h"
#include "web-internal.h"

#define STR(o, k) json_string_value(json_object_get(o, k))
#define NUM(o, k) ((long long)json_integer_value(json_object_get(o, k)))

static const char *visitor_status(const char *s)
{
	static const char *const names[][2] = {
		{"pending", "待审批"}, {"approved", "已通过"}, {"denied", "已拒绝"}, {"expired", "已过期"},
		{"revoked", "已取消"},
	};

	for (size_t i = 0; s && i < sizeof names / sizeof *names; i++)
		if (strcmp(names[i][0], s) == 0)
			return names[i][1];
	return s ? s : "";
}

/* "2026-12-01T10:00" (an <input type="datetime-local">) in the community's
 * zone: PM_EDATA naming the field (its label) otherwise. */
static int local_time(struct pm_web *w, const char *name, const char *label, int64_t *t)
{
	const char *s = pm_web_field(w, name);
	int hh, mm;
	char day[11];
	int32_t d;

	if (!s || strlen(s) < 16 || s[10] != 'T' || s[13] != ':')
		return pm_web_fail(w, PM_EDATA, "请填写%s（日期和时间）。", label);
	memcpy(day, s, 10);
	day[10] = '\0';
	hh = (s[11] - '0') * 10 + (s[12] - '0');
	mm = (s[14] - '0') * 10 + (s[15] - '0');
	if (pm_date_parse(day, &d, &w->err) || s[11] < '0' || s[11] > '2' || s[12] < '0' || s[12] > '9' ||
	    s[14] < '0' || s[14] > '5' || s[15] < '0' || s[15] > '9' || hh > 23 || (s[16] && s[16] != ':'))
		return pm_web_fail(w, PM_EDATA, "时间格式不对：%s", s);
	*t = pm_date_start(d, pm_db_tz(w->db)) + hh * 3600 + mm * 60;
	return PM_OK;
}

/* A form's from and until (<input type="datetime-local">), as sent when
 * it comes back refused, else start and end in the community's time: a
 * phone's date and time pickers are slow to set from blank. */
static void window_fields(struct pm_web *w, const char *from_label, const char *until_label, int64_t start,
			  int64_t end)
{
	char from[PM_TIME_BUF], until[PM_TIME_BUF];

	pm_time_fmt(start, pm_db_tz(w->db), from);
	pm_time_fmt(end, pm_db_tz(w->db), until);
	from[16] = until[16] = '\0';
	pm_html_fmt(w->res.f, "<label>%s<input type=\"datetime-local\" name=\"from\" value=\"%s\" required></label>"
			      "<label>%s<input type=\"datetime-local\" name=\"until\" value=\"%s\" required></label>",
		    from_label, pm_web_param(w, "from") ? pm_web_param(w, "from") : from, until_label,
		    pm_web_param(w, "until") ? pm_web_param(w, "until") : until);
}

/* ---- visitors ---- */

static void visitor_actions(struct pm_web *w, json_t *v)
{
	FILE *f = w->res.f;
	char path[64];

	if (!pm_auth_allowed(w->actor.role, "visitor.approve"))
		return;
	if (!strcmp(STR(v, "status"), "pending")) {
		snprintf(path, sizeof path, "/visitor/%lld/approve", NUM(v, "id"));
		pm_web_form(w, path, 0);
		fputs("<button>同意</button></form>\n", f);
		snprintf(path, sizeof path, "/visitor/%lld/deny", NUM(v, "id"));
		pm_web_form(w, path, 0);
		fputs("<button class=\"secondary\">拒绝</button></form>\n", f);
	} else if (!strcmp(STR(v, "status"), "approved")) {
		snprintf(path, sizeof path, "/visitor/%lld/cancel", NUM(v, "id"));
		pm_web_form(w, path, 0);
		fputs("<button class=\"secondary\">取消通行证</button></form>\n", f);
	}
}

static int visitor_row(void *ctx, json_t *v)
{
	struct pm_web *w = ctx;
	FILE *f = w->res.f;

	pm_html_fmt(f, "<li><a href=\"%s/visitor/%D\">%s</a> <span class=\"status\">%s</span> %s<br><span class=\"muted\">",
		    w->req.script, NUM(v, "id"), STR(v, "name"), visitor_status(STR(v, "status")), STR(v, "unit"));
	pm_web_time(f, STR(v, "from"));
	fputs(" 至 ", f);
	pm_web_time(f, STR(v, "until"));
	fputs("</span><div class=\"actions\">", f);
	visitor_actions(w, v);
	fputs("</div></li>\n", f);
	return PM_OK;
}

static int invite_form(struct pm_web *w)
{
	FILE *f = w->res.f;

	fputs("<h2>邀请访客</h2>\n", f);
	pm_web_form(w, "/visitors", 0);
	if (pm_web_unit_field(w, 1))
		return w->err.code;
	/* Filled in as sent when the form comes back refused. */
	pm_html_fmt(f, "<label>访客姓名<input name=\"name\" value=\"%s\" maxlength=\"64\" required></label>"
		       "<label>手机（可选）<input name=\"phone\" value=\"%s\" inputmode=\"tel\" maxlength=\"32\"></label>"
		       "<label>车牌（可选）<input name=\"plate\" value=\"%s\" maxlength=\"16\"></label>",
		    pm_web_sent(w, "name"), pm_web_sent(w, "phone"), pm_web_sent(w, "plate"));
	/* A new invitation is for now until four hours on. */
	window_fields(w, "到访时间", "离开时间", pm_now(), pm_now() + 4 * 3600);
	pm_html_fmt(f, "<label>事由（可选）<input name=\"purpose\" value=\"%s\" maxlength=\"100\"></label>"
		       "<button>生成通行码</button></form>\n", pm_web_sent(w, "purpose"));
	return PM_OK;
}

int pm_page_visitors(struct pm_web *w)
{
	FILE *f = w->res.f;
	long mark;

	if (pm_auth_check(&w->actor, "visitor.read", &w->err))
		return w->err.code;
	pm_web_page(w, "访客");
	if (pm_auth_allowed(w->actor.role, "visitor.request") && invite_form(w))
		return w->err.code;
	fputs("<h2>访客记录</h2>\n<ul class=\"cards\">\n", f);
	mark = pm_web_mark(w);
	if (pm_visitor_each(w->db, &w->actor, NULL, NULL, visitor_row, w, &w->err))
		return w->err.code;
	pm_web_none(w, mark, 0, "还没有访客记录");
	fputs("</ul>\n", f);
	pm_web_page_end(w);
	return PM_OK;
}

/* A visitor invited by an owner (or the front desk) is let in: the
 * request and its approval are one step, as one who may approve asks. */
int pm_page_visitors_post(struct pm_web *w)
{
	struct pm_visitor_new v = {.unit = pm_web_field(w, "unit"), .name = pm_web_field(w, "name"),
				   .phone = pm_web_field(w, "phone"), .plate = pm_web_field(w, "plate"),
				   .purpose = pm_web_field(w, "purpose"), .uses = -1};
	char path[48];
	int64_t id;

	if (local_time(w, "from", "到访时间", &v.from) || local_time(w, "until", "离开时间", &v.until))
		return w->err.code;
	if (v.until <= v.from)
		return pm_web_fail(w, PM_EDATA, "离开时间须晚于到访时间。");
	if (pm_visitor_request(w->db, &w->actor, &v, &id, &w->err))
		return w->err.code;
	if (pm_auth_allowed(w->actor.role, "visitor.approve") && pm_visitor_approve(w->db, &w->actor, id, &w->err))
		return w->err.code;
	snprintf(path, sizeof path, "/visitor/%lld", (long long)id);
	pm_web_redirect(&w->res, w->req.script, path);
	return PM_OK;
}

/* The visitor request of the route, if the actor may see it: one that
 * is not there is refused as one of another unit, so probing tells
 * nothing. */
static int visitor_of(struct pm_web *w, json_t **v)
{
	int64_t id;

	if (pm_web_arg_id(w, 0, &id))
		return w->err.code;
	if (pm_visitor_get(w->db, &w->actor, id, 0, v, &w->err) == PM_OK)
		return PM_OK;
	if (w->err.code != PM_EDATA && w->err.code != PM_ENOPERM)
		return w->err.code;
	return pm_web_fail(w, PM_ENOPERM, "无权查看访客记录 %lld。", (long long)id);
}

int pm_page_visitor(struct pm_web *w)
{
	FILE *f = w->res.f;
	json_t *v;

	if (visitor_of(w, &v))
		return w->err.code;
	pm_web_page(w, "访客通行证");
	pm_html_fmt(f, "<p><span class=\"status\">%s</span> %s · %s</p>\n<table>\n", visitor_status(STR(v, "status")),
		    STR(v, "name"), STR(v, "unit"));
	fputs("<tr><th>到访</th><td>", f);
	pm_web_time(f, STR(v, "from"));
	fputs("</td></tr>\n<tr><th>离开</th><td>", f);
	pm_web_time(f, STR(v, "until"));
	fputs("</td></tr>\n", f);
	if (STR(v, "plate"))
		pm_html_fmt(f, "<tr><th>车牌</th><td>%s</td></tr>\n", STR(v, "plate"));
	if (STR(v, "purpose"))
		pm_html_fmt(f, "<tr><th>事由</th><td>%s</td></tr>\n", STR(v, "purpose"));
	fputs("</table>\n", f);
	if (!strcmp(STR(v, "status"), "approved") && STR(v, "token") && pm_web_qr(w, STR(v, "token"), "到达时请向门岗出示此码")) {
		json_decref(v);
		return w->err.code;
	}
	fputs("<div class=\"actions\">", f);
	visitor_actions(w, v);
	pm_html_fmt(f, "</div>\n<p><a href=\"%s/visitors\">返回访客列表</a></p>\n", w->req.script);
	json_decref(v);
	pm_web_page_end(w);
	return PM_OK;
}

/* approve, deny or cancel: the library decides who may. */
int pm_page_visitor_step(struct pm_web *w)
{
	char path[48];
	int64_t id;
	json_t *v;
	int rc, unchanged;

	if (visitor_of(w, &v))
		return w->err.code;
	id = NUM(v, "id");
	json_decref(v);
	if (!strcmp(w->arg[1], "approve"))
		rc = pm_visitor_approve(w->db, &w->actor, id, &w->err);
	else if (!strcmp(w->arg[1], "deny"))
		rc = pm_visitor_deny(w->db, &w->actor, id, "网上拒绝", &w->err);
	else if (!strcmp(w->arg[1], "cancel"))
		rc = pm_pass_revoke(w->db, &w->actor, id, "网上取消", &unchanged, &w->err);
	else
		return pm_web_fail(w, PM_ENOINPUT, "%s", _("no such page"));
	if (rc)
		return rc;
	snprintf(path, sizeof path, "/visitor/%lld", (long long)id);
	pm_web_redirect(&w->res, w->req.script, path);
	return PM_OK;
}

/* ---- parking ---- */

static int vehicle_row(void *ctx, json_t *v)
{
	struct pm_web *w = ctx;

	pm_html_fmt(w->res.f, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", STR(v, "plate"),
		    STR(v, "unit"), strcmp(STR(v, "kind"), "monthly") ? "自有/租赁车位" : "月卡",
		    STR(v, "until") ? STR(v, "until") : STR(v, "space") ? STR(v, "space") : "");
	return PM_OK;
}

static int session_row(void *ctx, json_t *s)
{
	struct pm_web *w = ctx;
	FILE *f = w->res.f;

	pm_html_fmt(f, "<tr><td>%s</td><td>", STR(s, "plate"));
	pm_web_time(f, STR(s, "entry"));
	fputs("</td><td>", f);
	if (STR(s, "exit"))
		pm_web_time(f, STR(s, "exit"));
	else
		fputs("在场", f);
	if (json_is_integer(json_object_get(s, "fee_fen")))
		pm_html_fmt(f, "</td><td class=\"num\">%M</td><td class=\"num\">%M</td></tr>\n",
			    (int64_t)NUM(s, "fee_fen"), (int64_t)NUM(s, "owed_fen"));
	else
		fputs("</td><td class=\"num\">—</td><td class=\"num\">—</td></tr>\n", f);
	return PM_OK;
}

struct mine {
	struct pm_web *w;
	int (*each)(struct pm_web *w, const char *unit);
};

static int vehicles_of(struct pm_web *w, const char *unit)
{
	return pm_vehicle_each(w->db, &w->actor, unit, 0, vehicle_row, w, &w->err);
}

static int sessions_of(struct pm_web *w, const char *unit)
{
	return pm_parking_each(w->db, &w->actor, unit, !unit, session_row, w, &w->err);
}

static int each_unit(void *ctx, json_t *u)
{
	struct mine *m = ctx;

	return m->each(m->w, STR(u, "code"));
}

/* For an owner each of their units, for staff all of them at once. */
static int for_mine(struct pm_web *w, int (*each)(struct pm_web *w, const char *unit))
{
	struct mine m = {w, each};

	if (w->actor.role != PM_ROLE_OWNER)
		return each(w, NULL);
	return pm_unit_each_mine(w->db, &w->actor, each_unit, &m, &w->err);
}

int pm_page_parking(struct pm_web *w)
{
	FILE *f = w->res.f;
	long mark;

	if (pm_auth_check(&w->actor, "parking.read", &w->err))
		return w->err.code;
	pm_web_page(w, "停车");
	fputs("<h2>登记车辆</h2>\n<div class=\"scroll\"><table>\n<thead><tr><th>车牌</th><th>房屋</th><th>类型</th>"
	      "<th>车位/有效期</th></tr></thead>\n<tbody>\n", f);
	mark = pm_web_mark(w);
	if (for_mine(w, vehicles_of))
		return w->err.code;
	pm_web_none(w, mark, 4, "没有登记车辆");
	fputs("</tbody></table></div>\n", f);
	pm_html_fmt(f, "<h2>%s</h2>\n", w->actor.role == PM_ROLE_OWNER ? "停车记录" : "在场车辆");
	fputs("<div class=\"scroll\"><table>\n<thead><tr><th>车牌</th><th>入场</th><th>出场</th>"
	      "<th class=\"num\">费用</th><th class=\"num\">待缴</th></tr></thead>\n<tbody>\n", f);
	mark = pm_web_mark(w);
	if (for_mine(w, sessions_of))
		return w->err.code;
	pm_web_none(w, mark, 5, w->actor.role == PM_ROLE_OWNER ? "没有停车记录" : "没有在场车辆");
	fputs("</tbody></table></div>\n", f);
	pm_html_fmt(f, "<p class=\"actions\"><a class=\"button\" href=\"%s/reserve\">车位与充电桩预约</a></p>\n",
		    w->req.script);
	pm_web_page_end(w);
	return PM_OK;
}

/* ---- bookings of parking spaces and charging piles (车位/充电预约) ---- */

static const char *resource_kind(const char *k)
{
	return !k ? "" : !strcmp(k, "space") ? "车位" : !strcmp(k, "charger") ? "充电桩" : k;
}

static void resource_option(struct pm_web *w, json_t *r)
{
	long long most = NUM(r, "longest_minutes");

	pm_html_fmt(w->res.f, "<option value=\"%s\"%s>%s（%s，最长", STR(r, "resource"),
		    strcmp(pm_web_sent(w, "resource"), STR(r, "resource")) ? "" : " selected",
		    STR(r, "name") ? STR(r, "name") : STR(r, "resource"), resource_kind(STR(r, "kind")));
	if (most % 60)
		pm_html_fmt(w->res.f, " %D 分钟）</option>", most);
	else
		pm_html_fmt(w->res.f, " %D 小时）</option>", most / 60);
}

/* The resources (pm_reserve_resources), read once for the form and the
 * day's list. */
struct bookings {
	struct pm_web *w;
	json_t *resources;
};

static int resource_keep(void *ctx, json_t *r)
{
	struct bookings *b = ctx;

	return json_array_append(b->resources, r) ? pm_err_set(&b->w->err, PM_EFAIL, _("out of memory")) : PM_OK;
}

/* The form starts at the next whole hour, for an hour. */
static int reserve_form(struct pm_web *w, json_t *resources)
{
	int64_t start = (pm_now() / 3600 + 1) * 3600;
	FILE *f = w->res.f;
	size_t i;
	json_t *r;

	fputs("<h2>预约</h2>\n", f);
	pm_web_form(w, "/reserve", 0);
	if (pm_web_unit_field(w, 1))
		return w->err.code;
	fputs("<label>预约什么<select name=\"resource\" required>", f);
	json_array_foreach(resources, i, r)
		resource_option(w, r);
	fputs("</select></label>", f);
	window_fields(w, "开始时间", "结束时间", start, start + 3600);
	fputs("<button>预约</button></form>\n", f);
	return PM_OK;
}

static const char *resource_name(json_t *resources, const char *code)
{
	size_t i;
	json_t *r;

	json_array_foreach(resources, i, r)
		if (!strcmp(STR(r, "resource"), code))
			return STR(r, "name") ? STR(r, "name") : code;
	return code;
}

static int reservation_row(void *ctx, json_t *r)
{
	struct bookings *b = ctx;
	struct pm_web *w = b->w;
	FILE *f = w->res.f;
	int booked = !strcmp(STR(r, "status"), "booked");
	char path[64];

	pm_html_fmt(f, "<li>%s <span class=\"status\">%s</span> %s<br><span class=\"muted\">",
		    resource_name(b->resources, STR(r, "resource")), booked ? "已预约" : "已取消", STR(r, "unit"));
	pm_web_time(f, STR(r, "from"));
	fputs(" 至 ", f);
	pm_web_time(f, STR(r, "until"));
	fputs("</span>", f);
	if (booked && pm_auth_allowed(w->actor.role, "parking.reserve")) {
		snprintf(path, sizeof path, "/reservation/%lld/cancel", NUM(r, "id"));
		fputs("<div class=\"actions\">", f);
		pm_web_form(w, path, 0);
		fputs("<button class=\"secondary\">取消预约</button></form></div>", f);
	}
	fputs("</li>\n", f);
	return PM_OK;
}

/* The day of the query's "day" (YYYY-MM-DD), else the community's today. */
static int reserve_day(struct pm_web *w, int32_t *day)
{
	const char *d = pm_web_param(w, "day");
	char today[PM_TIME_BUF];

	if (d && *d)
		return pm_date_parse(d, day, &w->err) ? pm_web_fail(w, PM_EDATA, "日期格式不对：%s", d) : PM_OK;
	return pm_date_parse(pm_community_today(w->db, today), day, &w->err);
}

int pm_page_reserve(struct pm_web *w)
{
	char d[PM_TIME_BUF], prev[PM_TIME_BUF], next[PM_TIME_BUF];
	struct bookings b = {w, json_array()};
	FILE *f = w->res.f;
	int32_t day;
	long mark;
	int rc;

	if (pm_auth_check(&w->actor, "parking.read", &w->err) || reserve_day(w, &day) ||
	    pm_reserve_resources(w->db, resource_keep, &b, &w->err)) {
		json_decref(b.resources);
		return w->err.code;
	}
	pm_web_page(w, "车位与充电桩预约");
	if (pm_auth_allowed(w->actor.role, "parking.reserve") && reserve_form(w, b.resources)) {
		json_decref(b.resources);
		return w->err.code;
	}
	pm_date_fmt(day, d);
	pm_date_fmt(day - 1, prev);
	pm_date_fmt(day + 1, next);
	pm_html_fmt(f, "<h2>%s 的预约</h2>\n<p class=\"actions\"><a href=\"%s/reserve?day=%u\">前一天</a> "
		       "<a href=\"%s/reserve?day=%u\">后一天</a></p>\n<ul class=\"cards\">\n",
		    d, w->req.script, prev, w->req.script, next);
	mark = pm_web_mark(w);
	rc = pm_reservation_each(w->db, &w->actor, NULL, day, reservation_row, &b, &w->err);
	json_decref(b.resources);
	if (rc)
		return rc;
	pm_web_none(w, mark, 0, w->actor.role == PM_ROLE_OWNER ? "这一天您没有预约" : "这一天没有预约");
	fputs("</ul>\n", f);
	pm_web_page_end(w);
	return PM_OK;
}

int pm_page_reserve_post(struct pm_web *w)
{
	const char *unit = pm_web_field(w, "unit"), *res = pm_web_field(w, "resource");
	char path[64], day[PM_TIME_BUF];
	int64_t from, until, id;

	if (!unit || !res)
		return pm_web_fail(w, PM_EDATA, "请选择房屋和预约的车位或充电桩。");
	if (local_time(w, "from", "开始时间", &from) || local_time(w, "until", "结束时间", &until))
		return w->err.code;
	if (until <= from)
		return pm_web_fail(w, PM_EDATA, "结束时间须晚于开始时间。");
	if (until <= pm_now())
		return pm_web_fail(w, PM_EDATA, "这个时段已经过去了。");
	if (pm_reserve(w->db, &w->actor, res, unit, from, until, &id, &w->err))
		return w->err.code;
	snprintf(path, sizeof path, "/reserve?day=%.10s", pm_time_fmt(from, pm_db_tz(w->db), day));
	pm_web_redirect(&w->res, w->req.script, path);
	return PM_OK;
}

int pm_page_reservation_cancel(struct pm_web *w)
{
	int64_t id;

	if (pm_web_arg_id(w, 0, &id) || pm_reserve_cancel(w->db, &w->actor, id, &w->err))
		return w->err.code;
	pm_web_redirect(&w->res, w->req.script, "/reserve");
	return PM_OK;
}
