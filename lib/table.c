#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "pm/i18n.h"
#include "pm/money.h"
#include "pm/table.h"

/* A nested record in a table of many rows shows this many columns. */
#define NESTED_COLUMNS 40

/* gettext in a context: the same English word is a heading in one place
 * and a status in another, and Chinese says them differently. */
static const char *ctx_gettext(const char *ctx, const char *id)
{
	char key[128];
	const char *t;

	if ((size_t)snprintf(key, sizeof key, "%s\004%s", ctx, id) >= sizeof key)
		return id;
	t = dgettext(PM_TEXTDOMAIN, key);
	return t == key ? id : t;
}

/* The fields people read most, by name (a _fen field by its name without
 * the suffix); any other shows its own name. Sorted for bsearch. */
static const char *const headings[] = {
	NC_("heading", "accepted_at"), NC_("heading", "action"), NC_("heading", "actor"),
	NC_("heading", "address"), NC_("heading", "adjust"), NC_("heading", "after"),
	NC_("heading", "allocated"), NC_("heading", "amount"), NC_("heading", "applicant"), NC_("heading", "applied_at"),
	NC_("heading", "applied_by"), NC_("heading", "area"), NC_("heading", "as_of"), NC_("heading", "assignee"),
	NC_("heading", "at"),
	NC_("heading", "balance"), NC_("heading", "before"), NC_("heading", "bill"),
	NC_("heading", "bills"), NC_("heading", "breakdown"), NC_("heading", "building"),
	NC_("heading", "business_ts"), NC_("heading", "by"), NC_("heading", "caller"),
	NC_("heading", "category"), NC_("heading", "change"), NC_("heading", "channel"),
	NC_("heading", "closed_at"), NC_("heading", "closed_reason"), NC_("heading", "closing"),
	NC_("heading", "code"), NC_("heading", "config_version"), NC_("heading", "contractor"),
	NC_("heading", "cost"), NC_("heading", "created"), NC_("heading", "credential"),
	NC_("heading", "days"), NC_("heading", "delivered"), NC_("heading", "deposit"), NC_("heading", "detail"),
	NC_("heading", "due"), NC_("heading", "effective"), NC_("heading", "entrance"),
	NC_("heading", "error"), NC_("heading", "events"), NC_("heading", "expires"),
	NC_("heading", "fee"), NC_("heading", "flags"), NC_("heading", "floor"),
	NC_("heading", "forfeit"), NC_("heading", "from"), NC_("heading", "gate"), NC_("heading", "id"),
	NC_("heading", "id_masked"), NC_("heading", "in_force"), NC_("heading", "inspections_passed"),
	NC_("heading", "inspections_required"), NC_("heading", "installed"), NC_("heading", "kind"),
	NC_("heading", "label"), NC_("heading", "late"), NC_("heading", "lines"), NC_("heading", "login"),
	NC_("heading", "meter"), NC_("heading", "multiplier"), NC_("heading", "name"),
	NC_("heading", "note"), NC_("heading", "object"), NC_("heading", "occupants"),
	NC_("heading", "open_tickets"), NC_("heading", "opening"), NC_("heading", "order"),
	NC_("heading", "outcome"), NC_("heading", "owed"), NC_("heading", "paid"), NC_("heading", "pass"),
	NC_("heading", "path"),
	NC_("heading", "payment"), NC_("heading", "period"), NC_("heading", "person"),
	NC_("heading", "phone"), NC_("heading", "points"), NC_("heading", "prepaid"),
	NC_("heading", "principal"), NC_("heading", "priority"),
	NC_("heading", "qr"), NC_("heading", "quantity"), NC_("heading", "reason"),
	NC_("heading", "recipient"), NC_("heading", "ref"), NC_("heading", "refund"),
	NC_("heading", "registers"), NC_("heading", "renovation"), NC_("heading", "reporter"),
	NC_("heading", "resolved_at"), NC_("heading", "result"), NC_("heading", "role"),
	NC_("heading", "room"),
	NC_("heading", "rule"), NC_("heading", "scope"), NC_("heading", "seq"), NC_("heading", "serves"),
	NC_("heading", "since"), NC_("heading", "source"), NC_("heading", "stars"),
	NC_("heading", "status"), NC_("heading", "submitted_at"), NC_("heading", "template"),
	NC_("heading", "text"), NC_("heading", "ticket"), NC_("heading", "title"), NC_("heading", "to"),
	NC_("heading", "to_prepaid"), NC_("heading", "total"), NC_("heading", "transaction"), NC_("heading", "ts"),
	NC_("heading", "unit"), NC_("heading", "units"), NC_("heading", "until"), NC_("heading", "uom"),
	NC_("heading", "updated_at"), NC_("heading", "usage"), NC_("heading", "use"),
	NC_("heading", "value"), NC_("heading", "version"), NC_("heading", "what"),
};

