/* notify: the outbox, recipients, quiet hours, retry policy, and the
 * requests each channel sends. The flush loop itself (which drives
 * libcurl) is lib/notify-flush.c in libpm-http, and an e-mail's MIME is
 * built by lib/http.c; everything the loop decides is decided here. */
#include <limits.h>
#include <strings.h>

#include <sodium.h>

#include "notify-internal.h"
#include "strbuf-internal.h"
#include "pm/address.h"
#include "pm/audit.h"
#include "pm/config.h"
#include "pm/community.h"
#include "pm/db.h"
#include "pm/hmac.h"
#include "pm/i18n.h"
#include "pm/jsonl.h"
#include "pm/notify.h"
#include "pm/secret.h"
#include "pm/template.h"
#include "pm/timeutil.h"


static const char *const channel_names[PM_CH_COUNT] = {
	"stdout", "webhook", "wecom", "dingtalk", "email", "sms",
};

struct pm_notify {
	struct pm_db *db;
	struct pm_config *cfg;
	json_t *channels, *notify, *own; /* own: the defaults when the config has none */
	json_t *secrets;                  /* references read, by reference */
	const char *tz, *community;
	char *role;                       /* told when a record names no one */
	struct pm_tmpl *tmpl;             /* the last one used */
	struct pm_notify_tally tally;     /* of the flush under way */
	int64_t since;                    /* its start, for its audit record */
	int in_round, running;            /* a round's write open; "running" written */
	json_t *mine;                     /* dedupe keys of the messages queued here */
	char *only;                       /* a flush of those only: the keys as JSON */
	char refused[64];                 /* ",sms,email,": channels not claimed from */
	char store_id[PM_DB_ID_SIZE];     /* the store's own, for idempotency keys */
	int (*show)(void *ctx, json_t *msg, struct pm_err *e); /* a dry run queues nothing, shows */
	void *show_ctx;
};

int pm_channel_parse(const char *s, enum pm_channel *ch, struct pm_err *e)
{
	for (int i = 0; i < PM_CH_COUNT; i++)
		if (strcmp(s, channel_names[i]) == 0) {
			*ch = (enum pm_channel)i;
			return PM_OK;
		}
	return pm_err_set(e, PM_EDATA,
		_("unknown channel '%s': expected stdout, webhook, wecom, dingtalk, email or sms"), s);
}

const char *pm_channel_name(enum pm_channel ch)
{
	return ch < PM_CH_COUNT ? channel_names[ch] : "?";
}

int pm_notify_open(struct pm_db *db, struct pm_notify **out, struct pm_err *e)
{
	struct pm_notify *n = calloc(1, sizeof *n);
	int rc;

	*out = NULL;
	if (!n)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	n->db = db;
	n->tz = pm_db_tz(db);
	pm_db_id(db, n->store_id);
	n->secrets = json_object();
	n->mine = json_array();
	if (!n->secrets || !n->mine) {
		pm_notify_close(n);
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	}
	if ((rc = pm_config_current(db, pm_db_today(db), &n->cfg, e))) {
		pm_notify_close(n);
		return rc;
	}
	n->community = pm_config_community_name(n->cfg);
	n->channels = pm_config_section(n->cfg, "channels");
	n->notify = pm_config_section(n->cfg, "notify");
	if (!n->notify) {
		if ((rc = pm_config_defaults("notify", &n->own, e))) {
			pm_notify_close(n);
			return rc;
		}
		n->notify = n->own;
	}
	*out = n;
	return PM_OK;
}

void pm_notify_close(struct pm_notify *n)
{
	if (!n)
		return;
	pm_config_free(n->cfg);
	json_decref(n->own);
	json_decref(n->secrets);
	json_decref(n->mine);
	free(n->only);
	pm_tmpl_free(n->tmpl);
	free(n->role);
	free(n);
}

void pm_notify_set_dry_run(struct pm_notify *n, int (*show)(void *ctx, json_t *msg, struct pm_err *e),
			   void *ctx)
{
	n->show = show;
	n->show_ctx = ctx;
}

