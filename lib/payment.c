/* payment: the ledger side of bills: issue, payments and their
 * allocation, prepaid balances, notes, voids, refunds and late fees
 * (statements are read in lib/billquery.c). Every change posts a
 * journal entry that balances. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "pm/audit.h"
#include "pm/bill.h"
#include "pm/community.h"
#include "pm/config.h"
#include "pm/i18n.h"
#include "pm/jsonl.h"
#include "pm/ledger.h"
#include "pm/money.h"
#include "pm/parking.h"
#include "pm/receipt.h"
#include "bill-internal.h"

const char *const pm_pay_names[] = {"recorded", "duplicate", NULL};

/* ---- allocation: a plan first, then the journal, then the rows ---- */

struct alloc {
	int64_t bill_id;
	int seq; /* 0: the bill's late fees and notes */
	int64_t amount;
};

struct plan {
	struct alloc *a;
	size_t n, cap;
	int64_t total;
};

static int plan_add(struct plan *p, int64_t bill, int seq, int64_t amount, struct pm_err *e)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct alloc *a = realloc(p->a, cap * sizeof *a);
		if (!a)
			return pm_err_set(e, PM_EFAIL, _("out of memory"));
		p->a = a;
		p->cap = cap;
	}
	if (pm_money_add(&p->total, amount, e))
		return e->code;
	p->a[p->n++] = (struct alloc){bill, seq, amount};
	return PM_OK;
}

struct open_line {
	int seq, rank;
	int64_t open;
};

static int by_rank(const void *a, const void *b)
{
	const struct open_line *x = a, *y = b;

	return x->rank != y->rank ? (x->rank > y->rank) - (x->rank < y->rank) : x->seq - y->seq;
}

static int rank_of(json_t *order, const char *fee)
{
	size_t i;
	json_t *v;

	json_array_foreach(order, i, v)
		if (strcmp(json_string_value(v), fee) == 0)
			return (int)i;
	return (int)json_array_size(order);
}

/* Up to *avail of what bill b owes, its lines in the allocation order,
 * then its late fees and notes. */
static int plan_bill(struct pm_db *db, const struct pm_bill_row *b, json_t *order, int64_t *avail,
		     struct plan *p, struct pm_err *e)
{
	static const char sql[] =
		"SELECT seq, fee, amount_fen - paid_fen FROM bill_line WHERE bill_id = ? AND amount_fen > paid_fen";
	int64_t cap = b->total + b->late + b->adjust - b->paid, x;
	struct open_line lines[64];
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int n = 0, rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, b->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < 64) {
		lines[n].seq = sqlite3_column_int(st, 0);
		lines[n].rank = rank_of(order, TEXT(st, 1));
		lines[n++].open = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return pm_db_fail(db, e, _("cannot read bill lines"));
	qsort(lines, (size_t)n, sizeof *lines, by_rank);
	for (int i = 0; i < n && *avail > 0 && cap > 0; i++) {
		x = lines[i].open < *avail ? lines[i].open : *avail;
		x = x < cap ? x : cap;
		if (plan_add(p, b->id, lines[i].seq, x, e))
			return e->code;
		*avail -= x;
		cap -= x;
	}
	x = cap < *avail ? cap : *avail;
	if (x > 0) {
		if (plan_add(p, b->id, 0, x, e))
			return e->code;
		*avail -= x;
	}
	return PM_OK;
}

/* A bill's status follows what it owes: this, as SQL over its row. */
#define STATUS_OWED "CASE WHEN paid_fen >= total_fen + late_fen + adjust_fen THEN 'paid'" \
	" WHEN paid_fen > 0 THEN 'partial' ELSE 'issued' END"

static int settle(struct pm_db *db, int64_t bill, struct pm_err *e)
{
	static const char sql[] =
		"UPDATE bill SET status = " STATUS_OWED ", updated_at = ?2"
		" WHERE id = ?1 AND status IN ('issued','partial','paid')";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, bill);
	sqlite3_bind_int64(st, 2, pm_now());
	return pm_bill_step_done(db, st, _("cannot update bills"), e);
}

static int plan_apply(struct pm_db *db, const struct plan *p, int64_t payment, int64_t journal,
		      struct pm_err *e)
{
	static const char line[] = "UPDATE bill_line SET paid_fen = paid_fen + ? WHERE bill_id = ? AND seq = ?";
	static const char bill[] = "UPDATE bill SET paid_fen = paid_fen + ? WHERE id = ?";
	static const char row[] =
		"INSERT INTO allocation (payment_id, bill_id, seq, amount_fen, journal_id) VALUES (?, ?, ?, ?, ?)";
	sqlite3_stmt *st;

	for (size_t i = 0; i < p->n; i++) {
		const struct alloc *a = &p->a[i];
		if (a->seq) {
			if (!(st = pm_db_stmt(db, line, e)))
				return e->code;
			sqlite3_bind_int64(st, 1, a->amount);
			sqlite3_bind_int64(st, 2, a->bill_id);
			sqlite3_bind_int(st, 3, a->seq);
			if (pm_bill_step_done(db, st, _("cannot update bill lines"), e))
				return e->code;
		}
		if (!(st = pm_db_stmt(db, bill, e)))
			return e->code;
		sqlite3_bind_int64(st, 1, a->amount);
		sqlite3_bind_int64(st, 2, a->bill_id);
		if (pm_bill_step_done(db, st, _("cannot update bills"), e))
			return e->code;
		if (!(st = pm_db_stmt(db, row, e)))
			return e->code;
		if (payment)
			sqlite3_bind_int64(st, 1, payment);
		sqlite3_bind_int64(st, 2, a->bill_id);
		if (a->seq)
			sqlite3_bind_int(st, 3, a->seq);
		sqlite3_bind_int64(st, 4, a->amount);
		sqlite3_bind_int64(st, 5, journal);
		if (pm_bill_step_done(db, st, _("cannot write allocations"), e) || settle(db, a->bill_id, e))
			return e->code;
	}
	return PM_OK;
}

/* The billing section in force today, for its allocation order. */
static json_t *billing_today(struct pm_db *db, struct pm_config **cfg, struct pm_err *e)
{
	json_t *billing;

	if (pm_billing_config(db, pm_db_today(db), cfg, &billing, e))
		return NULL;
	return billing;
}

/* ---- issue ---- */

/* The unit's open bills, oldest due first. */
static int plan_open(struct pm_db *db, const char *unit, json_t *order, int64_t *avail, struct plan *plan,
		     struct pm_err *e)
{
	static const char sql[] =
		"SELECT b.code FROM bill b JOIN unit u ON u.id = b.unit_id"
		" WHERE u.code = ? AND b.status IN ('issued','partial') ORDER BY b.due, b.period, b.id";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	struct pm_bill_row b;
	json_t *codes = json_array(), *c;
	size_t i;
	int rc;

	if (!st) {
		json_decref(codes);
		return e->code;
	}
	sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(codes, json_string(TEXT(st, 0)));
	sqlite3_reset(st);
	rc = rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read bills"));
	json_array_foreach(codes, i, c) {
		if (rc || *avail <= 0)
			break;
		rc = pm_bill_row(db, json_string_value(c), &b, e) || plan_bill(db, &b, order, avail, plan, e);
		rc = rc ? e->code : PM_OK;
	}
	json_decref(codes);
	return rc;
}

static int issue_postings(struct pm_db *db, const struct pm_bill_row *b, int64_t *journal,
			  struct pm_err *e)
{
	/* A line each, in seq order: pm_ledger_post merges a fee's lines
	 * into one posting in first-seen order, as a GROUP BY fee ORDER BY
	 * min(seq) did with a temporary b-tree per bill. */
	static const char sql[] = "SELECT fee, amount_fen FROM bill_line WHERE bill_id = ? ORDER BY seq";
	struct pm_posting p[65];
	char ref[128];
	size_t n = 1;
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	pm_posting_set(&p[0], "receivable", b->unit, b->total);
	sqlite3_bind_int64(st, 1, b->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < 65)
		pm_posting_set(&p[n++], "revenue", TEXT(st, 0), -sqlite3_column_int64(st, 1));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return pm_db_fail(db, e, _("cannot read bill lines"));
	snprintf(ref, sizeof ref, "bill:%s", b->code);
	return pm_ledger_post(db, "issue", ref, NULL, p, n, journal, e);
}

/* The unit's prepaid balance pays what it can of what the unit owes, as a
 * payment would: its open bills oldest due first, b among them. Money
 * held while an older bill is open (a payment naming a newer bill, a
 * debit note on a paid one) pays that bill, which would otherwise stay
 * overdue and be charged late fees. */
static int apply_prepaid(struct pm_db *db, const struct pm_bill_row *b, json_t *order, int64_t *used,
			 struct pm_err *e)
{
	struct pm_posting p[2];
	struct plan plan = {0};
	char account[PM_ACCOUNT_MAX], ref[128];
	int64_t balance, avail, journal;
	int rc;

