/* web-ask: the help desk's chat box on the web page, a plain form that
 * works without JavaScript: a question, its answer from the FAQ or the
 * asker's own account (pm_asker_ask, the same as pm-ask), and the next
 * question. */
#include <string.h>

#include "pm/ask.h"
#include "pm/community.h"
#include "web-internal.h"

#define STR(o, k) json_string_value(json_object_get(o, k))

static int count_unit(void *ctx, json_t *unit)
{
	(*(int *)ctx)++;
	return PM_OK;
}

/* An owner of more than one unit says which the question is about, as
 * pm-ask --unit does: their account's facts are a unit's. */
static void ask_form(struct pm_web *w)
{
	struct pm_err e = {0};
	int units = 0;

	pm_web_form(w, "/ask", 0);
	if (w->actor.role == PM_ROLE_OWNER && pm_unit_each_mine(w->db, &w->actor, count_unit, &units, &e) == PM_OK &&
	    units > 1)
		pm_web_unit_field(w, 1);
	/* A question refused comes back as it was typed; one answered is
	 * above, and the box is empty for the next. */
	pm_html_fmt(w->res.f, "<label>您的问题<input name=\"q\" value=\"%s\" maxlength=\"200\" required autofocus"
			      " placeholder=\"例如：物业费怎么算？我家还欠多少物业费？\"></label>"
			      "<button>提问</button></form>\n"
			      "<p class=\"muted\">答不上的问题和“转人工”会转给物业服务中心。</p>\n",
		    pm_web_sent_to(w, "/ask", "q"));
}

int pm_page_ask(struct pm_web *w)
{
	if (pm_auth_check(&w->actor, "ask", &w->err))
		return w->err.code;
	pm_web_page(w, "智能客服");
	ask_form(w);
	pm_web_page_end(w);
	return PM_OK;
}

static void answer_show(struct pm_web *w, json_t *r)
{
	FILE *f = w->res.f;
	json_t *o;
	size_t i;

	pm_html_fmt(f, "<div class=\"answer\"><p class=\"question\">问：%s</p>\n<p>%s</p>\n", STR(r, "question"),
		    STR(r, "answer"));
	/* The entry by its question: its id is the office's, in Latin. */
	if (STR(r, "title"))
		pm_html_fmt(f, "<p class=\"muted\">参考问题：%s（匹配度 %s）</p>\n", STR(r, "title"), STR(r, "score"));
	if (json_is_integer(json_object_get(r, "ticket")))
		pm_html_fmt(f, "<p>已转给物业服务中心：<a href=\"%s/ticket/%D\">工单 #%D</a></p>\n", w->req.script,
			    (long long)json_integer_value(json_object_get(r, "ticket")),
			    (long long)json_integer_value(json_object_get(r, "ticket")));
	if (json_array_size(json_object_get(r, "others"))) {
		fputs("<p class=\"muted\">您是不是想问：</p><ul>\n", f);
		json_array_foreach(json_object_get(r, "others"), i, o)
			pm_html_fmt(f, "<li>%s</li>\n", STR(o, "question"));
		fputs("</ul>\n", f);
	}
	fputs("</div>\n", f);
}

int pm_page_ask_post(struct pm_web *w)
{
	const char *q = pm_web_field(w, "q");
	struct pm_ask_how how = {pm_web_field(w, "unit"), 1, 0};
	struct pm_asker *k = NULL;
	json_t *r = NULL;

	if (pm_auth_check(&w->actor, "ask", &w->err))
		return w->err.code;
	if (!q || strlen(q) > 600)
		return pm_web_fail(w, PM_EDATA, "问题请写 1 到 200 个字。");
	if (pm_asker_open(w->db, &k, &w->err) || pm_asker_ask(k, &w->actor, &how, q, &r, &w->err)) {
		pm_asker_free(k);
		/* No FAQ loaded is the office's to fix, not the asker's: the
		 * log says what to do, the page where to turn meanwhile. */
		if (w->err.code != PM_ECONFIG)
			return w->err.code;
		pm_web_log(w, "%s %s: %s", w->req.method, w->req.path, w->err.msg);
		return pm_web_fail(w, PM_EUNAVAIL, "智能客服尚未开通，请直接联系物业服务中心，或在“报修”中留言。");
	}
	pm_asker_free(k);
	pm_web_page(w, "智能客服");
	answer_show(w, r);
	json_decref(r);
	ask_form(w);
	pm_web_page_end(w);
	return PM_OK;
}
