#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pm/audit.h"
#include "pm/cli.h"
#include "pm/i18n.h"
#include "pm/jsonl.h"
#include "pm/money.h"

enum {
	OPT_DB = 0x1000, OPT_FORMAT, OPT_AS, OPT_VERSION, OPT_COMPLETE,
};

/* Options every subcommand takes, appended to its own in --help. */
static const struct pm_opt shared_opts[] = {
	{"db", OPT_DB, "PATH", N_("the store (default $PM_DB, else ./pm.db)")},
	{"format", OPT_FORMAT, "FMT", N_("table, jsonl, csv or tsv (default: table on a terminal, else jsonl)")},
	{"as", OPT_AS, "LOGIN", N_("act for this pm user, as an admin or a service account (default $PM_USER)")},
	{"quiet", 'q', NULL, N_("say nothing but errors")},
	{"verbose", 'v', NULL, N_("say more on stderr")},
	{"help", 'h', NULL, N_("show this help and exit")},
	{NULL, 0, NULL, NULL},
};

static int shared_opt(struct pm_ctx *c, int key, const char *arg)
{
	switch (key) {
	case OPT_DB: c->db_path = arg; return 1;
	case OPT_AS: c->as = arg; return 1;
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

void pm_cli_warn(struct pm_ctx *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", c->prog->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void pm_cli_note(struct pm_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->quiet)
		return;
	fprintf(stderr, "%s: ", c->prog->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int pm_cli_usage(struct pm_ctx *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", c->path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	fprintf(stderr, _("Try '%s --help'.\n"), c->path);
	c->stop = PM_EUSAGE;
	return PM_EUSAGE;
}

/* ---- help and completion ---- */

/* A shared option the command has one of its own of the same name for,
 * such as a --format with more formats: the command's is the one. */
static int overridden(const struct pm_cmd *cmd, const struct pm_opt *shared)
{
	for (const struct pm_opt *o = cmd ? cmd->opts : NULL; o && o->name; o++)
		if (strcmp(o->name, shared->name) == 0)
			return 1;
	return 0;
}

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
		if (!overridden(cmd, o))
			opt_line(f, o);
}

static void print_prog_help(const struct pm_prog *p, FILE *f)
{
	fprintf(f, _("usage: %s [--db PATH] [--as LOGIN] COMMAND [OPTIONS] [ARGS]\n\n%s\n\nCommands:\n"),
		p->name, _(p->summary));
	for (const struct pm_cmd *s = p->cmds; s->name; s++)
		fprintf(f, "  %-14s %s\n", s->name, _(s->summary));
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
		if (!overridden(cmd, o))
			printf("--%s%s\n", o->name, o->arg ? "=" : "");
	return PM_OK;
}

/* ---- option parsing ---- */

#define MAXOPT 48

/* Options and operands may mix (GNU permutation) except at the top level,
 * where the first operand is the subcommand and ends the program's own. */
static int next_opt(struct pm_ctx *c, int argc, char **argv, const char **arg, int top)
{
	struct option lo[MAXOPT + 1];
	char so[MAXOPT * 2 + 2];
	const struct pm_opt *all[2] = {c->cmd->opts, shared_opts};
	size_t n = 0, sn = 0;
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

int pm_cli_noopts(struct pm_ctx *c, int argc, char **argv)
{
	const char *arg;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		;
	return k < 0 ? -1 : 0;
}

/* ---- the store and the actor ---- */

int pm_cli_db(struct pm_ctx *c, const char *action, struct pm_db **db)
{
	const char *path = c->db_path, *as = c->as;

	if (!c->db) {
		if (!path || !*path)
			path = getenv("PM_DB");
		if (!path || !*path)
			path = "pm.db";
		if (!as || !*as)
			as = getenv("PM_USER");
		if (pm_db_open(path, 0, &c->db, &c->err))
			return c->err.code;
		if (pm_auth_actor(c->db, as, &c->actor, &c->err))
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

int pm_cli_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned cp;
	int w = 0, n;

	while (*p) {
		if (*p < 0x80) { cp = *p; n = 1; }
		else if ((*p & 0xe0) == 0xc0) { cp = *p & 0x1f; n = 2; }
		else if ((*p & 0xf0) == 0xe0) { cp = *p & 0x0f; n = 3; }
		else { cp = *p & 0x07; n = 4; }
		for (int i = 1; i < n; i++) {
			if ((p[i] & 0xc0) != 0x80) { n = i; break; }
			cp = cp << 6 | (p[i] & 0x3f);
		}
		p += n;
		if (cp >= 0x300 && cp <= 0x36f)
			continue;
		w += (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
		     (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
		     (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
		     (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x20000 && cp <= 0x3fffd) ? 2 : 1;
	}
	return w;
}

static int is_money(const char *key)
{
	size_t n = strlen(key);

	return n > 4 && strcmp(key + n - 4, "_fen") == 0;
}

/* A cell's text: strings as they are, integers in decimal, money as yuan
 * (¥ in tables), true/false, empty for null. */
static const char *cell(json_t *v, const char *key, int table, char *buf, size_t n)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		if (is_money(key) && table)
			return pm_money_display(json_integer_value(v), buf);
		snprintf(buf, n, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	if (json_is_boolean(v))
		return json_is_true(v) ? "true" : "false";
	if (!v || json_is_null(v))
		return "";
	return "…";
}

static void csv_field(const char *s, int sep)
{
	if (sep == '\t') {
		for (; *s; s++)
			putchar(*s == '\t' || *s == '\n' ? ' ' : *s);
		return;
	}
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

static void take_cols(struct pm_ctx *c, json_t *rec)
{
	const char *k;
	json_t *v;

	c->cols = json_array();
	json_object_foreach(rec, k, v)
		if (strcmp(k, "type") != 0 && !json_is_object(v) && !json_is_array(v))
			json_array_append_new(c->cols, json_string(k));
}

static void csv_row(struct pm_ctx *c, json_t *rec, int header)
{
	int sep = c->format == PM_FMT_TSV ? '\t' : ',';
	char buf[PM_MONEY_BUF];
	size_t i;
	json_t *k;

	json_array_foreach(c->cols, i, k) {
		const char *key = json_string_value(k);
		if (i)
			putchar(sep);
		csv_field(header ? key : cell(json_object_get(rec, key), key, 0, buf, sizeof buf), sep);
	}
	putchar('\n');
}

int pm_cli_out(struct pm_ctx *c, json_t *rec)
{
	/* With no store open there is no actor and no person to show. */
	if (c->db)
		pm_pii_redact(&c->actor, rec);
	if (c->format == PM_FMT_JSONL)
		return pm_jsonl_write(stdout, rec, &c->err);
	if (!c->cols)
		take_cols(c, rec);
	c->nout++;
	if (c->format == PM_FMT_TABLE) {
		if (!c->rows)
			c->rows = json_array();
		json_array_append(c->rows, rec);
		return PM_OK;
	}
	if (c->nout == 1)
		csv_row(c, rec, 1);
	csv_row(c, rec, 0);
	return PM_OK;
}

static void pad(int n)
{
	while (n-- > 0)
		putchar(' ');
}

static int right_aligned(json_t *v, const char *key)
{
	return json_is_integer(v) || is_money(key);
}

static const char *heading(const char *key, char *buf, size_t n)
{
	size_t len = strlen(key);

	if (is_money(key))
		snprintf(buf, n, "%.*s", (int)(len - 4), key);
	else
		snprintf(buf, n, "%s", key);
	return buf;
}

/* A cell keeps to its row: line breaks and tabs (an announcement's body)
 * print as spaces, which pm_cli_width counts as one column each too. */
static void table_cell(const char *s)
{
	for (; *s; s++)
		putchar(*s == '\n' || *s == '\r' || *s == '\t' ? ' ' : *s);
}

static void table_flush(struct pm_ctx *c)
{
	size_t ncol = json_array_size(c->cols), i, r;
	int *w = calloc(ncol ? ncol : 1, sizeof *w);
	char buf[PM_MONEY_BUF], head[64];
	json_t *row, *k;

	if (!w)
		return;
	json_array_foreach(c->cols, i, k) {
		w[i] = pm_cli_width(heading(json_string_value(k), head, sizeof head));
		json_array_foreach(c->rows, r, row) {
			const char *s = cell(json_object_get(row, json_string_value(k)), json_string_value(k), 1, buf, sizeof buf);
			int cw = pm_cli_width(s);
			if (cw > w[i])
				w[i] = cw;
		}
	}
	json_array_foreach(c->cols, i, k) {
		const char *h = heading(json_string_value(k), head, sizeof head);
		fputs(h, stdout);
		if (i + 1 < ncol)
			pad(w[i] - pm_cli_width(h) + 2);
	}
	putchar('\n');
	json_array_foreach(c->rows, r, row) {
		json_array_foreach(c->cols, i, k) {
			const char *key = json_string_value(k);
			json_t *v = json_object_get(row, key);
			const char *s = cell(v, key, 1, buf, sizeof buf);
			int gap = w[i] - pm_cli_width(s);
			if (right_aligned(v, key))
				pad(gap);
			table_cell(s);
			if (i + 1 < ncol)
				pad((right_aligned(v, key) ? 0 : gap) + 2);
		}
		putchar('\n');
	}
	free(w);
}

void pm_cli_next_table(struct pm_ctx *c)
{
	if (c->format != PM_FMT_TABLE)
		return;
	pm_cli_flush(c);
	putchar('\n');
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

int pm_cli_flush(struct pm_ctx *c)
{
	if (c->format == PM_FMT_TABLE && c->rows)
		table_flush(c);
	json_decref(c->rows);
	json_decref(c->cols);
	c->rows = c->cols = NULL;
	c->nout = 0;
	return PM_OK;
}

void pm_cli_progress(struct pm_ctx *c, long done, long total)
{
	static struct timespec last;
	static int tty = -1;
	struct timespec now;

	/* Called once per record: the cheap tests first. */
	if (c->quiet || (done % 1024 && done < total))
		return;
	if (tty < 0)
		tty = isatty(STDERR_FILENO);
	if (!tty)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (done < total && (now.tv_sec - last.tv_sec) * 1000 + (now.tv_nsec - last.tv_nsec) / 1000000 < 200)
		return;
	last = now;
	if (total > 0)
		fprintf(stderr, "\r%s: %ld/%ld (%ld%%)%s", c->prog->name, done, total, done * 100 / total,
			done >= total ? "\n" : "");
	else
		fprintf(stderr, "\r%s: %ld", c->prog->name, done);
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
static void setup_locale(void)
{
	const char *dir = getenv("PM_LOCALEDIR"), *m = messages_locale();

	if (strcmp(m, "C") == 0 || strcmp(m, "POSIX") == 0 || strncmp(m, "C.", 2) == 0)
		return;
	/* LC_CTYPE too, so libc's own messages (strerror) keep their script. */
	setlocale(LC_CTYPE, "");
	setlocale(LC_MESSAGES, "");
	bindtextdomain(PM_TEXTDOMAIN, dir && *dir ? dir : PM_LOCALEDIR);
	bind_textdomain_codeset(PM_TEXTDOMAIN, "UTF-8");
}

/* Writing stdout must have worked: a full disk or a closed pipe is an
 * error, never a silent success. */
static int close_stdout(struct pm_ctx *c, int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
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

int pm_cli_main(const struct pm_prog *prog, int argc, char **argv)
{
	struct pm_ctx c = {.prog = prog, .stop = PM_OK};
	const struct pm_cmd *cmd;
	int first, rc;

	setup_locale();
	snprintf(c.path, sizeof c.path, "%s", prog->name);
	if (argc > 1 && strcmp(argv[1], "--complete") == 0)
		return close_stdout(&c, complete(prog, argc - 2, argv + 2));
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
	pm_cli_flush(&c);
	if (rc != PM_OK && rc != PM_EUSAGE && c.err.msg[0])
		pm_cli_warn(&c, "%s", c.err.msg);
	pm_db_close(c.db);
	return close_stdout(&c, rc);
}

/* ---- the reject convention ---- */

static int import_reject(struct pm_ctx *c, struct pm_import *im, const char *where,
			 const char *raw, size_t len, struct pm_reject *rj, struct pm_err *why)
{
	im->rejected++;
	pm_cli_warn(c, "%s: %s", where, why->msg);
	return rj ? pm_reject_write(rj, raw, len, &c->err) : PM_OK;
}

/* Records put off (PM_IMPORT_LATER) with where they came from and their
 * raw text, for a rejection after the last file is closed. */
struct later {
	json_t *rec;
	char *where, *raw;
	size_t len;
};

struct laters {
	struct later *l;
	size_t n, cap;
};

static int later_add(struct pm_ctx *c, struct laters *ls, json_t *rec, struct pm_jsonl *r)
{
	struct later *l;
	const char *raw;
	size_t len;

	if (ls->n == ls->cap) {
		size_t cap = ls->cap ? ls->cap * 2 : 64;
		if (!(l = realloc(ls->l, cap * sizeof *l)))
			return pm_err_set(&c->err, PM_EFAIL, _("out of memory"));
		ls->l = l;
		ls->cap = cap;
	}
	l = &ls->l[ls->n];
	raw = pm_jsonl_raw(r, &len);
	l->where = strdup(pm_jsonl_where(r));
	l->raw = malloc(len + 1);
	if (!l->where || !l->raw) {
		free(l->where);
		free(l->raw);
		return pm_err_set(&c->err, PM_EFAIL, _("out of memory"));
	}
	memcpy(l->raw, raw, len);
	l->len = len;
	l->rec = json_incref(rec);
	ls->n++;
	return PM_OK;
}

static void laters_free(struct laters *ls)
{
	for (size_t i = 0; i < ls->n; i++) {
		json_decref(ls->l[i].rec);
		free(ls->l[i].where);
		free(ls->l[i].raw);
	}
	free(ls->l);
}

static int import_later(struct pm_ctx *c, struct pm_import *im, struct laters *ls,
			struct pm_reject *rj)
{
	struct pm_err why;
	int rc = PM_OK, outcome;

	for (size_t i = 0; i < ls->n && rc == PM_OK; i++) {
		struct later *l = &ls->l[i];
		outcome = 0;
		rc = im->retry(im->ctx, l->rec, &outcome, &why);
		if (rc == PM_OK && outcome >= 0 && outcome < 8)
			im->counts[outcome]++;
		if (rc == PM_EDATA) {
			if (im->on_reject)
				im->on_reject(im->ctx, l->rec, l->where, why.msg);
			rc = import_reject(c, im, l->where, l->raw, l->len, rj, &why);
		} else if (rc) {
			c->err = why;
			pm_err_prefix(&c->err, "%s", l->where);
		}
	}
	return rc;
}

static int import_file(struct pm_ctx *c, struct pm_import *im, const char *path,
		       struct pm_reject *rj, long *pending, struct laters *ls)
{
	struct pm_jsonl *r;
	struct pm_err why;
	const char *raw;
	size_t len;
	json_t *rec;
	int rc, outcome;

	if (pm_jsonl_open(path, im->mode, &r, &c->err))
		return c->err.code;
	for (;;) {
		rec = NULL;
		rc = pm_jsonl_next(r, &rec, &why);
		if (rc == PM_OK && !rec)
			break;
		if (rc == PM_OK || rc == PM_EDATA)
			im->read++;
		if (rc == PM_OK) {
			outcome = 0;
			rc = im->record(im->ctx, rec, &outcome, &why);
			if (rc == PM_OK && outcome == PM_IMPORT_LATER && (rc = later_add(c, ls, rec, r)))
				break;
			if (rc == PM_OK && outcome >= 0 && outcome < 8)
				im->counts[outcome]++;
		} else {
			rec = NULL;
		}
		if (rc == PM_EDATA) {
			if (im->on_reject)
				im->on_reject(im->ctx, rec, pm_jsonl_where(r), why.msg);
			raw = pm_jsonl_raw(r, &len);
			if ((rc = import_reject(c, im, pm_jsonl_where(r), raw, len, rj, &why)))
				break;
		} else if (rc) {
			c->err = why;
			pm_err_prefix(&c->err, "%s", pm_jsonl_where(r));
			break;
		}
		if (!im->strict && ++*pending >= im->batch) {
			if ((rc = pm_db_commit(c->db, &c->err)) || (rc = pm_db_begin(c->db, &c->err)))
				break;
			*pending = 0;
		}
		pm_cli_progress(c, im->read, 0);
	}
	pm_jsonl_close(r);
	return rc;
}

static int import_audit(struct pm_ctx *c, struct pm_import *im, int nfiles, char **files,
			int64_t started)
{
	json_t *after = json_pack("{s:I, s:I, s:I}", "read", (json_int_t)im->read, "rejected",
				  (json_int_t)im->rejected, "started", (json_int_t)started);
	json_t *names = json_array();
	int rc;

	for (int i = 0; i < nfiles; i++)
		json_array_append_new(names, json_string(files[i]));
	json_object_set_new(after, "files", names);
	for (int i = 0; im->outcomes && im->outcomes[i]; i++)
		json_object_set_new(after, im->outcomes[i], json_integer(im->counts[i]));
	rc = pm_audit_log(c->db, im->action, im->action, NULL, after, &c->err);
	json_decref(after);
	return rc;
}

static void import_summary(struct pm_ctx *c, struct pm_import *im)
{
	char line[256];
	size_t n;

	n = (size_t)snprintf(line, sizeof line, _("read %ld"), im->read);
	for (int i = 0; im->outcomes && im->outcomes[i] && n < sizeof line; i++)
		n += (size_t)snprintf(line + n, sizeof line - n, ", %s %ld", _(im->outcomes[i]), im->counts[i]);
	if (n < sizeof line)
		snprintf(line + n, sizeof line - n, _(", rejected %ld"), im->rejected);
	pm_cli_note(c, "%s", line);
}

int pm_cli_import(struct pm_ctx *c, struct pm_import *im, int nfiles, char **files)
{
	static char *dash[] = {"-"};
	struct pm_reject *rj = NULL;
	struct laters ls = {NULL, 0, 0};
	int64_t started = pm_now();
	long pending = 0;
	int rc = PM_OK;

	if (nfiles == 0) {
		nfiles = 1;
		files = dash;
	}
	if (im->batch <= 0)
		im->batch = 10000;
	if (im->reject && pm_reject_open(im->reject, &rj, &c->err))
		return c->err.code;
	if (pm_db_begin(c->db, &c->err)) {
		pm_reject_close(rj, NULL);
		return c->err.code;
	}
	for (int i = 0; i < nfiles && rc == PM_OK; i++)
		rc = import_file(c, im, files[i], rj, &pending, &ls);
	if (rc == PM_OK)
		rc = import_later(c, im, &ls, rj);
	laters_free(&ls);
	if (rc == PM_OK && im->strict && im->rejected) {
		pm_db_rollback(c->db);
		pm_err_set(&c->err, PM_EDATA, _("%ld bad records: nothing was written (--strict)"), im->rejected);
		rc = PM_EDATA;
	} else if (rc == PM_OK) {
		rc = import_audit(c, im, nfiles, files, started);
		rc = rc ? rc : pm_db_commit(c->db, &c->err);
	} else {
		/* What committed before the failure stays; a re-run completes it. */
		pm_db_rollback(c->db);
	}
	if (pm_reject_close(rj, rc ? NULL : &c->err) && rc == PM_OK)
		rc = c->err.code;
	if (rc == PM_OK || rc == PM_EDATA)
		import_summary(c, im);
	if (rc == PM_OK && im->rejected) {
		pm_err_set(&c->err, PM_EDATA, _("%ld of %ld records rejected"), im->rejected, im->read);
		rc = PM_EDATA;
	}
	return rc;
}

/* ---- importing by upserts ---- */

enum { OPT_REJECT = 0x1100, OPT_STRICT };

const struct pm_opt pm_cli_import_opts[] = {
	{"reject", OPT_REJECT, "FILE", N_("copy bad records to FILE")},
	{"strict", OPT_STRICT, NULL, N_("write nothing if any record is bad")},
	{NULL, 0, NULL, NULL},
};

struct upserts {
	struct pm_db *db;
	int (*upsert)(struct pm_db *db, json_t *rec, enum pm_upsert *did, struct pm_err *e);
};

static int upsert_record(void *ctx, json_t *rec, int *outcome, struct pm_err *e)
{
	struct upserts *u = ctx;
	enum pm_upsert did;
	int rc = u->upsert(u->db, rec, &did, e);

	*outcome = (int)did;
	return rc;
}

int pm_cli_import_upserts(struct pm_ctx *c, int argc, char **argv, const char *action,
			  const char *permission,
			  int (*upsert)(struct pm_db *db, json_t *rec, enum pm_upsert *did,
					struct pm_err *e))
{
	struct upserts u = {NULL, upsert};
	struct pm_import im = {.action = action, .mode = PM_JSONL_OR_CSV,
			       .outcomes = pm_upsert_names, .record = upsert_record, .ctx = &u};
	const char *arg;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case OPT_REJECT: im.reject = arg; break;
		case OPT_STRICT: im.strict = 1; break;
		}
	if (k < 0)
		return c->stop;
	if (pm_cli_db(c, permission, &u.db))
		return c->err.code;
	return pm_cli_import(c, &im, argc - c->optind, argv + c->optind);
}
