#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "csv-internal.h"
#include "pm/complete.h"
#include "pm/cli.h"
#include "pm/i18n.h"
#include "pm/jsonl.h"
#include "pm/money.h"
#include "pm/printq.h"
#include "pm/suggest.h"
#include "pm/table.h"

enum {
	OPT_DB = 0x1000, OPT_FORMAT, OPT_COLUMNS, OPT_AS, OPT_VERSION, OPT_COMPLETE,
};

/* Options every subcommand takes, appended to its own in --help. */
static const struct pm_opt shared_opts[] = {
	{"db", OPT_DB, "PATH", N_("the store (default $PM_DB, else ./pm.db)")},
	{"format", OPT_FORMAT, "FMT", N_("table, jsonl, csv or tsv (default: table on a terminal, else jsonl)")},
	{"columns", OPT_COLUMNS, "LIST", N_("the fields a table, CSV or TSV shows, in this order (a,b,c)")},
	{"as", OPT_AS, "LOGIN", N_("act for this pm user, as an admin or a service account (default $PM_USER)")},
	{"quiet", 'q', NULL, N_("no notes on stderr, only errors (records still go to stdout)")},
	{"verbose", 'v', NULL, N_("say more on stderr")},
	{"help", 'h', NULL, N_("show this help and exit")},
	{NULL, 0, NULL, NULL},
};

static int shared_opt(struct pm_ctx *c, int key, const char *arg)
{
	switch (key) {
	case OPT_DB: c->db_path = arg; return 1;
	case OPT_AS: c->as = arg; return 1;
	case OPT_COLUMNS: c->columns = arg; return 1;
	case 'q': c->quiet = 1; return 1;
	case 'v': c->verbose++; return 1;
	case OPT_FORMAT:
		c->format_given = 1;
		if (strcmp(arg, "table") == 0) c->format = PM_FMT_TABLE;
		else if (strcmp(arg, "jsonl") == 0) c->format = PM_FMT_JSONL;
		else if (strcmp(arg, "csv") == 0) c->format = PM_FMT_CSV;
		else if (strcmp(arg, "tsv") == 0) c->format = PM_FMT_TSV;
		else return pm_cli_usage(c, _("unknown format '%s': expected table, jsonl, csv or tsv"), arg), -1;
		return 1;
	}
	return 0;
}

/* "WHO: message" as one line on stderr: what the message quotes (a file
 * name, a value from the command line) cannot start a line of its own. */
static void say(const char *who, const char *fmt, va_list ap)
{
	char msg[2 * PM_ERR_MSG_MAX], line[2 * PM_ERR_MSG_MAX];

	vsnprintf(msg, sizeof msg, fmt, ap);
	pm_err_oneline(line, sizeof line, msg);
	fprintf(stderr, "%s: %s\n", who, line);
}

void pm_cli_warn(struct pm_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(c->prog->name, fmt, ap);
	va_end(ap);
}

void pm_cli_note(struct pm_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->quiet)
		return;
	va_start(ap, fmt);
	say(c->prog->name, fmt, ap);
	va_end(ap);
}

int pm_cli_usage(struct pm_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(c->path, fmt, ap);
	va_end(ap);
	fprintf(stderr, _("Try '%s --help'.\n"), c->path);
	c->stop = PM_EUSAGE;
	return PM_EUSAGE;
}

/* ---- help and completion ---- */

