/* config: one YAML document checked against a schema while libyaml parses
 * it, event by event, into a normalized JSON tree. Only nodes the schema
 * describes are descended into and the first problem ends the load, so
 * recursion is as deep as the schema, whatever the input. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>
#include <yaml.h>

#include "pm/audit.h"
#include "pm/config.h"
#include "pm/db.h"
#include "pm/file.h"
#include "pm/i18n.h"
#include "pm/money.h"
#include "pm/secret.h"
#include "pm/suggest.h"
#include "pm/timeutil.h"
#include "config-internal.h"
#include "strbuf-internal.h"

/* How much of a value or key a message quotes, in bytes. */
#define QUOTE_MAX 60
#define QUOTE_BUF (QUOTE_MAX + 8)

struct pm_config {
	json_t *root;
	int32_t effective;
	char *text;
	size_t len;
	int64_t version; /* in the store; 0 when loaded from a file */
	int refs;        /* the holders: callers, and the cache of the one in force */
};

/* One load in progress: the parser, its current event, and the path of
 * the node being read ("community.timezone", "fees[2].price"). */
struct load {
	yaml_parser_t parser;
	yaml_event_t ev;
	const char *name;
	const char *text;
	size_t len;
	char path[256];
	struct pm_err *e;
	/* Set for a version from the store: a literal secret is taken, and
	 * its place in the text noted in spans ([start, end] byte offsets)
	 * when spans is not NULL. */
	bool stored;
	json_t *spans;
};

/* A MAP key while its map is read. */
struct slot {
	json_t *v;
	bool seen;
	size_t line;
};

static int node(struct load *ld, const struct pm_schema *s, json_t **out);

/* Messages */

/* The length of at most max bytes of s[0..n) that ends on a whole
 * UTF-8 character. */
static size_t clip(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

/* "text" in quotes, cut short with "..." when long. */
static const char *quote(char buf[QUOTE_BUF], const char *s, size_t n)
{
	size_t k = clip(s, n, QUOTE_MAX);

	snprintf(buf, QUOTE_BUF, "\"%.*s%s\"", (int)k, s, k < n ? "..." : "");
	return buf;
}

static int vfail(struct load *ld, yaml_mark_t m, bool with_path, const char *fmt, va_list ap)
{
	char msg[PM_ERR_MSG_MAX];

	vsnprintf(msg, sizeof msg, fmt, ap);
	if (with_path)
		pm_err_set(ld->e, PM_ECONFIG, "%s:%zu:%zu: %s: %s", ld->name, m.line + 1,
			   m.column + 1, ld->path[0] ? ld->path : _("top level"), msg);
	else
		pm_err_set(ld->e, PM_ECONFIG, "%s:%zu:%zu: %s", ld->name, m.line + 1,
			   m.column + 1, msg);
	return PM_ECONFIG;
}

/* "NAME:LINE:COL: message" */
__attribute__((format(printf, 3, 4)))
static int fail(struct load *ld, yaml_mark_t m, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfail(ld, m, false, fmt, ap);
	va_end(ap);
	return rc;
}

/* "NAME:LINE:COL: PATH: message", about the node being read. */
__attribute__((format(printf, 3, 4)))
static int bad(struct load *ld, yaml_mark_t m, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfail(ld, m, true, fmt, ap);
	va_end(ap);
	return rc;
}

static int oom(struct load *ld)
{
	return pm_err_set(ld->e, PM_EFAIL, _("%s: out of memory"), ld->name);
}

/* "in community", or "at the top level". */
static const char *where(const struct load *ld, char *buf, size_t n)
{
	if (!ld->path[0])
		return _("at the top level");
	snprintf(buf, n, _("in %s"), ld->path);
	return buf;
}

/* Paths */

static size_t push_key(struct load *ld, const char *key, size_t n)
{
	size_t len = strlen(ld->path), room = sizeof ld->path - len;

	snprintf(ld->path + len, room, "%s%.*s", len ? "." : "",
		 (int)clip(key, n, room > 2 ? room - 2 : 0), key);
	return len;
}

static size_t push_index(struct load *ld, size_t i)
{
	size_t len = strlen(ld->path);

	snprintf(ld->path + len, sizeof ld->path - len, "[%zu]", i);
	return len;
}

static void pop(struct load *ld, size_t len)
{
	ld->path[len] = '\0';
}

/* Suggestions */

/* " (did you mean "x"?)" or "". */
static const char *suggest(char *buf, size_t size, const char *best)
{
	if (!best)
		return "";
	snprintf(buf, size, _(" (did you mean \"%s\"?)"), best);
	return buf;
}

const char *pm_config_suggest(const char *s, const json_t *words, char *buf, size_t size)
{
	const char *best = NULL;
	size_t i;
	json_t *w;
	int d = 3;

	json_array_foreach((json_t *)words, i, w)
		if (json_is_string(w))
			pm_suggest_consider(s, strlen(s), json_string_value(w), &best, &d);
	return suggest(buf, size, best);
}

/* Events */

static yaml_mark_t offset_mark(const struct load *ld, size_t off)
{
	yaml_mark_t m = { .index = off };
	size_t i;

	for (i = 0; i < off && i < ld->len; i++) {
		if (ld->text[i] == '\n') {
			m.line++;
			m.column = 0;
		} else if (((unsigned char)ld->text[i] & 0xC0) != 0x80) {
			m.column++;
		}
	}
	return m;
}

static int syntax(struct load *ld)
{
	const yaml_parser_t *p = &ld->parser;
	const char *problem = p->problem ? p->problem : _("not valid YAML");

	if (p->error == YAML_MEMORY_ERROR)
		return oom(ld);
	/* libyaml gives the reader's problems as a byte offset, not a mark. */
	if (p->error == YAML_READER_ERROR)
		return fail(ld, offset_mark(ld, p->problem_offset), "%s", problem);
	if (p->context)
		return fail(ld, p->problem_mark, _("%s (%s at line %zu, column %zu)"), problem,
			    p->context, p->context_mark.line + 1, p->context_mark.column + 1);
	return fail(ld, p->problem_mark, "%s", problem);
}

/* Anchors and aliases are refused: a value written once and used twice is
 * hard to read in a tariff, and refusing them rules out alias bombs. Tags
 * are refused because every node's type comes from the schema. */
static int plain_only(struct load *ld)
{
	const yaml_event_t *ev = &ld->ev;
	const yaml_char_t *anchor, *tag;

	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		return fail(ld, ev->start_mark,
			    _("alias \"*%s\" is not supported: write the value out in full"),
			    (const char *)ev->data.alias.anchor);
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
		break;
	default:
		return PM_OK;
	}
	if (anchor)
		return fail(ld, ev->start_mark,
			    _("anchor \"&%s\" is not supported: write each value out in full"),
			    (const char *)anchor);
	if (tag)
		return fail(ld, ev->start_mark, _("tag \"%s\" is not supported: remove it"),
			    (const char *)tag);
	return PM_OK;
}

