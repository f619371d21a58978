/* Surveys: the YAML definition (read through the configuration's schema
 * reader, so its errors say file:line:col like pm.yaml's), answers and
 * results. */
#include <stdlib.h>
#include <string.h>

#include "pm/audit.h"
#include "pm/community.h"
#include "pm/db.h"
#include "pm/file.h"
#include "pm/i18n.h"
#include "pm/survey.h"
#include "pm/timeutil.h"
#include "config-internal.h"
#include "report-internal.h"

#define SURVEY_FILE_MAX (256 * 1024)
#define TEXT_MAX 2000
#define RATING_MAX 5

static int check_id(const json_t *v, struct pm_err *e)
{
	const char *s = json_string_value(v);

	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return pm_err_set(e, PM_ECONFIG, _("question id '%s': expected lower-case letters, digits and _"), s);
	return PM_OK;
}

static int check_audience(const json_t *v, struct pm_err *e)
{
	const char *s = json_string_value(v);

	if (strcmp(s, "all") == 0 || (strncmp(s, "building:", 9) == 0 && s[9]))
		return PM_OK;
	return pm_err_set(e, PM_ECONFIG, _("audience '%s': expected all or building:CODE"), s);
}

static const struct pm_schema question_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("id", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "32", .check = check_id), .required = true),
	PM_KEY("text", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "500"), .required = true),
	PM_KEY("type", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("single", "multi", "rating", "text")),
	       .required = true),
	PM_KEY("options", PM_NODE(PM_SCHEMA_LIST, .min = "2", .max = "20",
				  .item = PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "100")))),
};

static const struct pm_schema survey_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("title", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "200"), .required = true),
	PM_KEY("kind", PM_NODE(PM_SCHEMA_ENUM, .words = PM_WORDS("general", "satisfaction")), .def = "general"),
	PM_KEY("anonymous", PM_NODE(PM_SCHEMA_BOOL), .def = "false"),
	PM_KEY("audience", PM_NODE(PM_SCHEMA_STRING, .check = check_audience), .def = "all"),
	PM_KEY("opens", PM_NODE(PM_SCHEMA_DATE)),
	PM_KEY("closes", PM_NODE(PM_SCHEMA_DATE), .required = true),
	PM_KEY("questions", PM_NODE(PM_SCHEMA_LIST, .min = "1", .max = "100", .item = &question_schema),
	       .required = true)),
};

/* What the schema cannot say: options for a choice and only for one, no
 * option twice, no question id twice. */
static int check_question(json_t *q, json_t *seen, const char *name, struct pm_err *e)
{
	const char *id = json_string_value(json_object_get(q, "id"));
	const char *type = json_string_value(json_object_get(q, "type"));
	json_t *opts = json_object_get(q, "options"), *o;
	int choice = strcmp(type, "single") == 0 || strcmp(type, "multi") == 0;
	size_t i, j;

	if (json_object_get(seen, id))
		return pm_err_set(e, PM_EDATA, _("%s: question '%s' given twice"), name, id);
	json_object_set_new(seen, id, json_true());
	if (choice && !opts)
		return pm_err_set(e, PM_EDATA, _("%s: question '%s': a %s question needs options"), name, id, type);
	if (!choice && opts)
		return pm_err_set(e, PM_EDATA, _("%s: question '%s': a %s question takes no options"), name, id, type);
	json_array_foreach(opts, i, o) {
		if (strchr(json_string_value(o), ','))
			return pm_err_set(e, PM_EDATA, _("%s: question '%s': option '%s' has a comma"), name, id,
					  json_string_value(o));
		for (j = 0; j < i; j++)
			if (json_equal(o, json_array_get(opts, j)))
				return pm_err_set(e, PM_EDATA, _("%s: question '%s': option '%s' given twice"), name, id,
						  json_string_value(o));
	}
	return PM_OK;
}

