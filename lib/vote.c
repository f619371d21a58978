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
#include "pm/jsonl.h"
#include "pm/timeutil.h"
#include "pm/vote.h"
#include "db-internal.h"
#include "report-internal.h"

#define TITLE_MAX 200
#define DEN_MAX 1000
#define OPTION_MAX 100

/* ---- choices and thresholds ---- */

/* A ballot for options agrees to them: it is stored and shown as yes,
 * with the options it names. */
static const char *const choice_names[] = {"", "yes", "no", "abstain", "yes"};

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
	return c >= PM_CHOICE_YES && c <= PM_CHOICE_FOR ? choice_names[c] : "";
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

char *pm_ratio_say(const struct pm_ratio *r, char *buf, size_t size)
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

/* The options a ballot supports: yes is option 0 and no option 1 of a
 * yes/no vote; abstaining supports none. */
static uint64_t marks(const struct pm_vote_unit *u)
{
	return u->choice == PM_CHOICE_FOR ? u->options : u->choice == PM_CHOICE_YES ? 1 : u->choice == PM_CHOICE_NO ? 2 : 0;
}

/* By owner, then by ballot, so that one owner's units are together and
 * equal ballots next to each other. */
static int by_owner(const void *a, const void *b)
{
	const struct pm_vote_unit *x = a, *y = b;

	if (x->owner != y->owner)
		return x->owner < y->owner ? -1 : 1;
	if (x->choice != y->choice)
		return (int)x->choice - (int)y->choice;
	return x->options < y->options ? -1 : x->options > y->options;
}

/* One owner's units, [u, end): their head goes to each option all their
 * ballots name, to abstain when all abstain, and to split when their
 * ballots differ. Sorted, so the first ballot and the last tell whether
 * they all agree. */
static void count_owner(const struct pm_vote_unit *u, const struct pm_vote_unit *end, struct pm_tally *t)
{
	const struct pm_vote_unit *first = NULL, *last = end - 1;
	uint64_t common = ~(uint64_t)0;

	t->total.owners++;
	for (; u < end; u++)
		if (u->choice != PM_CHOICE_NONE) {
			first = first ? first : u;
			common &= marks(u);
		}
	if (!first)
		return;
	t->voted.owners++;
	if (first->choice != last->choice || first->options != last->options)
		t->split++;
	else if (first->choice == PM_CHOICE_ABSTAIN)
		t->abstain.owners++;
	for (size_t i = 0; i < t->noptions; i++)
		if (common >> i & 1)
			t->option[i].owners++;
}

/* The measures of units[0..n) into t, whose noptions is set. */
static int count_units(const struct pm_vote_unit *units, size_t n, struct pm_tally *t, struct pm_err *e)
{
	struct pm_vote_unit *u = n ? malloc(n * sizeof *u) : NULL;
	size_t i, j;

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
			if (u[j].choice == PM_CHOICE_ABSTAIN)
				t->abstain.area += u[j].area;
			for (size_t k = 0; k < t->noptions; k++)
				if (marks(&u[j]) >> k & 1)
					t->option[k].area += u[j].area;
		}
		count_owner(u + i, u + j, t);
	}
	free(u);
	return PM_OK;
}

int pm_vote_count(const struct pm_vote_unit *units, size_t n, const struct pm_ratio *participation,
		  const struct pm_ratio *pass, struct pm_tally *t, struct pm_err *e)
{
	memset(t, 0, sizeof *t);
	t->noptions = 2;
	t->seats = 1;
	if (count_units(units, n, t, e))
		return e->code;
	t->turnout_area = pm_ratio_met(participation, t->voted.area, t->total.area);
	t->turnout_owners = pm_ratio_met(participation, t->voted.owners, t->total.owners);
	t->pass_area = pm_ratio_met(pass, t->option[0].area, t->voted.area);
	t->pass_owners = pm_ratio_met(pass, t->option[0].owners, t->voted.owners);
	t->passed = t->turnout_area && t->turnout_owners && t->pass_area && t->pass_owners;
	return PM_OK;
}

/* Option i ranks above option j: more area, or as much and more owners. */
static int outranks(const struct pm_tally *t, size_t i, size_t j)
{
	const struct pm_measure *x = &t->option[i], *y = &t->option[j];

	return x->area != y->area ? x->area > y->area : x->owners > y->owners;
}

static int equal_rank(const struct pm_tally *t, size_t i, size_t j)
{
	return !outranks(t, i, j) && !outranks(t, j, i);
}

/* The options that reached agreement on both measures, best first, and
 * the seats given to them. */
static void pick_options(struct pm_tally *t)
{
	size_t rank[PM_VOTE_OPTIONS_MAX], n = 0, last;

	for (size_t i = 0; i < t->noptions; i++)
		if (t->reached_area[i] && t->reached_owners[i]) {
			size_t k = n++;
			for (; k > 0 && outranks(t, i, rank[k - 1]); k--)
				rank[k] = rank[k - 1];
			rank[k] = i;
		}
	if (n == 0)
		return;
	last = (size_t)t->seats - 1;
	for (size_t k = 0; k < n; k++) {
		size_t i = rank[k];
		if (k > last && !equal_rank(t, i, rank[last]))
			t->pick[i] = PM_PICK_OUTRANKED;
		else if (n > last + 1 && equal_rank(t, i, rank[last + 1]))
			t->pick[i] = PM_PICK_TIED, t->tied++;
		else
			t->pick[i] = PM_PICK_CHOSEN, t->chosen++;
	}
}