static int next(struct load *ld)
{
	yaml_event_delete(&ld->ev);
	if (!yaml_parser_parse(&ld->parser, &ld->ev))
		return syntax(ld);
	return plain_only(ld);
}

/* `key:`, `key: ~` and `key: null` */
static bool is_null(const yaml_event_t *ev)
{
	const char *v;

	if (ev->type != YAML_SCALAR_EVENT || ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = (const char *)ev->data.scalar.value;
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
	       !strcmp(v, "NULL");
}

static const char *scalar_text(const yaml_event_t *ev, size_t *n)
{
	*n = ev->data.scalar.length;
	return (const char *)ev->data.scalar.value;
}

/* What the event is, for "got ...". */
static const char *got(const yaml_event_t *ev, char buf[QUOTE_BUF])
{
	const char *t;
	size_t n;

	if (ev->type == YAML_MAPPING_START_EVENT)
		return _("a map");
	if (ev->type == YAML_SEQUENCE_START_EVENT)
		return _("a list");
	if (is_null(ev))
		return _("an empty value");
	t = scalar_text(ev, &n);
	return quote(buf, t, n);
}

/* What a node must be, for "expected ...". */
static const char *expect(const struct pm_schema *s, char *buf, size_t size)
{
	size_t len;
	int i;

	switch (s->type) {
	case PM_SCHEMA_MAP:
	case PM_SCHEMA_DICT:
		return _("a map");
	case PM_SCHEMA_LIST:
		return _("a list");
	case PM_SCHEMA_STRING:
		return _("a string");
	case PM_SCHEMA_INT:
		return _("an integer");
	case PM_SCHEMA_DECIMAL:
		snprintf(buf, size, _("a number with at most %d decimal places"), s->places);
		return buf;
	case PM_SCHEMA_MONEY:
		return _("an amount of yuan such as 12.50");
	case PM_SCHEMA_BOOL:
		return _("true or false");
	case PM_SCHEMA_DATE:
		return _("a date YYYY-MM-DD");
	case PM_SCHEMA_TIME:
		return _("a time of day HH:MM");
	case PM_SCHEMA_DURATION:
		return _("a duration such as 45s, 30m, 2h or 3d");
	case PM_SCHEMA_ENUM:
		len = (size_t)snprintf(buf, size, "%s", _("one of"));
		for (i = 0; s->words[i] && len < size; i++)
			len += (size_t)snprintf(buf + len, size - len, "%s\"%s\"", i ? ", " : " ",
						s->words[i]);
		return buf;
	}
	return "?";
}

static int mismatch(struct load *ld, const struct pm_schema *s)
{
	char want[256], have[QUOTE_BUF];

	return bad(ld, ld->ev.start_mark, _("expected %s, got %s"), expect(s, want, sizeof want),
		   got(&ld->ev, have));
}

/* Scalars */

/* Unsigned decimal digits, all of s[0..n), n > 0, that fit. */
static bool digits(const char *s, size_t n, int64_t *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || *v > (INT64_MAX - (s[i] - '0')) / 10)
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return n > 0;
}

