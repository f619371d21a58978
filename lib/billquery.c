/* billquery: the read side of bills: who may read them, lists, one bill
 * with its lines and events, payments, period sums, what a unit owes and
 * its statement straight from the ledger. Nothing here writes. */
#include <string.h>

#include "pm/auth.h"
#include "pm/bill.h"
#include "pm/community.h"
#include "pm/i18n.h"
#include "pm/ledger.h"
#include "pm/money.h"
#include "bill-internal.h"

/* ---- bills ---- */

void pm_bill_row_read(sqlite3_stmt *st, struct pm_bill_row *b)
{
	b->id = sqlite3_column_int64(st, 0);
	pm_text_col(st, 1, b->code, sizeof b->code);
	pm_text_col(st, 2, b->unit, sizeof b->unit);
	pm_text_col(st, 3, b->period, sizeof b->period);
	pm_text_col(st, 4, b->status, sizeof b->status);
	b->total = sqlite3_column_int64(st, 5);
	b->late = sqlite3_column_int64(st, 6);
	b->adjust = sqlite3_column_int64(st, 7);
	b->paid = sqlite3_column_int64(st, 8);
	pm_text_col(st, 9, b->due, sizeof b->due);
	b->unit_id = sqlite3_column_int64(st, 11);
}

int pm_bill_row(struct pm_db *db, const char *code, struct pm_bill_row *b, struct pm_err *e)
{
	static const char sql[] = PM_BILL_COLS " WHERE b.code = ?1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		pm_bill_row_read(st, b);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return pm_err_set(e, PM_EDATA, _("unknown bill '%s'"), code);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot read bills"));
}

int pm_bill_unit(struct pm_db *db, const char *code, char *unit, size_t size, struct pm_err *e)
{
	struct pm_bill_row b;

	if (pm_bill_row(db, code, &b, e))
		return e->code;
	snprintf(unit, size, "%s", b.unit);
	return PM_OK;
}

int pm_bill_may_read(struct pm_db *db, const struct pm_actor *a, const char *bill, const char *unit,
		     struct pm_err *e)
{
	char of[64];

	if (bill)
		return pm_bill_may_read_bill(db, a, bill, of, sizeof of, e);
	if (pm_auth_check(a, "bill.read", e))
		return e->code;
	if (!unit && a->role == PM_ROLE_OWNER)
		return pm_err_set(e, PM_ENOPERM, _("user '%s' (owner) reads the bills of one unit or one bill at a time"),
				  a->login);
	return unit ? pm_unit_may_read(db, a, unit, e) : PM_OK;
}

/* SQL: bill b is of the time from ?7 on (PM_BILL_OF_TIME), any time
 * when ?7 is NULL. */
#define BILL_OF_TIME(b) "(?7 IS NULL OR " PM_BILL_OF_TIME(b, "?7") ")"

/* PM_OK when the actor's time in unit takes in bill code (BILL_OF_TIME),
 * else PM_ENOPERM. */
static int bill_of_time(struct pm_db *db, const struct pm_actor *a, const char *code, const char *unit,
			struct pm_err *e)
{
	static const char sql[] = "SELECT 1 FROM bill b WHERE b.code = ?1 AND " BILL_OF_TIME("b");
	sqlite3_stmt *st;
	int64_t from;
	int rc;

	if (pm_unit_may_read_from(db, a, unit, &from, e))
		return e->code;
	if (from == INT64_MIN)
		return PM_OK;
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, from);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return PM_OK;
	return rc == SQLITE_DONE ? pm_err_set(e, PM_ENOPERM, _("user '%s' may not see bill '%s'"), a->login, code)
				 : pm_db_fail(db, e, _("cannot read bills"));
}

/* An owner hears the same of a bill that is not theirs as of one that
 * does not exist: bill codes cannot be probed. */