	*used = 0;
	pm_ledger_account(account, "prepaid", b->unit);
	if (pm_ledger_balance(db, account, &balance, e))
		return e->code;
	if ((avail = -balance) <= 0)
		return PM_OK;
	if ((rc = plan_open(db, b->unit, order, &avail, &plan, e)) == PM_OK && plan.total > 0) {
		pm_posting_set(&p[0], "prepaid", b->unit, plan.total);
		pm_posting_set(&p[1], "receivable", b->unit, -plan.total);
		snprintf(ref, sizeof ref, "bill:%s", b->code);
		rc = pm_ledger_post(db, "prepaid", ref, NULL, p, 2, &journal, e);
		if (rc == PM_OK)
			rc = plan_apply(db, &plan, 0, journal, e);
		*used = plan.total;
	}
	free(plan.a);
	return rc;
}

static int issue_one(struct pm_db *db, const struct pm_bill_row *b, json_t *order, struct pm_bill_issue *is,
		     struct pm_err *e)
{
	int64_t journal, used;

	if (issue_postings(db, b, &journal, e) || apply_prepaid(db, b, order, &used, e))
		return e->code;
	if (pm_money_add(&is->total, b->total, e) || pm_money_add(&is->prepaid, used, e))
		return e->code;
	is->issued++;
	return PM_OK;
}

/* Bills issued per transaction, as pm-bill run's batch: a commit (an
 * fsync) each, and what a killed issue loses at most. */
#define ISSUE_BATCH 5000

/* The batch's bills issued and settled (a bill of nothing is paid) in one
 * UPDATE, then each posted in id order. An UPDATE of a bill runs its
 * bill_sum triggers under a statement journal: one statement a bill
 * allocated their frames and copied the pages it changed each time, one a
 * batch does it once. The batch's drafts are the period's first by id,
 * so "id up to the last" names them. */
static int issue_batch(struct pm_db *db, const char *period, const char *due, json_t *order,
		       struct pm_bill_issue *is, long *rows, struct pm_err *e)
{
	static const char sql[] = PM_BILL_COLS " WHERE b.period = ?1 AND b.status = 'draft' ORDER BY b.id LIMIT ?2";
	static const char upd[] =
		"UPDATE bill SET status = " STATUS_OWED ", due = ?2, issued_at = ?3, updated_at = ?3"
		" WHERE period = ?1 AND status = 'draft' AND id <= ?4";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	struct pm_bill_row *b;
	long n = 0;
	int rc;

	*rows = 0;
	if (!st)
		return e->code;
	if (!(b = malloc(ISSUE_BATCH * sizeof *b)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, ISSUE_BATCH);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		pm_bill_row_read(st, &b[n++]);
	sqlite3_reset(st);
	rc = rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read bills"));
	if (rc == PM_OK && n > 0) {
		if (!(st = pm_db_stmt(db, upd, e))) {
			rc = e->code;
		} else {
			sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, due, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 3, pm_now());
			sqlite3_bind_int64(st, 4, b[n - 1].id);
			rc = pm_bill_step_done(db, st, _("cannot issue bills"), e);
		}
	}
	for (long i = 0; i < n && rc == PM_OK; i++)
		rc = issue_one(db, &b[i], order, is, e);
	free(b);
	*rows = n;
	return rc;
}

/* The issue's audit record (pm_audit_run), inside a batch's transaction. */
static int issue_audit(struct pm_db *db, const char *period, const struct pm_bill_issue *is,
		       const char *status, int64_t started, struct pm_err *e)
{
	char object[64];
	json_t *after = json_pack("{s:I, s:I, s:I}", "issued", (json_int_t)is->issued,
				  "total_fen", (json_int_t)is->total, "prepaid_fen", (json_int_t)is->prepaid);
	int rc;

	snprintf(object, sizeof object, "bill-run:%s", period);
	rc = pm_audit_run(db, "bill.issue", object, status, started, after, e);
	json_decref(after);
	return rc;
}

int pm_bill_issue(struct pm_db *db, struct pm_bill_issue *is, struct pm_err *e)
{
	char period[PM_TIME_BUF], due[PM_TIME_BUF];
	const char *tz = pm_db_tz(db);
	struct pm_config *cfg;
	json_t *billing, *order;
	int64_t start, end, started = pm_now();
	long rows;
	int rc, running = 0;

	is->issued = 0;
	is->total = is->prepaid = 0;
	pm_period_fmt(is->period, period);
	pm_period_bounds(is->period, tz, &start, &end);
	/* The statement journal of a batch's UPDATE (bill_sum's triggers make
	 * SQLite keep one, to undo the statement alone) held in memory: past
	 * 64 KiB SQLite spills it to a temporary file and keeps writing every
	 * later such statement's pages there until the commit, 29,000 writes
	 * more at 100,000 units. It is never synced nor read but to undo a
	 * failed statement; the transaction's own durability is the WAL's. */
	if (pm_db_bulk(db, e) || pm_db_exec(db, "PRAGMA temp_store = MEMORY", e) ||
	    pm_billing_config(db, pm_date_of(start, tz), &cfg, &billing, e))
		return e->code;
	order = json_object_get(billing, "allocation_order");
	if (is->due < 0) {
		struct pm_period next = pm_period_add(is->period, 1);
		snprintf(due, sizeof due, "%04d-%02d-%02d", next.year, next.month,
			 (int)json_integer_value(json_object_get(billing, "due_day")));
	} else {
		pm_date_fmt(is->due, due);
	}
	do {
		if ((rc = pm_db_begin(db, e)))
			break;
		rc = issue_batch(db, period, due, order, is, &rows, e);
		if (rc == PM_OK && is->issued && (rows < ISSUE_BATCH || !running)) {
			rc = issue_audit(db, period, is, rows < ISSUE_BATCH ? "done" : "running", started, e);
			running = 1;
		}
		rc = pm_db_end(db, rc, e);
	} while (rc == PM_OK && rows == ISSUE_BATCH);
	json_decref(billing);
	pm_config_free(cfg);
	return rc;
}

/* ---- payments ---- */

int pm_pay_ref_valid(const char *what, const char *ref, struct pm_err *e)
{
	size_t len = strlen(ref), at;
	unsigned cp;

	if (len == 0 || len > PM_PAY_REF_MAX)
		return pm_err_set(e, PM_EDATA, _("%s: %zu bytes: a reference is 1 to %d bytes of printable UTF-8"), what,
				  len, PM_PAY_REF_MAX);
	/* pm_pay_ref trims what pm-bill pay, reconcile and the callbacks
	 * read; the other paths take a ref as given, where " D1" beside
	 * "D1" would be a second payment, deposit or order. */
	if (ref[0] == ' ' || ref[len - 1] == ' ')
		return pm_err_set(e, PM_EDATA, _("%s: a space at its start or end: a reference has none around it"),
				  what);
	switch (pm_utf8_shown(ref, len, &at, &cp)) {
	case 0:
		return PM_OK;
	case 1:
		return pm_err_set(e, PM_EDATA, _("%s: byte %zu is no UTF-8: a reference is printable UTF-8"), what,
				  at + 1);
	case 2:
		return pm_err_set(e, PM_EDATA,
				  _("%s: byte %zu is U+%04X, a control character: a reference is printable"
				    " UTF-8"), what, at + 1, cp);
	default:
		return pm_err_set(e, PM_EDATA,
				  _("%s: byte %zu is U+%04X, a blank, invisible or combining character: a"
				    " reference is printable UTF-8"), what, at + 1, cp);
	}
}

int pm_pay_ref(json_t *rec, const char **ref, struct pm_err *e)
{
	const char *s, *end;

	if (pm_json_str(rec, "ref", PM_REQUIRED, &s, e))
		return e->code;
	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	if (json_object_set_new(rec, "ref", json_stringn(s, (size_t)(end - s))))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	*ref = json_string_value(json_object_get(rec, "ref"));
	return PM_OK;
}

const char *const pm_pay_fields[] = {"unit", "amount", "channel", "ref", "bill", "at", NULL};

/* Cash at the desk needs no ref: the receipt number becomes one. */
static int pay_ref(json_t *rec, const char *channel, const char **ref, struct pm_err *e)
{
	if (strcmp(channel, "cash") == 0 && !json_object_get(rec, "ref"))
		return PM_OK;
	return pm_pay_ref(rec, ref, e);
}

int pm_pay_parse(json_t *rec, struct pm_pay *p, struct pm_err *e)
{
	memset(p, 0, sizeof *p);
	p->at = pm_now();
	if (pm_json_str(rec, "unit", PM_REQUIRED, &p->unit, e) ||
	    pm_json_money(rec, "amount", PM_REQUIRED, &p->amount, e) ||
	    pm_json_str(rec, "channel", PM_REQUIRED, &p->channel, e) ||
	    pay_ref(rec, p->channel, &p->ref, e) ||
	    pm_json_str(rec, "bill", PM_OPTIONAL, &p->bill, e) ||
	    pm_json_time(rec, "at", PM_OPTIONAL, &p->at, e))
		return e->code;
	if (p->amount <= 0)
		return pm_err_set(e, PM_EDATA, _("field \"amount\": must be more than 0"));
	if (!*p->channel || strchr(p->channel, ':') || (p->ref && !*p->ref))
		return pm_err_set(e, PM_EDATA, _("field \"channel\" or \"ref\": empty, or a channel with ':'"));
	return p->ref ? pm_pay_ref_valid("field \"ref\"", p->ref, e) : PM_OK;
}