static void opt_line(FILE *f, const struct pm_opt *o)
{
	char left[64];

	if (o->key > 0 && o->key < 256)
		snprintf(left, sizeof left, "-%c, --%s%s%s", o->key, o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
	else
		snprintf(left, sizeof left, "    --%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
	fprintf(f, "  %-24s %s\n", left, _(o->help));
}

static void print_help(struct pm_ctx *c, const struct pm_cmd *cmd, FILE *f)
{
	const struct pm_cmd *s;
	const struct pm_opt *o;

	if (cmd->sub) {
		fprintf(f, _("usage: %s COMMAND [OPTIONS] [ARGS]\n\n%s\n\nCommands:\n"), c->path, _(cmd->summary));
		for (s = cmd->sub; s->name; s++)
			fprintf(f, "  %-14s %s\n", s->name, _(s->summary));
		fprintf(f, _("\n'%s COMMAND --help' tells more of each.\n"), c->path);
		return;
	}
	fprintf(f, _("usage: %s [OPTIONS]%s%s\n\n%s\n\nOptions:\n"), c->path, cmd->args ? " " : "",
		cmd->args ? cmd->args : "", _(cmd->summary));
	for (o = cmd->opts; o && o->name; o++)
		opt_line(f, o);
	fprintf(f, _("\nShared options:\n"));
	for (o = shared_opts; o->name; o++)
		opt_line(f, o);
}

static void print_prog_help(const struct pm_prog *p, FILE *f)
{
	if (p->dflt)
		fprintf(f, _("usage: %s [--db PATH] [--as LOGIN] [COMMAND] [OPTIONS] [ARGS]\n\n%s\n\nCommands:\n"),
			p->name, _(p->summary));
	else
		fprintf(f, _("usage: %s [--db PATH] [--as LOGIN] COMMAND [OPTIONS] [ARGS]\n\n%s\n\nCommands:\n"),
			p->name, _(p->summary));
	for (const struct pm_cmd *s = p->cmds; s->name; s++)
		fprintf(f, "  %-14s %s\n", s->name, _(s->summary));
	if (p->dflt)
		fprintf(f, _("\nWithout a command, %s runs '%s'.\n"), p->name, p->dflt);
	fprintf(f, _("\n'%s COMMAND --help' tells more of each; man %s has it all.\n"), p->name, p->name);
}

static const struct pm_cmd *find_cmd(const struct pm_cmd *t, const char *name)
{
	for (; t && t->name; t++)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

/* prog --complete [WORDS...]: the words that may follow, one per line, for
 * the completion scripts, so options are listed once, here. */
static int complete(const struct pm_prog *p, int argc, char **argv)
{
	const struct pm_cmd *t = p->cmds, *cmd = NULL;
	const struct pm_opt *o;

	for (int i = 0; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		if (!(cmd = find_cmd(t, argv[i])))
			return PM_OK;
		t = cmd->sub;
		if (!t)
			break;
	}
	if (t) {
		for (; t->name; t++)
			printf("%s\n", t->name);
		return PM_OK;
	}
	for (o = cmd->opts; o && o->name; o++)
		printf("--%s%s\n", o->name, o->arg ? "=" : "");
	for (o = shared_opts; o->name; o++)
		printf("--%s%s\n", o->name, o->arg ? "=" : "");
	return PM_OK;
}

/* ---- option parsing ---- */

#define MAXOPT 48

/* A subcommand's option may not shadow a shared one: getopt would take
 * the subcommand's, and the shared one would quietly do nothing (pm-bill
 * export --format once meant csv or xlsx, not --format's table or csv). */
/* Which values complete an option or an operand (its name in the usage
 * line), by command: "" is any command, "pm-bill" any of pm-bill's. */
static const struct {
	const char *path, *what, *source;
} value_sources[] = {
	{"pm-bill export", "--file-format", "bill-export-format"}, {"pm-bill deposit", "--kind", "deposit-kind"},
	{"pm-bill receipt", "--paper", "paper"}, {"pm-bill contact", "--by", "contact-by"},
	{"pm-bill contact", "--result", "contact-result"}, {"pm-bill contract", "--kind", "contract-kind"},
	{"pm-bill contract", "--every", "contract-every"}, {"pm-bill", "UNIT", "unit"}, {"pm unit transfer", "--to", "person"},
	{"", "--format", "format"}, {"", "--file-format", "file-format"}, {"", "--protocol", "protocol"},
	{"", "--unit", "unit"}, {"", "--person", "person"}, {"", "--reporter", "person"},
	{"", "--as", "user"}, {"", "--assignee", "user"}, {"pm-repair assign", "--to", "user"},
	{"", "--meter", "meter"}, {"", "--period", "period"}, {"", "--category", "category"},
	{"", "--priority", "priority"}, {"", "--use", "use"},
	{"pm-meter", "--kind", "meter-kind"}, {"pm-repair", "--kind", "ticket-kind"},
	{"pm-bill", "--status", "bill-status"}, {"pm-repair", "--status", "ticket-status"},
	{"pm-notify", "--status", "message-status"}, {"pm-bill", "--channel", "pay-channel"},
	{"pm-notify", "--channel", "notify-channel"}, {"pm user", "--role", "user-role"},
	{"pm occupancy", "--role", "occupancy-role"},
	{"", "BILL", "bill"}, {"", "[BILL]", "bill"}, {"", "TICKET", "ticket"}, {"", "METER", "meter"},
	{"", "OLD", "meter"}, {"", "PERSON", "person"}, {"", "LOGIN", "user"},
	{"pm unit show", "CODE", "unit"}, {"pm unit find", "TEXT", "unit"}, {"pm person show", "CODE", "person"},
	{"pm audit", "--actor", "user"}, {"pm config diff", "A B", "config-version"},
	{"pm-meter show", "CODE", "meter"}, {"pm-meter retire", "CODE", "meter"},
};

static void value_out(void *ctx, const char *word)
{
	(void)ctx;
	printf("%s\n", word);
}

/* PROG --complete-value WHAT PREFIX WORDS...: the values that may stand
 * for WHAT (an option, "--unit", or "@" for the next operand) after the
 * command WORDS, beginning with PREFIX; the store's only when $PM_DB
 * names one, read as the caller may. */
static int complete_value(struct pm_ctx *c, const struct pm_prog *p, int argc, char **argv)
{
	const struct pm_cmd *t = p->cmds, *cmd = NULL;
	const char *what, *source = NULL;
	char path[128];
	struct pm_db *db = NULL;
	size_t len;

	if (argc < 2)
		return PM_EUSAGE;
	what = argv[0];
	snprintf(path, sizeof path, "%s", p->name);
	for (int i = 2; i < argc && t; i++, t = cmd->sub) {
		if (!(cmd = find_cmd(t, argv[i])))
			return PM_OK;
		len = strlen(path);
		snprintf(path + len, sizeof path - len, " %s", cmd->name);
	}
	if (strcmp(what, "@") == 0)
		what = cmd && cmd->args ? cmd->args : "";
	for (size_t i = 0; i < sizeof value_sources / sizeof *value_sources && !source; i++) {
		len = strlen(value_sources[i].path);
		if (strcmp(value_sources[i].what, what) == 0 && strncmp(path, value_sources[i].path, len) == 0 &&
		    (!len || path[len] == '\0' || path[len] == ' '))
			source = value_sources[i].source;
	}
	if (!source)
		return PM_OK;
	if (getenv("PM_DB") && *getenv("PM_DB"))
		pm_cli_db(c, NULL, &db);
	return pm_complete(db, &c->actor, source, argv[1], value_out, NULL, &c->err) == PM_OK ? PM_OK : PM_EUSAGE;
}

static int opts_clash(struct pm_ctx *c)
{
	for (const struct pm_opt *o = c->cmd->opts; o && o->name; o++)
		for (const struct pm_opt *s = shared_opts; s->name; s++)
			if (strcmp(o->name, s->name) == 0 || o->key == s->key)
				return pm_err_set(&c->err, PM_ESOFTWARE,
						  _("option --%s of '%s' shadows the shared option --%s"), o->name,
						  c->path, s->name);
	return PM_OK;
}

/* A command that writes files has --file-format (svg, html, xlsx) beside
 * the shared --format: `--format svg` means its --file-format, so either
 * option names any format it writes. The key of --file-format for such a
 * value, else 0. */
static int file_format_key(const struct pm_ctx *c, const char *arg)
{
	static const char *const shared[] = {"table", "jsonl", "csv", "tsv"};

	for (size_t i = 0; i < sizeof shared / sizeof *shared; i++)
		if (strcmp(arg, shared[i]) == 0)
			return 0;
	for (const struct pm_opt *o = c->cmd->opts; o && o->name; o++)
		if (strcmp(o->name, "file-format") == 0)
			return o->key;
	return 0;
}

/* The option of key among a command's and the shared ones, or NULL. */
static const struct pm_opt *opt_by_key(const struct pm_opt *const all[2], int key)
{
	for (int t = 0; t < 2; t++)
		for (const struct pm_opt *o = all[t]; o && o->name; o++)
			if (o->key == key)
				return o;
	return NULL;
}

/* An option naming a file or a directory given "": an unset variable in
 * a cron line (--output "$DIR") wrote the notices into / instead. */
static const char *empty_place(const struct pm_opt *const all[2], int key, const char *value)
{
	const struct pm_opt *o = opt_by_key(all, key);

	if (o && o->arg && value && !*value &&
	    (!strcmp(o->arg, "FILE") || !strcmp(o->arg, "DIR") || !strcmp(o->arg, "PATH") || !strncmp(o->arg, "FILE|", 5)))
		return o->name;
	return NULL;
}

/* An option of text a person types (TEXT, NAME) holding a control
 * character (pm_text_controls): a bad value, exit 2, here once for every
 * program, as the library refuses it from a file or a form. Bytes that
 * are not UTF-8 are the field's to refuse, naming it (exit 65). */
static int text_bad(struct pm_ctx *c, const struct pm_opt *const all[2], int key, const char *value)
{
	const struct pm_opt *o = opt_by_key(all, key);
	char what[64];
	struct pm_err e = {0};

	if (!o || !o->arg || !value || (strcmp(o->arg, "TEXT") && strcmp(o->arg, "NAME")))
		return PM_OK;
	snprintf(what, sizeof what, "--%s", o->name);
	return pm_text_controls(what, value, &e) ? pm_cli_usage(c, "%s", e.msg) : PM_OK;
}

/* Options and operands may mix (GNU permutation) except at the top level,
 * where the first operand is the subcommand and ends the program's own. */
static int next_opt(struct pm_ctx *c, int argc, char **argv, const char **arg, int top)
{
	struct option lo[MAXOPT + 1];
	char so[MAXOPT * 2 + 2];
	const struct pm_opt *all[2] = {c->cmd->opts, shared_opts};
	size_t n = 0, sn = 0;
	const char *place;
	int key, r;

	if (top)
		so[sn++] = '+';
	for (int t = 0; t < 2; t++)
		for (const struct pm_opt *o = all[t]; o && o->name && n < MAXOPT; o++) {
			lo[n++] = (struct option){o->name, o->arg ? required_argument : no_argument, NULL, o->key};
			if (o->key > 0 && o->key < 256) {
				so[sn++] = (char)o->key;
				if (o->arg)
					so[sn++] = ':';
			}
		}
	lo[n] = (struct option){NULL, 0, NULL, 0};
	so[sn] = '\0';
	if (optind == 0 && opts_clash(c)) {
		c->stop = PM_ESOFTWARE;
		return -1;
	}
	opterr = 0;
	for (;;) {
		key = getopt_long(argc, argv, so, lo, NULL);
		*arg = optarg;
		if (key == -1) {
			c->optind = optind;
			return 0;
		}
		if (key == 'h') {
			print_help(c, c->cmd, stdout);
			c->stop = PM_OK;
			return -1;
		}
		if (key == '?') {
			if (optopt > 0 && optopt < 256)
				pm_cli_usage(c, _("bad option '-%c' (unknown, or it needs a value)"), optopt);
			else
				pm_cli_usage(c, _("bad option '%s' (unknown, or it needs a value)"), argv[optind - 1]);
			return -1;
		}
		if ((place = empty_place(all, key, optarg))) {
			pm_cli_usage(c, _("--%s needs a name: it is empty"), place);
			return -1;
		}
		if (text_bad(c, all, key, optarg))
			return -1;
		if (key == OPT_FORMAT && (r = file_format_key(c, optarg)))
			return r;
		if ((r = shared_opt(c, key, optarg)) < 0)
			return -1;
		if (r == 0)
			return key;
	}
}

int pm_cli_opt(struct pm_ctx *c, int argc, char **argv, const char **arg)
{
	return next_opt(c, argc, argv, arg, 0);
}

int pm_cli_flag(struct pm_ctx *c, int argc, char **argv, int key, int *on)
{
	const char *arg;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if (k == key)
			*on = 1;
	return k < 0 ? -1 : 0;
}

int pm_cli_noopts(struct pm_ctx *c, int argc, char **argv)
{
	/* Options are keys above 0: key 0 is never given. */
	return pm_cli_flag(c, argc, argv, 0, NULL);
}

int pm_cli_arg_id(struct pm_ctx *c, int argc, char **argv, const char *what, int64_t *id)
{
	char *end;
	long long v;

	if (argc - c->optind != 1)
		return pm_cli_usage(c, _("expected one %s"), what);
	v = strtoll(argv[c->optind], &end, 10);
	if (*end || end == argv[c->optind] || v <= 0)
		return pm_cli_usage(c, _("'%s' is not a %s"), argv[c->optind], what);
	*id = v;
	return PM_OK;
}

int pm_cli_opt_value(struct pm_ctx *c, int argc, char **argv, int key, const char **value)
{
	const char *arg;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if (k == key)
			*value = arg;
	return k < 0 ? -1 : 0;
}

int pm_cli_pay_opts(struct pm_ctx *c, int argc, char **argv, struct pm_cli_pay *p,
		    void (*other)(void *ctx, int key, const char *arg), void *ctx)
{
	const char *arg;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case PM_OPT_PAY_UNIT: p->unit = arg; break;
		case PM_OPT_PAY_CHANNEL: p->channel = arg; break;
		case PM_OPT_PAY_REF: p->ref = arg; break;
		default: other(ctx, k, arg);
		}
	return k < 0 ? -1 : 0;
}

/* ---- option values ---- */

/* The parser's reason (which names the forms) after the option's name. */
static int arg_bad(struct pm_ctx *c, const char *opt)
{
	return pm_cli_usage(c, "%s: %s", opt, c->err.msg);
}

int pm_cli_arg_period(struct pm_ctx *c, const char *opt, const char *s, struct pm_period *p)
{
	return pm_period_parse(s, p, &c->err) ? arg_bad(c, opt) : PM_OK;
}

int pm_cli_arg_date(struct pm_ctx *c, const char *opt, const char *s, int32_t *day)
{
	return pm_date_parse(s, day, &c->err) ? arg_bad(c, opt) : PM_OK;
}

int pm_cli_arg_time(struct pm_ctx *c, const char *opt, const char *s, int64_t *t)
{
	return pm_time_parse(s, t, &c->err) ? arg_bad(c, opt) : PM_OK;
}

int pm_cli_arg_when(struct pm_ctx *c, const char *opt, const char *s, int64_t *t)
{
	int32_t day;

	if (strlen(s) == 10 && pm_date_parse(s, &day, NULL) == PM_OK) {
		*t = pm_date_start(day, c->db ? pm_db_tz(c->db) : PM_DEFAULT_TZ);
		return PM_OK;
	}
	if (pm_time_parse(s, t, NULL) == PM_OK)
		return PM_OK;
	return pm_cli_usage(c, _("%s: \"%s\" is no time: expected one such as 2026-11-30T23:00:00+08:00, or a day such as 2026-11-30"),
			    opt, s);
}

static int ahead(struct pm_ctx *c, const char *s, const char *now)
{
	return pm_cli_usage(c, _("--as-of %s is ahead of the clock (%s): give --force to run ahead on purpose"), s,
			    now);
}

int pm_cli_as_of_day(struct pm_ctx *c, struct pm_db *db, const char *s, int force, int32_t *day)
{
	char buf[PM_TIME_BUF];
	int32_t today = pm_db_today(db);

	*day = today;
	if (!s)
		return PM_OK;
	if (pm_cli_arg_date(c, "--as-of", s, day))
		return PM_EUSAGE;
	return *day > today && !force ? ahead(c, s, pm_date_fmt(today, buf)) : PM_OK;
}

int pm_cli_as_of_opts(struct pm_ctx *c, int argc, char **argv, int as_of, const char **s, int *force)
{
	const char *arg;
	int k;

	*s = NULL;
	*force = 0;
	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0) {
		if (k == as_of)
			*s = arg;
		*force |= k == PM_OPT_FORCE;
	}
	return k;
}

int pm_cli_as_of_time(struct pm_ctx *c, const char *s, int force, int64_t *t)
{
	char buf[PM_TIME_BUF];
	int64_t now = pm_now();

	*t = now;
	if (!s)
		return PM_OK;
	if (pm_cli_arg_when(c, "--as-of", s, t))
		return PM_EUSAGE;
	return *t > now && !force ? ahead(c, s, pm_time_fmt(now, pm_db_tz(c->db), buf)) : PM_OK;
}

int pm_cli_arg_money(struct pm_ctx *c, const char *opt, const char *s, int64_t *fen)
{
	return pm_money_parse(s, fen, &c->err) ? arg_bad(c, opt) : PM_OK;
}

int pm_cli_arg_decimal(struct pm_ctx *c, const char *opt, const char *s, int places, int64_t *v)
{
	return pm_decimal_parse(s, places, v, &c->err) ? arg_bad(c, opt) : PM_OK;
}

int pm_cli_arg_count(struct pm_ctx *c, const char *opt, const char *s, int64_t *n)
{
	char *end;

	errno = 0;
	*n = strtoll(s, &end, 10);
	if (errno || end == s || *end || *n <= 0 || *s < '0' || *s > '9')
		return pm_cli_usage(c, _("%s wants a whole number above 0, not '%s'"), opt, s);
	return PM_OK;
}

/* ---- the store and the actor ---- */

const char *pm_cli_store(const struct pm_ctx *c)
{
	const char *path = c->db_path;

	if (!path || !*path)
		path = getenv("PM_DB");
	return path && *path ? path : "pm.db";
}

const char *pm_cli_as(const struct pm_ctx *c)
{
	return c->as && *c->as ? c->as : getenv("PM_USER");
}

int pm_cli_db(struct pm_ctx *c, const char *action, struct pm_db **db)
{
	if (!c->db) {
		if (pm_db_open(pm_cli_store(c), 0, &c->db, &c->err))
			return c->err.code;
		pm_db_read(c->db);
		if (pm_auth_actor(c->db, pm_cli_as(c), &c->actor, &c->err))
			return c->err.code;
		pm_db_set_actor(c->db, c->actor.login);
		pm_db_set_caller(c->db, c->actor.by);
	}
	if (action && pm_auth_check(&c->actor, action, &c->err))
		return c->err.code;
	*db = c->db;
	return PM_OK;
}

/* ---- output ---- */

/* --columns named a field the records do not have: the nearest that
 * they do, or all of them. */
static int unknown_column(struct pm_ctx *c, json_t *rec, const char *name, size_t n)
{
	const char *k, *best = NULL;
	char known[512];
	size_t len = 0;
	int d = 3;
	json_t *v;

	known[0] = '\0';
	json_object_foreach(rec, k, v) {
		pm_suggest_consider(name, n, k, &best, &d);
		if (strcmp(k, "type") != 0 && len < sizeof known)
			len += (size_t)snprintf(known + len, sizeof known - len, "%s%s", len ? "," : "", k);
	}
	if (best)
		return pm_cli_usage(c, _("--columns: no field \"%.*s\" here: did you mean \"%s\"?"), (int)n, name, best);
	return pm_cli_usage(c, _("--columns: no field \"%.*s\" here: the fields are %s"), (int)n, name, known);
}

/* The fields of rec (a record, or pm_table_fields'), or those --columns
 * names; in a table, a nested record shows shortened and a list of
 * records as a table of its own (pm_table_print), in CSV neither. */
static int take_cols(struct pm_ctx *c, json_t *rec)
{
	int table = c->format == PM_FMT_TABLE;
	const char *k, *p, *e;
	json_t *v;

	if (!(c->cols = json_array()))
		return pm_err_set(&c->err, PM_EFAIL, _("out of memory"));
	for (p = c->columns; p && *p; p = *e ? e + 1 : e) {
		e = p + strcspn(p, ",");
		json_array_append_new(c->cols, json_stringn(p, (size_t)(e - p)));
		if (!json_object_getn(rec, p, (size_t)(e - p)))
			return unknown_column(c, rec, p, (size_t)(e - p));
	}
	if (c->columns)
		return PM_OK;
	json_object_foreach(rec, k, v)
		if (strcmp(k, "type") != 0 &&
		    (table ? !json_is_object(json_array_get(v, 0)) : !json_is_object(v) && !json_is_array(v)))
			json_array_append_new(c->cols, json_string(k));
	return PM_OK;
}

static void csv_row(struct pm_ctx *c, json_t *rec, int header)
{
	char sep = c->format == PM_FMT_TSV ? '\t' : ',';
	char buf[PM_MONEY_BUF];
	size_t i;
	json_t *k, *v;

	json_array_foreach(c->cols, i, k) {
		const char *key = json_string_value(k);

		v = header ? NULL : json_object_get(rec, key);
		if (i)
			putchar(sep);
		pm_csv_write_cell(stdout, header ? key : pm_table_cell(v, key, 0, buf, sizeof buf), sep, json_is_integer(v));
	}
	putchar('\n');
}

int pm_cli_out(struct pm_ctx *c, json_t *rec)
{
	int rc;

	if (c->held)
		return json_array_append(c->held, rec) ? pm_err_set(&c->err, PM_EFAIL, _("out of memory")) : PM_OK;
	/* With no store open there is no actor and no person to show. */
	if (c->db)
		pm_pii_redact(&c->actor, rec);
	if (c->format == PM_FMT_JSONL)
		return pm_jsonl_write(stdout, rec, &c->err);
	c->nout++;
	/* A table waits for its last record: its columns are every record's
	 * fields (pm_cli_flush). CSV streams, under the first one's. */
	if (c->format == PM_FMT_TABLE) {
		if (!c->rows)
			c->rows = json_array();
		return json_array_append(c->rows, rec) ? pm_err_set(&c->err, PM_EFAIL, _("out of memory")) : PM_OK;
	}
	if (!c->cols && (rc = take_cols(c, rec)))
		return rc;
	if (c->nout == 1)
		csv_row(c, rec, 1);
	csv_row(c, rec, 0);
	return PM_OK;
}

/* Tables on a terminal fit its width ($COLUMNS, else the terminal's);
 * elsewhere they keep every character. */
static int table_width(void)
{
	struct winsize ws;
	const char *e = getenv("COLUMNS");
	long n;
	char *end;

	if (!isatty(STDOUT_FILENO))
		return 0;
	if (e && (n = strtol(e, &end, 10)) > 0 && n < 10000 && !*end)
		return (int)n;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

int pm_cli_next_table(struct pm_ctx *c)
{
	int rc;

	if (c->format != PM_FMT_TABLE)
		return PM_OK;
	if ((rc = pm_cli_flush(c)) == PM_OK)
		putchar('\n');
	return rc;
}

int pm_cli_out_each(void *ctx, json_t *rec)
{
	return pm_cli_out(ctx, rec);
}

int pm_cli_out_new(struct pm_ctx *c, json_t *rec)
{
	int rc = pm_cli_out(c, rec);

	json_decref(rec);
	return rc;
}

int pm_cli_printq(struct pm_ctx *c, const char *source, long *count)
{
	int64_t last;
	int rc = pm_printq_each(c->db, source, pm_cli_out_each, c, &last, count, &c->err);

	/* A table is printed now, not at the end, since it is marked printed. */
	if (rc == PM_OK && *count && c->format == PM_FMT_TABLE)
		rc = pm_cli_flush(c);
	if (rc == PM_OK && *count && fflush(stdout))
		rc = pm_err_set(&c->err, PM_EIO, _("write error on standard output: %s"), strerror(errno));
	/* Marked only once stdout took them: what it did not stays due. */
	return rc ? rc : pm_printq_done(c->db, source, last, &c->err);
}

int pm_cli_flush(struct pm_ctx *c)
{
	json_t *fields;
	int rc = PM_OK;

	if (c->format == PM_FMT_TABLE && c->rows) {
		if (!(fields = pm_table_fields(c->rows)))
			rc = pm_err_set(&c->err, PM_EFAIL, _("out of memory"));
		else if ((rc = take_cols(c, fields)) == PM_OK)
			pm_table_print(stdout, c->cols, c->rows, table_width());
		json_decref(fields);
	}
	json_decref(c->rows);
	json_decref(c->cols);
	c->rows = c->cols = NULL;
	c->nout = 0;
	return rc;
}

static long ms_between(const struct timespec *a, const struct timespec *b)
{
	return (long)((b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000);
}

int pm_cli_progress_due(struct pm_ctx *c, long done)
{
	struct timespec now;

	/* Called once a record: the cheap tests first. */
	if (c->quiet || done % 64)
		return 0;
	if (!c->progress_tty)
		c->progress_tty = isatty(STDERR_FILENO) ? 1 : 2;
	if (c->progress_tty != 1)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!c->progress_t0.tv_sec && !c->progress_t0.tv_nsec)
		c->progress_t0 = c->progress_last = now;
	if (ms_between(&c->progress_last, &now) < 100)
		return 0;
	c->progress_last = now;
	return 1;
}

void pm_cli_progress_draw(struct pm_ctx *c, long done, long total, long long at, long long size)
{
	long ms = ms_between(&c->progress_t0, &c->progress_last);
	double frac = total > 0 ? (double)done / (double)total : size > 0 ? (double)at / (double)size : 0;
	long rate = ms > 0 ? (long)(done * 1000.0 / (double)ms) : 0;
	long left = frac > 0 && frac < 1 ? (long)((double)ms / frac * (1 - frac) / 1000) : -1;

	fprintf(stderr, "\r%s: ", c->prog->name);
	if (total > 0)
		fprintf(stderr, _("%ld of %ld"), done, total);
	else
		fprintf(stderr, _("%ld records"), done);
	if (frac > 0)
		fprintf(stderr, " (%d%%)", (int)(frac * 100));
	fprintf(stderr, _(", %ld/s"), rate);
	if (left >= 0)
		fprintf(stderr, _(", %ld:%02ld left"), left / 60, left % 60);
	fputs("\033[K", stderr);
	c->progress_shown = 1;
}

void pm_cli_progress_end(struct pm_ctx *c)
{
	if (c->progress_shown)
		fputs("\r\033[K", stderr);
	c->progress_shown = 0;
}

void pm_cli_progress(struct pm_ctx *c, long done, long total)
{
	if (done >= total)
		pm_cli_progress_end(c);
	else if (pm_cli_progress_due(c, done))
		pm_cli_progress_draw(c, done, total, 0, 0);
}

/* ---- main ---- */

/* The locale that LC_MESSAGES resolves to, by the POSIX order. */
static const char *messages_locale(void)
{
	static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
	const char *v;

	for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
		if ((v = getenv(vars[i])) && *v)
			return v;
	return "C";
}

/* Only messages are translated: numbers, dates and money are written one
 * way whatever the locale, so LC_NUMERIC, LC_TIME and the rest stay "C".
 * Loading every category cost a tenth of a start-up (C.UTF-8 is not in
 * the locale archive, so glibc reads a dozen files), and a C locale has
 * nothing to translate, so it loads none. */
/* The catalogues: $PM_LOCALEDIR, else those the build made beside the
 * programs (build/bin/../locale), so a program run from the build tree
 * speaks the locale's language, else the installed ones. */
static const char *locale_dir(char *buf, size_t n)
{
	const char *dir = getenv("PM_LOCALEDIR");
	struct stat st;
	ssize_t len;
	char *slash;

	if (dir && *dir)
		return dir;
	if ((len = readlink("/proc/self/exe", buf, n - 1)) <= 0)
		return PM_LOCALEDIR;
	buf[len] = '\0';
	if (!(slash = strrchr(buf, '/')) || (*slash = '\0', !(slash = strrchr(buf, '/'))))
		return PM_LOCALEDIR;
	if ((size_t)(slash - buf) + sizeof "/locale" > n)
		return PM_LOCALEDIR;
	memcpy(slash, "/locale", sizeof "/locale");
	return stat(buf, &st) == 0 && S_ISDIR(st.st_mode) ? buf : PM_LOCALEDIR;
}

static void setup_locale(void)
{
	const char *m = messages_locale();
	char buf[4096];

	if (strcmp(m, "C") == 0 || strcmp(m, "POSIX") == 0 || strncmp(m, "C.", 2) == 0)
		return;
	/* LC_CTYPE too, so libc's own messages (strerror) keep their script. */
	setlocale(LC_CTYPE, "");
	setlocale(LC_MESSAGES, "");
	bindtextdomain(PM_TEXTDOMAIN, locale_dir(buf, sizeof buf));
	bind_textdomain_codeset(PM_TEXTDOMAIN, "UTF-8");
}

/* Writing stdout must have worked: a full disk or a closed pipe is an
 * error, never a silent success. A command that failed has said so, in
 * its one line (a report that could not be written said it twice). */
static int close_stdout(struct pm_ctx *c, int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (!rc)
			pm_cli_warn(c, _("write error on standard output: %s"), strerror(errno));
		return rc ? rc : PM_EIO;
	}
	return rc;
}

static int run(struct pm_ctx *c, const struct pm_cmd *cmd, int argc, char **argv)
{
	const struct pm_cmd *s;
	size_t len;

	while (cmd->sub) {
		if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
			print_help(c, cmd, argc < 2 ? stderr : stdout);
			return argc < 2 ? PM_EUSAGE : PM_OK;
		}
		if (!(s = find_cmd(cmd->sub, argv[1])))
			return pm_cli_usage(c, _("unknown command '%s'"), argv[1]);
		len = strlen(c->path);
		snprintf(c->path + len, sizeof c->path - len, " %s", s->name);
		cmd = s;
		argc--;
		argv++;
	}
	c->cmd = cmd;
	optind = 0;
	return cmd->run(c, argc, argv);
}

