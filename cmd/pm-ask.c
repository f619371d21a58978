/* pm-ask: the help desk (AI客服). Answers owners' questions from the FAQ
 * and from their own bills and tickets, hands to a person what it cannot
 * answer, and keeps the FAQ: `pm-ask "物业费怎么算"`, a question a line on
 * standard input, `pm-ask faq import|add|list|remove`, `pm-ask gaps`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm/ask.h"
#include "pm/askmodel.h"
#include "pm/cli.h"
#include "pm/faq.h"
#include "pm/file.h"
#include "pm/i18n.h"
#include "pm/import.h"

enum { O_UNIT = 0x100, O_NO_ESCALATE, O_TOP, O_CATEGORY, O_PERIOD };

static const struct pm_opt ask_opts[] = {
	{"unit", O_UNIT, "CODE", N_("the unit the question is about (default: the one where you live)")},
	{"no-escalate", O_NO_ESCALATE, NULL, N_("only answer: file no ticket for a question without a good answer")},
	{"top", O_TOP, "N", N_("list the N best entries, not only those close to the best")},
	{NULL, 0, NULL, NULL},
};

static int ask_one(struct pm_ctx *c, struct pm_asker *k, const struct pm_ask_how *how, const char *q)
{
	json_t *rec;
	int rc;

	if ((rc = pm_asker_ask(k, &c->actor, how, q, &rec, &c->err)))
		return rc;
	if ((rc = pm_ask_model(c->db, rec, &c->err))) {
		json_decref(rec);
		return rc;
	}
	return pm_cli_out_new(c, rec);
}

/* A question a line; blank lines are skipped. A line that is no
 * question (not UTF-8) is said, by its number, and the next one read:
 * 65 at the end. */
static int ask_stdin(struct pm_ctx *c, struct pm_asker *k, const struct pm_ask_how *how)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	int rc = PM_OK, bad = 0;

	/* Questions may come slowly, from a person: each reads what is new. */
	pm_db_read_end(c->db);
	while (rc == PM_OK && (n = getline(&line, &cap, stdin)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0)
			continue;
		if ((rc = ask_one(c, k, how, line)) == PM_EDATA) {
			pm_cli_warn(c, "%s:%ld: %s", "stdin", lineno, c->err.msg);
			c->err = (struct pm_err){0};
			bad = 1;
			rc = PM_OK;
			continue;
		}
		/* a bridge reads each answer as it comes */
		if (rc == PM_OK && c->format != PM_FMT_TABLE)
			fflush(stdout);
	}
	free(line);
	return rc == PM_OK && bad ? PM_EDATA : rc;
}

