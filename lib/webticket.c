/* webticket: repairs in one step with photos, a ticket's status and
 * timeline, rating and reopening, the staff's queue and steps, and the
 * day's inspections and patrols. */
#include <stdlib.h>
#include <string.h>

#include "pm/auth.h"
#include "pm/community.h"
#include "pm/config.h"
#include "pm/db.h"
#include "pm/i18n.h"
#include "pm/money.h"
#include "pm/patrol.h"
#include "pm/photo.h"
#include "pm/ticket.h"
#include "pm/timeutil.h"
#include "web-internal.h"

#define STR(o, k) json_string_value(json_object_get(o, k))
#define NUM(o, k) ((long long)json_integer_value(json_object_get(o, k)))

/* ---- reporting a repair ---- */

/* What people call a category: its label in the repair section. */
static const char *category_label(struct pm_web *w, const char *name)
{
	struct pm_err ignored;
	json_t *c;
	size_t i;

	if (!w->repair && pm_config_today(w->db, "repair", &w->repair, &ignored))
		w->repair = NULL;
	json_array_foreach(json_object_get(w->repair, "categories"), i, c)
		if (name && STR(c, "label") && !strcmp(STR(c, "name"), name))
			return STR(c, "label");
	return name ? name : "";
}

/* The categories an owner may report: the repair section's. */
static int category_options(struct pm_web *w)
{
	const char *chosen = pm_web_param(w, "category");
	json_t *rep, *c;
	size_t i;

	if (pm_config_today(w->db, "repair", &rep, &w->err))
		return w->err.code;
	if (!rep) {
		pm_html_note(w->res.f, "warn", "物业尚未开通线上报修，请致电物业服务中心。");
		return PM_ENOINPUT;
	}
	fputs("<label>类别<select name=\"category\" required>", w->res.f);
	json_array_foreach(json_object_get(rep, "categories"), i, c)
		pm_html_fmt(w->res.f, "<option value=\"%s\"%s>%s</option>", STR(c, "name"),
			    chosen && !strcmp(chosen, STR(c, "name")) ? " selected" : "",
			    STR(c, "label") ? STR(c, "label") : STR(c, "name"));
	fputs("</select></label>", w->res.f);
	json_decref(rep);
	return PM_OK;
}

int pm_page_repair(struct pm_web *w)
{
	FILE *f = w->res.f;

	if (pm_auth_check(&w->actor, "ticket.submit", &w->err))
		return w->err.code;
	pm_web_page(w, "一键报修");
	pm_web_form(w, "/repair", 1);
	if (pm_web_unit_field(w, 0))
		return w->err.code;
	if (category_options(w)) {
		fputs("</form>\n", f);
		pm_web_page_end(w);
		return PM_OK;
	}
	/* Filled in as sent when the form comes back refused. */
	pm_html_fmt(f, "<label>问题描述<textarea name=\"text\" rows=\"4\" maxlength=\"2000\" required>%s</textarea></label>"
		       "<label>照片（可选，最多三张）<input type=\"file\" name=\"photo\" accept=\"image/jpeg,image/png,image/webp\" multiple></label>"
		       "<label>联系电话（可选）<input name=\"contact\" value=\"%s\" inputmode=\"tel\" maxlength=\"32\"></label>"
		       "<button>提交报修</button></form>\n",
		    pm_web_sent(w, "text"), pm_web_sent(w, "contact"));
	pm_web_page_end(w);
	return PM_OK;
}

static int upload_limits(struct pm_web *w, size_t *photos, size_t *bytes)
{
	json_t *web;

	if (pm_config_today(w->db, "web", &web, &w->err))
		return w->err.code;
	*photos = (size_t)NUM(json_object_get(web, "uploads"), "photos");
	*bytes = (size_t)NUM(json_object_get(web, "uploads"), "photo_kb") * 1024;
	json_decref(web);
	return PM_OK;
}

