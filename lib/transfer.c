/* transfer: an ownership transfer (过户) in one transaction: the open
 * bills checked, the prepaid balance and deposits carried or refunded,
 * the reward points carried or expired, the residences ended and begun,
 * one audit record. */
#include <string.h>

#include "pm/audit.h"
#include "pm/bill.h"
#include "pm/community.h"
#include "pm/deposit.h"
#include "pm/i18n.h"
#include "pm/ledger.h"
#include "pm/money.h"
#include "pm/parking.h"
#include "pm/reward.h"
#include "pm/timeutil.h"
#include "pm/transfer.h"
#include "pm/vote.h"
#include "bill-internal.h"
#include "repair-internal.h"

struct xfer {
	struct pm_db *db;
	const struct pm_transfer *t;
	int64_t unit, person;
	int32_t day;  /* the transfer's, days since 1970 */
	json_t *cfg;  /* billing.transfer */
	json_t *out;
	char why[128]; /* the evidence of what it gives back or ends */
};

/* The owners on the day, into "from"; 1 when the new owner is already
 * the only one, since that day: the same transfer again; PM_EDATA when
 * they are among the owners otherwise. */
static int owners(struct xfer *x, struct pm_err *e)
{
	static const char sql[] =
		"SELECT p.code, o.person_id = ?2 AND o.since = ?3, o.person_id = ?2 FROM occupancy o"
		" JOIN person p ON p.id = o.person_id"
		" WHERE o.unit_id = ?1 AND o.role = 'owner' AND " PM_OCCUPANCY_ON("o", "?3")
		" ORDER BY o.since, p.id";
	sqlite3_stmt *st = pm_db_stmt(x->db, sql, e);
	json_t *from = json_array();
	int rc, n = 0, same = 0, theirs = 0;

	if (!st) {
		json_decref(from);
		return -e->code;
	}
	sqlite3_bind_int64(st, 1, x->unit);
	sqlite3_bind_int64(st, 2, x->person);
	sqlite3_bind_text(st, 3, x->t->at, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_array_append_new(from, json_string(TEXT(st, 0)));
		same += sqlite3_column_int(st, 1);
		theirs += sqlite3_column_int(st, 2);
		n++;
	}
	sqlite3_reset(st);
	json_object_set_new(x->out, "from", from);
	if (rc != SQLITE_DONE)
		return -pm_db_fail(x->db, e, _("cannot read residences"));
	if (n == 1 && same == 1)
		return 1;
	if (theirs)
		return -pm_err_set(e, PM_EDATA, _("'%s' owns '%s' already"), x->t->to, x->t->unit);
	return 0;
}

/* Open bills into "settle"; PM_EDATA with the amount unless settle. */
static int open_bills(struct xfer *x, struct pm_err *e)
{
	static const char sql[] =
		"SELECT code, period, total_fen + late_fen + adjust_fen - paid_fen FROM bill"
		" WHERE unit_id = ? AND status IN ('issued','partial') ORDER BY due, period";
	sqlite3_stmt *st = pm_db_stmt(x->db, sql, e);
	json_t *list = json_array();
	char buf[PM_MONEY_BUF];
	int64_t owed = 0;
	int rc;

	if (!st) {
		json_decref(list);
		return e->code;
	}
	sqlite3_bind_int64(st, 1, x->unit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		owed += sqlite3_column_int64(st, 2);
		json_array_append_new(list, json_pack("{s:s, s:s, s:I}", "bill", TEXT(st, 0), "period", TEXT(st, 1),
						      "owed_fen", (json_int_t)sqlite3_column_int64(st, 2)));
	}
	sqlite3_reset(st);
	json_object_set_new(x->out, "open_fen", json_integer(owed));
	json_object_set_new(x->out, "settle", list);
	if (rc != SQLITE_DONE)
		return pm_db_fail(x->db, e, _("cannot read bills"));
	if (json_array_size(list) && !x->t->settle)
		return pm_err_set(e, PM_EDATA, _("unit '%s' owes %s on %zu open bills: they are paid first,"
						 " or --settle transfers and lists them"),
				  x->t->unit, pm_money_fmt(owed, buf), json_array_size(list));
	return PM_OK;
}

