/* pm-gate: access credentials, visitors and their signed passes, gate
 * events and alarms, door and barrier control, vehicles, parking and
 * reservations. */
#include <stdlib.h>
#include <string.h>

#include "pm/cli.h"
#include "pm/file.h"
#include "pm/gate.h"
#include "pm/gatedrv.h"
#include "pm/i18n.h"
#include "pm/import.h"
#include "pm/money.h"
#include "pm/parking.h"
#include "pm/printq.h"
#include "pm/qr.h"
#include "pm/timeutil.h"
#include "pm/visitor.h"

enum { O_PERSON = 0x100, O_UNIT, O_CARD, O_PIN, O_FACE, O_GATES, O_FROM, O_UNTIL, O_REASON,
       O_ALL, O_GATE, O_AT, O_ROTATE, O_NAME, O_PHONE, O_PLATE, O_PURPOSE, O_USES, O_STATUS,
       O_QR, O_QR_SVG, O_ALARMS, O_SINCE, O_KIND, O_SPACE, O_AMOUNT, O_REF,
       O_OPEN, O_RESOURCE, O_DATE, O_BATCH, O_POINTS, O_SESSION };

static const struct pm_opt no_opts[] = {{NULL, 0, NULL, NULL}};

static int no_operands(struct pm_ctx *c, int argc, char **argv)
{
	if (c->optind < argc)
		return pm_cli_usage(c, _("unexpected argument '%s'"), argv[c->optind]);
	return PM_OK;
}

/* A time option, read once the store is open (a date is the zone's). */
static int when(struct pm_ctx *c, const char *opt, const char *s, int64_t *t)
{
	return s ? pm_cli_arg_when(c, opt, s, t) : PM_OK;
}

/* ---- credentials ---- */

static const struct pm_opt grant_opts[] = {
	{"person", O_PERSON, "CODE", N_("the holder, by person code")},
	{"unit", O_UNIT, "CODE", N_("the unit; with --person the credential ends with that residence")},
	{"card", O_CARD, "NUMBER", N_("a card's number")},
	{"pin", O_PIN, "DIGITS", N_("a PIN of 4 or more digits")},
	{"face-id", O_FACE, "ID", N_("a face enrolled in the camera system")},
	{"gates", O_GATES, "LIST", N_("the gates it opens, like north,garage (default: every gate)")},
	{"from", O_FROM, "TIME", N_("valid from TIME, RFC 3339 or YYYY-MM-DD (default now)")},
	{"until", O_UNTIL, "TIME", N_("valid until TIME (default: until revoked)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_grant(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_credential_new cr = {0};
	const char *from = NULL, *until = NULL, *arg;
	int64_t id;
	int k, kinds = 0, existed;
	json_t *rec;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_PERSON: cr.person = arg; break;
		case O_UNIT: cr.unit = arg; break;
		case O_CARD: cr.kind = "card"; cr.value = arg; kinds++; break;
		case O_PIN: cr.kind = "pin"; cr.value = arg; kinds++; break;
		case O_FACE: cr.kind = "face"; cr.value = arg; kinds++; break;
		case O_GATES: cr.gates = arg; break;
		case O_FROM: from = arg; break;
		case O_UNTIL: until = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (no_operands(c, argc, argv))
		return PM_EUSAGE;
	if (kinds != 1)
		return pm_cli_usage(c, _("give one of --card, --pin or --face-id"));
	if (!cr.person && !cr.unit)
		return pm_cli_usage(c, _("give --person, --unit or both"));
	if (pm_cli_db(c, NULL, &c->db) || when(c, "--from", from, &cr.from) || when(c, "--until", until, &cr.until))
		return c->stop ? c->stop : c->err.code;
	if (pm_credential_grant(c->db, &c->actor, &cr, &id, &existed, &c->err))
		return c->err.code == PM_EUSAGE ? pm_cli_usage(c, "%s", c->err.msg) : c->err.code;
	if (existed)
		pm_cli_note(c, _("credential %lld holds this already: nothing changed"), (long long)id);
	else
		pm_cli_note(c, _("granted credential %lld"), (long long)id);
	if (pm_credential_get(c->db, &c->actor, id, &rec, &c->err))
		return c->err.code;
	return pm_cli_out_new(c, rec);
}

static const struct pm_opt reason_opts[] = {
	{"reason", O_REASON, "TEXT", N_("why")},
	{NULL, 0, NULL, NULL},
};

/* ID [--reason TEXT]: the operand, the reason and the store; -1 when
 * the caller should return c->stop (help, a bad option or operand). */
static int id_reason(struct pm_ctx *c, int argc, char **argv, const char *what, int64_t *id,
		     const char **reason)
{
	const char *arg;
	int k;

	*reason = NULL;
	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if (k == O_REASON)
			*reason = arg;
	if (k < 0 || pm_cli_arg_id(c, argc, argv, what, id))
		return -1;
	return pm_cli_db(c, NULL, &c->db) ? c->err.code : PM_OK;
}

static int cmd_revoke(struct pm_ctx *c, int argc, char **argv)
{
	const char *reason;
	int64_t id;
	json_t *rec;
	int rc;

	if ((rc = id_reason(c, argc, argv, _("credential id"), &id, &reason)))
		return rc < 0 ? c->stop : rc;
	if (pm_credential_revoke(c->db, &c->actor, id, reason, &c->err) ||
	    pm_credential_get(c->db, &c->actor, id, &rec, &c->err))
		return c->err.code;
	pm_cli_note(c, _("revoked credential %lld"), (long long)id);
	return pm_cli_out_new(c, rec);
}

static const struct pm_opt list_opts[] = {
	{"unit", O_UNIT, "CODE", N_("only credentials of unit CODE")},
	{"person", O_PERSON, "CODE", N_("only credentials of person CODE")},
	{"all", O_ALL, NULL, N_("revoked and expired ones too")},
	{NULL, 0, NULL, NULL},
};

static int cmd_list(struct pm_ctx *c, int argc, char **argv)
{
	const char *unit = NULL, *person = NULL, *arg;
	int k, all = 0;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_UNIT: unit = arg; break;
		case O_PERSON: person = arg; break;
		case O_ALL: all = 1; break;
		}
	if (k < 0)
		return c->stop;
	if (no_operands(c, argc, argv))
		return PM_EUSAGE;
	if (pm_cli_db(c, NULL, &c->db))
		return c->err.code;
	return pm_credential_each(c->db, &c->actor, unit, person, all, pm_cli_out_each, c, &c->err);
}

static int cmd_show(struct pm_ctx *c, int argc, char **argv)
{
	int64_t id;
	json_t *rec;

	if (pm_cli_noopts(c, argc, argv))
		return c->stop;
	if (pm_cli_arg_id(c, argc, argv, _("credential id"), &id))
		return PM_EUSAGE;
	if (pm_cli_db(c, NULL, &c->db) || pm_credential_get(c->db, &c->actor, id, &rec, &c->err))
		return c->err.code;
	return pm_cli_out_new(c, rec);
}

static int cmd_sweep(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_sweep n;

	if (pm_cli_noopts(c, argc, argv))
		return c->stop;
	if (no_operands(c, argc, argv))
		return PM_EUSAGE;
	if (pm_cli_db(c, NULL, &c->db) || pm_gate_sweep(c->db, &c->actor, &n, &c->err))
		return c->err.code;
	pm_cli_note(c, _("expired %ld credentials and %ld visitor requests"), n.credentials, n.visitors);
	return PM_OK;
}

static const struct pm_opt export_opts[] = {
	{"gate", O_GATE, "NAME", N_("the gate (required)")},
	{"at", O_AT, "TIME", N_("the list as at TIME, RFC 3339 or YYYY-MM-DD (default now)")},
	{NULL, 0, NULL, NULL},
};

/* --gate NAME [--at TIME] and the store; -1 when the caller should
 * return c->stop. */
static int gate_at(struct pm_ctx *c, int argc, char **argv, const char **gate, int64_t *at)
{
	const char *t = NULL, *arg;
	int k;

	*gate = NULL;
	*at = pm_now();
	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_GATE: *gate = arg; break;
		case O_AT: t = arg; break;
		}
	if (k < 0 || no_operands(c, argc, argv))
		return -1;
	if (!*gate)
		return pm_cli_usage(c, _("--gate is required")), -1;
	if (pm_cli_db(c, NULL, &c->db))
		return c->err.code;
	return when(c, "--at", t, at) ? (c->stop ? -1 : c->err.code) : PM_OK;
}

