/* payorder: online payment orders in the store, and what the channels
 * said of them recorded through the same idempotent path as pm-bill pay.
 * Nothing here signs or talks to a channel (lib/pay-*.c, libpm-pay). */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "pm/audit.h"
#include "pm/bill.h"
#include "pm/community.h"
#include "pm/config.h"
#include "pm/i18n.h"
#include "pm/money.h"
#include "pm/payorder.h"
#include "pm/timeutil.h"
#include "bill-internal.h"

#define ORDER_COLS \
	"SELECT o.out_trade_no, o.channel, u.code, o.amount_fen, o.status, o.qr, o.expires_at, o.created_at," \
	" o.transaction_id, o.payment_id, o.paid_at, o.closed_reason, (SELECT group_concat(code, ',') FROM" \
	" (SELECT b.code FROM pay_order_bill ob JOIN bill b ON b.id = ob.bill_id WHERE ob.order_id = o.id" \
	" ORDER BY ob.seq)), o.id, o.unit_id FROM pay_order o JOIN unit u ON u.id = o.unit_id"

static json_t *order_json(sqlite3_stmt *st, void *db)
{
	const char *tz = pm_db_tz(db);

	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
		"type", "pay_order", "order", TEXT(st, 0), "channel", TEXT(st, 1), "unit", TEXT(st, 2),
		"amount_fen", (json_int_t)sqlite3_column_int64(st, 3), "status", TEXT(st, 4),
		"bills", TEXT(st, 12) ? TEXT(st, 12) : "", "qr", pm_db_json_text(st, 5),
		"expires", pm_db_json_time(st, 6, tz), "created", pm_db_json_time(st, 7, tz),
		"transaction", pm_db_json_text(st, 8),
		"payment", pm_db_json_int(st, 9),
		"paid", pm_db_json_time(st, 10, tz), "closed_reason", pm_db_json_text(st, 11));
}

/* The order's row in *st (reset it after reading): PM_OK, or PM_EDATA
 * when there is none. */
static int order_row(struct pm_db *db, const char *no, sqlite3_stmt **st, struct pm_err *e)
{
	static const char sql[] = ORDER_COLS " WHERE o.out_trade_no = ?1";
	int rc = pm_db_row(db, sql, no, st, N_("cannot read payment orders"), e);

	if (rc < 0)
		return -rc;
	return rc ? PM_OK : pm_err_set(e, PM_EDATA, _("unknown payment order '%s'"), no);
}

int pm_pay_order_get(struct pm_db *db, const char *no, json_t **out, struct pm_err *e)
{
	sqlite3_stmt *st;

	*out = NULL;
	if (order_row(db, no, &st, e))
		return e->code;
	*out = order_json(st, db);
	sqlite3_reset(st);
	return *out ? PM_OK : pm_err_set(e, PM_EFAIL, _("out of memory"));
}

int pm_pay_order_each(struct pm_db *db, const struct pm_pay_filter *f, int (*fn)(void *ctx, json_t *order),
		      void *ctx, struct pm_err *e)
{
	static const char sql[] = ORDER_COLS
		" WHERE (?1 IS NULL OR u.code = ?1) AND (?2 IS NULL OR o.status = ?2) AND (?3 IS NULL OR o.channel = ?3)"
		" AND o.created_at >= ?4 ORDER BY o.id DESC";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, f->unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, f->channel, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, f->since);
	return pm_db_each(db, st, order_json, db, fn, ctx, _("cannot read payment orders"), e);
}

int pm_pay_order_waiting(struct pm_db *db, const char *unit, char no[PM_PAY_NO_MAX], int64_t *amount,
			 int64_t *expires, struct pm_err *e)
{
	static const char sql[] =
		"SELECT o.out_trade_no, o.amount_fen, o.expires_at FROM pay_order o JOIN unit u ON u.id = o.unit_id"
		" WHERE u.code = ?1 AND o.status = 'pending' AND o.qr IS NOT NULL AND o.expires_at > ?2"
		" ORDER BY o.id DESC LIMIT 1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return -e->code;
	sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, pm_now());
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(no, PM_PAY_NO_MAX, "%s", TEXT(st, 0));
		*amount = sqlite3_column_int64(st, 1);
		*expires = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -pm_db_fail(db, e, _("cannot read payment orders"));
	return rc == SQLITE_ROW;
}

