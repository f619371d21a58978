/* deposit: money held for a unit on a liability account, and its way
 * back out (refund) or into income (forfeit). The deposit table says who,
 * why and on what evidence; the ledger holds the money; pm check keeps
 * the two equal (deposit.ledger in lib/check.c). */
#include <string.h>

#include "pm/audit.h"
#include "pm/bill.h"
#include "pm/deposit.h"
#include "pm/i18n.h"
#include "pm/ledger.h"
#include "pm/money.h"
#include "bill-internal.h"

const char *const pm_deposit_actions[] = {"take", "refund", "forfeit", NULL};
const char *const pm_deposit_kinds[] = {"renovation", "key", "card", "other", NULL};

int pm_deposit_kind(const char *s, struct pm_err *e)
{
	for (size_t i = 0; pm_deposit_kinds[i]; i++)
		if (strcmp(s, pm_deposit_kinds[i]) == 0)
			return PM_OK;
	return pm_err_set(e, PM_EUSAGE, _("unknown deposit kind '%s': expected renovation, key, card or other"), s);
}

/* A movement with what is held after it: a take adds, the rest take off. */
#define HELD(d) "CASE " d ".action WHEN 'take' THEN " d ".amount_fen ELSE -" d ".amount_fen END"
#define MOVE_COLS \
	"SELECT d.id, u.code, d.kind, d.action, d.amount_fen," \
	" (SELECT sum(" HELD("x") ") FROM deposit x WHERE x.unit_id = d.unit_id AND x.kind = d.kind AND x.id <= d.id)," \
	" d.channel, d.ref, d.reason, d.evidence, d.by_user, d.at FROM deposit d JOIN unit u ON u.id = d.unit_id"

static json_t *move_json(sqlite3_stmt *st, void *rctx)
{
	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:I, s:I, s:o, s:o, s:s, s:s, s:s, s:o}", "type", "deposit",
		"deposit", (json_int_t)sqlite3_column_int64(st, 0), "unit", TEXT(st, 1), "kind", TEXT(st, 2),
		"action", TEXT(st, 3), "amount_fen", (json_int_t)sqlite3_column_int64(st, 4),
		"held_fen", (json_int_t)sqlite3_column_int64(st, 5), "channel", pm_db_json_text(st, 6),
		"ref", pm_db_json_text(st, 7), "reason", TEXT(st, 8), "evidence", TEXT(st, 9), "by", TEXT(st, 10),
		"at", pm_db_json_time(st, 11, rctx));
}

