/* pm-meter: meters, readings, device frames, usage per period, anomalies. */
#include <errno.h>
#include <string.h>

#include "pm/audit.h"
#include "pm/cli.h"
#include "pm/frame.h"
#include "pm/i18n.h"
#include "pm/import.h"
#include "pm/meter.h"
#include "pm/money.h"

enum { O_KIND = 0x100, O_SERVES, O_ADDRESS, O_MULTIPLIER, O_DIGITS, O_UOM, O_REGISTERS,
       O_INSTALLED, O_INITIAL, O_REPLACE, O_ALL, O_AT, O_FINAL, O_NEW,
       O_PROTOCOL, O_TS, O_PERIOD, O_METER, O_BATCH, O_FROM, O_TO, O_REASON };

/* ---- the registry ---- */

static const struct pm_opt add_opts[] = {
	{"kind", O_KIND, "KIND", N_("water, electricity, gas, heat, or a kind the config names")},
	{"serves", O_SERVES, "WHAT", N_("a unit code, building:CODE or community (公区表)")},
	{"address", O_ADDRESS, "ADDR", N_("device address for frames (12 or 14 digits)")},
	{"multiplier", O_MULTIPLIER, "N", N_("current-transformer ratio (default 1)")},
	{"digits", O_DIGITS, "N", N_("integer digits of the register (default by kind)")},
	{"uom", O_UOM, "UNIT", N_("unit of measure (default by kind: m3, kWh)")},
	{"registers", O_REGISTERS, "LIST", N_("time-of-use registers: sharp,peak,flat,valley")},
	{"installed", O_INSTALLED, "TIME", N_("installation time, RFC 3339")},
	{"initial", O_INITIAL, "VALUE", N_("reading at installation (default 0)")},
	{NULL, 0, NULL, NULL},
};

static int set_registers(json_t *rec, const char *list)
{
	char buf[128], *tok, *save;
	json_t *a = json_array();

	snprintf(buf, sizeof buf, "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		json_array_append_new(a, json_string(tok));
	return json_object_set_new(rec, "registers", a);
}

static int cmd_add(struct pm_ctx *c, int argc, char **argv)
{
	static const char *const keys[] = {[O_KIND - O_KIND] = "kind", [O_SERVES - O_KIND] = "serves",
		[O_ADDRESS - O_KIND] = "address", [O_MULTIPLIER - O_KIND] = "multiplier",
		[O_DIGITS - O_KIND] = "digits", [O_UOM - O_KIND] = "uom", [O_INSTALLED - O_KIND] = "installed",
		[O_INITIAL - O_KIND] = "initial"};
	json_t *rec = json_object();
	enum pm_upsert did;
	struct pm_db *db;
	const char *arg;
	int k, rc;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if (k == O_REGISTERS)
			set_registers(rec, arg);
		else if (k >= O_KIND && k <= O_INITIAL && keys[k - O_KIND])
			json_object_set_new(rec, keys[k - O_KIND], json_string(arg));
	if (k < 0 || argc - c->optind != 1) {
		json_decref(rec);
		return k < 0 ? c->stop : pm_cli_usage(c, _("expected one meter CODE"));
	}
	json_object_set_new(rec, "code", json_string(argv[c->optind]));
	if ((rc = pm_cli_db(c, "meter.write", &db)) == PM_OK)
		rc = pm_meter_add(db, rec, &did, &c->err);
	json_decref(rec);
	return rc;
}

static int cmd_import(struct pm_ctx *c, int argc, char **argv)
{
	return pm_import_upserts(c, argc, argv, "meter.import", "meter.write", pm_meter_fields, pm_meter_upsert);
}

static const struct pm_opt list_opts[] = {
	{"kind", O_KIND, "KIND", N_("only meters of this kind")},
	{"all", O_ALL, NULL, N_("retired meters too")},
	{NULL, 0, NULL, NULL},
};

static int cmd_list(struct pm_ctx *c, int argc, char **argv)
{
	const char *kind = NULL, *arg;
	struct pm_db *db;
	int k, all = 0;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_KIND: kind = arg; break;
		case O_ALL: all = 1; break;
		}
	if (k < 0)
		return c->stop;
	if (pm_cli_db(c, "meter.read", &db))
		return c->err.code;
	return pm_meter_each(db, kind, all, pm_cli_out_each, c, &c->err);
}