static bool parse_int(const char *s, size_t n, int64_t *v)
{
	bool neg = n > 0 && s[0] == '-';

	if (!digits(s + neg, n - neg, v))
		return false;
	*v = neg ? -*v : *v;
	return true;
}

static bool parse_time(const char *s, size_t n, int64_t *v)
{
	int64_t h, m;

	if (n != 5 || s[2] != ':' || !digits(s, 2, &h) || !digits(s + 3, 2, &m) || h > 23 ||
	    m > 59)
		return false;
	*v = h * 3600 + m * 60;
	return true;
}

static bool parse_duration(const char *s, size_t n, int64_t *v)
{
	int64_t unit;

	if (n < 2)
		return false;
	switch (s[n - 1]) {
	case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	default: return false;
	}
	if (!digits(s, n - 1, v) || *v > INT64_MAX / unit)
		return false;
	*v *= unit;
	return true;
}

/* The text of the types that compare as numbers, as one: dates as days. */
static bool number(const struct pm_schema *s, const char *t, size_t n, int64_t *v)
{
	struct pm_err ignored;
	int32_t day;

	if (strlen(t) != n)
		return false;
	switch (s->type) {
	case PM_SCHEMA_INT:
		return parse_int(t, n, v);
	case PM_SCHEMA_DECIMAL:
		return pm_decimal_parse(t, s->places, v, &ignored) == PM_OK;
	case PM_SCHEMA_MONEY:
		return pm_money_parse(t, v, &ignored) == PM_OK;
	case PM_SCHEMA_DATE:
		if (pm_date_parse(t, &day, &ignored) != PM_OK)
			return false;
		*v = day;
		return true;
	case PM_SCHEMA_TIME:
		return parse_time(t, n, v);
	case PM_SCHEMA_DURATION:
		return parse_duration(t, n, v);
	default:
		return false;
	}
}

/* One bound of s: PM_OK when there is none or v is on the right side. */
static int bound(struct load *ld, const struct pm_schema *s, const char *b, bool lower, int64_t v,
		 const char *t, size_t n, yaml_mark_t m)
{
	char q[QUOTE_BUF];
	int64_t lim;

	if (!b)
		return PM_OK;
	if (!number(s, b, strlen(b), &lim))
		return pm_err_set(ld->e, PM_ESOFTWARE, _("%s: schema bound \"%s\" does not parse"),
				  ld->path, b);
	if (lower && v < lim)
		return bad(ld, m, _("expected at least %s, got %s"), b, quote(q, t, n));
	if (!lower && v > lim)
		return bad(ld, m, _("expected at most %s, got %s"), b, quote(q, t, n));
	return PM_OK;
}

static int numeric(struct load *ld, const struct pm_schema *s, const char *t, size_t n,
		   yaml_mark_t m, json_t **out)
{
	char want[256], q[QUOTE_BUF], day[PM_TIME_BUF];
	int64_t v;
	int rc;

	if (!number(s, t, n, &v))
		return bad(ld, m, _("expected %s, got %s"), expect(s, want, sizeof want),
			   quote(q, t, n));
	if ((rc = bound(ld, s, s->min, true, v, t, n, m)) ||
	    (rc = bound(ld, s, s->max, false, v, t, n, m)))
		return rc;
	if (s->type == PM_SCHEMA_DATE)
		*out = json_string(pm_date_fmt((int32_t)v, day));
	else
		*out = json_integer(v);
	return *out ? PM_OK : oom(ld);
}

static int word(struct load *ld, const struct pm_schema *s, const char *t, size_t n,
		yaml_mark_t m, json_t **out)
{
	char want[256], q[QUOTE_BUF], hint[96];
	const char *best = NULL;
	int i, d = 3;

	for (i = 0; s->words[i]; i++) {
		if (strlen(s->words[i]) == n && !memcmp(s->words[i], t, n)) {
			*out = json_string(s->words[i]);
			return *out ? PM_OK : oom(ld);
		}
		pm_suggest_consider(t, n, s->words[i], &best, &d);
	}
	return bad(ld, m, _("expected %s, got %s%s"), expect(s, want, sizeof want), quote(q, t, n),
		   suggest(hint, sizeof hint, best));
}