int pm_page_repair_post(struct pm_web *w)
{
	struct pm_ticket_new t = {.unit = pm_web_field(w, "unit"), .category = pm_web_field(w, "category"),
				  .text = pm_web_field(w, "text"), .contact = pm_web_field(w, "contact")};
	const struct pm_web_param *ph;
	enum pm_ticket_outcome did;
	size_t photos = 0, max = 0, n = 0;
	char path[64];
	int64_t id;

	if (upload_limits(w, &photos, &max))
		return w->err.code;
	while (pm_web_file(&w->req.params, "photo", n))
		n++;
	if (n > photos)
		return pm_web_fail(w, PM_EDATA, "最多上传 %zu 张照片。", photos);
	if (t.text && strlen(t.text) > 2000)
		return pm_web_fail(w, PM_EDATA, "问题描述太长了。");
	if (pm_db_begin(w->db, &w->err))
		return w->err.code;
	if (pm_ticket_submit(w->db, &w->actor, &t, &id, &did, &w->err))
		goto fail;
	for (size_t i = 0; (ph = pm_web_file(&w->req.params, "photo", i)); i++)
		if (pm_ticket_photo_add(w->db, &w->actor, id, ph->value, ph->len, max, &w->err))
			goto fail;
	if (pm_db_commit(w->db, &w->err))
		return w->err.code;
	snprintf(path, sizeof path, "/ticket/%lld?new=%s", (long long)id, pm_ticket_outcome_names[did]);
	pm_web_redirect(&w->res, w->req.script, path);
	return PM_OK;
fail:
	pm_db_rollback(w->db);
	return w->err.code;
}

/* ---- lists ---- */

static int ticket_row(void *ctx, json_t *t)
{
	struct pm_web *w = ctx;
	FILE *f = w->res.f;

	pm_html_fmt(f, "<tr><td><a href=\"%s/ticket/%D\">#%D</a></td><td><span class=\"status\">%s</span>%s</td>"
		       "<td>%s</td><td>%s</td><td>%s</td><td>",
		    w->req.script, NUM(t, "id"), NUM(t, "id"), pm_web_ticket_status(STR(t, "status")),
		    json_is_true(json_object_get(t, "accept_breached")) || json_is_true(json_object_get(t, "resolve_breached"))
			    ? " <span class=\"late\">超时</span>" : "",
		    category_label(w, STR(t, "category")), STR(t, "unit") ? STR(t, "unit") : STR(t, "area") ? STR(t, "area") : "",
		    STR(t, "text"));
	pm_web_time(f, STR(t, "submitted_at"));
	pm_html_fmt(f, "</td><td>%s</td></tr>\n", STR(t, "assignee") ? STR(t, "assignee") : "");
	return PM_OK;
}

static void filter_select(FILE *f, const char *name, const char *label, const char *const *values,
			  const char *current)
{
	pm_html_fmt(f, "<label>%s<select name=\"%s\"><option value=\"\">全部</option>", label, name);
	for (size_t i = 0; values[i]; i++)
		pm_html_fmt(f, "<option value=\"%s\"%s>%s</option>", values[i],
			    current && !strcmp(current, values[i]) ? " selected" : "", pm_web_ticket_status(values[i]));
	fputs("</select></label>", f);
}