int pm_pay_order_pending(struct pm_db *db, const char *channel, int64_t since,
			 int (*fn)(void *ctx, const char *no, int64_t expires), void *ctx, struct pm_err *e)
{
	static const char sql[] =
		"SELECT out_trade_no, expires_at FROM pay_order WHERE status = 'pending' AND channel = ?1"
		" AND created_at >= ?2 ORDER BY created_at, id";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	json_t *list = json_array(), *o;
	size_t i;
	int rc;

	if (!st) {
		json_decref(list);
		return e->code;
	}
	/* Read first: fn talks to the channel and writes the store. */
	sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(list, json_pack("[s, I]", TEXT(st, 0), (json_int_t)sqlite3_column_int64(st, 1)));
	sqlite3_reset(st);
	rc = rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read payment orders"));
	json_array_foreach(list, i, o)
		if (rc == PM_OK)
			rc = fn(ctx, json_string_value(json_array_get(o, 0)), json_integer_value(json_array_get(o, 1)));
	json_decref(list);
	return rc;
}

/* ---- making an order ---- */

/* An audit record of the order no; after is consumed. */
static int order_audit(struct pm_db *db, const char *action, const char *no, json_t *after, struct pm_err *e)
{
	char object[64];
	int rc;

	snprintf(object, sizeof object, "pay-order:%s", no);
	rc = pm_audit_log(db, action, object, NULL, after, e);
	json_decref(after);
	return rc;
}

/* The payments section in force today; the caller frees cfg. */
static json_t *payments(struct pm_db *db, struct pm_config **cfg, struct pm_err *e)
{
	json_t *p;

	if (pm_config_current(db, pm_date_of(pm_now(), pm_db_tz(db)), cfg, e))
		return NULL;
	if (!(p = pm_config_section(*cfg, "payments")))
		pm_err_set(e, PM_ESOFTWARE, _("the configuration has no payments section"));
	return p;
}

static int channel_ready(struct pm_db *db, json_t *pay, const char *channel, struct pm_err *e)
{
	if (strcmp(channel, "wechat") && strcmp(channel, "alipay"))
		return pm_err_set(e, PM_EDATA, _("unknown channel '%s': expected wechat or alipay"), channel);
	if (!json_object_get(pay, channel))
		return pm_err_set(e, PM_ECONFIG, _("payments.%s is not configured: see pm.yaml(5)"), channel);
	return pm_pay_channel(db, channel, e);
}

/* What the unit's issued bills owe together. */
static int unit_owes(struct pm_db *db, int64_t unit, int64_t *owed, struct pm_err *e)
{
	static const char sql[] =
		"SELECT coalesce(sum(total_fen + late_fen + adjust_fen - paid_fen), 0) FROM bill"
		" WHERE unit_id = ?1 AND status IN ('issued','partial')";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, unit);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*owed = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot read bills"));
}

/* The named bills: the unit's, each owing, none twice; *owed their sum. */
static int bills_owe(struct pm_db *db, const struct pm_pay_order *o, int64_t *ids, int64_t *owed, struct pm_err *e)
{
	struct pm_bill_row b;
	int64_t due;

	*owed = 0;
	for (size_t i = 0; i < o->nbills; i++) {
		if (pm_bill_row(db, o->bills[i], &b, e))
			return e->code;
		if (strcmp(b.unit, o->unit))
			return pm_err_set(e, PM_EDATA, _("bill '%s' is for unit '%s', not '%s'"), b.code, b.unit, o->unit);
		due = b.total + b.late + b.adjust - b.paid;
		if ((strcmp(b.status, "issued") && strcmp(b.status, "partial")) || due <= 0)
			return pm_err_set(e, PM_EDATA, _("bill '%s' is %s and owes nothing"), b.code, b.status);
		for (size_t j = 0; j < i; j++)
			if (ids[j] == b.id)
				return pm_err_set(e, PM_EUSAGE, _("bill '%s' is named twice"), b.code);
		ids[i] = b.id;
		if (pm_money_add(owed, due, e))
			return e->code;
	}
	return PM_OK;
}

