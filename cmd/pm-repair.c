/* pm-repair: repair and complaint tickets, dispatch, SLA, ratings; the
 * asset register, scheduled inspections and patrol check-ins. */
#include <stdlib.h>
#include <string.h>

#include "pm/asset.h"
#include "pm/cli.h"
#include "pm/i18n.h"
#include "pm/import.h"
#include "pm/money.h"
#include "pm/patrol.h"
#include "pm/printq.h"
#include "pm/renovation.h"
#include "pm/stock.h"
#include "pm/ticket.h"
#include "pm/timeutil.h"

enum { O_UNIT = 0x100, O_CATEGORY, O_TEXT, O_REPORTER, O_CONTACT, O_PHOTO, O_ASSET, O_AREA,
       O_KIND, O_TO, O_REASON, O_NOTE, O_COST, O_PARTS, O_STARS, O_COMMENT,
       O_STATUS, O_ASSIGNEE, O_SINCE, O_BREACHED, O_AS_OF, O_ROUTE, O_POINT, O_AT, O_BY, O_DATE,
       O_CODE, O_NAME, O_LOCATION, O_MODEL, O_INSTALLED, O_WARRANTY, O_INTERVAL, O_ALL,
       O_FROM, O_CONTRACTOR, O_SCOPE, O_CHANNEL, O_RESULT, O_FORFEIT, O_ACTIVE, O_BUILDING,
       O_ITEM, O_MEASURE, O_MINIMUM, O_QTY, O_SUPPLIER, O_TICKET, O_BELOW, O_MOVES };

/* --date DAY, default today in the community's zone. */
static int parse_day(struct pm_ctx *c, const char *s, int32_t *day)
{
	if (!s) {
		*day = pm_db_today(c->db);
		return PM_OK;
	}
	return pm_cli_arg_date(c, "--date", s, day);
}

/* The ticket after a change, for the caller to see where it stands. */
static int show_ticket(struct pm_ctx *c, int64_t id)
{
	json_t *rec;

	if (pm_ticket_get(c->db, &c->actor, id, &rec, &c->err))
		return c->err.code;
	return pm_cli_out_new(c, rec);
}

/* ---- submit ---- */

static const struct pm_opt submit_opts[] = {
	{"unit", O_UNIT, "CODE", N_("the unit, like 3-2-1101 (owners: required, their own)")},
	{"category", O_CATEGORY, "NAME", N_("a category of the configuration: plumbing, noise, ...")},
	{"text", O_TEXT, "TEXT", N_("what is wrong")},
	{"reporter", O_REPORTER, "PERSON", N_("the person reporting, by code (owners: themselves)")},
	{"contact", O_CONTACT, "PHONE", N_("how to reach the reporter")},
	{"photo", O_PHOTO, "URL", N_("a photo of the problem")},
	{"asset", O_ASSET, "CODE", N_("the asset concerned, from the register")},
	{"area", O_AREA, "TEXT", N_("a public place, for tickets of no unit")},
	{"kind", O_KIND, "KIND", N_("repair, complaint or suggestion (default: the category's)")},
	PM_IMPORT_OPTS,
	{NULL, 0, NULL, NULL},
};

static void say_outcome(struct pm_ctx *c, int64_t id, enum pm_ticket_outcome did)
{
	if (did == PM_TICKET_REPEATED)
		pm_cli_note(c, _("ticket %lld is already open for this: recorded the report on it"), (long long)id);
	else
		pm_cli_note(c, _("filed ticket %lld"), (long long)id);
}

static int submit_record(void *ctx, json_t *rec, int *outcome, struct pm_err *e)
{
	struct pm_ctx *c = ctx;
	struct pm_ticket_new t;
	enum pm_ticket_outcome did;
	json_t *out;
	int64_t id;
	int rc;

	if (pm_ticket_from_json(rec, &t, e) || pm_ticket_submit(c->db, &c->actor, &t, &id, &did, e))
		return e->code;
	*outcome = (int)did;
	if ((rc = pm_ticket_get(c->db, &c->actor, id, &out, e)))
		return rc;
	json_object_set_new(out, "outcome", json_string(pm_ticket_outcome_names[did]));
	rc = pm_cli_out_new(c, out);
	return rc ? pm_err_set(e, rc, "%s", c->err.msg) : PM_OK;
}



static int submit_one(struct pm_ctx *c, struct pm_ticket_new *t)
{
	enum pm_ticket_outcome did;
	json_t *rec;
	int64_t id;

	if (!t->category || !t->text)
		return pm_cli_usage(c, _("--category and --text are required"));
	if (pm_ticket_submit_one(c->db, &c->actor, t, &id, &did, &c->err))
		return c->err.code;
	say_outcome(c, id, did);
	if (pm_ticket_get(c->db, &c->actor, id, &rec, &c->err))
		return c->err.code;
	json_object_set_new(rec, "outcome", json_string(pm_ticket_outcome_names[did]));
	return pm_cli_out_new(c, rec);
}