int pm_page_tickets(struct pm_web *w)
{
	static const char *const statuses[] = {"submitted", "accepted", "assigned", "in_progress", "on_hold",
					       "resolved", "closed", "cancelled", "reopened", NULL};
	struct pm_ticket_filter tf = {.status = pm_web_field(w, "status"), .category = pm_web_field(w, "category"),
				      .unit = pm_web_field(w, "unit"), .assignee = pm_web_field(w, "assignee"),
				      .kind = pm_web_field(w, "kind"), .breached = pm_web_field(w, "breached") != NULL};
	FILE *f = w->res.f;
	long mark;

	pm_web_page(w, w->actor.role == PM_ROLE_OWNER ? "我的报修" : "工单");
	if (w->actor.role != PM_ROLE_OWNER) {
		fputs("<form method=\"get\" class=\"filters\">", f);
		filter_select(f, "status", "状态", statuses, tf.status);
		pm_html_fmt(f, "<label>房号<input name=\"unit\" value=\"%s\"></label>"
			       "<label>类别<input name=\"category\" value=\"%s\"></label>"
			       "<label>处理人<input name=\"assignee\" value=\"%s\"></label>"
			       "<label><input type=\"checkbox\" name=\"breached\" value=\"1\"%s>只看超时</label>"
			       "<button>筛选</button></form>\n",
			    tf.unit ? tf.unit : "", tf.category ? tf.category : "", tf.assignee ? tf.assignee : "",
			    tf.breached ? " checked" : "");
	}
	tf.as_of = pm_now();
	fputs("<table>\n<thead><tr><th>单号</th><th>状态</th><th>类别</th><th>位置</th><th>内容</th><th>提交时间</th>"
	      "<th>处理人</th></tr></thead>\n<tbody>\n", f);
	mark = pm_web_mark(w);
	if (pm_ticket_each(w->db, &w->actor, &tf, ticket_row, w, &w->err))
		return w->err.code;
	pm_web_none(w, mark, 7, w->actor.role == PM_ROLE_OWNER ? "还没有报修" : "没有符合条件的工单");
	fputs("</tbody>\n</table>\n", f);
	pm_web_page_end(w);
	return PM_OK;
}

/* ---- one ticket ---- */

static int event_row(void *ctx, json_t *ev)
{
	static const char *const names[][2] = {
		{"submit", "提交"}, {"repeat", "再次反映"}, {"accept", "接单"}, {"assign", "派工给"}, {"start", "开始维修"},
		{"hold", "暂停"}, {"resolve", "完成"}, {"close", "关闭"}, {"cancel", "取消"}, {"reopen", "重新打开"},
		{"comment", "留言"}, {"rate", "评价"},
	};
	struct pm_web *w = ctx;
	const char *a = STR(ev, "action");

	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (!strcmp(names[i][0], a))
			a = names[i][1];
	fputs("<li><span class=\"muted\">", w->res.f);
	pm_web_time(w->res.f, STR(ev, "ts"));
	pm_html_fmt(w->res.f, "</span> %s · %s", STR(ev, "actor"), a);
	if (STR(ev, "note"))
		pm_html_fmt(w->res.f, "：%s", STR(ev, "note"));
	fputs("</li>\n", w->res.f);
	return PM_OK;
}

static int photo_item(void *ctx, json_t *p)
{
	struct pm_web *w = ctx;

	pm_html_fmt(w->res.f, "<a href=\"%s/photo/%D\"><img class=\"photo\" src=\"%s/photo/%D\" alt=\"照片 %D\"></a>\n",
		    w->req.script, NUM(p, "id"), w->req.script, NUM(p, "id"), NUM(p, "id"));
	return PM_OK;
}

/* The assign form's choice of technicians, the one sent chosen when the
 * form comes back refused. */
struct technicians {
	struct pm_web *w;
	const char *chosen;
};

static int technician_option(void *ctx, const struct pm_user_row *u)
{
	struct technicians *t = ctx;

	if (!u->disabled && !strcmp(u->role, "technician"))
		pm_html_fmt(t->w->res.f, "<option value=\"%s\"%s>%s</option>", u->login,
			    strcmp(u->login, t->chosen) ? "" : " selected", u->login);
	return PM_OK;
}

/* A step's form if the state machine and the actor's role allow it. */
static int step_allowed(struct pm_web *w, json_t *t, enum pm_ticket_action act)
{
	enum pm_ticket_status st;

	if (pm_ticket_status_parse(STR(t, "status"), &st, NULL) || pm_ticket_next(st, act) < 0 ||
	    !pm_auth_allowed(w->actor.role, pm_ticket_action_permission(act)))
		return 0;
	/* Technicians work only what is assigned to them. */
	return w->actor.role != PM_ROLE_TECHNICIAN || !strcmp(pm_ticket_action_permission(act), "ticket.dispatch") ||
	       (STR(t, "assignee") && !strcmp(STR(t, "assignee"), w->actor.login));
}

/* A text field of a step's form: its label, name and attributes (markup
 * of this file's own, never text from outside). */
struct step_field {
	const char *label, *name, *attrs;
};