static int channel_known(struct pm_config *cfg, const char *channel, struct pm_err *e)
{
	json_t *list = json_object_get(pm_config_section(cfg, "payments"), "channels"), *c;
	char hint[96], names[512] = "";
	size_t i, n = 0;

	json_array_foreach(list, i, c) {
		if (strcmp(json_string_value(c), channel) == 0)
			return PM_OK;
		if (n < sizeof names)
			n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", i ? ", " : "", json_string_value(c));
	}
	return pm_err_set(e, PM_EDATA, _("unknown channel \"%s\"%s: payments.channels has %s"), channel,
			  pm_config_suggest(channel, list, hint, sizeof hint), names);
}

/* Points are no money, whatever payments.channels lists: a booking, a
 * deposit, a contract's payment or a settlement through "points" would
 * post money to cash:points that no one paid. */
static int no_points(const char *channel, struct pm_err *e)
{
	if (strcmp(channel, PM_BILL_POINTS))
		return PM_OK;
	return pm_err_set(e, PM_EDATA, _("channel \"%s\" is reward points, no money: pm-bill pay-points pays"
					 " parking lines with them"), PM_BILL_POINTS);
}

int pm_pay_channel_listed(struct pm_db *db, const char *channel, struct pm_err *e)
{
	struct pm_config *cfg;
	int rc;

	if (pm_config_current(db, pm_db_today(db), &cfg, e))
		return e->code;
	rc = channel_known(cfg, channel, e);
	pm_config_free(cfg);
	return rc;
}

int pm_pay_channel(struct pm_db *db, const char *channel, struct pm_err *e)
{
	return no_points(channel, e) || pm_pay_channel_listed(db, channel, e) ? e->code : PM_OK;
}

/* A web cart's payment that made no order (claimed, or refused and held
 * for its refund) has its ref too: taken again, one payment would be
 * money twice, and the refund would give back what the other kept. The
 * shop's own orders pass carts 0 and ask of carts themselves: a cart
 * still waiting for its order is that order's payment. */
int pay_ref_used(struct pm_db *db, const char *channel, const char *ref, int carts, struct pm_err *e)
{
	static const char sql[] =
		"SELECT 1 FROM payment WHERE channel = ?1 AND ref = ?2"
		" UNION ALL SELECT 2 FROM shop_order WHERE channel = ?1 AND ref = ?2"
		" UNION ALL SELECT 3 FROM shop_booking WHERE channel = ?1 AND ref = ?2"
		" UNION ALL SELECT 4 FROM deposit WHERE channel = ?1 AND ref = ?2 AND action = 'take'"
		" UNION ALL SELECT 5 FROM contract_charge WHERE channel = ?1 AND ref = ?2 AND kind = 'payment'"
		" UNION ALL SELECT 6 FROM shop_cart WHERE ?3 AND channel = ?1 AND ref = ?2 AND order_id IS NULL";
	sqlite3_stmt *st;
	int rc, kind = 0;

	/* The desk's next payment recorded without a ref takes the next
	 * receipt number as its ref: given here first, that number would
	 * refuse every such payment until a receipt used it up. */
	if (pm_receipt_shaped(ref))
		return -pm_err_set(e, PM_EDATA, _("reference '%s' has the form of a receipt number, which pm gives a"
						  " payment recorded without a reference: give the channel's own"
						  " reference, or none"), ref);
	if (!(st = pm_db_stmt(db, sql, e)))
		return -e->code;
	sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ref, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, carts);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		kind = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -pm_db_fail(db, e, _("cannot read payments"));
	if (kind == 1)
		return -pm_err_set(e, PM_EDATA, _("payment '%s:%s' is already a bill payment"), channel, ref);
	if (kind == 2)
		return -pm_err_set(e, PM_EDATA, _("payment '%s:%s' is already a group-buying order"), channel, ref);
	if (kind == 3)
		return -pm_err_set(e, PM_EDATA, _("payment '%s:%s' is already a service booking"), channel, ref);
	if (kind == 4)
		return -pm_err_set(e, PM_EDATA, _("payment '%s:%s' is already a deposit"), channel, ref);
	if (kind == 5)
		return -pm_err_set(e, PM_EDATA, _("payment '%s:%s' is already a contract's payment"), channel, ref);
	if (kind == 6)
		return -pm_err_set(e, PM_EDATA, _("payment '%s:%s' is already a web order's payment"), channel, ref);
	return 0;
}

int pm_pay_ref_used(struct pm_db *db, const char *channel, const char *ref, struct pm_err *e)
{
	return pay_ref_used(db, channel, ref, 1, e);
}

/* 1 with *id when (channel, ref) is recorded: the same payment again, or
 * PM_EDATA for a different one. */
static int known(struct pm_db *db, const struct pm_pay *p, int64_t *id, struct pm_err *e)
{
	static const char sql[] =
		"SELECT p.id, u.code, p.amount_fen FROM payment p JOIN unit u ON u.id = p.unit_id"
		" WHERE p.channel = ? AND p.ref = ?";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char buf[PM_MONEY_BUF], amount[PM_MONEY_BUF];
	int rc, same = 0;

	if (!st)
		return -e->code;
	sqlite3_bind_text(st, 1, p->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p->ref, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		same = strcmp(TEXT(st, 1), p->unit) == 0 && sqlite3_column_int64(st, 2) == p->amount;
		pm_money_fmt(sqlite3_column_int64(st, 2), buf);
		pm_money_fmt(p->amount, amount);
		if (!same)
			pm_err_set(e, PM_EDATA,
				   _("payment '%s:%s' is already recorded for unit '%s' with amount %s:"
				     " this one is for unit '%s' with amount %s"),
				   p->channel, p->ref, TEXT(st, 1), buf, p->unit, amount);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return pm_pay_ref_used(db, p->channel, p->ref, e);
	if (rc != SQLITE_ROW)
		return -pm_db_fail(db, e, _("cannot read payments"));
	return same ? 1 : -PM_EDATA;
}

int pm_unit_id(struct pm_db *db, const char *code, int64_t *id, struct pm_err *e)
{
	static const char sql[] = "SELECT id FROM unit WHERE code = ?";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return pm_err_set(e, PM_EDATA, _("unknown unit '%s'"), code);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot read units"));
}

static int insert_payment(struct pm_db *db, const struct pm_pay *p, int64_t unit, int64_t bill,
			  int64_t *id, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO payment (channel, ref, unit_id, amount_fen, at, bill_id, created_at)"
		" VALUES (?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, p->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p->ref, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, unit);
	sqlite3_bind_int64(st, 4, p->amount);
	sqlite3_bind_int64(st, 5, p->at);
	if (bill)
		sqlite3_bind_int64(st, 6, bill);
	sqlite3_bind_int64(st, 7, pm_now());
	if (pm_bill_step_done(db, st, _("cannot record the payment"), e))
		return e->code;
	*id = sqlite3_last_insert_rowid(pm_db_sqlite(db));
	return PM_OK;
}

static int plan_named(struct pm_db *db, const struct pm_pay *p, const char *code, json_t *order,
		      int64_t *avail, struct plan *plan, int64_t *bill, struct pm_err *e)
{
	struct pm_bill_row b;

	if (pm_bill_row(db, code, &b, e))
		return e->code;
	if (strcmp(b.unit, p->unit) != 0)
		return pm_err_set(e, PM_EDATA, _("bill '%s' is for unit '%s', not '%s'"), code, b.unit, p->unit);
	*bill = b.id;
	if (strcmp(b.status, "issued") && strcmp(b.status, "partial"))
		return PM_OK;
	return plan_bill(db, &b, order, avail, plan, e);
}

/* The named bill, or bills in their order; *bill is the payment's
 * bill_id, kept for a payment of one bill. */
static int plan_bills(struct pm_db *db, const struct pm_pay *p, json_t *order, int64_t *avail,
		      struct plan *plan, int64_t *bill, struct pm_err *e)
{
	int64_t id = 0;

	if (p->bill)
		return plan_named(db, p, p->bill, order, avail, plan, bill, e);
	for (size_t i = 0; i < p->nbills; i++)
		if (plan_named(db, p, p->bills[i], order, avail, plan, &id, e))
			return e->code;
	*bill = p->nbills == 1 ? id : 0;
	return PM_OK;
}

static int pay_post(struct pm_db *db, const struct pm_pay *p, int64_t id, const struct plan *plan,
		    struct pm_err *e)
{
	struct pm_posting post[3];
	char ref[64];
	int64_t journal;

	pm_posting_set(&post[0], "cash", p->channel, p->amount);
	pm_posting_set(&post[1], "receivable", p->unit, -plan->total);
	pm_posting_set(&post[2], "prepaid", p->unit, -(p->amount - plan->total));
	snprintf(ref, sizeof ref, "payment:%lld", (long long)id);
	if (pm_ledger_post(db, "payment", ref, p->ref, post, 3, &journal, e))
		return e->code;
	if (p->amount > plan->total) {
		char account[128];

		pm_ledger_account(account, "prepaid", p->unit);
		if (pm_ledger_within(db, account, e))
			return e->code;
	}
	return plan_apply(db, plan, id, journal, e);
}

static json_t *pay_json(const struct pm_pay *p, int64_t id, int64_t allocated, const char *outcome)
{
	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:s}", "type", "payment",
			 "payment", (json_int_t)id, "channel", p->channel, "ref", p->ref, "unit", p->unit,
			 "amount_fen", (json_int_t)p->amount, "allocated_fen", (json_int_t)allocated,
			 "prepaid_fen", (json_int_t)(p->amount - allocated), "outcome", outcome);
}

