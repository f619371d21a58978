/* contract: terms that never change, their periods charged once each into
 * the owners' common accounts, terminations credited by days, payments in
 * and out. The contract_charge table says what each period charged; the
 * ledger holds the money; pm check keeps the two equal (contract.ledger,
 * common.ledger) and the owners' money apart (common.apart). */
#include <stdio.h>
#include <string.h>

#include "bill-internal.h"
#include "pm/audit.h"
#include "pm/bill.h"
#include "pm/contract.h"
#include "pm/i18n.h"
#include "pm/ledger.h"
#include "pm/money.h"

const char *const pm_contract_kinds[] = {"income", "expense", NULL};
const char *const pm_contract_everys[] = {"month", "quarter", "year", NULL};

static const int every_months[] = {1, 3, 12};

/* A contract as the periods are worked out from it. */
struct terms {
	int64_t id, amount;
	int32_t from, to, ended; /* ended: -1 when running */
	int months, income;
	char party[256];
};

static int word_of(const char *s, const char *const *words)
{
	for (int i = 0; s && words[i]; i++)
		if (strcmp(s, words[i]) == 0)
			return i;
	return -1;
}

int pm_contract_check(const struct pm_contract_new *c, struct pm_err *e)
{
	if (!c->party || !*c->party || !c->object || !*c->object)
		return pm_err_set(e, PM_EUSAGE, _("a contract names its --party and --object"));
	if (word_of(c->kind, pm_contract_kinds) < 0)
		return pm_err_set(e, PM_EUSAGE, _("--kind: expected income or expense, not '%s'"), c->kind ? c->kind : "");
	if (word_of(c->every, pm_contract_everys) < 0)
		return pm_err_set(e, PM_EUSAGE, _("--every: expected month, quarter or year, not '%s'"),
				  c->every ? c->every : "");
	if (c->to < c->from)
		return pm_err_set(e, PM_EUSAGE, _("--to is before --from"));
	if (c->to - c->from > 100 * 366)
		return pm_err_set(e, PM_EUSAGE, _("a contract of at most 100 years"));
	if (c->amount <= 0)
		return pm_err_set(e, PM_EUSAGE, _("--amount: more than 0 a period"));
	return PM_OK;
}

/* day moved by months, its day of the month kept or, in a shorter month,
 * the month's last: the periods of a contract from the 31st end on the
 * 30th, the 28th, ... and start again on the 31st. */
static int32_t add_months(int32_t day, int months)
{
	char buf[PM_TIME_BUF];
	struct pm_period p;
	int y, m, d;
	int32_t out = day;

	if (sscanf(pm_date_fmt(day, buf), "%d-%d-%d", &y, &m, &d) != 3)
		return day;
	p = pm_period_add((struct pm_period){y, m}, months);
	if (d > pm_period_days(p))
		d = pm_period_days(p);
	snprintf(buf, sizeof buf, "%04d-%02d-%02d", p.year, p.month, d);
	pm_date_parse(buf, &out, NULL);
	return out;
}

/* Period k of t: its first and last day, and what it charges: the whole
 * amount for a period inside the term, else the days inside the term's
 * share of it by the largest remainder. */
static int period(const struct terms *t, int k, int32_t *start, int32_t *end, int32_t *days, int64_t *amount)
{
	int32_t next, last = t->ended >= 0 ? t->ended : t->to;
	int64_t w[2], part[2];

	*start = add_months(t->from, k * t->months);
	next = add_months(t->from, (k + 1) * t->months);
	*end = next - 1;
	*days = (*end < last ? *end : last) - *start + 1;
	if (*days < 0)
		*days = 0;
	w[0] = *days;
	w[1] = next - *start - *days;
	if (pm_money_split(t->amount, w, 2, part))
		return PM_EDATA;
	*amount = part[0];
	return PM_OK;
}

static int read_terms(struct pm_db *db, int64_t id, struct terms *t, struct pm_err *e)
{
	static const char sql[] =
		"SELECT id, amount_fen, from_date, to_date, coalesce(ended, ''), every, kind, party FROM contract WHERE id = ?";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		t->id = sqlite3_column_int64(st, 0);
		t->amount = sqlite3_column_int64(st, 1);
		pm_date_parse(TEXT(st, 2), &t->from, NULL);
		pm_date_parse(TEXT(st, 3), &t->to, NULL);
		t->ended = -1;
		if (*TEXT(st, 4))
			pm_date_parse(TEXT(st, 4), &t->ended, NULL);
		t->months = every_months[word_of(TEXT(st, 5), pm_contract_everys)];
		t->income = strcmp(TEXT(st, 6), "income") == 0;
		snprintf(t->party, sizeof t->party, "%s", TEXT(st, 7));
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return pm_err_set(e, PM_EDATA, _("no contract %lld"), (long long)id);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot read contracts"));
}