/* A step's form, its fields (ended by one without a label) filled in as
 * sent when it is the form that came back refused; kept, when not NULL,
 * the first field's value. */
static void step_form(struct pm_web *w, int64_t id, const char *step, const struct step_field *fields,
		      const char *button, const char *kept)
{
	char path[64];

	snprintf(path, sizeof path, "/ticket/%lld/%s", (long long)id, step);
	pm_web_form(w, path, 0);
	for (const struct step_field *fl = fields; fl && fl->label; fl++) {
		pm_html_fmt(w->res.f, "<label>%s<input name=\"%s\" value=\"%s\"", fl->label, fl->name,
			    fl == fields && kept ? kept : pm_web_sent_to(w, path, fl->name));
		fputs(fl->attrs, w->res.f);
		fputs("></label>", w->res.f);
	}
	pm_html_fmt(w->res.f, "<button>%s</button></form>\n", button);
}

/* A note's field: required, and no longer than the library takes. */
#define NOTE_ATTRS " required maxlength=\"" PM_TICKET_NOTE_MAX_S "\""

/* Whether a ticket waits for its rating: done, and not rated yet. */
static int rate_allowed(json_t *t)
{
	return (!strcmp(STR(t, "status"), "resolved") || !strcmp(STR(t, "status"), "closed")) &&
	       json_is_null(json_object_get(t, "stars"));
}

/* The owner's rating of a done ticket: stars and a comment. */
static void rate_form(struct pm_web *w, int64_t id)
{
	static const char *const stars[] = {"5 非常满意", "4 满意", "3 一般", "2 不满意", "1 很不满意"};
	const char *sent;
	char path[64];

	snprintf(path, sizeof path, "/ticket/%lld/rate", (long long)id);
	sent = pm_web_sent_here(w, path) ? pm_web_sent(w, "stars") : "5";
	pm_web_form(w, path, 0);
	fputs("<fieldset class=\"stars\"><legend>满意度</legend>", w->res.f);
	for (size_t i = 0; i < sizeof stars / sizeof *stars; i++)
		pm_html_fmt(w->res.f, "<label><input type=\"radio\" name=\"stars\" value=\"%d\"%s>%s</label>", (int)(5 - i),
			    sent[0] == (char)('5' - i) && !sent[1] ? " checked" : "", stars[i]);
	pm_html_fmt(w->res.f, "</fieldset><label>评价（可选）<input name=\"comment\" value=\"%s\" maxlength=\"" PM_TICKET_NOTE_MAX_S "\"></label>"
			      "<button>提交评价</button></form>\n", pm_web_sent_to(w, path, "comment"));
}

/* The steps in the order of enum pm_ticket_action, as their paths name
 * them. */
static const char *const steps[] = {"accept", "assign", "start", "hold", "resolve", "close", "cancel", "reopen"};

/* What was typed into a form of this ticket that came back refused and
 * that the page no longer shows (another phone rated or reopened the
 * ticket, or moved it on, first): the comment form takes it, so nothing
 * typed is lost (pm_web_again). NULL when there is none. */
static const char *kept_text(struct pm_web *w, json_t *t, int64_t id)
{
	char path[64];
	const char *step;
	size_t n, i = 0;

	n = (size_t)snprintf(path, sizeof path, "/ticket/%lld/", (long long)id);
	if (!pm_web_sent_here(w, w->req.path) || strncmp(w->req.path, path, n))
		return NULL;
	step = w->req.path + n;
	if (!strcmp(step, "rate"))
		return w->actor.role == PM_ROLE_OWNER && rate_allowed(t) ? NULL : pm_web_field(w, "comment");
	while (i < sizeof steps / sizeof *steps && strcmp(step, steps[i]))
		i++;
	if (i == sizeof steps / sizeof *steps || step_allowed(w, t, (enum pm_ticket_action)i))
		return NULL;
	return pm_web_field(w, "note");
}

