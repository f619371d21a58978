/* template: {{field}} substitution, the shipped template files and the
 * schema they (and the config's overrides) are checked against. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <unistd.h>

#include "config-internal.h"
#include "strbuf-internal.h"
#include "pm/file.h"
#include "pm/i18n.h"
#include "pm/money.h"
#include "pm/template.h"
#include "pm/timeutil.h"

#define FIELD_MAX 64
/* A value as said: an amount, a time, or a duration's two numbers and
 * their units (at most UNIT_MAX characters of 4 bytes each). */
#define UNIT_MAX 16
#define VALUE_BUF (2 * 20 + 2 * 4 * UNIT_MAX + 1)
#define STR_(x) #x
#define STR(x) STR_(x)

static int check_src(const json_t *v, struct pm_err *e)
{
	return pm_tmpl_check(json_string_value(v), e);
}

const struct pm_schema pm_template_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("category", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("bill", "payment", "meter",
		"repair", "visitor", "gate", "announcement", "audit", "account")), .required = true),
	PM_KEY("audience", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("residents", "owners", "staff")),
	       .def = "residents"),
	PM_KEY("legal", PM_NODE(PM_SCHEMA_BOOL), .def = "false"),
	PM_KEY("alarm", PM_NODE(PM_SCHEMA_BOOL), .def = "false"),
	PM_KEY("subject", PM_NODE(PM_SCHEMA_STRING, .min = "1", .check = check_src), .required = true),
	PM_KEY("text", PM_NODE(PM_SCHEMA_STRING, .min = "1", .check = check_src), .required = true),
	PM_KEY("html", PM_NODE(PM_SCHEMA_STRING, .check = check_src)),
	PM_KEY("words", PM_NODE(PM_SCHEMA_DICT, .item = PM_NODE(PM_SCHEMA_DICT,
		.item = PM_NODE(PM_SCHEMA_STRING, .min = "1")))),
	PM_KEY("durations", PM_NODE(PM_SCHEMA_DICT, .item = PM_NODE(PM_SCHEMA_LIST, .min = "4", .max = "4",
		.item = PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = STR(UNIT_MAX)))))),
};

/* The field name between "{{" at p and the next "}}", spaces trimmed:
 * its length, or -1 if unclosed, -2 if not a name. A name ending in '?'
 * is of a field the record may lack (*optional). */
static int field_at(const char *p, const char **name, const char **end, int *optional)
{
	const char *close = strstr(p + 2, "}}"), *s = p + 2, *t;

	if (!close)
		return -1;
	while (s < close && *s == ' ')
		s++;
	t = close;
	while (t > s && t[-1] == ' ')
		t--;
	if ((*optional = t > s && t[-1] == '?'))
		t--;
	if (t == s || t - s > FIELD_MAX)
		return -2;
	for (const char *q = s; q < t; q++)
		if (!isalnum((unsigned char)*q) && *q != '_' && *q != '.')
			return -2;
	*name = s;
	*end = close + 2;
	return (int)(t - s);
}

int pm_tmpl_check(const char *src, struct pm_err *e)
{
	const char *p = src, *name, *end;
	int n, optional;

	while ((p = strstr(p, "{{"))) {
		n = field_at(p, &name, &end, &optional);
		if (n == -1)
			return pm_err_set(e, PM_ECONFIG, _("'{{' at offset %zu is never closed"),
					  (size_t)(p - src));
		if (n == -2)
			return pm_err_set(e, PM_ECONFIG, _("'{{' at offset %zu holds no field name"),
					  (size_t)(p - src));
		p = end;
	}
	return PM_OK;
}

static void add_escaped(struct strbuf *b, const char *s, int html)
{
	const char *run = s;

	if (!html) {
		sb_str(b, s);
		return;
	}
	for (; *s; s++) {
		const char *rep = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;" :
				  *s == '"' ? "&quot;" : *s == '\'' ? "&#39;" : NULL;
		if (!rep)
			continue;
		sb_add(b, run, (size_t)(s - run));
		sb_str(b, rep);
		run = s + 1;
	}
	sb_str(b, run);
}

static int is_fen(const char *key)
{
	size_t n = strlen(key);

	return n > 4 && strcmp(key + n - 4, "_fen") == 0;
}

/* "2026-12-15T00:00:00Z" and the like, not dates or other text. */
static int as_time(const char *s, const char *tz, char out[PM_TIME_BUF])
{
	char buf[PM_TIME_BUF];
	int64_t t;

	if (strlen(s) < 19 || s[4] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    pm_time_parse(s, &t, NULL) != PM_OK)
		return 0;
	pm_time_fmt(t, tz, buf);
	snprintf(out, PM_TIME_BUF, "%.10s %.5s", buf, buf + 11);
	return 1;
}

