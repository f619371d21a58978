/* pm-bill: bill runs, issue, payments, notes, statements, late fees,
 * reconciliation, exports, notices and reward points. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pm/audit.h"
#include "pm/bill.h"
#include "pm/cli.h"
#include "pm/community.h"
#include "pm/contract.h"
#include "pm/deposit.h"
#include "pm/dunning.h"
#include "pm/export.h"
#include "pm/i18n.h"
#include "pm/import.h"
#include "pm/money.h"
#include "pm/notice.h"
#include "pm/payorder.h"
#include "pm/receipt.h"
#include "pm/reconcile.h"
#include "pm/reward.h"

enum { O_PERIOD = 0x100, O_UNIT, O_DRY_RUN, O_RECOMPUTE, O_DUE, O_STATUS, O_OVERDUE, O_BUILDING,
       O_AMOUNT, O_CHANNEL, O_REF, O_BILL, O_AT, O_REASON, O_FROM, O_TO, O_AS_OF,
       O_OUTPUT, O_BOM, O_FILE_FORMAT, O_FUTURE, O_CONFIRM, O_VOID, O_KIND, O_EVIDENCE, O_ENTRIES,
       O_ALL, O_AGAIN, O_PAPER, O_REPORT, O_BY, O_RESULT, O_NOTE, O_PROMISE_DATE, O_PARTY, O_OBJECT,
       O_EVERY, O_EXPIRING, O_WITHIN, O_ON, O_POINTS };

/* A terminal (or any character device) named as an output file. */
static int isatty_path(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISCHR(st.st_mode);
}

static int period_arg(struct pm_ctx *c, const char *s, struct pm_period *p)
{
	if (!s)
		return pm_cli_usage(c, _("--period YYYY-MM is required"));
	return pm_cli_arg_period(c, "--period", s, p);
}

/* ---- run and issue ---- */

static const struct pm_opt run_opts[] = {
	{"period", O_PERIOD, "YYYY-MM", N_("the billing period (required)")},
	{"unit", O_UNIT, "CODE", N_("only this unit (repeat for more)")},
	{"dry-run", O_DRY_RUN, NULL, N_("compute and print the bills, write nothing")},
	{"recompute", O_RECOMPUTE, NULL, N_("rebuild every draft, changed or not")},
	{"future", O_FUTURE, NULL, N_("allow a period after the current month")},
	{NULL, 0, NULL, NULL},
};

static void progress(void *ctx, long done, long total)
{
	pm_cli_progress(ctx, done, total);
}

/* Each bill told, and a warning for an issued one whose inputs changed. */
static int run_told(void *ctx, json_t *bill)
{
	struct pm_ctx *c = ctx;
	char diff[PM_MONEY_BUF];

	if (strcmp(json_string_value(json_object_get(bill, "outcome")), "changed") == 0)
		pm_cli_warn(c, _("bill '%s' was issued on inputs that have changed since (a difference of %s):"
				 " see pm-bill rebill %s"), json_string_value(json_object_get(bill, "bill")),
			    pm_money_display(json_integer_value(json_object_get(bill, "difference_fen")), diff),
			    json_string_value(json_object_get(bill, "bill")));
	return pm_cli_out(c, bill);
}

static int cmd_run(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_bill_run r = {.fn = run_told, .progress = progress, .ctx = c};
	const char *period = NULL, *arg;
	char **units = NULL, **more;
	struct pm_db *db;
	int k, rc;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_PERIOD: period = arg; break;
		case O_UNIT:
			if (!(more = realloc(units, (r.nunits + 1) * sizeof *units))) {
				free(units);
				return pm_err_set(&c->err, PM_EFAIL, _("out of memory"));
			}
			units = more;
			units[r.nunits++] = (char *)arg;
			break;
		case O_DRY_RUN: r.dry_run = 1; break;
		case O_RECOMPUTE: r.recompute = 1; break;
		case O_FUTURE: r.future = 1; break;
		}
	r.units = units;
	if (k < 0 || (rc = period_arg(c, period, &r.period)) || (rc = pm_cli_db(c, "bill.run", &db))) {
		free(units);
		return k < 0 ? c->stop : rc ? rc : c->err.code;
	}
	rc = pm_bill_run(db, &r, &c->err);
	free(units);
	if (rc == PM_OK)
		pm_cli_note(c, _("%ld bills made (%s), %ld skipped, %ld recomputed, %ld with a vacancy discount,"
				 " %ld issued bills changed%s"), r.made,
			    pm_money_display(r.total, (char[PM_MONEY_BUF]){0}), r.skipped, r.recomputed, r.vacant,
			    r.changed, r.dry_run ? _(", nothing written (dry run)") : "");
	return rc;
}

