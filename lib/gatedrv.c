/* gatedrv: the drivers that open doors and push allow lists. Part of
 * libpm-http: the network goes through pm_http_do, commands through
 * fork and exec; what the store keeps goes through lib/gate.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "gate-internal.h"
#include "strbuf-internal.h"
#include "pm/audit.h"
#include "pm/db.h"
#include "pm/gatedrv.h"
#include "pm/http.h"
#include "pm/i18n.h"
#include "pm/secret.h"
#include "pm/spawn.h"
#include "pm/template.h"
#include "pm/timeutil.h"

#define ANSWER_MAX 200

/* ---- ISAPI answers ---- */

/* The text of <tag>...</tag> in xml, trimmed, or of "tag": in JSON. */
static int element(const char *body, const char *tag, char *out, size_t n)
{
	char open[48];
	const char *p, *end;

	snprintf(open, sizeof open, "<%s>", tag);
	if ((p = strstr(body, open))) {
		p += strlen(open);
		snprintf(open, sizeof open, "</%s>", tag);
		if (!(end = strstr(p, open)))
			return 0;
	} else {
		snprintf(open, sizeof open, "\"%s\"", tag);
		if (!(p = strstr(body, open)))
			return 0;
		p += strlen(open);
		p += strspn(p, " \t\r\n");
		if (*p++ != ':')
			return 0;
		p += strspn(p, " \t\r\n\"");
		end = p + strcspn(p, "\",}\r\n");
	}
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\n' || end[-1] == '\r' || end[-1] == '\t'))
		end--;
	snprintf(out, n, "%.*s", (int)(end - p), p);
	return 1;
}

int pm_isapi_status(const char *body, char *why, size_t n)
{
	char code[16], text[96] = "", sub[96] = "";

	if (!strstr(body, "ResponseStatus") && !strstr(body, "\"statusCode\""))
		return -1;
	if (!element(body, "statusCode", code, sizeof code) || strspn(code, "0123456789") != strlen(code) ||
	    !*code)
		return -1;
	element(body, "statusString", text, sizeof text);
	element(body, "subStatusCode", sub, sizeof sub);
	snprintf(why, n, "statusCode %s%s%s%s%s", code, *text ? " " : "", text, *sub ? ", " : "", sub);
	return strcmp(code, "1") == 0;
}

/* ---- a gate's request ---- */

struct drv {
	struct pm_db *db;
	const char *name, *driver, *tz;
	json_t *gate;
	char *password, *authorization; /* secrets, wiped when done */
	char answer[ANSWER_MAX + 64];
};

static const char *gstr(const struct drv *d, const char *key)
{
	return json_string_value(json_object_get(d->gate, key));
}

static int64_t gint(const struct drv *d, const char *key)
{
	return json_integer_value(json_object_get(d->gate, key));
}

static int secrets(struct drv *d, struct pm_err *e)
{
	char what[96];

	snprintf(what, sizeof what, _("gate '%s': password"), d->name);
	if (gstr(d, "password") && pm_secret_get(d->db, gstr(d, "password"), what, &d->password, e))
		return e->code;
	snprintf(what, sizeof what, _("gate '%s': authorization"), d->name);
	if (gstr(d, "authorization") &&
	    pm_secret_get(d->db, gstr(d, "authorization"), what, &d->authorization, e))
		return e->code;
	return PM_OK;
}

static void drv_done(struct drv *d)
{
	pm_secret_free(d->password);
	pm_secret_free(d->authorization);
	d->password = d->authorization = NULL;
}

/* What a device said, one line, cut short. */
static void keep_answer(struct drv *d, const char *s)
{
	size_t i, n = strlen(s);

	n = n > ANSWER_MAX ? ANSWER_MAX : n;
	for (i = 0; i < n; i++)
		d->answer[i] = s[i] == '\n' || s[i] == '\r' || s[i] == '\t' ? ' ' : s[i];
	d->answer[i] = '\0';
	if (strlen(s) > ANSWER_MAX)
		snprintf(d->answer + i, sizeof d->answer - i, "...");
}

