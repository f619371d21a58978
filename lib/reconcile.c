/* reconcile: a channel's statement against the money recorded for it.
 * The statement is held in memory (a day's or a month's entries of one
 * channel), its refs in a hash so that each recorded payment of its days
 * is looked up once. */
#include <stdlib.h>
#include <string.h>

#include "pm/bill.h"
#include "pm/i18n.h"
#include "pm/jsonl.h"
#include "pm/reconcile.h"
#include "pm/timeutil.h"
#include "bill-internal.h"

const char *const pm_recon_names[] = {"matched", "missing_in_store", "missing_in_statement",
				      "amount_mismatch", NULL};

struct entry {
	char *ref;
	int64_t amount, at;
};

struct pm_reconcile {
	char *channel;
	struct entry *e;
	size_t n, cap;
	json_t *refs; /* ref -> true, of the money in */
	json_t *taken; /* journal id -> true: a recorded refund a statement entry was set against */
	int64_t first, last; /* earliest and latest time */
};

int pm_reconcile_new(const char *channel, struct pm_reconcile **out, struct pm_err *e)
{
	struct pm_reconcile *r = calloc(1, sizeof *r);

	*out = NULL;
	if (!r || !(r->channel = strdup(channel)) || !(r->refs = json_object()) || !(r->taken = json_object())) {
		pm_reconcile_free(r);
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	}
	*out = r;
	return PM_OK;
}

void pm_reconcile_free(struct pm_reconcile *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		free(r->e[i].ref);
	free(r->e);
	free(r->channel);
	json_decref(r->refs);
	json_decref(r->taken);
	free(r);
}

const char *const pm_reconcile_fields[] = {"ref", "amount", "time", NULL};

int pm_reconcile_add(struct pm_reconcile *r, json_t *rec, struct pm_err *e)
{
	const char *ref;
	int64_t amount, at;

	if (pm_pay_ref(rec, &ref, e) || pm_json_money(rec, "amount", PM_REQUIRED, &amount, e) ||
	    pm_json_time(rec, "time", PM_REQUIRED, &at, e))
		return e->code;
	if (!*ref)
		return pm_err_set(e, PM_EDATA, _("field \"ref\": empty"));
	if (amount == 0)
		return pm_err_set(e, PM_EDATA, _("field \"amount\": 0: money in is more than 0, a refund less"));
	/* A payment is listed once; its refunds (partial ones more than once,
	 * maybe of the same amount) under its ref too. */
	if (amount > 0 && json_object_get(r->refs, ref))
		return pm_err_set(e, PM_EDATA, _("ref '%s' is in the statement twice"), ref);
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct entry *x = realloc(r->e, cap * sizeof *x);
		if (!x)
			return pm_err_set(e, PM_EFAIL, _("out of memory"));
		r->e = x;
		r->cap = cap;
	}
	if (!(r->e[r->n].ref = strdup(ref)) || (amount > 0 && json_object_set_new(r->refs, ref, json_true()))) {
		free(r->e[r->n].ref);
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	}
	r->e[r->n].amount = amount;
	r->e[r->n++].at = at;
	if (r->n == 1 || at < r->first)
		r->first = at;
	if (r->n == 1 || at > r->last)
		r->last = at;
	return PM_OK;
}

/* One side's facts, absent unless here. A refund's amount is negative. */
struct side {
	int64_t amount, at;
	int here;
};

struct walk {
	struct pm_db *db;
	struct pm_reconcile *r;
	int (*fn)(void *ctx, json_t *rec);
	void *ctx;
	long *counts;
};

static json_t *when(struct side s, const char *tz)
{
	char buf[PM_TIME_BUF];

	return s.here ? json_string(pm_time_fmt(s.at, tz, buf)) : json_null();
}

static json_t *fen(struct side s)
{
	return s.here ? json_integer(s.amount) : json_null();
}

/* Money a channel brought in, wherever it is kept: bill payments (not
 * those of channel points: reward points spent on parking lines are the
 * company's expense, no money), group-buying orders (less the points
 * spent on them), a web cart's payment that made no order (kept for its
 * refund), service bookings, deposits taken and what income contracts
 * were paid (an expense contract's payment is money out). A statement lists them all:
 * comparing it with payments alone reported the rest as missing. The
 * columns: source, id, unit id, channel, ref, cash, time. */