static int cmd_export(struct pm_ctx *c, int argc, char **argv)
{
	const char *gate;
	int64_t at;
	int rc;

	if ((rc = gate_at(c, argc, argv, &gate, &at)))
		return rc < 0 ? c->stop : rc;
	return pm_gate_allow_each(c->db, &c->actor, gate, at, pm_cli_out_each, c, &c->err);
}

static int cmd_sync(struct pm_ctx *c, int argc, char **argv)
{
	const char *gate;
	long n[3];
	int64_t at;
	int rc;

	if ((rc = gate_at(c, argc, argv, &gate, &at)))
		return rc < 0 ? c->stop : rc;
	rc = pm_gate_sync(c->db, &c->actor, gate, at, pm_cli_out_each, c, n, &c->err);
	if (rc == PM_OK || rc == PM_EUNAVAIL)
		pm_cli_note(c, _("gate '%s': added %ld, updated %ld, removed %ld"), gate, n[0], n[1], n[2]);
	return rc;
}

/* ---- keys ---- */

static const struct pm_opt keygen_opts[] = {
	{"rotate", O_ROTATE, NULL, N_("make a new key even though there is one")},
	{NULL, 0, NULL, NULL},
};

static int cmd_keygen(struct pm_ctx *c, int argc, char **argv)
{
	int rotate = 0;

	if (pm_cli_flag(c, argc, argv, O_ROTATE, &rotate))
		return c->stop;
	if (no_operands(c, argc, argv))
		return PM_EUSAGE;
	if (pm_cli_db(c, NULL, &c->db) || pm_pass_keygen_store(c->db, &c->actor, rotate, &c->err))
		return c->err.code;
	pm_cli_note(c, _("made the pass-signing key: %s.pass.key"), pm_db_path(c->db));
	return pm_pass_key_each(c->db, pm_cli_out_each, c, &c->err);
}

static int cmd_pubkey(struct pm_ctx *c, int argc, char **argv)
{
	if (pm_cli_noopts(c, argc, argv))
		return c->stop;
	if (no_operands(c, argc, argv))
		return PM_EUSAGE;
	if (pm_cli_db(c, "gate.read", &c->db))
		return c->err.code;
	return pm_pass_key_each(c->db, pm_cli_out_each, c, &c->err);
}

