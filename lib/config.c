/* config: pm.yaml loaded through its schema (lib/sections.c, read by
 * lib/schema.c) into a configuration, and its versions in the store:
 * applied, listed, compared, and the one in force on a day. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "pm/audit.h"
#include "pm/config.h"
#include "pm/db.h"
#include "pm/file.h"
#include "pm/i18n.h"
#include "pm/jsonl.h"
#include "pm/money.h"
#include "pm/secret.h"
#include "pm/timeutil.h"
#include "config-internal.h"
#include "strbuf-internal.h"

struct pm_config {
	json_t *root;
	int32_t effective;
	char *text;
	size_t len;
	int64_t version; /* in the store; 0 when loaded from a file */
	int refs;        /* the holders: callers, and the cache of the one in force */
};

/* The configuration */

/* What one section names in another: a callback endpoint for a channel
 * payments.channels does not have answered every call "unknown channel",
 * and the provider sent its notifications again and again. */
static int config_agree(json_t *root, const char *name, struct pm_err *e)
{
	json_t *cbs = json_object_get(json_object_get(root, "web"), "callbacks"), *pay, *v, *c;
	const char *key;
	size_t i;
	int rc = PM_OK;

	if (!json_object_size(cbs))
		return PM_OK;
	if ((pay = json_incref(json_object_get(root, "payments"))) == NULL && pm_config_defaults("payments", &pay, e))
		return e->code;
	json_object_foreach(cbs, key, v) {
		json_array_foreach(json_object_get(pay, "channels"), i, c)
			if (strcmp(json_string_value(c), key) == 0)
				break;
		if (i == json_array_size(json_object_get(pay, "channels"))) {
			rc = pm_err_set(e, PM_ECONFIG, _("%s: web.callbacks.%s: payments.channels has no channel \"%s\","
							 " so every payment through it would be refused"), name, key, key);
			break;
		}
	}
	json_decref(pay);
	return rc;
}

static int config_load(const char *text, size_t len, const char *name, bool stored,
		       struct pm_config **out, struct pm_err *e)
{
	struct pm_config *c;
	struct pm_err ignored;
	json_t *root;
	int rc;

	*out = NULL;
	name = name ? name : "config";
	if (len > PM_CONFIG_MAX)
		return pm_err_set(e, PM_ECONFIG, _("%s: larger than %d bytes: not a configuration"),
				  name, PM_CONFIG_MAX);
	if ((rc = pm_schema_read(pm_config_schema(), text, len, name, stored, NULL, &root, e)))
		return rc;
	if (!stored && (rc = config_agree(root, name, e))) {
		json_decref(root);
		return rc;
	}
	if (!(c = calloc(1, sizeof *c)) || !(c->text = malloc(len + 1))) {
		free(c);
		json_decref(root);
		return pm_err_set(e, PM_EFAIL, _("%s: out of memory"), name);
	}
	if (len)
		memcpy(c->text, text, len);
	c->text[len] = '\0';
	c->len = len;
	c->root = root;
	c->refs = 1;
	/* The schema has checked the date already. */
	pm_date_parse(json_string_value(json_object_get(root, "effective")), &c->effective,
		      &ignored);
	*out = c;
	return PM_OK;
}

int pm_config_load(const char *text, size_t len, const char *name, struct pm_config **out,
		   struct pm_err *e)
{
	return config_load(text, len, name, false, out, e);
}

/* At most PM_CONFIG_MAX + 1 bytes, enough for pm_config_load to refuse. */
int pm_config_load_file(const char *path, struct pm_config **out, struct pm_err *e)
{
	char *buf;
	size_t len;
	int rc;

	*out = NULL;
	if (pm_file_read(path, PM_CONFIG_MAX, &buf, &len, e))
		return e->code;
	rc = pm_config_load(buf, len, strcmp(path, "-") ? path : "stdin", out, e);
	free(buf);
	return rc;
}

void pm_config_free(struct pm_config *cfg)
{
	if (!cfg || --cfg->refs > 0)
		return;
	json_decref(cfg->root);
	free(cfg->text);
	free(cfg);
}

const char *pm_config_text(const struct pm_config *cfg, size_t *len)
{
	*len = cfg->len;
	return cfg->text;
}