int pm_vote_count_options(const struct pm_vote_unit *units, size_t n, size_t noptions, int seats,
			  const struct pm_ratio *participation, const struct pm_ratio *pass, struct pm_tally *t,
			  struct pm_err *e)
{
	memset(t, 0, sizeof *t);
	if (noptions < 2 || noptions > PM_VOTE_OPTIONS_MAX || seats < 1 || (size_t)seats > noptions)
		return pm_err_set(e, PM_EDATA, _("a vote has 2 to %d options and 1 seat to as many as options"),
				  PM_VOTE_OPTIONS_MAX);
	t->noptions = noptions;
	t->seats = seats;
	if (count_units(units, n, t, e))
		return e->code;
	t->turnout_area = pm_ratio_met(participation, t->voted.area, t->total.area);
	t->turnout_owners = pm_ratio_met(participation, t->voted.owners, t->total.owners);
	for (size_t i = 0; i < noptions; i++) {
		t->reached_area[i] = (unsigned char)pm_ratio_met(pass, t->option[i].area, t->voted.area);
		t->reached_owners[i] = (unsigned char)pm_ratio_met(pass, t->option[i].owners, t->voted.owners);
		t->pass_area |= t->reached_area[i];
		t->pass_owners |= t->reached_owners[i];
	}
	if (t->turnout_area && t->turnout_owners)
		pick_options(t);
	t->passed = t->chosen > 0;
	return PM_OK;
}

/* ---- votes ---- */

/* The nine matters of Article 278, in its order; (6) to (8) need three
 * quarters by default (pm.yaml(5), lib/sections.c). */
const char *const pm_vote_matters[] = {
	"rules", "regulations", "committee", "manager", "fund_use", "fund_raise", "rebuild", "common_use", "other",
	NULL,
};

/* A JSON array of the names of options (position order) of the rows
 * matched by where, as one column. */
#define OPTION_NAMES(where) \
	"(SELECT json_group_array(name) FROM (SELECT o.name FROM vote_option o WHERE " where " ORDER BY o.position))"

/* The vote ?1 with the number of its ballots that count on the owners'
 * day ?2 (VOTER_ON, below), or that counted in its kept count, as the
 * tally counts them. */
#define VOTE_COLS                                                                                        \
	"SELECT v.id, v.title, v.matter, v.participation, v.pass, b.code, v.opens, v.closes, v.created_at," \
	" v.created_by, CASE WHEN v.counted_at IS NULL THEN (SELECT count(*) FROM ballot x"               \
	" WHERE x.vote_id = v.id AND " VOTER_ON("x.unit_id", "x.person_id", "?2") ") ELSE (SELECT count(*)" \
	" FROM vote_unit k WHERE k.vote_id = v.id AND k.choice IS NOT NULL) END, v.building_id, "         \
	OPTION_NAMES("o.vote_id = v.id") ", v.seats FROM vote v LEFT JOIN building b ON b.id = v.building_id"

static const char *status_at(int64_t opens, int64_t closes, int64_t now)
{
	return now < opens ? "pending" : now < closes ? "open" : "closed";
}

/* Column i, a JSON array of OPTION_NAMES, as an array. */
static json_t *json_names(sqlite3_stmt *st, int i)
{
	return json_loads(TEXT(st, i), 0, NULL);
}

static json_t *vote_row(sqlite3_stmt *st, void *ctx)
{
	const char *tz = ctx;
	int64_t opens = sqlite3_column_int64(st, 6), closes = sqlite3_column_int64(st, 7);

	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:I, s:o, s:s, s:o, s:I}", "type", "vote",
			 "id", (json_int_t)sqlite3_column_int64(st, 0), "title", TEXT(st, 1), "matter", TEXT(st, 2),
			 "participation", TEXT(st, 3), "pass", TEXT(st, 4), "building", pm_db_json_text(st, 5),
			 "opens", pm_db_json_time(st, 6, tz), "closes", pm_db_json_time(st, 7, tz),
			 "status", status_at(opens, closes, pm_now()), "ballots",
			 (json_int_t)sqlite3_column_int64(st, 10), "created_at", pm_db_json_time(st, 8, tz),
			 "created_by", TEXT(st, 9), "options", json_names(st, 12), "seats",
			 (json_int_t)sqlite3_column_int64(st, 13));
}

