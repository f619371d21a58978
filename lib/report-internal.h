/* Shared by the report module's files (report.c, report-money.c,
 * report-use.c, report-service.c, dashboard.c) and its renderers. */
#ifndef PM_REPORT_INTERNAL_H
#define PM_REPORT_INTERNAL_H

#include <stdint.h>

#include <jansson.h>

#include "pm/config.h"
#include "pm/db.h"
#include "pm/report.h"

#define TEXT(st, i) ((const char *)sqlite3_column_text(st, i))
#define COLS(a) (a), (sizeof (a) / sizeof *(a))

/* A new report of name and title for the query's scope, with the
 * community's name (db NULL: a property group's, over its communities);
 * PM_EFAIL when memory runs out. */
int pm_report_new(struct pm_db *db, const char *name, const char *title, const struct pm_report_query *q,
		  struct pm_report **out, struct pm_err *e);
/* A new empty section at the report's end (NULL when memory runs out);
 * the pointer holds until the next section is added. */
struct pm_section *pm_section_add(struct pm_report *r, const char *name, const char *title,
				  const struct pm_col *cols, size_t ncols);
/* Moves section i of from to the end of to (the dashboard's borrowing). */
int pm_section_take(struct pm_report *to, struct pm_report *from, size_t i);
/* A new row of cells holding no value: its index, or -1 when memory runs
 * out. */
long pm_row_add(struct pm_section *s);
void pm_set_int(struct pm_section *s, size_t row, size_t col, int64_t v);
void pm_set_ratio(struct pm_section *s, size_t row, size_t col, int64_t num, int64_t den);
void pm_set_null(struct pm_section *s, size_t row, size_t col);
/* -1 when memory runs out. */
int pm_set_text(struct pm_section *s, size_t row, size_t col, const char *text);
/* Copies a cell of one section into another's; -1 when memory runs out. */
int pm_cell_copy(struct pm_section *to, size_t row, size_t col, const struct pm_section *from, size_t frow,
		 size_t fcol);
/* The value or numerator of a cell, 0 for none. */
int64_t pm_cell_v(const struct pm_section *s, size_t row, size_t col);
/* Sorts rows [from, to) by column col: largest value first, or by_text
 * in the natural order of its text ("2" before "10"); ties keep their
 * order. -1 when memory runs out. */
int pm_rows_sort(struct pm_section *s, size_t from, size_t to, size_t col, int by_text);
/* strcmp, but runs of digits compare as numbers: "3-2-901" < "3-2-1101". */
int pm_natcmp(const char *a, const char *b);
/* The section's chart: kind, the column of its categories, the unit of
 * its values (N_() marked, or NULL), then its series' columns, ended by -1. */
void pm_chart_set(struct pm_section *s, enum pm_chart_kind kind, int x, const char *unit, ...);
/* The note under a section's title, printf-style. */
void pm_section_note(struct pm_section *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int pm_report_oom(struct pm_err *e);

/* The report section of the configuration in force on day, defaults
 * filled in for a configuration without one; a new reference. */
int pm_report_config(struct pm_db *db, int32_t day, json_t **out, struct pm_err *e);

/* The periods of the query, first to last, and how many there are. */
int pm_query_months(const struct pm_report_query *q);
/* "YYYY-MM" of the i-th period of the query. */
char *pm_query_period(const struct pm_report_query *q, int i, char buf[PM_TIME_BUF]);

/* An owner's person id, whose units alone the owner sees; 0 for staff. */
int64_t pm_query_owner(const struct pm_report_query *q);
/* PM_EDATA naming q's building when the store has none of that code: a
 * report of it would be all zeros, as a real building's without bills
 * (pm_building_id). Every report asks this before it is made. */
int pm_query_check(struct pm_db *db, const struct pm_report_query *q, struct pm_err *e);

/* read(ctx, e) in one snapshot of the store (a read transaction, so what
 * it reads agrees whatever writers do meanwhile) with a page cache for big
 * reads; inside a transaction already, read alone. */
int pm_report_read(struct pm_db *db, int (*read)(void *ctx, struct pm_err *e), void *ctx, struct pm_err *e);

typedef int (*pm_report_maker)(struct pm_db *db, const struct pm_report_query *q, struct pm_report **out,
			       struct pm_err *e);
/* make's report from one snapshot of the store (pm_report_read); inside
 * a snapshot already (the dashboard's), make alone. */
int pm_report_snapshot(struct pm_db *db, pm_report_maker make, const struct pm_report_query *q,
		       struct pm_report **out, struct pm_err *e);

/* Each bill of q's periods, building and owner's units past due on
 * q->as_of, as it stood at the end of that day in the community's zone:
 * fn(ctx, its unit's id, its due day, what it owed then). As of today or
 * later, the open bills with what they owe now; a bill owing nothing may
 * come, for fn to leave out. pm-report arrears, the dashboard's and the
 * twin's arrears count bills by this alone. */
typedef int (*pm_owed_fn)(void *ctx, int64_t unit, int32_t due, int64_t owed, struct pm_err *e);
int pm_arrears_bills(struct pm_db *db, const struct pm_report_query *q, pm_owed_fn fn, void *ctx,
		     struct pm_err *e);

/* Consumption and carbon from one pass over the meters (the dashboard's). */
int pm_report_use(struct pm_db *db, const struct pm_report_query *q, struct pm_report **consumption,
		  struct pm_report **carbon, struct pm_err *e);

/* The severity the configuration gives the gate events of kind ("high"),
 * or NULL when it makes them no alarm (none, or not configured). */
struct pm_gate_config;
const char *pm_report_alarm_severity(const struct pm_gate_config *gc, const char *kind);

/* The common-income report as an announcement's text, its title in
 * title (pm_report_publish). NULL when memory runs out. */
char *pm_common_income_body(const struct pm_report *r, char *title, size_t size);

/* ---- collection's figures, shared with the group's (lib/rollup.c) ---- */

#define COLLECTION_COLS(key, label) {                                                \
	{key, label, PM_COL_TEXT, 0, 0},                                               \
	{"bills", N_("bills"), PM_COL_INT, 0, 0},                                      \
	{"paid_bills", N_("paid in full"), PM_COL_INT, 0, 0},                          \
	{"charged_fen", N_("charged"), PM_COL_MONEY, 0, 0},                            \
	{"adjust_fen", N_("notes"), PM_COL_MONEY, 0, 0},                               \
	{"late_fen", N_("late fees"), PM_COL_MONEY, 0, 0},                             \
	{"billed_fen", N_("billed"), PM_COL_MONEY, 0, 0},                              \
	{"collected_fen", N_("collected"), PM_COL_MONEY, 0, 0},                        \
	{"outstanding_fen", N_("outstanding"), PM_COL_MONEY, 0, 0},                    \
	{"rate_count_pct", N_("rate by count"), PM_COL_PERCENT, 0, 0},                 \
	{"rate_amount_pct", N_("rate by amount"), PM_COL_PERCENT, 0, 0},               \
}

enum { C_KEY, C_BILLS, C_PAID, C_CHARGED, C_ADJUST, C_LATE, C_BILLED, C_COLLECTED, C_OUTSTANDING,
       C_RATE_COUNT, C_RATE_AMOUNT };

struct pm_collection_agg {
	int64_t bills, paid, charged, adjust, late, collected;
};

/* A row of key and a's figures in a section of COLLECTION_COLS: billed =
 * charged + notes + late fees = collected + outstanding. -1 when memory
 * runs out. */
int pm_collection_row(struct pm_section *s, const char *key, const struct pm_collection_agg *a);

#endif