static int cmd_submit(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_import im = {.action = "ticket.import", .mode = PM_JSONL_ONLY, .fields = pm_ticket_fields,
			       .outcomes = pm_ticket_outcome_names, .record = submit_record, .ctx = c,
			       .batch = 1};
	struct pm_ticket_new t = {0};
	const char *arg;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_UNIT: t.unit = arg; break;
		case O_CATEGORY: t.category = arg; break;
		case O_TEXT: t.text = arg; break;
		case O_REPORTER: t.reporter = arg; break;
		case O_CONTACT: t.contact = arg; break;
		case O_PHOTO: t.photo = arg; break;
		case O_ASSET: t.asset = arg; break;
		case O_AREA: t.area = arg; break;
		case O_KIND: t.kind = arg; break;
		default: pm_import_opt(&im, k, arg);
		}
	if (k < 0)
		return c->stop;
	if (pm_cli_db(c, "ticket.submit", &c->db))
		return c->err.code;
	if (c->optind < argc)
		return pm_import_run(c, &im, argc - c->optind, argv + c->optind);
	return submit_one(c, &t);
}

/* ---- steps ---- */

static const struct pm_opt no_opts[] = {{NULL, 0, NULL, NULL}};

static const struct pm_opt assign_opts[] = {
	{"to", O_TO, "LOGIN", N_("the technician (or front desk, admin) to do it")},
	{NULL, 0, NULL, NULL},
};

static const struct pm_opt reason_opts[] = {
	{"reason", O_REASON, "TEXT", N_("why (required)")},
	{NULL, 0, NULL, NULL},
};

static const struct pm_opt resolve_opts[] = {
	{"note", O_NOTE, "TEXT", N_("what was done (required)")},
	{"cost", O_COST, "YUAN", N_("what the owner pays, like 120.00: charged on the unit's next bill")},
	{"parts", O_PARTS, "TEXT", N_("parts used: stock items as CODE:QTY,... are issued; other text is a note")},
	{NULL, 0, NULL, NULL},
};

static const struct pm_opt comment_opts[] = {
	{"text", O_TEXT, "TEXT", N_("the comment (required)")},
	{NULL, 0, NULL, NULL},
};

static const struct pm_opt rate_opts[] = {
	{"stars", O_STARS, "N", N_("1 to 5 (required)")},
	{"comment", O_COMMENT, "TEXT", N_("what the owner says")},
	{NULL, 0, NULL, NULL},
};

/* The one TICKET operand and the store. */
static int ticket_arg(struct pm_ctx *c, int argc, char **argv, int64_t *id)
{
	if (argc - c->optind != 1)
		return pm_cli_usage(c, _("expected one TICKET"));
	if (pm_ticket_id_parse(argv[c->optind], id, &c->err))
		return pm_cli_usage(c, "%s", c->err.msg);
	return pm_cli_db(c, NULL, &c->db);
}

static int run_step(struct pm_ctx *c, int argc, char **argv, enum pm_ticket_action act)
{
	struct pm_ticket_step s = {.cost_fen = PM_TICKET_NO_COST};
	const char *arg;
	int64_t id;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_TO: s.to = arg; break;
		case O_REASON: case O_NOTE: s.note = arg; break;
		case O_PARTS: s.parts = arg; break;
		case O_COST:
			if (pm_cli_arg_money(c, "--cost", arg, &s.cost_fen))
				return PM_EUSAGE;
			break;
		}
	if (k < 0)
		return c->stop;
	if (act == PM_TICKET_ASSIGN && !s.to)
		return pm_cli_usage(c, _("--to is required"));
	if ((act == PM_TICKET_HOLD || act == PM_TICKET_CANCEL || act == PM_TICKET_REOPEN) && !s.note)
		return pm_cli_usage(c, _("--reason is required"));
	if (act == PM_TICKET_RESOLVE && !s.note)
		return pm_cli_usage(c, _("--note is required"));
	if (ticket_arg(c, argc, argv, &id) || pm_ticket_do(c->db, &c->actor, id, act, &s, &c->err))
		return c->err.code ? c->err.code : PM_EUSAGE;
	return show_ticket(c, id);
}

#define STEP(fn, act) \
	static int fn(struct pm_ctx *c, int argc, char **argv) { return run_step(c, argc, argv, act); }
STEP(cmd_accept, PM_TICKET_ACCEPT)
STEP(cmd_assign, PM_TICKET_ASSIGN)
STEP(cmd_start, PM_TICKET_START)
STEP(cmd_hold, PM_TICKET_HOLD)
STEP(cmd_resolve, PM_TICKET_RESOLVE)
STEP(cmd_close, PM_TICKET_CLOSE)
STEP(cmd_cancel, PM_TICKET_CANCEL)
STEP(cmd_reopen, PM_TICKET_REOPEN)

static int cmd_comment(struct pm_ctx *c, int argc, char **argv)
{
	const char *text = NULL, *arg;
	int64_t id;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if (k == O_TEXT)
			text = arg;
	if (k < 0)
		return c->stop;
	if (!text)
		return pm_cli_usage(c, _("--text is required"));
	if (ticket_arg(c, argc, argv, &id) || pm_ticket_comment(c->db, &c->actor, id, text, &c->err))
		return c->err.code ? c->err.code : PM_EUSAGE;
	return show_ticket(c, id);
}

static int cmd_rate(struct pm_ctx *c, int argc, char **argv)
{
	const char *comment = NULL, *arg;
	int64_t id;
	int k, stars = 0;
	char *end;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_STARS:
			stars = (int)strtol(arg, &end, 10);
			if (*end || stars < 1 || stars > 5)
				return pm_cli_usage(c, _("--stars wants 1 to 5, not '%s'"), arg);
			break;
		case O_COMMENT: comment = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (!stars)
		return pm_cli_usage(c, _("--stars is required"));
	if (ticket_arg(c, argc, argv, &id) || pm_ticket_rate(c->db, &c->actor, id, stars, comment, &c->err))
		return c->err.code ? c->err.code : PM_EUSAGE;
	return show_ticket(c, id);
}

