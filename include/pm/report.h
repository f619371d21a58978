/* Reports (pm-report): queries over the store as row sets, which the
 * renderers (pm/render.h) print as tables, CSV, JSON lines, SVG, HTML and
 * workbooks. A report is a list of sections; a section has typed columns
 * and rows of cells. Every figure is an exact integer: money in fen,
 * quantities in thousandths, and a rate kept as its numerator and
 * denominator until it is shown, so a rate of nothing over nothing shows
 * as "—", never as 0 or NaN.
 *
 * Adding a report is one function here that fills sections and one line
 * in pm-report's command table. */
#ifndef PM_REPORT_H
#define PM_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "pm/auth.h"
#include "pm/err.h"
#include "pm/notify.h"
#include "pm/timeutil.h"

struct pm_db;

/* ---- row sets ---- */

enum pm_col_type {
	PM_COL_TEXT,
	PM_COL_INT,     /* a count */
	PM_COL_MONEY,   /* fen: "¥1,234.50" in tables, yuan in workbooks, integer fen under a key ending _fen in JSON and CSV */
	PM_COL_QTY,     /* thousandths of m³, kWh, kg: shown with .places decimals */
	PM_COL_PERCENT, /* num / den as a percentage with one decimal */
	PM_COL_CHANGE,  /* num / den as a signed percentage: "+12.5%" */
	PM_COL_MEAN,    /* num / den, num scaled by 10^.scale, shown with .places decimals */
	PM_COL_HOURS,   /* seconds, shown as hours with one decimal; integer seconds under a key ending _s in JSON and CSV */
};

struct pm_col {
	const char *key;    /* JSON field, CSV header */
	const char *label;  /* the heading, marked N_() and translated when shown */
	enum pm_col_type type;
	int scale, places;  /* MEAN: decimal scale of num; QTY and MEAN: decimals shown */
};

/* A cell: a value, or a rate's numerator and denominator, or text kept
 * in the section's pool; written by the report module, read through the
 * pm_cell_* functions. A cell may hold no value ("—"), as does any rate
 * whose denominator is 0. Sixteen bytes, so a row a unit stays small. */
struct pm_cell {
	int64_t v, den;
};

enum pm_chart_kind { PM_CHART_NONE, PM_CHART_BARS, PM_CHART_STACKED, PM_CHART_LINES };

#define PM_CHART_SERIES 6

/* The section's natural chart: one category a row, named by column x;
 * a series for each column listed (ended by -1 or PM_CHART_SERIES). */
struct pm_chart {
	enum pm_chart_kind kind;
	int x;
	int series[PM_CHART_SERIES];
	const char *unit;   /* the value axis, N_() marked: "yuan", "%" */
	char uom[16];       /* or a unit of measure from the store: "kWh" */
};

struct pm_section {
	char *name;         /* "building": the JSON "section", a sheet's key */
	char *title;       /* its own copy of an N_() marked text, translated when shown */
	const struct pm_col *cols;
	size_t ncols;
	struct pm_cell *cells; /* nrows rows of ncols */
	size_t nrows, cap;
	char *pool;            /* the text cells' bytes */
	size_t pool_len, pool_cap;
	int total;          /* the last row is the total of those above */
	int vertical;       /* one record, shown as heading: value lines */
	struct pm_chart chart;
	char *note;         /* a line under the title, or NULL */
};

struct pm_report {
	const char *name;   /* "collection": the JSON "type" */
	const char *title;  /* N_() marked */
	char community[128];
	char tz[64];        /* the community's time zone */
	char scope[96];     /* "2026-11", "2026-01 — 2026-11", "building 3, 2026-11" */
	int64_t made;       /* when the report was made */
	struct pm_section *sec;
	size_t nsec;
};

void pm_report_free(struct pm_report *r);

