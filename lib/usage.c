#include <string.h>

#include "pm/db.h"
#include "pm/i18n.h"
#include "pm/money.h"
#include "meter-internal.h"

#define TEXT(st, i) ((const char *)sqlite3_column_text(st, i))

enum missing_policy { MISSING_ZERO, MISSING_AVERAGE, MISSING_HOLD };

/* A meter's readings over one period: the register at the period's start
 * and end (the last reading at or before each instant, else the initial
 * reading), and whether any reading fell inside. */
struct segment {
	int64_t opening, closing, opening_ts, closing_ts, raw;
	int read, wrapped;
	int partial; /* a span's start unknown: opened at the first reading */
};

struct mtr {
	int64_t id, multiplier, installed, initial, retired, replaces;
	int digits, regs;
};

/* ---- the period's usage, meter by meter ---- */

/* The last reading at or before an instant, as found last: a span's
 * month opens where the month before closed, the same look-up. That
 * there is none is remembered too (callgrind, 10,000 units' year to
 * date: a month before a meter's first reading looked up both ends
 * again, 240,040 look-ups where 130,040 answer). */
struct at_memo {
	int64_t meter, t, ts, value;
	int rc;    /* 1 found, 0 none */
	int known; /* a look-up's answer is here */
};

/* A span's months' bounds, worked out once rather than per meter. */
#define SPAN_MONTHS 24

/* The meter being counted's last reading at or before each of the run's
 * instants (the period's bounds, or each month's of a span), found before
 * its months are counted (ahead_fill). A look-up of any other meter or
 * instant (a replaced meter's, an average's months) asks the store. */
struct ahead {
	int n;         /* instants, in order */
	int64_t meter; /* whose answers at[] holds, 0 for none */
	int64_t t[SPAN_MONTHS + 1];
	struct {
		int64_t ts, value;
		int rc; /* 1 found, 0 none */
	} at[SPAN_MONTHS + 1];
};

struct run {
	struct pm_db *db;
	struct pm_period p;
	int64_t start, end;
	enum missing_policy policy;
	int estimates; /* any recorded at all: else skip the lookup */
	int64_t from;  /* a span's first instant; 0 for one period */
	int issued;    /* bills of the period are issued: see stands() */
	int stored;    /* meters in the order stored, not by code */
	struct at_memo memo;
	struct pm_period span;              /* the span's first month */
	int64_t bounds[SPAN_MONTHS][2];     /* its months' start and end, 0 until known */
	struct ahead ahead;
};

/* The first row (ts, value) of sql for meter and the instants lo and hi
 * (?2, ?3): 1 with *ts and *value, 0 if there is none, -code on error. */
static int reading_row(struct pm_db *db, const char *sql, int64_t meter, int64_t lo, int64_t hi,
		       int64_t *ts, int64_t *value, struct pm_err *e)
{
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return -e->code;
	sqlite3_bind_int64(st, 1, meter);
	sqlite3_bind_int64(st, 2, lo);
	sqlite3_bind_int64(st, 3, hi);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*ts = sqlite3_column_int64(st, 0);
		*value = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -pm_db_fail(db, e, _("cannot read readings"));
	return rc == SQLITE_ROW;
}

static const char at_or_before_sql[] =
	"SELECT ts, value FROM reading WHERE meter_id = ?1 AND ts >= ?2 AND ts <= ?3 ORDER BY ts DESC LIMIT 1";

/* The last reading of meter at or before t. */
static int at_or_before(struct run *r, int64_t meter, int64_t t, int64_t *ts, int64_t *value,
			struct pm_err *e)
{
	struct at_memo *m = &r->memo;
	const struct ahead *a = &r->ahead;
	int rc;

	if (m->known && m->meter == meter && m->t == t) {
		*ts = m->ts;
		*value = m->value;
		return m->rc;
	}
	if (a->meter == meter)
		for (int k = 0; k < a->n; k++)
			if (a->t[k] == t) {
				*ts = a->at[k].ts;
				*value = a->at[k].value;
				return a->at[k].rc;
			}
	if ((rc = reading_row(r->db, at_or_before_sql, meter, INT64_MIN, t, ts, value, e)) >= 0)
		*m = (struct at_memo){meter, t, rc ? *ts : 0, rc ? *value : 0, rc, 1};
	return rc;
}

/* The first reading of meter after t and at or before end. */
static int first_after(struct pm_db *db, int64_t meter, int64_t t, int64_t end, int64_t *ts, int64_t *value,
		       struct pm_err *e)
{
	static const char sql[] =
		"SELECT ts, value FROM reading WHERE meter_id = ?1 AND ts > ?2 AND ts <= ?3 ORDER BY ts LIMIT 1";

	return reading_row(db, sql, meter, t, end, ts, value, e);
}

/* How far meter m's register (reg 0 the total, else a time-of-use one)
 * advanced from value from at from_ts to value to at to_ts, into *raw;
 * *wrapped set if it went round. Every reading after from_ts up to to_ts
 * that is below the one before it went round once (ingest lets a
 * decrease in only as a wrap, pm_meter_wraps), so each adds the
 * register's range: the opening and closing alone miss a wrap when the
 * register came back past where it opened, and any second wrap. One
 * ranged scan of the meter's readings in the period, in key order. */