/* A pending order for the same unit, channel, amount and bills with its
 * QR code and five minutes to go: copied into no, 1; else 0; or -code. */
static int same_pending(struct pm_db *db, const struct pm_pay_order *o, int64_t unit, int64_t amount,
			char no[PM_PAY_NO_MAX], struct pm_err *e)
{
	static const char sql[] =
		"SELECT o.out_trade_no, coalesce((SELECT group_concat(code, ',') FROM (SELECT b.code FROM pay_order_bill ob"
		" JOIN bill b ON b.id = ob.bill_id WHERE ob.order_id = o.id ORDER BY ob.seq)), '')"
		" FROM pay_order o WHERE o.unit_id = ?1 AND o.channel = ?2 AND o.amount_fen = ?3"
		" AND o.status = 'pending' AND o.qr IS NOT NULL AND o.expires_at > ?4 ORDER BY o.id DESC";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char want[2048] = "";
	size_t n = 0;
	int rc, found = 0;

	if (!st)
		return -e->code;
	for (size_t i = 0; i < o->nbills && n < sizeof want; i++)
		n += (size_t)snprintf(want + n, sizeof want - n, "%s%s", i ? "," : "", o->bills[i]);
	sqlite3_bind_int64(st, 1, unit);
	sqlite3_bind_text(st, 2, o->channel, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, amount);
	sqlite3_bind_int64(st, 4, pm_now() + 300);
	while (!found && (rc = sqlite3_step(st)) == SQLITE_ROW)
		if (strcmp(TEXT(st, 1), want) == 0) {
			snprintf(no, PM_PAY_NO_MAX, "%s", TEXT(st, 0));
			found = 1;
		}
	sqlite3_reset(st);
	if (!found && rc != SQLITE_DONE)
		return -pm_db_fail(db, e, _("cannot read payment orders"));
	return found;
}

static void new_no(struct pm_db *db, char no[PM_PAY_NO_MAX])
{
	unsigned char r[8];
	char day[PM_TIME_BUF], hex[17];

	randombytes_buf(r, sizeof r);
	sodium_bin2hex(hex, sizeof hex, r, sizeof r);
	for (char *p = hex; *p; p++)
		*p = (char)(*p >= 'a' ? *p - 'a' + 'A' : *p);
	pm_date_fmt(pm_date_of(pm_now(), pm_db_tz(db)), day);
	snprintf(no, PM_PAY_NO_MAX, "PM%.4s%.2s%.2s%s", day, day + 5, day + 8, hex);
}

static int order_insert(struct pm_db *db, const struct pm_pay_order *o, int64_t unit, int64_t amount,
			const int64_t *bills, int64_t expiry, char no[PM_PAY_NO_MAX], struct pm_err *e)
{
	static const char ins[] =
		"INSERT INTO pay_order (out_trade_no, channel, unit_id, amount_fen, status, expires_at, created_by,"
		" created_at, updated_at) VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?6, ?7, ?7)";
	static const char bill[] = "INSERT INTO pay_order_bill (order_id, seq, bill_id) VALUES (?1, ?2, ?3)";
	sqlite3_stmt *st = pm_db_stmt(db, ins, e);
	int64_t id, now = pm_now();

	if (!st)
		return e->code;
	new_no(db, no);
	sqlite3_bind_text(st, 1, no, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, o->channel, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, unit);
	sqlite3_bind_int64(st, 4, amount);
	sqlite3_bind_int64(st, 5, now + expiry);
	sqlite3_bind_text(st, 6, pm_db_actor(db), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, now);
	if (pm_bill_step_done(db, st, _("cannot record the payment order"), e))
		return e->code;
	id = sqlite3_last_insert_rowid(pm_db_sqlite(db));
	for (size_t i = 0; i < o->nbills; i++) {
		if (!(st = pm_db_stmt(db, bill, e)))
			return e->code;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, (int64_t)i + 1);
		sqlite3_bind_int64(st, 3, bills[i]);
		if (pm_bill_step_done(db, st, _("cannot record the payment order"), e))
			return e->code;
	}
	return PM_OK;
}