static int keep_one(void *ctx, json_t *rec)
{
	*(json_t **)ctx = json_incref(rec);
	return 1;
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

static int options_insert(struct pm_db *db, int64_t id, const struct pm_vote_new *v, struct pm_err *e)
{
	static const char sql[] = "INSERT INTO vote_option (vote_id, position, name) VALUES (?, ?, ?)";
	sqlite3_stmt *st;

	for (size_t i = 0; i < v->noptions; i++) {
		if (!(st = pm_db_stmt(db, sql, e)))
			return e->code;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		sqlite3_bind_text(st, 3, v->options[i], -1, SQLITE_STATIC);
		if (pm_db_step_done(db, st, _("cannot store the vote's options"), e))
			return e->code;
	}
	return PM_OK;
}

/* PM_EDATA unless o names an option: 1 to OPTION_MAX bytes of
 * characters that show, with no space around them (pm_code_valid), so
 * that no two options look alike, and not a word of a ballot's own. */
static int option_name_check(const char *o, struct pm_err *e)
{
	struct pm_err ce = {0};
	enum pm_choice c;
	size_t len = strlen(o);

	if (len == 0 || len > OPTION_MAX || pm_choice_parse(o, &c, NULL) == PM_OK)
		return pm_err_set(e, PM_EDATA, _("option '%s': a name of 1 to %d bytes, not yes, no or abstain"), o,
				  OPTION_MAX);
	if (pm_code_valid("name", o, OPTION_MAX, &ce))
		return pm_err_set(e, PM_EDATA, _("option '%s': %s"), o, ce.msg);
	return PM_OK;
}

/* PM_EDATA unless v's options and seats make a vote (pm_vote_add). */
static int options_check(const struct pm_vote_new *v, struct pm_err *e)
{
	if (!v->noptions)
		return v->seats != 1 ? pm_err_set(e, PM_EDATA, _("seats are for a vote with options: give --options"))
				     : PM_OK;
	if (v->noptions < 2 || v->noptions > PM_VOTE_OPTIONS_MAX)
		return pm_err_set(e, PM_EDATA, _("a vote with options has 2 to %d of them, not %zu"), PM_VOTE_OPTIONS_MAX,
				  v->noptions);
	if (v->seats < 1 || (uint64_t)v->seats > v->noptions)
		return pm_err_set(e, PM_EDATA, _("%lld seats for %zu options: seats are 1 to the number of options"),
				  (long long)v->seats, v->noptions);
	for (size_t i = 0; i < v->noptions; i++) {
		if (option_name_check(v->options[i], e))
			return e->code;
		for (size_t k = 0; k < i; k++)
			if (strcmp(v->options[i], v->options[k]) == 0)
				return pm_err_set(e, PM_EDATA, _("option '%s' is given twice"), v->options[i]);
	}
	return PM_OK;
}

static int vote_insert(struct pm_db *db, const struct pm_vote_new *v, int64_t *id, struct pm_err *e)
{
	static const char sql[] = "INSERT INTO vote (title, matter, participation, pass, building_id, opens, closes,"
				  " created_at, created_by, seats) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	char part[64], pass[64], object[32];
	sqlite3_stmt *st;
	int64_t bid;
	json_t *rec;
	int rc;

	if (vote_rule(db, v->matter, part, pass, sizeof part, e) || pm_building_id(db, v->building, &bid, e))
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
	sqlite3_bind_int64(st, 10, v->seats);
	if (pm_db_step_done(db, st, _("cannot store the vote"), e))
		return e->code;
	*id = sqlite3_last_insert_rowid(pm_db_sqlite(db));
	if (options_insert(db, *id, v, e) || pm_vote_get(db, *id, &rec, e))
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
	if (options_check(v, e))
		return e->code;
	if ((rc = pm_db_begin(db, e)))
		return rc;
	rc = pm_db_end(db, vote_insert(db, v, &id, e), e);
	return rc ? rc : pm_vote_get(db, id, out, e);
}

/* The vote's times and building; PM_EDATA when there is none. */
struct vote_row {
	int64_t opens, closes, building;
	int seats, noptions; /* noptions 0: a yes/no vote */
	int counted;         /* its count is kept (vote_unit) */
	char participation[64], pass[64], title[TITLE_MAX + 1], building_code[64];
};

static int vote_load(struct pm_db *db, int64_t id, struct vote_row *v, struct pm_err *e)
{
	static const char sql[] = "SELECT v.opens, v.closes, coalesce(v.building_id, 0), v.participation, v.pass,"
				  " v.title, coalesce(b.code, ''), v.seats,"
				  " (SELECT count(*) FROM vote_option o WHERE o.vote_id = v.id), v.counted_at IS NOT NULL"
				  " FROM vote v LEFT JOIN building b ON b.id = v.building_id WHERE v.id = ?";
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
		v->seats = sqlite3_column_int(st, 7);
		v->noptions = sqlite3_column_int(st, 8);
		v->counted = sqlite3_column_int(st, 9);
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

static int count_keep(struct pm_db *db, int64_t id, struct pm_err *e);

static int vote_close(struct pm_db *db, int64_t id, struct pm_err *e)
{
	static const char sql[] = "UPDATE vote SET closes = ?2 WHERE id = ?1";
	struct vote_row v;
	char object[32];
	sqlite3_stmt *st;
	json_t *before, *after;
	int rc;

	if (vote_load(db, id, &v, e) || vote_open(db, id, &v, e))
		return e->code;
	/* A vote ends after it begins (the table's CHECK): one closed in
	 * the second it opened failed on that, as SQL. */
	if (pm_now() <= v.opens)
		return pm_err_set(e, PM_EFAIL, _("vote %lld opened this second: close it from the next"), (long long)id);
	if (pm_vote_get(db, id, &before, e))
		return e->code;
	if (!(st = pm_db_stmt(db, sql, e)))
		rc = e->code;
	else {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, pm_now());
		rc = pm_db_step_done(db, st, _("cannot close the vote"), e);
	}
	if (rc == PM_OK)
		rc = count_keep(db, id, e);
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

	/* Votes closed before keep the developer they counted with. */
	if (pm_vote_settle(db, e) || pm_person_id(db, person, &id, e) || !(st = pm_db_stmt(db, sql, e)))
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
#define OWNER_ON(o, day) o ".role = 'owner' AND " PM_OCCUPANCY_ON(o, day)

/* Whether person p is the voter of unit u on day: one of its owners, or
 * the developer for a unit with no owner. The one rule both for casting
 * a ballot and for counting it: owners are those of the owners' day, so
 * a ballot whose voter has sold the unit since counts for nothing, and
 * the new owner casts the unit's ballot in its place. */
#define VOTER_ON(u, p, day)                                                                                     \
	"(EXISTS (SELECT 1 FROM occupancy vo WHERE vo.unit_id = " u " AND vo.person_id = " p " AND "            \
	OWNER_ON("vo", day) ") OR (EXISTS (SELECT 1 FROM person vp WHERE vp.id = " p " AND vp.developer = 1)"  \
	" AND NOT EXISTS (SELECT 1 FROM occupancy vo WHERE vo.unit_id = " u " AND " OWNER_ON("vo", day) ")))"

int pm_vote_get(struct pm_db *db, int64_t id, json_t **out, struct pm_err *e)
{
	static const char sql[] = VOTE_COLS " WHERE v.id = ?1";
	char day[PM_TIME_BUF];
	struct vote_row v;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if (vote_load(db, id, &v, e) || !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, owners_day(db, &v, day), -1, SQLITE_TRANSIENT);
	rc = pm_db_each(db, st, vote_row, (void *)pm_db_tz(db), keep_one, out, _("cannot read votes"), e);
	if (rc && rc != 1)
		return rc;
	return *out ? PM_OK : pm_err_set(e, PM_EDATA, _("no vote %lld"), (long long)id);
}

/* Each vote as pm_vote_get reads it: its ballots are counted on its own
 * owners' day. */
int pm_vote_each(struct pm_db *db, int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e)
{
	static const char sql[] = "SELECT id FROM vote ORDER BY id";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	json_t *rec;
	int step, rc = PM_OK;

	if (!st)
		return e->code;
	while (rc == PM_OK && (step = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = pm_vote_get(db, sqlite3_column_int64(st, 0), &rec, e)) == PM_OK) {
			rc = fn(ctx, rec);
			json_decref(rec);
		}
	sqlite3_reset(st);
	if (rc)
		return rc;
	return step == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read votes"));
}

/* Whether person voter may vote for unit on day (VOTER_ON). */
static int owns(struct pm_db *db, int64_t unit, int64_t voter, const char *day, struct pm_err *e)
{
	static const char sql[] = "SELECT " VOTER_ON("?1", "?2", "?3");
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int step, yes = 0;

	if (!st)
		return -e->code;
	sqlite3_bind_int64(st, 1, unit);
	sqlite3_bind_int64(st, 2, voter);
	sqlite3_bind_text(st, 3, day, -1, SQLITE_STATIC);
	if ((step = sqlite3_step(st)) == SQLITE_ROW)
		yes = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return step == SQLITE_ROW ? yes : -pm_db_fail(db, e, _("cannot read owners"));
}

/* The unit's id and building; PM_EDATA when there is none. */
static int unit_of(struct pm_db *db, const char *code, int64_t *id, int64_t *building, struct pm_err *e)
{
	static const char sql[] = "SELECT id, building_id FROM unit WHERE code = ?";
	sqlite3_stmt *st;
	int rc;

	if ((rc = pm_db_row(db, sql, code, &st, N_("cannot read units"), e)) < 0)
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
		/* A paper reference would make an online ballot pass for one
		 * signed on paper and entered by staff. */
		if (b->paper)
			return pm_err_set(e, PM_ENOPERM, _("user '%s' votes online: only staff enter a paper ballot"),
					  a->login);
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
	"SELECT b.vote_id, u.code, p.code, b.choice, b.paper, b.entered_by, b.created_at, b.updated_at, "  \
	OPTION_NAMES("o.id IN (SELECT option_id FROM ballot_option x WHERE x.ballot_id = b.id)")            \
	" FROM ballot b JOIN unit u ON u.id = b.unit_id JOIN person p ON p.id = b.person_id"

static json_t *ballot_row(sqlite3_stmt *st, void *ctx)
{
	const char *tz = ctx;

	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:o}", "type", "ballot", "vote",
			 (json_int_t)sqlite3_column_int64(st, 0), "unit", TEXT(st, 1), "person", TEXT(st, 2),
			 "choice", TEXT(st, 3), "paper", pm_db_json_text(st, 4), "entered_by", TEXT(st, 5),
			 "created_at", pm_db_json_time(st, 6, tz), "updated_at", pm_db_json_time(st, 7, tz),
			 "options", json_names(st, 8));
}

/* Unit's ballot in vote: any (day NULL), or only one that counts on day
 * (VOTER_ON). */
static int ballot_read(struct pm_db *db, int64_t vote, const char *unit, const char *day, json_t **out,
		       struct pm_err *e)
{
	static const char sql[] = BALLOT_COLS " WHERE b.vote_id = ?1 AND u.code = ?2 AND (?3 IS NULL OR "
		VOTER_ON("b.unit_id", "b.person_id", "?3") ")";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	*out = NULL;
	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, vote);
	sqlite3_bind_text(st, 2, unit, -1, SQLITE_STATIC);
	if (day)
		sqlite3_bind_text(st, 3, day, -1, SQLITE_STATIC);
	rc = pm_db_each(db, st, ballot_row, (void *)pm_db_tz(db), keep_one, out, _("cannot read ballots"), e);
	return rc == 1 ? PM_OK : rc;
}