static int cmd_ask(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_ask_how how = {NULL, 1, 0};
	int64_t top;
	struct pm_asker *k = NULL;
	struct pm_db *db;
	const char *arg;
	int key, rc;

	while ((key = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if (key == O_UNIT)
			how.unit = arg;
		else if (key == O_NO_ESCALATE)
			how.escalate = 0;
		else if (key == O_TOP && pm_cli_arg_count(c, "--top", arg, &top))
			return PM_EUSAGE;
		else if (key == O_TOP)
			how.top = top > 5 ? 5 : (int)top;
	if (key < 0)
		return c->stop;
	if ((rc = pm_cli_db(c, "ask", &db)) || (rc = pm_asker_open(db, &k, &c->err)))
		return rc;
	if (c->optind == argc) {
		rc = ask_stdin(c, k, &how);
	} else {
		/* the words of an unquoted question, as one */
		size_t len = 0;
		char *q;

		for (int i = c->optind; i < argc; i++)
			len += strlen(argv[i]) + 1;
		if (!(q = calloc(1, len + 1))) {
			pm_asker_free(k);
			return pm_err_set(&c->err, PM_EFAIL, _("out of memory"));
		}
		for (int i = c->optind; i < argc; i++) {
			if (i > c->optind)
				q[strlen(q)] = ' ';
			memcpy(q + strlen(q), argv[i], strlen(argv[i]) + 1);
		}
		rc = ask_one(c, k, &how, q);
		free(q);
	}
	pm_asker_free(k);
	return rc;
}

/* ---- faq ---- */

static int faq_file(struct pm_ctx *c, const char *path, json_t **out)
{
	char *text;
	size_t len;
	int rc;

	if ((rc = pm_file_read(path, 8 * 1024 * 1024, &text, &len, &c->err)))
		return rc;
	if (len > 8 * 1024 * 1024)
		rc = pm_err_set(&c->err, PM_EDATA, _("'%s' is longer than 8 MiB"), path);
	else
		rc = pm_faq_parse(text, len, path, out, &c->err);
	free(text);
	return rc;
}

static int cmd_faq_import(struct pm_ctx *c, int argc, char **argv)
{
	json_t *shipped = NULL, *local = NULL;
	struct pm_faq_count n;
	struct pm_db *db;
	int rc;

	if (pm_cli_noopts(c, argc, argv))
		return c->stop;
	if (argc - c->optind > 1)
		return pm_cli_usage(c, _("expected at most one FILE"));
	if ((rc = pm_cli_db(c, "faq.write", &db)) || (rc = faq_file(c, pm_faq_shipped(), &shipped)) ||
	    (c->optind < argc && (rc = faq_file(c, argv[c->optind], &local))) ||
	    (rc = pm_faq_import(db, shipped, local, &n, &c->err)))
		goto out;
	/* The summary on stderr, as faq add's and every import's: -q keeps
	 * it off; the record is the command's output, -q or not. */
	pm_cli_note(c, _("FAQ entries: added %ld, changed %ld, unchanged %ld, removed %ld"), n.added,
		    n.changed, n.unchanged, n.removed);
	rc = pm_cli_out_new(c, json_pack("{s:s, s:I, s:I, s:I, s:I}", "type", "faq_import", "added", (json_int_t)n.added,
					 "changed", (json_int_t)n.changed, "unchanged", (json_int_t)n.unchanged,
					 "removed", (json_int_t)n.removed));
out:
	json_decref(shipped);
	json_decref(local);
	return rc;
}

static int cmd_faq_add(struct pm_ctx *c, int argc, char **argv)
{
	return pm_import_upserts(c, argc, argv, "faq.add", "faq.write", pm_faq_fields, pm_faq_upsert);
}

static const struct pm_opt list_opts[] = {
	{"category", O_CATEGORY, "NAME", N_("only entries of this category")},
	{NULL, 0, NULL, NULL},
};

static int cmd_faq_list(struct pm_ctx *c, int argc, char **argv)
{
	const char *arg, *category = NULL;
	struct pm_db *db;
	int key, rc;

	while ((key = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if (key == O_CATEGORY)
			category = arg;
	if (key < 0)
		return c->stop;
	if (c->optind != argc)
		return pm_cli_usage(c, _("unexpected argument '%s'"), argv[c->optind]);
	if ((rc = pm_cli_db(c, "ask", &db)))
		return rc;
	return pm_faq_each(db, category, pm_cli_out_each, c, &c->err);
}

static int cmd_faq_remove(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_db *db;
	int rc;

	if (pm_cli_noopts(c, argc, argv))
		return c->stop;
	if (c->optind == argc)
		return pm_cli_usage(c, _("expected an entry ID"));
	if ((rc = pm_cli_db(c, "faq.write", &db)))
		return rc;
	for (int i = c->optind; i < argc; i++) {
		if ((rc = pm_faq_remove(db, argv[i], &c->err)))
			return rc;
		pm_cli_out_new(c, json_pack("{s:s, s:s}", "type", "faq_removed", "id", argv[i]));
	}
	return PM_OK;
}

static const struct pm_cmd faq_cmds[] = {
	{"import", cmd_faq_import, "[FILE]", N_("load the shipped FAQ and the config's entries, and FILE's as local ones"), NULL, NULL},
	{"add", cmd_faq_add, "[FILE...]", N_("add or update entries from JSON lines"), pm_import_opts, NULL},
	{"list", cmd_faq_list, NULL, N_("list the FAQ's entries"), list_opts, NULL},
	{"remove", cmd_faq_remove, "ID...", N_("remove entries"), NULL, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

/* ---- gaps ---- */

static const struct pm_opt gaps_opts[] = {
	{"period", O_PERIOD, "YYYY-MM", N_("the month (default: this month)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_gaps(struct pm_ctx *c, int argc, char **argv)
{
	const char *arg;
	struct pm_period p = {0, 0};
	struct pm_db *db;
	int key, rc;

	while ((key = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if (key == O_PERIOD && pm_cli_arg_period(c, "--period", arg, &p))
			return PM_EUSAGE;
	if (key < 0)
		return c->stop;
	if (c->optind != argc)
		return pm_cli_usage(c, _("unexpected argument '%s'"), argv[c->optind]);
	if ((rc = pm_cli_db(c, "ask", &db)))
		return rc;
	if (!p.year)
		p = pm_period_of(pm_now(), pm_db_tz(db));
	return pm_ask_gaps(db, &c->actor, &p, pm_cli_out_each, c, &c->err);
}

static const struct pm_cmd cmds[] = {
	{"ask", cmd_ask, "[QUESTION]", N_("answer a question, or each line of standard input"), ask_opts, NULL},
	{"faq", NULL, NULL, N_("the FAQ: import, add, list, remove"), NULL, faq_cmds},
	{"gaps", cmd_gaps, NULL, N_("questions without a good answer, for the monthly review"), gaps_opts, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct pm_prog prog = {
	"pm-ask", N_("pm-ask: the help desk: owners' questions answered from the FAQ and their own account"), cmds, NULL, "ask",
};

/* The options before the first operand that take a value, so that the
 * operand is found. */
static int takes_value(const char *arg)
{
	static const char *const with[] = {"--db", "--as", "--format", "--columns", "--unit", NULL};

	for (int i = 0; with[i]; i++)
		if (strcmp(arg, with[i]) == 0)
			return 1;
	return 0;
}

/* pm-ask QUESTION and pm-ask --unit U [QUESTION] mean pm-ask ask ...:
 * the first operand names no subcommand, or an option is one of ask's
 * own (questions then come from standard input). */
static int is_question(int argc, char **argv)
{
	int i = 1, own = 0;

	while (i < argc && argv[i][0] == '-' && argv[i][1] && strcmp(argv[i], "--") != 0) {
		for (const struct pm_opt *o = ask_opts; o->name; o++)
			if (strncmp(argv[i], "--", 2) == 0 && strncmp(argv[i] + 2, o->name, strlen(o->name)) == 0 &&
			    (argv[i][2 + strlen(o->name)] == '\0' || argv[i][2 + strlen(o->name)] == '='))
				own = 1;
		i += takes_value(argv[i]) ? 2 : 1;
	}
	if (i >= argc)
		return own;
	for (const struct pm_cmd *cmd = cmds; cmd->name; cmd++)
		if (strcmp(argv[i], cmd->name) == 0)
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	if (is_question(argc, argv))
		return pm_cli_main_default(&prog, argc, argv);
	return pm_cli_main(&prog, argc, argv);
}
