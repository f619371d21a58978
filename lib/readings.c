/* A meter's stored readings: listed with what the store knows of each,
 * and a wrong one voided. Which readings an issued bill used comes from
 * the bill itself: each metered line, and each row of a shared line,
 * names the times of its opening and closing readings (bills from before
 * they did are asked of the usage function, which finds the same
 * readings unless some came in later). */
#include <string.h>

#include "pm/audit.h"
#include "pm/db.h"
#include "pm/i18n.h"
#include "pm/money.h"
#include "meter-internal.h"

#define TEXT(st, i) ((const char *)sqlite3_column_text(st, i))

struct vmeter {
	int64_t id, retired, initial;  /* retired: INT64_MAX while in service */
	char code[64], successor[64];
};

static int vmeter_get(struct pm_db *db, const char *code, struct vmeter *m, struct pm_err *e)
{
	static const char sql[] =
		"SELECT m.id, coalesce(m.retired_at, 9223372036854775807), m.initial, s.code"
		" FROM meter m LEFT JOIN meter s ON s.replaces = m.id WHERE m.code = ?";
	sqlite3_stmt *st;
	int rc = pm_db_row(db, sql, code, &st, N_("cannot read meters"), e);

	if (rc < 0)
		return -rc;
	if (rc == 0)
		return pm_err_set(e, PM_EDATA, _("no meter '%s'"), code);
	m->id = sqlite3_column_int64(st, 0);
	m->retired = sqlite3_column_int64(st, 1);
	m->initial = sqlite3_column_int64(st, 2);
	snprintf(m->code, sizeof m->code, "%s", code);
	snprintf(m->successor, sizeof m->successor, "%s", TEXT(st, 3) ? TEXT(st, 3) : "");
	sqlite3_reset(st);
	return PM_OK;
}

/* ---- which readings issued bills used ---- */

struct use {
	int64_t ts;
	char bill[48];
};

struct uses {
	struct use *u;
	size_t n, cap;
};

static int use_add(struct uses *us, int64_t ts, const char *bill, struct pm_err *e)
{
	if (us->n == us->cap) {
		size_t cap = us->cap ? us->cap * 2 : 32;
		struct use *u = realloc(us->u, cap * sizeof *u);
		if (!u)
			return pm_err_set(e, PM_EFAIL, _("out of memory"));
		us->u = u;
		us->cap = cap;
	}
	us->u[us->n].ts = ts;
	snprintf(us->u[us->n++].bill, sizeof us->u->bill, "%s", bill);
	return PM_OK;
}

struct times {
	int64_t opening, closing;
};

static int keep_times(void *ctx, const struct pm_usage *u)
{
	struct times *t = ctx;

	t->opening = u->opening_ts;
	t->closing = u->closing_ts;
	return PM_OK;
}

/* The times of the readings a line used: as it recorded them, else as the
 * usage function finds them for its meter and period. */
static int line_times(struct pm_db *db, sqlite3_stmt *st, struct times *t, struct pm_err *e)
{
	struct pm_period p;

	if (TEXT(st, 3) && TEXT(st, 4)) {
		if (pm_time_parse(TEXT(st, 3), &t->opening, e) || pm_time_parse(TEXT(st, 4), &t->closing, e))
			return pm_err_prefix(e, _("bill %s"), TEXT(st, 0));
		return PM_OK;
	}
	t->opening = t->closing = INT64_MIN;
	if (pm_period_parse(TEXT(st, 1), &p, e))
		return e->code;
	return pm_usage_each(db, p, NULL, TEXT(st, 2), keep_times, t, e);
}

/* Every (reading time, bill) where an issued bill used a reading of the
 * meter: its own lines, its successors' (which count it in the period of
 * the replacement), and shared lines splitting it or them. */