/* The order's amount: given, else what its bills or its unit owe;
 * within billing.max_amount. */
static int order_amount(struct pm_db *db, const struct pm_pay_order *o, int64_t unit, int64_t *bills,
			int64_t *amount, struct pm_err *e)
{
	struct pm_config *cfg;
	json_t *billing;
	int64_t owed = 0;
	int rc;

	if (o->nbills ? bills_owe(db, o, bills, &owed, e) : unit_owes(db, unit, &owed, e))
		return e->code;
	*amount = o->amount > 0 ? o->amount : owed;
	if (*amount <= 0)
		return pm_err_set(e, PM_EDATA, _("unit '%s' owes nothing: give --amount to pay ahead"), o->unit);
	if (pm_billing_config(db, pm_date_of(pm_now(), pm_db_tz(db)), &cfg, &billing, e))
		return e->code;
	rc = pm_bill_bound(billing, *amount, _("amount"), e);
	json_decref(billing);
	pm_config_free(cfg);
	return rc;
}

static int order_make(struct pm_db *db, struct pm_pay_order *o, int64_t expiry, char no[PM_PAY_NO_MAX],
		      struct pm_err *e)
{
	int64_t unit = 0, amount = 0, *bills = calloc(o->nbills ? o->nbills : 1, sizeof *bills);
	json_t *rec;
	int rc;

	if (!bills)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	if ((rc = pm_unit_id(db, o->unit, &unit, e)) == PM_OK)
		rc = order_amount(db, o, unit, bills, &amount, e);
	if (rc == PM_OK && (rc = same_pending(db, o, unit, amount, no, e)) != 0) {
		o->outcome = "existing";
		free(bills);
		return rc < 0 ? -rc : PM_OK;
	}
	if (rc == PM_OK)
		rc = order_insert(db, o, unit, amount, bills, expiry, no, e);
	free(bills);
	if (rc == PM_OK && (rc = pm_pay_order_get(db, no, &rec, e)) == PM_OK)
		rc = order_audit(db, "pay.order", no, rec, e);
	o->outcome = "made";
	return rc;
}

int pm_pay_order_new(struct pm_db *db, struct pm_pay_order *o, json_t **out, struct pm_err *e)
{
	struct pm_config *cfg;
	char no[PM_PAY_NO_MAX];
	json_t *pay;
	int64_t expiry;
	int rc;

	*out = NULL;
	if (!(pay = payments(db, &cfg, e))) {
		pm_config_free(cfg);
		return e->code;
	}
	rc = channel_ready(db, pay, o->channel, e);
	expiry = json_integer_value(json_object_get(pay, "order_expiry"));
	pm_config_free(cfg);
	if (rc || pm_db_begin(db, e))
		return e->code;
	if ((rc = order_make(db, o, expiry, no, e))) {
		pm_db_rollback(db);
		return rc;
	}
	if (pm_db_commit(db, e))
		return e->code;
	return pm_pay_order_get(db, no, out, e);
}

/* ---- what the channel said ---- */

static int step_changed(struct pm_db *db, sqlite3_stmt *st, const char *what, struct pm_err *e)
{
	if (pm_bill_step_done(db, st, what, e))
		return e->code;
	return sqlite3_changes(pm_db_sqlite(db)) ? PM_OK : pm_err_set(e, PM_EFAIL, "%s", what);
}