static int actions(struct pm_web *w, json_t *t, int64_t id)
{
	static const struct step_field resolve[] = {
		{"处理说明", "note", NOTE_ATTRS},
		{"收费（元，可不填）", "cost", " inputmode=\"decimal\""},
		{"更换配件", "parts", ""},
		{NULL, NULL, NULL},
	};
	static const struct step_field hold[] = {{"暂停原因", "note", NOTE_ATTRS}, {NULL, NULL, NULL}};
	static const struct step_field reopen[] = {{"为什么还没好", "note", NOTE_ATTRS}, {NULL, NULL, NULL}};
	static const struct step_field cancel[] = {{"取消原因", "note", NOTE_ATTRS}, {NULL, NULL, NULL}};
	static const struct step_field comment[] = {{"留言", "note", NOTE_ATTRS}, {NULL, NULL, NULL}};
	FILE *f = w->res.f;

	fputs("<section class=\"steps\">\n", f);
	if (step_allowed(w, t, PM_TICKET_ACCEPT))
		step_form(w, id, "accept", NULL, "接单", NULL);
	if (step_allowed(w, t, PM_TICKET_ASSIGN)) {
		char path[64];
		snprintf(path, sizeof path, "/ticket/%lld/assign", (long long)id);
		pm_web_form(w, path, 0);
		fputs("<label>派给<select name=\"to\" required>", f);
		if (pm_user_each(w->db, technician_option, &(struct technicians){w, pm_web_sent_to(w, path, "to")}, &w->err))
			return w->err.code;
		fputs("</select></label><button>派工</button></form>\n", f);
	}
	if (step_allowed(w, t, PM_TICKET_START))
		step_form(w, id, "start", NULL, "开始维修", NULL);
	if (step_allowed(w, t, PM_TICKET_RESOLVE))
		step_form(w, id, "resolve", resolve, "维修完成", NULL);
	if (step_allowed(w, t, PM_TICKET_HOLD))
		step_form(w, id, "hold", hold, "暂停", NULL);
	if (step_allowed(w, t, PM_TICKET_CLOSE))
		step_form(w, id, "close", NULL, "关闭", NULL);
	if (w->actor.role == PM_ROLE_OWNER && rate_allowed(t))
		rate_form(w, id);
	if (step_allowed(w, t, PM_TICKET_REOPEN))
		step_form(w, id, "reopen", reopen, "问题没解决，重新打开", NULL);
	if (step_allowed(w, t, PM_TICKET_CANCEL))
		step_form(w, id, "cancel", cancel, "取消工单", NULL);
	if (pm_auth_allowed(w->actor.role, "ticket.comment"))
		step_form(w, id, "comment", comment, "留言", kept_text(w, t, id));
	fputs("</section>\n", f);
	return PM_OK;
}

int pm_page_ticket(struct pm_web *w)
{
	const char *fresh = pm_web_param(w, "new");
	char title[64];
	FILE *f = w->res.f;
	int64_t id;
	json_t *t;

	if (pm_web_arg_id(w, 0, &id) || pm_ticket_get(w->db, &w->actor, id, &t, &w->err))
		return w->err.code == PM_EDATA ? pm_web_fail(w, PM_ENOINPUT, "%s", w->err.msg) : w->err.code;
	snprintf(title, sizeof title, "工单 #%lld", (long long)id);
	pm_web_page(w, title);
	if (fresh && !strcmp(fresh, "created"))
		pm_html_note(f, "ok", "已收到您的报修，我们会尽快处理。可随时在本页查看进度。");
	else if (fresh && !strcmp(fresh, "repeated"))
		pm_html_note(f, "warn", "这个问题您已经报修过，工单仍在处理中；您的再次反映已记录在这张工单上。");
	pm_html_fmt(f, "<p class=\"big\"><span class=\"status\">%s</span></p>\n<p>%s · %s</p>\n<p>%s</p>\n",
		    pm_web_ticket_status(STR(t, "status")), category_label(w, STR(t, "category")),
		    STR(t, "unit") ? STR(t, "unit") : STR(t, "area") ? STR(t, "area") : "", STR(t, "text"));
	if (STR(t, "assignee"))
		pm_html_fmt(f, "<p>处理人：%s</p>\n", STR(t, "assignee"));
	if (NUM(t, "repeats"))
		pm_html_fmt(f, "<p class=\"muted\">已反映 %D 次</p>\n", NUM(t, "repeats") + 1);
	if (!json_is_null(json_object_get(t, "stars")))
		pm_html_fmt(f, "<p>评价：%D 星 %s</p>\n", NUM(t, "stars"), STR(t, "rating_comment") ? STR(t, "rating_comment") : "");
	fputs("<div class=\"photos\">\n", f);
	if (pm_ticket_photo_each(w->db, &w->actor, id, photo_item, w, &w->err))
		goto fail;
	fputs("</div>\n<h2>进度</h2>\n<ol class=\"timeline\">\n", f);
	if (pm_ticket_timeline(w->db, id, event_row, w, &w->err))
		goto fail;
	fputs("</ol>\n", f);
	if (actions(w, t, id))
		goto fail;
	json_decref(t);
	pm_web_page_end(w);
	return PM_OK;
fail:
	json_decref(t);
	return w->err.code;
}