int pm_notify_set_role(struct pm_notify *n, const char *role, struct pm_err *e)
{
	char *copy = NULL;

	if (role && !(copy = strdup(role)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	free(n->role);
	n->role = copy;
	return PM_OK;
}

struct pm_db *notify_db(const struct pm_notify *n)
{
	return n->db;
}

static int64_t setting(struct pm_notify *n, const char *group, const char *key)
{
	return json_integer_value(json_object_get(json_object_get(n->notify, group), key));
}

int pm_notify_parallel(struct pm_notify *n)
{
	return (int)json_integer_value(json_object_get(n->notify, "parallel"));
}

static json_t *channel_cfg(struct pm_notify *n, enum pm_channel ch)
{
	return n->channels ? json_object_get(n->channels, channel_names[ch]) : NULL;
}

int pm_notify_rate(struct pm_notify *n, enum pm_channel ch)
{
	return (int)json_integer_value(json_object_get(channel_cfg(n, ch), "rate"));
}

/* A config value, with a reference (env:NAME, file:PATH) read through
 * pm_secret_get, once per handle, so secrets stay out of the YAML file.
 * A value written as itself (in a version applied before secrets had to
 * be references) is taken as it is. NULL with e set when it cannot be
 * read. */
static const char *secret(struct pm_notify *n, enum pm_channel ch, json_t *cfg, const char *key,
			  struct pm_err *e)
{
	const char *v = json_string_value(json_object_get(cfg, key));
	char what[64], *got;
	json_t *have;

	if (!v || pm_secret_ref_check(v, NULL) != PM_OK)
		return v;
	if ((have = json_object_get(n->secrets, v)))
		return json_string_value(have);
	snprintf(what, sizeof what, _("channel '%s': %s"), channel_names[ch], key);
	if (pm_secret_get(n->db, v, what, &got, e))
		return NULL;
	if (json_object_set_new(n->secrets, v, json_string(got)) != 0)
		pm_err_set(e, PM_ECONFIG, _("%s: not UTF-8 text"), what);
	sodium_memzero(got, strlen(got));
	free(got);
	return json_string_value(json_object_get(n->secrets, v));
}

/* ---- quiet hours ---- */

int64_t pm_notify_quiet_until(struct pm_notify *n, enum pm_channel ch, int64_t t)
{
	json_t *q = json_object_get(json_object_get(n->notify, "quiet"), channel_names[ch]);
	int64_t from, to, midnight, s;
	int32_t day;

	if (!q)
		return 0;
	from = json_integer_value(json_object_get(q, "from"));
	to = json_integer_value(json_object_get(q, "to"));
	day = pm_date_of(t, n->tz);
	midnight = pm_date_start(day, n->tz);
	s = t - midnight;
	if (from < to)
		return s >= from && s < to ? midnight + to : 0;
	if (from > to) {
		if (s >= from)
			return pm_date_start(day + 1, n->tz) + to;
		return s < to ? midnight + to : 0;
	}
	return 0;
}

/* ---- recipients ---- */

struct recipient {
	const char *code, *name, *phone, *email, *channels, *optout, *wecom;
};

struct queue_run {
	struct pm_notify *n;
	struct pm_tmpl *t;
	int channel;
	json_t *rec, *fields;
	const char *ref, *unit;
	char day[PM_TIME_BUF];
	struct pm_notify_counts *counts;
	int missing;            /* the last channel a recipient had no address for */
};

static int listed(const char *list, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = list; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		if (n == len && strncmp(p, word, n) == 0)
			return 1;
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

/* Where ch reaches r; a phone number as the gateway dials it, in dial. */
static const char *address_for(enum pm_channel ch, const struct recipient *r, char *dial, size_t n)
{
	if (ch == PM_CH_SMS) {
		if (!r->phone || !pm_address_is_phone(r->phone))
			return NULL;
		pm_address_phone_dial(r->phone, dial, n);
		return dial;
	}
	if (ch == PM_CH_EMAIL)
		return r->email && *r->email ? r->email : NULL;
	if (ch == PM_CH_WECOM && r->wecom)
		return r->wecom;
	return "";
}

static int render(struct queue_run *q, const char *src, int html, char **out, struct pm_err *e)
{
	return pm_tmpl_render(q->t->name, src, q->fields, q->t->words, q->n->tz, html, out, e);
}

static const char insert_sql[] =
	"INSERT INTO outbox (dedupe, template, category, channel, recipient, name, address, unit, ref,"
	" subject, body, html, alarm, status, next_at, expires_at, created_at, updated_at)"
	" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,'queued',?,?,?,?) ON CONFLICT (dedupe) DO NOTHING";

/* A dry run's message, as it would be queued. */
static int show(struct queue_run *q, enum pm_channel ch, const struct recipient *r, const char *addr,
		char *const text[3], int64_t next, struct pm_err *e)
{
	char at[PM_TIME_BUF];
	json_t *msg;
	int rc;

	pm_time_fmt(next, q->n->tz, at);
	if (!(msg = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:s?, s:s, s:s, s:s}", "type", "message",
			      "template", q->t->name, "ref", q->ref, "channel", channel_names[ch],
			      "recipient", r->code, "name", r->name, "address", addr, "unit", q->unit,
			      "subject", text[0], "text", text[1], "next_at", at)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	rc = q->n->show(q->n->show_ctx, msg, e);
	json_decref(msg);
	return rc;
}

/* Whether what the record tells of is valid for a time (valid_until: a
 * visitor's pass) that begins before t, the end of the quiet hours: a pass
 * approved at 3 a.m. for a visit from 3 a.m., held until 8, would come
 * when the visitor has long gone. */
static int in_use_before(const struct queue_run *q, int64_t t)
{
	const char *until = json_string_value(json_object_get(q->rec, "valid_until"));
	const char *from = json_string_value(json_object_get(q->rec, "from"));
	struct pm_err ignored = {0};
	int64_t start;

	if (!until)
		return 0;
	if ((!from || pm_time_parse(from, &start, &ignored)) && pm_time_parse(until, &start, &ignored))
		return 0;
	return start < t;
}

static int insert(struct queue_run *q, enum pm_channel ch, const struct recipient *r,
		  const char *addr, const char *key, char *const text[3], struct pm_err *e)
{
	sqlite3_stmt *st = pm_db_stmt(q->n->db, insert_sql, e);
	int64_t now = pm_now(), next = now, quiet;
	int urgent = q->t->alarm;

	if (!st)
		return e->code;
	if (!urgent && (quiet = pm_notify_quiet_until(q->n, ch, now)) && !(urgent = in_use_before(q, quiet)))
		next = quiet;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, q->t->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, q->t->category, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, channel_names[ch], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, r->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, addr, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, q->unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, q->ref, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, text[0], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, text[1], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, ch == PM_CH_EMAIL ? text[2] : NULL, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 13, urgent);
	sqlite3_bind_int64(st, 14, next);
	sqlite3_bind_int64(st, 15, now + setting(q->n, "retry", "max_age"));
	sqlite3_bind_int64(st, 16, now);
	sqlite3_bind_int64(st, 17, now);
	if (pm_db_step_done(q->n->db, st, _("cannot queue a message"), e))
		return e->code;
	if (!sqlite3_changes(pm_db_sqlite(q->n->db))) {
		q->counts->duplicate++;
		return PM_OK;
	}
	q->counts->queued++;
	if (q->n->show)
		return show(q, ch, r, addr, text, next, e);
	if (json_array_append_new(q->n->mine, json_string(key)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	return PM_OK;
}

static void set_str(json_t *o, const char *k, const char *v)
{
	json_object_set_new(o, k, v ? json_string(v) : json_null());
}

static int one_channel(struct queue_run *q, enum pm_channel ch, const struct recipient *r,
		       char *const text[3], struct pm_err *e)
{
	char dial[32];
	const char *addr = address_for(ch, r, dial, sizeof dial);
	json_t *own;
	char *key;
	int rc;

	if (!addr) {
		q->counts->no_address++;
		q->missing = (int)ch;
		return PM_OK;
	}
	/* The key's {{channel}} is ours; the record's own (a payment's "cash")
	 * is put back for the next recipient's text. */
	own = json_incref(json_object_get(q->fields, "channel"));
	set_str(q->fields, "channel", channel_names[ch]);
	rc = render(q, json_string_value(json_object_get(q->n->notify, "dedupe")), 0, &key, e);
	if (own)
		json_object_set_new(q->fields, "channel", own);
	else
		json_object_del(q->fields, "channel");
	if (rc)
		return pm_err_prefix(e, _("dedupe key"));
	rc = insert(q, ch, r, addr, key, text, e);
	free(key);
	return rc;
}

static int one_recipient(struct queue_run *q, const struct recipient *r, struct pm_err *e)
{
	char *text[3] = {NULL, NULL, NULL};
	enum pm_channel ch;
	json_t *dflt = json_object_get(q->n->notify, "channels"), *v;
	size_t i;
	int rc;

	if (!q->t->legal && listed(r->optout, q->t->category)) {
		q->counts->opted_out++;
		return PM_OK;
	}
	set_str(q->fields, "recipient", r->name ? r->name : r->code);
	set_str(q->fields, "recipient_code", r->code);
	if ((rc = render(q, q->t->subject, 0, &text[0], e)) || (rc = render(q, q->t->text, 0, &text[1], e)) ||
	    (q->t->html && (rc = render(q, q->t->html, 1, &text[2], e))))
		goto out;
	set_str(q->fields, "recipient", r->code);
	if (q->channel >= 0) {
		rc = one_channel(q, (enum pm_channel)q->channel, r, text, e);
	} else if (r->channels && *r->channels) {
		for (int c = 0; c < PM_CH_COUNT && rc == PM_OK; c++)
			if (listed(r->channels, channel_names[c]))
				rc = one_channel(q, (enum pm_channel)c, r, text, e);
	} else if (json_array_size(dflt) == 0) {
		rc = one_channel(q, PM_CH_SMS, r, text, e);
	} else {
		json_array_foreach(dflt, i, v)
			if (rc == PM_OK && pm_channel_parse(json_string_value(v), &ch, NULL) == PM_OK)
				rc = one_channel(q, ch, r, text, e);
	}
out:
	free(text[0]);
	free(text[1]);
	free(text[2]);
	return rc;
}

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Every row of st (code, name, phone, email, channels, optout, wecom) is
 * one recipient; *found counts them. */
static int each_row(struct queue_run *q, sqlite3_stmt *st, int *found, struct pm_err *e)
{
	struct recipient r;
	int rc = PM_OK, step;

	while (rc == PM_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		r = (struct recipient){col(st, 0), col(st, 1), col(st, 2), col(st, 3), col(st, 4), col(st, 5),
				       col(st, 6)};
		(*found)++;
		rc = one_recipient(q, &r, e);
	}
	if (rc == PM_OK && step != SQLITE_DONE)
		rc = pm_db_fail(q->n->db, e, _("cannot read recipients"));
	sqlite3_reset(st);
	return rc;
}

static const char unit_sql[] =
	"SELECT p.code, p.name, p.phone, pr.email, pr.channels, pr.optout, NULL"
	" FROM occupancy o JOIN unit u ON u.id = o.unit_id JOIN person p ON p.id = o.person_id"
	" LEFT JOIN notify_pref pr ON pr.person_id = p.id"
	" WHERE u.code = ?1 AND " PM_OCCUPANCY_ON("o", "?2") " AND o.role IN ('owner','tenant')"
	" GROUP BY p.id ORDER BY p.code";
/* A template for owners only (a vote's reminder): tenants have no say. */
static const char owner_sql[] =
	"SELECT p.code, p.name, p.phone, pr.email, pr.channels, pr.optout, NULL"
	" FROM occupancy o JOIN unit u ON u.id = o.unit_id JOIN person p ON p.id = o.person_id"
	" LEFT JOIN notify_pref pr ON pr.person_id = p.id"
	" WHERE u.code = ?1 AND " PM_OCCUPANCY_ON("o", "?2") " AND o.role = 'owner'"
	" GROUP BY p.id ORDER BY p.code";
/* Staff: the user's own addresses before their person's. */
#define STAFF_COLS "u.login, p.name, coalesce(u.phone, p.phone), coalesce(u.email, pr.email)," \
	" pr.channels, pr.optout, u.wecom FROM user u LEFT JOIN person p ON p.id = u.person_id" \
	" LEFT JOIN notify_pref pr ON pr.person_id = p.id"
static const char login_sql[] = "SELECT " STAFF_COLS " WHERE u.login = ? AND u.disabled = 0";
static const char role_sql[] = "SELECT " STAFF_COLS " WHERE u.role = ? AND u.disabled = 0 ORDER BY u.login";

/* The option of pm user set that gives a user an address for ch. */
static const char *address_option(enum pm_channel ch)
{
	return ch == PM_CH_SMS ? "--phone" : ch == PM_CH_EMAIL ? "--email" : "--wecom";
}

static int by_query(struct queue_run *q, const char *sql, const char *value, const char *what,
		    struct pm_err *e)
{
	sqlite3_stmt *st = pm_db_stmt(q->n->db, sql, e);
	struct pm_notify_counts before = *q->counts;
	char day[PM_TIME_BUF];
	int found = 0, rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, value, -1, SQLITE_TRANSIENT);
	if (sql == unit_sql || sql == owner_sql)
		sqlite3_bind_text(st, 2, pm_community_today(q->n->db, day), -1, SQLITE_TRANSIENT);
	if ((rc = each_row(q, st, &found, e)))
		return rc;
	if (!found)
		return pm_err_set(e, PM_EDATA, _("no one to tell: %s '%s' has no current %s"), what, value,
				  sql == unit_sql ? _("owner or tenant") : sql == owner_sql ? _("owner") : _("enabled user"));
	/* Staff are told things that need doing: a message that reaches
	 * none of them is an error to fix, not a count in a summary. */
	if (sql != unit_sql && sql != owner_sql && q->counts->no_address > before.no_address && q->counts->queued == before.queued &&
	    q->counts->duplicate == before.duplicate && q->counts->opted_out == before.opted_out)
		return sql == role_sql
			? pm_err_set(e, PM_EDATA, _("no one to tell: no enabled user with role '%s' has an address for %s (pm user set LOGIN %s)"),
				     value, channel_names[q->missing], address_option((enum pm_channel)q->missing))
			: pm_err_set(e, PM_EDATA, _("no one to tell: user '%s' has no address for %s (pm user set %s %s)"),
				     value, channel_names[q->missing], value, address_option((enum pm_channel)q->missing));
	return PM_OK;
}

static int explicit_to(struct queue_run *q, json_t *to, struct pm_err *e)
{
	json_t *one = json_is_array(to) ? NULL : to, *v;
	struct recipient r = {0};
	size_t i;
	int rc = PM_OK;

	json_array_foreach(json_is_array(to) ? to : NULL, i, v)
		if (!json_is_string(v))
			return pm_err_set(e, PM_EDATA, _("field \"to\": expected addresses as text"));
	if (one && !json_is_string(one))
		return pm_err_set(e, PM_EDATA, _("field \"to\": expected an address or a list of them"));
	/* Nobody named is no recipient, not a record with nothing to send:
	 * one the sender meant for someone, to be rejected and seen. */
	if (!one && json_array_size(to) == 0)
		return pm_err_set(e, PM_EDATA, _("field \"to\": no recipient: the list is empty"));
	for (i = 0; rc == PM_OK && (one ? i < 1 : i < json_array_size(to)); i++) {
		const char *a = json_string_value(one ? one : json_array_get(to, i));
		r.code = a;
		r.phone = pm_address_is_phone(a) ? a : NULL;
		r.email = pm_address_is_email(a) ? a : NULL;
		if (q->channel == PM_CH_SMS && !r.phone)
			return pm_err_set(e, PM_EDATA, _("field \"to\": '%s' is not a phone number"), a);
		if (q->channel == PM_CH_EMAIL && !r.email)
			return pm_err_set(e, PM_EDATA, _("field \"to\": '%s' is not an e-mail address"), a);
		rc = one_recipient(q, &r, e);
	}
	return rc;
}

/* Residents: "to", else the unit's residents, else staff as below.
 * Staff: "to", else "assignee" or "login", else the record's "role", else
 * the notifier's role; a staff template never tells the unit's residents
 * (an SLA breach of a flat is the staff's business, not the owner's). */
static int resolve(struct queue_run *q, struct pm_err *e)
{
	json_t *rec = q->rec;
	const char *s;

	if (json_object_get(rec, "to"))
		return explicit_to(q, json_object_get(rec, "to"), e);
	if (q->unit && !q->t->staff)
		return by_query(q, q->t->owners ? owner_sql : unit_sql, q->unit, _("unit"), e);
	if (pm_json_str(rec, "assignee", PM_OPTIONAL, &s, e) || pm_json_str(rec, "login", PM_OPTIONAL, &s, e))
		return e->code;
	if ((s = json_string_value(json_object_get(rec, "assignee"))) ||
	    (s = json_string_value(json_object_get(rec, "login"))))
		return by_query(q, login_sql, s, _("user"), e);
	if (pm_json_str(rec, "role", PM_OPTIONAL, &s, e))
		return e->code;
	if ((s = json_string_value(json_object_get(rec, "role"))) || (s = q->n->role))
		return by_query(q, role_sql, s, _("role"), e);
	if (q->t->staff)
		return pm_err_set(e, PM_EDATA, _("no recipient: the record has no \"to\", \"assignee\", \"login\" or \"role\", and no --role was given"));
	return pm_err_set(e, PM_EDATA, _("no recipient: the record has no \"to\", \"unit\", \"assignee\", \"login\" or \"role\", and no --role was given"));
}

/* What makes two records the same event, for the dedupe key's {{ref}}:
 * the first row for the record's type whose fields the record all has,
 * as text or integers. A ticket is news at each step; a ticket breaches
 * each of its clocks once; an anomaly is one rule on one meter in one
 * period, or one event of it when it has a time. */
static const struct identity {
	const char *type;
	const char *fields[5];
} identities[] = {
	{"ticket", {"id", "status"}},
	{"sla_breach", {"ticket", "clock"}},
	{"anomaly", {"rule", "meter", "period", "ts"}},
	{"anomaly", {"rule", "meter", "period"}},
};

/* rec's field key into b: text (not empty) or an integer; 0 if neither. */
static int add_scalar(struct strbuf *b, json_t *rec, const char *key)
{
	json_t *v = json_object_get(rec, key);

	if (json_is_string(v) && *json_string_value(v))
		sb_str(b, json_string_value(v));
	else if (json_is_integer(v))
		sb_fmt(b, "%lld", (long long)json_integer_value(v));
	else
		return 0;
	return 1;
}

/* Whether rec has every one of fields; if so, *out is their values joined
 * with ':' (NULL when out of memory). */
static int joined(json_t *rec, const char *const *fields, char **out)
{
	struct strbuf b = {0};

	for (size_t i = 0; fields[i]; i++) {
		if (i)
			sb_str(&b, ":");
		if (!add_scalar(&b, rec, fields[i])) {
			free(sb_take(&b));
			return 0;
		}
	}
	*out = sb_take(&b);
	return 1;
}

char *pm_notify_ref(json_t *rec)
{
	const char *type = json_string_value(json_object_get(rec, "type"));
	const char *by_id[] = {"id", NULL}, *by_type[] = {type, NULL};
	unsigned char h[crypto_hash_sha256_BYTES];
	char *ref, *dump, hex[17];

	for (size_t i = 0; type && i < sizeof identities / sizeof *identities; i++)
		if (strcmp(identities[i].type, type) == 0 && joined(rec, identities[i].fields, &ref))
			return ref;
	if (joined(rec, by_id, &ref) || (type && joined(rec, by_type, &ref)))
		return ref;
	if (!(dump = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS)))
		return NULL;
	crypto_hash_sha256(h, (const unsigned char *)dump, strlen(dump));
	free(dump);
	sodium_bin2hex(hex, sizeof hex, h, 8);
	return strdup(hex);
}

/* A ticket's category is said as the repair section labels it, where
 * the template has no word of its own for it. */
static int category_words(struct pm_notify *n, struct pm_tmpl *t, struct pm_err *e)
{
	json_t *cats = json_object_get(pm_config_section(n->cfg, "repair"), "categories"), *c, *w;
	size_t i;

	if (!json_array_size(cats))
		return PM_OK;
	if (!t->words && !(t->words = json_object()))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	if (!(w = json_object_get(t->words, "category")) &&
	    json_object_set_new(t->words, "category", w = json_object()))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	json_array_foreach(cats, i, c) {
		const char *name = json_string_value(json_object_get(c, "name"));
		json_t *label = json_object_get(c, "label");

		if (name && json_is_string(label) && !json_object_get(w, name))
			json_object_set(w, name, label);
	}
	return PM_OK;
}

static int use_template(struct pm_notify *n, const char *name, struct pm_err *e)
{
	if (n->tmpl && strcmp(n->tmpl->name, name) == 0)
		return PM_OK;
	pm_tmpl_free(n->tmpl);
	n->tmpl = NULL;
	if (pm_tmpl_find(json_object_get(n->notify, "templates"), pm_tmpl_dir(), name, &n->tmpl, e))
		return e->code;
	return category_words(n, n->tmpl, e);
}

int pm_notify_queue(struct pm_notify *n, const char *tmpl, int channel, json_t *rec,
		    struct pm_notify_counts *counts, struct pm_err *e)
{
	const char *at = NULL;
	int64_t t;

	/* A record kept until printed (include/pm/printq.h) keys on the day
	 * it was recorded: printed again after a kill, however much later,
	 * it is a duplicate still. */
	if (pm_json_str(rec, "recorded_at", PM_OPTIONAL, &at, e))
		return e->code;
	if (!at)
		return pm_notify_queue_day(n, tmpl, channel, rec, pm_db_today(n->db), counts, e);
	if (pm_time_parse(at, &t, e))
		return pm_err_prefix(e, "recorded_at");
	return pm_notify_queue_day(n, tmpl, channel, rec, pm_date_of(t, n->tz), counts, e);
}

int pm_notify_queue_day(struct pm_notify *n, const char *tmpl, int channel, json_t *rec,
			int32_t day, struct pm_notify_counts *counts, struct pm_err *e)
{
	struct queue_run q = {.n = n, .channel = channel, .rec = rec, .counts = counts};
	struct pm_notify_counts before = *counts;
	size_t mark = json_array_size(n->mine);
	char *ref;
	int rc;

	if ((rc = use_template(n, tmpl, e)))
		return rc;
	if (pm_json_str(rec, "unit", PM_OPTIONAL, &q.unit, e))
		return e->code;
	q.t = n->tmpl;
	pm_date_fmt(day, q.day);
	if (!(ref = pm_notify_ref(rec)) || !(q.fields = json_deep_copy(rec))) {
		free(ref);
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	}
	q.ref = ref;
	set_str(q.fields, "template", tmpl);
	set_str(q.fields, "ref", ref);
	set_str(q.fields, "day", q.day);
	set_str(q.fields, "community", n->community);
	/* A record is queued whole or not at all; a dry run's never is. */
	if ((rc = pm_db_exec(n->db, "SAVEPOINT queue_record", e)) == PM_OK) {
		rc = resolve(&q, e);
		if (rc || n->show)
			pm_db_exec(n->db, "ROLLBACK TO queue_record", NULL);
		if (rc) {
			*counts = before;
			while (json_array_size(n->mine) > mark)
				json_array_remove(n->mine, json_array_size(n->mine) - 1);
		}
		pm_db_exec(n->db, "RELEASE queue_record", NULL);
	}
	json_decref(q.fields);
	free(ref);
	return rc;
}

/* ---- flushing ---- */

/* Whether channel ch can be used: configured, and every secret of it
 * readable. */
static int channel_ready(struct pm_notify *n, enum pm_channel ch, struct pm_err *e)
{
	json_t *cfg = channel_cfg(n, ch), *v;
	const char *key;

	if (!cfg)
		return pm_err_set(e, PM_ECONFIG, _("channel '%s' is not configured (see channels in pm.yaml(5))"),
				  channel_names[ch]);
	json_object_foreach(cfg, key, v)
		if (json_is_string(v) && !secret(n, ch, cfg, key, e))
			return e->code;
	return PM_OK;
}

/* The channels of the messages due that cannot be used are refused
 * before any attempt: their messages are not claimed, so no attempt is
 * counted against them, and the flush says why. */
static int refuse_channels(struct pm_notify *n, int64_t now, struct pm_err *e)
{
	static const char sql[] =
		"SELECT channel, count(*) FROM outbox WHERE status = 'queued' AND next_at <= ?1"
		" AND (?2 IS NULL OR dedupe IN (SELECT value FROM json_each(?2))) GROUP BY channel";
	sqlite3_stmt *st = pm_db_stmt(n->db, sql, e);
	struct pm_notify_tally *t = &n->tally;
	enum pm_channel ch;
	struct pm_err why;
	size_t len;
	int step;

	n->refused[0] = '\0';
	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_text(st, 2, n->only, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (pm_channel_parse(col(st, 0), &ch, NULL) || ch == PM_CH_STDOUT || channel_ready(n, ch, &why) == PM_OK)
			continue;
		if (!t->refused)
			snprintf(t->why, sizeof t->why, "%.255s", why.msg);
		t->refused += sqlite3_column_int64(st, 1);
		len = strlen(n->refused);
		snprintf(n->refused + len, sizeof n->refused - len, "%s%s,", len ? "" : ",", channel_names[ch]);
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE)
		return pm_db_fail(n->db, e, _("cannot read the outbox"));
	return PM_OK;
}

int pm_notify_flush_start(struct pm_notify *n, int only_queued_here, struct pm_err *e)
{
	static const char sql[] =
		"UPDATE outbox SET status = 'queued', updated_at = ?,"
		" last_error = 'interrupted during an attempt' WHERE status = 'sending'";
	sqlite3_stmt *st;
	int rc;

	memset(&n->tally, 0, sizeof n->tally);
	n->since = pm_now();
	n->in_round = n->running = 0;
	free(n->only);
	n->only = NULL;
	if (only_queued_here && !(n->only = json_dumps(n->mine, JSON_COMPACT)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	if ((rc = pm_db_begin(n->db, e)))
		return rc;
	if (!(st = pm_db_stmt(n->db, sql, e))) {
		pm_db_rollback(n->db);
		return e->code;
	}
	sqlite3_bind_int64(st, 1, pm_now());
	if (sqlite3_step(st) != SQLITE_DONE) {
		pm_db_fail(n->db, e, _("cannot recover the outbox"));
		pm_db_rollback(n->db);
		return e->code;
	}
	n->tally.recovered = sqlite3_changes(pm_db_sqlite(n->db));
	if ((rc = pm_db_commit(n->db, e)))
		return rc;
	return refuse_channels(n, pm_now(), e);
}

const struct pm_notify_tally *pm_notify_tally(const struct pm_notify *n)
{
	return &n->tally;
}

static char *dupcol(sqlite3_stmt *st, int i)
{
	const char *s = col(st, i);

	return s ? strdup(s) : NULL;
}

static const char due_sql[] =
	"SELECT id, channel, alarm, attempts, recipient, address, subject, body, html, ref, template,"
	" attempts > 0 AND expires_at < ?1, last_error, dedupe FROM outbox WHERE status = 'queued' AND next_at <= ?1 AND instr(?3, ',' || channel || ',') = 0"
	" AND (?4 IS NULL OR dedupe IN (SELECT value FROM json_each(?4))) ORDER BY next_at, id LIMIT ?2";
static const char take_sql[] =
	"UPDATE outbox SET status = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ?";
static const char later_sql[] = "UPDATE outbox SET next_at = ?, updated_at = ? WHERE id = ?";

static int claim_rows(struct pm_notify *n, int64_t now, size_t max, struct pm_notify_msg *m,
		      size_t *count, long *postponed, struct pm_err *e)
{
	sqlite3_stmt *st = pm_db_stmt(n->db, due_sql, e), *up;
	int step, alarm;
	int64_t quiet;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	sqlite3_bind_text(st, 3, n->refused, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, n->only, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct pm_notify_msg *x = &m[*count];
		memset(x, 0, sizeof *x);
		x->id = sqlite3_column_int64(st, 0);
		pm_channel_parse(col(st, 1), &x->channel, NULL);
		alarm = sqlite3_column_int(st, 2);
		/* Retries give up at the maximum age: one more attempt after
		 * it is a message the sender no longer expects. */
		if ((x->expired = sqlite3_column_int(st, 11))) {
			x->attempts = sqlite3_column_int(st, 3);
			x->last_error = dupcol(st, 12);
		} else if (!alarm && (quiet = pm_notify_quiet_until(n, x->channel, now))) {
			x->attempts = -1;     /* put off, not sent */
			x->req.timeout_ms = quiet;
			(*postponed)++;
		} else {
			x->attempts = sqlite3_column_int(st, 3) + 1;
		}
		x->recipient = dupcol(st, 4);
		x->address = dupcol(st, 5);
		x->subject = dupcol(st, 6);
		x->body = dupcol(st, 7);
		x->html = dupcol(st, 8);
		x->ref = dupcol(st, 9);
		x->template_name = dupcol(st, 10);
		x->dedupe = dupcol(st, 13);
		(*count)++;
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE)
		return pm_db_fail(n->db, e, _("cannot read the outbox"));
	for (size_t i = 0; i < *count; i++) {
		if (m[i].expired)
			continue;
		if (!(up = pm_db_stmt(n->db, m[i].attempts < 0 ? later_sql : take_sql, e)))
			return e->code;
		if (m[i].attempts < 0) {
			sqlite3_bind_int64(up, 1, m[i].req.timeout_ms);
			sqlite3_bind_int64(up, 2, now);
			sqlite3_bind_int64(up, 3, m[i].id);
		} else {
			sqlite3_bind_int64(up, 1, now);
			sqlite3_bind_int64(up, 2, m[i].id);
		}
		if (pm_db_step_done(n->db, up, _("cannot claim a message"), e))
			return e->code;
	}
	return PM_OK;
}

static void msg_clear(struct pm_notify_msg *m)
{
	free(m->recipient);
	free(m->address);
	free(m->subject);
	free(m->body);
	free(m->html);
	free(m->ref);
	free(m->template_name);
	free(m->last_error);
	free(m->dedupe);
	free(m->url);
	free(m->payload);
	for (size_t i = 0; i < sizeof m->hdr / sizeof *m->hdr; i++)
		free(m->hdr[i]);
}

void pm_notify_msgs_free(struct pm_notify_msg *msgs, size_t count)
{
	for (size_t i = 0; msgs && i < count; i++)
		msg_clear(&msgs[i]);
	free(msgs);
}

int pm_notify_claim(struct pm_notify *n, int64_t now, size_t max, struct pm_notify_msg **msgs,
		    size_t *count, struct pm_err *e)
{
	struct pm_notify_msg *m = calloc(max ? max : 1, sizeof *m);
	size_t got = 0, kept = 0;
	int rc;

	*msgs = NULL;
	*count = 0;
	if (!m)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	if ((rc = pm_db_begin(n->db, e)) == PM_OK) {
		rc = claim_rows(n, now, max, m, &got, &n->tally.postponed, e);
		if (rc == PM_OK)
			rc = pm_db_commit(n->db, e);
		else
			pm_db_rollback(n->db);
	}
	/* The postponed ones are done with; keep the claimed ones. */
	for (size_t i = 0; i < got; i++) {
		if (rc == PM_OK && m[i].attempts >= 0) {
			m[kept++] = m[i];
			continue;
		}
		msg_clear(&m[i]);
	}
	if (rc) {
		free(m);
		return rc;
	}
	for (size_t i = 0; i < kept; i++)
		m[i].req.timeout_ms = 0;
	*msgs = m;
	*count = kept;
	return PM_OK;
}

json_t *pm_notify_msg_json(const struct pm_notify_msg *m)
{
	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s?}", "type", "message",
			 "id", (json_int_t)m->id, "template", m->template_name, "ref", m->ref,
			 "channel", channel_names[m->channel], "recipient", m->recipient,
			 "address", m->address, "subject", m->subject, "text", m->body);
}

/* ---- signatures ---- */

void pm_dingtalk_sign(const char *secret, int64_t ts_ms, char out[128])
{
	struct strbuf text = {0}, b = {0};
	char mac[45], *sign;

	sb_fmt(&text, "%lld\n", (long long)ts_ms);
	sb_str(&text, secret);
	pm_hmac_base64(secret, text.p ? text.p : "", text.n, mac);
	free(sb_take(&text));
	sb_urlencode(&b, mac);
	sign = sb_take(&b);
	snprintf(out, 128, "%s", sign ? sign : "");
	free(sign);
}

/* ---- requests ---- */

static int set_header(struct pm_notify_msg *m, int i, const char *fmt, const char *v1,
		      const char *v2, struct pm_err *e)
{
	size_t len = strlen(fmt) + strlen(v1) + (v2 ? strlen(v2) : 0) + 1;

	if (!(m->hdr[i] = malloc(len)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	snprintf(m->hdr[i], len, fmt, v1, v2 ? v2 : "");
	m->headers[i] = m->hdr[i];
	return PM_OK;
}

static int take_json(struct pm_notify_msg *m, json_t *o, struct pm_err *e)
{
	if (!o || !(m->payload = json_dumps(o, JSON_COMPACT))) {
		json_decref(o);
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	}
	json_decref(o);
	m->req.body = m->payload;
	m->req.len = strlen(m->payload);
	return set_header(m, 0, "Content-Type: %s%s", "application/json", NULL, e);
}

#define KEY_SIZE (3 + PM_DB_ID_SIZE + 33) /* "pm-", the store's id, "-", 32 hex digits */

/* The receiver can drop a message it has seen: a flush killed between
 * the answer and its record sends it again. The outbox id will not do:
 * a store restored from a backup gives the ids after it to new messages
 * again, and every store counts from 1. The dedupe key is one message's
 * in its store, kept by its retries and by pm-notify retry, and the
 * store's id tells stores apart (a copy of one is restored, not new). */
static void idempotency_key(const struct pm_notify *n, const struct pm_notify_msg *m,
			    char out[KEY_SIZE])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[33];
	const char *d = m->dedupe ? m->dedupe : "";

	crypto_hash_sha256(h, (const unsigned char *)d, strlen(d));
	sodium_bin2hex(hex, sizeof hex, h, 16);
	snprintf(out, KEY_SIZE, "pm-%s-%s", n->store_id, hex);
}

static int req_webhook(struct pm_notify *n, struct pm_notify_msg *m, json_t *cfg, struct pm_err *e)
{
	const char *key = secret(n, PM_CH_WEBHOOK, cfg, "secret", e);
	char mac[72], id[KEY_SIZE];
	int rc;

	if (!key && json_object_get(cfg, "secret"))
		return e->code;
	if ((rc = take_json(m, pm_notify_msg_json(m), e)))
		return rc;
	idempotency_key(n, m, id);
	if ((rc = set_header(m, 1, "Idempotency-Key: %s%s", id, NULL, e)))
		return rc;
	if (key) {
		pm_hmac_signature(key, m->req.body, m->req.len, mac);
		return set_header(m, 2, "%s: %s", json_string_value(json_object_get(cfg, "header")), mac, e);
	}
	return PM_OK;
}

static char *robot_text(const struct pm_notify_msg *m, int markdown)
{
	struct strbuf b = {0};

	sb_str(&b, markdown ? "**" : "");
	sb_str(&b, m->subject);
	sb_str(&b, markdown ? "**\n\n" : "\n");
	sb_str(&b, m->body);
	return sb_take(&b);
}

/* A WeCom message to a staff user with a WeCom id @-mentions them in the
 * group: a text message lists them, markdown names them in the text. */
static int req_robot(struct pm_notify_msg *m, int markdown, struct pm_err *e)
{
	const char *who = m->channel == PM_CH_WECOM && *m->address ? m->address : NULL;
	struct strbuf b = {0};
	char *text = robot_text(m, markdown);
	json_t *o;

	if (!text)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	if (markdown) {
		sb_str(&b, text);
		if (who)
			sb_fmt(&b, "\n<@%s>", who);
		free(text);
		if (!(text = sb_take(&b)))
			return pm_err_set(e, PM_EFAIL, _("out of memory"));
		o = json_pack("{s:s, s:{s:s, s:s}}", "msgtype", "markdown", "markdown", "title",
			      m->subject, "content", text);
	} else if (who) {
		o = json_pack("{s:s, s:{s:s, s:[s]}}", "msgtype", "text", "text", "content", text,
			      "mentioned_list", who);
	} else {
		o = json_pack("{s:s, s:{s:s}}", "msgtype", "text", "text", "content", text);
	}
	free(text);
	return take_json(m, o, e);
}

static int dingtalk_url(struct pm_notify_msg *m, const char *url, const char *key, int64_t now,
			struct pm_err *e)
{
	char sign[128];
	size_t len;

	if (!key)
		return !(m->url = strdup(url)) ? pm_err_set(e, PM_EFAIL, _("out of memory")) : PM_OK;
	pm_dingtalk_sign(key, now * 1000, sign);
	len = strlen(url) + strlen(sign) + 48;
	if (!(m->url = malloc(len)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	snprintf(m->url, len, "%s%ctimestamp=%lld&sign=%s", url, strchr(url, '?') ? '&' : '?',
		 (long long)now * 1000, sign);
	return PM_OK;
}

/* A field of a form body, percent-encoded: a '&' or '=' in a message's
 * text (a name a resident typed) would otherwise start fields of its own,
 * another "to" among them. */
static void set_form(json_t *o, const char *k, const char *v)
{
	struct strbuf b = {0};
	char *enc;

	sb_urlencode(&b, v ? v : "");
	enc = sb_take(&b);
	json_object_set_new(o, k, enc ? json_string(enc) : json_null());
	free(enc);
}

/* Whether a media type names word, in any case: media types are
 * case-insensitive (RFC 9110), so Application/XML is XML. */
static int media_has(const char *type, const char *word)
{
	size_t n = strlen(word);

	for (; *type; type++)
		if (strncasecmp(type, word, n) == 0)
			return 1;
	return 0;
}

static int req_sms(struct pm_notify *n, struct pm_notify_msg *m, json_t *cfg, struct pm_err *e)
{
	const char *auth = secret(n, PM_CH_SMS, cfg, "auth", e), *ctype;
	json_t *f;
	int rc, json = 0, form, xml;

	if (!auth && json_object_get(cfg, "auth"))
		return e->code;
	if (!(f = json_object()))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	ctype = json_string_value(json_object_get(cfg, "content_type"));
	json = media_has(ctype, "json");
	form = strncasecmp(ctype, "application/x-www-form-urlencoded", 33) == 0;
	/* text/xml, application/xml, application/soap+xml: a '<' or '&' in
	 * a message's text would start markup of its own (another <to>),
	 * so the values are escaped as HTML's, which XML reads the same. */
	xml = media_has(ctype, "xml");
	if (json) {
		pm_tmpl_set_json(f, "to", m->address);
		pm_tmpl_set_json(f, "text", m->body);
		pm_tmpl_set_json(f, "subject", m->subject);
	} else if (form) {
		set_form(f, "to", m->address);
		set_form(f, "text", m->body);
		set_form(f, "subject", m->subject);
	} else {
		set_str(f, "to", m->address);
		set_str(f, "text", m->body);
		set_str(f, "subject", m->subject);
	}
	rc = pm_tmpl_render("sms.body", json_string_value(json_object_get(cfg, "body")), f, NULL, n->tz, xml,
			    &m->payload, e);
	json_decref(f);
	if (rc)
		return rc;
	m->req.body = m->payload;
	m->req.len = strlen(m->payload);
	if ((rc = set_header(m, 0, "Content-Type: %s%s", ctype, NULL, e)))
		return rc;
	return auth ? set_header(m, 1, "Authorization: %s%s", auth, NULL, e) : PM_OK;
}

static int req_email(struct pm_notify *n, struct pm_notify_msg *m, json_t *cfg, int64_t now, struct pm_err *e)
{
	const char *user = secret(n, PM_CH_EMAIL, cfg, "user", e), *pw;

	if (!user && json_object_get(cfg, "user"))
		return e->code;
	pw = secret(n, PM_CH_EMAIL, cfg, "password", e);
	if (!pw && json_object_get(cfg, "password"))
		return e->code;
	snprintf(m->message_id, sizeof m->message_id, "<pm-notify-%lld@pm>", (long long)m->id);
	m->mail = (struct pm_mail){
		.from = json_string_value(json_object_get(cfg, "from")), .to = m->address, .subject = m->subject,
		.text = m->body, .html = m->html, .message_id = m->message_id, .date = now,
	};
	m->req.mail = &m->mail;
	m->req.rcpt = m->address;
	m->req.user = user;
	m->req.password = pw;
	m->req.require_tls = json_is_true(json_object_get(cfg, "starttls")) &&
			     strncmp(m->url, "smtp://", 7) == 0;
	return PM_OK;
}

int pm_notify_request(struct pm_notify *n, struct pm_notify_msg *m, int64_t now, struct pm_err *e)
{
	json_t *cfg = channel_cfg(n, m->channel);
	const char *url;
	int rc;

	memset(&m->req, 0, sizeof m->req);
	if (!cfg)
		return pm_err_set(e, PM_ECONFIG, _("channel '%s' is not configured (see channels in pm.yaml(5))"),
				  channel_names[m->channel]);
	if (!(url = secret(n, m->channel, cfg, "url", e)))
		return e->code;
	if (m->channel == PM_CH_DINGTALK)
		rc = dingtalk_url(m, url, secret(n, m->channel, cfg, "secret", e), now, e);
	else
		rc = !(m->url = strdup(url)) ? pm_err_set(e, PM_EFAIL, _("out of memory")) : PM_OK;
	if (rc == PM_OK && m->channel == PM_CH_DINGTALK && json_object_get(cfg, "secret") &&
	    !secret(n, m->channel, cfg, "secret", e))
		rc = e->code;
	if (rc)
		return rc;
	m->req.url = m->url;
	m->req.headers = m->headers;
	m->req.timeout_ms = json_integer_value(json_object_get(cfg, "timeout")) * 1000;
	switch (m->channel) {
	case PM_CH_WEBHOOK: rc = req_webhook(n, m, cfg, e); break;
	case PM_CH_WECOM:
		rc = req_robot(m, strcmp(json_string_value(json_object_get(cfg, "format")), "markdown") == 0, e);
		break;
	case PM_CH_DINGTALK: rc = req_robot(m, 0, e); break;
	case PM_CH_EMAIL: rc = req_email(n, m, cfg, now, e); break;
	case PM_CH_SMS: rc = req_sms(n, m, cfg, e); break;
	default: rc = pm_err_set(e, PM_ESOFTWARE, _("channel '%s' sends no requests"), channel_names[m->channel]);
	}
	m->req.timeout_ms = m->req.timeout_ms ? m->req.timeout_ms : 10000;
	return rc;
}

/* ---- answers ---- */

/* WeCom 45009 and DingTalk 130101 say "too many messages, slow down". */
static int robot_busy(long code)
{
	return code == 45009 || code == 45033 || code == 130101 || code == -1;
}

/* At most max bytes of what a server said, as UTF-8 on one line: its
 * whole characters, a control character or a byte that is no UTF-8 (a
 * gateway's page in GBK) as \xNN. The reason goes into the outbox's
 * last_error, which every listing of the outbox prints as JSON: a
 * character cut by a byte count there made them all fail. */
static const char *shown_text(const char *s, size_t max, char *buf, size_t size)
{
	size_t n = s ? strlen(s) : 0, w = 0, k;
	unsigned cp;

	for (; n && w + 5 < size && w < max; s += k, n -= k) {
		k = pm_utf8_next(s, n, &cp);
		if (k && pm_char_unshown(cp) != 2 && w + k < size && w + k <= max) {
			memcpy(buf + w, s, k);
			w += k;
		} else if (k && pm_char_unshown(cp) != 2) {
			break;
		} else {
			k = 1;
			w += (size_t)snprintf(buf + w, size - w, "\\x%02x", (unsigned char)*s);
		}
	}
	buf[w] = '\0';
	return buf;
}

static enum pm_verdict robot_answer(const struct pm_http_res *res, char *reason, size_t size)
{
	json_t *o = json_loadb(res->body ? res->body : "", res->len, 0, NULL);
	json_t *code = json_object_get(o, "errcode");
	enum pm_verdict v;
	char said[128];

	if (!json_is_integer(code)) {
		snprintf(reason, size, _("the answer has no errcode: %s"), shown_text(res->body, 80, said, sizeof said));
		v = PM_RETRY;
	} else if (json_integer_value(code) == 0) {
		v = PM_SENT;
	} else {
		snprintf(reason, size, "errcode %lld: %s", (long long)json_integer_value(code),
			 shown_text(json_string_value(json_object_get(o, "errmsg")), 100, said, sizeof said));
		v = robot_busy((long)json_integer_value(code)) ? PM_RETRY : PM_FAILED;
	}
	json_decref(o);
	pm_utf8_trim(reason, strlen(reason));
	return v;
}

enum pm_verdict pm_notify_verdict(enum pm_channel ch, const struct pm_http_res *res, char *reason,
				  size_t size)
{
	char said[256];

	*reason = '\0';
	if (ch == PM_CH_EMAIL && res->failed && res->status >= 400) {
		snprintf(reason, size, "SMTP %ld: %s", res->status, shown_text(res->error, 200, said, sizeof said));
		pm_utf8_trim(reason, strlen(reason));
		return res->status >= 500 ? PM_FAILED : PM_RETRY;
	}
	if (res->failed) {
		snprintf(reason, size, "%s", shown_text(res->error, 200, said, sizeof said));
		pm_utf8_trim(reason, strlen(reason));
		return res->temporary ? PM_RETRY : PM_FAILED;
	}
	if (ch == PM_CH_EMAIL)
		return PM_SENT;
	if (res->status < 200 || res->status > 299) {
		snprintf(reason, size, "HTTP %ld: %s", res->status, shown_text(res->body, 100, said, sizeof said));
		pm_utf8_trim(reason, strlen(reason));
		return res->status == 408 || res->status == 429 || res->status >= 500 ? PM_RETRY : PM_FAILED;
	}
	if (ch == PM_CH_WECOM || ch == PM_CH_DINGTALK)
		return robot_answer(res, reason, size);
	return PM_SENT;
}

static const char sent_sql[] =
	"UPDATE outbox SET status = 'sent', sent_at = ?, last_error = NULL, updated_at = ? WHERE id = ?";
static const char failed_sql[] =
	"UPDATE outbox SET status = 'failed', last_error = ?, updated_at = ? WHERE id = ?";
static const char again_sql[] =
	"UPDATE outbox SET status = 'queued', next_at = ?, last_error = ?, updated_at = ? WHERE id = ?"
	" AND expires_at >= ?";

/* base * 2^(attempts-1), at most max_delay, then a random half taken off
 * so that messages that failed together do not all come back together. */
static int64_t backoff(struct pm_notify *n, int attempts)
{
	int64_t base = setting(n, "retry", "base"), cap = setting(n, "retry", "max_delay"), d = base;

	for (int i = 1; i < attempts && d < cap; i++)
		d *= 2;
	if (d > cap)
		d = cap;
	return d - (int64_t)randombytes_uniform((uint32_t)(d / 2 + 1));
}

static int settle(struct pm_notify *n, const struct pm_notify_msg *m, enum pm_verdict *v,
		  const char *reason, int64_t now, struct pm_err *e)
{
	char why[400];
	sqlite3_stmt *st;

	if (m->expired || *v == PM_RETRY) {
		if (!m->expired) {
			if (!(st = pm_db_stmt(n->db, again_sql, e)))
				return e->code;
			sqlite3_bind_int64(st, 1, now + backoff(n, m->attempts));
			sqlite3_bind_text(st, 2, reason, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 3, now);
			sqlite3_bind_int64(st, 4, m->id);
			sqlite3_bind_int64(st, 5, now);
			if (pm_db_step_done(n->db, st, _("cannot record an attempt"), e))
				return e->code;
			if (sqlite3_changes(pm_db_sqlite(n->db)))
				return PM_OK;
		}
		snprintf(why, sizeof why, _("gave up after %d attempts: %s"), m->attempts,
			 m->expired ? (m->last_error ? m->last_error : "") : reason);
		pm_utf8_trim(why, strlen(why));
		reason = why;
		*v = PM_FAILED;
	}
	if (!(st = pm_db_stmt(n->db, *v == PM_SENT ? sent_sql : failed_sql, e)))
		return e->code;
	if (*v == PM_SENT)
		sqlite3_bind_int64(st, 1, now);
	else
		sqlite3_bind_text(st, 1, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, m->id);
	return pm_db_step_done(n->db, st, _("cannot record an attempt"), e);
}

/* Counted once settled: a retry past the maximum age is a failure, and
 * the flush's account and exit status must say so. */
int pm_notify_settle(struct pm_notify *n, const struct pm_notify_msg *m, enum pm_verdict *v,
		     const char *reason, int64_t now, struct pm_err *e)
{
	int rc;

	if (!n->in_round && pm_db_begin(n->db, e))
		return e->code;
	n->in_round = 1;
	if ((rc = settle(n, m, v, reason, now, e)) == PM_OK)
		n->tally.counts[*v]++;
	return rc;
}

int pm_notify_unclaim(struct pm_notify *n, const struct pm_notify_msg *m, struct pm_err *e)
{
	static const char sql[] =
		"UPDATE outbox SET status = 'queued', attempts = attempts - 1, updated_at = ?"
		" WHERE id = ? AND status = 'sending'";
	sqlite3_stmt *st;

	if (!n->in_round && pm_db_begin(n->db, e))
		return e->code;
	n->in_round = 1;
	if (!(st = pm_db_stmt(n->db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, pm_now());
	sqlite3_bind_int64(st, 2, m->id);
	return pm_db_step_done(n->db, st, _("cannot record an attempt"), e);
}

static int flush_record(struct pm_notify *n, const char *status, struct pm_err *e)
{
	const struct pm_notify_tally *t = &n->tally;
	json_t *after = json_pack("{s:I, s:I, s:I, s:I, s:I}", "sent", (json_int_t)t->counts[PM_SENT],
				  "retry", (json_int_t)t->counts[PM_RETRY], "failed", (json_int_t)t->counts[PM_FAILED],
				  "postponed", (json_int_t)t->postponed, "recovered", (json_int_t)t->recovered);
	int rc = pm_audit_run(n->db, "notify.flush", "outbox", status, n->since, after, e);

	json_decref(after);
	return rc;
}

int pm_notify_round_end(struct pm_notify *n, struct pm_err *e)
{
	int rc = PM_OK;

	if (!n->in_round)
		return PM_OK;
	if (!n->running && (rc = flush_record(n, "running", e)) == PM_OK)
		n->running = 1;
	n->in_round = 0;
	return pm_db_end(n->db, rc, e);
}

void pm_notify_round_abort(struct pm_notify *n)
{
	if (n->in_round)
		pm_db_rollback(n->db);
	n->in_round = 0;
}

int pm_notify_flush_end(struct pm_notify *n, struct pm_err *e)
{
	const struct pm_notify_tally *t = &n->tally;
	int rc;

	if (!n->running && !t->counts[PM_SENT] && !t->counts[PM_RETRY] && !t->counts[PM_FAILED] &&
	    !t->postponed && !t->recovered)
		return PM_OK;
	if ((rc = pm_db_begin(n->db, e)))
		return rc;
	return pm_db_end(n->db, flush_record(n, "done", e), e);
}

/* ---- the outbox ---- */

static json_t *outbox_row(sqlite3_stmt *st, const char *tz)
{
	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:s, s:s, s:i, s:o, s:o, s:o, s:o}",
		"type", "message", "id", (json_int_t)sqlite3_column_int64(st, 0), "status", col(st, 1),
		"channel", col(st, 2), "template", col(st, 3), "recipient", col(st, 4),
		"address", pm_db_json_text(st, 5), "ref", col(st, 6), "unit", pm_db_json_text(st, 7),
		"subject", col(st, 8), "text", col(st, 9), "attempts", sqlite3_column_int(st, 10),
		"next_at", pm_db_json_time(st, 11, tz), "sent_at", pm_db_json_time(st, 12, tz),
		"created_at", pm_db_json_time(st, 13, tz), "error", pm_db_json_text(st, 14));
}

int pm_notify_status_parse(const char *s, struct pm_err *e)
{
	static const char *const statuses[] = {"queued", "sending", "sent", "failed"};

	for (size_t i = 0; i < sizeof statuses / sizeof *statuses; i++)
		if (strcmp(s, statuses[i]) == 0)
			return PM_OK;
	return pm_err_set(e, PM_EUSAGE, _("unknown status '%s': expected queued, sending, sent or failed"), s);
}

int pm_notify_each(struct pm_db *db, const char *status, const char *unit,
		   int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e)
{
	static const char sql[] =
		"SELECT id, status, channel, template, recipient, address, ref, unit, subject, body,"
		" attempts, next_at, sent_at, created_at, last_error FROM outbox"
		" WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR unit = ?2) ORDER BY id";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	const char *tz = pm_db_tz(db);
	int rc = PM_OK, step;
	json_t *rec;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, unit, -1, SQLITE_STATIC);
	while (rc == PM_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		if (!(rec = outbox_row(st, tz))) {
			rc = pm_err_set(e, PM_EFAIL, _("out of memory"));
			break;
		}
		rc = fn(ctx, rec);
		json_decref(rec);
	}
	sqlite3_reset(st);
	if (rc == PM_OK && step != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read the outbox"));
	return rc;
}

int pm_notify_retry(struct pm_notify *n, int64_t id, struct pm_err *e)
{
	static const char sql[] =
		"UPDATE outbox SET status = 'queued', next_at = ?1, expires_at = ?1 + ?2, updated_at = ?1"
		" WHERE id = ?3 AND status IN ('queued','failed')";
	sqlite3_stmt *st;
	char object[40];
	int rc;

	if ((rc = pm_db_begin(n->db, e)))
		return rc;
	if (!(st = pm_db_stmt(n->db, sql, e)))
		goto fail;
	sqlite3_bind_int64(st, 1, pm_now());
	sqlite3_bind_int64(st, 2, setting(n, "retry", "max_age"));
	sqlite3_bind_int64(st, 3, id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		pm_db_fail(n->db, e, _("cannot queue a message again"));
		goto fail;
	}
	if (!sqlite3_changes(pm_db_sqlite(n->db))) {
		pm_err_set(e, PM_EDATA, _("no failed or queued message %lld"), (long long)id);
		goto fail;
	}
	snprintf(object, sizeof object, "message:%lld", (long long)id);
	if (pm_audit_log(n->db, "notify.retry", object, NULL, NULL, e))
		goto fail;
	return pm_db_commit(n->db, e);
fail:
	pm_db_rollback(n->db);
	return e->code;
}

/* ---- preferences ---- */

static const char *const categories[] = {"bill", "payment", "meter", "repair", "visitor", "gate",
					 "announcement", "audit", NULL};

static int check_list(const char *list, const char *what, int (*ok)(const char *), struct pm_err *e)
{
	char word[64];

	for (const char *p = list; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		snprintf(word, sizeof word, "%.*s", (int)(n < sizeof word ? n : sizeof word - 1), p);
		if (!ok(word))
			return pm_err_set(e, PM_EDATA, _("unknown %s '%s'"), what, word);
		p = comma ? comma + 1 : NULL;
	}
	return PM_OK;
}

static int is_channel(const char *s)
{
	enum pm_channel ch;

	return pm_channel_parse(s, &ch, NULL) == PM_OK;
}

static int is_category(const char *s)
{
	for (int i = 0; categories[i]; i++)
		if (strcmp(s, categories[i]) == 0)
			return 1;
	return 0;
}

int pm_notify_prefs_get(struct pm_db *db, const char *person, json_t **out, struct pm_err *e)
{
	static const char sql[] =
		"SELECT coalesce(pr.channels, ''), coalesce(pr.optout, ''), pr.email FROM person p"
		" LEFT JOIN notify_pref pr ON pr.person_id = p.id WHERE p.code = ?";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	*out = NULL;
	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, person, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*out = json_pack("{s:s, s:s, s:s, s:s, s:o}", "type", "prefs", "person", person,
				 "channels", col(st, 0), "optout", col(st, 1), "email", pm_db_json_text(st, 2));
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return pm_err_set(e, PM_EDATA, _("no person '%s'"), person);
	if (!*out)
		return pm_db_fail(db, e, _("cannot read preferences"));
	return PM_OK;
}

static const char prefs_sql[] =
	"INSERT INTO notify_pref (person_id, channels, optout, email, created_at, updated_at)"
	" VALUES (?1, coalesce(?2, ''), coalesce(?3, ''), nullif(?4, ''), ?5, ?5)"
	" ON CONFLICT (person_id) DO UPDATE SET channels = coalesce(?2, channels),"
	" optout = coalesce(?3, optout), email = CASE WHEN ?4 IS NULL THEN email ELSE nullif(?4, '') END,"
	" updated_at = ?5";

static int prefs_write(struct pm_db *db, int64_t id, const char *person, const char *channels,
		       const char *optout, const char *email, struct pm_err *e)
{
	sqlite3_stmt *st = pm_db_stmt(db, prefs_sql, e);
	json_t *before = NULL, *after = NULL;
	char object[96];
	int rc;

	if (!st || pm_notify_prefs_get(db, person, &before, e))
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, channels, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, optout, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, email, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, pm_now());
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = pm_db_fail(db, e, _("cannot store preferences"));
	else if ((rc = pm_notify_prefs_get(db, person, &after, e)) == PM_OK) {
		snprintf(object, sizeof object, "person:%s", person);
		rc = pm_audit_log(db, "notify.prefs", object, before, after, e);
	}
	json_decref(before);
	json_decref(after);
	return rc;
}

int pm_notify_prefs_set(struct pm_db *db, const char *person, const char *channels,
			const char *optout, const char *email, struct pm_err *e)
{
	int64_t id;
	int rc;

	if (check_list(channels, _("channel"), is_channel, e) ||
	    check_list(optout, _("category"), is_category, e))
		return e->code;
	if (email && *email && !pm_address_is_email(email))
		return pm_err_set(e, PM_EDATA, _("'%s' is not an e-mail address"), email);
	if ((rc = pm_db_begin(db, e)))
		return rc;
	if ((rc = pm_person_id(db, person, &id, e)) == PM_OK)
		rc = prefs_write(db, id, person, channels, optout, email, e);
	if (rc) {
		pm_db_rollback(db);
		return rc;
	}
	return pm_db_commit(db, e);
}

int pm_notify_prefs_may(struct pm_db *db, const struct pm_actor *a, const char *person,
			struct pm_err *e)
{
	int64_t id = 0;
	struct pm_err ignored;

	if (pm_auth_allowed(a->role, "notify.prefs"))
		return PM_OK;
	if (pm_auth_allowed(a->role, "notify.self") && a->person_id &&
	    pm_person_id(db, person, &id, &ignored) == PM_OK && id == a->person_id)
		return PM_OK;
	return pm_err_set(e, PM_ENOPERM, _("user '%s' (%s) may not see or change the preferences of '%s'"),
			  a->login, pm_role_name(a->role), person);
}
