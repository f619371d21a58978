/* renovation: renovation permits (装修管理), their state machine, the
 * deposit they hold (through lib/deposit.c, refs renovation:ID:...),
 * inspections as tickets, violations, noise complaints and the guards'
 * list of who may let workers in. */
#include <stdio.h>
#include <string.h>

#include "pm/audit.h"
#include "pm/community.h"
#include "pm/db.h"
#include "pm/deposit.h"
#include "pm/i18n.h"
#include "pm/money.h"
#include "pm/renovation.h"
#include "pm/timeutil.h"
#include "bill-internal.h"
#include "repair-internal.h"

enum { APPLIED, APPROVED, REJECTED, STARTED, COMPLETED, NSTATUS };
#define NO (-1)

static const char *const status_names[NSTATUS] = {"applied", "approved", "rejected", "started", "completed"};

const char *const pm_renovation_violations[] = {"noise", "hours", "structure", "debris", NULL};

#define A(x) PM_RENOVATION_##x
/* The state machine: where each step leads from each state. extend and
 * violation leave the state as it is; inspections happen while work goes
 * on. Messages about allowed steps are made from this table. */
static const struct {
	const char *name, *permission;
	int next[NSTATUS];
} actions[PM_RENOVATION_ACTION_COUNT] = {
	/*                                            applied   approved  rejected started  completed */
	[A(APPROVE)] = {"approve", "renovation.manage", {APPROVED, NO, NO, NO, NO}},
	[A(REJECT)] = {"reject", "renovation.manage", {REJECTED, NO, NO, NO, NO}},
	[A(START)] = {"start", "renovation.manage", {NO, STARTED, NO, NO, NO}},
	[A(INSPECT)] = {"inspect", "renovation.read", {NO, NO, NO, STARTED, NO}},
	[A(EXTEND)] = {"extend", "renovation.manage", {NO, APPROVED, NO, STARTED, NO}},
	[A(VIOLATION)] = {"violation", "renovation.manage", {NO, APPROVED, NO, STARTED, NO}},
	/* Finance completes: completion gives the deposit back. */
	[A(COMPLETE)] = {"complete", "bill.deposit.release", {NO, NO, NO, COMPLETED, NO}},
};

static int next_of(int from, int a)
{
	if ((unsigned)from >= NSTATUS || (unsigned)a >= PM_RENOVATION_ACTION_COUNT)
		return NO;
	return actions[a].next[from];
}

static const char *allowed(int from, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int a = 0; a < PM_RENOVATION_ACTION_COUNT && len < n; a++)
		if (next_of(from, a) != NO)
			len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? ", " : "", actions[a].name);
	if (!len)
		snprintf(buf, n, "%s", _("none"));
	return buf;
}

/* ---- the configuration ---- */

static int section(struct pm_db *db, struct pm_repair *rp, json_t **sec, struct pm_err *e)
{
	if (pm_repair_open(db, rp, e))
		return e->code;
	if (!(*sec = json_object_get(rp->sec, "renovation"))) {
		pm_repair_close(rp);
		return pm_err_set(e, PM_ECONFIG, _("no renovation rules in the repair section of the configuration:"
						   " add repair.renovation to pm.yaml and run 'pm config apply'"));
	}
	return PM_OK;
}

/* ---- rows ---- */

struct reno {
	int64_t id, unit_id, deposit, forfeit, created, refund; /* refund: -1 until given back */
	int status, inspections;
	char unit[64], use[16], channel[32], from[16], to[16];
};

static int load(struct pm_db *db, const struct pm_actor *a, int64_t id, struct reno *r, struct pm_err *e)
{
	static const char sql[] =
		"SELECT r.id, r.unit_id, u.code, u.use, r.status, r.from_day, r.to_day, r.deposit_fen, r.forfeit_fen,"
		" r.channel, r.inspections, r.created_at, coalesce(r.refund_fen, -1)"
		" FROM renovation r JOIN unit u ON u.id = r.unit_id WHERE r.id = ?";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char status[16] = "";
	int rc;

	if (!st)
		return e->code;
	memset(r, 0, sizeof *r);
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r->id = sqlite3_column_int64(st, 0);
		r->unit_id = sqlite3_column_int64(st, 1);
		pm_text_col(st, 2, r->unit, sizeof r->unit);
		pm_text_col(st, 3, r->use, sizeof r->use);
		pm_text_col(st, 4, status, sizeof status);
		pm_text_col(st, 5, r->from, sizeof r->from);
		pm_text_col(st, 6, r->to, sizeof r->to);
		r->deposit = sqlite3_column_int64(st, 7);
		r->forfeit = sqlite3_column_int64(st, 8);
		pm_text_col(st, 9, r->channel, sizeof r->channel);
		r->inspections = sqlite3_column_int(st, 10);
		r->created = sqlite3_column_int64(st, 11);
		r->refund = sqlite3_column_int64(st, 12);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return a->role == PM_ROLE_OWNER ? pm_err_set(e, PM_ENOPERM, _("user '%s' may not see renovation %lld"),
							     a->login, (long long)id)
						: pm_err_set(e, PM_EDATA, _("no renovation %lld"), (long long)id);
	if (rc != SQLITE_ROW)
		return pm_db_fail(db, e, _("cannot read renovations"));
	for (r->status = 0; r->status < NSTATUS && strcmp(status, status_names[r->status]); r->status++)
		;
	return PM_OK;
}