#define MONEY_IN \
	"SELECT 'payment' AS source, id, unit_id, channel, ref, amount_fen AS cash, at FROM payment" \
	"  WHERE channel <> '" PM_BILL_POINTS "'" \
	" UNION ALL SELECT 'shop_order', id, unit_id, channel, ref, amount_fen - points, at FROM shop_order" \
	"  WHERE amount_fen > points" \
	" UNION ALL SELECT 'shop_cart', id, unit_id, channel, ref, amount_fen - points, created_at FROM shop_cart" \
	"  WHERE channel IS NOT NULL AND order_id IS NULL" \
	" UNION ALL SELECT 'shop_booking', id, unit_id, channel, ref, amount_fen, at FROM shop_booking" \
	" UNION ALL SELECT 'deposit', id, unit_id, channel, ref, amount_fen, at FROM deposit WHERE action = 'take'" \
	" UNION ALL SELECT 'contract_charge', c.id, NULL, c.channel, c.ref, c.amount_fen, c.at FROM contract_charge c" \
	"  JOIN contract k ON k.id = c.contract_id WHERE c.kind = 'payment' AND k.kind = 'income'"

struct found {
	char source[16], unit[64];
	int64_t id, payment; /* payment: the bill payment's id, or 0 */
};

/* A store row: its source, id and unit code ("" for a contract's). */
static void found_read(sqlite3_stmt *st, struct found *f)
{
	const char *unit = TEXT(st, 2);

	snprintf(f->source, sizeof f->source, "%s", TEXT(st, 0));
	f->id = sqlite3_column_int64(st, 1);
	f->payment = strcmp(f->source, "payment") ? 0 : f->id;
	snprintf(f->unit, sizeof f->unit, "%s", unit ? unit : "");
}

/* One record; f is the store's row, NULL when the store has none. */
static int tell(struct walk *w, enum pm_recon_status s, const char *ref, struct side st, struct side store,
		const struct found *f)
{
	const char *tz = pm_db_tz(w->db);
	json_t *rec;
	int rc;

	w->counts[s]++;
	rec = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "type", "reconcile",
			"status", pm_recon_names[s], "channel", w->r->channel, "ref", ref,
			"statement_fen", fen(st), "store_fen", fen(store),
			"statement_at", when(st, tz), "store_at", when(store, tz),
			"payment", f && f->payment ? json_integer(f->payment) : json_null(),
			"unit", f && *f->unit ? json_string(f->unit) : json_null(),
			"source", f ? json_string(f->source) : json_null(), "id", f ? json_integer(f->id) : json_null());
	if (!rec)
		return PM_EFAIL;
	rc = w->fn(w->ctx, rec);
	json_decref(rec);
	return rc;
}

static int statement_entry(struct walk *w, const struct entry *x, struct pm_err *e)
{
	static const char sql[] =
		"SELECT m.source, m.id, u.code, m.cash, m.at FROM (" MONEY_IN ") m LEFT JOIN unit u ON u.id = m.unit_id"
		" WHERE m.channel = ? AND m.ref = ?";
	sqlite3_stmt *st = pm_db_stmt(w->db, sql, e);
	struct side store = {0, 0, 0};
	struct found f = {"", "", 0, 0};
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, w->r->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, x->ref, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		found_read(st, &f);
		store = (struct side){sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4), 1};
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pm_db_fail(w->db, e, _("cannot read payments"));
	return tell(w, f.id == 0 ? PM_RECON_MISSING_IN_STORE : store.amount == x->amount ? PM_RECON_MATCHED
		    : PM_RECON_AMOUNT_MISMATCH, x->ref, (struct side){x->amount, x->at, 1}, store, f.id ? &f : NULL);
}

/* Refunds recorded through the channel (PM_BILL_REFUND_IS). The
 * columns: journal id, unit code, cash (negative), time, the payment's
 * ref, the payment's id. */
#define REFUNDS \
	"SELECT j.id, u.code, x.amount_fen, j.ts, p.ref, p.id FROM" PM_BILL_REFUND_FROM \
	" JOIN unit u ON u.id = p.unit_id WHERE " PM_BILL_REFUND_IS " AND x.account = 'cash:' || ?1"

/* A REFUNDS row: its found and its side. */
static void refund_read(sqlite3_stmt *st, struct found *f, struct side *s)
{
	snprintf(f->source, sizeof f->source, "refund");
	f->id = sqlite3_column_int64(st, 0);
	f->payment = sqlite3_column_int64(st, 5);
	snprintf(f->unit, sizeof f->unit, "%s", TEXT(st, 1));
	*s = (struct side){sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3), 1};
}

