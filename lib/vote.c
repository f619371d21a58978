/* Owners' votes: the count under Article 278 (pure, pm_vote_count), and
 * votes and ballots in the store. See pm/vote.h for the rule and its
 * sources. */
#include <stdlib.h>
#include <string.h>

#include "pm/announce.h"
#include "pm/audit.h"
#include "pm/community.h"
#include "pm/config.h"
#include "pm/db.h"
#include "pm/i18n.h"
#include "pm/timeutil.h"
#include "pm/vote.h"
#include "report-internal.h"

#define TITLE_MAX 200
#define DEN_MAX 1000

/* ---- choices and thresholds ---- */

static const char *const choice_names[] = {"", "yes", "no", "abstain"};

int pm_choice_parse(const char *s, enum pm_choice *c, struct pm_err *e)
{
	for (int i = PM_CHOICE_YES; i <= PM_CHOICE_ABSTAIN; i++)
		if (s && strcmp(s, choice_names[i]) == 0) {
			*c = (enum pm_choice)i;
			return PM_OK;
		}
	return pm_err_set(e, PM_EUSAGE, _("unknown choice '%s': expected yes, no or abstain"), s ? s : "");
}

const char *pm_choice_name(enum pm_choice c)
{
	return c >= PM_CHOICE_YES && c <= PM_CHOICE_ABSTAIN ? choice_names[c] : "";
}

/* A whole number of 1 to 4 digits at *p, advancing it; -1 if none. */
static int64_t small_number(const char **p)
{
	int64_t v = 0;
	int n = 0;

	while (**p >= '0' && **p <= '9' && n < 5) {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n && n < 5 ? v : -1;
}

int pm_ratio_parse(const char *s, struct pm_ratio *r, struct pm_err *e)
{
	const char *p = s;

	r->over = 0;
	if (strncmp(p, "at least ", 9) == 0)
		p += 9;
	else if (strncmp(p, "more than ", 10) == 0)
		p += 10, r->over = 1;
	else
		goto bad;
	r->num = small_number(&p);
	if (*p++ != '/')
		goto bad;
	r->den = small_number(&p);
	if (*p || r->num <= 0 || r->den <= 0 || r->den > DEN_MAX || r->num > r->den || (r->over && r->num == r->den))
		goto bad;
	return PM_OK;
bad:
	return pm_err_set(e, PM_ECONFIG,
			  _("'%s': expected \"at least N/D\" or \"more than N/D\", a fraction from 0 to 1 with D up to %d"),
			  s, DEN_MAX);
}

char *pm_ratio_fmt(const struct pm_ratio *r, char *buf, size_t size)
{
	snprintf(buf, size, "%s %lld/%lld", r->over ? "more than" : "at least", (long long)r->num, (long long)r->den);
	return buf;
}

/* The rule as people read it, in their language. */
static char *ratio_say(const struct pm_ratio *r, char *buf, size_t size)
{
	snprintf(buf, size, r->over ? _("more than %lld/%lld") : _("at least %lld/%lld"), (long long)r->num,
		 (long long)r->den);
	return buf;
}

/* part/whole against num/den by cross-multiplication, in 128 bits so that
 * no product can overflow. */
int pm_ratio_met(const struct pm_ratio *r, int64_t part, int64_t whole)
{
	__int128 lhs = (__int128)part * r->den, rhs = (__int128)whole * r->num;

	if (whole <= 0)
		return 0;
	return r->over ? lhs > rhs : lhs >= rhs;
}

/* ---- the count ---- */

static int by_owner(const void *a, const void *b)
{
	const struct pm_vote_unit *x = a, *y = b;

	if (x->owner != y->owner)
		return x->owner < y->owner ? -1 : 1;
	return (int)x->choice - (int)y->choice;
}

static struct pm_measure *measure_of(struct pm_tally *t, enum pm_choice c)
{
	return c == PM_CHOICE_YES ? &t->yes : c == PM_CHOICE_NO ? &t->no : &t->abstain;
}

/* One owner's units, [u, end): their head goes to the choice all their
 * ballots agree on, or to split. Sorted by choice, so the first and last
 * ballot tell whether they agree. */
static void count_owner(const struct pm_vote_unit *u, const struct pm_vote_unit *end, struct pm_tally *t)
{
	const struct pm_vote_unit *first = NULL;

	t->total.owners++;
	for (; u < end; u++)
		if (u->choice != PM_CHOICE_NONE && !first)
			first = u;
	if (!first)
		return;
	t->voted.owners++;
	if (first->choice == end[-1].choice)
		measure_of(t, first->choice)->owners++;
	else
		t->split++;
}

int pm_vote_count(const struct pm_vote_unit *units, size_t n, const struct pm_ratio *participation,
		  const struct pm_ratio *pass, struct pm_tally *t, struct pm_err *e)
{
	struct pm_vote_unit *u = n ? malloc(n * sizeof *u) : NULL;
	size_t i, j;

	memset(t, 0, sizeof *t);
	if (n && !u)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	if (n) {
		memcpy(u, units, n * sizeof *u);
		qsort(u, n, sizeof *u, by_owner);
	}
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && u[j].owner == u[i].owner; j++) {
			t->total.area += u[j].area;
			if (u[j].choice == PM_CHOICE_NONE)
				continue;
			t->voted.area += u[j].area;
			measure_of(t, u[j].choice)->area += u[j].area;
		}
		count_owner(u + i, u + j, t);
	}
	free(u);
	t->turnout_area = pm_ratio_met(participation, t->voted.area, t->total.area);
	t->turnout_owners = pm_ratio_met(participation, t->voted.owners, t->total.owners);
	t->pass_area = pm_ratio_met(pass, t->yes.area, t->voted.area);
	t->pass_owners = pm_ratio_met(pass, t->yes.owners, t->voted.owners);
	t->passed = t->turnout_area && t->turnout_owners && t->pass_area && t->pass_owners;
	return PM_OK;
}

