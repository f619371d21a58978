/* The community's configuration: one YAML file (pm.yaml(5)) applied with
 * `pm config apply FILE`, checked against a schema while it is parsed, and
 * kept as a normalized JSON tree: strings, integers (decimals scaled,
 * money in fen, durations and times of day in seconds), booleans, and
 * dates as "YYYY-MM-DD". Each applied version is stored with its text, so
 * loading from memory is the main path.
 *
 * Adding a section (fees, meters, sla, ...) takes one schema table, in
 * lib/sections.c, where every section of pm.yaml is described, so that
 * the module that reads a section needs nothing of the schema and
 * lib/config.c nothing of the modules:
 *
 * 1. Describe it with the nodes of lib/config-internal.h:
 *
 *	static const struct pm_schema sla_schema = {
 *		.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
 *		PM_KEY("response", PM_NODE(PM_SCHEMA_DURATION, .min = "1m"), .def = "4h"),
 *		PM_KEY("levels", PM_NODE(PM_SCHEMA_LIST, .min = "1",
 *			.item = PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("low", "high"))),
 *		       .required = true)),
 *	};
 *
 * 2. Add one line to the top-level keys, config_schema:
 *	PM_KEY("sla", &sla_schema),
 *
 * 3. Document its keys in share/man/man5/pm.yaml.5 and
 *    share/pm/examples/pm.yaml, and test them in tests/unit/test_config.c.
 *
 * Positions in messages, unknown-key suggestions, defaults and the JSON
 * form all come from the schema. Callers read the section with
 * pm_config_section(cfg, "sla") and jansson, or through a typed accessor
 * added below when many callers need the same value.
 */
#ifndef PM_CONFIG_H
#define PM_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "pm/err.h"

/* A configuration longer than this is refused rather than read. */
#define PM_CONFIG_MAX (4 * 1024 * 1024)

struct pm_config;

/* Parses and validates the YAML text (len bytes, UTF-8, no NUL needed).
 * name is what messages call the text ("pm.yaml"). PM_OK with *out set,
 * or PM_ECONFIG with "NAME:LINE:COL: message" (1-based line and column of
 * the offending node), for a YAML syntax error as for a value that breaks
 * the schema; the first problem found is the one reported. */
int pm_config_load(const char *text, size_t len, const char *name,
		   struct pm_config **out, struct pm_err *e);

/* Reads path ("-" is stdin, called "stdin" in messages) and loads it.
 * PM_ENOINPUT if it cannot be read. */
int pm_config_load_file(const char *path, struct pm_config **out, struct pm_err *e);

/* NULL is fine. */
void pm_config_free(struct pm_config *cfg);

/* The text the configuration was loaded from, byte for byte, with a NUL
 * after its len bytes: what `pm config apply` stores. */
const char *pm_config_text(const struct pm_config *cfg, size_t *len);

/* The normalized tree, owned by cfg (json_incref it to keep it longer):
 * defaults filled in, keys in schema order. */
json_t *pm_config_json(const struct pm_config *cfg);

/* A top-level section ("community", "fees"), owned by cfg; NULL when the
 * configuration has none. */
json_t *pm_config_section(const struct pm_config *cfg, const char *name);

/* `effective`: the first day this version is in force, in days since
 * 1970-01-01 (as pm_date_parse gives it). */
int32_t pm_config_effective(const struct pm_config *cfg);

/* " (did you mean "x"?)" naming the string of words (a JSON array) within
 * two edits of s, in buf, or "" when none is: for messages about a name
 * that the configuration does not know. */
const char *pm_config_suggest(const char *s, const json_t *words, char *buf, size_t size);

/* Section name as a version without it reads: its defaults, those of an
 * empty one when it has none of its own (a new reference); *out NULL
 * for a name that is no section. */
int pm_config_defaults(const char *name, json_t **out, struct pm_err *e);

/* The community section. The address is NULL when not given. */
const char *pm_config_community_name(const struct pm_config *cfg);
const char *pm_config_timezone(const struct pm_config *cfg);
const char *pm_config_address(const struct pm_config *cfg);

/* ---- versions in the store ---- */

struct pm_db;

/* Stores cfg as a new version, audited; *version is its number, or 0 when
 * its text is the same as the latest version's (nothing is stored, so a
 * repeated apply from cron changes nothing). source names the file. */