/* The prepaid balance paid back as pm-bill refund pays it, through
 * billing.transfer's channel: each payment its share of the balance
 * (pm_bill_refundable: newest first, the oldest money being what bills
 * took), each marked refunded by what it gave, so none of it can be
 * refunded again. "refunds" lists them. */
static int refund_prepaid(struct xfer *x, struct pm_err *e)
{
	const char *how = json_string_value(json_object_get(x->cfg, "prepaid"));
	const char *channel = json_string_value(json_object_get(x->cfg, "channel"));
	char account[PM_ACCOUNT_MAX], buf[PM_MONEY_BUF];
	int64_t balance, rest, payment, part;
	json_t *refunds, *one;
	int rc = PM_OK;

	pm_ledger_account(account, "prepaid", x->t->unit);
	if (pm_ledger_balance(x->db, account, &balance, e))
		return e->code;
	json_object_set_new(x->out, "prepaid_fen", json_integer(balance < 0 ? -balance : 0));
	json_object_set_new(x->out, "prepaid", json_string(strcmp(how, "refund") ? "carried" : "refunded"));
	if (strcmp(how, "refund") || balance >= 0)
		return PM_OK;
	json_object_set_new(x->out, "refunds", refunds = json_array());
	/* Asked again after each refund, which changes what it answers. */
	for (rest = -balance; rest > 0 && rc == PM_OK; rest -= part) {
		payment = 0;
		if (pm_bill_refundable(x->db, x->t->unit, rest, &payment, &part, e))
			return e->code;
		if (!payment)
			return pm_err_set(e, PM_EFAIL, _("unit '%s' holds %s prepaid that no payment of it has left to refund"),
					  x->t->unit, pm_money_fmt(rest, buf));
		part = part < rest ? part : rest;
		rc = pm_bill_refund_apply(x->db, payment, part, channel, "过户", &one, e);
		if (rc == PM_OK)
			json_array_append_new(refunds, json_pack("{s:I, s:I}", "payment", (json_int_t)payment, "amount_fen",
								 (json_int_t)part));
		json_decref(one);
	}
	return rc;
}

static int refund_deposits(struct xfer *x, struct pm_err *e)
{
	int refund = strcmp(json_string_value(json_object_get(x->cfg, "deposits")), "refund") == 0;
	char account[PM_ACCOUNT_MAX];
	struct pm_deposit d = {.action = PM_DEPOSIT_REFUND, .unit = x->t->unit, .reason = "过户",
			       .channel = json_string_value(json_object_get(x->cfg, "channel"))};
	int64_t balance, held = 0;
	json_t *moved;

	d.evidence = x->why;
	for (size_t i = 0; pm_deposit_kinds[i]; i++) {
		snprintf(account, sizeof account, "deposit:%s:%s", pm_deposit_kinds[i], x->t->unit);
		if (pm_ledger_balance(x->db, account, &balance, e) || pm_money_add(&held, -balance, e))
			return e->code;
		if (!refund || balance >= 0)
			continue;
		/* A renovation's deposit goes back as the renovation's, or its
		 * completion would give it back a second time; the rest as
		 * the unit's. */
		if (!strcmp(pm_deposit_kinds[i], "renovation") &&
		    (pm_renovation_sold(x->db, x->t->unit, d.channel, d.reason, d.evidence, e) ||
		     pm_ledger_balance(x->db, account, &balance, e)))
			return e->code;
		if (balance >= 0)
			continue;
		d.kind = pm_deposit_kinds[i];
		d.amount = -balance;
		if (pm_deposit_apply(x->db, &d, &moved, e))
			return e->code;
		json_decref(moved);
	}
	json_object_set_new(x->out, "deposits_fen", json_integer(held));
	json_object_set_new(x->out, "deposits", json_string(refund ? "refunded" : "carried"));
	return PM_OK;
}