/* The owner's rating, which is no step of the state machine. */
#define RATE PM_TICKET_ACTION_COUNT

/* A step (or RATE) the ticket no longer allows, as another hand did it
 * first on another phone or desk, is refused in the page's words, not
 * the state machine's. */
static int step_moot(struct pm_web *w, int64_t id, enum pm_ticket_action act)
{
	enum pm_ticket_status st;
	int moot, rate = act == RATE;
	const char *kept;
	json_t *t;

	if (pm_ticket_get(w->db, &w->actor, id, &t, &w->err))
		return w->err.code;
	moot = rate ? !rate_allowed(t)
		    : pm_ticket_status_parse(STR(t, "status"), &st, NULL) == PM_OK && pm_ticket_next(st, act) < 0;
	/* What was typed waits in the comment form below (kept_text). */
	kept = pm_web_field(w, rate ? "comment" : "note") && pm_auth_allowed(w->actor.role, "ticket.comment")
		       ? "您填写的内容已保留在下面的留言框中，可以作为留言发送。"
		       : "";
	if (moot && rate && !json_is_null(json_object_get(t, "stars")))
		pm_web_fail(w, PM_EFAIL, "这张工单已经评价过了（%lld 星）。%s", NUM(t, "stars"), kept);
	else if (moot)
		pm_web_fail(w, PM_EFAIL, "这张工单现在是“%s”，这一步已不能办理，请看下面的最新进度。%s",
			    pm_web_ticket_status(STR(t, "status")), kept);
	json_decref(t);
	return moot ? PM_EFAIL : PM_OK;
}

int pm_page_ticket_step(struct pm_web *w)
{
	struct pm_ticket_step s = {.to = pm_web_field(w, "to"), .note = pm_web_field(w, "note"),
				   .cost_fen = PM_TICKET_NO_COST, .parts = pm_web_field(w, "parts")};
	char path[48];
	int64_t id;
	size_t i = 0;
	int rc;

	if (pm_web_arg_id(w, 0, &id) || pm_web_money(w, "cost", "收费", &s.cost_fen))
		return w->err.code;
	if (!strcmp(w->arg[1], "comment")) {
		rc = pm_ticket_comment(w->db, &w->actor, id, s.note, &w->err);
	} else {
		while (i < sizeof steps / sizeof *steps && strcmp(w->arg[1], steps[i]))
			i++;
		if (i == sizeof steps / sizeof *steps)
			return pm_web_fail(w, PM_ENOINPUT, "%s", _("no such page"));
		if (step_moot(w, id, (enum pm_ticket_action)i))
			return w->err.code;
		rc = pm_ticket_do(w->db, &w->actor, id, (enum pm_ticket_action)i, &s, &w->err);
	}
	if (rc)
		return rc;
	snprintf(path, sizeof path, "/ticket/%lld", (long long)id);
	pm_web_redirect(&w->res, w->req.script, path);
	return PM_OK;
}

