/* What every program shares: options, subcommand dispatch, output formats,
 * the table printer, messages and exit codes. Used by cmd/ only; this is
 * the one module that writes to stdout and stderr. */
#ifndef PM_CLI_H
#define PM_CLI_H

#include <stdio.h>
#include <time.h>

#include <jansson.h>

#include "pm/auth.h"
#include "pm/community.h"
#include "pm/db.h"
#include "pm/err.h"
#include "pm/i18n.h"
#include "pm/jsonl.h"
#include "pm/timeutil.h"

enum pm_format { PM_FMT_AUTO, PM_FMT_TABLE, PM_FMT_JSONL, PM_FMT_CSV, PM_FMT_TSV };

/* One option of a subcommand: long name, key (a short option letter, or a
 * number above 255 for long-only), argument name (NULL: takes none), help. */
struct pm_opt {
	const char *name;
	int key;
	const char *arg;
	const char *help;
};

struct pm_ctx;

/* A subcommand: its handler, or a table of its own subcommands. */
struct pm_cmd {
	const char *name;
	int (*run)(struct pm_ctx *c, int argc, char **argv);
	const char *args;    /* synopsis after the options, e.g. "[FILE...]" */
	const char *summary; /* one line */
	const struct pm_opt *opts;
	const struct pm_cmd *sub;
};

struct pm_prog {
	const char *name;    /* "pm-meter" */
	const char *summary;
	const struct pm_cmd *cmds;
	/* Called for a first word that is no subcommand (pm runs pm-X);
	 * NULL: an unknown subcommand is a usage error. */
	int (*fallback)(struct pm_ctx *c, int argc, char **argv);
	/* The command pm_cli_main runs when argv names none (nothing, or
	 * only options, the shared ones or this command's), and the help
	 * says so; NULL for none. */
	const char *dflt;
};

struct pm_ctx {
	const struct pm_prog *prog;
	const struct pm_cmd *cmd;
	char path[64];       /* "pm unit import", for messages and help */
	const char *db_path;
	const char *as;
	enum pm_format format;
	int format_given;    /* --format was on the command line */
	const char *columns; /* --columns, or NULL */
	int quiet, verbose;
	int optind;          /* first operand after pm_cli_opt returned 0 */
	int stop;            /* exit code when pm_cli_opt returned -1 */
	struct pm_db *db;
	struct pm_actor actor;
	struct pm_err err;
	/* output state */
	json_t *rows;        /* buffered for tables */
	json_t *cols;        /* column names, from the first record */
	json_t *held;        /* an import's records of the open batch, printed
			      * once it commits (pm_import_run) */
	long nout;
	/* progress */
	int progress_tty;    /* 0: not asked yet, 1: stderr is a terminal, 2: not */
	int progress_shown;
	struct timespec progress_t0, progress_last;
};

/* main() of every program: sets up locale and messages, dispatches argv to
 * the subcommand (prog->dflt when argv names none), prints the error and
 * returns the exit code. */
int pm_cli_main(const struct pm_prog *prog, int argc, char **argv);

/* pm_cli_main with prog->dflt put before argv[1]: for a program whose
 * operands can stand for its default command's (`pm-ask QUESTION`). */
int pm_cli_main_default(const struct pm_prog *prog, int argc, char **argv);

/* Next option of the current subcommand (the shared ones included):
 * the key with *arg set, 0 after the last option (operands start at
 * c->optind), or -1 when the handler should return c->stop at once
 * (--help printed, or a bad option reported). */
int pm_cli_opt(struct pm_ctx *c, int argc, char **argv, const char **arg);

/* pm_cli_opt for a subcommand with only the shared options: 0 when they
 * are read (operands start at c->optind), -1 when the handler should
 * return c->stop. */
int pm_cli_noopts(struct pm_ctx *c, int argc, char **argv);
/* The same for a subcommand whose one option of its own is a flag: *on
 * becomes 1 when the option key is given. */
int pm_cli_flag(struct pm_ctx *c, int argc, char **argv, int key, int *on);
/* The one operand of a command, a number above 0 (what names it: "vote
 * number"): PM_OK with *id, or the usage error, printed. */
int pm_cli_arg_id(struct pm_ctx *c, int argc, char **argv, const char *what, int64_t *id);
/* Reads the options of a subcommand whose one option with a value is
 * key, into *value (left as it is when not given): 0, or -1 to stop
 * (c->stop). */
int pm_cli_opt_value(struct pm_ctx *c, int argc, char **argv, int key, const char **value);

