/* CSV rows (RFC 4180): read, fed one physical line at a time so that a
 * quoted cell may span lines (for the jsonl reader), and written, one cell
 * at a time (for every CSV or TSV that pm writes). */
#ifndef PM_CSV_INTERNAL_H
#define PM_CSV_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

#include "pm/err.h"

struct pm_csv {
	char sep;             /* ',' or '\t'; 0 until the header is seen */
	int state;
	char *cells;          /* the cells' bytes back to back, quotes undone */
	size_t cells_len, cells_cap;
	size_t *ends;         /* where each finished cell ends in cells */
	size_t n, ends_cap;
	char *raw;            /* the record as it was read */
	size_t raw_len, raw_cap;
};

void pm_csv_init(struct pm_csv *c, char sep);
void pm_csv_free(struct pm_csv *c);
/* Starts a new record. */
void pm_csv_reset(struct pm_csv *c);
/* Takes the next bytes of the record: a line without its terminator, or
 * the terminator of a line that ended inside quotes. */
int pm_csv_feed(struct pm_csv *c, const char *s, size_t len, struct pm_err *e);
/* Drops the bytes held, keeping where the quoting stands, so that a
 * record too long to hold can be read to its end; the bytes dropped. */
size_t pm_csv_shed(struct pm_csv *c);
/* True when the bytes fed so far end inside a quoted cell. */
int pm_csv_in_quotes(const struct pm_csv *c);
/* Ends the record: PM_EDATA if a quoted cell was never closed. */
int pm_csv_finish(struct pm_csv *c, struct pm_err *e);

size_t pm_csv_count(const struct pm_csv *c);
const char *pm_csv_cell(const struct pm_csv *c, size_t i, size_t *len);
const char *pm_csv_raw(const struct pm_csv *c, size_t *len);

/* Writes one cell of a row separated by sep (',' or '\t'), without the
 * separator. Safe to open in a spreadsheet: a text cell that begins with
 * =, +, -, @, a tab or a CR gets a leading ' (OWASP's advice on CSV
 * injection), so it is never read as a formula; a number pm wrote
 * (number set, such as -120 fen) is a number and is left as it is. CSV
 * cells holding the separator, a quote or a line break are quoted as RFC
 * 4180 says; TSV has no quoting, so there tabs and line breaks become
 * spaces. */
void pm_csv_write_cell(FILE *f, const char *s, char sep, int number);

#endif
