/* pm-govern: co-governance (共建共治). Owners' votes counted by the double
 * thresholds of Article 278 of the Civil Code, paper ballots entered by
 * staff, results published as announcements, reminders through
 * pm-notify's outbox; surveys (问卷) and their results. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pm/cli.h"
#include "pm/i18n.h"
#include "pm/notify.h"
#include "pm/render.h"
#include "pm/survey.h"
#include "pm/vote.h"

enum { O_TITLE = 0x100, O_MATTER, O_OPENS, O_CLOSES, O_BUILDING, O_UNIT, O_CHOICE, O_BY, O_PAPER,
       O_FILE_FORMAT, O_OUTPUT, O_PUBLISH, O_CHANNEL, O_UNSET, O_OPTIONS, O_SEATS };

static const struct pm_opt no_opts[] = {{NULL, 0, NULL, NULL}};

/* A command whose only operand is an ID: the ID and the store with the
 * permission for action checked; -1 when the caller returns c->stop. */
static int id_command(struct pm_ctx *c, int argc, char **argv, const char *what, const char *action, int64_t *id)
{
	if (pm_cli_noopts(c, argc, argv) < 0)
		return -1;
	if (pm_cli_arg_id(c, argc, argv, what, id))
		return c->stop = PM_EUSAGE, -1;
	if (pm_cli_db(c, action, &c->db))
		return c->stop = c->err.code, -1;
	return PM_OK;
}

/* ---- votes ---- */

static const struct pm_opt vote_new_opts[] = {
	{"title", O_TITLE, "TEXT", N_("what is decided")},
	{"matter", O_MATTER, "KIND", N_("the matter of Civil Code art. 278: rules, regulations, committee, manager,"
					" fund_use, fund_raise, rebuild, common_use or other")},
	{"opens", O_OPENS, "TIME", N_("ballots are taken from TIME, RFC 3339 or YYYY-MM-DD (default now)")},
	{"closes", O_CLOSES, "TIME", N_("and until TIME")},
	{"building", O_BUILDING, "CODE", N_("only this building's owners and area count")},
	{"options", O_OPTIONS, "A,B,...", N_("named options (candidates, bids, plans) instead of yes and no; again to"
					     " add more")},
	{"seats", O_SEATS, "N", N_("how many of the options are chosen, as seats of the owners' committee"
				   " (default 1)")},
	{NULL, 0, NULL, NULL},
};

/* Adds the comma-separated names of list to names[*n], up to max;
 * PM_EUSAGE for an empty name or too many. list is split in place. */
static int split_options(struct pm_ctx *c, char *list, const char **names, size_t *n, size_t max)
{
	for (char *p = list, *comma;; p = comma + 1) {
		if ((comma = strchr(p, ',')))
			*comma = '\0';
		if (!*p)
			return pm_cli_usage(c, _("--options: an empty name"));
		if (*n == max)
			return pm_cli_usage(c, _("--options: at most %zu options"), max);
		names[(*n)++] = p;
		if (!comma)
			return PM_OK;
	}
}

/* --seats as any whole number, for pm_vote_add to judge: 0, a negative
 * number or more than the options are bad seats (65) alike; one beyond
 * 64 bits reads as the nearest limit and is refused there the same.
 * Only text that is no number is a usage error. */
static int seats_arg(struct pm_ctx *c, const char *s, int64_t *n)
{
	const char *digits = *s == '-' ? s + 1 : s;
	char *end;

	*n = strtoll(s, &end, 10);
	if (*digits < '0' || *digits > '9' || *end)
		return pm_cli_usage(c, _("%s wants a whole number, not '%s'"), "--seats", s);
	return PM_OK;
}