static int cmd_show(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_db *db;
	json_t *rec;

	if (pm_cli_noopts(c, argc, argv))
		return c->stop;
	if (argc - c->optind != 1)
		return pm_cli_usage(c, _("expected one meter CODE"));
	if (pm_cli_db(c, "meter.read", &db) || pm_meter_get(db, argv[c->optind], &rec, &c->err))
		return c->err.code;
	return pm_cli_out_new(c, rec);
}

static const struct pm_opt retire_opts[] = {
	{"at", O_AT, "TIME", N_("when, RFC 3339 (required)")},
	{"final", O_FINAL, "VALUE", N_("the last reading (required)")},
	{NULL, 0, NULL, NULL},
};

static const struct pm_opt replace_opts[] = {
	{"new", O_NEW, "CODE", N_("the new meter's code (required)")},
	{"at", O_AT, "TIME", N_("when, RFC 3339 (required)")},
	{"final", O_FINAL, "VALUE", N_("the old meter's last reading (required)")},
	{"initial", O_INITIAL, "VALUE", N_("the new meter's first reading (default 0)")},
	{"address", O_ADDRESS, "ADDR", N_("the new meter's device address")},
	{NULL, 0, NULL, NULL},
};

static int change_meter(struct pm_ctx *c, int argc, char **argv, int replace)
{
	const char *at = NULL, *final = NULL, *new_code = NULL, *address = NULL, *initial = "0", *arg;
	int64_t t, fin, ini;
	struct pm_db *db;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_AT: at = arg; break;
		case O_FINAL: final = arg; break;
		case O_NEW: new_code = arg; break;
		case O_INITIAL: initial = arg; break;
		case O_ADDRESS: address = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (argc - c->optind != 1 || !at || !final || (replace && !new_code))
		return pm_cli_usage(c, replace ? _("expected OLD with --new, --at and --final")
					       : _("expected CODE with --at and --final"));
	if (pm_cli_arg_time(c, "--at", at, &t) || pm_cli_arg_decimal(c, "--final", final, 3, &fin) ||
	    pm_cli_arg_decimal(c, "--initial", initial, 3, &ini))
		return PM_EUSAGE;
	if (pm_cli_db(c, "meter.write", &db))
		return c->err.code;
	if (replace)
		return pm_meter_replace(db, argv[c->optind], new_code, t, fin, ini, address, &c->err);
	return pm_meter_retire(db, argv[c->optind], t, fin, &c->err);
}

static int cmd_retire(struct pm_ctx *c, int argc, char **argv)
{
	return change_meter(c, argc, argv, 0);
}

static int cmd_replace(struct pm_ctx *c, int argc, char **argv)
{
	return change_meter(c, argc, argv, 1);
}

/* ---- ingestion ---- */

static const struct pm_opt ingest_opts[] = {
	PM_IMPORT_OPTS,
	{"replace", O_REPLACE, NULL, N_("correct readings that differ from the stored ones (audited)")},
	{"batch", O_BATCH, "N", N_("readings per transaction (default 4000000, or 64 a meter)")},
	{NULL, 0, NULL, NULL},
};

struct ingest_ctx {
	struct pm_ctx *c;
	struct pm_ingest *in;
	int emit;
};

static void emit_outcome(struct ingest_ctx *ic, json_t *rec, const char *outcome, const char *why)
{
	json_t *o = json_pack("{s:s, s:O?, s:O?, s:s, s:s*}", "type", "ingest",
			      "meter", rec ? json_object_get(rec, "meter") : NULL,
			      "ts", rec ? json_object_get(rec, "ts") : NULL, "outcome", outcome, "reason", why);

	pm_cli_out_new(ic->c, o);
}

/* One reading through pm_ingest_record, or through pm_ingest_held after
 * the rest of the input (retry). */