int pm_bill_may_read_bill(struct pm_db *db, const struct pm_actor *a, const char *code, char *unit,
			  size_t size, struct pm_err *e)
{
	if (pm_auth_check(a, "bill.read", e))
		return e->code;
	if (pm_bill_unit(db, code, unit, size, e) == PM_OK && pm_bill_may_read(db, a, NULL, unit, e) == PM_OK &&
	    bill_of_time(db, a, code, unit, e) == PM_OK)
		return PM_OK;
	if (a->role == PM_ROLE_OWNER && (e->code == PM_EDATA || e->code == PM_ENOPERM))
		return pm_err_set(e, PM_ENOPERM, _("user '%s' may not see bill '%s'"), a->login, code);
	return e->code;
}

int pm_bill_may_spend_points(struct pm_db *db, const struct pm_actor *a, const char *bill, const char *unit,
			     struct pm_err *e)
{
	char of[64];

	if (pm_bill_may_read_bill(db, a, bill, of, sizeof of, e) || pm_auth_check(a, "bill.points", e))
		return e->code;
	return unit && a->role == PM_ROLE_OWNER ? pm_bill_may_read(db, a, NULL, unit, e) : PM_OK;
}

static json_t *bill_json(sqlite3_stmt *st, void *rctx)
{
	int64_t owed = sqlite3_column_int64(st, 5) + sqlite3_column_int64(st, 6) + sqlite3_column_int64(st, 7) -
		       sqlite3_column_int64(st, 8);

	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:s?, s:I}", "type", "bill",
		"bill", TEXT(st, 1), "unit", TEXT(st, 2), "period", TEXT(st, 3), "status", TEXT(st, 4),
		"total_fen", (json_int_t)sqlite3_column_int64(st, 5),
		"late_fen", (json_int_t)sqlite3_column_int64(st, 6),
		"adjust_fen", (json_int_t)sqlite3_column_int64(st, 7),
		"paid_fen", (json_int_t)sqlite3_column_int64(st, 8),
		"owed_fen", (json_int_t)(strcmp(TEXT(st, 4), "void") == 0 ? 0 : owed),
		"due", *TEXT(st, 9) ? TEXT(st, 9) : NULL,
		"config_version", (json_int_t)sqlite3_column_int64(st, 10));
}

int pm_bill_status_parse(const char *s, struct pm_err *e)
{
	static const char *const statuses[] = {"draft", "issued", "partial", "paid", "void"};

	for (size_t i = 0; i < sizeof statuses / sizeof *statuses; i++)
		if (strcmp(s, statuses[i]) == 0)
			return PM_OK;
	return pm_err_set(e, PM_EUSAGE, _("unknown status '%s': expected draft, issued, partial, paid or void"), s);
}

/* pm_bill_each for the bills of the time from from on (BILL_OF_TIME;
 * INT64_MIN: all). */
static int bill_each(struct pm_db *db, const struct pm_bill_filter *f, int64_t from, int (*fn)(void *ctx, json_t *bill),
		     void *ctx, struct pm_err *e)
{
	static const char sql[] = PM_BILL_COLS " JOIN building bd ON bd.id = u.building_id"
		" WHERE (?1 IS NULL OR b.period = ?1) AND (?2 IS NULL OR b.status = ?2)"
		" AND (?3 IS NULL OR u.code = ?3) AND (?4 IS NULL OR bd.code = ?4)"
		" AND (?5 = 0 OR (b.status IN ('issued','partial') AND b.due < ?6)) AND " BILL_OF_TIME("b")
		" ORDER BY b.period, u.code";
	char today[PM_TIME_BUF];
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, f->period, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, f->unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, f->building, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, f->overdue);
	sqlite3_bind_text(st, 6, pm_community_today(db, today), -1, SQLITE_TRANSIENT);
	if (from != INT64_MIN)
		sqlite3_bind_int64(st, 7, from);
	else
		sqlite3_bind_null(st, 7);
	return pm_db_each(db, st, bill_json, NULL, fn, ctx, _("cannot read bills"), e);
}

int pm_bill_each(struct pm_db *db, const struct pm_bill_filter *f, int (*fn)(void *ctx, json_t *bill),
		 void *ctx, struct pm_err *e)
{
	return bill_each(db, f, INT64_MIN, fn, ctx, e);
}