static int advance(struct pm_db *db, const struct mtr *m, int reg, int64_t from_ts, int64_t from,
		   int64_t to_ts, int64_t to, int64_t *raw, int *wrapped, struct pm_err *e)
{
	static const char *const sql[2] = {
		"SELECT count(*) FROM (SELECT value < lag(value, 1, ?4) OVER (ORDER BY ts) AS down"
		" FROM reading WHERE meter_id = ?1 AND ts > ?2 AND ts <= ?3) WHERE down",
		"SELECT count(*) FROM (SELECT value < lag(value, 1, ?4) OVER (ORDER BY ts) AS down"
		" FROM reading_register WHERE meter_id = ?1 AND ts > ?2 AND ts <= ?3 AND reg = ?5) WHERE down",
	};
	sqlite3_stmt *st;
	int64_t wraps = 0;
	int rc;

	if (to_ts > from_ts) {
		if (!(st = pm_db_stmt(db, sql[reg != 0], e)))
			return e->code;
		sqlite3_bind_int64(st, 1, m->id);
		sqlite3_bind_int64(st, 2, from_ts);
		sqlite3_bind_int64(st, 3, to_ts);
		sqlite3_bind_int64(st, 4, from);
		if (reg)
			sqlite3_bind_int(st, 5, reg);
		rc = sqlite3_step(st);
		wraps = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
		sqlite3_reset(st);
		if (rc != SQLITE_ROW)
			return pm_db_fail(db, e, _("cannot read readings"));
	}
	/* An end with no row of its own (a register not read with its
	 * total: 0) is below the opening with no wrap between: it went round
	 * once, as before, never a negative usage. */
	if (!wraps && to < from)
		wraps = 1;
	*raw = to - from + wraps * pm_meter_range(m->digits);
	if (wraps)
		*wrapped = 1;
	return PM_OK;
}

/* from: the start of a span of periods (0 for one period). A meter in
 * place before it with no reading at or before start has no known
 * opening: its initial value is from its installation, long before, so
 * it opens at its first reading after start instead, and says so. */
static int segment(struct run *r, const struct mtr *m, int64_t start, int64_t end, int64_t from,
		   struct segment *s, struct pm_err *e)
{
	int rc;

	memset(s, 0, sizeof *s);
	if ((rc = at_or_before(r, m->id, start, &s->opening_ts, &s->opening, e)) < 0)
		return -rc;
	if (rc == 0) {
		s->opening_ts = m->installed;
		s->opening = m->initial;
		s->partial = from && m->installed < from;
		if (s->partial && (rc = first_after(r->db, m->id, start, end, &s->opening_ts, &s->opening, e)) < 0)
			return -rc;
	}
	if ((rc = at_or_before(r, m->id, end, &s->closing_ts, &s->closing, e)) < 0)
		return -rc;
	s->read = rc && s->closing_ts > start;
	if (!s->read) {
		s->closing_ts = s->opening_ts;
		s->closing = s->opening;
	}
	return advance(r->db, m, 0, s->opening_ts, s->opening, s->closing_ts, s->closing, &s->raw, &s->wrapped, e);
}

#define CHAIN \
	"WITH RECURSIVE chain(id) AS (SELECT ?1 UNION ALL SELECT m.replaces FROM meter m JOIN chain c ON m.id = c.id" \
	" WHERE m.replaces IS NOT NULL) "

/* Usage billed on estimates of meter m, and of the meters it replaced
 * (a replacement keeps what was billed on the old meter's estimates for
 * the new one's readings to take off): *taken, those a reading now
 * covers, of periods before p ending after since; *own, p's own estimate
 * (not what p's reading left to carry, which ends a second after p).
 * Before the multiplier, which a replacement keeps. */
static int estimated(struct run *r, const struct mtr *m, int64_t since, int64_t *taken, int64_t *own,
		     struct pm_err *e)
{
#define SUMS \
	"SELECT coalesce(sum(usage) FILTER (WHERE period < ?3), 0)," \
	" coalesce(sum(usage) FILTER (WHERE period = ?3 AND period_end = ?4), 0) FROM meter_estimate WHERE "
#define COVERED " AND period_end > ?2 AND period <= ?3"
	static const char *const sql[2] = {
		SUMS "meter_id = ?1" COVERED,
		CHAIN SUMS "meter_id IN chain" COVERED,
	};
#undef SUMS
#undef COVERED
	char per[PM_TIME_BUF];
	sqlite3_stmt *st = pm_db_stmt(r->db, sql[m->replaces != 0], e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, m->id);
	sqlite3_bind_int64(st, 2, since);
	sqlite3_bind_text(st, 3, pm_period_fmt(r->p, per), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, r->end);
	rc = sqlite3_step(st);
	*taken = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	*own = rc == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return pm_db_fail(r->db, e, _("cannot read estimates"));
	return PM_OK;
}

/* The earliest period before p with an estimate of m (or of a meter it
 * replaced) ending after since, into *q and its end: 1, or 0 if none. */
