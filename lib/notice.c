/* notice: payment notices (缴费通知单) as print-ready HTML, and amounts
 * in Chinese capital numerals. Everything read from the store or the
 * configuration passes through pm_html_text on its way out. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pm/bill.h"
#include "pm/community.h"
#include "pm/config.h"
#include "pm/db.h"
#include "pm/file.h"
#include "pm/html.h"
#include "pm/i18n.h"
#include "pm/money.h"
#include "pm/notice.h"
#include "bill-internal.h"

/* ---- 大写金额 ---- */

struct cap {
	char *buf;
	size_t len;
	int started, zero; /* a digit was written; a 零 is owed before the next */
};

static void put(struct cap *c, const char *s)
{
	size_t n = strlen(s);

	if (c->len + n < PM_CAPITAL_BUF) {
		memcpy(c->buf + c->len, s, n + 1);
		c->len += n;
	}
}

static const char *const digits[] = {"零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"};

/* Four digits, 仟 to 个; zeros inside the number owe one 零. */
static void group4(struct cap *c, unsigned g)
{
	static const char *const places[] = {"", "拾", "佰", "仟"};
	static const unsigned pow10[] = {1, 10, 100, 1000};

	for (int i = 3; i >= 0; i--) {
		unsigned d = g / pow10[i] % 10;
		if (d == 0) {
			c->zero |= c->started;
			continue;
		}
		if (c->zero)
			put(c, "零");
		c->zero = 0;
		put(c, digits[d]);
		put(c, places[i]);
		c->started = 1;
	}
}

/* After 万 or 亿 no 零 is owed: 壹拾万柒仟, not 壹拾万零柒仟. */
static void words(struct cap *c, uint64_t n)
{
	unsigned hi, lo;

	if (n >= 100000000) {
		words(c, n / 100000000);
		put(c, "亿");
		c->zero = 0;
		n %= 100000000;
	}
	hi = (unsigned)(n / 10000);
	lo = (unsigned)(n % 10000);
	if (hi) {
		group4(c, hi);
		put(c, "万");
		c->zero = 0;
	} else {
		c->zero |= c->started;
	}
	group4(c, lo);
}

char *pm_notice_capital(int64_t fen, char buf[PM_CAPITAL_BUF])
{
	struct cap c = {buf, 0, 0, 0};
	uint64_t u = fen < 0 ? -(uint64_t)fen : (uint64_t)fen, yuan = u / 100;
	unsigned jiao = (unsigned)(u / 10 % 10), f = (unsigned)(u % 10);

	buf[0] = '\0';
	if (fen < 0)
		put(&c, "负");
	if (u == 0) {
		put(&c, "零元整");
		return buf;
	}
	if (yuan) {
		words(&c, yuan);
		put(&c, "元");
	}
	if (jiao == 0 && f == 0) {
		put(&c, "整");
		return buf;
	}
	if (jiao) {
		put(&c, digits[jiao]);
		put(&c, "角");
	} else if (yuan) {
		put(&c, "零");
	}
	if (f) {
		put(&c, digits[f]);
		put(&c, "分");
	}
	return buf;
}

/* ---- HTML ---- */

static const char css[] =
	"@page { size: A4; margin: 15mm; }\n"
	"body { margin: 0; color: #000; font: 10.5pt/1.5 \"Noto Sans CJK SC\", \"Source Han Sans SC\","
	" \"Microsoft YaHei\", \"PingFang SC\", \"WenQuanYi Zen Hei\", sans-serif; }\n"
	".notice { page-break-after: always; break-after: page; }\n"
	".notice:last-child { page-break-after: auto; break-after: auto; }\n"
	"h1 { text-align: center; font-size: 20pt; letter-spacing: 0.4em; margin: 0 0 1mm; }\n"
	".community { text-align: center; margin: 0 0 5mm; }\n"
	"table { width: 100%; border-collapse: collapse; }\n"
	".head td { padding: 0.8mm 1mm; width: 50%; }\n"
	".lines { margin-top: 4mm; }\n"
	".lines th, .lines td { border: 0.3mm solid #000; padding: 1.2mm 2mm; vertical-align: top; text-align: left; }\n"
	".lines th { background: #eee; }\n"
	".num { text-align: right !important; white-space: nowrap; }\n"
	".detail { font-size: 9pt; }\n"
	".owed td { font-weight: bold; font-size: 12pt; }\n"
	".owed td:first-child { white-space: nowrap; }\n"
	".pay { margin-top: 5mm; border: 0.3mm dashed #000; padding: 2mm 3mm; }\n"
	".foot { margin-top: 4mm; font-size: 9pt; }\n"
	"@media screen { .notice { max-width: 180mm; margin: 10mm auto; } }\n";