static int cmd_vote_new(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_vote_new v = {.seats = 1};
	const char *opens = NULL, *closes = NULL, *arg, *names[PM_VOTE_OPTIONS_MAX];
	struct pm_ratio pass;
	struct pm_err ignored;
	char rule[64];
	json_t *rec;
	int k;

	v.options = names;
	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_TITLE: v.title = arg; break;
		case O_MATTER: v.matter = arg; break;
		case O_OPENS: opens = arg; break;
		case O_CLOSES: closes = arg; break;
		case O_BUILDING: v.building = arg; break;
		case O_OPTIONS:
			if (split_options(c, (char *)arg, names, &v.noptions, PM_VOTE_OPTIONS_MAX))
				return PM_EUSAGE;
			break;
		case O_SEATS:
			if (seats_arg(c, arg, &v.seats))
				return PM_EUSAGE;
			break;
		}
	if (k < 0)
		return c->stop;
	if (c->optind < argc)
		return pm_cli_usage(c, _("unexpected argument '%s'"), argv[c->optind]);
	if (!v.title || !v.matter || !closes)
		return pm_cli_usage(c, _("give --title, --matter and --closes"));
	v.opens = pm_now();
	if (pm_cli_db(c, "govern.manage", &c->db) || (opens && pm_cli_arg_when(c, "--opens", opens, &v.opens)) ||
	    pm_cli_arg_when(c, "--closes", closes, &v.closes))
		return c->stop ? c->stop : c->err.code;
	if (pm_vote_add(c->db, &v, &rec, &c->err))
		return c->err.code;
	/* The record keeps the rule as pm.yaml writes it; the note says it
	 * in the reader's language. */
	if (pm_ratio_parse(json_string_value(json_object_get(rec, "pass")), &pass, &ignored) == PM_OK)
		pm_ratio_say(&pass, rule, sizeof rule);
	else
		snprintf(rule, sizeof rule, "%s", json_string_value(json_object_get(rec, "pass")));
	pm_cli_note(c, _("vote %lld: %s, %s of the participating area and owners to pass"),
		    (long long)json_integer_value(json_object_get(rec, "id")), v.matter, rule);
	return pm_cli_out_new(c, rec);
}

/* What list and show do, the same for votes and surveys: the records,
 * one record by its number, and what a listed record keeps. */
struct kind {
	const char *number; /* the operand of show: "vote number" */
	int (*each)(struct pm_db *db, int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e);
	int (*get)(struct pm_db *db, int64_t id, json_t **out, struct pm_err *e);
	int (*out)(void *ctx, json_t *rec);
};

static int list(struct pm_ctx *c, int argc, char **argv, const struct kind *k)
{
	if (pm_cli_noopts(c, argc, argv) < 0)
		return c->stop;
	if (c->optind < argc)
		return pm_cli_usage(c, _("unexpected argument '%s'"), argv[c->optind]);
	if (pm_cli_db(c, "govern.read", &c->db))
		return c->err.code;
	return k->each(c->db, k->out, c, &c->err);
}

/* Prints one record of k, after act (NULL: none) with action's
 * permission. */
static int show(struct pm_ctx *c, int argc, char **argv, const struct kind *k, const char *action,
		int (*act)(struct pm_db *db, int64_t id, struct pm_err *e))
{
	int64_t id;
	json_t *rec;

	if (id_command(c, argc, argv, _(k->number), action, &id))
		return c->stop;
	if ((act && act(c->db, id, &c->err)) || k->get(c->db, id, &rec, &c->err))
		return c->err.code;
	return pm_cli_out_new(c, rec);
}

/* A survey listed without its questions. */
static int out_brief(void *ctx, json_t *rec)
{
	json_object_del(rec, "questions");
	return pm_cli_out(ctx, rec);
}

static const struct kind votes = {N_("vote number"), pm_vote_each, pm_vote_get, pm_cli_out_each};
static const struct kind surveys = {N_("survey number"), pm_survey_each, pm_survey_get, out_brief};

static int cmd_vote_list(struct pm_ctx *c, int argc, char **argv)
{
	return list(c, argc, argv, &votes);
}

static int cmd_vote_show(struct pm_ctx *c, int argc, char **argv)
{
	return show(c, argc, argv, &votes, "govern.read", NULL);
}

static int cmd_vote_close(struct pm_ctx *c, int argc, char **argv)
{
	return show(c, argc, argv, &votes, "govern.manage", pm_vote_close);
}

