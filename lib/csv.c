#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv-internal.h"
#include "pm/i18n.h"

enum { CELL_START, UNQUOTED, QUOTED, QUOTE_SEEN };

/* p with room for need items of size, or NULL (p still valid) if there
 * is no memory for them. */
static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 64;

	if (need <= *cap)
		return p;
	while (n < need) {
		if (n > SIZE_MAX / 2 / size)
			return NULL;
		n *= 2;
	}
	if (!(p = realloc(p, n * size)))
		return NULL;
	*cap = n;
	return p;
}

void pm_csv_init(struct pm_csv *c, char sep)
{
	memset(c, 0, sizeof *c);
	c->sep = sep;
}

void pm_csv_free(struct pm_csv *c)
{
	free(c->cells);
	free(c->ends);
	free(c->raw);
}

void pm_csv_reset(struct pm_csv *c)
{
	c->state = CELL_START;
	c->cells_len = c->n = c->raw_len = 0;
}

static int cell_end(struct pm_csv *c)
{
	size_t *ends = grow(c->ends, &c->ends_cap, c->n + 1, sizeof *ends);

	if (!ends)
		return -1;
	c->ends = ends;
	c->ends[c->n++] = c->cells_len;
	c->state = CELL_START;
	return 0;
}

static int oom(struct pm_err *e)
{
	return pm_err_set(e, PM_EFAIL, _("out of memory"));
}

static int quote_stray(const struct pm_csv *c, struct pm_err *e)
{
	return pm_err_set(e, PM_EDATA, c->sep == '\t'
			  ? _("cell %zu: expected a tab or the end of the line after the closing quote")
			  : _("cell %zu: expected \",\" or the end of the line after the closing quote"),
			  c->n + 1);
}

/* One byte of the state machine; -1 when memory runs out. Cell bytes
 * never outnumber the bytes fed, for which pm_csv_feed made room. A quote
 * inside an unquoted cell is kept as it is, as most writers mean it. */
static int step(struct pm_csv *c, char ch, struct pm_err *e)
{
	switch (c->state) {
	case CELL_START:
		if (ch == '"') {
			c->state = QUOTED;
			return 0;
		}
		if (ch == c->sep)
			return cell_end(c) ? oom(e) : 0;
		c->state = UNQUOTED;
		break;
	case UNQUOTED:
		if (ch == c->sep)
			return cell_end(c) ? oom(e) : 0;
		break;
	case QUOTED:
		if (ch == '"') {
			c->state = QUOTE_SEEN;
			return 0;
		}
		break;
	case QUOTE_SEEN:
		if (ch == c->sep)
			return cell_end(c) ? oom(e) : 0;
		if (ch != '"')
			return quote_stray(c, e);
		c->state = QUOTED;
		break;
	}
	c->cells[c->cells_len++] = ch;
	return 0;
}

int pm_csv_feed(struct pm_csv *c, const char *s, size_t len, struct pm_err *e)
{
	char *cells, *raw;
	size_t i;
	int rc;

	if (!(cells = grow(c->cells, &c->cells_cap, c->cells_len + len + 1, 1)))
		return oom(e);
	c->cells = cells;
	if (!(raw = grow(c->raw, &c->raw_cap, c->raw_len + len + 1, 1)))
		return oom(e);
	c->raw = raw;
	memcpy(c->raw + c->raw_len, s, len);
	c->raw_len += len;
	c->raw[c->raw_len] = '\0';
	for (i = 0; i < len; i++)
		if ((rc = step(c, s[i], e)))
			return rc;
	return PM_OK;
}

size_t pm_csv_shed(struct pm_csv *c)
{
	size_t n = c->raw_len;

	c->cells_len = c->n = c->raw_len = 0;
	return n;
}

int pm_csv_in_quotes(const struct pm_csv *c)
{
	return c->state == QUOTED;
}

int pm_csv_finish(struct pm_csv *c, struct pm_err *e)
{
	if (c->state == QUOTED)
		return pm_err_set(e, PM_EDATA,
				  _("cell %zu: expected a closing quote before the end of the input"),
				  c->n + 1);
	return cell_end(c) ? oom(e) : PM_OK;
}

size_t pm_csv_count(const struct pm_csv *c)
{
	return c->n;
}

const char *pm_csv_cell(const struct pm_csv *c, size_t i, size_t *len)
{
	size_t start = i ? c->ends[i - 1] : 0;

	*len = c->ends[i] - start;
	return c->cells + start;
}

void pm_csv_write_cell(FILE *f, const char *s, char sep, int number)
{
	int quote = sep == ',' && strpbrk(s, ",\"\r\n");

	if (quote)
		putc('"', f);
	if (!number && *s && strchr("=+-@\t\r", *s))
		putc('\'', f);
	for (; *s; s++) {
		if (sep == '\t' && (*s == '\t' || *s == '\n' || *s == '\r'))
			putc(' ', f);
		else if (quote && *s == '"')
			fputs("\"\"", f);
		else
			putc(*s, f);
	}
	if (quote)
		putc('"', f);
}

const char *pm_csv_raw(const struct pm_csv *c, size_t *len)
{
	*len = c->raw_len;
	return c->raw;
}