static int first_estimated(struct run *r, const struct mtr *m, int64_t since, struct pm_period *q,
			   int64_t *q_end, struct pm_err *e)
{
	static const char *const sql[2] = {
		"SELECT period, period_end FROM meter_estimate WHERE meter_id = ?1 AND period_end > ?2"
		" AND period < ?3 ORDER BY period LIMIT 1",
		CHAIN "SELECT period, period_end FROM meter_estimate WHERE meter_id IN chain AND period_end > ?2"
		" AND period < ?3 ORDER BY period LIMIT 1",
	};
	char per[PM_TIME_BUF];
	sqlite3_stmt *st = pm_db_stmt(r->db, sql[m->replaces != 0], e);
	int rc, found = 0;

	if (!st)
		return -e->code;
	sqlite3_bind_int64(st, 1, m->id);
	sqlite3_bind_int64(st, 2, since);
	sqlite3_bind_text(st, 3, pm_period_fmt(r->p, per), -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*q_end = sqlite3_column_int64(st, 1);
		found = pm_period_parse((const char *)sqlite3_column_text(st, 0), q, e) == PM_OK ? 1 : -e->code;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -pm_db_fail(r->db, e, _("cannot read estimates"));
	return found;
}
#undef CHAIN

int pm_usage_estimate_record(struct pm_db *db, int64_t meter_id, struct pm_period p,
			     int64_t usage, int carried, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO meter_estimate (meter_id, period, period_end, usage) VALUES (?, ?, ?, ?)"
		" ON CONFLICT DO NOTHING";
	char per[PM_TIME_BUF];
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int64_t start, end;

	if (!st)
		return e->code;
	pm_period_bounds(p, pm_db_tz(db), &start, &end);
	sqlite3_bind_int64(st, 1, meter_id);
	sqlite3_bind_text(st, 2, pm_period_fmt(p, per), -1, SQLITE_TRANSIENT);
	/* A reading at p's very end opens the next period: what p carries
	 * is taken off from after it, an estimate from after its month. */
	sqlite3_bind_int64(st, 3, end + (carried != 0));
	sqlite3_bind_int64(st, 4, usage);
	return pm_db_step_done(db, st, _("cannot record the estimate"), e);
}

/* Average raw usage of the periods before p that had readings, of the
 * last three; 0 if none had. */
static int average_before(struct run *r, const struct mtr *m, struct pm_period p, int64_t *avg,
			  struct pm_err *e)
{
	const char *tz = pm_db_tz(r->db);
	int64_t start, end, sum = 0;
	struct segment s;
	int n = 0;

	for (int k = 1; k <= 3; k++) {
		pm_period_bounds(pm_period_add(p, -k), tz, &start, &end);
		if (end <= m->installed)
			break;
		if (segment(r, m, start, end, 0, &s, e))
			return e->code;
		if (s.read) {
			sum += s.raw;
			n++;
		}
	}
	*avg = n ? pm_div_round(sum, n, PM_ROUND_HALF_UP) : 0;
	return PM_OK;
}

static int register_at(struct pm_db *db, int64_t meter, int64_t ts, int reg, int64_t *v,
		       struct pm_err *e)
{
	static const char sql[] =
		"SELECT value FROM reading_register WHERE meter_id = ?1 AND ts = ?2 AND reg = ?3";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, meter);
	sqlite3_bind_int64(st, 2, ts);
	sqlite3_bind_int(st, 3, reg);
	rc = sqlite3_step(st);
	*v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read registers"));
	return PM_OK;
}

static int registers(struct pm_db *db, const struct mtr *m, const struct segment *s,
		     struct pm_usage *u, struct pm_err *e)
{
	struct pm_usage_reg *r;
	int wrapped = 0;

	for (int reg = 1; reg <= PM_REGS; reg++) {
		if (!(m->regs & (1 << reg)))
			continue;
		r = &u->regs[u->nregs++];
		r->reg = reg;
		if (register_at(db, m->id, s->opening_ts, reg, &r->opening, e) ||
		    register_at(db, m->id, s->closing_ts, reg, &r->closing, e))
			return e->code;
		if (!s->read)
			continue;
		if (advance(db, m, reg, s->opening_ts, r->opening, s->closing_ts, r->closing, &r->usage, &wrapped, e))
			return e->code;
		r->usage *= m->multiplier;
	}
	return PM_OK;
}

#define MTR_COLS "m.id, m.multiplier, m.installed_at, m.initial, coalesce(m.retired_at, 0)," \
	" coalesce(m.replaces, 0), m.digits, m.registers"

static void mtr_of(sqlite3_stmt *st, int col, struct mtr *m)
{
	m->id = sqlite3_column_int64(st, col);
	m->multiplier = sqlite3_column_int64(st, col + 1);
	m->installed = sqlite3_column_int64(st, col + 2);
	m->initial = sqlite3_column_int64(st, col + 3);
	m->retired = sqlite3_column_int64(st, col + 4);
	m->replaces = sqlite3_column_int64(st, col + 5);
	m->digits = sqlite3_column_int(st, col + 6);
	m->regs = pm_meter_regs_mask((const char *)sqlite3_column_text(st, col + 7));
}