/* Enumerated values, by the fields that hold them. */
static const struct {
	const char *key, *value;
} values[] = {
	{"change", NC_("value", "added")}, {"change", NC_("value", "removed")},
	{"change", NC_("value", "changed")}, {"channel", NC_("value", "cash")}, {"channel", NC_("value", "bank")},
	{"channel", NC_("value", "wechat")}, {"channel", NC_("value", "alipay")},
	{"channel", NC_("value", "pos")}, {"channel", NC_("value", "points")}, {"channel", NC_("value", "sms")},
	{"channel", NC_("value", "email")}, {"kind", NC_("value", "water")},
	{"kind", NC_("value", "electricity")}, {"kind", NC_("value", "gas")},
	{"kind", NC_("value", "heat")}, {"kind", NC_("value", "repair")},
	{"kind", NC_("value", "complaint")}, {"kind", NC_("value", "suggestion")},
	{"kind", NC_("value", "inspection")}, {"outcome", NC_("value", "made")},
	{"outcome", NC_("value", "skipped")}, {"outcome", NC_("value", "recomputed")},
	{"outcome", NC_("value", "recorded")}, {"outcome", NC_("value", "duplicate")},
	{"priority", NC_("value", "urgent")}, {"priority", NC_("value", "high")},
	{"priority", NC_("value", "normal")}, {"priority", NC_("value", "low")},
	{"role", NC_("value", "owner")}, {"role", NC_("value", "tenant")},
	{"role", NC_("value", "family")}, {"role", NC_("value", "admin")},
	{"role", NC_("value", "finance")}, {"role", NC_("value", "frontdesk")},
	{"role", NC_("value", "technician")}, {"role", NC_("value", "guard")},
	{"role", NC_("value", "viewer")}, {"role", NC_("value", "service")},
	{"status", NC_("value", "draft")}, {"status", NC_("value", "issued")},
	{"status", NC_("value", "partial")}, {"status", NC_("value", "paid")},
	{"status", NC_("value", "void")}, {"status", NC_("value", "vacant")},
	{"status", NC_("value", "occupied")}, {"status", NC_("value", "rented")},
	{"status", NC_("value", "decorating")}, {"status", NC_("value", "submitted")},
	{"status", NC_("value", "accepted")}, {"status", NC_("value", "assigned")},
	{"status", NC_("value", "in_progress")}, {"status", NC_("value", "on_hold")},
	{"status", NC_("value", "resolved")}, {"status", NC_("value", "closed")},
	{"status", NC_("value", "cancelled")}, {"status", NC_("value", "reopened")},
	{"status", NC_("value", "queued")}, {"status", NC_("value", "sending")},
	{"status", NC_("value", "sent")}, {"status", NC_("value", "failed")},
	{"status", NC_("value", "pending")}, {"status", NC_("value", "applied")},
	{"status", NC_("value", "approved")}, {"status", NC_("value", "rejected")},
	{"status", NC_("value", "started")}, {"status", NC_("value", "completed")},
	/* What a guard reads at the gate: pm-gate verify's answer. */
	{"result", NC_("value", "allow")}, {"result", NC_("value", "deny")},
	{"reason", NC_("value", "bad_signature")}, {"reason", NC_("value", "malformed")},
	{"reason", NC_("value", "revoked")}, {"reason", NC_("value", "used_up")},
	{"reason", NC_("value", "not_yet_valid")}, {"reason", NC_("value", "expired")},
	{"reason", NC_("value", "wrong_gate")},
	{"use", NC_("value", "residential")}, {"use", NC_("value", "commercial")},
	{"use", NC_("value", "parking")}, {"use", NC_("value", "storage")},
};

