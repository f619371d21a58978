/* report-money: collection (应收, 实收, 缴费率) and arrears (欠费账龄)
 * from the bills and their allocations, the same rows pm-bill writes and
 * pm check reconciles with the ledger: billed is what issued bills ask
 * (lines, notes and late fees), collected what payments and prepaid
 * balances were allocated to them, and the difference is what they owe. */
#include <stdlib.h>
#include <string.h>

#include "pm/bill.h"
#include "pm/community.h"
#include "pm/i18n.h"
#include "pm/jsonl.h"
#include "pm/money.h"
#include "report-internal.h"

/* Units an owner sees: where the person lives today, ?9 (as
 * pm_unit_may_read); bind_owner binds p and ?9. */
#define OWNED(unit, p) \
	"(" p " = 0 OR " unit " IN (SELECT o.unit_id FROM occupancy o WHERE o.person_id = " p \
	" AND " PM_OCCUPANCY_ON("o", "?9") "))"
/* The first instant of owner p's time in unit (pm_unit_may_read_from). */
#define OWNER_FROM(unit, p) PM_RESIDENT_FROM(unit, p, "?9")
/* Bills an owner sees: those of their units of their own time there, as
 * pm-bill list and show show them (PM_BILL_OF_TIME): a buyer is not
 * shown what the seller settled before the sale. */
#define OWNED_BILL(b, p) \
	"(" p " = 0 OR (" OWNED(b ".unit_id", p) " AND " PM_BILL_OF_TIME(b, OWNER_FROM(b ".unit_id", p)) "))"
#define COUNTED "('issued','partial','paid')"

/* ---- collection ---- */

static const struct pm_col by_building[] = COLLECTION_COLS("building", N_("building"));
static const struct pm_col by_entrance[] = COLLECTION_COLS("entrance", N_("entrance"));
static const struct pm_col by_month[] = COLLECTION_COLS("period", N_("period"));
static const struct pm_col by_fee[] = COLLECTION_COLS("fee", N_("fee item"));

/* a into the total t; a sum of money past the ledger's limit is an
 * error (pm_money_add), never a wrap. */
static int agg_add(struct pm_collection_agg *t, const struct pm_collection_agg *a, struct pm_err *e)
{
	t->bills += a->bills;
	t->paid += a->paid;
	return pm_money_add(&t->charged, a->charged, e) || pm_money_add(&t->adjust, a->adjust, e) ||
	       pm_money_add(&t->late, a->late, e) || pm_money_add(&t->collected, a->collected, e) ? e->code : PM_OK;
}

static void agg_read(sqlite3_stmt *st, int col, struct pm_collection_agg *a)
{
	a->bills = sqlite3_column_int64(st, col);
	a->paid = sqlite3_column_int64(st, col + 1);
	a->charged = sqlite3_column_int64(st, col + 2);
	a->adjust = sqlite3_column_int64(st, col + 3);
	a->late = sqlite3_column_int64(st, col + 4);
	a->collected = sqlite3_column_int64(st, col + 5);
}

int pm_collection_row(struct pm_section *s, const char *key, const struct pm_collection_agg *a)
{
	int64_t billed = a->charged + a->adjust + a->late;
	long r = pm_row_add(s);

	if (r < 0 || pm_set_text(s, (size_t)r, C_KEY, key))
		return -1;
	pm_set_int(s, (size_t)r, C_BILLS, a->bills);
	pm_set_int(s, (size_t)r, C_PAID, a->paid);
	pm_set_int(s, (size_t)r, C_CHARGED, a->charged);
	pm_set_int(s, (size_t)r, C_ADJUST, a->adjust);
	pm_set_int(s, (size_t)r, C_LATE, a->late);
	pm_set_int(s, (size_t)r, C_BILLED, billed);
	pm_set_int(s, (size_t)r, C_COLLECTED, a->collected);
	pm_set_int(s, (size_t)r, C_OUTSTANDING, billed - a->collected);
	pm_set_ratio(s, (size_t)r, C_RATE_COUNT, a->paid, a->bills);
	pm_set_ratio(s, (size_t)r, C_RATE_AMOUNT, a->collected, billed);
	return 0;
}