/* The unit's reward points were earned by the old owner's payments and
 * are not money that can be paid back: carried, the new owner spends
 * them, so a sale says so ("points_balance"), and with points: expire
 * they end as pm-shop expire ends them (points_use 'expire'), but what a
 * web order holds now for its payment. */
static int unit_points(struct xfer *x, struct pm_err *e)
{
	int expire = pm_sale_ends_points(x->cfg);
	int64_t n = 0;
	json_t *balance;

	if (pm_points_balance(x->db, x->t->unit, &balance, e))
		return e->code;
	json_object_set(x->out, "points_balance", json_object_get(balance, "balance"));
	json_decref(balance);
	if (expire && pm_points_expire_unit(x->db, x->unit, x->t->unit, NULL, x->t->at, x->why, &n, e))
		return e->code;
	json_object_set_new(x->out, "points", json_string(expire ? "expired" : "carried"));
	json_object_set_new(x->out, "points_expired", json_integer(n));
	return PM_OK;
}

/* The owners and their family move out on the day, the new owner in. */
static int residences(struct xfer *x, struct pm_err *e)
{
	static const char end[] =
		"UPDATE occupancy SET until = ?2, updated_at = ?3 WHERE unit_id = ?1 AND role IN ('owner','family')"
		" AND " PM_OCCUPANCY_ON("occupancy", "?2");
	static const char add[] =
		"INSERT INTO occupancy (unit_id, person_id, role, since, created_at, updated_at)"
		" VALUES (?1, ?2, 'owner', ?3, ?4, ?4)";
	sqlite3_stmt *st;

	/* Votes closed before keep the owners they counted with. */
	if (pm_vote_settle(x->db, e) || !(st = pm_db_stmt(x->db, end, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, x->unit);
	sqlite3_bind_text(st, 2, x->t->at, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, pm_now());
	if (pm_db_step_done(x->db, st, _("cannot end the residence"), e) || !(st = pm_db_stmt(x->db, add, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, x->unit);
	sqlite3_bind_int64(st, 2, x->person);
	sqlite3_bind_text(st, 3, x->t->at, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, pm_now());
	return pm_db_step_done(x->db, st, _("cannot store the residence"), e);
}

/* Runs sql, a change of the unit's rows (?1) as of the start of the
 * transfer's day (?2), now ?3, and says in the record under key how many
 * rows it changed. */
static int end_at_day(struct xfer *x, const char *sql, const char *what, const char *key, struct pm_err *e)
{
	sqlite3_stmt *st = pm_db_stmt(x->db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, x->unit);
	sqlite3_bind_int64(st, 2, pm_date_start(x->day, pm_db_tz(x->db)));
	sqlite3_bind_int64(st, 3, pm_now());
	if (pm_db_step_done(x->db, st, what, e))
		return e->code;
	json_object_set_new(x->out, key, json_integer(sqlite3_changes(pm_db_sqlite(x->db))));
	return PM_OK;
}

/* The unit's own cards and PINs (granted to the unit, not to a resident,
 * so no residence ends them) stop at the start of the day: the old
 * owner's garage PIN opens nothing for whoever has it after the sale. */
static int unit_credentials(struct xfer *x, struct pm_err *e)
{
	static const char sql[] =
		"UPDATE credential SET valid_until = ?2, updated_at = ?3 WHERE unit_id = ?1 AND person_id IS NULL"
		" AND status = 'active' AND (valid_until IS NULL OR valid_until > ?2)";

	return end_at_day(x, sql, _("cannot end the unit's credentials"), "credentials_ended", e);
}

/* The unit's registered cars (pm-gate vehicle) stop parking as its
 * residents' at the same moment: the seller's car pays as a visitor's
 * from the day, and a stay it began before pays from then (lib/parking.c:
 * resident_span), as for a car removed. Those with a later end (a sale
 * dated further ahead before) end now too; ended_plates names them. */
static int unit_vehicles(struct xfer *x, struct pm_err *e)
{
	static const char sql[] =
		"UPDATE vehicle SET removed_at = ?2, updated_at = ?3 WHERE unit_id = ?1 AND " PM_VEHICLE_ON("vehicle", "?2")
		" RETURNING plate";
	sqlite3_stmt *st = pm_db_stmt(x->db, sql, e);
	json_t *plates = json_array();
	int rc;

	if (!st) {
		json_decref(plates);
		return e->code;
	}
	sqlite3_bind_int64(st, 1, x->unit);
	sqlite3_bind_int64(st, 2, pm_date_start(x->day, pm_db_tz(x->db)));
	sqlite3_bind_int64(st, 3, pm_now());
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(plates, json_string(TEXT(st, 0)));
	sqlite3_reset(st);
	json_object_set_new(x->out, "vehicles_ended", json_integer((json_int_t)json_array_size(plates)));
	json_object_set_new(x->out, "ended_plates", plates);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(x->db, e, _("cannot end the unit's vehicles"));
}

/* The unit's bookings of spaces and chargers (pm-gate reserve) from the
 * day on were the old owner's plans: cancelled, the resource free for
 * others, as the cars and cards end. One under way at the start of the
 * day runs out. */
static int unit_reservations(struct xfer *x, struct pm_err *e)
{
	static const char sql[] =
		"UPDATE reservation SET status = 'cancelled', updated_at = ?3"
		" WHERE unit_id = ?1 AND status = 'booked' AND starts >= ?2";

	return end_at_day(x, sql, _("cannot cancel the unit's reservations"), "reservations_cancelled", e);
}

static int transfer(struct xfer *x, struct pm_err *e)
{
	struct pm_config *cfg;
	json_t *billing;
	char object[96];
	int same, rc;

	if (pm_unit_id(x->db, x->t->unit, &x->unit, e) || pm_person_id(x->db, x->t->to, &x->person, e))
		return e->code;
	if ((same = owners(x, e)) < 0)
		return -same;
	if (same) {
		json_object_set_new(x->out, "outcome", json_string("unchanged"));
		return PM_OK;
	}
	if (open_bills(x, e) || pm_billing_config(x->db, pm_db_today(x->db), &cfg, &billing, e))
		return e->code;
	x->cfg = json_object_get(billing, "transfer");
	rc = refund_prepaid(x, e) || refund_deposits(x, e) || unit_points(x, e) || residences(x, e) || unit_credentials(x, e) ||
	     unit_vehicles(x, e) || unit_reservations(x, e) ? e->code : PM_OK;
	json_decref(billing);
	pm_config_free(cfg);
	if (rc)
		return rc;
	json_object_set_new(x->out, "outcome", json_string("transferred"));
	snprintf(object, sizeof object, "unit:%s", x->t->unit);
	return pm_audit_log(x->db, "unit.transfer", object, NULL, x->out, e);
}

int pm_unit_transfer(struct pm_db *db, const struct pm_transfer *t, json_t **out, struct pm_err *e)
{
	struct xfer x = {.db = db, .t = t};
	int rc;

	*out = NULL;
	if (pm_date_parse(t->at, &x.day, e))
		return e->code;
	snprintf(x.why, sizeof x.why, "transfer to %s on %s", t->to, t->at);
	if (!(x.out = json_pack("{s:s, s:s, s:s, s:s}", "type", "transfer", "unit", t->unit, "to", t->to, "at", t->at)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	if (pm_db_begin(db, e)) {
		json_decref(x.out);
		return e->code;
	}
	if ((rc = pm_db_end(db, transfer(&x, e), e))) {
		json_decref(x.out);
		return rc;
	}
	*out = x.out;
	return PM_OK;
}
