/* rollup: pm export's records into PostgreSQL. Each community batch is
 * copied (COPY, a megabyte at a time) into a temporary staging table and
 * merged into rollup_row in the transaction that moves the community's
 * cursor, so PostgreSQL holds a batch whole or not at all. */
#include <errno.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm/i18n.h"
#include "pm/money.h"
#include "pm/rollup.h"
#include "report-internal.h"
#include "strbuf-internal.h"

enum { COPY_CHUNK = 1 << 20 };

struct load {
	PGconn *pg;
	struct pm_err *e;
	const char *file;
	long line;
	struct strbuf copy;   /* staged lines not yet sent */
	char store[64];       /* the batch's, "" before its first record */
	long records;
};

static int pg_fail(struct load *l, PGresult *res, int code, const char *what)
{
	const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(l->pg);
	size_t n = strcspn(msg, "\n");

	PQclear(res);
	return pm_err_set(l->e, code, "%s: %.*s", what, (int)n, msg);
}

/* Runs sql with up to two text parameters; PGRES_TUPLES_OK results are
 * handed back in *out, others cleared. */
static int pg_run(struct load *l, const char *sql, const char *p1, const char *p2, PGresult **out)
{
	const char *params[2] = {p1, p2};
	PGresult *res = PQexecParams(l->pg, sql, p2 ? 2 : p1 ? 1 : 0, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		return pg_fail(l, res, PM_EUNAVAIL, _("PostgreSQL refused the load"));
	if (out)
		*out = res;
	else
		PQclear(res);
	return PM_OK;
}

static void copy_field(struct strbuf *b, const char *s, int last)
{
	if (!s)
		sb_str(b, "\\N");
	for (; s && *s; s++)
		switch (*s) {
		case '\\': sb_str(b, "\\\\"); break;
		case '\n': sb_str(b, "\\n"); break;
		case '\r': sb_str(b, "\\r"); break;
		case '\t': sb_str(b, "\\t"); break;
		default: sb_add(b, s, 1);
		}
	sb_str(b, last ? "\n" : "\t");
}

static void copy_json(struct strbuf *b, const json_t *v, int last)
{
	char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	copy_field(b, s, last);
	free(s);
}

static void stage_line(struct load *l, const char *op, const char *tbl, const json_t *key, const json_t *parent,
		       const json_t *row, json_int_t at)
{
	char num[24];

	snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, at);
	copy_field(&l->copy, op, 0);
	copy_field(&l->copy, tbl, 0);
	copy_json(&l->copy, key, 0);
	copy_json(&l->copy, parent, 0);
	copy_json(&l->copy, row, 0);
	copy_field(&l->copy, num, 1);
}

static int flush_copy(struct load *l)
{
	PGresult *res;

	if (!l->copy.n)
		return PM_OK;
	if (l->copy.failed)
		return pm_err_set(l->e, PM_EFAIL, _("out of memory"));
	res = PQexec(l->pg, "COPY rollup_stage (op, tbl, key, parent, row, at) FROM STDIN");
	if (PQresultStatus(res) != PGRES_COPY_IN)
		return pg_fail(l, res, PM_EUNAVAIL, _("PostgreSQL refused the load"));
	PQclear(res);
	if (PQputCopyData(l->pg, l->copy.p, (int)l->copy.n) != 1 || PQputCopyEnd(l->pg, NULL) != 1)
		return pg_fail(l, NULL, PM_EUNAVAIL, _("PostgreSQL refused the load"));
	res = PQgetResult(l->pg);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return pg_fail(l, res, PM_EUNAVAIL, _("PostgreSQL refused the load"));
	PQclear(res);
	while ((res = PQgetResult(l->pg)))
		PQclear(res);
	l->copy.n = 0;
	return PM_OK;
}

static int bad_line(struct load *l, const char *why)
{
	return pm_err_set(l->e, PM_EDATA, "%s:%ld: %s", l->file, l->line, why);
}

/* A change record into the staging table; the batch's transaction begins
 * with its first. */
static int stage(struct load *l, json_t *rec)
{
	const char *store = json_string_value(json_object_get(rec, "store"));
	const char *tbl = json_string_value(json_object_get(rec, "table"));
	const char *op = json_string_value(json_object_get(rec, "op"));
	json_t *key = json_object_get(rec, "key"), *rows = json_object_get(rec, "rows"), *row, *k;
	json_int_t at = json_integer_value(json_object_get(rec, "at"));
	size_t i;

	if (!store || !tbl || !op || !json_is_array(key) || strlen(store) >= sizeof l->store)
		return bad_line(l, _("not a record of pm export"));
	if (!l->store[0]) {
		if (pg_run(l, "BEGIN", NULL, NULL, NULL) || pg_run(l, "TRUNCATE rollup_stage", NULL, NULL, NULL))
			return l->e->code;
		snprintf(l->store, sizeof l->store, "%s", store);
	} else if (strcmp(store, l->store) != 0)
		return bad_line(l, _("a record of another store before the cursor of the first"));
	if (strcmp(op, "upsert") == 0 && json_is_object(row = json_object_get(rec, "row")))
		stage_line(l, op, tbl, key, NULL, row, at);
	else if (strcmp(op, "delete") == 0)
		stage_line(l, op, tbl, key, NULL, NULL, at);
	else if (strcmp(op, "replace") == 0 && json_is_array(rows)) {
		stage_line(l, op, tbl, key, NULL, NULL, at);
		json_array_foreach(rows, i, row) {
			k = json_deep_copy(key);
			json_array_append_new(k, json_integer((json_int_t)i + 1));
			stage_line(l, "child", tbl, k, key, row, at);
			json_decref(k);
		}
	} else
		return bad_line(l, _("not a record of pm export"));
	l->records++;
	return l->copy.n >= COPY_CHUNK ? flush_copy(l) : PM_OK;
}