/* ---- the ledger ---- */

/* A charge (amount > 0) or credit (< 0) moves money between the party's
 * account and the owners' common one; a payment (channel set) between
 * the party's account and the cash. Signs follow the money: an income
 * contract's party owes (debit), an expense contract's is owed. */
static int post(struct pm_db *db, const struct terms *t, int64_t amount, const char *channel, int64_t *journal,
		struct pm_err *e)
{
	struct pm_posting p[2];
	int64_t s = t->income ? 1 : -1;
	char id[24], ref[48];

	snprintf(id, sizeof id, "%lld", (long long)t->id);
	snprintf(ref, sizeof ref, "contract:%s", id);
	if (channel) {
		pm_posting_set(&p[0], "contract", id, -s * amount);
		pm_posting_set(&p[1], "cash", channel, s * amount);
	} else {
		pm_posting_set(&p[0], "contract", id, s * amount);
		pm_posting_set(&p[1], "common", t->income ? "income" : "expense", -s * amount);
	}
	return pm_ledger_post(db, "contract", ref, t->party, p, 2, journal, e);
}

struct entry {
	const char *kind, *channel, *ref;
	int32_t start, end, days;
	int64_t amount;
};

/* Posts x and records it: PM_OK, or the error. */
static int record(struct pm_db *db, const struct terms *t, const struct entry *x, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO contract_charge (contract_id, period_start, period_end, kind, days, amount_fen, channel, ref,"
		" journal_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	char a[PM_TIME_BUF], b[PM_TIME_BUF];
	sqlite3_stmt *st;
	int64_t journal;

	if (post(db, t, x->amount, x->channel, &journal, e) || !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, t->id);
	sqlite3_bind_text(st, 2, pm_date_fmt(x->start, a), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, pm_date_fmt(x->end, b), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, x->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, x->days);
	sqlite3_bind_int64(st, 6, x->amount);
	sqlite3_bind_text(st, 7, x->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, x->ref, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, journal);
	sqlite3_bind_int64(st, 10, pm_now());
	return pm_db_step_done(db, st, _("cannot record the contract's charge"), e);
}

/* What period start of contract id charged: 1 with *amount, 0 when it
 * is not charged, or -code. */
static int charged(struct pm_db *db, int64_t id, int32_t start, int64_t *amount, struct pm_err *e)
{
	static const char sql[] =
		"SELECT amount_fen FROM contract_charge WHERE contract_id = ?1 AND period_start = ?2 AND kind = 'charge'";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char day[PM_TIME_BUF];
	int rc;

	if (!st)
		return -e->code;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, pm_date_fmt(start, day), -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*amount = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -pm_db_fail(db, e, _("cannot read the contract's charges"));
	return rc == SQLITE_ROW;
}

/* ---- records ---- */

#define CONTRACT_COLS \
	"SELECT c.id, c.party, c.kind, c.object, c.from_date, c.to_date, c.every, c.amount_fen, c.ended," \
	" c.end_reason, c.renews," \
	" coalesce((SELECT sum(amount_fen) FROM contract_charge x WHERE x.contract_id = c.id AND x.kind <> 'payment'), 0)," \
	" coalesce((SELECT sum(amount_fen) FROM contract_charge x WHERE x.contract_id = c.id AND x.kind = 'payment'), 0)," \
	" CAST(julianday(coalesce(c.ended, c.to_date)) - julianday(?1) AS INTEGER)," \
	" c.ended IS NULL AND NOT EXISTS (SELECT 1 FROM contract r WHERE r.renews = c.id) AS running" \
	" FROM contract c"

static json_t *contract_json(sqlite3_stmt *st, void *rctx)
{
	int64_t left = sqlite3_column_int64(st, 13);
	int expiring = sqlite3_column_int(st, 14) && left >= 0 && left <= *(const int *)rctx;

	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:b}",
			 "type", "contract", "contract", (json_int_t)sqlite3_column_int64(st, 0), "party", TEXT(st, 1),
			 "kind", TEXT(st, 2), "object", TEXT(st, 3), "from", TEXT(st, 4), "to", TEXT(st, 5),
			 "every", TEXT(st, 6), "amount_fen", (json_int_t)sqlite3_column_int64(st, 7),
			 "ended", pm_db_json_text(st, 8), "end_reason", pm_db_json_text(st, 9),
			 "renews", sqlite3_column_type(st, 10) == SQLITE_NULL ? json_null()
					: json_integer(sqlite3_column_int64(st, 10)),
			 "charged_fen", (json_int_t)sqlite3_column_int64(st, 11),
			 "paid_fen", (json_int_t)sqlite3_column_int64(st, 12),
			 "balance_fen", (json_int_t)(sqlite3_column_int64(st, 11) - sqlite3_column_int64(st, 12)),
			 "days_left", (json_int_t)left, "expiring", expiring);
}

