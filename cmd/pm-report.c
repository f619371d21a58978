/* pm-report: collection, arrears, occupancy, consumption, carbon, service
 * quality, feedback and the dashboard, as tables, files and charts. One
 * handler serves every report: the table below says which library call
 * makes it and how it may be grouped. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pm/cli.h"
#include "pm/i18n.h"
#include "pm/render.h"
#include "pm/report.h"
#include "pm/twin.h"

enum { O_PERIOD = 0x100, O_FROM, O_TO, O_BUILDING, O_BY, O_FILE_FORMAT, O_OUTPUT, O_BOM, O_SECTION, O_AS_OF, O_TOP,
       O_REJECT, O_STRICT, O_PUBLISH, O_YEAR, O_LAYER };

typedef int (*report_fn)(struct pm_db *db, const struct pm_report_query *q, struct pm_report **out,
			 struct pm_err *e);

#define BY(x) (1u << PM_BY_##x)

static const struct kind {
	const char *name;
	report_fn make;
	unsigned by;        /* the groupings --by takes */
	const char *bys;    /* and how --help says them */
} kinds[] = {
	{"collection", pm_report_collection, BY(BUILDING) | BY(ENTRANCE) | BY(FEE) | BY(CHANNEL) | BY(MONTH),
	 "building, entrance, fee, channel or month"},
	{"arrears", pm_report_arrears, 0, NULL},
	{"occupancy", pm_report_occupancy, BY(BUILDING) | BY(ENTRANCE), "building or entrance"},
	{"consumption", pm_report_consumption, BY(BUILDING) | BY(MONTH), "building or month"},
	{"carbon", pm_report_carbon, BY(BUILDING) | BY(MONTH), "building or month"},
	{"service", pm_report_service, BY(CATEGORY) | BY(MONTH), "category or month"},
	{"feedback", pm_report_feedback, 0, NULL},
	{"gate", pm_report_gate, 0, NULL},
	{"common-income", pm_report_common_income, 0, NULL},
	{"dashboard", pm_report_dashboard, 0, NULL},
};

#define OUTPUT_OPTS \
	{"file-format", O_FILE_FORMAT, "FMT", N_("xlsx, svg or html, or any of --format's (default: by --output's" \
						 " extension, else --format's)")}, \
	{"output", O_OUTPUT, "FILE", N_("write to FILE instead of standard output (required for xlsx)")}, \
	{"bom", O_BOM, NULL, N_("csv: begin with a UTF-8 byte order mark, for Excel")}, \
	{"section", O_SECTION, "NAME", N_("only this section of the report")}

#define RANGE_OPTS \
	{"period", O_PERIOD, "YYYY-MM", N_("the month (default: this month)")}, \
	{"from", O_FROM, "YYYY-MM", N_("the first month of a range")}, \
	{"to", O_TO, "YYYY-MM", N_("the last month of a range (default: this month)")}

#define SCOPE_OPTS \
	RANGE_OPTS, \
	{"building", O_BUILDING, "CODE", N_("only this building")}

static const struct pm_opt grouped_opts[] = {
	SCOPE_OPTS,
	{"by", O_BY, "WORD", N_("group by building, entrance, fee, channel, month or category, as the report takes")},
	OUTPUT_OPTS,
	{NULL, 0, NULL, NULL},
};

static const struct pm_opt month_opts[] = {
	{"period", O_PERIOD, "YYYY-MM", N_("the month (default: this month)")},
	{"building", O_BUILDING, "CODE", N_("only this building")},
	OUTPUT_OPTS,
	{NULL, 0, NULL, NULL},
};

static const struct pm_opt arrears_opts[] = {
	SCOPE_OPTS,
	{"as-of", O_AS_OF, "DATE", N_("count days overdue to this day (default today)")},
	{"top", O_TOP, "N", N_("debtors listed at the top (default report.top_debtors, 10)")},
	{"reject", O_REJECT, "FILE", N_("with bill records: copy bad ones to FILE")},
	{"strict", O_STRICT, NULL, N_("with bill records: report nothing if any is bad")},
	OUTPUT_OPTS,
	{NULL, 0, NULL, NULL},
};

static const struct pm_opt range_opts[] = {
	RANGE_OPTS,
	OUTPUT_OPTS,
	{NULL, 0, NULL, NULL},
};

static const struct pm_opt feedback_opts[] = {
	RANGE_OPTS,
	{"publish", O_PUBLISH, NULL, N_("post it as an announcement to everyone (整改进度公示)")},
	OUTPUT_OPTS,
	{NULL, 0, NULL, NULL},
};

