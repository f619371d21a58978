/* web-renov: the owner's renovation application (装修申请) and the list
 * of renovations the actor may see, with where each stands and what its
 * deposit did. The rules are lib/renovation.c's. */
#include <stdio.h>
#include <string.h>

#include "pm/renovation.h"
#include "pm/timeutil.h"
#include "web-internal.h"

#define STR(o, k) json_string_value(json_object_get(o, k))
#define NUM(o, k) ((long long)json_integer_value(json_object_get(o, k)))

static const char *status_zh(const char *s)
{
	static const char *const names[][2] = {
		{"applied", "待审批"}, {"approved", "已批准"}, {"rejected", "已驳回"},
		{"started", "施工中"}, {"completed", "已完工"},
	};

	for (size_t i = 0; s && i < sizeof names / sizeof *names; i++)
		if (strcmp(names[i][0], s) == 0)
			return names[i][1];
	return s ? s : "";
}

static int renovation_row(void *ctx, json_t *r)
{
	struct pm_web *w = ctx;

	pm_html_fmt(w->res.f, "<tr><td>#%D</td><td>%s</td><td><span class=\"status\">%s</span></td><td>%s 至 %s</td>"
			      "<td>%s</td><td>%s</td><td>%M</td><td>%M</td><td>",
		    NUM(r, "renovation"), STR(r, "unit"), status_zh(STR(r, "status")), STR(r, "from"), STR(r, "to"),
		    STR(r, "contractor"), STR(r, "scope"), NUM(r, "deposit_fen"), NUM(r, "forfeit_fen"));
	if (json_is_integer(json_object_get(r, "refund_fen")))
		pm_html_fmt(w->res.f, "%M", NUM(r, "refund_fen"));
	fputs("</td></tr>\n", w->res.f);
	return PM_OK;
}

static int apply_form(struct pm_web *w)
{
	pm_web_form(w, "/renovations", 0);
	if (pm_web_unit_field(w, 1))
		return w->err.code;
	/* Filled in as sent when the form comes back refused. */
	pm_html_fmt(w->res.f, "<label>开工日期<input type=\"date\" name=\"from\" value=\"%s\" required></label>"
			      "<label>完工日期<input type=\"date\" name=\"to\" value=\"%s\" required></label>"
			      "<label>施工单位及电话<input name=\"contractor\" value=\"%s\" maxlength=\"200\" required></label>"
			      "<label>装修内容<textarea name=\"scope\" rows=\"3\" maxlength=\"2000\" required>%s</textarea></label>"
			      "<button>提交装修申请</button></form>\n",
		    pm_web_sent(w, "from"), pm_web_sent(w, "to"), pm_web_sent(w, "contractor"), pm_web_sent(w, "scope"));
	return PM_OK;
}

int pm_page_renovations(struct pm_web *w)
{
	struct pm_renovation_filter all = {0};
	struct pm_err no;
	int64_t id;
	char note[96];
	FILE *f = w->res.f;
	long mark;

	if (pm_auth_check(&w->actor, "renovation.read", &w->err))
		return w->err.code;
	pm_web_page(w, "装修申请");
	if (pm_web_param(w, "new")) {
		if (pm_web_param_id(w, "new", &id))
			return w->err.code;
		snprintf(note, sizeof note, "装修申请 #%lld 已提交，请等待物业审批并缴纳装修押金。", (long long)id);
		pm_html_note(f, "ok", note);
	}
	if (pm_auth_check(&w->actor, "renovation.apply", &no) == PM_OK && apply_form(w))
		return w->err.code;
	/* Nine columns are wider than a phone: the table scrolls in its box,
	 * not the page. */
	fputs("<div class=\"scroll\"><table><thead><tr><th>编号</th><th>房屋</th><th>状态</th><th>工期</th><th>施工单位</th><th>内容</th>"
	      "<th>押金</th><th>已扣</th><th>已退</th></tr></thead><tbody>\n", f);
	mark = pm_web_mark(w);
	if (pm_renovation_each(w->db, &w->actor, &all, renovation_row, w, &w->err))
		return w->err.code;
	pm_web_none(w, mark, 9, "还没有装修申请");
	fputs("</tbody></table></div>\n", f);
	pm_web_page_end(w);
	return PM_OK;
}

int pm_page_renovations_post(struct pm_web *w)
{
	struct pm_renovation_new n = {.unit = pm_web_field(w, "unit"), .contractor = pm_web_field(w, "contractor"),
				      .scope = pm_web_field(w, "scope")};
	const char *from = pm_web_field(w, "from"), *to = pm_web_field(w, "to");
	char path[64];
	int64_t id;

	if (!from || !to || pm_date_parse(from, &n.from, NULL) || pm_date_parse(to, &n.to, NULL))
		return pm_web_fail(w, PM_EDATA, "请填写开工和完工日期。");
	if ((n.contractor && strlen(n.contractor) > 200) || (n.scope && strlen(n.scope) > 2000))
		return pm_web_fail(w, PM_EDATA, "施工单位或装修内容太长了。");
	if (pm_renovation_apply(w->db, &w->actor, &n, &id, &w->err))
		return w->err.code;
	snprintf(path, sizeof path, "/renovations?new=%lld", (long long)id);
	pm_web_redirect(&w->res, w->req.script, path);
	return PM_OK;
}