/* ---- visitors ---- */

static int show_visitor(struct pm_ctx *c, int64_t id, int history)
{
	json_t *rec;

	if (pm_visitor_get(c->db, &c->actor, id, history, &rec, &c->err))
		return c->err.code;
	return pm_cli_out_new(c, rec);
}

static const struct pm_opt request_opts[] = {
	{"unit", O_UNIT, "CODE", N_("the unit visited (required; owners: their own)")},
	{"name", O_NAME, "NAME", N_("the visitor's name (required)")},
	{"phone", O_PHONE, "PHONE", N_("the visitor's phone")},
	{"plate", O_PLATE, "PLATE", N_("the visitor's car")},
	{"purpose", O_PURPOSE, "TEXT", N_("why they come")},
	{"from", O_FROM, "TIME", N_("the visit's start, RFC 3339 or YYYY-MM-DD (required)")},
	{"until", O_UNTIL, "TIME", N_("the visit's end (required)")},
	{"gates", O_GATES, "LIST", N_("the gates the pass opens (default: the configuration's)")},
	{"uses", O_USES, "N", N_("how many times the pass opens a gate; 0 any (default: the configuration's)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_request(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_visitor_new v = {.uses = -1};
	const char *from = NULL, *until = NULL, *arg;
	char *end;
	int64_t id;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_UNIT: v.unit = arg; break;
		case O_NAME: v.name = arg; break;
		case O_PHONE: v.phone = arg; break;
		case O_PLATE: v.plate = arg; break;
		case O_PURPOSE: v.purpose = arg; break;
		case O_FROM: from = arg; break;
		case O_UNTIL: until = arg; break;
		case O_GATES: v.gates = arg; break;
		case O_USES:
			v.uses = strtoll(arg, &end, 10);
			if (*end || end == arg || v.uses < 0)
				return pm_cli_usage(c, _("--uses takes a number of 0 or more"));
			break;
		}
	if (k < 0)
		return c->stop;
	if (no_operands(c, argc, argv))
		return PM_EUSAGE;
	if (!v.unit || !v.name || !from || !until)
		return pm_cli_usage(c, _("--unit, --name, --from and --until are required"));
	if (pm_cli_db(c, NULL, &c->db) || when(c, "--from", from, &v.from) || when(c, "--until", until, &v.until))
		return c->stop ? c->stop : c->err.code;
	if (pm_visitor_request(c->db, &c->actor, &v, &id, &c->err))
		return c->err.code == PM_EUSAGE ? pm_cli_usage(c, "%s", c->err.msg) : c->err.code;
	pm_cli_note(c, _("visitor request %lld is waiting for approval"), (long long)id);
	return show_visitor(c, id, 0);
}

static int cmd_approve(struct pm_ctx *c, int argc, char **argv)
{
	int64_t id;

	if (pm_cli_noopts(c, argc, argv))
		return c->stop;
	if (pm_cli_arg_id(c, argc, argv, _("request id"), &id))
		return PM_EUSAGE;
	if (pm_cli_db(c, NULL, &c->db) || pm_visitor_approve(c->db, &c->actor, id, &c->err))
		return c->err.code;
	pm_cli_note(c, _("approved visitor request %lld: its pass is issued"), (long long)id);
	return show_visitor(c, id, 0);
}

static int cmd_deny(struct pm_ctx *c, int argc, char **argv)
{
	const char *reason;
	int64_t id;
	int rc;

	if ((rc = id_reason(c, argc, argv, _("request id"), &id, &reason)))
		return rc < 0 ? c->stop : rc;
	if (pm_visitor_deny(c->db, &c->actor, id, reason, &c->err))
		return c->err.code;
	pm_cli_note(c, _("denied visitor request %lld"), (long long)id);
	return show_visitor(c, id, 0);
}

static int cmd_expire(struct pm_ctx *c, int argc, char **argv)
{
	long n;

	if (pm_cli_noopts(c, argc, argv))
		return c->stop;
	if (no_operands(c, argc, argv))
		return PM_EUSAGE;
	if (pm_cli_db(c, NULL, &c->db) || pm_visitor_expire(c->db, &c->actor, &n, &c->err))
		return c->err.code;
	pm_cli_note(c, _("expired %ld visitor requests"), n);
	return PM_OK;
}

static const struct pm_opt vlist_opts[] = {
	{"unit", O_UNIT, "CODE", N_("only requests for unit CODE")},
	{"status", O_STATUS, "S", N_("pending, approved, denied, expired or revoked")},
	{NULL, 0, NULL, NULL},
};

static int cmd_vlist(struct pm_ctx *c, int argc, char **argv)
{
	const char *unit = NULL, *status = NULL, *arg;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_UNIT: unit = arg; break;
		case O_STATUS: status = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (no_operands(c, argc, argv))
		return PM_EUSAGE;
	if (status && strcmp(status, "pending") && strcmp(status, "approved") && strcmp(status, "denied") &&
	    strcmp(status, "expired") && strcmp(status, "revoked"))
		return pm_cli_usage(c, _("unknown status '%s': expected pending, approved, denied, expired or revoked"),
				    status);
	if (pm_cli_db(c, NULL, &c->db))
		return c->err.code;
	return pm_visitor_each(c->db, &c->actor, unit, status, pm_cli_out_each, c, &c->err);
}

static int cmd_vshow(struct pm_ctx *c, int argc, char **argv)
{
	int64_t id;

	if (pm_cli_noopts(c, argc, argv))
		return c->stop;
	if (pm_cli_arg_id(c, argc, argv, _("request id"), &id))
		return PM_EUSAGE;
	if (pm_cli_db(c, NULL, &c->db))
		return c->err.code;
	return show_visitor(c, id, 1);
}

/* ---- passes ---- */

static const struct pm_opt pass_show_opts[] = {
	{"qr", O_QR, NULL, N_("draw the pass as a QR code in the terminal")},
	{"qr-svg", O_QR_SVG, "FILE", N_("write the pass's QR code to FILE as SVG")},
	{NULL, 0, NULL, NULL},
};

static int qr_out(struct pm_ctx *c, const char *token, int text, const char *svg)
{
	struct pm_file_mode m;
	char *out;

	if (text) {
		if (pm_qr_text(token, &out, &c->err))
			return c->err.code;
		fputs(out, stdout);
		free(out);
	}
	if (!svg)
		return PM_OK;
	m = pm_db_file_mode(c->db);
	if (pm_qr_svg_file(token, 8, svg, &m, &c->err))
		return c->err.code;
	pm_cli_note(c, _("wrote %s"), svg);
	return PM_OK;
}

static int cmd_pass_show(struct pm_ctx *c, int argc, char **argv)
{
	const char *svg = NULL, *arg, *token;
	int64_t id;
	json_t *rec;
	int k, qr = 0, rc;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_QR: qr = 1; break;
		case O_QR_SVG: svg = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (pm_cli_arg_id(c, argc, argv, _("pass id"), &id))
		return PM_EUSAGE;
	if (pm_cli_db(c, NULL, &c->db) || pm_visitor_get(c->db, &c->actor, id, 0, &rec, &c->err))
		return c->err.code;
	if (!(token = json_string_value(json_object_get(rec, "token")))) {
		json_decref(rec);
		return pm_err_set(&c->err, PM_EDATA, _("visitor request %lld has no pass: it is not approved"),
				  (long long)id);
	}
	if (qr || svg)
		rc = qr_out(c, token, qr, svg);
	else
		rc = pm_cli_out(c, rec);
	json_decref(rec);
	return rc;
}

static int cmd_pass_revoke(struct pm_ctx *c, int argc, char **argv)
{
	const char *reason;
	int64_t id;
	json_t *rec;
	int rc, unchanged;

	if ((rc = id_reason(c, argc, argv, _("pass id"), &id, &reason)))
		return rc < 0 ? c->stop : rc;
	if (pm_pass_revoke(c->db, &c->actor, id, reason, &unchanged, &c->err) ||
	    pm_visitor_get(c->db, &c->actor, id, 0, &rec, &c->err))
		return c->err.code;
	if (unchanged)
		pm_cli_note(c, _("pass %lld was revoked already: nothing changed"), (long long)id);
	else
		pm_cli_note(c, _("revoked pass %lld"), (long long)id);
	json_object_set_new(rec, "outcome", json_string(unchanged ? "unchanged" : "revoked"));
	return pm_cli_out_new(c, rec);
}

static const struct pm_opt verify_opts[] = {
	{"gate", O_GATE, "NAME", N_("the gate the pass is shown at (required)")},
	{"at", O_AT, "TIME", N_("only check as at TIME, RFC 3339: nothing is recorded or counted")},
	{NULL, 0, NULL, NULL},
};

/* Exit 0 for allow, 1 for deny: a gate's script needs no JSON parser. */
static int cmd_verify(struct pm_ctx *c, int argc, char **argv)
{
	const char *gate = NULL, *at = NULL, *arg;
	struct pm_verify v;
	int64_t t = 0;
	int k, rc;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_GATE: gate = arg; break;
		case O_AT: at = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (argc - c->optind != 1)
		return pm_cli_usage(c, _("expected one TOKEN"));
	if (!gate)
		return pm_cli_usage(c, _("--gate is required"));
	if (at && pm_cli_arg_time(c, "--at", at, &t))
		return PM_EUSAGE;
	if (pm_cli_db(c, NULL, &c->db) ||
	    pm_pass_verify(c->db, &c->actor, argv[c->optind], gate, t, &v, &c->err))
		return c->err.code;
	if (at)
		pm_cli_note(c, _("checked as at %s only: nothing recorded"), at);
	if ((rc = pm_cli_out_new(c, pm_verify_json(&v, gate, pm_db_tz(c->db)))))
		return rc;
	return v.verdict == PM_PASS_ALLOW ? PM_OK : PM_EFAIL;
}

/* ---- events ---- */

struct ingest {
	struct pm_ctx *c;
	struct pm_events *ev;
	int print;
};

/* With --alarms, an alarm is kept with its event and printed once the
 * batch commits (alarms_out), so pm-notify never pages a guard about an
 * event the store does not have, and a kill between the commit and the
 * print loses none: the next run prints it. */
static int ingest_record(void *ctx, json_t *rec, int *outcome, struct pm_err *e)
{
	struct ingest *in = ctx;
	enum pm_event_outcome did;
	json_t *alarm = NULL;
	int rc = pm_events_record(in->ev, rec, &did, in->print ? NULL : &alarm, e);

	json_decref(alarm);
	if (rc)
		return rc;
	*outcome = (int)did;
	return PM_OK;
}

static int alarms_out(void *ctx)
{
	struct ingest *in = ctx;
	long n;

	return pm_cli_printq(in->c, PM_PRINTQ_ALARM, &n);
}

static const struct pm_opt ingest_opts[] = {
	{"alarms", O_ALARMS, NULL, N_("print each new alarm as an alarm record, once it is stored")},
	{"batch", O_BATCH, "N", N_("events per transaction from a file (default 100000)")},
	PM_IMPORT_OPTS,
	{NULL, 0, NULL, NULL},
};

static int cmd_ingest(struct pm_ctx *c, int argc, char **argv)
{
	struct ingest in = {.c = c};
	struct pm_import im = {.action = "gate.ingest", .mode = PM_JSONL_ONLY,
			       .fields = pm_event_fields, .outcomes = pm_event_outcome_names,
			       .record = ingest_record, .ctx = &in};
	const char *arg;
	int64_t batch = 100000;
	int k, rc;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0) {
		if (pm_import_opt(&im, k, arg))
			continue;
		switch (k) {
		case O_ALARMS: in.print = 1; break;
		case O_BATCH:
			if (pm_cli_arg_count(c, "--batch", arg, &batch))
				return PM_EUSAGE;
			break;
		}
	}
	if (k < 0)
		return c->stop;
	/* Events come in time order and their key starts with the time, so a
	 * batch touches few pages however large it is. */
	im.batch = (long)batch;
	if (in.print)
		im.committed = alarms_out;
	/* Alarms a killed run kept but did not print go out first. */
	if (pm_cli_db(c, NULL, &c->db) || pm_db_bulk(c->db, &c->err) ||
	    pm_events_open(c->db, &c->actor, &in.ev, &c->err))
		return c->err.code;
	rc = in.print && alarms_out(&in) ? c->err.code : pm_import_run(c, &im, argc - c->optind, argv + c->optind);
	pm_events_close(in.ev);
	return rc;
}