int pm_bill_pay_one(struct pm_db *db, const struct pm_pay *p, enum pm_pay_did *did, json_t **out,
		    struct pm_err *e)
{
	int rc;

	*out = NULL;
	if ((rc = pm_db_begin(db, e)))
		return rc;
	if ((rc = pm_db_end(db, pm_bill_pay(db, p, did, out, e), e))) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

static int duplicate(const struct pm_pay *p, int64_t id, enum pm_pay_did *did, json_t **out, struct pm_err *e)
{
	*did = PM_PAY_DUPLICATE;
	if (!(*out = pay_json(p, id, 0, pm_pay_names[*did])))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	json_object_del(*out, "allocated_fen");
	json_object_del(*out, "prepaid_fen");
	return PM_OK;
}

static int64_t repeat_since(struct pm_config *cfg)
{
	return pm_now() - json_integer_value(json_object_get(pm_config_section(cfg, "payments"), "cash_repeat"));
}

int pm_pay_repeat_since(struct pm_db *db, int64_t *since, struct pm_err *e)
{
	struct pm_config *cfg;
	json_t *billing;

	if (!(billing = billing_today(db, &cfg, e)))
		return e->code;
	*since = repeat_since(cfg);
	json_decref(billing);
	pm_config_free(cfg);
	return PM_OK;
}

/* A cash payment at the desk with no ref: nothing tells a command run
 * twice (a retry, a double click) from a second payment, so the same
 * amount for the same unit recorded by the same cashier within
 * payments.cash_repeat is taken as the first again, unless again. 1
 * with *id and its ref (its receipt number) when it is, 0 when not, or
 * -code. */
static int cash_repeat(struct pm_db *db, const struct pm_pay *p, int64_t unit, struct pm_config *cfg, int64_t *id,
		       char ref[PM_RECEIPT_BUF], struct pm_err *e)
{
	static const char sql[] =
		"SELECT p.id, p.ref FROM payment p JOIN receipt r ON r.payment_id = p.id"
		" WHERE p.channel = 'cash' AND p.unit_id = ?1 AND p.amount_fen = ?2 AND p.created_at >= ?3"
		" AND r.cashier = ?4 AND p.ref = printf('%d-%06d', r.year, r.seq)"
		" AND CASE WHEN ?5 IS NULL THEN p.bill_id IS NULL"
		" ELSE p.bill_id = (SELECT id FROM bill WHERE code = ?5 AND unit_id = ?1) END"
		" ORDER BY p.id DESC LIMIT 1";
	/* The bill it names, as insert_payment keeps it: a repeat names the
	 * same (a bill of another unit matched none and is refused after). */
	const char *bill = p->bill ? p->bill : p->nbills == 1 ? p->bills[0] : NULL;
	sqlite3_stmt *st;
	int rc;

	if (p->again)
		return 0;
	if (!(st = pm_db_stmt(db, sql, e)))
		return -e->code;
	sqlite3_bind_int64(st, 1, unit);
	sqlite3_bind_int64(st, 2, p->amount);
	sqlite3_bind_int64(st, 3, repeat_since(cfg));
	sqlite3_bind_text(st, 4, pm_db_actor(db), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, bill, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		snprintf(ref, PM_RECEIPT_BUF, "%s", TEXT(st, 1));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -pm_db_fail(db, e, _("cannot read payments"));
	return rc == SQLITE_ROW;
}

static int pay_write(struct pm_db *db, const struct pm_pay *p, int64_t unit, json_t *billing, int desk,
		     enum pm_pay_did *did, json_t **out, struct pm_err *e)
{
	struct plan plan = {0};
	int64_t id = 0, bill = 0, avail = p->amount;
	json_t *order = json_object_get(billing, "allocation_order");
	char object[160];
	int rc;

	rc = p->bill || p->nbills ? plan_bills(db, p, order, &avail, &plan, &bill, e)
				  : plan_open(db, p->unit, order, &avail, &plan, e);
	if (rc == PM_OK && (rc = insert_payment(db, p, unit, bill, &id, e)) == PM_OK)
		rc = pay_post(db, p, id, &plan, e);
	if (rc == PM_OK && desk)
		rc = pm_receipt_number(db, id, pm_db_actor(db), e);
	if (rc == PM_OK) {
		*did = PM_PAY_RECORDED;
		*out = pay_json(p, id, plan.total, pm_pay_names[*did]);
		if (desk)
			json_object_set_new(*out, "receipt", json_string(p->ref));
		snprintf(object, sizeof object, "payment:%s:%s", p->channel, p->ref);
		rc = pm_audit_log(db, "bill.pay", object, NULL, *out, e);
	}
	free(plan.a);
	return rc;
}

int pm_bill_pay_time(struct pm_db *db, int64_t at, const char *what, struct pm_err *e)
{
	int64_t latest;

	if (pm_config_latest(db, &latest, e))
		return e->code;
	return pm_time_plausible(at, latest, what, pm_db_tz(db), e);
}

int pm_bill_pay(struct pm_db *db, const struct pm_pay *p, enum pm_pay_did *did, json_t **out,
		struct pm_err *e)
{
	struct pm_config *cfg = NULL;
	struct pm_pay desk = *p;
	char number[PM_RECEIPT_BUF];
	int64_t id = 0, unit;
	json_t *billing;
	int rc, repeat = 0;

	*out = NULL;
	if (no_points(p->channel, e) || pm_bill_pay_time(db, p->at, _("field \"at\""), e))
		return e->code;
	if ((rc = p->ref ? known(db, p, &id, e) : 0) < 0)
		return -rc;
	if (rc > 0)
		return duplicate(p, id, did, out, e);
	if (!(billing = billing_today(db, &cfg, e)))
		return e->code;
	desk.ref = number;
	if (channel_known(cfg, p->channel, e) || pm_bill_bound(billing, p->amount, _("field \"amount\":"), e) ||
	    pm_unit_id(db, p->unit, &unit, e) ||
	    (!p->ref && ((repeat = cash_repeat(db, p, unit, cfg, &id, number, e)) < 0 ||
			 (!repeat && pm_receipt_next(db, number, e)))))
		rc = e->code;
	else if (repeat)
		rc = duplicate(&desk, id, did, out, e);
	else
		rc = pay_write(db, p->ref ? p : &desk, unit, billing, !p->ref, did, out, e);
	json_decref(billing);
	pm_config_free(cfg);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- points on a bill's parking lines (停车优惠) ---- */

/* The payment of channel points with ref: 1 with its *id and *fen when
 * it paid the bill with so many points of unit (the same again), 0 when
 * nothing of channel points has that ref, else -PM_EDATA naming what it
 * was (or -code). */
static int points_known(struct pm_db *db, const struct pm_bill_points *p, const char *unit, int64_t *id,
			int64_t *fen, struct pm_err *e)
{
	static const char sql[] =
		"SELECT p.id, b.code, u.code, x.points, p.amount_fen FROM payment p JOIN bill_points x ON x.payment_id = p.id"
		" JOIN bill b ON b.id = p.bill_id JOIN unit u ON u.id = x.unit_id WHERE p.channel = '" PM_BILL_POINTS "' AND p.ref = ?1";
	sqlite3_stmt *st;
	int rc = pm_db_row(db, sql, p->ref, &st, N_("cannot read payments"), e), same;

	if (rc < 0)
		return rc;
	if (rc == 0)
		return pm_pay_ref_used(db, PM_BILL_POINTS, p->ref, e);
	*id = sqlite3_column_int64(st, 0);
	*fen = sqlite3_column_int64(st, 4);
	same = !strcmp(TEXT(st, 1), p->bill) && !strcmp(TEXT(st, 2), unit) && sqlite3_column_int64(st, 3) == p->points;
	if (!same)
		pm_err_set(e, PM_EDATA, _("payment 'points:%s' was %lld points of unit '%s' on bill '%s':"
					  " not %lld points of '%s' on '%s'"),
			   p->ref, (long long)sqlite3_column_int64(st, 3), TEXT(st, 2), TEXT(st, 1), (long long)p->points,
			   unit, p->bill);
	sqlite3_reset(st);
	return same ? 1 : -PM_EDATA;
}

/* Points of unit pay for a space of unit b only when one person owns
 * both today: an owner's points are earned on their home, and their
 * space is theirs too; anyone else's are refused, naming the owners. */
static int points_owner(struct pm_db *db, const struct pm_bill_row *b, const char *unit, struct pm_err *e)
{
#define OWNERS(u) "(SELECT group_concat(p.name, '、') FROM occupancy o JOIN person p ON p.id = o.person_id" \
	" WHERE o.unit_id = " u " AND o.role = 'owner' AND " PM_OCCUPANCY_ON("o", "?3") ")"
	static const char sql[] =
		"SELECT EXISTS (SELECT 1 FROM occupancy a JOIN occupancy o ON o.person_id = a.person_id"
		"  WHERE a.unit_id = ?1 AND o.unit_id = x.id AND a.role = 'owner' AND o.role = 'owner'"
		"  AND " PM_OCCUPANCY_ON("a", "?3") " AND " PM_OCCUPANCY_ON("o", "?3") "), " OWNERS("?1") ", " OWNERS("x.id")
		" FROM unit x WHERE x.code = ?2";
#undef OWNERS
	char day[PM_TIME_BUF], mine[256] = "", theirs[256] = "";
	sqlite3_stmt *st;
	int rc, same = 0;

	if (!strcmp(b->unit, unit))
		return PM_OK;
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, b->unit_id);
	sqlite3_bind_text(st, 2, unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, pm_community_today(db, day), -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		same = sqlite3_column_int(st, 0);
		snprintf(mine, sizeof mine, "%s", TEXT(st, 1) ? TEXT(st, 1) : _("nobody"));
		snprintf(theirs, sizeof theirs, "%s", TEXT(st, 2) ? TEXT(st, 2) : _("nobody"));
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return pm_err_set(e, PM_EDATA, _("unknown unit '%s'"), unit);
	if (rc != SQLITE_ROW)
		return pm_db_fail(db, e, _("cannot read occupants"));
	if (!same)
		return pm_err_set(e, PM_EDATA, _("unit '%s' is owned by %s and unit '%s' by %s: points pay only for"
						 " their owner's own parking"), unit, theirs, b->unit, mine);
	return PM_OK;
}

/* What the bill's parking lines (fee type parking, by the config version
 * that priced each) still owe, in seq order, up to what the bill owes,
 * planned as fen of it; *lines the bill's parking lines, paid or not. */
static int plan_parking(struct pm_db *db, const struct pm_bill_row *b, int64_t fen, struct plan *plan, int *lines,
			struct pm_err *e)
{
	static const char sql[] =
		"SELECT l.seq, l.amount_fen - l.paid_fen FROM bill_line l JOIN config_version c"
		" ON c.version = l.config_version WHERE l.bill_id = ?1 AND EXISTS (SELECT 1 FROM json_each(c.json, '$.fees') f"
		" WHERE json_extract(f.value, '$.name') = l.fee AND json_extract(f.value, '$.type') = 'parking')"
		" ORDER BY l.seq";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int64_t cap = b->total + b->late + b->adjust - b->paid, x;
	int rc;

	*lines = 0;
	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, b->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		(*lines)++;
		x = sqlite3_column_int64(st, 1);
		x = x < fen ? x : fen;
		x = x < cap ? x : cap;
		if (x > 0 && plan_add(plan, b->id, sqlite3_column_int(st, 0), x, e)) {
			sqlite3_reset(st);
			return e->code;
		}
		fen -= x > 0 ? x : 0;
		cap -= x > 0 ? x : 0;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read bill lines"));
}

/* The points paid: the payment, its allocation to the parking lines, the
 * company's expense for the receivable, the points taken, the row. */
static int points_write(struct pm_db *db, const struct pm_bill_row *b, const struct pm_pay *pay,
			const struct pm_parking_points *d, int64_t *id, struct pm_err *e)
{
	char want[PM_MONEY_BUF], owe[PM_MONEY_BUF], ref[64];
	struct plan plan = {0};
	struct pm_posting post[2];
	int64_t journal;
	int lines, rc;

	if (strcmp(b->status, "issued") && strcmp(b->status, "partial") && strcmp(b->status, "paid"))
		return pm_err_set(e, PM_EDATA, _("bill '%s' is %s: points pay only an issued bill"), b->code, b->status);
	if ((rc = plan_parking(db, b, d->fen, &plan, &lines, e)) == PM_OK && !lines)
		rc = pm_err_set(e, PM_EDATA, _("bill '%s' has no parking line: points pay only parking fees"), b->code);
	else if (rc == PM_OK && plan.total < d->fen)
		rc = pm_err_set(e, PM_EDATA, _("%s is more than the %s the parking lines of bill '%s' owe"),
				pm_money_display(d->fen, want), pm_money_display(plan.total, owe), b->code);
	if (rc == PM_OK)
		rc = insert_payment(db, pay, b->unit_id, b->id, id, e);
	if (rc == PM_OK) {
		pm_posting_set(&post[0], "expense", "points", d->fen);
		pm_posting_set(&post[1], "receivable", b->unit, -d->fen);
		snprintf(ref, sizeof ref, "payment:%lld", (long long)*id);
		rc = pm_ledger_post(db, "bill_points", ref, pay->ref, post, 2, &journal, e);
	}
	if (rc == PM_OK && !(rc = plan_apply(db, &plan, *id, journal, e)) &&
	    !(rc = pm_parking_points_spend(db, d, ref, e)))
		rc = pm_parking_points_record(db, true, *id, d, journal, e);
	free(plan.a);
	return rc;
}

static int points_pay(struct pm_db *db, const struct pm_bill_points *p, struct pm_bill_row *b,
		      struct pm_parking_points *d, enum pm_pay_did *did, json_t **out, struct pm_err *e)
{
	struct pm_pay pay = {.unit = b->unit, .channel = PM_BILL_POINTS, .ref = p->ref, .at = p->at};
	char object[160];
	int64_t id = 0;
	int rc;

	if ((rc = points_known(db, p, d->unit, &id, &pay.amount, e)) < 0)
		return -rc;
	if (rc == 1)
		return duplicate(&pay, id, did, out, e);
	if (pm_parking_points_rule(db, p->at, d, e) || points_owner(db, b, d->unit, e))
		return e->code;
	pay.amount = d->fen;
	if (points_write(db, b, &pay, d, &id, e))
		return e->code;
	*did = PM_PAY_RECORDED;
	if (!(*out = pay_json(&pay, id, d->fen, pm_pay_names[*did])))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	json_object_set_new(*out, "bill", json_string(b->code));
	json_object_set_new(*out, "points_unit", json_string(d->unit));
	json_object_set_new(*out, "points", json_integer(d->points));
	json_object_set_new(*out, "month", json_string(d->month));
	snprintf(object, sizeof object, "payment:%s:%s", PM_BILL_POINTS, p->ref);
	return pm_audit_log(db, "bill.points", object, NULL, *out, e);
}

int pm_bill_pay_points(struct pm_db *db, const struct pm_bill_points *p, enum pm_pay_did *did, json_t **out,
		       struct pm_err *e)
{
	struct pm_parking_points d = {.unit = p->unit, .points = p->points};
	struct pm_bill_row b;
	int rc;

	*out = NULL;
	if (p->points <= 0 || !p->ref || !*p->ref)
		return pm_err_set(e, PM_EUSAGE, _("points to pay with need --points above 0 and a --ref"));
	if (pm_pay_ref_valid("--ref", p->ref, e) || pm_db_begin(db, e))
		return e->code;
	if ((rc = pm_bill_row(db, p->bill, &b, e)) == PM_OK) {
		d.unit = p->unit ? p->unit : b.unit;
		rc = points_pay(db, p, &b, &d, did, out, e);
	}
	if ((rc = pm_db_end(db, rc, e))) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

int pm_bill_points_quote(struct pm_db *db, const char *bill, int64_t at, struct pm_bill_points_quote *q,
			 struct pm_err *e)
{
	struct pm_parking_points d = {0};
	struct pm_bill_row b;
	struct plan plan = {0};
	int64_t fen;
	int lines, rc;

	memset(q, 0, sizeof *q);
	if (pm_bill_row(db, bill, &b, e) || pm_parking_points_rule(db, at, &d, e))
		return e->code;
	q->per_fen = d.per_fen;
	if (!strcmp(b.status, "issued") || !strcmp(b.status, "partial")) {
		rc = plan_parking(db, &b, INT64_MAX, &plan, &lines, e);
		q->owed = plan.total;
		free(plan.a);
		if (rc)
			return rc;
	}
	q->cap = d.cap;
	fen = q->cap >= 0 && q->cap < q->owed ? q->cap : q->owed;
	q->most = fen <= INT64_MAX / q->per_fen ? fen * q->per_fen : INT64_MAX - INT64_MAX % q->per_fen;
	return PM_OK;
}

/* ---- void, adjust, refund: each its own transaction ---- */

static int finish(struct pm_db *db, int rc, const char *action, const char *object, json_t *after,
		  struct pm_err *e)
{
	if (rc == PM_OK)
		rc = pm_audit_log(db, action, object, NULL, after, e);
	if (rc) {
		pm_db_rollback(db);
		return rc;
	}
	return pm_db_commit(db, e);
}

/* Reverses what issue, late fees and notes posted for the bill. */
static int void_post(struct pm_db *db, const struct pm_bill_row *b, const char *ref, const char *reason,
		     struct pm_err *e)
{
	static const char sql[] =
		"SELECT p.account, sum(p.amount_fen) FROM posting p JOIN journal j ON j.id = p.journal_id"
		" WHERE j.ref = ? AND j.kind IN ('issue','late_fee','adjust') GROUP BY p.account ORDER BY p.account";
	struct pm_posting post[80];
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	size_t n = 0;
	int64_t journal;
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < 80) {
		/* cppcheck-suppress legacyUninitvar ; it is written here, not read */
		snprintf(post[n].account, sizeof post[n].account, "%s", TEXT(st, 0));
		post[n++].amount = -sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return pm_db_fail(db, e, _("cannot read the ledger"));
	return pm_ledger_post(db, "void", ref, reason, post, n, &journal, e);
}

int pm_bill_void(struct pm_db *db, const char *code, const char *reason, json_t **out, struct pm_err *e)
{
	static const char sql[] = "UPDATE bill SET status = 'void', void_reason = ?, updated_at = ? WHERE id = ?";
	struct pm_bill_row b;
	char ref[128];
	sqlite3_stmt *st;
	json_t *after;
	int rc;

	*out = NULL;
	if (pm_db_begin(db, e))
		return e->code;
	if ((rc = pm_bill_row(db, code, &b, e)))
		return finish(db, rc, NULL, NULL, NULL, e);
	if (strcmp(b.status, "void") == 0)
		rc = pm_err_set(e, PM_EFAIL, _("bill '%s' is void already"), code);
	else if (b.paid)
		rc = pm_err_set(e, PM_EFAIL, _("bill '%s' has payments: adjust it or refund instead"), code);
	snprintf(ref, sizeof ref, "bill:%s", code);
	if (rc == PM_OK && strcmp(b.status, "draft") && void_post(db, &b, ref, reason, e))
		rc = e->code;
	if (rc == PM_OK && (rc = pm_bill_release_repairs(db, b.id, e)) == PM_OK &&
	    (rc = pm_bill_release_estimates(db, b.id, 0, e)) == PM_OK)
		rc = pm_bill_release_common_estimates(db, &b, e);
	if (rc == PM_OK && !(st = pm_db_stmt(db, sql, e)))
		rc = e->code;
	if (rc == PM_OK) {
		sqlite3_bind_text(st, 1, reason, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, pm_now());
		sqlite3_bind_int64(st, 3, b.id);
		rc = pm_bill_step_done(db, st, _("cannot void the bill"), e);
	}
	after = json_pack("{s:s, s:s}", "status", "void", "reason", reason);
	rc = finish(db, rc, "bill.void", ref, after, e);
	json_decref(after);
	if (rc == PM_OK && !(*out = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}", "type", "void", "bill", code, "unit",
					      b.unit, "status", "void", "total_fen", (json_int_t)b.total, "reason",
					      reason)))
		rc = pm_err_set(e, PM_EFAIL, _("out of memory"));
	return rc;
}

static int adjust_write(struct pm_db *db, const struct pm_bill_row *b, int64_t amount, const char *reason,
			struct pm_err *e)
{
	static const char upd[] = "UPDATE bill SET adjust_fen = adjust_fen + ? WHERE id = ?";
	static const char ins[] =
		"INSERT INTO adjustment (bill_id, amount_fen, reason, by_user, journal_id, created_at)"
		" VALUES (?, ?, ?, ?, ?, ?)";
	struct pm_posting p[2];
	char ref[128];
	int64_t journal;
	sqlite3_stmt *st;

	pm_posting_set(&p[0], "receivable", b->unit, amount);
	pm_posting_set(&p[1], amount < 0 ? "discount" : "revenue", amount < 0 ? NULL : "adjustment", -amount);
	snprintf(ref, sizeof ref, "bill:%s", b->code);
	if (pm_ledger_post(db, "adjust", ref, reason, p, 2, &journal, e) || !(st = pm_db_stmt(db, upd, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, amount);
	sqlite3_bind_int64(st, 2, b->id);
	if (pm_bill_step_done(db, st, _("cannot adjust the bill"), e) || !(st = pm_db_stmt(db, ins, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, b->id);
	sqlite3_bind_int64(st, 2, amount);
	sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, pm_db_actor(db), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, journal);
	sqlite3_bind_int64(st, 6, pm_now());
	if (pm_bill_step_done(db, st, _("cannot adjust the bill"), e))
		return e->code;
	return settle(db, b->id, e);
}

/* The unit's prepaid money pays its open bills, oldest due first, as an
 * issue pays them: after a debit note (which stayed owed, past due and
 * charged late fees, on money the company held for the unit) and after a
 * credit gave a paid bill's money back to the balance. */
static int prepaid_pays(struct pm_db *db, const struct pm_bill_row *b, int64_t *used, struct pm_err *e)
{
	struct pm_config *cfg;
	json_t *billing;
	int rc;

	if (!(billing = billing_today(db, &cfg, e)))
		return e->code;
	rc = apply_prepaid(db, b, json_object_get(billing, "allocation_order"), used, e);
	json_decref(billing);
	pm_config_free(cfg);
	return rc;
}

/* One payment's money on one line of a bill (payment 0: prepaid money
 * applied at issue). */
struct paid_part {
	int64_t payment, amount;
	int seq;
};

/* Bill b's paid parts that are money (points paid no money), newest
 * first, at most n of them. */
static int paid_parts(struct pm_db *db, const struct pm_bill_row *b, struct paid_part *part, size_t n,
		      size_t *got, struct pm_err *e)
{
	static const char sql[] =
		"SELECT coalesce(a.payment_id, 0), coalesce(a.seq, 0), sum(a.amount_fen) FROM allocation a"
		" LEFT JOIN payment p ON p.id = a.payment_id WHERE a.bill_id = ?"
		" AND (a.payment_id IS NULL OR p.channel <> '" PM_BILL_POINTS "')"
		" GROUP BY a.payment_id, a.seq HAVING sum(a.amount_fen) > 0 ORDER BY max(a.id) DESC";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc = SQLITE_DONE;

	*got = 0;
	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, b->id);
	while (*got < n && (rc = sqlite3_step(st)) == SQLITE_ROW)
		part[(*got)++] = (struct paid_part){sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 2),
						    sqlite3_column_int(st, 1)};
	sqlite3_reset(st);
	return *got == n || rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read payments"));
}

/* What bill b was paid beyond what it comes to after a credit: over, off
 * its paid parts, the newest first, back to the unit's prepaid balance,
 * a payment's as that payment's (pm-bill refund gives it back, within
 * its share), prepaid money as prepaid money again. */
static int unpay(struct pm_db *db, const struct pm_bill_row *b, int64_t over, struct pm_err *e)
{
	struct paid_part part[64];
	struct pm_posting p[2];
	struct alloc a;
	struct plan plan = {.a = &a, .n = 1, .cap = 1};
	char ref[128], buf[PM_MONEY_BUF];
	int64_t journal, t;
	size_t n;

	if (paid_parts(db, b, part, sizeof part / sizeof *part, &n, e))
		return e->code;
	for (size_t i = 0; i < n && over > 0; i++, over -= t) {
		t = part[i].amount < over ? part[i].amount : over;
		pm_posting_set(&p[0], "receivable", b->unit, t);
		pm_posting_set(&p[1], "prepaid", b->unit, -t);
		if (part[i].payment)
			snprintf(ref, sizeof ref, "payment:%lld", (long long)part[i].payment);
		else
			snprintf(ref, sizeof ref, "bill:%s", b->code);
		a = (struct alloc){b->id, part[i].seq, -t};
		if (pm_ledger_post(db, part[i].payment ? "payment" : "prepaid", ref, b->code, p, 2, &journal, e) ||
		    plan_apply(db, &plan, part[i].payment, journal, e))
			return e->code;
	}
	if (over > 0)
		return pm_err_set(e, PM_EFAIL, _("bill '%s': %s of what it was paid is points, no money to give back"),
				  b->code, pm_money_fmt(over, buf));
	return PM_OK;
}

int pm_bill_adjust_apply(struct pm_db *db, const struct pm_bill_row *b, int64_t amount, const char *reason,
			 int64_t moved[2], struct pm_err *e)
{
	char buf[PM_MONEY_BUF], came[PM_MONEY_BUF];
	int64_t comes = b->total + b->late + b->adjust, owes = comes - b->paid, used = 0, back = 0;

	if (amount == 0)
		return pm_err_set(e, PM_EUSAGE, _("an adjustment of 0 changes nothing"));
	if (strcmp(b->status, "draft") == 0 || strcmp(b->status, "void") == 0)
		return pm_err_set(e, PM_EFAIL, _("bill '%s' is %s: only issued bills take adjustments"), b->code,
				  b->status);
	if (pm_bill_bound_today(db, amount, _("amount"), e))
		return e->code;
	if (-amount > comes)
		return pm_err_set(e, PM_EFAIL, _("a credit of %s is more than bill '%s' comes to (%s)"),
				  pm_money_fmt(-amount, buf), b->code, pm_money_fmt(comes, came));
	/* A credit beyond what is owed: what was paid beyond the bill's new
	 * total goes back to the prepaid balance first. Refused, it sent the
	 * user to refund, which refused in turn: the money had paid a bill. */
	if (-amount > owes && unpay(db, b, back = -amount - (owes > 0 ? owes : 0), e))
		return e->code;
	if (adjust_write(db, b, amount, reason, e) || ((amount > 0 || back) && prepaid_pays(db, b, &used, e)))
		return e->code;
	if (moved) {
		moved[0] = back;
		moved[1] = used;
	}
	return PM_OK;
}

int pm_bill_adjust(struct pm_db *db, const char *code, int64_t amount, const char *reason, json_t **out,
		   struct pm_err *e)
{
	struct pm_bill_row b;
	char object[128];
	int64_t moved[2] = {0, 0};
	int rc;

	*out = NULL;
	if (pm_db_begin(db, e))
		return e->code;
	if ((rc = pm_bill_row(db, code, &b, e)))
		return finish(db, rc, NULL, NULL, NULL, e);
	rc = pm_bill_adjust_apply(db, &b, amount, reason, moved, e);
	snprintf(object, sizeof object, "bill:%s", code);
	*out = json_pack("{s:s, s:s, s:I, s:s, s:I, s:I}", "type", "adjustment", "bill", code, "amount_fen",
			 (json_int_t)amount, "reason", reason, "to_prepaid_fen", (json_int_t)moved[0], "prepaid_fen",
			 (json_int_t)moved[1]);
	rc = finish(db, rc, "bill.adjust", object, *out, e);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

int pm_bill_refundable(struct pm_db *db, const char *unit, int64_t credit, int64_t *payment, int64_t *share,
		       struct pm_err *e)
{
	static const char sql[] =
		"SELECT p.id, max(0, -coalesce((SELECT sum(x.amount_fen) FROM journal j JOIN posting x ON x.journal_id = j.id"
		"   WHERE j.ref = 'payment:' || p.id AND j.kind = 'payment' AND x.account = ?2), 0) - p.refunded_fen)"
		" FROM payment p JOIN unit u ON u.id = p.unit_id WHERE u.code = ?1 AND p.channel <> '" PM_BILL_POINTS "'"
		" ORDER BY p.at DESC, p.id DESC";
	char account[PM_ACCOUNT_MAX];
	int64_t rest, want = *payment;
	sqlite3_stmt *st;
	int rc = SQLITE_DONE;

	*payment = *share = 0;
	pm_ledger_account(account, "prepaid", unit);
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, account, -1, SQLITE_STATIC);
	for (rest = credit; rest > 0 && (rc = sqlite3_step(st)) == SQLITE_ROW;) {
		int64_t id = sqlite3_column_int64(st, 0), part = sqlite3_column_int64(st, 1);

		part = part < rest ? part : rest;
		if (want ? id == want : part > 0) {
			*payment = id;
			*share = part;
			break;
		}
		rest -= part;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read payments"));
	return PM_OK;
}

int pm_bill_refund_apply(struct pm_db *db, int64_t payment, int64_t amount, const char *channel_out,
			 const char *reason, json_t **out, struct pm_err *e)
{
	static const char sel[] =
		"SELECT p.channel, u.code, p.amount_fen - p.refunded_fen FROM payment p JOIN unit u ON u.id = p.unit_id"
		" WHERE p.id = ?";
	static const char upd[] = "UPDATE payment SET refunded_fen = refunded_fen + ? WHERE id = ?";
	char channel[64] = "", unit[64] = "", account[PM_ACCOUNT_MAX], ref[64], buf[PM_MONEY_BUF], spent[PM_MONEY_BUF];
	struct pm_posting p[2];
	int64_t left = 0, balance = 0, share, id = payment, journal;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if (amount <= 0)
		return pm_err_set(e, PM_EUSAGE, _("a refund must be more than 0"));
	if (!(st = pm_db_stmt(db, sel, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, payment);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(channel, sizeof channel, "%s", TEXT(st, 0));
		snprintf(unit, sizeof unit, "%s", TEXT(st, 1));
		left = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return pm_err_set(e, PM_EDATA, _("unknown payment '%lld'"), (long long)payment);
	if (!strcmp(channel, PM_BILL_POINTS))
		return pm_err_set(e, PM_EDATA, _("payment %lld was paid in reward points: points are not refunded in money"),
				  (long long)payment);
	pm_ledger_account(account, "prepaid", unit);
	if (pm_ledger_balance(db, account, &balance, e))
		return e->code;
	if (amount > -balance)
		return pm_err_set(e, PM_EFAIL, _("unit '%s' has only %s prepaid: credit the bills first"), unit,
				  pm_money_fmt(-balance > 0 ? -balance : 0, buf));
	if (pm_bill_refundable(db, unit, -balance, &id, &share, e))
		return e->code;
	if (amount > share && share < left)
		return pm_err_set(e, PM_EFAIL, _("payment %lld has only %s left to refund: %s of it paid bills"),
				  (long long)payment, pm_money_fmt(share, buf), pm_money_fmt(left - share, spent));
	if (amount > share)
		return pm_err_set(e, PM_EFAIL, _("payment %lld has only %s left to refund"), (long long)payment,
				  pm_money_fmt(share, buf));
	snprintf(ref, sizeof ref, "payment:%lld", (long long)payment);
	pm_posting_set(&p[0], "prepaid", unit, amount);
	pm_posting_set(&p[1], "cash", channel_out ? channel_out : channel, -amount);
	if (pm_ledger_post(db, "refund", ref, reason, p, 2, &journal, e) || !(st = pm_db_stmt(db, upd, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, amount);
	sqlite3_bind_int64(st, 2, payment);
	if (pm_bill_step_done(db, st, _("cannot record the refund"), e))
		return e->code;
	if (!(*out = json_pack("{s:s, s:I, s:s, s:I, s:s}", "type", "refund", "payment", (json_int_t)payment, "unit",
			       unit, "amount_fen", (json_int_t)amount, "reason", reason)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	return PM_OK;
}

int pm_bill_refund(struct pm_db *db, int64_t payment, int64_t amount, const char *reason, json_t **out,
		   struct pm_err *e)
{
	char ref[64];
	int rc;

	*out = NULL;
	if (amount <= 0)
		return pm_err_set(e, PM_EUSAGE, _("a refund must be more than 0"));
	if (pm_db_begin(db, e))
		return e->code;
	rc = pm_bill_refund_apply(db, payment, amount, NULL, reason, out, e);
	snprintf(ref, sizeof ref, "payment:%lld", (long long)payment);
	rc = finish(db, rc, "bill.refund", ref, *out, e);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- late fees ---- */

/* What a bill owed at a moment: on its items not exempt, on all its
 * lines, and its notes. */
struct owed {
	int64_t items, lines, adjust;
};

/* The principal: what the items owe, a credit note taken as off them
 * first, so never more than all the lines owe less the credits (a bill
 * of 194.00 with 190.00 credited owes 4.00, and is charged late on no
 * more). */
static int64_t owed_principal(const struct owed *o)
{
	int64_t all = o->lines + (o->adjust < 0 ? o->adjust : 0);

	if (all < 0)
		all = 0;
	return o->items < 0 ? 0 : o->items > all ? all : o->items;
}

/* A payment to a line or a note, at its time (PM_ALLOCATION_AT), as it
 * changed what the bill owed. */
struct owed_change {
	int64_t at, line, adjust;
	int item;
};

struct owed_history {
	struct owed now;
	struct owed_change *c;
	size_t n;
};

/* What bill b owes now, and each change to it from from on, oldest
 * first. */
static int owed_load(struct pm_db *db, const struct pm_bill_row *b, json_t *exempt, int64_t from,
		     struct owed_history *h, struct pm_err *e)
{
	static const char lines[] = "SELECT fee, amount_fen - paid_fen FROM bill_line WHERE bill_id = ?";
	static const char changes[] =
		"SELECT * FROM (SELECT " PM_ALLOCATION_AT("a", "p", "j") " AS at, l.fee, a.amount_fen, 0"
		" FROM allocation a JOIN journal j ON j.id = a.journal_id LEFT JOIN payment p ON p.id = a.payment_id"
		" JOIN bill_line l ON l.bill_id = a.bill_id AND l.seq = a.seq WHERE a.bill_id = ?1"
		" UNION ALL SELECT d.created_at, NULL, 0, d.amount_fen FROM adjustment d WHERE d.bill_id = ?1)"
		" WHERE at >= ?2 ORDER BY at";
	struct owed_change *c;
	sqlite3_stmt *st;
	int rc;

	memset(h, 0, sizeof *h);
	h->now.adjust = b->adjust;
	if (!(st = pm_db_stmt(db, lines, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, b->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (pm_money_add(&h->now.lines, sqlite3_column_int64(st, 1), e) ||
		    (pm_json_index(exempt, TEXT(st, 0)) < 0 &&
		     pm_money_add(&h->now.items, sqlite3_column_int64(st, 1), e))) {
			sqlite3_reset(st);
			return e->code;
		}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE || !(st = pm_db_stmt(db, changes, e)))
		return rc != SQLITE_DONE ? pm_db_fail(db, e, _("cannot read bill lines")) : e->code;
	sqlite3_bind_int64(st, 1, b->id);
	sqlite3_bind_int64(st, 2, from);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!(c = realloc(h->c, (h->n + 1) * sizeof *h->c))) {
			sqlite3_reset(st);
			return pm_err_set(e, PM_ESOFTWARE, _("out of memory"));
		}
		h->c = c;
		c += h->n++;
		c->at = sqlite3_column_int64(st, 0);
		c->item = sqlite3_column_type(st, 1) != SQLITE_NULL && pm_json_index(exempt, TEXT(st, 1)) < 0;
		c->line = sqlite3_column_int64(st, 2);
		c->adjust = sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read payments"));
}

/* o before change c (sign 1) or after it (sign -1). */
static void owed_undo(struct owed *o, const struct owed_change *c, int sign)
{
	o->items += c->item ? sign * c->line : 0;
	o->lines += sign * c->line;
	o->adjust -= sign * c->adjust;
}

struct late_ctx {
	struct pm_db *db;
	struct pm_late_run *r;
	json_t *cfg;
	int32_t grace;
	char as_of[PM_TIME_BUF];
};

/* Late fees so far, f (ten-thousandths of a fen), after n more days on
 * principal p: the daily rate on p, within the cap on p, a cap lowered
 * since taking nothing back. */
static __int128 late_days(const struct late_ctx *lc, __int128 f, int64_t p, int n)
{
	json_t *lf = json_object_get(lc->cfg, "late_fee");
	__int128 cap = (__int128)pm_div_round(p * json_integer_value(json_object_get(lf, "cap_percent")), 100,
					      PM_ROUND_DOWN) * 10000;
	__int128 to = f + (__int128)p * json_integer_value(json_object_get(lf, "daily_bp")) * n;

	if (cap < f)
		cap = f;
	return to < cap ? to : cap;
}

/* The charge, as late_fee's row has it. */
struct late_charge {
	int days;
	int64_t principal, amount, remainder;
};

static int late_write(struct late_ctx *lc, const struct pm_bill_row *b, const struct late_charge *c,
		      struct pm_err *e)
{
	static const char ins[] =
		"INSERT INTO late_fee (bill_id, as_of, days, principal_fen, amount_fen, journal_id, created_at, remainder)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	static const char upd[] = "UPDATE bill SET late_fen = late_fen + ?, updated_at = ? WHERE id = ?";
	struct pm_posting p[2];
	char ref[128];
	int64_t journal, prepaid = 0;
	sqlite3_stmt *st;
	json_t *rec;
	int rc;

	pm_posting_set(&p[0], "receivable", b->unit, c->amount);
	pm_posting_set(&p[1], "income", "late_fee", -c->amount);
	snprintf(ref, sizeof ref, "bill:%s", b->code);
	if (pm_ledger_post(lc->db, "late_fee", ref, lc->as_of, p, 2, &journal, e) ||
	    !(st = pm_db_stmt(lc->db, ins, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, b->id);
	sqlite3_bind_text(st, 2, lc->as_of, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, c->days);
	sqlite3_bind_int64(st, 4, c->principal);
	sqlite3_bind_int64(st, 5, c->amount);
	sqlite3_bind_int64(st, 6, journal);
	sqlite3_bind_int64(st, 7, pm_now());
	sqlite3_bind_int64(st, 8, c->remainder);
	if (pm_bill_step_done(lc->db, st, _("cannot record late fees"), e) || !(st = pm_db_stmt(lc->db, upd, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, c->amount);
	sqlite3_bind_int64(st, 2, pm_now());
	sqlite3_bind_int64(st, 3, b->id);
	if (pm_bill_step_done(lc->db, st, _("cannot record late fees"), e) || settle(lc->db, b->id, e))
		return e->code;
	/* A bill paid off since the last run owes its last days' fees: the
	 * unit's prepaid money, if any, pays them, as after a debit note. */
	if (strcmp(b->status, "paid") == 0 &&
	    apply_prepaid(lc->db, b, json_object_get(lc->cfg, "allocation_order"), &prepaid, e))
		return e->code;
	if (pm_money_add(&lc->r->total, c->amount, e))
		return e->code;
	lc->r->charged++;
	if (!lc->r->fn)
		return PM_OK;
	rec = json_pack("{s:s, s:s, s:s, s:s, s:i, s:I, s:I, s:I}", "type", "late_fee", "bill", b->code,
			"unit", b->unit, "as_of", lc->as_of, "days", c->days, "principal_fen",
			(json_int_t)c->principal, "amount_fen", (json_int_t)c->amount, "prepaid_fen", (json_int_t)prepaid);
	rc = lc->r->fn(lc->r->ctx, rec);
	json_decref(rec);
	return rc;
}

/* The days past due not yet charged, each on what the bill owed at its
 * start (the days of grace on what it owed when they ended), added to
 * the late fees before: the sum rounded, less what was charged, is the
 * charge. */
static int late_bill(struct late_ctx *lc, const char *code, struct pm_err *e)
{
	static const char last[] =
		"SELECT coalesce(max(days), 0), coalesce(sum(amount_fen), 0),"
		" (SELECT remainder FROM late_fee WHERE bill_id = ?1 ORDER BY days DESC LIMIT 1)"
		" FROM late_fee WHERE bill_id = ?1";
	json_t *lf = json_object_get(lc->cfg, "late_fee");
	const char *tz = pm_db_tz(lc->db);
	struct late_charge c = {0};
	struct owed_history h;
	struct pm_bill_row b;
	int64_t charged = 0, remainder = 0;
	sqlite3_stmt *st;
	int32_t due;
	int before = 0, first;
	size_t i;
	__int128 f;

	if (pm_bill_row(lc->db, code, &b, e) || pm_date_parse(b.due, &due, e))
		return e->code;
	c.days = pm_days_between(due, lc->r->as_of);
	if (c.days <= lc->grace || pm_json_index(json_object_get(lf, "exempt_units"), b.unit) >= 0)
		return PM_OK;
	if (!(st = pm_db_stmt(lc->db, last, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, b.id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		before = sqlite3_column_int(st, 0);
		charged = sqlite3_column_int64(st, 1);
		remainder = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (c.days <= before)
		return PM_OK;
	first = (before > lc->grace ? before : lc->grace) + 1;
	if (owed_load(lc->db, &b, json_object_get(lf, "exempt_items"), pm_date_start(due + first, tz), &h, e)) {
		free(h.c);
		return e->code;
	}
	for (i = 0; i < h.n; i++)
		owed_undo(&h.now, &h.c[i], 1);
	c.principal = owed_principal(&h.now);
	f = late_days(lc, (__int128)charged * 10000 + remainder, c.principal, first - before);
	/* Day by day while the bill changed, then the rest at once. */
	i = 0;
	for (int day = first + 1; day <= c.days; day++) {
		if (i == h.n) {
			f = late_days(lc, f, c.principal, c.days - day + 1);
			break;
		}
		for (int64_t start = pm_date_start(due + day, tz); i < h.n && h.c[i].at < start; i++)
			owed_undo(&h.now, &h.c[i], -1);
		c.principal = owed_principal(&h.now);
		f = late_days(lc, f, c.principal, 1);
	}
	free(h.c);
	c.amount = (int64_t)((f + 5000) / 10000) - charged;
	c.remainder = (int64_t)(f - ((f + 5000) / 10000) * 10000);
	return c.amount > 0 ? late_write(lc, &b, &c, e) : PM_OK;
}

/* The bills open, and those paid off since the last run for today or
 * later began (late_mark): their days up to the payment may not all have
 * been charged. A run for today or later moves the mark to its start. */
static int late_bills(struct late_ctx *lc, json_t *codes, struct pm_err *e)
{
	static const char mark[] = "SELECT at FROM late_mark";
	/* paid materialized: to keep the order of ids, the planner would
	 * rather read every bill than its index of paid ones. */
	static const char sql[] =
		"WITH paid AS MATERIALIZED (SELECT id, code FROM bill WHERE status = 'paid' AND updated_at >= ?2"
		" AND due < ?1) SELECT id, code FROM bill WHERE status IN ('issued','partial') AND due < ?1"
		" UNION ALL SELECT id, code FROM paid ORDER BY 1";
	static const char marked[] =
		"INSERT INTO late_mark (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at";
	sqlite3_stmt *st = pm_db_stmt(lc->db, mark, e);
	int64_t since = 0;
	int rc;

	if (!st)
		return e->code;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		since = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if ((rc != SQLITE_ROW && rc != SQLITE_DONE) || !(st = pm_db_stmt(lc->db, sql, e)))
		return rc != SQLITE_ROW && rc != SQLITE_DONE ? pm_db_fail(lc->db, e, _("cannot read bills")) : e->code;
	sqlite3_bind_text(st, 1, lc->as_of, -1, SQLITE_STATIC);
	if (rc == SQLITE_ROW)
		sqlite3_bind_int64(st, 2, since);
	else
		sqlite3_bind_null(st, 2);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(codes, json_string(TEXT(st, 1)));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return pm_db_fail(lc->db, e, _("cannot read bills"));
	if (lc->r->as_of < pm_db_today(lc->db))
		return PM_OK;
	if (!(st = pm_db_stmt(lc->db, marked, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, pm_now());
	return pm_db_step_done(lc->db, st, _("cannot record late fees"), e);
}

int pm_bill_late_fees(struct pm_db *db, struct pm_late_run *r, struct pm_err *e)
{
	struct late_ctx lc = {.db = db, .r = r};
	struct pm_config *cfg;
	json_t *codes = json_array(), *c, *after;
	size_t i;
	int rc;

	r->charged = 0;
	r->total = 0;
	pm_date_fmt(r->as_of, lc.as_of);
	if (pm_billing_config(db, r->as_of, &cfg, &lc.cfg, e)) {
		json_decref(codes);
		return e->code;
	}
	lc.grace = (int32_t)json_integer_value(json_object_get(lc.cfg, "grace_days"));
	if ((rc = pm_db_begin(db, e)) == PM_OK) {
		rc = late_bills(&lc, codes, e);
		json_array_foreach(codes, i, c)
			if (rc == PM_OK)
				rc = late_bill(&lc, json_string_value(c), e);
		after = json_pack("{s:s, s:I, s:I}", "as_of", lc.as_of, "charged", (json_int_t)r->charged,
				  "total_fen", (json_int_t)r->total);
		if (rc == PM_OK && r->charged)
			rc = pm_audit_log(db, "bill.late_fees", "late-fees", NULL, after, e);
		json_decref(after);
		rc = pm_db_end(db, rc, e);
	}
	json_decref(codes);
	json_decref(lc.cfg);
	pm_config_free(cfg);
	return rc;
}