json_t *pm_config_json(const struct pm_config *cfg)
{
	return cfg->root;
}

json_t *pm_config_section(const struct pm_config *cfg, const char *name)
{
	return json_object_get(cfg->root, name);
}

int32_t pm_config_effective(const struct pm_config *cfg)
{
	return cfg->effective;
}

static const char *community(const struct pm_config *cfg, const char *key)
{
	return json_string_value(json_object_get(pm_config_section(cfg, "community"), key));
}

const char *pm_config_community_name(const struct pm_config *cfg)
{
	return community(cfg, "name");
}

const char *pm_config_timezone(const struct pm_config *cfg)
{
	return community(cfg, "timezone");
}

const char *pm_config_address(const struct pm_config *cfg)
{
	return community(cfg, "address");
}

/* ---- versions in the store ---- */

static void sha256_hex(const char *text, size_t len, char out[65])
{
	unsigned char md[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(md, (const unsigned char *)text, len);
	sodium_bin2hex(out, 65, md, sizeof md);
}

static int latest_sha(struct pm_db *db, char sha[65], struct pm_err *e)
{
	static const char sql[] = "SELECT sha256 FROM config_version ORDER BY version DESC LIMIT 1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	sha[0] = '\0';
	if (!st)
		return e->code;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(sha, 65, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read config versions"));
	return PM_OK;
}

static int insert_version(struct pm_db *db, const struct pm_config *cfg, const char *source,
			  const char *sha, int64_t *version, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO config_version (effective, applied_at, applied_by, sha256, source, yaml, json)"
		" VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING version";
	char day[PM_TIME_BUF], *json = json_dumps(cfg->root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	size_t len;
	const char *text = pm_config_text(cfg, &len);
	int rc;

	if (!st || !json) {
		free(json);
		return st ? pm_err_set(e, PM_EFAIL, _("out of memory")) : e->code;
	}
	sqlite3_bind_text(st, 1, pm_date_fmt(pm_config_effective(cfg), day), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, pm_now());
	sqlite3_bind_text(st, 3, pm_db_actor(db), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, sha, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, text, (int)len, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, json, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*version = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	free(json);
	if (rc != SQLITE_ROW)
		return pm_db_fail(db, e, _("cannot store the configuration"));
	return PM_OK;
}

int pm_config_apply(struct pm_db *db, const struct pm_config *cfg, const char *source,
		    int64_t *version, struct pm_err *e)
{
	char sha[65], last[65], object[48];
	json_t *after;
	size_t len;
	const char *text = pm_config_text(cfg, &len);

	*version = 0;
	sha256_hex(text, len, sha);
	if (pm_db_begin(db, e))
		return e->code;
	if (latest_sha(db, last, e))
		goto fail;
	if (strcmp(sha, last) == 0) {
		pm_db_rollback(db);
		return PM_OK;
	}
	if (insert_version(db, cfg, source, sha, version, e))
		goto fail;
	snprintf(object, sizeof object, "config:%lld", (long long)*version);
	after = json_pack("{s:s, s:s}", "source", source, "sha256", sha);
	if (pm_audit_log(db, "config.apply", object, NULL, after, e)) {
		json_decref(after);
		goto fail;
	}
	json_decref(after);
	return pm_db_commit(db, e);
fail:
	pm_db_rollback(db);
	return e->code;
}

/* YAML double-quoted scalars escape backslash and quote; names may hold
 * anything else, Chinese included, and of any length. */
static void yaml_quote(struct strbuf *b, const char *s)
{
	sb_add(b, "\"", 1);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			sb_add(b, "\\", 1);
		sb_add(b, s, 1);
	}
	sb_add(b, "\"", 1);
}

int pm_config_init(struct pm_db *db, const char *name, const char *tz, struct pm_err *e)
{
	char day[PM_TIME_BUF];
	struct strbuf text = {0};
	struct pm_config *cfg;
	int64_t version;
	int rc;

	/* The first version is the base every later one overrides, so it is
	 * in force from the start of time, not from the day of pm init. */
	sb_fmt(&text, "effective: %s\ncommunity:\n  name: ", pm_date_fmt(0, day));
	yaml_quote(&text, name);
	sb_add(&text, "\n  timezone: ", 13);
	yaml_quote(&text, tz);
	sb_add(&text, "\n", 1);
	if (text.failed) {
		free(text.p);
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	}
	rc = pm_config_load(text.p, text.n, "pm init", &cfg, e);
	free(text.p);
	if (rc)
		return e->code;
	rc = pm_config_apply(db, cfg, "pm init", &version, e);
	pm_config_free(cfg);
	return rc;
}

/* The text of a stored version with each secret written as itself (an
 * older pm took them) replaced by "<redacted>", for everyone who reads it:
 * its sha256 stays the one of the text as applied. */
static json_t *redacted(const char *text, size_t len)
{
	json_t *spans = json_array(), *root = NULL, *sp, *out;
	struct pm_err ignored;
	struct strbuf b = { 0 };
	size_t i, at = 0, from, to;

	pm_schema_read(pm_config_schema(), text, len, "config", true, spans, &root, &ignored);
	json_decref(root);
	json_array_foreach(spans, i, sp) {
		from = (size_t)json_integer_value(json_array_get(sp, 0));
		to = (size_t)json_integer_value(json_array_get(sp, 1));
		if (from < at || to > len || to < from)
			continue;
		sb_add(&b, text + at, from - at);
		/* A block scalar's span takes its line end with it. */
		sb_str(&b, to > from && text[to - 1] == '\n' ? "\"<redacted>\"\n" : "\"<redacted>\"");
		at = to;
	}
	sb_add(&b, text + at, len - at);
	json_decref(spans);
	out = b.failed ? NULL : json_stringn(b.p ? b.p : "", b.n);
	free(b.p);
	return out;
}

/* The version in force on a day: the latest effective date on or before
 * it, and of versions sharing that date the last applied. */
#define IN_FORCE " ORDER BY effective DESC, version DESC LIMIT 1"
#define VERSION_COLS "SELECT version, effective, applied_at, applied_by, source, sha256, yaml FROM config_version"

int pm_config_stored(struct pm_db *db, int64_t version, json_t **rec, struct pm_err *e)
{
	static const char by_version[] = VERSION_COLS " WHERE version = ?1";
	static const char in_force[] = VERSION_COLS " WHERE effective <= ?2" IN_FORCE;
	char day[PM_TIME_BUF], at[PM_TIME_BUF];
	sqlite3_stmt *st = pm_db_stmt(db, version ? by_version : in_force, e);
	int rc;

	*rec = NULL;
	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, version);
	sqlite3_bind_text(st, 2, pm_date_fmt(pm_db_today(db), day), -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*rec = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:o}", "type", "config",
			"version", (json_int_t)sqlite3_column_int64(st, 0),
			"effective", (const char *)sqlite3_column_text(st, 1),
			"applied_at", pm_time_fmt(sqlite3_column_int64(st, 2), pm_db_tz(db), at),
			"applied_by", (const char *)sqlite3_column_text(st, 3),
			"source", (const char *)sqlite3_column_text(st, 4),
			"sha256", (const char *)sqlite3_column_text(st, 5),
			"yaml", redacted((const char *)sqlite3_column_text(st, 6),
					 (size_t)sqlite3_column_bytes(st, 6)));
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return version ? pm_err_set(e, PM_EDATA, _("no config version %lld"), (long long)version)
			       : pm_err_set(e, PM_ECONFIG, _("no configuration in force: run 'pm config apply FILE'"));
	if (rc != SQLITE_ROW)
		return pm_db_fail(db, e, _("cannot read config versions"));
	return PM_OK;
}

/* The last version loaded, by the hash of its text: a program that asks
 * for the configuration in force several times parses it once. */
static struct {
	char sha[65];
	struct pm_config *cfg;
} current;

static int load_version(sqlite3_stmt *st, struct pm_config **out, struct pm_err *e)
{
	const char *sha = (const char *)sqlite3_column_text(st, 1);
	char name[48];

	if (current.cfg && strcmp(current.sha, sha) == 0) {
		current.cfg->refs++;
		*out = current.cfg;
		return PM_OK;
	}
	snprintf(name, sizeof name, "config version %lld", (long long)sqlite3_column_int64(st, 0));
	if (config_load((const char *)sqlite3_column_text(st, 2), (size_t)sqlite3_column_bytes(st, 2),
			name, true, out, e))
		return e->code;
	(*out)->version = sqlite3_column_int64(st, 0);
	pm_config_free(current.cfg);
	snprintf(current.sha, sizeof current.sha, "%s", sha);
	current.cfg = *out;
	current.cfg->refs++;
	return PM_OK;
}

int pm_config_current(struct pm_db *db, int32_t day, struct pm_config **out, struct pm_err *e)
{
	static const char sql[] =
		"SELECT version, sha256, yaml FROM config_version WHERE effective <= ?1" IN_FORCE;
	char date[PM_TIME_BUF];
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	*out = NULL;
	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, pm_date_fmt(day, date), -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		rc = load_version(st, out, e);
		sqlite3_reset(st);
		return rc;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return pm_err_set(e, PM_ECONFIG, _("no configuration in force on %s: run 'pm config apply FILE'"), date);
	return pm_db_fail(db, e, _("cannot read config versions"));
}

int pm_config_version_load(struct pm_db *db, int64_t version, struct pm_config **out, struct pm_err *e)
{
	static const char sql[] = "SELECT version, sha256, yaml FROM config_version WHERE version = ?1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	*out = NULL;
	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, version);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = load_version(st, out, e);
	else if (rc == SQLITE_DONE)
		rc = pm_err_set(e, PM_EDATA, _("no config version %lld"), (long long)version);
	else
		rc = pm_db_fail(db, e, _("cannot read config versions"));
	sqlite3_reset(st);
	return rc;
}

