/* report-common: the owners' common-area income (公共收益公示) from the
 * contracts' charges (lib/contract.c): per contract and per month of the
 * query's periods, each charge counted in the month its period begins (a
 * termination's credit with the period it credits), payments by the day
 * they were made, and what the owners are owed at the end. */
#include <string.h>

#include "pm/i18n.h"
#include "pm/money.h"
#include "report-internal.h"
#include "strbuf-internal.h"

static const struct pm_col contract_cols[] = {
	{"contract", N_("contract"), PM_COL_TEXT, 0, 0},
	{"party", N_("party"), PM_COL_TEXT, 0, 0},
	{"kind", N_("kind"), PM_COL_TEXT, 0, 0},
	{"object", N_("object"), PM_COL_TEXT, 0, 0},
	{"income_fen", N_("income"), PM_COL_MONEY, 0, 0},
	{"expense_fen", N_("expenses"), PM_COL_MONEY, 0, 0},
	{"paid_fen", N_("received or paid"), PM_COL_MONEY, 0, 0},
};
enum { CT_CONTRACT, CT_PARTY, CT_KIND, CT_OBJECT, CT_INCOME, CT_EXPENSE, CT_PAID, CT_N };

static const struct pm_col month_cols[] = {
	{"month", N_("month"), PM_COL_TEXT, 0, 0},
	{"income_fen", N_("income"), PM_COL_MONEY, 0, 0},
	{"expense_fen", N_("expenses"), PM_COL_MONEY, 0, 0},
	{"net_fen", N_("net"), PM_COL_MONEY, 0, 0},
};
enum { M_MONTH, M_INCOME, M_EXPENSE, M_NET, M_N };

static const struct pm_col balance_cols[] = {
	{"income_fen", N_("income in the period"), PM_COL_MONEY, 0, 0},
	{"expense_fen", N_("expenses in the period"), PM_COL_MONEY, 0, 0},
	{"net_fen", N_("net in the period"), PM_COL_MONEY, 0, 0},
	{"owed_fen", N_("owed to the owners at its end"), PM_COL_MONEY, 0, 0},
	{"receivable_fen", N_("of which not yet received from parties"), PM_COL_MONEY, 0, 0},
};

/* The query's first day and the day after its last, as YYYY-MM-DD. */
static void bounds(const struct pm_report_query *q, char from[PM_TIME_BUF], char end[PM_TIME_BUF])
{
	char p[PM_TIME_BUF];

	snprintf(from, PM_TIME_BUF, "%s-01", pm_period_fmt(q->from, p));
	snprintf(end, PM_TIME_BUF, "%s-01", pm_period_fmt(pm_period_add(q->to, 1), p));
}

static int fail(struct pm_db *db, int rc, struct pm_err *e)
{
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read contracts"));
}

static int by_contract(struct pm_db *db, const struct pm_report_query *q, struct pm_section *s, struct pm_err *e)
{
	static const char sql[] =
		"SELECT c.id, c.party, c.kind, c.object,"
		" coalesce((SELECT sum(x.amount_fen) FROM contract_charge x WHERE x.contract_id = c.id"
		"  AND x.kind <> 'payment' AND x.period_start >= ?1 AND x.period_start < ?2), 0),"
		" coalesce((SELECT sum(x.amount_fen) FROM contract_charge x WHERE x.contract_id = c.id"
		"  AND x.kind = 'payment' AND x.period_start >= ?1 AND x.period_start < ?2), 0)"
		" FROM contract c WHERE (c.from_date < ?2 AND coalesce(c.ended, c.to_date) >= ?1)"
		" OR EXISTS (SELECT 1 FROM contract_charge x WHERE x.contract_id = c.id AND x.period_start >= ?1"
		"  AND x.period_start < ?2) ORDER BY c.kind DESC, c.id";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char from[PM_TIME_BUF], end[PM_TIME_BUF], id[24];
	int64_t total[CT_N] = {0}, v;
	long r;
	int rc, income;

	if (!st)
		return e->code;
	bounds(q, from, end);
	sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, end, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		income = strcmp(TEXT(st, 2), "income") == 0;
		snprintf(id, sizeof id, "%lld", (long long)sqlite3_column_int64(st, 0));
		if ((r = pm_row_add(s)) < 0 || pm_set_text(s, (size_t)r, CT_CONTRACT, id) ||
		    pm_set_text(s, (size_t)r, CT_PARTY, TEXT(st, 1)) ||
		    pm_set_text(s, (size_t)r, CT_KIND, income ? _("income") : _("expense")) ||
		    pm_set_text(s, (size_t)r, CT_OBJECT, TEXT(st, 3))) {
			sqlite3_reset(st);
			return pm_report_oom(e);
		}
		v = sqlite3_column_int64(st, 4);
		pm_set_int(s, (size_t)r, CT_INCOME, income ? v : 0);
		pm_set_int(s, (size_t)r, CT_EXPENSE, income ? 0 : v);
		pm_set_int(s, (size_t)r, CT_PAID, sqlite3_column_int64(st, 5));
		total[income ? CT_INCOME : CT_EXPENSE] += v;
		total[CT_PAID] += sqlite3_column_int64(st, 5);
	}
	sqlite3_reset(st);
	if ((rc = fail(db, rc, e)))
		return rc;
	if ((r = pm_row_add(s)) < 0 || pm_set_text(s, (size_t)r, CT_CONTRACT, _("total")))
		return pm_report_oom(e);
	for (int c = CT_INCOME; c < CT_N; c++)
		pm_set_int(s, (size_t)r, (size_t)c, total[c]);
	s->total = 1;
	return PM_OK;
}

