/* pm-notify: records become messages in the outbox; flush delivers them
 * over the configured channels, parallel and rate-limited. */
#include <errno.h>
#include <string.h>

#include "pm/announce.h"
#include "pm/audit.h"
#include "pm/cli.h"
#include "pm/http.h"
#include "pm/i18n.h"
#include "pm/import.h"
#include "pm/notify.h"
#include "pm/timeutil.h"

enum { O_TEMPLATE = 0x100, O_CHANNEL, O_FLUSH, O_PARALLEL, O_LIMIT,
       O_STATUS, O_UNIT, O_CHANNELS, O_OPTOUT, O_EMAIL, O_TITLE, O_BODY, O_TO, O_PIN, O_UNTIL,
       O_CAPACITY, O_ALL, O_PERSON, O_COUNT, O_CANCEL, O_ROLE, O_DRY_RUN, O_AGAIN };

static int open_notify(struct pm_ctx *c, const char *action, struct pm_notify **n)
{
	struct pm_db *db;

	if (pm_cli_db(c, action, &db))
		return c->err.code;
	return pm_notify_open(db, n, &c->err);
}

static int parse_channel(struct pm_ctx *c, const char *s, int *ch)
{
	enum pm_channel v;

	if (pm_channel_parse(s, &v, &c->err))
		return pm_cli_usage(c, "%s", c->err.msg);
	*ch = (int)v;
	return PM_OK;
}

/* ---- flush ---- */

static void told(void *ctx, const struct pm_notify_msg *m, enum pm_verdict v, const char *why)
{
	struct pm_ctx *c = ctx;

	if (c->verbose)
		pm_cli_note(c, _("message %lld: %s%s%s"), (long long)m->id,
			    v == PM_SENT ? _("sent") : v == PM_RETRY ? _("to retry") : _("failed"),
			    *why ? ": " : "", why);
}

static int to_stdout(void *ctx, json_t *rec, struct pm_err *e)
{
	int rc = pm_jsonl_write(stdout, rec, e);

	if (rc == PM_OK && fflush(stdout) != 0)
		rc = pm_err_set(e, PM_EIO, _("write error on standard output: %s"), strerror(errno));
	return rc;
}

/* The flush and its account: one line on stderr, the error's own when
 * anything was not delivered, so -q keeps it. */
static int flush_run(struct pm_ctx *c, struct pm_notify *n, int parallel, long limit, int only_here)
{
	struct pm_notify_flush_opts o = {.parallel = parallel, .limit = limit, .only_queued_here = only_here,
					 .out = to_stdout, .told = told, .ctx = c};
	int rc = pm_notify_flush(n, &o, &c->err);

	if (pm_notify_tally(n)->recovered)
		pm_cli_note(c, _("%ld messages of an interrupted flush queued again"), pm_notify_tally(n)->recovered);
	if (rc == PM_OK)
		pm_cli_note(c, "%s", c->err.msg);
	return rc;
}

static const struct pm_opt flush_opts[] = {
	{"parallel", O_PARALLEL, "N", N_("transfers in flight at once (default notify.parallel, 16)")},
	{"limit", O_LIMIT, "N", N_("send at most N messages in this run")},
	{NULL, 0, NULL, NULL},
};

static int cmd_flush(struct pm_ctx *c, int argc, char **argv)
{
	int64_t parallel = 0, limit = 0;
	struct pm_notify *n;
	const char *arg;
	int k, rc;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if ((k == O_PARALLEL && pm_cli_arg_count(c, "--parallel", arg, &parallel)) ||
		    (k == O_LIMIT && pm_cli_arg_count(c, "--limit", arg, &limit)))
			return PM_EUSAGE;
	if (k < 0)
		return c->stop;
	if (c->optind < argc)
		return pm_cli_usage(c, _("unexpected argument '%s'"), argv[c->optind]);
	if (parallel > 256)
		return pm_cli_usage(c, _("--parallel may be at most 256"));
	if (open_notify(c, "notify.send", &n))
		return c->err.code;
	rc = flush_run(c, n, (int)parallel, (long)limit, 0);
	pm_notify_close(n);
	return rc;
}