static int load_mtr(struct pm_db *db, int64_t id, struct mtr *m, struct pm_err *e)
{
	static const char sql[] = "SELECT " MTR_COLS " FROM meter m WHERE m.id = ?";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		mtr_of(st, 0, m);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return pm_db_fail(db, e, _("cannot read meters"));
	return PM_OK;
}

/* Meters this one replaced during the period count up to their final
 * readings, so a replacement leaves no gap and counts nothing twice. */
static int fold_predecessors(struct run *r, const struct mtr *m, struct pm_usage *u,
			     int *read, struct pm_err *e)
{
	struct segment s;
	struct mtr pm;
	int64_t id = m->replaces;

	while (id) {
		if (load_mtr(r->db, id, &pm, e))
			return e->code;
		if (pm.retired <= r->start)
			break;
		if (segment(r, &pm, r->start, r->end, r->from, &s, e))
			return e->code;
		u->usage += s.raw * pm.multiplier;
		u->opening = s.opening;
		u->opening_ts = s.opening_ts;
		u->flags |= PM_USAGE_REPLACED | (s.wrapped ? PM_USAGE_WRAPPED : 0) | (s.partial ? PM_USAGE_PARTIAL : 0);
		*read |= s.read;
		id = pm.replaces;
	}
	return PM_OK;
}

static int apply_missing(struct run *r, const struct mtr *m, struct pm_usage *u, struct pm_err *e)
{
	int64_t avg = 0;

	u->flags |= PM_USAGE_MISSING;
	if (r->policy == MISSING_HOLD)
		u->flags |= PM_USAGE_HELD;
	if (r->policy != MISSING_AVERAGE)
		return PM_OK;
	if (average_before(r, m, r->p, &avg, e))
		return e->code;
	u->usage += avg * m->multiplier;
	u->flags |= PM_USAGE_ESTIMATED;
	return PM_OK;
}

/* In a span, a month with no reading adds what it was billed on an
 * estimate, if it was: the month that reads again takes it off. */
static int estimate_billed(struct run *r, const struct mtr *m, struct pm_usage *u, struct pm_err *e)
{
	int64_t before, billed;

	if (estimated(r, m, r->start, &before, &billed, e))
		return e->code;
	if (billed) {
		u->usage += billed * m->multiplier;
		u->flags |= PM_USAGE_ESTIMATED;
	}
	return PM_OK;
}

/* A month billed on its estimate, with a reading dated in it that came
 * after the bill, stands on the estimate where that reading cannot
 * change what was billed: in a span (the year to date counts what the
 * months billed), and for a common meter once a bill of the month is
 * issued (every unit's share billed the estimate; a rebill of one share
 * cannot take it back from the others). The next month's readings take
 * it off (rebase). */
static int stands(const struct run *r, const struct pm_usage *u, int64_t own)
{
	return own && (r->from || (r->issued && strcmp(u->scope, "unit") != 0));
}

/* The opening reading can be one dated in an earlier month billed on its
 * estimate, come after that bill: the estimate stands for its month
 * until a rebill lets it go, so the readings count from where that month
 * opened, as its bill did, less what it billed. Counted from the late
 * reading, less the whole estimate, the month's own usage up to that
 * reading was billed by nobody. */
static int rebase(struct run *r, const struct mtr *m, struct segment *s, int64_t *taken, struct pm_err *e)
{
	int64_t start, end, q_end = 0, ts, value, own;
	struct pm_period q;
	int rc;

	while ((rc = first_estimated(r, m, s->opening_ts, &q, &q_end, e)) == 1) {
		pm_period_bounds(q, pm_db_tz(r->db), &start, &end);
		if (q_end != end || start > s->opening_ts)
			return PM_OK;
		if ((rc = at_or_before(r, m->id, start, &ts, &value, e)) < 0)
			return -rc;
		if (!rc) {
			ts = m->installed;
			value = m->initial;
		}
		if (ts >= s->opening_ts)
			return PM_OK;
		s->opening = value;
		s->opening_ts = ts;
		s->wrapped = 0;
		if (advance(r->db, m, 0, s->opening_ts, s->opening, s->closing_ts, s->closing, &s->raw,
			    &s->wrapped, e) ||
		    estimated(r, m, ts, taken, &own, e))
			return e->code;
	}
	return rc < 0 ? -rc : PM_OK;
}