int pm_pay_order_qr(struct pm_db *db, const char *no, const char *qr, struct pm_err *e)
{
	static const char sql[] =
		"UPDATE pay_order SET qr = ?2, updated_at = ?3 WHERE out_trade_no = ?1 AND status = 'pending'";
	sqlite3_stmt *st;
	int rc;

	if (pm_db_begin(db, e))
		return e->code;
	if (!(st = pm_db_stmt(db, sql, e))) {
		pm_db_rollback(db);
		return e->code;
	}
	sqlite3_bind_text(st, 1, no, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, qr, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, pm_now());
	if ((rc = step_changed(db, st, _("the payment order is no longer pending"), e))) {
		pm_db_rollback(db);
		return rc;
	}
	return pm_db_commit(db, e);
}

/* The order as the store has it. */
struct order {
	int64_t id, amount, payment;
	char no[PM_PAY_NO_MAX], channel[16], unit[64], status[16], transaction[65];
	char *bills;       /* codes, comma-separated */
};

/* 1 with the order in *o, 0 when there is none, or -code. */
static int order_load(struct pm_db *db, const char *no, struct order *o, struct pm_err *e)
{
	sqlite3_stmt *st;
	int rc = order_row(db, no, &st, e);

	if (rc)
		return rc == PM_EDATA ? 0 : -rc;
	snprintf(o->no, sizeof o->no, "%s", TEXT(st, 0));
	snprintf(o->channel, sizeof o->channel, "%s", TEXT(st, 1));
	snprintf(o->unit, sizeof o->unit, "%s", TEXT(st, 2));
	o->amount = sqlite3_column_int64(st, 3);
	snprintf(o->status, sizeof o->status, "%s", TEXT(st, 4));
	snprintf(o->transaction, sizeof o->transaction, "%s", TEXT(st, 8) ? TEXT(st, 8) : "");
	o->payment = sqlite3_column_int64(st, 9);
	o->bills = strdup(TEXT(st, 12) ? TEXT(st, 12) : "");
	o->id = sqlite3_column_int64(st, 13);
	sqlite3_reset(st);
	return o->bills ? 1 : -pm_err_set(e, PM_EFAIL, _("out of memory"));
}

static int mark_paid(struct pm_db *db, const struct order *o, const struct pm_pay_event *ev, int64_t payment,
		     struct pm_err *e)
{
	static const char sql[] =
		"UPDATE pay_order SET status = 'paid', transaction_id = ?2, payment_id = ?3, paid_at = ?4,"
		" updated_at = ?5 WHERE id = ?1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, o->id);
	sqlite3_bind_text(st, 2, ev->transaction, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, payment);
	sqlite3_bind_int64(st, 4, ev->at);
	sqlite3_bind_int64(st, 5, pm_now());
	if (pm_bill_step_done(db, st, _("cannot update the payment order"), e))
		return e->code;
	return order_audit(db, "pay.paid", o->no, json_pack("{s:s, s:s, s:I, s:I}", "status", "paid", "transaction",
			   ev->transaction, "payment", (json_int_t)payment, "amount_fen", (json_int_t)ev->amount), e);
}

/* Splits the order's bill codes in place into a NULL-ended list. */
static const char **bill_list(char *codes, size_t *n)
{
	size_t cap = 1;
	const char **v;

	for (const char *p = codes; *p; p++)
		cap += *p == ',';
	if (!(v = calloc(cap + 1, sizeof *v)))
		return NULL;
	*n = 0;
	for (char *p = codes, *c; *p; p = c + 1) {
		v[(*n)++] = p;
		if (!(c = strchr(p, ',')))
			break;
		*c = '\0';
	}
	return v;
}

/* Paid: through pm_bill_pay, so (channel, transaction) is recorded once
 * whoever tells of it first. Bills the order named that were paid
 * meanwhile (cash at the desk) leave its money to the unit's prepaid
 * balance: "prepaid", so that the office hears the owner paid twice. */
