/* webnotify: announcements and event sign-ups, and an owner's
 * notification preferences. */
#include <string.h>

#include "pm/announce.h"
#include "pm/community.h"
#include "pm/db.h"
#include "pm/i18n.h"
#include "pm/notify.h"
#include "web-internal.h"

#define STR(o, k) json_string_value(json_object_get(o, k))
#define NUM(o, k) ((long long)json_integer_value(json_object_get(o, k)))

static int ann_item(void *ctx, json_t *a)
{
	struct pm_web *w = ctx;

	pm_html_fmt(w->res.f, "<li%s><a href=\"%s/announcement/%D\">%s</a>",
		    json_is_true(json_object_get(a, "pinned")) ? " class=\"pinned\"" : "", w->req.script, NUM(a, "id"),
		    STR(a, "title"));
	if (json_is_integer(json_object_get(a, "capacity")))
		pm_html_fmt(w->res.f, " <span class=\"muted\">活动报名 %D/%D</span>", NUM(a, "taken"), NUM(a, "capacity"));
	fputs("</li>\n", w->res.f);
	return PM_OK;
}

int pm_page_announcements(struct pm_web *w)
{
	long mark;

	pm_web_page(w, "公告");
	fputs("<ul class=\"announcements\">\n", w->res.f);
	mark = pm_web_mark(w);
	if (pm_announce_each_for(w->db, &w->actor, 0, ann_item, w, &w->err))
		return w->err.code;
	pm_web_none(w, mark, 0, "还没有公告");
	fputs("</ul>\n", w->res.f);
	pm_web_page_end(w);
	return PM_OK;
}

static int rsvp_item(void *ctx, json_t *r)
{
	struct pm_web *w = ctx;

	pm_html_fmt(w->res.f, "<li>%s %s × %D</li>\n", STR(r, "person"), STR(r, "name") ? STR(r, "name") : "",
		    NUM(r, "count"));
	return PM_OK;
}

/* The signed-in user's person code, for their own sign-ups and
 * preferences; PM_ENOPERM for a user linked to no one. */
static int my_person(struct pm_web *w, char *code, size_t size)
{
	if (!w->actor.person_id)
		return pm_web_fail(w, PM_ENOPERM, "user '%s' is linked to no person", w->actor.login);
	return pm_person_code(w->db, w->actor.person_id, code, size, &w->err);
}

int pm_page_announcement(struct pm_web *w)
{
	int64_t id, taken, capacity;
	char path[64], person[64];
	FILE *f = w->res.f;
	json_t *a;

	if (pm_web_arg_id(w, 0, &id) || pm_announce_get_for(w->db, &w->actor, id, &a, &w->err))
		return w->err.code;
	pm_web_page(w, STR(a, "title"));
	fputs("<p class=\"muted\">", f);
	pm_web_time(f, STR(a, "created_at"));
	pm_html_fmt(f, "</p>\n<div class=\"body\">%s</div>\n", STR(a, "body"));
	if (json_is_integer(json_object_get(a, "capacity"))) {
		pm_html_fmt(f, "<p>名额 %D，已报 %D。</p>\n", NUM(a, "capacity"), NUM(a, "taken"));
		if (w->actor.person_id && my_person(w, person, sizeof person) == PM_OK &&
		    pm_rsvp_may(w->db, &w->actor, id, person, NULL) == PM_OK) {
			snprintf(path, sizeof path, "/announcement/%lld/rsvp", (long long)id);
			pm_web_form(w, path, 0);
			fputs("<label>报名人数（0 为取消）<input name=\"count\" type=\"number\" min=\"0\" max=\"20\" value=\"1\"></label>"
			      "<button>报名</button></form>\n", f);
		}
		if (pm_auth_allowed(w->actor.role, "notify.announce")) {
			fputs("<h2>报名名单</h2>\n<ul>\n", f);
			if (pm_rsvp_each(w->db, id, rsvp_item, w, &taken, &capacity, &w->err)) {
				json_decref(a);
				return w->err.code;
			}
			fputs("</ul>\n", f);
		}
	}
	json_decref(a);
	pm_web_page_end(w);
	return PM_OK;
}

