/* pm-pay: online payment through WeChat Pay and Alipay: QR-code orders,
 * verified notifications, and queries for the notifications that never
 * came. */
#include <stdlib.h>
#include <string.h>

#include "pm/cli.h"
#include "pm/i18n.h"
#include "pm/money.h"
#include "pm/pay.h"
#include "pm/payorder.h"
#include "pm/qr.h"

enum { O_UNIT = 0x100, O_CHANNEL, O_BILL, O_AMOUNT, O_QR, O_QR_SVG, O_REASON, O_STATUS, O_SINCE };

/* A notification is a few kilobytes; anything near this is no
 * notification. */
#define NOTE_MAX (1 << 20)

static int channel_arg(struct pm_ctx *c, const char *s)
{
	if (s && strcmp(s, "wechat") && strcmp(s, "alipay"))
		return pm_cli_usage(c, _("unknown channel '%s': expected wechat or alipay"), s);
	return PM_OK;
}

/* ---- order ---- */

static const struct pm_opt order_opts[] = {
	{"unit", O_UNIT, "CODE", N_("the paying unit (required)")},
	{"channel", O_CHANNEL, "NAME", N_("wechat or alipay (required)")},
	{"bill", O_BILL, "BILL", N_("for this bill (repeat for more; default: all the unit owes)")},
	{"amount", O_AMOUNT, "YUAN", N_("for this amount instead of what is owed")},
	{"qr", O_QR, NULL, N_("print the QR code on the terminal")},
	{"qr-svg", O_QR_SVG, "FILE", N_("write the QR code as an SVG image to FILE")},
	{NULL, 0, NULL, NULL},
};

/* The order's QR code shown as asked. */
static int show_qr(struct pm_ctx *c, struct pm_db *db, const char *qr, int term, const char *svg)
{
	struct pm_file_mode m = pm_db_file_mode(db);
	char *text;
	int rc;

	if (svg && pm_qr_svg_file(qr, 8, svg, &m, &c->err))
		return c->err.code;
	if (!term)
		return PM_OK;
	if (pm_qr_text(qr, &text, &c->err))
		return c->err.code;
	if ((rc = pm_cli_next_table(c))) {
		free(text);
		return rc;
	}
	fputs(text, stdout);
	free(text);
	return PM_OK;
}

struct order_args {
	struct pm_pay_order o;
	const char **bills, *svg;
	int term;
};

/* The options of order: PM_OK, -1 after --help, or the usage error. */
static int order_args(struct pm_ctx *c, int argc, char **argv, struct order_args *a)
{
	const char *amount = NULL, *arg, **more;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_UNIT: a->o.unit = arg; break;
		case O_CHANNEL: a->o.channel = arg; break;
		case O_AMOUNT: amount = arg; break;
		case O_QR: a->term = 1; break;
		case O_QR_SVG: a->svg = arg; break;
		case O_BILL:
			if (!(more = realloc(a->bills, (a->o.nbills + 1) * sizeof *more)))
				return pm_err_set(&c->err, PM_EFAIL, _("out of memory"));
			a->bills = more;
			a->bills[a->o.nbills++] = arg;
			break;
		}
	a->o.bills = a->bills;
	if (k < 0)
		return -1;
	if (!a->o.unit || !a->o.channel || c->optind < argc)
		return pm_cli_usage(c, _("expected --unit CODE and --channel wechat|alipay"));
	if (channel_arg(c, a->o.channel))
		return PM_EUSAGE;
	if (amount && pm_cli_arg_money(c, "--amount", amount, &a->o.amount))
		return PM_EUSAGE;
	if (amount && a->o.amount <= 0)
		return pm_cli_usage(c, _("--amount: must be more than 0"));
	return PM_OK;
}