static const struct pm_opt events_list_opts[] = {
	{"gate", O_GATE, "NAME", N_("only events of gate NAME")},
	{"since", O_SINCE, "TIME", N_("only events at or after TIME, RFC 3339 or YYYY-MM-DD")},
	{"kind", O_KIND, "EVENT", N_("only events of this kind: entry, exit, card, denied, door_forced, ...")},
	{NULL, 0, NULL, NULL},
};

static int cmd_events_list(struct pm_ctx *c, int argc, char **argv)
{
	const char *gate = NULL, *since = NULL, *kind = NULL, *arg;
	int64_t t = 0;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_GATE: gate = arg; break;
		case O_SINCE: since = arg; break;
		case O_KIND: kind = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (no_operands(c, argc, argv))
		return PM_EUSAGE;
	if (pm_cli_db(c, NULL, &c->db) || when(c, "--since", since, &t))
		return c->stop ? c->stop : c->err.code;
	if (pm_events_each(c->db, &c->actor, gate, t, kind, pm_cli_out_each, c, &c->err))
		return c->err.code == PM_EUSAGE ? pm_cli_usage(c, "%s", c->err.msg) : c->err.code;
	return PM_OK;
}

/* ---- opening ---- */

static int cmd_open(struct pm_ctx *c, int argc, char **argv)
{
	const char *reason = NULL;
	json_t *rec;

	if (pm_cli_opt_value(c, argc, argv, O_REASON, &reason))
		return c->stop;
	if (argc - c->optind != 1)
		return pm_cli_usage(c, _("expected one GATE"));
	if (pm_cli_db(c, NULL, &c->db) ||
	    pm_gate_open(c->db, &c->actor, argv[c->optind], reason, &rec, &c->err))
		return c->err.code;
	pm_cli_note(c, _("opened gate '%s'"), argv[c->optind]);
	return pm_cli_out_new(c, rec);
}

