#include <errno.h>
#include <string.h>

#include <sqlite3.h>

#include "bill-internal.h"
#include "pm/audit.h"
#include "pm/community.h"
#include "pm/config.h"
#include "pm/file.h"
#include "pm/html.h"
#include "pm/i18n.h"
#include "pm/notice.h"
#include "pm/receipt.h"
#include "pm/timeutil.h"

/* What the receipt says of its payment: the payment itself, who paid
 * (the unit's owners on the day, else its tenants), and who recorded it
 * (the actor of its bill.pay audit record). */
#define RESIDENTS(role) \
	"(SELECT group_concat(name, '、') FROM (SELECT pe.name FROM occupancy o JOIN person pe ON pe.id = o.person_id" \
	" WHERE o.unit_id = u.id AND o.role = '" role "' AND " PM_OCCUPANCY_ON("o", "?2") \
	" ORDER BY o.since, pe.id))"
static const char payment_sql[] =
	"SELECT p.channel, p.ref, u.code, p.amount_fen, p.at,"
	" coalesce(" RESIDENTS("owner") ", " RESIDENTS("tenant") ", ''),"
	" coalesce((SELECT actor FROM audit WHERE action = 'bill.pay' AND object = 'payment:' || p.channel || ':' || p.ref"
	"   ORDER BY id LIMIT 1), '')"
	" FROM payment p JOIN unit u ON u.id = p.unit_id WHERE p.id = ?1";

static const char lines_sql[] =
	"SELECT b.code, coalesce(l.label, '违约金及调整'), sum(a.amount_fen) FROM allocation a JOIN bill b ON b.id = a.bill_id"
	" LEFT JOIN bill_line l ON l.bill_id = a.bill_id AND l.seq = a.seq WHERE a.payment_id = ?"
	" GROUP BY a.bill_id, a.seq ORDER BY b.period, b.code, a.seq IS NULL, a.seq";

static const char receipt_sql[] =
	"SELECT year, seq, printed_at, printed_by, void_reason, voided_at, voided_by FROM receipt"
	" WHERE payment_id = ? ORDER BY void_reason IS NULL DESC, id DESC LIMIT 1";

static int lines_add(struct pm_db *db, int64_t payment, json_t *r, struct pm_err *e)
{
	sqlite3_stmt *st = pm_db_stmt(db, lines_sql, e);
	json_t *lines = json_array();
	int64_t sum = 0;
	int rc;

	if (!st || !lines) {
		json_decref(lines);
		return st ? pm_err_set(e, PM_EFAIL, _("out of memory")) : e->code;
	}
	sqlite3_bind_int64(st, 1, payment);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sum += sqlite3_column_int64(st, 2);
		json_array_append_new(lines, json_pack("{s:s, s:s, s:I}", "bill", TEXT(st, 0), "label", TEXT(st, 1),
						       "amount_fen", (json_int_t)sqlite3_column_int64(st, 2)));
	}
	sqlite3_reset(st);
	json_object_set_new(r, "lines", lines);
	json_object_set_new(r, "prepaid_fen",
			    json_integer(json_integer_value(json_object_get(r, "amount_fen")) - sum));
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read payments"));
}

/* The payer is whoever held the unit on the day paid, in the community's
 * zone: a unit sold since has another owner, who did not pay. */
static int payment_json(struct pm_db *db, int64_t payment, json_t **out, struct pm_err *e)
{
	static const char at_sql[] = "SELECT at FROM payment WHERE id = ?";
	sqlite3_stmt *st = pm_db_stmt(db, at_sql, e);
	char day[PM_TIME_BUF], at[PM_TIME_BUF];
	int64_t paid = 0;
	int rc;

	*out = NULL;
	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, payment);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		paid = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read payments"));
	if (!(st = pm_db_stmt(db, payment_sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, payment);
	sqlite3_bind_text(st, 2, pm_date_fmt(pm_date_of(paid, pm_db_tz(db)), day), -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*out = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:I, s:s, s:s}", "type", "receipt", "payment",
				 (json_int_t)payment, "unit", TEXT(st, 2), "payer", TEXT(st, 5), "channel", TEXT(st, 0),
				 "ref", TEXT(st, 1), "amount_fen", (json_int_t)sqlite3_column_int64(st, 3), "paid_at",
				 pm_time_fmt(sqlite3_column_int64(st, 4), pm_db_tz(db), at), "cashier", TEXT(st, 6));
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? pm_err_set(e, PM_EDATA, _("unknown payment '%lld'"), (long long)payment)
					 : pm_db_fail(db, e, _("cannot read payments"));
	if (!*out)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	return lines_add(db, payment, *out, e);
}