static int compute(struct run *r, const struct mtr *m, struct pm_usage *u, struct pm_err *e)
{
	struct segment s;
	int64_t taken = 0, own = 0;
	int read;

	if (segment(r, m, r->start, r->end, r->from, &s, e))
		return e->code;
	u->opening = s.opening;
	u->opening_ts = s.opening_ts;
	u->flags = (s.wrapped ? PM_USAGE_WRAPPED : 0) | (s.partial ? PM_USAGE_PARTIAL : 0);
	read = s.read;
	if (fold_predecessors(r, m, u, &read, e))
		return e->code;
	if (read && r->estimates && estimated(r, m, u->opening_ts, &taken, &own, e))
		return e->code;
	if (read && stands(r, u, own)) {
		read = 0;
		taken = 0;
		u->usage = 0;
		s.closing = u->opening;
		s.closing_ts = u->opening_ts;
		s.raw = 0;
	} else if (taken && !(u->flags & PM_USAGE_REPLACED)) {
		if (rebase(r, m, &s, &taken, e))
			return e->code;
		u->opening = s.opening;
		u->opening_ts = s.opening_ts;
		u->flags = (u->flags & ~(unsigned)PM_USAGE_WRAPPED) | (s.wrapped ? PM_USAGE_WRAPPED : 0);
	}
	u->closing = s.closing;
	u->closing_ts = s.closing_ts;
	/* What the readings since the opening one give (a meter replaced in
	 * the period folded in), less the estimates billed since, which they
	 * now cover: the meters' multiplier is one, replace keeps it. */
	u->usage += s.raw * m->multiplier;
	if (taken) {
		taken *= m->multiplier;
		u->carry = taken > u->usage ? (taken - u->usage) / m->multiplier : 0;
		u->usage = u->usage > taken ? u->usage - taken : 0;
		u->flags |= PM_USAGE_ADJUSTED;
	}
	if (own && !read) {
		u->usage += own * m->multiplier;
		u->flags |= PM_USAGE_ESTIMATED | (r->from ? 0 : PM_USAGE_MISSING);
		return PM_OK;
	}
	if (r->from)
		return read || !r->estimates ? PM_OK : estimate_billed(r, m, u, e);
	if (!read && apply_missing(r, m, u, e))
		return e->code;
	return registers(r->db, m, &s, u, e);
}

static int run_setup(struct pm_db *db, struct pm_period p, struct run *r, struct pm_err *e)
{
	struct pm_config *cfg;
	json_t *meters = NULL;
	const char *policy;
	sqlite3_stmt *st;

	memset(r, 0, sizeof *r);
	r->db = db;
	r->p = p;
	pm_period_bounds(p, pm_db_tz(db), &r->start, &r->end);
	if (pm_meter_config(db, pm_date_of(r->start, pm_db_tz(db)), &cfg, &meters, e))
		return e->code;
	policy = json_string_value(json_object_get(meters, "missing"));
	r->policy = !policy || strcmp(policy, "zero") == 0 ? MISSING_ZERO
		  : strcmp(policy, "hold") == 0 ? MISSING_HOLD : MISSING_AVERAGE;
	pm_config_free(cfg);
	if (sqlite3_prepare_v2(pm_db_sqlite(db), "SELECT EXISTS (SELECT 1 FROM meter_estimate)", -1,
			       &st, NULL) != SQLITE_OK)
		return pm_db_fail(db, e, _("cannot read estimates"));
	r->estimates = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return PM_OK;
}

/* Month p's bounds into r->start and r->end. */
static void month_bounds(struct run *r, struct pm_period p)
{
	int i = (p.year - r->span.year) * 12 + p.month - r->span.month;

	if (i >= 0 && i < SPAN_MONTHS && r->bounds[i][1]) {
		r->start = r->bounds[i][0];
		r->end = r->bounds[i][1];
		return;
	}
	pm_period_bounds(p, pm_db_tz(r->db), &r->start, &r->end);
	if (i >= 0 && i < SPAN_MONTHS) {
		r->bounds[i][0] = r->start;
		r->bounds[i][1] = r->end;
	}
}

/* A span's months, each counted as pm_usage_each counts it, summed. */
static int compute_span(struct run *r, struct pm_period from, struct pm_period to, const struct mtr *m,
			struct pm_usage *u, struct pm_err *e)
{
	struct pm_usage month;

	for (struct pm_period p = from; pm_period_cmp(p, to) < 0; p = pm_period_add(p, 1)) {
		r->p = p;
		month_bounds(r, p);
		memset(&month, 0, sizeof month);
		if (compute(r, m, &month, e))
			return e->code;
		u->usage += month.usage;
		u->flags |= month.flags;
		if (pm_period_cmp(p, from) == 0) {
			u->opening = month.opening;
			u->opening_ts = month.opening_ts;
		}
		u->closing = month.closing;
		u->closing_ts = month.closing_ts;
	}
	return PM_OK;
}

/* Instant t into the run's instants, once. */
static void ahead_instant(struct ahead *a, int64_t t)
{
	for (int k = 0; k < a->n; k++)
		if (a->t[k] == t)
			return;
	if (a->n < SPAN_MONTHS + 1)
		a->t[a->n++] = t;
}

/* The run's instants, in order: the period's start and end, or each
 * month's of the span. */
static void ahead_instants(struct run *r, struct pm_period from, struct pm_period to)
{
	struct ahead *a = &r->ahead;
	int64_t start, end;

	memset(a, 0, sizeof *a);
	if (!to.year) {
		ahead_instant(a, r->start);
		ahead_instant(a, r->end);
		return;
	}
	for (struct pm_period p = from; pm_period_cmp(p, to) < 0 && a->n <= SPAN_MONTHS; p = pm_period_add(p, 1)) {
		pm_period_bounds(p, pm_db_tz(r->db), &start, &end);
		ahead_instant(a, start);
		ahead_instant(a, end);
	}
}

