/* dashboard: the month on one page. The other reports are made for the
 * period and the sections a manager looks at first are taken from them;
 * a summary of key figures, read from their total rows, goes on top. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm/auth.h"
#include "pm/i18n.h"
#include "report-internal.h"

static const struct pm_col summary_cols[] = {
	{"units", N_("units"), PM_COL_INT, 0, 0},
	{"occupancy_pct", N_("occupancy rate"), PM_COL_PERCENT, 0, 0},
	{"billed_fen", N_("billed"), PM_COL_MONEY, 0, 0},
	{"collected_fen", N_("collected"), PM_COL_MONEY, 0, 0},
	{"rate_amount_pct", N_("collection rate"), PM_COL_PERCENT, 0, 0},
	{"year_rate_pct", N_("collection rate, year to date"), PM_COL_PERCENT, 0, 0},
	{"arrears_fen", N_("arrears"), PM_COL_MONEY, 0, 0},
	{"arrears_units", N_("units in arrears"), PM_COL_INT, 0, 0},
	{"tickets", N_("tickets"), PM_COL_INT, 0, 0},
	{"breach_pct", N_("SLA breach rate"), PM_COL_PERCENT, 0, 0},
	{"rating", N_("average rating"), PM_COL_MEAN, 0, 1},
	{"feedback", N_("suggestions and complaints"), PM_COL_INT, 0, 0},
	{"improvements_open", N_("improvements open"), PM_COL_INT, 0, 0},
	{"co2_kg", N_("CO2 kg"), PM_COL_QTY, 3, 1},
	{"visitors", N_("visitors let in"), PM_COL_INT, 0, 0},
	{"alarms", N_("alarms"), PM_COL_INT, 0, 0},
	{"parking_paid_fen", N_("parking fees received"), PM_COL_MONEY, 0, 0},
};

/* Where a summary figure comes from: the total row of a section of a
 * report, by the column's key. */
static const struct {
	const char *report, *section, *col;
} sources[] = {
	{"occupancy", "building", "units"},
	{"occupancy", "building", "occupancy_pct"},
	{"collection", "building", "billed_fen"},
	{"collection", "building", "collected_fen"},
	{"collection", "building", "rate_amount_pct"},
	{"collection", "year", "rate_amount_pct"},
	{"arrears", "building", "owed_fen"},
	{"arrears", "building", "units"},
	{"service", "category", "tickets"},
	{"service", "category", "breach_pct"},
	{"service", "category", "rating"},
	{"feedback", "category", "count"},
	{"feedback", "improvements", NULL},
	{"carbon", "building", "co2_kg"},
	{"gate", "day", "visitors"},
	{"gate", "alarm", "count"},
	{"gate", "parking", "paid_fen"},
};

/* The sections shown, in order, from each report. */
static const struct {
	const char *report, *section;
	int debtors;
} shown[] = {
	{"collection", "building", 0}, {"collection", "year", 0}, {"arrears", "building", 0},
	{"arrears", "top", 1}, {"occupancy", "building", 0}, {"consumption", NULL, 0}, {"carbon", "building", 0},
	{"service", "category", 0}, {"feedback", "category", 0}, {"feedback", "improvements", 0},
	{"gate", "gate", 0},
};

static const char *const names[] = {"collection", "arrears", "occupancy", "consumption", "carbon", "service",
				    "feedback", "gate"};
#define NREPORTS (sizeof names / sizeof *names)