int pm_ballot_get(struct pm_db *db, int64_t vote, const char *unit, json_t **out, struct pm_err *e)
{
	char day[PM_TIME_BUF];
	struct vote_row v;

	*out = NULL;
	if (vote_load(db, vote, &v, e))
		return e->code;
	return ballot_read(db, vote, unit, owners_day(db, &v, day), out, e);
}

/* A ballot as stored: its choice, and with PM_CHOICE_FOR the options it
 * names (bit i: option i) and their names in the vote's order. */
struct ballot_pick {
	enum pm_choice choice;
	uint64_t options;
	json_t *names;
};

/* The names of the vote's options, in order, as a JSON array (from its
 * record). */
static int option_names(struct pm_db *db, int64_t vote, json_t **names, struct pm_err *e)
{
	json_t *rec;

	*names = NULL;
	if (pm_vote_get(db, vote, &rec, e))
		return e->code;
	*names = json_incref(json_object_get(rec, "options"));
	json_decref(rec);
	return PM_OK;
}

/* PM_EDATA naming the vote's options for a name that is none of them. */
static int no_option(json_t *names, int64_t vote, const char *name, struct pm_err *e)
{
	char list[1024];
	size_t i, len = 0;
	json_t *n;

	list[0] = '\0';
	json_array_foreach (names, i, n)
		if (len < sizeof list)
			len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", json_string_value(n));
	return pm_err_set(e, PM_EDATA, _("vote %lld has no option '%s': expected one of %s, or abstain"),
			  (long long)vote, name, list);
}