/* Meter m's last reading at or before each of the run's instants, the
 * latest instant first: the reading found is the answer for every
 * earlier instant at or after it too, and none found is the answer for
 * all earlier ones, so a meter read once in the span costs two
 * look-ups, not one per month. */
static int ahead_fill(struct run *r, const struct mtr *m, struct pm_err *e)
{
	struct ahead *a = &r->ahead;
	int64_t ts = 0, value = 0;
	int hi = a->n - 1, rc;

	a->meter = m->id;
	while (hi >= 0) {
		if ((rc = reading_row(r->db, at_or_before_sql, m->id, INT64_MIN, a->t[hi], &ts, &value, e)) < 0) {
			a->meter = 0;
			return -rc;
		}
		for (; hi >= 0 && (!rc || a->t[hi] >= ts); hi--) {
			a->at[hi].rc = rc;
			a->at[hi].ts = rc ? ts : 0;
			a->at[hi].value = rc ? value : 0;
		}
	}
	return PM_OK;
}

/* The meters in service between start and end, a replaced one folded
 * into its successor's row: each to compute_span (to.year != 0) or to
 * compute, then to fn. */
static int each_meter(struct run *r, struct pm_period from, struct pm_period to, const char *kind,
		      const char *meter, int (*fn)(void *ctx, const struct pm_usage *u), void *ctx,
		      struct pm_err *e)
{
#define METERS \
	"SELECT m.code, m.kind, m.uom, m.scope, CASE m.scope WHEN 'unit' THEN un.code" \
	" WHEN 'building' THEN 'building:' || b.code ELSE 'community' END, " MTR_COLS ","  \
	" coalesce(m.unit_id, 0), coalesce(m.building_id, 0)" \
	" FROM meter m LEFT JOIN unit un ON un.id = m.unit_id LEFT JOIN building b ON b.id = m.building_id" \
	" WHERE (?1 IS NULL OR m.kind = ?1) AND (?2 IS NULL OR m.code = ?2) AND m.installed_at < ?4" \
	" AND (m.retired_at IS NULL OR m.retired_at > ?3)" \
	" AND NOT EXISTS (SELECT 1 FROM meter s WHERE s.replaces = m.id AND s.installed_at < ?4)"
	static const char by_code[] = METERS " ORDER BY m.code", by_id[] = METERS " ORDER BY m.id";
#undef METERS
	struct pm_usage u;
	struct mtr m;
	sqlite3_stmt *st;
	int rc;

	if (!(st = pm_db_stmt(r->db, r->stored ? by_id : by_code, e)))
		return e->code;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, meter, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, r->start);
	sqlite3_bind_int64(st, 4, r->end);
	ahead_instants(r, from, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&u, 0, sizeof u);
		mtr_of(st, 5, &m);
		u.meter = TEXT(st, 0);
		u.kind = TEXT(st, 1);
		u.uom = TEXT(st, 2);
		u.scope = TEXT(st, 3);
		u.serves = TEXT(st, 4);
		u.meter_id = m.id;
		u.multiplier = m.multiplier;
		u.unit_id = sqlite3_column_int64(st, 13);
		u.building_id = sqlite3_column_int64(st, 14);
		rc = ahead_fill(r, &m, e);
		if (rc == PM_OK)
			rc = to.year ? compute_span(r, from, to, &m, &u, e) : compute(r, &m, &u, e);
		if (rc || (rc = fn(ctx, &u))) {
			sqlite3_reset(st);
			return rc;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return pm_db_fail(r->db, e, _("cannot read meters"));
	return PM_OK;
}

int pm_usage_each(struct pm_db *db, struct pm_period p, const char *kind, const char *meter,
		  int (*fn)(void *ctx, const struct pm_usage *u), void *ctx, struct pm_err *e)
{
	struct run r;

	if (run_setup(db, p, &r, e))
		return e->code;
	return each_meter(&r, p, (struct pm_period){0, 0}, kind, meter, fn, ctx, e);
}

int pm_usage_each_stored(struct pm_db *db, struct pm_period p, const char *kind, int issued,
			 int (*fn)(void *ctx, const struct pm_usage *u), void *ctx, struct pm_err *e)
{
	struct run r;

	if (run_setup(db, p, &r, e))
		return e->code;
	r.stored = 1;
	r.issued = issued;
	return each_meter(&r, p, (struct pm_period){0, 0}, kind, NULL, fn, ctx, e);
}

int pm_usage_span_each(struct pm_db *db, struct pm_period from, struct pm_period to, const char *kind,
		       int (*fn)(void *ctx, const struct pm_usage *u), void *ctx, struct pm_err *e)
{
	int64_t end, ignored;
	struct run r;

	if (pm_period_cmp(from, to) >= 0)
		return PM_OK;
	if (run_setup(db, from, &r, e))
		return e->code;
	pm_period_bounds(to, pm_db_tz(db), &end, &ignored);
	r.span = from;
	r.stored = 1;
	r.from = r.start;
	r.end = end;
	return each_meter(&r, from, to, kind, NULL, fn, ctx, e);
}