/* ---- send ---- */

static const char *const send_outcomes[] = {N_("queued"), N_("duplicate"), N_("skipped"), NULL};
static const char *const dry_outcomes[] = {N_("to queue"), N_("duplicate"), N_("skipped"), NULL};

struct send_ctx {
	struct pm_notify *n;
	const char *tmpl;
	int channel;
	struct pm_notify_counts counts;
};

static int send_record(void *ctx, json_t *rec, int *outcome, struct pm_err *e)
{
	struct send_ctx *s = ctx;
	struct pm_notify_counts before = s->counts;
	int rc = pm_notify_queue(s->n, s->tmpl, s->channel, rec, &s->counts, e);

	*outcome = s->counts.queued > before.queued ? 0 : s->counts.duplicate > before.duplicate ? 1 : 2;
	return rc;
}

static const struct pm_opt send_opts[] = {
	{"template", O_TEMPLATE, "NAME", N_("the template, like bill_issued (required)")},
	{"channel", O_CHANNEL, "C", N_("stdout, webhook, wecom, dingtalk, email or sms (default: each person's)")},
	{"role", O_ROLE, "ROLE", N_("staff to tell when a record names no one, like frontdesk")},
	{"flush", O_FLUSH, NULL, N_("deliver at once what this send queued")},
	{"dry-run", O_DRY_RUN, NULL, N_("print the messages it would queue; queue nothing")},
	PM_IMPORT_OPT_REJECT,
	PM_IMPORT_OPT_STRICT,
	{NULL, 0, NULL, NULL},
};

/* A dry run's message, printed as the records of an import are: once
 * the batch is done. */
static int show(void *ctx, json_t *msg, struct pm_err *e)
{
	struct pm_ctx *c = ctx;

	if (pm_cli_out(c, msg)) {
		*e = c->err;
		return e->code;
	}
	return PM_OK;
}

static int cmd_send(struct pm_ctx *c, int argc, char **argv)
{
	struct send_ctx s = {.channel = -1};
	struct pm_import im = {.action = "notify.send", .mode = PM_JSONL_ONLY,
			       .outcomes = send_outcomes, .record = send_record, .ctx = &s};
	const char *role = NULL, *arg;
	enum pm_role r;
	int k, rc, now = 0;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_TEMPLATE: s.tmpl = arg; break;
		case O_CHANNEL: if (parse_channel(c, arg, &s.channel)) return PM_EUSAGE; break;
		case O_ROLE: role = arg; break;
		case O_FLUSH: now = 1; break;
		case O_DRY_RUN: im.dry_run = 1; im.outcomes = dry_outcomes; break;
		default: pm_import_opt(&im, k, arg);
		}
	if (k < 0)
		return c->stop;
	if (!s.tmpl)
		return pm_cli_usage(c, _("--template is required"));
	if (im.dry_run && now)
		return pm_cli_usage(c, _("--dry-run queues nothing for --flush to deliver"));
	if (role && pm_role_parse(role, &r, &c->err))
		return pm_cli_usage(c, "%s", c->err.msg);
	if (open_notify(c, "notify.send", &s.n))
		return c->err.code;
	if (pm_notify_set_role(s.n, role, &c->err)) {
		pm_notify_close(s.n);
		return c->err.code;
	}
	if (im.dry_run)
		pm_notify_set_dry_run(s.n, show, c);
	rc = pm_import_run(c, &im, argc - c->optind, argv + c->optind);
	if ((rc == PM_OK || rc == PM_EDATA) && im.dry_run)
		pm_cli_note(c, _("messages: to queue %ld, duplicate %ld, opted out %ld, no address %ld; nothing queued (dry run)"),
			    s.counts.queued, s.counts.duplicate, s.counts.opted_out, s.counts.no_address);
	else if (rc == PM_OK || rc == PM_EDATA)
		pm_cli_note(c, _("messages: queued %ld, duplicate %ld, opted out %ld, no address %ld"),
			    s.counts.queued, s.counts.duplicate, s.counts.opted_out, s.counts.no_address);
	if ((rc == PM_OK || rc == PM_EDATA) && now) {
		struct pm_err keep = c->err;
		int frc = flush_run(c, s.n, 0, 0, 1);
		if (frc)
			rc = frc;
		else
			c->err = keep;
	}
	pm_notify_close(s.n);
	return rc;
}