/* The JSON value of scalar text t for s, range checked. */
static int value(struct load *ld, const struct pm_schema *s, const char *t, size_t n,
		 yaml_mark_t m, json_t **out)
{
	char want[256], q[QUOTE_BUF];

	switch (s->type) {
	case PM_SCHEMA_STRING:
		if (memchr(t, '\0', n))
			return bad(ld, m, _("expected a string without NUL characters"));
		*out = json_stringn(t, n);
		return *out ? PM_OK : oom(ld);
	case PM_SCHEMA_BOOL:
		if ((n == 4 && !memcmp(t, "true", 4)) || (n == 5 && !memcmp(t, "false", 5))) {
			*out = json_boolean(n == 4);
			return PM_OK;
		}
		return bad(ld, m, _("expected %s, got %s"), expect(s, want, sizeof want),
			   quote(q, t, n));
	case PM_SCHEMA_ENUM:
		return word(ld, s, t, n, m, out);
	default:
		return numeric(ld, s, t, n, m, out);
	}
}

/* A secret written as itself: refused in a file; in a stored version,
 * kept and its place noted for redaction. */
static int secret_scalar(struct load *ld, const json_t *v)
{
	struct pm_err ce = { 0 };

	if (pm_secret_ref_check(json_string_value(v), &ce) == PM_OK)
		return PM_OK;
	if (!ld->stored)
		return bad(ld, ld->ev.start_mark, "%s", ce.msg);
	if (ld->spans)
		json_array_append_new(ld->spans, json_pack("[I, I]", (json_int_t)ld->ev.start_mark.index,
							   (json_int_t)ld->ev.end_mark.index));
	return PM_OK;
}