/* A section not in the stored tree: its defaults, if it is one that has
 * them (a version applied before the section existed), else NULL. */
static int section_default(const char *name, json_t **out, struct pm_err *e)
{
	const struct pm_schema_key *k;

	*out = NULL;
	for (k = pm_config_schema()->keys; k->name; k++)
		if (strcmp(k->name, name) == 0 && k->def)
			return pm_config_defaults(name, out, e);
	return PM_OK;
}

/* The sections a program last read with sections_together, by the hash
 * of the version they came from: a FastCGI pm-web asks for the same two
 * at every request, and extracting them from the stored tree was a fifth
 * of its time a request (perf, the bill page); the version in force is a
 * look-up of one row. Shared with the callers, who only read them. */
static struct {
	char sha[65];
	char names[4][32];
	int n;
	json_t *outs[4];
} today;

static void today_keep(const char *sha, const char *const *names, json_t **outs, int n)
{
	for (int i = 0; i < today.n; i++)
		json_decref(today.outs[i]);
	snprintf(today.sha, sizeof today.sha, "%s", sha);
	today.n = n;
	for (int i = 0; i < n; i++) {
		snprintf(today.names[i], sizeof today.names[i], "%s", names[i]);
		today.outs[i] = json_incref(outs[i]);
	}
}

