/* stock: spare parts (仓库), what is on the shelf and every movement of
 * it. The item row holds the running quantity and value; each movement
 * holds its signed change, so pm check can add them up (stock.moves in
 * lib/check.c). Quantities are whole numbers of the item's unit. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm/audit.h"
#include "pm/db.h"
#include "pm/i18n.h"
#include "pm/money.h"
#include "pm/stock.h"
#include "bill-internal.h"
#include "repair-internal.h"

/* A movement of more is a typo, and products of two stay within int64. */
#define QTY_MAX INT64_C(1000000000)
#define CODE_MAX 32

const char *const pm_stock_kinds[] = {"receive", "issue", "count", NULL};

#define ITEM_COLS "SELECT code, name, unit, location, minimum, qty, value_fen, max(minimum - qty, 0) FROM stock_item"
#define MOVE_COLS \
	"SELECT m.id, i.code, m.kind, m.qty, m.value_fen, m.qty_after, m.supplier, m.ticket_id, m.reason," \
	" m.by_user, m.at FROM stock_move m JOIN stock_item i ON i.id = m.item_id"

static json_t *item_json(sqlite3_stmt *st, void *rctx)
{
	(void)rctx;
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:I, s:I}", "type", "stock_item", "item", TEXT(st, 0),
			 "name", TEXT(st, 1), "unit", TEXT(st, 2), "location", pm_db_json_text(st, 3),
			 "minimum", (json_int_t)sqlite3_column_int64(st, 4), "qty", (json_int_t)sqlite3_column_int64(st, 5),
			 "value_fen", (json_int_t)sqlite3_column_int64(st, 6),
			 "short", (json_int_t)sqlite3_column_int64(st, 7));
}

static int item_get(struct pm_db *db, const char *code, json_t **out, struct pm_err *e)
{
	static const char sql[] = ITEM_COLS " WHERE code = ?1";
	sqlite3_stmt *st;
	int rc;

	if ((rc = pm_db_row(db, sql, code, &st, N_("cannot read the stock"), e)) < 0)
		return -rc;
	if (rc == 0)
		return pm_err_set(e, PM_EDATA, _("no stock item '%s'"), code);
	*out = item_json(st, NULL);
	sqlite3_reset(st);
	return *out ? PM_OK : pm_err_set(e, PM_EFAIL, _("out of memory"));
}

static int check_item(const struct pm_stock_item *it, struct pm_err *e)
{
	/* Codes are what resolve --parts CODE:QTY,... names. */
	if (!it->code || !*it->code || strlen(it->code) > CODE_MAX || strpbrk(it->code, ":, "))
		return pm_err_set(e, PM_EUSAGE, _("an item code is 1 to %d bytes without ':', ',' or spaces"), CODE_MAX);
	if (pm_code_valid("code", it->code, CODE_MAX, e))
		return e->code;
	if ((it->name && !*it->name) || (it->unit && !*it->unit))
		return pm_err_set(e, PM_EUSAGE, _("an item's name and measure are not empty"));
	if (it->minimum > QTY_MAX)
		return pm_err_set(e, PM_EUSAGE, _("a quantity is at most %lld"), (long long)QTY_MAX);
	return PM_OK;
}

static int add_in(struct pm_db *db, const struct pm_stock_item *it, json_t **out, struct pm_err *e)
{
	static const char ins[] =
		"INSERT INTO stock_item (code, name, unit, location, minimum, created_at, updated_at)"
		" VALUES (?1, ?2, ?3, ?4, max(?5, 0), ?6, ?6)";
	static const char upd[] =
		"UPDATE stock_item SET name = coalesce(?2, name), unit = coalesce(?3, unit),"
		" location = coalesce(?4, location), minimum = CASE WHEN ?5 >= 0 THEN ?5 ELSE minimum END,"
		" updated_at = ?6 WHERE code = ?1";
	json_t *before = NULL;
	char object[CODE_MAX + 16];
	const char *outcome;
	sqlite3_stmt *st;
	int rc;

	rc = item_get(db, it->code, &before, e);
	if (rc && rc != PM_EDATA)
		return rc;
	if (!before && (!it->name || !it->unit))
		return pm_err_set(e, PM_EUSAGE, _("a new item needs its name and its measure"));
	if (!(st = pm_db_stmt(db, before ? upd : ins, e))) {
		json_decref(before);
		return e->code;
	}
	sqlite3_bind_text(st, 1, it->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, it->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, it->unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, it->location, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, it->minimum);
	sqlite3_bind_int64(st, 6, pm_now());
	if (pm_db_step_done(db, st, _("cannot store the item"), e) || item_get(db, it->code, out, e)) {
		json_decref(before);
		return e->code;
	}
	snprintf(object, sizeof object, "stock_item:%s", it->code);
	outcome = !before ? "created" : json_equal(before, *out) ? "unchanged" : "updated";
	json_object_set_new(*out, "outcome", json_string(outcome));
	rc = strcmp(outcome, "unchanged") ? pm_audit_log(db, "stock.item", object, before, *out, e) : PM_OK;
	json_decref(before);
	return rc;
}