/* ---- votes ---- */

/* The nine matters of Article 278, in its order; (6) to (8) need three
 * quarters by default (pm.yaml(5), lib/sections.c). */
const char *const pm_vote_matters[] = {
	"rules", "regulations", "committee", "manager", "fund_use", "fund_raise", "rebuild", "common_use", "other",
	NULL,
};

#define VOTE_COLS                                                                                        \
	"SELECT v.id, v.title, v.matter, v.participation, v.pass, b.code, v.opens, v.closes, v.created_at," \
	" v.created_by, (SELECT count(*) FROM ballot x WHERE x.vote_id = v.id), v.building_id"          \
	" FROM vote v LEFT JOIN building b ON b.id = v.building_id"

static const char *status_at(int64_t opens, int64_t closes, int64_t now)
{
	return now < opens ? "pending" : now < closes ? "open" : "closed";
}

static json_t *vote_row(sqlite3_stmt *st, void *ctx)
{
	const char *tz = ctx;
	int64_t opens = sqlite3_column_int64(st, 6), closes = sqlite3_column_int64(st, 7);

	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:I, s:o, s:s}", "type", "vote",
			 "id", (json_int_t)sqlite3_column_int64(st, 0), "title", TEXT(st, 1), "matter", TEXT(st, 2),
			 "participation", TEXT(st, 3), "pass", TEXT(st, 4), "building", pm_db_json_text(st, 5),
			 "opens", pm_db_json_time(st, 6, tz), "closes", pm_db_json_time(st, 7, tz),
			 "status", status_at(opens, closes, pm_now()), "ballots",
			 (json_int_t)sqlite3_column_int64(st, 10), "created_at", pm_db_json_time(st, 8, tz),
			 "created_by", TEXT(st, 9));
}

static int keep_one(void *ctx, json_t *rec)
{
	*(json_t **)ctx = json_incref(rec);
	return 1;
}

int pm_vote_get(struct pm_db *db, int64_t id, json_t **out, struct pm_err *e)
{
	static const char sql[] = VOTE_COLS " WHERE v.id = ?";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	*out = NULL;
	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	rc = pm_db_each(db, st, vote_row, (void *)pm_db_tz(db), keep_one, out, _("cannot read votes"), e);
	if (rc && rc != 1)
		return rc;
	return *out ? PM_OK : pm_err_set(e, PM_EDATA, _("no vote %lld"), (long long)id);
}

int pm_vote_each(struct pm_db *db, int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e)
{
	static const char sql[] = VOTE_COLS " ORDER BY v.id";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	return st ? pm_db_each(db, st, vote_row, (void *)pm_db_tz(db), fn, ctx, _("cannot read votes"), e)
		  : e->code;
}

/* The matter's rule and the participation rule in force today. */
static int vote_rule(struct pm_db *db, const char *matter, char *part, char *pass, size_t size, struct pm_err *e)
{
	struct pm_config *cfg;
	json_t *sec = NULL, *m;
	int rc;

	if (pm_config_current(db, pm_db_today(db), &cfg, e))
		return e->code;
	if ((sec = pm_config_section(cfg, "govern")))
		json_incref(sec);
	rc = sec ? PM_OK : pm_config_defaults("govern", &sec, e);
	pm_config_free(cfg);
	if (rc)
		return rc;
	m = json_object_get(json_object_get(sec, "matters"), matter);
	if (!json_is_string(m) || !json_is_string(json_object_get(sec, "participation")))
		rc = pm_err_set(e, PM_EDATA, _("unknown matter '%s': expected one of rules, regulations, committee,"
					      " manager, fund_use, fund_raise, rebuild, common_use, other"), matter);
	else {
		snprintf(part, size, "%s", json_string_value(json_object_get(sec, "participation")));
		snprintf(pass, size, "%s", json_string_value(m));
	}
	json_decref(sec);
	return rc;
}

static int building_id(struct pm_db *db, const char *code, int64_t *id, struct pm_err *e)
{
	static const char sql[] = "SELECT id FROM building WHERE code = ?";
	sqlite3_stmt *st;
	int rc;

	*id = 0;
	if (!code)
		return PM_OK;
	if ((rc = pm_db_row(db, sql, code, &st, _("cannot read buildings"), e)) < 0)
		return -rc;
	if (!rc)
		return pm_err_set(e, PM_EDATA, _("no building '%s'"), code);
	*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return PM_OK;
}

