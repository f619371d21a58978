/* Schemas of YAML documents (lib/schema.c reads them): pm.yaml's, in
 * lib/sections.c, and the few files other modules read the same way.
 * Private to libpm and its tests. A schema is a tree of nodes written as
 * constant tables; see the top of include/pm/config.h for how a section
 * is added. */
#ifndef PM_CONFIG_INTERNAL_H
#define PM_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "pm/err.h"

/* What a YAML node must be, and (after the arrow) what it becomes in the
 * JSON tree. Scalars are taken as text, quoted or not. */
enum pm_schema_type {
	PM_SCHEMA_MAP,      /* fixed keys (.keys) -> object, in schema order */
	PM_SCHEMA_LIST,     /* items of one node (.item) -> array */
	PM_SCHEMA_DICT,     /* free keys, values of one node (.item) -> object */
	PM_SCHEMA_STRING,   /* any text -> string */
	PM_SCHEMA_INT,      /* "-12" -> integer */
	PM_SCHEMA_DECIMAL,  /* "1.25" -> integer scaled by 10^.places (0..6) */
	PM_SCHEMA_MONEY,    /* "12.50" yuan (pm_money_parse) -> integer fen */
	PM_SCHEMA_BOOL,     /* true or false, nothing else -> boolean */
	PM_SCHEMA_DATE,     /* "2026-01-01" -> "2026-01-01" */
	PM_SCHEMA_TIME,     /* "HH:MM", 00:00 to 23:59 -> seconds since midnight */
	PM_SCHEMA_DURATION, /* "45s", "30m", "2h", "3d" -> seconds */
	PM_SCHEMA_ENUM,     /* one of .words -> string */
};

struct pm_schema_key;

struct pm_schema {
	enum pm_schema_type type;
	const struct pm_schema_key *keys;  /* MAP: ended by a NULL name */
	const struct pm_schema *item;      /* LIST, DICT */
	const char *const *words;          /* ENUM: ended by NULL */
	int places;                        /* DECIMAL */
	/* Inclusive bounds or NULL. For the scalar types they are written as
	 * values ("0.01", "1m", "08:00", "2020-01-01"); for STRING, LIST and
	 * DICT they count characters, items and keys. Messages quote them as
	 * written. */
	const char *min, *max;
	/* A rule beyond the type's, run on the converted value: returns
	 * non-zero with a message in e (no position: the caller adds it). */
	int (*check)(const json_t *v, struct pm_err *e);
	/* STRING: a secret, written as a reference (env:NAME, file:PATH;
	 * pm_secret_get reads it), never the value itself. Versions stored
	 * before this rule may hold the value: they still load, and
	 * pm_config_stored shows it redacted. */
	bool secret;
	/* STRING: a name people type and read (a fee's, a channel's), and
	 * DICT: its keys (a gate's): characters that show, by pm_code_valid's
	 * rule, so that no two look alike. Versions stored before this rule
	 * may hold others: they still load. */
	bool code;
};

struct pm_schema_key {
	const char *name;
	const struct pm_schema *node;
	/* An absent key, or one with an empty value (`key:`, `~`, `null`),
	 * is an error if required, else takes def if there is one, else is
	 * left out of the tree. def is written as in the file ("30m",
	 * "false") and goes through the same checks; for a MAP, LIST or DICT
	 * node write "{}" or "[]": an empty one, a MAP with its own defaults. */
	bool required;
	const char *def;
};

/* Tables are written with these:
 *	PM_KEY("price", PM_NODE(PM_SCHEMA_MONEY, .min = "0"), .required = true), */
#define PM_NODE(t, ...) (&(const struct pm_schema){ .type = (t), __VA_ARGS__ })
#define PM_KEY(k, n, ...) { .name = (k), .node = (n), __VA_ARGS__ }
#define PM_KEYS(...) ((const struct pm_schema_key[]){ __VA_ARGS__, { .name = NULL } })
#define PM_WORDS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* pm.yaml's schema: the one table of its top-level sections
 * (lib/sections.c). A program holds its tables in a form without pointers
 * (build/gen/schema-flat.h, made from them by lib/gen/schemagen.c), so
 * that a static-pie start relocates none of them; the first call builds
 * the tree, once, and later calls return the same. */
const struct pm_schema *pm_config_schema(void);

/* A digest of the tree under s (types, bounds, words, keys, defaults, and
 * whether each node has a check), which two forms of one schema share;
 * and that of pm.yaml's tables as written, which schemagen computed
 * (test_config compares the two). */
uint64_t pm_schema_digest(const struct pm_schema *s);
uint64_t pm_config_schema_written(void);

/* The form without pointers: nodes, keys and words refer to each other
 * by index, to their text by offset into one pool; PM_FLAT_NONE is a
 * NULL. A node's keys and words run to an entry of name or offset
 * PM_FLAT_NONE. A reference with PM_FLAT_EXTERN set is to a schema of
 * another file (the index into sections.c's externs), a check an index
 * into its checks. */
enum { PM_FLAT_NONE = 0xffff, PM_FLAT_EXTERN = 0x8000, PM_FLAT_NO_CHECK = 0xff };

struct pm_flat_node {
	unsigned char type, places, secret, check, code;
	unsigned short keys, item, words, min, max;
};

struct pm_flat_key {
	unsigned short name, node, def;
	unsigned char required;
};

#ifdef PM_SCHEMA_TABLES
/* For lib/gen/schemagen.c alone, which links lib/sections.c built with
 * PM_SCHEMA_TABLES: the tables as written, the checks they name and the
 * schemas of other files they take in. */
struct pm_schema_tables {
	const struct pm_schema *root;
	int (*const *checks)(const json_t *v, struct pm_err *e);
	size_t n_checks;
	const struct pm_schema *const *externs;
	size_t n_externs;
};
void pm_schema_tables(struct pm_schema_tables *t);
#endif

/* The schemas of files that other modules read themselves, and that
 * pm.yaml holds too: a message template (lib/template.c), each of
 * notify.templates; pm-mqtt's section with its topic maps (lib/mqtt.c). */
extern const struct pm_schema pm_template_schema;
extern const struct pm_schema pm_mqtt_schema;
/* A FAQ entry and a list of synonym groups (lib/faq.c): the FAQ file's,
 * and those of the config's ask section. */
extern const struct pm_schema pm_faq_entry_schema;
extern const struct pm_schema pm_faq_synonyms_schema;

/* Validates the one YAML document in text against s: PM_OK with the
 * normalized tree in *out (a new reference), else PM_ECONFIG with
 * "NAME:LINE:COL: message", or PM_EFAIL when memory runs out. */
int pm_schema_load(const struct pm_schema *s, const char *text, size_t len,
		   const char *name, json_t **out, struct pm_err *e);

/* pm_schema_load for text from the store when stored is set: a secret
 * written as itself (an older pm took them) is taken, and its place noted
 * in spans ([start, end] byte offsets of text) when spans is not NULL. */
int pm_schema_read(const struct pm_schema *s, const char *text, size_t len, const char *name,
		   bool stored, json_t *spans, json_t **out, struct pm_err *e);

/* The index of key k in keys, -1 when it is none of them. */
int pm_schema_key_find(const struct pm_schema_key *keys, const char *k);

#endif