/* A record's words are the programs' (resolved, door_forced): the
 * template's words say them to people (已完成, 门被强行打开). */
static const char *word_for(const json_t *words, const char *key, const char *value)
{
	return json_string_value(json_object_get(json_object_get(words, key), value));
}

/* Seconds said in a duration's units, largest first ([天, 小时, 分钟,
 * 秒]): the first that is not zero and the next, if that is not zero
 * either ("1天23小时", "2小时5分钟", "45秒"). People read how long, not
 * to the second; a breach of 1d23h5m12s is "1天23小时". */
static void duration_words(const json_t *units, int64_t s, char *buf, size_t n)
{
	static const int64_t secs[] = {86400, 3600, 60, 1};
	int i = 0, len;

	while (i < 3 && s < secs[i])
		i++;
	len = snprintf(buf, n, "%lld%s", (long long)(s / secs[i]),
		       json_string_value(json_array_get(units, (size_t)i)));
	s %= secs[i];
	if (i < 3 && s >= secs[i + 1] && len > 0 && (size_t)len < n)
		snprintf(buf + len, n - (size_t)len, "%lld%s", (long long)(s / secs[i + 1]),
			 json_string_value(json_array_get(units, (size_t)i + 1)));
}

static int value_text(const char *name, const char *key, json_t *v, const json_t *words,
		      const char *tz, char buf[VALUE_BUF], const char **out,
		      struct pm_err *e)
{
	const json_t *units = json_object_get(words, key);
	int64_t fen;

	if (json_is_string(v) && (*out = word_for(words, key, json_string_value(v))))
		return PM_OK;
	if (json_is_array(units) && json_is_integer(v) && json_integer_value(v) >= 0) {
		duration_words(units, json_integer_value(v), buf, VALUE_BUF);
		*out = buf;
		return PM_OK;
	}
	if (is_fen(key) && (json_is_integer(v) || json_is_string(v))) {
		if (json_is_integer(v))
			fen = json_integer_value(v);
		else if (pm_decimal_parse(json_string_value(v), 0, &fen, NULL) != PM_OK)
			return pm_err_set(e, PM_EDATA, _("template '%s': field \"%s\" is not an amount in fen"),
					  name, key);
		*out = pm_money_display(fen, buf);
	} else if (json_is_string(v)) {
		*out = as_time(json_string_value(v), tz, buf) ? buf : json_string_value(v);
	} else if (json_is_integer(v)) {
		snprintf(buf, PM_MONEY_BUF, "%lld", (long long)json_integer_value(v));
		*out = buf;
	} else if (json_is_real(v)) {
		snprintf(buf, PM_MONEY_BUF, "%.15g", json_real_value(v));
		*out = buf;
	} else if (json_is_boolean(v)) {
		*out = json_is_true(v) ? "true" : "false";
	} else if (!v) {
		return pm_err_set(e, PM_EDATA, _("template '%s': the record has no field \"%s\""), name, key);
	} else {
		return pm_err_set(e, PM_EDATA, _("template '%s': field \"%s\" is not text or a number"),
				  name, key);
	}
	return PM_OK;
}

