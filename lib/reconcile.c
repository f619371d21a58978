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

/* One side's facts, absent unless here. A refund's amount is negative. */
struct side {
	int64_t amount, at;
	int here;
};

struct found {
	char source[24], unit[64];
	int64_t id, payment; /* payment: the bill payment's id, or 0 */
};

/* A statement's entry; a refund's match is the recorded refund set
 * against it, with its side. */
struct entry {
	char *ref;
	int64_t amount, at;
	struct found match;
	struct side store;
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
	r->e[r->n].at = at;
	memset(&r->e[r->n].match, 0, sizeof r->e[r->n].match);
	r->e[r->n++].store = (struct side){0, 0, 0};
	if (r->n == 1 || at < r->first)
		r->first = at;
	if (r->n == 1 || at > r->last)
		r->last = at;
	return PM_OK;
}

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
	rec = json_pack("{s:s, s:s, s:s, s:s?, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "type", "reconcile",
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

/* Money a channel gave back, wherever it is kept: a bill payment's
 * refunds (PM_BILL_REFUND_IS: pm-bill refund, a transfer's of the
 * prepaid balance), deposits refunded, group-buying orders' and service
 * bookings' refunds (pm-shop refund, a failed group's, a settlement's),
 * a refused web order's payment given back, and what expense contracts
 * were paid (a supplier's, under its own ref: left out, a payout no
 * statement showed reconciled clean). Each other is under the ref
 * of the payment it gave back; a deposit refund, whose money is the
 * unit's held deposit of its kind and no one payment's, under its own
 * ref (--ref), else its deposit's latest take through the channel
 * before it. A transfer's refund of a prepaid balance made before it
 * named the payments it gave back (8d5d6ee; ref transfer:UNIT:DATE) has
 * no ref: it is never matched, only found missing from the statement of
 * its day. ?1 is the channel; a shop refund leaves by its order's. The
 * columns: source, id (the ledger's entry), unit code, cash (negative),
 * time, ref, the bill payment's id or NULL. */
#define REFUNDS \
	"SELECT 'refund' AS source, j.id AS id, u.code AS unit, x.amount_fen AS cash, j.ts AS at, p.ref AS ref," \
	"  p.id AS payment FROM" PM_BILL_REFUND_FROM " JOIN unit u ON u.id = p.unit_id" \
	"  WHERE " PM_BILL_REFUND_IS " AND x.account = 'cash:' || ?1" \
	" UNION ALL SELECT 'deposit_refund', d.journal_id, u.code, -d.amount_fen, d.at, coalesce(d.ref," \
	"  (SELECT t.ref FROM deposit t WHERE t.unit_id = d.unit_id AND t.kind = d.kind AND t.action = 'take'" \
	"   AND t.channel = ?1 AND t.id < d.id ORDER BY t.id DESC LIMIT 1)), NULL" \
	"  FROM deposit d JOIN unit u ON u.id = d.unit_id WHERE d.action = 'refund' AND d.channel = ?1" \
	" UNION ALL SELECT 'shop_refund', j.id, u.code, x.amount_fen, j.ts, o.ref, NULL FROM shop_order o" \
	"  JOIN shop_offer f ON f.id = o.offer_id JOIN journal j ON j.ref = 'shop:' || f.code" \
	"  JOIN posting x ON x.journal_id = j.id JOIN unit u ON u.id = o.unit_id" \
	"  WHERE o.channel = ?1 AND j.kind = 'shop_refund' AND j.memo = 'shop_order:' || o.id" \
	"  AND x.account = 'cash:' || ?1 AND x.amount_fen < 0" \
	" UNION ALL SELECT 'shop_refund', j.id, u.code, x.amount_fen, j.ts, b.ref, NULL FROM shop_booking b" \
	"  JOIN shop_slot l ON l.id = b.slot_id JOIN shop_service v ON v.id = l.service_id" \
	"  JOIN journal j ON j.ref = 'service:' || v.code JOIN posting x ON x.journal_id = j.id" \
	"  JOIN unit u ON u.id = b.unit_id WHERE b.channel = ?1 AND j.kind = 'shop_refund'" \
	"  AND j.memo = 'shop_booking:' || b.id AND x.account = 'cash:' || ?1 AND x.amount_fen < 0" \
	" UNION ALL SELECT 'shop_cart_refund', j.id, u.code, x.amount_fen, j.ts, c.ref, NULL FROM shop_cart c" \
	"  JOIN journal j ON j.id = c.refund_journal_id JOIN posting x ON x.journal_id = j.id" \
	"  JOIN unit u ON u.id = c.unit_id WHERE c.channel = ?1 AND x.account = 'cash:' || ?1" \
	" UNION ALL SELECT 'transfer_refund', j.id, u.code, x.amount_fen, j.ts, NULL, NULL FROM journal j" \
	"  JOIN posting x ON x.journal_id = j.id JOIN posting y ON y.journal_id = j.id" \
	"  JOIN unit u ON u.code = substr(y.account, 9) WHERE j.kind = 'refund' AND j.ref GLOB 'transfer:*'" \
	"  AND x.account = 'cash:' || ?1 AND y.account GLOB 'prepaid:*'" \
	" UNION ALL SELECT 'contract_payout', c.journal_id, '', -c.amount_fen, c.at, c.ref, NULL FROM contract_charge c" \
	"  JOIN contract k ON k.id = c.contract_id WHERE c.kind = 'payment' AND k.kind = 'expense' AND c.channel = ?1"

/* A REFUNDS row: its found and its side. */
static void refund_read(sqlite3_stmt *st, struct found *f, struct side *s)
{
	snprintf(f->source, sizeof f->source, "%s", TEXT(st, 0));
	f->id = sqlite3_column_int64(st, 1);
	f->payment = sqlite3_column_int64(st, 6);
	snprintf(f->unit, sizeof f->unit, "%s", TEXT(st, 2));
	*s = (struct side){sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4), 1};
}