/* ---- reading ---- */

static int cmd_show(struct pm_ctx *c, int argc, char **argv)
{
	int64_t id;
	int rc;

	if (pm_cli_noopts(c, argc, argv))
		return c->stop;
	if (ticket_arg(c, argc, argv, &id))
		return c->err.code ? c->err.code : PM_EUSAGE;
	if ((rc = show_ticket(c, id)))
		return rc;
	/* The timeline is a second table under the ticket's. */
	if ((rc = pm_cli_next_table(c)))
		return rc;
	return pm_ticket_timeline(c->db, id, pm_cli_out_each, c, &c->err);
}

static const struct pm_opt list_opts[] = {
	{"status", O_STATUS, "STATUS", N_("only tickets in STATUS: submitted, assigned, resolved, ...")},
	{"kind", O_KIND, "KIND", N_("only repair, complaint, suggestion, inspection or collection tickets")},
	{"category", O_CATEGORY, "NAME", N_("only tickets of this category")},
	{"unit", O_UNIT, "CODE", N_("only tickets of this unit")},
	{"assignee", O_ASSIGNEE, "LOGIN", N_("only tickets assigned to LOGIN")},
	{"reporter", O_REPORTER, "PERSON", N_("only tickets PERSON reported, by the person's code")},
	{"since", O_SINCE, "TIME", N_("only tickets submitted at or after TIME (RFC 3339 or YYYY-MM-DD)")},
	{"breached", O_BREACHED, NULL, N_("only tickets past an SLA budget")},
	{"as-of", O_AS_OF, "TIME", N_("judge SLA clocks at TIME (default now)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_list(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_ticket_filter f = {0};
	const char *since = NULL, *as_of = NULL, *arg;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_STATUS: f.status = arg; break;
		case O_KIND: f.kind = arg; break;
		case O_CATEGORY: f.category = arg; break;
		case O_UNIT: f.unit = arg; break;
		case O_ASSIGNEE: f.assignee = arg; break;
		case O_REPORTER: f.reporter = arg; break;
		case O_SINCE: since = arg; break;
		case O_BREACHED: f.breached = 1; break;
		case O_AS_OF: as_of = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (c->optind < argc)
		return pm_cli_usage(c, _("unexpected argument '%s'"), argv[c->optind]);
	if (pm_cli_db(c, "ticket.read", &c->db))
		return c->err.code;
	if ((since && pm_cli_arg_when(c, "--since", since, &f.since)) ||
	    (as_of && pm_cli_arg_when(c, "--as-of", as_of, &f.as_of)))
		return PM_EUSAGE;
	if (f.status && pm_ticket_status_parse(f.status, &(enum pm_ticket_status){0}, &c->err))
		return pm_cli_usage(c, "%s", c->err.msg);
	return pm_ticket_each(c->db, &c->actor, &f, pm_cli_out_each, c, &c->err);
}

/* ---- cron ---- */

static const struct pm_opt as_of_opts[] = {
	{"as-of", O_AS_OF, "TIME", N_("work as at TIME, RFC 3339 or YYYY-MM-DD (default now)")},
	PM_OPT_FORCE_AHEAD,
	{NULL, 0, NULL, NULL},
};

/* Options of a cron job: --as-of, --force, and the store with
 * repair.cron. */
static int cron_args(struct pm_ctx *c, int argc, char **argv, int64_t *as_of)
{
	const char *when;
	int force;

	if (pm_cli_as_of_opts(c, argc, argv, O_AS_OF, &when, &force) < 0)
		return -1;
	if (c->optind < argc)
		return pm_cli_usage(c, _("unexpected argument '%s'"), argv[c->optind]), -1;
	if (pm_cli_db(c, "repair.cron", &c->db))
		return c->stop = c->err.code, -1;
	if (pm_cli_as_of_time(c, when, force, as_of))
		return c->stop = PM_EUSAGE, -1;
	return PM_OK;
}

static int cmd_overdue(struct pm_ctx *c, int argc, char **argv)
{
	int64_t as_of;
	long n, printed;

	if (cron_args(c, argc, argv, &as_of))
		return c->stop;
	/* Printed after they commit, with those a killed run left unprinted. */
	if (pm_ticket_overdue(c->db, as_of, &n, &c->err) || pm_cli_printq(c, PM_PRINTQ_OVERDUE, &printed))
		return c->err.code;
	pm_cli_note(c, _("%ld new SLA breaches"), n);
	if (printed > n)
		pm_cli_note(c, _("%ld SLA breaches an earlier run recorded printed now"), printed - n);
	return PM_OK;
}

static int cmd_sweep(struct pm_ctx *c, int argc, char **argv)
{
	int64_t as_of;
	long n;

	if (cron_args(c, argc, argv, &as_of))
		return c->stop;
	if (pm_ticket_sweep(c->db, as_of, &n, &c->err))
		return c->err.code;
	pm_cli_note(c, _("closed %ld resolved tickets"), n);
	return PM_OK;
}

static int cmd_schedule(struct pm_ctx *c, int argc, char **argv)
{
	int64_t as_of;
	long n;

	if (cron_args(c, argc, argv, &as_of))
		return c->stop;
	if (pm_schedule_run(c->db, &c->actor, pm_date_of(as_of, pm_db_tz(c->db)), pm_cli_out_each, c, &n, &c->err))
		return c->err.code;
	pm_cli_note(c, _("made %ld inspection tickets"), n);
	return PM_OK;
}

/* ---- patrols ---- */

static const struct pm_opt checkin_opts[] = {
	{"route", O_ROUTE, "NAME", N_("the patrol route (required)")},
	{"point", O_POINT, "CODE", N_("the code on the point's tag (required)")},
	{"at", O_AT, "TIME", N_("when, RFC 3339 (default now)")},
	{"by", O_BY, "LOGIN", N_("who patrolled (default: the acting user)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_checkin(struct pm_ctx *c, int argc, char **argv)
{
	const char *route = NULL, *point = NULL, *at = NULL, *by = NULL, *arg;
	int64_t ts;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_ROUTE: route = arg; break;
		case O_POINT: point = arg; break;
		case O_AT: at = arg; break;
		case O_BY: by = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (!route || !point)
		return pm_cli_usage(c, _("--route and --point are required"));
	if (pm_cli_db(c, "patrol.checkin", &c->db))
		return c->err.code;
	ts = pm_now();
	if (at && pm_cli_arg_when(c, "--at", at, &ts))
		return PM_EUSAGE;
	return pm_patrol_checkin(c->db, &c->actor, route, point, ts, by, &c->err);
}

static const struct pm_opt patrols_opts[] = {
	{"date", O_DATE, "DATE", N_("the day, YYYY-MM-DD (default today)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_patrols(struct pm_ctx *c, int argc, char **argv)
{
	const char *date = NULL, *arg;
	int32_t day;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if (k == O_DATE)
			date = arg;
	if (k < 0)
		return c->stop;
	if (pm_cli_db(c, "patrol.read", &c->db))
		return c->err.code;
	if (parse_day(c, date, &day))
		return PM_EUSAGE;
	return pm_patrol_report(c->db, day, pm_cli_out_each, c, &c->err);
}

/* ---- assets ---- */

static const struct pm_opt asset_add_opts[] = {
	{"code", O_CODE, "CODE", N_("the code on the asset's plate (required)")},
	{"name", O_NAME, "TEXT", N_("what it is called (required for a new asset)")},
	{"kind", O_KIND, "KIND", N_("elevator, pump, extinguisher, gate, camera, ... (required for a new asset)")},
	{"location", O_LOCATION, "TEXT", N_("where it is")},
	{"model", O_MODEL, "TEXT", N_("make and model")},
	{"installed", O_INSTALLED, "DATE", N_("installation date, YYYY-MM-DD")},
	{"warranty-end", O_WARRANTY, "DATE", N_("last day of the warranty, YYYY-MM-DD")},
	{"interval", O_INTERVAL, "DAYS", N_("days between maintenance")},
	{NULL, 0, NULL, NULL},
};

static int cmd_asset_add(struct pm_ctx *c, int argc, char **argv)
{
	static const char *const keys[] = {"code", "name", "location", "model", "installed",
					   "warranty_end", "interval"};
	json_t *rec = json_object();
	enum pm_upsert did;
	const char *arg;
	int k, rc;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if (k >= O_CODE && k <= O_INTERVAL)
			json_object_set_new(rec, keys[k - O_CODE], json_string(arg));
		else if (k == O_KIND)
			json_object_set_new(rec, "kind", json_string(arg));
	if (k < 0 || !json_object_get(rec, "code")) {
		json_decref(rec);
		return k < 0 ? c->stop : pm_cli_usage(c, _("--code is required"));
	}
	if ((rc = pm_cli_db(c, "asset.write", &c->db)) == PM_OK)
		rc = pm_asset_add(c->db, rec, &did, &c->err);
	if (rc == PM_OK)
		pm_cli_note(c, _("asset '%s' %s"), json_string_value(json_object_get(rec, "code")),
			    _(pm_upsert_names[did]));
	json_decref(rec);
	return rc;
}

static int cmd_asset_import(struct pm_ctx *c, int argc, char **argv)
{
	return pm_import_upserts(c, argc, argv, "asset.import", "asset.write", pm_asset_fields, pm_asset_upsert);
}

static const struct pm_opt asset_list_opts[] = {
	{"kind", O_KIND, "KIND", N_("only assets of this kind")},
	{"all", O_ALL, NULL, N_("retired assets too")},
	{NULL, 0, NULL, NULL},
};

static int cmd_asset_list(struct pm_ctx *c, int argc, char **argv)
{
	const char *kind = NULL, *arg;
	int k, all = 0;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_KIND: kind = arg; break;
		case O_ALL: all = 1; break;
		}
	if (k < 0)
		return c->stop;
	if (pm_cli_db(c, "asset.read", &c->db))
		return c->err.code;
	return pm_asset_each(c->db, kind, all, pm_cli_out_each, c, &c->err);
}

/* One CODE operand and the store. */
static int code_arg(struct pm_ctx *c, int argc, char **argv, const char *action, const char **code)
{
	if (argc - c->optind != 1)
		return pm_cli_usage(c, _("expected one CODE"));
	*code = argv[c->optind];
	return pm_cli_db(c, action, &c->db);
}

static int cmd_asset_show(struct pm_ctx *c, int argc, char **argv)
{
	const char *code = NULL;
	json_t *rec;
	int rc;

	if (pm_cli_noopts(c, argc, argv))
		return c->stop;
	if (code_arg(c, argc, argv, "asset.read", &code) || pm_asset_get(c->db, code, &rec, &c->err))
		return c->err.code ? c->err.code : PM_EUSAGE;
	if ((rc = pm_cli_out_new(c, rec)))
		return rc;
	/* Its maintenance history is a second table. */
	if ((rc = pm_cli_next_table(c)))
		return rc;
	return pm_asset_history(c->db, code, pm_cli_out_each, c, &c->err);
}

static const struct pm_opt retire_opts[] = {
	{"date", O_DATE, "DATE", N_("the day it left service, YYYY-MM-DD (default today)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_asset_retire(struct pm_ctx *c, int argc, char **argv)
{
	const char *code = NULL, *date = NULL, *arg;
	int32_t day;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if (k == O_DATE)
			date = arg;
	if (k < 0)
		return c->stop;
	if (date && pm_cli_arg_date(c, "--date", date, &day))
		return PM_EUSAGE;
	if (code_arg(c, argc, argv, "asset.write", &code) || pm_asset_retire(c->db, code, date, &c->err))
		return c->err.code ? c->err.code : PM_EUSAGE;
	return PM_OK;
}

static const struct pm_cmd asset_cmds[] = {
	{"add", cmd_asset_add, NULL, N_("add an asset, or change one"), asset_add_opts, NULL},
	{"import", cmd_asset_import, "[FILE...]", N_("add or update assets from JSON lines or CSV"), pm_import_opts, NULL},
	{"list", cmd_asset_list, NULL, N_("list assets in service"), asset_list_opts, NULL},
	{"show", cmd_asset_show, "CODE", N_("show an asset and its maintenance history"), no_opts, NULL},
	{"retire", cmd_asset_retire, "CODE", N_("take an asset out of service"), retire_opts, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

/* ---- renovations ---- */

static const struct pm_opt apply_opts[] = {
	{"unit", O_UNIT, "CODE", N_("the unit to renovate (required; owners: their own)")},
	{"from", O_FROM, "DATE", N_("the first day of work, YYYY-MM-DD (required)")},
	{"to", O_TO, "DATE", N_("the last day of work, YYYY-MM-DD (required)")},
	{"contractor", O_CONTRACTOR, "TEXT", N_("who does the work, and how to reach them (required)")},
	{"scope", O_SCOPE, "TEXT", N_("what is to be done (required)")},
	{NULL, 0, NULL, NULL},
};

/* A library refusal: its usage errors are told as usage errors. */
static int lib_fail(struct pm_ctx *c)
{
	return c->err.code == PM_EUSAGE ? pm_cli_usage(c, "%s", c->err.msg) : c->err.code;
}

/* The renovation record after a step, for the caller to see where it stands. */
static int show_renovation(struct pm_ctx *c, int64_t id)
{
	json_t *rec;

	if (pm_renovation_get(c->db, &c->actor, id, &rec, &c->err))
		return c->err.code;
	return pm_cli_out_new(c, rec);
}

static int cmd_reno_apply(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_renovation_new n = {0};
	const char *from = NULL, *to = NULL, *arg;
	int64_t id;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_UNIT: n.unit = arg; break;
		case O_FROM: from = arg; break;
		case O_TO: to = arg; break;
		case O_CONTRACTOR: n.contractor = arg; break;
		case O_SCOPE: n.scope = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (c->optind < argc)
		return pm_cli_usage(c, _("unexpected argument '%s'"), argv[c->optind]);
	if (!n.unit || !from || !to || !n.contractor || !n.scope)
		return pm_cli_usage(c, _("--unit, --from, --to, --contractor and --scope are required"));
	if (pm_cli_arg_date(c, "--from", from, &n.from) || pm_cli_arg_date(c, "--to", to, &n.to))
		return PM_EUSAGE;
	if (pm_cli_db(c, NULL, &c->db))
		return c->err.code;
	if (pm_renovation_apply(c->db, &c->actor, &n, &id, &c->err))
		return lib_fail(c);
	pm_cli_note(c, _("renovation %lld is waiting for approval"), (long long)id);
	return show_renovation(c, id);
}

static const struct pm_opt channel_opts[] = {
	{"channel", O_CHANNEL, "NAME", N_("where the deposit is paid or given back (default cash; complete: as it came)")},
	{NULL, 0, NULL, NULL},
};

static const struct pm_opt inspect_opts[] = {
	{"to", O_TO, "LOGIN", N_("order an inspection by this technician: a ticket assigned to them")},
	{"result", O_RESULT, "RESULT", N_("record the open inspection: pass or fail (by its technician)")},
	{"note", O_NOTE, "TEXT", N_("what the inspection found (with --result)")},
	{NULL, 0, NULL, NULL},
};

static const struct pm_opt extend_opts[] = {
	{"to", O_TO, "DATE", N_("the new last day of work, YYYY-MM-DD (required)")},
	{NULL, 0, NULL, NULL},
};

static const struct pm_opt violation_opts[] = {
	{"kind", O_KIND, "KIND", N_("noise, hours, structure or debris (required)")},
	{"note", O_NOTE, "TEXT", N_("what was seen (required)")},
	{"forfeit", O_FORFEIT, "YUAN", N_("keep this much of the deposit for it, like 300.00")},
	{NULL, 0, NULL, NULL},
};

/* The one RENOVATION operand and the store. */
static int renovation_arg(struct pm_ctx *c, int argc, char **argv, int64_t *id)
{
	if (argc - c->optind != 1)
		return pm_cli_usage(c, _("expected one RENOVATION"));
	if (pm_cli_arg_count(c, "RENOVATION", argv[c->optind], id))
		return PM_EUSAGE;
	return pm_cli_db(c, NULL, &c->db);
}

static int run_reno(struct pm_ctx *c, int argc, char **argv, enum pm_renovation_action act)
{
	struct pm_renovation_step s = {0};
	const char *arg;
	int64_t id;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_REASON: case O_NOTE: s.note = arg; break;
		case O_CHANNEL: s.channel = arg; break;
		case O_RESULT: s.result = arg; break;
		case O_KIND: s.kind = arg; break;
		case O_TO:
			if (act == PM_RENOVATION_EXTEND && pm_cli_arg_date(c, "--to", arg, &s.until))
				return PM_EUSAGE;
			s.to = arg;
			break;
		case O_FORFEIT:
			if (pm_cli_arg_money(c, "--forfeit", arg, &s.forfeit_fen))
				return PM_EUSAGE;
			if (s.forfeit_fen <= 0)
				return pm_cli_usage(c, _("--forfeit: \"%s\": a forfeit is more than 0"), arg);
			break;
		}
	if (k < 0)
		return c->stop;
	if (act == PM_RENOVATION_REJECT && !s.note)
		return pm_cli_usage(c, _("--reason is required"));
	if (act == PM_RENOVATION_EXTEND && !s.to)
		return pm_cli_usage(c, _("--to is required"));
	if (act == PM_RENOVATION_VIOLATION && (!s.kind || !s.note))
		return pm_cli_usage(c, _("--kind and --note are required"));
	if (act == PM_RENOVATION_INSPECT && !s.to == !s.result)
		return pm_cli_usage(c, _("expected --to LOGIN or --result pass|fail"));
	if (act == PM_RENOVATION_INSPECT && s.result && !s.note)
		return pm_cli_usage(c, _("--note is required"));
	if (renovation_arg(c, argc, argv, &id))
		return c->err.code ? c->err.code : PM_EUSAGE;
	if (pm_renovation_do(c->db, &c->actor, id, act, &s, &c->err))
		return lib_fail(c);
	return show_renovation(c, id);
}

#define RENO(fn, act) \
	static int fn(struct pm_ctx *c, int argc, char **argv) { return run_reno(c, argc, argv, act); }
RENO(cmd_reno_approve, PM_RENOVATION_APPROVE)
RENO(cmd_reno_reject, PM_RENOVATION_REJECT)
RENO(cmd_reno_start, PM_RENOVATION_START)
RENO(cmd_reno_inspect, PM_RENOVATION_INSPECT)
RENO(cmd_reno_extend, PM_RENOVATION_EXTEND)
RENO(cmd_reno_violation, PM_RENOVATION_VIOLATION)
RENO(cmd_reno_complete, PM_RENOVATION_COMPLETE)

static int cmd_reno_show(struct pm_ctx *c, int argc, char **argv)
{
	int64_t id;
	int rc;

	if (pm_cli_noopts(c, argc, argv))
		return c->stop;
	if (renovation_arg(c, argc, argv, &id))
		return c->err.code ? c->err.code : PM_EUSAGE;
	if ((rc = show_renovation(c, id)))
		return rc;
	/* The timeline is a second table under the renovation's. */
	if ((rc = pm_cli_next_table(c)))
		return rc;
	return pm_renovation_timeline(c->db, &c->actor, id, pm_cli_out_each, c, &c->err);
}

static const struct pm_opt reno_list_opts[] = {
	{"active", O_ACTIVE, NULL, N_("only approved and started renovations")},
	{"building", O_BUILDING, "CODE", N_("only renovations in this building")},
	{"unit", O_UNIT, "CODE", N_("only renovations of this unit")},
	{NULL, 0, NULL, NULL},
};

static int cmd_reno_list(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_renovation_filter f = {0};
	const char *arg;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_ACTIVE: f.active = 1; break;
		case O_BUILDING: f.building = arg; break;
		case O_UNIT: f.unit = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (c->optind < argc)
		return pm_cli_usage(c, _("unexpected argument '%s'"), argv[c->optind]);
	if (pm_cli_db(c, NULL, &c->db))
		return c->err.code;
	return pm_renovation_each(c->db, &c->actor, &f, pm_cli_out_each, c, &c->err);
}

static const struct pm_opt reno_gate_opts[] = {
	{"date", O_DATE, "DATE", N_("the day, YYYY-MM-DD (default today)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_reno_gate(struct pm_ctx *c, int argc, char **argv)
{
	const char *date = NULL, *arg;
	int32_t day;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if (k == O_DATE)
			date = arg;
	if (k < 0)
		return c->stop;
	if (c->optind < argc)
		return pm_cli_usage(c, _("unexpected argument '%s'"), argv[c->optind]);
	if (pm_cli_db(c, NULL, &c->db))
		return c->err.code;
	if (parse_day(c, date, &day))
		return PM_EUSAGE;
	return pm_renovation_gate_each(c->db, &c->actor, day, pm_cli_out_each, c, &c->err);
}

static const struct pm_cmd renovation_cmds[] = {
	{"apply", cmd_reno_apply, NULL, N_("apply for a renovation permit"), apply_opts, NULL},
	{"approve", cmd_reno_approve, "RENOVATION", N_("approve it, taking the renovation deposit"), channel_opts, NULL},
	{"reject", cmd_reno_reject, "RENOVATION", N_("reject an application"), reason_opts, NULL},
	{"start", cmd_reno_start, "RENOVATION", N_("record that work started"), no_opts, NULL},
	{"inspect", cmd_reno_inspect, "RENOVATION", N_("order an inspection, or record its result"), inspect_opts, NULL},
	{"extend", cmd_reno_extend, "RENOVATION", N_("move the last day of work later"), extend_opts, NULL},
	{"violation", cmd_reno_violation, "RENOVATION", N_("record a violation, optionally forfeiting deposit"),
	 violation_opts, NULL},
	{"complete", cmd_reno_complete, "RENOVATION", N_("close it after the inspections, refunding the deposit"),
	 channel_opts, NULL},
	{"show", cmd_reno_show, "RENOVATION", N_("show a renovation and its timeline"), no_opts, NULL},
	{"list", cmd_reno_list, NULL, N_("list renovations"), reno_list_opts, NULL},
	{"gate", cmd_reno_gate, NULL, N_("the units whose workers may enter on a day, as pm-gate allow records"),
	 reno_gate_opts, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

/* ---- spare parts ---- */

static const struct pm_opt stock_add_opts[] = {
	{"item", O_ITEM, "CODE", N_("the item's code (required)")},
	{"name", O_NAME, "TEXT", N_("what it is (required for a new item)")},
	{"measure", O_MEASURE, "TEXT", N_("what one of its quantity is: 个, 米, 卷 (required for a new item)")},
	{"minimum", O_MINIMUM, "N", N_("the level below which it is reported for purchase")},
	{"location", O_LOCATION, "TEXT", N_("where it is kept")},
	{NULL, 0, NULL, NULL},
};

static int cmd_stock_add(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_stock_item it = {.minimum = -1};
	const char *arg;
	json_t *out;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_ITEM: it.code = arg; break;
		case O_NAME: it.name = arg; break;
		case O_MEASURE: it.unit = arg; break;
		case O_LOCATION: it.location = arg; break;
		case O_MINIMUM:
			if (pm_cli_arg_decimal(c, "--minimum", arg, 0, &it.minimum))
				return PM_EUSAGE;
			if (it.minimum < 0)
				return pm_cli_usage(c, _("--minimum: \"%s\": a minimum is not below 0"), arg);
			break;
		}
	if (k < 0)
		return c->stop;
	if (c->optind < argc)
		return pm_cli_usage(c, _("unexpected argument '%s'"), argv[c->optind]);
	if (!it.code)
		return pm_cli_usage(c, _("--item is required"));
	if (pm_cli_db(c, NULL, &c->db))
		return c->err.code;
	if (pm_stock_add(c->db, &c->actor, &it, &out, &c->err))
		return lib_fail(c);
	return pm_cli_out_new(c, out);
}

static const struct pm_opt receive_opts[] = {
	{"item", O_ITEM, "CODE", N_("the item (required)")},
	{"qty", O_QTY, "N", N_("how many came in (required)")},
	{"cost", O_COST, "YUAN", N_("what they cost together, like 36.00 (required)")},
	{"supplier", O_SUPPLIER, "TEXT", N_("who supplied them")},
	{NULL, 0, NULL, NULL},
};

static const struct pm_opt issue_opts[] = {
	{"item", O_ITEM, "CODE", N_("the item (required)")},
	{"qty", O_QTY, "N", N_("how many go out (required)")},
	{"ticket", O_TICKET, "TICKET", N_("the ticket they are used on (required)")},
	{NULL, 0, NULL, NULL},
};

static const struct pm_opt count_opts[] = {
	{"item", O_ITEM, "CODE", N_("the item (required)")},
	{"qty", O_QTY, "N", N_("how many are on the shelf (required)")},
	{"reason", O_REASON, "TEXT", N_("why it differs from the books (required when it does)")},
	{NULL, 0, NULL, NULL},
};

static int run_stock(struct pm_ctx *c, int argc, char **argv, enum pm_stock_kind kind)
{
	struct pm_stock_move m = {.kind = kind, .qty = -1, .cost_fen = -1};
	const char *arg;
	json_t *out;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_ITEM: m.item = arg; break;
		case O_SUPPLIER: m.supplier = arg; break;
		case O_REASON: m.reason = arg; break;
		case O_QTY:
			if (pm_cli_arg_decimal(c, "--qty", arg, 0, &m.qty))
				return PM_EUSAGE;
			if (m.qty < 0)
				return pm_cli_usage(c, _("--qty: \"%s\": a quantity is not below 0"), arg);
			break;
		case O_COST:
			if (pm_cli_arg_money(c, "--cost", arg, &m.cost_fen))
				return PM_EUSAGE;
			if (m.cost_fen < 0)
				return pm_cli_usage(c, _("--cost: \"%s\": a cost is not below 0"), arg);
			break;
		case O_TICKET:
			if (pm_ticket_id_parse(arg, &m.ticket, &c->err))
				return pm_cli_usage(c, "%s", c->err.msg);
			break;
		}
	if (k < 0)
		return c->stop;
	if (c->optind < argc)
		return pm_cli_usage(c, _("unexpected argument '%s'"), argv[c->optind]);
	if (!m.item || m.qty < 0 || (kind == PM_STOCK_RECEIVE && m.cost_fen < 0) || (kind == PM_STOCK_ISSUE && !m.ticket))
		return pm_cli_usage(c, kind == PM_STOCK_RECEIVE ? _("--item, --qty and --cost are required")
				       : kind == PM_STOCK_ISSUE ? _("--item, --qty and --ticket are required")
								: _("--item and --qty are required"));
	if (pm_cli_db(c, NULL, &c->db))
		return c->err.code;
	if (pm_stock_move(c->db, &c->actor, &m, &out, &c->err))
		return lib_fail(c);
	return pm_cli_out_new(c, out);
}

#define STOCK(fn, kind) \
	static int fn(struct pm_ctx *c, int argc, char **argv) { return run_stock(c, argc, argv, kind); }
STOCK(cmd_stock_receive, PM_STOCK_RECEIVE)
STOCK(cmd_stock_issue, PM_STOCK_ISSUE)
STOCK(cmd_stock_count, PM_STOCK_COUNT)

static const struct pm_opt stock_list_opts[] = {
	{"below", O_BELOW, NULL, N_("only items below their minimum: what to buy")},
	{"moves", O_MOVES, NULL, N_("list the movements instead of the items")},
	{"item", O_ITEM, "CODE", N_("with --moves: only this item's")},
	{NULL, 0, NULL, NULL},
};

static int cmd_stock_list(struct pm_ctx *c, int argc, char **argv)
{
	const char *item = NULL, *arg;
	int k, below = 0, moves = 0;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_BELOW: below = 1; break;
		case O_MOVES: moves = 1; break;
		case O_ITEM: item = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (c->optind < argc)
		return pm_cli_usage(c, _("unexpected argument '%s'"), argv[c->optind]);
	if (item && !moves)
		return pm_cli_usage(c, _("--item goes with --moves"));
	if (pm_cli_db(c, NULL, &c->db))
		return c->err.code;
	if (moves)
		return pm_stock_moves(c->db, &c->actor, item, pm_cli_out_each, c, &c->err);
	return pm_stock_each(c->db, &c->actor, below, pm_cli_out_each, c, &c->err);
}

static const struct pm_cmd stock_cmds[] = {
	{"add", cmd_stock_add, NULL, N_("add an item, or change one"), stock_add_opts, NULL},
	{"receive", cmd_stock_receive, NULL, N_("record parts received, with their cost"), receive_opts, NULL},
	{"issue", cmd_stock_issue, NULL, N_("take parts out for a ticket"), issue_opts, NULL},
	{"count", cmd_stock_count, NULL, N_("record a stocktaking count"), count_opts, NULL},
	{"list", cmd_stock_list, NULL, N_("list items, those to buy, or the movements"), stock_list_opts, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct pm_cmd cmds[] = {
	{"submit", cmd_submit, "[FILE...]", N_("file a ticket, or JSON lines of them ('-': stdin)"), submit_opts, NULL},
	{"accept", cmd_accept, "TICKET", N_("accept a submitted ticket"), no_opts, NULL},
	{"assign", cmd_assign, "TICKET", N_("dispatch a ticket to a technician"), assign_opts, NULL},
	{"start", cmd_start, "TICKET", N_("start work on an assigned ticket, or resume a held one"), no_opts, NULL},
	{"hold", cmd_hold, "TICKET", N_("put a ticket on hold, pausing its resolve clock"), reason_opts, NULL},
	{"resolve", cmd_resolve, "TICKET", N_("record what was done, and any cost"), resolve_opts, NULL},
	{"close", cmd_close, "TICKET", N_("close a resolved ticket"), no_opts, NULL},
	{"cancel", cmd_cancel, "TICKET", N_("cancel an open ticket"), reason_opts, NULL},
	{"reopen", cmd_reopen, "TICKET", N_("reopen a resolved or closed ticket"), reason_opts, NULL},
	{"comment", cmd_comment, "TICKET", N_("add a comment to the timeline"), comment_opts, NULL},
	{"rate", cmd_rate, "TICKET", N_("rate a resolved ticket, 1 to 5 stars"), rate_opts, NULL},
	{"show", cmd_show, "TICKET", N_("show a ticket and its timeline"), no_opts, NULL},
	{"list", cmd_list, NULL, N_("list tickets"), list_opts, NULL},
	{"overdue", cmd_overdue, NULL, N_("report new SLA breaches as sla_breach records (cron)"), as_of_opts, NULL},
	{"sweep", cmd_sweep, NULL, N_("close tickets resolved long enough ago (cron)"), as_of_opts, NULL},
	{"schedule", cmd_schedule, NULL, N_("make the inspection tickets due (cron)"), as_of_opts, NULL},
	{"asset", NULL, NULL, N_("the asset register"), NULL, asset_cmds},
	{"checkin", cmd_checkin, NULL, N_("record a visit to a patrol point"), checkin_opts, NULL},
	{"patrols", cmd_patrols, NULL, N_("report each patrol run: points on time, late, missed"), patrols_opts, NULL},
	{"renovation", NULL, NULL, N_("renovation permits: apply, approve, inspect, complete"), NULL, renovation_cmds},
	{"stock", NULL, NULL, N_("spare parts: receive, issue, count"), NULL, stock_cmds},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct pm_prog prog = {
	"pm-repair", N_("pm-repair: repair tickets, SLA, assets, inspections, patrols, renovations and spare parts"), cmds, NULL, NULL,
};

int main(int argc, char **argv)
{
	return pm_cli_main(&prog, argc, argv);
}