static int report_of(const char *name)
{
	for (size_t i = 0; i < NREPORTS; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

static long section_of(const struct pm_report *r, const char *name)
{
	for (size_t i = 0; r && i < r->nsec; i++)
		if (strcmp(r->sec[i].name, name) == 0)
			return (long)i;
	return -1;
}

static long col_of(const struct pm_section *s, const char *key)
{
	for (size_t j = 0; j < s->ncols; j++)
		if (strcmp(s->cols[j].key, key) == 0)
			return (long)j;
	return -1;
}

/* Improvements not yet resolved: rows of the list without a resolved day. */
static int64_t still_open(const struct pm_section *s)
{
	long c = col_of(s, "resolved");
	int64_t n = 0;

	for (size_t i = 0; c >= 0 && i < s->nrows; i++)
		n += pm_cell_null(s, i, (size_t)c);
	return n;
}

static int summary(struct pm_report *const rep[NREPORTS], struct pm_section *s)
{
	long r = pm_row_add(s), sec, c;

	if (r < 0)
		return -1;
	for (size_t k = 0; k < sizeof sources / sizeof *sources; k++) {
		const struct pm_report *from = rep[report_of(sources[k].report)];
		const struct pm_section *f;
		if ((sec = section_of(from, sources[k].section)) < 0)
			continue;
		f = &from->sec[sec];
		if (!sources[k].col) {
			pm_set_int(s, (size_t)r, k, still_open(f));
			continue;
		}
		if ((c = col_of(f, sources[k].col)) < 0 || !f->nrows)
			continue;
		pm_cell_copy(s, (size_t)r, k, f, f->nrows - 1, (size_t)c);
	}
	return 0;
}

typedef int (*maker)(struct pm_db *, const struct pm_report_query *, struct pm_report **, struct pm_err *);

static int make_all(struct pm_db *db, const struct pm_report_query *q, struct pm_report *rep[NREPORTS],
		    struct pm_err *e)
{
	/* Consumption and carbon are made together, from one reading of
	 * the meters (NULL here). */
	static const maker makers[NREPORTS] = {pm_report_collection, pm_report_arrears, pm_report_occupancy,
					       NULL, NULL, pm_report_service, pm_report_feedback,
					       pm_report_gate};

	struct pm_report_query all = *q;

	/* Arrears are of every bill up to the month, not of its bills alone. */
	all.from = (struct pm_period){1970, 1};
	for (size_t i = 0; i < NREPORTS; i++)
		if (makers[i] && makers[i](db, makers[i] == pm_report_arrears ? &all : q, &rep[i], e))
			return e->code;
	return pm_report_use(db, q, &rep[report_of("consumption")], &rep[report_of("carbon")], e);
}

/* Section s, taken from report, named "report-section": four reports
 * have a "building" section, and --section and a JSON reader tell the
 * dashboard's apart by their names alone. */
static int prefix(struct pm_section *s, const char *report)
{
	size_t n = strlen(report) + strlen(s->name) + 2;
	char *name = malloc(n);

	if (!name)
		return -1;
	snprintf(name, n, "%s-%s", report, s->name);
	free(s->name);
	s->name = name;
	return 0;
}

/* The shown sections move from their reports to the dashboard. */
static int take(struct pm_report *d, struct pm_report *rep[NREPORTS], const struct pm_actor *actor)
{
	long i;

	for (size_t k = 0; k < sizeof shown / sizeof *shown; k++) {
		struct pm_report *from = rep[report_of(shown[k].report)];
		/* Debtors unit by unit only for those who may see arrears;
		 * the others see the sums by building. */
		if (shown[k].debtors && actor && !pm_auth_allowed(actor->role, "report.finance"))
			continue;
		if (!shown[k].section) {
			while (from->nsec)
				if (pm_section_take(d, from, 0) || prefix(&d->sec[d->nsec - 1], shown[k].report))
					return -1;
			continue;
		}
		if ((i = section_of(from, shown[k].section)) >= 0 &&
		    (pm_section_take(d, from, (size_t)i) || prefix(&d->sec[d->nsec - 1], shown[k].report)))
			return -1;
	}
	return 0;
}

static int make_dashboard(struct pm_db *db, const struct pm_report_query *q, struct pm_report **out,
		struct pm_err *e)
{
	struct pm_report *rep[NREPORTS] = {0}, *d = NULL;
	struct pm_report_query one = *q;
	struct pm_section *s;
	int rc;

	one.from = q->to;
	one.range = 0;
	one.by = PM_BY_DEFAULT;
	one.brief = 1;
	if ((rc = make_all(db, &one, rep, e)) == PM_OK && (rc = pm_report_new(db, "dashboard", N_("Dashboard"), &one, &d, e)) == PM_OK) {
		if ((s = pm_section_add(d, "summary", N_("Key figures"), COLS(summary_cols))))
			s->vertical = 1;
		if (!s || summary(rep, s) || take(d, rep, q->actor))
			rc = pm_report_oom(e);
	}
	for (size_t i = 0; i < NREPORTS; i++)
		pm_report_free(rep[i]);
	if (rc) {
		pm_report_free(d);
		return rc;
	}
	*out = d;
	return PM_OK;
}

int pm_report_dashboard(struct pm_db *db, const struct pm_report_query *q, struct pm_report **out,
		struct pm_err *e)
{
	return pm_report_snapshot(db, make_dashboard, q, out, e);
}