/* The request as the gate's configuration says: timeout, retries, CA. */
static int send(struct drv *d, const char *method, const char *url, const char *const *headers,
		const char *body, enum pm_http_auth auth, struct pm_http_res *res, struct pm_err *e)
{
	struct pm_http_req rq = {
		.url = url, .method = method, .headers = headers, .body = body,
		.len = body ? strlen(body) : 0, .timeout_ms = gint(d, "timeout") * 1000,
		.user = gstr(d, "user"), .password = d->password, .auth = auth,
		.cafile = gstr(d, "cafile"),
	};
	int rc = pm_http_do(&rq, (int)gint(d, "retries"), res, e);

	if (rc)
		return rc;
	if (res->failed)
		return pm_err_set(e, PM_EUNAVAIL, _("gate '%s': no answer from %s: %s"), d->name, url,
				  res->error);
	if (res->status == 401 || res->status == 403)
		return pm_err_set(e, PM_EUNAVAIL, _("gate '%s': the device refused user '%s' (HTTP %ld): check the user and password"),
				  d->name, gstr(d, "user") ? gstr(d, "user") : "", res->status);
	return PM_OK;
}

/* An ISAPI request and its ResponseStatus. */
static int isapi(struct drv *d, const char *method, const char *path, const char *ctype,
		 const char *body, struct pm_err *e)
{
	const char *headers[] = {ctype, NULL};
	struct pm_http_res res;
	char url[1024], why[256];
	int rc, ok;

	snprintf(url, sizeof url, "%s%s", gstr(d, "url"), path);
	if ((rc = send(d, method, url, headers, body, PM_HTTP_AUTH_DIGEST, &res, e))) {
		pm_http_res_free(&res);
		return rc;
	}
	keep_answer(d, res.body);
	ok = pm_isapi_status(res.body, why, sizeof why);
	pm_http_res_free(&res);
	if (ok < 0)
		return pm_err_set(e, PM_EUNAVAIL, _("gate '%s': HTTP %ld, and no ResponseStatus in the answer: %s"),
				  d->name, res.status, d->answer);
	/* What the device said, without its XML around it. */
	keep_answer(d, why);
	if (!ok || res.status / 100 != 2)
		return pm_err_set(e, PM_EUNAVAIL, _("gate '%s': the device answered HTTP %ld: %s"), d->name,
				  res.status, why);
	return PM_OK;
}

/* The http driver's request: its body rendered from fields (escaped for
 * JSON when the body is JSON), its headers and authorization. */
static int http(struct drv *d, const char *url, json_t *fields, struct pm_err *e)
{
	const char *tmpl = gstr(d, "body"), *headers[20];
	json_t *hl = json_object_get(d->gate, "headers"), *v, *esc = json_object();
	struct pm_http_res res = {0};
	char *body = NULL, *auth = NULL, *ctype = NULL;
	const char *k;
	size_t i, n = 0;
	int rc = PM_OK, json = tmpl && (*tmpl == '{' || *tmpl == '[');

	json_object_foreach(fields, k, v)
		if (json)
			pm_tmpl_set_json(esc, k, json_string_value(v));
		else
			json_object_set(esc, k, v);
	if (tmpl && (rc = pm_tmpl_render("gate body", tmpl, esc, NULL, d->tz, 0, &body, e)))
		goto out;
	json_array_foreach(hl, i, v)
		if (n < 16)
			headers[n++] = json_string_value(v);
	if (json && (ctype = strdup("Content-Type: application/json")))
		headers[n++] = ctype;
	if (d->authorization && (auth = malloc(strlen(d->authorization) + 32))) {
		snprintf(auth, strlen(d->authorization) + 32, "Authorization: %s", d->authorization);
		headers[n++] = auth;
	}
	headers[n] = NULL;
	if ((rc = send(d, gstr(d, "method"), url, headers, body,
		       strcmp(gstr(d, "auth"), "digest") == 0 ? PM_HTTP_AUTH_DIGEST :
		       strcmp(gstr(d, "auth"), "basic") == 0 ? PM_HTTP_AUTH_BASIC : PM_HTTP_AUTH_NONE,
		       &res, e)))
		goto out;
	keep_answer(d, res.body);
	/* Many barrier APIs answer 200 to everything and say in the body
	 * whether the barrier moved: the gate's expect is what it says
	 * when it did. */
	if (res.status / 100 != 2)
		rc = pm_err_set(e, PM_EUNAVAIL, _("gate '%s': the device answered HTTP %ld: %s"), d->name,
				res.status, d->answer);
	else if (gstr(d, "expect") && !strstr(res.body, gstr(d, "expect")))
		rc = pm_err_set(e, PM_EUNAVAIL, _("gate '%s': the device answered HTTP %ld without '%s' (gates.%s.expect): %s"),
				d->name, res.status, gstr(d, "expect"), d->name, d->answer);
out:
	pm_http_res_free(&res);
	if (auth)
		pm_secret_free(auth);
	free(ctype);
	free(body);
	json_decref(esc);
	return rc;
}