const char *pm_notice_css(void)
{
	return css;
}

/* What the breakdown's keys are called on paper. */
static const struct {
	const char *key, *label;
} labels[] = {
	{"meter", "表号"}, {"opening", "起度"}, {"closing", "止度"}, {"multiplier", "倍率"},
	{"usage", "用量"}, {"before", "年内此前用量"}, {"tier", "第几阶"}, {"register", "时段"},
	{"from", "自"}, {"upto", "至"}, {"quantity", "数量"}, {"price", "单价"}, {"area", "面积(m²)"},
	{"days", "计费天数"}, {"period_days", "当月天数"}, {"vacant_days", "空置天数"},
	{"discount_percent", "空置减免(%)"}, {"count", "数量"}, {"cost", "总费用"}, {"split", "分摊方式"},
	{"weight", "本户权重"}, {"total_weight", "总权重"}, {"units", "分摊户数"}, {"share", "本户分摊"},
	{"amount", "金额"}, {"usage_flags", "标记"},
};

static const char *label_of(const char *key)
{
	for (size_t i = 0; i < sizeof labels / sizeof *labels; i++)
		if (strcmp(labels[i].key, key) == 0)
			return labels[i].label;
	return NULL;
}

/* A tier's or a share's amount before the line is rounded to the fen
 * ("87.9750000"), as money is read: ¥87.975, no trailing zeros past the
 * fen. */
static void money_exact(FILE *f, const char *v)
{
	const char *dot = strchr(v, '.');
	size_t n = strlen(v);
	char buf[48];

	while (dot && n > (size_t)(dot - v) + 3 && v[n - 1] == '0')
		n--;
	snprintf(buf, sizeof buf, "¥%.*s", (int)n, v);
	pm_html_text(f, buf);
}

/* "label value" pairs of an object's scalars that have a label; skip
 * names a key left out (the line's own amount, shown in its column). */
static void pairs(FILE *f, json_t *o, const char *skip)
{
	const char *k, *label;
	char buf[32];
	json_t *v;
	int n = 0;

	json_object_foreach(o, k, v) {
		if ((skip && strcmp(k, skip) == 0) || !(label = label_of(k)) || json_is_object(v) || json_is_array(v))
			continue;
		fputs(n++ ? "，" : "", f);
		pm_html_text(f, label);
		fputc(' ', f);
		if (json_is_integer(v)) {
			snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
			fputs(buf, f);
		} else if (strcmp(k, "amount") == 0) {
			money_exact(f, json_string_value(v));
		} else {
			pm_html_text(f, json_string_value(v));
		}
	}
}

/* A line's breakdown: its facts, then one row per tier, share or
 * register that counted. */
void pm_notice_breakdown(FILE *f, json_t *bd)
{
	const char *k;
	json_t *v, *row;
	size_t i;

	pairs(f, bd, "amount");
	json_object_foreach(bd, k, v) {
		if (!json_is_array(v))
			continue;
		json_array_foreach(v, i, row) {
			const char *q = json_string_value(json_object_get(row, "quantity"));
			if (!json_is_object(row) || (q && strspn(q, "0.") == strlen(q)))
				continue;
			fputs("<br>", f);
			if (json_object_get(row, "tier"))
				fprintf(f, "第%lld阶：", (long long)json_integer_value(json_object_get(row, "tier")));
			pairs(f, row, "tier");
		}
	}
}

static void money_cell(FILE *f, const char *what, int64_t fen, const char *cls)
{
	char buf[PM_MONEY_BUF];

	fprintf(f, "<tr%s%s%s><td colspan=\"3\">%s</td><td class=\"num\">", cls ? " class=\"" : "", cls ? cls : "",
		cls ? "\"" : "", what);
	pm_html_text(f, pm_money_display(fen, buf));
	fputs("</td></tr>\n", f);
}