static int cmd_order(struct pm_ctx *c, int argc, char **argv)
{
	struct order_args a = {0};
	struct pm_db *db;
	json_t *rec;
	int rc = order_args(c, argc, argv, &a);

	if (rc == PM_OK && (pm_cli_db(c, "pay.order", &db) || pm_pay_order_may_read(db, &c->actor, a.o.unit, &c->err) ||
			    pm_pay_order_create(db, &a.o, &rec, &c->err)))
		rc = c->err.code;
	free(a.bills);
	if (rc)
		return rc < 0 ? c->stop : rc;
	json_object_set_new(rec, "outcome", json_string(a.o.outcome));
	rc = pm_cli_out(c, rec);
	if (rc == PM_OK && (a.term || a.svg))
		rc = show_qr(c, db, json_string_value(json_object_get(rec, "qr")), a.term, a.svg);
	json_decref(rec);
	return rc;
}

/* ---- close, show, list ---- */

static const struct pm_opt close_opts[] = {
	{"reason", O_REASON, "TEXT", N_("why (default: closed)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_close(struct pm_ctx *c, int argc, char **argv)
{
	const char *reason = "closed", *arg;
	struct pm_db *db;
	json_t *rec;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if (k == O_REASON)
			reason = arg;
	if (k < 0)
		return c->stop;
	if (argc - c->optind != 1 || !*reason)
		return pm_cli_usage(c, _("expected one ORDER (and a --reason that is not empty)"));
	if (pm_cli_db(c, "pay.close", &db) || pm_pay_close(db, argv[c->optind], reason, &c->err) ||
	    pm_pay_order_get(db, argv[c->optind], &rec, &c->err))
		return c->err.code;
	return pm_cli_out_new(c, rec);
}

static int cmd_show(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_db *db;
	json_t *rec;

	if (pm_cli_noopts(c, argc, argv))
		return c->stop;
	if (argc - c->optind != 1)
		return pm_cli_usage(c, _("expected one ORDER"));
	if (pm_cli_db(c, "pay.read", &db) || pm_pay_order_may_see(db, &c->actor, argv[c->optind], &c->err) ||
	    pm_pay_order_get(db, argv[c->optind], &rec, &c->err))
		return c->err.code;
	return pm_cli_out_new(c, rec);
}

static const struct pm_opt list_opts[] = {
	{"unit", O_UNIT, "CODE", N_("only this unit")},
	{"status", O_STATUS, "S", N_("pending, paid or closed")},
	{"channel", O_CHANNEL, "NAME", N_("wechat or alipay")},
	{"since", O_SINCE, "TIME", N_("made at or after TIME (RFC 3339, or a day)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_list(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_pay_filter f = {0};
	const char *since = NULL, *arg;
	struct pm_db *db;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_UNIT: f.unit = arg; break;
		case O_STATUS: f.status = arg; break;
		case O_CHANNEL: f.channel = arg; break;
		case O_SINCE: since = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (c->optind < argc)
		return pm_cli_usage(c, _("list takes no operands"));
	if (channel_arg(c, f.channel))
		return PM_EUSAGE;
	if (f.status && strcmp(f.status, "pending") && strcmp(f.status, "paid") && strcmp(f.status, "closed"))
		return pm_cli_usage(c, _("unknown status '%s': expected pending, paid or closed"), f.status);
	if (pm_cli_db(c, "pay.read", &db))
		return c->err.code;
	if (since && pm_cli_arg_when(c, "--since", since, &f.since))
		return PM_EUSAGE;
	return pm_pay_order_each_as(db, &c->actor, &f, pm_cli_out_each, c, &c->err);
}

/* ---- notify ---- */

static const struct pm_opt notify_opts[] = {
	{"channel", O_CHANNEL, "NAME", N_("the channel that sent it: wechat or alipay (required)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_notify(struct pm_ctx *c, int argc, char **argv)
{
	const char *channel = NULL, *arg;
	struct pm_pay_http in = {0};
	struct pm_pay_answer ans;
	char money[PM_MONEY_BUF];
	struct pm_db *db;
	char *text = NULL;
	json_t *rec = NULL;
	size_t len;
	int k, rc;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if (k == O_CHANNEL)
			channel = arg;
	if (k < 0)
		return c->stop;
	if (!channel || argc - c->optind > 1)
		return pm_cli_usage(c, _("expected --channel wechat|alipay and the notification on stdin (or FILE)"));
	if (channel_arg(c, channel))
		return PM_EUSAGE;
	if (pm_file_read(c->optind < argc ? argv[c->optind] : "-", NOTE_MAX, &text, &len, &c->err))
		return c->err.code;
	if (len > NOTE_MAX)
		rc = pm_err_set(&c->err, PM_EDATA, _("more than %d bytes is no notification"), NOTE_MAX);
	else if ((rc = pm_pay_http_parse(text, len, &in, &c->err)) == PM_OK &&
		 (rc = pm_cli_db(c, "pay.notify", &db)) == PM_OK)
		rc = pm_pay_notify(db, channel, &in, &ans, &rec, &c->err);
	if (rc == PM_EDATA && !rec)
		rec = pm_pay_notify_unread(channel, &ans);
	if (rec && !strcmp(json_string_value(json_object_get(rec, "outcome")), "prepaid"))
		pm_cli_warn(c, _("order %s: its bills were paid meanwhile: the %s paid went to the unit's prepaid balance"
				 " (pm-bill refund gives it back)"), json_string_value(json_object_get(rec, "order")),
			    pm_money_fmt(json_integer_value(json_object_get(rec, "amount_fen")), money));
	if (rec)
		pm_cli_out_new(c, rec);
	pm_pay_http_free(&in);
	free(text);
	return rc;
}

/* ---- sync ---- */

static const struct pm_opt sync_opts[] = {
	{"since", O_SINCE, "TIME", N_("only orders made at or after TIME (RFC 3339, or a day)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_sync(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_pay_sync s = {.fn = pm_cli_out_each, .ctx = c};
	const char *since = NULL, *arg;
	struct pm_db *db;
	int k, rc;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if (k == O_SINCE)
			since = arg;
	if (k < 0)
		return c->stop;
	if (c->optind < argc)
		return pm_cli_usage(c, _("sync takes no operands"));
	if (pm_cli_db(c, "pay.sync", &db))
		return c->err.code;
	if (since && pm_cli_arg_when(c, "--since", since, &s.since))
		return PM_EUSAGE;
	rc = pm_pay_sync(db, &s, &c->err);
	if (rc == PM_OK || rc == PM_EUNAVAIL || rc == PM_EDATA)
		pm_cli_note(c, _("%ld orders asked about: %ld paid and recorded, %ld closed, %ld waiting, %ld refused,"
				 " %ld failed"), s.queried, s.recorded, s.closed, s.waiting, s.refused, s.failed);
	/* Even with -q: cron mails it to the office, whose owners paid twice. */
	if (s.prepaid)
		pm_cli_warn(c, _("%ld orders paid for bills paid meanwhile: their money went to the units' prepaid"
				 " balances (outcome \"prepaid\"; pm-bill refund gives it back)"), s.prepaid);
	return rc;
}

static const struct pm_cmd cmds[] = {
	{"order", cmd_order, NULL, N_("a QR-code order for what a unit owes, from WeChat Pay or Alipay"), order_opts,
	 NULL},
	{"close", cmd_close, "ORDER", N_("close a pending order, at the channel and here"), close_opts, NULL},
	{"list", cmd_list, NULL, N_("list orders, newest first"), list_opts, NULL},
	{"show", cmd_show, "ORDER", N_("one order"), NULL, NULL},
	{"notify", cmd_notify, "[FILE]", N_("verify and record one payment notification (headers and body)"),
	 notify_opts, NULL},
	{"sync", cmd_sync, NULL, N_("ask the channels about pending orders: record the paid, close the expired"),
	 sync_opts, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct pm_prog prog = {
	"pm-pay", N_("pm-pay: online payment orders, verified notifications, sync with the channels"), cmds, NULL, NULL,
};

int main(int argc, char **argv)
{
	return pm_cli_main(&prog, argc, argv);
}