/* The days ahead a contract's end is told as near. */
#define EXPIRING_DAYS 60

static int collect(void *ctx, json_t *rec)
{
	json_t **out = ctx;

	*out = json_incref(rec);
	return PM_OK;
}

static int contract_get(struct pm_db *db, int64_t id, json_t **out, struct pm_err *e)
{
	static const char sql[] = CONTRACT_COLS " WHERE c.id = ?2";
	static const int near = EXPIRING_DAYS;
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char day[PM_TIME_BUF];

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, pm_date_fmt(pm_db_today(db), day), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	return pm_db_each(db, st, contract_json, (void *)&near, collect, out, _("cannot read contracts"), e);
}

int pm_contract_each(struct pm_db *db, int32_t today, int expiring, int (*fn)(void *ctx, json_t *rec), void *ctx,
		     struct pm_err *e)
{
	static const char sql[] = CONTRACT_COLS
		" WHERE ?2 < 0 OR (running AND julianday(c.to_date) - julianday(?1) BETWEEN 0 AND ?2) ORDER BY c.id";
	int near = expiring >= 0 ? expiring : EXPIRING_DAYS;
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char day[PM_TIME_BUF];

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, pm_date_fmt(today, day), -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, expiring);
	return pm_db_each(db, st, contract_json, &near, fn, ctx, _("cannot read contracts"), e);
}

/* ---- add, renew, terminate ---- */

static int insert(struct pm_db *db, const struct pm_contract_new *c, int64_t renews, int64_t *id, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO contract (party, kind, object, from_date, to_date, amount_fen, every, renews, by_user,"
		" created_at) VALUES (?, ?, ?, ?, ?, ?, ?, nullif(?, 0), ?, ?)";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char from[PM_TIME_BUF], to[PM_TIME_BUF];

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, c->party, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->object, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, pm_date_fmt(c->from, from), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, pm_date_fmt(c->to, to), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, c->amount);
	sqlite3_bind_text(st, 7, c->every, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, renews);
	sqlite3_bind_text(st, 9, pm_db_actor(db), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, pm_now());
	if (pm_db_step_done(db, st, _("cannot record the contract"), e))
		return e->code;
	*id = sqlite3_last_insert_rowid(pm_db_sqlite(db));
	return PM_OK;
}

/* The contract as it stands with the fields of more (taken; NULL for
 * none), audited as action. */
static int told(struct pm_db *db, int64_t id, const char *action, json_t *before, json_t *more, json_t **out,
		struct pm_err *e)
{
	char object[40];

	if (contract_get(db, id, out, e)) {
		json_decref(more);
		return e->code;
	}
	if (more && json_object_update(*out, more)) {
		json_decref(more);
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	}
	json_decref(more);
	snprintf(object, sizeof object, "contract:%lld", (long long)id);
	return pm_audit_log(db, action, object, before, *out, e);
}

static int add(struct pm_db *db, const struct pm_contract_new *c, int64_t renews, json_t **out, struct pm_err *e)
{
	int64_t id = 0;

	if (pm_bill_bound_today(db, c->amount, _("amount"), e) || insert(db, c, renews, &id, e))
		return e->code;
	return told(db, id, renews ? "bill.contract.renew" : "bill.contract.add", NULL, NULL, out, e);
}