/* Cell (i, j) of s as text: table (1) for people ("¥1,234.50",
 * "87.5%", "2.5" hours, "—"), or (0) for files (CSV, TSV), where a value
 * is what its key says, as in JSON: money integer fen under a key ending
 * _fen ("123450"), durations integer seconds under one ending _s
 * ("9000"), a rate a percentage ("87.5"), "—" for no value.
 * The result is in buf or in the section. */
const char *pm_cell_text(const struct pm_section *s, size_t i, size_t j, int table, char *buf,
			 size_t size);
/* As JSON: integers for counts, fen and seconds, strings for decimals
 * and percentages, null for no value. */
json_t *pm_cell_json(const struct pm_section *s, size_t i, size_t j);
/* As a double for charts and workbook cells: yuan, units, a fraction for
 * rates (0.875), hours; 0 for no value. */
double pm_cell_double(const struct pm_section *s, size_t i, size_t j);
/* Whether the cell holds no value. */
int pm_cell_null(const struct pm_section *s, size_t i, size_t j);
/* Room for any cell's text but a TEXT cell's, which comes from the pool. */
#define PM_CELL_BUF 64

/* ---- masking, by role ---- */

/* "张伟" -> "张*": a name as those who see phone numbers masked see it
 * (pm_pii_view; the phone through pm_phone_mask); out holds size bytes. */
void pm_name_mask(const char *name, char *out, size_t size);

/* ---- the reports ---- */

enum pm_report_by { PM_BY_DEFAULT, PM_BY_BUILDING, PM_BY_ENTRANCE, PM_BY_FEE, PM_BY_CHANNEL,
		    PM_BY_MONTH, PM_BY_CATEGORY };
int pm_report_by_parse(const char *s, enum pm_report_by *by, struct pm_err *e);

struct pm_report_query {
	struct pm_period from, to;   /* the periods covered; one month: from == to */
	int range;                   /* from and to were given (--from/--to) */
	const char *building;        /* a building's code, or NULL for all */
	enum pm_report_by by;
	int32_t as_of;               /* the day ages and "now" are counted to */
	int top;                     /* debtors listed (0: report.top_debtors) */
	const struct pm_actor *actor; /* who asks: owners see only their own units */
	int brief;                   /* the dashboard's: compare with no other period, name only
				      * the top debtors */
};

/* The months of every bill, 1970-01 to 9999-12: arrears without a
 * period, a community's (pm-report) and the group's (pm-rollup) alike. */
void pm_query_every_period(struct pm_report_query *q);

/* Who may run what: PM_OK, or PM_ENOPERM naming user, role and report. */
int pm_report_may(const struct pm_actor *a, const char *report, struct pm_err *e);

/* 应收 and 实收 of the bills of the periods (issued, partly paid or paid;
 * drafts and voids are no charge): bills, bills paid in full, billed
 * (lines + notes + late fees), of which notes and late fees, collected
 * (what payments and prepaid balances paid of them), outstanding, and the
 * collection rate by count and by amount. Sections: by q->by (building by
 * default), the year to date by month, and the money received in the
 * last period by channel with what went to prepaid balances. Billed =
 * collected + outstanding on every row. */
int pm_report_collection(struct pm_db *db, const struct pm_report_query *q, struct pm_report **out,
			 struct pm_err *e);

/* Arrears (欠费): bills past due at q->as_of with something owed, per unit
 * with its owner's name and phone as the actor may see them (pm_pii_view:
 * whole, masked or not at all),
 * aged by days past due (0–30, 31–90, 91–180, 181–365, over 365), then
 * subtotals by building and by entrance, the total and the top debtors. */
int pm_report_arrears(struct pm_db *db, const struct pm_report_query *q, struct pm_report **out,
		      struct pm_err *e);

/* The same report from bill records ({"type":"bill","bill","unit",
 * "period","status","due","owed_fen"}, as `pm-bill list` prints them)
 * instead of the store's bills; units, owners and buildings still come
 * from the store. */
