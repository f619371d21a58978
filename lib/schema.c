/* schema: one YAML document checked against a schema while libyaml parses
 * it, event by event, into a normalized JSON tree. Only nodes the schema
 * describes are descended into and the first problem ends the load, so
 * recursion is as deep as the schema, whatever the input. pm.yaml is one
 * such document (lib/sections.c has its schema, lib/config.c its
 * versions); template files and pm-mqtt's maps are others. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <yaml.h>

#include "pm/config.h"
#include "pm/i18n.h"
#include "pm/money.h"
#include "pm/secret.h"
#include "pm/suggest.h"
#include "pm/timeutil.h"
#include "config-internal.h"

/* How much of a value or key a message quotes, in bytes. */
#define QUOTE_MAX 60
#define QUOTE_BUF (QUOTE_MAX + 8)

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

	for (i = 0; s->words[i]; i++)
		if (strlen(s->words[i]) == n && !memcmp(s->words[i], t, n)) {
			*out = json_string(s->words[i]);
			return *out ? PM_OK : oom(ld);
		}
	/* The nearest word only for the message: a good value, the usual
	 * case, is no edit distance computed against every word before it. */
	for (i = 0; s->words[i]; i++)
		pm_suggest_consider(t, n, s->words[i], &best, &d);
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

/* A name of a node marked code (its text, or a DICT's key) in a file
 * being read: characters that show. A stored version is taken as it was
 * stored. */
static int shown(struct load *ld, const char *what, const char *t, yaml_mark_t m)
{
	struct pm_err ce = { 0 };

	if (ld->stored || pm_code_valid(what, t, 255, &ce) == PM_OK)
		return PM_OK;
	return bad(ld, m, "%s", ce.msg);
}

static int settle(struct load *ld, const struct pm_schema *s, const json_t *v, yaml_mark_t m)
{
	struct pm_err ce = { 0 };
	int rc;

	if ((s->type == PM_SCHEMA_STRING || s->type == PM_SCHEMA_LIST ||
	     s->type == PM_SCHEMA_DICT) && (rc = counted(ld, s, v, m)))
		return rc;
	if (s->code && s->type == PM_SCHEMA_STRING && (rc = shown(ld, "name", json_string_value(v), m)))
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
	if (s->code && (rc = shown(ld, "key", k, ld->ev.start_mark)))
		return rc;
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

int pm_schema_read(const struct pm_schema *s, const char *text, size_t len, const char *name,
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
	return pm_schema_read(s, text, len, name, false, NULL, out, e);
}

int pm_schema_key_find(const struct pm_schema_key *keys, const char *k)
{
	return key_find(keys, k, strlen(k));
}

static uint64_t digest_text(uint64_t h, const char *t)
{
	/* FNV-1a over the text and its end; NULL differs from "". */
	if (!t)
		return (h ^ 0xff) * 0x100000001b3ULL;
	do
		h = (h ^ (unsigned char)*t) * 0x100000001b3ULL;
	while (*t++);
	return h;
}

uint64_t pm_schema_digest(const struct pm_schema *s)
{
	char head[48];
	uint64_t h = 0xcbf29ce484222325ULL;

	if (!s)
		return digest_text(h, NULL);
	snprintf(head, sizeof head, "%d %d %d %d %d", (int)s->type, s->places, s->secret, s->check != NULL, s->code);
	h = digest_text(h, head);
	h = digest_text(h, s->min);
	h = digest_text(h, s->max);
	for (const char *const *w = s->words; w && *w; w++)
		h = digest_text(h, *w);
	h = digest_text(h, NULL);
	for (const struct pm_schema_key *k = s->keys; k && k->name; k++) {
		h = digest_text(h, k->name);
		h = digest_text(h, k->required ? "required" : "optional");
		h = digest_text(h, k->def);
		h ^= pm_schema_digest(k->node);
		h *= 0x100000001b3ULL;
	}
	h = digest_text(h, NULL);
	h ^= pm_schema_digest(s->item);
	return h * 0x100000001b3ULL;
}
