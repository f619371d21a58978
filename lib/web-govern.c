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
	long mark;

	if (pm_auth_check(&w->actor, "govern.read", &w->err))
		return w->err.code;
	pm_web_page(w, "业主表决");
	fputs("<ul class=\"votes\">\n", w->res.f);
	mark = pm_web_mark(w);
	if (pm_vote_each(w->db, vote_item, w, &w->err))
		return w->err.code;
	pm_web_none(w, mark, 0, "还没有表决");
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

/* A ballot's choice as the owner reads it: 同意, or the options named. */
static void ballot_say(FILE *f, json_t *b)
{
	json_t *o;
	size_t i;

	if (!json_array_size(json_object_get(b, "options"))) {
		pm_html_fmt(f, "<b>%s</b>", choice_label(STR(b, "choice")));
		return;
	}
	json_array_foreach (json_object_get(b, "options"), i, o)
		pm_html_fmt(f, "%s<b>%s</b>", i ? "、" : "", json_string_value(o));
}

/* Whether ballot b chose value (yes, no, abstain or an option's name). */
static int chose(json_t *b, const char *value)
{
	json_t *o;
	size_t i;

	if (!b)
		return 0;
	if (strcmp(STR(b, "choice"), value) == 0)
		return 1;
	json_array_foreach (json_object_get(b, "options"), i, o)
		if (strcmp(json_string_value(o), value) == 0)
			return 1;
	return 0;
}

/* Whether the form sent chose value: its "choice" field comes once per
 * box checked. */
static int sent_choice(struct pm_web *w, const char *value)
{
	for (size_t i = 0; i < w->req.params.n; i++)
		if (!strcmp(w->req.params.v[i].name, "choice") && !strcmp(w->req.params.v[i].value, value))
			return 1;
	return 0;
}

/* A choice, checked as the ballot has it, or as the form sent it when
 * it comes back refused (sent). */
static void choice_input(struct pm_web *w, const char *type, const char *value, const char *label, json_t *b,
			 int sent)
{
	pm_html_fmt(w->res.f, "<label class=\"check\"><input type=\"%s\" name=\"choice\" value=\"%s\"%s>%s</label>",
		    type, value, (sent ? sent_choice(w, value) : chose(b, value)) ? " checked" : "", label);
}

/* The choices of the vote's ballot: yes, no, abstain; or its options
 * (one to click, or boxes up to its seats) and abstain. */
static void choice_inputs(struct pm_web *w, json_t *vote, json_t *b, int sent)
{
	json_t *options = json_object_get(vote, "options"), *o;
	const char *type = NUM(vote, "seats") > 1 ? "checkbox" : "radio";
	size_t i;

	if (!json_array_size(options)) {
		for (i = 0; i < sizeof choices / sizeof *choices; i++)
			choice_input(w, "radio", choices[i][0], choices[i][1], b, sent);
		return;
	}
	json_array_foreach (options, i, o)
		choice_input(w, type, json_string_value(o), json_string_value(o), b, sent);
	choice_input(w, type, "abstain", "弃权", b, sent);
}

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
	if (b) {
		fputs("已投票：", w->res.f);
		ballot_say(w->res.f, b);
		fputs(STR(b, "paper") ? "（纸质表决票）" : "", w->res.f);
	} else {
		fputs("尚未投票", w->res.f);
	}
	fputs("</p>\n", w->res.f);
	if (p->open) {
		snprintf(path, sizeof path, "/vote/%lld/ballot", NUM(p->vote, "id"));
		pm_web_form(w, path, 0);
		pm_html_fmt(w->res.f, "<input type=\"hidden\" name=\"unit\" value=\"%s\">", code);
		/* Each unit has a form: the one sent is this unit's. */
		choice_inputs(w, p->vote, b, pm_web_sent_here(w, path) && !strcmp(pm_web_sent(w, "unit"), code));
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
	if (json_array_size(json_object_get(v, "options")) && NUM(v, "seats") > 1)
		pm_html_fmt(f, "<p>应选 %D 项：每张表决票最多选 %D 项。</p>\n", NUM(v, "seats"), NUM(v, "seats"));
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

/* A yes/no vote's ballot is one of its three words, or a bad form
 * (400): pm_ballot_cast would take another for a mistake of usage. */
static int yes_or_no(struct pm_web *w, const struct pm_ballot *b)
{
	enum pm_choice c;
	json_t *v;
	int options;

	if (pm_vote_get(w->db, b->vote, &v, &w->err))
		return w->err.code;
	options = json_array_size(json_object_get(v, "options")) > 0;
	json_decref(v);
	if (!options && (b->nchoices != 1 || pm_choice_parse(b->choices[0], &c, NULL)))
		return pm_web_fail(w, PM_EDATA, "请选择同意、反对或弃权。");
	return PM_OK;
}

int pm_page_vote_ballot(struct pm_web *w)
{
	struct pm_ballot b = {.unit = pm_web_field(w, "unit")};
	const char *named[PM_VOTE_OPTIONS_MAX];
	char path[64];
	json_t *rec;

	if (pm_web_arg_id(w, 0, &b.vote))
		return w->err.code;
	/* A box for each option checked: the field comes once per box. */
	for (size_t i = 0; i < w->req.params.n; i++)
		if (strcmp(w->req.params.v[i].name, "choice") == 0 && b.nchoices < PM_VOTE_OPTIONS_MAX)
			named[b.nchoices++] = w->req.params.v[i].value;
	b.choices = named;
	if (!b.unit || !b.nchoices)
		return pm_web_fail(w, PM_EDATA, "请选择后再投票。");
	if (yes_or_no(w, &b))
		return w->err.code;
	if (pm_ballot_cast(w->db, &w->actor, &b, &rec, &w->err))
		return w->err.code == PM_EUSAGE ? (w->err.code = PM_ENOPERM) : w->err.code;
	json_decref(rec);
	snprintf(path, sizeof path, "/vote/%lld?saved=1", (long long)b.vote);
	pm_web_redirect(&w->res, w->req.script, path);
	return PM_OK;
}