/* The options b names, of the vote's names, into p. */
static int pick_named(const struct pm_ballot *b, const struct vote_row *v, json_t *names, struct ballot_pick *p,
		      struct pm_err *e)
{
	if (b->nchoices > (size_t)v->seats)
		return pm_err_set(e, PM_EDATA, _("vote %lld chooses %d: a ballot names at most %d options"),
				  (long long)b->vote, v->seats, v->seats);
	p->choice = PM_CHOICE_FOR;
	for (size_t i = 0; i < b->nchoices; i++) {
		int k = pm_json_index(names, b->choices[i]);

		if (strcmp(b->choices[i], "abstain") == 0)
			return pm_err_set(e, PM_EDATA, _("abstain is a ballot of its own, not one of several choices"));
		if (k < 0)
			return no_option(names, b->vote, b->choices[i], e);
		if (p->options >> k & 1)
			return pm_err_set(e, PM_EDATA, _("option '%s' is named twice"), b->choices[i]);
		p->options |= (uint64_t)1 << k;
	}
	for (size_t i = json_array_size(names); i-- > 0;)
		if (!(p->options >> i & 1))
			json_array_remove(names, i);
	p->names = json_incref(names);
	return PM_OK;
}

/* What ballot b of vote v chooses: yes, no or abstain in a yes/no vote
 * (PM_EUSAGE otherwise), options of the vote's or abstain in one with
 * options. p->names is the caller's to release. */
static int ballot_pick(struct pm_db *db, const struct pm_ballot *b, struct ballot_pick *p, struct pm_err *e)
{
	struct vote_row vote, *v = &vote;
	json_t *names;
	int rc;

	*p = (struct ballot_pick){PM_CHOICE_NONE, 0, NULL};
	if (vote_load(db, b->vote, v, e))
		return e->code;
	if (b->nchoices == 0)
		return pm_err_set(e, PM_EUSAGE, _("a ballot needs a choice: yes, no or abstain, or the vote's options"));
	if (!v->noptions && b->nchoices > 1)
		return pm_err_set(e, PM_EUSAGE, _("vote %lld is yes or no: a ballot has one choice"), (long long)b->vote);
	if (!v->noptions || (b->nchoices == 1 && strcmp(b->choices[0], "abstain") == 0)) {
		if ((rc = pm_choice_parse(b->choices[0], &p->choice, e)) == PM_OK)
			p->names = json_array();
		return rc ? rc : p->names ? PM_OK : pm_err_set(e, PM_EFAIL, _("out of memory"));
	}
	if (option_names(db, b->vote, &names, e))
		return e->code;
	rc = pick_named(b, v, names, p, e);
	json_decref(names);
	return rc;
}

static int same_ballot(json_t *old, const struct ballot_pick *p, const char *person, const char *paper_now)
{
	const char *paper = json_string_value(json_object_get(old, "paper"));

	return strcmp(json_string_value(json_object_get(old, "choice")), pm_choice_name(p->choice)) == 0 &&
	       json_equal(json_object_get(old, "options"), p->names) &&
	       strcmp(json_string_value(json_object_get(old, "person")), person) == 0 &&
	       (paper && paper_now ? strcmp(paper, paper_now) == 0 : paper == paper_now);
}

/* The ballot's options made those of p: the old ones deleted with the
 * ballot's row kept. */