static int bill_uses(struct pm_db *db, int64_t meter_id, struct uses *us, struct pm_err *e)
{
	static const char sql[] =
		"WITH RECURSIVE chain(id, code) AS (SELECT id, code FROM meter WHERE id = ?1"
		" UNION SELECT m.id, m.code FROM meter m JOIN chain c ON m.replaces = c.id),"
		" issued(id, code, period) AS (SELECT id, code, period FROM bill"
		" WHERE status IN ('issued', 'partial', 'paid'))"
		" SELECT DISTINCT * FROM ("
		" SELECT b.code, b.period, c.code, json_extract(l.breakdown, '$.opening_at'),"
		" json_extract(l.breakdown, '$.closing_at')"
		" FROM chain c JOIN bill_line l ON l.meter_id = c.id JOIN issued b ON b.id = l.bill_id"
		" UNION ALL"
		" SELECT b.code, b.period, c.code, json_extract(s.value, '$.opening_at'),"
		" json_extract(s.value, '$.closing_at')"
		" FROM issued b JOIN bill_line l ON l.bill_id = b.id AND l.meter_id IS NULL,"
		" json_each(l.breakdown, '$.shares') s JOIN chain c ON c.code = json_extract(s.value, '$.meter'))"
		" ORDER BY 1";
	sqlite3_stmt *st;
	struct times t;
	int rc;

	/* Not a cached statement: the usage function runs between steps. */
	if (sqlite3_prepare_v2(pm_db_sqlite(db), sql, -1, &st, NULL) != SQLITE_OK)
		return pm_db_fail(db, e, _("cannot read bills"));
	sqlite3_bind_int64(st, 1, meter_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (line_times(db, st, &t, e) || use_add(us, t.opening, TEXT(st, 0), e) ||
		    (t.closing != t.opening && use_add(us, t.closing, TEXT(st, 0), e))) {
			sqlite3_finalize(st);
			return e->code;
		}
	}
	if (rc != SQLITE_DONE) {
		pm_db_fail(db, e, _("cannot read bills"));
		sqlite3_finalize(st);
		return e->code;
	}
	sqlite3_finalize(st);
	return PM_OK;
}

/* "B-2026-11-1-1-101, B-2026-12-1-1-101": the bills that used ts. */
static char *bills_at(const struct uses *us, int64_t ts, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < us->n && n < size; i++) {
		if (us->u[i].ts != ts || (n && strstr(buf, us->u[i].bill)))
			continue;
		n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "", us->u[i].bill);
	}
	return buf;
}

/* ---- one reading as a record ---- */

#define READING_COLS \
	"SELECT r.ts, r.value, n.source, n.note," \
	" coalesce((SELECT p.value FROM reading p WHERE p.meter_id = r.meter_id AND p.ts < r.ts" \
	" ORDER BY p.ts DESC LIMIT 1), ?3)," \
	" EXISTS (SELECT 1 FROM audit a WHERE a.object = ?2 AND a.action = 'reading.replace'" \
	" AND json_extract(a.after, '$.ts') = strftime('%Y-%m-%dT%H:%M:%SZ', r.ts, 'unixepoch'))" \
	" FROM reading r LEFT JOIN reading_note n ON n.meter_id = r.meter_id AND n.ts = r.ts"

static json_t *registers_json(struct pm_db *db, int64_t meter_id, int64_t ts, struct pm_err *e)
{
	static const char sql[] =
		"SELECT reg, value FROM reading_register WHERE meter_id = ?1 AND ts = ?2 ORDER BY reg";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char v[PM_MONEY_BUF];
	json_t *regs;
	int rc;

	if (!st)
		return NULL;
	regs = json_object();
	sqlite3_bind_int64(st, 1, meter_id);
	sqlite3_bind_int64(st, 2, ts);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_object_set_new(regs, pm_reg_name(sqlite3_column_int(st, 0)),
				    json_string(pm_decimal_fmt(sqlite3_column_int64(st, 1), 3, v)));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(regs);
		pm_db_fail(db, e, _("cannot read registers"));
		return NULL;
	}
	return regs;
}