int pm_bill_each_as(struct pm_db *db, const struct pm_actor *a, const struct pm_bill_filter *f,
		    int (*fn)(void *ctx, json_t *bill), void *ctx, struct pm_err *e)
{
	int64_t from = INT64_MIN;

	if (pm_bill_may_read(db, a, NULL, f->unit, e) || (f->unit && pm_unit_may_read_from(db, a, f->unit, &from, e)))
		return e->code;
	return bill_each(db, f, from, fn, ctx, e);
}

static int bill_lines(struct pm_db *db, int64_t id, json_t *out, struct pm_err *e)
{
	static const char sql[] =
		"SELECT seq, fee, label, amount_fen, paid_fen, coalesce(quantity, ''), breakdown, flags, config_version"
		" FROM bill_line WHERE bill_id = ? ORDER BY seq";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	json_t *lines = json_array();
	int rc;

	if (!st) {
		json_decref(lines);
		return e->code;
	}
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(lines, json_pack("{s:i, s:s, s:s, s:I, s:I, s:s, s:o*, s:s, s:I}",
			"seq", sqlite3_column_int(st, 0), "fee", TEXT(st, 1), "label", TEXT(st, 2),
			"amount_fen", (json_int_t)sqlite3_column_int64(st, 3),
			"paid_fen", (json_int_t)sqlite3_column_int64(st, 4), "quantity", TEXT(st, 5),
			"breakdown", json_loads(TEXT(st, 6), 0, NULL), "flags", TEXT(st, 7),
			"config_version", (json_int_t)sqlite3_column_int64(st, 8)));
	sqlite3_reset(st);
	json_object_set_new(out, "lines", lines);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read bill lines"));
}

/* The bill's events from the time from on. */
static int bill_events(struct pm_db *db, int64_t id, int64_t from, json_t *out, struct pm_err *e)
{
	static const char sql[] =
		"SELECT 'allocation', coalesce(p.channel || ':' || p.ref, 'prepaid'), a.amount_fen, a.seq, NULL, j.ts, p.id"
		" FROM allocation a JOIN journal j ON j.id = a.journal_id LEFT JOIN payment p ON p.id = a.payment_id"
		" WHERE a.bill_id = ?1 AND j.ts >= ?2"
		" UNION ALL SELECT 'adjustment', reason, amount_fen, NULL, by_user, created_at, NULL FROM adjustment"
		" WHERE bill_id = ?1 AND created_at >= ?2"
		" UNION ALL SELECT 'late_fee', as_of, amount_fen, days, NULL, created_at, NULL FROM late_fee"
		" WHERE bill_id = ?1 AND created_at >= ?2"
		" ORDER BY 6, 7";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	json_t *ev = json_array(), *o;
	char at[PM_TIME_BUF];
	int rc;

	if (!st) {
		json_decref(ev);
		return e->code;
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, from);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		o = json_pack("{s:s, s:s, s:I, s:s}", "kind", TEXT(st, 0), "what", TEXT(st, 1),
			      "amount_fen", (json_int_t)sqlite3_column_int64(st, 2),
			      "at", pm_time_fmt(sqlite3_column_int64(st, 5), pm_db_tz(db), at));
		if (sqlite3_column_type(st, 3) != SQLITE_NULL)
			json_object_set_new(o, strcmp(TEXT(st, 0), "late_fee") ? "seq" : "days",
					    json_integer(sqlite3_column_int64(st, 3)));
		if (sqlite3_column_type(st, 4) != SQLITE_NULL)
			json_object_set_new(o, "by", json_string(TEXT(st, 4)));
		if (sqlite3_column_type(st, 6) != SQLITE_NULL)
			json_object_set_new(o, "payment", json_integer(sqlite3_column_int64(st, 6)));
		json_array_append_new(ev, o);
	}
	sqlite3_reset(st);
	json_object_set_new(out, "events", ev);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read bill events"));
}