struct facts {
	json_t *bill, *notice;
	const char *community, *address;
	char owners[512], area[PM_MONEY_BUF];
};

static int unit_facts(struct pm_db *db, const char *unit, struct facts *x, struct pm_err *e)
{
	static const char sql[] =
		"SELECT u.area_centi, coalesce(group_concat(p.name, '、'), '') FROM unit u"
		" LEFT JOIN (SELECT o.unit_id, p.name FROM occupancy o JOIN person p ON p.id = o.person_id"
		" WHERE o.role = 'owner' AND " PM_OCCUPANCY_ON("o", "?2") " ORDER BY o.since, p.id) p"
		" ON p.unit_id = u.id WHERE u.code = ?1 GROUP BY u.id";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char day[PM_TIME_BUF];
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, pm_community_today(db, day), -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		pm_decimal_fmt(sqlite3_column_int64(st, 0), 2, x->area);
		snprintf(x->owners, sizeof x->owners, "%s", TEXT(st, 1));
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot read units"));
}

static void head_row(FILE *f, const char *k1, const char *v1, const char *k2, const char *v2)
{
	fprintf(f, "<tr><td>%s：", k1);
	pm_html_text(f, v1);
	fprintf(f, "</td><td>%s：", k2);
	pm_html_text(f, v2);
	fputs("</td></tr>\n", f);
}