/* A row for each of st's (key, figures), added into t. */
static int agg_rows(struct pm_db *db, sqlite3_stmt *st, struct pm_section *s, struct pm_collection_agg *t, struct pm_err *e)
{
	struct pm_collection_agg a;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		agg_read(st, 1, &a);
		if (agg_add(t, &a, e)) {
			sqlite3_reset(st);
			return e->code;
		}
		if (pm_collection_row(s, TEXT(st, 0), &a)) {
			sqlite3_reset(st);
			return pm_report_oom(e);
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read bills"));
}

static int total_row(struct pm_section *s, const struct pm_collection_agg *t)
{
	s->total = 1;
	return pm_collection_row(s, _("total"), t);
}

/* The owner of q, if any, as ?4 and today as ?9, for OWNED. */
static void bind_owner(struct pm_db *db, sqlite3_stmt *st, const struct pm_report_query *q)
{
	char day[PM_TIME_BUF];

	sqlite3_bind_int64(st, 4, pm_query_owner(q));
	sqlite3_bind_text(st, 9, pm_community_today(db, day), -1, SQLITE_TRANSIENT);
}

static void bind_scope(struct pm_db *db, sqlite3_stmt *st, const struct pm_report_query *q, const char *from,
		       const char *to)
{
	sqlite3_bind_text(st, 1, from, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, to, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, q->building, -1, SQLITE_STATIC);
	bind_owner(db, st, q);
}

#define AGG_SUMS \
	"count(b.id), coalesce(sum(b.status = 'paid'), 0), coalesce(sum(b.total_fen), 0)," \
	" coalesce(sum(b.adjust_fen), 0), coalesce(sum(b.late_fen), 0), coalesce(sum(b.paid_fen), 0)"

#define SUM_SUMS \
	"coalesce(sum(s.bills), 0), coalesce(sum(CASE WHEN s.status = 'paid' THEN s.bills END), 0)," \
	" coalesce(sum(s.total_fen), 0), coalesce(sum(s.adjust_fen), 0), coalesce(sum(s.late_fen), 0)," \
	" coalesce(sum(s.paid_fen), 0)"

/* Rows keyed by building or entrance, every one in scope listed even
 * without bills; then the total. Staff read the sums of bill_sum (see
 * 0014_report.sql); an owner, the bills of their own units. */
static int by_place(struct pm_db *db, const struct pm_report_query *q, struct pm_section *s, int entrance,
		    struct pm_err *e)
{
	static const char bsql[] =
		"SELECT bd.code, " SUM_SUMS " FROM building bd"
		" LEFT JOIN bill_sum s ON s.building_id = bd.id AND s.period BETWEEN ?1 AND ?2"
		" WHERE ?3 IS NULL OR bd.code = ?3 GROUP BY bd.id";
	static const char esql[] =
		"SELECT bd.code || '-' || en.code, " SUM_SUMS " FROM entrance en JOIN building bd ON bd.id = en.building_id"
		" LEFT JOIN bill_sum s ON s.entrance_id = en.id AND s.period BETWEEN ?1 AND ?2"
		" WHERE ?3 IS NULL OR bd.code = ?3 GROUP BY en.id";
	static const char owner_bsql[] =
		"SELECT bd.code, " AGG_SUMS " FROM building bd"
		" JOIN unit u ON u.building_id = bd.id AND " OWNED("u.id", "?4")
		" LEFT JOIN bill b ON b.unit_id = u.id AND b.period BETWEEN ?1 AND ?2 AND b.status IN " COUNTED
		" AND " OWNED_BILL("b", "?4")
		" WHERE ?3 IS NULL OR bd.code = ?3 GROUP BY bd.id";
	static const char owner_esql[] =
		"SELECT bd.code || '-' || en.code, " AGG_SUMS " FROM entrance en JOIN building bd ON bd.id = en.building_id"
		" JOIN unit u ON u.entrance_id = en.id AND " OWNED("u.id", "?4")
		" LEFT JOIN bill b ON b.unit_id = u.id AND b.period BETWEEN ?1 AND ?2 AND b.status IN " COUNTED
		" AND " OWNED_BILL("b", "?4")
		" WHERE ?3 IS NULL OR bd.code = ?3 GROUP BY en.id";
	int owner = pm_query_owner(q) != 0;
	sqlite3_stmt *st = pm_db_stmt(db, entrance ? (owner ? owner_esql : esql) : (owner ? owner_bsql : bsql), e);
	char from[PM_TIME_BUF], to[PM_TIME_BUF];
	struct pm_collection_agg t = {0};

	if (!st)
		return e->code;
	bind_scope(db, st, q, pm_period_fmt(q->from, from), pm_period_fmt(q->to, to));
	if (agg_rows(db, st, s, &t, e))
		return e->code;
	if (pm_rows_sort(s, 0, s->nrows, C_KEY, 1) || total_row(s, &t))
		return pm_report_oom(e);
	return PM_OK;
}

/* One row a period from..to, those without bills too, then the total. */
static int months(struct pm_db *db, const struct pm_report_query *q, struct pm_period from, struct pm_period to,
		  struct pm_section *s, struct pm_err *e)
{
	static const char sql[] =
		"SELECT s.period, " SUM_SUMS " FROM bill_sum s JOIN building bd ON bd.id = s.building_id"
		" WHERE s.period BETWEEN ?1 AND ?2 AND (?3 IS NULL OR bd.code = ?3) GROUP BY s.period ORDER BY s.period";
	static const char owner_sql[] =
		"SELECT b.period, " AGG_SUMS " FROM bill b JOIN unit u ON u.id = b.unit_id"
		" JOIN building bd ON bd.id = u.building_id WHERE b.period BETWEEN ?1 AND ?2 AND b.status IN " COUNTED
		" AND (?3 IS NULL OR bd.code = ?3) AND " OWNED_BILL("b", "?4") " GROUP BY b.period ORDER BY b.period";
	sqlite3_stmt *st = pm_db_stmt(db, pm_query_owner(q) ? owner_sql : sql, e);
	char f[PM_TIME_BUF], t[PM_TIME_BUF], p[PM_TIME_BUF];
	struct pm_collection_agg a, total = {0};
	struct pm_period at = from;
	int rc = SQLITE_ROW, more;

	if (!st)
		return e->code;
	bind_scope(db, st, q, pm_period_fmt(from, f), pm_period_fmt(to, t));
	more = (rc = sqlite3_step(st)) == SQLITE_ROW;
	for (; at.year * 12 + at.month <= to.year * 12 + to.month; at = pm_period_add(at, 1)) {
		memset(&a, 0, sizeof a);
		pm_period_fmt(at, p);
		if (more && strcmp(TEXT(st, 0), p) == 0) {
			agg_read(st, 1, &a);
			more = (rc = sqlite3_step(st)) == SQLITE_ROW;
		}
		if (agg_add(&total, &a, e)) {
			sqlite3_reset(st);
			return e->code;
		}
		if (pm_collection_row(s, p, &a)) {
			sqlite3_reset(st);
			return pm_report_oom(e);
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return pm_db_fail(db, e, _("cannot read bills"));
	return total_row(s, &total) ? pm_report_oom(e) : PM_OK;
}

/* By fee item: each item's lines, then the notes and late fees, which
 * belong to no line, and the total. */
static int by_fee_rows(struct pm_db *db, const struct pm_report_query *q, struct pm_section *s, struct pm_err *e)
{
	static const char sql[] =
		"SELECT min(l.label), count(*), sum(l.paid_fen >= l.amount_fen), sum(l.amount_fen), 0, 0, sum(l.paid_fen)"
		" FROM bill b JOIN bill_line l ON l.bill_id = b.id JOIN unit u ON u.id = b.unit_id"
		" JOIN building bd ON bd.id = u.building_id WHERE b.period BETWEEN ?1 AND ?2 AND b.status IN " COUNTED
		" AND (?3 IS NULL OR bd.code = ?3) AND " OWNED_BILL("b", "?4") " GROUP BY l.fee ORDER BY min(l.seq), l.fee";
	static const char rest[] =
		"SELECT coalesce(sum(b.adjust_fen), 0), coalesce(sum(b.late_fen), 0), coalesce(sum(b.paid_fen), 0)"
		" FROM bill b JOIN unit u ON u.id = b.unit_id JOIN building bd ON bd.id = u.building_id"
		" WHERE b.period BETWEEN ?1 AND ?2 AND b.status IN " COUNTED " AND (?3 IS NULL OR bd.code = ?3)"
		" AND " OWNED_BILL("b", "?4");
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char from[PM_TIME_BUF], to[PM_TIME_BUF];
	struct pm_collection_agg a, t = {0};
	int rc;

	if (!st)
		return e->code;
	bind_scope(db, st, q, pm_period_fmt(q->from, from), pm_period_fmt(q->to, to));
	if (agg_rows(db, st, s, &t, e) || !(st = pm_db_stmt(db, rest, e)))
		return e->code;
	bind_scope(db, st, q, from, to);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* What payments settled beyond the lines went to notes and late fees. */
		a = (struct pm_collection_agg){0, 0, 0, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
				 sqlite3_column_int64(st, 2) - t.collected};
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return pm_db_fail(db, e, _("cannot read bills"));
	if (agg_add(&t, &a, e))
		return e->code;
	if (pm_collection_row(s, _("notes and late fees"), &a) || total_row(s, &t))
		return pm_report_oom(e);
	/* Counts of lines, not bills: the fully paid rate still holds. */
	pm_set_null(s, s->nrows - 2, C_BILLS);
	pm_set_null(s, s->nrows - 2, C_PAID);
	pm_set_null(s, s->nrows - 2, C_RATE_COUNT);
	return PM_OK;
}

/* ---- money by channel ---- */

static const struct pm_col channel_cols[] = {
	{"channel", N_("channel"), PM_COL_TEXT, 0, 0},
	{"bills", N_("bills paid into"), PM_COL_INT, 0, 0},
	{"collected_fen", N_("collected"), PM_COL_MONEY, 0, 0},
	{"share_pct", N_("share"), PM_COL_PERCENT, 0, 0},
};

/* What paid the periods' bills, by the payment's channel ("prepaid" for
 * prepaid balances applied at issue), and into how many bills; a bill
 * paid through two channels counts in both, so the total has no count. */
static int by_channel(struct pm_db *db, const struct pm_report_query *q, struct pm_section *s, struct pm_err *e)
{
	static const char sql[] =
		"SELECT coalesce(p.channel, 'prepaid'), count(DISTINCT a.bill_id), sum(a.amount_fen) FROM allocation a"
		" JOIN bill b ON b.id = a.bill_id JOIN unit u ON u.id = b.unit_id JOIN building bd ON bd.id = u.building_id"
		" LEFT JOIN payment p ON p.id = a.payment_id WHERE b.period BETWEEN ?1 AND ?2 AND b.status IN " COUNTED
		" AND (?3 IS NULL OR bd.code = ?3) AND " OWNED_BILL("b", "?4") " GROUP BY 1 ORDER BY 1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char from[PM_TIME_BUF], to[PM_TIME_BUF];
	int64_t sum = 0;
	long r;
	int rc;

	if (!st)
		return e->code;
	bind_scope(db, st, q, pm_period_fmt(q->from, from), pm_period_fmt(q->to, to));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((r = pm_row_add(s)) < 0 || pm_set_text(s, (size_t)r, 0, TEXT(st, 0))) {
			sqlite3_reset(st);
			return pm_report_oom(e);
		}
		pm_set_int(s, (size_t)r, 1, sqlite3_column_int64(st, 1));
		pm_set_int(s, (size_t)r, 2, sqlite3_column_int64(st, 2));
		if (pm_money_add(&sum, sqlite3_column_int64(st, 2), e)) {
			sqlite3_reset(st);
			return e->code;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read allocations"));
	if ((r = pm_row_add(s)) < 0 || pm_set_text(s, (size_t)r, 0, _("total")))
		return pm_report_oom(e);
	pm_set_int(s, (size_t)r, 2, sum);
	s->total = 1;
	for (size_t i = 0; i < s->nrows; i++)
		pm_set_ratio(s, i, 3, pm_cell_v(s, i, 2), sum);
	return PM_OK;
}

static const struct pm_col receipt_cols[] = {
	{"channel", N_("channel"), PM_COL_TEXT, 0, 0},
	{"payments", N_("payments"), PM_COL_INT, 0, 0},
	{"received_fen", N_("received"), PM_COL_MONEY, 0, 0},
	{"to_bills_fen", N_("to bills"), PM_COL_MONEY, 0, 0},
	{"prepaid_fen", N_("prepaid"), PM_COL_MONEY, 0, 0},
	{"refunded_fen", N_("refunded"), PM_COL_MONEY, 0, 0},
};

/* The payment p's unit is in the query's building (?3), and for an
 * owner (?4) the payment came in their own time there, as
 * pm_payment_may_read has it: never the seller's money. */
#define PAID_IN_SCOPE \
	"(?3 IS NULL OR p.unit_id IN (SELECT u.id FROM unit u JOIN building bd ON bd.id = u.building_id" \
	" WHERE bd.code = ?3)) AND (?4 = 0 OR p.at >= " OWNER_FROM("p.unit_id", "?4") ")"

/* Money received in the last period's month, by channel: what went to
 * bills at once and what became prepaid balances (预收); and the refunds
 * made in the month, under the channel the money left by (as pm-bill
 * reconcile sets them against a channel's statement), whenever the
 * payments they gave back came in. Reward points paying parking lines
 * are no money received (by_channel shows what they paid). What went to
 * bills is what the payment paid when it came: a credit that gives some
 * back later (a negative allocation) moves no closed month's figures. */
static int receipts(struct pm_db *db, const struct pm_report_query *q, struct pm_section *s, struct pm_err *e)
{
	static const char sql[] =
		"SELECT ch, sum(n), sum(amount), sum(bills), sum(back) FROM ("
		" SELECT p.channel AS ch, 1 AS n, p.amount_fen AS amount,"
		"  (SELECT coalesce(sum(a.amount_fen), 0) FROM allocation a WHERE a.payment_id = p.id AND a.amount_fen > 0)"
		"  AS bills, 0 AS back"
		"  FROM payment p WHERE p.at >= ?1 AND p.at < ?2 AND p.channel <> '" PM_BILL_POINTS "' AND " PAID_IN_SCOPE
		" UNION ALL SELECT substr(x.account, 6), 0, 0, 0, -x.amount_fen FROM" PM_BILL_REFUND_FROM
		"  WHERE " PM_BILL_REFUND_IS " AND j.ts >= ?1 AND j.ts < ?2 AND " PAID_IN_SCOPE
		") GROUP BY ch ORDER BY ch";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int64_t start, end, t[5] = {0}, v[5];
	long r;
	int rc;

	if (!st)
		return e->code;
	pm_period_bounds(q->to, pm_db_tz(db), &start, &end);
	sqlite3_bind_int64(st, 1, start);
	sqlite3_bind_int64(st, 2, end);
	sqlite3_bind_text(st, 3, q->building, -1, SQLITE_STATIC);
	bind_owner(db, st, q);
	for (;;) {
		const char *key = _("total");
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			key = TEXT(st, 0);
			for (int i = 0; i < 4; i++)
				v[i] = sqlite3_column_int64(st, 1 + i);
			t[0] += v[0];
			for (int i = 1; i < 4; i++)
				if (pm_money_add(&t[i], v[i], e)) {
					sqlite3_reset(st);
					return e->code;
				}
		} else {
			memcpy(v, t, sizeof v);
		}
		if ((r = pm_row_add(s)) < 0 || pm_set_text(s, (size_t)r, 0, key)) {
			sqlite3_reset(st);
			return pm_report_oom(e);
		}
		pm_set_int(s, (size_t)r, 1, v[0]);
		pm_set_int(s, (size_t)r, 2, v[1]);
		pm_set_int(s, (size_t)r, 3, v[2]);
		pm_set_int(s, (size_t)r, 4, v[1] - v[2]);
		pm_set_int(s, (size_t)r, 5, v[3]);
		if (rc != SQLITE_ROW)
			break;
	}
	sqlite3_reset(st);
	s->total = 1;
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read payments"));
}

static void money_chart(struct pm_section *s, enum pm_chart_kind kind)
{
	pm_chart_set(s, kind, C_KEY, N_("yuan"), C_BILLED, C_COLLECTED, -1);
}

static void rate_chart(struct pm_section *s)
{
	pm_chart_set(s, PM_CHART_LINES, C_KEY, "%", C_RATE_AMOUNT, C_RATE_COUNT, -1);
}

static int collection_main(struct pm_db *db, const struct pm_report_query *q, struct pm_report *r,
			   struct pm_err *e)
{
	struct pm_section *s;

	switch (q->by) {
	case PM_BY_ENTRANCE:
		if (!(s = pm_section_add(r, "entrance", N_("Collection by entrance"), COLS(by_entrance))))
			return pm_report_oom(e);
		money_chart(s, PM_CHART_BARS);
		return by_place(db, q, s, 1, e);
	case PM_BY_FEE:
		if (!(s = pm_section_add(r, "fee", N_("Collection by fee item"), COLS(by_fee))))
			return pm_report_oom(e);
		money_chart(s, PM_CHART_BARS);
		return by_fee_rows(db, q, s, e);
	case PM_BY_CHANNEL:
		if (!(s = pm_section_add(r, "channel", N_("Collected by channel"), COLS(channel_cols))))
			return pm_report_oom(e);
		pm_chart_set(s, PM_CHART_BARS, 0, N_("yuan"), 2, -1);
		return by_channel(db, q, s, e);
	case PM_BY_MONTH:
		if (!(s = pm_section_add(r, "month", N_("Collection by month"), COLS(by_month))))
			return pm_report_oom(e);
		rate_chart(s);
		return months(db, q, q->from, q->to, s, e);
	default:
		if (!(s = pm_section_add(r, "building", N_("Collection by building"), COLS(by_building))))
			return pm_report_oom(e);
		money_chart(s, PM_CHART_BARS);
		return by_place(db, q, s, 0, e);
	}
}

static int make_collection(struct pm_db *db, const struct pm_report_query *q, struct pm_report **out,
		struct pm_err *e)
{
	struct pm_report *r;
	struct pm_section *s;
	int rc;

	if (pm_report_new(db, "collection", N_("Collection"), q, &r, e))
		return e->code;
	rc = collection_main(db, q, r, e);
	if (rc == PM_OK && q->by != PM_BY_MONTH) {
		if (!(s = pm_section_add(r, "year", N_("Year to date by month"), COLS(by_month))))
			rc = pm_report_oom(e);
		else {
			rate_chart(s);
			rc = months(db, q, (struct pm_period){q->to.year, 1}, q->to, s, e);
		}
	}
	/* The dashboard shows no receipts. */
	if (rc == PM_OK && !q->brief) {
		if (!(s = pm_section_add(r, "received", N_("Received in the month by channel"), COLS(receipt_cols))))
			rc = pm_report_oom(e);
		else
			rc = receipts(db, q, s, e);
	}
	if (rc) {
		pm_report_free(r);
		return rc;
	}
	*out = r;
	return PM_OK;
}

/* ---- arrears ---- */

#define NBUCKETS 5
static const int bucket_days[NBUCKETS - 1] = {30, 90, 180, 365};

#define BUCKET_COLS \
	{"d0_30_fen", N_("0–30 days"), PM_COL_MONEY, 0, 0},         \
	{"d31_90_fen", N_("31–90 days"), PM_COL_MONEY, 0, 0},       \
	{"d91_180_fen", N_("91–180 days"), PM_COL_MONEY, 0, 0},     \
	{"d181_365_fen", N_("181–365 days"), PM_COL_MONEY, 0, 0},   \
	{"d365_fen", N_("over 365 days"), PM_COL_MONEY, 0, 0},      \
	{"owed_fen", N_("owed"), PM_COL_MONEY, 0, 0}

static const struct pm_col unit_cols[] = {
	{"building", N_("building"), PM_COL_TEXT, 0, 0},
	{"entrance", N_("entrance"), PM_COL_TEXT, 0, 0},
	{"unit", N_("unit"), PM_COL_TEXT, 0, 0},
	{"owner", N_("owner"), PM_COL_TEXT, 0, 0},
	{"phone", N_("phone"), PM_COL_TEXT, 0, 0},
	{"bills", N_("bills"), PM_COL_INT, 0, 0},
	{"oldest_due", N_("oldest due"), PM_COL_TEXT, 0, 0},
	{"days", N_("days overdue"), PM_COL_INT, 0, 0},
	BUCKET_COLS,
};
enum { U_BUILDING, U_ENTRANCE, U_UNIT, U_OWNER, U_PHONE, U_BILLS, U_DUE, U_DAYS, U_B0 };
#define U_OWED (U_B0 + NBUCKETS)

static const struct pm_col building_cols[] = {
	{"building", N_("building"), PM_COL_TEXT, 0, 0},
	{"units", N_("units"), PM_COL_INT, 0, 0},
	{"bills", N_("bills"), PM_COL_INT, 0, 0},
	BUCKET_COLS,
};
static const struct pm_col entrance_cols[] = {
	{"entrance", N_("entrance"), PM_COL_TEXT, 0, 0},
	{"units", N_("units"), PM_COL_INT, 0, 0},
	{"bills", N_("bills"), PM_COL_INT, 0, 0},
	BUCKET_COLS,
};
enum { S_KEY, S_UNITS, S_BILLS, S_B0 };
#define S_OWED (S_B0 + NBUCKETS)

static const struct pm_col top_cols[] = {
	{"unit", N_("unit"), PM_COL_TEXT, 0, 0},
	{"owner", N_("owner"), PM_COL_TEXT, 0, 0},
	{"phone", N_("phone"), PM_COL_TEXT, 0, 0},
	{"bills", N_("bills"), PM_COL_INT, 0, 0},
	{"days", N_("days overdue"), PM_COL_INT, 0, 0},
	{"owed_fen", N_("owed"), PM_COL_MONEY, 0, 0},
};

struct item {
	int64_t unit, owed;
	int32_t due;
};

struct pm_arrears {
	struct pm_db *db;
	struct pm_report_query q;
	json_t *seen;      /* bill codes read from records */
	struct item *items;
	size_t n, cap;
	long read, skipped;
	int64_t owed;      /* of the items taken, within PM_MONEY_MAX */
};

int pm_arrears_open(struct pm_db *db, const struct pm_report_query *q, struct pm_arrears **out,
		    struct pm_err *e)
{
	struct pm_arrears *a;

	if (pm_query_check(db, q, e))
		return e->code;
	if (!(a = calloc(1, sizeof *a)) || !(a->seen = json_object())) {
		free(a);
		return pm_report_oom(e);
	}
	a->db = db;
	a->q = *q;
	*out = a;
	return PM_OK;
}

void pm_arrears_close(struct pm_arrears *a)
{
	if (!a)
		return;
	json_decref(a->seen);
	free(a->items);
	free(a);
}

/* An overdue amount taken; every sum the report makes of them is within
 * their running total, kept within the ledger's limit (pm_money_add). */
static int item_add(struct pm_arrears *a, int64_t unit, int32_t due, int64_t owed, struct pm_err *e)
{
	struct item *it;
	size_t cap;

	if (owed <= 0 || due >= a->q.as_of) {
		a->skipped++;
		return PM_OK;
	}
	if (pm_money_add(&a->owed, owed, e))
		return e->code;
	if (a->n == a->cap) {
		cap = a->cap ? a->cap * 2 : 1024;
		if (!(it = realloc(a->items, cap * sizeof *it)))
			return pm_report_oom(e);
		a->items = it;
		a->cap = cap;
	}
	a->items[a->n++] = (struct item){unit, owed, due};
	return PM_OK;
}

/* The unit's id, and whether it is in the query's building. */
static int unit_of(struct pm_arrears *a, const char *code, int64_t *id, int *in, struct pm_err *e)
{
	static const char sql[] =
		"SELECT u.id, bd.code FROM unit u JOIN building bd ON bd.id = u.building_id WHERE u.code = ?1";
	sqlite3_stmt *st;
	int rc = pm_db_row(a->db, sql, code, &st, N_("cannot read units"), e);

	if (rc < 0)
		return -rc;
	if (rc == 0)
		return pm_err_set(e, PM_EDATA, _("unknown unit '%s'"), code);
	*id = sqlite3_column_int64(st, 0);
	*in = !a->q.building || strcmp(TEXT(st, 1), a->q.building) == 0;
	sqlite3_reset(st);
	return PM_OK;
}

int pm_arrears_add(struct pm_arrears *a, json_t *bill, struct pm_err *e)
{
	const char *type = NULL, *code, *unit, *period = NULL, *status = NULL, *due = NULL;
	char from[PM_TIME_BUF], to[PM_TIME_BUF];
	int64_t owed, id = 0, sum = a->owed;
	int32_t day = 0;
	int in = 0;

	if (pm_json_str(bill, "type", PM_OPTIONAL, &type, e) || !type || strcmp(type, "bill"))
		return pm_err_set(e, PM_EDATA, _("not a bill record (\"type\":\"bill\", as pm-bill list prints)"));
	if (pm_json_str(bill, "bill", PM_REQUIRED, &code, e) || pm_json_str(bill, "unit", PM_REQUIRED, &unit, e) ||
	    pm_json_int(bill, "owed_fen", PM_REQUIRED, &owed, e) ||
	    pm_json_str(bill, "period", PM_OPTIONAL, &period, e) ||
	    pm_json_str(bill, "status", PM_OPTIONAL, &status, e) ||
	    (!json_is_null(json_object_get(bill, "due")) && pm_json_str(bill, "due", PM_OPTIONAL, &due, e)))
		return e->code;
	if (due && pm_date_parse(due, &day, e))
		return pm_err_prefix(e, _("field \"due\""));
	/* Sums of sums stay exact: the records' running total stays within
	 * what money may be (item_add's rule, checked before the record is
	 * taken, so it is rejected whole). */
	if (pm_money_add(&sum, owed, e))
		return pm_err_prefix(e, _("field \"owed_fen\""));
	if (json_object_get(a->seen, code))
		return pm_err_set(e, PM_EDATA, _("bill '%s' is listed twice"), code);
	if (unit_of(a, unit, &id, &in, e))
		return e->code;
	if (a->q.actor && a->q.actor->role == PM_ROLE_OWNER && pm_unit_may_read(a->db, a->q.actor, unit, e))
		return e->code;
	if (json_object_set_new(a->seen, code, json_true()))
		return pm_report_oom(e);
	a->read++;
	pm_period_fmt(a->q.from, from);
	pm_period_fmt(a->q.to, to);
	if (!due || !in || (status && strcmp(status, "issued") && strcmp(status, "partial")) ||
	    (period && (strcmp(period, from) < 0 || strcmp(period, to) > 0))) {
		a->skipped++;
		return PM_OK;
	}
	return item_add(a, id, day, owed, e);
}

/* What each open bill owes now, from the running sums on its row, through
 * the index of open bills (without a building, that index alone): the
 * dashboard's path, as cheap as the open bills are few. */
static const char owed_now_sql[] =
	"SELECT b.unit_id, b.due, b.total_fen + b.late_fen + b.adjust_fen - b.paid_fen FROM bill b"
	" WHERE b.status IN ('issued','partial') AND b.due < ?5 AND b.period BETWEEN ?1 AND ?2"
	" AND (?3 IS NULL OR b.unit_id IN (SELECT u.id FROM unit u JOIN building bd ON bd.id = u.building_id"
	"   WHERE bd.code = ?3)) AND " OWNED_BILL("b", "?4");

/* What each bill owed at ?6, the end of a past as-of day: the row's sums
 * include what came later, so each is summed from the rows that made it,
 * by their time. Issued before ?6 (a draft has no issued_at) and not
 * voided by then (the void's journal entry; a bill with payments is never
 * voided); its lines, plus the late fees and notes recorded before ?6,
 * less its allocations made before ?6 (PM_ALLOCATION_AT: a payment's at
 * its time, as collection counts it).
 * The ledger alone would not do: its receivable is the unit's, not the
 * bill's, which aging needs. A bill paid now may have owed then, so every
 * bill is read, each with four index lookups: dearer than owed_now_sql
 * (0.4 s against 0.03 s for a year of 10,000 units, 120,000 bills), which
 * is why a report as of today keeps that.
 * The bills are scanned (+b.period: the index of periods would add a
 * lookup a bill when every period is asked), and those owing nothing
 * come too: a filter on owed here would compute it twice. */
static const char owed_then_sql[] =
	"SELECT b.unit_id, b.due, b.total_fen"
	" + coalesce((SELECT sum(f.amount_fen) FROM late_fee f WHERE f.bill_id = b.id AND f.created_at < ?6), 0)"
	" + coalesce((SELECT sum(d.amount_fen) FROM adjustment d WHERE d.bill_id = b.id AND d.created_at < ?6), 0)"
	" - coalesce((SELECT sum(a.amount_fen) FROM allocation a JOIN journal j ON j.id = a.journal_id"
	"   LEFT JOIN payment p ON p.id = a.payment_id WHERE a.bill_id = b.id"
	"   AND " PM_ALLOCATION_AT("a", "p", "j") " < ?6), 0)"
	" FROM bill b WHERE b.status <> 'draft' AND b.issued_at < ?6 AND b.due < ?5 AND +b.period BETWEEN ?1 AND ?2"
	" AND (b.status <> 'void' OR NOT EXISTS (SELECT 1 FROM journal j WHERE j.ref = 'bill:' || b.code"
	"   AND j.kind = 'void' AND j.ts < ?6))"
	" AND (?3 IS NULL OR b.unit_id IN (SELECT u.id FROM unit u JOIN building bd ON bd.id = u.building_id"
	"   WHERE bd.code = ?3)) AND " OWNED_BILL("b", "?4");

int pm_arrears_bills(struct pm_db *db, const struct pm_report_query *q, pm_owed_fn fn, void *ctx, struct pm_err *e)
{
	/* As of today (or later) what bills owe now is what they owe at the
	 * day's end, as far as anyone knows yet. */
	int past = q->as_of < pm_db_today(db);
	sqlite3_stmt *st = pm_db_stmt(db, past ? owed_then_sql : owed_now_sql, e);
	char from[PM_TIME_BUF], to[PM_TIME_BUF], asof[PM_TIME_BUF];
	int32_t due;
	int rc;

	if (!st)
		return e->code;
	bind_scope(db, st, q, pm_period_fmt(q->from, from), pm_period_fmt(q->to, to));
	sqlite3_bind_text(st, 5, pm_date_fmt(q->as_of, asof), -1, SQLITE_TRANSIENT);
	if (past)
		sqlite3_bind_int64(st, 6, pm_date_start(q->as_of + 1, pm_db_tz(db)));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (pm_date_parse(TEXT(st, 1), &due, e) ||
		    fn(ctx, sqlite3_column_int64(st, 0), due, sqlite3_column_int64(st, 2), e)) {
			sqlite3_reset(st);
			return e->code;
		}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read bills"));
}

static int store_item(void *ctx, int64_t unit, int32_t due, int64_t owed, struct pm_err *e)
{
	struct pm_arrears *a = ctx;

	a->read++;
	return item_add(a, unit, due, owed, e);
}

static int by_unit(const void *x, const void *y)
{
	const struct item *a = x, *b = y;

	return a->unit != b->unit ? (a->unit > b->unit) - (a->unit < b->unit) : (a->due > b->due) - (a->due < b->due);
}

static int bucket_of(int days)
{
	int b = 0;

	while (b < NBUCKETS - 1 && days > bucket_days[b])
		b++;
	return b;
}

/* The unit's codes. */
static int unit_cells(struct pm_arrears *a, struct pm_section *s, size_t r, int64_t unit, struct pm_err *e)
{
	static const char sql[] =
		"SELECT u.code, bd.code, bd.code || '-' || en.code FROM unit u"
		" JOIN building bd ON bd.id = u.building_id JOIN entrance en ON en.id = u.entrance_id WHERE u.id = ?1";
	sqlite3_stmt *st = pm_db_stmt(a->db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, unit);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW && (pm_set_text(s, r, U_UNIT, TEXT(st, 0)) ||
	    pm_set_text(s, r, U_BUILDING, TEXT(st, 1)) || pm_set_text(s, r, U_ENTRANCE, TEXT(st, 2))))
		rc = -1;
	sqlite3_reset(st);
	if (rc < 0)
		return pm_report_oom(e);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(a->db, e, _("cannot read units"));
}

/* The name and phone of the unit's owner, else its tenant, on the as-of
 * day, into columns name and phone of row r, as the actor may see them
 * (pm_pii_view): whole, masked or not at all. */
static int contact_cells(struct pm_arrears *a, struct pm_section *s, size_t r, const char *unit, size_t name_col,
			 size_t phone_col, struct pm_err *e)
{
	static const char sql[] =
		"SELECT p.name, coalesce(p.phone, '') FROM unit u"
		" JOIN person p ON p.id = (SELECT o.person_id FROM occupancy o WHERE o.unit_id = u.id"
		"   AND " PM_OCCUPANCY_ON("o", "?2")
		"   ORDER BY o.role <> 'owner', o.role <> 'tenant', o.since, o.id LIMIT 1)"
		" WHERE u.code = ?1";
	enum pm_pii view = a->q.actor ? pm_pii_view(a->q.actor) : PM_PII_FULL;
	sqlite3_stmt *st = NULL;
	char name[128], phone[64], day[PM_TIME_BUF];
	int rc;

	if (view == PM_PII_NONE)
		return PM_OK;
	if (!(st = pm_db_stmt(a->db, sql, e)))
		return e->code;
	sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, pm_date_fmt(a->q.as_of, day), -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? PM_OK : pm_db_fail(a->db, e, _("cannot read residents"));
	}
	/* A name that is no UTF-8 cannot be a JSON string: the report
	 * stops, as a listing does, rather than leave the owner out. */
	if (pm_db_row_utf8(st, _("cannot read the store"), e)) {
		sqlite3_reset(st);
		return e->code;
	}
	snprintf(name, sizeof name, "%s", TEXT(st, 0));
	snprintf(phone, sizeof phone, "%s", TEXT(st, 1));
	if (view == PM_PII_MASKED) {
		pm_name_mask(TEXT(st, 0), name, sizeof name);
		if (*phone)
			pm_phone_mask(TEXT(st, 1), phone, sizeof phone);
	}
	sqlite3_reset(st);
	if ((*name && pm_set_text(s, r, name_col, name)) || (*phone && pm_set_text(s, r, phone_col, phone)))
		return pm_report_oom(e);
	return PM_OK;
}

/* One row a unit with something overdue, in code order. */
static int unit_rows(struct pm_arrears *a, struct pm_section *s, struct pm_err *e)
{
	size_t i = 0, j;
	int64_t b[NBUCKETS], owed;
	long r;

	if (a->n)
		qsort(a->items, a->n, sizeof *a->items, by_unit);
	while (i < a->n) {
		memset(b, 0, sizeof b);
		owed = 0;
		for (j = i; j < a->n && a->items[j].unit == a->items[i].unit; j++) {
			b[bucket_of(a->q.as_of - a->items[j].due)] += a->items[j].owed;
			owed += a->items[j].owed;
		}
		if ((r = pm_row_add(s)) < 0)
			return pm_report_oom(e);
		if (unit_cells(a, s, (size_t)r, a->items[i].unit, e) ||
		    (!a->q.brief && contact_cells(a, s, (size_t)r, pm_cell_text(s, (size_t)r, U_UNIT, 0, NULL, 0),
						  U_OWNER, U_PHONE, e)))
			return e->code;
		pm_set_int(s, (size_t)r, U_BILLS, (int64_t)(j - i));
		/* Items of a unit come oldest due first. */
		if (pm_set_text(s, (size_t)r, U_DUE, pm_date_fmt(a->items[i].due, (char[PM_TIME_BUF]){0})))
			return pm_report_oom(e);
		pm_set_int(s, (size_t)r, U_DAYS, a->q.as_of - a->items[i].due);
		for (int k = 0; k < NBUCKETS; k++)
			pm_set_int(s, (size_t)r, U_B0 + (size_t)k, b[k]);
		pm_set_int(s, (size_t)r, U_OWED, owed);
		i = j;
	}
	return pm_rows_sort(s, 0, s->nrows, U_UNIT, 1) ? pm_report_oom(e) : PM_OK;
}

/* A subtotal row for each building (entrance) in scope, in code order,
 * then the total, summed from the unit rows. */
static int subtotals(struct pm_arrears *a, const struct pm_section *u, struct pm_section *s, int entrance,
		     struct pm_err *e)
{
	static const char bsql[] =
		"SELECT bd.code FROM building bd WHERE (?3 IS NULL OR bd.code = ?3) AND (?4 = 0 OR EXISTS (SELECT 1"
		" FROM unit u WHERE u.building_id = bd.id AND " OWNED("u.id", "?4") "))";
	static const char esql[] =
		"SELECT bd.code || '-' || en.code FROM entrance en JOIN building bd ON bd.id = en.building_id"
		" WHERE (?3 IS NULL OR bd.code = ?3) AND (?4 = 0 OR EXISTS (SELECT 1"
		" FROM unit u WHERE u.entrance_id = en.id AND " OWNED("u.id", "?4") "))";
	sqlite3_stmt *st = pm_db_stmt(a->db, entrance ? esql : bsql, e);
	char buf[PM_CELL_BUF];
	size_t col = entrance ? U_ENTRANCE : U_BUILDING, total;
	long r;
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 3, a->q.building, -1, SQLITE_STATIC);
	bind_owner(a->db, st, &a->q);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((r = pm_row_add(s)) < 0 || pm_set_text(s, (size_t)r, S_KEY, TEXT(st, 0))) {
			sqlite3_reset(st);
			return pm_report_oom(e);
		}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return pm_db_fail(a->db, e, _("cannot read buildings"));
	if (pm_rows_sort(s, 0, s->nrows, S_KEY, 1) || (r = pm_row_add(s)) < 0 ||
	    pm_set_text(s, (size_t)r, S_KEY, _("total")))
		return pm_report_oom(e);
	total = (size_t)r;
	s->total = 1;
	for (size_t k = 0; k < s->nrows; k++)
		for (size_t c = S_UNITS; c < s->ncols; c++)
			pm_set_int(s, k, c, 0);
	for (size_t i = 0; i < u->nrows; i++) {
		const char *key = pm_cell_text(u, i, col, 0, buf, sizeof buf);
		size_t k;
		for (k = 0; k < total && strcmp(pm_cell_text(s, k, S_KEY, 0, buf, sizeof buf), key); k++)
			;
		for (size_t row = k; ; row = total) {
			pm_set_int(s, row, S_UNITS, pm_cell_v(s, row, S_UNITS) + 1);
			pm_set_int(s, row, S_BILLS, pm_cell_v(s, row, S_BILLS) + pm_cell_v(u, i, U_BILLS));
			for (size_t c = 0; c <= NBUCKETS; c++)
				pm_set_int(s, row, S_B0 + c, pm_cell_v(s, row, S_B0 + c) + pm_cell_v(u, i, U_B0 + c));
			if (row == total)
				break;
		}
	}
	return PM_OK;
}