/* ---- exec ---- */

static int run(struct drv *d, const char *reason, struct pm_err *e)
{
	json_t *cmd = json_object_get(d->gate, "command");
	size_t n = json_array_size(cmd), i;
	char out[ANSWER_MAX + 1], **argv = calloc(n + 3, sizeof *argv);
	int status = 0, late;

	if (!argv)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	for (i = 0; i < n; i++)
		argv[i] = (char *)json_string_value(json_array_get(cmd, i));
	argv[n] = (char *)d->name;
	argv[n + 1] = (char *)(reason ? reason : "");
	late = pm_spawn(NULL, argv, NULL, gint(d, "timeout") * 1000, out, sizeof out, &status);
	free(argv);
	if (late == -2)
		return pm_err_set(e, PM_EFAIL, _("cannot run the command: %s"), strerror(errno));
	keep_answer(d, out);
	if (late)
		return pm_err_set(e, PM_EUNAVAIL, _("gate '%s': the command did not finish in %lld s"),
				  d->name, (long long)gint(d, "timeout"));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return pm_err_set(e, PM_EUNAVAIL, _("gate '%s': the command failed (%s %d): %s"), d->name,
				  WIFEXITED(status) ? _("exit") : _("signal"),
				  WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), d->answer);
	return PM_OK;
}

/* ---- opening ---- */

static int drv_load(struct pm_db *db, const char *name, struct drv *d, struct pm_err *e)
{
	struct pm_gate_config *gc;
	int rc;

	memset(d, 0, sizeof *d);
	d->db = db;
	d->name = name;
	if (pm_gate_config_open(db, &gc, e))
		return e->code;
	if ((rc = pm_gate_find(gc, name, &d->gate, e)) == PM_OK) {
		json_incref(d->gate);
		d->driver = gstr(d, "driver");
		d->tz = pm_db_tz(db);
	}
	pm_gate_config_free(gc);
	if (rc == PM_OK && strcmp(d->driver, "none") == 0) {
		json_decref(d->gate);
		d->gate = NULL;
		return pm_err_set(e, PM_ECONFIG, _("gate '%s' has no driver in the configuration"), name);
	}
	return rc;
}

static void drv_free(struct drv *d)
{
	drv_done(d);
	json_decref(d->gate);
}

static int open_door(struct drv *d, const struct pm_actor *a, const char *reason, struct pm_err *e)
{
	static const char body[] = "<RemoteControlDoor><cmd>open</cmd></RemoteControlDoor>";
	char path[96], door[24];
	json_t *fields;
	int rc;

	if (secrets(d, e))
		return e->code;
	if (strcmp(d->driver, "isapi") == 0) {
		snprintf(path, sizeof path, "/ISAPI/AccessControl/RemoteControl/door/%lld",
			 (long long)gint(d, "door"));
		return isapi(d, "PUT", path, "Content-Type: application/xml", body, e);
	}
	if (strcmp(d->driver, "exec") == 0)
		return run(d, reason, e);
	snprintf(door, sizeof door, "%lld", (long long)gint(d, "door"));
	fields = json_pack("{s:s, s:s, s:s, s:s}", "gate", d->name, "door", door,
			   "reason", reason ? reason : "", "actor", a->login);
	rc = http(d, gstr(d, "url"), fields, e);
	json_decref(fields);
	return rc;
}