/* Runs fn in a write transaction; *out is dropped when it fails. */
static int in_write(struct pm_db *db, int rc, json_t **out, struct pm_err *e)
{
	if ((rc = pm_db_end(db, rc, e))) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

int pm_contract_add(struct pm_db *db, const struct pm_contract_new *c, json_t **out, struct pm_err *e)
{
	*out = NULL;
	if (pm_contract_check(c, e) || pm_db_begin(db, e))
		return e->code;
	return in_write(db, add(db, c, 0, out, e), out, e);
}

static int renew(struct pm_db *db, int64_t id, int32_t to, int64_t amount, json_t **out, struct pm_err *e)
{
	static const char sql[] =
		"SELECT party, kind, object, every, EXISTS (SELECT 1 FROM contract r WHERE r.renews = c.id)"
		" FROM contract c WHERE c.id = ?";
	char party[256], kind[16], object[256], every[16], day[PM_TIME_BUF];
	struct pm_contract_new c = {.party = party, .kind = kind, .object = object, .every = every, .to = to};
	sqlite3_stmt *st;
	struct terms t;
	int rc, renewed;

	if (read_terms(db, id, &t, e) || !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	if (t.ended >= 0)
		return pm_err_set(e, PM_EDATA, _("contract %lld was terminated: make a new one"), (long long)id);
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(party, sizeof party, "%s", TEXT(st, 0));
		snprintf(kind, sizeof kind, "%s", TEXT(st, 1));
		snprintf(object, sizeof object, "%s", TEXT(st, 2));
		snprintf(every, sizeof every, "%s", TEXT(st, 3));
		renewed = sqlite3_column_int(st, 4);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return pm_db_fail(db, e, _("cannot read contracts"));
	if (renewed)
		return pm_err_set(e, PM_EDATA, _("contract %lld is renewed already"), (long long)id);
	c.from = t.to + 1;
	c.amount = amount ? amount : t.amount;
	if (to <= t.to)
		return pm_err_set(e, PM_EUSAGE, _("--to: the renewal runs from %s"), pm_date_fmt(c.from, day));
	if (pm_contract_check(&c, e))
		return e->code;
	return add(db, &c, id, out, e);
}

int pm_contract_renew(struct pm_db *db, int64_t id, int32_t to, int64_t amount, json_t **out, struct pm_err *e)
{
	*out = NULL;
	if (amount < 0)
		return pm_err_set(e, PM_EUSAGE, _("--amount: more than 0 a period"));
	if (pm_db_begin(db, e))
		return e->code;
	return in_write(db, renew(db, id, to, amount, out, e), out, e);
}

static int set_end(struct pm_db *db, int64_t id, int32_t last, const char *reason, struct pm_err *e)
{
	static const char sql[] = "UPDATE contract SET ended = ?2, end_reason = ?3 WHERE id = ?1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char day[PM_TIME_BUF];

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, pm_date_fmt(last, day), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
	return pm_db_step_done(db, st, _("cannot end the contract"), e);
}

/* Each period charged beyond last is credited what it charged beyond its
 * share of the days up to last. */
static int credit(struct pm_db *db, const struct terms *t, int32_t last, struct pm_err *e)
{
	struct terms now = *t;
	struct entry x = {.kind = "credit"};
	int64_t was, share;
	int found;

	now.ended = last;
	for (int k = 0;; k++) {
		if (period(&now, k, &x.start, &x.end, &x.days, &share))
			return pm_err_set(e, PM_ESOFTWARE, _("contract %lld: a period cannot be split"), (long long)t->id);
		if (x.start > t->to)
			return PM_OK;
		if ((found = charged(db, t->id, x.start, &was, e)) < 0)
			return -found;
		if (!found || share == was)
			continue;
		x.amount = share - was;
		if (record(db, t, &x, e))
			return e->code;
	}
}

/* The contract renewing id: 1 with *next, 0 when none, or -code. */
static int renewal(struct pm_db *db, int64_t id, int64_t *next, struct pm_err *e)
{
	static const char sql[] = "SELECT id FROM contract WHERE renews = ?";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return -e->code;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*next = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -pm_db_fail(db, e, _("cannot read contracts"));
	return rc == SQLITE_ROW;
}

/* Ends t after last, credited the days not used, audited; *out as
 * told. */
static int end_one(struct pm_db *db, const struct terms *t, int32_t last, const char *reason, json_t *more,
		   json_t **out, struct pm_err *e)
{
	json_t *before = NULL;
	int rc;

	if (contract_get(db, t->id, &before, e)) {
		json_decref(more);
		return e->code;
	}
	rc = credit(db, t, last, e);
	if (rc == PM_OK)
		rc = set_end(db, t->id, last, reason, e);
	if (rc == PM_OK)
		rc = told(db, t->id, "bill.contract.terminate", before, more, out, e);
	else
		json_decref(more);
	json_decref(before);
	return rc;
}

/* The renewals of t (each renewing the one before) end with it after
 * last, before their first day: they never charge, and one a run has
 * charged already (terminated after that day) is credited all it
 * charged, as t is for its days beyond last. Each is audited and its id
 * appended to ended. A renewal terminated on its own ran, so t ran to
 * its end and cannot end before. */
static int end_renewals(struct pm_db *db, const struct terms *t, int32_t last, const char *reason, json_t *ended,
			struct pm_err *e)
{
	char day[PM_TIME_BUF];
	struct terms r;
	int64_t id = t->id, next = 0;
	json_t *out;
	int found;

	while ((found = renewal(db, id, &next, e)) > 0) {
		if (read_terms(db, next, &r, e))
			return e->code;
		if (r.ended >= 0)
			return pm_err_set(e, PM_EDATA, _("contract %lld, which follows contract %lld, was terminated after %s:"
							 " contract %lld ran to its end"), (long long)next,
					  (long long)t->id, pm_date_fmt(r.ended, day), (long long)t->id);
		if (end_one(db, &r, last, reason, NULL, &out, e))
			return e->code;
		json_decref(out);
		if (json_array_append_new(ended, json_integer(next)))
			return pm_err_set(e, PM_EFAIL, _("out of memory"));
		id = next;
	}
	return found < 0 ? -found : PM_OK;
}

static int terminate(struct pm_db *db, int64_t id, int32_t last, const char *reason, json_t **out, struct pm_err *e)
{
	json_t *ended = json_array();
	struct terms t;
	char day[PM_TIME_BUF];

	if (!ended)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	if (read_terms(db, id, &t, e))
		goto fail;
	if (t.ended >= 0) {
		pm_err_set(e, PM_EDATA, _("contract %lld was terminated already, after %s"), (long long)id,
			   pm_date_fmt(t.ended, day));
		goto fail;
	}
	if (last < t.from || last >= t.to) {
		pm_err_set(e, PM_EDATA, _("contract %lld runs from %s to %s: it can end on a day from the first"
					  " to the day before the last"), (long long)id,
			   pm_date_fmt(t.from, day), pm_date_fmt(t.to, (char[PM_TIME_BUF]){0}));
		goto fail;
	}
	if (end_renewals(db, &t, last, reason, ended, e))
		goto fail;
	return end_one(db, &t, last, reason, json_pack("{s:o}", "ended_with", ended), out, e);
fail:
	json_decref(ended);
	return e->code;
}

int pm_contract_terminate(struct pm_db *db, int64_t id, int32_t last, const char *reason, json_t **out,
			  struct pm_err *e)
{
	*out = NULL;
	if (!reason || !*reason)
		return pm_err_set(e, PM_EUSAGE, _("--reason: say why the contract ends"));
	if (pm_db_begin(db, e))
		return e->code;
	return in_write(db, terminate(db, id, last, reason, out, e), out, e);
}

/* ---- payments ---- */

static json_t *payment_json(const struct terms *t, int64_t amount, const char *channel, const char *ref,
			    int64_t balance, const char *outcome)
{
	return json_pack("{s:s, s:I, s:s, s:I, s:s, s:s?, s:I, s:s}", "type", "contract_payment", "contract",
			 (json_int_t)t->id, "kind", t->income ? "income" : "expense", "amount_fen", (json_int_t)amount,
			 "channel", channel, "ref", ref, "balance_fen", (json_int_t)balance, "outcome", outcome);
}

/* What is still owed on the contract, by or to its party. */
static int owed(struct pm_db *db, const struct terms *t, int64_t *fen, struct pm_err *e)
{
	char account[40];

	snprintf(account, sizeof account, "contract:%lld", (long long)t->id);
	if (pm_ledger_balance(db, account, fen, e))
		return e->code;
	if (!t->income)
		*fen = -*fen;
	return PM_OK;
}

/* A payment with no ref: 1 when the same amount through the same channel
 * was recorded for the contract within payments.cash_repeat (the command
 * run twice), 0 when not, or -code. */
static int paid_just_now(struct pm_db *db, const struct terms *t, int64_t amount, const char *channel,
			 struct pm_err *e)
{
	static const char sql[] =
		"SELECT 1 FROM contract_charge WHERE contract_id = ?1 AND kind = 'payment' AND ref IS NULL"
		" AND channel = ?2 AND amount_fen = ?3 AND at >= ?4";
	sqlite3_stmt *st;
	int64_t since;
	int rc;

	if (pm_pay_repeat_since(db, &since, e) || !(st = pm_db_stmt(db, sql, e)))
		return -e->code;
	sqlite3_bind_int64(st, 1, t->id);
	sqlite3_bind_text(st, 2, channel, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, amount);
	sqlite3_bind_int64(st, 4, since);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -pm_db_fail(db, e, _("cannot read the contract's charges"));
	return rc == SQLITE_ROW;
}

/* 1 when (channel, ref) is recorded as this payment, 0 when new, or
 * -code: the same reference for another contract or amount is PM_EDATA
 * saying what it is, as a bill payment's (lib/payment.c). With no ref,
 * paid_just_now unless again. */
static int paid_before(struct pm_db *db, const struct terms *t, int64_t amount, const char *channel,
		       const char *ref, int again, struct pm_err *e)
{
	static const char sql[] =
		"SELECT contract_id, amount_fen FROM contract_charge WHERE channel = ?1 AND ref = ?2 AND kind = 'payment'";
	char was[PM_MONEY_BUF], is[PM_MONEY_BUF];
	sqlite3_stmt *st;
	int64_t other = 0;
	int rc, same = 0;

	if (!ref)
		return again ? 0 : paid_just_now(db, t, amount, channel, e);
	if (!(st = pm_db_stmt(db, sql, e)))
		return -e->code;
	sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ref, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		other = sqlite3_column_int64(st, 0);
		same = other == t->id && sqlite3_column_int64(st, 1) == amount;
		pm_money_fmt(sqlite3_column_int64(st, 1), was);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return -pm_db_fail(db, e, _("cannot read the contract's charges"));
	if (!same)
		return -pm_err_set(e, PM_EDATA, _("payment '%s:%s' is already recorded for contract %lld with amount %s:"
						  " this one is for contract %lld with amount %s"),
				   channel, ref, (long long)other, was, (long long)t->id, pm_money_fmt(amount, is));
	return 1;
}

static int pay(struct pm_db *db, int64_t id, int64_t amount, const char *channel, const char *ref, int again,
	       json_t **out, struct pm_err *e)
{
	struct entry x = {.kind = "payment", .channel = channel, .ref = ref, .amount = amount};
	char buf[PM_MONEY_BUF], object[40];
	struct terms t;
	int64_t balance;
	int rc;

	if (read_terms(db, id, &t, e) || pm_bill_bound_today(db, amount, _("amount"), e) || pm_pay_channel(db, channel, e))
		return e->code;
	if ((rc = paid_before(db, &t, amount, channel, ref, again, e)) != 0) {
		if (rc < 0 || owed(db, &t, &balance, e))
			return rc < 0 ? -rc : e->code;
		*out = payment_json(&t, amount, channel, ref, balance, "duplicate");
		return PM_OK;
	}
	if (ref && (rc = pm_pay_ref_used(db, channel, ref, e)))
		return -rc;
	if (owed(db, &t, &balance, e))
		return e->code;
	/* A contract paid ahead and terminated has its party owed money back
	 * (an expense one's party owes it): pm has no payment the other way,
	 * so the message says to settle it outside. */
	if (balance < 0)
		return pm_err_set(e, PM_EDATA,
				  t.income ? _("contract %lld: nothing is owed, '%s' is owed %s back: pm pays a"
					       " contract's party nothing back, so settle it outside pm")
					   : _("contract %lld: nothing is owed, '%s' owes %s back: pm takes nothing"
					       " back from a contract's party, so settle it outside pm"),
				  (long long)id, t.party, pm_money_display(-balance, buf));
	if (amount > balance)
		return pm_err_set(e, PM_EDATA, _("contract %lld: %s is owed, not more"), (long long)id,
				  pm_money_display(balance, buf));
	x.start = x.end = pm_db_today(db);
	if (record(db, &t, &x, e))
		return e->code;
	*out = payment_json(&t, amount, channel, ref, balance - amount, "recorded");
	snprintf(object, sizeof object, "contract:%lld", (long long)id);
	return pm_audit_log(db, "bill.contract.pay", object, NULL, *out, e);
}

int pm_contract_pay(struct pm_db *db, int64_t id, int64_t amount, const char *channel, const char *ref,
		    int again, json_t **out, struct pm_err *e)
{
	*out = NULL;
	if (amount <= 0)
		return pm_err_set(e, PM_EUSAGE, _("--amount: more than 0"));
	if (ref && !*ref)
		return pm_err_set(e, PM_EUSAGE, _("--ref: empty"));
	if ((ref && pm_pay_ref_valid("--ref", ref, e)) || pm_db_begin(db, e))
		return e->code;
	return in_write(db, pay(db, id, amount, channel, ref, again, out, e), out, e);
}

/* ---- the scheduled run ---- */

static int run_one(struct pm_db *db, struct pm_contract_run *r, const struct terms *t, struct pm_err *e)
{
	struct entry x = {.kind = "charge"};
	int32_t last = t->ended >= 0 ? t->ended : t->to;
	char a[PM_TIME_BUF], b[PM_TIME_BUF];
	int64_t was;
	json_t *rec;
	int found, rc;

	for (int k = 0;; k++) {
		if (period(t, k, &x.start, &x.end, &x.days, &x.amount))
			return pm_err_set(e, PM_ESOFTWARE, _("contract %lld: a period cannot be split"), (long long)t->id);
		if (x.start > r->as_of || x.start > last)
			return PM_OK;
		if ((found = charged(db, t->id, x.start, &was, e)) < 0)
			return -found;
		if (found || !x.amount)
			continue;
		if (record(db, t, &x, e))
			return e->code;
		r->charged++;
		if (pm_money_add(t->income ? &r->income : &r->expense, x.amount, e))
			return e->code;
		rec = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:i, s:I}", "type", "contract_charge", "contract",
				(json_int_t)t->id, "party", t->party, "kind", t->income ? "income" : "expense",
				"period_start", pm_date_fmt(x.start, a), "period_end", pm_date_fmt(x.end, b),
				"days", x.days, "amount_fen", (json_int_t)x.amount);
		rc = rec && r->fn ? r->fn(r->ctx, rec) : rec ? PM_OK : pm_err_set(e, PM_EFAIL, _("out of memory"));
		json_decref(rec);
		if (rc)
			return rc;
	}
}