int pm_stock_add(struct pm_db *db, const struct pm_actor *a, const struct pm_stock_item *it, json_t **out,
		 struct pm_err *e)
{
	int rc;

	*out = NULL;
	if (pm_auth_check(a, "stock.write", e) || check_item(it, e) || pm_db_begin(db, e))
		return e->code;
	if ((rc = pm_db_end(db, add_in(db, it, out, e), e))) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- movements ---- */

struct shelf {
	int64_t id, qty, value;
	char unit[32];
};

static int shelf_load(struct pm_db *db, const char *code, struct shelf *s, struct pm_err *e)
{
	static const char sql[] = "SELECT id, qty, value_fen, unit FROM stock_item WHERE code = ?1";
	sqlite3_stmt *st;
	int rc;

	if ((rc = pm_db_row(db, sql, code, &st, N_("cannot read the stock"), e)) < 0)
		return -rc;
	if (rc == 0)
		return pm_err_set(e, PM_EDATA, _("no stock item '%s'"), code);
	s->id = sqlite3_column_int64(st, 0);
	s->qty = sqlite3_column_int64(st, 1);
	s->value = sqlite3_column_int64(st, 2);
	pm_text_col(st, 3, s->unit, sizeof s->unit);
	sqlite3_reset(st);
	return PM_OK;
}

/* q of the shelf's value at its average cost, rounded half up; all of
 * it when q is all there is. QTY_MAX keeps the product in range. */
static int64_t share(const struct shelf *s, int64_t q)
{
	if (s->qty == 0)
		return 0;
	if (q == s->qty)
		return s->value;
	return (int64_t)(((__int128)s->value * q * 2 + s->qty) / ((__int128)s->qty * 2));
}

/* An issue to a ticket that is still worked: not closed or cancelled. */
static int check_ticket(struct pm_db *db, int64_t ticket, struct pm_err *e)
{
	static const char sql[] = "SELECT status FROM ticket WHERE id = ?";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char status[16] = "";
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, ticket);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		pm_text_col(st, 0, status, sizeof status);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return pm_err_set(e, PM_EDATA, _("no ticket %lld"), (long long)ticket);
	if (rc != SQLITE_ROW)
		return pm_db_fail(db, e, _("cannot read tickets"));
	if (!strcmp(status, "closed") || !strcmp(status, "cancelled"))
		return pm_err_set(e, PM_EFAIL, _("ticket %lld is %s: parts go to a ticket still worked"),
				  (long long)ticket, status);
	return PM_OK;
}

/* The signed change m makes to the shelf s: *dq pieces, *dv fen. */
static int change_of(struct pm_db *db, const struct pm_stock_move *m, const struct shelf *s, int64_t *dq,
		     int64_t *dv, struct pm_err *e)
{
	switch (m->kind) {
	case PM_STOCK_RECEIVE:
		*dq = m->qty;
		*dv = m->cost_fen;
		return pm_money_add(&(int64_t){s->value}, m->cost_fen, e);
	case PM_STOCK_ISSUE:
		if (m->qty > s->qty)
			return pm_err_set(e, PM_EDATA, _("item '%s' has only %lld %s on the shelf: cannot issue %lld"),
					  m->item, (long long)s->qty, s->unit, (long long)m->qty);
		*dq = -m->qty;
		*dv = -share(s, m->qty);
		return check_ticket(db, m->ticket, e);
	case PM_STOCK_COUNT:
		*dq = m->qty - s->qty;
		if (*dq && (!m->reason || !*m->reason))
			return pm_err_set(e, PM_EUSAGE, _("item '%s': counted %lld %s, the books say %lld: a count that"
							  " differs needs --reason"),
					  m->item, (long long)m->qty, s->unit, (long long)s->qty);
		/* Found pieces come in at the average cost, lost ones go out at it. */
		*dv = *dq < 0 ? -share(s, -*dq) : share(s, *dq);
		return PM_OK;
	}
	return pm_err_set(e, PM_ESOFTWARE, _("unknown stock movement %d"), (int)m->kind);
}