static const struct pm_opt ballot_opts[] = {
	{"unit", O_UNIT, "CODE", N_("the unit voted for")},
	{"choice", O_CHOICE, "WORD", N_("yes, no or abstain; or an option of the vote's, again for another up to"
					 " its seats, or abstain")},
	{"by", O_BY, "PERSON", N_("the owner who signed the paper ballot (staff; an owner votes as themselves)")},
	{"paper", O_PAPER, "REF", N_("the reference of the signed paper ballot (staff only, and required of them)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_ballot(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_ballot b = {0};
	const char *choices[PM_VOTE_OPTIONS_MAX], *arg;
	json_t *rec;
	int k;

	b.choices = choices;
	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_UNIT: b.unit = arg; break;
		case O_CHOICE:
			if (b.nchoices == PM_VOTE_OPTIONS_MAX)
				return pm_cli_usage(c, _("--choice: at most %d"), PM_VOTE_OPTIONS_MAX);
			choices[b.nchoices++] = arg;
			break;
		case O_BY: b.by = arg; break;
		case O_PAPER: b.paper = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (pm_cli_arg_id(c, argc, argv, _("vote number"), &b.vote))
		return PM_EUSAGE;
	if (!b.unit || !b.nchoices)
		return pm_cli_usage(c, _("give --unit and --choice"));
	if (pm_cli_db(c, "govern.vote", &c->db))
		return c->err.code;
	if (pm_ballot_cast(c->db, &c->actor, &b, &rec, &c->err))
		return c->err.code == PM_EUSAGE ? pm_cli_usage(c, "%s", c->err.msg) : c->err.code;
	if (!json_is_true(json_object_get(rec, "changed")))
		pm_cli_note(c, _("unit %s has this ballot already: nothing changed"), b.unit);
	json_object_del(rec, "changed");
	return pm_cli_out_new(c, rec);
}

static const struct pm_opt tally_opts[] = {
	{"file-format", O_FILE_FORMAT, "FMT", N_("html or svg for the notice board, or any of --format's")},
	{"output", O_OUTPUT, "FILE", N_("write to FILE instead of standard output")},
	{"publish", O_PUBLISH, NULL, N_("post the result as an announcement to the owners in the vote's scope")},
	{NULL, 0, NULL, NULL},
};

/* The shared --format, or --file-format (html, svg), for a report. */
static int render_format(struct pm_ctx *c, const char *file_format, enum pm_render_format *fmt)
{
	static const enum pm_render_format shared[] = {
		[PM_FMT_AUTO] = PM_RENDER_JSONL, [PM_FMT_TABLE] = PM_RENDER_TABLE, [PM_FMT_JSONL] = PM_RENDER_JSONL,
		[PM_FMT_CSV] = PM_RENDER_CSV, [PM_FMT_TSV] = PM_RENDER_TSV,
	};

	*fmt = shared[c->format];
	if (!file_format)
		return PM_OK;
	if (c->format_given)
		return pm_cli_usage(c, _("give --format or --file-format, not both"));
	if (pm_render_format_parse(file_format, fmt, &c->err) || *fmt == PM_RENDER_XLSX)
		return pm_cli_usage(c, _("--file-format: expected table, jsonl, csv, tsv, html or svg"));
	return PM_OK;
}

/* The report r to --output (written beside and renamed, never through a
 * link) or standard output. */
static int print_report(struct pm_ctx *c, const struct pm_report *r, enum pm_render_format fmt, const char *output)
{
	struct pm_render_opts ro = {0};
	struct pm_file_mode m;
	struct stat st;

	if (!output || strcmp(output, "-") == 0)
		return pm_render(r, fmt, &ro, stdout, &c->err);
	if (stat(output, &st) == 0 && S_ISCHR(st.st_mode))
		return pm_cli_usage(c, _("'%s' is a terminal: give --output a file"), output);
	m = pm_db_file_mode(c->db);
	return pm_render_file(r, fmt, &ro, output, &m, &c->err);
}

/* What tally and survey results are asked for. */
struct report_args {
	int64_t id;
	enum pm_render_format fmt;
	const char *output;
	int publish;
};

/* The options and the one number operand of a command printing a report;
 * -1 when the caller returns c->stop. */
static int report_args(struct pm_ctx *c, int argc, char **argv, const char *number, struct report_args *a)
{
	const char *file_format = NULL, *arg;
	int k;

	*a = (struct report_args){0};
	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_FILE_FORMAT: file_format = arg; break;
		case O_OUTPUT: a->output = arg; break;
		case O_PUBLISH: a->publish = 1; break;
		}
	if (k < 0)
		return -1;
	if (pm_cli_arg_id(c, argc, argv, number, &a->id) || render_format(c, file_format, &a->fmt))
		return c->stop = PM_EUSAGE, -1;
	return PM_OK;
}

static int cmd_tally(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_notify_counts n;
	struct report_args a;
	struct pm_report *r;
	int64_t ann;
	long units;
	int rc;

	if (report_args(c, argc, argv, _("vote number"), &a))
		return c->stop;
	if (pm_cli_db(c, a.publish ? "govern.manage" : "govern.read", &c->db) ||
	    pm_vote_tally(c->db, a.id, &r, NULL, &c->err))
		return c->err.code;
	rc = print_report(c, r, a.fmt, a.output);
	if (rc == PM_OK && a.publish && (rc = pm_vote_publish(c->db, r, a.id, &ann, &units, &n, &c->err)) == PM_OK)
		pm_cli_note(c, _("announcement %lld: units %ld; messages: queued %ld, duplicate %ld, opted out %ld,"
				 " no address %ld"), (long long)ann, units, n.queued, n.duplicate, n.opted_out,
			    n.no_address);
	pm_report_free(r);
	return rc;
}

static const struct pm_opt remind_opts[] = {
	{"channel", O_CHANNEL, "NAME", N_("stdout, webhook, wecom, dingtalk, email or sms (default: each owner's"
					  " preferred)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_remind(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_notify_counts n;
	struct pm_notify *nt;
	enum pm_channel ch;
	const char *arg;
	int64_t id;
	int k, channel = -1, rc;
	long units;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if (k == O_CHANNEL) {
			if (pm_channel_parse(arg, &ch, &c->err))
				return pm_cli_usage(c, "%s", c->err.msg);
			channel = (int)ch;
		}
	if (k < 0)
		return c->stop;
	if (pm_cli_arg_id(c, argc, argv, _("vote number"), &id))
		return PM_EUSAGE;
	if (pm_cli_db(c, "govern.manage", &c->db) || pm_notify_open(c->db, &nt, &c->err))
		return c->err.code;
	rc = pm_vote_remind(c->db, nt, id, channel, &units, &n, &c->err);
	pm_notify_close(nt);
	if (rc == PM_OK)
		pm_cli_note(c, _("vote %lld: %ld units without a ballot; messages: queued %ld, duplicate %ld,"
				 " opted out %ld, no address %ld (pm-notify flush sends them)"),
			    (long long)id, units, n.queued, n.duplicate, n.opted_out, n.no_address);
	return rc;
}

static const struct pm_opt developer_opts[] = {
	{"unset", O_UNSET, NULL, N_("the person is not the developer")},
	{NULL, 0, NULL, NULL},
};

static int cmd_developer(struct pm_ctx *c, int argc, char **argv)
{
	int unset = 0, on;

	if (pm_cli_flag(c, argc, argv, O_UNSET, &unset))
		return c->stop;
	on = !unset;
	if (argc - c->optind != 1)
		return pm_cli_usage(c, _("expected one person code"));
	if (pm_cli_db(c, "person.write", &c->db) || pm_vote_developer(c->db, argv[c->optind], on, &c->err))
		return c->err.code;
	pm_cli_note(c, on ? _("person %s is the developer: their units and those with no owner count as one owner")
			  : _("person %s is not the developer"), argv[c->optind]);
	return PM_OK;
}

/* ---- surveys ---- */

static int cmd_survey_new(struct pm_ctx *c, int argc, char **argv)
{
	json_t *rec;

	if (pm_cli_noopts(c, argc, argv) < 0)
		return c->stop;
	if (argc - c->optind != 1)
		return pm_cli_usage(c, _("expected one survey file"));
	if (pm_cli_db(c, "govern.manage", &c->db) || pm_survey_add(c->db, argv[c->optind], &rec, &c->err))
		return c->err.code;
	pm_cli_note(c, _("survey %lld: %zu questions"), (long long)json_integer_value(json_object_get(rec, "id")),
		    json_array_size(json_object_get(rec, "questions")));
	json_object_del(rec, "questions");
	return pm_cli_out_new(c, rec);
}

static int cmd_survey_list(struct pm_ctx *c, int argc, char **argv)
{
	return list(c, argc, argv, &surveys);
}

static int cmd_survey_show(struct pm_ctx *c, int argc, char **argv)
{
	return show(c, argc, argv, &surveys, "govern.read", NULL);
}

static const struct pm_opt answer_opts[] = {
	{"by", O_BY, "PERSON", N_("the resident who filled in the paper form (staff; an owner answers as themselves)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_survey_answer(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_survey_reply r = {0};
	const char *arg, *eq;
	char *end, key[64];
	int k, rc;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if (k == O_BY)
			r.by = arg;
	if (k < 0)
		return c->stop;
	if (argc - c->optind < 2)
		return pm_cli_usage(c, _("expected a survey number and answers QUESTION=ANSWER"));
	r.survey = strtoll(argv[c->optind], &end, 10);
	if (*end || end == argv[c->optind] || r.survey <= 0)
		return pm_cli_usage(c, _("'%s' is not a %s"), argv[c->optind], _("survey number"));
	if (!(r.answers = json_object()))
		return pm_err_set(&c->err, PM_EFAIL, _("out of memory"));
	for (int i = c->optind + 1; i < argc; i++) {
		if (!(eq = strchr(argv[i], '=')) || eq == argv[i]) {
			json_decref(r.answers);
			return pm_cli_usage(c, _("'%s': expected QUESTION=ANSWER"), argv[i]);
		}
		snprintf(key, sizeof key, "%.*s", (int)(eq - argv[i]), argv[i]);
		/* An object keeps one answer a question: a second would
		 * silently replace the first. */
		if (json_object_get(r.answers, key)) {
			json_decref(r.answers);
			return pm_err_set(&c->err, PM_EDATA, _("question '%s' is answered twice: give one answer"), key);
		}
		if (json_object_set_new(r.answers, key, json_string(eq + 1))) {
			json_decref(r.answers);
			return pm_cli_usage(c, _("'%s': expected UTF-8 text"), argv[i]);
		}
	}
	rc = pm_cli_db(c, "govern.vote", &c->db);
	if (rc == PM_OK)
		rc = pm_survey_answer(c->db, &c->actor, &r, &c->err);
	else
		rc = c->err.code;
	json_decref(r.answers);
	if (rc == PM_EUSAGE)
		return pm_cli_usage(c, "%s", c->err.msg);
	if (rc == PM_OK)
		pm_cli_note(c, _("survey %lld: answer recorded"), (long long)r.survey);
	return rc;
}

static const struct pm_opt results_opts[] = {
	{"file-format", O_FILE_FORMAT, "FMT", N_("html or svg, or any of --format's")},
	{"output", O_OUTPUT, "FILE", N_("write to FILE instead of standard output")},
	{NULL, 0, NULL, NULL},
};

static int cmd_survey_results(struct pm_ctx *c, int argc, char **argv)
{
	struct report_args a;
	struct pm_report *r;
	int rc;

	if (report_args(c, argc, argv, _("survey number"), &a))
		return c->stop;
	if (pm_cli_db(c, "govern.read", &c->db) || pm_survey_results(c->db, a.id, &r, &c->err))
		return c->err.code;
	rc = print_report(c, r, a.fmt, a.output);
	pm_report_free(r);
	return rc;
}

static const struct pm_cmd vote_cmds[] = {
	{"new", cmd_vote_new, NULL, N_("open a vote on a matter of Civil Code art. 278"), vote_new_opts, NULL},
	{"list", cmd_vote_list, NULL, N_("list votes"), no_opts, NULL},
	{"show", cmd_vote_show, "VOTE", N_("show a vote and its rule"), no_opts, NULL},
	{"close", cmd_vote_close, "VOTE", N_("close an open vote now"), no_opts, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct pm_cmd survey_cmds[] = {
	{"new", cmd_survey_new, "FILE.yaml", N_("make a survey from its YAML file"), no_opts, NULL},
	{"list", cmd_survey_list, NULL, N_("list surveys"), no_opts, NULL},
	{"show", cmd_survey_show, "SURVEY", N_("show a survey and its questions"), no_opts, NULL},
	{"answer", cmd_survey_answer, "SURVEY QUESTION=ANSWER...", N_("answer a survey, once per person"),
	 answer_opts, NULL},
	{"results", cmd_survey_results, "SURVEY", N_("counts, averages and comments"), results_opts, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct pm_cmd cmds[] = {
	{"vote", NULL, NULL, N_("owners' votes (业主表决): new, list, show, close"), NULL, vote_cmds},
	{"ballot", cmd_ballot, "VOTE", N_("cast or change a unit's ballot, or enter a signed paper one"), ballot_opts,
	 NULL},
	{"tally", cmd_tally, "VOTE", N_("count a vote by area and by owners, exactly"), tally_opts, NULL},
	{"remind", cmd_remind, "VOTE", N_("remind the owners of units without a ballot, through pm-notify"),
	 remind_opts, NULL},
	{"developer", cmd_developer, "PERSON", N_("mark the developer, whose units count as one owner"),
	 developer_opts, NULL},
	{"survey", NULL, NULL, N_("surveys (问卷): new, list, show, answer, results"), NULL, survey_cmds},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct pm_prog prog = {
	"pm-govern", N_("pm-govern: owners' votes under Civil Code art. 278, and surveys"), cmds, NULL, NULL,
};

int main(int argc, char **argv)
{
	return pm_cli_main(&prog, argc, argv);
}