/* 1 when today holds names of the version whose hash is sha. */
static int today_has(const char *sha, const char *const *names, int n)
{
	if (today.n != n || strcmp(today.sha, sha) != 0)
		return 0;
	for (int i = 0; i < n; i++)
		if (strcmp(today.names[i], names[i]) != 0)
			return 0;
	return 1;
}

static int today_sha(struct pm_db *db, const char *date, char sha[65], struct pm_err *e)
{
	static const char sql[] = "SELECT sha256 FROM config_version WHERE effective <= ?1" IN_FORCE;
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	const char *text = NULL;
	int rc;

	sha[0] = '\0';
	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, date, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && (text = (const char *)sqlite3_column_text(st, 0)))
		snprintf(sha, 65, "%s", text);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read config versions"));
}

/* Sections 2 to 4 by one json_extract of n paths: SQLite parses the
 * stored tree once and answers a JSON array, a null for a section not
 * there; or those kept, when the version in force is theirs. */
static int sections_together(struct pm_db *db, const char *const *names, json_t **outs, int n,
			     struct pm_err *e)
{
#define TODAY_SECTIONS(paths) \
	"SELECT sha256, json_extract(json, " paths ") FROM config_version WHERE effective <= ?1" IN_FORCE
	static const char *const sql[] = {
		TODAY_SECTIONS("'$.' || ?2, '$.' || ?3"),
		TODAY_SECTIONS("'$.' || ?2, '$.' || ?3, '$.' || ?4"),
		TODAY_SECTIONS("'$.' || ?2, '$.' || ?3, '$.' || ?4, '$.' || ?5"),
	};
#undef TODAY_SECTIONS
	char date[PM_TIME_BUF], sha[65] = "";
	sqlite3_stmt *st;
	const char *text;
	json_t *all = NULL;
	int rc, i;