/* ---- vehicles ---- */

static const struct pm_opt vehicle_add_opts[] = {
	{"plate", O_PLATE, "PLATE", N_("the licence plate (required)")},
	{"unit", O_UNIT, "CODE", N_("the unit it belongs to (required)")},
	{"kind", O_KIND, "KIND", N_("owned (a space of the unit's) or monthly (a monthly pass); default owned")},
	{"space", O_SPACE, "SPACE", N_("the parking space")},
	{"until", O_UNTIL, "DATE", N_("a monthly pass's last day, YYYY-MM-DD")},
	{NULL, 0, NULL, NULL},
};

static int cmd_vehicle_add(struct pm_ctx *c, int argc, char **argv)
{
	const char *plate = NULL, *unit = NULL, *kind = "owned", *space = NULL, *until = NULL, *arg;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_PLATE: plate = arg; break;
		case O_UNIT: unit = arg; break;
		case O_KIND: kind = arg; break;
		case O_SPACE: space = arg; break;
		case O_UNTIL: until = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (no_operands(c, argc, argv))
		return PM_EUSAGE;
	if (!plate || !unit)
		return pm_cli_usage(c, _("--plate and --unit are required"));
	if (pm_cli_db(c, NULL, &c->db) ||
	    pm_vehicle_add(c->db, &c->actor, plate, unit, kind, space, until, &c->err))
		return c->err.code == PM_EUSAGE ? pm_cli_usage(c, "%s", c->err.msg) : c->err.code;
	pm_cli_note(c, _("vehicle %s registered to unit %s"), plate, unit);
	return PM_OK;
}