static int audit_open(struct drv *d, const char *reason, int ok, struct pm_err *e)
{
	char object[64];

	snprintf(object, sizeof object, "gate:%s", d->name);
	if (pm_db_begin(d->db, e))
		return e->code;
	if (gate_audit_object(d->db, "gate.open", object,
			      json_pack("{s:s?, s:s, s:s, s:s}", "reason", reason, "driver", d->driver,
					"result", ok ? "opened" : "failed", "answer", d->answer), e)) {
		pm_db_rollback(d->db);
		return e->code;
	}
	return pm_db_commit(d->db, e);
}

int pm_gate_open(struct pm_db *db, const struct pm_actor *a, const char *gate,
		 const char *reason, json_t **out, struct pm_err *e)
{
	struct pm_err why = {0};
	struct drv d;
	int rc, arc;

	*out = NULL;
	if (pm_auth_check(a, "gate.open", e) || drv_load(db, gate, &d, e))
		return e->code;
	rc = open_door(&d, a, reason, &why);
	drv_done(&d);
	/* Who tried to open what is kept whether the device obeyed or not. */
	arc = audit_open(&d, reason, rc == PM_OK, e);
	if (arc == PM_OK && rc) {
		*e = why;
		arc = rc;
	} else if (arc == PM_OK) {
		*out = json_pack("{s:s, s:s, s:s, s:s?, s:s}", "type", "gate_open", "gate", gate,
				 "driver", d.driver, "reason", reason, "answer", d.answer);
	}
	drv_free(&d);
	return arc;
}

/* ---- pushing allow lists ---- */

/* A time as the controller's clock reads it: local, without a zone. */
static const char *device_time(int64_t t, const char *tz, char buf[PM_TIME_BUF])
{
	pm_time_fmt(t, tz, buf);
	buf[19] = '\0';
	return buf;
}

/* An ISAPI request with a JSON body (consumed). */
static int isapi_json(struct drv *d, const char *path, json_t *body, struct pm_err *e)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	int rc;

	json_decref(body);
	if (!text)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	rc = isapi(d, "PUT", path, "Content-Type: application/json", text, e);
	/* A person's record may carry a PIN. */
	pm_secret_free(text);
	return rc;
}

/* Hikvision keeps a person per credential (employeeNo "C<id>") with its
 * validity, and the card under that person. */
static int isapi_sync(struct drv *d, const struct pm_sync_change *ch, struct pm_err *e)
{
	char emp[32], from[PM_TIME_BUF], until[PM_TIME_BUF];
	json_t *user;
	int rc;

	snprintf(emp, sizeof emp, "C%lld", (long long)ch->credential);
	if (ch->op == PM_SYNC_REMOVE)
		return isapi_json(d, "/ISAPI/AccessControl/UserInfo/Delete?format=json",
				  json_pack("{s:{s:[{s:s}]}}", "UserInfoDelCond", "EmployeeNoList",
					    "employeeNo", emp), e);
	user = json_pack("{s:{s:s, s:s, s:s, s:{s:b, s:s, s:s}, s:s}}", "UserInfo", "employeeNo", emp,
		"name", ch->person ? ch->person : ch->unit ? ch->unit : emp, "userType", "normal",
		"Valid", "enable", 1, "beginTime", device_time(ch->from, d->tz, from),
		"endTime", ch->until ? device_time(ch->until, d->tz, until) : "2037-12-31T23:59:59",
		"doorRight", "1");
	if (user && strcmp(ch->kind, "pin") == 0)
		json_object_set_new(json_object_get(user, "UserInfo"), "password", json_string(ch->value));
	if ((rc = isapi_json(d, "/ISAPI/AccessControl/UserInfo/SetUp?format=json", user, e)) ||
	    strcmp(ch->kind, "card") != 0)
		return rc;
	return isapi_json(d, "/ISAPI/AccessControl/CardInfo/SetUp?format=json",
			  json_pack("{s:{s:s, s:s, s:s}}", "CardInfo", "employeeNo", emp,
				    "cardNo", ch->value, "cardType", "normalCard"), e);
}