int pm_config_apply(struct pm_db *db, const struct pm_config *cfg, const char *source,
		    int64_t *version, struct pm_err *e);

/* The first version of a new store, made from the community's name and
 * zone, effective from 1970-01-01 so that any applied version overrides it. */
int pm_config_init(struct pm_db *db, const char *name, const char *tz, struct pm_err *e);

/* Version (0: the one in force today) as a record {"type":"config",
 * "version", "effective", "applied_at", "applied_by", "source", "sha256",
 * "yaml"}; PM_EDATA for an unknown version. */
int pm_config_stored(struct pm_db *db, int64_t version, json_t **rec, struct pm_err *e);

/* Now plus meters.future_tolerance of the version in force today: the
 * latest time a record of what happened (a reading, a gate event, a
 * payment) may carry (pm_time_plausible). */
int pm_config_latest(struct pm_db *db, int64_t *latest, struct pm_err *e);

/* Loads the version in force on day (days since 1970-01-01): the latest
 * effective date on or before it, the last applied of that date.
 * PM_ECONFIG when there is none. */
int pm_config_current(struct pm_db *db, int32_t day, struct pm_config **out, struct pm_err *e);

/* Loads the stored version itself (what a bill was made with, its
 * config_version). PM_EDATA when there is no such version. */
int pm_config_version_load(struct pm_db *db, int64_t version, struct pm_config **out, struct pm_err *e);

/* Section name of the version in force today, from its stored tree
 * without parsing its YAML again (what a web page can afford at each
 * request): a new reference, the section's defaults when the version
 * predates it, or NULL when it has none. */
int pm_config_today(struct pm_db *db, const char *name, json_t **out, struct pm_err *e);
/* The n sections names of the version in force today, outs[i] each as
 * pm_config_today gives it; 2 to 4 in one read, for which SQLite parses
 * the stored tree once, not once a section (more: one read each), and
 * a program asking again for the same of the same version gets them
 * again without that (they are shared: read them, never change them). On
 * failure every outs[i] is NULL. */
int pm_config_today_sections(struct pm_db *db, const char *const *names, json_t **outs, int n,
			     struct pm_err *e);

/* The value at path of the version in force today ("fees.water.tiers.
 * steps.0.price": keys, list items by index or by their "name") as
 * pm.yaml writes it (a string for prices "3.45", money "15.00", times
 * and durations; else the stored scalar), a new reference. PM_ECONFIG
 * for a path that names no scalar, and for a secret. */
int pm_config_value(struct pm_db *db, const char *path, json_t **out, struct pm_err *e);

/* The stored versions, oldest first, each {"type":"config_version",
 * "version", "effective", "applied_at", "applied_by", "source",
 * "in_force"} (in_force: the one in force today). */
int pm_config_each(struct pm_db *db, int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e);

/* What changed from version a to version b: fn gets one
 * {"type":"config_change", "path", "change", "before", "after"} per
 * difference, change "added", "removed" or "changed", path like
 * "billing.due_day", and for items of a list named by their "name" (fee
 * items) "fees[water]" or "fees[water].price": an item is compared by
 * its name, not its place. Values are as pm.yaml writes them (prices
 * "3.45", money "15.00", times "08:30", durations "4h"; the rest as in
 * the stored tree), a secret written as itself shown "<redacted>".
 * PM_EDATA for an unknown version. */
int pm_config_diff(struct pm_db *db, int64_t a, int64_t b, int (*fn)(void *ctx, json_t *rec), void *ctx,
		   struct pm_err *e);

/* The community's time zone before config version was applied (the
 * version before it's, "" when there was none) and with it, into was and
 * now of size bytes each: a file without community.timezone applies
 * the default, Asia/Shanghai, whatever the zone was. */
int pm_config_timezones(struct pm_db *db, int64_t version, char *was, char *now, size_t size, struct pm_err *e);

/* The fee items that the version before version had and version has
 * not, as a new array of fee items; *before is that version (the one in
 * force on version's effective day until version was applied), 0 when
 * there is none (and the array is empty). */
int pm_config_dropped(struct pm_db *db, int64_t version, int64_t *before, json_t **dropped, struct pm_err *e);

/* The stored version a configuration came from (0 if from a file). */
int64_t pm_config_version(const struct pm_config *cfg);

#endif