static const struct pm_opt common_opts[] = {
	{"year", O_YEAR, "YYYY", N_("the year (default: this year)")},
	{"publish", O_PUBLISH, NULL, N_("post it as an announcement to everyone (公共收益公示)")},
	OUTPUT_OPTS,
	{NULL, 0, NULL, NULL},
};

static const struct pm_opt twin_opts[] = {
	{"layer", O_LAYER, "WORD", N_("occupancy (default), arrears, tickets, anomalies, alarms or energy")},
	{"period", O_PERIOD, "YYYY-MM", N_("the month of anomalies, alarms and energy (default: this month)")},
	{"as-of", O_AS_OF, "DATE", N_("count days overdue to this day (default today)")},
	OUTPUT_OPTS,
	{NULL, 0, NULL, NULL},
};

/* What a report's command line asked for. */
struct args {
	const struct kind *k;
	struct pm_report_query q;
	const char *period, *from, *to, *as_of, *format, *output, *reject, *year, *layer;
	struct pm_render_opts ro;
	enum pm_render_format fmt;
	int strict, publish;
};

static const struct kind *kind_of(const struct pm_ctx *c)
{
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if (strcmp(kinds[i].name, c->cmd->name) == 0)
			return &kinds[i];
	return NULL;
}

/* The format: --file-format or the shared --format, else --output's
 * extension, else table on a terminal and JSON lines otherwise (SVG for
 * the twin). */
static int format_arg(struct pm_ctx *c, struct args *a)
{
	static const enum pm_render_format shared[] = {
		[PM_FMT_TABLE] = PM_RENDER_TABLE, [PM_FMT_JSONL] = PM_RENDER_JSONL,
		[PM_FMT_CSV] = PM_RENDER_CSV, [PM_FMT_TSV] = PM_RENDER_TSV,
	};
	static const struct {
		const char *ext;
		enum pm_render_format fmt;
	} exts[] = {{".html", PM_RENDER_HTML}, {".htm", PM_RENDER_HTML}, {".svg", PM_RENDER_SVG},
		    {".xlsx", PM_RENDER_XLSX}, {".csv", PM_RENDER_CSV}, {".tsv", PM_RENDER_TSV},
		    {".jsonl", PM_RENDER_JSONL}, {".txt", PM_RENDER_TABLE}};
	size_t n, m;

	a->fmt = c->format == PM_FMT_TABLE && !a->output ? PM_RENDER_TABLE : PM_RENDER_JSONL;
	/* The twin is a picture first. */
	if (!a->k->make)
		a->fmt = PM_RENDER_SVG;
	if (a->format && c->format_given)
		return pm_cli_usage(c, _("give --format or --file-format, not both"));
	if (a->format)
		return pm_render_format_parse(a->format, &a->fmt, &c->err) ?
			pm_cli_usage(c, "--file-format: %s", c->err.msg) : PM_OK;
	if (c->format_given) {
		a->fmt = shared[c->format];
		return PM_OK;
	}
	for (size_t i = 0; a->output && i < sizeof exts / sizeof *exts; i++) {
		n = strlen(a->output);
		m = strlen(exts[i].ext);
		if (n > m && strcmp(a->output + n - m, exts[i].ext) == 0)
			a->fmt = exts[i].fmt;
	}
	return PM_OK;
}

/* The months: --period, or --from and --to, else this month (in the
 * community's zone, so once the store is open); parse has checked them. */
static int scope_args(struct pm_ctx *c, struct args *a, int32_t today, const char *tz)
{
	struct pm_period now = pm_period_of(pm_date_start(today, tz), tz);

	a->q.from = a->q.to = now;
	if (a->period && pm_cli_arg_period(c, "--period", a->period, &a->q.to))
		return PM_EUSAGE;
	if (a->period)
		a->q.from = a->q.to;
	if ((a->to && pm_cli_arg_period(c, "--to", a->to, &a->q.to)) ||
	    (a->from && pm_cli_arg_period(c, "--from", a->from, &a->q.from)))
		return PM_EUSAGE;
	if (a->to && !a->from)
		a->q.from = a->q.to;
	if (strcmp(a->k->name, "common-income") == 0) {
		int64_t year = a->q.to.year;
		if (a->year && pm_cli_arg_count(c, "--year", a->year, &year))
			return PM_EUSAGE;
		if (year < 1970 || year > 9999)
			return pm_cli_usage(c, _("--year: expected a year from 1970 to 9999"));
		a->q.from = (struct pm_period){(int)year, 1};
		a->q.to = (struct pm_period){(int)year, 12};
		a->q.range = 1;
	}
	a->q.range = a->from != NULL;
	if (a->q.from.year * 12 + a->q.from.month > a->q.to.year * 12 + a->q.to.month)
		return pm_cli_usage(c, _("--from %s is after --to"), a->from);
	if (a->q.to.year * 12 + a->q.to.month - a->q.from.year * 12 - a->q.from.month >= 120)
		return pm_cli_usage(c, _("a range of at most 120 months"));
	return PM_OK;
}