static const struct pm_opt vehicle_list_opts[] = {
	{"unit", O_UNIT, "CODE", N_("only vehicles of unit CODE")},
	{"all", O_ALL, NULL, N_("removed ones too")},
	{NULL, 0, NULL, NULL},
};

static int cmd_vehicle_list(struct pm_ctx *c, int argc, char **argv)
{
	const char *unit = NULL, *arg;
	int k, all = 0;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if (k == O_UNIT)
			unit = arg;
		else if (k == O_ALL)
			all = 1;
	if (k < 0)
		return c->stop;
	if (no_operands(c, argc, argv))
		return PM_EUSAGE;
	if (pm_cli_db(c, NULL, &c->db))
		return c->err.code;
	return pm_vehicle_each(c->db, &c->actor, unit, all, pm_cli_out_each, c, &c->err);
}

static const struct pm_opt plate_opts[] = {
	{"plate", O_PLATE, "PLATE", N_("the licence plate (required)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_vehicle_remove(struct pm_ctx *c, int argc, char **argv)
{
	const char *plate = NULL, *arg;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if (k == O_PLATE)
			plate = arg;
	if (k < 0)
		return c->stop;
	if (no_operands(c, argc, argv))
		return PM_EUSAGE;
	if (!plate)
		return pm_cli_usage(c, _("--plate is required"));
	if (pm_cli_db(c, NULL, &c->db) || pm_vehicle_remove(c->db, &c->actor, plate, &c->err))
		return c->err.code;
	pm_cli_note(c, _("vehicle %s removed"), plate);
	return PM_OK;
}

/* ---- parking ---- */

static const struct pm_opt fee_opts[] = {
	{"plate", O_PLATE, "PLATE", N_("the licence plate (required)")},
	{"at", O_AT, "TIME", N_("leaving at TIME, RFC 3339 (default now)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_fee(struct pm_ctx *c, int argc, char **argv)
{
	const char *plate = NULL, *at = NULL, *arg;
	int64_t t = pm_now();
	json_t *rec;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_PLATE: plate = arg; break;
		case O_AT: at = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (no_operands(c, argc, argv))
		return PM_EUSAGE;
	if (!plate)
		return pm_cli_usage(c, _("--plate is required"));
	if (pm_cli_db(c, NULL, &c->db) || when(c, "--at", at, &t))
		return c->stop ? c->stop : c->err.code;
	if (pm_parking_fee_due(c->db, &c->actor, plate, t, &rec, &c->err))
		return c->err.code;
	return pm_cli_out_new(c, rec);
}

static const struct pm_opt pay_opts[] = {
	{"plate", O_PLATE, "PLATE", N_("the licence plate (required)")},
	{"amount", O_AMOUNT, "YUAN", N_("the amount paid, like 15.00 (this or --points)")},
	{"points", O_POINTS, "N", N_("pay with a unit's points (积分) instead, rewards.parking.points_per_fen a fen")},
	{"unit", O_UNIT, "CODE", N_("with --points: whose points")},
	{"ref", O_REF, "REF", N_("the payment's own reference; the same ref twice is one payment (required)")},
	{"at", O_AT, "TIME", N_("paid at TIME, RFC 3339 (default now)")},
	{NULL, 0, NULL, NULL},
};

struct pay_args {
	const char *plate, *amount, *points, *unit, *ref, *at;
};

static int pay_args(struct pm_ctx *c, int argc, char **argv, struct pay_args *p)
{
	const char *arg;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_PLATE: p->plate = arg; break;
		case O_AMOUNT: p->amount = arg; break;
		case O_POINTS: p->points = arg; break;
		case O_UNIT: p->unit = arg; break;
		case O_REF: p->ref = arg; break;
		case O_AT: p->at = arg; break;
		}
	if (k < 0)
		return -1;
	if (no_operands(c, argc, argv))
		return PM_EUSAGE;
	if (!p->plate || !p->ref || !p->amount == !p->points)
		return pm_cli_usage(c, _("--plate, --ref and one of --amount and --points are required"));
	if (!p->points != !p->unit)
		return pm_cli_usage(c, _("--points and --unit go together"));
	return PM_OK;
}

static int cmd_pay(struct pm_ctx *c, int argc, char **argv)
{
	struct pay_args p = {0};
	int64_t fen = 0, points = 0, t = pm_now();
	json_t *rec;
	int rc, dup;

	if ((rc = pay_args(c, argc, argv, &p)))
		return rc < 0 ? c->stop : rc;
	if ((p.amount && pm_cli_arg_money(c, "--amount", p.amount, &fen)) ||
	    (p.points && pm_cli_arg_count(c, "--points", p.points, &points)))
		return PM_EUSAGE;
	if (pm_cli_db(c, NULL, &c->db) || when(c, "--at", p.at, &t))
		return c->stop ? c->stop : c->err.code;
	rc = p.points ? pm_parking_pay_points(c->db, &c->actor, p.plate, p.unit, points, p.ref, t, &rec, &dup, &c->err)
		      : pm_parking_pay(c->db, &c->actor, p.plate, fen, p.ref, t, &rec, &dup, &c->err);
	if (rc)
		return c->err.code == PM_EUSAGE ? pm_cli_usage(c, "%s", c->err.msg) : c->err.code;
	if (dup)
		pm_cli_note(c, _("payment '%s' is recorded already: nothing changed"), p.ref);
	return pm_cli_out_new(c, rec);
}

static const struct pm_opt refund_opts[] = {
	{"plate", O_PLATE, "PLATE", N_("the plate's last stay with a refund due (this or --session)")},
	{"session", O_SESSION, "ID", N_("the stay, by its id in parking list")},
	{"amount", O_AMOUNT, "YUAN", N_("the amount paid back, like 10.00 (default: all that is due)")},
	{"ref", O_REF, "REF", N_("the payout's own reference; the same ref twice is one refund (required)")},
	{"at", O_AT, "TIME", N_("paid back at TIME, RFC 3339 (default now)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_refund(struct pm_ctx *c, int argc, char **argv)
{
	const char *plate = NULL, *session = NULL, *amount = NULL, *ref = NULL, *at = NULL, *arg;
	int64_t id = 0, fen = 0, t = pm_now();
	json_t *rec;
	int k, dup;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_PLATE: plate = arg; break;
		case O_SESSION: session = arg; break;
		case O_AMOUNT: amount = arg; break;
		case O_REF: ref = arg; break;
		case O_AT: at = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (no_operands(c, argc, argv))
		return PM_EUSAGE;
	if (!plate == !session || !ref)
		return pm_cli_usage(c, _("--ref and one of --plate and --session are required"));
	if ((session && pm_cli_arg_count(c, "--session", session, &id)) ||
	    (amount && pm_cli_arg_money(c, "--amount", amount, &fen)))
		return PM_EUSAGE;
	if (amount && fen <= 0)
		return pm_cli_usage(c, _("a refund must be more than 0"));
	if (pm_cli_db(c, NULL, &c->db) || when(c, "--at", at, &t))
		return c->stop ? c->stop : c->err.code;
	if (pm_parking_refund(c->db, &c->actor, plate, id, fen, ref, t, &rec, &dup, &c->err))
		return c->err.code == PM_EUSAGE ? pm_cli_usage(c, "%s", c->err.msg) : c->err.code;
	if (dup)
		pm_cli_note(c, _("refund '%s' is recorded already: nothing changed"), ref);
	return pm_cli_out_new(c, rec);
}

static const struct pm_opt parking_list_opts[] = {
	{"open", O_OPEN, NULL, N_("only cars still inside")},
	{"unit", O_UNIT, "CODE", N_("only the cars registered to unit CODE")},
	{NULL, 0, NULL, NULL},
};

static int cmd_parking_list(struct pm_ctx *c, int argc, char **argv)
{
	const char *arg, *unit = NULL;
	int k, open = 0;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if (k == O_OPEN)
			open = 1;
		else if (k == O_UNIT)
			unit = arg;
	if (k < 0)
		return c->stop;
	if (no_operands(c, argc, argv))
		return PM_EUSAGE;
	if (pm_cli_db(c, NULL, &c->db))
		return c->err.code;
	return pm_parking_each(c->db, &c->actor, unit, open, pm_cli_out_each, c, &c->err);
}

/* ---- reservations ---- */

static const struct pm_opt reserve_opts[] = {
	{"resource", O_RESOURCE, "NAME", N_("a space or charging pile of the configuration (required)")},
	{"unit", O_UNIT, "CODE", N_("the unit booking it (required; owners: their own)")},
	{"from", O_FROM, "TIME", N_("start, RFC 3339 (required)")},
	{"until", O_UNTIL, "TIME", N_("end, RFC 3339 (required)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_reserve(struct pm_ctx *c, int argc, char **argv)
{
	const char *res = NULL, *unit = NULL, *from = NULL, *until = NULL, *arg;
	int64_t t0 = 0, t1 = 0, id;
	int32_t day;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_RESOURCE: res = arg; break;
		case O_UNIT: unit = arg; break;
		case O_FROM: from = arg; break;
		case O_UNTIL: until = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (no_operands(c, argc, argv))
		return PM_EUSAGE;
	if (!res || !unit || !from || !until)
		return pm_cli_usage(c, _("--resource, --unit, --from and --until are required"));
	if (pm_cli_db(c, NULL, &c->db) || when(c, "--from", from, &t0) || when(c, "--until", until, &t1))
		return c->stop ? c->stop : c->err.code;
	if (pm_reserve(c->db, &c->actor, res, unit, t0, t1, &id, &c->err))
		return c->err.code;
	pm_cli_note(c, _("reservation %lld: %s for unit %s"), (long long)id, res, unit);
	day = pm_date_of(t0, pm_db_tz(c->db));
	return pm_reservation_each(c->db, &c->actor, res, day, pm_cli_out_each, c, &c->err);
}

static int cmd_unreserve(struct pm_ctx *c, int argc, char **argv)
{
	int64_t id;

	if (pm_cli_noopts(c, argc, argv))
		return c->stop;
	if (pm_cli_arg_id(c, argc, argv, _("reservation id"), &id))
		return PM_EUSAGE;
	if (pm_cli_db(c, NULL, &c->db) || pm_reserve_cancel(c->db, &c->actor, id, &c->err))
		return c->err.code;
	pm_cli_note(c, _("cancelled reservation %lld"), (long long)id);
	return PM_OK;
}

static const struct pm_opt reservations_opts[] = {
	{"resource", O_RESOURCE, "NAME", N_("only bookings of resource NAME")},
	{"date", O_DATE, "DATE", N_("the day, YYYY-MM-DD (default today)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_reservations(struct pm_ctx *c, int argc, char **argv)
{
	const char *res = NULL, *date = NULL, *arg;
	int32_t day;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_RESOURCE: res = arg; break;
		case O_DATE: date = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (no_operands(c, argc, argv))
		return PM_EUSAGE;
	if (date && pm_cli_arg_date(c, "--date", date, &day))
		return PM_EUSAGE;
	if (pm_cli_db(c, NULL, &c->db))
		return c->err.code;
	if (!date)
		day = pm_date_of(pm_now(), pm_db_tz(c->db));
	return pm_reservation_each(c->db, &c->actor, res, day, pm_cli_out_each, c, &c->err);
}

/* ---- the tables ---- */

static const struct pm_cmd visitor_cmds[] = {
	{"request", cmd_request, NULL, N_("ask for a visitor's pass for a unit"), request_opts, NULL},
	{"approve", cmd_approve, "ID", N_("approve a request and issue its signed pass"), no_opts, NULL},
	{"deny", cmd_deny, "ID", N_("deny a request"), reason_opts, NULL},
	{"expire", cmd_expire, NULL, N_("expire requests left pending past their time (cron)"), no_opts, NULL},
	{"list", cmd_vlist, NULL, N_("list visitor requests"), vlist_opts, NULL},
	{"show", cmd_vshow, "ID", N_("show a request, its pass and its uses"), no_opts, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct pm_cmd pass_cmds[] = {
	{"show", cmd_pass_show, "ID", N_("show a pass, or draw its QR code"), pass_show_opts, NULL},
	{"revoke", cmd_pass_revoke, "ID", N_("revoke a pass"), reason_opts, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct pm_cmd events_cmds[] = {
	{"ingest", cmd_ingest, "[FILE...]", N_("store events from controllers and cameras (JSON lines)"), ingest_opts, NULL},
	{"list", cmd_events_list, NULL, N_("list events"), events_list_opts, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct pm_cmd vehicle_cmds[] = {
	{"add", cmd_vehicle_add, NULL, N_("register a resident's vehicle"), vehicle_add_opts, NULL},
	{"list", cmd_vehicle_list, NULL, N_("list residents' vehicles"), vehicle_list_opts, NULL},
	{"remove", cmd_vehicle_remove, NULL, N_("remove a vehicle"), plate_opts, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct pm_cmd parking_cmds[] = {
	{"fee", cmd_fee, NULL, N_("what a car owes to leave"), fee_opts, NULL},
	{"pay", cmd_pay, NULL, N_("record a parking payment"), pay_opts, NULL},
	{"refund", cmd_refund, NULL, N_("record a refund due on a stay paid back"), refund_opts, NULL},
	{"list", cmd_parking_list, NULL, N_("list parking sessions"), parking_list_opts, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct pm_cmd cmds[] = {
	{"grant", cmd_grant, NULL, N_("grant a card, PIN or face credential"), grant_opts, NULL},
	{"revoke", cmd_revoke, "ID", N_("revoke a credential"), reason_opts, NULL},
	{"list", cmd_list, NULL, N_("list credentials"), list_opts, NULL},
	{"show", cmd_show, "ID", N_("show a credential"), no_opts, NULL},
	{"sweep", cmd_sweep, NULL, N_("expire credentials and requests whose time is over (cron)"), no_opts, NULL},
	{"export", cmd_export, NULL, N_("print a gate's allow list for its controller"), export_opts, NULL},
	{"sync", cmd_sync, NULL, N_("push a gate's allow list to its controller"), export_opts, NULL},
	{"visitor", NULL, NULL, N_("visitor requests: request, approve, deny, expire"), NULL, visitor_cmds},
	{"pass", NULL, NULL, N_("visitors' signed passes"), NULL, pass_cmds},
	{"verify", cmd_verify, "TOKEN", N_("allow or deny a pass at a gate (exit 0 or 1)"), verify_opts, NULL},
	{"keygen", cmd_keygen, NULL, N_("make the pass-signing key"), keygen_opts, NULL},
	{"pubkey", cmd_pubkey, NULL, N_("print the public keys that verify passes"), no_opts, NULL},
	{"events", NULL, NULL, N_("gate and device events and alarms"), NULL, events_cmds},
	{"open", cmd_open, "GATE", N_("open a door or barrier through its driver"), reason_opts, NULL},
	{"vehicle", NULL, NULL, N_("residents' vehicles"), NULL, vehicle_cmds},
	{"parking", NULL, NULL, N_("parking sessions, fees and payments"), NULL, parking_cmds},
	{"reserve", cmd_reserve, NULL, N_("book a parking space or charging pile"), reserve_opts, NULL},
	{"unreserve", cmd_unreserve, "ID", N_("cancel a booking"), no_opts, NULL},
	{"reservations", cmd_reservations, NULL, N_("list a day's bookings"), reservations_opts, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct pm_prog prog = {
	"pm-gate", N_("pm-gate: access, visitor passes, gate events, parking"), cmds, NULL, NULL,
};

int main(int argc, char **argv)
{
	return pm_cli_main(&prog, argc, argv);
}
