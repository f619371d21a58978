/* web-govern: owners' votes on the web. The list of votes, a vote with
 * its count (the same report pm-govern tally prints), and for an owner a
 * ballot form for each unit they own; the ballot goes through
 * pm_ballot_cast, which decides who may vote for which unit. */
#include <string.h>

#include "pm/community.h"
#include "pm/db.h"
#include "pm/render.h"
#include "pm/vote.h"
#include "web-internal.h"

#define STR(o, k) json_string_value(json_object_get(o, k))
#define NUM(o, k) ((long long)json_integer_value(json_object_get(o, k)))

static const char *const choices[][2] = {{"yes", "同意"}, {"no", "反对"}, {"abstain", "弃权"}};

static const char *choice_label(const char *c)
{
	for (size_t i = 0; c && i < sizeof choices / sizeof *choices; i++)
		if (strcmp(choices[i][0], c) == 0)
			return choices[i][1];
	return "";
}

static const char *status_label(const char *s)
{
	return strcmp(s, "open") == 0 ? "进行中" : strcmp(s, "pending") == 0 ? "未开始" : "已结束";
}

static int vote_item(void *ctx, json_t *v)
{
	struct pm_web *w = ctx;

	pm_html_fmt(w->res.f, "<li><a href=\"%s/vote/%D\">%s</a> <span class=\"muted\">%s</span></li>\n", w->req.script,
		    NUM(v, "id"), STR(v, "title"), status_label(STR(v, "status")));
	return PM_OK;
}

int pm_page_votes(struct pm_web *w)
{
	if (pm_auth_check(&w->actor, "govern.read", &w->err))
		return w->err.code;
	pm_web_page(w, "业主表决");
	fputs("<ul class=\"votes\">\n", w->res.f);
	if (pm_vote_each(w->db, vote_item, w, &w->err))
		return w->err.code;
	fputs("</ul>\n", w->res.f);
	pm_web_page_end(w);
	return PM_OK;
}

/* What a ballot form needs: the vote, and whether it takes ballots. */
struct vote_page {
	struct pm_web *w;
	json_t *vote;
	int open;
};

/* One of the owner's units: its ballot, and while the vote is open a
 * form to cast or change it. */
static int unit_ballot(void *ctx, json_t *unit)
{
	struct vote_page *p = ctx;
	struct pm_web *w = p->w;
	const char *code = STR(unit, "code");
	char path[64];
	json_t *b;

	if (!STR(unit, "role") || strcmp(STR(unit, "role"), "owner"))
		return PM_OK;
	if (pm_ballot_get(w->db, NUM(p->vote, "id"), code, &b, &w->err))
		return w->err.code;
	pm_html_fmt(w->res.f, "<fieldset class=\"ballot\"><legend>%s</legend><p>", code);
	if (b)
		pm_html_fmt(w->res.f, "已投票：<b>%s</b>%s", choice_label(STR(b, "choice")),
			    STR(b, "paper") ? "（纸质表决票）" : "");
	else
		fputs("尚未投票", w->res.f);
	fputs("</p>\n", w->res.f);
	if (p->open) {
		snprintf(path, sizeof path, "/vote/%lld/ballot", NUM(p->vote, "id"));
		pm_web_form(w, path, 0);
		pm_html_fmt(w->res.f, "<input type=\"hidden\" name=\"unit\" value=\"%s\">", code);
		for (size_t i = 0; i < sizeof choices / sizeof *choices; i++)
			pm_html_fmt(w->res.f, "<label class=\"check\"><input type=\"radio\" name=\"choice\" value=\"%s\"%s>%s</label>",
				    choices[i][0], b && strcmp(STR(b, "choice"), choices[i][0]) == 0 ? " checked" : "",
				    choices[i][1]);
		fputs(b ? "<button>改投</button></form>\n" : "<button>投票</button></form>\n", w->res.f);
	}
	fputs("</fieldset>\n", w->res.f);
	json_decref(b);
	return PM_OK;
}

static int vote_body(struct pm_web *w, json_t *v)
{
	struct vote_page p = {w, v, strcmp(STR(v, "status"), "open") == 0};
	struct pm_report *r;
	FILE *f = w->res.f;

	pm_html_fmt(f, "<p class=\"muted\">%s · ", status_label(STR(v, "status")));
	pm_web_time(f, STR(v, "opens"));
	fputs(" 至 ", f);
	pm_web_time(f, STR(v, "closes"));
	pm_html_fmt(f, "%s%s</p>\n", STR(v, "building") ? " · 范围：" : "", STR(v, "building") ? STR(v, "building") : "");
	if (pm_web_param(w, "saved"))
		pm_html_note(f, "ok", "表决票已保存。");
	if (w->actor.role == PM_ROLE_OWNER && pm_unit_each_mine(w->db, &w->actor, unit_ballot, &p, &w->err))
		return w->err.code;
	if (pm_vote_tally(w->db, NUM(v, "id"), &r, NULL, &w->err))
		return w->err.code;
	fputs("<h2>计票（按专有部分面积和业主人数）</h2>\n<div class=\"report\">\n", f);
	pm_render_html_sections(r, NULL, f);
	fputs("</div>\n", f);
	pm_report_free(r);
	return PM_OK;
}

int pm_page_vote(struct pm_web *w)
{
	int64_t id;
	json_t *v;
	int rc;

	if (pm_auth_check(&w->actor, "govern.read", &w->err) || pm_web_arg_id(w, 0, &id) ||
	    pm_vote_get(w->db, id, &v, &w->err))
		return w->err.code;
	pm_web_page(w, STR(v, "title"));
	rc = vote_body(w, v);
	json_decref(v);
	if (rc == PM_OK)
		pm_web_page_end(w);
	return rc;
}

int pm_page_vote_ballot(struct pm_web *w)
{
	struct pm_ballot b = {.unit = pm_web_field(w, "unit")};
	const char *choice = pm_web_field(w, "choice");
	char path[64];
	json_t *rec;

	if (pm_web_arg_id(w, 0, &b.vote))
		return w->err.code;
	if (!b.unit || !choice || pm_choice_parse(choice, &b.choice, NULL))
		return pm_web_fail(w, PM_EDATA, "请选择同意、反对或弃权。");
	if (pm_ballot_cast(w->db, &w->actor, &b, &rec, &w->err))
		return w->err.code == PM_EUSAGE ? (w->err.code = PM_ENOPERM) : w->err.code;
	json_decref(rec);
	snprintf(path, sizeof path, "/vote/%lld?saved=1", (long long)b.vote);
	pm_web_redirect(&w->res, w->req.script, path);
	return PM_OK;
}