int pm_tmpl_render(const char *name, const char *src, json_t *rec, const json_t *words, const char *tz,
		   int html, char **out, struct pm_err *e)
{
	char key[FIELD_MAX + 1], buf[VALUE_BUF];
	const char *p = src, *at, *fname, *end, *text = "";
	struct strbuf b = {0};
	int n, rc, optional;
	json_t *v;

	*out = NULL;
	while ((at = strstr(p, "{{"))) {
		sb_add(&b, p, (size_t)(at - p));
		if ((n = field_at(at, &fname, &end, &optional)) < 0) {
			free(sb_take(&b));
			pm_tmpl_check(src, e);
			return pm_err_prefix(e, _("template '%s'"), name);
		}
		snprintf(key, sizeof key, "%.*s", n, fname);
		v = json_object_get(rec, key);
		if (optional && (!v || json_is_null(v)))
			text = "";
		else if ((rc = value_text(name, key, v, words, tz, buf, &text, e))) {
			free(sb_take(&b));
			return rc;
		}
		add_escaped(&b, text, html);
		p = end;
	}
	sb_str(&b, p);
	if (!(*out = sb_take(&b)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	return PM_OK;
}

void pm_tmpl_set_json(json_t *o, const char *k, const char *v)
{
	json_t *tmp = json_string(v);
	char *dump = tmp ? json_dumps(tmp, JSON_ENCODE_ANY) : NULL;

	json_decref(tmp);
	if (dump && strlen(dump) >= 2) {
		dump[strlen(dump) - 1] = '\0';
		json_object_set_new(o, k, json_string(dump + 1));
	}
	free(dump);
}

static char *dup_or_null(json_t *v)
{
	return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

/* A duration's units go in words beside the values' words, as a list
 * where those are a map: one lookup by field serves both. */
static int merge_words(struct pm_tmpl *t, json_t *o)
{
	json_t *durations = json_object_get(o, "durations"), *units;
	const char *field;

	t->words = json_deep_copy(json_object_get(o, "words"));
	if (!durations)
		return 0;
	if (!t->words && !(t->words = json_object()))
		return -1;
	json_object_foreach(durations, field, units)
		if (json_object_set(t->words, field, units))
			return -1;
	return 0;
}

int pm_tmpl_from_json(const char *name, json_t *o, struct pm_tmpl **out, struct pm_err *e)
{
	struct pm_tmpl *t = calloc(1, sizeof *t);

	*out = NULL;
	if (!t)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	t->name = strdup(name);
	t->category = dup_or_null(json_object_get(o, "category"));
	t->subject = dup_or_null(json_object_get(o, "subject"));
	t->text = dup_or_null(json_object_get(o, "text"));
	t->html = dup_or_null(json_object_get(o, "html"));
	if (merge_words(t, o)) {
		pm_tmpl_free(t);
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	}
	t->legal = json_is_true(json_object_get(o, "legal"));
	t->alarm = json_is_true(json_object_get(o, "alarm"));
	t->staff = json_is_string(json_object_get(o, "audience")) &&
		   strcmp(json_string_value(json_object_get(o, "audience")), "staff") == 0;
	t->owners = json_is_string(json_object_get(o, "audience")) &&
		    strcmp(json_string_value(json_object_get(o, "audience")), "owners") == 0;
	if (!t->name || !t->category || !t->subject || !t->text) {
		pm_tmpl_free(t);
		return pm_err_set(e, PM_ECONFIG, _("template '%s' lacks a category, subject or text"), name);
	}
	*out = t;
	return PM_OK;
}

void pm_tmpl_free(struct pm_tmpl *t)
{
	if (!t)
		return;
	free(t->name);
	free(t->category);
	free(t->subject);
	free(t->text);
	free(t->html);
	json_decref(t->words);
	free(t);
}

static int valid_name(const char *name)
{
	if (!*name || strlen(name) > FIELD_MAX)
		return 0;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			return 0;
	return 1;
}

static int load_file(const char *path, const char *name, struct pm_tmpl **out, struct pm_err *e)
{
	char text[32768];
	json_t *o;
	size_t len;
	FILE *f = fopen(path, "rb");
	int rc;

	if (!f)
		return pm_err_set(e, PM_ECONFIG, _("no template '%s' (looked for '%s': %s)"), name, path,
				  strerror(errno));
	len = fread(text, 1, sizeof text, f);
	fclose(f);
	if (len == sizeof text)
		return pm_err_set(e, PM_ECONFIG, _("template '%s' is longer than %zu bytes"), name,
				  sizeof text - 1);
	if ((rc = pm_schema_load(&pm_template_schema, text, len, path, &o, e)))
		return rc;
	rc = pm_tmpl_from_json(name, o, out, e);
	json_decref(o);
	return rc;
}

int pm_tmpl_find(json_t *overrides, const char *dir, const char *name, struct pm_tmpl **out,
		 struct pm_err *e)
{
	char path[PATH_MAX];
	json_t *o = overrides ? json_object_get(overrides, name) : NULL;

	*out = NULL;
	if (o)
		return pm_tmpl_from_json(name, o, out, e);
	if (!valid_name(name))
		return pm_err_set(e, PM_ECONFIG, _("no template '%s'"), name);
	if (snprintf(path, sizeof path, "%s/%s.yaml", dir, name) >= (int)sizeof path)
		return pm_err_set(e, PM_ECONFIG, _("no template '%s'"), name);
	return load_file(path, name, out, e);
}

const char *pm_tmpl_dir(void)
{
	static char dir[PATH_MAX];

	return pm_file_share("PM_TEMPLATE_DIR", "templates", dir, sizeof dir);
}