static int parse(struct pm_ctx *c, int argc, char **argv, struct args *a)
{
	const char *arg, *by = NULL;
	struct pm_period p;
	int64_t top;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_PERIOD: a->period = arg; break;
		case O_FROM: a->from = arg; break;
		case O_TO: a->to = arg; break;
		case O_BUILDING: a->q.building = arg; break;
		case O_BY: by = arg; break;
		case O_FILE_FORMAT: a->format = arg; break;
		case O_OUTPUT: a->output = arg; break;
		case O_BOM: a->ro.bom = 1; break;
		case O_SECTION: a->ro.section = arg; break;
		case O_AS_OF: a->as_of = arg; break;
		case O_REJECT: a->reject = arg; break;
		case O_STRICT: a->strict = 1; break;
		case O_PUBLISH: a->publish = 1; break;
		case O_YEAR: a->year = arg; break;
		case O_LAYER: a->layer = arg; break;
		case O_TOP:
			if (pm_cli_arg_count(c, "--top", arg, &top))
				return PM_EUSAGE;
			if (top > 1000)
				return pm_cli_usage(c, _("--top: expected a number from 1 to 1000"));
			a->q.top = (int)top;
			break;
		}
	if (k < 0)
		return -1;
	if (a->period && (a->from || a->to))
		return pm_cli_usage(c, _("give --period or --from and --to, not both"));
	if ((a->period && pm_cli_arg_period(c, "--period", a->period, &p)) ||
	    (a->from && pm_cli_arg_period(c, "--from", a->from, &p)) ||
	    (a->to && pm_cli_arg_period(c, "--to", a->to, &p)) ||
	    (a->as_of && pm_cli_arg_date(c, "--as-of", a->as_of, &a->q.as_of)))
		return PM_EUSAGE;
	if (by && (pm_report_by_parse(by, &a->q.by, &c->err) || !(a->k->by & (1u << a->q.by))))
		return pm_cli_usage(c, _("the %s report groups by %s, not '%s'"), a->k->name, a->k->bys ? a->k->bys : _("nothing"),
				    by);
	if (c->optind < argc && strcmp(a->k->name, "arrears"))
		return pm_cli_usage(c, _("unexpected argument '%s'"), argv[c->optind]);
	if (a->output && !*a->output)
		return pm_cli_usage(c, _("--output needs a file name"));
	/* A report's sections have columns of their own, each section other
	 * ones: the shared option would pick fields of records it has not. */
	if (c->columns)
		return pm_cli_usage(c, _("--columns is not for reports: --section keeps one part of a report"));
	return format_arg(c, a);
}

/* ---- output ---- */

static int emit(struct pm_ctx *c, struct pm_db *db, const struct args *a, const struct pm_report *r)
{
	struct pm_file_mode m = pm_db_file_mode(db);
	struct stat st;
	int rc;

	if (a->output && strcmp(a->output, "-")) {
		if (stat(a->output, &st) == 0 && S_ISCHR(st.st_mode))
			return pm_cli_usage(c, _("'%s' is a terminal: give --output a file"), a->output);
		rc = pm_render_file(r, a->fmt, &a->ro, a->output, &m, &c->err);
	} else if (a->fmt == PM_RENDER_XLSX) {
		return pm_cli_usage(c, _("an xlsx workbook goes to a file: give --output FILE"));
	} else {
		rc = pm_render(r, a->fmt, &a->ro, stdout, &c->err);
	}
	/* A section or chart the report has not: the command line's fault. */
	return rc == PM_EUSAGE ? pm_cli_usage(c, "%s", c->err.msg) : rc;
}

/* ---- arrears from bill records ---- */

static int bad_record(struct pm_ctx *c, struct pm_jsonl *r, struct pm_reject *rj, const char *why, long *bad)
{
	const char *raw;
	size_t len;

	(*bad)++;
	pm_cli_warn(c, "%s: %s", pm_jsonl_where(r), why);
	raw = pm_jsonl_raw(r, &len);
	return rj ? pm_reject_write(rj, raw, len, &c->err) : PM_OK;
}