static int vote_insert(struct pm_db *db, const struct pm_vote_new *v, int64_t *id, struct pm_err *e)
{
	static const char sql[] = "INSERT INTO vote (title, matter, participation, pass, building_id, opens, closes,"
				  " created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
	char part[64], pass[64], object[32];
	sqlite3_stmt *st;
	int64_t bid;
	json_t *rec;
	int rc;

	if (vote_rule(db, v->matter, part, pass, sizeof part, e) || building_id(db, v->building, &bid, e))
		return e->code;
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_text(st, 1, v->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, v->matter, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, part, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, pass, -1, SQLITE_STATIC);
	if (bid)
		sqlite3_bind_int64(st, 5, bid);
	sqlite3_bind_int64(st, 6, v->opens);
	sqlite3_bind_int64(st, 7, v->closes);
	sqlite3_bind_int64(st, 8, pm_now());
	sqlite3_bind_text(st, 9, pm_db_actor(db), -1, SQLITE_STATIC);
	if (pm_db_step_done(db, st, _("cannot store the vote"), e))
		return e->code;
	*id = sqlite3_last_insert_rowid(pm_db_sqlite(db));
	if (pm_vote_get(db, *id, &rec, e))
		return e->code;
	snprintf(object, sizeof object, "vote:%lld", (long long)*id);
	rc = pm_audit_log(db, "govern.vote.new", object, NULL, rec, e);
	json_decref(rec);
	return rc;
}

int pm_vote_add(struct pm_db *db, const struct pm_vote_new *v, json_t **out, struct pm_err *e)
{
	int64_t id = 0;
	int rc;

	*out = NULL;
	if (!v->title || !*v->title || strlen(v->title) > TITLE_MAX)
		return pm_err_set(e, PM_EDATA, _("a vote needs a title of 1 to %d bytes"), TITLE_MAX);
	if (v->closes <= v->opens)
		return pm_err_set(e, PM_EDATA, _("the vote must close after it opens"));
	if ((rc = pm_db_begin(db, e)))
		return rc;
	rc = pm_db_end(db, vote_insert(db, v, &id, e), e);
	return rc ? rc : pm_vote_get(db, id, out, e);
}

/* The vote's times and building; PM_EDATA when there is none. */
struct vote_row {
	int64_t opens, closes, building;
	char participation[64], pass[64], title[TITLE_MAX + 1], building_code[64];
};

static int vote_load(struct pm_db *db, int64_t id, struct vote_row *v, struct pm_err *e)
{
	static const char sql[] = "SELECT v.opens, v.closes, coalesce(v.building_id, 0), v.participation, v.pass,"
				  " v.title, coalesce(b.code, '') FROM vote v LEFT JOIN building b ON b.id = v.building_id"
				  " WHERE v.id = ?";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int step;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	if ((step = sqlite3_step(st)) == SQLITE_ROW) {
		v->opens = sqlite3_column_int64(st, 0);
		v->closes = sqlite3_column_int64(st, 1);
		v->building = sqlite3_column_int64(st, 2);
		snprintf(v->participation, sizeof v->participation, "%s", TEXT(st, 3));
		snprintf(v->pass, sizeof v->pass, "%s", TEXT(st, 4));
		snprintf(v->title, sizeof v->title, "%s", TEXT(st, 5));
		snprintf(v->building_code, sizeof v->building_code, "%s", TEXT(st, 6));
	}
	sqlite3_reset(st);
	if (step == SQLITE_ROW)
		return PM_OK;
	if (step != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read votes"));
	return pm_err_set(e, PM_EDATA, _("no vote %lld"), (long long)id);
}

/* PM_OK while vote id is open at now, else PM_EFAIL saying why. */
static int vote_open(struct pm_db *db, int64_t id, const struct vote_row *v, struct pm_err *e)
{
	char t[PM_TIME_BUF];
	int64_t now = pm_now();

	if (now < v->opens)
		return pm_err_set(e, PM_EFAIL, _("vote %lld opens at %s"), (long long)id,
				  pm_time_fmt(v->opens, pm_db_tz(db), t));
	if (now >= v->closes)
		return pm_err_set(e, PM_EFAIL, _("vote %lld closed at %s"), (long long)id,
				  pm_time_fmt(v->closes, pm_db_tz(db), t));
	return PM_OK;
}

static int vote_close(struct pm_db *db, int64_t id, struct pm_err *e)
{
	static const char sql[] = "UPDATE vote SET closes = ?2 WHERE id = ?1";
	struct vote_row v;
	char object[32];
	sqlite3_stmt *st;
	json_t *before, *after;
	int rc;

	if (vote_load(db, id, &v, e) || vote_open(db, id, &v, e) || pm_vote_get(db, id, &before, e))
		return e->code;
	if (!(st = pm_db_stmt(db, sql, e)))
		rc = e->code;
	else {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, pm_now());
		rc = pm_db_step_done(db, st, _("cannot close the vote"), e);
	}
	if (rc == PM_OK && (rc = pm_vote_get(db, id, &after, e)) == PM_OK) {
		snprintf(object, sizeof object, "vote:%lld", (long long)id);
		rc = pm_audit_log(db, "govern.vote.close", object, before, after, e);
		json_decref(after);
	}
	json_decref(before);
	return rc;
}