	pm_date_fmt(pm_date_of(pm_now(), pm_db_tz(db)), date);
	if (today.n) {
		if ((rc = today_sha(db, date, sha, e)))
			return rc;
		if (today_has(sha, names, n)) {
			for (i = 0; i < n; i++)
				outs[i] = json_incref(today.outs[i]);
			return PM_OK;
		}
	}
	if (!(st = pm_db_stmt(db, sql[n - 2], e)))
		return e->code;
	sqlite3_bind_text(st, 1, date, -1, SQLITE_STATIC);
	for (i = 0; i < n; i++)
		sqlite3_bind_text(st, i + 2, names[i], -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && (text = (const char *)sqlite3_column_text(st, 1))) {
		all = json_loads(text, 0, NULL);
		if ((text = (const char *)sqlite3_column_text(st, 0)))
			snprintf(sha, sizeof sha, "%s", text);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read config versions"));
	for (i = 0, rc = PM_OK; i < n && rc == PM_OK; i++) {
		json_t *v = json_array_get(all, (size_t)i);

		if (v && !json_is_null(v))
			outs[i] = json_incref(v);
		else
			rc = section_default(names[i], &outs[i], e);
	}
	json_decref(all);
	if (rc == PM_OK && sha[0])
		today_keep(sha, names, outs, n);
	return rc;
}

int pm_config_today_sections(struct pm_db *db, const char *const *names, json_t **outs, int n,
			     struct pm_err *e)
{
	int rc = PM_OK, i;

	for (i = 0; i < n; i++)
		outs[i] = NULL;
	if (n >= 2 && n <= 4)
		rc = sections_together(db, names, outs, n, e);
	else /* one section, or more than one statement takes: one read each */
		for (i = 0; i < n && rc == PM_OK; i++)
			rc = pm_config_today(db, names[i], &outs[i], e);
	if (rc)
		for (i = 0; i < n; i++) {
			json_decref(outs[i]);
			outs[i] = NULL;
		}
	return rc;
}

int pm_config_today(struct pm_db *db, const char *name, json_t **out, struct pm_err *e)
{
	static const char sql[] =
		"SELECT json_extract(json, '$.' || ?2) FROM config_version WHERE effective <= ?1" IN_FORCE;
	char date[PM_TIME_BUF];
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	const char *text = NULL;
	int rc;

	*out = NULL;
	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, pm_date_fmt(pm_date_of(pm_now(), pm_db_tz(db)), date), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && (text = (const char *)sqlite3_column_text(st, 0)))
		*out = json_loads(text, JSON_DECODE_ANY, NULL);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read config versions"));
	if (*out)
		return PM_OK;
	return section_default(name, out, e);
}

/* From the version pm_config_current keeps, not a section read anew
 * (pm_config_today): pm-bill pay asks once a payment, and reading the
 * section out of the stored JSON was 250,000 instructions a time. */
int pm_config_latest(struct pm_db *db, int64_t *latest, struct pm_err *e)
{
	struct pm_config *cfg;
	json_t *meters, *dflt = NULL;

	if (pm_config_current(db, pm_date_of(pm_now(), pm_db_tz(db)), &cfg, e))
		return e->code;
	if (!(meters = pm_config_section(cfg, "meters")) && pm_config_defaults("meters", &dflt, e) == PM_OK)
		meters = dflt;
	if (meters)
		*latest = pm_now() + json_integer_value(json_object_get(meters, "future_tolerance"));
	json_decref(dflt);
	pm_config_free(cfg);
	return meters ? PM_OK : e->code;
}