static int read_file(struct pm_ctx *c, struct pm_arrears *ar, const char *path, struct pm_reject *rj, long *bad)
{
	struct pm_jsonl *r;
	struct pm_err why;
	json_t *rec;
	int rc;

	if (pm_jsonl_open(path, PM_JSONL_ONLY, &r, &c->err))
		return c->err.code;
	for (;;) {
		rec = NULL;
		if ((rc = pm_jsonl_next(r, &rec, &why)) == PM_OK && !rec)
			break;
		if (rc == PM_OK)
			rc = pm_arrears_add(ar, rec, &why);
		if (rc == PM_EDATA)
			rc = bad_record(c, r, rj, why.msg, bad);
		else if (rc) {
			c->err = why;
			if (rc != PM_ENOPERM)
				pm_err_prefix(&c->err, "%s", pm_jsonl_where(r));
			break;
		}
	}
	pm_jsonl_close(r);
	return rc;
}

/* Bill records from the operands, or from standard input when it is a
 * pipe or a file: `pm-bill list --overdue | pm-report arrears`. */
static int from_records(struct pm_ctx *c, int argc, char **argv)
{
	struct stat st;

	if (c->optind < argc)
		return 1;
	return fstat(STDIN_FILENO, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISREG(st.st_mode) || S_ISSOCK(st.st_mode));
}

/* The report of the records read; *bad counts those rejected. */
static int arrears_records(struct pm_ctx *c, struct pm_db *db, struct args *a, int argc, char **argv,
			   struct pm_report **out, long *bad)
{
	static char *dash[] = {"-"};
	char **files = c->optind < argc ? argv + c->optind : dash;
	int nfiles = c->optind < argc ? argc - c->optind : 1, rc;
	struct pm_reject *rj = NULL;
	struct pm_arrears *ar;
	long read, skipped;

	if (a->reject && pm_reject_open(a->reject, &rj, &c->err))
		return c->err.code;
	if ((rc = pm_arrears_open(db, &a->q, &ar, &c->err)) == PM_OK) {
		for (int i = 0; i < nfiles && rc == PM_OK; i++)
			rc = read_file(c, ar, files[i], rj, bad);
		if (rc == PM_OK && a->strict && *bad)
			rc = pm_err_set(&c->err, PM_EDATA, _("%ld bad records: nothing reported (--strict)"), *bad);
		if (rc == PM_OK)
			rc = pm_arrears_finish(ar, out, &read, &skipped, &c->err);
		if (rc == PM_OK)
			pm_cli_note(c, _("read %ld bills: %ld past due with something owed, %ld rejected"), read + *bad,
				    read - skipped, *bad);
		/* A record's owed_fen is the bill's when it was listed (today's,
		 * from pm-bill list): a past day ages it, nothing more. */
		if (rc == PM_OK && a->q.as_of < pm_db_today(db))
			pm_cli_note(c, _("bill records say what was owed when listed: --as-of %s ages them, "
					 "it takes back nothing paid or charged since"),
				    pm_date_fmt(a->q.as_of, (char[PM_TIME_BUF]){0}));
		pm_arrears_close(ar);
	}
	if (pm_reject_close(rj, rc ? NULL : &c->err) && rc == PM_OK)
		rc = c->err.code;
	return rc;
}

/* ---- the handler of every report ---- */

static int publish(struct pm_ctx *c, struct pm_db *db, const struct pm_report *r)
{
	struct pm_notify_counts n;
	int64_t id;
	long units;

	if (pm_report_publish(db, r, &id, &units, &n, &c->err))
		return c->err.code;
	pm_cli_note(c, _("announcement %lld: units %ld; messages: queued %ld, duplicate %ld, opted out %ld, no address %ld"),
		    (long long)id, units, n.queued, n.duplicate, n.opted_out, n.no_address);
	return PM_OK;
}

static int cmd_report(struct pm_ctx *c, int argc, char **argv)
{
	struct args a = {.k = kind_of(c)};
	struct pm_report *r = NULL;
	struct pm_db *db;
	long bad = 0;
	int rc, records;

	if ((rc = parse(c, argc, argv, &a)))
		return rc < 0 ? c->stop : rc;
	if (pm_cli_db(c, a.publish ? "notify.announce" : NULL, &db) || pm_report_may(&c->actor, a.k->name, &c->err))
		return c->err.code;
	a.q.actor = &c->actor;
	if (!a.as_of)
		a.q.as_of = pm_date_of(pm_now(), pm_db_tz(db));
	if ((rc = scope_args(c, &a, pm_date_of(pm_now(), pm_db_tz(db)), pm_db_tz(db))))
		return rc;
	if (strcmp(a.k->name, "arrears") == 0 && !a.period && !a.from && !a.to)
		pm_query_every_period(&a.q);
	records = strcmp(a.k->name, "arrears") == 0 && from_records(c, argc, argv);
	if (!records && (a.reject || a.strict))
		return pm_cli_usage(c, _("--reject and --strict are for bill records read from files or a pipe"));
	rc = records ? arrears_records(c, db, &a, argc, argv, &r, &bad) : a.k->make(db, &a.q, &r, &c->err);
	if (rc == PM_OK)
		rc = emit(c, db, &a, r);
	if (rc == PM_OK && bad)
		rc = pm_err_set(&c->err, PM_EDATA, _("%ld bill records rejected"), bad);
	if (rc == PM_OK && a.publish)
		rc = publish(c, db, r);
	pm_report_free(r);
	return rc;
}