/* The top debtors from the unit rows u; a brief report names them only
 * now. */
static int top_rows(struct pm_arrears *a, const struct pm_section *u, struct pm_section *s, int top,
		    struct pm_err *e)
{
	static const size_t from[] = {U_UNIT, U_OWNER, U_PHONE, U_BILLS, U_DAYS, U_OWED};
	char buf[PM_CELL_BUF];
	long r;

	for (size_t i = 0; i < u->nrows; i++) {
		if ((r = pm_row_add(s)) < 0)
			return pm_report_oom(e);
		for (size_t c = 0; c < sizeof from / sizeof *from; c++) {
			if (pm_cell_null(u, i, from[c]))
				continue;
			if (u->cols[from[c]].type != PM_COL_TEXT)
				pm_set_int(s, (size_t)r, c, pm_cell_v(u, i, from[c]));
			else if (pm_set_text(s, (size_t)r, c, pm_cell_text(u, i, from[c], 0, buf, sizeof buf)))
				return pm_report_oom(e);
		}
	}
	if (pm_rows_sort(s, 0, s->nrows, 5, 0))
		return pm_report_oom(e);
	if (s->nrows > (size_t)top)
		s->nrows = (size_t)top;
	for (size_t i = 0; a->q.brief && i < s->nrows; i++)
		if (contact_cells(a, s, i, pm_cell_text(s, i, 0, 0, NULL, 0), 1, 2, e))
			return e->code;
	return PM_OK;
}