static int record_paid(struct pm_db *db, struct order *o, const struct pm_pay_event *ev, const char **outcome,
		       struct pm_err *e)
{
	struct pm_pay p = {.unit = o->unit, .channel = o->channel, .ref = ev->transaction, .amount = ev->amount,
			   .at = ev->at ? ev->at : pm_now()};
	enum pm_pay_did did;
	json_t *rec;
	int rc;

	if (pm_pay_ref_valid(_("transaction id"), ev->transaction, e) ||
	    pm_bill_pay_time(db, p.at, _("the time the channel says it was paid"), e))
		return e->code;
	if (!(p.bills = bill_list(o->bills, &p.nbills)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	rc = pm_bill_pay(db, &p, &did, &rec, e);
	free((void *)p.bills);
	if (rc)
		return rc;
	rc = mark_paid(db, o, ev, json_integer_value(json_object_get(rec, "payment")), e);
	*outcome = did != PM_PAY_RECORDED ? "duplicate"
		   : *o->bills && json_integer_value(json_object_get(rec, "prepaid_fen")) > 0 ? "prepaid"
		   : "recorded";
	json_decref(rec);
	return rc;
}

static int mark_closed(struct pm_db *db, int64_t id, const char *no, const char *reason, struct pm_err *e)
{
	static const char sql[] =
		"UPDATE pay_order SET status = 'closed', closed_reason = ?2, updated_at = ?3 WHERE id = ?1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, pm_now());
	if (pm_bill_step_done(db, st, _("cannot update the payment order"), e))
		return e->code;
	return order_audit(db, "pay.close", no, json_pack("{s:s, s:s}", "status", "closed", "reason", reason), e);
}

/* The event against the order: PM_OK with *outcome, or PM_EDATA with
 * why it is refused. */
static int apply(struct pm_db *db, const char *channel, const struct pm_pay_event *ev, struct order *o,
		 const char **outcome, struct pm_err *e)
{
	char a[PM_MONEY_BUF], b[PM_MONEY_BUF], reason[64];
	int rc = order_load(db, ev->no, o, e);

	if (rc < 0)
		return -rc;
	if (rc == 0)
		return pm_err_set(e, PM_EDATA, _("no payment order '%s'"), ev->no);
	if (strcmp(o->channel, channel))
		return pm_err_set(e, PM_EDATA, _("payment order '%s' is a %s order, not %s"), o->no, o->channel, channel);
	if (ev->state == PM_PAY_WAITING || (ev->state == PM_PAY_CLOSED && strcmp(o->status, "pending"))) {
		*outcome = ev->state == PM_PAY_WAITING ? "waiting" : "duplicate";
		return PM_OK;
	}
	if (ev->state == PM_PAY_CLOSED) {
		snprintf(reason, sizeof reason, "%s %s", channel, ev->state_word);
		*outcome = "closed";
		return mark_closed(db, o->id, o->no, reason, e);
	}
	if (!ev->transaction[0])
		return pm_err_set(e, PM_EDATA, _("payment order '%s': paid, says the channel, with no transaction id"), o->no);
	if (strcmp(o->status, "paid") == 0) {
		if (strcmp(o->transaction, ev->transaction))
			return pm_err_set(e, PM_EDATA, _("payment order '%s' was paid by transaction '%s', not '%s'"), o->no,
					  o->transaction, ev->transaction);
		*outcome = "duplicate";
		return PM_OK;
	}
	if (ev->amount != o->amount)
		return pm_err_set(e, PM_EDATA, _("payment order '%s' is for %s, the channel says %s was paid"), o->no,
				  pm_money_fmt(o->amount, a), pm_money_fmt(ev->amount, b));
	return record_paid(db, o, ev, outcome, e);
}

static int refused(struct pm_db *db, const char *channel, const struct pm_pay_event *ev, const struct pm_err *why,
		   struct pm_err *e)
{
	char msg[PM_ERR_MSG_MAX];
	int rc;

	snprintf(msg, sizeof msg, "%s", why->msg);
	if (pm_db_begin(db, e))
		return e->code;
	rc = order_audit(db, "pay.refused", ev->no, json_pack("{s:s, s:s, s:s, s:I, s:s}", "channel", channel,
			 "transaction", ev->transaction, "state", ev->state_word, "amount_fen", (json_int_t)ev->amount,
			 "why", msg), e);
	if (rc) {
		pm_db_rollback(db);
		return rc;
	}
	return pm_db_commit(db, e) ? e->code : pm_err_set(e, PM_EDATA, "%s", msg);
}

int pm_pay_order_event(struct pm_db *db, const char *channel, const struct pm_pay_event *ev,
		       const char **outcome, json_t **out, struct pm_err *e)
{
	struct order o = {0};
	int rc;

	if (out)
		*out = NULL;
	*outcome = "refused";
	if (pm_db_begin(db, e))
		return e->code;
	rc = apply(db, channel, ev, &o, outcome, e);
	free(o.bills);
	if (rc) {
		pm_db_rollback(db);
		*outcome = "refused";
		return rc == PM_EDATA ? refused(db, channel, ev, e, e) : rc;
	}
	if (pm_db_commit(db, e))
		return e->code;
	return out ? pm_pay_order_get(db, ev->no, out, e) : PM_OK;
}

int pm_pay_order_close(struct pm_db *db, const char *no, const char *reason, struct pm_err *e)
{
	struct order o = {0};
	int rc;

	if (pm_db_begin(db, e))
		return e->code;
	rc = order_load(db, no, &o, e);
	free(o.bills);
	if (rc == 0)
		rc = -pm_err_set(e, PM_EDATA, _("unknown payment order '%s'"), no);
	else if (rc > 0 && strcmp(o.status, "paid") == 0)
		rc = -pm_err_set(e, PM_EFAIL, _("payment order '%s' is paid: refund it with pm-bill refund"), no);
	else if (rc > 0)
		rc = strcmp(o.status, "pending") ? PM_OK : -mark_closed(db, o.id, o.no, reason, e);
	if (rc) {
		pm_db_rollback(db);
		return -rc;
	}
	return pm_db_commit(db, e);
}

int pm_pay_order_may_read(struct pm_db *db, const struct pm_actor *a, const char *unit, struct pm_err *e)
{
	if (a->role != PM_ROLE_OWNER)
		return PM_OK;
	if (!unit)
		return pm_err_set(e, PM_ENOPERM, _("owners list orders with --unit CODE"));
	return pm_unit_may_read(db, a, unit, e);
}

int pm_pay_order_may_see(struct pm_db *db, const struct pm_actor *a, const char *no, struct pm_err *e)
{
	sqlite3_stmt *st;
	char unit[64];
	int64_t made, from;

	if (order_row(db, no, &st, e))
		return a->role == PM_ROLE_OWNER && e->code == PM_EDATA
			       ? pm_err_set(e, PM_ENOPERM, _("user '%s' may not see payment order '%s'"), a->login, no)
			       : e->code;
	snprintf(unit, sizeof unit, "%s", TEXT(st, 2));
	made = sqlite3_column_int64(st, 7);
	sqlite3_reset(st);
	if (pm_pay_order_may_read(db, a, unit, e) || pm_unit_may_read_from(db, a, unit, &from, e))
		return e->code;
	if (made < from)
		return pm_err_set(e, PM_ENOPERM, _("user '%s' may not see payment order '%s'"), a->login, no);
	return PM_OK;
}

int pm_pay_order_each_as(struct pm_db *db, const struct pm_actor *a, const struct pm_pay_filter *f,
			 int (*fn)(void *ctx, json_t *order), void *ctx, struct pm_err *e)
{
	struct pm_pay_filter mine = *f;
	int64_t from = INT64_MIN;

	if (pm_pay_order_may_read(db, a, f->unit, e) || (f->unit && pm_unit_may_read_from(db, a, f->unit, &from, e)))
		return e->code;
	if (from > mine.since)
		mine.since = from;
	return pm_pay_order_each(db, &mine, fn, ctx, e);
}