static const struct pm_opt rebill_opts[] = {
	{"confirm", O_CONFIRM, NULL, N_("record the difference as a note (default: only show it)")},
	{"reason", O_REASON, "TEXT", N_("the note's reason (default: rebill)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_rebill(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_rebill rb = {.reason = "rebill", .fn = pm_cli_out_each, .ctx = c};
	const char *arg, *outcome;
	struct pm_db *db;
	int k, rc;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_CONFIRM: rb.confirm = 1; break;
		case O_REASON: rb.reason = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (argc - c->optind != 1)
		return pm_cli_usage(c, _("expected one BILL"));
	if (!*rb.reason)
		return pm_cli_usage(c, _("--reason: empty"));
	rb.bill = argv[c->optind];
	if (pm_cli_db(c, "bill.adjust", &db) || pm_bill_rebill(db, &rb, &c->err))
		return c->err.code;
	outcome = !rb.changed ? "unchanged" : rb.confirm ? "recorded" : "proposed";
	if (rb.changed && !rb.confirm)
		pm_cli_note(c, _("nothing recorded: give --confirm to record the difference of %s as a note"),
			    pm_money_display(rb.difference, (char[PM_MONEY_BUF]){0}));
	if ((rc = pm_cli_next_table(c)))
		return rc;
	return pm_cli_out_new(c, json_pack("{s:s, s:s, s:I, s:I, s:I, s:s}", "type", "rebill", "bill", rb.bill,
		"was_fen", (json_int_t)rb.was, "now_fen", (json_int_t)rb.now,
		"difference_fen", (json_int_t)(rb.changed ? rb.difference : 0), "outcome", outcome));
}

static const struct pm_opt issue_opts[] = {
	{"period", O_PERIOD, "YYYY-MM", N_("the billing period (required)")},
	{"due", O_DUE, "DATE", N_("due date (default: billing.due_day of the next month)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_issue(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_bill_issue is = {.due = -1};
	const char *period = NULL, *due = NULL, *arg;
	char buf[PM_MONEY_BUF], pre[PM_MONEY_BUF];
	struct pm_db *db;
	json_t *rec;
	int k, rc;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_PERIOD: period = arg; break;
		case O_DUE: due = arg; break;
		}
	if (k < 0)
		return c->stop;
	if ((rc = period_arg(c, period, &is.period)) || (due && (rc = pm_cli_arg_date(c, "--due", due, &is.due))))
		return rc;
	if (pm_cli_db(c, "bill.issue", &db) || pm_bill_issue(db, &is, &c->err))
		return c->err.code;
	/* The summary on stderr, as run's: -q keeps it off; the record is
	 * the command's output, which scripts read, -q or not. */
	pm_cli_note(c, _("%ld bills issued (%s), %s paid from prepaid balances"), is.issued,
		    pm_money_display(is.total, (char[PM_MONEY_BUF]){0}), pm_money_display(is.prepaid, (char[PM_MONEY_BUF]){0}));
	rec = json_pack("{s:s, s:s, s:I, s:I, s:I}", "type", "issue", "period", period, "issued", (json_int_t)is.issued,
			"total_fen", (json_int_t)is.total, "prepaid_fen", (json_int_t)is.prepaid);
	/* A table shows the _fen columns as money (¥30.00) already: the
	 * strings, kept in the records scripts read, would be the same
	 * amounts again under the same headings. */
	if (rec && c->format != PM_FMT_TABLE &&
	    (json_object_set_new(rec, "total", json_string(pm_money_fmt(is.total, buf))) ||
	     json_object_set_new(rec, "prepaid", json_string(pm_money_fmt(is.prepaid, pre))))) {
		json_decref(rec);
		return pm_err_set(&c->err, PM_EFAIL, _("out of memory"));
	}
	return pm_cli_out_new(c, rec);
}

/* ---- list, show, statement ---- */

static const struct pm_opt list_opts[] = {
	{"period", O_PERIOD, "YYYY-MM", N_("only this period")},
	{"status", O_STATUS, "S", N_("draft, issued, partial, paid or void")},
	{"overdue", O_OVERDUE, NULL, N_("issued or partly paid, past due")},
	{"unit", O_UNIT, "CODE", N_("only this unit")},
	{"building", O_BUILDING, "CODE", N_("only this building")},
	{NULL, 0, NULL, NULL},
};

static int cmd_list(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_bill_filter f = {0};
	struct pm_period p;
	struct pm_db *db;
	const char *arg;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_PERIOD: f.period = arg; break;
		case O_STATUS: f.status = arg; break;
		case O_OVERDUE: f.overdue = 1; break;
		case O_UNIT: f.unit = arg; break;
		case O_BUILDING: f.building = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (f.status && pm_bill_status_parse(f.status, &c->err))
		return pm_cli_usage(c, "%s", c->err.msg);
	if (f.period && pm_cli_arg_period(c, "--period", f.period, &p))
		return PM_EUSAGE;
	if (pm_cli_db(c, NULL, &db))
		return c->err.code;
	return pm_bill_each_as(db, &c->actor, &f, pm_cli_out_each, c, &c->err);
}

/* One BILL operand the actor may see: PM_OK, -1 after --help, or the
 * error. */
static int one_bill(struct pm_ctx *c, int argc, char **argv, struct pm_db **db, const char *action)
{
	const char *arg;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		;
	if (k < 0)
		return -1;
	if (argc - c->optind != 1)
		return pm_cli_usage(c, _("expected one BILL"));
	if (pm_cli_db(c, action, db) || pm_bill_may_read(*db, &c->actor, argv[c->optind], NULL, &c->err))
		return c->err.code;
	return PM_OK;
}

static int cmd_show(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_db *db;
	json_t *rec;
	int rc;

	if ((rc = one_bill(c, argc, argv, &db, "bill.read")))
		return rc < 0 ? c->stop : rc;
	if (pm_bill_get_as(db, &c->actor, argv[c->optind], &rec, &c->err))
		return c->err.code;
	return pm_cli_out_new(c, rec);
}

static const struct pm_opt statement_opts[] = {
	{"unit", O_UNIT, "CODE", N_("the unit (required)")},
	{"from", O_FROM, "DATE", N_("first day shown")},
	{"to", O_TO, "DATE", N_("last day shown")},
	{NULL, 0, NULL, NULL},
};

static int cmd_statement(struct pm_ctx *c, int argc, char **argv)
{
	const char *unit = NULL, *arg;
	int32_t from = INT32_MIN, to = INT32_MAX;
	struct pm_db *db;
	int k, rc = PM_OK;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0 && rc == PM_OK)
		switch (k) {
		case O_UNIT: unit = arg; break;
		case O_FROM: rc = pm_cli_arg_date(c, "--from", arg, &from); break;
		case O_TO: rc = pm_cli_arg_date(c, "--to", arg, &to); break;
		}
	if (k < 0 || rc)
		return k < 0 ? c->stop : rc;
	if (!unit)
		return pm_cli_usage(c, _("--unit CODE is required"));
	if (pm_cli_db(c, NULL, &db))
		return c->err.code;
	return pm_bill_statement_as(db, &c->actor, unit, from, to, pm_cli_out_each, c, &c->err);
}

/* ---- payments ---- */

static const struct pm_opt pay_opts[] = {
	PM_PAY_OPT_UNIT,
	{"amount", O_AMOUNT, "YUAN", N_("amount paid (required)")},
	PM_PAY_OPT_CHANNEL,
	{"ref", PM_OPT_PAY_REF, "REF", N_("the channel's reference, unique per channel (required but for cash)")},
	{"bill", O_BILL, "BILL", N_("pay this bill first")},
	{"at", O_AT, "TIME", N_("when paid, RFC 3339 (default now)")},
	{"again", O_AGAIN, NULL, N_("cash without --ref: a second payment of the same, not a repeat")},
	PM_IMPORT_OPTS,
	{NULL, 0, NULL, NULL},
};

static int pay_record(void *ctx, json_t *rec, int *outcome, struct pm_err *e)
{
	struct pm_ctx *c = ctx;
	enum pm_pay_did did;
	struct pm_pay p;
	json_t *out;
	int rc;

	if (pm_pay_parse(rec, &p, e) || pm_bill_pay(c->db, &p, &did, &out, e))
		return e->code;
	*outcome = (int)did;
	rc = pm_cli_out(c, out);
	json_decref(out);
	return rc;
}

static int pay_stream(struct pm_ctx *c, struct pm_import *im, int nfiles, char **files)
{
	struct pm_db *db;

	if (pm_cli_db(c, "bill.pay", &db))
		return c->err.code;
	return pm_import_run(c, im, nfiles, files);
}

/* A payment's options but the unit, channel and ref, as pm_pay_fields
 * name them (f), and the import's. */
struct pay_args {
	const char *f[6];
	int again;
	struct pm_import *im;
};

static void pay_opt(void *ctx, int k, const char *arg)
{
	struct pay_args *a = ctx;

	switch (k) {
	case O_AMOUNT: a->f[1] = arg; break;
	case O_BILL: a->f[4] = arg; break;
	case O_AT: a->f[5] = arg; break;
	case O_AGAIN: a->again = 1; break;
	default: pm_import_opt(a->im, k, arg);
	}
}

/* The desk named a bill that took less than was paid (void, paid, or
 * owing less): the rest is the unit's prepaid balance, which the record
 * says; the person at the desk is told too. */
static void pay_held_note(struct pm_ctx *c, const char *bill, json_t *out)
{
	json_int_t held = json_integer_value(json_object_get(out, "prepaid_fen"));
	char buf[PM_MONEY_BUF];

	if (bill && held > 0)
		pm_cli_note(c, _("%s of it held as the unit's prepaid balance: bill '%s' is not open, or owes less"),
			    pm_money_fmt(held, buf), bill);
}

/* Money taken at the desk while the owner holds an online order's QR
 * code: pm-bill cannot close it at the channel, so the cashier is told
 * how, before the owner pays twice. */
static void pay_order_note(struct pm_ctx *c, struct pm_db *db, const char *unit)
{
	char no[PM_PAY_NO_MAX], buf[PM_MONEY_BUF], at[PM_TIME_BUF];
	int64_t amount, expires;
	struct pm_err e = {0};

	if (pm_pay_order_waiting(db, unit, no, &amount, &expires, &e) > 0)
		pm_cli_note(c, _("unit '%s' has online order %s for %s payable until %s: if the owner pays it too,"
				 " that goes to prepaid; 'pm-pay close %s' ends it"),
			    unit, no, pm_money_fmt(amount, buf), pm_time_fmt(expires, pm_db_tz(db), at), no);
}

static int cmd_pay(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_import im = {.action = "bill.pay", .mode = PM_JSONL_ONLY, .fields = pm_pay_fields,
			       .outcomes = pm_pay_names, .record = pay_record, .ctx = c, .batch = 1000};
	struct pay_args a = {.im = &im};
	struct pm_cli_pay pay = {0};
	const char **f = a.f;
	enum pm_pay_did did;
	struct pm_pay p;
	struct pm_db *db;
	json_t *rec, *out;
	int rc;

	if (pm_cli_pay_opts(c, argc, argv, &pay, pay_opt, &a))
		return c->stop;
	f[0] = pay.unit;
	f[2] = pay.channel;
	f[3] = pay.ref;
	if (c->optind < argc)
		return pay_stream(c, &im, argc - c->optind, argv + c->optind);
	if (!f[0] || !f[1] || !f[2] || (!f[3] && strcmp(f[2], "cash")))
		return pm_cli_usage(c, _("expected --unit, --amount, --channel and --ref (cash needs none),"
					 " or - to read JSON lines"));
	if (a.again && f[3])
		return pm_cli_usage(c, _("--again is for cash without --ref: a ref tells payments apart"));
	if (pm_cli_arg_money(c, "--amount", f[1], &p.amount) || (f[5] && pm_cli_arg_time(c, "--at", f[5], &p.at)))
		return PM_EUSAGE;
	if (p.amount <= 0)
		return pm_cli_usage(c, _("--amount: must be more than 0"));
	rec = json_object();
	for (int i = 0; i < 6; i++)
		if (f[i])
			json_object_set_new(rec, pm_pay_fields[i], json_string(f[i]));
	rc = pm_pay_parse(rec, &p, &c->err);
	p.again = a.again;
	if (rc == PM_OK && (rc = pm_cli_db(c, "bill.pay", &db)) == PM_OK && f[5] &&
	    pm_bill_pay_time(db, p.at, "--at", &c->err))
		rc = pm_cli_usage(c, "%s", c->err.msg);
	if (rc == PM_OK && (rc = pm_bill_pay_one(db, &p, &did, &out, &c->err)) == PM_OK) {
		pay_held_note(c, p.bill, out);
		if (did == PM_PAY_RECORDED)
			pay_order_note(c, db, p.unit);
		rc = pm_cli_out_new(c, out);
	}
	json_decref(rec);
	return rc;
}

/* ---- reward points on the parking lines (停车优惠) ---- */

static const struct pm_opt pay_points_opts[] = {
	{"points", O_POINTS, "N", N_("so many points, rewards.parking.points_per_fen a fen (required)")},
	{"ref", O_REF, "REF", N_("the desk's reference: the same again records nothing twice")},
	{"unit", O_UNIT, "CODE", N_("whose points: a unit of the space's owner (default the bill's unit)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_pay_points(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_bill_points p = {.at = pm_now()};
	const char *arg, *points = NULL;
	enum pm_pay_did did;
	struct pm_db *db;
	json_t *out;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_POINTS: points = arg; break;
		case O_REF: p.ref = arg; break;
		case O_UNIT: p.unit = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (argc - c->optind != 1 || !points || !p.ref)
		return pm_cli_usage(c, _("expected BILL, --points N and --ref REF"));
	if (pm_cli_arg_count(c, "--points", points, &p.points))
		return PM_EUSAGE;
	p.bill = argv[c->optind];
	if (pm_cli_db(c, "bill.points", &db) || pm_bill_may_spend_points(db, &c->actor, p.bill, p.unit, &c->err) ||
	    pm_bill_pay_points(db, &p, &did, &out, &c->err))
		return c->err.code == PM_EUSAGE ? pm_cli_usage(c, "%s", c->err.msg) : c->err.code;
	if (did == PM_PAY_DUPLICATE)
		pm_cli_note(c, _("payment 'points:%s' is recorded already: nothing changed"), p.ref);
	return pm_cli_out_new(c, out);
}

/* ---- notes, voids, refunds ---- */

static const struct pm_opt void_opts[] = {
	{"reason", O_REASON, "TEXT", N_("why (required)")},
	{NULL, 0, NULL, NULL},
};

static const struct pm_opt adjust_opts[] = {
	{"amount", O_AMOUNT, "YUAN", N_("credit (negative) or debit (positive) (required)")},
	{"reason", O_REASON, "TEXT", N_("why (required)")},
	{NULL, 0, NULL, NULL},
};

static const struct pm_opt refund_opts[] = {
	{"amount", O_AMOUNT, "YUAN", N_("how much of the payment to give back (required)")},
	{"reason", O_REASON, "TEXT", N_("why (required)")},
	{NULL, 0, NULL, NULL},
};

/* BILL or PAYMENT with --reason, and --amount when amount is not NULL:
 * PM_OK, or -1 after --help, or the usage error. */
static int change_opts(struct pm_ctx *c, int argc, char **argv, const char **reason, const char **amount,
		       const char *what)
{
	const char *arg;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_REASON: *reason = arg; break;
		case O_AMOUNT: if (amount) *amount = arg; break;
		}
	if (k < 0)
		return c->stop ? c->stop : -1;
	if (argc - c->optind != 1 || !*reason || !**reason || (amount && !*amount))
		return pm_cli_usage(c, "%s", what);
	return PM_OK;
}

static int cmd_void(struct pm_ctx *c, int argc, char **argv)
{
	const char *reason = NULL;
	struct pm_db *db;
	json_t *out;
	int rc;

	if ((rc = change_opts(c, argc, argv, &reason, NULL, _("expected one BILL and --reason TEXT"))))
		return rc < 0 ? PM_OK : rc;
	if (pm_cli_db(c, "bill.void", &db) || pm_bill_void(db, argv[c->optind], reason, &out, &c->err))
		return c->err.code;
	return pm_cli_out_new(c, out);
}

static int cmd_adjust(struct pm_ctx *c, int argc, char **argv)
{
	const char *reason = NULL, *amount = NULL;
	struct pm_db *db;
	int64_t fen;
	json_t *out;
	int rc;

	if ((rc = change_opts(c, argc, argv, &reason, &amount, _("expected one BILL, --amount and --reason"))))
		return rc < 0 ? PM_OK : rc;
	if ((rc = pm_cli_arg_money(c, "--amount", amount, &fen)))
		return rc;
	if (pm_cli_db(c, "bill.adjust", &db) || pm_bill_adjust(db, argv[c->optind], fen, reason, &out, &c->err))
		return c->err.code;
	return pm_cli_out_new(c, out);
}

static int cmd_refund(struct pm_ctx *c, int argc, char **argv)
{
	const char *reason = NULL, *amount = NULL;
	struct pm_db *db;
	int64_t fen, id;
	json_t *out;
	int rc;

	if ((rc = change_opts(c, argc, argv, &reason, &amount, _("expected one PAYMENT id, --amount and --reason"))))
		return rc < 0 ? PM_OK : rc;
	if ((rc = pm_cli_arg_count(c, "PAYMENT", argv[c->optind], &id)) ||
	    (rc = pm_cli_arg_money(c, "--amount", amount, &fen)))
		return rc;
	if (pm_cli_db(c, "bill.refund", &db) || pm_bill_refund(db, id, fen, reason, &out, &c->err))
		return c->err.code;
	return pm_cli_out_new(c, out);
}

/* ---- receipts ---- */

static const struct pm_opt receipt_opts[] = {
	{"void", O_VOID, NULL, N_("void the payment's receipt (it keeps its number); the next print takes a new one")},
	{"reason", O_REASON, "TEXT", N_("why it is void (required with --void)")},
	{"output", O_OUTPUT, "FILE", N_("also write the printable page (HTML) to FILE; - for stdout alone")},
	{"paper", O_PAPER, "PAPER", N_("a5 (default) or 80mm thermal roll")},
	{NULL, 0, NULL, NULL},
};

/* The record on stdout, and the page in output unless NULL ("-": the page
 * on stdout instead of the record). */
static int receipt_out(struct pm_ctx *c, struct pm_db *db, json_t *out, const char *output,
		       enum pm_receipt_paper paper)
{
	int rc = PM_OK;

	if (output && strcmp(output, "-") == 0)
		rc = pm_receipt_html(db, out, paper, stdout, &c->err);
	else if (output && (rc = pm_receipt_file(db, out, paper, output, &c->err)) == PM_OK)
		pm_cli_note(c, _("receipt %s written to '%s'"), json_string_value(json_object_get(out, "receipt")),
			    output);
	if (rc || (output && strcmp(output, "-") == 0)) {
		json_decref(out);
		return rc;
	}
	return pm_cli_out_new(c, out);
}

static int cmd_receipt(struct pm_ctx *c, int argc, char **argv)
{
	const char *reason = NULL, *output = NULL, *arg;
	enum pm_receipt_paper paper = PM_PAPER_A5;
	struct pm_db *db;
	int64_t id;
	json_t *out;
	int k, is_void = 0;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_VOID: is_void = 1; break;
		case O_REASON: reason = arg; break;
		case O_OUTPUT: output = arg; break;
		case O_PAPER:
			if (pm_receipt_paper(arg, &paper, &c->err))
				return pm_cli_usage(c, "%s", c->err.msg);
			break;
		}
	if (k < 0)
		return c->stop;
	if (argc - c->optind != 1 || (is_void && !reason))
		return pm_cli_usage(c, _("expected one PAYMENT id (and --reason TEXT with --void)"));
	if (pm_cli_arg_count(c, "PAYMENT", argv[c->optind], &id))
		return PM_EUSAGE;
	if (output && strcmp(output, "-") && access(output, F_OK) == 0 && isatty_path(output))
		return pm_cli_usage(c, _("'%s' is a terminal: give --output a file"), output);
	if (pm_cli_db(c, is_void ? "bill.receipt.void" : "bill.receipt", &db) ||
	    (is_void ? pm_receipt_void(db, id, reason, &out, &c->err) : pm_receipt_get(db, id, &out, &c->err)))
		return c->err.code;
	return receipt_out(c, db, out, output, paper);
}

/* ---- deposits ---- */

static const struct pm_opt deposit_opts[] = {
	{"unit", O_UNIT, "CODE", N_("the unit (required)")},
	{"kind", O_KIND, "KIND", N_("renovation, key, card or other (required)")},
	{"amount", O_AMOUNT, "YUAN", N_("how much (required)")},
	{"reason", O_REASON, "TEXT", N_("why (required)")},
	{"evidence", O_EVIDENCE, "TEXT", N_("what shows it: a form number, an inspection, a photo (required)")},
	{"channel", O_CHANNEL, "NAME", N_("take, refund: the channel money moves through (default cash)")},
	{"ref", O_REF, "REF", N_("the desk's reference: the same again records nothing twice")},
	{"again", O_AGAIN, NULL, N_("without --ref: a second movement of the same, not a repeat")},
	{NULL, 0, NULL, NULL},
};

static int deposit_cmd(struct pm_ctx *c, int argc, char **argv, enum pm_deposit_action action)
{
	static const char *const permission[] = {"bill.deposit", "bill.deposit.release", "bill.deposit.release"};
	struct pm_deposit d = {.action = action};
	const char *amount = NULL, *arg;
	struct pm_db *db;
	json_t *out;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_UNIT: d.unit = arg; break;
		case O_KIND: d.kind = arg; break;
		case O_AMOUNT: amount = arg; break;
		case O_REASON: d.reason = arg; break;
		case O_EVIDENCE: d.evidence = arg; break;
		case O_CHANNEL: d.channel = arg; break;
		case O_REF: d.ref = arg; break;
		case O_AGAIN: d.again = 1; break;
		}
	if (k < 0)
		return c->stop;
	if (c->optind < argc || !d.unit || !d.kind || !amount || !d.reason || !d.evidence)
		return pm_cli_usage(c, _("expected --unit, --kind, --amount, --reason and --evidence"));
	if (d.again && d.ref)
		return pm_cli_usage(c, _("--again is for a movement without --ref: a ref tells movements apart"));
	if (action == PM_DEPOSIT_FORFEIT && d.channel)
		return pm_cli_usage(c, _("a forfeited deposit stays with the company: no --channel"));
	if (pm_deposit_kind(d.kind, &c->err))
		return pm_cli_usage(c, "%s", c->err.msg);
	if (pm_cli_arg_money(c, "--amount", amount, &d.amount))
		return PM_EUSAGE;
	if (pm_cli_db(c, permission[action], &db) || pm_deposit_move(db, &d, &out, &c->err))
		return c->err.code;
	return pm_cli_out_new(c, out);
}

static int cmd_deposit_take(struct pm_ctx *c, int argc, char **argv)
{
	return deposit_cmd(c, argc, argv, PM_DEPOSIT_TAKE);
}

static int cmd_deposit_refund(struct pm_ctx *c, int argc, char **argv)
{
	return deposit_cmd(c, argc, argv, PM_DEPOSIT_REFUND);
}

static int cmd_deposit_forfeit(struct pm_ctx *c, int argc, char **argv)
{
	return deposit_cmd(c, argc, argv, PM_DEPOSIT_FORFEIT);
}

static const struct pm_opt deposit_list_opts[] = {
	{"unit", O_UNIT, "CODE", N_("only this unit")},
	{"entries", O_ENTRIES, NULL, N_("each movement with what was held after it")},
	{"all", O_ALL, NULL, N_("also deposits given back or kept in full")},
	{NULL, 0, NULL, NULL},
};

static int cmd_deposit_list(struct pm_ctx *c, int argc, char **argv)
{
	const char *unit = NULL, *arg;
	int k, entries = 0, all = 0;
	struct pm_db *db;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_UNIT: unit = arg; break;
		case O_ENTRIES: entries = 1; break;
		case O_ALL: all = 1; break;
		}
	if (k < 0)
		return c->stop;
	if (pm_cli_db(c, NULL, &db) || pm_bill_may_read(db, &c->actor, NULL, unit, &c->err))
		return c->err.code;
	return pm_deposit_each(db, unit, entries, all, pm_cli_out_each, c, &c->err);
}