int pm_vote_close(struct pm_db *db, int64_t id, struct pm_err *e)
{
	int rc;

	if ((rc = pm_db_begin(db, e)))
		return rc;
	return pm_db_end(db, vote_close(db, id, e), e);
}

static int developer_set(struct pm_db *db, const char *person, int on, struct pm_err *e)
{
	static const char sql[] = "UPDATE person SET developer = ?2, updated_at = ?3 WHERE id = ?1 AND developer <> ?2";
	sqlite3_stmt *st;
	char object[96];
	int64_t id;
	json_t *after;
	int rc;

	if (pm_person_id(db, person, &id, e) || !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, on);
	sqlite3_bind_int64(st, 3, pm_now());
	if (pm_db_step_done(db, st, _("cannot mark the developer"), e))
		return e->code;
	if (!sqlite3_changes(pm_db_sqlite(db)))
		return PM_OK;
	snprintf(object, sizeof object, "person:%s", person);
	after = json_pack("{s:b}", "developer", on);
	rc = pm_audit_log(db, "govern.developer", object, NULL, after, e);
	json_decref(after);
	return rc;
}

int pm_vote_developer(struct pm_db *db, const char *person, int on, struct pm_err *e)
{
	int rc;

	if ((rc = pm_db_begin(db, e)))
		return rc;
	return pm_db_end(db, developer_set(db, person, on, e), e);
}

/* ---- ballots ---- */

/* The day whose owners count: the close's while it is past, else today. */
static char *owners_day(struct pm_db *db, const struct vote_row *v, char buf[PM_TIME_BUF])
{
	int64_t now = pm_now();

	return pm_date_fmt(pm_date_of(now < v->closes ? now : v->closes - 1, pm_db_tz(db)), buf);
}

/* Current owner (since <= day < until) o of unit u. */
#define OWNER_ON(o, day) o ".role = 'owner' AND " o ".since <= " day " AND " PM_OCCUPANCY_CURRENT(o, day)

/* Whether person voter may vote for unit: one of its owners on day, or
 * the developer for a unit with no owner. */
static int owns(struct pm_db *db, int64_t unit, int64_t voter, const char *day, struct pm_err *e)
{
	static const char sql[] =
		"SELECT 1 FROM occupancy o WHERE o.unit_id = ?1 AND o.person_id = ?2 AND " OWNER_ON("o", "?3")
		" UNION ALL SELECT 1 FROM person p WHERE p.id = ?2 AND p.developer = 1 AND NOT EXISTS"
		" (SELECT 1 FROM occupancy o WHERE o.unit_id = ?1 AND " OWNER_ON("o", "?3") ")";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int step;

	if (!st)
		return -e->code;
	sqlite3_bind_int64(st, 1, unit);
	sqlite3_bind_int64(st, 2, voter);
	sqlite3_bind_text(st, 3, day, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	sqlite3_reset(st);
	if (step == SQLITE_ROW || step == SQLITE_DONE)
		return step == SQLITE_ROW;
	return -pm_db_fail(db, e, _("cannot read owners"));
}

/* The unit's id and building; PM_EDATA when there is none. */
static int unit_of(struct pm_db *db, const char *code, int64_t *id, int64_t *building, struct pm_err *e)
{
	static const char sql[] = "SELECT id, building_id FROM unit WHERE code = ?";
	sqlite3_stmt *st;
	int rc;

	if ((rc = pm_db_row(db, sql, code, &st, _("cannot read units"), e)) < 0)
		return -rc;
	if (!rc)
		return pm_err_set(e, PM_EDATA, _("no unit '%s'"), code);
	*id = sqlite3_column_int64(st, 0);
	*building = sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	return PM_OK;
}

/* pm_ballot_may for a vote already read. */
static int may_cast(struct pm_db *db, const struct pm_actor *a, const struct pm_ballot *b, const struct vote_row *v,
		    int64_t *voter, struct pm_err *e)
{
	char day[PM_TIME_BUF], own[64];
	int64_t unit = 0, building = 0;
	int rc;

	*voter = 0;
	if (pm_auth_check(a, "govern.vote", e))
		return e->code;
	if (a->role == PM_ROLE_OWNER) {
		if (!a->person_id)
			return pm_err_set(e, PM_ENOPERM, _("user '%s' is linked to no person and cannot vote"), a->login);
		if (pm_person_code(db, a->person_id, own, sizeof own, e))
			return e->code;
		if (b->by && strcmp(b->by, own))
			return pm_err_set(e, PM_ENOPERM, _("user '%s' votes only as themselves, not as '%s'"), a->login,
					  b->by);
		*voter = a->person_id;
	} else {
		if (pm_auth_check(a, "govern.enter", e))
			return e->code;
		if (!b->by || !b->paper || !*b->paper)
			return pm_err_set(e, PM_EUSAGE, _("staff enter a signed paper ballot: give --by PERSON and --paper REF"));
		if (pm_person_id(db, b->by, voter, e))
			return e->code;
	}
	if (unit_of(db, b->unit, &unit, &building, e))
		return e->code;
	if (v->building && building != v->building)
		return pm_err_set(e, PM_EDATA, _("unit '%s' is not in building %s, the scope of vote %lld"), b->unit,
				  v->building_code, (long long)b->vote);
	if ((rc = owns(db, unit, *voter, owners_day(db, v, day), e)) < 0)
		return -rc;
	if (!rc)
		return pm_err_set(e, PM_ENOPERM, _("person '%s' does not own unit '%s'"), b->by ? b->by : own, b->unit);
	return PM_OK;
}

int pm_ballot_may(struct pm_db *db, const struct pm_actor *a, const struct pm_ballot *b, int64_t *voter,
		  struct pm_err *e)
{
	struct vote_row v;

	*voter = 0;
	if (pm_auth_check(a, "govern.vote", e))
		return e->code;
	return vote_load(db, b->vote, &v, e) ? e->code : may_cast(db, a, b, &v, voter, e);
}

#define BALLOT_COLS                                                                                      \
	"SELECT b.vote_id, u.code, p.code, b.choice, b.paper, b.entered_by, b.created_at, b.updated_at" \
	" FROM ballot b JOIN unit u ON u.id = b.unit_id JOIN person p ON p.id = b.person_id"

static json_t *ballot_row(sqlite3_stmt *st, void *ctx)
{
	const char *tz = ctx;

	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:o, s:s, s:o, s:o}", "type", "ballot", "vote",
			 (json_int_t)sqlite3_column_int64(st, 0), "unit", TEXT(st, 1), "person", TEXT(st, 2),
			 "choice", TEXT(st, 3), "paper", pm_db_json_text(st, 4), "entered_by", TEXT(st, 5),
			 "created_at", pm_db_json_time(st, 6, tz), "updated_at", pm_db_json_time(st, 7, tz));
}