static int parse_top(struct pm_ctx *c, int argc, char **argv)
{
	static const struct pm_cmd top = {"", NULL, NULL, NULL, NULL, NULL};
	const char *arg;

	c->cmd = &top;
	for (int i = 1; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--version") == 0) {
			printf("%s %s\n", c->prog->name, PM_VERSION);
			return -1;
		}
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			print_prog_help(c->prog, stdout);
			return -1;
		}
	}
	optind = 0;
	if (next_opt(c, argc, argv, &arg, 1) != 0)
		return -1;
	return c->optind;
}

/* The option word w of the shared options or of cmd's: -1 if it is none,
 * else whether the word after it is its value (--name VALUE, or a short
 * one, last in its bundle, that takes one). */
static int opt_word(const struct pm_cmd *cmd, const char *w)
{
	const struct pm_opt *all[2] = {cmd ? cmd->opts : NULL, shared_opts};
	size_t n;

	if (strncmp(w, "--", 2) == 0) {
		n = strcspn(w + 2, "=");
		for (int t = 0; t < 2; t++)
			for (const struct pm_opt *o = all[t]; o && o->name; o++)
				if (strlen(o->name) == n && strncmp(o->name, w + 2, n) == 0)
					return o->arg && !w[2 + n];
		return -1;
	}
	for (const char *k = w + 1; *k; k++) {
		const struct pm_opt *found = opt_by_key(all, (unsigned char)*k);

		if (!found)
			return -1;
		if (found->arg)
			return !k[1];
	}
	return 0;
}