/* The payment's latest receipt into r: 1 when there is one, 0 if none. */
static int receipt_read(struct pm_db *db, int64_t payment, json_t *r, struct pm_err *e)
{
	sqlite3_stmt *st = pm_db_stmt(db, receipt_sql, e);
	char number[PM_RECEIPT_BUF], t[PM_TIME_BUF];
	int rc;

	if (!st)
		return -e->code;
	sqlite3_bind_int64(st, 1, payment);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(number, sizeof number, "%lld-%06lld", (long long)sqlite3_column_int64(st, 0),
			 (long long)sqlite3_column_int64(st, 1));
		json_object_set_new(r, "receipt", json_string(number));
		json_object_set_new(r, "status", json_string(sqlite3_column_type(st, 4) == SQLITE_NULL ? "issued" : "void"));
		json_object_set_new(r, "printed_at", json_string(pm_time_fmt(sqlite3_column_int64(st, 2), pm_db_tz(db), t)));
		json_object_set_new(r, "printed_by", json_string(TEXT(st, 3)));
		if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
			json_object_set_new(r, "void_reason", json_string(TEXT(st, 4)));
			json_object_set_new(r, "voided_at",
					    json_string(pm_time_fmt(sqlite3_column_int64(st, 5), pm_db_tz(db), t)));
			json_object_set_new(r, "voided_by", json_string(TEXT(st, 6)));
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -pm_db_fail(db, e, _("cannot read receipts"));
	return rc == SQLITE_ROW;
}

int pm_receipt_issued(struct pm_db *db, int64_t payment, char number[PM_RECEIPT_BUF], struct pm_err *e)
{
	json_t *r = json_object();
	int rc;

	if (!r)
		return -pm_err_set(e, PM_EFAIL, _("out of memory"));
	if ((rc = receipt_read(db, payment, r, e)) == 1 &&
	    (rc = strcmp(json_string_value(json_object_get(r, "status")), "issued") == 0))
		snprintf(number, PM_RECEIPT_BUF, "%s", json_string_value(json_object_get(r, "receipt")));
	json_decref(r);
	return rc;
}

int pm_receipt_shaped(const char *s)
{
	size_t n = strlen(s);

	if (n < 11 || strspn(s, "0123456789") != 4 || s[4] != '-')
		return 0;
	return strspn(s + 5, "0123456789") == n - 5;
}

int pm_receipt_next(struct pm_db *db, char number[PM_RECEIPT_BUF], struct pm_err *e)
{
	static const char sql[] = "SELECT coalesce(max(seq), 0) + 1 FROM receipt WHERE year = ?";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int year = pm_period_of(pm_now(), pm_db_tz(db)).year, rc;

	if (!st)
		return e->code;
	sqlite3_bind_int(st, 1, year);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(number, PM_RECEIPT_BUF, "%d-%06lld", year, (long long)sqlite3_column_int64(st, 0));
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot read receipts"));
}

/* The next number of the year the receipt is printed in: max + 1 inside
 * the write transaction, so two desks printing at once cannot take the
 * same number or leave a gap. */