static int move_get(struct pm_db *db, int64_t id, const char *outcome, json_t **out, struct pm_err *e)
{
	static const char sql[] = MOVE_COLS " WHERE d.id = ?";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? move_json(st, (void *)pm_db_tz(db)) : NULL;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return pm_db_fail(db, e, _("cannot read deposits"));
	if (!*out || json_object_set_new(*out, "outcome", json_string(outcome)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	return PM_OK;
}

/* 1 with *id when d's ref is recorded as the same movement, 0 when the
 * ref is new, or -code (PM_EDATA: another movement has it). */
static int known(struct pm_db *db, const struct pm_deposit *d, int64_t *id, struct pm_err *e)
{
	static const char sql[] =
		"SELECT d.id, u.code, d.kind, d.action, d.amount_fen FROM deposit d JOIN unit u ON u.id = d.unit_id"
		" WHERE d.ref = ?1";
	char was[PM_MONEY_BUF], now[PM_MONEY_BUF];
	sqlite3_stmt *st;
	int rc, same;

	if (!d->ref || (rc = pm_db_row(db, sql, d->ref, &st, N_("cannot read deposits"), e)) == 0)
		return 0;
	if (rc < 0)
		return rc;
	*id = sqlite3_column_int64(st, 0);
	same = strcmp(TEXT(st, 1), d->unit) == 0 && strcmp(TEXT(st, 2), d->kind) == 0 &&
	       strcmp(TEXT(st, 3), pm_deposit_actions[d->action]) == 0 && sqlite3_column_int64(st, 4) == d->amount;
	if (!same)
		pm_err_set(e, PM_EDATA, _("deposit ref '%s' is already a %s of %s (%s) for unit '%s':"
					  " this one is a %s of %s (%s) for unit '%s'"),
			   d->ref, TEXT(st, 3), pm_money_fmt(sqlite3_column_int64(st, 4), was), TEXT(st, 2), TEXT(st, 1),
			   pm_deposit_actions[d->action], pm_money_fmt(d->amount, now), d->kind, d->unit);
	sqlite3_reset(st);
	return same ? 1 : -PM_EDATA;
}

/* The input's own rules, before the store is asked. */
static int check_input(const struct pm_deposit *d, struct pm_err *e)
{
	if (pm_deposit_kind(d->kind, e))
		return e->code;
	if (d->amount <= 0)
		return pm_err_set(e, PM_EUSAGE, _("a deposit amount must be more than 0"));
	if (!d->reason || !*d->reason || !d->evidence || !*d->evidence)
		return pm_err_set(e, PM_EUSAGE, _("a deposit is moved with a reason and evidence"));
	if (d->ref && !*d->ref)
		return pm_err_set(e, PM_EUSAGE, _("--ref: empty"));
	return d->ref ? pm_pay_ref_valid("--ref", d->ref, e) : PM_OK;
}

/* Within what is held and what one movement may be; the channel known. */
static int check_store(struct pm_db *db, const struct pm_deposit *d, const char *account, const char *channel,
		       struct pm_err *e)
{
	char buf[PM_MONEY_BUF];
	int64_t balance;

	if (pm_bill_bound_today(db, d->amount, _("amount"), e) || (channel && pm_pay_channel(db, channel, e)) || pm_ledger_balance(db, account, &balance, e))
		return e->code;
	if (d->action != PM_DEPOSIT_TAKE && d->amount > -balance)
		return pm_err_set(e, PM_EDATA, _("unit '%s' holds only %s as %s deposit: cannot %s %s"), d->unit,
				  pm_money_fmt(-balance, buf), d->kind, pm_deposit_actions[d->action],
				  pm_money_fmt(d->amount, (char[PM_MONEY_BUF]){0}));
	return PM_OK;
}

static int post(struct pm_db *db, const struct pm_deposit *d, const char *channel, int64_t *journal,
		struct pm_err *e)
{
	struct pm_posting p[2];
	char name[PM_ACCOUNT_MAX], ref[PM_ACCOUNT_MAX + 8];
	int64_t sign = d->action == PM_DEPOSIT_TAKE ? -1 : 1;

	snprintf(name, sizeof name, "%s:%s", d->kind, d->unit);
	pm_posting_set(&p[0], "deposit", name, sign * d->amount);
	if (d->action == PM_DEPOSIT_FORFEIT)
		pm_posting_set(&p[1], "income", "deposit", -d->amount);
	else
		pm_posting_set(&p[1], "cash", channel, -sign * d->amount);
	snprintf(ref, sizeof ref, "deposit:%s", name);
	return pm_ledger_post(db, "deposit", ref, d->reason, p, 2, journal, e);
}

static int insert(struct pm_db *db, const struct pm_deposit *d, int64_t unit, const char *channel,
		  int64_t journal, int64_t *id, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO deposit (unit_id, kind, action, amount_fen, channel, ref, reason, evidence, by_user,"
		" journal_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, unit);
	sqlite3_bind_text(st, 2, d->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, pm_deposit_actions[d->action], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, d->amount);
	sqlite3_bind_text(st, 5, channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, d->ref, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, d->reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, d->evidence, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, pm_db_actor(db), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, journal);
	sqlite3_bind_int64(st, 11, pm_now());
	if (pm_db_step_done(db, st, _("cannot record the deposit"), e))
		return e->code;
	*id = sqlite3_last_insert_rowid(pm_db_sqlite(db));
	return PM_OK;
}

/* Where the money moves: cash unless said, none for a forfeit. */
static const char *movement_channel(const struct pm_deposit *d)
{
	return d->action == PM_DEPOSIT_FORFEIT ? NULL : d->channel ? d->channel : "cash";
}

int pm_deposit_apply(struct pm_db *db, const struct pm_deposit *d, json_t **out, struct pm_err *e)
{
	const char *channel = movement_channel(d);
	char account[PM_ACCOUNT_MAX], object[PM_ACCOUNT_MAX + 16];
	int64_t unit, journal, id = 0;
	int rc;

	*out = NULL;
	if (check_input(d, e))
		return e->code;
	if ((rc = known(db, d, &id, e)) != 0)
		return rc < 0 ? -rc : move_get(db, id, "duplicate", out, e);
	if (d->action == PM_DEPOSIT_TAKE && d->ref && (rc = pm_pay_ref_used(db, channel, d->ref, e)))
		return -rc;
	snprintf(account, sizeof account, "deposit:%s:%s", d->kind, d->unit);
	if (pm_unit_id(db, d->unit, &unit, e) || check_store(db, d, account, channel, e) ||
	    post(db, d, channel, &journal, e) || insert(db, d, unit, channel, journal, &id, e) ||
	    move_get(db, id, "recorded", out, e))
		return e->code;
	snprintf(object, sizeof object, "deposit:%lld", (long long)id);
	if (pm_audit_log(db, d->action == PM_DEPOSIT_TAKE ? "bill.deposit" : "bill.deposit.release", object, NULL,
			 *out, e)) {
		json_decref(*out);
		*out = NULL;
		return e->code;
	}
	return PM_OK;
}

/* A movement at the desk with no ref: 1 with *id when the same person
 * recorded the same within payments.cash_repeat, 0 when not, or -code.
 * Its reason and evidence are part of it: two cards taken one after the
 * other differ in their numbers. */
static int desk_repeat(struct pm_db *db, const struct pm_deposit *d, int64_t *id, struct pm_err *e)
{
	static const char sql[] =
		"SELECT d.id FROM deposit d JOIN unit u ON u.id = d.unit_id WHERE u.code = ?1 AND d.kind = ?2"
		" AND d.action = ?3 AND d.amount_fen = ?4 AND d.channel IS ?5 AND d.ref IS NULL AND d.by_user = ?6"
		" AND d.at >= ?7 AND d.reason = ?8 AND d.evidence = ?9 ORDER BY d.id DESC LIMIT 1";
	const char *channel = movement_channel(d);
	sqlite3_stmt *st;
	int64_t since;
	int rc;

	if (pm_pay_repeat_since(db, &since, e) || !(st = pm_db_stmt(db, sql, e)))
		return -e->code;
	sqlite3_bind_text(st, 1, d->unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, d->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, pm_deposit_actions[d->action], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, d->amount);
	sqlite3_bind_text(st, 5, channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, pm_db_actor(db), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, since);
	sqlite3_bind_text(st, 8, d->reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, d->evidence, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -pm_db_fail(db, e, _("cannot read deposits"));
	return rc == SQLITE_ROW;
}

int pm_deposit_move(struct pm_db *db, const struct pm_deposit *d, json_t **out, struct pm_err *e)
{
	int64_t id = 0;
	int rc;

	*out = NULL;
	if (check_input(d, e) || pm_db_begin(db, e))
		return e->code;
	if ((rc = d->ref || d->again ? 0 : desk_repeat(db, d, &id, e)) > 0)
		rc = move_get(db, id, "duplicate", out, e);
	else
		rc = rc < 0 ? -rc : pm_deposit_apply(db, d, out, e);
	if ((rc = pm_db_end(db, rc, e))) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

static json_t *held_json(sqlite3_stmt *st, void *rctx)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I}", "type", "deposit_held", "unit", TEXT(st, 0),
			 "kind", TEXT(st, 1), "held_fen", (json_int_t)sqlite3_column_int64(st, 2),
			 "taken_fen", (json_int_t)sqlite3_column_int64(st, 3),
			 "refunded_fen", (json_int_t)sqlite3_column_int64(st, 4),
			 "forfeited_fen", (json_int_t)sqlite3_column_int64(st, 5));
}

int pm_deposit_each(struct pm_db *db, const char *unit, int entries, int all, int (*fn)(void *ctx, json_t *rec),
		    void *ctx, struct pm_err *e)
{
	static const char moves[] = MOVE_COLS " WHERE ?1 IS NULL OR u.code = ?1 ORDER BY d.id";
	static const char held[] =
		"SELECT u.code, d.kind, sum(" HELD("d") ") AS held,"
		" sum(CASE d.action WHEN 'take' THEN d.amount_fen ELSE 0 END),"
		" sum(CASE d.action WHEN 'refund' THEN d.amount_fen ELSE 0 END),"
		" sum(CASE d.action WHEN 'forfeit' THEN d.amount_fen ELSE 0 END)"
		" FROM deposit d JOIN unit u ON u.id = d.unit_id WHERE ?1 IS NULL OR u.code = ?1"
		" GROUP BY d.unit_id, d.kind HAVING ?2 OR held <> 0 ORDER BY u.code, d.kind";
	sqlite3_stmt *st = pm_db_stmt(db, entries ? moves : held, e);
	int64_t id;

	if (!st || (unit && pm_unit_id(db, unit, &id, e)))
		return e->code;
	sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
	if (!entries)
		sqlite3_bind_int(st, 2, all);
	return pm_db_each(db, st, entries ? move_json : held_json, (void *)pm_db_tz(db), fn, ctx,
			  _("cannot read deposits"), e);
}