/* What the store can say of a reading: the last of a retired meter
 * (final), where a new meter took over (replaced), a register that went
 * round since the reading before (wrapped), a value ingest --replace
 * corrected (corrected), one an issued bill used (billed). */
static json_t *reading_json(struct pm_db *db, const struct vmeter *m, sqlite3_stmt *st,
			    const struct uses *us, struct pm_err *e)
{
	int64_t ts = sqlite3_column_int64(st, 0), value = sqlite3_column_int64(st, 1);
	char t[PM_TIME_BUF], v[PM_MONEY_BUF], flags[64], bills[256];
	json_t *j, *regs = registers_json(db, m->id, ts, e);
	size_t n = 0;

	if (!regs)
		return NULL;
	bills_at(us, ts, bills, sizeof bills);
	flags[0] = '\0';
	if (ts == m->retired)
		n += (size_t)snprintf(flags + n, sizeof flags - n, "%sfinal", n ? "," : "");
	if (ts == m->retired && m->successor[0])
		n += (size_t)snprintf(flags + n, sizeof flags - n, "%sreplaced", n ? "," : "");
	if (value < sqlite3_column_int64(st, 4))
		n += (size_t)snprintf(flags + n, sizeof flags - n, "%swrapped", n ? "," : "");
	if (sqlite3_column_int(st, 5))
		n += (size_t)snprintf(flags + n, sizeof flags - n, "%scorrected", n ? "," : "");
	if (bills[0])
		snprintf(flags + n, sizeof flags - n, "%sbilled", n ? "," : "");
	j = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:s, s:s}", "type", "reading", "meter", m->code,
		      "ts", pm_time_fmt(ts, pm_db_tz(db), t), "value", pm_decimal_fmt(value, 3, v),
		      "source", TEXT(st, 2), "note", TEXT(st, 3), "flags", flags, "bills", bills);
	if (json_object_size(regs))
		json_object_set(j, "registers", regs);
	json_decref(regs);
	return j;
}

static void bind_reading(sqlite3_stmt *st, const struct vmeter *m, char *object, size_t size)
{
	snprintf(object, size, "meter:%s", m->code);
	sqlite3_bind_int64(st, 1, m->id);
	sqlite3_bind_text(st, 2, object, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, m->initial);
}

int pm_reading_each(struct pm_db *db, const char *meter, int64_t from, int64_t to,
		    int (*fn)(void *ctx, json_t *r), void *ctx, struct pm_err *e)
{
	static const char sql[] = READING_COLS
		" WHERE r.meter_id = ?1 AND r.ts >= ?4 AND r.ts <= ?5 ORDER BY r.ts";
	struct uses us = {NULL, 0, 0};
	struct vmeter m;
	char object[80];
	sqlite3_stmt *st;
	json_t *j;
	int rc = PM_OK, step = SQLITE_DONE;

	if (vmeter_get(db, meter, &m, e) || bill_uses(db, m.id, &us, e) || !(st = pm_db_stmt(db, sql, e))) {
		free(us.u);
		return e->code;
	}
	bind_reading(st, &m, object, sizeof object);
	sqlite3_bind_int64(st, 4, from);
	sqlite3_bind_int64(st, 5, to);
	while (rc == PM_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		if (!(j = reading_json(db, &m, st, &us, e))) {
			rc = e->code;
			break;
		}
		rc = fn(ctx, j);
		json_decref(j);
	}
	sqlite3_reset(st);
	free(us.u);
	if (rc == PM_OK && step != SQLITE_DONE)
		rc = pm_db_fail(db, e, _("cannot read readings"));
	return rc;
}

/* ---- voiding one ---- */