int pm_config_defaults(const char *name, json_t **out, struct pm_err *e)
{
	const struct pm_schema_key *k;
	const char *empty;

	*out = NULL;
	for (k = pm_config_schema()->keys; k->name; k++)
		if (strcmp(k->name, name) == 0) {
			empty = k->def ? k->def : k->node->type == PM_SCHEMA_LIST ? "[]" : "{}";
			return pm_schema_load(k->node, empty, strlen(empty), name, out, e);
		}
	return PM_OK;
}

int64_t pm_config_version(const struct pm_config *cfg)
{
	return cfg->version;
}

/* ---- versions listed and compared ---- */

static json_t *version_row(sqlite3_stmt *st, void *ctx)
{
	struct pm_db *db = ctx;
	char at[PM_TIME_BUF];

	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:b}", "type", "config_version",
			 "version", (json_int_t)sqlite3_column_int64(st, 0),
			 "effective", (const char *)sqlite3_column_text(st, 1),
			 "applied_at", pm_time_fmt(sqlite3_column_int64(st, 2), pm_db_tz(db), at),
			 "applied_by", (const char *)sqlite3_column_text(st, 3),
			 "source", (const char *)sqlite3_column_text(st, 4), "in_force", sqlite3_column_int(st, 5));
}

int pm_config_each(struct pm_db *db, int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e)
{
	static const char sql[] =
		"SELECT version, effective, applied_at, applied_by, source,"
		" version = (SELECT version FROM config_version WHERE effective <= ?1" IN_FORCE ")"
		" FROM config_version ORDER BY version";
	char day[PM_TIME_BUF];
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, pm_date_fmt(pm_db_today(db), day), -1, SQLITE_TRANSIENT);
	return pm_db_each(db, st, version_row, db, fn, ctx, _("cannot read config versions"), e);
}

/* A stored version's normalized tree, a new reference. */
static int version_tree(struct pm_db *db, int64_t version, json_t **tree, struct pm_err *e)
{
	static const char sql[] = "SELECT json FROM config_version WHERE version = ?1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	*tree = NULL;
	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, version);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*tree = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return pm_err_set(e, PM_EDATA, _("no config version %lld"), (long long)version);
	if (rc != SQLITE_ROW)
		return pm_db_fail(db, e, _("cannot read config versions"));
	return *tree ? PM_OK : pm_err_set(e, PM_ESOFTWARE, _("config version %lld is stored damaged"),
					  (long long)version);
}

/* The node of key k under s (a MAP's key, a DICT's item), NULL if none. */
static const struct pm_schema *key_node(const struct pm_schema *s, const char *k)
{
	int i;

	if (s && s->type == PM_SCHEMA_DICT)
		return s->item;
	if (!s || s->type != PM_SCHEMA_MAP || (i = pm_schema_key_find(s->keys, k)) < 0)
		return NULL;
	return s->keys[i].node;
}

/* A scalar of the tree as pm.yaml writes it: "3.45" for a price kept in
 * ten-thousandths, "15.00" for money kept in fen, "08:30", "4h"; NULL
 * for one that reads the same in both. */