/* ---- the digital twin ---- */

static int cmd_twin(struct pm_ctx *c, int argc, char **argv)
{
	static const struct kind twin = {"twin", NULL, 0, NULL};
	struct args a = {.k = &twin};
	struct pm_twin_query q = {.actor = &c->actor};
	struct pm_file_mode m;
	struct pm_twin *t;
	struct pm_db *db;
	struct stat st;
	int rc;

	if ((rc = parse(c, argc, argv, &a)))
		return rc < 0 ? c->stop : rc;
	if (a.layer && pm_twin_layer_parse(a.layer, &q.layer, &c->err))
		return pm_cli_usage(c, "--layer: %s", c->err.msg);
	if (a.fmt == PM_RENDER_XLSX && (!a.output || strcmp(a.output, "-") == 0))
		return pm_cli_usage(c, _("an xlsx workbook goes to a file: give --output FILE"));
	if (a.output && strcmp(a.output, "-") && stat(a.output, &st) == 0 && S_ISCHR(st.st_mode))
		return pm_cli_usage(c, _("'%s' is a terminal: give --output a file"), a.output);
	if (pm_cli_db(c, NULL, &db) || pm_twin_may(&c->actor, q.layer, &c->err))
		return c->err.code;
	q.period = pm_period_of(pm_now(), pm_db_tz(db));
	q.as_of = a.as_of ? a.q.as_of : pm_date_of(pm_now(), pm_db_tz(db));
	if (a.period)
		pm_period_parse(a.period, &q.period, &c->err);
	if (pm_twin_make(db, &q, &t, &c->err))
		return c->err.code;
	m = pm_db_file_mode(db);
	if (a.output && strcmp(a.output, "-"))
		rc = pm_twin_render_file(t, a.fmt, &a.ro, a.output, &m, &c->err);
	else
		rc = pm_twin_render(t, a.fmt, &a.ro, stdout, &c->err);
	pm_twin_free(t);
	return rc == PM_EUSAGE ? pm_cli_usage(c, "%s", c->err.msg) : rc;
}

static const struct pm_cmd cmds[] = {
	{"collection", cmd_report, NULL, N_("billed, collected and the collection rate (缴费率), year to date"),
	 grouped_opts, NULL},
	{"arrears", cmd_report, "[-|FILE...]", N_("arrears (欠费) per unit, aged, by building and entrance; top debtors"),
	 arrears_opts, NULL},
	{"occupancy", cmd_report, NULL, N_("units by status, occupancy rate (入住率), move-ins and move-outs"),
	 grouped_opts, NULL},
	{"consumption", cmd_report, NULL, N_("water, power, gas and heat used, per unit and year on year"),
	 grouped_opts, NULL},
	{"carbon", cmd_report, NULL, N_("CO2 emitted by the energy used, per building and household"), grouped_opts,
	 NULL},
	{"service", cmd_report, NULL, N_("tickets, response times, SLA breaches and satisfaction (满意度)"),
	 grouped_opts, NULL},
	{"feedback", cmd_report, NULL, N_("suggestions, complaints and the improvement list (意见反馈闭环)"),
	 feedback_opts, NULL},
	{"gate", cmd_report, NULL, N_("entries by hour, visitors per day, alarms, parking occupancy and income"),
	 range_opts, NULL},
	{"common-income", cmd_report, NULL, N_("the owners' common-area income and expenses by contract and month (公共收益公示)"),
	 common_opts, NULL},
	{"dashboard", cmd_report, NULL, N_("the month on one page"), month_opts, NULL},
	{"twin", cmd_twin, NULL, N_("the site plan, every unit coloured by a layer (数字孪生): svg or html"), twin_opts,
	 NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct pm_prog prog = {
	"pm-report", N_("pm-report: collection, arrears, occupancy, consumption, carbon and service reports"), cmds, NULL, NULL,
};

int main(int argc, char **argv)
{
	return pm_cli_main(&prog, argc, argv);
}