static int delete_reading(struct pm_db *db, int64_t meter_id, int64_t ts, struct pm_err *e)
{
	static const char *const sql[] = {
		"DELETE FROM reading_register WHERE meter_id = ?1 AND ts = ?2",
		"DELETE FROM reading_note WHERE meter_id = ?1 AND ts = ?2",
		"DELETE FROM reading WHERE meter_id = ?1 AND ts = ?2",
	};

	for (size_t i = 0; i < sizeof sql / sizeof *sql; i++) {
		sqlite3_stmt *st = pm_db_stmt(db, sql[i], e);

		if (!st)
			return e->code;
		sqlite3_bind_int64(st, 1, meter_id);
		sqlite3_bind_int64(st, 2, ts);
		if (pm_db_step_done(db, st, _("cannot void the reading"), e))
			return e->code;
	}
	return PM_OK;
}

/* Refused when an issued bill was computed from the reading (a note on
 * that bill is the way to correct it), or when it is a retired meter's
 * final reading, where its usage ends and a new meter's begins. */
static int may_void(struct pm_db *db, const struct vmeter *m, int64_t ts, struct pm_err *e)
{
	struct uses us = {NULL, 0, 0};
	char t[PM_TIME_BUF], bills[256];

	pm_time_fmt(ts, pm_db_tz(db), t);
	if (bill_uses(db, m->id, &us, e)) {
		free(us.u);
		return e->code;
	}
	bills_at(&us, ts, bills, sizeof bills);
	free(us.u);
	if (bills[0])
		return pm_err_set(e, PM_EFAIL,
			_("the reading of meter '%s' at %s was used by issued bill %s: correct the bill with pm-bill adjust instead"),
			m->code, t, bills);
	if (ts == m->retired && m->successor[0])
		return pm_err_set(e, PM_EFAIL,
			_("the reading of meter '%s' at %s is its final reading, where meter '%s' replaced it: voiding it would break the usage across the replacement"),
			m->code, t, m->successor);
	if (ts == m->retired)
		return pm_err_set(e, PM_EFAIL,
			_("the reading of meter '%s' at %s is its final reading, taken when it was retired: its last period's usage ends there"),
			m->code, t);
	return PM_OK;
}

static int void_one(struct pm_db *db, const char *meter, int64_t ts, const char *reason, json_t **out,
		    struct pm_err *e)
{
	static const char sql[] = READING_COLS " WHERE r.meter_id = ?1 AND r.ts = ?4";
	struct uses none = {NULL, 0, 0};
	char object[80], t[PM_TIME_BUF];
	struct vmeter m;
	sqlite3_stmt *st;
	json_t *after;
	int rc;

	if (vmeter_get(db, meter, &m, e) || !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	bind_reading(st, &m, object, sizeof object);
	sqlite3_bind_int64(st, 4, ts);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = reading_json(db, &m, st, &none, e);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return pm_err_set(e, PM_EDATA, _("meter '%s' has no reading at %s"), meter,
				  pm_time_fmt(ts, pm_db_tz(db), t));
	if (rc != SQLITE_ROW)
		return pm_db_fail(db, e, _("cannot read readings"));
	if (!*out || may_void(db, &m, ts, e) || delete_reading(db, m.id, ts, e))
		return e->code;
	json_object_del(*out, "bills");
	after = json_pack("{s:s}", "reason", reason);
	rc = pm_audit_log(db, "reading.void", object, *out, after, e);
	json_decref(after);
	return rc;
}

int pm_reading_void(struct pm_db *db, const char *meter, int64_t ts, const char *reason, json_t **out,
		    struct pm_err *e)
{
	*out = NULL;
	if (!reason || !*reason)
		return pm_err_set(e, PM_EUSAGE, _("a reason is required: say why the reading is wrong"));
	if (pm_db_begin(db, e))
		return e->code;
	if (void_one(db, meter, ts, reason, out, e)) {
		pm_db_rollback(db);
		json_decref(*out);
		*out = NULL;
		return e->code;
	}
	if (pm_db_commit(db, e)) {
		json_decref(*out);
		*out = NULL;
		return e->code;
	}
	json_object_set_new(*out, "type", json_string("void"));
	json_object_set_new(*out, "reason", json_string(reason));
	return PM_OK;
}