static json_t *written(const struct pm_schema *s, json_t *v)
{
	static const struct { int64_t secs; char unit; } units[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
	int64_t n = json_integer_value(v);
	char buf[PM_MONEY_BUF];
	size_t len;
	size_t i;

	if (!s || !json_is_integer(v))
		return NULL;
	switch (s->type) {
	case PM_SCHEMA_MONEY:
		return json_string(pm_money_fmt(n, buf));
	case PM_SCHEMA_DECIMAL:
		pm_decimal_fmt(n, s->places, buf);
		len = strlen(buf);
		while (s->places && len > 0 && buf[len - 1] == '0')
			buf[--len] = '\0';
		if (len > 0 && buf[len - 1] == '.')
			buf[--len] = '\0';
		return json_string(buf);
	case PM_SCHEMA_TIME:
		snprintf(buf, sizeof buf, "%02d:%02d", (int)(n / 3600), (int)(n / 60 % 60));
		return json_string(buf);
	case PM_SCHEMA_DURATION:
		for (i = 0; i < 3 && n % units[i].secs; i++)
			;
		snprintf(buf, sizeof buf, "%lld%c", (long long)(n / units[i].secs), units[i].unit);
		return json_string(buf);
	default:
		return NULL;
	}
}

/* A value as a diff shows it: its scalars as pm.yaml writes them, and
 * each secret written as itself (an older pm took them) "<redacted>",
 * as pm config show has it. */
static json_t *shown(const struct pm_schema *s, json_t *v)
{
	json_t *w;

	struct pm_err ignored;
	const char *k;
	json_t *out, *item;
	size_t i;

	if (!v)
		return json_null();
	if (json_is_object(v)) {
		out = json_object();
		json_object_foreach(v, k, item)
			json_object_set_new(out, k, shown(key_node(s, k), item));
		return out;
	}
	if (json_is_array(v)) {
		out = json_array();
		json_array_foreach(v, i, item)
			json_array_append_new(out, shown(s && s->type == PM_SCHEMA_LIST ? s->item : NULL, item));
		return out;
	}
	if (s && s->secret && json_is_string(v) && pm_secret_ref_check(json_string_value(v), &ignored))
		return json_string("<redacted>");
	if ((w = written(s, v)))
		return w;
	return json_incref(v);
}

/* The value at path (dot-separated) under v, whose node is s: keys of
 * maps, items of lists by index or by their "name". NULL when there is
 * none, and for a secret. *node is the value's node. */
static json_t *path_get(const struct pm_schema *s, json_t *v, const char *path, const struct pm_schema **node)
{
	char seg[64], *end;
	size_t n, i;
	json_t *item;

	while (*path && v) {
		n = strcspn(path, ".");
		if (n == 0 || n >= sizeof seg)
			return NULL;
		memcpy(seg, path, n);
		seg[n] = '\0';
		path += n + (path[n] == '.');
		if (json_is_object(v)) {
			s = key_node(s, seg);
			v = json_object_get(v, seg);
		} else if (json_is_array(v)) {
			s = s && s->type == PM_SCHEMA_LIST ? s->item : NULL;
			i = (size_t)strtoul(seg, &end, 10);
			if (*end) {
				json_array_foreach(v, i, item)
					if (json_is_string(json_object_get(item, "name")) &&
					    strcmp(json_string_value(json_object_get(item, "name")), seg) == 0)
						break;
			}
			v = json_array_get(v, i);
		} else {
			return NULL;
		}
	}
	*node = s;
	return v && !(s && s->secret) ? v : NULL;
}

int pm_config_value(struct pm_db *db, const char *path, json_t **out, struct pm_err *e)
{
	const struct pm_schema *s = NULL;
	char section[64];
	size_t n = strcspn(path, ".");
	json_t *tree = NULL, *v;
	int rc;

	*out = NULL;
	if (n == 0 || n >= sizeof section)
		return pm_err_set(e, PM_ECONFIG, _("no config value \"%s\""), path);
	memcpy(section, path, n);
	section[n] = '\0';
	if ((rc = pm_config_today(db, section, &tree, e)))
		return rc;
	v = tree ? path_get(key_node(pm_config_schema(), section), tree, path + n + (path[n] == '.'), &s) : NULL;
	if (v && !json_is_object(v) && !json_is_array(v) && !(*out = written(s, v)))
		*out = json_incref(v);
	json_decref(tree);
	return *out ? PM_OK : pm_err_set(e, PM_ECONFIG, _("no config value \"%s\""), path);
}

struct diff {
	int (*fn)(void *ctx, json_t *rec);
	void *ctx;
	char path[512];
};

static int change(struct diff *d, const struct pm_schema *s, const char *what, json_t *a, json_t *b)
{
	json_t *rec = json_pack("{s:s, s:s, s:s, s:o, s:o}", "type", "config_change", "path", d->path,
				"change", what, "before", shown(s, a), "after", shown(s, b));
	int rc = d->fn(d->ctx, rec);

	json_decref(rec);
	return rc;
}

/* A list of maps named by their "name" (fee items): compared item by
 * item, by name, not by place. */
static bool named_list(const struct pm_schema *s)
{
	return s && s->type == PM_SCHEMA_LIST && s->item && s->item->type == PM_SCHEMA_MAP &&
	       pm_schema_key_find(s->item->keys, "name") >= 0;
}

static int walk(struct diff *d, const struct pm_schema *s, json_t *a, json_t *b);

/* Compares a's and b's child k (a key, or with item the name of an item
 * of a named list), with the path grown for it and put back after. */
static int child(struct diff *d, const struct pm_schema *s, bool item, const char *k, json_t *a, json_t *b)
{
	size_t len = strlen(d->path);
	int rc;

	snprintf(d->path + len, sizeof d->path - len, item ? "[%s]" : len ? ".%s" : "%s", k);
	rc = !a ? change(d, s, "added", NULL, b) : !b ? change(d, s, "removed", a, NULL) : walk(d, s, a, b);
	d->path[len] = '\0';
	return rc;
}

static int walk(struct diff *d, const struct pm_schema *s, json_t *a, json_t *b)
{
	const char *k, *name;
	json_t *v;
	size_t i;
	int rc = PM_OK;

	if (json_equal(a, b))
		return PM_OK;
	if (json_is_object(a) && json_is_object(b)) {
		json_object_foreach(a, k, v)
			if (rc == PM_OK)
				rc = child(d, key_node(s, k), false, k, v, json_object_get(b, k));
		json_object_foreach(b, k, v)
			if (rc == PM_OK && !json_object_get(a, k))
				rc = child(d, key_node(s, k), false, k, NULL, v);
		return rc;
	}
	if (named_list(s) && json_is_array(a) && json_is_array(b)) {
		json_array_foreach(a, i, v)
			if (rc == PM_OK && (name = json_string_value(json_object_get(v, "name"))))
				rc = child(d, s->item, true, name, v, pm_json_find(b, "name", name));
		json_array_foreach(b, i, v)
			if (rc == PM_OK && (name = json_string_value(json_object_get(v, "name"))) && !pm_json_find(a, "name", name))
				rc = child(d, s->item, true, name, NULL, v);
		return rc;
	}
	return change(d, s, "changed", a, b);
}

int pm_config_diff(struct pm_db *db, int64_t a, int64_t b, int (*fn)(void *ctx, json_t *rec), void *ctx,
		   struct pm_err *e)
{
	struct diff d = {fn, ctx, ""};
	json_t *ta = NULL, *tb = NULL;
	int rc;

	if (!(rc = version_tree(db, a, &ta, e)) && !(rc = version_tree(db, b, &tb, e)))
		rc = walk(&d, pm_config_schema(), ta, tb);
	json_decref(ta);
	json_decref(tb);
	return rc;
}

int pm_config_timezones(struct pm_db *db, int64_t version, char *was, char *now, size_t size, struct pm_err *e)
{
	/* As pm_db_tz reads it: the community's zone is its last version's. */
	static const char sql[] =
		"SELECT (SELECT json_extract(json, '$.community.timezone') FROM config_version WHERE version < ?1"
		" ORDER BY version DESC LIMIT 1),"
		" (SELECT json_extract(json, '$.community.timezone') FROM config_version WHERE version = ?1)";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	*was = *now = '\0';
	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, version);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		pm_text_col(st, 0, was, size);
		pm_text_col(st, 1, now, size);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot read config versions"));
}

int pm_config_dropped(struct pm_db *db, int64_t version, int64_t *before, json_t **dropped, struct pm_err *e)
{
	static const char sql[] =
		"SELECT version FROM config_version WHERE version < ?1"
		" AND effective <= (SELECT effective FROM config_version WHERE version = ?1)" IN_FORCE;
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	json_t *was = NULL, *now = NULL, *fee, *fees;
	const char *name;
	size_t i;
	int rc;

	*before = 0;
	*dropped = json_array();
	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, version);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*before = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read config versions"));
	if (!*before)
		return PM_OK;
	if (!(rc = version_tree(db, *before, &was, e)) && !(rc = version_tree(db, version, &now, e))) {
		fees = json_object_get(now, "fees");
		json_array_foreach(json_object_get(was, "fees"), i, fee)
			if ((name = json_string_value(json_object_get(fee, "name"))) && !pm_json_find(fees, "name", name))
				json_array_append(*dropped, fee);
	}
	json_decref(was);
	json_decref(now);
	return rc;
}