/* A refund the statement lists (a negative amount) against those
 * recorded of the payment of its ref: one of the same amount not set
 * against an entry before, else one of another amount, else none. */
static int statement_refund(struct walk *w, const struct entry *x, struct pm_err *e)
{
	static const char sql[] = REFUNDS " AND p.ref = ?2 ORDER BY j.ts, j.id";
	sqlite3_stmt *st = pm_db_stmt(w->db, sql, e);
	struct found f = {"", "", 0, 0}, other = {"", "", 0, 0};
	struct side store = {0, 0, 0}, other_side = {0, 0, 0};
	char key[32];
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, w->r->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, x->ref, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(key, sizeof key, "%lld", (long long)sqlite3_column_int64(st, 0));
		if (json_object_get(w->r->taken, key))
			continue;
		if (sqlite3_column_int64(st, 2) == x->amount) {
			refund_read(st, &f, &store);
			break;
		}
		if (!other.id)
			refund_read(st, &other, &other_side);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pm_db_fail(w->db, e, _("cannot read payments"));
	if (!f.id && other.id) {
		f = other;
		store = other_side;
	}
	if (f.id) {
		snprintf(key, sizeof key, "%lld", (long long)f.id);
		if (json_object_set_new(w->r->taken, key, json_true()))
			return pm_err_set(e, PM_EFAIL, _("out of memory"));
	}
	return tell(w, !f.id ? PM_RECON_MISSING_IN_STORE : store.amount == x->amount ? PM_RECON_MATCHED
		    : PM_RECON_AMOUNT_MISMATCH, x->ref, (struct side){x->amount, x->at, 1}, store, f.id ? &f : NULL);
}

/* Refunds of the statement's days that it does not list. */
static int refunds_only(struct walk *w, int64_t from, int64_t to, struct pm_err *e)
{
	static const char sql[] = REFUNDS " AND j.ts >= ?2 AND j.ts < ?3 ORDER BY j.ts, j.id";
	sqlite3_stmt *st = pm_db_stmt(w->db, sql, e);
	char key[32];
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, w->r->channel, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct found f;
		struct side store;

		snprintf(key, sizeof key, "%lld", (long long)sqlite3_column_int64(st, 0));
		if (json_object_get(w->r->taken, key))
			continue;
		refund_read(st, &f, &store);
		rc = tell(w, PM_RECON_MISSING_IN_STATEMENT, TEXT(st, 4), (struct side){0, 0, 0}, store, &f);
		if (rc) {
			sqlite3_reset(st);
			return rc;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(w->db, e, _("cannot read payments"));
}

/* Money of the statement's days that it does not list. */
static int store_only(struct walk *w, struct pm_err *e)
{
	static const char sql[] =
		"SELECT m.source, m.id, u.code, m.cash, m.at, m.ref FROM (" MONEY_IN ") m"
		" LEFT JOIN unit u ON u.id = m.unit_id"
		" WHERE m.channel = ? AND m.at >= ? AND m.at < ? ORDER BY m.at, m.source, m.id";
	const char *tz = pm_db_tz(w->db);
	int64_t from = pm_date_start(pm_date_of(w->r->first, tz), tz);
	int64_t to = pm_date_start(pm_date_of(w->r->last, tz) + 1, tz);
	sqlite3_stmt *st = pm_db_stmt(w->db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, w->r->channel, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct found f;

		if (json_object_get(w->r->refs, TEXT(st, 5)))
			continue;
		found_read(st, &f);
		rc = tell(w, PM_RECON_MISSING_IN_STATEMENT, TEXT(st, 5), (struct side){0, 0, 0},
			  (struct side){sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4), 1}, &f);
		if (rc) {
			sqlite3_reset(st);
			return rc;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return pm_db_fail(w->db, e, _("cannot read payments"));
	return refunds_only(w, from, to, e);
}

int pm_reconcile_run(struct pm_db *db, struct pm_reconcile *r, int (*fn)(void *ctx, json_t *rec),
		     void *ctx, long counts[PM_RECON_NSTATUS], struct pm_err *e)
{
	struct walk w = {db, r, fn, ctx, counts};
	int rc = PM_OK;

	memset(counts, 0, PM_RECON_NSTATUS * sizeof *counts);
	for (size_t i = 0; i < r->n && rc == PM_OK; i++)
		rc = r->e[i].amount > 0 ? statement_entry(&w, &r->e[i], e) : statement_refund(&w, &r->e[i], e);
	if (rc == PM_OK && r->n)
		rc = store_only(&w, e);
	return rc;
}