/* Owners see the renovations of units where they live applied in their
 * own time there (pm_unit_may_read_from): a buyer not the seller's
 * permit, its deposit or its steps. */
static int may_see(struct pm_db *db, const struct pm_actor *a, const struct reno *r, struct pm_err *e)
{
	int64_t from;

	if (pm_auth_check(a, "renovation.read", e))
		return e->code;
	if (a->role == PM_ROLE_OWNER && (pm_unit_may_read_from(db, a, r->unit, &from, e) || r->created < from))
		return pm_err_set(e, PM_ENOPERM, _("user '%s' may not see renovation %lld"), a->login,
				  (long long)r->id);
	return PM_OK;
}

static int event(struct pm_db *db, int64_t id, const char *action, const char *from, const char *to,
		 const char *note, int64_t ticket, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO renovation_event (renovation_id, ts, actor, action, from_status, to_status, note, ticket_id)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, nullif(?, 0))";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, pm_now());
	sqlite3_bind_text(st, 3, pm_db_actor(db), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, note, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, ticket);
	return pm_db_step_done(db, st, _("cannot record the renovation's step"), e);
}

static int audit(struct pm_db *db, const char *action, int64_t id, json_t *after, struct pm_err *e)
{
	char object[40];
	int rc;

	snprintf(object, sizeof object, "renovation:%lld", (long long)id);
	rc = pm_audit_log(db, action, object, NULL, after, e);
	json_decref(after);
	return rc;
}

/* ---- applying ---- */

static int check_new(const struct pm_renovation_new *n, struct pm_err *e)
{
	if (!n->unit || !n->contractor || !*n->contractor || !n->scope || !*n->scope)
		return pm_err_set(e, PM_EUSAGE, _("a renovation needs the unit, the contractor and the scope of work"));
	if (n->to < n->from)
		return pm_err_set(e, PM_EUSAGE, _("the last day of work is before the first"));
	if (pm_text_valid(_("the contractor"), n->contractor, e) || pm_text_valid(_("the scope of work"), n->scope, e))
		return e->code;
	return PM_OK;
}

static int apply_in(struct pm_db *db, const struct pm_actor *a, const struct pm_renovation_new *n, int64_t *id,
		    struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO renovation (unit_id, status, from_day, to_day, contractor, scope, inspections, applied_by,"
		" created_at, updated_at) VALUES (?1, 'applied', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)";
	char from[PM_TIME_BUF], to[PM_TIME_BUF];
	struct pm_repair rp;
	sqlite3_stmt *st;
	int64_t unit, need;
	json_t *sec;

	if (pm_unit_id(db, n->unit, &unit, e) || section(db, &rp, &sec, e))
		return e->code;
	need = json_integer_value(json_object_get(sec, "inspections"));
	pm_repair_close(&rp);
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, unit);
	sqlite3_bind_text(st, 2, pm_date_fmt(n->from, from), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, pm_date_fmt(n->to, to), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, n->contractor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, n->scope, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, need);
	sqlite3_bind_text(st, 7, pm_db_actor(db), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, pm_now());
	if (pm_db_step_done(db, st, _("cannot store the renovation"), e))
		return e->code;
	*id = sqlite3_last_insert_rowid(pm_db_sqlite(db));
	if (event(db, *id, "apply", NULL, status_names[APPLIED], n->scope, 0, e))
		return e->code;
	return audit(db, "renovation.apply", *id,
		     json_pack("{s:s, s:s, s:s, s:s, s:s}", "unit", n->unit, "from", from, "to", to, "contractor",
			       n->contractor, "scope", n->scope), e);
}