/* ---- the outbox ---- */

static const struct pm_opt queue_opts[] = {
	{"status", O_STATUS, "S", N_("queued, sending, sent or failed (default queued)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_queue(struct pm_ctx *c, int argc, char **argv)
{
	const char *status = "queued", *arg;
	struct pm_db *db;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if (k == O_STATUS)
			status = arg;
	if (k < 0)
		return c->stop;
	if (pm_notify_status_parse(status, &c->err))
		return pm_cli_usage(c, "%s", c->err.msg);
	if (pm_cli_db(c, "notify.read", &db))
		return c->err.code;
	return pm_notify_each(db, status, NULL, pm_cli_out_each, c, &c->err);
}

static const struct pm_opt log_opts[] = {
	{"unit", O_UNIT, "CODE", N_("only messages about unit CODE")},
	{NULL, 0, NULL, NULL},
};

static int cmd_log(struct pm_ctx *c, int argc, char **argv)
{
	const char *unit = NULL, *arg;
	struct pm_db *db;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if (k == O_UNIT)
			unit = arg;
	if (k < 0)
		return c->stop;
	if (pm_cli_db(c, "notify.read", &db))
		return c->err.code;
	return pm_notify_each(db, NULL, unit, pm_cli_out_each, c, &c->err);
}

static int cmd_retry(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_notify *n;
	int64_t id;
	int rc = PM_OK;

	if (pm_cli_noopts(c, argc, argv))
		return c->stop;
	if (c->optind >= argc)
		return pm_cli_usage(c, _("expected message ids"));
	for (int i = c->optind; i < argc; i++)
		if (pm_cli_arg_count(c, "ID", argv[i], &id))
			return PM_EUSAGE;
	if (open_notify(c, "notify.send", &n))
		return c->err.code;
	for (int i = c->optind; i < argc && rc == PM_OK; i++) {
		pm_cli_arg_count(c, "", argv[i], &id);
		if ((rc = pm_notify_retry(n, id, &c->err)) == PM_OK)
			pm_cli_note(c, _("message %lld queued again"), (long long)id);
	}
	pm_notify_close(n);
	return rc;
}

/* ---- announcements ---- */

#define BODY_READ_MAX (1 << 20)

/* The body text from path ('-': standard input); the library checks it. */
static int read_body(struct pm_ctx *c, const char *path, char **out)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	size_t n = 0, got;
	int bad;

	if (!f)
		return pm_err_set(&c->err, PM_ENOINPUT, _("cannot open '%s': %s"), path, strerror(errno));
	if (!(*out = malloc(BODY_READ_MAX + 1)))
		bad = pm_err_set(&c->err, PM_EFAIL, _("out of memory"));
	else {
		while (n < BODY_READ_MAX && (got = fread(*out + n, 1, BODY_READ_MAX - n, f)) > 0)
			n += got;
		(*out)[n] = '\0';
		bad = ferror(f) ? pm_err_set(&c->err, PM_ENOINPUT, _("cannot read '%s': %s"), path, strerror(errno))
		      : memchr(*out, '\0', n) ? pm_err_set(&c->err, PM_EDATA, _("'%s' is not text"), path) : PM_OK;
	}
	if (f != stdin)
		fclose(f);
	if (bad) {
		free(*out);
		*out = NULL;
	}
	return bad;
}

static void announce_note(struct pm_ctx *c, int64_t id, long units, const struct pm_notify_counts *n)
{
	pm_cli_note(c, _("announcement %lld: units %ld; messages: queued %ld, duplicate %ld, opted out %ld, no address %ld"),
		    (long long)id, units, n->queued, n->duplicate, n->opted_out, n->no_address);
}

static int print_announcement(struct pm_ctx *c, int64_t id)
{
	json_t *rec;
	int rc;

	if (pm_announce_get(c->db, id, &rec, &c->err))
		return c->err.code;
	rc = pm_cli_out(c, rec);
	json_decref(rec);
	return rc;
}

static const struct pm_opt announce_opts[] = {
	{"title", O_TITLE, "TEXT", N_("the title, one line (required for a new one)")},
	{"body", O_BODY, "FILE", N_("the text, from FILE ('-': standard input) (required for a new one)")},
	{"to", O_TO, "TARGET", N_("all, building:CODE or unit:CODE (required for a new one)")},
	{"channel", O_CHANNEL, "C", N_("stdout, webhook, wecom, dingtalk, email or sms (default: each person's)")},
	{"pin", O_PIN, NULL, N_("list it before the others")},
	{"until", O_UNTIL, "DATE", N_("the last day it is current, YYYY-MM-DD")},
	{"capacity", O_CAPACITY, "N", N_("make it an event with N places to sign up for")},
	{"again", O_AGAIN, NULL, N_("post it though one with the same title, body and target exists")},
	{"flush", O_FLUSH, NULL, N_("deliver what is due at once, as flush does")},
	{NULL, 0, NULL, NULL},
};

/* announce ANN: the stored announcement again, to whoever lacks it. */
static int announce_again(struct pm_ctx *c, struct pm_notify *n, const char *arg, int channel,
			  int64_t *id)
{
	struct pm_notify_counts counts;
	long units = 0;

	if (pm_cli_arg_count(c, "ANN", arg, id))
		return PM_EUSAGE;
	if (pm_announce_push(c->db, n, *id, channel, &units, &counts, &c->err))
		return c->err.code;
	announce_note(c, *id, units, &counts);
	return PM_OK;
}

static int announce_new(struct pm_ctx *c, struct pm_notify *n, struct pm_announcement *a,
			const char *body_file, int channel, int64_t *id)
{
	struct pm_notify_counts counts;
	char *body = NULL;
	long units = 0;
	int rc;

	if (read_body(c, body_file, &body))
		return c->err.code;
	a->body = body;
	rc = pm_announce_add(c->db, n, a, channel, id, &units, &counts, &c->err);
	free(body);
	if (rc == PM_OK)
		announce_note(c, *id, units, &counts);
	return rc;
}

static int cmd_announce(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_announcement a = {0};
	const char *body = NULL, *arg;
	struct pm_notify *n;
	int k, rc, channel = -1, now = 0, fresh;
	int64_t id = 0;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_TITLE: a.title = arg; break;
		case O_BODY: body = arg; break;
		case O_TO: a.target = arg; break;
		case O_CHANNEL: if (parse_channel(c, arg, &channel)) return PM_EUSAGE; break;
		case O_PIN: a.pinned = 1; break;
		case O_UNTIL:
			if (pm_cli_arg_date(c, "--until", arg, &(int32_t){0}))
				return PM_EUSAGE;
			a.until = arg;
			break;
		case O_CAPACITY: if (pm_cli_arg_count(c, "--capacity", arg, &a.capacity)) return PM_EUSAGE; break;
		case O_AGAIN: a.again = 1; break;
		case O_FLUSH: now = 1; break;
		}
	if (k < 0)
		return c->stop;
	fresh = a.title || body || a.target || a.pinned || a.until || a.capacity || a.again;
	if (argc - c->optind > 1)
		return pm_cli_usage(c, _("unexpected argument '%s'"), argv[c->optind + 1]);
	if (c->optind < argc && fresh)
		return pm_cli_usage(c, _("ANN sends a stored announcement again: it takes only --channel and --flush"));
	if (c->optind == argc && (!a.title || !body || !a.target))
		return pm_cli_usage(c, _("--title, --body and --to are required"));
	if (open_notify(c, "notify.announce", &n))
		return c->err.code;
	rc = fresh ? announce_new(c, n, &a, body, channel, &id) : announce_again(c, n, argv[c->optind], channel, &id);
	if (rc == PM_OK)
		rc = print_announcement(c, id);
	if (rc == PM_OK && now)
		rc = flush_run(c, n, 0, 0, 1);
	pm_notify_close(n);
	return rc;
}

static const struct pm_opt announcements_opts[] = {
	{"all", O_ALL, NULL, N_("past their end date too")},
	{NULL, 0, NULL, NULL},
};

static int cmd_announcements(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_db *db;
	int all = 0;

	if (pm_cli_flag(c, argc, argv, O_ALL, &all))
		return c->stop;
	if (c->optind < argc)
		return pm_cli_usage(c, _("unexpected argument '%s'"), argv[c->optind]);
	if (pm_cli_db(c, NULL, &db))
		return c->err.code;
	return pm_announce_each_for(db, &c->actor, all, pm_cli_out_each, c, &c->err);
}

/* The ANN operand of rsvp and rsvps. */
static int ann_operand(struct pm_ctx *c, int argc, char **argv, int64_t *ann)
{
	if (argc - c->optind != 1)
		return pm_cli_usage(c, _("expected one announcement id"));
	return pm_cli_arg_count(c, "ANN", argv[c->optind], ann);
}

static const struct pm_opt rsvp_opts[] = {
	{"person", O_PERSON, "CODE", N_("who signs up (required)")},
	{"count", O_COUNT, "N", N_("places taken (default 1); a second sign-up changes it")},
	{"cancel", O_CANCEL, NULL, N_("withdraw the sign-up")},
	{NULL, 0, NULL, NULL},
};

static int cmd_rsvp(struct pm_ctx *c, int argc, char **argv)
{
	const char *person = NULL, *arg;
	int64_t ann, count = 1;
	int k, cancel = 0, counted = 0, rc;
	struct pm_db *db;
	json_t *rec;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_PERSON: person = arg; break;
		case O_COUNT: if (pm_cli_arg_count(c, "--count", arg, &count)) return PM_EUSAGE; counted = 1; break;
		case O_CANCEL: cancel = 1; break;
		}
	if (k < 0)
		return c->stop;
	if (ann_operand(c, argc, argv, &ann))
		return PM_EUSAGE;
	if (!person)
		return pm_cli_usage(c, _("--person is required"));
	if (cancel && counted)
		return pm_cli_usage(c, _("--cancel takes no --count"));
	if (pm_cli_db(c, NULL, &db) || pm_rsvp_may(db, &c->actor, ann, person, &c->err) ||
	    pm_rsvp_set(db, ann, person, cancel ? 0 : count, &rec, &c->err))
		return c->err.code;
	if (!rec) {
		pm_cli_note(c, _("'%s' was not signed up for announcement %lld"), person, (long long)ann);
		return PM_OK;
	}
	rc = pm_cli_out(c, rec);
	json_decref(rec);
	return rc;
}