static const char replace_sql[] =
	"DELETE FROM rollup_row r USING rollup_stage s WHERE s.op = 'replace' AND r.community = $1"
	" AND r.tbl = s.tbl AND r.parent = s.key";
static const char delete_sql[] =
	"DELETE FROM rollup_row r USING rollup_stage s WHERE s.op = 'delete' AND r.community = $1"
	" AND r.tbl = s.tbl AND r.key = s.key";
static const char upsert_sql[] =
	"INSERT INTO rollup_row (community, tbl, key, parent, row, at)"
	" SELECT $1, tbl, key, parent, row, at FROM rollup_stage WHERE op IN ('upsert', 'child')"
	" ON CONFLICT (community, tbl, key) DO UPDATE SET parent = EXCLUDED.parent, row = EXCLUDED.row, at = EXCLUDED.at";
static const char cursor_sql[] =
	"INSERT INTO rollup_community (community, cursor) VALUES ($1, $2)"
	" ON CONFLICT (community) DO UPDATE SET cursor = EXCLUDED.cursor, loaded_at = now()";

/* The batch ends: merged and committed, skipped when PostgreSQL has it,
 * refused when it does not follow what PostgreSQL has. */
static int finish(struct load *l, json_t *rec, struct pm_rollup_batch *b)
{
	const char *store = json_string_value(json_object_get(rec, "store"));
	const char *since = json_string_value(json_object_get(rec, "since"));
	const char *cursor = json_string_value(json_object_get(rec, "cursor"));
	const char *have = "0";
	PGresult *res = NULL;
	int rc;

	if (!store || !since || !cursor || (l->store[0] && strcmp(store, l->store) != 0))
		return bad_line(l, _("not a record of pm export"));
	if (!l->store[0]) { /* nothing changed: the cursor alone */
		if (pg_run(l, "BEGIN", NULL, NULL, NULL))
			return l->e->code;
		snprintf(l->store, sizeof l->store, "%s", store);
	}
	if (flush_copy(l) ||
	    pg_run(l, "SELECT cursor FROM rollup_community WHERE community = $1 FOR UPDATE", store, NULL, &res))
		return l->e->code;
	if (PQntuples(res))
		have = PQgetvalue(res, 0, 0);
	*b = (struct pm_rollup_batch){l->file, l->store, since, cursor, l->records, 0};
	if (strcmp(since, have) != 0 && strcmp(since, "0") != 0) {
		b->skipped = strcmp(cursor, have) == 0;
		rc = b->skipped ? pg_run(l, "ROLLBACK", NULL, NULL, NULL)
				: pm_err_set(l->e, PM_EDATA,
					     _("%s: store %s's feed starts at cursor %s, but PostgreSQL has it at %s:"
					       " pm export --since %s"),
					     l->file, store, since, have, have);
		PQclear(res);
		return rc;
	}
	PQclear(res);
	if ((strcmp(since, "0") == 0 && pg_run(l, "DELETE FROM rollup_row WHERE community = $1", store, NULL, NULL)) ||
	    pg_run(l, replace_sql, store, NULL, NULL) || pg_run(l, delete_sql, store, NULL, NULL) ||
	    pg_run(l, upsert_sql, store, NULL, NULL) || pg_run(l, cursor_sql, store, cursor, NULL) ||
	    pg_run(l, "COMMIT", NULL, NULL, NULL))
		return l->e->code;
	return PM_OK;
}

static int load_file(struct load *l, FILE *f, void (*fn)(void *ctx, const struct pm_rollup_batch *b), void *ctx)
{
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	json_t *rec;
	const char *type;
	struct pm_rollup_batch b;
	int rc = PM_OK;

	l->line = 0;
	while (!rc && (n = getline(&buf, &cap, f)) >= 0) {
		l->line++;
		if (!(rec = json_loadb(buf, (size_t)n, 0, NULL)) || !(type = json_string_value(json_object_get(rec, "type"))))
			rc = bad_line(l, _("not a record of pm export"));
		else if (strcmp(type, "change") == 0)
			rc = stage(l, rec);
		else if (strcmp(type, "cursor") == 0 && !(rc = finish(l, rec, &b))) {
			fn(ctx, &b);
			l->store[0] = '\0';
			l->records = 0;
		} else if (strcmp(type, "cursor") != 0)
			rc = bad_line(l, _("not a record of pm export"));
		json_decref(rec);
	}
	free(buf);
	if (!rc && ferror(f))
		rc = pm_err_set(l->e, PM_EIO, _("cannot read '%s': %s"), l->file, strerror(errno));
	if (!rc && l->store[0])
		rc = pm_err_set(l->e, PM_EDATA, _("%s: ends without pm export's cursor: the export did not finish"),
				l->file);
	return rc;
}