static int by_month(struct pm_db *db, const struct pm_report_query *q, struct pm_section *s, int64_t sum[2],
		    struct pm_err *e)
{
	static const char sql[] =
		"SELECT substr(x.period_start, 1, 7) AS m, sum(CASE WHEN c.kind = 'income' THEN x.amount_fen ELSE 0 END),"
		" sum(CASE WHEN c.kind = 'expense' THEN x.amount_fen ELSE 0 END) FROM contract_charge x"
		" JOIN contract c ON c.id = x.contract_id WHERE x.kind <> 'payment' AND x.period_start >= ?1"
		" AND x.period_start < ?2 GROUP BY m ORDER BY m";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char from[PM_TIME_BUF], end[PM_TIME_BUF], p[PM_TIME_BUF];
	int months = pm_query_months(q), rc = SQLITE_DONE;
	long r;

	if (!st)
		return e->code;
	bounds(q, from, end);
	sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, end, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	for (int i = 0; i <= months; i++) {
		if ((r = pm_row_add(s)) < 0 || pm_set_text(s, (size_t)r, M_MONTH, i < months ? pm_query_period(q, i, p)
											      : _("total"))) {
			sqlite3_reset(st);
			return pm_report_oom(e);
		}
		if (i == months) {
			pm_set_int(s, (size_t)r, M_INCOME, sum[0]);
			pm_set_int(s, (size_t)r, M_EXPENSE, sum[1]);
			pm_set_int(s, (size_t)r, M_NET, sum[0] - sum[1]);
			break;
		}
		pm_set_int(s, (size_t)r, M_INCOME, 0);
		pm_set_int(s, (size_t)r, M_EXPENSE, 0);
		pm_set_int(s, (size_t)r, M_NET, 0);
		if (rc == SQLITE_ROW && strcmp(TEXT(st, 0), p) == 0) {
			pm_set_int(s, (size_t)r, M_INCOME, sqlite3_column_int64(st, 1));
			pm_set_int(s, (size_t)r, M_EXPENSE, sqlite3_column_int64(st, 2));
			pm_set_int(s, (size_t)r, M_NET, sqlite3_column_int64(st, 1) - sqlite3_column_int64(st, 2));
			sum[0] += sqlite3_column_int64(st, 1);
			sum[1] += sqlite3_column_int64(st, 2);
			rc = sqlite3_step(st);
		}
	}
	sqlite3_reset(st);
	s->total = 1;
	return fail(db, rc == SQLITE_ROW ? SQLITE_DONE : rc, e);
}

/* What the owners are owed at the end: every income charged less every
 * expense, up to the query's last month; and what parties still owe. */
static int balance(struct pm_db *db, const struct pm_report_query *q, struct pm_section *s, const int64_t sum[2],
		   struct pm_err *e)
{
	static const char sql[] =
		"SELECT coalesce(sum(CASE WHEN x.kind = 'payment' THEN 0 WHEN c.kind = 'income' THEN x.amount_fen"
		"  ELSE -x.amount_fen END), 0),"
		" coalesce(sum(CASE WHEN c.kind <> 'income' THEN 0 WHEN x.kind = 'payment' THEN -x.amount_fen"
		"  ELSE x.amount_fen END), 0)"
		" FROM contract_charge x JOIN contract c ON c.id = x.contract_id WHERE x.period_start < ?1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char from[PM_TIME_BUF], end[PM_TIME_BUF];
	long r;
	int rc;