const char *pm_usage_flag_names(unsigned flags, char *buf, size_t size)
{
	static const char *const names[] = {"missing", "estimated", "held", "wrapped", "replaced", "adjusted",
					    "partial"};
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof names / sizeof *names && n < size; i++)
		if (flags & (1u << i))
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "," : "", names[i]);
	return buf;
}

json_t *pm_usage_json(const struct pm_usage *u, struct pm_period p)
{
	char per[PM_TIME_BUF], a[PM_MONEY_BUF], b[PM_MONEY_BUF], c[PM_MONEY_BUF], flags[96];
	json_t *j, *regs;

	j = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:I, s:s}", "type", "usage",
		"period", pm_period_fmt(p, per), "meter", u->meter, "kind", u->kind, "serves", u->serves,
		"uom", u->uom, "opening", pm_decimal_fmt(u->opening, 3, a),
		"closing", pm_decimal_fmt(u->closing, 3, b), "usage", pm_decimal_fmt(u->usage, 3, c),
		"multiplier", (json_int_t)u->multiplier,
		"flags", pm_usage_flag_names(u->flags, flags, sizeof flags));
	if (u->carry)
		json_object_set_new(j, "estimate_left", json_string(pm_decimal_fmt(u->carry * u->multiplier, 3, a)));
	if (!u->nregs)
		return j;
	regs = json_object();
	for (int i = 0; i < u->nregs; i++)
		json_object_set_new(regs, pm_reg_name(u->regs[i].reg),
			json_pack("{s:s, s:s, s:s}", "opening", pm_decimal_fmt(u->regs[i].opening, 3, a),
				  "closing", pm_decimal_fmt(u->regs[i].closing, 3, b),
				  "usage", pm_decimal_fmt(u->regs[i].usage, 3, c)));
	json_object_set_new(j, "registers", regs);
	return j;
}

/* ---- anomalies ---- */

struct anomalies {
	struct run r;
	int64_t factor10;  /* spike factor in tenths */
	int64_t stuck_n;
	int (*fn)(void *ctx, json_t *a);
	void *ctx;
	struct pm_err *e;
};

static int emit(struct anomalies *a, const struct pm_usage *u, const char *rule, json_t *extra)
{
	char per[PM_TIME_BUF], v[PM_MONEY_BUF];
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:s}", "type", "anomaly", "rule", rule,
			      "period", pm_period_fmt(a->r.p, per), "meter", u->meter, "kind", u->kind,
			      "serves", u->serves, "usage", pm_decimal_fmt(u->usage, 3, v));
	int rc;

	json_object_update(j, extra);
	json_decref(extra);
	rc = a->fn(a->ctx, j);
	json_decref(j);
	return rc;
}

/* Lived in on any day of the period, by occupancy (pm_unit_vacancy). */
static int occupied(struct anomalies *a, const struct pm_usage *u, int *yes, struct pm_err *e)
{
	static const char sql[] = "SELECT unit_id FROM meter WHERE id = ?1 AND unit_id IS NOT NULL";
	sqlite3_stmt *st = pm_db_stmt(a->r.db, sql, e);
	const char *tz = pm_db_tz(a->r.db);
	struct pm_vacancy v;
	int64_t unit = 0;
	int rc;

	*yes = 0;
	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, u->meter_id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		unit = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pm_db_fail(a->r.db, e, _("cannot read meters"));
	if (!unit)
		return PM_OK;
	if (pm_unit_vacancy(a->r.db, unit, pm_date_of(a->r.start, tz), pm_date_of(a->r.end, tz) - 1, &v, e))
		return e->code;
	*yes = v.vacant < v.days;
	return PM_OK;
}

/* The same value for the last N readings of the period. */
static int stuck(struct anomalies *a, const struct pm_usage *u, int *yes, struct pm_err *e)
{
	static const char sql[] =
		"SELECT count(*), min(value) = max(value) FROM (SELECT value FROM reading"
		" WHERE meter_id = ?1 AND ts > ?2 AND ts <= ?3 ORDER BY ts DESC LIMIT ?4)";
	sqlite3_stmt *st = pm_db_stmt(a->r.db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, u->meter_id);
	sqlite3_bind_int64(st, 2, a->r.start);
	sqlite3_bind_int64(st, 3, a->r.end);
	sqlite3_bind_int64(st, 4, a->stuck_n);
	*yes = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) >= a->stuck_n &&
	       sqlite3_column_int(st, 1);
	sqlite3_reset(st);
	return PM_OK;
}

/* Water flowing in every hour from 02:00 to 05:00 of a night: a leak, most
 * likely. Needs readings at least hourly; counts such nights. */
static int night_flow(struct anomalies *a, const struct pm_usage *u, int *nights, char *first,
		      struct pm_err *e)
{
	static const char sql[] =
		"SELECT ts, value FROM reading WHERE meter_id = ?1 AND ts > ?2 AND ts <= ?3 ORDER BY ts";
	int32_t d0 = pm_date_of(a->r.start, pm_db_tz(a->r.db)), days = pm_period_days(a->r.p);
	int64_t at[32 * 4], val[32 * 4], last = -1;
	sqlite3_stmt *st = pm_db_stmt(a->r.db, sql, e);
	int nb = 0, k = 0, count = 0;

