/* web-twin: the digital twin (数字孪生) on the dashboard: the plan drawn
 * by the server as inline SVG, a form to choose its layer (no script),
 * and a refresh every few minutes, so that a screen in the office keeps
 * showing the estate as it is. The rules are lib/twin.c's. */
#include <stdio.h>

#include "pm/db.h"
#include "pm/timeutil.h"
#include "pm/twin.h"
#include "web-internal.h"

/* Seconds between refreshes of a dashboard left open. */
#define REFRESH 300

static const char *const layer_zh[PM_TWIN_LAYERS] = {
	[PM_TWIN_OCCUPANCY] = "入住", [PM_TWIN_ARREARS] = "欠费账龄", [PM_TWIN_TICKETS] = "未完成工单",
	[PM_TWIN_ANOMALIES] = "表计异常", [PM_TWIN_ALARMS] = "门禁告警", [PM_TWIN_ENERGY] = "每平方米用电",
};

int pm_web_twin(struct pm_web *w, struct pm_period period)
{
	struct pm_twin_query q = {.period = period, .actor = &w->actor};
	const char *given = pm_web_param(w, "layer");
	char month[PM_TIME_BUF];
	struct pm_err ignored;
	FILE *f = w->res.f;
	struct pm_twin *t;

	if (given && pm_twin_layer_parse(given, &q.layer, &w->err))
		return pm_web_fail(w, PM_EDATA, "%s", w->err.msg);
	q.as_of = pm_date_of(pm_now(), pm_db_tz(w->db));
	if (pm_twin_make(w->db, &q, &t, &w->err))
		return w->err.code;
	pm_html_fmt(f, "<meta http-equiv=\"refresh\" content=\"%d\">\n", REFRESH);
	fputs("<section class=\"twin\" id=\"twin\">\n<h2>数字孪生</h2>\n<form method=\"get\" class=\"search\">", f);
	pm_html_fmt(f, "<input type=\"hidden\" name=\"period\" value=\"%s\"><select name=\"layer\">",
		    pm_period_fmt(period, month));
	for (int i = 0; i < PM_TWIN_LAYERS; i++)
		if (pm_twin_may(&w->actor, (enum pm_twin_layer)i, &ignored) == PM_OK)
			pm_html_fmt(f, "<option value=\"%s\"%s>%s</option>", pm_twin_layer_name((enum pm_twin_layer)i),
				    i == (int)q.layer ? " selected" : "", layer_zh[i]);
	fputs("</select><button>切换图层</button></form>\n<figure class=\"twin\">\n", f);
	pm_twin_svg(t, f, 0);
	fputs("</figure>\n</section>\n", f);
	pm_twin_free(t);
	return PM_OK;
}