/* Whether argv names a command, for a program with a default one
 * (prog->dflt): a word after the options at its front (the shared ones
 * and the default command's, their values skipped). An option neither
 * knows, --help, -h and --version are the program's to answer, as
 * naming one. So the shared options may stand before the default
 * command's own, or alone: pm-backup -q --to DIR, pm-backup -v. */
static int names_cmd(const struct pm_prog *prog, int argc, char **argv)
{
	const struct pm_cmd *d = find_cmd(prog->cmds, prog->dflt);
	int i = 1, v;

	while (i < argc && argv[i][0] == '-' && argv[i][1] && strcmp(argv[i], "--") != 0) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--version") == 0 ||
		    (v = opt_word(d, argv[i])) < 0)
			return 1;
		i += 1 + v;
	}
	return i < argc;
}

int pm_cli_main(const struct pm_prog *prog, int argc, char **argv)
{
	struct pm_ctx c = {.prog = prog, .stop = PM_OK};
	const struct pm_cmd *cmd;
	int first, rc, frc;

	/* A closed pipe is a write error to say and exit 74 on, once what was
	 * done is recorded: killed by SIGPIPE, pm-notify flush would leave
	 * messages it had written under way, to be sent again. */
	signal(SIGPIPE, SIG_IGN);
	if (prog->dflt && !names_cmd(prog, argc, argv))
		return pm_cli_main_default(prog, argc, argv);
	setup_locale();
	snprintf(c.path, sizeof c.path, "%s", prog->name);
	if (argc > 1 && strcmp(argv[1], "--complete") == 0)
		return close_stdout(&c, complete(prog, argc - 2, argv + 2));
	if (argc > 1 && strcmp(argv[1], "--complete-value") == 0) {
		rc = complete_value(&c, prog, argc - 2, argv + 2);
		pm_db_close(c.db);
		return close_stdout(&c, rc);
	}
	if ((first = parse_top(&c, argc, argv)) < 0)
		return close_stdout(&c, c.stop);
	if (first >= argc) {
		print_prog_help(prog, stderr);
		return PM_EUSAGE;
	}
	if (c.format == PM_FMT_AUTO)
		c.format = isatty(STDOUT_FILENO) ? PM_FMT_TABLE : PM_FMT_JSONL;
	cmd = find_cmd(prog->cmds, argv[first]);
	if (cmd) {
		snprintf(c.path, sizeof c.path, "%s %s", prog->name, cmd->name);
		rc = run(&c, cmd, argc - first, argv + first);
	} else if (prog->fallback) {
		rc = prog->fallback(&c, argc - first, argv + first);
	} else {
		rc = pm_cli_usage(&c, _("unknown command '%s'"), argv[first]);
	}
	if ((frc = pm_cli_flush(&c)) && rc == PM_OK)
		rc = frc;
	/* A usage error the library found is said here; one the command
	 * line found (c.stop) was said already. */
	if (rc == PM_EUSAGE && c.stop != PM_EUSAGE && c.err.msg[0])
		pm_cli_usage(&c, "%s", c.err.msg);
	else if (rc != PM_OK && rc != PM_EUSAGE && c.err.msg[0])
		pm_cli_warn(&c, "%s", c.err.msg);
	pm_db_close(c.db);
	return close_stdout(&c, rc);
}

int pm_cli_main_default(const struct pm_prog *prog, int argc, char **argv)
{
	char **v = calloc((size_t)argc + 2, sizeof *v);
	int rc;

	if (!v)
		return PM_EFAIL;
	v[0] = argv[0];
	v[1] = (char *)prog->dflt;
	memcpy(v + 2, argv + 1, (size_t)(argc - 1) * sizeof *v);
	rc = pm_cli_main(prog, argc + 1, v);
	free(v);
	return rc;
}