static int bill_get(struct pm_db *db, const char *code, int64_t from, json_t **out, struct pm_err *e)
{
	static const char sql[] = PM_BILL_COLS " WHERE b.code = ?1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int64_t id = 0;
	int rc;

	*out = NULL;
	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = bill_json(st, NULL);
		id = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return pm_err_set(e, PM_EDATA, _("unknown bill '%s'"), code);
	if (rc != SQLITE_ROW)
		return pm_db_fail(db, e, _("cannot read bills"));
	if (bill_lines(db, id, *out, e) || bill_events(db, id, from, *out, e)) {
		json_decref(*out);
		*out = NULL;
		return e->code;
	}
	return PM_OK;
}

int pm_bill_get(struct pm_db *db, const char *code, json_t **out, struct pm_err *e)
{
	return bill_get(db, code, INT64_MIN, out, e);
}

int pm_bill_get_as(struct pm_db *db, const struct pm_actor *a, const char *code, json_t **out, struct pm_err *e)
{
	char unit[64];
	int64_t from;

	*out = NULL;
	if (pm_bill_may_read_bill(db, a, code, unit, sizeof unit, e) || pm_unit_may_read_from(db, a, unit, &from, e))
		return e->code;
	return bill_get(db, code, from, out, e);
}

/* ---- payments and statements ---- */

int pm_payment_get(struct pm_db *db, int64_t id, json_t **out, struct pm_err *e)
{
	static const char sql[] =
		"SELECT p.channel, p.ref, u.code, p.amount_fen, p.refunded_fen, p.at, b.code FROM payment p"
		" JOIN unit u ON u.id = p.unit_id LEFT JOIN bill b ON b.id = p.bill_id WHERE p.id = ?";
	static const char alloc[] =
		"SELECT b.code, b.period, sum(a.amount_fen) FROM allocation a JOIN bill b ON b.id = a.bill_id"
		" WHERE a.payment_id = ? GROUP BY b.id ORDER BY b.period";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char at[PM_TIME_BUF];
	json_t *list;
	int rc;

	*out = NULL;
	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*out = json_pack("{s:s, s:I, s:s, s:s, s:s, s:I, s:I, s:s, s:s?}", "type", "payment",
				 "payment", (json_int_t)id, "channel", TEXT(st, 0), "ref", TEXT(st, 1),
				 "unit", TEXT(st, 2), "amount_fen", (json_int_t)sqlite3_column_int64(st, 3),
				 "refunded_fen", (json_int_t)sqlite3_column_int64(st, 4),
				 "at", pm_time_fmt(sqlite3_column_int64(st, 5), pm_db_tz(db), at),
				 "bill", sqlite3_column_type(st, 6) == SQLITE_NULL ? NULL : TEXT(st, 6));
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return pm_err_set(e, PM_EDATA, _("no payment %lld"), (long long)id);
	if (rc != SQLITE_ROW || !(st = pm_db_stmt(db, alloc, e)))
		return rc != SQLITE_ROW ? pm_db_fail(db, e, _("cannot read payments")) : e->code;
	list = json_array();
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(list, json_pack("{s:s, s:s, s:I}", "bill", TEXT(st, 0), "period", TEXT(st, 1),
						      "amount_fen", (json_int_t)sqlite3_column_int64(st, 2)));
	sqlite3_reset(st);
	json_object_set_new(*out, "allocations", list);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read payments"));
}

int pm_payment_may_read(struct pm_db *db, const struct pm_actor *a, int64_t id, struct pm_err *e)
{
	static const char sql[] = "SELECT u.code, p.at FROM payment p JOIN unit u ON u.id = p.unit_id WHERE p.id = ?";
	sqlite3_stmt *st;
	char unit[64] = "";
	int64_t at = 0, from;
	int rc;

	if (pm_auth_allowed(a->role, "bill.pay"))
		return PM_OK;
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		pm_text_col(st, 0, unit, sizeof unit);
		at = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read payments"));
	if (rc == SQLITE_ROW) {
		if (pm_bill_may_read(db, a, NULL, unit, e) || pm_unit_may_read_from(db, a, unit, &from, e)) {
			if (e->code != PM_ENOPERM)
				return e->code;
		} else if (at >= from) {
			return PM_OK;
		}
	}
	return pm_err_set(e, PM_ENOPERM, _("user '%s' may not see payment %lld"), a->login, (long long)id);
}