struct pm_arrears;
int pm_arrears_open(struct pm_db *db, const struct pm_report_query *q, struct pm_arrears **out,
		    struct pm_err *e);
/* One record: PM_EDATA saying why for a bad one (not a bill, a field
 * missing, an unknown unit, a bill given twice), PM_ENOPERM for a unit an
 * owner may not see. Records of bills not past due or owing nothing are
 * counted in *skipped by pm_arrears_finish, not reported. */
int pm_arrears_add(struct pm_arrears *a, json_t *bill, struct pm_err *e);
int pm_arrears_finish(struct pm_arrears *a, struct pm_report **out, long *read, long *skipped,
		      struct pm_err *e);
void pm_arrears_close(struct pm_arrears *a);

/* Units by status (today's), occupancy rate (入住率: occupied and rented
 * of all units) by building or entrance, and move-ins and move-outs per
 * month (units an owner or tenant moved into or out of). */
int pm_report_occupancy(struct pm_db *db, const struct pm_report_query *q, struct pm_report **out,
			struct pm_err *e);

/* Usage by kind (pm-meter's usage per period) per building or month:
 * the units' meters, the average per unit metered, the common meters and
 * their share, the same month a year before and the change. */
int pm_report_consumption(struct pm_db *db, const struct pm_report_query *q,
			  struct pm_report **out, struct pm_err *e);

/* Emissions (kg CO2) of the electricity, gas and heat used, by the
 * factors of report.carbon in pm.yaml, per building or month: by kind,
 * in all, per household, and against the month before. */
int pm_report_carbon(struct pm_db *db, const struct pm_report_query *q, struct pm_report **out,
		     struct pm_err *e);

/* Tickets submitted in the periods per category (or month): count, median
 * and 90th percentile of the time to accept and to resolve, SLA breaches,
 * average rating, repeat reports; the rating's trend by month;
 * inspections due and done; patrol points on time. */
int pm_report_service(struct pm_db *db, const struct pm_report_query *q, struct pm_report **out,
		      struct pm_err *e);

/* 意见反馈闭环: the period's suggestions and complaints by category with
 * examples, the improvement list (tickets of the categories named in
 * report.feedback.improvements) with state and due day, and the list of
 * the period before with what was done. */
int pm_report_feedback(struct pm_db *db, const struct pm_report_query *q, struct pm_report **out,
		       struct pm_err *e);
/* The feedback report (整改进度公示) or the common-income report
 * (公共收益公示) as an announcement to everyone, through
 * pm_announce_add; *id is the announcement's. */
int pm_report_publish(struct pm_db *db, const struct pm_report *r, int64_t *id, long *units,
		      struct pm_notify_counts *counts, struct pm_err *e);

/* 公共收益公示: the contracts' income and expenses (pm/contract.h) in the
 * periods, per contract and per month (a period's charge in the month it
 * begins), and the owners' balance: the net of the periods, what all
 * charges up to the last month leave owed to the owners, and what of it
 * the parties have not paid yet. */
int pm_report_common_income(struct pm_db *db, const struct pm_report_query *q, struct pm_report **out,
			    struct pm_err *e);

/* Gate traffic (pm-gate's events, passes and parking) in the periods,
 * hours and days in the community's zone: entries and exits by hour of
 * day and by gate (with denials and alarms), visitors per day (requests,
 * visitors let in counted once a day, passes refused, visitors' cars),
 * alarms by kind (those the configuration gives a severity), and the car
 * park per day: cars in and out, the most inside at once and that
 * against parking.spaces, visitors' fees charged at exit and received. */
int pm_report_gate(struct pm_db *db, const struct pm_report_query *q, struct pm_report **out, struct pm_err *e);

/* The one-page summary of all the above for the period q->to. */
int pm_report_dashboard(struct pm_db *db, const struct pm_report_query *q, struct pm_report **out,
			struct pm_err *e);

#endif