	*nights = 0;
	if (!st)
		return e->code;
	for (int32_t d = 0; d < days && d < 32; d++)
		for (int h = 2; h <= 5; h++) {
			at[nb] = pm_date_start(d0 + d, pm_db_tz(a->r.db)) + h * 3600;
			val[nb++] = -1;
		}
	sqlite3_bind_int64(st, 1, u->meter_id);
	sqlite3_bind_int64(st, 2, a->r.start - 3600);
	sqlite3_bind_int64(st, 3, a->r.end);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t ts = sqlite3_column_int64(st, 0);
		for (; k < nb && at[k] < ts; k++)
			val[k] = last;
		last = sqlite3_column_int64(st, 1);
		count++;
	}
	sqlite3_reset(st);
	for (; k < nb; k++)
		val[k] = last;
	if (count < days * 24 * 9 / 10)
		return PM_OK;
	for (int i = 0; i + 3 < nb; i += 4)
		if (val[i] >= 0 && val[i + 1] > val[i] && val[i + 2] > val[i + 1] && val[i + 3] > val[i + 2]) {
			if (!(*nights)++)
				pm_date_fmt(d0 + i / 4, first);
		}
	return PM_OK;
}

static int decreases(struct anomalies *a, const struct pm_usage *u, struct pm_err *e)
{
	static const char sql[] =
		"SELECT ts, value, detail FROM meter_event WHERE meter_id = ?1 AND ts > ?2 AND ts <= ?3"
		" AND kind = 'decrease_rejected' ORDER BY ts";
	sqlite3_stmt *st = pm_db_stmt(a->r.db, sql, e);
	char t[PM_TIME_BUF], v[PM_MONEY_BUF];
	int rc = PM_OK;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, u->meter_id);
	sqlite3_bind_int64(st, 2, a->r.start);
	sqlite3_bind_int64(st, 3, a->r.end);
	while (rc == PM_OK && sqlite3_step(st) == SQLITE_ROW)
		rc = emit(a, u, "decrease_rejected", json_pack("{s:s, s:s, s:s}",
			"ts", pm_time_fmt(sqlite3_column_int64(st, 0), pm_db_tz(a->r.db), t),
			"value", pm_decimal_fmt(sqlite3_column_int64(st, 1), 3, v),
			"detail", (const char *)sqlite3_column_text(st, 2)));
	sqlite3_reset(st);
	return rc;
}

static int spike(struct anomalies *a, const struct pm_usage *u, struct pm_err *e)
{
	char v[PM_MONEY_BUF], f[PM_MONEY_BUF];
	struct mtr m = {.id = u->meter_id, .multiplier = u->multiplier};
	int64_t avg;

	if (load_mtr(a->r.db, u->meter_id, &m, e) || average_before(&a->r, &m, a->r.p, &avg, e))
		return e->code;
	avg *= m.multiplier;
	if (avg <= 0 || u->usage * 10 <= avg * a->factor10)
		return PM_OK;
	return emit(a, u, "spike", json_pack("{s:s, s:s}", "average", pm_decimal_fmt(avg, 3, v),
					     "factor", pm_decimal_fmt(a->factor10, 1, f)));
}

static int check_meter(void *ctx, const struct pm_usage *u)
{
	struct anomalies *a = ctx;
	struct pm_err *e = a->e;
	char first[PM_TIME_BUF];
	int occ, yes = 0, nights, rc;

	if (u->flags & PM_USAGE_MISSING)
		return emit(a, u, "missing", json_object());
	if ((rc = spike(a, u, e)) || (rc = decreases(a, u, e)) || (rc = occupied(a, u, &occ, e)))
		return rc;
	if (occ && u->usage == 0 && (rc = emit(a, u, "zero_usage", json_object())))
		return rc;
	if (occ && ((rc = stuck(a, u, &yes, e)) || (yes && (rc = emit(a, u, "stuck",
			json_pack("{s:I}", "readings", (json_int_t)a->stuck_n))))))
		return rc;
	if (strcmp(u->kind, "water") != 0)
		return PM_OK;
	if ((rc = night_flow(a, u, &nights, first, e)))
		return rc;
	return nights ? emit(a, u, "night_flow", json_pack("{s:i, s:s}", "nights", nights, "first", first)) : PM_OK;
}

int pm_anomaly_each(struct pm_db *db, struct pm_period p, int (*fn)(void *ctx, json_t *a),
		    void *ctx, struct pm_err *e)
{
	struct anomalies a = {.fn = fn, .ctx = ctx, .e = e};
	struct pm_config *cfg;
	json_t *meters = NULL;
	int64_t start, end;

	pm_period_bounds(p, pm_db_tz(db), &start, &end);
	if (pm_meter_config(db, pm_date_of(start, pm_db_tz(db)), &cfg, &meters, e))
		return e->code;
	a.factor10 = json_integer_value(json_object_get(meters, "spike_factor"));
	a.stuck_n = json_integer_value(json_object_get(meters, "stuck_readings"));
	pm_config_free(cfg);
	if (run_setup(db, p, &a.r, e))
		return e->code;
	return pm_usage_each(db, p, NULL, NULL, check_meter, &a, e);
}