/* report.top_debtors of the configuration in force today. */
static int top_debtors(struct pm_db *db, struct pm_err *e)
{
	json_t *rep;
	int n = 10;

	if (pm_report_config(db, pm_date_of(pm_now(), pm_db_tz(db)), &rep, e) == PM_OK) {
		n = (int)json_integer_value(json_object_get(rep, "top_debtors"));
		json_decref(rep);
	}
	return n;
}

int pm_arrears_finish(struct pm_arrears *a, struct pm_report **out, long *read, long *skipped,
		      struct pm_err *e)
{
	struct pm_section *u, *s;
	struct pm_report *r;
	char day[PM_TIME_BUF];
	int rc;

	*read = a->read;
	*skipped = a->skipped;
	if (pm_report_new(a->db, "arrears", N_("Arrears"), &a->q, &r, e))
		return e->code;
	snprintf(r->scope, sizeof r->scope, _("as of %s"), pm_date_fmt(a->q.as_of, day));
	if (!(u = pm_section_add(r, "unit", N_("Units in arrears"), COLS(unit_cols))))
		rc = pm_report_oom(e);
	else
		rc = unit_rows(a, u, e);
	if (rc == PM_OK && !(s = pm_section_add(r, "building", N_("Arrears by building"), COLS(building_cols))))
		rc = pm_report_oom(e);
	if (rc == PM_OK) {
		pm_chart_set(s, PM_CHART_STACKED, S_KEY, N_("yuan"), S_B0, S_B0 + 1, S_B0 + 2, S_B0 + 3, S_B0 + 4, -1);
		rc = subtotals(a, &r->sec[0], s, 0, e);
	}
	if (rc == PM_OK && !(s = pm_section_add(r, "entrance", N_("Arrears by entrance"), COLS(entrance_cols))))
		rc = pm_report_oom(e);
	if (rc == PM_OK)
		rc = subtotals(a, &r->sec[0], s, 1, e);
	if (rc == PM_OK && !(s = pm_section_add(r, "top", N_("Top debtors"), COLS(top_cols))))
		rc = pm_report_oom(e);
	if (rc == PM_OK)
		rc = top_rows(a, &r->sec[0], s, a->q.top > 0 ? a->q.top : top_debtors(a->db, e), e);
	if (rc) {
		pm_report_free(r);
		return rc;
	}
	*out = r;
	return PM_OK;
}

static int make_arrears(struct pm_db *db, const struct pm_report_query *q, struct pm_report **out,
		struct pm_err *e)
{
	struct pm_arrears *a;
	long read, skipped;
	int rc;

	if (pm_arrears_open(db, q, &a, e))
		return e->code;
	rc = pm_arrears_bills(db, q, store_item, a, e);
	if (rc == PM_OK)
		rc = pm_arrears_finish(a, out, &read, &skipped, e);
	pm_arrears_close(a);
	return rc;
}

int pm_report_collection(struct pm_db *db, const struct pm_report_query *q, struct pm_report **out,
		struct pm_err *e)
{
	return pm_report_snapshot(db, make_collection, q, out, e);
}

int pm_report_arrears(struct pm_db *db, const struct pm_report_query *q, struct pm_report **out,
		struct pm_err *e)
{
	return pm_report_snapshot(db, make_arrears, q, out, e);
}