	if (!st)
		return e->code;
	bounds(q, from, end);
	sqlite3_bind_text(st, 1, end, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return fail(db, rc, e);
	}
	if ((r = pm_row_add(s)) < 0) {
		sqlite3_reset(st);
		return pm_report_oom(e);
	}
	pm_set_int(s, (size_t)r, 0, sum[0]);
	pm_set_int(s, (size_t)r, 1, sum[1]);
	pm_set_int(s, (size_t)r, 2, sum[0] - sum[1]);
	pm_set_int(s, (size_t)r, 3, sqlite3_column_int64(st, 0));
	pm_set_int(s, (size_t)r, 4, sqlite3_column_int64(st, 1));
	sqlite3_reset(st);
	s->vertical = 1;
	return PM_OK;
}

static int make_common(struct pm_db *db, const struct pm_report_query *q, struct pm_report **out, struct pm_err *e)
{
	struct pm_report *r = NULL;
	struct pm_section *s;
	int64_t sum[2] = {0, 0};
	int rc;

	if ((rc = pm_report_new(db, "common_income", N_("Common-area income (公共收益公示)"), q, &r, e)))
		return rc;
	if (!(s = pm_section_add(r, "contract", N_("By contract"), COLS(contract_cols))))
		rc = pm_report_oom(e);
	else
		rc = by_contract(db, q, s, e);
	if (rc == PM_OK && !(s = pm_section_add(r, "month", N_("By month"), COLS(month_cols))))
		rc = pm_report_oom(e);
	else if (rc == PM_OK && (rc = by_month(db, q, s, sum, e)) == PM_OK)
		pm_chart_set(s, PM_CHART_BARS, M_MONTH, N_("yuan"), M_INCOME, M_EXPENSE, -1);
	if (rc == PM_OK && !(s = pm_section_add(r, "balance", N_("The owners' balance"), COLS(balance_cols))))
		rc = pm_report_oom(e);
	else if (rc == PM_OK)
		rc = balance(db, q, s, sum, e);
	if (rc) {
		pm_report_free(r);
		return rc;
	}
	*out = r;
	return PM_OK;
}

int pm_report_common_income(struct pm_db *db, const struct pm_report_query *q, struct pm_report **out,
			    struct pm_err *e)
{
	return pm_report_snapshot(db, make_common, q, out, e);
}

char *pm_common_income_body(const struct pm_report *r, char *title, size_t size)
{
	char a[PM_CELL_BUF], b[PM_CELL_BUF], c[PM_CELL_BUF], d[PM_CELL_BUF], f[PM_CELL_BUF];
	const struct pm_section *s = NULL;
	struct strbuf sb = {0};

	snprintf(title, size, _("Common-area income, %s"), r->scope);
	for (size_t i = 0; i < r->nsec; i++)
		if (strcmp(r->sec[i].name, "contract") == 0)
			s = &r->sec[i];
	sb_fmt(&sb, _("Income and expenses of the common parts, %s, by contract:\n"), r->scope);
	for (size_t i = 0; s && i + 1 < s->nrows; i++)
		sb_fmt(&sb, _("- %s, %s (%s): income %s, expenses %s\n"), pm_cell_text(s, i, CT_PARTY, 1, a, sizeof a),
		       pm_cell_text(s, i, CT_OBJECT, 1, b, sizeof b), pm_cell_text(s, i, CT_KIND, 1, c, sizeof c),
		       pm_cell_text(s, i, CT_INCOME, 1, d, sizeof d), pm_cell_text(s, i, CT_EXPENSE, 1, f, sizeof f));
	for (size_t i = 0; i < r->nsec; i++)
		if (strcmp(r->sec[i].name, "balance") == 0)
			sb_fmt(&sb, _("\nIncome %s, expenses %s; owed to the owners at the end: %s.\n"),
			       pm_cell_text(&r->sec[i], 0, 0, 1, a, sizeof a), pm_cell_text(&r->sec[i], 0, 1, 1, b, sizeof b),
			       pm_cell_text(&r->sec[i], 0, 3, 1, c, sizeof c));
	return sb_take(&sb);
}