static int check_move(const struct pm_stock_move *m, struct pm_err *e)
{
	if ((unsigned)m->kind > PM_STOCK_COUNT)
		return pm_err_set(e, PM_ESOFTWARE, _("unknown stock movement %d"), (int)m->kind);
	if (m->qty > QTY_MAX || m->qty < (m->kind == PM_STOCK_COUNT ? 0 : 1))
		return pm_err_set(e, PM_EUSAGE, m->kind == PM_STOCK_COUNT ? _("a count is 0 to %lld")
									  : _("a quantity is 1 to %lld"),
				  (long long)QTY_MAX);
	if (m->kind == PM_STOCK_RECEIVE && m->cost_fen < 0)
		return pm_err_set(e, PM_EUSAGE, _("a receipt needs what it cost, 0 or more"));
	if (m->kind == PM_STOCK_ISSUE && m->ticket <= 0)
		return pm_err_set(e, PM_EUSAGE, _("an issue needs the ticket the parts go to"));
	return PM_OK;
}

static json_t *move_json(sqlite3_stmt *st, void *rctx)
{
	return json_pack("{s:s, s:I, s:s, s:s, s:I, s:I, s:I, s:o, s:o, s:o, s:s, s:o}", "type", "stock_move",
			 "move", (json_int_t)sqlite3_column_int64(st, 0), "item", TEXT(st, 1), "kind", TEXT(st, 2),
			 "qty", (json_int_t)sqlite3_column_int64(st, 3), "value_fen", (json_int_t)sqlite3_column_int64(st, 4),
			 "qty_after", (json_int_t)sqlite3_column_int64(st, 5), "supplier", pm_db_json_text(st, 6),
			 "ticket", sqlite3_column_type(st, 7) == SQLITE_NULL ? json_null()
									     : json_integer(sqlite3_column_int64(st, 7)),
			 "reason", pm_db_json_text(st, 8), "by", TEXT(st, 9), "at", pm_db_json_time(st, 10, rctx));
}

static int move_get(struct pm_db *db, int64_t id, json_t **out, struct pm_err *e)
{
	static const char sql[] = MOVE_COLS " WHERE m.id = ?";

	return pm_db_record(db, sql, id, move_json, (void *)pm_db_tz(db), out, _("cannot read the stock"), e);
}