int pm_ballot_get(struct pm_db *db, int64_t vote, const char *unit, json_t **out, struct pm_err *e)
{
	static const char sql[] = BALLOT_COLS " WHERE b.vote_id = ?1 AND u.code = ?2";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	*out = NULL;
	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, vote);
	sqlite3_bind_text(st, 2, unit, -1, SQLITE_STATIC);
	rc = pm_db_each(db, st, ballot_row, (void *)pm_db_tz(db), keep_one, out, _("cannot read ballots"), e);
	return rc == 1 ? PM_OK : rc;
}

static int same_ballot(json_t *old, const struct pm_ballot *b, const char *person)
{
	const char *paper = json_string_value(json_object_get(old, "paper"));

	return strcmp(json_string_value(json_object_get(old, "choice")), pm_choice_name(b->choice)) == 0 &&
	       strcmp(json_string_value(json_object_get(old, "person")), person) == 0 &&
	       (paper && b->paper ? strcmp(paper, b->paper) == 0 : paper == b->paper);
}

static int ballot_write(struct pm_db *db, const struct pm_actor *a, const struct pm_ballot *b, json_t **out,
			struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO ballot (vote_id, unit_id, person_id, choice, paper, entered_by, created_at, updated_at)"
		" SELECT ?1, u.id, ?3, ?4, ?5, ?6, ?7, ?7 FROM unit u WHERE u.code = ?2"
		" ON CONFLICT (vote_id, unit_id) DO UPDATE SET person_id = excluded.person_id,"
		" choice = excluded.choice, paper = excluded.paper, entered_by = excluded.entered_by,"
		" updated_at = excluded.updated_at";
	struct vote_row v;
	char person[64], object[96];
	json_t *old = NULL;
	sqlite3_stmt *st;
	int64_t voter;
	int rc;

	if (vote_load(db, b->vote, &v, e) || vote_open(db, b->vote, &v, e) || may_cast(db, a, b, &v, &voter, e) ||
	    pm_person_code(db, voter, person, sizeof person, e) || pm_ballot_get(db, b->vote, b->unit, &old, e))
		return e->code;
	if (old && same_ballot(old, b, person)) {
		*out = old;
		json_object_set_new(*out, "changed", json_false());
		return PM_OK;
	}
	if (!(st = pm_db_stmt(db, sql, e))) {
		json_decref(old);
		return e->code;
	}
	sqlite3_bind_int64(st, 1, b->vote);
	sqlite3_bind_text(st, 2, b->unit, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, voter);
	sqlite3_bind_text(st, 4, pm_choice_name(b->choice), -1, SQLITE_STATIC);
	if (b->paper)
		sqlite3_bind_text(st, 5, b->paper, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, a->login, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, pm_now());
	if ((rc = pm_db_step_done(db, st, _("cannot store the ballot"), e)) == PM_OK &&
	    (rc = pm_ballot_get(db, b->vote, b->unit, out, e)) == PM_OK) {
		snprintf(object, sizeof object, "vote:%lld:unit:%s", (long long)b->vote, b->unit);
		rc = pm_audit_log(db, old ? "govern.ballot.change" : "govern.ballot", object, old, *out, e);
		json_object_set_new(*out, "changed", json_true());
	}
	json_decref(old);
	return rc;
}

