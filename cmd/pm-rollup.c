/* pm-rollup: a property group's communities in PostgreSQL, loaded from
 * each store's change feed (pm export). The one program that links
 * libpq; no community's own program does. */
#include "pm/cli.h"
#include "pm/i18n.h"
#include "pm/rollup.h"

enum { O_PG = 0x100 };

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

static int cmd_load(struct pm_ctx *c, int argc, char **argv)
{
	static char *const stdin_only[] = {"-"};
	const char *pg = "", *arg;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if (k == O_PG)
			pg = arg;
	if (k < 0)
		return c->stop;
	if (c->optind < argc)
		return pm_rollup_load(pg, argv + c->optind, argc - c->optind, batch_note, c, &c->err);
	return pm_rollup_load(pg, stdin_only, 1, batch_note, c, &c->err);
}

static const struct pm_cmd cmds[] = {
	{"load", cmd_load, "[FILE...]", N_("load pm export's records into PostgreSQL, each community batch whole"),
	 load_opts, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct pm_prog prog = {
	"pm-rollup", N_("pm-rollup: a property group's communities in PostgreSQL"), cmds, NULL,
};

int main(int argc, char **argv)
{
	return pm_cli_main(&prog, argc, argv);
}