int pm_survey_parse(const char *text, size_t len, const char *name, json_t **out, struct pm_err *e)
{
	json_t *s, *q, *seen;
	size_t i;
	int rc;

	*out = NULL;
	/* A survey file is input, not configuration: its errors are 65. */
	if ((rc = pm_schema_load(&survey_schema, text, len, name, &s, e)))
		return rc == PM_ECONFIG ? (e->code = PM_EDATA) : rc;
	if (!(seen = json_object()))
		rc = pm_err_set(e, PM_EFAIL, _("out of memory"));
	json_array_foreach(rc ? NULL : json_object_get(s, "questions"), i, q)
		if ((rc = check_question(q, seen, name, e)))
			break;
	json_decref(seen);
	if (rc)
		json_decref(s);
	else
		*out = s;
	return rc;
}

/* ---- the store ---- */

#define SURVEY_COLS                                                                                        \
	"SELECT s.id, s.title, s.kind, s.anonymous, s.audience, s.opens, s.closes, s.questions, s.created_at," \
	" s.created_by, (SELECT count(*) FROM survey_answer a WHERE a.survey_id = s.id) FROM survey s"

static json_t *survey_row(sqlite3_stmt *st, void *ctx)
{
	const char *tz = ctx;
	int64_t opens = sqlite3_column_int64(st, 5), closes = sqlite3_column_int64(st, 6), now = pm_now();

	return json_pack("{s:s, s:I, s:s, s:s, s:b, s:s, s:o, s:o, s:s, s:I, s:o, s:o, s:s}", "type", "survey", "id",
			 (json_int_t)sqlite3_column_int64(st, 0), "title", TEXT(st, 1), "kind", TEXT(st, 2),
			 "anonymous", sqlite3_column_int(st, 3), "audience", TEXT(st, 4), "opens",
			 pm_db_json_time(st, 5, tz), "closes", pm_db_json_time(st, 6, tz), "status",
			 now < opens ? "pending" : now < closes ? "open" : "closed", "answers",
			 (json_int_t)sqlite3_column_int64(st, 10), "questions", json_loads(TEXT(st, 7), 0, NULL),
			 "created_at", pm_db_json_time(st, 8, tz), "created_by", TEXT(st, 9));
}

static int keep_one(void *ctx, json_t *rec)
{
	*(json_t **)ctx = json_incref(rec);
	return 1;
}

int pm_survey_get(struct pm_db *db, int64_t id, json_t **out, struct pm_err *e)
{
	static const char sql[] = SURVEY_COLS " WHERE s.id = ?";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	*out = NULL;
	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	rc = pm_db_each(db, st, survey_row, (void *)pm_db_tz(db), keep_one, out, _("cannot read surveys"), e);
	if (rc && rc != 1)
		return rc;
	return *out ? PM_OK : pm_err_set(e, PM_EDATA, _("no survey %lld"), (long long)id);
}

int pm_survey_each(struct pm_db *db, int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e)
{
	static const char sql[] = SURVEY_COLS " ORDER BY s.id";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	return st ? pm_db_each(db, st, survey_row, (void *)pm_db_tz(db), fn, ctx, _("cannot read surveys"), e)
		  : e->code;
}

static int audience_ok(struct pm_db *db, const char *audience, struct pm_err *e)
{
	static const char sql[] = "SELECT 1 FROM building WHERE code = ?";
	int rc;

	if (strcmp(audience, "all") == 0)
		return PM_OK;
	if ((rc = pm_db_exists(db, sql, audience + 9, N_("cannot read buildings"), e)) < 0)
		return -rc;
	return rc ? PM_OK : pm_err_set(e, PM_EDATA, _("no building '%s'"), audience + 9);
}