int pm_receipt_number(struct pm_db *db, int64_t payment, const char *cashier, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO receipt (year, seq, payment_id, cashier, printed_at, printed_by)"
		" SELECT ?1, coalesce(max(seq), 0) + 1, ?2, ?3, ?4, ?5 FROM receipt WHERE year = ?1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int64_t now = pm_now();
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int(st, 1, pm_period_of(now, pm_db_tz(db)).year);
	sqlite3_bind_int64(st, 2, payment);
	sqlite3_bind_text(st, 3, cashier, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_text(st, 5, pm_db_actor(db), -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot number a receipt"));
}

static int finish(struct pm_db *db, int rc, json_t **out, struct pm_err *e)
{
	if (rc == PM_OK && (rc = pm_db_commit(db, e)) == PM_OK)
		return PM_OK;
	pm_db_rollback(db);
	json_decref(*out);
	*out = NULL;
	return rc;
}

int pm_receipt_standing(struct pm_db *db, int64_t payment, json_t **out, struct pm_err *e)
{
	int had;

	*out = NULL;
	if (payment_json(db, payment, out, e) || (had = receipt_read(db, payment, *out, e)) < 0) {
		json_decref(*out);
		*out = NULL;
		return -e->code;
	}
	if (had && strcmp(json_string_value(json_object_get(*out, "status")), "issued") == 0)
		return 1;
	json_decref(*out);
	*out = NULL;
	return 0;
}

int pm_receipt_get(struct pm_db *db, int64_t payment, json_t **out, struct pm_err *e)
{
	char object[64];
	int rc, had;

	*out = NULL;
	if (pm_db_begin(db, e))
		return e->code;
	if ((rc = payment_json(db, payment, out, e)) || (had = receipt_read(db, payment, *out, e)) < 0)
		return finish(db, rc ? rc : e->code, out, e);
	if (had && strcmp(json_string_value(json_object_get(*out, "status")), "issued") == 0)
		return finish(db, PM_OK, out, e);
	snprintf(object, sizeof object, "payment:%lld", (long long)payment);
	if ((rc = pm_receipt_number(db, payment, json_string_value(json_object_get(*out, "cashier")), e)) ||
	    (rc = receipt_read(db, payment, *out, e)) < 0)
		return finish(db, rc > 0 ? rc : e->code, out, e);
	return finish(db, pm_audit_log(db, "bill.receipt", object, NULL, *out, e), out, e);
}

int pm_receipt_void(struct pm_db *db, int64_t payment, const char *reason, json_t **out, struct pm_err *e)
{
	static const char sql[] =
		"UPDATE receipt SET void_reason = ?2, voided_at = ?3, voided_by = ?4"
		" WHERE payment_id = ?1 AND void_reason IS NULL";
	sqlite3_stmt *st;
	json_t *before;
	char object[64];
	int rc, had;

	*out = NULL;
	if (!reason || !*reason)
		return pm_err_set(e, PM_EUSAGE, _("a receipt is voided with a reason"));
	if (pm_db_begin(db, e))
		return e->code;
	if ((rc = payment_json(db, payment, out, e)) || (had = receipt_read(db, payment, *out, e)) < 0)
		return finish(db, rc ? rc : e->code, out, e);
	if (!had || strcmp(json_string_value(json_object_get(*out, "status")), "void") == 0)
		return finish(db, pm_err_set(e, PM_EDATA, _("payment %lld has no receipt to void"), (long long)payment),
			      out, e);
	if (!(st = pm_db_stmt(db, sql, e)))
		return finish(db, e->code, out, e);
	sqlite3_bind_int64(st, 1, payment);
	sqlite3_bind_text(st, 2, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, pm_now());
	sqlite3_bind_text(st, 4, pm_db_actor(db), -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot void a receipt"));
	sqlite3_reset(st);
	before = json_deep_copy(*out);
	if (rc == PM_OK && (rc = receipt_read(db, payment, *out, e)) >= 0) {
		snprintf(object, sizeof object, "payment:%lld", (long long)payment);
		rc = pm_audit_log(db, "bill.receipt.void", object, before, *out, e);
	} else if (rc < 0) {
		rc = e->code;
	}
	json_decref(before);
	return finish(db, rc, out, e);
}

/* ---- the printed receipt ---- */

/* A5 by default; on a thermal roll the receipt is a named page 80 mm
 * wide, tall enough for a long list of lines. */
static const char css[] =
	"@page { size: A5; margin: 10mm; }\n"
	"@page thermal { size: 80mm 297mm; margin: 3mm; }\n"
	"body { margin: 0; color: #000; font: 10.5pt/1.5 \"Noto Sans CJK SC\", \"Source Han Sans SC\","
	" \"Microsoft YaHei\", \"PingFang SC\", \"WenQuanYi Zen Hei\", sans-serif; }\n"
	".thermal .receipt { page: thermal; width: 74mm; font-size: 8.5pt; }\n"
	"h1 { text-align: center; font-size: 18pt; letter-spacing: 0.5em; margin: 0; }\n"
	".thermal h1 { font-size: 13pt; }\n"
	".community, .number { text-align: center; margin: 0 0 2mm; }\n"
	".void-mark { text-align: center; font-size: 16pt; font-weight: bold; border: 0.6mm solid #000;"
	" margin: 2mm 0; padding: 1mm; }\n"
	"table { width: 100%; border-collapse: collapse; margin-top: 2mm; }\n"
	".head th { text-align: left; font-weight: normal; white-space: nowrap; padding-right: 2mm; width: 6em; }\n"
	".lines th, .lines td { border-bottom: 0.3mm solid #000; padding: 1mm; text-align: left; vertical-align: top; }\n"
	".thermal .lines th, .thermal .lines td { padding: 0.5mm 0; }\n"
	".num { text-align: right !important; white-space: nowrap; }\n"
	".total td { font-weight: bold; }\n"
	".sign { margin-top: 4mm; display: flex; justify-content: space-between; }\n"
	"@media print { .receipt { break-after: page; } }\n"
	"@media screen { .receipt { max-width: 128mm; margin: 10mm auto; padding: 8mm; border: 1px solid #999; }"
	" .thermal .receipt { max-width: 74mm; } }\n";

int pm_receipt_paper(const char *s, enum pm_receipt_paper *p, struct pm_err *e)
{
	if (strcmp(s, "a5") == 0 || strcmp(s, "80mm") == 0) {
		*p = strcmp(s, "a5") == 0 ? PM_PAPER_A5 : PM_PAPER_80MM;
		return PM_OK;
	}
	return pm_err_set(e, PM_EUSAGE, _("unknown paper '%s': expected a5 or 80mm"), s);
}

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/* How money came, as the desk says it; a channel of the store's own
 * naming as it is. */
static const char *channel_name(const char *channel)
{
	static const char *const names[][2] = {
		{"cash", "现金"}, {"bank", "银行转账"}, {"wechat", "微信支付"}, {"alipay", "支付宝"}, {"pos", "POS 刷卡"},
	};

	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (strcmp(channel, names[i][0]) == 0)
			return names[i][1];
	return channel;
}

static void head(FILE *f, json_t *r)
{
	pm_html_fmt(f, "<table class=\"head\">\n<tr><th>交款人</th><td>%s</td></tr>\n", *str(r, "payer") ? str(r, "payer") : "—");
	pm_html_fmt(f, "<tr><th>房号</th><td>%s</td></tr>\n", str(r, "unit"));
	pm_html_fmt(f, "<tr><th>收款时间</th><td>%s</td></tr>\n", str(r, "paid_at"));
	pm_html_fmt(f, "<tr><th>收款方式</th><td>%s</td></tr>\n", channel_name(str(r, "channel")));
	pm_html_fmt(f, "<tr><th>凭证号</th><td>%s</td></tr>\n</table>\n", str(r, "ref"));
}

static void lines(FILE *f, json_t *r)
{
	int64_t total = json_integer_value(json_object_get(r, "amount_fen"));
	int64_t prepaid = json_integer_value(json_object_get(r, "prepaid_fen"));
	char cap[PM_CAPITAL_BUF];
	json_t *l;
	size_t i;

	fputs("<table class=\"lines\">\n<thead><tr><th>账单</th><th>项目</th><th class=\"num\">金额</th></tr></thead>\n"
	      "<tbody>\n", f);
	json_array_foreach(json_object_get(r, "lines"), i, l)
		pm_html_fmt(f, "<tr><td>%s</td><td>%s</td><td class=\"num\">%M</td></tr>\n", str(l, "bill"),
			    str(l, "label"), (int64_t)json_integer_value(json_object_get(l, "amount_fen")));
	if (prepaid)
		pm_html_fmt(f, "<tr><td>—</td><td>预存</td><td class=\"num\">%M</td></tr>\n", prepaid);
	pm_html_fmt(f, "</tbody>\n<tfoot>\n<tr class=\"total\"><td colspan=\"2\">合计</td><td class=\"num\">%M</td></tr>\n",
		    total);
	pm_html_fmt(f, "<tr class=\"total\"><td>大写</td><td colspan=\"2\">人民币%s</td></tr>\n</tfoot>\n</table>\n",
		    pm_notice_capital(total, cap));
}

const char *pm_receipt_css(void)
{
	return css;
}

int pm_receipt_html(struct pm_db *db, json_t *r, enum pm_receipt_paper paper, FILE *f, struct pm_err *e)
{
	int is_void = strcmp(str(r, "status"), "void") == 0;
	struct pm_config *cfg;

	if (pm_config_current(db, pm_db_today(db), &cfg, e))
		return e->code;
	pm_html_fmt(f, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>收据 %s</title>\n",
		    str(r, "receipt"));
	fprintf(f, "<style>%s</style>\n</head>\n<body class=\"%s\">\n", css, paper == PM_PAPER_80MM ? "thermal" : "a5");
	pm_html_fmt(f, "<section class=\"receipt%s\">\n<h1>收据</h1>\n<p class=\"community\">%s</p>\n",
		    is_void ? " void" : "", pm_config_community_name(cfg));
	pm_config_free(cfg);
	pm_html_fmt(f, "<p class=\"number\">No. %s</p>\n", str(r, "receipt"));
	if (is_void)
		pm_html_fmt(f, "<p class=\"void-mark\">作废：%s</p>\n", str(r, "void_reason"));
	head(f, r);
	lines(f, r);
	pm_html_fmt(f, "<p class=\"sign\"><span>收款人：%s</span><span>开具：%s</span></p>\n</section>\n</body>\n</html>\n",
		    str(r, "cashier"), str(r, "printed_at"));
	if (fflush(f) || ferror(f))
		return pm_err_set(e, PM_EIO, _("cannot write the receipt"));
	return PM_OK;
}

struct one_receipt {
	struct pm_db *db;
	json_t *r;
	enum pm_receipt_paper paper;
};

static int one_receipt(void *ctx, FILE *f, const char *part, struct pm_err *e)
{
	const struct one_receipt *o = ctx;

	return pm_receipt_html(o->db, o->r, o->paper, f, e);
}

int pm_receipt_file(struct pm_db *db, json_t *r, enum pm_receipt_paper paper, const char *path,
		    struct pm_err *e)
{
	struct pm_file_mode m = pm_db_file_mode(db);

	return pm_file_whole(path, &m, 0, one_receipt, &(struct one_receipt){db, r, paper}, e);
}