static int write_move(struct pm_db *db, const struct pm_stock_move *m, const struct shelf *s, int64_t dq,
		      int64_t dv, int64_t *id, struct pm_err *e)
{
	static const char upd[] =
		"UPDATE stock_item SET qty = qty + ?2, value_fen = value_fen + ?3, updated_at = ?4 WHERE id = ?1";
	static const char ins[] =
		"INSERT INTO stock_move (item_id, kind, qty, value_fen, qty_after, supplier, ticket_id, reason,"
		" by_user, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, nullif(?7, 0), ?8, ?9, ?10)";
	sqlite3_stmt *st = pm_db_stmt(db, upd, e);
	int64_t now = pm_now();

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, s->id);
	sqlite3_bind_int64(st, 2, dq);
	sqlite3_bind_int64(st, 3, dv);
	sqlite3_bind_int64(st, 4, now);
	if (pm_db_step_done(db, st, _("cannot update the stock"), e) || !(st = pm_db_stmt(db, ins, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, s->id);
	sqlite3_bind_text(st, 2, pm_stock_kinds[m->kind], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, dq);
	sqlite3_bind_int64(st, 4, dv);
	sqlite3_bind_int64(st, 5, s->qty + dq);
	sqlite3_bind_text(st, 6, m->kind == PM_STOCK_RECEIVE ? m->supplier : NULL, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, m->kind == PM_STOCK_ISSUE ? m->ticket : 0);
	sqlite3_bind_text(st, 8, m->reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, pm_db_actor(db), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, now);
	if (pm_db_step_done(db, st, _("cannot record the stock movement"), e))
		return e->code;
	*id = sqlite3_last_insert_rowid(pm_db_sqlite(db));
	return PM_OK;
}

/* One movement inside the caller's transaction, audited. */
static int move_in(struct pm_db *db, const struct pm_stock_move *m, json_t **out, struct pm_err *e)
{
	struct shelf s;
	int64_t dq = 0, dv = 0, id = 0;
	char object[48];

	if (check_move(m, e) || shelf_load(db, m->item, &s, e) || change_of(db, m, &s, &dq, &dv, e) ||
	    write_move(db, m, &s, dq, dv, &id, e) || move_get(db, id, out, e))
		return e->code;
	snprintf(object, sizeof object, "stock_move:%lld", (long long)id);
	return pm_audit_log(db, "stock.move", object, NULL, *out, e);
}

int pm_stock_move(struct pm_db *db, const struct pm_actor *a, const struct pm_stock_move *m, json_t **out,
		  struct pm_err *e)
{
	int rc;

	*out = NULL;
	if (pm_auth_check(a, m->kind == PM_STOCK_ISSUE ? "stock.issue" : "stock.write", e) || check_move(m, e) ||
	    pm_db_begin(db, e))
		return e->code;
	if ((rc = pm_db_end(db, move_in(db, m, out, e), e))) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- a resolve's --parts ---- */

/* One "CODE:QTY" of a parts list at *p into code and qty, *p moved past
 * it and its comma: 1, or 0 when the text is not of that shape. */
static int next_part(const char **p, char *code, size_t n, int64_t *qty)
{
	const char *s = *p, *colon, *end;
	size_t len;
	char *stop;

	while (*s == ' ')
		s++;
	if (!(colon = strchr(s, ':')) || ((end = strchr(s, ',')) && end < colon))
		return 0;
	len = (size_t)(colon - s);
	if (!len || len >= n || memchr(s, ' ', len))
		return 0;
	memcpy(code, s, len);
	code[len] = '\0';
	if (!isdigit((unsigned char)colon[1]))
		return 0;
	*qty = strtoll(colon + 1, &stop, 10);
	while (*stop == ' ')
		stop++;
	if (*stop && *stop != ',')
		return 0;
	*p = *stop ? stop + 1 : stop;
	return 1;
}

static int parts_shaped(const char *parts)
{
	char code[CODE_MAX + 1];
	int64_t qty;

	if (!parts || !*parts)
		return 0;
	while (*parts)
		if (!next_part(&parts, code, sizeof code, &qty))
			return 0;
	return 1;
}

int pm_stock_parts(struct pm_db *db, const struct pm_actor *a, int64_t ticket, const char *parts,
		   struct pm_err *e)
{
	struct pm_stock_move m = {.kind = PM_STOCK_ISSUE, .ticket = ticket};
	char code[CODE_MAX + 1];
	json_t *out;

	if (!parts_shaped(parts))
		return PM_OK;
	if (pm_auth_check(a, "stock.issue", e))
		return e->code;
	while (*parts) {
		next_part(&parts, code, sizeof code, &m.qty);
		m.item = code;
		if (move_in(db, &m, &out, e))
			return e->code;
		json_decref(out);
	}
	return PM_OK;
}

int pm_stock_ticket_value(struct pm_db *db, int64_t ticket, int64_t *fen, struct pm_err *e)
{
	static const char sql[] = "SELECT coalesce(-sum(value_fen), 0) FROM stock_move WHERE ticket_id = ?";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, ticket);
	rc = sqlite3_step(st);
	*fen = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot read the stock"));
}

/* ---- reading ---- */

int pm_stock_each(struct pm_db *db, const struct pm_actor *a, int below, int (*fn)(void *ctx, json_t *rec),
		  void *ctx, struct pm_err *e)
{
	static const char all[] = ITEM_COLS " ORDER BY code";
	static const char low[] = ITEM_COLS " WHERE qty < minimum ORDER BY code";
	sqlite3_stmt *st;

	if (pm_auth_check(a, "stock.read", e) || !(st = pm_db_stmt(db, below ? low : all, e)))
		return e->code;
	return pm_db_each(db, st, item_json, NULL, fn, ctx, _("cannot read the stock"), e);
}

int pm_stock_moves(struct pm_db *db, const struct pm_actor *a, const char *item,
		   int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e)
{
	static const char sql[] = MOVE_COLS " WHERE ?1 IS NULL OR i.code = ?1 ORDER BY m.id";
	struct shelf s;
	sqlite3_stmt *st;

	if (pm_auth_check(a, "stock.read", e) || (item && shelf_load(db, item, &s, e)) ||
	    !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_text(st, 1, item, -1, SQLITE_STATIC);
	return pm_db_each(db, st, move_json, (void *)pm_db_tz(db), fn, ctx, _("cannot read the stock"), e);
}