static int taken(struct walk *w, int64_t id)
{
	char key[32];

	snprintf(key, sizeof key, "%lld", (long long)id);
	return json_object_get(w->r->taken, key) != NULL;
}

static int take(struct walk *w, int64_t id, struct pm_err *e)
{
	char key[32];

	snprintf(key, sizeof key, "%lld", (long long)id);
	return json_object_set_new(w->r->taken, key, json_true()) ? pm_err_set(e, PM_EFAIL, _("out of memory"))
		: PM_OK;
}

/* The refunds recorded of x's ref not set against an entry before: the
 * first of x's amount into x's match, the first of any amount into
 * other (when given), and how many there are. */
static int recorded_refunds(struct walk *w, struct entry *x, struct entry *other, long *left,
			    struct pm_err *e)
{
	static const char sql[] = "SELECT * FROM (" REFUNDS ") WHERE ref = ?2 ORDER BY at, id";
	sqlite3_stmt *st = pm_db_stmt(w->db, sql, e);
	int rc;

	*left = 0;
	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, w->r->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, x->ref, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (taken(w, sqlite3_column_int64(st, 1)))
			continue;
		++*left;
		if (!x->match.id && sqlite3_column_int64(st, 3) == x->amount)
			refund_read(st, &x->match, &x->store);
		if (other && !other->match.id)
			refund_read(st, &other->match, &other->store);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(w->db, e, _("cannot read payments"));
}

/* The statement's refunds (negative amounts) set against those recorded
 * of the payment of their ref, before any is told: each to one of its
 * amount not set against another, whatever the order they are listed
 * in. */
static int match_refunds(struct walk *w, struct pm_err *e)
{
	long left;

	for (size_t i = 0; i < w->r->n; i++) {
		struct entry *x = &w->r->e[i];

		if (x->amount > 0)
			continue;
		if (recorded_refunds(w, x, NULL, &left, e) || (x->match.id && take(w, x->match.id, e)))
			return e->code;
	}
	return PM_OK;
}

/* A listed refund, matched or not. One of no recorded amount is set
 * against a recorded one only when the pairing is certain: it is the
 * only one of its ref left, and so is the recorded one ("amount_mismatch");
 * else it is "missing_in_store" and those recorded are told as missing
 * from the statement. */
static int statement_refund(struct walk *w, struct entry *x, struct pm_err *e)
{
	struct entry other = {0};
	size_t unmatched = 0;
	long left = 0;

	if (!x->match.id) {
		for (size_t i = 0; i < w->r->n; i++)
			unmatched += w->r->e[i].amount < 0 && !w->r->e[i].match.id && strcmp(w->r->e[i].ref, x->ref) == 0;
		if (recorded_refunds(w, x, &other, &left, e))
			return e->code;
		if (unmatched == 1 && left == 1) {
			x->match = other.match;
			x->store = other.store;
			if (take(w, x->match.id, e))
				return e->code;
		}
	}
	return tell(w, !x->match.id ? PM_RECON_MISSING_IN_STORE : x->store.amount == x->amount ? PM_RECON_MATCHED
		    : PM_RECON_AMOUNT_MISMATCH, x->ref, (struct side){x->amount, x->at, 1}, x->store,
		    x->match.id ? &x->match : NULL);
}

/* Refunds of the statement's days that it does not list. */
static int refunds_only(struct walk *w, int64_t from, int64_t to, struct pm_err *e)
{
	static const char sql[] = "SELECT * FROM (" REFUNDS ") WHERE at >= ?2 AND at < ?3 ORDER BY at, id";
	sqlite3_stmt *st = pm_db_stmt(w->db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, w->r->channel, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct found f;
		struct side store;

		if (taken(w, sqlite3_column_int64(st, 1)))
			continue;
		refund_read(st, &f, &store);
		rc = tell(w, PM_RECON_MISSING_IN_STATEMENT, TEXT(st, 5), (struct side){0, 0, 0}, store, &f);
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
	int rc;

	memset(counts, 0, PM_RECON_NSTATUS * sizeof *counts);
	rc = match_refunds(&w, e);
	for (size_t i = 0; i < r->n && rc == PM_OK; i++)
		rc = r->e[i].amount > 0 ? statement_entry(&w, &r->e[i], e) : statement_refund(&w, &r->e[i], e);
	if (rc == PM_OK && r->n)
		rc = store_only(&w, e);
	return rc;
}