int pm_table_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned cp;
	int w = 0, n;

	while (*p) {
		if (*p < 0x80) { cp = *p; n = 1; }
		else if ((*p & 0xe0) == 0xc0) { cp = *p & 0x1f; n = 2; }
		else if ((*p & 0xf0) == 0xe0) { cp = *p & 0x0f; n = 3; }
		else { cp = *p & 0x07; n = 4; }
		for (int i = 1; i < n; i++) {
			if ((p[i] & 0xc0) != 0x80) { n = i; break; }
			cp = cp << 6 | (p[i] & 0x3f);
		}
		p += n;
		if (cp >= 0x300 && cp <= 0x36f)
			continue;
		w += (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
		     (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
		     (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
		     (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x20000 && cp <= 0x3fffd) ? 2 : 1;
	}
	return w;
}

/* The bytes of s's first character. */
static size_t char_len(const unsigned char *s)
{
	size_t n = 1;

	while (s[n] && (s[n] & 0xc0) == 0x80)
		n++;
	return n;
}

static int is_money(const char *key)
{
	size_t n = strlen(key);

	return n > 4 && strcmp(key + n - 4, "_fen") == 0;
}

static int cmp_heading(const void *a, const void *b)
{
	return strcmp(a, *(const char *const *)b);
}

const char *pm_table_heading(const char *key, char *buf, size_t n)
{
	const char *const *h;

	snprintf(buf, n, "%.*s", (int)(is_money(key) ? strlen(key) - 4 : strlen(key)), key);
	h = bsearch(buf, headings, sizeof headings / sizeof *headings, sizeof *headings, cmp_heading);
	return h ? ctx_gettext("heading", *h) : buf;
}

const char *pm_table_value(const char *key, const char *v)
{
	for (size_t i = 0; i < sizeof values / sizeof *values; i++)
		if (strcmp(values[i].value, v) == 0 && strcmp(values[i].key, key) == 0)
			return ctx_gettext("value", values[i].value);
	return v;
}

/* s cut to at most cols columns, the last of them … when anything was
 * cut, into buf. */
static const char *cut(const char *s, int cols, char *buf, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = 0, cl;
	char one[5];
	int w = 0, cw;

	if (pm_table_width(s) <= cols)
		return s;
	while (*p && n > 4) {
		cl = char_len(p);
		memcpy(one, p, cl);
		one[cl] = '\0';
		cw = pm_table_width(one);
		if (w + cw > cols - 1 || len + cl + 4 > n)
			break;
		memcpy(buf + len, p, cl);
		len += cl, w += cw, p += cl;
	}
	memcpy(buf + len, "…", sizeof "…");
	return buf;
}

/* A cell's text; nested records as compact JSON, cut to nested columns
 * (0: whole), or as they are for CSV (nested < 0). */
static const char *cell_text(json_t *v, const char *key, int nested, char *buf, size_t n)
{
	int table = nested >= 0;
	const char *s;
	char *js;

	if (json_is_string(v))
		return table ? pm_table_value(key, json_string_value(v)) : json_string_value(v);
	if (json_is_integer(v)) {
		if (is_money(key) && table && n >= PM_MONEY_BUF)
			return pm_money_display(json_integer_value(v), buf);
		snprintf(buf, n, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	if (json_is_boolean(v))
		return json_is_true(v) ? "true" : "false";
	if (!v || json_is_null(v))
		return "";
	if (!(js = json_dumps(v, JSON_COMPACT)))
		return "…";
	s = nested > 0 ? cut(js, nested, buf, n) : js;
	if (s != buf)
		snprintf(buf, n, "%s", s);
	free(js);
	return buf;
}

const char *pm_table_cell(json_t *v, const char *key, int table, char *buf, size_t n)
{
	return cell_text(v, key, table ? NESTED_COLUMNS : -1, buf, n);
}

/* Columns of numbers and money keep every digit; text may be cut. */
static int numeric(json_t *rows, const char *key)
{
	size_t r;
	json_t *row, *v;

	if (is_money(key))
		return 1;
	json_array_foreach(rows, r, row)
		if ((v = json_object_get(row, key)) && !json_is_integer(v) && !json_is_null(v))
			return 0;
	return 1;
}

/* Narrows the widest column, a column at a time, until the table fits
 * width: numbers and money keep every digit, text keeps 8 columns. */
static void fit(int *w, const int *min, size_t ncol, int width)
{
	int total = ncol ? 2 * (int)(ncol - 1) : 0, least = total;
	size_t i, widest;

	for (i = 0; i < ncol; i++)
		total += w[i], least += min[i];
	/* Cutting what cannot fit anyway would lose text for nothing: such a
	 * table wraps whole, and --columns is the way to a narrower one. */
	if (least > width)
		return;
	while (total > width) {
		widest = ncol;
		for (i = 0; i < ncol; i++)
			if (w[i] > min[i] && (widest == ncol || w[i] > w[widest]))
				widest = i;
		if (widest == ncol)
			return;
		w[widest]--;
		total--;
	}
}

/* A cell keeps to its row: line breaks and tabs (an announcement's body)
 * print as spaces, which pm_table_width counts as one column each too.
 * So do the other control characters, C0, DEL and C1 (U+0080-U+009F):
 * text an owner typed (a ticket, a visitor's name) must not move the
 * cursor, clear the screen or retitle the terminal of whoever lists it. */
static void put_cell(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			p++;
		else if (*p >= 0x20 && *p != 0x7f) {
			putc(*p, f);
			continue;
		}
		putc(' ', f);
	}
}

static void pad(FILE *f, int n)
{
	while (n-- > 0)
		putc(' ', f);
}

static void print_row(FILE *f, json_t *cols, json_t *row, const int *w, const int *num, int nested)
{
	size_t ncol = json_array_size(cols), i;
	char buf[4096], cbuf[4096];
	json_t *k;

	json_array_foreach(cols, i, k) {
		const char *key = json_string_value(k);
		const char *s = row ? cell_text(json_object_get(row, key), key, nested, buf, sizeof buf)
				    : pm_table_heading(key, buf, sizeof buf);
		const char *c = cut(s, w[i], cbuf, sizeof cbuf);
		int gap = w[i] - pm_table_width(c);

		if (num[i] && row)
			pad(f, gap);
		put_cell(f, c);
		if (i + 1 < ncol)
			pad(f, (num[i] && row ? 0 : gap) + 2);
	}
	putc('\n', f);
}

json_t *pm_table_fields(json_t *rows)
{
	json_t *all = json_object(), *row, *v;
	const char *k;
	size_t i;

	json_array_foreach(rows, i, row)
		json_object_foreach(row, k, v)
			if (all && !json_object_get(all, k) && json_object_set(all, k, v)) {
				json_decref(all);
				return NULL;
			}
	return all;
}

static void print_table(FILE *f, json_t *cols, json_t *rows, int width, int nested);

/* The columns of a list of records: every field of theirs but lists. */
static json_t *list_cols(json_t *list)
{
	json_t *fields = pm_table_fields(list), *cols = fields ? json_array() : NULL, *x;
	const char *k;

	if (cols)
		json_object_foreach(fields, k, x)
			if (strcmp(k, "type") != 0 && !json_is_array(x))
				json_array_append_new(cols, json_string(k));
	json_decref(fields);
	return cols;
}

/* The fields of row that hold lists of records, as tables of their own
 * with their nested records whole (a bill's lines with their breakdowns). */
static void print_lists(FILE *f, json_t *row, int width)
{
	char buf[256];
	const char *key;
	json_t *v, *cols;

	json_object_foreach(row, key, v) {
		if (!json_is_object(json_array_get(v, 0)) || !(cols = list_cols(v)))
			continue;
		fprintf(f, "\n%s\n", pm_table_heading(key, buf, sizeof buf));
		print_table(f, cols, v, width, 0);
		json_decref(cols);
	}
}

static void print_table(FILE *f, json_t *cols, json_t *rows, int width, int nested)
{
	size_t ncol = json_array_size(cols), i, r;
	int *w = calloc(3 * (ncol ? ncol : 1), sizeof *w), *min, *num;
	char buf[4096];
	json_t *row, *k;

	if (!w)
		return;
	min = w + ncol, num = min + ncol;
	json_array_foreach(cols, i, k) {
		const char *key = json_string_value(k);

		w[i] = pm_table_width(pm_table_heading(key, buf, sizeof buf));
		num[i] = numeric(rows, key);
		min[i] = 0;
		json_array_foreach(rows, r, row) {
			int cw = pm_table_width(cell_text(json_object_get(row, key), key, nested, buf, sizeof buf));
			if (cw > min[i])
				min[i] = cw;
		}
		if (min[i] > w[i])
			w[i] = min[i];
		/* A heading may be cut to its numbers' width; text to 8 columns. */
		if (!num[i] || min[i] < 4)
			min[i] = w[i] < 8 ? w[i] : 8;
	}
	if (width > 0)
		fit(w, min, ncol, width);
	print_row(f, cols, NULL, w, num, nested);
	json_array_foreach(rows, r, row)
		print_row(f, cols, row, w, num, nested);
	free(w);
}

static int has_lists(json_t *row)
{
	const char *k;
	json_t *v;

	json_object_foreach(row, k, v)
		if (json_is_object(json_array_get(v, 0)))
			return 1;
	return 0;
}

/* One record as a card, a field a line under its heading, its lists of
 * records below as tables. */
static void print_card(FILE *f, json_t *cols, json_t *row, int width)
{
	char buf[4096], cbuf[4096], head[256];
	int hw = 0, cw;
	size_t i;
	json_t *k;

	json_array_foreach(cols, i, k)
		if ((cw = pm_table_width(pm_table_heading(json_string_value(k), head, sizeof head))) > hw)
			hw = cw;
	json_array_foreach(cols, i, k) {
		const char *key = json_string_value(k), *h = pm_table_heading(key, head, sizeof head);

		fputs(h, f);
		pad(f, hw - pm_table_width(h) + 2);
		put_cell(f, cut(cell_text(json_object_get(row, key), key, 0, buf, sizeof buf),
				width > hw + 2 ? width - hw - 2 : INT_MAX, cbuf, sizeof cbuf));
		putc('\n', f);
	}
	print_lists(f, row, width);
}

void pm_table_print(FILE *f, json_t *cols, json_t *rows, int width)
{
	if (json_array_size(rows) == 1 && has_lists(json_array_get(rows, 0)))
		print_card(f, cols, json_array_get(rows, 0), width);
	else
		print_table(f, cols, rows, width, NESTED_COLUMNS);
}