int pm_ballot_cast(struct pm_db *db, const struct pm_actor *a, const struct pm_ballot *b, json_t **out,
		   struct pm_err *e)
{
	int rc;

	*out = NULL;
	if (b->choice == PM_CHOICE_NONE)
		return pm_err_set(e, PM_EUSAGE, _("a ballot needs a choice: yes, no or abstain"));
	if ((rc = pm_db_begin(db, e)))
		return rc;
	rc = pm_db_end(db, ballot_write(db, a, b, out, e), e);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- the tally ---- */

/* The units of the vote's scope with their owners on day as one text
 * (person ids in order), whether they are the developer's (a developer
 * owns them, or no one does), and their ballot's choice; the developer's
 * first, then by owners, so that one owner's units are together. */
static const char units_sql[] =
	"SELECT u.area_centi, x.dev, x.owners, b.choice FROM unit u"
	" JOIN (SELECT u2.id AS id,"
	"  (SELECT group_concat(pid, ',') FROM (SELECT o.person_id AS pid FROM occupancy o"
	"   WHERE o.unit_id = u2.id AND " OWNER_ON("o", "?3") " ORDER BY o.person_id)) AS owners,"
	"  EXISTS (SELECT 1 FROM occupancy o JOIN person p ON p.id = o.person_id"
	"   WHERE o.unit_id = u2.id AND " OWNER_ON("o", "?3") " AND p.developer = 1) AS dev"
	"  FROM unit u2) x ON x.id = u.id"
	" LEFT JOIN ballot b ON b.unit_id = u.id AND b.vote_id = ?1"
	" WHERE ?2 = 0 OR u.building_id = ?2"
	" ORDER BY (x.dev OR x.owners IS NULL) DESC, x.owners, u.code";

/* The scope's units as pm_vote_count takes them: *units malloc'd. */
static int scope_units(struct pm_db *db, int64_t id, const struct vote_row *v, struct pm_vote_unit **units,
		       size_t *n, struct pm_err *e)
{
	sqlite3_stmt *st = pm_db_stmt(db, units_sql, e);
	char day[PM_TIME_BUF], *prev = NULL;
	size_t cap = 0;
	int64_t key = 0;
	int step, rc = PM_OK;

	*units = NULL;
	*n = 0;
	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, v->building);
	sqlite3_bind_text(st, 3, owners_day(db, v, day), -1, SQLITE_TRANSIENT);
	while (rc == PM_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *owners = TEXT(st, 2), *choice = TEXT(st, 3);
		struct pm_vote_unit *u;
		enum pm_choice c = PM_CHOICE_NONE;

		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			if (!(u = realloc(*units, cap * sizeof *u))) {
				rc = pm_report_oom(e);
				break;
			}
			*units = u;
		}
		if (choice)
			pm_choice_parse(choice, &c, NULL);
		/* The developer's units are owner 0; each other set of owners
		 * a key of its own, in the order they come. */
		if (!sqlite3_column_int(st, 1) && owners && (!prev || strcmp(prev, owners))) {
			key++;
			free(prev);
			if (!(prev = strdup(owners))) {
				rc = pm_report_oom(e);
				break;
			}
		}
		(*units)[(*n)++] = (struct pm_vote_unit){sqlite3_column_int64(st, 0),
							 sqlite3_column_int(st, 1) || !owners ? 0 : key, c};
	}
	if (rc == PM_OK && step != SQLITE_DONE)
		rc = pm_db_fail(db, e, _("cannot read the units of the vote"));
	sqlite3_reset(st);
	free(prev);
	if (rc) {
		free(*units);
		*units = NULL;
	}
	return rc;
}

static const struct pm_col tally_cols[] = {
	{"measure", N_("measure"), PM_COL_TEXT, 0, 0},
	{"area_m2", N_("area (m²)"), PM_COL_MEAN, 2, 2},
	{"area_pct", N_("share of area"), PM_COL_PERCENT, 0, 0},
	{"area_fraction", N_("of area"), PM_COL_TEXT, 0, 0},
	{"owners", N_("owners"), PM_COL_INT, 0, 0},
	{"owners_pct", N_("share of owners"), PM_COL_PERCENT, 0, 0},
	{"owners_fraction", N_("of owners"), PM_COL_TEXT, 0, 0},
};

static const struct pm_col outcome_cols[] = {
	{"test", N_("test"), PM_COL_TEXT, 0, 0},
	{"rule", N_("rule"), PM_COL_TEXT, 0, 0},
	{"area", N_("by area"), PM_COL_TEXT, 0, 0},
	{"owners", N_("by owners"), PM_COL_TEXT, 0, 0},
	{"result", N_("result"), PM_COL_TEXT, 0, 0},
};

/* A row of the tally: m of of (NULL: the whole), by area unless by head
 * alone (the split owners, who have no area of their own). */