static int run(struct pm_db *db, struct pm_contract_run *r, struct pm_err *e)
{
	static const char sql[] = "SELECT id FROM contract WHERE from_date <= ?1 ORDER BY id";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char day[PM_TIME_BUF];
	json_t *ids = json_array(), *v, *after;
	struct terms t;
	size_t i;
	int rc;

	if (!st || !ids) {
		json_decref(ids);
		return st ? pm_err_set(e, PM_EFAIL, _("out of memory")) : e->code;
	}
	sqlite3_bind_text(st, 1, pm_date_fmt(r->as_of, day), -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(ids, json_integer(sqlite3_column_int64(st, 0)));
	sqlite3_reset(st);
	rc = rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read contracts"));
	json_array_foreach(ids, i, v)
		if (rc == PM_OK && (rc = read_terms(db, json_integer_value(v), &t, e)) == PM_OK)
			rc = run_one(db, r, &t, e);
	json_decref(ids);
	if (rc)
		return rc;
	after = json_pack("{s:s, s:I, s:I, s:I}", "as_of", day, "charged", (json_int_t)r->charged,
			  "income_fen", (json_int_t)r->income, "expense_fen", (json_int_t)r->expense);
	rc = pm_audit_log(db, "bill.contract.run", "contracts", NULL, after, e);
	json_decref(after);
	return rc;
}

int pm_contract_run(struct pm_db *db, struct pm_contract_run *r, struct pm_err *e)
{
	int rc;

	r->charged = 0;
	r->income = r->expense = 0;
	if (pm_db_begin(db, e))
		return e->code;
	if ((rc = pm_db_end(db, run(db, r, e), e)))
		r->charged = 0;
	return rc;
}