static int cmd_rsvps(struct pm_ctx *c, int argc, char **argv)
{
	int64_t ann, taken, capacity;
	struct pm_db *db;

	if (pm_cli_noopts(c, argc, argv))
		return c->stop;
	if (ann_operand(c, argc, argv, &ann))
		return PM_EUSAGE;
	if (pm_cli_db(c, "notify.announce", &db) ||
	    pm_rsvp_each(db, ann, pm_cli_out_each, c, &taken, &capacity, &c->err))
		return c->err.code;
	pm_cli_note(c, _("announcement %lld: %lld of %lld places taken"), (long long)ann, (long long)taken,
		    (long long)capacity);
	return PM_OK;
}

/* ---- preferences ---- */

static const struct pm_opt prefs_set_opts[] = {
	{"channels", O_CHANNELS, "LIST", N_("channels to use, comma-separated: sms,email,...")},
	{"optout", O_OPTOUT, "LIST", N_("categories not wanted: bill,payment,meter,repair,visitor,gate,announcement")},
	{"email", O_EMAIL, "ADDRESS", N_("the e-mail address ('' removes it)")},
	{NULL, 0, NULL, NULL},
};

static int prefs_person(struct pm_ctx *c, int argc, char **argv, struct pm_db **db,
			const char **person)
{
	if (argc - c->optind != 1)
		return pm_cli_usage(c, _("expected one PERSON code"));
	*person = argv[c->optind];
	if (pm_cli_db(c, NULL, db) || pm_notify_prefs_may(*db, &c->actor, *person, &c->err))
		return c->err.code;
	return PM_OK;
}