static json_t *change_json(const struct drv *d, const struct pm_sync_change *ch)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s?, s:s?, s:o}", "type", "sync",
		"gate", d->name, "op", pm_sync_op_names[ch->op], "credential", (json_int_t)ch->credential,
		"kind", ch->kind, "value", strcmp(ch->kind, "pin") == 0 ? "****" : ch->value,
		"person", ch->person, "unit", ch->unit, "until", gate_time(ch->until, d->tz));
}

/* The http driver posts each change to sync_url as it is, PIN included:
 * the controller needs it. */
static int http_sync(struct drv *d, const struct pm_sync_change *ch, struct pm_err *e)
{
	const char *headers[] = {"Content-Type: application/json", NULL};
	struct pm_http_res res = {0};
	json_t *rec = change_json(d, ch);
	char *body;
	int rc;

	json_object_set_new(rec, "value", json_string(ch->value));
	json_object_set_new(rec, "from", gate_time(ch->from, d->tz));
	body = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(rec);
	if (!body)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	if ((rc = send(d, "POST", gstr(d, "sync_url"), headers, body, PM_HTTP_AUTH_NONE, &res, e)) == PM_OK) {
		keep_answer(d, res.body);
		if (res.status / 100 != 2)
			rc = pm_err_set(e, PM_EUNAVAIL, _("gate '%s': the device answered HTTP %ld: %s"),
					d->name, res.status, d->answer);
	}
	pm_http_res_free(&res);
	pm_secret_free(body);
	return rc;
}

struct sync_run {
	struct drv *d;
	int (*fn)(void *ctx, json_t *rec);
	void *ctx;
	long *counts;
	struct pm_err *e;
};

static int push(void *ctx, const struct pm_sync_change *ch)
{
	struct sync_run *s = ctx;
	json_t *rec;
	int rc;

	/* ISAPI takes faces as images, which pm does not hold. */
	if (strcmp(s->d->driver, "isapi") == 0 && strcmp(ch->kind, "face") == 0)
		return PM_OK;
	rc = strcmp(s->d->driver, "isapi") == 0 ? isapi_sync(s->d, ch, s->e) : http_sync(s->d, ch, s->e);
	if (rc || (rc = pm_gate_sync_done(s->d->db, s->d->name, ch, s->e)))
		return rc;
	s->counts[ch->op]++;
	rec = change_json(s->d, ch);
	rc = s->fn(s->ctx, rec);
	json_decref(rec);
	return rc;
}

int pm_gate_sync(struct pm_db *db, const struct pm_actor *a, const char *gate, int64_t at,
		 int (*fn)(void *ctx, json_t *rec), void *ctx, long counts[3], struct pm_err *e)
{
	struct pm_err keep;
	struct drv d;
	struct sync_run s = {&d, fn, ctx, counts, e};
	int rc, arc;

	counts[0] = counts[1] = counts[2] = 0;
	if (pm_auth_check(a, "gate.write", e) || drv_load(db, gate, &d, e))
		return e->code;
	if (strcmp(d.driver, "exec") == 0 || (strcmp(d.driver, "http") == 0 && !gstr(&d, "sync_url"))) {
		drv_free(&d);
		return pm_err_set(e, PM_ECONFIG,
			_("gate '%s': driver %s cannot sync%s: give the controller 'pm-gate export --gate %s'"),
			gate, d.driver, strcmp(d.driver, "http") == 0 ? _(" without sync_url") : "", gate);
	}
	if ((rc = secrets(&d, e)) == PM_OK)
		rc = pm_gate_sync_plan(db, a, gate, at, push, &s, e);
	keep = *e;
	arc = pm_gate_sync_audit(db, gate, counts, rc != PM_OK, e);
	drv_free(&d);
	if (rc && arc == PM_OK)
		*e = keep;
	return rc ? rc : arc;
}
