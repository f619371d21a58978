/* schemagen: writes pm.yaml's schema tables (lib/sections.c, linked here
 * built with PM_SCHEMA_TABLES) as build/gen/schema-flat.h, a form without
 * pointers that a program's start need not relocate: nodes, keys and
 * words by index, their text by offset into one pool, checks and other
 * files' schemas by index into sections.c's lists of them
 * (config-internal.h, struct pm_flat_node). Run by make; prints the
 * header on standard output, or a message and exits 1 when the tables
 * hold what the form cannot (a check or schema missing from the lists,
 * too many nodes or too much text). */
/* The tables as written are declared only for this program and the
 * object of sections.c made for it (make, and lint, see this alone). */
#define PM_SCHEMA_TABLES 1

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-internal.h"

enum { MAX_NODES = 4096, MAX_KEYS = 8192, MAX_WORDS = 4096, MAX_POOL = 65000 };

static struct pm_schema_tables t;
static const struct pm_schema *seen[MAX_NODES];
static size_t n_seen;
static struct pm_flat_node fnodes[MAX_NODES];
static struct pm_flat_key fkeys[MAX_KEYS];
static size_t n_keys;
static unsigned short fwords[MAX_WORDS];
static size_t n_words;
static char pool[MAX_POOL];
static size_t n_pool;

static void die(const char *what)
{
	fprintf(stderr, "schemagen: %s\n", what);
	exit(1);
}

/* Text's offset in the pool, each text once. */
static unsigned short intern(const char *s)
{
	size_t len;

	if (!s)
		return PM_FLAT_NONE;
	len = strlen(s) + 1;
	for (size_t at = 0; at + len <= n_pool; at += strlen(pool + at) + 1)
		if (memcmp(pool + at, s, len) == 0)
			return (unsigned short)at;
	if (n_pool + len > MAX_POOL)
		die("too much text for 16-bit offsets");
	memcpy(pool + n_pool, s, len);
	n_pool += len;
	return (unsigned short)(n_pool - len);
}

static size_t external(const struct pm_schema *s)
{
	for (size_t i = 0; i < t.n_externs; i++)
		if (t.externs[i] == s)
			return i;
	return (size_t)-1;
}

/* Every node reachable from s, once each, in the order first met. */
static void collect(const struct pm_schema *s)
{
	if (!s || external(s) != (size_t)-1)
		return;
	for (size_t i = 0; i < n_seen; i++)
		if (seen[i] == s)
			return;
	if (n_seen == MAX_NODES)
		die("too many nodes");
	seen[n_seen++] = s;
	for (const struct pm_schema_key *k = s->keys; k && k->name; k++)
		collect(k->node);
	collect(s->item);
}

static unsigned short ref(const struct pm_schema *s)
{
	size_t x;

	if (!s)
		return PM_FLAT_NONE;
	if ((x = external(s)) != (size_t)-1)
		return (unsigned short)(PM_FLAT_EXTERN | x);
	for (size_t i = 0; i < n_seen; i++)
		if (seen[i] == s)
			return (unsigned short)i;
	die("a node was not collected");
	return PM_FLAT_NONE;
}

static unsigned char check(int (*c)(const json_t *, struct pm_err *))
{
	if (!c)
		return PM_FLAT_NO_CHECK;
	for (size_t i = 0; i < t.n_checks; i++)
		if (t.checks[i] == c)
			return (unsigned char)i;
	die("a table names a check missing from lib/sections.c's checks");
	return PM_FLAT_NO_CHECK;
}

static void flatten(size_t i)
{
	const struct pm_schema *s = seen[i];
	struct pm_flat_node *f = &fnodes[i];

	f->type = (unsigned char)s->type;
	f->places = (unsigned char)s->places;
	f->secret = s->secret;
	f->code = s->code;
	f->check = check(s->check);
	f->item = ref(s->item);
	f->min = intern(s->min);
	f->max = intern(s->max);
	f->keys = f->words = PM_FLAT_NONE;
	if (s->keys) {
		f->keys = (unsigned short)n_keys;
		for (const struct pm_schema_key *k = s->keys;; k++) {
			if (n_keys == MAX_KEYS)
				die("too many keys");
			fkeys[n_keys++] = (struct pm_flat_key){
				.name = intern(k->name), .node = k->name ? ref(k->node) : PM_FLAT_NONE,
				.def = k->name ? intern(k->def) : PM_FLAT_NONE, .required = k->required,
			};
			if (!k->name)
				break;
		}
	}
	if (s->words) {
		f->words = (unsigned short)n_words;
		for (const char *const *w = s->words;; w++) {
			if (n_words == MAX_WORDS)
				die("too many words");
			fwords[n_words++] = intern(*w);
			if (!*w)
				break;
		}
	}
}

static void put_pool(void)
{
	fputs("static const char flat_pool[] =\n\t\"", stdout);
	for (size_t i = 0, col = 0; i < n_pool; i++, col++) {
		unsigned char c = (unsigned char)pool[i];

		if (col >= 64 && c != 0) {
			fputs("\"\n\t\"", stdout);
			col = 0;
		}
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\%03o", c);
		else
			putchar(c);
	}
	fputs("\";\n\n", stdout);
}

int main(void)
{
	pm_schema_tables(&t);
	if (t.n_checks >= PM_FLAT_NO_CHECK || t.n_externs >= PM_FLAT_EXTERN)
		die("too many checks or schemas of other files");
	collect(t.root);
	if (n_seen >= PM_FLAT_EXTERN)
		die("too many nodes for 15-bit indexes");
	/* Offset 0 stays the empty text. */
	intern("");
	for (size_t i = 0; i < n_seen; i++)
		flatten(i);
	printf("/* Made by lib/gen/schemagen.c from lib/sections.c's tables: do not edit.\n"
	       " * %zu nodes, %zu keys, %zu words, %zu bytes of text. */\n\n", n_seen, n_keys, n_words, n_pool);
	put_pool();
	fputs("static const struct pm_flat_node flat_nodes[] = {\n", stdout);
	for (size_t i = 0; i < n_seen; i++) {
		const struct pm_flat_node *f = &fnodes[i];

		printf("\t{%u, %u, %u, %u, %u, %u, %u, %u, %u, %u},\n", f->type, f->places, f->secret, f->check,
		       f->code, f->keys, f->item, f->words, f->min, f->max);
	}
	fputs("};\n\nstatic const struct pm_flat_key flat_keys[] = {\n", stdout);
	for (size_t i = 0; i < n_keys; i++)
		printf("\t{%u, %u, %u, %u},\n", fkeys[i].name, fkeys[i].node, fkeys[i].def, fkeys[i].required);
	fputs("};\n\nstatic const unsigned short flat_words[] = {\n", stdout);
	for (size_t i = 0; i < n_words; i++)
		printf("\t%u,\n", fwords[i]);
	printf("};\n\nstatic const unsigned short flat_root = %u;\n", ref(t.root));
	printf("\n#define FLAT_DIGEST UINT64_C(0x%016llx)\n", (unsigned long long)pm_schema_digest(t.root));
	return ferror(stdout) ? 1 : 0;
}