static int scalar(struct load *ld, const struct pm_schema *s, json_t **out)
{
	const char *t;
	size_t n;
	int rc;

	if (ld->ev.type != YAML_SCALAR_EVENT || is_null(&ld->ev))
		return mismatch(ld, s);
	t = scalar_text(&ld->ev, &n);
	rc = value(ld, s, t, n, ld->ev.start_mark, out);
	if (rc == PM_OK && s->secret && (rc = secret_scalar(ld, *out))) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* Counted bounds and the node's own rule, once its value is built. */

static size_t count(const struct pm_schema *s, const json_t *v)
{
	const char *t = json_string_value(v);
	size_t n = 0;

	if (s->type == PM_SCHEMA_LIST)
		return json_array_size(v);
	if (s->type == PM_SCHEMA_DICT)
		return json_object_size(v);
	for (; *t; t++)
		n += ((unsigned char)*t & 0xC0) != 0x80;
	return n;
}

static int counted(struct load *ld, const struct pm_schema *s, const json_t *v, yaml_mark_t m)
{
	static const char *const units[] = { N_("characters"), N_("items"), N_("keys") };
	static const char *const empty[] = {
		N_("expected a non-empty string"), N_("expected a non-empty list"),
		N_("expected a non-empty map"),
	};
	int k = s->type == PM_SCHEMA_STRING ? 0 : s->type == PM_SCHEMA_LIST ? 1 : 2;
	int64_t lo = 0, hi = INT64_MAX;
	size_t c = count(s, v);

	if ((s->min && !digits(s->min, strlen(s->min), &lo)) ||
	    (s->max && !digits(s->max, strlen(s->max), &hi)))
		return pm_err_set(ld->e, PM_ESOFTWARE, _("%s: schema bounds do not parse"), ld->path);
	if (c == 0 && lo > 0)
		return bad(ld, m, "%s", _(empty[k]));
	if ((int64_t)c < lo)
		return bad(ld, m, _("expected at least %s %s, got %zu"), s->min, _(units[k]), c);
	if ((int64_t)c > hi)
		return bad(ld, m, _("expected at most %s %s, got %zu"), s->max, _(units[k]), c);
	return PM_OK;
}

static int settle(struct load *ld, const struct pm_schema *s, const json_t *v, yaml_mark_t m)
{
	struct pm_err ce = { 0 };
	int rc;

	if ((s->type == PM_SCHEMA_STRING || s->type == PM_SCHEMA_LIST ||
	     s->type == PM_SCHEMA_DICT) && (rc = counted(ld, s, v, m)))
		return rc;
	if (s->check && s->check(v, &ce) != PM_OK)
		return bad(ld, m, "%s", ce.msg);
	return PM_OK;
}

/* Maps with fixed keys */

static int key_find(const struct pm_schema_key *keys, const char *k, size_t n)
{
	int i;

	for (i = 0; keys[i].name; i++)
		if (strlen(keys[i].name) == n && !memcmp(keys[i].name, k, n))
			return i;
	return -1;
}

static int unknown_key(struct load *ld, const struct pm_schema_key *keys, const char *k,
		       size_t n)
{
	char q[QUOTE_BUF], place[300], hint[96];
	const char *best = NULL;
	int i, d = 3;

	for (i = 0; keys[i].name; i++)
		pm_suggest_consider(k, n, keys[i].name, &best, &d);
	return fail(ld, ld->ev.start_mark, _("unknown key %s %s%s"), quote(q, k, n),
		    where(ld, place, sizeof place), suggest(hint, sizeof hint, best));
}

static int not_a_key(struct load *ld)
{
	char have[QUOTE_BUF];

	return bad(ld, ld->ev.start_mark, _("expected a key, got %s"), got(&ld->ev, have));
}

static int duplicate(struct load *ld, const char *k, size_t n, size_t first)
{
	char q[QUOTE_BUF], place[300];

	return fail(ld, ld->ev.start_mark, _("duplicate key %s %s (first at line %zu)"),
		    quote(q, k, n), where(ld, place, sizeof place), first);
}

/* The value of an absent key with a default: read as if it were in the
 * file, at the position of the map that lacks it. */
static int fallback(struct load *ld, const struct pm_schema_key *k, yaml_mark_t m, json_t **out);

static int map_close(struct load *ld, const struct pm_schema_key *keys, struct slot *slots,
		     yaml_mark_t m, json_t **out)
{
	json_t *o = json_object();
	char place[300];
	int i, rc = PM_OK;

	if (!o)
		return oom(ld);
	for (i = 0; keys[i].name && rc == PM_OK; i++) {
		if (!slots[i].v && keys[i].required)
			rc = fail(ld, m, _("missing required key \"%s\" %s"), keys[i].name,
				  where(ld, place, sizeof place));
		else if (!slots[i].v && keys[i].def)
			rc = fallback(ld, &keys[i], m, &slots[i].v);
		if (rc == PM_OK && slots[i].v && json_object_set(o, keys[i].name, slots[i].v))
			rc = oom(ld);
	}
	if (rc) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return PM_OK;
}

static int map_entry(struct load *ld, const struct pm_schema_key *keys, struct slot *slots)
{
	const char *k;
	size_t n, len;
	int i, rc;

	if (ld->ev.type != YAML_SCALAR_EVENT)
		return not_a_key(ld);
	k = scalar_text(&ld->ev, &n);
	if ((i = key_find(keys, k, n)) < 0)
		return unknown_key(ld, keys, k, n);
	if (slots[i].seen)
		return duplicate(ld, k, n, slots[i].line);
	slots[i].seen = true;
	slots[i].line = ld->ev.start_mark.line + 1;
	len = push_key(ld, keys[i].name, strlen(keys[i].name));
	if ((rc = next(ld)) == PM_OK && !(is_null(&ld->ev) && !keys[i].required))
		rc = node(ld, keys[i].node, &slots[i].v);
	pop(ld, len);
	return rc;
}

static size_t key_count(const struct pm_schema_key *keys)
{
	size_t n = 0;

	while (keys[n].name)
		n++;
	return n;
}

static void slots_free(struct slot *slots, const struct pm_schema_key *keys)
{
	size_t i, n = key_count(keys);

	for (i = 0; i < n; i++)
		json_decref(slots[i].v);
	free(slots);
}

static int map(struct load *ld, const struct pm_schema *s, json_t **out)
{
	yaml_mark_t m = ld->ev.start_mark;
	struct slot *slots;
	int rc;

	if (ld->ev.type != YAML_MAPPING_START_EVENT)
		return mismatch(ld, s);
	if (!(slots = calloc(key_count(s->keys) + 1, sizeof *slots)))
		return oom(ld);
	while ((rc = next(ld)) == PM_OK && ld->ev.type != YAML_MAPPING_END_EVENT)
		if ((rc = map_entry(ld, s->keys, slots)))
			break;
	if (rc == PM_OK)
		rc = map_close(ld, s->keys, slots, m, out);
	slots_free(slots, s->keys);
	return rc;
}

/* Lists and maps with free keys */

static int list(struct load *ld, const struct pm_schema *s, json_t **out)
{
	json_t *a, *v;
	size_t i = 0, len;
	int rc;

	if (ld->ev.type != YAML_SEQUENCE_START_EVENT)
		return mismatch(ld, s);
	if (!(a = json_array()))
		return oom(ld);
	while ((rc = next(ld)) == PM_OK && ld->ev.type != YAML_SEQUENCE_END_EVENT) {
		v = NULL;
		len = push_index(ld, i++);
		rc = node(ld, s->item, &v);
		pop(ld, len);
		if (rc == PM_OK && json_array_append_new(a, v))
			rc = oom(ld);
		if (rc)
			break;
	}
	if (rc) {
		json_decref(a);
		return rc;
	}
	*out = a;
	return PM_OK;
}

/* One key and value of a DICT into o; lines remembers where each key was
 * first seen. */
static int dict_entry(struct load *ld, const struct pm_schema *s, json_t *o, json_t *lines)
{
	const char *k;
	char *key;
	json_t *v = NULL;
	size_t n, len;
	int rc;

	if (ld->ev.type != YAML_SCALAR_EVENT || is_null(&ld->ev) ||
	    memchr(ld->ev.data.scalar.value, '\0', ld->ev.data.scalar.length))
		return not_a_key(ld);
	k = scalar_text(&ld->ev, &n);
	if (json_object_get(lines, k))
		return duplicate(ld, k, n, (size_t)json_integer_value(json_object_get(lines, k)));
	/* The key's text goes with its event, before the value is read. */
	if (!(key = strdup(k)) ||
	    json_object_set_new(lines, k, json_integer((json_int_t)ld->ev.start_mark.line + 1))) {
		free(key);
		return oom(ld);
	}
	len = push_key(ld, key, n);
	if ((rc = next(ld)) == PM_OK)
		rc = node(ld, s->item, &v);
	pop(ld, len);
	if (rc == PM_OK && json_object_set_new(o, key, v))
		rc = oom(ld);
	free(key);
	return rc;
}

static int dict(struct load *ld, const struct pm_schema *s, json_t **out)
{
	json_t *o, *lines;
	int rc;

	if (ld->ev.type != YAML_MAPPING_START_EVENT)
		return mismatch(ld, s);
	o = json_object();
	lines = json_object();
	if (!o || !lines) {
		json_decref(o);
		json_decref(lines);
		return oom(ld);
	}
	while ((rc = next(ld)) == PM_OK && ld->ev.type != YAML_MAPPING_END_EVENT)
		if ((rc = dict_entry(ld, s, o, lines)))
			break;
	json_decref(lines);
	if (rc) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return PM_OK;
}

/* Nodes */

static int empty(struct load *ld, const struct pm_schema *s, yaml_mark_t m, json_t **out)
{
	struct slot *slots;
	int rc;

	if (s->type == PM_SCHEMA_LIST)
		*out = json_array();
	else if (s->type == PM_SCHEMA_DICT)
		*out = json_object();
	else {
		if (!(slots = calloc(key_count(s->keys) + 1, sizeof *slots)))
			return oom(ld);
		rc = map_close(ld, s->keys, slots, m, out);
		slots_free(slots, s->keys);
		return rc;
	}
	return *out ? PM_OK : oom(ld);
}

static int fallback(struct load *ld, const struct pm_schema_key *k, yaml_mark_t m, json_t **out)
{
	const struct pm_schema *s = k->node;
	size_t len = push_key(ld, k->name, strlen(k->name));
	int rc;

	if (s->type == PM_SCHEMA_LIST && strcmp(k->def, "[]") != 0)
		/* A list's own default, in YAML's flow style: "[cash, bank]". */
		rc = pm_schema_load(s, k->def, strlen(k->def), k->name, out, ld->e);
	else if (s->type == PM_SCHEMA_MAP || s->type == PM_SCHEMA_LIST || s->type == PM_SCHEMA_DICT)
		rc = empty(ld, s, m, out);
	else
		rc = value(ld, s, k->def, strlen(k->def), m, out);
	if (rc == PM_OK && (rc = settle(ld, s, *out, m))) {
		json_decref(*out);
		*out = NULL;
	}
	pop(ld, len);
	return rc;
}

/* Reads the node whose first event is current, leaving its last event
 * current. */
static int node(struct load *ld, const struct pm_schema *s, json_t **out)
{
	yaml_mark_t m = ld->ev.start_mark;
	int rc;

	*out = NULL;
	switch (s->type) {
	case PM_SCHEMA_MAP:
		rc = map(ld, s, out);
		break;
	case PM_SCHEMA_LIST:
		rc = list(ld, s, out);
		break;
	case PM_SCHEMA_DICT:
		rc = dict(ld, s, out);
		break;
	default:
		rc = scalar(ld, s, out);
		break;
	}
	if (rc == PM_OK && (rc = settle(ld, s, *out, m))) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

static int document(struct load *ld, const struct pm_schema *s, json_t **out)
{
	char want[256];
	json_t *v = NULL;
	int rc;

	/* The stream's start, then a document's or the stream's end. */
	if ((rc = next(ld)) || (rc = next(ld)))
		return rc;
	if (ld->ev.type == YAML_DOCUMENT_START_EVENT && (rc = next(ld)))
		return rc;
	if (ld->ev.type == YAML_STREAM_END_EVENT || is_null(&ld->ev))
		return fail(ld, ld->ev.start_mark, _("empty document: expected %s"),
			    expect(s, want, sizeof want));
	if ((rc = node(ld, s, &v)))
		return rc;
	if ((rc = next(ld)) == PM_OK && (rc = next(ld)) == PM_OK &&
	    ld->ev.type != YAML_STREAM_END_EVENT)
		rc = fail(ld, ld->ev.start_mark,
			  _("a second document is not allowed: keep the configuration in one"));
	if (rc) {
		json_decref(v);
		return rc;
	}
	*out = v;
	return PM_OK;
}

/* Marks count characters from the text given to the parser (after any
 * BOM); spans are wanted in bytes of the text as stored. */
static void spans_to_bytes(const struct load *ld, const char *text, json_t *spans)
{
	size_t i, at = 0, chars = 0, base = text ? (size_t)(ld->text - text) : 0;
	json_t *sp;

	json_array_foreach(spans, i, sp)
		for (size_t k = 0; k < 2; k++) {
			size_t want = (size_t)json_integer_value(json_array_get(sp, k));

			if (want < chars)
				at = chars = 0;
			while (chars < want && at < ld->len) {
				at++;
				while (at < ld->len && ((unsigned char)ld->text[at] & 0xC0) == 0x80)
					at++;
				chars++;
			}
			json_array_set_new(sp, k, json_integer((json_int_t)(base + at)));
		}
}

static int load_text(const struct pm_schema *s, const char *text, size_t len, const char *name,
		     bool stored, json_t *spans, json_t **out, struct pm_err *e)
{
	struct load ld = { .name = name ? name : "config", .text = text ? text : "", .len = len,
			   .e = e, .stored = stored, .spans = spans };
	int rc;

	*out = NULL;
	/* A byte order mark, as Windows editors write: libyaml counts it as a
	 * column once the encoding is fixed, shifting the first line. */
	if (len >= 3 && !memcmp(ld.text, "\xef\xbb\xbf", 3)) {
		ld.text += 3;
		ld.len -= 3;
	}
	if (!yaml_parser_initialize(&ld.parser))
		return oom(&ld);
	yaml_parser_set_input_string(&ld.parser, (const unsigned char *)ld.text, ld.len);
	yaml_parser_set_encoding(&ld.parser, YAML_UTF8_ENCODING);
	rc = document(&ld, s, out);
	yaml_event_delete(&ld.ev);
	yaml_parser_delete(&ld.parser);
	if (spans)
		spans_to_bytes(&ld, text, spans);
	return rc;
}

int pm_schema_load(const struct pm_schema *s, const char *text, size_t len, const char *name,
		   json_t **out, struct pm_err *e)
{
	return load_text(s, text, len, name, false, NULL, out, e);
}

/* The schema of pm.yaml(5) */

static int check_tz(const json_t *v, struct pm_err *e)
{
	struct pm_err ignored;
	const char *tz = json_string_value(v);

	if (pm_tz_check(tz, &ignored) != PM_OK)
		return pm_err_set(e, PM_ECONFIG, _("unknown time zone \"%s\""), tz);
	return PM_OK;
}

static const struct pm_schema community_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("name", PM_NODE(PM_SCHEMA_STRING, .min = "1"), .required = true),
	PM_KEY("timezone", PM_NODE(PM_SCHEMA_STRING, .check = check_tz), .def = PM_DEFAULT_TZ),
	PM_KEY("address", PM_NODE(PM_SCHEMA_STRING))),
};

