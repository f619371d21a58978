#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pm/err.h"
#include "pm/i18n.h"

static int is_control(unsigned char ch)
{
	return ch < 0x20 || ch == 0x7f;
}

size_t pm_utf8_trim(char *s, size_t n)
{
	size_t i = n, need;
	unsigned char lead;

	while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i > 0 && (lead = (unsigned char)s[i - 1]) >= 0xC0) {
		need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
		if (n - (i - 1) < need)
			n = i - 1;
	}
	s[n] = '\0';
	return n;
}

size_t pm_utf8_next(const char *s, size_t n, unsigned *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned c, need;

	if (n == 0)
		return 0;
	if ((c = p[0]) < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) { need = 1; c &= 0x1f; }
	else if (c >= 0xe0 && c <= 0xef) { need = 2; c &= 0x0f; }
	else if (c >= 0xf0 && c <= 0xf4) { need = 3; c &= 0x07; }
	else return 0;
	if (n <= need)
		return 0;
	for (unsigned i = 1; i <= need; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	/* overlong forms, surrogates, past U+10FFFF */
	if ((need == 2 && c < 0x800) || (need == 3 && (c < 0x10000 || c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return need + 1;
}

int pm_utf8_valid(const char *s)
{
	size_t n = strlen(s), k;
	unsigned cp;

	for (; n; s += k, n -= k)
		if (!(k = pm_utf8_next(s, n, &cp)))
			return 0;
	return 1;
}

/* The controls, and the characters that show as a blank, as nothing, or
 * on the character before, so that a key with one looks like another
 * without it: "WX1" and "WX1" + U+3000 (an input method's space), U+200B
 * or U+0301. White space but U+0020, the line and paragraph separators,
 * Unicode's default ignorable code points and other format characters,
 * the combining diacritical marks' blocks, and noncharacters
 * (U+FDD0-U+FDEF, U+xFFFE-U+xFFFF, below). Bidi_Control characters are
 * controls. */
static const struct {
	unsigned lo, hi;
	int control;
} unshown[] = {
	{0x00, 0x1f, 1}, {0x7f, 0x9f, 1},                      /* C0, DEL, C1 */
	{0xa0, 0xa0, 0}, {0xad, 0xad, 0},                      /* no-break space, soft hyphen */
	{0x300, 0x36f, 0},                                     /* combining diacritical marks */
	{0x600, 0x605, 0}, {0x61c, 0x61c, 1}, {0x6dd, 0x6dd, 0}, /* Arabic format, letter mark */
	{0x70f, 0x70f, 0}, {0x8e2, 0x8e2, 0}, {0x115f, 0x1160, 0}, {0x1680, 0x1680, 0},
	{0x17b4, 0x17b5, 0}, {0x180b, 0x180f, 0},              /* Khmer, Mongolian */
	{0x1ab0, 0x1aff, 0}, {0x1dc0, 0x1dff, 0},              /* combining marks */
	{0x2000, 0x200d, 0}, {0x200e, 0x200f, 1},              /* spaces, zero width; LRM, RLM */
	{0x2028, 0x2029, 0}, {0x202a, 0x202e, 1}, {0x202f, 0x202f, 0},
	{0x205f, 0x2065, 0}, {0x2066, 0x2069, 1}, {0x206a, 0x206f, 0},
	{0x20d0, 0x20ff, 0}, {0x3000, 0x3000, 0}, {0x3164, 0x3164, 0}, /* marks for symbols, 全角 space */
	{0xfdd0, 0xfdef, 0}, {0xfe00, 0xfe0f, 0}, {0xfe20, 0xfe2f, 0}, /* variation selectors */
	{0xfeff, 0xfeff, 0}, {0xffa0, 0xffa0, 0}, {0xfff0, 0xfffb, 0},
	{0x110bd, 0x110bd, 0}, {0x110cd, 0x110cd, 0}, {0x1bca0, 0x1bca3, 0},
	{0x1d173, 0x1d17a, 0}, {0xe0000, 0xe0fff, 0},          /* musical format, tags */
};

int pm_char_unshown(unsigned cp)
{
	for (size_t k = 0; k < sizeof unshown / sizeof *unshown && cp >= unshown[k].lo; k++)
		if (cp <= unshown[k].hi)
			return unshown[k].control ? 2 : 1;
	return (cp & 0xfffe) == 0xfffe;
}

int pm_utf8_shown(const char *s, size_t n, size_t *at, unsigned *cp)
{
	size_t k;
	int bad;

	for (*at = 0; *at < n; *at += k) {
		if (!(k = pm_utf8_next(s + *at, n - *at, cp)))
			return 1;
		if ((bad = pm_char_unshown(*cp)))
			return bad == 2 ? 2 : 3;
	}
	return 0;
}

/* pm_text_valid, or with utf8 0 pm_text_controls. */
static int text_scan(const char *what, const char *text, int utf8, struct pm_err *e)
{
	size_t len = text ? strlen(text) : 0, k;
	unsigned cp;

	for (size_t at = 0; at < len; at += k) {
		if (!(k = pm_utf8_next(text + at, len - at, &cp))) {
			if (utf8)
				return pm_err_set(e, PM_EDATA, _("%s: byte %zu is not UTF-8"), what, at);
			k = 1;
		} else if (pm_char_unshown(cp) == 2 && cp != '\t' && cp != '\n' && cp != '\r')
			return pm_err_set(e, PM_EDATA, _("%s: byte %zu is U+%04X, a control character: take it out"), what,
					  at, cp);
	}
	return PM_OK;
}

int pm_text_valid(const char *what, const char *text, struct pm_err *e)
{
	return text_scan(what, text, 1, e);
}

int pm_text_controls(const char *what, const char *text, struct pm_err *e)
{
	return text_scan(what, text, 0, e);
}

int pm_code_valid(const char *field, const char *code, size_t max, struct pm_err *e)
{
	size_t len = strlen(code), at;
	unsigned cp;

	if (len == 0 || len > max)
		return pm_err_set(e, PM_EDATA, _("field \"%s\": 1 to %zu bytes"), field, max);
	if (code[0] == ' ' || code[len - 1] == ' ')
		return pm_err_set(e, PM_EDATA, _("field \"%s\": a space at its start or end"), field);
	switch (pm_utf8_shown(code, len, &at, &cp)) {
	case 0:
		return PM_OK;
	case 1:
		return pm_err_set(e, PM_EDATA, _("field \"%s\": byte %zu is no UTF-8"), field, at + 1);
	case 2:
		return pm_err_set(e, PM_EDATA, _("field \"%s\": byte %zu is U+%04X, a control character"), field,
				  at + 1, cp);
	default:
		return pm_err_set(e, PM_EDATA,
				  _("field \"%s\": byte %zu is U+%04X, a blank, invisible or combining character: a code"
				    " would look like another without it"), field, at + 1, cp);
	}
}

size_t pm_err_oneline(char *dst, size_t size, const char *src)
{
	size_t n = 0, w;
	char esc[5];

	if (!size)
		return 0;
	for (; *src; src++) {
		unsigned char ch = (unsigned char)*src;

		switch (ch) {
		case '\n': memcpy(esc, "\\n", 3); break;
		case '\r': memcpy(esc, "\\r", 3); break;
		case '\t': memcpy(esc, "\\t", 3); break;
		default:
			esc[0] = (char)ch;
			esc[1] = '\0';
			if (is_control(ch))
				snprintf(esc, sizeof esc, "\\x%02x", ch);
		}
		/* Whole escapes only: a cut one would read as something else. */
		w = strlen(esc);
		if (n + w >= size)
			break;
		memcpy(dst + n, esc, w);
		n += w;
	}
	return pm_utf8_trim(dst, n);
}

/* The message, with what it quotes from outside (a meter code holding a
 * newline) escaped, so that it stays one line, and no character cut in
 * two where it was truncated to fit. */
static void oneline(struct pm_err *e)
{
	char raw[PM_ERR_MSG_MAX];

	memcpy(raw, e->msg, sizeof raw);
	pm_err_oneline(e->msg, sizeof e->msg, raw);
}

static int set(struct pm_err *e, int code, int internal, const char *fmt, va_list ap)
{
	if (!e)
		return code;
	e->code = code;
	e->internal = internal;
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	oneline(e);
	return code;
}

int pm_err_set(struct pm_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	code = set(e, code, 0, fmt, ap);
	va_end(ap);
	return code;
}

int pm_err_internal(struct pm_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	code = set(e, code, 1, fmt, ap);
	va_end(ap);
	return code;
}

int pm_err_prefix(struct pm_err *e, const char *fmt, ...)
{
	char head[PM_ERR_MSG_MAX], old[PM_ERR_MSG_MAX];
	va_list ap;

	if (!e)
		return PM_EFAIL;
	va_start(ap, fmt);
	vsnprintf(head, sizeof head, fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof old);
	/* Truncation is fine: a long message keeps its start. */
	if (snprintf(e->msg, sizeof e->msg, "%.200s: %.300s", head, old) < 0)
		e->msg[0] = '\0';
	oneline(e);
	return e->code;
}

void pm_err_clear(struct pm_err *e)
{
	if (e) {
		e->code = PM_OK;
		e->internal = 0;
		e->msg[0] = '\0';
	}
}