static void lines(FILE *f, json_t *bill)
{
	char buf[PM_MONEY_BUF];
	json_t *l;
	size_t i;

	fputs("<table class=\"lines\">\n<thead><tr><th>收费项目</th><th>计费明细</th><th class=\"num\">数量</th>"
	      "<th class=\"num\">金额（元）</th></tr></thead>\n<tbody>\n", f);
	json_array_foreach(json_object_get(bill, "lines"), i, l) {
		fputs("<tr><td>", f);
		pm_html_text(f, json_string_value(json_object_get(l, "label")));
		fputs("</td><td class=\"detail\">", f);
		pm_notice_breakdown(f, json_object_get(l, "breakdown"));
		fputs("</td><td class=\"num\">", f);
		pm_html_text(f, json_string_value(json_object_get(l, "quantity")));
		fputs("</td><td class=\"num\">", f);
		pm_html_text(f, pm_money_fmt(json_integer_value(json_object_get(l, "amount_fen")), buf));
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody>\n", f);
}

static void totals(FILE *f, json_t *bill)
{
	int64_t late = json_integer_value(json_object_get(bill, "late_fen")),
		adjust = json_integer_value(json_object_get(bill, "adjust_fen")),
		paid = json_integer_value(json_object_get(bill, "paid_fen")),
		owed = json_integer_value(json_object_get(bill, "owed_fen"));
	char cap[PM_CAPITAL_BUF];

	fputs("<tfoot>\n", f);
	money_cell(f, "本期费用合计", json_integer_value(json_object_get(bill, "total_fen")), NULL);
	if (late)
		money_cell(f, "违约金", late, NULL);
	if (adjust)
		money_cell(f, "调整（减免为负）", adjust, NULL);
	if (paid)
		money_cell(f, "已缴", -paid, NULL);
	money_cell(f, "应缴金额", owed, "owed");
	fputs("<tr class=\"owed\"><td>大写金额</td><td colspan=\"3\">人民币", f);
	pm_html_text(f, pm_notice_capital(owed, cap));
	fputs("</td></tr>\n</tfoot>\n</table>\n", f);
}

static void page(FILE *f, const struct facts *x)
{
	json_t *b = x->bill, *nt = x->notice;
	const char *due = json_string_value(json_object_get(b, "due")), *period = json_string_value(json_object_get(b, "period"));
	char when[32];

	snprintf(when, sizeof when, "%.4s年%.2s月", period, period + 5);
	fputs("<section class=\"notice\">\n<h1>缴费通知单</h1>\n<p class=\"community\">", f);
	pm_html_text(f, x->community);
	if (x->address) {
		fputs(" · ", f);
		pm_html_text(f, x->address);
	}
	fputs("</p>\n<table class=\"head\">\n", f);
	head_row(f, "房号", json_string_value(json_object_get(b, "unit")), "业主", *x->owners ? x->owners : "—");
	head_row(f, "账期", when, "账单号", json_string_value(json_object_get(b, "bill")));
	head_row(f, "建筑面积", x->area, "缴费截止日期", due ? due : "—");
	fputs("</table>\n", f);
	lines(f, b);
	totals(f, b);
	fputs("<div class=\"pay\"><strong>缴费方式：</strong>", f);
	pm_html_text(f, json_string_value(json_object_get(nt, "how_to_pay")));
	if (json_object_get(nt, "phone")) {
		fputs("<br><strong>咨询电话：</strong>", f);
		pm_html_text(f, json_string_value(json_object_get(nt, "phone")));
	}
	fputs("</div>\n<p class=\"foot\">", f);
	if (json_object_get(nt, "footer"))
		pm_html_text(f, json_string_value(json_object_get(nt, "footer")));
	else
		fprintf(f, "请于 %s 前缴清。如对账单有疑问，请与物业服务中心联系。", due ? due : "截止日期");
	fputs("</p>\n</section>\n", f);
}

static int one(struct pm_db *db, const char *code, struct facts *x, FILE *f, struct pm_err *e)
{
	int rc;

	if (pm_bill_get(db, code, &x->bill, e))
		return e->code;
	if (strcmp(json_string_value(json_object_get(x->bill, "status")), "void") == 0)
		rc = pm_err_set(e, PM_EDATA, _("bill '%s' is void: it has no notice"), code);
	else if ((rc = unit_facts(db, json_string_value(json_object_get(x->bill, "unit")), x, e)) == PM_OK)
		page(f, x);
	json_decref(x->bill);
	return rc;
}

int pm_notice_html(struct pm_db *db, const char *const *bills, size_t n, FILE *f, struct pm_err *e)
{
	struct facts x = {0};
	struct pm_config *cfg;
	int rc = PM_OK;

	if (pm_config_current(db, pm_db_today(db), &cfg, e))
		return e->code;
	x.community = pm_config_community_name(cfg);
	x.address = pm_config_address(cfg);
	if ((x.notice = pm_config_section(cfg, "notice")))
		json_incref(x.notice);
	else
		rc = pm_config_defaults("notice", &x.notice, e);
	if (rc == PM_OK)
		fprintf(f, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
			"<title>缴费通知单</title>\n<style>%s</style>\n</head>\n<body>\n", css);
	for (size_t i = 0; i < n && rc == PM_OK; i++)
		rc = one(db, bills[i], &x, f, e);
	if (rc == PM_OK)
		fputs("</body>\n</html>\n", f);
	if (rc == PM_OK && (fflush(f) || ferror(f)))
		rc = pm_err_set(e, PM_EIO, _("cannot write the notices"));
	json_decref(x.notice);
	pm_config_free(cfg);
	return rc;
}

int pm_notice_each(struct pm_db *db, const char *period, int (*fn)(void *ctx, const char *bill),
		   void *ctx, struct pm_err *e)
{
	static const char sql[] =
		"SELECT code FROM bill WHERE period = ? AND status IN ('issued','partial') ORDER BY code";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = fn(ctx, TEXT(st, 0)))) {
			sqlite3_reset(st);
			return rc;
		}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read bills"));
}

struct one_notice {
	struct pm_db *db;
	const char *const *bill;
};

static int one_notice(void *ctx, FILE *f, const char *part, struct pm_err *e)
{
	const struct one_notice *o = ctx;

	return pm_notice_html(o->db, o->bill, 1, f, e);
}

/* Each notice whole or not at all, beside the others. */
int pm_notice_files(struct pm_db *db, const char *const *bills, size_t n, const char *dir,
		    struct pm_err *e)
{
	struct pm_file_mode m = pm_db_file_mode(db);
	char path[4096];
	int rc = PM_OK;

	for (size_t i = 0; i < n && rc == PM_OK; i++) {
		snprintf(path, sizeof path, "%s/%s.html", dir, bills[i]);
		rc = pm_file_whole(path, &m, 0, one_notice, &(struct one_notice){db, &bills[i]}, e);
	}
	return rc;
}