static int ballot_options(struct pm_db *db, const struct pm_ballot *b, const struct ballot_pick *p, struct pm_err *e)
{
	static const char del[] = "DELETE FROM ballot_option WHERE ballot_id IN (SELECT b.id FROM ballot b JOIN unit u"
				  " ON u.id = b.unit_id WHERE b.vote_id = ?1 AND u.code = ?2)";
	static const char ins[] = "INSERT INTO ballot_option (ballot_id, option_id) SELECT b.id, o.id FROM ballot b"
				  " JOIN unit u ON u.id = b.unit_id JOIN vote_option o ON o.vote_id = b.vote_id"
				  " WHERE b.vote_id = ?1 AND u.code = ?2 AND (?3 >> o.position) & 1";
	const char *const sql[] = {del, ins};
	sqlite3_stmt *st;

	for (int i = 0; i < 2; i++) {
		if (!(st = pm_db_stmt(db, sql[i], e)))
			return e->code;
		sqlite3_bind_int64(st, 1, b->vote);
		sqlite3_bind_text(st, 2, b->unit, -1, SQLITE_STATIC);
		if (i)
			sqlite3_bind_int64(st, 3, (sqlite3_int64)p->options);
		if (pm_db_step_done(db, st, _("cannot store the ballot"), e))
			return e->code;
	}
	return PM_OK;
}