int pm_page_ticket_rate(struct pm_web *w)
{
	const char *stars = pm_web_param(w, "stars");
	char path[48];
	int64_t id;

	if (pm_web_arg_id(w, 0, &id))
		return w->err.code;
	if (!stars || strlen(stars) != 1 || *stars < '1' || *stars > '5')
		return pm_web_fail(w, PM_EDATA, "请选择 1 到 5 星。");
	if (step_moot(w, id, RATE))
		return w->err.code;
	if (pm_ticket_rate(w->db, &w->actor, id, *stars - '0', pm_web_field(w, "comment"), &w->err))
		return w->err.code;
	snprintf(path, sizeof path, "/ticket/%lld", (long long)id);
	pm_web_redirect(&w->res, w->req.script, path);
	return PM_OK;
}

int pm_page_photo(struct pm_web *w)
{
	char type[16], *data;
	size_t len;
	int64_t id;

	if (pm_web_arg_id(w, 0, &id) || pm_ticket_photo_read(w->db, &w->actor, id, &data, &len, type, &w->err))
		return w->err.code;
	fwrite(data, 1, len, w->res.f);
	free(data);
	w->res.type = strcmp(type, "image/png") == 0 ? "image/png" : strcmp(type, "image/webp") == 0 ? "image/webp"
												  : "image/jpeg";
	return PM_OK;
}

/* ---- the day's work ---- */

static int open_inspection(void *ctx, json_t *t)
{
	const char *st = STR(t, "status");

	if (!strcmp(st, "resolved") || !strcmp(st, "closed") || !strcmp(st, "cancelled"))
		return PM_OK;
	return ticket_row(ctx, t);
}

static int patrol_row(void *ctx, json_t *p)
{
	static const char *const names[][2] = {
		{"on_time", "准时"}, {"early", "提前"}, {"late", "迟到"}, {"missed", "漏检"}, {"due", "待巡"},
	};
	struct pm_web *w = ctx;
	const char *st = STR(p, "status");

	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (!strcmp(names[i][0], st))
			st = names[i][1];
	pm_html_fmt(w->res.f, "<tr><td>%s</td><td>", STR(p, "route"));
	pm_web_time(w->res.f, STR(p, "run"));
	pm_html_fmt(w->res.f, "</td><td>%s %s</td><td>", STR(p, "point"), STR(p, "name") ? STR(p, "name") : "");
	pm_web_time(w->res.f, STR(p, "expected"));
	pm_html_fmt(w->res.f, "</td><td>%s</td><td>%s</td></tr>\n", st, STR(p, "by") ? STR(p, "by") : "");
	return PM_OK;
}

int pm_page_today(struct pm_web *w)
{
	struct pm_ticket_filter tf = {.kind = "inspection"};
	FILE *f = w->res.f;
	long mark;

	if (!pm_auth_allowed(w->actor.role, "ticket.work") && pm_auth_check(&w->actor, "patrol.read", &w->err))
		return w->err.code;
	pm_web_page(w, "今日任务");
	if (w->actor.role == PM_ROLE_TECHNICIAN)
		tf.assignee = w->actor.login;
	fputs("<h2>巡检工单</h2>\n<table>\n<thead><tr><th>单号</th><th>状态</th><th>类别</th><th>位置</th><th>内容</th>"
	      "<th>提交时间</th><th>处理人</th></tr></thead>\n<tbody>\n", f);
	mark = pm_web_mark(w);
	if (pm_ticket_each(w->db, &w->actor, &tf, open_inspection, w, &w->err))
		return w->err.code;
	pm_web_none(w, mark, 7, "没有待处理的巡检工单");
	fputs("</tbody>\n</table>\n", f);
	if (pm_auth_allowed(w->actor.role, "patrol.read")) {
		fputs("<h2>巡逻打卡</h2>\n<table>\n<thead><tr><th>路线</th><th>班次</th><th>点位</th><th>应到</th>"
		      "<th>状态</th><th>打卡人</th></tr></thead>\n<tbody>\n", f);
		mark = pm_web_mark(w);
		if (pm_patrol_report(w->db, pm_date_of(pm_now(), pm_db_tz(w->db)), patrol_row, w, &w->err))
			return w->err.code;
		pm_web_none(w, mark, 6, "今天没有巡逻班次");
		fputs("</tbody>\n</table>\n", f);
	}
	pm_web_page_end(w);
	return PM_OK;
}