static const struct pm_schema meter_kind_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("uom", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "16"), .required = true),
	PM_KEY("digits", PM_NODE(PM_SCHEMA_INT, .min = "3", .max = "12"), .def = "6")),
};

static const struct pm_schema meters_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("missing", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("zero", "average_3m", "hold")),
	       .def = "zero"),
	PM_KEY("spike_factor", PM_NODE(PM_SCHEMA_DECIMAL, .places = 1, .min = "1", .max = "100"),
	       .def = "3"),
	PM_KEY("stuck_readings", PM_NODE(PM_SCHEMA_INT, .min = "2", .max = "1000"), .def = "5"),
	PM_KEY("future_tolerance", PM_NODE(PM_SCHEMA_DURATION, .min = "0s", .max = "366d"), .def = "1d"),
	PM_KEY("kinds", PM_NODE(PM_SCHEMA_DICT, .item = &meter_kind_schema))),
};

static const struct pm_schema config_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("effective", PM_NODE(PM_SCHEMA_DATE), .required = true),
	PM_KEY("community", &community_schema, .required = true),
	PM_KEY("meters", &meters_schema, .def = "{}"),
	PM_KEY("billing", &pm_billing_schema),
	PM_KEY("payments", &pm_payments_schema, .def = "{}"),
	PM_KEY("fees", &pm_fees_schema),
	PM_KEY("notice", &pm_notice_schema),
	PM_KEY("rewards", &pm_rewards_schema),
	PM_KEY("repair", &pm_repair_schema),
	PM_KEY("channels", &pm_channels_schema),
	PM_KEY("notify", &pm_notify_schema),
	PM_KEY("web", &pm_web_schema, .def = "{}"),
	PM_KEY("audit", &pm_audit_schema),
	PM_KEY("gates", &pm_gates_schema),
	PM_KEY("alarms", &pm_alarms_schema),
	PM_KEY("visitors", &pm_visitors_schema),
	PM_KEY("parking", &pm_parking_schema),
	PM_KEY("mqtt", &pm_mqtt_schema),
	PM_KEY("report", &pm_report_schema),
	PM_KEY("backup", &pm_backup_schema)),
};