static int survey_insert(struct pm_db *db, json_t *s, int64_t *id, struct pm_err *e)
{
	static const char sql[] = "INSERT INTO survey (title, kind, anonymous, audience, opens, closes, questions,"
				  " created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
	const char *tz = pm_db_tz(db), *opens = json_string_value(json_object_get(s, "opens"));
	char *questions = NULL, object[32];
	int32_t first = pm_db_today(db), last;
	sqlite3_stmt *st;
	json_t *rec;
	int rc;

	if ((opens && pm_date_parse(opens, &first, e)) ||
	    pm_date_parse(json_string_value(json_object_get(s, "closes")), &last, e))
		return e->code;
	if (last < first)
		return pm_err_set(e, PM_EDATA, _("the survey must close on or after the day it opens"));
	if (audience_ok(db, json_string_value(json_object_get(s, "audience")), e) || !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	if (!(questions = json_dumps(json_object_get(s, "questions"), JSON_COMPACT)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	sqlite3_bind_text(st, 1, json_string_value(json_object_get(s, "title")), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, json_string_value(json_object_get(s, "kind")), -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, json_is_true(json_object_get(s, "anonymous")));
	sqlite3_bind_text(st, 4, json_string_value(json_object_get(s, "audience")), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, pm_date_start(first, tz));
	sqlite3_bind_int64(st, 6, pm_date_start(last + 1, tz));
	sqlite3_bind_text(st, 7, questions, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, pm_now());
	sqlite3_bind_text(st, 9, pm_db_actor(db), -1, SQLITE_STATIC);
	rc = pm_db_step_done(db, st, _("cannot store the survey"), e);
	free(questions);
	if (rc)
		return rc;
	*id = sqlite3_last_insert_rowid(pm_db_sqlite(db));
	if (pm_survey_get(db, *id, &rec, e))
		return e->code;
	snprintf(object, sizeof object, "survey:%lld", (long long)*id);
	rc = pm_audit_log(db, "govern.survey.new", object, NULL, rec, e);
	json_decref(rec);
	return rc;
}

int pm_survey_add(struct pm_db *db, const char *path, json_t **out, struct pm_err *e)
{
	char *buf;
	size_t len;
	json_t *s;
	int64_t id = 0;
	int rc;

	*out = NULL;
	if (pm_file_read(path, SURVEY_FILE_MAX, &buf, &len, e))
		return e->code;
	if (len > SURVEY_FILE_MAX)
		rc = pm_err_set(e, PM_EDATA, _("%s: longer than %d bytes"), path, SURVEY_FILE_MAX);
	else
		rc = pm_survey_parse(buf, len, path, &s, e);
	free(buf);
	if (rc)
		return rc;
	if ((rc = pm_db_begin(db, e)) == PM_OK)
		rc = pm_db_end(db, survey_insert(db, s, &id, e), e);
	json_decref(s);
	return rc ? rc : pm_survey_get(db, id, out, e);
}

/* ---- answers ---- */

static json_t *question_of(json_t *survey, const char *id)
{
	json_t *q;
	size_t i;

	json_array_foreach(json_object_get(survey, "questions"), i, q)
		if (strcmp(json_string_value(json_object_get(q, "id")), id) == 0)
			return q;
	return NULL;
}

static int is_option(json_t *q, const char *s, size_t n)
{
	json_t *o;
	size_t i;

	json_array_foreach(json_object_get(q, "options"), i, o)
		if (strlen(json_string_value(o)) == n && strncmp(json_string_value(o), s, n) == 0)
			return 1;
	return 0;
}

/* Whether answer v (an option, or a list of them) holds option o. */
static int chosen(json_t *v, json_t *o)
{
	json_t *one;
	size_t i;

	if (!json_is_array(v))
		return json_equal(v, o);
	json_array_foreach(v, i, one)
		if (json_equal(one, o))
			return 1;
	return 0;
}

/* The answer to a multiple choice: each option once. */
static json_t *multi_answer(json_t *q, const char *s)
{
	json_t *list = json_array(), *one;
	const char *p = s, *comma;
	size_t n;

	while (list && p) {
		comma = strchr(p, ',');
		n = comma ? (size_t)(comma - p) : strlen(p);
		if (!is_option(q, p, n) || !(one = json_stringn(p, n))) {
			json_decref(list);
			return NULL;
		}
		if (chosen(list, one))
			json_decref(one);
		else if (json_array_append_new(list, one)) {
			json_decref(list);
			return NULL;
		}
		p = comma ? comma + 1 : NULL;
	}
	return list;
}

/* The answer s to question q as it is stored, or NULL with e saying why. */
static json_t *answer_value(json_t *q, const char *s, struct pm_err *e)
{
	const char *id = json_string_value(json_object_get(q, "id"));
	const char *type = json_string_value(json_object_get(q, "type"));
	json_t *v = NULL;

	if (strcmp(type, "rating") == 0 && s[0] >= '1' && s[0] <= '0' + RATING_MAX && !s[1])
		v = json_integer(s[0] - '0');
	else if (strcmp(type, "single") == 0 && is_option(q, s, strlen(s)))
		v = json_string(s);
	else if (strcmp(type, "multi") == 0)
		v = multi_answer(q, s);
	else if (strcmp(type, "text") == 0 && *s && strlen(s) <= TEXT_MAX)
		v = json_string(s);
	if (v)
		return v;
	if (strcmp(type, "rating") == 0)
		pm_err_set(e, PM_EDATA, _("question '%s': '%s' is no rating from 1 to 5"), id, s);
	else if (strcmp(type, "text") == 0)
		pm_err_set(e, PM_EDATA, _("question '%s': expected text of 1 to %d bytes"), id, TEXT_MAX);
	else
		pm_err_set(e, PM_EDATA, _("question '%s': '%s' is not among its options"), id, s);
	return NULL;
}

static int answers_of(json_t *survey, json_t *given, json_t **out, struct pm_err *e)
{
	const char *k;
	json_t *v, *q, *a;

	if (!(*out = json_object()))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	json_object_foreach(given, k, v) {
		if (!(q = question_of(survey, k))) {
			pm_err_set(e, PM_EDATA, _("survey %lld has no question '%s'"),
				   (long long)json_integer_value(json_object_get(survey, "id")), k);
			break;
		}
		if (!json_is_string(v) || !(a = answer_value(q, json_string_value(v), e))) {
			if (!json_is_string(v))
				pm_err_set(e, PM_EDATA, _("question '%s': expected text"), k);
			break;
		}
		json_object_set_new(*out, k, a);
	}
	if (k) {
		json_decref(*out);
		*out = NULL;
		return e->code;
	}
	if (!json_object_size(*out)) {
		json_decref(*out);
		*out = NULL;
		return pm_err_set(e, PM_EDATA, _("an answer needs at least one question answered"));
	}
	return PM_OK;
}

/* Whether person lives (owner or tenant) in a unit of the audience today. */
static int in_audience(struct pm_db *db, int64_t person, const char *audience, struct pm_err *e)
{
	static const char sql[] =
		"SELECT 1 FROM occupancy o JOIN unit u ON u.id = o.unit_id JOIN building b ON b.id = u.building_id"
		" WHERE o.person_id = ?1 AND o.role IN ('owner', 'tenant') AND "
		PM_OCCUPANCY_ON("o", "?3") " AND (?2 = 'all' OR ?2 = 'building:' || b.code) LIMIT 1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char day[PM_TIME_BUF];
	int step;

	if (!st)
		return -e->code;
	sqlite3_bind_int64(st, 1, person);
	sqlite3_bind_text(st, 2, audience, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, pm_community_today(db, day), -1, SQLITE_TRANSIENT);
	step = sqlite3_step(st);
	sqlite3_reset(st);
	if (step == SQLITE_ROW || step == SQLITE_DONE)
		return step == SQLITE_ROW;
	return -pm_db_fail(db, e, _("cannot read residents"));
}

/* Who answers: the actor's own person, or for staff entering a paper
 * form the person named by by. */
static int respondent(struct pm_db *db, const struct pm_actor *a, const char *by, int64_t *person, struct pm_err *e)
{
	char own[64];

	if (pm_auth_check(a, "govern.vote", e))
		return e->code;
	if (a->role != PM_ROLE_OWNER) {
		if (pm_auth_check(a, "govern.enter", e))
			return e->code;
		if (!by)
			return pm_err_set(e, PM_EUSAGE, _("staff enter a paper form: give --by PERSON"));
		return pm_person_id(db, by, person, e);
	}
	if (!a->person_id)
		return pm_err_set(e, PM_ENOPERM, _("user '%s' is linked to no person and cannot answer"), a->login);
	if (pm_person_code(db, a->person_id, own, sizeof own, e))
		return e->code;
	if (by && strcmp(own, by))
		return pm_err_set(e, PM_ENOPERM, _("user '%s' answers only as themselves, not as '%s'"), a->login, by);
	*person = a->person_id;
	return PM_OK;
}

/* The answers of person to survey, checked: open, in its audience, each
 * answer one its question takes. */
static int answer_check(struct pm_db *db, const struct pm_actor *a, const struct pm_survey_reply *r, json_t *survey,
			int64_t *person, json_t **answers, struct pm_err *e)
{
	const char *status = json_string_value(json_object_get(survey, "status"));
	int rc;

	if (strcmp(status, "open"))
		return pm_err_set(e, PM_EFAIL, _("survey %lld is %s: it takes no answers"), (long long)r->survey, status);
	if (respondent(db, a, r->by, person, e))
		return e->code;
	if ((rc = in_audience(db, *person, json_string_value(json_object_get(survey, "audience")), e)) < 0)
		return -rc;
	if (!rc)
		return pm_err_set(e, PM_ENOPERM, _("person %s lives in no unit that survey %lld asks"),
				  r->by ? r->by : a->login, (long long)r->survey);
	return answers_of(survey, r->answers, answers, e);
}

/* Once per person: PM_EFAIL for a second answer. */
static int mark_taken(struct pm_db *db, int64_t survey, int64_t person, struct pm_err *e)
{
	static const char sql[] = "INSERT INTO survey_taken (survey_id, person_id) VALUES (?1, ?2)"
				  " ON CONFLICT DO NOTHING";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, survey);
	sqlite3_bind_int64(st, 2, person);
	if (pm_db_step_done(db, st, _("cannot store the answer"), e))
		return e->code;
	if (!sqlite3_changes(pm_db_sqlite(db)))
		return pm_err_set(e, PM_EFAIL, _("survey %lld: this person has answered already"), (long long)survey);
	return PM_OK;
}

static int answer_store(struct pm_db *db, int64_t survey, int64_t person, json_t *answers, struct pm_err *e)
{
	static const char sql[] = "INSERT INTO survey_answer (survey_id, person_id, answers, day) VALUES (?1, ?2, ?3, ?4)";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char day[PM_TIME_BUF], *text;
	int rc;

	if (!st)
		return e->code;
	if (!(text = json_dumps(answers, JSON_COMPACT)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	sqlite3_bind_int64(st, 1, survey);
	if (person)
		sqlite3_bind_int64(st, 2, person);
	sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, pm_community_today(db, day), -1, SQLITE_TRANSIENT);
	rc = pm_db_step_done(db, st, _("cannot store the answer"), e);
	free(text);
	return rc;
}

static int answer_write(struct pm_db *db, const struct pm_actor *a, const struct pm_survey_reply *r,
			struct pm_err *e)
{
	json_t *survey, *answers = NULL, *after;
	int64_t person = 0;
	char object[48];
	int anonymous, rc;

	if (pm_survey_get(db, r->survey, &survey, e))
		return e->code;
	anonymous = json_is_true(json_object_get(survey, "anonymous"));
	if ((rc = answer_check(db, a, r, survey, &person, &answers, e)) == PM_OK &&
	    (rc = mark_taken(db, r->survey, person, e)) == PM_OK &&
	    (rc = answer_store(db, r->survey, anonymous ? 0 : person, answers, e)) == PM_OK) {
		snprintf(object, sizeof object, "survey:%lld", (long long)r->survey);
		after = anonymous ? json_pack("{s:b}", "anonymous", 1) : json_incref(answers);
		rc = pm_audit_log(db, "govern.survey.answer", object, NULL, after, e);
		json_decref(after);
	}
	json_decref(answers);
	json_decref(survey);
	return rc;
}

int pm_survey_answer(struct pm_db *db, const struct pm_actor *a, const struct pm_survey_reply *r,
		     struct pm_err *e)
{
	int rc;

	if ((rc = pm_db_begin(db, e)))
		return rc;
	return pm_db_end(db, answer_write(db, a, r, e), e);
}

/* ---- results ---- */

static const struct pm_col question_cols[] = {
	{"question", N_("question"), PM_COL_TEXT, 0, 0},
	{"text", N_("text"), PM_COL_TEXT, 0, 0},
	{"kind", N_("type"), PM_COL_TEXT, 0, 0},
	{"answers", N_("answers"), PM_COL_INT, 0, 0},
	{"average", N_("average (1–5)"), PM_COL_MEAN, 0, 2},
};

static const struct pm_col option_cols[] = {
	{"question", N_("question"), PM_COL_TEXT, 0, 0},
	{"option", N_("option"), PM_COL_TEXT, 0, 0},
	{"count", N_("count"), PM_COL_INT, 0, 0},
	{"share_pct", N_("share"), PM_COL_PERCENT, 0, 0},
};

static const struct pm_col comment_cols[] = {
	{"question", N_("question"), PM_COL_TEXT, 0, 0},
	{"comment", N_("comment"), PM_COL_TEXT, 0, 0},
};

/* Per question: answers and sum of ratings; per option its count. */
#define OPTIONS_MAX 20

struct counts {
	int64_t answered, sum;
	int64_t option[OPTIONS_MAX];
};

static int count_answer(json_t *q, json_t *v, struct counts *c, struct pm_section *comments)
{
	json_t *opts = json_object_get(q, "options"), *o;
	size_t i;
	long r;

	if (!v)
		return 0;
	c->answered++;
	if (json_is_integer(v))
		c->sum += json_integer_value(v);
	json_array_foreach(opts, i, o)
		if (i < OPTIONS_MAX && chosen(v, o))
			c->option[i]++;
	if (opts || !json_is_string(v))
		return 0;
	r = pm_row_add(comments);
	return r < 0 || pm_set_text(comments, (size_t)r, 0, json_string_value(json_object_get(q, "id"))) ||
	       pm_set_text(comments, (size_t)r, 1, json_string_value(v));
}

/* Every answer of survey id, counted into c (one a question). In the
 * order of their text, not of their coming: the audit log lists who
 * answered when, and comments in that order would name an anonymous
 * survey's authors. */
static int count_all(struct pm_db *db, int64_t id, json_t *questions, struct counts *c, struct pm_section *comments,
		     struct pm_err *e)
{
	static const char sql[] = "SELECT answers FROM survey_answer WHERE survey_id = ? ORDER BY answers";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	json_t *a, *q;
	size_t i;
	int step, rc = PM_OK;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	while (rc == PM_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		a = json_loads(TEXT(st, 0), 0, NULL);
		json_array_foreach(questions, i, q)
			if (count_answer(q, json_object_get(a, json_string_value(json_object_get(q, "id"))), &c[i],
					 comments))
				rc = pm_report_oom(e);
		json_decref(a);
	}
	if (rc == PM_OK && step != SQLITE_DONE)
		rc = pm_db_fail(db, e, _("cannot read answers"));
	sqlite3_reset(st);
	return rc;
}

static int question_rows(struct pm_section *qs, struct pm_section *os, json_t *q, const struct counts *c)
{
	const char *id = json_string_value(json_object_get(q, "id"));
	json_t *o;
	size_t i;
	long r = pm_row_add(qs);

	if (r < 0 || pm_set_text(qs, (size_t)r, 0, id) ||
	    pm_set_text(qs, (size_t)r, 1, json_string_value(json_object_get(q, "text"))) ||
	    pm_set_text(qs, (size_t)r, 2, json_string_value(json_object_get(q, "type"))))
		return -1;
	pm_set_int(qs, (size_t)r, 3, c->answered);
	if (strcmp(json_string_value(json_object_get(q, "type")), "rating") == 0)
		pm_set_ratio(qs, (size_t)r, 4, c->sum, c->answered);
	json_array_foreach(json_object_get(q, "options"), i, o) {
		if (i >= OPTIONS_MAX || (r = pm_row_add(os)) < 0 || pm_set_text(os, (size_t)r, 0, id) ||
		    pm_set_text(os, (size_t)r, 1, json_string_value(o)))
			return i >= OPTIONS_MAX ? 0 : -1;
		pm_set_int(os, (size_t)r, 2, c->option[i]);
		pm_set_ratio(os, (size_t)r, 3, c->option[i], c->answered);
	}
	return 0;
}

static int results_make(struct pm_db *db, int64_t id, json_t *survey, struct pm_report *r, struct pm_err *e)
{
	json_t *questions = json_object_get(survey, "questions"), *q;
	struct pm_section *qs, *os, *cs;
	struct counts *c = calloc(json_array_size(questions) + 1, sizeof *c);
	size_t i;
	int rc = PM_OK;

	if (!c || !(qs = pm_section_add(r, "questions", N_("Questions"), COLS(question_cols))) ||
	    !(os = pm_section_add(r, "options", N_("Choices"), COLS(option_cols))) ||
	    !(cs = pm_section_add(r, "comments", N_("Comments"), COLS(comment_cols)))) {
		free(c);
		return pm_report_oom(e);
	}
	/* Sections move when one is added: take them again by index. */
	qs = &r->sec[0], os = &r->sec[1], cs = &r->sec[2];
	pm_section_note(qs, "%s", json_string_value(json_object_get(survey, "title")));
	if ((rc = count_all(db, id, questions, c, cs, e)) == PM_OK)
		json_array_foreach(questions, i, q)
			if (question_rows(qs, os, q, &c[i])) {
				rc = pm_report_oom(e);
				break;
			}
	pm_chart_set(os, PM_CHART_BARS, 1, "%", 3, -1);
	free(c);
	return rc;
}

int pm_survey_results(struct pm_db *db, int64_t id, struct pm_report **out, struct pm_err *e)
{
	struct pm_report_query q = {0};
	json_t *survey;
	int rc;

	*out = NULL;
	if (pm_survey_get(db, id, &survey, e))
		return e->code;
	if ((rc = pm_report_new(db, "survey", N_("Survey results"), &q, out, e)) == PM_OK) {
		snprintf((*out)->scope, sizeof (*out)->scope, _("survey %lld, %lld answers"), (long long)id,
			 (long long)json_integer_value(json_object_get(survey, "answers")));
		if ((rc = results_make(db, id, survey, *out, e))) {
			pm_report_free(*out);
			*out = NULL;
		}
	}
	json_decref(survey);
	return rc;
}

int pm_survey_satisfaction(struct pm_db *db, int64_t start, int64_t end, int64_t *surveys, int64_t *sum,
			   int64_t *count, struct pm_err *e)
{
	static const char sql[] =
		"SELECT count(DISTINCT s.id), coalesce(sum(j.value), 0), count(j.value)"
		" FROM survey s JOIN survey_answer a ON a.survey_id = s.id"
		" JOIN json_each(a.answers) j JOIN json_each(s.questions) qn"
		" ON json_extract(qn.value, '$.id') = j.key AND json_extract(qn.value, '$.type') = 'rating'"
		" WHERE s.kind = 'satisfaction' AND s.opens >= ?1 AND s.opens < ?2";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int step;

	*surveys = *sum = *count = 0;
	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, start);
	sqlite3_bind_int64(st, 2, end);
	if ((step = sqlite3_step(st)) == SQLITE_ROW) {
		*surveys = sqlite3_column_int64(st, 0);
		*sum = sqlite3_column_int64(st, 1);
		*count = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	return step == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot read surveys"));
}