static int ingest_one(struct ingest_ctx *ic, json_t *rec, int retry, int *outcome, struct pm_err *e)
{
	enum pm_ingest_did did = PM_INGEST_INSERTED;
	int rc = retry ? pm_ingest_held(ic->in, rec, &did, e) : pm_ingest_record(ic->in, rec, &did, e);

	*outcome = did == PM_INGEST_HELD ? PM_IMPORT_LATER : (int)did;
	if (rc == PM_OK && did != PM_INGEST_HELD && ic->emit)
		emit_outcome(ic, rec, pm_ingest_names[did], NULL);
	return rc;
}

static int ingest_record(void *ctx, json_t *rec, int *outcome, struct pm_err *e)
{
	return ingest_one(ctx, rec, 0, outcome, e);
}

static int ingest_retry(void *ctx, json_t *rec, int *outcome, struct pm_err *e)
{
	return ingest_one(ctx, rec, 1, outcome, e);
}

static void ingest_rejected(void *ctx, json_t *rec, const char *where, const char *why)
{
	struct ingest_ctx *ic = ctx;

	if (ic->emit)
		emit_outcome(ic, rec, "rejected", why);
}

static int cmd_ingest(struct pm_ctx *c, int argc, char **argv)
{
	struct ingest_ctx ic = {c, NULL, 0};
	struct pm_import im = {.action = "reading.ingest", .mode = PM_JSONL_ONLY,
			       .fields = pm_reading_fields, .outcomes = pm_ingest_names, .record = ingest_record,
			       .retry = ingest_retry, .on_reject = ingest_rejected, .ctx = &ic};
	struct pm_db *db;
	const char *arg;
	int64_t batch;
	int k, replace = 0, rc;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_REPLACE: replace = 1; break;
		case O_BATCH:
			if (pm_cli_arg_count(c, "--batch", arg, &batch))
				return PM_EUSAGE;
			im.batch = (long)batch;
			break;
		default: pm_import_opt(&im, k, arg);
		}
	if (k < 0)
		return c->stop;
	ic.emit = c->format_given && c->format == PM_FMT_JSONL;
	if (pm_cli_db(c, "meter.ingest", &db) || pm_db_bulk(db, &c->err) ||
	    pm_ingest_open(db, replace, &ic.in, &c->err))
		return c->err.code;
	if (!im.batch)
		im.batch = pm_ingest_batch(ic.in);
	rc = pm_import_run(c, &im, argc - c->optind, argv + c->optind);
	pm_ingest_close(ic.in);
	return rc;
}

/* ---- a meter's readings ---- */

static const struct pm_opt readings_opts[] = {
	{"from", O_FROM, "TIME", N_("readings at or after TIME, RFC 3339")},
	{"to", O_TO, "TIME", N_("readings at or before TIME, RFC 3339")},
	{NULL, 0, NULL, NULL},
};

static int cmd_readings(struct pm_ctx *c, int argc, char **argv)
{
	int64_t from = INT64_MIN, to = INT64_MAX;
	const char *arg;
	struct pm_db *db;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if ((k == O_FROM && pm_cli_arg_time(c, "--from", arg, &from)) || (k == O_TO && pm_cli_arg_time(c, "--to", arg, &to)))
			return PM_EUSAGE;
	if (k < 0)
		return c->stop;
	if (argc - c->optind != 1)
		return pm_cli_usage(c, _("expected one meter CODE"));
	if (pm_cli_db(c, "meter.read", &db))
		return c->err.code;
	return pm_reading_each(db, argv[c->optind], from, to, pm_cli_out_each, c, &c->err);
}