static int ballot_write(struct pm_db *db, const struct pm_actor *a, const struct pm_ballot *b,
			const struct ballot_pick *p, json_t **out, struct pm_err *e)
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
	    pm_person_code(db, voter, person, sizeof person, e) || ballot_read(db, b->vote, b->unit, NULL, &old, e))
		return e->code;
	if (old && same_ballot(old, p, person, b->paper)) {
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
	sqlite3_bind_text(st, 4, pm_choice_name(p->choice), -1, SQLITE_STATIC);
	if (b->paper)
		sqlite3_bind_text(st, 5, b->paper, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, a->login, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, pm_now());
	if ((rc = pm_db_step_done(db, st, _("cannot store the ballot"), e)) == PM_OK &&
	    (rc = ballot_options(db, b, p, e)) == PM_OK && (rc = ballot_read(db, b->vote, b->unit, NULL, out, e)) == PM_OK) {
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
	struct ballot_pick p;
	int rc;

	*out = NULL;
	if ((rc = pm_db_begin(db, e)))
		return rc;
	if ((rc = ballot_pick(db, b, &p, e)) == PM_OK)
		rc = ballot_write(db, a, b, &p, out, e);
	json_decref(p.names);
	rc = pm_db_end(db, rc, e);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- the tally ---- */

/* The units of the vote's scope with their owners on day as one text
 * (person ids in order), whether they are the developer's (a developer
 * owns them, or no one does), the choice of their ballot that counts
 * (VOTER_ON) and the options it names; then the unit's id. */
#define UNITS_SELECT                                                                                             \
	"SELECT u.area_centi, x.dev, x.owners, b.choice,"                                                        \
	" (SELECT coalesce(sum(1 << o.position), 0) FROM ballot_option bo JOIN vote_option o ON o.id = bo.option_id" \
	"  WHERE bo.ballot_id = b.id), u.id FROM unit u"                                                         \
	" JOIN (SELECT u2.id AS id,"                                                                             \
	"  (SELECT group_concat(pid, ',') FROM (SELECT DISTINCT o.person_id AS pid FROM occupancy o"             \
	"   WHERE o.unit_id = u2.id AND " OWNER_ON("o", "?3") " ORDER BY o.person_id)) AS owners,"                \
	"  EXISTS (SELECT 1 FROM occupancy o JOIN person p ON p.id = o.person_id"                                \
	"   WHERE o.unit_id = u2.id AND " OWNER_ON("o", "?3") " AND p.developer = 1) AS dev"                      \
	"  FROM unit u2) x ON x.id = u.id"                                                                       \
	" LEFT JOIN ballot b ON b.unit_id = u.id AND b.vote_id = ?1 AND " VOTER_ON("b.unit_id", "b.person_id", "?3") \
	" WHERE ?2 = 0 OR u.building_id = ?2"

/* UNITS_SELECT in the order scope_units takes them: the developer's
 * first, then by owners, so that one owner's units are together. */
static const char units_sql[] = UNITS_SELECT " ORDER BY (x.dev OR x.owners IS NULL) DESC, x.owners, u.code";

/* The same of a closed vote whose count is kept: as it stood then. */
static const char kept_sql[] = "SELECT area_centi, dev, owners, choice, options, unit_id FROM vote_unit"
			       " WHERE vote_id = ?1 ORDER BY (dev OR owners IS NULL) DESC, owners, unit_id";

/* Keeps the count of vote id, past its closing time, as it stands, once:
 * from then on its tally reads these facts, not the units, owners and
 * developer of the day (pm-govern(1), Who counts). In the caller's write. */
static int count_keep(struct pm_db *db, int64_t id, struct pm_err *e)
{
	static const char mark[] = "UPDATE vote SET counted_at = ?2 WHERE id = ?1 AND counted_at IS NULL";
	static const char keep[] = "INSERT INTO vote_unit (area_centi, dev, owners, choice, options, unit_id, vote_id)"
				   " SELECT k.*, ?1 FROM (" UNITS_SELECT ") k";
	char day[PM_TIME_BUF], object[32];
	struct vote_row v;
	sqlite3_stmt *st;
	json_t *after;
	int rc;

	if (vote_load(db, id, &v, e) || !(st = pm_db_stmt(db, mark, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, pm_now());
	if (pm_db_step_done(db, st, _("cannot keep the count of the vote"), e))
		return e->code;
	if (!sqlite3_changes(pm_db_sqlite(db)))
		return PM_OK;
	if (!(st = pm_db_stmt(db, keep, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, v.building);
	sqlite3_bind_text(st, 3, owners_day(db, &v, day), -1, SQLITE_TRANSIENT);
	if (pm_db_step_done(db, st, _("cannot keep the count of the vote"), e))
		return e->code;
	snprintf(object, sizeof object, "vote:%lld", (long long)id);
	after = json_pack("{s:s, s:I}", "owners_day", day, "units", (json_int_t)sqlite3_changes(pm_db_sqlite(db)));
	rc = pm_audit_log(db, "govern.vote.count", object, NULL, after, e);
	json_decref(after);
	return rc;
}

int pm_vote_settle(struct pm_db *db, struct pm_err *e)
{
	static const char sql[] = "SELECT id FROM vote WHERE counted_at IS NULL AND closes <= ?1 ORDER BY id LIMIT 1";
	/* Once a write transaction: every unit of an import asking again
	 * was 4.6% of pm unit import's instructions (callgrind, 10,000
	 * units). A vote closing while the transaction runs is kept at the
	 * next. */
	static uint64_t settled;
	int open = !sqlite3_get_autocommit(pm_db_sqlite(db));
	sqlite3_stmt *st;
	int64_t id;
	int step;

	if (open && settled == pm_db_epoch(db))
		return PM_OK;

	/* One at a time: keeping a count writes the table read here. */
	for (;;) {
		if (!(st = pm_db_stmt(db, sql, e)))
			return e->code;
		sqlite3_bind_int64(st, 1, pm_now());
		step = sqlite3_step(st);
		id = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
		sqlite3_reset(st);
		if (step == SQLITE_DONE) {
			settled = open ? pm_db_epoch(db) : 0;
			return PM_OK;
		}
		if (step != SQLITE_ROW)
			return pm_db_fail(db, e, _("cannot read votes"));
		if (count_keep(db, id, e))
			return e->code;
	}
}

/* The scope's units as pm_vote_count takes them: *units malloc'd. */
static int scope_units(struct pm_db *db, int64_t id, const struct vote_row *v, struct pm_vote_unit **units,
		       size_t *n, struct pm_err *e)
{
	sqlite3_stmt *st = pm_db_stmt(db, v->counted ? kept_sql : units_sql, e);
	char day[PM_TIME_BUF], *prev = NULL;
	size_t cap = 0;
	int64_t key = 0;
	int step, rc = PM_OK;

	*units = NULL;
	*n = 0;
	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	if (!v->counted) {
		sqlite3_bind_int64(st, 2, v->building);
		sqlite3_bind_text(st, 3, owners_day(db, v, day), -1, SQLITE_TRANSIENT);
	}
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
		if (choice && pm_choice_parse(choice, &c, NULL))
			c = PM_CHOICE_NONE;
		if (c == PM_CHOICE_YES && sqlite3_column_int64(st, 4))
			c = PM_CHOICE_FOR;
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
							 sqlite3_column_int(st, 1) || !owners ? 0 : key, c,
							 (uint64_t)sqlite3_column_int64(st, 4)};
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

static int outcome_row(struct pm_section *s, const char *test, const char *rule, int area, int owners,
		       const char *result)
{
	long r = pm_row_add(s);

	return r < 0 || pm_set_text(s, (size_t)r, 0, test) || pm_set_text(s, (size_t)r, 1, rule) ||
	       pm_set_text(s, (size_t)r, 2, area ? _("reached") : _("not reached")) ||
	       pm_set_text(s, (size_t)r, 3, owners ? _("reached") : _("not reached")) || pm_set_text(s, (size_t)r, 4, result);
}

/* What a tally shows of option i: its name, or yes and no. */
static const char *option_label(json_t *names, size_t i)
{
	return names ? json_string_value(json_array_get(names, i)) : i == 0 ? _("yes") : _("no");
}

static const char *pick_say(int pick)
{
	return pick == PM_PICK_CHOSEN ? _("chosen") : pick == PM_PICK_TIED ? _("tied") : pick == PM_PICK_OUTRANKED
											    ? _("outranked")
											    : _("not chosen");
}

/* The options picked so, "A, B", into buf. */
static char *picked(const struct pm_tally *t, json_t *names, int pick, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < t->noptions; i++)
		if (t->pick[i] == pick && len < size)
			len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "", option_label(names, i));
	return buf;
}

/* The outcome's note of a vote with options that reached participation. */
static void options_why(const struct pm_tally *t, json_t *names, const char *pass, char *why, size_t size)
{
	char chosen[800], tied[800];
	size_t len;

	if (!t->chosen && !t->tied) {
		snprintf(why, size, _("failed: no option reached agreement %s of the participating area and owners"), pass);
		return;
	}
	len = (size_t)snprintf(why, size, _("chosen, %d of %d seats: %s"), t->chosen, t->seats,
			       t->chosen ? picked(t, names, PM_PICK_CHOSEN, chosen, sizeof chosen) : "-");
	if (t->tied && len < size)
		snprintf(why + len, size - len, _("; tied for the last seats: %s, whom a new vote decides"),
			 picked(t, names, PM_PICK_TIED, tied, sizeof tied));
}

/* The outcome section: participation, then agreement of yes (names
 * NULL) or of each option. */
static int outcome_section(struct pm_report *r, const struct pm_tally *t, json_t *names, const char *part,
			   const char *pass)
{
	struct pm_section *s = pm_section_add(r, "outcome", N_("Outcome (Civil Code, art. 278)"), COLS(outcome_cols));
	int turnout = t->turnout_area && t->turnout_owners;
	char why[2048];

	if (!s || outcome_row(s, _("participation"), part, t->turnout_area, t->turnout_owners,
			      turnout ? _("passed") : _("failed")))
		return -1;
	if (!names && outcome_row(s, _("agreement"), pass, t->pass_area, t->pass_owners,
				  t->pass_area && t->pass_owners ? _("passed") : _("failed")))
		return -1;
	for (size_t i = 0; names && i < t->noptions; i++)
		if (outcome_row(s, option_label(names, i), pass, t->reached_area[i], t->reached_owners[i],
				pick_say(t->pick[i])))
			return -1;
	if (!turnout)
		snprintf(why, sizeof why, _("failed: participation %s of area and of owners not reached"), part);
	else if (names)
		options_why(t, names, pass, why, sizeof why);
	else if (!t->passed)
		snprintf(why, sizeof why, _("failed: agreement %s of the participating area and owners not reached"), pass);
	else
		snprintf(why, sizeof why, _("passed: participation %s and agreement %s, by area and by owners"), part, pass);
	pm_section_note(s, "%s", why);
	return 0;
}

/* The sections of the count t under rule part and pass. Taking part is
 * of all; choices are of those taking part. */
static int tally_sections(struct pm_report *r, const struct pm_tally *t, json_t *names, const char *title,
			  const char *part, const char *pass)
{
	struct pm_section *s = pm_section_add(r, "tally", N_("Ballots by area and by owners"), COLS(tally_cols));
	struct pm_measure split = {0, t->split};

	if (!s || tally_row(s, _("all owners"), &t->total, NULL, 1) ||
	    tally_row(s, _("taking part"), &t->voted, &t->total, 1))
		return -1;
	for (size_t i = 0; i < t->noptions; i++)
		if (tally_row(s, option_label(names, i), &t->option[i], &t->voted, 1))
			return -1;
	if (tally_row(s, _("abstain"), &t->abstain, &t->voted, 1) ||
	    tally_row(s, _("split (owners whose ballots disagree)"), &split, &t->voted, 0))
		return -1;
	pm_section_note(s, "%s", title);
	pm_chart_set(s, PM_CHART_BARS, 0, "%", 2, 5, -1);
	return outcome_section(r, t, names, part, pass);
}

/* The count of vote v, with options (*names their names) or yes/no
 * (*names NULL). */
static int tally_count(struct pm_db *db, int64_t id, const struct vote_row *v, const struct pm_ratio *part,
		       const struct pm_ratio *pass, struct pm_tally *t, json_t **names, struct pm_err *e)
{
	struct pm_vote_unit *units;
	size_t n;
	int rc;

	*names = NULL;
	if ((v->noptions && option_names(db, id, names, e)) || scope_units(db, id, v, &units, &n, e))
		return e->code;
	rc = v->noptions ? pm_vote_count_options(units, n, (size_t)v->noptions, v->seats, part, pass, t, e)
			 : pm_vote_count(units, n, part, pass, t, e);
	free(units);
	return rc;
}

static int tally_make(struct pm_db *db, int64_t id, struct pm_report **out, struct pm_tally *t, struct pm_err *e)
{
	struct pm_report_query q = {0};
	struct pm_ratio part, pass;
	char part_text[64], pass_text[64];
	struct vote_row v;
	json_t *names = NULL;
	int rc;

	if (vote_load(db, id, &v, e) || pm_ratio_parse(v.participation, &part, e) || pm_ratio_parse(v.pass, &pass, e))
		return e->code;
	if ((rc = tally_count(db, id, &v, &part, &pass, t, &names, e)) ||
	    (rc = pm_report_new(db, "tally", N_("Owners' vote"), &q, out, e))) {
		json_decref(names);
		return rc;
	}
	snprintf((*out)->scope, sizeof (*out)->scope, v.building ? _("vote %lld, building %.40s") : _("vote %lld"),
		 (long long)id, v.building_code);
	rc = tally_sections(*out, t, names, v.title, pm_ratio_say(&part, part_text, sizeof part_text),
			    pm_ratio_say(&pass, pass_text, sizeof pass_text));
	json_decref(names);
	if (rc) {
		pm_report_free(*out);
		*out = NULL;
		return pm_report_oom(e);
	}
	return PM_OK;
}

int pm_vote_tally(struct pm_db *db, int64_t id, struct pm_report **out, struct pm_tally *t, struct pm_err *e)
{
	struct pm_tally mine;
	struct vote_row v;
	int rc;

	*out = NULL;
	/* The first count after the closing time keeps it (count_keep), in
	 * a write of its own; then the count is read. */
	if (vote_load(db, id, &v, e))
		return e->code;
	if (!v.counted && pm_now() >= v.closes &&
	    ((rc = pm_db_begin(db, e)) || (rc = pm_db_end(db, count_keep(db, id, e), e))))
		return rc;
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

/* Units of the scope that have an owner today and no ballot that
 * counts (VOTER_ON): a new owner is reminded of the old one's. */
static const char unvoted_sql[] =
	"SELECT u.code FROM unit u WHERE (?2 = 0 OR u.building_id = ?2)"
	" AND NOT EXISTS (SELECT 1 FROM ballot b WHERE b.vote_id = ?1 AND b.unit_id = u.id AND "
	VOTER_ON("b.unit_id", "b.person_id", "?3") ")"
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