static const struct pm_cmd deposit_cmds[] = {
	{"take", cmd_deposit_take, NULL, N_("take a deposit (押金) for a unit"), deposit_opts, NULL},
	{"refund", cmd_deposit_refund, NULL, N_("give a deposit back, up to what is held"), deposit_opts, NULL},
	{"forfeit", cmd_deposit_forfeit, NULL, N_("keep a deposit as income, up to what is held"), deposit_opts, NULL},
	{"list", cmd_deposit_list, NULL, N_("what is held per unit and kind, or each movement"), deposit_list_opts,
	 NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

/* ---- late fees ---- */

static const struct pm_opt late_opts[] = {
	{"as-of", O_AS_OF, "DATE", N_("charge to this day (default today)")},
	PM_OPT_FORCE_AHEAD,
	{NULL, 0, NULL, NULL},
};

/* The options of the runs that work to a day (--as-of, default today,
 * --force), and the store with permission: PM_OK, or the code to return. */
static int as_of_args(struct pm_ctx *c, int argc, char **argv, const char *permission,
		      struct pm_db **db, int32_t *day)
{
	const char *as_of;
	int force;

	if (pm_cli_as_of_opts(c, argc, argv, O_AS_OF, &as_of, &force) < 0)
		return c->stop ? c->stop : -1;
	if (pm_cli_db(c, permission, db))
		return c->err.code;
	return pm_cli_as_of_day(c, *db, as_of, force, day);
}

static int cmd_late_fees(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_late_run r = {.fn = pm_cli_out_each, .ctx = c};
	struct pm_db *db;
	int rc;

	if ((rc = as_of_args(c, argc, argv, "bill.adjust", &db, &r.as_of)))
		return rc < 0 ? PM_OK : rc;
	if (pm_bill_late_fees(db, &r, &c->err))
		return c->err.code;
	pm_cli_note(c, _("%ld late fees charged (%s)"), r.charged, pm_money_display(r.total, (char[PM_MONEY_BUF]){0}));
	return PM_OK;
}

/* ---- arrears chasing (催缴) ---- */

static const struct pm_opt dunning_opts[] = {
	{"as-of", O_AS_OF, "DATE", N_("the day counted to (default today)")},
	PM_OPT_FORCE_AHEAD,
	{"report", O_REPORT, NULL, N_("list each unit's stage, last contact and promise; change nothing")},
	{"unit", O_UNIT, "CODE", N_("--report: only this unit")},
	{NULL, 0, NULL, NULL},
};

static int cmd_dunning(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_dunning_run r = {.fn = pm_cli_out_each, .ctx = c};
	const char *as_of = NULL, *unit = NULL, *arg;
	struct pm_db *db;
	int k, report = 0, force = 0;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_AS_OF: as_of = arg; break;
		case PM_OPT_FORCE: force = 1; break;
		case O_REPORT: report = 1; break;
		case O_UNIT: unit = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (c->optind < argc)
		return pm_cli_usage(c, _("unexpected argument '%s'"), argv[c->optind]);
	if (unit && !report)
		return pm_cli_usage(c, _("--unit is for --report: a run chases every unit"));
	if (pm_cli_db(c, report ? "bill.read" : "bill.dunning", &db))
		return c->err.code;
	/* A report changes nothing: it may look at any day. */
	if (pm_cli_as_of_day(c, db, as_of, force || report, &r.as_of))
		return PM_EUSAGE;
	if (report)
		return pm_bill_may_read(db, &c->actor, NULL, unit, &c->err) ? c->err.code
			: pm_dunning_each(db, r.as_of, unit, pm_cli_out_each, c, &c->err);
	if (pm_dunning_run(db, &c->actor, &r, &c->err))
		return c->err.code;
	pm_cli_note(c, _("%ld stages entered: %ld messages queued, %ld tasks filed; promises kept %ld, broken %ld"),
		    r.entered, r.queued, r.tasks, r.kept, r.broken);
	return PM_OK;
}

static const struct pm_opt contact_opts[] = {
	{"by", O_BY, "MEANS", N_("phone, visit or letter (required)")},
	{"result", O_RESULT, "RESULT", N_("promised, refused or unreachable (required)")},
	{"note", O_NOTE, "TEXT", N_("what was said (required)")},
	{"promise-date", O_PROMISE_DATE, "DATE", N_("with --result promised: the day promised to pay by")},
	{NULL, 0, NULL, NULL},
};

static int cmd_contact(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_contact ct = {.promise = -1};
	const char *promise = NULL, *arg;
	struct pm_db *db;
	json_t *out;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_BY: ct.by = arg; break;
		case O_RESULT: ct.result = arg; break;
		case O_NOTE: ct.note = arg; break;
		case O_PROMISE_DATE: promise = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (argc - c->optind != 1)
		return pm_cli_usage(c, _("expected one UNIT"));
	ct.unit = argv[c->optind];
	if (promise && pm_cli_arg_date(c, "--promise-date", promise, &ct.promise))
		return PM_EUSAGE;
	if (pm_contact_check(&ct, &c->err))
		return pm_cli_usage(c, "%s", c->err.msg);
	if (pm_cli_db(c, "bill.contact", &db) || pm_dunning_contact(db, &ct, &out, &c->err))
		return c->err.code;
	return pm_cli_out_new(c, out);
}

static const struct pm_opt letter_opts[] = {
	{"as-of", O_AS_OF, "DATE", N_("the debt as of this day (default today)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_letter(struct pm_ctx *c, int argc, char **argv)
{
	const char *as_of = NULL, *arg;
	struct pm_db *db;
	int32_t day;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if (k == O_AS_OF)
			as_of = arg;
	if (k < 0)
		return c->stop;
	if (argc - c->optind != 1)
		return pm_cli_usage(c, _("expected one UNIT"));
	if (c->format_given)
		return pm_cli_usage(c, _("a letter is HTML: it takes no --format"));
	if (pm_cli_db(c, "bill.contact", &db) || pm_bill_may_read(db, &c->actor, NULL, argv[c->optind], &c->err))
		return c->err.code;
	day = pm_db_today(db);
	if (as_of && pm_cli_arg_date(c, "--as-of", as_of, &day))
		return PM_EUSAGE;
	return pm_dunning_letter(db, argv[c->optind], day, stdout, &c->err);
}

/* ---- contracts and common-area income (公共收益) ---- */

static const struct pm_opt contract_add_opts[] = {
	{"party", O_PARTY, "NAME", N_("the merchant or supplier (required)")},
	{"kind", O_KIND, "KIND", N_("income (for the owners) or expense (paid from it) (required)")},
	{"object", O_OBJECT, "TEXT", N_("what it is for: 'elevator ads, building 3' (required)")},
	{"from", O_FROM, "DATE", N_("first day (required)")},
	{"to", O_TO, "DATE", N_("last day (required)")},
	{"amount", O_AMOUNT, "YUAN", N_("amount per period (required)")},
	{"every", O_EVERY, "PERIOD", N_("month, quarter or year (required)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_contract_add(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_contract_new ct = {0};
	const char *from = NULL, *to = NULL, *amount = NULL, *arg;
	struct pm_db *db;
	json_t *out;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_PARTY: ct.party = arg; break;
		case O_KIND: ct.kind = arg; break;
		case O_OBJECT: ct.object = arg; break;
		case O_FROM: from = arg; break;
		case O_TO: to = arg; break;
		case O_AMOUNT: amount = arg; break;
		case O_EVERY: ct.every = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (c->optind < argc || !ct.party || !ct.kind || !ct.object || !from || !to || !amount || !ct.every)
		return pm_cli_usage(c, _("expected --party, --kind, --object, --from, --to, --amount and --every"));
	if (pm_cli_arg_date(c, "--from", from, &ct.from) || pm_cli_arg_date(c, "--to", to, &ct.to) ||
	    pm_cli_arg_money(c, "--amount", amount, &ct.amount))
		return PM_EUSAGE;
	if (pm_contract_check(&ct, &c->err))
		return pm_cli_usage(c, "%s", c->err.msg);
	if (pm_cli_db(c, "bill.contract", &db) || pm_contract_add(db, &ct, &out, &c->err))
		return c->err.code;
	return pm_cli_out_new(c, out);
}

static const struct pm_opt contract_list_opts[] = {
	{"expiring", O_EXPIRING, NULL, N_("only those ending within 60 days, not renewed")},
	{"within", O_WITHIN, "DAYS", N_("--expiring: within this many days instead")},
	{NULL, 0, NULL, NULL},
};

static int cmd_contract_list(struct pm_ctx *c, int argc, char **argv)
{
	const char *arg;
	struct pm_db *db;
	int64_t within = 60;
	int k, expiring = 0;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_EXPIRING: expiring = 1; break;
		case O_WITHIN:
			if (pm_cli_arg_count(c, "--within", arg, &within))
				return PM_EUSAGE;
			if (within > 3650)
				return pm_cli_usage(c, _("--within: at most 3650 days"));
			break;
		}
	if (k < 0)
		return c->stop;
	if (c->optind < argc)
		return pm_cli_usage(c, _("unexpected argument '%s'"), argv[c->optind]);
	if (pm_cli_db(c, "bill.contract", &db))
		return c->err.code;
	return pm_contract_each(db, pm_db_today(db), expiring ? (int)within : -1, pm_cli_out_each, c, &c->err);
}

/* The CONTRACT operand: PM_OK with *id, or the usage error. */
static int contract_arg(struct pm_ctx *c, int argc, char **argv, int64_t *id)
{
	if (argc - c->optind != 1)
		return pm_cli_usage(c, _("expected one CONTRACT"));
	return pm_cli_arg_count(c, "CONTRACT", argv[c->optind], id);
}

static const struct pm_opt contract_renew_opts[] = {
	{"to", O_TO, "DATE", N_("the renewal's last day (required)")},
	{"amount", O_AMOUNT, "YUAN", N_("a new amount per period (default: the same)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_contract_renew(struct pm_ctx *c, int argc, char **argv)
{
	const char *to = NULL, *amount = NULL, *arg;
	int64_t id, fen = 0;
	struct pm_db *db;
	int32_t day;
	json_t *out;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_TO: to = arg; break;
		case O_AMOUNT: amount = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (contract_arg(c, argc, argv, &id))
		return PM_EUSAGE;
	if (!to)
		return pm_cli_usage(c, _("--to DATE is required"));
	if (pm_cli_arg_date(c, "--to", to, &day) || (amount && pm_cli_arg_money(c, "--amount", amount, &fen)))
		return PM_EUSAGE;
	if (amount && fen <= 0)
		return pm_cli_usage(c, _("--amount: more than 0 a period"));
	if (pm_cli_db(c, "bill.contract", &db) || pm_contract_renew(db, id, day, fen, &out, &c->err))
		return c->err.code == PM_EUSAGE ? pm_cli_usage(c, "%s", c->err.msg) : c->err.code;
	return pm_cli_out_new(c, out);
}

static const struct pm_opt contract_terminate_opts[] = {
	{"on", O_ON, "DATE", N_("the last day it runs (required)")},
	{"reason", O_REASON, "TEXT", N_("why (required)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_contract_terminate(struct pm_ctx *c, int argc, char **argv)
{
	const char *on = NULL, *reason = NULL, *arg;
	struct pm_db *db;
	json_t *out, *v;
	int32_t day;
	int64_t id;
	size_t i;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_ON: on = arg; break;
		case O_REASON: reason = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (contract_arg(c, argc, argv, &id))
		return PM_EUSAGE;
	if (!on || !reason || !*reason)
		return pm_cli_usage(c, _("expected --on DATE and --reason TEXT"));
	if (pm_cli_arg_date(c, "--on", on, &day))
		return PM_EUSAGE;
	if (pm_cli_db(c, "bill.contract", &db) || pm_contract_terminate(db, id, day, reason, &out, &c->err))
		return c->err.code;
	json_array_foreach(json_object_get(out, "ended_with"), i, v)
		pm_cli_note(c, _("contract %lld, its renewal, ended with it"), (long long)json_integer_value(v));
	return pm_cli_out_new(c, out);
}

static const struct pm_opt contract_pay_opts[] = {
	{"amount", O_AMOUNT, "YUAN", N_("received from the party (income) or paid to it (expense) (required)")},
	{"channel", O_CHANNEL, "NAME", N_("one of payments.channels (required)")},
	{"ref", O_REF, "REF", N_("the channel's reference: the same again records nothing twice")},
	{"again", O_AGAIN, NULL, N_("without --ref: a second payment of the same, not a repeat")},
	{NULL, 0, NULL, NULL},
};

static int cmd_contract_pay(struct pm_ctx *c, int argc, char **argv)
{
	const char *amount = NULL, *channel = NULL, *ref = NULL, *arg;
	struct pm_db *db;
	int64_t id, fen;
	json_t *out;
	int k, again = 0;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_AMOUNT: amount = arg; break;
		case O_CHANNEL: channel = arg; break;
		case O_REF: ref = arg; break;
		case O_AGAIN: again = 1; break;
		}
	if (k < 0)
		return c->stop;
	if (contract_arg(c, argc, argv, &id))
		return PM_EUSAGE;
	if (!amount || !channel)
		return pm_cli_usage(c, _("expected --amount and --channel"));
	if (again && ref)
		return pm_cli_usage(c, _("--again is for a payment without --ref: a ref tells payments apart"));
	if (pm_cli_arg_money(c, "--amount", amount, &fen))
		return PM_EUSAGE;
	if (pm_cli_db(c, "bill.contract", &db) || pm_contract_pay(db, id, fen, channel, ref, again, &out, &c->err))
		return c->err.code;
	return pm_cli_out_new(c, out);
}

static int cmd_contract_run(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_contract_run r = {.fn = pm_cli_out_each, .ctx = c};
	struct pm_db *db;
	int rc;

	if ((rc = as_of_args(c, argc, argv, "bill.contract", &db, &r.as_of)))
		return rc < 0 ? PM_OK : rc;
	if (pm_contract_run(db, &r, &c->err))
		return c->err.code;
	pm_cli_note(c, _("%ld periods charged: income %s, expenses %s"), r.charged,
		    pm_money_display(r.income, (char[PM_MONEY_BUF]){0}),
		    pm_money_display(r.expense, (char[PM_MONEY_BUF]){0}));
	return PM_OK;
}

static const struct pm_opt contract_run_opts[] = {
	{"as-of", O_AS_OF, "DATE", N_("charge the periods begun by this day (default today)")},
	PM_OPT_FORCE_AHEAD,
	{NULL, 0, NULL, NULL},
};

static const struct pm_cmd contract_cmds[] = {
	{"add", cmd_contract_add, NULL, N_("a contract with a merchant (income) or supplier (expense)"),
	 contract_add_opts, NULL},
	{"list", cmd_contract_list, NULL, N_("contracts with what they charged and what is owed; those expiring"),
	 contract_list_opts, NULL},
	{"renew", cmd_contract_renew, "CONTRACT", N_("a new contract on the same terms from the day after its end"),
	 contract_renew_opts, NULL},
	{"terminate", cmd_contract_terminate, "CONTRACT", N_("end it early: the days not used are credited"),
	 contract_terminate_opts, NULL},
	{"pay", cmd_contract_pay, "CONTRACT", N_("money received from the party, or paid to it"), contract_pay_opts,
	 NULL},
	{"run", cmd_contract_run, NULL, N_("charge the periods due, once each (for cron)"), contract_run_opts, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

/* ---- reconciliation ---- */

static const struct pm_opt reconcile_opts[] = {
	{"channel", O_CHANNEL, "NAME", N_("the channel the statement is of (required)")},
	PM_IMPORT_OPTS,
	{NULL, 0, NULL, NULL},
};

static int reconcile_record(void *ctx, json_t *rec, int *outcome, struct pm_err *e)
{
	*outcome = 0;
	return pm_reconcile_add(ctx, rec, e);
}

/* The comparison, after the statement was read with result rc. */
static int reconcile_report(struct pm_ctx *c, struct pm_db *db, struct pm_reconcile *r, int rc)
{
	long n[PM_RECON_NSTATUS], differ;
	int run = pm_reconcile_run(db, r, pm_cli_out_each, c, n, &c->err);

	if (run)
		return run;
	differ = n[PM_RECON_MISSING_IN_STORE] + n[PM_RECON_MISSING_IN_STATEMENT] + n[PM_RECON_AMOUNT_MISMATCH];
	pm_cli_note(c, _("%ld matched, %ld missing in the store, %ld missing in the statement, %ld amounts differ"),
		    n[PM_RECON_MATCHED], n[PM_RECON_MISSING_IN_STORE], n[PM_RECON_MISSING_IN_STATEMENT],
		    n[PM_RECON_AMOUNT_MISMATCH]);
	if (differ && rc == PM_OK)
		return pm_err_set(&c->err, PM_EDATA, _("the statement and the store differ in %ld records"), differ);
	return rc;
}

static int cmd_reconcile(struct pm_ctx *c, int argc, char **argv)
{
	static const char *const read[] = {N_("entries"), NULL};
	struct pm_import im = {.action = "bill.reconcile", .mode = PM_JSONL_OR_CSV, .fields = pm_reconcile_fields,
			       .outcomes = read, .record = reconcile_record};
	const char *channel = NULL, *arg;
	struct pm_reconcile *r;
	struct pm_db *db;
	int k, rc;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_CHANNEL: channel = arg; break;
		default: pm_import_opt(&im, k, arg);
		}
	if (k < 0)
		return c->stop;
	if (!channel || !*channel || argc - c->optind != 1)
		return pm_cli_usage(c, _("expected one FILE (- for stdin) and --channel NAME"));
	if (pm_cli_db(c, "bill.reconcile", &db) || pm_pay_channel_listed(db, channel, &c->err) ||
	    pm_reconcile_new(channel, &r, &c->err))
		return c->err.code;
	im.ctx = r;
	rc = pm_import_run(c, &im, 1, argv + c->optind);
	if (rc == PM_OK || (rc == PM_EDATA && !im.strict))
		rc = reconcile_report(c, db, r, rc);
	pm_reconcile_free(r);
	return rc;
}

/* ---- exports ---- */

static const struct pm_opt export_opts[] = {
	{"period", O_PERIOD, "YYYY-MM", N_("the billing period (required)")},
	{"file-format", O_FILE_FORMAT, "FMT", N_("csv (default; xlsx for an --output FILE.xlsx), xlsx, or invoice-csv for an e-invoicing system")},
	{"output", O_OUTPUT, "FILE", N_("write to FILE (required for xlsx)")},
	{"bom", O_BOM, NULL, N_("csv: begin with a UTF-8 byte order mark, for Excel")},
	{NULL, 0, NULL, NULL},
};

static int cmd_export(struct pm_ctx *c, int argc, char **argv)
{
	const char *period = NULL, *format = NULL, *output = NULL, *arg;
	struct pm_period p;
	struct pm_db *db;
	int k, rc, bom = 0, xlsx, invoice;
	size_t n;
	long rows = 0;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_PERIOD: period = arg; break;
		case O_FILE_FORMAT: format = arg; break;
		case O_OUTPUT: output = arg; break;
		case O_BOM: bom = 1; break;
		}
	if (k < 0)
		return c->stop;
	if ((rc = period_arg(c, period, &p)))
		return rc;
	if (c->format_given)
		return pm_cli_usage(c, _("an export is CSV, xlsx or invoice-csv: choose with --file-format, not --format"));
	/* A workbook when --output names one, as pm-report's: CSV in a
	 * file called .xlsx opened as a broken workbook. */
	if (!format)
		format = output && (n = strlen(output)) > 5 && strcmp(output + n - 5, ".xlsx") == 0 ? "xlsx" : "csv";
	if (strcmp(format, "csv") && strcmp(format, "xlsx") && strcmp(format, "invoice-csv"))
		return pm_cli_usage(c, _("unknown --file-format '%s': expected csv, xlsx or invoice-csv"), format);
	xlsx = strcmp(format, "xlsx") == 0;
	invoice = strcmp(format, "invoice-csv") == 0;
	if (xlsx && (!output || strcmp(output, "-") == 0))
		return pm_cli_usage(c, _("an xlsx workbook goes to a file: give --output FILE"));
	if (output && strcmp(output, "-") && access(output, F_OK) == 0 && isatty_path(output))
		return pm_cli_usage(c, _("'%s' is a terminal: give --output a file"), output);
	if (pm_cli_db(c, "bill.export", &db))
		return c->err.code;
	if (xlsx)
		rc = pm_export_xlsx(db, period, output, &rows, &c->err);
	else if (output && strcmp(output, "-"))
		rc = (invoice ? pm_export_invoice_csv_file : pm_export_csv_file)(db, period, output, bom, &rows, &c->err);
	else
		rc = (invoice ? pm_export_invoice_csv : pm_export_csv)(db, period, stdout, bom, &rows, &c->err);
	if (rc == PM_OK)
		pm_cli_note(c, _("%ld bill lines exported"), rows);
	return rc;
}

/* ---- payment notices ---- */

static const struct pm_opt notice_opts[] = {
	{"period", O_PERIOD, "YYYY-MM", N_("every owed bill of the period")},
	{"file-format", O_FILE_FORMAT, "FMT", N_("html (the only one, and the default)")},
	{"output", O_OUTPUT, "DIR", N_("one file BILL.html per bill in DIR")},
	{NULL, 0, NULL, NULL},
};

struct codes {
	char **v;
	size_t n;
};

static int code_add(void *ctx, const char *bill)
{
	struct codes *cs = ctx;
	char **v = realloc(cs->v, (cs->n + 1) * sizeof *v);

	if (!v || !(v[cs->n] = strdup(bill))) {
		free(v ? v : cs->v);
		cs->v = NULL;
		cs->n = 0;
		return PM_EFAIL;
	}
	cs->v = v;
	cs->n++;
	return PM_OK;
}

static int notice_args(struct pm_ctx *c, int argc, char **argv, const char **period, const char **dir)
{
	const char *format = "html", *arg;
	struct pm_period p;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_PERIOD: *period = arg; break;
		case O_FILE_FORMAT: format = arg; break;
		case O_OUTPUT: *dir = arg; break;
		}
	if (k < 0)
		return -1;
	if (c->format_given)
		return pm_cli_usage(c, _("a notice is HTML: choose with --file-format, not --format"));
	if (strcmp(format, "html"))
		return pm_cli_usage(c, _("unknown --file-format '%s': expected html"), format);
	if ((argc - c->optind == 1) == (*period != NULL) || argc - c->optind > 1)
		return pm_cli_usage(c, _("expected one BILL or --period YYYY-MM"));
	if (*period && pm_cli_arg_period(c, "--period", *period, &p))
		return PM_EUSAGE;
	return PM_OK;
}

static int cmd_notice(struct pm_ctx *c, int argc, char **argv)
{
	const char *period = NULL, *dir = NULL;
	struct codes cs = {0};
	struct pm_db *db;
	int rc;

	if ((rc = notice_args(c, argc, argv, &period, &dir)))
		return rc < 0 ? c->stop : rc;
	if (pm_cli_db(c, NULL, &db) || pm_bill_may_read(db, &c->actor, period ? NULL : argv[c->optind], NULL, &c->err))
		return c->err.code;
	rc = period ? pm_notice_each(db, period, code_add, &cs, &c->err) : code_add(&cs, argv[c->optind]);
	if (rc == PM_EFAIL)
		rc = pm_err_set(&c->err, PM_EFAIL, _("out of memory"));
	if (rc == PM_OK)
		rc = dir ? pm_notice_files(db, (const char *const *)cs.v, cs.n, dir, &c->err)
			 : pm_notice_html(db, (const char *const *)cs.v, cs.n, stdout, &c->err);
	if (rc == PM_OK)
		pm_cli_note(c, _("%zu payment notices"), cs.n);
	for (size_t i = 0; i < cs.n; i++)
		free(cs.v[i]);
	free(cs.v);
	return rc;
}

/* ---- reward points ---- */

static const struct pm_opt rewards_opts[] = {
	{"as-of", O_AS_OF, "DATE", N_("grant what is due by this day (default today)")},
	PM_OPT_FORCE_AHEAD,
	{NULL, 0, NULL, NULL},
};

static int cmd_rewards(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_reward_run r = {.fn = pm_cli_out_each, .ctx = c};
	struct pm_db *db;
	int rc;

	if ((rc = as_of_args(c, argc, argv, "bill.rewards", &db, &r.as_of)))
		return rc < 0 ? PM_OK : rc;
	if (pm_reward_run(db, &r, &c->err))
		return c->err.code;
	pm_cli_note(c, _("%ld grants, %lld points"), r.granted, (long long)r.points);
	return PM_OK;
}

static const struct pm_opt points_opts[] = {
	{"unit", O_UNIT, "CODE", N_("the unit (required)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_points(struct pm_ctx *c, int argc, char **argv)
{
	const char *unit = NULL, *arg;
	struct pm_db *db;
	int64_t balance;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if (k == O_UNIT)
			unit = arg;
	if (k < 0)
		return c->stop;
	if (!unit)
		return pm_cli_usage(c, _("--unit CODE is required"));
	if (pm_cli_db(c, NULL, &db) || pm_bill_may_read(db, &c->actor, NULL, unit, &c->err) ||
	    pm_points_each(db, unit, pm_cli_out_each, c, &balance, &c->err))
		return c->err.code;
	pm_cli_note(c, _("unit '%s' has %lld points"), unit, (long long)balance);
	return PM_OK;
}

static const struct pm_cmd cmds[] = {
	{"run", cmd_run, NULL, N_("make the period's draft bills"), run_opts, NULL},
	{"issue", cmd_issue, NULL, N_("issue the period's drafts: post them, apply prepaid balances"), issue_opts, NULL},
	{"list", cmd_list, NULL, N_("list bills"), list_opts, NULL},
	{"show", cmd_show, "BILL", N_("a bill with its lines and breakdowns"), NULL, NULL},
	{"statement", cmd_statement, NULL, N_("a unit's charges, payments and notes with the balance"), statement_opts, NULL},
	{"pay", cmd_pay, "[-|FILE...]", N_("record a payment, or JSON lines of them"), pay_opts, NULL},
	{"pay-points", cmd_pay_points, "BILL", N_("pay a bill's parking lines with reward points (停车优惠)"),
	 pay_points_opts, NULL},
	{"void", cmd_void, "BILL", N_("void a bill with nothing paid"), void_opts, NULL},
	{"adjust", cmd_adjust, "BILL", N_("a credit or debit note on an issued bill"), adjust_opts, NULL},
	{"rebill", cmd_rebill, "BILL", N_("an issued bill against its inputs now: the note to make, per line"),
	 rebill_opts, NULL},
	{"refund", cmd_refund, "PAYMENT", N_("refund from the unit's prepaid balance"), refund_opts, NULL},
	{"receipt", cmd_receipt, "PAYMENT", N_("a payment's receipt (收据), numbered without gaps each year"), receipt_opts,
	 NULL},
	{"deposit", NULL, NULL, N_("deposits (押金): renovation, keys, access cards"), NULL, deposit_cmds},
	{"dunning", cmd_dunning, NULL, N_("arrears chasing (催缴): enter the plan's stages due, once; or --report"),
	 dunning_opts, NULL},
	{"contact", cmd_contact, "UNIT", N_("log a contact with a debtor and what came of it"), contact_opts, NULL},
	{"letter", cmd_letter, "UNIT", N_("the formal demand (催缴函) as HTML, with the statement"), letter_opts, NULL},
	{"contract", NULL, NULL, N_("contracts and the owners' common-area income (公共收益)"), NULL, contract_cmds},
	{"late-fees", cmd_late_fees, NULL, N_("charge late fees (违约金) on overdue bills"), late_opts, NULL},
	{"reconcile", cmd_reconcile, "FILE", N_("compare a channel's statement with the payments recorded"),
	 reconcile_opts, NULL},
	{"export", cmd_export, NULL, N_("the period's bill lines for finance, as CSV or xlsx"), export_opts, NULL},
	{"notice", cmd_notice, "[BILL]", N_("printable payment notices (缴费通知单), one A4 page per bill"), notice_opts,
	 NULL},
	{"rewards", cmd_rewards, NULL, N_("grant the reward points (积分) due, once"), rewards_opts, NULL},
	{"points", cmd_points, NULL, N_("a unit's reward points: history and balance"), points_opts, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct pm_prog prog = {
	"pm-bill", N_("pm-bill: bill runs, payments, prepaid balances, notes, statements"), cmds, NULL, NULL,
};

int main(int argc, char **argv)
{
	return pm_cli_main(&prog, argc, argv);
}