/* The configuration */

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
	if ((rc = load_text(&config_schema, text, len, name, stored, NULL, &root, e)))
		return rc;
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
 * anything else, Chinese included. */
static void yaml_quote(const char *s, char *out, size_t n)
{
	size_t j = 0;

	out[j++] = '"';
	for (; *s && j + 3 < n; s++) {
		if (*s == '"' || *s == '\\')
			out[j++] = '\\';
		out[j++] = *s;
	}
	out[j++] = '"';
	out[j] = '\0';
}

int pm_config_init(struct pm_db *db, const char *name, const char *tz, struct pm_err *e)
{
	char qname[512], qtz[160], day[PM_TIME_BUF], text[1024];
	struct pm_config *cfg;
	int64_t version;
	int n, rc;

	yaml_quote(name, qname, sizeof qname);
	yaml_quote(tz, qtz, sizeof qtz);
	/* The first version is the base every later one overrides, so it is
	 * in force from the start of time, not from the day of pm init. */
	pm_date_fmt(0, day);
	n = snprintf(text, sizeof text, "effective: %s\ncommunity:\n  name: %s\n  timezone: %s\n", day,
		     qname, qtz);
	if (n < 0 || (size_t)n >= sizeof text)
		return pm_err_set(e, PM_EUSAGE, _("the community's name is too long"));
	if (pm_config_load(text, (size_t)n, "pm init", &cfg, e))
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

	load_text(&config_schema, text, len, "config", true, spans, &root, &ignored);
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

int pm_config_today(struct pm_db *db, const char *name, json_t **out, struct pm_err *e)
{
	static const char sql[] =
		"SELECT json_extract(json, '$.' || ?2) FROM config_version WHERE effective <= ?1" IN_FORCE;
	char date[PM_TIME_BUF];
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	const struct pm_schema_key *k;
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
	/* A version applied before the section existed: its defaults. */
	for (k = config_schema.keys; k->name; k++)
		if (strcmp(k->name, name) == 0 && k->def)
			return pm_schema_load(k->node, k->def, strlen(k->def), name, out, e);
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
	if (!s || s->type != PM_SCHEMA_MAP || (i = key_find(s->keys, k, strlen(k))) < 0)
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
	       key_find(s->item->keys, "name", 4) >= 0;
}

static json_t *named(json_t *list, const char *name)
{
	const char *n;
	json_t *item;
	size_t i;

	json_array_foreach(list, i, item)
		if ((n = json_string_value(json_object_get(item, "name"))) && strcmp(n, name) == 0)
			return item;
	return NULL;
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
				rc = child(d, s->item, true, name, v, named(b, name));
		json_array_foreach(b, i, v)
			if (rc == PM_OK && (name = json_string_value(json_object_get(v, "name"))) && !named(a, name))
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
		rc = walk(&d, &config_schema, ta, tb);
	json_decref(ta);
	json_decref(tb);
	return rc;
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
			if ((name = json_string_value(json_object_get(fee, "name"))) && !named(fees, name))
				json_array_append(*dropped, fee);
	}
	json_decref(was);
	json_decref(now);
	return rc;
}