int pm_renovation_apply(struct pm_db *db, const struct pm_actor *a, const struct pm_renovation_new *n,
			int64_t *id, struct pm_err *e)
{
	*id = 0;
	if (pm_auth_check(a, "renovation.apply", e) || check_new(n, e) ||
	    (a->role == PM_ROLE_OWNER && pm_unit_may_read(db, a, n->unit, e)) || pm_db_begin(db, e))
		return e->code;
	return pm_db_end(db, apply_in(db, a, n, id, e), e);
}

/* ---- steps ---- */

/* The deposit movement of a step, its ref "renovation:ID:what". */
static int deposit(struct pm_db *db, const struct reno *r, enum pm_deposit_action act, int64_t fen,
		   const char *channel, const char *what, const char *reason, const char *evidence,
		   struct pm_err *e)
{
	char ref[64];
	struct pm_deposit d = {act, r->unit, "renovation", channel, ref, reason, evidence, fen, 0};
	json_t *out;

	snprintf(ref, sizeof ref, "renovation:%lld:%s", (long long)r->id, what);
	if (pm_deposit_apply(db, &d, &out, e))
		return e->code;
	json_decref(out);
	return PM_OK;
}

/* One renovation under way per unit: a second is refused at approval.
 * One applied before the present owners' time (PM_OWNERS_FROM), the
 * seller's, does not hold up the buyer's: the office still sees it, and
 * completes it or gives its deposit back to the seller. Nor is one of
 * the seller's applications approved after the sale: the unit is no
 * longer theirs to have worked on. */
static int check_busy(struct pm_db *db, const struct reno *r, struct pm_err *e)
{
	static const char from_sql[] = "SELECT " PM_OWNERS_FROM("?1", "?2");
	static const char sql[] =
		"SELECT id FROM renovation WHERE unit_id = ?1 AND id <> ?2 AND status IN ('approved','started')"
		" AND created_at >= ?3";
	char day[PM_TIME_BUF];
	sqlite3_stmt *st = pm_db_stmt(db, from_sql, e);
	int64_t other = 0, from;
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, r->unit_id);
	sqlite3_bind_text(st, 2, pm_community_today(db, day), -1, SQLITE_TRANSIENT);
	if (pm_db_int64(db, st, &from, N_("cannot read renovations"), e))
		return e->code;
	if (r->created < from)
		return pm_err_set(e, PM_EFAIL, _("renovation %lld was applied for before the unit's present owners'"
						 " time there (a sale): reject it, and they apply anew"), (long long)r->id);
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, r->unit_id);
	sqlite3_bind_int64(st, 2, r->id);
	sqlite3_bind_int64(st, 3, from);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		other = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read renovations"));
	if (other)
		return pm_err_set(e, PM_EFAIL, _("unit '%s' has renovation %lld under way: complete it first"), r->unit,
				  (long long)other);
	return PM_OK;
}

static int approve(struct pm_db *db, const struct pm_actor *a, const struct reno *r,
		   const struct pm_renovation_step *s, struct pm_err *e)
{
	static const char sql[] = "UPDATE renovation SET deposit_fen = ?2, channel = ?3 WHERE id = ?1";
	const char *channel = s->channel ? s->channel : "cash";
	char evidence[48];
	struct pm_repair rp;
	sqlite3_stmt *st;
	int64_t fen;
	json_t *sec;

	if (check_busy(db, r, e) || section(db, &rp, &sec, e))
		return e->code;
	fen = json_integer_value(json_object_get(json_object_get(sec, "deposit"), r->use));
	pm_repair_close(&rp);
	snprintf(evidence, sizeof evidence, "renovation %lld", (long long)r->id);
	if (fen > 0 && (pm_auth_check(a, "bill.deposit", e) ||
			deposit(db, r, PM_DEPOSIT_TAKE, fen, channel, "take", _("renovation deposit"), evidence, e)))
		return e->code;
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_int64(st, 2, fen);
	sqlite3_bind_text(st, 3, fen > 0 ? channel : NULL, -1, SQLITE_STATIC);
	return pm_db_step_done(db, st, _("cannot update the renovation"), e);
}

static int extend(struct pm_db *db, const struct reno *r, const struct pm_renovation_step *s, struct pm_err *e)
{
	static const char sql[] = "UPDATE renovation SET to_day = ?2 WHERE id = ?1";
	char until[PM_TIME_BUF];
	sqlite3_stmt *st;

	pm_date_fmt(s->until, until);
	if (strcmp(until, r->to) <= 0)
		return pm_err_set(e, PM_EUSAGE, _("renovation %lld ends %s already: extend it to a later day"),
				  (long long)r->id, r->to);
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_text(st, 2, until, -1, SQLITE_STATIC);
	return pm_db_step_done(db, st, _("cannot update the renovation"), e);
}