static int cmd_prefs_set(struct pm_ctx *c, int argc, char **argv)
{
	const char *channels = NULL, *optout = NULL, *email = NULL, *person, *arg;
	struct pm_db *db;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_CHANNELS: channels = arg; break;
		case O_OPTOUT: optout = arg; break;
		case O_EMAIL: email = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (prefs_person(c, argc, argv, &db, &person))
		return c->stop ? c->stop : c->err.code;
	return pm_notify_prefs_set(db, person, channels, optout, email, &c->err);
}

static int cmd_prefs_show(struct pm_ctx *c, int argc, char **argv)
{
	const char *person;
	struct pm_db *db;
	json_t *rec;
	int rc;

	if (pm_cli_noopts(c, argc, argv))
		return c->stop;
	if (prefs_person(c, argc, argv, &db, &person))
		return c->stop ? c->stop : c->err.code;
	if (pm_notify_prefs_get(db, person, &rec, &c->err))
		return c->err.code;
	rc = pm_cli_out(c, rec);
	json_decref(rec);
	return rc;
}

static const struct pm_cmd prefs_cmds[] = {
	{"set", cmd_prefs_set, "PERSON", N_("set a person's channels, opt-outs and e-mail address"), prefs_set_opts, NULL},
	{"show", cmd_prefs_show, "PERSON", N_("show a person's preferences"), NULL, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct pm_cmd cmds[] = {
	{"send", cmd_send, "[FILE...]", N_("queue a templated message per record, recipient and channel"), send_opts, NULL},
	{"flush", cmd_flush, NULL, N_("deliver the messages that are due"), flush_opts, NULL},
	{"queue", cmd_queue, NULL, N_("list messages in the outbox by status"), queue_opts, NULL},
	{"retry", cmd_retry, "ID...", N_("queue failed messages again"), NULL, NULL},
	{"log", cmd_log, NULL, N_("list every message, optionally about one unit"), log_opts, NULL},
	{"announce", cmd_announce, "[ANN]", N_("post an announcement and tell the residents it is for"), announce_opts, NULL},
	{"announcements", cmd_announcements, NULL, N_("list the current announcements, pinned first"), announcements_opts, NULL},
	{"rsvp", cmd_rsvp, "ANN", N_("sign a person up for an event, or withdraw"), rsvp_opts, NULL},
	{"rsvps", cmd_rsvps, "ANN", N_("list an event's sign-ups and places taken"), NULL, NULL},
	{"prefs", NULL, NULL, N_("residents' channels and opt-outs"), NULL, prefs_cmds},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct pm_prog prog = {
	"pm-notify", N_("pm-notify: messages to residents and staff, outbox, announcements, preferences"), cmds, NULL, NULL,
};

int main(int argc, char **argv)
{
	return pm_cli_main(&prog, argc, argv);
}
