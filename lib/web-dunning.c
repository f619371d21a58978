/* web-dunning: the desk's arrears-chasing page (催缴): each unit with
 * bills past due, its stage, last contact and promise, a form to log a
 * contact, and the demand letter. The rules are lib/dunning.c's. */
#include <string.h>

#include "pm/db.h"
#include "pm/dunning.h"
#include "pm/i18n.h"
#include "pm/notice.h"
#include "pm/timeutil.h"
#include "web-internal.h"

#define STR(o, k) json_string_value(json_object_get(o, k))

static const char *const means_zh[] = {"电话", "上门", "信函"};
static const char *const results_zh[] = {"承诺缴费", "拒绝缴费", "联系不上"};

/* A word of pm_contact_means or _results in Chinese; "—" for none. */
static const char *zh(const char *word, const char *const *words, const char *const *names)
{
	for (size_t i = 0; word && words[i]; i++)
		if (strcmp(word, words[i]) == 0)
			return names[i];
	return "—";
}

static void options(FILE *f, const char *const *words, const char *const *names)
{
	for (size_t i = 0; words[i]; i++)
		pm_html_fmt(f, "<option value=\"%s\">%s</option>", words[i], names[i]);
}

struct list {
	struct pm_web *w;
	long n;
};

static int row(void *ctx, json_t *u)
{
	struct list *l = ctx;
	struct pm_web *w = l->w;
	FILE *f = w->res.f;
	char path[96];

	l->n++;
	pm_html_fmt(f, "<tr><td><a href=\"%s/unit/%u/statement\">%s</a></td><td class=\"n\">%D</td><td class=\"n\">%M</td>"
		       "<td class=\"n\">%D</td><td>%s</td><td>",
		    w->req.script, STR(u, "unit"), STR(u, "unit"), (long long)json_integer_value(json_object_get(u, "bills")),
		    (int64_t)json_integer_value(json_object_get(u, "owed_fen")),
		    (long long)json_integer_value(json_object_get(u, "days")), STR(u, "stage") ? STR(u, "stage") : "—");
	if (STR(u, "last_contact"))
		pm_web_time(f, STR(u, "last_contact"));
	pm_html_fmt(f, " %s %s</td><td>%s %s</td><td><a href=\"%s/dunning/%u/letter\">催缴函</a></td></tr>\n",
		    zh(STR(u, "contact_by"), pm_contact_means, means_zh),
		    zh(STR(u, "contact_result"), pm_contact_results, results_zh),
		    STR(u, "promise_date") ? STR(u, "promise_date") : "", STR(u, "promise") ? STR(u, "promise") : "",
		    w->req.script, STR(u, "unit"));
	snprintf(path, sizeof path, "/dunning/%s/contact", STR(u, "unit"));
	fputs("<tr><td colspan=\"8\">", f);
	pm_web_form(w, path, 0);
	fputs("<select name=\"by\">", f);
	options(f, pm_contact_means, means_zh);
	fputs("</select><select name=\"result\">", f);
	options(f, pm_contact_results, results_zh);
	fputs("</select><label>承诺日期<input name=\"promise_date\" type=\"date\"></label>"
	      "<label>记录<input name=\"note\" required></label><button>记录联系</button></form></td></tr>\n", f);
	return PM_OK;
}

/* The day the page counts to: ?as_of=DATE, else today. */
static int as_of(struct pm_web *w, int32_t *day)
{
	const char *s = pm_web_field(w, "as_of");

	*day = pm_db_today(w->db);
	if (s && pm_date_parse(s, day, &w->err))
		return pm_web_fail(w, PM_EDATA, _("as_of: expected a date YYYY-MM-DD"));
	return PM_OK;
}

int pm_page_dunning(struct pm_web *w)
{
	struct list l = {.w = w};
	FILE *f = w->res.f;
	int32_t day;
	char buf[PM_TIME_BUF];
	long mark;
	int rc;

	if (pm_auth_check(&w->actor, "bill.contact", &w->err) || as_of(w, &day))
		return w->err.code;
	pm_web_page(w, "欠费催缴");
	pm_html_fmt(f, "<p class=\"meta\">截至 %s 逾期未缴的房屋</p>\n<table class=\"stack dunning\">\n<thead><tr><th>房号</th><th>账单</th>"
		       "<th>欠费</th><th>逾期天数</th><th>催缴阶段</th><th>最近联系</th><th>承诺</th><th></th></tr></thead>\n"
		       "<tbody>\n", pm_date_fmt(day, buf));
	mark = pm_web_mark(w);
	rc = pm_dunning_each(w->db, day, NULL, row, &l, &w->err);
	if (rc == PM_OK)
		pm_web_none(w, mark, 8, "没有逾期欠费");
	fputs("</tbody>\n</table>\n", f);
	pm_web_page_end(w);
	return rc;
}

int pm_page_dunning_contact(struct pm_web *w)
{
	struct pm_contact c = {.unit = w->arg[0], .by = pm_web_param(w, "by"), .result = pm_web_param(w, "result"),
			       .note = pm_web_param(w, "note"), .promise = -1};
	const char *promise = pm_web_field(w, "promise_date");
	struct pm_err why;
	json_t *out;

	if (pm_auth_check(&w->actor, "bill.contact", &w->err))
		return w->err.code;
	if (promise && pm_date_parse(promise, &c.promise, &w->err))
		return pm_web_fail(w, PM_EDATA, _("promise_date: expected a date YYYY-MM-DD"));
	if (pm_contact_check(&c, &why))
		return pm_web_fail(w, PM_EDATA, "%s", why.msg);
	if (pm_dunning_contact(w->db, &c, &out, &w->err))
		return w->err.code;
	json_decref(out);
	pm_web_redirect(&w->res, w->req.script, "/dunning");
	return PM_OK;
}

int pm_page_dunning_letter(struct pm_web *w)
{
	int32_t day;

	if (pm_auth_check(&w->actor, "bill.contact", &w->err) || as_of(w, &day) ||
	    pm_dunning_letter(w->db, w->arg[0], day, w->res.f, &w->err))
		return w->err.code;
	pm_web_print_style(w, pm_notice_css());
	return PM_OK;
}
