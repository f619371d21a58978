/* pm-rollup: a property group's communities in PostgreSQL, loaded from
 * each store's change feed (pm export). The one program that links
 * libpq; no community's own program does. */
#include "pm/cli.h"
#include "pm/i18n.h"
#include "pm/render.h"
#include "pm/rollup.h"

enum { O_PG = 0x100, O_PERIOD, O_FROM, O_TO, O_AS_OF };

static const struct pm_opt load_opts[] = {
	{"pg", O_PG, "CONNINFO", N_("the PostgreSQL database, as libpq takes it (default: libpq's PG* environment)")},
	{NULL, 0, NULL, NULL},
};

static void batch_note(void *ctx, const struct pm_rollup_batch *b)
{
	if (b->skipped)
		pm_cli_note(ctx, _("%s: store %s up to cursor %s is loaded already"), b->file, b->store, b->cursor);
	else
		pm_cli_note(ctx, _("%s: store %s: %ld changes loaded, from cursor %s to %s"), b->file, b->store,
			    b->records, b->since, b->cursor);
}

/* Said once a run: a password in --pg is in the process list for every
 * user of the machine to read while the run lasts. Not refused, so that
 * the cron jobs written that way keep loading while their admin moves
 * the password to ~/.pgpass; by the time this runs it has been seen. */
static void pg_warn(struct pm_ctx *c, const char *pg)
{
	if (pm_rollup_conninfo_password(pg))
		pm_cli_warn(c, _("--pg: the password in it shows in the process list (ps) to every user of this "
				 "machine: put it in ~/.pgpass or the file $PGPASSFILE names instead"));
}

/* The options of a command whose only one is --pg: -1 to stop. */
static int pg_only(struct pm_ctx *c, int argc, char **argv, const char **pg)
{
	const char *arg;
	int k;

	*pg = "";
	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if (k == O_PG)
			*pg = arg;
	if (k == 0)
		pg_warn(c, *pg);
	return k;
}

static int cmd_load(struct pm_ctx *c, int argc, char **argv)
{
	static char *const stdin_only[] = {"-"};
	const char *pg;

	if (pg_only(c, argc, argv, &pg) < 0)
		return c->stop;
	if (c->optind < argc)
		return pm_rollup_load(pg, argv + c->optind, argc - c->optind, batch_note, c, &c->err);
	return pm_rollup_load(pg, stdin_only, 1, batch_note, c, &c->err);
}

static int cmd_cursor(struct pm_ctx *c, int argc, char **argv)
{
	const char *pg;

	if (pg_only(c, argc, argv, &pg) < 0)
		return c->stop;
	if (argc - c->optind > 1)
		return pm_cli_usage(c, _("name one store, or none for all"));
	return pm_rollup_cursors(pg, c->optind < argc ? argv[c->optind] : NULL, pm_cli_out_each, c, &c->err);
}

static const struct pm_opt report_opts[] = {
	{"pg", O_PG, "CONNINFO", N_("the PostgreSQL database, as libpq takes it (default: libpq's PG* environment)")},
	{"period", O_PERIOD, "YYYY-MM", N_("the month")},
	{"from", O_FROM, "YYYY-MM", N_("the first month of a range")},
	{"to", O_TO, "YYYY-MM", N_("the last month of a range")},
	{"as-of", O_AS_OF, "DATE", N_("arrears and service: count days overdue and open clocks to this day (default today)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_report(struct pm_ctx *c, int argc, char **argv)
{
	static const enum pm_render_format fmts[] = {
		[PM_FMT_TABLE] = PM_RENDER_TABLE, [PM_FMT_JSONL] = PM_RENDER_JSONL,
		[PM_FMT_CSV] = PM_RENDER_CSV, [PM_FMT_TSV] = PM_RENDER_TSV,
	};
	const char *pg = "", *period = NULL, *from = NULL, *to = NULL, *as_of = NULL, *arg;
	struct pm_report_query q = {0};
	struct pm_render_opts ro = {0};
	struct pm_report *r;
	int k, rc;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_PG: pg = arg; break;
		case O_PERIOD: period = arg; break;
		case O_FROM: from = arg; break;
		case O_TO: to = arg; break;
		case O_AS_OF: as_of = arg; break;
		}
	if (k < 0)
		return c->stop;
	pg_warn(c, pg);
	if (argc - c->optind != 1)
		return pm_cli_usage(c, _("name one report: collection, arrears, service or consumption"));
	/* Arrears without months are of every bill, as pm-report's. */
	if (!period && !from && !to && strcmp(argv[c->optind], "arrears") == 0)
		pm_query_every_period(&q);
	else if (!period == !(from && to))
		return pm_cli_usage(c, _("give --period, or --from and --to"));
	else if (pm_period_parse(period ? period : from, &q.from, &c->err) ||
		 pm_period_parse(period ? period : to, &q.to, &c->err))
		return pm_cli_usage(c, "%s", c->err.msg);
	q.range = !period && from;
	if (as_of && (rc = pm_cli_arg_date(c, "--as-of", as_of, &q.as_of)))
		return rc;
	if ((rc = pm_rollup_report(pg, argv[c->optind], &q, &r, &c->err)) == PM_EUSAGE)
		return pm_cli_usage(c, "%s", c->err.msg);
	if (rc)
		return rc;
	rc = pm_render(r, fmts[c->format], &ro, stdout, &c->err);
	pm_report_free(r);
	return rc;
}

static const struct pm_cmd cmds[] = {
	{"load", cmd_load, "[FILE...]", N_("load pm export's records into PostgreSQL, each community batch whole"),
	 load_opts, NULL},
	{"cursor", cmd_cursor, "[STORE]", N_("where each community's feed stands in PostgreSQL: the cursor to prune to"),
	 load_opts, NULL},
	{"report", cmd_report, "NAME", N_("a group report from PostgreSQL (collection, arrears, service, consumption), as pm-report shows a community's"),
	 report_opts, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct pm_prog prog = {
	"pm-rollup", N_("pm-rollup: a property group's communities in PostgreSQL"), cmds, NULL, NULL,
};

int main(int argc, char **argv)
{
	return pm_cli_main(&prog, argc, argv);
}