static int violation(struct pm_db *db, const struct pm_actor *a, const struct reno *r,
		     const struct pm_renovation_step *s, struct pm_err *e)
{
	static const char ins[] =
		"INSERT INTO renovation_violation (renovation_id, kind, note, forfeit_fen, by_user, at)"
		" VALUES (?, ?, ?, ?, ?, ?)";
	static const char upd[] =
		"UPDATE renovation_violation SET deposit_id = (SELECT id FROM deposit WHERE ref = ?2) WHERE id = ?1";
	static const char sum[] = "UPDATE renovation SET forfeit_fen = forfeit_fen + ?2 WHERE id = ?1";
	char what[48], held[PM_MONEY_BUF], want[PM_MONEY_BUF], ref[64];
	sqlite3_stmt *st;
	int64_t vid;
	size_t k;

	for (k = 0; pm_renovation_violations[k] && (!s->kind || strcmp(s->kind, pm_renovation_violations[k])); k++)
		;
	if (!pm_renovation_violations[k])
		return pm_err_set(e, PM_EUSAGE, _("unknown violation '%s': expected noise, hours, structure or debris"),
				  s->kind ? s->kind : "");
	if (s->forfeit_fen < 0)
		return pm_err_set(e, PM_EUSAGE, _("a forfeit is not below 0"));
	if (s->forfeit_fen > r->deposit - r->forfeit)
		return pm_err_set(e, PM_EDATA, _("renovation %lld holds only %s of its deposit: cannot forfeit %s"),
				  (long long)r->id, pm_money_fmt(r->deposit - r->forfeit, held),
				  pm_money_fmt(s->forfeit_fen, want));
	if (!(st = pm_db_stmt(db, ins, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_text(st, 2, s->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, s->note, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, s->forfeit_fen);
	sqlite3_bind_text(st, 5, pm_db_actor(db), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, pm_now());
	if (pm_db_step_done(db, st, _("cannot record the violation"), e))
		return e->code;
	vid = sqlite3_last_insert_rowid(pm_db_sqlite(db));
	if (s->forfeit_fen == 0)
		return PM_OK;
	snprintf(what, sizeof what, "violation:%lld", (long long)vid);
	snprintf(ref, sizeof ref, "renovation:%lld:%s", (long long)r->id, what);
	if (deposit(db, r, PM_DEPOSIT_FORFEIT, s->forfeit_fen, NULL, what, s->kind, s->note, e) ||
	    !(st = pm_db_stmt(db, upd, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, vid);
	sqlite3_bind_text(st, 2, ref, -1, SQLITE_STATIC);
	if (pm_db_step_done(db, st, _("cannot record the violation"), e) || !(st = pm_db_stmt(db, sum, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_int64(st, 2, s->forfeit_fen);
	return pm_db_step_done(db, st, _("cannot update the renovation"), e);
}

/* ---- inspections ---- */

struct tally {
	int64_t open;  /* the inspection ticket waiting for its result, or 0 */
	int passed;
	char last[8];  /* the result of the latest one done: pass, fail or "" */
};

static int tally(struct pm_db *db, int64_t id, struct tally *t, struct pm_err *e)
{
	static const char sql[] =
		"SELECT (SELECT ticket_id FROM renovation_inspection WHERE renovation_id = ?1 AND result IS NULL),"
		" (SELECT count(*) FROM renovation_inspection WHERE renovation_id = ?1 AND result = 'pass'),"
		" (SELECT result FROM renovation_inspection WHERE renovation_id = ?1 AND result IS NOT NULL"
		"  ORDER BY done_at DESC, ticket_id DESC LIMIT 1)";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		t->open = sqlite3_column_int64(st, 0);
		t->passed = sqlite3_column_int(st, 1);
		pm_text_col(st, 2, t->last, sizeof t->last);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot read renovations"));
}

/* An inspection ticket of the renovation's category, assigned to s->to. */
static int inspect_order(struct pm_db *db, const struct pm_actor *a, const struct reno *r,
			 const struct pm_renovation_step *s, const struct tally *t, int64_t *ticket,
			 struct pm_err *e)
{
	static const char sql[] = "INSERT INTO renovation_inspection (ticket_id, renovation_id) VALUES (?, ?)";
	struct pm_ticket_new tn = {.unit = r->unit, .kind = "inspection"};
	struct pm_ticket_step ts = {.to = s->to, .cost_fen = PM_TICKET_NO_COST};
	enum pm_ticket_outcome did;
	struct pm_repair rp;
	sqlite3_stmt *st;
	char text[96];
	json_t *sec;
	int rc;

	if (t->open)
		return pm_err_set(e, PM_EFAIL, _("renovation %lld has inspection ticket %lld open: record its result first"),
				  (long long)r->id, (long long)t->open);
	if (pm_auth_check(a, "ticket.dispatch", e) || section(db, &rp, &sec, e))
		return e->code;
	tn.category = json_string_value(json_object_get(sec, "category"));
	snprintf(text, sizeof text, _("inspect renovation %lld (inspection %d)"), (long long)r->id, t->passed + 1);
	tn.text = text;
	rc = pm_ticket_submit(db, a, &tn, ticket, &did, e);
	pm_repair_close(&rp);
	if (rc)
		return rc;
	if (did != PM_TICKET_CREATED)
		return pm_err_set(e, PM_EFAIL, _("unit '%s' has ticket %lld of the inspections' category open: close it first"),
				  r->unit, (long long)*ticket);
	if (pm_ticket_step_in(db, a, *ticket, PM_TICKET_ASSIGN, &ts, e) || !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, *ticket);
	sqlite3_bind_int64(st, 2, r->id);
	return pm_db_step_done(db, st, _("cannot record the inspection"), e);
}

/* The result of the open inspection, by the technician it is assigned
 * to: resolves its ticket. */
static int inspect_result(struct pm_db *db, const struct pm_actor *a, const struct reno *r,
			  const struct pm_renovation_step *s, const struct tally *t, int64_t *ticket,
			  struct pm_err *e)
{
	static const char sql[] =
		"UPDATE renovation_inspection SET result = ?2, note = ?3, done_at = ?4 WHERE ticket_id = ?1";
	struct pm_ticket_step ts = {.cost_fen = PM_TICKET_NO_COST};
	char note[512];
	sqlite3_stmt *st;

	if (strcmp(s->result, "pass") && strcmp(s->result, "fail"))
		return pm_err_set(e, PM_EUSAGE, _("unknown result '%s': expected pass or fail"), s->result);
	if (!(*ticket = t->open))
		return pm_err_set(e, PM_EFAIL, _("renovation %lld has no inspection waiting: order one with --to LOGIN"),
				  (long long)r->id);
	snprintf(note, sizeof note, "%s: %s", s->result, s->note);
	ts.note = note;
	if (pm_ticket_step_in(db, a, *ticket, PM_TICKET_RESOLVE, &ts, e) || !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, *ticket);
	sqlite3_bind_text(st, 2, s->result, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, s->note, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, pm_now());
	return pm_db_step_done(db, st, _("cannot record the inspection"), e);
}

static int inspect(struct pm_db *db, const struct pm_actor *a, const struct reno *r,
		   const struct pm_renovation_step *s, int64_t *ticket, struct pm_err *e)
{
	struct tally t = {0, 0, ""};

	if (!s->to == !s->result)
		return pm_err_set(e, PM_EUSAGE, _("inspect takes --to LOGIN (order one) or --result (record it)"));
	if (s->result && (!s->note || !*s->note))
		return pm_err_set(e, PM_EUSAGE, _("an inspection's result needs a note"));
	if (tally(db, r->id, &t, e))
		return e->code;
	return s->to ? inspect_order(db, a, r, s, &t, ticket, e) : inspect_result(db, a, r, s, &t, ticket, e);
}

/* The deposit less what was forfeited, given back once: at completion,
 * or earlier by the sale of the unit (pm_renovation_sold). */
static int give_back(struct pm_db *db, const struct reno *r, const char *channel, const char *reason,
		     const char *evidence, struct pm_err *e)
{
	static const char sql[] = "UPDATE renovation SET refund_fen = ?2 WHERE id = ?1";
	int64_t refund = r->deposit - r->forfeit;
	sqlite3_stmt *st;

	if (r->refund >= 0)
		return PM_OK;
	if (refund > 0 && deposit(db, r, PM_DEPOSIT_REFUND, refund, channel, "refund", reason, evidence, e))
		return e->code;
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_int64(st, 2, refund);
	return pm_db_step_done(db, st, _("cannot update the renovation"), e);
}

/* Work done and the required inspections passed, the last of them too:
 * the deposit less what was forfeited goes back, unless the sale of the
 * unit gave it back already. */
static int complete(struct pm_db *db, const struct pm_actor *a, const struct reno *r,
		    const struct pm_renovation_step *s, struct pm_err *e)
{
	struct tally t = {0, 0, ""};
	char evidence[48];

	if (tally(db, r->id, &t, e))
		return e->code;
	if (t.open)
		return pm_err_set(e, PM_EFAIL, _("renovation %lld has inspection ticket %lld open: record its result first"),
				  (long long)r->id, (long long)t.open);
	if (!strcmp(t.last, "fail"))
		return pm_err_set(e, PM_EFAIL, _("cannot complete renovation %lld: its last inspection failed"),
				  (long long)r->id);
	if (t.passed < r->inspections)
		return pm_err_set(e, PM_EFAIL, _("cannot complete renovation %lld: %d of %d inspections passed"),
				  (long long)r->id, t.passed, r->inspections);
	snprintf(evidence, sizeof evidence, "renovation %lld", (long long)r->id);
	return give_back(db, r, s->channel ? s->channel : r->channel, _("renovation completed"), evidence, e);
}

int pm_renovation_sold(struct pm_db *db, const char *unit, const char *channel, const char *reason,
		       const char *evidence, struct pm_err *e)
{
	/* One at a time: each given back leaves the query. */
	static const char sql[] =
		"SELECT r.id FROM renovation r JOIN unit u ON u.id = r.unit_id"
		" WHERE u.code = ?1 AND r.refund_fen IS NULL AND r.deposit_fen > r.forfeit_fen ORDER BY r.id LIMIT 1";
	static const struct pm_actor office = {.role = PM_ROLE_ADMIN};
	sqlite3_stmt *st;
	struct reno r;
	int64_t id;
	int rc;

	for (;;) {
		if (!(st = pm_db_stmt(db, sql, e)))
			return e->code;
		sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW)
			id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		if (rc == SQLITE_DONE)
			return PM_OK;
		if (rc != SQLITE_ROW)
			return pm_db_fail(db, e, _("cannot read renovations"));
		if (load(db, &office, id, &r, e) ||
		    give_back(db, &r, channel ? channel : r.channel, reason, evidence, e))
			return e->code;
	}
}

static int set_status(struct pm_db *db, int64_t id, int to, struct pm_err *e)
{
	static const char sql[] = "UPDATE renovation SET status = ?2, updated_at = ?3 WHERE id = ?1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, status_names[to], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, pm_now());
	return pm_db_step_done(db, st, _("cannot update the renovation"), e);
}

static int check_step(const struct reno *r, enum pm_renovation_action act, const struct pm_renovation_step *s,
		      int *to, struct pm_err *e)
{
	char buf[128];

	if ((unsigned)act >= PM_RENOVATION_ACTION_COUNT)
		return pm_err_set(e, PM_ESOFTWARE, _("unknown renovation step %d"), (int)act);
	if ((*to = next_of(r->status, act)) == NO)
		return pm_err_set(e, PM_EFAIL, _("cannot %s renovation %lld: it is %s; allowed: %s"), actions[act].name,
				  (long long)r->id, status_names[r->status], allowed(r->status, buf, sizeof buf));
	if ((act == A(REJECT) || act == A(VIOLATION)) && (!s->note || !*s->note))
		return pm_err_set(e, PM_EUSAGE, act == A(REJECT) ? _("reject needs a reason")
								 : _("a violation needs a note saying what was seen"));
	return PM_OK;
}

static int step(struct pm_db *db, const struct pm_actor *a, int64_t id, enum pm_renovation_action act,
		const struct pm_renovation_step *s, struct pm_err *e)
{
	struct reno r;
	int64_t ticket = 0;
	char until[PM_TIME_BUF];
	const char *note = s->note;
	int to = NO, rc;

	/* A violation that forfeits deposit is finance's to record. */
	if (load(db, a, id, &r, e) || may_see(db, a, &r, e) || check_step(&r, act, s, &to, e) ||
	    pm_auth_check(a, act == A(VIOLATION) && s->forfeit_fen > 0 ? "bill.deposit.release" : actions[act].permission,
			  e))
		return e->code;
	switch (act) {
	case A(APPROVE): rc = approve(db, a, &r, s, e); break;
	case A(EXTEND): rc = extend(db, &r, s, e), note = pm_date_fmt(s->until, until); break;
	case A(VIOLATION): rc = violation(db, a, &r, s, e); break;
	case A(INSPECT): rc = inspect(db, a, &r, s, &ticket, e), note = s->to ? s->to : s->result; break;
	case A(COMPLETE): rc = complete(db, a, &r, s, e); break;
	default: rc = PM_OK;
	}
	if (rc || set_status(db, r.id, to, e) ||
	    event(db, r.id, act == A(VIOLATION) ? s->kind : actions[act].name, status_names[r.status], status_names[to],
		  note, ticket, e))
		return e->code;
	return audit(db, "renovation.step", r.id,
		     json_pack("{s:s, s:s, s:s, s:s?}", "action", actions[act].name, "from", status_names[r.status],
			       "to", status_names[to], "note", note), e);
}

int pm_renovation_do(struct pm_db *db, const struct pm_actor *a, int64_t id, enum pm_renovation_action act,
		     const struct pm_renovation_step *s, struct pm_err *e)
{
	if (pm_db_begin(db, e))
		return e->code;
	return pm_db_end(db, step(db, a, id, act, s, e), e);
}

/* ---- noise complaints ---- */

/* Whether the second of the day sec on day falls in the noisy-work hours:
 * a holiday's are the weekend's, a workday's the weekdays'. */
static int noisy_ok(const struct pm_repair *rp, json_t *sec, int32_t day, int64_t at_sec)
{
	json_t *hours = json_object_get(json_object_get(sec, "noisy_hours"),
					pm_hours_rest(&rp->hours, day) ? "weekend" : "weekday");
	json_t *w;
	size_t i;

	json_array_foreach(hours, i, w)
		if (at_sec >= json_integer_value(json_object_get(w, "from")) &&
		    at_sec < json_integer_value(json_object_get(w, "to")))
			return 1;
	return 0;
}

int pm_renovation_noise(struct pm_db *db, const struct pm_repair *rp, int64_t ticket, int64_t unit,
			const char *category, int64_t at, struct pm_err *e)
{
	static const char sql[] =
		"SELECT id, status, (SELECT status FROM ticket WHERE id = ?3) FROM renovation WHERE unit_id = ?1"
		" AND status IN ('approved','started') AND from_day <= ?2 AND to_day >= ?2";
	json_t *sec = json_object_get(rp->sec, "renovation");
	int32_t day = pm_date_of(at, rp->tz);
	char today[PM_TIME_BUF], note[96], status[16] = "", tstatus[16] = "";
	const char *noise = json_string_value(json_object_get(sec, "noise_category"));
	sqlite3_stmt *st;
	int64_t id = 0;
	int rc;

	if (!sec || !unit || !noise || strcmp(category, noise) || noisy_ok(rp, sec, day, at - pm_date_start(day, rp->tz)))
		return PM_OK;
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, unit);
	sqlite3_bind_text(st, 2, pm_date_fmt(day, today), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, ticket);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		pm_text_col(st, 1, status, sizeof status);
		pm_text_col(st, 2, tstatus, sizeof tstatus);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read renovations"));
	if (!id)
		return PM_OK;
	snprintf(note, sizeof note, _("renovation %lld: noise outside the allowed hours"), (long long)id);
	if (event(db, id, "complaint", status, status, note, ticket, e) ||
	    pm_ticket_event(db, ticket, at, "renovation", tstatus, tstatus, note, e))
		return e->code;
	return PM_OK;
}

/* ---- reading ---- */

#define COLS \
	"SELECT r.id, u.code, r.status, r.from_day, r.to_day, r.contractor, r.scope, r.deposit_fen, r.forfeit_fen," \
	" r.refund_fen, r.inspections, (SELECT count(*) FROM renovation_inspection i" \
	"  WHERE i.renovation_id = r.id AND i.result = 'pass'), r.applied_by, r.updated_at" \
	" FROM renovation r JOIN unit u ON u.id = r.unit_id"

static json_t *reno_json(sqlite3_stmt *st, void *rctx)
{
	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:o, s:i, s:i, s:s, s:o}", "type",
			 "renovation", "renovation", (json_int_t)sqlite3_column_int64(st, 0), "unit", TEXT(st, 1),
			 "status", TEXT(st, 2), "from", TEXT(st, 3), "to", TEXT(st, 4), "contractor", TEXT(st, 5),
			 "scope", TEXT(st, 6), "deposit_fen", (json_int_t)sqlite3_column_int64(st, 7),
			 "forfeit_fen", (json_int_t)sqlite3_column_int64(st, 8), "refund_fen",
			 pm_db_json_int(st, 9),
			 "inspections_required", sqlite3_column_int(st, 10), "inspections_passed",
			 sqlite3_column_int(st, 11), "applicant", TEXT(st, 12), "updated_at",
			 pm_db_json_time(st, 13, rctx));
}

int pm_renovation_get(struct pm_db *db, const struct pm_actor *a, int64_t id, json_t **rec, struct pm_err *e)
{
	static const char sql[] = COLS " WHERE r.id = ?";
	struct reno r;

	*rec = NULL;
	if (load(db, a, id, &r, e) || may_see(db, a, &r, e))
		return e->code;
	return pm_db_record(db, sql, id, reno_json, (void *)pm_db_tz(db), rec, _("cannot read renovations"), e);
}

static json_t *event_json(sqlite3_stmt *st, void *rctx)
{
	return json_pack("{s:s, s:I, s:o, s:s, s:s, s:o, s:o, s:o, s:o}", "type", "renovation_event", "renovation",
			 (json_int_t)sqlite3_column_int64(st, 0), "at", pm_db_json_time(st, 1, rctx), "by", TEXT(st, 2),
			 "action", TEXT(st, 3), "from", pm_db_json_text(st, 4), "to", pm_db_json_text(st, 5), "note",
			 pm_db_json_text(st, 6), "ticket",
			 pm_db_json_int(st, 7));
}

int pm_renovation_timeline(struct pm_db *db, const struct pm_actor *a, int64_t id,
			   int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e)
{
	static const char sql[] =
		"SELECT renovation_id, ts, actor, action, from_status, to_status, note, ticket_id FROM renovation_event"
		" WHERE renovation_id = ? ORDER BY id";
	struct reno r;
	sqlite3_stmt *st;

	if (load(db, a, id, &r, e) || may_see(db, a, &r, e) || !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	return pm_db_each(db, st, event_json, (void *)pm_db_tz(db), fn, ctx, _("cannot read renovations"), e);
}

int pm_renovation_each(struct pm_db *db, const struct pm_actor *a, const struct pm_renovation_filter *f,
		       int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e)
{
	static const char sql[] = COLS
		" JOIN building b ON b.id = u.building_id WHERE (?1 IS NULL OR b.code = ?1) AND (?2 IS NULL OR u.code = ?2)"
		" AND (?3 = 0 OR r.status IN ('approved','started'))"
		/* An owner gets those of units where they live today applied
		 * in their own time there, as may_see. */
		" AND (?4 = 0 OR r.created_at >= " PM_RESIDENT_FROM("r.unit_id", "?4", "?5") ") ORDER BY r.id";
	char day[PM_TIME_BUF];
	sqlite3_stmt *st;

	if (pm_auth_check(a, "renovation.read", e) || !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_text(st, 1, f->building, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->unit, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, f->active);
	sqlite3_bind_int64(st, 4, a->role == PM_ROLE_OWNER ? (a->person_id ? a->person_id : -1) : 0);
	sqlite3_bind_text(st, 5, pm_community_today(db, day), -1, SQLITE_TRANSIENT);
	return pm_db_each(db, st, reno_json, (void *)pm_db_tz(db), fn, ctx, _("cannot read renovations"), e);
}

struct gate_day {
	const char *tz;
	int32_t day;
};

static json_t *allow_json(sqlite3_stmt *st, void *rctx)
{
	const struct gate_day *g = rctx;
	char value[32], from[PM_TIME_BUF], until[PM_TIME_BUF];

	snprintf(value, sizeof value, "R%lld", (long long)sqlite3_column_int64(st, 0));
	return json_pack("{s:s, s:n, s:n, s:s, s:s, s:n, s:s, s:s, s:s, s:I, s:s}", "type", "allow", "gate",
			 "credential", "kind", "renovation", "value", value, "person", "unit", TEXT(st, 1), "from",
			 pm_time_fmt(pm_date_start(g->day, g->tz), g->tz, from), "until",
			 pm_time_fmt(pm_date_start(g->day + 1, g->tz), g->tz, until), "renovation",
			 (json_int_t)sqlite3_column_int64(st, 0), "contractor", TEXT(st, 2));
}

int pm_renovation_gate_each(struct pm_db *db, const struct pm_actor *a, int32_t day,
			    int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e)
{
	static const char sql[] =
		"SELECT r.id, u.code, r.contractor FROM renovation r JOIN unit u ON u.id = r.unit_id"
		" WHERE r.status IN ('approved','started') AND r.from_day <= ?1 AND r.to_day >= ?1"
		/* The seller's contractor is not let in for the buyer. */
		" AND r.created_at >= " PM_OWNERS_FROM("r.unit_id", "?1") " ORDER BY u.code, r.id";
	struct gate_day g = {pm_db_tz(db), day};
	char d[PM_TIME_BUF];
	sqlite3_stmt *st;

	if (pm_auth_check(a, "gate.read", e) || !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_text(st, 1, pm_date_fmt(day, d), -1, SQLITE_STATIC);
	return pm_db_each(db, st, allow_json, &g, fn, ctx, _("cannot read renovations"), e);
}