static int tally_row(struct pm_section *s, const char *what, const struct pm_measure *m, const struct pm_measure *of,
		     int by_area)
{
	long r = pm_row_add(s);
	char buf[96];

	if (r < 0 || pm_set_text(s, (size_t)r, 0, what))
		return -1;
	pm_set_int(s, (size_t)r, 4, m->owners);
	if (by_area)
		pm_set_ratio(s, (size_t)r, 1, m->area, 1);
	if (!of)
		return 0;
	pm_set_ratio(s, (size_t)r, 5, m->owners, of->owners);
	snprintf(buf, sizeof buf, "%lld/%lld", (long long)m->owners, (long long)of->owners);
	if (pm_set_text(s, (size_t)r, 6, buf))
		return -1;
	if (!by_area)
		return 0;
	pm_set_ratio(s, (size_t)r, 2, m->area, of->area);
	/* In m², exactly: areas are hundredths. */
	snprintf(buf, sizeof buf, "%lld.%02lld/%lld.%02lld", (long long)(m->area / 100), (long long)(m->area % 100),
		 (long long)(of->area / 100), (long long)(of->area % 100));
	return pm_set_text(s, (size_t)r, 3, buf);
}

static int outcome_row(struct pm_section *s, const char *test, const char *rule, int area, int owners, int result)
{
	long r = pm_row_add(s);

	return r < 0 || pm_set_text(s, (size_t)r, 0, test) || pm_set_text(s, (size_t)r, 1, rule) ||
	       pm_set_text(s, (size_t)r, 2, area ? _("reached") : _("not reached")) ||
	       pm_set_text(s, (size_t)r, 3, owners ? _("reached") : _("not reached")) ||
	       pm_set_text(s, (size_t)r, 4, result ? _("passed") : _("failed"));
}

/* The sections of the count t under rule part and pass. Taking part is
 * of all; choices are of those taking part. */
static int tally_sections(struct pm_report *r, const struct pm_tally *t, const char *title, const char *part,
			  const char *pass)
{
	struct pm_section *s = pm_section_add(r, "tally", N_("Ballots by area and by owners"), COLS(tally_cols));
	struct pm_measure split = {0, t->split};
	char why[160];

	if (!s || tally_row(s, _("all owners"), &t->total, NULL, 1) ||
	    tally_row(s, _("taking part"), &t->voted, &t->total, 1) || tally_row(s, _("yes"), &t->yes, &t->voted, 1) ||
	    tally_row(s, _("no"), &t->no, &t->voted, 1) || tally_row(s, _("abstain"), &t->abstain, &t->voted, 1) ||
	    tally_row(s, _("split (owners whose ballots disagree)"), &split, &t->voted, 0))
		return -1;
	pm_section_note(s, "%s", title);
	pm_chart_set(s, PM_CHART_BARS, 0, "%", 2, 5, -1);
	if (!(s = pm_section_add(r, "outcome", N_("Outcome (Civil Code, art. 278)"), COLS(outcome_cols))) ||
	    outcome_row(s, _("participation"), part, t->turnout_area, t->turnout_owners,
			t->turnout_area && t->turnout_owners) ||
	    outcome_row(s, _("agreement"), pass, t->pass_area, t->pass_owners, t->pass_area && t->pass_owners))
		return -1;
	if (!(t->turnout_area && t->turnout_owners))
		snprintf(why, sizeof why, _("failed: participation %s of area and of owners not reached"), part);
	else if (!t->passed)
		snprintf(why, sizeof why, _("failed: agreement %s of the participating area and owners not reached"), pass);
	else
		snprintf(why, sizeof why, _("passed: participation %s and agreement %s, by area and by owners"), part, pass);
	pm_section_note(s, "%s", why);
	return 0;
}

static int tally_make(struct pm_db *db, int64_t id, struct pm_report **out, struct pm_tally *t, struct pm_err *e)
{
	struct pm_report_query q = {0};
	struct pm_ratio part, pass;
	char part_text[64], pass_text[64];
	struct pm_vote_unit *units;
	struct vote_row v;
	size_t n;
	int rc;

	if (vote_load(db, id, &v, e) || pm_ratio_parse(v.participation, &part, e) || pm_ratio_parse(v.pass, &pass, e) ||
	    scope_units(db, id, &v, &units, &n, e))
		return e->code;
	rc = pm_vote_count(units, n, &part, &pass, t, e);
	free(units);
	if (rc || pm_report_new(db, "tally", N_("Owners' vote"), &q, out, e))
		return e->code;
	snprintf((*out)->scope, sizeof (*out)->scope, v.building ? _("vote %lld, building %.40s") : _("vote %lld"),
		 (long long)id, v.building_code);
	if (tally_sections(*out, t, v.title, ratio_say(&part, part_text, sizeof part_text),
			   ratio_say(&pass, pass_text, sizeof pass_text))) {
		pm_report_free(*out);
		*out = NULL;
		return pm_report_oom(e);
	}
	return PM_OK;
}

int pm_vote_tally(struct pm_db *db, int64_t id, struct pm_report **out, struct pm_tally *t, struct pm_err *e)
{
	struct pm_tally mine;
	int rc;

	*out = NULL;
	if ((rc = pm_db_exec(db, "BEGIN", e)))
		return rc;
	rc = tally_make(db, id, out, t ? t : &mine, e);
	pm_db_exec(db, "COMMIT", NULL);
	return rc;
}

/* ---- publishing and reminding ---- */