/* ---- statements: straight from the unit's two accounts ---- */

int pm_unit_owed(struct pm_db *db, const char *unit, int64_t *owed, struct pm_err *e)
{
	char recv[PM_ACCOUNT_MAX], pre[PM_ACCOUNT_MAX];
	int64_t r = 0, p = 0;

	pm_ledger_account(recv, "receivable", unit);
	pm_ledger_account(pre, "prepaid", unit);
	if (pm_ledger_balance(db, recv, &r, e) || pm_ledger_balance(db, pre, &p, e))
		return e->code;
	*owed = r;
	return pm_money_add(owed, p, e);
}

const char *pm_bill_entry_name(const char *kind)
{
	static const char *const names[][2] = {
		{"issue", "出账"}, {"payment", "缴费"}, {"prepaid", "预存抵扣"}, {"adjust", "调整"},
		{"late_fee", "违约金"}, {"void", "作废"}, {"refund", "退款"}, {"bill_points", "积分抵扣"},
	};

	for (size_t i = 0; kind && i < sizeof names / sizeof *names; i++)
		if (strcmp(kind, names[i][0]) == 0)
			return names[i][1];
	return kind;
}

int pm_bill_statement(struct pm_db *db, const char *unit, int32_t from, int32_t to,
		      int (*fn)(void *ctx, json_t *row), void *ctx, struct pm_err *e)
{
	static const char sql[] =
		"SELECT " PM_JOURNAL_AT("j") ", j.kind, j.ref, coalesce(j.memo, ''), sum(p.amount_fen) FROM posting p"
		" JOIN journal j ON j.id = p.journal_id WHERE p.account IN (?1, ?2)"
		" GROUP BY j.id HAVING sum(p.amount_fen) <> 0 ORDER BY 1, j.id";
	char recv[PM_ACCOUNT_MAX], pre[PM_ACCOUNT_MAX], at[PM_TIME_BUF];
	const char *tz = pm_db_tz(db);
	sqlite3_stmt *st;
	int64_t balance = 0, id;
	int32_t day;
	json_t *row;
	int rc;

	if (pm_unit_id(db, unit, &id, e) || !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	pm_ledger_account(recv, "receivable", unit);
	pm_ledger_account(pre, "prepaid", unit);
	sqlite3_bind_text(st, 1, recv, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, pre, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t amount = sqlite3_column_int64(st, 4);
		day = pm_date_of(sqlite3_column_int64(st, 0), tz);
		if (pm_money_add(&balance, amount, e)) {
			sqlite3_reset(st);
			return e->code;
		}
		if (day < from || day > to)
			continue;
		/* Every line has a memo, null when none: a table or CSV takes its
		 * columns from the first line, and a note's reason came later. */
		row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s?}", "type", "statement", "unit", unit,
				"at", pm_time_fmt(sqlite3_column_int64(st, 0), tz, at), "kind", TEXT(st, 1),
				"ref", TEXT(st, 2), "amount_fen", (json_int_t)amount, "balance_fen", (json_int_t)balance,
				"memo", *TEXT(st, 3) ? TEXT(st, 3) : NULL);
		rc = fn(ctx, row);
		json_decref(row);
		if (rc) {
			sqlite3_reset(st);
			return rc;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read the ledger"));
}

int pm_bill_statement_as(struct pm_db *db, const struct pm_actor *a, const char *unit, int32_t from, int32_t to,
			 int (*fn)(void *ctx, json_t *row), void *ctx, struct pm_err *e)
{
	int64_t since;
	int32_t first;

	if (pm_bill_may_read(db, a, NULL, unit, e) || pm_unit_may_read_from(db, a, unit, &since, e))
		return e->code;
	if (since != INT64_MIN && (first = pm_date_of(since, pm_db_tz(db))) > from)
		from = first;
	return pm_bill_statement(db, unit, from, to, fn, ctx, e);
}