int pm_page_rsvp(struct pm_web *w)
{
	const char *count = pm_web_param(w, "count");
	char person[64], path[64];
	int64_t id, n = 0;
	json_t *out, *a;

	if (pm_web_arg_id(w, 0, &id) || pm_announce_get_for(w->db, &w->actor, id, &a, &w->err))
		return w->err.code;
	json_decref(a);
	if (!count || strspn(count, "0123456789") != strlen(count) || strlen(count) > 3 || !*count)
		return pm_web_fail(w, PM_EDATA, "请填写报名人数。");
	for (const char *p = count; *p; p++)
		n = n * 10 + (*p - '0');
	if (my_person(w, person, sizeof person) || pm_rsvp_may(w->db, &w->actor, id, person, &w->err) ||
	    pm_rsvp_set(w->db, id, person, n, &out, &w->err))
		return w->err.code;
	json_decref(out);
	snprintf(path, sizeof path, "/announcement/%lld", (long long)id);
	pm_web_redirect(&w->res, w->req.script, path);
	return PM_OK;
}

static const char *const person_channels[][2] = {{"sms", "短信"}, {"email", "电子邮件"}};
static const char *const categories[][2] = {
	{"bill", "账单"}, {"payment", "缴费"}, {"repair", "报修进度"}, {"announcement", "公告"}, {"visitor", "访客"},
};

static int listed(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p && (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return 1;
	return 0;
}

static void checkboxes(FILE *f, const char *name, const char *const (*opts)[2], size_t n, const char *on)
{
	for (size_t i = 0; i < n; i++)
		pm_html_fmt(f, "<label class=\"check\"><input type=\"checkbox\" name=\"%s\" value=\"%s\"%s>%s</label>", name,
			    opts[i][0], listed(on, opts[i][0]) ? " checked" : "", opts[i][1]);
}

/* The checked values of a group of boxes as a comma list. */
static void joined(struct pm_web *w, const char *name, const char *const (*opts)[2], size_t n, char *out,
		   size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < w->req.params.n; i++) {
		const struct pm_web_param *p = &w->req.params.v[i];
		if (p->filename || strcmp(p->name, name))
			continue;
		for (size_t j = 0; j < n; j++)
			if (!strcmp(p->value, opts[j][0]) && !listed(out, opts[j][0]) && len < size)
				len += (size_t)snprintf(out + len, size - len, "%s%s", len ? "," : "", opts[j][0]);
	}
}

int pm_page_prefs(struct pm_web *w)
{
	char person[64], channels[64], optout[128];
	const char *email;
	FILE *f = w->res.f;
	json_t *p;

	if (my_person(w, person, sizeof person) || pm_notify_prefs_may(w->db, &w->actor, person, &w->err) ||
	    pm_notify_prefs_get(w->db, person, &p, &w->err))
		return w->err.code;
	pm_web_page(w, "通知设置");
	if (pm_web_param(w, "saved"))
		pm_html_note(f, "ok", "已保存。");
	/* The boxes and address as stored, or as sent when refused. */
	snprintf(channels, sizeof channels, "%s", STR(p, "channels") ? STR(p, "channels") : "");
	snprintf(optout, sizeof optout, "%s", STR(p, "optout") ? STR(p, "optout") : "");
	email = STR(p, "email") ? STR(p, "email") : "";
	if (pm_web_sent_here(w, "/prefs")) {
		joined(w, "channel", person_channels, 2, channels, sizeof channels);
		joined(w, "optout", categories, sizeof categories / sizeof *categories, optout, sizeof optout);
		email = pm_web_sent(w, "email");
	}
	pm_web_form(w, "/prefs", 0);
	fputs("<fieldset><legend>通过这些方式通知我</legend>", f);
	checkboxes(f, "channel", person_channels, 2, channels);
	fputs("</fieldset><fieldset><legend>不再接收</legend>", f);
	checkboxes(f, "optout", categories, sizeof categories / sizeof *categories, optout);
	pm_html_fmt(f, "</fieldset><p class=\"muted\">欠费催缴等法定通知照常发送。</p>"
		       "<label>电子邮件<input name=\"email\" type=\"email\" value=\"%s\"></label><button>保存</button></form>\n",
		    email);
	json_decref(p);
	pm_web_page_end(w);
	return PM_OK;
}

int pm_page_prefs_post(struct pm_web *w)
{
	char person[64], channels[64], optout[128];
	const char *email = pm_web_param(w, "email");

	joined(w, "channel", person_channels, 2, channels, sizeof channels);
	joined(w, "optout", categories, sizeof categories / sizeof *categories, optout, sizeof optout);
	if (my_person(w, person, sizeof person) || pm_notify_prefs_may(w->db, &w->actor, person, &w->err) ||
	    pm_notify_prefs_set(w->db, person, channels, optout, email ? email : "", &w->err))
		return w->err.code;
	pm_web_redirect(&w->res, w->req.script, "/prefs?saved=1");
	return PM_OK;
}