static int open_pg(struct load *l, const char *conninfo)
{
	static const char stage_sql[] =
		"CREATE TEMP TABLE rollup_stage (op text, tbl text, key jsonb, parent jsonb, row jsonb, at bigint)";

	l->pg = PQconnectdb(conninfo);
	if (PQstatus(l->pg) != CONNECTION_OK)
		return pg_fail(l, NULL, PM_EUNAVAIL, _("cannot connect to PostgreSQL"));
	return pg_run(l, stage_sql, NULL, NULL, NULL);
}

int pm_rollup_load(const char *conninfo, char *const *files, int nfiles,
		   void (*fn)(void *ctx, const struct pm_rollup_batch *b), void *ctx, struct pm_err *e)
{
	struct load l = {.e = e};
	FILE *f;
	int rc = open_pg(&l, conninfo);

	for (int i = 0; !rc && i < nfiles; i++) {
		l.file = files[i];
		if (strcmp(files[i], "-") == 0)
			f = stdin;
		else if (!(f = fopen(files[i], "r"))) {
			rc = pm_err_set(e, PM_ENOINPUT, _("cannot open '%s': %s"), files[i], strerror(errno));
			break;
		}
		rc = load_file(&l, f, fn, ctx);
		if (f != stdin)
			fclose(f);
		l.store[0] = '\0';
		l.records = 0;
		l.copy.n = 0;
	}
	/* A batch cut short is rolled back with the connection. */
	PQfinish(l.pg);
	free(l.copy.p);
	return rc;
}

/* ---- group reports ---- */

static const struct pm_col by_community[] = COLLECTION_COLS("community", N_("community"));

static int collection_rows(struct load *l, PGresult *res, struct pm_section *s, struct pm_err *e)
{
	struct pm_collection_agg a, t = {0};
	int n = PQntuples(res);

	for (int i = 0; i < n; i++) {
		a = (struct pm_collection_agg){strtoll(PQgetvalue(res, i, 1), NULL, 10),
					       strtoll(PQgetvalue(res, i, 2), NULL, 10),
					       strtoll(PQgetvalue(res, i, 3), NULL, 10),
					       strtoll(PQgetvalue(res, i, 4), NULL, 10),
					       strtoll(PQgetvalue(res, i, 5), NULL, 10),
					       strtoll(PQgetvalue(res, i, 6), NULL, 10)};
		t.bills += a.bills;
		t.paid += a.paid;
		if (pm_money_add(&t.charged, a.charged, e) || pm_money_add(&t.adjust, a.adjust, e) ||
		    pm_money_add(&t.late, a.late, e) || pm_money_add(&t.collected, a.collected, e))
			return e->code;
		if (pm_collection_row(s, PQgetvalue(res, i, 0), &a))
			return pm_report_oom(e);
	}
	s->total = 1;
	return pm_collection_row(s, _("total"), &t) ? pm_report_oom(e) : PM_OK;
}

int pm_rollup_report(const char *conninfo, const char *name, const struct pm_report_query *q,
		     struct pm_report **out, struct pm_err *e)
{
	static const char sql[] =
		"SELECT community, sum(bills), sum(paid_bills), sum(charged_fen), sum(adjust_fen), sum(late_fen),"
		" sum(collected_fen) FROM rollup_collection WHERE period BETWEEN $1 AND $2"
		" GROUP BY community ORDER BY community";
	struct load l = {.e = e};
	char from[PM_TIME_BUF], to[PM_TIME_BUF];
	struct pm_section *s;
	PGresult *res = NULL;
	int rc;

	*out = NULL;
	if (strcmp(name, "collection") != 0)
		return pm_err_set(e, PM_EUSAGE, _("no group report '%s': there is collection"), name);
	pm_period_fmt(q->from, from);
	pm_period_fmt(q->to, to);
	if (!(rc = open_pg(&l, conninfo)) && !(rc = pg_run(&l, sql, from, to, &res)) &&
	    !(rc = pm_report_new(NULL, "collection", N_("Collection"), q, out, e))) {
		s = pm_section_add(*out, "community", N_("By community"), COLS(by_community));
		rc = s ? collection_rows(&l, res, s, e) : pm_report_oom(e);
	}
	PQclear(res);
	PQfinish(l.pg);
	if (rc) {
		pm_report_free(*out);
		*out = NULL;
	}
	return rc;
}
