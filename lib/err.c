#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pm/err.h"

static int set(struct pm_err *e, int code, int internal, const char *fmt, va_list ap)
{
	if (!e)
		return code;
	e->code = code;
	e->internal = internal;
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
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