static void body_line(char *buf, size_t size, size_t *n, const struct pm_section *s, size_t row)
{
	char a[PM_CELL_BUF], b[PM_CELL_BUF], c[PM_CELL_BUF], d[PM_CELL_BUF];

	if (*n >= size)
		return;
	*n += (size_t)snprintf(buf + *n, size - *n, _("%s: area %s m² (%s, %s), owners %s (%s, %s)\n"),
			       pm_cell_text(s, row, 0, 1, a, sizeof a), pm_cell_text(s, row, 1, 1, b, sizeof b),
			       pm_cell_text(s, row, 2, 1, c, sizeof c), pm_cell_text(s, row, 3, 1, d, sizeof d),
			       pm_cell_text(s, row, 4, 1, a, sizeof a), pm_cell_text(s, row, 5, 1, b, sizeof b),
			       pm_cell_text(s, row, 6, 1, c, sizeof c));
}

int pm_vote_publish(struct pm_db *db, const struct pm_report *tally, int64_t id, int64_t *ann, long *units,
		    struct pm_notify_counts *counts, struct pm_err *e)
{
	struct pm_announcement a = {0};
	char title[300], target[80], body[4096];
	struct pm_notify *n;
	struct vote_row v;
	size_t len = 0;
	int rc;

	if (vote_load(db, id, &v, e))
		return e->code;
	snprintf(title, sizeof title, _("Result of the owners' vote: %s"), v.title);
	snprintf(target, sizeof target, v.building ? "building:%s" : "all", v.building_code);
	/* The text of a table cell, not its width: one line a measure. */
	for (size_t i = 0; i < tally->sec[0].nrows; i++)
		body_line(body, sizeof body, &len, &tally->sec[0], i);
	if (len < sizeof body)
		snprintf(body + len, sizeof body - len, "%s\n", tally->sec[1].note ? tally->sec[1].note : "");
	a.title = title;
	a.body = body;
	a.target = target;
	if ((rc = pm_notify_open(db, &n, e)) == PM_OK) {
		rc = pm_announce_add(db, n, &a, -1, ann, units, counts, e);
		pm_notify_close(n);
	}
	return rc;
}

/* Units of the scope without a ballot that have an owner today. */
static const char unvoted_sql[] =
	"SELECT u.code FROM unit u WHERE (?2 = 0 OR u.building_id = ?2)"
	" AND NOT EXISTS (SELECT 1 FROM ballot b WHERE b.vote_id = ?1 AND b.unit_id = u.id)"
	" AND EXISTS (SELECT 1 FROM occupancy o WHERE o.unit_id = u.id AND " OWNER_ON("o", "?3") ")"
	" ORDER BY u.code";

static int remind_all(struct pm_db *db, struct pm_notify *n, int64_t id, int channel, long *units,
		      struct pm_notify_counts *counts, struct pm_err *e)
{
	struct vote_row v;
	char day[PM_TIME_BUF], close[PM_TIME_BUF], object[32];
	sqlite3_stmt *st;
	json_t *rec, *after;
	int step, rc = PM_OK;

	if (vote_load(db, id, &v, e) || vote_open(db, id, &v, e) || !(st = pm_db_stmt(db, unvoted_sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, v.building);
	sqlite3_bind_text(st, 3, owners_day(db, &v, day), -1, SQLITE_TRANSIENT);
	pm_time_fmt(v.closes, pm_db_tz(db), close);
	while (rc == PM_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		if (!(rec = json_pack("{s:s, s:s, s:I, s:s, s:s}", "type", "vote_reminder", "id", "", "vote",
				      (json_int_t)id, "unit", TEXT(st, 0), "title", v.title))) {
			rc = pm_report_oom(e);
			break;
		}
		/* One reminder a unit a day: a second run the same day is
		 * all duplicates. */
		json_object_set_new(rec, "id", json_sprintf("%lld:%s", (long long)id, TEXT(st, 0)));
		json_object_set_new(rec, "closes", json_string(close));
		rc = pm_notify_queue(n, "vote_reminder", channel, rec, counts, e);
		json_decref(rec);
		(*units)++;
	}
	if (rc == PM_OK && step != SQLITE_DONE)
		rc = pm_db_fail(db, e, _("cannot read the units of the vote"));
	sqlite3_reset(st);
	if (rc)
		return rc;
	snprintf(object, sizeof object, "vote:%lld", (long long)id);
	after = json_pack("{s:I, s:I, s:I}", "units", (json_int_t)*units, "queued", (json_int_t)counts->queued,
			  "duplicate", (json_int_t)counts->duplicate);
	rc = pm_audit_log(db, "govern.remind", object, NULL, after, e);
	json_decref(after);
	return rc;
}

int pm_vote_remind(struct pm_db *db, struct pm_notify *n, int64_t id, int channel, long *units,
		   struct pm_notify_counts *counts, struct pm_err *e)
{
	int rc;

	*units = 0;
	*counts = (struct pm_notify_counts){0};
	if ((rc = pm_db_begin(db, e)))
		return rc;
	return pm_db_end(db, remind_all(db, n, id, channel, units, counts, e), e);
}