static const struct pm_opt void_opts[] = {
	{"ts", O_TS, "TIME", N_("the reading's time, RFC 3339 (required)")},
	{"reason", O_REASON, "TEXT", N_("why the reading is wrong, for the audit (required)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_void(struct pm_ctx *c, int argc, char **argv)
{
	const char *ts = NULL, *reason = NULL, *arg;
	struct pm_db *db;
	json_t *rec;
	int64_t t;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_TS: ts = arg; break;
		case O_REASON: reason = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (argc - c->optind != 1 || !ts || !reason || !*reason)
		return pm_cli_usage(c, _("expected METER with --ts and --reason"));
	if (pm_cli_arg_time(c, "--ts", ts, &t))
		return PM_EUSAGE;
	if (pm_cli_db(c, "meter.write", &db) || pm_reading_void(db, argv[c->optind], t, reason, &rec, &c->err))
		return c->err.code;
	return pm_cli_out_new(c, rec);
}

/* ---- device frames ---- */

static const struct pm_opt decode_opts[] = {
	{"protocol", O_PROTOCOL, "P", N_("dlt645 (DL/T 645-2007) or cjt188 (CJ/T 188-2004) (required)")},
	{"ts", O_TS, "TIME", N_("the readings' time, RFC 3339 (default now)")},
	PM_IMPORT_OPT_REJECT,
	{NULL, 0, NULL, NULL},
};

struct decoder {
	struct pm_ctx *c;
	struct pm_decode *dec;
	struct pm_reject *rj;
	long read, rejected;
};

static int decode_file(struct decoder *d, const char *path)
{
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	const char *name = in == stdin ? "stdin" : path;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	struct pm_err why;
	int rc = PM_OK;

	if (!in)
		return pm_err_set(&d->c->err, PM_ENOINPUT, _("cannot read '%s': %s"), path, strerror(errno));
	while (rc == PM_OK && (n = getline(&line, &cap, in)) >= 0) {
		/* The frame ends before the line break; the reject file gets the
		 * line as it came, its line end included. */
		size_t len = (size_t)n;
		char cut;

		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		cut = line[len];
		lineno++;
		line[len] = '\0';
		if (line[strspn(line, " \t")] == '\0' || line[strspn(line, " \t")] == '#')
			continue;
		d->read++;
		if (pm_decode_frame(d->dec, line, &why) == PM_OK)
			continue;
		if (why.code != PM_EDATA) {
			d->c->err = why;
			rc = why.code;
			break;
		}
		d->rejected++;
		pm_cli_warn(d->c, "%s:%ld: %s", name, lineno, why.msg);
		line[len] = cut;
		if (d->rj)
			rc = pm_reject_write(d->rj, line, (size_t)n, &d->c->err);
	}
	if (rc == PM_OK && ferror(in))
		rc = pm_err_set(&d->c->err, PM_EIO, _("cannot read '%s': %s"), path, strerror(errno));
	free(line);
	if (in != stdin)
		fclose(in);
	return rc;
}

static int cmd_decode(struct pm_ctx *c, int argc, char **argv)
{
	struct decoder d = {.c = c};
	const char *proto = NULL, *ts = NULL, *reject = NULL, *arg;
	enum pm_frame_proto p;
	struct pm_db *db;
	int64_t t = pm_now();
	int k, rc = PM_OK;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_PROTOCOL: proto = arg; break;
		case O_TS: ts = arg; break;
		case PM_OPT_REJECT: reject = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (!proto)
		return pm_cli_usage(c, _("--protocol is required: dlt645 or cjt188"));
	if (pm_frame_proto_parse(proto, &p, &c->err))
		return pm_cli_usage(c, "%s", c->err.msg);
	if (ts && pm_cli_arg_time(c, "--ts", ts, &t))
		return PM_EUSAGE;
	if (pm_cli_db(c, "meter.read", &db) || pm_decode_open(db, p, t, &d.dec, &c->err) ||
	    (reject && pm_reject_open(reject, &d.rj, &c->err)) ||
	    pm_reject_check(d.rj, argc - c->optind, argv + c->optind, &c->err)) {
		pm_reject_close(d.rj, NULL);
		pm_decode_close(d.dec);
		return c->err.code;
	}
	/* Frames may come slowly, from a meter bus: each reads what is new. */
	pm_db_read_end(db);
	for (int i = c->optind; rc == PM_OK && i < argc; i++)
		rc = decode_file(&d, argv[i]);
	if (rc == PM_OK && c->optind == argc)
		rc = decode_file(&d, "-");
	if (pm_reject_close(d.rj, rc ? NULL : &c->err) && rc == PM_OK)
		rc = c->err.code;
	if (rc == PM_OK)
		rc = pm_decode_each(d.dec, pm_cli_out_each, c);
	pm_decode_close(d.dec);
	if (rc == PM_OK && d.rejected)
		rc = pm_err_set(&c->err, PM_EDATA, _("%ld of %ld frames rejected"), d.rejected, d.read);
	return rc;
}

/* ---- usage and anomalies ---- */

static const struct pm_opt usage_opts[] = {
	{"period", O_PERIOD, "YYYY-MM", N_("the billing period (required)")},
	{"kind", O_KIND, "KIND", N_("only meters of this kind")},
	{"meter", O_METER, "CODE", N_("only this meter")},
	{NULL, 0, NULL, NULL},
};

struct usage_ctx {
	struct pm_ctx *c;
	struct pm_period p;
};

static int usage_row(void *ctx, const struct pm_usage *u)
{
	struct usage_ctx *uc = ctx;

	return pm_cli_out_new(uc->c, pm_usage_json(u, uc->p));
}

static int period_opts(struct pm_ctx *c, int argc, char **argv, struct pm_period *p,
		       const char **kind, const char **meter)
{
	const char *period = NULL, *arg;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_PERIOD: period = arg; break;
		case O_KIND: *kind = arg; break;
		case O_METER: *meter = arg; break;
		}
	if (k < 0)
		return -1;
	if (!period)
		return pm_cli_usage(c, _("--period YYYY-MM is required")), -1;
	if (pm_cli_arg_period(c, "--period", period, p))
		return -1;
	return PM_OK;
}

static int cmd_usage(struct pm_ctx *c, int argc, char **argv)
{
	struct usage_ctx uc = {c, {0, 0}};
	const char *kind = NULL, *meter = NULL;
	struct pm_db *db;

	if (period_opts(c, argc, argv, &uc.p, &kind, &meter))
		return c->stop;
	if (pm_cli_db(c, "meter.read", &db))
		return c->err.code;
	return pm_usage_each(db, uc.p, kind, meter, usage_row, &uc, &c->err);
}

static const struct pm_opt anomalies_opts[] = {
	{"period", O_PERIOD, "YYYY-MM", N_("the billing period (required)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_anomalies(struct pm_ctx *c, int argc, char **argv)
{
	const char *kind = NULL, *meter = NULL;
	struct pm_period p;
	struct pm_db *db;

	if (period_opts(c, argc, argv, &p, &kind, &meter))
		return c->stop;
	if (pm_cli_db(c, "meter.read", &db))
		return c->err.code;
	return pm_anomaly_each(db, p, pm_cli_out_each, c, &c->err);
}

static const struct pm_cmd cmds[] = {
	{"add", cmd_add, "CODE", N_("register a meter, or change one"), add_opts, NULL},
	{"import", cmd_import, "[FILE...]", N_("register meters from JSON lines or CSV"), pm_import_opts, NULL},
	{"list", cmd_list, NULL, N_("list meters"), list_opts, NULL},
	{"show", cmd_show, "CODE", N_("show a meter"), NULL, NULL},
	{"retire", cmd_retire, "CODE", N_("take a meter out of service with its final reading"), retire_opts, NULL},
	{"replace", cmd_replace, "OLD", N_("replace a meter by a new one, with no gap in usage"), replace_opts, NULL},
	{"ingest", cmd_ingest, "[FILE...]", N_("store readings from JSON lines"), ingest_opts, NULL},
	{"readings", cmd_readings, "METER", N_("a meter's readings, with what the store knows of each"), readings_opts, NULL},
	{"void", cmd_void, "METER", N_("remove a wrong reading, audited"), void_opts, NULL},
	{"decode", cmd_decode, "[FILE...]", N_("turn DL/T 645 or CJ/T 188 frames into readings"), decode_opts, NULL},
	{"usage", cmd_usage, NULL, N_("usage of each meter in a billing period"), usage_opts, NULL},
	{"anomalies", cmd_anomalies, NULL, N_("spikes, zero usage, missing, stuck, leaks in a period"), anomalies_opts, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct pm_prog prog = {
	"pm-meter", N_("pm-meter: meters, readings, device frames, usage per period, anomalies"), cmds, NULL, NULL,
};

int main(int argc, char **argv)
{
	return pm_cli_main(&prog, argc, argv);
}