/* Misuse: prints "PROG: message" and the --help hint; returns PM_EUSAGE. */
int pm_cli_usage(struct pm_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The options of a payment recorded by hand, which pm-bill pay, pm-shop
 * order and pm-shop book take alike: their table entries, and the one
 * loop that reads a subcommand's options, the payment's into p and any
 * other through other(ctx, key, arg). 0 at the end, -1 to stop with
 * c->stop. */
enum { PM_OPT_PAY_UNIT = 0x1200, PM_OPT_PAY_CHANNEL, PM_OPT_PAY_REF };
#define PM_PAY_OPT_UNIT {"unit", PM_OPT_PAY_UNIT, "CODE", N_("the paying unit (required)")}
#define PM_PAY_OPT_CHANNEL \
	{"channel", PM_OPT_PAY_CHANNEL, "NAME", N_("one of payments.channels: cash, bank, wechat, ... (required)")}
#define PM_PAY_OPTS PM_PAY_OPT_UNIT, PM_PAY_OPT_CHANNEL, \
	{"ref", PM_OPT_PAY_REF, "REF", N_("the channel's reference of the payment, unique per channel (required)")}
struct pm_cli_pay {
	const char *unit, *channel, *ref;
};
int pm_cli_pay_opts(struct pm_ctx *c, int argc, char **argv, struct pm_cli_pay *p,
		    void (*other)(void *ctx, int key, const char *arg), void *ctx);

/* Option values (opt names the option, "--since"): PM_OK with the value
 * read, or a usage error naming the option, the value and the forms it
 * takes, exit 2 (PM_EUSAGE, printed). */
int pm_cli_arg_period(struct pm_ctx *c, const char *opt, const char *s, struct pm_period *p);
int pm_cli_arg_date(struct pm_ctx *c, const char *opt, const char *s, int32_t *day);
/* RFC 3339. */
int pm_cli_arg_time(struct pm_ctx *c, const char *opt, const char *s, int64_t *t);
/* RFC 3339, or a date meaning its midnight in the community's zone (the
 * store's, so after pm_cli_db). */
int pm_cli_arg_when(struct pm_ctx *c, const char *opt, const char *s, int64_t *t);
/* An amount of yuan to fen (pm_money_parse). */
int pm_cli_arg_money(struct pm_ctx *c, const char *opt, const char *s, int64_t *fen);
/* A decimal scaled by 10^places (pm_decimal_parse). */
int pm_cli_arg_decimal(struct pm_ctx *c, const char *opt, const char *s, int places, int64_t *v);
/* A whole number above 0. */
int pm_cli_arg_count(struct pm_ctx *c, const char *opt, const char *s, int64_t *n);

/* --as-of of a run that changes the store (expires points, charges late
 * fees, grants rewards, chases arrears, closes tickets): s (NULL: today,
 * or now) read as pm_cli_arg_date (the day) or pm_cli_arg_when (the
 * time) read it, and a usage error when it is ahead of the clock
 * (pm_now(), PM_NOW included) unless force (--force): a typo such as
 * 9999-12-31 would expire, charge or close at once all that is due by
 * then. c->db must be open. */
enum { PM_OPT_FORCE = 0x1210 };
#define PM_OPT_FORCE_AHEAD {"force", PM_OPT_FORCE, NULL, N_("take an --as-of ahead of the clock")}
int pm_cli_as_of_day(struct pm_ctx *c, struct pm_db *db, const char *s, int force, int32_t *day);
/* The options of such a run when they are all it takes: --as-of (the
 * command's code for it in as_of) in *s (NULL: not given) and --force in
 * *force; pm_cli_opt's last answer, 0, or below 0 to stop. */
int pm_cli_as_of_opts(struct pm_ctx *c, int argc, char **argv, int as_of, const char **s, int *force);
int pm_cli_as_of_time(struct pm_ctx *c, const char *s, int force, int64_t *t);

/* The store's path (--db, else $PM_DB, else pm.db) and whom to act for
 * (--as, else $PM_USER; NULL: none). */
const char *pm_cli_store(const struct pm_ctx *c);
const char *pm_cli_as(const struct pm_ctx *c);

/* The store, opened on first use (read-only when the caller may not write
 * it), with the acting user resolved (pm_auth_actor: the Unix account,
 * --as or PM_USER) and the permission for action checked (action NULL: no
 * check). */
int pm_cli_db(struct pm_ctx *c, const char *action, struct pm_db **db);

/* Output one record; the format decides how. CSV's columns are the first
 * record's fields; a table's, every record's, in the order first seen.
 * Tables buffer until pm_cli_flush. Personal data in rec is first masked
 * or removed as the actor may see it (pm_pii_redact). */
int pm_cli_out(struct pm_ctx *c, json_t *rec);
/* Prints the table buffered: PM_EUSAGE (said) when --columns names a
 * field none of its records has. */
int pm_cli_flush(struct pm_ctx *c);
/* Ends the table being printed, so the records that follow make a table
 * of their own (a ticket, then its timeline); other formats go on. What
 * pm_cli_flush returns. */
int pm_cli_next_table(struct pm_ctx *c);
/* pm_cli_out as the callback of a walk over records (ctx is the pm_ctx). */
int pm_cli_out_each(void *ctx, json_t *rec);
/* pm_cli_out, then drops the caller's reference to rec. */
int pm_cli_out_new(struct pm_ctx *c, json_t *rec);
/* Prints the records of source that pm_printq keeps and has not yet
 * printed, flushes them out, and marks them printed (include/pm/printq.h);
 * *count says how many. */
int pm_cli_printq(struct pm_ctx *c, const char *source, long *count);

/* A note on stderr unless -q ("PROG: message"). */
void pm_cli_note(struct pm_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A warning on stderr (shown even with -q). */
void pm_cli_warn(struct pm_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Progress on stderr, only when stderr is a terminal and not -q: one
 * line, redrawn at most ten times a second, with the count, the share
 * done, the rate and the time left, cleared at the end. */
/* Whether a line is due now; cheap enough to ask once a record. */
int pm_cli_progress_due(struct pm_ctx *c, long done);
/* The line: done of total (0: not known; then at of size bytes of input,
 * when size is known, give the share). */
void pm_cli_progress_draw(struct pm_ctx *c, long done, long total, long long at, long long size);
void pm_cli_progress_end(struct pm_ctx *c);
/* Due and drawn, of a known total; ended when done reaches it. */
void pm_cli_progress(struct pm_ctx *c, long done, long total);

#endif
