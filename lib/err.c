#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pm/err.h"

static int is_control(unsigned char ch)
{
	return ch < 0x20 || ch == 0x7f;
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
	dst[n] = '\0';
	return n;
}

/* The message, with what it quotes from outside (a meter code holding a
 * newline) escaped, so that it stays one line. */
static void oneline(struct pm_err *e)
{
	char raw[PM_ERR_MSG_MAX];
	const char *p;

	for (p = e->msg; *p && !is_control((unsigned char)*p); p++)
		;
	if (!*p)
		return;
	memcpy(raw, e->msg, sizeof raw);
	pm_err_oneline(e->msg, sizeof e->msg, raw);
}

int pm_err_set(struct pm_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	oneline(e);
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
		e->msg[0] = '\0';
	}
}
